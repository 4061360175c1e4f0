"""jit's cached-call fast paths (interpreters/pjit.py): the memo of the last
pytree call must behave exactly like the cache it short-cuts, against JAX.

Each test calls one jitted function with a sequence of arguments that either
hits the memo (same structure and avals as the last call) or must miss it
(another shape, structure, weak type, committed device, config, or a tracer),
and compares every result with JAX's.
"""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.runtime import executable

jax = pytest.importorskip("jax")
jax_numpy = pytest.importorskip("jax.numpy")


def _mlp(j, jn):
  def forward(params, x):
    for w, b in params:
      x = jn.tanh(x @ w + b)
    return x
  return forward


def _params(shapes, seed=0):
  rng = np.random.RandomState(seed)
  return [(rng.randn(m, n).astype(np.float32), rng.randn(n).astype(np.float32))
          for m, n in shapes]


def _put(j, tree):
  return j.tree_util.tree_map(j.numpy.asarray, tree)


def _same(ours, theirs):
  ours_leaves, ours_tree = jaxlite.tree_util.tree_flatten(ours)
  theirs_leaves, theirs_tree = jax.tree_util.tree_flatten(theirs)
  assert str(ours_tree).replace("PyTreeDef", "") == str(theirs_tree).replace("PyTreeDef", "")
  for a, b in zip(ours_leaves, theirs_leaves):
    assert (a.shape, a.dtype, a.weak_type, a.committed) == (b.shape, b.dtype, b.weak_type,
                                                            b.committed)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-6, atol=1e-6)


def test_pytree_memo_hits_and_misses_like_the_cache():
  small, large = _params([(4, 8), (8, 3)]), _params([(4, 16), (16, 3)], seed=1)
  x4, x6 = np.ones((2, 4), np.float32), np.full((5, 4), 0.5, np.float32)
  calls = [(small, x4), (small, x4), (small, x6), (small, x6), (large, x4), (small, x4),
           (tuple(small), x4), (tuple(small), x4)]
  f_ours, f_jax = jaxlite.jit(_mlp(jaxlite, jnp)), jax.jit(_mlp(jax, jax_numpy))
  before = executable.compile_count
  for params, x in calls:
    _same(f_ours(_put(jaxlite, params), jnp.asarray(x)),
          f_jax(_put(jax, params), jax_numpy.asarray(x)))
  # One trace per distinct signature: (small, x4), (small, x6), (large, x4), tuple
  # (whose program is the list's: compiled once).
  assert f_ours._cache_size() == 4
  assert executable.compile_count - before == 3


def test_pytree_memo_same_arrays_reused_and_outputs_fed_back():
  def step(params, x):
    return [(w * 0.5, b + x.sum()) for w, b in params]
  p_ours = _put(jaxlite, _params([(3, 2), (2, 2)]))
  p_jax = _put(jax, _params([(3, 2), (2, 2)]))
  x = np.arange(3, dtype=np.float32)
  f_ours, f_jax = jaxlite.jit(step), jax.jit(step)
  for _ in range(4):   # the outputs (fresh arrays, the executable's avals) go back in
    p_ours, p_jax = f_ours(p_ours, jnp.asarray(x)), f_jax(p_jax, jax_numpy.asarray(x))
    _same(p_ours, p_jax)


def test_pytree_memo_weak_types_and_scalars():
  def f(d):
    return {"s": d["a"] * 2, "t": d["b"] + 1}
  f_ours, f_jax = jaxlite.jit(f), jax.jit(f)
  for a, b in [(1.0, np.float32(2)), (1.0, np.float32(2)), (np.float32(1), np.float32(2)),
               (np.float32(1), np.float32(2)), (1.0, np.float32(2))]:
    ours = f_ours({"a": jnp.asarray(a), "b": jnp.asarray(b)})
    theirs = f_jax({"a": jax_numpy.asarray(a), "b": jax_numpy.asarray(b)})
    _same(ours, theirs)
    # A Python scalar leaf is not an Array: the general path, same results.
    _same(f_ours({"a": a, "b": jnp.asarray(b)}), f_jax({"a": a, "b": jax_numpy.asarray(b)}))


def test_pytree_memo_committed_operands_run_on_their_device():
  devices_ours, devices_jax = jaxlite.devices(), jax.devices()
  if len(devices_ours) < 2:
    pytest.skip("needs 2 devices")
  f_ours = jaxlite.jit(lambda t: t[0] + t[1])
  f_jax = jax.jit(lambda t: t[0] + t[1])
  x = np.arange(4, dtype=np.float32)
  for committed in (False, False, True, True, False):
    if committed:
      ours = f_ours((jaxlite.device_put(x, devices_ours[1]), jnp.asarray(x)))
      theirs = f_jax((jax.device_put(x, devices_jax[1]), jax_numpy.asarray(x)))
      assert [d.id for d in ours.devices()] == [d.id for d in theirs.devices()] == [1]
    else:
      ours = f_ours((jnp.asarray(x), jnp.asarray(x)))
      theirs = f_jax((jax_numpy.asarray(x), jax_numpy.asarray(x)))
    _same(ours, theirs)


