"""jaxlite.shard_map against JAX 0.10.2's shard_map in the same run (8 CPU devices):
forward programs with every collective, grad and vmap through it, and its errors."""
import functools

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


# --- varying manual axes (vma): types, implicit pvary, errors ---------------------------------


def _pair(env, make):
  """``make(lib, jnp, P, mesh)`` under jaxlite and under JAX."""
  jax, mesh, jmesh = env
  return make(jaxlite, jnp, P, mesh), make(jax, jax.numpy, jax.P, jmesh)


VMA_PROGRAMS = {
    # implicit pvary of a replicated operand, psum makes the result invariant
    "matmul_psum": (lambda lib, jnp_, x, w: lib.lax.psum(x @ w, "a"), ("a", None), P()),
    # a scalar sliced from a replicated value is pvary'd before the product
    "scalar_pvary": (lambda lib, jnp_, x, w: jnp_.sin(x) * w[0, 0], ("a", None), P("a")),
    # partial psum: varying over b, invariant over a after it
    "psum_one_axis": (lambda lib, jnp_, x, w: lib.lax.psum(jnp_.tanh(x @ w), "a"),
                      (("a", "b"), None), P("b")),
    "axis_index_pmax": (lambda lib, jnp_, x, w: lib.lax.pmax(
        x * lib.lax.axis_index("b"), "b") + w[0], ("a", "b"), P("a", None)),
    "ppermute_replicated": (lambda lib, jnp_, x, w: lib.lax.ppermute(
        w, "b", [(k, (k + 1) % 4) for k in range(4)])[:, :1] + x, ("a", "b"), P("a", "b")),
    "collective_params": (lambda lib, jnp_, x, w: lib.lax.ppermute(
        x, "b", [(k, (k + 1) % 4) for k in range(4)]) + lib.lax.all_gather(
        x, "b", axis=1, tiled=True)[:, :1] + lib.lax.psum_scatter(
        jnp_.concatenate([x] * 4, axis=1), "b", scatter_dimension=1, tiled=True), (None, "b"),
        P(None, "b")),
    # to='invarying': the gathered value is invariant (JAX's all_gather_invariant)
    "all_gather_invariant": (lambda lib, jnp_, x, w: jnp_.sin(lib.lax.all_gather(
        x, "a", axis=0, tiled=True, to="invarying")) @ w, ("a", None), P()),
    "cond_replicated_pred": (lambda lib, jnp_, x, w: lib.lax.cond(
        jnp_.sum(w) > 0, lambda a, b: a @ b, lambda a, b: a @ b * 2, x, w), ("a", None),
        P("a")),
    # a cond's results vary as its branches' do (here invariant), whatever its index
    "cond_psum_branch": (lambda lib, jnp_, x, w: lib.lax.cond(
        jnp_.sum(w) > 0, lambda a, b: lib.lax.psum(a @ b, "a"), lambda a, b: b * 2.0, x, w),
        ("a", None), P()),
    "cond_varying_pred": (lambda lib, jnp_, x, w: lib.lax.cond(
        jnp_.sum(x) > 0, lambda b: b * 2.0, lambda b: b * 3.0, w), ("a", None), P()),
    "scan_pcast_carry": (lambda lib, jnp_, x, w: lib.lax.psum(lib.lax.scan(
        lambda c, xi: (jnp_.tanh(xi * c), ()),
        lib.lax.pcast(jnp_.ones(4), "a", to="varying"), x)[0], "a"), ("a", None), P()),
    # *_like of a varying value varies too (JAX's full_like pvarys), so a scan
    # carry started from zeros_like(x) keeps its type
    "zeros_like_carry": (lambda lib, jnp_, x, w: lib.lax.scan(
        lambda c, xi: (c + xi, ()), jnp_.zeros_like(x[0]), x)[0] + lib.lax.full_like(x[0], 2.)
        + jnp_.ones_like(x, shape=(4,)) + w[0], ("a", None), P("a")),
    "jit_inside": (lambda lib, jnp_, x, w: lib.jit(lambda a, b: lib.lax.psum(a @ b, "a"))(x, w),
                   ("a", None), P()),
    "remat_inside": (lambda lib, jnp_, x, w: lib.checkpoint(lambda a, b: jnp_.sin(a @ b))(x, w),
                     ("a", None), P("a")),
    "pcast_varying": (lambda lib, jnp_, x, w: lib.lax.pcast(w, "a", to="varying") * 2,
                      ("a", None), P("a")),
    "grad_inside": (lambda lib, jnp_, x, w: lib.lax.psum(lib.grad(
        lambda v: jnp_.sum(jnp_.tanh(x @ v)))(w), ("a", "b")), (("a", "b"), None), P()),
}
XV = np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4)
WV = np.cos(np.arange(16, dtype=np.float32)).reshape(4, 4)


