"""Histograms: ``histogram_bin_edges``, ``histogram``, ``histogram2d`` and
``histogramdd``.

The number of bins must be concrete (the shape of the result); the range
may be traced, so these work under ``jit``. Values fall into bins by a
binary search over the edges (``searchsorted``) and are counted with a
scatter-add; values outside the range are dropped, and the last bin
includes its right edge, as in NumPy.

  >>> import jaxlite.numpy as jnp
  >>> jnp.histogram(jnp.array([0.0, 1.0, 1.0, 3.0]), bins=3)[0]
  Array([1., 2., 1.], dtype=float32)
"""
from __future__ import annotations

__all__ = ['histogram_bin_edges', 'histogram', 'histogram2d', 'histogramdd']

import builtins
import math

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import creation, joining, promotion, reductions, sorting, ufuncs
from jaxlite.numpy.promotion import check_arraylike, ensure_array


def _is_int_bins(bins):
  return isinstance(bins, (int, np.integer)) or (
      promotion.is_arraylike(bins) and promotion.ndim(bins) == 0)


def _edges(a, bins, range, fun_name):  # pylint: disable=redefined-builtin
  """The bin edges of the 1-D inexact ``a`` (an array or a bin count)."""
  if isinstance(bins, str):
    raise NotImplementedError("string values for `bins` not implemented.")
  if not _is_int_bins(bins):
    if isinstance(bins, (list, tuple)):
      bins = creation.asarray(bins)
    check_arraylike(fun_name, bins)
    edges = ensure_array(promotion.asarray_value(bins))
    if edges.ndim != 1:
      raise ValueError(f"`bins` must be 1d, when an array; got shape {edges.shape}")
    return ensure_array(promotion.convert(edges, a.dtype))
  bins = promotion.concrete_int(bins, f"'bins' argument of jnp.{fun_name}")
  if bins < 1:
    raise ValueError("`bins` must be positive, when an integer")
  if range is None:
    if a.size == 0:
      raise ValueError("zero-size array to reduction operation min which has no identity")
    low, high = reductions.min(a), reductions.max(a)
  else:
    if len(range) != 2:
      raise ValueError(f"range must be a pair (min, max); got {range}")
    low, high = (ensure_array(promotion.convert(r, a.dtype)) for r in range)
    if promotion.is_concrete(low) and promotion.is_concrete(high) and \
        float(promotion.concrete_value(low)) > float(promotion.concrete_value(high)):
      raise ValueError("max must be larger than min in range parameter.")
  # An empty range is widened by one half on either side, as NumPy does.
  same = lax.eq(low, high)
  half = np.asarray(0.5, a.dtype)
  low = ufuncs.where(same, lax.sub(low, half), low)
  high = ufuncs.where(same, lax.add(high, half), high)
  return creation.linspace(low, high, bins + 1, dtype=a.dtype)


def _inexact_flat(a, fun_name):
  check_arraylike(fun_name, a)
  (a,) = promotion.promote_dtypes_inexact(a)
  a = ensure_array(a)
  return lax_structural.reshape(a, (a.size,))


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # pylint: disable=redefined-builtin
  """The edges of the bins ``histogram`` would use for ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.histogram_bin_edges(jnp.array([0.0, 2.0]), bins=2)
  Array([0., 1., 2.], dtype=float32)
  """
  del weights  # only used by NumPy's string bin estimators
  return _edges(_inexact_flat(a, "histogram_bin_edges"), bins, range,
                "histogram_bin_edges")


def _bin_index(values, edges):
  """The bin of each value, 1-based: 0 below the first edge, ``len(edges)`` at
  or above the last, except that the last edge itself goes in the last bin."""
  index = sorting.searchsorted(edges, values, side="right")
  last = np.asarray(edges.shape[0] - 1, index.dtype)
  return ufuncs.where(ufuncs.equal(values, edges[-1]), last, index)


