"""``select_and_scatter_p``: XLA's SelectAndScatter with arbitrary scalar
``select`` and ``scatter`` computations (as jaxprs).

For every window of ``operand`` the ``select`` computation picks one element
(``select(a, b)`` true keeps ``a``); the matching element of ``source`` is
combined into the output there with ``scatter``, starting from
``init_value``. Max-pooling gradients are the special case
``select = ge, scatter = add`` (``select_and_scatter_add``). As in JAX the
primitive has no derivative or batching rules.
"""
from __future__ import annotations

__all__ = ['select_and_scatter_p']

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir


def _abstract_eval(operand, source, init_value, *, select_jaxpr, select_consts,
                   scatter_jaxpr, scatter_consts, window_dimensions, window_strides, padding):
  if len(window_dimensions) != len(window_strides):
    raise TypeError("select_and_scatter got inconsistent window_strides and "
                    f"window_dimensions: got window_strides {window_strides} and "
                    f"window_dimensions {window_dimensions}.")
  return ShapedArray(operand.shape, operand.dtype)


select_and_scatter_p = core.Primitive('select_and_scatter')
select_and_scatter_p.def_abstract_eval(_abstract_eval)


def _lowering(ctx, operand, source, init_value, *, select_jaxpr, select_consts,
              scatter_jaxpr, scatter_consts, window_dimensions, window_strides, padding):
  m = mlir.mlir()
  ir, hlo = m.ir, m.hlo
  operand_aval, source_aval, _ = ctx.avals_in
  pads = np.asarray(padding, np.int64).reshape(len(window_dimensions), 2)
  op = hlo.SelectAndScatterOp(mlir.aval_to_ir_type(ctx.avals_out[0]), operand, source,
                              init_value,
                              window_dimensions=mlir.dense_int_array(window_dimensions),
                              window_strides=mlir.dense_int_array(window_strides),
                              padding=ir.DenseIntElementsAttr.get(pads))
  for region, jaxpr, consts, aval in ((op.select, select_jaxpr, select_consts, operand_aval),
                                      (op.scatter, scatter_jaxpr, scatter_consts,
                                       source_aval)):
    scalar = mlir.aval_to_ir_type(ShapedArray((), aval.dtype))
    block = region.blocks.append(scalar, scalar)
    with ir.InsertionPoint(block):
      outs = mlir.jaxpr_subcomp(ctx.module_context, jaxpr, consts, *block.arguments)
      hlo.ReturnOp(list(outs))
  return op.result


mlir.register_lowering(select_and_scatter_p, _lowering)


def _scalar_jaxpr(fun, dtype):
  """The jaxpr of a scalar binary computation and its constants."""
  from jaxlite.interpreters import partial_eval as pe
  aval = ShapedArray((), np.dtype(dtype))
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(lambda a, b: [fun(a, b)], [aval, aval])
  return jaxpr, tuple(consts)


def select_and_scatter(operand, select, window_dimensions, window_strides, padding, source,
                       init_value, scatter):
  """Binds ``select_and_scatter_p`` for Python ``select``/``scatter`` functions.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> x = np.array([1., 3., 2., 0.], np.float32)
  >>> select_and_scatter(x, lax.ge, (2,), (2,), ((0, 0),), np.array([10., 20.], np.float32),
  ...                    np.float32(0), lax.add)
  Array([ 0., 10., 20.,  0.], dtype=float32)
  """
  dtype = core.get_aval(operand).dtype
  select_jaxpr, select_consts = _scalar_jaxpr(select, dtype)
  scatter_jaxpr, scatter_consts = _scalar_jaxpr(scatter, core.get_aval(source).dtype)
  return select_and_scatter_p.bind(
      operand, source, init_value, select_jaxpr=select_jaxpr, select_consts=select_consts,
      scatter_jaxpr=scatter_jaxpr, scatter_consts=scatter_consts,
      window_dimensions=tuple(window_dimensions), window_strides=tuple(window_strides),
      padding=tuple(tuple(p) for p in padding))
