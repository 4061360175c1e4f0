"""``jax.lax`` functions that are compositions of other lax operations, and the
shape helpers of the convolution and window APIs.

``split``, ``tile``, ``stack`` and ``unstack`` are single primitives in JAX
0.10.2; here they are built from slices, broadcasts and concatenations, which
give the same values, gradients and batching (the jaxprs differ).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.lax import dot_conv, elementwise, slicing, structural
from jaxlite.lax.pieces import split_p, stack_p, tile_p, unstack_p

__all__ = ["reciprocal", "broadcast_to_rank", "broadcast_like", "broadcast_shapes", "split",
           "tile", "stack", "unstack", "batch_matmul", "index_take", "dtype",
           "DotDimensionNumbers", "conv_shape_tuple",
           "conv_general_shape_tuple", "conv_transpose_shape_tuple",
           "conv_general_permutations", "reduce_window_shape_tuple"]

# JAX's type aliases: ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)).
DotDimensionNumbers = tuple[tuple[Sequence[int], Sequence[int]],
                            tuple[Sequence[int], Sequence[int]]]



def dtype(x):
  """The canonical dtype of ``x`` (64-bit types become 32-bit while x64 is off).

  >>> from jaxlite import lax
  >>> lax.dtype(1.0)
  dtype('float32')
  """
  return dtypes.dtype(x, canonicalize=True)


def _asarray(x):
  from jaxlite.numpy import asarray  # pylint: disable=g-import-not-at-top
  return asarray(x)


def _axis(axis: int, ndim: int, name: str) -> int:
  if not -ndim <= axis < ndim:
    raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
  del name
  return axis % ndim


def reciprocal(x):
  """Elementwise ``1 / x`` (JAX's ``integer_pow(x, -1)``).

  >>> from jaxlite import lax
  >>> lax.reciprocal(2.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return elementwise.integer_pow(x, -1)


def broadcast_to_rank(x, rank: int):
  """``x`` with leading size-1 axes added up to ``rank`` dimensions.

  >>> from jaxlite import lax
  >>> lax.broadcast_to_rank(lax.iota('int32', 3), 3).shape
  (1, 1, 3)
  """
  x = _asarray(x)
  if x.ndim == rank:
    return x
  return structural.broadcast(x, (1,) * (rank - x.ndim))


def broadcast_like(arr, like_arr):
  """``arr`` broadcast (NumPy-style) to the shape of ``like_arr``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.broadcast_like(jnp.array([1, 2, 3]), jnp.zeros((2, 3)))
  Array([[1, 2, 3],
         [1, 2, 3]], dtype=int32)
  """
  from jaxlite.numpy import broadcast_to  # pylint: disable=g-import-not-at-top
  return broadcast_to(arr, core.get_aval(like_arr).shape)


def broadcast_shapes(*shapes):
  """The NumPy broadcast of ``shapes`` (tuples of ints).

  >>> from jaxlite import lax
  >>> lax.broadcast_shapes((2, 1), (3,))
  (2, 3)
  """
  from jaxlite.numpy import broadcast_shapes as np_broadcast  # pylint: disable=g-import-not-at-top
  return tuple(np_broadcast(*shapes))


def split(operand, sizes: Sequence[int], axis: int = 0):
  """``operand`` cut along ``axis`` into pieces of ``sizes`` (they must sum to
  the axis length).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.split(jnp.arange(5), (2, 3))
  [Array([0, 1], dtype=int32), Array([2, 3, 4], dtype=int32)]
  """
  operand = _asarray(operand)
  axis = _axis(axis, operand.ndim, "split")
  sizes = tuple(int(s) for s in sizes)
  if any(s < 0 for s in sizes):
    raise ValueError(f"Sizes passed to split must be nonnegative, got {list(sizes)}")
  if operand.shape[axis] != sum(sizes):
    raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the "
                     f"operand shape {list(operand.shape)}")
  return split_p.bind(operand, sizes=sizes, axis=axis)


def tile(operand, reps: Sequence[int]):
  """``operand`` repeated ``reps[i]`` times along each axis ``i``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.tile(jnp.array([1, 2, 3]), (2,))
  Array([1, 2, 3, 1, 2, 3], dtype=int32)
  """
  operand = _asarray(operand)
  reps = tuple(int(r) for r in reps)
  if len(reps) != operand.ndim:
    raise ValueError(f"len(reps) must equal operand.ndim, got reps={reps} for operand of "
                     f"shape {operand.shape}")
  if any(r < 0 for r in reps):
    raise ValueError(f"reps must be non-negative, got {reps}")
  return tile_p.bind(operand, reps=reps)


def stack(operands: Sequence, axis: int = 0):
  """The arrays ``operands`` (all of one shape) stacked along a new ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.stack([jnp.array([1, 2]), jnp.array([3, 4])], axis=1)
  Array([[1, 3],
         [2, 4]], dtype=int32)
  """
  arrays = [_asarray(op) for op in operands]
  axis = _axis(axis, arrays[0].ndim + 1, "stack")
  return stack_p.bind(*arrays, axis=axis)


def unstack(x, axis: int = 0):
  """The slices of ``x`` along ``axis``, as a tuple.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.unstack(jnp.array([[1, 2], [3, 4]]), axis=1)
  (Array([1, 3], dtype=int32), Array([2, 4], dtype=int32))
  """
  x = _asarray(x)
  axis = _axis(axis, x.ndim, "unstack")
  return tuple(unstack_p.bind(x, axis=axis))


def batch_matmul(lhs, rhs, precision=None):
  """Matrix products over the leading (batch) axes of two arrays of one rank.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.batch_matmul(jnp.ones((2, 1, 3)), jnp.ones((2, 3, 4))).shape
  (2, 1, 4)
  """
  if min(lhs.ndim, rhs.ndim) < 2:
    raise ValueError(f"Arguments to batch_matmul must be at least 2D, got {lhs.ndim}, "
                     f"{rhs.ndim}")
  if lhs.ndim != rhs.ndim:
    raise ValueError(f"Arguments to batch_matmul must have same ndim, got {lhs.ndim}, "
                     f"{rhs.ndim}")
  batch = tuple(range(lhs.ndim - 2))
  return dot_conv.dot_general(lhs, rhs, (((lhs.ndim - 1,), (rhs.ndim - 2,)), (batch, batch)),
                              precision=precision)


def index_take(src, idxs, axes: Sequence[int]):
  """``src`` gathered at the index arrays ``idxs`` (one per axis of ``axes``,
  wrapped modulo the axis length), the other axes kept whole.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.index_take(jnp.arange(6).reshape(2, 3), (jnp.array([1, -1]),), (1,))
  Array([[1, 4],
         [2, 5]], dtype=int32)
  """
  indices = structural.concatenate([structural.expand_dims(i, (1,)) for i in idxs], 1)
  bounds = np.array([src.shape[ax] for ax in axes], dtype=indices.dtype)
  indices = elementwise.rem(
      elementwise.add(elementwise.rem(indices, structural.broadcast(bounds, indices.shape[:1])),
                      structural.broadcast(bounds, indices.shape[:1])),
      structural.broadcast(bounds, indices.shape[:1]))
  slice_sizes = list(src.shape)
  for ax in axes:
    slice_sizes[ax] = 1
  dnums = slicing.GatherDimensionNumbers(
      offset_dims=tuple(range(1, src.ndim - indices.shape[1] + 1)),
      collapsed_slice_dims=tuple(axes), start_index_map=tuple(axes))
  return slicing.gather(src, indices, dimension_numbers=dnums,
                        slice_sizes=tuple(slice_sizes))


# --- shape helpers --------------------------------------------------------------------------


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
  """The output shape of a convolution in the default (NC..., OI...) layouts.

  >>> conv_shape_tuple((1, 3, 8, 8), (4, 3, 3, 3), (1, 1), [(1, 1), (1, 1)])
  (1, 4, 8, 8)
  """
  if isinstance(pads, str):
    from jaxlite.lax import convolution as _conv  # pylint: disable=g-import-not-at-top
    pads = _conv.padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
  if len(pads) != len(lhs_shape) - 2:
    raise TypeError(f"Wrong number of explicit pads for convolution: expected "
                    f"{len(lhs_shape) - 2}, got {len(pads)}.")
  padded = [n + lo + hi for n, (lo, hi) in zip(lhs_shape[2:], pads)]
  if any(p < 0 for p in padded):
    raise ValueError("Negative padding is larger than the size of the corresponding "
                     f"dimension: got padding={pads} for lhs_shape[2:]={lhs_shape[2:]}")
  spatial = [max(0, (p - k) // s + 1) for p, k, s in zip(padded, rhs_shape[2:], strides)]
  return (lhs_shape[0] // batch_group_count, rhs_shape[0], *spatial)


def conv_general_permutations(dimension_numbers):
  """The (lhs, rhs, out) axis permutations of three layout strings into the
  N C / O I leading order, spatial axes in the rhs spec's order.

  >>> conv_general_permutations(("NHWC", "HWIO", "NHWC"))
  ((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))
  """
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  pairs = (("N", "C"), ("O", "I"), ("N", "C"))
  for i, (a, b) in enumerate(pairs):
    spec = dimension_numbers[i]
    if not spec.count(a) == spec.count(b) == 1:
      raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                      f"'{a}' and '{b}' exactly once, got {spec}.")
    if len(spec) != len(set(spec)):
      raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate "
                      f"characters, got {spec}.")
  if not (set(lhs_spec) - set(pairs[0]) == set(rhs_spec) - set(pairs[1])
          == set(out_spec) - set(pairs[2])):
    raise TypeError(f"convolution dimension_numbers elements must each have the same set "
                    f"of spatial characters, got {dimension_numbers}.")

  def perm(spec, pair):
    spatial = [i for i, c in enumerate(spec) if c not in pair]
    if spec is not rhs_spec:
      spatial.sort(key=lambda i: rhs_spec.index(spec[i]))
    return (spec.index(pair[0]), spec.index(pair[1]), *spatial)
  return tuple(perm(spec, pair) for spec, pair in zip(dimension_numbers, pairs))


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding,
                             dimension_numbers):
  """The output shape of ``conv_general_dilated`` (no dilation) in the
  ``dimension_numbers`` layout.

  >>> conv_general_shape_tuple((1, 8, 8, 3), (3, 3, 3, 4), (1, 1), "SAME",
  ...                          ("NHWC", "HWIO", "NHWC"))
  (1, 8, 8, 4)
  """
  lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
  lhs_trans = tuple(lhs_shape[i] for i in lhs_perm)
  rhs_trans = tuple(rhs_shape[i] for i in rhs_perm)
  out_trans = conv_shape_tuple(lhs_trans, rhs_trans, window_strides, padding)
  return tuple(out_trans[out_perm.index(i)] for i in range(len(out_trans)))


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding,
                               dimension_numbers):
  """The output shape of a transposed convolution (``conv_transpose``'s explicit
  padding applied to the input dilated by ``window_strides``).

  >>> conv_transpose_shape_tuple((1, 4, 4, 3), (3, 3, 3, 5), (2, 2), [(1, 2), (1, 2)],
  ...                            ("NHWC", "HWIO", "NHWC"))
  (1, 8, 8, 5)
  """
  lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
  lhs_trans = tuple(lhs_shape[i] for i in lhs_perm)
  rhs_trans = tuple(rhs_shape[i] for i in rhs_perm)
  if isinstance(padding, str):
    from jaxlite.lax import convolution as _conv  # pylint: disable=g-import-not-at-top
    padding = [_conv._conv_transpose_padding(k, s, padding)  # pylint: disable=protected-access
               for k, s in zip(rhs_trans[2:], window_strides)]
  spatial = [(n - 1) * s - k + 2 + sum(pad)
             for n, k, s, pad in zip(lhs_trans[2:], rhs_trans[2:], window_strides, padding)]
  out_trans = (lhs_trans[0], rhs_trans[0], *spatial)
  return tuple(out_trans[out_perm.index(i)] for i in range(len(out_trans)))


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
  """The output shape of ``reduce_window``.

  >>> reduce_window_shape_tuple((4, 6), (2, 2), (2, 2), ((0, 0), (0, 0)))
  (2, 3)
  """
  if base_dilation is not None:
    operand_shape = tuple(0 if d == 0 else 1 + b * (d - 1)
                          for d, b in zip(operand_shape, base_dilation))
  if window_dilation is not None:
    window_dimensions = tuple(0 if w == 0 else 1 + r * (w - 1)
                              for w, r in zip(window_dimensions, window_dilation))
  padded = [d + lo + hi for d, (lo, hi) in zip(operand_shape, padding)]
  return tuple(max(0, (p - w) // s + 1)
               for p, w, s in zip(padded, window_dimensions, window_strides))
