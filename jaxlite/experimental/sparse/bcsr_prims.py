"""BCSR primitives: ``bcsr_fromdense``, ``bcsr_todense``, ``bcsr_extract`` and
``bcsr_dot_general``, each with its JVP, transpose and batching rules.

A BCSR array of shape ``batch + (rows, cols) + dense`` stores ``data`` of shape
``batch + (nse,) + dense``, column ``indices`` of shape ``batch + (nse,)`` and
row pointers ``indptr`` of shape ``batch + (rows + 1,)``: the elements of row
``r`` are those at positions ``indptr[r]:indptr[r + 1]``. Each primitive turns
``(indices, indptr)`` into BCOO indices and runs the matching BCOO operation,
as JAX does on CPU.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental.sparse.bcsr_prims import bcsr_todense_p
  >>> from jaxlite.experimental.sparse.util import SparseInfo
  >>> bcsr_todense_p.bind(jnp.array([1., 2.]), jnp.array([1, 0]), jnp.array([0, 1, 2]),
  ...                     spinfo=SparseInfo((2, 2)))
  Array([[0., 1.],
         [2., 0.]], dtype=float32)
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from jaxlite import core
from jaxlite.core_tools import concrete_or_error
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.experimental.sparse.util import (SparseInfo, nfold_vmap, dot_general_aval,
                                              fromdense_batcher)
from jaxlite.experimental.sparse.bcoo_convert import (
    validate_bcoo_indices, bcoo_todense_buffers, bcoo_fromdense_buffers, bcoo_extract_buffers)
from jaxlite.experimental.sparse import bcoo_dot

__all__ = ["bcsr_fromdense_p", "bcsr_todense_p", "bcsr_extract_p", "bcsr_dot_general_p",
           "BCSRProperties", "validate_bcsr", "validate_bcsr_indices", "bcsr_to_bcoo_indices",
           "bcoo_to_bcsr_indices"]


def _jnp():
  import jaxlite.numpy as jnp  # the numpy layer sits above experimental's imports at load
  return jnp


def _lax():
  from jaxlite import lax
  return lax


class BCSRProperties(NamedTuple):
  n_batch: int
  n_dense: int
  nse: int


def _compatible(shape1, shape2) -> bool:
  return all(s1 in (1, s2) for s1, s2 in zip(shape1, shape2))


def validate_bcsr_indices(indices, indptr, shape) -> BCSRProperties:
  """The layout that ``(indices, indptr)`` give an array of ``shape``; JAX's errors otherwise."""
  shape = tuple(shape)
  for name, x in (("indices", indices), ("indptr", indptr)):
    if not np.issubdtype(x.dtype, np.integer):
      raise TypeError(f"BCSR {name} must have an integer dtype, got {x.dtype}")
  nse = indices.shape[-1]
  n_batch = indices.ndim - 1
  n_dense = len(shape) - n_batch - 2
  if n_dense < 0:
    raise ValueError(f"Invalid {indices.shape=} for {shape=}")
  if not _compatible(indices.shape[:n_batch], shape[:n_batch]):
    raise ValueError(f"indices batch dimensions not compatible for {indices.shape=}, {shape=}")
  if not _compatible(indptr.shape[:n_batch], shape[:n_batch]):
    raise ValueError(f"indptr batch dimensions not compatible for {indptr.shape=}, {shape=}")
  if tuple(indptr.shape[n_batch:]) != (shape[n_batch] + 1,):
    raise ValueError("indptr shape must match the matrix shape plus 1.")
  return BCSRProperties(n_batch=n_batch, n_dense=n_dense, nse=nse)


def validate_bcsr(data, indices, indptr, shape) -> BCSRProperties:
  """The layout of BCSR buffers ``(data, indices, indptr)`` for ``shape``."""
  props = validate_bcsr_indices(indices, indptr, shape)
  shape = tuple(shape)
  n_batch, n_dense, nse = props
  n_sparse = len(shape) - n_batch - n_dense
  if n_sparse != 2:
    raise ValueError(f"BCSR array must have 2 sparse dimensions; {n_sparse} is given.")
  if not _compatible(data.shape[:n_batch], shape[:n_batch]):
    raise ValueError(f"data batch dimensions not compatible for {data.shape=}, {shape=}")
  if tuple(data.shape[data.ndim - n_dense - 1:]) != (nse,) + shape[n_batch + 2:]:
    raise ValueError(f"Invalid {data.shape=} for {nse=}, {n_batch=}, {n_dense=}")
  return props


