"""jaxlite: JAX's programming model in readable Python on jaxlib's compiler stack.

  >>> import jaxlite as jax
  >>> import jaxlite.numpy as jnp

This module only re-exports; each name is defined in the module that owns it.
"""
__version__ = "0.1.0"
