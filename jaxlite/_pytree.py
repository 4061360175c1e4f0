"""The core of :mod:`jaxlite.tree_util`: the registry, PyTreeDef, flattening.

Import these names from ``jaxlite.tree_util``; this module holds what the
dispatch hot path needs (flatten, unflatten, treedef hashing and equality) so
that it stays small and self-contained.

Flattening sits on the dispatch path of every transformed call, so the
registry is a dict from exact type to a flatten function, the common node
kinds are special-cased, all-leaf tuples/lists/str-keyed dicts share cached
treedefs, and leaves allocate nothing but their slot.

  >>> tree_flatten((1, {'a': 2, 'b': [3, None]}))
  ([1, 2, 3], PyTreeDef((*, {'a': *, 'b': [*, None]})))
"""
from __future__ import annotations

import collections
from typing import Any, Callable, Iterable

KeyEntry = Any
KeyPath = tuple


# Node kinds. Small ints compared with `is` (CPython caches them).
_LEAF, _NONE, _TUPLE, _LIST, _DICT, _NAMEDTUPLE, _CUSTOM = range(7)


# ---------------------------------------------------------------- key types

class SequenceKey:
  """Path entry for the ``idx``-th child of a tuple or list.

  >>> str(SequenceKey(0)), SequenceKey(0)
  ('[0]', SequenceKey(idx=0))
  """
  __slots__ = ("idx",)
  __match_args__ = ("idx",)

  def __init__(self, idx: int):
    self.idx = idx

  def __str__(self):
    return f"[{self.idx!r}]"

  def __repr__(self):
    return f"SequenceKey(idx={self.idx!r})"

  def __eq__(self, other):
    return type(other) is SequenceKey and self.idx == other.idx

  def __hash__(self):
    return hash((SequenceKey, self.idx))


class DictKey:
  """Path entry for the child of a mapping stored under ``key``.

  >>> str(DictKey('a')), DictKey('a')
  ("['a']", DictKey(key='a'))
  """
  __slots__ = ("key",)
  __match_args__ = ("key",)

  def __init__(self, key: Any):
    self.key = key

  def __str__(self):
    return f"[{self.key!r}]"

  def __repr__(self):
    return f"DictKey(key={self.key!r})"

  def __eq__(self, other):
    return type(other) is DictKey and self.key == other.key

  def __hash__(self):
    return hash((DictKey, self.key))


class GetAttrKey:
  """Path entry for an attribute (namedtuple fields, dataclass fields).

  >>> str(GetAttrKey('x')), GetAttrKey('x')
  ('.x', GetAttrKey(name='x'))
  """
  __slots__ = ("name",)
  __match_args__ = ("name",)

  def __init__(self, name: str):
    self.name = name

  def __str__(self):
    return f".{self.name}"

  def __repr__(self):
    return f"GetAttrKey(name={self.name!r})"

  def __eq__(self, other):
    return type(other) is GetAttrKey and self.name == other.name

  def __hash__(self):
    return hash((GetAttrKey, self.name))


class FlattenedIndexKey:
  """Path entry for a custom node's child that has no key of its own.

  >>> str(FlattenedIndexKey(2)), FlattenedIndexKey(2)
  ('[<flat index 2>]', FlattenedIndexKey(key=2))
  """
  __slots__ = ("key",)
  __match_args__ = ("key",)

  def __init__(self, key: int):
    self.key = key

  def __str__(self):
    return f"[<flat index {self.key}>]"

  def __repr__(self):
    return f"FlattenedIndexKey(key={self.key!r})"

  def __eq__(self, other):
    return type(other) is FlattenedIndexKey and self.key == other.key

  def __hash__(self):
    return hash((FlattenedIndexKey, self.key))


def _simple_entry_str(key) -> str:
  if isinstance(key, SequenceKey):
    return str(key.idx)
  if isinstance(key, (DictKey, FlattenedIndexKey)):
    return str(key.key)
  if isinstance(key, GetAttrKey):
    return str(key.name)
  return str(key)


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
  """Renders a key path as a string.

  Args:
    keys: a key path, as produced by :func:`tree_flatten_with_path`.
    simple: if True, render each entry bare (``0``, ``a``, ``x``) instead of
      as Python accessors (``[0]``, ``['a']``, ``.x``).
    separator: string placed between entries.

  >>> keystr((SequenceKey(1), DictKey('a'), GetAttrKey('x')))
  "[1]['a'].x"
  >>> keystr((SequenceKey(1), DictKey('a')), simple=True, separator='/')
  '1/a'
  """
  return separator.join(map(_simple_entry_str if simple else str, keys))


