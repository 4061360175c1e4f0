"""XLA's gather: slices of an operand at many start indices.

The index vector is always the last axis of ``start_indices`` (as in JAX).
``mode`` says what an out-of-bounds start index means: CLIP and
PROMISE_IN_BOUNDS clamp it (XLA's native behaviour), FILL_OR_DROP returns
``fill_value`` for the whole slice.
"""
from __future__ import annotations

__all__ = ['gather', 'GatherDimensionNumbers', 'GatherScatterMode', 'gather_p']

import enum
from typing import NamedTuple, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax.base import standard_primitive


class GatherDimensionNumbers(NamedTuple):
  """How the axes of a gather's operand, indices and output correspond.

  Attributes:
    offset_dims: output axes holding the slice (the operand's non-collapsed,
      non-batching axes, in order).
    collapsed_slice_dims: operand axes (of slice size 1) dropped from the slice.
    start_index_map: operand axis that each entry of an index vector indexes.
    operand_batching_dims: operand axes paired one-to-one with
      ``start_indices_batching_dims`` (axes of the indices).

  >>> GatherDimensionNumbers((1,), (0,), (0,)).offset_dims
  (1,)
  """
  offset_dims: tuple[int, ...]
  collapsed_slice_dims: tuple[int, ...]
  start_index_map: tuple[int, ...]
  operand_batching_dims: tuple[int, ...] = ()
  start_indices_batching_dims: tuple[int, ...] = ()


class GatherScatterMode(enum.Enum):
  """What gather/scatter do with out-of-bounds indices.

  CLIP clamps indices into bounds; FILL_OR_DROP fills gathered slices with a
  fill value and drops scattered updates; PROMISE_IN_BOUNDS lets XLA assume
  they are in bounds (gather clamps, scatter drops).

  >>> GatherScatterMode.from_any('clip')
  <GatherScatterMode.CLIP: 1>
  """
  CLIP = 1
  FILL_OR_DROP = 2
  PROMISE_IN_BOUNDS = 3
  ONE_HOT = 4

  @staticmethod
  def from_any(s) -> "GatherScatterMode":
    if isinstance(s, GatherScatterMode):
      return s
    if s == "clip":
      return GatherScatterMode.CLIP
    if s is None or s == "fill" or s == "drop":
      return GatherScatterMode.FILL_OR_DROP
    if s == "promise_in_bounds":
      return GatherScatterMode.PROMISE_IN_BOUNDS
    if s == "one_hot":
      return GatherScatterMode.ONE_HOT
    raise ValueError(f'Unknown gather mode "{s}"')


def _sorted_unique_in_range(name, what, dims, bound):
  if tuple(dims) != tuple(sorted(dims)):
    raise TypeError(f"{what} in {name} op must be sorted; got {tuple(dims)}")
  if len(set(dims)) != len(dims):
    raise TypeError(f"{what} in {name} op must not repeat; got {tuple(dims)}")
  for d in dims:
    if not 0 <= d < bound:
      raise TypeError(f"Invalid {what} set in {name} op; valid range is [0, {bound}); got: "
                      f"{d}.")


