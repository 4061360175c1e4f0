"""Gaussian kernel density estimation: ``jax.scipy.stats.gaussian_kde``.

  >>> from jaxlite.scipy.stats import gaussian_kde
  >>> kde = gaussian_kde(jnp.array([0.0, 1.0, 2.0, 4.0]))
  >>> kde.evaluate(jnp.array([1.0]))
  Array([0.196655], dtype=float32)
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from jaxlite import dtypes, random
from jaxlite.api import jit
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact
from jaxlite.scipy import linalg, special
from jaxlite.tree_util import register_pytree_node_class
from jaxlite.vectorization import vmap

__all__ = ["gaussian_kde"]

_FIELDS = ("neff", "dataset", "weights", "covariance", "inv_cov")


@register_pytree_node_class
@dataclasses.dataclass(frozen=True, init=False)
class gaussian_kde:
  """A Gaussian KDE of ``dataset`` (``d x n``: n points in d dimensions), with
  Scott's or Silverman's bandwidth, a scalar factor or a callable, and optional
  point weights. A pytree: it passes through ``jit`` and ``vmap``.

  >>> kde = gaussian_kde(jnp.array([0.0, 1.0, 2.0, 4.0]), bw_method="silverman")
  >>> kde.n, kde.d
  (4, 1)
  """
  neff: object
  dataset: object
  weights: object
  covariance: object
  inv_cov: object

  def __init__(self, dataset, bw_method=None, weights=None):
    check_arraylike("gaussian_kde", dataset)
    dataset = jnp.atleast_2d(dataset)
    if dtypes.issubdtype(dataset.dtype, np.complexfloating):
      raise NotImplementedError("gaussian_kde does not support complex data")
    if not dataset.size > 1:
      raise ValueError("`dataset` input should have multiple elements.")
    d, n = dataset.shape
    if weights is None:
      dataset, = promote_dtypes_inexact(dataset)
      weights = jnp.full(n, 1.0 / n, dtype=dataset.dtype)
    else:
      check_arraylike("gaussian_kde", weights)
      dataset, weights = promote_dtypes_inexact(dataset, weights)
      weights = jnp.atleast_1d(weights)
      weights = weights / jnp.sum(weights)
      if weights.ndim != 1:
        raise ValueError("`weights` input should be one-dimensional.")
      if len(weights) != n:
        raise ValueError("`weights` input should be of length n")
    neff = 1 / jnp.sum(weights ** 2)
    factor = self._bandwidth_factor(bw_method, neff, d, dataset, weights)
    data_covariance = jnp.atleast_2d(jnp.cov(dataset, rowvar=1, bias=False, aweights=weights))
    for name, value in zip(_FIELDS, (neff, dataset, weights, data_covariance * factor ** 2,
                                     jnp.linalg.inv(data_covariance) / factor ** 2)):
      object.__setattr__(self, name, value)

  def _bandwidth_factor(self, bw_method, neff, d, dataset, weights):
    bw_method = "scott" if bw_method is None else bw_method
    if bw_method == "scott":
      return jnp.power(neff, -1.0 / (d + 4))
    if bw_method == "silverman":
      return jnp.power(neff * (d + 2) / 4.0, -1.0 / (d + 4))
    if jnp.isscalar(bw_method) and not isinstance(bw_method, str):
      return bw_method
    if callable(bw_method):
      # The callable sees the estimator's data (as SciPy's does).
      object.__setattr__(self, "dataset", dataset)
      object.__setattr__(self, "weights", weights)
      object.__setattr__(self, "neff", neff)
      return bw_method(self)
    raise ValueError("`bw_method` should be 'scott', 'silverman', a scalar, or a callable.")

  def tree_flatten(self):
    return tuple(getattr(self, name) for name in _FIELDS), None

  @classmethod
  def tree_unflatten(cls, aux_data, children):
    kde = cls.__new__(cls)
    for name, value in zip(_FIELDS, children):
      object.__setattr__(kde, name, value)
    return kde

  @property
  def d(self):
    return self.dataset.shape[0]

  @property
  def n(self):
    return self.dataset.shape[1]

  def evaluate(self, points):
    """The estimated density at ``points`` (``d x m``)."""
    check_arraylike("evaluate", points)
    points = self._as_points(points)
    return _kernel_sum(False, self.dataset.T, self.weights[:, None], points.T, self.inv_cov)[:, 0]

  __call__ = evaluate

  def pdf(self, x):
    """The estimated density (same as ``evaluate``)."""
    return self.evaluate(x)

  def logpdf(self, x):
    """The log of the estimated density, summed in log space."""
    check_arraylike("logpdf", x)
    x = self._as_points(x)
    return _kernel_sum(True, self.dataset.T, self.weights[:, None], x.T, self.inv_cov)[:, 0]

  def integrate_gaussian(self, mean, cov):
    """The integral of the product of the estimate and the Gaussian N(mean, cov)."""
    mean = jnp.atleast_1d(jnp.squeeze(mean))
    cov = jnp.atleast_2d(cov)
    if mean.shape != (self.d,):
      raise ValueError(f"mean does not have dimension {self.d}")
    if cov.shape != (self.d, self.d):
      raise ValueError(f"covariance does not have dimension {self.d}")
    chol, norm = _convolution_factor(self.covariance + cov, self.d)
    return _gaussian_convolution(chol, norm, self.dataset, self.weights, mean)

  @functools.partial(jit)
  def integrate_box_1d(self, low, high):
    """The estimate's mass in ``[low, high]`` (one-dimensional data only)."""
    if self.d != 1:
      raise ValueError("integrate_box_1d() only handles 1D pdfs")
    if np.ndim(low) != 0 or np.ndim(high) != 0:
      raise ValueError("the limits of integration in integrate_box_1d must be scalars")
    sigma = jnp.squeeze(jnp.sqrt(self.covariance))
    low = jnp.squeeze((low - self.dataset) / sigma)
    high = jnp.squeeze((high - self.dataset) / sigma)
    return jnp.sum(self.weights * (special.ndtr(high) - special.ndtr(low)))

  def integrate_kde(self, other):
    """The integral of the product of two estimates."""
    if other.d != self.d:
      raise ValueError("KDEs are not the same dimensionality")
    chol, norm = _convolution_factor(self.covariance + other.covariance, self.d)
    small, large = (self, other) if self.n < other.n else (other, self)
    per_point = vmap(functools.partial(_gaussian_convolution, chol, norm, large.dataset,
                                       large.weights), in_axes=1)(small.dataset)
    return jnp.sum(per_point * small.weights)

  @functools.partial(jit, static_argnames=("shape",))
  def resample(self, key, shape=()):
    """Draws from the estimate: a data point chosen by weight plus kernel noise."""
    index_key, noise_key = random.split(key)
    index = random.choice(index_key, self.n, shape=shape, p=self.weights)
    noise = random.multivariate_normal(noise_key, jnp.zeros(self.d, self.covariance.dtype),
                                       self.covariance, shape=shape,
                                       dtype=self.dataset.dtype).T
    return self.dataset[:, index] + noise

  def integrate_box(self, low_bounds, high_bounds, maxpts=None):
    """Not supported (as in JAX): use ``integrate_box_1d``."""
    raise NotImplementedError("only 1D box integrations are supported; use `integrate_box_1d`")

  def set_bandwidth(self, bw_method=None):
    """Not supported (as in JAX): the estimate is immutable; build a new one."""
    raise NotImplementedError("dynamically changing the bandwidth method is not supported")

  def _as_points(self, points):
    if dtypes.issubdtype(jnp.result_type(points), np.complexfloating):
      raise NotImplementedError("gaussian_kde does not support complex coordinates")
    points = jnp.atleast_2d(points)
    d, m = points.shape
    if d != self.d:
      if d == 1 and m == self.d:
        return jnp.reshape(points, (self.d, 1))
      raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
    return points


