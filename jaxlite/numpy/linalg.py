"""``jaxlite.numpy.linalg``: NumPy's linear algebra on ``jaxlite.lax.linalg``.

Every function accepts batches of matrices (leading dimensions) and is
differentiable through the decompositions' JVP rules.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.det(jnp.array([[1., 2.], [3., 4.]]))
  Array(-2., dtype=float32)
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from jaxlite.lax.out_sharding import placed_after as _placed_after
from jaxlite.lax import linalg as lax_linalg
from jaxlite.lax.linalg_factor import lu_solve_square
from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact
from jaxlite.numpy.library_jit import library_jit

__all__ = [
    'EighResult', 'EigResult', 'QRResult', 'SlogdetResult', 'SVDResult',
    'cholesky', 'cond', 'cross', 'det', 'diagonal', 'eig', 'eigh', 'eigvals', 'eigvalsh',
    'inv', 'lstsq', 'matmul', 'matrix_norm', 'matrix_power', 'matrix_rank',
    'matrix_transpose', 'multi_dot', 'norm', 'outer', 'pinv', 'qr', 'slogdet', 'solve',
    'svd', 'svdvals', 'tensordot', 'tensorinv', 'tensorsolve', 'trace', 'vecdot',
    'vector_norm',
]


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


class EighResult(NamedTuple):
  eigenvalues: object
  eigenvectors: object


class EigResult(NamedTuple):
  eigenvalues: object
  eigenvectors: object


class QRResult(NamedTuple):
  Q: object
  R: object


class SlogdetResult(NamedTuple):
  sign: object
  logabsdet: object


class SVDResult(NamedTuple):
  U: object
  S: object
  Vh: object


def _inexact(name, *args):
  check_arraylike(name, *args)
  jnp = _jnp()
  return promote_dtypes_inexact(*[jnp.asarray(a) for a in args])


def _square(name, a):
  if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
    raise ValueError(f"{name}: argument must be a square matrix or a batch of square "
                     f"matrices, got shape {a.shape}.")


def _H(x):
  return _jnp().conj(_jnp().swapaxes(x, -1, -2))


# --- decompositions ------------------------------------------------------------------------


@library_jit(static_argnames=('upper', 'symmetrize_input'))
def cholesky(a, *, upper: bool = False, symmetrize_input: bool = True):
  """Cholesky factor of Hermitian positive-definite matrices.

  Returns lower ``L`` with ``a = L @ L^H`` (or upper ``U = L^H`` if ``upper``);
  NaNs where ``a`` is not positive definite.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.cholesky(jnp.array([[4., 2.], [2., 5.]]))
  Array([[2., 0.],
         [1., 2.]], dtype=float32)
  """
  a, = _inexact("jnp.linalg.cholesky", a)
  _square("jnp.linalg.cholesky", a)
  l = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
  return _H(l) if upper else l


@library_jit(static_argnames=('mode',))
def qr(a, mode: str = "reduced"):
  """QR decomposition; ``mode`` is 'reduced', 'complete', 'r' or 'raw'.

  >>> import jaxlite.numpy as jnp
  >>> q, r = jnp.linalg.qr(jnp.array([[3., 1.], [4., 2.]]))
  >>> jnp.allclose(q @ r, jnp.array([[3., 1.], [4., 2.]]), atol=1e-6)
  Array(True, dtype=bool)
  """
  a, = _inexact("jnp.linalg.qr", a)
  if a.ndim < 2:
    raise ValueError(f"jnp.linalg.qr requires an argument of at least 2 dimensions, got "
                     f"shape {a.shape}.")
  if mode == "raw":
    h, taus = lax_linalg.geqrf(a)
    return QRResult(_jnp().swapaxes(h, -1, -2), taus)
  if mode in ("reduced", "r", "full"):
    full = False
  elif mode == "complete":
    full = True
  else:
    raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
  q, r = lax_linalg.qr(a, pivoting=False, full_matrices=full)
  if mode == "r":
    return r
  return QRResult(q, r)


def _uplo_lower(UPLO):
  if UPLO is None or UPLO == "L":
    return True
  if UPLO == "U":
    return False
  raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO!r}")


@library_jit(static_argnames=('UPLO', 'symmetrize_input'))
def eigh(a, UPLO: str | None = None, symmetrize_input: bool = True):
  """Eigenvalues (ascending) and eigenvectors of Hermitian matrices.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.eigh(jnp.array([[2., 1.], [1., 2.]])).eigenvalues
  Array([1., 3.], dtype=float32)
  """
  a, = _inexact("jnp.linalg.eigh", a)
  _square("jnp.linalg.eigh", a)
  v, w = lax_linalg.eigh(a, lower=_uplo_lower(UPLO), symmetrize_input=symmetrize_input)
  return EighResult(w, v)


@library_jit(static_argnames=('UPLO', 'symmetrize_input'))
def eigvalsh(a, UPLO: str | None = "L", *, symmetrize_input: bool = True):
  """Eigenvalues (ascending) of Hermitian matrices.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.eigvalsh(jnp.array([[2., 0.], [0., 1.]]))
  Array([1., 2.], dtype=float32)
  """
  return eigh(a, UPLO, symmetrize_input).eigenvalues


def eig(a):
  """Eigenvalues and right eigenvectors of general square matrices (complex).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.eig(jnp.array([[2., 0.], [0., 3.]])).eigenvalues
  Array([2.+0.j, 3.+0.j], dtype=complex64)
  """
  a, = _inexact("jnp.linalg.eig", a)
  _square("jnp.linalg.eig", a)
  w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
  return EigResult(w, v)


@library_jit
def eigvals(a):
  """Eigenvalues of general square matrices (complex).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.eigvals(jnp.array([[0., 1.], [-1., 0.]]))
  Array([0.+1.j, 0.-1.j], dtype=complex64)
  """
  a, = _inexact("jnp.linalg.eigvals", a)
  _square("jnp.linalg.eigvals", a)
  return lax_linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


@library_jit(static_argnames=('full_matrices', 'compute_uv', 'hermitian', 'subset_by_index'))
def svd(a, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False,
        subset_by_index=None):
  """Singular value decomposition ``a = U @ diag(S) @ Vh`` (``S`` descending).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.svd(jnp.array([[3., 0.], [0., -4.]]), compute_uv=False)
  Array([4., 3.], dtype=float32)
  """
  jnp = _jnp()
  a, = _inexact("jnp.linalg.svd", a)
  if a.ndim < 2:
    raise ValueError(f"jnp.linalg.svd requires an argument of at least 2 dimensions, got "
                     f"shape {a.shape}.")
  if hermitian:
    _square("jnp.linalg.svd", a)
    v, w = lax_linalg.eigh(a, subset_by_index=subset_by_index)
    s = jnp.abs(w)
    order = jnp.flip(jnp.argsort(s, axis=-1), axis=-1)   # descending |w|
    s = jnp.take_along_axis(s, order, axis=-1)
    if not compute_uv:
      return s
    sign = jnp.take_along_axis(jnp.sign(w), order, axis=-1)
    u = jnp.take_along_axis(v, order[..., None, :], axis=-1)
    vh = _H(u * sign[..., None, :].astype(u.dtype))
    return SVDResult(u, s, vh)
  out = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                       subset_by_index=subset_by_index)
  if compute_uv:
    u, s, vh = out
    return SVDResult(u, s, vh)
  return out


def svdvals(x):
  """Singular values (descending).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.svdvals(jnp.array([[0., 2.], [1., 0.]]))
  Array([2., 1.], dtype=float32)
  """
  return svd(x, compute_uv=False)


# --- solves, inverses, determinants ------------------------------------------------------------


def _broadcast_batch(a, b):
  """``a`` and ``b`` broadcast to one batch shape (their last two axes kept)."""
  jnp = _jnp()
  batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
  return (jnp.broadcast_to(a, batch + a.shape[-2:]), jnp.broadcast_to(b, batch + b.shape[-2:]))


def solve(a, b):
  """Solves ``a @ x = b`` for square ``a``; ``b`` is ``(..., n)`` when 1-D, else ``(..., n, k)``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.solve(jnp.array([[2., 0.], [0., 4.]]), jnp.array([2., 2.]))
  Array([1. , 0.5], dtype=float32)
  """
  a, b = _inexact("jnp.linalg.solve", a, b)
  if a.ndim < 2:
    raise ValueError(f"left hand array must be at least two dimensional; got a.shape={a.shape}")
  _square("jnp.linalg.solve", a)
  if (b.ndim > 1 and a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1]
      and a.shape[-1] != b.shape[-2]):
    raise ValueError(f"Invalid shapes for solve: {a.shape}, {b.shape}. Prior to JAX v0.5.0, "
                     "this would have been treated as a batched 1-dimensional solve. To "
                     "recover this behavior, use solve(a, b[..., None]).squeeze(-1).")
  vector = b.ndim == 1
  if vector:
    b = b[:, None]
  if b.shape[-2] != a.shape[-1]:
    raise ValueError(f"solve: the rows of b must match a's size, got a.shape={a.shape} "
                     f"and b.shape={b.shape if not vector else b.shape[:-1]}.")
  a, b = _broadcast_batch(a, b)
  x = lu_solve_square(a, b)
  return x[..., 0] if vector else x


@library_jit
def inv(a):
  """Inverse of square matrices (via an LU solve against the identity).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.inv(jnp.array([[2., 0.], [0., 4.]]))
  Array([[0.5 , 0.  ],
         [0.  , 0.25]], dtype=float32)
  """
  jnp = _jnp()
  a, = _inexact("jnp.linalg.inv", a)
  _square("jnp.linalg.inv", a)
  eye = jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
  return lu_solve_square(a, eye)


def _lu_diag_parity(a):
  jnp = _jnp()
  lu_val, pivots, _ = lax_linalg.lu(a)
  diag = jnp.diagonal(lu_val, axis1=-2, axis2=-1)
  swaps = jnp.count_nonzero(pivots != jnp.arange(a.shape[-1], dtype=pivots.dtype), axis=-1)
  parity = swaps % 2
  return diag, parity


@library_jit
def det(a):
  """Determinant of square matrices (closed forms up to 3x3, else LU).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.det(jnp.array([[1., 2.], [3., 4.]]))
  Array(-2., dtype=float32)
  """
  jnp = _jnp()
  a, = _inexact("jnp.linalg.det", a)
  _square("jnp.linalg.det", a)
  n = a.shape[-1]
  # Closed forms stay differentiable at singular matrices.
  if n == 0:
    return jnp.ones(a.shape[:-2], a.dtype)
  if n == 1:
    return a[..., 0, 0]
  if n == 2:
    return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]
  if n == 3:
    return (a[..., 0, 0] * (a[..., 1, 1] * a[..., 2, 2] - a[..., 1, 2] * a[..., 2, 1])
            - a[..., 0, 1] * (a[..., 1, 0] * a[..., 2, 2] - a[..., 1, 2] * a[..., 2, 0])
            + a[..., 0, 2] * (a[..., 1, 0] * a[..., 2, 1] - a[..., 1, 1] * a[..., 2, 0]))
  diag, parity = _lu_diag_parity(a)
  sign = jnp.where(parity == 1, -1, 1).astype(a.dtype)
  return sign * jnp.prod(diag, axis=-1)


@library_jit(static_argnames=('method',))
def slogdet(a, *, method: str | None = None):
  """Sign and natural log of the absolute determinant (LU based).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.slogdet(jnp.array([[2., 0.], [0., -3.]]))
  SlogdetResult(sign=Array(-1., dtype=float32), logabsdet=Array(1.7917595, dtype=float32))
  """
  jnp = _jnp()
  if method not in (None, "lu"):
    raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' "
                     "(`None`).")
  a, = _inexact("jnp.linalg.slogdet", a)
  _square("jnp.linalg.slogdet", a)
  if a.shape[-1] == 0:
    return SlogdetResult(jnp.ones(a.shape[:-2], a.dtype),
                         jnp.zeros(a.shape[:-2], np.finfo(a.dtype).dtype))
  diag, parity = _lu_diag_parity(a)
  is_zero = jnp.any(diag == 0, axis=-1)
  abs_diag = jnp.abs(diag)
  flip = jnp.where(parity == 1, -1, 1).astype(a.dtype)
  if jnp.iscomplexobj(a):
    unit = diag / jnp.where(abs_diag == 0, 1, abs_diag).astype(a.dtype)
    sign = flip * jnp.prod(unit, axis=-1)
  else:
    sign = flip * jnp.prod(jnp.sign(diag), axis=-1)
  logdet = jnp.sum(jnp.log(abs_diag), axis=-1)
  sign = jnp.where(is_zero, jnp.zeros_like(sign), sign)
  logdet = jnp.where(is_zero, -jnp.inf, logdet)
  return SlogdetResult(sign, logdet)


def pinv(a, rtol=None, hermitian: bool = False, *, rcond=None):
  """Moore-Penrose pseudo-inverse, cutting singular values below ``rtol * s_max``
  (``rcond``: the older name of ``rtol``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.pinv(jnp.array([[2., 0.], [0., 0.]]))
  Array([[0.5, 0. ],
         [0. , 0. ]], dtype=float32)
  """
  jnp = _jnp()
  if rcond is not None:
    if rtol is not None:
      raise ValueError("pinv: only one of rtol and rcond may be specified.")
    rtol = rcond
  a, = _inexact("jnp.linalg.pinv", a)
  if a.ndim < 2:
    raise ValueError(f"jnp.linalg.pinv requires an argument of at least 2 dimensions, got "
                     f"shape {a.shape}.")
  m, n = a.shape[-2:]
  if m == 0 or n == 0:
    return jnp.zeros(a.shape[:-2] + (n, m), a.dtype)
  a = jnp.conj(a)
  if rtol is None:
    rtol = 10 * max(m, n) * np.finfo(a.dtype).eps
  u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
  cutoff = jnp.asarray(rtol, s.dtype)[..., None] * s[..., :1]
  s = jnp.where(s > cutoff, s, jnp.inf).astype(u.dtype)
  return jnp.matmul(jnp.swapaxes(vh, -1, -2), jnp.swapaxes(u, -1, -2) / s[..., :, None])


def matrix_power(a, n: int):
  """``a`` raised to the integer power ``n`` (negative powers invert ``a``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.matrix_power(jnp.array([[1., 1.], [0., 1.]]), 3)
  Array([[1., 3.],
         [0., 1.]], dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("jnp.linalg.matrix_power", a)
  a = jnp.asarray(a)
  _square("jnp.linalg.matrix_power", a)
  try:
    n = operator.index(n)
  except TypeError as err:
    raise TypeError(f"exponent must be an integer, got {n}") from err
  if n == 0:
    return jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
  if n < 0:
    a, n = inv(a), -n
  # Binary exponentiation: O(log n) products.
  result, power = None, a
  while n:
    if n & 1:
      result = power if result is None else jnp.matmul(result, power)
    n >>= 1
    if n:
      power = jnp.matmul(power, power)
  return result


@library_jit(static_argnames=('hermitian',))
def matrix_rank(M, rtol=None, *, hermitian: bool = False, tol=None):
  """The number of singular values above ``rtol`` (default ``s_max * max(m, n) * eps``;
  ``tol`` is its older name; ``hermitian`` takes them from ``eigh``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.matrix_rank(jnp.array([[1., 2.], [2., 4.]]))
  Array(1, dtype=int32)
  """
  jnp = _jnp()
  if tol is not None:
    if rtol is not None:
      raise ValueError("matrix_rank: only one of tol or rtol may be specified.")
    rtol = tol
  M, = _inexact("jnp.linalg.matrix_rank", M)
  if M.ndim < 2:
    return jnp.any(M != 0).astype(np.int32)
  s = svd(M, compute_uv=False, hermitian=hermitian)
  if rtol is None:
    rtol = jnp.max(s, axis=-1) * (max(M.shape[-2:]) * np.finfo(s.dtype).eps)
  rtol = jnp.asarray(rtol)[..., None]
  return jnp.sum(s > rtol, axis=-1).astype(np.int32)


def lstsq(a, b, rcond=None, *, numpy_resid: bool = False):
  """Least-squares solution of ``a @ x = b`` by SVD.

  Returns ``(x, residuals, rank, s)``; residuals are ``|b - a x|^2`` per column
  (always, unless ``numpy_resid`` asks for NumPy's empty array when rank-deficient).

  >>> import jaxlite.numpy as jnp
  >>> x, resid, rank, s = jnp.linalg.lstsq(jnp.array([[1., 0.], [0., 1.], [0., 0.]]),
  ...                                      jnp.array([1., 2., 3.]))
  >>> x
  Array([1., 2.], dtype=float32)
  """
  jnp = _jnp()
  a, b = _inexact("jnp.linalg.lstsq", a, b)
  if a.ndim != 2:
    raise TypeError(f"{a.ndim}-dimensional array given. Array must be two-dimensional")
  if b.ndim not in (1, 2):
    raise TypeError(f"{b.ndim}-dimensional array given. Array must be one or "
                    "two-dimensional")
  if b.shape[0] != a.shape[0]:
    raise ValueError(f"Incompatible dimensions for lstsq: a.shape={a.shape}, "
                     f"b.shape={b.shape}.")
  vector = b.ndim == 1
  if vector:
    b = b[:, None]
  m, n = a.shape
  dtype = a.dtype
  real = np.finfo(dtype).dtype
  if a.size == 0:
    s = jnp.zeros(0, real)
    u, vh = jnp.zeros((m, 0), dtype), jnp.zeros((0, n), dtype)
  else:
    u, s, vh = svd(a, full_matrices=False)
  eps = np.finfo(dtype).eps
  if rcond is None:
    rcond = eps * max(m, n)
  else:
    rcond = jnp.where(jnp.asarray(rcond) < 0, eps, rcond)
  top = s[0] if s.shape[0] else jnp.zeros((), real)
  mask = s >= jnp.asarray(rcond, real) * top
  rank = jnp.sum(mask).astype(np.int32)
  safe_s = jnp.where(mask, s, 1)
  s_inv = jnp.where(mask, 1 / safe_s, 0).astype(dtype)[:, None]
  x = jnp.matmul(_H(vh), s_inv * jnp.matmul(_H(u), b))
  if numpy_resid and (rank < n or m <= n):
    resid = jnp.zeros(0, real)
  else:
    resid = jnp.sum(jnp.abs(b - jnp.matmul(a, x)) ** 2, axis=0).astype(real)
  if vector:
    x = x[:, 0]
  return x, resid, rank, s


@library_jit(static_argnames=('p',))
def cond(x, p=None):
  """Condition number ``|x| |x^-1|`` in the norm ``p`` (2-norm by default, via the SVD).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.cond(jnp.array([[2., 0.], [0., 1.]]))
  Array(2., dtype=float32)
  """
  jnp = _jnp()
  x, = _inexact("jnp.linalg.cond", x)
  if x.ndim < 2:
    raise ValueError(f"jnp.linalg.cond requires an argument of at least 2 dimensions, got "
                     f"shape {x.shape}.")
  if p is None or p == 2:
    s = svd(x, compute_uv=False)
    return s[..., 0] / s[..., -1]
  if p == -2:
    s = svd(x, compute_uv=False)
    return s[..., -1] / s[..., 0]
  _square("jnp.linalg.cond", x)
  r = norm(x, ord=p, axis=(-2, -1)) * norm(inv(x), ord=p, axis=(-2, -1))
  # A singular matrix (NaNs from its inverse) has an infinite condition number.
  return jnp.where(jnp.isnan(r) & ~jnp.any(jnp.isnan(x), axis=(-2, -1)), jnp.inf, r)


def tensorinv(a, ind: int = 2):
  """Inverse of a tensor seen as a matrix of its first ``ind`` and remaining axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.tensorinv(2 * jnp.eye(4).reshape(4, 2, 2), ind=1).shape
  (2, 2, 4)
  """
  jnp = _jnp()
  check_arraylike("jnp.linalg.tensorinv", a)
  a = jnp.asarray(a)
  ind = operator.index(ind)
  if ind <= 0:
    raise ValueError(f"ind must be a positive integer, got {ind}.")
  out_shape, in_shape = a.shape[:ind], a.shape[ind:]
  rows, cols = int(np.prod(out_shape)), int(np.prod(in_shape))
  if rows != cols:
    raise ValueError(f"tensorinv: the first {ind} axes of a (shape {a.shape}) must have "
                     f"as many elements as the rest ({rows} != {cols}).")
  return inv(a.reshape(rows, cols)).reshape(in_shape + out_shape)


def tensorsolve(a, b, axes=None):
  """Solves ``tensordot(a, x, x.ndim) = b`` for ``x``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.tensorsolve(2 * jnp.eye(4).reshape(2, 2, 4), jnp.ones((2, 2))).shape
  (4,)
  """
  jnp = _jnp()
  a, b = _inexact("jnp.linalg.tensorsolve", a, b)
  if axes is not None:
    axes = [ax % a.ndim for ax in axes]
    rest = [i for i in range(a.ndim) if i not in axes]
    a = jnp.transpose(a, rest + axes)
  out_shape = a.shape[b.ndim:]
  if a.shape[:b.ndim] != b.shape:
    raise ValueError(f"tensorsolve: leading dimensions of a {a.shape} must equal the shape "
                     f"of b {b.shape}.")
  rows, cols = int(np.prod(b.shape)), int(np.prod(out_shape))
  if rows != cols:
    raise ValueError(f"tensorsolve: a of shape {a.shape} is not square as a matrix "
                     f"({rows} x {cols}).")
  return solve(a.reshape(rows, cols), b.reshape(rows)).reshape(out_shape)


# --- norms ----------------------------------------------------------------------------------------


def _vector_norm(x, ord, axis, keepdims):
  jnp = _jnp()
  if isinstance(ord, str):
    raise ValueError(f"Invalid order '{ord}' for vector norm.")
  if ord is None or ord == 2:
    return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x)), axis=axis, keepdims=keepdims))
  ax = jnp.abs(x)
  if ord == np.inf:
    return jnp.max(ax, axis=axis, keepdims=keepdims)
  if ord == -np.inf:
    return jnp.min(ax, axis=axis, keepdims=keepdims)
  if ord == 0:
    return jnp.sum(ax != 0, axis=axis, keepdims=keepdims).astype(ax.dtype)
  if ord == 1:
    return jnp.sum(ax, axis=axis, keepdims=keepdims)
  p = jnp.asarray(ord, ax.dtype)
  return jnp.sum(ax ** p, axis=axis, keepdims=keepdims) ** (1 / p)


