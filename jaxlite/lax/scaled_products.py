"""``lax.scaled_dot``: a dot product of block-scaled operands (microscaling),
``(lhs * lhs_scale) @ (rhs * rhs_scale)``.

Each scale has its operand's shape except along contracting dimensions,
where one scale covers a block of at least two elements. As in JAX, the
primitive lowers to the composite ``xla.scaled_dot`` whose decomposition
rounds operands and scales to bfloat16, expands the scales to the operand
shapes, multiplies and contracts; a compiler that knows the composite may
use a native kernel. The primitive has no derivative rules (as in JAX).
"""
from __future__ import annotations

__all__ = ['scaled_dot']

from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import batching, mlir


def _check_scale(side, operand, scale, contracting):
  for i, size in enumerate(operand.shape):
    if i in contracting:
      if size % scale.shape[i] != 0:
        raise TypeError(f"{side} contracting dim {i} of size {size} must be divisible by its "
                        f"scale's dim size {scale.shape[i]}.")
      if size // scale.shape[i] < 2:
        raise TypeError(f"The ratio of {side} contracting dim {i} to its scale's dim size "
                        f"({size // scale.shape[i]}) must be at least 2.")
    elif scale.shape[i] != size:
      raise TypeError(f"{side} dim {i} of size {size} does not match scale dim size "
                      f"{scale.shape[i]}.")


def _abstract_eval(lhs, rhs, lhs_scale, rhs_scale, *, dimension_numbers,
                   preferred_element_type=None):
  (lc, rc), (lb, rb) = dimension_numbers
  ranks = {lhs.ndim, rhs.ndim, lhs_scale.ndim, rhs_scale.ndim}
  if len(ranks) != 1:
    raise TypeError(f"All input tensors must have the same rank. Got lhs rank: {lhs.ndim} rhs "
                    f"rank: {rhs.ndim} lhs_scale rank: {lhs_scale.ndim} rhs_scale rank: "
                    f"{rhs_scale.ndim}.")
  if len(lb) != len(rb):
    raise TypeError("LHS and RHS must have the same number of batch dimensions, got "
                    f"{len(lb)} and {len(rb)}.")
  if len(lc) != len(rc):
    raise TypeError("LHS and RHS must have the same number of contracting dimensions, got "
                    f"{len(lc)} and {len(rc)}.")
  for i, j in zip(lb, rb):
    if len({lhs.shape[i], rhs.shape[j], lhs_scale.shape[i], rhs_scale.shape[j]}) != 1:
      raise TypeError("All input tensors must have the same batch dimension size for batch "
                      f"dims ({i}, {j}).")
  for i, j in zip(lc, rc):
    if lhs.shape[i] != rhs.shape[j]:
      raise TypeError(f"LHS contracting dim {i} of size {lhs.shape[i]} does not match RHS "
                      f"contracting dim {j} of size {rhs.shape[j]}.")
  _check_scale("LHS", lhs, lhs_scale, lc)
  _check_scale("RHS", rhs, rhs_scale, rc)
  lhs_free = [lhs.shape[i] for i in range(lhs.ndim) if i not in lc and i not in lb]
  rhs_free = [rhs.shape[i] for i in range(rhs.ndim) if i not in rc and i not in rb]
  shape = tuple([lhs.shape[i] for i in lb] + lhs_free + rhs_free)
  dtype = dtypes.bfloat16 if preferred_element_type is None else preferred_element_type
  return ShapedArray(shape, np.dtype(dtype))


scaled_dot_p = core.Primitive('scaled_dot')
scaled_dot_p.def_abstract_eval(_abstract_eval)


def _expand_scale(scale, operand_shape, contracting: Sequence[int]):
  """``scale`` repeated blockwise along the contracting dimensions up to the
  operand's shape."""
  from jaxlite import lax
  for i in contracting:
    shape = core.get_aval(scale).shape
    if shape[i] != operand_shape[i]:
      block = operand_shape[i] // shape[i]
      spread = shape[:i + 1] + (block,) + shape[i + 1:]
      kept = tuple(d for d in range(len(spread)) if d != i + 1)
      scale = lax.broadcast_in_dim(scale, spread, kept)
      scale = lax.reshape(scale, shape[:i] + (shape[i] * block,) + shape[i + 1:])
  return scale


