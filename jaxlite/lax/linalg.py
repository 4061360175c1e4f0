"""``jaxlite.lax.linalg``: matrix decompositions and triangular solves.

Every primitive here takes a batch of matrices (batch dimensions leading,
the matrix in the last two) and is defined once with its abstract
evaluation, lowering, JVP and batching rules (and a transpose where it is
linear). On CPU the decompositions lower to jaxlib's LAPACK kernels
(``jaxlite.lax.lapack``); a failed factorization gives NaNs, as in JAX.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.linalg.cholesky(np.array([[4., 2.], [2., 5.]], np.float32))
  Array([[2., 0.],
         [1., 2.]], dtype=float32)

QR, LU, eig and the tridiagonal solver live in ``linalg_factor`` and are
re-exported here.
"""
from __future__ import annotations

__all__ = [
    'cholesky', 'eigh', 'svd', 'triangular_solve', 'qr', 'lu', 'lu_pivots_to_permutation',
    'eig', 'geqrf', 'householder_product', 'tridiagonal_solve', 'SvdAlgorithm',
    'cholesky_p', 'eigh_p', 'svd_p', 'triangular_solve_p', 'qr_p', 'lu_p', 'eig_p',
    'geqrf_p', 'householder_product_p', 'tridiagonal_solve_p',
    'schur', 'schur_p', 'hessenberg', 'hessenberg_p', 'lu_pivots_to_permutation_p',
    'EigImplementation', 'EighImplementation', 'symmetric_product', 'symmetric_product_p',
    'cholesky_update', 'cholesky_update_p', 'tridiagonal', 'tridiagonal_p', 'ormqr', 'ormqr_p',
    'qdwh',
]

import enum

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base, lapack
from jaxlite.lax.linalg_util import (H, T, batch_leading, check_matrix, diag_matrix, diagonal,
                                     eye, hlo_tri_mask, linalg_primitive, matmul, real_dtype,
                                     symmetrize, tril, triu)


# --- cholesky ---------------------------------------------------------------------------------


def _cholesky_abstract_eval(x):
  check_matrix("cholesky", x, square=True)
  return ShapedArray(x.shape, x.dtype)


cholesky_p = linalg_primitive("cholesky", _cholesky_abstract_eval)


def _cholesky_cpu_lowering(ctx, x):
  aval, = ctx.avals_in
  if aval.shape[-1] == 0:
    return x
  cdt = lapack.compute_dtype(aval.dtype)
  caval = aval.update(dtype=cdt)
  batch = aval.shape[:-2]
  x = lapack.convert(x, aval, cdt)
  l, info = lapack.custom_call(lapack.target_name("potrf", cdt), [x], [caval],
                               [caval, ShapedArray(batch, np.int32)], aliases={0: 0},
                               uplo=lapack.char_attr("L"))
  # potrf leaves the strictly upper triangle as it was: zero it.
  l = mlir.hlo().select(hlo_tri_mask(caval, lower=True), l, mlir.full_like_aval(0, caval))
  l = lapack.nan_if_not_ok(lapack.info_ok(info, batch), l, caval)
  return lapack.convert(l, caval, aval.dtype)


def _cholesky_lowering(ctx, x):
  # Other platforms: StableHLO's own cholesky.
  aval, = ctx.avals_in
  l = mlir.hlo().cholesky(x, lower=True)
  return mlir.hlo().select(hlo_tri_mask(aval, lower=True), l, mlir.full_like_aval(0, aval))


def _cholesky_jvp(primals, tangents):
  # L' = L Phi(L^-1 sym(A') L^-H), Phi: lower triangle with the diagonal halved.
  (x,), (t,) = primals, tangents
  l = cholesky_p.bind(x)
  if type(t) is ad.Zero:
    return l, ad.Zero(ad.tangent_aval(core.get_aval(l)))
  from jaxlite import lax
  sigma = symmetrize(t)
  tmp = triangular_solve(l, sigma, left_side=False, transpose_a=True, conjugate_a=True,
                         lower=True)
  inner = triangular_solve(l, tmp, left_side=True, lower=True)
  e = eye(core.get_aval(inner).shape, core.get_aval(inner).dtype)
  half = lax.sub(lax.full_like(e, 1), lax.mul(e, lax.full_like(e, 0.5)))
  phi = lax.mul(tril(inner), half)
  return l, matmul(l, phi)


