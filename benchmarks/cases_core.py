"""Core benchmarks: eager dispatch, cached jit calls, tracing, and compiling.

Each case's `setup(jx, jnp)` gets either jaxlite or jax; see run.py.
"""
import numpy as np

from run import Case


def _eager_add(jx, jnp):
  x = jnp.ones(8, jnp.float32)
  y = jnp.ones(8, jnp.float32)
  (x + y).block_until_ready()

  def run():
    (x + y).block_until_ready()
  return run


def _jit_call_two_args(jx, jnp):
  f = jx.jit(lambda a, b: a * b + a)
  x = jnp.ones(8, jnp.float32)
  y = jnp.ones(8, jnp.float32)
  f(x, y).block_until_ready()

  def run():
    f(x, y).block_until_ready()
  return run


def _chain_1000(x, jnp):
  for i in range(500):
    x = jnp.sin(x) * 1.0001
  return x


def _make_jaxpr_1000(jx, jnp):
  x = np.float32(1.0)
  jaxpr = jx.make_jaxpr(lambda x: _chain_1000(x, jnp))(x)
  n = len(jaxpr.jaxpr.eqns)
  if n < 1000:
    raise AssertionError(f"expected >= 1000 equations, got {n}")

  def run():
    # A fresh function each time: JAX caches traces per function object, and
    # this case measures tracing, not the cache.
    jx.make_jaxpr(lambda x: _chain_1000(x, jnp))(x)
  return run


def _mlp_params(jnp, sizes=(64, 256, 256, 10), seed=0):
  rng = np.random.RandomState(seed)
  params = []
  for m, n in zip(sizes[:-1], sizes[1:]):
    params.append((jnp.asarray(rng.randn(m, n).astype(np.float32) / np.sqrt(m)),
                   jnp.asarray(np.zeros(n, np.float32))))
  x = jnp.asarray(rng.randn(128, sizes[0]).astype(np.float32))
  return params, x


def _mlp_forward(jnp):
  def forward(params, x):
    for w, b in params[:-1]:
      x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return x @ w + b
  return forward


def _mlp_first_call(jx, jnp):
  params, x = _mlp_params(jnp)
  forward = jx.jit(_mlp_forward(jnp))

  def run():
    forward(params, x).block_until_ready()
  return run


def _mlp_compiled_call(jx, jnp):
  params, x = _mlp_params(jnp)
  forward = jx.jit(_mlp_forward(jnp))
  forward(params, x).block_until_ready()

  def run():
    forward(params, x).block_until_ready()
  return run


CASES = [
    Case("eager_add_f32x8", _eager_add, goal="<= 1.0x JAX"),
    Case("jit_cached_call_2args", _jit_call_two_args, goal="<= 1.0x JAX"),
    Case("make_jaxpr_1000_prims", _make_jaxpr_1000, goal="<= 0.5x JAX"),
    Case("mlp_forward_first_call", _mlp_first_call, goal="<= 1.0x JAX", kind="first_call"),
    Case("mlp_forward_compiled_call", _mlp_compiled_call, goal="<= 1.1x JAX"),
]
