"""``BCOO``: batched coordinate-format sparse arrays, and their core operations.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental.sparse import BCOO
  >>> M = BCOO.fromdense(jnp.array([[0., 2., 0.], [1., 0., 4.]]))
  >>> M
  BCOO(float32[2, 3], nse=3)
  >>> (M @ jnp.ones(3))
  Array([2., 5.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import core, tree_util, vmappable
from jaxlite.core_tools import concrete_or_error
from jaxlite.experimental.sparse._base import BufferedSparse
from jaxlite.experimental.sparse.util import SparseInfo
from jaxlite.experimental.sparse.bcoo_convert import (
    validate_bcoo, bcoo_todense_buffers, bcoo_fromdense_buffers, bcoo_extract_buffers,
    bcoo_transpose_buffers, count_stored_elements, TRACED_NSE_ERROR)
from jaxlite.experimental.sparse.bcoo_dot import (bcoo_dot_general_buffers,
                                                  bcoo_rdot_general_buffers)

__all__ = ["BCOO", "bcoo_todense", "bcoo_fromdense", "bcoo_extract", "bcoo_transpose",
           "bcoo_dot_general"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


@tree_util.register_pytree_node_class
class BCOO(BufferedSparse):
  """Experimental batched COO matrix implemented in JAX

  Args:
    (data, indices) : data and indices in batched COO format.
    shape : shape of sparse array.

  Attributes:
    data : ndarray of shape ``[*batch_dims, nse, *dense_dims]`` containing the
      explicitly stored data within the sparse matrix.
    indices : ndarray of shape ``[*batch_dims, nse, n_sparse]`` containing the
      indices of the explicitly stored data. Duplicate entries will be summed.

  Examples:
    Create a sparse array from a dense array:

    >>> import jaxlite.numpy as jnp
    >>> M = jnp.array([[0., 2., 0.], [1., 0., 4.]])
    >>> M_sp = BCOO.fromdense(M)
    >>> M_sp
    BCOO(float32[2, 3], nse=3)

    Examine the internal representation:

    >>> M_sp.data
    Array([2., 1., 4.], dtype=float32)
    >>> M_sp.indices
    Array([[0, 1],
           [1, 0],
           [1, 2]], dtype=int32)
  """
  _buffer_names = ("data", "indices")
  _layout_attributes = {"shape": "shape", "indices_sorted": "indices_sorted",
                        "unique_indices": "unique_indices"}
  _info_type = SparseInfo

  def __init__(self, args, *, shape, indices_sorted: bool = False,
               unique_indices: bool = False):
    super().__init__(args, shape=tuple(shape), indices_sorted=indices_sorted,
                     unique_indices=unique_indices)
    validate_bcoo(self.data, self.indices, self.shape)

  @property
  def nse(self) -> int:
    return self.indices.shape[-2]

  @property
  def n_batch(self) -> int:
    return self.indices.ndim - 2

  @property
  def n_sparse(self) -> int:
    return self.indices.shape[-1]

  @property
  def n_dense(self) -> int:
    return self.data.ndim - 1 - self.n_batch

  def __repr__(self):
    name = type(self).__name__
    try:
      extra = f", nse={self.nse}"
      if self.n_batch:
        extra += f", n_batch={self.n_batch}"
      if self.n_dense:
        extra += f", n_dense={self.n_dense}"
      text = f"{name}({self.dtype}{list(self.shape)}{extra})"
    except Exception:
      text = f"{name}(<invalid>)"
    if isinstance(self.data, core.Tracer):
      text = f"{type(self.data).__name__}[{text}]"
    return text

  @classmethod
  def fromdense(cls, mat, *, nse=None, index_dtype=np.int32, n_dense=0, n_batch=0):
    """Create a BCOO array from a (dense) :class:`~jax.Array`."""
    return bcoo_fromdense(mat, nse=nse, index_dtype=index_dtype, n_dense=n_dense,
                          n_batch=n_batch)

  @classmethod
  def from_scipy_sparse(cls, mat, *, index_dtype=None, n_dense=0, n_batch=0):
    """Create a BCOO array from a :mod:`scipy.sparse` array."""
    jnp = _jnp()
    if n_dense != 0 or n_batch != 0:
      raise NotImplementedError("BCOO.fromscipy with nonzero n_dense/n_batch")
    mat = mat.tocoo()
    indices = np.column_stack((mat.row, mat.col)).astype(index_dtype or np.int32)
    return cls((jnp.asarray(mat.data), jnp.asarray(indices)), shape=mat.shape)

  @classmethod
  def _empty(cls, shape, *, dtype=None, index_dtype="int32", n_dense=0, n_batch=0, nse=0):
    """An all-zero BCOO array (``nse`` padding elements); the public form is ``empty``."""
    jnp = _jnp()
    shape = tuple(shape)
    n_sparse = len(shape) - n_dense - n_batch
    if n_sparse < 0 or n_dense < 0 or n_batch < 0 or nse < 0:
      raise ValueError(f"Invalid inputs: shape={shape}, n_dense={n_dense}, "
                       f"n_batch={n_batch}, nse={nse}")
    batch, sparse_shape, dense = (shape[:n_batch], shape[n_batch:n_batch + n_sparse],
                                  shape[n_batch + n_sparse:])
    data = jnp.zeros((*batch, nse, *dense), dtype)
    indices = jnp.broadcast_to(jnp.array(sparse_shape, index_dtype), (*batch, nse, n_sparse))
    return cls((data, indices), shape=shape, indices_sorted=True, unique_indices=True)

  @classmethod
  def _eye(cls, N, M, k, *, dtype=None, index_dtype="int32", n_batch=0, n_dense=0):
    """The ``k``-th diagonal of ones of an ``N x M`` BCOO array; the public form is ``eye``."""
    jnp = _jnp()
    n_sparse = 2 - n_batch - n_dense
    if n_sparse < 0 or n_dense < 0 or n_batch < 0:
      raise ValueError(f"Invalid inputs: shape={(N, M)}, n_dense={n_dense}, n_batch={n_batch}")
    diag_size = min(N, M - k) if k > 0 else min(N + k, M)
    if diag_size <= 0:
      return cls._empty((N, M), dtype=dtype, index_dtype=index_dtype, n_batch=n_batch,
                        n_dense=n_dense)
    if n_dense > 0 or n_batch > 1:
      # These layouts store every zero as well: build them from the dense identity.
      return cls.fromdense(jnp.eye(N, M, k, dtype=dtype), n_batch=n_batch, n_dense=n_dense,
                           index_dtype=index_dtype)
    if n_batch == 0:
      start = np.array([max(-k, 0), max(k, 0)])
      indices = start + np.arange(diag_size)[:, None]
      return cls((jnp.ones(diag_size, dtype), jnp.asarray(indices.astype(index_dtype))),
                 shape=(N, M), indices_sorted=True, unique_indices=True)
    # One stored element per row: column i + k, rows without one padded (column M).
    cols = np.arange(N) + k
    valid = (cols >= 0) & (cols < M)
    data = jnp.asarray(np.where(valid, 1, 0)[:, None], dtype or jnp.zeros(()).dtype)
    indices = np.where(valid, cols, M).astype(index_dtype)[:, None, None]
    return cls((data, jnp.asarray(indices)), shape=(N, M), indices_sorted=True,
               unique_indices=True)

  def todense(self):
    """Create a dense version of the array."""
    return bcoo_todense(self)

  def transpose(self, axes=None):
    """Create a new array containing the transpose."""
    perm = list(range(self.ndim)[::-1] if axes is None else axes)
    mat_t = bcoo_transpose(self, permutation=perm)
    sparse_perm = [p - self.n_batch for p in perm[self.n_batch: self.n_batch + self.n_sparse]]
    is_sorted = self.indices_sorted and sparse_perm == list(range(self.n_sparse))
    return BCOO((mat_t.data, mat_t.indices), shape=mat_t.shape, indices_sorted=is_sorted,
                unique_indices=self.unique_indices)

  def __matmul__(self, other):
    return bcoo_matmul(self, other)

  def __rmatmul__(self, other):
    return bcoo_matmul(other, self)

  def __neg__(self):
    return BCOO((-self.data, self.indices), **self._info._asdict())

  def __pos__(self):
    return self



def bcoo_todense(mat: BCOO):
  """Convert batched sparse matrix to a dense matrix.

  Args:
    mat: BCOO matrix.

  Returns:
    mat_dense: dense version of ``mat``.

  >>> import jaxlite.numpy as jnp
  >>> bcoo_todense(BCOO((jnp.array([5.]), jnp.array([[1]])), shape=(3,)))
  Array([0., 5., 0.], dtype=float32)
  """
  return bcoo_todense_buffers(mat.data, mat.indices, spinfo=mat._info)


def bcoo_fromdense(mat, *, nse=None, n_batch=0, n_dense=0, index_dtype=np.int32):
  """Create BCOO-format sparse matrix from a dense matrix.

  Args:
    mat : array to be converted to BCOO.
    nse : number of specified elements in each batch
    n_batch : number of batch dimensions (default: 0)
    n_dense : number of block_dimensions (default: 0)
    index_dtype : dtype of sparse indices (default: int32)

  Returns:
    mat_bcoo: BCOO representation of the matrix.

  >>> import jaxlite.numpy as jnp
  >>> bcoo_fromdense(jnp.array([0., 3., 0.])).data
  Array([3.], dtype=float32)
  """
  jnp = _jnp()
  mat = jnp.asarray(mat)
  nse_value = nse if nse is not None else count_stored_elements(mat, n_batch, n_dense)
  nse_int = concrete_or_error(int, nse_value, TRACED_NSE_ERROR)
  bufs = bcoo_fromdense_buffers(mat, nse=nse_int, n_batch=n_batch, n_dense=n_dense,
                                index_dtype=index_dtype)
  return BCOO(bufs, shape=mat.shape, indices_sorted=True, unique_indices=True)


def bcoo_extract(sparr: BCOO, arr, *, assume_unique=None) -> BCOO:
  """Extract values from a dense array according to the sparse array's indices.

  Args:
    sparr : BCOO array whose indices will be used for the output.
    arr : ArrayLike with shape equal to self.shape
    assume_unique : bool, defaults to sparr.unique_indices
      If True, extract values for every index, even if index contains duplicates.
      If False, duplicate indices will have their values summed and returned in
      the position of the first index.

  Returns:
    extracted : a BCOO array with the same sparsity pattern as self.

  >>> import jaxlite.numpy as jnp
  >>> sp = BCOO((jnp.array([1., 1.]), jnp.array([[0], [2]])), shape=(3,))
  >>> bcoo_extract(sp, jnp.array([7., 8., 9.])).data
  Array([7., 9.], dtype=float32)
  """
  jnp = _jnp()
  if not isinstance(sparr, BCOO):
    raise TypeError("First argument to bcoo_extract should be a BCOO array. "
                    f"Got type(sparr)={type(sparr)}")
  a = jnp.asarray(arr)
  if a.shape != sparr.shape:
    raise ValueError(f"shape mismatch: sparr.shape={sparr.shape} a.shape={a.shape}")
  if assume_unique is None:
    assume_unique = sparr.unique_indices
  data = bcoo_extract_buffers(sparr.indices, a, assume_unique=assume_unique)
  return BCOO((data, sparr.indices), **sparr._info._asdict())


def bcoo_transpose(mat: BCOO, *, permutation) -> BCOO:
  """Transpose a BCOO-format array.

  Args:
    mat: A BCOO-format array.
    permutation:  A tuple or list or ndarray which contains a permutation of
      [0,1,..,N-1] where N is the number of axes of ``mat`` in the order of
      batch, sparse, and dense dimensions. The i'th axis of the returned array
      corresponds to the axis numbered permutation[i] of ``mat``. Transpose
      permutation currently does not support permuting batch axes with non-batch
      axes nor permuting dense axes with non-dense axes.

  Returns:
    A BCOO-format array.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> bcoo_transpose(M, permutation=(1, 0)).todense()
  Array([[0., 2.],
         [1., 0.]], dtype=float32)
  """
  permutation = tuple(int(p) for p in permutation)
  data, indices = bcoo_transpose_buffers(mat.data, mat.indices, permutation=permutation,
                                         spinfo=mat._info)
  shape = tuple(mat.shape[p] for p in permutation)
  return BCOO((data, indices), shape=shape, indices_sorted=False,
              unique_indices=mat.unique_indices)


def bcoo_dot_general(lhs, rhs, *, dimension_numbers, precision=None,
                     preferred_element_type=None, out_sharding=None):
  """A general contraction operation.

  Args:
    lhs: An ndarray or BCOO-format sparse array.
    rhs: An ndarray or BCOO-format sparse array..
    dimension_numbers: a tuple of tuples of the form
      `((lhs_contracting_dims, rhs_contracting_dims),
      (lhs_batch_dims, rhs_batch_dims))`.
    precision: unused
    preferred_element_type: unused

  Returns:
    An ndarray or BCOO-format sparse array containing the result. If both inputs
    are sparse, the result will be sparse, of type BCOO. If either input is dense,
    the result will be dense, of type ndarray.

  >>> import jaxlite.numpy as jnp
  >>> M = BCOO.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> bcoo_dot_general(M, jnp.array([3., 4.]), dimension_numbers=(([1], [0]), ([], [])))
  Array([4., 6.], dtype=float32)
  """
  del precision  # as in JAX: the sparse kernels take no precision
  if out_sharding is not None:
    raise NotImplementedError("bcoo_dot_general: out_sharding is not supported")
  if isinstance(lhs, BCOO) and isinstance(rhs, BCOO):
    from jaxlite.experimental.sparse.bcoo_spdot import bcoo_spdot_general
    return bcoo_spdot_general(lhs, rhs, dimension_numbers=dimension_numbers,
                              preferred_element_type=preferred_element_type)
  if isinstance(lhs, BCOO):
    return bcoo_dot_general_buffers(lhs.data, lhs.indices, rhs,
                                    dimension_numbers=dimension_numbers,
                                    preferred_element_type=preferred_element_type,
                                    lhs_spinfo=lhs._info)
  if isinstance(rhs, BCOO):
    return bcoo_rdot_general_buffers(lhs, rhs.data, rhs.indices,
                                     dimension_numbers=dimension_numbers,
                                     preferred_element_type=preferred_element_type,
                                     rhs_spinfo=rhs._info)
  from jaxlite import lax
  return lax.dot_general(lhs, rhs, dimension_numbers=dimension_numbers,
                         preferred_element_type=preferred_element_type)


def bcoo_matmul(lhs, rhs):
  """``lhs @ rhs`` where one or both operands are BCOO (``jnp.matmul``'s shape rules for
  rank-1 and rank-2 operands; higher ranks contract the last axis of ``lhs`` with the
  second-to-last of ``rhs`` and batch over the leading axes, which must match)."""
  jnp = _jnp()
  if not isinstance(lhs, BCOO):
    lhs = jnp.asarray(lhs)
  if not isinstance(rhs, BCOO):
    rhs = jnp.asarray(rhs)
  if lhs.ndim == 0 or rhs.ndim == 0:
    raise ValueError("matmul: inputs must have at least one dimension; got "
                     f"shapes {lhs.shape} and {rhs.shape}")
  lc = lhs.ndim - 1
  rc = 0 if rhs.ndim == 1 else rhs.ndim - 2
  n_batch = min(lhs.ndim, rhs.ndim) - 2 if min(lhs.ndim, rhs.ndim) > 2 else 0
  if lhs.ndim > 2 and rhs.ndim > 2 and lhs.ndim != rhs.ndim:
    raise ValueError("sparse matmul: operands of rank > 2 need equal ranks, got shapes "
                     f"{lhs.shape} and {rhs.shape}")
  if lhs.shape[lc] != rhs.shape[rc]:
    raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 "
                     f"(size {rhs.shape[rc]} is different from {lhs.shape[lc]})")
  batch = tuple(range(n_batch))
  return bcoo_dot_general(lhs, rhs, dimension_numbers=(((lc,), (rc,)), (batch, batch)))


def _bcoo_to_elt(mat: BCOO, axis: int) -> BCOO:
  # vmap maps a BCOO array over one of its batch dimensions (its buffers' same axis);
  # ``mat`` holds the per-example buffers already, so it has one batch dimension less.
  if axis > mat.n_batch:
    raise ValueError(f"Cannot map in_axis={axis} for BCOO array with n_batch={mat.n_batch + 1}. "
                     "in_axes for batched BCOO operations must correspond to a batch dimension.")
  return BCOO((mat.data, mat.indices), shape=mat.shape[:axis] + mat.shape[axis + 1:],
              indices_sorted=mat.indices_sorted, unique_indices=mat.unique_indices)


def _bcoo_from_elt(mat: BCOO, axis_size: int, axis: int) -> BCOO:
  if axis > mat.n_batch - 1:
    raise ValueError(f"BCOO: cannot add out_axis={axis} for BCOO array with "
                     f"n_batch={mat.n_batch - 1}. BCOO batch axes must be a contiguous block "
                     "of leading dimensions.")
  return BCOO((mat.data, mat.indices), shape=mat.shape[:axis] + (axis_size,) + mat.shape[axis:],
              indices_sorted=mat.indices_sorted, unique_indices=mat.unique_indices)


vmappable.register_vmappable(BCOO, _bcoo_to_elt, _bcoo_from_elt)
