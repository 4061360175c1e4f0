"""NumPy's arithmetic ufuncs on ``jaxlite.lax``: the operators, powers, signs,
maximum/minimum, gcd/lcm, rounding, complex parts, ``nan_to_num``, ``clip``
and ``isclose``.

The binary operators of ``Array`` and ``Tracer`` call ``add``, ``subtract``
... through a fast path that skips promotion when both operands already agree
(see ``array_methods``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.add(jnp.float32(1), 2)
  Array(3., dtype=float32)
"""
from __future__ import annotations

__all__ = ['add', 'subtract', 'multiply', 'true_divide', 'divide', 'floor_divide',
           'remainder', 'mod', 'fmod', 'divmod', 'power', 'pow', 'float_power',
           'negative', 'positive', 'absolute', 'abs', 'fabs', 'sign', 'reciprocal',
           'square', 'maximum', 'minimum', 'fmax', 'fmin', 'gcd', 'lcm', 'floor', 'ceil',
           'trunc', 'rint', 'round', 'around', 'round_', 'real', 'imag',
           'conjugate', 'conj', 'isreal', 'iscomplex', 'nan_to_num', 'clip', 'isclose']

import operator

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import elementwise as _elementwise
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import (check_arraylike, promote_args, promote_args_inexact,
                                     promote_args_numeric, promote_dtypes_inexact)
from jaxlite.numpy.ufuncs_common import (_binary, _constant_like, _doc, _dtype, _full_like,
                                         _is, _lax_const, reject_out_where)
from jaxlite.numpy.ufuncs_logical import (bitwise_and, bitwise_or, equal, greater, isfinite,
                                          isinf, isnan, isneginf, isposinf, less, less_equal,
                                          logical_and, logical_or, where)
from jaxlite.numpy.library_jit import library_jit
from jaxlite.runtime.array import Array

# Dtype kinds whose add/subtract/multiply is the lax op itself (booleans are
# or/and): eager operands of one of these that agree need no promotion.
_NUMERIC_KINDS = frozenset("iufc")


# --- arithmetic ----------------------------------------------------------------


def _arithmetic(name, primitive, lax_fun, bool_fun=None, doc=None):
  """``add``, ``subtract`` or ``multiply``: eager operands that already agree
  bind ``primitive`` directly (the ``jnp.add(x, y)`` hot path); otherwise
  promotion, then ``lax_fun`` (``bool_fun`` for booleans where NumPy has one)."""
  def fun(x1, x2, /, *, out=None, where=None):
    if out is not None or where is not None:
      reject_out_where(name, (x1, x2), out, where)
    if type(x1) is Array and type(x2) is Array:
      a, b = x1.aval, x2.aval
      if a.dtype == b.dtype and a.shape == b.shape and a.weak_type == b.weak_type \
          and a.dtype.kind in _NUMERIC_KINDS:
        return primitive.bind(x1, x2)
    x1, x2 = promote_args(name, x1, x2)
    if bool_fun is not None and _dtype(x1) == np.bool_:
      return bool_fun(x1, x2)
    return lax_fun(x1, x2)
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun


add = _arithmetic("add", _elementwise.add_p, lax.add, lax.bitwise_or,
                  "Adds ``x1`` and ``x2`` (logical or for booleans).")
subtract = _arithmetic("subtract", _elementwise.sub_p, lax.sub,
                       doc="Subtracts ``x2`` from ``x1``.")
multiply = _arithmetic("multiply", _elementwise.mul_p, lax.mul, lax.bitwise_and,
                       "Multiplies ``x1`` and ``x2`` (logical and for booleans).")


@library_jit(inline=True)   # as JAX: eager jvp(x / x) is one fused computation
def true_divide(x1, x2, /):
  """Divides ``x1`` by ``x2`` in an inexact dtype."""
  x1, x2 = promote_args_inexact("true_divide", x1, x2)
  return lax.div(x1, x2)


divide = true_divide


