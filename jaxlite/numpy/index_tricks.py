"""Index generation: open and dense meshes (``ix_``, ``mgrid``, ``ogrid``),
concatenation shorthands (``r_``, ``c_``), index expressions (``s_``,
``index_exp``), the indices of triangles, diagonals and masks, and
conversions between flat and multi-dimensional indices.

Sizes must be concrete; the index arrays themselves are computed on XLA
(``iota``, ``nonzero`` with a size counted on the host).

  >>> import jaxlite.numpy as jnp
  >>> jnp.triu_indices(2)
  (Array([0, 0, 1], dtype=int32), Array([0, 1, 1], dtype=int32))
"""
from __future__ import annotations

__all__ = ['ix_', 'mgrid', 'ogrid', 'r_', 'c_', 's_', 'index_exp', 'tril_indices',
           'triu_indices', 'tril_indices_from', 'triu_indices_from', 'diag_indices',
           'diag_indices_from', 'mask_indices', 'ravel_multi_index', 'unravel_index']

import math

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import creation, joining, promotion, reshaping, sorting
from jaxlite.numpy.promotion import check_arraylike, ensure_array

# NumPy's index-expression builders make plain tuples of slices: no arrays.
s_ = np.s_
index_exp = np.index_exp


def _index_dtype():
  return dtypes.canonicalize_dtype(dtypes.int_)


def ix_(*args):
  """An open mesh of 1-D index arrays, for indexing the cross product.

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.arange(6).reshape(2, 3)
  >>> x[jnp.ix_(jnp.array([1]), jnp.array([0, 2]))]
  Array([[3, 5]], dtype=int32)
  """
  check_arraylike("ix", *args)
  n = len(args)
  out = []
  for i, a in enumerate(args):
    a = ensure_array(promotion.asarray_value(a))
    if a.ndim != 1:
      raise ValueError("Arguments to jax.numpy.ix_ must be 1-dimensional, got shape "
                       f"{a.shape}")
    if a.dtype == np.bool_:
      raise NotImplementedError("Boolean arguments to jax.numpy.ix_ are not implemented")
    shape = [1] * n
    shape[i] = a.shape[0]
    out.append(lax_structural.reshape(a, tuple(shape)))
  return tuple(out)


def _slice_values(key, fun_name):
  """The 1-D array a slice denotes (``arange``, or ``linspace`` for a complex step)."""
  if not isinstance(key, slice):
    raise TypeError(f"jnp.{fun_name} takes slices, got {key!r}")
  start = 0 if key.start is None else key.start
  step = 1 if key.step is None else key.step
  stop = key.stop
  for v in (start, stop, step):
    if not promotion.is_concrete(v):
      raise core.ConcretizationTypeError(v, f"slice bounds of jnp.{fun_name}")
  if isinstance(step, complex) or np.iscomplexobj(step):
    num = int(abs(step))
    return creation.linspace(start, stop, num, endpoint=True)
  return creation.arange(start, stop, step)


class _Grid:
  """``mgrid``/``ogrid``: dense or open meshes from slices."""

  def __init__(self, sparse: bool, name: str):
    self.sparse = sparse
    self.name = name

  def __getitem__(self, key):
    if isinstance(key, slice):
      return _slice_values(key, self.name)
    values = [_slice_values(k, self.name) for k in key]
    if not values:
      return [] if self.sparse else creation.array([], dtype=_index_dtype())
    values = promotion.promote_dtypes(*values)
    out = creation.meshgrid(*values, indexing="ij", sparse=self.sparse)
    return list(out) if self.sparse else joining.stack(out, 0)

  def __repr__(self):
    return f"jaxlite.numpy.{self.name}"


mgrid = _Grid(False, "mgrid")
mgrid.__doc__ = """A dense mesh from slices (a complex step is a number of points).

  >>> import jaxlite.numpy as jnp
  >>> jnp.mgrid[0:2, 0:2]
  Array([[[0, 0],
          [1, 1]],
  <BLANKLINE>
         [[0, 1],
          [0, 1]]], dtype=int32)
  """
