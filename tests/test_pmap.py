"""pmap on 8 CPU devices: the seed examples, collectives, nesting, errors, processes."""
import os
import socket
import subprocess
import sys
import textwrap
from functools import partial

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.runtime import executable

pytestmark = pytest.mark.skipif(jaxlite.device_count() < 8, reason="needs 8 CPU devices")


def test_seed_square():
  out = jaxlite.pmap(lambda x: x ** 2)(jnp.arange(8))
  np.testing.assert_array_equal(np.asarray(out), [0, 1, 4, 9, 16, 25, 36, 49])
  assert len(out.devices()) == 8


def test_seed_dot_over_three_devices():
  x = jnp.arange(3 * 2 * 2.).reshape((3, 2, 2))
  y = jnp.arange(3 * 2 * 2.).reshape((3, 2, 2)) ** 2
  out = jaxlite.pmap(jnp.dot)(x, y)
  np.testing.assert_allclose(np.asarray(out),
                             [[[4., 9.], [12., 29.]], [[244., 345.], [348., 493.]],
                              [[1412., 1737.], [1740., 2141.]]])


def test_seed_too_many_devices():
  with pytest.raises(ValueError, match="requires 9 replicas, but only 8 XLA devices are available"):
    jaxlite.pmap(lambda x: x ** 2)(jnp.arange(9))


def test_seed_in_axes_none():
  x, y = jnp.arange(2.), 4.
  a, b = jaxlite.pmap(lambda x, y: (x + y, y * 2.), in_axes=(0, None))(x, y)
  np.testing.assert_array_equal(np.asarray(a), [4., 5.])
  np.testing.assert_array_equal(np.asarray(b), [8., 8.])


def test_seed_normalise_by_psum():
  f = lambda x: x / lax.psum(x, axis_name='i')
  out = jaxlite.pmap(f, axis_name='i')(jnp.arange(4.))
  np.testing.assert_allclose(np.asarray(out), [0., 0.16666667, 0.33333334, 0.5], rtol=1e-6)
  assert float(out.sum()) == pytest.approx(1.0)


def test_seed_nested_rows_cols():
  @partial(jaxlite.pmap, axis_name='rows')
  @partial(jaxlite.pmap, axis_name='cols')
  def normalize(x):
    row_normed = x / lax.psum(x, 'rows')
    col_normed = x / lax.psum(x, 'cols')
    doubly_normed = x / lax.psum(x, ('rows', 'cols'))
    return row_normed, col_normed, doubly_normed
  x = jnp.arange(8.).reshape((4, 2))
  row_normed, col_normed, doubly_normed = normalize(x)
  np.testing.assert_allclose(np.asarray(row_normed.sum(0)), [1., 1.], rtol=1e-6)
  np.testing.assert_allclose(np.asarray(col_normed.sum(1)), [1., 1., 1., 1.], rtol=1e-6)
  assert float(doubly_normed.sum((0, 1))) == pytest.approx(1.0)
  xs = np.arange(8.).reshape(4, 2)
  np.testing.assert_allclose(np.asarray(row_normed), xs / xs.sum(0, keepdims=True), rtol=1e-6)


def test_seed_devices_split_six_and_two():
  @partial(jaxlite.pmap, axis_name='i', devices=jaxlite.devices()[:6])
  def f1(x):
    return x / lax.psum(x, axis_name='i')

  @partial(jaxlite.pmap, axis_name='i', devices=jaxlite.devices()[-2:])
  def f2(x):
    return lax.psum(x ** 2, axis_name='i')
  np.testing.assert_allclose(np.asarray(f1(jnp.arange(6.))),
                             [0., 0.06666667, 0.13333333, 0.2, 0.26666667, 0.33333333],
                             rtol=1e-6)
  out2 = f2(jnp.array([2., 3.]))
  np.testing.assert_allclose(np.asarray(out2), [13., 13.])
  assert out2.devices() == set(jaxlite.devices()[-2:])