@library_jit
def floor_divide(x1, x2, /):
  """The largest integer smaller or equal to ``x1 / x2``."""
  x1, x2 = promote_args_numeric("floor_divide", x1, x2)
  dtype = _dtype(x1)
  if dtypes.issubdtype(dtype, np.unsignedinteger):
    return lax.div(x1, x2)
  if dtypes.issubdtype(dtype, np.integer):
    quotient = lax.div(x1, x2)
    # lax.div truncates toward zero; step down where the signs differ and
    # the division was not exact.
    fix = bitwise_and(lax.ne(lax.sign(x1), lax.sign(x2)),
                      lax.ne(lax.rem(x1, x2), _constant_like(x1, 0)))
    # JAX's `_where(fix, quotient - 1, quotient)` (a weak literal 1).
    return where(fix, subtract(quotient, 1), quotient)
  if dtypes.issubdtype(dtype, np.complexfloating):
    raise TypeError("floor_divide does not support complex-valued inputs")
  return _float_divmod(x1, x2)[0]


def _float_divmod(x1, x2):
  # Python's divmod for floats: the remainder takes the sign of the divisor.
  # Dividing by zero divides ``x1`` itself, so ``x // 0.0`` is +-inf (nan at 0).
  mod = lax.rem(x1, x2)
  zero = _constant_like(mod, 0)
  dividend = where(lax.eq(x2, zero), x1, lax.sub(x1, mod))   # broadcasts, as JAX's
  div = lax.div(dividend, x2)
  ind = lax.bitwise_and(lax.ne(mod, zero), lax.ne(lax.sign(x2), lax.sign(mod)))
  mod = lax.select_n(ind, mod, lax.add(mod, x2))
  # ``div - 1.0``: a weak rank-0 literal, as JAX's ``sub div 1.0:f32[]`` (no
  # broadcast ones array), and ``div``'s weak type stays.
  div = lax.select_n(ind, div, div - 1.0)
  return lax.round(div, lax.RoundingMethod.AWAY_FROM_ZERO), mod


def _ones_like(x):
  # A ones array of x's dtype, shape and weak type (JAX's ``lax._ones``).
  return lax.full_like(x, 1)


def _nonzero_divisor(x2):
  # Integer division by zero gives 0 in JAX's remainder/fmod: divide by 1 there.
  if dtypes.issubdtype(_dtype(x2), np.integer):
    return where(lax.eq(x2, _constant_like(x2, 0)), _ones_like(x2), x2)   # JAX's _where
  return x2


@library_jit
def remainder(x1, x2, /):
  """``x1 - floor_divide(x1, x2) * x2``: the remainder with the divisor's sign."""
  x1, x2 = promote_args_numeric("remainder", x1, x2)
  if dtypes.issubdtype(_dtype(x1), np.complexfloating):
    raise TypeError("remainder does not support complex-valued inputs.")
  x2 = _nonzero_divisor(x2)
  trunc_mod = lax.rem(x1, x2)
  if dtypes.issubdtype(_dtype(x1), np.unsignedinteger):
    return trunc_mod
  zero = _constant_like(trunc_mod, 0)
  nonzero = lax.ne(trunc_mod, zero)   # JAX's order of operations (same jaxpr)
  fix = bitwise_and(lax.ne(lax.lt(trunc_mod, zero), lax.lt(x2, zero)), nonzero)
  return lax.select_n(fix, trunc_mod, lax.add(trunc_mod, x2))


mod = remainder


@library_jit
def fmod(x1, x2, /):
  """The C-style remainder: it takes the sign of ``x1``."""
  x1, x2 = promote_args_numeric("fmod", x1, x2)
  return lax.rem(x1, _nonzero_divisor(x2))


@library_jit
def divmod(x1, x2, /):  # pylint: disable=redefined-builtin
  """``(floor_divide(x1, x2), remainder(x1, x2))``."""
  x1, x2 = promote_args_numeric("divmod", x1, x2)
  if dtypes.issubdtype(_dtype(x1), np.integer):
    return floor_divide(x1, x2), remainder(x1, x2)
  return _float_divmod(x1, x2)


def power(x1, x2, /):
  """``x1`` to the power ``x2``; integer exponents by repeated squaring.

  A concrete integer exponent is an ``integer_pow`` (exact, and a TypeError for
  integer bases and negative exponents, as JAX's); integer bases with integer
  array exponents square and multiply over the exponent's low 6 bits, as JAX
  does (more would overflow for any base beyond +-1).
  """
  check_arraylike("power", x1, x2)
  if promotion.is_concrete(x2) and np.ndim(x2) == 0:
    try:
      exponent = operator.index(x2 if type(x2) in (int, bool) else
                                promotion.concrete_value(x2)[()])
    except TypeError:
      pass
    else:
      (x1,) = promotion.promote_dtypes_numeric(x1)
      return lax.integer_pow(x1, exponent)
  x1, x2 = promotion.promote_shapes("power", x1, x2)
  b1, b2 = promote_args_numeric("power", x1, x2)
  if dtypes.issubdtype(_dtype(b1), np.integer) or _dtype(b1) == np.bool_:
    return _integer_power(b1, b2)
  # An inexact base with an integer exponent keeps the exponent's dtype, so
  # that the derivative at a zero base is defined (as in JAX).
  if _is(x1, np.inexact) and _is(x2, np.integer):
    return lax.pow(promotion.ensure_array(x1), promotion.ensure_array(x2))
  return lax.pow(b1, b2)


