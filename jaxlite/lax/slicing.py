"""Slicing and indexing primitives: static and dynamic slices, dynamic updates
and XLA's gather (the scatter family lives in ``jaxlite.lax.scattering`` and is
re-exported here).

Index dimension numbers follow XLA/JAX exactly: the index vector is the last
axis of the indices array, and the optional batching dimensions pair operand
axes with indices axes (vmap folds its batch axis into them, no loops).
"""
from __future__ import annotations

__all__ = [
    'slice', 'dynamic_slice', 'dynamic_update_slice', 'gather', 'GatherDimensionNumbers',
    'GatherScatterMode', 'index_in_dim', 'slice_in_dim', 'dynamic_index_in_dim',
    'dynamic_slice_in_dim', 'dynamic_update_index_in_dim', 'dynamic_update_slice_in_dim',
    'slice_p', 'dynamic_slice_p', 'dynamic_update_slice_p', 'gather_p',
]

import builtins
from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import structural
from jaxlite.lax.base import standard_primitive
from jaxlite.lax.structural import broadcast_in_dim, expand_dims, squeeze

_same = lambda operand, *_, **__: operand.dtype


def _is_int(dtype) -> bool:
  return np.issubdtype(np.dtype(dtype), np.integer)


# --- slice -----------------------------------------------------------------------------------


