"""``jaxlite.numpy.fft``: NumPy's discrete Fourier transforms on ``lax.fft``.

XLA transforms at most three trailing axes at once: the requested axes are
moved to the end, transformed in groups of up to three (transforms over
different axes commute) and moved back.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.fft(jnp.array([1., 0., 0., 0.]))
  Array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j], dtype=complex64)
"""
from __future__ import annotations

import operator
from typing import Sequence

import numpy as np

from jaxlite import dtypes
from jaxlite.lax import structural as lax_structural
from jaxlite.lax.fourier import FftType, fft as _bind_fft
from jaxlite.numpy.library_jit import library_jit
from jaxlite.numpy.promotion import check_arraylike

__all__ = ['fft', 'ifft', 'rfft', 'irfft', 'hfft', 'ihfft', 'fft2', 'ifft2', 'rfft2', 'irfft2',
           'fftn', 'ifftn', 'rfftn', 'irfftn', 'fftfreq', 'rfftfreq', 'fftshift', 'ifftshift']

_NORMS = (None, "backward", "ortho", "forward")
_BAD_NORM = 'Invalid norm value {}; should be "backward","ortho" or "forward".'  # JAX's text


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def _scale_like_jax(x, sizes, norm, inverse):
  """Applies NumPy's ``norm`` convention for a transform over ``sizes`` points
  (XLA's inverse transforms already divide by their size), computed as JAX
  does: in the result's dtype, on the device, with a factor of 1 for an
  explicit "backward"."""
  if norm is None:
    return x
  if norm not in _NORMS:
    raise ValueError(_BAD_NORM.format(norm))
  jnp = _jnp()
  if norm == "backward":
    return x * jnp.array(1)
  total = jnp.prod(jnp.array(sizes, dtype=x.dtype))
  if norm == "ortho":
    factor = jnp.sqrt(total) if inverse else 1 / jnp.sqrt(total)
  else:
    factor = total if inverse else 1 / total
  return x * factor


def _scale(x, n, norm, inverse):
  """Applies NumPy's ``norm`` convention for a transform of ``n`` points
  (XLA's inverse transforms already divide by ``n``)."""
  if norm not in _NORMS:
    raise ValueError(_BAD_NORM.format(norm))
  jnp = _jnp()
  real = np.finfo(x.dtype).dtype
  if norm == "ortho":
    factor = np.sqrt(n) if inverse else 1 / np.sqrt(n)
  elif norm == "forward":
    factor = n if inverse else 1 / n
  else:
    return x
  return x * jnp.asarray(factor, real)


def _resize(x, axis, size):
  """``x`` truncated or zero-padded to ``size`` along ``axis``."""
  jnp = _jnp()
  cur = x.shape[axis]
  if size == cur:
    return x
  if size < cur:
    return x[(slice(None),) * axis + (slice(0, size),)]
  pad = [(0, 0)] * x.ndim
  pad[axis] = (0, size - cur)
  return jnp.pad(x, pad)


@library_jit(static_argnums=(1, 2), name="fft")
def _lax_fft(x, fft_type, lengths):
  """JAX's ``lax.fft``, a jit named fft: the operand converted to the
  transform's input dtype inside it, then the primitive."""
  if fft_type == FftType.RFFT:
    dtype = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(x.dtype))
  else:
    dtype = dtypes.canonicalize_dtype(np.result_type(dtypes.to_inexact_dtype(x.dtype),
                                                     np.complex64))
  if x.dtype != dtype:
    x = lax_structural.convert_element_type(x, dtype)
  return _bind_fft(x, fft_type, lengths)


def _to_complex(x):
  if x.dtype.kind == "c":
    return x
  dtype = dtypes.canonicalize_dtype(np.result_type(dtypes.to_inexact_dtype(x.dtype),
                                                   np.complex64))
  return x.astype(dtype)


def _to_real(name, x):
  if x.dtype.kind == "c":
    raise TypeError(f"jnp.fft.{name} does not support complex input; got dtype "
                    f"{x.dtype.name}.")
  return x.astype(dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(x.dtype)))


