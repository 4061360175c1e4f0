"""NumPy's universal functions on ``jaxlite.lax``: arithmetic, math, rounding,
comparisons, logical and bitwise operations.

Each function promotes its arguments with JAX's rules (``promotion``) and
binds lax primitives, so it works eagerly, under ``jit`` and under every
transformation. The binary operators of ``Array`` and ``Tracer`` call
``add``, ``subtract`` ... through a fast path that skips promotion when both
operands already agree (see ``array_methods``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.add(jnp.float32(1), 2)
  Array(3., dtype=float32)
"""
from __future__ import annotations

__all__ = ['add', 'subtract', 'multiply', 'true_divide', 'divide', 'floor_divide',
           'remainder', 'mod', 'fmod', 'divmod', 'power', 'pow', 'float_power',
           'negative', 'positive', 'absolute', 'abs', 'fabs', 'sign', 'reciprocal',
           'square', 'sqrt', 'cbrt', 'exp2', 'log2', 'log10', 'deg2rad', 'rad2deg',
           'radians', 'degrees', 'sinc', 'sin', 'cos', 'tan', 'arcsin', 'arccos',
           'arctan', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh', 'exp',
           'expm1', 'log', 'log1p', 'asin', 'acos', 'atan', 'asinh', 'acosh', 'atanh',
           'arctan2', 'atan2', 'nextafter', 'maximum', 'minimum', 'fmax', 'fmin',
           'hypot', 'logaddexp', 'logaddexp2', 'copysign', 'heaviside', 'ldexp',
           'frexp', 'modf', 'gcd', 'lcm', 'floor', 'ceil', 'trunc', 'fix', 'rint',
           'round', 'around', 'round_', 'real', 'imag', 'conjugate', 'conj', 'angle',
           'isreal', 'iscomplex', 'isfinite', 'isnan', 'isinf', 'isposinf', 'isneginf',
           'signbit', 'nan_to_num', 'equal', 'not_equal', 'less', 'less_equal',
           'greater', 'greater_equal', 'logical_and', 'logical_or', 'logical_xor',
           'logical_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not',
           'invert', 'bitwise_invert', 'left_shift', 'right_shift',
           'bitwise_left_shift', 'bitwise_right_shift', 'bitwise_count', 'where',
           'clip', 'isclose']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import (check_arraylike, promote_args, promote_args_inexact,
                                     promote_args_numeric, promote_dtypes_inexact)


def _dtype(x):
  return promotion.aval_of(x).dtype


def _is(x, kind) -> bool:
  return dtypes.issubdtype(_dtype(x), kind)


def _full_like(x, value, dtype=None):
  aval = promotion.aval_of(x)
  return lax_structural.full(aval.shape, value, dtype or aval.dtype)


def _constant_like(x, value):
  """A rank-0 host constant of ``x``'s dtype (a literal under jit)."""
  return np.asarray(value, _dtype(x))


def _doc(fun, numpy_name, example, result):
  fun.__doc__ = (f"{fun.__doc__ or ''}\n\n  Elementwise, with NumPy broadcasting and "
                 f"JAX's type promotion; see :func:`numpy.{numpy_name}`.\n\n"
                 f"  >>> import jaxlite.numpy as jnp\n  >>> {example}\n  {result}\n")
  return fun


def _unary(name, lax_name, inexact=False, doc=None):
  """A one-argument ufunc that promotes (to inexact if asked) and binds one lax op."""
  def fun(x, /):
    check_arraylike(name, x)
    (x,) = promote_dtypes_inexact(x) if inexact else promotion.promote_dtypes(x)
    return getattr(lax, lax_name)(x)
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun


def _binary(name, lax_name, promote=promote_args, doc=None):
  def fun(x1, x2, /):
    x1, x2 = promote(name, x1, x2)
    return getattr(lax, lax_name)(x1, x2)
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun


# --- arithmetic ----------------------------------------------------------------


def add(x1, x2, /):
  """Adds ``x1`` and ``x2`` (logical or for booleans)."""
  x1, x2 = promote_args("add", x1, x2)
  if _dtype(x1) == np.bool_:
    return lax.bitwise_or(x1, x2)
  return lax.add(x1, x2)


