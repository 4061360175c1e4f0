"""Summary statistics of ``jax.scipy.stats``: ``mode``, ``rankdata``, ``sem``.

  >>> from jaxlite.scipy.stats import rankdata
  >>> rankdata(jnp.array([3.0, 1.0, 3.0]))
  Array([2.5, 1. , 2.5], dtype=float32)
"""
from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.api import jit
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import check_arraylike, promote_args_inexact
from jaxlite.vectorization import vmap

__all__ = ["mode", "rankdata", "sem", "ModeResult"]

_NAN_POLICIES = ("propagate", "omit", "raise")


class ModeResult(NamedTuple):
  mode: object
  count: object


def _check_nan_policy(nan_policy, fun):
  if nan_policy not in _NAN_POLICIES:
    raise ValueError(f"Illegal nan_policy value {nan_policy!r}; expected one of "
                     "{'propagate', 'omit', 'raise'}")
  if nan_policy == "omit":
    raise NotImplementedError(f"Logic for `nan_policy` of {nan_policy} is not implemented")
  if nan_policy == "raise":
    raise NotImplementedError(
        f"In order to best JIT compile `{fun}`, we cannot know whether `x` contains nans. "
        f"Please check if nans exist in `x` outside of the `{fun}` function.")


@functools.partial(jit, static_argnames=("axis", "nan_policy", "keepdims"))
def mode(a, axis=0, nan_policy="propagate", keepdims=False):
  """The most frequent value along ``axis`` (the smallest among ties) and its count.

  >>> from jaxlite.scipy.stats import mode
  >>> mode(jnp.array([1, 2, 2, 3, 3]))
  ModeResult(mode=Array(2, dtype=int32), count=Array(2, dtype=int32))
  """
  check_arraylike("mode", a)
  x = jnp.atleast_1d(a)
  _check_nan_policy(nan_policy, "mode")
  if axis is not None:
    axis = _canonical_axis(axis, x.ndim)
  if axis is None:
    out_shape = (1,) * x.ndim if keepdims else ()
    axis, x = 0, x.ravel()
  elif keepdims:
    out_shape = tuple(1 if i == axis else s for i, s in enumerate(x.shape))
  else:
    out_shape = tuple(s for i, s in enumerate(x.shape) if i != axis)

  def column_mode(column):
    if column.size == 0:
      nan_dtype = dtypes.canonicalize_dtype(np.float64)
      return jnp.array(np.nan, dtype=nan_dtype), jnp.array(0, dtype=nan_dtype)
    values, counts = jnp.unique(column, return_counts=True, size=column.size)
    return values[jnp.argmax(counts)], counts.max()

  x = jnp.moveaxis(x, axis, 0)
  x = x.reshape(x.shape[0], math.prod(x.shape[1:]))
  values, counts = vmap(column_mode, in_axes=1)(x)
  return ModeResult(values.reshape(out_shape), counts.reshape(out_shape))


def _canonical_axis(axis, ndim):
  if not -ndim <= axis < ndim:
    raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
  return axis % ndim


@functools.partial(jit, static_argnames=("method", "axis", "nan_policy"))
def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
  """Ranks of the data from 1, ties resolved by ``method`` ('average', 'min',
  'max', 'dense' or 'ordinal'); all nan if the data has a nan.

  >>> from jaxlite.scipy.stats import rankdata
  >>> rankdata(jnp.array([3.0, 1.0, 3.0]), method="min")
  Array([2., 1., 2.], dtype=float32)
  """
  check_arraylike("rankdata", a)
  _check_nan_policy(nan_policy, "rankdata")
  if method not in ("average", "min", "max", "dense", "ordinal"):
    raise ValueError(f"unknown method '{method}'")
  if axis is not None:
    return jnp.apply_along_axis(rankdata, axis, a, method)
  a = jnp.ravel(a)
  out_dtype = dtypes.canonicalize_dtype(np.float64)

  def ranks(a):
    ordered, order = lax.sort_key_val(a, jnp.arange(a.size))
    position = jnp.empty_like(order).at[order].set(jnp.arange(order.size, dtype=order.dtype))
    if method == "ordinal":
      return (position + 1).astype(out_dtype)
    starts_group = jnp.concatenate([jnp.array([True]), ordered[1:] != ordered[:-1]])
    dense = starts_group.cumsum()[position]
    if method == "dense":
      return dense.astype(out_dtype)
    group_start = jnp.nonzero(starts_group, size=ordered.size + 1,
                              fill_value=starts_group.size)[0].astype(out_dtype)
    if method == "max":
      return group_start[dense]
    if method == "min":
      return group_start[dense - 1] + 1
    return 0.5 * (group_start[dense] + group_start[dense - 1] + 1)

  return lax.cond(jnp.any(jnp.isnan(a)), lambda a: jnp.full_like(a, jnp.nan, out_dtype),
                  ranks, a)


@functools.partial(jit, static_argnames=("axis", "nan_policy", "keepdims"))
def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
  """The standard error of the mean: ``std(a, ddof) / sqrt(n)`` along ``axis``.

  >>> from jaxlite.scipy.stats import sem
  >>> sem(jnp.array([1.0, 2.0, 3.0, 4.0]))
  Array(0.64549726, dtype=float32)
  """
  b, = promote_args_inexact("sem", a)
  b = jnp.asarray(b)
  if nan_policy == "propagate":
    size = b.size if axis is None else b.shape[axis]
    return b.std(axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(size).astype(b.dtype)
  if nan_policy == "omit":
    count = (~jnp.isnan(b)).sum(axis, keepdims=keepdims)
    return jnp.nanstd(b, axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(count).astype(b.dtype)
  raise ValueError(f"{nan_policy} is not supported")
