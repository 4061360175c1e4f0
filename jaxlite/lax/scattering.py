"""XLA's scatter family: scatter (replace), scatter_add, scatter_sub,
scatter_mul, scatter_min, scatter_max and scatter_apply.

Out-of-bounds windows are dropped (FILL_OR_DROP, the default, and
PROMISE_IN_BOUNDS: XLA's native behaviour) or clamped into bounds (CLIP).
"""
from __future__ import annotations

__all__ = [
    'ScatterDimensionNumbers', 'scatter', 'scatter_add', 'scatter_sub', 'scatter_mul',
    'scatter_min', 'scatter_max', 'scatter_apply', 'scatter_p', 'scatter_add_p',
    'scatter_sub_p', 'scatter_mul_p', 'scatter_min_p', 'scatter_max_p',
]

from typing import Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import structural
from jaxlite.lax.base import standard_primitive
from jaxlite.lax.gathering import (GatherDimensionNumbers, GatherScatterMode, _canonical_dnums,
                                _shift, _sorted_unique_in_range, gather_p)


class ScatterDimensionNumbers(NamedTuple):
  """How the axes of a scatter's operand, indices and updates correspond.

  Attributes:
    update_window_dims: axes of ``updates`` that hold a window.
    inserted_window_dims: operand axes (of window size 1) absent from a window.
    scatter_dims_to_operand_dims: operand axis each entry of an index vector indexes.
    operand_batching_dims: operand axes paired with ``scatter_indices_batching_dims``.

  >>> ScatterDimensionNumbers((), (0,), (0,)).inserted_window_dims
  (0,)
  """
  update_window_dims: tuple[int, ...]
  inserted_window_dims: tuple[int, ...]
  scatter_dims_to_operand_dims: tuple[int, ...]
  operand_batching_dims: tuple[int, ...] = ()
  scatter_indices_batching_dims: tuple[int, ...] = ()


def _window_sizes(operand_shape, updates_shape, dn):
  """Window size along every operand axis (1 for inserted and batching axes)."""
  sizes, pos = [], 0
  for i in range(len(operand_shape)):
    if i in dn.inserted_window_dims or i in dn.operand_batching_dims:
      sizes.append(1)
    else:
      sizes.append(updates_shape[dn.update_window_dims[pos]])
      pos += 1
  return sizes


