"""``vmap``: the vectorizing map, the user-facing front end of
``jaxlite.interpreters.batching``.

The wrapper flattens the arguments, matches ``in_axes`` against them as a
pytree prefix, checks that the mapped axes agree in size, runs the function
once on batch tracers and moves each result's batch axis to where
``out_axes`` asks for it.
"""
from __future__ import annotations

import collections
import functools
import inspect
from typing import Any, Callable

from jaxlite import api_util, core, tree_util, vmappable
from jaxlite.interpreters import batching
from jaxlite.traceback_util import api_boundary

__all__ = ["vmap"]


def vmap(fun: Callable, in_axes=0, out_axes=0, axis_name=None, axis_size=None,
         spmd_axis_name=None, sum_match: bool = False) -> Callable:
  """Vectorizing map. Creates a function which maps ``fun`` over argument axes.

  Args:
    fun: the function to map over additional axes.
    in_axes: an int, None, or a (nested) standard Python container
      (tuple/list/dict) thereof, a tree prefix of the positional arguments,
      saying which axis of each array to map over (None: not mapped, the
      value is shared by every example). Negative axes count from the end.
      Keyword arguments are always mapped over their axis 0.
    out_axes: an int, None, or a container thereof (a prefix of the output
      tree) saying where the mapped axis goes in each result. ``None`` keeps
      an unmapped result unmapped; an unmapped result with an int out axis is
      broadcast along the mapped axis.
    axis_name: a hashable name for the mapped axis, so that collectives
      (``lax.psum``, ``lax.axis_index`` ...) can refer to it.
    axis_size: the size of the mapped axis; needed only when no argument is
      mapped.
    spmd_axis_name: mesh axis names the mapped axis is partitioned over
      (recorded for sharding-aware rules; single-device vmap ignores it).
    sum_match: when True, a mapped result whose ``out_axes`` entry is None is
      summed over the mapped axis instead of raising.

  Returns:
    The batched version of ``fun``.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> vv = lambda x, y: jnp.vdot(x, y)           # ([a], [a]) -> []
    >>> mv = jaxlite.vmap(vv, (0, None), 0)        # ([b,a], [a]) -> [b]
    >>> mm = jaxlite.vmap(mv, (None, 1), 1)        # ([b,a], [a,c]) -> [b,c]
    >>> mm(jnp.ones((2, 3)), jnp.ones((3, 4))).shape
    (2, 4)
  """
  api_util.check_callable(fun, "vmap")
  if isinstance(in_axes, list):
    # Lists and tuples are interchangeable here, as in JAX (the args are a tuple).
    in_axes = tuple(in_axes)
  if not (in_axes is None or type(in_axes) in (int, tuple)):
    raise TypeError("vmap in_axes must be an int, None, or a tuple of entries corresponding "
                    f"to the positional arguments passed to the function, but got {in_axes}.")
  if not all(type(a) is int for a in _axis_leaves(in_axes)):
    raise TypeError("vmap in_axes must be an int, None, or (nested) container "
                    f"with those types as leaves, but got {in_axes}.")
  if not all(type(a) is int for a in _axis_leaves(out_axes)):
    raise TypeError("vmap out_axes must be an int, None, or (nested) container "
                    f"with those types as leaves, but got {out_axes}.")
  if axis_size is not None and (not isinstance(axis_size, int) or axis_size < 0):
    raise TypeError(f"vmap axis_size must be a non-negative int, got {axis_size!r}")
  if spmd_axis_name is not None and not isinstance(spmd_axis_name, tuple):
    spmd_axis_name = (spmd_axis_name,)

  @functools.wraps(fun)
  @api_boundary
  def vmap_f(*args, **kwargs):
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
      raise ValueError("vmap in_axes must be an int, None, or a tuple of entries corresponding "
                       "to the positional arguments passed to the function, "
                       f"but got len(in_axes)={len(in_axes)}, len(args)={len(args)}")
    if vmappable.has_vmappables((args, kwargs)) and not vmappable.is_lifted(fun):
      # Sparse arrays (registered types) are taken apart and rebuilt around the map.
      lifted, args, kwargs, axes, unlift = vmappable.lift(fun, args, kwargs, in_axes,
                                                          flatten_axes)
      outs = vmap(lifted, in_axes=axes, out_axes=out_axes, axis_name=axis_name,
                  axis_size=axis_size, spmd_axis_name=spmd_axis_name,
                  sum_match=sum_match)(*args, **kwargs)
      return unlift(outs, _lifted_axis_size(args, kwargs, axes, axis_size), out_axes)
    args_flat, in_tree = tree_util.tree_flatten((args, kwargs))
    # Keyword arguments are always mapped over axis 0.
    n_kwargs = tree_util.tree_structure(kwargs).num_leaves
    in_axes_flat = flatten_axes("vmap in_axes", tree_util.tree_structure(args), in_axes)
    in_axes_flat += [0] * n_kwargs
    in_axes_flat = _canonicalize_in_axes(args_flat, in_axes_flat)
    size = _mapped_axis_size(fun, in_tree, args_flat, in_axes_flat, axis_size)
    flat_fun, out_tree = api_util.flatten_fun(fun, in_tree)
    axis_data = batching.AxisData(axis_name, size, spmd_axis_name)
    try:
      outs, _ = batching.batch_flat(
          flat_fun, axis_data, args_flat, in_axes_flat,
          lambda: flatten_axes("vmap out_axes", out_tree.val, out_axes), sum_match)
    except batching.SpecMatchError as e:
      paths = _axis_paths(out_tree.val, out_axes)
      raise ValueError(f"at vmap out_axes{tree_util.keystr(paths[e.leaf_idx])}, got axis "
                       f"spec {e.dst} but output was batched on axis {e.src}") from None
    return tree_util.tree_unflatten(out_tree.val, outs)

  vmap_f.__wrapped__ = fun
  return vmap_f


