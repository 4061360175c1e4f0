"""Cumulative reductions along one axis: ``cumsum``, ``cumprod``, ``cummax``,
``cummin`` and ``cumlogsumexp``.

Each lowers to a ``stablehlo.reduce_window`` whose window spans the whole axis
(padded so that output i sees elements 0..i, or i..n-1 when ``reverse``), which
XLA rewrites into an efficient scan.
"""
from __future__ import annotations

__all__ = ['cumsum', 'cumprod', 'cummax', 'cummin', 'cumlogsumexp',
           'cumsum_p', 'cumprod_p', 'cummax_p', 'cummin_p', 'cumlogsumexp_p']

import functools

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.lax.reductions import _max_identity, _min_identity
from jaxlite.lax.windowed import build_reduce_window, select_and_gather_add_p


def _lax():
  from jaxlite import lax
  return lax


def _cumred_shape_rule(x, *, axis, reverse):
  if not 0 <= axis < x.ndim:
    raise ValueError(f"axis {axis} is out of bounds for array of shape {x.shape}")
  return x.shape


def _window_params(shape, axis, reverse):
  """reduce_window parameters under which output i reduces the prefix ending at i."""
  n, rank = shape[axis], len(shape)
  window = tuple(n if d == axis else 1 for d in range(rank))
  pad = (0, n - 1) if reverse else (n - 1, 0)
  padding = tuple(pad if d == axis else (0, 0) for d in range(rank))
  return dict(window_dimensions=window, window_strides=(1,) * rank, padding=padding,
              base_dilation=(1,) * rank, window_dilation=(1,) * rank)


def _logaddexp_body(a, b):
  # log(exp(a) + exp(b)) without overflow; a - b is NaN only when both are the
  # same infinity (or a NaN is involved), where a + b is the right answer.
  hlo = mlir.hlo()
  amax = hlo.maximum(a, b)
  delta = hlo.subtract(a, b)
  stable = hlo.add(amax, hlo.log_plus_one(hlo.exponential(hlo.negate(hlo.abs(delta)))))
  return [hlo.select(mlir.compare(delta, delta, "NE"), hlo.add(a, b), stable)]


def _cumulative_primitive(name, accepted, identity, body):
  def dtype_rule(x, **_):
    base.check_dtypes(name, accepted, x)
    return x.dtype

  prim = base.standard_primitive(_cumred_shape_rule, dtype_rule, name)

  def lowering(ctx, x, *, axis, reverse):
    aval = ctx.avals_in[0]
    init = mlir.ir_constant(np.asarray(identity(aval.dtype), aval.dtype))
    p = _window_params(aval.shape, axis, reverse)
    if core.is_symbolic_dim(aval.shape[axis]):   # a window as long as a symbolic axis
      build = functools.partial(core.symbolic_dimensions().reduce_window, ctx.module_context)
    else:
      build = build_reduce_window
    return build([mlir.aval_to_ir_type(ctx.avals_out[0])], [x], [init],
                               p["window_dimensions"], p["window_strides"], p["padding"],
                               p["base_dilation"], p["window_dilation"], body=body)

  mlir.register_lowering(prim, lowering)

  def batch_rule(batched_args, batch_dims, *, axis, reverse):
    (x,), (d,) = batched_args, batch_dims
    return prim.bind(x, axis=axis + (d <= axis), reverse=reverse), d

  batching.primitive_batchers[prim] = batch_rule
  return prim


def _op_body(op_name):
  return lambda a, b: [getattr(mlir.hlo(), op_name)(a, b)]


_numbers = {"integer", "inexact"}
cumsum_p = _cumulative_primitive("cumsum", _numbers, lambda dt: 0, _op_body("add"))
cumprod_p = _cumulative_primitive("cumprod", _numbers, lambda dt: 1, _op_body("multiply"))
cummax_p = _cumulative_primitive("cummax", _numbers | {"bool"}, _max_identity,
                                 _op_body("maximum"))
cummin_p = _cumulative_primitive("cummin", _numbers | {"bool"}, _min_identity,
                                 _op_body("minimum"))
cumlogsumexp_p = _cumulative_primitive("cumlogsumexp", {"floating"},
                                       lambda dt: -np.inf, _logaddexp_body)

# --- derivatives -----------------------------------------------------------------------------

ad.deflinear2(cumsum_p, lambda ct, x, *, axis, reverse:
              [cumsum_p.bind(ct, axis=axis, reverse=not reverse)])


def _zero_tangent_like(ans):
  return ad.Zero(ad.tangent_aval(core.get_aval(ans)))


def _cumprod_jvp(primals, tangents, *, axis, reverse):
  # dy_i = sum_{j in prefix(i)} t_j prod_{k in prefix(i), k != j} x_k, without
  # dividing by zeros: with no zero in the prefix it is y_i * cumsum(t / x)_i;
  # with exactly one zero only that element's tangent survives, times the
  # product of the other elements; with more it is zero.
  lax = _lax()
  (x,), (t,) = primals, tangents
  ans = cumprod_p.bind(x, axis=axis, reverse=reverse)
  if type(t) is ad.Zero:
    return ans, _zero_tangent_like(ans)
  aval = core.get_aval(x)
  full = lambda v, dt=aval.dtype: lax.full(aval.shape, v, dt)
  cum = lambda p, v: p.bind(v, axis=axis, reverse=reverse)
  is_zero = lax.eq(x, full(0))
  x_nonzero = lax.select(is_zero, full(1), x)
  prod_nonzero = cum(cumprod_p, x_nonzero)
  n_zeros = cum(cumsum_p, lax.convert_element_type(is_zero, np.int32))
  no_zero = lax.mul(prod_nonzero, cum(cumsum_p, lax.div(t, x_nonzero)))
  one_zero = lax.mul(prod_nonzero, cum(cumsum_p, lax.select(is_zero, t, full(0))))
  out = lax.select(lax.eq(n_zeros, full(0, np.int32)), no_zero,
                   lax.select(lax.eq(n_zeros, full(1, np.int32)), one_zero, full(0)))
  return ans, out


