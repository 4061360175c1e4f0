"""The right-skewed Gumbel distribution: ``jax.scipy.stats.gumbel_r``, with
distribution function ``exp(-exp(-z))``, ``z = (x - loc)/scale``.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.cdf(0.0)
  Array(0.36787945, dtype=float32, weak_type=True)
"""
from jaxlite import lax
from jaxlite.scipy.special import log1mexp, xlogy
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const, standardized
from jaxlite.scipy.stats._gumbel import inside_open_unit, nan_unless, valid_scale

__all__ = ["logpdf", "pdf", "logcdf", "cdf", "ppf", "sf", "logsf"]


def logpdf(x, loc=0, scale=1):
  """Log density ``-(z + exp(-z)) - log(scale)``.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.logpdf(0.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_r.logpdf", x, loc, scale)
  z = standardized(x, loc, scale)
  return nan_unless(valid_scale(scale),
                    lax.add(xlogy(-1, scale), lax.neg(lax.add(z, lax.exp(lax.neg(z))))))


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.pdf(0.0)
  Array(0.36787945, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
  """Log distribution function ``-exp(-z)``.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.logcdf(0.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_r.logcdf", x, loc, scale)
  return nan_unless(valid_scale(scale), lax.neg(lax.exp(lax.neg(standardized(x, loc, scale)))))


def cdf(x, loc=0, scale=1):
  """Distribution function.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.cdf(0.0)
  Array(0.36787945, dtype=float32, weak_type=True)
  """
  return lax.exp(logcdf(x, loc, scale))


def ppf(p, loc=0, scale=1):
  """Quantile function ``loc - scale log(-log(p))``.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.ppf(0.5)
  Array(0.36651292, dtype=float32, weak_type=True)
  """
  p, loc, scale = promote_args_inexact("gumbel_r.ppf", p, loc, scale)
  quantile = lax.sub(loc, lax.mul(scale, lax.log(xlogy(-1, p))))
  return nan_unless(inside_open_unit(p), quantile)


def sf(x, loc=0, scale=1):
  """Survival function ``1 - exp(-exp(-z))``.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.sf(0.0)
  Array(0.63212055, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_r.sf", x, loc, scale)
  minus_z = lax.div(lax.sub(loc, x), scale)
  return nan_unless(valid_scale(scale),
                    lax.sub(const(x, 1), lax.exp(lax.neg(lax.exp(minus_z)))))


def logsf(x, loc=0, scale=1):
  """Log survival function ``log(1 - exp(-exp(-z)))``.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.logsf(0.0)
  Array(-0.45867515, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("gumbel_r.logsf", x, loc, scale)
  minus_z = lax.div(lax.sub(loc, x), scale)
  return nan_unless(valid_scale(scale), log1mexp(lax.exp(minus_z)))
