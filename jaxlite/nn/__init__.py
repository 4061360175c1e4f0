"""``jaxlite.nn``: activation functions, softmax and friends, one_hot,
standardize, and parameter initializers (``jax.nn``).

  >>> import numpy as np
  >>> from jaxlite import nn
  >>> nn.relu(np.array([-1., 2.], np.float32))
  Array([0., 2.], dtype=float32)
"""
from jaxlite.nn.functions import *  # noqa: F401,F403
from jaxlite.nn.attention import dot_product_attention  # noqa: F401
from jaxlite.nn.scaled_dot import (get_scaled_dot_general_config, scaled_dot_general,  # noqa: F401
                                   scaled_matmul)
from jaxlite.nn import initializers  # noqa: F401
