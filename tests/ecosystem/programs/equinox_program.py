"""equinox on `jax`: modules, filtered transformations and tree surgery."""
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from _harness import run_cases

KEY = jax.random.PRNGKey(0)
X = jnp.asarray(np.random.RandomState(0).randn(5, 3).astype(np.float32))
IMG = jnp.asarray(np.random.RandomState(1).randn(2, 6, 6).astype(np.float32))


def mlp():
  model = eqx.nn.MLP(in_size=3, out_size=2, width_size=8, depth=2, key=KEY)
  return {"layer0_weight": model.layers[0].weight, "out": jax.vmap(model)(X)}


def conv2d():
  conv = eqx.nn.Conv2d(in_channels=2, out_channels=3, kernel_size=3, padding=1, key=KEY)
  return {"weight": conv.weight, "bias": conv.bias, "out": conv(IMG)}


class Linear(eqx.Module):
  weight: jax.Array
  bias: jax.Array
  name: str = eqx.field(static=True, default="linear")

  def __init__(self, key):
    wkey, bkey = jax.random.split(key)
    self.weight = jax.random.normal(wkey, (2, 3))
    self.bias = jax.random.normal(bkey, (2,))

  def __call__(self, x):
    return self.weight @ x + self.bias


def module():
  model = Linear(KEY)
  leaves = jax.tree_util.tree_leaves(model)
  return {"n_leaves": len(leaves), "out": model(X[0]), "name": model.name}


def filter_jit_grad():
  model = eqx.nn.MLP(3, 1, 8, 1, key=KEY)

  @eqx.filter_jit
  def loss(model, x):
    return jnp.mean(jax.vmap(model)(x) ** 2)

  grads = eqx.filter_grad(loss)(model, X)
  value, grads2 = eqx.filter_value_and_grad(loss)(model, X)
  return {"value": value, "grads": jax.tree_util.tree_leaves(grads),
          "same": [bool(jnp.allclose(a, b)) for a, b in zip(jax.tree_util.tree_leaves(grads),
                                                            jax.tree_util.tree_leaves(grads2))]}


def filter_vmap():
  keys = jax.random.split(KEY, 3)
  make = eqx.filter_vmap(lambda k: eqx.nn.Linear(3, 2, key=k))
  ensemble = make(keys)
  out = eqx.filter_vmap(lambda m, x: m(x), in_axes=(eqx.if_array(0), None))(ensemble, X[0])
  return {"weights": ensemble.weight, "out": out}


def tree_at():
  model = Linear(KEY)
  new = eqx.tree_at(lambda m: m.bias, model, jnp.zeros(2))
  both = eqx.tree_at(lambda m: (m.weight, m.bias), model, replace_fn=lambda x: 2 * x)
  return {"bias": new.bias, "weight_unchanged": new.weight, "doubled": both.weight,
          "out": new(X[0])}


def training_loop():
  model = eqx.nn.MLP(3, 1, 16, 2, key=KEY)
  y = jnp.sin(X.sum(axis=1, keepdims=True))

  @eqx.filter_jit
  def step(model):
    def loss(m):
      return jnp.mean((jax.vmap(m)(X) - y) ** 2)
    value, grads = eqx.filter_value_and_grad(loss)(model)
    model = eqx.apply_updates(model, jax.tree_util.tree_map(lambda g: -0.1 * g, grads))
    return model, value

  params, static = eqx.partition(model, eqx.is_array)
  losses = []
  for _ in range(15):
    model, value = step(model)
    losses.append(value)
  return {"losses": losses, "n_params": len(jax.tree_util.tree_leaves(params))}


def loops_and_errors():
  # eqx.internal.while_loop's checkpointed kind differentiates by a custom_vjp
  # over a loop; error_if raises inside jit.
  def loop(x):
    return eqx.internal.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 2.0),
                                   (0, x), max_steps=8, kind="checkpointed")[1]
  out = {"while_value": loop(1.5), "while_grad": jax.grad(loop)(1.5),
         "error_if_ok": eqx.filter_jit(lambda x: eqx.error_if(x, x > 0, "positive"))(
             jnp.float32(-1.0))}
  try:
    eqx.filter_jit(lambda x: eqx.error_if(x, x > 0, "positive"))(jnp.float32(1.0))
    out["error_if_raised"] = False
  except Exception as e:  # noqa: BLE001 -- equinox's runtime error type
    out["error_if_raised"] = "positive" in str(e)
  return out


run_cases({
    "mlp": mlp,
    "conv2d": conv2d,
    "module": module,
    "filter_jit_grad": filter_jit_grad,
    "filter_vmap": filter_vmap,
    "tree_at": tree_at,
    "training_loop": training_loop,
    "loops_and_errors": loops_and_errors,
})
