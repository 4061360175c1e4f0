"""User-defined derivative rules: ``custom_jvp``, ``custom_vjp`` and ``closure_convert``.

A decorated function is staged to a jaxpr and bound as a call primitive that
carries the user's rule as a parameter:

* ``custom_jvp_call_p(*consts, *args, call_jaxpr, jvp_fun, num_consts,
  symbolic_zeros)``: evaluating it (eagerly or lowered under ``jit``) runs
  ``call_jaxpr``; its JVP rule calls ``jvp_fun(primals, tangents) ->
  (primals_out, tangents_out)`` (flat lists) instead of differentiating
  ``call_jaxpr``.
* ``custom_vjp_call_p(*consts, *args, call_jaxpr, fwd_fun, bwd_fun,
  num_consts, out_tree, symbolic_zeros)``: its JVP rule runs the user's
  ``fwd`` now and emits ``custom_lin_p(*residuals, *tangents, bwd, ...)``, a
  linear primitive whose transpose calls the user's ``bwd``. ``custom_lin_p``
  cannot be evaluated: that is the error of forward mode through a
  ``custom_vjp`` function.

vmap: both call primitives batch their ``call_jaxpr`` and wrap their rules
(``jvp_fun``, or ``fwd_fun`` and the ``bwd`` it returns) so that the rules
run batched too (``batching.axis_primitive_batchers``).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import api_util, core, dtypes, traceback_util, tree_util
from jaxlite.core import ClosedJaxpr
from jaxlite.interpreters import ad, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.ad import Zero
from jaxlite.interpreters.pjit import shaped_abstractify

__all__ = ["custom_jvp", "custom_vjp", "closure_convert", "SymbolicZero",
           "CustomVJPPrimal", "custom_jvp_call_p", "custom_vjp_call_p", "custom_lin_p",
           "linear_call", "linear_call_p", "custom_vjp_primal_tree_values", "zero_from_primal",
           "remat_opt_p"]


class SymbolicZero:
  """A zero tangent (or cotangent) passed to rules defined with ``symbolic_zeros=True``.

  Example:
    >>> import numpy as np
    >>> SymbolicZero(core.ShapedArray((2,), np.float32)).shape
    (2,)
  """

  def __init__(self, aval):
    self.aval = aval

  shape = property(lambda self: self.aval.shape)
  dtype = property(lambda self: self.aval.dtype)

  def __repr__(self):
    return f"SymbolicZero({self.aval.str_short()})"


class CustomVJPPrimal:
  """A primal input given to a ``custom_vjp`` fwd rule with ``symbolic_zeros=True``:
  its ``value`` and whether it is ``perturbed`` (has a nonzero tangent)."""

  def __init__(self, value, perturbed):
    self.value = value
    self.perturbed = perturbed

  def __repr__(self):
    return f"CustomVJPPrimal(value={self.value!r}, perturbed={self.perturbed})"


def _resolve_kwargs(fun, args, kwargs):
  """Keyword arguments become positional ones (the rules see only positionals)."""
  if not kwargs:
    return tuple(args)
  try:
    ba = inspect.signature(fun).bind(*args, **kwargs)
  except (TypeError, ValueError) as e:
    raise TypeError(f"custom derivative function {api_util.fun_name(fun)} called with "
                    f"arguments that do not match its signature: {e}") from None
  ba.apply_defaults()
  if ba.kwargs:
    raise TypeError("keyword arguments could not be resolved to positions.")
  return ba.args


def _nondiff_positions(fun, nondiff_argnums, nondiff_argnames):
  """The sorted positions of the non-differentiable arguments: ``nondiff_argnums``
  plus the positions ``nondiff_argnames`` name in ``fun``'s signature (as JAX's)."""
  nums = set(nondiff_argnums)
  if nondiff_argnames:
    if isinstance(nondiff_argnames, str):
      nondiff_argnames = (nondiff_argnames,)
    nums.update(api_util.resolve_static_args(fun, (), nondiff_argnames)[0])
  return tuple(sorted(nums))


def _split_nondiff(args, nondiff_argnums):
  nondiff = tuple(args[i] for i in nondiff_argnums)
  dyn = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
  return nondiff, dyn


def _merge_nondiff(nondiff_argnums, nondiff, dyn):
  it_nd, it_dyn = iter(nondiff), iter(dyn)
  n = len(nondiff) + len(dyn)
  return tuple(next(it_nd) if i in nondiff_argnums else next(it_dyn) for i in range(n))


def _is_eager(flat_args):
  return core._thread_state.dynamic_main.level == 0 and not any(
      isinstance(x, core.Tracer) for x in flat_args)


def _trace_call(fun, nondiff_argnums, nondiff, flat_args, in_tree):
  """Stages ``fun`` on the dynamic arguments: (closed jaxpr, consts, out_tree)."""
  out_tree = api_util.Store()

  def flat_fun(*xs):
    dyn = tree_util.tree_unflatten(in_tree, xs)
    out = fun(*_merge_nondiff(nondiff_argnums, nondiff, dyn))
    leaves, tree = tree_util.tree_flatten(out)
    out_tree.store(tree)
    return leaves
  avals = [shaped_abstractify(x) for x in flat_args]
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, avals)
  closed = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), ())
  return closed, consts, out_tree.val


def _call_impl(*args, call_jaxpr, **_):
  return core.eval_jaxpr(call_jaxpr.jaxpr, call_jaxpr.consts, *args)


def _call_abstract_eval(*avals, call_jaxpr, **_):
  return call_jaxpr.out_avals


def _call_lowering(ctx, *args, call_jaxpr, **_):
  return mlir.jaxpr_subcomp(ctx.module_context, call_jaxpr.jaxpr, call_jaxpr.consts, *args)


def _call_transpose(cts, *args, call_jaxpr, **_):
  """Transposing the call (when it sits in a linear function) transposes its body."""
  if all(type(c) is Zero for c in cts):
    return [Zero(a.aval) if ad.is_undefined_primal(a) else None for a in args]
  return ad.backward_pass(call_jaxpr.jaxpr, call_jaxpr.consts, list(args), list(cts))


def _tree_mismatch(kind, a, b):
  return f"{kind} {a} and {b}"


# --- custom_jvp ----------------------------------------------------------------------------

custom_jvp_call_p = core.Primitive("custom_jvp_call")
custom_jvp_call_p.multiple_results = True
custom_jvp_call_p.call_primitive = True
custom_jvp_call_p.def_impl(_call_impl)
custom_jvp_call_p.def_abstract_eval(_call_abstract_eval)
mlir.register_lowering(custom_jvp_call_p, _call_lowering)
ad.primitive_transposes[custom_jvp_call_p] = _call_transpose


def _forward_attr(self, name):
  """Attributes a custom-rule wrapper lacks are its function's (JAX's forward_attr):
  ``custom_vjp(custom_vmap(f)).def_vmap`` reaches the inner ``custom_vmap``."""
  if name == "fun":   # not set yet (copying, unpickling): no recursion
    raise AttributeError(name)
  return getattr(self.fun, name)


class custom_jvp:
  """Set up a JAX-transformable function for a custom JVP rule definition.

  Under differentiation the rule given with ``defjvp`` (or ``defjvps``) is used
  instead of differentiating the function's implementation.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> @jaxlite.custom_jvp
    ... def f(x, y):
    ...   return lax.mul(lax.sin(x), y)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...   (x, y), (x_dot, y_dot) = primals, tangents
    ...   out = f(x, y)
    ...   return out, lax.add(lax.mul(lax.mul(lax.cos(x), x_dot), y),
    ...                       lax.mul(lax.sin(x), y_dot))
    >>> print(jaxlite.grad(f)(0.0, 2.0))
    2.0
  """

  def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = (),
               nondiff_argnames: Sequence[str] = ()):
    functools.update_wrapper(self, fun)
    self.fun = fun
    self.nondiff_argnums = _nondiff_positions(fun, nondiff_argnums, nondiff_argnames)
    self.jvp = None
    self.symbolic_zeros = False

  __getattr__ = _forward_attr

  def __get__(self, obj, objtype=None):
    return self if obj is None else functools.partial(self, obj)

  def defjvp(self, jvp: Callable, symbolic_zeros: bool = False) -> Callable:
    """Define the custom JVP rule ``jvp(*nondiff_args, primals, tangents) ->
    (primal_out, tangent_out)``.

    With ``symbolic_zeros=True`` zero tangents arrive as ``SymbolicZero``
    objects, and the rule may return ``SymbolicZero`` tangents.

    Example:
      >>> import jaxlite
      >>> from jaxlite import lax
      >>> f = jaxlite.custom_jvp(lambda x: lax.sin(x))
      >>> _ = f.defjvp(lambda p, t: (f(p[0]), lax.mul(2.0, t[0])))
      >>> print(jaxlite.grad(f)(1.0))
      2.0
    """
    self.jvp = jvp
    self.symbolic_zeros = symbolic_zeros
    return jvp

  def defjvps(self, *jvps: Callable | None):
    """Define the JVP one argument at a time: ``jvps[i](t_i, primal_out, *primals)``
    is the contribution of argument ``i`` (None: no dependence).

    Example:
      >>> import jaxlite
      >>> from jaxlite import lax
      >>> f = jaxlite.custom_jvp(lambda x, y: lax.mul(lax.sin(x), y))
      >>> f.defjvps(lambda x_dot, ans, x, y: lax.mul(lax.mul(lax.cos(x), x_dot), y),
      ...           lambda y_dot, ans, x, y: lax.mul(lax.sin(x), y_dot))
      >>> print(jaxlite.grad(f, 1)(0.0, 2.0))
      0.0
    """
    if self.nondiff_argnums:
      raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

    def jvp(primals, tangents):
      primal_out = self(*primals)
      contributions = [fn(t, primal_out, *primals) for fn, t in zip(jvps, tangents)
                       if fn is not None]
      if not contributions:
        return primal_out, tree_util.tree_map(_zeros_like, primal_out)
      return primal_out, tree_util.tree_map(_sum_tangents, *contributions)
    self.defjvp(jvp)

  @traceback_util.api_boundary
  def __call__(self, *args, **kwargs):
    name = api_util.fun_name(self.fun)
    if self.jvp is None:
      raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
    args = _resolve_kwargs(self.fun, args, kwargs)
    nondiff, dyn = _split_nondiff(args, self.nondiff_argnums)
    flat_args, in_tree = tree_util.tree_flatten(dyn)
    if _is_eager(flat_args):
      return self.fun(*args)   # nothing transforms it: no need to stage
    call_jaxpr, consts, out_tree = _trace_call(self.fun, self.nondiff_argnums, nondiff,
                                               flat_args, in_tree)
    jvp_fun = _make_custom_jvp_fun(self, nondiff, in_tree, out_tree, call_jaxpr)
    _name_for_printing(jvp_fun, name, jvp=api_util.fun_name(self.jvp))
    outs = custom_jvp_call_p.bind(*consts, *flat_args, call_jaxpr=call_jaxpr,
                                  jvp_fun=jvp_fun, num_consts=len(consts),
                                  symbolic_zeros=self.symbolic_zeros)
    return tree_util.tree_unflatten(out_tree, outs)


def _zeros_like(x):
  from jaxlite import lax
  aval = core.get_aval(x)
  return lax.full(aval.shape, 0, ad.tangent_aval(aval).dtype)


def _sum_tangents(*xs):
  out = xs[0]
  for x in xs[1:]:
    out = ad.add_tangents(out, x)
  return out


def _make_custom_jvp_fun(cj, nondiff, in_tree, out_tree, call_jaxpr):
  rule_name = api_util.fun_name(cj.jvp)
  fun_name = api_util.fun_name(cj.fun)

  def jvp_fun(primals, tangents):
    primals_tree = tree_util.tree_unflatten(in_tree, primals)
    tangents_tree = tree_util.tree_unflatten(in_tree, tangents)
    out = cj.jvp(*nondiff, tuple(primals_tree), tuple(tangents_tree))
    if not (isinstance(out, (list, tuple)) and len(out) == 2):
      raise TypeError("Custom JVP rule must produce a pair (list or tuple of length two) "
                      f"representing primal and tangent outputs, but got {out}.")
    primal_out, tangent_out = out
    p_leaves, p_tree = tree_util.tree_flatten(primal_out)
    t_leaves, t_tree = tree_util.tree_flatten(
        tangent_out, is_leaf=lambda x: isinstance(x, SymbolicZero))
    if p_tree != out_tree:
      raise TypeError(f"Custom JVP rule {rule_name} for function {fun_name} must produce "
                      "primal outputs with the same container (pytree) structure as the "
                      f"function's output, but got {p_tree} and {out_tree} respectively.")
    if p_tree != t_tree:
      raise TypeError(f"Custom JVP rule {rule_name} for function {fun_name} must produce "
                      "primal and tangent outputs with equal container (pytree) "
                      f"structures, but got {p_tree} and {t_tree} respectively.")
    for p, aval in zip(p_leaves, call_jaxpr.out_avals):
      p_aval = core.get_aval(p)
      if p_aval.shape != aval.shape or p_aval.dtype != aval.dtype:
        raise TypeError(f"Custom JVP rule {rule_name} for function {fun_name} must produce "
                        "a primal output with the same shape and dtype as the function, "
                        f"but got {p_aval.str_short()} where the function gives "
                        f"{aval.str_short()}.")
    out_t = []
    for p, t in zip(p_leaves, t_leaves):
      expected = ad.tangent_aval(core.get_aval(p))
      if t is None or isinstance(t, (SymbolicZero, Zero)):
        out_t.append(Zero(expected))
        continue
      t_aval = core.get_aval(t)
      if t_aval.shape != expected.shape or (t_aval.dtype != expected.dtype and
                                            expected.dtype != dtypes.float0):
        raise TypeError(
            "Custom JVP rule must produce primal and tangent outputs with corresponding "
            f"shapes and dtypes. Expected {expected.str_short()} (tangent type of primal "
            f"output {core.get_aval(p).str_short()}) but got {t_aval.str_short()}.")
      out_t.append(t)
    return p_leaves, out_t
  return jvp_fun


def _custom_jvp_call_jvp(primals, tangents, *, call_jaxpr, jvp_fun, num_consts,
                         symbolic_zeros):
  consts, args = primals[:num_consts], primals[num_consts:]
  const_tangents, arg_tangents = tangents[:num_consts], tangents[num_consts:]
  if symbolic_zeros:
    arg_tangents = [SymbolicZero(t.aval) if type(t) is Zero else t for t in arg_tangents]
  else:
    arg_tangents = [ad.instantiate_zeros(t) for t in arg_tangents]
  out_primals, out_tangents = jvp_fun(list(args), list(arg_tangents))
  if any(type(t) is not Zero for t in const_tangents):
    # Values the function closes over are differentiated through its body.
    _, extra = ad.jvp_flat(
        functools.partial(core.eval_jaxpr, call_jaxpr.jaxpr, call_jaxpr.consts),
        primals, list(const_tangents) + [Zero(ad.tangent_aval(core.get_aval(a)))
                                         for a in args])
    out_tangents = [ad.add_tangents(t, e) for t, e in zip(out_tangents, extra)]
  return out_primals, out_tangents


ad.primitive_jvps[custom_jvp_call_p] = _custom_jvp_call_jvp


# --- custom_vjp ----------------------------------------------------------------------------

custom_vjp_call_p = core.Primitive("custom_vjp_call")
custom_vjp_call_p.multiple_results = True
custom_vjp_call_p.call_primitive = True
custom_vjp_call_p.def_impl(_call_impl)
custom_vjp_call_p.def_abstract_eval(_call_abstract_eval)
mlir.register_lowering(custom_vjp_call_p, _call_lowering)
ad.primitive_transposes[custom_vjp_call_p] = _call_transpose

_FORWARD_MODE_ERROR = "can't apply forward-mode autodiff (jvp) to a custom_vjp function."

custom_lin_p = core.Primitive("custom_lin")
custom_lin_p.multiple_results = True


def _custom_lin_impl(*args, **params):
  raise TypeError(_FORWARD_MODE_ERROR)


def _custom_lin_lowering(ctx, *args, **params):
  raise TypeError(_FORWARD_MODE_ERROR)


def _custom_lin_jvp(primals, tangents, **params):
  raise TypeError(_FORWARD_MODE_ERROR)


custom_lin_p.def_impl(_custom_lin_impl)
custom_lin_p.def_abstract_eval(lambda *avals, out_avals, **_: list(out_avals))
mlir.register_lowering(custom_lin_p, _custom_lin_lowering)
ad.primitive_jvps[custom_lin_p] = _custom_lin_jvp


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals, symbolic_zeros):
  res, lin = args[:num_res], args[num_res:]
  if symbolic_zeros:
    cts = [SymbolicZero(c.aval) if type(c) is Zero else c for c in cts]
  else:
    cts = [ad.instantiate_zeros(c) for c in cts]
  cts_in = bwd(list(res), list(cts))
  return [None] * num_res + list(cts_in)


ad.primitive_transposes[custom_lin_p] = _custom_lin_transpose


class custom_vjp:
  """Set up a JAX-transformable function for a custom VJP rule definition.

  Reverse-mode differentiation uses the ``fwd``/``bwd`` pair given with
  ``defvjp``; forward mode through the function raises a TypeError.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> @jaxlite.custom_vjp
    ... def f(x, y):
    ...   return lax.mul(lax.sin(x), y)
    >>> def f_fwd(x, y):
    ...   return f(x, y), (lax.cos(x), lax.sin(x), y)
    >>> def f_bwd(res, g):
    ...   cos_x, sin_x, y = res
    ...   return (lax.mul(lax.mul(cos_x, g), y), lax.mul(sin_x, g))
    >>> f.defvjp(f_fwd, f_bwd)
    >>> print(jaxlite.grad(f)(0.0, 2.0))
    2.0
  """

  def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = (),
               nondiff_argnames: Sequence[str] = ()):
    functools.update_wrapper(self, fun)
    self.fun = fun
    self.nondiff_argnums = _nondiff_positions(fun, nondiff_argnums, nondiff_argnames)
    self.fwd = None
    self.bwd = None
    self.symbolic_zeros = False
    self.optimize_remat = False
    self._fwd_to_run = None   # fwd, or its remat_opt staging (optimize_remat)

  __getattr__ = _forward_attr

  def __get__(self, obj, objtype=None):
    return self if obj is None else functools.partial(self, obj)

  def defvjp(self, fwd: Callable, bwd: Callable, symbolic_zeros: bool = False,
             optimize_remat: bool = False) -> None:
    """Define the rule: ``fwd(*args) -> (out, residuals)`` and
    ``bwd(*nondiff_args, residuals, out_cotangent) -> tuple of input cotangents``
    (one per non-``nondiff_argnums`` argument; None for a zero cotangent).

    Example:
      >>> import jaxlite
      >>> from jaxlite import lax
      >>> f = jaxlite.custom_vjp(lambda x: lax.sin(x))
      >>> f.defvjp(lambda x: (f(x), None), lambda res, g: (lax.mul(3.0, g),))
      >>> print(jaxlite.grad(f)(1.0))
      3.0
    """
    self.fwd = fwd
    self.bwd = bwd
    self.symbolic_zeros = symbolic_zeros
    self.optimize_remat = optimize_remat
    if symbolic_zeros and optimize_remat:
      raise NotImplementedError(
          "remat optimization for custom_vjp does not support symbolic zeros")
    if optimize_remat:   # fwd staged so that checkpoint can recompute with fun instead
      from jaxlite.custom_vjp_remat import optimize_remat_of_custom_vjp_fwd
      self._fwd_to_run = optimize_remat_of_custom_vjp_fwd(self.fun, fwd, self.nondiff_argnums)
    else:
      self._fwd_to_run = fwd

  @traceback_util.api_boundary
  def __call__(self, *args, **kwargs):
    name = api_util.fun_name(self.fun)
    if self.fwd is None:
      raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
    args = _resolve_kwargs(self.fun, args, kwargs)
    nondiff, dyn = _split_nondiff(args, self.nondiff_argnums)
    flat_args, in_tree = tree_util.tree_flatten(dyn)
    if _is_eager(flat_args):
      return self.fun(*args)
    call_jaxpr, consts, out_tree = _trace_call(self.fun, self.nondiff_argnums, nondiff,
                                               flat_args, in_tree)
    fwd_fun = functools.partial(_custom_vjp_fwd, self, nondiff, in_tree, out_tree,
                                call_jaxpr)
    _name_for_printing(fwd_fun, name, fwd=api_util.fun_name(self.fwd),
                       bwd=api_util.fun_name(self.bwd))
    outs = custom_vjp_call_p.bind(*consts, *flat_args, call_jaxpr=call_jaxpr,
                                  fwd_fun=fwd_fun, num_consts=len(consts),
                                  symbolic_zeros=self.symbolic_zeros)
    return tree_util.tree_unflatten(out_tree, outs)


def _custom_vjp_fwd(cv, nondiff, in_tree, out_tree, call_jaxpr, primals, perturbed):
  """Runs the user's fwd on flat primals; returns (outs, residual leaves, bwd_fun)."""
  fwd_name, fun_name = api_util.fun_name(cv.fwd), api_util.fun_name(cv.fun)
  in_avals = [core.raise_to_shaped(core.get_aval(p)) for p in primals]
  if cv.symbolic_zeros:
    primals = [CustomVJPPrimal(p, z) for p, z in zip(primals, perturbed)]
  dyn = tree_util.tree_unflatten(in_tree, primals)
  out = cv._fwd_to_run(*_merge_nondiff(cv.nondiff_argnums, nondiff, dyn))
  if not (isinstance(out, (list, tuple)) and len(out) == 2):
    raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {fun_name} must produce "
                    "a pair (list or tuple of length two) where the first element "
                    "represents the primal output (equal to the output of the "
                    f"custom_vjp-decorated function {fun_name}) and the second element "
                    "represents residuals (i.e. values stored from the forward pass for "
                    f"use on the backward pass), but instead got {out}.")
  primal_out, res = out
  out_leaves, fwd_out_tree = tree_util.tree_flatten(primal_out)
  if fwd_out_tree != out_tree:
    raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {fun_name} must produce "
                    "a pair (list or tuple of length two) where the first element "
                    "represents the primal output (equal to the output of the "
                    f"custom_vjp-decorated function {fun_name}), but the first element "
                    f"had container/pytree structure {fwd_out_tree} while the function "
                    f"output had {out_tree}.")
  for o, aval in zip(out_leaves, call_jaxpr.out_avals):
    o_aval = core.get_aval(o)
    if o_aval.shape != aval.shape or o_aval.dtype != aval.dtype:
      raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {fun_name} must "
                      "produce primal outputs with the shapes and dtypes of the function's "
                      f"outputs, but got {o_aval.str_short()} for {aval.str_short()}.")
  res_leaves, res_tree = tree_util.tree_flatten(res)
  bwd_fun = functools.partial(_custom_vjp_bwd, cv, nondiff, in_tree, out_tree, res_tree,
                              in_avals)
  return out_leaves, res_leaves, bwd_fun


