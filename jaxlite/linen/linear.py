"""Linear layers: Dense, DenseGeneral, Conv and Embed, with flax's parameter
names, shapes, initializers and creation order (so the same key gives the
same values as flax).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> v = nn.Conv(4, (3, 3)).init(jaxlite.random.PRNGKey(0), jnp.ones((1, 8, 8, 2)))
  >>> jaxlite.tree_util.tree_map(jnp.shape, v)
  {'params': {'bias': (4,), 'kernel': (3, 3, 2, 4)}}
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import lax
from jaxlite import numpy as jnp
from jaxlite.linen import initializers
from jaxlite.linen.module import Module, compact

__all__ = ["Dense", "DenseGeneral", "Conv", "Embed", "promote_dtype",
           "canonicalize_padding"]

default_kernel_init = initializers.lecun_normal()
default_embed_init = initializers.variance_scaling(1.0, 'fan_in', 'normal', out_axis=0)


def promote_dtype(*args, dtype=None, inexact: bool = True):
  """Casts the non-None ``args`` to ``dtype`` (default: their common type).

  >>> import jaxlite.numpy as jnp
  >>> [a.dtype for a in promote_dtype(jnp.ones(1, jnp.float16), jnp.ones(1))]
  [dtype('float32'), dtype('float32')]
  """
  if dtype is None:
    dtype = jnp.result_type(*[a for a in args if a is not None])
    if inexact and not jnp.issubdtype(dtype, jnp.inexact):
      dtype = jnp.promote_types(jnp.float32, dtype)
  return [None if a is None else jnp.asarray(a, dtype) for a in args]


def _as_tuple(x) -> tuple:
  return tuple(x) if isinstance(x, Sequence) else (x,)


def _normalize_axes(axes: tuple[int, ...], ndim: int) -> tuple[int, ...]:
  for ax in axes:
    if not -ndim <= ax < ndim:
      raise ValueError(f'axis {ax} is out of bounds for an input of rank {ndim}')
  return tuple(sorted(ax % ndim for ax in axes))


class DenseGeneral(Module):
  """A linear map over several input axes to several output features.

  Attributes:
    features: int or tuple of output feature sizes.
    axis: input axis or axes to contract (default -1).
    batch_dims: leading input axes that get their own kernel.
    use_bias, dtype, param_dtype, kernel_init, bias_init, precision: as Dense.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> m = nn.DenseGeneral((2, 3), axis=(-2, -1))
  >>> v = m.init(jaxlite.random.PRNGKey(0), jnp.ones((5, 4, 6)))
  >>> v['params']['kernel'].shape, m.apply(v, jnp.ones((5, 4, 6))).shape
  ((4, 6, 2, 3), (5, 2, 3))
  """
  features: int | Sequence[int]
  axis: int | Sequence[int] = -1
  batch_dims: Sequence[int] = ()
  use_bias: bool = True
  dtype: Any = None
  param_dtype: Any = jnp.float32
  kernel_init: Callable = default_kernel_init
  bias_init: Callable = initializers.zeros_init()
  precision: Any = None

  @compact
  def __call__(self, inputs):
    inputs = jnp.asarray(inputs)
    features = _as_tuple(self.features)
    batch_dims = _as_tuple(self.batch_dims)
    if batch_dims and set(batch_dims) != set(range(max(batch_dims) + 1)):
      raise ValueError(f'batch_dims {batch_dims} must be consecutive leading '
                       'dimensions starting from 0.')
    ndim = inputs.ndim
    axis = _normalize_axes(_as_tuple(self.axis), ndim)
    batch_dims = _normalize_axes(batch_dims, ndim)
    n_batch, n_axis, n_features = len(batch_dims), len(axis), len(features)

    # The initializers see the flattened (fan_in, fan_out) matrix, as in flax.
    def kernel_init(rng, shape, dtype=jnp.float32):
      flat = (math.prod(shape[:n_batch]) * math.prod(shape[n_batch:n_batch + n_axis]),
              math.prod(shape[-n_features:]))
      return jnp.reshape(self.kernel_init(rng, flat, dtype), shape)

    batch_shape = tuple(inputs.shape[ax] for ax in batch_dims)
    kernel_shape = tuple(inputs.shape[ax] for ax in axis) + features
    kernel = self.param('kernel', kernel_init, batch_shape + kernel_shape, self.param_dtype)
    bias = None
    if self.use_bias:
      def bias_init(rng, shape, dtype=jnp.float32):
        flat = (math.prod(shape[:n_batch]) * math.prod(shape[-n_features:]),)
        return jnp.reshape(self.bias_init(rng, flat, dtype), shape)
      bias = self.param('bias', bias_init, batch_shape + features, self.param_dtype)
    inputs, kernel, bias = promote_dtype(inputs, kernel, bias, dtype=self.dtype)
    batch_ind = tuple(range(n_batch))
    contract_ind = tuple(range(n_batch, n_axis + n_batch))
    out = lax.dot_general(inputs, kernel, ((axis, contract_ind), (batch_dims, batch_ind)),
                          precision=self.precision)
    if bias is not None:
      expanded_batch_shape = tuple(inputs.shape[ax] if ax in batch_dims else 1
                                   for ax in range(ndim) if ax not in axis)
      out = out + jnp.reshape(bias, expanded_batch_shape + features)
    return out


class Dense(Module):
  """A linear map of the last axis: ``y = x @ kernel + bias``.

  Attributes:
    features: the number of output features.
    use_bias: whether to add a bias (default True).
    dtype: the computation dtype (default: inferred from inputs and params).
    param_dtype: the dtype of the parameters (default float32).
    kernel_init: initializer of the ``(in, features)`` kernel (lecun_normal).
    bias_init: initializer of the bias (zeros).
    precision: the precision of the matmul.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> v = nn.Dense(3).init(jaxlite.random.PRNGKey(0), jnp.ones((2, 4)))
  >>> nn.Dense(3).apply(v, jnp.ones((2, 4))).shape
  (2, 3)
  """
  features: int
  use_bias: bool = True
  dtype: Any = None
  param_dtype: Any = jnp.float32
  precision: Any = None
  kernel_init: Callable = default_kernel_init
  bias_init: Callable = initializers.zeros_init()

  @compact
  def __call__(self, inputs):
    inputs = jnp.asarray(inputs)
    kernel = self.param('kernel', self.kernel_init, (jnp.shape(inputs)[-1], self.features),
                        self.param_dtype)
    bias = (self.param('bias', self.bias_init, (self.features,), self.param_dtype)
            if self.use_bias else None)
    inputs, kernel, bias = promote_dtype(inputs, kernel, bias, dtype=self.dtype)
    y = lax.dot_general(inputs, kernel, (((inputs.ndim - 1,), (0,)), ((), ())),
                        precision=self.precision)
    if bias is not None:
      y = y + jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))
    return y


def canonicalize_padding(padding, rank: int):
  """Padding as lax takes it: a string, or ``rank`` (low, high) pairs.

  >>> canonicalize_padding(1, 2), canonicalize_padding('same', 2)
  ([(1, 1), (1, 1)], 'SAME')
  """
  if isinstance(padding, str):
    padding = padding.upper()
    if padding not in ('SAME', 'VALID', 'CIRCULAR', 'CAUSAL', 'REFLECT', 'SAME_LOWER'):
      raise ValueError(f"Invalid padding '{padding}': expected 'SAME', 'VALID', "
                       "'CIRCULAR', 'CAUSAL', 'REFLECT', an int or a sequence.")
    return padding
  if isinstance(padding, (int, np.integer)):
    return [(int(padding), int(padding))] * rank
  if isinstance(padding, Sequence) and len(padding) == rank:
    pairs = []
    for p in padding:
      if isinstance(p, (int, np.integer)):
        pairs.append((int(p), int(p)))
      elif isinstance(p, Sequence) and len(p) == 2:
        pairs.append((int(p[0]), int(p[1])))
      else:
        break
    else:
      return pairs
  raise ValueError(f'Wrong padding {padding!r}: expected a string, an int, or a sequence '
                   f'of {rank} ints or (low, high) pairs.')


class Conv(Module):
  """A convolution over the spatial axes of NHWC-style (channels-last) input.

  Attributes:
    features: the number of output channels.
    kernel_size: the window shape, a tuple with one entry per spatial axis.
    strides: an int or one per spatial axis (default 1).
    padding: 'SAME' (default), 'VALID', 'CIRCULAR', 'CAUSAL', 'REFLECT', an
      int, or a sequence of ints / (low, high) pairs, one per spatial axis.
    input_dilation, kernel_dilation: ints or one per spatial axis.
    feature_group_count: split input channels into groups (grouped conv).
    use_bias, dtype, param_dtype, precision, kernel_init, bias_init: as Dense.

  Input of rank ``len(kernel_size) + 1`` is treated as one unbatched example;
  several leading batch axes are flattened and restored.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> m = nn.Conv(2, (3,), strides=2, padding='VALID')
  >>> v = m.init(jaxlite.random.PRNGKey(0), jnp.ones((1, 9, 1)))
  >>> m.apply(v, jnp.ones((1, 9, 1))).shape
  (1, 4, 2)
  """
  features: int
  kernel_size: int | Sequence[int]
  strides: int | Sequence[int] | None = 1
  padding: Any = 'SAME'
  input_dilation: int | Sequence[int] | None = 1
  kernel_dilation: int | Sequence[int] | None = 1
  feature_group_count: int = 1
  use_bias: bool = True
  dtype: Any = None
  param_dtype: Any = jnp.float32
  precision: Any = None
  kernel_init: Callable = default_kernel_init
  bias_init: Callable = initializers.zeros_init()

  @compact
  def __call__(self, inputs):
    inputs = jnp.asarray(inputs)
    if isinstance(self.kernel_size, int):
      raise TypeError('Expected Conv kernel_size to be a tuple/list of integers '
                      f'(eg.: [3, 3]) but got {self.kernel_size}.')
    kernel_size = tuple(self.kernel_size)
    rank = len(kernel_size)

    def per_axis(name, x):
      x = 1 if x is None else x
      x = (x,) * rank if isinstance(x, (int, np.integer)) else tuple(x)
      if len(x) != rank:
        raise ValueError(f'Conv {name} {x} must have one entry per spatial axis ({rank})')
      return x

    num_batch = inputs.ndim - (rank + 1)
    if num_batch < 0:
      raise ValueError(f'Conv with kernel_size {kernel_size} expects inputs of rank at '
                       f'least {rank + 1} (spatial axes + channels), got shape '
                       f'{inputs.shape}')
    batch_shape = inputs.shape[:num_batch]
    if num_batch != 1:
      inputs = jnp.reshape(inputs, (-1,) + inputs.shape[num_batch:])
    strides = per_axis('strides', self.strides)
    input_dilation = per_axis('input_dilation', self.input_dilation)
    kernel_dilation = per_axis('kernel_dilation', self.kernel_dilation)
    padding = canonicalize_padding(self.padding, rank)
    if padding in ('CIRCULAR', 'REFLECT'):
      dilated = [(k - 1) * d + 1 for k, d in zip(kernel_size, kernel_dilation)]
      pads = [(0, 0)] + [((k - 1) // 2, k // 2) for k in dilated] + [(0, 0)]
      inputs = jnp.pad(inputs, pads, mode='wrap' if padding == 'CIRCULAR' else 'reflect')
      padding = 'VALID'
    elif padding == 'CAUSAL':
      if rank != 1:
        raise ValueError('Causal padding is only implemented for 1D convolutions.')
      inputs = jnp.pad(inputs, [(0, 0), (kernel_dilation[0] * (kernel_size[0] - 1), 0),
                                (0, 0)])
      padding = 'VALID'
    in_features = inputs.shape[-1]
    if in_features % self.feature_group_count:
      raise ValueError(f'Conv input features ({in_features}) must be divisible by '
                       f'feature_group_count ({self.feature_group_count})')
    kernel_shape = kernel_size + (in_features // self.feature_group_count, self.features)
    kernel = self.param('kernel', self.kernel_init, kernel_shape, self.param_dtype)
    bias = (self.param('bias', self.bias_init, (self.features,), self.param_dtype)
            if self.use_bias else None)
    inputs, kernel, bias = promote_dtype(inputs, kernel, bias, dtype=self.dtype)
    spatial = ''.join('HWDABCEFGIJKLMNOPQRSTUVXYZ'[i] for i in range(rank))
    dimension_numbers = ('N' + spatial + 'C', spatial + 'IO', 'N' + spatial + 'C')
    y = lax.conv_general_dilated(
        inputs, kernel, strides, padding, lhs_dilation=input_dilation,
        rhs_dilation=kernel_dilation, dimension_numbers=dimension_numbers,
        feature_group_count=self.feature_group_count, precision=self.precision)
    if bias is not None:
      y = y + jnp.reshape(bias, (1,) * (y.ndim - 1) + bias.shape)
    if num_batch != 1:
      y = jnp.reshape(y, batch_shape + y.shape[1:])
    return y


class Embed(Module):
  """A lookup table from integer ids to ``features``-vectors.

  Attributes:
    num_embeddings: the number of rows of the table.
    features: the size of each embedding.
    dtype, param_dtype: as Dense.
    embedding_init: initializer of the table
      (``variance_scaling(1.0, 'fan_in', 'normal', out_axis=0)``).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> m = nn.Embed(5, 3)
  >>> v = m.init(jaxlite.random.PRNGKey(0), jnp.array([1, 4]))
  >>> m.apply(v, jnp.array([[1, 4]])).shape
  (1, 2, 3)
  """
  num_embeddings: int
  features: int
  dtype: Any = None
  param_dtype: Any = jnp.float32
  embedding_init: Callable = default_embed_init

  def setup(self):
    self.embedding = self.param('embedding', self.embedding_init,
                                (self.num_embeddings, self.features), self.param_dtype)

  def __call__(self, inputs):
    inputs = jnp.asarray(inputs)
    if not jnp.issubdtype(inputs.dtype, jnp.integer):
      raise ValueError(f'Input type must be an integer or unsigned integer, got '
                       f'{inputs.dtype}.')
    (embedding,) = promote_dtype(self.embedding, dtype=self.dtype, inexact=False)
    if self.num_embeddings == 1:
      return jnp.broadcast_to(embedding, inputs.shape + (self.features,))
    return jnp.take(embedding, inputs, axis=0)

  def attend(self, query):
    """Scores ``query`` against every embedding (``query @ embedding.T``),
    as an output layer sharing the table.

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> m = nn.Embed(5, 3)
    >>> v = m.init(jaxlite.random.PRNGKey(0), jnp.array([0]))
    >>> m.apply(v, jnp.ones((2, 3)), method=m.attend).shape
    (2, 5)
    """
    query, embedding = promote_dtype(query, self.embedding, dtype=self.dtype)
    return jnp.dot(query, embedding.T)
