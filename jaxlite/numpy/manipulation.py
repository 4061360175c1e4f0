"""Shape manipulation, one module per family:

* ``reshaping``: shape queries, reshape, ravel, transposes, axes,
  broadcasting, ``atleast_*d``;
* ``joining``: concatenate, stack and its variants, ``block``, split and its
  variants;
* ``rearranging``: tile, repeat, take, put_along_axis, flips, roll, rot90.

This module re-exports all of them.

  >>> import jaxlite.numpy as jnp
  >>> jnp.stack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
"""
from jaxlite.numpy import joining, rearranging, reshaping
from jaxlite.numpy.joining import *  # noqa: F401,F403
from jaxlite.numpy.rearranging import *  # noqa: F401,F403
from jaxlite.numpy.reshaping import *  # noqa: F401,F403

__all__ = reshaping.__all__ + joining.__all__ + rearranging.__all__
