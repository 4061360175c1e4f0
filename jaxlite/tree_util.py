"""Pytrees: nested containers of leaves, flattened and rebuilt.

A pytree is a leaf or a node. Nodes are ``None`` (no children), tuples,
lists, dicts (children in sorted key order), namedtuples, ``OrderedDict``,
``defaultdict`` and every type registered here; anything else is a leaf.
``tree_flatten`` turns a tree into its leaves and a :class:`PyTreeDef`, the
hashable description of its shape, which ``tree_unflatten`` rebuilds from.

  >>> leaves, treedef = tree_flatten((1, {'a': 2, 'b': [3, None]}))
  >>> leaves
  [1, 2, 3]
  >>> treedef
  PyTreeDef((*, {'a': *, 'b': [*, None]}))

The registry, PyTreeDef and flattening live in :mod:`jaxlite._pytree`; this
module adds the registration helpers, mapping, reductions and diagnostics.
"""
from __future__ import annotations

import dataclasses
import functools
import textwrap
from typing import Any, Callable, Iterable

from jaxlite import _pytree
from jaxlite._pytree import (
    DictKey, FlattenedIndexKey, GetAttrKey, KeyEntry, KeyPath, PyTreeDef,
    SequenceKey, flatten_one_level, flatten_one_level_with_keys, is_tree_node,
    keystr, register_pytree_node, register_pytree_with_keys, tree_flatten,
    tree_flatten_with_path, tree_leaves, tree_leaves_with_path, tree_structure,
    tree_unflatten)
from jaxlite._pytree import (
    _data_equal, _make_node, _one_level_with_keys, _register)

__all__ = [
    "DictKey", "FlattenedIndexKey", "GetAttrKey", "KeyEntry", "KeyPath",
    "Partial", "PyTreeDef", "SequenceKey", "all_leaves", "build_tree",
    "default_registry", "flatten_one_level", "flatten_one_level_with_keys",
    "is_tree_node", "keystr", "register_dataclass", "register_pytree_node",
    "register_pytree_node_class", "register_pytree_with_keys",
    "register_pytree_with_keys_class", "register_static", "tree_all",
    "tree_broadcast", "tree_flatten", "tree_flatten_with_path", "tree_leaves",
    "tree_leaves_with_path", "tree_map", "tree_map_with_path", "tree_reduce",
    "tree_reduce_associative", "tree_structure", "tree_transpose",
    "tree_unflatten", "treedef_children", "treedef_is_leaf", "treedef_tuple",
]


def register_pytree_node_class(cls: type) -> type:
  """Class decorator: registers ``cls`` through its own flatten methods.

  ``cls`` must define ``tree_flatten(self) -> (children, aux_data)`` and a
  classmethod ``tree_unflatten(cls, aux_data, children)``.

  >>> @register_pytree_node_class
  ... class Box:
  ...   def __init__(self, v): self.v = v
  ...   def tree_flatten(self): return (self.v,), None
  ...   @classmethod
  ...   def tree_unflatten(cls, aux, children): return cls(*children)
  >>> tree_leaves(Box([1, 2]))
  [1, 2]
  """
  register_pytree_node(cls, _call_tree_flatten, cls.tree_unflatten)
  return cls


def _call_tree_flatten(x):
  return x.tree_flatten()


def register_pytree_with_keys_class(cls: type) -> type:
  """Class decorator: like :func:`register_pytree_node_class`, with keys.

  ``cls`` must define ``tree_flatten_with_keys`` and ``tree_unflatten``;
  ``tree_flatten`` is used as the fast path when it is defined.

  >>> @register_pytree_with_keys_class
  ... class Named:
  ...   def __init__(self, v): self.v = v
  ...   def tree_flatten_with_keys(self): return ((GetAttrKey('v'), self.v),), None
  ...   @classmethod
  ...   def tree_unflatten(cls, aux, children): return cls(*children)
  >>> keystr(tree_leaves_with_path(Named(1))[0][0])
  '.v'
  """
  flatten = getattr(cls, "tree_flatten", None)
  register_pytree_with_keys(
      cls, lambda x: x.tree_flatten_with_keys(), cls.tree_unflatten,
      None if flatten is None else _call_tree_flatten)
  return cls


