"""Names a package re-exports from modules it imports on first use.

``import jaxlite`` compiles (or reads the bytecode of) every module it
imports; the families most programs never call at import time (``lax``'s
convolutions and collectives, ``jnp.linalg``, ``jnp.fft`` ...) are imported
when one of their names is first read instead. A package declares which names
each such module exports; its module ``__getattr__`` (PEP 562) imports the
owning module, stores the name in the package's globals (so the next read is
an ordinary attribute read) and returns it. ``from package import name`` and
``dir(package)`` see the names as before.

  >>> import jaxlite.lax as lax
  >>> callable(lax.conv_general_dilated)
  True
"""
from __future__ import annotations

import importlib
from typing import Callable, Iterable, Mapping


def lazy_exports(package_globals: dict, exports: Mapping[str, Iterable[str]],
                 submodules: Iterable[str] = (), fallback: Callable | None = None):
  """``(__getattr__, __dir__)`` for a package that re-exports lazily.

  Args:
    package_globals: the package's ``globals()``.
    exports: full module name -> the names it exports (its ``__all__``), as
      ``from module import *`` in the package would bind them.
    submodules: names of the package's own submodules that are read as
      attributes (``jnp.linalg``); imported on first read. The submodules in
      ``exports`` are read so too (an exported name of the same name wins).
    fallback: called with the name when it is none of the above (the
      package's deprecation messages); else ``AttributeError``.
  """
  package = package_globals["__name__"]
  owners = {name: module for module, names in exports.items() for name in names}
  submodules = frozenset(submodules) | {
      module.rpartition(".")[2] for module in exports
      if module.rpartition(".")[0] == package}

  def __getattr__(name):
    module_name = owners.get(name)
    if module_name is not None:
      value = getattr(importlib.import_module(module_name), name)
    elif name in submodules:
      value = importlib.import_module(f"{package}.{name}")
    elif fallback is not None:
      return fallback(name)
    else:
      # Named as its user imported it (``jax.interpreters`` under the switch).
      from jaxlite.deprecations import shown_module_name  # pylint: disable=g-import-not-at-top
      raise AttributeError(f"module {shown_module_name(package)!r} has no attribute {name!r}")
    package_globals[name] = value
    return value

  def __dir__():
    return sorted({*package_globals, *owners, *submodules})

  return __getattr__, __dir__