def _custom_vjp_bwd(cv, nondiff, in_tree, out_tree, res_tree, in_avals, res, cts):
  """Runs the user's bwd; returns one cotangent per flat input (Zero for None)."""
  bwd_name = api_util.fun_name(cv.bwd)
  res_tree_val = tree_util.tree_unflatten(res_tree, res)
  ct_tree = tree_util.tree_unflatten(out_tree, cts)
  out = cv.bwd(*nondiff, res_tree_val, ct_tree)
  dyn_template = tree_util.tree_unflatten(in_tree, list(range(in_tree.num_leaves)))
  n_args = len(dyn_template)
  if not isinstance(out, (tuple, list)) or len(out) != n_args:
    got = type(out).__name__ if not isinstance(out, (tuple, list)) else \
        f"a {type(out).__name__} of length {len(out)}"
    raise TypeError("Custom VJP bwd rule must produce an output with the same container "
                    "(pytree) structure as the args tuple of the primal function, and in "
                    "particular must produce a tuple of length equal to the number of "
                    f"arguments to the primal function, but got bwd output structure {got} "
                    f"for primal input structure {in_tree} (bwd rule {bwd_name}).")
  flat_cts = []
  for k, (arg_ct, arg_template) in enumerate(zip(out, dyn_template)):
    idx = tree_util.tree_leaves(arg_template)
    if arg_ct is None:
      flat_cts.extend(Zero(ad.tangent_aval(in_avals[i])) for i in idx)
      continue
    leaves = []

    def match(ct, template):
      # None stands for zeros of the whole subtree under it (and for nothing
      # where the primal itself has None there), as in JAX.
      leaves.extend([ct] * len(tree_util.tree_leaves(template)))
    try:
      tree_util.tree_map(match, arg_ct, arg_template,
                         is_leaf=lambda x: x is None or isinstance(x, SymbolicZero))
    except (ValueError, TypeError):
      tree = tree_util.tree_structure(arg_ct)
      raise TypeError("Custom VJP bwd rule must produce an output with the same container "
                      "(pytree) structure as the args tuple of the primal function, but "
                      f"got {tree} for an argument of structure "
                      f"{tree_util.tree_structure(arg_template)} (bwd rule {bwd_name}).") from None
    for i, ct in zip(idx, leaves):
      expected = ad.tangent_aval(in_avals[i])
      if ct is None or isinstance(ct, SymbolicZero) or expected.dtype == dtypes.float0:
        flat_cts.append(Zero(expected))
        continue
      ct_aval = core.get_aval(ct)
      if ct_aval.shape != expected.shape:
        raise ValueError(
            "Custom VJP bwd rule must produce an output with the same shape/dtypes as the "
            f"args tuple of the primal function, but at output position {i} got shape "
            f"{ct_aval.shape} for an input of shape {expected.shape} (bwd rule "
            f"{bwd_name}).")
      if getattr(ct_aval, "vma", None) != getattr(expected, "vma", None):
        # Inside shard_map: a cotangent must vary along the manual axes its input does.
        sub = {leaf: tree_util.keystr(path) for path, leaf in
               tree_util.tree_flatten_with_path(arg_template)[0]}[i]
        raise ValueError(
            "Custom VJP bwd rule must produce an output with the same type as the args "
            f"tuple of the primal function, but at output[{k}]{sub} the bwd rule produced "
            f"an output of type {ct_aval.str_short(short_dtypes=False)} corresponding to "
            f"an input of type {in_avals[i].str_short(short_dtypes=False)}, so the manual "
            "axis types do not match")
      flat_cts.append(ct)
  return flat_cts


