"""``jax.extend.random``: the PRNG implementations behind ``jax.random``, and
how libraries define their own.

  >>> from jaxlite.extend.random import threefry_prng_impl
  >>> threefry_prng_impl.key_shape
  (2,)
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from jaxlite.prng import PRNGImpl, threefry2x32_p, threefry_2x32, threefry_prng_impl
from jaxlite.random.rbg import rbg_prng_impl, unsafe_rbg_prng_impl

__all__ = ["PRNGImpl", "PRNGSpec", "define_prng_impl", "random_seed", "seed_with_impl",
           "threefry2x32_p", "threefry_2x32", "threefry_prng_impl", "rbg_prng_impl",
           "unsafe_rbg_prng_impl"]


class PRNGSpec:
  """Names a PRNG implementation for ``jax.random.key(seed, impl=spec)``.

  >>> PRNGSpec(threefry_prng_impl)
  PRNGSpec('threefry2x32')
  """
  __slots__ = ("_impl",)

  def __init__(self, impl: PRNGImpl):
    self._impl = impl

  def __repr__(self) -> str:
    return f"PRNGSpec({self._impl.name!r})"

  def __str__(self) -> str:
    return str(self._impl)

  def __hash__(self) -> int:
    return hash(self._impl)

  def __eq__(self, other) -> bool:
    return isinstance(other, PRNGSpec) and self._impl == other._impl


def define_prng_impl(*, key_shape, seed: Callable, split: Callable, random_bits: Callable,
                     fold_in: Callable, name: str = "<unnamed>", tag: str = "?") -> PRNGSpec:
  """A PRNG implementation from its functions on raw keys (``uint32`` arrays
  of shape ``key_shape``): ``seed(int[]) -> key``, ``split(key, shape)``,
  ``random_bits(key, bit_width, shape)``, ``fold_in(key, uint32[])``.

  >>> import jaxlite
  >>> spec = define_prng_impl(
  ...     key_shape=(2,), seed=threefry_prng_impl.seed, split=threefry_prng_impl.split,
  ...     random_bits=threefry_prng_impl.random_bits, fold_in=threefry_prng_impl.fold_in,
  ...     name="my_threefry", tag="mine")
  >>> jaxlite.random.key(0, impl=spec).dtype
  key<mine>
  """
  return PRNGSpec(PRNGImpl(tuple(key_shape), seed, split, random_bits, fold_in, name=name,
                           tag=tag))


def random_seed(seeds, impl):
  """A key array of ``seeds``' shape: one key of implementation ``impl`` (a
  ``PRNGImpl`` or ``PRNGSpec``) per seed.

  >>> random_seed(np.arange(2), threefry_prng_impl).shape
  (2,)
  """
  from jaxlite import lax
  from jaxlite import numpy as jnp
  from jaxlite.config import config
  from jaxlite.random.key_primitives import random_wrap
  from jaxlite.random.keys import _resolve_impl
  from jaxlite.vectorization import vmap
  impl = _resolve_impl(impl)
  # Python ints go through int64 first, as in JAX (large hashes with x64 off).
  seeds = jnp.asarray(np.int64(seeds)) if isinstance(seeds, int) else jnp.asarray(seeds)
  if config.jax_random_seed_offset:
    seeds = seeds + config.jax_random_seed_offset
  shape = seeds.shape
  flat = lax.reshape(seeds, (int(np.prod(shape, dtype=np.int64)),))
  data = vmap(impl.seed)(flat)
  return random_wrap(lax.reshape(data, shape + tuple(impl.key_shape)), impl=impl)


def seed_with_impl(impl, seed):
  """``random_seed(seed, impl=impl)``.

  >>> seed_with_impl(threefry_prng_impl, 7).shape
  ()
  """
  return random_seed(seed, impl=impl)