def _decomposition(lhs, rhs, lhs_scale, rhs_scale, *, dimension_numbers,
                   preferred_element_type=None):
  from jaxlite import lax
  (lc, rc), _ = dimension_numbers
  bf16 = np.dtype(dtypes.bfloat16)

  def scaled(x, scale, contracting):
    scale = _expand_scale(scale, core.get_aval(x).shape, contracting)
    return lax.mul(lax.convert_element_type(x, bf16), lax.convert_element_type(scale, bf16))
  return lax.dot_general(scaled(lhs, lhs_scale, lc), scaled(rhs, rhs_scale, rc),
                         dimension_numbers, preferred_element_type=preferred_element_type)


def _lowering(ctx, lhs, rhs, lhs_scale, rhs_scale, **params):
  from jaxlite.lax.composites import composite
  fun = composite(_decomposition, name="xla.scaled_dot")
  return mlir.lower_fun(lambda *xs: fun(*xs, **params), multiple_results=False)(
      ctx, lhs, rhs, lhs_scale, rhs_scale)


mlir.register_lowering(scaled_dot_p, _lowering)


def _batch(args, dims, *, dimension_numbers, preferred_element_type):
  size = batching.batch_size(args, dims)
  args = [batching.bdim_at_front(x, d, size) for x, d in zip(args, dims)]
  (lc, rc), (lb, rb) = dimension_numbers
  up = lambda ds: tuple(d + 1 for d in ds)
  dnums = ((up(lc), up(rc)), ((0,) + up(lb), (0,) + up(rb)))
  return scaled_dot_p.bind(*args, dimension_numbers=dnums,
                           preferred_element_type=preferred_element_type), 0


batching.primitive_batchers[scaled_dot_p] = _batch


def _unit_scale(operand, contracting):
  """Scales of one per whole contracting dimension (the default)."""
  from jaxlite import lax
  shape = tuple(1 if i in contracting else d
                for i, d in enumerate(core.get_aval(operand).shape))
  return lax.convert_element_type(lax.full(shape, 1, dtypes.bfloat16),
                                   dtypes.float8_e8m0fnu)


def scaled_dot(lhs, rhs, *, lhs_scale=None, rhs_scale=None, dimension_numbers=None,
               preferred_element_type=None):
  """``(lhs * lhs_scale) @ (rhs * rhs_scale)`` in ``preferred_element_type``
  (default bfloat16), a ``dot_general`` with ``dimension_numbers`` (default:
  a (batched) matrix product). A scale has its operand's shape except along
  the contracting dimensions, where each scale entry covers a block.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.scaled_dot(np.ones((2, 4), np.float32), np.ones((4, 3), np.float32))
  Array([[4, 4, 4],
         [4, 4, 4]], dtype=bfloat16)
  """
  ndim = core.get_aval(lhs).ndim
  if dimension_numbers is None:
    if ndim < 2:
      raise TypeError("scaled_dot does not support 0-rank and 1-rank operands.")
    batch = tuple(range(ndim - 2))
    dimension_numbers = (((ndim - 1,), (ndim - 2,)), (batch, batch))
  dimension_numbers = tuple(tuple(tuple(int(d) for d in dims) for dims in pair)
                            for pair in dimension_numbers)
  (lc, rc), _ = dimension_numbers
  if lhs_scale is None:
    lhs_scale = _unit_scale(lhs, lc)
  if rhs_scale is None:
    rhs_scale = _unit_scale(rhs, rc)
  element_type = np.dtype(dtypes.bfloat16 if preferred_element_type is None
                          else dtypes.dtype(preferred_element_type))
  return scaled_dot_p.bind(lhs, rhs, lhs_scale, rhs_scale,
                           dimension_numbers=dimension_numbers,
                           preferred_element_type=element_type)
