"""PRNG keys: creating, splitting, folding in data and drawing raw bits.

Two kinds of key are accepted everywhere: legacy raw keys (``PRNGKey``, a
``uint32[2]`` array) and typed keys (``key``, a ``PRNGKeyArray`` of dtype
``key<fry>``). Functions return the kind they were given.
"""
from __future__ import annotations

import math
import operator
import warnings
from typing import Sequence

import numpy as np

from jaxlite import core, dtypes, lax, prng
from jaxlite.config import config
from jaxlite.prng import KeyTy, PRNGImpl, PRNGKeyArray
from jaxlite.random import key_primitives as kp

__all__ = ["PRNGKey", "key", "key_data", "wrap_key_data", "key_impl", "key_dtype",
           "split", "fold_in", "bits", "default_prng_impl", "clone", "PRNGKeyArray",
           "KeyArray"]

KeyArray = PRNGKeyArray


def default_prng_impl() -> PRNGImpl:
  """The PRNG implementation named by ``jax_default_prng_impl`` (threefry2x32).

  >>> from jaxlite import random
  >>> random.default_prng_impl().name
  'threefry2x32'
  """
  return prng.default_prng_impl()


def _resolve_impl(impl_spec) -> PRNGImpl:
  if impl_spec is None:
    return prng.default_prng_impl()
  if isinstance(impl_spec, PRNGImpl):
    return impl_spec
  if isinstance(impl_spec, KeyTy):
    return impl_spec._impl
  if isinstance(impl_spec, str):
    if impl_spec in prng.prngs:
      return prng.prngs[impl_spec]
    names = ", ".join(f'"{s}"' for s in prng.prngs)
    raise ValueError(f'unrecognized PRNG implementation "{impl_spec}". '
                     f"Did you mean one of: {names}?")
  if isinstance(getattr(impl_spec, "_impl", None), PRNGImpl):   # jax.extend's PRNGSpec
    return impl_spec._impl
  raise TypeError(f"unrecognized type {type(impl_spec)} for specifying PRNG implementation.")


def key_dtype(impl_spec=None) -> KeyTy:
  """The key dtype of a PRNG implementation (default: the configured one).

  >>> from jaxlite import random
  >>> random.key_dtype()
  key<fry>
  """
  return KeyTy(_resolve_impl(impl_spec))


def _is_key_array(x) -> bool:
  return kp.is_key_value(x)


def _check_prng_key(name: str, key, *, allow_batched: bool = False):
  """(typed key, was_raw): raw ``uint32[..., 2]`` keys are wrapped (``random_wrap``,
  as in JAX), after JAX's checks. A typed key is a ``PRNGKeyArray`` or a tracer
  of a key type."""
  if type(key) is PRNGKeyArray and (
      allow_batched or len(key._base_array.aval.shape) == len(key._impl.key_shape)):
    return key, False   # a single concrete key (every eager call): no shape to build
  if _is_key_array(key):
    typed, wrapped = key, False
  elif isinstance(key, (np.ndarray, np.generic, core.Tracer)) or hasattr(key, "aval"):
    impl = prng.default_prng_impl()
    prng.check_key_data(impl, key)
    typed, wrapped = kp.random_wrap(key, impl=impl), True
    mode = config.jax_legacy_prng_key
    msg = ("Legacy uint32 key array passed as key to jax.random function. Please create "
           "keys using jax.random.key(). If use of a raw key array was intended, set "
           'jax_legacy_prng_key="allow".')
    if mode == "error":
      raise ValueError(msg)
    if mode == "warn":
      warnings.warn(msg, stacklevel=3)
  else:
    raise TypeError(f"unexpected PRNG key type {type(key)}")
  if not allow_batched and typed.ndim:
    raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                     f"{typed.shape} != (). Use jax.vmap for batching.")
  return typed, wrapped


def _return_keys(was_wrapped: bool, keys: PRNGKeyArray):
  if was_wrapped and not config.jax_enable_custom_prng:
    return kp.random_unwrap(keys)
  return keys


def _seed(ctor_name: str, seed, impl: PRNGImpl) -> PRNGKeyArray:
  if _is_key_array(seed):
    raise TypeError(f"{ctor_name} accepts a scalar seed, but was given a PRNG key.")
  if np.ndim(seed):
    raise TypeError(f"{ctor_name} accepts a scalar seed, but was given an array of shape "
                    f"{np.shape(seed)} != (). Use jax.vmap for batching")
  if isinstance(seed, (bool, np.bool_)) or (
      not isinstance(seed, int) and not dtypes.issubdtype(dtypes.dtype(seed), np.integer)):
    raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
  if isinstance(seed, int):
    # A Python int is read as int64 first (so hashes work with x64 off) and
    # then narrowed like any array.
    seed = np.asarray(np.int64(seed)).astype(dtypes.canonicalize_dtype(np.int64))
  elif isinstance(seed, (np.ndarray, np.generic)):
    seed = np.asarray(seed, dtypes.canonicalize_dtype(seed.dtype))
  offset = config.jax_random_seed_offset
  if offset:
    seed = lax.add(seed, lax.convert_element_type(offset, core.get_aval(seed).dtype))
  return kp.random_seed(seed, impl)


