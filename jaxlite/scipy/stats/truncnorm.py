"""The normal distribution truncated to ``[a, b]`` (in standard units):
``jax.scipy.stats.truncnorm``.

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.cdf(0.0, -1.0, 1.0)
  Array(0.49999997, dtype=float32)
"""
import numpy as np

from jaxlite import lax
from jaxlite.api import jit
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import log_ndtr, logsumexp, ndtr
from jaxlite.scipy.stats import norm

__all__ = ["logpdf", "pdf", "logsf", "sf", "logcdf", "cdf"]


def _log_difference(log_x, log_y):
  """log(x - y) from log x and log y."""
  return logsumexp(jnp.array([log_x, log_y]),
                   b=jnp.array([jnp.ones_like(log_x), -jnp.ones_like(log_y)]), axis=0)


def _log_mass(a, b):
  """log(Phi(b) - Phi(a)), accurate in either tail (by symmetry) and in the centre."""
  a, b = jnp.broadcast_arrays(jnp.array(a), jnp.array(b))
  left, right = b <= 0, a > 0
  central = ~(left | right)
  tail_a = jnp.where(right, -b, a)
  tail_b = jnp.where(right, -a, b)
  tail = _log_difference(log_ndtr(tail_b), log_ndtr(tail_a))
  return jnp.where(central, jnp.log1p(-ndtr(a) - ndtr(-b)), tail)


@jit
def logpdf(x, a, b, loc=0, scale=1):
  """Log density: the normal's, renormalised over ``[a, b]``.

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.logpdf(0.0, -1.0, 1.0)
  Array(-0.5372233, dtype=float32)
  """
  x, a, b, loc, scale = promote_args_inexact("truncnorm.logpdf", x, a, b, loc, scale)
  value = lax.sub(norm.logpdf(x, loc, scale), _log_mass(a, b))
  z = lax.div(lax.sub(x, loc), scale)
  value = jnp.where((z < a) | (z > b), -np.inf, value)
  return jnp.where(a >= b, np.nan, value)


def pdf(x, a, b, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.pdf(0.0, -1.0, 1.0)
  Array(0.58436865, dtype=float32)
  """
  return lax.exp(logpdf(x, a, b, loc, scale))


@jit
def logcdf(x, a, b, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.logcdf(0.5, -1.0, 1.0)
  Array(-0.24788046, dtype=float32)
  """
  x, a, b, loc, scale = promote_args_inexact("truncnorm.logcdf", x, a, b, loc, scale)
  x, a, b = jnp.broadcast_arrays(x, a, b)
  z = lax.div(lax.sub(x, loc), scale)
  log_total = _log_mass(a, b)
  log_below = _log_mass(a, z) - log_total
  log_above = _log_mass(z, b) - log_total
  value = jnp.select([z >= b, z <= a, log_below > -0.1, z > a],
                     [0, -np.inf, jnp.log1p(-jnp.exp(log_above)), log_below])
  return jnp.where(a >= b, np.nan, value)


@jit
def cdf(x, a, b, loc=0, scale=1):
  """Distribution function.

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.cdf(0.5, -1.0, 1.0)
  Array(0.7804532, dtype=float32)
  """
  return lax.exp(logcdf(x, a, b, loc, scale))


@jit
def logsf(x, a, b, loc=0, scale=1):
  """Log survival function (the reflected distribution's log CDF).

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.logsf(0.5, -1.0, 1.0)
  Array(-1.51619, dtype=float32)
  """
  x, a, b, loc, scale = promote_args_inexact("truncnorm.logsf", x, a, b, loc, scale)
  return logcdf(-x, -b, -a, -loc, scale)


@jit
def sf(x, a, b, loc=0, scale=1):
  """Survival function.

  >>> from jaxlite.scipy.stats import truncnorm
  >>> truncnorm.sf(0.5, -1.0, 1.0)
  Array(0.21954677, dtype=float32)
  """
  return lax.exp(logsf(x, a, b, loc, scale))