def _lifted_axis_size(args, kwargs, in_axes, axis_size):
  """The mapped size of lifted arguments (for rebuilding registered outputs)."""
  if axis_size is not None:
    return axis_size
  leaves, tree = tree_util.tree_flatten(args)
  axes = flatten_axes("vmap in_axes", tree, in_axes)
  leaves += tree_util.tree_leaves(kwargs)
  axes += [0] * (len(leaves) - len(axes))
  return next(core.get_aval(x).shape[a] for x, a in zip(leaves, axes) if a is not None)


def _axis_leaves(axes):
  return [a for a in tree_util.tree_leaves(axes, is_leaf=lambda x: x is None)
          if a is not None]


def flatten_axes(name: str, treedef, axis_tree) -> list:
  """One axis spec per leaf of ``treedef``, from ``axis_tree``, a tree prefix of it
  whose leaves are ints or None; ValueError naming both structures otherwise.

  >>> from jaxlite import tree_util
  >>> try:
  ...   flatten_axes("in_axes", tree_util.tree_structure(((1, 2), 3)), ((0, None),))
  ... except ValueError as e:
  ...   print(str(e).splitlines()[0])
  in_axes specification must be a tree prefix of the corresponding value, got specification ((0, None),) for value tree PyTreeDef(((*, *), *)).
  >>> flatten_axes("in_axes", tree_util.tree_structure(((1, 2), 3)), ((0, None), 1))
  [0, None, 1]
  """
  dummy = tree_util.tree_unflatten(treedef, [PytreeLeaf()] * treedef.num_leaves)
  axes = []

  def add_leaves(axis, subtree):
    axes.extend([axis] * tree_util.tree_structure(subtree).num_leaves)

  try:
    tree_util.tree_map(add_leaves, axis_tree, dummy, is_leaf=lambda x: x is None)
  except ValueError:
    errors = list(tree_util._prefix_errors((), axis_tree, dummy,
                                           is_leaf=lambda x: x is None))
    details = "".join("\n" + _indent(str(err(name))) for err in errors)
    raise ValueError(
        f"{name} specification must be a tree prefix of the corresponding value, got "
        f"specification {axis_tree} for value tree {treedef}.\n"
        f"  Mismatch details ({len(errors)} found):{details}") from None
  if len(axes) != treedef.num_leaves:
    raise ValueError(f"{name} specification must be a tree prefix of the corresponding "
                     f"value, got specification {axis_tree} for value tree {treedef}.")
  return axes


class PytreeLeaf:
  """Stands for a leaf of the value tree in prefix errors."""

  def __repr__(self):
    return "*"


