"""``BCSR``: batched compressed-row sparse arrays, and their operations.

A BCSR array has exactly two sparse dimensions (rows and columns) after its
batch dimensions; see ``bcsr_prims`` for the buffers. Structural operations
(``bcsr_broadcast_in_dim``, ``bcsr_concatenate``, ``bcsr_sum_duplicates``) go
through BCOO and back, as JAX's do.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental.sparse import BCSR
  >>> M = BCSR.fromdense(jnp.array([[0., 2., 0.], [1., 0., 4.]]))
  >>> M
  BCSR(float32[2, 3], nse=3)
  >>> M.indptr
  Array([0, 1, 3], dtype=int32)
  >>> M @ jnp.ones(3)
  Array([2., 5.], dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite import tree_util, vmappable
from jaxlite.core_tools import concrete_or_error
from jaxlite.experimental.sparse._base import BufferedSparse
from jaxlite.experimental.sparse.util import SparseInfo
from jaxlite.experimental.sparse.bcoo import BCOO
from jaxlite.experimental.sparse.bcoo_convert import count_stored_elements
from jaxlite.experimental.sparse.bcsr_prims import (
    validate_bcsr, bcsr_to_bcoo_indices, bcoo_to_bcsr_indices, bcsr_fromdense_buffers,
    bcsr_todense_buffers, bcsr_extract_buffers, bcsr_dot_general_buffers, TRACED_NSE_ERROR)

__all__ = ["BCSR", "bcsr_fromdense", "bcsr_todense", "bcsr_extract", "bcsr_dot_general",
           "bcsr_sum_duplicates", "bcsr_eliminate_zeros", "bcsr_broadcast_in_dim",
           "bcsr_concatenate"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


@tree_util.register_pytree_node_class
class BCSR(BufferedSparse):
  """Experimental batched CSR matrix implemented in JAX.

  >>> import jaxlite.numpy as jnp
  >>> BCSR((jnp.array([1., 2.]), jnp.array([1, 0]), jnp.array([0, 1, 2])), shape=(2, 2)).todense()
  Array([[0., 1.],
         [2., 0.]], dtype=float32)
  """

  # BCOO's layout keywords, with a third buffer.
  _buffer_names = ("data", "indices", "indptr")
  _layout_attributes = BCOO._layout_attributes
  _info_type = SparseInfo

  def __init__(self, args, *, shape, indices_sorted: bool = False,
               unique_indices: bool = False):
    super().__init__(args, shape=tuple(shape), indices_sorted=indices_sorted,
                     unique_indices=unique_indices)
    validate_bcsr(self.data, self.indices, self.indptr, self.shape)

  @property
  def _bufs(self):
    return (self.data, self.indices, self.indptr)

  @property
  def nse(self) -> int:
    return self.indices.shape[-1]

  @property
  def n_batch(self) -> int:
    return self.indices.ndim - 1

  @property
  def n_sparse(self) -> int:
    return 2

  @property
  def n_dense(self) -> int:
    return self.data.ndim - self.indices.ndim

  @property
  def _sparse_shape(self):
    return tuple(self.shape[self.n_batch:self.n_batch + 2])

  # BCOO's: the name, dtype, shape, nse and any batch/dense dimension counts.
  __repr__ = BCOO.__repr__

  def transpose(self, *args, **kwargs):
    raise NotImplementedError("Transpose is not implemented.")

  @classmethod
  def _empty(cls, shape, *, dtype=None, index_dtype="int32", n_dense=0, n_batch=0, nse=0):
    """An all-zero BCSR array (``nse`` padding elements); the public form is ``empty``."""
    jnp = _jnp()
    shape = tuple(shape)
    if n_dense < 0 or n_batch < 0 or nse < 0:
      raise ValueError(f"Invalid inputs: shape={shape}, n_dense={n_dense}, "
                       f"n_batch={n_batch}, nse={nse}")
    if len(shape) - n_dense - n_batch != 2:
      raise ValueError("BCSR sparse.empty: must have 2 sparse dimensions.")
    batch, (rows, cols), dense = shape[:n_batch], shape[n_batch:n_batch + 2], shape[n_batch + 2:]
    data = jnp.zeros((*batch, nse, *dense), dtype)
    indices = jnp.full((*batch, nse), cols, index_dtype)   # padding: one past the last column
    indptr = jnp.zeros((*batch, rows + 1), index_dtype)
    return cls((data, indices, indptr), shape=shape)

  @classmethod
  def fromdense(cls, mat, *, nse=None, index_dtype=np.int32, n_dense=0, n_batch=0):
    """Create a BCSR array from a (dense) :class:`Array`."""
    return bcsr_fromdense(mat, nse=nse, index_dtype=index_dtype, n_dense=n_dense,
                          n_batch=n_batch)

  def todense(self):
    """Create a dense version of the array."""
    return bcsr_todense(self)

  def to_bcoo(self):
    """The same array in BCOO format."""
    indices = bcsr_to_bcoo_indices(self.indices, self.indptr, shape=self.shape)
    return BCOO((self.data, indices), shape=self.shape)

  @classmethod
  def from_bcoo(cls, arr) -> "BCSR":
    """A BCSR array from a BCOO array with two sparse dimensions."""
    if arr.n_sparse != 2:
      raise NotImplementedError(f"BSCR.from_bcoo requires n_sparse=2; got arr.n_sparse={arr.n_sparse}")
    if not arr.indices_sorted:
      arr = arr.sort_indices()
    indices, indptr = bcoo_to_bcsr_indices(arr.indices, shape=arr.shape,
                                           index_dtype=arr.indices.dtype)
    return cls((arr.data, indices, indptr), shape=arr.shape)

  @classmethod
  def from_scipy_sparse(cls, mat, *, index_dtype=None, n_dense=0, n_batch=0):
    """Create a BCSR array from a :mod:`scipy.sparse` array."""
    jnp = _jnp()
    if n_dense != 0 or n_batch != 0:
      raise NotImplementedError("BCSR from_scipy_sparse with nonzero n_dense/n_batch.")
    if mat.ndim != 2:
      raise ValueError(f"BCSR from_scipy_sparse requires 2D array; {mat.ndim}D is given.")
    mat = mat.tocsr()
    index_dtype = index_dtype or np.int32
    return cls((jnp.asarray(mat.data), jnp.asarray(mat.indices).astype(index_dtype),
                jnp.asarray(mat.indptr).astype(index_dtype)), shape=mat.shape)

  def sum_duplicates(self, nse=None, remove_zeros: bool = True) -> "BCSR":
    """Return a copy of the array with duplicate indices summed (and, with
    ``remove_zeros``, explicit zeros dropped), indices sorted."""
    if remove_zeros:
      return bcsr_eliminate_zeros(self, nse=nse)
    return bcsr_sum_duplicates(self, nse=nse)

  def __matmul__(self, other):
    return _bcsr_matmul(self, other)

  def __rmatmul__(self, other):
    return _bcsr_matmul(other, self)


def _bcsr_matmul(lhs, rhs):
  """``lhs @ rhs`` with ``jnp.matmul``'s shape rules, for a BCSR ``lhs`` and dense ``rhs``."""
  jnp = _jnp()
  if not isinstance(lhs, BCSR):
    return bcsr_dot_general(jnp.asarray(lhs), rhs,
                            dimension_numbers=(((np.ndim(lhs) - 1,), (0,)), ((), ())))
  rhs = jnp.asarray(rhs)
  if rhs.ndim == 0:
    raise ValueError("matmul: inputs must have at least one dimension; got "
                     f"shapes {lhs.shape} and {rhs.shape}")
  lc, rc = lhs.ndim - 1, max(rhs.ndim - 2, 0)
  if lhs.shape[lc] != rhs.shape[rc]:
    raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 "
                     f"(size {rhs.shape[rc]} is different from {lhs.shape[lc]})")
  n_batch = lhs.ndim - 2 if rhs.ndim == lhs.ndim else 0
  batch = tuple(range(n_batch))
  return bcsr_dot_general(lhs, rhs, dimension_numbers=(((lc,), (rc,)), (batch, batch)))


