"""The normal distribution: ``jax.scipy.stats.norm``.

Every function takes ``loc`` and ``scale`` (defaults 0 and 1) and works
elementwise with broadcasting.
"""
from __future__ import annotations

import numpy as np

from jaxlite import core, lax
from jaxlite.lax import structural as lax_structural
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy import special

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "ppf", "sf", "logsf", "isf"]


def _scalar_like(x, value):
  """``value`` as a rank-0 constant of ``x``'s type (a literal in jaxprs, as JAX's)."""
  aval = core.get_aval(x)
  return lax.convert_element_type(value, aval.dtype) if not aval.weak_type else \
      lax_structural._convert_element_type(value, aval.dtype, True)


def logpdf(x, loc=0, scale=1):
  r"""The log of the normal density ``-((x - loc)/scale)**2 / 2 - log(sqrt(2 pi) scale)``.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.logpdf(0.)
  Array(-0.9189385, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("norm.logpdf", x, loc, scale)
  scale_sqrd = lax.square(scale)
  log_normalizer = lax.log(lax.mul(lax.full_like(scale_sqrd, 2 * np.pi), scale_sqrd))
  quadratic = lax.div(lax.square(lax.sub(x, loc)), scale_sqrd)
  # A scalar divisor (a literal in the jaxpr), as JAX.
  return lax.div(lax.add(log_normalizer, quadratic), _scalar_like(quadratic, -2))


def pdf(x, loc=0, scale=1):
  r"""The normal density.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.pdf(0.)
  Array(0.3989423, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
  r"""The normal CDF ``ndtr((x - loc) / scale)``.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.cdf(0.)
  Array(0.5, dtype=float32)
  """
  x, loc, scale = promote_args_inexact("norm.cdf", x, loc, scale)
  return special.ndtr(lax.div(lax.sub(x, loc), scale))


def logcdf(x, loc=0, scale=1):
  r"""The log of the normal CDF, accurate in the lower tail.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.logcdf(0.)
  Array(-0.6931472, dtype=float32)
  """
  x, loc, scale = promote_args_inexact("norm.logcdf", x, loc, scale)
  return special.log_ndtr(lax.div(lax.sub(x, loc), scale))


def ppf(q, loc=0, scale=1):
  r"""The quantile function (inverse CDF) ``loc + scale * ndtri(q)``.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.ppf(0.5)
  Array(0., dtype=float32)
  """
  return jnp.asarray(special.ndtri(q) * scale + loc, float)


def sf(x, loc=0, scale=1):
  r"""The survival function ``1 - cdf`` (computed as ``cdf`` of the mirror image).

  >>> from jaxlite.scipy.stats import norm
  >>> norm.sf(0.)
  Array(0.5, dtype=float32)
  """
  x, loc, scale = promote_args_inexact("norm.sf", x, loc, scale)
  return cdf(lax.neg(x), lax.neg(loc), scale)


def logsf(x, loc=0, scale=1):
  r"""The log of the survival function.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.logsf(0.)
  Array(-0.6931472, dtype=float32)
  """
  x, loc, scale = promote_args_inexact("norm.logsf", x, loc, scale)
  return logcdf(lax.neg(x), lax.neg(loc), scale)


def isf(q, loc=0, scale=1):
  r"""The inverse survival function ``ppf(1 - q)``.

  >>> from jaxlite.scipy.stats import norm
  >>> norm.isf(0.5)
  Array(0., dtype=float32)
  """
  return ppf(lax.sub(lax.full_like(jnp.asarray(q), 1), q), loc, scale)