mlir.register_lowering(cholesky_p, _cholesky_lowering)
mlir.register_lowering(cholesky_p, _cholesky_cpu_lowering, platform="cpu")
ad.primitive_jvps[cholesky_p] = _cholesky_jvp
batch_leading(cholesky_p)


def cholesky(x, *, symmetrize_input: bool = True):
  """Cholesky factor ``L`` (lower triangular) with ``x = L @ L^H``.

  Args:
    x: a batch of Hermitian positive-definite matrices, shape ``(..., n, n)``.
    symmetrize_input: use ``(x + x^H) / 2`` (so only the symmetric part matters
      and gradients are symmetric).

  Returns:
    ``L``; NaNs where ``x`` is not positive definite.

  >>> import numpy as np
  >>> cholesky(np.array([[1., 0.], [0., 9.]], np.float32))
  Array([[1., 0.],
         [0., 3.]], dtype=float32)
  """
  check_matrix("cholesky", core.get_aval(x), square=True)
  if symmetrize_input:
    x = symmetrize(x)
  return cholesky_p.bind(x)


# --- triangular_solve -------------------------------------------------------------------------


def _triangular_solve_abstract_eval(a, b, *, left_side, lower, transpose_a, conjugate_a,
                                    unit_diagonal):
  check_matrix("triangular_solve", a, square=True)
  if b.ndim != a.ndim:
    raise TypeError("triangular_solve requires a and b to have the same number of "
                    f"dimensions, got {a.shape} and {b.shape}.")
  if a.shape[:-2] != b.shape[:-2]:
    raise TypeError("triangular_solve requires both arguments to have the same batch "
                    f"dimensions, got {a.shape[:-2]} and {b.shape[:-2]}.")
  common = b.shape[-2] if left_side else b.shape[-1]
  if common != a.shape[-1]:
    side = "left" if left_side else "right"
    raise TypeError(f"triangular_solve on the {side} side requires the shared dimension "
                    f"of a and b to match, got shapes {a.shape} and {b.shape}.")
  if a.dtype != b.dtype:
    raise TypeError("triangular_solve requires a and b to have the same dtype, got "
                    f"{a.dtype.name} and {b.dtype.name}.")
  base.check_dtypes("triangular_solve", {"inexact"}, a)
  return ShapedArray(b.shape, b.dtype)


triangular_solve_p = linalg_primitive("triangular_solve", _triangular_solve_abstract_eval)


def _triangular_solve_lowering(ctx, a, b, *, left_side, lower, transpose_a, conjugate_a,
                               unit_diagonal):
  hlo = mlir.hlo()
  a_aval, b_aval = ctx.avals_in
  if conjugate_a and not transpose_a:
    if a_aval.dtype.kind == "c":
      a = mlir.chlo().conj(a)
    conjugate_a = False
  if 0 in b_aval.shape or 0 in a_aval.shape:
    return b
  kind = ("ADJOINT" if conjugate_a else "TRANSPOSE") if transpose_a else "NO_TRANSPOSE"
  return hlo.triangular_solve(a, b, left_side, lower, unit_diagonal,
                              hlo.TransposeAttr.get(kind))


def _triangular_solve_cpu_lowering(ctx, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                   unit_diagonal):
  """On CPU, as JAX: LAPACK's trsm through jaxlib's ``lapack_?trsm_ffi`` (XLA's own
  expansion of ``triangular_solve`` is less accurate); half precision keeps the
  StableHLO op, as in JAX."""
  a_aval, b_aval = ctx.avals_in
  if np.dtype(a_aval.dtype) not in lapack.LAPACK_DTYPES or 0 in b_aval.shape \
      or 0 in a_aval.shape:
    return _triangular_solve_lowering(ctx, a, b, left_side=left_side, lower=lower,
                                      transpose_a=transpose_a, conjugate_a=conjugate_a,
                                      unit_diagonal=unit_diagonal)
  if conjugate_a and not transpose_a:
    if a_aval.dtype.kind == "c":
      a = mlir.chlo().conj(a)
    conjugate_a = False
  trans = ("C" if conjugate_a else "T") if transpose_a else "N"
  out, = lapack.custom_call(
      lapack.target_name("trsm", a_aval.dtype), [a, b], [a_aval, b_aval],
      ctx.avals_out, aliases={0: 1}, side=lapack.char_attr("L" if left_side else "R"),
      uplo=lapack.char_attr("L" if lower else "U"), trans_x=lapack.char_attr(trans),
      diag=lapack.char_attr("U" if unit_diagonal else "N"))
  return out


