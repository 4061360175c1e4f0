"""pmap benchmarks on 4 CPU devices (the runner's process has 8 forced devices
when XLA_FLAGS asks for them; these cases use the first 4)."""
import numpy as np

from run import Case


def _shard(jx, host, devs):
  """One leading-axis slice per device, made the same way in both libraries
  (JAX 0.10 removed device_put_sharded/replicated): an identity pmap."""
  return jx.pmap(lambda v: v, devices=devs)(host)


def _normalize(jx, jnp):
  devs = jx.local_devices()[:4]
  if len(devs) < 4:
    raise RuntimeError("needs 4 devices: set XLA_FLAGS=--xla_force_host_platform_device_count=8")
  f = jx.pmap(lambda x: x / jx.lax.psum(x, "i"), axis_name="i", devices=devs)
  x = _shard(jx, np.stack([np.arange(8, dtype=np.float32) + i for i in range(4)]), devs)
  f(x).block_until_ready()

  def run():
    f(x).block_until_ready()
  return run


def _mlp_step(jx, jnp):
  devs = jx.local_devices()[:4]
  rng = np.random.RandomState(0)
  params = [(rng.randn(16, 64).astype(np.float32) * 0.1, np.zeros(64, np.float32)),
            (rng.randn(64, 1).astype(np.float32) * 0.1, np.zeros(1, np.float32))]

  def loss(p, x, y):
    h = jnp.tanh(x @ p[0][0] + p[0][1])
    return jnp.mean((h @ p[1][0] + p[1][1] - y) ** 2)

  def step(p, x, y):
    g = jx.grad(loss)(p, x, y)
    g = jx.lax.pmean(g, "b")
    return jx.tree_util.tree_map(lambda a, b: a - 0.01 * b, p, g)
  f = jx.pmap(step, axis_name="b", devices=devs)
  p = jx.tree_util.tree_map(lambda a: _shard(jx, np.stack([a] * len(devs)), devs), params)
  x = _shard(jx, rng.randn(len(devs), 32, 16).astype(np.float32), devs)
  y = _shard(jx, rng.randn(len(devs), 32, 1).astype(np.float32), devs)
  jx.tree_util.tree_map(lambda a: a.block_until_ready(), f(p, x, y))

  def run():
    jx.tree_util.tree_map(lambda a: a.block_until_ready(), f(p, x, y))
  return run


CASES = [
    Case("pmap_normalize_4dev", _normalize, goal="<= 1.0x JAX"),
    Case("pmap_mlp_step_4dev", _mlp_step, goal="<= 1.0x JAX"),
    # The same step counted by callgrind (wall clock swings 2x on a shared machine).
    Case("pmap_mlp_step_4dev_instructions", _mlp_step, kind="instructions", calls=40,
         goal="<= 1.0x JAX"),
]