def _vma_fns(env, name):
  body, x_spec, out_spec = VMA_PROGRAMS[name]

  def make(lib, jnp_, P_, mesh_):
    return lib.shard_map(lambda x, w: body(lib, jnp_, x, w), mesh=mesh_,
                         in_specs=(P_(*x_spec), P_()), out_specs=P_(*out_spec.partitions))
  return _pair(env, make)


@pytest.mark.parametrize("name", sorted(VMA_PROGRAMS))
def test_vma_jaxprs_and_values_match_jax(env, name):
  """The staged body (pvary equations, {V:..} types) prints as JAX's; the
  values and, through grad, the gradients of the replicated w are JAX's."""
  jax = env[0]
  ours, theirs = _vma_fns(env, name)
  assert str(jaxlite.make_jaxpr(ours)(XV, WV)) == str(jax.make_jaxpr(theirs)(XV, WV))
  np.testing.assert_allclose(np.asarray(ours(XV, WV)), np.asarray(theirs(XV, WV)),
                             rtol=1e-5, atol=1e-6)
  if name in ("matmul_psum", "scalar_pvary", "psum_one_axis", "grad_inside",
              "all_gather_invariant"):
    loss = lambda f, np_: lambda x, w: np_.sum(np_.sin(f(x, w)))  # noqa: E731
    g = jaxlite.grad(loss(ours, jnp), argnums=(0, 1))(XV, WV)
    jg = jax.grad(loss(theirs, jax.numpy), argnums=(0, 1))(XV, WV)
    for a, b in zip(g, jg):
      np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_typeof_inside_shard_map_prints_vma(env):
  def make(lib, jnp_, P_, mesh_):
    seen = []

    def body(x, w):
      y = x @ w
      z = lib.lax.psum(y, "a")
      seen.extend(str(lib.typeof(v)) for v in (x, w, y, z, lib.lax.axis_index("b")))
      return z
    f = lib.shard_map(body, mesh=mesh_, in_specs=(P_(("a", "b")), P_()), out_specs=P_("b"))
    return f, seen
  (ours, ours_seen), (theirs, theirs_seen) = _pair(env, make)
  ours(XV, WV)
  theirs(XV, WV)
  assert ours_seen == theirs_seen
  assert ours_seen[0] == "float32[1,4]{V:(a,b)}" and ours_seen[3] == "float32[1,4]{V:b}"