def _scatter_shape_rule(operand, indices, updates, *, dimension_numbers, **_):
  dn = dimension_numbers
  if not np.issubdtype(indices.dtype, np.integer):
    raise ValueError("indices must have an integer type")
  if indices.ndim < 1:
    raise TypeError(f"Scatter op requires indices of rank at least 1 (the index vector is "
                    f"the last axis); got indices of shape {indices.shape}.")
  _sorted_unique_in_range("scatter", "update_window_dims", dn.update_window_dims,
                          updates.ndim)
  _sorted_unique_in_range("scatter", "inserted_window_dims", dn.inserted_window_dims,
                          operand.ndim)
  _sorted_unique_in_range("scatter", "operand_batching_dims", dn.operand_batching_dims,
                          operand.ndim)
  window_rank = len(dn.update_window_dims) + len(dn.inserted_window_dims) + \
      len(dn.operand_batching_dims)
  if window_rank != operand.ndim:
    raise TypeError(f"Scatter op has window of size {window_rank}; doesn't match operand "
                    f"of rank {operand.ndim}.")
  if len(dn.scatter_dims_to_operand_dims) != indices.shape[-1]:
    raise TypeError(f"Scatter op has {len(dn.scatter_dims_to_operand_dims)} elements in "
                    f"scatter_dims_to_operand_dims and the bound of dimension "
                    f"index_vector_dim={indices.ndim - 1} of indices is {indices.shape[-1]}. "
                    f"These two numbers must be equal.")
  for i, d in enumerate(dn.scatter_dims_to_operand_dims):
    if not 0 <= d < operand.ndim:
      raise TypeError(f"Invalid scatter_dims_to_operand_dims mapping; domain is "
                      f"[0, {operand.ndim}), got: {i}->{d}.")
  if len(set(dn.scatter_dims_to_operand_dims)) != len(dn.scatter_dims_to_operand_dims):
    raise TypeError(f"Scatter op has duplicate dimensions in scatter_dims_to_operand_dims; "
                    f"got: {tuple(dn.scatter_dims_to_operand_dims)}.")
  if set(dn.inserted_window_dims) & set(dn.operand_batching_dims):
    raise TypeError("Scatter op's inserted_window_dims and operand_batching_dims must be "
                    f"disjoint; got {tuple(dn.inserted_window_dims)} and "
                    f"{tuple(dn.operand_batching_dims)}.")
  if len(dn.operand_batching_dims) != len(dn.scatter_indices_batching_dims):
    raise TypeError("Scatter op requires equal numbers of operand_batching_dims and "
                    f"scatter_indices_batching_dims; got {tuple(dn.operand_batching_dims)} "
                    f"and {tuple(dn.scatter_indices_batching_dims)}.")
  for d in dn.scatter_indices_batching_dims:
    if not 0 <= d < indices.ndim - 1:
      raise TypeError(f"Invalid scatter_indices_batching_dims set in scatter op; valid "
                      f"range is [0, {indices.ndim - 1}); got: {d}.")
  ob = tuple(operand.shape[d] for d in dn.operand_batching_dims)
  ib = tuple(indices.shape[d] for d in dn.scatter_indices_batching_dims)
  if ob != ib:
    raise TypeError("Scatter op requires operand batching dimensions and indices batching "
                    f"dimensions to have the same shape, got {ob} and {ib}.")
  scatter_dims = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
  batch_shape = indices.shape[:-1]
  if len(scatter_dims) != len(batch_shape):
    raise TypeError(f"Scatter op has {len(scatter_dims)} update scatter dimensions but the "
                    f"indices have {len(batch_shape)} batch dimensions; got updates shape "
                    f"{updates.shape} and indices shape {indices.shape}.")
  for k, (ud, ib) in enumerate(zip(scatter_dims, batch_shape)):
    if updates.shape[ud] != ib:
      raise TypeError(f"Bounds of the scatter dimensions of updates must be the same as the "
                      f"bounds of the corresponding dimensions of scatter indices. For "
                      f"scatter dimension {k}, updates bound is {updates.shape[ud]}, indices "
                      f"bound is {ib}.")
  pos = 0
  for i in range(operand.ndim):
    if i in dn.inserted_window_dims or i in dn.operand_batching_dims:
      continue
    w = updates.shape[dn.update_window_dims[pos]]
    if w > operand.shape[i]:
      raise TypeError(f"Bounds of the window dimensions of updates must not exceed the "
                      f"bounds of the corresponding dimensions of operand. For dimension "
                      f"{dn.update_window_dims[pos]}, updates bound is {w}, operand bound "
                      f"is {operand.shape[i]}.")
    pos += 1
  return operand.shape


def _scatter_dtype_rule(name):
  def rule(operand, indices, updates, **_):
    if operand.dtype != updates.dtype:
      raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                      f"{operand.dtype.name}, {updates.dtype.name}.")
    return operand.dtype
  return rule


def _scatter_prim(name, jax_name):
  return standard_primitive(_scatter_shape_rule, _scatter_dtype_rule(jax_name), name,
                            weak_type_rule=lambda operand, *_, **__: operand.weak_type)


scatter_p = _scatter_prim("scatter", "scatter")
scatter_add_p = _scatter_prim("scatter-add", "scatter_add")
scatter_sub_p = _scatter_prim("scatter-sub", "scatter_sub")
scatter_mul_p = _scatter_prim("scatter-mul", "scatter_mul")
scatter_min_p = _scatter_prim("scatter-min", "scatter_min")
scatter_max_p = _scatter_prim("scatter-max", "scatter_max")


# --- lowering ----------------------------------------------------------------------------------


