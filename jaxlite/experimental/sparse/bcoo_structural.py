"""Structural BCOO operations, as compositions of the stored buffers' operations:
``bcoo_squeeze``, ``bcoo_rev``, ``bcoo_broadcast_in_dim``, ``bcoo_concatenate``,
``bcoo_reshape``, ``bcoo_slice``.

Batch and dense dimensions change the buffers' shapes (``data``/``indices``);
sparse dimensions change the stored indices themselves. Differentiation,
``vmap`` and ``jit`` go through the buffers' own operations.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.BCOO.fromdense(jnp.array([[0., 1., 2.]]))
  >>> sparse.bcoo_squeeze(M, dimensions=(0,)).todense()
  Array([0., 1., 2.], dtype=float32)
"""
from __future__ import annotations

import math
import operator

import numpy as np

from jaxlite.experimental.sparse.bcoo import BCOO
from jaxlite.experimental.sparse.bcoo_convert import validate_permutation
from jaxlite.experimental.sparse.bcoo_ops import bcoo_sum_duplicates

__all__ = ["bcoo_squeeze", "bcoo_rev", "bcoo_broadcast_in_dim", "bcoo_concatenate",
           "bcoo_reshape", "bcoo_slice", "bcoo_dynamic_slice"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


def _lax():
  from jaxlite import lax
  return lax


def _sparse_bound(mat: BCOO):
  jnp = _jnp()
  return jnp.array(mat.shape[mat.n_batch:mat.n_batch + mat.n_sparse], mat.indices.dtype)


def bcoo_squeeze(arr: BCOO, *, dimensions) -> BCOO:
  """Sparse implementation of {func}`jax.lax.squeeze`.

  Squeeze any number of size 1 dimensions from an array.

  Args:
    arr: BCOO array to be reshaped.
    dimensions: sequence of integers specifying dimensions to squeeze.

  Returns:
    out: reshaped array.

  >>> import jaxlite.numpy as jnp
  >>> bcoo_squeeze(BCOO.fromdense(jnp.ones((1, 2))), dimensions=(0,)).shape
  (2,)
  """
  lax = _lax()
  dimensions = tuple(operator.index(d) % arr.ndim for d in dimensions)
  if any(arr.shape[d] != 1 for d in dimensions):
    raise ValueError("cannot select an axis to squeeze out which has size not equal to one, "
                     f"got shape={arr.shape} and dimensions={dimensions}")
  batch_dims = tuple(d for d in dimensions if d < arr.n_batch)
  kept_sparse = np.array([i for i in range(arr.n_sparse) if i + arr.n_batch not in dimensions],
                         np.int32)
  dense_dims = tuple(d - arr.n_sparse + 1 for d in dimensions if d >= arr.n_batch + arr.n_sparse)
  data = lax.squeeze(arr.data, batch_dims + dense_dims)
  indices = lax.squeeze(arr.indices[..., kept_sparse], batch_dims)
  shape = tuple(s for i, s in enumerate(arr.shape) if i not in dimensions)
  return BCOO((data, indices), shape=shape, indices_sorted=arr.indices_sorted,
              unique_indices=arr.unique_indices)


def bcoo_rev(operand: BCOO, dimensions) -> BCOO:
  """Sparse implementation of {func}`jax.lax.rev`

  >>> import jaxlite.numpy as jnp
  >>> bcoo_rev(BCOO.fromdense(jnp.array([1., 0., 2.])), (0,)).todense()
  Array([2., 0., 1.], dtype=float32)
  """
  jnp, lax = _jnp(), _lax()
  dimensions = [operator.index(d) for d in dimensions]
  if any(not 0 <= d < operand.ndim for d in dimensions) or len(set(dimensions)) != len(dimensions):
    raise ValueError(f"rev dimensions must be unique and in range, got {tuple(dimensions)} "
                     f"for operand of rank {operand.ndim}")
  n_batch, n_sparse = operand.n_batch, operand.n_sparse
  batch_dims = [d for d in dimensions if d < n_batch]
  sparse_dims = [d - n_batch for d in dimensions if n_batch <= d < n_batch + n_sparse]
  dense_dims = [d for d in dimensions if d >= n_batch + n_sparse]
  data, indices = operand.data, operand.indices
  if batch_dims:
    indices = lax.rev(indices, batch_dims)
  if batch_dims or dense_dims:
    data = lax.rev(data, batch_dims + [d + 1 - n_sparse for d in dense_dims])
  if sparse_dims:
    bound = _sparse_bound(operand)
    flip = np.zeros(n_sparse, bool)
    flip[sparse_dims] = True
    flipped = jnp.where(jnp.asarray(flip), bound - 1 - indices, indices)
    # Padding (index == size) would land at -1: keep it as padding.
    indices = jnp.where(flipped < 0, bound, flipped)
  return BCOO((data, indices), shape=operand.shape)


def bcoo_broadcast_in_dim(mat: BCOO, *, shape, broadcast_dimensions, sharding=None) -> BCOO:
  """Expand the size and rank of a BCOO array by duplicating the data.

  A BCOO equivalence to jax.lax.broadcast_in_dim.

  Args:
    mat: A BCOO-format array.
    shape: The shape of the target array.
    broadcast_dimensions: The dimension in the shape of the target array which
      each dimension of the operand (``mat``) shape corresponds to.

  Returns:
    A BCOO-format array containing the target array.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([0., 3.]))
  >>> bcoo_broadcast_in_dim(M, shape=(2, 2), broadcast_dimensions=(1,)).todense()
  Array([[0., 3.],
         [0., 3.]], dtype=float32)
  """
  jnp, lax = _jnp(), _lax()
  if sharding is not None:
    raise NotImplementedError("bcoo_broadcast_in_dim: sharding is not supported")
  shape = tuple(operator.index(s) for s in shape)
  dims = tuple(operator.index(d) for d in broadcast_dimensions)
  if mat.ndim != len(dims):
    raise ValueError(f"spinfo.shape={mat.shape} and broadcast_dimensions={dims} must have the "
                     "same length")
  n_batch, n_sparse, n_dense, nse = mat.n_batch, mat.n_sparse, mat.n_dense, mat.nse
  batch_dims, sparse_dims = dims[:n_batch], dims[n_batch:n_batch + n_sparse]
  dense_dims = dims[n_batch + n_sparse:]
  if max(batch_dims, default=0) > min(sparse_dims, default=len(shape)):
    raise ValueError("Cannot mix batch and sparse dimensions during broadcast_in_dim")
  if max(sparse_dims, default=0) > min(dense_dims, default=len(shape)):
    raise ValueError("Cannot mix sparse and dense dimensions during broadcast_in_dim")
  # New dimensions before the first sparse or dense one are batch dimensions.
  new_n_batch = min(dims[n_batch:], default=len(shape))
  new_n_dense = n_dense and len(shape) - min(dims[-n_dense:])
  new_n_sparse = len(shape) - new_n_batch - new_n_dense
  if math.prod(mat.shape[n_batch:n_batch + n_sparse]) != \
      math.prod(shape[new_n_batch:new_n_batch + new_n_sparse]):
    raise NotImplementedError("Adding sparse dimensions with lengths != 1")
  data, indices = mat.data, mat.indices
  if (new_n_batch, new_n_dense) != (n_batch, n_dense):
    data = lax.broadcast_in_dim(
        data, (*shape[:new_n_batch], nse, *shape[new_n_batch + new_n_sparse:]),
        (*batch_dims, new_n_batch, *(b + 1 - new_n_sparse for b in dense_dims)))
    indices = lax.broadcast_in_dim(indices, (*shape[:new_n_batch], nse, n_sparse),
                                   (*batch_dims, new_n_batch, new_n_batch + 1))
  if new_n_sparse != n_sparse:
    # New sparse dimensions have length 1: their index is 0.
    columns = np.array(sparse_dims, np.int32) - new_n_batch
    indices = jnp.zeros((*indices.shape[:-1], new_n_sparse),
                        indices.dtype).at[..., columns].set(indices)
  return BCOO((data, indices), shape=shape)


def bcoo_concatenate(operands, *, dimension: int) -> BCOO:
  """Sparse implementation of :func:`jax.lax.concatenate`

  Args:
    operands : Sequence of BCOO arrays to concatenate. The arrays must have equal
      shapes, except in the `dimension` axis. Additionally, the arrays must have
      have equivalent batch, sparse, and dense dimensions.
    dimension : Positive integer specifying the dimension along which to concatenate
      the arrays. The dimension must be among batch or sparse dimensions of the input;
      concatenation along dense dimensions is not supported.

  Returns:
    A BCOO array containing the concatenation of the inputs.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([1., 0.]))
  >>> bcoo_concatenate([M, M], dimension=0).todense()
  Array([1., 0., 1., 0.], dtype=float32)
  """
  lax = _lax()
  dimension = operator.index(dimension)
  operands = list(operands)
  if not all(isinstance(op, BCOO) for op in operands):
    raise ValueError("bcoo_concatenate: expected operands to be a sequence of BCOO arrays. "
                     f"Got {operands}")
  ndim = operands[0].ndim
  if any(op.ndim != ndim for op in operands) or not 0 <= dimension < ndim or any(
      op.shape[:dimension] + op.shape[dimension + 1:] !=
      operands[0].shape[:dimension] + operands[0].shape[dimension + 1:] for op in operands):
    raise TypeError("Cannot concatenate arrays with shapes that differ in dimensions other "
                    f"than the one being concatenated: concatenating along dimension "
                    f"{dimension} for shapes {', '.join(str(op.shape) for op in operands)}.")
  if len({op.n_dense for op in operands}) > 1:
    raise ValueError("bcoo_concatenate requires inputs to have matching nse dimensions.")
  if len({op.n_batch for op in operands}) != 1:
    raise ValueError("bcoo_concatenate requires inputs to have matching batch dimensions.")
  n_batch, n_sparse = operands[0].n_batch, operands[0].n_sparse
  out_shape = list(operands[0].shape)
  out_shape[dimension] = sum(op.shape[dimension] for op in operands)
  if dimension < n_batch:
    nse = max(op.nse for op in operands)
    operands = [_pad_nse(op, nse) for op in operands]
    data = lax.concatenate([op.data for op in operands], dimension)
    indices = lax.concatenate([op.indices for op in operands], dimension)
  elif dimension < n_batch + n_sparse:
    offsets = np.cumsum([0] + [op.shape[dimension] for op in operands[:-1]])
    column = dimension - n_batch
    data = lax.concatenate([op.data for op in operands], n_batch)
    indices = lax.concatenate([op.indices.at[..., column].add(int(offset))
                               for op, offset in zip(operands, offsets)], n_batch)
  else:
    raise NotImplementedError("Concatenation along dense dimensions.")
  return BCOO((data, indices), shape=tuple(out_shape))


def _pad_nse(mat: BCOO, nse: int) -> BCOO:
  """``mat`` with padding stored elements added up to ``nse``."""
  jnp = _jnp()
  extra = nse - mat.nse
  if extra == 0:
    return mat
  n_batch = mat.n_batch
  pad_data = [(0, 0)] * n_batch + [(0, extra)] + [(0, 0)] * mat.n_dense
  data = jnp.pad(mat.data, pad_data)
  padding = jnp.broadcast_to(_sparse_bound(mat),
                             (*mat.indices.shape[:n_batch], extra, mat.n_sparse))
  indices = jnp.concatenate([mat.indices, padding], axis=n_batch)
  return BCOO((data, indices), shape=mat.shape, indices_sorted=mat.indices_sorted,
              unique_indices=mat.unique_indices)


def bcoo_reshape(mat: BCOO, *, new_sizes, dimensions=None, sharding=None) -> BCOO:
  """Sparse implementation of {func}`jax.lax.reshape`.

  Args:
    operand: BCOO array to be reshaped.
    new_sizes: sequence of integers specifying the resulting shape. The size
      of the final array must match the size of the input. This must be specified
      such that batch, sparse, and dense dimensions do not mix.
    dimensions: optional sequence of integers specifying the permutation order of
      the input shape. If specified, the length must match ``operand.shape``.
      Additionally, dimensions must only permute among like dimensions of mat:
      batch, sparse, and dense dimensions cannot be permuted.

  Returns:
    out: reshaped array.

  >>> import jaxlite.numpy as jnp
  >>> bcoo_reshape(BCOO.fromdense(jnp.array([[0., 1.], [2., 0.]])), new_sizes=(4,)).todense()
  Array([0., 1., 2., 0.], dtype=float32)
  """
  jnp, lax = _jnp(), _lax()
  if sharding is not None:
    raise NotImplementedError("bcoo_reshape: sharding is not supported")
  new_sizes = tuple(operator.index(s) for s in new_sizes)
  n_batch, n_sparse = mat.n_batch, mat.n_sparse
  if mat.indices.shape[:n_batch] != mat.data.shape[:n_batch] != mat.shape[:n_batch]:
    raise NotImplementedError("reshape of arrays with broadcasted batch dimensions.")
  batch_shape = mat.shape[:n_batch]
  sparse_shape = mat.shape[n_batch:n_batch + n_sparse]
  batch_perm, sparse_perm, dense_perm = validate_permutation(
      mat.data, mat.indices, tuple(dimensions or range(mat.ndim)), mat.shape)
  batch_size, sparse_size = math.prod(batch_shape), math.prod(sparse_shape)
  cumulative = np.cumprod(new_sizes)
  if batch_size != 1 and batch_size not in cumulative:
    raise ValueError("bcoo_reshape: new shape cannot mix batch and sparse dimensions; "
                     f"got shape={mat.shape} new_shape={new_sizes} with n_batch={n_batch}")
  if sparse_size != 1 and batch_size * sparse_size not in cumulative:
    raise ValueError("bcoo_reshape: new shape cannot mix sparse and dense dimensions; "
                     f"got shape={mat.shape} new_shape={new_sizes} with n_dense={mat.n_dense}")
  i1 = int(cumulative.searchsorted(batch_size, side="right"))
  i2 = int(cumulative.searchsorted(batch_size * sparse_size, side="right"))
  new_batch, new_sparse, new_dense = new_sizes[:i1], new_sizes[i1:i2], new_sizes[i2:]
  data = lax.reshape(mat.data, (*new_batch, mat.nse, *new_dense),
                     (*batch_perm, n_batch, *(p + n_batch + 1 for p in dense_perm)))
  indices = lax.reshape(mat.indices, (*new_batch, mat.nse, n_sparse),
                        (*batch_perm, n_batch, n_batch + 1))
  if not new_sparse:
    indices = jnp.zeros((*new_batch, mat.nse, 0), indices.dtype)
  elif sparse_shape:
    columns = tuple(indices[..., i] for i in sparse_perm)
    dims = tuple(int(sparse_shape[i]) for i in sparse_perm)
    flat = jnp.ravel_multi_index(columns, dims=dims, mode="clip")
    padding = (indices >= jnp.array(sparse_shape, indices.dtype)).any(-1, keepdims=True)
    new_columns = jnp.unravel_index(flat, new_sparse)
    indices = jnp.concatenate([c[..., None] for c in new_columns], axis=-1)
    indices = jnp.where(padding, jnp.array(new_sparse, indices.dtype), indices)
  return BCOO((data, indices), shape=new_sizes)


def bcoo_slice(mat: BCOO, *, start_indices, limit_indices, strides=None) -> BCOO:
  """Sparse implementation of {func}`jax.lax.slice`.

  Args:
    mat: BCOO array to be reshaped.
    start_indices: sequence of integers of length `mat.ndim` specifying the starting
      indices of each slice.
    limit_indices: sequence of integers of length `mat.ndim` specifying the ending
      indices of each slice
    strides: (not implemented) sequence of integers of length `mat.ndim` specifying
      the stride for each slice

  Returns:
    out: BCOO array containing the slice.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([1., 0., 2., 3.]))
  >>> bcoo_slice(M, start_indices=(1,), limit_indices=(3,)).todense()
  Array([0., 2.], dtype=float32)
  """
  jnp, lax = _jnp(), _lax()
  if not isinstance(mat, BCOO):
    raise TypeError(f"bcoo_slice: input should be BCOO array, got type(mat)={type(mat)}")
  start = [operator.index(i) for i in start_indices]
  limit = [operator.index(i) for i in limit_indices]
  strides = [1] * mat.ndim if strides is None else [operator.index(i) for i in strides]
  if len(start) != mat.ndim or len(limit) != mat.ndim:
    raise ValueError(f"bcoo_slice: indices must have size mat.ndim={mat.ndim}")
  if len(strides) != mat.ndim:
    raise ValueError(f"len(strides) = {len(strides)}; expected {mat.ndim}")
  if any(s <= 0 for s in strides):
    raise ValueError(f"strides must be a sequence of positive integers; got {strides}")
  if not all(0 <= a <= b <= n for a, b, n in zip(start, limit, mat.shape)):
    raise ValueError(f"bcoo_slice: invalid indices. Got start_indices={start}, "
                     f"limit_indices={limit} and shape={mat.shape}")
  n_batch, n_sparse = mat.n_batch, mat.n_sparse
  data_slices, index_slices = [], []
  for i in range(n_batch):
    part = slice(start[i], limit[i], strides[i])
    data_slices.append(slice(None) if mat.data.shape[i] != mat.shape[i] else part)
    index_slices.append(slice(None) if mat.indices.shape[i] != mat.shape[i] else part)
  data_slices.append(slice(None))
  index_slices += [slice(None), slice(None)]
  for i in range(n_batch + n_sparse, mat.ndim):
    data_slices.append(slice(start[i], limit[i], strides[i]))
  data, indices = mat.data[tuple(data_slices)], mat.indices[tuple(index_slices)]
  new_shape = tuple((b - a + s - 1) // s for a, b, s in zip(start, limit, strides))
  if n_sparse:
    cut = lambda v: jnp.asarray(np.array(v[n_batch:n_batch + n_sparse]), indices.dtype)
    lo, hi, step = cut(start), cut(limit), cut(strides)
    keep = jnp.all((indices >= lo) & (indices < hi) & ((indices - lo) % step == 0), axis=-1,
                   keepdims=True)
    # Elements outside the slice become padding of the new shape.
    indices = jnp.where(keep, (indices - lo + step - 1) // step, (hi - lo + step - 1) // step)
    keep_data = lax.expand_dims(keep[..., 0], tuple(range(n_batch + 1, n_batch + 1 + mat.n_dense)))
    data = jnp.where(keep_data, data, jnp.zeros((), data.dtype))
    new_nse = math.prod(new_shape[n_batch:n_batch + n_sparse])
    if mat.nse > new_nse:
      out = bcoo_sum_duplicates(BCOO((data, indices), shape=new_shape), nse=new_nse)
      data, indices = out.data, out.indices
  return BCOO((data, indices), shape=new_shape)


def bcoo_dynamic_slice(mat: BCOO, start_indices, slice_sizes) -> BCOO:
  """Sparse implementation of {func}`jax.lax.dynamic_slice`.

  Args:
    mat: BCOO array to slice.
    start_indices: a list of scalar indices, one per dimension. These values
      may be dynamic.
    slice_sizes: the size of the slice. Must be a sequence of non-negative
      integers with length equal to `ndim(operand)`. Inside a JIT compiled
      function, only static values are supported (all JAX arrays inside JIT
      must have statically known size).

  Returns:
    out: BCOO array containing the slice.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([1., 0., 2., 3.]))
  >>> bcoo_dynamic_slice(M, (jnp.array(2),), (2,)).todense()
  Array([2., 3.], dtype=float32)
  """
  jnp, lax = _jnp(), _lax()
  if not isinstance(mat, BCOO):
    raise TypeError(f"bcoo_slice: input should be BCOO array, got type(mat)={type(mat)}")
  slice_sizes = tuple(operator.index(i) for i in slice_sizes)
  starts = tuple(jnp.asarray(i) for i in start_indices)
  if len(starts) != mat.ndim or len(slice_sizes) != mat.ndim:
    raise TypeError(f"dynamic_slice: start_indices and slice_sizes must have one entry per "
                    f"dimension of an operand of shape {mat.shape}, got {len(starts)} and "
                    f"{len(slice_sizes)}")
  if any(not np.issubdtype(i.dtype, np.integer) or i.shape != () for i in starts):
    raise TypeError("index arguments to dynamic_slice must be integer scalars, got "
                    f"{tuple(str(i.dtype) + str(list(i.shape)) for i in starts)}")
  if not all(0 <= n <= size for n, size in zip(slice_sizes, mat.shape)):
    raise TypeError("slice_sizes must be less than or equal to operand shape, "
                    f"got slice_sizes {slice_sizes} for operand shape {mat.shape}")
  n_batch, n_sparse = mat.n_batch, mat.n_sparse
  zero = jnp.zeros((), starts[0].dtype) if starts else 0
  data_start, data_sizes, index_start, index_sizes = [], [], [], []
  for i in range(n_batch):
    # A broadcast (length-1) batch buffer is kept whole.
    data_bcast, index_bcast = mat.data.shape[i] != mat.shape[i], mat.indices.shape[i] != mat.shape[i]
    data_start.append(zero if data_bcast else starts[i])
    data_sizes.append(1 if data_bcast else slice_sizes[i])
    index_start.append(zero if index_bcast else starts[i])
    index_sizes.append(1 if index_bcast else slice_sizes[i])
  data_start.append(zero)
  data_sizes.append(mat.nse)
  index_start += [zero, zero]
  index_sizes += [mat.nse, n_sparse]
  data_start += list(starts[n_batch + n_sparse:])
  data_sizes += list(slice_sizes[n_batch + n_sparse:])
  data = lax.dynamic_slice(mat.data, data_start, data_sizes)
  indices = lax.dynamic_slice(mat.indices, index_start, index_sizes)
  if n_sparse:
    lo = jnp.stack([s.astype(indices.dtype) for s in starts[n_batch:n_batch + n_sparse]])
    sizes = jnp.array(slice_sizes[n_batch:n_batch + n_sparse], indices.dtype)
    bound = _sparse_bound(mat)
    # Start indices wrap once when negative and are clamped in range, as dynamic_slice's.
    lo = jnp.clip(jnp.where(lo < 0, lo + bound, lo), 0, bound - sizes)
    keep = jnp.all((indices >= lo) & (indices < lo + sizes), -1, keepdims=True)
    indices = jnp.where(keep, indices - lo, sizes)
    keep_data = lax.expand_dims(keep[..., 0], tuple(range(n_batch + 1, n_batch + 1 + mat.n_dense)))
    data = jnp.where(keep_data, data, jnp.zeros((), data.dtype))
    new_nse = math.prod(slice_sizes[n_batch:n_batch + n_sparse])
    if mat.nse > new_nse:
      out = bcoo_sum_duplicates(BCOO((data, indices), shape=slice_sizes), nse=new_nse)
      data, indices = out.data, out.indices
  return BCOO((data, indices), shape=slice_sizes)
