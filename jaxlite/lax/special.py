"""Special-function primitives: incomplete gamma and beta, zeta, polygamma and
the exponentially scaled Bessel functions.

Where XLA has an operation (CHLO's ``zeta``, ``polygamma``, ``bessel_i1e``) the
primitive lowers to it. Where it has none (the incomplete gamma and beta
integrals, ``bessel_i0e``), the primitive lowers to a lax program that follows
the algorithms of XLA's ``math.cc`` step for step (series and continued
fractions iterated in a ``while_loop``, Cephes' Chebyshev expansions), so the
numbers are the ones JAX computes. bfloat16 and float16 are evaluated in
float32, as JAX does.

  >>> import jaxlite.lax as lax
  >>> float(lax.igamma(2.0, 1.0))  # P(2, 1) = 1 - 2/e
  0.2642411...
"""
from __future__ import annotations

import enum
import functools

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, mlir
from jaxlite.lax import elementwise as ew
from jaxlite.lax.bitwise import (bitwise_and, bitwise_not, bitwise_or, eq, ge, gt, le,
                                 lt, ne, select)
from jaxlite.lax.elementwise import _float, add, div, mul, naryop, neg, sub
from jaxlite.lax.transcendental import digamma, exp, lgamma, log, log1p, sqrt

__all__ = [
    "igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "betainc", "zeta",
    "polygamma", "bessel_i0e", "bessel_i1e",
    "igamma_p", "igammac_p", "igamma_grad_a_p",
    "regularized_incomplete_beta_p", "zeta_p", "polygamma_p", "bessel_i0e_p", "bessel_i1e_p",
]


# --- small helpers ------------------------------------------------------------------------


def _c(x, value):
  """``value`` as a rank-0 constant of ``x``'s dtype (it broadcasts in lax ops)."""
  return np.array(value, dtype=core.get_aval(x).dtype)


def _full(x, value):
  from jaxlite.lax.structural import full
  aval = core.get_aval(x)
  return full(aval.shape, value, aval.dtype)


def _isnan(x):
  return ne(x, x)


def _any_true(pred):
  """One boolean: whether any element of ``pred`` is true."""
  from jaxlite.lax.reductions import reduce_or
  return reduce_or(pred, tuple(range(core.get_aval(pred).ndim)))


def _any_of(*preds):
  return functools.reduce(bitwise_or, preds)


def _evaluated_in_float32(impl):
  """Lowers ``impl(*args, dtype=...)`` after broadcasting its operands to one
  shape, in float32 for the half-precision dtypes (as XLA's math library)."""
  def rule(*args, **params):
    from jaxlite.lax.structural import broadcast_in_dim, convert_element_type
    shape = np.broadcast_shapes(*(core.get_aval(a).shape for a in args))
    args = [broadcast_in_dim(a, shape, tuple(range(core.get_aval(a).ndim))) for a in args]
    dtype = np.dtype(core.get_aval(args[0]).dtype)
    if dtype in (np.dtype(dtypes.bfloat16), np.dtype(np.float16)):
      args = [convert_element_type(a, np.float32) for a in args]
      return convert_element_type(impl(*args, dtype=np.dtype(np.float32), **params), dtype)
    return impl(*args, dtype=dtype, **params)
  return rule


def _while(cond, body, state):
  from jaxlite.lax.control_flow import while_loop
  return while_loop(cond, body, state)


# --- the incomplete gamma function ----------------------------------------------------------


class _Want(enum.Enum):
  """What an incomplete-gamma evaluation returns: P(a, x) itself, dP/da, or the
  derivative of a Gamma(a, 1) sample x with respect to a (reparameterisation)."""
  VALUE = 1
  DERIVATIVE = 2
  SAMPLE_DERIVATIVE = 3


