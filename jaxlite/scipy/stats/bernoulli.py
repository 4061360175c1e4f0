"""The Bernoulli distribution with success probability ``p``: ``jax.scipy.stats.bernoulli``.

  >>> from jaxlite.scipy.stats import bernoulli
  >>> bernoulli.pmf(1, 0.3)
  Array(0.3, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.special import xlog1py, xlogy
from jaxlite.scipy.stats._common import const

__all__ = ["logpmf", "pmf", "cdf", "ppf"]


def logpmf(k, p, loc=0):
  """Log probability ``k log p + (1 - k) log(1 - p)`` for ``k - loc`` in {0, 1}.

  >>> from jaxlite.scipy.stats import bernoulli
  >>> bernoulli.logpmf(0, 0.25)
  Array(-0.28768206, dtype=float32, weak_type=True)
  """
  k, p, loc = promote_args_inexact("bernoulli.logpmf", k, p, loc)
  x = lax.sub(k, loc)
  log_probs = xlogy(x, p) + xlog1py(lax.sub(const(k, 1), x), -p)
  outside = jnp.logical_or(lax.lt(x, const(k, 0)), lax.gt(x, const(k, 1)))
  return jnp.where(outside, -np.inf, log_probs)


def pmf(k, p, loc=0):
  """Probability mass.

  >>> from jaxlite.scipy.stats import bernoulli
  >>> bernoulli.pmf(0, 0.25)
  Array(0.75, dtype=float32, weak_type=True)
  """
  return jnp.exp(logpmf(k, p, loc))


def _bad_p(p):
  return jnp.isnan(p) | (p < 0) | (p > 1)


def cdf(k, p):
  """Distribution function.

  >>> from jaxlite.scipy.stats import bernoulli
  >>> bernoulli.cdf(jnp.array([-1.0, 0.0, 1.0]), 0.25)
  Array([0.  , 0.75, 1.  ], dtype=float32)
  """
  k, p = promote_args_inexact("bernoulli.cdf", k, p)
  zero, one = const(k, 0), const(k, 1)
  return jnp.select([jnp.isnan(k) | _bad_p(p), lax.lt(k, zero),
                     jnp.logical_and(lax.ge(k, zero), lax.lt(k, one)), lax.ge(k, one)],
                    [jnp.nan, zero, one - p, one])


def ppf(q, p):
  """Quantile function: 0 for ``q <= 1 - p``, else 1.

  >>> from jaxlite.scipy.stats import bernoulli
  >>> bernoulli.ppf(jnp.array([0.5, 0.9]), 0.25)
  Array([0., 1.], dtype=float32)
  """
  q, p = promote_args_inexact("bernoulli.ppf", q, p)
  zero, one = const(q, 0), const(q, 1)
  invalid = jnp.isnan(q) | _bad_p(p) | (q < zero) | (q > one)
  return jnp.where(invalid, jnp.nan, jnp.where(lax.le(q, one - p), zero, one))