def _clamp_indices(indices, idx_aval, operand_shape, updates_shape, dn):
  """CLIP mode: clamp each index so its whole window is in bounds."""
  hlo = mlir.hlo()
  windows = _window_sizes(operand_shape, updates_shape, dn)
  hi = np.asarray([operand_shape[d] - windows[d] for d in dn.scatter_dims_to_operand_dims],
                  np.int64)
  dtype = idx_aval.dtype
  if np.issubdtype(dtype, np.integer):
    hi = np.clip(hi, np.iinfo(dtype).min, np.iinfo(dtype).max)
  lo = mlir.ir_constant(np.zeros(idx_aval.shape, dtype))
  hi = mlir.ir_constant(np.broadcast_to(hi.astype(dtype), idx_aval.shape))
  return hlo.clamp(lo, indices, hi)


def _scatter_lowering(combine: Callable | None, region_fn: Callable | None = None):
  def rule(ctx, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
           unique_indices, mode, **extra):
    hlo, ir = mlir.hlo(), mlir.ir()
    op_aval, idx_aval, upd_aval = ctx.avals_in
    dn = dimension_numbers
    if mode == GatherScatterMode.CLIP:
      indices = _clamp_indices(indices, idx_aval, op_aval.shape, upd_aval.shape, dn)
    elif mode == GatherScatterMode.ONE_HOT:
      raise NotImplementedError("scatter mode ONE_HOT is not implemented in jaxlite")
    dnums = hlo.ScatterDimensionNumbers.get(
        update_window_dims=list(dn.update_window_dims),
        inserted_window_dims=list(dn.inserted_window_dims),
        input_batching_dims=list(dn.operand_batching_dims),
        scatter_indices_batching_dims=list(dn.scatter_indices_batching_dims),
        scattered_dims_to_operand_dims=list(dn.scatter_dims_to_operand_dims),
        index_vector_dim=idx_aval.ndim - 1)
    op = hlo.ScatterOp([mlir.aval_to_ir_type(ctx.avals_out[0])], [operand], indices,
                       [updates], dnums, indices_are_sorted=indices_are_sorted,
                       unique_indices=unique_indices)
    scalar = mlir.aval_to_ir_type(op_aval.update(shape=()))
    block = op.update_computation.blocks.append(scalar, scalar)
    with ir.InsertionPoint(block):
      if region_fn is not None:
        out = region_fn(ctx, *block.arguments, **extra)
      else:
        out = combine(*block.arguments)
      hlo.ReturnOp([out])
    return op.results
  return rule


def _bool_or_int(int_op, bool_op):
  def combine(x, y):
    i1 = mlir.dtype_to_ir_type(np.bool_)
    is_bool = mlir.ir().RankedTensorType(x.type).element_type == i1
    return getattr(mlir.hlo(), bool_op if is_bool else int_op)(x, y)
  return combine


mlir.register_lowering(scatter_p, _scatter_lowering(lambda x, y: y))
mlir.register_lowering(scatter_add_p, _scatter_lowering(_bool_or_int("add", "or_")))
mlir.register_lowering(scatter_sub_p, _scatter_lowering(lambda x, y: mlir.hlo().subtract(x, y)))
mlir.register_lowering(scatter_mul_p, _scatter_lowering(_bool_or_int("multiply", "and_")))
mlir.register_lowering(scatter_min_p, _scatter_lowering(lambda x, y: mlir.hlo().minimum(x, y)))
mlir.register_lowering(scatter_max_p, _scatter_lowering(lambda x, y: mlir.hlo().maximum(x, y)))


# --- helpers for the rules ---------------------------------------------------------------------


def gather_dnums_for(dn: ScatterDimensionNumbers) -> GatherDimensionNumbers:
  """The gather that reads back what this scatter's windows touch."""
  return GatherDimensionNumbers(
      offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
      start_index_map=dn.scatter_dims_to_operand_dims,
      operand_batching_dims=dn.operand_batching_dims,
      start_indices_batching_dims=dn.scatter_indices_batching_dims)