def bcsr_fromdense(mat, *, nse=None, n_batch=0, n_dense=0, index_dtype=np.int32) -> BCSR:
  """Create BCSR-format sparse matrix from a dense matrix.

  Args:
    mat : array to be converted to BCOO.
    nse : number of stored elements in each batch
    n_batch : number of batch dimensions (default: 0)
    n_dense : number of dense dimensions (default: 0)
    index_dtype : dtype of sparse indices (default: int32)

  Returns:
    mat_bcsr: BCSR representation of the matrix.

  >>> import jaxlite.numpy as jnp
  >>> bcsr_fromdense(jnp.array([[0., 3.], [4., 0.]])).indices
  Array([1, 0], dtype=int32)
  """
  jnp = _jnp()
  mat = jnp.asarray(mat)
  nse_value = nse if nse is not None else count_stored_elements(mat, n_batch, n_dense)
  nse_int = concrete_or_error(operator.index, nse_value, TRACED_NSE_ERROR)
  bufs = bcsr_fromdense_buffers(mat, nse=nse_int, n_batch=n_batch, n_dense=n_dense,
                                index_dtype=index_dtype)
  return BCSR(bufs, shape=mat.shape)


def bcsr_todense(mat: BCSR):
  """Convert batched sparse matrix to a dense matrix.

  Args:
    mat: BCSR matrix.

  Returns:
    The dense version of ``mat``.

  >>> import jaxlite.numpy as jnp
  >>> bcsr_todense(BCSR.fromdense(jnp.array([[0., 3.], [4., 0.]])))
  Array([[0., 3.],
         [4., 0.]], dtype=float32)
  """
  return bcsr_todense_buffers(mat.data, mat.indices, mat.indptr, spinfo=mat._info)


