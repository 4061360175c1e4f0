"""Every jit of one function (with the same options) shares its traces and
executables, as JAX 0.10.2's trace cache does: jit(f)(x) written inside a loop
traces once, a new jit of f reuses the trace even after a global f reads has
changed (JAX's numbers), and a new function object (a fresh lambda, a new
functools.partial) traces again."""
import functools
import gc

import numpy as np
import pytest

import jaxlite

jax = pytest.importorskip("jax")


def _run(J):
  traces = []
  scale = {"c": 1.0}

  def f(x):
    traces.append("f")
    return x * scale["c"]

  def g(x, n):
    traces.append(f"g{n}")
    return x * n

  x = J.numpy.ones(3)
  out = [J.jit(f)(x) for _ in range(3)]
  scale["c"] = 2.0
  out.append(J.jit(f)(x))   # the shared trace: JAX's stale 1.0
  J.jit(g, static_argnums=1)(x, 2)
  J.jit(g, static_argnums=(1,))(x, 2)
  J.jit(g, static_argnums=1)(x, 3)
  p = functools.partial(g, n=4)
  J.jit(p)(x)
  J.jit(p)(x)
  J.jit(functools.partial(g, n=4))(x)
  for _ in range(2):
    J.jit(lambda x: f(x) + 1)(x)
  return traces, [np.asarray(o).tolist() for o in out]


def test_jits_of_one_function_share_traces_as_jax():
  assert _run(jaxlite) == _run(jax)


def test_shared_traces_are_released_with_the_function():
  import weakref
  from jaxlite.interpreters import pjit

  def make():
    big = np.ones(1 << 16, np.float32)
    return lambda x: x + big.sum()
  f = make()
  jaxlite.jit(f)(np.float32(1))
  ref = weakref.ref(f)
  assert f in pjit._SharedCaches._by_fun
  del f
  gc.collect()
  assert ref() is None


def test_clear_caches_retraces():
  traces = []

  def f(x):
    traces.append(1)
    return x + 1
  jaxlite.jit(f)(np.float32(1))
  jaxlite.clear_caches()
  jaxlite.jit(f)(np.float32(1))
  assert len(traces) == 2


def test_registry_is_bounded_even_when_traces_hold_their_function(monkeypatch):
  """A custom_jvp function's trace refers back to it, so its weak key never
  dies on its own: the registry starts over past its bound, and the
  functions are collected."""
  from jaxlite.interpreters import pjit
  monkeypatch.setattr(pjit._SharedCaches, "MAX_FUNCTIONS", 8)
  pjit._SharedCaches.clear()
  refs = []
  import weakref
  x = jaxlite.numpy.ones(3)
  for i in range(30):
    f = jaxlite.custom_jvp(lambda x, i=i: x * i)
    f.defjvp(lambda p, t: (p[0], t[0]))
    jaxlite.jit(f)(x)
    refs.append(weakref.ref(f))
    del f
  gc.collect()
  assert len(pjit._SharedCaches._by_fun) <= 8
  assert sum(r() is not None for r in refs) <= 8
