"""``COO``: the legacy 2-D coordinate format (``data``, ``row``, ``col``) and its
primitives ``coo_todense``, ``coo_fromdense``, ``coo_matvec``, ``coo_matmat``.

Prefer ``BCOO``; COO works with ``jit`` and differentiation of its values (no
batching rules, as in JAX).

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.COO.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> M @ jnp.array([1., 10.])
  Array([10.,  2.], dtype=float32)
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core_tools import concrete_or_error
from jaxlite.interpreters import ad, mlir
from jaxlite.experimental.sparse._base import BufferedSparse, JAXSparse

__all__ = ["COO", "COOInfo", "coo_todense", "coo_todense_p", "coo_fromdense", "coo_fromdense_p",
           "coo_matvec", "coo_matvec_p", "coo_matmat", "coo_matmat_p"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


class COOInfo(NamedTuple):
  shape: tuple
  rows_sorted: bool = False
  cols_sorted: bool = False


@tree_util.register_pytree_node_class
class COO(BufferedSparse):
  """Experimental COO matrix implemented in JAX.

  Note: this class has minimal compatibility with JAX transforms such as
  grad and autodiff, and offers very little functionality. In general you
  should prefer :class:`jax.experimental.sparse.BCOO`.
  """
  _buffer_names = ("data", "row", "col")
  _layout_attributes = {"shape": "shape", "rows_sorted": "_rows_sorted",
                        "cols_sorted": "_cols_sorted"}
  _info_type = COOInfo

  def __init__(self, args, *, shape, rows_sorted: bool = False, cols_sorted: bool = False):
    super().__init__(args, shape=shape, rows_sorted=rows_sorted, cols_sorted=cols_sorted)

  @property
  def nse(self) -> int:
    return self.data.size

  @classmethod
  def fromdense(cls, mat, *, nse=None, index_dtype=np.int32) -> "COO":
    return coo_fromdense(mat, nse=nse, index_dtype=index_dtype)

  def _sort_indices(self) -> "COO":
    """A copy sorted by row, then column (``self`` when already so)."""
    from jaxlite import lax
    if self._rows_sorted:
      return self
    row, col, data = lax.sort((self.row, self.col, self.data), num_keys=2)
    return type(self)((data, row, col), shape=self.shape, rows_sorted=True)

  @classmethod
  def _empty(cls, shape, *, dtype=None, index_dtype="int32") -> "COO":
    jnp = _jnp()
    shape = tuple(shape)
    if len(shape) != 2:
      raise ValueError(f"COO must have ndim=2; got shape={shape}")
    empty_index = jnp.zeros(0, index_dtype)
    return cls((jnp.zeros(0, dtype), empty_index, empty_index), shape=shape,
               rows_sorted=True, cols_sorted=True)

  @classmethod
  def _eye(cls, N, M, k, *, dtype=None, index_dtype="int32") -> "COO":
    jnp = _jnp()
    diag_size = min(N, M - k) if k > 0 else min(N + k, M)
    if diag_size <= 0:
      return cls._empty((N, M), dtype=dtype, index_dtype=index_dtype)
    idx = np.arange(diag_size)
    row = jnp.asarray((idx + max(-k, 0)).astype(index_dtype))
    col = jnp.asarray((idx + max(k, 0)).astype(index_dtype))
    return cls((jnp.ones(diag_size, dtype), row, col), shape=(N, M), rows_sorted=True,
               cols_sorted=True)

  def todense(self):
    return coo_todense(self)

  def transpose(self, axes=None) -> "COO":
    if axes is not None:
      raise NotImplementedError("axes argument to transpose()")
    return COO((self.data, self.col, self.row), shape=self.shape[::-1],
               rows_sorted=self._cols_sorted, cols_sorted=self._rows_sorted)

  def __matmul__(self, other):
    return coo_like_matmul(self, other, coo_matvec, coo_matmat)


def coo_like_matmul(mat, other, matvec, matmat):
  """``mat @ other`` for the legacy formats: operands promoted, then matvec or matmat."""
  jnp = _jnp()
  if isinstance(other, JAXSparse):
    raise NotImplementedError("matmul between two sparse objects.")
  other = jnp.asarray(other)
  dtype = jnp.result_type(mat.data, other)
  promoted = type(mat).tree_unflatten(mat.tree_flatten()[1],
                                      [mat.data.astype(dtype), *mat.tree_flatten()[0][1:]])
  other = other.astype(dtype)
  if other.ndim == 1:
    return matvec(promoted, other)
  if other.ndim == 2:
    return matmat(promoted, other)
  raise NotImplementedError(f"matmul with object of shape {other.shape}")


# --- coo_todense ----------------------------------------------------------------------

coo_todense_p = core.Primitive("coo_todense")


def coo_todense(mat: COO):
  """Convert a COO-format sparse matrix to a dense matrix.

  Args:
    mat : COO matrix
  Returns:
    mat_dense: dense version of ``mat``

  >>> import jaxlite.numpy as jnp
  >>> coo_todense(COO((jnp.array([3.]), jnp.array([1]), jnp.array([0])), shape=(2, 2)))
  Array([[0., 0.],
         [3., 0.]], dtype=float32)
  """
  return coo_todense_p.bind(mat.data, mat.row, mat.col, spinfo=mat._info)


def _todense_impl(data, row, col, *, spinfo):
  jnp = _jnp()
  return jnp.zeros(spinfo.shape, data.dtype).at[row, col].add(data, mode="drop")


def _todense_transpose(ct, data, row, col, *, spinfo):
  if ad.is_undefined_primal(row) or ad.is_undefined_primal(col):
    raise ValueError("Cannot transpose with respect to sparse indices")
  return ad.instantiate_zeros(ct)[row, col], None, None


coo_todense_p.def_abstract_eval(
    lambda data, row, col, *, spinfo: core.ShapedArray(spinfo.shape, data.dtype))
ad.defjvp(coo_todense_p, lambda t, data, row, col, *, spinfo:
          coo_todense_p.bind(t, row, col, spinfo=spinfo), None, None)
ad.primitive_transposes[coo_todense_p] = _todense_transpose
mlir.register_lowering(coo_todense_p, mlir.lower_fun(_todense_impl, multiple_results=False))


# --- coo_fromdense --------------------------------------------------------------------

coo_fromdense_p = core.Primitive("coo_fromdense")
coo_fromdense_p.multiple_results = True


def coo_fromdense(mat, *, nse=None, index_dtype=np.int32) -> COO:
  """Create a COO-format sparse matrix from a dense matrix.

  Args:
    mat : array to be converted to COO.
    nse : number of specified entries in ``mat``. If not specified,
      it will be computed from the input matrix.
    index_dtype : dtype of sparse indices

  Returns:
    mat_coo : COO representation of the matrix.

  >>> import jaxlite.numpy as jnp
  >>> coo_fromdense(jnp.array([[0., 1.], [2., 0.]])).row
  Array([0, 1], dtype=int32)
  """
  jnp = _jnp()
  mat = jnp.asarray(mat)
  if nse is None:
    nse = (mat != 0).sum()
  nse = concrete_or_error(operator.index, nse, "coo_fromdense nse argument")
  data, row, col = coo_fromdense_p.bind(mat, nse=nse, index_dtype=np.dtype(index_dtype))
  return COO((data, row, col), shape=mat.shape, rows_sorted=True)


def _fromdense_impl(mat, *, nse, index_dtype):
  jnp = _jnp()
  row, col = jnp.nonzero(mat, size=nse)
  data = mat[row, col]
  true_nonzeros = jnp.arange(nse) < (mat != 0).sum()
  data = jnp.where(true_nonzeros, data, jnp.zeros((), data.dtype))
  return data, row.astype(index_dtype), col.astype(index_dtype)


def _fromdense_abstract_eval(mat, *, nse, index_dtype):
  if mat.ndim != 2:
    raise ValueError(f"coo_fromdense requires a 2-D array, got shape {mat.shape}")
  return [core.ShapedArray((nse,), mat.dtype), core.ShapedArray((nse,), index_dtype),
          core.ShapedArray((nse,), index_dtype)]


def _fromdense_jvp(primals, tangents, *, nse, index_dtype):
  (mat,), (mat_dot,) = primals, tangents
  data, row, col = coo_fromdense_p.bind(mat, nse=nse, index_dtype=index_dtype)
  zero = lambda x: ad.Zero(ad.tangent_aval(core.get_aval(x)))
  data_dot = zero(data) if type(mat_dot) is ad.Zero else mat_dot[row, col]
  return [data, row, col], [data_dot, zero(row), zero(col)]


def _fromdense_transpose(ct, mat, *, nse, index_dtype):
  # The indices depend on the values: there is nothing linear to transpose (as JAX).
  raise ValueError("Cannot transpose with respect to sparse indices")


coo_fromdense_p.def_abstract_eval(_fromdense_abstract_eval)
ad.primitive_jvps[coo_fromdense_p] = _fromdense_jvp
ad.primitive_transposes[coo_fromdense_p] = _fromdense_transpose
mlir.register_lowering(coo_fromdense_p, mlir.lower_fun(_fromdense_impl, multiple_results=True))


# --- coo_matvec / coo_matmat ----------------------------------------------------------

coo_matvec_p = core.Primitive("coo_matvec")
coo_matmat_p = core.Primitive("coo_matmat")


def coo_matvec(mat: COO, v, transpose: bool = False):
  """Product of COO sparse matrix and a dense vector.

  Args:
    mat : COO matrix
    v : one-dimensional array of size ``(shape[0] if transpose else shape[1],)`` and
      dtype ``mat.dtype``
    transpose : boolean specifying whether to transpose the sparse matrix
      before computing.

  Returns:
    y : array of shape ``(mat.shape[1] if transpose else mat.shape[0],)`` representing
      the matrix vector product.

  >>> import jaxlite.numpy as jnp
  >>> coo_matvec(COO.fromdense(jnp.array([[0., 1.], [2., 0.]])), jnp.array([1., 2.]))
  Array([2., 2.], dtype=float32)
  """
  jnp = _jnp()
  return coo_matvec_p.bind(mat.data, mat.row, mat.col, jnp.asarray(v), spinfo=mat._info,
                           transpose=transpose)


def coo_matmat(mat: COO, B, *, transpose: bool = False):
  """Product of COO sparse matrix and a dense matrix.

  Args:
    mat : COO matrix
    B : array of shape ``(mat.shape[0] if transpose else mat.shape[1], cols)`` and
      dtype ``mat.dtype``
    transpose : boolean specifying whether to transpose the sparse matrix
      before computing.

  Returns:
    C : array of shape ``(mat.shape[1] if transpose else mat.shape[0], cols)``
      representing the matrix vector product.

  >>> import jaxlite.numpy as jnp
  >>> coo_matmat(COO.fromdense(jnp.array([[0., 1.], [2., 0.]])), jnp.eye(2))
  Array([[0., 1.],
         [2., 0.]], dtype=float32)
  """
  jnp = _jnp()
  return coo_matmat_p.bind(mat.data, mat.row, mat.col, jnp.asarray(B), spinfo=mat._info,
                           transpose=transpose)


def coo_product(data, row, col, B, *, shape, transpose):
  """The product of COO buffers with a vector or matrix ``B`` (a scatter-add of the
  scaled rows of ``B`` that the stored columns address)."""
  jnp = _jnp()
  if transpose:
    row, col = col, row
  rows_out = shape[1] if transpose else shape[0]
  scaled = data.reshape(data.shape + (1,) * (B.ndim - 1)) * B[col]
  return jnp.zeros((rows_out, *B.shape[1:]), scaled.dtype).at[row].add(scaled, mode="drop")


def _product_abstract_eval(name, ndim):
  def rule(data, row, col, B, *, spinfo, transpose):
    if not data.shape == row.shape == col.shape or row.dtype != col.dtype:
      raise TypeError(f"{name}: data, row and col must have one shape and index dtype, got "
                      f"{data.shape}, {row.shape}/{row.dtype}, {col.shape}/{col.dtype}")
    if data.dtype != B.dtype:
      raise TypeError(f"{name}: the operands must have one dtype, got {data.dtype} and {B.dtype}")
    inner = spinfo.shape[0] if transpose else spinfo.shape[1]
    if B.ndim != ndim or B.shape[0] != inner:
      raise TypeError(f"{name}: dense operand of shape {B.shape} does not match the sparse "
                      f"shape {spinfo.shape} (transpose={transpose})")
    rows_out = spinfo.shape[1] if transpose else spinfo.shape[0]
    return core.ShapedArray((rows_out, *B.shape[1:]), data.dtype)
  return rule


def _product_transpose(primitive):
  def rule(ct, data, row, col, B, *, spinfo, transpose):
    if ad.is_undefined_primal(row) or ad.is_undefined_primal(col):
      raise ValueError("Cannot transpose with respect to sparse indices")
    ct = ad.instantiate_zeros(ct)
    if ad.is_undefined_primal(B):
      return None, None, None, primitive.bind(data, row, col, ct, spinfo=spinfo,
                                              transpose=not transpose)
    # d data[k] = ct[row[k]] . B[col[k]] (rows swapped when transposed).
    r, c = (col, row) if transpose else (row, col)
    prod = ct[r] * B[c]
    return (prod if prod.ndim == 1 else prod.sum(1)), None, None, None
  return rule


for _p, _name, _ndim in ((coo_matvec_p, "coo_matvec", 1), (coo_matmat_p, "coo_matmat", 2)):
  _p.def_abstract_eval(_product_abstract_eval(_name, _ndim))
  ad.defjvp(_p,
            lambda t, data, row, col, B, *, _p=_p, **k: _p.bind(t, row, col, B, **k),
            None, None,
            lambda t, data, row, col, B, *, _p=_p, **k: _p.bind(data, row, col, t, **k))
  ad.primitive_transposes[_p] = _product_transpose(_p)
  mlir.register_lowering(_p, mlir.lower_fun(
      lambda data, row, col, B, *, spinfo, transpose:
      coo_product(data, row, col, B, shape=spinfo.shape, transpose=transpose),
      multiple_results=False))
