"""The chi-squared distribution with ``df`` degrees of freedom: ``jax.scipy.stats.chi2``.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.cdf(2.0, 2.0)
  Array(0.6321202, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import gammainc, gammaincc
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, df, loc=0, scale=1):
  """Log density.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.logpdf(2.0, 2.0)
  Array(-1.6931477, dtype=float32, weak_type=True)
  """
  x, df, loc, scale = promote_args_inexact("chi2.logpdf", x, df, loc, scale)
  one, two = const(x, 1), const(x, 2)
  y = standardized(x, loc, scale)
  half_df = lax.div(df, two)
  kernel = lax.sub(lax.mul(lax.sub(half_df, one), lax.log(y)), lax.div(y, two))
  normalizer = lax.neg(lax.add(lax.lgamma(half_df), lax.div(lax.mul(lax.log(two), df), two)))
  log_density = lax.add(lax.sub(normalizer, lax.log(scale)), kernel)
  return jnp.where(lax.lt(x, loc), -np.inf, log_density)


def pdf(x, df, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.pdf(2.0, 2.0)
  Array(0.18393964, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, df, loc, scale))


def _half_y(x, loc, scale):
  return lax.clamp(const(x, 0), lax.div(lax.sub(x, loc), lax.mul(scale, const(scale, 2))),
                   const(x, np.inf))


def cdf(x, df, loc=0, scale=1):
  """Distribution function ``P(df/2, y/2)``.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.cdf(2.0, 2.0)
  Array(0.6321202, dtype=float32, weak_type=True)
  """
  x, df, loc, scale = promote_args_inexact("chi2.cdf", x, df, loc, scale)
  return gammainc(lax.div(df, const(scale, 2)), _half_y(x, loc, scale))


def logcdf(x, df, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.logcdf(2.0, 2.0)
  Array(-0.4586757, dtype=float32, weak_type=True)
  """
  return lax.log(cdf(x, df, loc, scale))


def sf(x, df, loc=0, scale=1):
  """Survival function ``Q(df/2, y/2)``.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.sf(2.0, 2.0)
  Array(0.36787927, dtype=float32, weak_type=True)
  """
  x, df, loc, scale = promote_args_inexact("chi2.sf", x, df, loc, scale)
  return gammaincc(lax.div(df, const(scale, 2)), _half_y(x, loc, scale))


def logsf(x, df, loc=0, scale=1):
  """Log survival function.

  >>> from jaxlite.scipy.stats import chi2
  >>> chi2.logsf(2.0, 2.0)
  Array(-1.0000005, dtype=float32, weak_type=True)
  """
  return lax.log(sf(x, df, loc, scale))
