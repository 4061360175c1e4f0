"""NumPy's logical ufuncs on ``jaxlite.lax``: floating point classification
(``isnan``, ``isinf``, ``signbit`` ...), comparisons, logical and bitwise
operations, and ``where``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.logical_and(jnp.array([True, False]), True)
  Array([ True, False], dtype=bool)
"""
from __future__ import annotations

__all__ = ['isfinite', 'isnan', 'isinf', 'isposinf', 'isneginf', 'signbit', 'equal',
           'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'logical_and',
           'logical_or', 'logical_xor', 'logical_not', 'bitwise_and', 'bitwise_or',
           'bitwise_xor', 'bitwise_not', 'invert', 'bitwise_invert', 'left_shift',
           'right_shift', 'bitwise_left_shift', 'bitwise_right_shift', 'bitwise_count',
           'where']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax.elementwise import const as _lax_const
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import check_arraylike, promote_args, promote_args_numeric
from jaxlite.numpy.ufuncs_common import (_binary, _constant_like, _doc, _dtype, _full_like, _is,
                                         reject_out_where)
from jaxlite.numpy.library_jit import library_jit


# --- floating point classification ----------------------------------------------


def isfinite(x, /):
  """True where ``x`` is neither infinite nor NaN."""
  check_arraylike("isfinite", x)
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.complexfloating):
    return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
  if _is(x, np.floating):
    return lax.is_finite(x)
  return _full_like(x, True, np.bool_)


def isnan(x, /):
  """True where ``x`` is NaN."""
  check_arraylike("isnan", x)
  (x,) = promotion.promote_dtypes(x)
  # x != x for every dtype, as JAX: an integer Python scalar gives a weak False.
  return lax.ne(x, x)


@library_jit
def isinf(x, /):
  """True where ``x`` is plus or minus infinity."""
  check_arraylike("isinf", x)
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.complexfloating):
    return bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
  if _is(x, np.floating):
    return lax.eq(lax.abs(x), _constant_like(x, np.inf))
  return _full_like(x, False, np.bool_)


def isposinf(x, /, out=None):
  """True where ``x`` is +inf."""
  if out is not None:
    raise NotImplementedError("The 'out' argument to isneginf/isposinf is not supported.")
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.floating):
    return lax.eq(x, _constant_like(x, np.inf))
  return _full_like(x, False, np.bool_)


def isneginf(x, /, out=None):
  """True where ``x`` is -inf."""
  if out is not None:
    raise NotImplementedError("The 'out' argument to isneginf/isposinf is not supported.")
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.floating):
    return lax.eq(x, _constant_like(x, -np.inf))
  return _full_like(x, False, np.bool_)


@library_jit
def signbit(x, /):
  """True where the sign bit is set (also for -0.0 and negative NaNs)."""
  check_arraylike("signbit", x)
  (x,) = promotion.promote_dtypes(x)
  dtype = _dtype(x)
  if dtypes.issubdtype(dtype, np.integer):
    return lax.lt(x, _constant_like(x, 0))
  if dtypes.issubdtype(dtype, np.complexfloating):
    raise ValueError(f"jax.numpy.signbit is not well defined for {dtype}")
  if not dtypes.issubdtype(dtype, np.floating):
    return _full_like(x, False, np.bool_)
  int_type = {2: np.int16, 4: np.int32, 8: np.int64}[dtype.itemsize]
  bits = lax.bitcast_convert_type(x, int_type)
  # The sign bit shifted down arithmetically (0 or -1), as JAX stages it.
  shift = np.asarray(dtype.itemsize * 8 - 1, int_type)
  return lax.convert_element_type(lax.shift_right_arithmetic(bits, shift), np.bool_)


# --- comparisons -------------------------------------------------------------------

equal = _binary("equal", "eq")
not_equal = _binary("not_equal", "ne")
def _ordered(name, lax_name):
  """A comparison; complex operands compare lexicographically (real part, then
  imaginary part), as JAX's jnp comparisons do."""
  lax_op = getattr(lax, lax_name)

  def fun(x1, x2, /):
    x1, x2 = promote_args(name, x1, x2)
    if _is(x1, np.complexfloating):
      return lax.select_n(lax.eq(lax.real(x1), lax.real(x2)),
                          lax_op(lax.real(x1), lax.real(x2)),
                          lax_op(lax.imag(x1), lax.imag(x2)))
    return lax_op(x1, x2)
  fun.__name__ = fun.__qualname__ = name
  return fun