def test_output_feeds_next_pmap_without_copy_and_caches():
  f = jaxlite.pmap(lambda x: x * 2.0)
  x = f(jnp.arange(8.))
  before = executable.compile_count
  y = f(x)
  assert executable.compile_count == before
  assert y.sharding == x.sharding
  np.testing.assert_array_equal(np.asarray(y), np.arange(8.) * 4)
  assert "Array(" in repr(y) and y[3] == 12.0


def test_device_put_sharded_and_replicated_inputs():
  devs = jaxlite.devices()[:4]
  xs = jaxlite.device_put_sharded([np.float32(i) for i in range(4)], devs)
  r = jaxlite.device_put_replicated(np.float32(10.), devs)
  out = jaxlite.pmap(lambda a, b: a + b)(xs, r)
  np.testing.assert_array_equal(np.asarray(out), [10., 11., 12., 13.])


def test_unbound_axis_name_raises_name_error():
  with pytest.raises(NameError, match="unbound axis name: j"):
    jaxlite.pmap(lambda x: lax.psum(x, 'j'), axis_name='i')(jnp.arange(2.))


def test_mismatched_leading_sizes():
  # As JAX 0.10.2: a size that does not divide the first is an IndivisibleError
  # (a ValueError) where there are devices for the first size.
  with pytest.raises(ValueError, match="inconsistent sizes|partitioned 2 times"):
    jaxlite.pmap(lambda a, b: a + b)(jnp.arange(2.), jnp.arange(3.))
  with pytest.raises(ValueError, match="inconsistent sizes"):
    jaxlite.pmap(lambda a, b: a + b)(jnp.arange(2.), jnp.arange(4.))


_XLA_ENV_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    import jaxlite
    from jaxlite import lax
    pid = int(sys.argv[1]); port = sys.argv[2]
    jaxlite.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=pid,
                                   heartbeat_timeout_seconds=10)
    assert jaxlite.process_count() == 2 and jaxlite.device_count() == 8
    assert jaxlite.local_device_count() == 4
    f = lambda x: x + lax.psum(x, axis_name='i')
    data = np.arange(4) if jaxlite.process_index() == 0 else np.arange(4, 8)
    out = jaxlite.pmap(f, axis_name='i')(data)
    print(np.asarray(out).tolist(), flush=True)
    jaxlite.distributed.shutdown()
