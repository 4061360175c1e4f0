"""The threefry2x32 counter-based PRNG: its primitives, raw-key functions and
typed key arrays.

Bits are JAX's bit for bit: the same Threefry-2x32 hash (20 rounds, Salmon
et al. 2011), the same seeding, and the same "partitionable" counter layout
that JAX uses when ``jax_threefry_partitionable`` is on (JAX's default since
0.5): a ``uint64`` iota over the output shape, split into two ``uint32``
words that are hashed as one block, so element ``i`` of any output depends
only on the key and ``i``.

Raw keys are ``uint32[..., 2]`` arrays. ``PRNGKeyArray`` is the typed form
(``jax.random.key``): an array of keys whose dtype is ``key<fry>``, a pytree
leaf whose abstract value ``key<fry>[*shape]`` is what ``jit``, ``vmap`` and
jaxprs see; it enters a compiled program as its raw key data.
"""
from __future__ import annotations

import functools
import math
import operator
from functools import partial
from typing import Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.basearray import Array as _AbstractArray
from jaxlite.config import config
from jaxlite.interpreters import ad, batching, mlir

UINT_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16),
               32: np.dtype(np.uint32), 64: np.dtype(np.uint64)}
_U32 = np.dtype(np.uint32)


# --- threefry2x32_p: the hash ---------------------------------------------------------

def _broadcast_shapes(name, *avals):
  """Rank-0 operands broadcast; the others must agree (dims of 1 stretch)."""
  shapes = [a.shape for a in avals if a.shape]
  if not shapes:
    return ()
  if len({len(s) for s in shapes}) != 1:
    raise TypeError(f"{name}: arrays must have the same number of dimensions, got "
                    f"{', '.join(str(a.shape) for a in avals)}.")
  out = []
  for dims in zip(*shapes):
    big = {d for d in dims if d != 1}
    if len(big) > 1:
      raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                      f"{', '.join(str(a.shape) for a in avals)}.")
    out.append(big.pop() if big else 1)
  return tuple(out)


def _threefry2x32_abstract_eval(k1, k2, x1, x2):
  args = (k1, k2, x1, x2)
  if any(a.dtype != _U32 for a in args):
    raise TypeError("Arguments to threefry2x32 must have uint32 type, got "
                    f"{', '.join(a.str_short() for a in args)}")
  shape = _broadcast_shapes("threefry2x32", *args)
  return [core.ShapedArray(shape, _U32)] * 2


threefry2x32_p = core.Primitive("threefry2x32")
threefry2x32_p.multiple_results = True
threefry2x32_p.def_abstract_eval(_threefry2x32_abstract_eval)

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _threefry2x32_lowering(ctx, k1, k2, x1, x2):
  """The 20 rounds, unrolled, in StableHLO integer ops (adds wrap mod 2**32)."""
  hlo = mlir.hlo()
  out_aval = ctx.avals_out[0]
  rank = out_aval.ndim

  def bcast(v, aval):
    if aval.shape == out_aval.shape:
      return v
    dims = [] if aval.ndim == 0 else list(range(rank))
    return mlir.broadcast_in_dim(v, out_aval, dims)

  k1, k2, x1, x2 = (bcast(v, a) for v, a in zip((k1, k2, x1, x2), ctx.avals_in))
  consts = {}

  def const(c):
    if c not in consts:
      consts[c] = mlir.full_like_aval(c, out_aval.update(dtype=_U32))
    return consts[c]

  def rotate_left(v, d):
    return hlo.or_(hlo.shift_left(v, const(d)), hlo.shift_right_logical(v, const(32 - d)))

  def rounds(x, rotations):
    for r in rotations:
      x0 = hlo.add(x[0], x[1])
      x = [x0, hlo.xor(x0, rotate_left(x[1], r))]
    return x

  ks = [k1, k2, hlo.xor(hlo.xor(k1, k2), const(0x1BD11BDA))]
  x = [hlo.add(x1, ks[0]), hlo.add(x2, ks[1])]
  for i in range(5):
    x = rounds(x, _ROTATIONS[i % 2])
    # Key injection i+1: words rotate through ks, plus the injection counter.
    x = [hlo.add(x[0], ks[(i + 1) % 3]),
         hlo.add(hlo.add(x[1], ks[(i + 2) % 3]), const(i + 1))]
  return x


