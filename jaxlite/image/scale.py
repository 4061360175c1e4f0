"""Resampling an image along some of its axes: resize and scale_and_translate.

Each resampled axis of length ``m`` becoming ``n`` is one ``(m, n)`` weight
matrix, built from a kernel evaluated between every output sample position
and every input pixel centre; all axes are applied in one ``einsum``. Linear
weights in the image make gradients (and batching) come from ``einsum``'s own
rules. Pixels are half-centred: pixel ``i`` sits at ``i + 0.5``.

  >>> import jaxlite.numpy as jnp
  >>> resize(jnp.array([[1., 2.], [3., 4.]]), (2, 4), "nearest")
  Array([[1., 1., 2., 2.],
         [3., 3., 4., 4.]], dtype=float32)
"""
from __future__ import annotations

import enum
import math
from typing import Callable, Sequence

import numpy as np

import jaxlite
from jaxlite import dtypes, lax
from jaxlite import numpy as jnp
from jaxlite.core_tools import concrete_or_error
from jaxlite.lax.structural import canonicalize_shape
from jaxlite.numpy.promotion import canonicalize_axis, promote_dtypes_inexact

__all__ = ["ResizeMethod", "resize", "scale_and_translate", "compute_weight_mat"]


# --- kernels, as functions of the distance |x| in (kernel-scaled) pixels -----

def _lanczos_kernel(radius, x):
  numerator = radius * jnp.sin(np.pi * x) * jnp.sin(np.pi * x / radius)
  # The 0/0 at x = 0 is the limit 1; the inner where keeps its gradient finite.
  safe_denominator = jnp.where(x != 0, np.pi ** 2 * x ** 2, 1)
  value = jnp.where(x > 1e-3, jnp.divide(numerator, safe_denominator), 1)
  return jnp.where(x > radius, 0., value)


def _keys_cubic_kernel(x):
  # Keys (1981) cubic convolution with a = -0.5, as Pillow/TensorFlow/PyTorch
  # use when antialiasing.
  near = ((1.5 * x - 2.5) * x) * x + 1.
  far = ((-0.5 * x + 2.5) * x - 4.) * x + 2.
  return jnp.where(x >= 2., 0., jnp.where(x >= 1., far, near))


def _opencv_cubic_kernel(x):
  # The a = -0.75 cubic of OpenCV, which PyTorch uses without antialiasing.
  a = -0.75
  near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
  far = ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
  return jnp.where(x >= 2.0, 0.0, jnp.where(x >= 1.0, far, near))


def _triangle_kernel(x):
  return jnp.maximum(0, 1 - jnp.abs(x))


# Box filtering integrates pixel overlaps instead of sampling a kernel.
_AREA = object()


class ResizeMethod(enum.Enum):
  """Image resize method.

  Possible values are:

  NEAREST:
    Nearest-neighbor interpolation.

  LINEAR:
    `Linear interpolation`_.

  LANCZOS3:
    `Lanczos resampling`_, using a kernel of radius 3.

  LANCZOS5:
    `Lanczos resampling`_, using a kernel of radius 5.

  CUBIC:
    `Cubic interpolation`_, using the Keys cubic kernel.

  AREA:
    Area resampling. Computes the average of all pixels that fall within the
    output pixel's area. When downscaling, this acts as an anti-aliasing filter.
    When upscaling, it acts as a box filter, matching TensorFlow's behavior.

  .. _Linear interpolation: https://en.wikipedia.org/wiki/Bilinear_interpolation
  .. _Cubic interpolation: https://en.wikipedia.org/wiki/Bicubic_interpolation
  .. _Lanczos resampling: https://en.wikipedia.org/wiki/Lanczos_resampling

  Example:
    >>> ResizeMethod.from_string("bicubic")
    <ResizeMethod.CUBIC: 4>
  """

  NEAREST = 0
  LINEAR = 1
  LANCZOS3 = 2
  LANCZOS5 = 3
  CUBIC = 4
  CUBIC_PYTORCH = 5
  AREA = 6

  @staticmethod
  def from_string(s: str):
    """The method a string names (``"bilinear"``, ``"lanczos3"``, ...).

      >>> ResizeMethod.from_string("triangle")
      <ResizeMethod.LINEAR: 1>
    """
    for method, names in _METHOD_NAMES.items():
      if s in names:
        return method
    raise ValueError(f'Unknown resize method "{s}"')


