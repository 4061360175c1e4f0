"""Binomial and multinomial sampling with JAX's algorithms and key use, so the
samples are JAX's bit for bit: geometric-sum inversion where ``n * q <= 10``,
Hormann's BTRS transformed rejection elsewhere (both computed, one selected,
as in JAX and TensorFlow); multinomial as a scan of conditional binomials.

  >>> from jaxlite import random
  >>> random.binomial(random.key(0), 10, 0.5, (3,)).shape
  (3,)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact
from jaxlite.random.keys import _check_prng_key, _split, canonicalize_shape, sampler_jit
from jaxlite.random.samplers import _check_shape, _uniform_impl

__all__ = ["binomial", "multinomial"]

# log(k!) - Stirling's approximation of it, exact for k = 0..9 (TensorFlow's table).
_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)


def _stirling_tail(k):
  table = jnp.array(_STIRLING_TAIL, dtype=k.dtype)
  small = k <= 9
  k = lax.clamp(np.asarray(0.0, k.dtype), k, np.asarray(9.0, k.dtype))
  kp1sq = (k + 1) * (k + 1)
  approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
  k = jnp.floor(k)
  return lax.select(small, table[jnp.asarray(k, dtype="int32")], approx)


def _uniform(key, shape, dtype):
  return _uniform_impl(key, 0., 1., shape, dtype)


def _inversion(key, count, prob, shape, dtype, max_iters):
  """Counts geometric waiting times until their sum passes ``count``."""
  log1m_prob = jnp.log1p(-prob)

  def body(carry):
    i, num_geom, geom_sum, key = carry
    subkey, key = _split(key)
    num_geom = lax.select(geom_sum <= count, num_geom + 1, num_geom)
    geom = jnp.ceil(jnp.log(_uniform(subkey, shape, prob.dtype)) / log1m_prob)
    return i + 1, num_geom, geom_sum + geom, key

  def cond(carry):
    i, _, geom_sum, _ = carry
    return (geom_sum <= count).any() & (i < max_iters)

  zeros = lax.full(shape, 0, prob.dtype)
  k = lax.while_loop(cond, body, (0, zeros, zeros, key))[1]
  return (k - 1).astype(dtype)


def _btrs(key, count, prob, shape, dtype, max_iters):
  """Hormann (1993)'s transformed rejection with squeeze."""
  stddev = jnp.sqrt(count * prob * (1 - prob))
  b = 1.15 + 2.53 * stddev
  a = -0.0873 + 0.0248 * b + 0.01 * prob
  c = count * prob + 0.5
  v_r = 0.92 - 4.2 / b
  r = prob / (1 - prob)
  alpha = (2.83 + 5.1 / b) * stddev
  m = jnp.floor((count + 1) * prob)

  def body(carry):
    i, k_out, accepted, key = carry
    key, subkey_u, subkey_v = _split(key, 3)
    u = _uniform(subkey_u, shape, prob.dtype)
    v = _uniform(subkey_v, shape, prob.dtype)
    u = u - 0.5
    us = 0.5 - jnp.abs(u)
    accept_squeeze = (us >= 0.07) & (v <= v_r)
    k = jnp.floor((2 * a / us + b) * u + c)
    out_of_range = (k < 0) | (k > count)
    v = jnp.log(v * alpha / (a / (us * us) + b))
    bound = ((m + 0.5) * jnp.log((m + 1) / (r * (count - m + 1)))
             + (count + 1) * jnp.log((count - m + 1) / (count - k + 1))
             + (k + 0.5) * jnp.log(r * (count - k + 1) / (k + 1))
             + _stirling_tail(m) + _stirling_tail(count - m)
             - _stirling_tail(k) - _stirling_tail(count - k))
    accept = accept_squeeze | (~out_of_range & (v <= bound))
    return i + 1, lax.select(accept, k, k_out), accepted | accept, key

  def cond(carry):
    i, _, accepted, _ = carry
    return (~accepted).any() & (i < max_iters)

  start = (0, lax.full(shape, -1, prob.dtype), lax.full(shape, False, np.bool_), key)
  return lax.while_loop(cond, body, start)[1].astype(dtype)


