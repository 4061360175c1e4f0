"""Parameter initializers (``jax.nn.initializers``): each factory returns
``init(key, shape, dtype) -> Array``, drawing with ``jaxlite.random`` exactly
as JAX's do (so the same key gives the same parameters).
"""
from __future__ import annotations

import math
from typing import Any, Protocol, Sequence

import numpy as np

from jaxlite import dtypes, random
import jaxlite.numpy as jnp
from jaxlite.random.keys import canonicalize_shape

__all__ = ["Initializer", "zeros", "ones", "constant", "uniform", "normal", "truncated_normal",
           "variance_scaling", "glorot_uniform", "glorot_normal", "xavier_uniform",
           "xavier_normal", "lecun_uniform", "lecun_normal", "he_uniform", "he_normal",
           "kaiming_uniform", "kaiming_normal", "orthogonal", "delta_orthogonal"]


class Initializer(Protocol):
  """The type of what this module's factories return (a typing protocol, as
  JAX's): ``init(key, shape, dtype=None, out_sharding=None) -> Array``.

  >>> from jaxlite.nn import initializers
  >>> init: initializers.Initializer = initializers.normal(0.1)
  """

  def __call__(self, key: Any, shape: Sequence[int], dtype: Any = None,
               out_sharding: Any = None) -> Any:
    ...


def _dtype(dtype):
  return dtypes.default_float_dtype() if dtype is None else dtype


def zeros(key, shape, dtype=None, out_sharding=None):
  """An initializer that returns zeros.

  >>> from jaxlite.nn import initializers
  >>> initializers.zeros(None, (2,))
  Array([0., 0.], dtype=float32)
  """
  return jnp.zeros(shape, _dtype(dtype), out_sharding=out_sharding)


def ones(key, shape, dtype=None, out_sharding=None):
  """An initializer that returns ones.

  >>> from jaxlite.nn import initializers
  >>> initializers.ones(None, (2,))
  Array([1., 1.], dtype=float32)
  """
  return jnp.ones(shape, _dtype(dtype), out_sharding=out_sharding)


def constant(value, dtype=None):
  """An initializer that fills with ``value``.

  >>> from jaxlite.nn import initializers
  >>> initializers.constant(-7)(None, (2,))
  Array([-7., -7.], dtype=float32)
  """
  def init(key, shape, dtype=dtype):
    return jnp.full(shape, value, dtype=_dtype(dtype))
  return init


def uniform(scale=1e-2, dtype=None):
  """Uniform values in ``[0, scale)``.

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> initializers.uniform(10.0)(random.PRNGKey(0), (2,)).shape
  (2,)
  """
  def init(key, shape, dtype=dtype):
    dtype = _dtype(dtype)
    return random.uniform(key, shape, dtype) * jnp.array(scale, dtype)
  return init


def normal(stddev=1e-2, dtype=None):
  """Normal values with standard deviation ``stddev``.

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> initializers.normal(5.0)(random.PRNGKey(0), (2,)).shape
  (2,)
  """
  def init(key, shape, dtype=dtype):
    dtype = _dtype(dtype)
    return random.normal(key, shape, dtype) * jnp.array(stddev, dtype)
  return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
  """Normal values truncated to ``[lower, upper]`` standard deviations, times ``stddev``.

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> initializers.truncated_normal(5.0)(random.PRNGKey(0), (2,)).shape
  (2,)
  """
  def init(key, shape, dtype=dtype):
    dtype = _dtype(dtype)
    return random.truncated_normal(key, lower, upper, shape, dtype) * jnp.array(stddev, dtype)
  return init


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
  if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
    raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional "
                     "weights tensor with default in_axis. Must be at least 2D or specify "
                     "in_axis explicitly.")
  size = lambda axes: shape[axes] if isinstance(axes, int) else \
      math.prod([shape[i] for i in axes])
  in_size, out_size, batch_size = size(in_axis), size(out_axis), size(batch_axis)
  receptive_field_size = math.prod(shape) / in_size / out_size / batch_size
  return in_size * receptive_field_size, out_size * receptive_field_size


def _complex_uniform(key, shape, dtype):
  key_r, key_theta = random.split(key)
  real_dtype = np.array(0, dtype).real.dtype
  dtype = dtypes.to_complex_dtype(real_dtype)
  r = jnp.sqrt(2 * random.uniform(key_r, shape, real_dtype)).astype(dtype)
  theta = 2 * np.pi * random.uniform(key_theta, shape, real_dtype).astype(dtype)
  return r * jnp.exp(1j * theta)


def _complex_truncated_normal(key, upper, shape, dtype):
  key_r, key_theta = random.split(key)
  real_dtype = np.array(0, dtype).real.dtype
  dtype = dtypes.to_complex_dtype(real_dtype)
  t = ((1 - jnp.exp(jnp.array(-(upper ** 2), dtype)))
       * random.uniform(key_r, shape, real_dtype).astype(dtype))
  r = jnp.sqrt(-jnp.log(1 - t))
  theta = 2 * np.pi * random.uniform(key_theta, shape, real_dtype).astype(dtype)
  return r * jnp.exp(1j * theta)