def bcsr_extract(indices, indptr, mat):
  """Extract values from a dense matrix at given BCSR (indices, indptr).

  Args:
    indices: An ndarray; see BCSR indices.
    indptr: An ndarray; see BCSR indptr.
    mat: A dense matrix.

  Returns:
    An ndarray; see BCSR data.

  >>> import jaxlite.numpy as jnp
  >>> bcsr_extract(jnp.array([1, 0]), jnp.array([0, 1, 2]), jnp.array([[5., 6.], [7., 8.]]))
  Array([6., 7.], dtype=float32)
  """
  return bcsr_extract_buffers(indices, indptr, mat)


def bcsr_dot_general(lhs, rhs, *, dimension_numbers, precision=None,
                     preferred_element_type=None, out_sharding=None):
  """A general contraction operation.

  Args:
    lhs: An ndarray or BCSR-format sparse array.
    rhs: An ndarray or BCSR-format sparse array..
    dimension_numbers: a tuple of tuples of the form
      `((lhs_contracting_dims, rhs_contracting_dims),
      (lhs_batch_dims, rhs_batch_dims))`.
    precision: unused
    preferred_element_type: unused

  Returns:
    An ndarray or BCSR-format sparse array containing the result. If both inputs
    are sparse, the result will be sparse, of type BCSR. If either input is
    dense, the result will be dense, of type ndarray.

  >>> import jaxlite.numpy as jnp
  >>> M = BCSR.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> bcsr_dot_general(M, jnp.array([3., 4.]), dimension_numbers=(([1], [0]), ([], [])))
  Array([4., 6.], dtype=float32)
  """
  del precision, out_sharding  # unused, as in JAX
  from jaxlite.basearray import Array   # tracers are instances too, as in JAX
  from jaxlite import lax
  if isinstance(rhs, (np.ndarray, Array)):
    if isinstance(lhs, (np.ndarray, Array)):
      return lax.dot_general(lhs, rhs, dimension_numbers=dimension_numbers,
                             preferred_element_type=preferred_element_type)
    if isinstance(lhs, BCSR):
      return bcsr_dot_general_buffers(*lhs._bufs, rhs, dimension_numbers=dimension_numbers,
                                      preferred_element_type=preferred_element_type,
                                      lhs_spinfo=lhs._info)
  raise NotImplementedError("bcsr_dot_general currently implemented for BCSR "
                            "lhs and ndarray rhs.")


