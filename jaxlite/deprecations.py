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

import warnings
from typing import Any, Callable


def deprecation_getattr(module: str, table: dict[str, tuple[str, Any]]) -> Callable:
  """A module ``__getattr__`` serving ``table`` (see the module docstring).

  >>> getattr_ = deprecation_getattr("m", {"f": ("m.f is deprecated.", len)})
  >>> import warnings
  >>> with warnings.catch_warnings(record=True) as caught:
  ...   warnings.simplefilter("always")
  ...   getattr_("f") is len, caught[0].category.__name__
  (True, 'DeprecationWarning')
  """
  def __getattr__(name):
    if name in table:
      message, value = table[name]
      if value is None:
        raise AttributeError(message)
      warnings.warn(message, DeprecationWarning, stacklevel=2)
      return value
    raise AttributeError(f"module {module!r} has no attribute {name!r}")
  return __getattr__
