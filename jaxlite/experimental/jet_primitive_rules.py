"""Jet (Taylor-mode) rules for lax primitives, registered in ``jet.jet_rules``.

A rule maps ``(primals_in, series_in, **params)`` to ``(primal_out,
series_out)``, the series being un-scaled Taylor coefficients. Most rules are
recurrences on the coefficients: if ``v = exp(u)`` then ``v' = v u'``, and
matching coefficients gives ``k v_k = sum_{j=1..k} j u_j v_{k-j}``. The set of
primitives is JAX 0.10.2's.

  >>> from jaxlite.experimental.jet import jet2
  >>> from jaxlite import lax
  >>> primal, (s1, s2) = jet2(lax.exp, (0.0,), ((1.0, 0.0),))
  >>> print(primal, s1, s2)
  1.0 1.0 0.5
"""
from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from jaxlite import core, lax
from jaxlite import numpy as jnp
from jaxlite.custom_derivatives import custom_jvp_call_p, custom_vjp_call_p
from jaxlite.experimental.jet import (_jet_jaxpr, def_comp, def_deriv, deflinear, defzero,
                                      jet2, jet_rules)
from jaxlite.interpreters.ad import stop_gradient_p
from jaxlite.interpreters.pjit import jit_p
from jaxlite.interpreters.pjit import shaped_abstractify
from jaxlite.lax.add_any import add_any_p
from jaxlite.tree_util import tree_flatten, tree_unflatten

for _p in (lax.le_p, lax.lt_p, lax.gt_p, lax.ge_p, lax.eq_p, lax.ne_p, lax.not_p, lax.and_p,
           lax.or_p, lax.xor_p, lax.floor_p, lax.ceil_p, lax.round_p, lax.sign_p,
           stop_gradient_p, lax.is_finite_p, lax.shift_left_p, lax.shift_right_arithmetic_p,
           lax.shift_right_logical_p, lax.bitcast_convert_type_p):
  defzero(_p)

for _p in (lax.neg_p, lax.real_p, lax.complex_p, lax.conj_p, lax.imag_p, lax.add_p, add_any_p,
           lax.sub_p, lax.convert_element_type_p, lax.broadcast_in_dim_p, lax.concatenate_p,
           lax.split_p, lax.stack_p, lax.unstack_p, lax.pad_p, lax.reshape_p, lax.squeeze_p,
           lax.rev_p, lax.transpose_p, lax.slice_p, lax.reduce_sum_p, lax.reduce_window_sum_p,
           lax.fft_p, lax.copy_p, lax.cumsum_p):
  deflinear(_p)


def _dynamic_slice_rule(primals_in, series_in, **params):
  # Linear in the operand; the indices are shared by every term.
  operand, *starts = primals_in
  primal_out = lax.dynamic_slice_p.bind(operand, *starts, **params)
  return primal_out, [lax.dynamic_slice_p.bind(terms[0], *starts, **params)
                      for terms in zip(*series_in)]


jet_rules[lax.dynamic_slice_p] = _dynamic_slice_rule


def _dynamic_update_slice_rule(primals_in, series_in, **params):
  operand, update, *starts = primals_in
  primal_out = lax.dynamic_update_slice_p.bind(operand, update, *starts, **params)
  return primal_out, [lax.dynamic_update_slice_p.bind(*terms[:2], *starts, **params)
                      for terms in zip(*series_in)]


jet_rules[lax.dynamic_update_slice_p] = _dynamic_update_slice_rule


def _cumulative_rule(primals_in, series_in, *, axis: int, reverse: bool, combine_fn, **_):
  # The scan written with its combining primitive, whose rule gives the series.
  return jet2(partial(lax.associative_scan, combine_fn, axis=axis, reverse=reverse),
              primals_in, series_in)


jet_rules[lax.cumprod_p] = partial(_cumulative_rule, combine_fn=lax.mul)
jet_rules[lax.cummax_p] = partial(_cumulative_rule, combine_fn=lax.max)
jet_rules[lax.cummin_p] = partial(_cumulative_rule, combine_fn=lax.min)

def_deriv(lax.erf_p, lambda x: lax.mul(lax.full_like(x, 2. / np.sqrt(np.pi)),
                                       lax.exp(lax.neg(lax.square(x)))))

