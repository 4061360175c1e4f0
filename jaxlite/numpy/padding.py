"""``jnp.pad`` with NumPy's modes: constant, edge, reflect, symmetric, wrap,
linear_ramp, maximum, minimum, mean, median and empty.

Each axis is padded in turn. Index-map modes (edge, reflect, symmetric, wrap)
compute the source index of every output position on the host and gather it
with one ``take``; statistic modes concatenate the broadcast statistic.

  >>> import jaxlite.numpy as jnp
  >>> jnp.pad(jnp.array([1, 2, 3]), 2, mode='reflect')
  Array([3, 2, 1, 2, 3, 2, 1], dtype=int32)
"""
from __future__ import annotations

__all__ = ['pad']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs
from jaxlite.numpy.library_jit import library_jit
from jaxlite.numpy.promotion import check_arraylike, ensure_array

_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum",
          "minimum", "mean", "median", "empty")


def _pairs(value, ndim, name):
  """NumPy's per-axis (before, after) broadcast of a pad argument."""
  arr = np.asarray(value)
  try:
    out = np.broadcast_to(arr, (ndim, 2))
  except ValueError as err:
    raise ValueError(f"jnp.pad: {name} with shape {arr.shape} cannot be broadcast "
                     f"to ({ndim}, 2)") from err
  return [tuple(row) for row in out.tolist()]


def _source_index(mode, n, before, after, reflect_type):
  i = np.arange(-before, n + after)
  if mode == "edge":
    return np.clip(i, 0, n - 1)
  if mode == "wrap":
    return np.mod(i, n)
  if mode == "reflect":
    if n == 1:
      return np.zeros_like(i)
    period = 2 * (n - 1)
    j = np.mod(i, period)
    return np.where(j >= n, period - j, j)
  period = 2 * n  # symmetric
  j = np.mod(i, period)
  return np.where(j >= n, period - 1 - j, j)


def _odd_reflect(x, axis, n, before, after, mode):
  # reflect_type='odd': 2 * edge - mirrored value, edges taken per side.
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  idx = _source_index(mode, n, before, after, "even")
  mirrored = shape_lib.take(x, idx.astype(np.int32), axis=axis)
  first = lax.slice_in_dim(x, 0, 1, axis=axis)
  last = lax.slice_in_dim(x, n - 1, n, axis=axis)
  positions = np.arange(-before, n + after)
  # Each side reflects about its own edge, NumPy's iterative rule for one period.
  edge_lo = ufuncs.subtract(ufuncs.multiply(first, 2), mirrored)
  edge_hi = ufuncs.subtract(ufuncs.multiply(last, 2), mirrored)
  shape = [1] * x.ndim
  shape[axis] = positions.size
  lo = ensure_array(np.reshape(positions < 0, shape))
  hi = ensure_array(np.reshape(positions >= n, shape))
  out = ufuncs.where(lo, edge_lo, mirrored)
  return ufuncs.where(hi, edge_hi, out)


def _stat(fun, x, axis, n, length, from_end):
  from jaxlite.numpy import reductions  # pylint: disable=g-import-not-at-top
  length = n if length is None else max(1, min(int(length), n))
  part = lax.slice_in_dim(x, n - length, n, axis=axis) if from_end else \
      lax.slice_in_dim(x, 0, length, axis=axis)
  value = getattr(reductions, fun)(part, axis=axis, keepdims=True)
  if fun in ("mean", "median") and not dtypes.issubdtype(x.dtype, np.inexact):
    value = ufuncs.rint(value)
  return value.astype(x.dtype)


def _pad_with_function(x, pad_width, func, kwargs):
  """NumPy's callable mode, as JAX runs it: zero padding first, then
  ``func(vector, (before, after), axis, kwargs)`` on every 1-D slice along each
  axis in turn (through ``apply_along_axis``, so ``func`` gets and returns arrays)."""
  from jaxlite.numpy import functional  # pylint: disable=g-import-not-at-top
  widths = _pairs(promotion.concrete_value(pad_width).astype(np.int64), x.ndim, "pad_width")
  padded = lax.pad(x, np.zeros((), x.dtype), [(b, a, 0) for b, a in widths])
  for axis in range(padded.ndim):
    padded = functional.apply_along_axis(func, axis, padded, widths[axis], axis, kwargs)
  return padded


@library_jit(static_argnums=(1, 2))
def _pad(x, widths, mode, constant_values):
  del mode   # "constant": the only mode staged so far
  # As JAX: the fill takes the array's dtype and weak type.
  fill = lax_structural._convert_element_type(constant_values, x.dtype, x.aval.weak_type)
  return lax_structural.pad_p.bind(x, fill, padding_config=tuple((b, a, 0) for b, a in widths))


