"""Shared pieces of the counter-based PRNGs ``threefry4x32``, ``philox2x32``
and ``philox4x32`` (``jax.random.key(seed, impl='philox4x32')``).

Each is a block hash of ``uint32`` words, defined as a primitive whose
lowering writes the rounds out in StableHLO integer ops (adds and products
wrap mod 2**32; Philox's 32x32->64 products are taken in ``uint64``, which
StableHLO has whether or not ``jax_enable_x64`` is on). Around the hash,
the implementations share how a seed becomes two words, how a raw key is
cut into words, and how output words become 8- to 64-bit random bits.

  >>> import jaxlite
  >>> key = jaxlite.random.key(0, impl='threefry4x32')
  >>> key.dtype, jaxlite.random.key_data(key).shape
  (key<fry4>, (4,))
"""
from __future__ import annotations

import math
import operator
from typing import Callable

import numpy as np

from jaxlite import core, lax, prng
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import elementwise

_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)


class Words:
  """``uint32`` word arithmetic on StableHLO values of one shape ``aval``.

  Constants are made once per value (a round function asks for the same
  rotation or multiplier many times)."""

  def __init__(self, aval):
    self.hlo = mlir.hlo()
    self.aval = aval.update(dtype=_U32)
    self._wide = aval.update(dtype=_U64)
    self._consts = {}

  def const(self, value, wide=False):
    key = (value, wide)
    if key not in self._consts:
      self._consts[key] = mlir.full_like_aval(value, self._wide if wide else self.aval)
    return self._consts[key]

  def add(self, *values):
    out = values[0]
    for v in values[1:]:
      out = self.hlo.add(out, v if not isinstance(v, int) else self.const(v))
    return out

  def xor(self, *values):
    out = values[0]
    for v in values[1:]:
      out = self.hlo.xor(out, v)
    return out

  def rotate_left(self, v, d):
    hlo = self.hlo
    return hlo.or_(hlo.shift_left(v, self.const(d)),
                   hlo.shift_right_logical(v, self.const(32 - d)))

  def mul_lo_hi(self, multiplier: int, v):
    """The low and high words of the 64-bit product ``multiplier * v``."""
    hlo = self.hlo
    u32_type = mlir.aval_to_ir_type(self.aval)
    wide = hlo.multiply(hlo.convert(mlir.aval_to_ir_type(self._wide), v),
                        self.const(multiplier, wide=True))
    high = hlo.shift_right_logical(wide, self.const(32, wide=True))
    return hlo.convert(u32_type, wide), hlo.convert(u32_type, high)


def define_hash(name: str, num_key_words: int, num_counter_words: int,
                rounds: Callable) -> core.Primitive:
  """A primitive ``name`` hashing counter words with key words.

  ``rounds(words, keys, counters)`` gets ``Words`` and lists of StableHLO
  values of the output's shape, and returns the ``num_counter_words`` hashed
  words. Operands broadcast as elementwise ones do (rank 0, or size-1 axes);
  the primitive has zero derivatives and batches elementwise."""
  num_args = num_key_words + num_counter_words

  def abstract_eval(*avals):
    if len(avals) != num_args:
      raise TypeError(f"{name}_p expects {num_args} arguments, got {len(avals)}.")
    if any(a.dtype != _U32 for a in avals):
      raise TypeError(f"Arguments to {name} must have uint32 type, got "
                      f"{', '.join(a.str_short() for a in avals)}")
    shape = elementwise.broadcasting_shape(name, avals)
    return [core.ShapedArray(shape, _U32)] * num_counter_words

  def lowering(ctx, *args):
    words = Words(ctx.avals_out[0])
    return list(rounds(words, list(args[:num_key_words]), list(args[num_key_words:])))

  primitive = core.Primitive(name)
  primitive.multiple_results = True
  primitive.def_abstract_eval(abstract_eval)
  mlir.register_lowering(primitive, elementwise.broadcast_lowering(lowering))
  ad.defjvp_zero(primitive)
  # Batched as an elementwise primitive: every result has the one batch axis.
  elementwise_rule = elementwise.defbroadcasting(primitive)

  def batch_rule(batched_args, batch_dims):
    out, dim = elementwise_rule(batched_args, batch_dims)
    return out, [dim] * num_counter_words
  batching.primitive_batchers[primitive] = batch_rule
  return primitive


