"""The Pareto distribution with shape ``b``: ``jax.scipy.stats.pareto``,
supported on ``x >= loc + scale``.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.cdf(2.0, 1.0)
  Array(0.5, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const, outside_unit_interval, standardized

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "logsf", "sf", "ppf"]


def _below_support(x, loc, scale):
  return lax.lt(x, lax.add(loc, scale))


def logpdf(x, b, loc=0, scale=1):
  """Log density ``log(b/scale) - (b + 1) log(z)``.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.logpdf(2.0, 1.0)
  Array(-1.3862944, dtype=float32, weak_type=True)
  """
  x, b, loc, scale = promote_args_inexact("pareto.logpdf", x, b, loc, scale)
  z = standardized(x, loc, scale)
  log_density = lax.neg(lax.add(lax.log(lax.div(scale, b)),
                                lax.mul(lax.add(b, const(x, 1)), lax.log(z))))
  return jnp.where(_below_support(x, loc, scale), -np.inf, log_density)


def pdf(x, b, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.pdf(2.0, 1.0)
  Array(0.25, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, b, loc, scale))


def cdf(x, b, loc=0, scale=1):
  """Distribution function ``1 - z^-b``.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.cdf(2.0, 1.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  x, b, loc, scale = promote_args_inexact("pareto.cdf", x, b, loc, scale)
  z = standardized(x, loc, scale)
  value = lax.sub(const(x, 1), lax.pow(z, lax.neg(b)))
  return jnp.where(_below_support(x, loc, scale), const(x, 0), value)


def logcdf(x, b, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.logcdf(2.0, 1.0)
  Array(-0.6931472, dtype=float32, weak_type=True)
  """
  x, b, loc, scale = promote_args_inexact("pareto.logcdf", x, b, loc, scale)
  z = standardized(x, loc, scale)
  value = lax.log1p(lax.neg(lax.pow(z, lax.neg(b))))
  return jnp.where(_below_support(x, loc, scale), -np.inf, value)


def logsf(x, b, loc=0, scale=1):
  """Log survival function ``-b log(z)``.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.logsf(2.0, 1.0)
  Array(-0.6931472, dtype=float32, weak_type=True)
  """
  x, b, loc, scale = promote_args_inexact("pareto.logsf", x, b, loc, scale)
  z = standardized(x, loc, scale)
  return jnp.where(_below_support(x, loc, scale), const(x, 0), lax.neg(lax.mul(b, lax.log(z))))


def sf(x, b, loc=0, scale=1):
  """Survival function.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.sf(2.0, 1.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return lax.exp(logsf(x, b, loc, scale))


def ppf(q, b, loc=0, scale=1):
  """Quantile function ``loc + scale (1 - q)^(-1/b)``.

  >>> from jaxlite.scipy.stats import pareto
  >>> pareto.ppf(0.5, 1.0)
  Array(2., dtype=float32, weak_type=True)
  """
  q, b, loc, scale = promote_args_inexact("pareto.ppf", q, b, loc, scale)
  one = const(q, 1)
  value = lax.add(loc, lax.mul(scale, lax.pow(lax.sub(one, q), lax.neg(lax.div(one, b)))))
  return jnp.where(outside_unit_interval(q), np.nan, value)
