"""Names JAX 0.10.2 has removed (or deprecated) answer as JAX's: the same
AttributeError text, or the same DeprecationWarning and a working value."""
import importlib
import warnings

import pytest

pytest.importorskip("jax")

REMOVED = [("numpy", "fix"), ("lax", "pvary"), ("ad_checkpoint", "checkpoint"),
           ("ad_checkpoint", "remat")]


def _outcome(module, name):
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
      value = getattr(importlib.import_module(module), name)
    except AttributeError as e:
      return "AttributeError", str(e)
  return "value", callable(value), [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("module,name", REMOVED, ids=[f"{m}.{n}" for m, n in REMOVED])
def test_removed_names_raise_jaxs_error(module, name):
  assert _outcome(f"jaxlite.{module}", name) == _outcome(f"jax.{module}", name)


def test_unknown_names_still_raise_attribute_error():
  for module in ("jaxlite.numpy", "jaxlite.lax", "jaxlite.ad_checkpoint"):
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
      getattr(importlib.import_module(module), "no_such_name")


# jax.core names jaxlite does not have (docs/differences.md): JAX serves them with a
# DeprecationWarning (or, for the last three, as public names).
_JAX_CORE_ABSENT = {"OutputType", "aval_mapping_handlers", "call", "concretization_function_error",
                    "custom_typechecks", "is_concrete", "is_constant_dim", "is_constant_shape",
                    "literalable_types", "no_axis_name", "pytype_aval_mappings", "trace_ctx",
                    "eval_context", "max_dim", "min_dim"}

_FIRST_READS = r"""
import json, sys, warnings
import jax.core as theirs
from jaxlite.jax_compat import core as ours
names = sorted(set(theirs._deprecations) | {n for n in dir(theirs) if not n.startswith("_")})
def first_read(module, name):
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
      getattr(module, name)
    except AttributeError as e:
      return ["AttributeError", str(e)]
  return ["value", [str(w.message) for w in caught if w.category is DeprecationWarning]]
print(json.dumps({n: [first_read(ours, n), first_read(theirs, n)] for n in names}))
"""


def test_jax_core_answers_as_jaxs():
  """What the switch serves as ``jax.core``: JAX's public names, its deprecation
  warnings (first read) and its removal errors, name by name."""
  import json
  import subprocess
  import sys
  out = subprocess.run([sys.executable, "-c", _FIRST_READS], capture_output=True, text=True,
                       timeout=300)
  assert out.returncode == 0, out.stderr[-3000:]
  reads = json.loads(out.stdout.strip().splitlines()[-1])
  differing = {n: r for n, r in reads.items() if r[0] != r[1] and n not in _JAX_CORE_ABSENT}
  assert not differing, differing
  assert len(reads) > 50 and reads["get_aval"][0][0] == "AttributeError"
  from jaxlite.jax_compat.table import JAX_MODULES
  assert JAX_MODULES["jax.core"] == "jaxlite.jax_compat.core"
