"""The Laplace distribution: ``jax.scipy.stats.laplace``, density
``exp(-|x - loc|/scale) / (2 scale)``.

  >>> from jaxlite.scipy.stats import laplace
  >>> laplace.cdf(0.0)
  Array(0.5, dtype=float32, weak_type=True)
"""
from jaxlite import lax
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf", "cdf"]


def logpdf(x, loc=0, scale=1):
  """Log density.

  >>> from jaxlite.scipy.stats import laplace
  >>> laplace.logpdf(1.0)
  Array(-1.6931472, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("laplace.logpdf", x, loc, scale)
  distance = lax.div(lax.abs(lax.sub(x, loc)), scale)
  return lax.neg(lax.add(distance, lax.log(lax.mul(const(x, 2), scale))))


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import laplace
  >>> laplace.pdf(0.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
  """Distribution function.

  >>> from jaxlite.scipy.stats import laplace
  >>> laplace.cdf(1.0)
  Array(0.8160603, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("laplace.cdf", x, loc, scale)
  z = standardized(x, loc, scale)
  half = const(x, 0.5)
  return lax.select(lax.le(z, const(x, 0)), lax.mul(half, lax.exp(z)),
                    lax.sub(const(x, 1), lax.mul(half, lax.exp(lax.neg(z)))))
