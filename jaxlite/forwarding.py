"""Array-like properties read through to another object: the mixin that wrappers
over an aval or an array (``AbstractRef``, ``Ref``, ``EArray``) share.

  >>> import numpy as np
  >>> from jaxlite.core import ShapedArray
  >>> class Wrapped(forwarding_mixin("inner")):
  ...   def __init__(self, inner):
  ...     self.inner = inner
  >>> w = Wrapped(ShapedArray((2, 3), np.float32))
  >>> w.shape, w.ndim, w.size, len(w)
  ((2, 3), 2, 6, 2)
"""
from __future__ import annotations

import operator

__all__ = ["forwarding_mixin"]

ARRAY_PROPERTIES = ("shape", "dtype", "ndim", "size")


def forwarding_mixin(source: str, names=ARRAY_PROPERTIES):
  """A mixin class whose read-only properties ``names``, and ``len()``, are those
  of ``self.<source>`` (an attribute name, dotted names allowed).

  Args:
    source: the attribute holding the object the properties come from.
    names: the properties to read through (by default shape, dtype, ndim, size).

  Returns:
    A class with empty ``__slots__``, to list before the other bases.

  >>> import numpy as np
  >>> class Box(forwarding_mixin("value", ("shape", "dtype"))):
  ...   def __init__(self, value):
  ...     self.value = value
  >>> Box(np.zeros((4,), np.int8)).dtype
  dtype('int8')
  """
  get_source = operator.attrgetter(source)
  namespace = {name: _read_through(get_source, name) for name in names}
  namespace["__len__"] = lambda self: len(get_source(self))
  namespace["__slots__"] = ()
  namespace["__doc__"] = f"{', '.join(names)} and len() of ``self.{source}``."
  return type(f"Forwarding_{source.replace('.', '_')}", (), namespace)


def _read_through(get_source, name: str) -> property:
  get_value = operator.attrgetter(name)
  return property(lambda self: get_value(get_source(self)))
