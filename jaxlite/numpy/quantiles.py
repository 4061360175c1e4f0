"""Order statistics of ``jaxlite.numpy``: ``quantile``, ``percentile``, ``median``
and their NaN-ignoring variants, with JAX's methods (``inverted_cdf`` with
``weights=`` included).

  >>> import jaxlite.numpy as jnp
  >>> jnp.median(jnp.array([3.0, 1.0, 2.0]))
  Array(2., dtype=float32)
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax.out_sharding import place as _place
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs
from jaxlite.numpy.promotion import canonicalize_axes, ensure_array
from jaxlite.numpy.library_jit import library_jit
from jaxlite.numpy.reductions import _as_array, _inexact, _not_nan, any, cumsum, sum

__all__ = ['quantile', 'nanquantile', 'percentile', 'nanpercentile', 'median', 'nanmedian']


_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf",
            "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
            "hazen", "weibull", "median_unbiased", "normal_unbiased")


def _quantile(name, a, q, axis, method, keepdims, ignore_nan, weights=None):
  from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
  a = _as_array(a, name)
  if method not in ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf"):
    raise ValueError("method can only be 'linear', 'lower', 'higher', 'midpoint', "
                     "'nearest' or 'inverted_cdf'")
  if weights is not None:
    weights = _as_array(weights, name)
    if dtypes.issubdtype(weights.dtype, np.complexfloating):
      raise ValueError("Weights cannot be complex types.")
    if method != "inverted_cdf":
      raise NotImplementedError(f"{method} doesn't support weights. Only method "
                                "'inverted_cdf' supports weights.")
    weights = _weights_like(weights, a, axis)
  compute = _inexact(a.dtype)
  if dtypes.issubdtype(compute, np.complexfloating):
    raise ValueError(f"{name} does not support complex input")
  if weights is not None:
    compute = _inexact(dtypes.result_type(a, weights))
    weights = weights.astype(compute)
  a = a.astype(compute)
  q = ensure_array(promotion.convert(promotion.asarray_value(q), compute))
  if q.ndim > 1:
    raise ValueError(f"q must be have rank <= 1, got shape {q.shape}")
  shape_in = a.shape
  if axis is None:
    a = lax_structural.reshape(a, (a.size,))
    axes = (0,)
  else:
    axes = canonicalize_axes(axis, a.ndim)
    # Move the reduced axes to the end and merge them.
    from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
    kept = [i for i in range(a.ndim) if i not in axes]
    merged = tuple(shape_in[i] for i in kept) + (math.prod(shape_in[i] for i in axes),)
    a = lax_structural.reshape(lax_structural.transpose(a, kept + list(axes)), merged)
    if weights is not None:
      weights = lax_structural.reshape(
          lax_structural.transpose(weights, kept + list(axes)), merged)
    del shape_lib
  if weights is not None and axis is None:
    weights = lax_structural.reshape(weights, (weights.size,))
  n = a.shape[-1]
  batch = a.shape[:-1]
  if method == "inverted_cdf":
    result = _inverted_cdf(a, q, weights, compute, ignore_nan)
    return _quantile_shape(result, q, shape_in, axis, axes, keepdims, batch)
  if ignore_nan:
    # NaNs sort last; count the valid ones per row.
    counts = sum(_not_nan(a), axis=-1, keepdims=True, dtype=compute)
  else:
    counts = np.asarray(n, compute)
  sorted_a = sorting.sort(a, axis=-1)
  q_flat = lax_structural.reshape(q, (q.size,))
  # Positions of the quantiles: q * (count - 1).
  q_b = lax_structural.broadcast_in_dim(q_flat, (q.size,) + batch + (1,), (0,))
  pos = ufuncs.multiply(q_b, ufuncs.subtract(counts, np.asarray(1, compute)))
  pos = ufuncs.clip(pos, 0, ufuncs.maximum(ufuncs.subtract(counts, 1), 0))
  low = ufuncs.floor(pos)
  high = ufuncs.ceil(pos)
  frac = ufuncs.subtract(pos, low)
  data = lax_structural.broadcast_in_dim(sorted_a, (q.size,) + batch + (n,),
                                         tuple(range(1, a.ndim + 1)))
  index_dtype = dtypes.canonicalize_dtype(dtypes.int_)
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top

  def at(p):
    idx = ufuncs.clip(p.astype(index_dtype), 0, builtins.max(n - 1, 0))
    return shape_lib.take_along_axis(data, idx, axis=-1, mode="clip")

  if method == "lower":
    result = at(low)
  elif method == "higher":
    result = at(high)
  elif method == "nearest":
    # Ties go to the lower neighbour, as JAX's (not NumPy's round-half-even).
    result = ufuncs.where(ufuncs.less_equal(frac, np.asarray(0.5, compute)), at(low),
                          at(high))
  elif method == "midpoint":
    result = ufuncs.multiply(ufuncs.add(at(low), at(high)), np.asarray(0.5, compute))
  else:
    lo, hi = at(low), at(high)
    result = ufuncs.add(lo, ufuncs.multiply(ufuncs.subtract(hi, lo), frac))
  result = lax_structural.reshape(result, (q.size,) + batch)
  if ignore_nan:
    empty = lax_structural.reshape(
        lax_structural.broadcast_in_dim(ufuncs.equal(counts, 0), (q.size,) + batch + (1,),
                                        tuple(range(1, a.ndim + 1))), (q.size,) + batch)
    result = ufuncs.where(empty, np.asarray(np.nan, compute), result)
  elif dtypes.issubdtype(compute, np.floating):
    has_nan = any(ufuncs.isnan(a), axis=-1)
    result = ufuncs.where(has_nan, np.asarray(np.nan, compute), result)
  return _quantile_shape(result, q, shape_in, axis, axes, keepdims, batch)


def _quantile_shape(result, q, shape_in, axis, axes, keepdims, batch):
  # result: (q.size, *batch) -> q's shape, then the kept (or size-1) axes.
  result = lax_structural.reshape(result, (q.size,) + batch)
  if keepdims:
    kept_shape = tuple(1 if (axis is None or i in axes) else d
                       for i, d in enumerate(shape_in))
    result = lax_structural.reshape(result, (q.size,) + kept_shape)
  if q.ndim == 0:
    result = lax_structural.reshape(result, result.shape[1:])
  return result


def _weights_like(weights, a, axis):
  """Weights broadcast to ``a``'s shape: JAX's rules for ``weights=``."""
  if weights.shape == a.shape:
    return weights
  if axis is None:
    raise ValueError("Weights shape must match 'a' shape when axis is None.")
  axes = canonicalize_axes(axis, a.ndim)
  if weights.shape != tuple(a.shape[ax] for ax in axes):
    raise ValueError(f"Weights shape {weights.shape} must match reduction axes "
                     f"{tuple(a.shape[ax] for ax in axes)}")
  return lax_structural.broadcast_in_dim(weights, a.shape, tuple(axes))


def _inverted_cdf(a, q, weights, compute, ignore_nan):
  """The smallest element whose cumulative weight reaches ``q`` of the total
  (JAX's weighted 'inverted_cdf'); rows are along the last axis of ``a``."""
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  n = a.shape[-1]
  if weights is None:
    weights = lax_structural.full(a.shape, 1, compute)
  if not ignore_nan:
    # A row with a NaN is all NaN (then NaN is its result).
    a = ufuncs.where(any(ufuncs.isnan(a), axis=-1, keepdims=True),
                     np.asarray(np.nan, compute), a)
  a, weights = lax.sort((a, weights), dimension=a.ndim - 1, num_keys=1)
  bad_weights = ufuncs.logical_or(ufuncs.less(weights, 0), ufuncs.isnan(weights))
  nan_data = ufuncs.isnan(a)
  clean = ufuncs.where(ufuncs.logical_or(bad_weights, nan_data),
                       np.asarray(0, compute), weights)
  cum = cumsum(clean, axis=-1)
  total = cum[..., -1:]
  q_flat = lax_structural.reshape(q, (q.size,) + (1,) * a.ndim)
  target = ufuncs.multiply(q_flat, total[None])              # (q, *batch, 1)
  below = ufuncs.less(cum[None], target)                      # (q, *batch, n)
  idx = sum(below, axis=-1, dtype=dtypes.canonicalize_dtype(dtypes.int_), keepdims=True)
  if ignore_nan:
    valid = sum(ufuncs.logical_not(nan_data), axis=-1, keepdims=True,
                dtype=dtypes.canonicalize_dtype(dtypes.int_))
  else:
    valid = np.asarray(n, dtypes.canonicalize_dtype(dtypes.int_))
  idx = ufuncs.maximum(0, ufuncs.minimum(idx, ufuncs.subtract(valid, 1)))
  data = lax_structural.broadcast_in_dim(a, (q.size,) + a.shape,
                                         tuple(range(1, a.ndim + 1)))
  result = shape_lib.take_along_axis(data, idx, axis=-1)[..., 0]
  any_bad = any(bad_weights, axis=-1)
  if ignore_nan:
    force_nan = ufuncs.logical_or(any_bad, ufuncs.equal(valid[..., 0], 0))
  else:
    force_nan = ufuncs.logical_or(any_bad, any(nan_data, axis=-1))
  return ufuncs.where(force_nan[None], np.asarray(np.nan, compute), result)


@library_jit(static_argnames=('axis', 'overwrite_input', 'keepdims', 'method', 'interpolation'))
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
  """The ``q``-th quantiles (``q`` in [0, 1]) over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.quantile(jnp.array([1.0, 2.0, 3.0, 4.0]), 0.5)
  Array(2.5, dtype=float32)
  """
  del out, overwrite_input
  return _quantile("quantile", a, q, axis, interpolation or method, keepdims, False,
                   weights)


@library_jit(static_argnames=('axis', 'overwrite_input', 'keepdims', 'method', 'interpolation'))
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
  """``quantile`` ignoring NaNs.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanquantile(jnp.array([1.0, jnp.nan, 3.0]), 0.5)
  Array(2., dtype=float32)
  """
  del out, overwrite_input
  return _quantile("nanquantile", a, q, axis, interpolation or method, keepdims, True,
                   weights)


@library_jit(static_argnames=('axis', 'overwrite_input', 'keepdims', 'method',
                             'interpolation', 'out_sharding'))
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None, out_sharding=None):
  """The ``q``-th percentiles (``q`` in [0, 100]) over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.percentile(jnp.array([1.0, 2.0, 3.0]), 50)
  Array(2., dtype=float32)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    out = percentile(a, q, axis, out, overwrite_input, method, keepdims, weights=weights,
                     interpolation=interpolation)
    return _place(out, out_sharding, "jnp.percentile")
  promotion.check_arraylike("percentile", a, q)
  q = ufuncs.true_divide(q, 100.0)
  return quantile(a, q, axis, out, overwrite_input, method, keepdims, weights=weights,
                  interpolation=interpolation)


@library_jit(static_argnames=('axis', 'overwrite_input', 'keepdims', 'method', 'interpolation'))
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
  """``percentile`` ignoring NaNs.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanpercentile(jnp.array([1.0, jnp.nan, 3.0]), 50)
  Array(2., dtype=float32)
  """
  promotion.check_arraylike("nanpercentile", a, q)
  q = ufuncs.true_divide(q, 100.0)
  return nanquantile(a, q, axis, out, overwrite_input, method, keepdims, weights=weights,
                     interpolation=interpolation)


@library_jit(static_argnames=('axis', 'overwrite_input', 'keepdims'))
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
  """The median over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.median(jnp.array([3.0, 1.0, 2.0]))
  Array(2., dtype=float32)
  """
  return quantile(a, 0.5, axis, out, overwrite_input, "midpoint", keepdims)


@library_jit(static_argnames=('axis', 'overwrite_input', 'keepdims'))
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
  """The median of the non-NaN elements.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanmedian(jnp.array([3.0, jnp.nan, 1.0]))
  Array(2., dtype=float32)
  """
  return nanquantile(a, 0.5, axis, out, overwrite_input, "midpoint", keepdims)