def _convolution_factor(covariance, d):
  chol = linalg.cho_factor(covariance)
  return chol, 1.0 / (jnp.sqrt(2 * np.pi) ** d * jnp.prod(jnp.diag(chol[0])))


def _gaussian_convolution(chol, norm, target, weights, mean):
  diff = target - mean[:, None]
  quadratic = 0.5 * jnp.sum(diff * linalg.cho_solve(chol, diff), axis=0)
  return norm * jnp.sum(jnp.exp(-quadratic) * weights)


@functools.partial(jit, static_argnums=0)
def _kernel_sum(in_log, points, values, xi, precision):
  """sum_j values_j N(xi_i; points_j, precision^-1) for each query point xi_i."""
  points, values, xi, precision = promote_dtypes_inexact(points, values, xi, precision)
  d = points.shape[1]
  if xi.shape[1] != d:
    raise ValueError("points and xi must have same trailing dim")
  if precision.shape != (d, d):
    raise ValueError("precision matrix must match data dims")
  whitening = linalg.cholesky(precision, lower=True)
  points, xi = jnp.dot(points, whitening), jnp.dot(xi, whitening)
  log_norm = jnp.sum(jnp.log(jnp.diag(whitening))) - 0.5 * d * jnp.log(2 * np.pi)

  def one_kernel(x_test, x_train, y_train):
    exponent = log_norm - 0.5 * jnp.sum(jnp.square(x_train - x_test))
    return jnp.log(y_train) + exponent if in_log else y_train * jnp.exp(exponent)

  total = special.logsumexp if in_log else jnp.sum
  return vmap(lambda x: total(vmap(one_kernel, in_axes=(None, 0, 0))(x, points, values),
                              axis=0))(xi)
