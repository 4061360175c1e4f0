"""BCOO conversion primitives: ``bcoo_todense``, ``bcoo_fromdense``, ``bcoo_extract``,
``bcoo_transpose``, each with its JVP, transpose and batching rules.

A BCOO array of shape ``batch + sparse + dense`` stores ``data`` of shape
``batch + (nse,) + dense`` and ``indices`` of shape ``batch + (nse, n_sparse)``;
an index equal to the dimension's size marks padding (it reads as zero and
writes nowhere). Batch dimensions of ``data`` and ``indices`` may have length 1
and then broadcast. Every primitive lowers through generic XLA ops (gather,
scatter, dot_general), as JAX does on CPU.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental.sparse.bcoo_convert import bcoo_todense_p
  >>> from jaxlite.experimental.sparse.util import SparseInfo
  >>> bcoo_todense_p.bind(jnp.array([1., 2.]), jnp.array([[0], [2]]), spinfo=SparseInfo((3,)))
  Array([1., 0., 2.], dtype=float32)
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from jaxlite import core
from jaxlite.core_tools import concrete_or_error
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.experimental.sparse.util import SparseInfo, nfold_vmap, fromdense_batcher

__all__ = ["bcoo_todense_p", "bcoo_fromdense_p", "bcoo_extract_p", "bcoo_transpose_p",
           "BCOOProperties", "validate_bcoo", "validate_bcoo_indices"]


def _jnp():
  import jaxlite.numpy as jnp  # the numpy layer sits above experimental's imports at load
  return jnp


def _lax():
  from jaxlite import lax
  return lax


class BCOOProperties(NamedTuple):
  n_batch: int
  n_sparse: int
  n_dense: int
  nse: int


def validate_bcoo_indices(indices, shape) -> BCOOProperties:
  """The layout that ``indices`` (``batch + (nse, n_sparse)``) gives an array of ``shape``."""
  shape = tuple(shape)
  if not np.issubdtype(indices.dtype, np.integer):
    raise TypeError(f"BCOO indices must have an integer dtype, got {indices.dtype}")
  if indices.ndim < 2:
    raise ValueError(f"BCOO indices must have at least 2 dimensions, got {indices.shape=}")
  nse, n_sparse = indices.shape[-2:]
  n_batch = indices.ndim - 2
  n_dense = len(shape) - n_batch - n_sparse
  if n_dense < 0:
    raise ValueError(f"Invalid {indices.shape=} for {shape=}")
  if any(s1 not in (1, s2) for s1, s2 in zip(indices.shape[:n_batch], shape[:n_batch])):
    raise ValueError(f"indices batch dimensions not compatible for {indices.shape=}, {shape=}")
  return BCOOProperties(n_batch, n_sparse, n_dense, nse)


def validate_bcoo(data, indices, shape) -> BCOOProperties:
  """The layout of BCOO buffers ``(data, indices)`` for ``shape``; JAX's errors otherwise."""
  props = validate_bcoo_indices(indices, shape)
  n_batch, n_sparse, n_dense, nse = props
  shape = tuple(shape)
  if any(s1 not in (1, s2) for s1, s2 in zip(data.shape[:n_batch], shape[:n_batch])):
    raise ValueError(f"data batch dimensions not compatible for {data.shape=}, {shape=}")
  if tuple(data.shape[n_batch:]) != (nse,) + shape[n_batch + n_sparse:]:
    raise ValueError(f"Invalid {data.shape=} for {nse=}, {n_batch=}, {n_dense=}")
  return props


def _batch_and_sparse_index(indices, shape, n_batch, n_sparse):
  """Advanced-index arrays addressing every stored element: one iota per batch dimension
  (broadcastable against ``batch + (nse,)``) and one column of ``indices`` per sparse one."""
  lax = _lax()
  batch_ind = []
  for i in range(n_batch):
    iota_shape = [1] * (n_batch + 1)
    iota_shape[i] = shape[i]
    batch_ind.append(lax.broadcasted_iota(np.int32, tuple(iota_shape), i))
  sparse_ind = [indices[..., k] for k in range(n_sparse)]
  return tuple(batch_ind), tuple(sparse_ind)


# --- bcoo_todense --------------------------------------------------------------------

bcoo_todense_p = core.Primitive("bcoo_todense")


def bcoo_todense_buffers(data, indices, *, spinfo):
  """The dense array that BCOO buffers ``(data, indices)`` stand for."""
  jnp = _jnp()
  return bcoo_todense_p.bind(jnp.asarray(data), jnp.asarray(indices), spinfo=spinfo)


