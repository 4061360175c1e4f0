"""Sorting: ``sort`` (several operands, lexicographic keys, a total order with
NaNs last), ``sort_key_val`` and ``top_k``."""
from __future__ import annotations

__all__ = ['sort', 'sort_key_val', 'top_k', 'sort_p', 'top_k_p']

from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base


def _lax():
  from jaxlite import lax
  return lax


# --- sort ----------------------------------------------------------------------------------------


def _sort_abstract_eval(*operands, dimension, is_stable, num_keys):
  if not operands:
    raise TypeError("sort requires at least one operand")
  shapes = {o.shape for o in operands}
  if len(shapes) != 1:
    raise TypeError("sort requires all operands to have the same shape, got "
                    f"{[o.shape for o in operands]}")
  if not 0 <= dimension < operands[0].ndim:
    raise ValueError(f"dimension {dimension} is out of bounds for array of shape "
                     f"{operands[0].shape}")
  if not 1 <= num_keys <= len(operands):
    raise ValueError(f"num_keys={num_keys} must be between 1 and the number of operands "
                     f"({len(operands)})")
  return [ShapedArray(o.shape, o.dtype, o.weak_type) for o in operands]


sort_p = core.Primitive("sort")
sort_p.multiple_results = True
sort_p.def_abstract_eval(_sort_abstract_eval)


def _canonical_for_sort(x, dtype):
  """-0.0 -> 0.0 and every NaN -> +NaN, so that a total-order comparison puts
  NaNs last and treats signed zeros as equal (as JAX does)."""
  hlo = mlir.hlo()
  scalar = ShapedArray((), dtype)
  zero = mlir.full_like_aval(0, scalar)
  nan = mlir.full_like_aval(np.nan, scalar)
  x = hlo.select(mlir.compare(x, zero, "EQ", "FLOAT"), zero, x)
  return hlo.select(mlir.compare(x, x, "NE", "FLOAT"), nan, x)


def _less_than(a, b, dtype):
  """(a < b, a == b) under JAX's sort order, for scalars of ``dtype``."""
  hlo = mlir.hlo()
  if dtypes.issubdtype(dtype, np.complexfloating):
    part = np.finfo(dtype).dtype
    lt_re, eq_re = _less_than(hlo.real(a), hlo.real(b), part)
    lt_im, eq_im = _less_than(hlo.imag(a), hlo.imag(b), part)
    return hlo.or_(lt_re, hlo.and_(eq_re, lt_im)), hlo.and_(eq_re, eq_im)
  if dtypes.issubdtype(dtype, np.floating):
    a, b = _canonical_for_sort(a, dtype), _canonical_for_sort(b, dtype)
    return mlir.compare(a, b, "LT", "TOTALORDER"), mlir.compare(a, b, "EQ", "TOTALORDER")
  return mlir.compare(a, b, "LT"), mlir.compare(a, b, "EQ")


def _sort_lowering(ctx, *operands, dimension, is_stable, num_keys):
  for a in ctx.avals_in[:num_keys]:
    if isinstance(a.dtype, dtypes.ExtendedDType):   # key arrays have no order (JAX's error)
      raise TypeError(f"lt_to does not accept dtype {a.dtype.name} at position 0. Accepted "
                      "dtypes at position 0 are subtypes of integer, floating, bool.")
  hlo, ir = mlir.hlo(), mlir.ir()
  op = hlo.SortOp([mlir.aval_to_ir_type(a) for a in ctx.avals_out], list(operands),
                  dimension=mlir.i64_attr(dimension), is_stable=ir.BoolAttr.get(is_stable))
  scalar_types = [mlir.aval_to_ir_type(a.update(shape=())) for a in ctx.avals_in]
  block = op.comparator.blocks.append(*[t for t in scalar_types for _ in (0, 1)])
  with ir.InsertionPoint(block):
    args = block.arguments
    # Lexicographic over the keys, from the last key outwards.
    result = None
    for i in reversed(range(num_keys)):
      lt, eq = _less_than(args[2 * i], args[2 * i + 1], ctx.avals_in[i].dtype)
      result = lt if result is None else hlo.or_(lt, hlo.and_(eq, result))
    hlo.ReturnOp([result])
  return list(op.results)


