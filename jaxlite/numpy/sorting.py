"""Sorting and searching: sort, argsort, lexsort, partition, argpartition,
searchsorted, unique, nonzero, argwhere and flatnonzero (the array API's
``unique_*`` functions are in ``setops``).

Outputs whose size depends on values (``unique``, ``nonzero``) need either
concrete inputs or a static ``size=`` (padded with ``fill_value``), as in JAX.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sort(jnp.array([3, 1, 2]))
  Array([1, 2, 3], dtype=int32)
"""
from __future__ import annotations

__all__ = ['sort', 'argsort', 'lexsort', 'partition', 'argpartition', 'searchsorted',
           'nonzero', 'argwhere', 'flatnonzero', 'unique']

import math

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.core import Tracer
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, ensure_array
from jaxlite.numpy.library_jit import library_jit

_INDEX = None


def _index_dtype():
  return dtypes.canonicalize_dtype(dtypes.int_)


def _as_array(a, fun_name):
  check_arraylike(fun_name, a)
  return ensure_array(promotion.asarray_value(a))


def _flatten_axis(a, axis):
  if axis is None:
    return lax_structural.reshape(a, (a.size,)), 0
  return a, canonicalize_axis(axis, a.ndim)


@library_jit(static_argnames=("axis", "kind", "order", "stable", "descending"))
def sort(a, axis: int | None = -1, *, kind=None, order=None, stable: bool = True,
         descending: bool = False):
  """``a`` sorted along ``axis`` (NaNs last), ascending unless ``descending``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sort(jnp.array([2.0, jnp.nan, 1.0]))
  Array([ 1.,  2., nan], dtype=float32)
  """
  del kind
  if order is not None:
    raise TypeError("'order' argument to sort is not supported.")
  a, axis = _flatten_axis(_as_array(a, "sort"), axis)
  if a.ndim == 0 or (isinstance(a.shape[axis], int) and a.shape[axis] <= 1):
    return a
  if descending:
    return lax.rev(lax.sort(lax.rev(a, (axis,)), dimension=axis, is_stable=stable),
                   (axis,))
  return lax.sort(a, dimension=axis, is_stable=stable)


@library_jit(static_argnames=("axis", "kind", "order", "stable", "descending", "dtype"))
def argsort(a, axis: int | None = -1, *, kind=None, order=None, stable: bool = True,
            descending: bool = False, dtype=None):
  """The indices that sort ``a`` along ``axis`` (stable: ties keep their order).

  >>> import jaxlite.numpy as jnp
  >>> jnp.argsort(jnp.array([3, 1, 2]))
  Array([1, 2, 0], dtype=int32)
  """
  if kind is not None:
    raise TypeError("'kind' argument to argsort is not supported. Use"
                    " stable=True or stable=False to specify sort stability.")
  if order is not None:
    raise TypeError("'order' argument to argsort is not supported.")
  # ``dtype``: the indices' dtype (JAX's default: the default integer).
  index_dtype = _index_dtype() if dtype is None else \
      dtypes.check_and_canonicalize_user_dtype(dtype, "argsort")
  a, axis = _flatten_axis(_as_array(a, "argsort"), axis)
  if a.ndim == 0:
    return lax_structural.full((), 0, index_dtype)
  n = a.shape[axis]
  iota = lax.broadcasted_iota(index_dtype, a.shape, axis)
  if descending:
    # Reverse, sort stably, reverse back: ties keep their original order.
    _, perm = lax.sort((lax.rev(a, (axis,)), iota), dimension=axis, is_stable=True,
                       num_keys=1)
    perm = lax.rev(perm, (axis,))
    return lax.sub(np.asarray(n - 1, index_dtype), perm)
  _, perm = lax.sort((a, iota), dimension=axis, is_stable=True, num_keys=1)
  return perm


@library_jit(static_argnames=("axis",))
def lexsort(keys, axis: int = -1):
  """Indices sorting by several keys, the last key primary (stable).

  >>> import jaxlite.numpy as jnp
  >>> jnp.lexsort((jnp.array([1, 0, 1]), jnp.array([0, 0, 1])))
  Array([1, 0, 2], dtype=int32)
  """
  keys = [ _as_array(k, "lexsort") for k in keys]
  if not keys:
    raise TypeError("need sequence of keys with len > 0 in lexsort")
  shapes = {k.shape for k in keys}
  if len(shapes) != 1:
    raise ValueError("all keys need to be the same shape")
  shape = keys[0].shape
  if not shape:
    return lax_structural.full((), 0, _index_dtype())
  axis = canonicalize_axis(axis, len(shape))
  iota = lax.broadcasted_iota(_index_dtype(), shape, axis)
  outs = lax.sort(tuple(reversed(keys)) + (iota,), dimension=axis, is_stable=True,
                  num_keys=len(keys))
  return outs[-1]


