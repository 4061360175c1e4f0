"""Data-parallel MLP training with pmap on 8 CPU devices.

Each device holds a replica of the parameters and a shard of every batch;
gradients are averaged across devices with ``lax.pmean`` inside the pmapped
step, so all replicas stay identical.

Run: python examples/pmap_mlp.py
"""
import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")

from functools import partial

import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import lax


def init_params(rng, sizes):
  params = []
  for m, n in zip(sizes[:-1], sizes[1:]):
    params.append((rng.randn(m, n).astype(np.float32) / np.sqrt(m),
                   np.zeros(n, np.float32)))
  return params


def predict(params, x):
  for w, b in params[:-1]:
    x = jnp.tanh(x @ w + b)
  w, b = params[-1]
  return x @ w + b


def loss_fn(params, x, y):
  return jnp.mean((predict(params, x) - y) ** 2)


@partial(jax.pmap, axis_name="batch")
def train_step(params, x, y):
  loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
  grads = lax.pmean(grads, axis_name="batch")
  loss = lax.pmean(loss, axis_name="batch")
  params = jax.tree_util.tree_map(lambda p, g: p - 0.2 * g, params, grads)
  return params, loss


def main(steps=60, verbose=True):
  n_dev = jax.local_device_count()
  rng = np.random.RandomState(0)
  params = init_params(rng, (4, 32, 1))
  replicated = jax.device_put_replicated(params, jax.local_devices())
  true_w = rng.randn(4, 1).astype(np.float32)
  # One fixed data set, split into a shard per device.
  x = rng.randn(n_dev, 32, 4).astype(np.float32)
  y = np.sin(x @ true_w)
  losses = []
  for step in range(steps):
    replicated, loss = train_step(replicated, x, y)
    losses.append(float(loss[0]))
    if verbose and step % 10 == 0:
      print(f"step {step:3d}  loss {losses[-1]:.4f}")
  if verbose:
    print(f"devices {n_dev}; loss {losses[0]:.4f} -> {losses[-1]:.4f}")
  return losses


if __name__ == "__main__":
  main()
