"""The Philox PRNGs ``philox2x32`` and ``philox4x32``
(``jax.random.key(seed, impl='philox4x32')``), bit for bit JAX 0.10.2's.

Philox (Salmon et al. 2011, Random123) mixes counter words by 32x32->64-bit
products with fixed multipliers, xoring the high halves with the other words
and the key, in 10 rounds; the key is bumped by Weyl constants between
rounds. Philox-2x32 has a one-word key (``uint32[1]``, ``key<phx2>``),
Philox-4x32 a two-word key (``uint32[2]``, ``key<phx4>``).

With ``i`` the 64-bit row-major index of an element (words ``hi(i), lo(i)``):

- seed: the seed's high and low words hashed with a zero key give the key
  (philox2x32: the counter ``(hi, lo)``, first word kept; philox4x32: the
  counter ``(hi, lo, 0, 0)``, first two words kept);
- split: key ``i`` hashes the counter ``(hi(i), lo(i))`` (2x32) or
  ``(0, 0, hi(i), lo(i))`` (4x32), keeping the key's number of words;
- fold_in: the hash of ``(0, data)`` or ``(0, 0, 0, data)``, likewise;
- random bits: element ``i`` hashes ``(hi(i), lo(i))`` or
  ``(hi(i), lo(i), 0, 0)``; 32 bits or fewer are the xor of all the words,
  64 bits join words 0 and 1.

As in JAX these ignore ``jax_threefry_partitionable``.

  >>> import jaxlite
  >>> jaxlite.random.key(0, impl='philox4x32')
  Array((), dtype=key<phx4>) overlaying:
  [1713891541 3781805453]
"""
from __future__ import annotations

__all__ = ["philox2x32_p", "philox4x32_p", "philox2x32_prng_impl", "philox4x32_prng_impl"]

import numpy as np

from jaxlite import lax, prng
from jaxlite.random import counter_hash

_ROUNDS = 10
_M2x32 = 0xD256D193
_M4x32 = (0xD2511F53, 0xCD9E8D57)
_WEYL = (0x9E3779B9, 0xBB67AE85)   # the key bumps between rounds
_U32 = np.dtype(np.uint32)


def _philox2x32_rounds(words, keys, x):
  (k,) = keys
  x0, x1 = x
  for r in range(_ROUNDS):
    if r:
      k = words.add(k, _WEYL[0])
    lo, hi = words.mul_lo_hi(_M2x32, x0)
    x0, x1 = words.xor(hi, x1, k), lo
  return x0, x1


def _philox4x32_rounds(words, keys, x):
  k0, k1 = keys
  x0, x1, x2, x3 = x
  for r in range(_ROUNDS):
    if r:
      k0, k1 = words.add(k0, _WEYL[0]), words.add(k1, _WEYL[1])
    lo0, hi0 = words.mul_lo_hi(_M4x32[0], x0)
    lo1, hi1 = words.mul_lo_hi(_M4x32[1], x2)
    x0, x1, x2, x3 = words.xor(hi1, x1, k0), lo1, words.xor(hi0, x3, k1), lo0
  return x0, x1, x2, x3


philox2x32_p = counter_hash.define_hash("philox2x32", 1, 2, _philox2x32_rounds)
philox4x32_p = counter_hash.define_hash("philox4x32", 2, 4, _philox4x32_rounds)


def philox2x32(key, counters):
  """The Philox-2x32 hash of two ``uint32`` counter words with one key word.

  >>> import numpy as np
  >>> [int(w) for w in philox2x32(np.uint32(0), [np.uint32(0), np.uint32(0)])]
  [4280135257, 1825639922]
  """
  return philox2x32_p.bind(key, *counters)


def philox4x32(keys, counters):
  """The Philox-4x32 hash of four ``uint32`` counter words with two key words.

  >>> import numpy as np
  >>> zero = np.uint32(0)
  >>> [int(w) for w in philox4x32([zero] * 2, [zero] * 4)]
  [1713891541, 3781805453, 3159862348, 2600524760]
  """
  return philox4x32_p.bind(*keys, *counters)


def _zero():
  return lax.full((), 0, _U32)


# --- philox2x32: one key word, two counter words --------------------------------------


def _seed2_impl(seed):
  high, low = counter_hash.seed_words(seed)
  return counter_hash.stack_words(philox2x32_p.bind(_zero(), high, low)[:1])


def _split2_impl(key, shape):
  high, low = prng.iota_2x32_shape(shape)
  out = philox2x32_p.bind(*counter_hash.key_words(key, 1), high, low)
  return counter_hash.stack_words(out[:1], len(shape))


def _fold_in2_impl(key, data):
  out = philox2x32_p.bind(*counter_hash.key_words(key, 1), _zero(), data)
  return counter_hash.stack_words(out[:1])


def _random_bits2_impl(key, bit_width, shape):
  high, low = prng.iota_2x32_shape(shape)
  w0, w1 = philox2x32_p.bind(*counter_hash.key_words(key, 1), high, low)
  return counter_hash.bits_from_words(bit_width, w0, w1, lax.bitwise_xor(w0, w1))


# --- philox4x32: two key words, four counter words ------------------------------------


def _seed4_impl(seed):
  high, low = counter_hash.seed_words(seed)
  out = philox4x32_p.bind(_zero(), _zero(), high, low, _zero(), _zero())
  return counter_hash.stack_words(out[:2])


def _split4_impl(key, shape):
  high, low = prng.iota_2x32_shape(shape)
  out = philox4x32_p.bind(*counter_hash.key_words(key, 2), _zero(), _zero(), high, low)
  return counter_hash.stack_words(out[:2], len(shape))


def _fold_in4_impl(key, data):
  out = philox4x32_p.bind(*counter_hash.key_words(key, 2), _zero(), _zero(), _zero(), data)
  return counter_hash.stack_words(out[:2])


def _random_bits4_impl(key, bit_width, shape):
  high, low = prng.iota_2x32_shape(shape)
  w = philox4x32_p.bind(*counter_hash.key_words(key, 2), high, low, _zero(), _zero())
  return counter_hash.bits_from_words(bit_width, w[0], w[1], counter_hash.xor_all(w))


philox2x32_prng_impl = counter_hash.define_impl(
    "philox2x32", "phx2", (1,), _seed2_impl, _split2_impl, _fold_in2_impl, _random_bits2_impl)
philox4x32_prng_impl = counter_hash.define_impl(
    "philox4x32", "phx4", (2,), _seed4_impl, _split4_impl, _fold_in4_impl, _random_bits4_impl)
prng.register_prng(philox2x32_prng_impl)
prng.register_prng(philox4x32_prng_impl)