ogrid = _Grid(True, "ogrid")
ogrid.__doc__ = """An open mesh from slices: one array per slice, broadcastable.

  >>> import jaxlite.numpy as jnp
  >>> [g.shape for g in jnp.ogrid[0:2, 0:3]]
  [(2, 1), (1, 3)]
  """


class _Concatenator:
  """``r_``/``c_``: concatenation of slices, scalars and arrays along an axis.

  A leading string ``"axis[,ndmin[,trans1d]]"`` sets the axis, the minimum
  rank of each piece and where a 1-D piece's values go once upgraded.
  """

  def __init__(self, axis: int, ndmin: int, trans1d: int, name: str):
    self.axis, self.ndmin, self.trans1d, self.name = axis, ndmin, trans1d, name

  def __getitem__(self, key):
    if not isinstance(key, tuple):
      key = (key,)
    axis, ndmin, trans1d = self.axis, self.ndmin, self.trans1d
    matrix = None   # 'r'/'c': a 1-D result becomes a row (1, n) or a column (n, 1)
    if key and isinstance(key[0], str):
      directive, key = key[0], key[1:]
    else:
      directive = None
    if directive in ("r", "c"):
      matrix = 0 if directive == "r" else 1
    elif directive is not None:
      try:
        parts = [int(p) for p in directive.split(",")]
      except ValueError:
        raise ValueError(f"could not understand directive {directive!r}") from None
      if len(parts) > 3:
        raise ValueError(f"could not understand directive {directive!r}")
      axis = parts[0]
      ndmin = parts[1] if len(parts) > 1 else ndmin
      trans1d = parts[2] if len(parts) > 2 else trans1d
    pieces = []
    for item in key:
      if isinstance(item, slice):
        piece = _slice_values(item, self.name)
      else:
        if isinstance(item, (list, tuple)):
          item = creation.array(item)
        check_arraylike(self.name, item)
        piece = ensure_array(promotion.asarray_value(item))
      if piece.ndim < ndmin:
        piece = _upgrade(piece, ndmin, trans1d)
      pieces.append(piece)
    if not pieces:
      return creation.array([], dtype=dtypes.default_float_dtype())
    out = joining.concatenate(pieces, axis)
    if matrix is not None and out.ndim == 1:
      out = reshaping.expand_dims(out, matrix)
    return out

  def __repr__(self):
    return f"jaxlite.numpy.{self.name}"


def _upgrade(piece, ndmin, trans1d):
  # NumPy's rule: pad the shape with leading ones to ``ndmin`` axes, then move
  # the piece's own axes to start at ``trans1d`` (-1: leave them last).
  nd = piece.ndim
  out = lax_structural.reshape(piece, (1,) * (ndmin - nd) + piece.shape)
  if trans1d == -1:
    return out
  padded = ndmin - nd
  start = trans1d + padded + 1 if trans1d < 0 else trans1d
  axes = list(range(start)) + list(range(padded, ndmin)) + list(range(start, padded))
  return reshaping.transpose(out, axes)


r_ = _Concatenator(0, 1, -1, "r_")
r_.__doc__ = """Concatenates slices, scalars and arrays along the first axis.

  >>> import jaxlite.numpy as jnp
  >>> jnp.r_[1:3, 5, jnp.array([7, 8])]
  Array([1, 2, 5, 7, 8], dtype=int32)
  """
c_ = _Concatenator(-1, 2, 0, "c_")
c_.__doc__ = """Stacks 1-D pieces as columns (concatenation along the last axis, rank 2).

  >>> import jaxlite.numpy as jnp
  >>> jnp.c_[jnp.array([1, 2]), jnp.array([3, 4])]
  Array([[1, 3],
         [2, 4]], dtype=int32)
  """


def _concrete_dims(fun_name, *values):
  return [promotion.concrete_int(v, f"argument of jnp.{fun_name}") for v in values]


def _triu_count(n, m, k):
  """How many elements of an (n, m) array lie on or above the k-th diagonal."""
  if k < 0:
    return n * m - _triu_count(m, n, 1 - k)
  if k >= m:
    return 0
  d = min(n, m - k)
  return d * (d + 1) // 2 + d * (m - k - d)