def _triangular_solve_jvp_a(g_a, ans, a, b, *, left_side, lower, transpose_a, conjugate_a,
                            unit_diagonal):
  # X = op(A)^-1 B  =>  X' = -op(A)^-1 op(A') X   (or X op(A') op(A)^-1 on the right)
  from jaxlite import lax
  m, n = core.get_aval(b).shape[-2:]
  g_a = tril(g_a, -1 if unit_diagonal else 0) if lower else \
      triu(g_a, 1 if unit_diagonal else 0)
  g_a = lax.neg(g_a)
  if transpose_a:
    g_a = T(g_a)
  if conjugate_a and core.get_aval(g_a).dtype.kind == "c":
    g_a = lax.conj(g_a)

  def a_inverse(rhs):
    return triangular_solve(a, rhs, left_side=left_side, lower=lower, transpose_a=transpose_a,
                            conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
  # A solve costs about a matmul: order the two by the cheaper association.
  if left_side:
    return a_inverse(matmul(g_a, ans)) if m > n else matmul(a_inverse(g_a), ans)
  return a_inverse(matmul(ans, g_a)) if m < n else matmul(ans, a_inverse(g_a))


def _triangular_solve_jvp_b(g_b, a, b, **params):
  return triangular_solve_p.bind(a, g_b, **params)


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                unit_diagonal):
  if ad.is_undefined_primal(a):
    raise ValueError("triangular_solve is not linear in its first argument a.")
  if type(ct) is ad.Zero:
    return [None, ad.Zero(b.aval)]
  ct_b = triangular_solve_p.bind(a, ct, left_side=left_side, lower=lower,
                                 transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                 unit_diagonal=unit_diagonal)
  return [None, ct_b]


def _triangular_solve_jvp(primals, tangents, **params):
  a, b = primals
  g_a, g_b = tangents
  ans = triangular_solve_p.bind(a, b, **params)
  out = ad.Zero(ad.tangent_aval(core.get_aval(ans)))
  if type(g_b) is not ad.Zero:
    out = ad.add_tangents(out, _triangular_solve_jvp_b(g_b, a, b, **params))
  if type(g_a) is not ad.Zero:
    out = ad.add_tangents(out, _triangular_solve_jvp_a(g_a, ans, a, b, **params))
  return ans, out


mlir.register_lowering(triangular_solve_p, _triangular_solve_lowering)
mlir.register_lowering(triangular_solve_p, _triangular_solve_cpu_lowering, platform="cpu")
ad.primitive_jvps[triangular_solve_p] = _triangular_solve_jvp
ad.primitive_transposes[triangular_solve_p] = _triangular_solve_transpose
batch_leading(triangular_solve_p)


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False,
                     transpose_a: bool = False, conjugate_a: bool = False,
                     unit_diagonal: bool = False):
  """Solves ``op(a) @ x = b`` (``left_side``) or ``x @ op(a) = b`` for triangular ``a``.

  Args:
    a: batch of triangular matrices ``(..., m, m)``; only the triangle named by
      ``lower`` is read.
    b: right-hand sides ``(..., m, n)`` (left side) or ``(..., n, m)``.
    left_side: solve ``op(a) @ x = b`` rather than ``x @ op(a) = b``.
    lower: ``a`` is lower (else upper) triangular.
    transpose_a, conjugate_a: ``op(a)`` is ``a``, ``a^T``, ``conj(a)`` or ``a^H``.
    unit_diagonal: assume ones on the diagonal of ``a``.

  >>> import numpy as np
  >>> a = np.array([[2., 0.], [1., 1.]], np.float32)
  >>> triangular_solve(a, np.array([[2.], [3.]], np.float32), left_side=True, lower=True)
  Array([[1.],
         [2.]], dtype=float32)
  """
  return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                 transpose_a=bool(transpose_a), conjugate_a=bool(conjugate_a),
                                 unit_diagonal=bool(unit_diagonal))


# --- eigh -------------------------------------------------------------------------------------


