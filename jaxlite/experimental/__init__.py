"""``jaxlite.experimental``: the experimental names research code imports from
``jax.experimental``.

Example:
  >>> from jaxlite.experimental import enable_x64
  >>> import jaxlite.numpy as jnp
  >>> with enable_x64():
  ...   print(jnp.zeros(2, jnp.float64).dtype)
  float64
"""
from contextlib import contextmanager

from jaxlite.callbacks import io_callback  # noqa: F401
from jaxlite.config import enable_x64
from jaxlite.experimental.earray import EArray, cur_qdd, primal_tangent_dtype  # noqa: F401


@contextmanager
def disable_x64():
  """The inverse of ``enable_x64``: 64-bit values are truncated to 32 bits inside."""
  with enable_x64(False):
    yield


__all__ = ["enable_x64", "disable_x64", "io_callback", "EArray", "cur_qdd",
           "primal_tangent_dtype"]