# ---------------------------------------------------------------- registry

class _NodeKind:
  """How one registered node type flattens, unflattens and names children."""
  __slots__ = ("type", "flatten", "unflatten", "flatten_with_keys")

  def __init__(self, typ, flatten, unflatten, flatten_with_keys):
    self.type = typ
    self.flatten = flatten
    self.unflatten = unflatten
    self.flatten_with_keys = flatten_with_keys


# Exact type -> flatten function(x, leaves, is_leaf) -> PyTreeDef.
_flatteners: dict[type, Callable] = {}
# Exact type -> _NodeKind, for registered (custom) node types only.
_custom_nodes: dict[type, _NodeKind] = {}
# Its keys as a set, for native_flatten's check of the leaves' types (a set's
# isdisjoint looks each type up directly, a dict view's goes through the
# sequence protocol: ~400 instructions a leaf).
_custom_node_types: frozenset = frozenset()


def _is_namedtuple_type(typ) -> bool:
  return issubclass(typ, tuple) and hasattr(typ, "_fields")


def is_tree_node(typ: type) -> bool:
  """Whether ``typ`` is a pytree node type (built-in, registered or namedtuple).

  >>> is_tree_node(tuple), is_tree_node(type(None)), is_tree_node(int)
  (True, True, False)
  """
  return typ in _flatteners or _is_namedtuple_type(typ)


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable,
                              flatten_func: Callable | None = None) -> None:
  """Registers ``nodetype`` as a pytree node whose children carry path keys.

  Args:
    nodetype: the exact type to register (subclasses are not included).
    flatten_with_keys: ``x -> (iterable of (key, child), aux_data)``.
    unflatten_func: ``(aux_data, children) -> x``.
    flatten_func: optional faster ``x -> (children, aux_data)``; derived from
      ``flatten_with_keys`` if omitted.

  >>> class Pair:
  ...   def __init__(self, a, b): self.a, self.b = a, b
  >>> register_pytree_with_keys(
  ...     Pair, lambda p: (((GetAttrKey('a'), p.a), (GetAttrKey('b'), p.b)), None),
  ...     lambda _, ch: Pair(*ch))
  >>> keystr(tree_leaves_with_path(Pair(1, 2))[1][0])
  '.b'
  """
  if flatten_func is None:
    def flatten_func(x):
      pairs, aux = flatten_with_keys(x)
      return [child for _, child in pairs], aux
  _register(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node(nodetype: type, flatten_func: Callable,
                         unflatten_func: Callable,
                         flatten_with_keys_func: Callable | None = None) -> None:
  """Registers ``nodetype`` as a pytree node.

  Args:
    nodetype: the exact type to register (subclasses are not included).
    flatten_func: ``x -> (children, aux_data)``; ``aux_data`` is static and
      should be hashable and comparable.
    unflatten_func: ``(aux_data, children) -> x``; children come as a tuple.
    flatten_with_keys_func: optional ``x -> ((key, child) pairs, aux_data)``;
      without it children get :class:`FlattenedIndexKey` paths.

  >>> class Point:
  ...   def __init__(self, x, y): self.x, self.y = x, y
  >>> register_pytree_node(Point, lambda p: ((p.x, p.y), None),
  ...                      lambda _, ch: Point(*ch))
  >>> tree_leaves([Point(1, 2), 3])
  [1, 2, 3]
  """
  _register(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)


def _register(nodetype, flatten, unflatten, flatten_with_keys):
  if nodetype in _flatteners:
    raise ValueError(
        f"Duplicate custom PyTreeDef type registration for {nodetype}.")
  kind = _NodeKind(nodetype, flatten, unflatten, flatten_with_keys)
  global _custom_node_types
  _custom_nodes[nodetype] = kind
  _custom_node_types = frozenset(_custom_nodes)
  if _native_leaves_registry is not None:
    _register_native(_native_leaves_registry, kind)

  def flatten_custom(x, leaves, is_leaf):
    children, aux = flatten(x)
    start = len(leaves)
    return _make(_CUSTOM, nodetype, aux,
                 _flatten_children(children, leaves, is_leaf),
                 len(leaves) - start, kind)
  _flatteners[nodetype] = flatten_custom


# ---------------------------------------------------------------- PyTreeDef

class PyTreeDef:
  """The structure of a pytree: its nodes, without the leaves.

  Compared and hashed structurally; ``unflatten`` rebuilds a tree from leaves.

  >>> treedef = tree_structure({'a': 1, 'b': (2, 3)})
  >>> treedef.num_leaves, treedef.num_nodes
  (3, 5)
  >>> treedef.unflatten([4, 5, 6])
  {'a': 4, 'b': (5, 6)}
  """
  __slots__ = ("_kind", "_type", "_data", "_children", "_entry", "num_leaves",
               "num_nodes", "_hash")

  def __init__(self, *args, **kwargs):
    raise TypeError("PyTreeDef is built by tree_flatten/tree_structure, "
                    "treedef_tuple or PyTreeDef.make_from_node_data_and_children.")

  @staticmethod
  def make_from_node_data_and_children(registry, node_data, children):
    """Builds a treedef from ``node_data()``-style data and child treedefs.

    >>> PyTreeDef.make_from_node_data_and_children(
    ...     None, (tuple, None), [tree_structure(1)] * 2)
    PyTreeDef((*, *))
    """
    del registry  # there is one registry
    typ, data = node_data
    children = tuple(children)
    return _make_node(typ, data, children)

  # -- public API
  def unflatten(self, leaves: Iterable[Any]) -> Any:
    """Builds the tree with this structure from ``leaves`` (in order).

    >>> tree_structure((1, [2])).unflatten(['a', 'b'])
    ('a', ['b'])
    """
    if type(leaves) is not list and type(leaves) is not tuple:
      leaves = list(leaves)
    n = len(leaves)
    if n != self.num_leaves:
      if n < self.num_leaves:
        raise ValueError(f"Too few leaves for PyTreeDef; expected "
                         f"{self.num_leaves}, got {n}")
      raise ValueError(
          f"Too many leaves for PyTreeDef; expected {self.num_leaves}.")
    kind = self._kind
    if kind is _LEAF:
      return leaves[0]
    # Fast path: a node whose children are all leaves (a tuple of arrays).
    if self.num_nodes == n + 1 and len(self._children) == n:
      return self._rebuild(leaves)
    return self._build(iter(leaves))

  def _build(self, it):
    kind = self._kind
    if kind is _LEAF:
      return next(it)
    if kind is _NONE:
      return None
    return self._rebuild([next(it) if c._kind is _LEAF else c._build(it)
                          for c in self._children])

  def _rebuild(self, values):
    kind = self._kind
    if kind is _TUPLE:
      return tuple(values)
    if kind is _LIST:
      return list(values)
    if kind is _DICT:
      return dict(zip(self._data, values))
    if kind is _NAMEDTUPLE:
      return self._type(*values)
    if kind is _NONE:
      return None
    return self._entry.unflatten(self._data, tuple(values))

  def flatten_up_to(self, tree: Any) -> list[Any]:
    """Flattens ``tree`` only down to this structure's leaves.

    This treedef must be a prefix of ``tree``'s structure; each of its leaves
    takes the whole corresponding subtree. Mismatches raise ``ValueError``.

    >>> tree_structure((1, 2)).flatten_up_to(([1, 2], {'a': 3}))
    [[1, 2], {'a': 3}]
    """
    out = []
    self._flatten_up_to(tree, out)
    return out

  def _flatten_up_to(self, x, out):
    kind = self._kind
    if kind is _LEAF:
      out.append(x)
      return
    n = len(self._children)
    if kind is _NONE:
      if x is not None:
        raise ValueError(
            f"Expected None, got {x!r}.\n\nIn previous releases of JAX, "
            "flatten-up-to used to consider None to be a tree-prefix of "
            "non-None values. To obtain the previous behavior, you can "
            "usually write:\n  jax.tree.map(lambda x, y: None if x is None "
            "else f(x, y), a, b, is_leaf=lambda x: x is None)")
      return
    if kind is _TUPLE or kind is _LIST:
      name = "tuple" if kind is _TUPLE else "list"
      if not isinstance(x, self._type):
        raise ValueError(f"Expected {name}, got {x!r}.")
      if len(x) != n:
        raise ValueError(
            f"{name.capitalize()} arity mismatch: {len(x)} != {n}; {name}: {x!r}.")
      children = x
    elif kind is _DICT:
      if not isinstance(x, dict) or (type(x) is not dict
                                     and type(x) in _flatteners):
        raise ValueError(f"Expected dict, got {x!r}.")
      keys = _sorted_keys(x)
      if keys != self._data:
        raise ValueError(f"Dict key mismatch; expected keys: {list(self._data)}"
                         f"; present keys: {list(keys)}.")
      children = [x[k] for k in keys]
    elif kind is _NAMEDTUPLE:
      if not isinstance(x, tuple) or not hasattr(x, "_fields"):
        raise ValueError(f"Expected named tuple, got {x!r}.")
      if type(x) is not self._type:
        raise ValueError(f"Named tuple type mismatch: expected type: "
                         f"{self._type}, tuple: {x!r}.")
      if len(x) != n:
        raise ValueError(f"Named tuple arity mismatch: {len(x)} != {n}; "
                         f"tuple: {x!r}.")
      children = x
    else:
      if type(x) is not self._type:
        raise ValueError(f"Custom node type mismatch: expected type: "
                         f"{self._type}, value: {x!r}.")
      children, aux = self._entry.flatten(x)
      children = tuple(children)
      if not _data_equal(aux, self._data):
        raise ValueError(f"Mismatch custom node data: {self._data!r} != "
                         f"{aux!r}; value: {x!r}.")
      if len(children) != n:
        raise ValueError(f"Custom type arity mismatch: {len(children)} != {n}"
                         f"; value: {x!r}.")
    for child_def, child in zip(self._children, children):
      child_def._flatten_up_to(child, out)

  def children(self) -> list[PyTreeDef]:
    """The treedefs of this node's children.

    >>> tree_structure((1, [2])).children()
    [PyTreeDef(*), PyTreeDef([*])]
    """
    return list(self._children)

  def node_data(self):
    """``(node type, aux data)`` for this node; ``None`` for a leaf.

    >>> tree_structure({'b': 1, 'a': 2}).node_data()
    (<class 'dict'>, ['a', 'b'])
    """
    kind = self._kind
    if kind is _LEAF:
      return None
    if kind is _DICT:
      return (dict, list(self._data))
    return (self._type, self._data)

  def compose(self, inner: PyTreeDef) -> PyTreeDef:
    """Replaces every leaf of this treedef with ``inner``.

    >>> tree_structure([0, 0]).compose(tree_structure((0, 0)))
    PyTreeDef([(*, *), (*, *)])
    """
    if self._kind is _LEAF:
      return inner
    return _make_node(*self.node_data(),
                      tuple(c.compose(inner) for c in self._children))

  def from_iterable_tree(self, xs):
    """Builds a tree whose nodes come from the nested iterable ``xs``.

    >>> tree_structure((0, [0])).from_iterable_tree(['a', ['b']])
    ('a', ['b'])
    """
    if self._kind is _LEAF:
      return xs
    xs = list(xs)
    if len(xs) != len(self._children):
      raise ValueError(f"Arity mismatch between trees: {len(xs)} != "
                       f"{len(self._children)}.")
    return self._rebuild(
        [c.from_iterable_tree(x) for c, x in zip(self._children, xs)])

  # -- comparison, hashing, printing
  def __eq__(self, other):
    if self is other:
      return True
    if not isinstance(other, PyTreeDef):
      return NotImplemented
    if (self._kind is not other._kind or self.num_leaves != other.num_leaves
        or self.num_nodes != other.num_nodes or self._type is not other._type):
      return False
    h1, h2 = self._hash, other._hash
    if h1 is not None and h2 is not None and h1 != h2:
      return False
    if not _data_equal(self._data, other._data):
      return False
    return self._children == other._children

  def __ne__(self, other):
    eq = self.__eq__(other)
    return eq if eq is NotImplemented else not eq

  def __hash__(self):
    h = self._hash
    if h is None:
      # Custom aux data may be unhashable; it stays out of the hash (equal
      # treedefs still hash equal since equality checks it separately).
      data = self._data if self._kind is _DICT else None
      h = self._hash = hash((self._kind, self._type, data, self._children))
    return h

  def __repr__(self):
    return f"PyTreeDef({self._str()})"

  def _str(self) -> str:
    kind = self._kind
    if kind is _LEAF:
      return "*"
    if kind is _NONE:
      return "None"
    parts = [c._str() for c in self._children]
    if kind is _TUPLE:
      return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
    if kind is _LIST:
      return f"[{', '.join(parts)}]"
    if kind is _DICT:
      return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self._data, parts)) + "}"
    name = "namedtuple" if kind is _NAMEDTUPLE else self._type.__name__
    data = self._type.__name__ if kind is _NAMEDTUPLE else self._data
    return f"CustomNode({name}[{data}], [{', '.join(parts)}])"

  def __reduce__(self):
    if self._kind is _LEAF:
      return (_make_node, (None, None, ()))
    return (_make_node, (*self.node_data(), self._children))


