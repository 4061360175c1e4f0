"""Contractions: ``dot_general`` (and ``dot``) with precision control.

Convolutions are in ``conv.py``.
"""
from __future__ import annotations

__all__ = ['Precision', 'PrecisionLike', 'dot_general', 'dot', 'dot_general_p']

import enum
from typing import Any, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base, dot_algorithms
from jaxlite.lax import out_sharding as out_sharding_lib


class Precision(enum.Enum):
  """Precision of a contraction on accelerators (CPU always computes exactly).

  ``DEFAULT`` is the fastest, ``HIGHEST`` full float32. Strings are accepted
  as in JAX: ``Precision('highest')``.

  >>> from jaxlite import lax
  >>> lax.Precision('highest')
  Precision.HIGHEST
  """
  DEFAULT = 0
  HIGH = 1
  HIGHEST = 2

  @classmethod
  def _missing_(cls, value):
    names = {"default": cls.DEFAULT, "bfloat16": cls.DEFAULT, "fastest": cls.DEFAULT,
             "high": cls.HIGH, "bfloat16_3x": cls.HIGH, "tensorfloat32": cls.HIGH,
             "highest": cls.HIGHEST, "float32": cls.HIGHEST}
    if isinstance(value, str) and value.lower() in names:
      return names[value.lower()]
    return None

  def __str__(self):
    return self.name

  def __repr__(self):
    return f"{type(self).__name__}.{self.name}"


# JAX's precision names (case-sensitive: other strings name a DotAlgorithmPreset).
_PRECISION_NAMES = frozenset({"default", "bfloat16", "fastest", "high", "bfloat16_3x",
                              "tensorfloat32", "highest", "float32"})

PrecisionLike = Any


def canonicalize_precision(precision: PrecisionLike):
  """None, or a pair of ``Precision`` (one per operand), from JAX's accepted forms."""
  if precision is None:
    return None
  if dot_algorithms.is_algorithm(precision):
    return precision
  if isinstance(precision, str) and precision not in _PRECISION_NAMES:
    try:      # the name of a DotAlgorithmPreset
      return dot_algorithms.DotAlgorithmPreset[precision]
    except KeyError:
      pass
  if isinstance(precision, (Precision, str)):
    p = Precision(precision)
    return (p, p)
  if isinstance(precision, (tuple, list)) and len(precision) == 2:
    if all(p is None for p in precision):
      return None
    return tuple(Precision(p) if p is not None else Precision.DEFAULT for p in precision)
  raise ValueError("Precision argument must be one of:\n- None,\n- a string or "
                   "Precision enum,\n- a tuple of two strings or Precision enums, "
                   f"got {precision}.")


def precision_attr(precision):
  # As JAX: an unset precision (or an algorithm, which has its own attribute)
  # is spelled out as DEFAULT for both operands.
  if precision is None or dot_algorithms.is_algorithm(precision):
    precision = (Precision.DEFAULT, Precision.DEFAULT)
  ir, hlo = mlir.ir(), mlir.hlo()
  return ir.ArrayAttr.get([hlo.PrecisionAttr.get(p.name) for p in precision])


# --- dot_general ----------------------------------------------------------------------------


def _check_dims(name, which, dims, ndim, batch, contract):
  if any(not 0 <= d < ndim for d in dims):
    raise TypeError(f"{name} requires {which} dimension numbers to be nonnegative and "
                    f"less than the number of axes of the {which} value, got "
                    f"{which}_batch of {batch} and {which}_contracting of {contract} "
                    f"for {which} of rank {ndim}")