def _custom_vjp_call_jvp(primals, tangents, *, call_jaxpr, fwd_fun, num_consts,
                         symbolic_zeros):
  if any(type(t) is not Zero for t in tangents[:num_consts]):
    raise TypeError(
        "custom_vjp-decorated function closes over a value that is being differentiated; "
        "pass it as an explicit argument (see jax.closure_convert).")
  args, arg_tangents = primals[num_consts:], tangents[num_consts:]
  perturbed = [type(t) is not Zero for t in arg_tangents]
  out_primals, res, bwd_fun = fwd_fun(list(args), perturbed)
  out_avals = [ad.tangent_aval(core.raise_to_shaped(core.get_aval(o)))
               for o in out_primals]
  arg_tangents = [ad.instantiate_zeros(t) for t in arg_tangents]
  lin_tangents = [t for t in arg_tangents
                  if core.get_aval(t).dtype != dtypes.float0]
  if not lin_tangents:
    return out_primals, [Zero(a) for a in out_avals]
  bwd = functools.partial(_bwd_linear_inputs, bwd_fun,
                          [core.get_aval(t).dtype != dtypes.float0 for t in arg_tangents])
  out_tangents = custom_lin_p.bind(*res, *lin_tangents, num_res=len(res), bwd=bwd,
                                   out_avals=tuple(out_avals),
                                   symbolic_zeros=symbolic_zeros)
  return out_primals, out_tangents