def histogram(a, bins=10, range=None, weights=None, density=None):  # pylint: disable=redefined-builtin
  """Counts (or summed ``weights``) of ``a``'s values in each bin, and the edges.

  With ``density``, the counts are normalised so that the histogram
  integrates to one over the range.

  >>> import jaxlite.numpy as jnp
  >>> counts, edges = jnp.histogram(jnp.array([1.0, 2.0, 2.0]), bins=2, range=(0, 4))
  >>> counts, edges
  (Array([1., 2.], dtype=float32), Array([0., 2., 4.], dtype=float32))
  """
  a = _inexact_flat(a, "histogram")
  if weights is None:
    weights = lax_structural.full(a.shape, 1, a.dtype)
  else:
    check_arraylike("histogram", weights)
    weights = ensure_array(promotion.asarray_value(weights))
    if weights.shape != promotion.shape(a) and weights.size != a.size:
      raise ValueError("weights should have the same shape as a.")
    weights = lax_structural.reshape(weights, a.shape)
  edges = _edges(a, bins, range, "histogram")
  index = _bin_index(a, edges)
  counts = lax_structural.full((edges.shape[0] + 1,), 0, weights.dtype)
  counts = counts.at[index].add(weights)[1:-1]
  if density:
    widths = lax.sub(edges[1:], edges[:-1])
    counts = ufuncs.true_divide(ufuncs.true_divide(counts, widths), reductions.sum(counts))
  return counts, edges


def histogramdd(sample, bins=10, range=None, weights=None, density=None):  # pylint: disable=redefined-builtin
  """The multidimensional histogram of the ``(N, D)`` array ``sample``.

  ``bins`` is a count, or one count or edge array per dimension.

  >>> import jaxlite.numpy as jnp
  >>> h, edges = jnp.histogramdd(jnp.array([[0.0, 0.0], [1.0, 1.0]]), bins=2)
  >>> h
  Array([[1, 0],
         [0, 1]], dtype=int32)
  """
  check_arraylike("histogramdd", sample)
  (sample,) = promotion.promote_dtypes_inexact(sample)
  sample = ensure_array(sample)
  if sample.ndim != 2:
    raise ValueError(f"histogramdd: sample must be 2-dimensional (N, D); got shape "
                     f"{sample.shape}")
  n, d = sample.shape
  if _is_int_bins(bins):
    bins = [bins] * d
  elif len(bins) != d:
    raise ValueError("should be a bin for each dimension.")
  if range is None:
    range = [None] * d
  elif len(range) != d:
    raise ValueError("should be a range for each dimension.")
  edges, indices = [], []
  for i in builtins.range(d):
    column = sample[:, i]
    e = _edges(column, bins[i], range[i], "histogramdd")
    edges.append(e)
    indices.append(_bin_index(column, e))
  # One flat bin per cell of the (bins + 2)^D grid, outliers included.
  grid = tuple(e.shape[0] + 1 for e in edges)
  index_dtype = indices[0].dtype
  flat = lax_structural.full((n,), 0, index_dtype)
  for index, size in zip(indices, grid):
    flat = lax.add(lax.mul(flat, np.asarray(size, index_dtype)), index)
  if weights is None:
    weights = lax_structural.full((n,), 1, dtypes.canonicalize_dtype(dtypes.int_))
  else:
    check_arraylike("histogramdd", weights)
    weights = ensure_array(promotion.asarray_value(weights))
    if weights.shape != (n,):
      raise ValueError(f"weights must have shape ({n},); got {weights.shape}")
  counts = lax_structural.full((math.prod(grid),), 0, weights.dtype)
  counts = lax_structural.reshape(counts.at[flat].add(weights), grid)
  counts = counts[(slice(1, -1),) * d]
  if density:
    counts = ufuncs.true_divide(counts, reductions.sum(counts))
    for i, e in enumerate(edges):
      shape = [1] * d
      shape[i] = e.shape[0] - 1
      counts = ufuncs.true_divide(counts, lax_structural.reshape(
          lax.sub(e[1:], e[:-1]), tuple(shape)))
  return counts, edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):  # pylint: disable=redefined-builtin
  """The two-dimensional histogram of the points ``(x[i], y[i])``.

  >>> import jaxlite.numpy as jnp
  >>> h, xedges, yedges = jnp.histogram2d(jnp.array([0.0, 1.0]), jnp.array([1.0, 1.0]), 2)
  >>> h
  Array([[0, 1],
         [0, 1]], dtype=int32)
  """
  check_arraylike("histogram2d", x, y)
  if promotion.shape(x) != promotion.shape(y) or promotion.ndim(x) != 1:
    raise ValueError("histogram2d: x and y must be 1-D arrays of equal length; got "
                     f"shapes {promotion.shape(x)} and {promotion.shape(y)}")
  x, y = (ensure_array(v) for v in promotion.promote_dtypes_inexact(x, y))
  if not _is_int_bins(bins) and len(bins) != 2:
    # One edge array for both dimensions.
    bins = [bins, bins]
  sample = joining.stack([x, y], axis=1)
  counts, (xedges, yedges) = histogramdd(sample, bins, range, weights, density)
  return counts, xedges, yedges