def variance_scaling(scale, mode: str, distribution: str, in_axis=-2, out_axis=-1,
                     batch_axis=(), dtype=None):
  r"""Values with variance ``scale / n``, ``n`` the fan-in, fan-out, their
  mean (``fan_avg``) or geometric mean (``fan_geo_avg``); drawn from a
  truncated normal, a normal or a uniform distribution.

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> init = initializers.variance_scaling(2.0, "fan_in", "normal")
  >>> init(random.PRNGKey(0), (3, 2)).shape
  (3, 2)
  """
  def init(key, shape, dtype=dtype):
    shape = canonicalize_shape(shape)
    dtype = _dtype(dtype)
    fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
    if mode == "fan_in":
      denominator = fan_in
    elif mode == "fan_out":
      denominator = fan_out
    elif mode == "fan_avg":
      denominator = (fan_in + fan_out) / 2
    elif mode == "fan_geo_avg":
      denominator = (fan_in * fan_out) ** 0.5
    else:
      raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
    variance = jnp.array(scale / denominator, dtype=dtype)
    if distribution == "truncated_normal":
      if dtypes.issubdtype(dtype, np.floating):
        # The standard deviation of a standard normal truncated to (-2, 2).
        stddev = jnp.sqrt(variance) / jnp.array(.87962566103423978, dtype)
        return random.truncated_normal(key, -2, 2, shape, dtype) * stddev
      stddev = jnp.sqrt(variance) / jnp.array(.95311164380491208, dtype)
      return _complex_truncated_normal(key, 2, shape, dtype) * stddev
    if distribution == "normal":
      return random.normal(key, shape, dtype) * jnp.sqrt(variance)
    if distribution == "uniform":
      if dtypes.issubdtype(dtype, np.floating):
        return random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)
      return _complex_uniform(key, shape, dtype) * jnp.sqrt(variance)
    raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")
  return init


def _scaling(name, scale, mode, distribution):
  def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(scale, mode, distribution, in_axis=in_axis, out_axis=out_axis,
                            batch_axis=batch_axis, dtype=dtype)
  factory.__name__ = factory.__qualname__ = name
  factory.__doc__ = f"""``variance_scaling({scale}, "{mode}", "{distribution}")``.

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> initializers.{name}()(random.PRNGKey(0), (3, 2)).shape
  (3, 2)
  """
  return factory


glorot_uniform = xavier_uniform = _scaling("glorot_uniform", 1.0, "fan_avg", "uniform")
glorot_normal = xavier_normal = _scaling("glorot_normal", 1.0, "fan_avg", "truncated_normal")
lecun_uniform = _scaling("lecun_uniform", 1.0, "fan_in", "uniform")
lecun_normal = _scaling("lecun_normal", 1.0, "fan_in", "truncated_normal")
he_uniform = kaiming_uniform = _scaling("he_uniform", 2.0, "fan_in", "uniform")
he_normal = kaiming_normal = _scaling("he_normal", 2.0, "fan_in", "truncated_normal")


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
  """A (semi-)orthogonal matrix over ``column_axis`` and the other axes flattened,
  times ``scale``.

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> initializers.orthogonal()(random.PRNGKey(0), (3, 3)).shape
  (3, 3)
  """
  def init(key, shape, dtype=dtype):
    shape = canonicalize_shape(shape)
    dtype = _dtype(dtype)
    if len(shape) < 2:
      raise ValueError("orthogonal initializer requires at least a 2D shape")
    if any(d == 0 for d in shape):
      return jnp.zeros(shape, dtype=dtype)
    n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
    q = random.orthogonal(key, n_rows, (), dtype, n_cols)
    q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (shape[column_axis],))
    q = jnp.moveaxis(q, -1, column_axis)
    return jnp.array(scale, dtype) * q
  return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
  """For convolution kernels (3-5 dims): zeros with an orthogonal matrix at the
  spatial centre (Xiao et al. 2018).

  >>> from jaxlite import random
  >>> from jaxlite.nn import initializers
  >>> initializers.delta_orthogonal()(random.PRNGKey(0), (3, 2, 2)).shape
  (3, 2, 2)
  """
  def init(key, shape, dtype=dtype):
    shape = canonicalize_shape(shape)
    dtype = _dtype(dtype)
    if len(shape) not in (3, 4, 5):
      raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
    if shape[-1] < shape[-2]:
      raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
    ortho = orthogonal(scale=scale, column_axis=column_axis, dtype=dtype)(key, shape[-2:])
    centre = tuple((k - 1) // 2 for k in shape[:-2])
    return jnp.zeros(shape, dtype=dtype).at[centre + (Ellipsis,)].set(ortho)
  return init
