"""The functional core of ``jaxlite.linen``, as ``flax.core`` has it: scopes,
``init``/``apply`` and the lifted transformations in :mod:`.lift`.

  >>> from jaxlite.linen import core
  >>> sorted(core.Scope({'params': {}}).variables())
  ['params']
"""
from jaxlite.linen.core.scope import (DenyList, LazyRng, Scope, Variable, apply, bind,
                                      freeze, group_collections, in_filter, init,
                                      intersect_filters, subtract_filters, unfreeze,
                                      union_filters)
from jaxlite.linen.core import lift  # noqa: E402

__all__ = ["DenyList", "LazyRng", "Scope", "Variable", "apply", "bind", "freeze",
           "group_collections", "in_filter", "init", "intersect_filters", "lift",
           "subtract_filters", "unfreeze", "union_filters"]
