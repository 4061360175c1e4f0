"""``jax.image``: image resampling (resize, scale and translate).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import image
  >>> image.resize(jnp.array([0., 1.]), (4,), "linear")
  Array([0.  , 0.25, 0.75, 1.  ], dtype=float32)

Everything is defined in ``jaxlite.image.scale``.
"""
from jaxlite.image.scale import (ResizeMethod as ResizeMethod, resize as resize,  # noqa: F401
                                 scale_and_translate as scale_and_translate)

__all__ = ["ResizeMethod", "resize", "scale_and_translate"]
