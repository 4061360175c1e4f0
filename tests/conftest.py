"""Shared pytest configuration for jaxlite's tests.

This file runs before any test module is imported, so it is the one place to
set environment variables that jaxlib reads when its CPU client is created.
It deliberately imports neither jaxlite nor jax: a broken jaxlite should fail
the tests that use it, not the collection of the whole suite.
"""
import os

# pmap tests need several devices. XLA's CPU client reads this flag once, when
# the first client is created, and both jax and jaxlite honour it. Append
# rather than overwrite so a user's own XLA_FLAGS survive.
_DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"
_xla_flags = os.environ.get("XLA_FLAGS", "")
if _DEVICE_COUNT_FLAG not in _xla_flags:
  os.environ["XLA_FLAGS"] = (_xla_flags + f" {_DEVICE_COUNT_FLAG}=8").strip()

import numpy as np  # noqa: E402
import pytest  # noqa: E402

try:
  import hypothesis  # noqa: E402
except ImportError:  # hypothesis is a test extra; tests that need it import it
  hypothesis = None

if hypothesis is not None:
  # Every first call compiles through XLA, which easily takes longer than
  # hypothesis' default 200 ms deadline; a deadline would only make tests flaky.
  hypothesis.settings.register_profile(
      "jaxlite", deadline=None, max_examples=25, print_blob=True)
  # In CI, the same examples every run: a red CI must be reproducible.
  hypothesis.settings.register_profile(
      "jaxlite-ci", deadline=None, max_examples=25, print_blob=True,
      derandomize=True)
  hypothesis.settings.register_profile(
      "jaxlite-thorough", deadline=None, max_examples=200, print_blob=True)
  hypothesis.settings.load_profile(os.environ.get(
      "JAXLITE_HYPOTHESIS_PROFILE",
      "jaxlite-ci" if os.environ.get("CI") else "jaxlite"))


def pytest_configure(config):
  config.addinivalue_line(
      "markers",
      "slow: takes more than a few seconds; deselect with -m 'not slow'")
  config.addinivalue_line(
      "markers",
      "requires_gpu: needs a CUDA or ROCm device (run with JAX_PLATFORMS=cuda); "
      "skipped where jaxlite has none")


def pytest_runtest_setup(item):
  if item.get_closest_marker("requires_gpu") is not None and not _has_gpu():
    pytest.skip("no GPU: jaxlite found no CUDA or ROCm PJRT plugin/device")


def _has_gpu():
  # Imported here, at run time: collection never imports jaxlite.
  from jaxlite.runtime import backend
  try:
    return bool(backend.devices("gpu"))
  except RuntimeError:
    return False


@pytest.fixture
def rng():
  """A fresh, seeded NumPy RandomState, so every test sees the same data."""
  return np.random.RandomState(0)


@pytest.fixture(scope="session")
def jax_reference():
  """The real `jax` module, as a reference oracle; skips when not installed.

  `jax` is only a test extra: jaxlite itself never imports it.
  """
  return pytest.importorskip("jax")


@pytest.fixture(scope="session")
def jnp_reference(jax_reference):
  """The real `jax.numpy`, as a reference oracle; skips when not installed."""
  import jax.numpy
  return jax.numpy


def tolerance(dtype, float32=1e-5, float64=1e-12, float16=1e-2):
  """The relative tolerance to compare results of the given dtype with."""
  kind = np.dtype(dtype)
  if kind == np.float64 or kind == np.complex128:
    return float64
  if kind == np.float16 or kind.name == "bfloat16":
    return float16
  return float32


@pytest.fixture
def assert_allclose():
  """`np.testing.assert_allclose` with a tolerance chosen from the dtype.

  Usage: `assert_allclose(actual, expected)`; pass `rtol=`/`atol=` to override.
  """
  def check(actual, expected, rtol=None, atol=None, err_msg=""):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if rtol is None:
      rtol = tolerance(expected.dtype)
    if atol is None:
      atol = rtol
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                               err_msg=err_msg)
  return check


# --- pytest-xdist: one worker per test module ---------------------------------
# `-n 2` alone distributes with xdist's "load" scheduler, which deals the first
# quarter of the suite out one test at a time, alternating workers: both workers
# then build every module- and session-scoped fixture (the ecosystem programs,
# the crash-safety and leak subprocesses run twice) and compile the same eager
# ops. This scheduler hands out whole modules instead, biggest first, so each
# module's fixtures and compiles are paid once. Modules of independent long tests
# (LONG_SINGLE_TESTS) go out test by test, first of all, so that neither worker
# is left with a long tail. An explicit `--dist` keeps xdist's own scheduler.

# Modules whose tests are independent and long (each one a subprocess, or
# hundreds of compiles): shared test by test between the workers, first of all.
LONG_SINGLE_TESTS = ("tests/differential/test_differential.py", "tests/test_docstring_examples.py",
                     "tests/test_examples.py",
                     "tests/test_fuzz.py", "tests/test_research_programs.py")

# Modules (or folders) of few tests that take long (a module-scoped subprocess,
# or a library program run under jaxlite and under JAX): started before the
# modules of many tests, which are dealt out biggest first.
LONG_MODULES = ("tests/ecosystem/", "tests/test_leaks.py", "tests/test_coexistence.py",
                "tests/test_crash_safety.py", "tests/test_runtime_load.py",
                "tests/test_served_module_errors.py", "tests/test_sharding_multiprocess.py")


def _dist_given(config):
  args = list(config.invocation_params.args) + list(config.getini("addopts"))
  return any(a == "-d" or a.startswith("--dist") for a in args)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
  if config.getoption("dist") != "load" or _dist_given(config):
    return None
  from xdist.scheduler import LoadScopeScheduling
  if not all(hasattr(LoadScopeScheduling, name) for name in ("_split_scope", "_assign_work_unit")):
    return None   # another xdist: its own scheduler (slower, as correct)

  class ModuleScheduling(LoadScopeScheduling):
    """xdist's loadscope with modules as scopes, except LONG_SINGLE_TESTS' tests."""

    def _split_scope(self, nodeid):
      module = nodeid.split("::", 1)[0]
      return nodeid if module in LONG_SINGLE_TESTS else module

    def _assign_work_unit(self, node):
      if not getattr(self, "_ordered", False):
        # Long single tests, then long modules, then by test count, biggest first.
        def key(item):
          scope, tests = item
          module = scope.split("::", 1)[0]
          return (module not in LONG_SINGLE_TESTS, not module.startswith(LONG_MODULES),
                  -len(tests))
        units = sorted(self.workqueue.items(), key=key)
        self.workqueue.clear()
        self.workqueue.update(units)
        self._ordered = True
      super()._assign_work_unit(node)

  return ModuleScheduling(config, log)
