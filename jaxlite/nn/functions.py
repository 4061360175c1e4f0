"""Activation functions and other neural-network helpers (``jax.nn``), with
JAX's formulas and derivatives.
"""
from __future__ import annotations

import operator
from functools import partial

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.api import jit
from jaxlite.custom_derivatives import custom_jvp
import jaxlite.numpy as jnp
from jaxlite.config import config
from jaxlite.numpy.library_jit import library_jit
from jaxlite.numpy.promotion import check_arraylike, promote_args_inexact
from jaxlite.scipy.special import log1mexp, logsumexp, masked_softmax as _softmax

__all__ = ["log1mexp", "relu", "relu6", "gelu", "silu", "swish", "sigmoid", "softplus", "soft_sign",
           "elu", "celu", "selu", "leaky_relu", "hard_tanh", "hard_sigmoid", "hard_silu",
           "hard_swish", "log_sigmoid", "mish", "softmax", "log_softmax", "logsumexp",
           "one_hot", "standardize", "glu", "identity", "squareplus", "sparse_plus",
           "sparse_sigmoid", "logmeanexp", "tanh"]

tanh = jnp.tanh   # jax.nn.tanh is jax.numpy.tanh


def _zero_where_not(cond, g):
  return lax.select(cond, g, lax.full_like(g, 0))


@custom_jvp
@jit
def relu(x):
  r"""Rectified linear unit ``max(x, 0)``; its derivative at 0 is 0.

  >>> from jaxlite import nn
  >>> nn.relu(np.array([-1., 0., 2.]))
  Array([0., 0., 2.], dtype=float32)
  """
  return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: _zero_where_not(jnp.greater(x, 0), g))


@custom_jvp
@jit
def relu6(x):
  r"""``min(max(x, 0), 6)``; the derivative is 0 at both kinks.

  >>> from jaxlite import nn
  >>> nn.relu6(np.array([-1., 3., 7.]))
  Array([0., 3., 6.], dtype=float32)
  """
  return jnp.minimum(jnp.maximum(x, 0), 6.)


relu6.defjvps(lambda g, ans, x: _zero_where_not(
    jnp.logical_and(jnp.greater(x, 0), jnp.less(x, 6)), g))


@jit
def identity(x):
  """The identity activation.

  >>> from jaxlite import nn
  >>> nn.identity(np.array([1., 2.]))
  Array([1., 2.], dtype=float32)
  """
  return jnp.asarray(x)


