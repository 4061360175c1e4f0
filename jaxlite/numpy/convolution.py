"""One-dimensional ``convolve`` and ``correlate`` on ``lax.conv_general_dilated``.

The modes are NumPy's: ``'full'`` (every overlap), ``'same'`` (the length of
the longer input, centred as NumPy centres it) and ``'valid'`` (complete
overlaps only).

  >>> import jaxlite.numpy as jnp
  >>> jnp.convolve(jnp.array([1.0, 2.0, 3.0]), jnp.array([0.0, 1.0, 0.5]))
  Array([0. , 1. , 2.5, 4. , 1.5], dtype=float32)
"""
from __future__ import annotations

__all__ = ['convolve', 'correlate']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs
from jaxlite.numpy.promotion import check_arraylike, ensure_array


def _lag_range(n, m, mode):
  """The first and last lag ``k`` of ``c[k] = sum_i a[i + k] conj(v[i])`` that
  ``mode`` keeps, for ``len(a) == n`` and ``len(v) == m``."""
  if mode == "full":
    return -(m - 1), n - 1
  if mode == "valid":
    return (0, n - m) if n >= m else (n - m, 0)
  if mode == "same":
    start = -(m - 1) + ((m - 1) // 2 if n >= m else n // 2)
    return start, start + max(n, m) - 1
  raise ValueError("mode must be one of ['full', 'same', 'valid']")


def _correlate(fun_name, a, v, mode, precision, preferred_element_type):
  check_arraylike(fun_name, a, v)
  a, v = (ensure_array(x) for x in promotion.promote_dtypes_inexact(a, v))
  if a.ndim != 1 or v.ndim != 1:
    raise ValueError(f"{fun_name}() only support 1-dimensional inputs.")
  n, m = a.shape[0], v.shape[0]
  if n == 0 or m == 0:
    raise ValueError(f"{fun_name}: inputs cannot be empty, got shapes {a.shape} and "
                     f"{v.shape}.")
  first, last = _lag_range(n, m, mode)
  if dtypes.issubdtype(v.dtype, np.complexfloating):
    v = lax.conj(v)
  # lax's convolution is a cross-correlation; padding by (low, high) yields
  # the lags -low .. n - m + high. Lags outside the padded range are sliced off.
  low, high = max(-first, 0), max(last - (n - m), 0)
  out = lax.conv_general_dilated(
      lax_structural.reshape(a, (1, 1, n)), lax_structural.reshape(v, (1, 1, m)),
      (1,), [(low, high)], precision=precision,
      preferred_element_type=preferred_element_type)
  out = lax_structural.reshape(out, (out.shape[-1],))
  start = first + low
  return lax.slice_in_dim(out, start, start + last - first + 1)


def correlate(a, v, mode: str = "valid", *, precision=None, preferred_element_type=None):
  """The cross-correlation ``c[k] = sum_n a[n + k] * conj(v[n])`` of 1-D arrays.

  >>> import jaxlite.numpy as jnp
  >>> jnp.correlate(jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 1.0]))
  Array([3., 5.], dtype=float32)
  """
  return _correlate("correlate", a, v, mode, precision, preferred_element_type)


def convolve(a, v, mode: str = "full", *, precision=None, preferred_element_type=None):
  """The discrete linear convolution ``c[k] = sum_n a[n] * v[k - n]`` of 1-D arrays.

  >>> import jaxlite.numpy as jnp
  >>> jnp.convolve(jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]), mode="same")
  Array([1., 3.], dtype=float32)
  """
  check_arraylike("convolve", a, v)
  if promotion.ndim(a) != 1 or promotion.ndim(v) != 1:
    raise ValueError("convolve() only support 1-dimensional inputs.")
  # Convolution commutes; NumPy centres 'same' on the longer input.
  if promotion.shape(v)[0] > promotion.shape(a)[0]:
    a, v = v, a
  v = ensure_array(promotion.asarray_value(v))
  v = lax.rev(v, (0,)) if v.shape[0] else v
  if dtypes.issubdtype(v.dtype, np.complexfloating):
    v = ufuncs.conjugate(v)  # undone by correlate's conjugation
  return _correlate("convolve", a, v, mode, precision, preferred_element_type)
