"""Mutable array references (JAX's ``jax.ref``): their types, primitives and
the discharge that turns programs using them into programs on plain values.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> ref = jaxlite.new_ref(jnp.zeros(2))
  >>> ref[0] = 1.0
  >>> jaxlite.freeze(ref)
  Array([1., 0.], dtype=float32)
"""
from jaxlite.state.types import AbstractRef, Ref  # noqa: F401
from jaxlite.state import primitives, discharge  # noqa: F401  (registers the rules)
from jaxlite.state.primitives import (  # noqa: F401
    empty_ref, free_ref, freeze, new_ref, ref_addupdate, ref_get, ref_set, ref_swap)