def register_dataclass(nodetype: type, data_fields=None, meta_fields=None,
                       drop_fields=()) -> type:
  """Registers a dataclass-like type whose fields split into data and meta.

  Data fields are children (leaves or subtrees); meta fields are static and
  go in the treedef. Called with only ``nodetype`` (e.g. as a decorator) on a
  dataclass, fields whose metadata has ``static=True`` are meta, the rest data.

  Args:
    nodetype: the class to register; it is returned.
    data_fields: names of the fields that are children.
    meta_fields: names of the static fields.
    drop_fields: ``init=True`` dataclass fields deliberately left out.

  >>> @register_dataclass
  ... @dataclasses.dataclass
  ... class Params:
  ...   w: float
  ...   name: str = dataclasses.field(default='p', metadata=dict(static=True))
  >>> tree_flatten(Params(1.0))
  ([1.0], PyTreeDef(CustomNode(Params[('p',)], [*])))
  """
  if data_fields is None or meta_fields is None:
    if (data_fields is None) != (meta_fields is None):
      raise TypeError(
          "register_dataclass: data_fields and meta_fields must both be "
          f"specified when either is specified. Got {data_fields=} "
          f"{meta_fields=}.")
    if not dataclasses.is_dataclass(nodetype):
      raise TypeError(
          "register_dataclass: data_fields and meta_fields are required when"
          f" nodetype is not a dataclass. Got {nodetype=}.")
    fields = dataclasses.fields(nodetype)
    data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
    meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
  # Copy now: a caller mutating its lists later must not change the node.
  data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
  if dataclasses.is_dataclass(nodetype):
    init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init}
    init_fields.difference_update(drop_fields)
    given = {*meta_fields, *data_fields}
    if given != init_fields:
      msg = ("data_fields and meta_fields must include all dataclass fields "
             "with ``init=True`` and only them.")
      if missing := init_fields - given:
        msg += (f" Missing fields: {missing}. Add them to drop_fields to "
                "suppress this error.")
      if unexpected := given - init_fields:
        msg += f" Unexpected fields: {unexpected}."
      raise ValueError(msg)
  if overlap := set(data_fields) & set(meta_fields):
    raise ValueError("data_fields and meta_fields must not overlap. "
                     f"Overlapping fields: {overlap}.")

  def flatten(x):
    return (tuple(getattr(x, name) for name in data_fields),
            tuple(getattr(x, name) for name in meta_fields))

  def flatten_with_keys(x):
    return (tuple((GetAttrKey(name), getattr(x, name)) for name in data_fields),
            tuple(getattr(x, name) for name in meta_fields))

  def unflatten(meta, data):
    return nodetype(**dict(zip(meta_fields, meta)), **dict(zip(data_fields, data)))

  _register(nodetype, flatten, unflatten, flatten_with_keys)
  return nodetype


def register_static(cls: type) -> type:
  """Registers ``cls`` as a node with no children: instances are static.

  Instances live in the treedef, so they must be hashable.

  >>> @register_static
  ... class Mode:
  ...   def __hash__(self): return 0
  ...   def __eq__(self, other): return isinstance(other, Mode)
  >>> tree_leaves([Mode(), 1])
  [1]
  """
  register_pytree_node(cls, lambda x: ((), x), lambda aux, _: aux)
  return cls


# ---------------------------------------------------------------- mapping

