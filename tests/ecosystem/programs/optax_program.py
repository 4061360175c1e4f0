"""optax on `jax`: optimizers, a schedule, gradient clipping and a training loop."""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from _harness import run_cases

rng = np.random.RandomState(0)
X = jnp.asarray(rng.randn(32, 4).astype(np.float32))
TRUE_W = jnp.asarray(rng.randn(4, 1).astype(np.float32))
Y = X @ TRUE_W + 0.1 * jnp.asarray(rng.randn(32, 1).astype(np.float32))
PARAMS = {"w": jnp.zeros((4, 1)), "b": jnp.zeros((1,))}


def loss_fn(params, x, y):
  pred = x @ params["w"] + params["b"]
  return jnp.mean((pred - y) ** 2)


def run(optimizer, steps=10, jit=True):
  """`steps` optimizer steps; returns the losses and the final parameters."""
  params = PARAMS
  state = optimizer.init(params)

  def step(params, state):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    updates, state = optimizer.update(grads, state, params)
    return optax.apply_updates(params, updates), state, loss
  if jit:
    step = jax.jit(step)
  losses = []
  for _ in range(steps):
    params, state, loss = step(params, state)
    losses.append(loss)
  return {"losses": losses, "params": params}


def schedule_values():
  schedule = optax.warmup_cosine_decay_schedule(
      init_value=0.0, peak_value=0.1, warmup_steps=5, decay_steps=20, end_value=0.01)
  return [schedule(i) for i in range(0, 25, 3)] + [jax.jit(schedule)(7)]


def clipped_updates():
  tx = optax.chain(optax.clip_by_global_norm(0.5), optax.scale(-1.0))
  grads = {"w": jnp.full((4, 1), 3.0), "b": jnp.array([4.0])}
  updates, _ = tx.update(grads, tx.init(grads))
  return {"updates": updates, "norm": optax.global_norm(updates)}


def training_loop_100():
  tx = optax.chain(optax.clip_by_global_norm(1.0),
                   optax.adamw(optax.exponential_decay(0.05, 10, 0.9), weight_decay=1e-3))
  result = run(tx, steps=100)
  return {"every_10th": result["losses"][::10], "last": result["losses"][-1],
          "params": result["params"]}


def loss_functions():
  logits = jnp.array([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]])
  labels = jnp.array([1, 2])
  return {
      "xent": optax.softmax_cross_entropy_with_integer_labels(logits, labels),
      "l2": optax.l2_loss(logits, jnp.zeros_like(logits)),
      "huber": optax.huber_loss(logits, delta=0.5),
      "sigmoid_bce": optax.sigmoid_binary_cross_entropy(logits, jnp.ones_like(logits)),
  }


run_cases({
    "sgd_momentum": lambda: run(optax.sgd(0.05, momentum=0.9)),
    "sgd_nesterov_eager": lambda: run(optax.sgd(0.05, momentum=0.9, nesterov=True), jit=False),
    "adam": lambda: run(optax.adam(0.1)),
    "adamw": lambda: run(optax.adamw(0.1, weight_decay=0.01)),
    "rmsprop": lambda: run(optax.rmsprop(0.01)),
    "lamb": lambda: run(optax.lamb(0.01)),
    "chain_clip_adam": lambda: run(optax.chain(optax.clip_by_global_norm(0.1), optax.adam(0.1))),
    "schedule": schedule_values,
    "adam_with_schedule": lambda: run(optax.adam(optax.linear_schedule(0.1, 0.01, 10))),
    "clip_by_global_norm": clipped_updates,
    "apply_updates": lambda: optax.apply_updates(PARAMS, {"w": jnp.ones((4, 1)),
                                                          "b": jnp.array([2.0])}),
    "training_loop_100_steps": training_loop_100,
    "losses": loss_functions,
})
