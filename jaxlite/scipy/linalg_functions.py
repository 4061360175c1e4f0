"""``scipy.linalg``'s Schur-based functions and the rest of its solvers.

``schur`` and ``hessenberg`` call LAPACK (CPU only, as in JAX); ``sqrtm``,
``funm`` and ``solve_sylvester`` work on the complex Schur form, one
superdiagonal (or column) at a time, so each step is a batched matrix
product rather than a scalar loop.

  >>> import jaxlite.numpy as jnp
  >>> sqrtm(jnp.array([[4., 0.], [0., 9.]])).real
  Array([[2., 0.],
         [0., 3.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite.lax import linalg as lax_linalg
from jaxlite.numpy.promotion import promote_dtypes_inexact

__all__ = ['eigh_tridiagonal', 'expm_frechet', 'funm', 'hessenberg', 'polar', 'qr_multiply',
           'rsf2csf', 'schur', 'solve_sylvester', 'sqrtm']


from jaxlite.scipy._linalg_common import _H, _inexact, _jnp  # noqa: E402


def _complex(x):
  jnp = _jnp()
  return x.astype(jnp.result_type(x.dtype, np.complex64))


# --- Schur and Hessenberg ------------------------------------------------------------------


def schur(a, output: str = 'real'):
  """Schur decomposition ``a = z @ t @ z^H``: ``(t, z)``.

  ``output='complex'`` gives a triangular ``t`` for real ``a`` too.

  >>> import jaxlite.numpy as jnp
  >>> t, z = schur(jnp.array([[1., 2.], [0., 3.]]))
  >>> t
  Array([[1., 2.],
         [0., 3.]], dtype=float32)
  """
  if output not in ('real', 'complex'):
    raise ValueError(f"Expected 'output' to be either 'real' or 'complex', got output={output}.")
  a, = _inexact("schur", a)
  if output == 'complex':
    a = _complex(a)
  t, z = lax_linalg.schur(a)
  return t, z


def hessenberg(a, *, calc_q: bool = False, overwrite_a: bool = False,
               check_finite: bool = True):
  """Upper Hessenberg form ``h`` of ``a`` (and ``q`` with ``a = q h q^H`` if ``calc_q``).

  >>> import jaxlite.numpy as jnp
  >>> h = hessenberg(jnp.eye(3))
  >>> h.shape
  (3, 3)
  """
  del overwrite_a, check_finite
  jnp = _jnp()
  a, = _inexact("hessenberg", a)
  n = a.shape[-1]
  if n == 0:
    return (jnp.zeros_like(a), jnp.zeros_like(a)) if calc_q else jnp.zeros_like(a)
  packed, taus = lax_linalg.hessenberg(a)
  h = jnp.triu(packed, -1)
  if not calc_q:
    return h
  batch = a.shape[:-2]
  q = lax_linalg.householder_product(packed[..., 1:, :-1], taus)
  top = jnp.concatenate([jnp.ones(batch + (1, 1), a.dtype),
                         jnp.zeros(batch + (1, n - 1), a.dtype)], axis=-1)
  bottom = jnp.concatenate([jnp.zeros(batch + (n - 1, 1), a.dtype), q], axis=-1)
  return h, jnp.concatenate([top, bottom], axis=-2)


def rsf2csf(T, Z, check_finite: bool = True):
  """Real Schur form ``(T, Z)`` to complex Schur form (``T`` upper triangular).

  Each 2x2 block of a complex eigenvalue pair is triangularized by a Givens
  rotation, from the bottom up, as SciPy does.

  >>> import jaxlite.numpy as jnp
  >>> t, z = rsf2csf(jnp.array([[0., 1.], [-1., 0.]]), jnp.eye(2))
  >>> jnp.round(jnp.diagonal(t), 4)
  Array([0.+1.j, 0.-1.j], dtype=complex64)
  """
  del check_finite
  jnp = _jnp()
  T, Z = jnp.asarray(T), jnp.asarray(Z)
  if T.ndim < 2 or T.shape[-1] != T.shape[-2]:
    raise ValueError("Input 'T' must be square.")
  if Z.ndim < 2 or Z.shape[-1] != Z.shape[-2]:
    raise ValueError("Input 'Z' must be square.")
  if T.shape[-1] != Z.shape[-1]:
    raise ValueError(f"Input array shapes must match: Z: {Z.shape} vs. T: {T.shape}")
  T, Z = promote_dtypes_inexact(T, Z)
  T, Z = _complex(T), _complex(Z)
  batch = np.broadcast_shapes(T.shape[:-2], Z.shape[:-2])
  n = T.shape[-1]
  T = jnp.broadcast_to(T, batch + (n, n))
  Z = jnp.broadcast_to(Z, batch + (n, n))
  eps = np.finfo(T.dtype).eps
  for m in range(n - 1, 0, -1):
    a, b = T[..., m - 1, m - 1], T[..., m - 1, m]
    c, d = T[..., m, m - 1], T[..., m, m]
    split = jnp.abs(c) > eps * (jnp.abs(a) + jnp.abs(d))
    # The block's eigenvalue with the larger imaginary part (LAPACK's first), minus d.
    half_tr, disc = (a + d) / 2, jnp.sqrt(((a - d) / 2) ** 2 + b * c)
    lam = jnp.where(disc.imag >= 0, half_tr + disc, half_tr - disc)
    mu = lam - d
    r = jnp.sqrt(jnp.abs(mu) ** 2 + jnp.abs(c) ** 2).astype(T.dtype)
    cs, sn = mu / r, c / r
    g = jnp.stack([jnp.stack([jnp.conj(cs), sn], -1), jnp.stack([-sn, cs], -1)], -2)
    g = jnp.where(split[..., None, None], g, jnp.eye(2, dtype=T.dtype))
    rows = jnp.matmul(g, T[..., m - 1:m + 1, m - 1:])
    T = T.at[..., m - 1:m + 1, m - 1:].set(rows)
    cols = jnp.matmul(T[..., :m + 1, m - 1:m + 1], _H(g))
    T = T.at[..., :m + 1, m - 1:m + 1].set(cols)
    Z = Z.at[..., :, m - 1:m + 1].set(jnp.matmul(Z[..., :, m - 1:m + 1], _H(g)))
    T = T.at[..., m, m - 1].set(0)
  return T, Z


# --- functions of a matrix on its Schur form -------------------------------------------------


def _superdiagonal_masks(n):
  return [np.eye(n, k=d, dtype=bool) for d in range(1, n)]


def _sqrtm_triangular(t):
  """Björck-Hammarling: ``u`` upper triangular with ``u @ u = t``, one superdiagonal
  per step (the entries of a superdiagonal depend only on lower ones)."""
  jnp = _jnp()
  root = jnp.sqrt(jnp.diagonal(t, axis1=-2, axis2=-1))
  u = root[..., :, None] * jnp.eye(t.shape[-1], dtype=t.dtype)
  denom = root[..., :, None] + root[..., None, :]
  for mask in _superdiagonal_masks(t.shape[-1]):
    s = jnp.matmul(u, u)        # on this superdiagonal: sum over the k strictly between
    new = jnp.where(t == s, jnp.zeros((), t.dtype), (t - s) / denom)
    u = jnp.where(mask, new, u)
  return u


def sqrtm(A, blocksize: int = 1):
  """Matrix square root (the principal one), by the complex Schur method.

  >>> import jaxlite.numpy as jnp
  >>> sqrtm(jnp.array([[1., 0.], [0., 4.]]))
  Array([[1.+0.j, 0.+0.j],
         [0.+0.j, 2.+0.j]], dtype=complex64)
  """
  if blocksize > 1:
    raise NotImplementedError("Blocked version is not implemented yet.")
  A, = _inexact("sqrtm", A)
  t, z = schur(A, output='complex')
  return _matmul3(z, _sqrtm_triangular(t), _H(z))


def _matmul3(a, b, c):
  from jaxlite import lax
  jnp = _jnp()
  hi = lax.Precision.HIGHEST
  return jnp.matmul(jnp.matmul(a, b, precision=hi), c, precision=hi)


def funm(A, func, disp: bool = True):
  """``func`` applied to the matrix ``A`` (Schur-Parlett recurrence).

  ``func`` maps a vector of eigenvalues elementwise. With ``disp=False``
  returns ``(F, err)``, ``err`` SciPy's estimate of the relative error.

  >>> import jaxlite.numpy as jnp
  >>> funm(jnp.array([[1., 0.], [0., 2.]]), lambda x: x * x).real
  Array([[1., 0.],
         [0., 4.]], dtype=float32)
  """
  jnp = _jnp()
  A = jnp.asarray(A)
  if A.ndim != 2 or A.shape[0] != A.shape[1]:
    raise ValueError('expected square array_like input')
  T, Z = rsf2csf(*schur(A))
  n = T.shape[-1]
  diag_t = jnp.diagonal(T)
  F = jnp.diag(func(diag_t)).astype(T.dtype)
  diff = diag_t[None, :] - diag_t[:, None]          # T[j, j] - T[i, i]
  for mask in _superdiagonal_masks(n):
    # Parlett, from F T = T F: F[i,j] (T[j,j]-T[i,i]) = T[i,j] (F[j,j]-F[i,i])
    # + sum_{i<k<j} (T[i,k] F[k,j] - F[i,k] T[k,j]), which is (T F - F T)[i, j]
    # while this superdiagonal of F is still zero.
    new = (jnp.matmul(T, F) - jnp.matmul(F, T)) / diff
    F = jnp.where(mask, new, F)
  upper = np.triu(np.ones((n, n), bool), 1)
  minden = jnp.abs(T[0, 0])
  if n > 1:
    minden = jnp.minimum(minden, jnp.min(jnp.where(upper, jnp.abs(diff), jnp.inf)))
  F = Z @ F @ _H(Z)
  if disp:
    return F
  tol = np.finfo(F.dtype).eps
  minden = jnp.where(minden == 0.0, tol, minden)
  norm1 = jnp.max(jnp.sum(jnp.abs(jnp.triu(T, 1)), axis=0))
  err = jnp.where(jnp.any(jnp.isinf(F)), np.inf,
                  jnp.minimum(1, jnp.maximum(tol, (tol / minden) * norm1)))
  return F, err


# --- polar, Sylvester, Fréchet derivative of expm ---------------------------------------------


def polar(a, side: str = 'right', *, method: str = 'qdwh', eps=None, max_iterations=None):
  """Polar decomposition: ``a = u @ p`` (``side='right'``) or ``a = p @ u`` ('left'),
  ``u`` unitary and ``p`` Hermitian positive semidefinite.

  Both methods compute it from the SVD (``a = w s vh``: ``u = w vh``); 'qdwh'
  accepts the shapes JAX's QDWH iteration accepts.

  >>> import jaxlite.numpy as jnp
  >>> u, p = polar(jnp.array([[2., 0.], [0., 3.]]))
  >>> p
  Array([[2., 0.],
         [0., 3.]], dtype=float32)
  """
  del eps, max_iterations
  jnp = _jnp()
  a, = _inexact("polar", a)
  if side not in ('right', 'left'):
    raise ValueError(f"side={side} was invalid.")
  if method not in ('qdwh', 'svd'):
    raise ValueError(f"Unknown polar decomposition method {method}.")
  if a.ndim != 2:
    raise ValueError("The input `a` must be a 2-D array.")
  m, n = a.shape
  if method == 'qdwh' and not ((m >= n and side == 'right') or (m < n and side == 'left')):
    # JAX's QDWH iteration only handles these shapes; the SVD handles any.
    raise NotImplementedError("method='qdwh' only supports mxn matrices where m < n where "
                              f"side='right' and m >= n side='left', got {a.shape} with "
                              f"side={side!r}")
  w, s, vh = lax_linalg.svd(a, full_matrices=False)
  u = jnp.matmul(w, vh)
  if side == 'right':
    p = jnp.matmul(_H(vh) * s.astype(a.dtype)[None, :], vh)
  else:
    p = jnp.matmul(w * s.astype(a.dtype)[None, :], _H(w))
  return u, p


def solve_sylvester(A, B, C, *, method: str = "schur", tol: float = 1e-8):
  """Solves ``A X + X B = C`` (Bartels-Stewart on the complex Schur forms).

  NaNs when some ``|eig(A)_i + eig(B)_j| < tol`` (no unique solution), as in JAX.

  >>> import jaxlite.numpy as jnp
  >>> solve_sylvester(jnp.eye(2), jnp.eye(2), 2 * jnp.eye(2))
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  jnp = _jnp()
  if method not in ("schur", "eigen"):
    raise ValueError(f"Unrecognized method {method}. The two valid methods are either "
                     "\"schur\" or \"eigen\".")
  A, B, C = _inexact("solve_sylvester", A, B, C)
  m, n = C.shape[-2:]
  if A.shape[-2:] != (m, m) or B.shape[-2:] != (n, n):
    raise ValueError(f"Incompatible shapes for Sylvester equation:\nA: {A.shape}\nB: "
                     f"{B.shape}\nC: {C.shape}")
  R, U = schur(A, output='complex')
  S, V = schur(B, output='complex')      # B = V S V^H, S upper triangular
  F = _matmul3(_H(U), C.astype(R.dtype), V)
  # R Y + Y S = F, column by column: (R + S[j, j]) y_j = f_j - sum_{k<j} y_k S[k, j].
  eye = jnp.eye(m, dtype=R.dtype)
  cols = []
  for j in range(n):
    rhs = F[..., :, j]
    for k in range(j):
      rhs = rhs - cols[k] * S[..., k, j][..., None]
    lhs = R + S[..., j, j][..., None, None] * eye
    cols.append(lax_linalg.triangular_solve(lhs, rhs[..., None], left_side=True,
                                            lower=False)[..., 0])
  Y = jnp.stack(cols, axis=-1)
  X = _matmul3(U, Y, _H(V))
  if not jnp.issubdtype(C.dtype, np.complexfloating):
    X = X.real
  ra, rb = jnp.diagonal(R, axis1=-2, axis2=-1), jnp.diagonal(S, axis1=-2, axis2=-1)
  singular = jnp.any(jnp.abs(ra[..., :, None] + rb[..., None, :]) < tol, axis=(-2, -1))
  return jnp.where(singular[..., None, None], jnp.asarray(np.nan, X.dtype), X)


