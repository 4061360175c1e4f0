"""``checkpoint`` (``remat``): trading memory for recomputation under autodiff.

A checkpointed function is staged to a jaxpr and bound as the call primitive
``remat_p`` (printed ``remat2``, as in JAX). Its rules:

* JVP: the JVP of its jaxpr, bound again as ``remat_p``.
* partial evaluation (the heart of it): the JVP jaxpr is split by
  ``partial_eval_jaxpr_custom`` with the checkpoint's *policy*: the known
  (primal) half runs now, but only outputs of equations the policy calls
  saveable are kept as residuals. Every other known equation is copied into
  the staged half, a ``remat_p`` equation with ``differentiated=True``, which
  recomputes those values from the saved ones when the tangent (or, after
  transposition, the cotangent) computation runs.
* transpose: the staged jaxpr is transposed (its recomputation runs forward
  first, inside the transposed call) and bound as ``remat_p`` again.

* vmap: its jaxpr is batched and bound as ``remat_p`` again, as for ``jit``.
"""
from __future__ import annotations

import functools
from typing import Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import api_util, core, traceback_util, tree_util
from jaxlite.core import ClosedJaxpr
from jaxlite.interpreters import ad, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.ad import Zero
from jaxlite.interpreters.pjit import shaped_abstractify

__all__ = ["checkpoint", "remat", "checkpoint_name", "checkpoint_policies", "remat_p",
           "name_p"]

# --- policies -------------------------------------------------------------------------------


def everything_saveable(*_, **__) -> bool:
  """Save every residual: as if ``checkpoint`` were not used at all."""
  return True


def nothing_saveable(*_, **__) -> bool:
  """Save nothing: recompute every residual (the default policy)."""
  return False


def _dot_primitives():
  from jaxlite.lax import dot_conv
  prims = {dot_conv.dot_general_p}
  conv = getattr(dot_conv, "conv_general_dilated_p", None)
  if conv is not None:
    prims.add(conv)
  return prims


class _DotsSaveable:
  def __init__(self, only_if_no_batch_dims):
    self.only_if_no_batch_dims = only_if_no_batch_dims

  def __call__(self, prim, *avals, **params):
    if self.only_if_no_batch_dims:
      from jaxlite.lax import dot_conv
      if prim is dot_conv.dot_general_p:
        (_, _), (lhs_b, rhs_b) = params["dimension_numbers"]
        return not lhs_b and not rhs_b
      return False
    return prim in _dot_primitives()

  def __repr__(self):
    return ("dots_with_no_batch_dims_saveable" if self.only_if_no_batch_dims
            else "dots_saveable")


dots_saveable = checkpoint_dots = _DotsSaveable(False)
dots_with_no_batch_dims_saveable = checkpoint_dots_with_no_batch_dims = _DotsSaveable(True)


class _SaveOnlyTheseNames:
  def __init__(self, names):
    self.names = frozenset(names)

  def __call__(self, prim, *avals, **params):
    return prim is name_p and params["name"] in self.names

  def __repr__(self):
    return f"save_only_these_names{tuple(sorted(self.names))}"


class _SaveAnyNamesButThese:
  def __init__(self, names):
    self.names = frozenset(names)

  def __call__(self, prim, *avals, **params):
    return prim is name_p and params["name"] not in self.names

  def __repr__(self):
    return f"save_any_names_but_these{tuple(sorted(self.names))}"


def save_only_these_names(*names_which_can_be_saved) -> Callable:
  """Save only values named with ``checkpoint_name``, and only among ``names``.

  Example:
    >>> save_only_these_names('a')(name_p, name='a')
    True
  """
  return _SaveOnlyTheseNames(names_which_can_be_saved)


def save_any_names_but_these(*names_not_to_save) -> Callable:
  """Save any named value (``checkpoint_name``) except those named here.

  Example:
    >>> save_any_names_but_these('a')(name_p, name='b')
    True
  """
  return _SaveAnyNamesButThese(names_not_to_save)