less = _ordered("less", "lt")
less_equal = _ordered("less_equal", "le")
greater = _ordered("greater", "gt")
greater_equal = _ordered("greater_equal", "ge")


# --- logical and bitwise -------------------------------------------------------------


def _to_bool(x):
  if _dtype(x) == np.bool_:
    return x
  # As JAX's lax._const: a weak rank-0 operand compares with a weak (Python)
  # zero, so the boolean is weak too (jnp.logical_xor(2, 2) is weak in JAX);
  # a weak array with a strong zero (its boolean is strong).
  return lax.ne(x, _lax_const(x, 0))


def logical_and(x1, x2, /, *, out=None, where=None):
  """Elementwise truth-value ``and``."""
  if out is not None or where is not None:
    reject_out_where("logical_and", (x1, x2), out, where)
  x1, x2 = promote_args("logical_and", x1, x2)
  return lax.bitwise_and(_to_bool(x1), _to_bool(x2))


def logical_or(x1, x2, /, *, out=None, where=None):
  """Elementwise truth-value ``or``."""
  if out is not None or where is not None:
    reject_out_where("logical_or", (x1, x2), out, where)
  x1, x2 = promote_args("logical_or", x1, x2)
  return lax.bitwise_or(_to_bool(x1), _to_bool(x2))


def logical_xor(x1, x2, /, *, out=None, where=None):
  """Elementwise truth-value ``xor``."""
  if out is not None or where is not None:
    reject_out_where("logical_xor", (x1, x2), out, where)
  x1, x2 = promote_args("logical_xor", x1, x2)
  return lax.bitwise_xor(_to_bool(x1), _to_bool(x2))


def logical_not(x, /):
  """Elementwise truth-value ``not``."""
  check_arraylike("logical_not", x)
  (x,) = promotion.promote_dtypes(x)
  return lax.bitwise_not(_to_bool(x))


def _check_integer_or_bool(name, x):
  dtype = _dtype(x)
  if not (dtype == np.bool_ or dtypes.issubdtype(dtype, np.integer)):
    raise TypeError(f"{name} requires integer or boolean arguments, got {dtype}.")


def _bitwise(name, lax_name):
  def fun(x1, x2, /, *, out=None, where=None):
    if out is not None or where is not None:
      reject_out_where(name, (x1, x2), out, where)
    x1, x2 = promote_args(name, x1, x2)
    _check_integer_or_bool(name, x1)
    return getattr(lax, lax_name)(x1, x2)
  fun.__name__ = fun.__qualname__ = name
  return fun


bitwise_and = _bitwise("bitwise_and", "bitwise_and")
bitwise_or = _bitwise("bitwise_or", "bitwise_or")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor")


def bitwise_not(x, /):
  """Bitwise inversion (logical not for booleans)."""
  check_arraylike("bitwise_not", x)
  (x,) = promotion.promote_dtypes(x)
  _check_integer_or_bool("bitwise_not", x)
  return lax.bitwise_not(x)


invert = bitwise_invert = bitwise_not


def left_shift(x1, x2, /):
  """Shifts the bits of ``x1`` left by ``x2``."""
  x1, x2 = promote_args_numeric("left_shift", x1, x2)
  _check_integer_or_bool("left_shift", x1)
  return lax.shift_left(x1, x2)