def _data_equal(a, b) -> bool:
  if a is b:
    return True
  try:
    return bool(a == b)
  except Exception:  # e.g. arrays as aux data: elementwise == is ambiguous
    return False


_new_treedef = object.__new__


def _make(kind, typ, data, children, num_leaves, entry=None) -> PyTreeDef:
  td = _new_treedef(PyTreeDef)
  td._kind = kind
  td._type = typ
  td._data = data
  td._children = children
  td._entry = entry
  td.num_leaves = num_leaves
  n = 1
  for c in children:
    n += c.num_nodes
  td.num_nodes = n
  td._hash = None
  return td


def _make_node(typ, data, children) -> PyTreeDef:
  """A treedef from (type, aux data) and child treedefs; see node_data()."""
  children = tuple(children)
  num_leaves = sum(c.num_leaves for c in children)
  if typ is None:
    return _LEAF_DEF
  if typ is type(None):
    return _NONE_DEF
  if typ is tuple:
    return _make(_TUPLE, tuple, None, children, num_leaves)
  if typ is list:
    return _make(_LIST, list, None, children, num_leaves)
  if typ is dict:
    return _make(_DICT, dict, tuple(data), children, num_leaves)
  if typ in _custom_nodes:
    return _make(_CUSTOM, typ, data, children, num_leaves, _custom_nodes[typ])
  if _is_namedtuple_type(typ):
    return _make(_NAMEDTUPLE, typ, None, children, num_leaves)
  raise ValueError(f"{typ} is not a pytree node type.")


