"""Shape manipulation: reshape, transpose, broadcasting, joining, splitting,
tiling, repeating, flipping, rolling and padding.

Shapes, axes and split points must be concrete; everything is lowered to lax
structural primitives (reshape, transpose, broadcast_in_dim, concatenate,
slice, rev, pad) or, for index maps computed on the host, to a gather.

  >>> import jaxlite.numpy as jnp
  >>> jnp.stack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
"""
from __future__ import annotations

__all__ = ['shape', 'ndim', 'size', 'reshape', 'ravel', 'flatten', 'transpose',
           'permute_dims', 'matrix_transpose', 'swapaxes', 'moveaxis', 'rollaxis',
           'expand_dims', 'squeeze', 'broadcast_shapes', 'broadcast_to',
           'broadcast_arrays', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'concatenate',
           'concat', 'stack', 'unstack', 'hstack', 'vstack', 'row_stack', 'dstack',
           'column_stack', 'split', 'array_split', 'hsplit', 'vsplit', 'dsplit', 'tile',
           'repeat', 'take', 'take_along_axis', 'put_along_axis', 'flip', 'fliplr',
           'flipud', 'roll', 'rot90']

import builtins
import math
import operator
from typing import Sequence

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.core import Tracer
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import (canonicalize_axes, canonicalize_axis,
                                     check_arraylike, ensure_array)
from jaxlite.runtime.array import Array


def _array(a, fun_name):
  check_arraylike(fun_name, a)
  return ensure_array(promotion.asarray_value(a))


def shape(a):
  """The shape of ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.shape(jnp.zeros((2, 3)))
  (2, 3)
  """
  return promotion.shape(a)


def ndim(a) -> int:
  """The number of dimensions of ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ndim(1.0)
  0
  """
  return len(promotion.shape(a))


def size(a, axis=None) -> int:
  """The number of elements of ``a`` (along ``axis`` if given).

  >>> import jaxlite.numpy as jnp
  >>> jnp.size(jnp.zeros((2, 3)))
  6
  """
  s = promotion.shape(a)
  if axis is None:
    return math.prod(s)
  return s[canonicalize_axis(axis, len(s))]


