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

import contextlib
import weakref
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import core, dtypes, source_info_util
from jaxlite.core import Literal, ShapedArray, Trace, Tracer

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
  """Tangents of integer and boolean values are float0; of floats, the same type
  (the dtype rule is ``core.primal_dtype_to_tangent_dtype``'s). Unlike
  ``to_tangent_aval``, without the sharding in the type, and float0 is strong."""
  if not isinstance(aval, ShapedArray):   # a ref's tangent is a ref (jaxlite.state)
    return aval.to_tangent_aval()
  dtype = core.primal_dtype_to_tangent_dtype(aval.dtype)
  if dtype is aval.dtype:   # inexact: the same dtype object comes back
    return ShapedArray(aval.shape, dtype, aval.weak_type, vma=aval.vma)
  return ShapedArray(aval.shape, dtype, vma=aval.vma)


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
  if aval.dtype == dtypes.float0:
    return np.zeros(aval.shape, dtypes.float0)   # float0 lives on the host, as in JAX
  # A weakly typed zero, broadcast, when the aval is weak (as JAX's zeros).
  from jaxlite.lax import structural
  zero = structural._convert_element_type(0, aval.dtype, aval.weak_type)
  return structural.broadcast(zero, aval.shape)


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
  ax, ay = core.get_aval(x), core.get_aval(y)
  if ax.shape == ay.shape and ax.dtype == ay.dtype:
    from jaxlite.lax.add_any import add_any   # JAX sums tangents with add_any
    return add_any(x, y)
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


# --- forward mode: the JVP interpreter -------------------------------------------------


class JVPTracer(Tracer):
  """A value being differentiated in forward mode: a primal and its tangent.

  The tangent may be a symbolic ``Zero``; such a tracer lowers to its primal, so
  values that do not depend on the differentiated inputs cost nothing.
  """
  __slots__ = ("primal", "tangent")

  def __init__(self, trace, primal, tangent):
    self._trace = trace
    self.primal = primal
    self.tangent = tangent

  @property
  def aval(self):
    return core.get_aval(self.primal)

  def full_lower(self):
    if type(self.tangent) is Zero:
      return core.full_lower(self.primal)
    return self

  def _short_repr(self):
    # Under grad/linearize the tangent is being staged (a tracer of the partial
    # evaluation trace): JAX calls such a tracer a GradTracer and shows only the
    # tangent's type.
    primal = _tracer_text(self.primal)
    tangent = self.tangent
    if _is_staged_tangent(tangent):
      return f"GradTracer(primal={primal}, typeof(tangent)={tangent.aval.str_short(True)})"
    return f"JVPTracer(primal={primal}, tangent={_tracer_text(tangent)})"

  def _concrete_value(self):
    # Python control flow on a differentiated value works when its primal is
    # concrete (eager grad), as in JAX.
    p = self.primal
    if isinstance(p, Tracer):
      return p._concrete_value()
    return p


def _tracer_text(x):
  return x._short_repr() if isinstance(x, Tracer) else str(x)


def _is_staged_tangent(tangent):
  from jaxlite.interpreters import partial_eval as pe
  return isinstance(tangent, pe.JaxprTracer) and type(tangent._trace) is pe.JaxprTrace


class JVPTrace(Trace):
  """Interprets each primitive by its JVP rule, on (primal, tangent) pairs."""
  __slots__ = ()

  def pure(self, val):
    return JVPTracer(self, val, Zero.from_value(val))

  lift = pure

  def process_primitive(self, primitive, tracers, params):
    primals = [t.primal for t in tracers]
    tangents = [t.tangent for t in tracers]
    if all(type(t) is Zero for t in tangents):
      # Nothing to differentiate (e.g. a tangent that was instantiated as Zero).
      return primitive.bind(*primals, **params)
    rule = primitive_jvps.get(primitive)
    if rule is None:
      # JAX traces library functions under jit first, so an operand type error
      # (e.g. nextafter of complex) is raised before the missing rule.
      primitive.abstract_eval(*[core.get_aval(p) for p in primals], **params)
      raise NotImplementedError(
          f"Differentiation rule for '{primitive}' not implemented "
          "(transformation: jvp)")
    primal_out, tangent_out = rule(primals, tangents, **params)
    if primitive.multiple_results:
      return [JVPTracer(self, p, t) for p, t in zip(primal_out, tangent_out)]
    return JVPTracer(self, primal_out, tangent_out)