_METHOD_NAMES = {
    ResizeMethod.NEAREST: ("nearest",),
    ResizeMethod.LINEAR: ("linear", "bilinear", "trilinear", "triangle"),
    ResizeMethod.LANCZOS3: ("lanczos3",),
    ResizeMethod.LANCZOS5: ("lanczos5",),
    ResizeMethod.CUBIC: ("cubic", "bicubic", "tricubic"),
    ResizeMethod.CUBIC_PYTORCH: ("cubic-pytorch", "bicubic-pytorch"),
    ResizeMethod.AREA: ("area",),
}

# method -> (kernel radius in pixels, kernel)
_KERNELS: dict[ResizeMethod, tuple[int, Callable]] = {
    ResizeMethod.LINEAR: (1, _triangle_kernel),
    ResizeMethod.LANCZOS3: (3, lambda x: _lanczos_kernel(3., x)),
    ResizeMethod.LANCZOS5: (5, lambda x: _lanczos_kernel(5., x)),
    ResizeMethod.CUBIC: (2, _keys_cubic_kernel),
    ResizeMethod.CUBIC_PYTORCH: (2, _opencv_cubic_kernel),
    ResizeMethod.AREA: (1, _AREA),
}


def _normalized_columns(weights):
  # Each output sample's weights sum to one; all-but-zero columns become zero.
  totals = jnp.sum(weights, axis=0, keepdims=True)
  big_enough = jnp.abs(totals) > 1000. * float(np.finfo(np.float32).eps)
  return jnp.where(big_enough, jnp.divide(weights, jnp.where(totals != 0, totals, 1)), 0)


def compute_weight_mat(input_size: int, output_size: int, scale, translation,
                       kernel: Callable, antialias: bool, edge_padding: bool,
                       radius: int | None):
  """The ``(input_size, output_size)`` resampling weights of one axis.

  Output pixel ``j`` samples the input at ``(j + 0.5 - translation) / scale - 0.5``.
  When downsampling with ``antialias``, the kernel is widened by ``1 / scale``
  so it also low-pass filters. With ``edge_padding`` the input's edge pixels
  are repeated outward (the weight outside falls on the edge pixel);
  otherwise samples outside the image get zero weight.

    >>> import jaxlite.numpy as jnp
    >>> w = compute_weight_mat(2, 4, jnp.float32(2.0), jnp.float32(0.0),
    ...                        _triangle_kernel, True, False, 1)
    >>> w
    Array([[1.  , 0.75, 0.25, 0.  ],
           [0.  , 0.25, 0.75, 1.  ]], dtype=float32)
  """
  dtype = dtypes.result_type(scale, translation)
  inv_scale = 1. / scale
  kernel_scale = jnp.maximum(inv_scale, 1.) if antialias else 1.
  # Position of each output pixel centre in input pixel coordinates.
  sample_f = ((jnp.arange(output_size, dtype=dtype) + 0.5) * inv_scale
              - translation * inv_scale - 0.5)

  if edge_padding:
    if antialias:
      scale_value = concrete_or_error(
          None, scale, context="Antialiasing with edge padding requires a static scale.")
      pad = math.ceil(radius * max(1.0 / float(scale_value), 1.0))
    else:
      pad = radius
  else:
    pad = 0
  input_positions = jnp.arange(-pad, input_size + pad, dtype=dtype)

  if kernel is _AREA:
    # Overlap of output pixel [left_i, left_i + 1/scale] with input pixel [j, j + 1].
    out_left = jnp.arange(output_size, dtype=dtype) * inv_scale - translation * inv_scale
    out_right = out_left + inv_scale
    in_left = jnp.arange(input_size, dtype=dtype)
    in_right = in_left + 1.0
    weights = jnp.maximum(
        0.0, jnp.minimum(out_right[None, :], in_right[:, None])
        - jnp.maximum(out_left[None, :], in_left[:, None]))
  else:
    distance = jnp.abs(sample_f[None, :] - input_positions[:, None]) / kernel_scale
    weights = kernel(distance)

  if edge_padding:
    # Move the weight of each padded position onto the edge pixel it copies.
    source_rows = jnp.clip(input_positions.astype(jnp.int32), 0, input_size - 1)
    columns = lax.broadcast_in_dim(jnp.arange(output_size),
                                   (input_positions.shape[0], output_size), (1,))
    folded = jnp.zeros((input_size, output_size), dtype=dtype)
    folded = folded.at[source_rows[:, None], columns].add(weights)
    return _normalized_columns(folded)
  weights = _normalized_columns(weights)
  inside = jnp.logical_and(sample_f >= -0.5, sample_f <= input_size - 0.5)
  return jnp.where(inside[None, :], weights, 0)


