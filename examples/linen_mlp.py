"""Train a small jaxlite.linen MLP (Dense, LayerNorm, Dropout) on synthetic data.

The model and training step are written as one would with flax and JAX;
only the imports differ:

  import jaxlite as jax, jaxlite.numpy as jnp, jaxlite.linen as nn

Run ``python examples/linen_mlp.py``: it prints a falling loss.
"""
from __future__ import annotations

import argparse

import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp
import jaxlite.linen as nn


class MLP(nn.Module):
  """Dense -> LayerNorm -> gelu -> Dropout -> Dense."""
  hidden: int = 32
  features: int = 1
  dropout_rate: float = 0.1

  @nn.compact
  def __call__(self, x, *, train: bool):
    x = nn.Dense(self.hidden)(x)
    x = nn.LayerNorm()(x)
    x = nn.gelu(x)
    x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
    return nn.Dense(self.features)(x)


def make_data(key, n=128, dim=4):
  """A smooth nonlinear regression target on Gaussian inputs."""
  kx, kw = jax.random.split(key)
  x = jax.random.normal(kx, (n, dim))
  w = jax.random.normal(kw, (dim, 1))
  y = jnp.sin(x @ w) + 0.5 * (x[:, :1] ** 2)
  return x, y


def train(steps: int = 200, learning_rate: float = 0.05, seed: int = 0,
          log_every: int = 20) -> list[float]:
  """Trains with plain SGD; returns the training loss of every step."""
  key = jax.random.PRNGKey(seed)
  data_key, init_key, dropout_key = jax.random.split(key, 3)
  x, y = make_data(data_key)
  model = MLP()
  params = model.init(init_key, x[:1], train=False)['params']

  def loss_fn(params, x, y, rng):
    pred = model.apply({'params': params}, x, train=True, rngs={'dropout': rng})
    return jnp.mean((pred - y) ** 2)

  @jax.jit
  def step(params, rng):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y, rng)
    params = jax.tree_util.tree_map(lambda p, g: p - learning_rate * g, params, grads)
    return params, loss

  losses = []
  for i in range(steps):
    params, loss = step(params, jax.random.fold_in(dropout_key, i))
    losses.append(float(loss))
    if log_every and (i % log_every == 0 or i == steps - 1):
      print(f'step {i:4d}  loss {losses[-1]:.4f}')
  eval_loss = float(jnp.mean((model.apply({'params': params}, x, train=False) - y) ** 2))
  if log_every:
    print(f'final eval loss {eval_loss:.4f} (first training loss {losses[0]:.4f})')
  return losses


if __name__ == '__main__':
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--steps', type=int, default=200)
  parser.add_argument('--learning-rate', type=float, default=0.05)
  args = parser.parse_args()
  losses = train(args.steps, args.learning_rate)
  assert np.mean(losses[-10:]) < np.mean(losses[:10]), 'loss did not fall'
