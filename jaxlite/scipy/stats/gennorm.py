"""The generalized normal distribution with shape ``beta``:
``jax.scipy.stats.gennorm``, density ``beta / (2 Gamma(1/beta)) exp(-|x|^beta)``.

  >>> from jaxlite.scipy.stats import gennorm
  >>> gennorm.cdf(0.0, 2.0)
  Array(0.5, dtype=float32, weak_type=True)
"""
from jaxlite import lax
from jaxlite.numpy.promotion import promote_args_inexact

__all__ = ["logpdf", "cdf", "pdf"]


def logpdf(x, beta):
  """Log density.

  >>> from jaxlite.scipy.stats import gennorm
  >>> gennorm.logpdf(1.0, 2.0)
  Array(-1.5723648, dtype=float32, weak_type=True)
  """
  x, beta = promote_args_inexact("gennorm.logpdf", x, beta)
  return lax.log(0.5 * beta) - lax.lgamma(1 / beta) - lax.abs(x) ** beta


def cdf(x, beta):
  """Distribution function ``(1 + sign(x) P(1/beta, |x|^beta)) / 2``.

  >>> from jaxlite.scipy.stats import gennorm
  >>> gennorm.cdf(1.0, 2.0)
  Array(0.9213504, dtype=float32, weak_type=True)
  """
  x, beta = promote_args_inexact("gennorm.cdf", x, beta)
  return 0.5 * (1 + lax.sign(x) * lax.igamma(1 / beta, lax.abs(x) ** beta))


def pdf(x, beta):
  """Density.

  >>> from jaxlite.scipy.stats import gennorm
  >>> gennorm.pdf(1.0, 2.0)
  Array(0.20755377, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, beta))