def _subset_size(n, subset_by_index):
  if subset_by_index is None:
    return 0, n
  lo, hi = subset_by_index
  if not 0 <= lo < hi <= n:
    raise ValueError(f"subset_by_index must satisfy 0 <= lo < hi <= {n}, got "
                     f"{subset_by_index}.")
  return lo, hi


def _eigh_abstract_eval(x, *, lower, sort_eigenvalues, subset_by_index, algorithm=None):
  check_matrix("eigh", x, square=True)
  n = x.shape[-1]
  lo, hi = _subset_size(n, subset_by_index)
  return [ShapedArray(x.shape[:-1] + (hi - lo,), x.dtype),
          ShapedArray(x.shape[:-2] + (hi - lo,), real_dtype(x.dtype))]


eigh_p = linalg_primitive("eigh", _eigh_abstract_eval, multiple_results=True)


def _hlo_slice_last(x, aval, lo, hi):
  start = [0] * aval.ndim
  limit = list(aval.shape)
  start[-1], limit[-1] = lo, hi
  return mlir.hlo().slice(x, mlir.dense_int_array(start), mlir.dense_int_array(limit),
                          mlir.dense_int_array([1] * aval.ndim))


def _eigh_cpu_lowering(ctx, x, *, lower, sort_eigenvalues, subset_by_index, algorithm=None):
  if algorithm is not None and algorithm.name == "QDWH":
    raise NotImplementedError("QDWH implementation is only supported on TPU")
  if algorithm is not None and algorithm.name == "JACOBI":
    raise NotImplementedError("Jacobi implementation is not supported on CPU")
  aval, = ctx.avals_in
  v_out, w_out = ctx.avals_out
  n = aval.shape[-1]
  batch = aval.shape[:-2]
  if n == 0:
    return [x, mlir.full_like_aval(0, w_out)]
  cdt = lapack.compute_dtype(aval.dtype)
  caval = aval.update(dtype=cdt)
  w_aval = ShapedArray(batch + (n,), real_dtype(cdt))
  routine = "heevd" if np.dtype(cdt).kind == "c" else "syevd"
  v, w, info = lapack.custom_call(
      lapack.target_name(routine, cdt), [lapack.convert(x, aval, cdt)], [caval],
      [caval, w_aval, ShapedArray(batch, np.int32)], aliases={0: 0},
      mode=lapack.char_attr("V"), uplo=lapack.char_attr("L" if lower else "U"))
  ok = lapack.info_ok(info, batch)
  v = lapack.nan_if_not_ok(ok, v, caval)
  w = lapack.nan_if_not_ok(ok, w, w_aval)
  lo, hi = _subset_size(n, subset_by_index)
  if (lo, hi) != (0, n):
    v = _hlo_slice_last(v, caval, lo, hi)
    w = _hlo_slice_last(w, w_aval, lo, hi)
  # LAPACK returns eigenvalues in ascending order already.
  return [lapack.convert(v, v_out.update(dtype=cdt), v_out.dtype),
          lapack.convert(w, w_out.update(dtype=real_dtype(cdt)), w_out.dtype)]


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues, subset_by_index,
              algorithm=None):
  # A = V diag(w) V^H:  w' = diag(V^H A' V),  V' = V (F o V^H A' V),
  # F_ij = 1 / (w_j - w_i) off the diagonal and 0 on it.
  from jaxlite import lax
  (a,), (a_dot,) = primals, tangents
  n = core.get_aval(a).shape[-1]
  if subset_by_index is not None and tuple(subset_by_index) != (0, n):
    raise NotImplementedError("Derivatives not defined for partial eigen decomposition.")
  v, w = eigh_p.bind(a, lower=lower, sort_eigenvalues=sort_eigenvalues,
                     subset_by_index=subset_by_index, algorithm=algorithm)
  if type(a_dot) is ad.Zero:
    return [v, w], [ad.Zero(ad.tangent_aval(core.get_aval(v))),
                    ad.Zero(ad.tangent_aval(core.get_aval(w)))]
  nd = core.get_aval(w).ndim
  w_row = lax.expand_dims(w, (nd - 1,))     # (..., 1, n): w_j
  w_col = lax.expand_dims(w, (nd,))         # (..., n, 1): w_i
  diff = lax.sub(*_bcast(w_row, w_col))
  e = eye(core.get_aval(diff).shape, core.get_aval(diff).dtype)
  f = lax.sub(lax.div(lax.full_like(e, 1), lax.add(e, diff)), e)
  vh_adot_v = matmul(matmul(H(v), a_dot), v)
  dv = matmul(v, lax.mul(lax.convert_element_type(f, core.get_aval(v).dtype), vh_adot_v))
  dw = lax.real(diagonal(vh_adot_v)) if core.get_aval(v).dtype.kind == "c" else \
      diagonal(vh_adot_v)
  return [v, w], [dv, dw]