def _gather_shape_rule(operand, indices, *, dimension_numbers, slice_sizes, **_):
  dn = dimension_numbers
  if not np.issubdtype(indices.dtype, np.integer):
    raise ValueError("indices must have an integer type")
  if indices.ndim < 1:
    raise TypeError(f"Gather op requires indices of rank at least 1 (the index vector is "
                    f"the last axis); got indices of shape {indices.shape}.")
  batch_shape = indices.shape[:-1]
  out_rank = len(dn.offset_dims) + len(batch_shape)
  if tuple(dn.offset_dims) != tuple(sorted(dn.offset_dims)):
    raise TypeError(f"offset_dims in gather op must be sorted; got {tuple(dn.offset_dims)}")
  for d in dn.offset_dims:
    if not 0 <= d < out_rank:
      raise TypeError(f"Offset dimension {dn.offset_dims.index(d)} in gather op is out of "
                      f"bounds; got {d}, but should have been in [0, {out_rank})")
  _sorted_unique_in_range("gather", "collapsed_slice_dims", dn.collapsed_slice_dims,
                          operand.ndim)
  _sorted_unique_in_range("gather", "operand_batching_dims", dn.operand_batching_dims,
                          operand.ndim)
  if len(dn.start_index_map) != indices.shape[-1]:
    raise TypeError(f"Gather op has {len(dn.start_index_map)} elements in start_index_map "
                    f"and the bound of dimension index_vector_dim={indices.ndim - 1} of "
                    f"indices is {indices.shape[-1]}. These two numbers must be equal.")
  for i, d in enumerate(dn.start_index_map):
    if not 0 <= d < operand.ndim:
      raise TypeError(f"Invalid start_index_map; domain is [0, {operand.ndim}), got: "
                      f"{i}->{d}.")
  if len(set(dn.start_index_map)) != len(dn.start_index_map):
    raise TypeError(f"Gather op has duplicate dimensions in start_index_map; got: "
                    f"{tuple(dn.start_index_map)}.")
  if set(dn.start_index_map) & set(dn.operand_batching_dims):
    raise TypeError("Gather op's start_index_map must not contain operand_batching_dims; "
                    f"got start_index_map={tuple(dn.start_index_map)} and "
                    f"operand_batching_dims={tuple(dn.operand_batching_dims)}.")
  if set(dn.collapsed_slice_dims) & set(dn.operand_batching_dims):
    raise TypeError("Gather op's collapsed_slice_dims and operand_batching_dims must be "
                    f"disjoint; got {tuple(dn.collapsed_slice_dims)} and "
                    f"{tuple(dn.operand_batching_dims)}.")
  _sorted_unique_in_range("gather", "start_indices_batching_dims",
                          sorted(dn.start_indices_batching_dims), indices.ndim - 1)
  if len(dn.operand_batching_dims) != len(dn.start_indices_batching_dims):
    raise TypeError("Gather op requires equal numbers of operand_batching_dims and "
                    f"start_indices_batching_dims; got {tuple(dn.operand_batching_dims)} and "
                    f"{tuple(dn.start_indices_batching_dims)}.")
  ob = tuple(operand.shape[d] for d in dn.operand_batching_dims)
  ib = tuple(indices.shape[d] for d in dn.start_indices_batching_dims)
  if ob != ib:
    raise TypeError("Gather op requires operand batching dimensions and indices batching "
                    f"dimensions to have the same shape, got {ob} and {ib}.")
  if len(slice_sizes) != operand.ndim:
    raise TypeError(f"Gather op must have one slice size for every input dimension; got: "
                    f"len(slice_sizes)={len(slice_sizes)}, input_shape.rank={operand.ndim}")
  for i, (s, d) in enumerate(zip(slice_sizes, operand.shape)):
    if not 0 <= s <= d:
      raise TypeError(f"Slice size at index {i} in gather op is out of range, must be "
                      f"within [0, {d} + 1), got {s}.")
  for pos, d in enumerate(dn.collapsed_slice_dims):
    if slice_sizes[d] > 1:
      raise TypeError(f"Gather op can only collapse slice dims with bound 1, but bound is "
                      f"{slice_sizes[d]} for index {d} at position {pos}.")
  for pos, d in enumerate(dn.operand_batching_dims):
    if slice_sizes[d] > 1:
      raise TypeError(f"Gather op can only have operand batching dims with bound 0/1, but "
                      f"bound is {slice_sizes[d]} for index {d} at position {pos}.")
  dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
  offset_sizes = tuple(s for i, s in enumerate(slice_sizes) if i not in dropped)
  if len(offset_sizes) != len(dn.offset_dims):
    raise TypeError(f"All components of the offset index in a gather op must either be a "
                    f"offset dimension or explicitly collapsed/batching; got "
                    f"len(slice_sizes)={len(slice_sizes)}, output_slice_sizes="
                    f"{offset_sizes}, collapsed_slice_dims={tuple(dn.collapsed_slice_dims)}, "
                    f"operand_batching_dims={tuple(dn.operand_batching_dims)}.")
  out, offsets, batch = [], iter(offset_sizes), iter(batch_shape)
  for i in range(out_rank):
    out.append(next(offsets) if i in dn.offset_dims else next(batch))
  return tuple(out)


