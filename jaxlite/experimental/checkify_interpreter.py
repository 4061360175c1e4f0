"""How ``checkify`` functionalizes checks: the ``check`` primitive, the error
state threaded through a jaxpr, and the rules that add automatic checks.

``checkify(f)`` stages ``f`` to a jaxpr and evaluates it equation by
equation (binding each primitive, so enclosing ``jit``/``vmap``/``grad``
apply as usual) while carrying an *error state*: for each error slot (an
``ErrorEffect``) a boolean, an int32 code and the payload arrays. A slot
keeps its first failure: later ones only fill it while it is still clear.

* ``check`` binds ``check_p`` on an ``Error`` of one slot; here it is merged
  into the state instead of being raised (outside ``checkify`` it raises
  eagerly, and cannot be compiled: JAX's "not functionalized" error).
* Automatic checks follow primitives: NaN outputs (``nan_checks``),
  division by zero of any dtype (``div_checks``), out-of-bounds gather/scatter/dynamic
  slice indices (``index_checks``).
* Control flow (``cond``, ``while``, ``scan``, ``jit``, ``checkpoint``)
  gets bodies that take and return the state; a while loop's predicate is
  checked on the initial carry and after every step, as JAX does.
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core import ClosedJaxpr, ShapedArray
from jaxlite.experimental.checkify_errors import (DivisionByZeroError, Error, ErrorEffect,
                                                  JaxRuntimeError, NaNError, OOBError)
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe

next_code = itertools.count(1).__next__   # check sites, numbered in the order they are made

FUNCTIONALIZATION_ERROR = (
    "Cannot abstractly evaluate a checkify.check which was not functionalized. This "
    "probably means you tried to stage (jit/scan/pmap/...) a `check` without "
    "functionalizing it through `checkify.checkify`.")


class ErrorCheckEffect:
  """The effect of ``check_p``: it may raise, so it is never removed."""

  def __repr__(self):
    return "ErrorCheck"


error_check_effect = ErrorCheckEffect()

# --- the check primitive -----------------------------------------------------------------------

check_p = core.Primitive("check")
check_p.multiple_results = True


def _check_abstract_eval(*avals, err_tree, debug):
  return []


check_p.def_abstract_eval(_check_abstract_eval)
check_p.effects_rule = lambda *avals, err_tree, debug: frozenset({error_check_effect})


def _check_impl(*args, err_tree, debug):
  if not debug:
    raise_if_error(tree_util.tree_unflatten(err_tree, args))
  return []


check_p.def_impl(_check_impl)


def _check_lowering(ctx, *args, err_tree, debug):
  if debug:
    return []   # a debug check only acts once functionalized
  raise ValueError(FUNCTIONALIZATION_ERROR)


mlir.register_lowering(check_p, _check_lowering)


def _check_jvp(primals, tangents, *, err_tree, debug):
  check_p.bind(*primals, err_tree=err_tree, debug=debug)   # checks the primal values
  return [], []


ad.primitive_jvps[check_p] = _check_jvp


def _check_batch(args, dims, *, err_tree, debug):
  size = batching.batch_size(args, dims)
  args = [batching.bdim_at_front(x, d, size) for x, d in zip(args, dims)]
  check_p.bind(*args, err_tree=err_tree, debug=debug)
  return [], []


batching.primitive_batchers[check_p] = _check_batch


def raise_if_error(error: Error):
  exc = error.get_exception()
  if exc is not None:
    raise JaxRuntimeError(str(exc)) from exc


def check_error(error: Error) -> None:
  """Raises ``JaxRuntimeError`` if ``error`` holds a failure; under
  ``checkify`` the error is merged into the checkified function's instead.

    >>> check_error(Error.empty())
  """
  if not isinstance(error, Error):
    raise TypeError(f"check_error takes an Error as argument, got type {type(error)} instead.")
  if not error._pred:
    return
  leaves, err_tree = tree_util.tree_flatten(error)
  check_p.bind(*leaves, err_tree=err_tree, debug=False)


def make_check_error(pred_failed, exception_info: tuple, payload: list) -> Error:
  """An ``Error`` of one slot failing where ``pred_failed``, with a new code."""
  from jaxlite import numpy as jnp
  code = next_code()
  effect = ErrorEffect(exception_info[0], tuple(
      (tuple(core.get_aval(p).shape), np.dtype(core.get_aval(p).dtype).name) for p in payload))
  return Error({effect: pred_failed}, {effect: jnp.int32(code)}, {code: exception_info},
               {effect: list(payload)})


# --- the error state ---------------------------------------------------------------------------


class Context:
  """The enabled error classes, the state's slots and the codes made so far."""

  def __init__(self, enabled, jaxpr: core.Jaxpr):
    self.enabled = frozenset(enabled)
    self.metadata: dict[int, tuple] = {}
    slots: list[ErrorEffect] = []
    if NaNError in self.enabled:
      slots.append(ErrorEffect(NaNError, ()))
    if DivisionByZeroError in self.enabled:
      slots.append(ErrorEffect(DivisionByZeroError, ()))
    if OOBError in self.enabled:
      slots.append(ErrorEffect(OOBError, (((3,), "int32"),)))
    for effect in _check_effects(jaxpr):
      if effect.error_type in self.enabled and effect not in slots:
        slots.append(effect)
    self.slots = slots

  def initial_state(self) -> dict:
    from jaxlite import numpy as jnp
    return {e: (jnp.bool_(False), jnp.int32(-1),
                [jnp.zeros(a.shape, a.dtype) for a in e.payload_avals()]) for e in self.slots}

  def state_avals(self) -> list[ShapedArray]:
    avals = []
    for e in self.slots:
      avals += [ShapedArray((), np.bool_), ShapedArray((), np.int32)] + e.payload_avals()
    return avals

  def flatten(self, state: dict) -> list:
    out = []
    for e in self.slots:
      pred, code, payload = state[e]
      out += [pred, code, *payload]
    return out

  def unflatten(self, flat) -> dict:
    flat = iter(flat)
    return {e: (next(flat), next(flat), [next(flat) for _ in e.shape_dtypes])
            for e in self.slots}

  def to_error(self, state: dict) -> Error:
    return Error({e: state[e][0] for e in self.slots}, {e: state[e][1] for e in self.slots},
                 dict(self.metadata), {e: list(state[e][2]) for e in self.slots})

  def update(self, state, effect, failed, code: int, payload, info):
    """``state`` with a new check site ``code`` (described by ``info``)
    failing where ``failed``."""
    from jaxlite import numpy as jnp
    self.metadata[code] = info
    return self.merge(state, effect, failed, jnp.int32(code), payload)

  def merge(self, state, effect, failed, code, payload):
    """``state`` with ``effect``'s slot set to (``failed``, ``code``,
    ``payload``) where it is still clear: a slot keeps its first failure."""
    from jaxlite import lax
    from jaxlite import numpy as jnp
    if effect not in state:
      return state
    pred, old_code, old_payload = state[effect]
    new_payload = [lax.select(jnp.broadcast_to(pred, jnp.shape(o)), o, jnp.asarray(n, o.dtype))
                   for o, n in zip(old_payload, payload)]
    return {**state, effect: (jnp.logical_or(pred, failed), lax.select(pred, old_code, code),
                              new_payload)}


