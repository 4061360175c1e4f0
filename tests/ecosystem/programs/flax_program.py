"""flax.linen (the released wheel) on `jax`: layers, collections, rngs and lifted transforms."""
import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from _harness import run_cases

KEY = jax.random.PRNGKey(0)
X = jnp.asarray(np.random.RandomState(0).randn(4, 6, 6, 3).astype(np.float32))
SEQ = jnp.asarray(np.random.RandomState(1).randn(5, 3, 4).astype(np.float32))  # time, batch, feat


def dense():
  model = nn.Dense(5)
  variables = model.init(KEY, X[:, 0, 0])
  return {"params": variables, "out": model.apply(variables, X[:, 0, 0])}


def conv():
  model = nn.Conv(features=4, kernel_size=(3, 3), strides=(2, 1), padding="SAME")
  variables = model.init(KEY, X)
  return {"kernel": variables["params"]["kernel"], "out": model.apply(variables, X)}


class BNNet(nn.Module):
  @nn.compact
  def __call__(self, x, train):
    x = nn.Dense(8)(x)
    return nn.BatchNorm(use_running_average=not train, momentum=0.8)(x)


def batchnorm():
  model, x = BNNet(), X.reshape(4, -1)
  variables = model.init(KEY, x, train=False)
  out_train, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
  variables = {"params": variables["params"], **updates}
  out_eval = model.apply(variables, x, train=False)
  return {"train": out_train, "batch_stats": updates["batch_stats"], "eval": out_eval}


def dropout():
  model = nn.Dropout(rate=0.5, deterministic=False)
  k1, k2 = jax.random.split(KEY)
  return {"a": model.apply({}, X, rngs={"dropout": k1}),
          "b": jax.jit(lambda k: model.apply({}, X, rngs={"dropout": k}))(k2)}


class ScannedLSTM(nn.Module):
  @nn.compact
  def __call__(self, xs):
    cell = nn.scan(nn.OptimizedLSTMCell, variable_broadcast="params",
                   split_rngs={"params": False}, in_axes=0, out_axes=0)(features=6)
    carry = cell.initialize_carry(jax.random.PRNGKey(1), xs[0].shape)
    return cell(carry, xs)


def lstm_scan():
  model = ScannedLSTM()
  variables = model.init(KEY, SEQ)
  (c, h), ys = model.apply(variables, SEQ)
  grads = jax.grad(lambda v: model.apply(v, SEQ)[1].sum())(variables)
  return {"c": c, "h": h, "ys": ys, "grads": grads}


class RematMLP(nn.Module):
  @nn.compact
  def __call__(self, x):
    block = nn.remat(nn.Dense)
    x = nn.tanh(block(16)(x))
    return block(1)(x)


def remat():
  model, x = RematMLP(), X.reshape(4, -1)
  variables = model.init(KEY, x)
  loss = lambda v: model.apply(v, x).sum()
  return {"value": loss(variables), "grads": jax.jit(jax.grad(loss))(variables)}


class VmappedDense(nn.Module):
  @nn.compact
  def __call__(self, x):
    # One set of weights per batch element (variable_axes), independent inits.
    dense = nn.vmap(nn.Dense, in_axes=0, out_axes=0, variable_axes={"params": 0},
                    split_rngs={"params": True})(3)
    return dense(x)


def vmap():
  model, x = VmappedDense(), X.reshape(4, -1)
  variables = model.init(KEY, x)
  return {"params": variables, "out": model.apply(variables, x)}


class MLP(nn.Module):
  features: tuple = (16, 3)

  @nn.compact
  def __call__(self, x):
    for f in self.features[:-1]:
      x = nn.relu(nn.Dense(f)(x))
    return nn.Dense(self.features[-1])(x)


def train_step_optax():
  model, x = MLP(), X.reshape(4, -1)
  labels = jnp.array([0, 1, 2, 1])
  params = model.init(KEY, x)["params"]
  tx = optax.adam(1e-2)
  opt_state = tx.init(params)

  @jax.jit
  def step(params, opt_state):
    def loss_fn(p):
      logits = model.apply({"params": p}, x)
      return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss

  losses = []
  for _ in range(20):
    params, opt_state, loss = step(params, opt_state)
    losses.append(loss)
  return {"losses": losses, "params": params}


def init_apply_misc():
  model = MLP()
  x = X.reshape(4, -1)
  shapes = jax.eval_shape(functools.partial(model.init, KEY), x)
  out, inter = model.apply(model.init(KEY, x), x, capture_intermediates=True)
  return {"shapes": jax.tree_util.tree_map(lambda s: list(s.shape), shapes),
          "out": out, "n_intermediates": len(jax.tree_util.tree_leaves(inter)),
          "tabulate_has_dense": "Dense" in model.tabulate(KEY, x, console_kwargs={"width": 200})}


class CondDense(nn.Module):
  def setup(self):
    self.dense = nn.Dense(2)

  def __call__(self, x, pred):
    # Both branches are traced (true_fun first, as JAX) while the params are made.
    return nn.cond(pred, lambda m, x: m.dense(x), lambda m, x: -m.dense(x), self, x)


class LoopJit(nn.Module):
  @nn.compact
  def __call__(self, x):
    x = nn.jit(nn.Dense)(3)(x)
    return nn.while_loop(lambda m, c: jnp.sum(c) < 100.0, lambda m, c: c * 2 + 1, self, x)


def lifted_control_flow_and_layers():
  x = X.reshape(4, -1)[:, :5]
  attention = nn.MultiHeadDotProductAttention(num_heads=2, qkv_features=4)
  return {
      "cond_init": CondDense().init_with_output(KEY, x, True),
      "cond_false": CondDense().apply(CondDense().init(KEY, x, True), x, False),
      "while_jit": LoopJit().init_with_output(KEY, x),
      "rnn_gru": nn.RNN(nn.GRUCell(4)).init_with_output(KEY, SEQ),
      "attention": attention.init_with_output(KEY, x[None], x[None]),
      "embed": nn.Embed(10, 3).init_with_output(KEY, jnp.array([1, 2])),
      "layernorm_groupnorm": [nn.LayerNorm().init_with_output(KEY, x),
                              nn.GroupNorm(num_groups=1).init_with_output(KEY, x)],
  }


run_cases({
    "dense": dense,
    "conv": conv,
    "batchnorm": batchnorm,
    "dropout": dropout,
    "lstm_scan": lstm_scan,
    "remat": remat,
    "vmap": vmap,
    "train_step_optax": train_step_optax,
    "init_apply_misc": init_apply_misc,
    "lifted_control_flow_and_layers": lifted_control_flow_and_layers,
})