def subtract(x1, x2, /):
  """Subtracts ``x2`` from ``x1``."""
  x1, x2 = promote_args("subtract", x1, x2)
  return lax.sub(x1, x2)


def multiply(x1, x2, /):
  """Multiplies ``x1`` and ``x2`` (logical and for booleans)."""
  x1, x2 = promote_args("multiply", x1, x2)
  if _dtype(x1) == np.bool_:
    return lax.bitwise_and(x1, x2)
  return lax.mul(x1, x2)


def true_divide(x1, x2, /):
  """Divides ``x1`` by ``x2`` in an inexact dtype."""
  x1, x2 = promote_args_inexact("true_divide", x1, x2)
  return lax.div(x1, x2)


divide = true_divide


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
    return lax.select_n(fix, quotient, lax.sub(quotient, _constant_like(x1, 1)))
  if dtypes.issubdtype(dtype, np.complexfloating):
    raise TypeError("floor_divide does not support complex-valued inputs")
  return _float_divmod(x1, x2)[0]


def _float_divmod(x1, x2):
  # Python's divmod for floats: the remainder takes the sign of the divisor.
  mod = lax.rem(x1, x2)
  div = lax.div(lax.sub(x1, mod), x2)
  zero = _constant_like(mod, 0)
  ind = bitwise_and(lax.ne(mod, zero), lax.ne(lax.lt(x2, zero), lax.lt(mod, zero)))
  mod = lax.select_n(ind, mod, lax.add(mod, x2))
  div = lax.select_n(ind, div, lax.sub(div, _constant_like(div, 1)))
  return lax.round(div, lax.RoundingMethod.TO_NEAREST_EVEN), mod


def remainder(x1, x2, /):
  """``x1 - floor_divide(x1, x2) * x2``: the remainder with the divisor's sign."""
  x1, x2 = promote_args_numeric("remainder", x1, x2)
  if dtypes.issubdtype(_dtype(x1), np.complexfloating):
    raise TypeError("remainder does not support complex-valued inputs.")
  trunc_mod = lax.rem(x1, x2)
  if dtypes.issubdtype(_dtype(x1), np.unsignedinteger):
    return trunc_mod
  zero = _constant_like(trunc_mod, 0)
  fix = bitwise_and(lax.ne(trunc_mod, zero),
                    lax.ne(lax.lt(trunc_mod, zero), lax.lt(x2, zero)))
  return lax.select_n(fix, trunc_mod, lax.add(trunc_mod, x2))


mod = remainder


def fmod(x1, x2, /):
  """The C-style remainder: it takes the sign of ``x1``."""
  x1, x2 = promote_args_numeric("fmod", x1, x2)
  return lax.rem(x1, x2)


def divmod(x1, x2, /):  # pylint: disable=redefined-builtin
  """``(floor_divide(x1, x2), remainder(x1, x2))``."""
  x1, x2 = promote_args_numeric("divmod", x1, x2)
  if dtypes.issubdtype(_dtype(x1), np.integer):
    return floor_divide(x1, x2), remainder(x1, x2)
  return _float_divmod(x1, x2)


def power(x1, x2, /):
  """``x1`` to the power ``x2``; integer exponents by repeated squaring."""
  check_arraylike("power", x1, x2)
  # A static integer exponent is an integer_pow: exact, and fast to compile.
  if type(x2) is int and not isinstance(x1, bool):
    (x1,) = promotion.promote_dtypes(x1)
    if _dtype(x1) == np.bool_:
      x1 = promotion.convert(x1, dtypes.canonicalize_dtype(dtypes.int_))
    if x2 < 0 and dtypes.issubdtype(_dtype(x1), np.integer):
      raise ValueError("Integers to negative integer powers are not allowed.")
    return lax.integer_pow(x1, x2)
  x1, x2 = promote_args_numeric("power", x1, x2)
  dtype = _dtype(x1)
  if dtypes.issubdtype(dtype, np.integer):
    return _integer_power(x1, x2)
  return lax.pow(x1, x2)


