"""Format-independent sparse API: ``todense`` (and its primitive), ``empty``, ``eye``.

Example:
  >>> from jaxlite.experimental import sparse
  >>> sparse.todense(sparse.eye(2))
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
"""
from __future__ import annotations

import operator

from jaxlite import core, tree_util
from jaxlite.core_tools import concrete_or_error
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.experimental.sparse._base import JAXSparse
from jaxlite.experimental.sparse.bcoo import BCOO
from jaxlite.experimental.sparse.bcoo_convert import bcoo_extract_buffers

__all__ = ["todense", "todense_p", "empty", "eye"]

todense_p = core.Primitive("todense")


def todense(arr):
  """Convert input to a dense matrix. If input is already dense, pass through.

  >>> import jaxlite.numpy as jnp
  >>> todense(jnp.ones(2))
  Array([1., 1.], dtype=float32)
  """
  bufs, tree = tree_util.tree_flatten(arr)
  return todense_p.bind(*bufs, tree=tree)


def _todense_impl(*bufs, tree):
  arr = tree_util.tree_unflatten(tree, bufs)
  return arr.todense() if isinstance(arr, JAXSparse) else arr


def _todense_abstract_eval(*bufs, tree):
  arr = tree_util.tree_unflatten(tree, bufs)
  if isinstance(arr, core.ShapedArray):
    return arr
  return core.ShapedArray(arr.shape, arr.dtype, weak_type=arr.data.weak_type)


def _todense_jvp(primals, tangents, *, tree):
  out = todense_p.bind(*primals, tree=tree)
  if type(tangents[0]) is ad.Zero:
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  return out, todense_p.bind(tangents[0], *primals[1:], tree=tree)


def _todense_transpose(ct, *bufs, tree):
  if any(ad.is_undefined_primal(b) for b in bufs[1:]):
    raise ValueError("Cannot transpose with respect to sparse indices")
  standin = object()
  obj = tree_util.tree_unflatten(tree, [standin] * len(bufs))
  ct = ad.instantiate_zeros(ct)
  if obj is standin:
    return (ct,)
  if isinstance(obj, BCOO):
    return bcoo_extract_buffers(bufs[1], ct), None
  from jaxlite.experimental.sparse.bcsr import BCSR, bcsr_extract
  if isinstance(obj, BCSR):
    return bcsr_extract(bufs[1], bufs[2], ct), None, None
  from jaxlite.experimental.sparse.coo import COO
  if isinstance(obj, COO):
    return ct[bufs[1], bufs[2]], None, None
  raise NotImplementedError(f"todense_transpose for {type(obj)}")


def _todense_batcher(batched_args, batch_dims, *, tree):
  from jaxlite.vectorization import vmap
  return vmap(lambda *b: _todense_impl(*b, tree=tree), tuple(batch_dims))(*batched_args), 0


todense_p.def_abstract_eval(_todense_abstract_eval)
ad.primitive_jvps[todense_p] = _todense_jvp
ad.primitive_transposes[todense_p] = _todense_transpose
batching.primitive_batchers[todense_p] = _todense_batcher
mlir.register_lowering(todense_p, mlir.lower_fun(_todense_impl, multiple_results=False))


def _formats(with_bcsr: bool = True):
  """The sparse formats by name (JAX's ``eye`` knows no "bcsr", its ``empty`` does)."""
  from jaxlite.experimental.sparse.bcsr import BCSR
  from jaxlite.experimental.sparse.coo import COO
  from jaxlite.experimental.sparse.csr import CSR, CSC
  formats = {"bcoo": BCOO, "coo": COO, "csr": CSR, "csc": CSC}
  return {"bcsr": BCSR, **formats} if with_bcsr else formats


def empty(shape, dtype=None, index_dtype="int32", sparse_format: str = "bcoo", **kwds):
  """Create an empty sparse array.

  Args:
    shape: sequence of integers giving the array shape.
    dtype: (optional) dtype of the array.
    index_dtype: (optional) dtype of the index arrays.
    format: string specifying the matrix format (e.g. ['bcoo']).
    **kwds: additional keywords passed to the format-specific _empty constructor.
  Returns:
    mat: empty sparse matrix.

  >>> empty((2, 3))
  BCOO(float32[2, 3], nse=0)
  """
  formats = _formats()
  if sparse_format not in formats:
    raise ValueError(f"sparse_format={sparse_format!r} not recognized; "
                     f"must be one of {list(formats.keys())}")
  return formats[sparse_format]._empty(tuple(shape), dtype=dtype, index_dtype=index_dtype,
                                       **kwds)


def eye(N, M=None, k=0, dtype=None, index_dtype="int32", sparse_format: str = "bcoo", **kwds):
  """Create 2D sparse identity matrix.

  Args:
    N: int. Number of rows in the output.
    M: int, optional. Number of columns in the output. If None, defaults to `N`.
    k: int, optional. Index of the diagonal: 0 (the default) refers to the main
       diagonal, a positive value refers to an upper diagonal, and a negative value
       to a lower diagonal.
    dtype: data-type, optional. Data-type of the returned array.
    index_dtype: (optional) dtype of the index arrays.
    format: string specifying the matrix format (e.g. ['bcoo']).
    **kwds: additional keywords passed to the format-specific _empty constructor.

  Returns:
    I: two-dimensional sparse matrix with ones along the k-th diagonal.

  >>> eye(3, k=1).todense()
  Array([[0., 1., 0.],
         [0., 0., 1.],
         [0., 0., 0.]], dtype=float32)
  """
  formats = _formats(with_bcsr=False)
  if sparse_format not in formats:
    raise KeyError(sparse_format)   # JAX indexes its table of formats
  M = N if M is None else M
  N = concrete_or_error(operator.index, N)
  M = concrete_or_error(operator.index, M)
  k = concrete_or_error(operator.index, k)
  return formats[sparse_format]._eye(N=N, M=M, k=k, dtype=dtype, index_dtype=index_dtype,
                                     **kwds)
