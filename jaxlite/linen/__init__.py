"""jaxlite.linen: modules with lifted transformations, in the style of flax.linen.

``import jaxlite.linen as nn`` gives Module/compact/setup, the layers, the
initializers, the activations and the lifted transformations (``nn.jvp``,
``nn.vmap``, ``nn.jit``, ``nn.grad``, ``nn.remat``, ``nn.scan``...), built on
the functional core in :mod:`jaxlite.linen.core`.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> import jaxlite.linen as nn
  >>> model = nn.Sequential([nn.Dense(8), nn.relu, nn.Dense(1)])
  >>> variables = model.init(jaxlite.random.PRNGKey(0), jnp.ones((2, 3)))
  >>> model.apply(variables, jnp.ones((2, 3))).shape
  (2, 1)
"""
from jaxlite.linen import initializers  # noqa: F401
from jaxlite.linen import core  # noqa: F401
from jaxlite.linen import errors  # noqa: F401
from jaxlite.linen.core import lift  # noqa: F401
from jaxlite.linen.core.scope import DenyList, Scope, freeze, unfreeze  # noqa: F401
from jaxlite.linen.activation import (  # noqa: F401
    celu, elu, gelu, glu, hard_sigmoid, hard_silu, hard_tanh, leaky_relu, log_sigmoid,
    log_softmax, logsumexp, one_hot, relu, relu6, selu, sigmoid, silu, soft_sign, softmax,
    softplus, standardize, swish, tanh)
from jaxlite.linen.module import Module, Variable, compact, nowrap  # noqa: F401
from jaxlite.linen.linear import (  # noqa: F401
    Conv, Dense, DenseGeneral, Embed)
from jaxlite.linen.normalization import (  # noqa: F401
    BatchNorm, GroupNorm, LayerNorm, RMSNorm, merge_param)
from jaxlite.linen.stochastic import Dropout  # noqa: F401
from jaxlite.linen.combinators import Sequential  # noqa: F401
from jaxlite.linen.transforms import (  # noqa: F401
    broadcast, checkpoint, grad, jit, jvp, remat, scan, value_and_grad, vjp, vmap)
