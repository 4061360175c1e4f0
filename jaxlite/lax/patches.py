"""Image patches and unshared ("locally connected") convolution:
``conv_general_dilated_patches`` and ``conv_general_dilated_local``.

Patches are a grouped convolution with a one-hot kernel: each input channel
(its own group) is convolved with one identity filter per position of the
receptive window, so output channel ``c * prod(filter_shape) + i`` holds
window position ``i`` of channel ``c``. An unshared convolution contracts
those patches with a separate kernel per output position.
"""
from __future__ import annotations

__all__ = ['conv_general_dilated_patches', 'conv_general_dilated_local']

import math
from typing import Sequence

import numpy as np

from jaxlite import core
from jaxlite.lax.convolution import conv_dimension_numbers, conv_general_dilated
from jaxlite.lax.dot_conv import Precision, canonicalize_precision


def _move_axes(x, sources, destinations):
  from jaxlite import lax
  ndim = core.get_aval(x).ndim
  order = [d for d in range(ndim) if d not in sources]
  for dst, src in sorted(zip(destinations, sources)):
    order.insert(dst, src)
  return lax.transpose(x, order)


def conv_general_dilated_patches(lhs, filter_shape: Sequence[int],
                                 window_strides: Sequence[int], padding,
                                 lhs_dilation=None, rhs_dilation=None,
                                 dimension_numbers=None, precision=None,
                                 preferred_element_type=None):
  """The patches a convolution with a ``filter_shape`` window would see,
  flattened into the output's feature dimension (channel-major: feature
  ``c * prod(filter_shape) + i`` is window position ``i`` of input channel
  ``c``). Arguments are those of ``conv_general_dilated`` without a kernel.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> x = np.arange(4., dtype=np.float32).reshape(1, 1, 4)
  >>> lax.conv_general_dilated_patches(x, (2,), (1,), 'VALID')
  Array([[[0., 1., 2.],
          [1., 2., 3.]]], dtype=float32)
  """
  from jaxlite import lax
  lhs = lax.convert_element_type(lhs, core.get_aval(lhs).dtype)   # an Array or tracer
  aval = core.get_aval(lhs)
  filter_shape = tuple(int(d) for d in filter_shape)
  dnums = conv_dimension_numbers(aval.shape, (1, 1) + filter_shape, dimension_numbers)
  lhs_spec, rhs_spec, _ = dnums
  window = math.prod(filter_shape)
  channels = aval.shape[lhs_spec[1]]
  # Kernel (channels * window, 1, *filter_shape): output feature c * window + i
  # is the one-hot filter of window position i.
  one_hot = np.eye(window, dtype=aval.dtype)
  kernel = np.broadcast_to(one_hot, (channels, window, window)).reshape(
      (channels * window, 1) + filter_shape)
  kernel = _move_axes(lax.convert_element_type(kernel, aval.dtype), (0, 1),
                      (rhs_spec[0], rhs_spec[1]))
  return conv_general_dilated(
      lhs, kernel, window_strides, padding, lhs_dilation=lhs_dilation,
      rhs_dilation=rhs_dilation, dimension_numbers=dnums,
      precision=None if precision is None else (precision, Precision.DEFAULT),
      feature_group_count=channels, preferred_element_type=preferred_element_type)


def conv_general_dilated_local(lhs, rhs, window_strides: Sequence[int], padding,
                               filter_shape: Sequence[int], lhs_dilation=None,
                               rhs_dilation=None, dimension_numbers=None, precision=None):
  """Unshared convolution (a locally connected layer): a separate kernel at
  each output position. ``rhs``'s spatial dimensions are the output's; its
  ``I`` dimension fuses the input channel with the receptive window
  (channel-major, window in ``rhs_spec`` order).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> x = np.arange(4., dtype=np.float32).reshape(1, 1, 4)
  >>> w = np.ones((1, 2, 3), np.float32)        # O, I * window, output W
  >>> lax.conv_general_dilated_local(x, w, (1,), 'VALID', (2,))
  Array([[[1., 3., 5.]]], dtype=float32)
  """
  from jaxlite import lax
  c_precision = canonicalize_precision(precision)
  if c_precision is None:
    lhs_precision = None
  elif isinstance(c_precision, tuple) and len(c_precision) == 2:
    lhs_precision = c_precision[0]
  else:
    raise ValueError(f"Unsupported precision for conv_general_dilated_local: {precision}")
  patches = conv_general_dilated_patches(
      lhs, filter_shape, window_strides, padding, lhs_dilation=lhs_dilation,
      rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
      precision=lhs_precision)
  _, rhs_spec, out_spec = conv_dimension_numbers(
      core.get_aval(lhs).shape, (1, 1) + tuple(filter_shape), dimension_numbers)
  # Contract the fused feature dimension; output positions are batch dims,
  # paired in the order of the patches' spatial axes.
  out_spatial, rhs_spatial = list(out_spec[2:]), list(rhs_spec[2:])
  order = sorted(range(len(out_spatial)), key=lambda k: out_spatial[k])
  dims = (([out_spec[1]], [rhs_spec[1]]),
          ([out_spatial[k] for k in order], [rhs_spatial[k] for k in order]))
  out = lax.dot_general(patches, rhs, dims, precision=precision)
  ndim = core.get_aval(out).ndim
  return _move_axes(out, (ndim - 2, ndim - 1), (out_spec[0], out_spec[1]))
