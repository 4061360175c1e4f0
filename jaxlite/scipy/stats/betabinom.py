"""The beta-binomial distribution: ``jax.scipy.stats.betabinom``, ``n`` trials
whose success probability is drawn from Beta(a, b).

  >>> from jaxlite.scipy.stats import betabinom
  >>> betabinom.pmf(1, 2, 1.0, 1.0)
  Array(0.33333302, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import betaln
from jaxlite.scipy.stats._common import const

__all__ = ["logpmf", "pmf"]


def logpmf(k, n, a, b, loc=0):
  """Log probability ``-log(n + 1) - log B(n - y + 1, y + 1) + log B(y + a, n - y + b) - log B(a, b)``.

  >>> from jaxlite.scipy.stats import betabinom
  >>> betabinom.logpmf(1, 2, 1.0, 1.0)
  Array(-1.0986133, dtype=float32, weak_type=True)
  """
  k, n, a, b, loc = promote_args_inexact("betabinom.logpmf", k, n, a, b, loc)
  y = lax.sub(lax.floor(k), loc)
  one, zero = const(y, 1), const(y, 0)
  log_comb = lax.neg(lax.add(lax.log1p(n), betaln(lax.add(lax.sub(n, y), one), lax.add(y, one))))
  log_betas = lax.sub(betaln(lax.add(y, a), lax.add(lax.sub(n, y), b)), betaln(a, b))
  log_probs = lax.add(log_comb, log_betas)
  log_probs = jnp.where(jnp.logical_and(lax.eq(y, zero), lax.eq(n, zero)), 0.0, log_probs)
  outside = jnp.logical_or(jnp.logical_or(lax.lt(y, lax.neg(loc)), lax.gt(y, n)),
                           lax.le(lax.add(y, a), zero))
  log_probs = jnp.where(outside, -np.inf, log_probs)
  invalid = jnp.logical_or(jnp.logical_or(lax.lt(n, zero), lax.le(a, zero)), lax.le(b, zero))
  return jnp.where(invalid, np.nan, log_probs)


def pmf(k, n, a, b, loc=0):
  """Probability mass.

  >>> from jaxlite.scipy.stats import betabinom
  >>> betabinom.pmf(0, 2, 2.0, 1.0)
  Array(0.16666652, dtype=float32, weak_type=True)
  """
  return lax.exp(logpmf(k, n, a, b, loc))
