"""``import jaxlite`` leaves the families most programs never call at import
(``jnp.linalg``, ``jnp.fft``, ``lax``'s convolutions, control flow and
collectives, ``pmap`` ...) to be imported on first use of one of their names
(jaxlite/_lazy_exports.py). Every public name resolves as before, through
attribute reads, ``from ... import`` and ``dir()``. Import checks run in a
fresh interpreter."""
import importlib
import subprocess
import sys
import textwrap

import pytest

import jaxlite
import jaxlite.interpreters
import jaxlite.lax
import jaxlite.numpy
import jaxlite.numpy.reductions

# Modules `import jaxlite` must not import (each is imported on first use).
_LAZY_MODULES = [
    "jaxlite.numpy.linalg", "jaxlite.numpy.fft", "jaxlite.numpy.polynomial",
    "jaxlite.numpy.indexing", "jaxlite.numpy.linear", "jaxlite.numpy.sorting",
    "jaxlite.numpy.misc", "jaxlite.numpy.quantiles", "jaxlite.numpy.histograms",
    "jaxlite.lax.linalg", "jaxlite.lax.linalg_factor", "jaxlite.lax.convolution",
    "jaxlite.lax.windowed", "jaxlite.lax.special", "jaxlite.lax.ragged",
    "jaxlite.lax.parallel", "jaxlite.lax.control_flow", "jaxlite.lax.control_flow.scan",
    "jaxlite.lax.composed", "jaxlite.lax.pieces", "jaxlite.lax.misc",
    "jaxlite.lax.control_flow.solves", "jaxlite.lax.fourier", "jaxlite.lax.sorting",
    "jaxlite.interpreters.pxla", "jaxlite.callbacks", "jaxlite.custom_derivatives",
    "jaxlite.differentiation", "jaxlite.jax_compat",
]


def _run(code):
  out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=300)
  assert out.returncode == 0, out.stderr[-3000:]
  return out.stdout


def _star_names(module):
  return set(getattr(module, "__all__", None)
             or [n for n in vars(module) if not n.startswith("_")])


def test_import_does_not_load_the_lazy_modules():
  out = _run(f"""
      import sys, jaxlite, jaxlite.numpy, jaxlite.lax
      print([m for m in {_LAZY_MODULES!r} if m in sys.modules])
  """)
  assert out.strip() == "[]"


# Entries naming only some of a module's names (the rest stay private to it).
_PARTIAL = {"jaxlite.numpy.indexing", "jaxlite.numpy.scalar_types"}


@pytest.mark.parametrize("package", [jaxlite.lax, jaxlite.numpy], ids=lambda p: p.__name__)
def test_lazy_tables_are_the_modules_exports(package):
  # Each table entry lists what `from module import *` would bind.
  for module_name, names in package._LAZY_EXPORTS.items():
    module = importlib.import_module(module_name)
    assert len(set(names)) == len(names), module_name
    if module_name in _PARTIAL:
      assert all(hasattr(module, name) for name in names), module_name
    else:
      assert set(names) == _star_names(module), module_name


@pytest.mark.parametrize("package", [jaxlite.lax, jaxlite.numpy], ids=lambda p: p.__name__)
def test_lazy_names_resolve_to_the_owning_modules_objects(package):
  owners = {n: m for m, names in package._LAZY_EXPORTS.items() for n in names}
  for name, module_name in owners.items():
    assert getattr(package, name) is getattr(sys.modules[module_name], name), name
    assert name in dir(package)
    assert name in vars(package)   # stored: the next read is an ordinary one
  # A lazily imported submodule must not be named as a public name of its
  # package, or importing it would bind the module over that name.
  for module_name in package._LAZY_EXPORTS:
    parent, _, base = module_name.rpartition(".")
    if parent == package.__name__:
      assert getattr(package, base) is sys.modules[module_name], module_name


def test_reductions_reexports_quantiles():
  from jaxlite.numpy import quantiles
  for name in ("median", "nanmedian", "quantile", "nanquantile", "percentile",
               "nanpercentile"):
    assert getattr(jaxlite.numpy.reductions, name) is getattr(quantiles, name)
    assert getattr(jaxlite.numpy, name) is getattr(quantiles, name)


def test_top_level_lazy_names():
  from jaxlite import callbacks, custom_derivatives, differentiation
  from jaxlite.interpreters import pxla
  assert jaxlite.grad is differentiation.grad
  assert jaxlite.custom_jvp is custom_derivatives.custom_jvp
  assert jaxlite.pmap is pxla.pmap
  assert jaxlite.pure_callback is callbacks.pure_callback
  assert jaxlite.checkpoint is jaxlite.remat and callable(jaxlite.checkpoint)
  for name in ("grad", "custom_vjp", "pmap", "pure_callback", "install_as_jax",
               "custom_derivatives", "callbacks", "jax_compat"):
    assert name in dir(jaxlite)


def test_names_resolve_in_a_fresh_interpreter():
  # from-imports, submodules first imported directly, attribute reads and dir().
  out = _run("""
      import sys
      import jaxlite.lax.patches          # imports jaxlite.lax.convolution itself
      import jaxlite.numpy.histograms
      from jaxlite.lax import conv_general_dilated, psum, scan, linalg
      from jaxlite.numpy import convolve, histogram, median, NonConcreteBooleanIndexError
      import jaxlite, jaxlite.numpy as jnp
      from jaxlite import lax
      print(callable(lax.conv), type(jnp.histogram).__name__, linalg is lax.linalg,
            jnp.linalg.__name__, jnp.fft.__name__, 'conv_transpose' in dir(lax),
            'fft' in dir(jnp), jaxlite.interpreters.pxla.__name__,
            jaxlite.checkpoint.__name__, jaxlite.custom_derivatives.__name__)
      print(float(jnp.linalg.det(jnp.eye(2))), float(median(jnp.arange(5.0))),
            float(jaxlite.grad(lambda x: jnp.sum(jnp.convolve(x, x)))(jnp.ones(2))[0]))
  """)
  assert out.split() == [
      "True", "function", "True", "jaxlite.numpy.linalg", "jaxlite.numpy.fft", "True", "True",
      "jaxlite.interpreters.pxla", "checkpoint", "jaxlite.custom_derivatives",
      "1.0", "2.0", "4.0"]


def test_vmap_of_pmap_without_importing_pxla_first():
  # pmap_p's batching rule is registered with pmap_p, when pxla is imported.
  out = _run("""
      import jaxlite, jaxlite.numpy as jnp
      f = jaxlite.vmap(jaxlite.pmap(lambda x: x * 2.0))
      print(f(jnp.ones((3, 1))).shape)
  """)
  assert out.strip() == "(3, 1)"