_LEAF_DEF = _make(_LEAF, None, None, (), 1)
_NONE_DEF = _make(_NONE, type(None), None, (), 0)


# ---------------------------------------------------------------- flattening

def _sorted_keys(d) -> tuple:
  if len(d) < 2:  # nothing to sort, nothing to compare
    return tuple(d)
  try:
    return tuple(sorted(d))
  except TypeError as e:
    raise ValueError(
        "Comparator raised exception while sorting pytree dictionary keys."
    ) from e


def _flatten(x, leaves, is_leaf) -> PyTreeDef:
  if is_leaf is not None and is_leaf(x):
    leaves.append(x)
    return _LEAF_DEF
  flatten = _get_flattener(type(x))
  if flatten is not None:
    return flatten(x, leaves, is_leaf)
  if isinstance(x, tuple) and hasattr(x, "_fields"):
    return _flatten_namedtuple(x, leaves, is_leaf)
  leaves.append(x)
  return _LEAF_DEF


def _flatten_children(xs, leaves, is_leaf) -> tuple:
  if is_leaf is None:
    # Inline the leaf case: most children of a jit argument tuple are arrays.
    out = []
    append = out.append
    for c in xs:
      if _get_flattener(type(c)) is None and not isinstance(c, tuple):
        leaves.append(c)
        append(_LEAF_DEF)
      else:
        append(_flatten(c, leaves, None))
    return tuple(out)
  return tuple([_flatten(c, leaves, is_leaf) for c in xs])


