"""``jax.extend.random``: the PRNG implementations behind ``jax.random``.

Re-exports from ``jaxlite.prng``.

  >>> from jaxlite.extend.random import threefry_prng_impl
  >>> threefry_prng_impl.key_shape
  (2,)
"""
from jaxlite.prng import PRNGImpl, threefry2x32_p, threefry_2x32, threefry_prng_impl

__all__ = ["PRNGImpl", "threefry2x32_p", "threefry_2x32", "threefry_prng_impl"]
