"""Staging Python functions into jaxprs.

``trace_to_jaxpr_dynamic`` runs a function on ``JaxprTracer``s under a new
*dynamic* main trace: every primitive applied to them, or to constants, is
recorded as an equation instead of being executed. This is how ``jit``,
``make_jaxpr`` and every control-flow primitive obtain their jaxprs.
"""
from __future__ import annotations

import operator
from typing import Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import core, source_info_util
from jaxlite.config import check_tracer_leaks
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

  def _short_repr(self):
    return f"JitTracer({self._aval})"


class JaxprBuilder:
  """The equations, inputs and constants of the jaxpr being staged."""

  def __init__(self, debug_info=None):
    self.eqns: list[JaxprEqn] = []
    self.invars: list[Var] = []
    self.constvar_to_val: dict[Var, object] = {}
    self.const_tracers: dict[int, JaxprTracer] = {}
    self.debug_info = debug_info    # (function name, argument names, transformation)
    self.arg_names: dict[Var, str] = {}
    # Equations record the name stack below the depth the trace began at (JAX's rule).
    self.name_depth = len(source_info_util.current_name_stack())

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
  return isinstance(val, (np.generic, np.ndarray)) and val.ndim == 0


# NumPy scalar type -> the type of its values in a jaxpr, for the dtypes that
# canonicalisation leaves alone with x64 on or off: such a scalar is a literal
# of itself (``x * np.float32(2)`` stages ``mul a 2.0:f32[]``).
_stable_scalar_avals = {t: ShapedArray((), np.dtype(t)) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32,
    np.float16, np.float32, np.complex64)}


# primitive -> rule(trace, tracers, **params) -> the outputs without recording an
# equation (an input forwarded, a literal computed on the host), or None to record
# it. JAX stages `convert_element_type` of a Python scalar as a typed literal and
# drops a conversion that changes nothing; these rules make the jaxprs the same.
staging_folds: dict = {}

# Set by jaxlite.interpreters.vma while a checked shard_map body is traced: a
# function staging a primitive with JAX's varying-manual-axes types.
vma_typing = None


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
    aval = _stable_scalar_avals.get(type(val))
    if aval is not None:
      return JaxprTracer(self, aval, Literal(val, aval))
    builder = self.builder
    tracer = builder.const_tracers.get(id(val))
    if tracer is not None:
      return tracer
    aval = core.raise_to_shaped(core.get_aval(val))
    if _is_literalable(val):
      # A literal is its value: nothing to share with other uses of ``val``.
      return JaxprTracer(self, aval, Literal(_literal_value(val, aval), aval))
    var = Var(aval)
    builder.constvar_to_val[var] = val
    tracer = JaxprTracer(self, aval, var)
    builder.const_tracers[id(val)] = tracer
    # Keep `val` alive so that its id is not reused while this trace is alive.
    builder.const_tracers[id(tracer)] = (tracer, val)
    return tracer

  lift = pure

  def process_primitive(self, primitive, tracers, params):
    fold = staging_folds.get(primitive)
    if fold is not None:
      folded = fold(self, tracers, **params)
      if folded is not None:
        return folded
    if vma_typing is not None:   # inside a checked shard_map body
      return vma_typing(self, primitive, tracers, params)
    return self.stage_primitive(primitive, tracers, params)

  def stage_primitive(self, primitive, tracers, params, vma=None):
    """Records ``primitive``; ``vma`` (a set for every result, one per result,
    or a function of the result types) types the results inside shard_map."""
    avals_in = list(map(_aval_of, tracers))
    out = primitive.abstract_eval(*avals_in, **params)
    effects_rule = primitive.effects_rule
    effects = _NO_EFFECTS if effects_rule is None else effects_rule(*avals_in, **params)
    if vma is None and not primitive.multiple_results:
      # One result (nearly every primitive): no lists to build and take apart.
      aval = out if type(out) is ShapedArray else core.raise_to_shaped(out)
      var = Var(aval)
      builder = self.builder
      builder.eqns.append(JaxprEqn(list(map(_var_of, tracers)), [var], primitive, params,
                                   effects, _source_info(builder.name_depth)))
      return JaxprTracer(self, aval, var)
    avals_out = [core.raise_to_shaped(a)
                 for a in (out if primitive.multiple_results else [out])]
    if vma is not None:
      vma = vma(avals_out) if callable(vma) else vma
      vma = [vma] * len(avals_out) if isinstance(vma, frozenset) else vma
      avals_out = [a.update(vma=v) if isinstance(a, core.ShapedArray) and a.vma != v else a
                   for a, v in zip(avals_out, vma)]
    out_tracers = [JaxprTracer(self, a, Var(a)) for a in avals_out]
    self.builder.add_eqn(JaxprEqn([t._var for t in tracers], [t._var for t in out_tracers],
                                  primitive, params, effects,
                                  _source_info(self.builder.name_depth)))
    return out_tracers if primitive.multiple_results else out_tracers[0]