def _gamma_series(ax, x, a, enabled, dtype, want):
  """P(a, x) (or a derivative) by the power series sum_n x^n / (a+1)...(a+n)."""
  eps = np.finfo(dtype).eps

  def cond(state):
    return _any_true(state[0])

  def body(state):
    active, r, c, total, x_, dc_da, dtotal_da = state
    r_new = add(r, _c(r, 1.0))
    dc_da_new = sub(mul(dc_da, div(x_, r_new)), div(mul(c, x_), mul(r_new, r_new)))
    dtotal_da_new = add(dtotal_da, dc_da_new)
    c_new = mul(c, div(x_, r_new))
    total_new = add(total, c_new)
    if want is _Want.VALUE:
      still = gt(div(c_new, total_new), _c(c_new, eps))
    else:
      still = gt(ew.abs(div(dc_da_new, dtotal_da_new)), _c(dc_da_new, eps))
    keep = lambda new, old: select(active, new, old)
    return (bitwise_and(active, still), keep(r_new, r), keep(c_new, c),
            keep(total_new, total), keep(x_, x_), keep(dc_da_new, dc_da),
            keep(dtotal_da_new, dtotal_da))

  one, zero = _full(a, 1.0), _full(a, 0.0)
  _, _, _, total, _, _, dtotal_da = _while(cond, body, (enabled, a, one, one, x, zero, zero))
  if want is _Want.VALUE:
    return div(mul(total, ax), a)
  dlogax_da = sub(log(x), digamma(add(a, _c(a, 1.0))))
  if want is _Want.DERIVATIVE:
    return div(mul(ax, add(mul(total, dlogax_da), dtotal_da)), a)
  return div(mul(neg(add(dtotal_da, mul(total, dlogax_da))), x), a)


def _gamma_continued_fraction(ax, x, a, enabled, dtype, want):
  """Q(a, x) (or a derivative) by Legendre's continued fraction, with the
  convergents' numerators and denominators rescaled when they grow large."""
  eps = np.finfo(dtype).eps

  def cond(state):
    return bitwise_and(lt(state[5], _c(state[5], 2000)), _any_true(state[0]))

  def body(state):
    (active, ans, t, y, z, c, p1, q1, p2, q2, dp2, dq2, dp1, dq1, dans) = state
    c = add(c, _c(c, 1.0))
    y_new = add(y, _c(y, 1.0))
    z_new = add(z, _c(z, 2.0))
    yc = mul(y_new, c)
    p = sub(mul(p1, z_new), mul(p2, yc))
    q = sub(mul(q1, z_new), mul(q2, yc))
    q_nonzero = ne(q, _c(q, 0.0))
    r = div(p, q)
    t_new = select(q_nonzero, ew.abs(div(sub(ans, r), r)), _full(r, 1.0))
    ans_new = select(q_nonzero, r, ans)
    dp = add(sub(sub(mul(dp1, z_new), p1), mul(dp2, yc)), mul(p2, c))
    dq = add(sub(sub(mul(dq1, z_new), q1), mul(dq2, yc)), mul(q2, c))
    dans_new = select(q_nonzero, div(sub(dp, mul(ans_new, dq)), q), dans)
    dans_change = select(q_nonzero, ew.abs(sub(dans_new, dans)), _full(dans, 1.0))
    # Shift the recurrence by one and rescale if the numerator grew past 1/eps.
    rescale = gt(ew.abs(p), div(_c(p, 1.0), _c(p, eps)))
    scaled = lambda v: select(rescale, mul(v, _c(v, eps)), v)
    np2, np1, nq2, nq1 = scaled(p1), scaled(p), scaled(q1), scaled(q)
    ndp2, ndq2, ndp1, ndq1 = scaled(dp1), scaled(dq1), scaled(dp), scaled(dq)
    if want is _Want.VALUE:
      still = bitwise_and(active, gt(t_new, _c(t_new, eps)))
    else:
      still = bitwise_and(active, gt(dans_change, _c(dans_change, eps)))
    keep = lambda new, old: select(active, new, old)
    return (still, keep(ans_new, ans), keep(t_new, t), keep(y_new, y), keep(z_new, z), c,
            keep(np1, p1), keep(nq1, q1), keep(np2, p2), keep(nq2, q2),
            keep(ndp2, dp2), keep(ndq2, dq2), keep(ndp1, dp1), keep(ndq1, dq1),
            keep(dans_new, dans))

  y = sub(_c(a, 1.0), a)
  z = add(add(x, y), _c(x, 1.0))
  p2, q2 = _full(x, 1.0), x
  p1 = add(x, _c(x, 1.0))
  q1 = mul(z, x)
  ans = div(p1, q1)
  zero = _full(x, 0.0)
  dq1 = neg(x)
  dans = div(sub(zero, mul(ans, dq1)), q1)
  state = (enabled, ans, _full(x, 1.0), y, z, _c(x, 0.0), p1, q1, p2, q2,
           zero, zero, zero, dq1, dans)
  state = _while(cond, body, state)
  ans, dans = state[1], state[14]
  if want is _Want.VALUE:
    return mul(ans, ax)
  dlogax_da = sub(log(x), digamma(a))
  if want is _Want.DERIVATIVE:
    return mul(ax, add(mul(ans, dlogax_da), dans))
  return neg(mul(add(dans, mul(ans, dlogax_da)), x))