def test_pytree_memo_follows_config_changes():
  traces = []

  def f(t):
    traces.append(1)
    return t[0] + t[1]
  f_ours = jaxlite.jit(f)
  x = [jnp.arange(3, dtype=jnp.float32), jnp.ones(3, jnp.float32)]
  f_ours(x), f_ours(x)
  with jaxlite.default_matmul_precision("highest"):   # part of the trace context
    np.testing.assert_allclose(np.asarray(f_ours(x)), [1, 2, 3])
    np.testing.assert_allclose(np.asarray(f_ours(x)), [1, 2, 3])
  assert len(traces) == 2
  with jaxlite.disable_jit():   # the Python function runs, each call
    np.testing.assert_allclose(np.asarray(f_ours(x)), [1, 2, 3])
  assert len(traces) == 3
  np.testing.assert_allclose(np.asarray(f_ours(x)), [1, 2, 3])
  assert len(traces) == 3


def test_pytree_memo_under_transformations():
  f_ours = jaxlite.jit(lambda t: jnp.sum(jnp.sin(t[0]) * t[1]))
  f_jax = jax.jit(lambda t: jax_numpy.sum(jax_numpy.sin(t[0]) * t[1]))
  x = np.linspace(0, 1, 5, dtype=np.float32)
  y = np.full(5, 2.0, np.float32)
  for _ in range(2):
    f_ours([jnp.asarray(x), jnp.asarray(y)])
  ours = jaxlite.grad(f_ours)([jnp.asarray(x), jnp.asarray(y)])
  theirs = jax.grad(f_jax)([jax_numpy.asarray(x), jax_numpy.asarray(y)])
  _same(ours, theirs)
  ours = jaxlite.vmap(lambda a: f_ours([a, jnp.asarray(y)]))(jnp.stack([jnp.asarray(x)] * 2))
  theirs = jax.vmap(lambda a: f_jax([a, jax_numpy.asarray(y)]))(
      jax_numpy.stack([jax_numpy.asarray(x)] * 2))
  _same(ours, theirs)
  # Inside another jit the memo's executable must not run: the call is staged.
  ours = jaxlite.jit(lambda a: f_ours([a, jnp.asarray(y)]))(jnp.asarray(x))
  theirs = jax.jit(lambda a: f_jax([a, jax_numpy.asarray(y)]))(jax_numpy.asarray(x))
  _same(ours, theirs)


def test_pytree_memo_cleared_with_the_caches():
  traces = []

  def f(t):
    traces.append(1)
    return t[0] * t[1]
  f_ours = jaxlite.jit(f)
  x = (jnp.ones(3), jnp.ones(3))
  f_ours(x), f_ours(x)
  jaxlite.clear_caches()
  np.testing.assert_allclose(np.asarray(f_ours(x)), np.ones(3))
  assert len(traces) == 2


def test_pytree_memo_deleted_operand_raises_as_jax():
  f_ours, f_jax = jaxlite.jit(lambda t: t[0] + 1), jax.jit(lambda t: t[0] + 1)
  a, b = jnp.ones(2), jax_numpy.ones(2)
  f_ours([a]), f_ours([a]), f_jax([b])
  a.delete(), b.delete()
  with pytest.raises(RuntimeError) as theirs:
    f_jax([b])
  with pytest.raises(RuntimeError) as ours:
    f_ours([a])
  assert str(ours.value) == str(theirs.value)


def test_pytree_memo_structure_changes_miss():
  # The memo flattens the arguments up to the last call's structure: any
  # other structure (dict keys, node types, a subtree where a leaf was) runs
  # the general path, as the cache would.
  f_ours = jaxlite.jit(lambda d: jaxlite.tree_util.tree_map(lambda v: v * 2, d))
  f_jax = jax.jit(lambda d: jax.tree_util.tree_map(lambda v: v * 2, d))
  x = np.arange(3, dtype=np.float32)
  trees = [{"a": x, "b": x}, {"a": x, "b": x}, {"a": x, "c": x}, {"a": x, "c": x},
           {"a": x, "b": (x, x)}, {"a": x, "b": [x, x]}, {"a": x, "b": [x, x]},
           {"b": x, "a": x}, {"a": x, "b": None}, {"a": x, "b": x}]
  for tree in trees:
    _same(f_ours(_put(jaxlite, tree)), f_jax(_put(jax, tree)))


def _tuple_of_x64_sensitive(t):
  return t[0] + 1, jnp.arange(3)   # arange's dtype follows jax_enable_x64


