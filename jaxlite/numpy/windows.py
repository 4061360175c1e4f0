"""Window functions for signal processing: ``bartlett``, ``blackman``,
``hamming``, ``hanning`` and ``kaiser``, in the default floating dtype.

The window length must be concrete; the values are computed on XLA.

  >>> import jaxlite.numpy as jnp
  >>> jnp.bartlett(5)
  Array([0. , 0.5, 1. , 0.5, 0. ], dtype=float32)
"""
from __future__ import annotations

__all__ = ['bartlett', 'blackman', 'hamming', 'hanning', 'kaiser']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs


def _window(M, fun_name):
  """``(M, n, dtype)``: the length and the symmetric sample positions
  ``1 - M, 3 - M, ..., M - 1`` (None when ``M < 2``)."""
  M = promotion.concrete_int(M, f"M argument of jnp.{fun_name}")
  dtype = dtypes.default_float_dtype()
  if M < 2:
    return M, None, dtype
  n = lax.add(lax.mul(lax.convert_element_type(lax.iota(np.int32, M), dtype),
                      np.asarray(2, dtype)), np.asarray(1 - M, dtype))
  return M, n, dtype


def _trivial(M, dtype):
  return lax_structural.full((max(M, 0),), 1, dtype)


def _cosine_sum(M, fun_name, coefficients):
  """``sum_k c_k cos(k pi n / (M - 1))`` at the symmetric positions ``n``."""
  M, n, dtype = _window(M, fun_name)
  if n is None:
    return _trivial(M, dtype)
  phase = lax.div(lax.mul(n, np.asarray(np.pi, dtype)), np.asarray(M - 1, dtype))
  out = lax_structural.full((M,), coefficients[0], dtype)
  for k, c in enumerate(coefficients[1:], 1):
    out = lax.add(out, lax.mul(np.asarray(c, dtype),
                               lax.cos(lax.mul(phase, np.asarray(k, dtype)))))
  return out


def hamming(M: int):
  """The Hamming window of length ``M``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.round(jnp.hamming(3), 4)
  Array([0.08, 1.  , 0.08], dtype=float32)
  """
  return _cosine_sum(M, "hamming", (0.54, 0.46))


def hanning(M: int):
  """The Hann window of length ``M``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.hanning(3)
  Array([0., 1., 0.], dtype=float32)
  """
  return _cosine_sum(M, "hanning", (0.5, 0.5))


def blackman(M: int):
  """The Blackman window of length ``M``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.round(jnp.blackman(3), 4)
  Array([-0.,  1., -0.], dtype=float32)
  """
  return _cosine_sum(M, "blackman", (0.42, 0.5, 0.08))


def bartlett(M: int):
  """The Bartlett (triangular) window of length ``M``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.bartlett(3)
  Array([0., 1., 0.], dtype=float32)
  """
  M, n, dtype = _window(M, "bartlett")
  if n is None:
    return _trivial(M, dtype)
  ratio = lax.div(lax.abs(n), np.asarray(M - 1, dtype))
  return lax.sub(np.asarray(1, dtype), ratio)


def kaiser(M: int, beta):
  """The Kaiser window of length ``M`` and shape ``beta``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.kaiser(3, 0.0)
  Array([1., 1., 1.], dtype=float32)
  """
  M, n, dtype = _window(M, "kaiser")
  if n is None:
    return _trivial(M, dtype)
  promotion.check_arraylike("kaiser", beta)
  beta = promotion.convert(beta, dtype)
  # With positions n in [1 - M, M - 1], (n - alpha) / alpha is n / (M - 1).
  ratio = lax.div(n, np.asarray(M - 1, dtype))
  arg = lax.mul(beta, lax.sqrt(lax.sub(np.asarray(1, dtype), lax.mul(ratio, ratio))))
  return ufuncs.true_divide(ufuncs.i0(arg), ufuncs.i0(beta))