def _bwd_linear_inputs(bwd_fun, keep, res, cts):
  cts_in = bwd_fun(res, cts)
  return [c for c, k in zip(cts_in, keep) if k]


ad.primitive_jvps[custom_vjp_call_p] = _custom_vjp_call_jvp


# --- vmap ------------------------------------------------------------------------------------


def _custom_jvp_call_batcher(axis_data, vals, dims, *, call_jaxpr, jvp_fun, num_consts,
                             symbolic_zeros):
  from jaxlite.interpreters import batching
  n_out = len(call_jaxpr.out_avals)
  batched, out_dims = batching.batch_jaxpr_axes(call_jaxpr, axis_data, dims,
                                                [batching.infer] * n_out)
  arg_dims = list(dims[num_consts:])

  def batched_jvp_fun(primals, tangents):
    n = len(primals)
    # a tangent has its primal's type, so its batch axis is the primal's
    tangents = [ad.zeros_like_aval(t.aval) if isinstance(t, SymbolicZero)
                else ad.instantiate_zeros(t) for t in tangents]

    def flat(*args):
      outs_p, outs_t = jvp_fun(list(args[:n]), list(args[n:]))
      return list(outs_p) + [ad.instantiate_zeros(t) for t in outs_t]
    outs, _ = batching.batch_flat(flat, axis_data, list(primals) + tangents,
                                  arg_dims + arg_dims, list(out_dims) * 2)
    return outs[:n_out], outs[n_out:]

  batched_jvp_fun.printed_names = getattr(jvp_fun, "printed_names", None)
  outs = custom_jvp_call_p.bind(*vals, call_jaxpr=batched, jvp_fun=batched_jvp_fun,
                                num_consts=num_consts, symbolic_zeros=False)
  return outs, out_dims