def _slice_shape_rule(operand, *, start_indices, limit_indices, strides):
  n = operand.ndim
  if len(start_indices) != n or len(limit_indices) != n:
    raise TypeError(f"slice start_indices and limit_indices must have length equal to the "
                    f"number of dimensions of the operand, got start_indices "
                    f"{start_indices} and limit_indices {limit_indices} for operand shape "
                    f"{operand.shape}.")
  if strides is not None and len(strides) != n:
    raise TypeError(f"slice strides must have length equal to the number of dimensions of "
                    f"the operand, got strides {strides} for operand shape {operand.shape}.")
  if any(s < 0 for s in start_indices):
    raise TypeError(f"slice start_indices must be greater than or equal to zero, got "
                    f"start_indices of {start_indices}.")
  if any(_known(lambda: l > d) for l, d in zip(limit_indices, operand.shape)):
    raise TypeError(f"slice limit_indices must be less than or equal to operand shape, got "
                    f"limit_indices {limit_indices} for operand shape {operand.shape}.")
  if any(l < s for s, l in zip(start_indices, limit_indices)):
    raise TypeError(f"slice limit_indices must be greater than or equal to start_indices, "
                    f"got start_indices {start_indices} and limit_indices {limit_indices}.")
  strides = strides or (1,) * n
  if any(s <= 0 for s in strides):
    raise TypeError(f"slice strides must be positive, got {strides}")
  return tuple((l - s + st - 1) // st for s, l, st in zip(start_indices, limit_indices, strides))


slice_p = standard_primitive(_slice_shape_rule, _same, "slice")
def _known(predicate) -> bool:
  """``predicate()``, False where symbolic dimensions leave it undecided (a
  clamped ``min(b, 3) <= b`` that JAX's bounds prove and jaxlite's do not)."""
  try:
    return predicate()
  except structural.inconclusive_dimension_error():
    return False


def _slice_lowering(ctx, x, *, start_indices, limit_indices, strides):
  strides = strides or (1,) * len(start_indices)
  if not all(isinstance(i, (int, np.integer)) for i in (*start_indices, *limit_indices)):
    # Symbolic bounds (shape-polymorphic export): a slice with bounds as tensors.
    dim_lowering, mc = core.symbolic_dimensions(), ctx.module_context
    return mlir.hlo().real_dynamic_slice(
        mlir.aval_to_ir_type(ctx.avals_out[0]), x,
        dim_lowering.shape_tensor(mc, start_indices),
        dim_lowering.shape_tensor(mc, limit_indices), dim_lowering.shape_tensor(mc, strides))
  return mlir.hlo().slice(x, mlir.dense_int_array(start_indices),
                          mlir.dense_int_array(limit_indices), mlir.dense_int_array(strides))


mlir.register_lowering(slice_p, _slice_lowering)


def _slice_transpose(ct, operand, *, start_indices, limit_indices, strides):
  shape = operand.aval.shape
  ct_shape = core.get_aval(ct).shape
  strides = strides or (1,) * len(shape)
  # The last element taken on each axis fixes the high padding.
  real_limits = [s + (n - 1) * st + 1 if n else s
                 for s, n, st in zip(start_indices, ct_shape, strides)]
  config = [(s, d - l, st - 1) for s, d, l, st in zip(start_indices, shape, real_limits, strides)]
  if any(n == 0 for n in ct_shape):
    return [structural.full(shape, 0, core.get_aval(ct).dtype)]
  return [structural.pad(ct, np.zeros((), core.get_aval(ct).dtype), config)]


ad.deflinear2(slice_p, _slice_transpose)


def _slice_batch(batched_args, batch_dims, *, start_indices, limit_indices, strides):
  (x,), (d,) = batched_args, batch_dims
  size = core.get_aval(x).shape[d]
  starts = list(start_indices); starts.insert(d, 0)
  limits = list(limit_indices); limits.insert(d, size)
  if strides is not None:
    strides = list(strides); strides.insert(d, 1); strides = tuple(strides)
  return slice_p.bind(x, start_indices=tuple(starts), limit_indices=tuple(limits),
                      strides=strides), d


batching.primitive_batchers[slice_p] = _slice_batch


def slice(operand, start_indices: Sequence[int], limit_indices: Sequence[int],
          strides: Sequence[int] | None = None):
  """The static slice ``operand[start:limit:stride]`` on every axis.

  >>> from jaxlite import lax
  >>> lax.slice(lax.iota('int32', 6), (1,), (6,), (2,))
  Array([1, 3, 5], dtype=int32)
  """
  starts = structural.dimension_sizes(start_indices)
  limits = structural.dimension_sizes(limit_indices)
  # Strides are kept as given, (1,) included, as JAX stages them.
  strides = None if strides is None else tuple(int(s) for s in strides)
  # A full slice is staged too, as JAX's (its transpose pads with a strong zero).
  return slice_p.bind(operand, start_indices=starts, limit_indices=limits, strides=strides)


def slice_in_dim(operand, start_index: int | None, limit_index: int | None, stride: int = 1,
                 axis: int = 0):
  """``slice`` along one axis (Python slice semantics for None and negatives).

  >>> from jaxlite import lax
  >>> lax.slice_in_dim(lax.iota('int32', 5), -2, None)
  Array([3, 4], dtype=int32)
  """
  shape = core.get_aval(operand).shape
  axis = _canonical_axis(axis, len(shape))
  start, limit, _ = builtins.slice(start_index, limit_index).indices(shape[axis])
  limit = max(limit, start)
  starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
  starts[axis], limits[axis], strides[axis] = start, limit, int(stride)
  return slice(operand, starts, limits, strides)


def index_in_dim(operand, index: int, axis: int = 0, keepdims: bool = True):
  """Element ``index`` along ``axis`` (negative counts from the end).

  >>> from jaxlite import lax
  >>> lax.index_in_dim(lax.iota('int32', 3), -1, keepdims=False)
  Array(2, dtype=int32)
  """
  shape = core.get_aval(operand).shape
  axis = _canonical_axis(axis, len(shape))
  index = int(index)
  if not -shape[axis] <= index < shape[axis]:
    raise IndexError(f"index {index} is out of bounds for axis {axis} with size {shape[axis]}")
  index %= shape[axis]
  out = slice_in_dim(operand, index, index + 1, 1, axis)
  return out if keepdims else squeeze(out, (axis,))


def _canonical_axis(axis, ndim):
  if not -ndim <= axis < ndim:
    raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
  return int(axis) % ndim


# --- dynamic indices ---------------------------------------------------------------------------


def _dynamic_slice_indices(operand, start_indices, allow_negative_indices=True,
                           name="dynamic_slice"):
  """Start indices as scalars of one integer dtype; negative ones wrap like NumPy."""
  shape = core.get_aval(operand).shape
  if hasattr(start_indices, "ndim") and not isinstance(start_indices, (list, tuple)):
    if start_indices.ndim != 1:
      raise ValueError("Slice indices must be a 1D sequence of integers, got shape "
                       f"{start_indices.shape}.")
    start_indices = [squeeze(slice(start_indices, (k,), (k + 1,)), (0,))
                     for k in range(start_indices.shape[0])]
  start_indices = list(start_indices)
  if len(start_indices) != len(shape):
    raise ValueError("Length of slice indices must match number of operand dimensions "
                     f"({len(start_indices)} vs {shape})")
  if isinstance(allow_negative_indices, bool):
    allow_negative_indices = [allow_negative_indices] * len(shape)
  traced = [i for i in start_indices if not _is_host_int(i)]
  for i in traced:
    aval = core.get_aval(i)
    if not _is_int(aval.dtype) or aval.ndim != 0:
      raise TypeError(f"index arguments to {name} must be integers of the same type, got: "
                      f"{aval.str_short()}" if aval.ndim else
                      f"index arguments to {name} must be integers of the same type, got: "
                      f"{aval.dtype.name}")
  dtype = core.get_aval(traced[0]).dtype if traced else dtypes.canonicalize_dtype(np.int64)
  out = []
  for i, d, neg in zip(start_indices, shape, allow_negative_indices):
    if _is_host_int(i):
      i = int(i)
      if neg and i < 0:
        i += d
      out.append(np.asarray(i, dtype))
      continue
    if core.get_aval(i).dtype != dtype:
      i = structural.convert_element_type(i, dtype)
    if neg and np.issubdtype(dtype, np.signedinteger):
      # As JAX's: NumPy-style `i < 0` and `i + d` with the size as a strongly
      # typed constant (so a weakly typed index is converted first), then select.
      from jaxlite import lax
      size = structural.convert_element_type(np.asarray(d, dtype), dtype)
      i = lax.select(i < 0, i + size, i)
    out.append(i)
  return out


def _is_host_int(i):
  if isinstance(i, (bool, np.bool_)):
    return False
  if isinstance(i, (int, np.integer)):
    return True
  return isinstance(i, np.ndarray) and i.ndim == 0 and _is_int(i.dtype)


def _check_indices(name, operand, indices):
  if len(indices) != operand.ndim:
    raise TypeError(f"{name} start_indices must have length equal to the number of "
                    f"dimensions of the operand, got {len(indices)} indices for operand "
                    f"shape {operand.shape}.")
  if indices and (len({i.dtype for i in indices}) != 1 or not _is_int(indices[0].dtype)
                  or any(i.ndim for i in indices)):
    raise TypeError(f"index arguments to {name} must be integers of the same type, got: "
                    f"{', '.join(i.str_short() for i in indices)}")


# --- dynamic_slice ---------------------------------------------------------------------------


def _dynamic_slice_shape_rule(operand, *indices, slice_sizes):
  _check_indices("dynamic_slice", operand, indices)
  if len(slice_sizes) != operand.ndim:
    raise TypeError(f"dynamic_slice slice_sizes must have the same length as operand rank, "
                    f"got slice_sizes {slice_sizes} for operand shape {operand.shape}.")
  if any(s < 0 for s in slice_sizes):
    raise TypeError(f"slice slice_sizes must be greater than or equal to zero, got "   # JAX's text
                    f"slice_sizes of {slice_sizes}.")
  if any(s > d for s, d in zip(slice_sizes, operand.shape)):
    raise TypeError(f"slice slice_sizes must be less than or equal to operand "   # JAX's text
                    f"shape, got slice_sizes {slice_sizes} for operand shape "
                    f"{operand.shape}.")
  return tuple(slice_sizes)


dynamic_slice_p = standard_primitive(_dynamic_slice_shape_rule, _same, "dynamic_slice",
                                     weak_type_rule=lambda operand, *_, **__: operand.weak_type)
# XLA clamps the start indices so that the slice is in bounds.
mlir.register_lowering(dynamic_slice_p, lambda ctx, x, *idx, slice_sizes: mlir.hlo().dynamic_slice(
    x, list(idx), mlir.dense_int_array(slice_sizes)))


def _dynamic_slice_jvp(primals, tangents, *, slice_sizes):
  x, *idx = primals
  out = dynamic_slice_p.bind(x, *idx, slice_sizes=slice_sizes)
  if type(tangents[0]) is ad.Zero:
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  return out, dynamic_slice_p.bind(tangents[0], *idx, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, operand, *idx, slice_sizes):
  if any(ad.is_undefined_primal(i) for i in idx):
    raise ValueError("dynamic_slice is not linear in its start indices")
  if type(ct) is ad.Zero:
    return [ad.Zero(operand.aval)] + [None] * len(idx)
  zeros = structural.full(operand.aval.shape, 0, operand.aval.dtype)
  return [dynamic_update_slice_p.bind(zeros, ct, *idx)] + [None] * len(idx)


ad.primitive_jvps[dynamic_slice_p] = _dynamic_slice_jvp
ad.primitive_transposes[dynamic_slice_p] = _dynamic_slice_transpose


def _stack_indices(idx, idx_dims, size):
  """Scalar (possibly batched) indices as one (size, n) index array, each
  broadcast straight to a column (as JAX's _batch_dynamic_slice_indices)."""
  cols = [broadcast_in_dim(i, (size, 1), (0,)) if d is not None else
          broadcast_in_dim(i, (size, 1), ())
          for i, d in zip(idx, idx_dims)]
  return structural.concatenate(cols, 1)


def _dynamic_slice_batch(batched_args, batch_dims, *, slice_sizes):
  x, *idx = batched_args
  xd, *idx_dims = batch_dims
  n = len(slice_sizes)
  if all(d is None for d in idx_dims):
    # As JAX's (a dynamic slice is a gather there): the starts as one index
    # vector, the batch axis moved to the front and taken whole.
    x = batching.moveaxis(x, xd, 0)
    indices = structural.concatenate([broadcast_in_dim(i, (1,), ()) for i in idx], 0)
    shifted = tuple(range(1, n + 1))
    dnums = GatherDimensionNumbers(offset_dims=(0,) + shifted, collapsed_slice_dims=(),
                                   start_index_map=shifted)
    return gather_p.bind(x, indices, dimension_numbers=dnums,
                         slice_sizes=(core.get_aval(x).shape[0],) + tuple(slice_sizes),
                         indices_are_sorted=True, unique_indices=True,
                         mode=GatherScatterMode.CLIP, fill_value=None), 0
  # Batched start indices: one gather whose batch axis is folded into the
  # dimension numbers (a batching dimension when the operand is batched too).
  size = batching.batch_size(batched_args, batch_dims)
  indices = _stack_indices(idx, idx_dims, size)
  if xd is None:
    dnums = GatherDimensionNumbers(offset_dims=tuple(range(1, n + 1)), collapsed_slice_dims=(),
                                   start_index_map=tuple(range(n)))
    sizes = tuple(slice_sizes)
  else:
    x = batching.moveaxis(x, xd, 0)
    shifted = tuple(range(1, n + 1))
    dnums = GatherDimensionNumbers(offset_dims=shifted, collapsed_slice_dims=(),
                                   start_index_map=shifted,
                                   operand_batching_dims=(0,), start_indices_batching_dims=(0,))
    sizes = (1,) + tuple(slice_sizes)
  # JAX's flags: a batched operand's rows are read one start each, in order
  # (sorted and unique); one operand read at many starts is neither.
  flag = xd is not None
  return gather_p.bind(x, indices, dimension_numbers=dnums, slice_sizes=sizes,
                       indices_are_sorted=flag, unique_indices=flag,
                       mode=GatherScatterMode.CLIP, fill_value=None), 0


batching.primitive_batchers[dynamic_slice_p] = _dynamic_slice_batch


def dynamic_slice(operand, start_indices, slice_sizes: Sequence[int], *,
                  allow_negative_indices: bool | Sequence[bool] = True):
  """A slice of ``slice_sizes`` at traced ``start_indices``.

  As in XLA the start indices are clamped so the slice stays in bounds;
  negative ones first count from the end (unless ``allow_negative_indices``
  is False).

  >>> from jaxlite import lax
  >>> lax.dynamic_slice(lax.iota('int32', 5), (4,), (2,))
  Array([3, 4], dtype=int32)
  """
  idx = _dynamic_slice_indices(operand, start_indices, allow_negative_indices)
  sizes = structural.canonicalize_shape(slice_sizes)
  return dynamic_slice_p.bind(operand, *idx, slice_sizes=sizes)


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True):
  """``dynamic_slice`` along one axis (the others are taken whole).

  >>> from jaxlite import lax
  >>> lax.dynamic_slice_in_dim(lax.iota('int32', 5), 1, 2)
  Array([1, 2], dtype=int32)
  """
  shape = core.get_aval(operand).shape
  axis = _canonical_axis(axis, len(shape))
  starts = [0] * len(shape)
  starts[axis] = start_index
  sizes = list(shape)
  sizes[axis] = int(slice_size)
  negs = [False] * len(shape)
  negs[axis] = allow_negative_indices
  return dynamic_slice(operand, starts, sizes, allow_negative_indices=negs)