def _bcast(x, y):
  from jaxlite import lax
  shape = tuple(max(a, b) for a, b in zip(core.get_aval(x).shape, core.get_aval(y).shape))
  def go(z):
    zs = core.get_aval(z).shape
    if zs == shape:
      return z
    keep = [i for i, d in enumerate(zs) if d == shape[i]]
    return lax.broadcast_in_dim(lax.reshape(z, [zs[i] for i in keep]), shape, keep)
  return go(x), go(y)


mlir.register_lowering(eigh_p, _eigh_cpu_lowering, platform="cpu")
ad.primitive_jvps[eigh_p] = _eigh_jvp
batch_leading(eigh_p)


def eigh(x, *, lower: bool = True, symmetrize_input: bool = True,
         sort_eigenvalues: bool = True, subset_by_index=None, implementation=None):
  """Eigendecomposition of Hermitian matrices: ``x = v @ diag(w) @ v^H``.

  Args:
    x: batch of Hermitian matrices ``(..., n, n)``.
    lower: read the lower (else upper) triangle (when not symmetrizing).
    symmetrize_input: use ``(x + x^H) / 2``.
    sort_eigenvalues: eigenvalues in ascending order (always, on CPU).
    subset_by_index: ``(lo, hi)``: only eigenpairs ``lo..hi-1``.
    implementation: an ``EighImplementation`` or None; on CPU only QR (LAPACK's
      syevd/heevd), as in JAX.

  Returns:
    ``(v, w)``: eigenvectors as columns of ``v`` and real eigenvalues ``w``.

  >>> import numpy as np
  >>> v, w = eigh(np.array([[2., 0.], [0., 1.]], np.float32))
  >>> w
  Array([1., 2.], dtype=float32)
  """
  check_matrix("eigh", core.get_aval(x), square=True)
  if symmetrize_input:
    x = symmetrize(x)
  v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues),
                     subset_by_index=None if subset_by_index is None
                     else tuple(int(i) for i in subset_by_index), algorithm=implementation)
  return v, w


# --- svd ---------------------------------------------------------------------------------------


class SvdAlgorithm(enum.Enum):
  """LAPACK driver for ``svd`` on CPU: divide and conquer (gesdd) or QR (gesvd)."""
  DEFAULT = "default"
  QR = "QR"
  JACOBI = "Jacobi"
  DIVIDE_AND_CONQUER = "DivideAndConquer"
  POLAR = "polar"


def _svd_abstract_eval(x, *, full_matrices, compute_uv, subset_by_index, algorithm):
  check_matrix("svd", x)
  m, n = x.shape[-2:]
  k = min(m, n)
  lo, hi = _subset_size(k, subset_by_index) if k else (0, 0)
  batch = x.shape[:-2]
  s = ShapedArray(batch + (hi - lo,), real_dtype(x.dtype))
  if not compute_uv:
    return [s]
  if subset_by_index is not None and (lo, hi) != (0, k):
    return [s, ShapedArray(batch + (m, hi - lo), x.dtype),
            ShapedArray(batch + (hi - lo, n), x.dtype)]
  u_cols, vt_rows = (m, n) if full_matrices else (k, k)
  return [s, ShapedArray(batch + (m, u_cols), x.dtype),
          ShapedArray(batch + (vt_rows, n), x.dtype)]


svd_p = linalg_primitive("svd", _svd_abstract_eval, multiple_results=True)


def _empty_svd_outputs(ctx, full_matrices, compute_uv):
  # A matrix with no rows or columns: no singular values; U, V^H identities.
  outs = [mlir.full_like_aval(0, ctx.avals_out[0])]
  if compute_uv:
    for aval in ctx.avals_out[1:]:
      eye = np.broadcast_to(np.eye(*aval.shape[-2:], dtype=aval.dtype), aval.shape)
      outs.append(mlir.ir_constant(np.ascontiguousarray(eye)))
  return outs


