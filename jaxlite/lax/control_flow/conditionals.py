"""``cond`` and ``switch``: choosing one of several functions at run time.

``cond_p`` holds a tuple of branch jaxprs (``branches``) that take the same
operands and return the same types; its first operand is an int32 scalar
index that picks the branch (out-of-range indices are clamped). It lowers to
one ``stablehlo.case`` with each branch lowered once into its region.

Below the public functions are its transformation rules: JVP, partial
evaluation (known branches run now, the rest is staged, residuals joined
across branches), transposition and batching (a batched predicate becomes a
select over every branch's outputs).
"""
from __future__ import annotations

__all__ = ["cond", "switch", "cond_p"]

from typing import Callable, Sequence

import numpy as np

from jaxlite import core, traceback_util, tree_util
from jaxlite.config import config
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.lax import bitwise
from jaxlite.lax.control_flow import common, divergence
from jaxlite.lax.structural import _convert_element_type as _convert

cond_p = core.Primitive("cond")
cond_p.multiple_results = True


def _cond_abstract_eval(index_aval, *avals, branches):
  if index_aval.shape != () or np.dtype(index_aval.dtype) != np.int32:
    raise TypeError(f"cond: the branch index must be an int32 scalar, got "
                    f"{index_aval.str_short(short_dtypes=False)}.")
  for i, br in enumerate(branches):
    if len(br.in_avals) != len(avals) or not all(map(common.typematch, br.in_avals, avals)):
      raise TypeError(
          f"cond: branch {i} takes {[a.str_short() for a in br.in_avals]}, but the "
          f"operands are {[a.str_short() for a in avals]}.")
    if i and (len(br.out_avals) != len(branches[0].out_avals) or not all(
        map(common.typematch, br.out_avals, branches[0].out_avals))):
      raise TypeError(
          f"cond: branch {i} returns {[a.str_short() for a in br.out_avals]}, but "
          f"branch 0 returns {[a.str_short() for a in branches[0].out_avals]}.")
  return common.join_weak_types(*[br.out_avals for br in branches])


cond_p.def_abstract_eval(_cond_abstract_eval)


def _cond_lowering(ctx, index, *args, branches):
  hlo, ir = mlir.hlo(), mlir.ir()
  mc = ctx.module_context
  if divergence.may_diverge_into_collective(ctx, ctx.avals_in[0],
                                           [br.jaxpr for br in branches]):
    # Every device runs every branch (so every collective has all its
    # partners) and keeps the outputs of its own: select_n's lowering.
    per_branch = []
    for i, br in enumerate(branches):
      with mlir.named(mc, "cond", f"branch_{i}_fun"):
        per_branch.append(mlir.jaxpr_subcomp(mc, br.jaxpr, br.consts, *args))
    return [bitwise.select_n_lowering(ctx.replace(avals_in=[ctx.avals_in[0]] + [aval] * len(
        branches), avals_out=[aval]), index, *outs)
            for aval, *outs in zip(ctx.avals_out, *per_branch)]
  # The index is in range: switch clamps it and cond converts a boolean, in
  # the jaxpr, as JAX stages them (so the module has no clamp of its own).
  out_types = [mlir.aval_to_ir_type(a) for a in ctx.avals_out]
  case = hlo.CaseOp(out_types, index, len(branches))
  for i, (region, branch) in enumerate(zip(case.regions, branches)):
    block = region.blocks.append()
    with ir.InsertionPoint(block), mlir.named(mc, "cond", f"branch_{i}_fun"):
      outs = mlir.jaxpr_subcomp(mc, branch.jaxpr, branch.consts, *args)
      hlo.return_(outs)
  return list(case.results)


mlir.register_lowering(cond_p, _cond_lowering)


# --- the public functions -------------------------------------------------------------


def _check_predicate(pred):
  aval = core.get_aval(pred)
  if aval.shape != ():
    raise TypeError(f"Pred must be a scalar, got {pred!r} of type "
                    f"{aval.str_short(short_dtypes=False)} (shape {aval.shape}); expected "
                    f"a scalar of type bool[] or an integer scalar.")
  kind = np.dtype(aval.dtype).kind
  if kind not in "biu":
    raise TypeError(f"Pred type must be either boolean or number, got "
                    f"{aval.str_short(short_dtypes=False)}; expected bool[] or an "
                    f"integer scalar.")
  return aval


def _predicate_to_index(pred):
  """A bool or integer predicate as the int32 index of the branch (0: false)."""
  from jaxlite import lax
  aval = _check_predicate(pred)
  if np.dtype(aval.dtype).kind != "b":
    pred = lax.ne(pred, _convert(0, aval.dtype, aval.weak_type))
  return lax.convert_element_type(pred, np.int32)