ad.primitive_jvps[cumprod_p] = _cumprod_jvp


def _cum_chooser_jvp(prim, select_prim):
  # The tangent of a running max/min is the tangent at the element it selected:
  # exactly what max/min pooling's derivative (select_and_gather_add) gives for
  # a window spanning the prefix, and it transposes (for grad) to a scatter.
  def rule(primals, tangents, *, axis, reverse):
    (x,), (t,) = primals, tangents
    ans = prim.bind(x, axis=axis, reverse=reverse)
    if type(t) is ad.Zero or not dtypes.issubdtype(core.get_aval(x).dtype, np.inexact):
      return ans, _zero_tangent_like(ans)
    shape = core.get_aval(x).shape
    # JAX differentiates these through associative_scan, which needs the size.
    from jaxlite.lax.control_flow.associative_scan import check_constant_length
    check_constant_length(shape[axis])
    params = _window_params(shape, axis, reverse)
    return ans, select_and_gather_add_p.bind(t, x, select_prim=select_prim, **params)
  return rule


ad.primitive_jvps[cummax_p] = _cum_chooser_jvp(cummax_p, "ge")
ad.primitive_jvps[cummin_p] = _cum_chooser_jvp(cummin_p, "le")


def _cumlogsumexp_jvp(primals, tangents, *, axis, reverse):
  # dy_i = sum_{j in prefix(i)} exp(x_j - y_i) t_j. The weights are formed
  # explicitly (n x n along `axis`), which is exact and stable for any spread
  # of x, and linear in t so it transposes.
  lax = _lax()
  (x,), (t,) = primals, tangents
  ans = cumlogsumexp_p.bind(x, axis=axis, reverse=reverse)
  if type(t) is ad.Zero:
    return ans, _zero_tangent_like(ans)
  aval = core.get_aval(x)
  n, rank = aval.shape[axis], aval.ndim
  big = aval.shape[:axis] + (n, n) + aval.shape[axis + 1:]   # axis -> (i, j)
  dims_j = tuple(range(axis)) + (axis + 1,) + tuple(range(axis + 2, rank + 1))
  dims_i = tuple(range(axis)) + (axis,) + tuple(range(axis + 2, rank + 1))
  xj = lax.broadcast_in_dim(x, big, dims_j)
  yi = lax.broadcast_in_dim(ans, big, dims_i)
  tj = lax.broadcast_in_dim(t, big, dims_j)
  i = lax.broadcasted_iota(np.int32, big, axis)
  j = lax.broadcasted_iota(np.int32, big, axis + 1)
  in_prefix = lax.ge(j, i) if reverse else lax.le(j, i)
  live = lax.ne(xj, lax.full(big, -np.inf, aval.dtype))
  weights = lax.select(lax.bitwise_and(in_prefix, live), lax.exp(lax.sub(xj, yi)),
                       lax.full(big, 0, aval.dtype))
  from jaxlite.lax import reductions
  return ans, reductions.reduce_sum(lax.mul(weights, tj), (axis + 1,))


ad.primitive_jvps[cumlogsumexp_p] = _cumlogsumexp_jvp

# --- public wrappers --------------------------------------------------------------------------


def cumsum(operand, axis: int = 0, reverse: bool = False):
  """Cumulative sum along ``axis`` (from the end when ``reverse``).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.cumsum(np.array([1, 2, 3], np.int32))
  Array([1, 3, 6], dtype=int32)
  """
  return cumsum_p.bind(operand, axis=int(axis), reverse=bool(reverse))


def cumprod(operand, axis: int = 0, reverse: bool = False):
  """Cumulative product along ``axis`` (from the end when ``reverse``).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.cumprod(np.array([1, 2, 3], np.int32))
  Array([1, 2, 6], dtype=int32)
  """
  return cumprod_p.bind(operand, axis=int(axis), reverse=bool(reverse))


def cummax(operand, axis: int = 0, reverse: bool = False):
  """Running maximum along ``axis`` (from the end when ``reverse``).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.cummax(np.array([1, 3, 2], np.int32))
  Array([1, 3, 3], dtype=int32)
  """
  return cummax_p.bind(operand, axis=int(axis), reverse=bool(reverse))


def cummin(operand, axis: int = 0, reverse: bool = False):
  """Running minimum along ``axis`` (from the end when ``reverse``).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.cummin(np.array([3, 1, 2], np.int32))
  Array([3, 1, 1], dtype=int32)
  """
  return cummin_p.bind(operand, axis=int(axis), reverse=bool(reverse))


def cumlogsumexp(operand, axis: int = 0, reverse: bool = False):
  """Cumulative ``log(sum(exp(x)))`` along ``axis``, computed stably.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.cumlogsumexp(np.zeros(2, np.float32))
  Array([0.       , 0.6931472], dtype=float32)
  """
  return cumlogsumexp_p.bind(operand, axis=int(axis), reverse=bool(reverse))
