"""Sharding in types (Explicit mesh axes) against JAX 0.10.2, on 8 CPU devices:
``jax.typeof`` eagerly and under jit, propagation through elementwise ops,
dot_general, reshape, transpose and reductions, JAX's ShardingTypeErrors,
``out_sharding=`` and ``reshard``."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.sharding import NamedSharding, PartitionSpec as P

SPECS = {"x": ("data", "model"), "z": ("data", None), "zm": ("model", None)}


@pytest.fixture(scope="module")
def env(jax_reference):
  """Both libraries' 2x4 Explicit mesh and the same arrays placed on it."""
  jax = jax_reference
  if len(jax.devices()) < 8 or len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  mesh = jaxlite.make_mesh((2, 4), ("data", "model"))
  jmesh = jax.make_mesh((2, 4), ("data", "model"))
  values = {"x": np.arange(64.0, dtype=np.float32).reshape(8, 8),
            "z": np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8),
            "zm": np.ones((8, 8), np.float32)}
  ours = {k: jaxlite.device_put(v, NamedSharding(mesh, P(*SPECS[k]))) for k, v in values.items()}
  theirs = {k: jax.device_put(v, jax.sharding.NamedSharding(jmesh, jax.P(*SPECS[k])))
            for k, v in values.items()}
  return jax, mesh, jmesh, ours, theirs


def _outcome(lib, fn, arrays):
  """``str(typeof(result))`` and the value, or the error's type name and message."""
  try:
    out = fn(lib, arrays)
  except Exception as e:  # pylint: disable=broad-except
    return type(e).__name__, str(e).splitlines()[0], None
  return "ok", str(lib.typeof(out)), np.asarray(out)


