"""BCOO contractions: ``bcoo_dot_general`` (sparse x dense), its dense x sparse form,
and ``bcoo_dot_general_sampled`` (a dense product read at sparse indices), with JVP,
transpose and batching rules.

Sparse x dense works per batch of the sparse operand: the rows of the dense operand
that the stored indices address along contracted sparse dimensions are gathered, one
``dot_general`` multiplies them with the stored blocks, and the products are
scattered into the free sparse dimensions (or summed when there are none).

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.BCOO.fromdense(jnp.array([[0., 2.], [3., 0.]]))
  >>> sparse.bcoo_dot_general(M, jnp.array([1., 10.]), dimension_numbers=(([1], [0]), ([], [])))
  Array([20.,  3.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import core
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.experimental.sparse.util import (SparseInfo, nfold_vmap, remaining,
                                              dot_general_aval, as_index_tuple)
from jaxlite.experimental.sparse.bcoo_convert import (
    validate_bcoo, bcoo_extract_buffers, bcoo_transpose_buffers, batch_dims_to_front)

__all__ = ["bcoo_dot_general_p", "bcoo_dot_general_sampled_p", "bcoo_dot_general_buffers",
           "bcoo_rdot_general_buffers", "bcoo_dot_general_sampled"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


def _lax():
  from jaxlite import lax
  return lax


def canonical_dimension_numbers(dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  return ((as_index_tuple(lc), as_index_tuple(rc)), (as_index_tuple(lb), as_index_tuple(rb)))


# --- bcoo_dot_general: sparse lhs, dense rhs -------------------------------------------

bcoo_dot_general_p = core.Primitive("bcoo_dot_general")


def bcoo_dot_general_buffers(lhs_data, lhs_indices, rhs, *, dimension_numbers,
                             preferred_element_type, lhs_spinfo):
  """The dense result of contracting BCOO buffers with a dense ``rhs``."""
  jnp = _jnp()
  if preferred_element_type is not None:
    preferred_element_type = np.dtype(preferred_element_type)
  return bcoo_dot_general_p.bind(
      jnp.asarray(lhs_data), jnp.asarray(lhs_indices), jnp.asarray(rhs),
      dimension_numbers=canonical_dimension_numbers(dimension_numbers),
      preferred_element_type=preferred_element_type, lhs_spinfo=lhs_spinfo)


def bcoo_rdot_general_buffers(lhs, rhs_data, rhs_indices, *, dimension_numbers,
                              preferred_element_type, rhs_spinfo):
  """Dense ``lhs`` contracted with BCOO buffers: the sparse x dense product with the
  operands swapped, its free dimensions put back in dense x sparse order."""
  lax = _lax()
  (lc, rc), (lb, rb) = canonical_dimension_numbers(dimension_numbers)
  result = bcoo_dot_general_buffers(rhs_data, rhs_indices, lhs,
                                    dimension_numbers=((rc, lc), (rb, lb)),
                                    preferred_element_type=preferred_element_type,
                                    lhs_spinfo=rhs_spinfo)
  n_batch = len(lb)
  n_rhs_free = len(rhs_spinfo.shape) - len(rc) - n_batch
  permutation = (*range(n_batch), *range(n_batch + n_rhs_free, result.ndim),
                 *range(n_batch, n_batch + n_rhs_free))
  return lax.transpose(result, permutation)


def _dot_general_abstract_eval(lhs_data, lhs_indices, rhs, *, dimension_numbers,
                               preferred_element_type, lhs_spinfo):
  out = dot_general_aval(lhs_spinfo.shape, lhs_data.dtype, rhs.shape, rhs.dtype,
                         dimension_numbers, preferred_element_type)
  (lhs_contracting, _), (lhs_batch, _) = dimension_numbers
  n_batch, n_sparse, _, _ = validate_bcoo(lhs_data, lhs_indices, lhs_spinfo.shape)
  if lhs_batch and max(lhs_batch) >= n_batch:
    raise NotImplementedError(
        "bcoo_dot_general batch dimensions must be among the batch dimensions in the sparse "
        f"representation.\ngot lhs_batch={tuple(lhs_batch)}, {n_batch=}")
  if any(d >= n_batch + n_sparse for d in lhs_contracting):
    raise NotImplementedError("bcoo_dot_general: contracting over dense dimensions.")
  return out


def _dot_general_impl(lhs_data, lhs_indices, rhs, *, dimension_numbers,
                      preferred_element_type, lhs_spinfo):
  jnp, lax = _jnp(), _lax()
  out_aval = _dot_general_abstract_eval(lhs_data, lhs_indices, rhs,
                                        dimension_numbers=dimension_numbers,
                                        preferred_element_type=preferred_element_type,
                                        lhs_spinfo=lhs_spinfo)
  n_batch, n_sparse, _, _ = validate_bcoo(lhs_data, lhs_indices, lhs_spinfo.shape)
  (lc, rc), (lb, rb) = dimension_numbers
  contract_batch = [(l, r) for l, r in zip(lc, rc) if l < n_batch]
  contract_sparse = [(l - n_batch, r) for l, r in zip(lc, rc) if l >= n_batch]
  free_batch = remaining(range(n_batch), lb, [l for l, _ in contract_batch])

  # lhs batch dimensions in the order: dot batch, free, contracted.
  batch_perm = [*lb, *free_batch, *(l for l, _ in contract_batch)]
  lhs_data = lax.transpose(lhs_data, (*batch_perm, *range(n_batch, lhs_data.ndim)))
  lhs_indices = lax.transpose(lhs_indices, (*batch_perm, n_batch, n_batch + 1))
  # Contracted sparse columns first, free ones after (in their order).
  n_cs = len(contract_sparse)
  sparse_order = [*(l for l, _ in contract_sparse),
                  *remaining(range(n_sparse), [l for l, _ in contract_sparse])]
  if sparse_order != list(range(n_sparse)):
    lhs_indices = lhs_indices[..., np.array(sparse_order, np.int32)]
  # rhs dimensions lined up with lhs batch order (length 1 for lhs's free batch ones),
  # then those contracted with sparse dimensions, then rhs's free ones.
  rhs_free = remaining(range(rhs.ndim), rc, rb)
  rhs = lax.transpose(rhs, (*rb, *(r for _, r in contract_batch),
                            *(r for _, r in contract_sparse), *rhs_free))
  rhs = lax.expand_dims(rhs, tuple(range(len(rb), len(rb) + len(free_batch))))
  free_sparse_shape = tuple(lhs_spinfo.shape[n_batch + l] for l in sparse_order[n_cs:])
  out_dtype = out_aval.dtype

  def one_batch(data, indices, rhs):
    # data: (nse, *dense); indices: (nse, n_sparse); rhs: (*contracted, *rhs_free)
    columns = tuple(indices[:, k] for k in range(n_sparse))
    if n_cs:
      rows = rhs.at[columns[:n_cs]].get(mode="fill", fill_value=0)
      prod = lax.dot_general(data, rows, (((), ()), ((0,), (0,))),
                             preferred_element_type=preferred_element_type)
    else:
      prod = lax.dot_general(data, rhs, (((), ()), ((), ())),
                             preferred_element_type=preferred_element_type)
    prod = prod.astype(out_dtype)
    if n_sparse - n_cs:
      out = jnp.zeros(free_sparse_shape + prod.shape[1:], out_dtype)
      return out.at[columns[n_cs:]].add(prod, mode="drop")
    return prod.sum(0, dtype=out_dtype)

  result = nfold_vmap(one_batch, n_batch)(lhs_data, lhs_indices, rhs)
  if contract_batch:
    first = len(lb) + len(free_batch)
    result = result.sum(tuple(range(first, first + len(contract_batch))), dtype=out_dtype)
  # Length-1 (broadcast) batch buffers give length-1 axes: widen them to the result.
  return jnp.broadcast_to(result, out_aval.shape)


def _dot_general_transpose(ct, lhs_data, lhs_indices, rhs, *, dimension_numbers,
                           preferred_element_type, lhs_spinfo):
  lax = _lax()
  if ad.is_undefined_primal(lhs_indices):
    raise ValueError("Cannot transpose with respect to sparse indices")
  ct = ad.instantiate_zeros(ct)
  (lc, rc), (lb, rb) = dimension_numbers
  lhs_ndim = len(lhs_spinfo.shape)
  rhs_ndim = rhs.aval.ndim if ad.is_undefined_primal(rhs) else rhs.ndim
  lhs_kept = remaining(range(lhs_ndim), lc, lb)
  rhs_kept = remaining(range(rhs_ndim), rc, rb)
  n_b = len(lb)
  ans_batch = list(range(n_b))
  ans_lhs = list(range(n_b, n_b + len(lhs_kept)))
  ans_rhs = list(range(n_b + len(lhs_kept), n_b + len(lhs_kept) + len(rhs_kept)))
  if ad.is_undefined_primal(lhs_data):
    # d lhs = (ct . rhs) read at the stored indices: a sampled product.
    dims = ((ans_rhs, rhs_kept), (ans_batch, rb))
    lhs_contract_by_rhs = [lc[i] for i in np.argsort(rc)]
    permutation = [*lb, *lhs_kept, *lhs_contract_by_rhs]
    out_axes = [int(i) for i in np.argsort(permutation)]
    dense = lax.transpose(lax.dot_general(ct, rhs, dims), out_axes)
    data_ct = bcoo_extract_buffers(lhs_indices, dense)
    return _unbroadcast(lhs_data.aval, data_ct), None, None
  # d rhs = lhs^T . ct, a sparse x dense product, permuted into rhs's order.
  dims = ((lhs_kept, ans_lhs), (lb, ans_batch))
  rhs_contract_by_lhs = [rc[i] for i in np.argsort(lc)]
  out_axes = [int(i) for i in np.argsort([*rb, *rhs_contract_by_lhs, *rhs_kept])]
  result = bcoo_dot_general_buffers(lhs_data, lhs_indices, ct, lhs_spinfo=lhs_spinfo,
                                    preferred_element_type=preferred_element_type,
                                    dimension_numbers=dims)
  return None, None, lax.transpose(result, out_axes)


def _unbroadcast(aval, x):
  """``x`` summed down to ``aval``'s shape over the axes where ``aval`` has length 1."""
  lax = _lax()
  dims = tuple(i for i, (a, b) in enumerate(zip(aval.shape, x.shape)) if a != b)
  if not dims:
    return x
  return lax.expand_dims(x.sum(dims), dims).astype(aval.dtype)


