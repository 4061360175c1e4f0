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