CASES = {
    "identity": lambda j, a: a["x"],
    "mul": lambda j, a: a["x"] * 2,
    "add_broadcast_spec": lambda j, a: a["z"] + a["x"],
    "add_scalar": lambda j, a: a["z"] + 1.0,
    "add_host": lambda j, a: a["z"] + np.ones((8, 8), np.float32),
    "sin": lambda j, a: j.numpy.sin(a["x"]),
    "astype": lambda j, a: a["z"].astype(j.numpy.int32),
    "transpose": lambda j, a: a["x"].T,
    "sum0": lambda j, a: a["x"].sum(0),
    "sum1": lambda j, a: a["x"].sum(1),
    "sum_all": lambda j, a: a["x"].sum(),
    "max1": lambda j, a: a["x"].max(1),
    "argmax0": lambda j, a: a["x"].argmax(0),
    "merge_reshape": lambda j, a: a["x"].reshape(64),
    "split_reshape": lambda j, a: a["z"].reshape(2, 4, 8),
    "bad_reshape": lambda j, a: a["x"].reshape(4, 16),
    "expand_dims": lambda j, a: j.numpy.expand_dims(a["z"], 0),
    "broadcast": lambda j, a: j.numpy.broadcast_to(a["z"][:, None, :], (8, 3, 8)),
    "matmul_free": lambda j, a: a["z"] @ a["zm"].T,
    "matmul_inconsistent": lambda j, a: a["x"] @ a["x"],
    "matmul_sharded_contraction": lambda j, a: a["x"] @ a["zm"],
    "matmul_duplicate": lambda j, a: a["z"] @ a["z"].T,
    "cumsum_sharded_axis": lambda j, a: j.numpy.cumsum(a["x"], axis=1),
    "cumsum_free_axis": lambda j, a: j.numpy.cumsum(a["z"], axis=1),
    "sort_sharded_axis": lambda j, a: j.numpy.sort(a["x"], axis=0),
    "sort_free_axis": lambda j, a: j.numpy.sort(a["z"], axis=1),
    "where": lambda j, a: j.numpy.where(a["x"] > 30, a["x"], 0.0),
    "cond": lambda j, a: j.lax.cond(True, lambda v: v * 2, lambda v: v + 1, a["x"]),
    "fori_loop": lambda j, a: j.lax.fori_loop(0, 3, lambda i, c: c * 2 + 1, a["z"]),
    "grad_in_jit": lambda j, a: j.jit(j.grad(lambda v: j.numpy.tanh(v).sum()))(a["x"]),
    "dot_general_out_sharding": lambda j, a: j.lax.dot_general(
        a["x"], a["x"], (((1,), (1,)), ((), ())), out_sharding=j.P("data", "model")),
    "reshape_out_sharding": lambda j, a: j.lax.reshape(
        a["x"], (4, 16), out_sharding=j.P("data", "model")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_eager_types_match_jax(env, case):
  jax, _, _, ours, theirs = env
  mine = _outcome(jaxlite, CASES[case], ours)
  ref = _outcome(jax, CASES[case], theirs)
  assert mine[:2] == ref[:2]
  if ref[0] == "ok":
    np.testing.assert_allclose(mine[2], ref[2], rtol=1e-6)


def test_result_sharding_follows_type(env):
  jax, _, _, ours, theirs = env
  for f in (lambda a: a["x"] * 2, lambda a: a["x"].T, lambda a: a["z"].sum(1),
            lambda a: a["z"] @ a["zm"].T):
    assert repr(f(ours).sharding) == repr(f(theirs).sharding)


def test_types_inside_jit(env):
  jax, mesh, jmesh, ours, theirs = env
  seen = {}

  def body(lib, key):
    def f(a, b, c):
      seen[key] = [str(lib.typeof(v)) for v in (a, a * 2, a.sum(0), a.T, b @ c.T)]
      return a * 2, a.T
    return f

  mine = jaxlite.jit(body(jaxlite, "ours"))(ours["x"], ours["z"], ours["zm"])
  ref = jax.jit(body(jax, "theirs"))(theirs["x"], theirs["z"], theirs["zm"])
  assert seen["ours"] == seen["theirs"]
  for m, r in zip(mine, ref):
    assert repr(m.sharding) == repr(r.sharding)
    np.testing.assert_array_equal(np.asarray(m), np.asarray(r))
  assert str(jaxlite.make_jaxpr(lambda a: a * 2)(ours["x"])) == \
      str(jax.make_jaxpr(lambda a: a * 2)(theirs["x"]))


def test_set_mesh_out_sharding_and_reshard(env):
  jax, mesh, jmesh, ours, theirs = env
  cases = {
      "zeros": lambda j, a: j.numpy.zeros((8, 4), out_sharding=j.P("data")),
      "ones": lambda j, a: j.numpy.ones((8,), out_sharding=j.P("data")),
      "arange": lambda j, a: j.numpy.arange(8, out_sharding=j.P("data")),
      "zeros_plain": lambda j, a: j.numpy.zeros((8, 4)),
      "plain_plus_sharded": lambda j, a: j.numpy.zeros((8, 8)) + a["z"],
      "reshard": lambda j, a: j.reshard(a["z"], j.P(None, "model")),
      "dot_out": lambda j, a: j.numpy.dot(a["z"], a["zm"].T, out_sharding=j.P(None, "data")),
  }
  for name, f in cases.items():
    with jaxlite.set_mesh(mesh):
      mine = _outcome(jaxlite, f, ours)
    with jax.set_mesh(jmesh):
      ref = _outcome(jax, f, theirs)
    assert mine[:2] == ref[:2], name
    if ref[0] == "ok":
      np.testing.assert_allclose(mine[2], ref[2], rtol=1e-6)


def test_jit_with_out_sharding_under_set_mesh(env):
  jax, mesh, jmesh, ours, theirs = env

  def f(lib):
    def g(a):
      return lib.lax.dot_general(a, a, (((1,), (1,)), ((), ())),
                                 out_sharding=lib.P("data", "model"))
    return g

  with jaxlite.set_mesh(mesh):
    mine = jaxlite.jit(f(jaxlite))(ours["x"])
  with jax.set_mesh(jmesh):
    ref = jax.jit(f(jax))(theirs["x"])
  assert str(jaxlite.typeof(mine)) == str(jax.typeof(ref))
  assert repr(mine.sharding) == repr(ref.sharding)
  np.testing.assert_allclose(np.asarray(mine), np.asarray(ref), rtol=1e-6)


def test_auto_mesh_types_are_plain(jax_reference):
  if len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  mesh = jaxlite.sharding.Mesh(np.array(jaxlite.devices()).reshape(2, 4), ("a", "b"))
  w = jaxlite.device_put(np.ones((8, 8), np.float32), NamedSharding(mesh, P("a", "b")))
  assert str(jaxlite.typeof(w)) == str(jaxlite.typeof(w * 2)) == "float32[8,8]"
  assert (w * 2).sharding.spec == P("a", "b")


def _summary(lib, out):
  return str(lib.typeof(out)), float(out.sum())


def test_auto_axes_matches_jax(env):
  jax, mesh, jmesh, ours, theirs = env
  seen = {}

  def program(lib, key, arrays):
    @lib.sharding.auto_axes
    def g(a):
      seen.setdefault(key, []).append(
          (str(lib.typeof(a)), tuple(t.name for t in
                                     lib.sharding.get_abstract_mesh().axis_types)))
      return a @ a   # an ambiguous contraction on Explicit axes, fine on Auto ones

    x = arrays["x"]
    out = [g(x, out_sharding=lib.P("data", None)),
           lib.jit(lambda a: g(a, out_sharding=lib.P(None, "model")))(x),
           lib.sharding.auto_axes(lambda a: a * 2, axes="model",
                                  out_sharding=lib.P("data", "model"))(x)]
    with pytest.raises(TypeError, match="Missing required keyword argument: 'out_sharding'"):
      g(x)
    return [_summary(lib, o) + (o.sharding.spec,) for o in out]

  with jaxlite.set_mesh(mesh):
    mine = program(jaxlite, "ours", ours)
  with jax.set_mesh(jmesh):
    ref = program(jax, "theirs", theirs)
  assert [m[:2] for m in mine] == [r[:2] for r in ref]
  assert [tuple(m[2]) for m in mine] == [tuple(r[2]) for r in ref]
  assert seen["ours"] == seen["theirs"]


def test_explicit_axes_matches_jax(env):
  jax, _, _, _, _ = env
  value = np.arange(64.0, dtype=np.float32).reshape(8, 8)
  seen = {}

  def program(lib, key):
    @lib.sharding.explicit_axes
    def h(a):
      seen.setdefault(key, []).append(str(lib.typeof(a)))
      return a * 2
    with pytest.raises(ValueError, match="Context mesh cannot be empty"):
      h(value, in_sharding=lib.P("data"))
    auto = lib.make_mesh((2, 4), ("data", "model"),
                         axis_types=(lib.sharding.AxisType.Auto,) * 2)
    with lib.set_mesh(auto):
      w = lib.device_put(value, lib.NamedSharding(auto, lib.P("data", "model")))
      outs = [h(w, in_sharding=lib.P("data", None)),
              lib.jit(lambda a: h(a, in_sharding=lib.P(None, "model")))(w)]
    return [_summary(lib, o) for o in outs], tuple(outs[1].sharding.spec)

  assert program(jaxlite, "ours") == program(jax, "theirs")
  assert seen["ours"] == seen["theirs"]


def test_manual_axis_type_matches_jax(jax_reference):
  ours, theirs = jaxlite.sharding.ManualAxisType, jax_reference.sharding.ManualAxisType
  for kwargs in ({}, {"varying": frozenset({"x"})}, {"reduced": {"y"}, "unreduced": {"x"}}):
    m, t = ours(**kwargs), theirs(**kwargs)
    assert repr(m) == repr(t) and m.empty == t.empty
    assert repr(m.to_ct_mat()) == repr(t.to_ct_mat())
    assert repr(m.update(varying={"z"})) == repr(t.update(varying={"z"}))
    assert m is ours(**kwargs)
  for bad in ({"varying": {"x"}, "reduced": {"x"}}, {"varying": {"x"}, "unreduced": {"x"}}):
    with pytest.raises(ValueError) as mine:
      ours(**bad)
    with pytest.raises(ValueError) as ref:
      theirs(**bad)
    assert str(mine.value) == str(ref.value)


OUT_SHARDING_CASES = {
    "array": lambda j, a, k: j.numpy.array(np.ones((8, 4)), out_sharding=j.P("data")),
    "broadcast_to": lambda j, a, k: j.numpy.broadcast_to(j.numpy.ones(8), (8, 8),
                                                         out_sharding=j.P("data", "model")),
    "einsum": lambda j, a, k: j.numpy.einsum("ij,jk->ik", a["x"], a["x"],
                                             out_sharding=j.P("data")),
    "matmul": lambda j, a, k: j.numpy.matmul(a["x"], a["x"], out_sharding=j.P("data", "model")),
    "tensordot": lambda j, a, k: j.numpy.tensordot(a["x"], a["z"], 1, out_sharding=j.P("data")),
    "full": lambda j, a, k: j.numpy.full((8, 8), 3.0, out_sharding=j.P("model")),
    "full_like": lambda j, a, k: j.numpy.full_like(a["x"], 3.0, out_sharding=j.P("model")),
    "zeros_like": lambda j, a, k: j.numpy.zeros_like(a["x"]),
    "ones_like": lambda j, a, k: j.numpy.ones_like(a["z"], out_sharding=j.P(None, "data")),
    "ravel": lambda j, a, k: j.numpy.ravel(a["z"], out_sharding=j.P("data")),
    "reshape": lambda j, a, k: j.numpy.reshape(a["x"], (4, 16), out_sharding=j.P("data", "model")),
    "repeat": lambda j, a, k: j.numpy.repeat(a["z"], 2, axis=0, out_sharding=j.P("data")),
    "lax_broadcast": lambda j, a, k: j.lax.broadcast(a["z"], (2,), out_sharding=j.P(None, "data")),
    "broadcast_in_dim": lambda j, a, k: j.lax.broadcast_in_dim(
        j.numpy.ones(8), (8, 8), (1,), out_sharding=j.P("data", "model")),
    "broadcasted_iota": lambda j, a, k: j.lax.broadcasted_iota(
        j.numpy.int32, (8, 8), 1, out_sharding=j.P("data")),
    "lax_dot": lambda j, a, k: j.lax.dot(a["x"], a["x"], out_sharding=j.P("data")),
    "reduce_sum": lambda j, a, k: j.lax.reduce_sum(a["x"], (1,), out_sharding=j.P("data")),
    "uniform": lambda j, a, k: j.random.uniform(k, (8, 8), out_sharding=j.P("data", "model")),
    "normal": lambda j, a, k: j.random.normal(k, (8, 4), out_sharding=j.P("data")),
    "randint": lambda j, a, k: j.random.randint(k, (8,), 0, 5, out_sharding=j.P("model")),
    "bits": lambda j, a, k: j.random.bits(k, (8,), out_sharding=j.P("model")),
    "bernoulli": lambda j, a, k: j.random.bernoulli(k, 0.5, (8, 4), out_sharding=j.P("data")),
    "permutation": lambda j, a, k: j.random.permutation(k, 8, out_sharding=j.P("data")),
}


@pytest.mark.parametrize("case", sorted(OUT_SHARDING_CASES))
def test_out_sharding_matches_jax(env, case):
  jax, mesh, jmesh, ours, theirs = env
  f = OUT_SHARDING_CASES[case]
  with jaxlite.set_mesh(mesh):
    mine = _outcome(jaxlite, lambda j, a: f(j, a, j.random.key(0)), ours)
  with jax.set_mesh(jmesh):
    ref = _outcome(jax, lambda j, a: f(j, a, j.random.key(0)), theirs)
  assert mine[:2] == ref[:2]
  if ref[0] == "ok":
    np.testing.assert_allclose(mine[2], ref[2], rtol=1e-6)


def test_like_functions_keep_type_in_jit(env):
  jax, _, _, ours, theirs = env

  def f(lib, seen):
    def g(a):
      seen.append(str(lib.typeof(lib.numpy.zeros_like(a))))
      seen.append(str(lib.typeof(lib.numpy.ones_like(a, shape=(3,)))))
      return lib.numpy.full_like(a, 2.0) * a
    return g

  seen_ours, seen_theirs = [], []
  mine = jaxlite.jit(f(jaxlite, seen_ours))(ours["x"])
  ref = jax.jit(f(jax, seen_theirs))(theirs["x"])
  assert seen_ours == seen_theirs
  assert str(jaxlite.typeof(mine)) == str(jax.typeof(ref))
  np.testing.assert_array_equal(np.asarray(mine), np.asarray(ref))


def test_shape_dtype_struct_sharding_enters_the_type(env):
  jax, mesh, jmesh, _, _ = env
  s = jaxlite.ShapeDtypeStruct((8, 8), np.float32, sharding=NamedSharding(mesh, P("data")))
  js = jax.ShapeDtypeStruct((8, 8), np.float32,
                            sharding=jax.sharding.NamedSharding(jmesh, jax.P("data")))
  assert str(jaxlite.make_jaxpr(lambda a: a.T * 2)(s)) == \
      str(jax.make_jaxpr(lambda a: a.T * 2)(js))


def test_lowering_pins_typed_intermediates_as_jax(env):
  import re  # pylint: disable=g-import-not-at-top
  jax, _, _, ours, theirs = env
  f = lambda a: (a.T * 2).sum(0)
  pattern = r"sdy\.sharding_constraint %\S+ (<@mesh, [^>]*>)"
  mine = re.findall(pattern, jaxlite.jit(f).lower(ours["x"]).as_text())
  ref = iter(re.findall(pattern, jax.jit(f).lower(theirs["x"]).as_text()))
  # JAX also pins the broadcast scalar of `* 2`; every constraint here is JAX's, in order.
  assert len(mine) == 3 and all(any(m == r for r in ref) for m in mine)
  np.testing.assert_array_equal(np.asarray(jaxlite.jit(f)(ours["x"])),
                                np.asarray(jax.jit(f)(theirs["x"])))


def test_grad_through_a_sharded_contraction_takes_the_primal_type(env):
  """grad of ``tanh(x @ w).sum()`` with x split over a batch axis: the
  cotangent of w contracts that axis; JAX gives it w's type instead of asking
  for out_sharding (it is the training step of every data-parallel model)."""
  jax, mesh, jmesh, ours, theirs = env
  w = np.full((8, 8), 0.01, np.float32)

  def step(lib, x, w):
    return lib.jit(lambda w, x: w - 1e-3 * lib.grad(lambda w: lib.numpy.tanh(x @ w).sum())(w))(
        w, x)

  got = step(jaxlite, ours["z"], jaxlite.device_put(w, NamedSharding(mesh, P())))
  want = step(jax, theirs["z"], jax.device_put(w, jax.sharding.NamedSharding(jmesh, jax.P())))
  assert str(jaxlite.typeof(got)) == str(jax.typeof(want))
  np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
