"""jaxlite.flatten_util.ravel_pytree, against NumPy and JAX."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import tree_util
from jaxlite.flatten_util import ravel_pytree


def _tree():
  return {"a": np.arange(6, dtype=np.float32).reshape(2, 3),
          "b": (np.array([7.0, 8.0], np.float32), np.float32(9.0)),
          "c": [np.zeros((0, 4), np.float32)]}


def test_ravel_and_unravel_roundtrip():
  tree = _tree()
  flat, unravel = ravel_pytree(tree)
  np.testing.assert_array_equal(flat, [0, 1, 2, 3, 4, 5, 7, 8, 9])
  assert flat.dtype == np.float32 and flat.shape == (9,)
  back = unravel(flat)
  assert tree_util.tree_structure(back) == tree_util.tree_structure(tree)
  for x, y in zip(tree_util.tree_leaves(back), tree_util.tree_leaves(tree)):
    assert x.shape == y.shape and x.dtype == y.dtype
    np.testing.assert_array_equal(x, y)
  # A different vector of the right size fills the same slots.
  other = unravel(flat * 2)
  np.testing.assert_array_equal(other["b"][0], [14.0, 16.0])


def test_matches_jax():
  jax = pytest.importorskip("jax")
  import jax.flatten_util
  tree = {"x": np.ones((2, 2), np.float32), "y": np.array([1, 2], np.int32),
          "z": np.float16(3)}
  ours, unravel = ravel_pytree(tree)
  theirs, _ = jax.flatten_util.ravel_pytree(tree)
  assert ours.dtype == theirs.dtype
  np.testing.assert_array_equal(ours, theirs)
  back = unravel(ours)
  assert back["y"].dtype == np.int32 and back["z"].dtype == np.float16


def test_empty_tree():
  flat, unravel = ravel_pytree({})
  assert flat.shape == (0,)
  assert unravel(flat) == {}


def test_under_jit_grad_and_vmap():
  tree = _tree()
  flat, unravel = ravel_pytree(tree)

  def loss(v):
    t = unravel(v)
    return jnp.sum(t["a"] ** 2) + 3.0 * t["b"][1]

  g = jaxlite.grad(loss)(flat)
  expected = np.concatenate([2 * np.arange(6.0), [0.0, 0.0, 3.0]]).astype(np.float32)
  np.testing.assert_allclose(g, expected)
  np.testing.assert_allclose(jaxlite.jit(loss)(flat), loss(flat), rtol=1e-6)
  # ravel_pytree inside a traced function, on traced leaves.
  def norm(t):
    return jnp.sum(ravel_pytree(t)[0] ** 2)
  np.testing.assert_allclose(jaxlite.jit(norm)(tree), np.sum(np.arange(6.0) ** 2) + 49 + 64 + 81)
  batched = jaxlite.vmap(lambda v: unravel(v)["b"][1])(jnp.stack([flat, flat + 1]))
  np.testing.assert_allclose(batched, [9.0, 10.0])


def test_unravel_functions_compare_equal():
  _, u1 = ravel_pytree(_tree())
  _, u2 = ravel_pytree(_tree())
  assert u1 == u2 and hash(u1) == hash(u2)
  _, u3 = ravel_pytree({"a": np.ones(3, np.float32)})
  assert u1 != u3


def test_unravel_bad_input():
  _, unravel = ravel_pytree(_tree())
  with pytest.raises(ValueError, match=r"expected an array of shape \(9,\), got shape \(8,\)"):
    unravel(jnp.zeros(8))
  with pytest.raises(TypeError, match="dtype int32 but expected dtype float32"):
    unravel(jnp.zeros(9, jnp.int32))
