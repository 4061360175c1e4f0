"""Joining and splitting arrays: concatenate, stack and its variants, block,
split and its variants.

Split points must be concrete; everything lowers to lax ``concatenate`` and
``slice``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.stack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
"""
from __future__ import annotations

__all__ = ['concatenate', 'concat', 'stack', 'block', 'unstack', 'hstack', 'vstack',
           'row_stack', 'dstack', 'column_stack', 'split', 'array_split', 'hsplit',
           'vsplit', 'dsplit']

import builtins

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.core import Tracer
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, ensure_array
from jaxlite.runtime.array import Array
from jaxlite.numpy.library_jit import library_jit
from jaxlite.numpy.reshaping import (_array, atleast_1d, atleast_2d, atleast_3d,
                                     expand_dims, ravel, reshape)


# --- joining ----------------------------------------------------------------------------


def concatenate(arrays, axis: int | None = 0, dtype=None):
  """Joins arrays along an existing axis (flattened first if ``axis`` is None).

  >>> import jaxlite.numpy as jnp
  >>> jnp.concatenate([jnp.arange(2), jnp.arange(1)])
  Array([0, 1, 0], dtype=int32)
  """
  if isinstance(arrays, (*promotion._ARRAY_TYPES, np.ndarray)):
    return _concatenate_array(arrays, axis, dtype)
  if not len(arrays):
    raise ValueError("Need at least one array to concatenate.")
  promotion.check_arraylike_sequence("concatenate", arrays)
  if axis is None:
    arrays = [ravel(a) for a in arrays]
    axis = 0
  if promotion.ndim(arrays[0]) == 0:
    raise ValueError("Zero-dimensional arrays cannot be concatenated.")
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "concatenate")
    arrays = [promotion.convert(a, dtype) for a in arrays]
  else:
    arrays = promotion.promote_dtypes(*arrays)
  arrays = [ensure_array(a) for a in arrays]
  # Ranks that differ are lax.concatenate's TypeError (JAX's), naming the
  # shapes, batched ones under vmap.
  axis = canonicalize_axis(axis, arrays[0].ndim)
  if len(arrays) == 1:
    return arrays[0]
  return lax.concatenate(arrays, axis)


def _concatenate_array(arr, axis, dtype):
  # An array's rows joined along `axis` are one reshape of it, as in JAX (whose
  # jaxpr is that reshape, not a slice per row).
  if dtype is not None:
    arr = promotion.convert(arr, dtypes.check_and_canonicalize_user_dtype(dtype, "asarray"))
  arr = ensure_array(arr)
  if arr.ndim == 0 or arr.shape[0] == 0:
    raise ValueError("Need at least one array to concatenate.")
  if axis is None:
    return reshape(arr, (arr.size,))
  if arr.ndim == 1:
    raise ValueError("Zero-dimensional arrays cannot be concatenated.")
  axis = canonicalize_axis(axis, arr.ndim - 1)
  shape = arr.shape[1:axis + 1] + (arr.shape[0] * arr.shape[axis + 1],) + arr.shape[axis + 2:]
  return lax.reshape(arr, shape, (*range(1, axis + 1), 0, *range(axis + 1, arr.ndim)))


def concat(arrays, /, *, axis: int | None = 0):
  """The array API's name for ``concatenate``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.concat([jnp.zeros(1), jnp.ones(1)])
  Array([0., 1.], dtype=float32)
  """
  return concatenate(arrays, axis)


def stack(arrays, axis: int = 0, out=None, dtype=None):
  """Joins arrays of one shape along a new axis.

  >>> import jaxlite.numpy as jnp
  >>> jnp.stack([jnp.arange(2), jnp.arange(2)], axis=1).shape
  (2, 2)
  """
  # JAX's order of checks: len() first (a 0-d array's TypeError), then `out`.
  if not len(arrays):
    raise ValueError("Need at least one array to stack.")
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.stack is not supported.")
  if isinstance(arrays, (*promotion._ARRAY_TYPES, np.ndarray)):
    axis = canonicalize_axis(axis, promotion.ndim(arrays))
    return concatenate(expand_dims(arrays, axis + 1), axis, dtype=dtype)
  promotion.check_arraylike_sequence("stack", arrays)
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "stack")
    arrays = [promotion.convert(a, dtype) for a in arrays]
  else:
    arrays = promotion.promote_dtypes(*arrays)
  # One `stack` equation, as JAX (its shape errors name the shapes).
  return lax.stack(arrays, axis=axis)


def _atleast_rank(x, rank):
  # JAX's new leading axes of a block: one `broadcast_in_dim`.
  x = ensure_array(promotion.asarray_value(x))
  return lax.broadcast(x, (1,) * (rank - x.ndim)) if x.ndim < rank else x


def _block(arrays):
  """``(array, depth)`` of a nested list of blocks; innermost lists join along
  the last axis, each outer level along the axis before."""
  if isinstance(arrays, tuple):
    raise ValueError(f"jax.numpy.block does not allow tuples, got {arrays}")
  if not isinstance(arrays, list):
    return ensure_array(promotion.asarray_value(arrays)), 1
  if not arrays:
    raise ValueError("jax.numpy.block does not allow empty list arguments")
  parts, depths = zip(*(_block(a) for a in arrays))
  if any(d != depths[0] for d in depths[1:]):
    raise ValueError("Mismatched list depths in jax.numpy.block")
  rank = builtins.max(depths[0], *(p.ndim for p in parts))
  return concatenate([_atleast_rank(p, rank) for p in parts], axis=-depths[0]), depths[0] + 1


