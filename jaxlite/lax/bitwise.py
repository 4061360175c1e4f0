"""Elementwise comparisons, bitwise operations and shifts, selection and clamping,
bit casts, and ``nextafter``.

Each primitive is defined once, with its lowering, JVP, transpose and batching
rules registered right below it (the shared helpers live in ``lax.elementwise``).
"""
from __future__ import annotations

__all__ = [
    'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'bitwise_not', 'bitwise_and', 'bitwise_or',
    'bitwise_xor', 'shift_left', 'shift_right_arithmetic', 'shift_right_logical',
    'population_count', 'clz', 'select_n', 'select', 'clamp', 'bitcast_convert_type',
    'nextafter',
    'eq_p', 'ne_p', 'lt_p', 'le_p', 'gt_p', 'ge_p', 'not_p', 'and_p', 'or_p', 'xor_p',
    'shift_left_p', 'shift_right_arithmetic_p', 'shift_right_logical_p',
    'population_count_p', 'clz_p', 'select_n_p', 'clamp_p', 'bitcast_convert_type_p',
    'nextafter_p',
]

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax.base import standard_primitive
from jaxlite.lax.elementwise import (
    _any, _bool, _float, _int, broadcast_batched, broadcast_lowering, check_dtypes,
    check_same_dtypes, is_kind, naryop, per_example_shape, zeros_like)

# --- comparisons ------------------------------------------------------------------------


def _comparison(name, direction, accepted):
  # mlir.compare picks the comparison type from the operand type: FLOAT (NaN
  # is unordered: only ne is true), SIGNED, or UNSIGNED (also for bool).
  def rule(ctx, x, y):
    return mlir.compare(x, y, direction)
  prim = naryop(name, [accepted, accepted], broadcast_lowering(rule),
                result_dtype=lambda dt: np.bool_)
  ad.defjvp_zero(prim)
  return prim


_ordered = _int + _float + _bool
# Key arrays compare for equality (their key data, key by key; see
# jaxlite.random.key_primitives), as in JAX.
eq_p = _comparison("eq", "EQ", _any + ("extended",))
ne_p = _comparison("ne", "NE", _any + ("extended",))
lt_p = _comparison("lt", "LT", _ordered)
le_p = _comparison("le", "LE", _ordered)
gt_p = _comparison("gt", "GT", _ordered)
ge_p = _comparison("ge", "GE", _ordered)

# --- bitwise operations -------------------------------------------------------------------

_int_bool = _int + _bool
not_p = naryop("not", _int_bool, "not_")
and_p = naryop("and", [_int_bool, _int_bool], "and_")
or_p = naryop("or", [_int_bool, _int_bool], "or_")
xor_p = naryop("xor", [_int_bool, _int_bool], "xor")

# Shifts by at least the bit width give 0 (arithmetic right shifts: the sign).
shift_left_p = naryop("shift_left", [_int, _int], "shift_left")
shift_right_arithmetic_p = naryop("shift_right_arithmetic", [_int, _int],
                                  "shift_right_arithmetic")
shift_right_logical_p = naryop("shift_right_logical", [_int, _int], "shift_right_logical")

population_count_p = naryop("population_count", _int, "popcnt")
clz_p = naryop("clz", _int, "count_leading_zeros")

for _p in (not_p, and_p, or_p, xor_p, shift_left_p, shift_right_arithmetic_p,
           shift_right_logical_p, population_count_p, clz_p):
  ad.defjvp_zero(_p)

# --- select_n -------------------------------------------------------------------------------


def _select_n_shape_rule(which, *cases):
  if not cases:
    raise ValueError("select_n() must have at least one case")
  shapes = [c.shape for c in cases]
  if len(set(shapes)) != 1:
    raise TypeError(f"select cases must have the same shapes, got {shapes}.")
  if which.shape != () and which.shape != shapes[0]:
    raise TypeError("select `which` must be scalar or have the same shape as cases, got "
                    f"`which` shape {which.shape} but case shape {shapes[0]}.")
  return shapes[0]