def _matrix_norm(x, ord, axis, keepdims):
  jnp = _jnp()
  row, col = axis
  if row == col:
    raise ValueError(f"Duplicate axes given: {axis}.")
  if ord is None or ord in ("f", "fro"):
    return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x)), axis=axis, keepdims=keepdims))
  ax = jnp.abs(x)
  if ord in (1, -1):
    red = jnp.max if ord == 1 else jnp.min
    out = red(jnp.sum(ax, axis=row, keepdims=True), axis=col, keepdims=True)
  elif ord in (np.inf, -np.inf):
    red = jnp.max if ord == np.inf else jnp.min
    out = red(jnp.sum(ax, axis=col, keepdims=True), axis=row, keepdims=True)
  elif ord in ("nuc", 2, -2):
    s = svd(jnp.moveaxis(x, (row, col), (-2, -1)), compute_uv=False)
    out = {"nuc": lambda: jnp.sum(s, axis=-1), 2: lambda: jnp.max(s, axis=-1),
           -2: lambda: jnp.min(s, axis=-1)}[ord]()
    return jnp.expand_dims(out, sorted((row, col))) if keepdims else out
  else:
    raise ValueError(f"Invalid order '{ord}' for matrix norm.")
  return out if keepdims else jnp.squeeze(out, axis=(row, col))