def_comp(lax.expm1_p, lambda x: lax.exp(x) - 1)
def_comp(lax.log1p_p, lambda x: lax.log(1 + x))
def_comp(lax.sqrt_p, lambda x: x ** 0.5)
def_comp(lax.square_p, lambda x: x * x)
def_comp(lax.rsqrt_p, lambda x: x ** -0.5)
def_comp(lax.asinh_p, lambda x: lax.log(x + lax.sqrt(lax.square(x) + 1)))
def_comp(lax.acosh_p, lambda x: lax.log(x + lax.sqrt(lax.square(x) - 1)))
def_comp(lax.atanh_p, lambda x: 0.5 * lax.log(lax.div(1 + x, 1 - x)))
def_comp(lax.erfc_p, lambda x: 1 - lax.erf(x))
def_comp(lax.rem_p, lambda x, y: x - y * lax.floor(x / y))
def_comp(lax.clamp_p, lambda a, x, b: lax.min(lax.max(a, x), b))


def _chain_coefficients(c, u, k):
  # k-th coefficient of v with v' = c u': (1/k) sum_{j=1..k} j c_{k-j} u_j.
  return sum(j * c[k - j] * u[j] for j in range(1, k + 1)) / k


def _erf_inv_rule(primals_in, series_in, **_):
  # v = erfinv(u) has v' = c u' with c = sqrt(pi)/2 exp(v^2); the series of c
  # needs v's, so v, v^2, exp(v^2) and c are built up one order at a time.
  x, = primals_in
  series, = series_in
  u: list[Any] = [x] + series
  v: list[Any] = [lax.erf_inv(x)] + [None] * len(series)
  scale = np.sqrt(np.pi) / 2.
  c: list[Any] = [lax.mul(scale, lax.exp(lax.square(v[0])))] + [None] * (len(series) - 1)
  v_squared: list[Any] = [lax.square(v[0])] + [None] * (len(series) - 1)
  exp_v_squared: list[Any] = [lax.exp(v_squared[0])] + [None] * (len(series) - 1)
  for k in range(1, len(series)):
    v[k] = _chain_coefficients(c, u, k)
    v_squared[k] = sum(v[k - j] * v[j] for j in range(k + 1))
    exp_v_squared[k] = sum(j * exp_v_squared[k - j] * v_squared[j]
                           for j in range(1, k + 1)) / k
    c[k] = scale * exp_v_squared[k]
  v[len(series)] = _chain_coefficients(c, u, len(series))
  return v[0], v[1:]


jet_rules[lax.erf_inv_p] = _erf_inv_rule


def _exp_of_series(primal_out, u):
  # v = exp(w) with the series u of w: k v_k = sum j u_j v_{k-j}.
  v: list[Any] = [primal_out] + [None] * (len(u) - 1)
  for k in range(1, len(v)):
    v[k] = sum(j * v[k - j] * u[j] for j in range(1, k + 1)) / k
  return v[0], v[1:]


def _exp_rule(primals_in, series_in, **_):
  x, = primals_in
  series, = series_in
  return _exp_of_series(lax.exp(x), [x] + series)


jet_rules[lax.exp_p] = _exp_rule


def _pow_rule(primals_in, series_in, **_):
  # x ** y = exp(y log x): the series of y log x, then exp's recurrence.
  base, exponent = primals_in
  w, w_series = jet2(lambda x, y: lax.mul(y, lax.log(x)), primals_in, series_in)
  return _exp_of_series(base ** exponent, [w] + w_series)


jet_rules[lax.pow_p] = _pow_rule


def _pow_by_squaring(x, n):
  if n < 0:
    return _pow_by_squaring(1 / x, -n)
  if n == 0:
    return 1
  if n % 2 == 0:
    return _pow_by_squaring(x * x, n / 2)
  return x * _pow_by_squaring(x * x, (n - 1) / 2)


def _integer_pow_rule(primals_in, series_in, *, y, **_):
  if y == 0:
    return jet2(jnp.ones_like, primals_in, series_in)
  return jet2(lambda x: _pow_by_squaring(x, y), primals_in, series_in)


jet_rules[lax.integer_pow_p] = _integer_pow_rule


def _logistic_rule(primals_in, series_in, **_):
  # s' = s (1 - s) u': the series of e = s (1 - s) is updated with s's.
  x, = primals_in
  series, = series_in
  u = [x] + series
  v: list[Any] = [lax.logistic(x)] + [None] * len(series)
  e: list[Any] = [v[0] * (1 - v[0])] + [None] * len(series)
  for k in range(1, len(v)):
    v[k] = sum(j * e[k - j] * u[j] for j in range(1, k + 1)) / k
    e[k] = (1 - v[0]) * v[k] - sum(v[j] * v[k - j] for j in range(1, k + 1))
  return v[0], v[1:]