def _threefry2x32_rolled(k1, k2, x1, x2):
  """The same rounds as a 5-iteration loop of lax ops (JAX's CPU lowering).

  Besides compiling to less code, the loop keeps the hash out of the fusions
  that consume its bits, so that float transformations of the bits are
  compiled, and round, exactly as they are for JAX."""
  shape = _broadcast_shapes("threefry2x32", *map(core.get_aval, (k1, k2, x1, x2)))

  def bcast(v):
    ndim = np.ndim(v)
    return lax.broadcast_in_dim(v, shape, tuple(range(ndim)) if ndim else ())

  x1, x2 = bcast(x1), bcast(x2)
  # The key words stay as small as they come (scalars, usually) in the loop
  # state, broadcast where they are added: full-size copies of them would be
  # three more arrays of the output's size alive through the loop.
  key_shape = np.broadcast_shapes(np.shape(k1), np.shape(k2))
  k1, k2 = (lax.broadcast_in_dim(k, key_shape, tuple(range(np.ndim(k))))
            if np.shape(k) != key_shape else k for k in (k1, k2))
  ks = [k1, k2, lax.bitwise_xor(lax.bitwise_xor(k1, k2),
                                lax.full(key_shape, 0x1BD11BDA, _U32))]

  def widen(k):
    return k if key_shape == shape else bcast(k)
  x = [lax.add(x1, widen(ks[0])), lax.add(x2, widen(ks[1]))]
  rotations = [np.array(r, _U32) for r in _ROTATIONS]

  def rotate_left(v, d):
    d = lax.broadcast_in_dim(d, shape, ())
    left = lax.sub(lax.full(shape, 32, _U32), d)
    return lax.bitwise_or(lax.shift_left(v, d), lax.shift_right_logical(v, left))

  def step(i, state):
    x, ks, rotations = state
    for j in range(4):
      r = lax.reshape(lax.slice(rotations[0], (j,), (j + 1,)), ())
      x0 = lax.add(x[0], x[1])
      x = [x0, lax.bitwise_xor(x0, rotate_left(x[1], r))]
    count = lax.broadcast_in_dim(lax.convert_element_type(lax.add(i, 1), _U32), shape, ())
    x = [lax.add(x[0], widen(ks[0])), lax.add(lax.add(x[1], widen(ks[1])), count)]
    return x, ks[1:] + ks[:1], rotations[1:] + rotations[:1]

  x, _, _ = lax.fori_loop(0, 5, step, (x, ks[1:] + ks[:1], rotations))
  return x


mlir.register_lowering(threefry2x32_p, _threefry2x32_lowering)
mlir.register_lowering(threefry2x32_p, mlir.lower_fun(_threefry2x32_rolled), platform="cpu")
ad.defjvp_zero(threefry2x32_p)


def _threefry2x32_batch(batched_args, batch_dims):
  size = batching.batch_size(batched_args, batch_dims)
  avals = [core.get_aval(x) for x in batched_args]
  # Operand shapes without their batch axes, broadcast together.
  unbatched = [a.update(shape=tuple(s for i, s in enumerate(a.shape) if i != d))
               if d is not None else a for a, d in zip(avals, batch_dims)]
  shape = _broadcast_shapes("threefry2x32", *unbatched)
  args = []
  for x, d, a in zip(batched_args, batch_dims, unbatched):
    x = batching.bdim_at_front(x, d, size)
    dims = (0,) + (tuple(range(1, len(shape) + 1)) if a.shape else ())
    args.append(lax.broadcast_in_dim(x, (size, *shape), dims))
  return threefry2x32_p.bind(*args), [0, 0]


