"""Comparing the JSON results of an ecosystem program under jaxlite and under JAX."""
import numpy as np
import pytest


def assert_same_numbers(got, want, *, rtol=1e-5, atol=1e-6, path="result"):
  """Compares two JSON results number by number (structure, then values)."""
  if isinstance(want, dict) and "error" in want:
    pytest.fail(f"{path}: the program failed under JAX:\n{want['error']}")
  if isinstance(got, dict) and "error" in got:
    pytest.fail(f"{path}: the program failed under jaxlite:\n{got['error']}")
  if isinstance(want, dict):
    assert isinstance(got, dict) and sorted(got) == sorted(want), (path, got, want)
    for k in want:
      assert_same_numbers(got[k], want[k], rtol=rtol, atol=atol, path=f"{path}[{k!r}]")
  elif isinstance(want, (list, tuple)) and not (want and not isinstance(want[0], (list, dict))
                                                and _is_number(want[0])):
    assert isinstance(got, (list, tuple)) and len(got) == len(want), (path, got, want)
    for i, (g, w) in enumerate(zip(got, want)):
      assert_same_numbers(g, w, rtol=rtol, atol=atol, path=f"{path}[{i}]")
  elif isinstance(want, str) or isinstance(want, bool) or want is None:
    assert got == want, (path, got, want)
  else:
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64),
                               np.asarray(want, dtype=np.float64), rtol=rtol, atol=atol,
                               err_msg=path)


def _is_number(x):
  return isinstance(x, (int, float)) and not isinstance(x, bool)