def _rows_of(indices, indptr):
  """For one matrix: the row of each stored element (a row starts where ``indptr`` says;
  positions past ``indptr[-1]`` count as the last row)."""
  jnp = _jnp()
  starts = jnp.zeros(indices.shape, indices.dtype).at[indptr].add(1, mode="drop")
  return jnp.cumsum(starts).astype(indices.dtype) - 1


def bcsr_to_bcoo_indices(indices, indptr, *, shape):
  """BCOO indices (``batch + (nse, 2)``) for BCSR ``(indices, indptr)``.

  >>> import jaxlite.numpy as jnp
  >>> bcsr_to_bcoo_indices(jnp.array([1, 0]), jnp.array([0, 1, 2]), shape=(2, 2))
  Array([[0, 1],
         [1, 0]], dtype=int32)
  """
  jnp = _jnp()
  n_batch = validate_bcsr_indices(indices, indptr, shape).n_batch
  pairs = nfold_vmap(lambda i, p: (_rows_of(i, p), i), n_batch)(indices, indptr)
  return jnp.stack(pairs, axis=indices.ndim)


def bcoo_to_bcsr_indices(indices, *, shape, index_dtype):
  """BCSR ``(indices, indptr)`` for BCOO indices sorted within each batch.

  >>> import jaxlite.numpy as jnp
  >>> bcoo_to_bcsr_indices(jnp.array([[0, 1], [1, 0]]), shape=(2, 2), index_dtype='int32')
  (Array([1, 0], dtype=int32), Array([0, 1, 2], dtype=int32))
  """
  jnp = _jnp()
  n_batch, n_sparse, _, _ = validate_bcoo_indices(indices, shape)
  if n_sparse != 2:
    raise ValueError("Must have 2 sparse dimensions to be converted to BCSR.")
  n_rows = shape[n_batch]

  def row_pointers(rows):
    # Padding rows (== n_rows) fall outside bincount's length and are not counted.
    counts = jnp.bincount(rows, length=n_rows).astype(index_dtype)
    return jnp.concatenate([jnp.zeros(1, index_dtype), jnp.cumsum(counts).astype(index_dtype)])
  indptr = nfold_vmap(row_pointers, n_batch, broadcasted=False)(indices[..., 0])
  return indices[..., 1], indptr


def _as_bcoo_indices(indices, indptr, shape):
  return bcsr_to_bcoo_indices(indices, indptr, shape=shape)


def _batch_dims_to_front(batched_args, batch_dims, spinfo, batch_size=None):
  """BCSR buffers with their vmapped axis moved to the front (a length-1 axis where a buffer
  is not batched) and the matching ``SparseInfo``."""
  lax = _lax()
  indices = batched_args[1]
  n_batch = indices.ndim - 1 + int(batch_dims[1] is None)
  if not all(b is None or 0 <= b < n_batch for b in batch_dims):
    raise NotImplementedError("batch_dims must be None or satisfy 0 < dim < n_batch. "
                              f"Got batch_dims={tuple(batch_dims)} for {n_batch=}.")
  moved = tuple(lax.expand_dims(x, (0,)) if d is None else batching.moveaxis(x, d, 0)
                for x, d in zip(batched_args, batch_dims))
  if batch_size is None:
    batch_size = max(x.shape[d] for x, d in zip(batched_args, batch_dims) if d is not None)
  return (*moved, spinfo._replace(shape=(batch_size, *spinfo.shape)))


# --- bcsr_fromdense ------------------------------------------------------------------

bcsr_fromdense_p = core.Primitive("bcsr_fromdense")
bcsr_fromdense_p.multiple_results = True

TRACED_NSE_ERROR = """
The error arose for the nse argument of bcsr_fromdense. In order for
BCSR.fromdense() to be used in traced/compiled code, you must pass a concrete
value to the nse (number of stored elements) argument.
"""


def bcsr_fromdense_buffers(mat, *, nse, n_batch=0, n_dense=0, index_dtype=np.int32):
  """``(data, indices, indptr)`` of the BCSR form of ``mat`` with ``nse`` stored elements."""
  jnp = _jnp()
  mat = jnp.asarray(mat)
  nse = concrete_or_error(operator.index, nse, TRACED_NSE_ERROR)
  return bcsr_fromdense_p.bind(mat, nse=nse, n_batch=n_batch, n_dense=n_dense,
                               index_dtype=np.dtype(index_dtype))