def _integer_power(x, y):
  # Square-and-multiply over the bits of the exponent. Negative exponents give
  # 0, except for the bases 1 and -1 (whose powers are exact).
  shape = np.broadcast_shapes(promotion.shape(x), promotion.shape(y))
  x = promotion.broadcast_to_shape(promotion.ensure_array(x), shape)
  y = promotion.broadcast_to_shape(promotion.ensure_array(y), shape)
  one_y, zero_y = _constant_like(y, 1), _constant_like(y, 0)
  acc, base, exponent = _full_like(x, 1), x, y
  for _ in range(dtypes.iinfo(_dtype(y)).bits):
    odd = lax.ne(lax.bitwise_and(exponent, one_y), zero_y)
    acc = lax.select_n(odd, acc, lax.mul(acc, base))
    base = lax.mul(base, base)
    exponent = lax.shift_right_logical(exponent, one_y)
  if dtypes.issubdtype(_dtype(y), np.signedinteger):
    odd = lax.ne(lax.bitwise_and(y, one_y), zero_y)
    unit = lax.select_n(lax.eq(x, _constant_like(x, -1)), _full_like(x, 1),
                        lax.select_n(odd, _full_like(x, 1), _full_like(x, -1)))
    negative_power = lax.select_n(lax.eq(lax.abs(x), _constant_like(x, 1)),
                                  _full_like(x, 0), unit)
    acc = lax.select_n(lax.lt(y, zero_y), acc, negative_power)
  return acc


pow = power  # pylint: disable=redefined-builtin


def float_power(x1, x2, /):
  """``x1 ** x2`` in the widest available floating dtype."""
  check_arraylike("float_power", x1, x2)
  dtype = dtypes.canonicalize_dtype(
      np.complex128 if _is(x1, np.complexfloating) or _is(x2, np.complexfloating)
      else np.float64)
  x1, x2 = promotion.convert(x1, dtype), promotion.convert(x2, dtype)
  x1, x2 = promotion.promote_shapes("float_power", x1, x2)
  return lax.pow(x1, x2)


def negative(x, /):
  """``-x``."""
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
  if _dtype(x) == np.bool_:
    return promotion.ensure_array(x)
  return lax.sign(x)


def reciprocal(x, /):
  """``1 / x`` (integer division for integer ``x``, as NumPy)."""
  check_arraylike("reciprocal", x)
  (x,) = promote_dtypes_inexact(x) if _dtype(x) == np.bool_ else \
      promotion.promote_dtypes(x)
  return lax.div(_constant_like(x, 1), x)


def square(x, /):
  """``x * x``."""
  check_arraylike("square", x)
  (x,) = promotion.promote_dtypes_numeric(x)
  return lax.integer_pow(x, 2)


def sqrt(x, /):
  return lax.sqrt(promote_dtypes_inexact(x)[0])


def cbrt(x, /):
  (x,) = promote_dtypes_inexact(x)
  if _is(x, np.complexfloating):
    raise TypeError("cbrt does not accept complex inputs")
  return lax.cbrt(x)


def exp2(x, /):
  """``2 ** x``."""
  (x,) = promote_dtypes_inexact(x)
  return lax.exp2(x)


def log2(x, /):
  (x,) = promote_dtypes_inexact(x)
  return lax.div(lax.log(x), lax.log(_constant_like(x, 2)))


def log10(x, /):
  (x,) = promote_dtypes_inexact(x)
  return lax.div(lax.log(x), lax.log(_constant_like(x, 10)))


def deg2rad(x, /):
  (x,) = promote_dtypes_inexact(x)
  return lax.mul(x, _constant_like(x, np.pi / 180))


def rad2deg(x, /):
  (x,) = promote_dtypes_inexact(x)
  return lax.mul(x, _constant_like(x, 180 / np.pi))


radians, degrees = deg2rad, rad2deg


def sinc(x, /):
  """``sin(pi x) / (pi x)``, 1 at 0."""
  (x,) = promote_dtypes_inexact(x)
  zero = lax.eq(x, _constant_like(x, 0))
  safe = lax.select_n(zero, x, _full_like(x, 1))
  pi_x = lax.mul(_constant_like(x, np.pi), safe)
  return lax.select_n(zero, lax.div(lax.sin(pi_x), pi_x), _full_like(x, 1))