def _scale_and_translate(x, output_shape, spatial_dims, scale, translation, kernel,
                         antialias, precision, edge_padding=False, radius=None):
  # One weight matrix per resampled axis, contracted with x in one einsum.
  if not spatial_dims:
    return x
  rank = len(output_shape)
  x_indices = list(range(rank))
  out_indices = list(range(rank))
  operands = []
  for i, axis in enumerate(spatial_dims):
    axis = canonicalize_axis(axis, x.ndim)
    weights = compute_weight_mat(x.shape[axis], output_shape[axis], scale[i], translation[i],
                                 kernel, antialias, edge_padding=edge_padding, radius=radius)
    operands += [weights.astype(x.dtype), [axis, rank + i]]
    out_indices[axis] = rank + i
  return jnp.einsum(x, x_indices, *operands, out_indices, precision=precision)


def _check_rank(shape, image):
  if len(shape) != image.ndim:
    raise ValueError('shape must have length equal to the number of dimensions of x; '
                     f' {shape} vs {image.shape}')


def _kernel_setup(method, antialias):
  # CUBIC_PYTORCH is CUBIC when antialiasing; otherwise OpenCV's kernel with
  # repeated edges.
  if method == ResizeMethod.CUBIC_PYTORCH and antialias:
    method = ResizeMethod.CUBIC
  radius, kernel = _KERNELS[method]
  return radius, kernel, method == ResizeMethod.CUBIC_PYTORCH and not antialias


def scale_and_translate(image, shape: Sequence[int], spatial_dims: Sequence[int],
                        scale, translation, method, antialias: bool = True,
                        precision=lax.Precision.HIGHEST):
  """Apply a scale and translation to an image.

  Generates a new image of shape ``shape`` by resampling from the input image
  using the sampling method corresponding to ``method``. For 2D images, this
  operation transforms a location in the input images, (x, y), to a location
  in the output image according to::

    (x * scale[1] + translation[1], y * scale[0] + translation[0])

  (Note the *inverse* warp is used to generate the sample locations.)
  Assumes half-centered pixels, i.e the pixel at integer location ``row, col``
  has coordinates ``y, x = row + 0.5, col + 0.5``, and similarly for other input
  image dimensions. Output locations that map outside the input are zero.

  Args:
    image: a JAX array.
    shape: the output shape, as a sequence of integers with length equal to the
      number of dimensions of `image`.
    spatial_dims: A length K tuple specifying the spatial dimensions that the
      passed scale and translation should be applied to.
    scale: A [K] array with the same number of dimensions as image, containing
      the scale to apply in each dimension.
    translation: A [K] array with the same number of dimensions as image,
      containing the translation to apply in each dimension.
    method: the resizing method to use; either a ``ResizeMethod`` instance or a
      string. Available methods are: ``LINEAR``, ``LANCZOS3``, ``LANCZOS5``,
      ``CUBIC``, ``CUBIC_PYTORCH``, ``AREA``.
    antialias: Should an antialiasing filter be used when downsampling? Defaults
      to ``True``. Has no effect when upsampling.

  Returns:
    The scale and translated image.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> scale_and_translate(jnp.array([1., 2., 3.]), (3,), (0,), jnp.array([1.]),
    ...                     jnp.array([1.]), "linear")
    Array([0., 1., 2.], dtype=float32)
  """
  shape = canonicalize_shape(shape)
  _check_rank(shape, image)
  if isinstance(method, str):
    method = ResizeMethod.from_string(method)
  if method == ResizeMethod.NEAREST:
    raise ValueError('Nearest neighbor resampling is not currently supported '
                     'for scale_and_translate.')
  radius, kernel, edge_padding = _kernel_setup(method, antialias)
  image, = promote_dtypes_inexact(image)
  scale, translation = promote_dtypes_inexact(scale, translation)
  return _scale_and_translate(image, shape, spatial_dims, scale, translation, kernel,
                              antialias, precision, edge_padding=edge_padding, radius=radius)


