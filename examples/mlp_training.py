"""Training an MLP classifier with jit, grad and an optimizer from
``jaxlite.example_libraries``.

The data are two interleaved spirals (made here, no download). Parameters
are initialised with ``jaxlite.random``; each step is one jitted function
(forward, ``value_and_grad``, Adam update), compiled once and reused.

Run: python examples/mlp_training.py [--steps N]
"""
import argparse
import time

import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite.example_libraries import optimizers


def spirals(n, noise=0.2, seed=0):
  """Two spirals in the plane: inputs float32[2n, 2], labels int32[2n]."""
  rng = np.random.RandomState(seed)
  t = np.sqrt(rng.rand(n)) * 3 * np.pi
  a = np.stack([t * np.cos(t), t * np.sin(t)], 1) / (3 * np.pi)
  x = np.concatenate([a, -a]) + noise * rng.randn(2 * n, 2) / (3 * np.pi)
  y = np.concatenate([np.zeros(n), np.ones(n)])
  return x.astype(np.float32), y.astype(np.int32)


def init_params(key, sizes):
  params = []
  for m, n in zip(sizes[:-1], sizes[1:]):
    key, sub = jax.random.split(key)
    w = jax.random.normal(sub, (m, n)) * jnp.sqrt(2.0 / m)
    params.append((w, jnp.zeros(n)))
  return params


def predict(params, x):
  for w, b in params[:-1]:
    x = jnp.maximum(x @ w + b, 0.0)
  w, b = params[-1]
  return x @ w + b                                    # logits


def loss_fn(params, x, y):
  logits = predict(params, x)
  shifted = logits - jnp.max(logits, axis=1, keepdims=True)
  log_probs = shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=1, keepdims=True))
  return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))


def accuracy(params, x, y):
  return float(jnp.mean(jnp.argmax(predict(params, x), axis=1) == y))


def main(steps=200, verbose=True):
  x, y = spirals(256)
  params = init_params(jax.random.PRNGKey(0), (2, 64, 64, 2))
  opt_init, opt_update, get_params = optimizers.adam(1e-2)
  opt_state = opt_init(params)

  @jax.jit
  def train_step(i, opt_state, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(get_params(opt_state), x, y)
    return loss, opt_update(i, grads, opt_state)

  start = time.perf_counter()
  losses = []
  for i in range(steps):
    loss, opt_state = train_step(i, opt_state, x, y)
    losses.append(float(loss))
    if verbose and i % max(1, steps // 6) == 0:
      print(f"step {i:4d}  loss {losses[-1]:.4f}")
  params = get_params(opt_state)
  acc = accuracy(params, x, y)
  if verbose:
    print(f"{steps} steps in {time.perf_counter() - start:.2f}s; "
          f"loss {losses[0]:.3f} -> {losses[-1]:.3f}; train accuracy {acc:.3f}")
  return losses, acc


if __name__ == "__main__":
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--steps", type=int, default=200)
  main(parser.parse_args().steps)
