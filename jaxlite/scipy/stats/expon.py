"""The exponential distribution: ``jax.scipy.stats.expon``, density
``exp(-(x - loc)/scale) / scale`` for ``x >= loc``.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.cdf(1.0)
  Array(0.63212055, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import outside_unit_interval, standardized

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"]


def logpdf(x, loc=0, scale=1):
  """Log density.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.logpdf(1.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("expon.logpdf", x, loc, scale)
  log_density = lax.neg(lax.add(standardized(x, loc, scale), lax.log(scale)))
  return jnp.where(lax.lt(x, loc), -np.inf, log_density)


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.pdf(1.0)
  Array(0.36787945, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
  """Distribution function ``1 - exp(-(x - loc)/scale)``.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.cdf(1.0)
  Array(0.63212055, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("expon.cdf", x, loc, scale)
  minus_z = lax.div(lax.sub(loc, x), scale)
  return jnp.where(lax.lt(x, loc), jnp.zeros_like(minus_z), lax.neg(lax.expm1(minus_z)))


def logsf(x, loc=0, scale=1):
  """Log survival function ``-(x - loc)/scale``.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.logsf(2.0)
  Array(-2., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("expon.sf", x, loc, scale)
  minus_z = lax.div(lax.sub(loc, x), scale)
  return jnp.where(lax.lt(x, loc), jnp.zeros_like(minus_z), minus_z)


def sf(x, loc=0, scale=1):
  """Survival function.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.sf(2.0)
  Array(0.13533528, dtype=float32, weak_type=True)
  """
  return lax.exp(logsf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.logcdf(1.0)
  Array(-0.45867515, dtype=float32, weak_type=True)
  """
  return lax.log1p(lax.neg(sf(x, loc, scale)))


def ppf(q, loc=0, scale=1):
  """Quantile function ``loc - scale * log(1 - q)``.

  >>> from jaxlite.scipy.stats import expon
  >>> expon.ppf(0.5)
  Array(0.6931472, dtype=float32, weak_type=True)
  """
  q, loc, scale = promote_args_inexact("expon.ppf", q, loc, scale)
  quantile = lax.sub(loc, lax.mul(scale, lax.log1p(lax.neg(q))))
  return jnp.where(outside_unit_interval(q), np.nan, quantile)