mlir.register_lowering(sort_p, _sort_lowering)


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
  # A sort permutes every operand the same way: sorting the tangents by the
  # same keys permutes them exactly like their primals. That sort is separate
  # from the primal one, so the primal outputs never depend on tangents (as
  # linearize requires) and it is linear in the tangents (see the transpose).
  live = [i for i, t in enumerate(tangents) if type(t) is not ad.Zero and
          ad.tangent_aval(core.get_aval(primals[i])).dtype != dtypes.float0]
  primal_out = sort_p.bind(*primals, dimension=dimension, is_stable=is_stable,
                           num_keys=num_keys)
  tangent_out = [ad.Zero(ad.tangent_aval(core.get_aval(p))) for p in primal_out]
  if live:
    sorted_tangents = sort_p.bind(*primals[:num_keys], *[tangents[i] for i in live],
                                  dimension=dimension, is_stable=is_stable,
                                  num_keys=num_keys)[num_keys:]
    for i, t in zip(live, sorted_tangents):
      tangent_out[i] = t
  return primal_out, tangent_out


def _sort_transpose(cts, *args, dimension, is_stable, num_keys):
  # Sort is linear in its non-key operands. The inverse permutation is applied
  # by sorting the cotangent by the forward permutation (a second sort; no
  # scatter needed).
  lax = _lax()
  keys = args[:num_keys]
  if any(ad.is_undefined_primal(k) for k in keys):
    raise ValueError("sort is not linear in its keys; cannot transpose with respect to them")
  shape = core.get_aval(keys[0]).shape
  iota = lax.broadcasted_iota(np.int32, shape, dimension)
  perm = sort_p.bind(*keys, iota, dimension=dimension, is_stable=is_stable,
                     num_keys=num_keys)[-1]
  out = []
  for arg, ct in zip(args, cts):
    if not ad.is_undefined_primal(arg):
      out.append(None)
    elif type(ct) is ad.Zero:
      out.append(ad.Zero(arg.aval))
    else:
      out.append(sort_p.bind(perm, ct, dimension=dimension, is_stable=False,
                             num_keys=1)[1])
  return out


ad.primitive_jvps[sort_p] = _sort_jvp
ad.primitive_transposes[sort_p] = _sort_transpose


def _sort_batch(batched_args, batch_dims, *, dimension, is_stable, num_keys):
  size = batching.batch_size(batched_args, batch_dims)
  args = [batching.bdim_at_front(x, d, size) for x, d in zip(batched_args, batch_dims)]
  outs = sort_p.bind(*args, dimension=dimension + 1, is_stable=is_stable,
                     num_keys=num_keys)
  return outs, [0] * len(outs)


batching.primitive_batchers[sort_p] = _sort_batch


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
  """Sorts along ``dimension``; several operands are permuted together, ordered
  lexicographically by the first ``num_keys`` of them.

  Floats use a total order: ``-0.0`` equals ``0.0`` and NaNs sort last.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.sort(np.array([3., np.nan, 1.], np.float32))
  Array([ 1.,  3., nan], dtype=float32)
  """
  single = not isinstance(operand, (tuple, list))
  operands = [operand] if single else list(operand)
  if single and num_keys != 1:
    raise ValueError(f"num_keys={num_keys} must be 1 for a single operand")
  ndim = core.get_aval(operands[0]).ndim
  dimension = int(dimension) + ndim if -ndim <= int(dimension) < 0 else int(dimension)
  outs = sort_p.bind(*operands, dimension=dimension, is_stable=bool(is_stable),
                     num_keys=int(num_keys))
  return outs[0] if single else tuple(outs)


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
  """Sorts ``keys`` along ``dimension`` and permutes ``values`` the same way.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> k, v = lax.sort_key_val(np.array([2, 1], np.int32), np.array([10, 20], np.int32))
  >>> v
  Array([20, 10], dtype=int32)
  """
  return sort((keys, values), dimension=dimension, is_stable=is_stable, num_keys=1)


# --- top_k ----------------------------------------------------------------------------------------


def _top_k_abstract_eval(operand, *, k, axis):
  if k < 0:
    raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
  if not 0 <= axis < operand.ndim:
    raise ValueError(f"axis argument to top_k out of bounds; got axis={axis} for shape "
                     f"{list(operand.shape)}")
  if operand.shape[axis] < k:
    raise ValueError("k argument to top_k must be no larger than size along axis; got "
                     f"k={k} with shape={list(operand.shape)} and axis={axis}")
  shape = list(operand.shape)
  shape[axis] = k
  return [ShapedArray(tuple(shape), operand.dtype, operand.weak_type),
          ShapedArray(tuple(shape), np.dtype(np.int32))]


