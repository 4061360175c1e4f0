"""``jaxlite.scipy.linalg``: SciPy's linear algebra on ``jaxlite.lax.linalg``.

SciPy's ``overwrite_*`` and ``check_finite`` arguments are accepted and
ignored, as in JAX. Every function is differentiable and works on batches of
matrices where SciPy's would only take one.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.scipy import linalg
  >>> linalg.cholesky(jnp.array([[4., 2.], [2., 5.]]), lower=True)
  Array([[2., 0.],
         [1., 2.]], dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite import lax
from jaxlite.lax import linalg as lax_linalg
from jaxlite.lax.linalg_factor import _permutation_matrix
from jaxlite.numpy import linalg as jnp_linalg
from jaxlite.numpy.promotion import check_arraylike

__all__ = ['block_diag', 'cho_factor', 'cho_solve', 'cholesky', 'det', 'eigh', 'expm', 'inv',
           'lu', 'lu_factor', 'lu_solve', 'qr', 'solve', 'solve_triangular', 'svd']


from jaxlite.scipy._linalg_common import _H, _inexact, _jnp  # noqa: E402


def _as_matrix_rhs(name, a, b):
  """``b`` as a batch of column blocks matching ``a`` (1-D ``b`` as one column),
  both broadcast to one batch shape; also returns whether ``b`` was a vector."""
  jnp = _jnp()
  vector = b.ndim == a.ndim - 1 or b.ndim == 1
  if vector:
    b = b[..., None]
  if b.shape[-2] != a.shape[-1]:
    raise ValueError(f"{name}: incompatible shapes a {a.shape} and b "
                     f"{b.shape[:-1] if vector else b.shape}.")
  batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
  return (jnp.broadcast_to(a, batch + a.shape[-2:]), jnp.broadcast_to(b, batch + b.shape[-2:]),
          vector)


def _square(name, a):
  if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
    raise ValueError(f"{name}: expected a square matrix (or a batch), got shape {a.shape}.")


# --- Cholesky --------------------------------------------------------------------------------


def cholesky(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
  """Cholesky factor: upper ``U`` with ``a = U^H U`` (or lower ``L``, ``a = L L^H``).

  >>> import jaxlite.numpy as jnp
  >>> cholesky(jnp.array([[4., 2.], [2., 5.]]))
  Array([[2., 1.],
         [0., 2.]], dtype=float32)
  """
  del overwrite_a, check_finite
  a, = _inexact("scipy.linalg.cholesky", a)
  _square("scipy.linalg.cholesky", a)
  l = lax_linalg.cholesky(a)
  return l if lower else _H(l)


def cho_factor(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
  """``(c, lower)`` for ``cho_solve``: the Cholesky factor and which triangle it is.

  >>> import jaxlite.numpy as jnp
  >>> c, low = cho_factor(jnp.array([[4., 0.], [0., 9.]]))
  >>> c
  Array([[2., 0.],
         [0., 3.]], dtype=float32)
  """
  return cholesky(a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite), lower


def cho_solve(c_and_lower, b, overwrite_b: bool = False, check_finite: bool = True):
  """Solves ``a x = b`` given ``cho_factor(a)``.

  >>> import jaxlite.numpy as jnp
  >>> cho_solve(cho_factor(jnp.array([[4., 0.], [0., 9.]])), jnp.array([4., 9.]))
  Array([1., 1.], dtype=float32)
  """
  del overwrite_b, check_finite
  c, lower = c_and_lower
  c, b = _inexact("scipy.linalg.cho_solve", c, b)
  _square("scipy.linalg.cho_solve", c)
  c, b, vector = _as_matrix_rhs("scipy.linalg.cho_solve", c, b)
  # a = L L^H: solve L y = b, then L^H x = y (U = L^H for the upper form).
  kw = dict(left_side=True, lower=bool(lower))
  y = lax_linalg.triangular_solve(c, b, transpose_a=not lower, conjugate_a=not lower, **kw)
  x = lax_linalg.triangular_solve(c, y, transpose_a=bool(lower), conjugate_a=bool(lower), **kw)
  return x[..., 0] if vector else x


# --- triangular solves ------------------------------------------------------------------------


def solve_triangular(a, b, trans=0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, debug=None, check_finite: bool = True):
  """Solves ``op(a) x = b`` for triangular ``a``; ``trans``: 0/'N', 1/'T' or 2/'C'.

  >>> import jaxlite.numpy as jnp
  >>> solve_triangular(jnp.array([[2., 0.], [1., 1.]]), jnp.array([2., 3.]), lower=True)
  Array([1., 2.], dtype=float32)
  """
  del overwrite_b, debug, check_finite
  a, b = _inexact("scipy.linalg.solve_triangular", a, b)
  _square("scipy.linalg.solve_triangular", a)
  modes = {0: (False, False), "N": (False, False), 1: (True, False), "T": (True, False),
           2: (True, True), "C": (True, True)}
  if trans not in modes:
    raise ValueError(f"Invalid 'trans' value {trans!r}; expected 0, 1, 2, 'N', 'T' or 'C'.")
  transpose_a, conjugate_a = modes[trans]
  a, b, vector = _as_matrix_rhs("scipy.linalg.solve_triangular", a, b)
  x = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                  conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
  return x[..., 0] if vector else x


# --- LU ----------------------------------------------------------------------------------------


def lu(a, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True):
  """LU decomposition ``a = p @ l @ u`` (``(p @ l, u)`` if ``permute_l``).

  >>> import jaxlite.numpy as jnp
  >>> p, l, u = lu(jnp.array([[1., 2.], [3., 4.]]))
  >>> p
  Array([[0., 1.],
         [1., 0.]], dtype=float32)
  """
  del overwrite_a, check_finite
  jnp = _jnp()
  a, = _inexact("scipy.linalg.lu", a)
  lu_val, _, perm = lax_linalg.lu(a)
  m, n = a.shape[-2:]
  k = min(m, n)
  l = jnp.tril(lu_val[..., :, :k], -1) + jnp.eye(m, k, dtype=a.dtype)
  u = jnp.triu(lu_val[..., :k, :])
  p = jnp.swapaxes(_permutation_matrix(perm, m, a.dtype), -1, -2)
  if permute_l:
    return jnp.matmul(p, l), u
  return p, l, u


def lu_factor(a, overwrite_a: bool = False, check_finite: bool = True):
  """``(lu, piv)``: L and U packed in one matrix, and LAPACK's 0-based row swaps.

  >>> import jaxlite.numpy as jnp
  >>> lu_, piv = lu_factor(jnp.array([[1., 2.], [3., 4.]]))
  >>> piv
  Array([1, 1], dtype=int32)
  """
  del overwrite_a, check_finite
  a, = _inexact("scipy.linalg.lu_factor", a)
  lu_val, pivots, _ = lax_linalg.lu(a)
  return lu_val, pivots


def lu_solve(lu_and_piv, b, trans: int = 0, overwrite_b: bool = False,
             check_finite: bool = True):
  """Solves ``op(a) x = b`` given ``lu_factor(a)``; ``trans``: 0, 1 (a^T) or 2 (a^H).

  >>> import jaxlite.numpy as jnp
  >>> lu_solve(lu_factor(jnp.array([[2., 0.], [0., 4.]])), jnp.array([2., 4.]))
  Array([1., 1.], dtype=float32)
  """
  del overwrite_b, check_finite
  jnp = _jnp()
  lu_val, pivots = lu_and_piv
  lu_val, b = _inexact("scipy.linalg.lu_solve", lu_val, b)
  _square("scipy.linalg.lu_solve", lu_val)
  if trans not in (0, 1, 2):
    raise ValueError(f"'trans' value must be 0, 1, or 2, got {trans!r}.")
  m = lu_val.shape[-1]
  perm = lax_linalg.lu_pivots_to_permutation(jnp.asarray(pivots, np.int32), m)
  p = _permutation_matrix(perm, m, lu_val.dtype)     # p @ a = l @ u
  lu_val, b, vector = _as_matrix_rhs("scipy.linalg.lu_solve", lu_val, b)
  p = jnp.broadcast_to(p, lu_val.shape)
  kw = dict(left_side=True)
  if trans == 0:
    y = lax_linalg.triangular_solve(lu_val, jnp.matmul(p, b), lower=True, unit_diagonal=True,
                                    **kw)
    x = lax_linalg.triangular_solve(lu_val, y, lower=False, **kw)
  else:   # a^T = u^T l^T p (conjugated for trans=2)
    conj = trans == 2
    y = lax_linalg.triangular_solve(lu_val, b, lower=False, transpose_a=True,
                                    conjugate_a=conj, **kw)
    z = lax_linalg.triangular_solve(lu_val, y, lower=True, unit_diagonal=True,
                                    transpose_a=True, conjugate_a=conj, **kw)
    x = jnp.matmul(jnp.swapaxes(p, -1, -2), z)
  return x[..., 0] if vector else x


# --- QR, eigh, SVD ------------------------------------------------------------------------------


def qr(a, overwrite_a: bool = False, lwork=None, mode: str = "full", pivoting: bool = False,
       check_finite: bool = True):
  """QR decomposition; ``mode`` 'full', 'economic', 'r' (returns ``(r,)``) or 'raw'.

  With ``pivoting``, also returns ``p`` with ``a[:, p] = q @ r``.

  >>> import jaxlite.numpy as jnp
  >>> q, r = qr(jnp.ones((3, 2)))
  >>> q.shape, r.shape
  ((3, 3), (3, 2))
  """
  del overwrite_a, lwork, check_finite
  a, = _inexact("scipy.linalg.qr", a)
  if mode == "raw":
    if pivoting:
      raise ValueError("scipy.linalg.qr: mode='raw' does not support pivoting.")
    h, taus = lax_linalg.geqrf(a)
    return (h, taus), None
  if mode not in ("full", "r", "economic"):
    raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
  outs = lax_linalg.qr(a, pivoting=pivoting, full_matrices=mode in ("full", "r"))
  q, r = outs[0], outs[1]
  p = outs[2:]
  if mode == "r":
    return (r,) + tuple(p)
  return (q, r) + tuple(p)


def eigh(a, b=None, lower: bool = True, eigvals_only: bool = False, overwrite_a: bool = False,
         overwrite_b: bool = False, turbo: bool = True, eigvals=None, type: int = 1,
         check_finite: bool = True, subset_by_index=None):
  """Eigenvalues (ascending) and eigenvectors of Hermitian ``a`` (or of ``a v = w b v``).

  >>> import jaxlite.numpy as jnp
  >>> eigh(jnp.array([[2., 0.], [0., 1.]]), eigvals_only=True)
  Array([1., 2.], dtype=float32)
  """
  del overwrite_a, overwrite_b, turbo, check_finite
  if eigvals is not None:
    subset_by_index = eigvals
  if b is None:
    a, = _inexact("scipy.linalg.eigh", a)
    _square("scipy.linalg.eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=False,
                           subset_by_index=subset_by_index)
    return w if eigvals_only else (w, v)
  if type != 1:
    raise ValueError(f"scipy.linalg.eigh: only the generalized problem type=1 "
                     f"(a v = w b v) is supported, got type={type}.")
  a, b = _inexact("scipy.linalg.eigh", a, b)
  _square("scipy.linalg.eigh", a)
  # b = L L^H turns a v = w b v into (L^-1 a L^-H) u = w u with v = L^-H u.
  l = lax_linalg.cholesky(b)
  c = lax_linalg.triangular_solve(l, a, left_side=True, lower=True)
  c = lax_linalg.triangular_solve(l, c, left_side=False, lower=True, transpose_a=True,
                                  conjugate_a=True)
  u, w = lax_linalg.eigh(c, subset_by_index=subset_by_index)
  if eigvals_only:
    return w
  v = lax_linalg.triangular_solve(l, u, left_side=True, lower=True, transpose_a=True,
                                  conjugate_a=True)
  return w, v


def svd(a, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd"):
  """Singular value decomposition ``a = u @ diag(s) @ vh``; ``s`` alone if not ``compute_uv``.

  >>> import jaxlite.numpy as jnp
  >>> svd(jnp.array([[0., 2.], [1., 0.]]), compute_uv=False)
  Array([2., 1.], dtype=float32)
  """
  del overwrite_a, check_finite
  if lapack_driver not in ("gesdd", "gesvd"):
    raise ValueError(f"lapack_driver must be 'gesdd' or 'gesvd', got {lapack_driver!r}.")
  a, = _inexact("scipy.linalg.svd", a)
  algorithm = lax_linalg.SvdAlgorithm.QR if lapack_driver == "gesvd" else None
  return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                        algorithm=algorithm)


# --- inverse, determinant, general solve ----------------------------------------------------


def inv(a, overwrite_a: bool = False, check_finite: bool = True):
  """Inverse of square matrices.

  >>> import jaxlite.numpy as jnp
  >>> inv(jnp.array([[2., 0.], [0., 4.]]))
  Array([[0.5 , 0.  ],
         [0.  , 0.25]], dtype=float32)
  """
  del overwrite_a, check_finite
  return jnp_linalg.inv(a)


def det(a, overwrite_a: bool = False, check_finite: bool = True):
  """Determinant of square matrices.

  >>> import jaxlite.numpy as jnp
  >>> det(jnp.array([[1., 2.], [3., 4.]]))
  Array(-2., dtype=float32)
  """
  del overwrite_a, check_finite
  return jnp_linalg.det(a)


def solve(a, b, lower: bool = False, overwrite_a: bool = False, overwrite_b: bool = False,
          debug: bool = False, check_finite: bool = True, assume_a: str = "gen"):
  """Solves ``a x = b``; ``assume_a='pos'`` uses a Cholesky factorization, the others LU.

  >>> import jaxlite.numpy as jnp
  >>> solve(jnp.array([[4., 0.], [0., 9.]]), jnp.array([4., 9.]), assume_a='pos')
  Array([1., 1.], dtype=float32)
  """
  del overwrite_a, overwrite_b, debug, check_finite
  if assume_a not in ("gen", "general", "sym", "symmetric", "her", "hermitian", "pos",
                      "positive definite", "diagonal", "tridiagonal", "banded",
                      "upper triangular", "lower triangular"):
    raise ValueError(f"Expected assume_a to be one of 'gen', 'sym', 'her', 'pos', got "
                     f"{assume_a!r}.")
  a, b = _inexact("scipy.linalg.solve", a, b)
  _square("scipy.linalg.solve", a)
  if assume_a in ("pos", "positive definite"):
    return cho_solve((cholesky(a, lower=True), True), b)
  if assume_a in ("upper triangular", "lower triangular"):
    return solve_triangular(a, b, lower=assume_a.startswith("lower"))
  a, b, vector = _as_matrix_rhs("scipy.linalg.solve", a, b)
  x = jnp_linalg.solve(a, b)
  return x[..., 0] if vector else x


# --- expm and block_diag ----------------------------------------------------------------------

_PADE7 = (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.)
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA7 = 3.925724783138660
_THETA13 = 5.371920351148152


def _pade(a, coeffs):
  """Numerator terms ``u`` (odd) and ``v`` (even) of the Padé approximant of ``exp(a)``."""
  jnp = _jnp()
  eye = jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
  c = [jnp.asarray(x, a.dtype) for x in coeffs]
  a2 = jnp.matmul(a, a)
  a4 = jnp.matmul(a2, a2)
  a6 = jnp.matmul(a4, a2)
  if len(coeffs) == 8:
    u = jnp.matmul(a, c[7] * a6 + c[5] * a4 + c[3] * a2 + c[1] * eye)
    v = c[6] * a6 + c[4] * a4 + c[2] * a2 + c[0] * eye
    return u, v
  inner_u = jnp.matmul(a6, c[13] * a6 + c[11] * a4 + c[9] * a2)
  u = jnp.matmul(a, inner_u + c[7] * a6 + c[5] * a4 + c[3] * a2 + c[1] * eye)
  v = jnp.matmul(a6, c[12] * a6 + c[10] * a4 + c[8] * a2) + \
      c[6] * a6 + c[4] * a4 + c[2] * a2 + c[0] * eye
  return u, v


def expm(A, *, upper_triangular: bool = False, max_squarings: int = 16):
  """Matrix exponential by Padé approximation with scaling and squaring.

  ``A`` is scaled by ``2^-s`` so its 1-norm is below the approximant's bound
  (Padé 13 in double precision, 7 in single), then squared ``s`` times.
  Differentiable; NaN when more than ``max_squarings`` squarings are needed.

  >>> import jaxlite.numpy as jnp
  >>> expm(jnp.zeros((2, 2)))
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  del upper_triangular   # the general solve handles triangular matrices too
  jnp = _jnp()
  A, = _inexact("scipy.linalg.expm", A)
  _square("scipy.linalg.expm", A)
  double = np.finfo(A.dtype).dtype == np.float64
  coeffs, theta = (_PADE13, _THETA13) if double else (_PADE7, _THETA7)
  norm1 = lax.stop_gradient(jnp.max(jnp.sum(jnp.abs(A), axis=-2), axis=-1))
  real = norm1.dtype
  s = jnp.maximum(0, jnp.ceil(jnp.log2(norm1 / jnp.asarray(theta, real))))
  s = jnp.where(jnp.isfinite(s), s, 0)   # norm 0 -> log2 = -inf
  scaled = A / jnp.exp2(s).astype(A.dtype)[..., None, None]
  u, v = _pade(scaled, coeffs)
  r = jnp_linalg.solve(v - u, v + u)
  steps = s.astype(np.int32)[..., None, None]

  def square(i, r):
    return jnp.where(i < steps, jnp.matmul(r, r), r)
  r = lax.fori_loop(0, int(max_squarings), square, r)
  too_many = (s > max_squarings)[..., None, None]
  return jnp.where(too_many, jnp.asarray(np.nan, A.dtype), r)


