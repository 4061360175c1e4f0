"""Reductions over axes: sums, products, extrema, logical reductions, arg-reductions,
cumulative reductions and windowed reductions."""
from __future__ import annotations

__all__ = ['reduce_sum', 'reduce_sum_p']

from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.lax.base import standard_primitive


def _reduce_shape_rule(operand, *, axes):
  for a in axes:
    if not 0 <= a < operand.ndim:
      raise ValueError(f"reduction axes {axes} out of range for operand of shape "
                       f"{operand.shape}")
  if len(set(axes)) != len(axes):
    raise ValueError(f"duplicate value in 'axes' of reduction: {axes}")
  return tuple(d for i, d in enumerate(operand.shape) if i not in axes)


def _reduce_lowering(op_name, init_value_fn):
  """Lowers a monoid reduction to ``stablehlo.reduce`` with a one-op body."""
  def rule(ctx, x, *, axes):
    hlo, ir = mlir.hlo(), mlir.ir()
    aval_in, aval_out = ctx.avals_in[0], ctx.avals_out[0]
    scalar = aval_in.update(shape=())
    init = mlir.ir_constant(np.asarray(init_value_fn(aval_in.dtype), aval_in.dtype))
    op = hlo.ReduceOp([mlir.aval_to_ir_type(aval_out)], [x], [init],
                      mlir.dense_int_array(axes))
    scalar_type = mlir.aval_to_ir_type(scalar)
    block = op.regions[0].blocks.append(scalar_type, scalar_type)
    with ir.InsertionPoint(block):
      hlo.ReturnOp([getattr(hlo, op_name)(*block.arguments)])
    return op.results
  return rule


reduce_sum_p = standard_primitive(_reduce_shape_rule, lambda operand, **_: operand.dtype,
                                  "reduce_sum")
mlir.register_lowering(reduce_sum_p, _reduce_lowering("add", lambda dt: 0))


def _reduce_sum_transpose(ct, operand, *, axes):
  from jaxlite.lax import structural
  shape = operand.aval.shape
  kept = [i for i in range(len(shape)) if i not in axes]
  return [structural.broadcast_in_dim(ct, shape, kept)]


ad.deflinear2(reduce_sum_p, _reduce_sum_transpose)


def _reduce_batch(prim):
  def rule(batched_args, batch_dims, *, axes, **params):
    (x,), (d,) = batched_args, batch_dims
    new_axes = tuple(a + (a >= d) for a in axes)
    out_d = d - sum(a < d for a in axes)
    return prim.bind(x, axes=new_axes, **params), out_d
  return rule


batching.primitive_batchers[reduce_sum_p] = _reduce_batch(reduce_sum_p)


def reduce_sum(operand, axes: Sequence[int]):
  """Sums ``operand`` over ``axes``.

  >>> from jaxlite import lax
  >>> lax.reduce_sum(lax.full((2, 3), 1.0), (0, 1))
  Array(6., dtype=float32)
  """
  axes = tuple(sorted(int(a) % max(core.get_aval(operand).ndim, 1) for a in axes))
  return reduce_sum_p.bind(operand, axes=axes)
