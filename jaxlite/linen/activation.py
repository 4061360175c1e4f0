"""Activation functions for ``jaxlite.linen`` (``nn.relu``, ``nn.gelu``...).

They are ``jaxlite.nn``'s, re-exported as flax.linen re-exports ``jax.nn``'s.
Until ``jaxlite.nn`` exists (it is a separate issue), the few below are
defined here on ``jaxlite.numpy``/``lax`` with ``jax.nn``'s formulas.

  >>> import jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> nn.relu(jnp.array([-1., 2.]))
  Array([0., 2.], dtype=float32)
"""
from __future__ import annotations

import math

from jaxlite import lax
from jaxlite import numpy as jnp
from jaxlite.custom_derivatives import custom_jvp

_NAMES = ("relu", "relu6", "gelu", "silu", "swish", "sigmoid", "softplus", "elu", "celu",
          "selu", "leaky_relu", "log_sigmoid", "hard_tanh", "hard_sigmoid", "hard_silu",
          "softmax", "log_softmax", "logsumexp", "one_hot", "standardize", "glu",
          "soft_sign", "tanh")
__all__ = list(_NAMES)


@custom_jvp
def relu(x):
  """``max(x, 0)`` with derivative 0 at 0.

  >>> import jaxlite.numpy as jnp
  >>> relu(jnp.float32(-2.))
  Array(0., dtype=float32)
  """
  return jnp.maximum(x, 0)


@relu.defjvp
def _relu_jvp(primals, tangents):
  (x,), (t,) = primals, tangents
  return relu(x), jnp.where(x > 0, t, jnp.zeros_like(t))


def relu6(x):
  """``min(max(x, 0), 6)``.

  >>> relu6(7.)
  Array(6., dtype=float32, weak_type=True)
  """
  return jnp.minimum(jnp.maximum(x, 0), 6.)


