"""The Poisson distribution with mean ``mu``: ``jax.scipy.stats.poisson``.

  >>> from jaxlite.scipy.stats import poisson
  >>> poisson.pmf(0, 2.0)
  Array(0.13533522, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
from jaxlite.api import jit
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact, promote_dtypes_inexact
from jaxlite.scipy.special import entr, gammaincc, gammaln, xlogy
from jaxlite.scipy.stats._common import const

__all__ = ["logpmf", "pmf", "cdf", "entropy"]


def logpmf(k, mu, loc=0):
  """Log probability ``x log mu - log x! - mu`` for integer ``x = k - loc >= 0``.

  >>> from jaxlite.scipy.stats import poisson
  >>> poisson.logpmf(2, 2.0)
  Array(-1.306853, dtype=float32, weak_type=True)
  """
  k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
  x = lax.sub(k, loc)
  log_probs = xlogy(x, mu) - gammaln(x + 1) - mu
  not_count = jnp.logical_or(lax.lt(x, const(k, 0)), lax.ne(jnp.round(k), k))
  return jnp.where(not_count, -np.inf, log_probs)


def pmf(k, mu, loc=0):
  """Probability mass.

  >>> from jaxlite.scipy.stats import poisson
  >>> poisson.pmf(2, 2.0)
  Array(0.2706705, dtype=float32, weak_type=True)
  """
  return jnp.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
  """Distribution function ``Q(floor(x) + 1, mu)``.

  >>> from jaxlite.scipy.stats import poisson
  >>> poisson.cdf(2, 2.0)
  Array(0.6766765, dtype=float32, weak_type=True)
  """
  k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
  x = lax.sub(k, loc)
  return jnp.where(lax.lt(x, const(k, 0)), const(k, 0), gammaincc(jnp.floor(1 + x), mu))


def _entropy_by_summation(mu, terms, width):
  """-sum p log p over the first ``terms`` counts, each column cut at its own
  ``width(mu)`` (counts beyond it carry negligible mass)."""
  k = jnp.arange(terms, dtype=mu.dtype)[:, None]
  probs = pmf(k, mu, 0)
  mask = k < jnp.ceil(width(mu)).astype(k.dtype)[None, :]
  return jnp.sum(entr(jnp.where(mask, probs, 0.0)), axis=0)


@jit
def entropy(mu, loc=0):
  """Entropy of the distribution: summed exactly for ``mu < 100``, by the
  asymptotic expansion ``log(2 pi e mu)/2 - 1/(12 mu)`` beyond.

  >>> from jaxlite.scipy.stats import poisson
  >>> poisson.entropy(jnp.array([1.0, 200.0]))
  Array([1.3048419, 4.0676804], dtype=float32)
  """
  mu, loc = promote_dtypes_inexact(jnp.asarray(mu), jnp.asarray(loc))
  shape = jnp.broadcast_shapes(mu.shape, loc.shape)
  flat = jnp.ravel(mu)
  small = _entropy_by_summation(flat, 35, lambda m: m + 20)
  medium = _entropy_by_summation(flat, 250, lambda m: m + 10 * jnp.sqrt(m) + 20)
  large = 0.5 * jnp.log(2 * np.pi * np.e * flat) - 1.0 / (12 * flat)
  value = jnp.where(flat == 0, jnp.zeros_like(flat),
                    jnp.where(flat < 10, small, jnp.where(flat < 100, medium, large)))
  return jnp.broadcast_to(jnp.reshape(value, mu.shape), shape)