def block_diag(*arrs):
  """A block-diagonal matrix of the (at most 2-D) arrays ``arrs``.

  >>> import jaxlite.numpy as jnp
  >>> block_diag(jnp.ones((1, 1)), 2 * jnp.ones((1, 2)))
  Array([[1., 0., 0.],
         [0., 2., 2.]], dtype=float32)
  """
  jnp = _jnp()
  if not arrs:
    return jnp.zeros((1, 0))
  check_arraylike("scipy.linalg.block_diag", *arrs)
  arrs = [jnp.atleast_2d(jnp.asarray(a)) for a in arrs]
  for i, a in enumerate(arrs):
    if a.ndim > 2:
      raise ValueError(f"arguments in the following positions have dimension greater than "
                       f"2: [{i}]")
  dtype = jnp.result_type(*arrs)
  total_cols = sum(a.shape[1] for a in arrs)
  rows, left = [], 0
  for a in arrs:
    right = total_cols - left - a.shape[1]
    rows.append(jnp.pad(a.astype(dtype), ((0, 0), (left, right))))
    left += a.shape[1]
  return jnp.concatenate(rows, axis=0)


# The special-matrix constructors and the Schur-based functions live in their own modules.
from jaxlite.scipy.linalg_matrices import (  # noqa: E402,F401
    circulant, companion, convolution_matrix, dft, fiedler, fiedler_companion, hadamard, hankel,
    helmert, hilbert, invhilbert, invpascal, leslie, pascal, toeplitz)
from jaxlite.scipy.linalg_functions import (  # noqa: E402,F401
    eigh_tridiagonal, expm_frechet, funm, hessenberg, polar, qr_multiply, rsf2csf, schur,
    solve_sylvester, sqrtm)
from jaxlite.scipy import linalg_functions as _functions, linalg_matrices as _matrices  # noqa: E402
__all__ += _matrices.__all__ + _functions.__all__
