"""Elementwise transcendental primitives: exponentials and logarithms,
trigonometric and hyperbolic functions, roots and powers, and the error and
gamma functions.

Each primitive is defined once, with its lowering, JVP and batching rules
registered right below it (the shared helpers live in ``lax.elementwise``).
JVPs of functions of a complex variable are holomorphic: ``f'(x) * t``.
"""
from __future__ import annotations

__all__ = [
    'exp', 'exp2', 'log', 'log1p', 'expm1', 'tanh', 'logistic', 'sin', 'cos', 'tan',
    'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'sqrt',
    'rsqrt', 'cbrt', 'pow', 'erf', 'erfc', 'erf_inv', 'lgamma', 'digamma',
    'exp_p', 'exp2_p', 'log_p', 'log1p_p', 'expm1_p', 'tanh_p', 'logistic_p', 'sin_p',
    'cos_p', 'tan_p', 'asin_p', 'acos_p', 'atan_p', 'atan2_p', 'sinh_p', 'cosh_p',
    'asinh_p', 'acosh_p', 'atanh_p', 'sqrt_p', 'rsqrt_p', 'cbrt_p', 'pow_p', 'erf_p',
    'erfc_p', 'erf_inv_p', 'lgamma_p', 'digamma_p',
]

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, mlir
from jaxlite.lax import base
from jaxlite.lax.accuracy import accept_accuracy, bind_with_accuracy, binds_directly
from jaxlite.lax.elementwise import (
    _fc, _float, _int, add, check_dtypes, const, div, integer_pow,
    is_kind, mul, naryop, neg, square, sub, zeros_like)

# --- exponentials and logarithms ------------------------------------------------------

exp_p = naryop("exp", _fc, "exponential")
ad.defjvp2(exp_p, lambda g, ans, x: mul(g, ans))


def _exp2_lowering(ctx, x):
  # 2**x = exp(x log 2); XLA has no exp2.
  hlo = mlir.hlo()
  aval = ctx.avals_in[0]
  if is_kind(aval.dtype, "complexfloating"):
    # (A complex splat constant is built from its real part.)
    part = aval.update(dtype=np.finfo(aval.dtype).dtype)
    log2 = hlo.complex(mlir.full_like_aval(np.log(2), part), mlir.full_like_aval(0, part))
  else:
    log2 = mlir.full_like_aval(np.log(2), aval)
  return hlo.exponential(hlo.multiply(x, log2))


exp2_p = naryop("exp2", _fc, _exp2_lowering)
ad.defjvp2(exp2_p, lambda g, ans, x: mul(log(const(x, 2)), mul(g, ans)))

log_p = naryop("log", _fc, "log")
ad.defjvp(log_p, lambda g, x: div(g, x))

log1p_p = naryop("log1p", _fc, "log_plus_one")
ad.defjvp(log1p_p, lambda g, x: div(g, add(const(x, 1), x)))

expm1_p = naryop("expm1", _fc, "exponential_minus_one")
ad.defjvp2(expm1_p, lambda g, ans, x: mul(g, add(ans, const(ans, 1))))

tanh_p = naryop("tanh", _fc, "tanh")
# (g + g*ans) * (1 - ans), JAX's form: 1 - ans**2 loses digits as |ans| -> 1.
ad.defjvp2(tanh_p, lambda g, ans, x: mul(add(g, mul(g, ans)), sub(const(x, 1), ans)))

logistic_p = naryop("logistic", _fc, "logistic")
ad.defjvp2(logistic_p, lambda g, ans, x: mul(g, mul(ans, sub(const(ans, 1), ans))))

# --- trigonometric and hyperbolic ---------------------------------------------------------