def _dot_general_batch_dim_nums(ndims, batch_dims, dimension_numbers):
  """New dimension numbers with each operand's vmapped axis added (lhs's at 0), and
  where the vmapped axis lands in the result (as ``lax.dot_general``'s batching does)."""
  lhs_ndim, rhs_ndim = ndims
  lbd, rbd = batch_dims
  (lc, rc), (lb, rb) = dimension_numbers
  shift = lambda dims, at: tuple(d + (d >= at) for d in dims)
  if lbd is not None and rbd is not None:
    lc, lb = shift(lc, lbd), shift(lb, lbd)
    rc, rb = shift(rc, rbd), shift(rb, rbd)
    return ((lc, rc), ((lbd, *lb), (rbd, *rb))), 0
  if lbd is not None:
    lc, lb = shift(lc, lbd), shift(lb, lbd)
    lhs_free = remaining(range(lhs_ndim + 1), lc, lb)
    return ((lc, rc), (lb, rb)), len(lb) + lhs_free.index(lbd)
  rc, rb = shift(rc, rbd), shift(rb, rbd)
  rhs_free = remaining(range(rhs_ndim + 1), rc, rb)
  lhs_free_count = lhs_ndim - len(lc) - len(lb)
  return ((lc, rc), (lb, rb)), len(lb) + lhs_free_count + rhs_free.index(rbd)


