r"""``jax.experimental.jet``: Taylor-mode higher-order automatic differentiation.

Where :func:`jax.jvp` pushes ``(h(x), dh(x)[v])`` through ``f``, :func:`jet`
pushes a whole truncated Taylor polynomial ``(h_0, h_1, ..., h_K)`` through
it in one pass and returns ``(f_0, (f_1, ..., f_K))``, the Taylor
coefficients of ``f(h(.))``, by propagating the series primitive by
primitive (the rules live in ``jaxlite.experimental.jet_primitive_rules``).

  >>> import jaxlite.numpy as jnp
  >>> f0, (f1, f2) = jet(jnp.exp, (0.0,), ((1.0, 0.0),))
  >>> print(f0, f1, f2)
  1.0 1.0 1.0000002

Rules take ``(primals_in, series_in, **params)`` and return
``(primal_out, series_out)``; series are lists of the un-scaled Taylor
coefficients ``x_k / k!`` (``jet2``'s convention).
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

import numpy as np

from jaxlite import core, lax
from jaxlite import numpy as jnp
from jaxlite.extend import linear_util as lu
from jaxlite.jax_compat.api_util import debug_info as _debug_info
from jaxlite.tree_util import (register_pytree_node, tree_flatten, tree_structure,  # noqa: F401
                               tree_unflatten, treedef_is_leaf)
from jaxlite.util import safe_zip, unzip2, weakref_lru_cache  # noqa: F401

__all__ = ["jet"]


def jet(fun, primals, series, factorial_scaled=True, **_):
  r"""Taylor-mode higher-order automatic differentiation.

  Args:
    fun: Function to be differentiated. Its arguments should be arrays, scalars,
      or standard Python containers of arrays or scalars. It should return an
      array, scalar, or standard Python container of arrays or scalars.
    primals: The primal values at which the Taylor approximation of ``fun`` should be
      evaluated. Should be either a tuple or a list of arguments,
      and its length should be equal to the number of positional parameters of
      ``fun``.
    series: Higher order Taylor-series-coefficients.
      Together, `primals` and `series` make up a truncated Taylor polynomial.
      Should be either a tuple or a list of tuples or lists,
      and its length dictates the degree of the truncated Taylor polynomial.
    factorial_scaled: If True, each term in both the input and output series is scaled
      by the factorial of its order, so that the input and output series is a
      Taylor series (the n-th term is the n-th derivative). If False, the
      series are the plain Taylor coefficients.

  Returns:
    A ``(primals_out, series_out)`` pair, where ``primals_out`` is ``fun(*primals)``,
    and together, ``primals_out`` and ``series_out`` are a
    truncated Taylor polynomial of :math:`f(h(\cdot))`.

  Example: with :math:`h(z) = z^3` at :math:`z = 0.5` and :math:`f = \sin`,

  >>> import jaxlite.numpy as np
  >>> h0, h1, h2 = 0.5**3., 3.*0.5**2., 6.*0.5
  >>> f0, (f1, f2) =  jet(np.sin, (h0,), ((h1, h2),))
  >>> print(f0, f1, f2)
  0.12467473 0.74414825 2.9064634
  """
  try:
    order, = set(map(len, series))
  except ValueError:
    raise ValueError("jet terms have inconsistent lengths for different arguments") from None
  for i, (x, terms) in enumerate(zip(primals, series)):
    if not treedef_is_leaf(tree_structure(x)):
      raise ValueError(f"primal value at position {i} is not an array")
    for j, t in enumerate(terms):
      if not treedef_is_leaf(tree_structure(t)):
        raise ValueError(f"term {j} for argument {i} is not an array")

  out_tree_box = []

  def flat_fun(*args):
    leaves, tree = tree_flatten(fun(*args))
    out_tree_box.append(tree)
    return leaves
  wrapped = lu.wrap_init(flat_fun, debug_info=_debug_info("jet", fun, primals, {}))
  if factorial_scaled:
    series = [[term / fact(k + 1) for k, term in enumerate(terms)] for terms in series]
  out_primals, out_terms = jet_fun(jet_subtrace(wrapped), order).call_wrapped(primals, series)
  if factorial_scaled:
    out_terms = [[term * fact(k + 1) for k, term in enumerate(terms)] for terms in out_terms]
  out_tree = out_tree_box[-1]
  return tree_unflatten(out_tree, out_primals), tree_unflatten(out_tree, out_terms)


jet2 = partial(jet, factorial_scaled=False)


def fact(n):
  """``n!`` as exp(lgamma(n + 1)) (a float array, so it scales series terms).

    >>> print(fact(4))
    24.000023
  """
  return lax.exp(lax.lgamma(n + 1.))


@lu.transformation2
def jet_fun(f, order, primals, series):
  """Runs ``f(tag, order, primals, series)`` and materialises zero series."""
  out_primals, out_terms = f(object(), order, primals, series)
  out_terms = [[jnp.zeros_like(p)] * order if s is zero_series else s
               for p, s in zip(out_primals, out_terms)]
  return out_primals, out_terms


@lu.transformation2
def jet_subtrace(f, tag, order, primals, series):
  """Calls ``f`` on jet tracers of ``(primal, series)`` under a new ``JetTrace``."""
  del tag   # the new MainTrace identifies this jet's tracers
  with core.new_main(JetTrace, order) as main:
    trace = JetTrace(main)
    in_tracers = [JetTracer(trace, p, s) for p, s in safe_zip(primals, series)]
    ans = f(*in_tracers)
    return unzip2(map(trace.to_primal_terms_pair, ans))


@lu.transformation_with_aux2
def traceable(f, store, in_tree_def, *primals_and_series):
  """``f(primals, series)`` on flat arguments with flat results (tree in ``store``)."""
  primals_in, series_in = tree_unflatten(in_tree_def, primals_and_series)
  out_flat, out_tree_def = tree_flatten(f(primals_in, series_in))
  store.store(out_tree_def)
  return out_flat


class JetTracer(core.Tracer):
  """A value with its truncated Taylor series (``terms``, or ``zero_series``)."""
  __slots__ = ("primal", "terms")

  def __init__(self, trace, primal, terms):
    if type(terms) not in (ZeroSeries, list, tuple):
      raise TypeError(f"jet terms must be a list, a tuple or zero_series; got {terms!r}")
    self._trace = trace
    self.primal = primal
    self.terms = terms

  @property
  def aval(self):
    return core.raise_to_shaped(core.get_aval(self.primal))

  def full_lower(self):
    if self.terms is zero_series or all(t is zero_term for t in self.terms):
      return core.full_lower(self.primal)
    return self


class JetTrace(core.Trace):
  """Applies each primitive's jet rule; ``main.global_data`` is the order.

  jaxlite identifies a trace by its ``MainTrace``, which plays the part of
  JAX's ``tag``; interpreters build traces as ``JetTrace(main)``, and the
  parent trace is whatever lies below on the trace stack.
  """
  __slots__ = ()

  def __init__(self, tag, parent_trace=None, order=None):
    del parent_trace, order   # both are the main trace's: its level and global_data
    super().__init__(tag)

  @property
  def order(self) -> int:
    return self.main.global_data

  def pure(self, val):
    return JetTracer(self, val, zero_series)

  lift = pure

  def to_primal_terms_pair(self, val):
    """``(primal, terms)`` of a value: ``zero_series`` for anything not of this trace."""
    if isinstance(val, JetTracer) and val._trace.main is self.main:
      return val.primal, val.terms
    return val, zero_series

  def process_primitive(self, primitive, tracers, params):
    primals_in, series_in = unzip2(map(self.to_primal_terms_pair, tracers))
    if all(s is zero_series for s in series_in):
      # No input carries a series: the output has none either.
      out = primitive.bind(*primals_in, **params)
      if primitive.multiple_results:
        return [JetTracer(self, p, zero_series) for p in out]
      return JetTracer(self, out, zero_series)
    rule = jet_rules.get(primitive)
    if rule is None:
      raise NotImplementedError(f"Jet rule for '{primitive.name}' not implemented")
    series_in = [[_zeros_like_value(x) if t is zero_term else t for t in terms]
                 for x, terms in zip(primals_in, self._full_series(series_in))]
    primal_out, terms_out = rule(primals_in, series_in, **params)
    if primitive.multiple_results:
      return [JetTracer(self, p, ts) for p, ts in zip(primal_out, terms_out)]
    return JetTracer(self, primal_out, terms_out)

  def _full_series(self, series_in):
    return [[zero_term] * self.order if s is zero_series else s for s in series_in]


def _zeros_like_value(x):
  return jnp.zeros(np.shape(x), dtype=jnp.result_type(x))


class ZeroTerm:
  """The type of ``zero_term``: one term of a series known to be zero."""


zero_term = ZeroTerm()
register_pytree_node(ZeroTerm, lambda z: ((), None), lambda _, xs: zero_term)


class ZeroSeries:
  """The type of ``zero_series``: a whole series known to be zero."""


zero_series = ZeroSeries()
register_pytree_node(ZeroSeries, lambda z: ((), None), lambda _, xs: zero_series)


# Kept for JAX's API: call primitives that need their parameters updated when
# their argument list grows by the series (jaxlite's jit rule does it itself).
call_param_updaters: dict[core.Primitive, Callable[..., Any]] = {}

jet_rules: dict[core.Primitive, Callable] = {}


def defzero(prim):
  """Registers ``prim`` as having zero derivatives (comparisons, rounding, ...).

    >>> from jaxlite import core
    >>> my_sign_p = core.Primitive("my_sign")
    >>> defzero(my_sign_p)
  """
  jet_rules[prim] = partial(zero_prop, prim)


def zero_prop(prim, primals_in, series_in, **params):
  """The jet rule of a primitive with zero derivatives: its output has no series."""
  return prim.bind(*primals_in, **params), zero_series


def deflinear(prim):
  """Registers ``prim`` as linear: each term is the primitive applied to the terms.

    >>> from jaxlite import core
    >>> my_neg_p = core.Primitive("my_neg")
    >>> deflinear(my_neg_p)
  """
  jet_rules[prim] = partial(linear_prop, prim)


def linear_prop(prim, primals_in, series_in, **params):
  """The jet rule of a linear primitive."""
  primal_out = prim.bind(*primals_in, **params)
  series_out = [prim.bind(*terms_in, **params) for terms_in in zip(*series_in)]
  if prim.multiple_results:
    series_out = safe_zip(*series_out)
  return primal_out, series_out


def def_deriv(prim, deriv):
  """
  Define the jet rule for a primitive in terms of its first derivative.

    >>> from jaxlite import core, lax
    >>> my_exp_p = core.Primitive("my_exp")
    >>> def_deriv(my_exp_p, lax.exp)
  """
  jet_rules[prim] = partial(deriv_prop, prim, deriv)


def deriv_prop(prim, deriv, primals_in, series_in):
  """The jet rule from a derivative ``deriv``: with ``v' = c u'``, the series of
  ``v`` follows from those of ``c = deriv(u)`` and ``u`` (k v_k = sum j c_{k-j} u_j)."""
  x, = primals_in
  series, = series_in
  primal_out = prim.bind(x)
  c0, cs = jet2(deriv, primals_in, series_in)
  c = [c0] + cs
  u = [x] + series
  v: list[Any] = [primal_out] + [None] * len(series)
  for k in range(1, len(v)):
    v[k] = sum(j * c[k - j] * u[j] for j in range(1, k + 1)) / k
  return v[0], v[1:]


def def_comp(prim, comp, **kwargs):
  """
  Define the jet rule for a primitive in terms of a composition of simpler primitives.

    >>> from jaxlite import core
    >>> my_square_p = core.Primitive("my_square")
    >>> def_comp(my_square_p, lambda x: x * x)
  """
  jet_rules[prim] = partial(jet2, comp, **kwargs)


@weakref_lru_cache
def _jet_jaxpr(jaxpr: core.ClosedJaxpr, order: int, primals_and_series_avals, in_tree_def):
  """The jaxpr of the jet of ``jaxpr`` on flat primals and series, cached."""
  from jaxlite.interpreters import partial_eval as pe
  f = lu.wrap_init(partial(core.eval_jaxpr, jaxpr.jaxpr, jaxpr.consts))
  f_jet, out_tree_def = traceable(jet_fun(jet_subtrace(f), order), in_tree_def)
  jaxpr_jet, _, consts = pe.trace_to_jaxpr_dynamic(f_jet.call_wrapped,
                                                   list(primals_and_series_avals))
  return core.ClosedJaxpr(jaxpr_jet, consts), out_tree_def()


# The rules for JAX's primitives.
from jaxlite.experimental import jet_primitive_rules as _rules  # noqa: E402,F401
