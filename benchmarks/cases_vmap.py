"""vmap benchmarks: the seed's matrix product built from a vector dot product
by two vmaps, jitted and eager, and the cost of batching it into a jaxpr.

Each case's `setup(jx, jnp)` gets either jaxlite or jax; see run.py.
"""
import numpy as np

from run import Case

N = 256


def _mm(jx, jnp):
  vv = lambda x, y: jnp.vdot(x, y)          # ([a], [a]) -> []
  mv = jx.vmap(vv, (0, None), 0)            # ([b,a], [a]) -> [b]
  return jx.vmap(mv, (None, 1), 1)          # ([b,a], [a,c]) -> [b,c]


def _operands(jnp):
  rng = np.random.RandomState(0)
  a = rng.randn(N, N).astype(np.float32)
  b = rng.randn(N, N).astype(np.float32)
  return a, b, jnp.asarray(a), jnp.asarray(b)


def _check(out, a, b):
  np.testing.assert_allclose(np.asarray(out), a @ b, rtol=2e-3, atol=2e-3)


def _jit_mm_256(jx, jnp):
  mm = jx.jit(_mm(jx, jnp))
  a, b, x, y = _operands(jnp)
  _check(mm(x, y), a, b)

  def run():
    mm(x, y).block_until_ready()
  return run


def _eager_mm_256(jx, jnp):
  mm = _mm(jx, jnp)
  a, b, x, y = _operands(jnp)
  _check(mm(x, y), a, b)

  def run():
    mm(x, y).block_until_ready()
  return run


def _trace_mm_256(jx, jnp):
  a, b, x, y = _operands(jnp)
  jaxpr = jx.make_jaxpr(_mm(jx, jnp))(x, y)
  dots = [e for e in jaxpr.jaxpr.eqns if e.primitive.name == "dot_general"]
  if len(dots) != 1:
    raise AssertionError(f"expected one dot_general, got {len(dots)}:\n{jaxpr}")

  def run():
    jx.make_jaxpr(_mm(jx, jnp))(x, y)
  return run


CASES = [
    Case("vmap_mm_from_vv_jit_256x256", _jit_mm_256, goal="<= 1.0x JAX"),
    Case("vmap_mm_from_vv_eager_256x256", _eager_mm_256, goal="<= 1.0x JAX"),
    Case("vmap_mm_from_vv_make_jaxpr", _trace_mm_256, goal="<= 1.0x JAX"),
]
