"""Windowed-FFT spectral estimates for ``jaxlite.scipy.signal``: ``stft``, ``csd``, ``welch``.

The signal is cut into overlapping segments (one gather of constant
indices), each detrended, windowed and Fourier transformed; the spectra are
scaled per ``scaling`` and, for ``csd``/``welch``, averaged over segments.

  >>> import jaxlite.numpy as jnp
  >>> f, p = welch(jnp.ones(8), nperseg=4)
  >>> f
  Array([0.  , 0.25, 0.5 ], dtype=float32)
"""
from __future__ import annotations

import operator
import warnings

import numpy as np

from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, promote_dtypes_inexact

__all__ = ['csd', 'istft', 'stft', 'welch']


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def _window(window, nperseg, length, dtype):
  """The window array and the segment length (JAX's rules: a named window spans the
  whole signal unless ``nperseg`` is given)."""
  jnp = _jnp()
  if isinstance(window, (str, tuple)):
    n = length if nperseg is None else int(nperseg)
    if n > length:
      warnings.warn(f'nperseg={n} is greater than input_length={length}, using '
                    f'nperseg={length}')
      n = length
    if isinstance(window, str) and window == 'hann':
      win = np.ones(1) if n == 1 else np.sin(np.linspace(0, np.pi, n, endpoint=False)) ** 2
    else:   # other named windows are host-side constants from SciPy, as in JAX
      from scipy.signal import get_window
      win = get_window(window, n)
    return jnp.asarray(np.asarray(win).astype(dtype)), n
  win = jnp.asarray(window)
  if win.ndim != 1:
    raise ValueError('window must be 1-D')
  if length < win.shape[-1]:
    raise ValueError('window is longer than input signal')
  if nperseg is not None and nperseg != win.shape[0]:
    raise ValueError("value specified for nperseg is different from length of window")
  return win.astype(dtype), win.shape[0]


def _odd_extension(x, n):
  jnp = _jnp()
  if n < 1:
    return x
  if n > x.shape[-1] - 1:
    raise ValueError(f"The extension length n ({n}) is too big. It must not exceed "
                     f"x.shape[axis]-1, which is {x.shape[-1] - 1}.")
  left = 2 * x[..., :1] - jnp.flip(x[..., 1:n + 1], -1)
  right = 2 * x[..., -1:] - jnp.flip(x[..., -(n + 1):-1], -1)
  return jnp.concatenate([left, x, right], axis=-1)


def _extend(x, boundary, n):
  jnp = _jnp()
  pads = [(0, 0)] * (x.ndim - 1) + [(n, n)]
  if boundary == 'even':
    return jnp.pad(x, pads, 'reflect')
  if boundary == 'odd':
    return _odd_extension(x, n)
  if boundary == 'constant':
    return jnp.pad(x, pads, 'edge')
  if boundary == 'zeros':
    return jnp.pad(x, pads)
  return x


def _segment_spectra(x, win, detrend_func, nperseg, noverlap, nfft, onesided):
  jnp = _jnp()
  step = nperseg - noverlap
  starts = np.arange(0, x.shape[-1] - nperseg + 1, step)
  idx = (starts[:, None] + np.arange(nperseg)[None, :]).astype(np.int32)
  segs = detrend_func(x[..., jnp.asarray(idx)])
  if jnp.iscomplexobj(win):
    segs = segs.astype(jnp.result_type(segs.dtype, np.complex64))
  segs = win * segs
  return jnp.fft.rfft(segs.real, n=nfft) if onesided else jnp.fft.fft(segs, n=nfft)


