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
from jaxlite.core import ClosedJaxpr, Jaxpr, ShapedArray
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
  closed = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), [])
  result = (closed, list(consts), out_tree.val)
  # Closed-over tracers belong to the transformation active now: never cache them.
  if per_fun is not None and not any(isinstance(c, core.Tracer) for c in consts):
    with _cache_lock:
      per_fun[key] = result
  return result


def flatten_args_avals(args):
  """Flat leaves, their treedef and their (shaped) abstract values."""
  leaves, tree = tree_util.tree_flatten(args)
  return leaves, tree, [_abstractify(x) for x in leaves]


def trace_branches_with_common_consts(funs: Sequence[Callable], in_tree, in_avals,
                                      name: str, tag: Any = None):
  """Stages several functions of the same arguments (the branches of a cond).

  Each branch closes over its own values; the returned jaxprs all take the
  concatenation of every branch's constants followed by the arguments, so
  that one operand list feeds every branch.

  Returns ``(jaxprs, consts, out_trees)``.
  """
  traced = [trace_to_closed_jaxpr(f, in_tree, in_avals, name, tag) for f in funs]
  const_avals = [[_abstractify(c) for c in consts] for _, consts, _ in traced]
  all_consts = [c for _, consts, _ in traced for c in consts]
  jaxprs = []
  for i, (closed, consts, _) in enumerate(traced):
    before = [a for avals in const_avals[:i] for a in avals]
    after = [a for avals in const_avals[i + 1:] for a in avals]
    if before or after:
      closed = pad_invars(closed, len(consts), before, after)
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
  return a.shape == b.shape and np.dtype(a.dtype) == np.dtype(b.dtype)


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