@library_jit
def block(arrays):
  """Assembles an array from nested lists of blocks (innermost lists join along
  the last axis, each outer level along the axis before).

  >>> import jaxlite.numpy as jnp
  >>> jnp.block([[jnp.eye(2, dtype=jnp.int32), jnp.zeros((2, 1), jnp.int32)],
  ...            [jnp.zeros((1, 2), jnp.int32), jnp.ones((1, 1), jnp.int32)]])
  Array([[1, 0, 0],
         [0, 1, 0],
         [0, 0, 1]], dtype=int32)
  """
  return _block(arrays)[0]


def unstack(x, /, *, axis: int = 0):
  """The slices of ``x`` along ``axis``, as a tuple.

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.unstack(jnp.zeros((3, 2))))
  3
  """
  x = _array(x, "unstack")
  axis = canonicalize_axis(axis, x.ndim)
  return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis]))


def _is_one_array(tup):
  # An array (not a sequence of them) is stacked by mapping over its first axis.
  return isinstance(tup, (*promotion._ARRAY_TYPES, np.ndarray))


def _vmapped(fun, tup):
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  return vmap(fun)(tup)


def _each_at_least(fun, tup, name):
  """``fun`` (an atleast_Nd) applied to every member of ``tup``: one mapped
  call for a single array (JAX's one equation), else one call per member."""
  if _is_one_array(tup):
    return _vmapped(fun, tup)
  check_arraylike(name, *tup)
  return [fun(a) for a in tup]


def hstack(tup, dtype=None):
  """Joins arrays horizontally (along axis 1, or 0 for 1-D arrays).

  >>> import jaxlite.numpy as jnp
  >>> jnp.hstack([jnp.zeros(1), jnp.ones(2)]).shape
  (3,)
  """
  arrs = _each_at_least(atleast_1d, tup, "hstack")
  first_ndim = arrs.ndim - 1 if _is_one_array(tup) else arrs[0].ndim
  return concatenate(arrs, 0 if first_ndim == 1 else 1, dtype=dtype)


def vstack(tup, dtype=None):
  """Joins arrays vertically (along axis 0, after ``atleast_2d``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.vstack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
  """
  arrs = _each_at_least(atleast_2d, tup, "vstack")
  return concatenate(arrs, 0, dtype=dtype)


row_stack = vstack


def dstack(tup, dtype=None):
  """Joins arrays along the third axis (after ``atleast_3d``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.dstack([jnp.zeros(2), jnp.ones(2)]).shape
  (1, 2, 2)
  """
  arrs = _each_at_least(atleast_3d, tup, "dstack")
  return concatenate(arrs, 2, dtype=dtype)


def column_stack(tup):
  """Stacks 1-D arrays as columns of a 2-D array.

  >>> import jaxlite.numpy as jnp
  >>> jnp.column_stack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
  """
  if _is_one_array(tup):
    arrs = _vmapped(lambda a: atleast_2d(a).T, tup) if tup.ndim < 3 else tup
  else:
    check_arraylike("column_stack", *tup)
    arrs = [atleast_2d(a).T if a.ndim < 2 else a
            for a in (_array(a, "column_stack") for a in tup)]
  return concatenate(arrs, 1)


# --- splitting -------------------------------------------------------------------------


def _split(fun_name, ary, indices_or_sections, axis, even):
  ary = _array(ary, fun_name)
  axis = canonicalize_axis(axis, ary.ndim)
  n = ary.shape[axis]
  if isinstance(indices_or_sections, (tuple, list, np.ndarray, Array)) and \
      np.ndim(indices_or_sections) == 1:
    splits = [int(i) for i in np.asarray(indices_or_sections)]
    bounds = [0] + [builtins.min(builtins.max(s + n if s < 0 else s, 0), n)
                    for s in splits] + [n]
  else:
    sections = promotion.concrete_int(indices_or_sections,
                                      f"'indices_or_sections' of jnp.{fun_name}")
    if sections <= 0:
      raise ValueError("number sections must be larger than 0.")
    if even and n % sections:
      raise ValueError("array split does not result in an equal division: "
                       f"size {n} into {sections} sections")
    per, extra = builtins.divmod(n, sections)
    sizes = [per + 1] * extra + [per] * (sections - extra)
    bounds = [0] + list(np.cumsum(sizes))
  out = []
  for start, stop in zip(bounds[:-1], bounds[1:]):
    stop = builtins.max(start, stop)
    out.append(lax.slice_in_dim(ary, int(start), int(stop), axis=axis))
  return out


def split(ary, indices_or_sections, axis: int = 0):
  """Splits into equal sections, or at the given indices, along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> [p.shape for p in jnp.split(jnp.arange(6), [2, 3])]
  [(2,), (1,), (3,)]
  """
  return _split("split", ary, indices_or_sections, axis, True)


def array_split(ary, indices_or_sections, axis: int = 0):
  """Like ``split``, allowing sections of unequal sizes.

  >>> import jaxlite.numpy as jnp
  >>> [p.shape for p in jnp.array_split(jnp.arange(5), 2)]
  [(3,), (2,)]
  """
  return _split("array_split", ary, indices_or_sections, axis, False)


def hsplit(ary, indices_or_sections):
  """``split`` along axis 1 (0 for 1-D arrays).

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.hsplit(jnp.zeros((2, 4)), 2))
  2
  """
  ary = _array(ary, "hsplit")
  return split(ary, indices_or_sections, 0 if ary.ndim == 1 else 1)


def vsplit(ary, indices_or_sections):
  """``split`` along axis 0.

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.vsplit(jnp.zeros((4, 2)), 2))
  2
  """
  return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
  """``split`` along axis 2.

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.dsplit(jnp.zeros((1, 1, 4)), 2))
  2
  """
  return split(ary, indices_or_sections, 2)