def _flatten_none(x, leaves, is_leaf):
  return _NONE_DEF


def _all_leaves_fast(xs) -> bool:
  for c in xs:
    if _get_flattener(type(c)) is not None or isinstance(c, tuple):
      return False
  return True


# Treedefs are immutable, so the commonest ones (a tuple or list of n leaves,
# e.g. jit's positional arguments) are shared, hash included.
_all_leaf_tuple_defs: dict[int, PyTreeDef] = {}
_all_leaf_list_defs: dict[int, PyTreeDef] = {}
_all_leaf_dict_defs: dict[tuple, PyTreeDef] = {}


def _sequence_flattener(kind, typ, all_leaf_defs):
  def flatten_sequence(x, leaves, is_leaf):
    if is_leaf is None and _all_leaves_fast(x):
      leaves.extend(x)
      n = len(x)
      td = all_leaf_defs.get(n)
      if td is None:
        td = all_leaf_defs[n] = _make(kind, typ, None, (_LEAF_DEF,) * n, n)
      return td
    start = len(leaves)
    children = _flatten_children(x, leaves, is_leaf)
    return _make(kind, typ, None, children, len(leaves) - start)
  return flatten_sequence


_flatten_tuple = _sequence_flattener(_TUPLE, tuple, _all_leaf_tuple_defs)
_flatten_list = _sequence_flattener(_LIST, list, _all_leaf_list_defs)