batching.primitive_batchers[threefry2x32_p] = _threefry2x32_batch


def threefry2x32(k1, k2, x1, x2):
  """Applies the Threefry-2x32 block hash to the counter pairs ``(x1, x2)``.

  Args:
    k1, k2: the key words (``uint32`` scalars or arrays broadcasting with the counts).
    x1, x2: ``uint32`` counter words of equal shape.

  Returns:
    Two ``uint32`` arrays: the hashed words.

  >>> import numpy as np
  >>> from jaxlite import prng
  >>> [int(w) for w in prng.threefry2x32(np.uint32(0), np.uint32(0),
  ...                                    np.uint32(0), np.uint32(0))]
  [1797259609, 2579123966]
  """
  return threefry2x32_p.bind(k1, k2, x1, x2)


# --- iota_2x32_shape_p: the partitionable counters ----------------------------------------

iota_2x32_shape_p = core.Primitive("iota_2x32_shape")
iota_2x32_shape_p.multiple_results = True
iota_2x32_shape_p.def_abstract_eval(
    lambda *, shape: [core.ShapedArray(shape, _U32)] * 2)


def _iota_2x32_shape_lowering(ctx, *, shape):
  """A row-major uint64 iota over ``shape`` (a sum of per-axis iotas times
  strides), split into its high and low 32-bit words."""
  hlo = mlir.hlo()
  u64 = core.ShapedArray(shape, np.dtype(np.uint64))
  u64_type = mlir.aval_to_ir_type(u64)
  strides = [int(np.prod(shape[i + 1:], dtype=np.uint64)) for i in range(len(shape))]
  counts = None
  for dim, stride in enumerate(strides):
    term = hlo.iota(u64_type, mlir.i64_attr(dim))
    if stride != 1:
      term = hlo.multiply(term, mlir.full_like_aval(stride, u64))
    counts = term if counts is None else hlo.add(counts, term)
  out_type = mlir.aval_to_ir_type(ctx.avals_out[0])
  hi = hlo.shift_right_logical(counts, mlir.full_like_aval(32, u64))
  return [hlo.convert(out_type, hi), hlo.convert(out_type, counts)]


mlir.register_lowering(iota_2x32_shape_p, _iota_2x32_shape_lowering)
ad.defjvp_zero(iota_2x32_shape_p)


def iota_2x32_shape(shape):
  """The row-major index of each element of ``shape`` as 64 bits, in two
  ``uint32`` arrays ``(hi, lo)`` (so it does not depend on ``jax_enable_x64``).

  >>> from jaxlite import prng
  >>> hi, lo = prng.iota_2x32_shape((2, 3))
  >>> lo
  Array([[0, 1, 2],
         [3, 4, 5]], dtype=uint32)
  """
  shape = tuple(shape)
  if not shape:
    zero = lax.full((), 0, _U32)
    return zero, zero
  return iota_2x32_shape_p.bind(shape=shape)


# --- raw threefry keys: uint32[2] ---------------------------------------------------------


def _key_words(key):
  """The two uint32 words of a raw key ``uint32[2]``, as scalars."""
  k1 = lax.reshape(lax.slice(key, (0,), (1,)), ())
  k2 = lax.reshape(lax.slice(key, (1,), (2,)), ())
  return k1, k2


def threefry_seed(seed):
  """A raw key ``uint32[2]`` from an integer scalar: its 64 bits as (high, low) words.

  A seed of 32 bits or fewer has a zero high word; negative seeds wrap.

  >>> import numpy as np
  >>> from jaxlite import prng
  >>> prng.threefry_seed(np.int32(42))
  Array([ 0, 42], dtype=uint32)
  """
  check_seed(seed)
  return _threefry_seed(seed)


