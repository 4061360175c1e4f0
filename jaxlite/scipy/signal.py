"""``jaxlite.scipy.signal``: convolution, correlation and detrending.

Direct convolutions are one ``lax.conv_general_dilated`` (the kernel
flipped); ``fftconvolve`` multiplies spectra from ``jnp.fft``.

  >>> import jaxlite.numpy as jnp
  >>> convolve(jnp.array([1., 2., 3.]), jnp.array([0., 1., .5]))
  Array([0. , 1. , 2.5, 4. , 1.5], dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, promote_dtypes_inexact

__all__ = ['convolve', 'convolve2d', 'correlate', 'correlate2d', 'detrend', 'fftconvolve']

_MODES = ["full", "same", "valid"]


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def _convolve_nd(in1, in2, mode, precision):
  from jaxlite import lax
  jnp = _jnp()
  if mode not in _MODES:
    raise ValueError("mode must be one of ['full', 'same', 'valid']")
  if in1.ndim != in2.ndim:
    raise ValueError("in1 and in2 must have the same number of dimensions")
  if in1.size == 0 or in2.size == 0:
    raise ValueError(f"zero-size arrays not supported in convolutions, got shapes "
                     f"{in1.shape} and {in2.shape}.")
  in1, in2 = promote_dtypes_inexact(in1, in2)
  bigger = all(a >= b for a, b in zip(in1.shape, in2.shape))
  smaller = all(a <= b for a, b in zip(in1.shape, in2.shape))
  if not (bigger or smaller):
    raise ValueError("One input must be smaller than the other in every dimension.")
  second_shape = in2.shape          # 'same' centers on in1 with in2's original extent
  if not bigger:
    in1, in2 = in2, in1
  kernel = in2.shape
  if mode == 'valid':
    padding = [(0, 0)] * len(kernel)
  elif mode == 'same':
    padding = [(k - 1 - (o - 1) // 2, k - o + (o - 1) // 2)
               for k, o in zip(kernel, second_shape)]
  else:
    padding = [(k - 1, k - 1) for k in kernel]
  out = lax.conv_general_dilated(in1[None, None], jnp.flip(in2)[None, None],
                                 (1,) * len(kernel), padding, precision=precision)
  return out[0, 0]


def _arrays(name, *xs):
  check_arraylike(name, *xs)
  jnp = _jnp()
  return [jnp.asarray(x) for x in xs]


def convolve(in1, in2, mode: str = 'full', method: str = 'auto', precision=None):
  """N-dimensional convolution of ``in1`` and ``in2`` ('direct'/'auto' or 'fft').

  >>> import jaxlite.numpy as jnp
  >>> convolve(jnp.array([1., 2.]), jnp.array([1., 1.]), mode='same')
  Array([1., 3.], dtype=float32)
  """
  if method == 'fft':
    return fftconvolve(in1, in2, mode=mode)
  if method not in ('direct', 'auto'):
    raise ValueError(f"Got method={method!r}; expected 'auto', 'fft', or 'direct'.")
  in1, in2 = _arrays("convolve", in1, in2)
  return _convolve_nd(in1, in2, mode, precision)


def correlate(in1, in2, mode: str = 'full', method: str = 'auto', precision=None):
  """N-dimensional cross-correlation: ``convolve(in1, flip(conj(in2)))``.

  >>> import jaxlite.numpy as jnp
  >>> correlate(jnp.array([1., 2., 3.]), jnp.array([1., 0.]))
  Array([0., 1., 2., 3.], dtype=float32)
  """
  jnp = _jnp()
  in1, in2 = _arrays("correlate", in1, in2)
  return convolve(in1, jnp.flip(jnp.conj(in2)), mode, method=method, precision=precision)


def _check_2d(name, in1, in2, boundary, fillvalue):
  if boundary != 'fill' or fillvalue != 0:
    raise NotImplementedError(f"{name}() only supports boundary='fill', fillvalue=0")
  if np.ndim(in1) != 2 or np.ndim(in2) != 2:
    raise ValueError(f"{name}() only supports 2-dimensional inputs.")


def convolve2d(in1, in2, mode: str = 'full', boundary: str = 'fill', fillvalue: float = 0,
               precision=None):
  """2-D convolution (zero fill outside, the only boundary JAX supports).

  >>> import jaxlite.numpy as jnp
  >>> convolve2d(jnp.ones((2, 2)), jnp.ones((1, 1)))
  Array([[1., 1.],
         [1., 1.]], dtype=float32)
  """
  _check_2d("convolve2d", in1, in2, boundary, fillvalue)
  in1, in2 = _arrays("convolve2d", in1, in2)
  return _convolve_nd(in1, in2, mode, precision)


def correlate2d(in1, in2, mode: str = 'full', boundary: str = 'fill', fillvalue: float = 0,
                precision=None):
  """2-D cross-correlation (zero fill outside).

  >>> import jaxlite.numpy as jnp
  >>> correlate2d(jnp.eye(2), jnp.ones((1, 1)))
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  jnp = _jnp()
  _check_2d("correlate2d", in1, in2, boundary, fillvalue)
  in1, in2 = _arrays("correlate2d", in1, in2)
  smaller = all(a <= b for a, b in zip(in1.shape, in2.shape))
  # SciPy correlates by convolving the flipped first operand and flipping back
  # (so 'same' centers as SciPy does), or, where it swaps the operands, by
  # convolving the flipped second one.
  if smaller and (mode == 'full' or (mode == 'valid' and in1.shape != in2.shape)):
    out = _convolve_nd(jnp.flip(in2), jnp.conj(in1), mode, precision)
    return jnp.conj(out) if mode == 'full' else out
  return jnp.flip(_convolve_nd(jnp.flip(in1), jnp.conj(in2), mode, precision))


