"""More of ``jax.lax.linalg``: the implementation enums of ``eig``/``eigh``,
eigenvector derivatives of ``eig``, ``symmetric_product``,
``cholesky_update``, ``tridiagonal`` (LAPACK sytrd/hetrd) and ``ormqr``
(LAPACK ormqr/unmqr).

As in JAX, ``symmetric_product``, ``cholesky_update``, ``tridiagonal`` and
``ormqr`` have no derivative rules; they batch over leading dimensions.
"""
from __future__ import annotations

__all__ = ['EigImplementation', 'EighImplementation', 'symmetric_product',
           'symmetric_product_p', 'cholesky_update', 'cholesky_update_p', 'tridiagonal',
           'tridiagonal_p', 'ormqr', 'ormqr_p']

import enum

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, mlir
from jaxlite.lax import base, lapack
from jaxlite.lax.linalg_util import (H, T, batch_leading, check_matrix, diagonal, eye,
                                     linalg_primitive, matmul, real_dtype, tril)


class EigImplementation(enum.Enum):
  """Algorithm of ``eig``: LAPACK on the host CPU, MAGMA or cuSOLVER on GPU.

  >>> from jaxlite.lax import linalg
  >>> linalg.EigImplementation.LAPACK
  <EigImplementation.LAPACK: 'lapack'>
  """
  CUSOLVER = "cusolver"
  MAGMA = "magma"
  LAPACK = "lapack"


class EighImplementation(enum.Enum):
  """Algorithm of ``eigh``: QR-based (LAPACK syevd/heevd on CPU), Jacobi
  (GPU) or QDWH spectral divide and conquer (TPU).

  >>> from jaxlite.lax import linalg
  >>> linalg.EighImplementation.QR
  <EighImplementation.QR: 'qr'>
  """
  QR = "qr"
  JACOBI = "jacobi"
  QDWH = "qdwh"


# --- eig: eigenvector derivatives ----------------------------------------------------------------


def _eigenvector_tangent(w, v, da):
  """Tangents of the eigenvalues ``w`` and unit-norm eigenvectors ``v`` (columns)
  of ``A`` for the tangent ``da`` of ``A``, for distinct eigenvalues.

  With ``P = V^-1 dA V``: ``dw = diag(P)`` and ``dV = V (F o P) + V diag(c)``,
  ``F_ij = 1 / (w_j - w_i)`` off the diagonal. ``c`` keeps LAPACK's
  normalisation: unit 2-norm and a real largest-magnitude entry per vector."""
  from jaxlite import lax
  from jaxlite.lax.linalg_factor import lu_solve_square
  aval = core.get_aval(v)
  nd = aval.ndim
  ident = eye(aval.shape, aval.dtype)
  w_rows = lax.broadcast_in_dim(w, aval.shape, tuple(range(nd - 2)) + (nd - 1,))
  w_cols = lax.broadcast_in_dim(w, aval.shape, tuple(range(nd - 1)))
  gaps = lax.sub(lax.add(ident, w_rows), w_cols)           # w_j - w_i, 1 on the diagonal
  f = lax.sub(lax.div(lax.full_like(gaps, 1), gaps), ident)
  p = matmul(lu_solve_square(v, da), v)
  dw = diagonal(p)
  u = matmul(v, lax.mul(f, p))
  largest = lax.argmax(lax.abs(v), nd - 2, np.int32)
  at_largest = lax.convert_element_type(
      lax.eq(lax.broadcasted_iota(np.int32, aval.shape, nd - 2),
             lax.broadcast_in_dim(largest, aval.shape, tuple(range(nd - 2)) + (nd - 1,))),
      aval.dtype)
  column_sum = lambda x: lax.reduce_sum(x, (nd - 2,))
  c = lax.complex(
      lax.neg(lax.real(column_sum(lax.mul(lax.conj(v), u)))),
      lax.div(lax.neg(lax.imag(column_sum(lax.mul(at_largest, u)))),
              lax.real(column_sum(lax.mul(at_largest, v)))))
  c_rows = lax.broadcast_in_dim(c, aval.shape, tuple(range(nd - 2)) + (nd - 1,))
  return dw, lax.add(u, lax.mul(v, c_rows))