def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Applies ``f`` leafwise, returning a tree of ``tree``'s structure.

  Args:
    f: called as ``f(x, *xs)`` for each leaf ``x`` of ``tree`` and the
      corresponding subtrees ``xs`` of ``rest``.
    tree: the pytree whose structure the result has.
    *rest: pytrees, each having ``tree``'s structure as a prefix.
    is_leaf: optional predicate marking subtrees of ``tree`` as leaves.

  >>> tree_map(lambda x, y: x + y, (1, {'a': 2}), (10, {'a': 20}))
  (11, {'a': 22})
  """
  flat = _pytree.native_flatten(tree) if is_leaf is None else None
  if flat is not None:   # jaxlib's C++ flatten and unflatten (see native_flatten)
    leaves, native = flat
    if not rest:
      return native.unflatten([f(x) for x in leaves])
    try:
      others = [native.flatten_up_to(other) for other in rest]
    except Exception:  # noqa: BLE001 - the Python walk raises this module's error
      others = None
    if others is not None:
      return native.unflatten([f(*xs) for xs in zip(leaves, *others)])
  leaves, treedef = tree_flatten(tree, is_leaf)
  if not rest:
    return treedef.unflatten([f(x) for x in leaves])
  all_leaves = [leaves]
  for other in rest:
    try:
      all_leaves.append(treedef.flatten_up_to(other))
    except ValueError:
      error = next(_prefix_errors((), tree, other, is_leaf), None)
      if error is None:
        raise
      raise error("tree_map tree") from None
  return treedef.unflatten([f(*xs) for xs in zip(*all_leaves)])


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable | None = None,
                       is_leaf_takes_path: bool = False) -> Any:
  """Like :func:`tree_map`, with ``f`` called as ``f(path, x, *xs)``.

  >>> tree_map_with_path(lambda p, x: keystr(p), {'a': 1, 'b': [2]})
  {'a': "['a']", 'b': ["['b'][0]"]}
  """
  pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
  paths = [p for p, _ in pairs]
  all_leaves = [[x for _, x in pairs]] + [treedef.flatten_up_to(r) for r in rest]
  return treedef.unflatten([f(p, *xs) for p, *xs in zip(paths, *all_leaves)])


class _Unspecified:
  def __repr__(self):
    return "<unspecified>"


_UNSPECIFIED = _Unspecified()


def tree_reduce(function: Callable[[Any, Any], Any], tree: Any,
                initializer: Any = _UNSPECIFIED,
                is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Folds ``function`` over the leaves, like :func:`functools.reduce`.

  >>> tree_reduce(lambda a, b: a + b, [1, (2, 3)])
  6
  >>> tree_reduce(lambda a, b: a + b, [], 0)
  0
  """
  leaves = tree_leaves(tree, is_leaf)
  if initializer is _UNSPECIFIED:
    return functools.reduce(function, leaves)
  return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation: Callable[[Any, Any], Any], tree: Any, *,
                            identity: Any = _UNSPECIFIED,
                            is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Reduces the leaves with an associative ``operation``, pairwise.

  >>> tree_reduce_associative(lambda a, b: a + b, [1, 2, (3, 4)])
  10
  """
  def reduce(xs):
    if len(xs) == 1:
      return xs[0]
    half = len(xs) // 2
    return operation(reduce(xs[:half]), reduce(xs[half:]))
  leaves = tree_leaves(tree, is_leaf)
  if not leaves:
    if identity is _UNSPECIFIED:
      raise TypeError(
          "Must specify identity for parallel reduction of empty sequence.")
    return identity
  return reduce(leaves)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
  """Whether every leaf is truthy.

  >>> tree_all([True, (1, 'x')]), tree_all([True, 0])
  (True, False)
  """
  return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
  """Swaps the outer and inner levels of a tree of trees.

  Args:
    outer_treedef: the structure of the outer level.
    inner_treedef: the structure of each inner tree; inferred from the first
      one when None.
    pytree_to_transpose: a tree of ``outer_treedef`` whose leaves are trees of
      ``inner_treedef``.

  >>> tree_transpose(tree_structure([0, 0]), tree_structure((0, 0)),
  ...                [(1, 2), (3, 4)])
  ([1, 3], [2, 4])
  """
  flat, treedef = tree_flatten(pytree_to_transpose)
  if inner_treedef is None:
    inner_treedef = tree_structure(
        outer_treedef.flatten_up_to(pytree_to_transpose)[0])
  inner_size, outer_size = inner_treedef.num_leaves, outer_treedef.num_leaves
  if treedef.num_leaves != inner_size * outer_size:
    expected = outer_treedef.compose(inner_treedef)
    raise TypeError(f"Mismatch\n{treedef}\n != \n{expected}")
  rows = [flat[i * inner_size:(i + 1) * inner_size] for i in range(outer_size)]
  columns = [outer_treedef.unflatten(column) for column in zip(*rows)]
  if not rows:
    columns = [outer_treedef.unflatten([])] * inner_size
  return inner_treedef.unflatten(columns)


def tree_broadcast(prefix_tree: Any, full_tree: Any,
                   is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Repeats each leaf of ``prefix_tree`` over its subtree of ``full_tree``.

  >>> tree_broadcast((1, 2), ((0, 0), 0))
  ((1, 1), 2)
  """
  result = []
  def add_leaves(x, subtree):
    result.extend([x] * tree_structure(subtree).num_leaves)
  try:
    tree_map(add_leaves, prefix_tree, full_tree, is_leaf=is_leaf)
  except ValueError:
    error = next(_prefix_errors((), prefix_tree, full_tree, is_leaf), None)
    if error is None:
      raise
    raise error("broadcast_prefix prefix_tree") from None
  return tree_structure(full_tree).unflatten(result)