def save_from_both_policies(policy_1, policy_2) -> Callable:
  """Save what either policy saves.

  Example:
    >>> save_from_both_policies(nothing_saveable, everything_saveable)(None)
    True
  """
  def policy(prim, *avals, **params):
    return policy_1(prim, *avals, **params) or policy_2(prim, *avals, **params)
  return policy


class _Policies:
  """``jax.checkpoint_policies``: the named residual-saving policies."""
  everything_saveable = staticmethod(everything_saveable)
  nothing_saveable = staticmethod(nothing_saveable)
  dots_saveable = dots_saveable
  checkpoint_dots = checkpoint_dots
  dots_with_no_batch_dims_saveable = dots_with_no_batch_dims_saveable
  checkpoint_dots_with_no_batch_dims = checkpoint_dots_with_no_batch_dims
  save_only_these_names = staticmethod(save_only_these_names)
  save_any_names_but_these = staticmethod(save_any_names_but_these)
  save_from_both_policies = staticmethod(save_from_both_policies)


checkpoint_policies = _Policies()

# --- checkpoint_name --------------------------------------------------------------------------

name_p = core.Primitive("name")
name_p.def_impl(lambda x, *, name: x)
name_p.def_abstract_eval(lambda aval, *, name: core.raise_to_shaped(aval))
mlir.register_lowering(name_p, lambda ctx, x, *, name: [x])


def _name_jvp(primals, tangents, *, name):
  (x,), (t,) = primals, tangents
  return name_p.bind(x, name=name), t


ad.primitive_jvps[name_p] = _name_jvp
ad.primitive_transposes[name_p] = lambda ct, x, *, name: [ct]


def _register_name_batcher():
  from jaxlite.interpreters import batching
  batching.primitive_batchers[name_p] = \
      lambda args, dims, *, name: (name_p.bind(args[0], name=name), dims[0])


_register_name_batcher()


def checkpoint_name(x, name: str):
  """Identifies a value with a name, for the ``save_*_names`` checkpoint policies.

  An identity at runtime; applies to every leaf of a pytree.

  Example:
    >>> import jaxlite
    >>> print(jaxlite.make_jaxpr(lambda x: checkpoint_name(x, 'a'))(1.0))
    { lambda ; a:f32[]. let
        b:f32[] = name[name=a] a
      in (b,) }
  """
  return tree_util.tree_map(lambda leaf: name_p.bind(leaf, name=name), x)


# --- the remat primitive --------------------------------------------------------------------

remat_p = core.Primitive("remat2")
remat_p.multiple_results = True
remat_p.call_primitive = True


def _remat_impl(*args, jaxpr, **_):
  return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)


remat_p.def_impl(_remat_impl)
remat_p.def_abstract_eval(lambda *avals, jaxpr, **_: jaxpr.out_avals)


def _remat_lowering(ctx, *args, jaxpr, prevent_cse, differentiated, policy):
  if differentiated and prevent_cse and args:
    # Keep XLA from merging the recomputation with the forward pass.
    args = list(mlir.hlo().OptimizationBarrierOp(list(args)).results)
  with mlir.named(ctx.module_context, "checkpoint"):
    return mlir.jaxpr_subcomp(ctx.module_context, jaxpr.jaxpr, jaxpr.consts, *args)


mlir.register_lowering(remat_p, _remat_lowering)


def _remat_jvp(primals, tangents, *, jaxpr, prevent_cse, differentiated, policy):
  nonzeros = [type(t) is not Zero for t in tangents]
  jvp_closed, out_nonzeros = ad.jvp_jaxpr(jaxpr, nonzeros, instantiate=False)
  nz_tangents = [t for t in tangents if type(t) is not Zero]
  outs = remat_p.bind(*primals, *nz_tangents, jaxpr=jvp_closed, prevent_cse=prevent_cse,
                      differentiated=differentiated, policy=policy)
  n = len(jaxpr.out_avals)
  nz_out = iter(outs[n:])
  return outs[:n], [next(nz_out) if nz else Zero(ad.tangent_aval(a))
                    for nz, a in zip(out_nonzeros, jaxpr.out_avals)]