def _dot_general_batcher(batched_args, batch_dims, *, dimension_numbers,
                         preferred_element_type, lhs_spinfo):
  lhs_data, lhs_indices, rhs = batched_args
  data_bdim, indices_bdim, rhs_bdim = batch_dims
  if data_bdim is None and indices_bdim is None:
    dims, out_dim = _dot_general_batch_dim_nums(
        (len(lhs_spinfo.shape), rhs.ndim - 1), (None, rhs_bdim), dimension_numbers)
    out = bcoo_dot_general_buffers(lhs_data, lhs_indices, rhs, dimension_numbers=dims,
                                   preferred_element_type=preferred_element_type,
                                   lhs_spinfo=lhs_spinfo)
    return out, out_dim
  size = None if rhs_bdim is None else rhs.shape[rhs_bdim]
  data, indices, spinfo = batch_dims_to_front((lhs_data, lhs_indices),
                                              (data_bdim, indices_bdim), lhs_spinfo, size)
  rhs_ndim = rhs.ndim - (rhs_bdim is not None)
  dims, out_dim = _dot_general_batch_dim_nums((len(lhs_spinfo.shape), rhs_ndim),
                                              (0, rhs_bdim), dimension_numbers)
  out = bcoo_dot_general_buffers(data, indices, rhs, dimension_numbers=dims,
                                 preferred_element_type=preferred_element_type,
                                 lhs_spinfo=spinfo)
  return out, out_dim


bcoo_dot_general_p.def_abstract_eval(_dot_general_abstract_eval)
ad.defjvp(bcoo_dot_general_p,
          lambda t, data, indices, rhs, **p: bcoo_dot_general_buffers(t, indices, rhs, **p),
          None,
          lambda t, data, indices, rhs, **p: bcoo_dot_general_buffers(data, indices, t, **p))
ad.primitive_transposes[bcoo_dot_general_p] = _dot_general_transpose
batching.primitive_batchers[bcoo_dot_general_p] = _dot_general_batcher
mlir.register_lowering(bcoo_dot_general_p,
                       mlir.lower_fun(_dot_general_impl, multiple_results=False))