def _fftconvolve_one(in1, in2, mode):
  jnp = _jnp()
  full = tuple(a + b - 1 for a, b in zip(in1.shape, in2.shape))
  if mode == 'valid':
    bigger = all(a >= b for a, b in zip(in1.shape, in2.shape))
    smaller = all(a <= b for a, b in zip(in1.shape, in2.shape))
    if not (bigger or smaller):
      raise ValueError("For 'valid' mode, One input must be at least as "
                       "large as the other in every dimension.")
    if not bigger:
      in1, in2 = in2, in1
  if all(a == 1 or b == 1 for a, b in zip(in1.shape, in2.shape)):
    conv = in1 * in2          # no overlap to sum over: an outer product
  elif jnp.iscomplexobj(in1):
    conv = jnp.fft.ifftn(jnp.fft.fftn(in1, full) * jnp.fft.fftn(in2, full), full)
  else:
    conv = jnp.fft.irfftn(jnp.fft.rfftn(in1, full) * jnp.fft.rfftn(in2, full), full)
  if mode == 'full':
    out = full
  elif mode == 'same':
    out = in1.shape
  else:
    out = tuple(a - b + 1 for a, b in zip(in1.shape, in2.shape))
  starts = [(f - o) // 2 for f, o in zip(full, out)]
  return conv[tuple(slice(s, s + o) for s, o in zip(starts, out))]


def fftconvolve(in1, in2, mode: str = "full", axes=None):
  """Convolution through FFTs; with ``axes``, only along those (the others paired).

  >>> import jaxlite.numpy as jnp
  >>> fftconvolve(jnp.array([1., 2., 3.]), jnp.array([0., 1., .5]))
  Array([0. , 1. , 2.5, 4. , 1.5], dtype=float32)
  """
  from jaxlite import vmap
  check_arraylike('fftconvolve', in1, in2)
  jnp = _jnp()
  in1, in2 = promote_dtypes_inexact(jnp.asarray(in1), jnp.asarray(in2))
  if in1.ndim != in2.ndim:
    raise ValueError("in1 and in2 should have the same dimensionality")
  if mode not in ["same", "full", "valid"]:
    raise ValueError("mode must be one of ['same', 'full', 'valid']")

  def one(a, b):
    return _fftconvolve_one(a, b, mode)
  if axes is None:
    return one(in1, in2)
  axes = (axes,) if isinstance(axes, int) else tuple(axes)
  axes = tuple(canonicalize_axis(a, in1.ndim) for a in axes)
  paired = sorted(set(range(in1.ndim)) - set(axes))
  if any(in1.shape[i] != in2.shape[i] for i in paired):
    raise ValueError(f"mapped axes must have same shape; got in1.shape={in1.shape} "
                     f"in2.shape={in2.shape} axes={axes}")
  fn = one
  for ax in paired:
    fn = vmap(fn, in_axes=ax, out_axes=ax)
  return fn(in1, in2)


def detrend(data, axis: int = -1, type: str = 'linear', bp=0, overwrite_data=None):
  """``data`` minus its mean ('constant') or its least-squares line ('linear'),
  fitted separately between the breakpoints ``bp``.

  >>> import jaxlite.numpy as jnp
  >>> detrend(jnp.array([1., 2., 4.]), type='constant')
  Array([-1.3333333 , -0.33333325,  1.6666667 ], dtype=float32)
  """
  del overwrite_data
  jnp = _jnp()
  if type not in ('constant', 'linear'):
    raise ValueError("Trend type must be 'linear' or 'constant'.")
  check_arraylike("detrend", data)
  data, = promote_dtypes_inexact(jnp.asarray(data))
  if type == 'constant':
    return data - jnp.mean(data, axis, keepdims=True)
  axis = canonicalize_axis(axis, data.ndim)
  n = data.shape[axis]
  bp = np.sort(np.unique(np.r_[0, np.asarray(bp, dtype=int), n]))
  if np.any(bp > n):
    raise ValueError("Breakpoints must be less than length of data along given axis.")
  x = jnp.moveaxis(data, axis, -1)
  pieces = []
  for lo, hi in zip(bp[:-1], bp[1:]):
    seg = x[..., lo:hi]
    t = np.arange(1, hi - lo + 1, dtype=np.float64) / (hi - lo)
    tc = jnp.asarray((t - t.mean()).astype(seg.real.dtype))
    denom = float(np.sum((t - t.mean()) ** 2))
    mean = jnp.mean(seg, axis=-1, keepdims=True)
    if denom == 0:
      pieces.append(seg - mean)
      continue
    slope = jnp.sum(tc * (seg - mean), axis=-1, keepdims=True) / denom
    pieces.append(seg - mean - slope * tc)
  return jnp.moveaxis(jnp.concatenate(pieces, axis=-1), -1, axis)


from jaxlite.scipy.signal_spectral import csd, istft, stft, welch  # noqa: E402,F401
__all__ += ['csd', 'istft', 'stft', 'welch']
