"""einops on `jax`: rearrange, reduce, repeat, einsum, pack/unpack; eager, under jit, grad and vmap."""
import jax
import jax.numpy as jnp
import numpy as np
from einops import einsum, pack, rearrange, reduce, repeat, unpack

from _harness import run_cases

X = jnp.asarray(np.random.RandomState(0).randn(2, 3, 4, 5).astype(np.float32))


def ops(x):
  """Every einops operation once, on `x` of shape (b, c, h, w)."""
  flat = rearrange(x, "b c h w -> b (c h w)")
  pooled = reduce(x, "b c (h h2) w -> b c h w", "max", h2=2)
  mean = reduce(x, "b c h w -> b c", "mean")
  tiled = repeat(mean, "b c -> b c k", k=3)
  gram = einsum(x, x, "b c h w, b d h w -> b c d")
  packed, shapes = pack([flat, mean], "b *")
  flat_again, mean_again = unpack(packed, shapes, "b *")
  return {"flat": flat, "pooled": pooled, "tiled": tiled, "gram": gram, "packed": packed,
          "roundtrip": [flat_again, mean_again]}


def scalar_loss(x):
  y = rearrange(x, "b c h w -> (b h) (c w)")
  z = reduce(y ** 2, "n m -> n", "sum")
  return einsum(z, z, "n, n ->")


def tracer_is_array():
  seen = []

  def probe(x):
    seen.append(isinstance(x, jax.Array))
    return rearrange(x, "c h w -> w h c").sum()
  jax.jit(probe)(X[0])
  jax.grad(probe)(X[0])
  jax.vmap(probe)(X)
  return seen


run_cases({
    "eager": lambda: ops(X),
    "jit": lambda: jax.jit(ops)(X),
    "grad": lambda: jax.grad(scalar_loss)(X),
    "jit_grad": lambda: jax.jit(jax.grad(scalar_loss))(X),
    "vmap": lambda: jax.vmap(lambda x: ops(x[None])["gram"][0])(X),
    "vmap_rearrange": lambda: jax.vmap(lambda x: rearrange(x, "c h w -> (h w) c"))(X),
    "tracer_is_array": tracer_is_array,
})