def eig_with_vectors_jvp(primals, tangents, compute_left, compute_right, implementation):
  """The JVP of ``eig`` when eigenvectors are asked for (``enable_eigvec_derivs``)."""
  from jaxlite import lax
  from jaxlite.lax.linalg_factor import eig_p
  (a,), (da,) = primals, tangents
  outs = eig_p.bind(a, compute_left_eigenvectors=compute_left, compute_right_eigenvectors=True,
                    enable_eigvec_derivs=True, implementation=implementation)
  w, vr = outs[0], outs[-1]
  primal_out = [w] + ([outs[1]] if compute_left else []) + ([vr] if compute_right else [])
  if type(da) is ad.Zero:
    return primal_out, [ad.Zero(ad.tangent_aval(core.get_aval(o))) for o in primal_out]
  da = lax.convert_element_type(da, core.get_aval(vr).dtype)
  dw, dvr = _eigenvector_tangent(w, vr, da)
  tangent_out = [dw]
  if compute_left:
    # Left eigenvectors are the right ones of A^H (eigenvalues conjugated).
    _, dvl = _eigenvector_tangent(lax.conj(w), outs[1], H(da))
    tangent_out.append(dvl)
  if compute_right:
    tangent_out.append(dvr)
  return primal_out, tangent_out


# --- symmetric_product -------------------------------------------------------------------------


def _symmetric_product_abstract_eval(a, c, *, alpha, beta):
  base.check_dtypes("symmetric_product", {"floating"}, a, c)
  if a.ndim < 2 or c.ndim < 2 or a.shape[-2] != c.shape[-1] or c.shape[-2] != c.shape[-1]:
    raise ValueError("symmetric_update expects a rectangular matrix of shape (m, n) and a "
                     f"square matrix of shape (n, n). Got shapes {a.shape[-2:]} and "
                     f"{c.shape[-2:]}.")
  return ShapedArray(c.shape, c.dtype)


symmetric_product_p = linalg_primitive("symmetric_product", _symmetric_product_abstract_eval)


def _symmetric_product_dense(a, c, *, alpha, beta):
  from jaxlite import lax
  product = matmul(a, T(a))
  return lax.add(lax.mul(lax.full_like(product, alpha), product),
                 lax.mul(lax.full_like(c, beta), c))


mlir.register_lowering(symmetric_product_p,
                       mlir.lower_fun(_symmetric_product_dense, multiple_results=False))
batch_leading(symmetric_product_p)


def symmetric_product(a_matrix, c_matrix, *, alpha: float = 1., beta: float = 0.,
                      symmetrize_output: bool = False):
  r"""``alpha * A @ A^T + beta * C`` for a batch of matrices ``A`` ``(..., m, n)``
  and symmetric ``C`` ``(..., m, m)``. Only the lower triangle is guaranteed
  on every platform; ``symmetrize_output`` mirrors it into the upper one.

  >>> import numpy as np
  >>> from jaxlite.lax import linalg
  >>> a = np.array([[1., 2.], [3., 4.]], np.float32)
  >>> linalg.symmetric_product(a, np.eye(2, dtype=np.float32), alpha=1., beta=2.)
  Array([[ 7., 11.],
         [11., 27.]], dtype=float32)
  """
  from jaxlite import lax
  result = symmetric_product_p.bind(a_matrix, c_matrix, alpha=alpha, beta=beta)
  if symmetrize_output:
    result = lax.add(tril(result), T(tril(result, -1)))
  return result


# --- cholesky_update ----------------------------------------------------------------------------


def _cholesky_update_abstract_eval(r, w):
  base.check_dtypes("cholesky_update", {"floating"}, r, w)
  if r.ndim < 2 or r.shape[-2] != r.shape[-1] or w.shape[-1:] != r.shape[-1:]:
    raise ValueError("Rank-1 update to Cholesky decomposition takes a square matrix and a "
                     f"vector of the same size as input. Got shapes {r.shape} and {w.shape} "
                     "instead")
  return ShapedArray(r.shape, r.dtype)


cholesky_update_p = linalg_primitive("cholesky_update", _cholesky_update_abstract_eval)


