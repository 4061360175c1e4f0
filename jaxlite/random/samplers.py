"""Samplers built on uniform bits: uniform, normal, randint and the
distributions obtained from them by a transformation.

Each public function validates its arguments as JAX does and calls a jitted
implementation (compiled once per key kind, shape and dtype), using the same
algorithm as JAX so that the same key gives the same numbers.
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.config import config
from jaxlite.interpreters.ad import stop_gradient
from jaxlite.random.keys import (_check_prng_key, _random_bits, _split, canonicalize_shape,
                                 sampler_jit)
from jaxlite.prng import UINT_DTYPES

__all__ = ["uniform", "normal", "randint", "bernoulli", "truncated_normal", "exponential",
           "gumbel", "laplace", "logistic", "cauchy", "rademacher", "pareto", "rayleigh",
           "lognormal", "triangular", "wald", "geometric", "weibull_min", "maxwell",
           "double_sided_maxwell"]


# --- argument helpers -----------------------------------------------------------------


def _float_dtype(name, dtype, kinds=np.floating):
  if dtype is None:   # the default float (a floating dtype: nothing to check)
    return dtypes.default_float_dtype()
  dtype = dtypes.check_and_canonicalize_user_dtype(dtype, name)
  if not dtypes.issubdtype(dtype, kinds):
    kind = "float" if kinds is np.floating else "float or complex"
    raise ValueError(f"dtype argument to `{name}` must be a {kind} dtype, got {dtype}")
  return np.dtype(dtype)


def broadcast_shapes(*shapes):
  """NumPy's broadcast of ``shapes``; ValueError naming them if incompatible."""
  try:
    return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
  except ValueError:
    raise ValueError(f"Incompatible shapes for broadcasting: shapes={list(shapes)}") from None


def _check_shape(name, shape, *param_shapes):
  if param_shapes:
    shape_ = broadcast_shapes(shape, *param_shapes)
    if tuple(shape) != shape_:
      raise ValueError(
          f"{name} parameter shapes must be broadcast-compatible with shape argument, "
          "and the result of broadcasting the shapes must equal the shape argument, "
          f"but got result {shape_} for shape argument {tuple(shape)}.")


def _shape_or_params(name, shape, *params):
  """``shape`` checked against the parameters' shapes, or their broadcast."""
  if shape is None:
    return broadcast_shapes(*[np.shape(p) for p in params])
  shape = canonicalize_shape(shape)
  _check_shape(name, shape, *[np.shape(p) for p in params])
  return shape


def _const(dtype, value):
  return np.array(value, dtype)


def _to_rank(x, shape):
  """``x`` (converted to ``shape``'s dtype by the caller) broadcast to ``shape``."""
  x_shape = np.shape(x)
  if tuple(x_shape) == tuple(shape):
    return x
  dims = tuple(range(len(shape) - len(x_shape), len(shape)))
  return lax.broadcast_in_dim(x, shape, dims)


def _astype(x, dtype):
  return lax.convert_element_type(x, dtype)


# --- uniform and normal ---------------------------------------------------------------