def _tri_indices(n, k, m, lower, fun_name):
  n, k = _concrete_dims(fun_name, n, k)
  m = n if m is None else _concrete_dims(fun_name, m)[0]
  # JAX's staging: the nonzeros of tril/triu of ones, with a static count.
  ones = creation.ones((n, m))
  if lower:
    return sorting.nonzero(creation.tril(ones, k=k), size=_triu_count(m, n, -k))
  return sorting.nonzero(creation.triu(ones, k=k), size=_triu_count(n, m, k))


def tril_indices(n, k=0, m=None):
  """The row and column indices of the lower triangle of an ``(n, m)`` array.

  >>> import jaxlite.numpy as jnp
  >>> jnp.tril_indices(2)
  (Array([0, 1, 1], dtype=int32), Array([0, 0, 1], dtype=int32))
  """
  return _tri_indices(n, k, m, True, "tril_indices")


def triu_indices(n, k=0, m=None):
  """The row and column indices of the upper triangle of an ``(n, m)`` array.

  >>> import jaxlite.numpy as jnp
  >>> jnp.triu_indices(2, 1)
  (Array([0], dtype=int32), Array([1], dtype=int32))
  """
  return _tri_indices(n, k, m, False, "triu_indices")


def _shape_2d(arr, fun_name):
  shape = promotion.shape(arr) if promotion.is_arraylike(arr) else tuple(arr.shape)
  if len(shape) != 2:
    raise ValueError("Only 2-D inputs are accepted")
  return shape


def tril_indices_from(arr, k=0):
  """``tril_indices`` for the shape of the 2-D ``arr``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.tril_indices_from(jnp.zeros((2, 2)), -1)
  (Array([1], dtype=int32), Array([0], dtype=int32))
  """
  n, m = _shape_2d(arr, "tril_indices_from")
  return tril_indices(n, k, m)


def triu_indices_from(arr, k=0):
  """``triu_indices`` for the shape of the 2-D ``arr``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.triu_indices_from(jnp.zeros((1, 3)))
  (Array([0, 0, 0], dtype=int32), Array([0, 1, 2], dtype=int32))
  """
  n, m = _shape_2d(arr, "triu_indices_from")
  return triu_indices(n, k, m)


def diag_indices(n, ndim=2):
  """The indices of the main diagonal of an ``n``-sided array of rank ``ndim``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.diag_indices(2)
  (Array([0, 1], dtype=int32), Array([0, 1], dtype=int32))
  """
  n, ndim = _concrete_dims("diag_indices", n, ndim)
  if n < 0:
    raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
  if ndim < 0:
    raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
  return (lax.iota(dtypes.canonicalize_dtype(np.int32), n),) * ndim


def diag_indices_from(arr):
  """``diag_indices`` for ``arr``, whose sides must all be equal (rank >= 2).

  >>> import jaxlite.numpy as jnp
  >>> jnp.diag_indices_from(jnp.zeros((2, 2)))
  (Array([0, 1], dtype=int32), Array([0, 1], dtype=int32))
  """
  check_arraylike("diag_indices_from", arr)
  shape = promotion.shape(arr)
  if len(shape) < 2:
    raise ValueError("input array must be at least 2-d")
  if len(set(shape)) != 1:
    raise ValueError("All dimensions of input must be of equal length")
  return diag_indices(shape[0], len(shape))


def mask_indices(n, mask_func, k=0, *, size=None):
  """The indices where ``mask_func(ones((n, n)), k)`` is non-zero.

  Under ``jit`` give a static ``size`` (missing entries are 0).

  >>> import jaxlite.numpy as jnp
  >>> jnp.mask_indices(2, jnp.triu)
  (Array([0, 0, 1], dtype=int32), Array([0, 1, 1], dtype=int32))
  """
  (n,) = _concrete_dims("mask_indices", n)
  mask = mask_func(creation.ones((n, n), dtype=dtypes.canonicalize_dtype(dtypes.int_)), k)
  return sorting.nonzero(mask, size=size)