def _bind_cond(index, funs, operands, name, tree_msg, trace_order=None):
  """Stages ``funs`` on ``operands`` (in ``trace_order``: JAX traces a cond's
  true_fun first, and code with trace-time side effects such as flax's
  variable creation sees that order), checks their outputs agree, binds cond_p."""
  ops, in_tree, in_avals = common.flatten_args_avals(tuple(operands))
  order = list(trace_order) if trace_order is not None else list(range(len(funs)))
  traced, consts, traced_trees = common.trace_branches_with_common_consts(
      [funs[i] for i in order], in_tree, in_avals, name, tag="cond", args=ops)
  jaxprs, out_trees = [None] * len(funs), [None] * len(funs)
  for k, i in enumerate(order):
    jaxprs[i], out_trees[i] = traced[k], traced_trees[k]
  for i in range(1, len(jaxprs)):
    first, second = (i, 0) if name == "cond" else (0, i)   # cond: true_fun's type first
    if out_trees[first] == out_trees[second]:   # inside shard_map: the same manual axes
      from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
      names = ("true_fun", "false_fun") if name == "cond" else ("branch 0", f"branch{i}")
      vma.check_branch_outputs(name, *names, funs[first], funs[second], out_trees[first],
                               jaxprs[first].out_avals, jaxprs[second].out_avals)
    common.check_tree_and_avals(tree_msg(i), out_trees[first], jaxprs[first].out_avals,
                                out_trees[second], jaxprs[second].out_avals)
  outs = cond_p.bind(index, *consts, *ops, branches=tuple(jaxprs))
  return tree_util.tree_unflatten(out_trees[0], outs)


# `operand=None` is an operand (None): only a missing keyword means "no operand".
_NO_OPERAND = object()


@traceback_util.api_boundary
def cond(pred, true_fun: Callable, false_fun: Callable, *operands, operand=_NO_OPERAND):
  """Conditionally applies ``true_fun`` or ``false_fun``.

  ``pred`` is a boolean (or integer) scalar; both functions take ``*operands``
  and must return the same pytree structure and types. Under ``jit`` both are
  staged and compiled, and only one runs. The old form
  ``cond(pred, true_operand, true_fun, false_operand, false_fun)`` is accepted
  too.

  Args:
    pred: scalar boolean (or integer: nonzero means true).
    true_fun, false_fun: functions of ``*operands``.
    operands: pytrees passed to whichever function is applied.

  Returns:
    The output of ``true_fun(*operands)`` if ``pred`` else of ``false_fun``.

  Example:
    >>> from jaxlite import lax
    >>> lax.cond(True, lambda x: lax.add(x, 1.), lambda x: lax.sub(x, 1.), 1.)
    Array(2., dtype=float32, weak_type=True)
  """
  if operand is not _NO_OPERAND:
    if operands:
      raise TypeError("if 'operand' keyword is passed then no positional "
                      f"operands can be passed, got {operand=} "
                      f"and positional operands {operands}")
    operands = (operand,)
  if (len(operands) == 2 and not callable(true_fun) and callable(false_fun)
      and callable(operands[1])):
    # The old form cond(pred, true_operand, true_fun, false_operand, false_fun).
    true_op, true_f, false_op, false_f = true_fun, false_fun, operands[0], operands[1]
    return cond(pred, lambda ops: true_f(ops[0]), lambda ops: false_f(ops[1]),
                (true_op, false_op))
  for name, f in (("true_fun", true_fun), ("false_fun", false_fun)):
    if not callable(f):
      raise TypeError(f"{name} argument of lax.cond must be callable, got {f!r}.")
  _check_predicate(pred)
  if config.jax_disable_jit:
    value = common.concrete_value(pred)
    if value is not None:
      return true_fun(*operands) if bool(value) else false_fun(*operands)
  index = _predicate_to_index(pred)
  return _bind_cond(
      index, (false_fun, true_fun), operands, "cond",
      lambda i: "true_fun and false_fun output", trace_order=(1, 0))