def _select_n_dtype_rule(which, *cases):
  check_same_dtypes("select", cases)
  if which.dtype != np.bool_ and not is_kind(which.dtype, "integer"):
    raise TypeError(f"select `which` must be boolean or integer type, got {which.dtype.name}.")
  if which.dtype == np.bool_ and len(cases) > 2:
    raise TypeError("select with boolean `which` cannot have > 2 cases.")
  return cases[0].dtype


select_n_p = standard_primitive(
    _select_n_shape_rule, _select_n_dtype_rule, "select_n",
    weak_type_rule=lambda which, *cases: all(c.weak_type for c in cases))


def select_n_lowering(ctx, which, *cases):
  """select_n's lowering: ``stablehlo.select`` for a boolean ``which``, else a
  balanced tree of them (cond's lowering uses it where every device runs every
  branch).

  >>> import jaxlite
  >>> from jaxlite import lax
  >>> f = jaxlite.jit(lambda p, a, b: lax.select_n(p, a, b))
  >>> 'stablehlo.select' in f.lower(True, 1.0, 2.0).as_text()
  True
  """
  hlo = mlir.hlo()
  which_aval = ctx.avals_in[0]
  if which_aval.dtype == np.bool_:
    return cases[0] if len(cases) == 1 else hlo.select(which, cases[1], cases[0])

  # A balanced tree of selects; an index out of range picks the first or last case.
  def tree(offset, cases):
    if len(cases) == 1:
      return cases[0]
    mid = len(cases) // 2
    bound = mlir.full_like_aval(offset + mid, which_aval)
    return hlo.select(mlir.compare(which, bound, "LT"),
                      tree(offset, cases[:mid]), tree(offset + mid, cases[mid:]))
  return tree(0, list(cases))


mlir.register_lowering(select_n_p, select_n_lowering)


def _select_n_jvp(primals, tangents):
  which, *cases = primals
  out = select_n_p.bind(which, *cases)
  case_tangents = tangents[1:]
  if all(type(t) is ad.Zero for t in case_tangents):
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  case_tangents = [ad.instantiate_zeros(t) for t in case_tangents]
  return out, select_n_p.bind(which, *case_tangents)


def _select_n_transpose(ct, which, *cases):
  if ad.is_undefined_primal(which):
    raise ValueError("select_n is not linear in its `which` operand")
  if type(ct) is ad.Zero:
    return [None] + [ad.Zero(c.aval) if ad.is_undefined_primal(c) else None for c in cases]
  zeros = zeros_like(ct)
  outs = [None]
  for i, c in enumerate(cases):
    if ad.is_undefined_primal(c):
      outs.append(select_n_p.bind(which, *[ct if j == i else zeros for j in range(len(cases))]))
    else:
      outs.append(None)
  return outs


def _select_n_batch(batched_args, batch_dims):
  which, *cases = batched_args
  which_dim, *case_dims = batch_dims
  size = batching.batch_size(batched_args, batch_dims)
  case_shape = next(per_example_shape(c, d) for c, d in zip(cases, case_dims))
  # Cases batched along one axis with an unbatched scalar `which` (or `which`
  # batched along the same axis): nothing moves.
  dims = set(case_dims)
  if len(dims) == 1 and None not in dims:
    d = dims.pop()
    if (which_dim is None and core.get_aval(which).ndim == 0) or \
        (which_dim == d and per_example_shape(which, which_dim) == case_shape):
      return select_n_p.bind(which, *cases), d
  if which_dim is not None and all(core.get_aval(c).ndim == 0 for c in cases):
    # JAX's rule: rank-0 (so unbatched) cases take the whole shape of a batched
    # `which`, even one of higher per-example rank (JAX computes there).
    which = batching.bdim_at_front(which, which_dim, size)
    from jaxlite.lax import structural
    shape = core.get_aval(which).shape
    return select_n_p.bind(which, *[structural.broadcast_in_dim(c, shape, ()) for c in cases]), 0
  args = broadcast_batched(batched_args, batch_dims, case_shape, size)
  # Unlike `which`, every case needs the full batched shape (rank-0 ones too).
  from jaxlite.lax import structural
  full = (size, *case_shape)
  args[1:] = [c if core.get_aval(c).shape == full else structural.broadcast_in_dim(c, full, ())
              for c in args[1:]]
  return select_n_p.bind(*args), 0