def _resolve_shape(newshape, size_in, shape_in):
  newshape = promotion.concrete_shape_allow_negative(newshape, "reshape")
  unknown = [i for i, d in enumerate(newshape) if d == -1]
  if len(unknown) > 1 or builtins.any(d < -1 for d in newshape):
    raise ValueError(f"can only specify one unknown dimension, got {newshape}")
  if unknown:
    known = math.prod(d for d in newshape if d != -1)
    if known == 0 or size_in % known:
      raise TypeError(f"cannot reshape array of shape {shape_in} (size {size_in}) "
                      f"into shape {newshape}")
    newshape = tuple(size_in // known if d == -1 else d for d in newshape)
  if math.prod(newshape) != size_in:
    raise TypeError(f"cannot reshape array of shape {shape_in} (size {size_in}) into "
                    f"shape {newshape} (size {math.prod(newshape)})")
  return newshape


def reshape(a, shape=None, order: str = "C", *, newshape=None, copy=None):
  """``a`` with a new shape (one dimension may be -1), in C or Fortran order.

  >>> import jaxlite.numpy as jnp
  >>> jnp.reshape(jnp.arange(6), (2, -1))
  Array([[0, 1, 2],
         [3, 4, 5]], dtype=int32)
  """
  del copy
  if shape is None:
    shape = newshape
  a = _array(a, "reshape")
  new = _resolve_shape(shape, a.size, a.shape)
  if order == "C":
    if new == a.shape:
      return a
    return lax_structural.reshape(a, new)
  if order == "F":
    flipped = lax_structural.transpose(a, tuple(reversed(range(a.ndim))))
    out = lax_structural.reshape(flipped, new[::-1])
    return lax_structural.transpose(out, tuple(reversed(range(len(new)))))
  raise NotImplementedError(f"reshape order={order!r} is not supported")


def ravel(a, order: str = "C"):
  """``a`` flattened to one dimension.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ravel(jnp.ones((2, 2))).shape
  (4,)
  """
  a = _array(a, "ravel")
  return reshape(a, (a.size,), order)


def flatten(a, order: str = "C"):
  """Like ``ravel`` (the ``Array.flatten`` method).

  >>> import jaxlite.numpy as jnp
  >>> jnp.ones((2, 2)).flatten().shape
  (4,)
  """
  return ravel(a, order)


def transpose(a, axes=None):
  """``a`` with its axes permuted (reversed by default).

  >>> import jaxlite.numpy as jnp
  >>> jnp.transpose(jnp.zeros((2, 3))).shape
  (3, 2)
  """
  a = _array(a, "transpose")
  if axes is None:
    axes = tuple(reversed(range(a.ndim)))
  else:
    axes = tuple(canonicalize_axis(ax, a.ndim) for ax in axes)
    if sorted(axes) != list(range(a.ndim)):
      raise ValueError(f"axes {axes} don't match array of dimension {a.ndim}")
  return lax_structural.transpose(a, axes)


permute_dims = transpose


def matrix_transpose(x, /):
  """Swaps the last two axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.matrix_transpose(jnp.zeros((1, 2, 3))).shape
  (1, 3, 2)
  """
  x = _array(x, "matrix_transpose")
  if x.ndim < 2:
    raise ValueError(f"x must be at least two-dimensional for matrix_transpose; "
                     f"got ndim={x.ndim}")
  return swapaxes(x, -1, -2)


def swapaxes(a, axis1, axis2):
  """``a`` with two axes interchanged.

  >>> import jaxlite.numpy as jnp
  >>> jnp.swapaxes(jnp.zeros((2, 3, 4)), 0, 2).shape
  (4, 3, 2)
  """
  a = _array(a, "swapaxes")
  perm = list(range(a.ndim))
  i, j = canonicalize_axis(axis1, a.ndim), canonicalize_axis(axis2, a.ndim)
  perm[i], perm[j] = perm[j], perm[i]
  return lax_structural.transpose(a, perm)


def moveaxis(a, source, destination):
  """``a`` with axes ``source`` moved to positions ``destination``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.moveaxis(jnp.zeros((2, 3, 4)), 0, -1).shape
  (3, 4, 2)
  """
  a = _array(a, "moveaxis")
  src = (source,) if isinstance(source, int) else tuple(source)
  dst = (destination,) if isinstance(destination, int) else tuple(destination)
  if len(src) != len(dst):
    raise ValueError("Inconsistent number of elements: "
                     f"{len(src)} vs {len(dst)}")
  src = tuple(canonicalize_axis(s, a.ndim) for s in src)
  dst = tuple(canonicalize_axis(d, a.ndim) for d in dst)
  perm = [i for i in range(a.ndim) if i not in src]
  for d, s in sorted(zip(dst, src)):
    perm.insert(d, s)
  return lax_structural.transpose(a, perm)


def rollaxis(a, axis: int, start: int = 0):
  """Rolls ``axis`` backwards until it lies before ``start``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.rollaxis(jnp.zeros((2, 3, 4)), 2).shape
  (4, 2, 3)
  """
  a = _array(a, "rollaxis")
  axis = canonicalize_axis(axis, a.ndim)
  if not -a.ndim <= start <= a.ndim:
    raise ValueError(f"start={start} must satisfy {-a.ndim}<=start<={a.ndim}")
  start = start + a.ndim if start < 0 else start
  if axis < start:
    start -= 1
  return moveaxis(a, axis, start)


def expand_dims(a, axis):
  """``a`` with new size-1 axes at positions ``axis`` of the result.

  >>> import jaxlite.numpy as jnp
  >>> jnp.expand_dims(jnp.zeros(2), (0, 2)).shape
  (1, 2, 1)
  """
  a = _array(a, "expand_dims")
  axes = (axis,) if isinstance(axis, int) else tuple(axis)
  out_ndim = a.ndim + len(axes)
  axes = canonicalize_axes(axes, out_ndim)
  shape_out = list(a.shape)
  for ax in sorted(axes):
    shape_out.insert(ax, 1)
  return lax_structural.reshape(a, shape_out)


def squeeze(a, axis=None):
  """``a`` without size-1 axes (only those in ``axis`` if given).

  >>> import jaxlite.numpy as jnp
  >>> jnp.squeeze(jnp.zeros((1, 2, 1))).shape
  (2,)
  """
  a = _array(a, "squeeze")
  if axis is None:
    axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
  else:
    axes = canonicalize_axes(axis, a.ndim)
    for ax in axes:
      if a.shape[ax] != 1:
        raise ValueError("cannot select an axis to squeeze out which has size not "
                         f"equal to one, got shape={a.shape} and dimensions={axes}")
  if not axes:
    return a
  return lax_structural.reshape(a, [d for i, d in enumerate(a.shape) if i not in axes])


# --- broadcasting ---------------------------------------------------------------------


def broadcast_shapes(*shapes):
  """The shape that ``shapes`` broadcast to.

  >>> import jaxlite.numpy as jnp
  >>> jnp.broadcast_shapes((2, 1), (3,))
  (2, 3)
  """
  if not shapes:
    return ()
  shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
  try:
    return promotion.broadcast_shapes_named("broadcast_shapes", *shapes)
  except TypeError as err:
    raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}") from err


