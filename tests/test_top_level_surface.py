"""The rest of JAX's top level and its small modules (issue 17): option
context managers, transfer guards, fwd_and_bwd, effects_barrier, jax.memory,
ShapeDtypeStruct's keywords, jax.errors, jax.extend helpers; each compared
with JAX 0.10.2 in the same run."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import errors
from jaxlite.extend import core as extend_core
from jaxlite.extend import source_info_util

jax = pytest.importorskip("jax")

_CASES = {
    "eager op on NumPy": lambda api, np_: np_.sin(np.ones(3)),
    "device_put": lambda api, np_: api.device_put(np.ones(3)),
    "jit argument": lambda api, np_: api.jit(lambda a: a * 2)(np.ones(2)),
    "Python scalar": lambda api, np_: np_.sin(1.0),
    "jnp.array of a list": lambda api, np_: np_.array([1.0, 2.0]),
    "np.asarray of an Array": lambda api, np_: np.asarray(np_.ones(3)),
    "device_get": lambda api, np_: api.device_get(np_.ones(3)),
    "jnp.ones": lambda api, np_: np_.ones(2),
    "jnp.arange": lambda api, np_: np_.arange(3),
}


def _outcome(api, np_, case, level):
  try:
    with api.transfer_guard(level):
      case(api, np_)
    return "ok"
  except Exception as e:   # the message's first line, without traceback notes
    return f"{type(e).__name__}: {str(e).splitlines()[0]}"


@pytest.mark.parametrize("level", ["allow", "log", "disallow", "disallow_explicit"])
@pytest.mark.parametrize("name", sorted(_CASES))
def test_transfer_guard_as_jax(name, level):
  ours = _outcome(jaxlite, jnp, _CASES[name], level)
  theirs = _outcome(jax, jax.numpy, _CASES[name], level)
  assert ours == theirs


def test_transfer_guard_host_to_device_only_and_config_update():
  x = jnp.ones(2)
  with jaxlite.transfer_guard_host_to_device("disallow"):
    with pytest.raises(jaxlite.errors.JaxRuntimeError, match="Disallowed host-to-device"):
      jnp.cos(np.ones(2))
    with jaxlite.transfer_guard_device_to_host("disallow"):
      jnp.cos(x)   # an Array needs no transfer
  jaxlite.config.update("jax_transfer_guard", "disallow")
  try:
    with pytest.raises(jaxlite.errors.JaxRuntimeError):
      jnp.cos(np.ones(2))
  finally:
    jaxlite.config.update("jax_transfer_guard", None)
  jnp.cos(np.ones(2))


def test_checking_leaks_and_no_tracing():
  with jaxlite.checking_leaks():
    assert jaxlite.config.jax_check_tracer_leaks
  assert not jaxlite.config.jax_check_tracer_leaks

  def traced_once(x):
    return x + 1
  messages = []
  for api in (jaxlite, jax):
    f = api.jit(traced_once)
    f(1.0)
    with api.no_tracing(True):
      f(2.0)   # cached: no trace
      with pytest.raises(RuntimeError) as info:
        f(np.ones(3, np.float32))
    messages.append(str(info.value).split(" at ")[0] + " ..." +
                    str(info.value).split(" for ")[-1])
  assert messages[0] == messages[1]


@pytest.mark.slow   # 20-33 s; the default suite stays under 20 minutes
def test_checking_leaks_detects_a_leaked_jit_tracer_as_jax():
  for api in (jaxlite, jax):
    leaked = []

    @api.jit
    def side_effecting(x):
      leaked.append(x + 1)
      return x * 2

    with api.checking_leaks():
      with pytest.raises(Exception, match="Leaked trace DynamicJaxprTrace") as info:
        side_effecting(1)
      assert type(info.value) is Exception
      # A function that keeps nothing traces and runs as usual.
      assert int(api.jit(lambda x: x * 2 + x.sum())(3)) == 9
    side_effecting(1)   # the check is off again: no error


def test_make_user_context_retraces_like_jax():
  counts = []
  for api in (jaxlite, jax):
    traces = []

    @api.jit
    def f(x):
      traces.append(1)
      return x * 2
    context = api.make_user_context(default_value=None)
    f(1.0)
    with context(1):
      f(1.0)
      assert context.value == 1
    with context(1):
      f(1.0)
    with context(2):
      f(1.0)
    assert context.value is None
    counts.append(len(traces))
  assert counts[0] == counts[1]


def test_config_states_exported_like_jax():
  for name in ("threefry_partitionable", "softmax_custom_jvp", "default_prng_impl",
               "enable_custom_prng", "legacy_prng_key", "debug_key_reuse",
               "allow_f16_reductions", "auto_pcast", "thread_guard", "no_execution",
               "remove_size_one_mesh_axis_from_type", "array_garbage_collection_guard",
               "jax2tf_associative_scan_reductions"):
    ours, theirs = getattr(jaxlite, name), getattr(jax, name)
    assert ours.value == theirs.value, name
  with jaxlite.threefry_partitionable(False):
    assert not jaxlite.config.jax_threefry_partitionable
  with pytest.raises(ValueError):
    jaxlite.legacy_prng_key("sometimes")


@pytest.mark.parametrize("argnums", [0, (0, 1)])
@pytest.mark.parametrize("jitted", [True, False])
def test_fwd_and_bwd_matches_jax(argnums, jitted):
  def f(x, W):
    return jnp.tanh(x @ W) if not isinstance(x, np.ndarray) else None

  def g(x, W, np_):
    return np_.tanh(x @ W)
  x = np.arange(6, dtype=np.float32).reshape(2, 3) / 5
  W = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
  cot = np.ones((2, 4), np.float32)
  results = []
  for api, np_ in ((jaxlite, jnp), (jax, jax.numpy)):
    fwd, bwd = api.fwd_and_bwd(lambda a, b: g(a, b, np_), argnums=argnums, jitted=jitted)
    y, residuals = fwd(np_.asarray(x), np_.asarray(W))
    cots = bwd(residuals, np_.asarray(cot))
    results.append((np.asarray(y), [np.asarray(c) for c in
                                    (cots if isinstance(argnums, tuple) else (cots,))]))
  np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
  for a, b in zip(results[0][1], results[1][1]):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fwd_and_bwd_has_aux():
  fwd, bwd = jaxlite.fwd_and_bwd(lambda x: (jnp.sum(x ** 2), x[0] - 1), argnums=0, has_aux=True)
  y, residuals, aux = fwd(jnp.arange(3.0))
  assert float(aux) == -1.0 and float(y) == 5.0
  np.testing.assert_allclose(bwd(residuals, jnp.float32(1.0)), [0.0, 2.0, 4.0])


def test_effects_barrier_waits_for_callbacks():
  seen = []
  jaxlite.jit(lambda x: jaxlite.debug.callback(seen.append, x) or x)(jnp.ones(()))
  jaxlite.effects_barrier()
  assert len(seen) == 1


def test_memory_space_and_shape_dtype_struct():
  assert [repr(s) for s in jaxlite.memory.Space] == [repr(s) for s in jax.memory.Space]
  for api in (jaxlite, jax):
    s = api.ShapeDtypeStruct((2,), np.float32, is_ref=True)
    assert s.is_ref and s.manual_axis_type is None
  assert repr(jaxlite.ShapeDtypeStruct((2,), "float32", is_ref=True)) == repr(
      jax.ShapeDtypeStruct((2,), "float32", is_ref=True))
  assert jaxlite.ShapeDtypeStruct((2,), "float32", is_ref=True) != jaxlite.ShapeDtypeStruct(
      (2,), "float32")
  assert isinstance(jnp.ones(2).addressable_shards[0], jaxlite.Shard)


def test_errors_classes_as_jax():
  for name in ("JAXTypeError", "JAXIndexError"):
    ours, theirs = getattr(errors, name)("bad"), getattr(jax.errors, name)("bad")
    assert str(ours) == str(theirs)
    assert [b.__name__ for b in type(ours).__mro__ if b.__module__ == "builtins"] == [
        b.__name__ for b in type(theirs).__mro__ if b.__module__ == "builtins"]
  assert issubclass(errors.KeyReuseError, errors.JAXTypeError)
  assert issubclass(errors.InconclusiveDimensionOperation, Exception)
  with pytest.raises(errors.NonConcreteBooleanIndexError, match="must be concrete"):
    jaxlite.jit(lambda x: x[x > 0])(jnp.ones(3))
  assert str(errors.UnexpectedTracerError("msg")) == "msg"


def test_extend_core_helpers():
  closed = jaxlite.make_jaxpr(lambda x: jaxlite.jit(lambda y: y * 2)(x))(1.0)
  inner = list(extend_core.jaxprs_in_params(closed.jaxpr.eqns[0].params))
  assert len(inner) == 1 and isinstance(inner[0], extend_core.Jaxpr)
  assert np.ndarray in extend_core.array_types and np.float32 in extend_core.array_types
  import jax.extend.core as jax_extend_core
  assert extend_core.array_types - {t for t in jax_extend_core.array_types
                                    if t.__module__ != "jax._src.literals"} == set()
  v = extend_core.gensym()(extend_core.ShapedArray((), np.float32))
  assert isinstance(v, extend_core.Var)
  assert not extend_core.unsafe_am_i_under_a_jit_DO_NOT_USE()
  seen = {}

  def probe(x):
    seen["jit"] = extend_core.unsafe_am_i_under_a_jit_DO_NOT_USE()
    seen["vmap"] = extend_core.unsafe_am_i_under_a_vmap_DO_NOT_USE()
    seen["axes"] = extend_core.unsafe_get_axis_names_DO_NOT_USE()
    seen["nonempty"] = extend_core.nonempty_axis_env_DO_NOT_USE()
    return x
  jaxlite.jit(jaxlite.vmap(probe, axis_name="i"))(jnp.ones(2))
  assert seen == {"jit": True, "vmap": True, "axes": ["i"], "nonempty": True}
  with source_info_util.extend_name_stack("outer"):
    assert str(source_info_util.current_name_stack()) == "outer"


@pytest.mark.parametrize("name", [
    "jaxlite.profiler", "jaxlite.monitoring", "jaxlite.ffi", "jaxlite.export",
    "jaxlite.export.exported", "jaxlite.export.serialization", "jaxlite.export.shape_poly",
    "jaxlite.config_guards", "jaxlite.api_extras", "jaxlite.errors",
    "jaxlite.extend.core_internals", "jaxlite.extend.source_info_util", "jaxlite.extend.random",
    "jaxlite.extend.backend", "jaxlite.numpy.dynamic_slice_index"])
def test_docstring_examples_of_the_surface_modules(name):
  import doctest
  import importlib
  module = importlib.import_module(name)
  failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
  assert failed == 0 and attempted > 0


_DISTRIBUTED_SCRIPT = """
import sys, warnings
import jaxlite
from jaxlite.experimental import multihost_utils
pid, port = int(sys.argv[1]), sys.argv[2]
with warnings.catch_warnings(record=True) as caught:
  warnings.simplefilter("always")
  jaxlite.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=pid,
                                 cluster_detection_method="deactivate",
                                 coordinator_bind_address=f"127.0.0.1:{port}", slice_index=pid,
                                 heartbeat_timeout_seconds=10, shutdown_timeout_seconds=30)