def _dot_general_shape_rule(lhs, rhs, *, dimension_numbers, precision,
                            preferred_element_type):
  (lc, rc), (lb, rb) = dimension_numbers
  if len(lb) != len(rb):
    raise TypeError("dot_general requires equal numbers of lhs_batch and rhs_batch "
                    f"dimensions, got lhs_batch {lb} and rhs_batch {rb}.")
  _check_dims("dot_general", "lhs", tuple(lc) + tuple(lb), lhs.ndim, lb, lc)
  _check_dims("dot_general", "rhs", tuple(rc) + tuple(rb), rhs.ndim, rb, rc)
  for which, c, b in (("lhs", lc, lb), ("rhs", rc, rb)):
    if len(set(c)) != len(c):
      raise TypeError(f"dot_general requires {which} contracting dimensions to be "
                      f"distinct, got {which}_contracting {c}.")
    if len(set(b)) != len(b):
      raise TypeError(f"dot_general requires {which} batch dimensions to be distinct, "
                      f"got {which}_batch {b}.")
    if set(c) & set(b):
      raise TypeError(f"dot_general requires {which} batch dimensions to be disjoint "
                      f"from contracting dimensions, got {which}_batch {b} and "
                      f"{which}_contracting {c}.")
  lb_shape = tuple(lhs.shape[d] for d in lb)
  rb_shape = tuple(rhs.shape[d] for d in rb)
  if lb_shape != rb_shape:
    raise TypeError("dot_general requires lhs batch dimensions and rhs batch dimensions "
                    f"to have the same shape, got {lb_shape} and {rb_shape}.")
  if len(lc) != len(rc):
    raise TypeError("dot_general requires equal numbers of lhs_contracting and "
                    f"rhs_contracting dimensions, got lhs_contracting {lc} and "
                    f"rhs_contracting {rc}.")
  lc_shape = tuple(lhs.shape[d] for d in lc)
  rc_shape = tuple(rhs.shape[d] for d in rc)
  if lc_shape != rc_shape:
    raise TypeError("dot_general requires contracting dimensions to have the same "
                    f"shape, got {lc_shape} and {rc_shape}.")
  lhs_free = [d for i, d in enumerate(lhs.shape) if i not in lc and i not in lb]
  rhs_free = [d for i, d in enumerate(rhs.shape) if i not in rc and i not in rb]
  return lb_shape + tuple(lhs_free) + tuple(rhs_free)


def _dot_general_dtype_rule(lhs, rhs, *, dimension_numbers, precision,
                            preferred_element_type):
  base.check_dtypes("dot_general", {"bool", "integer", "inexact"}, lhs, rhs)
  if preferred_element_type is not None:
    return np.dtype(preferred_element_type)
  if lhs.dtype == rhs.dtype:
    return lhs.dtype
  return dtypes.promote_types(lhs.dtype, rhs.dtype)


dot_general_p = base.standard_primitive(_dot_general_shape_rule, _dot_general_dtype_rule,
                                        "dot_general")


def _dot_general_lowering(ctx, lhs, rhs, *, dimension_numbers, precision,
                          preferred_element_type):
  hlo = mlir.hlo()
  (lc, rc), (lb, rb) = dimension_numbers
  lhs_aval, rhs_aval = ctx.avals_in
  aval_out = ctx.avals_out[0]
  out_dtype = aval_out.dtype
  if dot_algorithms.is_algorithm(precision):
    return _dot_with_algorithm(ctx, lhs, rhs, dimension_numbers, precision)
  # Operands of different types are computed in the promoted type; bool as
  # int32 (XLA has no boolean dot), turned back into "any product nonzero".
  compute = np.dtype(np.int32) if out_dtype == np.bool_ else \
      dtypes.promote_types(lhs_aval.dtype, rhs_aval.dtype)
  if lhs_aval.dtype == rhs_aval.dtype and out_dtype != np.bool_:
    compute = lhs_aval.dtype
  if lhs_aval.dtype != compute:
    lhs = mlir.convert(lhs, lhs_aval.update(dtype=compute))
  if rhs_aval.dtype != compute:
    rhs = mlir.convert(rhs, rhs_aval.update(dtype=compute))
  result_dtype = compute if out_dtype == np.bool_ else out_dtype
  if dtypes.issubdtype(result_dtype, np.integer) != dtypes.issubdtype(compute, np.integer) \
      or (dtypes.issubdtype(compute, np.complexfloating)
          and not dtypes.issubdtype(result_dtype, np.complexfloating)):
    result_dtype = compute   # XLA needs the result kind to match; convert afterwards
  dnums = hlo.DotDimensionNumbers.get(
      lhs_batching_dimensions=list(lb), rhs_batching_dimensions=list(rb),
      lhs_contracting_dimensions=list(lc), rhs_contracting_dimensions=list(rc))
  out = hlo.dot_general(mlir.aval_to_ir_type(aval_out.update(dtype=result_dtype)),
                        lhs, rhs, dnums, precision_config=precision_attr(precision))
  if out_dtype == np.bool_:
    return mlir.compare(out, mlir.full_like_aval(0, aval_out.update(dtype=compute)), "NE")
  if result_dtype != out_dtype:
    return mlir.convert(out, aval_out)
  return out