def broadcast_to(array, shape):
  """``array`` broadcast to ``shape``, NumPy style.

  >>> import jaxlite.numpy as jnp
  >>> jnp.broadcast_to(jnp.arange(2), (2, 2))
  Array([[0, 1],
         [0, 1]], dtype=int32)
  """
  array = _array(array, "broadcast_to")
  shape = promotion.concrete_shape(shape, "broadcast_to")
  lead = len(shape) - array.ndim
  if lead < 0 or builtins.any(
      d not in (1, shape[lead + i]) for i, d in enumerate(array.shape)):
    raise ValueError(f"Incompatible shapes for broadcasting: {array.shape} and "
                     f"requested shape {shape}")
  return promotion.broadcast_to_shape(array, shape)


def broadcast_arrays(*args):
  """``args`` broadcast against each other.

  >>> import jaxlite.numpy as jnp
  >>> [a.shape for a in jnp.broadcast_arrays(jnp.zeros(2), jnp.zeros((3, 1)))]
  [(3, 2), (3, 2)]
  """
  check_arraylike("broadcast_arrays", *args)
  shapes = [promotion.shape(a) for a in args]
  out = broadcast_shapes(*shapes) if args else ()
  return [promotion.broadcast_to_shape(ensure_array(promotion.asarray_value(a)), out)
          for a in args]