@library_jit(static_argnames=("kth", "axis"))
def partition(a, kth: int, axis: int = -1):
  """``a`` with its ``kth`` element in sorted position, smaller ones before it
  and larger ones after, in JAX's order: the ``kth + 1`` smallest ascending,
  then the rest largest first (two ``top_k`` calls).

  >>> import jaxlite.numpy as jnp
  >>> jnp.partition(jnp.array([3, 1, 4, 2]), 1)
  Array([1, 2, 4, 3], dtype=int32)
  """
  a = _as_array(a, "partition")
  if dtypes.issubdtype(a.dtype, np.complexfloating):
    raise NotImplementedError("jnp.partition for complex dtype is not implemented.")
  axis = canonicalize_axis(axis, a.ndim)
  kth = canonicalize_axis(promotion.concrete_int(kth, "'kth' argument of jnp.partition"),
                          a.shape[axis])
  a = a.swapaxes(axis, -1)
  if dtypes.issubdtype(a.dtype, np.unsignedinteger):
    # -(a + 1) maps 0 to the largest value instead of to itself.
    bottom = -lax.top_k(-(a + 1), kth + 1)[0] - 1
  else:
    bottom = -lax.top_k(-a, kth + 1)[0]
  top = lax.top_k(a, a.shape[-1] - kth - 1)[0]
  return lax.concatenate([bottom, top], a.ndim - 1).swapaxes(-1, axis)


def argpartition(a, kth: int, axis: int = -1):
  """Indices that partition ``a`` around its ``kth`` element (see ``partition``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.argpartition(jnp.array([3, 1, 2]), 1)[1]
  Array(2, dtype=int32)
  """
  a = _as_array(a, "argpartition")
  axis = canonicalize_axis(axis, a.ndim)
  promotion.concrete_int(kth, "'kth' argument of jnp.argpartition")
  return argsort(a, axis)


def _less(x, y):
  """``x < y`` in NumPy's sort order (NaN is the largest value)."""
  if dtypes.issubdtype(x.dtype, np.inexact):
    return ufuncs.logical_or(ufuncs.less(x, y), ufuncs.logical_and(
        ufuncs.isnan(y), ufuncs.logical_not(ufuncs.isnan(x))))
  return ufuncs.less(x, y)


def searchsorted(a, v, side: str = "left", sorter=None, *, method: str = "scan"):
  """Where ``v``'s elements would be inserted in the sorted 1-D ``a``.

  ``method`` is 'scan' (a binary search), 'scan_unrolled' (the same),
  'compare_all' (compares against every element) or 'sort'.

  >>> import jaxlite.numpy as jnp
  >>> jnp.searchsorted(jnp.array([1, 2, 3]), jnp.array([2, 5]))
  Array([1, 3], dtype=int32)
  """
  if side not in ("left", "right"):
    raise ValueError(f"{side!r} is an invalid value for keyword 'side'. "
                     "Expected one of ['left', 'right'].")
  if method not in ("scan", "scan_unrolled", "compare_all", "sort"):
    raise ValueError(f"{method!r} is an invalid value for keyword 'method'. Expected "
                     "one of ['sort', 'scan', 'scan_unrolled', 'compare_all'].")
  a = _as_array(a, "searchsorted")
  v = _as_array(v, "searchsorted")
  if a.ndim != 1:
    raise ValueError("a should be 1-dimensional")
  if sorter is not None:
    a = promotion.ensure_array(a)[sorter]
  a, v = promotion.promote_dtypes(a, v)
  a, v = ensure_array(a), ensure_array(v)
  n = a.shape[0]
  index_dtype = _index_dtype()
  if n == 0:
    return lax_structural.full(v.shape, 0, index_dtype)
  if method == "compare_all":
    # Count the elements of `a` that go before each element of `v`.
    a_b = lax_structural.broadcast_in_dim(a, v.shape + (n,), (v.ndim,))
    v_b = lax_structural.broadcast_in_dim(v, v.shape + (n,), tuple(range(v.ndim)))
    before = _less(a_b, v_b) if side == "left" else ufuncs.logical_not(_less(v_b, a_b))
    from jaxlite.numpy import reductions  # pylint: disable=g-import-not-at-top
    return reductions.sum(before, axis=-1, dtype=index_dtype)
  low = lax_structural.full(v.shape, 0, index_dtype)
  high = lax_structural.full(v.shape, n, index_dtype)
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  for _ in range(int(math.ceil(math.log2(n + 1))) + 1):
    mid = lax.div(lax.add(low, high), np.asarray(2, index_dtype))
    at_mid = shape_lib.take(a, mid, mode="clip")
    go_right = _less(at_mid, v) if side == "left" else ufuncs.logical_not(_less(v, at_mid))
    go_right = ufuncs.logical_and(go_right, lax.lt(low, high))
    low = lax.select_n(go_right, low, lax.add(mid, np.asarray(1, index_dtype)))
    high = lax.select_n(ufuncs.logical_or(go_right, lax.ge(low, high)),
                        lax.min(mid, high), high)
  return low


