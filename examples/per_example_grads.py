"""Per-example gradients with ``vmap(grad(...))``, and DP-SGD-style clipping.

``grad(loss)`` gives the gradient of one example's loss; ``vmap`` maps it over
the batch, so one jitted call returns a gradient per example (a leading batch
axis on every parameter leaf) instead of their sum. The example checks the
result against a Python loop, then clips each example's gradient to norm 1
before averaging, as differentially private SGD does.

Run: python examples/per_example_grads.py
"""
import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp


def predict(params, x):
  w1, b1, w2, b2 = params
  return jnp.tanh(x @ w1 + b1) @ w2 + b2


def example_loss(params, x, y):
  """The squared error of ONE example (x: float32[d], y: float32[])."""
  return (predict(params, x) - y) ** 2


# in_axes: the parameters are shared (None), x and y are mapped over axis 0.
per_example_grads = jax.jit(jax.vmap(jax.grad(example_loss), in_axes=(None, 0, 0)))


@jax.jit
def clipped_mean_grad(params, xs, ys, max_norm=1.0):
  grads = jax.vmap(jax.grad(example_loss), in_axes=(None, 0, 0))(params, xs, ys)
  leaves = jax.tree_util.tree_leaves(grads)
  sq = sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in leaves)
  scale = jnp.minimum(1.0, max_norm / (jnp.sqrt(sq) + 1e-6))      # one per example
  clipped = jax.tree_util.tree_map(
      lambda g: g * scale.reshape((-1,) + (1,) * (g.ndim - 1)), grads)
  return jax.tree_util.tree_map(lambda g: jnp.mean(g, axis=0), clipped), jnp.sqrt(sq)


def main(batch=16, verbose=True):
  rng = np.random.RandomState(0)
  d, h = 5, 8
  params = (rng.randn(d, h).astype(np.float32) / np.sqrt(d), np.zeros(h, np.float32),
            rng.randn(h).astype(np.float32) / np.sqrt(h), np.float32(0.0))
  xs = rng.randn(batch, d).astype(np.float32)
  ys = rng.randn(batch).astype(np.float32)

  grads = per_example_grads(params, xs, ys)
  if verbose:
    print("per-example gradient shapes:", [g.shape for g in grads])

  # The same numbers from a Python loop over the batch.
  one = jax.jit(jax.grad(example_loss))
  for i in range(batch):
    gi = one(params, xs[i], ys[i])
    for g_batched, g_single in zip(grads, gi):
      np.testing.assert_allclose(g_batched[i], g_single, rtol=1e-5, atol=1e-5)
  if verbose:
    print(f"vmap(grad) matches a loop over {batch} examples")

  # Their mean is the gradient of the mean loss.
  mean_grad = jax.grad(lambda p: jnp.mean(jax.vmap(example_loss, (None, 0, 0))(p, xs, ys)))(params)
  for g_batched, g_mean in zip(grads, mean_grad):
    np.testing.assert_allclose(np.mean(np.asarray(g_batched), 0), g_mean, rtol=1e-5, atol=1e-6)

  clipped, norms = clipped_mean_grad(params, xs, ys)
  if verbose:
    print("per-example gradient norms:", np.array2string(np.asarray(norms), precision=2, suppress_small=True))
    print("clipped mean gradient of w2:", np.round(np.asarray(clipped[2]), 3))
  return grads, clipped


if __name__ == "__main__":
  main()