def _givens(x, y):
  """(c, s) rotating (x, y) onto the first axis, scaled against overflow."""
  from jaxlite import lax
  ax, ay = lax.abs(x), lax.abs(y)
  scale = lax.max(ax, ay)
  y_is_zero = lax.eq(y, lax.full_like(y, 0))
  scale = lax.select(y_is_zero, lax.full_like(scale, 1), scale)
  xs, ys = lax.div(x, scale), lax.div(y, scale)
  inv = lax.rsqrt(lax.add(lax.mul(xs, xs), lax.mul(ys, ys)))
  c = lax.select(y_is_zero, lax.full_like(x, 1), lax.mul(xs, inv))
  s = lax.select(y_is_zero, lax.full_like(y, 0), lax.neg(lax.mul(ys, inv)))
  return c, s


def _cholesky_update_dense(r, w):
  # One Givens rotation per row folds w into R (upper triangular, A = R^T R).
  from jaxlite import lax
  aval = core.get_aval(r)
  n, nd = aval.shape[-1], aval.ndim
  for k in range(n):
    row = lax.index_in_dim(r, k, nd - 2, keepdims=False)             # R[..., k, :]
    c, s = _givens(lax.index_in_dim(row, k, nd - 2, keepdims=False),
                   lax.index_in_dim(w, k, nd - 2, keepdims=False))
    c = lax.broadcast_in_dim(c, core.get_aval(row).shape, tuple(range(nd - 2)))
    s = lax.broadcast_in_dim(s, core.get_aval(row).shape, tuple(range(nd - 2)))
    row, w = (lax.sub(lax.mul(c, row), lax.mul(s, w)), lax.add(lax.mul(c, w), lax.mul(s, row)))
    r = lax.dynamic_update_index_in_dim(r, lax.expand_dims(row, (nd - 2,)), k, nd - 2)
  return r


mlir.register_lowering(cholesky_update_p,
                       mlir.lower_fun(_cholesky_update_dense, multiple_results=False))
batch_leading(cholesky_update_p)


def cholesky_update(r_matrix, w_vector):
  r"""Rank-one update of a Cholesky factor: given upper triangular ``R`` with
  :math:`A = R^T R` and a vector :math:`w`, the factor of :math:`A + w w^T`
  (in :math:`O(n^2)`).

  >>> import numpy as np
  >>> from jaxlite.lax import linalg
  >>> r = np.array([[2., 1.], [0., 1.]], np.float32)
  >>> linalg.cholesky_update(r, np.array([0., 1.], np.float32))
  Array([[2.       , 1.       ],
         [0.       , 1.4142135]], dtype=float32)
  """
  return cholesky_update_p.bind(r_matrix, w_vector)


# --- tridiagonal (sytrd / hetrd) ------------------------------------------------------------------


def _tridiagonal_abstract_eval(a, *, lower):
  check_matrix("tridiagonal", a, square=True)
  n = a.shape[-1]
  if n == 0:
    raise ValueError(f"The input to tridiagonal must be a square matrix. Got shape {a.shape}.")
  batch, rdt = a.shape[:-2], real_dtype(a.dtype)
  return [ShapedArray(a.shape, a.dtype), ShapedArray(batch + (n,), rdt),
          ShapedArray(batch + (n - 1,), rdt), ShapedArray(batch + (n - 1,), a.dtype)]


tridiagonal_p = linalg_primitive("tridiagonal", _tridiagonal_abstract_eval,
                                 multiple_results=True)


def _tridiagonal_cpu_lowering(ctx, a, *, lower):
  aval, = ctx.avals_in
  cdt = lapack.compute_dtype(aval.dtype)
  routine = "hetrd" if np.dtype(cdt).kind == "c" else "sytrd"
  caval = aval.update(dtype=cdt)
  batch = aval.shape[:-2]
  cavals = [o.update(dtype=cdt if o.dtype == aval.dtype else real_dtype(cdt))
            for o in ctx.avals_out]
  *outs, info = lapack.custom_call(
      lapack.target_name(routine, cdt), [lapack.convert(a, aval, cdt)], [caval],
      cavals + [ShapedArray(batch, np.int32)], aliases={0: 0},
      uplo=lapack.char_attr("L" if lower else "U"))
  ok = lapack.info_ok(info, batch)
  return [lapack.convert(lapack.nan_if_not_ok(ok, x, c), c, o.dtype)
          for x, c, o in zip(outs, cavals, ctx.avals_out)]