@traceback_util.api_boundary
def switch(index, branches: Sequence[Callable], *operands, operand=None):
  """Applies exactly one of ``branches``, chosen by ``index``.

  ``index`` is an integer scalar, clamped to ``[0, len(branches) - 1]``. In
  Python terms::

    def switch(index, branches, *operands):
      index = min(max(index, 0), len(branches) - 1)
      return branches[index](*operands)

  Args:
    index: integer scalar.
    branches: a sequence of functions of ``*operands``, all returning the
      same pytree structure and types.
    operands: pytrees passed to the chosen branch.

  Example:
    >>> from jaxlite import lax
    >>> lax.switch(1, [lambda x: lax.neg(x), lambda x: lax.mul(x, 3.)], 2.)
    Array(6., dtype=float32, weak_type=True)
  """
  from jaxlite import lax
  if operand is not None:
    operands = operands + (operand,)
  branches = tuple(branches)
  if not branches:
    raise ValueError("Empty branch sequence")
  for i, f in enumerate(branches):
    if not callable(f):
      raise TypeError(f"branches argument of lax.switch must be a sequence of callables, "
                      f"got {f!r} at position {i}.")
  aval = core.get_aval(index)
  if aval.shape != ():
    raise TypeError(f"Branch index must be scalar, got {index!r} of type "
                    f"{aval.str_short(short_dtypes=False)}; expected an integer scalar.")
  if np.dtype(aval.dtype).kind not in "iu":
    raise TypeError(f"Index type must be an integer, got {index!r} of type "
                    f"{aval.str_short(short_dtypes=False)}; expected an integer scalar.")
  if len(branches) == 1:
    return branches[0](*operands)
  if config.jax_disable_jit:
    value = common.concrete_value(index)
    if value is not None:
      return branches[int(np.clip(value, 0, len(branches) - 1))](*operands)
  index = lax.convert_element_type(index, np.int32)
  # Clamped in the program, as JAX stages it (`clamp 0:i32[] c 2:i32[]`).
  index = lax.clamp(np.int32(0), index, np.int32(len(branches) - 1))
  return _bind_cond(index, branches, operands, "switch",
                    lambda i: f"branch 0 and {i} outputs")


# --- JVP ---------------------------------------------------------------------------------


def _cond_jvp(primals, tangents, *, branches):
  index, ops = primals[0], primals[1:]
  op_tangents = tangents[1:]
  nonzeros = [type(t) is not ad.Zero for t in op_tangents]
  # An output tangent is nonzero if it is in any branch.
  out_nz = [False] * len(branches[0].out_avals)
  for br in branches:
    _, nz = ad.jvp_jaxpr(br, nonzeros, instantiate=False)
    out_nz = [a or b for a, b in zip(out_nz, nz)]
  jvps = [ad.jvp_jaxpr(br, nonzeros, instantiate=out_nz)[0] for br in branches]
  nz_tangents = [t for t in op_tangents if type(t) is not ad.Zero]
  outs = cond_p.bind(index, *ops, *nz_tangents, branches=tuple(jvps))
  n = len(out_nz)
  primals_out, nz_out = outs[:n], iter(outs[n:])
  tangents_out = [next(nz_out) if nz else ad.Zero(ad.tangent_aval(a))
                  for nz, a in zip(out_nz, branches[0].out_avals)]
  return primals_out, tangents_out


ad.primitive_jvps[cond_p] = _cond_jvp


# --- partial evaluation: known branches now, the unknown part staged -------------------------


def _split_branches(branches, unknowns, saveable=None):
  """Splits every branch alike: the same outputs unknown in each, residuals
  joined (each known branch returns zeros for the other branches' residuals)."""
  return common.memoize_on(branches[0], ("split", tuple(unknowns), saveable),
                           lambda: _split_branches_uncached(branches, unknowns, saveable),
                           others=branches[1:])


def _split_branches_uncached(branches, unknowns, saveable):
  out_uks = [False] * len(branches[0].out_avals)
  for br in branches:
    _, _, uks, _ = common.partial_eval_jaxpr(br, unknowns, False, saveable)
    out_uks = [a or b for a, b in zip(out_uks, uks)]
  splits = [common.partial_eval_jaxpr(br, unknowns, out_uks, saveable) for br in branches]
  res_avals = [r for _, _, _, rs in splits for r in rs]
  known_in_avals = [a for a, u in zip(branches[0].in_avals, unknowns) if not u]
  n_known_out = sum(not u for u in out_uks)
  known_branches, staged_branches = [], []
  offset = 0
  for known, staged, _, rs in splits:
    before, after = res_avals[:offset], res_avals[offset + len(rs):]

    def known_fun(*args, known=known, before=before, after=after):
      outs = core.eval_jaxpr(known.jaxpr, known.consts, *args)
      return (outs[:n_known_out] + [common.zeros_like_aval(a) for a in before]
              + outs[n_known_out:] + [common.zeros_like_aval(a) for a in after])

    known_branches.append(common.trace_closed_no_consts(known_fun, known_in_avals))
    staged_branches.append(common.pad_invars(staged, len(rs), before, after))
    offset += len(rs)
  return tuple(known_branches), tuple(staged_branches), out_uks, res_avals


