"""The geometric distribution (trials up to the first success, ``k >= 1``):
``jax.scipy.stats.geom``.

  >>> from jaxlite.scipy.stats import geom
  >>> geom.pmf(2, 0.5)
  Array(0.25, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import xlog1py
from jaxlite.scipy.stats._common import const

__all__ = ["logpmf", "pmf"]


def logpmf(k, p, loc=0):
  """Log probability ``(k - 1) log(1 - p) + log p``.

  >>> from jaxlite.scipy.stats import geom
  >>> geom.logpmf(2, 0.5)
  Array(-1.3862944, dtype=float32, weak_type=True)
  """
  k, p, loc = promote_args_inexact("geom.logpmf", k, p, loc)
  x = lax.sub(k, loc)
  log_probs = xlog1py(lax.sub(x, const(k, 1)), -p) + lax.log(p)
  return jnp.where(lax.le(x, const(k, 0)), -np.inf, log_probs)


def pmf(k, p, loc=0):
  """Probability mass.

  >>> from jaxlite.scipy.stats import geom
  >>> geom.pmf(1, 0.5)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return jnp.exp(logpmf(k, p, loc))
