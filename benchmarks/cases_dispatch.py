"""Dispatch cost in instructions per call (callgrind; see instructions.py).

Each case's ``setup(jx, jnp)`` returns a zero-argument callable doing one call
in steady state (compiled, cached) and blocking on its result; the runner
counts the instructions of every thread it executes.
"""
import numpy as np

from run import Case


def _eager_sin(jx, jnp):
  x = jnp.ones(8, jnp.float32)
  sin = jnp.sin

  def run():
    sin(x).block_until_ready()
  return run


def _eager_add(jx, jnp):
  x = jnp.ones(8, jnp.float32)
  y = jnp.ones(8, jnp.float32)

  def run():
    (x + y).block_until_ready()
  return run


def _eager_sum(jx, jnp):
  x = jnp.ones(8, jnp.float32)
  total = jnp.sum

  def run():
    total(x).block_until_ready()
  return run


def _jit_two_arrays(jx, jnp):
  f = jx.jit(lambda a, b: a * b + a)
  x = jnp.ones(8, jnp.float32)
  y = jnp.ones(8, jnp.float32)

  def run():
    f(x, y).block_until_ready()
  return run


def _mlp(jnp, sizes=(16, 32, 32, 32, 4), batch=8):
  rng = np.random.RandomState(0)
  params = [(jnp.asarray(rng.randn(m, n).astype(np.float32) / np.sqrt(m)),
             jnp.asarray(np.zeros(n, np.float32)))
            for m, n in zip(sizes[:-1], sizes[1:])]
  x = jnp.asarray(rng.randn(batch, sizes[0]).astype(np.float32))
  return params, x


def _mlp_forward(jnp):
  def forward(params, x):
    for w, b in params:
      x = jnp.tanh(x @ w + b)
    return x
  return forward


def _jit_pytree(jx, jnp):
  params, x = _mlp(jnp)
  f = jx.jit(_mlp_forward(jnp))

  def run():
    f(params, x).block_until_ready()
  return run


def _jit_static_int(jx, jnp):
  f = jx.jit(lambda a, n: a * n, static_argnums=1)
  x = jnp.ones(8, jnp.float32)

  def run():
    f(x, 3).block_until_ready()
  return run


def _jit_grad_mlp(jx, jnp):
  params, x = _mlp(jnp)
  forward = _mlp_forward(jnp)

  def loss(params, x):
    return jnp.sum(forward(params, x) ** 2)
  step = jx.jit(jx.grad(loss))
  leaves = jx.tree_util.tree_leaves

  def run():
    leaves(step(params, x))[-1].block_until_ready()
  return run


def _pmap_psum(jx, jnp):
  devices = jx.local_devices()
  if len(devices) < 8:
    raise RuntimeError("needs 8 devices: set XLA_FLAGS=--xla_force_host_platform_device_count=8")
  f = jx.pmap(lambda x: x / jx.lax.psum(x, "i"), axis_name="i")
  x = f(np.arange(64, dtype=np.float32).reshape(8, 8) + 1)

  def run():
    f(x).block_until_ready()
  return run


def _chain(x, jnp):
  for _ in range(500):
    x = jnp.sin(x) * 1.0001
  return x


def _make_jaxpr_1000(jx, jnp):
  x = np.float32(1.0)

  def run():
    jx.make_jaxpr(lambda x: _chain(x, jnp))(x)
  return run


_GOAL = "<= 1.0x JAX"
# Calls per counted batch. (glibc's occasional consolidation of its free
# chunks, one 100-500K-instruction event at points that depend on the heap's
# history, is kept out of the batches: instructions.py trims the heap before
# each.)
_CALLS = 100
CASES = [
    Case("instr_eager_sin_f32x8", _eager_sin, goal=_GOAL, kind="instructions", calls=_CALLS),
    Case("instr_eager_add_f32x8", _eager_add, goal=_GOAL, kind="instructions", calls=_CALLS),
    Case("instr_eager_sum_f32x8", _eager_sum, goal=_GOAL, kind="instructions", calls=_CALLS),
    Case("instr_jit_2_arrays", _jit_two_arrays, goal=_GOAL, kind="instructions", calls=_CALLS),
    Case("instr_jit_pytree_8_arrays", _jit_pytree, goal=_GOAL, kind="instructions",
         calls=_CALLS),
    Case("instr_jit_static_int", _jit_static_int, goal=_GOAL, kind="instructions",
         calls=_CALLS),
    Case("instr_jit_grad_mlp", _jit_grad_mlp, goal=_GOAL, kind="instructions", calls=_CALLS),
    Case("instr_pmap_psum_8dev", _pmap_psum, goal=_GOAL, kind="instructions", calls=50),
    Case("instr_make_jaxpr_1000_prims", _make_jaxpr_1000, goal="<= 0.5x JAX",
         kind="instructions", calls=2),
]