def _gather_back(x, indices, updates_shape, *, dimension_numbers, indices_are_sorted,
                 unique_indices, mode, fill_value=0):
  """``x`` read at the scatter's windows: an array of the updates' shape."""
  sizes = _window_sizes(core.get_aval(x).shape, updates_shape, dimension_numbers)
  gmode = GatherScatterMode.FILL_OR_DROP if mode != GatherScatterMode.CLIP else mode
  return gather_p.bind(x, indices, dimension_numbers=gather_dnums_for(dimension_numbers),
                       slice_sizes=tuple(sizes), indices_are_sorted=indices_are_sorted,
                       unique_indices=unique_indices, mode=gmode,
                       fill_value=fill_value if gmode == GatherScatterMode.FILL_OR_DROP
                       else None)


def _zeros(aval):
  return structural.full(aval.shape, 0, aval.dtype)


# --- scatter-add / scatter-sub: linear in (operand, updates) -----------------------------------


def _scatter_add_transpose(prim):
  def rule(ct, operand, indices, updates, **params):
    if ad.is_undefined_primal(indices):
      raise ValueError(f"{prim} is not linear in its indices")
    op_lin, up_lin = ad.is_undefined_primal(operand), ad.is_undefined_primal(updates)
    up_aval = updates.aval if up_lin else core.get_aval(updates)
    if type(ct) is ad.Zero:
      return [ad.Zero(operand.aval) if op_lin else None, None,
              ad.Zero(up_aval) if up_lin else None]
    ct_up = None
    if up_lin:
      ct_up = _gather_back(ct, indices, up_aval.shape, **params)
      if prim is scatter_sub_p:
        from jaxlite import lax
        ct_up = lax.neg(ct_up)
    return [ct if op_lin else None, None, ct_up]
  return rule


def _linear_scatter_jvp(prim):
  def rule(primals, tangents, **params):
    operand, indices, updates = primals
    out = prim.bind(operand, indices, updates, **params)
    t_op, _, t_up = tangents
    if type(t_op) is ad.Zero and type(t_up) is ad.Zero:
      return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
    return out, prim.bind(ad.instantiate_zeros(t_op), indices, ad.instantiate_zeros(t_up),
                          **params)
  return rule


for _p in (scatter_add_p, scatter_sub_p):
  ad.primitive_jvps[_p] = _linear_scatter_jvp(_p)
  ad.primitive_transposes[_p] = _scatter_add_transpose(_p)


# --- scatter (replace) ---------------------------------------------------------------------------


def _scatter_jvp(primals, tangents, *, dimension_numbers, indices_are_sorted, unique_indices,
                 mode):
  from jaxlite import lax
  operand, indices, updates = primals
  t_op, _, t_up = tangents
  params = dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                unique_indices=unique_indices, mode=mode)
  if type(t_op) is ad.Zero and type(t_up) is ad.Zero:
    out = scatter_p.bind(operand, indices, updates, **params)
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  t_op, t_up = ad.instantiate_zeros(t_op), ad.instantiate_zeros(t_up)
  if unique_indices:
    return (scatter_p.bind(operand, indices, updates, **params),
            scatter_p.bind(t_op, indices, t_up, **params))
  # Duplicate indices: which update lands is up to XLA. Scatter ids of the
  # updates to find the winners, then build both the primal and the tangent
  # from masked scatter-adds so that they agree on the winner.
  dn = dimension_numbers
  op_aval, up_aval = core.get_aval(operand), core.get_aval(updates)
  scatter_axes = [d for d in range(up_aval.ndim) if d not in dn.update_window_dims]
  n = int(np.prod([up_aval.shape[d] for d in scatter_axes], dtype=np.int64))
  ids = lax.add(structural.iota(np.int32, n), np.int32(1))
  ids = structural.reshape(ids, [up_aval.shape[d] for d in scatter_axes])
  ids = structural.broadcast_in_dim(ids, up_aval.shape, scatter_axes)
  scattered = scatter_p.bind(structural.full(op_aval.shape, 0, np.int32), indices, ids,
                             **params)
  gathered = _gather_back(scattered, indices, up_aval.shape, **params)
  won = lax.eq(ids, gathered)
  kept = lax.eq(scattered, np.int32(0))

  def combine(x, u):
    u_masked = lax.select_n(won, _zeros(core.get_aval(u)), u)
    x_masked = lax.select_n(kept, _zeros(core.get_aval(x)), x)
    return lax.add(x_masked, scatter_add_p.bind(_zeros(core.get_aval(x)), indices, u_masked,
                                                **params))
  return combine(operand, updates), combine(t_op, t_up)