def _integer_power(x, y):
  # Square-and-multiply over the exponent's low 6 bits; a zero base starts at 0
  # for a nonzero exponent.
  shape = np.broadcast_shapes(promotion.shape(x), promotion.shape(y))
  x = promotion.broadcast_to_shape(promotion.ensure_array(x), shape)
  y = promotion.broadcast_to_shape(promotion.ensure_array(y), shape)
  zero, one = _constant_like(y, 0), _constant_like(y, 1)
  acc = lax.select_n(bitwise_and(lax.eq(x, _constant_like(x, 0)), lax.ne(y, zero)),
                     _full_like(x, 1), _full_like(x, 0))
  for _ in range(6):
    odd = lax.ne(lax.bitwise_and(y, one), zero)
    acc = lax.select_n(odd, acc, lax.mul(acc, x))
    x = lax.mul(x, x)
    y = lax.shift_right_logical(y, one)
  return acc


pow = power  # pylint: disable=redefined-builtin


def float_power(x1, x2, /):
  """``x1 ** x2`` in the operands' promoted inexact dtype (as JAX 0.10.2, which
  does not widen to float64 as NumPy does)."""
  return lax.pow(*promote_args_inexact("float_power", x1, x2))


def negative(x, /, *, out=None, where=None):
  """``-x``."""
  if out is not None or where is not None:
    reject_out_where("negative", (x,), out, where)
  if type(x) is Array and x.aval.dtype.kind in _NUMERIC_KINDS:
    return _elementwise.neg_p.bind(x)   # an eager array: nothing to promote
  check_arraylike("negative", x)
  (x,) = promotion.promote_dtypes(x)
  if _dtype(x) == np.bool_:
    raise TypeError("negative does not accept dtype bool.")
  return lax.neg(x)


def positive(x, /):
  """``+x`` (a copy of ``x``)."""
  check_arraylike("positive", x)
  return promotion.ensure_array(x)


def absolute(x, /):
  """The absolute value; complex inputs give their (real) magnitude."""
  check_arraylike("absolute", x)
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.unsignedinteger) or _dtype(x) == np.bool_:
    return promotion.ensure_array(x)
  return lax.abs(x)


abs = absolute  # pylint: disable=redefined-builtin


def fabs(x, /):
  """The absolute value, in a floating dtype."""
  check_arraylike("fabs", x)
  (x,) = promote_dtypes_inexact(x)
  if _is(x, np.complexfloating):
    raise TypeError("ufunc 'fabs' does not support complex dtypes")
  return lax.abs(x)


def sign(x, /):
  """-1, 0 or 1 by the sign of ``x`` (``x / |x|`` for complex ``x``)."""
  check_arraylike("sign", x)
  (x,) = promotion.promote_dtypes(x)
  return lax.sign(x)   # bool: lax's TypeError, as in JAX


def reciprocal(x, /):
  """``1 / x``, in an inexact dtype (integers promote, as in JAX)."""
  check_arraylike("reciprocal", x)
  (x,) = promote_dtypes_inexact(x)
  return lax.integer_pow(x, -1)


def square(x, /):
  """``x * x``."""
  check_arraylike("square", x)
  (x,) = promotion.promote_dtypes_numeric(x)
  return lax.square(x)   # JAX's jnp.square stages the `square` primitive


maximum = _binary("maximum", "max", ufunc=True)
minimum = _binary("minimum", "min", ufunc=True)


@library_jit
def fmax(x1, x2):
  """The maximum, ignoring NaNs (NaN only where both are NaN)."""
  return where(bitwise_or(greater(x1, x2), isnan(x2)), x1, x2)   # JAX's formulation