def key(seed, *, impl=None, dtype=None) -> PRNGKeyArray:
  """A typed PRNG key (a scalar array of dtype ``key<fry>``) from an integer seed.

  Args:
    seed: a 64- or 32-bit integer.
    impl, dtype: optionally the PRNG implementation (``'threefry2x32'`` or a
      key dtype); only one of the two may be given.

  >>> from jaxlite import random
  >>> k = random.key(0)
  >>> k.shape, k.dtype
  ((), key<fry>)
  """
  if dtype is not None:
    if impl is not None:
      raise ValueError("Cannot specify both `impl` and `dtype` arguments to jax.random.key")
    impl = dtype
  return _seed("key", seed, _resolve_impl(impl))


def PRNGKey(seed, *, impl=None):
  """A legacy PRNG key: a ``uint32[2]`` array (JAX's bits for the same seed).

  >>> from jaxlite import random
  >>> random.PRNGKey(42)
  Array([ 0, 42], dtype=uint32)
  """
  return kp.random_unwrap(_seed("PRNGKey", seed, _resolve_impl(impl)))


def key_data(keys):
  """The raw ``uint32`` data under a key array (raw keys are returned as they are).

  >>> from jaxlite import random
  >>> random.key_data(random.key(7))
  Array([0, 7], dtype=uint32)
  """
  typed, wrapped = _check_prng_key("key_data", keys, allow_batched=True)
  return keys if wrapped else kp.random_unwrap(typed)


def wrap_key_data(key_bits_array, *, impl=None, dtype=None) -> PRNGKeyArray:
  """A typed key array over raw key data ``uint32[..., 2]``.

  >>> from jaxlite import random
  >>> k = random.key(42)
  >>> bool(random.wrap_key_data(random.key_data(k)) == k)
  True
  """
  if dtype is not None:
    if impl is not None:
      raise ValueError("Cannot specify both `impl` and `dtype` arguments to "
                       "jax.random.wrap_key_data")
    impl = dtype
  impl = _resolve_impl(impl)
  if isinstance(key_bits_array, (list, tuple, int)):
    key_bits_array = np.asarray(key_bits_array)
  return kp.random_wrap(key_bits_array, impl=impl)


def key_impl(keys):
  """The name of the implementation behind ``keys``.

  >>> from jaxlite import random
  >>> random.key_impl(random.key(0))
  'threefry2x32'
  """
  typed, _ = _check_prng_key("key_impl", keys, allow_batched=True)
  return kp.impl_of(typed).name


def _split(typed: PRNGKeyArray, num=2) -> PRNGKeyArray:
  if typed.ndim:
    raise TypeError("split accepts a single key, but was given a key array of shape "
                    f"{typed.shape} != (). Use jax.vmap for batching.")
  shape = tuple(num) if isinstance(num, Sequence) else (num,)
  shape = tuple(operator.index(d) for d in shape)
  if kp.impl_of(typed) is prng.threefry_prng_impl:
    prng._check_partitionable()   # pylint: disable=protected-access
  return kp.random_split(typed, shape)


def split(key, num: int | tuple[int, ...] = 2):
  """Splits a key into ``num`` new keys (a new leading axis, or a shape).

  >>> from jaxlite import random
  >>> random.split(random.PRNGKey(0))
  Array([[1797259609, 2579123966],
         [ 928981903, 3453687069]], dtype=uint32)
  """
  typed, wrapped = _check_prng_key("split", key)
  return _return_keys(wrapped, _split(typed, num))


def fold_in(key, data):
  """A new key from ``key`` and a 32-bit integer ``data`` (e.g. a step number).

  >>> from jaxlite import random
  >>> random.fold_in(random.PRNGKey(0), 7)
  Array([2716826189,  292468403], dtype=uint32)
  """
  typed, wrapped = _check_prng_key("fold_in", key)
  if np.ndim(data):
    raise TypeError("fold_in accepts a scalar, but was given an array of"
                    f"shape {np.shape(data)} != (). Use jax.vmap for batching.")
  if isinstance(data, int):
    data = np.asarray(data, np.uint32)  # OverflowError for out-of-range ints, as JAX
  else:
    data = lax.convert_element_type(data, np.uint32)
  return _return_keys(wrapped, kp.random_fold_in(typed, data))


