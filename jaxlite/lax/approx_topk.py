"""Approximate top-k: ``approx_max_k`` and ``approx_min_k``.

Lowered as JAX lowers them: XLA's ``ApproxTopK`` custom call with a
comparator function. On TPU that is the approximate algorithm of
arXiv:2206.14286; elsewhere it is marked as a fallback and XLA computes the
exact top-k (a sort), so on CPU the results are exact.
"""
from __future__ import annotations

__all__ = ['approx_max_k', 'approx_min_k', 'approx_top_k_p']

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir


def _output_size(input_size, rank, k, recall_target, aggregate_to_topk, size_override):
  """Length of the reduced dimension when the results are not aggregated to k
  (XLA's own formula, through jaxlib)."""
  from jaxlib import _jax
  return _jax.approx_top_k_reduction_output_size(input_size, rank, k, recall_target,
                                                  aggregate_to_topk, size_override)[0]


def _abstract_eval(operand, *, k, reduction_dimension, recall_target, is_max_k,
                   reduction_input_size_override, aggregate_to_topk):
  if k <= 0:
    raise ValueError(f'k must be positive, got {k}')
  if operand.ndim == 0:
    raise TypeError(f'approx_top_k operand must have >= 1 dimension, got {operand.shape}')
  dims = list(operand.shape)
  if dims[reduction_dimension] < k:
    raise ValueError('k must be smaller than the size of reduction_dim '
                     f'{dims[reduction_dimension]}, got {k}')
  if not dtypes.issubdtype(operand.dtype, np.floating):
    raise ValueError('operand must be a floating type')
  if aggregate_to_topk:
    dims[reduction_dimension] = k
  else:
    dims[reduction_dimension] = _output_size(dims[reduction_dimension], len(dims), k,
                                             recall_target, aggregate_to_topk,
                                             reduction_input_size_override)
  return [ShapedArray(tuple(dims), operand.dtype, operand.weak_type),
          ShapedArray(tuple(dims), np.dtype(np.int32))]


approx_top_k_p = core.Primitive('approx_top_k')
approx_top_k_p.multiple_results = True
approx_top_k_p.def_abstract_eval(_abstract_eval)


def _comparator(ctx, dtype, is_max_k: bool):
  """``func.func`` (value, value, index, index) -> value order, in the module."""
  m = mlir.mlir()
  ir, hlo = m.ir, m.hlo
  scalar = mlir.aval_to_ir_type(ShapedArray((), dtype))
  index = mlir.aval_to_ir_type(ShapedArray((), np.dtype(np.int32)))
  boolean = mlir.aval_to_ir_type(ShapedArray((), np.dtype(np.bool_)))
  name = f"top_k_{'gt' if is_max_k else 'lt'}_{scalar.element_type}_comparator"
  module_context = ctx.module_context
  with ir.InsertionPoint.at_block_begin(module_context.module.body):
    fn = m.func.FuncOp(name, ir.FunctionType.get([scalar, scalar, index, index], [boolean]))
  module_context.symbol_table.insert(fn)
  block = fn.add_entry_block()
  with ir.InsertionPoint(block):
    a, b = block.arguments[0], block.arguments[1]
    hlo.ReturnOp([mlir.compare(a, b, 'GT' if is_max_k else 'LT')])
  return fn


