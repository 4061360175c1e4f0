"""Helpers for the tests that run one program under jaxlite and under JAX 0.10.2
in the same process and compare what comes out (tests/test_jax_parity_*.py).

A case is a function ``case(jax_module, numpy_module, lax_module)`` so that the
same source runs on both libraries.
"""
import numpy as np


def describe(lib_name, value, weak_type_of):
  """A comparable summary of a result: per leaf (dtype, weak type, host value)."""
  if isinstance(value, (tuple, list)):
    return tuple(describe(lib_name, v, weak_type_of) for v in value)
  host = np.asarray(value)
  return (host.dtype.name, bool(weak_type_of(value)), host)


def run_case(case, jax, jaxlite):
  """(jax outcome, jaxlite outcome): a described value or the raised exception."""
  import jax.numpy as jnp
  import jaxlite.numpy as lnp
  outcomes = []
  for lib, np_mod, weak in ((jax, jnp, lambda v: jax.typeof(v).weak_type),
                            (jaxlite, lnp, lambda v: v.aval.weak_type)):
    try:
      outcomes.append(describe(lib.__name__, case(lib, np_mod, lib.lax), weak))
    except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
      outcomes.append(e)
  return outcomes


def assert_same_outcome(expected, got, compare_messages=True):
  """Same exception type (and first message line), or same dtypes, weak types and
  values (NaNs equal, bitwise for exact results)."""
  if isinstance(expected, Exception):
    assert isinstance(got, Exception), f"JAX raised {expected!r}, jaxlite returned {got}"
    assert type(got).__name__ == type(expected).__name__, (expected, got)
    if compare_messages:
      assert str(got).splitlines()[0] == str(expected).splitlines()[0], (expected, got)
    return
  assert not isinstance(got, Exception), f"JAX returned {expected}, jaxlite raised {got!r}"
  _assert_same_leaves(expected, got)


def _assert_same_leaves(expected, got):
  if not isinstance(expected[0], str):   # a sequence of results, not one leaf
    assert len(expected) == len(got)
    for e, g in zip(expected, got):
      _assert_same_leaves(e, g)
    return
  (e_dtype, e_weak, e_value), (g_dtype, g_weak, g_value) = expected, got
  assert (g_dtype, g_weak) == (e_dtype, e_weak), (
      f"dtype/weak type: JAX {e_dtype}{' weak' * e_weak}, "
      f"jaxlite {g_dtype}{' weak' * g_weak}")
  assert g_value.shape == e_value.shape
  np.testing.assert_array_equal(g_value, e_value)
