"""jax.monitoring: listeners and the compile events jaxlite records where JAX
records them (compared with JAX 0.10.2 in the same run)."""
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import monitoring

jax = pytest.importorskip("jax")
from jax._src import monitoring as jax_src_monitoring  # noqa: E402  (its get_* helpers)


def _getters(module):
  return monitoring if module is monitoring else jax_src_monitoring


@pytest.fixture
def clean_listeners():
  yield
  monitoring.clear_event_listeners()
  for listener in monitoring.get_scalar_listeners():
    monitoring.unregister_scalar_listener(listener)


def _collect(module):
  seen = {"event": [], "duration": [], "span": [], "scalar": []}
  module.register_event_listener(lambda e, **kw: seen["event"].append((e, kw)))
  module.register_event_duration_secs_listener(
      lambda e, d, **kw: seen["duration"].append((e, d, kw)))
  module.register_event_time_span_listener(
      lambda e, s, t, **kw: seen["span"].append((e, s, t, kw)))
  module.register_scalar_listener(lambda e, v, **kw: seen["scalar"].append((e, v, kw)))
  return seen


def test_listeners_receive_what_jax_listeners_receive(clean_listeners):
  results = []
  for module in (monitoring, jax.monitoring):
    seen = _collect(module)
    module.record_event("/e", a=1, b="x")
    module.record_event_duration_secs("/d", 0.25, c=2)
    module.record_event_time_span("/s", 1.0, 3.0)
    module.record_scalar("/v", 7, unit="steps")
    results.append(seen)
    module.clear_event_listeners()
    for listener in _getters(module).get_scalar_listeners():
      module.unregister_scalar_listener(listener)
  assert results[0] == results[1]


def test_register_unregister_and_errors(clean_listeners):
  events = []
  listener = lambda e, **kw: events.append(e)
  monitoring.register_event_listener(listener)
  assert monitoring.get_event_listeners() == [listener]
  monitoring.unregister_event_listener(listener)
  monitoring.record_event("/nobody")
  assert events == []
  for module in (monitoring, jax.monitoring):
    with pytest.raises(AssertionError):
      module.unregister_event_listener(listener)
    with pytest.raises(AssertionError):
      module.unregister_scalar_listener(listener)


def test_clear_keeps_scalar_listeners_as_jax(clean_listeners):
  kept = []
  for module in (monitoring, jax.monitoring):
    scalar = lambda e, v, **kw: None
    module.register_scalar_listener(scalar)
    module.register_event_listener(lambda e, **kw: None)
    module.clear_event_listeners()
    kept.append((len(_getters(module).get_event_listeners()), len(_getters(module).get_scalar_listeners())))
    module.unregister_scalar_listener(scalar)
  assert kept[0] == kept[1]


def test_compiles_record_backend_compile_duration_as_jax(clean_listeners):
  def doubled_plus_one(x):
    return x * 2 + 1

  names = []
  for module, api, np_ in ((monitoring, jaxlite, jnp), (jax.monitoring, jax, jax.numpy)):
    seen = _collect(module)
    api.jit(doubled_plus_one)(np_.arange(5.0)).block_until_ready()
    compile_durations = [(e, kw) for e, d, kw in seen["duration"]
                         if e == "/jax/core/compile/backend_compile_duration" and d >= 0]
    spans = [(e, kw) for e, s, t, kw in seen["span"]
             if e == "/jax/core/compile/backend_compile_duration" and t >= s]
    names.append(({kw["fun_name"] for _, kw in compile_durations},
                  {kw["fun_name"] for _, kw in spans}))
    module.clear_event_listeners()
    for listener in _getters(module).get_scalar_listeners():
      module.unregister_scalar_listener(listener)
  assert "jit(doubled_plus_one)" in names[0][0] and "jit(doubled_plus_one)" in names[1][0]
  assert names[0][0] == names[0][1]


def test_trace_and_lowering_durations_as_jax(clean_listeners):
  def tripled(x):
    return x * 3

  recorded = []
  for module, api, np_ in ((monitoring, jaxlite, jnp), (jax.monitoring, jax, jax.numpy)):
    seen = _collect(module)
    x = np_.arange(3.0)
    api.jit(tripled)(x).block_until_ready()
    recorded.append([(e, kw["fun_name"]) for e, _, kw in seen["duration"]
                     if kw.get("fun_name") in ("tripled", "jit(tripled)")])
    module.clear_event_listeners()
    for listener in _getters(module).get_scalar_listeners():
      module.unregister_scalar_listener(listener)
  assert recorded[0] == recorded[1] == [
      ("/jax/core/compile/jaxpr_trace_duration", "tripled"),
      ("/jax/core/compile/jaxpr_to_mlir_module_duration", "jit(tripled)"),
      ("/jax/core/compile/backend_compile_duration", "jit(tripled)")]


def test_persistent_cache_events(clean_listeners, tmp_path):
  seen = _collect(monitoring)
  previous = jaxlite.config.jax_compilation_cache_dir
  jaxlite.config.update("jax_compilation_cache_dir", str(tmp_path))
  try:
    def cached_fn(x):
      return jnp.cos(x) - 3.5
    jaxlite.jit(cached_fn)(jnp.ones(3)).block_until_ready()
    jaxlite.clear_caches()
    jaxlite.jit(cached_fn)(jnp.ones(3)).block_until_ready()
  finally:
    jaxlite.config.update("jax_compilation_cache_dir", previous)
  events = [e for e, _ in seen["event"]]
  assert "/jax/compilation_cache/compile_requests_use_cache" in events
  assert "/jax/compilation_cache/cache_misses" in events
  assert "/jax/compilation_cache/cache_hits" in events
  assert any(e == "/jax/compilation_cache/cache_retrieval_time_sec" for e, _, _ in seen["duration"])


def test_no_listener_means_nothing_recorded():
  assert not monitoring.any_compile_listener()