def atleast_1d(*arys):
  """Each argument with at least one dimension.

  >>> import jaxlite.numpy as jnp
  >>> jnp.atleast_1d(1.0).shape
  (1,)
  """
  out = [_array(a, "atleast_1d") for a in arys]
  out = [reshape(a, (1,)) if a.ndim == 0 else a for a in out]
  return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
  """Each argument with at least two dimensions (new axes in front).

  >>> import jaxlite.numpy as jnp
  >>> jnp.atleast_2d(jnp.zeros(3)).shape
  (1, 3)
  """
  out = [_array(a, "atleast_2d") for a in arys]
  out = [reshape(a, (1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a for a in out]
  return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
  """Each argument with at least three dimensions (``(n,)`` becomes ``(1, n, 1)``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.atleast_3d(jnp.zeros(3)).shape
  (1, 3, 1)
  """
  out = []
  for a in arys:
    a = _array(a, "atleast_3d")
    if a.ndim == 0:
      a = reshape(a, (1, 1, 1))
    elif a.ndim == 1:
      a = reshape(a, (1, a.shape[0], 1))
    elif a.ndim == 2:
      a = reshape(a, a.shape + (1,))
    out.append(a)
  return out[0] if len(out) == 1 else out


# --- joining ----------------------------------------------------------------------------


def concatenate(arrays, axis: int | None = 0, dtype=None):
  """Joins arrays along an existing axis (flattened first if ``axis`` is None).

  >>> import jaxlite.numpy as jnp
  >>> jnp.concatenate([jnp.arange(2), jnp.arange(1)])
  Array([0, 1, 0], dtype=int32)
  """
  if isinstance(arrays, (Array, Tracer, np.ndarray)):
    arrays = list(arrays) if promotion.ndim(arrays) else [arrays]
  if not len(arrays):
    raise ValueError("Need at least one array to concatenate.")
  check_arraylike("concatenate", *arrays)
  if axis is None:
    arrays = [ravel(a) for a in arrays]
    axis = 0
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "concatenate")
    arrays = [promotion.convert(a, dtype) for a in arrays]
  else:
    arrays = promotion.promote_dtypes(*arrays)
  arrays = [ensure_array(a) for a in arrays]
  nd = arrays[0].ndim
  if nd == 0:
    raise ValueError("Zero-dimensional arrays cannot be concatenated.")
  for a in arrays[1:]:
    if a.ndim != nd:
      raise ValueError("All input arrays must have the same number of dimensions, got "
                       f"{nd} and {a.ndim}")
  axis = canonicalize_axis(axis, nd)
  if len(arrays) == 1:
    return arrays[0]
  return lax.concatenate(arrays, axis)


def concat(arrays, /, *, axis: int | None = 0):
  """The array API's name for ``concatenate``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.concat([jnp.zeros(1), jnp.ones(1)])
  Array([0., 1.], dtype=float32)
  """
  return concatenate(arrays, axis)


def stack(arrays, axis: int = 0, out=None, dtype=None):
  """Joins arrays of one shape along a new axis.

  >>> import jaxlite.numpy as jnp
  >>> jnp.stack([jnp.arange(2), jnp.arange(2)], axis=1).shape
  (2, 2)
  """
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.stack is not supported.")
  if isinstance(arrays, (Array, Tracer, np.ndarray)):
    arrays = list(arrays)
  if not len(arrays):
    raise ValueError("Need at least one array to stack.")
  check_arraylike("stack", *arrays)
  shapes = {promotion.shape(a) for a in arrays}
  if len(shapes) != 1:
    raise ValueError("All input arrays must have the same shape.")
  nd = len(next(iter(shapes)))
  axis = canonicalize_axis(axis, nd + 1)
  expanded = [expand_dims(a, axis) for a in arrays]
  return concatenate(expanded, axis, dtype=dtype)


def unstack(x, /, *, axis: int = 0):
  """The slices of ``x`` along ``axis``, as a tuple.

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.unstack(jnp.zeros((3, 2))))
  3
  """
  x = _array(x, "unstack")
  axis = canonicalize_axis(axis, x.ndim)
  return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis]))


def hstack(tup, dtype=None):
  """Joins arrays horizontally (along axis 1, or 0 for 1-D arrays).

  >>> import jaxlite.numpy as jnp
  >>> jnp.hstack([jnp.zeros(1), jnp.ones(2)]).shape
  (3,)
  """
  arrs = [atleast_1d(a) for a in tup]
  return concatenate(arrs, 0 if arrs[0].ndim == 1 else 1, dtype=dtype)


def vstack(tup, dtype=None):
  """Joins arrays vertically (along axis 0, after ``atleast_2d``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.vstack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
  """
  return concatenate([atleast_2d(a) for a in tup], 0, dtype=dtype)


row_stack = vstack


def dstack(tup, dtype=None):
  """Joins arrays along the third axis (after ``atleast_3d``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.dstack([jnp.zeros(2), jnp.ones(2)]).shape
  (1, 2, 2)
  """
  return concatenate([atleast_3d(a) for a in tup], 2, dtype=dtype)


def column_stack(tup):
  """Stacks 1-D arrays as columns of a 2-D array.

  >>> import jaxlite.numpy as jnp
  >>> jnp.column_stack([jnp.zeros(2), jnp.ones(2)]).shape
  (2, 2)
  """
  arrs = []
  for a in tup:
    a = _array(a, "column_stack")
    arrs.append(reshape(a, (a.size, 1)) if a.ndim < 2 else a)
  return concatenate(arrs, 1)


