"""The gamma distribution with shape ``a``: ``jax.scipy.stats.gamma``, density
``y^(a-1) e^-y / (Gamma(a) scale)`` with ``y = (x - loc)/scale >= 0``.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.cdf(1.0, 1.0)
  Array(0.6321202, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import gammainc, gammaincc, gammaln, xlogy
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, a, loc=0, scale=1):
  """Log density.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.logpdf(2.0, 3.0)
  Array(-1.306853, dtype=float32, weak_type=True)
  """
  x, a, loc, scale = promote_args_inexact("gamma.logpdf", x, a, loc, scale)
  on_support = lax.ge(x, loc)
  one = const(x, 1)
  y = jnp.where(on_support, standardized(x, loc, scale), one)
  log_kernel = lax.sub(xlogy(lax.sub(a, one), y), y)
  log_density = lax.sub(log_kernel, lax.add(gammaln(a), lax.log(scale)))
  return jnp.where(on_support, log_density, -np.inf)


def pdf(x, a, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.pdf(2.0, 3.0)
  Array(0.2706705, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0, scale=1):
  """Distribution function ``P(a, y)``.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.cdf(2.0, 3.0)
  Array(0.32332352, dtype=float32, weak_type=True)
  """
  x, a, loc, scale = promote_args_inexact("gamma.cdf", x, a, loc, scale)
  return gammainc(a, lax.clamp(const(x, 0), standardized(x, loc, scale), const(x, np.inf)))


def logcdf(x, a, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.logcdf(2.0, 3.0)
  Array(-1.1291019, dtype=float32, weak_type=True)
  """
  return lax.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0, scale=1):
  """Survival function ``Q(a, y)``.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.sf(2.0, 3.0)
  Array(0.6766765, dtype=float32, weak_type=True)
  """
  x, a, loc, scale = promote_args_inexact("gamma.sf", x, a, loc, scale)
  y = standardized(x, loc, scale)
  return jnp.where(lax.lt(y, const(y, 0)), 1, gammaincc(a, y))


def logsf(x, a, loc=0, scale=1):
  """Log survival function.

  >>> from jaxlite.scipy.stats import gamma
  >>> gamma.logsf(2.0, 3.0)
  Array(-0.39056197, dtype=float32, weak_type=True)
  """
  return lax.log(sf(x, a, loc, scale))
