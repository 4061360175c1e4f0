"""Leaks: many eager ops and jit calls leave the process's RSS, jaxlib's
live arrays, Python's objects and jaxlite's caches where they started.

The big loop runs in a subprocess (it must not see, or disturb, the rest of
the suite). By default it runs 20,000 eager ops and 10,000 jit calls; set
``JAXLITE_LEAK_FULL=1`` for the issue's 100,000 eager ops.
"""
import gc
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.runtime import backend

FULL = bool(os.environ.get("JAXLITE_LEAK_FULL"))
EAGER_OPS = 100_000 if FULL else 20_000
JIT_CALLS = 10_000

# Runs the loops in halves after a warm-up; prints what it measured as JSON.
SCRIPT = textwrap.dedent("""
  import gc, json, sys, time
  import numpy as np
  import jaxlite, jaxlite.numpy as jnp
  from jaxlite import lax
  from jaxlite.interpreters import dispatch
  from jaxlite.runtime import backend

  EAGER_OPS, JIT_CALLS = int(sys.argv[1]), int(sys.argv[2])

  def rss():
    with open("/proc/self/status") as f:
      for line in f:
        if line.startswith("VmRSS:"):
          return int(line.split()[1]) * 1024

  x = jnp.arange(8.0)
  m = jnp.ones((4, 4))
  f = jaxlite.jit(lambda a, b: jnp.sin(a) * b + a.sum())
  g = jaxlite.jit(lambda a: (a @ a.T, a.mean(axis=0)))

  def eager_block():   # 10 eager ops: arrays, Python scalars, reductions, indexing
    y = x + 1.0
    y = jnp.sin(y) * y
    z = lax.max(y, x)
    s = z.sum() + m[1, 2]
    w = jnp.where(y > 2.0, y, 0.0)
    return s + w[3] + (m @ m)[0, 0]

  def jit_block():
    a = f(x, x)
    b, c = g(m)
    return a, b, c

  def measure():
    gc.collect()
    return dict(rss=rss(), arrays=len(backend.get_backend().live_arrays()),
                objects=len(gc.get_objects()), eager_cache=len(dispatch._cache),
                jit_cache=f._cache_size() + g._cache_size(),
                code_refs=sys.getrefcount(eager_block.__code__))

  def run(eager_ops, jit_calls):
    for _ in range(eager_ops // 10):
      eager_block()
    for _ in range(jit_calls // 2):
      jit_block()
    jnp.zeros(()).block_until_ready()

  run(2000, 1000)   # warm-up: compile everything, grow the allocator's pools
  start = measure()
  t0 = time.perf_counter()
  run(EAGER_OPS // 2, JIT_CALLS // 2)
  half = measure()
  run(EAGER_OPS // 2, JIT_CALLS // 2)
  end = measure()
  print(json.dumps(dict(start=start, half=half, end=end,
                        seconds=time.perf_counter() - t0)))
""")


@pytest.fixture(scope="module")
def leak_run():
  out = subprocess.run([sys.executable, "-c", SCRIPT, str(EAGER_OPS), str(JIT_CALLS)],
                       capture_output=True, text=True, timeout=300)
  assert out.returncode == 0, out.stderr[-3000:]
  result = json.loads(out.stdout.strip().splitlines()[-1])
  print(f"\n{EAGER_OPS} eager ops + {JIT_CALLS} jit calls: {json.dumps(result)}")
  return result


def test_live_arrays_return_to_start(leak_run):
  assert leak_run["end"]["arrays"] == leak_run["start"]["arrays"]
  assert leak_run["half"]["arrays"] == leak_run["start"]["arrays"]


def test_rss_returns_to_start(leak_run):
  mb = 2 ** 20
  grown = (leak_run["end"]["rss"] - leak_run["start"]["rss"]) / mb
  second_half = (leak_run["end"]["rss"] - leak_run["half"]["rss"]) / mb
  # A leak of one small object per call (e.g. jaxlib's execute_sharded
  # traceback, ~0.15 KB) grows by several MB over these counts.
  assert grown < 2.0, f"RSS grew {grown:.2f} MB"
  assert second_half < 1.0, f"RSS grew {second_half:.2f} MB in the second half"


def test_python_objects_and_caches_return_to_start(leak_run):
  start, end = leak_run["start"], leak_run["end"]
  assert abs(end["objects"] - start["objects"]) < 100
  assert end["eager_cache"] == start["eager_cache"]
  assert end["jit_cache"] == start["jit_cache"]


@pytest.mark.xfail(strict=True, reason=(
    "jaxlib 0.10.2: with tracebacks enabled (the default) LoadedExecutable."
    "execute_sharded keeps the traceback it records, one small object per call. "
    "JAX's C++ dispatch never calls it; jaxlite cannot avoid it (switching "
    "recording off is process-wide and breaks other threads' compiles and "
    "multi-device arrays). Strict: when jaxlib fixes it, this test says so."))
def test_jaxlib_execute_sharded_keeps_nothing_per_call():
  # In a fresh process: whether it shows depends on what else was imported.
  code = textwrap.dedent("""
    import gc, sys, jaxlite, jaxlite.numpy as jnp
    x = jnp.arange(4.0)
    f = jaxlite.jit(lambda a: a * 2.0)
    f(x).block_until_ready()
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(2000):
      f(x)
    gc.collect()
    print(sys.getallocatedblocks() - before)
  """)
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
  assert int(out.stdout.strip().splitlines()[-1]) < 200


def test_jaxlib_tracebacks_stay_enabled_for_others():
  # jaxlite never flips jaxlib's process-wide traceback switch (JAX, in the
  # same process, relies on it for source locations).
  from jaxlib import _jax
  assert _jax.tracebacks_enabled()
  jnp.sin(jnp.ones(3)).block_until_ready()
  jaxlite.jit(lambda a: a + 1)(jnp.ones(3)).block_until_ready()
  assert _jax.tracebacks_enabled()


def test_failing_calls_do_not_leak():
  f = jaxlite.jit(lambda a: a.reshape(3))
  x = jnp.ones(4)

  def fail():
    try:
      f(x)
    except TypeError:
      pass
  for _ in range(20):
    fail()
  gc.collect()
  before_objects = len(gc.get_objects())
  before_arrays = len(backend.get_backend().live_arrays())
  for _ in range(300):
    fail()
  gc.collect()
  assert len(gc.get_objects()) - before_objects < 50
  assert len(backend.get_backend().live_arrays()) == before_arrays
