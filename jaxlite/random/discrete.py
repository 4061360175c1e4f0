"""Sampling from finite sets and matrices: categorical, choice, permutation,
shuffle, and the linear-algebra samplers multivariate_normal and orthogonal.
"""
from __future__ import annotations

import math
import operator
from typing import Sequence

import numpy as np

from jaxlite import core, dtypes, lax
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_dtypes_inexact
from jaxlite.random.samplers import _sharded
from jaxlite.random.keys import (_check_prng_key, _random_bits, _split, canonicalize_shape,
                                 sampler_jit)
from jaxlite.random.samplers import (_check_shape, _float_dtype, _gumbel_impl, _normal_impl,
                                     _uniform_impl, broadcast_shapes, randint)

__all__ = ["categorical", "choice", "permutation", "shuffle", "multivariate_normal",
           "orthogonal"]


def _canonicalize_axis(axis, ndim):
  axis = operator.index(axis)
  if not -ndim <= axis < ndim:
    raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
  return axis % ndim


# --- shuffles ------------------------------------------------------------------------------


def _shuffle_impl(key, x, axis):
  # Sort by fresh random 32-bit keys, enough rounds that all keys are
  # distinct with high probability (tjablin's static criterion, as JAX).
  exponent = 3
  uint32max = np.iinfo(np.uint32).max
  size = int(np.prod(np.shape(x)))
  num_rounds = int(np.ceil(exponent * np.log(max(1, size)) / np.log(uint32max)))
  for _ in range(num_rounds):
    key, subkey = _split(key)
    sort_keys = _random_bits(subkey, 32, np.shape(x))
    _, x = lax.sort_key_val(sort_keys, x, axis)
  return x


_shuffle = sampler_jit(_shuffle_impl, 1)


def permutation(key, x, axis: int = 0, independent: bool = False, *, out_sharding=None):
  """A random permutation of ``arange(x)`` (integer ``x``) or of ``x`` along ``axis``.

  With ``independent=True`` every slice along ``axis`` is shuffled on its own.

  >>> from jaxlite import random
  >>> random.permutation(random.PRNGKey(0), 5).shape
  (5,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(permutation(key, x=x, axis=axis, independent=independent),
                    out_sharding, "permutation")
  typed, _ = _check_prng_key("permutation", key)
  if not np.ndim(x):
    if not dtypes.issubdtype(dtypes.dtype(x), np.integer):
      raise TypeError("x must be an integer or at least 1-dimensional")
    n = operator.index(x) if not isinstance(x, core.Tracer) else x.__index__()
    return _shuffle(typed, jnp.arange(n), 0)
  x = jnp.asarray(x)
  axis = _canonicalize_axis(axis, x.ndim)
  if independent or x.ndim == 1:
    return _shuffle(typed, x, axis)
  ind = _shuffle(typed, jnp.arange(x.shape[axis]), 0)
  return jnp.take(x, ind, axis)


def shuffle(key, x, axis: int = 0):
  """Shuffles ``x`` along ``axis``, each slice independently (deprecated in JAX
  in favour of ``permutation(..., independent=True)``).

  >>> from jaxlite import random
  >>> random.shuffle(random.PRNGKey(0), np.arange(4)).shape
  (4,)
  """
  typed, _ = _check_prng_key("shuffle", key)
  x = jnp.asarray(x)
  return _shuffle(typed, x, _canonicalize_axis(axis, max(x.ndim, 1)))


# --- categorical and choice -------------------------------------------------------------------


def categorical(key, logits, axis: int = -1, shape=None, replace: bool = True, mode=None, *,
                out_sharding=None):
  """Samples category indices from unnormalised log-probabilities ``logits``
  (the Gumbel-max trick; Gumbel top-k without replacement).

  >>> from jaxlite import random
  >>> random.categorical(random.PRNGKey(0), np.log(np.array([0.2, 0.8])), shape=(3,)).shape
  (3,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    out = categorical(key, logits=logits, axis=axis, shape=shape,
                     replace=replace, mode=mode)
    return _sharded(out, out_sharding, "categorical")
  typed, _ = _check_prng_key("categorical", key)
  logits = jnp.asarray(logits)
  if not dtypes.issubdtype(logits.dtype, np.inexact):
    logits = logits.astype(dtypes.default_float_dtype())
  axis = operator.index(axis)
  batch_shape = tuple(np.delete(logits.shape, axis))
  if shape is None:
    shape = batch_shape
  else:
    shape = canonicalize_shape(shape)
    _check_shape("categorical", shape, batch_shape)
  if mode is None:
    mode = "low"
  if mode not in ("high", "low"):
    raise ValueError(f"Must provide valid mode for gumbel got: {mode}")
  return _categorical(typed, logits, shape, batch_shape, axis, bool(replace), mode)


def _categorical_impl(key, logits, shape, batch_shape, axis, replace, mode):
  prefix = shape[:len(shape) - len(batch_shape)]
  ndim = logits.ndim
  if replace:
    if axis >= 0:
      axis -= ndim
    logits_shape = list(shape[len(shape) - len(batch_shape):])
    logits_shape.insert(axis % ndim, logits.shape[axis])
    g = _gumbel_impl(key, (*prefix, *logits_shape), logits.dtype, mode)
    return jnp.argmax(g + lax.expand_dims(logits, tuple(range(len(prefix)))), axis=axis)
  logits = logits + _gumbel_impl(key, logits.shape, logits.dtype, mode)
  k = math.prod(prefix)
  if k > logits.shape[axis]:
    raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number of "
                     f"categories ({logits.shape[axis]}).")
  _, indices = lax.top_k(jnp.moveaxis(logits, axis, -1), k)
  dimensions = (indices.ndim - 1, *range(indices.ndim - 1))
  return lax.reshape(indices, shape, dimensions)