_aval_of = operator.attrgetter("_aval")
_source_info = source_info_util.current_from
_var_of = operator.attrgetter("_var")
_NO_EFFECTS = frozenset()


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
  # A staged function's names and tracebacks start afresh (JAX's rule): its
  # equations' tracebacks hold the frames below this call only, and whoever
  # calls it (jit's equation, a lowering) puts them under its own.
  with source_info_util.reset_name_stack(), source_info_util.traceback_scope():
    return _trace_to_jaxpr_dynamic(fun, in_avals, debug_info, arg_names)


def _trace_to_jaxpr_dynamic(fun, in_avals, debug_info, arg_names):
  builder = JaxprBuilder(debug_info)
  with core.new_main(DynamicJaxprTrace, builder, dynamic=True) as main:
    trace = DynamicJaxprTrace(main)
    names = arg_names or [None] * len(in_avals)
    in_tracers = [trace.new_arg(aval, name) for aval, name in zip(in_avals, names)]
    outs = fun(*in_tracers)
    jaxpr, consts = builder.to_jaxpr(outs, trace)
    del in_tracers, outs
  if check_tracer_leaks.value:
    builder.const_tracers.clear()   # the builder's own references are no leak
    _raise_if_leaked(trace)
  return jaxpr, [v.aval for v in jaxpr.outvars], consts


def _raise_if_leaked(trace):
  """JAX's ``jax_check_tracer_leaks``: a tracer of the finished ``trace``
  still referenced from outside (e.g. appended to a global list) is an error."""
  import gc  # pylint: disable=g-import-not-at-top  (only with the check on)
  gc.collect()
  # A Trace object is made per operation; all of them share the trace's main.
  traces = [r for r in gc.get_referrers(trace.main) if isinstance(r, core.Trace)]
  leaked = [r for r in gc.get_referrers(*traces) if isinstance(r, core.Tracer)]
  if leaked:
    details = "".join(f"\n{t!r}\n{t._origin_msg()}\n" for t in leaked)
    raise Exception(  # pylint: disable=broad-exception-raised  (JAX's type)
        f"Leaked trace {type(trace).__name__}. Leaked tracer(s):\n{details}")


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
      eqn = _dce_rewrite(eqn, live)
      new_eqns.append(eqn)
      live.update(v for v in eqn.invars if type(v) is not Literal)
  new_eqns.reverse()
  used_inputs = [v in live for v in jaxpr.invars]
  if instantiate:
    invars = jaxpr.invars
  else:
    invars = [v for v, used in zip(jaxpr.invars, used_inputs) if used]
  return jaxpr.replace(invars=invars, outvars=outvars, eqns=new_eqns), used_inputs


# primitive -> rule(used_outputs, eqn) -> eqn: a cheaper equation for the outputs
# still used (custom_vjp(optimize_remat=True) drops its residual computation).
dce_rules: dict = {}


def _dce_rewrite(eqn, live):
  rule = dce_rules.get(eqn.primitive)
  if rule is None:
    return eqn
  return rule([v in live for v in eqn.outvars], eqn)


def prune_constvars(jaxpr: Jaxpr, consts: Sequence) -> tuple[Jaxpr, list]:
  """Drops constvars that no equation or output reads."""
  used = {a for eqn in jaxpr.eqns for a in eqn.invars if type(a) is not Literal}
  used.update(v for v in jaxpr.outvars if type(v) is not Literal)
  keep = [(v, c) for v, c in zip(jaxpr.constvars, consts) if v in used]
  return jaxpr.replace(constvars=[v for v, _ in keep]), [c for _, c in keep]


