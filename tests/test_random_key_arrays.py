"""Typed key arrays as JAX 0.10.2's: their type (``key<fry>[]``), their place
in pytrees, and their values through jit, vmap, scan, grad, device_put and
eval_shape, compared with the installed JAX in the same run."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jaxlite  # noqa: E402
from jaxlite import random  # noqa: E402


def _data(lib, keys):
  return np.asarray(lib.random.key_data(keys))


def test_typeof_repr_and_leaves_are_jaxs():
  k, jk = random.key(3), jax.random.key(3)
  assert str(jaxlite.typeof(k)) == str(jax.typeof(jk)) == "key<fry>[]"
  assert str(jaxlite.typeof(random.split(k, 4))) == str(jax.typeof(jax.random.split(jk, 4)))
  assert repr(k) == repr(jk)
  assert len(jaxlite.tree_util.tree_leaves({"k": k, "x": 1.0})) == 2
  assert jaxlite.tree_util.tree_leaves(k)[0] is k
  assert str(jaxlite.eval_shape(random.split, k)) == str(jax.eval_shape(jax.random.split, jk))


@pytest.mark.parametrize("name", ["jit_split", "jit_fold_in", "vmap_split", "vmap_fold_in",
                                  "scan_carry", "index_dynamic", "fori_carry", "seed"])
def test_key_values_through_transformations_are_jaxs(name):
  def programs(lib):
    r, lax = lib.random, lib.lax
    k = r.key(0)
    return {
        "jit_split": lambda: lib.jit(lambda k: r.split(k, 3))(k),
        "jit_fold_in": lambda: lib.jit(lambda k: r.fold_in(k, 5))(k),
        "vmap_split": lambda: lib.vmap(r.split)(r.split(k, 2)),
        "vmap_fold_in": lambda: lib.vmap(lambda i: r.fold_in(k, i))(np.arange(3)),
        "scan_carry": lambda: lax.scan(lambda c, _: (r.split(c)[0], r.fold_in(c, 1)), k,
                                       None, length=3),
        "index_dynamic": lambda: lib.jit(lambda ks, i: ks[i])(r.split(k, 4), 2),
        "fori_carry": lambda: lax.fori_loop(0, 3, lambda i, c: r.split(c)[1], k),
        "seed": lambda: lib.vmap(r.key)(np.arange(3)),
    }[name]()
  got = jaxlite.tree_util.tree_leaves(programs(jaxlite))
  want = jax.tree_util.tree_leaves(programs(jax))
  assert len(got) == len(want)
  for g, w in zip(got, want):
    assert str(jaxlite.typeof(g)) == str(jax.typeof(w))
    np.testing.assert_array_equal(_data(jaxlite, g), _data(jax, w))


def test_samplers_on_batched_and_traced_keys_give_jaxs_numbers():
  ks, jks = random.split(random.key(1), 3), jax.random.split(jax.random.key(1), 3)
  np.testing.assert_array_equal(
      jaxlite.vmap(lambda k: random.normal(k, (2,)))(ks),
      jax.vmap(lambda k: jax.random.normal(k, (2,)))(jks))
  np.testing.assert_array_equal(
      jaxlite.jit(lambda k: random.randint(k, (4,), 0, 9))(ks[0]),
      jax.jit(lambda k: jax.random.randint(k, (4,), 0, 9))(jks[0]))
  # A key is not differentiable: grad flows around it.
  g = jaxlite.grad(lambda x, k: (x * random.normal(k, (3,))).sum())(np.ones(3, np.float32), ks[1])
  jg = jax.grad(lambda x, k: (x * jax.random.normal(k, (3,))).sum())(np.ones(3, np.float32),
                                                                       jks[1])
  np.testing.assert_array_equal(g, jg)


def test_device_put_and_wrap_unwrap_round_trip():
  k = random.key(7)
  moved = jaxlite.device_put(k, jaxlite.devices()[0])
  assert isinstance(moved, random.PRNGKeyArray)
  np.testing.assert_array_equal(_data(jaxlite, moved), _data(jax, jax.random.key(7)))
  data = jaxlite.jit(random.key_data)(k)
  assert bool(jaxlite.jit(random.wrap_key_data)(data) == k)
