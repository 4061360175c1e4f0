"""Helpers shared by the linear-algebra primitives (``linalg``, ``linalg_factor``):
batched matrix products, triangles, diagonals, and the common rules."""
from __future__ import annotations

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import batching, mlir
from jaxlite.lax import base


def linalg_primitive(name: str, abstract_eval, multiple_results: bool = False):
  """A primitive with the abstract evaluation ``abstract_eval(*avals, **params)``."""
  prim = core.Primitive(name)
  prim.multiple_results = multiple_results
  prim.def_abstract_eval(abstract_eval)
  return prim


def check_matrix(name: str, x: ShapedArray, square: bool = False):
  """ValueError unless ``x`` is a (batch of) matrices (square ones if asked);
  TypeError unless it is inexact."""
  if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
    what = "a square matrix or batch of square matrices" if square else \
        "a matrix or batch of matrices"
    raise ValueError(f"The input to {name} must be {what}. Got shape {x.shape}.")
  base.check_dtypes(name, {"inexact"}, x)


def batch_leading(prim):
  """Batching rule for a primitive batched over leading dimensions: the
  vmapped axis moves to the front (unbatched operands are broadcast)."""
  def rule(batched_args, batch_dims, **params):
    size = batching.batch_size(batched_args, batch_dims)
    args = [batching.bdim_at_front(x, d, size) for x, d in zip(batched_args, batch_dims)]
    out = prim.bind(*args, **params)
    return out, ([0] * len(out) if prim.multiple_results else 0)
  batching.primitive_batchers[prim] = rule
  return rule


def real_dtype(dtype):
  dtype = np.dtype(dtype)
  return np.finfo(dtype).dtype if dtype.kind == "c" else dtype


def is_complex(x) -> bool:
  return np.dtype(core.get_aval(x).dtype).kind == "c"


def T(x):
  """Swaps the last two axes."""
  from jaxlite import lax
  nd = core.get_aval(x).ndim
  return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def H(x):
  """Conjugate transpose of the last two axes."""
  from jaxlite import lax
  return lax.conj(T(x)) if is_complex(x) else T(x)


def matmul(a, b):
  """Batched ``a @ b`` over equal leading dimensions, at full precision."""
  from jaxlite import lax
  nd = core.get_aval(a).ndim
  batch = tuple(range(nd - 2))
  return lax.dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)),
                         precision=lax.Precision.HIGHEST)


def _tri_mask(shape, k, lower):
  from jaxlite import lax
  nd = len(shape)
  rows = lax.broadcasted_iota(np.int32, shape, nd - 2)
  cols = lax.broadcasted_iota(np.int32, shape, nd - 1)
  rows = lax.add(rows, lax.full(shape, k, np.int32))
  return lax.le(cols, rows) if lower else lax.ge(cols, rows)


def tril(x, k: int = 0):
  """Entries on and below the ``k``-th diagonal; zeros elsewhere."""
  from jaxlite import lax
  return lax.select(_tri_mask(core.get_aval(x).shape, k, True), x, lax.full_like(x, 0))


def triu(x, k: int = 0):
  """Entries on and above the ``k``-th diagonal; zeros elsewhere."""
  from jaxlite import lax
  return lax.select(_tri_mask(core.get_aval(x).shape, k, False), x, lax.full_like(x, 0))


def eye(shape, dtype):
  """Identity matrices of ``shape`` (``(..., n, m)``, broadcast over the batch)."""
  from jaxlite import lax
  nd = len(shape)
  eq = lax.eq(lax.broadcasted_iota(np.int32, shape, nd - 2),
              lax.broadcasted_iota(np.int32, shape, nd - 1))
  return lax.convert_element_type(eq, dtype)


def diagonal(x):
  """The main diagonal of each matrix: ``(..., m, n) -> (..., min(m, n))``."""
  from jaxlite import lax
  shape = core.get_aval(x).shape
  k = min(shape[-2:])
  nd = len(shape)
  sq = lax.slice(x, (0,) * nd, shape[:-2] + (k, k))
  mask = lax.eq(lax.broadcasted_iota(np.int32, shape[:-2] + (k, k), nd - 2),
                lax.broadcasted_iota(np.int32, shape[:-2] + (k, k), nd - 1))
  return lax.reduce_sum(lax.select(mask, sq, lax.full_like(sq, 0)), (nd - 1,))


def diag_matrix(v):
  """``(..., k) -> (..., k, k)`` with ``v`` on the diagonal."""
  from jaxlite import lax
  shape = core.get_aval(v).shape
  k = shape[-1]
  full = shape + (k,)
  nd = len(full)
  vb = lax.broadcast_in_dim(v, full, tuple(range(nd - 2)) + (nd - 1,))
  mask = lax.eq(lax.broadcasted_iota(np.int32, full, nd - 2),
                lax.broadcasted_iota(np.int32, full, nd - 1))
  return lax.select(mask, vb, lax.full_like(vb, 0))


def symmetrize(x):
  """``(x + x^H) / 2``."""
  from jaxlite import lax
  return lax.div(lax.add(x, H(x)), lax.full_like(x, 2))


def hlo_tri_mask(aval: ShapedArray, lower: bool, k: int = 0):
  """In a lowering: a boolean tensor of ``aval``'s shape, true on the triangle."""
  hlo = mlir.hlo()
  i32 = aval.update(dtype=np.int32)
  ty = mlir.aval_to_ir_type(i32)
  rows = hlo.iota(ty, mlir.i64_attr(aval.ndim - 2))
  cols = hlo.iota(ty, mlir.i64_attr(aval.ndim - 1))
  if k:
    rows = hlo.add(rows, mlir.full_like_aval(k, i32))
  return mlir.compare(cols, rows, "LE" if lower else "GE")
