"""Stax: a small neural-network library, as JAX's ``example_libraries.stax``.

A layer is a pair of functions ``(init_fun, apply_fun)``:

  * ``init_fun(rng, input_shape) -> (output_shape, params)``
  * ``apply_fun(params, inputs, **kwargs) -> outputs`` (``rng=`` for Dropout)

Layer constructors are CamelCase (``Dense``, ``Conv``); ``serial`` and
``parallel`` combine layers into layers. Parameters are drawn exactly as JAX's
stax draws them, so the same key gives the same network.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import random
  >>> from jaxlite.example_libraries import stax
  >>> init_fun, apply_fun = stax.serial(stax.Dense(4), stax.Relu, stax.Dense(2))
  >>> out_shape, params = init_fun(random.PRNGKey(0), (-1, 3))
  >>> out_shape
  (-1, 2)
  >>> apply_fun(params, jnp.ones((5, 3))).shape
  (5, 2)

Unlike JAX's stax, a layer given an input of a shape it cannot take (at init
or apply, directly or inside ``serial``) raises a ``TypeError`` that names the
layer, the shape it expects and the shape it got.
"""
from __future__ import annotations

import math

from jaxlite import lax, random
from jaxlite import numpy as jnp
from jaxlite.nn import (elu, gelu, leaky_relu, log_softmax, relu, selu, sigmoid, softmax,
                        softplus, standardize)
from jaxlite.nn.initializers import glorot_normal, normal, ones, zeros

__all__ = [
    "Dense", "GeneralConv", "Conv", "GeneralConvTranspose", "Conv1DTranspose",
    "ConvTranspose", "BatchNorm", "elementwise", "Tanh", "Relu", "Exp", "LogSoftmax",
    "Softmax", "Softplus", "Sigmoid", "Elu", "LeakyRelu", "Selu", "Gelu", "MaxPool",
    "SumPool", "AvgPool", "Flatten", "Identity", "FanOut", "FanInSum", "FanInConcat",
    "Dropout", "serial", "parallel", "shape_dependent",
    "relu", "log_softmax", "softmax", "softplus", "sigmoid", "elu", "leaky_relu", "selu",
    "gelu", "standardize", "glorot_normal", "normal", "ones", "zeros",
]

# Aliases JAX's stax keeps for backwards compatibility.
glorot = glorot_normal
randn = normal
logsoftmax = log_softmax


# --- shape errors -----------------------------------------------------------------------------


class LayerShapeError(TypeError):
  """A layer was given an input of a shape it cannot take.

  ``layer`` names the layer, ``expected`` describes the shapes it takes and
  ``actual`` is the shape it got; ``path`` locates it inside combinators.
  """

  def __init__(self, layer, expected, actual, path=(), detail="", source=None):
    self.layer, self.expected, self.actual = layer, expected, actual
    self.path, self.detail, self.source = tuple(path), detail, source
    # Inside combinators the innermost step already names the layer.
    where = " > ".join(self.path) if self.path else layer
    wanted = f"an input of shape {expected}" if expected.startswith("(") else expected
    got = f"shapes {actual}" if isinstance(actual, list) else f"shape {actual}"
    notes = [n for n in (source, detail) if n]
    message = f"{where} expects {wanted}, but got {got}"
    super().__init__(message + (f" ({'; '.join(notes)})" if notes else "") + ".")

  def within(self, step, source=None):
    """The same error, one combinator further out; ``source`` says where the
    offending input came from, unless an inner combinator already said."""
    return LayerShapeError(self.layer, self.expected, self.actual, (step,) + self.path,
                           self.detail, self.source or source)


def _named(name, init_fun, apply_fun):
  init_fun.stax_name = apply_fun.stax_name = name
  return init_fun, apply_fun


def _layer_name(init_fun):
  return getattr(init_fun, "stax_name", None) or getattr(init_fun, "__qualname__", "layer")


def _shape(x):
  return tuple(jnp.shape(x))