@library_jit
def fmin(x1, x2):
  """The minimum, ignoring NaNs (NaN only where both are NaN)."""
  return where(bitwise_or(less(x1, x2), isnan(x2)), x1, x2)


@library_jit
def gcd(x1, x2):
  """The greatest common divisor of integer arrays (Euclid's algorithm, unrolled)."""
  x1, x2 = promote_args_numeric("gcd", x1, x2)
  if not _is(x1, np.integer):
    raise ValueError("Arguments to jax.numpy.gcd must be integers.")
  a, b = absolute(x1), absolute(x2)
  shape = np.broadcast_shapes(promotion.shape(a), promotion.shape(b))
  a = promotion.broadcast_to_shape(a, shape)
  b = promotion.broadcast_to_shape(b, shape)
  zero = _constant_like(a, 0)
  # Euclid needs at most ~1.44 * bits steps (Lame's theorem).
  for _ in range(int(1.5 * dtypes.iinfo(_dtype(a)).bits) + 2):
    nonzero = lax.ne(b, zero)
    safe_b = lax.select_n(nonzero, lax.full_like(b, 1), b)   # keeps a weak type
    a, b = lax.select_n(nonzero, a, b), lax.select_n(nonzero, b, lax.rem(a, safe_b))
  return a


@library_jit
def lcm(x1, x2):
  """The least common multiple of integer arrays."""
  x1, x2 = promote_args_numeric("lcm", x1, x2)
  if not _is(x1, np.integer):
    raise ValueError("Arguments to jax.numpy.lcm must be integers.")
  d = gcd(x1, x2)
  zero = lax.eq(d, _constant_like(d, 0))
  safe = lax.select_n(zero, d, lax.full_like(d, 1))
  return lax.select_n(zero, absolute(lax.mul(x1, lax.div(x2, safe))), lax.full_like(d, 0))


# --- rounding ------------------------------------------------------------------


def _rounding(name, method):
  def fun(x, /):
    check_arraylike(name, x)
    (x,) = promotion.promote_dtypes(x)
    if _is(x, np.integer) or _dtype(x) == np.bool_:
      return promotion.ensure_array(x)
    if _is(x, np.complexfloating):
      raise TypeError(f"{name} does not support complex-valued inputs")
    return method(x)
  fun.__name__ = fun.__qualname__ = name
  return fun


floor = _rounding("floor", lambda x: lax.floor(x))
ceil = _rounding("ceil", lambda x: lax.ceil(x))
_trunc = _rounding("trunc", lambda x: where(
    lax.lt(x, _constant_like(x, 0)), lax.ceil(x), lax.floor(x)))


# Staged as JAX's: jit[name=trunc] holding where(x < 0, ceil(x), floor(x)).
@library_jit
def trunc(x):
  """Rounds toward zero; integers are returned unchanged."""
  return _trunc(x)




@library_jit
def rint(x, /):
  """Rounds to the nearest integer, halves to even; integers become floats."""
  check_arraylike("rint", x)
  x = promotion.ensure_array(x)
  if _dtype(x) == np.bool_ or _is(x, np.integer):
    return lax.convert_element_type(x, dtypes.canonicalize_dtype(dtypes.float_))
  if _is(x, np.complexfloating):
    return lax.complex(rint(lax.real(x)), rint(lax.imag(x)))
  return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


@library_jit(static_argnames=("decimals",))
def round(a, decimals: int = 0, out=None):  # pylint: disable=redefined-builtin
  """Rounds to ``decimals`` decimals, halves to even, as NumPy.

  >>> import jaxlite.numpy as jnp
  >>> jnp.round(jnp.float32(2.5))
  Array(2., dtype=float32)
  """
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.round is not supported.")
  check_arraylike("round", a)
  decimals = promotion.concrete_int(decimals, "'decimals' argument of jnp.round")
  (a,) = promotion.promote_dtypes(a)
  dtype = _dtype(a)
  if dtype == np.bool_:
    dtypes.finfo(dtype)   # JAX's (NumPy's) ValueError: "data type ... not inexact"
  if dtypes.issubdtype(dtype, np.integer):
    if decimals >= 0:
      return promotion.ensure_array(a)
    factor = _constant_like(a, 10 ** -decimals)
    return lax.mul(rint(true_divide(a, factor)).astype(dtype), factor)

  def _round_float(x):
    if decimals == 0:
      return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)
    factor = _constant_like(x, 10.0 ** decimals)
    return lax.div(lax.round(lax.mul(x, factor), lax.RoundingMethod.TO_NEAREST_EVEN),
                   factor)

  if dtypes.issubdtype(dtype, np.complexfloating):
    return lax.complex(_round_float(lax.real(a)), _round_float(lax.imag(a)))
  return _round_float(a)


