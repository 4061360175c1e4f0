"""JAX's errors for a ref that reaches a control-flow function twice: passed
as two of its arguments, or both closed over and passed (a ``scan`` over a ref
that its body also reads directly). Either would give the body two views of
one buffer that the discharge could not keep consistent.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> r = jaxlite.new_ref(jnp.zeros((2, 3)))
  >>> def body(c, row):
  ...   return c + r[0, 0], None
  >>> try:
  ...   jaxlite.lax.scan(body, 0.0, r)
  ... except ValueError as e:
  ...   print(str(e).split(" for scan, ")[1])
  a mutable array reference of type Ref{float32[2,3]} was both closed over and passed as the argument row
"""
from __future__ import annotations

from jaxlite import api_util, core, tree_util
from jaxlite.state.types import is_ref_type


def _is_ref(x) -> bool:
  return is_ref_type(getattr(x, "aval", None))


def _names(fun, in_tree, n):
  """The user's names of ``fun``'s ``n`` flat arguments (``c``, ``xs[0]``)."""
  try:
    names = api_util.arg_names(fun, tree_util.tree_unflatten(in_tree, [0] * n), {})
  except (TypeError, ValueError):
    names = []
  return names if len(names) == n else [f"args[{i}]" for i in range(n)]


def check_ref_arguments(fun, traced_for: str, in_tree, args, consts) -> None:
  """Raises JAX's ValueError when one ref is among ``args`` twice, or is both
  among ``args`` and among ``consts`` (the values ``fun`` closes over)."""
  first = {}
  for i, x in enumerate(args):
    if not _is_ref(x):
      continue
    if id(x) in first:
      from jaxlite.state.discharge import _function_text
      names = _names(fun, in_tree, len(args))
      raise ValueError(
          "only one reference to a mutable array may be passed as an argument to a "
          f"function, but when tracing {_function_text(fun)} for {traced_for} the mutable "
          f"array reference of type {core.get_aval(x)} appeared at both "
          f"{names[first[id(x)]]} and {names[i]}.")
    first[id(x)] = i
  if first:
    check_closed_over(fun, traced_for, consts, first,
                      lambda i: _names(fun, in_tree, len(args))[i])


def check_closed_over(fun, traced_for: str, consts, first: dict, name_of) -> None:
  """Raises JAX's ValueError when one of ``consts`` (the values ``fun`` closes
  over) is a ref also passed as an argument: ``first`` maps the ``id`` of each
  ref argument to its position, ``name_of(position)`` names it."""
  for c in consts:
    if _is_ref(c) and id(c) in first:
      from jaxlite.state.discharge import _function_text
      raise ValueError(
          f"when tracing {_function_text(fun)} for {traced_for}, a mutable array reference "
          f"of type {core.get_aval(c)} was both closed over and passed as the argument "
          f"{name_of(first[id(c)])}")
