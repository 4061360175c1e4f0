"""``jax.custom_batching``: functions with a user-defined ``vmap`` rule.

A ``custom_vmap`` function is staged to a jaxpr and bound as
``custom_vmap_call(*consts, *args, call, rule, in_tree, out_tree)``.
Evaluating or lowering it runs ``call``; ``vmap`` runs ``rule`` instead; its
JVP binds the primitive again on the JVP of ``call``, with a rule that runs the
user's rule under ``jvp`` (so ``vmap`` of ``jvp`` still uses the custom rule).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> @custom_vmap
  ... def f(x):
  ...   return x + 1
  >>> @f.def_vmap
  ... def f_batched(axis_size, in_batched, xs):
  ...   return xs * 10, True
  >>> f(1.0), jaxlite.vmap(f)(jnp.arange(2.0))
  (Array(2., dtype=float32, weak_type=True), Array([ 0., 10.], dtype=float32))
"""
from __future__ import annotations

import functools
import inspect
import operator
from typing import Any, Callable

from jaxlite import api_util, core
from jaxlite.core import ClosedJaxpr
from jaxlite.custom_derivatives import _forward_attr, _resolve_kwargs
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.pjit import shaped_abstractify
from jaxlite.tree_util import (tree_flatten, tree_leaves, tree_map, tree_structure,
                               tree_unflatten, treedef_tuple)

__all__ = ["custom_vmap", "sequential_vmap"]


class custom_vmap:
  """Customize the vmap behavior of a JAX-transformable function.

  A ``custom_vmap``-decorated function behaves as the function it wraps,
  except under :func:`jax.vmap`, where the rule given with ``def_vmap`` runs.
  It does not support reverse-mode autodiff by itself: put a
  :class:`jax.custom_vjp` around it for that.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> @custom_vmap
    ... def f(x, y):
    ...   return x + y
    >>> @f.def_vmap
    ... def f_vmap_rule(axis_size, in_batched, xs, ys):
    ...   return xs * ys, True
    >>> jaxlite.vmap(f)(jnp.arange(3), jnp.arange(1, 4))
    Array([0, 2, 6], dtype=int32)
  """

  fun: Callable[..., Any]
  vmap_rule: Callable[..., tuple[Any, Any]] | None

  def __init__(self, fun: Callable[..., Any]):
    functools.update_wrapper(self, fun)
    self.fun = fun
    self.vmap_rule = None

  __getattr__ = _forward_attr   # the wrapped function's attributes, as JAX's

  def __get__(self, instance, owner=None):
    # Decorating a method binds it like a plain function would be.
    return self if instance is None else functools.partial(self, instance)

  def def_vmap(self, vmap_rule: Callable[..., tuple[Any, Any]]) -> Callable[..., tuple[Any, Any]]:
    """Define the vmap rule for this custom_vmap function.

    Args:
      vmap_rule: A function that implements the vmap rule. This function should
        accept the following arguments: (1) an integer ``axis_size`` as its
        first argument, (2) a pytree of booleans with the same structure as the
        inputs to the function, specifying whether each argument is batched,
        and (3) the batched arguments. It should return a tuple of the batched
        output and a pytree of booleans with the same structure as the output,
        specifying whether each output element is batched.

    Returns:
      This method passes the rule through, returning ``vmap_rule`` unchanged.

    Example:
      >>> f = custom_vmap(lambda x: x)
      >>> rule = f.def_vmap(lambda axis_size, in_batched, xs: (xs, True))
      >>> f.vmap_rule is rule
      True
    """
    self.vmap_rule = vmap_rule
    return vmap_rule

  def __call__(self, *args, **kwargs):
    name = api_util.fun_name(self.fun)
    args = _resolve_arguments(self.fun, name, args, kwargs)
    if not self.vmap_rule:
      raise AttributeError(
          f"No batching rule defined for custom_vmap function {name} using def_vmap.")
    args_flat, in_tree = tree_flatten(args)
    out_tree_box = []

    def flat_fun(*xs):
      leaves, tree = tree_flatten(self.fun(*tree_unflatten(in_tree, xs)))
      out_tree_box.append(tree)
      return leaves
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(
        flat_fun, [shaped_abstractify(x) for x in args_flat])
    call = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), ())
    outs = custom_vmap_p.bind(
        *consts, *args_flat, call=call, rule=ClosedRule(self.vmap_rule),
        in_tree=treedef_tuple((tree_structure(consts), in_tree)),
        out_tree=out_tree_box[0])
    return tree_unflatten(out_tree_box[0], outs)


