"""NumPy indexing (``x[idx]``) and functional updates (``x.at[idx].set(v)``).

An index expression is first parsed into one entry per operand axis (ints,
slices, integer arrays; boolean masks become integer arrays, which needs
their values to be concrete) plus ``None`` entries. Indexing with only ints
and slices is lowered to ``lax.slice`` / ``lax.rev`` / ``reshape``;
indexing with integer arrays to one ``lax.gather``, and every update to one
``lax.scatter*``. Advanced indices are placed as NumPy places them: where the
first one was if they are adjacent, in front otherwise.

Out-of-bounds indices follow JAX: reads clamp (``mode='clip'``; 'fill' reads
``fill_value``), updates are dropped (``mode='drop'``).

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.arange(6).reshape(2, 3)
  >>> x[1, ::-1]
  Array([5, 4, 3], dtype=int32)
  >>> x.at[0, 1].add(10)
  Array([[ 0, 11,  2],
         [ 3,  4,  5]], dtype=int32)
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.core import Tracer
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.runtime import sharded
from jaxlite.runtime.array import Array

_ARRAY_TYPES = (Array, Tracer)
_INDEX_DTYPE = np.dtype(np.int32)


class NonConcreteBooleanIndexError(IndexError):   # not a TypeError, as in JAX
  """A boolean mask index whose values are not known while tracing."""

  def __init__(self, tracer):
    aval = getattr(tracer, "aval", tracer)   # JAX's signature takes the tracer
    super().__init__(
        f"Array boolean indices must be concrete; got {aval.str_short()}\n\n"
        "See https://jax.readthedocs.io/en/latest/errors.html"
        "#jax.errors.NonConcreteBooleanIndexError")


class _Entry(NamedTuple):
  kind: str          # 'none', 'int', 'slice' or 'array'
  value: Any = None  # the int, the slice, or the integer index array
  axis: int = -1     # the operand axis it indexes (-1 for 'none')


def _bad_indexer(idx, position):
  dtype = getattr(idx, "dtype", None)
  if dtype is not None:
    return TypeError(f"Indexer must have integer or boolean type, got indexer with "
                     f"type {np.dtype(dtype).name} at position {position}, indexer "
                     f"value {idx}")
  return TypeError(f"Indexer must be an int, slice, None, Ellipsis or an array of "
                   f"integers or booleans; got {idx!r} at position {position}.")


def _static_slice_part(v, name):
  if v is None:
    return None
  if isinstance(v, Tracer) and v._concrete_value() is None:
    raise IndexError("Array slice indices must have static start/stop/step to be "
                     "used with NumPy indexing syntax. Found slice("
                     f"{name}={v.aval.str_short()}). To index a statically sized "
                     "array at a dynamic position, try lax.dynamic_slice/"
                     "dynamic_update_slice (JAX does not support dynamically sized "
                     "arrays within JIT compiled functions).")
  return promotion.concrete_int(v, "slice bound")


def _parse(shape: tuple, index) -> list[_Entry]:
  """One entry per index component; masks expanded, Ellipsis filled in."""
  if not isinstance(index, tuple):
    if isinstance(index, list):
      raise TypeError("Using a non-tuple sequence for multidimensional indexing is "
                      "not allowed; use `arr[array(seq)]` instead of `arr[seq]`. "
                      "See https://github.com/jax-ml/jax/issues/4564 for more "
                      "information.")
    index = (index,)
  items = []  # (kind, value, number of operand axes consumed)
  for position, idx in enumerate(index):
    if idx is None:
      items.append(("none", None, 0))
    elif idx is Ellipsis:
      items.append(("ellipsis", None, 0))
    elif isinstance(idx, slice):
      items.append(("slice", slice(_static_slice_part(idx.start, "start"),
                                   _static_slice_part(idx.stop, "stop"),
                                   _static_slice_part(idx.step, "step")), 1))
    elif isinstance(idx, (bool, np.bool_)):
      items.append(("mask", np.asarray(idx), 0))
    elif isinstance(idx, (int, np.integer)):
      items.append(("int", int(idx), 1))
    else:
      if hasattr(idx, "__jax_array__"):
        idx = idx.__jax_array__()
      if isinstance(idx, (list, tuple)):
        idx = np.asarray(idx)
        if idx.size == 0:
          idx = idx.astype(np.int32)
      if not isinstance(idx, (np.ndarray, Array, Tracer)):
        raise _bad_indexer(idx, position)
      dtype = idx.dtype
      if dtype == np.bool_:
        if isinstance(idx, Tracer) and idx._concrete_value() is None:
          raise NonConcreteBooleanIndexError(idx.aval)
        mask = np.asarray(idx)
        items.append(("mask", mask, mask.ndim))
      elif dtypes.issubdtype(dtype, np.integer):
        if np.ndim(idx) == 0 and not isinstance(idx, Tracer):
          items.append(("int", int(np.asarray(idx)), 1))
        else:
          items.append(("array", idx, 1))
      else:
        raise _bad_indexer(idx, position)
  if sum(kind == "ellipsis" for kind, _, _ in items) > 1:
    raise IndexError("an index can only have a single ellipsis ('...')")
  consumed = sum(n for _, _, n in items)
  if consumed > len(shape):
    raise IndexError(f"Too many indices: {len(shape)}-dimensional array indexed "
                     f"with {consumed} regular indices.")
  entries = []
  axis = 0
  saw_ellipsis = False
  for kind, value, n in items:
    if kind == "ellipsis":
      saw_ellipsis = True
      for _ in range(len(shape) - consumed):
        entries.append(_Entry("slice", slice(None), axis))
        axis += 1
    elif kind == "none":
      entries.append(_Entry("none"))
    elif kind == "mask":
      if value.ndim == 0:
        # A scalar boolean adds an axis of length 1 (True) or 0 (False).
        entries.append(_Entry("none"))
        if not value:
          entries.append(_Entry("empty"))
        continue
      mask_shape = shape[axis:axis + value.ndim]
      if mask_shape != value.shape:
        raise IndexError(f"boolean index did not match shape of indexed array in "
                         f"index {axis}: got {value.shape}, expected {mask_shape}")
      for coords in np.nonzero(value):
        entries.append(_Entry("array", coords.astype(_INDEX_DTYPE), axis))
        axis += 1
    else:
      if shape[axis] == 0 and kind != "slice" and (kind == "int" or np.ndim(value) == 0):
        # XLA cannot gather or scatter one element of an empty axis (JAX's check).
        raise IndexError(f"index is out of bounds for axis {axis} with size 0")
      entries.append(_Entry(kind, value, axis))
      axis += 1
  del saw_ellipsis
  while axis < len(shape):
    entries.append(_Entry("slice", slice(None), axis))
    axis += 1
  return entries


def _slice_bounds(s: slice, n: int):
  """(start, length, step) of a slice of an axis of size ``n``."""
  if not isinstance(n, (int, np.integer)):
    return _symbolic_slice_bounds(s, n)
  start, stop, step = s.indices(n)
  if step == 0:
    raise ValueError("slice step cannot be zero")
  length = max(0, -(-(stop - start) // step)) if step > 0 else \
      max(0, -(-(start - stop) // -step))
  return start, length, step


def _symbolic_slice_bounds(s: slice, n):
  """(start, length, step) of a slice of an axis of symbolic size ``n``
  (shape-polymorphic export): as JAX, bounds are clamped with ``min``/``max``
  of dimensions where their order is not known."""
  shape_poly = core.symbolic_dimensions()
  step = 1 if s.step is None else int(s.step)
  if step <= 0:
    start, stop, step = s.indices(n)   # JAX's InconclusiveDimensionOperation

  def bound(v, default):
    if v is None:
      return default
    if not shape_poly.is_symbolic_dim(v) and int(v) < 0:
      return shape_poly.dim_max(0, n + int(v))
    return shape_poly.dim_min(n, v)
  start, stop = bound(s.start, 0), bound(s.stop, n)
  length = stop - start if step == 1 else (stop - start + step - 1) // step
  return start, length, step


def _apply_slices(x, entries):
  """Applies the static slices of ``entries`` to ``x``; returns (x, entries with
  the slices made full)."""
  shape = x.shape
  starts, limits, strides = [0] * x.ndim, list(shape), [1] * x.ndim
  rev_axes = []
  new_entries = []
  for e in entries:
    if e.kind != "slice":
      new_entries.append(e)
      continue
    n = shape[e.axis]
    start, length, step = _slice_bounds(e.value, n)
    if step < 0:
      rev_axes.append(e.axis)
      start, step = n - 1 - start, -step
    nonempty = length if isinstance(length, (int, np.integer)) else True   # symbolic
    starts[e.axis] = start if nonempty else 0
    limits[e.axis] = start + (length - 1) * step + 1 if nonempty else 0
    strides[e.axis] = step
    new_entries.append(_Entry("slice", slice(None), e.axis))
  if rev_axes:
    x = lax.rev(x, rev_axes)
  if starts != [0] * x.ndim or limits != list(shape) or strides != [1] * x.ndim:
    x = lax.slice(x, starts, limits, strides if any(s != 1 for s in strides) else None)
  return x, new_entries


def _normalize_index_array(idx, n: int):
  """Integer index array with negative entries wrapped (still possibly out of range)."""
  if not isinstance(n, (int, np.integer)):   # a symbolic size: wrapped on the device
    n = lax_structural.convert_element_type(n.__jax_array__(), _INDEX_DTYPE)
    if isinstance(idx, (int, np.integer)) or isinstance(idx, np.ndarray):
      idx = np.asarray(idx, _INDEX_DTYPE)
  elif isinstance(idx, np.ndarray) or isinstance(idx, (int, np.integer)):
    idx = np.asarray(idx)
    idx = np.where(idx < 0, idx + n, idx)
    return idx.astype(_INDEX_DTYPE)
  dtype = idx.dtype
  if dtypes.issubdtype(dtype, np.unsignedinteger) and dtype.itemsize >= 4 or \
      dtype.itemsize > 4:
    idx = lax_structural.convert_element_type(idx, _INDEX_DTYPE)
  elif dtype != _INDEX_DTYPE:
    idx = lax_structural.convert_element_type(idx, _INDEX_DTYPE)
  if dtypes.issubdtype(dtype, np.unsignedinteger):
    return idx
  negative = lax.lt(idx, np.asarray(0, _INDEX_DTYPE))   # JAX's order of equations
  wrapped = lax.add(idx, n if not isinstance(n, (int, np.integer)) else
                    np.asarray(n, _INDEX_DTYPE))
  return lax.select_n(negative, idx, wrapped)


class _Plan(NamedTuple):
  """How an index maps onto a gather or a scatter."""
  layout: list        # output axes in order: ('one',), ('batch',), ('dim', axis)
  batch_shape: tuple  # the broadcast shape of the advanced indices
  arrays: list        # (operand axis, normalised index array) per advanced index
  empty: bool         # a scalar False index: the result has a 0-length axis


def _plan(shape, entries) -> _Plan:
  arrays = []
  positions = []
  for i, e in enumerate(entries):
    if e.kind in ("int", "array"):
      arrays.append((e.axis, _normalize_index_array(e.value, shape[e.axis])))
      positions.append(i)
  index_shapes = [np.shape(a) if isinstance(a, np.ndarray) else a.shape for _, a in arrays]
  try:
    batch_shape = np.broadcast_shapes(*index_shapes) if arrays else ()
  except lax_structural.inconclusive_dimension_error():   # symbolic index shapes
    batch_shape = promotion.broadcast_shapes_named("index", *index_shapes)
  adjacent = positions == list(range(positions[0], positions[0] + len(positions))) \
      if positions else True
  layout = [] if adjacent else [("batch",)]
  placed = not adjacent
  for e in entries:
    if e.kind == "none":
      layout.append(("one",))
    elif e.kind == "slice":
      layout.append(("dim", e.axis))
    elif e.kind in ("int", "array") and not placed:
      layout.append(("batch",))
      placed = True
  empty = any(e.kind == "empty" for e in entries)
  return _Plan(layout, tuple(batch_shape), arrays, empty)


def _out_shape(plan, shape, with_ones, lengths=None):
  if lengths:
    shape = [lengths.get(i, d) for i, d in enumerate(shape)]
  out = []
  for item in plan.layout:
    if item[0] == "one":
      if with_ones:
        out.append(1)
    elif item[0] == "batch":
      out.extend(plan.batch_shape)
    else:
      out.append(shape[item[1]])
  return tuple(out)


def _gather_mode(mode):
  if mode is None:   # JAX's default for indexing: indices promised in bounds
    return lax.GatherScatterMode.PROMISE_IN_BOUNDS
  if mode == "drop":
    mode = "fill"
  return lax.GatherScatterMode.from_any(mode)


def getitem(arr, index, *, mode=None, fill_value=None, unique_indices: bool = False,
            indices_are_sorted: bool = False):
  """``arr[index]`` with NumPy's semantics and JAX's out-of-bounds ``mode``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.arange(5)[jnp.array([0, 4])]
  Array([0, 4], dtype=int32)
  """
  arr = promotion.ensure_array(arr)
  # Fast paths for the commonest static forms (an array on several devices
  # takes JAX's gather instead: see _split_static_gather).
  if type(index) is int and arr.ndim >= 1 and mode is None and \
      (type(arr) is not Array or not sharded.is_sharded(arr)):
    n = arr.shape[0]
    if isinstance(n, int):
      i = index + n if index < 0 else index
      i = min(max(i, 0), n - 1) if n else 0
    else:   # a symbolic size (shape-polymorphic export): clamped as JAX's
      dims = core.symbolic_dimensions()
      i = dims.dim_max(0, n + index) if index < 0 else dims.dim_min(index, n - 1)
    if n == 0:
      raise IndexError("index is out of bounds for axis 0 with size 0")
    # lax.slice without strides, then squeeze: the equations JAX stages for x[i].
    out = lax.slice(arr, (i,) + (0,) * (arr.ndim - 1), (i + 1,) + arr.shape[1:])
    return lax_structural.squeeze(out, (0,))
  try:
    entries = _parse(arr.shape, index)
  except TypeError:
    # jax.ds slices (a traced start) are applied first, then the rest.
    from jaxlite.numpy.dynamic_slice_index import resolve_slices
    resolved = resolve_slices(arr, index)
    if resolved is None:
      raise
    return getitem(*resolved, mode=mode, fill_value=fill_value,
                   unique_indices=unique_indices, indices_are_sorted=indices_are_sorted)
  if all(e.kind in ("slice", "none", "int") for e in entries) and mode is None or \
      all(e.kind in ("slice", "none") for e in entries):
    if type(arr) is Array and sharded.is_sharded(arr) and arr.size and \
        _has_partial_slices(entries, arr.shape):
      return _split_static_gather(arr, entries, mode, fill_value)
    return _static_getitem(arr, entries)
  if _takes_dynamic_slice(arr, entries, mode):
    return _dynamic_slice_getitem(arr, entries)
  x, entries = _apply_slices(arr, entries)
  plan = _plan(x.shape, entries)
  out_shape = _out_shape(plan, x.shape, with_ones=True)
  if plan.empty or math.prod(plan.batch_shape) == 0:
    return lax_structural.full(
        out_shape if not plan.empty else _empty_shape(plan, x.shape), 0, x.dtype)
  batch_rank = len(plan.batch_shape)
  columns = []
  for _, idx in plan.arrays:
    idx = promotion.broadcast_to_shape(idx if not isinstance(idx, np.ndarray) else
                                       promotion.ensure_array(idx), plan.batch_shape)
    columns.append(lax_structural.expand_dims(idx, (batch_rank,)))   # as JAX
  indices = columns[0] if len(columns) == 1 else lax.concatenate(columns, batch_rank)
  gather_shape = _out_shape(plan, x.shape, with_ones=False)
  offset_dims = []
  position = 0
  for item in plan.layout:
    if item[0] == "batch":
      position += batch_rank
    elif item[0] == "dim":
      offset_dims.append(position)
      position += 1
  indexed_axes = [axis for axis, _ in plan.arrays]
  dnums = lax.GatherDimensionNumbers(
      offset_dims=tuple(offset_dims), collapsed_slice_dims=tuple(sorted(indexed_axes)),
      start_index_map=tuple(indexed_axes))
  slice_sizes = tuple(1 if i in indexed_axes else d for i, d in enumerate(x.shape))
  out = lax.gather(x, indices, dnums, slice_sizes, unique_indices=unique_indices,
                   indices_are_sorted=indices_are_sorted, mode=_gather_mode(mode),
                   fill_value=fill_value)
  assert out.shape == gather_shape, (out.shape, gather_shape)
  if out_shape != gather_shape:
    out = lax_structural.reshape(out, out_shape)
  return out


def _empty_shape(plan, shape):
  out = list(_out_shape(plan, shape, with_ones=True))
  # The axis added by a scalar False has length 0.
  for i, item in enumerate(plan.layout):
    if item[0] == "one":
      out[i] = 0
      break
  return tuple(out)


def _has_partial_slices(entries, shape) -> bool:
  """Whether ``entries`` take an int or a part of an axis (JAX's test for
  indexing an array on several devices with a gather rather than a slice)."""
  for e in entries:
    if e.kind == "int":
      return True
    if e.kind == "slice":
      start, length, step = _slice_bounds(e.value, shape[e.axis])
      if abs(step) != 1 or length != shape[e.axis]:
        return True
  return False


def _slice_type_sharding(arr, entries):
  """The type sharding JAX gives ``arr[entries]`` (ints, slices, None): a
  slice keeps its axis's entry of ``arr``'s type spec, None adds an unsplit
  axis, an int drops its axis."""
  from jaxlite.sharding.partition_spec import PartitionSpec  # pylint: disable=g-import-not-at-top
  sharding = arr.aval.sharding
  concrete = getattr(arr, "sharding", None)
  if arr.aval._sharding is None and getattr(getattr(concrete, "mesh", None),
                                            "explicit_axes", ()):
    # An unsplit value on a mesh with Explicit axes: JAX's type still names
    # that mesh (abstractly).
    sharding = concrete.update(mesh=concrete.mesh.abstract_mesh,
                               spec=PartitionSpec(*[None] * arr.ndim))
  spec = tuple(sharding.spec) + (None,) * (arr.ndim - len(sharding.spec))
  out = [None if e.kind == "none" else spec[e.axis] for e in entries if e.kind != "int"]
  return sharding.update(spec=PartitionSpec(*out))


def _split_static_gather(arr, entries, mode, fill_value):
  """``arr[ints, slices, None]`` of a concrete array on several devices, as JAX
  computes it: one gather (so the sharding of a partly taken axis is XLA's
  choice, and Explicit axes meet the gather's sharding rule) instead of a slice.

  >>> import jaxlite, jaxlite.numpy as jnp, numpy as np
  >>> from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> x = jaxlite.device_put(jnp.arange(6.0), NamedSharding(mesh, P('x')))
  >>> _split_static_gather(x, _parse(x.shape, slice(4, 0, -2)), None, None)
  Array([4., 2.], dtype=float32)
  """
  columns = []          # (index array, its first batch dimension)
  batch_shape = []      # the gather's batch dimensions: strided slices
  offset_dims, collapsed, start_map, slice_sizes = [], [], [], []
  reversed_dims, newaxis_dims = [], []
  out_axis = 0          # position among the gather's output axes (slices)
  y_axis = 0            # position in the final result (slices and None)
  for e in entries:
    if e.kind == "none":
      newaxis_dims.append(y_axis)
      y_axis += 1
      continue
    n = arr.shape[e.axis]
    if e.kind == "int":
      i = e.value + n if e.value < 0 else e.value
      columns.append((np.array(i, _INDEX_DTYPE), len(batch_shape)))
      collapsed.append(e.axis)
      start_map.append(e.axis)
      slice_sizes.append(1)
      continue
    start, length, step = _slice_bounds(e.value, n)
    if length == 0:   # nothing to gather: zeros of the result's shape, as JAX's
      return lax_structural.full(_static_getitem(arr, entries).shape, 0, arr.dtype,
                                 sharding=_slice_type_sharding(arr, entries))
    if step == 1:
      if length != n:
        columns.append((np.array(start, _INDEX_DTYPE), len(batch_shape)))
        start_map.append(e.axis)
      slice_sizes.append(length)
      offset_dims.append(out_axis)
    else:
      indices = start + step * np.arange(length, dtype=_INDEX_DTYPE)
      if step < 0:
        reversed_dims.append(out_axis)
        indices = indices[::-1]
      columns.append((indices.astype(_INDEX_DTYPE), len(batch_shape)))
      batch_shape.append(length)
      collapsed.append(e.axis)
      start_map.append(e.axis)
      slice_sizes.append(1)
    out_axis += 1
    y_axis += 1
  def column(g, at):   # one index column, broadcast over the batch dimensions
    shaped = g.reshape((1,) * at + g.shape + (1,) * (len(batch_shape) - at - g.ndim))
    return np.broadcast_to(shaped, tuple(batch_shape))[..., None]
  indices = np.concatenate([column(g, at) for g, at in columns], axis=-1)
  dnums = lax.GatherDimensionNumbers(offset_dims=tuple(offset_dims),
                                     collapsed_slice_dims=tuple(sorted(collapsed)),
                                     start_index_map=tuple(start_map))
  y = lax.gather(arr, indices, dnums, tuple(slice_sizes), unique_indices=True,
                 indices_are_sorted=True, mode=_gather_mode(mode), fill_value=fill_value)
  if reversed_dims:
    y = lax.rev(y, reversed_dims)
  return lax_structural.expand_dims(y, tuple(newaxis_dims)) if newaxis_dims else y


def _takes_dynamic_slice(arr, entries, mode) -> bool:
  """Whether ``arr[entries]`` is JAX's dynamic-slice form: scalar integer
  array indices (traced ones, say ``x[i]`` in a loop body) with ints, slices
  of unit step and None, read in bounds or clamped (not filled)."""
  if mode is not None and lax.GatherScatterMode.from_any(mode) not in (
      lax.GatherScatterMode.CLIP, lax.GatherScatterMode.PROMISE_IN_BOUNDS):
    return False
  if not any(e.kind == "array" for e in entries):
    return False
  for e in entries:
    if e.kind == "array" and np.ndim(e.value) != 0 or e.kind == "empty":
      return False
    if e.kind == "slice" and e.value.step not in (None, 1, -1):
      return False
  # An array on several devices takes a gather, as JAX's does.
  return not (type(arr) is Array and sharded.is_sharded(arr) and
              _has_partial_slices(entries, arr.shape))


def _dynamic_slice_getitem(arr, entries):
  """``arr[entries]`` as JAX stages it for scalar integer array indices: one
  ``lax.dynamic_slice`` (starts of several axes as one integer type), then
  reverse, squeeze and new axes.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> jaxlite.jit(lambda x, i: x[i, ::-1])(jnp.arange(6).reshape(2, 3), 1)
  Array([5, 4, 3], dtype=int32)
  """
  starts, sizes, rev_axes, squeeze_axes, new_dims = [], [], [], [], []
  for e in entries:
    if e.kind == "none":
      # Positions in the result after slicing and squeezing, and after the
      # new axes before this one (expand_dims inserts them in order).
      new_dims.append(len(starts) - len(squeeze_axes) + len(new_dims))
    elif e.kind in ("int", "array"):
      starts.append(e.value if e.kind == "array" else promotion.ensure_array(e.value))
      sizes.append(1)
      squeeze_axes.append(e.axis)
    else:
      start, stop, step = e.value.indices(arr.shape[e.axis])
      if step < 0:   # read forwards, then reversed
        first = stop + 1 + abs(start - stop - 1) % abs(step)
        starts.append(first)
        sizes.append(max(0, start + 1 - first))
        rev_axes.append(e.axis)
      else:
        starts.append(start)
        sizes.append(max(0, stop - start))
  if len(starts) > 1:   # dynamic_slice takes starts of one integer type
    dtype = np.dtype(np.int64 if max(arr.shape, default=0) > np.iinfo(np.int32).max and
                     dtypes.canonicalize_dtype(np.int64) == np.int64 else np.int32)
    starts = [lax_structural.convert_element_type(i, dtype) for i in starts]
  out = lax.dynamic_slice(arr, starts, sizes)
  if rev_axes:
    out = lax.rev(out, rev_axes)
  if squeeze_axes:
    out = lax_structural.squeeze(out, squeeze_axes)
  if new_dims:
    out = lax_structural.expand_dims(out, new_dims)
  return out


def _static_getitem(arr, entries):
  """Ints, slices and None: slice, reverse and reshape."""
  shape = arr.shape
  for e in entries:
    if e.kind == "int":
      n = shape[e.axis]
      if n == 0:
        raise IndexError(f"index is out of bounds for axis {e.axis} with size 0")
  clamped = []
  for e in entries:
    if e.kind == "int":
      n = shape[e.axis]
      i = e.value + n if e.value < 0 else e.value
      i = min(max(i, 0), n - 1)  # static out-of-bounds reads clamp, as JAX's
      clamped.append(_Entry("slice", slice(i, i + 1), e.axis))
    else:
      clamped.append(e)
  x, _ = _apply_slices(arr, clamped)
  out_shape = []
  empty = False
  for e in entries:
    if e.kind == "none":
      out_shape.append(1)
    elif e.kind == "empty":
      out_shape[-1] = 0
      empty = True
    elif e.kind == "slice":
      out_shape.append(x.shape[e.axis])
  out_shape = tuple(out_shape)
  if empty:
    return lax_structural.full(out_shape, 0, arr.dtype)
  # As JAX stages it: integer axes squeezed, None axes inserted by broadcast_in_dim.
  int_axes = [e.axis for e in entries if e.kind == "int"]
  if int_axes:
    x = lax_structural.squeeze(x, int_axes)
  kept = [e for e in entries if e.kind in ("none", "slice")]   # the output's axes
  new_axes = [i for i, e in enumerate(kept) if e.kind == "none"]
  if new_axes and x.ndim + len(new_axes) == len(out_shape):
    x = lax_structural.expand_dims(x, new_axes)
  if out_shape != x.shape:
    x = lax_structural.reshape(x, out_shape)
  return x


# --- updates -------------------------------------------------------------------------


def _scatter_mode(mode):
  if mode is None or mode == "drop":
    return lax.GatherScatterMode.FILL_OR_DROP
  return lax.GatherScatterMode.from_any(mode)


def scatter(arr, index, updates, op: str, *, mode=None, indices_are_sorted=False,
            unique_indices=False, fill_value=None):
  """``arr`` with ``updates`` combined into ``arr[index]`` by ``op`` ('set', 'add',
  'mul', 'min', 'max'); the engine behind ``Array.at``."""
  del fill_value
  arr = promotion.ensure_array(arr)
  if op == "apply":
    func = updates
  else:
    promotion.check_arraylike(f"at[].{op}", updates)
    updates = promotion.convert(promotion.asarray_value(updates), arr.dtype,
                                arr.aval.weak_type)
  entries = _parse(arr.shape, index)
  plan = _plan(arr.shape, entries)
  if plan.empty:
    return arr
  lengths = {e.axis: _slice_bounds(e.value, arr.shape[e.axis])[1]
             for e in entries if e.kind == "slice"}
  target_with_ones = _out_shape(plan, arr.shape, True, lengths)
  target = _out_shape(plan, arr.shape, False, lengths)
  if 0 in target_with_ones:
    return arr   # as JAX: an empty slot is no update, whatever the updates' shape
  if op != "apply":
    updates = _broadcast_updates(updates, target_with_ones)
    if target != target_with_ones:
      updates = lax_structural.reshape(updates, target)
    updates = _typed_like_slot(arr, updates, plan)
  # Output axes of the full slices are the scatter's window axes; other slices
  # become index columns of their own.
  window_axes, columns_spec, batch = [], [], []
  position = 0
  for item in plan.layout:
    if item[0] == "one":
      continue
    if item[0] == "batch":
      batch.extend(range(position, position + len(plan.batch_shape)))
      position += len(plan.batch_shape)
      continue
    axis = item[1]
    entry = next(e for e in entries if e.kind == "slice" and e.axis == axis)
    start, length, step = _slice_bounds(entry.value, arr.shape[axis])
    if start == 0 and step == 1 and length == arr.shape[axis]:
      window_axes.append(position)
    else:
      columns_spec.append((axis, position, np.arange(length) * step + start))
      batch.append(position)
    position += 1
  if not plan.arrays and not columns_spec:
    if op == "apply":
      return func(arr)
    return _elementwise_update(arr, updates, op)
  batch_shape = tuple(target[p] for p in batch)
  batch_pos = {p: i for i, p in enumerate(batch)}
  columns, scatter_axes = [], []
  b_positions = [p for item_pos, p in _batch_positions(plan, target)]
  for axis, idx in plan.arrays:
    idx = promotion.ensure_array(idx)
    idx = promotion.broadcast_to_shape(idx, plan.batch_shape)
    dims = tuple(batch_pos[p] for p in b_positions)
    columns.append(lax_structural.broadcast_in_dim(idx, batch_shape + (1,),
                                                   dims))
    scatter_axes.append(axis)
  for axis, position, values in columns_spec:
    values = promotion.ensure_array(values.astype(_INDEX_DTYPE))
    columns.append(lax_structural.broadcast_in_dim(values, batch_shape + (1,),
                                                   (batch_pos[position],)))
    scatter_axes.append(axis)
  indices = columns[0] if len(columns) == 1 else lax.concatenate(
      columns, len(batch_shape))
  # Updates: batch axes first (in order), then the window axes.
  perm = batch + window_axes
  if op != "apply" and perm != list(range(len(target))):
    updates = lax_structural.transpose(updates, perm)
  dnums = lax.ScatterDimensionNumbers(
      update_window_dims=tuple(range(len(batch), len(target))),
      inserted_window_dims=tuple(sorted(scatter_axes)),
      scatter_dims_to_operand_dims=tuple(scatter_axes))
  if op == "apply":
    return lax.scatter_apply(arr, indices, func, dnums,
                             update_shape=tuple(target[p] for p in perm),
                             indices_are_sorted=indices_are_sorted,
                             unique_indices=unique_indices, mode=_scatter_mode(mode))
  scatter_fun = {"set": lax.scatter, "add": lax.scatter_add, "mul": lax.scatter_mul,
                 "min": lax.scatter_min, "max": lax.scatter_max}[op]
  return scatter_fun(arr, indices, updates, dnums, indices_are_sorted=indices_are_sorted,
                     unique_indices=unique_indices, mode=_scatter_mode(mode))


def _typed_like_slot(arr, updates, plan):
  """As JAX: on Explicit mesh axes the updates take the sharding of the slot
  they fill (the operand's spec on each sliced axis, unsharded index axes),
  which scatter's sharding rule then matches against the operand's."""
  sharding = getattr(arr.aval, "_sharding", None)
  if sharding is None:
    return updates
  operand_spec = tuple(sharding.spec) + (None,) * arr.ndim
  spec = []
  for item in plan.layout:
    if item[0] == "batch":
      spec.extend([None] * len(plan.batch_shape))
    elif item[0] == "dim":
      spec.append(operand_spec[item[1]])
  if all(e is None for e in spec):
    return updates
  # pylint: disable=g-import-not-at-top
  from jaxlite.lax import out_sharding
  from jaxlite.sharding.partition_spec import PartitionSpec
  from jaxlite.sharding.shardings import NamedSharding
  # A concrete mesh where there is one (the type's is abstract): the context's
  # (set_mesh), else a concrete array's own; under tracing the type's.
  from jaxlite.sharding import mesh as mesh_lib
  mesh = mesh_lib.get_concrete_mesh()
  if mesh.empty:
    mesh = getattr(getattr(arr, "sharding", None), "mesh", None)
    if not hasattr(mesh, "devices"):
      mesh = sharding.mesh
  return out_sharding.place(updates, NamedSharding(mesh, PartitionSpec(*spec)), "scatter")


def _batch_positions(plan, target):
  position = 0
  for item in plan.layout:
    if item[0] == "one":
      continue
    if item[0] == "batch":
      for k in range(len(plan.batch_shape)):
        yield k, position + k
      position += len(plan.batch_shape)
    else:
      position += 1


def _broadcast_updates(updates, shape):
  # As JAX: the updates broadcast to the slot's shape with lax.broadcast_to's
  # rules (no extra leading axes, even of size 1).
  return promotion.broadcast_to_checked(promotion.ensure_array(updates), shape)


def _elementwise_update(arr, updates, op):
  if op == "set":
    return updates
  fun = {"add": lax.add, "mul": lax.mul, "min": lax.min, "max": lax.max}[op]
  if arr.dtype == np.bool_:
    fun = {"add": lax.bitwise_or, "mul": lax.bitwise_and, "min": lax.bitwise_and,
           "max": lax.bitwise_or}[op]
  return fun(arr, updates)


def _placed(op, out_sharding, name):
  """``op()`` laid out by ``out_sharding`` (JAX's ``.at[...]`` methods take one
  where sharding in types cannot decide the result's layout)."""
  if out_sharding is None:
    return op()
  from jaxlite.lax import out_sharding as placing  # pylint: disable=g-import-not-at-top
  return placing.placed_after(op, out_sharding, name)


class _IndexUpdateRef:
  """``x.at[index]``: the methods that return an updated copy of ``x``."""
  __slots__ = ("array", "index")

  def __init__(self, array, index):
    self.array = array
    self.index = index

  def __repr__(self):
    return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

  def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None,
          fill_value=None, out_sharding=None):
    """``x[index]``, with JAX's out-of-bounds ``mode`` and ``fill_value``
    (laid out by ``out_sharding`` when given)."""
    return _placed(lambda: getitem(
        self.array, self.index, mode=mode, fill_value=fill_value,
        indices_are_sorted=indices_are_sorted, unique_indices=unique_indices),
        out_sharding, ".get")

  def _update(self, op, values, kw, out_sharding=None, name=None):
    return _placed(lambda: scatter(self.array, self.index, values, op, **kw),
                   out_sharding, name or f".{op}")

  def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
          out_sharding=None):
    """``x[index] = values``, returning a new array."""
    return self._update("set", values, dict(mode=mode, indices_are_sorted=indices_are_sorted,
                                            unique_indices=unique_indices), out_sharding)

  def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
          out_sharding=None):
    """``x[index] += values`` (repeated indices accumulate, as ``np.add.at``)."""
    return self._update("add", values, dict(mode=mode, indices_are_sorted=indices_are_sorted,
                                            unique_indices=unique_indices), out_sharding)

  def subtract(self, values, *, indices_are_sorted=False, unique_indices=False,
               mode=None, out_sharding=None):
    """``x[index] -= values`` (repeated indices accumulate)."""
    from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
    return self._update("add", ufuncs.negative(values),
                        dict(mode=mode, indices_are_sorted=indices_are_sorted,
                             unique_indices=unique_indices), out_sharding, ".subtract")

  def multiply(self, values, *, indices_are_sorted=False, unique_indices=False,
               mode=None, out_sharding=None):
    """``x[index] *= values`` (repeated indices accumulate, as ``np.multiply.at``)."""
    return self._update("mul", values, dict(mode=mode, indices_are_sorted=indices_are_sorted,
                                            unique_indices=unique_indices), out_sharding,
                        ".multiply")

  mul = multiply

  def divide(self, values, *, indices_are_sorted=False, unique_indices=False,
             mode=None, out_sharding=None):
    """``x[index] /= values``."""
    from jaxlite.numpy import creation, ufuncs  # pylint: disable=g-import-not-at-top

    def update():
      ones = creation.ones_like(self.array)
      divisor = scatter(ones, self.index, values, "mul", mode=mode,
                        indices_are_sorted=indices_are_sorted, unique_indices=unique_indices)
      return ufuncs.divide(self.array, divisor).astype(self.array.dtype)
    return _placed(update, out_sharding, ".divide")

  def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None):
    """``x[index] **= values``."""
    from jaxlite.numpy import creation, ufuncs  # pylint: disable=g-import-not-at-top

    def update():
      ones = creation.ones_like(self.array)
      exponent = scatter(ones, self.index, values, "mul", mode=mode,
                         indices_are_sorted=indices_are_sorted, unique_indices=unique_indices)
      return ufuncs.power(self.array, exponent)
    return _placed(update, out_sharding, ".power")

  def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
          out_sharding=None):
    """``x[index] = minimum(x[index], values)``."""
    return self._update("min", values, dict(mode=mode, indices_are_sorted=indices_are_sorted,
                                            unique_indices=unique_indices), out_sharding)

  def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
          out_sharding=None):
    """``x[index] = maximum(x[index], values)``."""
    return self._update("max", values, dict(mode=mode, indices_are_sorted=indices_are_sorted,
                                            unique_indices=unique_indices), out_sharding)

  def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None):
    """``x[index] = func(x[index])`` for a unary ufunc-like ``func``.

    Each indexed element is updated once per occurrence of its index.
    """
    return self._update("apply", func, dict(mode=mode,
                                            indices_are_sorted=indices_are_sorted,
                                            unique_indices=unique_indices))


class IndexUpdateHelper:
  """The ``.at`` property: ``x.at[index]`` gives an updater for ``x[index]``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.zeros(3).at[1].set(5.0)
  Array([0., 5., 0.], dtype=float32)
  """
  __slots__ = ("array",)

  def __init__(self, array):
    self.array = array

  def __getitem__(self, index):
    return _IndexUpdateRef(self.array, index)

  def __repr__(self):
    return f"_IndexUpdateHelper({self.array!r})"