sin = _unary("sin", "sin", True)
cos = _unary("cos", "cos", True)
tan = _unary("tan", "tan", True)
arcsin = _unary("arcsin", "asin", True)
arccos = _unary("arccos", "acos", True)
arctan = _unary("arctan", "atan", True)
sinh = _unary("sinh", "sinh", True)
cosh = _unary("cosh", "cosh", True)
tanh = _unary("tanh", "tanh", True)
arcsinh = _unary("arcsinh", "asinh", True)
arccosh = _unary("arccosh", "acosh", True)
arctanh = _unary("arctanh", "atanh", True)
exp = _unary("exp", "exp", True)
expm1 = _unary("expm1", "expm1", True)
log = _unary("log", "log", True)
log1p = _unary("log1p", "log1p", True)
asin, acos, atan = arcsin, arccos, arctan
asinh, acosh, atanh = arcsinh, arccosh, arctanh
arctan2 = _binary("arctan2", "atan2", promote_args_inexact)
atan2 = arctan2
nextafter = _binary("nextafter", "nextafter", promote_args_inexact)
maximum = _binary("maximum", "max")
minimum = _binary("minimum", "min")


def fmax(x1, x2, /):
  """The maximum, ignoring NaNs (NaN only where both are NaN)."""
  x1, x2 = promote_args("fmax", x1, x2)
  out = lax.max(x1, x2)
  if _is(x1, np.inexact):
    out = where(isnan(x2), x1, where(isnan(x1), x2, out))
  return out


def fmin(x1, x2, /):
  """The minimum, ignoring NaNs (NaN only where both are NaN)."""
  x1, x2 = promote_args("fmin", x1, x2)
  out = lax.min(x1, x2)
  if _is(x1, np.inexact):
    out = where(isnan(x2), x1, where(isnan(x1), x2, out))
  return out


def hypot(x1, x2, /):
  """``sqrt(x1**2 + x2**2)``, without overflow for large inputs."""
  x1, x2 = promote_args_inexact("hypot", x1, x2)
  if _is(x1, np.complexfloating):
    raise TypeError("hypot does not accept complex inputs")
  x1, x2 = lax.abs(x1), lax.abs(x2)
  big, small = lax.max(x1, x2), lax.min(x1, x2)
  zero = lax.eq(big, _constant_like(big, 0))
  ratio = lax.div(small, lax.select_n(zero, big, _full_like(big, 1)))
  out = lax.mul(big, lax.sqrt(lax.add(_constant_like(big, 1), lax.mul(ratio, ratio))))
  return lax.select_n(zero, out, big)


def logaddexp(x1, x2, /):
  """``log(exp(x1) + exp(x2))``, computed stably."""
  x1, x2 = promote_args_inexact("logaddexp", x1, x2)
  amax = lax.max(x1, x2)
  delta = lax.sub(x1, x2)
  out = lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta)))))
  # inf - inf is NaN: equal infinities give that infinity.
  return lax.select_n(lax.ne(delta, delta), out, lax.add(x1, x2))


def logaddexp2(x1, x2, /):
  """``log2(2**x1 + 2**x2)``, computed stably."""
  x1, x2 = promote_args_inexact("logaddexp2", x1, x2)
  amax = lax.max(x1, x2)
  delta = lax.sub(x1, x2)
  ln2 = _constant_like(x1, np.log(2))
  out = lax.add(amax, lax.div(lax.log1p(lax.exp2(lax.neg(lax.abs(delta)))), ln2))
  return lax.select_n(lax.ne(delta, delta), out, lax.add(x1, x2))


def copysign(x1, x2, /):
  """The magnitude of ``x1`` with the sign of ``x2``."""
  x1, x2 = promote_args_inexact("copysign", x1, x2)
  if _is(x1, np.complexfloating):
    raise TypeError("copysign does not support complex-valued inputs")
  return where(signbit(x2), lax.neg(lax.abs(x1)), lax.abs(x1))