ad.primitive_jvps[select_n_p] = _select_n_jvp
ad.primitive_transposes[select_n_p] = _select_n_transpose
batching.primitive_batchers[select_n_p] = _select_n_batch

# --- clamp -----------------------------------------------------------------------------------


def _clamp_shape_rule(min, operand, max):
  for name, bound in (("min", min), ("max", max)):
    if bound.shape != () and bound.shape != operand.shape:
      raise TypeError(f"clamp requires {name}.shape == operand.shape or {name}.shape == (), "
                      f"got {name}.shape={bound.shape}, operand.shape={operand.shape}.")
  return operand.shape


def _clamp_dtype_rule(min, operand, max):
  check_dtypes("clamp", [_any] * 3, [min, operand, max])
  check_same_dtypes("clamp", [min, operand, max])
  return operand.dtype


clamp_p = standard_primitive(_clamp_shape_rule, _clamp_dtype_rule, "clamp")


def _clamp_lowering(ctx, min, operand, max):
  # stablehlo.clamp takes rank-0 bounds as they are. (Complex operands use
  # XLA's own ordering, as in JAX.)
  return mlir.hlo().clamp(min, operand, max)


mlir.register_lowering(clamp_p, _clamp_lowering)


def _clamp_jvp_min(g, min, operand, max):
  # Tangent of the lower bound where it is active and below the upper bound.
  return select(bitwise_and(gt(min, operand), lt(min, max)), _full_tangent(g, operand),
                zeros_like(operand))


def _clamp_jvp_operand(g, min, operand, max):
  return select(bitwise_and(gt(operand, min), lt(operand, max)), g, zeros_like(operand))


def _clamp_jvp_max(g, min, operand, max):
  return select(lt(max, operand), _full_tangent(g, operand), zeros_like(operand))


def _full_tangent(g, operand):
  """A bound's tangent at the operand's shape (a scalar bound broadcasts)."""
  from jaxlite.lax import structural
  shape = core.get_aval(operand).shape
  if core.get_aval(g).shape != shape:
    return structural.broadcast_in_dim(g, shape, ())
  return g


def _clamp_batch(batched_args, batch_dims):
  min, operand, max = batched_args
  min_dim, operand_dim, max_dim = batch_dims
  if min_dim is None and max_dim is None and core.get_aval(min).ndim == 0 and \
      core.get_aval(max).ndim == 0:
    return clamp_p.bind(min, operand, max), operand_dim
  size = batching.batch_size(batched_args, batch_dims)
  shape = per_example_shape(operand, operand_dim)
  if operand_dim is None:   # the operand is the full shape even if the bounds are scalars
    from jaxlite.lax import structural
    operand = structural.broadcast_in_dim(operand, (size, *shape),
                                          tuple(range(1, len(shape) + 1)))
    operand_dim = 0
  args = broadcast_batched([min, operand, max], [min_dim, operand_dim, max_dim], shape, size)
  return clamp_p.bind(*args), 0


ad.defjvp(clamp_p, _clamp_jvp_min, _clamp_jvp_operand, _clamp_jvp_max)
batching.primitive_batchers[clamp_p] = _clamp_batch

# --- bitcast_convert_type ---------------------------------------------------------------------