ad.primitive_jvps[remat_p] = _remat_jvp


class RecomputeType:
  """The type of ``Recompute``, a policy's answer: recompute this value."""

  def __repr__(self):
    return "Recompute"


class SaveableType:
  """The type of ``Saveable``, a policy's answer: save this value as a residual."""

  def __repr__(self):
    return "Saveable"


Recompute = RecomputeType()
Saveable = SaveableType()


class Offloadable(NamedTuple):
  """A policy's answer: save this value, moved from memory ``src`` to ``dst``.
  jaxlite keeps it where it is (one memory space per device), so it is saved."""
  src: str
  dst: str


def _is_saved(decision) -> bool:
  # A policy answers True/False, or (as JAX's may) Saveable/Recompute/Offloadable.
  if decision is Saveable or isinstance(decision, Offloadable):
    return True
  if decision is Recompute:
    return False
  return bool(decision)


def _saveable(policy):
  if policy is None:
    return nothing_saveable
  return lambda prim, *avals, **params: _is_saved(policy(prim, *avals, **params))


def _remat_partial_eval(trace, tracers, *, jaxpr, prevent_cse, differentiated, policy):
  """Runs the primal half now, keeping only the residuals ``policy`` saves; stages
  a ``remat_p`` that recomputes the others next to the tangent computation."""
  unknowns = [not trace.is_known(t) for t in tracers]
  known_vals = [trace.known_value(t) for t, u in zip(tracers, unknowns) if not u]
  n_consts = len(jaxpr.consts)
  known, staged, out_unknowns, num_res = pe.partial_eval_jaxpr_custom(
      pe.convert_constvars_jaxpr(jaxpr.jaxpr), [False] * n_consts + unknowns,
      _saveable(policy))
  known_outs = core.eval_jaxpr(known, (), *jaxpr.consts, *known_vals)
  n_known = len(known_outs) - num_res
  residuals = known_outs[n_known:]
  staged_outs = trace.stage(
      remat_p, [trace.pure(r) for r in residuals] +
      [t for t, u in zip(tracers, unknowns) if u],
      dict(jaxpr=ClosedJaxpr(staged, ()), prevent_cse=prevent_cse, differentiated=True,
           policy=policy))
  known_it, staged_it = iter(known_outs[:n_known]), iter(staged_outs)
  return [next(staged_it) if u else next(known_it) for u in out_unknowns]


pe.partial_eval_rules[remat_p] = _remat_partial_eval


def _remat_partial_eval_custom(eqn, unknowns, saveable):
  # A checkpoint inside a jaxpr being split follows its own policy, not the outer one.
  rule = pe.call_partial_eval_custom_rule("jaxpr", {"differentiated": True})
  return rule(eqn, unknowns, _saveable(eqn.params["policy"]))


pe.partial_eval_jaxpr_custom_rules[remat_p] = _remat_partial_eval_custom


def _remat_transpose(cts, *args, jaxpr, prevent_cse, differentiated, policy):
  linear = [ad.is_undefined_primal(a) for a in args]
  if all(type(c) is Zero for c in cts):
    return [Zero(a.aval) if l else None for a, l in zip(args, linear)]
  trans = ad.transpose_jaxpr(jaxpr, linear)
  res = [a for a, l in zip(args, linear) if not l]
  cts = [ad.instantiate_zeros(c) for c in cts]
  outs = iter(remat_p.bind(*res, *cts, jaxpr=trans, prevent_cse=prevent_cse,
                           differentiated=True, policy=policy))
  return [next(outs) if l else None for l in linear]


