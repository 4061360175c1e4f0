"""Under the switch (``install_as_jax()``), reading a name a served module
lacks raises JAX 0.10.2's AttributeError, naming the JAX module
(``module 'jax.numpy' has no attribute 'foo'``), for every public module of
the one declared mapping; without the switch jaxlite's modules name themselves."""
import json
import subprocess
import sys

import pytest

_READ_MISSING = r"""
import importlib, json, sys
if sys.argv[1] == "jaxlite":
  import jaxlite
  jaxlite.install_as_jax()
out = {}
for name in json.loads(sys.argv[2]):
  try:
    module = importlib.import_module(name)
  except Exception as e:  # a module this JAX install cannot import
    out[name] = None
    continue
  try:
    getattr(module, "no_such_name_here")
    out[name] = "no error"
  except AttributeError as e:
    out[name] = str(e)
print(json.dumps(out))
"""


def _read_missing(lib, names):
  out = subprocess.run([sys.executable, "-c", _READ_MISSING, lib, json.dumps(names)],
                       capture_output=True, text=True, timeout=600)
  assert out.returncode == 0, out.stderr[-3000:]
  return json.loads(out.stdout.strip().splitlines()[-1])


def test_missing_names_read_as_jaxs(jax_reference):
  from jaxlite.jax_compat.table import JAX_MODULES, NAMESPACE
  names = sorted(n for n, target in JAX_MODULES.items()
                 if target is not NAMESPACE and "._" not in n and n != "jax")
  ours = _read_missing("jaxlite", names + ["jax"])
  theirs = _read_missing("jax", names + ["jax"])
  compared = {n for n in ours if theirs.get(n) is not None}
  assert len(compared) > 40
  differing = {n: (ours[n], theirs[n]) for n in compared if ours[n] != theirs[n]}
  assert not differing, differing
  assert ours["jax.numpy"] == "module 'jax.numpy' has no attribute 'no_such_name_here'"


def test_without_the_switch_modules_name_themselves():
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  import jaxlite.sharding  # pylint: disable=g-import-not-at-top
  with pytest.raises(AttributeError, match="module 'jaxlite.numpy' has no attribute 'nope'"):
    jnp.nope  # pylint: disable=pointless-statement
  with pytest.raises(AttributeError, match="module 'jaxlite.sharding' has no attribute"):
    jaxlite.sharding.nope  # pylint: disable=pointless-statement


_READ_REMOVED = r"""
import importlib, json, sys
if sys.argv[1] == "jaxlite":
  import jaxlite
  jaxlite.install_as_jax()
modules = ("jax.interpreters.pxla", "jax.interpreters.batching", "jax.interpreters.ad")
names = json.loads(sys.argv[2]) or {
    m: sorted(n for n, (_, v) in importlib.import_module(m)._deprecations.items() if v is None)
    for m in modules}
out = {}
for m, listed in names.items():
  module = importlib.import_module(m)
  for n in listed:
    try:
      getattr(module, n)
      out[f"{m}.{n}"] = "no error"
    except AttributeError as e:
      out[f"{m}.{n}"] = str(e)
print(json.dumps([names, out]))
"""


def test_interpreters_removed_names_read_as_jaxs(jax_reference):
  """The pmap internals and other names JAX 0.10.2 removed from
  jax.interpreters.pxla/batching/ad: JAX's AttributeError text, name by name."""
  def run(lib, names):
    out = subprocess.run([sys.executable, "-c", _READ_REMOVED, lib, json.dumps(names)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
  names, theirs = run("jax", None)
  _, ours = run("jaxlite", names)
  assert len(ours) >= 13 and ours == theirs
