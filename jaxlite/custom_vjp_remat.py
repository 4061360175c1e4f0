"""``custom_vjp(...).defvjp(fwd, bwd, optimize_remat=True)``: the ``remat_opt`` primitive.

With ``optimize_remat`` the forward rule is staged as
``remat_opt(*consts, *args, num_consts, num_res, fwd_jaxpr, fun_jaxpr_thunk)``
whose outputs are the residuals followed by the primal outputs. It evaluates
``fwd_jaxpr``; but when dead-code elimination finds none of its residuals
used (under ``checkpoint``, where the backward pass recomputes them), the
equation becomes one of the primal function itself (``fun_jaxpr_thunk``),
which is usually cheaper than the forward rule.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> @jaxlite.custom_vjp
  ... def f(x):
  ...   return jnp.sin(x)
  >>> f.defvjp(lambda x: (jnp.sin(x), jnp.cos(x)), lambda c, g: (c * g,),
  ...          optimize_remat=True)
  >>> print(jaxlite.grad(jaxlite.checkpoint(f))(0.0))
  1.0
"""
from __future__ import annotations

import functools
from typing import Callable

from jaxlite import core, tree_util
from jaxlite.core import ClosedJaxpr, JaxprEqn
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.pjit import shaped_abstractify

__all__ = ["remat_opt_p", "optimize_remat_of_custom_vjp_fwd"]


def _stage(fun, avals):
  # fun (flat in, flat out) as a closed jaxpr with its constants as leading inputs.
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, list(avals))
  return ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), ()), consts


def optimize_remat_of_custom_vjp_fwd(fun: Callable, fwd: Callable,
                                     nondiff_argnums=(), symbolic_zeros: bool = False):
  """``fwd`` staged as one ``remat_opt`` equation that knows ``fun`` too.

  Returns a function with ``fwd``'s signature and results.

    >>> import jaxlite.numpy as jnp
    >>> fwd = optimize_remat_of_custom_vjp_fwd(jnp.sin, lambda x: (jnp.sin(x), jnp.cos(x)))
    >>> print(fwd(0.0))
    (Array(0., dtype=float32, weak_type=True), Array(1., dtype=float32, weak_type=True))
  """
  if symbolic_zeros:
    raise ValueError("remat optimization for custom_vjp does not support symbolic zeros")
  nondiff_argnums = tuple(sorted(nondiff_argnums))

  @functools.wraps(fwd)
  def wrapped_fwd(*args):
    nondiff = {i: args[i] for i in nondiff_argnums}
    dyn = [a for i, a in enumerate(args) if i not in nondiff]
    flat_args, in_tree = tree_util.tree_flatten(tuple(dyn))

    def merged(flat):
      dyn_it = iter(tree_util.tree_unflatten(in_tree, flat))
      return [nondiff[i] if i in nondiff else next(dyn_it) for i in range(len(args))]
    trees = []

    def flat_fwd(*flat):
      primal_out, res = fwd(*merged(flat))
      out_leaves, out_tree = tree_util.tree_flatten(primal_out)
      res_leaves, res_tree = tree_util.tree_flatten(res)
      trees.append((out_tree, res_tree))
      return res_leaves + out_leaves
    avals = [shaped_abstractify(x) for x in flat_args]
    fwd_jaxpr, consts = _stage(flat_fwd, avals)
    if fwd_jaxpr.effects:
      raise NotImplementedError(
          "remat optimization for custom_vjp does not support forward "
          f"functions with these side effects: {set(fwd_jaxpr.effects)}")
    out_tree, res_tree = trees[0]

    @functools.lru_cache(maxsize=None)
    def fun_jaxpr_thunk():
      def flat_fun(*flat):
        return tree_util.tree_leaves(fun(*merged(flat)))
      jaxpr, _, fun_consts = pe.trace_to_jaxpr_dynamic(flat_fun, avals)
      return jaxpr, fun_consts

    outs = remat_opt_p.bind(*consts, *flat_args, num_consts=len(consts),
                            num_res=res_tree.num_leaves, fwd_jaxpr=fwd_jaxpr,
                            fun_jaxpr_thunk=fun_jaxpr_thunk)
    res, primal = outs[:res_tree.num_leaves], outs[res_tree.num_leaves:]
    return (tree_util.tree_unflatten(out_tree, primal),
            tree_util.tree_unflatten(res_tree, res))
  return wrapped_fwd


def _remat_opt_impl(*args, num_consts, num_res, fwd_jaxpr, fun_jaxpr_thunk):
  del num_consts, num_res, fun_jaxpr_thunk
  return core.eval_jaxpr(fwd_jaxpr.jaxpr, fwd_jaxpr.consts, *args)


def _remat_opt_abstract_eval(*avals, fwd_jaxpr, **_):
  return fwd_jaxpr.out_avals