def heaviside(x1, x2, /):
  """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``."""
  x1, x2 = promote_args_inexact("heaviside", x1, x2)
  zero = _constant_like(x1, 0)
  return where(lax.lt(x1, zero), _full_like(x1, 0),
               where(lax.gt(x1, zero), _full_like(x1, 1), x2))


def ldexp(x1, x2, /):
  """``x1 * 2 ** x2`` for integer ``x2``."""
  check_arraylike("ldexp", x1, x2)
  if not dtypes.issubdtype(_dtype(x2), np.integer):
    raise ValueError(f"ldexp argument x2 must be of integer dtype; got {_dtype(x2)}")
  (x1,) = promote_dtypes_inexact(x1)
  x2 = promotion.convert(x2, _dtype(x1))
  x1, x2 = promotion.promote_shapes("ldexp", x1, x2)
  return lax.mul(x1, lax.exp2(x2))


def frexp(x, /):
  """Mantissa in [0.5, 1) and integer exponent, ``x == m * 2**e``."""
  check_arraylike("frexp", x)
  (x,) = promote_dtypes_inexact(x)
  if _is(x, np.complexfloating):
    raise TypeError("frexp does not support complex-valued inputs")
  special = bitwise_or(lax.eq(x, _constant_like(x, 0)), bitwise_not(isfinite(x)))
  safe = lax.select_n(special, lax.abs(x), _full_like(x, 1))
  exponent = lax.add(lax.floor(lax.div(lax.log(safe), lax.log(_constant_like(x, 2)))),
                     _constant_like(x, 1))
  mantissa = lax.div(x, lax.exp2(exponent))
  # log2 rounding may be one off at powers of two: normalise into [0.5, 1).
  too_big = lax.ge(lax.abs(mantissa), _constant_like(x, 1))
  mantissa = lax.select_n(too_big, mantissa, lax.mul(mantissa, _constant_like(x, 0.5)))
  exponent = lax.select_n(too_big, exponent, lax.add(exponent, _constant_like(x, 1)))
  too_small = lax.lt(lax.abs(mantissa), _constant_like(x, 0.5))
  mantissa = lax.select_n(too_small, mantissa, lax.mul(mantissa, _constant_like(x, 2)))
  exponent = lax.select_n(too_small, exponent, lax.sub(exponent, _constant_like(x, 1)))
  int_dtype = dtypes.canonicalize_dtype(np.int32)
  exponent = lax.convert_element_type(lax.select_n(special, exponent, _full_like(x, 0)),
                                      int_dtype)
  return lax.select_n(special, mantissa, x), exponent


def modf(x, /):
  """Fractional and integral parts, both with the sign of ``x``."""
  check_arraylike("modf", x)
  (x,) = promote_dtypes_inexact(x)
  whole = trunc(x)
  return lax.sub(x, whole), whole


def gcd(x1, x2, /):
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
    safe_b = lax.select_n(nonzero, _full_like(b, 1), b)
    a, b = lax.select_n(nonzero, a, b), lax.select_n(nonzero, b, lax.rem(a, safe_b))
  return a


def lcm(x1, x2, /):
  """The least common multiple of integer arrays."""
  x1, x2 = promote_args_numeric("lcm", x1, x2)
  if not _is(x1, np.integer):
    raise ValueError("Arguments to jax.numpy.lcm must be integers.")
  d = gcd(x1, x2)
  zero = lax.eq(d, _constant_like(d, 0))
  safe = lax.select_n(zero, d, _full_like(d, 1))
  return lax.select_n(zero, absolute(lax.mul(x1, lax.div(x2, safe))), _full_like(d, 0))


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
trunc = _rounding("trunc", lambda x: lax.select_n(
    lax.lt(x, _constant_like(x, 0)), lax.floor(x), lax.ceil(x)))
fix = trunc
rint = _rounding("rint", lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN))


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
  if dtype == np.bool_ or dtypes.issubdtype(dtype, np.integer):
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


around = round
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
  return lax.imag(val) if _is(val, np.complexfloating) else _full_like(val, 0)


def conjugate(x, /):
  """The complex conjugate (``x`` itself for real input)."""
  check_arraylike("conjugate", x)
  (x,) = promotion.promote_dtypes(x)
  return lax.conj(x) if _is(x, np.complexfloating) else promotion.ensure_array(x)


