"""``jax.ad_checkpoint``: checkpointing (rematerialisation) and named values.

``checkpoint``, ``checkpoint_name`` and the policies are defined in
``jaxlite.checkpoint``; this module adds ``print_saved_residuals``, which
lists the values reverse-mode differentiation of a function keeps for its
backward pass, and the three decisions a policy may return (``Saveable``,
``Recompute``, ``Offloadable``, besides True/False):

  >>> import jaxlite.numpy as jnp
  >>> print_saved_residuals(lambda x: jnp.sin(x) * x, 1.0)
  f32[] from the argument x
  f32[] output of sin from unknown
  f32[] output of cos from unknown

jaxlite records no source location per equation, so where JAX prints
``from <file>:<line> (<function>)`` jaxlite prints ``from unknown`` (JAX's own
text for an equation without one).
"""
from __future__ import annotations

from typing import Callable

from jaxlite import api_util, core
from jaxlite.checkpoint import (Offloadable, Recompute, RecomputeType, Saveable,  # noqa: F401
                                SaveableType, checkpoint_name, checkpoint_policies, name_p)
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr
from jaxlite.tree_util import tree_flatten, tree_structure, tree_unflatten

__all__ = ["checkpoint_name", "checkpoint_policies", "print_saved_residuals", "Recompute",
           "Saveable", "Offloadable"]

# Names JAX 0.10.2 has removed from jax.ad_checkpoint, with its messages.
_deprecations = {
    "checkpoint": ("jax.ad_checkpoint.checkpoint was deprecated in JAX v0.8.2 and removed in "
                   "JAX v0.10.0; use jax.checkpoint instead.", None),
    "remat": ("jax.ad_checkpoint.remat was deprecated in JAX v0.8.2 and removed in JAX "
              "v0.10.0; use jax.remat instead.", None),
}
__getattr__ = _deprecation_getattr(__name__, _deprecations)


def saved_residuals(f: Callable, *args, **kwargs) -> list[tuple[core.ShapedArray, str]]:
  """``(aval, where it comes from)`` for each residual ``vjp(f, *args, **kwargs)``
  keeps for the backward pass.

    >>> saved_residuals(lambda x: x * 3.0, 1.0)
    []
  """
  from jaxlite.api import make_jaxpr
  from jaxlite.differentiation import vjp
  in_leaves, in_tree = tree_flatten((args, kwargs))

  def flat_f(*leaves):
    args, kwargs = tree_unflatten(in_tree, leaves)
    return f(*args, **kwargs)
  closed, out_shape = make_jaxpr(lambda *leaves: vjp(flat_f, *leaves),
                                 return_shape=True)(*in_leaves)
  jaxpr = closed.jaxpr
  # The vjp function is a pytree whose leaves are the residuals: the last outputs.
  num_res = tree_structure(out_shape[1]).num_leaves
  residuals = jaxpr.outvars[len(jaxpr.outvars) - num_res:]
  try:
    names = api_util.arg_names(f, args, kwargs)
  except Exception:  # noqa: BLE001 -- names are only decoration
    names = None
  if not names or len(names) != len(jaxpr.invars):
    names = [None] * len(jaxpr.invars)
  return _describe(jaxpr, residuals, names)


def _describe(jaxpr, residuals, arg_names):
  literals = [x for x in residuals if isinstance(x, core.Literal)]
  wanted = {x for x in residuals if not isinstance(x, core.Literal)}
  # reduce_precision only rounds: the value it rounds is the one saved.
  from jaxlite.lax import reduce_precision_p
  rounded = {e.outvars[0]: e.invars[0] for e in jaxpr.eqns
             if e.primitive is reduce_precision_p}
  wanted = {rounded.get(v, v) for v in wanted}
  results = [(core.raise_to_shaped(core.get_aval(x.val)), "from a literal") for x in literals]
  results += [(v.aval, "from a constant") for v in jaxpr.constvars if v in wanted]
  for i, v in enumerate(jaxpr.invars):
    if v in wanted:
      source = (f"from the argument {arg_names[i]}" if arg_names[i]
                else f"from the argument at flattened index {i}")
      results.append((v.aval, source))
  for eqn in jaxpr.eqns:
    for v in eqn.outvars:
      if v in wanted:
        results.append((v.aval, _produced_by(eqn)))
  return results


def _produced_by(eqn, where="unknown"):
  if eqn.primitive is name_p:
    return f"named '{eqn.params['name']}' from {where}"
  if eqn.primitive.name == "jit":
    return f"output of jitted function '{eqn.params['name']}' from {where}"
  return f"output of {eqn.primitive.name} from {where}"


def print_saved_residuals(f, *args, **kwargs):
  """Prints, one per line, the shape of each residual ``vjp(f, *args, **kwargs)``
  saves and where it comes from (an argument, a constant, or an equation).

    >>> import jaxlite
    >>> print_saved_residuals(jaxlite.checkpoint(lambda x: x * x), 2.0)
    f32[] from the argument x
  """
  for aval, source in saved_residuals(f, *args, **kwargs):
    print(f"{aval.str_short(short_dtypes=True)} {source}")
