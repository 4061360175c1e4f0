"""The Cauchy distribution: ``jax.scipy.stats.cauchy``, density
``1 / (pi scale (1 + z^2))`` with ``z = (x - loc)/scale``.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.cdf(1.0)
  Array(0.75, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]


def logpdf(x, loc=0, scale=1):
  """Log density.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.logpdf(0.0)
  Array(-1.1447299, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("cauchy.logpdf", x, loc, scale)
  z = standardized(x, loc, scale)
  return lax.neg(lax.add(lax.log(lax.mul(const(x, np.pi), scale)),
                         lax.log1p(lax.mul(z, z))))


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.pdf(0.0)
  Array(0.3183099, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
  """Distribution function ``1/2 + atan(z)/pi``.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.cdf(1.0)
  Array(0.75, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("cauchy.cdf", x, loc, scale)
  z = standardized(x, loc, scale)
  return lax.add(const(x, 0.5), lax.mul(lax.div(const(x, 1.0), const(x, np.pi)), lax.atan(z)))


def logcdf(x, loc=0, scale=1):
  """Log distribution function.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.logcdf(1.0)
  Array(-0.2876821, dtype=float32, weak_type=True)
  """
  return lax.log(cdf(x, loc, scale))


def sf(x, loc=0, scale=1):
  """Survival function (the distribution function reflected).

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.sf(1.0)
  Array(0.25, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("cauchy.sf", x, loc, scale)
  return cdf(-x, -loc, scale)


def logsf(x, loc=0, scale=1):
  """Log survival function.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.logsf(1.0)
  Array(-1.3862944, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("cauchy.logsf", x, loc, scale)
  return logcdf(-x, -loc, scale)


def _quantile(q, loc, scale, sign):
  half_turns = lax.sub(lax.mul(const(q, np.pi), q), const(q, np.pi / 2))
  return lax.add(lax.mul(lax.tan(half_turns if sign > 0 else lax.neg(half_turns)), scale), loc)


def ppf(q, loc=0, scale=1):
  """Quantile function ``loc + scale tan(pi (q - 1/2))``.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.ppf(0.75)
  Array(0.99999994, dtype=float32, weak_type=True)
  """
  q, loc, scale = promote_args_inexact("cauchy.ppf", q, loc, scale)
  return _quantile(q, loc, scale, +1)


def isf(q, loc=0, scale=1):
  """Inverse survival function.

  >>> from jaxlite.scipy.stats import cauchy
  >>> cauchy.isf(0.25)
  Array(1., dtype=float32, weak_type=True)
  """
  q, loc, scale = promote_args_inexact("cauchy.isf", q, loc, scale)
  return _quantile(q, loc, scale, -1)