def _scatter_transpose(ct, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
                       unique_indices, mode):
  if ad.is_undefined_primal(indices):
    raise ValueError("scatter is not linear in its indices")
  if not unique_indices:
    raise NotImplementedError("scatter transpose is only implemented where "
                              "unique_indices=True")
  params = dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                unique_indices=unique_indices, mode=mode)
  op_lin, up_lin = ad.is_undefined_primal(operand), ad.is_undefined_primal(updates)
  up_aval = updates.aval if up_lin else core.get_aval(updates)
  if type(ct) is ad.Zero:
    return [ad.Zero(operand.aval) if op_lin else None, None,
            ad.Zero(up_aval) if up_lin else None]
  ct_op = ct_up = None
  if op_lin:   # overwritten positions get no cotangent
    ct_op = scatter_p.bind(ct, indices, _zeros(up_aval), **params)
  if up_lin:
    ct_up = _gather_back(ct, indices, up_aval.shape, **params)
  return [ct_op, None, ct_up]


ad.primitive_jvps[scatter_p] = _scatter_jvp
ad.primitive_transposes[scatter_p] = _scatter_transpose


# --- scatter-mul -------------------------------------------------------------------------------


def _scatter_mul_jvp(primals, tangents, **params):
  from jaxlite import lax
  operand, indices, updates = primals
  t_op, _, t_up = tangents
  out = scatter_mul_p.bind(operand, indices, updates, **params)
  if type(t_up) is not ad.Zero and not params["unique_indices"]:
    raise NotImplementedError("scatter_mul gradients are only implemented if "
                              "`unique_indices=True`")
  t_out = ad.Zero(ad.tangent_aval(core.get_aval(out)))
  if type(t_op) is not ad.Zero:   # linear in the operand
    t_out = scatter_mul_p.bind(t_op, indices, updates, **params)
  if type(t_up) is not ad.Zero:
    spread = scatter_add_p.bind(_zeros(core.get_aval(operand)), indices, t_up, **params)
    t_out = ad.add_tangents(t_out, lax.mul(operand, spread))
  return out, t_out


def _scatter_mul_transpose(ct, operand, indices, updates, **params):
  if ad.is_undefined_primal(updates) or ad.is_undefined_primal(indices):
    raise NotImplementedError("scatter_mul transpose is only implemented where updates "
                              "and indices are not linear")
  if type(ct) is ad.Zero:
    return [ad.Zero(operand.aval), None, None]
  return [scatter_mul_p.bind(ct, indices, updates, **params), None, None]


ad.primitive_jvps[scatter_mul_p] = _scatter_mul_jvp
ad.primitive_transposes[scatter_mul_p] = _scatter_mul_transpose


# --- scatter-min / scatter-max ---------------------------------------------------------------


