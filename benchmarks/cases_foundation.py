"""Foundation benchmarks: import time and host<->device transfers.

Each case's `setup(jx, jnp)` gets either jaxlite or jax; see run.py.
"""
import os
import subprocess
import sys
import time

import numpy as np

from run import Case


def _import_seconds(jx, jnp):
  """Best-of-5 wall time of `python -c "import <library>"` in fresh processes.

  Python's own start-up is included for both libraries alike. The child runs
  in the repository root, so an uninstalled checkout of jaxlite is found.
  """
  del jnp
  name = jx.__name__
  # As a user's machine does: bytecode is cached (an installed jax ships its
  # .pyc files; a checkout of jaxlite writes them on the first import).
  env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
  run = lambda: subprocess.run([sys.executable, "-c", f"import {name}"], check=True,
                               cwd=_REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
  run()   # warm-up: writes the bytecode cache
  best = float("inf")
  for _ in range(_IMPORT_REPEATS):
    start = time.perf_counter()
    run()
    best = min(best, time.perf_counter() - start)
  return best


def _import_seconds_cold(jx, jnp):
  """Best-of-5 wall time of a cold import: no bytecode is read or written.

  ``-X pycache_prefix`` points at an empty directory, so Python neither finds
  the ``__pycache__`` files next to the sources (an installed jax ships its
  own) nor writes any (``PYTHONDONTWRITEBYTECODE``): every module of the
  library and its dependencies is compiled from source, each run.
  """
  del jnp
  import tempfile
  name = jx.__name__
  env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
  best = float("inf")
  with tempfile.TemporaryDirectory(prefix="jaxlite_cold_import_") as empty:
    for _ in range(_IMPORT_REPEATS):
      start = time.perf_counter()
      subprocess.run([sys.executable, "-X", f"pycache_prefix={empty}", "-c",
                      f"import {name}"], check=True, cwd=_REPO_ROOT, env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
      best = min(best, time.perf_counter() - start)
  return best


# Five fresh processes even in --quick mode: an import takes 0.1-4 s, and on a
# shared machine the minimum of two runs still carried 2x noise.
_IMPORT_REPEATS = 5

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# 1 KB of float32.
_HOST_1KB = np.arange(256, dtype=np.float32)


def _device_put_1kb(jx, jnp):
  del jnp
  device_put = jx.device_put
  x = _HOST_1KB

  def put():
    device_put(x).block_until_ready()
  return put


def _device_get_1kb(jx, jnp):
  del jnp
  device_get = jx.device_get
  on_device = jx.device_put(_HOST_1KB)
  on_device.block_until_ready()
  if not np.array_equal(np.asarray(device_get(on_device)), _HOST_1KB):
    raise AssertionError("device_get returned different values")

  def get():
    device_get(on_device)
  return get


CASES = [
    Case("import_time", _import_seconds, goal="<= 0.3x JAX", kind="value",
         unit="s"),
    Case("import_time_cold", _import_seconds_cold, goal="<= 0.3x JAX", kind="value",
         unit="s"),
    Case("device_put_1kb", _device_put_1kb, goal="<= 1.0x JAX"),
    Case("device_get_1kb", _device_get_1kb, goal="<= 1.0x JAX"),
]
