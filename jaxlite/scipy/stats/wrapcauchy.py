"""The wrapped Cauchy distribution on ``[0, 2 pi]`` with shape ``0 < c < 1``:
``jax.scipy.stats.wrapcauchy``.

  >>> from jaxlite.scipy.stats import wrapcauchy
  >>> wrapcauchy.pdf(0.0, 0.5)
  Array(0.47746485, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const

__all__ = ["logpdf", "pdf"]


def logpdf(x, c):
  """Log density ``log(1 - c^2) - log(2 pi) - log(1 + c^2 - 2c cos x)``.

  >>> from jaxlite.scipy.stats import wrapcauchy
  >>> wrapcauchy.logpdf(0.0, 0.5)
  Array(-0.7392647, dtype=float32, weak_type=True)
  """
  x, c = promote_args_inexact("wrapcauchy.logpdf", x, c)
  value = jnp.log(1 - c * c) - jnp.log(2 * np.pi) - jnp.log(1 + c * c - 2 * c * jnp.cos(x))
  on_circle = lax.ge(x, const(x, 0)) & lax.le(x, const(x, np.pi * 2))
  valid_c = lax.gt(c, const(c, 0)) & lax.lt(c, const(c, 1))
  return jnp.where(valid_c, jnp.where(on_circle, value, -np.inf), np.nan)


def pdf(x, c):
  """Density.

  >>> from jaxlite.scipy.stats import wrapcauchy
  >>> wrapcauchy.pdf(np.pi, 0.5)
  Array(0.05305165, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, c))