def uniform(key, shape=(), dtype=None, minval=0., maxval=1., *, out_sharding=None):
  """Uniform random values in ``[minval, maxval)``.

  The mantissa of a float in [1, 2) is filled with random bits, then shifted
  and scaled (so every value is a multiple of ``2**-nmant``).

  Args:
    key: a PRNG key.
    shape: the result shape (default ``()``).
    dtype: a float dtype (default float32, float64 with x64).
    minval, maxval: bounds broadcast-compatible with ``shape``.

  >>> from jaxlite import random
  >>> random.uniform(random.PRNGKey(0), (3,))
  Array([0.947667  , 0.9785799 , 0.33229148], dtype=float32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(uniform(key, shape=shape, dtype=dtype, minval=minval, maxval=maxval),
                    out_sharding, "uniform")
  typed, _ = _check_prng_key("uniform", key)
  dtype = _float_dtype("uniform", dtype)
  shape = canonicalize_shape(shape)
  return _uniform(typed, minval, maxval, shape, dtype)


def _uniform_impl(key, minval, maxval, shape, dtype):
  _check_shape("uniform", shape)
  finfo = dtypes.finfo(dtype)
  nbits, nmant = finfo.bits, finfo.nmant
  if nbits not in (8, 16, 32, 64):
    raise TypeError(f"uniform only accepts 8-, 16-, 32-, or 64-bit dtypesgot {dtype}.")
  # As JAX's: the bounds keep their shape, raised to the result's rank (size-1
  # axes broadcast in the arithmetic below).
  minval, maxval = _astype(minval, dtype), _astype(maxval, dtype)
  minval = lax.broadcast_to_rank(minval, len(shape))
  maxval = lax.broadcast_to_rank(maxval, len(shape))
  rng_bits = 8 if nmant < 8 else nbits
  uint = UINT_DTYPES[nbits]

  def to_floats(bits):   # elementwise, so large outputs run it block by block
    if rng_bits != nbits:
      bits = _astype(bits, uint)
    # Random mantissa bits under the exponent of 1.0: a float in [1, 2).
    float_bits = lax.bitwise_or(lax.shift_right_logical(bits, _const(uint, rng_bits - nmant)),
                                np.array(1.0, dtype).view(uint))
    floats = lax.sub(lax.bitcast_convert_type(float_bits, dtype), _const(dtype, 1.))
    lo, hi = minval, maxval
    if np.shape(bits) != tuple(shape):   # a block of the flattened result
      lo, hi = (lax.reshape(b, (1,)) if math.prod(np.shape(b)) == 1 else b
                for b in (lo, hi))
    return lax.max(lo, lax.reshape(lax.add(lax.mul(floats, lax.sub(hi, lo)), lo),
                                   np.shape(bits)))
  if np.shape(minval) != (1,) * len(shape):   # bounds per element: on the whole array
    return to_floats(_random_bits(key, rng_bits, shape))
  return _random_bits(key, rng_bits, shape, finish=to_floats)


_uniform = sampler_jit(_uniform_impl, 2)


def normal(key, shape=(), dtype=None, *, out_sharding=None):
  """Standard normal random values: ``sqrt(2) * erf_inv(u)`` for uniform ``u`` in (-1, 1).

  Complex dtypes give real and imaginary parts of variance 1/2 each.

  >>> from jaxlite import random
  >>> random.normal(random.PRNGKey(0), (3,))
  Array([ 1.6226422 ,  2.0252647 , -0.43359444], dtype=float32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(normal(key, shape=shape, dtype=dtype),
                    out_sharding, "normal")
  typed, _ = _check_prng_key("normal", key)
  shape = canonicalize_shape(shape)
  dtype = _float_dtype("normal", dtype, np.inexact)
  return _normal(typed, shape, dtype)


def _normal_real_impl(key, shape, dtype):
  lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
  u = _uniform(key, lo, np.array(1., dtype), shape, dtype)
  return lax.mul(_const(dtype, np.sqrt(2)), lax.erf_inv(u))


_normal_real = sampler_jit(_normal_real_impl, 2)


def _normal_impl(key, shape, dtype):
  if dtypes.issubdtype(dtype, np.complexfloating):
    real_dtype = np.array(0, dtype).real.dtype
    key_re, key_im = _split(key)
    re = _normal_real(key_re, shape, real_dtype)
    im = _normal_real(key_im, shape, real_dtype)
    z = lax.complex(re, im)
    return lax.div(z, _const(dtype, np.sqrt(2)))
  return _normal_real(key, shape, dtype)


_normal = sampler_jit(_normal_impl, 2)


# --- integers and booleans -------------------------------------------------------------


def _convert_and_clip_integer(val, dtype):
  """``val`` in ``dtype``, clipped to its range rather than wrapped."""
  from jaxlite import numpy as jnp  # pylint: disable=g-import-not-at-top
  val_dtype = dtypes.dtype(val, canonicalize=True)
  lo = max(int(dtypes.iinfo(dtype).min), int(dtypes.iinfo(val_dtype).min))
  hi = min(int(dtypes.iinfo(dtype).max), int(dtypes.iinfo(val_dtype).max))
  if dtypes.is_weakly_typed(val):   # weak limits for a weak scalar, as JAX's lax._const
    clipped = jnp.clip(val, lo, hi)
  else:
    clipped = jnp.clip(val, _const(val_dtype, lo), _const(val_dtype, hi))
  return lax.convert_element_type(clipped, dtype)


def randint(key, shape, minval, maxval, dtype=None, *, out_sharding=None):
  """Uniform random integers in ``[minval, maxval)``.

  Two words of random bits per value, reduced modulo the span (slightly
  biased when the span is not a power of two, as in JAX).

  >>> from jaxlite import random
  >>> random.randint(random.PRNGKey(0), (4,), 0, 10)
  Array([9, 0, 2, 3], dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(randint(key, shape=shape, minval=minval, maxval=maxval, dtype=dtype),
                    out_sharding, "randint")
  typed, _ = _check_prng_key("randint", key)
  dtype = np.dtype(dtypes.check_and_canonicalize_user_dtype(int if dtype is None else dtype,
                                                            "randint"))
  shape = canonicalize_shape(shape)
  if not dtypes.issubdtype(dtype, np.integer):
    raise TypeError(f"randint only accepts integer dtypes, got {dtype}")
  info = dtypes.iinfo(dtype)
  sampling_dtype = dtype
  minval, maxval = _int_arg(minval), _int_arg(maxval)
  if info.bits < 32:
    # Sample in 32 bits to avoid biased results.
    sampling_dtype = np.dtype(np.int32)
    minval = lax.clamp(np.int32(info.min), _astype(minval, np.int32), np.int32(info.max))
    maxval = lax.clamp(np.int32(info.min), _astype(maxval, np.int32), np.int32(info.max + 1))
  out = _randint(typed, minval, maxval, shape, sampling_dtype)
  return _astype(out, dtype)


def _int_arg(x):
  """An integer bound as an array: Python ints take the default int dtype,
  floats are truncated to it (as ``.astype(int)``)."""
  if isinstance(x, (list, tuple)):
    x = np.asarray(x)
  if isinstance(x, int) and not isinstance(x, bool):
    # Clip out-of-range Python ints to the default int type's range first;
    # the others stay weakly typed, as JAX passes them.
    info = dtypes.iinfo(dtypes.default_int_dtype())
    if int(info.min) <= x <= int(info.max):
      return x
    return np.asarray(min(max(x, int(info.min)), int(info.max)), dtypes.default_int_dtype())
  dt = dtypes.dtype(x)
  if not dtypes.issubdtype(dt, np.integer):
    return _astype(x, dtypes.default_int_dtype())
  return x if not isinstance(x, np.ndarray) else np.asarray(x, dtypes.canonicalize_dtype(dt))


def _randint_impl(key, minval, maxval, shape, dtype):
  _check_shape("randint", shape, np.shape(minval), np.shape(maxval))
  from jaxlite import numpy as jnp  # pylint: disable=g-import-not-at-top
  minval, maxval = jnp.asarray(minval), jnp.asarray(maxval)
  # Is maxval above dtype's maximum? (e.g. randint(key, shape, 0, 256, 'uint8'))
  dtype_max = _convert_and_clip_integer(_const(dtype, dtypes.iinfo(dtype).max), maxval.dtype)
  maxval_out_of_range = lax.gt(maxval, dtype_max)
  # The bounds keep their shape, raised to the result's rank (as JAX's).
  minval = _convert_and_clip_integer(minval, dtype)
  maxval = _convert_and_clip_integer(maxval, dtype)
  minval = lax.broadcast_to_rank(minval, len(shape))
  maxval = lax.broadcast_to_rank(maxval, len(shape))
  nbits = dtypes.iinfo(dtype).bits
  if nbits not in (8, 16, 32, 64):
    raise TypeError(f"randint only accepts 8-, 16-, 32-, or 64-bit dtypes, got {dtype}")
  k1, k2 = _split(key)
  higher_bits = _random_bits(k1, nbits, shape)
  lower_bits = _random_bits(k2, nbits, shape)
  uint = UINT_DTYPES[nbits]
  span = _astype(lax.sub(maxval, minval), uint)
  # maxval <= minval always gives minval (span 1).
  span = lax.select(lax.le(maxval, minval), lax.full_like(span, 1), span)
  # maxval beyond the dtype: the span is one larger (wrapping to 0 at the top).
  span = lax.select(lax.bitwise_and(maxval_out_of_range, lax.gt(maxval, minval)),
                    lax.add(span, _const(uint, 1)), span)
  # (hi * 2**nbits + lo) % span, with 2**nbits % span computed without overflow.
  multiplier = lax.rem(_const(uint, 2 ** (nbits // 2)), span)
  multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
  offset = lax.add(lax.mul(lax.rem(higher_bits, span), multiplier),
                   lax.rem(lower_bits, span))
  offset = lax.rem(offset, span)
  return lax.add(minval, _astype(offset, dtype))


_randint = sampler_jit(_randint_impl, 2)


def bernoulli(key, p=0.5, shape=None, mode="low", *, out_sharding=None):
  """Bernoulli random booleans with mean ``p``.

  >>> from jaxlite import random
  >>> random.bernoulli(random.PRNGKey(0), 0.5, (4,))
  Array([False, False,  True,  True], dtype=bool)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(bernoulli(key, p=p, shape=shape, mode=mode),
                    out_sharding, "bernoulli")
  if shape is not None:
    shape = canonicalize_shape(shape)
  if mode not in ("high", "low"):
    raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
  typed, _ = _check_prng_key("bernoulli", key)
  dtype = dtypes.dtype(p, canonicalize=True)
  if not dtypes.issubdtype(dtype, np.floating):
    raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {dtype}.")
  return _bernoulli(typed, _astype(p, dtype), shape, mode)


def _bernoulli_impl(key, p, shape, mode):
  shape = _shape_or_params("bernoulli", shape, p)
  dtype = core.get_aval(p).dtype
  if np.ndim(p) not in (0, len(shape)):
    p = _to_rank(p, shape)
  if mode == "high":
    u = _uniform(key, 0., 1., (2, *shape), dtype)
    u1 = lax.reshape(lax.index_in_dim(u, 0, 0, False), shape)
    u2 = lax.reshape(lax.index_in_dim(u, 1, 0, False), shape)
    u2 = lax.mul(u2, _const(dtype, 2. ** -dtypes.finfo(dtype).nmant))
    return lax.lt(u2, lax.sub(p, u1))
  return lax.lt(_uniform(key, 0., 1., shape, dtype), p)


_bernoulli = sampler_jit(_bernoulli_impl, 2)


def rademacher(key, shape=(), dtype=None, *, out_sharding=None):
  """Random signs: -1 or +1 with equal probability.

  >>> from jaxlite import random
  >>> random.rademacher(random.PRNGKey(0), (4,))
  Array([-1, -1,  1,  1], dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(rademacher(key, shape=shape, dtype=dtype),
                    out_sharding, "rademacher")
  typed, _ = _check_prng_key("rademacher", key)
  dtype = np.dtype(dtypes.check_and_canonicalize_user_dtype(
      int if dtype is None else dtype, "rademacher"))
  shape = canonicalize_shape(shape)
  return _rademacher(typed, shape, dtype)


def _rademacher_impl(key, shape, dtype):
  b = _astype(_bernoulli_impl(key, np.float32(0.5), shape, "low"), dtype)
  return lax.sub(lax.mul(_const(dtype, 2), b), _const(dtype, 1))


_rademacher = sampler_jit(_rademacher_impl, 2)


# --- continuous distributions by transformation ------------------------------------------


def _simple_sampler(name, transform, doc_example):
  """A sampler ``f(key, shape=(), dtype=None)`` computing ``transform(key, shape, dtype)``."""
  impl = sampler_jit(transform, 2)

  def sampler(key, shape=(), dtype=None, *, out_sharding=None):
    typed, _ = _check_prng_key(name, key)
    dtype = _float_dtype(name, dtype)
    shape = canonicalize_shape(shape)
    out = impl(typed, shape, dtype)
    return out if out_sharding is None else _sharded(out, out_sharding, name)
  sampler.__name__ = sampler.__qualname__ = name
  sampler.__doc__ = doc_example
  return sampler


def _exponential_impl(key, shape, dtype):
  u = _uniform_impl(key, 0., 1., shape, dtype)
  return lax.neg(lax.log1p(lax.neg(u)))


exponential = _simple_sampler("exponential", _exponential_impl, """\
Exponential random values (density ``exp(-x)`` on ``x >= 0``): ``-log1p(-u)``.

  >>> from jaxlite import random
  >>> random.exponential(random.PRNGKey(0), (2,))
  Array([2.950128 , 3.8434246], dtype=float32)
  """)


def _laplace_impl(key, shape, dtype):
  u = _uniform_impl(key, -1. + dtypes.finfo(dtype).epsneg, 1., shape, dtype)
  return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


laplace = _simple_sampler("laplace", _laplace_impl, """\
Laplace random values (density ``exp(-|x|) / 2``).

  >>> from jaxlite import random
  >>> random.laplace(random.PRNGKey(0), (2,))
  Array([-2.2569816, -3.1502788], dtype=float32)
  """)


def _logistic_impl(key, shape, dtype):
  x = _uniform_impl(key, dtypes.finfo(dtype).tiny, 1., shape, dtype)
  return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))


logistic = _simple_sampler("logistic", _logistic_impl, """\
Logistic random values (density ``exp(-x) / (1 + exp(-x))**2``): ``logit(u)``.

  >>> from jaxlite import random
  >>> random.logistic(random.PRNGKey(0), (2,))
  Array([2.896376 , 3.8217716], dtype=float32)
  """)


def _cauchy_impl(key, shape, dtype):
  u = _uniform_impl(key, dtypes.finfo(dtype).eps, 1., shape, dtype)
  return lax.tan(lax.mul(_const(dtype, np.pi), lax.sub(u, _const(dtype, 0.5))))


cauchy = _simple_sampler("cauchy", _cauchy_impl, """\
Cauchy random values (density ``1 / (pi (1 + x**2))``): ``tan(pi (u - 1/2))``.

  >>> from jaxlite import random
  >>> random.cauchy(random.PRNGKey(0), (2,))
  Array([ 6.0274944, 14.837895 ], dtype=float32)
  """)


def _u32_pair_to_unit_float32(hi, lo):
  """The float32 nearest below the 64-bit fixed-point fraction ``hi:lo``.

  The leading zeros of the 64 bits set the exponent and the next 23 bits the
  mantissa, so fractions close to 0 keep full precision (a plain uniform has
  only 2**-23 resolution there).
  """
  u32 = np.dtype(np.uint32)
  info = dtypes.finfo(np.float32)
  hi_zeros, lo_zeros = lax.clz(hi), lax.clz(lo)
  hi_empty = lax.eq(hi_zeros, _const(u32, 32))
  # The 32 bits after the leading one: from `hi` shifted up, topped up from `lo`.
  top = lax.bitwise_or(
      lax.shift_left(hi, hi_zeros),
      lax.select(hi_empty, lax.shift_left(lo, lo_zeros),
                 lax.shift_right_logical(lo, lax.sub(_const(u32, 32), hi_zeros))))
  mantissa = lax.bitwise_and(
      lax.shift_right_logical(top, _const(u32, 32 - info.nmant - 1)),
      _const(u32, (1 << info.nmant) - 1))
  zeros = lax.select(hi_empty, lax.add(_const(u32, 32), lo_zeros), hi_zeros)
  exponent = lax.bitwise_and(
      lax.shift_left(lax.sub(_const(u32, -info.minexp), zeros), _const(u32, info.nmant)),
      _const(u32, (1 << 30) - (1 << (info.nmant - 1))))
  return lax.bitcast_convert_type(lax.bitwise_or(exponent, mantissa), np.float32)


def _gumbel_highest_float32(key, shape):
  """``mode='highest'``: Gumbel values from a 64-bit uniform, as JAX's.

  Fractions below 1/2 take ``log1p(-x)`` of ``x``; the others are reflected
  (``1 - x`` in 64-bit fixed point, exact) and take ``log``, so both tails keep
  full float32 precision.
  """
  u32 = np.dtype(np.uint32)
  bits = _random_bits(key, 32, (2, *shape))
  hi = lax.reshape(lax.index_in_dim(bits, 0, 0, False), shape)
  lo = lax.reshape(lax.index_in_dim(bits, 1, 0, False), shape)
  not_hi, not_lo = lax.bitwise_not(hi), lax.bitwise_not(lo)
  # 1 - hi:lo == ~(hi:lo) + 1 in 64-bit fixed point; the carry into the high
  # word happens when the low word wraps around.
  carry = lax.convert_element_type(lax.eq(not_lo, _const(u32, 0xFFFFFFFF)), u32)
  reflected_hi = lax.add(not_hi, carry)
  reflected_lo = lax.add(not_lo, _const(u32, 1))
  below_half = lax.lt(hi, _const(u32, 1 << 31))
  x = _u32_pair_to_unit_float32(lax.select(below_half, hi, reflected_hi),
                                lax.select(below_half, lo, reflected_lo))
  return lax.select(below_half,
                    lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x))))),
                    lax.neg(lax.log(lax.neg(lax.log(x)))))


def _gumbel_impl(key, shape, dtype, mode):
  info = dtypes.finfo(dtype)
  if mode == "highest" and dtype == np.float32:
    return _gumbel_highest_float32(key, shape)
  if mode in ("high", "highest"):
    u = _uniform_impl(key, 0., 1., (2, *shape), dtype)
    high = lax.reshape(lax.index_in_dim(u, 0, 0, False), shape)
    low = lax.reshape(lax.index_in_dim(u, 1, 0, False), shape)
    # Below 1/2, fill the low bits of `high` from `low` for a wider dynamic range.
    fine = lax.add(lax.add(high, lax.mul(_const(dtype, 2. ** -info.nmant), low)),
                   _const(dtype, info.tiny))
    x = lax.select(lax.ge(high, _const(dtype, 0.5)), high, fine)
    return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
  u = _uniform_impl(key, info.tiny, 1., shape, dtype)
  return lax.neg(lax.log(lax.neg(lax.log(u))))


_gumbel = sampler_jit(_gumbel_impl, 3)


def gumbel(key, shape=(), dtype=None, mode=None, *, out_sharding=None):
  """Gumbel random values (density ``exp(-(x + exp(-x)))``): ``-log(-log(u))``.

  ``mode='high'`` draws two uniforms per value for a wider range in the tails;
  ``mode='highest'`` (float32) turns 64 random bits into each value, so both
  tails keep full precision.

  >>> from jaxlite import random
  >>> random.gumbel(random.PRNGKey(0), (2,))
  Array([2.9233725, 3.8326178], dtype=float32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(gumbel(key, shape=shape, dtype=dtype, mode=mode),
                    out_sharding, "gumbel")
  typed, _ = _check_prng_key("gumbel", key)
  dtype = _float_dtype("gumbel", dtype)
  shape = canonicalize_shape(shape)
  if mode is None:
    mode = "high" if getattr(config, "jax_use_high_dynamic_range_gumbel", False) else "low"
  if mode not in ("highest", "high", "low"):
    raise ValueError(f"Must provide valid mode for gumbel got: {mode}")
  return _gumbel(typed, shape, dtype, mode)


def truncated_normal(key, lower, upper, shape=None, dtype=None, *, out_sharding=None):
  """Standard normal values truncated to the open interval ``(lower, upper)``.

  >>> from jaxlite import random
  >>> random.truncated_normal(random.PRNGKey(0), -1., 1., (2,))
  Array([0.8618594, 0.9412883], dtype=float32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(truncated_normal(key, lower=lower, upper=upper, shape=shape, dtype=dtype),
                    out_sharding, "truncated_normal")
  if shape is not None:
    shape = canonicalize_shape(shape)
  typed, _ = _check_prng_key("truncated_normal", key)
  dtype = _float_dtype("truncated_normal", dtype)
  return _truncated_normal(typed, lower, upper, shape, dtype)


def _truncated_normal_impl(key, lower, upper, shape, dtype):
  shape = _shape_or_params("truncated_normal", shape, lower, upper)
  sqrt2 = _const(dtype, np.sqrt(2))
  lower = _astype(lower, dtype)
  upper = _astype(upper, dtype)
  a = lax.erf(lax.div(lower, sqrt2))
  b = lax.erf(lax.div(upper, sqrt2))
  u = _uniform_impl(key, a, b, shape, dtype)
  out = lax.mul(sqrt2, lax.erf_inv(u))
  lo = _to_rank(lax.nextafter(stop_gradient(lower), _const(dtype, np.inf)), shape)
  hi = _to_rank(lax.nextafter(stop_gradient(upper), _const(dtype, -np.inf)), shape)
  # jnp.clip order: max with the lower bound, then min with the upper.
  return lax.min(lax.max(out, lo), hi)


_truncated_normal = sampler_jit(_truncated_normal_impl, 2)


# --- samplers with a parameter --------------------------------------------------------------


def _sharded(x, out_sharding, name):
  """``x`` laid out as ``out_sharding`` asks (JAX's ``out_sharding=`` of ``name``)."""
  from jaxlite.lax.out_sharding import place  # pylint: disable=g-import-not-at-top
  return place(x, out_sharding, name)


def _param_sampler(name, transform, n_params, doc):
  """A sampler ``f(key, *params, shape=None, dtype=None)``."""
  impl = sampler_jit(transform, 2)

  def sampler(key, *params, shape=None, dtype=None):
    if len(params) > n_params:   # shape and dtype may come positionally
      params, rest = params[:n_params], params[n_params:]
      shape = rest[0]
      dtype = rest[1] if len(rest) > 1 else dtype
    typed, _ = _check_prng_key(name, key)
    dtype = _float_dtype(name, dtype)
    shape = _shape_or_params(name, shape, *params)
    return impl(typed, *params, shape, dtype)
  sampler.__name__ = sampler.__qualname__ = name
  sampler.__doc__ = doc
  return sampler


def _pareto_impl(key, b, shape, dtype):
  e = _exponential_impl(key, shape, dtype)
  return lax.exp(lax.div(e, _to_rank(_astype(b, dtype), shape)))


def pareto(key, b, shape=None, dtype=None, *, out_sharding=None):
  """Pareto random values with shape parameter ``b`` (support ``x >= 1``): ``exp(E / b)``.

  >>> from jaxlite import random
  >>> random.pareto(random.PRNGKey(0), 3., (2,))
  Array([2.6734667, 3.6007476], dtype=float32)
  """
  return _sharded(_pareto_sampler(key, b, shape=shape, dtype=dtype), out_sharding,
                  "pareto")


_pareto_sampler = _param_sampler("pareto", _pareto_impl, 1, pareto.__doc__)


def _rayleigh_impl(key, scale, shape, dtype):
  u = _uniform_impl(key, 0., 1., shape, dtype)
  scale = _to_rank(_astype(scale, dtype), shape)
  return lax.mul(scale, lax.sqrt(lax.mul(lax.log(u), _const(dtype, -2))))


def rayleigh(key, scale, shape=None, dtype=None, *, out_sharding=None):
  """Rayleigh random values with ``scale``: ``scale * sqrt(-2 log u)``.

  >>> from jaxlite import random
  >>> random.rayleigh(random.PRNGKey(0), 1., (2,))
  Array([0.32787833, 0.20810027], dtype=float32)
  """
  return _sharded(_rayleigh_sampler(key, scale, shape=shape, dtype=dtype), out_sharding,
                  "rayleigh")


_rayleigh_sampler = _param_sampler("rayleigh", _rayleigh_impl, 1, rayleigh.__doc__)


def _lognormal_impl(key, sigma, shape, dtype):
  sigma = _to_rank(_astype(sigma, dtype), shape)
  return lax.exp(lax.mul(_normal_real(key, shape, dtype), sigma))


def lognormal(key, sigma=1., shape=None, dtype=None, *, out_sharding=None):
  """Log-normal random values: ``exp(sigma * N(0, 1))``.

  >>> from jaxlite import random
  >>> random.lognormal(random.PRNGKey(0), 1., (2,))
  Array([5.066459, 7.578117], dtype=float32)
  """
  return _sharded(_lognormal_sampler(key, sigma, shape=shape, dtype=dtype), out_sharding,
                  "lognormal")


_lognormal_sampler = _param_sampler("lognormal", _lognormal_impl, 1, lognormal.__doc__)


def _wald_impl(key, mean, shape, dtype):
  k1, k2 = _split(key)
  mean = _to_rank(_astype(mean, dtype), shape)
  v = _normal_real(k1, shape, dtype)
  z = _uniform_impl(k2, 0., 1., shape, dtype)
  y = lax.integer_pow(v, 2)
  y_sq = lax.integer_pow(y, 2)
  mean_sq = lax.integer_pow(mean, 2)
  sqrt_term = lax.sqrt(lax.add(lax.mul(lax.mul(_const(dtype, 4), mean), y),
                               lax.mul(mean_sq, y_sq)))
  x = lax.sub(lax.add(mean, lax.div(lax.mul(mean_sq, y), _const(dtype, 2))),
              lax.mul(lax.div(mean, _const(dtype, 2)), sqrt_term))
  return lax.select(lax.le(z, lax.div(mean, lax.add(mean, x))), x, lax.div(mean_sq, x))


def wald(key, mean, shape=None, dtype=None, *, out_sharding=None):
  """Wald (inverse Gaussian) random values with ``mean``.

  >>> from jaxlite import random
  >>> random.wald(random.PRNGKey(0), 1., (2,)).shape
  (2,)
  """
  return _sharded(_wald_sampler(key, mean, shape=shape, dtype=dtype), out_sharding,
                  "wald")


_wald_sampler = _param_sampler("wald", _wald_impl, 1, wald.__doc__)


def _weibull_min_impl(key, scale, concentration, shape, dtype):
  u = _uniform_impl(key, 0., 1., shape, dtype)
  scale = _to_rank(_astype(scale, dtype), shape)
  concentration = _to_rank(_astype(concentration, dtype), shape)
  # Inverse CDF: scale * (-log(1 - u)) ** (1 / concentration).
  return lax.mul(lax.pow(lax.neg(lax.log1p(lax.neg(u))),
                         lax.div(_const(dtype, 1), concentration)), scale)


def weibull_min(key, scale, concentration, shape=(), dtype=None):
  """Weibull random values with ``scale`` and ``concentration``.

  >>> from jaxlite import random
  >>> random.weibull_min(random.PRNGKey(0), 1., 2., (2,))
  Array([1.7175937, 1.9604654], dtype=float32)
  """
  if shape is not None:
    shape = canonicalize_shape(shape)
    if np.broadcast_shapes(shape, np.shape(scale), np.shape(concentration)) != shape:
      # As JAX's: `shape` uniforms (default one) broadcast against the parameters.
      from jaxlite import numpy as jnp  # pylint: disable=g-import-not-at-top
      u = uniform(key, shape, dtype if dtype is not None else float)
      return jnp.power(-jnp.log1p(-u), 1.0 / concentration) * scale
  return _weibull_min_sampler(key, scale, concentration, shape=shape, dtype=dtype)


_weibull_min_sampler = _param_sampler("weibull_min", _weibull_min_impl, 2, weibull_min.__doc__)


def _triangular_impl(key, left, mode, right, shape, dtype):
  left, mode, right = (_to_rank(_astype(v, dtype), shape) for v in (left, mode, right))
  fc = lax.div(lax.sub(mode, left), lax.sub(right, left))
  u = _uniform_impl(key, 0., 1., shape, dtype)
  out1 = lax.add(left, lax.sqrt(lax.mul(lax.mul(u, lax.sub(right, left)),
                                        lax.sub(mode, left))))
  out2 = lax.sub(right, lax.sqrt(lax.mul(lax.mul(lax.sub(_const(dtype, 1), u),
                                                 lax.sub(right, left)),
                                         lax.sub(right, mode))))
  return lax.select(lax.lt(u, fc), out1, out2)


def triangular(key, left, mode, right, shape=None, dtype=None, *, out_sharding=None):
  """Triangular random values on ``[left, right]`` with peak at ``mode``.

  >>> from jaxlite import random
  >>> random.triangular(random.PRNGKey(0), 0., 0.5, 1., (2,))
  Array([0.8382394, 0.8965106], dtype=float32)
  """
  out = _triangular_sampler(key, left, mode, right, shape=shape, dtype=dtype)
  return _sharded(out, out_sharding, "triangular")


_triangular_sampler = _param_sampler("triangular", _triangular_impl, 3, triangular.__doc__)


def geometric(key, p, shape=None, dtype=None, *, out_sharding=None):
  """Geometric random integers (trials until the first success, ``>= 1``).

  >>> from jaxlite import random
  >>> random.geometric(random.PRNGKey(0), 0.5, (3,))
  Array([1, 1, 2], dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(geometric(key, p=p, shape=shape, dtype=dtype),
                    out_sharding, "geometric")
  typed, _ = _check_prng_key("geometric", key)
  dtype = np.dtype(dtypes.check_and_canonicalize_user_dtype(
      int if dtype is None else dtype, "geometric"))
  shape = _shape_or_params("geometric", shape, p)
  p_dtype = dtypes.dtype(p, canonicalize=True)
  if not dtypes.issubdtype(p_dtype, np.inexact):
    p_dtype = dtypes.default_float_dtype()
  return _geometric(typed, _astype(p, p_dtype), shape, dtype)


def _geometric_impl(key, p, shape, dtype):
  p_dtype = core.get_aval(p).dtype
  u = _uniform_impl(key, 0., 1., shape, p_dtype)
  # u == 0 is mapped to 1 (as JAX does) to keep log(u) finite.
  u = lax.select(lax.eq(u, _const(p_dtype, 0)), lax.full(shape, 1, p_dtype), u)
  log_one_minus_p = _to_rank(lax.log1p(lax.neg(p)), shape)
  g = lax.add(lax.floor(lax.div(lax.log(u), log_one_minus_p)), _const(p_dtype, 1))
  return _astype(g, dtype)


_geometric = sampler_jit(_geometric_impl, 2)


def maxwell(key, shape=(), dtype=None, *, out_sharding=None):
  """Maxwell random values: the norm of a 3-vector of standard normals.

  >>> from jaxlite import random
  >>> random.maxwell(random.PRNGKey(0), (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(maxwell(key, shape=shape, dtype=dtype),
                    out_sharding, "maxwell")
  typed, _ = _check_prng_key("maxwell", key)
  dtype = _float_dtype("maxwell", dtype)
  shape = canonicalize_shape(shape)
  return _maxwell(typed, shape, dtype)


def _maxwell_impl(key, shape, dtype):
  z = _normal_real(key, (*shape, 3), dtype)
  return lax.sqrt(lax.reduce_sum(lax.mul(z, z), (len(shape),)))


_maxwell = sampler_jit(_maxwell_impl, 2)


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
  """Double-sided Maxwell random values with ``loc`` and ``scale``.

  >>> from jaxlite import random
  >>> random.double_sided_maxwell(random.PRNGKey(0), 0., 1., (2,)).shape
  (2,)
  """
  typed, _ = _check_prng_key("double_sided_maxwell", key)
  dtype = _float_dtype("double_sided_maxwell", dtype)
  shape = canonicalize_shape(shape)
  params_shape = broadcast_shapes(np.shape(loc), np.shape(scale))
  # As JAX: the parameters' shape is appended to ``shape``.
  shape = (shape or params_shape) + params_shape
  return _double_sided_maxwell(typed, loc, scale, shape, dtype)


def _double_sided_maxwell_impl(key, loc, scale, shape, dtype):
  k1, k2 = _split(key)
  m = _maxwell_impl(k1, shape, dtype)
  r = _rademacher_impl(k2, shape, dtype)
  loc = _to_rank(_astype(loc, dtype), shape)
  scale = _to_rank(_astype(scale, dtype), shape)
  return lax.add(lax.mul(lax.mul(m, r), scale), loc)


_double_sided_maxwell = sampler_jit(_double_sided_maxwell_impl, 2)
