"""The beta distribution with shapes ``a`` and ``b`` on ``[loc, loc + scale]``:
``jax.scipy.stats.beta``.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.cdf(0.5, 2.0, 2.0)
  Array(0.49999958, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import betainc, betaln, xlog1py, xlogy
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, a, b, loc=0, scale=1):
  """Log density; nan for non-positive ``a``, ``b`` or ``scale``.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.logpdf(0.5, 2.0, 2.0)
  Array(0.40546596, dtype=float32, weak_type=True)
  """
  x, a, b, loc, scale = promote_args_inexact("beta.logpdf", x, a, b, loc, scale)
  one, zero = const(x, 1), const(a, 0)
  y = standardized(x, loc, scale)
  log_kernel = lax.add(xlogy(lax.sub(a, one), y), xlog1py(lax.sub(b, one), lax.neg(y)))
  log_density = lax.sub(lax.add(lax.neg(betaln(a, b)), log_kernel), lax.log(scale))
  off_support = jnp.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc))
  result = jnp.where(off_support, -np.inf, log_density)
  bad = jnp.logical_or(jnp.logical_or(lax.le(a, zero), lax.le(b, zero)), lax.le(scale, zero))
  return jnp.where(bad, np.nan, result)


def pdf(x, a, b, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.pdf(0.5, 2.0, 2.0)
  Array(1.5000013, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, a, b, loc, scale))


def _unit(x, loc, scale):
  return lax.clamp(const(x, 0), standardized(x, loc, scale), const(x, 1))


def cdf(x, a, b, loc=0, scale=1):
  """Distribution function ``I_y(a, b)``.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.cdf(0.25, 2.0, 3.0)
  Array(0.26171887, dtype=float32, weak_type=True)
  """
  x, a, b, loc, scale = promote_args_inexact("beta.cdf", x, a, b, loc, scale)
  return betainc(a, b, _unit(x, loc, scale))


def logcdf(x, a, b, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.logcdf(0.25, 2.0, 3.0)
  Array(-1.3404844, dtype=float32, weak_type=True)
  """
  return lax.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
  """Survival function ``I_{1-y}(b, a)``.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.sf(0.25, 2.0, 3.0)
  Array(0.73828113, dtype=float32, weak_type=True)
  """
  x, a, b, loc, scale = promote_args_inexact("beta.sf", x, a, b, loc, scale)
  return betainc(b, a, 1 - _unit(x, loc, scale))


def logsf(x, a, b, loc=0, scale=1):
  """Log survival function.

  >>> from jaxlite.scipy.stats import beta
  >>> beta.logsf(0.25, 2.0, 3.0)
  Array(-0.3034306, dtype=float32, weak_type=True)
  """
  return lax.log(sf(x, a, b, loc, scale))