def test_grads_of_replicated_and_split_parameters_match_jax(env):
  """The guide's patterns: tensor-parallel (Megatron) layers and FSDP's
  all_gather of split weights; replicated biases get their psum."""
  jax = env[0]
  rng = np.random.RandomState(2)
  x, w1, w2, b = (rng.randn(*s).astype(np.float32) for s in ((8, 4), (4, 8), (8, 4), (4,)))

  def make(lib, jnp_, P_, mesh_):
    def megatron(x, w1, w2, b):
      return lib.lax.psum(jnp_.tanh(x @ w1) @ w2, "b") + b
    f = lib.shard_map(megatron, mesh=mesh_, in_specs=(P_("a"), P_(None, "b"), P_("b"), P_()),
                      out_specs=P_("a"))

    def fsdp(x, w1, w2, b):
      w = lib.lax.all_gather(w1, "a", tiled=True)
      return lib.lax.pmean(jnp_.sum(jnp_.tanh(x @ w) @ w2) + jnp_.sum(b), "a")
    g = lib.shard_map(fsdp, mesh=mesh_, in_specs=(P_("a"), P_("a"), P_(), P_()),
                      out_specs=P_())
    loss = lambda *a: jnp_.sum(f(*a) ** 2) + g(*a)  # noqa: E731
    return lib.jit(lib.grad(loss, argnums=(0, 1, 2, 3)))
  ours, theirs = _pair(env, make)
  for a, b_ in zip(ours(x, w1, w2, b), theirs(x, w1, w2, b)):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b_), rtol=1e-4, atol=1e-4)


def _error_text(fn, *args):
  try:
    fn(*args)
  except (ValueError, TypeError) as e:
    # JAX names a single-output function '_rem_singleton' in its replication error.
    text = str(e).replace("'_rem_singleton'", "'double'")
    return type(e).__name__, text.split("\n--------------------")[0]
  return None


def test_vma_errors_match_jax(env):
  """Out specs longer than an output's rank, a replication the types do not
  show, a loop carry that becomes varying, pcast of a concrete value."""
  def cases(lib, jnp_, P_, mesh_):
    sm = functools.partial(lib.shard_map, mesh=mesh_)

    def f(x):
      return jnp_.sum(x), (x[0, 0], x)

    def double(x):
      return x * 2

    @lib.custom_vjp
    def mm(a, b):
      return a @ b
    # the bwd rule returns a varying cotangent for the replicated b (no psum)
    mm.defvjp(lambda a, b: (a @ b, (a, b)), lambda r, g: (g @ r[1].T, r[0].T @ g))

    def branch_vma(x):
      return lib.lax.cond(x[0, 0] > 0, lambda v: v * 2, lambda v: jnp_.ones(4), x[0])

    def scan_carry(x):
      return lib.lax.scan(lambda c, xi: (c + xi, ()), jnp_.zeros(4), x)[0]

    def while_carry(x):
      return lib.lax.while_loop(lambda c: c[1] < 2, lambda c: (c[0] + x[0], c[1] + 1),
                                (jnp_.zeros(4), 0))[0]
    return [
        (sm(f, in_specs=P_("a"), out_specs=(P_("a"), (P_("b"), P_("a")))), XV),
        (sm(lambda x: jnp_.sum(x), in_specs=P_("a"), out_specs=P_("a")), XV),
        (sm(double, in_specs=P_("a", "b"), out_specs=P_(None, "b")), XV),
        (sm(scan_carry, in_specs=P_("a"), out_specs=P_("a")), XV),
        (sm(while_carry, in_specs=P_("a"), out_specs=P_("a")), XV),
        (lambda v: lib.lax.pcast(v, "a", to="varying"), np.float32(1)),
        (sm(branch_vma, in_specs=P_("a"), out_specs=P_("a")), XV),
        (lib.grad(lambda w: jnp_.sum(sm(lambda x, v: mm(x, v), in_specs=(P_("a"), P_()),
                                        out_specs=P_("a"))(XV, w)), argnums=0), WV),
    ]
  ours, theirs = _pair(env, cases)
  for (fo, xo), (ft, xt) in zip(ours, theirs):
    expected = _error_text(ft, xt)
    assert expected is not None
    assert _error_text(fo, xo) == expected


# --- a collective on a path that only some devices take ----------------------------------------------
# JAX 0.10.2 compiles such a cond or while_loop as it is: the devices that skip the path never join
# its collective, the others wait, and XLA aborts the process after 40 s. Where shard_map's types say
# the predicate varies over the collective's axes, jaxlite keeps the devices in step (every branch
# on every device and a select; a loop that runs until no device needs it), so the program computes.