def _axes_and_sizes(name, x, s, axes, default_all=True):
  if axes is None:
    if s is None:
      axes = tuple(range(x.ndim)) if default_all else (-2, -1)
    else:
      axes = tuple(range(x.ndim - len(s), x.ndim))
  axes = tuple(operator.index(a) for a in axes)
  for a in axes:
    if not -x.ndim <= a < x.ndim:
      raise ValueError(f"jnp.fft.{name}: axis {a} is out of bounds for array of dimension "
                       f"{x.ndim}")
  axes = tuple(a % x.ndim for a in axes)
  if len(set(axes)) != len(axes):
    raise ValueError(f"jnp.fft.{name} does not support repeated axes. Got axes {axes}.")
  if s is not None:
    s = tuple(operator.index(n) for n in s)
    if len(s) != len(axes):
      raise ValueError(f"Shape and axes have different lengths: s={s}, axes={axes}.")
    if any(n < 1 for n in s):
      raise ValueError(f"jnp.fft.{name}: invalid number of data points {s}.")
  return axes, s


def _transform_trailing(x, fft_type, lengths):
  """``lax.fft`` over the trailing ``len(lengths)`` axes, in groups of <= 3."""
  k = len(lengths)
  if k <= 3:
    return _lax_fft(x, fft_type, lengths)
  jnp = _jnp()
  # Separable: transform the last three axes, then the others (moved to the end).
  if fft_type == FftType.IRFFT:
    head = jnp.moveaxis(x, tuple(range(x.ndim - k, x.ndim - 3)), tuple(range(-(k - 3), 0)))
    head = _transform_trailing(head, FftType.IFFT, lengths[:-3])
    x = jnp.moveaxis(head, tuple(range(-(k - 3), 0)), tuple(range(x.ndim - k, x.ndim - 3)))
    return _lax_fft(x, fft_type, lengths[-3:])
  x = _lax_fft(x, fft_type, lengths[-3:])
  inner = FftType.FFT if fft_type == FftType.RFFT else fft_type
  moved = jnp.moveaxis(x, tuple(range(x.ndim - k, x.ndim - 3)), tuple(range(-(k - 3), 0)))
  moved = _transform_trailing(moved, inner, lengths[:-3])
  return jnp.moveaxis(moved, tuple(range(-(k - 3), 0)), tuple(range(x.ndim - k, x.ndim - 3)))


