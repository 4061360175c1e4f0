"""JAX's data-parallel MNIST pattern: pmap + psum on 8 CPU devices, the data
kept on the devices, no host sync until the end.

    python tests/programs/pmap_psum_training.py jaxlite 3000
    python tests/programs/pmap_psum_training.py jax 3000

Prints ``finished <steps> <seconds> <checksum>``. XLA's CPU client aborts the
process (rendezvous timeout) when its launches deadlock, so reaching the last
line is the test. ``tests/test_runtime_load.py`` runs it pinned to 2 cores.
"""
import os
import sys
import time

os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           " --xla_force_host_platform_device_count=8").strip()

LIBRARY = sys.argv[1] if len(sys.argv) > 1 else "jaxlite"
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 3000

if LIBRARY == "jax":
  import jax
  import jax.numpy as jnp
  from jax import lax
else:
  import jaxlite as jax
  import jaxlite.numpy as jnp
  from jaxlite import lax
import numpy as np

LAYER_SIZES = [32, 16, 10]
BATCH_PER_DEVICE = 8
STEP_SIZE = 0.01


def predict(params, inputs):
  activations = inputs
  for w, b in params[:-1]:
    activations = jnp.tanh(activations @ w + b)
  w, b = params[-1]
  logits = activations @ w + b
  return logits - jax.nn.logsumexp(logits, axis=1, keepdims=True)


def loss(params, batch):
  inputs, targets = batch
  return -jnp.mean(jnp.sum(predict(params, inputs) * targets, axis=1))


def spmd_update(params, batch):
  grads = jax.grad(loss)(params, batch)
  grads = [(lax.psum(dw, "batch"), lax.psum(db, "batch")) for dw, db in grads]
  return [(w - STEP_SIZE * dw, b - STEP_SIZE * db)
          for (w, b), (dw, db) in zip(params, grads)]


def main():
  num_devices = jax.local_device_count()
  rng = np.random.RandomState(0)
  params = [(rng.randn(m, n).astype(np.float32) * 0.1, np.zeros(n, np.float32))
            for m, n in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:])]
  update = jax.pmap(spmd_update, axis_name="batch")
  # Replicated parameters and per-device batches, put on the devices once.
  put = jax.pmap(lambda x: x)
  params = jax.tree_util.tree_map(lambda a: put(np.stack([a] * num_devices)), params)
  inputs = rng.randn(num_devices, BATCH_PER_DEVICE, LAYER_SIZES[0]).astype(np.float32)
  labels = rng.randint(0, LAYER_SIZES[-1], (num_devices, BATCH_PER_DEVICE))
  batch = (put(inputs), put(np.eye(LAYER_SIZES[-1], dtype=np.float32)[labels]))
  start = time.perf_counter()
  for _ in range(STEPS):
    params = update(params, batch)
  checksum = float(np.asarray(params[0][0]).sum())   # the only host sync
  print(f"finished {STEPS} {time.perf_counter() - start:.2f} {checksum:.6f}", flush=True)


if __name__ == "__main__":
  main()