def sigmoid(x):
  """The logistic function ``1 / (1 + exp(-x))``.

  >>> sigmoid(0.)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return lax.logistic(x)


def silu(x):
  """``x * sigmoid(x)`` (also ``swish``).

  >>> float(silu(0.))
  0.0
  """
  return x * sigmoid(x)


swish = silu


def log_sigmoid(x):
  """``log(sigmoid(x))``, computed stably as ``-softplus(-x)``.

  >>> round(float(log_sigmoid(0.)), 4)
  -0.6931
  """
  return -softplus(-x)


def softplus(x):
  """``log(1 + exp(x))``, computed stably.

  >>> round(float(softplus(0.)), 4)
  0.6931
  """
  return jnp.logaddexp(x, 0)


def soft_sign(x):
  """``x / (|x| + 1)``.

  >>> float(soft_sign(1.))
  0.5
  """
  return x / (jnp.abs(x) + 1)


def elu(x, alpha=1.0):
  """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

  >>> round(float(elu(-1.)), 4)
  -0.6321
  """
  safe = jnp.where(x > 0, 0., x)  # keeps the unused branch's gradient finite
  return jnp.where(x > 0, x, alpha * jnp.expm1(safe))


def celu(x, alpha=1.0):
  """``max(x, 0) + alpha * min(exp(x / alpha) - 1, 0)``.

  >>> round(float(celu(-1.)), 4)
  -0.6321
  """
  return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


def selu(x):
  """Scaled ELU with the self-normalising constants.

  >>> round(float(selu(1.)), 4)
  1.0507
  """
  alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
  return scale * elu(x, alpha)


def leaky_relu(x, negative_slope=1e-2):
  """``x`` if ``x >= 0`` else ``negative_slope * x``.

  >>> round(float(leaky_relu(-1.)), 4)
  -0.01
  """
  return jnp.where(x >= 0, x, negative_slope * x)


def hard_tanh(x):
  """``clip(x, -1, 1)``.

  >>> float(hard_tanh(3.))
  1.0
  """
  return jnp.clip(x, -1, 1)


def hard_sigmoid(x):
  """``relu6(x + 3) / 6``.

  >>> float(hard_sigmoid(0.))
  0.5
  """
  return relu6(x + 3.) / 6.


def hard_silu(x):
  """``x * hard_sigmoid(x)``.

  >>> float(hard_silu(3.))
  3.0
  """
  return x * hard_sigmoid(x)


def gelu(x, approximate: bool = True):
  """The GELU, by default in its tanh approximation (as ``jax.nn.gelu``).

  >>> round(float(gelu(1.)), 4), round(float(gelu(1., approximate=False)), 4)
  (0.8412, 0.8413)
  """
  x = jnp.asarray(x)
  if approximate:
    cdf = 0.5 * (1.0 + jnp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * (x ** 3))))
    return x * cdf
  return x * (lax.erf(x / math.sqrt(2)) + 1) / 2


def glu(x, axis: int = -1):
  """Gated linear unit: the first half of ``axis`` times sigmoid of the second.

  >>> import jaxlite.numpy as jnp
  >>> glu(jnp.array([2., 0.]))
  Array([1.], dtype=float32)
  """
  a, b = jnp.split(x, 2, axis=axis)
  return a * sigmoid(b)


def logsumexp(x, axis=None, keepdims: bool = False):
  """``log(sum(exp(x)))`` over ``axis``, computed stably.

  >>> import jaxlite.numpy as jnp
  >>> round(float(logsumexp(jnp.zeros(4))), 4)
  1.3863
  """
  x = jnp.asarray(x)
  m = lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True))
  m = jnp.where(jnp.isfinite(m), m, 0)
  out = jnp.log(jnp.sum(jnp.exp(x - m), axis=axis, keepdims=True)) + m
  return out if keepdims else jnp.squeeze(out, axis=axis)


def log_softmax(x, axis: int = -1):
  """``x - logsumexp(x, axis)``.

  >>> import jaxlite.numpy as jnp
  >>> round(float(log_softmax(jnp.zeros(2))[0]), 4)
  -0.6931
  """
  x = jnp.asarray(x)
  shifted = x - lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True))
  return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))


def softmax(x, axis: int = -1):
  """``exp(x) / sum(exp(x), axis)``, computed stably.

  >>> import jaxlite.numpy as jnp
  >>> softmax(jnp.zeros(2))
  Array([0.5, 0.5], dtype=float32)
  """
  x = jnp.asarray(x)
  unnormalized = jnp.exp(x - lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True)))
  return unnormalized / jnp.sum(unnormalized, axis=axis, keepdims=True)


def standardize(x, axis: int = -1, epsilon: float = 1e-5):
  """``(x - mean) / sqrt(var + epsilon)`` over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> standardize(jnp.array([1., 3.]))
  Array([-0.999995,  0.999995], dtype=float32)
  """
  x = jnp.asarray(x)
  mean = jnp.mean(x, axis=axis, keepdims=True)
  var = jnp.mean(jnp.square(x), axis=axis, keepdims=True) - jnp.square(mean)
  return (x - mean) * lax.rsqrt(var + epsilon)


def one_hot(x, num_classes: int, dtype=jnp.float32, axis: int = -1):
  """One-hot encoding of integer ``x`` (out-of-range ids give all zeros).

  >>> import jaxlite.numpy as jnp
  >>> one_hot(jnp.array([0, 2]), 3)
  Array([[1., 0., 0.],
         [0., 0., 1.]], dtype=float32)
  """
  x = jnp.asarray(x)
  lhs = jnp.expand_dims(x, axis)
  shape = [1] * lhs.ndim
  shape[axis] = num_classes
  rhs = jnp.reshape(jnp.arange(num_classes), shape)
  return jnp.asarray(lhs == rhs, dtype)


tanh = jnp.tanh

# jaxlite.nn, where it exists, is the one implementation: prefer its names.
try:  # pragma: no cover - depends on whether jaxlite.nn has landed
  from jaxlite import nn as _jaxlite_nn
except ImportError:
  _jaxlite_nn = None
if _jaxlite_nn is not None:
  for _name in _NAMES:
    if hasattr(_jaxlite_nn, _name):
      globals()[_name] = getattr(_jaxlite_nn, _name)
