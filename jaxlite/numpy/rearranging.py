"""Rearranging elements: tile, repeat, take (along an axis), put_along_axis,
flips, roll and rot90.

Index maps computed on the host become gathers; flips lower to lax ``rev``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.roll(jnp.arange(3), 1)
  Array([2, 0, 1], dtype=int32)
"""
from __future__ import annotations

__all__ = ['tile', 'repeat', 'take', 'take_along_axis', 'put_along_axis', 'flip',
           'fliplr', 'flipud', 'roll', 'rot90']

import builtins

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.lax.out_sharding import place as _place
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import (canonicalize_axes, canonicalize_axis,
                                     check_arraylike, ensure_array)
from jaxlite.numpy.joining import concatenate
from jaxlite.numpy.reshaping import _array, broadcast_shapes, ravel, reshape
from jaxlite.numpy.library_jit import library_jit


# --- tiling and repeating ------------------------------------------------------------------


def tile(A, reps):
  """``A`` repeated ``reps`` times along each axis.

  >>> import jaxlite.numpy as jnp
  >>> jnp.tile(jnp.arange(2), 2)
  Array([0, 1, 0, 1], dtype=int32)
  """
  A = _array(A, "tile")
  reps = promotion.concrete_shape(reps, "tile")
  nd = builtins.max(len(reps), A.ndim)
  reps = (1,) * (nd - len(reps)) + tuple(reps)
  A = reshape(A, (1,) * (nd - A.ndim) + A.shape)
  wide = []
  dims = []
  for i, (r, d) in enumerate(zip(reps, A.shape)):
    wide += [r, d]
    dims.append(2 * i + 1)
  out = lax_structural.broadcast_in_dim(A, wide, dims)
  return lax_structural.reshape(out, [r * d for r, d in zip(reps, A.shape)])


