"""BCOO index bookkeeping and elementwise operations: ``bcoo_sort_indices``,
``bcoo_sum_duplicates`` (primitives), ``bcoo_multiply_dense``, ``bcoo_reduce_sum``.

Sorting and de-duplicating work per batch on the stored indices: a stable
lexicographic ``sort`` gives the permutation, runs of equal indices are numbered
by a cumulative sum, and the values are scattered (added) into the numbered
slots. Padding (out-of-bound) indices sort last and are dropped.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.BCOO((jnp.array([1., 2., 3.]), jnp.array([[2], [0], [2]])), shape=(3,))
  >>> sparse.bcoo_sum_duplicates(M).data
  Array([2., 4.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import core
from jaxlite.core_tools import concrete_or_error
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.experimental.sparse.util import SparseInfo, nfold_vmap
from jaxlite.experimental.sparse.bcoo_convert import validate_bcoo, batch_dims_to_front
from jaxlite.experimental.sparse.bcoo import BCOO

__all__ = ["bcoo_sort_indices", "bcoo_sort_indices_p", "bcoo_sum_duplicates",
           "bcoo_sum_duplicates_p", "bcoo_multiply_dense", "bcoo_reduce_sum",
           "bcoo_multiply_sparse"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


def _lax():
  from jaxlite import lax
  return lax


def _sort_permutation(indices, sparse_shape):
  """For one batch: the stable lexicographic order of ``indices`` (padding last) and the
  indices with every out-of-bound row replaced by the padding row ``sparse_shape``."""
  jnp, lax = _jnp(), _lax()
  bound = jnp.array(sparse_shape, indices.dtype)
  padding = jnp.any(indices >= bound, axis=1, keepdims=True)
  indices = jnp.where(padding, bound, indices)
  iota = lax.iota(np.int32, indices.shape[0])
  *_, perm = lax.sort((*(indices[:, k] for k in range(indices.shape[1])), iota),
                      num_keys=indices.shape[1])
  return perm, indices


# --- bcoo_sort_indices -----------------------------------------------------------------

bcoo_sort_indices_p = core.Primitive("bcoo_sort_indices")
bcoo_sort_indices_p.multiple_results = True


def bcoo_sort_indices(mat: BCOO) -> BCOO:
  """Sort indices of a BCOO array.

  Args:
    mat : BCOO array

  Returns:
    mat_out : BCOO array with sorted indices.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO((jnp.array([1., 2.]), jnp.array([[1], [0]])), shape=(2,))
  >>> bcoo_sort_indices(M).indices
  Array([[0],
         [1]], dtype=int32)
  """
  data, indices = bcoo_sort_indices_p.bind(mat.data, mat.indices, spinfo=mat._info)
  return BCOO((data, indices), shape=mat.shape, indices_sorted=True,
              unique_indices=mat.unique_indices)


def _sort_parts(data, indices, spinfo):
  """``(data, indices)`` sorted per batch; the composite both the lowering and the JVP use."""
  n_batch, n_sparse, _, _ = validate_bcoo(data, indices, spinfo.shape)
  if n_sparse == 0:
    return data, indices
  sparse_shape = spinfo.shape[n_batch:n_batch + n_sparse]

  def one(d, i):
    perm, _ = _sort_permutation(i, sparse_shape)
    return d[perm], i[perm]
  return nfold_vmap(one, n_batch)(data, indices)


def _sort_indices_impl(data, indices, *, spinfo):
  jnp = _jnp()
  d, i = _sort_parts(data, indices, spinfo)
  # Broadcast (length-1) batch buffers widen where the other buffer is batched.
  return list(_widen(d, i, jnp))


def _widen(d, i, jnp):
  n_batch = i.ndim - 2
  batch = tuple(max(a, b) for a, b in zip(d.shape[:n_batch], i.shape[:n_batch]))
  return (jnp.broadcast_to(d, batch + d.shape[n_batch:]),
          jnp.broadcast_to(i, batch + i.shape[n_batch:]))


def _sort_indices_abstract_eval(data, indices, *, spinfo):
  n_batch = indices.ndim - 2
  validate_bcoo(data, indices, spinfo.shape)
  batch = tuple(max(a, b) for a, b in zip(data.shape[:n_batch], indices.shape[:n_batch]))
  return [core.ShapedArray(batch + data.shape[n_batch:], data.dtype),
          core.ShapedArray(batch + indices.shape[n_batch:], indices.dtype)]


def _sort_indices_jvp(primals, tangents, *, spinfo):
  data, indices = primals
  out = bcoo_sort_indices_p.bind(data, indices, spinfo=spinfo)
  if type(tangents[0]) is ad.Zero:
    data_dot = ad.Zero(ad.tangent_aval(core.get_aval(out[0])))
  else:
    # The tangent follows the same permutation, through differentiable gathers.
    data_dot, _ = _sort_indices_impl(tangents[0], indices, spinfo=spinfo)
  return out, [data_dot, ad.Zero(ad.tangent_aval(core.get_aval(out[1])))]


def _sort_indices_batcher(batched_args, batch_dims, *, spinfo):
  data, indices, spinfo = batch_dims_to_front(batched_args, batch_dims, spinfo)
  return bcoo_sort_indices_p.bind(data, indices, spinfo=spinfo), [0, 0]


bcoo_sort_indices_p.def_abstract_eval(_sort_indices_abstract_eval)
ad.primitive_jvps[bcoo_sort_indices_p] = _sort_indices_jvp
batching.primitive_batchers[bcoo_sort_indices_p] = _sort_indices_batcher
mlir.register_lowering(bcoo_sort_indices_p,
                       mlir.lower_fun(_sort_indices_impl, multiple_results=True))


# --- bcoo_sum_duplicates ---------------------------------------------------------------

bcoo_sum_duplicates_p = core.Primitive("bcoo_sum_duplicates")
bcoo_sum_duplicates_p.multiple_results = True


def _dedup_slots(indices, sparse_shape, nse):
  """For one batch: the sort permutation, each sorted element's output slot (slots past
  ``nse`` are dropped), the sorted indices and the number of unique in-bound ones."""
  jnp = _jnp()
  perm, indices = _sort_permutation(indices, sparse_shape)
  rows = indices[perm]
  bound = jnp.array(sparse_shape, indices.dtype)
  padding = jnp.all(rows == bound, axis=1)
  differs = jnp.any(rows[1:] != rows[:-1], axis=1)
  starts = jnp.concatenate([jnp.ones((1,), bool), differs])
  slots = jnp.cumsum(starts) - 1
  count = jnp.sum(starts & ~padding)
  # Padding sorts last and forms one run: its slot (if within nse) keeps its values, as
  # in JAX; todense ignores it.
  return perm, slots, rows, count


def _sum_duplicates_parts(data, indices, spinfo, nse):
  jnp = _jnp()
  n_batch, n_sparse, _, _ = validate_bcoo(data, indices, spinfo.shape)
  sparse_shape = spinfo.shape[n_batch:n_batch + n_sparse]

  def one(d, i):
    if n_sparse == 0:
      # One block per batch: the stored elements add up into the first slot.
      summed = jnp.zeros((nse, *d.shape[1:]), d.dtype).at[:1].add(d.sum(0, keepdims=True))
      return summed, jnp.zeros((nse, 0), i.dtype)
    perm, slots, rows, _ = _dedup_slots(i, sparse_shape, nse)
    out_i = jnp.broadcast_to(jnp.array(sparse_shape, i.dtype), (nse, n_sparse))
    out_i = out_i.at[slots].set(rows, mode="drop")
    out_d = jnp.zeros((nse, *d.shape[1:]), d.dtype).at[slots].add(d[perm], mode="drop")
    return out_d, out_i
  return nfold_vmap(one, n_batch)(data, indices)


def unique_count(indices, spinfo):
  """The largest number of distinct in-bound indices of any batch (an array)."""
  jnp = _jnp()
  n_batch, n_sparse = indices.ndim - 2, indices.shape[-1]
  if n_sparse == 0:
    return jnp.array(min(1, indices.shape[-2]))
  sparse_shape = spinfo.shape[n_batch:n_batch + n_sparse]
  counts = nfold_vmap(lambda i: _dedup_slots(i, sparse_shape, i.shape[0])[3], n_batch)(indices)
  return counts.max() if counts.ndim else counts


def bcoo_sum_duplicates(mat: BCOO, nse=None) -> BCOO:
  """Sums duplicate indices within a BCOO array, returning an array with sorted indices.

  Args:
    mat : BCOO array
    nse : integer (optional). The number of specified elements in the output matrix. This must
      be specified for bcoo_sum_duplicates to be compatible with JIT and other JAX transformations.
      If not specified, the optimal nse will be computed based on the contents of the data and
      index arrays. If specified nse is larger than necessary, data and index arrays will be padded
      with standard fill values. If smaller than necessary, data elements will be dropped from the
      output matrix.

  Returns:
    mat_out : BCOO array with sorted indices and no duplicate indices.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO((jnp.array([1., 2.]), jnp.array([[1], [1]])), shape=(2,))
  >>> bcoo_sum_duplicates(M)
  BCOO(float32[2], nse=1)
  """
  if nse is None:
    nse = concrete_or_error(int, unique_count(mat.indices, mat._info),
                            "The error arose for the nse argument of bcoo_sum_duplicates.")
  data, indices = bcoo_sum_duplicates_p.bind(mat.data, mat.indices, spinfo=mat._info,
                                             nse=int(nse))
  return BCOO((data, indices), shape=mat.shape, indices_sorted=True, unique_indices=True)


def _sum_duplicates_impl(data, indices, *, spinfo, nse):
  return list(_widen(*_sum_duplicates_parts(data, indices, spinfo, nse), _jnp()))


def _sum_duplicates_abstract_eval(data, indices, *, spinfo, nse):
  n_batch, n_sparse, _, _ = validate_bcoo(data, indices, spinfo.shape)
  batch = tuple(max(a, b) for a, b in zip(data.shape[:n_batch], indices.shape[:n_batch]))
  return [core.ShapedArray(batch + (nse,) + data.shape[n_batch + 1:], data.dtype),
          core.ShapedArray(batch + (nse, n_sparse), indices.dtype)]


def _sum_duplicates_jvp(primals, tangents, *, spinfo, nse):
  data, indices = primals
  out = bcoo_sum_duplicates_p.bind(data, indices, spinfo=spinfo, nse=nse)
  if type(tangents[0]) is ad.Zero:
    data_dot = ad.Zero(ad.tangent_aval(core.get_aval(out[0])))
  else:
    data_dot, _ = _sum_duplicates_impl(tangents[0], indices, spinfo=spinfo, nse=nse)
  return out, [data_dot, ad.Zero(ad.tangent_aval(core.get_aval(out[1])))]


def _sum_duplicates_batcher(batched_args, batch_dims, *, spinfo, nse):
  data, indices, spinfo = batch_dims_to_front(batched_args, batch_dims, spinfo)
  return bcoo_sum_duplicates_p.bind(data, indices, spinfo=spinfo, nse=nse), [0, 0]


bcoo_sum_duplicates_p.def_abstract_eval(_sum_duplicates_abstract_eval)
ad.primitive_jvps[bcoo_sum_duplicates_p] = _sum_duplicates_jvp
batching.primitive_batchers[bcoo_sum_duplicates_p] = _sum_duplicates_batcher
mlir.register_lowering(bcoo_sum_duplicates_p,
                       mlir.lower_fun(_sum_duplicates_impl, multiple_results=True))


def bcoo_eliminate_zeros(mat: BCOO, nse=None) -> BCOO:
  """``mat`` without explicitly stored zeros (their indices become padding), duplicates
  summed, indices sorted.

  >>> import jaxlite.numpy as jnp
  >>> bcoo_eliminate_zeros(BCOO((jnp.array([0., 2.]), jnp.array([[0], [1]])), shape=(2,)))
  BCOO(float32[2], nse=1)
  """
  jnp = _jnp()
  n_batch, n_sparse = mat.n_batch, mat.n_sparse
  zero = mat.data == 0
  if mat.n_dense:
    zero = zero.all(tuple(range(n_batch + 1, mat.data.ndim)))
  bound = jnp.array(mat.shape[n_batch:n_batch + n_sparse], mat.indices.dtype)
  indices = jnp.where(zero[..., None], bound, mat.indices)
  return bcoo_sum_duplicates(BCOO((mat.data, indices), shape=mat.shape), nse=nse)


# --- elementwise --------------------------------------------------------------------------


def bcoo_multiply_dense(sp_mat: BCOO, v):
  """An element-wise multiplication between a sparse and a dense array.

  Args:
    lhs: A BCOO-format array.
    rhs: An ndarray.

  Returns:
    An ndarray containing the result.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([[0., 2.], [3., 0.]]))
  >>> bcoo_multiply_dense(M, jnp.array([10., 100.]))
  Array([200.,  30.], dtype=float32)
  """
  jnp = _jnp()
  v = jnp.asarray(v)
  if v.ndim == 0:
    return sp_mat.data * v
  shape = sp_mat.shape
  if v.ndim > len(shape) or any(a not in (1, b) for a, b in zip(v.shape[::-1], shape[::-1])):
    raise NotImplementedError("multiplication between sparse and dense is only implemented "
                              f"for cases where v.shape broadcasts to sp_mat.shape; got "
                              f"v.shape={v.shape}, sp_mat.shape={shape}")
  from jaxlite.experimental.sparse.bcoo_convert import bcoo_extract_buffers
  v = jnp.broadcast_to(v, shape)
  # Read v at the stored positions (zero at padding), then scale the stored values.
  return sp_mat.data * bcoo_extract_buffers(sp_mat.indices, v)


def bcoo_multiply_sparse(lhs: BCOO, rhs: BCOO) -> BCOO:
  """An element-wise multiplication of two sparse arrays.

  Args:
    lhs: A BCOO-format array.
    rhs: A BCOO-format array.

  Returns:
    An BCOO-format array containing the result.

  >>> import jaxlite.numpy as jnp
  >>> A = BCOO.fromdense(jnp.array([1., 0., 2.]))
  >>> bcoo_multiply_sparse(A, A).todense()
  Array([1., 0., 4.], dtype=float32)
  """
  from jaxlite.experimental.sparse.bcoo_layout import bcoo_update_layout
  jnp = _jnp()
  if lhs.ndim != rhs.ndim:
    raise TypeError("bcoo_multiply_sparse: arrays must have same number of dimensions, "
                    f"got {lhs.shape}, {rhs.shape}")
  if lhs.n_dense != rhs.n_dense:
    raise NotImplementedError("bcoo_multiply_sparse: arrays with differing numbers of "
                              f"dense dimensions: {lhs}, {rhs}")
  n_batch = min(lhs.n_batch, rhs.n_batch)
  out_shape = tuple(np.broadcast_shapes(lhs.shape, rhs.shape))
  # Both operands get the same batch dimensions; the extra ones of one turn sparse.
  lhs = bcoo_update_layout(lhs, n_batch=n_batch) if lhs.n_batch > n_batch else lhs
  rhs = bcoo_update_layout(rhs, n_batch=n_batch) if rhs.n_batch > n_batch else rhs
  lhs_sparse = lhs.shape[n_batch:n_batch + lhs.n_sparse]
  rhs_sparse = rhs.shape[n_batch:n_batch + rhs.n_sparse]
  # Dimensions of length 1 on either side broadcast: they do not have to agree.
  dims = np.array([i for i, (a, b) in enumerate(zip(lhs_sparse, rhs_sparse))
                   if a != 1 and b != 1], np.int32)
  nse = lhs.nse * rhs.nse
  lhs_fill, rhs_fill = max(lhs.shape[n_batch:], default=0), max(rhs.shape[n_batch:], default=0)

  def one(ld, li, rd, ri):
    meet = jnp.all(li[:, None, dims] == ri[None, :, dims], -1)
    i_lhs, i_rhs = jnp.nonzero(meet, size=nse, fill_value=(li.shape[0], ri.shape[0]))
    data = (ld.at[i_lhs].get(mode="fill", fill_value=0) *
            rd.at[i_rhs].get(mode="fill", fill_value=0))
    indices = jnp.maximum(li.at[i_lhs].get(mode="fill", fill_value=lhs_fill),
                          ri.at[i_rhs].get(mode="fill", fill_value=rhs_fill))
    return data, indices
  data, indices = nfold_vmap(one, n_batch)(lhs.data, lhs.indices, rhs.data, rhs.indices)
  return BCOO((data, indices), shape=out_shape)


def bcoo_reduce_sum(mat: BCOO, *, axes) -> BCOO:
  """Sum array element over given axes.

  Args:
    mat: A BCOO-format array.
    shape: The shape of the target array.
    axes:  A tuple or list or ndarray which contains axes of ``mat`` over which
      sum is performed.

  Returns:
    A BCOO-format array containing the result.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([[0., 2.], [3., 4.]]))
  >>> bcoo_reduce_sum(M, axes=(1,)).todense()
  Array([2., 7.], dtype=float32)
  """
  jnp = _jnp()
  n_batch, n_sparse, n_dense = mat.n_batch, mat.n_sparse, mat.n_dense
  axes = sorted({a % mat.ndim for a in axes})
  data, indices, shape = mat.data, mat.indices, list(mat.shape)
  batch_axes = [a for a in axes if a < n_batch]
  sparse_axes = [a - n_batch for a in axes if n_batch <= a < n_batch + n_sparse]
  dense_axes = [a - n_batch - n_sparse for a in axes if a >= n_batch + n_sparse]
  # Dense axes: plain sums of the stored blocks.
  if dense_axes:
    data = data.sum(tuple(n_batch + 1 + a for a in dense_axes))
  # Sparse axes: mark padding as such before the column is dropped, then drop it.
  if sparse_axes:
    sparse_shape = np.array(shape[n_batch:n_batch + n_sparse])
    padding = jnp.any(indices >= jnp.asarray(sparse_shape, indices.dtype), axis=-1)
    kept = [k for k in range(n_sparse) if k not in sparse_axes]
    indices = indices[..., np.array(kept, np.int32)] if kept else indices[..., :0]
    if kept:
      indices = jnp.where(padding[..., None],
                          jnp.asarray(sparse_shape[kept], indices.dtype), indices)
    else:
      data = jnp.where(padding.reshape(padding.shape + (1,) * (data.ndim - padding.ndim)),
                       jnp.zeros((), data.dtype), data)
  # Batch axes: the stored elements of the summed batches are concatenated.
  for a in reversed(batch_axes):
    data = jnp.broadcast_to(data, tuple(shape[:n_batch]) + data.shape[n_batch:]) \
        if data.shape[a] != shape[a] else data
    indices = jnp.broadcast_to(indices, tuple(shape[:n_batch]) + indices.shape[n_batch:]) \
        if indices.shape[a] != shape[a] else indices
    data = jnp.moveaxis(data, a, n_batch - 1)
    data = data.reshape(data.shape[:n_batch - 1] + (-1,) + data.shape[n_batch + 1:])
    indices = jnp.moveaxis(indices, a, n_batch - 1)
    indices = indices.reshape(indices.shape[:n_batch - 1] + (-1, indices.shape[-1]))
    n_batch -= 1
    shape = shape[:a] + shape[a + 1:]
    axes_shift = 1
    del axes_shift
  out_shape = tuple(d for i, d in enumerate(mat.shape) if i not in axes)
  return BCOO((data, indices), shape=out_shape)


def _sum_duplicates_method(self, nse=None, remove_zeros: bool = True) -> BCOO:
  """Return a copy of the array with duplicate indices summed.

  Additionally, this operation will result in explicit zero entries removed, and
  indices being sorted in lexicographic order.

  Because the size of the resulting representation depends on the values in the
  arrays, this operation is not compatible with JIT or other transforms. To use
  ``sum_duplicates`` in such cases, you may pass a value to `nse` to specify the
  desired size of the output representation.
  """
  if remove_zeros:
    return bcoo_eliminate_zeros(self, nse=nse)
  return bcoo_sum_duplicates(self, nse=nse)


def _sort_indices_method(self) -> BCOO:
  """Return a copy of the matrix with indices sorted."""
  return bcoo_sort_indices(self)


# The methods live here, beside the operations (bcoo.py defines the class first).
BCOO.sum_duplicates = _sum_duplicates_method
BCOO.sort_indices = _sort_indices_method