def _check_effects(jaxpr: core.Jaxpr):
  """The slots of every ``check`` in ``jaxpr`` and the jaxprs inside it."""
  for eqn in jaxpr.eqns:
    if eqn.primitive is check_p:
      effects, _ = eqn.params["err_tree"].node_data()[1]
      yield from effects
  for sub in core.subjaxprs(jaxpr):
    yield from _check_effects(sub)


# --- evaluating a jaxpr with checks ------------------------------------------------------------


def eval_checked(ctx: Context, jaxpr: core.Jaxpr, consts, state: dict, args):
  """Evaluates ``jaxpr`` binding each primitive, with ``ctx``'s checks;
  returns ``(state, outputs)``."""
  env: dict = {}

  def read(atom):
    return atom.val if type(atom) is core.Literal else env[atom]

  for v, x in zip(jaxpr.constvars, consts):
    env[v] = x
  for v, x in zip(jaxpr.invars, args):
    env[v] = x
  for eqn in jaxpr.eqns:
    invals = [read(a) for a in eqn.invars]
    rule = _control_rules.get(eqn.primitive.name)
    if rule is not None:
      state, outs = rule(ctx, state, eqn, invals)
    else:
      outs = eqn.primitive.bind(*invals, **eqn.params)
      outs = list(outs) if eqn.primitive.multiple_results else [outs]
      state = _automatic_checks(ctx, state, eqn, invals, outs)
    for v, x in zip(eqn.outvars, outs):
      env[v] = x
  return state, [read(v) for v in jaxpr.outvars]