def sigmoid(x):   # not jitted in JAX either: `logistic` appears inline in jaxprs
  r"""The logistic sigmoid ``1 / (1 + exp(-x))``.

  >>> from jaxlite import nn
  >>> nn.sigmoid(0.)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return lax.logistic(x)


@jit
def softplus(x):
  r"""``log(1 + exp(x))``, computed as ``logaddexp(x, 0)``.

  >>> from jaxlite import nn
  >>> nn.softplus(0.)
  Array(0.6931472, dtype=float32, weak_type=True)
  """
  return jnp.logaddexp(x, 0)


@jit
def soft_sign(x):
  r"""``x / (|x| + 1)``.

  >>> from jaxlite import nn
  >>> nn.soft_sign(1.)
  Array(0.5, dtype=float32, weak_type=True)
  """
  x = jnp.asarray(x)
  return x / (jnp.abs(x) + 1)


@jit
def silu(x):
  r"""SiLU (swish): ``x * sigmoid(x)``.

  >>> from jaxlite import nn
  >>> nn.silu(0.)
  Array(0., dtype=float32, weak_type=True)
  """
  x = jnp.asarray(x)
  return x * sigmoid(x)


swish = silu


@jit
def mish(x):
  r"""``x * tanh(softplus(x))``.

  >>> from jaxlite import nn
  >>> nn.mish(0.)
  Array(0., dtype=float32, weak_type=True)
  """
  x = jnp.asarray(x)
  return x * jnp.tanh(softplus(x))


@jit
def log_sigmoid(x):
  r"""``log(sigmoid(x)) = -softplus(-x)``.

  >>> from jaxlite import nn
  >>> nn.log_sigmoid(0.)
  Array(-0.6931472, dtype=float32, weak_type=True)
  """
  x = jnp.asarray(x)
  return -softplus(-x)


@jit
def elu(x, alpha=1.0):
  r"""``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

  >>> from jaxlite import nn
  >>> nn.elu(np.array([-1., 1.]))
  Array([-0.63212055,  1.        ], dtype=float32)
  """
  x = jnp.asarray(x)
  return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0., x)))


@jit
def leaky_relu(x, negative_slope=1e-2):
  r"""``x`` for ``x >= 0``, else ``negative_slope * x``.

  >>> from jaxlite import nn
  >>> nn.leaky_relu(np.array([-1., 1.]))
  Array([-0.01,  1.  ], dtype=float32)
  """
  x = jnp.asarray(x)
  return jnp.where(x >= 0, x, negative_slope * x)


@jit
def hard_tanh(x):
  r"""``x`` clipped to ``[-1, 1]``.

  >>> from jaxlite import nn
  >>> nn.hard_tanh(np.array([-2., 0.5, 2.]))
  Array([-1. ,  0.5,  1. ], dtype=float32)
  """
  x = jnp.asarray(x)
  return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


@jit
def celu(x, alpha=1.0):
  r"""``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``.

  >>> from jaxlite import nn
  >>> nn.celu(np.array([-1., 1.]))
  Array([-0.63212055,  1.        ], dtype=float32)
  """
  return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


@jit
def selu(x):
  r"""Scaled ELU with the self-normalising constants of Klambauer et al. (2017).

  >>> from jaxlite import nn
  >>> nn.selu(np.array([1.]))
  Array([1.050701], dtype=float32)
  """
  alpha = 1.6732632423543772848170429916717
  scale = 1.0507009873554804934193349852946
  return scale * elu(x, alpha)


def gelu(x, approximate: bool = True):
  r"""Gaussian error linear unit: ``x * Phi(x)``, or its tanh approximation
  ``x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))`` when ``approximate``.

  >>> from jaxlite import nn
  >>> nn.gelu(np.array([1.]), approximate=False)
  Array([0.8413447], dtype=float32)
  """
  x = jnp.asarray(promote_args_inexact("gelu", x)[0])
  return _gelu_impl(x, bool(approximate))   # inline in jaxprs, as JAX's


def _gelu_impl(x, approximate):
  if approximate:
    sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(x.dtype)
    cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x ** 3))))
    return x * cdf
  sqrt_half = np.sqrt(0.5).astype(x.dtype)
  return jnp.asarray(0.5 * x * lax.erfc(-x * sqrt_half), x.dtype)



@jit
def hard_sigmoid(x):
  r"""``relu6(x + 3) / 6``.

  >>> from jaxlite import nn
  >>> nn.hard_sigmoid(0.)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return relu6(x + 3.) / 6.


@jit
def hard_silu(x):
  r"""``x * hard_sigmoid(x)``.

  >>> from jaxlite import nn
  >>> nn.hard_silu(3.)
  Array(3., dtype=float32, weak_type=True)
  """
  x = jnp.asarray(x)
  return x * hard_sigmoid(x)


hard_swish = hard_silu


def glu(x, axis: int = -1):
  r"""Gated linear unit: the halves ``a, b`` of ``x`` along ``axis`` give ``a * sigmoid(b)``.

  >>> from jaxlite import nn
  >>> nn.glu(np.array([2., 0.]))
  Array([1.], dtype=float32)
  """
  x = jnp.asarray(x)
  axis = operator.index(axis) % max(x.ndim, 1)
  size = x.shape[axis]
  if size % 2:
    raise ValueError(f"glu: axis size must be divisible by 2, got {size}")
  x1 = lax.slice_in_dim(x, 0, size // 2, axis=axis)
  x2 = lax.slice_in_dim(x, size // 2, size, axis=axis)
  return x1 * sigmoid(x2)


def softmax(x, axis=-1, where=None):
  r"""``exp(x) / sum(exp(x))`` along ``axis`` (optionally only over ``where``).

  >>> from jaxlite import nn
  >>> nn.softmax(np.array([0., 0.]))
  Array([0.5, 0.5], dtype=float32)
  """
  if config.jax_softmax_custom_jvp:
    return _softmax(x, axis, where)
  # JAX's default (jax_softmax_custom_jvp off): plain ops, the max held constant
  # by stop_gradient, so jaxprs and derivatives are JAX's.
  x_max = jnp.max(x, axis, where=where, initial=-np.inf, keepdims=True)
  x_safe = x if where is None else jnp.where(where, x, -np.inf)
  unnormalized = jnp.exp(x_safe - lax.stop_gradient(x_max))
  result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
  return result if where is None else jnp.where(where, result, 0)


@library_jit(static_argnames=("axis",))
def log_softmax(x, axis=-1, where=None):
  r"""``x - logsumexp(x)`` along ``axis``.

  >>> from jaxlite import nn
  >>> nn.log_softmax(np.array([0., 0.]))
  Array([-0.6931472, -0.6931472], dtype=float32)
  """
  check_arraylike("log_softmax", x)
  x_max = jnp.max(x, axis, where=where, initial=-np.inf, keepdims=True)
  x_safe = x if where is None else jnp.where(where, x, -np.inf)
  shifted = x_safe - lax.stop_gradient(x_max)
  result = shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis, where=where, keepdims=True))
  return result if where is None else jnp.where(where, result, -np.inf)


