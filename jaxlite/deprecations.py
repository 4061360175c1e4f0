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
import sys
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
    raise no_attribute_error(module, name)
  return __getattr__


def no_attribute_error(module: str, name: str) -> AttributeError:
  """The AttributeError for a name ``module`` lacks, naming the module as its
  user imported it (see ``shown_module_name``).

  >>> no_attribute_error("jaxlite.numpy", "foo")
  AttributeError("module 'jaxlite.numpy' has no attribute 'foo'")
  """
  return AttributeError(f"module {shown_module_name(module)!r} has no attribute {name!r}")


def shown_module_name(module: str) -> str:
  """``module`` as its user imported it: under the switch (``python -m jaxlite``,
  ``install_as_jax()``) the JAX name the one declared mapping serves it as, so
  that errors read as JAX's (``module 'jax.numpy' has no attribute ...``).

  >>> shown_module_name("jaxlite.numpy")   # the switch is off here
  'jaxlite.numpy'
  """
  # The switch is only on once jaxlite.jax_compat is imported (only error
  # paths come here, and import time stays lean: it is not imported for them).
  jax_compat = sys.modules.get("jaxlite.jax_compat")
  if jax_compat is None or not jax_compat.is_installed():
    return module
  from jaxlite.jax_compat.table import jax_name_of  # pylint: disable=g-import-not-at-top
  return jax_name_of(module) or module
