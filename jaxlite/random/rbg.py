"""The RngBitGenerator PRNG implementations ``rbg`` and ``unsafe_rbg``
(``jax.random.key(seed, impl='rbg')``), as JAX 0.10.2 defines them.

A key is ``uint32[4]``: two threefry half-keys. Seeding, splitting and
folding in run threefry on each half (``rbg``) or XLA's bit generator itself
(``unsafe_rbg``: faster, weaker); random bits come from XLA's
``RngBitGenerator`` on the whole key. As in JAX, those bits are whatever the
backend's default generator gives, so they may differ between backends.

  >>> import jaxlite
  >>> key = jaxlite.random.key(0, impl='rbg')
  >>> key.dtype, jaxlite.random.key_data(key).shape
  (key<rbg>, (4,))
"""
from __future__ import annotations

__all__ = ["rbg_prng_impl", "unsafe_rbg_prng_impl"]

import math

import numpy as np

from jaxlite import lax, prng


def _rbg_seed_impl(seed):
  half = prng.threefry_seed(seed)
  return lax.concatenate([half, half], 0)


def _halves(key):
  return lax.reshape(key, (2, 2))


def _rbg_split_impl(key, shape):
  from jaxlite import vectorization as api
  split_half = lambda half: prng.threefry_split(half, shape)   # noqa: E731
  keys = api.vmap(split_half, out_axes=len(shape))(_halves(key))   # (*shape, 2, 2)
  return lax.reshape(keys, (*shape, 4))


def _rbg_fold_in_impl(key, data):
  from jaxlite import vectorization as api
  folded = api.vmap(prng.threefry_fold_in, in_axes=(0, None))(_halves(key), data)
  return lax.reshape(folded, (4,))


def _rbg_random_bits_impl(key, bit_width, shape):
  _, bits = lax.rng_bit_generator(key, shape, dtype=prng.UINT_DTYPES[bit_width])
  return bits


def _unsafe_rbg_split_impl(key, shape):
  # Ten generator draws per new key, every tenth kept: a cheap hash.
  count = math.prod(shape)
  _, draws = lax.rng_bit_generator(key, (10 * count, 4), dtype=np.uint32)
  return lax.reshape(lax.slice_in_dim(draws, None, None, stride=10), (*shape, 4))


def _unsafe_rbg_fold_in_impl(key, data):
  _, draws = lax.rng_bit_generator(_rbg_seed_impl(data), (10, 4), dtype=np.uint32)
  return lax.bitwise_xor(key, lax.reshape(lax.slice_in_dim(draws, 9, 10), (4,)))


# Each one compiled once per static shape/width (an eager split is one dispatch).
_rbg_seed = prng.static_jit(_rbg_seed_impl, inline=True)
_rbg_split = prng.static_jit(_rbg_split_impl, 1, inline=True)
_rbg_fold_in = prng.static_jit(_rbg_fold_in_impl, inline=True)
_rbg_random_bits = prng.static_jit(_rbg_random_bits_impl, 2, inline=True)
_unsafe_rbg_split = prng.static_jit(_unsafe_rbg_split_impl, 1, inline=True)
_unsafe_rbg_fold_in = prng.static_jit(_unsafe_rbg_fold_in_impl, inline=True)


def rbg_seed(seed):
  """A raw ``uint32[4]`` key: the threefry key of ``seed``, twice.

  >>> import numpy as np
  >>> rbg_seed(np.int32(3))
  Array([0, 3, 0, 3], dtype=uint32)
  """
  prng.threefry_seed(seed)   # JAX's checks of the seed (a scalar integer)
  return _rbg_seed(seed)


def rbg_split(key, shape):
  """``prod(shape)`` new raw keys ``(*shape, 4)``: each half split by threefry."""
  return _rbg_split(key, tuple(int(d) for d in shape))


def rbg_fold_in(key, data):
  """A new raw key: ``data`` folded into each half by threefry."""
  return _rbg_fold_in(key, data)


def rbg_random_bits(key, bit_width, shape):
  """``uint<bit_width>`` bits of ``shape`` from XLA's RngBitGenerator on ``key``."""
  aval = getattr(key, "aval", None) or key
  if not tuple(aval.shape) == (4,) and np.dtype(aval.dtype) == np.dtype(np.uint32):
    raise TypeError("_rbg_random_bits got invalid prng key.")
  if bit_width not in (8, 16, 32, 64):
    raise TypeError("requires 8-, 16-, 32- or 64-bit field width.")
  return _rbg_random_bits(key, bit_width, tuple(int(d) for d in shape))


def unsafe_rbg_split(key, shape):
  """``prod(shape)`` new raw keys from the generator's own draws."""
  return _unsafe_rbg_split(key, tuple(int(d) for d in shape))


def unsafe_rbg_fold_in(key, data):
  """``key`` xor a draw of the generator seeded with ``data``."""
  return _unsafe_rbg_fold_in(key, data)


rbg_prng_impl = prng.PRNGImpl(key_shape=(4,), seed=rbg_seed, split=rbg_split,
                              random_bits=rbg_random_bits, fold_in=rbg_fold_in, name="rbg",
                              tag="rbg")
unsafe_rbg_prng_impl = prng.PRNGImpl(key_shape=(4,), seed=rbg_seed, split=unsafe_rbg_split,
                                     random_bits=rbg_random_bits, fold_in=unsafe_rbg_fold_in,
                                     name="unsafe_rbg", tag="urbg")
prng.register_prng(rbg_prng_impl)
prng.register_prng(unsafe_rbg_prng_impl)