def check_seed(seed):
  """TypeError (JAX's messages) unless ``seed`` is an integer scalar."""
  aval = core.get_aval(seed)
  if aval.shape:
    raise TypeError(f"PRNG key seed must be a scalar; got {seed!r}.")
  if not dtypes.issubdtype(aval.dtype, np.integer):
    raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")


def _threefry_seed_impl(seed):
  lo = lax.convert_element_type(seed, _U32)  # keeps the low 32 bits, sign-extending
  if core.get_aval(seed).dtype.itemsize > 4:
    hi = lax.convert_element_type(
        lax.shift_right_logical(seed, lax.full((), 32, core.get_aval(seed).dtype)), _U32)
  else:
    hi = lax.full((), 0, _U32)
  return lax.concatenate([lax.reshape(hi, (1,)), lax.reshape(lo, (1,))], 0)


def threefry_2x32(keypair, count):
  """Hashes the ``uint32`` array ``count`` with the raw key ``keypair``: its
  flattened halves are the two counter words (padded by one zero when odd).

  >>> import numpy as np
  >>> from jaxlite import prng
  >>> prng.threefry_2x32(np.array([0, 0], np.uint32), np.array([0, 0], np.uint32))
  Array([1797259609, 2579123966], dtype=uint32)
  """
  k1, k2 = _key_words(keypair)
  aval = core.get_aval(count)
  if aval.dtype != _U32:
    raise TypeError(f"threefry_2x32 requires uint32 arguments, got {aval.dtype}")
  flat = lax.reshape(count, (aval.size,))
  odd = aval.size % 2
  if odd:
    flat = lax.concatenate([flat, lax.full((1,), 0, _U32)], 0)
  half = (aval.size + odd) // 2
  x1 = lax.slice(flat, (0,), (half,))
  x2 = lax.slice(flat, (half,), (2 * half,))
  out = lax.concatenate(list(threefry2x32_p.bind(k1, k2, x1, x2)), 0)
  if odd:
    out = lax.slice(out, (0,), (aval.size,))
  return lax.reshape(out, aval.shape)


def _split_impl(key, shape):
  k1, k2 = _key_words(key)
  hi, lo = iota_2x32_shape(shape)
  b1, b2 = threefry2x32_p.bind(k1, k2, hi, lo)
  # stacked as JAX's split stacks them (no shape check before lowering, so a
  # negative count fails where JAX's does)
  return lax.stack([b1, b2], axis=len(shape))


def _fold_in_impl(key, data):
  return threefry_2x32(key, _threefry_seed_impl(data))


def _random_bits_impl(key, bit_width, shape, finish=None):
  k1, k2 = _key_words(key)
  size = math.prod(shape)
  if _BLOCKED_FROM <= size < 2 ** 31:
    return lax.reshape(_blocked_random_bits(k1, k2, bit_width, size, finish), shape)
  hi, lo = iota_2x32_shape(shape)
  bits = _combine_words(threefry2x32_p.bind(k1, k2, hi, lo), bit_width)
  return bits if finish is None else finish(bits)


def _combine_words(words, bit_width):
  """The bits of each element from the two hashed words of its counter."""
  b1, b2 = words
  dtype = UINT_DTYPES[bit_width]
  if bit_width == 64:
    b1 = lax.convert_element_type(b1, dtype)
    b2 = lax.convert_element_type(b2, dtype)
    return lax.bitwise_or(lax.shift_left(b1, lax.full((), 32, dtype)), b2)
  bits = lax.bitwise_xor(b1, b2)
  return bits if bit_width == 32 else lax.convert_element_type(bits, dtype)


# Large outputs are hashed in blocks of _BLOCK counters, in a loop that writes
# each block into the result: the hash's temporaries are then the size of a
# block, not of the output (counter-based, so the bits are the same).
_BLOCK = 1 << 20
_BLOCKED_FROM = 1 << 22


