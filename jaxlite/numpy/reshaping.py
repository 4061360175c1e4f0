"""Shape manipulation: shape queries, reshape, ravel, transposes, moving and
adding/removing axes, broadcasting and ``atleast_*d``.

Shapes and axes must be concrete; everything lowers to lax structural
primitives (reshape, transpose, broadcast_in_dim).

  >>> import jaxlite.numpy as jnp
  >>> jnp.reshape(jnp.arange(4), (2, 2)).shape
  (2, 2)
"""
from __future__ import annotations

__all__ = ['shape', 'ndim', 'size', 'reshape', 'ravel', 'flatten', 'transpose',
           'permute_dims', 'matrix_transpose', 'swapaxes', 'moveaxis', 'rollaxis',
           'expand_dims', 'squeeze', 'broadcast_shapes', 'broadcast_to',
           'broadcast_arrays', 'atleast_1d', 'atleast_2d', 'atleast_3d']

import builtins
import math

from jaxlite.lax.out_sharding import place as _place, placed_after as _placed_after
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import (canonicalize_axes, canonicalize_axis,
                                     check_arraylike, ensure_array)
from jaxlite.numpy.library_jit import library_jit


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
  if isinstance(axis, (tuple, list)):
    return math.prod(s[i] for i in canonicalize_axes(axis, len(s)))
  return s[canonicalize_axis(axis, len(s))]


def _resolve_shape(newshape, size_in, shape_in):
  newshape = promotion.concrete_shape_allow_negative(newshape, "reshape")
  unknown = [i for i, d in enumerate(newshape) if d == -1]
  if len(unknown) > 1:
    raise TypeError("can only specify one unknown axis size with a `-1` value, "
                    f"got {newshape}")
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


def reshape(a, shape=None, order: str = "C", *, newshape=None, copy=None, out_sharding=None):
  """``a`` with a new shape (one dimension may be -1), in C or Fortran order.

  >>> import jaxlite.numpy as jnp
  >>> jnp.reshape(jnp.arange(6), (2, -1))
  Array([[0, 1, 2],
         [3, 4, 5]], dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: reshape(a, shape, order, newshape=newshape, copy=copy),
                         out_sharding, "jnp.reshape")
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


def ravel(a, order: str = "C", *, out_sharding=None):
  """``a`` flattened to one dimension.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ravel(jnp.ones((2, 2))).shape
  (4,)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: ravel(a, order), out_sharding, "jnp.ravel")
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
  return lax_structural.expand_dims(a, axes)   # a broadcast_in_dim, as in JAX


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
  return lax_structural.squeeze(a, tuple(sorted(axes)))   # one squeeze equation, as JAX


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


def broadcast_to(array, shape, *, out_sharding=None):
  """``array`` broadcast to ``shape``, NumPy style.

  >>> import jaxlite.numpy as jnp
  >>> jnp.broadcast_to(jnp.arange(2), (2, 2))
  Array([[0, 1],
         [0, 1]], dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    out = broadcast_to(array, shape)
    return _place(out, out_sharding, "jnp.broadcast_to")
  array = _array(array, "broadcast_to")
  shape = promotion.concrete_shape(shape, "broadcast_to", negative_error="broadcast_in_dim")
  return promotion.broadcast_to_checked(array, shape)


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


@library_jit
def atleast_1d(*arys):
  """Each argument with at least one dimension.

  >>> import jaxlite.numpy as jnp
  >>> jnp.atleast_1d(1.0).shape
  (1,)
  """
  out = [_array(a, "atleast_1d") for a in arys]
  out = [lax_structural.expand_dims(a, (0,)) if a.ndim == 0 else a for a in out]
  return out[0] if len(out) == 1 else out


@library_jit
def atleast_2d(*arys):
  """Each argument with at least two dimensions (new axes in front).

  >>> import jaxlite.numpy as jnp
  >>> jnp.atleast_2d(jnp.zeros(3)).shape
  (1, 3)
  """
  out = [_array(a, "atleast_2d") for a in arys]
  # New leading axes by broadcast_in_dim, as JAX stages them.
  out = [lax_structural.expand_dims(a, tuple(range(2 - a.ndim))) if a.ndim < 2 else a
         for a in out]
  return out[0] if len(out) == 1 else out


@library_jit
def atleast_3d(*arys):
  """Each argument with at least three dimensions (``(n,)`` becomes ``(1, n, 1)``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.atleast_3d(jnp.zeros(3)).shape
  (1, 3, 1)
  """
  if len(arys) != 1:   # JAX stages one nested atleast_3d call per argument
    for a in arys:
      check_arraylike("atleast_3d", a)
    return [atleast_3d(a) for a in arys]
  a = _array(arys[0], "atleast_3d")
  new_axes = {0: (0, 1, 2), 1: (0, 2), 2: (2,)}.get(a.ndim)
  return a if new_axes is None else lax_structural.expand_dims(a, new_axes)