def _checked_fun(ctx, closed: ClosedJaxpr, n_before: int = 0):
  """A flat function of ``(first n_before inputs, state, other inputs)`` returning
  ``(state, outputs)``, evaluating ``closed`` with checks."""
  n_state = len(ctx.state_avals())

  def fun(*xs):
    before, state_flat, rest = xs[:n_before], xs[n_before:n_before + n_state], \
        xs[n_before + n_state:]
    state, outs = eval_checked(ctx, closed.jaxpr, closed.consts, ctx.unflatten(state_flat),
                               list(before) + list(rest))
    return ctx.flatten(state) + list(outs)
  return fun


def _in_avals_with_state(ctx, closed, n_before=0):
  avals = closed.in_avals
  return list(avals[:n_before]) + ctx.state_avals() + list(avals[n_before:])


def _closed_checked(ctx, closed, n_before=0) -> ClosedJaxpr:
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(_checked_fun(ctx, closed, n_before),
                                               _in_avals_with_state(ctx, closed, n_before))
  return pe.closed_call_jaxpr(jaxpr, consts)


def _hoisted_checked(ctx, closed, n_before=0):
  """Like ``_closed_checked`` but constant-free: (jaxpr, constants to pass first)."""
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(_checked_fun(ctx, closed, n_before),
                                               _in_avals_with_state(ctx, closed, n_before))
  return ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), []), list(consts)


# --- rules for primitives with jaxprs ----------------------------------------------------------


def _check_rule(ctx, state, eqn, invals):
  """A ``check`` (or ``check_error``) merged into the state: a batched one
  (from a ``vmap`` inside) reports its first failing element."""
  from jaxlite import numpy as jnp
  error = tree_util.tree_unflatten(eqn.params["err_tree"], invals)
  for effect, pred in error._pred.items():
    code, payload = error._code[effect], error._payload[effect]
    batch_ndim = jnp.ndim(pred)
    if batch_ndim:
      first = jnp.argmax(jnp.ravel(pred))
      code = jnp.ravel(code)[first]
      payload = [jnp.reshape(p, (-1,) + jnp.shape(p)[batch_ndim:])[first] for p in payload]
      pred = jnp.any(pred)
    ctx.metadata.update(error._metadata)
    state = ctx.merge(state, effect, pred, code, payload)
  return state, []


def _split_state(ctx, outs):
  n = len(ctx.state_avals())
  return ctx.unflatten(outs[:n]), list(outs[n:])


def _cond_rule(ctx, state, eqn, invals):
  index, ops = invals[0], invals[1:]
  branches = tuple(_closed_checked(ctx, br) for br in eqn.params["branches"])
  outs = eqn.primitive.bind(index, *ctx.flatten(state), *ops,
                            **dict(eqn.params, branches=branches))
  return _split_state(ctx, outs)


def _while_rule(ctx, state, eqn, invals):
  params = eqn.params
  cond, body = params["cond_jaxpr"], params["body_jaxpr"]
  n_cc, n_bc = params["cond_nconsts"], params["body_nconsts"]
  cond_consts, body_consts, init = invals[:n_cc], invals[n_cc:n_cc + n_bc], \
      invals[n_cc + n_bc:]
  # The predicate's own checks: on the initial carry here, after each step in the body.
  state, _ = eval_checked(ctx, cond.jaxpr, cond.consts, state, list(cond_consts) + list(init))
  n_state = len(ctx.state_avals())

  def new_body(*xs):
    cc, bc = xs[:n_cc], xs[n_cc:n_cc + n_bc]
    st, carry = ctx.unflatten(xs[n_cc + n_bc:n_cc + n_bc + n_state]), xs[n_cc + n_bc + n_state:]
    st, carry = eval_checked(ctx, body.jaxpr, body.consts, st, list(bc) + list(carry))
    st, _ = eval_checked(ctx, cond.jaxpr, cond.consts, st, list(cc) + list(carry))
    return ctx.flatten(st) + list(carry)

  def new_cond(*xs):
    return core.eval_jaxpr(cond.jaxpr, cond.consts, *xs[:n_cc], *xs[n_cc + n_state:])

  carry_avals = list(body.out_avals)
  body_in = list(cond.in_avals[:n_cc]) + list(body.in_avals[:n_bc]) + ctx.state_avals() + \
      carry_avals
  body_jaxpr, body_hoisted = _trace_hoisted(new_body, body_in)
  cond_jaxpr, cond_hoisted = _trace_hoisted(
      new_cond, list(cond.in_avals[:n_cc]) + ctx.state_avals() + carry_avals)
  outs = eqn.primitive.bind(
      *cond_hoisted, *cond_consts, *body_hoisted, *cond_consts, *body_consts,
      *ctx.flatten(state), *init, **dict(params, cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr,
                                         cond_nconsts=len(cond_hoisted) + n_cc,
                                         body_nconsts=len(body_hoisted) + n_cc + n_bc))
  return _split_state(ctx, outs)


