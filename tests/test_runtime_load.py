"""The runtime under load: multi-device launches that never deadlock XLA's CPU
client (pmap + psum training loops with no host sync, on 8 devices and 2
cores), with their launch window and thread pool.

The training loop is ``tests/programs/pmap_psum_training.py``; each run is a
fresh process (XLA aborts a deadlocked process after 40 s, which fails the
run). ``-m slow`` runs the issue's profile: 20 runs of 3,000 steps.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.runtime import backend, inflight

PROGRAM = os.path.join(os.path.dirname(__file__), "programs", "pmap_psum_training.py")


def _two_cores():
  allowed = sorted(os.sched_getaffinity(0))
  os.sched_setaffinity(0, allowed[:2])


def run_training(steps, library="jaxlite", timeout=300):
  """One run of the training loop pinned to 2 cores; (returncode, output)."""
  out = subprocess.run([sys.executable, PROGRAM, library, str(steps)],
                       capture_output=True, text=True, timeout=timeout,
                       preexec_fn=_two_cores)
  return out.returncode, out.stdout + out.stderr[-2000:]


def test_pmap_psum_loop_without_host_sync_finishes():
  # Before the launch window, jaxlite aborted within 300 steps 1 run in 3.
  code, output = run_training(600)
  assert code == 0 and "finished 600" in output, output


@pytest.mark.slow
def test_pmap_psum_loop_finishes_20_runs_of_20():
  finished = 0
  for _ in range(20):
    code, output = run_training(3000)
    finished += code == 0 and "finished 3000" in output
  assert finished == 20, f"{finished} of 20 runs finished"


SHARDED_LOOP = """
import os, sys
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
import numpy as np
import jaxlite, jaxlite.numpy as jnp
from jaxlite.sharding import NamedSharding, PartitionSpec as P
mesh = jaxlite.make_mesh((8,), ("d",))   # Explicit axes: grad takes w's type
x = jaxlite.device_put(np.ones((64, 16), np.float32), NamedSharding(mesh, P("d")))
w = jaxlite.device_put(np.full((16, 16), 0.01, np.float32), NamedSharding(mesh, P()))
step = jaxlite.jit(lambda w, x: w - 1e-3 * jaxlite.grad(lambda w: jnp.tanh(x @ w).sum())(w))
for _ in range(int(sys.argv[1])):
  w = step(w, x)   # an SPMD program with an all-reduce, no host sync
print("finished", float(np.asarray(w).sum()))
"""


def test_sharded_jit_loop_without_host_sync_finishes():
  # The same deadlock through jit over a mesh (XLA's SPMD partitioner inserts
  # the all-reduce): without the launch window it aborted within 2,000 steps.
  out = subprocess.run([sys.executable, "-c", SHARDED_LOOP, "2000"], capture_output=True,
                       text=True, timeout=300, preexec_fn=_two_cores)
  assert out.returncode == 0 and "finished" in out.stdout, out.stderr[-2000:]


def test_multi_device_launches_stay_within_the_window():
  n = jaxlite.local_device_count()
  if n < 2:
    pytest.skip("needs several devices")
  f = jaxlite.pmap(lambda x: x / lax.psum(x, "i"), axis_name="i")
  x = jaxlite.pmap(lambda v: v)(np.arange(1.0, n + 1, dtype=np.float32))
  for _ in range(3 * inflight.MAX_IN_FLIGHT):
    x = f(x)
    assert inflight.in_flight() <= inflight.MAX_IN_FLIGHT
  expected = np.arange(1.0, n + 1) / (n * (n + 1) / 2)
  expected = expected / expected.sum()   # every later step divides by a sum of 1
  np.testing.assert_allclose(np.asarray(x), expected, rtol=1e-5)


def test_cpu_thread_pool_fits_a_collective_and_its_waiting_launches():
  for devices in (2, 8, 64):
    for cores in (1, 2, 16, 256):
      size = inflight.cpu_thread_pool_size(devices, cores)
      assert size >= 2 * devices + 1 and size >= cores
  assert inflight.cpu_thread_pool_size(1, 2) == 2


def test_client_pool_setting_does_not_leak_into_the_environment():
  # jaxlite sets PJRT_NPROC only while it creates its own client: a JAX client
  # made later in the process sizes its pool as JAX would.
  backend.get_backend()
  assert os.environ.get("PJRT_NPROC") == _PJRT_NPROC_AT_IMPORT


_PJRT_NPROC_AT_IMPORT = os.environ.get("PJRT_NPROC")
