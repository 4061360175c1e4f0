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


@pytest.mark.slow
def test_rss_returns_to_start_over_100000_eager_ops():
  out = subprocess.run([sys.executable, "-c", SCRIPT, "100000", str(JIT_CALLS)],
                       capture_output=True, text=True, timeout=900)
  assert out.returncode == 0, out.stderr[-3000:]
  result = json.loads(out.stdout.strip().splitlines()[-1])
  grown = (result["end"]["rss"] - result["start"]["rss"]) / 2 ** 20
  assert grown < 2.0, f"RSS grew {grown:.2f} MB over 100,000 eager ops"
  assert result["end"]["arrays"] == result["start"]["arrays"]


# --- constants, fresh functions, caches ----------------------------------------------------

# Jits that each close over a distinct 256 KB NumPy constant (embedded in the
# program), run after a warm-up; prints the RSS growth in MB after gc, and the
# growth once glibc has handed its cached free memory back (malloc_trim).
CONSTANTS_SCRIPT = textwrap.dedent("""
  import ctypes, gc, sys
  import numpy as np
  if sys.argv[2] == "jax":
    import jax as lib, jax.numpy as jnp
  else:
    import jaxlite as lib, jaxlite.numpy as jnp

  def rss_mb():
    with open("/proc/self/status") as f:
      for line in f:
        if line.startswith("VmRSS:"):
          return int(line.split()[1]) / 1024

  try:
    trim = ctypes.CDLL("libc.so.6").malloc_trim
  except (OSError, AttributeError):   # not glibc
    trim = lambda pad: None

  x = jnp.ones(64 * 1024, jnp.float32)
  rng = np.random.RandomState(0)

  def one():
    c = rng.rand(64 * 1024).astype(np.float32)   # 256 KB, different every time
    lib.jit(lambda v: v * c + 1.0)(x).block_until_ready()

  for _ in range(30):
    one()
  gc.collect()
  trim(0)
  start = rss_mb()
  for _ in range(int(sys.argv[1])):
    one()
  gc.collect()
  grown = rss_mb() - start
  trim(0)
  print(grown, rss_mb() - start)
""")


def _constants_growth_mb(num_jits, lib="jaxlite"):
  """(RSS growth, RSS growth after malloc_trim) in MB over ``num_jits`` jits."""
  out = subprocess.run([sys.executable, "-c", CONSTANTS_SCRIPT, str(num_jits), lib],
                       capture_output=True, text=True, timeout=1200)
  assert out.returncode == 0, out.stderr[-3000:]
  grown, kept = out.stdout.strip().splitlines()[-1].split()
  return float(grown), float(kept)


def test_jits_over_distinct_constants_release_them():
  # Before lowering retired its MLIR context, 100 such jits kept ~38 MB.
  # (RSS after malloc_trim: see the 1,000-jit test below.)
  grown, kept = _constants_growth_mb(100)
  assert kept <= 5.0, (f"RSS grew {kept:.1f} MB (before malloc_trim {grown:.1f} MB) "
                       "over 100 jits with 256 KB constants")


@pytest.mark.slow
def test_1000_jits_over_distinct_constants_release_them():
  # Issue 21's goal: <= 5 MB. What RSS keeps beyond that after gc is memory
  # glibc has freed but not handed back (the figure swung 4-15 MB with the
  # allocator's arenas, and JAX's swings the same way: +10.9 MB over 300 jits
  # beside jaxlite's +16.1 MB in one run); malloc_trim hands it back, and what
  # remains is what the process really holds (300 jits: jaxlite +1.5 MB, JAX
  # +1.2 MB). Before lowering retired its MLIR context: +77 MB per 200 jits.
  grown, kept = _constants_growth_mb(1000)
  assert kept <= 5.0, (f"RSS grew {kept:.1f} MB (before malloc_trim {grown:.1f} MB) "
                       "over 1,000 jits with 256 KB constants")
  pytest.importorskip("jax")
  _, jax_kept = _constants_growth_mb(1000, "jax")
  assert kept <= jax_kept + 3.0, (kept, jax_kept)


def test_random_normal_lowering_makes_no_large_host_array():
  # 2**26 float32 results are 256 MB; the counters and threefry constants are
  # emitted as iota and splat ops, never as host arrays of that shape
  # (a uint64 iota on the host was 512 MB).
  import tracemalloc
  from jaxlite import random
  key = random.PRNGKey(0)
  shape = (2 ** 26,)
  f = jaxlite.jit(lambda k: random.normal(k, shape))
  jaxlite.jit(lambda k: random.normal(k, (8,))).lower(key)   # lowering rules loaded
  result_bytes = 4 * shape[0]
  tracemalloc.start()
  try:
    text = f.lower(key).as_text()
    _, peak = tracemalloc.get_traced_memory()
  finally:
    tracemalloc.stop()
  assert peak <= 0.01 * result_bytes, f"lowering allocated {peak / 2**20:.1f} MB on the host"
  assert len(text) < 100_000