def _todense_impl(data, indices, *, spinfo):
  jnp = _jnp()
  shape = spinfo.shape
  n_batch, n_sparse, _, _ = validate_bcoo(data, indices, shape)
  batch_ind, sparse_ind = _batch_and_sparse_index(indices, shape, n_batch, n_sparse)
  if not sparse_ind:
    # No sparse dimension: all stored elements of a batch add up to its one block.
    summed = data.sum(n_batch, dtype=data.dtype)
    return jnp.broadcast_to(summed, shape)
  return jnp.zeros(shape, data.dtype).at[batch_ind + sparse_ind].add(data, mode="drop")


def _todense_abstract_eval(data, indices, *, spinfo):
  validate_bcoo(data, indices, spinfo.shape)
  return core.ShapedArray(spinfo.shape, data.dtype)


def _todense_transpose(ct, data, indices, *, spinfo):
  if ad.is_undefined_primal(indices):
    raise ValueError("Cannot transpose with respect to sparse indices")
  return bcoo_extract_buffers(indices, ad.instantiate_zeros(ct)), None


def _todense_batcher(batched_args, batch_dims, *, spinfo):
  data, indices, spinfo = batch_dims_to_front(batched_args, batch_dims, spinfo)
  return bcoo_todense_buffers(data, indices, spinfo=spinfo), 0


bcoo_todense_p.def_abstract_eval(_todense_abstract_eval)
ad.defjvp(bcoo_todense_p, lambda t, data, indices, *, spinfo:
          bcoo_todense_buffers(t, indices, spinfo=spinfo), None)
ad.primitive_transposes[bcoo_todense_p] = _todense_transpose
batching.primitive_batchers[bcoo_todense_p] = _todense_batcher
mlir.register_lowering(bcoo_todense_p, mlir.lower_fun(_todense_impl, multiple_results=False))


def batch_dims_to_front(batched_args, batch_dims, spinfo, batch_size=None):
  """BCOO buffers with their vmapped axis moved to the front as a new batch dimension
  (an unbatched buffer gets a length-1 one) and the matching ``SparseInfo``."""
  data, indices = batched_args
  if all(d is None for d in batch_dims):
    if batch_size is None:
      raise ValueError("batch_dims_to_front: no batched BCOO buffer and no batch_size")
  else:
    batch_size = max(x.shape[d] for x, d in zip(batched_args, batch_dims) if d is not None)
  lax = _lax()

  def to_front(x, d):
    if d is None:
      return lax.expand_dims(x, (0,))
    return batching.moveaxis(x, d, 0)
  data, indices = to_front(data, batch_dims[0]), to_front(indices, batch_dims[1])
  return data, indices, spinfo._replace(shape=(batch_size, *spinfo.shape))


# --- bcoo_extract --------------------------------------------------------------------

bcoo_extract_p = core.Primitive("bcoo_extract")


def bcoo_extract_buffers(indices, arr, *, assume_unique=True):
  """BCOO ``data`` holding ``arr``'s values at ``indices`` (zero at padding)."""
  jnp = _jnp()
  return bcoo_extract_p.bind(jnp.asarray(indices), jnp.asarray(arr), assume_unique=assume_unique)


def _first_occurrence_mask(indices):
  """For one batch (``indices`` of shape ``(nse, n_sparse)``): True where an index has
  not appeared at an earlier position."""
  jnp = _jnp()
  nse = indices.shape[0]
  same = jnp.all(indices[:, None, :] == indices[None, :, :], axis=-1)
  earlier = jnp.tril(jnp.ones((nse, nse), bool), -1)
  return ~jnp.any(same & earlier, axis=1)


def _extract_impl(indices, arr, *, assume_unique):
  jnp = _jnp()
  lax = _lax()
  n_batch, n_sparse, _, nse = validate_bcoo_indices(indices, arr.shape)
  batch_ind, sparse_ind = _batch_and_sparse_index(indices, arr.shape, n_batch, n_sparse)
  if not sparse_ind:
    block = arr[(*batch_ind, slice(None))] if batch_ind else arr[None]
    if assume_unique:
      # Every stored element of a batch addresses its one block.
      shape = list(block.shape)
      shape[n_batch] = nse
      return lax.broadcast_in_dim(block, tuple(shape), tuple(range(block.ndim)))
    zeros = jnp.zeros((*block.shape[:n_batch], nse, *block.shape[n_batch + 1:]), arr.dtype)
    return zeros.at[(slice(None),) * n_batch + (slice(0, 1),)].set(block)
  result = arr.at[batch_ind + sparse_ind].get(mode="fill", fill_value=0)
  if not assume_unique:
    # Duplicates read their value once, at the first position holding the index.
    first = nfold_vmap(_first_occurrence_mask, n_batch)(indices)
    first = first.reshape(first.shape + (1,) * (result.ndim - first.ndim))
    result = jnp.where(first, result, jnp.zeros((), result.dtype))
  return result