def _flatten_dict(x, leaves, is_leaf):
  start = len(leaves)
  keys = _sorted_keys(x)
  values = [x[k] for k in keys]
  if is_leaf is None and _all_leaves_fast(values):
    leaves.extend(values)
    td = _all_leaf_dict_defs.get(keys)
    if td is None:
      td = _make(_DICT, dict, keys, (_LEAF_DEF,) * len(keys), len(keys))
      # Only str keys: 1, 1.0 and True are equal keys but must rebuild as
      # themselves. Bounded, since keys can be anything.
      if len(_all_leaf_dict_defs) < 4096 and all(
          type(k) is str for k in keys):
        _all_leaf_dict_defs[keys] = td
    return td
  children = _flatten_children(values, leaves, is_leaf)
  return _make(_DICT, dict, keys, children, len(leaves) - start)


def _flatten_namedtuple(x, leaves, is_leaf):
  start = len(leaves)
  children = _flatten_children(x, leaves, is_leaf)
  return _make(_NAMEDTUPLE, type(x), None, children, len(leaves) - start)


_flatteners.update({type(None): _flatten_none, tuple: _flatten_tuple,
                    list: _flatten_list, dict: _flatten_dict})
_get_flattener = _flatteners.get


def _too_deep(entry: Callable) -> SystemError:
  """JAX's error for a tree too deep to flatten (a self-referential list): its
  C++ flattener turns Python's RecursionError into a SystemError.

  >>> a = []; a.append(a)
  >>> tree_leaves(a)
  Traceback (most recent call last):
  ...
  SystemError: <function tree_leaves> returned a result with an exception set
  """
  return SystemError(f"<function {entry.__name__}> returned a result with an exception set")


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                 ) -> tuple[list[Any], PyTreeDef]:
  """Flattens a pytree into its leaves and its structure.

  Args:
    tree: the pytree.
    is_leaf: optional predicate; a subtree for which it returns True is
      treated as a leaf, without looking inside.

  Returns:
    ``(leaves, treedef)``: the leaves left to right, and the treedef.

  >>> tree_flatten([1, (2, None), {'b': 3, 'a': 4}])
  ([1, 2, 4, 3], PyTreeDef([*, (*, None), {'a': *, 'b': *}]))
  """
  leaves = []
  try:
    return leaves, _flatten(tree, leaves, is_leaf)
  except RecursionError as e:
    raise _too_deep(tree_flatten) from e


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
  """Rebuilds a pytree from its treedef and leaves.

  >>> tree_unflatten(tree_structure((0, {'a': 0})), [1, 2])
  (1, {'a': 2})
  """
  return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                ) -> list[Any]:
  """The leaves of a pytree, left to right.

  >>> tree_leaves({'x': [1, 2], 'y': None})
  [1, 2]
  """
  if is_leaf is None and _native_leaves is not None and (
      type(tree) is list or type(tree) is tuple):
    # jaxlib's flatten over a registry that knows every node type of this
    # one (this is on the path of every training step).
    try:
      return _native_leaves(tree)[0]
    except Exception:  # noqa: BLE001 - the Python walk below raises this module's error
      pass
  leaves = []
  try:
    if is_leaf is None and (type(tree) is list or type(tree) is tuple):
      _collect_leaves(tree, leaves)   # no treedef to build
    else:
      _flatten(tree, leaves, is_leaf)
  except RecursionError as e:
    raise _too_deep(tree_leaves) from e
  return leaves


