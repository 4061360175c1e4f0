"""flax.nnx (the released wheel) on `jax`: modules as Python objects, nnx
transforms, optimizers, state filters and lifted control flow."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from _harness import run_cases

X = jnp.asarray(np.random.RandomState(0).randn(8, 4).astype(np.float32))
Y = jnp.asarray(np.arange(8) % 3)


class MLP(nnx.Module):
  def __init__(self, din, dmid, dout, *, rngs: nnx.Rngs):
    self.linear1 = nnx.Linear(din, dmid, rngs=rngs)
    self.dropout = nnx.Dropout(rate=0.1, rngs=rngs)
    self.bn = nnx.BatchNorm(dmid, rngs=rngs)
    self.linear2 = nnx.Linear(dmid, dout, rngs=rngs)

  def __call__(self, x):
    x = nnx.gelu(self.dropout(self.bn(self.linear1(x))))
    return self.linear2(x)


def _loss(model, x, y):
  return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()


def train_step_optimizer():
  model = MLP(4, 16, 3, rngs=nnx.Rngs(0))
  optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)

  @nnx.jit
  def step(model, optimizer, x, y):
    loss, grads = nnx.value_and_grad(_loss)(model, x, y)
    optimizer.update(model, grads)
    return loss

  losses = [step(model, optimizer, X, Y) for _ in range(4)]
  model.eval()
  return {"losses": losses, "eval_out": model(X),
          "batch_stats": jax.tree_util.tree_leaves(nnx.state(model, nnx.BatchStat))}


def split_merge_and_functional_jit():
  model = MLP(4, 8, 2, rngs=nnx.Rngs(1))
  model.eval()
  graphdef, params, rest = nnx.split(model, nnx.Param, ...)

  @jax.jit
  def apply(params, rest, x):
    return nnx.merge(graphdef, params, rest)(x)

  leaves = jax.tree_util.tree_leaves(params)
  return {"out": apply(params, rest, X), "n_leaves": len(leaves),
          "n_params": sum(int(np.prod(p.shape)) for p in leaves)}


class Block(nnx.Module):
  def __init__(self, rngs):
    self.lin = nnx.Linear(4, 4, rngs=rngs)

  def __call__(self, x):
    return nnx.relu(self.lin(x))


def vmap_and_scan_over_layers():
  @nnx.vmap(in_axes=0, out_axes=0)
  def make(key):
    return Block(nnx.Rngs(key))

  blocks = make(jax.random.split(jax.random.key(0), 3))

  @nnx.scan(in_axes=(nnx.Carry, 0), out_axes=nnx.Carry)
  def run(x, block):
    return block(x)

  return {"out": run(X, blocks), "kernel_shape": list(blocks.lin.kernel.shape)}


def layers_conv_attention_norms():
  rngs = nnx.Rngs(2)
  x = jnp.asarray(np.random.RandomState(3).randn(2, 6, 6, 3).astype(np.float32))
  conv = nnx.Conv(3, 4, kernel_size=(3, 3), rngs=rngs)
  ln = nnx.LayerNorm(4, rngs=rngs)
  rms = nnx.RMSNorm(4, rngs=rngs)
  seq = jnp.asarray(np.random.RandomState(4).randn(2, 5, 8).astype(np.float32))
  attn = nnx.MultiHeadAttention(num_heads=2, in_features=8, qkv_features=8, decode=False,
                                rngs=rngs)
  emb = nnx.Embed(10, 4, rngs=rngs)
  h = conv(x)
  return {"conv": h, "ln": ln(h), "rms": rms(h), "attn": attn(seq),
          "embed": emb(jnp.array([1, 5, 9]))}


def grad_remat_and_cond():
  model = MLP(4, 8, 3, rngs=nnx.Rngs(5))
  model.eval()

  @nnx.remat
  def forward(model, x):
    return model(x)

  grads = nnx.grad(lambda m: forward(m, X).sum())(model)
  out = nnx.cond(True, lambda m, x: m(x), lambda m, x: -m(x), model, X)
  return {"grads": jax.tree_util.tree_leaves(nnx.state(grads, nnx.Param)), "cond": out}


def rngs_streams_and_state_updates():
  rngs = nnx.Rngs(params=0, dropout=1)
  draws = [rngs.dropout.bernoulli(0.5, (3,)) for _ in range(2)]
  counter = nnx.Variable(jnp.zeros(()))

  @nnx.jit
  def bump(c):
    c[...] += 1.0

  bump(counter)
  bump(counter)
  return {"draws": draws, "params_key": jax.random.key_data(rngs.params()),
          "counter": counter[...]}


run_cases({name: fn for name, fn in globals().items()
           if callable(fn) and not name.startswith("_") and fn.__module__ == "__main__"
           and name not in ("run_cases", "MLP", "Block")})
