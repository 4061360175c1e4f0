"""Shape-polymorphic StableHLO modules, laid out as JAX's: the public
``main`` takes the arrays (``tensor<?x4xf32>`` for a symbolic dimension),
computes each dimension variable from the arguments' sizes
(``stablehlo.get_dimension_size``), asserts the specification holds
(``shape_assertion`` custom calls with JAX's messages) and calls
``_wrapped_jax_export_main``, which takes the dimension variables first.
Calling such a module at concrete shapes refines it into a static one
(jaxlib's ``refine_polymorphic_shapes``) before it is compiled.

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.export import export, symbolic_shape
  >>> spec = jaxlite.ShapeDtypeStruct(symbolic_shape("b, 4"), np.float32)
  >>> exp = export(jaxlite.jit(jnp.sin))(spec)
  >>> "tensor<?x4xf32>" in exp.mlir_module()
  True
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes
from jaxlite.export import dim_lowering, poly_solve, shape_poly
from jaxlite.interpreters import mlir


def dimension_variables(avals) -> tuple:
  """The names of the dimension variables of ``avals``' shapes, sorted (as
  JAX orders the module's leading arguments)."""
  names = set()
  for aval in avals:
    for d in aval.shape:
      names |= shape_poly.variables(d)
  return tuple(sorted(names))


def is_polymorphic(avals) -> bool:
  return any(not dim_lowering.is_constant_shape(a.shape) for a in avals)


def _dim_var_type():
  """``tensor<i32>`` (``tensor<i64>`` under x64): the dimension variables' type."""
  return mlir.ir().RankedTensorType.get(
      (), mlir.dtype_to_ir_type(dtypes.canonicalize_dtype(np.int64)))


def lower_polymorphic(closed_jaxpr, *, name: str, platform: str, arg_names) -> str:
  """The text of a shape-polymorphic module computing ``closed_jaxpr``."""
  m = mlir.mlir()
  ir = m.ir
  in_avals, out_avals = list(closed_jaxpr.in_avals), list(closed_jaxpr.out_avals)
  dim_vars = dimension_variables(in_avals)
  missing = set(dimension_variables(out_avals)) - set(dim_vars)
  if missing:
    raise ValueError(f"The result shapes use dimension variables {sorted(missing)} that "
                     "do not appear in the argument shapes")
  with mlir.make_ir_context(), ir.Location.unknown():
    module = ir.Module.create()
    module.operation.attributes["sym_name"] = ir.StringAttr.get(mlir._sanitize(name))
    module.operation.attributes["jax.uses_shape_polymorphism"] = ir.BoolAttr.get(True)
    i32 = ir.IntegerType.get_signless(32)
    module.operation.attributes["mhlo.num_partitions"] = ir.IntegerAttr.get(i32, 1)
    module.operation.attributes["mhlo.num_replicas"] = ir.IntegerAttr.get(i32, 1)
    mc = mlir.ModuleContext(module, platform)
    mc.dim_vars, mc.dim_var_type = dim_vars, _dim_var_type()
    arg_attrs = ([{"jax.global_constant": ir.StringAttr.get(v)} for v in dim_vars]
                 + [{} for _ in in_avals])
    wrapped = mlir.lower_jaxpr_to_fun(mc, "_wrapped_jax_export_main", closed_jaxpr,
                                      arg_attrs=arg_attrs)
    _add_main(mc, wrapped, in_avals, out_avals, arg_names)
    if not module.operation.verify():
      raise RuntimeError(f"jaxlite produced an invalid StableHLO module:\n{module}")
    return module.operation.get_asm(enable_debug_info=False)


def _add_main(mc, wrapped, in_avals, out_avals, arg_names):
  """The public ``main``: dimension variables from the sizes, shape
  assertions, and the call of ``_wrapped_jax_export_main``."""
  m = mlir.mlir()
  ir, hlo = m.ir, m.hlo
  in_types = [mlir.aval_to_ir_type(a) for a in in_avals]
  out_types = [mlir.aval_to_ir_type(a) for a in out_avals]
  with ir.InsertionPoint(mc.module.body):
    main = m.func.FuncOp("main", ir.FunctionType.get(in_types, out_types))
  main.attributes["sym_visibility"] = ir.StringAttr.get("public")
  mc.symbol_table.insert(main)
  block = main.add_entry_block()
  with ir.InsertionPoint(block):
    operations = dim_lowering.IrOperations(mc.dim_var_type)

    def size(i, d):
      value = hlo.get_dimension_size(block.arguments[i], d)
      return value if value.type == mc.dim_var_type else hlo.convert(mc.dim_var_type, value)
    solution = poly_solve.solve(in_avals, arg_names, size, operations)
    for constraint in solution.constraints:
      _shape_assertion(constraint)
    dim_values = [solution.values[v] for v in mc.dim_vars]
    sym = ir.FlatSymbolRefAttr.get(ir.StringAttr(wrapped.attributes["sym_name"]).value)
    call = m.func.CallOp(out_types, sym, dim_values + list(block.arguments))
    m.func.ReturnOp(list(call.results))


def _shape_assertion(constraint):
  """A ``shape_assertion`` custom call: fails with the message (its values
  written as ``{0}``, ``{1}``, ...) where the constraint does not hold."""
  m = mlir.mlir()
  ir = m.ir
  direction = "EQ" if constraint.comparison == "EQ" else "GE"
  holds = mlir.compare(constraint.lhs, constraint.rhs, direction, "SIGNED")
  values, text = [], []
  for piece in constraint.message_pieces:
    if isinstance(piece, str):
      text.append(piece)
    else:   # one operand per distinct value, as JAX's messages number them
      index = next((k for k, v in enumerate(values) if v == piece), len(values))
      if index == len(values):
        values.append(piece)
      text.append("{" + str(index) + "}")
  op = m.hlo.CustomCallOp(
      [], [holds] + values, call_target_name=ir.StringAttr.get("shape_assertion"),
      has_side_effect=ir.BoolAttr.get(True),
      api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 2))
  op.attributes["error_message"] = ir.StringAttr.get("".join(text))