def _custom_vjp_call_batcher(axis_data, vals, dims, *, call_jaxpr, fwd_fun, num_consts,
                             symbolic_zeros):
  from jaxlite.interpreters import batching
  n_out = len(call_jaxpr.out_avals)
  batched, out_dims = batching.batch_jaxpr_axes(call_jaxpr, axis_data, dims,
                                                [batching.infer] * n_out)
  arg_dims = list(dims[num_consts:])

  def batched_fwd(primals, perturbed):
    box = []

    def flat(*args):
      outs, res, bwd = fwd_fun(list(args), perturbed)
      box.append((len(res), bwd))
      return list(outs) + list(res)
    outs, out_axes = batching.batch_flat(
        flat, axis_data, list(primals), arg_dims,
        lambda: list(out_dims) + [batching.infer] * box[0][0])
    n_res, bwd = box[0]
    res_dims = out_axes[n_out:]

    def batched_bwd(res, cts):
      cts = [c if not isinstance(c, SymbolicZero) else ad.zeros_like_aval(c.aval)
             for c in cts]

      def flat_bwd(*args):
        return [ad.instantiate_zeros(c) for c in bwd(list(args[:n_res]), list(args[n_res:]))]
      cts_in, ct_dims = batching.batch_flat(
          flat_bwd, axis_data, list(res) + cts, list(res_dims) + list(out_dims),
          [batching.infer] * len(primals))
      return [_match_ct(c, d, a, axis_data.size)
              for c, d, a in zip(cts_in, ct_dims, arg_dims)]
    return outs[:n_out], outs[n_out:], batched_bwd

  batched_fwd.printed_names = getattr(fwd_fun, "printed_names", None)
  outs = custom_vjp_call_p.bind(*vals, call_jaxpr=batched, fwd_fun=batched_fwd,
                                num_consts=num_consts, symbolic_zeros=symbolic_zeros)
  return outs, out_dims