FRESH_JITS = 300


def test_random_normal_2_26_compiled_memory():
  # Counter-based bits are hashed in blocks inside the program (prng.py), and
  # the sampler's float transformation runs on each block as it is made, so
  # XLA's temporaries are block-sized: result + temporaries <= 1.2x the 256 MB
  # result (measured 1.06x), where JAX 0.10.2's program needs 4x (its own
  # figure, compiled in the same run).
  shape = (2 ** 26,)
  result_bytes = 4 * shape[0]

  def footprint(lib):
    compiled = lib.jit(lambda k: lib.random.normal(k, shape)).lower(
        lib.random.PRNGKey(0)).compile()
    stats = compiled.memory_analysis()
    return (stats.temp_size_in_bytes + stats.output_size_in_bytes) / result_bytes

  ours = footprint(jaxlite)
  assert ours <= 1.2, f"random.normal((2**26,)) needs {ours:.2f}x its result"
  jax = pytest.importorskip("jax")
  assert ours < footprint(jax)


PEAK_SCRIPT = textwrap.dedent("""
  import resource
  import jaxlite
  key = jaxlite.random.PRNGKey(0)
  jaxlite.random.normal(key, (8,)).block_until_ready()

  def rss_mb():
    with open("/proc/self/status") as f:
      for line in f:
        if line.startswith("VmRSS:"):
          return int(line.split()[1]) / 1024

  before = max(rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
  x = jaxlite.random.normal(key, (2 ** 26,))
  x.block_until_ready()
  print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before)
""")


def test_eager_random_normal_2_26_peak_memory():
  # The process's peak (compiling included) while making a 256 MB normal
  # sample grows by <= 1.2x the result (measured 275 MB; JAX 0.10.2: 1,026 MB).
  out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True,
                       timeout=600)
  assert out.returncode == 0, out.stderr[-3000:]
  grown = float(out.stdout.strip().splitlines()[-1])
  assert grown <= 1.2 * 256, f"peak grew {grown:.0f} MB for a 256 MB result"


@pytest.mark.parametrize("num_jits", [FRESH_JITS, pytest.param(2000, marks=pytest.mark.slow)])
def test_fresh_jitted_lambdas_leave_nothing_behind(num_jits):
  from jaxlite.interpreters import pjit
  x = jnp.ones(3)
  client = backend.get_backend()

  def one():
    jaxlite.jit(lambda v: v * 2.0 + 1.0)(x).block_until_ready()

  for _ in range(50):
    one()
  gc.collect()
  objects, blocks = len(gc.get_objects()), sys.getallocatedblocks()
  executables, jitted = len(client.live_executables()), len(pjit._live_jitted)
  for _ in range(num_jits):
    one()
  gc.collect()
  assert len(gc.get_objects()) - objects < 50
  assert len(client.live_executables()) == executables
  assert len(pjit._live_jitted) == jitted
  # What is left is jaxlib's: with tracebacks on it keeps one small record per
  # compile, execute and wait (about 3 blocks, 0.4 KB, per fresh jit, less
  # as allocator pools warm up; JAX's own loop keeps about 2.3 KB of RSS per
  # jit). A retained jaxpr or closure would be dozens of blocks per jit.
  per_jit = (sys.getallocatedblocks() - blocks) / num_jits
  assert per_jit < 6, f"{per_jit:.1f} Python allocations kept per fresh jit"


def test_clear_caches_releases_executables():
  import weakref
  from jaxlite.runtime import executable
  f = jaxlite.jit(lambda v: jnp.sin(v) * 7.0 + v)
  x = jnp.ones(37)
  f(x).block_until_ready()
  jnp.cosh(x).block_until_ready()   # an eager executable too
  g = jaxlite.pmap(lambda v: v * 3.0)
  g(np.ones((1, 5), np.float32)).block_until_ready()
  compiled = weakref.ref(next(iter(f._cache.values())).executable)
  gc.collect()
  live = len(backend.get_backend().live_executables())
  jaxlite.clear_caches()
  gc.collect()
  assert compiled() is None
  assert f._cache_size() == 0
  assert len(backend.get_backend().live_executables()) <= live - 3
  before = executable.compile_count
  np.testing.assert_allclose(np.asarray(f(x)), np.sin(1.0) * 7.0 + 1.0, rtol=1e-6)
  assert executable.compile_count - before == 1   # recompiled after clearing


def test_jit_cache_is_bounded(monkeypatch):
  from jaxlite.interpreters import pjit
  monkeypatch.setattr(pjit, "_MAX_ENTRIES_PER_FUNCTION", 4)
  f = jaxlite.jit(lambda v: v + 1)
  for n in range(1, 11):
    np.testing.assert_array_equal(np.asarray(f(jnp.zeros(n))), np.ones(n))
    assert f._cache_size() <= 4
