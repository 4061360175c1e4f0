"""The Dirichlet distribution on the simplex: ``jax.scipy.stats.dirichlet``.
``x`` holds one point per column (leading axis: the ``K`` components, or
``K - 1`` with the last one implied).

  >>> from jaxlite.scipy.stats import dirichlet
  >>> dirichlet.pdf(jnp.array([0.25, 0.75]), jnp.array([1.0, 1.0]))
  Array(0.99999905, dtype=float32)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_dtypes_inexact
from jaxlite.scipy.special import gammaln, xlogy
from jaxlite.scipy.stats._common import const

__all__ = ["logpdf", "pdf"]


def _on_simplex(x):
  return jnp.all(x > 0, axis=0) & (abs(jnp.sum(x, axis=0) - 1) < 1e-6)


def logpdf(x, alpha):
  """Log density ``sum (alpha_i - 1) log x_i - log B(alpha)``; ``-inf`` off the simplex.

  >>> from jaxlite.scipy.stats import dirichlet
  >>> dirichlet.logpdf(jnp.array([0.25, 0.75]), jnp.array([2.0, 2.0]))
  Array(0.1177839, dtype=float32)
  """
  x, alpha = promote_dtypes_inexact(jnp.asarray(x), jnp.asarray(alpha))
  if alpha.ndim != 1:
    raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
  if x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
    raise ValueError("`x` must have either the same number of entries as `alpha` "
                     f"or one entry fewer; got x.shape={x.shape}, alpha.shape={alpha.shape}")
  one = const(x, 1)
  if x.shape[0] != alpha.shape[0]:
    x = jnp.concatenate([x, lax.sub(one, x.sum(0, keepdims=True))], axis=0)
  log_normalizer = jnp.sum(gammaln(alpha)) - gammaln(jnp.sum(alpha))
  if x.ndim > 1:
    alpha = lax.broadcast_in_dim(alpha, alpha.shape + (1,) * (x.ndim - 1), (0,))
  log_probs = lax.sub(jnp.sum(xlogy(lax.sub(alpha, one), x), axis=0), log_normalizer)
  return jnp.where(_on_simplex(x), log_probs, -np.inf)


def pdf(x, alpha):
  """Density.

  >>> from jaxlite.scipy.stats import dirichlet
  >>> dirichlet.pdf(jnp.array([0.25, 0.75]), jnp.array([2.0, 2.0]))
  Array(1.125001, dtype=float32)
  """
  return lax.exp(logpdf(x, alpha))