def _svd_cpu_lowering(ctx, x, *, full_matrices, compute_uv, subset_by_index, algorithm):
  aval, = ctx.avals_in
  m, n = aval.shape[-2:]
  k = min(m, n)
  batch = aval.shape[:-2]
  if k == 0:
    return _empty_svd_outputs(ctx, full_matrices, compute_uv)
  if algorithm in (SvdAlgorithm.JACOBI, SvdAlgorithm.POLAR):
    raise NotImplementedError("The SVD Jacobi and Polar algorithms are not implemented "
                              "on CPU.")
  routine = "gesvd" if algorithm is SvdAlgorithm.QR else "gesdd"
  cdt = lapack.compute_dtype(aval.dtype)
  caval = aval.update(dtype=cdt)
  full = full_matrices and compute_uv and subset_by_index is None
  mode = ("A" if full else "S") if compute_uv else "N"
  s_aval = ShapedArray(batch + (k,), real_dtype(cdt))
  u_aval = ShapedArray(batch + (m, m if full else k), cdt)
  vt_aval = ShapedArray(batch + (n if full else k, n), cdt)
  _, s, u, vt, info = lapack.custom_call(
      lapack.target_name(routine, cdt), [lapack.convert(x, aval, cdt)], [caval],
      [caval, s_aval, u_aval, vt_aval, ShapedArray(batch, np.int32)], aliases={0: 0},
      mode=lapack.char_attr(mode))
  ok = lapack.info_ok(info, batch)
  s = lapack.nan_if_not_ok(ok, s, s_aval)
  lo, hi = _subset_size(k, subset_by_index)
  sliced = (lo, hi) != (0, k)
  if sliced:
    s = _hlo_slice_last(s, s_aval, lo, hi)
  outs = [lapack.convert(s, ctx.avals_out[0].update(dtype=real_dtype(cdt)),
                         ctx.avals_out[0].dtype)]
  if compute_uv:
    u = lapack.nan_if_not_ok(ok, u, u_aval)
    vt = lapack.nan_if_not_ok(ok, vt, vt_aval)
    if sliced:
      u = _hlo_slice_last(u, u_aval, lo, hi)
      vt = mlir.hlo().transpose(vt, mlir.dense_int_array(
          list(range(len(batch))) + [len(batch) + 1, len(batch)]))
      vt = _hlo_slice_last(vt, ShapedArray(batch + (n, k), cdt), lo, hi)
      vt = mlir.hlo().transpose(vt, mlir.dense_int_array(
          list(range(len(batch))) + [len(batch) + 1, len(batch)]))
    for val, out in ((u, ctx.avals_out[1]), (vt, ctx.avals_out[2])):
      outs.append(lapack.convert(val, out.update(dtype=cdt), out.dtype))
  return outs


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, subset_by_index, algorithm):
  from jaxlite import lax
  (a,), (a_dot,) = primals, tangents
  aval = core.get_aval(a)
  m, n = aval.shape[-2:]
  if subset_by_index is not None and tuple(subset_by_index) != (0, min(m, n)):
    raise NotImplementedError("Singular value decomposition JVP not implemented for "
                              "subsets of singular values.")
  if compute_uv and full_matrices and m != n:
    # U or V has columns that are not determined by A: no derivative.
    raise NotImplementedError("Singular value decomposition JVP not implemented for "
                              "full matrices")
  s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True, subset_by_index=None,
                        algorithm=algorithm)
  if type(a_dot) is ad.Zero:
    outs = [s, u, vt] if compute_uv else [s]
    return outs, [ad.Zero(ad.tangent_aval(core.get_aval(o))) for o in outs]
  dtype = aval.dtype
  ut, v = H(u), H(vt)
  ds_mat = matmul(matmul(ut, a_dot), v)        # U^H A' V
  ds = lax.real(diagonal(ds_mat)) if dtype.kind == "c" else diagonal(ds_mat)
  if not compute_uv:
    return [s], [ds]
  nd = core.get_aval(s).ndim
  s_row = lax.expand_dims(s, (nd - 1,))    # (..., 1, k)
  s_col = lax.expand_dims(s, (nd,))        # (..., k, 1)
  r, c = _bcast(s_row, s_col)
  s_diffs = lax.mul(lax.add(r, c), lax.sub(r, c))   # s_j^2 - s_i^2
  e = eye(core.get_aval(s_diffs).shape, core.get_aval(s).dtype)
  f = lax.sub(lax.div(lax.full_like(e, 1), lax.add(s_diffs, e)), e)
  s_zero = lax.convert_element_type(lax.eq(s, lax.full_like(s, 0)), core.get_aval(s).dtype)
  s_inv = lax.sub(lax.div(lax.full_like(s, 1), lax.add(s, s_zero)), s_zero)
  cast = lambda z: lax.convert_element_type(z, dtype)
  s_row_c, s_col_c = _bcast(cast(s_row), ds_mat)[0], _bcast(cast(s_col), ds_mat)[0]
  dss = lax.mul(ds_mat, s_row_c)               # dS diag(s)
  sds = lax.mul(ds_mat, s_col_c)               # diag(s) dS
  duv_diag = lax.mul(lax.mul(lax.sub(ds_mat, H(ds_mat)), cast(diag_matrix(s_inv))),
                     lax.full_like(ds_mat, 0.5))
  fc = cast(f)
  du = matmul(u, lax.add(lax.mul(fc, lax.add(dss, H(dss))), duv_diag))
  dv = matmul(v, lax.mul(fc, lax.add(sds, H(sds))))
  if m > n:   # the part of A' outside the span of U
    dav = matmul(a_dot, v)
    extra = lax.sub(dav, matmul(u, matmul(ut, dav)))
    du = lax.add(du, lax.div(extra, _bcast(cast(s_row), extra)[0]))
  if n > m:
    dahu = matmul(H(a_dot), u)
    extra = lax.sub(dahu, matmul(v, matmul(vt, dahu)))
    dv = lax.add(dv, lax.div(extra, _bcast(cast(s_row), extra)[0]))
  return [s, u, vt], [ds, du, H(dv)]