def _spectral(x, y, fs, window, nperseg, noverlap, nfft, detrend_type, return_onesided,
              scaling, axis, mode, boundary=None, padded=False):
  from jaxlite.scipy.signal import detrend
  jnp = _jnp()
  if boundary not in ('even', 'odd', 'constant', 'zeros', None):
    raise ValueError(f"Unknown boundary option '{boundary}', must be one of: "
                     "['even', 'odd', 'constant', 'zeros', None]")
  axis = canonicalize_axis(operator.index(axis), np.ndim(x))
  if y is None:
    check_arraylike('spectral_helper', x)
    x, = promote_dtypes_inexact(jnp.asarray(x))
  else:
    check_arraylike('spectral_helper', x, y)
    x, y = promote_dtypes_inexact(jnp.asarray(x), jnp.asarray(y))
    if x.ndim != y.ndim:
      raise ValueError(f"two-arguments must have the same rank ({x.ndim} vs {y.ndim}).")
  result_dtype = jnp.result_type(x.dtype, np.complex64)
  freq_dtype = np.finfo(result_dtype).dtype
  if nperseg is not None:
    nperseg = int(nperseg)
    if nperseg < 1:
      raise ValueError('nperseg must be a positive integer')
  win, nperseg = _window(window, nperseg, x.shape[axis], x.dtype)
  noverlap = nperseg // 2 if noverlap is None else int(noverlap)
  nfft = nperseg if nfft is None else int(nfft)
  x = jnp.moveaxis(x, axis, -1)
  if y is not None:
    y = jnp.moveaxis(y, axis, -1)
    if x.shape[-1] != y.shape[-1]:     # the shorter one is zero-padded
      n = max(x.shape[-1], y.shape[-1])
      x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, n - x.shape[-1])])
      y = jnp.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, n - y.shape[-1])])
  if nfft < nperseg:
    raise ValueError('nfft must be greater than or equal to nperseg.')
  if noverlap >= nperseg:
    raise ValueError('noverlap must be less than nperseg.')
  step = nperseg - noverlap
  if boundary is not None:
    x = _extend(x, boundary, nperseg // 2)
    y = None if y is None else _extend(y, boundary, nperseg // 2)
  if padded:
    extra = (-(x.shape[-1] - nperseg) % step) % nperseg
    x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, extra)])
    y = None if y is None else jnp.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, extra)])
  if isinstance(detrend_type, str):
    def detrend_func(d):
      return detrend(d, type=detrend_type, axis=-1)
  elif callable(detrend_type):
    detrend_func = detrend_type
  elif not detrend_type:
    def detrend_func(d):
      return d
  else:
    raise ValueError(f'Unsupported detrend type: {detrend_type}')
  if scaling == 'density':
    scale = 1.0 / (fs * jnp.sum(win * win))
  elif scaling == 'spectrum':
    scale = 1.0 / jnp.sum(win) ** 2
  else:
    raise ValueError(f'Unknown scaling: {scaling}')
  if mode == 'stft':
    scale = jnp.sqrt(scale)
  onesided = bool(return_onesided)
  if onesided and (jnp.iscomplexobj(x) or (y is not None and jnp.iscomplexobj(y))):
    onesided = False
    warnings.warn('Input data is complex, switching to return_onesided=False')
  freqs = (jnp.fft.rfftfreq if onesided else jnp.fft.fftfreq)(nfft, 1 / fs, dtype=freq_dtype)
  result = _segment_spectra(x, win, detrend_func, nperseg, noverlap, nfft, onesided)
  if y is not None:
    result = jnp.conj(result) * _segment_spectra(y, win, detrend_func, nperseg, noverlap,
                                                 nfft, onesided)
  elif mode == 'psd':
    result = jnp.conj(result) * result
  result = result * scale
  if onesided and mode == 'psd':   # fold the negative frequencies onto the positive ones
    end = None if nfft % 2 else -1
    result = result.at[..., 1:end].multiply(2)
  time = jnp.arange(nperseg / 2, x.shape[-1] - nperseg / 2 + 1, step, dtype=freq_dtype) / fs
  if boundary is not None:
    time = time - (nperseg / 2) / fs
  result = result.astype(result_dtype)
  if y is None and mode != 'stft':
    result = result.real
  return freqs, time, jnp.moveaxis(result, -1, axis)


def stft(x, fs=1.0, window: str = 'hann', nperseg: int = 256, noverlap=None, nfft=None,
         detrend: bool = False, return_onesided: bool = True, boundary='zeros',
         padded: bool = True, axis: int = -1):
  """Short-time Fourier transform: ``(freqs, times, Zxx)``.

  >>> import jaxlite.numpy as jnp
  >>> f, t, z = stft(jnp.ones(8), nperseg=4)
  >>> z.shape
  (3, 5)
  """
  return _spectral(x, None, fs, window, nperseg, noverlap, nfft, detrend, return_onesided,
                   'spectrum', axis, 'stft', boundary=boundary, padded=padded)