def jvp_flat(fun: Callable, primals: Sequence, tangents: Sequence, transform_stack=True):
  """Runs ``fun`` (flat list in, flat list out) on primal/tangent pairs.

  ``tangents`` may hold symbolic ``Zero``s; float0 tangents count as zeros.
  Returns ``(primals_out, tangents_out)``, tangents possibly ``Zero``.
  ``transform_stack``: what it stages is named under ``jvp`` (not for the JVP
  of a jaxpr, whose caller's equation carries the name, as in JAX).
  """
  names = (source_info_util.transform_name_stack("jvp") if transform_stack
           else contextlib.nullcontext())
  with core.new_main(JVPTrace) as main, names:
    trace = JVPTrace(main)
    args = []
    for p, t in zip(primals, tangents):
      if type(t) is Zero or _is_float0(t):
        args.append(p)   # a zero tangent: the primal itself stands for the pair
      else:
        args.append(JVPTracer(trace, _scalar_as_array(p), t))
    outs = fun(*args)
    out_primals, out_tangents = [], []
    for o in outs:
      t = trace.full_raise(o)
      out_primals.append(t.primal)
      out_tangents.append(t.tangent)
  return out_primals, out_tangents


def _scalar_as_array(x):
  """A differentiated Python scalar as a (weakly typed) array: rules and custom
  derivatives then see ``shape`` and ``dtype`` on every primal, as JAX's
  typed scalars have them."""
  if type(x) in (int, float, complex):
    from jaxlite.runtime.transfer import device_put
    return device_put(x)
  return x


def _is_float0(x):
  return getattr(x, "dtype", None) == dtypes.float0


def jvp_jaxpr(closed_jaxpr: core.ClosedJaxpr, nonzeros: Sequence[bool],
              instantiate) -> tuple[core.ClosedJaxpr, list[bool]]:
  """The JVP of a closed jaxpr as a closed jaxpr without constants.

  The result takes ``primals + [tangent for each nonzero input]`` and returns
  ``primals_out + [tangent for each nonzero output]``; ``instantiate`` (bool
  or one per output) forces an output tangent to be materialised. Returns
  the jaxpr and which output tangents are nonzero. Cached per jaxpr.
  """
  nonzeros = tuple(bool(n) for n in nonzeros)
  n_out = len(closed_jaxpr.out_avals)
  inst = tuple(instantiate) if isinstance(instantiate, (list, tuple)) else \
      (bool(instantiate),) * n_out
  key = (nonzeros, inst)
  per_jaxpr = _jvp_jaxpr_cache.setdefault(closed_jaxpr, {})
  hit = per_jaxpr.get(key)
  if hit is not None:
    return hit
  in_avals = closed_jaxpr.in_avals
  n = len(in_avals)
  t_avals = [tangent_aval(a) for a, nz in zip(in_avals, nonzeros) if nz]
  out_nonzeros = []

  def jvp_fun(*args):
    primals, nz_tangents = args[:n], iter(args[n:])
    tangents = [next(nz_tangents) if nz else Zero(tangent_aval(a))
                for a, nz in zip(in_avals, nonzeros)]
    outs_p, outs_t = jvp_flat(partial(core.eval_jaxpr, closed_jaxpr.jaxpr,
                                      closed_jaxpr.consts), primals, tangents,
                              transform_stack=False)
    outs_t = [instantiate_zeros(t) if i else t for t, i in zip(outs_t, inst)]
    out_nonzeros[:] = [type(t) is not Zero for t in outs_t]
    return list(outs_p) + [t for t in outs_t if type(t) is not Zero]

  from jaxlite.interpreters import partial_eval as pe
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(jvp_fun, list(in_avals) + t_avals)
  out = (pe.closed_call_jaxpr(jaxpr, consts), list(out_nonzeros))
  # A thread that lost a race adopts the winner's jaxpr: one jaxpr, one compile.
  return per_jaxpr.setdefault(key, out)


