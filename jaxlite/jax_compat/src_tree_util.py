"""``jax._src.tree_util``: jaxlite's ``tree_util``, plus ``_registry``, the
read-only view of registered node types that JAX's private module keeps and
libraries test membership in (flax.nnx's graph code asks
``type(x) in _registry`` to tell pytree nodes from leaves). Every other name
is jaxlite.tree_util's own.

  >>> from jaxlite.jax_compat import src_tree_util
  >>> tuple in src_tree_util._registry, int in src_tree_util._registry
  (True, False)
  >>> src_tree_util._registry[list].to_iter([1, 2])
  ([1, 2], None)
"""
from __future__ import annotations

import collections
from collections.abc import Mapping

from jaxlite import _pytree
from jaxlite import tree_util as _tree_util

_RegistryEntry = collections.namedtuple("_RegistryEntry", ["to_iter", "from_iter"])

# The four built-in node types JAX's dict starts with, as JAX defines them.
_BUILTIN_ENTRIES = {
    tuple: _RegistryEntry(lambda xs: (xs, None), lambda _, xs: tuple(xs)),
    list: _RegistryEntry(lambda xs: (xs, None), lambda _, xs: list(xs)),
    dict: _RegistryEntry(lambda d: (tuple(d[k] for k in sorted(d)), tuple(sorted(d))),
                         lambda keys, xs: dict(zip(keys, xs))),
    type(None): _RegistryEntry(lambda _: ((), None), lambda _, xs: None),
}


class _NodeRegistryView(Mapping):
  """Node type -> ``_RegistryEntry(to_iter, from_iter)``: the built-in types
  and every type registered since (register_pytree_node, register_dataclass,
  register_static, ...), read live from jaxlite's registry."""

  def __getitem__(self, typ):
    entry = _BUILTIN_ENTRIES.get(typ)
    if entry is not None:
      return entry
    kind = _pytree._custom_nodes[typ]   # KeyError for an unregistered type, as a dict
    return _RegistryEntry(kind.flatten, kind.unflatten)

  def __contains__(self, typ):
    return typ in _BUILTIN_ENTRIES or typ in _pytree._custom_nodes

  def __iter__(self):
    yield from _BUILTIN_ENTRIES
    yield from list(_pytree._custom_nodes)

  def __len__(self):
    return len(_BUILTIN_ENTRIES) + len(_pytree._custom_nodes)


_registry = _NodeRegistryView()


def __getattr__(name):
  return getattr(_tree_util, name)
