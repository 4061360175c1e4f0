"""Trains a small stax classifier with an `optimizers` optimizer on synthetic data.

Written for JAX: run it with `python stax_classifier.py`. It prints the training
loss at every step and the final training accuracy.
"""
import jax
import jax.numpy as jnp
from jax import random
from jax.example_libraries import optimizers, stax
from jax.example_libraries.stax import Dense, LogSoftmax, Relu, Tanh

NUM_CLASSES = 3
NUM_STEPS = 25
BATCH_SIZE = 32


@jax.jit
def make_data(key):
  """Points in 4-D labelled by which of three random directions they align with."""
  k_inputs, k_directions = random.split(key)
  inputs = random.normal(k_inputs, (96, 4))
  directions = random.normal(k_directions, (4, NUM_CLASSES))
  labels = jnp.argmax(inputs @ directions, axis=1)
  one_hot = (labels[:, None] == jnp.arange(NUM_CLASSES)).astype(jnp.float32)
  return inputs, one_hot


init_random_params, predict = stax.serial(
    Dense(32), Relu, Dense(16), Tanh, Dense(NUM_CLASSES), LogSoftmax)


def loss(params, batch):
  inputs, targets = batch
  return -jnp.mean(jnp.sum(predict(params, inputs) * targets, axis=1))


def accuracy(params, batch):
  inputs, targets = batch
  return jnp.mean(jnp.argmax(predict(params, inputs), axis=1) == jnp.argmax(targets, axis=1))


def main():
  data_key, init_key = random.split(random.PRNGKey(0))
  inputs, targets = make_data(data_key)
  _, init_params = init_random_params(init_key, (-1, 4))

  schedule = optimizers.inverse_time_decay(0.02, decay_steps=10, decay_rate=0.5)
  opt_init, opt_update, get_params = optimizers.adam(schedule)

  @jax.jit
  def update(i, opt_state, batch):
    params = get_params(opt_state)
    value, grads = jax.value_and_grad(loss)(params, batch)
    grads = optimizers.clip_grads(grads, 5.0)
    return opt_update(i, grads, opt_state), value

  opt_state = opt_init(init_params)
  num_batches = inputs.shape[0] // BATCH_SIZE
  for step in range(NUM_STEPS):
    start = (step % num_batches) * BATCH_SIZE
    batch = (inputs[start:start + BATCH_SIZE], targets[start:start + BATCH_SIZE])
    opt_state, value = update(step, opt_state, batch)
    print(f"step {step:2d} loss {float(value):.6f}")

  params = get_params(opt_state)
  print(f"final loss {float(loss(params, (inputs, targets))):.6f}")
  print(f"train accuracy {float(accuracy(params, (inputs, targets))):.4f}")


if __name__ == "__main__":
  main()