def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True, *,
                         allow_negative_indices: bool = True):
  """Element ``index`` (traced) along ``axis``.

  >>> from jaxlite import lax
  >>> lax.dynamic_index_in_dim(lax.iota('int32', 5), 3, keepdims=False)
  Array(3, dtype=int32)
  """
  out = dynamic_slice_in_dim(operand, index, 1, axis,
                             allow_negative_indices=allow_negative_indices)
  return out if keepdims else squeeze(out, (_canonical_axis(axis, core.get_aval(out).ndim),))


# --- dynamic_update_slice --------------------------------------------------------------------


def _dus_shape_rule(operand, update, *indices):
  _check_indices("dynamic_update_slice", operand, indices)
  if operand.ndim != update.ndim:
    raise TypeError(f"dynamic_update_slice update must have the same rank as operand, got "
                    f"update shape {update.shape} for operand shape {operand.shape}.")
  if any(u > o for u, o in zip(update.shape, operand.shape)):
    raise TypeError(f"dynamic_update_slice update shape must be smaller than operand shape, "
                    f"got update shape {update.shape} for operand shape {operand.shape}.")
  return operand.shape


def _dus_dtype_rule(operand, update, *indices):
  if operand.dtype != update.dtype:
    raise TypeError(f"lax.dynamic_update_slice requires arguments to have the same dtypes, "
                    f"got {operand.dtype.name}, {update.dtype.name}.")
  return operand.dtype