def _blocked_random_bits(k1, k2, bit_width, size, finish=None):
  """``size`` (< 2**31) flat random bits, hashed ``_BLOCK`` counters at a time,
  each block passed through the elementwise ``finish`` when given.

  Element ``i`` hashes the counter ``(0, i)``, as ``iota_2x32_shape`` gives it
  for a row-major flat index below 2**32."""
  def block(start, n):
    lo = lax.add(lax.iota(_U32, n),
                 lax.broadcast_in_dim(lax.convert_element_type(start, _U32), (n,), ()))
    hi = lax.full((n,), 0, _U32)
    bits = _combine_words(threefry2x32_p.bind(k1, k2, hi, lo), bit_width)
    return bits if finish is None else finish(bits)

  def body(i, out):
    start = lax.mul(lax.convert_element_type(i, np.int32), np.int32(_BLOCK))
    return lax.dynamic_update_slice(out, block(start, _BLOCK), (start,))

  full, tail = divmod(size, _BLOCK)
  # The first block outside the loop gives the result's dtype (finish's).
  first = block(np.int32(0), _BLOCK)
  out = lax.full((size,), 0, core.get_aval(first).dtype)
  out = lax.dynamic_update_slice(out, first, (np.int32(0),))
  out = lax.fori_loop(np.int32(1), np.int32(full), body, out)
  if tail:
    start = np.int32(full * _BLOCK)
    out = lax.dynamic_update_slice(out, block(start, tail), (start,))
  return out


def static_jit(fun, num_static: int = 0, inline: bool = False):
  """``fun`` jitted with its last ``num_static`` arguments static.

  One jitted closure per value of the static arguments, so that a call has
  only array arguments and takes jit's fast path: an eager ``split`` or
  ``normal`` is then a single cached dispatch, as in JAX."""
  from jaxlite import api
  cache = {}

  def call(*args):
    cut = len(args) - num_static
    dynamic, static = args[:cut], args[cut:]
    compiled = cache.get(static)
    if compiled is None:
      compiled = cache[static] = api.jit(lambda *dyn: fun(*dyn, *static), inline=inline)
      compiled.__name__ = getattr(fun, "__name__", "fun")
    return compiled(*dynamic)
  call.__wrapped__ = fun
  call.compiled = cache   # for callers that look a program up themselves (sampler_jit)
  return call


_threefry_seed = static_jit(_threefry_seed_impl, inline=True)
_threefry_split = static_jit(_split_impl, 1, inline=True)
_threefry_fold_in = static_jit(_fold_in_impl, inline=True)
_threefry_random_bits = static_jit(_random_bits_impl, 2, inline=True)


def _check_partitionable():
  if not config.jax_threefry_partitionable:
    raise NotImplementedError(
        "jaxlite implements the partitionable threefry scheme only (JAX's default since "
        "0.5); jax_threefry_partitionable=False is not supported.")


def threefry_split(key, shape):
  """``prod(shape)`` new raw keys, shaped ``(*shape, 2)``: key ``i`` hashes
  the 64-bit counter ``i`` (JAX's partitionable split)."""
  _check_partitionable()
  return _threefry_split(key, tuple(operator.index(d) for d in shape))


def threefry_fold_in(key, data):
  """A new raw key from ``key`` and a ``uint32`` scalar ``data``."""
  return _threefry_fold_in(key, data)


def threefry_random_bits(key, bit_width, shape, finish=None):
  """``uint<bit_width>`` random bits of ``shape`` from one raw key.

  ``finish``, an elementwise function, is applied to the bits (a sampler's
  transformation, called while the sampler is traced): large outputs apply it
  block by block as the bits are made, so no bits array of the output's size
  exists beside the result."""
  if bit_width not in (8, 16, 32, 64):
    raise TypeError("requires 8-, 16-, 32- or 64-bit field width.")
  _check_partitionable()
  shape = tuple(operator.index(d) for d in shape)
  if math.prod(shape) > 2 ** 64:
    raise NotImplementedError("random bits array of size exceeding 2 ** 64")
  if finish is not None:
    return _random_bits_impl(key, bit_width, shape, finish)
  return _threefry_random_bits(key, bit_width, shape)