def _trace_hoisted(fun, avals):
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, list(avals))
  return ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), []), list(consts)


def _scan_rule(ctx, state, eqn, invals):
  params = eqn.params
  n_consts, n_carry = params["num_consts"], params["num_carry"]
  jaxpr, hoisted = _hoisted_checked(ctx, params["jaxpr"], n_before=n_consts)
  consts, rest = invals[:n_consts], invals[n_consts:]
  new_params = dict(params, jaxpr=jaxpr, num_consts=len(hoisted) + n_consts,
                    num_carry=len(ctx.state_avals()) + n_carry)
  if "linear" in params:
    new_params["linear"] = (False,) * (len(hoisted) + len(ctx.state_avals())) + \
        tuple(params["linear"])
  outs = eqn.primitive.bind(*hoisted, *consts, *ctx.flatten(state), *rest, **new_params)
  return _split_state(ctx, outs)


def _call_rule(param_name):
  """A call primitive (``jit``, ``checkpoint``): its callee with checks."""
  def rule(ctx, state, eqn, invals):
    closed = _closed_checked(ctx, eqn.params[param_name])
    params = dict(eqn.params, **{param_name: closed})
    if params.get("donated_invars"):
      params["donated_invars"] = (False,) * len(ctx.state_avals()) + \
          tuple(params["donated_invars"])
    outs = eqn.primitive.bind(*ctx.flatten(state), *invals, **params)
    return _split_state(ctx, outs)
  return rule


def _custom_call_rule(ctx, state, eqn, invals):
  """``custom_jvp``/``custom_vjp`` calls keep their rules: the checks run on a
  copy of the body evaluated on the (gradient-stopped) same values."""
  closed = eqn.params["call_jaxpr"]
  stopped = [ad.stop_gradient(x) for x in invals]
  state, _ = eval_checked(ctx, closed.jaxpr, closed.consts, state, stopped)
  return state, list(eqn.primitive.bind(*invals, **eqn.params))


_control_rules = {
    "check": _check_rule,
    "cond": _cond_rule,
    "while": _while_rule,
    "scan": _scan_rule,
    "jit": _call_rule("jaxpr"),
    "remat2": _call_rule("jaxpr"),
    "custom_jvp_call": _custom_call_rule,
    "custom_vjp_call": _custom_call_rule,
}


# --- automatic checks ---------------------------------------------------------------------------

# The primitives that can make a NaN (JAX's list, by name).
NAN_PRIMITIVES = frozenset({
    "acos", "acosh", "add", "asin", "asinh", "atan2", "atan", "atanh", "bessel_i0e",
    "bessel_i1e", "cbrt", "conv_general_dilated", "cos", "cosh", "cumlogsumexp", "cummax",
    "cummin", "cumprod", "cumsum", "digamma", "div", "dot_general", "erf_inv", "erf", "erfc",
    "exp", "expm1", "fft", "igamma_grad_a", "igamma", "igammac", "integer_pow", "lgamma",
    "custom_linear_solve", "log1p", "log", "logistic", "mul", "pad", "pow", "psum", "reduce",
    "reduce_prod", "reduce_sum", "reduce_window", "reduce_window_sum",
    "regularized_incomplete_beta", "rem", "rng_uniform", "rsqrt", "sin", "sinh", "sqrt", "sub",
    "tan", "tanh", "scatter", "scatter-add", "scatter-mul", "scatter-min", "scatter-max"})

SCATTERS = frozenset({"scatter", "scatter-add", "scatter-mul", "scatter-min", "scatter-max"})


def _automatic_checks(ctx, state, eqn, invals, outs):
  from jaxlite import numpy as jnp
  name = eqn.primitive.name
  enabled = ctx.enabled
  # As JAX's: any zero divisor, of any dtype (a float x / 0.0 too), checked
  # before the quotient's NaNs.
  if name == "div" and DivisionByZeroError in enabled:
    code = next_code()
    state = ctx.update(state, ErrorEffect(DivisionByZeroError, ()),
                       jnp.any(jnp.equal(invals[1], 0)), code, [], (DivisionByZeroError,))
  if OOBError in enabled:
    oob = _index_check(name, eqn, invals)
    if oob is not None:
      failed, payload, shape = oob
      code = next_code()
      state = ctx.update(state, ErrorEffect(OOBError, (((3,), "int32"),)), failed, code,
                         [payload], (OOBError, _oob_name(name), shape))
  if NaNError in enabled and name in NAN_PRIMITIVES:
    floats = [o for o in outs if np.dtype(core.get_aval(o).dtype).kind in "fc"]
    if floats:
      any_nan = jnp.any(jnp.stack([jnp.any(jnp.isnan(o)) for o in floats]))
      code = next_code()
      state = ctx.update(state, ErrorEffect(NaNError, ()), any_nan, code, [],
                         (NaNError, name))
  return state


