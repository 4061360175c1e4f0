"""Shared machinery of the control-flow primitives: staging branch and body
functions (over pytrees) into closed jaxprs, caching those jaxprs per function
and input types, and checking that branches and loop bodies agree on types.

Every jaxpr held by a control-flow primitive is *closed and constant-free*:
the values a function closes over become leading inputs of its jaxpr and are
passed to the primitive as ordinary operands. That way every interpreter sees
them (a closed-over tracer of an enclosing ``jvp`` is differentiated, one of an
enclosing ``vmap`` is batched) and the jaxpr itself can be shared.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import api_util, core, tree_util
from jaxlite.config import config
from jaxlite.core import ClosedJaxpr, ShapedArray
from jaxlite.interpreters import partial_eval as pe

# --- staging functions to jaxprs -------------------------------------------------------

# fun -> {(tag, in_tree, in_avals, trace context): (closed_jaxpr, consts, out_tree)}.
# Keyed weakly by the function, so that a function that dies takes its jaxprs
# (and through them its compiled executables) with it, as JAX's caches do.
_jaxpr_cache: "weakref.WeakKeyDictionary[Callable, dict]" = weakref.WeakKeyDictionary()
_cache_lock = threading.RLock()


def _abstractify(x) -> ShapedArray:
  from jaxlite.interpreters.pjit import shaped_abstractify
  return shaped_abstractify(x)


def trace_to_closed_jaxpr(fun: Callable, in_tree, in_avals: Sequence[ShapedArray],
                          name: str, tag: Any = None):
  """Stages ``fun`` (taking the pytree ``in_tree`` of arguments) at ``in_avals``.

  Returns ``(closed_jaxpr, consts, out_tree)``: ``closed_jaxpr`` takes
  ``consts`` (the values ``fun`` closes over) followed by the flat arguments.
  Results are cached per (function, ``tag``, input structure and types); the
  same ``ClosedJaxpr`` object comes back each time, so the compiled executables
  keyed by it are reused by repeated eager calls.

  Example:
    >>> from jaxlite import tree_util
    >>> from jaxlite.core import ShapedArray
    >>> tree = tree_util.tree_structure((0.,))
    >>> jaxpr, consts, out_tree = trace_to_closed_jaxpr(
    ...     lambda x: x, tree, [ShapedArray((), 'float32')], 'f')
    >>> jaxpr.in_avals, consts
    ([ShapedArray(float32[])], [])
  """
  in_avals = tuple(in_avals)
  key = (tag, in_tree, in_avals, config.trace_context())
  per_fun = None
  try:
    with _cache_lock:
      per_fun = _jaxpr_cache.get(fun)
      if per_fun is None:
        per_fun = _jaxpr_cache[fun] = {}
      hit = per_fun.get(key)
    if hit is not None:
      return hit
  except TypeError:   # not weakly referenceable (or unhashable): trace uncached
    per_fun = None
  flat_fun, out_tree = api_util.flatten_fun_nokwargs(fun, in_tree)
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, list(in_avals),
                                               debug_info=(name, None, name))
  if _returned_ref_check is not None:   # refs exist: JAX's error if one is returned
    _returned_ref_check(fun, jaxpr, in_tree, out_tree.val, name, tag)
  closed = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), [])
  result = (closed, list(consts), out_tree.val)
  # Closed-over tracers belong to the transformation active now: never cache them.
  if per_fun is not None and not any(isinstance(c, core.Tracer) for c in consts):
    with _cache_lock:
      per_fun[key] = result
  return result


# Mutable refs live in jaxlite.state, a layer above: when it loads, it installs
# its check that a traced body returns no ref (none can before it has loaded).
_returned_ref_check = None


def register_returned_ref_check(check) -> None:
  """Installs ``check(fun, jaxpr, in_tree, out_tree, name, tag)``, run on each
  traced control-flow body (``jaxlite.state`` installs JAX's returned-ref error)."""
  global _returned_ref_check
  _returned_ref_check = check


# Likewise its check that no ref reaches a body twice (two arguments, or an
# argument and a closed-over value).
_ref_argument_check = None


def register_ref_argument_check(check) -> None:
  """Installs ``check(fun, traced_for, in_tree, args, consts)``, run on the
  arguments and consts of a traced control-flow body (``jaxlite.state``)."""
  global _ref_argument_check
  _ref_argument_check = check


def check_ref_arguments(fun, traced_for, in_tree, args, consts) -> None:
  """The installed ref-argument check, if refs exist (see above)."""
  if _ref_argument_check is not None:
    _ref_argument_check(fun, traced_for, in_tree, args, consts)


def flatten_args_avals(args):
  """Flat leaves, their treedef and their (shaped) abstract values."""
  leaves, tree = tree_util.tree_flatten(args)
  return leaves, tree, [_abstractify(x) for x in leaves]


def trace_branches_with_common_consts(funs: Sequence[Callable], in_tree, in_avals,
                                      name: str, tag: Any = None, args=None):
  """Stages several functions of the same arguments (the branches of a cond).

  Each branch closes over its own values; the returned jaxprs all take the
  concatenation of every branch's constants followed by the arguments, so
  that one operand list feeds every branch. Given the flat ``args``, each
  branch is checked to receive no ref twice (``check_ref_arguments``).

  Returns ``(jaxprs, consts, out_trees)``.
  """
  traced = []
  for f in funs:
    traced.append(trace_to_closed_jaxpr(f, in_tree, in_avals, name, tag))
    if args is not None:
      check_ref_arguments(f, name, in_tree, args, traced[-1][1])
  const_avals = [[_abstractify(c) for c in consts] for _, consts, _ in traced]
  all_consts = [c for _, consts, _ in traced for c in consts]
  jaxprs = []
  for i, (closed, consts, _) in enumerate(traced):
    before = [a for avals in const_avals[:i] for a in avals]
    after = [a for avals in const_avals[i + 1:] for a in avals]
    if before or after:
      closed = memoize_on(closed, ("pad", len(consts), tuple(before), tuple(after)),
                          lambda c=closed, n=len(consts), b=before, a=after:
                          pad_invars(c, n, b, a))
    jaxprs.append(closed)
  return jaxprs, all_consts, [t for _, _, t in traced]


def pad_invars(closed: ClosedJaxpr, n_consts: int, before_avals, after_avals) -> ClosedJaxpr:
  """``closed`` (inputs: ``n_consts`` constants, then arguments) with unused
  inputs of types ``before_avals`` in front and ``after_avals`` after its constants."""
  jaxpr = closed.jaxpr
  before = [core.Var(a) for a in before_avals]
  after = [core.Var(a) for a in after_avals]
  invars = before + jaxpr.invars[:n_consts] + after + jaxpr.invars[n_consts:]
  return ClosedJaxpr(jaxpr.replace(invars=invars), closed.consts)


# --- type checks ---------------------------------------------------------------------


class _TypeName:
  """Prints as a type name inside a pytree (no quotes)."""
  __slots__ = ("name",)

  def __init__(self, name):
    self.name = name

  def __repr__(self):
    return self.name


def pp_tree_types(tree, avals) -> str:
  """A pytree of types, e.g. ``(float32[], {'a': int32[3]})``."""
  names = [_TypeName(a.str_short(short_dtypes=False)) for a in avals]
  return repr(tree_util.tree_unflatten(tree, names))


def typematch(a: ShapedArray, b: ShapedArray) -> bool:
  """Same shape and dtype; weak types may differ."""
  return a.shape == b.shape and a.dtype == b.dtype   # key<fry> is no NumPy dtype


def check_tree_and_avals(what: str, tree1, avals1, tree2, avals2):
  """TypeError naming both types unless the trees and the types agree, e.g.
  "true_fun and false_fun output must have identical types, got ..."."""
  if tree1 != tree2 or len(avals1) != len(avals2) or not all(
      map(typematch, avals1, avals2)):
    raise TypeError(f"{what} must have identical types, got\n"
                    f"{pp_tree_types(tree1, avals1)}\nand\n{pp_tree_types(tree2, avals2)}.")


def join_weak_types(*aval_lists) -> list[ShapedArray]:
  """Types agreeing up to weak type joined: weak only where every one is weak."""
  out = []
  for avals in zip(*aval_lists):
    weak = all(a.weak_type for a in avals)
    out.append(core.raise_to_shaped(avals[0]).update(weak_type=weak))
  return out


def promote_weak_carry(init_leaves, init_avals, out_avals):
  """Like JAX: a weakly typed initial carry takes the type the body gives it
  (``0.`` as a float32 carry), so the loop state has one fixed type."""
  from jaxlite import dtypes
  from jaxlite.lax.structural import _convert_element_type as convert
  new_leaves, new_avals, changed = [], [], False
  for x, a_in, a_out in zip(init_leaves, init_avals, out_avals):
    # Only a dtype change promotes (JAX's typematch ignores weak types): a weak
    # carry the body makes strong stays weak going in, strong coming out.
    if a_in.weak_type and not typematch(a_in, a_out):
      if a_in.shape == a_out.shape and dtypes.result_type(
          a_in, a_out) == np.dtype(a_out.dtype):
        x = convert(x, a_out.dtype, a_out.weak_type)
        a_in = a_in.update(dtype=a_out.dtype, weak_type=a_out.weak_type)
        changed = True
    new_leaves.append(x)
    new_avals.append(a_in)
  return new_leaves, new_avals, changed


def concrete_value(x):
  """The host value of ``x`` if it is known now (not an abstract tracer), else None."""
  if isinstance(x, core.Tracer):
    return x._concrete_value()
  if isinstance(x, (int, float, bool, complex, np.ndarray, np.generic)):
    return np.asarray(x)
  if hasattr(x, "_buf") or hasattr(x, "__array__"):
    try:
      return np.asarray(x)
    except Exception:   # noqa: BLE001 -- e.g. a deleted array: not concrete
      return None
  return None


def split_list(xs: Sequence, sizes: Sequence[int]) -> list[list]:
  """Splits ``xs`` into consecutive pieces of ``sizes`` plus the remainder."""
  out, start = [], 0
  for n in sizes:
    out.append(list(xs[start:start + n]))
    start += n
  out.append(list(xs[start:]))
  return out


# --- helpers for the transformation rules ---------------------------------------------------


def hoist_consts(closed: ClosedJaxpr) -> tuple[ClosedJaxpr, list]:
  """``closed`` as a constant-free jaxpr taking its constants as leading inputs,
  and those constants (to be passed as operands)."""
  if not closed.consts:
    return closed, []
  return ClosedJaxpr(pe.convert_constvars_jaxpr(closed.jaxpr), []), list(closed.consts)


def permute_jaxpr(closed: ClosedJaxpr, in_order: Sequence[int] | None = None,
                  out_order: Sequence[int] | None = None) -> ClosedJaxpr:
  """``closed`` with inputs (outputs) reordered: new input k is old input
  ``in_order[k]``."""
  jaxpr = closed.jaxpr
  invars = jaxpr.invars if in_order is None else [jaxpr.invars[i] for i in in_order]
  outvars = jaxpr.outvars if out_order is None else [jaxpr.outvars[i] for i in out_order]
  return ClosedJaxpr(jaxpr.replace(invars=invars, outvars=outvars), closed.consts)


def trace_closed(fun: Callable, in_avals: Sequence[ShapedArray]) -> tuple[ClosedJaxpr, list]:
  """Stages ``fun`` (flat lists in and out) into a constant-free closed jaxpr;
  returns it with the constants it takes as leading inputs."""
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, list(in_avals))
  return ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), []), list(consts)


