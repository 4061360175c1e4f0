"""jaxlite.shard_map against JAX 0.10.2's shard_map in the same run (8 CPU devices):
forward programs with every collective, grad and vmap through it, and its errors."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.interpreters.shard_map import shard_map
from jaxlite.sharding import Mesh, PartitionSpec as P


@pytest.fixture(scope="module")
def env(jax_reference):
  jax = jax_reference
  if len(jax.devices()) < 8 or len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  mesh = Mesh(np.array(jaxlite.devices()).reshape(2, 4), ("a", "b"))
  jmesh = jax.sharding.Mesh(np.array(jax.devices()).reshape(2, 4), ("a", "b"))
  return jax, mesh, jmesh


def both(env, body, in_specs, out_specs, **kw):
  """The same per-device program under jaxlite and JAX (body(lib, lax, ...))."""
  jax, mesh, jmesh = env
  ours = shard_map(lambda *a: body(jnp, lax, *a), mesh=mesh, in_specs=in_specs,
                   out_specs=out_specs, **kw)
  to_jax = lambda s: jax.P(*s.partitions) if isinstance(s, P) else tuple(map(to_jax, s))  # noqa: E731
  theirs = jax.shard_map(lambda *a: body(jax.numpy, jax.lax, *a), mesh=jmesh,
                         in_specs=to_jax(in_specs), out_specs=to_jax(out_specs), **kw)
  return ours, theirs


X = np.arange(64, dtype=np.float32).reshape(8, 8) / 10
W = np.cos(np.arange(64, dtype=np.float32)).reshape(8, 8)

PROGRAMS = {
    "matmul_psum": (lambda np_, lax_, x, w: lax_.psum(x @ w, "b"),
                    (P("a", "b"), P("b", None)), P("a", None)),
    "pmean_all": (lambda np_, lax_, x, w: lax_.pmean(np_.sum(x * w), ("a", "b")),
                  (P("a", "b"), P("a", "b")), P()),
    "all_gather": (lambda np_, lax_, x, w: lax_.all_gather(x, "b", axis=1, tiled=True) + w,
                   (P("a", "b"), P("a", None)), P("a", "b")),
    "psum_scatter": (lambda np_, lax_, x, w: lax_.psum_scatter(x * w, "b", scatter_dimension=1,
                                                               tiled=True),
                     (P("a", None), P("a", None)), P("a", "b")),
    "ppermute_ring": (lambda np_, lax_, x, w: lax_.ppermute(
        x, "b", [(i, (i + 1) % 4) for i in range(4)]) * w,
        (P(None, "b"), P(None, "b")), P(None, "b")),
    "all_to_all": (lambda np_, lax_, x, w: lax_.all_to_all(x, "b", 0, 1, tiled=True) + 0 * w.T,
                   (P(None, "b"), P(None, "b")), P("b", None)),
    "axis_index": (lambda np_, lax_, x, w: x + lax_.axis_index("b").astype(np_.float32)
                   + 10 * lax_.axis_index("a").astype(np_.float32) + 0 * w,
                   (P("a", "b"), P("a", "b")), P("a", "b")),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_forward_matches_jax(env, name):
  body, in_specs, out_specs = PROGRAMS[name]
  ours, theirs = both(env, body, in_specs, out_specs)
  expected = theirs(X, W)
  got = ours(X, W)
  np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-5, atol=1e-5)
  assert repr(got.sharding) == repr(expected.sharding)
  got_jit = jaxlite.jit(ours)(X, W)
  np.testing.assert_allclose(np.asarray(got_jit), np.asarray(expected), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["matmul_psum", "pmean_all", "all_gather", "psum_scatter",
                                  "ppermute_ring", "all_to_all"])
def test_grad_matches_jax(env, name):
  jax = env[0]
  body, in_specs, out_specs = PROGRAMS[name]
  ours, theirs = both(env, body, in_specs, out_specs)
  loss = lambda f, np_: lambda x, w: np_.sum(np_.sin(f(x, w)))  # noqa: E731
  g = jaxlite.grad(loss(ours, jnp), argnums=(0, 1))(X, W)
  jg = jax.grad(loss(theirs, jax.numpy), argnums=(0, 1))(X, W)
  for a, b in zip(g, jg):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)
  g = jaxlite.jit(jaxlite.grad(loss(ours, jnp), argnums=(0, 1)))(X, W)
  for a, b in zip(g, jg):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_data_parallel_training_step(env):
  """Replicated parameters, batch split over every device: the loss is a
  shard_map whose devices' losses are pmean'd; grad goes through it."""
  jax, mesh, jmesh = env

  def make(lib, lax_, np_, shard_map_, mesh_, P_):
    def local_loss(w, x, y):
      return lax_.pmean(np_.mean((np_.tanh(x @ w) - y) ** 2), ("a", "b"))
    loss = shard_map_(local_loss, mesh=mesh_, in_specs=(P_(), P_(("a", "b")), P_(("a", "b"))),
                      out_specs=P_())

    def step(w, x, y):
      value, g = lib.value_and_grad(loss)(w, x, y)
      return w - 0.1 * g, value
    return lib.jit(step)

  rng = np.random.RandomState(1)
  w, x, y = rng.randn(4, 3), rng.randn(16, 4), rng.randn(16, 3)
  w, x, y = (a.astype(np.float32) for a in (w, x, y))
  ours = make(jaxlite, lax, jnp, shard_map, mesh, P)
  theirs = make(jax, jax.lax, jax.numpy, jax.shard_map, jmesh, jax.P)
  wo, wt = w, w
  for _ in range(3):
    (wo, lo), (wt, lt) = ours(wo, x, y), theirs(wt, x, y)
    np.testing.assert_allclose(float(lo), float(lt), rtol=1e-5)
  np.testing.assert_allclose(np.asarray(wo), np.asarray(wt), rtol=1e-5, atol=1e-6)


def test_vmap_through_shard_map(env):
  jax = env[0]
  body, in_specs, out_specs = PROGRAMS["matmul_psum"]
  ours, theirs = both(env, body, in_specs, out_specs)
  xs = np.stack([X, 2 * X, 3 * X])
  got = jaxlite.vmap(ours, in_axes=(0, None))(xs, W)
  expected = jax.vmap(theirs, in_axes=(0, None))(xs, W)
  np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-5)


def test_errors_match_jax(env):
  jax, mesh, jmesh = env

  def f(x, w):
    return lax.psum(x @ w, "b")

  def jf(x, w):
    return jax.lax.psum(x @ w, "b")
  cases = [((P("a", "b"), P("b", None)), P(), X),      # replication not inferable
           ((P("a", "c"), P("b", None)), P(), X),      # unknown axis
           ((P("a", "b"), P("b", None)), P(), X[:7])]  # indivisible
  for in_specs, out_specs, x in cases:
    with pytest.raises(ValueError) as ours:
      shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs)(x, W)
    with pytest.raises(ValueError) as theirs:
      jax.shard_map(jf, mesh=jmesh, in_specs=tuple(jax.P(*s.partitions) for s in in_specs),
                    out_specs=jax.P(*out_specs.partitions))(x, W)
    strip = lambda s: s.replace("'_rem_singleton'", "'f'").replace("jf'", "f'")  # noqa: E731
    assert strip(str(ours.value)) == strip(str(theirs.value))
  # With the check off the program runs (each device's value is returned as is).
  out = shard_map(f, mesh=mesh, in_specs=(P("a", "b"), P("b", None)), out_specs=P(),
                  check_vma=False)(X, W)
  assert out.shape == (4, 8)


def test_lowered_text_has_manual_computation(env):
  _, mesh, _ = env
  body, in_specs, out_specs = PROGRAMS["matmul_psum"]
  ours = shard_map(lambda *a: body(jnp, lax, *a), mesh=mesh, in_specs=in_specs,
                   out_specs=out_specs)
  lowered = jaxlite.jit(ours).lower(X, W)
  text = lowered.as_text()
  assert 'sdy.mesh @mesh = <["a"=2, "b"=4]>' in text
  assert "sdy.manual_computation" in text and 'manual_axes={"a", "b"}' in text
  assert "use_global_device_ids" in text
  compiled = lowered.compile().as_text()
  assert "all-reduce" in compiled and "num_partitions=8" in compiled


def test_partially_manual_axes(env):
  jax, mesh, jmesh = env
  f = lambda lax_: (lambda v: lax_.psum(v, "a"))  # noqa: E731
  ours = jaxlite.jit(shard_map(f(lax), mesh=mesh, in_specs=P("a"), out_specs=P(),
                               axis_names={"a"}))(X)
  theirs = jax.jit(jax.shard_map(f(jax.lax), mesh=jmesh, in_specs=jax.P("a"),
                                 out_specs=jax.P(), axis_names={"a"}))(X)
  np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)
  assert repr(ours.sharding) == repr(theirs.sharding)


def test_jaxpr_of_an_invariant_body_prints_as_jax(env):
  """The shard_map equation's parameters print as JAX's (newly_manual_axes)."""
  ours, theirs = both(env, lambda np_, lax_, w: w * 2, (P(),), P())
  jax = env[0]
  w = np.ones((4, 3), np.float32)
  assert str(jaxlite.make_jaxpr(ours)(w)) == str(jax.make_jaxpr(theirs)(w))