def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
  """The flat indices of the coordinates ``multi_index`` in an array of shape ``dims``.

  ``mode`` is 'raise' (concrete indices only), 'wrap' or 'clip'.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ravel_multi_index((jnp.array([0, 1]), jnp.array([2, 0])), (2, 3))
  Array([2, 3], dtype=int32)
  """
  dims = promotion.concrete_shape(dims, "ravel_multi_index")
  if len(multi_index) != len(dims):
    raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}, "
                     f"got {len(multi_index)}")
  if order not in ("C", "F"):
    raise ValueError(f"only 'C' or 'F' order is permitted, got {order!r}")
  if mode not in ("raise", "wrap", "clip"):
    raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', or 'clip'")
  check_arraylike("ravel_multi_index", *multi_index)
  dtype = dtypes.canonicalize_dtype(dtype or dtypes.int_)
  index = [ensure_array(promotion.asarray_value(i)) for i in multi_index]
  for i in index:
    if not dtypes.issubdtype(i.dtype, np.integer):
      raise ValueError(f"multi_index entries must have an integer dtype, got {i.dtype}")
  if mode == "raise":
    for i, d in zip(index, dims):
      value = promotion.concrete_value(
          i, "The error occurred because ravel_multi_index was jit-compiled with "
          "mode='raise'. Use mode='wrap' or mode='clip' instead.")
      if np.any((value < 0) | (value >= d)):
        raise ValueError("invalid entry in coordinates array")
  index = promotion.promote_dtypes(*index) if len(index) > 1 else index
  shape = np.broadcast_shapes(*(i.shape for i in index))
  index = [promotion.broadcast_to_shape(lax_structural._convert_element_type(
      i, dtype, False), shape) for i in index]
  if mode == "wrap":
    index = [_wrap(i, d) for i, d in zip(index, dims)]
  elif mode == "clip":
    index = [lax.clamp(np.asarray(0, dtype), i, np.asarray(max(d - 1, 0), dtype))
             for i, d in zip(index, dims)]
  order_dims = range(len(dims)) if order == "C" else reversed(range(len(dims)))
  out = lax_structural.full(shape, 0, dtype)
  stride = 1
  for axis in reversed(list(order_dims)):
    out = lax.add(out, lax.mul(index[axis], np.asarray(stride, dtype)))
    stride *= dims[axis]
  return out


def _wrap(i, d):
  # Python's modulo: the remainder has the divisor's (positive) sign.
  d = np.asarray(d, i.dtype)
  r = lax.rem(i, d)
  return lax.select_n(lax.lt(r, np.asarray(0, i.dtype)), r, lax.add(r, d))


def unravel_index(indices, shape):
  """The coordinates of the flat ``indices`` in an array of ``shape``.

  Unlike NumPy (and like JAX), out-of-range indices do not raise: negative
  ones count from the end and the rest are clipped into range.

  >>> import jaxlite.numpy as jnp
  >>> jnp.unravel_index(jnp.array([5, 1]), (2, 3))
  (Array([1, 0], dtype=int32), Array([2, 1], dtype=int32))
  """
  check_arraylike("unravel_index", indices)
  shape = promotion.concrete_shape(shape, "unravel_index")
  indices = ensure_array(promotion.asarray_value(indices))
  if not dtypes.issubdtype(indices.dtype, np.integer):
    raise TypeError(f"only int indices permitted, got {indices.dtype}")
  if not shape:
    return ()
  size = math.prod(shape)
  dtype = indices.dtype
  # Sizes beyond the index type's range cannot occur in a real array index.
  size_c = np.asarray(min(size, np.iinfo(dtype).max), dtype)
  i = lax.select_n(lax.lt(indices, np.asarray(0, dtype)), indices, lax.add(indices, size_c))
  i = lax.clamp(np.asarray(0, dtype), i, np.asarray(max(int(size_c) - 1, 0), dtype))
  out = []
  for d in reversed(shape):
    d_c = np.asarray(max(d, 1), dtype)
    out.append(lax.rem(i, d_c))
    i = lax.div(i, d_c)
  return tuple(reversed(out))