def _log_prefactor(a, x, dtype):
  """log(x^a e^-x / Gamma(a)), and whether exp of it underflows."""
  log_ax = sub(sub(mul(a, log(x)), x), lgamma(a))
  underflow = lt(log_ax, _c(log_ax, -np.log(np.finfo(dtype).max)))
  return log_ax, underflow


def _igamma_impl(a, x, *, dtype):
  nan = _any_of(_isnan(a), _isnan(x))
  x_inf = eq(x, _c(x, np.inf))
  a_zero, x_zero = eq(a, _c(a, 0.0)), eq(x, _c(x, 0.0))
  domain_error = _any_of(lt(x, _c(x, 0.0)), lt(a, _c(a, 0.0)), bitwise_and(a_zero, x_zero), nan)
  by_fraction = bitwise_and(ge(x, _c(x, 1.0)), gt(x, a))
  log_ax, underflow = _log_prefactor(a, x, dtype)
  ax = exp(log_ax)
  enabled = bitwise_not(_any_of(x_zero, domain_error, underflow, x_inf))
  out = select(by_fraction,
               sub(_c(a, 1.0), _gamma_continued_fraction(
                   ax, x, a, bitwise_and(enabled, by_fraction), dtype, _Want.VALUE)),
               _gamma_series(ax, x, a, bitwise_and(enabled, bitwise_not(by_fraction)),
                             dtype, _Want.VALUE))
  out = select(x_zero, _full(a, 0.0), out)
  out = select(x_inf, _full(a, 1.0), out)
  return select(domain_error, _full(a, np.nan), out)


def _igammac_impl(a, x, *, dtype):
  nan = _any_of(_isnan(a), _isnan(x))
  a_zero, x_zero = eq(a, _c(a, 0.0)), eq(x, _c(x, 0.0))
  x_inf = eq(x, _c(x, np.inf))
  domain_error = _any_of(lt(x, _c(x, 0.0)), lt(a, _c(a, 0.0)), bitwise_and(a_zero, x_zero), nan)
  by_series = bitwise_or(lt(x, _c(x, 1.0)), lt(x, a))
  log_ax, underflow = _log_prefactor(a, x, dtype)
  enabled = bitwise_not(_any_of(domain_error, underflow, x_inf, a_zero))
  ax = exp(log_ax)
  series = _gamma_series(ax, x, a, bitwise_and(enabled, by_series), dtype, _Want.VALUE)
  fraction = _gamma_continued_fraction(ax, x, a, bitwise_and(enabled, bitwise_not(by_series)),
                                       dtype, _Want.VALUE)
  out = select(by_series, sub(_c(a, 1.0), series), fraction)
  out = select(bitwise_or(x_inf, a_zero), _full(out, 0.0), out)
  return select(domain_error, _full(a, np.nan), out)


