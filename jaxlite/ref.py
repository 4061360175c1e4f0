"""``jax.ref``: mutable array references.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> ref = jaxlite.ref.new_ref(jnp.arange(3))
  >>> jaxlite.ref.addupdate(ref, 0, 5)
  >>> jaxlite.ref.get(ref, ...)
  Array([5, 1, 2], dtype=int32)
"""
__all__ = ['AbstractRef', 'Ref', 'addupdate', 'free_ref', 'freeze', 'get', 'new_ref',
           'empty_ref', 'set', 'swap']

from jaxlite.state.types import AbstractRef, Ref
from jaxlite.state.primitives import (empty_ref, free_ref, freeze, new_ref,
                                      ref_addupdate as addupdate, ref_get as get,
                                      ref_set as set, ref_swap as swap)