def _resolve_arguments(fun, name, args, kwargs):
  # Keyword arguments become positional ones; a call that does not fit the
  # signature fails here with JAX's message, before any tracing.
  try:
    signature = inspect.signature(fun)
  except (TypeError, ValueError):   # no signature to check against (a builtin)
    return _resolve_kwargs(fun, args, kwargs)
  try:
    bound = signature.bind(*args, **kwargs)
  except TypeError as e:
    raise TypeError(
        "The input arguments to the custom_vmap-decorated function "
        f"{name} could not be resolved to positional-only "
        f"arguments. Binding failed with the error:\n{e}") from e
  bound.apply_defaults()
  return bound.args


class ClosedRule:
  """The user's rule as the primitive calls it: arguments ``(consts, args)``,
  the constants (values the function closed over) never batched."""

  def __init__(self, rule: Callable):
    functools.update_wrapper(self, rule)
    self.rule = rule

  def __call__(self, axis_size, all_in_batched, *all_args):
    _, args = all_args
    consts_batched, in_batched = all_in_batched
    if any(tree_leaves(consts_batched)):
      raise ValueError("custom_vmap: a function that closes over a value batched by an "
                       "enclosing vmap is not supported; pass it as an argument.")
    return call_rule(self.rule, axis_size, in_batched, args)

  def __str__(self):
    return str(self.rule)


def ensure_list(xs):
  """``xs`` as a list (the rule always receives ``in_batched`` as a list)."""
  return xs if type(xs) is list else list(xs)


def rule_name(rule):
  """The rule's ``__name__`` for error messages."""
  return getattr(rule, "__name__", "<unnamed rule>")


def call_rule(rule, axis_size, in_batched, args):
  """``rule(axis_size, in_batched, *args)`` with ``in_batched`` as a list."""
  return rule(axis_size, ensure_list(in_batched), *args)


def check_vmap_rule_trees(rule, original_out_tree, out_tree, out_batched_tree):
  """JAX's ValueErrors when a rule's output or batching spec has the wrong structure."""
  if out_tree != out_batched_tree:
    raise ValueError(
        'structure of output value and output batching specification returned '
        f'by custom vmap rule ({rule_name(rule)}) do not match.\n'
        f'Output values: {out_tree}\n'
        f'Batching spec: {out_batched_tree}')
  if out_tree != original_out_tree:
    raise ValueError(
        f'structure of output returned by custom vmap rule ({rule_name(rule)}) '
        'does not match that of original custom-vmapped function.\n'
        f'Original output: {original_out_tree}\n'
        f'Rule output: {out_tree}')


def maybe_bdim_at_front(x, bdim):
  """``x`` with its batch axis ``bdim`` (None: unbatched) moved to the front."""
  return x if bdim is None else batching.moveaxis(x, bdim, 0)


# --- the primitive -------------------------------------------------------------------------


def _custom_vmap_impl(*args, call, rule, in_tree, out_tree):
  del rule, in_tree, out_tree
  return core.eval_jaxpr(call.jaxpr, call.consts, *args)


def _custom_vmap_abstract_eval(*avals, call, **_):
  return call.out_avals


def _custom_vmap_effects(*avals, call, **_):
  return call.effects


def _custom_vmap_batcher(axis_data, args_flat, dims, *, call, rule, in_tree, out_tree):
  del call
  axis_size = axis_data.size
  args_flat = [maybe_bdim_at_front(x, d) for x, d in zip(args_flat, dims)]
  args = tree_unflatten(in_tree, args_flat)
  in_batched = tree_unflatten(in_tree, [d is not None for d in dims])
  out, out_batched = call_rule(rule, axis_size, in_batched, args)
  flat_outs, tree = tree_flatten(out)
  flat_out_batched, batched_tree = tree_flatten(out_batched)
  check_vmap_rule_trees(rule, out_tree, tree, batched_tree)
  return flat_outs, [0 if b else None for b in flat_out_batched]


def _custom_vmap_jvp(primals, tangents, *, call, rule, in_tree, out_tree):
  tangents = [ad.instantiate_zeros(t) for t in tangents]
  jvp_call, _ = ad.jvp_jaxpr(call, [True] * len(primals), True)
  outs = custom_vmap_p.bind(
      *primals, *tangents, call=jvp_call, rule=_JVPOfRule(rule, out_tree),
      in_tree=treedef_tuple((in_tree, in_tree)),
      out_tree=treedef_tuple((out_tree, out_tree)))
  n = len(outs) // 2
  return outs[:n], outs[n:]


