"""jax.numpy benchmarks: the eager operator fast path, an eager reduction and
einsum of two 256x256 matrices (eager and jitted).

Each case's `setup(jx, jnp)` gets either jaxlite or jax; see run.py.
"""
import numpy as np

from run import Case

_X8 = np.arange(8, dtype=np.float32)
_Y8 = np.ones(8, np.float32)
_X1000 = np.linspace(0.0, 1.0, 1000, dtype=np.float32)
_RNG = np.random.RandomState(0)
_M1 = _RNG.standard_normal((256, 256)).astype(np.float32)
_M2 = _RNG.standard_normal((256, 256)).astype(np.float32)


def _eager_add(jx, jnp):
  x, y = jnp.asarray(_X8), jnp.asarray(_Y8)
  out = x + y
  if not np.allclose(np.asarray(out), _X8 + _Y8):
    raise AssertionError("x + y gave wrong values")

  def add():
    (x + y).block_until_ready()
  return add


def _eager_sum(jx, jnp):
  x = jnp.asarray(_X1000)
  if not np.isclose(float(jnp.sum(x)), float(_X1000.sum()), rtol=1e-5):
    raise AssertionError("jnp.sum gave a wrong value")

  def total():
    jnp.sum(x).block_until_ready()
  return total


def _check_matmul(out):
  if not np.allclose(np.asarray(out), _M1 @ _M2, rtol=1e-3, atol=1e-3):
    raise AssertionError("einsum gave wrong values")


def _einsum_eager(jx, jnp):
  a, b = jnp.asarray(_M1), jnp.asarray(_M2)
  _check_matmul(jnp.einsum("ij,jk->ik", a, b))

  def run():
    jnp.einsum("ij,jk->ik", a, b).block_until_ready()
  return run


def _einsum_jit(jx, jnp):
  a, b = jnp.asarray(_M1), jnp.asarray(_M2)
  f = jx.jit(lambda p, q: jnp.einsum("ij,jk->ik", p, q))
  _check_matmul(f(a, b))

  def run():
    f(a, b).block_until_ready()
  return run


CASES = [
    Case("eager_add_f32_8", _eager_add, goal="<= 1.0x JAX"),
    Case("eager_sum_f32_1000", _eager_sum, goal="<= 1.0x JAX"),
    Case("einsum_256_eager", _einsum_eager, goal="<= 1.0x JAX"),
    Case("einsum_256_jit", _einsum_jit, goal="<= 1.0x JAX"),
]