jet_rules[lax.logistic_p] = _logistic_rule


def _tanh_rule(primals_in, series_in, **_):
  # tanh(x) = 2 logistic(2x) - 1
  x, = primals_in
  series, = series_in
  primal_out, series_out = _logistic_rule((2 * x,), ([2 * s for s in series],))
  return 2 * primal_out - 1, [2 * s for s in series_out]


jet_rules[lax.tanh_p] = _tanh_rule


def _log_rule(primals_in, series_in, **_):
  # u v' = u': v_k = (u_k - (1/k) sum_{j<k} j v_j u_{k-j}) / u_0
  x, = primals_in
  series, = series_in
  u = [x] + series
  v: list[Any] = [lax.log(x)] + [None] * len(series)
  for k in range(1, len(v)):
    convolution = sum(j * v[j] * u[k - j] for j in range(1, k))
    v[k] = (u[k] - convolution / k) / u[0]
  return v[0], v[1:]


jet_rules[lax.log_p] = _log_rule


def _atan2_rule(primals_in, series_in, **_):
  # atan2(x, y) = atan(x / y), atan' = 1 / (1 + z^2).
  primal_out = lax.atan2(*primals_in)
  z, z_series = jet2(lax.div, primals_in, series_in)
  one = lax.full_like(z, 1)
  c0, cs = jet2(lambda z: lax.div(one, 1 + lax.square(z)), (z,), (z_series,))
  c, u = [c0] + cs, [z] + z_series
  v: list[Any] = [primal_out] + [None] * len(z_series)
  for k in range(1, len(v)):
    v[k] = _chain_coefficients(c, u, k)
  return v[0], v[1:]


jet_rules[lax.atan2_p] = _atan2_rule


def _div_rule(primals_in, series_in, **_):
  # u = v w: v_k = (u_k - sum_{j<k} v_j w_{k-j}) / w_0
  x, y = primals_in
  x_terms, y_terms = series_in
  u, w = [x] + x_terms, [y] + y_terms
  v: list[Any] = [None] * len(u)
  for k in range(len(v)):
    convolution = sum(v[j] * w[k - j] for j in range(k))
    v[k] = (u[k] - convolution) / w[0]
  return v[0], v[1:]


jet_rules[lax.div_p] = _div_rule


def _sinusoidal_pair(sign, functions, primals_in, series_in):
  # s' = c u', c' = sign s u', for (sin, cos) (sign -1) and (sinh, cosh) (+1).
  x, = primals_in
  series, = series_in
  u = [x] + series
  s = [functions[0](x)] + [None] * len(series)
  c = [functions[1](x)] + [None] * len(series)
  for k in range(1, len(s)):
    s[k] = sum(j * u[j] * c[k - j] for j in range(1, k + 1)) / k
    c[k] = sum(j * u[j] * s[k - j] for j in range(1, k + 1)) / k * sign
  return (s[0], s[1:]), (c[0], c[1:])


def _sinusoidal_rule(sign, functions, which, primals_in, series_in, **_):
  return _sinusoidal_pair(sign, functions, primals_in, series_in)[which]


jet_rules[lax.sin_p] = partial(_sinusoidal_rule, -1, (lax.sin, lax.cos), 0)
jet_rules[lax.cos_p] = partial(_sinusoidal_rule, -1, (lax.sin, lax.cos), 1)
jet_rules[lax.sinh_p] = partial(_sinusoidal_rule, 1, (lax.sinh, lax.cosh), 0)
jet_rules[lax.cosh_p] = partial(_sinusoidal_rule, 1, (lax.sinh, lax.cosh), 1)


def _bilinear_rule(prim, primals_in, series_in, **params):
  # The Cauchy product: v_k = sum_{j<=k} op(u_j, w_{k-j}).
  x, y = primals_in
  x_terms, y_terms = series_in
  u, w = [x] + x_terms, [y] + y_terms
  v = [sum(prim.bind(u[j], w[k - j], **params) for j in range(k + 1)) for k in range(len(u))]
  return v[0], v[1:]


for _p in (lax.dot_general_p, lax.mul_p, lax.conv_general_dilated_p):
  jet_rules[_p] = partial(_bilinear_rule, _p)


