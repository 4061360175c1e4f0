"""JAX's error for a control-flow function (a ``scan``/``while_loop``/
``fori_loop`` body, a ``cond``/``switch`` branch) that returns a ref: refs may
be closed over and written, never carried or returned.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> r = jaxlite.new_ref(jnp.zeros(2))
  >>> try:
  ...   jaxlite.lax.cond(True, lambda: r, lambda: r)
  ... except ValueError as e:
  ...   print(str(e).split(" traced for ")[1])
  cond returned a mutable array reference of type Ref{float32[2]}, but mutable array references cannot be returned.
"""
from __future__ import annotations

from jaxlite import api_util, tree_util
from jaxlite.state import primitives as prims
from jaxlite.state.types import AbstractRef

# The name JAX's tracing gives each control-flow function (by jaxlite's cache tag).
_TRACED_FOR = {"while_body": "while_body", "while_cond": "while_cond"}


def _user_function(fun):
  """``(function, traced_for)``: fori_loop's wrappers stand for the user's body."""
  get_body = getattr(fun, "fori_body", None)
  if get_body is not None and get_body() is not None:
    return get_body(), "fori_loop"
  return fun, None


def _arg_name(user_fun, wrapped, in_tree, invars, var):
  """The user's name of the argument ``var`` (``c``, ``carry['w']``), or None."""
  pos = invars.index(var)
  args = tree_util.tree_unflatten(in_tree, [v.aval for v in invars])
  try:
    if wrapped:   # fori_loop's wrapper takes ((i, [upper,] x), ...): name (i, x)
      carry = args[0]
      names = api_util.arg_names(user_fun, (carry[0], carry[-1]), {})
      pos = pos if pos == 0 else len(names) - (len(invars) - pos)
    else:
      names = api_util.arg_names(user_fun, args, {})
  except (TypeError, ValueError):
    return None
  return names[pos] if 0 <= pos < len(names) else None


def check_no_returned_refs(fun, jaxpr, in_tree, out_tree, name: str, tag) -> None:
  """Raises JAX's ValueError if the staged ``fun`` returns a ref."""
  bad = [(i, v) for i, v in enumerate(jaxpr.outvars) if isinstance(v.aval, AbstractRef)]
  if not bad:
    return
  i, var = bad[0]
  user_fun, traced_for = _user_function(fun)
  traced_for = traced_for or _TRACED_FOR.get(tag, name)
  loc = ""
  if not tree_util.treedef_is_leaf(out_tree):
    skeleton = tree_util.tree_unflatten(out_tree, [0] * out_tree.num_leaves)
    path = tree_util.tree_flatten_with_path(skeleton)[0][i][0]
    loc = f" at output tree path result{tree_util.keystr(path)}"
  if var in jaxpr.invars:
    arg = _arg_name(user_fun, traced_for == "fori_loop", in_tree, list(jaxpr.invars), var)
    origin = f"\n\nThe returned mutable array was passed in as the argument {arg}." \
        if arg else ""
  elif var in prims.creation_sites:
    origin = f"\n\nThe returned mutable array was created on line {prims.creation_sites[var]}."
  else:
    origin = ""
  from jaxlite.state.discharge import _function_text
  raise ValueError(
      f"function {_function_text(user_fun)} traced for {traced_for} returned a mutable array "
      f"reference of type {var.aval}{loc}, but mutable array references cannot "
      f"be returned.{origin}")
