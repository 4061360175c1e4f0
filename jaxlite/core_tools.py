"""Small tools over the tracing core for code that builds on it.

Libraries written against JAX's internals (through ``jax.extend.core``) make
equations, ask for the current trace and map avals over a batch axis; these
are jaxlite's versions of those helpers, defined on ``jaxlite.core``'s own
objects.

  >>> import numpy as np
  >>> from jaxlite.core import ShapedArray
  >>> mapped_aval(3, 0, ShapedArray((3, 2), np.float32))
  ShapedArray(float32[2])
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import JaxprEqn, ShapedArray, Tracer
from jaxlite.core import primal_dtype_to_tangent_dtype  # noqa: F401  (jax.core's name; the rule lives in core)


class Effect:
  """The base class of effect types (what a jaxpr's ``effects`` set holds).

    >>> from jaxlite.debug import debug_effect
    >>> isinstance(debug_effect, Effect)
    True
  """


class EffectTypeSet:
  """A set of effect types, asked whether an effect is an instance of one of
  them (JAX's ``effects.EffectTypeSet``).

    >>> allowed = EffectTypeSet()
    >>> class Log(Effect): pass
    >>> allowed.add_type(Log)
    >>> allowed.contains(Log()), allowed.contains(Effect())
    (True, False)
  """

  def __init__(self):
    self._effect_types: tuple = ()

  def add_type(self, effect_type: type) -> None:
    self._effect_types = (*self._effect_types, effect_type)

  def contains(self, effect) -> bool:
    return isinstance(effect, self._effect_types)

  def filter_in(self, effects):
    return [e for e in effects if self.contains(e)]

  def filter_not_in(self, effects):
    return [e for e in effects if not self.contains(e)]


# Effects that libraries declare allowed inside cond/while/scan bodies (JAX
# rejects others there). jaxlite's control flow stages any effect, so the set
# only records what was declared.
control_flow_allowed_effects = EffectTypeSet()


def new_jaxpr_eqn(invars, outvars, primitive, params, effects=frozenset(),
                  source_info=None, ctx=None) -> JaxprEqn:
  """A jaxpr equation ``outvars = primitive[params] invars``.

  ``source_info`` (a ``source_info_util.SourceInfo``: where it was traced,
  which lowering turns into its location) is kept; ``ctx`` is accepted for
  JAX's signature.

    >>> import numpy as np
    >>> from jaxlite.core import Var, ShapedArray
    >>> from jaxlite.lax.transcendental import sin_p
    >>> x, y = Var(ShapedArray((), np.float32)), Var(ShapedArray((), np.float32))
    >>> new_jaxpr_eqn([x], [y], sin_p, {}).primitive
    sin
  """
  return JaxprEqn(list(invars), list(outvars), primitive, dict(params), frozenset(effects),
                  source_info)


def find_top_trace(xs):
  """The trace a primitive applied to ``xs`` would be handed to.

  The highest-level trace among the tracers in ``xs`` and the current dynamic
  (jit) trace; at top level it is the evaluating trace.

    >>> import jaxlite
    >>> type(find_top_trace([1.0])).__name__
    'EvalTrace'
  """
  top = core._thread_state.dynamic_main
  for x in xs:
    if isinstance(x, Tracer) and x._trace.main.level > top.level:
      top = x._trace.main
  return top.trace_type(top)


class OpaqueTraceState:
  """Which transformation is innermost now; only compared for equality."""
  __slots__ = ("_main",)

  def __init__(self, main):
    self._main = main  # a MainTrace: identity is what is compared

  def __eq__(self, other):
    return isinstance(other, OpaqueTraceState) and self._main is other._main

  def __hash__(self):
    return id(self._main)


def get_opaque_trace_state(convention=None) -> OpaqueTraceState:
  """A token for the innermost active transformation (``convention`` is JAX's and unused).

  Two tokens are equal when taken under the same transformation: a library
  uses this to notice that a value made under one ``jit``/``vmap`` is used
  under another.

    >>> import jaxlite
    >>> outer = get_opaque_trace_state()
    >>> seen = []
    >>> _ = jaxlite.vmap(lambda x: seen.append(get_opaque_trace_state() == outer) or x)(
    ...     jaxlite.numpy.ones(2))
    >>> seen, get_opaque_trace_state() == outer
    ([False], True)
  """
  return OpaqueTraceState(core._thread_state.trace_stack[-1])


def mapped_aval(size: int, axis: int | None, aval: ShapedArray) -> ShapedArray:
  """``aval`` seen inside a map over ``axis`` of length ``size`` (the axis removed)."""
  if axis is None:
    return aval
  shape = list(aval.shape)
  if shape[axis] != size:
    raise ValueError(f"mapped axis {axis} of {aval} does not have size {size}")
  del shape[axis]
  return aval.update(shape=tuple(shape))


def unmapped_aval(size: int, axis: int | None, aval: ShapedArray,
                  explicit_mesh_axis=None) -> ShapedArray:
  """The inverse of ``mapped_aval``: ``aval`` with an axis of length ``size`` put at ``axis``."""
  if axis is None:
    return aval
  shape = list(aval.shape)
  shape.insert(axis if axis >= 0 else len(shape) + axis + 1, size)
  return aval.update(shape=tuple(shape))


@contextmanager
def ensure_compile_time_eval():
  """Evaluates operations on concrete values eagerly inside the block, even
  while ``jit`` traces (``jax.ensure_compile_time_eval``); operations on
  tracers are still traced.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> @jaxlite.jit
    ... def f(x):
    ...   with ensure_compile_time_eval():
    ...     y = jnp.arange(3).sum()   # a concrete value, known while tracing
    ...   return x + int(y)
    >>> f(1)
    Array(4, dtype=int32, weak_type=True)
  """
  state = core._thread_state
  previous = state.dynamic_main
  state.dynamic_main = state.trace_stack[0]  # the evaluating trace
  try:
    yield
  finally:
    state.dynamic_main = previous


def valid_jaxtype(x) -> bool:
  """Whether ``x`` can be a traced value (an array, a tracer, a NumPy value, a scalar).

    >>> valid_jaxtype(1.0), valid_jaxtype("a")
    (True, False)
  """
  try:
    core.get_aval(x)
  except TypeError:
    return False
  return True


def concrete_or_error(force, val, context=""):
  """``force(val)`` when ``val``'s value is known at trace time; else JAX's error.

    >>> concrete_or_error(int, 3)
    3
  """
  if force is None:
    force = lambda x: x  # noqa: E731
  if isinstance(val, Tracer):
    value = val._concrete_value()
    if value is None:
      raise core.ConcretizationTypeError(val, context)
    return force(value)
  return force(val)


__all__ = ["Effect", "ensure_compile_time_eval", "new_jaxpr_eqn", "find_top_trace", "OpaqueTraceState", "get_opaque_trace_state",
           "mapped_aval", "unmapped_aval", "valid_jaxtype", "primal_dtype_to_tangent_dtype",
           "concrete_or_error"]