def bcsr_eliminate_zeros(mat: BCSR, nse=None) -> BCSR:
  """Eliminate zeros in BCSR representation.

  >>> import jaxlite.numpy as jnp
  >>> M = BCSR((jnp.array([0., 2.]), jnp.array([0, 1]), jnp.array([0, 2])), shape=(1, 2))
  >>> bcsr_eliminate_zeros(M).data
  Array([2.], dtype=float32)
  """
  from jaxlite.experimental.sparse.bcoo_ops import bcoo_eliminate_zeros
  return BCSR.from_bcoo(bcoo_eliminate_zeros(mat.to_bcoo(), nse=nse))


def bcsr_sum_duplicates(mat: BCSR, nse=None) -> BCSR:
  """Sums duplicate indices within a BCSR array, returning an array with sorted indices.

  :func:`bcoo_sum_duplicates` on ``mat.to_bcoo()``, back in BCSR format; ``nse``
  means what it means there.

  >>> import jaxlite.numpy as jnp
  >>> M = BCSR((jnp.array([1., 2.]), jnp.array([1, 1]), jnp.array([0, 2])), shape=(1, 2))
  >>> bcsr_sum_duplicates(M).data
  Array([3.], dtype=float32)
  """
  from jaxlite.experimental.sparse.bcoo_ops import bcoo_sum_duplicates
  return BCSR.from_bcoo(bcoo_sum_duplicates(mat.to_bcoo(), nse=nse))


def bcsr_broadcast_in_dim(mat: BCSR, *, shape, broadcast_dimensions, sharding=None) -> BCSR:
  """Sparse ``lax.broadcast_in_dim`` of a BCSR array (through BCOO).

  >>> import jaxlite.numpy as jnp
  >>> M = BCSR.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> bcsr_broadcast_in_dim(M, shape=(3, 2, 2), broadcast_dimensions=(1, 2))
  BCSR(float32[3, 2, 2], nse=2, n_batch=1)
  """
  from jaxlite.experimental.sparse.bcoo_structural import bcoo_broadcast_in_dim
  return BCSR.from_bcoo(bcoo_broadcast_in_dim(mat.to_bcoo(), shape=shape,
                                              broadcast_dimensions=broadcast_dimensions))


def bcsr_concatenate(operands, *, dimension: int) -> BCSR:
  """Sparse implementation of :func:`jax.lax.concatenate`

  :func:`bcoo_concatenate` of the operands' BCOO forms, back in BCSR format: the
  same requirements on ``operands`` and ``dimension``.

  >>> import jaxlite.numpy as jnp
  >>> M = BCSR.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> bcsr_concatenate([M, M], dimension=0)
  BCSR(float32[4, 2], nse=4)
  """
  from jaxlite.experimental.sparse.bcoo_structural import bcoo_concatenate
  return BCSR.from_bcoo(bcoo_concatenate([m.to_bcoo() for m in operands], dimension=dimension))


def _bcsr_check_in_axis(mat: BCSR, axis: int):
  # Checked on the whole array: BCSR buffers' non-batch axes differ in length, so the
  # buffers alone would give vmap's inconsistent-sizes error instead of JAX's.
  if axis >= mat.n_batch:
    raise ValueError(f"Cannot map in_axis={axis} for BCSR array with n_batch={mat.n_batch}. "
                     "in_axes for batched BCSR operations must correspond to a batched dimension.")


def _bcsr_to_elt(mat: BCSR, axis: int) -> BCSR:
  # As BCOO's: ``mat`` holds the per-example buffers, with one batch dimension less.
  return BCSR(mat._bufs, shape=mat.shape[:axis] + mat.shape[axis + 1:])


def _bcsr_from_elt(mat: BCSR, axis_size: int, axis: int) -> BCSR:
  if axis > mat.n_batch - 1:
    raise ValueError(f"BCSR: cannot add out_axis={axis} for BCSR array with "
                     f"n_batch={mat.n_batch - 1}. BCSR batch axes must be a contiguous block "
                     "of leading dimensions.")
  return BCSR(mat._bufs, shape=mat.shape[:axis] + (axis_size,) + mat.shape[axis:])


vmappable.register_vmappable(BCSR, _bcsr_to_elt, _bcsr_from_elt, _bcsr_check_in_axis)