def _extract_abstract_eval(indices, arr, *, assume_unique):
  n_batch, _, n_dense, nse = validate_bcoo_indices(indices, arr.shape)
  out_shape = arr.shape[:n_batch] + (nse,) + arr.shape[arr.ndim - n_dense:]
  return core.ShapedArray(out_shape, arr.dtype)


def _extract_transpose(ct, indices, arr, *, assume_unique):
  if not assume_unique:
    raise NotImplementedError("transpose of bcoo_extract with assume_unique=False")
  if ad.is_undefined_primal(indices):
    raise ValueError("Cannot transpose with respect to sparse indices")
  return None, bcoo_todense_buffers(ad.instantiate_zeros(ct), indices,
                                    spinfo=SparseInfo(arr.aval.shape))


def _extract_batcher(batched_args, batch_dims, *, assume_unique):
  lax = _lax()
  indices, arr = batched_args
  if batch_dims[0] is None:
    bdim = batch_dims[1]
    indices = lax.expand_dims(indices, (bdim,))
  elif batch_dims[1] is None:
    bdim = batch_dims[0]
    shape = list(arr.shape)
    shape.insert(bdim, indices.shape[bdim])
    arr = lax.broadcast_in_dim(arr, tuple(shape), tuple(i for i in range(len(shape)) if i != bdim))
  else:
    if batch_dims[0] != batch_dims[1]:
      raise NotImplementedError("bcoo_extract with unequal batch dimensions.")
    bdim = batch_dims[0]
  n_batch = indices.ndim - 2
  if bdim >= n_batch:
    raise ValueError(f"batch_dims={tuple(batch_dims)} out of range for indices with {n_batch=}")
  return bcoo_extract_buffers(indices, arr, assume_unique=assume_unique), bdim


bcoo_extract_p.def_abstract_eval(_extract_abstract_eval)
ad.defjvp(bcoo_extract_p, None, lambda t, indices, arr, *, assume_unique:
          bcoo_extract_buffers(indices, t, assume_unique=assume_unique))
ad.primitive_transposes[bcoo_extract_p] = _extract_transpose
batching.primitive_batchers[bcoo_extract_p] = _extract_batcher
mlir.register_lowering(bcoo_extract_p, mlir.lower_fun(_extract_impl, multiple_results=False))


# --- bcoo_fromdense ------------------------------------------------------------------

bcoo_fromdense_p = core.Primitive("bcoo_fromdense")
bcoo_fromdense_p.multiple_results = True

TRACED_NSE_ERROR = """
The error arose for the nse argument of bcoo_fromdense. In order for
BCOO.fromdense() to be used in traced/compiled code, you must pass a concrete
value to the nse (number of stored elements) argument.
"""


def count_stored_elements(mat, n_batch=0, n_dense=0):
  """The number of stored elements a BCOO form of ``mat`` needs (the most of any batch)."""
  jnp = _jnp()
  mask = mat != 0
  if n_dense:
    mask = mask.any(tuple(range(mask.ndim - n_dense, mask.ndim)))
  counts = mask.sum(tuple(range(n_batch, mask.ndim)))
  return counts.max() if counts.size else jnp.zeros((), counts.dtype)


def bcoo_fromdense_buffers(mat, *, nse, n_batch=0, n_dense=0, index_dtype=np.int32):
  """``(data, indices)`` of the BCOO form of ``mat`` with ``nse`` stored elements."""
  jnp = _jnp()
  mat = jnp.asarray(mat)
  nse = concrete_or_error(operator.index, nse, TRACED_NSE_ERROR)
  return bcoo_fromdense_p.bind(mat, nse=nse, n_batch=n_batch, n_dense=n_dense,
                               index_dtype=np.dtype(index_dtype))


