"""Symbolic dimensions in StableHLO: the values of dimension expressions as
scalars computed from the dimension variables a shape-polymorphic function
takes, shape tensors for the dynamic operations
(``stablehlo.dynamic_broadcast_in_dim``, ``dynamic_reshape``,
``dynamic_iota``), and ``dimension_as_value`` (a symbolic size used as an
array, e.g. the divisor of ``jnp.mean``).

  >>> import numpy as np
  >>> is_constant_shape((2, 3)), is_constant_shape((np.int64(2),))
  (True, True)
"""
from __future__ import annotations

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.export import shape_poly
from jaxlite.interpreters import mlir


def is_constant_shape(shape) -> bool:
  """Whether every dimension of ``shape`` is an integer (no symbolic one)."""
  return all(isinstance(d, (int, np.integer)) for d in shape)


class IrOperations(shape_poly.IntOperations):
  """Dimension arithmetic on scalar integer tensors of the dimension
  variables' type (``floordiv``/``mod`` round towards minus infinity, as
  Python's and JAX's)."""

  def __init__(self, ir_type):
    self.ir_type = ir_type

  def constant(self, value):
    dtype = np.int64 if mlir.ir().IntegerType(self.ir_type.element_type).width == 64 \
        else np.int32
    return mlir.ir_constant(np.asarray(value, dtype))

  def add(self, x, y):
    return mlir.hlo().add(x, y)

  def mul(self, x, y):
    return mlir.hlo().multiply(x, y)

  def _remainder_fix(self, x, y):
    """(truncated quotient, remainder, whether they need the floor correction)."""
    hlo = mlir.hlo()
    quotient, remainder = hlo.divide(x, y), hlo.remainder(x, y)
    zero = self.constant(0)
    signs_differ = mlir.compare(mlir.compare(remainder, zero, "LT"),
                                mlir.compare(y, zero, "LT"), "NE")
    return quotient, remainder, hlo.and_(signs_differ, mlir.compare(remainder, zero, "NE"))

  def floordiv(self, x, y):
    quotient, _, fix = self._remainder_fix(x, y)
    return mlir.hlo().select(fix, mlir.hlo().subtract(quotient, self.constant(1)), quotient)

  def mod(self, x, y):
    _, remainder, fix = self._remainder_fix(x, y)
    return mlir.hlo().select(fix, mlir.hlo().add(remainder, y), remainder)

  def max(self, x, y):
    return mlir.hlo().maximum(x, y)

  def min(self, x, y):
    return mlir.hlo().minimum(x, y)


def dim_value(module_context, dim):
  """A scalar tensor (of the dimension variables' type) holding ``dim``."""
  ir_type = module_context.dim_var_type if module_context.dim_vars else \
      mlir.ir().RankedTensorType.get((), mlir.dtype_to_ir_type(np.dtype(np.int32)))
  return shape_poly.evaluate(dim, module_context.dim_var_values, IrOperations(ir_type))


def shape_tensor(module_context, shape):
  """A 1-D tensor of ``shape``'s sizes (for the dynamic StableHLO operations)."""
  hlo, ir = mlir.hlo(), mlir.ir()
  pieces = []
  for d in shape:
    value = dim_value(module_context, d)
    element = ir.RankedTensorType(value.type).element_type
    pieces.append(hlo.reshape(ir.RankedTensorType.get((1,), element), value))
  if not pieces:
    return mlir.ir_constant(np.zeros((0,), np.int32))
  return pieces[0] if len(pieces) == 1 else hlo.concatenate(pieces, 0)


def broadcast_in_dim(module_context, x, aval_out: ShapedArray, broadcast_dimensions):
  """``broadcast_in_dim`` to ``aval_out``, dynamic where its shape is symbolic."""
  if is_constant_shape(aval_out.shape):
    return mlir.broadcast_in_dim(x, aval_out, broadcast_dimensions)
  return mlir.hlo().dynamic_broadcast_in_dim(
      mlir.aval_to_ir_type(aval_out), x, shape_tensor(module_context, aval_out.shape),
      mlir.dense_int_array(broadcast_dimensions))