_jvp_jaxpr_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


# --- linearize: JVP + partial evaluation -------------------------------------------------


def linearize_flat(fun: Callable, primals: Sequence, has_aux=False):
  """Runs the primal computation of ``fun`` now and stages its tangent part.

  ``fun`` maps a flat list to a flat list (with ``has_aux``: a pair of the flat
  outputs and an auxiliary pytree). Returns ``(primals_out, linear_jaxpr,
  consts, aux)``: ``linear_jaxpr`` (constvars = ``consts``, the residuals)
  maps input tangents to output tangents and holds only the linear part.
  """
  from jaxlite.interpreters import partial_eval as pe
  in_avals = [core.raise_to_shaped(core.get_aval(p)) for p in primals]
  builder = pe.JaxprBuilder()
  aux_box = []
  with core.new_main(pe.JaxprTrace, builder) as pe_main:
    pe_trace = pe.JaxprTrace(pe_main)
    tangents = [pe_trace.new_arg(tangent_aval(a)) for a in in_avals]
    # Tangents of integer inputs are float0: symbolic zeros, never staged.
    tangents = [Zero(t.aval) if t.aval.dtype == dtypes.float0 else t for t in tangents]

    def primal_fun(*xs):
      out = fun(*xs)
      if has_aux:
        out, aux = out
        aux_box.append(aux)
      return out
    out_primals, out_tangents = jvp_flat(primal_fun, primals, tangents)
    for p in out_primals:
      if isinstance(p, Tracer) and p._trace.main is pe_main:
        # JAX's error: an operation (custom_vmap, ...) with no reverse-mode rule.
        raise ValueError(
            "Linearization failed to produce known values for all output primals. "
            "This is typically caused by attempting to differentiate a function uses "
            "an operation that does not support reverse-mode autodiff.")
    out_tangents = [instantiate_zeros(t) for t in out_tangents]
    if has_aux:
      aux = aux_box[0]
      _check_no_escaped_tangent(aux, pe_main)
    jaxpr, consts = builder.to_jaxpr(out_tangents, pe_trace)
  if jaxpr.effects:   # tangent refs (jaxlite.state) become values: transposable
    jaxpr, consts = core.discharge_effects(jaxpr, consts)
  jaxpr, _ = pe.dce_jaxpr(jaxpr, instantiate=True)
  jaxpr, consts = pe.prune_constvars(jaxpr, consts)
  consts = [pe.device_put_const(c) for c in consts]
  return out_primals, jaxpr, consts, (aux_box[0] if has_aux else None)


def _check_no_escaped_tangent(aux, main):
  from jaxlite import tree_util
  for leaf in tree_util.tree_leaves(aux):
    if isinstance(leaf, Tracer) and leaf._trace.main is main:
      raise TypeError("The auxiliary output of a function being differentiated "
                      "depends on the differentiated inputs; wrap it in stop_gradient.")


# --- reverse mode: transposition ----------------------------------------------------------


