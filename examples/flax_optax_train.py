"""Train a small CNN with flax.linen and optax on synthetic data.

Plain JAX code, unmodified. It runs on JAX, or on jaxlite through the switch:

    python examples/flax_optax_train.py              # JAX
    python -m jaxlite examples/flax_optax_train.py   # jaxlite serving `import jax`

Both print the same losses (to float32 rounding).
"""
import jax
import jax.numpy as jnp
import flax.linen as nn
import optax


class CNN(nn.Module):
  """Conv -> BatchNorm -> relu -> pool -> Dense -> Dropout -> Dense."""

  @nn.compact
  def __call__(self, x, train: bool):
    x = nn.Conv(features=8, kernel_size=(3, 3))(x)
    x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
    x = nn.relu(x)
    x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
    x = x.reshape((x.shape[0], -1))
    x = nn.Dense(32)(x)
    x = nn.Dropout(rate=0.1, deterministic=not train)(x)
    x = nn.relu(x)
    return nn.Dense(4)(x)


def make_data(key, n=64):
  """Images whose label is the quadrant with the largest mean."""
  images = jax.random.normal(key, (n, 8, 8, 1))
  quadrants = jnp.stack([images[:, :4, :4].mean((1, 2, 3)), images[:, :4, 4:].mean((1, 2, 3)),
                         images[:, 4:, :4].mean((1, 2, 3)), images[:, 4:, 4:].mean((1, 2, 3))],
                        axis=1)
  return images, jnp.argmax(quadrants, axis=1)


def main(steps=60, every=10):
  data_key, init_key, dropout_key = jax.random.split(jax.random.PRNGKey(0), 3)
  images, labels = make_data(data_key)
  model = CNN()
  variables = model.init(init_key, images, train=False)
  params, batch_stats = variables["params"], variables["batch_stats"]
  optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-2))
  opt_state = optimizer.init(params)

  @jax.jit
  def train_step(params, batch_stats, opt_state, key):
    def loss_fn(params):
      logits, updates = model.apply({"params": params, "batch_stats": batch_stats}, images,
                                    train=True, rngs={"dropout": key},
                                    mutable=["batch_stats"])
      loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
      return loss, updates["batch_stats"]
    (loss, batch_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), batch_stats, opt_state, loss

  for step in range(1, steps + 1):
    dropout_key, key = jax.random.split(dropout_key)
    params, batch_stats, opt_state, loss = train_step(params, batch_stats, opt_state, key)
    if step % every == 0:
      print(f"step {step:3d}  loss {float(loss):.7f}")
  logits = model.apply({"params": params, "batch_stats": batch_stats}, images, train=False)
  print(f"train accuracy {float((logits.argmax(-1) == labels).mean()):.4f}")


if __name__ == "__main__":
  main()