_categorical = sampler_jit(_categorical_impl, 5)


def choice(key, a, shape: Sequence[int] = (), replace: bool = True, p=None, axis: int = 0,
           mode=None):
  """Random samples from ``a`` (or ``arange(a)``) along ``axis``, with or without
  replacement, uniformly or with probabilities ``p``.

  >>> from jaxlite import random
  >>> random.choice(random.PRNGKey(0), 10, (3,), replace=False).shape
  (3,)
  """
  typed, _ = _check_prng_key("choice", key)
  if not isinstance(shape, Sequence):
    raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
  shape = tuple(shape)
  arr = jnp.asarray(a)
  if arr.ndim == 0:
    n_inputs = operator.index(a) if not isinstance(a, core.Tracer) else a.__index__()
  else:
    axis = _canonicalize_axis(axis, arr.ndim)
    n_inputs = arr.shape[axis]
  n_draws = math.prod(shape)
  if n_draws == 0:
    return jnp.zeros(shape, dtype=arr.dtype)
  if n_inputs <= 0:
    raise ValueError("a must be greater than 0 unless no samples are taken")
  if not replace and n_draws > n_inputs:
    raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population (size "
                     f"{n_inputs}) when 'replace=False'")
  if p is None:
    if replace:
      ind = randint(typed, shape, 0, n_inputs)
      result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
    else:
      perm = permutation(typed, n_inputs if arr.ndim == 0 else arr, axis)
      result = lax.slice_in_dim(perm, 0, n_draws, axis=0 if arr.ndim == 0 else axis)
  else:
    p_arr, = promote_dtypes_inexact(jnp.asarray(p))
    if p_arr.shape != (n_inputs,):
      raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis]. "
                       f"p has shape {p_arr.shape} and a.shape[axis] is {n_inputs}.")
    ind = _choice_p(typed, p_arr, shape, bool(replace), n_draws, mode or "low")
    result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
  return result.reshape(shape if arr.ndim == 0 else
                        arr.shape[0:axis] + tuple(shape) + arr.shape[axis + 1:])


def _choice_p_impl(key, p, shape, replace, n_draws, mode):
  int_dtype = dtypes.default_int_dtype()
  if replace:
    # Inverse CDF: searchsorted of uniforms scaled to the total mass.
    p_cuml = jnp.cumsum(p)
    total = lax.index_in_dim(p_cuml, p_cuml.shape[0] - 1, keepdims=False)
    u = _uniform_impl(key, 0., 1., shape, p_cuml.dtype)
    r = total * (1 - u)
    return jnp.searchsorted(p_cuml, r).astype(int_dtype)
  # Gumbel top-k: the k largest of log(p) + Gumbel noise.
  g = _gumbel_impl(key, (p.shape[0],), p.dtype, mode) + jnp.log(p)
  return lax.top_k(g, n_draws)[1].astype(int_dtype)