conj = conjugate


def angle(z, deg: bool = False):
  """The argument of a complex number (in degrees if ``deg``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.angle(jnp.complex64(1j))
  Array(1.5707964, dtype=float32)
  """
  check_arraylike("angle", z)
  (z,) = promote_dtypes_inexact(z)
  re, im = real(z), imag(z)
  out = lax.atan2(im, re)
  return rad2deg(out) if deg else out


def isreal(x, /):
  """True where the imaginary part is zero."""
  i = imag(x)
  return lax.eq(i, _constant_like(i, 0))


def iscomplex(x, /):
  """True where the imaginary part is not zero."""
  i = imag(x)
  return lax.ne(i, _constant_like(i, 0))


# --- floating point classification ----------------------------------------------


def isfinite(x, /):
  """True where ``x`` is neither infinite nor NaN."""
  check_arraylike("isfinite", x)
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.complexfloating):
    return bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
  if _is(x, np.floating):
    return lax.is_finite(x)
  return _full_like(x, True, np.bool_)


def isnan(x, /):
  """True where ``x`` is NaN."""
  check_arraylike("isnan", x)
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.inexact):
    return lax.ne(x, x)
  return _full_like(x, False, np.bool_)


def isinf(x, /):
  """True where ``x`` is plus or minus infinity."""
  check_arraylike("isinf", x)
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.complexfloating):
    return bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
  if _is(x, np.floating):
    return lax.eq(lax.abs(x), _constant_like(x, np.inf))
  return _full_like(x, False, np.bool_)


def isposinf(x, /):
  """True where ``x`` is +inf."""
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.floating):
    return lax.eq(x, _constant_like(x, np.inf))
  return _full_like(x, False, np.bool_)


def isneginf(x, /):
  """True where ``x`` is -inf."""
  (x,) = promotion.promote_dtypes(x)
  if _is(x, np.floating):
    return lax.eq(x, _constant_like(x, -np.inf))
  return _full_like(x, False, np.bool_)


def signbit(x, /):
  """True where the sign bit is set (also for -0.0 and negative NaNs)."""
  check_arraylike("signbit", x)
  (x,) = promotion.promote_dtypes(x)
  dtype = _dtype(x)
  if dtypes.issubdtype(dtype, np.signedinteger):
    return lax.lt(x, _constant_like(x, 0))
  if not dtypes.issubdtype(dtype, np.floating):
    return _full_like(x, False, np.bool_)
  int_type = {2: np.int16, 4: np.int32, 8: np.int64}[dtype.itemsize]
  bits = lax.bitcast_convert_type(x, int_type)
  return lax.lt(bits, np.asarray(0, int_type))


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


# --- comparisons -------------------------------------------------------------------

equal = _binary("equal", "eq")
not_equal = _binary("not_equal", "ne")
less = _binary("less", "lt")
less_equal = _binary("less_equal", "le")
greater = _binary("greater", "gt")
greater_equal = _binary("greater_equal", "ge")


# --- logical and bitwise -------------------------------------------------------------


def _to_bool(x):
  if _dtype(x) == np.bool_:
    return x
  return lax.ne(x, _constant_like(x, 0))


def logical_and(x1, x2, /):
  """Elementwise truth-value ``and``."""
  x1, x2 = promote_args("logical_and", x1, x2)
  return lax.bitwise_and(_to_bool(x1), _to_bool(x2))


def logical_or(x1, x2, /):
  """Elementwise truth-value ``or``."""
  x1, x2 = promote_args("logical_or", x1, x2)
  return lax.bitwise_or(_to_bool(x1), _to_bool(x2))


def logical_xor(x1, x2, /):
  """Elementwise truth-value ``xor``."""
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
  def fun(x1, x2, /):
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


