"""``jaxlite.scipy.integrate``: numerical integration of sampled data.

  >>> import jaxlite.numpy as jnp
  >>> trapezoid(jnp.array([1., 2., 3.]))
  Array(4., dtype=float32)
"""
from __future__ import annotations

__all__ = ['trapezoid']


def trapezoid(y, x=None, dx=1.0, axis: int = -1):
  """Integral of ``y`` along ``axis`` by the trapezoidal rule (samples at ``x``, or
  spaced ``dx``); the same function as ``jaxlite.numpy.trapezoid``.

  >>> import jaxlite.numpy as jnp
  >>> trapezoid(jnp.array([1., 2., 3.]), x=jnp.array([0., 1., 3.]))
  Array(6.5, dtype=float32)
  """
  from jaxlite.numpy.misc import trapezoid as _trapezoid
  return _trapezoid(y, x=x, dx=dx, axis=axis)