def repeat(a, repeats, axis: int | None = None, *, total_repeat_length=None, out_sharding=None):
  """Repeats each element of ``a`` (``repeats`` times, or ``repeats[i]`` times).

  Traced ``repeats`` need ``total_repeat_length``, the static output length.

  >>> import jaxlite.numpy as jnp
  >>> jnp.repeat(jnp.arange(2), 2)
  Array([0, 0, 1, 1], dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    out = repeat(a, repeats, axis, total_repeat_length=total_repeat_length)
    return _place(out, out_sharding, "jnp.repeat")
  a = _array(a, "repeat")
  if axis is None:
    a = ravel(a)
    axis = 0
  axis = canonicalize_axis(axis, a.ndim)
  n = a.shape[axis]
  if promotion.is_concrete(repeats):
    reps = promotion.concrete_value(repeats).astype(np.int64)
    if reps.ndim == 0 or reps.size == 1 and n != 1:
      r = int(reps.reshape(()))
      if r < 0:
        raise ValueError("repeats may not contain negative values.")
      if total_repeat_length is not None and total_repeat_length != n * r:
        reps = np.full(n, r)
      else:
        shape_wide = a.shape[:axis + 1] + (r,) + a.shape[axis + 1:]
        dims = [i if i <= axis else i + 1 for i in range(a.ndim)]
        out = lax_structural.broadcast_in_dim(a, shape_wide, dims)
        return lax_structural.reshape(
            out, a.shape[:axis] + (n * r,) + a.shape[axis + 1:])
    if reps.shape != (n,):
      raise ValueError(f"repeats shape {reps.shape} does not match the dimension "
                       f"{n} of axis {axis}")
    if (reps < 0).any():
      raise ValueError("repeats may not contain negative values.")
    index = np.repeat(np.arange(n), reps)
    if total_repeat_length is not None:
      index = np.resize(index, total_repeat_length) if index.size else \
          np.zeros(total_repeat_length, np.int64)
      if total_repeat_length > reps.sum() and index.size:
        index[reps.sum():] = n - 1
    return take(a, index.astype(np.int32), axis=axis)
  if total_repeat_length is None:
    raise core.ConcretizationTypeError(
        repeats, "jnp.repeat with traced repeats requires a static "
        "total_repeat_length argument.")
  # Traced repeats: output position p takes the element whose cumulative
  # repeat count first exceeds p.
  from jaxlite.numpy import reductions, sorting  # pylint: disable=g-import-not-at-top
  repeats = promotion.broadcast_to_shape(ensure_array(repeats), (n,))
  ends = reductions.cumsum(repeats)
  positions = lax.iota(ends.dtype, total_repeat_length)
  index = sorting.searchsorted(ends, positions, side="right")
  index = lax.min(index, np.asarray(n - 1, index.dtype))
  return take(a, index, axis=axis)


@library_jit(static_argnames=('axis', 'mode', 'unique_indices', 'indices_are_sorted',
                             'fill_value'), name='_take')
def take(a, indices, axis: int | None = None, out=None, mode=None,
         unique_indices: bool = False, indices_are_sorted: bool = False,
         fill_value=None):
  """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened ``a`` if None).

  ``mode`` is JAX's: 'fill' (the default: out-of-bounds indices give
  ``fill_value``, NaN for inexact types), 'clip', 'wrap' or
  'promise_in_bounds'.

  >>> import jaxlite.numpy as jnp
  >>> jnp.take(jnp.arange(5) * 10, jnp.array([4, 0]))
  Array([40,  0], dtype=int32)
  """
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.take is not supported.")
  from jaxlite.numpy import indexing  # pylint: disable=g-import-not-at-top
  a = _array(a, "take")
  check_arraylike("take", indices)
  if axis is None:
    a = ravel(a)
    axis = 0
  axis = canonicalize_axis(axis, a.ndim)
  indices = promotion.asarray_value(indices)
  if a.shape[axis] == 0:
    # Nothing to gather from: only an empty take is possible (JAX's check).
    if np.size(indices) != 0:
      raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
    return a
  if mode == "wrap":
    indices = promotion.asarray_value(indices)
    from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
    indices = ufuncs.remainder(indices, np.asarray(a.shape[axis], promotion.aval_of(
        indices).dtype))
    mode = "promise_in_bounds"
  elif mode == "clip":
    # JAX's take clamps before any wrapping: -1 is index 0, not the last one
    # (indexing's clip would first read -1 NumPy's way).
    from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
    indices = ufuncs.clip(indices, 0, a.shape[axis] - 1)
    mode = "promise_in_bounds"
  index = (slice(None),) * axis + (indices,)
  return indexing.getitem(a, index, mode=mode or "fill", fill_value=fill_value,
                          unique_indices=unique_indices,
                          indices_are_sorted=indices_are_sorted)


def _along_axis_index(arr, indices, axis, fun_name):
  arr = _array(arr, fun_name)
  indices = _array(indices, fun_name)
  if not dtypes.issubdtype(indices.dtype, np.integer):
    raise TypeError(f"{fun_name} indices must be of integer type, got {indices.dtype}")
  if axis is None:
    arr, indices, axis = ravel(arr), ravel(indices), 0
  axis = canonicalize_axis(axis, arr.ndim)
  if indices.ndim != arr.ndim:
    raise ValueError("indices and arr must have the same number of dimensions; "
                     f"{indices.ndim} vs. {arr.ndim}")
  out_shape = tuple(
      indices.shape[i] if i == axis else
      broadcast_shapes((arr.shape[i],), (indices.shape[i],))[0]
      for i in range(arr.ndim))
  index = []
  for i in range(arr.ndim):
    if i == axis:
      index.append(promotion.broadcast_to_shape(indices, out_shape))
    else:
      index.append(lax.broadcasted_iota(indices.dtype, out_shape, i)
                   if arr.shape[i] != 1 else
                   lax_structural.full(out_shape, 0, indices.dtype))
  return arr, tuple(index)


@library_jit(static_argnames=('axis', 'mode', 'fill_value', 'wrap_negative_indices'))
def take_along_axis(arr, indices, axis: int | None = -1, mode=None, fill_value=None, *,
                    wrap_negative_indices: bool | None = None):
  """``arr`` gathered at ``indices`` along ``axis`` (as from ``argsort``).

  Negative indices count from the end unless ``wrap_negative_indices`` is
  False: then they are out of bounds (handled by ``mode``, as JAX's).

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.array([[3, 1], [0, 2]])
  >>> jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1)
  Array([[1, 3],
         [0, 2]], dtype=int32)
  """
  from jaxlite.numpy import indexing  # pylint: disable=g-import-not-at-top
  if wrap_negative_indices is False:
    arr, indices = _array(arr, "take_along_axis"), _array(indices, "take_along_axis")
    n = arr.size if axis is None else arr.shape[canonicalize_axis(axis, arr.ndim)]
    if dtypes.issubdtype(indices.dtype, np.signedinteger):
      # Shifted out of [-n, 0), the gather's own wrap leaves them out of bounds.
      shift = lax.full_like(indices, n)
      low = lax.bitwise_and(lax.lt(indices, lax.full_like(indices, 0)),
                            lax.ge(indices, lax.neg(shift)))
      indices = lax.select_n(low, indices, lax.sub(indices, shift))
  arr, index = _along_axis_index(arr, indices, axis, "take_along_axis")
  return indexing.getitem(arr, index, mode=mode or "fill", fill_value=fill_value)


def put_along_axis(arr, indices, values, axis: int | None, inplace: bool = True,
                   *, mode=None):
  """A copy of ``arr`` with ``values`` put at ``indices`` along ``axis``.

  JAX arrays are immutable: pass ``inplace=False``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.put_along_axis(jnp.zeros((1, 2)), jnp.array([[1]]), 5.0, 1, inplace=False)
  Array([[0., 5.]], dtype=float32)
  """
  if inplace:
    raise ValueError("jax.numpy.put_along_axis cannot modify arrays in-place, because "
                     "JAX arrays are immutable. Pass inplace=False to instead return an "
                     "updated array.")
  arr_in = _array(arr, "put_along_axis")
  arr, index = _along_axis_index(arr_in, indices, axis, "put_along_axis")
  out = arr.at[index].set(values, mode=mode)
  return reshape(out, arr_in.shape) if axis is None else out


# --- reordering -----------------------------------------------------------------------------


def flip(m, axis=None):
  """``m`` with the order of elements reversed along ``axis`` (all axes by default).

  >>> import jaxlite.numpy as jnp
  >>> jnp.flip(jnp.arange(3))
  Array([2, 1, 0], dtype=int32)
  """
  m = _array(m, "flip")
  return _flip(m, canonicalize_axes(axis, m.ndim))


@library_jit(static_argnames=("axes",))
def _flip(m, axes):
  # Staged as JAX's jit[name=_flip].
  return lax.rev(m, axes) if axes else m


def fliplr(m):
  """Reverses axis 1.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fliplr(jnp.eye(2, dtype=jnp.int32))
  Array([[0, 1],
         [1, 0]], dtype=int32)
  """
  return flip(m, 1)


def flipud(m):
  """Reverses axis 0.

  >>> import jaxlite.numpy as jnp
  >>> jnp.flipud(jnp.arange(2))
  Array([1, 0], dtype=int32)
  """
  return flip(m, 0)


@library_jit(static_argnums=(1, 2))
def _roll_static(a, shifts, axes):
  for s, ax in zip(shifts, axes):
    n = a.shape[ax]
    if n:
      i = (-s) % n
      a = lax.concatenate([lax.slice_in_dim(a, i, n, axis=ax),
                           lax.slice_in_dim(a, 0, i, axis=ax)], ax)
  return a


def roll(a, shift, axis=None):
  """Rolls elements along ``axis`` (of the flattened array if None).

  >>> import jaxlite.numpy as jnp
  >>> jnp.roll(jnp.arange(4), 1)
  Array([3, 0, 1, 2], dtype=int32)
  """
  a = _array(a, "roll")
  if axis is None:
    return reshape(roll(ravel(a), shift, 0), a.shape)
  axes = (axis,) if isinstance(axis, int) else tuple(axis)
  shifts = shift if isinstance(shift, (tuple, list)) else (shift,) * len(axes)
  if len(shifts) != len(axes):
    shifts, axes = np.broadcast_arrays(np.asarray(shifts), np.asarray(axes))
  if builtins.all(promotion.is_concrete(s) for s in shifts):   # JAX's _roll_static call
    return _roll_static(a, tuple(int(promotion.concrete_value(s)) for s in shifts),
                        tuple(canonicalize_axis(int(ax), a.ndim) for ax in axes))
  for s, ax in zip(shifts, axes):
    ax = canonicalize_axis(int(ax), a.ndim)
    n = a.shape[ax]
    if n == 0:
      continue
    if promotion.is_concrete(s):
      s = int(promotion.concrete_value(s)) % n
      if s:
        a = concatenate([lax.slice_in_dim(a, n - s, n, axis=ax),
                         lax.slice_in_dim(a, 0, n - s, axis=ax)], ax)
    else:
      # A traced shift: slice a window out of the array laid twice end to end.
      from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
      s = ensure_array(s)
      start = ufuncs.remainder(ufuncs.negative(s), np.asarray(n, s.dtype))
      doubled = concatenate([a, a], ax)
      a = lax.dynamic_slice_in_dim(doubled, start, n, axis=ax)
  return a


@library_jit(static_argnames=("k", "axes"))
def rot90(m, k: int = 1, axes=(0, 1)):
  """Rotates ``m`` by 90 degrees ``k`` times in the plane of ``axes``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.rot90(jnp.array([[1, 2], [3, 4]]))
  Array([[2, 4],
         [1, 3]], dtype=int32)
  """
  m = _array(m, "rot90")
  if len(axes) != 2:
    raise ValueError("len(axes) must be 2.")
  ax1, ax2 = (canonicalize_axis(ax, m.ndim) for ax in axes)
  if ax1 == ax2:
    raise ValueError("Axes must be different")
  k = promotion.concrete_int(k, "'k' argument of jnp.rot90") % 4
  if k == 0:
    return m
  if k == 2:
    return flip(flip(m, ax1), ax2)
  perm = list(range(m.ndim))
  perm[ax1], perm[ax2] = perm[ax2], perm[ax1]
  if k == 1:
    return lax_structural.transpose(flip(m, ax2), perm)
  return flip(lax_structural.transpose(m, perm), ax2)
