"""Where filled arrays live, as in JAX 0.10.2: lax.full(sharding=),
lax.full_like / jnp.zeros_like / ones_like / full_like keep a committed
array's layout (not a weak or uncommitted one's), and an empty slice of an
array on an Explicit mesh keeps the sliced axes' type sharding."""
import numpy as np
import pytest

import jaxlite

jax = pytest.importorskip("jax")

pytestmark = pytest.mark.skipif(jaxlite.device_count() < 8, reason="needs 8 CPU devices")


def _auto(J):
  mesh = J.sharding.Mesh(np.array(J.devices()[:8]).reshape(2, 4), ("x", "y"))
  NS, P = J.sharding.NamedSharding, J.sharding.PartitionSpec
  s = NS(mesh, P("x"))
  x = J.device_put(np.ones((8, 4), np.float32), s)
  w = J.device_put(np.ones((8, 4), np.float32), NS(mesh, P()))
  one = J.device_put(np.ones(3, np.float32), J.devices()[1])
  return s, x, w, one


CASES = {
    "full_sharding": lambda J, jnp, s, x, w, one: J.lax.full((8,), 1., sharding=s),
    "full_like_committed": lambda J, jnp, s, x, w, one: J.lax.full_like(x, 0),
    "full_like_replicated_new_shape": lambda J, jnp, s, x, w, one: J.lax.full_like(
        w, 0, shape=(3,)),
    "full_like_new_shape": lambda J, jnp, s, x, w, one: J.lax.full_like(x, 0, shape=(3,)),
    "zeros_like": lambda J, jnp, s, x, w, one: jnp.zeros_like(x),
    "ones_like": lambda J, jnp, s, x, w, one: jnp.ones_like(x),
    "full_like": lambda J, jnp, s, x, w, one: jnp.full_like(x, 2),
    "zeros_like_one_device": lambda J, jnp, s, x, w, one: jnp.zeros_like(one),
    "zeros_like_uncommitted": lambda J, jnp, s, x, w, one: jnp.zeros_like(jnp.ones(3)),
    "full_like_weak": lambda J, jnp, s, x, w, one: J.lax.full_like(
        J.device_put(2.0, J.devices()[1]), 0),
}


def _placement(r):
  return (str(r.sharding), str(r.dtype), r.aval.weak_type, r.committed
          if hasattr(r, "committed") else r._committed, np.asarray(r).tolist())


@pytest.mark.parametrize("case", sorted(CASES))
def test_filled_arrays_are_placed_as_jaxs(case):
  got = CASES[case](jaxlite, jaxlite.numpy, *_auto(jaxlite))
  expected = CASES[case](jax, jax.numpy, *_auto(jax))
  assert _placement(got) == _placement(expected)


@pytest.mark.parametrize("index", ["0:0", ":, 0:0", "None, 0:0", "4:0:-2, 0:0"])
def test_empty_slice_on_explicit_mesh_keeps_type_sharding(index):
  def run(J):
    mesh = J.make_mesh((2, 4), ("x", "y"), axis_types=(J.sharding.AxisType.Explicit,) * 2)
    with J.set_mesh(mesh):
      a = J.device_put(np.ones((8, 4), np.float32), J.sharding.PartitionSpec("x", "y"))
      full_like = J.lax.full_like(a, 3)
      out = eval(f"a[{index}]")   # pylint: disable=eval-used
      return (str(J.typeof(out)), str(out.sharding), out.shape, str(J.typeof(full_like)),
              str(full_like.sharding))
  assert run(jaxlite) == run(jax)
