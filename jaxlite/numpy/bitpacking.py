"""Packing booleans into the bits of ``uint8`` and back: ``packbits`` and
``unpackbits``, with NumPy's big- and little-endian bit orders.

  >>> import jaxlite.numpy as jnp
  >>> jnp.packbits(jnp.array([1, 0, 1]))
  Array([160], dtype=uint8)
"""
from __future__ import annotations

__all__ = ['packbits', 'unpackbits']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import joining, promotion, reductions, reshaping, ufuncs
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, ensure_array
from jaxlite.numpy.library_jit import library_jit


def _bit_weights(bitorder):
  if bitorder not in ("big", "little"):
    raise ValueError("'order' must be either 'little' or 'big'")
  weights = 2 ** np.arange(8, dtype=np.uint8)
  return weights[::-1].copy() if bitorder == "big" else weights


@library_jit(static_argnames=('axis', 'bitorder'))
def packbits(a, axis=None, bitorder: str = "big"):
  """The elements of ``a`` as bits (non-zero is 1), packed eight to a ``uint8``
  along ``axis`` (of the flattened ``a`` if None), zero-padded at the end.

  >>> import jaxlite.numpy as jnp
  >>> jnp.packbits(jnp.array([[1, 0, 1], [0, 1, 1]]), axis=1, bitorder="little")
  Array([[5],
         [6]], dtype=uint8)
  """
  check_arraylike("packbits", a)
  a = ensure_array(promotion.asarray_value(a))
  if not (a.dtype == np.bool_ or dtypes.issubdtype(a.dtype, np.integer)):
    raise TypeError("Expected an input array of integer or boolean data type")
  weights = _bit_weights(bitorder)
  if axis is None:
    a, axis = reshaping.ravel(a), 0
  axis = canonicalize_axis(axis, a.ndim)
  bits = lax.convert_element_type(ufuncs._to_bool(a), np.uint8)
  n = bits.shape[axis]
  pad = -n % 8
  if pad:
    widths = [(0, 0, 0)] * bits.ndim
    widths[axis] = (0, pad, 0)
    bits = lax.pad(bits, np.asarray(0, np.uint8), widths)
  groups = bits.shape[axis] // 8
  shape = bits.shape[:axis] + (groups, 8) + bits.shape[axis + 1:]
  bits = lax_structural.reshape(bits, shape)
  weight_shape = [1] * len(shape)
  weight_shape[axis + 1] = 8
  weighted = ufuncs.multiply(bits, np.reshape(weights, weight_shape))
  return reductions.sum(weighted, axis=axis + 1, dtype=np.uint8)


def unpackbits(a, axis=None, count=None, bitorder: str = "big"):
  """The bits of the ``uint8`` array ``a`` as 0/1 ``uint8`` values along ``axis``
  (of the flattened ``a`` if None); ``count`` keeps the first ``count`` bits
  (negative: drops that many from the end).

  >>> import jaxlite.numpy as jnp
  >>> jnp.unpackbits(jnp.array([5], dtype=jnp.uint8))
  Array([0, 0, 0, 0, 0, 1, 0, 1], dtype=uint8)
  """
  check_arraylike("unpackbits", a)
  a = ensure_array(promotion.asarray_value(a))
  if a.dtype != np.uint8:
    raise TypeError("Expected an input array of unsigned byte data type")
  weights = _bit_weights(bitorder)
  if axis is None:
    a, axis = reshaping.ravel(a), 0
  axis = canonicalize_axis(axis, a.ndim)
  expanded = reshaping.expand_dims(a, axis + 1)
  weight_shape = [1] * expanded.ndim
  weight_shape[axis + 1] = 8
  bits = lax.convert_element_type(ufuncs.not_equal(
      ufuncs.bitwise_and(expanded, np.reshape(weights, weight_shape)),
      np.asarray(0, np.uint8)), np.uint8)
  shape = a.shape[:axis] + (a.shape[axis] * 8,) + a.shape[axis + 1:]
  bits = lax_structural.reshape(bits, shape)
  if count is not None:
    count = promotion.concrete_int(count, "'count' argument of jnp.unpackbits")
    total = shape[axis]
    keep = max(total + count, 0) if count < 0 else count
    if keep <= total:
      bits = lax.slice_in_dim(bits, 0, keep, axis=axis)
    else:
      pad_shape = list(shape)
      pad_shape[axis] = keep - total
      bits = joining.concatenate([bits, lax_structural.full(tuple(pad_shape), 0, np.uint8)],
                                 axis)
  return bits