def _oob_name(name):
  return name.replace("-", "_")


def _first_oob(mask, indices, dims_map, operand_shape):
  """``[index, axis, axis size]`` of the first out-of-bounds entry of ``indices``."""
  from jaxlite import numpy as jnp
  flat = jnp.argmin(jnp.logical_not(mask))
  position = jnp.unravel_index(flat, jnp.shape(indices))
  axis = jnp.asarray(np.asarray(dims_map, np.int32))[position[-1]]
  size = jnp.asarray(np.asarray(operand_shape, np.int32))[axis]
  index = jnp.ravel(indices)[flat]
  return jnp.stack([index.astype(np.int32), axis, size])


def _index_check(name, eqn, invals) -> Any:
  from jaxlite import numpy as jnp
  params = eqn.params
  if name == "dynamic_slice":
    operand, starts = invals[0], invals[1:]
    sizes = params["slice_sizes"]
  elif name == "dynamic_update_slice":
    operand, update, starts = invals[0], invals[1], invals[2:]
    sizes = jnp.shape(update)
  elif name == "gather":
    operand, indices = invals
    dnums = params["dimension_numbers"]
    shape = np.array(jnp.shape(operand))
    bound = shape[np.array(dnums.start_index_map, int)] - \
        np.array(params["slice_sizes"])[np.array(dnums.start_index_map, int)]
    bound = jnp.asarray(bound.astype(np.dtype(indices.dtype)))
    mask = (indices < 0) | (indices > bound)
    return (jnp.any(mask), _first_oob(mask, indices, dnums.start_index_map, shape.tolist()),
            tuple(jnp.shape(operand)))
  elif name in SCATTERS:
    operand, indices, updates = invals
    dnums = params["dimension_numbers"]
    window, pos = [], 0
    for i in range(jnp.ndim(operand)):
      if i in dnums.inserted_window_dims or i in getattr(dnums, "operand_batching_dims", ()):
        window.append(1)
      else:
        window.append(jnp.shape(updates)[dnums.update_window_dims[pos]])
        pos += 1
    bound = np.array([jnp.shape(operand)[i] - window[i]
                      for i in dnums.scatter_dims_to_operand_dims], np.int64)
    bound = jnp.asarray(np.minimum(bound, np.iinfo(np.dtype(indices.dtype)).max)
                        .astype(np.dtype(indices.dtype)))
    mask = (indices < 0) | (indices > bound)
    return (jnp.any(mask),
            _first_oob(mask, indices, dnums.scatter_dims_to_operand_dims, jnp.shape(operand)),
            tuple(jnp.shape(operand)))
  else:
    return None
  starts = jnp.stack([jnp.asarray(s) for s in starts]) if starts else jnp.zeros(0, np.int32)
  dims = np.array(jnp.shape(operand), np.dtype(starts.dtype))
  mask = (starts < 0) | (starts + np.array(sizes, np.dtype(starts.dtype)) > dims)
  return (jnp.any(mask), _first_oob(mask, starts, range(jnp.ndim(operand)), jnp.shape(operand)),
          tuple(jnp.shape(operand)))


def run_checked(fun, errors, args, kwargs):
  """``checkify(fun, errors)(*args, **kwargs)``: ``(Error, outputs)``.

  As JAX's, ``fun`` is staged closed over its arguments (they are not made
  abstract: Python values stay concrete, arrays become the jaxpr's constants).
  """
  from jaxlite import api_util
  out_tree = []

  def closed():
    leaves, tree = tree_util.tree_flatten(fun(*args, **kwargs))
    out_tree.append(tree)
    return leaves
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(
      closed, [], debug_info=(api_util.fun_name(fun), None, "checkify"))
  ctx = Context(errors, jaxpr)
  state, outs = eval_checked(ctx, jaxpr, consts, ctx.initial_state(), [])
  return ctx.to_error(state), tree_util.tree_unflatten(out_tree[0], outs)
