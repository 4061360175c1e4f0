"""Staging Python functions into jaxprs.

``trace_to_jaxpr_dynamic`` runs a function on ``JaxprTracer``s under a new
*dynamic* main trace: every primitive applied to them, or to constants, is
recorded as an equation instead of being executed. This is how ``jit``,
``make_jaxpr`` and every control-flow primitive obtain their jaxprs.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from jaxlite import core
from jaxlite.core import (ClosedJaxpr, Jaxpr, JaxprEqn, Literal, ShapedArray, Trace,
                          Tracer, Var)


class JaxprTracer(Tracer):
  """A value inside a function being staged out: it knows its type and its variable."""
  __slots__ = ("_aval", "_var")

  def __init__(self, trace, aval, var):
    self._trace = trace
    self._aval = aval
    self._var = var

  @property
  def aval(self):
    return self._aval

  def _origin_msg(self):
    return self._trace.main.global_data.origin_msg(self._var)


class JaxprBuilder:
  """The equations, inputs and constants of the jaxpr being staged."""

  def __init__(self, debug_info=None):
    self.eqns: list[JaxprEqn] = []
    self.invars: list[Var] = []
    self.constvar_to_val: dict[Var, object] = {}
    self.const_tracers: dict[int, JaxprTracer] = {}
    self.debug_info = debug_info    # (function name, argument names, transformation)
    self.arg_names: dict[Var, str] = {}

  def add_eqn(self, eqn):
    self.eqns.append(eqn)

  def origin_msg(self, var) -> str:
    """Explains which argument a traced value depends on (for concretization errors)."""
    if self.debug_info is None:
      return ""
    fun_name, _, transform = self.debug_info
    producers = {}
    for eqn in self.eqns:
      for v in eqn.outvars:
        producers[v] = eqn
    deps, stack, seen = [], [var], set()
    while stack:
      v = stack.pop()
      if v in seen or type(v) is Literal:
        continue
      seen.add(v)
      if v in self.arg_names:
        deps.append(self.arg_names[v])
      elif v in producers:
        stack.extend(producers[v].invars)
    msg = f"The error occurred while tracing the function {fun_name} for {transform}."
    if deps:
      names = ", ".join(sorted(set(deps)))
      plural = "s" if len(set(deps)) > 1 else ""
      msg += (f" This concrete value was not available in Python because it depends on "
              f"the value of the argument{plural} {names}.")
      if transform == "jit":
        msg += (" If that argument is a static value (e.g. a Python int or bool used for "
                "control flow or a shape), mark it with `static_argnums` or "
                "`static_argnames` in `jit`.")
    return msg

  def to_jaxpr(self, out_tracers, trace) -> tuple[Jaxpr, list]:
    outvars = [trace.full_raise(t)._var for t in out_tracers]
    constvars, constvals = [], []
    for var, val in self.constvar_to_val.items():
      constvars.append(var)
      constvals.append(val)
    jaxpr = Jaxpr(constvars, self.invars, outvars, self.eqns, _effects_of(self.eqns))
    return jaxpr, constvals


def _effects_of(eqns):
  effects = set()
  for eqn in eqns:
    effects |= eqn.effects
  return frozenset(effects)


def _is_literalable(val):
  if type(val) in (int, float, bool, complex):
    return True
  return isinstance(val, (np.generic, np.ndarray)) and np.ndim(val) == 0


class DynamicJaxprTrace(Trace):
  """Records primitives into the builder held by its main trace."""
  __slots__ = ()

  @property
  def builder(self) -> JaxprBuilder:
    return self.main.global_data

  def new_arg(self, aval, name=None) -> JaxprTracer:
    var = Var(aval)
    self.builder.invars.append(var)
    if name is not None:
      self.builder.arg_names[var] = name
    return JaxprTracer(self, aval, var)

  def pure(self, val):
    builder = self.builder
    tracer = builder.const_tracers.get(id(val))
    if tracer is not None:
      return tracer
    aval = core.raise_to_shaped(core.get_aval(val))
    if _is_literalable(val):
      var = Literal(_literal_value(val, aval), aval)
    else:
      var = Var(aval)
      builder.constvar_to_val[var] = val
    tracer = JaxprTracer(self, aval, var)
    builder.const_tracers[id(val)] = tracer
    # Keep `val` alive so that its id is not reused while this trace is alive.
    builder.const_tracers[id(tracer)] = (tracer, val)
    return tracer

  lift = pure

  def process_primitive(self, primitive, tracers, params):
    avals_in = [t._aval for t in tracers]
    out = primitive.abstract_eval(*avals_in, **params)
    effects = frozenset()
    if getattr(primitive, "effects_rule", None) is not None:
      effects = primitive.effects_rule(*avals_in, **params)
    avals_out = out if primitive.multiple_results else [out]
    out_tracers = [JaxprTracer(self, core.raise_to_shaped(a), Var(core.raise_to_shaped(a)))
                   for a in avals_out]
    self.builder.add_eqn(JaxprEqn(primitive, [t._var for t in tracers],
                                  [t._var for t in out_tracers], params, effects))
    return out_tracers if primitive.multiple_results else out_tracers[0]


def _literal_value(val, aval):
  if isinstance(val, np.ndarray):
    return np.asarray(val, aval.dtype)[()]
  if isinstance(val, np.generic):
    return np.asarray(val, aval.dtype)[()]
  return val


def trace_to_jaxpr_dynamic(fun: Callable, in_avals: Sequence[ShapedArray],
                           debug_info=None, arg_names=None):
  """Stages ``fun`` (taking and returning flat lists of arrays) into a jaxpr.

  Returns ``(jaxpr, out_avals, consts)``; ``consts`` are the values of
  ``jaxpr.constvars`` (arrays closed over, or tracers of enclosing traces).
  """
  builder = JaxprBuilder(debug_info)
  with core.new_main(DynamicJaxprTrace, builder, dynamic=True) as main:
    trace = DynamicJaxprTrace(main)
    names = arg_names or [None] * len(in_avals)
    in_tracers = [trace.new_arg(aval, name) for aval, name in zip(in_avals, names)]
    outs = fun(*in_tracers)
    jaxpr, consts = builder.to_jaxpr(outs, trace)
  return jaxpr, [v.aval for v in jaxpr.outvars], consts


def convert_constvars_jaxpr(jaxpr: Jaxpr) -> Jaxpr:
  """Turns constants into leading inputs: ``{consts; args}`` -> ``{; consts, args}``."""
  return jaxpr.replace(constvars=[], invars=jaxpr.constvars + jaxpr.invars)


def close_jaxpr(jaxpr: Jaxpr) -> ClosedJaxpr:
  return ClosedJaxpr(jaxpr, [])


def dce_jaxpr(jaxpr: Jaxpr, used_outputs: Sequence[bool] | None = None,
              instantiate=False) -> tuple[Jaxpr, list[bool]]:
  """Removes equations whose results are unused. Returns (jaxpr, used_inputs)."""
  if used_outputs is None:
    used_outputs = [True] * len(jaxpr.outvars)
  outvars = [v for v, used in zip(jaxpr.outvars, used_outputs) if used]
  live = {v for v in outvars if type(v) is Var}
  new_eqns = []
  for eqn in reversed(jaxpr.eqns):
    if eqn.effects or any(v in live for v in eqn.outvars):
      new_eqns.append(eqn)
      live.update(v for v in eqn.invars if type(v) is not Literal)
  new_eqns.reverse()
  used_inputs = [v in live for v in jaxpr.invars]
  if instantiate:
    invars = jaxpr.invars
  else:
    invars = [v for v, used in zip(jaxpr.invars, used_inputs) if used]
  return jaxpr.replace(invars=invars, outvars=outvars, eqns=new_eqns), used_inputs