mlir.register_lowering(svd_p, _svd_cpu_lowering, platform="cpu")
ad.primitive_jvps[svd_p] = _svd_jvp
batch_leading(svd_p)


def svd(x, *, full_matrices: bool = True, compute_uv: bool = True, subset_by_index=None,
        algorithm: SvdAlgorithm | None = None):
  """Singular value decomposition ``x = u @ diag(s) @ vh``.

  Args:
    x: batch of matrices ``(..., m, n)``.
    full_matrices: ``u`` is ``(m, m)`` and ``vh`` ``(n, n)`` (else ``k = min(m, n)``).
    compute_uv: also return ``u`` and ``vh`` (else only ``s``).
    subset_by_index: ``(lo, hi)``: only singular values ``lo..hi-1``.
    algorithm: ``SvdAlgorithm.QR`` uses gesvd, the default gesdd.

  Returns:
    ``(u, s, vh)``, or ``s`` when ``compute_uv`` is false; ``s`` descending.

  >>> import numpy as np
  >>> svd(np.array([[3., 0.], [0., 4.]], np.float32), compute_uv=False)
  Array([4., 3.], dtype=float32)
  """
  subset = None if subset_by_index is None else tuple(int(i) for i in subset_by_index)
  if algorithm is not None and not isinstance(algorithm, SvdAlgorithm):
    raise TypeError(f"svd: algorithm must be an SvdAlgorithm, got {algorithm!r}.")
  outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv),
                    subset_by_index=subset, algorithm=algorithm)
  if compute_uv:
    s, u, vt = outs
    return u, s, vt
  return outs[0]


from jaxlite.lax.linalg_factor import (  # noqa: E402,F401
    eig, eig_p, geqrf, geqrf_p, householder_product, householder_product_p, lu, lu_p,
    lu_pivots_to_permutation, lu_pivots_to_permutation_p, qr, qr_p, tridiagonal_solve,
    tridiagonal_solve_p)
from jaxlite.lax.linalg_schur import hessenberg, hessenberg_p, schur, schur_p  # noqa: E402,F401
from jaxlite.lax.linalg_more import (  # noqa: E402,F401
    EigImplementation, EighImplementation, cholesky_update, cholesky_update_p, ormqr, ormqr_p,
    symmetric_product, symmetric_product_p, tridiagonal, tridiagonal_p)
from jaxlite.lax.polar import qdwh  # noqa: E402,F401