# ---------------------------------------------------------------- treedefs

def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
  """The treedef of a tuple whose children have the given treedefs.

  >>> treedef_tuple([tree_structure(1), tree_structure([2])])
  PyTreeDef((*, [*]))
  """
  return _make_node(tuple, None, treedefs)


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
  """The child treedefs of ``treedef``'s root.

  >>> treedef_children(tree_structure({'a': 1, 'b': (2,)}))
  [PyTreeDef(*), PyTreeDef((*,))]
  """
  return treedef.children()


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
  """Whether ``treedef`` is a single node (a leaf, ``None``, an empty node).

  >>> treedef_is_leaf(tree_structure(1)), treedef_is_leaf(tree_structure((1,)))
  (True, False)
  """
  return treedef.num_nodes == 1


def treedef_is_strict_leaf(treedef: PyTreeDef) -> bool:
  """Whether ``treedef`` is exactly one leaf.

  >>> treedef_is_strict_leaf(tree_structure(None))
  False
  """
  return treedef.num_nodes == 1 and treedef.num_leaves == 1


def all_leaves(iterable: Iterable[Any],
               is_leaf: Callable[[Any], bool] | None = None) -> bool:
  """Whether every item of ``iterable`` is itself a leaf.

  >>> all_leaves([1, 'a']), all_leaves([1, (2,)]), all_leaves([None])
  (True, False, False)
  """
  items = list(iterable)
  leaves = tree_leaves(items, is_leaf)
  return len(leaves) == len(items) and all(
      item is leaf for item, leaf in zip(items, leaves))


def build_tree(treedef: PyTreeDef, xs: Any) -> Any:
  """Builds a tree of ``treedef``'s nodes from the nested iterable ``xs``.

  >>> build_tree(tree_structure({'a': 0, 'b': [0]}), [1, [2]])
  {'a': 1, 'b': [2]}
  """
  return treedef.from_iterable_tree(xs)


# ---------------------------------------------------------------- errors