def _dot_with_algorithm(ctx, lhs, rhs, dimension_numbers, algorithm):
  """A dot with an explicit algorithm: operands converted to its types, the
  product accumulated in its type, then converted to the output dtype."""
  hlo = mlir.hlo()
  dot_algorithms.check_platform(algorithm, ctx.module_context.platform)
  (lc, rc), (lb, rb) = dimension_numbers
  lhs_aval, rhs_aval = ctx.avals_in
  aval_out = ctx.avals_out[0]
  lhs_t, rhs_t, acc_t = dot_algorithms.compute_types(algorithm, lhs_aval.dtype,
                                                     rhs_aval.dtype, aval_out.dtype)
  if lhs_t is not None and lhs_t != lhs_aval.dtype:
    lhs = mlir.convert(lhs, lhs_aval.update(dtype=lhs_t))
  if rhs_t is not None and rhs_t != rhs_aval.dtype:
    rhs = mlir.convert(rhs, rhs_aval.update(dtype=rhs_t))
  acc_aval = aval_out if acc_t is None else aval_out.update(dtype=acc_t)
  dnums = hlo.DotDimensionNumbers.get(
      lhs_batching_dimensions=list(lb), rhs_batching_dimensions=list(rb),
      lhs_contracting_dimensions=list(lc), rhs_contracting_dimensions=list(rc))
  attr = algorithm._convert_to_hlo_attr(lhs_t or lhs_aval.dtype, rhs_t or rhs_aval.dtype)
  extra = {} if attr is None else {"algorithm": attr}
  out = hlo.dot_general(mlir.aval_to_ir_type(acc_aval), lhs, rhs, dnums,
                        precision_config=precision_attr(None), **extra)
  return mlir.convert(out, aval_out) if acc_aval.dtype != aval_out.dtype else out


mlir.register_lowering(dot_general_p, _dot_general_lowering)


def _ranges_like(*xs):
  start = 0
  for x in xs:
    x_len = len(x)
    yield range(start, start + x_len)
    start += x_len


def _remaining(original, *removed_lists):
  removed = set()
  for r in removed_lists:
    removed |= set(r)
  return [i for i in original if i not in removed]


