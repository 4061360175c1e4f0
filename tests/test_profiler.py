"""jax.profiler on jaxlib's profiler: trace directories that TensorBoard's
profile plugin and Perfetto open, annotations, memory profiles; JAX 0.10.2
writes the same layout in the same run."""
import gzip
import json
import pathlib

import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import profiler

jax = pytest.importorskip("jax")


def _run_dirs(log_dir):
  return list((pathlib.Path(log_dir) / "plugins" / "profile").iterdir())


def _event_names(xplane_path):
  data = profiler.ProfileData.from_file(str(xplane_path))
  return {event.name for plane in data.planes for line in plane.lines for event in line.events}


def test_trace_writes_xplane_and_perfetto_files_that_parse(tmp_path):
  with profiler.trace(tmp_path, create_perfetto_trace=True):
    with profiler.TraceAnnotation("jaxlite_marker"):
      jaxlite.jit(lambda x: jnp.sin(x) * 2)(jnp.ones(8)).block_until_ready()
  run, = _run_dirs(tmp_path)
  names = sorted(p.name for p in run.iterdir())
  xplane, = [p for p in run.iterdir() if p.name.endswith(".xplane.pb")]
  trace_json, = [p for p in run.iterdir() if p.name.endswith(".trace.json.gz")]
  assert "perfetto_trace.json.gz" in names
  assert "jaxlite_marker" in _event_names(xplane)
  # The serialized XSpace parses the same way.
  again = profiler.ProfileData.from_serialized_xspace(xplane.read_bytes())
  assert [p.name for p in again.planes] == [
      p.name for p in profiler.ProfileData.from_file(str(xplane)).planes]
  with gzip.open(trace_json) as f:
    chrome_trace = json.load(f)
  assert "traceEvents" in chrome_trace and "metadata" in chrome_trace
  with gzip.open(run / "perfetto_trace.json.gz") as f:
    perfetto = json.load(f)
  assert "metadata" not in perfetto
  assert any(e.get("name") == "jaxlite_marker" for e in perfetto["traceEvents"])

  # JAX writes the same files (same suffixes) for the same request.
  jax_dir = tmp_path / "jax"
  with jax.profiler.trace(jax_dir, create_perfetto_trace=True):
    jax.numpy.ones(8).block_until_ready()
  jax_run, = _run_dirs(jax_dir)
  suffixes = lambda d: sorted(p.name.split(".", 1)[1] if p.name != "perfetto_trace.json.gz"
                              else p.name for p in d.iterdir())
  assert suffixes(run) == suffixes(jax_run)


def test_trace_is_a_decorator_and_start_stop_errors(tmp_path):
  @profiler.trace(tmp_path / "deco")
  def work():
    return jnp.arange(3).block_until_ready()
  work()
  assert len(_run_dirs(tmp_path / "deco")) == 1
  with pytest.raises(RuntimeError, match="No profile started"):
    profiler.stop_trace()
  profiler.start_trace(tmp_path / "twice")
  try:
    with pytest.raises(RuntimeError, match="Profile has already been started"):
      profiler.start_trace(tmp_path / "twice")
  finally:
    profiler.stop_trace()
  # A trace ends even when its body raises.
  with pytest.raises(ZeroDivisionError):
    with profiler.trace(tmp_path / "raises"):
      1 / 0
  profiler.start_trace(tmp_path / "after")
  profiler.stop_trace()


def test_annotations_show_on_the_timeline(tmp_path):
  @profiler.annotate_function
  def annotated_step(x):
    return (x + 1).block_until_ready()

  options = profiler.ProfileOptions()
  options.python_tracer_level = 0
  with profiler.trace(tmp_path, profiler_options=options):
    annotated_step(jnp.ones(2))
    with profiler.StepTraceAnnotation("train", step_num=3):
      pass
  run, = _run_dirs(tmp_path)
  xplane, = run.glob("*.xplane.pb")
  names = _event_names(xplane)
  assert {"test_annotations_show_on_the_timeline.<locals>.annotated_step", "train"} <= names
  assert annotated_step.__name__ == "annotated_step"


def test_device_memory_profile_is_gzipped_pprof(tmp_path):
  keep = jnp.ones((64, 64))
  profile = profiler.device_memory_profile()
  assert gzip.decompress(profile)[:1] == gzip.decompress(jax.profiler.device_memory_profile())[:1]
  path = tmp_path / "memory.prof"
  profiler.save_device_memory_profile(path)
  assert len(gzip.decompress(path.read_bytes())) > 0
  del keep


def test_server_start_stop_and_names_match_jax():
  with pytest.raises(ValueError, match="No active profiler server."):
    profiler.stop_server()
  assert sorted(profiler.__all__) == sorted(
      n for n in dir(jax.profiler) if not n.startswith("_"))