def closed_call_jaxpr(jaxpr: Jaxpr, consts: Sequence) -> ClosedJaxpr:
  """A ClosedJaxpr for a call primitive's parameter, its unused constants pruned."""
  jaxpr, consts = prune_constvars(jaxpr, consts)
  return ClosedJaxpr(jaxpr, consts)


def device_put_const(c):
  """A host constant captured as a residual becomes a device array once."""
  if isinstance(c, Tracer) or type(c) in (int, float, bool, complex):
    return c
  from jaxlite.runtime.array import Array
  if isinstance(c, Array):
    return c
  from jaxlite.runtime import transfer
  aval = core.get_aval(c)
  return transfer.put_numpy(np.asarray(c, aval.dtype), None, aval.weak_type)


# ---------------------------------------------------------------------------
# Partial evaluation: the known/unknown split
# ---------------------------------------------------------------------------
#
# ``JaxprTrace`` runs a function whose inputs are partly *known* (concrete
# values, or tracers of enclosing transformations) and partly *unknown*
# (only their types). Known values never reach this trace: a primitive whose
# operands are all known is bound below it and computed now. A primitive with
# an unknown operand is recorded into a jaxpr, and the known values it reads
# become that jaxpr's constants (the *residuals*). Composed with the JVP
# interpreter (primals known, tangents unknown) this splits a JVP into the
# primal computation, done now, and a linear jaxpr of the tangent part: that
# is ``linearize``.
#
# Call primitives (jit, checkpoint, custom rules) register a rule in
# ``partial_eval_rules`` that splits their jaxpr in two, so that the known
# half runs now and only the unknown half is staged.


class PartialVal(NamedTuple):
  """A value that is either known (``const``) or unknown (only ``aval``).

  Example:
    >>> PartialVal.unknown(ShapedArray((), np.float32)).is_known
    False
  """
  aval: ShapedArray | None
  const: object

  @classmethod
  def known(cls, val) -> "PartialVal":
    return PartialVal(None, val)

  @classmethod
  def unknown(cls, aval) -> "PartialVal":
    return PartialVal(aval, None)

  @property
  def is_known(self) -> bool:
    return self.aval is None

  def get_aval(self) -> ShapedArray:
    if self.aval is not None:
      return self.aval
    return core.raise_to_shaped(core.get_aval(self.const))


# primitive -> rule(trace, tracers, **params) -> outputs (known values or tracers)
partial_eval_rules: dict = {}


class JaxprTrace(DynamicJaxprTrace):
  """Records the unknown part of a computation; the known part runs below it.

  Unlike ``DynamicJaxprTrace`` it is not the dynamic trace: a primitive applied
  only to known values is not seen here at all.
  """
  __slots__ = ()

  def is_known(self, tracer) -> bool:
    var = tracer._var
    return type(var) is Literal or var in self.builder.constvar_to_val

  def known_value(self, tracer):
    var = tracer._var
    if type(var) is Literal:
      return var.val
    return self.builder.constvar_to_val[var]

  def process_primitive(self, primitive, tracers, params):
    rule = partial_eval_rules.get(primitive)
    if rule is not None:
      if all(self.is_known(t) for t in tracers):
        return primitive.bind(*[self.known_value(t) for t in tracers], **params)
      return rule(self, tracers, **params)
    return DynamicJaxprTrace.process_primitive(self, primitive, tracers, params)

  def stage(self, primitive, tracers, params):
    """Records ``primitive`` applied to ``tracers`` (no partial-eval rule)."""
    return DynamicJaxprTrace.process_primitive(self, primitive, tracers, params)