def expm_frechet(A, E, *, method: str | None = None, compute_expm: bool = True):
  """Fréchet derivative of ``expm`` at ``A`` in direction ``E``: ``(expm(A), L)``
  (``L`` alone unless ``compute_expm``).

  ``expm([[A, E], [0, A]]) = [[expm(A), L], [0, expm(A)]]``, so both come from one
  exponential of the doubled matrix.

  >>> import jaxlite.numpy as jnp
  >>> expm_frechet(jnp.zeros((1, 1)), jnp.ones((1, 1)), compute_expm=False)
  Array([[1.]], dtype=float32)
  """
  from jaxlite.scipy.linalg import expm
  jnp = _jnp()
  A, E = _inexact("expm_frechet", A, E)
  if method is not None and method not in ('SPS', 'blockEnlarge'):
    raise ValueError(f"Unknown method {method!r}; expected None, 'SPS' or 'blockEnlarge'.")
  if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
    raise ValueError(f"expected A to be a square matrix, got shape {A.shape}")
  if E.shape != A.shape:
    raise ValueError(f"expected E to be the same shape as A, got {E.shape} and {A.shape}")
  n = A.shape[-1]
  top = jnp.concatenate([A, E], axis=-1)
  bottom = jnp.concatenate([jnp.zeros_like(A), A], axis=-1)
  big = expm(jnp.concatenate([top, bottom], axis=-2))
  expm_a, frechet = big[..., :n, :n], big[..., :n, n:]
  return (expm_a, frechet) if compute_expm else frechet


