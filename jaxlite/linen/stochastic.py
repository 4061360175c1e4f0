"""Dropout, drawing its mask from the 'dropout' rng stream.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> m = nn.Dropout(0.5)
  >>> y = m.apply({}, jnp.ones(6), deterministic=False,
  ...             rngs={'dropout': jaxlite.random.PRNGKey(0)})
  >>> sorted(set(y.tolist())) == [0.0, 2.0] or sorted(set(y.tolist()))
  True
"""
from __future__ import annotations

from typing import Sequence

from jaxlite import lax, random
from jaxlite import numpy as jnp
from jaxlite.linen.module import Module, compact
from jaxlite.linen.normalization import merge_param

__all__ = ["Dropout"]


class Dropout(Module):
  """Zeroes each element with probability ``rate`` and scales the rest by
  ``1 / (1 - rate)``; the identity when ``deterministic``.

  Attributes:
    rate: the probability of dropping an element.
    broadcast_dims: axes along which the same mask is shared.
    deterministic: skip dropout (may be given at call time instead).
    rng_collection: the rng stream the mask is drawn from ('dropout').

  >>> import jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> nn.Dropout(0.5, deterministic=True).apply({}, jnp.ones(2))
  Array([1., 1.], dtype=float32)
  """
  rate: float
  broadcast_dims: Sequence[int] = ()
  deterministic: bool | None = None
  rng_collection: str = 'dropout'

  @compact
  def __call__(self, inputs, deterministic: bool | None = None, rng=None):
    deterministic = merge_param('deterministic', self.deterministic, deterministic)
    if self.rate == 0. or deterministic:
      return inputs
    inputs = jnp.asarray(inputs)
    # rate == 1 would divide by zero below.
    if self.rate == 1.0:
      return jnp.zeros_like(inputs)
    keep_prob = 1. - self.rate
    if rng is None:
      rng = self.make_rng(self.rng_collection)
    broadcast_shape = list(inputs.shape)
    for dim in self.broadcast_dims:
      broadcast_shape[dim] = 1
    mask = random.bernoulli(rng, p=keep_prob, shape=tuple(broadcast_shape))
    mask = jnp.broadcast_to(mask, inputs.shape)
    return lax.select(mask, inputs / keep_prob, jnp.zeros_like(inputs))
