"""The module served as ``jax`` when the switch is on.

It is jaxlite's public surface (every attribute comes from ``jaxlite``) plus
the version JAX code compares against: libraries pick code paths with
``jax.__version__`` / ``jax.__version_info__``, so this module reports the JAX
API level that jaxlite implements, while ``jaxlite.__version__`` stays the
release number of the jaxlite package.

  >>> from jaxlite.jax_compat import jax_module
  >>> jax_module.__version_info__
  (0, 10, 2)
  >>> import jaxlite
  >>> jax_module.numpy is jaxlite.numpy
  True
"""
import jaxlite as _jaxlite

# The JAX release whose API and behaviour jaxlite follows.
__version__ = "0.10.2"
__version_info__ = tuple(int(part) for part in __version__.split("."))

# Submodules of ``jax`` are imported through the switch's finder, which never
# reads a path; an empty ``__path__`` makes this a package so they can be.
__path__ = []


def __getattr__(name):
  # Looked up once per name: the value is kept here so later reads are plain
  # module attribute reads (``jax.numpy`` in a hot loop costs nothing extra).
  # A submodule the table maps elsewhere than jaxlite's attribute of that name
  # (``jax.api_util``, a gathering module) is the table's, as ``import`` gives.
  from jaxlite.jax_compat.table import JAX_MODULES, NAMESPACE
  target = JAX_MODULES.get(f"jax.{name}", False)
  if target is NAMESPACE:  # a holding package (``jax._src``): the one the finder serves
    from jaxlite.jax_compat import _namespace_module
    value = _namespace_module(f"jax.{name}")
  elif target and target != f"jaxlite.{name}":
    import importlib
    value = importlib.import_module(target)
  else:
    try:
      value = getattr(_jaxlite, name)
    except AttributeError as e:
      if str(e) != f"module 'jaxlite' has no attribute {name!r}":
        raise
      raise AttributeError(f"module 'jax' has no attribute {name!r}") from None
  globals()[name] = value
  return value


def __dir__():
  return sorted(set(dir(_jaxlite)) | {"__version__", "__version_info__"})