def test_memo_trace_context_of_other_threads():
  # Another thread holding a scoped trace-context option (enable_x64) changes
  # nothing here, and a memo noted in that thread's context is not this
  # thread's; the process-wide epoch comes back when the scope closes.
  import sys
  import threading
  config_module = sys.modules["jaxlite.config"]
  f = jaxlite.jit(_tuple_of_x64_sensitive)
  x = (jnp.ones(3, jnp.float32),)
  f(x), f(x)
  entered, release, results = threading.Event(), threading.Event(), {}

  def scoped():
    with jaxlite.enable_x64(True):
      results["scoped"] = [f(x)[1].dtype for _ in range(3)]
      entered.set()
      release.wait(30)
      results["scoped_late"] = f(x)[1].dtype
  thread = threading.Thread(target=scoped)
  thread.start()
  assert entered.wait(30)
  try:
    assert config_module.trace_context_epoch[0] == -1
    assert [f(x)[1].dtype for _ in range(3)] == [np.int32] * 3
  finally:
    release.set()
    thread.join(30)
  assert results == {"scoped": [np.int64] * 3, "scoped_late": np.int64}
  assert config_module.trace_context_epoch[0] == jaxlite.config._generation
  assert f(x)[1].dtype == np.int32


def test_memo_while_another_thread_stages():
  # A thread tracing a jit (a staging trace current in it) makes every other
  # thread look at its own trace state; their memo calls still run.
  import threading
  from jaxlite import core
  inside, release = threading.Event(), threading.Event()
  f = jaxlite.jit(lambda a, b: a * b)
  x = jnp.arange(3.0, dtype=jnp.float32)
  f(x, x), f(x, x)

  def slow(a):
    inside.set()
    release.wait(30)
    return a + 1
  thread = threading.Thread(target=lambda: jaxlite.jit(slow)(x))
  thread.start()
  assert inside.wait(30)
  try:
    assert core.staging[0] >= 1
    for _ in range(3):
      np.testing.assert_array_equal(np.asarray(f(x, x)), [0., 1., 4.])
    # Staged inside this thread's own jit, the memo's executable must not run.
    out = jaxlite.jit(lambda a: f(a, a) + 1)(x)
    np.testing.assert_array_equal(np.asarray(out), [1., 2., 5.])
  finally:
    release.set()
    thread.join(30)
  assert core.staging[0] == 0


def test_staging_count_returns_to_zero_after_errors():
  from jaxlite import core

  def bad(a):
    raise ValueError("boom")
  with pytest.raises(ValueError, match="boom"):
    jaxlite.jit(bad)(jnp.ones(2))
  with pytest.raises(ValueError, match="boom"):
    jaxlite.make_jaxpr(bad)(1.0)
  assert core.staging[0] == 0


def test_static_values_of_other_types_trace_again_as_jax():
  # JAX's signature holds a static value's type: 3.0 after 3 (equal, same
  # hash) is traced again, and True too; the call memo and both caches agree.
  def run(j, jn):
    traced = []

    def f(a, n):
      traced.append(type(n).__name__)
      return a * n
    g = j.jit(f, static_argnums=1)
    h = j.jit(lambda n, a, b: a * n + b, static_argnums=0)   # (static, Array, Array): tree path
    x = jn.arange(3.0, dtype=jn.float32)
    outs = [g(x, 3), g(x, 3), g(x, 3.0), g(x, 3.0), g(x, True), g(x, 3), h(2, x, x),
            h(2.0, x, x), h(2, x, x)]
    return traced, [np.asarray(o).tolist() for o in outs]
  assert run(jaxlite, jnp) == run(jax, jax_numpy)


def test_array_where_a_static_value_was_raises_as_jax():
  # An Array compares elementwise with the memo's static value (truthy here):
  # it must not pass for it, but raise JAX's error.
  def run(j, jn):
    g = j.jit(lambda a, n: a * n, static_argnums=1)
    x = jn.ones(3)
    g(x, 3), g(x, 3)
    with pytest.raises(ValueError) as info:
      g(x, jn.array(3))
    return str(info.value).split(" of type")[0]
  assert run(jaxlite, jnp) == run(jax, jax_numpy)


def test_memo_epoch_is_noted_again_after_a_stale_one():
  # A memo noted while another thread staged holds no epoch; the first call
  # after the staging ends passes the full test and notes the epoch again.
  import sys
  config_module = sys.modules["jaxlite.config"]
  f = jaxlite.jit(lambda a: a + 1)
  x = jnp.ones(3)
  config_module.staging_entered()
  try:
    assert config_module.dispatch_epoch[0] == -1
    f(x), f(x)
    assert f._memo[4] is None
  finally:
    config_module.staging_exited()
  assert config_module.dispatch_epoch[0] == config_module.trace_context_epoch[0] >= 0
  np.testing.assert_array_equal(np.asarray(f(x)), [2., 2., 2.])
  assert f._memo[4] == config_module.dispatch_epoch[0]