def backward_pass(jaxpr: core.Jaxpr, consts: Sequence, primals_in: Sequence,
                  cotangents_out: Sequence, transform_stack=True) -> list:
  """Transposes ``jaxpr`` with respect to its ``UndefinedPrimal`` inputs.

  Equations that do not depend on an undefined input (e.g. values recomputed
  by ``checkpoint``) are evaluated forward first; the linear ones are then
  transposed in reverse order, accumulating cotangents. Returns one cotangent
  per input (``Zero`` where there is none; ``None`` for defined inputs).
  """
  primal_env = {}
  linear = set()
  for v, c in zip(jaxpr.constvars, consts):
    primal_env[v] = c
  for v, x in zip(jaxpr.invars, primals_in):
    if type(x) is UndefinedPrimal:
      linear.add(v)
    else:
      primal_env[v] = x

  def read_primal(a):
    if type(a) is Literal:
      return a.val
    return UndefinedPrimal(a.aval) if a in linear else primal_env[a]

  linear_eqns = []
  for eqn in jaxpr.eqns:
    if any(type(a) is not Literal and a in linear for a in eqn.invars):
      linear.update(eqn.outvars)
      linear_eqns.append(eqn)
    else:
      with _origin(eqn):
        outs = eqn.primitive.bind(*[read_primal(a) for a in eqn.invars], **eqn.params)
      if not eqn.primitive.multiple_results:
        outs = [outs]
      for v, o in zip(eqn.outvars, outs):
        primal_env[v] = o

  ct_env = {}

  def write_ct(v, ct):
    if ct is None or type(v) is Literal or type(v) is core.DropVar or v not in linear:
      return
    if type(ct) is Zero:
      return
    prev = ct_env.get(v)
    ct_env[v] = ct if prev is None else add_tangents(prev, ct)

  def read_ct(v):
    ct = ct_env.pop(v, None)
    return Zero(v.aval) if ct is None else ct

  for v, ct in zip(jaxpr.outvars, cotangents_out):
    write_ct(v, ct)
  # Named under "transpose" (not when transposing a jaxpr: its caller's
  # equation carries the name, as in JAX).
  with (source_info_util.transform_name_stack("transpose") if transform_stack
        else contextlib.nullcontext()):
    _transpose_eqns(linear_eqns, read_primal, read_ct, write_ct)
  out = []
  for v, x in zip(jaxpr.invars, primals_in):
    if type(x) is UndefinedPrimal:
      ct = ct_env.get(v)
      out.append(Zero(x.aval) if ct is None else ct)
    else:
      out.append(None)
  return out


def _origin(eqn):
  """What ``eqn``'s rule stages takes its traceback and names (under the names
  in force now: ``transpose(jvp(...))`` for a transposed JVP equation)."""
  source_info = eqn.source_info
  if source_info is None:
    return contextlib.nullcontext()
  return source_info_util.user_context(
      source_info.traceback,
      name_stack=source_info_util.current_name_stack() + source_info.name_stack)


def _transpose_eqns(linear_eqns, read_primal, read_ct, write_ct):
  """Runs the transpose rules of ``linear_eqns`` in reverse, accumulating cotangents."""
  for eqn in reversed(linear_eqns):
    cts_out = [read_ct(v) if type(v) is not core.DropVar else Zero(v.aval)
               for v in eqn.outvars]
    if all(type(c) is Zero for c in cts_out):
      continue
    rule = primitive_transposes.get(eqn.primitive)
    if rule is None:
      raise NotImplementedError(
          f"Transpose rule (for reverse-mode differentiation) for '{eqn.primitive}' "
          "not implemented")
    invals = [read_primal(a) for a in eqn.invars]
    ct_arg = cts_out if eqn.primitive.multiple_results else cts_out[0]
    with _origin(eqn):   # the accumulating adds too, as JAX names them
      cts_in = rule(ct_arg, *invals, **eqn.params)
      for a, ct in zip(eqn.invars, cts_in):
        write_ct(a, ct)


