"""Tests of jaxlite.config: update/read, scoped context managers, threads,
environment variables, absl flags and the trace context."""
import importlib
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from jaxlite.config import config

# The module itself: `jaxlite.config` is the Config object the package exports.
config_lib = importlib.import_module("jaxlite.config")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

EXPECTED_DEFAULTS = {
    "jax_enable_x64": False,
    "jax_disable_jit": False,
    "jax_platforms": None,
    "jax_platform_name": "",
    "jax_num_cpu_devices": -1,
    "jax_default_matmul_precision": None,
    "jax_numpy_rank_promotion": "allow",
    "jax_numpy_dtype_promotion": "standard",
    "jax_debug_nans": False,
    "jax_debug_infs": False,
    "jax_compilation_cache_dir": None,
    "jax_traceback_filtering": "auto",
    "jax_default_device": None,
    "jax_enable_checks": False,
    "jax_log_compiles": False,
    "jax_default_prng_impl": "threefry2x32",
    "jax_threefry_partitionable": True,
    "jax_default_dtype_bits": "64",
    "jax_persistent_cache_min_compile_time_secs": 1.0,
    "jax_explain_cache_misses": False,
}


def _run_python(code, **env_vars):
  """Runs ``code`` in a fresh interpreter with env vars; returns stdout."""
  env = {k: v for k, v in os.environ.items()
         if not k.startswith(("JAX_", "JAXLITE_"))}
  env.update(env_vars)
  env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
  proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                        env=env, capture_output=True, text=True, timeout=60)
  assert proc.returncode == 0, proc.stderr
  return proc.stdout.strip()


def test_defaults_as_jax():
  if any(k.startswith(("JAX_", "JAXLITE_")) for k in os.environ):
    pytest.skip("JAX_* environment variables are set")
  for name, value in EXPECTED_DEFAULTS.items():
    assert config.read(name) == value, name
    assert getattr(config, name) == value, name


def test_defaults_match_jax():
  jax = pytest.importorskip("jax")
  for name, value in EXPECTED_DEFAULTS.items():
    if name in ("jax_platform_name", "jax_default_dtype_bits"):
      continue  # An absl-only flag, and an option JAX no longer has.
    assert getattr(jax.config, name) == getattr(config, name), name


def test_update_and_read():
  config.update("jax_numpy_rank_promotion", "raise")
  try:
    assert config.jax_numpy_rank_promotion == "raise"
    assert config.read("jax_numpy_rank_promotion") == "raise"
    assert config.values["jax_numpy_rank_promotion"] == "raise"
  finally:
    config.update("jax_numpy_rank_promotion", "allow")
  assert config.jax_numpy_rank_promotion == "allow"


def test_bool_update_parses_like_jax_env():
  config.update("jax_debug_infs", "yes")
  try:
    assert config.jax_debug_infs is True
  finally:
    config.update("jax_debug_infs", 0)
  assert config.jax_debug_infs is False
  with pytest.raises(ValueError, match="invalid truth value"):
    config.update("jax_debug_infs", "maybe")


def test_invalid_enum_value_raises():
  with pytest.raises(ValueError, match="must be in"):
    config.update("jax_numpy_rank_promotion", "sometimes")
  with pytest.raises(ValueError, match="must be in"):
    with config_lib.numpy_dtype_promotion("loose"):
      pass
  assert config.jax_numpy_rank_promotion == "allow"


def test_unknown_option_raises_attribute_error_naming_it():
  with pytest.raises(AttributeError, match="Unrecognized config option: foo"):
    config.update("foo", 1)
  with pytest.raises(AttributeError, match="jax_no_such_option"):
    config.jax_no_such_option
  with pytest.raises(AttributeError, match="jax_no_such_option"):
    config.read("jax_no_such_option")