def trace_closed_no_consts(fun: Callable, in_avals: Sequence[ShapedArray]) -> ClosedJaxpr:
  """Like ``trace_closed`` but the constants stay inside the ClosedJaxpr (for
  jaxprs built by rules from other jaxprs, whose constants are host values)."""
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, list(in_avals))
  return pe.closed_call_jaxpr(jaxpr, consts)


def partial_eval_jaxpr(closed: ClosedJaxpr, in_unknowns: Sequence[bool],
                       instantiate: Sequence[bool] | bool = False, saveable=None):
  """Splits ``closed`` into the part computable from its known inputs and the
  part that needs the unknown ones.

  Returns ``(known, staged, out_unknowns, res_avals)``: ``known`` maps the
  known inputs to the known outputs followed by residuals; ``staged`` maps
  the residuals followed by the unknown inputs to the unknown outputs. An
  output marked in ``instantiate`` is unknown (staged) even if computable now.
  Both results are constant-free closed jaxprs.
  """
  n_out = len(closed.out_avals)
  if isinstance(instantiate, bool):
    instantiate = [instantiate] * n_out
  saveable = saveable or pe.everything_saveable
  inner = pe.convert_constvars_jaxpr(closed.jaxpr)
  nc = len(closed.consts)
  known, staged, out_unks, num_res = pe.partial_eval_jaxpr_custom(
      inner, [False] * nc + list(in_unknowns), saveable)
  n_known_out = len(known.outvars) - num_res
  known_outs, residuals = known.outvars[:n_known_out], known.outvars[n_known_out:]
  staged_res_in = staged.invars[:num_res]
  staged_unknown_in = staged.invars[num_res:]
  staged_outs = iter(staged.outvars)
  known_iter = iter(known_outs)
  new_known_outs, new_res, new_res_in, new_staged_outs, new_unks = [], [], [], [], []
  for u, inst in zip(out_unks, instantiate):
    if u:
      new_staged_outs.append(next(staged_outs))
      new_unks.append(True)
      continue
    v = next(known_iter)
    if inst:
      # A known output forced to be unknown: it becomes a residual the staged
      # jaxpr passes straight through.
      new_res.append(v)
      r = core.Var(v.aval)
      new_res_in.append(r)
      new_staged_outs.append(r)
      new_unks.append(True)
    else:
      new_known_outs.append(v)
      new_unks.append(False)
  known = known.replace(outvars=new_known_outs + list(residuals) + new_res)
  staged = staged.replace(invars=list(staged_res_in) + new_res_in + list(staged_unknown_in),
                          outvars=new_staged_outs)
  # The known jaxpr's constant inputs become closed-over constants again.
  known_closed = pe.reclose(known, closed.consts)
  res_avals = [v.aval for v in list(residuals) + new_res]
  return known_closed, ClosedJaxpr(staged, []), new_unks, res_avals