def _fmt(dims):
  """A shape pattern, with ``*`` for any size: ``(*, 3)``."""
  dims = ["*" if d is None else str(d) for d in dims]
  return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _check_rank(name, shape, rank, what="an array"):
  if len(shape) != rank:
    raise LayerShapeError(name, _fmt([None] * rank), tuple(shape),
                          detail=f"{what} of rank {rank}")


# --- dense and convolutional layers -------------------------------------------------------------


def Dense(out_dim, W_init=glorot_normal(), b_init=normal()):
  """A dense (fully-connected) layer: ``inputs @ W + b`` on the last axis.

  Args:
    out_dim: the number of output features.
    W_init: initializer of the ``(in_dim, out_dim)`` weights.
    b_init: initializer of the ``(out_dim,)`` bias.

  Example:
    >>> from jaxlite import random
    >>> init_fun, apply_fun = Dense(3)
    >>> out_shape, (W, b) = init_fun(random.PRNGKey(0), (2, 5))
    >>> out_shape, W.shape, b.shape
    ((2, 3), (5, 3), (3,))
  """
  name = f"Dense({out_dim})"
  def init_fun(rng, input_shape):
    if len(input_shape) < 1:
      raise LayerShapeError(name, "(..., in_dim)", tuple(input_shape))
    output_shape = tuple(input_shape[:-1]) + (out_dim,)
    k1, k2 = random.split(rng)
    W, b = W_init(k1, (input_shape[-1], out_dim)), b_init(k2, (out_dim,))
    return output_shape, (W, b)
  def apply_fun(params, inputs, **kwargs):
    W, b = params
    shape = _shape(inputs)
    if len(shape) < 1 or shape[-1] != W.shape[0]:
      raise LayerShapeError(name, f"(..., {W.shape[0]})", shape,
                            detail=f"its weights have shape {tuple(W.shape)}")
    return jnp.dot(inputs, W) + b
  return _named(name, init_fun, apply_fun)