def _median_bias(n):
  """Bias of the median of ``n`` periodograms relative to their mean."""
  k = np.arange(1, (n - 1) // 2 + 1)
  return 1 + np.sum(1.0 / (2 * k + 1) - 1.0 / (2 * k))


def csd(x, y, fs=1.0, window: str = 'hann', nperseg=None, noverlap=None, nfft=None,
        detrend: str = 'constant', return_onesided: bool = True, scaling: str = 'density',
        axis: int = -1, average: str = 'mean'):
  """Cross power spectral density by Welch's method: ``(freqs, Pxy)``.

  >>> import jaxlite.numpy as jnp
  >>> f, p = csd(jnp.ones(8), jnp.ones(8), nperseg=4)
  >>> p.dtype
  dtype('complex64')
  """
  jnp = _jnp()
  freqs, _, pxy = _spectral(x, y, fs, window, nperseg, noverlap, nfft, detrend,
                            return_onesided, scaling, axis, 'psd')
  if y is not None:
    pxy = pxy + 0j
  if pxy.ndim >= 2 and pxy.size > 0:
    if pxy.shape[-1] > 1:
      if average == 'median':
        bias = _median_bias(pxy.shape[-1])
        if jnp.iscomplexobj(pxy):
          pxy = jnp.median(pxy.real, axis=-1) + 1j * jnp.median(pxy.imag, axis=-1)
        else:
          pxy = jnp.median(pxy, axis=-1)
        pxy = pxy / jnp.asarray(bias, pxy.dtype)
      elif average == 'mean':
        pxy = pxy.mean(axis=-1)
      else:
        raise ValueError(f'average must be "median" or "mean", got {average}')
    else:
      pxy = pxy.reshape(pxy.shape[:-1])
  return freqs, pxy


def welch(x, fs=1.0, window: str = 'hann', nperseg=None, noverlap=None, nfft=None,
          detrend: str = 'constant', return_onesided: bool = True, scaling: str = 'density',
          axis: int = -1, average: str = 'mean'):
  """Power spectral density by Welch's method: ``(freqs, Pxx)``.

  >>> import jaxlite.numpy as jnp
  >>> f, p = welch(jnp.array([1., -1.] * 4), nperseg=4)
  >>> p.shape
  (3,)
  """
  freqs, pxx = csd(x, None, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap,
                   nfft=nfft, detrend=detrend, return_onesided=return_onesided,
                   scaling=scaling, axis=axis, average=average)
  return freqs, pxx.real


def _overlap_add(frames, step):
  """Sums ``frames`` (..., nframes, length) placed ``step`` apart (one scatter-add)."""
  jnp = _jnp()
  nframes, length = frames.shape[-2:]
  idx = (np.arange(nframes)[:, None] * step + np.arange(length)[None, :]).astype(np.int32)
  out = jnp.zeros(frames.shape[:-2] + (step * (nframes - 1) + length,), frames.dtype)
  return out.at[..., jnp.asarray(idx)].add(frames)


def istft(Zxx, fs=1.0, window: str = 'hann', nperseg=None, noverlap=None, nfft=None,
          input_onesided: bool = True, boundary: bool = True, time_axis: int = -1,
          freq_axis: int = -2):
  """Inverse short-time Fourier transform by weighted overlap-add: ``(times, x)``.

  >>> import jaxlite.numpy as jnp
  >>> t, x = istft(stft(jnp.arange(8.), nperseg=4)[2], nperseg=4)
  >>> jnp.round(x, 4)
  Array([0., 1., 2., 3., 4., 5., 6., 7.], dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("istft", Zxx)
  Zxx = jnp.asarray(Zxx)
  if Zxx.ndim < 2:
    raise ValueError('Input stft must be at least 2d!')
  freq_axis = canonicalize_axis(freq_axis, Zxx.ndim)
  time_axis = canonicalize_axis(time_axis, Zxx.ndim)
  if freq_axis == time_axis:
    raise ValueError('Must specify differing time and frequency axes!')
  Zxx = Zxx.astype(jnp.result_type(Zxx.dtype, np.complex64))
  n_default = 2 * (Zxx.shape[freq_axis] - 1) if input_onesided else Zxx.shape[freq_axis]
  nperseg_int = int(nperseg or n_default)
  if nperseg_int < 1:
    raise ValueError('nperseg must be a positive integer')
  if nfft is None:
    nfft_int = n_default + (1 if input_onesided and nperseg_int == n_default + 1 else 0)
  else:
    nfft_int = int(nfft)
  if nfft_int < nperseg_int:
    raise ValueError(f'FFT length ({nfft_int}) must be longer than nperseg ({nperseg_int}).')
  noverlap_int = int(noverlap or nperseg_int // 2)
  if noverlap_int >= nperseg_int:
    raise ValueError('noverlap must be less than nperseg.')
  step = nperseg_int - noverlap_int
  outer = tuple(i for i in range(Zxx.ndim) if i not in (time_axis, freq_axis))
  Zxx = jnp.transpose(Zxx, outer + (freq_axis, time_axis))
  # As JAX: the inverse FFT takes the nfft given (None: its default length).
  inverse = jnp.fft.irfft if input_onesided else jnp.fft.ifft
  segs = inverse(Zxx, axis=-2, n=nfft)[..., :nperseg_int, :]
  if isinstance(window, str) and window == 'hann':
    win = np.ones(1) if nperseg_int == 1 else \
        np.sin(np.linspace(0, np.pi, nperseg_int, endpoint=False)) ** 2
    win = jnp.asarray(win.astype(segs.dtype))
  elif isinstance(window, (str, tuple)):
    from scipy.signal import get_window
    win = jnp.asarray(np.asarray(get_window(window, nperseg_int)).astype(segs.dtype))
  else:
    win = jnp.asarray(window)
    if win.ndim != 1:
      raise ValueError('window must be 1-D')
    if win.shape[0] != nperseg_int:
      raise ValueError(f'window must have length of {nperseg_int}')
  segs = segs * jnp.sum(win)           # undoes stft's 'spectrum' scaling
  frames = jnp.swapaxes(segs * win[:, None], -2, -1)
  x = _overlap_add(frames, step)
  norm = _overlap_add(jnp.broadcast_to(win * win, (segs.shape[-1], nperseg_int)), step)
  if boundary:
    half = nperseg_int // 2
    x, norm = x[..., half:-half], norm[..., half:-half]
  x = x / jnp.where(norm > 1e-10, norm, 1.0)
  if x.ndim > 1 and time_axis != Zxx.ndim - 1:
    x = jnp.moveaxis(x, -1, time_axis - 1 if freq_axis < time_axis else time_axis)
  # JAX's times count along the first axis of the result (for 1-D results, the samples).
  times = jnp.arange(x.shape[0], dtype=np.finfo(x.dtype).dtype) / fs
  return times, x
