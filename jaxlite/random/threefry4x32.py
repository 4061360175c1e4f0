"""The ``threefry4x32`` PRNG (``jax.random.key(seed, impl='threefry4x32')``),
bit for bit JAX 0.10.2's.

Threefry-4x32 (Salmon et al. 2011, Random123) hashes four counter words
with a four-word key in 20 rounds. A key is ``uint32[4]``; its dtype prints
as ``key<fry4>``.

- seed: the seed's high and low words as key words 0 and 1, hashed with a
  zero counter, give the four key words;
- split: key ``i`` hashes the counter ``(0, 0, hi(i), lo(i))`` (``i`` the
  row-major index over the split's shape, 64 bits);
- fold_in: the hash of the counter ``(0, 0, 0, data)``;
- random bits: element ``i`` hashes ``(hi(i), lo(i), 0, 0)``; 32 bits or
  fewer are the xor of the four words, 64 bits join ``w0 ^ w2`` and ``w1 ^ w3``.

Unlike threefry2x32 there is no non-partitionable variant: these layouts
hold whatever ``jax_threefry_partitionable`` says, as in JAX.

  >>> import jaxlite
  >>> key = jaxlite.random.key(0, impl='threefry4x32')
  >>> key
  Array((), dtype=key<fry4>) overlaying:
  [2624366954 3783175782 4228967636 1381410776]
"""
from __future__ import annotations

__all__ = ["threefry4x32_p", "threefry4x32_prng_impl"]

import numpy as np

from jaxlite import lax, prng
from jaxlite.random import counter_hash

# Random123's R_32x4 rotations: one pair per round, repeating every 8 rounds.
_ROTATIONS = ((10, 26), (11, 21), (13, 27), (23, 5), (6, 20), (17, 11), (25, 10), (18, 20))
_PARITY = 0x1BD11BDA   # Skein's key-schedule constant
_ROUNDS = 20
_U32 = np.dtype(np.uint32)


def _threefry4x32_rounds(words, keys, x):
  """The 20 rounds; a key injection after every fourth."""
  schedule = keys + [words.xor(*keys, words.const(_PARITY))]
  x = [words.add(x[i], schedule[i]) for i in range(4)]
  for r in range(_ROUNDS):
    rot_a, rot_b = _ROTATIONS[r % 8]
    # Even rounds mix words (0, 1) and (2, 3); odd rounds (0, 3) and (2, 1).
    a, b = (1, 3) if r % 2 == 0 else (3, 1)
    x[0] = words.add(x[0], x[a])
    x[a] = words.xor(x[0], words.rotate_left(x[a], rot_a))
    x[2] = words.add(x[2], x[b])
    x[b] = words.xor(x[2], words.rotate_left(x[b], rot_b))
    if r % 4 == 3:
      n = r // 4 + 1
      x = [words.add(x[i], schedule[(n + i) % 5]) for i in range(4)]
      x[3] = words.add(x[3], n)
  return x


threefry4x32_p = counter_hash.define_hash("threefry4x32", 4, 4, _threefry4x32_rounds)


def threefry4x32(keys, counters):
  """The Threefry-4x32 hash of four ``uint32`` counter words with four key words.

  >>> import numpy as np
  >>> zero = np.uint32(0)
  >>> [int(w) for w in threefry4x32([zero] * 4, [zero] * 4)]
  [2624366954, 3783175782, 4228967636, 1381410776]
  """
  return threefry4x32_p.bind(*keys, *counters)


def _seed_impl(seed):
  high, low = counter_hash.seed_words(seed)
  zero = lax.full((), 0, _U32)
  return counter_hash.stack_words(threefry4x32_p.bind(high, low, zero, zero, *[zero] * 4))


def _split_impl(key, shape):
  high, low = prng.iota_2x32_shape(shape)
  zero = lax.full((), 0, _U32)
  out = threefry4x32_p.bind(*counter_hash.key_words(key, 4), zero, zero, high, low)
  return counter_hash.stack_words(out, len(shape))


def _fold_in_impl(key, data):
  zero = lax.full((), 0, _U32)
  out = threefry4x32_p.bind(*counter_hash.key_words(key, 4), zero, zero, zero, data)
  return counter_hash.stack_words(out)


def _random_bits_impl(key, bit_width, shape):
  high, low = prng.iota_2x32_shape(shape)
  zero = lax.full((), 0, _U32)
  w = threefry4x32_p.bind(*counter_hash.key_words(key, 4), high, low, zero, zero)
  return counter_hash.bits_from_words(bit_width, lax.bitwise_xor(w[0], w[2]),
                                      lax.bitwise_xor(w[1], w[3]), counter_hash.xor_all(w))


threefry4x32_prng_impl = counter_hash.define_impl(
    "threefry4x32", "fry4", (4,), _seed_impl, _split_impl, _fold_in_impl, _random_bits_impl)
prng.register_prng(threefry4x32_prng_impl)
