"""jaxlite quickstart: JAX's programming model on XLA, in readable Python.

Run: python examples/quickstart.py
"""
import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp


def main():
  print("devices:", jax.devices())

  # Arrays live on the device; operations run through XLA.
  x = jnp.arange(5.0)
  print("x * 2 + 1 =", x * 2 + 1)

  # jit: trace once, compile with XLA, run the executable.
  @jax.jit
  def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)
  print("selu(x) =", selu(x))

  # The IR a function becomes, and the HLO XLA compiles.
  f = lambda x: jnp.sin(jnp.cos(x))
  print(jax.make_jaxpr(f)(3.0))

  # Automatic differentiation: forward, reverse and linearize-once.
  g = lambda x: 3 * jnp.sin(x) + jnp.cos(x / 2)
  y, y_dot = jax.jvp(g, (2.0,), (1.0,))
  print("jvp:", y, y_dot)
  y, f_jvp = jax.linearize(g, 2.0)
  print("linearize:", y, f_jvp(1.0), f_jvp(2.0))
  print("grad(tanh)(0.2) =", jax.grad(jnp.tanh)(0.2))

  # vmap: a batch axis pushed into every primitive.
  mv = jax.vmap(jnp.dot, in_axes=(0, None))
  print("vmap(dot) shape:", mv(jnp.ones((3, 4)), jnp.ones(4)).shape)

  # A tiny least-squares fit with grad and jit.
  rng = np.random.RandomState(0)
  xs = jnp.asarray(rng.randn(64, 3).astype(np.float32))
  true_w = jnp.asarray([1.0, -2.0, 0.5])
  ys = xs @ true_w
  loss = lambda w: jnp.mean((xs @ w - ys) ** 2)
  step = jax.jit(lambda w: w - 0.1 * jax.grad(loss)(w))
  w = jnp.zeros(3)
  for _ in range(100):
    w = step(w)
  print("fitted w:", w, "loss:", loss(w))

  # Random numbers with JAX's bits.
  print("random.normal:", jax.random.normal(jax.random.PRNGKey(0), (3,)))


if __name__ == "__main__":
  main()
