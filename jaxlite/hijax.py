"""JAX's "hi" primitives and types (``jax.experimental.hijax``): operations and
types that users define in terms of ordinary ("lo") JAX.

A ``HiPrimitive`` subclass gives its typing rule (``abstract_eval``, returning
the result type and effects), its meaning as lo operations (``to_lojax``) and
its derivative rules (``jvp``, ``transpose``); jaxlite evaluates ``to_lojax``
eagerly, keeps the primitive as one equation in jaxprs and lowers it by
tracing ``to_lojax``. ``HiType``/``MutableHiType`` are the base classes of
user-defined types and ``register_hitype`` makes ``jax.typeof`` know a Python
type's values; their methods reach tracers through ``aval_method``/
``aval_property``.

What jaxlite does not do (see docs/differences.md): pass values of hi types
across a ``jit``/``grad`` boundary (JAX lowers them to their ``lo_ty`` there
and tracks a mutable type's quasi-dynamic data), and ``VJPHiPrimitive``.

Example:
  >>> import jaxlite, jaxlite.numpy as jnp
  >>> class Triple(HiPrimitive):
  ...   def abstract_eval(self, x_aval):
  ...     return x_aval, set()
  ...   def to_lojax(self, x):
  ...     return 3 * x
  ...   def jvp(self, primals, tangents):
  ...     return triple_p.bind(*primals), triple_p.bind(*tangents)
  ...   def transpose(self, ct, x):
  ...     return [triple_p.bind(ct)]
  >>> triple_p = Triple("triple")
  >>> triple_p.bind(jnp.float32(2.0)), jaxlite.grad(triple_p.bind)(1.0)
  (Array(6., dtype=float32), Array(3., dtype=float32, weak_type=True))
"""
from __future__ import annotations

import dataclasses
from typing import Any

from jaxlite import core
from jaxlite.interpreters import ad, mlir

__all__ = ["HiPrimitive", "HiType", "MutableHiType", "HiPspec", "register_hitype",
           "QuasiDynamicData", "AvalQDD", "AvalMutableQDD"]


class HiPrimitive(core.Primitive):
  """A primitive defined by its typing rule and its lo-JAX meaning (JAX's
  ``jax.experimental.hijax.HiPrimitive``); subclasses override
  ``abstract_eval``, ``to_lojax``, ``jvp`` and (if linear) ``transpose``."""

  def __init_subclass__(cls, **kwargs):
    super().__init_subclass__(**kwargs)
    # JAX's typing rule returns (result type, effects); jaxlite's tracers ask a
    # primitive for its type and its effects separately.
    rule = cls.__dict__.get("abstract_eval")
    if rule is not None:
      cls.typing_rule = rule
      cls.abstract_eval = HiPrimitive.abstract_eval

  def __init__(self, name):
    super().__init__(name)
    self.impl = self.to_lojax   # eagerly, the lo operations themselves
    ad.primitive_jvps[self] = self.jvp
    ad.primitive_transposes[self] = self.transpose
    mlir.register_lowering(self, mlir.lower_fun(self.to_lojax, self.multiple_results))

  def is_high(self, *avals, **params) -> bool:
    return True

  def is_effectful(self, params) -> bool:
    return False

  def typing_rule(self, *arg_avals, **params):
    raise AssertionError("must override")

  def abstract_eval(self, *arg_avals, **params):
    return self.typing_rule(*arg_avals, **params)[0]

  def effects_rule(self, *arg_avals, **params):
    return frozenset(self.typing_rule(*arg_avals, **params)[1])

  def to_lojax(self, *args, **params):
    raise AssertionError(f"must override for {self}")

  def jvp(self, primals, tangents, **params):
    raise AssertionError("must override")

  def transpose(self, *args, **params):
    raise AssertionError("must override")


class HiType(core.AbstractValue):
  """An immutable user-defined type: how it lowers to lo types and values, and
  its tangent space (JAX's ``HiType``; subclasses override)."""
  is_high = True
  has_qdd = False

  def __hash__(self):
    raise AssertionError("must override")

  def __eq__(self, other):
    raise AssertionError("must override")

  def lo_ty(self) -> list:
    raise AssertionError("must override")

  def lower_val(self, hi_val) -> list:
    raise AssertionError("must override")

  def raise_val(self, *lo_vals):
    raise AssertionError("must override")

  def to_tangent_aval(self):
    raise AssertionError("must override")

  def to_ct_aval(self):
    return self.to_tangent_aval()

  def vspace_zero(self):
    raise AssertionError("must override")

  def vspace_add(self, x, y):
    raise AssertionError("must override")


class QuasiDynamicData:
  """What a mutable type's values know beyond their type (JAX's QDD)."""


class MutableHiType(core.AbstractValue):
  """A mutable user-defined type whose lowering depends on quasi-dynamic data
  (JAX's ``MutableHiType``; subclasses override)."""
  is_high = True
  has_qdd = True
  is_writer = False

  def __hash__(self):
    raise AssertionError("must override")

  def __eq__(self, other):
    raise AssertionError("must override")

  def lo_ty_qdd(self, state, /) -> list:
    raise AssertionError("must override")

  def lo_ty(self):
    raise AssertionError("mutable hitypes should use lo_ty_qdd instead")

  def new_from_loval(self, state, /, *vals):
    raise AssertionError("must override")

  def read_loval(self, state, val, /) -> list:
    raise AssertionError("must override")

  def update_from_loval(self, state, val, /, *lo_vals) -> None:
    raise AssertionError("must override")

  def to_tangent_aval(self):
    raise AssertionError("must override")

  def to_ct_aval(self):
    return self.to_tangent_aval()


@dataclasses.dataclass(frozen=True)
class AvalQDD:
  """A mutable type with its (immutable) quasi-dynamic data."""
  aval: Any
  qdd: Any
  is_high = True
  has_qdd = True

  def lo_ty(self):
    return self.aval.lo_ty_qdd(self.qdd)

  def read_loval(self, val):
    return self.aval.read_loval(self.qdd, val)

  def new_from_loval(self, *lovals):
    return self.aval.new_from_loval(self.qdd, *lovals)


@dataclasses.dataclass
class AvalMutableQDD:
  """A mutable type with quasi-dynamic data that may still change."""
  aval: Any
  mutable_qdd: Any


class HiPspec:
  """How a hi type is laid out over a mesh (JAX's ``HiPspec``; subclasses
  override)."""

  def to_lo(self) -> tuple:
    raise AssertionError("must override")

  def to_tangent_spec(self):
    raise AssertionError("must override")

  def to_ct_spec(self):
    raise AssertionError("must override")


def register_hitype(val_cls, typeof_fn) -> None:
  """Makes ``jax.typeof(v)`` (and every abstraction of a value) of a
  ``val_cls`` instance ``typeof_fn(v)``.

  >>> class Pair:
  ...   def __init__(self, a, b): self.a, self.b = a, b
  >>> register_hitype(Pair, lambda p: core.ShapedArray((2,), 'float32'))
  >>> core.get_aval(Pair(1.0, 2.0))
  ShapedArray(float32[2])
  """
  core.pytype_aval_mappings[val_cls] = typeof_fn