def test_cond_with_a_varying_predicate_runs_a_collective_branch_everywhere():
  mesh1 = Mesh(np.array(jaxlite.devices()[:4]), ("b",))
  x = np.arange(8, dtype=np.float32) - 3

  def body(x):
    return lax.cond(x[0] > 0, lambda x: lax.pcast(lax.psum(x, "b"), "b", to="varying"),
                    lambda x: x * 2., x)
  f = jaxlite.jit(shard_map(body, mesh=mesh1, in_specs=P("b"), out_specs=P("b")))
  shards = np.split(x, 4)
  want = np.concatenate([sum(shards) if s[0] > 0 else s * 2 for s in shards])
  np.testing.assert_array_equal(f(x), want)
  assert "stablehlo.case" not in f.lower(x).as_text()


def test_while_with_a_varying_condition_runs_its_collectives_in_step():
  mesh1 = Mesh(np.array(jaxlite.devices()[:4]), ("b",))

  def body(n):   # device k loops n[k] times, adding psum(n) each time
    step = lambda c: (c[0] + 1, c[1] + lax.pcast(lax.psum(n * 1., "b"), "b", to="varying"))  # noqa: E731
    return lax.while_loop(lambda c: c[0] < n[0], step,
                          (0, lax.pcast(np.zeros(1, np.float32), "b", to="varying")))[1]
  f = jaxlite.jit(shard_map(body, mesh=mesh1, in_specs=P("b"), out_specs=P("b")))
  n = np.array([1, 2, 3, 4], np.int32)
  np.testing.assert_array_equal(f(n), 10. * n)


def test_an_invariant_predicate_keeps_cond_and_while_as_jax_lowers_them(env):
  jax, _, _ = env
  mesh1 = Mesh(np.array(jaxlite.devices()[:4]), ("b",))
  jmesh1 = jax.sharding.Mesh(np.array(jax.devices()[:4]), ("b",))

  def body(lax_, x):
    y = lax_.cond(lax_.psum(x[0], "b") > 0,
                  lambda x: lax_.pcast(lax_.psum(x, "b"), "b", to="varying"),
                  lambda x: x * 2., x)
    return lax_.while_loop(lambda c: lax_.psum(c[0], "b") < 40., lambda c: c * 2. + 1., y)
  x = np.arange(8, dtype=np.float32) - 2
  ours = jaxlite.jit(shard_map(lambda x: body(lax, x), mesh=mesh1, in_specs=P("b"),
                               out_specs=P("b")))
  theirs = jax.jit(jax.shard_map(lambda x: body(jax.lax, x), mesh=jmesh1, in_specs=jax.P("b"),
                                 out_specs=jax.P("b")))
  np.testing.assert_array_equal(ours(x), theirs(x))
  text = ours.lower(x).as_text()
  assert "stablehlo.case" in text and text.count("all_reduce") == 3, text


def test_pcast_of_a_numpy_constant_inside_shard_map(env):
  # JAX computes; jaxlite raised "pvary should be called under jax.shard_map."
  jax, _, _ = env
  mesh1 = Mesh(np.array(jaxlite.devices()[:4]), ("b",))
  jmesh1 = jax.sharding.Mesh(np.array(jax.devices()[:4]), ("b",))
  body = lambda lax_, x: x + lax_.pcast(np.ones(2, np.float32), "b", to="varying")  # noqa: E731
  x = np.arange(8, dtype=np.float32)
  ours = shard_map(lambda x: body(lax, x), mesh=mesh1, in_specs=P("b"), out_specs=P("b"))
  theirs = jax.shard_map(lambda x: body(jax.lax, x), mesh=jmesh1, in_specs=jax.P("b"),
                         out_specs=jax.P("b"))
  np.testing.assert_array_equal(ours(x), theirs(x))
  np.testing.assert_array_equal(jaxlite.jit(ours)(x), jax.jit(theirs)(x))
  assert str(jaxlite.make_jaxpr(ours)(x)) == str(jax.make_jaxpr(theirs)(x))