def _cond_partial_eval(trace, tracers, *, branches):
  index, ops = tracers[0], tracers[1:]
  if not trace.is_known(index):
    return trace.stage(cond_p, tracers, dict(branches=branches))
  unknowns = [not trace.is_known(t) for t in ops]
  known_brs, staged_brs, out_uks, res_avals = _split_branches(branches, unknowns)
  known_vals = [trace.known_value(t) for t, u in zip(ops, unknowns) if not u]
  known_outs = cond_p.bind(trace.known_value(index), *known_vals, branches=known_brs)
  n_known = len(known_outs) - len(res_avals)
  residuals = known_outs[n_known:]
  staged_outs = trace.stage(
      cond_p, [index] + [trace.pure(r) for r in residuals]
      + [t for t, u in zip(ops, unknowns) if u], dict(branches=staged_brs))
  known_it, staged_it = iter(known_outs[:n_known]), iter(staged_outs)
  return [next(staged_it) if u else next(known_it) for u in out_uks]


def _cond_partial_eval_custom(eqn, unknowns, saveable):
  index_unknown, op_unknowns = unknowns[0], list(unknowns[1:])
  branches = eqn.params["branches"]
  if index_unknown or not any(op_unknowns):
    return None, eqn, [True] * len(eqn.outvars), []
  known_brs, staged_brs, out_uks, res_avals = _split_branches(branches, op_unknowns,
                                                              saveable)
  res_vars = [core.Var(a) for a in res_avals]
  index, ops = eqn.invars[0], eqn.invars[1:]
  eqn_known = core.JaxprEqn(
      [index] + [a for a, u in zip(ops, op_unknowns) if not u], [v for v, u in zip(eqn.outvars, out_uks) if not u] + res_vars,
      cond_p,
      dict(branches=known_brs), eqn.effects)
  eqn_staged = core.JaxprEqn(
      [index] + res_vars + [a for a, u in zip(ops, op_unknowns) if u], [v for v, u in zip(eqn.outvars, out_uks) if u],
      cond_p, dict(branches=staged_brs), eqn.effects)
  return eqn_known, eqn_staged, out_uks, res_vars


pe.partial_eval_rules[cond_p] = _cond_partial_eval
pe.partial_eval_jaxpr_custom_rules[cond_p] = _cond_partial_eval_custom


# --- transpose ------------------------------------------------------------------------------


def _cond_transpose(cts, index, *ops, branches):
  if ad.is_undefined_primal(index):
    raise ValueError("cond: cannot transpose with respect to the branch index")
  linear = [ad.is_undefined_primal(x) for x in ops]
  if all(type(ct) is ad.Zero for ct in cts):
    return [None] + [ad.Zero(x.aval) if l else None for x, l in zip(ops, linear)]
  cts = [ad.instantiate_zeros(ct) for ct in cts]
  transposed = tuple(ad.transpose_jaxpr(br, linear) for br in branches)
  res = [x for x, l in zip(ops, linear) if not l]
  outs = iter(cond_p.bind(index, *res, *cts, branches=transposed))
  return [None] + [next(outs) if l else None for l in linear]


ad.primitive_transposes[cond_p] = _cond_transpose


# --- batching -------------------------------------------------------------------------------


def _cond_batch(axis_data, vals, dims, *, branches):
  from jaxlite import lax
  index, ops = vals[0], list(vals[1:])
  index_dim, op_dims = dims[0], dims[1:]
  ops = [x if d is batching.not_mapped else batching.moveaxis(x, d, 0)
         for x, d in zip(ops, op_dims)]
  in_batched = [d is not batching.not_mapped for d in op_dims]
  n_out = len(branches[0].out_avals)
  if index_dim is not batching.not_mapped:
    # Each example picks its own branch: run them all, then select per example.
    index = lax.clamp(np.int32(0), batching.moveaxis(index, index_dim, 0),
                      np.int32(len(branches) - 1))
    results = []
    for br in branches:
      batched, _ = batching.batch_jaxpr(br, axis_data, in_batched, instantiate=True)
      results.append(core.eval_jaxpr(batched.jaxpr, batched.consts, *ops))
    outs = [_select_per_example(index, cases) for cases in zip(*results)]
    return outs, [0] * n_out
  out_batched = [False] * n_out
  for br in branches:
    _, ob = batching.batch_jaxpr(br, axis_data, in_batched, instantiate=False)
    out_batched = [a or b for a, b in zip(out_batched, ob)]
  batched = tuple(batching.batch_jaxpr(br, axis_data, in_batched, out_batched)[0]
                  for br in branches)
  outs = cond_p.bind(index, *ops, branches=batched)
  return outs, [0 if b else batching.not_mapped for b in out_batched]


def _select_per_example(index, cases):
  """``cases[index[b]][b]`` for every example ``b`` (batch axis first)."""
  from jaxlite import lax
  shape = core.get_aval(cases[0]).shape
  which = lax.broadcast_in_dim(index, shape, (0,)) if len(shape) > 1 else index
  return lax.select_n(which, *cases)


batching.axis_primitive_batchers[cond_p] = _cond_batch
