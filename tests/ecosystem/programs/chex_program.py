"""chex on `jax`: shape and tree assertions, chex.dataclass through jit, chex.variants."""
import chex
import jax
import jax.numpy as jnp
import numpy as np

from _harness import run_cases


def raises(fun, *args, **kwargs):
  """The exception type name `fun` raises (or "none")."""
  try:
    fun(*args, **kwargs)
  except Exception as e:  # noqa: BLE001 - the type is the result
    return type(e).__name__
  return "none"


def shape_assertions():
  x = jnp.ones((2, 3))
  return {
      "ok": raises(chex.assert_shape, x, (2, 3)),
      "wildcard": raises(chex.assert_shape, [x, x], (2, None)),
      "wrong": raises(chex.assert_shape, x, (3, 2)),
      "rank": raises(chex.assert_rank, x, 2),
      "type": raises(chex.assert_type, x, float),
      "equal_shape": raises(chex.assert_equal_shape, [x, jnp.zeros((2, 3))]),
      "under_jit": raises(jax.jit(lambda y: chex.assert_shape(y, (2, 3)) or y), x),
      "under_jit_wrong": raises(jax.jit(lambda y: chex.assert_shape(y, (5,)) or y), x),
  }


def tree_assertions():
  a = {"w": jnp.ones(3), "b": [jnp.zeros(2), 1.0]}
  close = jax.tree_util.tree_map(lambda v: v + 1e-7, a)
  far = jax.tree_util.tree_map(lambda v: v + 1.0, a)
  return {
      "close": raises(chex.assert_trees_all_close, a, close),
      "far": raises(chex.assert_trees_all_close, a, far),
      "far_rtol": raises(chex.assert_trees_all_close, a, far, atol=2.0),
      "equal": raises(chex.assert_trees_all_equal, a, a),
      "structs": raises(chex.assert_trees_all_equal_structs, a, far),
      "finite": raises(chex.assert_tree_all_finite, a),
      "not_finite": raises(chex.assert_tree_all_finite, {"x": jnp.array([jnp.nan])}),
  }


@chex.dataclass
class State:
  params: chex.Array
  count: chex.Array


def dataclass_through_jit():
  state = State(params=jnp.arange(3.0), count=jnp.array(0))

  @jax.jit
  def step(s):
    return s.replace(params=s.params * 2.0 + 1.0, count=s.count + 1)
  out = step(step(state))
  leaves = jax.tree_util.tree_leaves(out)
  return {"params": out.params, "count": out.count, "leaves": len(leaves),
          "is_state": type(out).__name__, "mapped": jax.tree_util.tree_map(
              lambda v: v * 0 + 1, out).params}


def variants():
  results = {}

  class Probe(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    def test_square(self):
      fn = self.variant(lambda x: x ** 2 + 1.0)
      results[self._testMethodName] = fn(jnp.arange(3.0))

    def runTest(self):  # unittest needs one
      pass

  import unittest
  suite = unittest.defaultTestLoader.loadTestsFromTestCase(Probe)
  outcome = unittest.TestResult()
  suite.run(outcome)
  return {"errors": [str(e[1])[-300:] for e in outcome.errors + outcome.failures],
          "ran": outcome.testsRun, "values": dict(sorted(results.items()))}


run_cases({
    "assert_shape": shape_assertions,
    "assert_trees_all_close": tree_assertions,
    "dataclass_jit": dataclass_through_jit,
    "variants": variants,
})