class PRNGImpl(NamedTuple):
  """A PRNG implementation: its raw key shape and the functions on raw keys.

  ``seed: int[] -> K``, ``split[shape]: K -> K[*shape]``,
  ``fold_in: K, uint32[] -> K``, ``random_bits[bit_width, shape]: K -> uint[*shape]``.
  """
  key_shape: tuple
  seed: Callable
  split: Callable
  random_bits: Callable
  fold_in: Callable
  name: str = "<unnamed>"
  tag: str = "?"

  def __hash__(self):
    return hash(self.tag)

  def __str__(self):
    return self.tag


threefry_prng_impl = PRNGImpl(key_shape=(2,), seed=threefry_seed, split=threefry_split,
                              random_bits=threefry_random_bits, fold_in=threefry_fold_in,
                              name="threefry2x32", tag="fry")
prngs: dict[str, PRNGImpl] = {"threefry2x32": threefry_prng_impl}

# The order JAX 0.10.2 registers its implementations in (its error messages list them so).
_REGISTRATION_ORDER = ("philox2x32", "philox4x32", "threefry2x32", "rbg", "unsafe_rbg",
                       "threefry4x32")


def register_prng(impl: PRNGImpl):
  """Makes ``impl`` available by its name (``jax.random.key(0, impl=name)``).

  >>> import jaxlite.random  # registers the others
  >>> register_prng(threefry_prng_impl)
  >>> list(prngs)[:3]
  ['philox2x32', 'philox4x32', 'threefry2x32']
  """
  prngs.setdefault(impl.name, impl)
  rank = {name: i for i, name in enumerate(_REGISTRATION_ORDER)}
  ordered = sorted(prngs.items(), key=lambda item: rank.get(item[0], len(rank)))
  prngs.clear()
  prngs.update(ordered)


def default_prng_impl() -> PRNGImpl:
  """The implementation named by ``jax_default_prng_impl``."""
  name = config.jax_default_prng_impl
  if name not in prngs:
    # The others register when jaxlite.random is imported (it sits above this module).
    import jaxlite.random  # noqa: F401  pylint: disable=g-import-not-at-top
  return prngs[name]


# --- typed key arrays ---------------------------------------------------------------------


class prng_key(dtypes.extended):
  """Scalar type of all PRNG key dtypes: ``issubdtype(keys.dtype, prng_key)``."""


class KeyTy(dtypes.ExtendedDType):
  """The dtype of a key array, e.g. ``key<fry>`` for threefry2x32."""
  type = prng_key

  def __init__(self, impl: PRNGImpl):
    self._impl = impl

  @property
  def name(self) -> str:
    return f"key<{self._impl.tag}>"

  @property
  def itemsize(self) -> int:
    return math.prod(self._impl.key_shape) * 4

  def __repr__(self):
    return self.name

  __str__ = __repr__

  def __eq__(self, other):
    return type(other) is KeyTy and self._impl == other._impl

  def __hash__(self):
    return hash((KeyTy, self._impl))

  @property
  def _rules(self):
    """How layers below ``random`` treat key arrays (JAX's ``KeyTyRules``): a
    key is stored as ``uint32[*impl.key_shape]``, has ``float0`` tangents, and
    a program's key results are wrapped back into ``PRNGKeyArray``s."""
    return _KeyRules(self._impl)