@library_jit(static_argnames=("decimals",))
def around(a, decimals: int = 0, out=None):
  """``round`` under NumPy's older name (JAX stages it as its own ``jit`` call).

  >>> import jaxlite.numpy as jnp
  >>> jnp.around(jnp.float32(2.5))
  Array(2., dtype=float32)
  """
  return round(a, decimals, out)


round_ = round


# --- complex numbers -------------------------------------------------------------


def real(val, /):
  """The real part."""
  check_arraylike("real", val)
  (val,) = promotion.promote_dtypes(val)
  return lax.real(val) if _is(val, np.complexfloating) else promotion.ensure_array(val)


def imag(val, /):
  """The imaginary part (zeros for real input)."""
  check_arraylike("imag", val)
  (val,) = promotion.promote_dtypes(val)
  return lax.imag(val) if _is(val, np.complexfloating) else lax.full_like(val, 0)


def conjugate(x, /):
  """The complex conjugate (``x`` itself for real input)."""
  check_arraylike("conjugate", x)
  (x,) = promotion.promote_dtypes(x)
  return lax.conj(x) if _is(x, np.complexfloating) else promotion.ensure_array(x)


conj = conjugate


@library_jit
def isreal(x):
  """True where the imaginary part is zero."""
  i = imag(x)
  return lax.eq(i, _lax_const(i, 0))


@library_jit
def iscomplex(x):
  """True where the imaginary part is not zero."""
  i = imag(x)
  return lax.ne(i, _lax_const(i, 0))


@library_jit
def nan_to_num(x, copy: bool = True, nan=0.0, posinf=None, neginf=None):
  """Replaces NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default:
  the dtype's largest and smallest finite values).

  >>> import jaxlite.numpy as jnp
  >>> jnp.nan_to_num(jnp.float32(jnp.nan))
  Array(0., dtype=float32)
  """
  del copy
  check_arraylike("nan_to_num", x)
  (x,) = promotion.promote_dtypes(x)
  dtype = _dtype(x)
  if not dtypes.issubdtype(dtype, np.inexact):
    return promotion.ensure_array(x)
  if dtypes.issubdtype(dtype, np.complexfloating):
    return lax.complex(nan_to_num(lax.real(x), nan=nan, posinf=posinf, neginf=neginf),
                       nan_to_num(lax.imag(x), nan=nan, posinf=posinf, neginf=neginf))
  info = dtypes.finfo(dtype)
  posinf = info.max if posinf is None else posinf
  neginf = info.min if neginf is None else neginf
  out = where(isnan(x), promotion.convert(nan, dtype), x)
  out = where(isposinf(out), promotion.convert(posinf, dtype), out)
  return where(isneginf(out), promotion.convert(neginf, dtype), out)


@library_jit
def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):  # pylint: disable=redefined-builtin
  """Limits the values of ``arr`` to ``[min, max]``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.clip(jnp.arange(4), 1, 2)
  Array([1, 1, 2, 2], dtype=int32)
  """
  arr = a if arr is None else arr
  min = a_min if min is None else min
  max = a_max if max is None else max
  check_arraylike("clip", arr)
  if _is(arr, np.complexfloating):
    raise ValueError("Clip received a complex value either through the input or "
                     "the min/max keywords. Complex values have no ordering and "
                     "cannot be clipped. Please convert to a real value or array "
                     "by taking the real or imaginary components via jax.numpy.real/imag"
                     " respectively.")
  if min is not None:
    arr = maximum(min, arr)
  if max is not None:
    arr = minimum(max, arr)
  return promotion.ensure_array(arr)


