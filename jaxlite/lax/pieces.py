"""Primitives that cut an array into pieces or assemble it from pieces:
``split``, ``stack``, ``unstack`` and ``tile``, as JAX 0.10.2 has them (one
equation each in a jaxpr). All four are linear: each transposes to its
inverse (split <-> concatenate, stack <-> unstack, tile -> sum of tiles).
"""
from __future__ import annotations

__all__ = ['split_p', 'stack_p', 'unstack_p', 'tile_p']

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax.base import same_dtypes_rule


def _slice(x, aval, starts, limits):
  hlo = mlir.hlo()
  return hlo.slice(x, mlir.dense_int_array(starts), mlir.dense_int_array(limits),
                   mlir.dense_int_array([1] * aval.ndim))


def _linear_multiple_results_jvp(primitive):
  """JVP of a linear primitive of one operand with several results."""
  def jvp(primals, tangents, **params):
    outs = primitive.bind(*primals, **params)
    (t,) = tangents
    if type(t) is ad.Zero:
      return outs, [ad.Zero(ad.tangent_aval(core.get_aval(o))) for o in outs]
    return outs, primitive.bind(t, **params)
  ad.primitive_jvps[primitive] = jvp


# --- split ---------------------------------------------------------------------------------


def _split_abstract_eval(operand, *, sizes, axis):
  if any(s < 0 for s in sizes):
    raise ValueError(f"Sizes passed to split must be nonnegative, got {list(sizes)}")
  if operand.shape[axis] != sum(sizes):
    raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the "
                     f"operand shape {list(operand.shape)}")
  shape = list(operand.shape)
  outs = []
  for size in sizes:
    shape[axis] = size
    outs.append(ShapedArray(tuple(shape), operand.dtype, operand.weak_type))
  return outs


split_p = core.Primitive('split')
split_p.multiple_results = True
split_p.def_abstract_eval(_split_abstract_eval)


def _split_lowering(ctx, x, *, sizes, axis):
  aval = ctx.avals_in[0]
  starts, limits = [0] * aval.ndim, list(aval.shape)
  outs = []
  for size in sizes:
    limits[axis] = starts[axis] + size
    outs.append(_slice(x, aval, starts, limits))
    starts[axis] = limits[axis]
  return outs


def _split_transpose(cts, operand, *, sizes, axis):
  from jaxlite.lax.structural import concatenate
  if all(type(ct) is ad.Zero for ct in cts):
    return [ad.Zero(operand.aval)]
  return [concatenate([ad.instantiate_zeros(ct) for ct in cts], axis)]


def _split_batch(args, dims, *, sizes, axis):
  (x,), (d,) = args, dims
  outs = split_p.bind(x, sizes=sizes, axis=axis + (axis >= d))
  return outs, [d] * len(sizes)


mlir.register_lowering(split_p, _split_lowering)
ad.deflinear2(split_p, _split_transpose)
_linear_multiple_results_jvp(split_p)
batching.primitive_batchers[split_p] = _split_batch


# --- stack / unstack ---------------------------------------------------------------------------


def _stack_abstract_eval(*operands, axis):
  # JAX's shape rule (ValueErrors, ranks checked before shapes), then its
  # dtype rule (check_same_dtypes' TypeError).
  if not operands:
    raise ValueError("stack expects at least one operand, got 0.")
  shapes = ", ".join(str(o.shape) for o in operands)
  if len({o.ndim for o in operands}) != 1:
    raise ValueError(f"Cannot stack arrays with different numbers of dimensions: got {shapes}.")
  if len({o.shape for o in operands}) != 1:
    raise ValueError(f"All input arrays must have the same shape. Got {shapes}.")
  same_dtypes_rule("stack")(*operands)
  first = operands[0]
  shape = first.shape[:axis] + (len(operands),) + first.shape[axis:]
  return ShapedArray(shape, first.dtype, all(o.weak_type for o in operands))


stack_p = core.Primitive('stack')
stack_p.def_abstract_eval(_stack_abstract_eval)


def _stack_lowering(ctx, *xs, axis):
  hlo = mlir.hlo()
  out_aval = ctx.avals_out[0]
  piece = out_aval.update(shape=out_aval.shape[:axis] + (1,) + out_aval.shape[axis + 1:])
  kept = [d for d in range(out_aval.ndim) if d != axis]
  pieces = [mlir.broadcast_in_dim(x, piece, kept) for x in xs]
  return hlo.concatenate(pieces, mlir.i64_attr(axis))


