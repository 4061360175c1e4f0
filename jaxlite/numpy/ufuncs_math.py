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
           'heaviside', 'ldexp', 'frexp', 'modf', 'angle', 'spacing', 'i0']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.lax.elementwise import const as _lax_const
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import check_arraylike, promote_args_inexact, promote_dtypes_inexact
from jaxlite.numpy.ufuncs_common import (_binary, _constant_like, _doc, _dtype, _full_like,
                                         _is, _unary, reject_out_where)
from jaxlite.numpy.ufuncs_arithmetic import ceil, floor, imag, real, subtract, trunc
from jaxlite.numpy.ufuncs_logical import (bitwise_not, bitwise_or, isfinite, isposinf,
                                          _where, isinf, isnan, signbit, where)
from jaxlite.numpy.library_jit import library_jit


def sqrt(x, /):
  return lax.sqrt(promote_args_inexact("sqrt", x)[0])


def cbrt(x, /):
  (x,) = promote_args_inexact("cbrt", x)
  if _is(x, np.complexfloating):
    raise TypeError("cbrt does not accept complex inputs")
  return lax.cbrt(x)


def exp2(x, /):
  """``2 ** x``."""
  (x,) = promote_args_inexact("exp2", x)
  return lax.exp2(x)


def log2(x, /):
  (x,) = promote_args_inexact("log2", x)
  if _is(x, np.complexfloating):   # as JAX: real and imaginary parts divided apart
    r = lax.log(x)
    ln2 = lax.log(_constant_like(lax.real(r), 2))
    return lax.complex(lax.div(lax.real(r), ln2), lax.div(lax.imag(r), ln2))
  return lax.div(lax.log(x), lax.log(_constant_like(x, 2)))


def log10(x, /):
  (x,) = promote_args_inexact("log10", x)
  # As JAX: times 1/log(10) (a multiply, not a division), per part for complex.
  inverse = np.array(0.4342944819032518, dtypes.finfo(_dtype(x)).dtype)
  if _is(x, np.complexfloating):
    r = lax.log(x)
    return lax.complex(lax.mul(lax.real(r), inverse), lax.mul(lax.imag(r), inverse))
  return lax.mul(lax.log(x), inverse)


def deg2rad(x, /):
  (x,) = promote_args_inexact("deg2rad", x)
  return lax.mul(x, _lax_const(x, np.pi / 180))   # weak for a Python scalar, as JAX's


def rad2deg(x, /):
  (x,) = promote_args_inexact("rad2deg", x)
  return lax.mul(x, _lax_const(x, 180 / np.pi))


radians, degrees = deg2rad, rad2deg


@library_jit
def sinc(x, /):
  """``sin(pi x) / (pi x)``, 1 at 0, with every derivative at 0 exact.

  >>> import jaxlite as jax
  >>> float(jax.grad(jax.grad(sinc))(0.0))  # -pi**2 / 3
  -3.289868...
  """
  check_arraylike("sinc", x)
  (x,) = promote_args_inexact("sinc", x)
  # lax constants: Python scalars for a weak scalar x, which keeps it weak.
  zero = lax.eq(x, _lax_const(x, 0))
  pi_x = lax.mul(_lax_const(x, np.pi), x)
  safe_pi_x = where(zero, _lax_const(x, 1), pi_x)
  return where(zero, _sinc_taylor_term(0, pi_x),
               lax.div(lax.sin(safe_pi_x), safe_pi_x))


_SINC_TAYLOR = None