def _resize_nearest(x, output_shape):
  for axis, (m, n) in enumerate(zip(x.shape, output_shape)):
    if m == n:
      continue
    # Source index floor((j + 0.5) * m / n), computed in float32 as JAX does.
    centres = (jnp.arange(n, dtype=np.float32) + 0.5) * m / n
    source = jnp.floor(centres.astype(np.float32)).astype(np.int32)
    index = [slice(None)] * x.ndim
    index[axis] = source
    x = x[tuple(index)]
  return x


@jaxlite.jit(static_argnums=(1, 2, 3, 4))
def _resize(image, shape, method, antialias, precision):
  _check_rank(shape, image)
  if isinstance(method, str):
    method = ResizeMethod.from_string(method)
  if method == ResizeMethod.NEAREST:
    return _resize_nearest(image, shape)
  image, = promote_dtypes_inexact(image)
  # Axes whose size does not change are left alone: every kernel here
  # interpolates, so the identity warp gives the input back.
  spatial_dims = tuple(i for i in range(len(shape)) if image.shape[i] != shape[i])
  radius, kernel, edge_padding = _kernel_setup(method, antialias)
  scale = [1.0 if shape[d] == 0 else shape[d] / image.shape[d] for d in spatial_dims]
  return _scale_and_translate(image, shape, spatial_dims, scale, [0.] * len(spatial_dims),
                              kernel, antialias, precision, edge_padding=edge_padding,
                              radius=radius)


def resize(image, shape: Sequence[int], method, antialias: bool = True,
           precision=lax.Precision.HIGHEST):
  """Image resize.

  ``method`` is a ``ResizeMethod`` or one of its names: ``"nearest"``
  (``antialias`` and ``precision`` ignored), ``"linear"``/``"bilinear"``/
  ``"trilinear"``/``"triangle"``, ``"cubic"``/``"bicubic"``/``"tricubic"``
  (Keys cubic kernel), ``"cubic-pytorch"``/``"bicubic-pytorch"`` (PyTorch's
  bicubic: the same as cubic with antialiasing, OpenCV's kernel with repeated
  edges without), ``"lanczos3"``, ``"lanczos5"`` and ``"area"`` (average over
  each output pixel's area). ``align_corners`` behaviour can be had from
  ``scale_and_translate``.

  Args:
    image: a JAX array.
    shape: the output shape, as a sequence of integers with length equal to
      the number of dimensions of `image`. Note that :func:`resize` does not
      distinguish spatial dimensions from batch or channel dimensions, so this
      includes all dimensions of the image. To represent a batch or a channel
      dimension, simply leave that element of the shape unchanged.
    method: the resizing method to use; either a ``ResizeMethod`` instance or a
      string. Available methods are: LINEAR, LANCZOS3, LANCZOS5, CUBIC, CUBIC_PYTORCH.
    antialias: should an antialiasing filter be used when downsampling? Defaults
      to ``True``. Has no effect when upsampling.
  Returns:
    The resized image. The return type may differ from the input type depending
    on the ``method``. For ``ResizeMethod.NEAREST``, the return type is the same
    as the input type. For other methods, the output type will be promoted to a
    floating point type.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> resize(jnp.array([1, 2]), (4,), "nearest")
    Array([1, 1, 2, 2], dtype=int32)
  """
  return _resize(image, canonicalize_shape(shape), method, antialias, precision)