# --- QR multiply and the tridiagonal eigenproblem ---------------------------------------------


def qr_multiply(a, c, mode: str = 'right', pivoting: bool = False, conjugate: bool = False,
                overwrite_a: bool = False, overwrite_c: bool = False):
  """QR-decomposes ``a`` and returns ``(Q @ c, R)`` ('left') or ``(c @ Q, R)`` ('right'),
  economic ``Q`` and ``R``; with ``pivoting`` also the column permutation.

  >>> import jaxlite.numpy as jnp
  >>> qc, r = qr_multiply(jnp.eye(2), jnp.array([1., 2.]))
  >>> jnp.abs(qc)
  Array([1., 2.], dtype=float32)
  """
  del overwrite_a, overwrite_c
  jnp = _jnp()
  if mode not in ('left', 'right'):
    raise ValueError(f"mode must be 'left' or 'right'; got {mode!r}.")
  a, c = _inexact("qr_multiply", a, c)
  outs = lax_linalg.qr(a, pivoting=pivoting, full_matrices=False)
  q, r = outs[0], outs[1]
  if conjugate:
    q = jnp.conj(q)
  vector = c.ndim == 1
  if mode == 'left':
    cm = c[:, None] if vector else c
    if cm.shape[-2] != q.shape[-1]:
      raise ValueError(f"Incompatible shapes: Q {q.shape} and c {c.shape}.")
    out = jnp.matmul(q, cm)
  else:
    cm = c[None, :] if vector else c
    if cm.shape[-1] != q.shape[-2]:
      raise ValueError(f"Incompatible shapes: c {c.shape} and Q {q.shape}.")
    out = jnp.matmul(cm, q)
  if vector:
    out = out.ravel()
  return (out, r) + tuple(outs[2:])


