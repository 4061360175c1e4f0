"""The multinomial distribution of ``n`` draws over categories with
probabilities ``p`` (last axis): ``jax.scipy.stats.multinomial``.

  >>> from jaxlite.scipy.stats import multinomial
  >>> multinomial.pmf(jnp.array([1, 1]), 2, jnp.array([0.5, 0.5]))
  Array(0.5000001, dtype=float32)
"""
import numpy as np

from jaxlite import dtypes, lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact, promote_args_numeric
from jaxlite.scipy.special import gammaln, xlogy

__all__ = ["logpmf", "pmf"]


def logpmf(x, n, p):
  """Log probability ``log n! + sum (x_i log p_i - log x_i!)``; ``-inf`` unless ``sum x = n``.

  >>> from jaxlite.scipy.stats import multinomial
  >>> multinomial.logpmf(jnp.array([1, 1]), 2, jnp.array([0.5, 0.5]))
  Array(-0.69314694, dtype=float32)
  """
  p, = promote_args_inexact("multinomial.logpmf", p)
  x, n = promote_args_numeric("multinomial.logpmf", x, n)
  x, n = jnp.asarray(x), jnp.asarray(n)
  if not dtypes.issubdtype(x.dtype, np.integer):
    raise ValueError(f"x and n must be of integer type; got x.dtype={x.dtype}, n.dtype={n.dtype}")
  p = jnp.asarray(p)
  x, n = x.astype(p.dtype), n.astype(p.dtype)
  log_probs = gammaln(n + 1) + jnp.sum(xlogy(x, p) - gammaln(x + 1), axis=-1)
  return jnp.where(jnp.equal(jnp.sum(x), n), log_probs, -np.inf)


def pmf(x, n, p):
  """Probability mass.

  >>> from jaxlite.scipy.stats import multinomial
  >>> multinomial.pmf(jnp.array([2, 0]), 2, jnp.array([0.5, 0.5]))
  Array(0.24999988, dtype=float32)
  """
  return lax.exp(logpmf(x, n, p))
