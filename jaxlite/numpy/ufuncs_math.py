"""NumPy's mathematical ufuncs on ``jaxlite.lax``: roots, exponentials and
logarithms, trigonometric and hyperbolic functions, ``hypot``, ``logaddexp``,
``copysign``, ``ldexp``/``frexp``/``modf``, ``spacing``, ``i0`` and ``angle``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sqrt(jnp.float32(4))
  Array(2., dtype=float32)
"""
from __future__ import annotations

__all__ = ['sqrt', 'cbrt', 'exp2', 'log2', 'log10', 'deg2rad', 'rad2deg', 'radians',
           'degrees', 'sinc', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh',
           'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh', 'exp', 'expm1', 'log',
           'log1p', 'asin', 'acos', 'atan', 'asinh', 'acosh', 'atanh', 'arctan2',
           'atan2', 'nextafter', 'hypot', 'logaddexp', 'logaddexp2', 'copysign',
           'heaviside', 'ldexp', 'frexp', 'modf', 'angle']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import check_arraylike, promote_args_inexact, promote_dtypes_inexact
from jaxlite.numpy.ufuncs_common import (_binary, _constant_like, _doc, _dtype, _full_like,
                                         _is, _unary)
from jaxlite.numpy.ufuncs_arithmetic import imag, real, trunc
from jaxlite.numpy.ufuncs_logical import (bitwise_not, bitwise_or, isfinite, signbit,
                                          where)


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


for _f, _example, _result in [
    (sqrt, "jnp.sqrt(4.0)", "Array(2., dtype=float32, weak_type=True)"),
    (cbrt, "jnp.cbrt(8.0)", "Array(2., dtype=float32, weak_type=True)"),
    (exp2, "jnp.exp2(3.0)", "Array(8., dtype=float32, weak_type=True)"),
    (log2, "jnp.log2(8.0)", "Array(3., dtype=float32)"),
    (log10, "jnp.log10(100.0)", "Array(2., dtype=float32)"),
    (deg2rad, "jnp.deg2rad(jnp.float32(0.0))", "Array(0., dtype=float32)"),
    (rad2deg, "jnp.rad2deg(jnp.float32(0.0))", "Array(0., dtype=float32)"),
    (sinc, "jnp.sinc(jnp.float32(0.0))", "Array(1., dtype=float32)"),
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
    (arctan2, "jnp.arctan2(0.0, 1.0)", "Array(0., dtype=float32, weak_type=True)"),
    (nextafter, "jnp.nextafter(1.0, 1.0)", "Array(1., dtype=float32, weak_type=True)"),
    (hypot, "jnp.hypot(jnp.float32(3.0), 4.0)", "Array(5., dtype=float32)"),
    (logaddexp, "jnp.logaddexp(0.0, 0.0)", "Array(0.6931472, dtype=float32, weak_type=True)"),
    (logaddexp2, "jnp.logaddexp2(jnp.float32(0.0), 0.0)", "Array(1., dtype=float32)"),
    (copysign, "jnp.copysign(1.0, -2.0)", "Array(-1., dtype=float32, weak_type=True)"),
    (heaviside, "jnp.heaviside(jnp.float32(0.0), 0.5)", "Array(0.5, dtype=float32)"),
    (ldexp, "jnp.ldexp(1.0, 3)", "Array(8., dtype=float32)"),
    (frexp, "jnp.frexp(8.0)[1]", "Array(4, dtype=int32)"),
    (modf, "jnp.modf(1.5)[0]", "Array(0.5, dtype=float32, weak_type=True)"),
]:
  _doc(_f, _f.__name__, _example, _result)
del _f, _example, _result