def clone(key):
  """A copy of ``key`` (an identity here: jaxlite does not track key reuse).

  >>> from jaxlite import random
  >>> random.clone(random.PRNGKey(1))
  Array([0, 1], dtype=uint32)
  """
  return key


def _random_bits(typed: PRNGKeyArray, bit_width: int, shape, finish=None) -> "Array":
  """Random bits, passed through the elementwise ``finish`` when given (for
  threefry, block by block inside the program: see prng.threefry_random_bits)."""
  impl = kp.impl_of(typed)
  if impl is prng.threefry_prng_impl:
    if bit_width not in (8, 16, 32, 64):
      raise TypeError("requires 8-, 16-, 32- or 64-bit field width.")
    prng._check_partitionable()   # pylint: disable=protected-access
    if finish is not None and math.prod(shape) >= prng._BLOCKED_FROM:
      # Hashed and finished block by block (see prng.threefry_random_bits).
      return prng.threefry_random_bits(kp.random_unwrap(typed), bit_width, shape,
                                       finish=finish)
  bits = kp.random_bits(typed, bit_width, shape)
  return bits if finish is None else finish(bits)


def sampler_jit(fun, num_static: int, name: str | None = None):
  """``fun(key, *args)`` jitted with its last ``num_static`` arguments static,
  as JAX jits its samplers: traced, it stages ``jit[name=_uniform ...]`` over
  the typed key. A concrete key array is passed as its raw key data to a
  program that wraps it again, so an eager sampler call with array (or no)
  arguments takes jit's fast path: one cached dispatch."""
  name = name or fun.__name__.removesuffix("_impl")

  def over_key_data(*args):
    cut = len(args) - num_static - 1
    base, dynamic, impl, static = args[0], args[1:cut], args[cut], args[cut + 1:]
    return fun(kp.random_wrap(base, impl=impl), *dynamic, *static)
  eager = prng.static_jit(over_key_data, num_static + 1)
  compiled_for = eager.compiled   # (impl, *static) -> its jitted program
  traced = {}

  def call(key, *args):
    cut = len(args) - num_static
    if isinstance(key, PRNGKeyArray):
      if not cut:   # the key is the only array: its program directly, once compiled
        compiled = compiled_for.get((key._impl, *args))
        if compiled is not None:
          return compiled(key._base_array)
      return eager(key._base_array, *args[:cut], key._impl, *args[cut:])
    static = args[cut:]
    jitted = traced.get(static)
    if jitted is None:
      from jaxlite import api  # pylint: disable=g-import-not-at-top
      def bound(*dyn):
        return fun(*dyn, *static)
      bound.__name__ = bound.__qualname__ = name   # the name jaxprs print
      jitted = traced[static] = api.jit(bound)
    return jitted(key, *args[:cut])
  call.__wrapped__ = fun
  return call


def canonicalize_shape(shape, context="") -> tuple[int, ...]:
  """``shape`` as a tuple of ints; JAX's TypeError for anything else."""
  if type(shape) is tuple:   # the common case, already canonical: no generator
    for d in shape:
      if type(d) is not int:
        break
    else:
      return shape
  if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
    shape = (shape,)
  try:
    return tuple(operator.index(d) for d in shape)
  except TypeError:
    pass
  msg = ("Shapes must be 1D sequences of concrete values of integer type, "
         f"got {shape}.")
  if context:
    msg += f" {context}"
  if any(isinstance(d, core.Tracer) for d in np.atleast_1d(np.asarray(shape, object))):
    msg += ("\nIf using `jit`, try using `static_argnums` or applying `jit` to "
            "smaller subfunctions.")
  raise TypeError(msg)


def bits(key, shape=(), dtype=None, *, out_sharding=None):
  """Uniform random bits as unsigned integers of ``dtype`` (default uint32).

  >>> from jaxlite import random
  >>> random.bits(random.PRNGKey(0), (2,))
  Array([4070199207, 4202968722], dtype=uint32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    from jaxlite.lax.out_sharding import place  # pylint: disable=g-import-not-at-top
    return place(bits(key, shape=shape, dtype=dtype), out_sharding, "bits")
  typed, _ = _check_prng_key("bits", key)
  if dtype is None:
    dtype = dtypes.default_uint_dtype()
  else:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "bits")
  if not dtypes.issubdtype(dtype, np.unsignedinteger):
    raise ValueError("dtype argument to `bits` must be an unsigned int dtype, "
                     f"got {dtype}")
  shape = canonicalize_shape(shape)
  return _random_bits(typed, np.dtype(dtype).itemsize * 8, shape)