ad.primitive_transposes[remat_p] = _remat_transpose


def _remat_batcher(axis_data, vals, dims, *, jaxpr, **params):
  from jaxlite.interpreters import batching
  batched, out_dims = batching.batch_jaxpr_axes(jaxpr, axis_data, dims,
                                                [batching.infer] * len(jaxpr.out_avals))
  return remat_p.bind(*vals, jaxpr=batched, **params), out_dims


def _register_remat_batcher():
  from jaxlite.interpreters import batching
  batching.axis_primitive_batchers[remat_p] = _remat_batcher


_register_remat_batcher()


# --- the public wrapper ------------------------------------------------------------------------


def checkpoint(fun: Callable, *, prevent_cse: bool = True, policy: Callable | None = None,
               static_argnums: int | Sequence[int] = (),
               static_argnames: str | Sequence[str] = (), concrete: bool = False) -> Callable:
  """Make ``fun`` recompute internal linearization points when it is differentiated.

  Under ``grad``, ``vjp`` or ``linearize`` the values ``fun`` computes are not
  stored for the backward pass (except those ``policy`` allows); they are
  recomputed from ``fun``'s inputs when needed, saving memory at the cost of
  FLOPs. Without differentiation ``fun`` runs unchanged.

  Args:
    fun: the function to checkpoint.
    prevent_cse: keep XLA from merging the recomputation into the forward pass.
    policy: ``policy(primitive, *avals, **params) -> bool`` saying which values
      may be saved (see ``checkpoint_policies``); default: save nothing.
    static_argnums: positional arguments that are Python values (not traced).
    static_argnames: the same, by parameter name (positional or keyword).
    concrete: accepted for compatibility; Python control flow on traced values
      is not supported under ``checkpoint`` (as in JAX).

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> g = jaxlite.checkpoint(lambda x: lax.sin(lax.sin(x)))
    >>> print(jaxlite.grad(g)(2.0))
    -0.25563914
  """
  api_util.check_callable(fun, "checkpoint")
  static_argnums = api_util.normalize_argnums(static_argnums, argname="static_argnums")
  if static_argnames:
    # Names resolve to positions through the signature, as JAX's; those passed
    # by keyword stay static too.
    static_argnums, static_argnames = api_util.resolve_static_args(
        fun, static_argnums, static_argnames)

  @functools.wraps(fun)
  @traceback_util.api_boundary
  def remat_fun(*args, **kwargs):
    nums = tuple(i % len(args) for i in static_argnums) if args else ()
    statics = {i: args[i] for i in nums}
    dyn_args = tuple(a for i, a in enumerate(args) if i not in statics)
    static_kw = {k: v for k, v in kwargs.items() if k in static_argnames}
    kwargs = {k: v for k, v in kwargs.items() if k not in static_argnames}
    flat_args, in_tree = tree_util.tree_flatten((dyn_args, kwargs))
    if core._thread_state.dynamic_main.level == 0 and not any(
        isinstance(x, core.Tracer) for x in flat_args):
      return fun(*args, **kwargs, **static_kw)   # nothing differentiates it: run as is
    out_tree = api_util.Store()

    def flat_fun(*xs):
      dyn, kw = tree_util.tree_unflatten(in_tree, xs)
      it = iter(dyn)
      full = [statics[i] if i in statics else next(it) for i in range(len(args))]
      out = fun(*full, **kw, **static_kw)
      leaves, tree = tree_util.tree_flatten(out)
      out_tree.store(tree)
      return leaves

    avals = [shaped_abstractify(x) for x in flat_args]
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, avals)
    closed = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), ())
    outs = remat_p.bind(*consts, *flat_args, jaxpr=closed, prevent_cse=prevent_cse,
                        differentiated=False, policy=policy)
    return tree_util.tree_unflatten(out_tree.val, outs)

  return remat_fun


remat = checkpoint