def _match_ct(ct, ct_dim, arg_dim, size):
  """A cotangent from a batched bwd, with the batch axis its input had (summed
  over the batch for an unbatched input)."""
  from jaxlite import lax
  from jaxlite.interpreters import batching
  if core.get_aval(ct).dtype == dtypes.float0:
    return ct
  if ct_dim is None:
    return ct if arg_dim is None else batching.broadcast(ct, size, arg_dim)
  if arg_dim is None:
    return lax.reduce_sum(ct, (ct_dim,))
  return batching.moveaxis(ct, ct_dim, arg_dim)


def _register_batchers():
  from jaxlite.interpreters import batching
  batching.axis_primitive_batchers[custom_jvp_call_p] = _custom_jvp_call_batcher
  batching.axis_primitive_batchers[custom_vjp_call_p] = _custom_vjp_call_batcher


_register_batchers()


# --- closure_convert ------------------------------------------------------------------------


def closure_convert(fun: Callable, *example_args) -> tuple[Callable, list]:
  """Closure conversion utility, for use with higher-order custom derivatives.

  Traces ``fun`` at the types of ``example_args`` and hoists the values it
  closes over that may carry a derivative (tracers of enclosing
  transformations) into explicit arguments, as JAX does; concrete constants
  stay inside the converted function.

  Returns:
    ``(converted_fun, consts)``: ``converted_fun(*args, *consts)`` computes
    ``fun(*args)``.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> w = np.float32(3.0)
    >>> f, consts = jaxlite.closure_convert(lambda x: lax.mul(x, w), 1.0)
    >>> print(f(2.0, *consts), len(consts))
    6.0 0
    >>> jaxlite.grad(lambda w: len(jaxlite.closure_convert(lambda x: x * w, 1.0)[1]) * w)(2.0)
    Array(1., dtype=float32, weak_type=True)
  """
  flat_args, in_tree = tree_util.tree_flatten(example_args)
  flat_fun, out_tree = api_util.flatten_fun_nokwargs(fun, in_tree)
  avals = [shaped_abstractify(x) for x in flat_args]
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, avals)
  hoist = [_maybe_perturbed(c) for c in consts]
  hoisted = [c for c, h in zip(consts, hoist) if h]
  tree = out_tree.val

  def converted_fun(*args_hconsts):
    num_args = len(args_hconsts) - len(hoisted)
    args, hconsts = args_hconsts[:num_args], args_hconsts[num_args:]
    flat, tree_in = tree_util.tree_flatten(tuple(args))
    if tree_in != in_tree:
      raise TypeError("The inputs to the closure produced by closure_convert must have the "
                      "same Pytree structure as the example arguments passed when "
                      f"closure_convert was called. Expected {in_tree}, but got {tree_in}")
    it = iter(hconsts)
    all_consts = [next(it) if h else c for c, h in zip(consts, hoist)]
    outs = core.eval_jaxpr(jaxpr, all_consts, *flat)
    return tree_util.tree_unflatten(tree, outs)

  return converted_fun, hoisted


