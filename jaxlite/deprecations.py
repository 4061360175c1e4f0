"""Names JAX 0.10.2 has deprecated or removed, answered as JAX answers them.

A module lists its names in a table ``{name: (message, value)}`` and sets
``__getattr__ = deprecation_getattr(__name__, table)``: reading a name whose
value is None raises ``AttributeError(message)`` (JAX removed it, and says
what replaces it); reading one with a value warns ``DeprecationWarning(message)``
and returns the value.

>>> table = {"old": ("m.old is deprecated; use m.new.", None)}
>>> getattr_ = deprecation_getattr("m", table)
>>> getattr_("old")
Traceback (most recent call last):
  ...
AttributeError: m.old is deprecated; use m.new.
"""
from __future__ import annotations

import functools
import warnings
from typing import Callable


def deprecation_getattr(module: str, table) -> Callable:
  """A module ``__getattr__`` serving ``table`` (see the module docstring), or
  the table a zero-argument function returns on the first read (so a module
  can defer importing the values). As JAX's, each name is answered once and
  remembered: a deprecated name warns on its first read only.

  >>> getattr_ = deprecation_getattr("m", {"f": ("m.f is deprecated.", len)})
  >>> import warnings
  >>> with warnings.catch_warnings(record=True) as caught:
  ...   warnings.simplefilter("always")
  ...   getattr_("f") is len, caught[0].category.__name__
  (True, 'DeprecationWarning')
  """
  resolved = []

  @functools.cache
  def __getattr__(name):
    if not resolved:
      resolved.append(table() if callable(table) else table)
    if name in resolved[0]:
      message, value = resolved[0][name]
      if value is None:
        raise AttributeError(message)
      warnings.warn(message, DeprecationWarning, stacklevel=2)
      return value
    raise AttributeError(f"module {module!r} has no attribute {name!r}")
  return __getattr__