def _sin_cos_complex(x, cosine: bool):
  """sin or cos of complex ``x`` from real sin/cos and expm1, as JAX lowers them
  (XLA's complex sine/cosine round differently and give other signed zeros):
  sinh(b), cosh(b) as (expm1(b) -+ expm1(-b)) / 2 (+ 1) keep small |b| accurate."""
  from jaxlite.lax import bitwise
  from jaxlite.lax.elementwise import complex as make_complex, imag, real
  a, b = real(x), imag(x)
  a_is_zero = bitwise.eq(a, const(a, 0))
  two = const(a, 2)
  sn, cs = sin(a), cos(a)
  e1m, e2m = expm1(b), expm1(neg(b))
  snh, csh = div(sub(e1m, e2m), two), div(add(add(e1m, e2m), two), two)
  if cosine:
    re, im = mul(cs, csh), mul(neg(sn), snh)
    return bitwise.select(a_is_zero, make_complex(re, const(a, 0)), make_complex(re, im))
  re, im = mul(sn, csh), mul(cs, snh)
  # a = 0 and |b| huge: expm1 overflows, re would be 0 * inf.
  return bitwise.select(a_is_zero, make_complex(const(a, 0), im), make_complex(re, im))


def _sin_cos_lowering(hlo_name: str, cosine: bool):
  real_rule = base.nary_lowering(hlo_name, broadcast=False)
  complex_rule = mlir.lower_fun(lambda x: _sin_cos_complex(x, cosine), multiple_results=False)

  def rule(ctx, x, **params):
    if is_kind(ctx.avals_in[0].dtype, "complexfloating"):
      return complex_rule(ctx, x)
    return real_rule(ctx, x, **params)
  return rule


sin_p = naryop("sin", _fc, _sin_cos_lowering("sine", cosine=False))
cos_p = naryop("cos", _fc, _sin_cos_lowering("cosine", cosine=True))
tan_p = naryop("tan", _fc, "tan")
ad.defjvp(sin_p, lambda g, x: mul(g, cos(x)))
ad.defjvp(cos_p, lambda g, x: neg(mul(g, sin(x))))
ad.defjvp2(tan_p, lambda g, ans, x: mul(g, add(const(ans, 1), square(ans))))

asin_p = naryop("asin", _fc, "chlo.asin")
acos_p = naryop("acos", _fc, "chlo.acos")
atan_p = naryop("atan", _fc, "chlo.atan")
ad.defjvp(asin_p, lambda g, x: mul(g, rsqrt(sub(const(x, 1), square(x)))))
ad.defjvp(acos_p, lambda g, x: neg(mul(g, rsqrt(sub(const(x, 1), square(x))))))
ad.defjvp(atan_p, lambda g, x: div(g, add(const(x, 1), square(x))))

sinh_p = naryop("sinh", _fc, "chlo.sinh")
cosh_p = naryop("cosh", _fc, "chlo.cosh")
ad.defjvp(sinh_p, lambda g, x: mul(g, cosh(x)))
ad.defjvp(cosh_p, lambda g, x: mul(g, sinh(x)))

asinh_p = naryop("asinh", _fc, "chlo.asinh")
acosh_p = naryop("acosh", _fc, "chlo.acosh")
atanh_p = naryop("atanh", _fc, "chlo.atanh")
ad.defjvp(asinh_p, lambda g, x: mul(g, rsqrt(add(square(x), const(x, 1)))))
# 1 / sqrt(x**2 - 1), as JAX (its domain is x >= 1, so no cancellation issue).
ad.defjvp(acosh_p, lambda g, x: mul(g, rsqrt(sub(square(x), const(x, 1)))))
ad.defjvp(atanh_p, lambda g, x: mul(div(const(x, 1), add(const(x, 1), x)),
                                   div(g, sub(const(x, 1), x))))

atan2_p = naryop("atan2", [_fc, _fc], "atan2")


def _atan2_jvp_lhs(g, x, y):
  return mul(g, div(y, add(square(x), square(y))))


def _atan2_jvp_rhs(g, x, y):
  return mul(g, div(neg(x), add(square(x), square(y))))


ad.defjvp(atan2_p, _atan2_jvp_lhs, _atan2_jvp_rhs)

# --- roots and powers -----------------------------------------------------------------