def _fromdense_impl(mat, *, nse, n_batch, n_dense, index_dtype):
  jnp = _jnp()
  lax = _lax()
  n_sparse = mat.ndim - n_dense - n_batch
  mask = mat != 0
  if n_dense:
    mask = mask.any(tuple(range(mat.ndim - n_dense, mat.ndim)))

  def nonzero(a):
    # Padding positions get the out-of-bounds index (each dimension's size).
    return jnp.stack(jnp.nonzero(a, size=nse, fill_value=a.shape), axis=-1)
  if n_sparse:
    indices = nfold_vmap(nonzero, n_batch, broadcasted=False)(mask).astype(index_dtype)
  else:
    indices = jnp.zeros(mask.shape[:n_batch] + (nse, 0), index_dtype)
  data = bcoo_extract_buffers(indices, mat)
  # Stored elements past each batch's true count hold zeros.
  true_nse = mask.sum(tuple(range(n_batch, mask.ndim)))[..., None]
  position = lax.broadcasted_iota(true_nse.dtype, (1,) * n_batch + (nse,), n_batch)
  keep = (position < true_nse).reshape(mask.shape[:n_batch] + (nse,) + (1,) * n_dense)
  return jnp.where(keep, data, jnp.zeros((), data.dtype)), indices


def _fromdense_abstract_eval(mat, *, nse, n_batch, n_dense, index_dtype):
  n_sparse = mat.ndim - n_batch - n_dense
  if n_sparse < 0 or n_batch < 0 or n_dense < 0:
    raise ValueError(f"Invalid {n_batch=}, {n_dense=} for an array of rank {mat.ndim}")
  data_shape = mat.shape[:n_batch] + (nse,) + mat.shape[n_batch + n_sparse:]
  index_shape = mat.shape[:n_batch] + (nse, n_sparse)
  return [core.ShapedArray(data_shape, mat.dtype), core.ShapedArray(index_shape, index_dtype)]


def _fromdense_jvp(primals, tangents, *, nse, n_batch, n_dense, index_dtype):
  (mat,), (mat_dot,) = primals, tangents
  data, indices = bcoo_fromdense_p.bind(mat, nse=nse, n_batch=n_batch, n_dense=n_dense,
                                        index_dtype=index_dtype)
  if type(mat_dot) is ad.Zero:
    data_dot = ad.Zero(ad.tangent_aval(core.get_aval(data)))
  else:
    data_dot = bcoo_extract_buffers(indices, mat_dot)
  return [data, indices], [data_dot, ad.Zero(ad.tangent_aval(core.get_aval(indices)))]


def _fromdense_transpose(ct, mat, *, nse, n_batch, n_dense, index_dtype):
  # The indices depend on the values, so only a cotangent of the indices could make
  # this linear, and integer outputs have none: JAX raises this error too.
  raise ValueError("Cannot transpose with respect to sparse indices")


bcoo_fromdense_p.def_abstract_eval(_fromdense_abstract_eval)
ad.primitive_jvps[bcoo_fromdense_p] = _fromdense_jvp
ad.primitive_transposes[bcoo_fromdense_p] = _fromdense_transpose
batching.primitive_batchers[bcoo_fromdense_p] = fromdense_batcher(bcoo_fromdense_p, 2)
mlir.register_lowering(bcoo_fromdense_p, mlir.lower_fun(_fromdense_impl, multiple_results=True))


# --- bcoo_transpose ------------------------------------------------------------------

bcoo_transpose_p = core.Primitive("bcoo_transpose")
bcoo_transpose_p.multiple_results = True


def validate_permutation(data, indices, permutation, shape):
  """Splits a BCOO permutation into its batch, sparse and dense parts (JAX's errors)."""
  if not isinstance(permutation, (tuple, list, np.ndarray)):
    raise TypeError(f"transpose permutation must be a tuple/list/ndarray, got {type(permutation)}.")
  if tuple(sorted(permutation)) != tuple(range(len(shape))):
    raise TypeError("transpose permutation isn't a permutation of operand dimensions, "
                    f"got permutation {permutation} for shape {shape}.")
  n_batch, n_sparse, n_dense, _ = validate_bcoo(data, indices, shape)
  batch_perm = permutation[:n_batch]
  sparse_perm = [p - n_batch for p in permutation[n_batch: n_batch + n_sparse]]
  dense_perm = [p - n_sparse - n_batch for p in permutation[n_batch + n_sparse:]]
  if n_batch and tuple(sorted(batch_perm)) != tuple(range(n_batch)):
    raise NotImplementedError("transpose permutation cannot permute batch axes with "
                              f"non-batch axes; got permutation={permutation}, with {n_batch=}.")
  if n_dense and tuple(sorted(dense_perm)) != tuple(range(n_dense)):
    raise NotImplementedError("transpose permutation cannot permute dense axes with "
                              f"non-dense axes; got permutation={permutation}, with {n_dense=}.")
  return tuple(batch_perm), tuple(sparse_perm), tuple(dense_perm)