def _maybe_perturbed(x) -> bool:
  """Whether ``x`` may carry a nonzero tangent (JAX's heuristic): concrete values
  never do; a JVP tracer does unless its tangent is a symbolic zero; a staged
  value does unless its tangent type is float0."""
  if not isinstance(x, core.Tracer):
    return False
  if isinstance(x, ad.JVPTracer):
    return type(x.tangent) is not Zero or _maybe_perturbed(x.primal)
  if isinstance(x, pe.JaxprTracer):
    return ad.tangent_aval(core.raise_to_shaped(x.aval)).dtype != dtypes.float0
  from jaxlite.interpreters import batching
  if isinstance(x, batching.BatchTracer):
    return _maybe_perturbed(x.val)
  return True   # another trace's value: it may be


# --- printing: JAX shows the user's function and rule names -------------------------


def _name_for_printing(rule_fun, fun_name, **rule_names):
  """Remembers, on the rule wrapper held in the equation, the names JAX prints
  (``name=f jvp=f_jvp``; ``name=f bwd=bwd fwd=fwd``)."""
  rule_fun.printed_names = dict(name=fun_name, **rule_names)


def _custom_call_pp_rule(rule_param):
  def rule(eqn, context, settings):
    from jaxlite import jaxpr_printing
    params = dict(eqn.params)
    if not params["num_consts"]:
      params.pop("num_consts")
    names = dict(getattr(params.pop(rule_param), "printed_names", None) or {})
    fun_name = names.pop("name", "<unknown>")
    params.update(names)
    order = ["name"] + sorted(params)
    params["name"] = fun_name
    return jaxpr_printing.default_pp_eqn(jaxpr_printing.with_params(eqn, params),
                                         context, settings, params=order)
  return rule