def _igamma_derivative_impl(a, x, *, dtype, want):
  nan = _any_of(_isnan(a), _isnan(x))
  x_zero = eq(x, _c(x, 0.0))
  domain_error = bitwise_or(lt(x, _c(x, 0.0)), le(a, _c(a, 0.0)))
  by_fraction = bitwise_and(gt(x, _c(x, 1.0)), gt(x, a))
  log_ax, underflow = _log_prefactor(a, x, dtype)
  ax = exp(log_ax)
  enabled = bitwise_not(_any_of(x_zero, domain_error, underflow, nan))
  out = select(by_fraction,
               neg(_gamma_continued_fraction(ax, x, a, bitwise_and(enabled, by_fraction),
                                             dtype, want)),
               _gamma_series(ax, x, a, bitwise_and(enabled, bitwise_not(by_fraction)),
                             dtype, want))
  out = select(x_zero, _full(out, 0.0), out)
  return select(bitwise_or(domain_error, nan), _full(a, np.nan), out)


def _lowered(impl, **params):
  return mlir.lower_fun(_evaluated_in_float32(functools.partial(impl, **params)),
                        multiple_results=False)


igamma_grad_a_p = naryop("igamma_grad_a", [_float, _float],
                         _lowered(_igamma_derivative_impl, want=_Want.DERIVATIVE))
igamma_p = naryop("igamma", [_float, _float], _lowered(_igamma_impl))
igammac_p = naryop("igammac", [_float, _float], _lowered(_igammac_impl))


def _igamma_dx(g, a, x):
  # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
  return mul(g, exp(sub(add(neg(x), mul(sub(a, _c(a, 1.0)), log(x))), lgamma(a))))


ad.defjvp(igamma_p, lambda g, a, x: mul(g, igamma_grad_a(a, x)), _igamma_dx)
ad.defjvp(igammac_p, lambda g, a, x: neg(mul(g, igamma_grad_a(a, x))),
          lambda g, a, x: neg(_igamma_dx(g, a, x)))


# --- the incomplete beta function -------------------------------------------------------------


def _lentz(numerator, denominator, inputs, *, iterations, small, threshold):
  """Evaluates the continued fraction b0 + a1/(b1 + a2/(b2 + ...)) by the
  modified Lentz method; ``numerator(n, ...)``/``denominator(n, ...)`` give the
  n-th partial terms."""
  b0 = denominator(0, *inputs)
  small_b0 = lt(ew.abs(b0), _c(b0, small))
  h0 = select(small_b0, _full(b0, small), b0)

  def cond(state):
    return bitwise_and(lt(state[0], np.int32(iterations)), state[1])

  def body(state):
    n, _, c, d, h = state
    an, bn = numerator(n, *inputs), denominator(n, *inputs)
    c = add(bn, div(an, c))
    c = select(lt(ew.abs(c), _c(c, small)), _full(c, small), c)
    d = add(bn, mul(an, d))
    d = select(lt(ew.abs(d), _c(d, small)), _full(d, small), d)
    d = div(_c(d, 1.0), d)
    delta = mul(c, d)
    h = mul(h, delta)
    unconverged = _any_true(ge(ew.abs(sub(delta, _c(delta, 1.0))), _c(delta, threshold)))
    return add(n, np.int32(1)), unconverged, c, d, h

  state = (np.int32(1), np.bool_(True), h0, _full(h0, 0.0), h0)
  return _while(cond, body, state)[4]