dynamic_update_slice_p = standard_primitive(
    _dus_shape_rule, _dus_dtype_rule, "dynamic_update_slice",
    weak_type_rule=lambda operand, *_, **__: operand.weak_type)
mlir.register_lowering(dynamic_update_slice_p, lambda ctx, x, u, *idx:
                       mlir.hlo().dynamic_update_slice(x, u, list(idx)))


def _dus_jvp(primals, tangents):
  x, u, *idx = primals
  tx, tu = tangents[:2]
  out = dynamic_update_slice_p.bind(x, u, *idx)
  if type(tx) is ad.Zero and type(tu) is ad.Zero:
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  return out, dynamic_update_slice_p.bind(ad.instantiate_zeros(tx), ad.instantiate_zeros(tu),
                                          *idx)


def _dus_transpose(ct, operand, update, *idx):
  if any(ad.is_undefined_primal(i) for i in idx):
    raise ValueError("dynamic_update_slice is not linear in its start indices")
  op_lin, up_lin = ad.is_undefined_primal(operand), ad.is_undefined_primal(update)
  up_aval = update.aval if up_lin else core.get_aval(update)
  if type(ct) is ad.Zero:
    return [ad.Zero(operand.aval) if op_lin else None,
            ad.Zero(up_aval) if up_lin else None] + [None] * len(idx)
  ct_op = ct_up = None
  if op_lin:
    zeros = structural.full(up_aval.shape, 0, up_aval.dtype)
    ct_op = dynamic_update_slice_p.bind(ct, zeros, *idx)
  if up_lin:
    ct_up = dynamic_slice_p.bind(ct, *idx, slice_sizes=up_aval.shape)
  return [ct_op, ct_up] + [None] * len(idx)


