"""``jaxlite.scipy.stats.multivariate_normal``: the Gaussian's log density and density.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.scipy.stats import multivariate_normal
  >>> multivariate_normal.logpdf(jnp.zeros(2), jnp.zeros(2), jnp.eye(2))
  Array(-1.837877, dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite.lax import linalg as lax_linalg
from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact

__all__ = ['logpdf', 'pdf']


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def logpdf(x, mean, cov, allow_singular=None):
  """Log density of ``N(mean, cov)`` at ``x`` (batched over leading axes).

  Args:
    x: points ``(..., n)`` (or scalars with scalar ``mean``).
    mean: the mean ``(..., n)``.
    cov: a scalar (isotropic) or ``(..., n, n)`` covariance.
    allow_singular: ``None`` (JAX's default) or False: ``cov`` must be regular; True:
      a singular ``cov`` uses its pseudo-inverse and
      pseudo-determinant (over its range), as SciPy does.

  >>> import jaxlite.numpy as jnp
  >>> logpdf(jnp.array(0.), jnp.array(0.), jnp.array(1.))
  Array(-0.9189385, dtype=float32)
  """
  jnp = _jnp()
  check_arraylike("multivariate_normal.logpdf", x, mean, cov)
  x, mean, cov = promote_dtypes_inexact(jnp.asarray(x), jnp.asarray(mean), jnp.asarray(cov))
  log2pi = np.log(2 * np.pi)
  if not mean.shape:
    return -0.5 * jnp.square(x - mean) / cov - 0.5 * (log2pi + jnp.log(cov))
  n = mean.shape[-1]
  y = x - mean
  if not cov.shape:
    return (-0.5 * jnp.sum(y * y, axis=-1) / cov - n / 2 * (log2pi + jnp.log(cov)))
  if cov.ndim < 2 or cov.shape[-2:] != (n, n):
    raise ValueError("multivariate_normal.logpdf got incompatible shapes: mean "
                     f"{mean.shape} and cov {cov.shape}.")
  if allow_singular:
    # Over the range of cov only: pseudo-inverse and pseudo-determinant by eigh.
    v, w = lax_linalg.eigh(cov)
    cutoff = jnp.max(jnp.abs(w), axis=-1, keepdims=True) * (
        n * np.finfo(w.dtype).eps * 1e3)
    keep = w > cutoff
    safe_w = jnp.where(keep, w, 1)
    proj = jnp.einsum("...ji,...j->...i", v, jnp.broadcast_to(y, np.broadcast_shapes(
        y.shape, v.shape[:-1])))
    maha = jnp.sum(jnp.where(keep, proj * proj / safe_w, 0), axis=-1)
    rank = jnp.sum(keep, axis=-1)
    log_pdet = jnp.sum(jnp.where(keep, jnp.log(safe_w), 0), axis=-1)
    return -0.5 * (rank * log2pi + log_pdet + maha)
  l = lax_linalg.cholesky(cov)
  batch = np.broadcast_shapes(l.shape[:-2], y.shape[:-1])
  l_b = jnp.broadcast_to(l, batch + (n, n))
  y_b = jnp.broadcast_to(y, batch + (n,))[..., None]
  z = lax_linalg.triangular_solve(l_b, y_b, left_side=True, lower=True)[..., 0]   # L^-1 y
  log_diag = jnp.sum(jnp.log(jnp.diagonal(l, axis1=-2, axis2=-1)), axis=-1)
  return -0.5 * jnp.sum(z * z, axis=-1) - n / 2 * log2pi - log_diag


def pdf(x, mean, cov, allow_singular: bool = False):
  """Density of ``N(mean, cov)`` at ``x``: ``exp(logpdf(x, mean, cov))``.

  >>> import jaxlite.numpy as jnp
  >>> pdf(jnp.zeros(2), jnp.zeros(2), jnp.eye(2))
  Array(0.15915495, dtype=float32)
  """
  return _jnp().exp(logpdf(x, mean, cov, allow_singular))