def _stack_batch(args, dims, *, axis):
  size = batching.batch_size(args, dims)
  first = dims[0]
  if first is not batching.not_mapped and all(d == first for d in dims):
    # All batched on one axis: stack around it.
    if axis <= first:
      return stack_p.bind(*args, axis=axis), first + 1
    return stack_p.bind(*args, axis=axis + 1), first
  xs = [batching.bdim_at_front(x, d, size) for x, d in zip(args, dims)]
  return stack_p.bind(*xs, axis=axis + 1), 0


def _stack_transpose(ct, *operands, axis):
  return list(unstack_p.bind(ct, axis=axis))


mlir.register_lowering(stack_p, _stack_lowering)
ad.deflinear2(stack_p, _stack_transpose)
batching.primitive_batchers[stack_p] = _stack_batch


def _unstack_abstract_eval(operand, *, axis):
  if operand.ndim == 0:
    raise ValueError("unstack requires arrays with rank > 0, however a scalar array of "
                     f"shape {operand.shape} was passed.")
  shape = operand.shape[:axis] + operand.shape[axis + 1:]
  return [ShapedArray(shape, operand.dtype, operand.weak_type)] * operand.shape[axis]


unstack_p = core.Primitive('unstack')
unstack_p.multiple_results = True
unstack_p.def_abstract_eval(_unstack_abstract_eval)


def _unstack_lowering(ctx, x, *, axis):
  hlo = mlir.hlo()
  aval = ctx.avals_in[0]
  starts, limits = [0] * aval.ndim, list(aval.shape)
  outs = []
  for out_aval in ctx.avals_out:
    limits[axis] = starts[axis] + 1
    piece = _slice(x, aval, starts, limits)
    outs.append(hlo.reshape(mlir.aval_to_ir_type(out_aval), piece))
    starts[axis] = limits[axis]
  return outs


def _unstack_transpose(cts, operand, *, axis):
  if all(type(ct) is ad.Zero for ct in cts):
    return [ad.Zero(operand.aval)]
  return [stack_p.bind(*[ad.instantiate_zeros(ct) for ct in cts], axis=axis)]


def _unstack_batch(args, dims, *, axis):
  (x,), (d,) = args, dims
  out_axis, out_dim = (axis, d - 1) if axis < d else (axis + 1, d)
  outs = unstack_p.bind(x, axis=out_axis)
  return outs, [out_dim] * len(outs)


mlir.register_lowering(unstack_p, _unstack_lowering)
ad.deflinear2(unstack_p, _unstack_transpose)
_linear_multiple_results_jvp(unstack_p)
batching.primitive_batchers[unstack_p] = _unstack_batch


# --- tile --------------------------------------------------------------------------------------


def _tile_abstract_eval(x, *, reps):
  if x.ndim != len(reps):
    raise TypeError(f"reps length must be equal to the ndim of x, got len(reps)={len(reps)} "
                    f"and x.ndim={x.ndim}.")
  return ShapedArray(tuple(int(n) * int(r) for n, r in zip(x.shape, reps)), x.dtype,
                     x.weak_type)


tile_p = core.Primitive('tile')
tile_p.def_abstract_eval(_tile_abstract_eval)


def _tile_lowering(ctx, x, *, reps):
  # A new axis of length r before each axis, then each pair merged.
  hlo = mlir.hlo()
  aval = ctx.avals_in[0]
  pairs = tuple(d for r, n in zip(reps, aval.shape) for d in (r, n))
  spread = mlir.broadcast_in_dim(x, aval.update(shape=pairs), tuple(range(1, 2 * aval.ndim, 2)))
  return hlo.reshape(mlir.aval_to_ir_type(ctx.avals_out[0]), spread)


def _tile_transpose(ct, operand, *, reps):
  from jaxlite.lax.reductions import reduce_sum
  from jaxlite.lax.structural import reshape
  if not ad.is_undefined_primal(operand):
    return [None]
  shape = operand.aval.shape
  pairs = reshape(ct, tuple(d for r, n in zip(reps, shape) for d in (r, n)))
  return [reduce_sum(pairs, tuple(range(0, 2 * len(shape), 2)))]


def _tile_batch(args, dims, *, reps):
  (x,), (d,) = args, dims
  reps = list(reps)
  reps.insert(d, 1)
  return tile_p.bind(x, reps=tuple(reps)), d


mlir.register_lowering(tile_p, _tile_lowering)
ad.deflinear2(tile_p, _tile_transpose)
batching.primitive_batchers[tile_p] = _tile_batch
