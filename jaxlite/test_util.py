"""Testing utilities: ``check_grads`` compares derivatives with finite differences.

As in JAX: JVPs are checked against central differences along random tangents;
VJPs through the identity ``<ct, J t> == <J^T ct, t>``, with the left side from
finite differences. Higher orders recurse on the JVP / VJP functions.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Sequence

import numpy as np

from jaxlite import core, dtypes, tree_util

__all__ = ["check_grads", "check_jvp", "check_vjp", "numerical_jvp", "EPS"]

EPS = 1e-4

_default_gradient_tolerance = {
    np.dtype(np.float16): 1e-2,
    np.dtype(np.float32): 2e-3,
    np.dtype(np.float64): 1e-5,
    np.dtype(np.complex64): 1e-3,
    np.dtype(np.complex128): 1e-5,
}


def _tolerance(dtype, tol):
  if tol is not None and not isinstance(tol, dict):
    return tol
  table = dict(_default_gradient_tolerance)
  if isinstance(tol, dict):
    table.update({np.dtype(k): v for k, v in tol.items()})
  return table.get(np.dtype(dtype), 1e-2)   # bfloat16 and other narrow floats


def _dtype(x):
  return core.get_aval(x).dtype


def _check_close(xs, ys, atol, rtol, err_msg):
  xs_l, ys_l = tree_util.tree_leaves(xs), tree_util.tree_leaves(ys)
  if len(xs_l) != len(ys_l):
    raise AssertionError(f"{err_msg}: different numbers of leaves: {len(xs_l)} vs {len(ys_l)}")
  for x, y in zip(xs_l, ys_l):
    dt = np.promote_types(_dtype(x), _dtype(y)) if _dtype(x) != dtypes.float0 else None
    if dt is None:
      continue
    a, b = np.asarray(x), np.asarray(y)
    if a.dtype.name == "bfloat16" or b.dtype.name == "bfloat16":
      a, b = a.astype(np.float32), b.astype(np.float32)
    np.testing.assert_allclose(a, b, atol=_tolerance(dt, atol), rtol=_tolerance(dt, rtol),
                               err_msg=err_msg)


def _add(xs, ys):
  from jaxlite import lax
  return tree_util.tree_map(lambda x, y: lax.add(x, lax.convert_element_type(y, _dtype(x))),
                            xs, ys)


def _scale(xs, a):
  from jaxlite import lax
  return tree_util.tree_map(
      lambda x: lax.mul(x, np.asarray(a, _dtype(x))), xs)


def _sub(xs, ys):
  from jaxlite import lax
  return tree_util.tree_map(lambda x, y: lax.sub(x, y), xs, ys)


def _inner_prod(xs, ys):
  """``sum(x * conj(y))`` over all leaves, on the host in float64/complex128."""
  total = 0.0
  for x, y in zip(tree_util.tree_leaves(xs), tree_util.tree_leaves(ys)):
    if _dtype(x) == dtypes.float0 or _dtype(y) == dtypes.float0:
      continue
    total = total + np.sum(np.asarray(x).astype(np.complex128) *
                           np.asarray(y).astype(np.complex128))
  return total


def _rand_like(rng, x):
  aval = core.get_aval(x)
  dtype = aval.dtype
  if not dtypes.issubdtype(dtype, np.inexact):
    return np.zeros(aval.shape, dtypes.float0)
  shape = aval.shape
  if dtypes.issubdtype(dtype, np.complexfloating):
    r = rng.randn(*shape) + 1j * rng.randn(*shape)
  else:
    r = rng.randn(*shape)
  return np.asarray(r, dtype)


def numerical_jvp(f: Callable, primals: Sequence, tangents: Sequence, eps: float = EPS):
  """Central-difference directional derivative of ``f`` at ``primals`` along ``tangents``.

  Example:
    >>> from jaxlite import lax
    >>> float(numerical_jvp(lax.sin, (0.0,), (1.0,), eps=1e-3))  # doctest: +ELLIPSIS
    0.99...
  """
  inexact = [dtypes.issubdtype(_dtype(p), np.inexact) for p in tree_util.tree_leaves(primals)]

  def shift(sign):
    leaves, tree = tree_util.tree_flatten(primals)
    t_leaves = tree_util.tree_leaves(tangents)
    moved = [_add(p, _scale(t, sign * eps)) if ok else p
             for p, t, ok in zip(leaves, t_leaves, inexact)]
    return f(*tree_util.tree_unflatten(tree, moved))
  f_pos, f_neg = shift(1.0), shift(-1.0)
  return _scale(_sub(f_pos, f_neg), 0.5 / eps)


def check_jvp(f: Callable, f_jvp: Callable, args: Sequence, atol=None, rtol=None,
              eps: float = EPS, err_msg: str = ""):
  """Checks ``f_jvp(args, tangents)`` against finite differences of ``f``.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> check_jvp(lax.sin, lambda p, t: jaxlite.jvp(lax.sin, p, t), (0.5,), eps=1e-3,
    ...           atol=1e-2, rtol=1e-2)
  """
  rng = np.random.RandomState(0)
  tangent = tree_util.tree_map(partial(_rand_like, rng), args)
  v_out, t_out = f_jvp(args, tangent)
  v_expected = f(*args)
  t_expected = numerical_jvp(f, args, tangent, eps=eps)
  _check_close(v_out, v_expected, atol, rtol, f"{err_msg} primal" if err_msg else "primal")
  _check_close(t_out, t_expected, atol, rtol,
               f"{err_msg} tangent" if err_msg else "tangent")


def check_vjp(f: Callable, f_vjp: Callable, args: Sequence, atol=None, rtol=None,
              eps: float = EPS, err_msg: str = ""):
  """Checks ``f_vjp(*args)`` (returning ``(out, vjpfun)``) against finite differences.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> check_vjp(lax.sin, partial(jaxlite.vjp, lax.sin), (0.5,), eps=1e-3,
    ...           atol=1e-2, rtol=1e-2)
  """
  rng = np.random.RandomState(0)
  v_out, vjpfun = f_vjp(*args)
  v_expected = f(*args)
  _check_close(v_out, v_expected, atol, rtol, f"{err_msg} primal" if err_msg else "primal")
  tangent = tree_util.tree_map(partial(_rand_like, rng), args)
  tangent_out = numerical_jvp(f, args, tangent, eps=eps)
  cotangent = tree_util.tree_map(partial(_rand_like, rng), v_out)
  cotangent_out = vjpfun(cotangent)
  ip = _inner_prod(tangent, cotangent_out)
  ip_expected = _inner_prod(tangent_out, cotangent)
  dtype = np.result_type(*[_dtype(x) for x in tree_util.tree_leaves(v_out)
                           if _dtype(x) != dtypes.float0] or [np.float32])
  np.testing.assert_allclose(ip, ip_expected, atol=_tolerance(dtype, atol),
                             rtol=_tolerance(dtype, rtol),
                             err_msg=f"{err_msg} cotangent projection" if err_msg
                             else "cotangent projection")


def check_grads(f: Callable, args: Sequence, order: int,
                modes: Sequence[str] = ("fwd", "rev"), atol=None, rtol=None,
                eps: float | None = None):
  """Checks gradients of ``f`` up to ``order`` against finite differences.

  Args:
    f: the function; its arguments are ``args``.
    args: a tuple of arguments.
    order: highest order of derivative to check (1, 2, ...).
    modes: ``"fwd"`` (JVPs) and/or ``"rev"`` (VJPs).
    atol, rtol: tolerances (a number or a dict from dtype to number).
    eps: finite-difference step (default ``EPS``).

  Raises:
    AssertionError: if a derivative does not match.

  Example:
    >>> from jaxlite import lax
    >>> check_grads(lax.sin, (0.5,), order=2, eps=1e-3, atol=1e-2, rtol=1e-2)
  """
  from jaxlite import differentiation as ad_api
  args = tuple(args)
  eps = eps or EPS
  _check_jvp = partial(check_jvp, atol=atol, rtol=rtol, eps=eps)
  _check_vjp = partial(check_vjp, atol=atol, rtol=rtol, eps=eps)

  def _check_grads(f, args, order, err_msg=""):
    if "fwd" in modes:
      fwd_msg = f"JVP of {err_msg}" if err_msg else "JVP"
      _check_jvp(f, partial(ad_api.jvp, f), args, err_msg=fwd_msg)
      if order > 1:
        _check_grads(partial(ad_api.jvp, f), (args, args), order - 1, fwd_msg)
    if "rev" in modes:
      rev_msg = f"VJP of {err_msg}" if err_msg else "VJP"
      _check_vjp(f, partial(ad_api.vjp, f), args, err_msg=rev_msg)
      if order > 1:
        def f_vjp(*args):
          out, vjpfun = ad_api.vjp(f, *args)
          return vjpfun(out)
        _check_grads(f_vjp, args, order - 1, rev_msg)

  if not isinstance(modes, (list, tuple)) or not set(modes) <= {"fwd", "rev"}:
    raise ValueError(f"modes must be a sequence of 'fwd' and 'rev', got {modes!r}")
  _check_grads(f, args, order)
