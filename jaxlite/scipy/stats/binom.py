"""The binomial distribution of ``n`` trials with success probability ``p``:
``jax.scipy.stats.binom``.

  >>> from jaxlite.scipy.stats import binom
  >>> binom.pmf(2, 4, 0.5)
  Array(0.37500018, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import gammaln, xlog1py, xlogy
from jaxlite.scipy.stats._common import const

__all__ = ["logpmf", "pmf"]


def logpmf(k, n, p, loc=0):
  """Log probability ``log C(n, y) + y log p + (n - y) log(1 - p)``, ``y = k - loc``.

  >>> from jaxlite.scipy.stats import binom
  >>> binom.logpmf(2, 4, 0.5)
  Array(-0.98082876, dtype=float32, weak_type=True)
  """
  k, n, p, loc = promote_args_inexact("binom.logpmf", k, n, p, loc)
  y = lax.sub(k, loc)
  zero = const(y, 0)
  log_comb = lax.sub(gammaln(n + 1), lax.add(gammaln(y + 1), gammaln(n - y + 1)))
  log_kernel = lax.add(xlogy(y, p), xlog1py(lax.sub(n, y), lax.neg(p)))
  log_probs = lax.add(log_comb, log_kernel)
  certain = jnp.logical_or(jnp.logical_and(lax.eq(y, zero), lax.eq(n, zero)),
                           lax.eq(log_kernel, zero))
  log_probs = jnp.where(certain, 0.0, log_probs)
  return jnp.where(lax.ge(k, loc) & lax.lt(k, loc + n + 1), log_probs, -np.inf)


def pmf(k, n, p, loc=0):
  """Probability mass.

  >>> from jaxlite.scipy.stats import binom
  >>> binom.pmf(0, 4, 0.5)
  Array(0.06249997, dtype=float32, weak_type=True)
  """
  return lax.exp(logpmf(k, n, p, loc))