def _prefix_errors(key_path, prefix_tree, full_tree, is_leaf=None):
  """Yields ``name -> ValueError`` for where ``prefix_tree`` is no prefix."""
  if treedef_is_strict_leaf(tree_structure(prefix_tree, is_leaf)):
    return
  if type(prefix_tree) is not type(full_tree):
    yield lambda name: ValueError(
        "pytree structure error: different types at key path\n"
        f"    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type\n"
        f"    {type(prefix_tree)}\n"
        "but at the same key path the full pytree has a subtree of different "
        f"type\n    {type(full_tree)}.")
    return
  prefix_pairs, prefix_meta = flatten_one_level_with_keys(prefix_tree)
  full_pairs, full_meta = flatten_one_level_with_keys(full_tree)
  prefix_keys = [k for k, _ in prefix_pairs]
  full_keys = [k for k, _ in full_pairs]
  if isinstance(prefix_tree, (list, tuple)):
    if len(prefix_tree) != len(full_tree):
      ty = type(prefix_tree).__name__
      yield lambda name: ValueError(
          f"pytree structure error: different lengths of {ty} at key path\n"
          f"    {name}{keystr(key_path)}\n"
          f"At that key path, the prefix pytree {name} has a subtree of type "
          f"{ty} of length {len(prefix_tree)}, but the full pytree has a "
          f"subtree of the same type but of length {len(full_tree)}.")
      return
  elif len(prefix_pairs) != len(full_pairs):
    try:  # ordered symmetric difference, so messages are deterministic
      diff = ([k for k in prefix_keys if k not in set(full_keys)]
              + [k for k in full_keys if k not in set(prefix_keys)])
    except TypeError:
      diff = None
    show = lambda keys: " ".join(str(getattr(k, "key", k)) for k in keys)
    yield lambda name: ValueError(
        "pytree structure error: different numbers of pytree children at key "
        f"path\n    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type\n"
        f"    {type(prefix_tree)}\n"
        f"with {len(prefix_pairs)} child keys\n    {show(prefix_keys)}\n"
        "but at the same key path the full pytree has a subtree of the same "
        f"type but with {len(full_pairs)} child keys\n    {show(full_keys)}\n"
        + ("" if diff is None else
           f"so the symmetric difference on key sets is\n    {show(diff)}"))
    return
  if not _data_equal(prefix_meta, full_meta):
    import difflib  # pylint: disable=g-import-not-at-top  (only for this error)
    prefix_str, full_str = str(prefix_meta), str(full_meta)
    diff_str = textwrap.indent("\n".join(difflib.ndiff(
        prefix_str.splitlines(), full_str.splitlines())), prefix="    ")
    yield lambda name: ValueError(
        "pytree structure error: different pytree metadata at key path\n"
        f"    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type\n"
        f"    {type(prefix_tree)}\nwith metadata\n    {prefix_str}\n"
        "but at the same key path the full pytree has a subtree of the same "
        f"type but with metadata\n    {full_str}\n"
        f"so the diff in the metadata at these pytree nodes is\n{diff_str}")
    return
  for k, (_, t1), (_, t2) in zip(prefix_keys, prefix_pairs, full_pairs):
    yield from _prefix_errors((*key_path, k), t1, t2, is_leaf)


def equality_errors(tree1: Any, tree2: Any,
                    is_leaf: Callable[[Any], bool] | None = None) -> Iterable[tuple]:
  """Where two pytrees of different structure first differ, as JAX's helper:
  ``(key path, what tree1 has there, what tree2 has, why they differ)`` for
  each difference, not descending below one.

  >>> [e[1:] for e in equality_errors({'a': 1}, {'a': 1, 'b': 2})]
  [("<class 'dict'> with 1 child", "<class 'dict'> with 2 children", \
"the numbers of children do not match, with the symmetric difference of key sets: {'b'}")]
  >>> list(equality_errors((1, [2]), (1, (2,))))[0][1:]
  ("<class 'list'>", "<class 'tuple'>", 'their Python types differ')
  """
  yield from _equality_errors((), tree1, tree2, is_leaf)


def equality_errors_pytreedef(tree1: PyTreeDef, tree2: PyTreeDef) -> Iterable[tuple]:
  """``equality_errors`` of two treedefs (their leaves shown as "pytree leaf").

  >>> [e[1] for e in equality_errors_pytreedef(tree_structure([0]), tree_structure([0, 0]))]
  ['list of length 1']
  """
  leaf = _PytreeLeaf()
  return equality_errors(tree_unflatten(tree1, [leaf] * tree1.num_leaves),
                         tree_unflatten(tree2, [leaf] * tree2.num_leaves))