def _fftn_core(name, a, s, axes, norm, fft_type, default_all=True):
  jnp = _jnp()
  check_arraylike(f"jnp.fft.{name}", a)
  a = jnp.asarray(a)
  axes, s = _axes_and_sizes(name, a, s, axes, default_all)
  if not axes:
    return a if fft_type != FftType.RFFT else _to_complex(a)
  if fft_type == FftType.RFFT and a.dtype.kind == "c":
    _to_real(name, a)   # its TypeError; the conversions happen inside the fft call
  if s is None:
    if fft_type == FftType.IRFFT:
      s = tuple(a.shape[ax] for ax in axes[:-1]) + (2 * (a.shape[axes[-1]] - 1),)
    else:
      s = tuple(a.shape[ax] for ax in axes)
  if fft_type == FftType.IRFFT and s[-1] < 1:
    raise ValueError(f"jnp.fft.{name}: invalid number of data points ({s[-1]}) specified.")
  for ax, n in zip(axes[:-1], s[:-1]):
    a = _resize(a, ax, n)
  a = _resize(a, axes[-1], s[-1] // 2 + 1 if fft_type == FftType.IRFFT else s[-1])
  k = len(axes)
  moved = jnp.moveaxis(a, axes, tuple(range(a.ndim - k, a.ndim)))
  out = _transform_trailing(moved, fft_type, s)
  out = jnp.moveaxis(out, tuple(range(a.ndim - k, a.ndim)), axes)
  inverse = fft_type in (FftType.IFFT, FftType.IRFFT)
  return _scale_like_jax(out, s, norm, inverse)


def _one_axis(name, a, n, axis, norm, fft_type):
  s = None if n is None else (n,)
  return _fftn_core(name, a, s, (axis,), norm, fft_type)


def fft(a, n=None, axis: int = -1, norm=None):
  """One-dimensional discrete Fourier transform along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.fft(jnp.array([1., 1.]))
  Array([2.+0.j, 0.+0.j], dtype=complex64)
  """
  return _one_axis("fft", a, n, axis, norm, FftType.FFT)


def ifft(a, n=None, axis: int = -1, norm=None):
  """Inverse of ``fft`` (scaled by ``1/n`` with the default norm).

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.ifft(jnp.array([2., 0.]))
  Array([1.+0.j, 1.+0.j], dtype=complex64)
  """
  return _one_axis("ifft", a, n, axis, norm, FftType.IFFT)


def rfft(a, n=None, axis: int = -1, norm=None):
  """Fourier transform of real input: the ``n // 2 + 1`` non-negative frequencies.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.rfft(jnp.array([1., 1., 1., 1.]))
  Array([4.+0.j, 0.+0.j, 0.+0.j], dtype=complex64)
  """
  return _one_axis("rfft", a, n, axis, norm, FftType.RFFT)


def irfft(a, n=None, axis: int = -1, norm=None):
  """Inverse of ``rfft``: ``n`` (default ``2 * (m - 1)``) real points.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.irfft(jnp.array([4., 0., 0.]))
  Array([1., 1., 1., 1.], dtype=float32)
  """
  return _one_axis("irfft", a, n, axis, norm, FftType.IRFFT)


def _swap_norm(norm):
  if norm not in _NORMS:
    raise ValueError(_BAD_NORM.format(norm))
  return {None: "forward", "backward": "forward", "ortho": "ortho",
          "forward": "backward"}[norm]


def hfft(a, n=None, axis: int = -1, norm=None):
  """Transform of a signal with Hermitian symmetry (given by its first half): real output.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.hfft(jnp.array([1., 0., 0.]))
  Array([1., 1., 1., 1.], dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("jnp.fft.hfft", a)
  return irfft(jnp.conj(jnp.asarray(a)), n, axis, _swap_norm(norm))


def ihfft(a, n=None, axis: int = -1, norm=None):
  """Inverse of ``hfft``: the first half of the Hermitian spectrum of real input.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.ihfft(jnp.array([1., 1., 1., 1.]))
  Array([1.+0.j, 0.+0.j, 0.+0.j], dtype=complex64)
  """
  jnp = _jnp()
  a = jnp.asarray(a)
  points = a.shape[axis] if n is None else n
  # As JAX: the inverse's norm factor, then conj, then a complex multiply by
  # 1/n (which also fixes the signs of zero imaginary parts JAX prints).
  spectrum = _scale(rfft(a, n, axis), points, norm, inverse=True)
  return jnp.conj(spectrum) * (1 / points)


def fftn(a, s=None, axes=None, norm=None):
  """N-dimensional discrete Fourier transform over ``axes`` (default all).

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.fftn(jnp.ones((2, 2)))
  Array([[4.+0.j, 0.+0.j],
         [0.+0.j, 0.+0.j]], dtype=complex64)
  """
  return _fftn_core("fftn", a, s, axes, norm, FftType.FFT)


def ifftn(a, s=None, axes=None, norm=None):
  """Inverse of ``fftn``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.ifftn(jnp.array([[4., 0.], [0., 0.]])).real
  Array([[1., 1.],
         [1., 1.]], dtype=float32)
  """
  return _fftn_core("ifftn", a, s, axes, norm, FftType.IFFT)


def rfftn(a, s=None, axes=None, norm=None):
  """N-dimensional transform of real input (half spectrum on the last axis).

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.rfftn(jnp.ones((2, 4))).shape
  (2, 3)
  """
  return _fftn_core("rfftn", a, s, axes, norm, FftType.RFFT)


def irfftn(a, s=None, axes=None, norm=None):
  """Inverse of ``rfftn``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.irfftn(jnp.fft.rfftn(jnp.ones((2, 4)))).shape
  (2, 4)
  """
  return _fftn_core("irfftn", a, s, axes, norm, FftType.IRFFT)


def fft2(a, s=None, axes: Sequence[int] = (-2, -1), norm=None):
  """Two-dimensional ``fftn`` over ``axes`` (the last two by default).

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.fft2(jnp.ones((2, 2)))[0, 0]
  Array(4.+0.j, dtype=complex64)
  """
  return _fftn_core("fft2", a, s, axes, norm, FftType.FFT)


def ifft2(a, s=None, axes: Sequence[int] = (-2, -1), norm=None):
  """Two-dimensional ``ifftn``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.ifft2(jnp.ones((2, 2)))[0, 0]
  Array(1.+0.j, dtype=complex64)
  """
  return _fftn_core("ifft2", a, s, axes, norm, FftType.IFFT)


def rfft2(a, s=None, axes: Sequence[int] = (-2, -1), norm=None):
  """Two-dimensional ``rfftn``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.rfft2(jnp.ones((2, 2))).shape
  (2, 2)
  """
  return _fftn_core("rfft2", a, s, axes, norm, FftType.RFFT)


def irfft2(a, s=None, axes: Sequence[int] = (-2, -1), norm=None):
  """Two-dimensional ``irfftn``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.irfft2(jnp.ones((2, 2))).shape
  (2, 2)
  """
  return _fftn_core("irfft2", a, s, axes, norm, FftType.IRFFT)


def fftfreq(n: int, d=1.0, *, dtype=None, device=None):
  """Sample frequencies of an ``n``-point transform with sample spacing ``d``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.fftfreq(4)
  Array([ 0.  ,  0.25, -0.5 , -0.25], dtype=float32)
  """
  jnp = _jnp()
  n = operator.index(n)
  dtype = dtypes.canonicalize_dtype(dtype or dtypes.float_)
  k = jnp.concatenate([jnp.arange(0, (n - 1) // 2 + 1, dtype=dtype),
                       jnp.arange(-(n // 2), 0, dtype=dtype)])
  out = k / (jnp.asarray(d, dtype) * n)
  return out if device is None else _device_put(out, device)


def rfftfreq(n: int, d=1.0, *, dtype=None, device=None):
  """Sample frequencies of ``rfft``'s ``n // 2 + 1`` outputs.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.rfftfreq(4)
  Array([0.  , 0.25, 0.5 ], dtype=float32)
  """
  jnp = _jnp()
  n = operator.index(n)
  dtype = dtypes.canonicalize_dtype(dtype or dtypes.float_)
  out = jnp.arange(0, n // 2 + 1, dtype=dtype) / (jnp.asarray(d, dtype) * n)
  return out if device is None else _device_put(out, device)


def _device_put(x, device):
  from jaxlite import device_put
  return device_put(x, device)


def _shift(name, x, axes, sign):
  jnp = _jnp()
  check_arraylike(f"jnp.fft.{name}", x)
  x = jnp.asarray(x)
  if axes is None:
    axes = tuple(range(x.ndim))
  elif isinstance(axes, int):
    axes = (axes,)
  shifts = tuple(sign * (x.shape[ax] // 2) for ax in axes)
  return jnp.roll(x, shifts, axes)


def fftshift(x, axes=None):
  """Moves the zero frequency to the centre (a roll by ``n // 2`` along ``axes``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.fftshift(jnp.fft.fftfreq(4))
  Array([-0.5 , -0.25,  0.  ,  0.25], dtype=float32)
  """
  return _shift("fftshift", x, axes, 1)


def ifftshift(x, axes=None):
  """Inverse of ``fftshift``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fft.ifftshift(jnp.array([-0.5, -0.25, 0., 0.25]))
  Array([ 0.  ,  0.25, -0.5 , -0.25], dtype=float32)
  """
  return _shift("ifftshift", x, axes, -1)