# --- around the hash: seeds, key words, bits -------------------------------------------


def seed_words(seed):
  """The high and low ``uint32`` words of an integer scalar ``seed`` (a seed
  of 32 bits or fewer has a zero high word; negative seeds wrap)."""
  dtype = core.get_aval(seed).dtype
  if dtype.itemsize > 4:
    high = lax.convert_element_type(
        lax.shift_right_logical(seed, lax.full((), 32, dtype)), _U32)
  else:
    high = lax.full((), 0, _U32)
  return high, lax.convert_element_type(seed, _U32)


def key_words(key, count: int):
  """The ``count`` words of a raw key ``uint32[count]``, as scalars.

  The key passes an optimization barrier first: XLA would otherwise fuse the
  hash that made the key (a seed, a split) into every element of this hash,
  recomputing it there, which takes exponential time in chains of hashes."""
  key = lax.optimization_barrier(key)
  return [lax.index_in_dim(key, i, 0, keepdims=False) for i in range(count)]


def stack_words(words, axis: int = 0):
  """Hashed words stacked into key data along ``axis`` (``axis == ndim``: last)."""
  return lax.concatenate([lax.expand_dims(w, (axis,)) for w in words], axis)


def check_random_bits(name: str, key, key_shape, bit_width: int, shape):
  """JAX's checks before a ``random_bits`` of these implementations."""
  aval = getattr(key, "aval", None) or key
  if tuple(aval.shape) != tuple(key_shape) or np.dtype(aval.dtype) != _U32:
    raise TypeError(f"{name}_random_bits got invalid prng key.")
  if bit_width not in (8, 16, 32, 64):
    raise TypeError("requires 8-, 16-, 32- or 64-bit field width.")
  if math.prod(shape) > 2 ** 64:
    raise NotImplementedError("random bits array of size exceeding 2 ** 64")


def bits_from_words(bit_width: int, high, low, mixed):
  """Random bits of ``bit_width`` from hashed words: 64-bit values join the
  words ``high`` and ``low``; narrower ones keep the low bits of ``mixed``
  (the implementation's xor of its words)."""
  dtype = prng.UINT_DTYPES[bit_width]
  if bit_width == 64:
    high, low = (lax.convert_element_type(w, dtype) for w in (high, low))
    return lax.bitwise_or(lax.shift_left(high, lax.full((), 32, dtype)), low)
  return mixed if bit_width == 32 else lax.convert_element_type(mixed, dtype)


def xor_all(words):
  """The xor of a list of ``uint32`` arrays."""
  out = words[0]
  for w in words[1:]:
    out = lax.bitwise_xor(out, w)
  return out


def static_shape(shape) -> tuple:
  """A shape argument as a tuple of Python ints."""
  return tuple(operator.index(d) for d in shape)


def define_impl(name, tag, key_shape, seed, split, fold_in, random_bits):
  """The ``PRNGImpl`` over these raw-key functions, each compiled once per
  static shape/width (an eager split is one dispatch), with JAX's checks."""
  seed_jit = prng.static_jit(seed, inline=True)
  split_jit = prng.static_jit(split, 1, inline=True)
  fold_in_jit = prng.static_jit(fold_in, inline=True)
  bits_jit = prng.static_jit(random_bits, 2, inline=True)

  def impl_seed(seed):
    prng.check_seed(seed)
    return seed_jit(seed)

  def impl_split(key, shape):
    return split_jit(key, static_shape(shape))

  def impl_random_bits(key, bit_width, shape):
    shape = static_shape(shape)
    check_random_bits(name, key, key_shape, bit_width, shape)
    return bits_jit(key, bit_width, shape)

  for f, what in ((impl_seed, "seed"), (impl_split, "split"), (impl_random_bits, "random_bits")):
    f.__name__ = f.__qualname__ = f"{name}_{what}"
  fold_in_jit.__name__ = f"{name}_fold_in"
  return prng.PRNGImpl(key_shape=key_shape, seed=impl_seed, split=impl_split,
                       random_bits=impl_random_bits, fold_in=fold_in_jit, name=name, tag=tag)