top_k_p = core.Primitive("top_k")
top_k_p.multiple_results = True
top_k_p.def_abstract_eval(_top_k_abstract_eval)


def _top_k_lowering(ctx, x, *, k, axis):
  # A descending stable sort of (value, index) keeps NaNs first (largest) and
  # the first occurrence first among ties; then the first k are sliced off.
  hlo, ir = mlir.hlo(), mlir.ir()
  aval = ctx.avals_in[0]
  idx_aval = aval.update(dtype=np.dtype(np.int32))
  iota = hlo.iota(mlir.aval_to_ir_type(idx_aval), mlir.i64_attr(axis))
  op = hlo.SortOp([mlir.aval_to_ir_type(aval), mlir.aval_to_ir_type(idx_aval)], [x, iota],
                  dimension=mlir.i64_attr(axis), is_stable=ir.BoolAttr.get(True))
  vt = mlir.aval_to_ir_type(aval.update(shape=()))
  it = mlir.aval_to_ir_type(idx_aval.update(shape=()))
  block = op.comparator.blocks.append(vt, vt, it, it)
  with ir.InsertionPoint(block):
    a, b = block.arguments[0], block.arguments[1]
    lt, _ = _less_than(b, a, aval.dtype)   # a sorts first when b < a
    hlo.ReturnOp([lt])
  limits = list(aval.shape)
  limits[axis] = k
  zeros, ones = [0] * aval.ndim, [1] * aval.ndim
  return [hlo.slice(r, mlir.dense_int_array(zeros), mlir.dense_int_array(limits),
                    mlir.dense_int_array(ones)) for r in op.results]


mlir.register_lowering(top_k_p, _top_k_lowering)


def take_selected(t, idx, axis: int):
  """``t``'s entries at the indices ``idx`` along ``axis`` (``idx`` has ``t``'s
  shape except along ``axis``), as a one-hot contraction over the axis: linear
  in ``t``, so it transposes and batches like any ``dot_general``. The tangent
  rule of the top-k primitives."""
  lax = _lax()
  aval = core.get_aval(t)
  n, rank = aval.shape[axis], aval.ndim
  out_shape = core.get_aval(idx).shape
  k = out_shape[axis]
  big = out_shape[:axis] + (k, n) + out_shape[axis + 1:]
  kept = tuple(range(axis)) + tuple(range(axis + 2, rank + 1))
  idx_b = lax.broadcast_in_dim(idx, big, kept[:axis] + (axis,) + kept[axis:])
  onehot = lax.convert_element_type(
      lax.eq(idx_b, lax.broadcasted_iota(core.get_aval(idx).dtype, big, axis + 1)),
      aval.dtype)
  t_b = lax.broadcast_in_dim(t, big, kept[:axis] + (axis + 1,) + kept[axis:])
  from jaxlite.lax import reductions
  return reductions.reduce_sum(lax.mul(onehot, t_b), (axis + 1,))


def _top_k_jvp(primals, tangents, *, k, axis):
  (x,), (t,) = primals, tangents
  vals, idx = top_k_p.bind(x, k=k, axis=axis)
  aval = core.get_aval(x)
  if type(t) is ad.Zero or ad.tangent_aval(aval).dtype == dtypes.float0:
    return [vals, idx], [ad.Zero(ad.tangent_aval(core.get_aval(vals))),
                         ad.Zero(ad.tangent_aval(core.get_aval(idx)))]
  tan = take_selected(t, idx, axis)
  return [vals, idx], [tan, ad.Zero(ad.tangent_aval(core.get_aval(idx)))]


ad.primitive_jvps[top_k_p] = _top_k_jvp


def _top_k_batch(batched_args, batch_dims, *, k, axis):
  (x,), (d,) = batched_args, batch_dims
  outs = top_k_p.bind(x, k=k, axis=axis + (d <= axis))
  return outs, [d, d]


batching.primitive_batchers[top_k_p] = _top_k_batch


def top_k(operand, k: int, *, axis: int = -1):
  """The ``k`` largest entries along ``axis`` (default last) and their indices,
  largest first (NaN counts as largest; ties keep the lower index first).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> vals, idx = lax.top_k(np.array([1., 3., 2.], np.float32), 2)
  >>> idx
  Array([1, 2], dtype=int32)
  """
  ndim = core.get_aval(operand).ndim
  axis = int(axis) + ndim if -ndim <= int(axis) < 0 else int(axis)
  k = int(k)
  return tuple(top_k_p.bind(operand, k=k, axis=axis))