def _betainc_impl(a, b, x, *, dtype):
  from jaxlite.lax.structural import broadcast_in_dim, convert_element_type
  shape = core.get_aval(a).shape

  def numerator(n, a, b, x):
    # DLMF 8.17.23: d_1 = 1, d_{2m+1} = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),
    # d_{2m} = m(b-m)x / ((a+2m-1)(a+2m)).
    n = broadcast_in_dim(n, shape, ())
    even = eq(ew.rem(n, np.int32(2)), np.int32(0))
    first = eq(n, np.int32(1))
    m_int = div(sub(n, np.int32(1)), np.int32(2))
    m_zero = eq(m_int, np.int32(0))
    m = convert_element_type(m_int, dtype)
    one, two = _full(a, 1.0), _full(a, 2.0)
    at_zero = div(mul(neg(add(a, b)), x), add(a, one))
    a2m = add(a, mul(two, m))
    even_term = select(m_zero, at_zero,
                       div(mul(mul(neg(add(a, m)), add(add(a, b), m)), x),
                           mul(a2m, add(a2m, one))))
    odd_term = div(mul(mul(m, sub(b, m)), x), mul(sub(a2m, one), a2m))
    return select(first, _full(x, 1.0), select(even, even_term, odd_term))

  def denominator(n, a, b, x):
    if isinstance(n, int):
      return _full(x, 0.0 if n == 0 else 1.0)
    n = broadcast_in_dim(n, shape, ())
    return select(eq(n, np.int32(0)), _full(x, 0.0), _full(x, 1.0))

  zero, one, inf = _c(a, 0.0), _c(a, 1.0), _c(a, np.inf)
  a_zero = bitwise_or(eq(a, zero), eq(b, inf))
  b_zero = bitwise_or(eq(b, zero), eq(a, inf))
  x_zero, x_one = eq(x, zero), eq(x, one)
  nan = _any_of(_isnan(a), _isnan(b), _isnan(x))
  is_zero = bitwise_or(bitwise_and(b_zero, bitwise_not(x_one)), bitwise_and(a_zero, x_zero))
  is_one = bitwise_or(bitwise_and(a_zero, bitwise_not(x_zero)), bitwise_and(b_zero, x_one))
  is_nan = _any_of(lt(a, zero), lt(b, zero), lt(x, zero), gt(x, one),
                   bitwise_and(a_zero, b_zero), nan)
  # The fraction converges fast for x < (a+1)/(a+b+2); otherwise use
  # I_x(a, b) = 1 - I_{1-x}(b, a) (DLMF 8.17.4).
  direct = lt(x, div(add(a, one), add(add(a, b), _c(b, 2.0))))
  a, b, x = select(direct, a, b), select(direct, b, a), select(direct, x, sub(one, x))
  eps_half = np.finfo(dtype).eps / 2
  fraction = _lentz(numerator, denominator, (a, b, x),
                    iterations=200 if dtype == np.float32 else 600,
                    small=eps_half, threshold=eps_half)
  tiny = np.finfo(dtype).tiny * 2
  lbeta_without_a = sub(lgamma(b), lgamma(add(a, b)))
  lbeta = add(lgamma(a), lbeta_without_a)
  factor = select(lt(a, _c(a, tiny)),
                  exp(sub(mul(log1p(neg(x)), b), lbeta_without_a)),
                  div(exp(sub(add(mul(log(x), a), mul(log1p(neg(x)), b)), lbeta)), a))
  out = mul(fraction, factor)
  out = select(direct, out, sub(_c(out, 1.0), out))
  out = select(is_zero, _full(a, 0.0), out)
  out = select(is_one, _full(a, 1.0), out)
  return select(is_nan, _full(a, np.nan), out)


regularized_incomplete_beta_p = naryop("regularized_incomplete_beta", [_float] * 3,
                                       _lowered(_betainc_impl))


def _betainc_no_grad(g, a, b, x):
  raise ValueError("Betainc gradient with respect to a and b not supported.")


def _betainc_dx(g, a, b, x):
  lbeta = sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
  return mul(exp(sub(add(mul(sub(b, _c(b, 1.0)), log1p(neg(x))),
                         mul(sub(a, _c(a, 1.0)), log(x))), lbeta)), g)


