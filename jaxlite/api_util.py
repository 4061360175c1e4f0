"""Helpers shared by the transformations in ``api``: flattening functions over
pytrees, argnums bookkeeping and the debug information used in error messages."""
from __future__ import annotations

import inspect
import re
from typing import Any, Callable, NamedTuple, Sequence

from jaxlite import tree_util


class Store:
  """A box filled once by a traced function (e.g. its output tree)."""
  __slots__ = ("val",)
  _EMPTY = object()

  def __init__(self):
    self.val = Store._EMPTY

  def store(self, val):
    self.val = val

  @property
  def filled(self):
    return self.val is not Store._EMPTY


def flatten_fun(fun: Callable, in_tree) -> tuple[Callable, Store]:
  """``fun(*args, **kwargs)`` as a function of flat leaves returning flat leaves.

  ``in_tree`` is the treedef of ``(args, kwargs)``; the output treedef is put in
  the returned store when the flat function runs."""
  out_tree = Store()

  def flat_fun(*flat_args):
    args, kwargs = tree_util.tree_unflatten(in_tree, flat_args)
    out = fun(*args, **kwargs)
    flat_out, tree = tree_util.tree_flatten(out)
    out_tree.store(tree)
    return flat_out
  return flat_fun, out_tree


def flatten_fun_nokwargs(fun: Callable, in_tree) -> tuple[Callable, Store]:
  """Like ``flatten_fun`` with ``in_tree`` the treedef of the positional args tuple."""
  out_tree = Store()

  def flat_fun(*flat_args):
    args = tree_util.tree_unflatten(in_tree, flat_args)
    out = fun(*args)
    flat_out, tree = tree_util.tree_flatten(out)
    out_tree.store(tree)
    return flat_out
  return flat_fun, out_tree


class DebugInfo(NamedTuple):
  """What a traced function was traced for, where it comes from, and the names
  of its arguments and results (``None`` where unknown)."""
  traced_for: str
  func_src_info: str | None
  arg_names: tuple | None
  result_paths: tuple | None

  @property
  def func_name(self) -> str:
    return self.func_src_info.split(" ")[0] if self.func_src_info else "<unknown>"

  def with_unknown_names(self) -> "DebugInfo":
    return self._replace(arg_names=None, result_paths=None)

  def replace_func_name(self, name: str) -> "DebugInfo":
    rest = self.func_src_info.split(" ", 1)[1:] if self.func_src_info else []
    return self._replace(func_src_info=" ".join([name, *rest]))


def fun_name(fun) -> str:
  name = getattr(fun, "__name__", None)
  if name is None and hasattr(fun, "func"):
    return fun_name(fun.func)
  return name or type(fun).__name__


def normalize_argnums(argnums, num_args=None, argname="static_argnums") -> tuple[int, ...]:
  if argnums is None:
    return ()
  if isinstance(argnums, int):
    argnums = (argnums,)
  out = []
  for a in argnums:
    if not isinstance(a, int):
      raise TypeError(f"{argname} must be an int or a sequence of ints, got {argnums!r}")
    if num_args is not None:
      if not -num_args <= a < num_args:
        raise ValueError(f"{argname} {a} out of range for a function of {num_args} "
                         "positional arguments")
      a = a % num_args
    out.append(a)
  return tuple(out)


def _signature(fun):
  try:
    return inspect.signature(fun)
  except (TypeError, ValueError):
    return None


def validate_argnums(fun, argnums: tuple[int, ...], argname: str) -> tuple[int, ...]:
  """JAX's check of ``static_argnums``/``donate_argnums`` against ``fun``'s
  signature (any index is fine with ``*args``); negative indices count from
  the last positional parameter.

  >>> validate_argnums(lambda x, y: x, (-1,), "static_argnums")
  (1,)
  >>> validate_argnums(lambda x: x, (3,), "donate_argnums")
  Traceback (most recent call last):
  ...
  ValueError: Jitted function has donate_argnums=(3,), but only accepts 1 positional arguments.
  """
  sig = _signature(fun)
  if sig is None or not argnums:
    return argnums
  n_pos = 0
  for p in sig.parameters.values():
    if p.kind is p.VAR_POSITIONAL:
      return argnums
    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
      n_pos += 1
  if -min(argnums) > n_pos or max(argnums) >= n_pos:
    raise ValueError(f"Jitted function has {argname}={argnums}, "
                     f"but only accepts {n_pos} positional arguments.")
  return tuple(a % n_pos for a in argnums)