# jaxlib's C++ flatten over a registry of the built-in containers only (see
# native_flatten), installed by jit once jaxlib is loaded (importing it here
# would cost `import jaxlite` its start-up time).
_native_flatten = None
# For tree_leaves: jaxlib's C++ flatten over a registry holding the built-in
# containers and every node type registered here (each flattened by the
# function registered here), so that its leaves are this module's leaves.
_native_leaves_registry = None
_native_leaves = None


def native_flatten(tree):
  """``(leaves, treedef)`` of ``tree`` by jaxlib's C++ flatten, or None.

  It knows the built-in containers (and orders dict keys, finds namedtuples,
  as this module does), so its leaves are ours unless one is of a type
  registered here; then, on an error, or before jit installed it, None: the
  Python walk decides (and raises its errors). The treedef is jaxlib's.

  >>> from jaxlite.interpreters import pjit
  >>> _ = pjit._cpp_pytree_flatten()   # what jit's first pytree call installs
  >>> native_flatten([1, (2, None)])[0]
  [1, 2]
  >>> native_flatten([collections.OrderedDict(a=1)]) is None   # a node here, a leaf there
  True
  """
  if _native_flatten is None:
    return None
  try:
    leaves, treedef = _native_flatten(tree)
  except Exception:  # noqa: BLE001
    return None
  if _custom_node_types.isdisjoint(map(type, leaves)):
    return leaves, treedef
  return None


def set_native_flatten(flatten) -> None:
  """Installs ``flatten`` (``jaxlib._jax.pytree.PyTreeRegistry().flatten``,
  which ``native_flatten`` uses), and makes ``tree_leaves``' registry: one of
  jaxlib's holding every node type registered here."""
  global _native_flatten, _native_leaves_registry, _native_leaves
  from jaxlib import _jax  # pylint: disable=g-import-not-at-top - loaded by jit already
  registry = _jax.pytree.PyTreeRegistry()
  _native_leaves_registry = registry   # registrations from now on go there too
  for kind in list(_custom_nodes.values()):
    _register_native(registry, kind)
  _native_leaves = registry.flatten
  _native_flatten = flatten


def _register_native(registry, kind) -> None:
  """Registers the node type of ``kind`` in jaxlib's ``registry``, flattened by
  this module's function (an error there sends tree_leaves down the Python
  walk, which raises this module's error)."""
  try:
    registry.register_node(kind.type, kind.flatten, kind.unflatten)
  except ValueError:   # registered meanwhile by set_native_flatten's loop
    pass


def _collect_leaves(xs, leaves):
  """Appends the leaves of the tuple or list ``xs`` to ``leaves``, walking
  nested tuples and lists here (one frame each, no treedefs); other nodes
  flatten as in ``_flatten``. ``tree_leaves(params)`` of a list of (w, b)
  tuples is on the path of every training step."""
  for c in xs:
    t = type(c)
    if t is tuple or t is list:
      _collect_leaves(c, leaves)
    elif _get_flattener(t) is None and not issubclass(t, tuple):
      leaves.append(c)
    else:   # None, a dict, a namedtuple or a registered node
      _flatten(c, leaves, None)


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                   ) -> PyTreeDef:
  """The treedef of a pytree.

  >>> tree_structure((1, [2, None]))
  PyTreeDef((*, [*, None]))
  """
  try:
    return _flatten(tree, [], is_leaf)
  except RecursionError as e:
    raise _too_deep(tree_structure) from e


def flatten_one_level(tree: Any) -> tuple[Iterable[Any], Any]:
  """Splits one node into its children and its aux data.

  >>> flatten_one_level({'a': [1, 2], 'b': 3})
  ([[1, 2], 3], ('a', 'b'))
  """
  pairs, meta = flatten_one_level_with_keys(tree)
  return [child for _, child in pairs], meta


