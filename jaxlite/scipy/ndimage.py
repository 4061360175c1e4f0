"""``jaxlite.scipy.ndimage``: ``map_coordinates`` (nearest and linear interpolation).

  >>> import jaxlite.numpy as jnp
  >>> map_coordinates(jnp.array([0., 10., 20.]), [jnp.array([0.5, 1.25])], order=1)
  Array([ 5. , 12.5], dtype=float32)
"""
from __future__ import annotations

import functools
import itertools
import operator

import numpy as np

__all__ = ['map_coordinates']


def _mirror(index, size):
  # A triangular wave of period 2 (size - 1): ... 1 0 1 2 .. size-1 size-2 ...
  from jaxlite import numpy as jnp
  half = size - 1
  if half == 0:
    return jnp.zeros_like(index)
  return jnp.abs((index + half) % (2 * half) - half)


def _reflect(index, size):
  # Reflection about the edges (the edge sample repeated), via the mirror of 2i+1.
  from jaxlite import numpy as jnp
  return jnp.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


def _fixers():
  from jaxlite import numpy as jnp
  return {'constant': lambda i, n: i, 'nearest': lambda i, n: jnp.clip(i, 0, n - 1),
          'wrap': lambda i, n: i % n, 'mirror': _mirror, 'reflect': _reflect}


def _round(a):
  from jaxlite import lax
  return a if np.issubdtype(a.dtype, np.integer) else lax.round(a)


def _nodes(coordinate, order):
  """(index, weight) pairs of the 1-D interpolation at ``coordinate``."""
  from jaxlite import numpy as jnp
  if order == 0:
    return [(_round(coordinate).astype(np.int32), coordinate.dtype.type(1))]
  lower = jnp.floor(coordinate)
  upper_weight = coordinate - lower
  index = lower.astype(np.int32)
  return [(index, 1 - upper_weight), (index + 1, upper_weight)]


def map_coordinates(input, coordinates, order: int, mode: str = 'constant', cval=0.0):
  """``input`` sampled at ``coordinates`` (one array per axis) by spline interpolation
  of ``order`` 0 (nearest) or 1 (linear); outside, ``mode`` extends the array
  ('constant' with ``cval``, 'nearest', 'wrap', 'mirror', 'reflect').

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.arange(6.).reshape(2, 3)
  >>> map_coordinates(x, [jnp.array([0.5]), jnp.array([1.])], order=1)
  Array([2.5], dtype=float32)
  """
  from jaxlite import numpy as jnp
  arr = jnp.asarray(input)
  coords = [jnp.asarray(c) for c in coordinates]
  cval = jnp.asarray(cval, arr.dtype)
  if len(coords) != arr.ndim:
    raise ValueError('coordinates must be a sequence of length input.ndim, but '
                     f'{len(coords)} != {arr.ndim}')
  fixers = _fixers()
  if mode not in fixers:
    raise NotImplementedError(
        f'jax.scipy.ndimage.map_coordinates does not yet support mode {mode}. '
        f'Currently supported modes are {set(fixers)}.')
  if order not in (0, 1):
    raise NotImplementedError('jax.scipy.ndimage.map_coordinates currently requires order<=1')
  per_axis = []
  for coordinate, size in zip(coords, arr.shape):
    per_axis.append([(fixers[mode](i, size), (0 <= i) & (i < size) if mode == 'constant'
                      else None, w) for i, w in _nodes(coordinate, order)])
  terms = []
  for corner in itertools.product(*per_axis):
    indices = tuple(c[0] for c in corner)
    valid = [c[1] for c in corner if c[1] is not None]
    value = arr[indices]
    if valid:
      value = jnp.where(functools.reduce(operator.and_, valid), value, cval)
    terms.append(functools.reduce(operator.mul, [c[2] for c in corner]) * value)
  result = functools.reduce(operator.add, terms)
  if np.issubdtype(arr.dtype, np.integer):
    result = _round(result)
  return result.astype(arr.dtype)