def pad(array, pad_width, mode="constant", **kwargs):
  """``array`` padded by ``pad_width`` (per axis ``(before, after)``) with NumPy's modes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.pad(jnp.array([1, 2]), (1, 2), constant_values=9)
  Array([9, 1, 2, 9, 9], dtype=int32)
  """
  check_arraylike("pad", array)
  x = ensure_array(promotion.asarray_value(array))
  if callable(mode):
    return _pad_with_function(x, pad_width, mode, kwargs)
  if mode not in _MODES:
    raise ValueError(f"Unimplemented padding mode '{mode}' for np.pad.")
  allowed = {"constant": {"constant_values"}, "linear_ramp": {"end_values"},
             "reflect": {"reflect_type"}, "symmetric": {"reflect_type"},
             "maximum": {"stat_length"}, "minimum": {"stat_length"},
             "mean": {"stat_length"}, "median": {"stat_length"}}.get(mode, set())
  unexpected = set(kwargs) - allowed
  if unexpected:
    raise ValueError(f"unsupported keyword arguments for mode '{mode}': "
                     f"{sorted(unexpected)}")
  if isinstance(pad_width, (promotion.Tracer,)) and not promotion.is_concrete(pad_width):
    raise promotion.core.ConcretizationTypeError(
        pad_width, "jnp.pad: pad_width must be concrete")
  widths = _pairs(promotion.concrete_value(pad_width).astype(np.int64), x.ndim,
                  "pad_width")
  if any(b < 0 or a < 0 for b, a in widths):
    raise ValueError("index can't contain negative values")
  if x.ndim == 0:   # as JAX: nothing to pad, the scalar itself (its weak type too)
    return x
  if mode == "empty":
    mode, kwargs = "constant", {}
  if mode == "constant":
    values = kwargs.get("constant_values", 0)
    if np.ndim(values) == 0 and not isinstance(values, promotion._ARRAY_TYPES):
      # JAX's `_pad` jit (the fill a dynamic argument, the widths NumPy int64s).
      return _pad(x, tuple((np.int64(b), np.int64(a)) for b, a in widths), mode, values)
  from jaxlite.numpy import creation, manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  reflect_type = kwargs.get("reflect_type", "even")
  if reflect_type not in ("even", "odd"):
    raise ValueError(f"reflect_type must be 'even' or 'odd', got {reflect_type}")
  for axis, (before, after) in enumerate(widths):
    if before == 0 and after == 0:
      continue
    n = x.shape[axis]
    if mode == "constant":
      values = _pairs(kwargs.get("constant_values", 0), x.ndim, "constant_values")
      lo, hi = values[axis]
      pieces = []
      shape = list(x.shape)
      if before:
        shape[axis] = before
        pieces.append(creation.full(shape, lo, x.dtype))
      pieces.append(x)
      if after:
        shape[axis] = after
        pieces.append(creation.full(shape, hi, x.dtype))
      x = shape_lib.concatenate(pieces, axis)
      continue
    if n == 0:
      raise ValueError(f"can't extend empty axis {axis} using modes other than "
                       "'constant' or 'empty'")
    if mode in ("edge", "wrap", "reflect", "symmetric"):
      if mode in ("reflect", "symmetric") and reflect_type == "odd":
        x = _odd_reflect(x, axis, n, before, after, mode)
      else:
        idx = _source_index(mode, n, before, after, reflect_type)
        x = shape_lib.take(x, idx.astype(np.int32), axis=axis)
      continue
    pieces = []
    shape = list(x.shape)
    if mode == "linear_ramp":
      ends = _pairs(kwargs.get("end_values", 0), x.ndim, "end_values")[axis]
      compute = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(x.dtype))
      for width, end, edge_index, reverse in ((before, ends[0], 0, False),
                                              (after, ends[1], n - 1, True)):
        if not width:
          pieces.append(None)
          continue
        edge = lax.slice_in_dim(x, edge_index, edge_index + 1, axis=axis).astype(compute)
        frac = np.arange(width, dtype=np.float64) / width
        if reverse:
          frac = frac[::-1]
        fshape = [1] * x.ndim
        fshape[axis] = width
        frac = ensure_array(frac.reshape(fshape).astype(compute))
        end_v = np.asarray(end, compute)
        ramp = ufuncs.add(end_v, ufuncs.multiply(ufuncs.subtract(edge, end_v), frac)) \
            if not reverse else ufuncs.add(edge, ufuncs.multiply(
                ufuncs.subtract(end_v, edge), ufuncs.subtract(1, frac)))
        if dtypes.issubdtype(x.dtype, np.integer):
          ramp = ufuncs.floor(ramp) if not reverse else ufuncs.floor(ramp)
        pieces.append(ramp.astype(x.dtype))
      lo, hi = pieces
    else:
      lengths = _pairs(kwargs.get("stat_length", None) if kwargs.get(
          "stat_length") is not None else n, x.ndim, "stat_length")[axis]
      fun = {"maximum": "max", "minimum": "min", "mean": "mean",
             "median": "median"}[mode]
      lo = hi = None
      if before:
        shape[axis] = before
        lo = promotion.broadcast_to_shape(_stat(fun, x, axis, n, lengths[0], False),
                                          tuple(shape))
      if after:
        shape[axis] = after
        hi = promotion.broadcast_to_shape(_stat(fun, x, axis, n, lengths[1], True),
                                          tuple(shape))
    x = shape_lib.concatenate([p for p in (lo, x, hi) if p is not None], axis)
  return x