def _dot_general_transpose_lhs(ct, x, y, *, dimension_numbers, precision,
                               preferred_element_type, swap_ans=False):
  # ct has dims (batch, x_free, y_free) (or (batch, y_free, x_free) when
  # transposing for the rhs). Contract ct's y_free with y's free dims, batch
  # with batch; the result is (batch, x_free, y_contract) and is permuted back
  # into x's layout.
  (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
  x_ndim = x.aval.ndim
  x_kept = _remaining(range(x_ndim), x_contract, x_batch)
  y_ndim = core.get_aval(y).ndim
  y_kept = _remaining(range(y_ndim), y_contract, y_batch)
  if swap_ans:
    ans_batch, ans_y, _ = _ranges_like(x_batch, y_kept, x_kept)
  else:
    ans_batch, _, ans_y = _ranges_like(x_batch, x_kept, y_kept)
  dims = ((tuple(ans_y), tuple(y_kept)), (tuple(ans_batch), tuple(y_batch)))
  x_contract_sorted_by_y = [c for _, c in sorted(zip(y_contract, x_contract))]
  out_axes = np.argsort(list(x_batch) + x_kept + x_contract_sorted_by_y)
  x_dtype = x.aval.dtype
  from jaxlite.lax import structural
  # Sharding in types: the cotangent contracts what the primal's result kept
  # (often a sharded batch axis); as in JAX it takes the primal operand's type
  # (sharded or not) instead of asking for out_sharding.
  from jaxlite.sharding.types import requested_out_sharding
  with requested_out_sharding():
    out = dot_general_p.bind(ct, y, dimension_numbers=dims, precision=precision,
                             preferred_element_type=x_dtype)
    out = structural.transpose(out, tuple(int(i) for i in out_axes))
  x_sharding = getattr(x.aval, "_sharding", None)
  return out if x_sharding is None else out_sharding_lib.place(out, x_sharding, "dot_general")


def _dot_general_transpose_rhs(ct, x, y, *, dimension_numbers, precision,
                               preferred_element_type):
  (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
  swapped = ((y_contract, x_contract), (y_batch, x_batch))
  swapped_precision = (precision if precision is None or dot_algorithms.is_algorithm(precision)
                       else (precision[1], precision[0]))
  return _dot_general_transpose_lhs(ct, y, x, dimension_numbers=swapped,
                                    precision=swapped_precision,
                                    preferred_element_type=preferred_element_type,
                                    swap_ans=True)


def _dot_general_transpose(ct, x, y, **params):
  if type(ct) is ad.Zero:
    return [ad.Zero(a.aval) if ad.is_undefined_primal(a) else None for a in (x, y)]
  if ad.is_undefined_primal(x) and ad.is_undefined_primal(y):
    raise ValueError("dot_general transpose requires exactly one linear operand")
  if ad.is_undefined_primal(x):
    return [_dot_general_transpose_lhs(ct, x, y, **params), None]
  return [None, _dot_general_transpose_rhs(ct, x, y, **params)]


def _dot_general_jvp(primals, tangents, *, dimension_numbers, precision,
                     preferred_element_type):
  (x, y), (tx, ty) = primals, tangents
  params = dict(dimension_numbers=dimension_numbers, precision=precision,
                preferred_element_type=preferred_element_type)
  ans = dot_general_p.bind(x, y, **params)
  out_aval = ad.tangent_aval(core.get_aval(ans))
  if out_aval.dtype == dtypes.float0:
    return ans, ad.Zero(out_aval)
  out = ad.Zero(out_aval)
  if type(tx) is not ad.Zero:
    out = ad.add_tangents(out, _convert_to(dot_general_p.bind(tx, y, **params), ans))
  if type(ty) is not ad.Zero:
    out = ad.add_tangents(out, _convert_to(dot_general_p.bind(x, ty, **params), ans))
  return ans, out


def _convert_to(t, like):
  from jaxlite.lax import structural
  dt = core.get_aval(like).dtype
  return t if core.get_aval(t).dtype == dt else structural.convert_element_type(t, dt)


ad.primitive_jvps[dot_general_p] = _dot_general_jvp
ad.primitive_transposes[dot_general_p] = _dot_general_transpose


def _bump(dims, at):
  """Dimension indices after inserting a new axis at position ``at``."""
  return tuple(d + (d >= at) for d in dims)


def _dot_general_batch(batched_args, batch_dims, *, dimension_numbers, precision,
                       preferred_element_type):
  (x, y), (dx, dy) = batched_args, batch_dims
  (lc, rc), (lb, rb) = dimension_numbers
  params = dict(precision=precision, preferred_element_type=preferred_element_type)
  if dx is not None and dy is not None:
    # Both mapped: the mapped axes become a leading batch dimension pair.
    lhs_c, lhs_b = _bump(lc, dx), _bump(lb, dx)
    rhs_c, rhs_b = _bump(rc, dy), _bump(rb, dy)
    dims = ((lhs_c, rhs_c), ((dx,) + lhs_b, (dy,) + rhs_b))
    return dot_general_p.bind(x, y, dimension_numbers=dims, **params), 0
  if dx is not None:
    # The mapped axis is one more free lhs dimension: no data movement.
    lhs_c, lhs_b = _bump(lc, dx), _bump(lb, dx)
    x_ndim = core.get_aval(x).ndim
    free = [i for i in range(x_ndim) if i not in lhs_c and i not in lhs_b]
    out_dim = len(lb) + free.index(dx)
    dims = ((lhs_c, rc), (lhs_b, rb))
    return dot_general_p.bind(x, y, dimension_numbers=dims, **params), out_dim
  rhs_c, rhs_b = _bump(rc, dy), _bump(rb, dy)
  x_ndim, y_ndim = core.get_aval(x).ndim, core.get_aval(y).ndim
  n_lhs_free = x_ndim - len(lc) - len(lb)
  free = [i for i in range(y_ndim) if i not in rhs_c and i not in rhs_b]
  out_dim = len(lb) + n_lhs_free + free.index(dy)
  dims = ((lc, rhs_c), (lb, rhs_b))
  return dot_general_p.bind(x, y, dimension_numbers=dims, **params), out_dim


batching.primitive_batchers[dot_general_p] = _dot_general_batch


def _canonical_dimension_numbers(dimension_numbers):
  try:
    (lc, rc), (lb, rb) = dimension_numbers
  except (TypeError, ValueError):
    raise TypeError("dot_general dimension_numbers must be a pair of pairs "
                    "((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), "
                    f"got {dimension_numbers}") from None
  as_tuple = lambda ds: tuple(int(d) for d in ds)
  return ((as_tuple(lc), as_tuple(rc)), (as_tuple(lb), as_tuple(rb)))


def _canonical_preferred(preferred_element_type):
  if preferred_element_type is None:
    return None
  return dtypes.canonicalize_dtype(dtypes.dtype(preferred_element_type))


def dot_general(lhs, rhs, dimension_numbers, precision: PrecisionLike = None,
                preferred_element_type=None, out_sharding=None):
  """General dot product: contracts and batches over the given dimensions.

  Args:
    lhs, rhs: arrays.
    dimension_numbers: ``((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))``.
    precision: None, a ``Precision``/string, or a pair of them.
    preferred_element_type: the accumulation/result dtype.

  Returns:
    An array with dimensions (batch..., lhs free..., rhs free...).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> x = np.ones((2, 3), np.float32)
  >>> lax.dot_general(x, x, (((1,), (1,)), ((), ())))
  Array([[3., 3.],
         [3., 3.]], dtype=float32)
  """
  if out_sharding is not None:   # the type's sharding comes from out_sharding
    return out_sharding_lib.placed_after(
        lambda: dot_general(lhs, rhs, dimension_numbers, precision, preferred_element_type),
        out_sharding, "dot_general")
  return dot_general_p.bind(lhs, rhs,
                            dimension_numbers=_canonical_dimension_numbers(dimension_numbers),
                            precision=canonicalize_precision(precision),
                            preferred_element_type=_canonical_preferred(preferred_element_type))


def dot(lhs, rhs, precision: PrecisionLike = None, preferred_element_type=None,
        out_sharding=None, *, dimension_numbers=None):
  """Vector/matrix dot product of rank-1 or rank-2 arrays (contracting the last
  axis of ``lhs`` with the first of ``rhs``), or ``dot_general`` with the given
  ``dimension_numbers``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.dot(np.ones((2, 3), np.float32), np.ones((3,), np.float32))
  Array([3., 3.], dtype=float32)
  """
  if dimension_numbers is not None:
    return dot_general(lhs, rhs, dimension_numbers, precision=precision,
                       preferred_element_type=preferred_element_type,
                       out_sharding=out_sharding)
  lhs_shape, rhs_shape = core.get_aval(lhs).shape, core.get_aval(rhs).shape
  if 1 <= len(lhs_shape) <= 2 and 1 <= len(rhs_shape) <= 2 and \
      lhs_shape[-1] == rhs_shape[0]:
    dims = (((len(lhs_shape) - 1,), (0,)), ((), ()))
    return dot_general(lhs, rhs, dims, precision=precision,
                       preferred_element_type=preferred_element_type,
                       out_sharding=out_sharding)
  raise ValueError("jax.lax.dot: dimension_numbers must be specified when not performing "
                   "simple un-batched matrix-matrix, matrix-vector, or vector-vector "
                   f"products; got lhs_shape={lhs_shape} rhs_shape={rhs_shape}")