ad.defjvp(regularized_incomplete_beta_p, _betainc_no_grad, _betainc_no_grad, _betainc_dx)


# --- zeta, polygamma ----------------------------------------------------------------------------

zeta_p = naryop("zeta", [_float, _float], "chlo.zeta")
polygamma_p = naryop("polygamma", [_float, _float], "chlo.polygamma")


def _polygamma_no_grad_m(g, m, x):
  raise ValueError("polygamma gradient with respect to m is not supported")


ad.defjvp(polygamma_p, _polygamma_no_grad_m,
          lambda g, m, x: mul(g, polygamma(add(m, _c(m, 1.0)), x)))


# --- exponentially scaled modified Bessel functions ------------------------------------------

# Cephes' Chebyshev coefficients for i0e on [0, 8] (in 0.5x - 2) and (8, inf)
# (in 32/x - 2); the float32 tables are the tails of the float64 ones.
_I0E_A64 = (
    -4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16,
    1.71539128555513303061E-15, -1.16853328779934516808E-14, 7.67618549860493561688E-14,
    -4.85644678311192946090E-13, 2.95505266312963983461E-12, -1.72682629144155570723E-11,
    9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
    -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7,
    1.11738753912010371815E-6, -4.41673835845875056359E-6, 1.64484480707288970893E-5,
    -5.75419501008210370398E-5, 1.88502885095841655729E-4, -5.76375574538582365885E-4,
    1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
    -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2,
    1.71620901522208775349E-1, -3.04682672343198398683E-1, 6.76795274409476084995E-1)
_I0E_B64 = (
    -7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
    3.46122286769746109310E-17, -2.82762398051658348494E-16, -3.42548561967721913462E-16,
    1.77256013305652638360E-15, 3.81168066935262242075E-15, -9.55484669882830764870E-15,
    -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
    7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11,
    -3.14991652796324136454E-11, 1.18891471078464383424E-11, 4.94060238822496958910E-10,
    3.39623202570838634515E-9, 2.26666899049817806459E-8, 2.04891858946906374183E-7,
    2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
    8.04490411014108831608E-1)
_I0E_TABLES = {np.dtype(np.float64): (_I0E_A64, _I0E_B64),
               np.dtype(np.float32): (_I0E_A64[-18:], _I0E_B64[-7:])}


def _chebyshev(x, coefficients):
  """Clenshaw's recurrence for a Chebyshev series (Cephes' ``chbevl``)."""
  b0 = b1 = b2 = _full(x, 0.0)
  for coefficient in coefficients:
    b2, b1 = b1, b0
    b0 = add(sub(mul(x, b1), b2), _full(x, coefficient))
  return mul(_c(x, 0.5), sub(b0, b2))


def _bessel_i0e_impl(x):
  from jaxlite.lax.structural import convert_element_type
  dtype = np.dtype(core.get_aval(x).dtype)
  if dtype not in _I0E_TABLES:  # half precision: Cephes' tables need float32
    return convert_element_type(_bessel_i0e_impl(convert_element_type(x, np.float32)), dtype)
  small_table, large_table = _I0E_TABLES[dtype]
  x = ew.abs(x)
  small = _chebyshev(sub(mul(_full(x, 0.5), x), _full(x, 2.0)), small_table)
  large = div(_chebyshev(sub(div(_full(x, 32.0), x), _full(x, 2.0)), large_table), sqrt(x))
  return select(le(x, _c(x, 8.0)), small, large)


bessel_i0e_p = naryop("bessel_i0e", _float, mlir.lower_fun(_bessel_i0e_impl,
                                                         multiple_results=False))
bessel_i1e_p = naryop("bessel_i1e", _float, "chlo.bessel_i1e")
ad.defjvp2(bessel_i0e_p,
           lambda g, y, x: mul(g, sub(bessel_i1e(x), mul(ew.sign(x), y))))