# --- bcoo_dot_general_sampled ----------------------------------------------------------

bcoo_dot_general_sampled_p = core.Primitive("bcoo_dot_general_sampled")


def bcoo_dot_general_sampled(A, B, indices, *, dimension_numbers):
  """A contraction operation with output computed at given sparse indices.

  Args:
    A: an ndarray.
    B: an ndarray.
    indices: BCOO indices.
    dimension_numbers: ``((lhs_contracting_dims, rhs_contracting_dims),
      (lhs_batch_dims, rhs_batch_dims))``.

  Returns:
    BCOO data, an ndarray containing the result.

  >>> import jaxlite.numpy as jnp
  >>> A, B = jnp.array([[1., 2.], [3., 4.]]), jnp.eye(2)
  >>> bcoo_dot_general_sampled(A, B, jnp.array([[0, 1], [1, 0]]),
  ...                          dimension_numbers=(([1], [0]), ([], [])))
  Array([2., 3.], dtype=float32)
  """
  jnp = _jnp()
  return bcoo_dot_general_sampled_p.bind(
      jnp.asarray(A), jnp.asarray(B), jnp.asarray(indices),
      dimension_numbers=canonical_dimension_numbers(dimension_numbers))


def _sampled_impl(A, B, indices, *, dimension_numbers):
  lax = _lax()
  return bcoo_extract_buffers(indices, lax.dot_general(A, B, dimension_numbers))


def _sampled_abstract_eval(A, B, indices, *, dimension_numbers):
  dense = dot_general_aval(A.shape, A.dtype, B.shape, B.dtype, dimension_numbers)
  n_batch, _, n_dense, nse = validate_bcoo_indices_for(indices, dense.shape)
  shape = dense.shape[:n_batch] + (nse,) + dense.shape[len(dense.shape) - n_dense:]
  return core.ShapedArray(shape, dense.dtype)


def validate_bcoo_indices_for(indices, shape):
  from jaxlite.experimental.sparse.bcoo_convert import validate_bcoo_indices
  return validate_bcoo_indices(indices, shape)


def _sampled_transpose(ct, A, B, indices, *, dimension_numbers):
  from jaxlite.experimental.sparse.bcoo_convert import bcoo_todense_buffers
  lax = _lax()
  if ad.is_undefined_primal(indices):
    raise ValueError("Cannot transpose with respect to sparse indices")
  a_shape = A.aval.shape if ad.is_undefined_primal(A) else A.shape
  b_shape = B.aval.shape if ad.is_undefined_primal(B) else B.shape
  out_shape = dot_general_aval(a_shape, (A.aval if ad.is_undefined_primal(A) else A).dtype,
                               b_shape, (B.aval if ad.is_undefined_primal(B) else B).dtype,
                               dimension_numbers).shape
  dense_ct = bcoo_todense_buffers(ad.instantiate_zeros(ct), indices,
                                  spinfo=SparseInfo(out_shape))
  # The sampled product is dot_general followed by extraction: transpose both.
  fake = lambda a, b: lax.dot_general(a, b, dimension_numbers)
  from jaxlite.differentiation import linear_transpose
  if ad.is_undefined_primal(A):
    a_ct, = linear_transpose(lambda a: fake(a, B), _shape_dtype(A.aval))(dense_ct)
    return a_ct, None, None
  b_ct, = linear_transpose(lambda b: fake(A, b), _shape_dtype(B.aval))(dense_ct)
  return None, b_ct, None


def _shape_dtype(aval):
  from jaxlite.api import ShapeDtypeStruct
  return ShapeDtypeStruct(aval.shape, aval.dtype)


def _sampled_batcher(batched_args, batch_dims, *, dimension_numbers):
  from jaxlite.vectorization import vmap

  # Mapping the composite (not the primitive, whose rule this is) over the batch.
  def one(A, B, indices):
    return _sampled_impl(A, B, indices, dimension_numbers=dimension_numbers)
  return vmap(one, in_axes=tuple(batch_dims), out_axes=0)(*batched_args), 0


bcoo_dot_general_sampled_p.def_abstract_eval(_sampled_abstract_eval)
ad.defjvp(bcoo_dot_general_sampled_p,
          lambda t, A, B, indices, **p: bcoo_dot_general_sampled(t, B, indices, **p),
          lambda t, A, B, indices, **p: bcoo_dot_general_sampled(A, t, indices, **p),
          None)
ad.primitive_transposes[bcoo_dot_general_sampled_p] = _sampled_transpose
batching.primitive_batchers[bcoo_dot_general_sampled_p] = _sampled_batcher
mlir.register_lowering(bcoo_dot_general_sampled_p,
                       mlir.lower_fun(_sampled_impl, multiple_results=False))