def zeros_like_aval(aval):
  from jaxlite.interpreters import ad
  return ad.zeros_like_aval(aval)


# Results of rules that build jaxprs from jaxprs (JVP bodies, known/staged
# splits, transposed bodies ...), memoized per source jaxpr: the same
# ClosedJaxpr objects then come back on every call, so repeated eager
# transformations reuse their compiled executables instead of recompiling.
_derived_cache: "weakref.WeakKeyDictionary[ClosedJaxpr, dict]" = weakref.WeakKeyDictionary()


def memoize_on(jaxpr: ClosedJaxpr, key, build: Callable, others: Sequence = ()):
  """``build()``, cached on ``jaxpr`` (weakly) and the hashable ``key``.

  ``others`` are further jaxprs the result depends on; they are recognised by
  identity (through weak references, so that the cache keeps none alive).
  """
  others = tuple(others)
  full_key = (key, tuple(id(o) for o in others), config.trace_context())
  with _cache_lock:
    per_jaxpr = _derived_cache.get(jaxpr)
    if per_jaxpr is None:
      per_jaxpr = _derived_cache[jaxpr] = {}
    hit = per_jaxpr.get(full_key)
  if hit is not None:
    refs, result = hit
    if all(r() is o for r, o in zip(refs, others)):
      return result
  result = build()
  with _cache_lock:
    per_jaxpr[full_key] = (tuple(weakref.ref(o) for o in others), result)
  return result


_wrapper_cache: "weakref.WeakKeyDictionary[Callable, dict]" = weakref.WeakKeyDictionary()


def wrap_function(f: Callable, key, make: Callable) -> Callable:
  """A wrapper of ``f`` built once per (``f``, ``key``) by ``make(get_f)``.

  APIs built on others (``fori_loop`` on ``scan``, ``map`` on ``scan``) wrap
  the user's function; handing back the same wrapper each time lets the
  jaxpr cache recognise it. ``make`` receives a function returning ``f``
  (through a weak reference), so the cache does not keep ``f`` alive.
  """
  try:
    ref = weakref.ref(f)
  except TypeError:
    return make(lambda: f)
  with _cache_lock:
    per_fun = _wrapper_cache.get(f)
    if per_fun is None:
      per_fun = _wrapper_cache[f] = {}
    wrapper = per_fun.get(key)
    if wrapper is None:
      wrapper = per_fun[key] = make(ref)
  return wrapper
