"""Set operations on 1-D arrays: ``union1d``, ``intersect1d``, ``setdiff1d``,
``setxor1d``, the array API's ``unique_*`` functions and ``sort_complex``.

Each works on sorted copies of its (flattened) inputs and a mask of the
elements to keep. The number kept depends on the values, so under ``jit``
give a static ``size=``: the result is truncated or padded with
``fill_value``, as in JAX.

  >>> import jaxlite.numpy as jnp
  >>> jnp.union1d(jnp.array([3, 1]), jnp.array([2, 1]))
  Array([1, 2, 3], dtype=int32)
"""
from __future__ import annotations

__all__ = ['union1d', 'intersect1d', 'setdiff1d', 'setxor1d', 'unique_values',
           'unique_counts', 'unique_inverse', 'unique_all', 'sort_complex']

from typing import NamedTuple

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.core import Tracer
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import joining, promotion, reductions, sorting, ufuncs
from jaxlite.numpy.library_jit import library_jit
from jaxlite.numpy.promotion import check_arraylike, ensure_array
from jaxlite.runtime.array import Array


class UniqueAllResult(NamedTuple):
  values: Array
  indices: Array
  inverse_indices: Array
  counts: Array


class UniqueCountsResult(NamedTuple):
  values: Array
  counts: Array


class UniqueInverseResult(NamedTuple):
  values: Array
  inverse_indices: Array


def _index_dtype():
  return dtypes.canonicalize_dtype(dtypes.int_)


def _flat(a, fun_name):
  check_arraylike(fun_name, a)
  a = ensure_array(promotion.asarray_value(a))
  return lax_structural.reshape(a, (a.size,))


def _first_occurrences(s, equal_nan=True):
  """True at the first of each run of equal values of the sorted 1-D ``s``."""
  if s.shape[0] == 0:
    return lax_structural.full((0,), True, np.bool_)
  new = ufuncs.not_equal(s[1:], s[:-1])
  if equal_nan and dtypes.issubdtype(s.dtype, np.inexact):
    new = ufuncs.logical_and(new, ufuncs.logical_not(
        ufuncs.logical_and(ufuncs.isnan(s[1:]), ufuncs.isnan(s[:-1]))))
  return joining.concatenate([lax_structural.full((1,), True, np.bool_), new])


def _find(sorted_values, perm, v):
  """For each ``v``: whether it occurs in ``sorted_values`` (NaN never does) and
  the original index (through ``perm``) of its first occurrence."""
  n = sorted_values.shape[0]
  if n == 0:
    return (lax_structural.full(v.shape, False, np.bool_),
            lax_structural.full(v.shape, 0, _index_dtype()))
  pos = sorting.searchsorted(sorted_values, v, side="left")
  pos = lax.min(pos, np.asarray(n - 1, pos.dtype))
  found = ufuncs.equal(sorted_values[pos], v)
  return found, perm[pos]


def _compact(values, mask, size, fill_value, fun_name, default_fill="first"):
  """The elements of ``values`` where ``mask`` holds, in order, as an array of
  ``size`` (counted on the host when None) padded with ``fill_value``.

  Returns the result, the positions taken from ``values`` and the validity
  mask of the result."""
  if size is None:
    if isinstance(mask, Tracer) and mask._concrete_value() is None:
      raise core.ConcretizationTypeError(
          mask, f"The error arose in {fun_name}(): pass a static size= argument to "
          f"use jnp.{fun_name} under jit or other transformations.")
    size = int(np.count_nonzero(np.asarray(mask)))
  size = promotion.concrete_int(size, f"'size' argument of jnp.{fun_name}")
  index_dtype = _index_dtype()
  if values.shape[0] == 0:
    fill = 0 if fill_value is None else fill_value
    return (lax_structural.full((size,), fill, values.dtype),
            lax_structural.full((size,), 0, index_dtype),
            lax_structural.full((size,), False, np.bool_))
  (positions,) = sorting.nonzero(mask, size=size, fill_value=0)
  valid = lax.lt(lax.iota(index_dtype, size), reductions.sum(mask, dtype=index_dtype))
  out = values[positions]
  if fill_value is None:
    fill = out[0] if default_fill == "first" and size else np.zeros((), values.dtype)
  else:
    fill = promotion.convert(fill_value, values.dtype)
  return ufuncs.where(valid, out, fill), positions, valid