class _PytreeLeafType(type):
  def __repr__(cls):
    return "pytree leaf"


class _PytreeLeaf(metaclass=_PytreeLeafType):
  """A stand-in leaf whose type prints as JAX's "pytree leaf"."""


def _equality_errors(path, t1, t2, is_leaf):
  if treedef_is_strict_leaf(tree_structure(t1, is_leaf)) and \
      treedef_is_strict_leaf(tree_structure(t2, is_leaf)):
    return   # two leaves: no structural difference here
  if type(t1) is not type(t2):
    yield path, str(type(t1)), str(type(t2)), "their Python types differ"
    return
  if isinstance(t1, (list, tuple)) and len(t1) != len(t2):
    kind = type(t1).__name__
    yield (path, f"{kind} of length {len(t1)}", f"{kind} of length {len(t2)}",
           "the lengths do not match")
    return
  pairs1, meta1 = flatten_one_level_with_keys(t1)
  pairs2, meta2 = flatten_one_level_with_keys(t2)
  if len(pairs1) != len(pairs2):
    try:
      keys1, keys2 = {k for k, _ in pairs1}, {k for k, _ in pairs2}
      diff = " ".join(repr(getattr(k, "key", k)) for k in keys1 ^ keys2)
    except TypeError:   # keys that do not hash
      diff = ""
    plural = lambda n: "ren" if n > 1 else ""
    yield (path, f"{type(t1)} with {len(pairs1)} child{plural(len(pairs1))}",
           f"{type(t2)} with {len(pairs2)} child{plural(len(pairs2))}",
           "the numbers of children do not match"
           + (diff and f", with the symmetric difference of key sets: {{{diff}}}"))
    return
  if not _data_equal(meta1, meta2):
    yield (path, f"{type(t1)} with pytree metadata {meta1}",
           f"{type(t2)} with pytree metadata {meta2}",
           "the pytree node metadata does not match")
    return
  for (k, c1), (_, c2) in zip(pairs1, pairs2):
    yield from _equality_errors((*path, k), c1, c2, is_leaf)


# ---------------------------------------------------------------- registry view

class _Registry:
  """The process-wide registry, as ``default_registry``.

  >>> default_registry.flatten((1, 2))[0]
  [1, 2]
  """

  def flatten(self, tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)

  def flatten_one_level(self, tree):
    out = _one_level_with_keys(tree)
    return None if out is None else ([c for _, c in out[0]], out[1])

  def is_node(self, typ):
    return is_tree_node(typ)

  def __repr__(self):
    return "default_registry"


default_registry = _Registry()


class _HashableCallableShim:
  """Wraps a callable so a Partial keeps an inner partial's arguments static."""

  def __init__(self, fun):
    self.fun = fun

  def __call__(self, *args, **kwargs):
    return self.fun(*args, **kwargs)

  def __hash__(self):
    return hash(self.fun)

  def __eq__(self, other):
    if isinstance(other, _HashableCallableShim):
      return self.fun == other.fun
    return self.fun == other

  def __repr__(self):
    return f"_HashableCallableShim({self.fun!r})"


class Partial(functools.partial):
  """A :func:`functools.partial` that is a pytree.

  The bound ``args`` and ``keywords`` are children; ``func`` is static, so a
  Partial can cross ``jit``/``vmap`` boundaries as an argument or result.

  >>> add_one = Partial(lambda x, y: x + y, 1)
  >>> tree_leaves(add_one), add_one(2)
  ([1], 3)
  """

  def __new__(klass, func, *args, **kwargs):
    # functools.partial merges nested partials, which would turn the inner
    # partial's (static) arguments into leaves; the shim prevents that.
    if isinstance(func, functools.partial):
      func = _HashableCallableShim(func)
    return super().__new__(klass, func, *args, **kwargs)


register_pytree_node(
    Partial, lambda p: ((p.args, p.keywords), p.func),
    lambda func, children: Partial(func, *children[0], **children[1]))