ad.primitive_jvps[dynamic_update_slice_p] = _dus_jvp
ad.primitive_transposes[dynamic_update_slice_p] = _dus_transpose


def _dus_batch(batched_args, batch_dims):
  x, u, *idx = batched_args
  xd, ud, *idx_dims = batch_dims
  size = batching.batch_size(batched_args, batch_dims)
  x = batching.bdim_at_front(x, xd, size)
  u = batching.bdim_at_front(u, ud, size)
  if all(d is None for d in idx_dims):
    zero = np.zeros((), core.get_aval(idx[0]).dtype)
    return dynamic_update_slice_p.bind(x, u, zero, *idx), 0
  # Batched start indices: a scatter with a batching dimension; CLIP keeps
  # XLA's dynamic_update_slice clamping.
  from jaxlite.lax import scattering as scatter_lib
  indices = _stack_indices(idx, idx_dims, size)
  n = len(idx)
  dnums = scatter_lib.ScatterDimensionNumbers(
      update_window_dims=tuple(range(1, n + 1)), inserted_window_dims=(),
      scatter_dims_to_operand_dims=tuple(range(1, n + 1)), operand_batching_dims=(0,),
      scatter_indices_batching_dims=(0,))
  return scatter_lib.scatter_p.bind(x, indices, u, dimension_numbers=dnums,
                                    indices_are_sorted=True, unique_indices=True,
                                    mode=GatherScatterMode.CLIP), 0