def _remat_opt_jvp(primals, tangents, *, num_consts, num_res, fwd_jaxpr, fun_jaxpr_thunk):
  # Rebinds on the JVP of the forward rule, arranged so that the residuals
  # (and their tangents) still come first and the constants (and theirs) too.
  n_args = len(primals) - num_consts
  tangents = [ad.instantiate_zeros(t) for t in tangents]
  jvp_closed, _ = ad.jvp_jaxpr(fwd_jaxpr, [True] * len(primals), True)
  n_out = len(fwd_jaxpr.out_avals)

  def arranged(*ins):
    consts, consts_dot = ins[:num_consts], ins[num_consts:2 * num_consts]
    args, args_dot = ins[2 * num_consts:2 * num_consts + n_args], ins[2 * num_consts + n_args:]
    outs = core.eval_jaxpr(jvp_closed.jaxpr, jvp_closed.consts,
                           *consts, *args, *consts_dot, *args_dot)
    res, prim = outs[:num_res], outs[num_res:n_out]
    res_dot, prim_dot = outs[n_out:n_out + num_res], outs[n_out + num_res:]
    return [*res, *res_dot, *prim, *prim_dot]
  avals = [core.raise_to_shaped(core.get_aval(x)) for x in
           [*primals[:num_consts], *tangents[:num_consts], *primals[num_consts:],
            *tangents[num_consts:]]]
  jvp_fwd, jvp_consts = _stage(arranged, avals)

  arg_avals = avals[2 * num_consts:]

  @functools.lru_cache(maxsize=None)
  def fun_jvp_thunk():
    # The JVP of the primal function, on (args, arg tangents), as (jaxpr, consts).
    jaxpr, consts = fun_jaxpr_thunk()

    def fun_jvp(*ins):
      outs_p, outs_t = ad.jvp_flat(functools.partial(core.eval_jaxpr, jaxpr, consts),
                                   list(ins[:n_args]), list(ins[n_args:]))
      return [*outs_p, *[ad.instantiate_zeros(t) for t in outs_t]]
    jvp_jaxpr, _, jvp_consts = pe.trace_to_jaxpr_dynamic(fun_jvp, arg_avals)
    return jvp_jaxpr, jvp_consts

  outs = remat_opt_p.bind(*jvp_consts, *primals[:num_consts], *tangents[:num_consts],
                          *primals[num_consts:], *tangents[num_consts:],
                          num_consts=len(jvp_consts) + 2 * num_consts, num_res=2 * num_res,
                          fwd_jaxpr=jvp_fwd, fun_jaxpr_thunk=fun_jvp_thunk)
  res, res_dot = outs[:num_res], outs[num_res:2 * num_res]
  n_prim = (len(outs) - 2 * num_res) // 2
  prim, prim_dot = outs[2 * num_res:2 * num_res + n_prim], outs[2 * num_res + n_prim:]
  return [*res, *prim], [*res_dot, *prim_dot]


def _remat_opt_transpose(cts, *args, **params):
  raise NotImplementedError(
      "remat optimization for custom_vjp does not support higher-order AD")


def _remat_opt_batch(axis_data, args, dims, *, num_consts, num_res, fwd_jaxpr,
                     fun_jaxpr_thunk):
  n_out = len(fwd_jaxpr.out_avals)
  batched_fwd, _ = batching.batch_jaxpr_axes(fwd_jaxpr, axis_data, dims, [0] * n_out)
  arg_dims = dims[num_consts:]

  @functools.lru_cache(maxsize=None)
  def batched_fun_thunk():
    jaxpr, consts = fun_jaxpr_thunk()
    fun_closed = ClosedJaxpr(jaxpr, consts)
    batched, _ = batching.batch_jaxpr_axes(fun_closed, axis_data, arg_dims,
                                           [0] * len(fun_closed.out_avals))
    return batched.jaxpr, list(batched.consts)

  outs = remat_opt_p.bind(*args, num_consts=num_consts, num_res=num_res,
                          fwd_jaxpr=batched_fwd, fun_jaxpr_thunk=batched_fun_thunk)
  return outs, [0] * n_out


def _remat_opt_dce(used_outputs, eqn):
  # No residual read: the primal function replaces the forward rule.
  num_res, num_consts = eqn.params["num_res"], eqn.params["num_consts"]
  if num_res == 0 or any(used_outputs[:num_res]):
    return eqn
  jaxpr, consts = eqn.params["fun_jaxpr_thunk"]()
  fun_jaxpr = ClosedJaxpr(jaxpr, list(consts))
  params = dict(eqn.params, num_consts=0, num_res=0, fwd_jaxpr=fun_jaxpr)
  return JaxprEqn(list(eqn.invars[num_consts:]), list(eqn.outvars[num_res:]), remat_opt_p,
                  params, eqn.effects)


remat_opt_p = core.Primitive("remat_opt")
remat_opt_p.multiple_results = True
remat_opt_p.def_impl(_remat_opt_impl)
remat_opt_p.def_abstract_eval(_remat_opt_abstract_eval)
mlir.register_lowering(remat_opt_p, mlir.lower_fun(_remat_opt_impl, multiple_results=True))
ad.primitive_jvps[remat_opt_p] = _remat_opt_jvp
ad.primitive_transposes[remat_opt_p] = _remat_opt_transpose
batching.axis_primitive_batchers[remat_opt_p] = _remat_opt_batch
pe.dce_rules[remat_opt_p] = _remat_opt_dce