gather_p = standard_primitive(_gather_shape_rule, lambda operand, *_, **__: operand.dtype,
                              "gather", weak_type_rule=lambda operand, *_, **__: operand.weak_type)


def default_fill_value(dtype):
  """NaN for inexact types, the minimum for signed, the maximum for unsigned, True for
  bool, all bits set for PRNG keys (their uint32 data), as JAX's."""
  if isinstance(dtype, dtypes.ExtendedDType):
    if dtypes.issubdtype(dtype, dtypes.prng_key):
      return int(np.iinfo(np.uint32).max)
    raise ValueError(f"Unsupported dtype for gather fill_value {dtype}")
  dtype = np.dtype(dtype)
  if dtype == np.bool_:
    return True
  if np.issubdtype(dtype, np.signedinteger):
    return int(np.iinfo(dtype).min)
  if np.issubdtype(dtype, np.unsignedinteger):
    return int(np.iinfo(dtype).max)
  return _NAN


# One NaN object: parameters compare by identity first, so the eager compile
# cache hits for repeated NaN fills.
_NAN = float("nan")


def _canonical_fill(value, dtype):
  value = np.asarray(value, dtype).item()
  return _NAN if isinstance(value, float) and value != value else value


def gather_dnums_ir(dn, index_vector_dim):
  return mlir.hlo().GatherDimensionNumbers.get(
      offset_dims=list(dn.offset_dims), collapsed_slice_dims=list(dn.collapsed_slice_dims),
      operand_batching_dims=list(dn.operand_batching_dims),
      start_indices_batching_dims=list(dn.start_indices_batching_dims),
      start_index_map=list(dn.start_index_map), index_vector_dim=index_vector_dim)


def _filled(module_context, value, aval, broadcast_dimensions=()):
  """``value`` (a NumPy constant of ``aval``'s dtype) broadcast to ``aval``'s
  shape: a constant of that shape, or where the shape is symbolic a
  ``dynamic_broadcast_in_dim`` (shape-polymorphic export)."""
  if all(isinstance(d, (int, np.integer)) for d in aval.shape):
    # (value's axes are the trailing ones wherever broadcast_dimensions are given)
    return mlir.ir_constant(np.asarray(np.broadcast_to(value, aval.shape), aval.dtype))
  return core.symbolic_dimensions().broadcast_in_dim(
      module_context, mlir.ir_constant(np.asarray(value, aval.dtype)), aval,
      broadcast_dimensions)


def _upper_bounds(module_context, upper_bounds, indices_aval):
  """``upper_bounds`` (ints, or symbolic sizes) broadcast along the indices'
  last axis, in the indices' dtype."""
  dtype = indices_aval.dtype
  last = (indices_aval.ndim - 1,)
  if all(isinstance(b, (int, np.integer)) for b in upper_bounds):
    hi_vec = np.asarray(upper_bounds, np.int64)
    if np.issubdtype(dtype, np.integer):
      hi_vec = np.clip(hi_vec, np.iinfo(dtype).min, np.iinfo(dtype).max)
    return _filled(module_context, hi_vec.astype(dtype), indices_aval, last)
  dims = core.symbolic_dimensions()
  vector = mlir.hlo().convert(
      mlir.aval_to_ir_type(core.ShapedArray((len(upper_bounds),), dtype)),
      dims.shape_tensor(module_context, upper_bounds))
  return dims.broadcast_in_dim(module_context, vector, indices_aval, last)