def _scatter_extremum_jvp(prim):
  def rule(primals, tangents, **params):
    from jaxlite import lax
    operand, indices, updates = primals
    t_op, _, t_up = tangents
    out = prim.bind(operand, indices, updates, **params)
    if type(t_op) is ad.Zero and type(t_up) is ad.Zero:
      return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
    # Every contender equal to the result shares the tangent equally (ties
    # average, as JAX's other max/min rules).
    op_aval, up_aval = core.get_aval(operand), core.get_aval(updates)
    t_op, t_up = ad.instantiate_zeros(t_op), ad.instantiate_zeros(t_up)
    dtype = op_aval.dtype
    won = lax.eq(updates, _gather_back(out, indices, up_aval.shape, **params))
    kept = lax.eq(operand, out)
    one = lambda aval: structural.full(aval.shape, 1, dtype)
    count = lax.add(lax.select_n(kept, _zeros(op_aval), one(op_aval)),
                    scatter_add_p.bind(_zeros(op_aval), indices,
                                       lax.select_n(won, _zeros(up_aval), one(up_aval)),
                                       **params))
    total = lax.add(lax.select_n(kept, _zeros(op_aval), t_op),
                    scatter_add_p.bind(_zeros(op_aval), indices,
                                       lax.select_n(won, _zeros(up_aval), t_up), **params))
    return out, lax.div(total, count)
  return rule


ad.primitive_jvps[scatter_min_p] = _scatter_extremum_jvp(scatter_min_p)
ad.primitive_jvps[scatter_max_p] = _scatter_extremum_jvp(scatter_max_p)


# --- batching (batch axes folded into the dimension numbers) ----------------------------------


def _scatter_batch(prim):
  def rule(batched_args, batch_dims, *, dimension_numbers, **params):
    operand, indices, updates = batched_args
    od, idd, ud = batch_dims
    dn = dimension_numbers
    size = batching.batch_size(batched_args, batch_dims)
    operand = batching.bdim_at_front(operand, od, size)
    updates = batching.bdim_at_front(updates, ud, size)
    if idd is None:
      # Shared indices: the batch axis is one more (full-size) window axis.
      new = ScatterDimensionNumbers(
          update_window_dims=(0,) + _shift(dn.update_window_dims),
          inserted_window_dims=_shift(dn.inserted_window_dims),
          scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
          operand_batching_dims=_shift(dn.operand_batching_dims),
          scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
    else:
      indices = batching.moveaxis(indices, idd, 0)
      new = ScatterDimensionNumbers(
          update_window_dims=_shift(dn.update_window_dims),
          inserted_window_dims=_shift(dn.inserted_window_dims),
          scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
          operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
          scatter_indices_batching_dims=(0,) + _shift(dn.scatter_indices_batching_dims))
    return prim.bind(operand, indices, updates, dimension_numbers=new, **params), 0
  return rule


for _p in (scatter_p, scatter_add_p, scatter_sub_p, scatter_mul_p, scatter_min_p,
           scatter_max_p):
  batching.primitive_batchers[_p] = _scatter_batch(_p)


# --- public wrappers -------------------------------------------------------------------------


def _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers,
                  indices_are_sorted, unique_indices, mode):
  if not isinstance(dimension_numbers, ScatterDimensionNumbers):
    raise TypeError(f"dimension_numbers must be a lax.ScatterDimensionNumbers, got "
                    f"{type(dimension_numbers).__name__}.")
  op_dtype = core.get_aval(operand).dtype
  if not isinstance(updates, core.Tracer) and type(updates) in dtypes.python_scalar_dtypes:
    updates = np.asarray(updates, op_dtype)
  return prim.bind(operand, scatter_indices, updates,
                   dimension_numbers=_canonical_dnums(dimension_numbers,
                                                      ScatterDimensionNumbers),
                   indices_are_sorted=bool(indices_are_sorted),
                   unique_indices=bool(unique_indices),
                   mode=GatherScatterMode.from_any(mode))