def union1d(ar1, ar2, *, size=None, fill_value=None):
  """The sorted unique values that are in ``ar1`` or ``ar2``.

  With ``size``, missing entries are ``fill_value`` (default: the smallest value).

  >>> import jaxlite.numpy as jnp
  >>> jnp.union1d(jnp.array([1, 3]), jnp.array([3, 2]), size=4)
  Array([1, 2, 3, 1], dtype=int32)
  """
  a1, a2 = _flat(ar1, "union1d"), _flat(ar2, "union1d")
  a1, a2 = promotion.promote_dtypes(a1, a2)
  s = sorting.sort(joining.concatenate([ensure_array(a1), ensure_array(a2)]))
  return _compact(s, _first_occurrences(s), size, fill_value, "union1d")[0]


def setdiff1d(ar1, ar2, assume_unique: bool = False, *, size=None, fill_value=None):
  """The sorted unique values of ``ar1`` that are not in ``ar2``.

  With ``size``, missing entries are ``fill_value`` (default 0).

  >>> import jaxlite.numpy as jnp
  >>> jnp.setdiff1d(jnp.array([5, 1, 3, 7]), jnp.array([3, 5]))
  Array([1, 7], dtype=int32)
  """
  a1, a2 = _flat(ar1, "setdiff1d"), _flat(ar2, "setdiff1d")
  s1 = sorting.sort(a1)
  keep = lax_structural.full(s1.shape, True, np.bool_) if assume_unique else \
      _first_occurrences(s1)
  s2 = sorting.sort(a2)
  s1c, s2c = promotion.promote_dtypes(s1, s2)
  found, _ = _find(ensure_array(s2c), lax.iota(_index_dtype(), s2.shape[0]),
                   ensure_array(s1c))
  keep = ufuncs.logical_and(keep, ufuncs.logical_not(found))
  return _compact(s1, keep, size, fill_value, "setdiff1d", default_fill="zero")[0]


def setxor1d(ar1, ar2, assume_unique: bool = False, *, size=None, fill_value=None):
  """The sorted unique values that are in exactly one of ``ar1`` and ``ar2``.

  With ``size``, missing entries are ``fill_value`` (default: the smallest value).

  >>> import jaxlite.numpy as jnp
  >>> jnp.setxor1d(jnp.array([1, 2, 3]), jnp.array([2, 4]))
  Array([1, 3, 4], dtype=int32)
  """
  del assume_unique  # duplicates are handled either way
  a1, a2 = _flat(ar1, "setxor1d"), _flat(ar2, "setxor1d")
  a1, a2 = (ensure_array(a) for a in promotion.promote_dtypes(a1, a2))
  s = sorting.sort(joining.concatenate([a1, a2]))
  s1, s2 = sorting.sort(a1), sorting.sort(a2)
  in1, _ = _find(s1, lax.iota(_index_dtype(), s1.shape[0]), s)
  in2, _ = _find(s2, lax.iota(_index_dtype(), s2.shape[0]), s)
  keep = ufuncs.logical_and(_first_occurrences(s), ufuncs.not_equal(in1, in2))
  if dtypes.issubdtype(s.dtype, np.inexact) and s.shape[0]:
    # NaN equals nothing: each input with a NaN contributes one (NumPy's
    # unique collapses the NaNs of one input). They are sorted last.
    nan = ufuncs.isnan(s)
    allowed = lax.add(reductions.any(ufuncs.isnan(a1)).astype(_index_dtype()),
                      reductions.any(ufuncs.isnan(a2)).astype(_index_dtype()))
    nan_rank = lax.sub(reductions.cumsum(nan, dtype=_index_dtype()),
                       np.asarray(1, _index_dtype()))
    keep = ufuncs.where(nan, ufuncs.less(nan_rank, allowed), keep)
  return _compact(s, keep, size, fill_value, "setxor1d")[0]


