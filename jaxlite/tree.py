"""Pytree utilities under JAX's newer, shorter names (``jax.tree.map``...).

Each function here is the :mod:`jaxlite.tree_util` one of the longer name.

  >>> from jaxlite import tree
  >>> tree.map(lambda x: x * 2, {'a': 1, 'b': (2, 3)})
  {'a': 2, 'b': (4, 6)}
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable

from jaxlite import tree_util
from jaxlite.tree_util import PyTreeDef

__all__ = [
    "all", "broadcast", "flatten", "flatten_with_path", "leaves",
    "leaves_with_path", "map", "map_with_path", "reduce", "reduce_associative",
    "static", "structure", "transpose", "unflatten",
]

_UNSPECIFIED = tree_util._UNSPECIFIED


def all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
  """Whether every leaf of ``tree`` is truthy.

  >>> all([1, (True, 'x')]), all([1, None, 0])
  (True, False)
  """
  return tree_util.tree_all(tree, is_leaf=is_leaf)


def broadcast(prefix_tree: Any, full_tree: Any,
              is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Repeats each leaf of ``prefix_tree`` over its subtree of ``full_tree``.

  >>> broadcast([1, 2], [(0, 0), 0])
  [(1, 1), 2]
  """
  return tree_util.tree_broadcast(prefix_tree, full_tree, is_leaf)


def flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
            ) -> tuple[list[Any], PyTreeDef]:
  """Flattens ``tree`` into ``(leaves, treedef)``.

  >>> flatten((1, [2]))
  ([1, 2], PyTreeDef((*, [*])))
  """
  return tree_util.tree_flatten(tree, is_leaf)


def flatten_with_path(tree: Any, is_leaf: Callable | None = None,
                      is_leaf_takes_path: bool = False):
  """Flattens ``tree`` into ``([(key path, leaf)], treedef)``.

  >>> flatten_with_path([5])[0]
  [((SequenceKey(idx=0),), 5)]
  """
  return tree_util.tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)


def leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
  """The leaves of ``tree``, left to right.

  >>> leaves({'b': 2, 'a': [1, None]})
  [1, 2]
  """
  return tree_util.tree_leaves(tree, is_leaf)


def leaves_with_path(tree: Any, is_leaf: Callable | None = None,
                     is_leaf_takes_path: bool = False):
  """The ``(key path, leaf)`` pairs of ``tree``.

  >>> leaves_with_path({'a': 1})
  [((DictKey(key='a'),), 1)]
  """
  return tree_util.tree_leaves_with_path(tree, is_leaf, is_leaf_takes_path)


def map(f: Callable[..., Any], tree: Any, *rest: Any,
        is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Applies ``f`` leafwise over ``tree`` and the trees in ``rest``.

  >>> map(lambda x, y: x + y, [1, 2], [10, 20])
  [11, 22]
  """
  return tree_util.tree_map(f, tree, *rest, is_leaf=is_leaf)


def map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                  is_leaf: Callable | None = None,
                  is_leaf_takes_path: bool = False) -> Any:
  """Applies ``f(path, x, *xs)`` leafwise.

  >>> map_with_path(lambda p, x: len(p), [1, [2]])
  [1, [2]]
  """
  return tree_util.tree_map_with_path(f, tree, *rest, is_leaf=is_leaf,
                                      is_leaf_takes_path=is_leaf_takes_path)


def reduce(function: Callable[[Any, Any], Any], tree: Any,
           initializer: Any = _UNSPECIFIED,
           is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Folds ``function`` over the leaves of ``tree``.

  >>> reduce(max, [3, (7, 1)])
  7
  """
  return tree_util.tree_reduce(function, tree, initializer, is_leaf)


def reduce_associative(operation: Callable[[Any, Any], Any], tree: Any, *,
                       identity: Any = _UNSPECIFIED,
                       is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Reduces the leaves of ``tree`` pairwise with an associative operation.

  >>> reduce_associative(lambda a, b: a * b, [2, (3, 4)])
  24
  """
  return tree_util.tree_reduce_associative(operation, tree, identity=identity,
                                           is_leaf=is_leaf)


def static(**kwargs) -> Any:
  """A :func:`dataclasses.field` marked static for ``register_dataclass``.

  >>> @tree_util.register_dataclass
  ... @dataclasses.dataclass
  ... class Op:
  ...   x: float
  ...   kind: str = static(default='add')
  >>> leaves(Op(1.0))
  [1.0]
  """
  metadata = dict(kwargs.pop("metadata", None) or {})
  metadata["static"] = True
  return dataclasses.field(metadata=metadata, **kwargs)


def structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None
              ) -> PyTreeDef:
  """The treedef of ``tree``.

  >>> structure({'a': 1})
  PyTreeDef({'a': *})
  """
  return tree_util.tree_structure(tree, is_leaf)


def transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
              pytree_to_transpose: Any) -> Any:
  """Swaps the outer and inner levels of a tree of trees.

  >>> transpose(structure([0, 0]), None, [(1, 2), (3, 4)])
  ([1, 3], [2, 4])
  """
  return tree_util.tree_transpose(outer_treedef, inner_treedef,
                                  pytree_to_transpose)


def unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
  """Rebuilds a tree of structure ``treedef`` from ``leaves``.

  >>> unflatten(structure((0, 0)), [1, 2])
  (1, 2)
  """
  return tree_util.tree_unflatten(treedef, leaves)