def _check_two_sparse(ndim, n_batch, n_dense):
  if ndim - n_batch - n_dense != 2:
    raise ValueError("bcsr_fromdense: must have 2 sparse dimensions.")


def _fromdense_impl(mat, *, nse, n_batch, n_dense, index_dtype):
  _check_two_sparse(mat.ndim, n_batch, n_dense)
  data, coo_indices = bcoo_fromdense_buffers(mat, nse=nse, n_batch=n_batch, n_dense=n_dense,
                                             index_dtype=index_dtype)
  indices, indptr = bcoo_to_bcsr_indices(coo_indices, shape=mat.shape, index_dtype=index_dtype)
  return data, indices, indptr


def _fromdense_abstract_eval(mat, *, nse, n_batch, n_dense, index_dtype):
  _check_two_sparse(mat.ndim, n_batch, n_dense)
  batch = mat.shape[:n_batch]
  return (core.ShapedArray(batch + (nse,) + mat.shape[n_batch + 2:], mat.dtype),
          core.ShapedArray(batch + (nse,), index_dtype),
          core.ShapedArray(batch + (mat.shape[n_batch] + 1,), index_dtype))


def _fromdense_jvp(primals, tangents, *, nse, n_batch, n_dense, index_dtype):
  (mat,), (mat_dot,) = primals, tangents
  data, indices, indptr = bcsr_fromdense_buffers(mat, nse=nse, n_batch=n_batch,
                                                 n_dense=n_dense, index_dtype=index_dtype)
  if type(mat_dot) is ad.Zero:
    data_dot = ad.Zero(ad.tangent_aval(core.get_aval(data)))
  else:
    data_dot = bcsr_extract_buffers(indices, indptr, mat_dot)
  zero = lambda x: ad.Zero(ad.tangent_aval(core.get_aval(x)))
  return (data, indices, indptr), (data_dot, zero(indices), zero(indptr))


def _fromdense_transpose(ct, mat, *, nse, n_batch, n_dense, index_dtype):
  data, indices, indptr = ct
  if type(indices) is ad.Zero or type(indptr) is ad.Zero:
    raise ValueError("Cannot transpose with respect to sparse indices")
  return (bcsr_todense_buffers(ad.instantiate_zeros(data), indices, indptr,
                               spinfo=SparseInfo(mat.aval.shape)),)


bcsr_fromdense_p.def_abstract_eval(_fromdense_abstract_eval)
ad.primitive_jvps[bcsr_fromdense_p] = _fromdense_jvp
ad.primitive_transposes[bcsr_fromdense_p] = _fromdense_transpose
batching.primitive_batchers[bcsr_fromdense_p] = fromdense_batcher(bcsr_fromdense_p, 3)
mlir.register_lowering(bcsr_fromdense_p, mlir.lower_fun(_fromdense_impl, multiple_results=True))


# --- bcsr_todense --------------------------------------------------------------------

bcsr_todense_p = core.Primitive("bcsr_todense")


def bcsr_todense_buffers(data, indices, indptr, *, spinfo):
  """The dense array that BCSR buffers ``(data, indices, indptr)`` stand for."""
  jnp = _jnp()
  return bcsr_todense_p.bind(jnp.asarray(data), jnp.asarray(indices), jnp.asarray(indptr),
                             spinfo=spinfo)


def _todense_impl(data, indices, indptr, *, spinfo):
  coo = _as_bcoo_indices(indices, indptr, spinfo.shape)
  return bcoo_todense_buffers(data, coo, spinfo=SparseInfo(spinfo.shape))


def _todense_abstract_eval(data, indices, indptr, *, spinfo):
  validate_bcsr(data, indices, indptr, spinfo.shape)
  return core.ShapedArray(spinfo.shape, data.dtype)


def _todense_transpose(ct, data, indices, indptr, *, spinfo):
  if ad.is_undefined_primal(indices) or ad.is_undefined_primal(indptr):
    raise ValueError("Cannot transpose with respect to sparse indices")
  return bcsr_extract_buffers(indices, indptr, ad.instantiate_zeros(ct)), None, None


