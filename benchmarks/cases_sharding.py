"""Sharded jit on 8 CPU devices (XLA_FLAGS=--xla_force_host_platform_device_count=8):
an MLP training step over a 2x4 ('data', 'model') mesh with NamedSharding
in/out shardings and donated parameters, steady state and first call, and the
eager and device_put paths of sharded arrays."""
import numpy as np

from run import Case


def _mesh(jx):
  devs = jx.devices()
  if len(devs) < 8:
    raise RuntimeError("needs 8 devices: set XLA_FLAGS=--xla_force_host_platform_device_count=8")
  return jx.sharding.Mesh(np.array(devs[:8]).reshape(2, 4), ("data", "model"))


def _host_data(sizes=(64, 256, 256, 8), batch=64):
  """The step's parameters and batch as NumPy arrays (the benchmark's own data,
  made outside the timed region: neither library's work)."""
  rng = np.random.RandomState(0)
  params = [(rng.randn(m, n).astype(np.float32) / np.sqrt(m), np.zeros(n, np.float32))
            for m, n in zip(sizes[:-1], sizes[1:])]
  x = rng.randn(batch, sizes[0]).astype(np.float32)
  y = rng.randn(batch, sizes[-1]).astype(np.float32)
  return params, x, y


def _build_step(jx, jnp, host):
  """The jitted step and its sharded inputs (parameters split Megatron-style)."""
  mesh = _mesh(jx)
  P, NS = jx.sharding.PartitionSpec, jx.sharding.NamedSharding
  params, x, y = host
  specs = [((None, "model"), ("model",)), (("model", None), ()), ((), ())]
  p_sh = [tuple(NS(mesh, P(*s)) for s in pair) for pair in specs]
  b_sh = NS(mesh, P("data"))

  def loss(p, x, y):
    h = x
    for w, b in p[:-1]:
      h = jnp.tanh(h @ w + b)
    w, b = p[-1]
    return jnp.mean((h @ w + b - y) ** 2)

  def step(p, x, y):
    value, g = jx.value_and_grad(loss)(p, x, y)
    return [(w - 0.01 * gw, b - 0.01 * gb) for (w, b), (gw, gb) in zip(p, g)], value

  f = jx.jit(step, in_shardings=(p_sh, b_sh, b_sh),
             out_shardings=(p_sh, NS(mesh, P())), donate_argnums=(0,))
  p = jx.device_put(params, p_sh)
  x = jx.device_put(x, b_sh)
  y = jx.device_put(y, b_sh)
  return f, p, x, y


def _step_steady(jx, jnp, **sizes):
  f, p, x, y = _build_step(jx, jnp, _host_data(**sizes))
  state = {"p": p}
  state["p"], loss = f(state["p"], x, y)
  loss.block_until_ready()

  def run():
    state["p"], loss = f(state["p"], x, y)
    loss.block_until_ready()
  return run


def _step_first_call(jx, jnp):
  # The backend is up before timing, in both libraries: creating it imports
  # jaxlib and ml_dtypes (1-2 s under load), which `import jax` does itself
  # but jaxlite defers to first use; the case times the step's first call
  # (trace, lower, XLA compile, run), not process start-up.
  _mesh(jx)
  host = _host_data()

  def run():
    f, p, x, y = _build_step(jx, jnp, host)
    f(p, x, y)[1].block_until_ready()
  return run


def _eager_sharded_add(jx, jnp):
  mesh = _mesh(jx)
  s = jx.sharding.NamedSharding(mesh, jx.sharding.PartitionSpec("data", "model"))
  a = jx.device_put(np.ones((64, 64), np.float32), s)
  (a + a).block_until_ready()

  def run():
    (a + a).block_until_ready()
  return run


def _device_put_sharded(jx, jnp):
  mesh = _mesh(jx)
  s = jx.sharding.NamedSharding(mesh, jx.sharding.PartitionSpec("data", "model"))
  host = np.ones((256, 256), np.float32)
  jx.device_put(host, s).block_until_ready()

  def run():
    jx.device_put(host, s).block_until_ready()
  return run


CASES = [
    Case("sharded_jit_mlp_step_2x4", _step_steady, goal="<= 1.0x JAX"),
    Case("sharded_jit_mlp_step_2x4_first_call", _step_first_call, kind="first_call",
         goal="<= 1.0x JAX"),
    # Small layers: under callgrind XLA's own work would dominate (and crawl).
    # 20 calls per batch: XLA's eight worker threads vary by 10-20K
    # instructions per call from batch to batch in either library, which
    # 5 calls left in the figure.
    Case("sharded_jit_small_mlp_step_2x4_instructions",
         lambda jx, jnp: _step_steady(jx, jnp, sizes=(8, 16, 16, 4), batch=8),
         kind="instructions", calls=20, goal="<= 1.0x JAX"),
    Case("sharded_eager_add_2x4", _eager_sharded_add, goal="<= 1.0x JAX"),
    Case("sharded_eager_add_2x4_instructions", _eager_sharded_add, kind="instructions",
         calls=20, goal="<= 1.0x JAX"),
    Case("sharded_device_put_256x256", _device_put_sharded, goal="<= 1.0x JAX"),
]
