"""The von Mises distribution on the circle with concentration ``kappa``:
``jax.scipy.stats.vonmises``, density ``exp(kappa cos x) / (2 pi I0(kappa))``.

  >>> from jaxlite.scipy.stats import vonmises
  >>> vonmises.pdf(0.0, 1.0)
  Array(0.34171045, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const

__all__ = ["logpdf", "pdf"]


def logpdf(x, kappa):
  """Log density (through the scaled Bessel function, stable for large ``kappa``).

  >>> from jaxlite.scipy.stats import vonmises
  >>> vonmises.logpdf(0.0, 1.0)
  Array(-1.0737915, dtype=float32, weak_type=True)
  """
  x, kappa = promote_args_inexact("vonmises.logpdf", x, kappa)
  value = kappa * (jnp.cos(x) - 1) - jnp.log(2 * np.pi * lax.bessel_i0e(kappa))
  return jnp.where(lax.gt(kappa, const(kappa, 0)), value, np.nan)


def pdf(x, kappa):
  """Density.

  >>> from jaxlite.scipy.stats import vonmises
  >>> vonmises.pdf(np.pi, 1.0)
  Array(0.04624548, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, kappa))
