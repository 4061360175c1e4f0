"""``bcoo_spdot_general``: the contraction of two BCOO arrays, giving a BCOO array.

Per batch, every stored element of ``lhs`` meets every stored element of ``rhs``;
a pair contributes the product of their values where their contracted indices
agree (and are in bounds), at the index made of both free parts. Equal output
indices are then summed (``bcoo_sum_duplicates``) into at most ``out_nse``
stored elements, ``out_nse`` being as JAX computes it.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> A = sparse.BCOO.fromdense(jnp.array([[1., 0.], [0., 2.]]))
  >>> (A @ A).todense()
  Array([[1., 0.],
         [0., 4.]], dtype=float32)
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite import core
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.experimental.sparse.util import (SparseInfo, nfold_vmap, remaining,
                                              dot_general_aval)
from jaxlite.experimental.sparse.bcoo_convert import validate_bcoo, batch_dims_to_front
from jaxlite.experimental.sparse.bcoo_dot import (canonical_dimension_numbers,
                                                  _dot_general_batch_dim_nums)
from jaxlite.experimental.sparse.bcoo_ops import _sum_duplicates_parts

__all__ = ["bcoo_spdot_general_p", "bcoo_spdot_general"]

bcoo_spdot_general_p = core.Primitive("bcoo_spdot_general")
bcoo_spdot_general_p.multiple_results = True


def bcoo_spdot_general(lhs, rhs, *, dimension_numbers, preferred_element_type=None):
  """``lax.dot_general`` of two BCOO arrays, as a BCOO array."""
  from jaxlite.experimental.sparse.bcoo import BCOO
  dims = canonical_dimension_numbers(dimension_numbers)
  shape = dot_general_aval(lhs.shape, lhs.dtype, rhs.shape, rhs.dtype, dims).shape
  data, indices = bcoo_spdot_general_p.bind(
      lhs.data, lhs.indices, rhs.data, rhs.indices, lhs_spinfo=lhs._info,
      rhs_spinfo=rhs._info, dimension_numbers=dims,
      preferred_element_type=None if preferred_element_type is None
      else np.dtype(preferred_element_type))
  return BCOO((data, indices), shape=shape)


def _abstract_eval(lhs_data, lhs_indices, rhs_data, rhs_indices, *, lhs_spinfo, rhs_spinfo,
                   dimension_numbers, preferred_element_type):
  out = dot_general_aval(lhs_spinfo.shape, lhs_data.dtype, rhs_spinfo.shape, rhs_data.dtype,
                         dimension_numbers, preferred_element_type)
  lhs = validate_bcoo(lhs_data, lhs_indices, lhs_spinfo.shape)
  rhs = validate_bcoo(rhs_data, rhs_indices, rhs_spinfo.shape)
  (lc, rc), (lb, rb) = dimension_numbers
  if lhs.n_dense or rhs.n_dense:
    raise NotImplementedError("bcoo_spdot_general with dense dimensions.")
  if (lb and max(lb) >= lhs.n_batch) or (rb and max(rb) >= rhs.n_batch):
    raise NotImplementedError("bcoo_spdot_general: batch_dims must correspond to batch "
                              "dimensions of the sparse representation.")
  for c, p in ((lc, lhs), (rc, rhs)):
    if c and (min(c) < p.n_batch or max(c) >= p.n_batch + p.n_sparse):
      raise NotImplementedError("bcoo_spdot_general only supports contraction of sparse "
                                "indices.")
  if rhs.n_batch > len(rb) and lhs.n_sparse > len(lc):
    raise ValueError("bcoo_spdot_general: cannot have unused batch dims on rhs with unused "
                     "sparse dims on lhs.")
  out_nse = ((lhs.nse if lhs.n_sparse > len(lc) else 1) *
             (rhs.nse if rhs.n_sparse > len(rc) else 1))
  out_n_batch = lhs.n_batch + rhs.n_batch - len(lb)
  out_nse = min(out_nse, math.prod(out.shape[out_n_batch:]))
  free_batch = lambda data, idx, n, b: np.broadcast_shapes(
      tuple(data.shape[d] for d in range(n) if d not in b),
      tuple(idx.shape[d] for d in range(n) if d not in b))
  batch = (*(lhs_spinfo.shape[d] for d in lb),
           *free_batch(lhs_data, lhs_indices, lhs.n_batch, lb),
           *free_batch(rhs_data, rhs_indices, rhs.n_batch, rb))
  n_out_sparse = lhs.n_sparse + rhs.n_sparse - 2 * len(lc)
  return [core.ShapedArray((*batch, out_nse), out.dtype),
          core.ShapedArray((*batch, out_nse, n_out_sparse), lhs_indices.dtype)]


def _unbatched(lhs_data, lhs_indices, rhs_data, rhs_indices, *, lhs_shape, rhs_shape,
               lhs_contracting, rhs_contracting, out_nse, out_dtype):
  import jaxlite.numpy as jnp
  n_lhs, n_rhs = lhs_indices.shape[-1], rhs_indices.shape[-1]
  pick = lambda idx, cols: idx[:, np.array(cols, np.int32)] if cols else idx[:, :0]
  lhs_c, rhs_c = pick(lhs_indices, lhs_contracting), pick(rhs_indices, rhs_contracting)
  lhs_free = pick(lhs_indices, remaining(range(n_lhs), lhs_contracting))
  rhs_free = pick(rhs_indices, remaining(range(n_rhs), rhs_contracting))
  # Pairs meet where their contracted indices agree and are in bounds.
  meet = jnp.all(lhs_c[:, None] == rhs_c[None, :], axis=-1)
  lhs_ok = jnp.all(lhs_c < jnp.array([lhs_shape[d] for d in lhs_contracting], lhs_c.dtype), -1)
  rhs_ok = jnp.all(rhs_c < jnp.array([rhs_shape[d] for d in rhs_contracting], rhs_c.dtype), -1)
  prod = lhs_data.astype(out_dtype)[:, None] * rhs_data.astype(out_dtype)[None, :]
  data = jnp.where(meet & lhs_ok[:, None] & rhs_ok[None, :], prod,
                   jnp.zeros((), out_dtype)).ravel()
  index_dtype = jnp.result_type(lhs_indices, rhs_indices)
  nl, nr = lhs_free.shape[0], rhs_free.shape[0]
  indices = jnp.concatenate([
      jnp.broadcast_to(lhs_free[:, None].astype(index_dtype), (nl, nr, lhs_free.shape[1])),
      jnp.broadcast_to(rhs_free[None, :].astype(index_dtype), (nl, nr, rhs_free.shape[1]))],
      axis=-1).reshape(nl * nr, -1)
  out_shape = (*(s for i, s in enumerate(lhs_shape) if i not in lhs_contracting),
               *(s for i, s in enumerate(rhs_shape) if i not in rhs_contracting))
  return _sum_duplicates_parts(data, indices, SparseInfo(out_shape), out_nse)


def _impl(lhs_data, lhs_indices, rhs_data, rhs_indices, *, lhs_spinfo, rhs_spinfo,
          dimension_numbers, preferred_element_type):
  from jaxlite import lax
  data_aval, _ = _abstract_eval(lhs_data, lhs_indices, rhs_data, rhs_indices,
                                lhs_spinfo=lhs_spinfo, rhs_spinfo=rhs_spinfo,
                                dimension_numbers=dimension_numbers,
                                preferred_element_type=preferred_element_type)
  lhs = validate_bcoo(lhs_data, lhs_indices, lhs_spinfo.shape)
  rhs = validate_bcoo(rhs_data, rhs_indices, rhs_spinfo.shape)
  (lc, rc), (lb, rb) = dimension_numbers

  def batch_first(data, indices, n_batch, b):
    perm = [*b, *remaining(range(n_batch), b)]
    return (lax.transpose(data, (*perm, *range(n_batch, data.ndim))),
            lax.transpose(indices, (*perm, *range(n_batch, indices.ndim))))
  lhs_data, lhs_indices = batch_first(lhs_data, lhs_indices, lhs.n_batch, lb)
  rhs_data, rhs_indices = batch_first(rhs_data, rhs_indices, rhs.n_batch, rb)

  def one(ld, li, rd, ri):
    return _unbatched(ld, li, rd, ri, lhs_shape=lhs_spinfo.shape[lhs.n_batch:],
                      rhs_shape=rhs_spinfo.shape[rhs.n_batch:],
                      lhs_contracting=[d - lhs.n_batch for d in lc],
                      rhs_contracting=[d - rhs.n_batch for d in rc],
                      out_nse=data_aval.shape[-1], out_dtype=data_aval.dtype)
  fun = nfold_vmap(one, rhs.n_batch - len(rb), in_axes=(None, None, 0, 0))
  fun = nfold_vmap(fun, lhs.n_batch - len(lb), in_axes=(0, 0, None, None))
  fun = nfold_vmap(fun, len(lb))
  return list(fun(lhs_data, lhs_indices, rhs_data, rhs_indices))


def _jvp(primals, tangents, **params):
  lhs_data, lhs_indices, rhs_data, rhs_indices = primals
  lhs_dot, _, rhs_dot, _ = tangents
  out = bcoo_spdot_general_p.bind(*primals, **params)
  data_dot = ad.Zero(ad.tangent_aval(core.get_aval(out[0])))
  if type(lhs_dot) is not ad.Zero:
    data_dot = ad.add_tangents(data_dot, bcoo_spdot_general_p.bind(
        lhs_dot, lhs_indices, rhs_data, rhs_indices, **params)[0])
  if type(rhs_dot) is not ad.Zero:
    data_dot = ad.add_tangents(data_dot, bcoo_spdot_general_p.bind(
        lhs_data, lhs_indices, rhs_dot, rhs_indices, **params)[0])
  return out, [data_dot, ad.Zero(ad.tangent_aval(core.get_aval(out[1])))]


def _batcher(batched_args, batch_dims, *, lhs_spinfo, rhs_spinfo, dimension_numbers,
             preferred_element_type):
  size = max(a.shape[d] for a, d in zip(batched_args, batch_dims) if d is not None)
  lhs_data, lhs_indices, new_lhs = batch_dims_to_front(batched_args[:2], batch_dims[:2],
                                                       lhs_spinfo, size)
  rhs_data, rhs_indices, new_rhs = batch_dims_to_front(batched_args[2:], batch_dims[2:],
                                                       rhs_spinfo, size)
  dims, out_dim = _dot_general_batch_dim_nums(
      (len(lhs_spinfo.shape), len(rhs_spinfo.shape)), (0, 0), dimension_numbers)
  out = bcoo_spdot_general_p.bind(lhs_data, lhs_indices, rhs_data, rhs_indices,
                                  lhs_spinfo=new_lhs, rhs_spinfo=new_rhs, dimension_numbers=dims,
                                  preferred_element_type=preferred_element_type)
  return out, [out_dim, out_dim]


bcoo_spdot_general_p.def_abstract_eval(_abstract_eval)
ad.primitive_jvps[bcoo_spdot_general_p] = _jvp
batching.primitive_batchers[bcoo_spdot_general_p] = _batcher
mlir.register_lowering(bcoo_spdot_general_p, mlir.lower_fun(_impl, multiple_results=True))