def _sinc_taylor_term(k, x):
  """The k-th derivative of ``sin(t)/t`` at ``t = 0``, shaped like ``x``; its JVP
  is the (k+1)-th, so derivatives of any order through ``sinc`` at 0 are the
  Taylor coefficients rather than the 0 that ``where`` would give."""
  global _SINC_TAYLOR
  if _SINC_TAYLOR is None:
    from jaxlite.custom_derivatives import custom_jvp  # a layer above numpy's import

    def term(k, x):
      if k % 2:
        return x * 0
      return x * 0 + _lax_const(x, (-1) ** (k // 2) / (k + 1))

    term = custom_jvp(term, nondiff_argnums=(0,))

    @term.defjvp
    def _term_jvp(k, primals, tangents):
      (x,), (t,) = primals, tangents
      return term(k, x), term(k + 1, x) * t
    _SINC_TAYLOR = term
  return _SINC_TAYLOR(k, x)


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
# JAX stages arccosh as a jit call of its own (its acosh lowering is a formula).
arccosh = library_jit(_unary("arccosh", "acosh", True))
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


@library_jit
def hypot(x1, x2, /):
  """``sqrt(x1**2 + x2**2)``, without overflow for large inputs."""
  x1, x2 = promote_args_inexact("hypot", x1, x2)
  if _is(x1, np.complexfloating):
    raise ValueError("jnp.hypot is not well defined for complex-valued inputs. "
                     "Please convert to real values first, such as by using abs(x)")
  x1, x2 = lax.abs(x1), lax.abs(x2)
  # JAX's formulation: an infinite operand gives inf (hypot(inf, inf) too), and
  # lax.square, whose derivative rounds as JAX's; weak-preserving constants.
  is_inf = bitwise_or(isposinf(x1), isposinf(x2))
  big, small = lax.max(x1, x2), lax.min(x1, x2)
  zero = lax.eq(big, _lax_const(big, 0))
  ratio = lax.div(small, where(zero, lax.full_like(big, 1), big))
  out = where(zero, big, lax.mul(big, lax.sqrt(lax.add(_lax_const(big, 1), lax.square(ratio)))))
  return where(is_inf, _lax_const(out, np.inf), out)


def logaddexp(x1, x2, /, *, out=None, where=None):
  """``log(exp(x1) + exp(x2))``, computed stably; its derivative is JAX's
  custom rule (``t1 * exp(x1 - out) + t2 * exp(x2 - out)``), which is exact
  where ``x1 == x2`` (the max inside would split the derivative there).

  >>> import jaxlite as jax
  >>> float(jax.grad(logaddexp)(0.0, 0.0))
  0.5
  """
  if out is not None or where is not None:
    reject_out_where("logaddexp", (x1, x2), out, where)
  x1, x2 = promote_args_inexact("logaddexp", x1, x2)
  return _custom_logaddexp("e")(x1, x2)


def logaddexp2(x1, x2, /, *, out=None, where=None):
  """``log2(2**x1 + 2**x2)``, computed stably (JAX's derivative rule, as
  ``logaddexp``)."""
  if out is not None or where is not None:
    reject_out_where("logaddexp2", (x1, x2), out, where)
  x1, x2 = promote_args_inexact("logaddexp2", x1, x2)
  return _custom_logaddexp("2")(x1, x2)


_LOGADDEXP = {}


def _custom_logaddexp(base):
  """The custom_jvp function for base "e" or "2" (made on first use: the
  custom_derivatives module sits above numpy's imports)."""
  fun = _LOGADDEXP.get(base)
  if fun is not None:
    return fun
  from jaxlite.custom_derivatives import custom_jvp
  exp = lax.exp if base == "e" else lax.exp2

  def impl(x1, x2):
    amax = lax.max(x1, x2)
    if _is(x1, np.complexfloating):
      delta = lax.sub(lax.add(x1, x2), lax.mul(amax, _lax_const(amax, 2)))
      tail = lax.log1p(exp(delta))
      if base == "2":
        tail = lax.mul(_lax_const(amax, 1 / np.log(2)), tail)
      out = lax.add(amax, tail)
      period = np.pi if base == "e" else np.pi / np.log(2)
      return lax.complex(lax.real(out), _wrap_between(lax.imag(out), period))
    if not _is(x1, np.floating):
      raise ValueError(f"logaddexp requires floating-point or complex inputs; got "
                       f"{_dtype(x1)}")
    delta = lax.sub(x1, x2)
    # inf - inf is NaN: equal infinities (and NaNs) give x1 + x2 (JAX's order of ops).
    is_nan, both = lax.ne(delta, delta), lax.add(x1, x2)
    tail = lax.log1p(exp(lax.neg(lax.abs(delta))))
    if base == "2":
      tail = lax.mul(_lax_const(amax, 1 / np.log(2)), tail)
    return lax.select_n(is_nan, lax.add(amax, tail), both)

  name = "logaddexp" if base == "e" else "logaddexp2"
  impl.__name__ = impl.__qualname__ = name   # jaxprs name the custom_jvp as JAX's
  fun = custom_jvp(impl)

  def _jvp(primals, tangents):
    (x1, x2), (t1, t2) = primals, tangents
    out = fun(x1, x2)
    return out, lax.add(
        lax.mul(t1, exp(lax.sub(_replace_inf(x1), _replace_inf(out)))),
        lax.mul(t2, exp(lax.sub(_replace_inf(x2), _replace_inf(out)))))
  _jvp.__name__ = _jvp.__qualname__ = f"_{name}_jvp"
  fun.defjvp(_jvp)
  _LOGADDEXP[base] = fun
  return fun


def _replace_inf(x):
  # +inf -> 0, so that the derivative rule never computes inf - inf.
  re_x = lax.real(x) if _is(x, np.complexfloating) else x
  return lax.select_n(lax.eq(re_x, _lax_const(re_x, np.inf)), x, lax.full_like(x, 0))


def _wrap_between(x, period):
  # x shifted by a multiple of 2 * period into [-period, period).
  two = _lax_const(x, 2 * period)
  rem = lax.rem(lax.add(x, _lax_const(x, period)), two)
  rem = lax.select_n(lax.lt(rem, _lax_const(x, 0)), rem, lax.add(rem, two))
  return lax.sub(rem, _lax_const(x, period))


@library_jit
def copysign(x1, x2, /):
  """The magnitude of ``x1`` with the sign of ``x2``."""
  x1, x2 = promote_args_inexact("copysign", x1, x2)
  if _is(x1, np.complexfloating):
    raise TypeError("copysign does not support complex-valued inputs")
  return where(signbit(x2), lax.neg(lax.abs(x1)), lax.abs(x1))


@library_jit
def heaviside(x1, x2, /):
  """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``."""
  x1, x2 = promote_args_inexact("heaviside", x1, x2)
  # JAX's formulation (NaN x1 stays NaN); constants weak for a weak scalar x1, as JAX's
  zero = _lax_const(x1, 0)
  return where(lax.lt(x1, zero), zero,
               where(lax.gt(x1, zero), _lax_const(x1, 1), where(lax.ne(x1, x1), x1, x2)))


@library_jit
def ldexp(x1, x2, /):
  """``x1 * 2 ** x2`` for integer ``x2``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ldexp(jnp.float32(0.75), 4)
  Array(12., dtype=float32)
  """
  check_arraylike("ldexp", x1, x2)
  x1_dtype, x2_dtype = _dtype(x1), _dtype(x2)
  if dtypes.issubdtype(x1_dtype, np.complexfloating) or dtypes.issubdtype(x2_dtype, np.inexact):
    raise ValueError(f"ldexp not supported for input types {(x1_dtype, x2_dtype)}")
  (x1,) = promote_args_inexact("ldexp", x1)
  x2 = lax.convert_element_type(x2, _dtype(x1))
  # JAX's way: the exponent split off first (no overflow for small x1 and
  # large x2), one step kept back where the sum may overflow by one.
  m, e = frexp(x1)
  e = (e.astype(x2.dtype) + x2).astype(x1.dtype)
  m = _where(e > 0, m * 2, m)
  e = _where(e > 0, e - 1, e)
  out = m * (2 ** e.astype(m.dtype))
  return _where(isinf(x1) | (x1 == 0), x1, out)


@library_jit
def frexp(x, /):
  """Mantissa in [0.5, 1) and integer exponent, ``x == m * 2**e``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.frexp(jnp.float32(12.0))
  (Array(0.75, dtype=float32), Array(4, dtype=int32))
  """
  check_arraylike("frexp", x)
  (x,) = promote_args_inexact("frexp", x)
  if _is(x, np.complexfloating):
    raise TypeError("frexp does not support complex-valued inputs")
  return _custom_frexp()(x)


_FREXP = []


def _custom_frexp():
  """JAX's _frexp: exponent and mantissa read from the bits (subnormals scaled
  up first), as a custom_jvp (made on first use: custom_derivatives sits above
  numpy's imports)."""
  if _FREXP:
    return _FREXP[0]
  from jaxlite.custom_derivatives import custom_jvp  # pylint: disable=g-import-not-at-top

  def bits_of(x):
    info = dtypes.finfo(_dtype(x))
    int_type = np.dtype(f"int{info.bits}").type
    small = lax.abs(x) < info.tiny
    scaled = _where(small, x * _lax_const(x, 1 << info.nmant), x)
    shift = _where(small, int_type(-info.nmant), int_type(0))
    return lax.bitcast_convert_type(scaled, np.dtype(int_type)), shift

  def _frexp(x):
    info = dtypes.finfo(_dtype(x))
    mask = (1 << info.nexp) - 1
    bias = 1 - info.minexp
    m, e = bits_of(x)
    e += ((m >> info.nmant) & mask) - bias + 1
    m &= ~(mask << info.nmant)
    m |= (bias - 1) << info.nmant
    m = lax.bitcast_convert_type(m, _dtype(x))
    special = isinf(x) | isnan(x) | (x == 0)
    e = _where(special, lax_structural.full_like(e, 0), e)
    return _where(special, x, m), lax.convert_element_type(e, np.int32)

  _frexp = custom_jvp(_frexp)

  @_frexp.defjvp
  def _frexp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    m, e = frexp(x)
    dm = t * exp2(-e.astype(t.dtype))
    de = np.zeros(np.shape(e), dtype=dtypes.float0)   # integer outputs: float0 tangents
    return (m, e), (dm, de)

  _FREXP.append(_frexp)
  return _frexp


@library_jit
def modf(x, /, out=None):
  """Fractional and integral parts, both with the sign of ``x``."""
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.modf is not supported.")
  check_arraylike("modf", x)
  (x,) = promote_args_inexact("modf", x)
  # JAX's formulation: floor or ceil by the sign, through _where.
  whole = where(lax.ge(x, _constant_like(x, 0)), floor(x), ceil(x))
  return subtract(x, whole), whole


@library_jit(static_argnames=("deg",))
def angle(z, deg: bool = False):
  """The argument of a complex number (in degrees if ``deg``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.angle(jnp.complex64(1j))
  Array(1.5707964, dtype=float32)
  """
  check_arraylike("angle", z)
  z = promotion.ensure_array(promotion.asarray_value(z))
  re, im = real(z), imag(z)
  # As JAX: integers and real scalars become strong default floats (so a
  # bfloat16 scalar gives float32, and a weak scalar a strong result).
  if not dtypes.issubdtype(re.dtype, np.inexact) or (
      dtypes.issubdtype(z.dtype, np.floating) and z.ndim == 0):
    float_ = dtypes.default_float_dtype()
    re = lax.convert_element_type(re, float_)
    im = lax.convert_element_type(im, float_)
  out = lax.atan2(im, re)
  return rad2deg(out) if deg else out

@library_jit(inline=True)
def spacing(x, /):
  """The distance from ``x`` to the next representable number away from zero.

  Negative for negative ``x``; the smallest subnormal at zero (XLA flushes
  subnormal differences to zero on CPU, so that one is put back by hand).

  >>> import jaxlite.numpy as jnp
  >>> jnp.spacing(jnp.float32(1.0))
  Array(1.1920929e-07, dtype=float32)
  """
  (x,) = promote_args_inexact("spacing", x)
  if _is(x, np.complexfloating):
    raise ValueError("jnp.spacing is not defined for complex inputs.")
  inf = _constant_like(x, np.inf)
  if _dtype(x) == np.float16:
    # NumPy steps float16 toward +inf whatever the sign.
    return lax.sub(lax.nextafter(x, inf), x)
  out = lax.sub(lax.nextafter(x, copysign(inf, x)), x)
  tiny = dtypes.finfo(_dtype(x)).smallest_subnormal
  return _where(out == 0, copysign(tiny, x), out)


@library_jit
def i0(x):
  """The modified Bessel function of the first kind, order zero.

  >>> import jaxlite.numpy as jnp
  >>> jnp.i0(jnp.float32(1.0))
  Array(1.266066, dtype=float32)
  """
  check_arraylike("i0", x)
  (x,) = promote_args_inexact("i0", x)
  if not _is(x, np.floating):
    raise ValueError(f"Unsupported input type to jax.numpy.i0: {_dtype(x)}")
  return _custom_i0()(x)


_I0 = []


def _custom_i0():
  """JAX's ``_i0``: ``exp(|x|) * bessel_i0e(|x|)`` (bessel_i0e computes float16
  and bfloat16 in float32, as JAX's), with a zero derivative at 0 (made on
  first use: custom_derivatives sits above numpy's imports)."""
  if _I0:
    return _I0[0]
  from jaxlite.custom_derivatives import custom_jvp  # pylint: disable=g-import-not-at-top
  from jaxlite.differentiation import jvp  # pylint: disable=g-import-not-at-top

  def _i0(x):
    abs_x = lax.abs(x)
    return lax.mul(lax.exp(abs_x), lax.bessel_i0e(abs_x))

  fun = custom_jvp(_i0)

  def _i0_jvp(primals, tangents):
    primal_out, tangent_out = jvp(_i0, primals, tangents)
    return primal_out, where(lax.eq(primals[0], _constant_like(primals[0], 0)), 0.0,
                             tangent_out)
  fun.defjvp(_i0_jvp)
  _I0.append(fun)
  return fun



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
