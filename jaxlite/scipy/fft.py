"""``jaxlite.scipy.fft``: discrete cosine transforms (type 2) on XLA's FFT.

A length-``N`` DCT-II is one length-``N`` complex FFT of the even samples
followed by the reversed odd ones, times a quarter-wave twiddle (Makhoul's
method); its inverse undoes each step. ``norm`` is None/'backward' or 'ortho'.

  >>> import jaxlite.numpy as jnp
  >>> dct(jnp.array([1., 2., 3.]))
  Array([12.       , -3.4641016,  0.       ], dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact

__all__ = ['dct', 'dctn', 'idct', 'idctn']


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def _check(name, x, type, norm):
  check_arraylike(name, x)
  if type != 2:
    raise NotImplementedError('Only DCT type 2 is implemented.')
  if norm is not None and norm not in ['backward', 'ortho']:
    raise ValueError(f"jax.scipy.fft.{name}: norm={norm!r} is not implemented")
  x, = promote_dtypes_inexact(_jnp().asarray(x))
  return x


def _resize(x, n, axis):
  """``x`` zero-padded (or truncated) to length ``n`` along ``axis``."""
  jnp = _jnp()
  if n is None or n == x.shape[axis]:
    return x
  if n < x.shape[axis]:
    return jnp.take(x, jnp.arange(n), axis=axis)
  pad = [(0, 0)] * x.ndim
  pad[axis] = (0, n - x.shape[axis])
  return jnp.pad(x, pad)


def _along(v, axis, ndim):
  """1-D ``v`` shaped to broadcast along ``axis``."""
  shape = [1] * ndim
  shape[axis] = v.shape[0]
  return v.reshape(shape)


def _ortho_scale(n, dtype):
  """Per-frequency factors turning the backward DCT-II into the orthonormal one."""
  f = np.full(n, 1 / np.sqrt(2 * n))
  f[0] = 1 / np.sqrt(4 * n)
  return f.astype(dtype)


def _split_complex(fn, x, *args):
  from jaxlite import lax
  if np.issubdtype(x.dtype, np.complexfloating):
    return lax.complex(fn(x.real, *args), fn(x.imag, *args))
  return None


def _dct1(x, n, axis, norm):
  jnp = _jnp()
  out = _split_complex(_dct1, x, n, axis, norm)
  if out is not None:
    return out
  x = _resize(x, n, axis)
  N = x.shape[axis]
  even = jnp.take(x, jnp.arange(0, N, 2), axis=axis)
  odd = jnp.flip(jnp.take(x, jnp.arange(1, N, 2), axis=axis), axis=axis)
  spectrum = jnp.fft.fft(jnp.concatenate([even, odd], axis=axis), axis=axis)
  k = np.arange(N)
  twiddle = _along(jnp.asarray(np.exp(-0.5j * np.pi * k / N).astype(spectrum.dtype)), axis,
                   x.ndim)
  out = 2 * (spectrum * twiddle).real
  if norm == 'ortho':
    out = out * _along(jnp.asarray(_ortho_scale(N, out.dtype)), axis, x.ndim)
  return out


def _idct1(x, n, axis, norm):
  jnp = _jnp()
  out = _split_complex(_idct1, x, n, axis, norm)
  if out is not None:
    return out
  x = _resize(x, n, axis)
  N = x.shape[axis]
  if norm == 'ortho':        # back to the backward convention first
    x = x / _along(jnp.asarray(_ortho_scale(N, x.dtype)), axis, x.ndim)
  # V_k = (X_k - i X_{N-k}) e^{i pi k / 2N} / 2 (X_N = 0) is the FFT of the interleaved signal.
  shifted = jnp.concatenate([jnp.zeros_like(jnp.take(x, jnp.arange(1), axis=axis)),
                             jnp.flip(jnp.take(x, jnp.arange(1, N), axis=axis), axis=axis)],
                            axis=axis)
  k = np.arange(N)
  cdt = np.result_type(x.dtype, np.complex64)
  twiddle = _along(jnp.asarray(np.exp(0.5j * np.pi * k / N).astype(cdt)), axis, x.ndim)
  spectrum = (x - 1j * shifted) * twiddle / 2
  v = jnp.fft.ifft(spectrum, axis=axis).real
  # Undo the interleave: x[2m] = v[m], x[2m + 1] = v[N - 1 - m].
  order = np.empty(N, np.int32)
  order[0::2] = np.arange((N + 1) // 2)
  order[1::2] = N - 1 - np.arange(N // 2)
  return jnp.take(v, jnp.asarray(order), axis=axis)


def dct(x, type: int = 2, n: int | None = None, axis: int = -1, norm: str | None = None):
  """Discrete cosine transform (type 2) along ``axis``, zero-padded/truncated to ``n``.

  >>> import jaxlite.numpy as jnp
  >>> dct(jnp.array([1., 1.]), norm='ortho')
  Array([1.4142135, 0.       ], dtype=float32)
  """
  x = _check("dct", x, type, norm)
  return _dct1(x, n, _axis(axis, x.ndim), norm)


def idct(x, type: int = 2, n: int | None = None, axis: int = -1, norm: str | None = None):
  """Inverse of ``dct`` (type 2) along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> idct(dct(jnp.array([1., 2., 3.])))
  Array([1., 2., 3.], dtype=float32)
  """
  x = _check("idct", x, type, norm)
  return _idct1(x, n, _axis(axis, x.ndim), norm)


def _axis(axis, ndim):
  from jaxlite.numpy.promotion import canonicalize_axis
  return canonicalize_axis(axis, ndim)


def _axes_and_sizes(x, s, axes):
  if s is not None:
    try:
      s = list(s)
    except TypeError:
      s = [operator.index(s)]
    if len(s) > x.ndim:
      raise ValueError(f"s must have at most x.ndim ({x.ndim}) elements, got {len(s)}")
  if axes is None:
    axes = tuple(range(x.ndim - len(s), x.ndim)) if s is not None else tuple(range(x.ndim))
  else:
    axes = tuple(_axis(a, x.ndim) for a in axes)
  sizes = list(s) if s is not None else [None] * len(axes)
  return axes, sizes


def dctn(x, type: int = 2, s=None, axes=None, norm: str | None = None):
  """Multidimensional DCT (type 2): ``dct`` along each of ``axes`` (all by default).

  >>> import jaxlite.numpy as jnp
  >>> dctn(jnp.ones((2, 2)))
  Array([[16.,  0.],
         [ 0.,  0.]], dtype=float32)
  """
  x = _check("dctn", x, type, norm)
  axes, sizes = _axes_and_sizes(x, s, axes)
  for axis, n in zip(axes, sizes):
    x = _dct1(x, n, axis, norm)
  return x


def idctn(x, type: int = 2, s=None, axes=None, norm: str | None = None):
  """Inverse of ``dctn``.

  >>> import jaxlite.numpy as jnp
  >>> idctn(dctn(jnp.eye(2)))
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  x = _check("idctn", x, type, norm)
  axes, sizes = _axes_and_sizes(x, s, axes)
  for axis, n in zip(axes, sizes):
    x = _idct1(x, n, axis, norm)
  return x