def bcoo_transpose_buffers(data, indices, *, permutation, spinfo):
  """BCOO buffers of the transposed array (see ``bcoo_transpose``)."""
  permutation = tuple(int(p) for p in permutation)
  validate_permutation(data, indices, permutation, spinfo.shape)
  return bcoo_transpose_p.bind(data, indices, permutation=permutation, spinfo=spinfo)


def _transpose_impl(data, indices, *, permutation, spinfo):
  lax = _lax()
  batch_perm, sparse_perm, dense_perm = validate_permutation(data, indices, permutation,
                                                             spinfo.shape)
  n_batch = len(batch_perm)
  if sparse_perm:
    indices = indices[..., np.array(sparse_perm, np.int32)]
  indices = lax.transpose(indices, (*batch_perm, n_batch, n_batch + 1))
  data = lax.transpose(data, (*batch_perm, n_batch, *(d + n_batch + 1 for d in dense_perm)))
  return data, indices


def _transpose_abstract_eval(data, indices, *, permutation, spinfo):
  batch_perm, _, dense_perm = validate_permutation(data, indices, permutation, spinfo.shape)
  n_batch = len(batch_perm)
  data_shape = tuple(data.shape[p] for p in batch_perm) + (data.shape[n_batch],) + \
      tuple(data.shape[n_batch + 1 + p] for p in dense_perm)
  index_shape = tuple(indices.shape[p] for p in batch_perm) + tuple(indices.shape[n_batch:])
  return [core.ShapedArray(data_shape, data.dtype),
          core.ShapedArray(index_shape, indices.dtype)]


def _transpose_jvp(primals, tangents, *, permutation, spinfo):
  data, indices = primals
  data_dot, _ = tangents
  out = bcoo_transpose_p.bind(data, indices, permutation=permutation, spinfo=spinfo)
  if type(data_dot) is ad.Zero:
    out_dot = ad.Zero(ad.tangent_aval(core.get_aval(out[0])))
  else:
    out_dot, _ = bcoo_transpose_p.bind(data_dot, indices, permutation=permutation,
                                       spinfo=spinfo)
  return out, [out_dot, ad.Zero(ad.tangent_aval(core.get_aval(out[1])))]


def _transpose_transpose(ct, data, indices, *, permutation, spinfo):
  data_ct, indices_ct = ct
  if type(indices_ct) is not ad.Zero:
    raise ValueError("Cannot transpose with respect to sparse indices")
  if ad.is_undefined_primal(indices):
    raise ValueError("Cannot transpose with respect to sparse indices")
  inverse = tuple(int(i) for i in np.argsort(permutation))
  shape_t = tuple(spinfo.shape[p] for p in permutation)
  _, indices_t = bcoo_transpose_p.bind(_placeholder_data(data.aval), indices,
                                       permutation=permutation, spinfo=spinfo)
  data_ct = ad.instantiate_zeros(data_ct)
  data_back, _ = bcoo_transpose_p.bind(data_ct, indices_t, permutation=inverse,
                                       spinfo=SparseInfo(shape_t))
  return data_back, None


def _placeholder_data(data_aval):
  # Only the indices' transpose is needed: data of the right layout and no cost.
  jnp = _jnp()
  return jnp.zeros(data_aval.shape, data_aval.dtype)


def _transpose_batcher(batched_args, batch_dims, *, permutation, spinfo):
  data, indices, spinfo = batch_dims_to_front(batched_args, batch_dims, spinfo)
  permutation = (0, *(p + 1 for p in permutation))
  outs = bcoo_transpose_p.bind(data, indices, permutation=permutation, spinfo=spinfo)
  return outs, [0, 0]


bcoo_transpose_p.def_abstract_eval(_transpose_abstract_eval)
ad.primitive_jvps[bcoo_transpose_p] = _transpose_jvp
ad.primitive_transposes[bcoo_transpose_p] = _transpose_transpose
batching.primitive_batchers[bcoo_transpose_p] = _transpose_batcher
mlir.register_lowering(bcoo_transpose_p, mlir.lower_fun(_transpose_impl, multiple_results=True))