@library_jit(static_argnames=("ord", "axis", "keepdims"))
def norm(x, ord=None, axis=None, keepdims: bool = False):
  """Vector or matrix norm (NumPy's ``ord`` values; ``axis`` an int or a pair).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.norm(jnp.array([3., 4.]))
  Array(5., dtype=float32)
  """
  jnp = _jnp()
  x, = _inexact("jnp.linalg.norm", x)
  if axis is None:
    if ord is None:
      out = jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x))))
      return jnp.reshape(out, (1,) * x.ndim) if keepdims else out
    axis = tuple(range(x.ndim))
  elif isinstance(axis, (tuple, list)):
    axis = tuple(operator.index(a) for a in axis)
  else:
    axis = (operator.index(axis),)
  for a in axis:
    if not -x.ndim <= a < x.ndim:
      raise ValueError(f"axis {a} is out of bounds for array of dimension {x.ndim}")
  axis = tuple(a % x.ndim for a in axis)
  if len(axis) == 1:
    return _vector_norm(x, ord, axis, keepdims)
  if len(axis) == 2:
    return _matrix_norm(x, ord, axis, keepdims)
  raise ValueError(f"Improper number of axes for norm: axis={axis}. Pass one axis to compute "
                   "a vector-norm, or two axes to compute a matrix-norm.")


