"""``random_gamma_p``: JAX's primitive for Gamma(a) samples, one per element
of ``a`` from a key whose shape is a prefix of ``a``'s (each key is split
into one key per element below it). Its derivative in ``a`` is the implicit
reparameterisation gradient (``lax.random_gamma_grad``), so ``grad`` flows
through ``random.gamma``, ``beta``, ``dirichlet`` ... as in JAX.

Typed keys are bound as their key data, with the PRNG implementation as the
parameter ``impl`` (jaxlite's key arrays wrap a uint32 array).

  >>> import numpy as np
  >>> from jaxlite import random
  >>> key = random.key(0)
  >>> random.random_gamma_p.bind(key, np.float32(2.0), log_space=False).shape
  ()
"""
from __future__ import annotations

import math

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.prng import default_prng_impl
from jaxlite.random import key_primitives as kp

__all__ = ["random_gamma_p"]


class _KeyDataPrimitive(core.Primitive):
  """A primitive whose first operand is a key array, bound as its key data."""

  def bind(self, key, a, *, log_space, impl=None):  # pylint: disable=arguments-differ
    if kp.is_key_value(key):   # a typed key array, concrete or traced
      impl, key = kp.impl_of(key), kp.random_unwrap(key)
    elif impl is None:
      impl = default_prng_impl()
    return super().bind(key, a, log_space=bool(log_space), impl=impl)


random_gamma_p = _KeyDataPrimitive("random_gamma")


def _key_rank(key_aval, impl):
  return len(key_aval.shape) - len(impl.key_shape)


def _abstract_eval(key, a, *, log_space, impl):
  del log_space
  key_shape = key.shape[:_key_rank(key, impl)]
  if tuple(a.shape[:len(key_shape)]) != tuple(key_shape):
    raise TypeError(f"random_gamma: the key shape {key_shape} must be a prefix of the shape "
                    f"of a, {a.shape}")
  if not dtypes.issubdtype(a.dtype, np.floating):
    raise TypeError(f"random_gamma: a must be floating point, got {a.dtype}")
  return core.ShapedArray(a.shape, a.dtype)


random_gamma_p.def_abstract_eval(_abstract_eval)


def _samples(key_data, a, *, log_space, impl):
  """The computation: split every key into one per element below it, then one
  Marsaglia-Tsang loop per element (``gamma._gamma_one``)."""
  # pylint: disable=g-import-not-at-top
  from jaxlite.random.gamma import _gamma_one, _while_batches
  from jaxlite.random.keys import _split
  from jaxlite.vectorization import vmap
  keys = kp.random_wrap(key_data, impl=impl)
  per_key = math.prod(a.shape[len(keys.shape):])
  if keys.shape:
    n_keys = math.prod(keys.shape)
    flat = kp.random_wrap(lax.reshape(key_data, (n_keys, *impl.key_shape)), impl=impl)
    split = kp.random_unwrap(vmap(lambda k: _split(k, per_key))(flat))
    keys = kp.random_wrap(lax.reshape(split, (n_keys * per_key, *impl.key_shape)), impl=impl)
  else:
    keys = _split(keys, per_key)
  n = math.prod(a.shape)
  alphas = lax.reshape(a, (n,))

  def one(k, alpha):
    return _gamma_one(k, alpha, log_space)
  if _while_batches():
    samples = vmap(one)(keys, alphas)
  else:
    samples = lax.map(lambda ka: one(*ka), (keys, alphas))
  return lax.reshape(samples, a.shape)


mlir.register_lowering(random_gamma_p, mlir.lower_fun(_samples, multiple_results=False))


def _batch(batched_args, batch_dims, *, log_space, impl):
  size = batching.batch_size(batched_args, batch_dims)
  key, a = (batching.bdim_at_front(x, d, size) for x, d in zip(batched_args, batch_dims))
  return random_gamma_p.bind(key, a, log_space=log_space, impl=impl), 0


batching.primitive_batchers[random_gamma_p] = _batch


def _gamma_grad(sample, a, log_space):
  """d sample / d a at fixed randomness (for log-space samples, of the log)."""
  samples = lax.reshape(sample, (math.prod(np.shape(sample)),))
  alphas = lax.reshape(a, (math.prod(np.shape(a)),))
  if log_space:
    # d log(x) = dx / x; exp(log x) may underflow to 0: use the smallest normal.
    samples = lax.exp(samples)
    tiny = lax.full_like(samples, dtypes.finfo(samples.dtype).tiny)
    samples = lax.select(lax.eq(samples, lax.full_like(samples, 0)), tiny, samples)

    def grad(alpha, x):
      return lax.div(lax.random_gamma_grad(alpha, x), x)
  else:
    grad = lax.random_gamma_grad
  grads = lax.map(lambda ax: grad(*ax), (alphas, samples))
  return lax.reshape(grads, np.shape(a))


ad.defjvp2(random_gamma_p, None,
           lambda t, ans, key, a, *, log_space, impl: lax.mul(t, _gamma_grad(ans, a, log_space)))