def _todense_batcher(batched_args, batch_dims, *, spinfo):
  data, indices, indptr, spinfo = _batch_dims_to_front(batched_args, batch_dims, spinfo)
  return bcsr_todense_buffers(data, indices, indptr, spinfo=spinfo), 0


bcsr_todense_p.def_abstract_eval(_todense_abstract_eval)
ad.defjvp(bcsr_todense_p, lambda t, data, indices, indptr, *, spinfo:
          bcsr_todense_buffers(t, indices, indptr, spinfo=spinfo), None, None)
ad.primitive_transposes[bcsr_todense_p] = _todense_transpose
batching.primitive_batchers[bcsr_todense_p] = _todense_batcher
mlir.register_lowering(bcsr_todense_p, mlir.lower_fun(_todense_impl, multiple_results=False))


# --- bcsr_extract --------------------------------------------------------------------

bcsr_extract_p = core.Primitive("bcsr_extract")


def bcsr_extract_buffers(indices, indptr, mat):
  """BCSR ``data`` holding ``mat``'s values at ``(indices, indptr)``."""
  jnp = _jnp()
  return bcsr_extract_p.bind(jnp.asarray(indices), jnp.asarray(indptr), jnp.asarray(mat))


def _extract_impl(indices, indptr, mat):
  return bcoo_extract_buffers(_as_bcoo_indices(indices, indptr, mat.shape), mat)


def _extract_abstract_eval(indices, indptr, mat):
  n_batch, n_dense, nse = validate_bcsr_indices(indices, indptr, mat.shape)
  return core.ShapedArray(mat.shape[:n_batch] + (nse,) + mat.shape[mat.ndim - n_dense:],
                          mat.dtype)


def _extract_transpose(ct, indices, indptr, mat):
  if ad.is_undefined_primal(indices) or ad.is_undefined_primal(indptr):
    raise ValueError("Cannot transpose with respect to sparse indices")
  return None, None, bcsr_todense_buffers(ad.instantiate_zeros(ct), indices, indptr,
                                          spinfo=SparseInfo(mat.aval.shape))


def _extract_batcher(batched_args, batch_dims):
  lax = _lax()
  indices, indptr, mat = batched_args
  bdims = {b for b in batch_dims if b is not None}
  if len(bdims) != 1:
    raise NotImplementedError("bcoo_extract with unequal batch dimensions.")
  bdim = bdims.pop()
  if batch_dims[0] is None:
    indices = lax.expand_dims(indices, (bdim,))
  if batch_dims[1] is None:
    indptr = lax.expand_dims(indptr, (bdim,))
  if batch_dims[2] is None:
    shape = list(mat.shape)
    shape.insert(bdim, indices.shape[bdim])
    mat = lax.broadcast_in_dim(mat, tuple(shape),
                               tuple(i for i in range(len(shape)) if i != bdim))
  n_batch = indices.ndim - 1
  if bdim >= n_batch:
    raise ValueError(f"batch_dims={tuple(batch_dims)} out of range for indices with {n_batch=}")
  return bcsr_extract_buffers(indices, indptr, mat), bdim


bcsr_extract_p.def_abstract_eval(_extract_abstract_eval)
ad.defjvp(bcsr_extract_p, None, None,
          lambda t, indices, indptr, mat: bcsr_extract_buffers(indices, indptr, t))
ad.primitive_transposes[bcsr_extract_p] = _extract_transpose
batching.primitive_batchers[bcsr_extract_p] = _extract_batcher
mlir.register_lowering(bcsr_extract_p, mlir.lower_fun(_extract_impl, multiple_results=False))


# --- bcsr_dot_general ----------------------------------------------------------------

bcsr_dot_general_p = core.Primitive("bcsr_dot_general")


def bcsr_dot_general_buffers(lhs_data, lhs_indices, lhs_indptr, rhs, *, dimension_numbers,
                             preferred_element_type, lhs_spinfo):
  """``lax.dot_general`` of the BCSR array ``(lhs_data, lhs_indices, lhs_indptr)`` and the
  dense ``rhs``."""
  jnp = _jnp()
  dims = bcoo_dot.canonical_dimension_numbers(dimension_numbers)
  return bcsr_dot_general_p.bind(jnp.asarray(lhs_data), jnp.asarray(lhs_indices),
                                 jnp.asarray(lhs_indptr), jnp.asarray(rhs),
                                 dimension_numbers=dims,
                                 preferred_element_type=preferred_element_type,
                                 lhs_spinfo=lhs_spinfo)


