"""The switch that serves ``import jax`` from jaxlite.

After ``jaxlite.install_as_jax()`` (or under ``python -m jaxlite script.py``),
every ``import jax``, ``import jax.numpy``, ``from jax._src.core import ...``
in this process resolves to jaxlite's modules through the one table in
``jaxlite.jax_compat.table``. Nothing named ``jax`` is installed on disk: with
the switch off, a real JAX in the same environment is what ``import jax``
gets.

  >>> import jaxlite
  >>> jaxlite.install_as_jax()  # doctest: +SKIP
  >>> import jax, jax.numpy  # doctest: +SKIP
  >>> jax.numpy is jaxlite.numpy  # doctest: +SKIP
  True
"""
import functools
import importlib
import importlib.machinery
import sys
import threading
import types

from jaxlite.jax_compat.table import JAX_MODULES, NAMESPACE


def _is_jax_name(fullname):
  return fullname == "jax" or fullname.startswith("jax.")


# The loader and finder below implement the import protocols without
# subclassing importlib.abc's: that module imports importlib.resources (and
# with it tempfile, shutil, random ...) into every ``import jaxlite``.
class _ServeExisting:
  """Hands the import system an already-imported jaxlite module.

  The import system stamps the spec it used onto the module it gets; the
  jaxlite module keeps its own spec (so ``importlib.reload`` and pickling by
  module name still see ``jaxlite.x``).
  """

  def __init__(self, module):
    self._module = module

  def create_module(self, spec):
    self._own_spec = getattr(self._module, "__spec__", None)
    return self._module

  def exec_module(self, module):
    if self._own_spec is not None:
      module.__spec__ = self._own_spec
    if "__getattr__" not in vars(module):
      # Python's own error for a missing name would name the jaxlite module;
      # JAX code reads JAX's ("module 'jax.random' has no attribute ...").
      module.__getattr__ = functools.partial(_no_attribute, module.__name__)


def _no_attribute(module_name, name):
  from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
  raise no_attribute_error(module_name, name)


class JaxModuleFinder:
  """Resolves ``jax`` and ``jax.*`` names through ``JAX_MODULES``.

  Unmapped ``jax.*`` names raise ``ModuleNotFoundError`` here instead of
  falling through to the real JAX on disk: one process never mixes the two.
  """

  def invalidate_caches(self):
    """Nothing cached here (``importlib.invalidate_caches`` calls it)."""

  def find_spec(self, fullname, path=None, target=None):
    if not _is_jax_name(fullname):
      return None
    try:
      target_name = JAX_MODULES[fullname]
    except KeyError:
      raise ModuleNotFoundError(
          f"No module named {fullname!r} (jaxlite serves `jax`; this module is "
          "not in jaxlite.jax_compat.table)", name=fullname) from None
    if target_name is NAMESPACE:
      module = _namespace_module(fullname)
    else:
      module = importlib.import_module(target_name)
    return importlib.machinery.ModuleSpec(
        fullname, _ServeExisting(module), is_package=hasattr(module, "__path__"))


_namespaces = {}


def _import_child(parent, name):
  # `jax._src.xla_bridge` as an attribute works in JAX without importing it
  # first (jax imports it); here the served child is imported on that access.
  child = f"{parent}.{name}"
  if child not in JAX_MODULES:
    raise AttributeError(f"module {parent!r} has no attribute {name!r}")
  return importlib.import_module(child)


def _namespace_module(fullname):
  """The empty package served for a holding name such as ``jax._src``."""
  module = _namespaces.get(fullname)
  if module is None:
    module = types.ModuleType(fullname, f"Holds the {fullname}.* modules jaxlite serves.")
    module.__path__ = []
    module.__getattr__ = functools.partial(_import_child, fullname)
    _namespaces[fullname] = module
  return module


_FINDER = JaxModuleFinder()
_install_lock = threading.Lock()


def install_as_jax():
  """Makes ``import jax...`` in this process resolve to jaxlite.

  Idempotent and thread-safe. It must run before the real ``jax`` is
  imported in the process (one process never mixes the two); the switch
  lasts for the life of the process.

  Raises:
    RuntimeError: the real ``jax`` package is already imported.

  Example:
    >>> import jaxlite
    >>> jaxlite.install_as_jax()  # doctest: +SKIP
    >>> import jax.numpy as jnp  # doctest: +SKIP
    >>> jnp.arange(3).sum()  # doctest: +SKIP
    Array(3, dtype=int32)
  """
  with _install_lock:
    if _FINDER in sys.meta_path:
      # Keep it first: a finder inserted later must not take `jax` back.
      if sys.meta_path[0] is not _FINDER:
        sys.meta_path.remove(_FINDER)
        sys.meta_path.insert(0, _FINDER)
      return
    real = sorted(name for name, module in sys.modules.items()
                  if _is_jax_name(name) and module is not None)
    if real:
      raise RuntimeError(
          "jaxlite.install_as_jax() must run before `jax` is imported; already "
          f"imported: {', '.join(real[:5])}{' ...' if len(real) > 5 else ''}")
    sys.meta_path.insert(0, _FINDER)


def is_installed():
  """Whether ``import jax`` is served by jaxlite in this process.

    >>> import jaxlite
    >>> jaxlite.install_as_jax()  # doctest: +SKIP
    >>> jaxlite.jax_compat.is_installed()  # doctest: +SKIP
    True
  """
  return _FINDER in sys.meta_path


__all__ = ["install_as_jax", "is_installed", "JAX_MODULES", "JaxModuleFinder"]
