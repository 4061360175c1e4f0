"""Normalization layers: LayerNorm, BatchNorm, GroupNorm and RMSNorm, with
flax's parameter names ('scale', 'bias'), defaults and statistics (computed in
at least float32; variance as ``E[x^2] - E[x]^2`` clipped at 0).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> x = jnp.array([[1., 2., 3.]])
  >>> v = nn.LayerNorm().init(jaxlite.random.PRNGKey(0), x)
  >>> nn.LayerNorm().apply(v, x).round(3)
  Array([[-1.225,  0.   ,  1.225]], dtype=float32)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from jaxlite import lax
from jaxlite import numpy as jnp
from jaxlite.linen import initializers
from jaxlite.linen.module import Module, compact

__all__ = ["LayerNorm", "BatchNorm", "GroupNorm", "RMSNorm", "merge_param"]


def merge_param(name: str, a, b):
  """The one of a constructor value ``a`` and a call-time value ``b`` that is
  set; both or neither set is an error.

  >>> merge_param('deterministic', None, True)
  True
  """
  if a is None and b is None:
    raise ValueError(f'Parameter "{name}" must be passed to the constructor or at '
                     'call time.')
  if a is not None and b is not None:
    raise ValueError(f'Parameter "{name}" was passed to the constructor and at call '
                     'time. Should be passed just once.')
  return a if b is None else b


def _canonicalize_axes(ndim: int, axes) -> tuple[int, ...]:
  axes = (axes,) if isinstance(axes, int) else tuple(axes)
  for ax in axes:
    if not -ndim <= ax < ndim:
      raise ValueError(f'axis {ax} is out of bounds for an input of rank {ndim}')
  return tuple(sorted({ax % ndim for ax in axes}))


def _compute_stats(x, axes, axis_name=None, axis_index_groups=None,
                   use_fast_variance: bool = True, use_mean: bool = True):
  """Mean and variance over ``axes`` (and the named mapped axis), in float32
  or wider."""
  x = jnp.asarray(x, jnp.promote_types(jnp.float32, jnp.result_type(x)))

  def mean(y):
    m = jnp.mean(y, axes)
    if axis_name is not None:
      m = lax.pmean(m, axis_name, axis_index_groups=axis_index_groups)
    return m

  if not use_mean:
    return jnp.zeros(()), mean(jnp.square(x))
  mu = mean(x)
  if use_fast_variance:
    var = jnp.maximum(0., mean(jnp.square(x)) - jnp.square(mu))
  else:
    var = mean(jnp.square(x - jnp.expand_dims(mu, axes)))
  return mu, var


def _normalize(mdl: Module, x, mean, var, reduction_axes, feature_axes, dtype,
               param_dtype, epsilon, use_bias, use_scale, bias_init, scale_init,
               subtract_mean: bool = True):
  """``(x - mean) * rsqrt(var + eps) * scale + bias``; declares 'scale' then
  'bias' over the feature axes."""
  stats_shape = list(x.shape)
  for ax in reduction_axes:
    stats_shape[ax] = 1
  feature_shape = [1] * x.ndim
  reduced_feature_shape = []
  for ax in feature_axes:
    feature_shape[ax] = x.shape[ax]
    reduced_feature_shape.append(x.shape[ax])
  mean = jnp.reshape(mean, stats_shape) if subtract_mean else 0.
  var = jnp.reshape(var, stats_shape)
  y = x - mean if subtract_mean else x
  mul = lax.rsqrt(var + epsilon)
  args = [x]
  if use_scale:
    scale = mdl.param('scale', scale_init, tuple(reduced_feature_shape), param_dtype)
    mul = mul * jnp.reshape(scale, feature_shape)
    args.append(scale)
  y = y * mul
  if use_bias:
    bias = mdl.param('bias', bias_init, tuple(reduced_feature_shape), param_dtype)
    y = y + jnp.reshape(bias, feature_shape)
    args.append(bias)
  if dtype is None:
    dtype = jnp.result_type(*args)
  return jnp.asarray(y, dtype)


class LayerNorm(Module):
  """Normalizes each example over its last axis (or ``reduction_axes``).

  Attributes:
    epsilon: added to the variance (default 1e-6).
    dtype, param_dtype: computation and parameter dtypes.
    use_bias, use_scale: learn 'bias' (zeros) and 'scale' (ones).
    bias_init, scale_init: their initializers.
    reduction_axes: axes the statistics are computed over (default -1).
    feature_axes: axes that get their own scale and bias (default -1).
    axis_name: a mapped axis to average the statistics over as well.
    use_fast_variance: ``E[x^2] - E[x]^2`` (True) or ``E[(x - E[x])^2]``.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> v = nn.LayerNorm().init(jaxlite.random.PRNGKey(0), jnp.ones((2, 3)))
  >>> jaxlite.tree_util.tree_map(jnp.shape, v)
  {'params': {'bias': (3,), 'scale': (3,)}}
  """
  epsilon: float = 1e-6
  dtype: Any = None
  param_dtype: Any = jnp.float32
  use_bias: bool = True
  use_scale: bool = True
  bias_init: Callable = initializers.zeros_init()
  scale_init: Callable = initializers.ones_init()
  reduction_axes: int | Sequence[int] = -1
  feature_axes: int | Sequence[int] = -1
  axis_name: Any = None
  axis_index_groups: Any = None
  use_fast_variance: bool = True

  @compact
  def __call__(self, x):
    x = jnp.asarray(x)
    reduction_axes = _canonicalize_axes(x.ndim, self.reduction_axes)
    feature_axes = _canonicalize_axes(x.ndim, self.feature_axes)
    mean, var = _compute_stats(x, reduction_axes, self.axis_name, self.axis_index_groups,
                               self.use_fast_variance)
    return _normalize(self, x, mean, var, reduction_axes, feature_axes, self.dtype,
                      self.param_dtype, self.epsilon, self.use_bias, self.use_scale,
                      self.bias_init, self.scale_init)


class RMSNorm(Module):
  """Scales each example by the reciprocal root mean square of its last axis
  (no mean subtraction, no bias).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> x = jnp.array([[3., 4.]])
  >>> v = nn.RMSNorm().init(jaxlite.random.PRNGKey(0), x)
  >>> [round(float(y), 3) for y in nn.RMSNorm().apply(v, x)[0]]
  [0.849, 1.131]
  """
  epsilon: float = 1e-6
  dtype: Any = None
  param_dtype: Any = jnp.float32
  use_scale: bool = True
  scale_init: Callable = initializers.ones_init()
  reduction_axes: int | Sequence[int] = -1
  feature_axes: int | Sequence[int] = -1
  axis_name: Any = None
  axis_index_groups: Any = None

  @compact
  def __call__(self, x):
    x = jnp.asarray(x)
    reduction_axes = _canonicalize_axes(x.ndim, self.reduction_axes)
    feature_axes = _canonicalize_axes(x.ndim, self.feature_axes)
    mean, var = _compute_stats(x, reduction_axes, self.axis_name, self.axis_index_groups,
                               use_mean=False)
    return _normalize(self, x, mean, var, reduction_axes, feature_axes, self.dtype,
                      self.param_dtype, self.epsilon, False, self.use_scale,
                      initializers.zeros_init(), self.scale_init, subtract_mean=False)


class BatchNorm(Module):
  """Normalizes over the batch (all axes but ``axis``), keeping running
  averages of the statistics in the 'batch_stats' collection.

  Attributes:
    use_running_average: normalize with the stored averages (evaluation)
      instead of the batch statistics; may be given at call time instead.
    axis: the feature axis (default -1).
    momentum: decay of the running averages (default 0.99).
    epsilon: added to the variance (default 1e-5).
    dtype, param_dtype, use_bias, use_scale, bias_init, scale_init: as LayerNorm.
    axis_name: a mapped axis (vmap/pmap) to average the batch statistics over.

  Training updates 'batch_stats', which must then be mutable:

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> bn = nn.BatchNorm(use_running_average=False)
  >>> x = jnp.array([[0., 2.], [2., 6.]])
  >>> v = bn.init(jaxlite.random.PRNGKey(0), x)
  >>> y, updates = bn.apply(v, x, mutable=['batch_stats'])
  >>> updates['batch_stats']['mean']
  Array([0.01, 0.04], dtype=float32)
  """
  use_running_average: bool | None = None
  axis: int = -1
  momentum: float = 0.99
  epsilon: float = 1e-5
  dtype: Any = None
  param_dtype: Any = jnp.float32
  use_bias: bool = True
  use_scale: bool = True
  bias_init: Callable = initializers.zeros_init()
  scale_init: Callable = initializers.ones_init()
  axis_name: Any = None
  axis_index_groups: Any = None
  use_fast_variance: bool = True

  @compact
  def __call__(self, x, use_running_average: bool | None = None):
    use_running_average = merge_param('use_running_average', self.use_running_average,
                                      use_running_average)
    x = jnp.asarray(x)
    feature_axes = _canonicalize_axes(x.ndim, self.axis)
    reduction_axes = tuple(i for i in range(x.ndim) if i not in feature_axes)
    feature_shape = tuple(x.shape[ax] for ax in feature_axes)
    ra_mean = self.variable('batch_stats', 'mean', lambda s: jnp.zeros(s, jnp.float32),
                            feature_shape)
    ra_var = self.variable('batch_stats', 'var', lambda s: jnp.ones(s, jnp.float32),
                           feature_shape)
    if use_running_average:
      mean, var = ra_mean.value, ra_var.value
    else:
      mean, var = _compute_stats(x, reduction_axes, self.axis_name, self.axis_index_groups,
                                 self.use_fast_variance)
      # The averages start from their initial values, not the first batch.
      if not self.is_initializing():
        m = self.momentum
        ra_mean.value = m * ra_mean.value + (1 - m) * mean
        ra_var.value = m * ra_var.value + (1 - m) * var
    return _normalize(self, x, mean, var, reduction_axes, feature_axes, self.dtype,
                      self.param_dtype, self.epsilon, self.use_bias, self.use_scale,
                      self.bias_init, self.scale_init)


class GroupNorm(Module):
  """Normalizes each example over its spatial axes and groups of channels.

  Attributes:
    num_groups: the number of channel groups (default 32), or None with
      ``group_size`` set.
    group_size: channels per group (alternative to ``num_groups``).
    epsilon, dtype, param_dtype, use_bias, use_scale, bias_init, scale_init:
      as LayerNorm.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> x = jnp.arange(8.).reshape(1, 2, 4)
  >>> v = nn.GroupNorm(num_groups=2).init(jaxlite.random.PRNGKey(0), x)
  >>> nn.GroupNorm(num_groups=2).apply(v, x).shape
  (1, 2, 4)
  """
  num_groups: int | None = 32
  group_size: int | None = None
  epsilon: float = 1e-6
  dtype: Any = None
  param_dtype: Any = jnp.float32
  use_bias: bool = True
  use_scale: bool = True
  bias_init: Callable = initializers.zeros_init()
  scale_init: Callable = initializers.ones_init()
  use_fast_variance: bool = True

  @compact
  def __call__(self, x):
    x = jnp.asarray(x)
    channels = x.shape[-1]
    if (self.num_groups is None) == (self.group_size is None):
      raise ValueError('Either `num_groups` or `group_size` should be specified, not '
                       f'both or neither (got {self.num_groups}, {self.group_size}).')
    num_groups = self.num_groups if self.group_size is None else channels // self.group_size
    if num_groups <= 0 or channels % num_groups:
      raise ValueError(f'Number of groups ({num_groups}) must divide the number of '
                       f'channels ({channels}).')
    group_size = channels // num_groups
    grouped = jnp.reshape(x, x.shape[:-1] + (num_groups, group_size))
    # The leading axis is the batch; everything else but the group axis is reduced.
    axes = tuple(range(1, grouped.ndim - 2)) + (grouped.ndim - 1,)
    mean, var = _compute_stats(grouped, axes, use_fast_variance=self.use_fast_variance)
    mean = jnp.repeat(mean, group_size, axis=-1)
    var = jnp.repeat(var, group_size, axis=-1)
    reduction_axes = tuple(range(1, x.ndim - 1))
    return _normalize(self, x, mean, var, reduction_axes, (x.ndim - 1,), self.dtype,
                      self.param_dtype, self.epsilon, self.use_bias, self.use_scale,
                      self.bias_init, self.scale_init)