def _binomial_impl(key, count, prob, shape, dtype):
  if shape is None:
    shape = jnp.broadcast_shapes(np.shape(count), np.shape(prob))
  else:
    _check_shape("binomial", shape, np.shape(count), np.shape(prob))
  (prob,) = promote_dtypes_inexact(prob)
  count = jnp.broadcast_to(lax.convert_element_type(count, prob.dtype), shape)
  prob = jnp.broadcast_to(prob, shape)
  p_below_half = prob < 0.5
  q = lax.select(p_below_half, prob, 1.0 - prob)   # sample the rarer outcome
  count_nan_or_negative = jnp.isnan(count) | (count < 0.0)
  count_inf = jnp.isinf(count)
  q_nan, q_negative = jnp.isnan(q), q < 0.0
  q = lax.select(q_nan | q_negative, lax.full_like(q, 0.01), q)
  use_inversion = count_nan_or_negative | (count * q <= 10.0)
  count = jnp.floor(count)   # NumPy's behaviour for a float count
  count_inversion = lax.select(use_inversion, count, lax.full_like(count, 0.0))
  count_btrs = lax.select(use_inversion, lax.full_like(count, 1e4), count)
  q_btrs = lax.select(use_inversion, lax.full_like(q, 0.5), q)
  max_iters = dtype.type(dtypes.finfo(dtype).max)
  samples = lax.select(use_inversion,
                       _inversion(key, count_inversion, q, shape, dtype, max_iters),
                       _btrs(key, count_btrs, q_btrs, shape, dtype, max_iters))
  invalid = q_negative | q_nan | count_nan_or_negative
  samples = lax.select(invalid, jnp.full_like(samples, np.nan, dtype), samples)
  samples = lax.select(count_inf & ~invalid, jnp.full_like(samples, np.inf, dtype), samples)
  return lax.select(p_below_half | count_nan_or_negative | q_nan | count_inf, samples,
                    count.astype(dtype) - samples)


_binomial = sampler_jit(_binomial_impl, 2)


def binomial(key, n, p, shape=None, dtype=None):
  """Binomial random values: successes in ``n`` trials of probability ``p``
  (float dtype; ``nan`` for a negative or nan ``n`` or an invalid ``p``).

  >>> from jaxlite import random
  >>> random.binomial(random.key(0), 5, 0.5, (4,)).dtype
  dtype('float32')
  """
  typed, _ = _check_prng_key("binomial", key)
  check_arraylike("binomial", n, p)
  dtype = dtypes.check_and_canonicalize_user_dtype(float if dtype is None else dtype)
  if not dtypes.issubdtype(dtype, np.floating):
    raise ValueError(f"dtype argument to `binomial` must be a float dtype, got {dtype}")
  if shape is not None:
    shape = canonicalize_shape(shape)
  return _binomial(typed, n, p, shape, np.dtype(dtype))


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
  """Multinomial counts of ``n`` draws over the categories of ``p``'s last
  axis (a binomial per category, conditioned on the draws left).

  >>> from jaxlite import random
  >>> import jaxlite.numpy as jnp
  >>> int(random.multinomial(random.key(0), 10, jnp.array([0.2, 0.3, 0.5])).sum())
  10
  """
  typed, _ = _check_prng_key("multinomial", key)
  check_arraylike("multinomial", n, p)
  n, p = promote_dtypes_inexact(n, p)
  if shape is None:
    shape = p.shape
  n = jnp.broadcast_to(n, shape[:-1])
  p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
  remaining = lax.cumsum(p, 0, reverse=True)
  ratios = p / jnp.where(remaining == 0, 1, remaining)
  keys = _split(typed, ratios.shape[0])

  def draw(left, ratio_and_key):
    ratio, subkey = ratio_and_key
    count = binomial(subkey, left, ratio.clip(0, 1), dtype=left.dtype)
    return left - count, count
  _, counts = lax.scan(draw, n, (ratios, keys), unroll=unroll)
  return jnp.moveaxis(counts, 0, -1).astype(dtype)