@library_jit(static_argnames=("equal_nan",))
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
  """True where ``|a - b| <= atol + rtol * |b|`` (infinities must match).

  >>> import jaxlite.numpy as jnp
  >>> jnp.isclose(1.0, 1.0 + 1e-9)
  Array(True, dtype=bool)
  """
  # JAX's formulation: integers compare as floats; the tolerances are strong
  # (so is the result); infinities are close only when equal.
  a, b = promote_args("isclose", a, b)
  a, b = promote_args_inexact("isclose", a, b)
  dtype = _dtype(a)
  if dtypes.issubdtype(dtype, np.complexfloating):
    dtype = np.finfo(dtype).dtype
  rtol = lax.convert_element_type(rtol, dtype)
  atol = lax.convert_element_type(atol, dtype)
  both_nan = logical_and(isnan(a), isnan(b))
  check_fin = isfinite(b)   # JAX's order of equations
  in_range = lax.le(lax.abs(lax.sub(a, b)), lax.add(atol, lax.mul(rtol, lax.abs(b))))
  out = logical_or(lax.eq(a, b), logical_and(check_fin, in_range))
  return logical_or(out, both_nan) if equal_nan else out


for _f, _example, _result in [
    (add, "jnp.add(1, 2)", "Array(3, dtype=int32, weak_type=True)"),
    (subtract, "jnp.subtract(1, 2)", "Array(-1, dtype=int32, weak_type=True)"),
    (multiply, "jnp.multiply(2, 3)", "Array(6, dtype=int32, weak_type=True)"),
    (true_divide, "jnp.true_divide(1, 2)", "Array(0.5, dtype=float32, weak_type=True)"),
    (floor_divide, "jnp.floor_divide(jnp.int32(-7), 2)", "Array(-4, dtype=int32)"),
    (remainder, "jnp.remainder(-7, 2)", "Array(1, dtype=int32, weak_type=True)"),
    (fmod, "jnp.fmod(-7, 2)", "Array(-1, dtype=int32, weak_type=True)"),
    (divmod, "jnp.divmod(jnp.int32(7), 2)[0]", "Array(3, dtype=int32)"),
    (power, "jnp.power(2, 3)", "Array(8, dtype=int32, weak_type=True)"),
    (float_power, "jnp.float_power(2, 3)", "Array(8., dtype=float32, weak_type=True)"),
    (negative, "jnp.negative(1)", "Array(-1, dtype=int32, weak_type=True)"),
    (positive, "jnp.positive(1)", "Array(1, dtype=int32, weak_type=True)"),
    (absolute, "jnp.absolute(-1)", "Array(1, dtype=int32, weak_type=True)"),
    (fabs, "jnp.fabs(-1.0)", "Array(1., dtype=float32, weak_type=True)"),
    (sign, "jnp.sign(-2.0)", "Array(-1., dtype=float32, weak_type=True)"),
    (reciprocal, "jnp.reciprocal(jnp.float32(2.0))", "Array(0.5, dtype=float32)"),
    (square, "jnp.square(3)", "Array(9, dtype=int32, weak_type=True)"),
    (maximum, "jnp.maximum(1, 2)", "Array(2, dtype=int32, weak_type=True)"),
    (minimum, "jnp.minimum(1, 2)", "Array(1, dtype=int32, weak_type=True)"),
    (fmax, "jnp.fmax(jnp.nan, 2.0)", "Array(2., dtype=float32, weak_type=True)"),
    (fmin, "jnp.fmin(jnp.nan, 2.0)", "Array(2., dtype=float32, weak_type=True)"),
    (gcd, "jnp.gcd(jnp.int32(12), 18)", "Array(6, dtype=int32)"),
    (lcm, "jnp.lcm(jnp.int32(4), 6)", "Array(12, dtype=int32)"),
    (floor, "jnp.floor(1.5)", "Array(1., dtype=float32, weak_type=True)"),
    (ceil, "jnp.ceil(1.5)", "Array(2., dtype=float32, weak_type=True)"),
    (trunc, "jnp.trunc(-1.5)", "Array(-1., dtype=float32, weak_type=True)"),
    (rint, "jnp.rint(2.5)", "Array(2., dtype=float32, weak_type=True)"),
    (real, "jnp.real(1 + 2j)", "Array(1., dtype=float32, weak_type=True)"),
    (imag, "jnp.imag(1 + 2j)", "Array(2., dtype=float32, weak_type=True)"),
    (conjugate, "jnp.conjugate(1 + 2j)", "Array(1.-2.j, dtype=complex64, weak_type=True)"),
    (isreal, "jnp.isreal(1.0)", "Array(True, dtype=bool, weak_type=True)"),
    (iscomplex, "jnp.iscomplex(1j)", "Array(True, dtype=bool, weak_type=True)"),
]:
  _doc(_f, _f.__name__, _example, _result)
del _f, _example, _result