assert any(issubclass(w.category, DeprecationWarning) for w in caught)
assert jaxlite.process_count() == 2
print(multihost_utils.reached_preemption_sync_point(0), flush=True)
jaxlite.distributed.shutdown()
"""


def test_distributed_initialize_keywords_and_preemption_sync_point():
  import os
  import socket
  import subprocess
  import sys
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
  env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=1")
  procs = [subprocess.Popen([sys.executable, "-c", _DISTRIBUTED_SCRIPT, str(i), str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for i in range(2)]
  outs = [p.communicate(timeout=120) for p in procs]
  for p, (out, err) in zip(procs, outs):
    assert p.returncode == 0, err[-3000:]
    assert out.strip().splitlines()[-1] == "False"
  from jaxlite.experimental import multihost_utils
  assert multihost_utils.reached_preemption_sync_point(3) is False   # not a job


def test_small_module_names_as_jax():
  import inspect
  from jaxlite.example_libraries import optimizers
  from jaxlite.experimental import checkify, multihost_utils
  from jaxlite.extend import backend as extend_backend
  import jax.example_libraries.optimizers as jax_optimizers
  import jax.experimental.checkify as jax_checkify
  import jax.experimental.multihost_utils as jax_multihost_utils
  import jax.extend.backend as jax_extend_backend
  params = inspect.signature(jaxlite.distributed.initialize).parameters
  jax_params = inspect.signature(jax.distributed.initialize).parameters
  assert list(params) == list(jax_params)
  assert {k: p.default for k, p in params.items()} == {k: p.default for k, p in
                                                        jax_params.items()}
  assert checkify.init_error.get() is None and jax_checkify.init_error.get() is None
  assert optimizers.unzip2([(1, "a"), (2, "b")]) == jax_optimizers.unzip2([(1, "a"), (2, "b")])
  with pytest.raises(ValueError):
    optimizers.safe_zip([1], [1, 2])
  assert multihost_utils.P("x") == jaxlite.sharding.PartitionSpec("x")
  assert str(multihost_utils.ProcessFailureError({0})) == str(
      jax_multihost_utils.ProcessFailureError({0}))
  assert jaxlite.stages.CompilerOptions == jax.stages.CompilerOptions
  options = extend_backend.get_compile_options(1, 1, env_options_overrides={"a": "b"})
  assert options.num_replicas == 1 and options.env_option_overrides == [("a", "b")]
  assert extend_backend.backend_xla_version() == jax_extend_backend.backend_xla_version()


_DS_CASES = [
    lambda api, x, i: x[api.ds(i, 2)],
    lambda api, x, i: x[:, api.ds(i, 3, 2)],
    lambda api, x, i: x[api.ds(i, 2), 1:4],
    lambda api, x, i: x[1, api.ds(i, 2)],
    lambda api, x, i: x[api.ds(3, 2)],          # static start, clamped like JAX
    lambda api, x, i: x[api.ds(i + 2, 3)],      # traced start past the end: clamped
    lambda api, x, i: x[api.ds(2)],
    lambda api, x, i: x[api.ds(None), api.ds(i, 1)],
]


@pytest.mark.parametrize("case", range(len(_DS_CASES)))
def test_ds_indexing_matches_jax(case):
  x = np.arange(24, dtype=np.int32).reshape(4, 6)
  f = _DS_CASES[case]
  ours = jaxlite.jit(lambda x, i: f(jaxlite, x, i))(jnp.asarray(x), 1)
  theirs = jax.jit(lambda x, i: f(jax, x, i))(jax.numpy.asarray(x), 1)
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
  eager = f(jaxlite, jnp.asarray(x), 1)
  np.testing.assert_array_equal(np.asarray(eager), np.asarray(theirs))


def test_ds_objects_as_jax():
  assert repr(jaxlite.ds(1, 3)) == repr(jax.ds(1, 3))
  assert repr(jaxlite.ds(2)) == repr(jax.ds(2)) and jaxlite.ds(None) == jax.ds(None)
  with pytest.raises(ValueError, match="Non-static stride"):
    jaxlite.ds(1, 2, jnp.int32(1))
  leaves, treedef = jaxlite.tree_util.tree_flatten(jaxlite.ds(1, 3))
  assert leaves == [] and treedef.unflatten([]) == jaxlite.ds(1, 3)


def _smap_outcomes(api):
  out = []
  mesh = api.make_mesh((4,), ("x",), axis_types=(api.sharding.AxisType.Auto,))
  with api.set_mesh(mesh):
    f = api.smap(lambda x, y: (x * 2 + api.lax.psum(y.sum(), "x"), x[None]),
                 in_axes=(0, None), out_axes=(0, 1), axis_name="x")
    a, b = api.jit(f)(api.numpy.arange(8.0), api.numpy.ones(3))
    out += [np.asarray(a).tolist(), np.asarray(b).tolist()]
    try:
      api.smap(lambda x: x, out_axes=0, axis_name="x")(api.numpy.arange(8.0))
    except TypeError as e:
      out.append(str(e))
    for bad in (dict(in_axes=0, out_axes=0, axis_name=("x",)), dict(in_axes="0", out_axes=0,
                                                                     axis_name="x"),
                dict(in_axes=0, out_axes="0", axis_name="x")):
      with pytest.raises(TypeError) as info:
        api.smap(lambda x: x, **bad)
      out.append(str(info.value).split(",")[0])
  mesh = api.make_mesh((4,), ("x",))
  with api.set_mesh(mesh):
    x = api.device_put(np.arange(8.0), api.sharding.NamedSharding(mesh, api.sharding.PartitionSpec("x")))
    decorated = api.smap(out_axes=0, axis_name="x")(lambda x: x * 3)
    out.append(np.asarray(decorated(x)).tolist())
  return out


def test_smap_matches_jax():
  assert _smap_outcomes(jaxlite) == _smap_outcomes(jax)


def test_extend_random_as_jax():
  from jaxlite.extend import random as extend_random
  import jax.extend.random as jax_extend_random
  values = []
  for api, module in ((jaxlite, extend_random), (jax, jax_extend_random)):
    base = module.threefry_prng_impl
    spec = module.define_prng_impl(key_shape=base.key_shape, seed=base.seed, split=base.split,
                                   random_bits=base.random_bits, fold_in=base.fold_in,
                                   name="mine", tag="mn")
    key = api.random.key(3, impl=spec)
    keys = module.random_seed(np.arange(3), base)
    values.append((repr(spec), str(key.dtype),
                   np.asarray(api.random.uniform(api.random.split(key)[1], (3,))).tolist(),
                   np.asarray(api.random.key_data(keys)).tolist(),
                   np.asarray(api.random.normal(module.seed_with_impl(base, 5), (2,))).tolist()))
  assert values[0] == values[1]


_FACTORY_SCRIPT = """
import sys
lib = sys.argv[1]
if lib == "jax":
  import jax as api
  import jax.extend.backend as extend_backend
else:
  import jaxlite as api
  import jaxlite.extend.backend as extend_backend
from jaxlib import xla_client
made = []
def factory():
  made.append(1)
  return xla_client.make_cpu_client()
def broken():
  raise OSError("no such device")
extend_backend.register_backend_factory("mine", factory, priority=500)
extend_backend.register_backend_factory("broken", broken, priority=-5)
print(api.default_backend(), len(api.devices()), len(made), sorted(extend_backend.backends()))
def late():
  made.append(2)
  return xla_client.make_cpu_client()
extend_backend.register_backend_factory("late", late)   # backends already started
try:
  extend_backend.get_backend("late")
except RuntimeError as e:
  print("RuntimeError", "late" in str(e), len(made))
extend_backend.clear_backends()
print(sorted(extend_backend.backends()), len(made))
"""


def test_register_backend_factory_as_jax():
  import os
  import subprocess
  import sys
  env = dict(os.environ, XLA_FLAGS="")
  env.pop("JAX_PLATFORMS", None)
  outs = []
  for lib in ("jaxlite", "jax"):
    done = subprocess.run([sys.executable, "-c", _FACTORY_SCRIPT, lib], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    outs.append(done.stdout.strip().splitlines())
  assert outs[0] == outs[1]
