"""NumPy's in-place updates as functional ones: ``put``, ``place`` and
``fill_diagonal`` return an updated copy (JAX arrays are immutable, so
``inplace=False`` must be passed, as in JAX), built with scatters.

  >>> import jaxlite.numpy as jnp
  >>> jnp.put(jnp.zeros(3), jnp.array([1]), 5.0, inplace=False)
  Array([0., 5., 0.], dtype=float32)
"""
from __future__ import annotations

__all__ = ['put', 'place', 'fill_diagonal']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.numpy import promotion, reductions, reshaping, ufuncs
from jaxlite.numpy.promotion import check_arraylike, ensure_array


def _no_inplace(fun_name, inplace):
  if inplace:
    raise ValueError(f"jax.numpy.{fun_name} cannot modify arrays in-place, because JAX "
                     "arrays are immutable. Pass inplace=False to instead return an "
                     "updated array.")


def _cycled(values, n, dtype):
  """The flattened ``values`` repeated cyclically to length ``n``."""
  values = reshaping.ravel(ensure_array(promotion.convert(values, dtype)))
  if values.shape[0] == n:
    return values
  if values.shape[0] == 0:
    raise ValueError("Cannot use empty values with non-empty indices")
  index = np.arange(n) % values.shape[0]
  return values[index.astype(np.int32)]


def put(a, ind, v, mode=None, *, inplace: bool = True):
  """A copy of ``a`` with the flat positions ``ind`` set to ``v`` (cycled).

  ``mode`` is 'clip' (the default) or 'wrap' for out-of-range indices;
  'raise' is not supported.

  >>> import jaxlite.numpy as jnp
  >>> jnp.put(jnp.zeros((2, 2)), jnp.array([0, 3]), jnp.array([1.0, 2.0]), inplace=False)
  Array([[1., 0.],
         [0., 2.]], dtype=float32)
  """
  _no_inplace("put", inplace)
  check_arraylike("put", a, ind, v)
  a = ensure_array(promotion.asarray_value(a))
  ind = reshaping.ravel(ensure_array(promotion.asarray_value(ind)))
  if not dtypes.issubdtype(ind.dtype, np.integer):
    raise TypeError(f"put: indices must be integers; got {ind.dtype}")
  if mode == "raise":
    raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
  if mode not in (None, "clip", "wrap"):
    raise ValueError(f"mode should be one of 'wrap' or 'clip'; got {mode=}")
  if ind.shape[0] == 0 or a.size == 0:
    return a
  size = np.asarray(a.size, ind.dtype)
  if mode == "wrap":
    ind = ufuncs.remainder(ind, size)
  else:
    ind = lax.clamp(np.asarray(0, ind.dtype), ind, np.asarray(a.size - 1, ind.dtype))
  values = _cycled(v, ind.shape[0], a.dtype)
  flat = reshaping.ravel(a).at[ind].set(values, mode="promise_in_bounds")
  return reshaping.reshape(flat, a.shape)


def place(arr, mask, vals, *, inplace: bool = True):
  """A copy of ``arr`` with the positions where ``mask`` holds set to ``vals``,
  taken in order and cycled.

  >>> import jaxlite.numpy as jnp
  >>> jnp.place(jnp.zeros(4), jnp.array([1, 0, 1, 1]), jnp.array([7.0, 8.0]), inplace=False)
  Array([7., 0., 8., 7.], dtype=float32)
  """
  _no_inplace("place", inplace)
  check_arraylike("place", arr, mask, vals)
  arr = ensure_array(promotion.asarray_value(arr))
  mask = ensure_array(promotion.asarray_value(mask))
  if mask.size != arr.size:
    raise ValueError(f"place: arr and mask must have the same size; got {arr.size} and "
                     f"{mask.size}")
  flat_mask = ufuncs._to_bool(reshaping.ravel(mask))
  vals = reshaping.ravel(ensure_array(promotion.convert(vals, arr.dtype)))
  if vals.shape[0] == 0:
    raise ValueError("Cannot place empty values into a masked array")
  # The k-th masked position takes vals[k % len(vals)]; works with a traced mask.
  index_dtype = dtypes.canonicalize_dtype(np.int32)
  rank = lax.sub(reductions.cumsum(flat_mask, dtype=index_dtype), np.asarray(1, index_dtype))
  rank = lax.rem(lax.max(rank, np.asarray(0, index_dtype)),
                 np.asarray(vals.shape[0], index_dtype))
  out = ufuncs.where(flat_mask, vals[rank], reshaping.ravel(arr))
  return reshaping.reshape(out, arr.shape)


def fill_diagonal(a, val, wrap: bool = False, *, inplace: bool = True):
  """A copy of ``a`` with its main diagonal set to ``val`` (cycled).

  ``a`` is 2-D (possibly tall) or has all sides equal.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fill_diagonal(jnp.zeros((2, 2)), 1.0, inplace=False)
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  _no_inplace("fill_diagonal", inplace)
  if wrap:
    raise NotImplementedError("wrap=True is not implemented, must use wrap=False")
  check_arraylike("fill_diagonal", a, val)
  a = ensure_array(promotion.asarray_value(a))
  if a.ndim < 2:
    raise ValueError("array must be at least 2-d")
  if a.ndim > 2 and len(set(a.shape)) != 1:
    raise ValueError("All dimensions of input must be of equal length")
  n = min(a.shape)
  values = _cycled(val, n, a.dtype)
  diagonal = lax.iota(dtypes.canonicalize_dtype(np.int32), n)
  return a.at[(diagonal,) * a.ndim].set(values)