def scatter(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
            indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """``operand`` with ``updates`` written at ``scatter_indices`` (XLA's scatter).

  With duplicate indices, which update lands is unspecified. ``mode``:
  'fill'/'drop' (the default) drops out-of-bounds windows, 'clip' clamps them.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
  ...                                  scatter_dims_to_operand_dims=(0,))
  >>> lax.scatter(np.zeros(3, np.int32), np.array([[2]]), np.array([5], np.int32), dn)
  Array([0, 0, 5], dtype=int32)
  """
  return _scatter_bind(scatter_p, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode)


def scatter_add(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """``operand`` with ``updates`` added at ``scatter_indices`` (duplicates accumulate).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
  >>> lax.scatter_add(np.zeros(3, np.int32), np.array([[1], [1]]), np.array([2, 3], np.int32), dn)
  Array([0, 5, 0], dtype=int32)
  """
  return _scatter_bind(scatter_add_p, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode)


def scatter_sub(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """``operand`` with ``updates`` subtracted at ``scatter_indices``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
  >>> lax.scatter_sub(np.zeros(2, np.int32), np.array([[0]]), np.array([2], np.int32), dn)
  Array([-2,  0], dtype=int32)
  """
  return _scatter_bind(scatter_sub_p, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode)


def scatter_mul(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """``operand`` multiplied by ``updates`` at ``scatter_indices``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
  >>> lax.scatter_mul(np.ones(2, np.int32), np.array([[1], [1]]), np.array([2, 3], np.int32), dn)
  Array([1, 6], dtype=int32)
  """
  return _scatter_bind(scatter_mul_p, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode)


def scatter_min(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """The elementwise minimum of ``operand`` and ``updates`` at ``scatter_indices``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
  >>> lax.scatter_min(np.ones(2, np.int32), np.array([[1]]), np.array([-4], np.int32), dn)
  Array([ 1, -4], dtype=int32)
  """
  return _scatter_bind(scatter_min_p, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode)


def scatter_max(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """The elementwise maximum of ``operand`` and ``updates`` at ``scatter_indices``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
  >>> lax.scatter_max(np.ones(2, np.int32), np.array([[0]]), np.array([4], np.int32), dn)
  Array([4, 1], dtype=int32)
  """
  return _scatter_bind(scatter_max_p, operand, scatter_indices, updates, dimension_numbers,
                       indices_are_sorted, unique_indices, mode)


def scatter_apply(operand, scatter_indices, func: Callable, dimension_numbers:
                  ScatterDimensionNumbers, *, update_shape: Sequence[int] = (),
                  indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
  """``operand`` with ``func`` applied to the elements at ``scatter_indices``.

  ``func`` is an elementwise function of one array; an element hit by several
  indices is transformed once per hit (as XLA's scatter with ``func`` as
  its update computation).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
  >>> lax.scatter_apply(np.ones(3, np.float32), np.array([2]), lax.neg, dn)
  Array([ 1.,  1., -1.], dtype=float32)
  """
  from jaxlite.interpreters import partial_eval as pe
  op_aval = core.get_aval(operand)
  scalar = core.ShapedArray((), op_aval.dtype)
  jaxpr, out_avals, consts = pe.trace_to_jaxpr_dynamic(lambda x: [func(x)], [scalar])
  if consts or len(out_avals) != 1 or core.raise_to_shaped(out_avals[0]).shape != () or \
      out_avals[0].dtype != op_aval.dtype:
    raise TypeError("scatter_apply func must map a scalar of the operand's dtype to one "
                    "scalar of the same dtype without closing over arrays.")
  updates = structural.full(update_shape, 0, op_aval.dtype)
  jaxpr = core.ClosedJaxpr(jaxpr, [])
  return scatter_apply_p.bind(operand, scatter_indices, updates,
                              dimension_numbers=_canonical_dnums(dimension_numbers,
                                                                 ScatterDimensionNumbers),
                              indices_are_sorted=bool(indices_are_sorted),
                              unique_indices=bool(unique_indices),
                              mode=GatherScatterMode.from_any(mode), update_jaxpr=jaxpr)


def _apply_region(ctx, x, y, *, update_jaxpr):
  return mlir.jaxpr_subcomp(ctx.module_context, update_jaxpr.jaxpr, [], x)[0]


# scatter_apply: a scatter whose update computation is ``func`` of the old value.
scatter_apply_p = _scatter_prim("scatter-apply", "scatter_apply")
mlir.register_lowering(scatter_apply_p, _scatter_lowering(None, _apply_region))
batching.primitive_batchers[scatter_apply_p] = _scatter_batch(scatter_apply_p)