sqrt_p = naryop("sqrt", _fc, "sqrt")
rsqrt_p = naryop("rsqrt", _fc, "rsqrt")
cbrt_p = naryop("cbrt", _float, "cbrt")
ad.defjvp2(sqrt_p, lambda g, ans, x: mul(g, div(const(x, 0.5), ans)))
ad.defjvp2(rsqrt_p, lambda g, ans, x: mul(g, mul(const(x, -0.5), div(ans, x))))
ad.defjvp2(cbrt_p, lambda g, ans, x: mul(g, mul(const(x, 1 / 3), integer_pow(ans, -2))))


def _pow_dtype_rule(x, y):
  check_dtypes("pow", [_fc, _int + _fc], [x, y])
  if is_kind(y.dtype, "inexact") and x.dtype != y.dtype:
    raise TypeError(
        "the first argument to pow must have an inexact dtype (float or complex), and "
        "the second argument must have an inexact or integer dtype, and two inexact "
        f"dtypes must match, but got {x.dtype.name} and {y.dtype.name} respectively.")
  return x.dtype


def _pow_lowering(ctx, x, y):
  # An integer exponent is converted to the base's type: stablehlo.power
  # wants one element type.
  x_aval, y_aval = ctx.avals_in
  if x_aval.dtype != y_aval.dtype:
    y_aval = y_aval.update(dtype=x_aval.dtype)
    y = mlir.convert(y, y_aval)
    ctx = ctx.replace(avals_in=[x_aval, y_aval])
  x, y = base.broadcast_operands(ctx, [x, y])
  return mlir.hlo().power(x, y)


pow_p = naryop("pow", [_fc, _int + _fc], _pow_lowering, dtype_rule=_pow_dtype_rule)


def _replace_zero(x):
  """``x`` with zeros replaced by ones (keeps log and division finite)."""
  from jaxlite.lax import bitwise, structural
  return bitwise.select(bitwise.eq(x, const(x, 0)), structural.full_like(x, 1), x)


def _pow_jvp_lhs(g, ans, x, y):
  # d/dx x**y = y x**(y-1), JAX's formulation: exactly 0 where an integer y is
  # 0; a float y of 0 at x = 0 gives 0 * inf = nan, as in JAX.
  from jaxlite.lax import bitwise
  from jaxlite.lax.structural import convert_element_type
  integer_y = dtypes.issubdtype(core.get_aval(y).dtype, np.integer)
  y = convert_element_type(y, core.get_aval(x).dtype)
  if not integer_y:
    return mul(g, mul(y, pow(x, sub(y, const(y, 1)))))
  jac = mul(_replace_zero(y), pow(x, sub(y, const(y, 1))))
  return mul(g, bitwise.select(bitwise.eq(y, const(y, 0)), zeros_like(jac), jac))


def _pow_jvp_rhs(g, ans, x, y):
  # d/dy x**y = log(x) x**y, taken as 0 at x = 0; cast to y's dtype, strongly
  # typed, as JAX does (its transpose makes a weak y's cotangent weak again).
  from jaxlite.lax.structural import convert_element_type
  return convert_element_type(mul(g, mul(log(_replace_zero(x)), ans)), core.get_aval(y).dtype)


ad.defjvp2(pow_p, _pow_jvp_lhs, _pow_jvp_rhs)

# --- error and gamma functions ----------------------------------------------------------

erf_p = naryop("erf", _float, "chlo.erf")
erfc_p = naryop("erfc", _float, "chlo.erfc")
erf_inv_p = naryop("erf_inv", _float, "chlo.erf_inv")
_two_over_sqrt_pi = 2 / np.sqrt(np.pi)
ad.defjvp(erf_p, lambda g, x: mul(g, mul(const(x, _two_over_sqrt_pi), exp(neg(square(x))))))
ad.defjvp(erfc_p, lambda g, x: mul(g, mul(const(x, -_two_over_sqrt_pi), exp(neg(square(x))))))
ad.defjvp2(erf_inv_p,
           lambda g, ans, x: mul(g, mul(const(x, np.sqrt(np.pi) / 2), exp(square(ans)))))

lgamma_p = naryop("lgamma", _float, "chlo.lgamma")
digamma_p = naryop("digamma", _float, "chlo.digamma")
ad.defjvp(lgamma_p, lambda g, x: mul(g, digamma(x)))