def right_shift(x1, x2, /):
  """Shifts right: arithmetic for signed, logical for unsigned integers."""
  x1, x2 = promote_args_numeric("right_shift", x1, x2)
  _check_integer_or_bool("right_shift", x1)
  if _is(x1, np.unsignedinteger):
    return lax.shift_right_logical(x1, x2)
  return lax.shift_right_arithmetic(x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


@library_jit
def bitwise_count(x, /):
  """The number of 1 bits in ``|x|`` (as uint8)."""
  check_arraylike("bitwise_count", x)
  (x,) = promotion.promote_dtypes(x)
  _check_integer_or_bool("bitwise_count", x)
  if _is(x, np.signedinteger):
    x = lax.abs(x)
  return lax.convert_element_type(lax.population_count(x), np.uint8)


# --- selection -----------------------------------------------------------------------


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
  """``x`` where ``condition`` holds, else ``y`` (with one argument: ``nonzero``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.where(jnp.array([True, False]), 1.0, 2.0)
  Array([1., 2.], dtype=float32, weak_type=True)
  """
  if x is None and y is None:
    from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
    return sorting.nonzero(condition, size=size, fill_value=fill_value)
  if x is None or y is None:
    raise ValueError("Either both or neither of the x and y arguments should be "
                     "provided to jax.numpy.where, got "
                     f"{'y' if x is not None else 'x'} = None.")
  check_arraylike("where", condition, x, y)
  return _where(condition, x, y)


@library_jit
def _where(condition, x, y):
  # Staged as JAX's `_where` (jit[name=_where]) under transformations.
  x, y = promotion.promote_dtypes(x, y)
  condition = _to_bool(promotion.asarray_value(condition))
  condition, x, y = promotion.promote_shapes("where", condition, x, y)
  shapes = [promotion.shape(v) for v in (condition, x, y)]
  try:
    shape = np.broadcast_shapes(*shapes)
  except ValueError:   # JAX broadcasts the three operands with lax.broadcast_shapes
    raise ValueError("Incompatible shapes for broadcasting: shapes="
                     f"{shapes if shapes[0] else shapes[1:]}") from None
  except promotion.lax_structural.inconclusive_dimension_error():   # symbolic dimensions
    shape = promotion.broadcast_shapes_named("where", *shapes)
  if shapes[0]:   # a scalar condition stays one (select_n takes it), as in JAX
    condition = promotion.broadcast_to_shape(condition, shape)
  if shape:
    x, y = (promotion.broadcast_to_shape(v, shape) for v in (x, y))
  return lax.select_n(condition, y, x)


for _f, _example, _result in [
    (isfinite, "jnp.isfinite(jnp.inf)", "Array(False, dtype=bool, weak_type=True)"),
    (isnan, "jnp.isnan(jnp.nan)", "Array(True, dtype=bool, weak_type=True)"),
    (isinf, "jnp.isinf(-jnp.inf)", "Array(True, dtype=bool)"),
    (isposinf, "jnp.isposinf(jnp.inf)", "Array(True, dtype=bool)"),
    (isneginf, "jnp.isneginf(-jnp.inf)", "Array(True, dtype=bool)"),
    (signbit, "jnp.signbit(-0.0)", "Array(True, dtype=bool)"),
    (equal, "jnp.equal(1, 1.0)", "Array(True, dtype=bool, weak_type=True)"),
    (not_equal, "jnp.not_equal(1, 2)", "Array(True, dtype=bool, weak_type=True)"),
    (less, "jnp.less(1, 2)", "Array(True, dtype=bool, weak_type=True)"),
    (less_equal, "jnp.less_equal(2, 2)", "Array(True, dtype=bool, weak_type=True)"),
    (greater, "jnp.greater(1, 2)", "Array(False, dtype=bool, weak_type=True)"),
    (greater_equal, "jnp.greater_equal(1, 2)", "Array(False, dtype=bool, weak_type=True)"),
    (logical_and, "jnp.logical_and(True, False)", "Array(False, dtype=bool)"),
    (logical_or, "jnp.logical_or(True, False)", "Array(True, dtype=bool)"),
    (logical_xor, "jnp.logical_xor(True, True)", "Array(False, dtype=bool)"),
    (logical_not, "jnp.logical_not(0)", "Array(True, dtype=bool, weak_type=True)"),
    (bitwise_and, "jnp.bitwise_and(12, 10)", "Array(8, dtype=int32, weak_type=True)"),
    (bitwise_or, "jnp.bitwise_or(12, 10)", "Array(14, dtype=int32, weak_type=True)"),
    (bitwise_xor, "jnp.bitwise_xor(12, 10)", "Array(6, dtype=int32, weak_type=True)"),
    (bitwise_not, "jnp.bitwise_not(0)", "Array(-1, dtype=int32, weak_type=True)"),
    (left_shift, "jnp.left_shift(1, 3)", "Array(8, dtype=int32, weak_type=True)"),
    (right_shift, "jnp.right_shift(-8, 1)", "Array(-4, dtype=int32, weak_type=True)"),
    (bitwise_count, "jnp.bitwise_count(7)", "Array(3, dtype=uint8)"),
]:
  _doc(_f, _f.__name__, _example, _result)
del _f, _example, _result
