"""The activations and initializers ``stax`` builds on, with ``jax.nn``'s numerics.

``jaxlite.nn`` is a separate issue; until it lands, ``stax`` takes these few
functions from here. Each one is written on ``jaxlite.numpy``/``lax`` and
gives the values (and derivatives) of its ``jax.nn`` namesake.
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite import dtypes, lax, random
from jaxlite import numpy as jnp
from jaxlite.custom_derivatives import custom_jvp


@custom_jvp
def relu(x):
  """``max(x, 0)``, with derivative 0 at 0 (as ``jax.nn.relu``).

  >>> import jaxlite.numpy as jnp
  >>> relu(jnp.array([-1.0, 2.0]))
  Array([0., 2.], dtype=float32)
  """
  return jnp.maximum(x, 0)


@relu.defjvp
def _relu_jvp(primals, tangents):
  x, = primals
  t, = tangents
  return relu(x), jnp.where(x > 0, t, jnp.zeros_like(t))


def sigmoid(x):
  """The logistic function ``1 / (1 + exp(-x))``.

  >>> sigmoid(0.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return lax.logistic(x)


def softplus(x):
  """``log(1 + exp(x))``, computed stably.

  >>> float(softplus(0.0))  # doctest: +ELLIPSIS
  0.693...
  """
  return jnp.logaddexp(x, 0)


def elu(x, alpha=1.0):
  """``x`` for positive ``x``, ``alpha * (exp(x) - 1)`` otherwise.

  >>> float(elu(-1.0))  # doctest: +ELLIPSIS
  -0.632...
  """
  # The exp branch sees only non-positive values, so its gradient stays finite.
  safe_x = jnp.where(x > 0, 0., x)
  return jnp.where(x > 0, x, alpha * jnp.expm1(safe_x))


def leaky_relu(x, negative_slope=1e-2):
  """``x`` for non-negative ``x``, ``negative_slope * x`` otherwise.

  >>> float(leaky_relu(-100.0))
  -1.0
  """
  return jnp.where(x >= 0, x, negative_slope * x)


def selu(x):
  """The scaled exponential linear unit (Klambauer et al., 2017).

  >>> float(selu(0.0))
  0.0
  """
  alpha = 1.6732632423543772848170429916717
  scale = 1.0507009873554804934193349852946
  return scale * elu(x, alpha)


def gelu(x, approximate=True):
  """The Gaussian error linear unit; by default its tanh approximation.

  >>> float(gelu(0.0))
  0.0
  """
  if approximate:
    sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(dtypes.dtype(x))
    cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x ** 3))))
    return x * cdf
  sqrt_half = np.sqrt(0.5).astype(dtypes.dtype(x))
  return jnp.array(0.5 * x * (lax.erfc(-x * sqrt_half)), dtype=dtypes.dtype(x))


def log_softmax(x, axis=-1):
  """``x - logsumexp(x, axis)``, shifted by the maximum for stability.

  >>> import jaxlite.numpy as jnp
  >>> jnp.exp(log_softmax(jnp.zeros(2)))
  Array([0.5, 0.5], dtype=float32)
  """
  x_max = jnp.max(x, axis, keepdims=True)
  shifted = x - lax.stop_gradient(x_max)
  return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis, keepdims=True))


def softmax(x, axis=-1):
  """``exp(x) / sum(exp(x), axis)``, shifted by the maximum for stability.

  >>> import jaxlite.numpy as jnp
  >>> softmax(jnp.zeros(2))
  Array([0.5, 0.5], dtype=float32)
  """
  x_max = jnp.max(x, axis, keepdims=True)
  unnormalized = jnp.exp(x - lax.stop_gradient(x_max))
  return unnormalized / jnp.sum(unnormalized, axis, keepdims=True)


def standardize(x, axis=-1, epsilon=1e-5):
  """``(x - mean) / sqrt(var + epsilon)`` over ``axis``.

  The variance is ``mean(x**2) - mean(x)**2`` clipped at 0, as ``jax.nn``'s
  default ("fast") algorithm.

  >>> import jaxlite.numpy as jnp
  >>> standardize(jnp.array([1.0, 3.0]), epsilon=0.0)
  Array([-1.,  1.], dtype=float32)
  """
  mean = jnp.mean(x, axis, keepdims=True)
  variance = jnp.mean(jnp.square(x), axis, keepdims=True) - jnp.square(mean)
  variance = jnp.clip(variance, 0)
  return (x - mean) * lax.rsqrt(variance + epsilon)


# --- initializers ------------------------------------------------------------------------


def _float_dtype(dtype):
  return dtypes.default_float_dtype() if dtype is None else dtypes.canonicalize_dtype(dtype)


def zeros(key, shape, dtype=None):
  """An initializer of zeros.

  >>> zeros(None, (2,))
  Array([0., 0.], dtype=float32)
  """
  return jnp.zeros(shape, _float_dtype(dtype))


def ones(key, shape, dtype=None):
  """An initializer of ones.

  >>> ones(None, (2,))
  Array([1., 1.], dtype=float32)
  """
  return jnp.ones(shape, _float_dtype(dtype))


def normal(stddev=1e-2, dtype=None):
  """An initializer of normal values with standard deviation ``stddev``.

  >>> from jaxlite import random
  >>> normal()(random.PRNGKey(0), (3,)).shape
  (3,)
  """
  def init(key, shape, dtype=dtype):
    dtype = _float_dtype(dtype)
    return random.normal(key, shape, dtype) * jnp.array(stddev, dtype)
  return init


def _fans(shape, in_axis, out_axis):
  in_size = shape[in_axis]
  out_size = shape[out_axis]
  receptive_field_size = math.prod(shape) / in_size / out_size
  return in_size * receptive_field_size, out_size * receptive_field_size


def glorot_normal(in_axis=-2, out_axis=-1, dtype=None):
  """Glorot (Xavier) normal initializer: truncated normal, variance
  ``2 / (fan_in + fan_out)``.

  >>> from jaxlite import random
  >>> glorot_normal()(random.PRNGKey(0), (2, 3)).shape
  (2, 3)
  """
  def init(key, shape, dtype=dtype):
    dtype = _float_dtype(dtype)
    shape = tuple(int(d) for d in shape)
    fan_in, fan_out = _fans(shape, in_axis, out_axis)
    variance = jnp.array(1.0 / ((fan_in + fan_out) / 2), dtype=dtype)
    # The standard deviation of a unit normal truncated to (-2, 2).
    stddev = jnp.sqrt(variance) / jnp.array(.87962566103423978, dtype)
    return random.truncated_normal(key, -2, 2, shape, dtype) * stddev
  return init