# --- splitting -------------------------------------------------------------------------


def _split(fun_name, ary, indices_or_sections, axis, even):
  ary = _array(ary, fun_name)
  axis = canonicalize_axis(axis, ary.ndim)
  n = ary.shape[axis]
  if isinstance(indices_or_sections, (tuple, list, np.ndarray, Array)) and \
      np.ndim(indices_or_sections) == 1:
    splits = [int(i) for i in np.asarray(indices_or_sections)]
    bounds = [0] + [builtins.min(builtins.max(s + n if s < 0 else s, 0), n)
                    for s in splits] + [n]
  else:
    sections = promotion.concrete_int(indices_or_sections,
                                      f"'indices_or_sections' of jnp.{fun_name}")
    if sections <= 0:
      raise ValueError("number sections must be larger than 0.")
    if even and n % sections:
      raise ValueError("array split does not result in an equal division: "
                       f"size {n} into {sections} sections")
    per, extra = builtins.divmod(n, sections)
    sizes = [per + 1] * extra + [per] * (sections - extra)
    bounds = [0] + list(np.cumsum(sizes))
  out = []
  for start, stop in zip(bounds[:-1], bounds[1:]):
    stop = builtins.max(start, stop)
    out.append(lax.slice_in_dim(ary, int(start), int(stop), axis=axis))
  return out


def split(ary, indices_or_sections, axis: int = 0):
  """Splits into equal sections, or at the given indices, along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> [p.shape for p in jnp.split(jnp.arange(6), [2, 3])]
  [(2,), (1,), (3,)]
  """
  return _split("split", ary, indices_or_sections, axis, True)


def array_split(ary, indices_or_sections, axis: int = 0):
  """Like ``split``, allowing sections of unequal sizes.

  >>> import jaxlite.numpy as jnp
  >>> [p.shape for p in jnp.array_split(jnp.arange(5), 2)]
  [(3,), (2,)]
  """
  return _split("array_split", ary, indices_or_sections, axis, False)


def hsplit(ary, indices_or_sections):
  """``split`` along axis 1 (0 for 1-D arrays).

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.hsplit(jnp.zeros((2, 4)), 2))
  2
  """
  ary = _array(ary, "hsplit")
  return split(ary, indices_or_sections, 0 if ary.ndim == 1 else 1)


def vsplit(ary, indices_or_sections):
  """``split`` along axis 0.

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.vsplit(jnp.zeros((4, 2)), 2))
  2
  """
  return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
  """``split`` along axis 2.

  >>> import jaxlite.numpy as jnp
  >>> len(jnp.dsplit(jnp.zeros((1, 1, 4)), 2))
  2
  """
  return split(ary, indices_or_sections, 2)


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


def repeat(a, repeats, axis: int | None = None, *, total_repeat_length=None):
  """Repeats each element of ``a`` (``repeats`` times, or ``repeats[i]`` times).

  Traced ``repeats`` need ``total_repeat_length``, the static output length.

  >>> import jaxlite.numpy as jnp
  >>> jnp.repeat(jnp.arange(2), 2)
  Array([0, 0, 1, 1], dtype=int32)
  """
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
  if mode == "wrap":
    indices = promotion.asarray_value(indices)
    from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
    indices = ufuncs.remainder(indices, np.asarray(a.shape[axis], promotion.aval_of(
        indices).dtype))
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


def take_along_axis(arr, indices, axis: int | None, mode=None, fill_value=None):
  """``arr`` gathered at ``indices`` along ``axis`` (as from ``argsort``).

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.array([[3, 1], [0, 2]])
  >>> jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1)
  Array([[1, 3],
         [0, 2]], dtype=int32)
  """
  from jaxlite.numpy import indexing  # pylint: disable=g-import-not-at-top
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
  axes = canonicalize_axes(axis, m.ndim)
  if not axes:
    return m
  return lax.rev(m, axes)


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