class _KeyRules:
  __slots__ = ("_impl",)
  allow_conversion = False

  def __init__(self, impl):
    self._impl = impl

  def physical_element_aval(self, dtype):
    return core.ShapedArray(self._impl.key_shape, _U32)

  def tangent_dtype(self, dtype):
    return dtypes.float0

  def physical_aval(self, aval):
    """``key<fry>[*s]`` -> ``u32[*s, 2]``: the array a key array is stored as."""
    return core.ShapedArray(tuple(aval.shape) + self._impl.key_shape, _U32)

  def full(self, shape, fill_value, dtype):
    """``jnp.zeros_like(keys)``/``full_like(keys, key)``: key arrays whose data is
    ``fill_value`` (a number in every word, or one key's data), as JAX's.

    >>> from jaxlite import random
    >>> random.key_data(random.key(0).dtype._rules.full((2,), 3, None))
    Array([[3, 3],
           [3, 3]], dtype=uint32)
    """
    from jaxlite.random import key_primitives  # pylint: disable=g-import-not-at-top
    physical_shape = tuple(shape) + self._impl.key_shape
    if isinstance(getattr(getattr(fill_value, "aval", None), "dtype", None), KeyTy):
      data = key_primitives.random_unwrap(fill_value)
      data = lax.broadcast_in_dim(data, physical_shape, tuple(
          range(len(physical_shape) - np.ndim(data), len(physical_shape))))
    else:
      data = lax.full(physical_shape, fill_value, _U32)
    return key_primitives.random_wrap(data, impl=self._impl)

  def wrap_physical(self, data):
    """A program's result of a key type: its key data, wrapped."""
    return PRNGKeyArray(self._impl, data)


def check_key_data(impl: PRNGImpl, key_data):
  """TypeError (JAX's messages) unless ``key_data`` is ``uint32[..., *key_shape]``."""
  if not all(hasattr(key_data, a) for a in ("ndim", "shape", "dtype")):
    raise TypeError("JAX encountered invalid PRNG key data: expected key_data to have "
                    f"ndim, shape, and dtype attributes. Got {key_data}")
  n = len(impl.key_shape)
  if key_data.ndim < 1:
    raise TypeError("JAX encountered invalid PRNG key data: expected key_data.ndim >= 1; "
                    f"got ndim={key_data.ndim}")
  if tuple(key_data.shape[-n:]) != impl.key_shape:
    raise TypeError("JAX encountered invalid PRNG key data: expected key_data.shape to end "
                    f"with {impl.key_shape}; got shape={tuple(key_data.shape)} for "
                    f"impl={impl.name}")
  if key_data.dtype != _U32:
    raise TypeError("JAX encountered invalid PRNG key data: expected key_data.dtype = "
                    f"uint32; got dtype={key_data.dtype}")