def flatten_one_level_with_keys(tree: Any) -> tuple[list, Any]:
  """Splits one node into ``(key, child)`` pairs and its aux data.

  >>> flatten_one_level_with_keys((5, 6))
  ([(SequenceKey(idx=0), 5), (SequenceKey(idx=1), 6)], None)
  """
  out = _one_level_with_keys(tree)
  if out is None:
    raise ValueError(f"can't tree-flatten type: {type(tree)}")
  return out


def _one_level_with_keys(x):
  """``([(key, child)], aux)`` for a node; ``None`` for a leaf."""
  typ = type(x)
  if typ is tuple or typ is list:
    return [(SequenceKey(i), c) for i, c in enumerate(x)], None
  if typ is dict:
    keys = _sorted_keys(x)
    return [(DictKey(k), x[k]) for k in keys], keys
  if x is None:
    return [], None
  entry = _custom_nodes.get(typ)
  if entry is not None:
    if entry.flatten_with_keys is not None:
      pairs, aux = entry.flatten_with_keys(x)
      return list(pairs), aux
    children, aux = entry.flatten(x)
    return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux
  if isinstance(x, tuple) and hasattr(x, "_fields"):
    return [(GetAttrKey(f), c) for f, c in zip(x._fields, x)], typ
  return None


def _flatten_with_path(x, path, out, is_leaf, takes_path) -> PyTreeDef:
  if is_leaf is not None and (is_leaf(path, x) if takes_path else is_leaf(x)):
    out.append((path, x))
    return _LEAF_DEF
  split = _one_level_with_keys(x)
  if split is None:
    out.append((path, x))
    return _LEAF_DEF
  pairs, aux = split
  start = len(out)
  children = tuple([_flatten_with_path(c, (*path, k), out, is_leaf, takes_path)
                    for k, c in pairs])
  typ = type(x)
  entry = _custom_nodes.get(typ)
  num_leaves = len(out) - start
  if entry is not None:
    return _make(_CUSTOM, typ, aux, children, num_leaves, entry)
  if typ is dict:
    return _make(_DICT, dict, aux, children, num_leaves)
  return _make_node(typ, None, children)


def tree_flatten_with_path(tree: Any, is_leaf: Callable | None = None,
                           is_leaf_takes_path: bool = False
                           ) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
  """Like :func:`tree_flatten`, pairing each leaf with its key path.

  Args:
    tree: the pytree.
    is_leaf: optional predicate, called as ``is_leaf(x)``, or as
      ``is_leaf(path, x)`` when ``is_leaf_takes_path`` is True.
    is_leaf_takes_path: whether ``is_leaf`` takes the key path too.

  >>> tree_flatten_with_path({'a': (1,)})[0]
  [((DictKey(key='a'), SequenceKey(idx=0)), 1)]
  """
  out = []
  try:
    treedef = _flatten_with_path(tree, (), out, is_leaf, is_leaf_takes_path)
  except RecursionError as e:
    raise _too_deep(tree_flatten_with_path) from e
  return out, treedef


def tree_leaves_with_path(tree: Any, is_leaf: Callable | None = None,
                          is_leaf_takes_path: bool = False
                          ) -> list[tuple[KeyPath, Any]]:
  """The ``(key path, leaf)`` pairs of a pytree.

  >>> [(keystr(p), x) for p, x in tree_leaves_with_path([1, {'b': 2}])]
  [('[0]', 1), ("[1]['b']", 2)]
  """
  return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


# ---------------------------------------------------------------- built-in nodes

def _ordered_dict_with_keys(x):
  return tuple((DictKey(k), v) for k, v in x.items()), tuple(x)


register_pytree_with_keys(
    collections.OrderedDict, _ordered_dict_with_keys,
    lambda keys, values: collections.OrderedDict(zip(keys, values)))


def _default_dict_with_keys(x):
  keys = _sorted_keys(x)
  return tuple((DictKey(k), x[k]) for k in keys), (x.default_factory, keys)


register_pytree_with_keys(
    collections.defaultdict, _default_dict_with_keys,
    lambda aux, values: collections.defaultdict(aux[0], zip(aux[1], values)))