def _polygamma_lowering(ctx, x, *, n):
  return mlir.chlo().polygamma(mlir.full_like_aval(n, ctx.avals_in[0]), x)


# The derivatives of digamma: polygamma(n, x) for a static order n >= 1. Private:
# the public ``lax.polygamma`` (with an array order) belongs to lax's special
# functions; this primitive is only what digamma's JVP needs, to any order.
_polygamma_p = naryop("polygamma_static", _float, _polygamma_lowering)
ad.defjvp(_polygamma_p, lambda g, x, *, n: mul(g, _polygamma_p.bind(x, n=n + 1)))
ad.defjvp(digamma_p, lambda g, x: mul(g, _polygamma_p.bind(x, n=1)))


# --- public wrappers (JAX's lax signatures) ------------------------------------------------


@binds_directly(exp_p)
def exp(x, *, accuracy=None):
  r"""Elementwise exponential: :math:`e^x`.

  >>> from jaxlite import lax
  >>> lax.exp(0.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(exp_p, x, accuracy)


def exp2(x, *, accuracy=None):
  r"""Elementwise base-2 exponential: :math:`2^x`.

  >>> from jaxlite import lax
  >>> lax.exp2(3.0)
  Array(8., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(exp2_p, x, accuracy)


@binds_directly(log_p)
def log(x, *, accuracy=None):
  r"""Elementwise natural logarithm: :math:`\log x`.

  >>> from jaxlite import lax
  >>> lax.log(1.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(log_p, x, accuracy)


@binds_directly(log1p_p)
def log1p(x, *, accuracy=None):
  r"""Elementwise :math:`\log(1 + x)`, accurate for small ``x``.

  >>> from jaxlite import lax
  >>> lax.log1p(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(log1p_p, x, accuracy)


@binds_directly(expm1_p)
def expm1(x, *, accuracy=None):
  r"""Elementwise :math:`e^x - 1`, accurate for small ``x``.

  >>> from jaxlite import lax
  >>> lax.expm1(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(expm1_p, x, accuracy)


@binds_directly(tanh_p)
def tanh(x, *, accuracy=None):
  r"""Elementwise hyperbolic tangent.

  >>> from jaxlite import lax
  >>> lax.tanh(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(tanh_p, x, accuracy)


def logistic(x, *, accuracy=None):
  r"""Elementwise logistic sigmoid: :math:`\frac{1}{1 + e^{-x}}`.

  >>> from jaxlite import lax
  >>> lax.logistic(0.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(logistic_p, x, accuracy)


@binds_directly(sin_p)
def sin(x, *, accuracy=None):
  r"""Elementwise sine.

  >>> from jaxlite import lax
  >>> lax.sin(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(sin_p, x, accuracy)


@binds_directly(cos_p)
def cos(x, *, accuracy=None):
  r"""Elementwise cosine.

  >>> from jaxlite import lax
  >>> lax.cos(0.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(cos_p, x, accuracy)


@binds_directly(tan_p)
def tan(x, *, accuracy=None):
  r"""Elementwise tangent.

  >>> from jaxlite import lax
  >>> lax.tan(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(tan_p, x, accuracy)


@binds_directly(asin_p)
def asin(x):
  r"""Elementwise arc sine.

  >>> from jaxlite import lax
  >>> lax.asin(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return asin_p.bind(x)


@binds_directly(acos_p)
def acos(x):
  r"""Elementwise arc cosine.

  >>> from jaxlite import lax
  >>> lax.acos(1.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return acos_p.bind(x)


@binds_directly(atan_p)
def atan(x):
  r"""Elementwise arc tangent.

  >>> from jaxlite import lax
  >>> lax.atan(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return atan_p.bind(x)


def atan2(x, y):
  r"""Elementwise two-argument arc tangent :math:`\operatorname{atan}(x / y)`, in the
  quadrant given by the signs of ``x`` and ``y``.

  >>> from jaxlite import lax
  >>> lax.atan2(0.0, -1.0)
  Array(3.1415927, dtype=float32, weak_type=True)
  """
  return atan2_p.bind(x, y)


@binds_directly(sinh_p)
def sinh(x):
  r"""Elementwise hyperbolic sine.

  >>> from jaxlite import lax
  >>> lax.sinh(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return sinh_p.bind(x)


@binds_directly(cosh_p)
def cosh(x):
  r"""Elementwise hyperbolic cosine.

  >>> from jaxlite import lax
  >>> lax.cosh(0.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return cosh_p.bind(x)


@binds_directly(asinh_p)
def asinh(x):
  r"""Elementwise inverse hyperbolic sine.

  >>> from jaxlite import lax
  >>> lax.asinh(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return asinh_p.bind(x)


@binds_directly(acosh_p)
def acosh(x):
  r"""Elementwise inverse hyperbolic cosine.

  >>> from jaxlite import lax
  >>> lax.acosh(1.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return acosh_p.bind(x)


@binds_directly(atanh_p)
def atanh(x):
  r"""Elementwise inverse hyperbolic tangent.

  >>> from jaxlite import lax
  >>> lax.atanh(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return atanh_p.bind(x)


def sqrt(x, *, accuracy=None):
  r"""Elementwise square root: :math:`\sqrt{x}`.

  >>> from jaxlite import lax
  >>> lax.sqrt(4.0)
  Array(2., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(sqrt_p, x, accuracy)


def rsqrt(x, *, accuracy=None):
  r"""Elementwise reciprocal square root: :math:`1 / \sqrt{x}`.

  >>> from jaxlite import lax
  >>> lax.rsqrt(4.0)
  Array(0.5, dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(rsqrt_p, x, accuracy)


def cbrt(x, *, accuracy=None):
  r"""Elementwise cube root: :math:`\sqrt[3]{x}` (real, so negative inputs work).

  >>> from jaxlite import lax
  >>> lax.cbrt(-8.0)
  Array(-2., dtype=float32, weak_type=True)
  """
  return bind_with_accuracy(cbrt_p, x, accuracy)


def pow(x, y):
  r"""Elementwise power :math:`x^y`.

  ``x`` is floating or complex; ``y`` is an integer array or of ``x``'s dtype.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.pow(np.float32(2), np.int32(3))
  Array(8., dtype=float32)
  """
  return pow_p.bind(x, y)


def erf(x):
  r"""Elementwise error function: :math:`\frac{2}{\sqrt{\pi}} \int_0^x e^{-t^2} dt`.

  >>> from jaxlite import lax
  >>> lax.erf(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return erf_p.bind(x)


def erfc(x):
  r"""Elementwise complementary error function: :math:`1 - \operatorname{erf}(x)`.

  >>> from jaxlite import lax
  >>> lax.erfc(0.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return erfc_p.bind(x)


def erf_inv(x):
  r"""Elementwise inverse error function.

  >>> from jaxlite import lax
  >>> lax.erf_inv(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return erf_inv_p.bind(x)


def lgamma(x):
  r"""Elementwise log of the absolute value of the gamma function.

  >>> from jaxlite import lax
  >>> lax.lgamma(3.0)  # log(2!), up to float32 rounding
  Array(0.6931474, dtype=float32, weak_type=True)
  """
  return lgamma_p.bind(x)


def digamma(x):
  r"""Elementwise digamma function :math:`\psi(x) = \frac{d}{dx} \log \Gamma(x)`.

  >>> from jaxlite import lax
  >>> lax.digamma(2.0)  # 1 - Euler's gamma, up to float32 rounding
  Array(0.42278463, dtype=float32, weak_type=True)
  """
  return digamma_p.bind(x)


# The functions taking JAX's ``accuracy=`` (lowered to ``result_accuracy``).
for _primitive in (exp_p, exp2_p, log_p, log1p_p, expm1_p, tanh_p, logistic_p, sin_p,
                   cos_p, tan_p, sqrt_p, rsqrt_p, cbrt_p):
  accept_accuracy(_primitive)
del _primitive
