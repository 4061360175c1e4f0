"""Forward- and reverse-mode automatic differentiation.

Rule tables (filled next to each primitive's definition in ``jaxlite.lax``):

* ``primitive_jvps[p](primals, tangents, **params) -> (primal_out, tangent_out)``;
  a tangent may be a symbolic ``Zero(aval)`` (an unused input costs nothing).
* ``primitive_transposes[p](ct, *args, **params) -> [ct_arg or None per arg]``
  for linear primitives; the linear arguments are ``UndefinedPrimal(aval)``
  and ``ct`` may be a ``Zero``.

Helpers ``defjvp``, ``defjvp2``, ``defjvp_zero``, ``deflinear``, ``deflinear2``
cover the common shapes of rules.
"""
from __future__ import annotations

from typing import Any, Callable

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray

primitive_jvps: dict[core.Primitive, Callable] = {}
primitive_transposes: dict[core.Primitive, Callable] = {}


class Zero:
  """A symbolic zero tangent/cotangent of type ``aval``."""
  __slots__ = ("aval",)

  def __init__(self, aval):
    self.aval = aval

  def __repr__(self):
    return f"Zero({self.aval.str_short()})"

  @staticmethod
  def from_value(val):
    return Zero(tangent_aval(core.raise_to_shaped(core.get_aval(val))))


def tangent_aval(aval: ShapedArray) -> ShapedArray:
  """Tangents of integer and boolean values are float0; of floats, the same type."""
  if aval.dtype.kind in "fc" or aval.dtype.name in _FLOAT_NAMES:
    return ShapedArray(aval.shape, aval.dtype, aval.weak_type)
  return ShapedArray(aval.shape, dtypes.float0)


_FLOAT_NAMES = {"bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
                "float8_e5m2fnuz", "float8_e4m3b11fnuz", "float8_e4m3", "float8_e3m4"}


class UndefinedPrimal:
  """Marks a linear input of a primitive being transposed."""
  __slots__ = ("aval",)

  def __init__(self, aval):
    self.aval = aval

  def __repr__(self):
    return f"UndefinedPrimal({self.aval})"


def is_undefined_primal(x) -> bool:
  return type(x) is UndefinedPrimal


def zeros_like_aval(aval):
  from jaxlite import lax
  return lax.full(aval.shape, 0, aval.dtype)


def instantiate_zeros(t):
  """Turns a symbolic Zero into an array of zeros (other values pass through)."""
  if type(t) is Zero:
    return zeros_like_aval(t.aval)
  return t


def add_tangents(x, y):
  if type(x) is Zero:
    return y
  if type(y) is Zero:
    return x
  from jaxlite import lax
  return lax.add(x, y)


# --- rule helpers ----------------------------------------------------------------------


def defjvp(primitive, *jvp_fns):
  """JVP from one function per argument: ``fn(tangent, *primals, **params)``
  gives that argument's contribution (None for a non-differentiable one)."""
  def rule(primals, tangents, **params):
    ans = primitive.bind(*primals, **params)
    out = None
    for fn, t in zip(jvp_fns, tangents):
      if fn is None or type(t) is Zero:
        continue
      out = add_tangents(out if out is not None else Zero(None), fn(t, *primals, **params))
    if out is None or type(out) is Zero:
      out = Zero(tangent_aval(core.get_aval(ans)))
    return ans, out
  primitive_jvps[primitive] = rule
  return rule


def defjvp2(primitive, *jvp_fns):
  """Like ``defjvp`` but each function also gets the primal output:
  ``fn(tangent, ans, *primals, **params)``."""
  def rule(primals, tangents, **params):
    ans = primitive.bind(*primals, **params)
    out = None
    for fn, t in zip(jvp_fns, tangents):
      if fn is None or type(t) is Zero:
        continue
      out = add_tangents(out if out is not None else Zero(None), fn(t, ans, *primals, **params))
    if out is None or type(out) is Zero:
      out = Zero(tangent_aval(core.get_aval(ans)))
    return ans, out
  primitive_jvps[primitive] = rule
  return rule


def defjvp_zero(primitive):
  """The primitive is piecewise constant: its output tangent is zero."""
  def rule(primals, tangents, **params):
    ans = primitive.bind(*primals, **params)
    if primitive.multiple_results:
      return ans, [Zero(tangent_aval(core.get_aval(a))) for a in ans]
    return ans, Zero(tangent_aval(core.get_aval(ans)))
  primitive_jvps[primitive] = rule
  return rule


def deflinear(primitive, transpose_rule):
  """A primitive linear in all its arguments: its JVP applies it to the tangents.
  ``transpose_rule(ct, **params) -> list of cotangents``."""
  def jvp(primals, tangents, **params):
    ans = primitive.bind(*primals, **params)
    if all(type(t) is Zero for t in tangents):
      return ans, Zero(tangent_aval(core.get_aval(ans)))
    tangents = [instantiate_zeros(t) for t in tangents]
    return ans, primitive.bind(*tangents, **params)
  primitive_jvps[primitive] = jvp

  def transpose(ct, *args, **params):
    if type(ct) is Zero:
      return [Zero(a.aval) if is_undefined_primal(a) else None for a in args]
    return transpose_rule(ct, **params)
  primitive_transposes[primitive] = transpose


def deflinear2(primitive, transpose_rule):
  """Like ``deflinear`` with ``transpose_rule(ct, *args, **params)`` seeing the args."""
  def jvp(primals, tangents, **params):
    ans = primitive.bind(*primals, **params)
    if all(type(t) is Zero for t in tangents):
      return ans, Zero(tangent_aval(core.get_aval(ans)))
    tangents = [instantiate_zeros(t) for t in tangents]
    return ans, primitive.bind(*tangents, **params)
  primitive_jvps[primitive] = jvp

  def transpose(ct, *args, **params):
    if type(ct) is Zero:
      return [Zero(a.aval) if is_undefined_primal(a) else None for a in args]
    return transpose_rule(ct, *args, **params)
  primitive_transposes[primitive] = transpose
