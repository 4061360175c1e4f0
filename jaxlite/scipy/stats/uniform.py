"""The uniform distribution on ``[loc, loc + scale]``: ``jax.scipy.stats.uniform``.

  >>> from jaxlite.scipy.stats import uniform
  >>> uniform.cdf(0.25)
  Array(0.25, dtype=float32)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import outside_unit_interval

__all__ = ["logpdf", "pdf", "cdf", "ppf"]


def _outside(x, loc, scale):
  return jnp.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc))


def logpdf(x, loc=0, scale=1):
  """Log density ``-log(scale)`` on the support, ``-inf`` off it.

  >>> from jaxlite.scipy.stats import uniform
  >>> uniform.logpdf(0.5, 0.0, 2.0)
  Array(-0.6931472, dtype=float32, weak_type=True)
  """
  x, loc, scale = promote_args_inexact("uniform.logpdf", x, loc, scale)
  return jnp.where(_outside(x, loc, scale), -np.inf, lax.neg(lax.log(scale)))


def pdf(x, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import uniform
  >>> uniform.pdf(0.5, 0.0, 2.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
  """Distribution function.

  >>> from jaxlite.scipy.stats import uniform
  >>> uniform.cdf(jnp.array([-1.0, 0.5, 3.0]), 0.0, 2.0)
  Array([0.  , 0.25, 1.  ], dtype=float32)
  """
  x, loc, scale = map(jnp.asarray, promote_args_inexact("uniform.cdf", x, loc, scale))
  zero, one = jnp.array(0, x.dtype), jnp.array(1, x.dtype)
  top = lax.add(loc, scale)
  return jnp.select([lax.lt(x, loc), lax.gt(x, top), lax.ge(x, loc) & lax.le(x, top)],
                    [zero, one, lax.div(lax.sub(x, loc), scale)])


def ppf(q, loc=0, scale=1):
  """Quantile function ``loc + scale * q``.

  >>> from jaxlite.scipy.stats import uniform
  >>> uniform.ppf(0.25, 1.0, 2.0)
  Array(1.5, dtype=float32, weak_type=True)
  """
  q, loc, scale = promote_args_inexact("uniform.ppf", q, loc, scale)
  return jnp.where(outside_unit_interval(q), np.nan, lax.add(loc, lax.mul(scale, q)))