def _register_pp_rules():
  from jaxlite import jaxpr_printing
  jaxpr_printing.pp_eqn_rules[custom_jvp_call_p] = _custom_call_pp_rule("jvp_fun")
  jaxpr_printing.pp_eqn_rules[custom_vjp_call_p] = _custom_call_pp_rule("fwd_fun")


_register_pp_rules()


# --- custom_gradient: a function that returns its own VJP -----------------------------


class _RuleResiduals:
  """The traced VJP rule of ``custom_gradient``: a jaxpr (static) and its constants."""

  def __init__(self, jaxpr, in_tree, consts):
    self.jaxpr, self.in_tree, self.consts = jaxpr, in_tree, consts


tree_util.register_pytree_node(
    _RuleResiduals, lambda r: (r.consts, (r.jaxpr, r.in_tree)),
    lambda aux, consts: _RuleResiduals(aux[0], aux[1], list(consts)))


def custom_gradient(fun: Callable) -> Callable:
  """Defines a function's gradient from inside it: ``fun`` returns
  ``(value, vjp)`` where ``vjp(cotangent)`` gives the cotangents of the inputs.

  The VJP rule is traced to a jaxpr on the forward pass, so it may close over
  intermediate values of ``fun``.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> @jaxlite.custom_gradient
    ... def f(x):
    ...   return x ** 2, lambda g: g * x
    >>> f(3.), jaxlite.grad(f)(3.)
    (9.0, Array(3., dtype=float32, weak_type=True))
  """
  @custom_vjp
  def wrapped(*args, **kwargs):
    value, _ = fun(*args, **kwargs)
    return value

  def fwd(*args, **kwargs):
    value, rule = fun(*args, **kwargs)
    value_flat, value_tree = tree_util.tree_flatten(value)
    ct_avals = [ad.tangent_aval(core.raise_to_shaped(core.get_aval(v))) for v in value_flat]
    in_tree_store = api_util.Store()

    def flat_rule(*cts_flat):
      input_cts = rule(tree_util.tree_unflatten(value_tree, cts_flat))
      flat, tree = tree_util.tree_flatten(input_cts)
      in_tree_store.store(tree)
      return flat
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_rule, ct_avals)
    return value, _RuleResiduals(jaxpr, in_tree_store.val, consts)

  def bwd(residuals, cts):
    input_cts = core.eval_jaxpr(residuals.jaxpr, residuals.consts, *tree_util.tree_leaves(cts))
    input_cts = tree_util.tree_unflatten(residuals.in_tree, input_cts)
    return (input_cts,) if tree_util.treedef_is_leaf(residuals.in_tree) else tuple(input_cts)

  wrapped.defvjp(fwd, bwd)
  return functools.update_wrapper(wrapped, fun)


# linear_call, the tangent helpers and remat_opt_p live in their own modules
# (which build on this one); they are part of this module's public names, as
# in JAX, imported on first use so that `import jaxlite` stays fast.
_LAZY_NAMES = {"linear_call": "jaxlite.custom_linear", "linear_call_p": "jaxlite.custom_linear",
               "custom_vjp_primal_tree_values": "jaxlite.custom_linear",
               "zero_from_primal": "jaxlite.custom_linear",
               "remat_opt_p": "jaxlite.custom_vjp_remat"}


def __getattr__(name):
  module = _LAZY_NAMES.get(name)
  if module is None:
    from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
    raise no_attribute_error(__name__, name)
  import importlib
  value = getattr(importlib.import_module(module), name)
  globals()[name] = value
  return value
