"""The switch that serves `import jax` from jaxlite (jaxlite.jax_compat).

Each case runs in a fresh interpreter: the switch lasts for the life of a
process, and this test process may hold the real JAX as the oracle.
"""
import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

from jaxlite.jax_compat.table import JAX_MODULES, NAMESPACE

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _python(*args, cwd=None):
  """Runs the venv's python with args; returns stdout (fails the test on a non-zero exit)."""
  proc = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                        cwd=cwd or REPO, timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  return proc.stdout


def test_every_table_target_is_a_jaxlite_module():
  for jax_name, target in JAX_MODULES.items():
    assert jax_name == "jax" or jax_name.startswith("jax."), jax_name
    if target is NAMESPACE:
      continue
    assert target.startswith("jaxlite."), (jax_name, target)
    importlib.import_module(target)  # raises if the table names a module that does not exist


def test_switch_off_import_jax_is_real_jax():
  pytest.importorskip("jax")
  out = _python("-c", textwrap.dedent("""
      import json, jaxlite, jax, jax.numpy
      print(json.dumps([jax.__file__, type(jax.numpy.ones(2)).__module__,
                        jax.numpy is jaxlite.numpy, jaxlite.jax_compat.is_installed()]))
  """))
  jax_file, array_module, same, installed = json.loads(out)
  assert os.path.join("site-packages", "jax", "__init__.py") in jax_file
  assert not array_module.startswith("jaxlite")
  assert same is False and installed is False


def test_switch_on_serves_jaxlite_modules():
  out = _python("-c", textwrap.dedent("""
      import json, threading, jaxlite
      threads = [threading.Thread(target=jaxlite.install_as_jax) for _ in range(8)]
      [t.start() for t in threads]; [t.join() for t in threads]
      jaxlite.install_as_jax()  # idempotent
      import sys, jax, jax.numpy as jnp, jax.lax, jax.random, jax.tree_util
      from jax._src import core as src_core
      import jax._src.interpreters.ad as src_ad
      try:
        import jax.no_such_module
        missing = None
      except ModuleNotFoundError as e:
        missing = e.name
      print(json.dumps({
          "finders": sum(type(f).__name__ == "JaxModuleFinder" for f in sys.meta_path),
          "first": type(sys.meta_path[0]).__name__,
          "same": [jnp is jaxlite.numpy, jax.lax is jaxlite.lax, jax.random is jaxlite.random,
                   jax.tree_util is jaxlite.tree_util, src_core is jaxlite.core,
                   src_ad is jaxlite.interpreters.ad, jax.jit is jaxlite.jit,
                   jax.Array is jaxlite.Array],
          "spec": jaxlite.numpy.__spec__.name,
          "version": [jax.__version__, list(jax.__version_info__), jaxlite.__version__],
          "missing": missing,
          "value": float(jax.jit(lambda x: (x * 2).sum())(jnp.arange(3.0))),
      }))
  """))
  got = json.loads(out)
  assert got["finders"] == 1 and got["first"] == "JaxModuleFinder"
  assert all(got["same"]), got["same"]
  assert got["spec"] == "jaxlite.numpy"  # the served module keeps its own spec
  assert got["version"][:2] == ["0.10.2", [0, 10, 2]]
  assert got["version"][2] != "0.10.2"  # jaxlite's own release number is its own
  assert got["missing"] == "jax.no_such_module"
  assert got["value"] == 6.0


def test_install_after_real_jax_refuses():
  pytest.importorskip("jax")
  out = _python("-c", textwrap.dedent("""
      import jax, jaxlite
      try:
        jaxlite.install_as_jax()
      except RuntimeError as e:
        print("refused:", e)
  """))
  assert out.startswith("refused: jaxlite.install_as_jax() must run before `jax` is imported")


def test_python_dash_m_jaxlite_runs_script_module_and_command(tmp_path):
  script = tmp_path / "prog.py"
  script.write_text(textwrap.dedent("""
      import sys, json, jax, jax.numpy as jnp
      import helper_next_to_script
      print(json.dumps([sys.argv, jax.__name__, float(jnp.sum(jnp.ones(3))),
                        helper_next_to_script.VALUE, __name__]))
  """))
  (tmp_path / "helper_next_to_script.py").write_text("VALUE = 7\n")
  out = _python("-m", "jaxlite", str(script), "--steps", "3")
  argv, name, total, value, main_name = json.loads(out)
  assert argv == [str(script), "--steps", "3"]
  assert name == "jaxlite.jax_compat.jax_module" and total == 3.0 and value == 7
  assert main_name == "__main__"

  (tmp_path / "helper_module_run.py").write_text(
      "import sys, jax\nprint(sys.argv[1:], jax.__version__, __name__)\n")
  out = _python("-m", "jaxlite", "-m", "helper_module_run", "x", cwd=tmp_path)
  assert out.strip() == "['x'] 0.10.2 __main__"

  out = _python("-m", "jaxlite", "-c", "import sys, jax; print(sys.argv, jax.__version__)", "a")
  assert out.strip() == "['-c', 'a'] 0.10.2"

  proc = subprocess.run([sys.executable, "-m", "jaxlite"], capture_output=True, text=True)
  assert proc.returncode == 2 and "usage: python -m jaxlite" in proc.stderr


def test_src_tree_util_registry_and_private_modules_flax_nnx_imports():
  # flax.nnx asks `type(x) in jax._src.tree_util._registry` and imports
  # jax._src.checkify and jax._src.state.types at import time.
  out = _python("-c", textwrap.dedent("""
      import json, dataclasses, jaxlite
      jaxlite.install_as_jax()
      import jax
      from jax._src.tree_util import _registry
      from jax._src import checkify
      from jax._src.state.types import AbstractRef
      class Point:
        def __init__(self, x, y): self.x, self.y = x, y
      before = Point in _registry
      jax.tree_util.register_pytree_node(Point, lambda p: ((p.x, p.y), None),
                                         lambda _, c: Point(*c))
      print(json.dumps([
          [t in _registry for t in (tuple, list, dict, type(None), int)],
          before, Point in _registry, _registry[Point].to_iter(Point(1, 2))[0],
          _registry[dict].to_iter({"b": 1, "a": 2}),
          checkify.checkify is jaxlite.experimental.checkify.checkify,
          AbstractRef is jaxlite.state.types.AbstractRef]))
  """))
  builtins, before, after, children, dict_iter, same_checkify, same_ref = json.loads(out)
  assert builtins == [True, True, True, True, False]
  assert (before, after, children) == (False, True, [1, 2])
  assert dict_iter == [[2, 1], ["a", "b"]]   # JAX's: values and keys, sorted by key
  assert same_checkify and same_ref


def test_src_modules_as_attributes_and_compiler_hook():
  out = _python("-c", textwrap.dedent("""
      import json, sys, jaxlite
      jaxlite.install_as_jax()
      import jax, jax.numpy as jnp
      backends = jax._src.xla_bridge._backends       # an attribute, as JAX has it
      from jax._src import compiler
      x = jnp.ones(2)
      seen = []
      inner = compiler.backend_compile_and_load
      def spy(backend, *args, **kwargs):            # what chex.restrict_backends does
        seen.append(backend.platform)
        return inner(backend, *args, **kwargs)
      compiler.backend_compile_and_load = spy
      jax.jit(lambda x: x * 3)(x)
      compiler.backend_compile_and_load = inner
      print(json.dumps([sys.modules["jax._src"] is jax._src, "cpu" in backends, seen]))
  """))
  same, has_cpu, seen = json.loads(out)
  assert same and has_cpu and seen == ["cpu"]