def reshape(module_context, x, aval_out: ShapedArray):
  """``reshape`` to ``aval_out``, dynamic where its shape is symbolic."""
  if is_constant_shape(aval_out.shape):
    return mlir.hlo().reshape(mlir.aval_to_ir_type(aval_out), x)
  return mlir.hlo().dynamic_reshape(mlir.aval_to_ir_type(aval_out), x,
                                    shape_tensor(module_context, aval_out.shape))


def iota(module_context, aval_out: ShapedArray, dimension: int):
  """``iota`` of ``aval_out``, dynamic where its shape is symbolic."""
  hlo = mlir.hlo()
  if is_constant_shape(aval_out.shape):
    return hlo.iota(mlir.aval_to_ir_type(aval_out), mlir.i64_attr(dimension))
  return hlo.dynamic_iota(mlir.aval_to_ir_type(aval_out),
                          shape_tensor(module_context, aval_out.shape),
                          mlir.i64_attr(dimension))


def reduce_window(module_context, out_types, operands, inits, window_dimensions,
                  window_strides, padding, base_dilation, window_dilation, body):
  """A ``reduce_window`` whose window or padding has symbolic sizes, as JAX emits
  it: a ``stablehlo.dynamic_reduce_window`` custom call taking the sizes as
  tensors and the reducer ``body(*accs, *elems) -> values`` as a function of the
  module (``refine_polymorphic_shapes`` turns it into a ``reduce_window`` once
  the shapes are known)."""
  m = mlir.mlir()
  ir, hlo = m.ir, m.hlo
  scalar_types = [ir.RankedTensorType.get((), ir.RankedTensorType(v.type).element_type)
                  for v in inits]
  with ir.InsertionPoint.at_block_begin(module_context.module.body):
    reducer = m.func.FuncOp(f"reduce_window_{scalar_types[0].element_type}_reducer",
                            ir.FunctionType.get(scalar_types * 2, scalar_types))
  module_context.symbol_table.insert(reducer)
  block = reducer.add_entry_block()
  with ir.InsertionPoint(block):
    m.func.ReturnOp(list(body(*block.arguments)))
  pads = [shape_tensor(module_context, lo_hi) for lo_hi in padding]
  pads = [hlo.reshape(ir.RankedTensorType.get((1, 2), ir.RankedTensorType(p.type).element_type),
                      p) for p in pads]
  op = hlo.CustomCallOp(
      list(out_types),
      [*operands, *inits, *(shape_tensor(module_context, sizes) for sizes in
                            (window_dimensions, window_strides, base_dilation, window_dilation)),
       pads[0] if len(pads) == 1 else hlo.concatenate(pads, 0)],
      call_target_name=ir.StringAttr.get("stablehlo.dynamic_reduce_window"),
      api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 2),
      called_computations=ir.ArrayAttr.get([ir.FlatSymbolRefAttr.get(reducer.name.value)]))
  return list(op.results)


# --- dimension_as_value: a symbolic size used as an array ----------------------------------------

dimension_as_value_p = core.Primitive("dimension_as_value")


@dimension_as_value_p.def_abstract_eval
def _dimension_as_value_abstract_eval(*, dim):
  return ShapedArray((), dtypes.canonicalize_dtype(np.int64), weak_type=True)


def _dimension_as_value_lowering(ctx, *, dim):
  value = dim_value(ctx.module_context, dim)
  return mlir.hlo().convert(mlir.aval_to_ir_type(ctx.avals_out[0]), value)


mlir.register_lowering(dimension_as_value_p, _dimension_as_value_lowering)


def dimension_as_value(dim):
  """``dim`` (an int or symbolic dimension) as a scalar integer array (a weak
  int); ints stay ints."""
  if not shape_poly.is_symbolic_dim(dim):
    return dim
  return dimension_as_value_p.bind(dim=dim)