def trace_to_jaxpr_partial(fun: Callable, in_pvals: Sequence[PartialVal],
                           instantiate=False):
  """Partially evaluates ``fun`` (flat list in, flat list out).

  Returns ``(jaxpr, out_pvals, consts)``: ``jaxpr`` takes the unknown inputs
  (its constvars are the residuals ``consts``) and returns the outputs that
  are unknown (or instantiated, by ``instantiate``: a bool or one per output);
  ``out_pvals`` gives the known outputs' values.

  Example:
    >>> from jaxlite import lax
    >>> jaxpr, pvals, _ = trace_to_jaxpr_partial(
    ...     lambda x, y: [lax.mul(lax.sin(x), y)],
    ...     [PartialVal.known(1.0), PartialVal.unknown(ShapedArray((), np.float32))])
    >>> [e.primitive.name for e in jaxpr.eqns]
    ['mul']
  """
  builder = JaxprBuilder()
  with core.new_main(JaxprTrace, builder) as main:
    trace = JaxprTrace(main)
    args = [pv.const if pv.is_known else trace.new_arg(pv.aval) for pv in in_pvals]
    outs = list(fun(*args))
    if isinstance(instantiate, bool):
      instantiate = [instantiate] * len(outs)
    out_pvals, staged = [], []
    for o, inst in zip(outs, instantiate):
      is_unknown = isinstance(o, Tracer) and o._trace.main is main
      if is_unknown or inst:
        staged.append(o)
        out_pvals.append(PartialVal.unknown(core.raise_to_shaped(core.get_aval(o))))
      else:
        out_pvals.append(PartialVal.known(o))
    jaxpr, consts = builder.to_jaxpr(staged, trace)
  jaxpr, _ = dce_jaxpr(jaxpr, instantiate=True)
  jaxpr, consts = prune_constvars(jaxpr, consts)
  return jaxpr, out_pvals, consts


def trace_to_jaxpr_nounits(fun: Callable, pvals: Sequence[PartialVal], instantiate=False):
  """JAX's name for ``trace_to_jaxpr_partial`` (libraries built on JAX's
  internals, such as flax's ``nn.scan`` and ``lazy_init``, call it); ``fun``
  may be a ``linear_util.WrappedFun``. Returns ``(jaxpr, out_pvals, consts)``.

  Example:
    >>> _, out, _ = trace_to_jaxpr_nounits(lambda x: [x * 2], [PartialVal.known(3.0)])
    >>> out
    [PartialVal(aval=None, const=6.0)]
  """
  return trace_to_jaxpr_partial(fun, list(pvals), instantiate)


# --- partial evaluation of jaxprs, with a policy for residuals -----------------------------


def everything_saveable(*_, **__) -> bool:
  return True


def nothing_saveable(*_, **__) -> bool:
  return False


# primitive -> rule(eqn, unknowns, saveable) -> (eqn_known | None, eqn_staged,
#                                                out_unknowns, residual_vars)
partial_eval_jaxpr_custom_rules: dict = {}


def partial_eval_jaxpr_custom(jaxpr: Jaxpr, in_unknowns: Sequence[bool],
                              saveable: Callable) -> tuple[Jaxpr, Jaxpr, list[bool], int]:
  """Splits ``jaxpr`` (no constvars) into a known and a staged jaxpr.

  ``saveable(primitive, *avals, **params)`` says whether the output of a known
  equation may be stored as a residual; an equation whose output may not is
  also copied into the staged jaxpr, which recomputes it (``checkpoint``).

  Returns ``(jaxpr_known, jaxpr_staged, out_unknowns, num_res)``:
  ``jaxpr_known`` maps the known inputs to the known outputs followed by
  ``num_res`` residuals; ``jaxpr_staged`` maps the residuals followed by the
  unknown inputs to the unknown outputs.
  """
  if jaxpr.constvars:
    raise ValueError("partial_eval_jaxpr_custom expects a jaxpr without constvars")
  unknown = {v for v, u in zip(jaxpr.invars, in_unknowns) if u}
  known_eqns, staged_eqns = [], []
  for eqn in jaxpr.eqns:
    unks = [type(a) is not Literal and a in unknown for a in eqn.invars]
    if any(unks):
      rule = partial_eval_jaxpr_custom_rules.get(eqn.primitive)
      if rule is None:
        staged_eqns.append(eqn)
        unknown.update(eqn.outvars)
      else:
        eqn_known, eqn_staged, out_unks, _ = rule(eqn, unks, saveable)
        if eqn_known is not None:
          known_eqns.append(eqn_known)
        staged_eqns.append(eqn_staged)
        unknown.update(v for v, u in zip(eqn.outvars, out_unks) if u)
    else:
      known_eqns.append(eqn)
      if not eqn.effects and not saveable(eqn.primitive, *[a.aval for a in eqn.invars],
                                          **eqn.params):
        staged_eqns.append(eqn)   # recomputed where it is needed
  out_unknowns = [type(v) is not Literal and v in unknown for v in jaxpr.outvars]
  staged_outs = [v for v, u in zip(jaxpr.outvars, out_unknowns) if u]
  staged_eqns, free = _dce_eqns(staged_eqns, staged_outs)
  unknown_ins = [v for v, u in zip(jaxpr.invars, in_unknowns) if u]
  unknown_in_set = set(unknown_ins)
  residuals = [v for v in free if v not in unknown_in_set]
  jaxpr_staged = Jaxpr([], residuals + unknown_ins, staged_outs, staged_eqns,
                       _effects_of(staged_eqns))
  known_outs = [v for v, u in zip(jaxpr.outvars, out_unknowns) if not u] + residuals
  known_eqns, _ = _dce_eqns(known_eqns, known_outs)
  known_ins = [v for v, u in zip(jaxpr.invars, in_unknowns) if not u]
  jaxpr_known = Jaxpr([], known_ins, known_outs, known_eqns, _effects_of(known_eqns))
  return jaxpr_known, jaxpr_staged, out_unknowns, len(residuals)


