"""Runs the ``>>>`` examples of JAX's docstrings under jaxlite and under JAX.

Used by ``tests/test_docstring_examples.py`` and runnable on its own to print
the figures per module::

    .venv/bin/python tests/docstring_examples.py [jax.numpy jax.lax ...] [-v]

Each public name of a module (its ``__all__``, or its non-underscore names)
that has a docstring with examples is one *docstring*. Its examples run in
order in a fresh namespace, once with ``jax`` mapped to jaxlite (``import
jax.numpy as jnp`` imports ``jaxlite.numpy``; the namespace JAX's own doctest
configuration provides, ``jax``, ``jnp``, ``lax`` and ``np``, likewise) and
once with the real JAX. The text each example prints (what doctest compares:
its stdout and the repr of an expression statement, or the exception's type
and message) must be the same. We compare with what JAX actually prints, not
with the docstring's expected text, which is sometimes stale in JAX itself.

Examples marked ``# doctest: +SKIP`` are skipped under both libraries, as
doctest does.
"""
from __future__ import annotations

import builtins
import contextlib
import dataclasses
import doctest
import functools
import importlib
import io
import sys
import tempfile
import types
import warnings

import numpy as np

# The modules whose docstrings are checked, by JAX's name. Issues adding more
# of JAX's surface (e.g. jax.scipy) extend this tuple and the known-exception
# table in tests/test_docstring_examples.py.
MODULES = ("jax.numpy", "jax.lax", "jax.lax.linalg", "jax.nn", "jax.random", "jax.profiler",
           "jax.experimental.jet", "jax.custom_batching", "jax.debug", "jax.ad_checkpoint",
           "jax.custom_derivatives", "jax.export", "jax.experimental.sparse",
           "jax", "jax.errors", "jax.sharding", "jax.tree_util", "jax.dtypes", "jax.ops",
           "jax.experimental.multihost_utils", "jax.experimental.checkify",
           "jax.nn.initializers", "jax.numpy.linalg", "jax.numpy.fft",
           "jax.scipy.linalg", "jax.scipy.signal", "jax.scipy.fft", "jax.scipy.stats",
           "jax.scipy.stats.poisson", "jax.scipy.spatial.transform", "jax.scipy.integrate",
           "jax.scipy.interpolate", "jax.scipy.ndimage", "jax.scipy.cluster.vq", "jax.ref")
# (jax.scipy.special, .optimize, .sparse.linalg and the other stats distributions have
# no docstring examples in 0.10.2.)
# (jax.stages and the jax.extend modules have no docstring examples in 0.10.2.)

_REAL_IMPORT = builtins.__import__


def _jaxlite_import(name, globals=None, locals=None, fromlist=(), level=0):
  """`__import__` that imports jaxlite wherever an example imports jax."""
  if level == 0 and (name == "jax" or name.startswith("jax.")):
    name = "jaxlite" + name[3:]
  return _REAL_IMPORT(name, globals, locals, fromlist, level)


def _builtins(library):
  if library == "jax":
    return builtins.__dict__
  table = dict(builtins.__dict__)
  table["__import__"] = _jaxlite_import
  return table


def _namespace(library):
  """The globals an example starts with: JAX's doctest namespace."""
  root = importlib.import_module(library)
  return {
      "__builtins__": _builtins(library),
      "__name__": "__doctest__",
      "jax": root,
      "jnp": importlib.import_module(library + ".numpy"),
      "lax": importlib.import_module(library + ".lax"),
      "np": np,
  }


@dataclasses.dataclass
class Outcome:
  """What each example of one docstring printed, under one library."""
  outputs: list[str]


def _run_example(example, namespace):
  buffer = io.StringIO()

  def display(value):
    # sys.displayhook's job, but `_` goes to the example's namespace (whose
    # builtins are not the interpreter's under jaxlite).
    if value is not None:
      namespace["_"] = value
      buffer.write(repr(value) + "\n")

  hook = sys.displayhook
  try:
    code = compile(example.source, "<doctest>", "single")
    sys.displayhook = display
    with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
      warnings.simplefilter("ignore")
      exec(code, namespace)  # pylint: disable=exec-used
  except BaseException as e:  # pylint: disable=broad-except
    if isinstance(e, (KeyboardInterrupt, SystemExit)):
      raise
    # What doctest compares: the message too if the example expects this
    # exception, else only that (and what) it raised.
    detail = example.exc_msg is not None and not example.options.get(
        doctest.IGNORE_EXCEPTION_DETAIL, False)
    return buffer.getvalue() + "Traceback: " + (
        _short_exception(e) if detail else type(e).__name__)
  finally:
    sys.displayhook = hook
  return buffer.getvalue()