def _concrete_count(mask, fun_name):
  if isinstance(mask, Tracer) and mask._concrete_value() is None:
    raise core.ConcretizationTypeError(
        mask, f"The size argument of jnp.{fun_name} must be statically specified to "
        f"use jnp.{fun_name} within JAX transformations.")
  return int(np.count_nonzero(np.asarray(mask)))


def nonzero(a, *, size: int | None = None, fill_value=None):
  """The indices of the non-zero elements, one array per axis.

  Under ``jit``, give a static ``size``: the result is truncated or padded
  (with ``fill_value``, 0 by default) to it.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nonzero(jnp.array([0, 3, 0, 4]))
  (Array([1, 3], dtype=int32),)
  """
  a = _as_array(a, "nonzero")
  if a.ndim == 0:
    raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                     "jnp.atleast_1d(scalar).nonzero() instead.")
  from jaxlite.numpy import creation, misc, reductions  # pylint: disable=g-import-not-at-top
  mask = a if a.dtype == np.bool_ else ufuncs.not_equal(a, 0)
  if size is None:
    count = reductions.sum(mask)
    if isinstance(count, Tracer) and count._concrete_value() is None:
      raise core.ConcretizationTypeError(
          count, "The size argument of jnp.nonzero must be statically specified to "
          "use jnp.nonzero within JAX transformations.")
    size = count
  size = promotion.concrete_int(size, "'size' argument of jnp.nonzero")
  if a.size == 0 or size == 0:
    return tuple(creation.zeros(size, int) for _ in a.shape)
  # JAX's staging: the i-th true element's flat index is how many elements
  # come before the (i+1)-th true one (a histogram of the running count).
  flat_index = reductions.cumsum(misc.bincount(reductions.cumsum(mask), length=size))
  strides = (np.cumprod(a.shape[::-1])[::-1] // a.shape).astype(flat_index.dtype)
  out = tuple((flat_index // stride) % dim for stride, dim in zip(strides, a.shape))
  if fill_value is not None:
    fills = fill_value if isinstance(fill_value, tuple) else a.ndim * (fill_value,)
    if any(np.shape(f) != () for f in fills):
      raise ValueError(f"fill_value must be a scalar or a tuple of length {a.ndim}; "
                       f"got {fill_value}")
    past_end = creation.arange(size) >= reductions.sum(mask)
    out = tuple(ufuncs.where(past_end, f, o) for f, o in zip(fills, out))
  return out


def argwhere(a, *, size: int | None = None, fill_value=None):
  """The indices of the non-zero elements, as one row per element.

  >>> import jaxlite.numpy as jnp
  >>> jnp.argwhere(jnp.array([[0, 1], [1, 0]]))
  Array([[0, 1],
         [1, 0]], dtype=int32)
  """
  a = _as_array(a, "argwhere")
  if a.ndim == 0:
    count = _concrete_count(a, "argwhere") if size is None else size
    return lax_structural.full((count, 0), 0, _index_dtype())
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  return shape_lib.stack(nonzero(a, size=size, fill_value=fill_value), axis=1)


def flatnonzero(a, *, size: int | None = None, fill_value=None):
  """The indices of the non-zero elements of the flattened ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.flatnonzero(jnp.array([[0, 1], [1, 0]]))
  Array([1, 2], dtype=int32)
  """
  a = _as_array(a, "flatnonzero")
  return nonzero(lax_structural.reshape(a, (a.size,)), size=size,
                 fill_value=fill_value)[0]


def unique(ar, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, *,
           equal_nan: bool = True, size: int | None = None, fill_value=None,
           sorted: bool = True):  # pylint: disable=redefined-builtin
  """The sorted unique elements of ``ar`` (rows or slices along ``axis``).

  Under ``jit``, give a static ``size``; missing entries are ``fill_value``
  (by default the smallest unique value).

  >>> import jaxlite.numpy as jnp
  >>> jnp.unique(jnp.array([3, 1, 3, 2]))
  Array([1, 2, 3], dtype=int32)
  """
  del sorted
  ar = _as_array(ar, "unique")
  shape_in = ar.shape
  if axis is None:
    ar = lax_structural.reshape(ar, (ar.size,))
    axis_ = 0
  else:
    axis_ = canonicalize_axis(axis, ar.ndim)
  from jaxlite.numpy import reductions, manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  moved = shape_lib.moveaxis(ar, axis_, 0)
  n = moved.shape[0]
  rows = lax_structural.reshape(moved, (n, math.prod(moved.shape[1:])))
  index_dtype = _index_dtype()
  if n == 0:
    perm = lax_structural.full((0,), 0, index_dtype)
    sorted_rows = rows
  else:
    keys = [rows[:, j] for j in reversed(range(rows.shape[1]))]
    perm = lexsort(keys) if keys else lax.iota(index_dtype, n)
    sorted_rows = rows[perm]
  if n:
    diff = ufuncs.not_equal(sorted_rows[1:], sorted_rows[:-1])
    if equal_nan and dtypes.issubdtype(ar.dtype, np.inexact):
      both_nan = ufuncs.logical_and(ufuncs.isnan(sorted_rows[1:]),
                                    ufuncs.isnan(sorted_rows[:-1]))
      diff = ufuncs.logical_and(diff, ufuncs.logical_not(both_nan))
    diff = reductions.any(diff, axis=1)
    mask = shape_lib.concatenate([lax_structural.full((1,), True, np.bool_), diff])
  else:
    mask = lax_structural.full((0,), False, np.bool_)
  if size is None:
    count = _concrete_count(mask, "unique")
  else:
    count = promotion.concrete_int(size, "'size' argument of jnp.unique")
  (ind,) = nonzero(mask, size=count, fill_value=0) if n else (
      lax_structural.full((count,), 0, index_dtype),)
  result = sorted_rows[ind] if n else lax_structural.full(
      (count, rows.shape[1]), 0, ar.dtype)
  if size is not None and n:
    valid = lax.lt(lax.iota(index_dtype, count),
                   reductions.sum(mask, dtype=index_dtype))
    fill = sorted_rows[0] if fill_value is None else lax_structural.full(
        (rows.shape[1],), fill_value, ar.dtype)
    fill = lax_structural.broadcast_in_dim(fill, result.shape, (1,))
    valid_b = lax_structural.broadcast_in_dim(valid, result.shape, (0,))
    result = lax.select_n(valid_b, fill, result)
  result = lax_structural.reshape(result, (count,) + moved.shape[1:])
  result = shape_lib.moveaxis(result, 0, axis_)
  outs = [result]
  if return_index:
    outs.append(perm[ind] if n else ind)
  if return_inverse:
    if n:
      rank = lax.sub(reductions.cumsum(mask, dtype=index_dtype),
                     np.asarray(1, index_dtype))
      inverse = lax_structural.full((n,), 0, index_dtype).at[perm].set(rank)
    else:
      inverse = lax_structural.full((0,), 0, index_dtype)
    if axis is None:
      inverse = lax_structural.reshape(inverse, shape_in)
    outs.append(inverse)
  if return_counts:
    if n:
      total = reductions.sum(mask, dtype=index_dtype)
      (starts,) = nonzero(mask, size=count, fill_value=n)
      ends = shape_lib.concatenate([starts[1:], lax_structural.full((1,), n, index_dtype)])
      ends = lax.select_n(lax.lt(lax.iota(index_dtype, count), lax.sub(
          total, np.asarray(1, index_dtype))), lax_structural.full((count,), n,
                                                                   index_dtype), ends)
      counts = lax.sub(ends, lax.min(starts, np.asarray(n, index_dtype)))
    else:
      counts = lax_structural.full((count,), 0, index_dtype)
    outs.append(counts)
  return outs[0] if len(outs) == 1 else tuple(outs)