class PRNGKeyArray(_AbstractArray):  # a jax.Array, as JAX's key arrays are
  """An array of PRNG keys (``jax.random.key``), shaped like the keys, whose
  dtype names the implementation (``key<fry>``).

  It holds the raw key data ``uint32[*shape, *impl.key_shape]``; like any
  array it is a pytree leaf, of type ``key<fry>[*shape]`` under
  transformations (see ``jaxlite.random.key_primitives``). It has no
  arithmetic.

  >>> from jaxlite import random
  >>> random.key(0)
  Array((), dtype=key<fry>) overlaying:
  [0 0]
  """
  __slots__ = ("_impl", "_base_array")
  __array_priority__ = 100
  __hash__ = None

  def __init__(self, impl: PRNGImpl, key_data):
    self._impl = impl
    self._base_array = key_data

  @property
  def dtype(self):
    return KeyTy(self._impl)

  @property
  def shape(self):
    return tuple(self._base_array.shape[:-len(self._impl.key_shape)])

  @property
  def aval(self):
    """``key<fry>[*shape]``: a key array is one value of a key type to
    ``jit``, ``vmap`` and jaxprs (``jax.typeof(random.key(0))``)."""
    return _key_aval(self.shape, self._impl)

  weak_type = False
  ndim = property(lambda self: len(self.shape))
  size = property(lambda self: math.prod(self.shape))
  itemsize = property(lambda self: self.dtype.itemsize)
  nbytes = property(lambda self: self.size * self.itemsize)
  device = property(lambda self: self._base_array.device)
  @property
  def sharding(self):
    """The key data's sharding with one spec entry per key dimension (as
    JAX's: a scalar key on a mesh is ``P()`` where its key data are
    ``P(None,)``, and ``P()`` key data of a row of keys give ``P(None,)``)."""
    sharding = self._base_array.sharding
    spec = getattr(sharding, "spec", None)
    ndim = self.ndim
    if spec is not None and len(spec) != ndim:
      from jaxlite.sharding import NamedSharding, PartitionSpec  # pylint: disable=g-import-not-at-top
      if type(sharding) is NamedSharding:
        entries = (tuple(spec) + (None,) * ndim)[:ndim]
        return NamedSharding(sharding.mesh, PartitionSpec(*entries),
                             memory_kind=sharding.memory_kind)
    return sharding

  def _wrap(self, data):
    return PRNGKeyArray(self._impl, data)

  def __len__(self):
    if not self.shape:
      raise TypeError("len() of unsized object")
    return self.shape[0]

  def __iter__(self):
    if not self.shape:
      raise TypeError("iteration over a 0-d key array")
    # All rows in one dispatch (``k1, k2 = split(key)`` runs every step).
    return iter([self._wrap(row) for row in _unstack(self._base_array)])

  def __bool__(self):
    raise TypeError("key array cannot be converted to boolean.")

  def __array__(self, dtype=None, copy=None):
    raise TypeError("JAX array with PRNGKey dtype cannot be converted to a NumPy array. "
                    "Use jax.random.key_data(arr) if you wish to extract the underlying "
                    "integer array.")

  def __eq__(self, other):
    if not isinstance(other, PRNGKeyArray) or other.dtype != self.dtype:
      return NotImplemented
    axes = tuple(range(self.ndim, self._base_array.ndim))
    eq = lax.eq(self._base_array, other._base_array)
    return lax.reduce_and(eq, axes)

  def __ne__(self, other):
    eq = self.__eq__(other)
    return eq if eq is NotImplemented else lax.bitwise_not(eq)

  def __repr__(self):
    if isinstance(self._base_array, core.Tracer):
      # A traced key prints as its tracer does, with the key type: JitTracer(key<fry>[]).
      kind = repr(self._base_array).split("(")[0]
      return f"{kind}({self.dtype.name}[{','.join(map(str, self.shape))}])"
    return (f"Array({self.shape}, dtype={self.dtype.name}) overlaying:\n"
            f"{np.asarray(self._base_array)}")

  def copy(self):
    return self._wrap(self._base_array)

  def block_until_ready(self):
    self._base_array.block_until_ready()
    return self

  def is_deleted(self):
    return self._base_array.is_deleted()

  def delete(self):
    self._base_array.delete()

  def _check_if_deleted(self):
    self._base_array._check_if_deleted()


@functools.lru_cache(maxsize=256)
def _key_aval(shape, impl) -> core.ShapedArray:
  # Cached: ShapedArray first tries np.dtype(key<fry>), which raises.
  return core.ShapedArray(shape, KeyTy(impl))


def _unstack_impl(x):
  return [lax.index_in_dim(x, i, 0, keepdims=False) for i in range(core.get_aval(x).shape[0])]


_unstack = static_jit(_unstack_impl, inline=True)


def _install_array_methods():
  # Indexing, ``.at``, reshape/transpose/T and the operators are jnp's, on the
  # key array itself (as JAX's): under jit they stage the structural
  # primitives on key<fry> values, eagerly they run as jitted calls of them.
  from jaxlite.numpy import array_methods  # pylint: disable=g-import-not-at-top
  array_methods.install_on_key_arrays(PRNGKeyArray)


_install_array_methods()