def _dce_eqns(eqns, outvars):
  """Live equations for ``outvars`` and the variables they read but do not
  define (in first-use order)."""
  live = {v for v in outvars if type(v) is not Literal}
  kept = []
  for eqn in reversed(eqns):
    if eqn.effects or any(v in live for v in eqn.outvars):
      eqn = _dce_rewrite(eqn, live)
      kept.append(eqn)
      live.update(a for a in eqn.invars if type(a) is not Literal)
  kept.reverse()
  defined, free, seen = set(), [], set()
  for eqn in kept:
    for a in eqn.invars:
      if type(a) is not Literal and a not in defined and a not in seen:
        seen.add(a)
        free.append(a)
    defined.update(eqn.outvars)
  for v in outvars:
    if type(v) is not Literal and v not in defined and v not in seen:
      seen.add(v)
      free.append(v)
  return kept, free


def call_partial_eval_custom_rule(jaxpr_param: str, staged_params=None):
  """The ``partial_eval_jaxpr_custom`` rule of a call primitive whose closed
  jaxpr is the parameter ``jaxpr_param``: splits the callee recursively."""
  def rule(eqn, unknowns, saveable):
    closed = eqn.params[jaxpr_param]
    inner = convert_constvars_jaxpr(closed.jaxpr)
    n_consts = len(closed.consts)
    known, staged, out_unks, num_res = partial_eval_jaxpr_custom(
        inner, [False] * n_consts + list(unknowns), saveable)
    res_vars = [Var(v.aval) for v in known.outvars[len(known.outvars) - num_res:]]
    known_outvars = [v for v, u in zip(eqn.outvars, out_unks) if not u] + res_vars
    params_known = dict(eqn.params, **{jaxpr_param: reclose(known, closed.consts)})
    if "donated_invars" in params_known:
      params_known["donated_invars"] = ()
    eqn_known = JaxprEqn([a for a, u in zip(eqn.invars, unknowns) if not u], known_outvars,
                         eqn.primitive, params_known, eqn.effects)
    params_staged = dict(eqn.params, **{jaxpr_param: ClosedJaxpr(staged, ())})
    if "donated_invars" in params_staged:
      params_staged["donated_invars"] = ()
    if staged_params:
      params_staged.update(staged_params)
    eqn_staged = JaxprEqn(res_vars + [a for a, u in zip(eqn.invars, unknowns) if u],
                          [v for v, u in zip(eqn.outvars, out_unks) if u],
                          eqn.primitive,
                          params_staged, eqn.effects)
    return eqn_known, eqn_staged, out_unks, res_vars
  return rule


def reclose(jaxpr: Jaxpr, consts: Sequence) -> ClosedJaxpr:
  """Turns the first ``len(consts)`` inputs of ``jaxpr`` back into constvars."""
  n = len(consts)
  if not n:
    return ClosedJaxpr(jaxpr, ())
  return ClosedJaxpr(jaxpr.replace(constvars=jaxpr.invars[:n], invars=jaxpr.invars[n:]),
                     consts)