def bitwise_count(x, /):
  """The number of 1 bits in ``|x|`` (as uint8)."""
  check_arraylike("bitwise_count", x)
  (x,) = promotion.promote_dtypes(x)
  _check_integer_or_bool("bitwise_count", x)
  return lax.convert_element_type(lax.population_count(absolute(x)), np.uint8)


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
  x, y = promotion.promote_dtypes(x, y)
  condition = _to_bool(promotion.asarray_value(condition))
  condition, x, y = promotion.promote_shapes("where", condition, x, y)
  shape = np.broadcast_shapes(*map(promotion.shape, (condition, x, y)))
  if shape and not promotion.shape(condition):
    condition = promotion.broadcast_to_shape(condition, shape)
  if shape:
    x, y = (promotion.broadcast_to_shape(v, shape) for v in (x, y))
  return lax.select_n(condition, y, x)


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


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
  """True where ``|a - b| <= atol + rtol * |b|`` (infinities must match).

  >>> import jaxlite.numpy as jnp
  >>> jnp.isclose(1.0, 1.0 + 1e-9)
  Array(True, dtype=bool)
  """
  a, b = promote_args("isclose", a, b)
  dtype = _dtype(a)
  if not dtypes.issubdtype(dtype, np.inexact):
    return equal(a, b)
  rtol, atol = promotion.convert(rtol, dtype, True), promotion.convert(atol, dtype, True)
  diff = absolute(subtract(a, b))
  close = less_equal(diff, add(atol, multiply(rtol, absolute(b))))
  both_inf = logical_and(isinf(a), isinf(b))
  close = where(both_inf, equal(a, b), logical_and(close, isfinite(diff) | both_inf))
  if equal_nan:
    close = logical_or(close, logical_and(isnan(a), isnan(b)))
  return close