def _bitcast_shape_rule(operand, *, new_dtype):
  old_bits = dtypes.itemsize_bits(operand.dtype)
  new_bits = dtypes.itemsize_bits(new_dtype)
  if old_bits == new_bits:
    return operand.shape
  if old_bits > new_bits:   # each element becomes a trailing axis of narrower ones
    return (*operand.shape, old_bits // new_bits)
  dim = operand.shape[-1] if operand.shape else 1
  if not operand.shape or dim * old_bits != new_bits:
    raise ValueError(
        f"Attempting to convert array of shape {operand.shape} from {operand.dtype} of "
        f"size {old_bits} bits to {np.dtype(new_dtype)} of size {new_bits}, bits but "
        f"{dim} * {old_bits} != {new_bits}")
  return operand.shape[:-1]


def _bitcast_dtype_rule(operand, *, new_dtype):
  old, new = np.dtype(operand.dtype), np.dtype(new_dtype)
  if old != new and any(d == np.bool_ or is_kind(d, "complexfloating") for d in (old, new)):
    raise TypeError(
        "lax.bitcast_convert_type does not support bool or complex values unless the "
        f"operand and destination types match. Got operand dtype={old}, "
        f"new_dtype={new!r}. Consider using the arr.view() method instead.")
  return new


bitcast_convert_type_p = standard_primitive(
    _bitcast_shape_rule, _bitcast_dtype_rule, "bitcast_convert_type",
    weak_type_rule=lambda operand, **_: False)
mlir.register_lowering(
    bitcast_convert_type_p,
    lambda ctx, x, *, new_dtype: mlir.hlo().bitcast_convert(
        mlir.aval_to_ir_type(ctx.avals_out[0]), x))
ad.defjvp_zero(bitcast_convert_type_p)


def _bitcast_batch(batched_args, batch_dims, *, new_dtype):
  (x,), (d,) = batched_args, batch_dims
  aval = core.get_aval(x)
  # Widening consumes the last axis, which must not be the batch axis.
  if dtypes.itemsize_bits(new_dtype) > dtypes.itemsize_bits(aval.dtype) and d == aval.ndim - 1:
    x, d = batching.moveaxis(x, d, 0), 0
  return bitcast_convert_type_p.bind(x, new_dtype=new_dtype), d


batching.primitive_batchers[bitcast_convert_type_p] = _bitcast_batch

# --- nextafter --------------------------------------------------------------------------------

# Not differentiable, as in JAX: the JVP raises NotImplementedError.
nextafter_p = naryop("nextafter", [_float, _float], "chlo.next_after")


# --- public wrappers (JAX's lax signatures) ------------------------------------------------


def eq(x, y):
  r"""Elementwise equals: :math:`x = y` (false for NaN).

  >>> from jaxlite import lax
  >>> lax.eq(1.0, 1.0)
  Array(True, dtype=bool, weak_type=True)
  """
  return eq_p.bind(x, y)


def ne(x, y):
  r"""Elementwise not-equals: :math:`x \neq y` (true for NaN).

  >>> from jaxlite import lax
  >>> lax.ne(1.0, 1.0)
  Array(False, dtype=bool, weak_type=True)
  """
  return ne_p.bind(x, y)


def lt(x, y):
  r"""Elementwise less-than: :math:`x < y` (unsigned integers compare as unsigned).

  >>> from jaxlite import lax
  >>> lax.lt(1.0, 2.0)
  Array(True, dtype=bool, weak_type=True)
  """
  return lt_p.bind(x, y)


def le(x, y):
  r"""Elementwise less-than-or-equals: :math:`x \leq y`.

  >>> from jaxlite import lax
  >>> lax.le(2.0, 2.0)
  Array(True, dtype=bool, weak_type=True)
  """
  return le_p.bind(x, y)


def gt(x, y):
  r"""Elementwise greater-than: :math:`x > y`.

  >>> from jaxlite import lax
  >>> lax.gt(1.0, 2.0)
  Array(False, dtype=bool, weak_type=True)
  """
  return gt_p.bind(x, y)


def ge(x, y):
  r"""Elementwise greater-than-or-equals: :math:`x \geq y`.

  >>> from jaxlite import lax
  >>> lax.ge(2.0, 2.0)
  Array(True, dtype=bool, weak_type=True)
  """
  return ge_p.bind(x, y)


def bitwise_not(x):
  r"""Elementwise NOT: :math:`\neg x` (logical for booleans).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.bitwise_not(np.uint8(1))
  Array(254, dtype=uint8)
  """
  return not_p.bind(x)


def bitwise_and(x, y):
  r"""Elementwise AND: :math:`x \wedge y`.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.bitwise_and(np.int32(6), np.int32(3))
  Array(2, dtype=int32)
  """
  return and_p.bind(x, y)


def bitwise_or(x, y):
  r"""Elementwise OR: :math:`x \vee y`.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.bitwise_or(np.int32(6), np.int32(3))
  Array(7, dtype=int32)
  """
  return or_p.bind(x, y)


def bitwise_xor(x, y):
  r"""Elementwise exclusive OR: :math:`x \oplus y`.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.bitwise_xor(np.int32(6), np.int32(3))
  Array(5, dtype=int32)
  """
  return xor_p.bind(x, y)


def shift_left(x, y):
  r"""Elementwise left shift :math:`x \ll y`; 0 once ``y`` reaches the bit width.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.shift_left(np.int32(1), np.int32(3))
  Array(8, dtype=int32)
  """
  return shift_left_p.bind(x, y)


def shift_right_arithmetic(x, y):
  r"""Elementwise arithmetic right shift :math:`x \gg y`, filling with the sign bit.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.shift_right_arithmetic(np.int32(-8), np.int32(1))
  Array(-4, dtype=int32)
  """
  return shift_right_arithmetic_p.bind(x, y)


def shift_right_logical(x, y):
  r"""Elementwise logical right shift :math:`x \gg y`, filling with zeros.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.shift_right_logical(np.int32(-8), np.int32(28))
  Array(15, dtype=int32)
  """
  return shift_right_logical_p.bind(x, y)


def population_count(x):
  r"""Elementwise count of set bits.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.population_count(np.int32(7))
  Array(3, dtype=int32)
  """
  return population_count_p.bind(x)


def clz(x):
  r"""Elementwise count of leading zero bits.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.clz(np.int32(1))
  Array(31, dtype=int32)
  """
  return clz_p.bind(x)


def select_n(which, *cases):
  r"""Picks, elementwise, ``cases[which]``.

  Args:
    which: a boolean (for at most two cases) or integer array, scalar or of the
      cases' shape. An integer out of range picks the first or the last case.
    *cases: arrays of one shape and dtype.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.select_n(np.array([0, 1, 2], np.int32), np.zeros(3, np.float32),
  ...              np.ones(3, np.float32), np.full(3, 2, np.float32))
  Array([0., 1., 2.], dtype=float32)
  """
  if not cases:
    raise ValueError("select_n() must have at least one case")
  return select_n_p.bind(which, *cases)


def select(pred, on_true, on_false):
  r"""Elementwise ``on_true if pred else on_false`` (``select_n(pred, on_false, on_true)``).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.select(np.array([True, False]), np.ones(2, np.float32), np.zeros(2, np.float32))
  Array([1., 0.], dtype=float32)
  """
  return select_n(pred, on_false, on_true)


def clamp(min, x, max):
  r"""Elementwise :math:`\min(\max(x, \mathrm{min}), \mathrm{max})`; ``min`` and ``max``
  are scalars or of ``x``'s shape.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.clamp(0.0, np.array([-1.0, 0.5, 2.0], np.float32), 1.0)
  Array([0. , 0.5, 1. ], dtype=float32)
  """
  return clamp_p.bind(min, x, max)


def bitcast_convert_type(operand, new_dtype):
  r"""Reinterprets the bits of ``operand`` as ``new_dtype``.

  A narrower ``new_dtype`` adds a trailing axis (one element becomes several);
  a wider one consumes the trailing axis, which must hold exactly one new element.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.bitcast_convert_type(np.float32(1), np.int32)
  Array(1065353216, dtype=int32)
  >>> lax.bitcast_convert_type(np.float32(1), np.uint8).shape
  (4,)
  """
  new_dtype = dtypes.check_and_canonicalize_user_dtype(new_dtype, "bitcast_convert_type")
  return bitcast_convert_type_p.bind(operand, new_dtype=np.dtype(new_dtype))


def nextafter(x1, x2):
  r"""Elementwise next representable value after ``x1`` in the direction of ``x2``.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.nextafter(np.float32(1), np.float32(0))
  Array(0.99999994, dtype=float32)
  """
  return nextafter_p.bind(x1, x2)