def transpose_jaxpr(closed_jaxpr: core.ClosedJaxpr, linear: Sequence[bool],
                    ct_avals: Sequence | None = None) -> core.ClosedJaxpr:
  """The transpose of a closed jaxpr, linear in the inputs marked ``linear``.

  The result takes ``[non-linear inputs] + [one cotangent per output]`` and
  returns one (instantiated) cotangent per linear input. ``ct_avals`` are the
  cotangents' types (default: the outputs' tangent types); a strong cotangent
  of a weak output keeps the transposed body strong, as JAX's. Cached per jaxpr.
  """
  linear = tuple(bool(l) for l in linear)
  per_jaxpr = _transpose_jaxpr_cache.setdefault(closed_jaxpr, {})
  key = linear if ct_avals is None else (linear, tuple(ct_avals))
  hit = per_jaxpr.get(key)
  if hit is not None:
    return hit
  in_avals = closed_jaxpr.in_avals
  res_avals = [a for a, l in zip(in_avals, linear) if not l]
  if ct_avals is None:
    ct_avals = [tangent_aval(a) for a in closed_jaxpr.out_avals]
  n_res = len(res_avals)

  def transposed(*args):
    res, cts = iter(args[:n_res]), args[n_res:]
    primals = [UndefinedPrimal(a) if l else next(res) for a, l in zip(in_avals, linear)]
    cts_in = backward_pass(closed_jaxpr.jaxpr, closed_jaxpr.consts, primals, cts,
                           transform_stack=False)
    return [instantiate_zeros(ct) for ct, l in zip(cts_in, linear) if l]

  from jaxlite.interpreters import partial_eval as pe
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(transposed, res_avals + ct_avals)
  out = pe.closed_call_jaxpr(jaxpr, consts)
  return per_jaxpr.setdefault(key, out)   # racing threads share the winner's


_transpose_jaxpr_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


# --- stop_gradient --------------------------------------------------------------------------

stop_gradient_p = core.Primitive("stop_gradient")
stop_gradient_p.def_impl(lambda x: x)
stop_gradient_p.def_abstract_eval(lambda aval: core.raise_to_shaped(aval))
defjvp_zero(stop_gradient_p)


def _stop_gradient_lowering(ctx, x):
  return [x]


def _stop_gradient_batch(batched_args, batch_dims):
  return stop_gradient_p.bind(batched_args[0]), batch_dims[0]


def stop_gradient(x):
  """Stops gradient computation: the identity whose derivative is zero.

  Applies to every leaf of a pytree; integer leaves pass through unchanged.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> jaxlite.grad(lambda x: lax.mul(x, lax.stop_gradient(x)))(3.0)
    Array(3., dtype=float32, weak_type=True)
  """
  from jaxlite import tree_util

  def stop(leaf):
    aval = core.get_aval(leaf)
    if aval.dtype.kind in "fc" or aval.dtype.name in _FLOAT_NAMES:
      return stop_gradient_p.bind(leaf)
    return leaf
  return tree_util.tree_map(stop, x)


def _register_stop_gradient():
  from jaxlite.interpreters import batching, mlir
  mlir.register_lowering(stop_gradient_p, _stop_gradient_lowering)
  batching.primitive_batchers[stop_gradient_p] = _stop_gradient_batch


_register_stop_gradient()


# --- rules for the jit call primitive -----------------------------------------------------


def _jit_jvp(primals, tangents, *, jaxpr, name, donated_invars=(), inline=False, **params):
  from jaxlite.interpreters.pjit import jit_p
  nonzeros = [type(t) is not Zero for t in tangents]
  jvp_closed, out_nonzeros = jvp_jaxpr(jaxpr, nonzeros, instantiate=False)
  nz_tangents = [t for t in tangents if type(t) is not Zero]
  outs = jit_p.bind(*primals, *nz_tangents, jaxpr=jvp_closed, name=name,
                    donated_invars=(), inline=inline, **params)
  n = len(jaxpr.out_avals)
  out_primals, nz_out = outs[:n], iter(outs[n:])
  out_tangents = [next(nz_out) if nz else Zero(tangent_aval(a))
                  for nz, a in zip(out_nonzeros, jaxpr.out_avals)]
  return out_primals, out_tangents


