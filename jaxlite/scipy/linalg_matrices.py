"""``scipy.linalg``'s special-matrix constructors (Toeplitz, Hankel, Pascal ...).

Constructors taking arrays build batches of matrices from the last axis; the
ones taking a size ``n`` return one matrix in the default float dtype (JAX
computes Pascal and inverse-Hilbert entries in floating point, so do we).

  >>> import jaxlite.numpy as jnp
  >>> toeplitz(jnp.array([1, 2, 3]))
  Array([[1, 2, 3],
         [2, 1, 2],
         [3, 2, 1]], dtype=int32)
"""
from __future__ import annotations

import math
import operator

import numpy as np

from jaxlite import lax
from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact

__all__ = ['circulant', 'companion', 'convolution_matrix', 'dft', 'fiedler',
           'fiedler_companion', 'hadamard', 'hankel', 'helmert', 'hilbert', 'invhilbert',
           'invpascal', 'leslie', 'pascal', 'toeplitz']


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def _from_elements(elems, rows, cols, sign):
  """``elems[..., r(i, j)]`` with ``r = i + j`` (Hankel, sign +1) or
  ``r = rows - 1 - i + j`` (Toeplitz, sign -1): a gather of constant indices."""
  jnp = _jnp()
  i = np.arange(rows)[:, None]
  j = np.arange(cols)[None, :]
  idx = i + j if sign > 0 else rows - 1 - i + j
  return jnp.take(elems, jnp.asarray(idx.astype(np.int32)), axis=-1)


def _batch_pair(c, r):
  jnp = _jnp()
  batch = np.broadcast_shapes(c.shape[:-1], r.shape[:-1])
  return (jnp.broadcast_to(c, batch + c.shape[-1:]), jnp.broadcast_to(r, batch + r.shape[-1:]))


def toeplitz(c, r=None):
  """Toeplitz matrix with first column ``c`` and first row ``r`` (``r[0]`` ignored);
  ``r`` defaults to ``conj(c)``.

  >>> import jaxlite.numpy as jnp
  >>> toeplitz(jnp.array([1, 2]), jnp.array([1, 5, 6]))
  Array([[1, 5, 6],
         [2, 1, 5]], dtype=int32)
  """
  jnp = _jnp()
  if r is None:
    check_arraylike("toeplitz", c)
    r = jnp.conjugate(jnp.asarray(c))
  else:
    check_arraylike("toeplitz", c, r)
  c, r = jnp.atleast_1d(jnp.asarray(c)), jnp.atleast_1d(jnp.asarray(r))
  dtype = jnp.promote_types(c.dtype, r.dtype)
  c, r = _batch_pair(c.astype(dtype), r.astype(dtype))
  rows, cols = c.shape[-1], r.shape[-1]
  if rows == 0 or cols == 0:
    return jnp.zeros(c.shape[:-1] + (rows, cols), dtype)
  elems = jnp.concatenate([jnp.flip(c, -1), r[..., 1:]], axis=-1)
  return _from_elements(elems, rows, cols, -1)


def hankel(c, r=None):
  """Hankel matrix ``H[i, j] = v[i + j]``, ``v = concatenate([c, r[1:]])``;
  ``r`` defaults to zeros.

  >>> import jaxlite.numpy as jnp
  >>> hankel(jnp.array([1, 2, 3]))
  Array([[1, 2, 3],
         [2, 3, 0],
         [3, 0, 0]], dtype=int32)
  """
  jnp = _jnp()
  if r is None:
    check_arraylike("hankel", c)
    c = jnp.asarray(c)
    r = jnp.zeros_like(c)
  else:
    check_arraylike("hankel", c, r)
    c, r = jnp.asarray(c), jnp.asarray(r)
  if c.ndim == 0:
    raise ValueError("hankel: c must be at least 1-dimensional, got a scalar.")
  if r.ndim == 0:
    raise ValueError("hankel: r must be at least 1-dimensional, got a scalar.")
  dtype = jnp.result_type(c, r)
  c, r = _batch_pair(c.astype(dtype), r.astype(dtype))
  rows, cols = c.shape[-1], r.shape[-1]
  if rows == 0 or cols == 0:
    return jnp.zeros(c.shape[:-1] + (rows, cols), dtype)
  return _from_elements(jnp.concatenate([c, r[..., 1:]], axis=-1), rows, cols, +1)