def _lowering(ctx, operand, *, k, reduction_dimension, recall_target, is_max_k,
              reduction_input_size_override, aggregate_to_topk):
  m = mlir.mlir()
  ir, hlo = m.ir, m.hlo
  aval = ctx.avals_in[0]
  dim = reduction_dimension % aval.ndim
  comparator = _comparator(ctx, aval.dtype, is_max_k)
  index_aval = aval.update(dtype=np.dtype(np.int32))
  iota = hlo.iota(mlir.aval_to_ir_type(index_aval), mlir.i64_attr(dim))
  init_value = mlir.ir_constant(np.array(-np.inf if is_max_k else np.inf, aval.dtype))
  init_index = mlir.ir_constant(np.int32(-1))
  config = {
      "reduction_dim": mlir.i64_attr(dim),
      "recall_target": ir.FloatAttr.get(ir.F32Type.get(), recall_target),
      "aggregate_to_topk": ir.BoolAttr.get(aggregate_to_topk),
      "reduction_input_size_override": mlir.i64_attr(reduction_input_size_override),
      # Off TPU XLA replaces the call with an exact sort-based top-k.
      "is_fallback": ir.BoolAttr.get(ctx.module_context.platform != "tpu"),
      "top_k": mlir.i64_attr(k),
  }
  i32 = ir.IntegerType.get_signless(32)
  op = hlo.CustomCallOp(
      [mlir.aval_to_ir_type(a) for a in ctx.avals_out],
      [operand, iota, init_value, init_index], "ApproxTopK",
      backend_config=ir.StringAttr.get(""), api_version=ir.IntegerAttr.get(i32, 1),
      called_computations=ir.ArrayAttr.get(
          [ir.FlatSymbolRefAttr.get(comparator.name.value)]))
  # A dictionary backend config travels as mhlo.backend_config (api_version 1).
  op.attributes["mhlo.backend_config"] = ir.DictAttr.get(config)
  return list(op.results)


mlir.register_lowering(approx_top_k_p, _lowering)


def _jvp(primals, tangents, **params):
  from jaxlite.lax.sorting import take_selected
  (operand,), (tangent,) = primals, tangents
  values, indices = approx_top_k_p.bind(operand, **params)
  index_zero = ad.Zero(ad.tangent_aval(core.get_aval(indices)))
  if type(tangent) is ad.Zero:
    return [values, indices], [ad.Zero(ad.tangent_aval(core.get_aval(values))), index_zero]
  dim = params['reduction_dimension'] % core.get_aval(operand).ndim
  return [values, indices], [take_selected(tangent, indices, dim), index_zero]


ad.primitive_jvps[approx_top_k_p] = _jvp


def _batch(args, dims, *, reduction_dimension, **params):
  (operand,), (bdim,) = args, dims
  rank = core.get_aval(operand).ndim
  unbatched = [d for d in range(rank) if d != bdim]
  outs = approx_top_k_p.bind(operand, reduction_dimension=unbatched[reduction_dimension],
                             **params)
  return outs, [bdim, bdim]


batching.primitive_batchers[approx_top_k_p] = _batch


def _bind(operand, k, reduction_dimension, recall_target, is_max_k,
          reduction_input_size_override, aggregate_to_topk):
  return tuple(approx_top_k_p.bind(
      operand, k=k, reduction_dimension=reduction_dimension, recall_target=recall_target,
      is_max_k=is_max_k, reduction_input_size_override=reduction_input_size_override,
      aggregate_to_topk=aggregate_to_topk))


def approx_max_k(operand, k: int, reduction_dimension: int = -1,
                 recall_target: float = 0.95, reduction_input_size_override: int = -1,
                 aggregate_to_topk: bool = True):
  """The ``k`` largest values of ``operand`` along ``reduction_dimension`` and
  their indices, approximately on TPU (``recall_target``) and exactly
  elsewhere. With ``aggregate_to_topk=False`` the (unsorted) candidates are
  returned, at least ``k`` of them.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> values, indices = lax.approx_max_k(np.array([1., 5., 3., 4.], np.float32), 2)
  >>> values, indices
  (Array([5., 4.], dtype=float32), Array([1, 3], dtype=int32))
  """
  return _bind(operand, k, reduction_dimension, recall_target, True,
               reduction_input_size_override, aggregate_to_topk)


def approx_min_k(operand, k: int, reduction_dimension: int = -1,
                 recall_target: float = 0.95, reduction_input_size_override: int = -1,
                 aggregate_to_topk: bool = True):
  """The ``k`` smallest values of ``operand`` along ``reduction_dimension`` and
  their indices (approximate on TPU, exact elsewhere); see ``approx_max_k``.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> values, indices = lax.approx_min_k(np.array([1., 5., 3., 4.], np.float32), 2)
  >>> values, indices
  (Array([1., 3.], dtype=float32), Array([0, 2], dtype=int32))
  """
  return _bind(operand, k, reduction_dimension, recall_target, False,
               reduction_input_size_override, aggregate_to_topk)
