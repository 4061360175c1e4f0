"""``cond`` and ``switch``: choosing one of several functions at run time.

``cond_p`` holds a tuple of branch jaxprs (``branches``) that take the same
operands and return the same types; its first operand is an int32 scalar
index that picks the branch (out-of-range indices are clamped). It lowers to
one ``stablehlo.case`` with each branch lowered once into its region.

The transformation rules (JVP, partial evaluation, transpose, batching) are
in ``conditionals_rules``.
"""
from __future__ import annotations

__all__ = ["cond", "switch", "cond_p"]

from typing import Callable, Sequence

import numpy as np

from jaxlite import core, dtypes, tree_util
from jaxlite.config import config
from jaxlite.core import ClosedJaxpr, ShapedArray
from jaxlite.interpreters import mlir
from jaxlite.lax.control_flow import common
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
  # stablehlo.case runs the last branch for any index out of range; JAX's
  # semantics clamp, so negative indices pick branch 0.
  zero = mlir.ir_constant(np.int32(0))
  last = mlir.ir_constant(np.int32(len(branches) - 1))
  index = hlo.clamp(zero, index, last)
  out_types = [mlir.aval_to_ir_type(a) for a in ctx.avals_out]
  case = hlo.CaseOp(out_types, index, len(branches))
  for region, branch in zip(case.regions, branches):
    block = region.blocks.append()
    with ir.InsertionPoint(block):
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


def _bind_cond(index, funs, operands, name, tree_msg):
  """Stages ``funs`` on ``operands``, checks their outputs agree, binds cond_p."""
  ops, in_tree, in_avals = common.flatten_args_avals(tuple(operands))
  jaxprs, consts, out_trees = common.trace_branches_with_common_consts(
      funs, in_tree, in_avals, name, tag="cond")
  for i in range(1, len(jaxprs)):
    first, second = (i, 0) if name == "cond" else (0, i)   # cond: true_fun's type first
    common.check_tree_and_avals(tree_msg(i), out_trees[first], jaxprs[first].out_avals,
                                out_trees[second], jaxprs[second].out_avals)
  outs = cond_p.bind(index, *consts, *ops, branches=tuple(jaxprs))
  return tree_util.tree_unflatten(out_trees[0], outs)


def cond(pred, true_fun: Callable, false_fun: Callable, *operands, operand=None):
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
  if operand is not None:
    operands = operands + (operand,)
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
      lambda i: "true_fun and false_fun output")


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
  return _bind_cond(index, branches, operands, "switch",
                    lambda i: f"branch 0 and {i} outputs")