def test_context_managers():
  assert config.jax_enable_x64 is False
  with config_lib.enable_x64():
    assert config.jax_enable_x64 is True
    with config_lib.enable_x64(False):
      assert config.jax_enable_x64 is False
    assert config.jax_enable_x64 is True
  assert config.jax_enable_x64 is False
  scoped = [
      (config_lib.numpy_rank_promotion, "jax_numpy_rank_promotion", "warn"),
      (config_lib.numpy_dtype_promotion, "jax_numpy_dtype_promotion",
       "strict"),
      (config_lib.default_matmul_precision, "jax_default_matmul_precision",
       "highest"),
      (config_lib.debug_nans, "jax_debug_nans", True),
      (config_lib.debug_infs, "jax_debug_infs", True),
      (config_lib.log_compiles, "jax_log_compiles", True),
      (config_lib.enable_checks, "jax_enable_checks", True),
      (config_lib.default_device, "jax_default_device", "cpu"),
      (config_lib.explain_cache_misses, "jax_explain_cache_misses", True),
  ]
  # The same context managers hang off the config object itself.
  with config.enable_x64(True), config.numpy_rank_promotion("raise"):
    assert config.jax_enable_x64 and config.jax_numpy_rank_promotion == "raise"
  assert config.enable_x64 is config_lib.enable_x64
  for manager, name, value in scoped:
    before = config.read(name)
    with manager(value):
      assert config.read(name) == value, name
    assert config.read(name) == before, name


def test_context_manager_restores_after_exception_and_decorates():
  with pytest.raises(RuntimeError):
    with config_lib.debug_nans(True):
      raise RuntimeError
  assert config.jax_debug_nans is False

  @config_lib.debug_nans(True)
  def read_it():
    return config.jax_debug_nans
  assert read_it() is True
  assert config.jax_debug_nans is False


def test_context_manager_requires_value_for_non_bool():
  with pytest.raises(TypeError, match="requires an argument"):
    config_lib.numpy_rank_promotion()


def test_scoped_value_wins_over_global_update():
  with config_lib.enable_x64(True):
    config.update("jax_enable_x64", False)
    assert config.jax_enable_x64 is True
  assert config.jax_enable_x64 is False


def test_scoped_values_are_thread_local_global_updates_are_not():
  seen = {}
  entered, release = threading.Event(), threading.Event()

  def other_thread():
    with config_lib.debug_nans(True):
      seen["inside_other"] = config.jax_debug_nans
      entered.set()
      release.wait(10)
    seen["log_compiles_after_update"] = config.jax_log_compiles

  thread = threading.Thread(target=other_thread)
  with config_lib.enable_x64(True):
    thread.start()
    assert entered.wait(10)
    # The other thread's scope is invisible here, and ours there.
    assert config.jax_debug_nans is False
    config.update("jax_log_compiles", True)
    try:
      release.set()
      thread.join(10)
    finally:
      config.update("jax_log_compiles", False)
  assert seen == {"inside_other": True, "log_compiles_after_update": True}

  results = []
  with config_lib.enable_x64(True):
    t = threading.Thread(target=lambda: results.append(config.jax_enable_x64))
    t.start()
    t.join(10)
  assert results == [False]


def test_trace_context_tracks_scoped_and_global_changes():
  names = config.trace_context_names()
  for name in ("jax_enable_x64", "jax_default_matmul_precision",
               "jax_numpy_rank_promotion", "jax_numpy_dtype_promotion",
               "jax_debug_nans", "jax_debug_infs", "jax_default_device"):
    assert name in names
  base = config.trace_context()
  hash(base)
  # One entry is the mesh set by set_mesh (None outside one), not an option.
  assert base[names.index("mesh_context_manager")] is None
  assert base == tuple(None if n == "mesh_context_manager" else config.read(n) for n in names)
  with config_lib.enable_x64():
    x64_ctx = config.trace_context()
    assert x64_ctx != base
    assert x64_ctx[names.index("jax_enable_x64")] is True
  assert config.trace_context() == base
  config.update("jax_default_matmul_precision", "highest")
  try:
    assert config.trace_context()[
        names.index("jax_default_matmul_precision")] == "highest"
  finally:
    config.update("jax_default_matmul_precision", None)
  assert config.trace_context() == base
  # Options that do not affect tracing leave it alone.
  with config_lib.log_compiles(True):
    assert config.trace_context() == base


def test_update_callbacks():
  seen = []
  callback = config.add_update_callback(lambda n, v: seen.append((n, v)))
  try:
    config.update("jax_explain_cache_misses", True)
    config.update("jax_explain_cache_misses", False)
    with config_lib.explain_cache_misses(True):
      pass  # Scoped changes do not notify.
  finally:
    config.remove_update_callback(callback)
  config.update("jax_explain_cache_misses", False)
  assert seen == [("jax_explain_cache_misses", True),
                  ("jax_explain_cache_misses", False)]


