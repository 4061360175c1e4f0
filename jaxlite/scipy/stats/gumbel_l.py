"""The left-skewed Gumbel distribution: ``jax.scipy.stats.gumbel_l``, with
distribution function ``1 - exp(-exp(z))``, ``z = (x - loc)/scale``.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.cdf(0.0)
  Array(0.63212055, dtype=float32, weak_type=True)
"""
from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.scipy.special import xlog1py, xlogy
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import standardized
from jaxlite.scipy.stats._gumbel import inside_open_unit, nan_unless, valid_scale

__all__ = ["logpdf", "pdf", "logcdf", "cdf", "ppf", "sf", "logsf"]


def logpdf(x, loc=0, scale=1):
  """Log density ``z - exp(z) - log(scale)``.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.logpdf(0.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_l.logpdf", x, loc, scale)
  z = standardized(x, loc, scale)
  return nan_unless(valid_scale(scale), lax.add(xlogy(-1, scale), lax.sub(z, lax.exp(z))))


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.pdf(0.0)
  Array(0.36787945, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
  """Log distribution function ``log(1 - exp(-exp(z)))``.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.logcdf(0.0)
  Array(-0.45867515, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_l.logcdf", x, loc, scale)
  z = standardized(x, loc, scale)
  return nan_unless(valid_scale(scale), lax.log(-lax.expm1(lax.neg(lax.exp(z)))))


def cdf(x, loc=0, scale=1):
  """Distribution function.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.cdf(0.0)
  Array(0.63212055, dtype=float32, weak_type=True)
  """
  return lax.exp(logcdf(x, loc, scale))


def ppf(p, loc=0, scale=1):
  """Quantile function ``loc + scale log(-log(1 - p))``.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.ppf(0.5)
  Array(-0.36651292, dtype=float32, weak_type=True)
  """
  p, loc, scale = promote_args_inexact("gumbel_l.ppf", p, loc, scale)
  quantile = lax.add(loc, lax.mul(scale, lax.log(xlog1py(-1, lax.neg(p)))))
  return nan_unless(inside_open_unit(p), quantile)


def logsf(x, loc=0, scale=1):
  """Log survival function ``-exp(z)``.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.logsf(0.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_l.logsf", x, loc, scale)
  return nan_unless(valid_scale(scale), lax.neg(lax.exp(standardized(x, loc, scale))))


def sf(x, loc=0, scale=1):
  """Survival function.

  >>> from jaxlite.scipy.stats import gumbel_l
  >>> gumbel_l.sf(0.0)
  Array(0.36787945, dtype=float32, weak_type=True)
  """
  return jnp.exp(logsf(x, loc, scale))
