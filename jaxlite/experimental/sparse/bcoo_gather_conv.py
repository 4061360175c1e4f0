"""``bcoo_gather`` and ``bcoo_conv_general_dilated``: BCOO forms of ``lax.gather`` and
of the one-dimensional ``lax.conv_general_dilated``, built from other BCOO operations
as JAX builds them (so results have JAX's layout and nse).

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> x = sparse.BCOO.fromdense(jnp.array([[[0., 1., 0., 2.]]]))
  >>> sparse.bcoo_conv_general_dilated(x, jnp.array([[[1., 1.]]]), window_strides=(1,),
  ...                                  padding='VALID').todense()
  Array([[[1., 1., 2.]]], dtype=float32)
"""
from __future__ import annotations

import functools

import numpy as np

from jaxlite.experimental.sparse.bcoo import BCOO, bcoo_transpose
from jaxlite.experimental.sparse.bcoo_convert import validate_bcoo
from jaxlite.experimental.sparse.bcoo_layout import bcoo_update_layout
from jaxlite.experimental.sparse.bcoo_structural import (bcoo_dynamic_slice, bcoo_squeeze,
                                                         bcoo_reshape)

__all__ = ["bcoo_gather", "bcoo_conv_general_dilated"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


def _lax():
  from jaxlite import lax
  return lax


def bcoo_gather(operand: BCOO, start_indices, dimension_numbers, slice_sizes, *,
                unique_indices: bool = False, indices_are_sorted: bool = False,
                mode=None, fill_value=None) -> BCOO:
  """BCOO version of lax.gather.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> M = BCOO.fromdense(jnp.array([[0., 1.], [2., 0.], [0., 3.]]))
  >>> dnums = lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
  ...                                    start_index_map=(0,))
  >>> bcoo_gather(M, jnp.array([[2], [0]]), dnums, slice_sizes=(1, 2)).todense()
  Array([[0., 3.],
         [0., 1.]], dtype=float32)
  """
  import jaxlite
  lax = _lax()
  jnp = _jnp()
  validate_bcoo(operand.data, operand.indices, operand.shape)
  if mode is None:
    mode = lax.GatherScatterMode.PROMISE_IN_BOUNDS
  if lax.GatherScatterMode.from_any(mode) != lax.GatherScatterMode.PROMISE_IN_BOUNDS:
    raise NotImplementedError(f"bcoo_gather: mode={mode!r} not yet supported.")
  start_indices = jnp.asarray(start_indices)
  # lax.gather's shape rule checks the arguments and gives the result's shape.
  out_aval = jaxlite.eval_shape(
      functools.partial(lax.gather, dimension_numbers=dimension_numbers,
                        slice_sizes=slice_sizes, unique_indices=unique_indices,
                        indices_are_sorted=indices_are_sorted, mode=mode,
                        fill_value=fill_value),
      jaxlite.ShapeDtypeStruct(operand.shape, operand.dtype),
      jaxlite.ShapeDtypeStruct(start_indices.shape, start_indices.dtype))
  offset_dims = tuple(dimension_numbers.offset_dims)

  # Every gathered slice is a dynamic slice of the full rank: dimensions that no index
  # addresses start at 0 and keep their whole size.
  starts = [jnp.zeros((), start_indices.dtype)] * operand.ndim
  in_axes = [None] * operand.ndim
  sizes = list(operand.shape)
  for i, dim in enumerate(dimension_numbers.start_index_map):
    starts[dim] = start_indices[..., i].ravel()
    sizes[dim] = slice_sizes[dim]
    in_axes[dim] = 0

  def one_slice(index):
    piece = bcoo_dynamic_slice(operand, index, slice_sizes=sizes)
    return bcoo_squeeze(piece, dimensions=dimension_numbers.collapsed_slice_dims)
  result = jaxlite.vmap(one_slice, in_axes=(in_axes,))(starts)
  result = bcoo_reshape(result, new_sizes=(*start_indices.shape[:-1], *result.shape[1:]),
                        dimensions=tuple(range(result.ndim)))
  if result.shape:
    # The gathered (batch) dimensions go where offset_dims leaves room for them.
    batch_dims = tuple(d for d in range(len(out_aval.shape)) if d not in offset_dims)
    permutation = np.zeros(result.ndim, dtype=int)
    permutation[np.array(batch_dims + offset_dims)] = np.arange(result.ndim)
    if set(permutation[:len(batch_dims)]) != set(range(len(batch_dims))):
      # Batch dimensions cannot move among the others: make them sparse first.
      result = bcoo_update_layout(result, n_batch=0)
    result = bcoo_transpose(result, permutation=tuple(int(p) for p in permutation))
  return result.reshape(out_aval.shape).astype(out_aval.dtype)


def bcoo_conv_general_dilated(lhs, rhs, *, window_strides, padding, lhs_dilation=None,
                              rhs_dilation=None, dimension_numbers=None,
                              feature_group_count=1, batch_group_count=1, precision=None,
                              preferred_element_type=None, out_sharding=None) -> BCOO:
  """BCOO version of ``lax.conv_general_dilated`` (as JAX's: one spatial dimension, a
  single batch and feature, unit strides and dilations); either operand may be BCOO.

  >>> import jaxlite.numpy as jnp
  >>> x = BCOO.fromdense(jnp.array([[[0., 1., 0.]]]))
  >>> bcoo_conv_general_dilated(x, jnp.array([[[1., 2.]]]), window_strides=(1,),
  ...                           padding=[(1, 0)]).todense()
  Array([[[0., 2., 1.]]], dtype=float32)
  """
  import jaxlite
  lax = _lax()
  # Staging lax.conv_general_dilated checks the arguments and canonicalizes them
  # (padding strings to pairs, default dilations).
  conv = functools.partial(
      lax.conv_general_dilated, window_strides=window_strides, padding=padding,
      lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation,
      dimension_numbers=dimension_numbers, feature_group_count=feature_group_count,
      batch_group_count=batch_group_count, precision=precision,
      preferred_element_type=preferred_element_type, out_sharding=out_sharding)
  jaxpr = jaxlite.make_jaxpr(conv)(jaxlite.ShapeDtypeStruct(lhs.shape, lhs.dtype),
                                   jaxlite.ShapeDtypeStruct(rhs.shape, rhs.dtype))
  params = jaxpr.eqns[0].params
  if params["lhs_dilation"] != (1,) * (lhs.ndim - 2):
    raise NotImplementedError("bcoo convolution with lhs_dilation.")
  if params["rhs_dilation"] != (1,) * (rhs.ndim - 2):
    raise NotImplementedError("bcoo convolution with lhs_dilation.")   # JAX's wording
  if params["window_strides"] != (1,) * (lhs.ndim - 2):
    raise NotImplementedError("bcoo convolution with non-unit window_strides.")
  # JAX chains these comparisons (a != b != c), and so does this check.
  if params["batch_group_count"] != params["feature_group_count"] != 1:
    raise NotImplementedError("bcoo convolution with non-unit group counts.")
  if tuple(lhs.shape[:2]) != tuple(rhs.shape[:2]) != (1, 1):
    raise NotImplementedError("bcoo convolution with leading dimensions other than (1, 1)")
  index_dtype = (lhs.indices.dtype if hasattr(lhs, "indices")
                 else rhs.indices.dtype if hasattr(rhs, "indices") else np.dtype("int32"))
  (pad,) = params["padding"]
  return _conv_1d(_as_1d_bcoo(lhs, index_dtype), _as_1d_bcoo(rhs, index_dtype), pad)


def _as_1d_bcoo(mat, index_dtype) -> BCOO:
  """The one spatial dimension of a ``(1, 1, n)`` operand as a 1-D BCOO array."""
  from jaxlite.basearray import Array
  lax = _lax()
  jnp = _jnp()
  if isinstance(mat, (Array, np.ndarray)):
    data = lax.squeeze(mat, (0, 1))
    indices = lax.broadcasted_iota(index_dtype, (len(data), 1), 0)
  elif isinstance(mat, BCOO):
    mat = mat.update_layout(n_batch=2, n_dense=0)
    data = lax.squeeze(mat.data, (0, 1))
    indices = lax.squeeze(mat.indices, (0, 1))
    # Padding elements (index past the end) must not contribute.
    data = jnp.where(lax.squeeze(indices, (1,)) < mat.shape[-1], data, 0)
  else:
    raise TypeError(f"bcoo_conv_general_dilated: input of type {type(mat)} not recognized.")
  return BCOO((data, indices), shape=mat.shape[2:])


def _conv_1d(lhs: BCOO, rhs: BCOO, padding) -> BCOO:
  """Every stored pair's product, at output position ``i + pad_lo - j`` (a correlation)."""
  lax = _lax()
  jnp = _jnp()
  lo, hi = (int(p) for p in padding)
  data = (lhs.data[:, None] * rhs.data[None, :]).ravel()
  positions = (lhs.indices[:, None] + (lo - rhs.indices)[None, :]).ravel()
  before_start = positions < 0
  positions = jnp.where(before_start, 0, positions)
  data = jnp.where(before_start, 0, data)
  size = max(0, lhs.shape[0] + lo + hi - rhs.shape[0] + 1)
  return BCOO((lax.expand_dims(data, (0, 1)), lax.expand_dims(positions, (0, 1, 3))),
              shape=(1, 1, size))
