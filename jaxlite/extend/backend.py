"""``jax.extend.backend``: the PJRT clients jaxlite runs on.

Re-exports from ``jaxlite.runtime.backend``.

  >>> from jaxlite.extend import backend
  >>> backend.get_backend().platform
  'cpu'
"""
from jaxlite.runtime.backend import backends, default_device as get_default_device, get_backend

__all__ = ["backends", "get_backend", "get_default_device"]