def intersect1d(ar1, ar2, assume_unique: bool = False, return_indices: bool = False, *,
                size=None, fill_value=None):
  """The sorted unique values that are in both ``ar1`` and ``ar2``.

  With ``return_indices``, also the indices of their first occurrences in the
  flattened ``ar1`` and ``ar2``. With ``size``, missing values are
  ``fill_value`` (default: the smallest value) and missing indices are the
  sizes of ``ar1`` and ``ar2``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.intersect1d(jnp.array([5, 1, 3]), jnp.array([3, 4, 5]))
  Array([3, 5], dtype=int32)
  """
  a1, a2 = _flat(ar1, "intersect1d"), _flat(ar2, "intersect1d")
  a1, a2 = (ensure_array(a) for a in promotion.promote_dtypes(a1, a2))
  index_dtype = _index_dtype()
  # Stable sorts: among equal values the first occurrence comes first.
  perm1 = sorting.argsort(a1)
  perm2 = sorting.argsort(a2)
  s1, s2 = a1[perm1], a2[perm2]
  keep = lax_structural.full(s1.shape, True, np.bool_) if assume_unique else \
      _first_occurrences(s1, equal_nan=False)
  found, index2 = _find(s2, perm2, s1)
  keep = ufuncs.logical_and(keep, found)
  out, positions, valid = _compact(s1, keep, size, fill_value, "intersect1d")
  if not return_indices:
    return out
  if a1.shape[0] == 0:
    return out, positions, positions
  index1 = ufuncs.where(valid, perm1[positions], np.asarray(a1.shape[0], index_dtype))
  index2 = ufuncs.where(valid, index2[positions], np.asarray(a2.shape[0], index_dtype))
  return out, index1, index2


def unique_values(x, /, *, size=None, fill_value=None):
  """The array API's ``unique`` without extra outputs (NaNs are all distinct).

  >>> import jaxlite.numpy as jnp
  >>> jnp.unique_values(jnp.array([2, 2, 1]))
  Array([1, 2], dtype=int32)
  """
  return sorting.unique(x, equal_nan=False, size=size, fill_value=fill_value)


def unique_counts(x, /, *, size=None, fill_value=None):
  """``(values, counts)`` of the unique elements (NaNs are all distinct).

  >>> import jaxlite.numpy as jnp
  >>> jnp.unique_counts(jnp.array([2, 2, 1])).counts
  Array([1, 2], dtype=int32)
  """
  values, counts = sorting.unique(x, return_counts=True, equal_nan=False, size=size,
                                  fill_value=fill_value)
  return UniqueCountsResult(values, counts)


def unique_inverse(x, /, *, size=None, fill_value=None):
  """``(values, inverse_indices)``: ``values[inverse_indices]`` rebuilds ``x``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.unique_inverse(jnp.array([3, 1, 3])).inverse_indices
  Array([1, 0, 1], dtype=int32)
  """
  values, inverse = sorting.unique(x, return_inverse=True, equal_nan=False, size=size,
                                   fill_value=fill_value)
  return UniqueInverseResult(values, inverse)


def unique_all(x, /, *, size=None, fill_value=None):
  """``(values, indices, inverse_indices, counts)`` of the unique elements.

  >>> import jaxlite.numpy as jnp
  >>> jnp.unique_all(jnp.array([3, 1, 3])).indices
  Array([1, 0], dtype=int32)
  """
  values, indices, inverse, counts = sorting.unique(
      x, return_index=True, return_inverse=True, return_counts=True, equal_nan=False,
      size=size, fill_value=fill_value)
  return UniqueAllResult(values, indices, inverse, counts)


@library_jit
def sort_complex(a):
  """``a`` sorted by real part, then imaginary part along its last axis, as a
  complex array.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sort_complex(jnp.array([1 + 2j, 1 - 1j, 5j]))
  Array([0.+5.j, 1.-1.j, 1.+2.j], dtype=complex64)
  """
  check_arraylike("sort_complex", a)
  out = lax.sort(ensure_array(promotion.asarray_value(a)))   # last axis, as JAX's lax.sort
  return lax.convert_element_type(out, dtypes.to_complex_dtype(out.dtype))