def _conv_output_shape(input_shape, kernel_shape, strides, padding, dimension_numbers,
                       transpose=False):
  """The output shape of a (transposed) convolution; ``-1`` batch sizes pass through."""
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  spatial = [c for c in rhs_spec if c not in "IO"]
  in_sizes = [input_shape[lhs_spec.index(c)] for c in spatial]
  kernel = [kernel_shape[rhs_spec.index(c)] for c in spatial]
  if transpose:
    if isinstance(padding, str):
      pads = [_conv_transpose_padding(k, s, padding) for k, s in zip(kernel, strides)]
    else:
      pads = padding
    # A transposed convolution convolves the input dilated by the strides.
    sizes = [(n - 1) * s + 1 + lo + hi - k + 1
             for n, s, k, (lo, hi) in zip(in_sizes, strides, kernel, pads)]
  else:
    pads = lax.padtype_to_pads(in_sizes, kernel, strides, padding)
    sizes = [max(0, (n + lo + hi - k) // s + 1)
             for n, s, k, (lo, hi) in zip(in_sizes, strides, kernel, pads)]
  out = [0] * len(out_spec)
  out[out_spec.index("N")] = input_shape[lhs_spec.index("N")]
  out[out_spec.index("C")] = kernel_shape[rhs_spec.index("O")]
  for c, size in zip(spatial, sizes):
    out[out_spec.index(c)] = size
  return tuple(out)


def _conv_transpose_padding(k, s, padding):
  # The explicit padding of the lhs-dilated convolution a transposed
  # convolution amounts to, as lax.conv_transpose computes it.
  if padding == "SAME":
    total = k + s - 2
    before = k - 1 if s > k - 1 else -(-total // 2)
  elif padding == "VALID":
    total = k + s - 2 + max(k - s, 0)
    before = k - 1
  else:
    raise ValueError("Padding mode must be `SAME` or `VALID`.")
  return before, total - before


def _general_conv(kind, dimension_numbers, out_chan, filter_shape, strides, padding, W_init,
                  b_init, transpose):
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  one = (1,) * len(filter_shape)
  strides = strides or one
  W_init = W_init or glorot_normal(rhs_spec.index("I"), rhs_spec.index("O"))
  name = f"{kind}({out_chan}, {tuple(filter_shape)})"
  in_chan_axis = lhs_spec.index("C")

  def init_fun(rng, input_shape):
    _check_rank(name, tuple(input_shape), len(lhs_spec), f"a {lhs_spec} input")
    filter_dims = iter(filter_shape)
    kernel_shape = [out_chan if c == "O" else input_shape[in_chan_axis] if c == "I"
                    else next(filter_dims) for c in rhs_spec]
    output_shape = _conv_output_shape(input_shape, kernel_shape, strides, padding,
                                      dimension_numbers, transpose)
    bias_shape = [out_chan if c == "C" else 1 for c in out_spec]
    k1, k2 = random.split(rng)
    W, b = W_init(k1, kernel_shape), b_init(k2, bias_shape)
    return output_shape, (W, b)

  def apply_fun(params, inputs, **kwargs):
    W, b = params
    shape = _shape(inputs)
    _check_rank(name, shape, len(lhs_spec), f"a {lhs_spec} input")
    in_chan = W.shape[rhs_spec.index("I")]
    if shape[in_chan_axis] != in_chan:
      expected = [None] * len(lhs_spec)
      expected[in_chan_axis] = in_chan
      raise LayerShapeError(name, _fmt(expected), shape,
                            detail=f"{lhs_spec} input with {in_chan} channels for its "
                                   f"{rhs_spec} kernel of shape {tuple(W.shape)}")
    if transpose:
      out = lax.conv_transpose(inputs, W, strides, padding,
                               dimension_numbers=dimension_numbers)
    else:
      out = lax.conv_general_dilated(inputs, W, strides, padding, one, one,
                                     dimension_numbers=dimension_numbers)
    return out + b

  return _named(name, init_fun, apply_fun)


def GeneralConv(dimension_numbers, out_chan, filter_shape, strides=None, padding="VALID",
                W_init=None, b_init=normal(1e-6)):
  """A convolution layer with explicit dimension numbers.

  Args:
    dimension_numbers: ``(lhs_spec, rhs_spec, out_spec)`` strings such as
      ``('NHWC', 'HWIO', 'NHWC')``.
    out_chan: the number of output channels.
    filter_shape: the kernel's spatial sizes, in ``rhs_spec`` order.
    strides: the window strides (default all 1).
    padding: ``'VALID'``, ``'SAME'`` or explicit ``(low, high)`` pairs.
    W_init: kernel initializer (default Glorot normal over the I/O axes).
    b_init: bias initializer.

  Example:
    >>> from jaxlite import random
    >>> init_fun, apply_fun = GeneralConv(('NCHW', 'OIHW', 'NCHW'), 4, (3, 3))
    >>> init_fun(random.PRNGKey(0), (1, 2, 5, 5))[0]
    (1, 4, 3, 3)
  """
  return _general_conv("GeneralConv", dimension_numbers, out_chan, filter_shape, strides,
                       padding, W_init, b_init, transpose=False)


def Conv(out_chan, filter_shape, strides=None, padding="VALID", W_init=None,
         b_init=normal(1e-6)):
  """A 2-D convolution layer on ``NHWC`` inputs with an ``HWIO`` kernel.

  Example:
    >>> from jaxlite import random
    >>> init_fun, apply_fun = Conv(4, (3, 3), padding='SAME')
    >>> init_fun(random.PRNGKey(0), (1, 5, 5, 2))[0]
    (1, 5, 5, 4)
  """
  return _general_conv("Conv", ("NHWC", "HWIO", "NHWC"), out_chan, filter_shape, strides,
                       padding, W_init, b_init, transpose=False)


def GeneralConvTranspose(dimension_numbers, out_chan, filter_shape, strides=None,
                         padding="VALID", W_init=None, b_init=normal(1e-6)):
  """A transposed-convolution layer with explicit dimension numbers.

  Example:
    >>> from jaxlite import random
    >>> init_fun, _ = GeneralConvTranspose(('NHC', 'HIO', 'NHC'), 2, (3,), strides=(2,))
    >>> init_fun(random.PRNGKey(0), (1, 4, 1))[0]
    (1, 9, 2)
  """
  return _general_conv("GeneralConvTranspose", dimension_numbers, out_chan, filter_shape,
                       strides, padding, W_init, b_init, transpose=True)


def Conv1DTranspose(out_chan, filter_shape, strides=None, padding="VALID", W_init=None,
                    b_init=normal(1e-6)):
  """A 1-D transposed convolution on ``NHC`` inputs with an ``HIO`` kernel.

  Example:
    >>> from jaxlite import random
    >>> Conv1DTranspose(2, (3,), strides=(2,), padding='SAME')[0](
    ...     random.PRNGKey(0), (1, 4, 1))[0]
    (1, 8, 2)
  """
  return _general_conv("Conv1DTranspose", ("NHC", "HIO", "NHC"), out_chan, filter_shape,
                       strides, padding, W_init, b_init, transpose=True)


def ConvTranspose(out_chan, filter_shape, strides=None, padding="VALID", W_init=None,
                  b_init=normal(1e-6)):
  """A 2-D transposed convolution on ``NHWC`` inputs with an ``HWIO`` kernel.

  Example:
    >>> from jaxlite import random
    >>> ConvTranspose(2, (2, 2), strides=(2, 2))[0](random.PRNGKey(0), (1, 3, 3, 1))[0]
    (1, 6, 6, 2)
  """
  return _general_conv("ConvTranspose", ("NHWC", "HWIO", "NHWC"), out_chan, filter_shape,
                       strides, padding, W_init, b_init, transpose=True)


# --- normalization and elementwise layers -------------------------------------------------------


def BatchNorm(axis=(0, 1, 2), epsilon=1e-5, center=True, scale=True, beta_init=zeros,
              gamma_init=ones):
  """Batch normalization over ``axis``, with a learned shift and scale.

  Args:
    axis: the axes normalized over (default ``(0, 1, 2)``: batch and spatial
      axes of ``NHWC`` inputs); the parameters have the other axes' shape.
    epsilon: added to the variance.
    center, scale: whether to learn a shift ``beta`` and a scale ``gamma``.
    beta_init, gamma_init: their initializers.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> from jaxlite import random
    >>> init_fun, apply_fun = BatchNorm(axis=0)
    >>> _, params = init_fun(random.PRNGKey(0), (4, 3))
    >>> apply_fun(params, jnp.arange(12.0).reshape(4, 3)).mean(0).round(3)
    Array([0., 0., 0.], dtype=float32)
  """
  axis = (axis,) if jnp.isscalar(axis) else tuple(axis)
  name = f"BatchNorm(axis={axis})"

  def param_shape(shape):
    ndim = len(shape)
    if any(not -ndim <= a < ndim for a in axis):
      raise LayerShapeError(name, f"an array with axes {axis}", tuple(shape),
                            detail=f"rank {ndim}")
    axes = {a % ndim for a in axis}
    return tuple(d for i, d in enumerate(shape) if i not in axes), axes

  def init_fun(rng, input_shape):
    shape, _ = param_shape(tuple(input_shape))
    k1, k2 = random.split(rng)
    beta = beta_init(k1, shape) if center else ()
    gamma = gamma_init(k2, shape) if scale else ()
    return input_shape, (beta, gamma)

  def apply_fun(params, x, **kwargs):
    beta, gamma = params
    shape, axes = param_shape(_shape(x))
    for p in (beta, gamma):
      if not isinstance(p, tuple) and tuple(p.shape) != shape:
        expected = _expand(tuple(p.shape), axes, len(_shape(x)))
        raise LayerShapeError(name, _fmt(expected), _shape(x),
                              detail=f"its parameters have shape {tuple(p.shape)}")
    # Index that puts the parameters' axes back among the normalized ones.
    expand = tuple(None if i in axes else slice(None) for i in range(len(_shape(x))))
    z = standardize(x, tuple(sorted(axes)), epsilon=epsilon)
    if center and scale:
      return gamma[expand] * z + beta[expand]
    if center:
      return z + beta[expand]
    if scale:
      return gamma[expand] * z
    return z

  return _named(name, init_fun, apply_fun)


def _expand(param_shape, axes, ndim):
  # The input shape pattern parameters of ``param_shape`` imply: ``*`` on ``axes``.
  dims = iter(param_shape)
  return [None if i in axes else next(dims, None) for i in range(ndim)]


def elementwise(fun, **fun_kwargs):
  """A parameterless layer applying ``fun(inputs, **fun_kwargs)``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init_fun, apply_fun = elementwise(jnp.square)
    >>> apply_fun((), jnp.array([2.0, 3.0]))
    Array([4., 9.], dtype=float32)
  """
  init_fun = lambda rng, input_shape: (input_shape, ())  # noqa: E731
  apply_fun = lambda params, inputs, **kwargs: fun(inputs, **fun_kwargs)  # noqa: E731
  return _named(getattr(fun, "__name__", "elementwise"), init_fun, apply_fun)


def _elementwise_layer(name, fun, **fun_kwargs):
  return _named(name, *elementwise(fun, **fun_kwargs))


Tanh = _elementwise_layer("Tanh", jnp.tanh)
Relu = _elementwise_layer("Relu", relu)
Exp = _elementwise_layer("Exp", jnp.exp)
LogSoftmax = _elementwise_layer("LogSoftmax", log_softmax, axis=-1)
Softmax = _elementwise_layer("Softmax", softmax, axis=-1)
Softplus = _elementwise_layer("Softplus", softplus)
Sigmoid = _elementwise_layer("Sigmoid", sigmoid)
Elu = _elementwise_layer("Elu", elu)
LeakyRelu = _elementwise_layer("LeakyRelu", leaky_relu)
Selu = _elementwise_layer("Selu", selu)
Gelu = _elementwise_layer("Gelu", gelu)


# --- pooling ----------------------------------------------------------------------------------


def _pooling_layer(kind, reducer, init_val, rescale=False):
  def PoolingLayer(window_shape, strides=None, padding="VALID", spec=None):
    window_shape = tuple(window_shape)
    strides = tuple(strides or (1,) * len(window_shape))
    name = f"{kind}({window_shape})"
    if spec is None:
      non_spatial_axes = 0, len(window_shape) + 1
    else:
      non_spatial_axes = spec.index("N"), spec.index("C")
    dims, window_strides = window_shape, strides
    for i in sorted(non_spatial_axes):
      dims = dims[:i] + (1,) + dims[i:]
      window_strides = window_strides[:i] + (1,) + window_strides[i:]

    def init_fun(rng, input_shape):
      _check_rank(name, tuple(input_shape), len(dims), spec or "an NHWC-like input")
      pads = lax.padtype_to_pads(input_shape, dims, window_strides, padding)
      # Batch sizes given as -1 pass through: their window and stride are 1.
      out_shape = tuple((n + lo + hi - w) // s + 1 for n, w, s, (lo, hi)
                        in zip(input_shape, dims, window_strides, pads))
      return out_shape, ()

    def apply_fun(params, inputs, **kwargs):
      _check_rank(name, _shape(inputs), len(dims), spec or "an NHWC-like input")
      out = lax.reduce_window(inputs, init_val, reducer, dims, window_strides, padding)
      if not rescale:
        return out
      # Average pooling divides by the number of in-bounds elements per window.
      spatial = tuple(d for i, d in enumerate(inputs.shape) if i not in non_spatial_axes)
      one = jnp.ones(spatial, dtype=inputs.dtype)
      window_sizes = lax.reduce_window(one, 0., lax.add, window_shape, strides, padding)
      for i in sorted(non_spatial_axes):
        window_sizes = jnp.expand_dims(window_sizes, i)
      return out / window_sizes

    return _named(name, init_fun, apply_fun)

  PoolingLayer.__name__ = PoolingLayer.__qualname__ = kind
  PoolingLayer.__doc__ = f"""A {kind} layer over the spatial axes.

  Args:
    window_shape: the window's spatial sizes.
    strides: the window strides (default all 1).
    padding: ``'VALID'``, ``'SAME'`` or explicit ``(low, high)`` pairs.
    spec: the input layout (e.g. ``'NCHW'``); default batch first, channels last.

  Example:
    >>> from jaxlite import random
    >>> init_fun, apply_fun = {kind}((2, 2), strides=(2, 2))
    >>> init_fun(random.PRNGKey(0), (1, 4, 4, 3))[0]
    (1, 2, 2, 3)
  """
  return PoolingLayer


MaxPool = _pooling_layer("MaxPool", lax.max, -jnp.inf)
SumPool = _pooling_layer("SumPool", lax.add, 0.)
AvgPool = _pooling_layer("AvgPool", lax.add, 0., rescale=True)


# --- structural layers ------------------------------------------------------------------------


def _flatten():
  def init_fun(rng, input_shape):
    if len(input_shape) < 1:
      raise LayerShapeError("Flatten", "(batch, ...)", tuple(input_shape))
    return (input_shape[0], math.prod(input_shape[1:])), ()
  def apply_fun(params, inputs, **kwargs):
    return jnp.reshape(inputs, (inputs.shape[0], -1))
  return _named("Flatten", init_fun, apply_fun)


# The layer that flattens all axes but the leading (batch) one.
Flatten = _flatten()


def _identity():
  init_fun = lambda rng, input_shape: (input_shape, ())  # noqa: E731
  apply_fun = lambda params, inputs, **kwargs: inputs  # noqa: E731
  return _named("Identity", init_fun, apply_fun)


Identity = _identity()


def FanOut(num):
  """A layer that passes its input on as ``num`` copies (for ``parallel``).

  Example:
    >>> from jaxlite import random
    >>> FanOut(2)[0](random.PRNGKey(0), (3,))
    ([(3,), (3,)], ())
  """
  init_fun = lambda rng, input_shape: ([input_shape] * num, ())  # noqa: E731
  apply_fun = lambda params, inputs, **kwargs: [inputs] * num  # noqa: E731
  return _named(f"FanOut({num})", init_fun, apply_fun)


def _check_fan_in(name, shapes, axis=None):
  shapes = [tuple(s) for s in shapes]
  if not shapes or any(len(s) != len(shapes[0]) for s in shapes):
    raise LayerShapeError(name, "a list of arrays of equal rank", shapes)
  ax = None if axis is None else axis % len(shapes[0])
  for s in shapes[1:]:
    if any(a != b for i, (a, b) in enumerate(zip(s, shapes[0])) if i != ax):
      expected = [None if i == ax else d for i, d in enumerate(shapes[0])]
      raise LayerShapeError(name, f"a list of arrays of shape {_fmt(expected)}", shapes)


def _fan_in_sum():
  def init_fun(rng, input_shape):
    _check_fan_in("FanInSum", input_shape)
    return input_shape[0], ()
  def apply_fun(params, inputs, **kwargs):
    _check_fan_in("FanInSum", [_shape(x) for x in inputs])
    return sum(inputs)
  return _named("FanInSum", init_fun, apply_fun)


FanInSum = _fan_in_sum()


def FanInConcat(axis=-1):
  """A layer that concatenates its list of inputs along ``axis``.

  Example:
    >>> from jaxlite import random
    >>> FanInConcat()[0](random.PRNGKey(0), [(2, 3), (2, 4)])
    ((2, 7), ())
  """
  name = f"FanInConcat({axis})"
  def init_fun(rng, input_shape):
    _check_fan_in(name, input_shape, axis)
    ax = axis % len(input_shape[0])
    concat_size = sum(shape[ax] for shape in input_shape)
    first = tuple(input_shape[0])
    return first[:ax] + (concat_size,) + first[ax + 1:], ()
  def apply_fun(params, inputs, **kwargs):
    _check_fan_in(name, [_shape(x) for x in inputs], axis)
    return jnp.concatenate(inputs, axis)
  return _named(name, init_fun, apply_fun)


def Dropout(rate, mode="train"):
  """Dropout: in ``'train'`` mode, keeps each entry with probability ``rate``.

  Kept entries are divided by ``rate`` (JAX's stax calls the keep
  probability ``rate``); in any other mode the layer is the identity. The
  apply function needs a PRNG key: ``apply_fun(params, inputs, rng=key)``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> from jaxlite import random
    >>> _, apply_fun = Dropout(0.5)
    >>> apply_fun((), jnp.ones(4), rng=random.PRNGKey(0)).shape
    (4,)
  """
  def init_fun(rng, input_shape):
    return input_shape, ()
  def apply_fun(params, inputs, **kwargs):
    rng = kwargs.get("rng", None)
    if rng is None:
      raise ValueError(
          "Dropout layer requires apply_fun to be called with a PRNG key argument. "
          "That is, instead of `apply_fun(params, inputs)`, call it like "
          "`apply_fun(params, inputs, rng)` where `rng` is a PRNG key (e.g. from "
          "`jax.random.key`).")
    if mode == "train":
      keep = random.bernoulli(rng, rate, inputs.shape)
      return jnp.where(keep, inputs / rate, 0)
    return inputs
  return _named(f"Dropout({rate})", init_fun, apply_fun)


# --- combinators ------------------------------------------------------------------------------


def _describe(index, init_fun):
  return f"layer {index} ({_layer_name(init_fun)})"


def serial(*layers):
  """Composes layers in sequence: each layer's output is the next one's input.

  Shapes are chained at init; a layer that cannot take the shape the previous
  layer produces (or, at apply, the array it is given) raises a ``TypeError``
  naming that layer, the shape it expects and the shape it got.

  Args:
    *layers: ``(init_fun, apply_fun)`` pairs.

  Returns:
    The ``(init_fun, apply_fun)`` pair of the composition; its params are a
    list with one entry per layer, and an ``rng=`` key is split among them.

  Example:
    >>> from jaxlite import random
    >>> init_fun, _ = serial(Dense(4), Dense(2))
    >>> init_fun(random.PRNGKey(0), (1, 3))[0]
    (1, 2)
  """
  nlayers = len(layers)
  init_funs, apply_funs = zip(*layers) if layers else ((), ())

  def init_fun(rng, input_shape):
    params = []
    previous = None   # the serial's own input
    for i, layer_init in enumerate(init_funs):
      rng, layer_rng = random.split(rng)
      try:
        output_shape, param = layer_init(layer_rng, input_shape)
      except LayerShapeError as e:
        raise e.within(f"serial {_describe(i, layer_init)}",
                       previous and f"the output shape of {previous}") from None
      except (TypeError, ValueError, IndexError) as e:
        e.add_note(f"In stax.serial's {_describe(i, layer_init)}, initialized for input "
                   f"shape {input_shape}" + (f" (the output shape of {previous})."
                                            if previous else "."))
        raise
      params.append(param)
      input_shape, previous = output_shape, _describe(i, layer_init)
    return input_shape, params

  def apply_fun(params, inputs, **kwargs):
    if len(params) != nlayers:
      raise ValueError(f"stax.serial of {nlayers} layers was given parameters for "
                       f"{len(params)} layers.")
    rng = kwargs.pop("rng", None)
    rngs = random.split(rng, nlayers) if rng is not None else (None,) * nlayers
    previous = None   # the serial's own input
    for i, (fun, param, layer_rng) in enumerate(zip(apply_funs, params, rngs)):
      try:
        inputs_next = fun(param, inputs, rng=layer_rng, **kwargs)
      except LayerShapeError as e:
        raise e.within(f"serial {_describe(i, init_funs[i])}",
                       previous and f"the output of {previous}") from None
      except (TypeError, ValueError, IndexError) as e:
        e.add_note(f"In stax.serial's {_describe(i, init_funs[i])}, applied to an input "
                   f"of shape {_shape_or_structure(inputs)}" + (
                       f" (the output of {previous})." if previous else "."))
        raise
      inputs, previous = inputs_next, _describe(i, init_funs[i])
    return inputs

  return _named("serial", init_fun, apply_fun)


def _shape_or_structure(x):
  if isinstance(x, (list, tuple)):
    return [_shape_or_structure(y) for y in x]
  try:
    return _shape(x)
  except TypeError:
    return type(x).__name__


def parallel(*layers):
  """Applies layers side by side: the ``i``-th layer to the ``i``-th input.

  Used with ``FanOut`` and ``FanInSum``/``FanInConcat`` to build branches.

  Args:
    *layers: ``(init_fun, apply_fun)`` pairs.

  Returns:
    The ``(init_fun, apply_fun)`` pair taking and returning a sequence of
    ``len(layers)`` inputs.

  Example:
    >>> from jaxlite import random
    >>> init_fun, _ = serial(FanOut(2), parallel(Dense(3), Identity), FanInConcat())
    >>> init_fun(random.PRNGKey(0), (1, 2))[0]
    (1, 5)
  """
  nlayers = len(layers)
  init_funs, apply_funs = zip(*layers) if layers else ((), ())

  def check_count(shapes):
    if len(shapes) != nlayers:
      raise LayerShapeError(f"parallel of {nlayers} layers", f"a list of {nlayers} inputs",
                            shapes)

  def init_fun(rng, input_shape):
    check_count(list(input_shape))
    rngs = random.split(rng, nlayers)
    results = []
    for i, (init, layer_rng, shape) in enumerate(zip(init_funs, rngs, input_shape)):
      try:
        results.append(init(layer_rng, shape))
      except LayerShapeError as e:
        raise e.within(f"parallel {_describe(i, init)}") from None
    return tuple(zip(*results)) if results else ((), ())

  def apply_fun(params, inputs, **kwargs):
    check_count([_shape_or_structure(x) for x in inputs])
    rng = kwargs.pop("rng", None)
    rngs = random.split(rng, nlayers) if rng is not None else (None,) * nlayers
    outputs = []
    for i, (f, p, x, r) in enumerate(zip(apply_funs, params, inputs, rngs)):
      try:
        outputs.append(f(p, x, rng=r, **kwargs))
      except LayerShapeError as e:
        raise e.within(f"parallel {_describe(i, init_funs[i])}") from None
    return outputs

  return _named("parallel", init_fun, apply_fun)


def shape_dependent(make_layer):
  """Delays building a layer until its input shape is known.

  Args:
    make_layer: a function from an input shape to an ``(init_fun, apply_fun)``
      pair.

  Returns:
    An ``(init_fun, apply_fun)`` pair that calls ``make_layer`` with the
    shape it is initialized or applied with.

  Example:
    >>> from jaxlite import random
    >>> init_fun, _ = shape_dependent(lambda shape: Dense(shape[-1] * 2))
    >>> init_fun(random.PRNGKey(0), (1, 3))[0]
    (1, 6)
  """
  def init_fun(rng, input_shape):
    return make_layer(input_shape)[0](rng, input_shape)
  def apply_fun(params, inputs, **kwargs):
    return make_layer(inputs.shape)[1](params, inputs, **kwargs)
  return _named("shape_dependent", init_fun, apply_fun)