@library_jit(static_argnames=("axis", "algorithm"))   # defaults stay inside, as JAX's jit
def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm: str = "fast"):
  r"""``(x - mean) / sqrt(variance + epsilon)`` with the statistics over ``axis``.

  >>> from jaxlite import nn
  >>> nn.standardize(np.array([1., 3.]))
  Array([-0.99999505,  0.99999505], dtype=float32)
  """
  return _standardize_impl(x, axis, mean, variance, epsilon, where, algorithm)


def _standardize_impl(x, axis, mean, variance, epsilon, where, algorithm):
  x = jnp.asarray(x)
  if mean is None:
    mean = jnp.mean(x, axis, keepdims=True, where=where)
  if variance is None:
    if algorithm == "stable":   # two passes: E[(x - mean)**2]
      variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True, where=where)
    elif algorithm == "fast":   # one pass: E[x**2] - E[x]**2, clipped at 0
      variance = jnp.mean(jnp.square(x), axis, keepdims=True,
                          where=where) - jnp.square(mean)
      variance = jnp.clip(variance, 0)
    else:
      raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
  return jnp.subtract(x, mean) * lax.rsqrt(variance + epsilon)



def one_hot(x, num_classes: int, *, dtype=None, axis: int = -1):
  r"""One-hot encoding: ``x[..., None] == arange(num_classes)`` along a new ``axis``.

  Out-of-range indices give all-zero rows.

  >>> from jaxlite import nn
  >>> nn.one_hot(np.array([0, 2]), 3)
  Array([[1., 0., 0.],
         [0., 0., 1.]], dtype=float32)
  """
  try:
    num_classes = operator.index(num_classes)
  except TypeError:
    raise core.ConcretizationTypeError(
        num_classes, "The error arose in jax.nn.one_hot argument `num_classes`.") from None
  x = jnp.asarray(x)
  dtype = dtypes.default_float_dtype() if dtype is None else dtype
  return _one_hot_staged(x, num_classes, dtype, operator.index(axis))


def _one_hot(x, num_classes, dtype, axis):
  out_axis = axis % (x.ndim + 1)
  lhs = lax.expand_dims(x, (out_axis,))
  rhs_shape = [1] * x.ndim
  rhs_shape.insert(out_axis, num_classes)
  rhs = lax.broadcasted_iota(x.dtype, rhs_shape, out_axis)
  return jnp.asarray(lhs == rhs, dtype)


_one_hot_staged = jit(_one_hot, static_argnums=(1, 2, 3))   # jit[name=_one_hot], as JAX


@jit
def squareplus(x, b=4):
  """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU.

  >>> from jaxlite import nn
  >>> nn.squareplus(0.0)
  Array(1., dtype=float32, weak_type=True)
  """
  y = x + jnp.sqrt(jnp.square(x) + b)
  return y / 2


@jit
def sparse_plus(x):
  """0 for ``x <= -1``, ``(x + 1)**2 / 4`` between, ``x`` for ``x >= 1``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> nn.sparse_plus(jnp.array([-2.0, 0.0, 2.0]))
  Array([0.  , 0.25, 2.  ], dtype=float32)
  """
  x = jnp.asarray(x)
  return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


@jit
def sparse_sigmoid(x):
  """``clip(x + 1, 0, 2) / 2``: the derivative of ``sparse_plus``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> nn.sparse_sigmoid(jnp.array([-2.0, 0.0, 2.0]))
  Array([0. , 0.5, 1. ], dtype=float32)
  """
  return 0.5 * jnp.clip(x + 1.0, 0.0, 2.0)


@partial(jit, static_argnames=("axis", "keepdims"))
def logmeanexp(x, axis=None, where=None, keepdims: bool = False):
  """``log(mean(exp(x)))`` over ``axis`` (of the ``where`` elements), stably.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> nn.logmeanexp(jnp.array([0.0, 0.0]))
  Array(0., dtype=float32)
  """
  lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
  count = jnp.sum(jnp.ones_like(x, dtype=lse.dtype), axis=axis, where=where,
                  keepdims=keepdims)
  return lse - jnp.log(count)
