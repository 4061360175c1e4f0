"""Building blocks for defining lax primitives: abstract evaluation from a
shape rule and a dtype rule, standard StableHLO lowerings, and argument
checking with JAX's error messages.

A primitive family module (``elementwise``, ``structural`` ...) defines each
primitive with ``standard_primitive`` and registers its lowering, JVP,
transpose and batching rules right below it, so one screen shows all a
primitive is.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir


def standard_primitive(shape_rule: Callable, dtype_rule: Callable, name: str,
                       weak_type_rule: Callable | None = None,
                       multiple_results: bool = False) -> core.Primitive:
  """A primitive whose abstract evaluation is ``ShapedArray(shape_rule, dtype_rule)``.

  Both rules are called as ``rule(*avals, **params)``; ``weak_type_rule``
  defaults to "weak if every operand is weak"."""
  prim = core.Primitive(name)
  prim.multiple_results = multiple_results
  weak_type_rule = weak_type_rule or _standard_weak_type_rule

  def abstract_eval(*avals, **params):
    for a in avals:
      if type(a) is not ShapedArray:
        _check_not_ref(a, prim)
    shape = shape_rule(*avals, **params)
    dtype = dtype_rule(*avals, **params)
    weak = weak_type_rule(*avals, **params)
    if multiple_results:
      return [ShapedArray(s, d, w) for s, d, w in zip(shape, dtype, weak)]
    return ShapedArray(shape, dtype, weak)

  prim.def_abstract_eval(abstract_eval)
  return prim


def _check_not_ref(aval, prim) -> None:
  """JAX's error for a mutable array reference (``jaxlite.state``'s
  ``AbstractRef``, which holds an ``inner_aval``) given to an array operation."""
  if getattr(aval, "inner_aval", None) is not None:
    raise ValueError(f"Attempting to pass a Ref {aval} to a primitive: {prim} "
                     "-- did you forget to unpack ([...]) the ref?")


def _standard_weak_type_rule(*avals, **params):
  for a in avals:   # a loop, not all(...): this runs for every staged primitive
    if not a.weak_type:
      return False
  return bool(avals)


# --- dtype rules -----------------------------------------------------------------------

_float = {"floating"}


def _dtype_kinds(dtype) -> set[str]:
  dtype = np.dtype(dtype)
  if dtype == np.bool_:
    return {"bool"}
  if dtypes.issubdtype(dtype, np.signedinteger):
    return {"signed", "integer"}
  if dtypes.issubdtype(dtype, np.unsignedinteger):
    return {"unsigned", "integer"}
  if dtypes.issubdtype(dtype, np.complexfloating):
    return {"complex", "inexact"}
  if dtypes.issubdtype(dtype, np.floating):
    return {"floating", "inexact"}
  return set()


def check_dtypes(name: str, accepted: set[str], *avals):
  """TypeError like JAX's when an operand's dtype is not one of ``accepted`` kinds
  ('bool', 'signed', 'unsigned', 'integer', 'floating', 'complex', 'inexact')."""
  for i, aval in enumerate(avals):
    if not (_dtype_kinds(aval.dtype) & accepted):
      typename = " or ".join(sorted(accepted))
      raise TypeError(f"{name} does not accept dtype {np.dtype(aval.dtype).name}. "
                      f"Accepted dtypes are subtypes of {typename}.")


def same_dtypes_rule(name: str, accepted: set[str] | None = None):
  """Operands must share one dtype (weak types aside); the result has it."""
  def rule(*avals, **params):
    if accepted is not None:
      check_dtypes(name, accepted, *avals)
    dts = {a.dtype for a in avals}
    if len(dts) != 1:
      raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                      f"{', '.join(np.dtype(a.dtype).name for a in avals)}.")
    return avals[0].dtype
  return rule


def fixed_dtype_rule(dtype):
  return lambda *avals, **params: np.dtype(dtype)


# --- shape rules -------------------------------------------------------------------------


def broadcasting_shape_rule(name: str, *avals) -> tuple[int, ...]:
  """Elementwise operands: rank-0 ones broadcast, the others share a rank and
  each dimension is equal or 1 (JAX's lax broadcasts size-1 dimensions too).

  >>> from jaxlite.core import ShapedArray
  >>> broadcasting_shape_rule("add", ShapedArray((1, 3), np.float32), ShapedArray((2, 1), np.float32))
  (2, 3)
  """
  return broadcast_lax_shapes(name, [a.shape for a in avals])


def broadcast_lax_shapes(name: str, shapes) -> tuple[int, ...]:
  """The result shape of elementwise operands of ``shapes`` (rank-0 ones ignored)."""
  first = None
  for s in shapes:   # the common case first: one shape, or rank 0
    if s != ():
      if first is None:
        first = s
      elif s != first:
        return _broadcast_lax_shapes_apart(name, shapes)
  return () if first is None else tuple(first)


def _broadcast_lax_shapes_apart(name: str, shapes) -> tuple[int, ...]:
  shapes = [tuple(s) for s in shapes if s != ()]
  if not shapes:
    return ()
  first = shapes[0]
  if all(s == first for s in shapes):   # the common case, checked once
    return first
  ranks = {len(s) for s in shapes}
  if len(ranks) != 1:
    raise TypeError(f"{name}: arrays must have the same number of dimensions, got {ranks}")
  out = []
  for ds in zip(*shapes):
    sizes = {d for d in ds if d != 1}
    if len(sizes) > 1:
      raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                      f"{', '.join(map(str, shapes))}.")
    out.append(sizes.pop() if sizes else 1)
  return tuple(out)


def elementwise_shape_rule(name):
  return lambda *avals, **params: broadcasting_shape_rule(name, *avals)


# --- lowering helpers ----------------------------------------------------------------------


def broadcast_operands(ctx, args):
  """Broadcasts rank-0 operands to the output shape (elementwise lowerings)."""
  out_aval = ctx.avals_out[0]
  out = []
  for x, aval in zip(args, ctx.avals_in):
    if aval.shape != out_aval.shape:   # rank 0, or size-1 dimensions of the same rank
      x = mlir.broadcast_in_dim(x, aval.update(shape=out_aval.shape), range(aval.ndim))
    out.append(x)
  return out


def nary_lowering(op_name: str, *, broadcast=True, **attrs):
  """Lowering for an elementwise op named ``op_name`` in the stablehlo (or chlo)
  dialect, e.g. ``nary_lowering('add')`` or ``nary_lowering('chlo.erf')``."""
  def rule(ctx, *args, **params):
    if broadcast:
      args = broadcast_operands(ctx, args)
    if op_name.startswith("chlo."):
      op = getattr(mlir.chlo(), op_name[5:])
    else:
      op = getattr(mlir.hlo(), op_name)
    return op(*args, **attrs)
  return rule


def register_standard_lowering(prim, op_name, **kw):
  mlir.register_lowering(prim, nary_lowering(op_name, **kw))