def check_static_not_donated(fun, static_argnums, donate_argnums):
  """JAX's ValueError when one named argument is both static and donated."""
  sig = _signature(fun)
  if sig is None:
    return
  params = list(sig.parameters.values())
  def names(nums):
    return {params[i].name for i in nums if i < len(params) and
            params[i].kind is params[i].POSITIONAL_OR_KEYWORD}
  both = names(static_argnums) & names(donate_argnums)
  if both:
    raise ValueError("static_argnames and donate_argnames cannot intersect. Argument "
                     f"names {both} appear in both static_argnames and donate_argnames")


def resolve_static_args(fun, static_argnums, static_argnames):
  """JAX's inference between static_argnums and static_argnames via the signature."""
  static_argnums = validate_argnums(fun, normalize_argnums(static_argnums),
                                    "static_argnums")
  if isinstance(static_argnames, str):
    static_argnames = (static_argnames,)
  static_argnames = tuple(static_argnames or ())
  try:
    sig = inspect.signature(fun)
  except (TypeError, ValueError):
    return static_argnums, static_argnames
  params = list(sig.parameters.values())
  positional = [p.name for p in params
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
  nums = set(static_argnums)
  names = set(static_argnames)
  for i in static_argnums:
    if 0 <= i < len(positional) and params[i].kind == params[i].POSITIONAL_OR_KEYWORD:
      names.add(positional[i])
  for name in static_argnames:
    if name in positional:
      nums.add(positional.index(name))
  return tuple(sorted(nums)), tuple(sorted(names))


def arg_names(fun, args, kwargs) -> list[str]:
  """Names for the flattened leaves of ``(args, kwargs)``, e.g. ``x``, ``params['w']``."""
  try:
    sig = inspect.signature(fun)
    bound = sig.bind(*args, **kwargs)
    named = list(bound.arguments.items())
  except (TypeError, ValueError):
    named = [(f"args[{i}]", a) for i, a in enumerate(args)] + list(kwargs.items())
  names = []
  try:
    sig_params = inspect.signature(fun).parameters
  except (TypeError, ValueError):
    sig_params = {}
  for name, value in named:
    p = sig_params.get(name)
    if p is not None and p.kind == p.VAR_POSITIONAL:
      value = tuple(value)
    elif p is not None and p.kind == p.VAR_KEYWORD:
      value = dict(value)
    for path, _ in tree_util.tree_flatten_with_path(value)[0]:
      names.append(name + tree_util.keystr(path))
  return names


def check_callable(fun, transform="jit"):
  if not callable(fun):
    raise TypeError(f"Expected a callable value, got {fun!r}")
  if inspect.isgeneratorfunction(fun):
    raise TypeError(f"Expected a function, got a generator function: {fun}")


def result_paths(out_tree) -> tuple[str, ...] | None:
  """The names JAX gives a function's results in lowered modules
  (``jax.result_info``): ``result`` followed by each leaf's key path (None
  where a custom node cannot be rebuilt around placeholder leaves).

  >>> from jaxlite import tree_util
  >>> result_paths(tree_util.tree_structure(({'a': 1}, [2])))
  ("result[0]['a']", 'result[1][0]')
  >>> result_paths(tree_util.tree_structure(1))
  ('result',)
  """
  try:
    markers = tree_util.tree_unflatten(out_tree, list(range(out_tree.num_leaves)))
    paths = tree_util.tree_flatten_with_path(markers)[0]
  except Exception:  # noqa: BLE001 - a node that cannot hold markers: no names
    return None
  # A node without key names gives flat indices, which JAX prints bare.
  return tuple("result" + _FLAT_INDEX.sub(r"\1", tree_util.keystr(path))
               for path, _ in paths)


_FLAT_INDEX = re.compile(r"<flat index ([^>]+)>")