_choice_p = sampler_jit(_choice_p_impl, 4)


# --- linear-algebra samplers ---------------------------------------------------------------------


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method: str = "cholesky", *,
                        out_sharding=None):
  r"""Multivariate normal samples ``mean + A z`` with ``A A^T = cov`` from a
  Cholesky, eigen (``'eigh'``) or singular value (``'svd'``) factorisation.

  >>> from jaxlite import random
  >>> random.multivariate_normal(random.PRNGKey(0), np.zeros(2), np.eye(2)).shape
  (2,)
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    out = multivariate_normal(key, mean=mean, cov=cov, shape=shape,
                             dtype=dtype, method=method)
    return _sharded(out, out_sharding, "multivariate_normal")
  typed, _ = _check_prng_key("multivariate_normal", key)
  dtype = _float_dtype("multivariate_normal", dtype)
  if method not in {"svd", "eigh", "cholesky"}:
    raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
  if shape is not None:
    shape = canonicalize_shape(shape)
  mean = jnp.asarray(mean, dtype)
  cov = jnp.asarray(cov, dtype)
  if not mean.ndim >= 1:
    raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}")
  if not cov.ndim >= 2:
    raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}")
  n = mean.shape[-1]
  if cov.shape[-2:] != (n, n):
    raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, "
                     f"but got cov.shape == {cov.shape}.")
  if shape is None:
    shape = broadcast_shapes(mean.shape[:-1], cov.shape[:-2])
  else:
    _check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
  return _multivariate_normal(typed, mean, cov, shape, dtype, method)


def _multivariate_normal_impl(key, mean, cov, shape, dtype, method):
  if method == "svd":
    u, s, _ = jnp.linalg.svd(cov)
    factor = u * jnp.sqrt(s[..., None, :])
  elif method == "eigh":
    w, v = jnp.linalg.eigh(cov)
    factor = v * jnp.sqrt(w[..., None, :])
  else:
    factor = jnp.linalg.cholesky(cov)
  z = _normal_impl(key, shape + mean.shape[-1:], dtype)
  return mean + jnp.einsum("...ij,...j->...i", factor, z)


_multivariate_normal = sampler_jit(_multivariate_normal_impl, 3)


def orthogonal(key, n: int, shape=(), dtype=None, m: int | None = None, *, out_sharding=None):
  r"""A random (semi-)orthogonal ``n x m`` matrix, uniform on O(n) (Haar
  measure): the Q of a QR factorisation of a Gaussian matrix, with the signs of
  R's diagonal moved into Q (Mezzadri 2007).

  >>> from jaxlite import random
  >>> q = random.orthogonal(random.PRNGKey(0), 3)
  >>> bool(np.allclose(q @ q.T, np.eye(3), atol=1e-5))
  True
  """
  if out_sharding is not None:   # laid out as asked (JAX's out_sharding=)
    return _sharded(orthogonal(key, n=n, shape=shape, dtype=dtype, m=m),
                    out_sharding, "orthogonal")
  shape = canonicalize_shape(shape)
  typed, _ = _check_prng_key("orthogonal", key)
  dtype = _float_dtype("orthogonal", dtype, np.inexact)
  n = operator.index(n)
  m = n if m is None else operator.index(m)
  return _orthogonal(typed, n, m, shape, dtype)


def _orthogonal_impl(key, n, m, shape, dtype):
  z = _normal_impl(key, (*shape, max(n, m), min(n, m)), dtype)
  q, r = jnp.linalg.qr(z)
  d = jnp.linalg.diagonal(r)
  x = q * jnp.expand_dims(jnp.sign(d), -2)
  return jnp.swapaxes(x, -1, -2) if n < m else x


_orthogonal = sampler_jit(_orthogonal_impl, 4)