def _dot_general_impl(lhs_data, lhs_indices, lhs_indptr, rhs, *, dimension_numbers,
                      preferred_element_type, lhs_spinfo):
  coo = _as_bcoo_indices(lhs_indices, lhs_indptr, lhs_spinfo.shape)
  return bcoo_dot.bcoo_dot_general_buffers(lhs_data, coo, rhs,
                                           dimension_numbers=dimension_numbers,
                                           preferred_element_type=preferred_element_type,
                                           lhs_spinfo=lhs_spinfo)


def _dot_general_abstract_eval(lhs_data, lhs_indices, lhs_indptr, rhs, *, dimension_numbers,
                               preferred_element_type, lhs_spinfo):
  (lhs_contracting, _), (lhs_batch, _) = dimension_numbers
  props = validate_bcsr_indices(lhs_indices, lhs_indptr, lhs_spinfo.shape)
  out = dot_general_aval(lhs_spinfo.shape, lhs_data.dtype, rhs.shape, rhs.dtype,
                         dimension_numbers, preferred_element_type)
  if lhs_batch and max(lhs_batch) >= props.n_batch:
    raise NotImplementedError(
        "bcsr_dot_general batch dimensions must be among the batch dimensions in the sparse "
        f"representtaion.\ngot lhs_batch={tuple(lhs_batch)}, props.n_batch={props.n_batch}")
  if any(d >= props.n_batch + 2 for d in lhs_contracting):
    raise NotImplementedError("bcsr_dot_general: contracting over dense dimensions.")
  return out


def _dot_general_transpose(ct, lhs_data, lhs_indices, lhs_indptr, rhs, *, dimension_numbers,
                           preferred_element_type, lhs_spinfo):
  if ad.is_undefined_primal(lhs_indices) or ad.is_undefined_primal(lhs_indptr):
    raise ValueError("Cannot transpose with respect to sparse indices")
  # The BCOO rule, on the BCOO indices of the same stored elements.
  coo = _as_bcoo_indices(lhs_indices, lhs_indptr, lhs_spinfo.shape)
  data_ct, _, rhs_ct = bcoo_dot._dot_general_transpose(
      ct, lhs_data, coo, rhs, dimension_numbers=dimension_numbers,
      preferred_element_type=preferred_element_type, lhs_spinfo=lhs_spinfo)
  return data_ct, None, None, rhs_ct


def _dot_general_batcher(batched_args, batch_dims, *, dimension_numbers,
                         preferred_element_type, lhs_spinfo):
  *lhs, rhs = batched_args
  *lhs_dims, rhs_bdim = batch_dims
  size = None if rhs_bdim is None else rhs.shape[rhs_bdim]
  data, indices, indptr, spinfo = _batch_dims_to_front(lhs, lhs_dims, lhs_spinfo, size)
  rhs_ndim = rhs.ndim - (rhs_bdim is not None)
  dims, out_dim = bcoo_dot._dot_general_batch_dim_nums((len(lhs_spinfo.shape), rhs_ndim),
                                                       (0, rhs_bdim), dimension_numbers)
  out = bcsr_dot_general_buffers(data, indices, indptr, rhs, dimension_numbers=dims,
                                 preferred_element_type=preferred_element_type,
                                 lhs_spinfo=spinfo)
  return out, out_dim


def _jvp_lhs(data_dot, lhs_data, lhs_indices, lhs_indptr, rhs, **params):
  return bcsr_dot_general_buffers(data_dot, lhs_indices, lhs_indptr, rhs, **params)


def _jvp_rhs(rhs_dot, lhs_data, lhs_indices, lhs_indptr, rhs, **params):
  return bcsr_dot_general_buffers(lhs_data, lhs_indices, lhs_indptr, rhs_dot, **params)


bcsr_dot_general_p.def_abstract_eval(_dot_general_abstract_eval)
ad.defjvp(bcsr_dot_general_p, _jvp_lhs, None, None, _jvp_rhs)
ad.primitive_transposes[bcsr_dot_general_p] = _dot_general_transpose
batching.primitive_batchers[bcsr_dot_general_p] = _dot_general_batcher
mlir.register_lowering(bcsr_dot_general_p,
                       mlir.lower_fun(_dot_general_impl, multiple_results=False))
