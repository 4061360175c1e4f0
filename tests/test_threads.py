"""Threads: jitted and eager functions called from 8 Python threads at once
give what one thread gives, each cache key compiles once, and nothing
deadlocks (every join has a timeout)."""
import threading

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.runtime import executable

NUM_THREADS = 8
JOIN_TIMEOUT = 120   # seconds; a deadlock fails the test instead of hanging CI


def run_in_threads(worker, num_threads=NUM_THREADS):
  """Runs ``worker(i)`` in ``num_threads`` threads released together by a
  barrier; returns the results in thread order, re-raising the first error."""
  barrier = threading.Barrier(num_threads)
  results = [None] * num_threads
  errors = []

  def target(i):
    try:
      barrier.wait(timeout=JOIN_TIMEOUT)
      results[i] = worker(i)
    except BaseException as e:   # reported in the main thread
      errors.append(e)

  threads = [threading.Thread(target=target, args=(i,), daemon=True)
             for i in range(num_threads)]
  for t in threads:
    t.start()
  for t in threads:
    t.join(timeout=JOIN_TIMEOUT)
  assert not any(t.is_alive() for t in threads), "deadlock: threads still running"
  if errors:
    raise errors[0]
  return results


@jaxlite.jit
def mlp(w, x):
  return jnp.tanh(x @ w).sum(axis=-1)


@jaxlite.jit
def normalize(x):
  return (x - x.mean()) / (x.std() + 1.0)


def eager_ops(x):
  y = jnp.sin(x) * 2.0 + jnp.cumsum(x, axis=0)
  return jnp.where(y > 0, y, -y).max(axis=1)


def work(seed):
  """A mixed workload: the same jitted functions, grad of a jitted one,
  vmap, eager ops, a thread-specific jitted function."""
  rng = np.random.RandomState(seed % 3)   # threads share inputs, hence cache keys
  w = rng.randn(4, 3).astype(np.float32)
  x = rng.randn(5, 4).astype(np.float32)
  own = jaxlite.jit(lambda v: v * (seed + 1))
  out = []
  for _ in range(3):
    out.append(np.asarray(mlp(w, x)))
    out.append(np.asarray(normalize(x)))
    out.append(np.asarray(jaxlite.grad(lambda w: mlp(w, x).sum())(w)))
    out.append(np.asarray(jaxlite.vmap(normalize)(x)))
    out.append(np.asarray(eager_ops(x)))
    out.append(np.asarray(own(x)))
  return out


def test_threads_match_one_thread():
  expected = [work(i) for i in range(NUM_THREADS)]
  got = run_in_threads(work)
  for e, g in zip(expected, got):
    assert len(e) == len(g)
    for a, b in zip(e, g):
      np.testing.assert_array_equal(a, b)


def test_threads_on_a_cold_cache_match_one_thread():
  # Every thread traces and compiles at the same moment (fresh jitted functions).
  def make():
    return jaxlite.jit(lambda a, b: jnp.dot(a, b) + jnp.exp(-a.sum()))
  shapes = [(3, 3), (4, 4), (5, 5)]
  inputs = [np.arange(n * n, dtype=np.float32).reshape(n, n) / 10 for n, _ in shapes]
  reference = make()
  expected = [np.asarray(reference(a, a)) for a in inputs]
  shared = make()
  got = run_in_threads(lambda i: [np.asarray(shared(a, a)) for a in inputs])
  for g in got:
    for a, b in zip(expected, g):
      np.testing.assert_array_equal(a, b)


def test_jit_compiles_each_key_once():
  f = jaxlite.jit(lambda x: jnp.sin(x) * 3.0 + x.sum())
  sizes = [7, 11, 13, 17]
  inputs = [jnp.ones((n,), jnp.float32) for n in sizes]
  for x in inputs:
    x.block_until_ready()
  before = executable.compile_count
  run_in_threads(lambda i: [f(x).block_until_ready() for x in inputs[i % 2:] + inputs])
  assert executable.compile_count - before == len(sizes)
  assert f._cache_size() == len(sizes)


def test_eager_op_compiles_once():
  # A primitive on a shape no other test uses: one new eager cache key.
  x = jnp.ones((19, 23), jnp.float32)
  y = jnp.full((19, 23), 2.0, jnp.float32)
  x.block_until_ready(), y.block_until_ready()
  before = executable.compile_count
  outs = run_in_threads(lambda i: np.asarray(lax.atan2(x, y)))
  assert executable.compile_count - before == 1
  for o in outs:
    np.testing.assert_array_equal(o, outs[0])


def test_nested_jits_across_threads_do_not_deadlock():
  # Thread i traces outer_i, which calls the shared inner functions while
  # other threads trace those inner functions directly.
  @jaxlite.jit
  def inner_a(x):
    return jnp.cos(x) + 1.0

  @jaxlite.jit
  def inner_b(x):
    return inner_a(x) * 2.0

  def worker(i):
    x = jnp.full((3,), float(i % 2))
    if i % 2:
      return np.asarray(jaxlite.jit(lambda v: inner_b(v) + inner_a(v))(x))
    return np.asarray(inner_b(x) + inner_a(x))

  outs = run_in_threads(worker)
  for i, o in enumerate(outs):
    v = float(i % 2)
    np.testing.assert_allclose(o, 3 * (np.cos(v) + 1.0) * np.ones(3), rtol=1e-6)


def test_errors_in_threads_stay_in_their_thread():
  f = jaxlite.jit(lambda x: x.reshape(3) * 2.0)

  def worker(i):
    try:
      return np.asarray(f(jnp.ones(3 if i % 2 == 0 else 2)))
    except TypeError as e:
      return str(e)

  outs = run_in_threads(worker)
  for i, o in enumerate(outs):
    if i % 2 == 0:
      np.testing.assert_array_equal(o, 2 * np.ones(3))
    else:
      assert "cannot reshape array of shape (2,)" in o


def test_grad_of_a_new_jitted_function_compiles_each_program_once():
  # Each thread's grad builds its own (identical) forward and backward
  # jaxprs; together they compile two programs, as one thread does.
  w = jnp.full((7, 5), 0.5, jnp.float32)
  x = jnp.arange(21.0, dtype=jnp.float32).reshape(3, 7) / 21
  w.block_until_ready(), x.block_until_ready()

  @jaxlite.jit
  def loss(w, x):
    return jnp.tanh(x @ w).sum()

  expected = 1 - np.tanh(np.asarray(x) @ np.asarray(w)) ** 2
  expected = np.asarray(x).T @ expected
  before = executable.compile_count
  grads = run_in_threads(lambda i: np.asarray(jaxlite.grad(loss)(w, x)))
  assert executable.compile_count - before == 2   # forward (known) + transposed
  for g in grads:
    np.testing.assert_allclose(g, expected, rtol=1e-5)


def test_identical_programs_share_one_executable_that_dies_with_them():
  import gc
  x = jnp.ones((29,), jnp.float32)
  x.block_until_ready()
  gc.collect()
  live = len(executable._by_program)
  before = executable.compile_count
  fs = [jaxlite.jit(lambda v: jnp.cos(v) * 3.0 - v) for _ in range(4)]
  outs = run_in_threads(lambda i: np.asarray(fs[i % 4](x)))
  assert executable.compile_count - before == 1
  for o in outs:
    np.testing.assert_array_equal(o, np.cos(np.ones(29, np.float32)) * 3.0 - 1.0)
  del fs
  gc.collect()
  assert len(executable._by_program) == live
