"""``linear_call`` and the helpers of ``jax.custom_derivatives`` around tangents.

``linear_call(fun, fun_transpose, residual_args, linear_args)`` stages ``fun``
as ``linear_call(*consts, *residuals, *linear, callee, transpose_thunk, ...)``.
Its JVP applies it to the tangents (it is linear); its transpose is another
``linear_call``, of ``fun_transpose``, whose own transpose is ``fun`` again.

  >>> import jaxlite
  >>> def f(r, x): return x / r
  >>> def t(r, ct): return ct / r
  >>> jaxlite.linear_transpose(lambda x: linear_call(f, t, 4.0, x), 1.0)(8.0)
  (Array(2., dtype=float32, weak_type=True),)

These names are re-exported by ``jaxlite.custom_derivatives``.
"""
from __future__ import annotations

import functools
from typing import Callable

from jaxlite import api_util, core
from jaxlite.core import ClosedJaxpr
from jaxlite.custom_derivatives import CustomVJPPrimal, SymbolicZero
from jaxlite.interpreters import ad, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.ad import Zero
from jaxlite.interpreters.pjit import shaped_abstractify
from jaxlite.tree_util import tree_flatten, tree_map, tree_unflatten, treedef_tuple

__all__ = ["linear_call", "linear_call_p", "custom_vjp_primal_tree_values",
           "zero_from_primal"]


def custom_vjp_primal_tree_values(tree):
  """Strips away perturbation information from forward rule arguments.

  With ``defvjp(..., symbolic_zeros=True)``, the forward rule's arguments
  are ``CustomVJPPrimal`` records whose ``value`` is the primal argument;
  this maps such a tree back to the plain values.

    >>> custom_vjp_primal_tree_values([CustomVJPPrimal(1.0, True)])
    [1.0]
  """
  def value(leaf):
    if type(leaf) is not CustomVJPPrimal:
      raise TypeError(f"unexpected leaf type {type(leaf)}")
    return leaf.value
  return tree_map(value, tree)


def zero_from_primal(val, symbolic_zeros=False):
  """Zero tangents for each leaf of ``val``: arrays of zeros of the tangent
  type (float0 for integers), or ``SymbolicZero`` records.

    >>> zero_from_primal({"a": 1.0})
    {'a': Array(0., dtype=float32, weak_type=True)}
  """
  def zero(x):
    aval = ad.tangent_aval(core.raise_to_shaped(core.get_aval(x)))
    return SymbolicZero(aval) if symbolic_zeros else ad.zeros_like_aval(aval)
  return tree_map(zero, val)


def _stage(fun, in_tree, avals):
  """``fun`` on flat arguments staged to (closed jaxpr taking consts first, consts, out tree)."""
  out_tree_box = []

  def flat_fun(*xs):
    leaves, tree = tree_flatten(fun(*tree_unflatten(in_tree, xs)))
    out_tree_box.append(tree)
    return leaves
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, list(avals))
  return ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), ()), consts, out_tree_box[0]