mlir.register_lowering(tridiagonal_p, _tridiagonal_cpu_lowering, platform="cpu")
batch_leading(tridiagonal_p)


def tridiagonal(a, *, lower: bool = True):
  """Reduces symmetric/Hermitian matrices to tridiagonal form (LAPACK
  sytrd/hetrd): ``(a, d, e, taus)`` with the diagonal ``d``, the first sub-
  (``lower``) or super-diagonal ``e``, the Householder reflectors stored in
  the rest of that triangle of ``a`` and their scalar factors ``taus``.

  >>> import numpy as np
  >>> from jaxlite.lax import linalg
  >>> _, d, e, _ = linalg.tridiagonal(np.array([[2., 1.], [1., 3.]], np.float32))
  >>> d, e
  (Array([2., 3.], dtype=float32), Array([1.], dtype=float32))
  """
  return tuple(tridiagonal_p.bind(a, lower=bool(lower)))


# --- ormqr (ormqr / unmqr) -----------------------------------------------------------------------


def _ormqr_abstract_eval(a, taus, c, *, left, transpose):
  base.check_dtypes("ormqr", {"inexact"}, a, taus, c)
  if a.ndim < 2 or c.ndim < 2 or taus.ndim < 1:
    raise ValueError("ormqr expects a and c of rank >= 2 and taus of rank >= 1, got shapes "
                     f"{a.shape}, {taus.shape} and {c.shape}.")
  m = a.shape[-2]
  if left and c.shape[-2] != m:
    raise ValueError("ormqr with left=True expects c to have the same number of rows as the "
                     f"Householder matrix a. Got a shape {a.shape} and c shape {c.shape}.")
  if not left and c.shape[-1] != m:
    raise ValueError("ormqr with left=False expects c to have the same number of columns as "
                     f"the Householder matrix a has rows. Got a shape {a.shape} and c shape "
                     f"{c.shape}.")
  return ShapedArray(c.shape, c.dtype)


ormqr_p = linalg_primitive("ormqr", _ormqr_abstract_eval)


def _ormqr_cpu_lowering(ctx, a, taus, c, *, left, transpose):
  avals = ctx.avals_in
  cdt = lapack.compute_dtype(avals[2].dtype)
  routine = "unmqr" if np.dtype(cdt).kind == "c" else "ormqr"
  cavals = [x.update(dtype=cdt) for x in avals]
  args = [lapack.convert(x, av, cdt) for x, av in zip((a, taus, c), avals)]
  bool_attr = lambda b: mlir.ir().BoolAttr.get(bool(b))
  (out,) = lapack.custom_call(lapack.target_name(routine, cdt), args, cavals, [cavals[2]],
                              aliases={0: 2}, left=bool_attr(left),
                              transpose=bool_attr(transpose))
  return lapack.convert(out, cavals[2], avals[2].dtype)


mlir.register_lowering(ormqr_p, _ormqr_cpu_lowering, platform="cpu")
batch_leading(ormqr_p)


def ormqr(a, taus, c, *, left: bool = True, transpose: bool = False):
  """Multiplies ``c`` by the ``Q`` of a QR factorization given as Householder
  reflectors ``a`` (``(..., m, n)``, as from ``geqrf``) and their factors
  ``taus``, without forming ``Q``: ``Q @ c`` (``left``) or ``c @ Q``, with
  ``Q^T`` (``Q^H`` for complex) when ``transpose``.

  >>> import numpy as np
  >>> from jaxlite.lax import linalg
  >>> h, taus = linalg.geqrf(np.array([[1., 2.], [3., 4.], [5., 6.]], np.float32))
  >>> q = linalg.ormqr(h, taus, np.eye(3, dtype=np.float32))
  >>> bool(np.allclose(q @ q.T, np.eye(3), atol=1e-5))
  True
  """
  return ormqr_p.bind(a, taus, c, left=bool(left), transpose=bool(transpose))
