"""Autodiff benchmarks: an MLP training step, tracing grad of a long chain, jvp
against linearize for a deep tanh network, and the memory linearize keeps.

Each case's ``setup(jx, jnp)`` gets either jaxlite or jax; see run.py.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np

from run import Case, quick_mode

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --- MLP training step --------------------------------------------------------------------

_MLP_SIZES = (64, 128, 128, 10)
_BATCH = 32


def _mlp_setup(jx, jnp):
  """Returns a jitted SGD step on a 3-layer MLP (cross-entropy loss) and its inputs."""
  rng = np.random.RandomState(0)
  params = [(rng.randn(m, n).astype(np.float32) / np.sqrt(m), np.zeros(n, np.float32))
            for m, n in zip(_MLP_SIZES[:-1], _MLP_SIZES[1:])]
  x = rng.randn(_BATCH, _MLP_SIZES[0]).astype(np.float32)
  labels = rng.randint(0, _MLP_SIZES[-1], size=_BATCH)
  onehot = np.eye(_MLP_SIZES[-1], dtype=np.float32)[labels]

  def loss(params, x, y):
    h = x
    for w, b in params[:-1]:
      h = jnp.tanh(jnp.dot(h, w) + b)
    w, b = params[-1]
    logits = jnp.dot(h, w) + b
    m = jnp.max(logits, axis=1, keepdims=True)
    logz = jnp.log(jnp.sum(jnp.exp(logits - m), axis=1, keepdims=True)) + m
    return -jnp.mean(jnp.sum(y * (logits - logz), axis=1))

  @jx.jit
  def step(params, x, y):
    g = jx.grad(loss)(params, x, y)
    return jx.tree_util.tree_map(lambda p, gp: p - 0.1 * gp, params, g)

  params = jx.device_put(params)
  return step, params, jx.device_put(x), jx.device_put(onehot)


def _mlp_first_call(jx, jnp):
  step, params, x, y = _mlp_setup(jx, jnp)

  def first():
    jx.block_until_ready(step(params, x, y)) if hasattr(jx, "block_until_ready") else \
        jx.tree_util.tree_leaves(step(params, x, y))[0].block_until_ready()
  return first


def _mlp_steady(jx, jnp):
  step, params, x, y = _mlp_setup(jx, jnp)
  new = step(params, x, y)
  leaves = jx.tree_util.tree_leaves(new)
  ref = jx.tree_util.tree_leaves(step(params, x, y))
  if not np.allclose(np.asarray(leaves[0]), np.asarray(ref[0])):
    raise AssertionError("training step is not deterministic")

  def run():
    jx.tree_util.tree_leaves(step(params, x, y))[-1].block_until_ready()
  return run


# --- make_jaxpr of grad of a 900-primitive elementwise chain ---------------------------------


def _chain_900(jnp):
  def f(x):
    for _ in range(300):
      x = jnp.sin(x)
      x = x * 1.01
      x = jnp.cos(x)
    return x
  return f


def _make_jaxpr_grad_chain(jx, jnp):
  # A fresh function per call: JAX caches traces by function identity, and a
  # new function (the common case when tracing) pays the whole cost.
  n = len(jx.make_jaxpr(jx.grad(_chain_900(jnp)))(1.0).jaxpr.eqns)
  if n < 1800:
    raise AssertionError(f"jaxpr of grad has only {n} equations")

  def run():
    jx.make_jaxpr(jx.grad(_chain_900(jnp)))(1.0)
  return run


# --- jitted jvp vs jitted linearized f_jvp for a 20-layer tanh network ---------------------

_DEPTH, _WIDTH = 20, 64


def _tanh_net(jnp, depth=_DEPTH, width=_WIDTH):
  rng = np.random.RandomState(1)
  ws = [rng.randn(width, width).astype(np.float32) / np.sqrt(width) for _ in range(depth)]

  def f(x):
    for w in ws:
      x = jnp.tanh(jnp.dot(w, x))
    return x
  return f


def _jit_jvp(jx, jnp):
  f = _tanh_net(jnp)
  x = jx.device_put(np.linspace(-1, 1, _WIDTH).astype(np.float32))
  t = jx.device_put(np.ones(_WIDTH, np.float32))
  pushfwd = jx.jit(lambda t: jx.jvp(f, (x,), (t,))[1])
  pushfwd(t).block_until_ready()

  def run():
    pushfwd(t).block_until_ready()
  return run


def _jit_linearized(jx, jnp):
  f = _tanh_net(jnp)
  x = jx.device_put(np.linspace(-1, 1, _WIDTH).astype(np.float32))
  t = jx.device_put(np.ones(_WIDTH, np.float32))
  _, f_jvp = jx.linearize(f, x)
  f_jvp = jx.jit(f_jvp)
  f_jvp(t).block_until_ready()

  def run():
    f_jvp(t).block_until_ready()
  return run


# --- peak memory of linearize vs jvp as depth grows ------------------------------------------

_MEM_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    lib, mode, depth, width = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    jx = __import__(lib)
    jnp = __import__(lib + ".numpy", fromlist=["numpy"])

    def status(key):
      with open("/proc/self/status") as f:
        for line in f:
          if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

    def f(x):
      for _ in range(depth):
        x = jnp.tanh(x * 1.01)
      return x
    x = jx.device_put(np.linspace(-1, 1, width).astype(np.float32))
    # warm up: compile every primitive once, so compilation is not measured
    small = np.linspace(-1, 1, width).astype(np.float32)
    jx.linearize(f, small)[1](small).block_until_ready()
    jx.jvp(f, (small,), (small,))[1].block_until_ready()
    del small
    with open("/proc/self/clear_refs", "w") as f_:
      f_.write("5")   # resets the peak resident set size (VmHWM)
    base = status("VmRSS")
    if mode == "linearize":
      y, f_jvp = jx.linearize(f, x)
      f_jvp(x).block_until_ready()
    else:
      y, t = jx.jvp(f, (x,), (x,))
      t.block_until_ready()
    print(status("VmHWM") - base)
""")


def _peak_memory(mode, depth):
  def setup(jx, jnp):
    del jnp
    width = (1 << 18) if quick_mode() else (1 << 20)
    out = subprocess.run(
        [sys.executable, "-c", _MEM_SCRIPT, jx.__name__, mode, str(depth), str(width)],
        cwd=_REPO_ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])
  return setup


CASES = [
    Case("autodiff_mlp_train_step_first_call", _mlp_first_call, goal="<= 1.0x JAX",
         kind="first_call"),
    Case("autodiff_mlp_train_step_steady", _mlp_steady, goal="<= 1.0x JAX"),
    Case("autodiff_make_jaxpr_grad_900_chain", _make_jaxpr_grad_chain, goal="<= 0.5x JAX"),
    Case("autodiff_tanh20_jit_jvp", _jit_jvp),
    # goal: faster than autodiff_tanh20_jit_jvp, as in JAX
    Case("autodiff_tanh20_jit_linearized_f_jvp", _jit_linearized),
    Case("autodiff_peak_memory_linearize_depth8", _peak_memory("linearize", 8),
         kind="value", unit="bytes"),
    Case("autodiff_peak_memory_linearize_depth32", _peak_memory("linearize", 32),
         kind="value", unit="bytes"),
    Case("autodiff_peak_memory_jvp_depth8", _peak_memory("jvp", 8), kind="value",
         unit="bytes"),
    Case("autodiff_peak_memory_jvp_depth32", _peak_memory("jvp", 32), kind="value",
         unit="bytes"),
]