def in_bounds_mask(indices, indices_aval, upper_bounds, module_context=None):
  """i1 tensor of the indices' batch shape: every entry k of an index vector
  lies in ``[0, upper_bounds[k]]`` (sizes may be symbolic, given the module)."""
  hlo = mlir.hlo()
  ir = mlir.ir()
  lo = _filled(module_context, np.zeros((), indices_aval.dtype), indices_aval)
  hi = _upper_bounds(module_context, upper_bounds, indices_aval)
  ok = hlo.and_(mlir.compare(indices, lo, "GE"), mlir.compare(indices, hi, "LE"))
  batch_aval = core.ShapedArray(indices_aval.shape[:-1], np.bool_)
  i1 = mlir.dtype_to_ir_type(np.bool_)
  scalar = ir.RankedTensorType.get((), i1)
  red = hlo.ReduceOp([mlir.aval_to_ir_type(batch_aval)], [ok],
                     [mlir.ir_constant(np.asarray(True))],
                     mlir.dense_int_array([indices_aval.ndim - 1]))
  block = red.regions[0].blocks.append(scalar, scalar)
  with ir.InsertionPoint(block):
    hlo.ReturnOp([hlo.and_(*block.arguments)])
  return red.results[0]


def _gather_lowering(ctx, operand, indices, *, dimension_numbers, slice_sizes,
                     indices_are_sorted, unique_indices, mode, fill_value):
  hlo = mlir.hlo()
  op_aval, idx_aval = ctx.avals_in
  out_aval = ctx.avals_out[0]
  dn = dimension_numbers
  if mode == GatherScatterMode.ONE_HOT:
    raise NotImplementedError("gather mode ONE_HOT is not implemented in jaxlite")
  out = hlo.GatherOp(operand, indices, gather_dnums_ir(dn, idx_aval.ndim - 1),
                     mlir.dense_int_array(slice_sizes),
                     indices_are_sorted=indices_are_sorted,
                     results=[mlir.aval_to_ir_type(out_aval)]).result
  if mode != GatherScatterMode.FILL_OR_DROP:
    return out   # XLA clamps start indices: CLIP's semantics
  # FILL_OR_DROP: XLA gathered a clamped slice; replace the slices whose start
  # index was out of bounds by the fill value.
  bounds = [op_aval.shape[d] - slice_sizes[d] for d in dn.start_index_map]
  mc = ctx.module_context
  mask = in_bounds_mask(indices, idx_aval, bounds, mc)
  batch_positions = [i for i in range(out_aval.ndim) if i not in dn.offset_dims]
  mask_aval = out_aval.update(dtype=np.bool_)
  if all(isinstance(d, (int, np.integer)) for d in out_aval.shape):
    mask = mlir.broadcast_in_dim(mask, mask_aval, batch_positions)
  else:
    mask = core.symbolic_dimensions().broadcast_in_dim(mc, mask, mask_aval, batch_positions)
  fill = default_fill_value(out_aval.dtype) if fill_value is None else fill_value
  fill = _filled(mc, np.asarray(fill, out_aval.dtype), out_aval)
  return hlo.select(mask, out, fill)


mlir.register_lowering(gather_p, _gather_lowering)


def _gather_jvp(primals, tangents, **params):
  operand, indices = primals
  out = gather_p.bind(operand, indices, **params)
  if type(tangents[0]) is ad.Zero:
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  tparams = dict(params, fill_value=0)
  return out, gather_p.bind(tangents[0], indices, **tparams)


def scatter_dnums_for(dn: GatherDimensionNumbers):
  """The scatter dimension numbers whose scatter is this gather's transpose."""
  from jaxlite.lax.scattering import ScatterDimensionNumbers
  return ScatterDimensionNumbers(
      update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
      scatter_dims_to_operand_dims=dn.start_index_map,
      operand_batching_dims=dn.operand_batching_dims,
      scatter_indices_batching_dims=dn.start_indices_batching_dims)