""")


def _free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def _spawn(pid, port, script):
  env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
  return subprocess.Popen([sys.executable, "-c", script, str(pid), str(port)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_psum():
  port = _free_port()
  procs = [_spawn(i, port, _XLA_ENV_SCRIPT) for i in range(2)]
  outs = [p.communicate(timeout=120) for p in procs]
  for p, (out, err) in zip(procs, outs):
    assert p.returncode == 0, err[-3000:]
  assert outs[0][0].strip().splitlines()[-1] == "[28, 29, 30, 31]"
  assert outs[1][0].strip().splitlines()[-1] == "[32, 33, 34, 35]"


def test_dead_process_makes_other_fail_not_hang():
  port = _free_port()
  script = _XLA_ENV_SCRIPT.replace("f = lambda", "import os\nif pid == 1: os._exit(3)\nf = lambda")
  procs = [_spawn(i, port, script) for i in range(2)]
  survivor_out, survivor_err = procs[0].communicate(timeout=180)
  procs[1].communicate(timeout=30)
  assert procs[1].returncode == 3
  assert procs[0].returncode != 0


# --- xla_computation / make_jaxpr with axis_env ---------------------------------------------


def test_seed_xla_computation_axis_env_one_axis():
  c = jaxlite.xla_computation(lambda x: x - lax.psum(x, 'i'), axis_env=[('i', 4)])(2)
  text = c.as_hlo_text()
  assert "all-reduce(" in text and "replica_groups={{0,1,2,3}}" in text
  assert "s32[] subtract" in text


def test_seed_xla_computation_axis_env_two_axes():
  def g(x):
    return lax.psum(x, 'i'), lax.psum(x, 'j'), lax.psum(x, ('i', 'j'))
  text = jaxlite.xla_computation(g, axis_env=[('i', 4), ('j', 2)])(5.).as_hlo_text()
  groups = [line.split("replica_groups=")[1].split(", to_apply")[0]
            for line in text.splitlines() if "all-reduce(" in line]
  assert groups == ["{{0,2,4,6},{1,3,5,7}}", "{{0,1},{2,3},{4,5},{6,7}}",
                    "{{0,1,2,3,4,5,6,7}}"]
  jaxpr = str(jaxlite.make_jaxpr(g, axis_env=[('i', 4), ('j', 2)])(5.))
  assert "psum[axes=('i', 'j')" in jaxpr


# --- every collective against NumPy ------------------------------------------------------------

_X8 = np.arange(8 * 3, dtype=np.float32).reshape(8, 3) - 7.0


def _run8(f):
  return np.asarray(jaxlite.pmap(f, axis_name='i')(_X8))


def test_collectives_against_numpy():
  np.testing.assert_allclose(_run8(lambda x: lax.psum(x, 'i')), np.tile(_X8.sum(0), (8, 1)))
  np.testing.assert_allclose(_run8(lambda x: lax.pmean(x, 'i')), np.tile(_X8.mean(0), (8, 1)),
                             rtol=1e-6)
  np.testing.assert_allclose(_run8(lambda x: lax.pmax(x, 'i')), np.tile(_X8.max(0), (8, 1)))
  np.testing.assert_allclose(_run8(lambda x: lax.pmin(x, 'i')), np.tile(_X8.min(0), (8, 1)))
  idx = np.asarray(jaxlite.pmap(lambda x: lax.axis_index('i'), axis_name='i')(_X8))
  np.testing.assert_array_equal(idx, np.arange(8))
  gathered = _run8(lambda x: lax.all_gather(x, 'i'))
  np.testing.assert_allclose(gathered, np.tile(_X8[None], (8, 1, 1)))
  tiled = _run8(lambda x: lax.all_gather(x, 'i', tiled=True))
  np.testing.assert_allclose(tiled, np.tile(_X8.reshape(-1)[None], (8, 1)))
  perm = [(i, (i + 1) % 8) for i in range(8)]
  np.testing.assert_allclose(_run8(lambda x: lax.ppermute(x, 'i', perm)), np.roll(_X8, 1, 0))
  shuffled = _run8(lambda x: lax.pshuffle(x, 'i', [7, 6, 5, 4, 3, 2, 1, 0]))
  np.testing.assert_allclose(shuffled, _X8[::-1])


def test_all_to_all_and_psum_scatter_against_numpy():
  x = np.arange(8 * 8 * 2, dtype=np.float32).reshape(8, 8, 2)
  out = np.asarray(jaxlite.pmap(lambda v: lax.all_to_all(v, 'i', 0, 0, tiled=True),
                                axis_name='i')(x))
  # Member d receives chunk d of every member, concatenated in member order.
  np.testing.assert_allclose(out, np.transpose(x, (1, 0, 2)))
  scattered = np.asarray(jaxlite.pmap(lambda v: lax.psum_scatter(v, 'i'), axis_name='i')(x))
  np.testing.assert_allclose(scattered, x.sum(0))


def test_tuple_axis_names_in_nested_pmap():
  @partial(jaxlite.pmap, axis_name='a')
  @partial(jaxlite.pmap, axis_name='b')
  def f(x):
    return lax.psum(x, ('a', 'b')), lax.axis_index(('a', 'b')), lax.pmax(x, 'a')
  x = np.arange(8, dtype=np.float32).reshape(2, 4)
  total, index, colmax = f(x)
  np.testing.assert_allclose(np.asarray(total), np.full((2, 4), x.sum()))
  np.testing.assert_array_equal(np.asarray(index), np.arange(8).reshape(2, 4))
  np.testing.assert_allclose(np.asarray(colmax), np.tile(x.max(0), (2, 1)))


def test_pmap_mlp_example_loss_falls():
  import importlib.util
  import pathlib
  path = pathlib.Path(__file__).parent.parent / "examples" / "pmap_mlp.py"
  spec = importlib.util.spec_from_file_location("pmap_mlp", path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  losses = module.main(steps=40, verbose=False)
  assert np.mean(losses[-5:]) < 0.6 * losses[0]


def test_transformations_through_pmap():
  x = jnp.arange(4.)
  f = lambda y: y ** 2 / lax.psum(y, 'i')
  # grad of a pmapped loss with psum (JAX 0.10.2's numbers for the same program)
  g = jaxlite.grad(lambda x: jaxlite.pmap(f, axis_name='i')(x).sum())(x)
  np.testing.assert_allclose(np.asarray(g), [-0.3888889, -0.05555555, 0.2777778, 0.61111116],
                             rtol=1e-5)
  # a broadcast (in_axes=None) argument's cotangent sums over replicas
  h = jaxlite.grad(lambda w: jaxlite.pmap(lambda y, w: jnp.sin(y * w), axis_name='i',
                                          in_axes=(0, None))(x, w).sum())(2.0)
  np.testing.assert_allclose(float(h), float(np.sum(np.arange(4.) * np.cos(np.arange(4.) * 2))),
                             rtol=1e-5)
  # jvp through pmap against finite differences
  _, t = jaxlite.jvp(jaxlite.pmap(f, axis_name='i'), (x,), (jnp.ones(4),))
  xs, eps = np.arange(4.), 1e-3
  fd = ((xs + eps) ** 2 / (xs + eps).sum() - (xs - eps) ** 2 / (xs - eps).sum()) / (2 * eps)
  np.testing.assert_allclose(np.asarray(t), fd, atol=1e-3)
  # pmap of grad with psum: JAX's transpose of psum (a psum of the cotangent)
  pg = jaxlite.pmap(jaxlite.grad(lambda x: lax.psum(x ** 2, 'i')), axis_name='i')(x)
  np.testing.assert_allclose(np.asarray(pg), [0., 8., 16., 24.])
  # jit and vmap inside pmap
  pj = jaxlite.pmap(jaxlite.jit(lambda x: x * 2 + lax.psum(x, 'i')), axis_name='i')(x)
  np.testing.assert_allclose(np.asarray(pj), [6., 8., 10., 12.])
  pv = jaxlite.pmap(jaxlite.vmap(lambda x: x * lax.psum(x, 'i')), axis_name='i')(
      jnp.arange(8.).reshape(4, 2))
  np.testing.assert_allclose(np.asarray(pv), np.arange(8.).reshape(4, 2) *
                             np.arange(8.).reshape(4, 2).sum(0))


def test_cached_call_with_pytree_and_deleted_argument_matches_jax(jax_reference):
  """The steady path (jaxlib's C++ flatten, outputs passed straight through)
  computes as JAX does over a pytree; a deleted argument raises JAX's error
  (a multi-device launch with a deleted buffer would crash jaxlib)."""
  jax = jax_reference

  def run(lib):
    f = lib.pmap(lambda p: {"w": p["w"] * 2, "b": [p["b"][0] + p["w"]]})
    p = {"w": np.arange(8.0, dtype=np.float32), "b": [np.ones(8, np.float32)]}
    for _ in range(3):
      p = f(p)
    old = p["w"]
    p = f(p)
    old.delete()
    with pytest.raises(RuntimeError) as info:
      f({"w": old, "b": p["b"]})
    return p, str(info.value).splitlines()[0]
  ours, theirs = run(jaxlite), run(jax)
  np.testing.assert_array_equal(np.asarray(ours[0]["w"]), np.asarray(theirs[0]["w"]))
  np.testing.assert_array_equal(np.asarray(ours[0]["b"][0]), np.asarray(theirs[0]["b"][0]))
  assert ours[1] == theirs[1]