def circulant(c):
  """Circulant matrix ``A[i, j] = c[(i - j) % n]``.

  >>> import jaxlite.numpy as jnp
  >>> circulant(jnp.array([1, 2, 3]))
  Array([[1, 3, 2],
         [2, 1, 3],
         [3, 2, 1]], dtype=int32)
  """
  jnp = _jnp()
  check_arraylike("circulant", c)
  c = jnp.atleast_1d(jnp.asarray(c))
  n = c.shape[-1]
  idx = (np.arange(n)[:, None] - np.arange(n)[None, :]) % max(n, 1)
  return jnp.take(c, jnp.asarray(idx.astype(np.int32)), axis=-1)


def leslie(f, s):
  """Leslie matrix: fecundities ``f`` in the first row, survivals ``s`` below the diagonal.

  >>> import jaxlite.numpy as jnp
  >>> leslie(jnp.array([1., 2.]), jnp.array([.5]))
  Array([[1. , 2. ],
         [0.5, 0. ]], dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("leslie", f, s)
  f, s = jnp.atleast_1d(f), jnp.atleast_1d(s)
  if f.shape[-1] < 2:
    raise ValueError("The length of f along the last axis must be at least 2; "
                     f"got shape {f.shape}.")
  if s.shape[-1] != f.shape[-1] - 1:
    raise ValueError("Incorrect lengths for f and s. The length of s along the last axis "
                     f"must be one less than the length of f; got f shape {f.shape} "
                     f"and s shape {s.shape}.")
  dtype = jnp.result_type(f, s)
  n = f.shape[-1]
  batch = np.broadcast_shapes(f.shape[:-1], s.shape[:-1])
  f = jnp.broadcast_to(f.astype(dtype), batch + (n,))
  s = jnp.broadcast_to(s.astype(dtype), batch + (n - 1,))
  sub = jnp.zeros(batch + (n - 1, n), dtype)
  sub = sub + s[..., :, None] * jnp.eye(n - 1, n, dtype=dtype)
  return jnp.concatenate([f[..., None, :], sub], axis=-2)


def companion(a):
  """Companion matrix of the polynomial with coefficients ``a`` (highest first).

  >>> import jaxlite.numpy as jnp
  >>> companion(jnp.array([1., -10., 31., -30.]))
  Array([[ 10., -31.,  30.],
         [  1.,   0.,   0.],
         [  0.,   1.,   0.]], dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("companion", a)
  a, = promote_dtypes_inexact(jnp.asarray(a))
  a = jnp.atleast_1d(a)
  if a.shape[-1] < 2:
    raise ValueError("The length of `a` along the last axis must be at least 2; "
                     f"got shape {a.shape}.")
  first = -a[..., 1:] / a[..., :1]
  m = a.shape[-1] - 1
  below = jnp.broadcast_to(jnp.eye(m - 1, m, dtype=a.dtype), a.shape[:-1] + (m - 1, m))
  return jnp.concatenate([first[..., None, :], below], axis=-2)


def fiedler(a):
  """Symmetric Fiedler matrix ``F[i, j] = |a[i] - a[j]|``.

  >>> import jaxlite.numpy as jnp
  >>> fiedler(jnp.array([1, 4]))
  Array([[0, 3],
         [3, 0]], dtype=int32)
  """
  jnp = _jnp()
  check_arraylike("fiedler", a)
  a = jnp.atleast_1d(jnp.asarray(a))
  return jnp.abs(a[..., :, None] - a[..., None, :])


def fiedler_companion(a):
  """Fiedler companion matrix (pentadiagonal, eigenvalues = roots of ``a``).

  >>> import jaxlite.numpy as jnp
  >>> fiedler_companion(jnp.array([1., -16., 86., -176., 105.]))
  Array([[  16.,  -86.,    1.,    0.],
         [   1.,    0.,    0.,    0.],
         [   0.,  176.,    0., -105.],
         [   0.,    1.,    0.,    0.]], dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("fiedler_companion", a)
  a, = promote_dtypes_inexact(jnp.asarray(a))
  a = jnp.atleast_1d(a)
  if a.shape[-1] == 0:
    raise ValueError("fiedler_companion requires the last axis of 'a' to have nonzero "
                     f"length, but got an array of shape {a.shape}.")
  n = a.shape[-1] - 1
  batch = a.shape[:-1]
  if n == 0:
    return jnp.zeros(batch + (0, 0), a.dtype)
  a = a / a[..., :1]
  if n == 1:
    return -a[..., 1:, None]
  # Each entry is either 0, 1 or -a[k] for a k fixed by its position: build the
  # index and selector tables on the host, then one gather and one select.
  sel = np.zeros((n, n), np.int8)      # 0: zero, 1: one, 2: -a[k]
  k = np.zeros((n, n), np.int32)
  sel[0, 0], k[0, 0], sel[1, 0] = 2, 1, 1
  for i in range(0, n, 2):
    if i + 1 < n:
      sel[i, i + 1], k[i, i + 1] = 2, i + 2
    if i + 2 < n:
      sel[i, i + 2] = 1
    if i >= 2:
      sel[i, i - 1], k[i, i - 1] = 2, i + 1
  for i in range(3, n, 2):
    sel[i, i - 2] = 1
  vals = -jnp.take(a, jnp.asarray(k), axis=-1)
  one = jnp.ones((), a.dtype)
  return jnp.where(jnp.asarray(sel == 2), vals,
                   jnp.where(jnp.asarray(sel == 1), one, jnp.zeros((), a.dtype)))


def convolution_matrix(a, n: int, mode: str = 'full'):
  """Toeplitz matrix ``A`` with ``A @ v == jnp.convolve(a, v, mode)`` for ``len(v) == n``.

  >>> import jaxlite.numpy as jnp
  >>> convolution_matrix(jnp.array([1, 2]), 2)
  Array([[1, 0],
         [2, 1],
         [0, 2]], dtype=int32)
  """
  jnp = _jnp()
  n = operator.index(n)
  if n <= 0:
    raise ValueError(f"n must be a positive integer; got {n}.")
  check_arraylike("convolution_matrix", a)
  a = jnp.asarray(a)
  if a.ndim == 0:
    raise ValueError("convolution_matrix: a must be at least 1-dimensional, got a scalar.")
  m = a.shape[-1]
  if m < 1:
    raise ValueError(f"len(a) must be at least 1; got shape {a.shape}.")
  if mode not in ('full', 'valid', 'same'):
    raise ValueError(f"mode must be one of 'full', 'valid', 'same'; got {mode!r}.")
  pad = [(0, 0)] * (a.ndim - 1) + [(0, n - 1)]
  padded = jnp.pad(a, pad)
  padded_rev = jnp.pad(jnp.flip(a, -1), pad)
  total = m + n - 1
  if mode == 'same':
    trim = min(n, m) - 1
    start, stop = trim // 2, trim - trim // 2
  elif mode == 'valid':
    start = stop = min(n, m) - 1
  else:
    start = stop = 0
  col = padded[..., start:total - stop]
  row = padded_rev[..., total - n - start:total - start]
  return toeplitz(col, row)


def _float_dtype():
  from jaxlite import dtypes
  return dtypes.default_float_dtype()


def hilbert(n: int):
  """Hilbert matrix ``H[i, j] = 1 / (i + j + 1)``.

  >>> hilbert(2)
  Array([[1.        , 0.5       ],
         [0.5       , 0.33333334]], dtype=float32)
  """
  jnp = _jnp()
  a = jnp.arange(n, dtype=_float_dtype())
  return 1 / (a[:, None] + a[None, :] + 1)


def _binom(n, k):
  """Binomial coefficients through log-gamma, as JAX computes them."""
  return lax.exp(lax.lgamma(n + 1.0) - lax.lgamma(n - k + 1.0) - lax.lgamma(k + 1.0))


def invhilbert(n: int):
  """Inverse of ``hilbert(n)`` from its closed form (floating point).

  >>> invhilbert(2)
  Array([[ 4., -6.],
         [-6., 12.]], dtype=float32)
  """
  from jaxlite.scipy.special import comb
  jnp = _jnp()
  a = jnp.arange(n, dtype=_float_dtype())
  i, j = a[:, None], a[None, :]
  s = i + j
  return ((-1.0) ** s * (s + 1.0) * comb(n + i, n - j - 1) * comb(n + j, n - i - 1)
          * comb(s, i) ** 2)


def _pascal_kind(kind):
  kind = "symmetric" if kind is None else kind
  valid = ["symmetric", "lower", "upper"]
  if kind not in valid:
    raise ValueError(f"Expected kind to be one of: {valid}; got {kind}")
  return kind


def pascal(n: int, kind: str | None = None):
  """Pascal matrix (binomial coefficients), 'symmetric', 'lower' or 'upper'.

  >>> pascal(3, kind='lower')
  Array([[1., 0., 0.],
         [1., 1., 0.],
         [1., 2., 1.]], dtype=float32)
  """
  jnp = _jnp()
  kind = _pascal_kind(kind)
  a = jnp.arange(n, dtype=np.float32)
  lower = _binom(a[:, None], a[None, :])
  if kind == "lower":
    return lower
  if kind == "upper":
    return lower.T
  return jnp.dot(lower, lower.T)


def invpascal(n: int, kind: str | None = None):
  """Inverse of ``pascal(n, kind)`` from its closed form.

  >>> invpascal(2, kind='lower')
  Array([[ 1., -0.],
         [-1.,  1.]], dtype=float32)
  """
  jnp = _jnp()
  kind = _pascal_kind(kind)
  a = jnp.arange(n, dtype=_float_dtype())
  i, j = a[:, None], a[None, :]
  lower = ((-1.0) ** (i - j)) * _binom(i, j)
  if kind == "lower":
    return lower
  if kind == "upper":
    return lower.T
  return jnp.dot(lower.T, lower)


def helmert(n: int, full: bool = False):
  """Helmert matrix: orthonormal contrast rows (plus the mean row if ``full``).

  >>> helmert(2)
  Array([[ 0.70710677, -0.70710677]], dtype=float32)
  """
  jnp = _jnp()
  if n < 1:
    raise ValueError(f"n must be a positive integer; got {n}.")
  i = jnp.arange(n - 1)[:, None]
  j = jnp.arange(n)[None, :]
  k = (i + 1).astype(_float_dtype())
  denom = jnp.sqrt(k * (k + 1))
  h = jnp.where(j <= i, 1.0 / denom, jnp.where(j == i + 1, -k / denom, jnp.zeros_like(denom)))
  if full:
    h = jnp.concatenate([jnp.full((1, n), 1.0 / jnp.sqrt(n), dtype=h.dtype), h], axis=0)
  return h


def hadamard(n: int, dtype=int):
  """Sylvester's Hadamard matrix of order ``n`` (a power of 2).

  >>> hadamard(2)
  Array([[ 1,  1],
         [ 1, -1]], dtype=int32)
  """
  jnp = _jnp()
  if n < 1 or not math.log2(n).is_integer():
    raise ValueError(f"n must be a positive power of 2; got {n}.")
  h = jnp.ones((1, 1), dtype=dtype)
  for _ in range(int(math.log2(n))):
    h = jnp.block([[h, h], [h, -h]])
  return h


def dft(n: int, scale: str | None = None, *, dtype=None):
  """Discrete Fourier transform matrix ``W[i, j] = exp(-2 pi i j / n)`` (scaled by
  ``1/sqrt(n)`` or ``1/n``).

  >>> dft(2)
  Array([[ 1.+0.j,  1.+0.j],
         [ 1.+0.j, -1.+0.j]], dtype=complex64)
  """
  from jaxlite import dtypes
  jnp = _jnp()
  if scale is not None and scale not in ('sqrtn', 'n'):
    raise ValueError(f"scale must be None, 'sqrtn', or 'n'; got {scale!r}.")
  if dtype is None:
    dtype = dtypes.default_complex_dtype()
  else:
    dtype = dtypes.canonicalize_dtype(dtype)
    if not np.issubdtype(dtype, np.complexfloating):
      raise ValueError(f"dtype must be a complex floating-point type; got {dtype}.")
  a = jnp.arange(n, dtype=dtype)
  w = jnp.exp(-2j * np.pi * a[:, None] * a[None, :] / n)
  if scale == 'sqrtn':
    w = w / jnp.sqrt(n)
  elif scale == 'n':
    w = w / n
  return w
