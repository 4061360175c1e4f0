"""The logistic distribution: ``jax.scipy.stats.logistic``, with distribution
function ``expit((x - loc)/scale)``.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.cdf(0.0)
  Array(0.5, dtype=float32, weak_type=True)
"""
from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import expit, logit
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf", "cdf", "sf", "ppf", "isf"]


def logpdf(x, loc=0, scale=1):
  """Log density ``-2 log(2 cosh(z/2)) - log(scale)``, stable for large ``|z|``.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.logpdf(0.0)
  Array(-1.3862944, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("logistic.logpdf", x, loc, scale)
  half_z = lax.div(standardized(x, loc, scale), const(x, 2))
  two = const(x, 2)
  return lax.sub(lax.mul(lax.neg(two), jnp.logaddexp(half_z, lax.neg(half_z))),
                 lax.log(scale))


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.pdf(0.0)
  Array(0.25, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
  """Distribution function.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.cdf(1.0)
  Array(0.7310586, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("logistic.cdf", x, loc, scale)
  return expit(standardized(x, loc, scale))


def sf(x, loc=0, scale=1):
  """Survival function.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.sf(1.0)
  Array(0.26894143, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("logistic.sf", x, loc, scale)
  return expit(lax.neg(standardized(x, loc, scale)))


def ppf(x, loc=0, scale=1):
  """Quantile function ``loc + scale * logit(q)``.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.ppf(0.5)
  Array(0., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("logistic.ppf", x, loc, scale)
  return lax.add(lax.mul(logit(x), scale), loc)


def isf(x, loc=0, scale=1):
  """Inverse survival function.

  >>> from jaxlite.scipy.stats import logistic
  >>> logistic.isf(0.5)
  Array(0., dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("logistic.isf", x, loc, scale)
  return lax.add(lax.mul(lax.neg(logit(x)), scale), loc)