def _indent(text):
  return "\n".join("  " + line for line in text.splitlines())


def _axis_paths(treedef, axis_tree):
  """The key path (in ``axis_tree``) of the spec each output leaf got."""
  proxy = object()
  dummy = tree_util.tree_unflatten(treedef, [proxy] * treedef.num_leaves)
  paths = []

  def add(path, axis, subtree):
    paths.extend([path] * tree_util.tree_structure(subtree).num_leaves)

  tree_util.tree_map_with_path(add, axis_tree, dummy, is_leaf=lambda x: x is None)
  return paths


def _shape(x):
  return tuple(core.get_aval(x).shape)


def _canonicalize_in_axes(args_flat, in_axes_flat):
  out = []
  for x, d in zip(args_flat, in_axes_flat):
    if d is None:
      out.append(None)
      continue
    try:
      shape = _shape(x)
    except TypeError:
      raise TypeError(f"vmap was requested to map its argument along axis {d}, but the "
                      f"argument {x!r} of type {type(x)} is not an array") from None
    ndim = len(shape)
    if not -ndim <= d < ndim:
      min_rank = d + 1 if d >= 0 else -d
      raise ValueError(f"vmap was requested to map its argument along axis {d}, which "
                       f"implies that its rank should be at least {min_rank}, but is only "
                       f"{ndim} (its shape is {shape})")
    out.append(d % ndim)
  return out


def _mapped_axis_size(fun, in_tree, args_flat, in_axes_flat, axis_size):
  """The common size of the mapped axes; JAX's errors when there is none or they differ."""
  if not args_flat:
    if axis_size is not None:
      return axis_size
    args, kwargs = tree_util.tree_unflatten(in_tree, args_flat)
    raise ValueError("vmap wrapped function must be passed at least one argument "
                     "containing an array or axis_size must be specified, got empty "
                     f"*args={args} and **kwargs={kwargs}")
  sizes = [None if d is None else _shape(x)[d] for x, d in zip(args_flat, in_axes_flat)]
  distinct = {s for s in sizes if s is not None}
  if axis_size is not None:
    distinct.add(axis_size)
  if len(distinct) == 1:
    return distinct.pop()
  if not distinct:
    raise ValueError("vmap must have at least one non-None value in in_axes or axis_size "
                     "must be specified")
  raise ValueError(_inconsistent_sizes_message(fun, in_tree, args_flat, in_axes_flat, sizes,
                                               axis_size))


def _inconsistent_sizes_message(fun, in_tree, args_flat, in_axes_flat, sizes, axis_size):
  args, kwargs = tree_util.tree_unflatten(in_tree, args_flat)
  try:
    params = list(inspect.signature(fun).bind(*args, **kwargs).signature.parameters)
  except (TypeError, ValueError):
    params = None

  def describe(path, x):
    if path[0] == "args":
      i = path[1][0].idx
      if params is None or i >= len(params):
        name = f"args{tree_util.keystr(path[1])}"
      else:
        name = f"argument {params[i]}{tree_util.keystr(path[1][1:])}"
    else:
      name = f"kwargs{tree_util.keystr(path[1])}"
    try:
      ty = core.get_aval(x).str_short(short_dtypes=False)
    except TypeError:
      ty = "unknown"
    return f"{name} of type {ty}"

  leaves = [("args", p) for p, _ in tree_util.tree_flatten_with_path(args)[0]]
  leaves += [("kwargs", p) for p, _ in tree_util.tree_flatten_with_path(kwargs)[0]]
  counts = collections.Counter(s for s in sizes if s is not None).most_common()
  msg = ["vmap got inconsistent sizes for array axes to be mapped:\n"]
  if axis_size is not None:
    msg.append(f"  * the `axis_size` argument was {axis_size};\n")
  for rank, (sz, ct) in enumerate(counts):
    i = sizes.index(sz)
    where = f"axis {in_axes_flat[i]} of {describe(leaves[i], args_flat[i])}"
    if ct == 1:
      msg.append(f"  * one axis had size {sz}: {where};\n")
    elif rank == 0:
      msg.append(f"  * most axes ({ct} of them) had size {sz}, e.g. {where};\n")
    else:
      msg.append(f"  * some axes ({ct} of them) had size {sz}, e.g. {where};\n")
  return "".join(msg)[:-2]
