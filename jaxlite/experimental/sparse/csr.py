"""``CSR`` and ``CSC``: the legacy compressed-row/column 2-D formats (``data``,
``indices``, ``indptr``) and the primitives ``csr_todense``, ``csr_fromdense``,
``csr_matvec``, ``csr_matmat``. A CSC array is the CSR form of its transpose.

Each primitive expands ``indptr`` into one row index per stored element and then
works as the COO form does (scatter-adds and gathers).

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.CSR.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> M.indptr
  Array([0, 1, 2], dtype=int32)
  >>> M @ jnp.array([1., 10.])
  Array([10.,  2.], dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core_tools import concrete_or_error
from jaxlite.interpreters import ad, mlir
from jaxlite.experimental.sparse._base import BufferedSparse
from jaxlite.experimental.sparse.coo import coo_product, coo_like_matmul

__all__ = ["CSR", "CSC", "csr_todense", "csr_todense_p", "csr_fromdense", "csr_fromdense_p",
           "csr_matvec", "csr_matvec_p", "csr_matmat", "csr_matmat_p"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


def csr_rows(indices, indptr):
  """The row of each stored element: row ``r`` owns positions ``indptr[r]:indptr[r+1]``."""
  jnp = _jnp()
  starts = jnp.zeros(indices.shape[0], indices.dtype).at[indptr[1:-1]].add(1, mode="drop")
  return jnp.cumsum(starts).astype(indices.dtype)


@tree_util.register_pytree_node_class
class CSR(BufferedSparse):
  """Experimental CSR matrix implemented in JAX.

  Note: this class has minimal compatibility with JAX transforms such as
  grad and autodiff, and offers very little functionality. In general you
  should prefer :class:`jax.experimental.sparse.BCOO`.
  """
  _buffer_names = ("data", "indices", "indptr")

  def __init__(self, args, *, shape):
    super().__init__(args, shape=shape)

  @property
  def nse(self) -> int:
    return self.data.size

  @classmethod
  def fromdense(cls, mat, *, nse=None, index_dtype=np.int32):
    if nse is None:
      nse = (mat != 0).sum()
    return csr_fromdense(mat, nse=nse, index_dtype=index_dtype)

  @classmethod
  def _empty(cls, shape, *, dtype=None, index_dtype="int32"):
    jnp = _jnp()
    shape = tuple(shape)
    if len(shape) != 2:
      raise ValueError(f"{cls.__name__} must have ndim=2; got shape={shape}")
    rows = shape[0] if cls is CSR else shape[1]
    return cls((jnp.zeros(0, dtype), jnp.zeros(0, index_dtype),
                jnp.zeros(rows + 1, index_dtype)), shape=shape)

  @classmethod
  def _eye(cls, N, M, k, *, dtype=None, index_dtype="int32"):
    jnp = _jnp()
    diag_size = min(N, M - k) if k > 0 else min(N + k, M)
    if diag_size <= 0:
      return cls._empty((N, M), dtype=dtype, index_dtype=index_dtype)
    idx = np.arange(diag_size)
    rows, cols = idx + max(-k, 0), idx + max(k, 0)
    indptr = np.zeros(N + 1, index_dtype)
    indptr[1:] = np.cumsum(np.bincount(rows, minlength=N))
    return cls((jnp.ones(diag_size, dtype), jnp.asarray(cols.astype(index_dtype)),
                jnp.asarray(indptr)), shape=(N, M))

  def todense(self):
    return csr_todense(self)

  def transpose(self, axes=None):
    if axes is not None:
      raise NotImplementedError("axes argument to transpose()")
    return CSC((self.data, self.indices, self.indptr), shape=self.shape[::-1])

  def __matmul__(self, other):
    return coo_like_matmul(self, other, csr_matvec, csr_matmat)


@tree_util.register_pytree_node_class
class CSC(CSR):
  """Experimental CSC matrix implemented in JAX; experimental, as CSR."""

  @classmethod
  def fromdense(cls, mat, *, nse=None, index_dtype=np.int32):
    if nse is None:
      nse = (mat != 0).sum()
    return csr_fromdense(mat.T, nse=nse, index_dtype=index_dtype).T

  @classmethod
  def _eye(cls, N, M, k, *, dtype=None, index_dtype="int32"):
    return CSR._eye(M, N, -k, dtype=dtype, index_dtype=index_dtype).T

  def todense(self):
    return csr_todense(self.T).T

  def transpose(self, axes=None):
    if axes is not None:
      raise NotImplementedError("axes argument to transpose()")
    return CSR((self.data, self.indices, self.indptr), shape=self.shape[::-1])

  def __matmul__(self, other):
    matvec = lambda m, v: csr_matvec(m.T, v, transpose=True)
    matmat = lambda m, b: csr_matmat(m.T, b, transpose=True)
    return coo_like_matmul(self, other, matvec, matmat)


# --- csr_todense ----------------------------------------------------------------------

csr_todense_p = core.Primitive("csr_todense")


def csr_todense(mat: CSR):
  """Convert a CSR-format sparse matrix to a dense matrix.

  Args:
    mat : CSR matrix
  Returns:
    mat_dense: dense version of ``mat``

  >>> import jaxlite.numpy as jnp
  >>> csr_todense(CSR.fromdense(jnp.array([[0., 1.], [2., 0.]])))
  Array([[0., 1.],
         [2., 0.]], dtype=float32)
  """
  return csr_todense_p.bind(mat.data, mat.indices, mat.indptr, shape=mat.shape)


def _todense_impl(data, indices, indptr, *, shape):
  jnp = _jnp()
  rows = csr_rows(indices, indptr)
  return jnp.zeros(shape, data.dtype).at[rows, indices].add(data, mode="drop")


def _todense_transpose(ct, data, indices, indptr, *, shape):
  if ad.is_undefined_primal(indices) or ad.is_undefined_primal(indptr):
    raise ValueError("Cannot transpose with respect to sparse indices")
  return ad.instantiate_zeros(ct)[csr_rows(indices, indptr), indices], None, None


csr_todense_p.def_abstract_eval(
    lambda data, indices, indptr, *, shape: core.ShapedArray(shape, data.dtype))
ad.defjvp(csr_todense_p, lambda t, data, indices, indptr, *, shape:
          csr_todense_p.bind(t, indices, indptr, shape=shape), None, None)
ad.primitive_transposes[csr_todense_p] = _todense_transpose
mlir.register_lowering(csr_todense_p, mlir.lower_fun(_todense_impl, multiple_results=False))


# --- csr_fromdense --------------------------------------------------------------------

csr_fromdense_p = core.Primitive("csr_fromdense")
csr_fromdense_p.multiple_results = True


def csr_fromdense(mat, *, nse=None, index_dtype=np.int32) -> CSR:
  """Create a CSR-format sparse matrix from a dense matrix.

  Args:
    mat : array to be converted to CSR.
    nse : number of specified entries in ``mat``. If not specified,
      it will be computed from the input matrix.
    index_dtype : dtype of sparse indices

  Returns:
    mat_coo : CSR representation of the matrix.

  >>> import jaxlite.numpy as jnp
  >>> csr_fromdense(jnp.array([[0., 1.], [2., 0.]])).indices
  Array([1, 0], dtype=int32)
  """
  jnp = _jnp()
  mat = jnp.asarray(mat)
  if nse is None:
    nse = (mat != 0).sum()
  nse = concrete_or_error(operator.index, nse, "coo_fromdense nse argument")
  bufs = csr_fromdense_p.bind(mat, nse=nse, index_dtype=np.dtype(index_dtype))
  return CSR(bufs, shape=mat.shape)


def _fromdense_impl(mat, *, nse, index_dtype):
  jnp = _jnp()
  rows_count = mat.shape[0]
  row, col = jnp.nonzero(mat, size=nse)
  data = mat[row, col]
  true_nonzeros = jnp.arange(nse) < (mat != 0).sum()
  data = jnp.where(true_nonzeros, data, jnp.zeros((), data.dtype))
  # Padding rows count past the last row, so they never enter indptr.
  row = jnp.where(true_nonzeros, row, rows_count)
  counts = jnp.zeros(rows_count, index_dtype).at[row].add(1, mode="drop")
  indptr = jnp.concatenate([jnp.zeros(1, index_dtype), jnp.cumsum(counts).astype(index_dtype)])
  return data, col.astype(index_dtype), indptr


def _fromdense_abstract_eval(mat, *, nse, index_dtype):
  if mat.ndim != 2:
    raise ValueError(f"csr_fromdense requires a 2-D array, got shape {mat.shape}")
  return [core.ShapedArray((nse,), mat.dtype), core.ShapedArray((nse,), index_dtype),
          core.ShapedArray((mat.shape[0] + 1,), index_dtype)]


def _fromdense_jvp(primals, tangents, *, nse, index_dtype):
  (mat,), (mat_dot,) = primals, tangents
  data, indices, indptr = csr_fromdense_p.bind(mat, nse=nse, index_dtype=index_dtype)
  zero = lambda x: ad.Zero(ad.tangent_aval(core.get_aval(x)))
  data_dot = zero(data) if type(mat_dot) is ad.Zero else \
      mat_dot[csr_rows(indices, indptr), indices]
  return [data, indices, indptr], [data_dot, zero(indices), zero(indptr)]


def _fromdense_transpose(ct, mat, *, nse, index_dtype):
  raise ValueError("Cannot transpose with respect to sparse indices")


csr_fromdense_p.def_abstract_eval(_fromdense_abstract_eval)
ad.primitive_jvps[csr_fromdense_p] = _fromdense_jvp
ad.primitive_transposes[csr_fromdense_p] = _fromdense_transpose
mlir.register_lowering(csr_fromdense_p, mlir.lower_fun(_fromdense_impl, multiple_results=True))


# --- csr_matvec / csr_matmat ----------------------------------------------------------

csr_matvec_p = core.Primitive("csr_matvec")
csr_matmat_p = core.Primitive("csr_matmat")


def csr_matvec(mat: CSR, v, transpose: bool = False):
  """Product of CSR sparse matrix and a dense vector.

  Args:
    mat : CSR matrix
    v : one-dimensional array of size ``(shape[0] if transpose else shape[1],)`` and
      dtype ``mat.dtype``
    transpose : boolean specifying whether to transpose the sparse matrix
      before computing.

  Returns:
    y : array of shape ``(mat.shape[1] if transpose else mat.shape[0],)`` representing
      the matrix vector product.

  >>> import jaxlite.numpy as jnp
  >>> csr_matvec(CSR.fromdense(jnp.array([[0., 1.], [2., 0.]])), jnp.array([1., 2.]))
  Array([2., 2.], dtype=float32)
  """
  jnp = _jnp()
  return csr_matvec_p.bind(mat.data, mat.indices, mat.indptr, jnp.asarray(v), shape=mat.shape,
                           transpose=transpose)


def csr_matmat(mat: CSR, B, *, transpose: bool = False):
  """Product of CSR sparse matrix and a dense matrix.

  Args:
    mat : CSR matrix
    B : array of shape ``(mat.shape[0] if transpose else mat.shape[1], cols)`` and
      dtype ``mat.dtype``
    transpose : boolean specifying whether to transpose the sparse matrix
      before computing.

  Returns:
    C : array of shape ``(mat.shape[1] if transpose else mat.shape[0], cols)``
      representing the matrix vector product.

  >>> import jaxlite.numpy as jnp
  >>> csr_matmat(CSR.fromdense(jnp.array([[0., 1.], [2., 0.]])), jnp.eye(2))
  Array([[0., 1.],
         [2., 0.]], dtype=float32)
  """
  jnp = _jnp()
  return csr_matmat_p.bind(mat.data, mat.indices, mat.indptr, jnp.asarray(B), shape=mat.shape,
                           transpose=transpose)


def _product_abstract_eval(name, ndim):
  def rule(data, indices, indptr, B, *, shape, transpose):
    if data.shape != indices.shape or indices.dtype != indptr.dtype:
      raise TypeError(f"{name}: data and indices must have one shape, indices and indptr one "
                      f"dtype, got {data.shape}, {indices.shape}/{indices.dtype}, "
                      f"{indptr.dtype}")
    if data.dtype != B.dtype:
      raise TypeError(f"{name}: the operands must have one dtype, got {data.dtype} and {B.dtype}")
    inner = shape[0] if transpose else shape[1]
    if B.ndim != ndim or B.shape[0] != inner:
      raise TypeError(f"{name}: dense operand of shape {B.shape} does not match the sparse "
                      f"shape {shape} (transpose={transpose})")
    return core.ShapedArray(((shape[1] if transpose else shape[0]), *B.shape[1:]), data.dtype)
  return rule


def _product_transpose(primitive):
  def rule(ct, data, indices, indptr, B, *, shape, transpose):
    if ad.is_undefined_primal(indices) or ad.is_undefined_primal(indptr):
      raise ValueError("Cannot transpose with respect to sparse indices")
    ct = ad.instantiate_zeros(ct)
    if ad.is_undefined_primal(B):
      return None, None, None, primitive.bind(data, indices, indptr, ct, shape=shape,
                                              transpose=not transpose)
    rows = csr_rows(indices, indptr)
    r, c = (indices, rows) if transpose else (rows, indices)
    prod = ct[r] * B[c]
    return (prod if prod.ndim == 1 else prod.sum(1)), None, None, None
  return rule


for _p, _name, _ndim in ((csr_matvec_p, "csr_matvec", 1), (csr_matmat_p, "csr_matmat", 2)):
  _p.def_abstract_eval(_product_abstract_eval(_name, _ndim))
  ad.defjvp(_p,
            lambda t, data, indices, indptr, B, *, _p=_p, **k: _p.bind(t, indices, indptr, B, **k),
            None, None,
            lambda t, data, indices, indptr, B, *, _p=_p, **k:
            _p.bind(data, indices, indptr, t, **k))
  ad.primitive_transposes[_p] = _product_transpose(_p)
  mlir.register_lowering(_p, mlir.lower_fun(
      lambda data, indices, indptr, B, *, shape, transpose:
      coo_product(data, csr_rows(indices, indptr), indices, B, shape=shape, transpose=transpose),
      multiple_results=False))
