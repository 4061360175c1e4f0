"""The gamma family: gamma and loggamma (Marsaglia-Tsang rejection), and the
distributions built from gamma draws: beta, dirichlet, chisquare, t, f,
generalized_normal and ball; and poisson.

The rejection loops have JAX's structure (the same key splits in the same
order), so they consume the same random bits and give JAX's samples.
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.random.samplers import _sharded
from jaxlite.random.key_primitives import impl_of
from jaxlite.random.keys import _check_prng_key, _split, canonicalize_shape, sampler_jit
from jaxlite.random.samplers import (_astype, _check_shape, _const, _exponential_impl, _float_dtype,
                                     _normal_real, _rademacher_impl, _shape_or_params,
                                     _to_rank, _uniform_impl, broadcast_shapes)

__all__ = ["gamma", "loggamma", "beta", "dirichlet", "chisquare", "t", "f",
           "generalized_normal", "ball", "poisson"]


def _gamma_one(key, alpha, log_space):
  """One Gamma(alpha) draw: Marsaglia and Tsang (2000), boosted for alpha < 1."""
  dtype = core.get_aval(alpha).dtype
  zero, one = _const(dtype, 0), _const(dtype, 1)
  minus_one, two = _const(dtype, -1), _const(dtype, 2)
  one_third = _const(dtype, 1. / 3.)
  squeeze = _const(dtype, 0.0331)
  boost_mask = lax.ge(alpha, one)
  alpha_orig = alpha
  alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
  d = lax.sub(alpha, one_third)
  c = lax.div(one_third, lax.sqrt(d))

  def reject(state):
    _, x, v, u = state
    squeeze_fails = lax.ge(u, lax.sub(one, lax.mul(squeeze, lax.mul(x, x))))
    log_fails = lax.ge(lax.log(u), lax.add(lax.mul(x, _const(dtype, 0.5)),
                                           lax.mul(d, lax.add(lax.sub(one, v), lax.log(v)))))
    return lax.bitwise_and(squeeze_fails, log_fails)

  def propose(state):
    def next_normal(kxv):
      k, subkey = _split(kxv[0])
      x = _normal_real(subkey, (), dtype)
      return k, x, lax.add(one, lax.mul(x, c))

    key, x_key, u_key = _split(state[0], 3)
    _, x, v = lax.while_loop(lambda kxv: lax.le(kxv[2], zero), next_normal,
                             (x_key, zero, minus_one))
    u = _uniform_impl(u_key, 0., 1., (), dtype)
    return key, lax.mul(x, x), lax.mul(lax.mul(v, v), v), u

  key, subkey = _split(key)
  _, _, v, _ = lax.while_loop(reject, propose, (key, zero, one, two))
  if log_space:
    log_samples = lax.neg(_exponential_impl(subkey, (), dtype))
    log_boost = lax.select(lax.bitwise_or(boost_mask, lax.eq(log_samples, zero)), zero,
                           lax.mul(log_samples, lax.div(one, alpha_orig)))
    return lax.add(lax.add(lax.log(d), lax.log(v)), log_boost)
  samples = lax.sub(one, _uniform_impl(subkey, 0., 1., (), dtype))
  boost = lax.select(boost_mask, one, lax.pow(samples, lax.div(one, alpha_orig)))
  return lax.mul(lax.mul(d, v), boost)


def _gamma_impl(key, a, shape, dtype, log_space):
  # As JAX: one random_gamma_p over all of a (it splits the key per element).
  from jaxlite.random.gamma_primitive import random_gamma_p  # pylint: disable=g-import-not-at-top
  a = _to_rank(_astype(a, dtype), shape)
  return random_gamma_p.bind(key, a, log_space=log_space)


def _while_batches() -> bool:
  from jaxlite.interpreters import batching
  from jaxlite.lax.control_flow import loops
  return (loops.while_p in batching.primitive_batchers
          or loops.while_p in getattr(batching, "axis_primitive_batchers", {}))


_gamma = sampler_jit(_gamma_impl, 3)


def _gamma_args(name, key, a, shape, dtype):
  typed, _ = _check_prng_key(name, key)
  dtype = _float_dtype(name, dtype)
  shape = _shape_or_params(name, shape, a)
  return typed, shape, dtype


def gamma(key, a, shape=None, dtype=None, *, out_sharding=None):
  """Gamma random values with shape parameter ``a`` and unit scale.

  Marsaglia-Tsang rejection sampling (one ``while_loop`` per element);
  ``a < 1`` is boosted by ``U**(1/a)``.

  >>> from jaxlite import random
  >>> random.gamma(random.PRNGKey(0), 2., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(gamma(key, a=a, shape=shape, dtype=dtype),
                    out_sharding, "gamma")
  typed, shape, dtype = _gamma_args("gamma", key, a, shape, dtype)
  return _gamma(typed, a, shape, dtype, False)


def loggamma(key, a, shape=None, dtype=None, *, out_sharding=None):
  """The log of Gamma random values, accurate for small ``a`` where the
  samples underflow.

  >>> from jaxlite import random
  >>> random.loggamma(random.PRNGKey(0), 0.01, (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(loggamma(key, a=a, shape=shape, dtype=dtype),
                    out_sharding, "loggamma")
  typed, shape, dtype = _gamma_args("loggamma", key, a, shape, dtype)
  return _gamma(typed, a, shape, dtype, True)


def beta(key, a, b, shape=None, dtype=None, *, out_sharding=None):
  """Beta(a, b) random values: ``Ga / (Ga + Gb)`` computed from log-gamma draws.

  >>> from jaxlite import random
  >>> random.beta(random.PRNGKey(0), 2., 3., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(beta(key, a=a, b=b, shape=shape, dtype=dtype),
                    out_sharding, "beta")
  typed, _ = _check_prng_key("beta", key)
  dtype = _float_dtype("beta", dtype)
  shape = _shape_or_params("beta", shape, a, b)
  return _beta(typed, a, b, shape, dtype)


def _beta_impl(key, a, b, shape, dtype):
  key_a, key_b = _split(key)
  log_ga = _gamma_impl(key_a, a, shape, dtype, True)
  log_gb = _gamma_impl(key_b, b, shape, dtype, True)
  log_max = lax.max(log_ga, log_gb)
  ga = lax.exp(lax.sub(log_ga, log_max))
  gb = lax.exp(lax.sub(log_gb, log_max))
  return lax.div(ga, lax.add(ga, gb))


_beta = sampler_jit(_beta_impl, 2)


def dirichlet(key, alpha, shape=None, dtype=None, *, out_sharding=None):
  """Dirichlet random vectors: normalised gamma draws (a softmax of log-gamma draws).

  >>> from jaxlite import random
  >>> x = random.dirichlet(random.PRNGKey(0), np.array([1., 2., 3.]))
  >>> x.shape
  (3,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(dirichlet(key, alpha=alpha, shape=shape, dtype=dtype),
                    out_sharding, "dirichlet")
  typed, _ = _check_prng_key("dirichlet", key)
  dtype = _float_dtype("dirichlet", dtype)
  if not np.ndim(alpha) >= 1:
    raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {np.ndim(alpha)}")
  batch = tuple(np.shape(alpha)[:-1])
  if shape is None:
    shape = batch
  else:
    shape = canonicalize_shape(shape)
    _check_shape("dirichlet", shape, batch)
  return _dirichlet(typed, alpha, shape, dtype)


def _dirichlet_impl(key, alpha, shape, dtype):
  full = shape + tuple(np.shape(alpha)[-1:])
  log_g = _gamma_impl(key, alpha, full, dtype, True)
  # softmax over the last axis (jax.nn.softmax's arithmetic).
  axis = len(full) - 1
  m = lax.reduce_max(log_g, (axis,))
  unnormalized = lax.exp(lax.sub(log_g, lax.broadcast_in_dim(m, full, tuple(range(axis)))))
  total = lax.reduce_sum(unnormalized, (axis,))
  return lax.div(unnormalized, lax.broadcast_in_dim(total, full, tuple(range(axis))))


_dirichlet = sampler_jit(_dirichlet_impl, 2)


def _chisquare_impl(key, df, shape, dtype):
  half_df = lax.div(_astype(df, dtype), _const(dtype, 2))
  log_g = _gamma_impl(key, half_df, shape, dtype, True)
  return lax.mul(lax.exp(log_g), _const(dtype, 2))


_chisquare = sampler_jit(_chisquare_impl, 2)


def chisquare(key, df, shape=None, dtype=None, *, out_sharding=None):
  """Chi-square random values with ``df`` degrees of freedom: ``2 Gamma(df/2)``.

  >>> from jaxlite import random
  >>> random.chisquare(random.PRNGKey(0), 3., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(chisquare(key, df=df, shape=shape, dtype=dtype),
                    out_sharding, "chisquare")
  typed, shape, dtype = _gamma_args("chisquare", key, df, shape, dtype)
  return _chisquare(typed, df, shape, dtype)


def _f_impl(key, dfnum, dfden, shape, dtype):
  dfden = _astype(dfden, dtype)
  dfnum = _astype(dfnum, dtype)
  key_dfd, key_dfn = _split(key)
  chi2_dfn = _chisquare_impl(key_dfn, dfnum, shape, dtype)
  chi2_dfd = _chisquare_impl(key_dfd, dfden, shape, dtype)
  num = lax.div(chi2_dfn, _to_rank(dfnum, shape))
  den = lax.div(chi2_dfd, _to_rank(dfden, shape))
  return lax.div(num, den)


_f = sampler_jit(_f_impl, 2)


def f(key, dfnum, dfden, shape=None, dtype=None, *, out_sharding=None):
  """F-distribution random values: a ratio of scaled chi-square draws.

  >>> from jaxlite import random
  >>> random.f(random.PRNGKey(0), 3., 4., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(f(key, dfnum=dfnum, dfden=dfden, shape=shape, dtype=dtype),
                    out_sharding, "f")
  typed, _ = _check_prng_key("f", key)
  dtype = _float_dtype("f", dtype)
  shape = _shape_or_params("f", shape, dfnum, dfden)
  return _f(typed, dfnum, dfden, shape, dtype)


def _t_impl(key, df, shape, dtype):
  df = _astype(df, dtype)
  key_n, key_g = _split(key)
  n = _normal_real(key_n, shape, dtype)
  half_df = lax.div(df, _const(dtype, 2))
  g = _gamma_impl(key_g, half_df, shape, dtype, False)
  return lax.mul(n, lax.sqrt(lax.div(_to_rank(half_df, shape), g)))


_t = sampler_jit(_t_impl, 2)


def t(key, df, shape=None, dtype=None, *, out_sharding=None):
  """Student's t random values: ``N / sqrt(chi2(df) / df)``.

  >>> from jaxlite import random
  >>> random.t(random.PRNGKey(0), 3., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(t(key, df=df, shape=shape, dtype=dtype),
                    out_sharding, "t")
  typed, shape, dtype = _gamma_args("t", key, df, shape, dtype)
  return _t(typed, df, shape, dtype)


def _generalized_normal_impl(key, p, shape, dtype):
  k_gamma, k_sign = _split(key)
  p = _astype(p, dtype)
  inv_p = lax.div(_const(dtype, 1), p)
  g = _gamma_impl(k_gamma, inv_p, shape, dtype, False)
  r = _rademacher_impl(k_sign, shape, dtype)
  return lax.mul(r, lax.pow(g, _to_rank(inv_p, shape)))


_generalized_normal = sampler_jit(_generalized_normal_impl, 2)


def generalized_normal(key, p, shape=(), dtype=None, *, out_sharding=None):
  """Generalized normal random values (density ``∝ exp(-|x|**p)``).

  >>> from jaxlite import random
  >>> random.generalized_normal(random.PRNGKey(0), 2., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(generalized_normal(key, p=p, shape=shape, dtype=dtype),
                    out_sharding, "generalized_normal")
  typed, _ = _check_prng_key("generalized_normal", key)
  dtype = _float_dtype("generalized_normal", dtype)
  shape = canonicalize_shape(shape)
  _check_shape("generalized_normal", shape, np.shape(p))
  return _generalized_normal(typed, p, shape, dtype)


def _ball_impl(key, p, d, shape, dtype):
  k1, k2 = _split(key)
  g = _generalized_normal_impl(k1, p, (*shape, d), dtype)
  e = _exponential_impl(k2, shape, dtype)
  p = _astype(p, dtype)
  norm = lax.reduce_sum(lax.pow(lax.abs(g), p), (len(shape),))
  scale = lax.pow(lax.add(norm, e), lax.div(_const(dtype, 1), p))
  return lax.div(g, lax.broadcast_in_dim(scale, (*shape, d), tuple(range(len(shape)))))


_ball = sampler_jit(_ball_impl, 3)


def ball(key, d, p=2, shape=(), dtype=None, *, out_sharding=None):
  """Uniform random points in the unit Lp ball of dimension ``d``.

  >>> from jaxlite import random
  >>> random.ball(random.PRNGKey(0), 3, shape=(2,)).shape
  (2, 3)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(ball(key, d=d, p=p, shape=shape, dtype=dtype),
                    out_sharding, "ball")
  shape = canonicalize_shape(shape)
  typed, _ = _check_prng_key("ball", key)
  dtype = _float_dtype("ball", dtype)
  d = int(d) if isinstance(d, (int, np.integer)) else d.__index__()
  return _ball(typed, p, d, shape, dtype)


# --- poisson --------------------------------------------------------------------------------


def _poisson_knuth(key, lam, shape, dtype, max_iters):
  """Knuth's method (for small rates): count uniforms until their product
  drops below exp(-lam)."""
  def body(carry):
    i, k, rng, log_prod = carry
    rng, subkey = _split(rng)
    k = lax.select(lax.gt(log_prod, lax.neg(lam)), lax.add(k, _const(dtype, 1)), k)
    u = _uniform_impl(subkey, 0., 1., shape, np.dtype(np.float32))
    return lax.add(i, np.int32(1)), k, rng, lax.add(log_prod, lax.log(u))

  def cond(carry):
    i, log_prod = carry[0], carry[3]
    any_active = lax.reduce_or(lax.gt(log_prod, lax.neg(lam)), tuple(range(len(shape))))
    return lax.bitwise_and(any_active, lax.lt(i, max_iters))

  init = (np.int32(0), lax.full(shape, 0, dtype), key, lax.full(shape, 0, np.float32))
  k = lax.while_loop(cond, body, init)[1]
  return lax.sub(k, _const(dtype, 1))


def _poisson_rejection(key, lam, shape, dtype, max_iters):
  """Hörmann's transformed rejection with squeeze (PTRS), for large rates."""
  f32 = lam.dtype
  c = lambda v: _const(f32, v)
  log_lam = lax.log(lam)
  b = lax.add(c(0.931), lax.mul(c(2.53), lax.sqrt(lam)))
  a = lax.add(c(-0.059), lax.mul(c(0.02483), b))
  inv_alpha = lax.add(c(1.1239), lax.div(c(1.1328), lax.sub(b, c(3.4))))
  v_r = lax.sub(c(0.9277), lax.div(c(3.6224), lax.sub(b, c(2))))

  def body(carry):
    i, k_out, accepted, key = carry
    key, subkey_0, subkey_1 = _split(key, 3)
    u = lax.sub(_uniform_impl(subkey_0, 0., 1., shape, f32), c(0.5))
    v = _uniform_impl(subkey_1, 0., 1., shape, f32)
    u_shifted = lax.sub(c(0.5), lax.abs(u))
    k = lax.floor(lax.add(lax.add(lax.mul(lax.add(lax.div(lax.mul(c(2), a), u_shifted), b), u),
                                  lam), c(0.43)))
    s = lax.log(lax.div(lax.mul(v, inv_alpha),
                        lax.add(lax.div(a, lax.mul(u_shifted, u_shifted)), b)))
    t_ = lax.sub(lax.add(lax.neg(lam), lax.mul(k, log_lam)), lax.lgamma(lax.add(k, c(1))))
    accept1 = lax.bitwise_and(lax.ge(u_shifted, c(0.07)), lax.le(v, v_r))
    reject = lax.bitwise_or(lax.lt(k, c(0)), lax.bitwise_and(lax.lt(u_shifted, c(0.013)),
                                                             lax.gt(v, u_shifted)))
    accept2 = lax.le(s, t_)
    accept = lax.bitwise_or(accept1, lax.bitwise_and(lax.bitwise_not(reject), accept2))
    k_out = lax.select(accept, k, k_out)
    return lax.add(i, np.int32(1)), k_out, lax.bitwise_or(accepted, accept), key

  def cond(carry):
    i, _, accepted, _ = carry
    any_open = lax.reduce_or(lax.bitwise_not(accepted), tuple(range(len(shape))))
    return lax.bitwise_and(any_open, lax.lt(i, max_iters))

  init = (np.int32(0), lax.full(shape, -1, f32), lax.full(shape, False, np.bool_), key)
  k = lax.while_loop(cond, body, init)[1]
  return _astype(k, dtype)


def _poisson_impl(key, lam, shape, dtype):
  f32 = np.dtype(np.float32)
  use_knuth = lax.bitwise_or(lax.ne(lam, lam), lax.lt(lam, _const(f32, 10)))
  lam_knuth = lax.select(use_knuth, lam, lax.full(shape, 0.0, f32))
  lam_rejection = lax.select(use_knuth, lax.full(shape, 1e5, f32), lam)
  # The loop counters are int32; JAX caps them at iinfo(dtype).max.
  max_iters = np.int32(min(int(dtypes.iinfo(dtype).max), int(np.iinfo(np.int32).max)))
  result = lax.select(use_knuth,
                      _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                      _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
  return lax.select(lax.eq(lam, _const(f32, 0)), lax.full(shape, 0, dtype), result)


_poisson = sampler_jit(_poisson_impl, 2)


def poisson(key, lam, shape=None, dtype=None, *, out_sharding=None):
  """Poisson random integers with rate ``lam`` (Knuth below 10, PTRS rejection above).

  >>> from jaxlite import random
  >>> random.poisson(random.PRNGKey(0), 3., (2,)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(poisson(key, lam=lam, shape=shape, dtype=dtype),
                    out_sharding, "poisson")
  typed, _ = _check_prng_key("poisson", key)
  dtype = np.dtype(dtypes.check_and_canonicalize_user_dtype(
      int if dtype is None else dtype, "poisson"))
  if impl_of(typed).name != "threefry2x32":
    raise NotImplementedError("`poisson` is only implemented for the threefry2x32 RNG, "
                              f"not {impl_of(typed)}")
  shape = canonicalize_shape(shape) if shape is not None else tuple(np.shape(lam))
  _check_shape("poisson", shape, np.shape(lam))
  lam = _to_rank(_astype(lam, np.float32), shape)
  return _poisson(typed, lam, shape, dtype)