def _gather_rule(primals_in, series_in, **params):
  operand, indices = primals_in
  operand_terms, _ = series_in
  primal_out = lax.gather_p.bind(operand, indices, **params)
  return primal_out, [lax.gather_p.bind(t, indices, **params) for t in operand_terms]


jet_rules[lax.gather_p] = _gather_rule


def _chooser_rule(prim):
  # max/min reductions: each term is the mean of the terms at the positions
  # that attain the extremum (ties share it).
  def rule(primals_in, series_in, **params):
    operand, = primals_in
    terms, = series_in
    primal_out = prim.bind(operand, **params)
    axes = params["axes"]
    kept_shape = [1 if i in axes else d for i, d in enumerate(operand.shape)]
    at_extremum = lax.convert_element_type(
        lax.eq(operand, lax.broadcast_in_dim(lax.reshape(primal_out, kept_shape),
                                             operand.shape, tuple(range(operand.ndim)))),
        terms[0].dtype)
    counts = lax.reduce_sum(at_extremum, axes)
    return primal_out, [lax.div(lax.reduce_sum(lax.mul(t, at_extremum), axes), counts)
                        for t in terms]
  return rule


jet_rules[lax.reduce_max_p] = _chooser_rule(lax.reduce_max_p)
jet_rules[lax.reduce_min_p] = _chooser_rule(lax.reduce_min_p)


def _abs_rule(primals_in, series_in, **params):
  x, = primals_in
  primal_out = lax.abs_p.bind(x, **params)
  sign = lax.select(lax.lt(x, lax.full_like(x, 0, shape=())), lax.full_like(x, -1),
                    lax.full_like(x, 1.0))
  return primal_out, [sign * t for t, in zip(*series_in)]


jet_rules[lax.abs_p] = _abs_rule


def _select_n_rule(primals_in, series_in, **_):
  which, *cases = primals_in
  primal_out = lax.select_n(which, *cases)
  return primal_out, [lax.select_n(which, *terms[1:]) for terms in zip(*series_in)]


jet_rules[lax.select_n_p] = _select_n_rule


def _extremum_rule(is_first, primals_in, series_in, **_):
  # max/min of two: the chosen operand's terms; on ties, the mean of both.
  x, y = jnp.broadcast_arrays(*primals_in)
  first = is_first(x, y)
  tie = x == y
  primal_out = lax.select(first, x, y)

  def pick(x_term, y_term):
    return lax.select(tie, (x_term + y_term) / 2, lax.select(first, x_term, y_term))
  return primal_out, [pick(*jnp.broadcast_arrays(*terms)) for terms in zip(*series_in)]


jet_rules[lax.max_p] = partial(_extremum_rule, lambda x, y: x > y)
jet_rules[lax.min_p] = partial(_extremum_rule, lambda x, y: x < y)


def _scatter_add_rule(primals_in, series_in, **params):
  operand, indices, updates = primals_in
  primal_out = lax.scatter_add_p.bind(operand, indices, updates, **params)
  return primal_out, [lax.scatter_add_p.bind(o, indices, u, **params)
                      for o, _, u in zip(*series_in)]


jet_rules[lax.scatter_add_p] = _scatter_add_rule


def _jit_rule(primals_in, series_in, *, jaxpr, donated_invars=(), **params):
  # The jet of the body, compiled as one jit call on primals and series.
  flat, in_tree = tree_flatten((primals_in, series_in))
  order = len(series_in[0])
  avals = tuple(shaped_abstractify(x) for x in flat)
  jet_jaxpr, out_tree = _jet_jaxpr(jaxpr, order, avals, in_tree)
  if donated_invars:
    donated_invars = tuple(donated_invars) + (False,) * (len(flat) - len(primals_in))
  outs = jit_p.bind(*flat, jaxpr=jet_jaxpr, donated_invars=donated_invars, **params)
  return tree_unflatten(out_tree, outs)


jet_rules[jit_p] = _jit_rule


def _custom_rule_call(primals_in, series_in, *, call_jaxpr, **_):
  # Taylor mode ignores custom JVP/VJP rules and runs the function itself.
  def body(*args):
    return core.eval_jaxpr(call_jaxpr.jaxpr, call_jaxpr.consts, *args)
  return jet2(body, tuple(primals_in), tuple(series_in))


jet_rules[custom_jvp_call_p] = _custom_rule_call
jet_rules[custom_vjp_call_p] = _custom_rule_call
