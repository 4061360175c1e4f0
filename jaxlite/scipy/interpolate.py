"""``jaxlite.scipy.interpolate``: interpolation on a regular grid.

  >>> import jaxlite.numpy as jnp
  >>> f = RegularGridInterpolator((jnp.array([0., 1., 2.]),), jnp.array([0., 10., 40.]))
  >>> f(jnp.array([[0.5], [1.5]]))
  Array([ 5., 25.], dtype=float32)
"""
from __future__ import annotations

import itertools

import numpy as np

from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact

__all__ = ['RegularGridInterpolator']

_METHODS = ("linear", "nearest")


def _jnp():
  from jaxlite import numpy as jnp
  return jnp


def _points_array(points, ndim):
  """Sample points as one ``(..., ndim)`` array (a tuple of per-axis arrays is stacked)."""
  jnp = _jnp()
  if isinstance(points, tuple) and len(points) == 1:
    points = points[0]
  if isinstance(points, tuple):
    parts = jnp.broadcast_arrays(*points)
    return jnp.stack([jnp.asarray(p, dtype=float) for p in parts], axis=-1)
  check_arraylike("_ndim_coords_from_arrays", points)
  points = jnp.asarray(points)
  if points.ndim == 1:
    points = points.reshape(-1, ndim)
  return points


class RegularGridInterpolator:
  """Linear or nearest-neighbour interpolation of ``values`` sampled on the grid
  ``points`` (one sorted 1-D array per leading axis of ``values``).

  Outside the grid the result is ``fill_value`` (NaN by default), or the
  extrapolation when ``fill_value`` is None. A pytree, so it can cross ``jit``.

  >>> import jaxlite.numpy as jnp
  >>> g = (jnp.array([0., 1.]), jnp.array([0., 1.]))
  >>> f = RegularGridInterpolator(g, jnp.array([[0., 1.], [2., 3.]]), method='nearest')
  >>> f(jnp.array([[0.2, 0.9]]))
  Array([1.], dtype=float32)
  """

  def __init__(self, points, values, method="linear", bounds_error=False, fill_value=np.nan):
    jnp = _jnp()
    if method not in _METHODS:
      raise ValueError(f"method {method!r} is not defined")
    self.method = method
    self.bounds_error = bounds_error
    if bounds_error:
      raise NotImplementedError("`bounds_error` takes no effect under JIT")
    check_arraylike("RegularGridInterpolator", values)
    if len(points) > np.ndim(values):
      raise ValueError(f"there are {len(points)} point arrays, but values has "
                       f"{np.ndim(values)} dimensions")
    values, = promote_dtypes_inexact(jnp.asarray(values))
    if fill_value is not None:
      check_arraylike("RegularGridInterpolator", fill_value)
      fill_value = jnp.asarray(fill_value)
      if not jnp.can_cast(fill_value.dtype, values.dtype, casting='same_kind'):
        raise ValueError("fill_value must be either 'None' or of a type compatible with values")
    self.fill_value = fill_value
    check_arraylike("RegularGridInterpolator", *points)
    self.grid = tuple(jnp.asarray(p) for p in points)
    self.values = values

  def __call__(self, xi, method=None):
    jnp = _jnp()
    method = self.method if method is None else method
    if method not in _METHODS:
      raise ValueError(f"method {method!r} is not defined")
    ndim = len(self.grid)
    xi = _points_array(xi, ndim)
    if xi.shape[-1] != ndim:
      raise ValueError(f"the requested sample points xi have dimension {xi.shape[1]}, but "
                       f"this RegularGridInterpolator has dimension {ndim}")
    lead = xi.shape[:-1]
    xi = xi.reshape(-1, ndim)
    indices, fractions, outside = self._locate(xi.T)
    trailing = (slice(None),) + (None,) * (self.values.ndim - ndim)
    if method == "linear":
      result = jnp.asarray(0., self.values.dtype)
      for corner in itertools.product(*[[i, i + 1] for i in indices]):
        weight = jnp.asarray(1., fractions[0].dtype)
        for c, i, t in zip(corner, indices, fractions):
          weight = weight * jnp.where(c == i, 1 - t, t)
        result = result + self.values[corner] * weight[trailing]
    else:
      result = self.values[tuple(jnp.where(t <= .5, i, i + 1)
                                 for i, t in zip(indices, fractions))]
    if self.fill_value is not None:
      mask = outside.reshape(result.shape[:1] + (1,) * (result.ndim - 1))
      result = jnp.where(mask, self.fill_value, result)
    return result.reshape(lead + self.values.shape[ndim:])

  def _locate(self, xi):
    """Per axis: the cell index, the fraction across the cell, and any point outside."""
    jnp = _jnp()
    indices, fractions = [], []
    outside = jnp.zeros((xi.shape[1],), bool)
    for x, g in zip(xi, self.grid):
      i = jnp.clip(jnp.searchsorted(g, x) - 1, 0, g.size - 2)
      indices.append(i)
      fractions.append((x - g[i]) / (g[i + 1] - g[i]))
      outside = outside | (x < g[0]) | (x > g[-1])
    return indices, fractions, outside


def _flatten(obj):
  return (obj.grid, obj.values, obj.fill_value), (obj.method, obj.bounds_error)


def _unflatten(aux, children):
  obj = object.__new__(RegularGridInterpolator)
  obj.grid, obj.values, obj.fill_value = children
  obj.method, obj.bounds_error = aux
  return obj


def _register():
  from jaxlite import tree_util
  tree_util.register_pytree_node(RegularGridInterpolator, _flatten, _unflatten)


_register()