def test_default_device_validation():
  with pytest.raises(ValueError, match="Device object"):
    config.update("jax_default_device", "not-a-platform")

  class FakeDevice:
    platform = "cpu"
  device = FakeDevice()
  with config_lib.default_device(device):
    assert config.jax_default_device is device
  assert config.jax_default_device is None


def test_bool_env_parsing(monkeypatch):
  for text in ("1", "true", "True", "yes", "on", "t", "y"):
    monkeypatch.setenv("JAXLITE_TEST_BOOL", text)
    assert config_lib.bool_env("JAXLITE_TEST_BOOL", False) is True
  for text in ("0", "false", "no", "off", "f", "n"):
    monkeypatch.setenv("JAXLITE_TEST_BOOL", text)
    assert config_lib.bool_env("JAXLITE_TEST_BOOL", True) is False
  monkeypatch.setenv("JAXLITE_TEST_BOOL", "maybe")
  with pytest.raises(ValueError, match="invalid truth value"):
    config_lib.bool_env("JAXLITE_TEST_BOOL", True)
  monkeypatch.delenv("JAXLITE_TEST_BOOL")
  assert config_lib.bool_env("JAXLITE_TEST_BOOL", True) is True


def test_env_vars_set_defaults_at_import():
  out = _run_python("""
      from jaxlite.config import config
      print(config.jax_enable_x64, config.jax_disable_jit,
            config.jax_debug_nans, config.jax_num_cpu_devices,
            config.jax_platforms, config.jax_compilation_cache_dir,
            config.jax_traceback_filtering, config.jax_numpy_rank_promotion)
      """, JAX_ENABLE_X64="1", JAX_DISABLE_JIT="true", JAX_DEBUG_NANS="on",
                    JAX_NUM_CPU_DEVICES="4", JAX_PLATFORMS="cpu",
                    JAX_COMPILATION_CACHE_DIR="/tmp/cache",
                    JAX_TRACEBACK_FILTERING="off",
                    JAX_NUMPY_RANK_PROMOTION="raise")
  assert out == "True True True 4 cpu /tmp/cache off raise"


def test_jaxlite_platforms_env_alias():
  code = "from jaxlite.config import config; print(config.jax_platforms)"
  assert _run_python(code, JAXLITE_PLATFORMS="cpu") == "cpu"
  # JAX's own variable wins when both are set.
  assert _run_python(code, JAXLITE_PLATFORMS="cpu",
                     JAX_PLATFORMS="cuda") == "cuda"


def test_x64_env_var_reaches_dtypes():
  out = _run_python("""
      from jaxlite import dtypes
      print(dtypes.canonicalize_dtype('float64'), dtypes.result_type(1.0))
      """, JAX_ENABLE_X64="1")
  assert out == "float64 float64"


def test_config_with_absl():
  pytest.importorskip("absl")
  out = _run_python("""
      import sys
      from absl import app, flags
      from jaxlite.config import config
      config.config_with_absl()
      def main(argv):
        print(config.jax_enable_x64, config.jax_numpy_rank_promotion,
              config.jax_num_cpu_devices, config.jax_debug_nans,
              flags.FLAGS.jax_debug_infs)
      sys.argv = ['prog', '--jax_enable_x64', '--jax_numpy_rank_promotion=raise',
                  '--jax_num_cpu_devices=3']
      app.run(main)
      """)
  assert out == "True raise 3 False False"


def test_parse_flags_with_absl():
  pytest.importorskip("absl")
  out = _run_python("""
      import sys
      from jaxlite.config import config
      sys.argv = ['prog', '--jax_debug_nans=true', '--other_flag=1',
                  '--jax_default_prng_impl=rbg', '--', '--jax_enable_x64']
      config.parse_flags_with_absl()
      print(config.jax_debug_nans, config.jax_default_prng_impl,
            config.jax_enable_x64)
      """)
  assert out == "True rbg False"


def test_import_does_not_import_absl_or_jax():
  out = _run_python("""
      import sys
      import jaxlite.config, jaxlite.dtypes
      print(sorted(m for m in ('absl', 'jax') if m in sys.modules))
      """)
  assert out == "[]"
