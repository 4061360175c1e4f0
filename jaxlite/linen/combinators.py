"""Sequential: a chain of layers and functions.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> model = nn.Sequential([nn.Dense(4), nn.relu, nn.Dense(2)])
  >>> v = model.init(jaxlite.random.PRNGKey(0), jnp.ones((1, 3)))
  >>> sorted(v['params'])
  ['layers_0', 'layers_2']
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from jaxlite.linen.module import Module

__all__ = ["Sequential"]


class Sequential(Module):
  """Applies ``layers`` in order, each to the previous output (a tuple output
  is passed as positional arguments, a dict as keyword arguments).

  Modules given from outside any module become children named
  ``layers_<index>``; modules created inside a parent's ``@compact`` method
  belong to that parent, as in flax.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> nn.Sequential([lambda x: x + 1, lambda x: 2 * x]).apply({}, 1.)
  4.0
  """
  layers: Sequence[Callable[..., Any]]

  def __call__(self, *args, **kwargs):
    if not self.layers:
      raise ValueError(f'Empty Sequential module {self.name}.')
    outputs = self.layers[0](*args, **kwargs)
    for layer in self.layers[1:]:
      if isinstance(outputs, tuple):
        outputs = layer(*outputs)
      elif isinstance(outputs, dict):
        outputs = layer(**outputs)
      else:
        outputs = layer(outputs)
    return outputs
