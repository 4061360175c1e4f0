"""``lax.composite``: a named operation whose meaning is its decomposition.

It lowers to ``stablehlo.composite`` with the decomposition as a private
function: a compiler that knows the name may emit a dedicated kernel, any
other inlines the decomposition. As in JAX, the composite has no derivative
rule of its own (wrap it in ``custom_jvp``/``custom_vjp`` to differentiate).
"""
from __future__ import annotations

__all__ = ['composite']

import functools

import numpy as np

from jaxlite import core, tree_util
from jaxlite.interpreters import ad, mlir


class _HashableArray:
  """A NumPy attribute value, hashable so it can be a primitive parameter."""
  __slots__ = ("value",)

  def __init__(self, value):
    self.value = value

  def __hash__(self):
    return hash((self.value.shape, self.value.dtype.str, self.value.tobytes()))

  def __eq__(self, other):
    return (isinstance(other, _HashableArray) and self.value.shape == other.value.shape
            and self.value.dtype == other.value.dtype
            and bool(np.all(self.value == other.value)))

  def __repr__(self):
    return repr(self.value)


composite_p = core.Primitive('composite')
composite_p.multiple_results = True
composite_p.def_abstract_eval(lambda *avals, jaxpr, **_: list(jaxpr.out_avals))


def _attribute(value):
  """An MLIR attribute for a composite attribute value (Python or NumPy)."""
  ir = mlir.ir()
  if isinstance(value, _HashableArray):
    value = value.value
  if isinstance(value, (bool, np.bool_)):
    return ir.BoolAttr.get(bool(value))
  if isinstance(value, (int, np.integer)):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))
  if isinstance(value, (float, np.floating)):
    return ir.FloatAttr.get(ir.F64Type.get(), float(value))
  if isinstance(value, str):
    return ir.StringAttr.get(value)
  if isinstance(value, np.dtype):     # e.g. a preferred element type
    return ir.TypeAttr.get(mlir.dtype_to_ir_type(value))
  if isinstance(value, np.ndarray):
    return ir.DenseElementsAttr.get(np.ascontiguousarray(value),
                                    type=mlir.dtype_to_ir_type(value.dtype))
  if isinstance(value, (list, tuple)):
    return ir.ArrayAttr.get([_attribute(v) for v in value])
  raise TypeError(f"Unsupported composite attribute value {value!r} of type {type(value)}.")


def _composite_lowering(ctx, *args, name, attributes, version, jaxpr):
  m = mlir.mlir()
  ir, hlo = m.ir, m.hlo
  fn = mlir.lower_jaxpr_to_fun(ctx.module_context, name, jaxpr)
  attrs = {}
  for key, leaves, treedef in attributes:
    value = tree_util.tree_unflatten(treedef, leaves)
    if value is not None:
      attrs[key] = _attribute(value)
  op = hlo.CompositeOp([mlir.aval_to_ir_type(a) for a in ctx.avals_out], list(args),
                       name=ir.StringAttr.get(name),
                       decomposition=ir.FlatSymbolRefAttr.get(fn.name.value),
                       composite_attributes=ir.DictAttr.get(attrs),
                       version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), version))
  return list(op.results)


mlir.register_lowering(composite_p, _composite_lowering)


def _no_jvp(*args, **params):
  raise ValueError("JVP rule for composite not implemented. You can use `jax.custom_jvp` to "
                   "add support. See "
                   "https://docs.jax.dev/en/latest/_autosummary/jax.custom_jvp.html")


def _no_transpose(*args, **params):
  raise ValueError("Transpose rule for composite not implemented. You can use"
                   "`jax.custom_jvp` or `jax.custom_vjp` to add support. See "
                   "https://docs.jax.dev/en/latest/_autosummary/jax.custom_jvp.html")


ad.primitive_jvps[composite_p] = _no_jvp
ad.primitive_transposes[composite_p] = _no_transpose


def composite(decomposition, name: str, version: int = 0):
  """A function computing ``decomposition`` as one named operation: positional
  arguments are its operands, keyword arguments its (static) attributes
  (``None`` ones are left out of the attributes).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> tangent = lax.composite(lambda x: lax.sin(x) / lax.cos(x), name="my.tangent")
  >>> tangent(np.float32(0.5))
  Array(0.5463025, dtype=float32)
  """
  @functools.wraps(decomposition)
  def composite_fun(*args, **kwargs):
    from jaxlite.interpreters import partial_eval as pe
    if any(isinstance(v, core.Tracer) for v in tree_util.tree_leaves(kwargs)):
      raise core.UnexpectedTracerError(
          "Found a JAX Tracer as an attribute in the decomposition for the composite op "
          f"'{name}'. This means that the decomposition function closes over a value that "
          "is involved in a JAX transformation. Any values that aren't explicitly known at "
          "compile time must be explicitly passed as arguments to the composite.\n\nNote: "
          "If you are passing jax arrays as attributes, use numpy arrays instead.")
    flat_args, in_tree = tree_util.tree_flatten(args)
    out_tree_box = []

    def flat_fun(*flat):
      out = decomposition(*tree_util.tree_unflatten(in_tree, flat), **kwargs)
      leaves, out_tree = tree_util.tree_flatten(out)
      out_tree_box.append(out_tree)
      return leaves

    in_avals = [core.get_aval(x) for x in flat_args]
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, in_avals)
    if any(isinstance(c, core.Tracer) for c in consts):
      raise core.UnexpectedTracerError(
          "Found a JAX Tracer as a constant in the decomposition for the composite op "
          f"'{name}'. This means that the decomposition function closes over a value that "
          "is involved in a JAX transformation. Any values that aren't explicitly known at "
          "compile time must be explicitly passed as arguments to the composite.")
    # Constants become leading operands, as in JAX.
    closed = core.ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), [])
    attributes = []
    for key, value in kwargs.items():
      leaves, treedef = tree_util.tree_flatten(value)
      leaves = tuple(_HashableArray(v) if isinstance(v, np.ndarray) else v for v in leaves)
      attributes.append((key, leaves, treedef))
    outs = composite_p.bind(*consts, *flat_args, name=name, attributes=tuple(attributes),
                            version=version, jaxpr=closed)
    return tree_util.tree_unflatten(out_tree_box[0], outs)
  return composite_fun