for _f, _example, _result in [
    (sin, "jnp.sin(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (cos, "jnp.cos(0.0)", "Array(1., dtype=float32, weak_type=True)"),
    (tan, "jnp.tan(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (arcsin, "jnp.arcsin(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (arccos, "jnp.arccos(1.0)", "Array(0., dtype=float32, weak_type=True)"),
    (arctan, "jnp.arctan(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (sinh, "jnp.sinh(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (cosh, "jnp.cosh(0.0)", "Array(1., dtype=float32, weak_type=True)"),
    (tanh, "jnp.tanh(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (arcsinh, "jnp.arcsinh(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (arccosh, "jnp.arccosh(1.0)", "Array(0., dtype=float32, weak_type=True)"),
    (arctanh, "jnp.arctanh(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (exp, "jnp.exp(0.0)", "Array(1., dtype=float32, weak_type=True)"),
    (expm1, "jnp.expm1(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (log, "jnp.log(1.0)", "Array(0., dtype=float32, weak_type=True)"),
    (log1p, "jnp.log1p(0.0)", "Array(0., dtype=float32, weak_type=True)"),
    (sqrt, "jnp.sqrt(4.0)", "Array(2., dtype=float32, weak_type=True)"),
    (cbrt, "jnp.cbrt(8.0)", "Array(2., dtype=float32, weak_type=True)"),
    (exp2, "jnp.exp2(3.0)", "Array(8., dtype=float32, weak_type=True)"),
    (log2, "jnp.log2(8.0)", "Array(3., dtype=float32)"),
    (log10, "jnp.log10(100.0)", "Array(2., dtype=float32)"),
    (deg2rad, "jnp.deg2rad(jnp.float32(0.0))", "Array(0., dtype=float32)"),
    (rad2deg, "jnp.rad2deg(jnp.float32(0.0))", "Array(0., dtype=float32)"),
    (sinc, "jnp.sinc(jnp.float32(0.0))", "Array(1., dtype=float32)"),
    (arctan2, "jnp.arctan2(0.0, 1.0)", "Array(0., dtype=float32, weak_type=True)"),
    (nextafter, "jnp.nextafter(1.0, 1.0)", "Array(1., dtype=float32, weak_type=True)"),
    (maximum, "jnp.maximum(1, 2)", "Array(2, dtype=int32, weak_type=True)"),
    (minimum, "jnp.minimum(1, 2)", "Array(1, dtype=int32, weak_type=True)"),
    (fmax, "jnp.fmax(jnp.nan, 2.0)", "Array(2., dtype=float32, weak_type=True)"),
    (fmin, "jnp.fmin(jnp.nan, 2.0)", "Array(2., dtype=float32, weak_type=True)"),
    (hypot, "jnp.hypot(jnp.float32(3.0), 4.0)", "Array(5., dtype=float32)"),
    (logaddexp, "jnp.logaddexp(0.0, 0.0)", "Array(0.6931472, dtype=float32, weak_type=True)"),
    (logaddexp2, "jnp.logaddexp2(jnp.float32(0.0), 0.0)", "Array(1., dtype=float32)"),
    (copysign, "jnp.copysign(1.0, -2.0)", "Array(-1., dtype=float32, weak_type=True)"),
    (heaviside, "jnp.heaviside(jnp.float32(0.0), 0.5)", "Array(0.5, dtype=float32)"),
    (ldexp, "jnp.ldexp(1.0, 3)", "Array(8., dtype=float32)"),
    (frexp, "jnp.frexp(8.0)[1]", "Array(4, dtype=int32)"),
    (modf, "jnp.modf(1.5)[0]", "Array(0.5, dtype=float32, weak_type=True)"),
    (gcd, "jnp.gcd(jnp.int32(12), 18)", "Array(6, dtype=int32)"),
    (lcm, "jnp.lcm(jnp.int32(4), 6)", "Array(12, dtype=int32)"),
    (add, "jnp.add(1, 2)", "Array(3, dtype=int32, weak_type=True)"),
    (subtract, "jnp.subtract(1, 2)", "Array(-1, dtype=int32, weak_type=True)"),
    (multiply, "jnp.multiply(2, 3)", "Array(6, dtype=int32, weak_type=True)"),
    (true_divide, "jnp.true_divide(1, 2)", "Array(0.5, dtype=float32, weak_type=True)"),
    (floor_divide, "jnp.floor_divide(jnp.int32(-7), 2)", "Array(-4, dtype=int32)"),
    (remainder, "jnp.remainder(-7, 2)", "Array(1, dtype=int32, weak_type=True)"),
    (fmod, "jnp.fmod(-7, 2)", "Array(-1, dtype=int32, weak_type=True)"),
    (divmod, "jnp.divmod(jnp.int32(7), 2)[0]", "Array(3, dtype=int32)"),
    (power, "jnp.power(2, 3)", "Array(8, dtype=int32, weak_type=True)"),
    (float_power, "jnp.float_power(2, 3)", "Array(8., dtype=float32)"),
    (negative, "jnp.negative(1)", "Array(-1, dtype=int32, weak_type=True)"),
    (positive, "jnp.positive(1)", "Array(1, dtype=int32, weak_type=True)"),
    (absolute, "jnp.absolute(-1)", "Array(1, dtype=int32, weak_type=True)"),
    (fabs, "jnp.fabs(-1.0)", "Array(1., dtype=float32, weak_type=True)"),
    (sign, "jnp.sign(-2.0)", "Array(-1., dtype=float32, weak_type=True)"),
    (reciprocal, "jnp.reciprocal(jnp.float32(2.0))", "Array(0.5, dtype=float32)"),
    (square, "jnp.square(3)", "Array(9, dtype=int32, weak_type=True)"),
    (floor, "jnp.floor(1.5)", "Array(1., dtype=float32, weak_type=True)"),
    (ceil, "jnp.ceil(1.5)", "Array(2., dtype=float32, weak_type=True)"),
    (trunc, "jnp.trunc(-1.5)", "Array(-1., dtype=float32, weak_type=True)"),
    (rint, "jnp.rint(2.5)", "Array(2., dtype=float32, weak_type=True)"),
    (real, "jnp.real(1 + 2j)", "Array(1., dtype=float32, weak_type=True)"),
    (imag, "jnp.imag(1 + 2j)", "Array(2., dtype=float32, weak_type=True)"),
    (conjugate, "jnp.conjugate(1 + 2j)", "Array(1.-2.j, dtype=complex64, weak_type=True)"),
    (isreal, "jnp.isreal(1.0)", "Array(True, dtype=bool)"),
    (iscomplex, "jnp.iscomplex(1j)", "Array(True, dtype=bool)"),
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
    (logical_not, "jnp.logical_not(0)", "Array(True, dtype=bool)"),
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