def _bessel_i1e_jvp(g, y, x):
  eps = np.finfo(core.get_aval(x).dtype).eps
  not_tiny = gt(ew.abs(x), _c(x, eps))
  safe_x = select(not_tiny, x, _full(x, eps))
  slope = sub(bessel_i0e(safe_x), mul(y, add(ew.sign(safe_x), div(_c(safe_x, 1.0), safe_x))))
  return mul(g, select(not_tiny, slope, _full(x, 0.5)))


ad.defjvp2(bessel_i1e_p, _bessel_i1e_jvp)


# --- public functions (JAX's lax signatures) ---------------------------------------------------


def _binary(prim, x, y):
  return prim.bind(x, y)


def igamma(a, x):
  r"""Elementwise regularized lower incomplete gamma function :math:`P(a, x)`.

  >>> import jaxlite.lax as lax
  >>> float(lax.igamma(1.0, 2.0))  # 1 - e^-2
  0.8646647...
  """
  return _binary(igamma_p, a, x)


def igammac(a, x):
  r"""Elementwise regularized upper incomplete gamma function :math:`Q(a, x) = 1 - P(a, x)`.

  >>> import jaxlite.lax as lax
  >>> float(lax.igammac(1.0, 2.0))  # e^-2
  0.1353352...
  """
  return _binary(igammac_p, a, x)


def igamma_grad_a(a, x):
  r"""Elementwise derivative :math:`\partial P(a, x) / \partial a`.

  >>> import jaxlite.lax as lax
  >>> round(float(lax.igamma_grad_a(2.0, 1.0)), 4)
  -0.2762
  """
  return _binary(igamma_grad_a_p, a, x)


def random_gamma_grad(a, x):
  r"""Derivative of a sample ``x`` of Gamma(a, 1) with respect to ``a`` (the
  implicit reparameterisation gradient ``-dP/da / dP/dx``).

  >>> import jaxlite.lax as lax
  >>> round(float(lax.random_gamma_grad(2.0, 1.0)), 4)
  0.7508
  """
  # Not a primitive (as in JAX): the lax program itself is traced, so it
  # composes with every transformation.
  a, x = ew.promote_weak(a, x)
  return _evaluated_in_float32(functools.partial(
      _igamma_derivative_impl, want=_Want.SAMPLE_DERIVATIVE))(a, x)


def betainc(a, b, x):
  r"""Elementwise regularized incomplete beta integral :math:`I_x(a, b)`.

  >>> import jaxlite.lax as lax
  >>> round(float(lax.betainc(2.0, 3.0, 0.5)), 6)  # 11/16
  0.6875
  """
  return regularized_incomplete_beta_p.bind(a, b, x)


def zeta(x, q):
  r"""Elementwise Hurwitz zeta function :math:`\zeta(x, q) = \sum_n (q + n)^{-x}`.

  >>> import jaxlite.lax as lax
  >>> round(float(lax.zeta(2.0, 1.0)), 6)  # pi^2 / 6
  1.644934
  """
  return _binary(zeta_p, x, q)


def polygamma(m, x):
  r"""Elementwise polygamma :math:`\psi^{(m)}(x)`.

  >>> import jaxlite.lax as lax
  >>> round(float(lax.polygamma(1.0, 1.0)), 6)  # pi^2 / 6
  1.644934
  """
  return _binary(polygamma_p, m, x)


def bessel_i0e(x):
  r"""Exponentially scaled modified Bessel function of order 0:
  :math:`e^{-|x|} I_0(x)`.

  >>> import jaxlite.lax as lax
  >>> round(float(lax.bessel_i0e(1.0)), 6)
  0.46576
  """
  return bessel_i0e_p.bind(x)


def bessel_i1e(x):
  r"""Exponentially scaled modified Bessel function of order 1:
  :math:`e^{-|x|} I_1(x)`.

  >>> import jaxlite.lax as lax
  >>> round(float(lax.bessel_i1e(1.0)), 6)
  0.20791
  """
  return bessel_i1e_p.bind(x)
