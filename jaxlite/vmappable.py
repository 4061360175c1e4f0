"""Types that ``vmap`` maps as a whole (sparse arrays), as JAX's ``register_vmappable``.

A pytree such as a BCOO array flattens to buffers whose shapes alone do not say
which logical axis a mapped buffer axis is; its ``shape`` must lose (inside the
mapped function) or gain (on the way out) that axis. A registered type gives
``to_elt(value, axis)`` (the per-example value, built from buffers already
mapped at ``axis``) and ``from_elt(value, axis_size, axis)`` (the batched value
built from buffers carrying the batch at ``axis``). ``vmap`` lifts such values
around the batching interpreter; other values are untouched.

Example:
  >>> from jaxlite import vmappable
  >>> from jaxlite.experimental.sparse import BCOO   # registers BCOO
  >>> BCOO in vmappable._registry
  True
"""
from __future__ import annotations

import functools
from typing import Callable

from jaxlite import tree_util

__all__ = ["register_vmappable", "has_vmappables", "lift", "is_lifted"]

_registry: dict[type, tuple[Callable, Callable]] = {}
_in_axis_checks: dict[type, Callable] = {}


def register_vmappable(data_type: type, to_elt: Callable, from_elt: Callable,
                       check_in_axis: Callable | None = None) -> None:
  """Makes ``vmap`` map values of ``data_type`` through ``to_elt``/``from_elt``;
  ``check_in_axis(value, axis)``, if given, sees the whole value before its buffers
  are mapped (for errors that the buffers' shapes alone would report differently)."""
  _registry[data_type] = (to_elt, from_elt)
  if check_in_axis is not None:
    _in_axis_checks[data_type] = check_in_axis


def _is_vmappable(x) -> bool:
  return type(x) in _registry


def has_vmappables(tree) -> bool:
  """Whether ``vmap`` must lift: once a type is registered, any function may take or
  return one of its values, so every call lifts (nothing is checked before that)."""
  del tree
  return bool(_registry)


class _Mapped:
  """A registered value taken apart into its buffers, remembering its type, the pytree
  aux data and the axis it is mapped over (None: not mapped)."""

  def __init__(self, data_type, aux, axis, children):
    self.data_type, self.aux, self.axis, self.children = data_type, aux, axis, children


tree_util.register_pytree_node(
    _Mapped, lambda m: (m.children, (m.data_type, m.aux, m.axis)),
    lambda meta, children: _Mapped(*meta, list(children)))


def lift(fun: Callable, args: tuple, kwargs: dict, in_axes, flatten_axes):
  """``(fun', args', kwargs', in_axes', unlift)``: arguments with registered values taken
  apart into buffers mapped at their axis, a function rebuilding the per-example values
  (and taking apart registered outputs), and ``unlift(outs, axis_size, out_axes)``
  rebuilding batched registered outputs."""
  arg_leaves, arg_tree = tree_util.tree_flatten(args, is_leaf=_is_vmappable)
  axes = flatten_axes("vmap in_axes", arg_tree, in_axes)
  new_leaves, new_axes = [], []
  for leaf, axis in zip(arg_leaves, axes):
    if _is_vmappable(leaf):
      check = _in_axis_checks.get(type(leaf))
      if check is not None and axis is not None:
        check(leaf, axis)
      children, aux = leaf.tree_flatten()
      new_leaves.append(_Mapped(type(leaf), aux, axis, list(children)))
      new_axes.append(_Mapped(type(leaf), aux, axis, [axis] * len(children)))
    else:
      new_leaves.append(leaf)
      new_axes.append(axis)
  new_args = tree_util.tree_unflatten(arg_tree, new_leaves)
  new_in_axes = tree_util.tree_unflatten(arg_tree, new_axes)
  kw_leaves, kw_tree = tree_util.tree_flatten(kwargs, is_leaf=_is_vmappable)
  new_kwargs = tree_util.tree_unflatten(kw_tree, [
      _Mapped(type(x), x.tree_flatten()[1], 0, list(x.tree_flatten()[0]))
      if _is_vmappable(x) else x for x in kw_leaves])

  @functools.wraps(fun)   # keeps the signature vmap's error messages name arguments by
  def lifted_fun(*a, **k):
    a, k = tree_util.tree_map(_to_elt, (a, k), is_leaf=lambda x: isinstance(x, _Mapped))
    out = fun(*a, **k)
    return tree_util.tree_map(
        lambda x: _Mapped(type(x), x.tree_flatten()[1], None, list(x.tree_flatten()[0]))
        if _is_vmappable(x) else x, out, is_leaf=_is_vmappable)

  lifted_fun._vmappable_lifted = True

  def unlift(outs, axis_size, out_axes):
    out_leaves, out_tree = tree_util.tree_flatten(
        outs, is_leaf=lambda x: isinstance(x, _Mapped))
    axes = flatten_axes("vmap out_axes", out_tree, out_axes)
    rebuilt = [_from_elt(x, axis_size, axis) if isinstance(x, _Mapped) else x
               for x, axis in zip(out_leaves, axes)]
    return tree_util.tree_unflatten(out_tree, rebuilt)

  return lifted_fun, new_args, new_kwargs, new_in_axes, unlift


def is_lifted(fun) -> bool:
  """Whether ``fun`` is already the lifted form made by ``lift``."""
  return getattr(fun, "_vmappable_lifted", False)


def _to_elt(x):
  if not isinstance(x, _Mapped):
    return x
  value = x.data_type.tree_unflatten(x.aux, x.children)
  if x.axis is None:
    return value
  return _registry[x.data_type][0](value, x.axis)


def _from_elt(x, axis_size, axis):
  value = x.data_type.tree_unflatten(x.aux, x.children)
  if axis is None:
    return value
  return _registry[x.data_type][1](value, axis_size, axis)