def eigh_tridiagonal(d, e, *, eigvals_only: bool = False, select: str = 'a',
                     select_range=None, tol=None, key=None):
  """Eigenvalues (ascending; and eigenvectors) of the Hermitian tridiagonal matrix
  with diagonal ``d`` and off-diagonal ``e``.

  ``select='i'`` with ``select_range=(lo, hi)`` keeps eigenvalues ``lo..hi``.

  >>> import jaxlite.numpy as jnp
  >>> eigh_tridiagonal(jnp.array([2., 2.]), jnp.array([1.]), eigvals_only=True)
  Array([1., 3.], dtype=float32)
  """
  del tol, key
  jnp = _jnp()
  alpha, beta = jnp.asarray(d), jnp.asarray(e)
  supported = (np.float32, np.float64, np.complex64, np.complex128)
  if alpha.dtype != beta.dtype:
    raise TypeError("diagonal and off-diagonal values must have same dtype, "
                    f"got {alpha.dtype} and {beta.dtype}")
  if alpha.dtype not in supported:
    raise TypeError("Only float32 and float64 inputs are supported as inputs "
                    "to jax.scipy.linalg.eigh_tridiagonal, got "
                    f"{alpha.dtype} and {beta.dtype}")
  n = alpha.shape[0]
  if n <= 1:
    w = jnp.real(alpha)
    return w if eigvals_only else (w, jnp.eye(n, dtype=alpha.dtype))
  if select == 'a':
    subset = None
  elif select == 'i':
    if select_range is None:
      raise ValueError("for select='i', select_range must be specified.")
    if select_range[0] > select_range[1]:
      raise ValueError('Got empty index range in select_range.')
    subset = (int(select_range[0]), int(select_range[1]) + 1)
  elif select == 'v':
    raise NotImplementedError("eigh_tridiagonal(..., select='v') is not implemented")
  else:
    raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
  # The dense Hermitian matrix holds e below the diagonal (eigh reads the lower triangle).
  mat = jnp.diag(alpha.astype(alpha.dtype)) + jnp.diag(beta, -1)
  v, w = lax_linalg.eigh(mat, lower=True, symmetrize_input=False, subset_by_index=subset)
  return w if eigvals_only else (w, v)