def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord=2):
  """Vector norm over ``axis`` (all axes, flattened, by default).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.vector_norm(jnp.array([[3., 0.], [0., 4.]]))
  Array(5., dtype=float32)
  """
  jnp = _jnp()
  x, = _inexact("jnp.linalg.vector_norm", x)
  if axis is None:
    out = _vector_norm(x.ravel(), ord, (0,), False)
    return jnp.reshape(out, (1,) * x.ndim) if keepdims else out
  axis = tuple(a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
  return _vector_norm(x, ord, axis, keepdims)


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro"):
  """Matrix norm over the last two axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.matrix_norm(jnp.array([[1., -2.], [3., 0.]]), ord=1)
  Array(4., dtype=float32)
  """
  return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


# --- products and views ---------------------------------------------------------------------


def matrix_transpose(x, /):
  """Swaps the last two axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.matrix_transpose(jnp.ones((2, 3))).shape
  (3, 2)
  """
  jnp = _jnp()
  x = jnp.asarray(x)
  if x.ndim < 2:
    raise ValueError(f"matrix_transpose requires at least 2 dimensions; got x.ndim={x.ndim}")
  return jnp.swapaxes(x, -1, -2)


def matmul(x1, x2, /, *, precision=None, preferred_element_type=None):
  """``jnp.matmul`` (the array API's ``linalg.matmul``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.matmul(jnp.eye(2), jnp.ones(2))
  Array([1., 1.], dtype=float32)
  """
  return _jnp().matmul(x1, x2, precision=precision,
                       preferred_element_type=preferred_element_type)


def tensordot(x1, x2, /, *, axes=2, precision=None, preferred_element_type=None,
              out_sharding=None):
  """``jnp.tensordot`` (the array API's ``linalg.tensordot``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.tensordot(jnp.ones((2, 3)), jnp.ones((3, 2)), axes=1).shape
  (2, 2)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: tensordot(x1, x2, axes=axes, precision=precision,
                                           preferred_element_type=preferred_element_type),
                         out_sharding, "jnp.linalg.tensordot")
  return _jnp().tensordot(x1, x2, axes=axes, precision=precision,
                          preferred_element_type=preferred_element_type)


def outer(x1, x2, /):
  """Outer product of two vectors.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.outer(jnp.array([1., 2.]), jnp.array([3., 4.]))
  Array([[3., 4.],
         [6., 8.]], dtype=float32)
  """
  jnp = _jnp()
  x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
  if x1.ndim != 1 or x2.ndim != 1:
    raise ValueError(f"Input arrays must be one-dimensional, but they are x1.ndim={x1.ndim} "
                     f"and x2.ndim={x2.ndim}")
  return x1[:, None] * x2[None, :]


def cross(x1, x2, /, *, axis=-1):
  """Cross product of 3-vectors along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.cross(jnp.array([1., 0., 0.]), jnp.array([0., 1., 0.]))
  Array([0., 0., 1.], dtype=float32)
  """
  jnp = _jnp()
  x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
  if x1.shape[axis] != 3 or x2.shape[axis] != 3:
    raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, but they "
                     f"have x1.shape[axis]={x1.shape[axis]} and "
                     f"x2.shape[axis]={x2.shape[axis]}")
  return jnp.cross(x1, x2, axis=axis)


def vecdot(x1, x2, /, *, axis: int = -1, precision=None, preferred_element_type=None):
  """``sum(conj(x1) * x2, axis)``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.vecdot(jnp.array([1., 2.]), jnp.array([3., 4.]))
  Array(11., dtype=float32)
  """
  jnp = _jnp()
  x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
  if x1.shape[axis] != x2.shape[axis]:
    raise ValueError(f"x1 and x2 must have the same size along axis={axis}; got "
                     f"x1.shape={x1.shape}, x2.shape={x2.shape}")
  return jnp.sum(jnp.conj(x1) * x2, axis=axis)


def trace(x, /, *, offset: int = 0, dtype=None):
  """Sum of the ``offset`` diagonal of the last two axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.trace(jnp.eye(3))
  Array(3., dtype=float32)
  """
  return _jnp().trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


def diagonal(x, /, *, offset: int = 0):
  """The ``offset`` diagonal of the last two axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.diagonal(jnp.eye(2))
  Array([1., 1.], dtype=float32)
  """
  return _jnp().diagonal(x, offset=offset, axis1=-2, axis2=-1)


def multi_dot(arrays, *, precision=None):
  """The product of a chain of matrices (first and last may be vectors).

  >>> import jaxlite.numpy as jnp
  >>> jnp.linalg.multi_dot([jnp.ones(2), jnp.eye(2), jnp.ones(2)])
  Array(2., dtype=float32)
  """
  jnp = _jnp()
  arrays = [jnp.asarray(a) for a in arrays]
  if len(arrays) < 2:
    raise ValueError(f"multi_dot requires at least two arrays, got {len(arrays)}.")
  for i, a in enumerate(arrays):
    ok = a.ndim == 2 or (a.ndim == 1 and i in (0, len(arrays) - 1))
    if not ok:
      raise ValueError(f"multi_dot: array {i} has {a.ndim} dimensions; the first and last "
                       "may be 1-D, the others must be 2-D.")
  # Cheapest association by dynamic programming over the chain (as NumPy does).
  first_vec, last_vec = arrays[0].ndim == 1, arrays[-1].ndim == 1
  mats = [arrays[0][None, :] if first_vec else arrays[0]] + arrays[1:-1] + \
      [arrays[-1][:, None] if last_vec else arrays[-1]]
  dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
  n = len(mats)
  cost = [[0] * n for _ in range(n)]
  split = [[0] * n for _ in range(n)]
  for length in range(1, n):
    for i in range(n - length):
      j = i + length
      cost[i][j] = None
      for k in range(i, j):
        c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
        if cost[i][j] is None or c < cost[i][j]:
          cost[i][j], split[i][j] = c, k

  def chain(i, j):
    if i == j:
      return mats[i]
    k = split[i][j]
    return jnp.matmul(chain(i, k), chain(k + 1, j), precision=precision)
  out = chain(0, n - 1)
  if first_vec:
    out = out[0]
  if last_vec:
    out = out[..., 0]
  return out