class _JVPOfRule:
  """The vmap rule of the JVP: the user's rule under ``jvp``.

  The rule sees the primals and tangents batched alike (``mutually
  batched``); an argument batched only as a primal or only as a tangent is
  mapped over by an inner ``vmap`` around that ``jvp``.
  """

  def __init__(self, rule, out_tree):
    self.rule, self.out_tree = rule, out_tree
    self.__name__ = rule_name(rule)

  def __call__(self, axis_size, in_batched, primals, tangents):
    from jaxlite.differentiation import jvp
    batched_ps, batched_ts = in_batched
    mutually_batched = tree_map(operator.and_, batched_ps, batched_ts)
    extra_ps = tree_map(lambda p, t: 0 if p and not t else None, batched_ps, batched_ts)
    extra_ts = tree_map(lambda p, t: 0 if t and not p else None, batched_ps, batched_ts)
    flat_ps_ts, ps_ts_tree = tree_flatten((primals, tangents))
    flat_extra = tree_flatten((extra_ps, extra_ts), is_leaf=lambda x: x is None)[0]
    out_batched_box, result_tree_box = [], []

    def rule_of_primals(*ps):
      out, out_batched = call_rule(self.rule, axis_size, mutually_batched, ps)
      check_vmap_rule_trees(self.rule, self.out_tree, tree_structure(out),
                            tree_structure(out_batched))
      out_batched_box.append(out_batched)
      return out

    def flat_jvp(*leaves):
      ps, ts = tree_unflatten(ps_ts_tree, leaves)
      result = jvp(rule_of_primals, tuple(ps), tuple(ts))
      result_leaves, tree = tree_flatten(result)
      result_tree_box.append(tree)
      return result_leaves

    outs, out_axes = batching.batch_flat(
        flat_jvp, batching.AxisData(None, axis_size), flat_ps_ts, flat_extra,
        lambda: [batching.infer] * result_tree_box[0].num_leaves)
    outs = [maybe_bdim_at_front(x, d) for x, d in zip(outs, out_axes)]
    extra = [d is not None for d in out_axes]
    out_ps, out_ts = tree_unflatten(result_tree_box[0], outs)
    extra_out_ps, extra_out_ts = tree_unflatten(result_tree_box[0], extra)
    mutual = out_batched_box[0]
    return ((out_ps, out_ts),
            (tree_map(operator.or_, mutual, extra_out_ps),
             tree_map(operator.or_, mutual, extra_out_ts)))


custom_vmap_p = core.Primitive("custom_vmap_call")
custom_vmap_p.multiple_results = True
custom_vmap_p.def_impl(_custom_vmap_impl)
custom_vmap_p.def_abstract_eval(_custom_vmap_abstract_eval)
custom_vmap_p.effects_rule = _custom_vmap_effects
batching.axis_primitive_batchers[custom_vmap_p] = _custom_vmap_batcher
ad.primitive_jvps[custom_vmap_p] = _custom_vmap_jvp
mlir.register_lowering(custom_vmap_p, mlir.lower_fun(_custom_vmap_impl, multiple_results=True))


# --- sequential_vmap ------------------------------------------------------------------------


def tree_split(mask, tree):
  """``tree`` split by a boolean ``mask`` (a prefix): (the masked parts, the rest),
  None standing where a part went to the other side.

    >>> tree_split([True, False], [1, 2])
    ([1, None], [None, 2])
  """
  masked = tree_map(lambda keep, x: x if keep else None, mask, tree)
  rest = tree_map(lambda keep, x: None if keep else x, mask, tree)
  return masked, rest


def tree_merge(mask, lhs_tree, rhs_tree):
  """The inverse of ``tree_split``.

    >>> tree_merge([True, False], [1, None], [None, 2])
    [1, 2]
  """
  return tree_map(lambda keep, lhs, rhs: lhs if keep else rhs, mask, lhs_tree, rhs_tree)


def sequential_vmap(f):
  """A special case of ``custom_vmap`` that uses a loop.

  A function decorated with ``sequential_vmap`` will be called sequentially
  within a loop (``lax.map``) when batched. This is useful for functions that
  don't natively support batch dimensions.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> @sequential_vmap
    ... def f(x):
    ...   jaxlite.debug.print("{}", x)
    ...   return x + 1
    >>> jaxlite.vmap(f)(jnp.arange(3))
    0
    1
    2
    Array([1, 2, 3], dtype=int32)
  """
  from jaxlite.lax import map as lax_map
  f = custom_vmap(f)

  @f.def_vmap
  def rule(axis_size, in_batched, *args):
    del axis_size
    mapped_args, broadcast_args = tree_split(in_batched, list(args))

    def one_element(mapped):
      return f(*tree_merge(in_batched, mapped, broadcast_args))
    out = lax_map(one_element, mapped_args)
    return out, tree_map(lambda _: True, out)

  return f