def _gather_transpose(ct, operand, indices, *, dimension_numbers, slice_sizes,
                      indices_are_sorted, unique_indices, mode, fill_value):
  from jaxlite.lax import scattering as scatter_lib, structural
  if ad.is_undefined_primal(indices):
    raise ValueError("gather is not linear in its indices")
  aval = operand.aval
  if type(ct) is ad.Zero:
    return [ad.Zero(aval), None]
  zeros = structural.full(aval.shape, 0, aval.dtype)
  out = scatter_lib.scatter_add_p.bind(
      zeros, indices, ct, dimension_numbers=scatter_dnums_for(dimension_numbers),
      indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
  return [out, None]


ad.primitive_jvps[gather_p] = _gather_jvp
ad.primitive_transposes[gather_p] = _gather_transpose


def _shift(dims, k=1):
  return tuple(d + k for d in dims)


def _gather_batch(batched_args, batch_dims, *, dimension_numbers, slice_sizes, **params):
  (operand, indices), (od, idd) = batched_args, batch_dims
  dn = dimension_numbers
  if idd is None:
    # Only the operand is batched: its batch axis becomes a full-size leading
    # slice axis, the first offset axis of the output.
    operand = batching.moveaxis(operand, od, 0)
    size = core.get_aval(operand).shape[0]
    new = GatherDimensionNumbers(
        offset_dims=(0,) + _shift(dn.offset_dims),
        collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
        start_index_map=_shift(dn.start_index_map),
        operand_batching_dims=_shift(dn.operand_batching_dims),
        start_indices_batching_dims=dn.start_indices_batching_dims)
    return gather_p.bind(operand, indices, dimension_numbers=new,
                         slice_sizes=(size,) + tuple(slice_sizes), **params), 0
  indices = batching.moveaxis(indices, idd, 0)
  if od is None:
    # Only the indices are batched: one more batch axis of the indices, which
    # is the first batch axis of the output.
    new = dn._replace(offset_dims=_shift(dn.offset_dims),
                      start_indices_batching_dims=_shift(dn.start_indices_batching_dims))
    return gather_p.bind(operand, indices, dimension_numbers=new, slice_sizes=slice_sizes,
                         **params), 0
  # Both batched: pair the two batch axes as a batching dimension.
  operand = batching.moveaxis(operand, od, 0)
  new = GatherDimensionNumbers(
      offset_dims=_shift(dn.offset_dims), collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
      start_index_map=_shift(dn.start_index_map),
      operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
      start_indices_batching_dims=(0,) + _shift(dn.start_indices_batching_dims))
  return gather_p.bind(operand, indices, dimension_numbers=new,
                       slice_sizes=(1,) + tuple(slice_sizes), **params), 0


batching.primitive_batchers[gather_p] = _gather_batch


def _canonical_dnums(dn, cls):
  return cls(*(tuple(int(d) for d in field) for field in dn))


def gather(operand, start_indices, dimension_numbers: GatherDimensionNumbers,
           slice_sizes: Sequence[int], *, unique_indices: bool = False,
           indices_are_sorted: bool = False, mode=None, fill_value=None):
  """Gathers slices of ``slice_sizes`` from ``operand`` at ``start_indices``.

  Args:
    operand: the array to take slices from.
    start_indices: integer array whose last axis is the index vector.
    dimension_numbers: a ``GatherDimensionNumbers``.
    slice_sizes: one size per operand axis.
    mode: 'clip', 'fill' (or 'drop') or 'promise_in_bounds' (the default);
      see ``GatherScatterMode``.
    fill_value: the value of out-of-bounds slices in 'fill' mode (NaN for
      inexact types, the minimum for signed integers, the maximum for
      unsigned, True for bool, by default).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
  ...                                 start_index_map=(0,))
  >>> lax.gather(lax.iota('int32', 5) , np.array([[3], [1]]), dn, (1,))
  Array([3, 1], dtype=int32)
  """
  if not isinstance(dimension_numbers, GatherDimensionNumbers):
    raise TypeError(f"dimension_numbers must be a lax.GatherDimensionNumbers, got "
                    f"{type(dimension_numbers).__name__}.")
  mode = GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else \
      GatherScatterMode.from_any(mode)
  if mode == GatherScatterMode.FILL_OR_DROP:
    dtype = core.get_aval(operand).dtype
    fill_value = default_fill_value(dtype) if fill_value is None else \
        _canonical_fill(fill_value, dtype)
  else:
    fill_value = None
  return gather_p.bind(operand, start_indices,
                       dimension_numbers=_canonical_dnums(dimension_numbers,
                                                          GatherDimensionNumbers),
                       slice_sizes=tuple(int(s) for s in slice_sizes),
                       indices_are_sorted=bool(indices_are_sorted),
                       unique_indices=bool(unique_indices), mode=mode, fill_value=fill_value)
