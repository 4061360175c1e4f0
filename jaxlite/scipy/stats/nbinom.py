"""The negative binomial distribution (failures before the ``n``-th success):
``jax.scipy.stats.nbinom``.

  >>> from jaxlite.scipy.stats import nbinom
  >>> nbinom.pmf(0, 2, 0.5)
  Array(0.24999988, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import gammaln, xlogy
from jaxlite.scipy.stats._common import const

__all__ = ["logpmf", "pmf"]


def logpmf(k, n, p, loc=0):
  """Log probability ``log C(y + n - 1, y) + n log p + y log(1 - p)``, ``y = k - loc``.

  >>> from jaxlite.scipy.stats import nbinom
  >>> nbinom.logpmf(1, 2, 0.5)
  Array(-1.3862941, dtype=float32, weak_type=True)
  """
  k, n, p, loc = promote_args_inexact("nbinom.logpmf", k, n, p, loc)
  one = const(k, 1)
  y = lax.sub(k, loc)
  log_comb = lax.sub(lax.sub(gammaln(lax.add(y, n)), gammaln(n)), gammaln(lax.add(y, one)))
  log_kernel = lax.add(xlogy(n, p), xlogy(y, lax.sub(one, p)))
  return jnp.where(lax.lt(k, loc), -np.inf, lax.add(log_comb, log_kernel))


def pmf(k, n, p, loc=0):
  """Probability mass.

  >>> from jaxlite.scipy.stats import nbinom
  >>> nbinom.pmf(1, 2, 0.5)
  Array(0.25000006, dtype=float32, weak_type=True)
  """
  return lax.exp(logpmf(k, n, p, loc))