def _jit_transpose(cts, *args, jaxpr, name, donated_invars=(), inline=False, **params):
  from jaxlite.interpreters.pjit import jit_p
  linear = [is_undefined_primal(a) for a in args]
  if all(type(c) is Zero for c in cts):
    return [Zero(a.aval) if l else None for a, l in zip(args, linear)]
  cts = [instantiate_zeros(c) for c in cts]
  trans = transpose_jaxpr(jaxpr, linear, [core.get_aval(c) for c in cts])
  res = [a for a, l in zip(args, linear) if not l]
  outs = iter(jit_p.bind(*res, *cts, jaxpr=trans, name=name,
                         donated_invars=(), inline=inline, **params))
  return [next(outs) if l else None for l in linear]


def _jit_partial_eval(trace, tracers, *, jaxpr, name, donated_invars=(), inline=False,
                      **params):
  """Splits a jit call into a known call (run now) and an unknown one (staged)."""
  from jaxlite.interpreters import partial_eval as pe
  from jaxlite.interpreters.pjit import jit_p
  unknowns = [not trace.is_known(t) for t in tracers]
  known_vals = [trace.known_value(t) for t, u in zip(tracers, unknowns) if not u]
  known, staged, out_unknowns, num_res = _split_jit_jaxpr(jaxpr, tuple(unknowns))
  known_outs = jit_p.bind(*known_vals, jaxpr=known,
                          name=name, donated_invars=(), inline=inline, **params)
  n_known = len(known_outs) - num_res
  residuals = known_outs[n_known:]
  staged_outs = trace.stage(
      jit_p, [trace.pure(r) for r in residuals] +
      [t for t, u in zip(tracers, unknowns) if u],
      dict(jaxpr=staged, name=name, donated_invars=(), inline=inline, **params))
  known_it, staged_it = iter(known_outs[:n_known]), iter(staged_outs)
  return [next(staged_it) if u else next(known_it) for u in out_unknowns]


def _split_jit_jaxpr(jaxpr: core.ClosedJaxpr, unknowns: tuple):
  """The known and staged closed jaxprs of a jit call, cached per jaxpr: the same
  objects on every call, so that repeated ``grad`` of a jitted function reuses
  the compiled known part and the transposed staged part instead of
  recompiling both each time."""
  from jaxlite.interpreters import partial_eval as pe
  # setdefault (atomic on dicts) at both levels: threads racing on a new jaxpr
  # all end up with the same split, so its compiled parts are shared and stay
  # alive with the jitted function rather than with one thread's call.
  per_jaxpr = _split_jit_cache.setdefault(jaxpr, {})
  hit = per_jaxpr.get(unknowns)
  if hit is None:
    n_consts = len(jaxpr.consts)
    known, staged, out_unknowns, num_res = pe.partial_eval_jaxpr_custom(
        pe.convert_constvars_jaxpr(jaxpr.jaxpr), [False] * n_consts + list(unknowns),
        pe.everything_saveable)
    hit = per_jaxpr.setdefault(unknowns, (pe.reclose(known, jaxpr.consts),
                                          core.ClosedJaxpr(staged, ()), out_unknowns,
                                          num_res))
  return hit


_split_jit_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _register_jit_rules():
  from jaxlite.interpreters import partial_eval as pe
  from jaxlite.interpreters.pjit import jit_p
  primitive_jvps[jit_p] = _jit_jvp
  primitive_transposes[jit_p] = _jit_transpose
  pe.partial_eval_rules[jit_p] = _jit_partial_eval
  pe.partial_eval_jaxpr_custom_rules[jit_p] = pe.call_partial_eval_custom_rule("jaxpr")


_register_jit_rules()


# JAX 0.10.2's message for the name it removed from jax.interpreters.ad.
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402
__getattr__ = _deprecation_getattr(__name__, {
    "reducing_transposes": ("jax.interpreters.ad.reducing_transposes was deprecated in v0.9.0. "
                            "and removed in v0.10.0. It has been unused since JAX v0.4.38.",
                            None)})