def _short_exception(e):
  """`Type: message` with the type's bare name (modules differ by library)."""
  message = str(e).strip()
  return f"{type(e).__name__}: {message}" if message else type(e).__name__


def _skipped(example):
  return example.options.get(doctest.SKIP, False)


def run_docstring(examples, library):
  """Runs a docstring's examples in order under `library` ("jax"/"jaxlite")."""
  namespace = _namespace(library)
  options = np.get_printoptions()
  state = np.random.get_state()
  np.random.seed(0)
  outputs = []
  try:
    for example in examples:
      outputs.append(None if _skipped(example) else _run_example(example, namespace))
  finally:
    np.set_printoptions(**options)
    np.random.set_state(state)
  return Outcome(outputs)


@dataclasses.dataclass
class Result:
  """One docstring's examples compared: which differ, and how."""
  name: str
  examples: list
  jaxlite: Outcome
  jax: Outcome

  @property
  def compared(self):
    return [i for i, e in enumerate(self.examples) if not _skipped(e)]

  @property
  def differing(self):
    return [i for i in self.compared
            if self.jaxlite.outputs[i] != self.jax.outputs[i]]

  def explain(self, limit=3):
    lines = [f"{self.name}: {len(self.differing)} of {len(self.compared)} examples differ"]
    for i in self.differing[:limit]:
      lines.append(">>> " + self.examples[i].source.rstrip().replace("\n", "\n... "))
      lines.append("  jaxlite: " + repr(self.jaxlite.outputs[i])[:400])
      lines.append("  jax:     " + repr(self.jax.outputs[i])[:400])
    return "\n".join(lines)


def _public_names(module):
  names = getattr(module, "__all__", None)
  if names is None:
    names = [n for n in dir(module) if not n.startswith("_")]
  return sorted(names)


@functools.lru_cache(maxsize=None)
def docstrings(module_name):
  """{qualified name: parsed examples} for the module's public names.

  A function exported under several names (``jnp.abs``/``jnp.absolute``) is
  checked once, under its first name.
  """
  module = importlib.import_module(module_name)
  parser = doctest.DocTestParser()
  seen = set()
  found = {}
  for name in _public_names(module):
    obj = getattr(module, name, None)
    if obj is None or isinstance(obj, types.ModuleType):
      continue
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or ">>>" not in doc or doc in seen:
      continue
    seen.add(doc)
    try:
      examples = parser.get_examples(doc, name)
    except ValueError:  # malformed docstring in JAX itself: not an example
      continue
    if examples:
      found[f"{module_name}.{name}"] = examples
  return found


@functools.lru_cache(maxsize=None)
def compare(qualified_name):
  """Runs one docstring's examples under both libraries."""
  module_name = qualified_name.rsplit(".", 1)[0]
  examples = docstrings(module_name)[qualified_name]
  # In a scratch directory: some examples write files (np.save's 'test.npy').
  with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
    return Result(qualified_name, examples,
                  run_docstring(examples, "jaxlite"), run_docstring(examples, "jax"))


def module_figures(module_name):
  """(examples matching, examples compared, [results with differences])."""
  matched = total = 0
  failing = []
  for name in docstrings(module_name):
    result = compare(name)
    total += len(result.compared)
    matched += len(result.compared) - len(result.differing)
    if result.differing:
      failing.append(result)
  return matched, total, failing


def main(argv):
  verbose = "-v" in argv
  modules = [a for a in argv if not a.startswith("-")] or list(MODULES)
  for module_name in modules:
    matched, total, failing = module_figures(module_name)
    print(f"{module_name}: {matched}/{total} examples match "
          f"({100.0 * matched / max(total, 1):.1f}%), "
          f"{len(docstrings(module_name))} docstrings, {len(failing)} with differences")
    for result in failing:
      print("  " + (result.explain() if verbose else
                    f"{result.name}: {len(result.differing)}/{len(result.compared)}"
                    ).replace("\n", "\n  "))
    sys.stdout.flush()


if __name__ == "__main__":
  # As tests/conftest.py does: the pmap examples need several CPU devices.
  import os
  os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                             " --xla_force_host_platform_device_count=8")
  main(sys.argv[1:])
