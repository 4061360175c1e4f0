"""Serves ``import jax`` (and every ``jax.*`` module) from jaxlite.

Put this directory first on PYTHONPATH and Python imports this module at
startup: a meta-path finder then maps ``jax`` -> ``jaxlite``, ``jax.numpy`` ->
``jaxlite.numpy``, ``jax.example_libraries.stax`` ->
``jaxlite.example_libraries.stax`` and so on, so a program written for JAX
runs on jaxlite without being edited. At exit it reports on stderr that the
alias was used and whether the real ``jax`` was ever imported (it must not be).
"""
import atexit
import importlib
import importlib.abc
import importlib.util
import sys

_ALIAS, _TARGET = "jax", "jaxlite"


class _AliasLoader(importlib.abc.Loader):
  """Hands back the already-imported jaxlite module for a jax module name."""

  def __init__(self, module):
    self.module = module
    self.spec = module.__spec__

  def create_module(self, spec):
    return self.module

  def exec_module(self, module):
    # The import system set the module's __spec__ to the alias spec; the
    # module is jaxlite's, so it keeps its own.
    module.__spec__ = self.spec


class _AliasFinder(importlib.abc.MetaPathFinder):

  def find_spec(self, fullname, path=None, target=None):
    if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
      return None
    module = importlib.import_module(_TARGET + fullname[len(_ALIAS):])
    return importlib.util.spec_from_loader(
        fullname, _AliasLoader(module), is_package=hasattr(module, "__path__"))


sys.meta_path.insert(0, _AliasFinder())


@atexit.register
def _report():
  served = sys.modules.get(_ALIAS)
  ok = served is not None and served is sys.modules.get(_TARGET)
  real = any(getattr(m, "__name__", "").split(".")[0] == _ALIAS
             for m in list(sys.modules.values()))
  sys.stderr.write(f"jax-alias: jax served by jaxlite: {ok}; real jax imported: {real}\n")