batching.primitive_batchers[dynamic_update_slice_p] = _dus_batch


def dynamic_update_slice(operand, update, start_indices, *,
                         allow_negative_indices: bool | Sequence[bool] = True):
  """``operand`` with ``update`` written at traced ``start_indices`` (clamped as XLA).

  >>> from jaxlite import lax
  >>> lax.dynamic_update_slice(lax.iota('int32', 4), lax.iota('int32', 2), (1,))
  Array([0, 0, 1, 3], dtype=int32)
  """
  idx = _dynamic_slice_indices(operand, start_indices, allow_negative_indices,
                               "dynamic_update_slice")
  return dynamic_update_slice_p.bind(operand, update, *idx)


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int, *,
                                allow_negative_indices: bool = True):
  """``dynamic_update_slice`` at ``start_index`` along ``axis`` (0 on the others).

  >>> from jaxlite import lax
  >>> lax.dynamic_update_slice_in_dim(lax.iota('int32', 3), lax.iota('int32', 1), 2, 0)
  Array([0, 1, 0], dtype=int32)
  """
  ndim = core.get_aval(operand).ndim
  axis = _canonical_axis(axis, ndim)
  starts = [0] * ndim
  starts[axis] = start_index
  negs = [False] * ndim
  negs[axis] = allow_negative_indices
  return dynamic_update_slice(operand, update, starts, allow_negative_indices=negs)


def dynamic_update_index_in_dim(operand, update, index, axis: int, *,
                                allow_negative_indices: bool = True):
  """Writes ``update`` (with or without the size-1 ``axis``) at ``index`` along ``axis``.

  >>> from jaxlite import lax
  >>> lax.dynamic_update_index_in_dim(lax.iota('int32', 3), 7, 1, 0)
  Array([0, 7, 2], dtype=int32)
  """
  ndim = core.get_aval(operand).ndim
  axis = _canonical_axis(axis, ndim)
  if np.ndim(update) != ndim:
    update = expand_dims(update, (axis,))
  if core.get_aval(update).dtype != core.get_aval(operand).dtype and \
      dtypes.is_weakly_typed(update):
    update = structural.convert_element_type(update, core.get_aval(operand).dtype)
  return dynamic_update_slice_in_dim(operand, update, index, axis,
                                     allow_negative_indices=allow_negative_indices)


from jaxlite.lax.gathering import (GatherDimensionNumbers, GatherScatterMode,  # noqa: E402
                                gather, gather_p)
from jaxlite.lax.scattering import *  # noqa: E402,F401,F403
from jaxlite.lax import scattering as _scatter  # noqa: E402

__all__ += _scatter.__all__
