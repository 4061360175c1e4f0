"""Initializers with the names and defaults of ``flax.linen.initializers``.

An initializer is ``init(key, shape, dtype=float32) -> Array``; the builders
below (``zeros_init()``, ``lecun_normal()``...) return one. Their numerics are
those of ``jax.nn.initializers``: with the same key they draw the same bits.

  >>> import jaxlite
  >>> init = lecun_normal()
  >>> init(jaxlite.random.PRNGKey(0), (2, 3)).shape
  (2, 3)
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from jaxlite import lax, random
from jaxlite import numpy as jnp

__all__ = ["zeros", "ones", "zeros_init", "ones_init", "constant", "uniform", "normal",
           "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal",
           "xavier_uniform", "xavier_normal", "lecun_uniform", "lecun_normal",
           "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal",
           "orthogonal"]


def _dtype(dtype):
  return jnp.float32 if dtype is None else dtype


def _shape(shape) -> tuple[int, ...]:
  if isinstance(shape, (int, np.integer)):
    return (int(shape),)
  try:
    return tuple(int(d) for d in shape)
  except TypeError:
    raise TypeError(f'an initializer shape must be a sequence of ints, got {shape!r}') from None


def zeros(key, shape, dtype=None):
  """An array of zeros (the key is ignored).

  >>> zeros(None, (2,))
  Array([0., 0.], dtype=float32)
  """
  del key
  return jnp.zeros(_shape(shape), _dtype(dtype))


def ones(key, shape, dtype=None):
  """An array of ones (the key is ignored).

  >>> ones(None, (2,))
  Array([1., 1.], dtype=float32)
  """
  del key
  return jnp.ones(_shape(shape), _dtype(dtype))


def zeros_init():
  """Builds the initializer returning zeros (flax's default bias init).

  >>> zeros_init()(None, (1,))
  Array([0.], dtype=float32)
  """
  return zeros


def ones_init():
  """Builds the initializer returning ones (the default scale of a norm layer).

  >>> ones_init()(None, (1,))
  Array([1.], dtype=float32)
  """
  return ones


# The flax.linen.jvp documentation page renders ``zeros_init()`` as
# ``_init()``; kept so that example runs as printed.
_init = zeros_init


def constant(value, dtype=None):
  """Builds an initializer returning arrays full of ``value``.

  >>> constant(-7)(None, (2,))
  Array([-7., -7.], dtype=float32)
  """
  def init(key, shape, dtype=dtype):
    del key
    return jnp.full(_shape(shape), value, _dtype(dtype))
  return init


def uniform(scale=1e-2, dtype=None):
  """Builds an initializer of values uniform in ``[0, scale)``.

  >>> import jaxlite
  >>> bool((uniform(1.0)(jaxlite.random.PRNGKey(0), (5,)) < 1).all())
  True
  """
  def init(key, shape, dtype=dtype):
    return random.uniform(key, _shape(shape), _dtype(dtype), maxval=scale)
  return init


def normal(stddev=1e-2, dtype=None):
  """Builds an initializer of normal values with standard deviation ``stddev``.

  >>> import jaxlite
  >>> normal(1.0)(jaxlite.random.PRNGKey(0), (3,)).dtype
  dtype('float32')
  """
  def init(key, shape, dtype=dtype):
    return random.normal(key, _shape(shape), _dtype(dtype)) * jnp.asarray(stddev, _dtype(dtype))
  return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
  """Builds an initializer of normal values truncated to ``[lower, upper]``
  standard deviations, then scaled by ``stddev``.

  >>> import jaxlite
  >>> x = truncated_normal(1.0)(jaxlite.random.PRNGKey(0), (100,))
  >>> bool((abs(x) <= 2).all())
  True
  """
  def init(key, shape, dtype=dtype):
    dtype = _dtype(dtype)
    return random.truncated_normal(key, lower, upper, _shape(shape), dtype) * jnp.asarray(
        stddev, dtype)
  return init


def _compute_fans(shape, in_axis, out_axis, batch_axis):
  """Fan-in and fan-out; axes other than these count as receptive field."""
  if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
    raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-"
                     'dimensional weights tensor with default in_axis. Must be at '
                     'least 2D or specify in_axis explicitly.')

  def size(axes):
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)
  in_size, out_size, batch_size = size(in_axis), size(out_axis), size(batch_axis)
  receptive_field = math.prod(shape) / in_size / out_size / batch_size
  return in_size * receptive_field, out_size * receptive_field


def variance_scaling(scale, mode: str, distribution: str, in_axis: int | Sequence[int] = -2,
                     out_axis: int | Sequence[int] = -1,
                     batch_axis: int | Sequence[int] = (), dtype=None):
  """Builds an initializer whose variance is ``scale / n``, ``n`` from ``mode``
  ('fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'), drawn from
  ``distribution`` ('truncated_normal', 'normal' or 'uniform').

  >>> import jaxlite
  >>> init = variance_scaling(2.0, 'fan_in', 'normal')
  >>> init(jaxlite.random.PRNGKey(0), (4, 3)).shape
  (4, 3)
  """
  if mode not in ('fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'):
    raise ValueError(f'invalid mode for variance scaling initializer: {mode}')
  if distribution not in ('truncated_normal', 'normal', 'uniform'):
    raise ValueError(f'invalid distribution for variance scaling initializer: {distribution}')

  def init(key, shape, dtype=dtype):
    shape, dtype = _shape(shape), _dtype(dtype)
    fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
    denominator = {'fan_in': fan_in, 'fan_out': fan_out,
                   'fan_avg': (fan_in + fan_out) / 2,
                   'fan_geo_avg': (fan_in * fan_out) ** 0.5}[mode]
    variance = jnp.array(scale / denominator, dtype=dtype)
    if distribution == 'truncated_normal':
      # .8796... is the standard deviation of a unit normal truncated to [-2, 2].
      stddev = jnp.sqrt(variance) / jnp.array(.87962566103423978, dtype)
      return random.truncated_normal(key, -2, 2, shape, dtype) * stddev
    if distribution == 'normal':
      return random.normal(key, shape, dtype) * jnp.sqrt(variance)
    return random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)
  return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
  """Glorot/Xavier uniform: ``variance_scaling(1.0, 'fan_avg', 'uniform')``.

  >>> import jaxlite
  >>> glorot_uniform()(jaxlite.random.PRNGKey(0), (2, 2)).shape
  (2, 2)
  """
  return variance_scaling(1.0, 'fan_avg', 'uniform', in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
  """Glorot/Xavier normal: ``variance_scaling(1.0, 'fan_avg', 'truncated_normal')``.

  >>> import jaxlite
  >>> glorot_normal()(jaxlite.random.PRNGKey(0), (2, 2)).shape
  (2, 2)
  """
  return variance_scaling(1.0, 'fan_avg', 'truncated_normal', in_axis, out_axis,
                          batch_axis, dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
  """LeCun uniform: ``variance_scaling(1.0, 'fan_in', 'uniform')``.

  >>> import jaxlite
  >>> lecun_uniform()(jaxlite.random.PRNGKey(0), (2, 2)).shape
  (2, 2)
  """
  return variance_scaling(1.0, 'fan_in', 'uniform', in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
  """LeCun normal (flax's default kernel init):
  ``variance_scaling(1.0, 'fan_in', 'truncated_normal')``.

  >>> import jaxlite
  >>> lecun_normal()(jaxlite.random.PRNGKey(0), (2, 2)).shape
  (2, 2)
  """
  return variance_scaling(1.0, 'fan_in', 'truncated_normal', in_axis, out_axis,
                          batch_axis, dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
  """He/Kaiming uniform: ``variance_scaling(2.0, 'fan_in', 'uniform')``.

  >>> import jaxlite
  >>> he_uniform()(jaxlite.random.PRNGKey(0), (2, 2)).shape
  (2, 2)
  """
  return variance_scaling(2.0, 'fan_in', 'uniform', in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
  """He/Kaiming normal: ``variance_scaling(2.0, 'fan_in', 'truncated_normal')``.

  >>> import jaxlite
  >>> he_normal()(jaxlite.random.PRNGKey(0), (2, 2)).shape
  (2, 2)
  """
  return variance_scaling(2.0, 'fan_in', 'truncated_normal', in_axis, out_axis,
                          batch_axis, dtype)


xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
  """Builds an initializer of (semi-)orthogonal matrices, from the QR
  decomposition of a normal matrix with the signs of R's diagonal folded in.

  >>> import jaxlite, numpy as np
  >>> q = orthogonal()(jaxlite.random.PRNGKey(0), (3, 3))
  >>> bool(np.allclose(np.asarray(q.T @ q), np.eye(3), atol=1e-5))
  True
  """
  def init(key, shape, dtype=dtype):
    shape, dtype = _shape(shape), _dtype(dtype)
    if len(shape) < 2:
      raise ValueError('orthogonal initializer requires at least a 2D shape, got '
                       f'{shape}')
    n_rows = math.prod(shape) // shape[column_axis]
    n_cols = shape[column_axis]
    matrix_shape = (n_cols, n_rows) if n_rows < n_cols else (n_rows, n_cols)
    a = random.normal(key, matrix_shape, dtype)
    q, r = jnp.linalg.qr(a)
    q = q * lax.expand_dims(jnp.sign(jnp.diagonal(r)), (0,))
    if n_rows < n_cols:
      q = q.T
    q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (shape[column_axis],))
    q = jnp.moveaxis(q, -1, column_axis)
    return jnp.asarray(scale, dtype) * q
  return init