def linear_call(fun: Callable, fun_transpose: Callable, residual_args, linear_args):
  """Call a linear function, with a custom implementation for its transpose.

  ``fun(r, a)`` must be linear in ``a`` (not necessarily in the residuals
  ``r``); ``fun_transpose(r, b)`` is its transpose with respect to ``a``. The
  two are coupled: the transpose of a ``linear_call`` is a ``linear_call`` of
  ``fun_transpose`` with ``fun`` as its transpose.

  Args:
    fun: a Python callable specifying a linear function. It should
      take two arguments: one of "residual" inputs (type ``r``),
      i.e. inputs in which the function is not necessarily linear, and
      one of "linear" inputs (type ``a``).  It should return output
      whose components are linear in the linear input (type ``b``).
    fun_transpose: a Python callable specifying a structurally linear
      function that is the transpose of ``fun`` with respect to its
      linear inputs. Its first argument is the same residual inputs
      (``r``) as ``fun``. Its second argument is of type
      ``b``. Finally, its output is of type ``a`` and each of its
      component are linear in its second argument (the ``b`` inputs).
    residual_args: Argument in which ``fun`` and ``fun_transpose`` are
      not necessarily linear. Not involved in transposition.
    linear_args: Argument in which ``fun`` and ``fun_transpose`` are
      linear and with respect to which the two are transposes.

  Returns:
    The call result, i.e. ``fun(residual_args, linear_args)``.

  Example:
    >>> def f(r, x):
    ...   return x / r
    >>> def t(r, t):
    ...   return t / r
    >>> def div_add(x, denom):
    ...   return x + linear_call(f, t, denom, x)
    >>> div_add(9., 3.)
    Array(12., dtype=float32, weak_type=True)
  """
  operands_res, res_tree = tree_flatten(residual_args)
  operands_lin, lin_tree = tree_flatten(linear_args)
  res_avals = [shaped_abstractify(x) for x in operands_res]
  lin_avals = [shaped_abstractify(x) for x in operands_lin]
  callee, f_consts, out_tree = _stage(fun, treedef_tuple((res_tree, lin_tree)),
                                      res_avals + lin_avals)

  @functools.lru_cache(maxsize=None)
  def transpose_thunk():
    # Staged only when something transposes the call.
    transpose, t_consts, t_out_tree = _stage(
        fun_transpose, treedef_tuple((res_tree, out_tree)), res_avals + callee.out_avals)
    if t_out_tree != lin_tree:
      raise TypeError(
          'transpose output pytree structure must match that of linear inputs, '
          f'got output structure {t_out_tree} '
          f'and input structure {lin_tree}.')
    return transpose, t_consts

  transpose_thunk.printed_name = api_util.fun_name(fun_transpose)
  out = linear_call_p.bind(*f_consts, *operands_res, *operands_lin, callee=callee,
                           transpose_thunk=transpose_thunk,
                           num_callee_consts=len(f_consts), num_res=len(operands_res))
  return tree_unflatten(out_tree, out)


def _linear_call_impl(*args, callee, transpose_thunk, num_callee_consts, num_res):
  del transpose_thunk, num_callee_consts, num_res
  return core.eval_jaxpr(callee.jaxpr, callee.consts, *args)


def _linear_call_abstract_eval(*avals, callee, **_):
  return callee.out_avals


def _linear_call_jvp(primals, tangents, *, callee, transpose_thunk, num_callee_consts,
                     num_res):
  # Linear in its linear arguments: the tangent is the call applied to theirs.
  n_fixed = num_callee_consts + num_res
  if any(type(t) is not Zero for t in tangents[:n_fixed]):
    raise ValueError("linear_call: the residual arguments (and values the function "
                     "closes over) cannot be differentiated; only the linear "
                     "arguments may carry tangents.")
  params = dict(callee=callee, transpose_thunk=transpose_thunk,
                num_callee_consts=num_callee_consts, num_res=num_res)
  primals_out = linear_call_p.bind(*primals, **params)
  lin_tangents = [ad.instantiate_zeros(t) for t in tangents[n_fixed:]]
  tangents_out = linear_call_p.bind(*primals[:n_fixed], *lin_tangents, **params)
  return primals_out, tangents_out


def _linear_call_transpose(cts, *args, callee, transpose_thunk, num_callee_consts, num_res):
  transpose, t_consts = transpose_thunk()
  f_consts = args[:num_callee_consts]
  operands_res = args[num_callee_consts:num_callee_consts + num_res]
  if any(ad.is_undefined_primal(x) for x in operands_res + f_consts):
    raise ValueError("linear_call: can only transpose with respect to the linear arguments")
  cts_avals = transpose.in_avals[len(t_consts) + num_res:]
  cts = [ad.zeros_like_aval(a) if type(ct) is Zero else ct for ct, a in zip(cts, cts_avals)]

  def transpose_of_transpose():
    return callee, list(f_consts)
  cts_out = linear_call_p.bind(*t_consts, *operands_res, *cts, callee=transpose,
                               transpose_thunk=transpose_of_transpose,
                               num_callee_consts=len(t_consts), num_res=len(operands_res))
  return [None] * (num_callee_consts + num_res) + list(cts_out)


linear_call_p = core.Primitive("linear_call")
linear_call_p.multiple_results = True
linear_call_p.def_impl(_linear_call_impl)
linear_call_p.def_abstract_eval(_linear_call_abstract_eval)
ad.primitive_jvps[linear_call_p] = _linear_call_jvp
ad.primitive_transposes[linear_call_p] = _linear_call_transpose
mlir.register_lowering(linear_call_p, mlir.lower_fun(_linear_call_impl, multiple_results=True))
