"""``jaxlite.scipy.special``: SciPy's special functions on XLA, with JAX's
algorithms (and so JAX's numbers).

  >>> from jaxlite.scipy import special
  >>> special.logsumexp(np.array([1., 2., 3.]))
  Array(3.407606, dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.custom_derivatives import custom_jvp
from jaxlite.interpreters.ad import stop_gradient
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact

__all__ = ["logsumexp", "erf", "erfc", "erfinv", "gammaln", "digamma", "xlogy", "xlog1py",
           "expit", "logit", "ndtr", "ndtri", "log_ndtr", "entr", "softmax", "log_softmax"]


# --- reductions with axis/keepdims/where (shared with jaxlite.nn) -------------------------


def reduction_axes(x, axis) -> tuple[int, ...]:
  """``axis`` (None, an int or a tuple; negative allowed) as sorted positive axes."""
  ndim = np.ndim(x)
  if axis is None:
    return tuple(range(ndim))
  axes = axis if isinstance(axis, (tuple, list)) else (axis,)
  out = []
  for a in axes:
    a = operator.index(a)
    # As NumPy's ufunc reductions, a 0-d array takes axis 0 or -1 too.
    if not -max(ndim, 1) <= a < max(ndim, 1):
      raise ValueError(f"axis {a} is out of bounds for array of dimension {ndim}")
    out.append(a % max(ndim, 1))
  if ndim == 0:
    return ()
  if len(set(out)) != len(out):
    raise ValueError(f"duplicate value in 'axis': {axis}")
  return tuple(sorted(out))


def keep_dims(x, reduced, axes):
  """``reduced`` with the reduced ``axes`` of ``x`` put back as size 1."""
  del x   # JAX re-inserts the axes with lax.expand_dims (a broadcast_in_dim)
  return lax.expand_dims(reduced, tuple(sorted(a % (np.ndim(reduced) + len(axes))
                                               for a in axes)))


def masked_reduce(x, axes, kind, where=None, initial=None, keepdims=False):
  """``max`` or ``sum`` of ``x`` over ``axes``; entries where ``where`` is False
  count as the identity (``initial`` for max, which is then also a floor)."""
  dtype = core.get_aval(x).dtype
  if kind == "max":
    identity = -np.inf if initial is None else initial
    reduce = lax.reduce_max
  else:
    identity = 0
    reduce = lax.reduce_sum
  if where is not None:
    where = jnp.broadcast_to(where, np.shape(x)) if hasattr(jnp, "broadcast_to") else \
        lax.broadcast_in_dim(where, np.shape(x),
                             tuple(range(np.ndim(x) - np.ndim(where), np.ndim(x))))
    x = lax.select(where, x, lax.full(np.shape(x), identity, dtype))
  out = reduce(x, axes)
  if kind == "max" and initial is not None:
    out = lax.max(lax.full(np.shape(out), initial, dtype), out)   # JAX's operand order
  return keep_dims(x, out, axes) if keepdims else out


# --- logsumexp and softmax ----------------------------------------------------------------


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
  r"""``log(sum(b * exp(a)))`` over ``axis``, computed stably (the maximum is
  subtracted first).

  Args:
    a: the input array.
    axis: axis or axes to reduce (default: all).
    b: optional scaling factors, broadcast against ``a``; negative factors
      make the sum negative (then ``nan`` unless ``return_sign``).
    keepdims: keep the reduced axes with size 1.
    return_sign: also return the sign of the sum, and log its absolute value.
    where: elements to include.

  >>> from jaxlite.scipy.special import logsumexp
  >>> logsumexp(np.array([0., 0.]))
  Array(0.6931472, dtype=float32)
  """
  if where is not None:
    a = jnp.where(where, a, 0)
  if b is not None:
    a, b = map(jnp.asarray, promote_args_inexact("logsumexp", a, b))
    a = jnp.where(b != 0, a, -np.inf)
  else:
    a = jnp.asarray(promote_args_inexact("logsumexp", a)[0])
  axes = reduction_axes(a, axis)
  is_complex = dtypes.issubdtype(a.dtype, np.complexfloating)
  amax = masked_reduce(lax.real(a) if is_complex else a, axes, "max", where, -np.inf, keepdims)
  amax = stop_gradient(lax.select(lax.is_finite(amax), amax, lax.full_like(amax, 0)))
  amax_dims = amax if keepdims else keep_dims(a, amax, axes)
  exp_a = lax.exp(jnp.subtract(a, lax.convert_element_type(amax_dims, a.dtype)))
  if b is not None:
    exp_a = jnp.multiply(exp_a, b)
  sumexp = masked_reduce(exp_a, axes, "sum", where, keepdims=keepdims)
  sign = lax.sign(sumexp)
  if return_sign or not is_complex:
    sumexp = lax.abs(sumexp)
  out = lax.add(lax.log(sumexp), lax.convert_element_type(amax, sumexp.dtype))
  if return_sign:
    return out, sign
  if b is not None and not is_complex:
    out = jnp.where(lax.lt(sign, lax.full_like(sign, 0)), np.array(np.nan, out.dtype), out)
  return out


def _softmax_impl(x, axis, where, initial):
  x_max = masked_reduce(x, axis, "max", where, initial, keepdims=True)
  x_safe = x if where is None else jnp.where(where, x, initial)
  unnormalized = lax.exp(jnp.subtract(x_safe, x_max))
  result = jnp.divide(unnormalized, masked_reduce(unnormalized, axis, "sum", where,
                                                  keepdims=True))
  if where is not None:
    result = jnp.where(where, result, 0)
  return result


# The JVP of softmax is written in terms of softmax (no gradient through the max).
_softmax = custom_jvp(_softmax_impl, nondiff_argnums=(1,))


@_softmax.defjvp
def _softmax_jvp(axis, primals, tangents):
  (x, where, initial), (x_dot, _, _) = primals, tangents
  y = _softmax(x, axis, where, initial)
  inner = masked_reduce(lax.mul(y, x_dot), axis, "sum", where, keepdims=True)
  return y, lax.mul(y, jnp.subtract(x_dot, inner))


def softmax(x, /, *, axis=None):
  r"""``exp(x) / sum(exp(x))`` over ``axis`` (all axes by default, as SciPy).

  >>> from jaxlite.scipy.special import softmax
  >>> softmax(np.array([[0., 0.], [0., 0.]]))
  Array([[0.25, 0.25],
         [0.25, 0.25]], dtype=float32)
  """
  return masked_softmax(x, axis, None)


def log_softmax(x, /, *, axis=None):
  r"""``x - logsumexp(x)`` over ``axis`` (all axes by default, as SciPy).

  >>> from jaxlite.scipy.special import log_softmax
  >>> log_softmax(np.array([0., 0.]))
  Array([-0.6931472, -0.6931472], dtype=float32)
  """
  return masked_log_softmax(x, axis, None)


def masked_softmax(x, axis, where):
  """Softmax over ``axis`` of the entries where ``where`` holds (jaxlite.nn's too)."""
  x = jnp.asarray(promote_args_inexact("softmax", x)[0])
  return _softmax(x, reduction_axes(x, axis), where, -np.inf)


def masked_log_softmax(x, axis, where):
  """Log-softmax over ``axis`` of the entries where ``where`` holds (jaxlite.nn's too)."""
  x = jnp.asarray(promote_args_inexact("log_softmax", x)[0])
  axes = reduction_axes(x, axis)
  x_max = masked_reduce(x, axes, "max", where, -np.inf, keepdims=True)
  x_safe = x if where is None else jnp.where(where, x, -np.inf)
  shifted = jnp.subtract(x_safe, stop_gradient(x_max))
  shifted_logsumexp = lax.log(masked_reduce(lax.exp(shifted), axes, "sum", where,
                                            keepdims=True))
  result = jnp.subtract(shifted, shifted_logsumexp)
  if where is not None:
    return jnp.where(where, result, -np.inf)
  return result


# --- elementwise special functions --------------------------------------------------------


def erf(x):
  """The error function.

  >>> from jaxlite.scipy.special import erf
  >>> erf(0.5)
  Array(0.5204999, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("erf", x)
  return lax.erf(x)


def erfc(x):
  """The complementary error function ``1 - erf(x)``.

  >>> from jaxlite.scipy.special import erfc
  >>> erfc(0.5)
  Array(0.47950017, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("erfc", x)
  return lax.erfc(x)


def erfinv(x):
  """The inverse of the error function on (-1, 1).

  >>> from jaxlite.scipy.special import erfinv
  >>> erfinv(0.5)
  Array(0.47693628, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("erfinv", x)
  return lax.erf_inv(x)


def gammaln(x):
  """The log of the absolute value of the gamma function.

  >>> from jaxlite.scipy.special import gammaln
  >>> gammaln(4.)
  Array(1.7917603, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("gammaln", x)
  return lax.lgamma(x)


def digamma(x):
  """The digamma function, the derivative of ``gammaln``.

  >>> from jaxlite.scipy.special import digamma
  >>> digamma(1.)
  Array(-0.5772154, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("digamma", x)
  return lax.digamma(x)


@custom_jvp
def _expit(x):
  return lax.logistic(x)


_expit.defjvps(lambda g, ans, x: lax.mul(g, lax.mul(ans, lax.sub(lax.full_like(ans, 1), ans))))


def expit(x):
  """The logistic sigmoid ``1 / (1 + exp(-x))``.

  >>> from jaxlite.scipy.special import expit
  >>> expit(0.)
  Array(0.5, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("expit", x)
  return _expit(x)


@custom_jvp
def _logit(x):
  return lax.log(lax.div(x, lax.sub(lax.full_like(x, 1), x)))


_logit.defjvps(lambda g, ans, x: lax.div(g, lax.mul(x, lax.sub(lax.full_like(x, 1), x))))


def logit(x):
  """The logit ``log(p / (1 - p))``, the inverse of ``expit``.

  >>> from jaxlite.scipy.special import logit
  >>> logit(0.5)
  Array(0., dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("logit", x)
  return _logit(x)


@custom_jvp
def _xlogy(x, y):
  ok = lax.bitwise_or(lax.ne(x, lax.full_like(x, 0)), lax.ne(y, y))
  return jnp.where(ok, lax.mul(x, lax.log(y)), lax.full_like(x, 0))


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
  (x, y), (x_dot, y_dot) = primals, tangents
  out = _xlogy(x, y)
  return out, lax.add(lax.mul(x_dot, lax.log(y)), lax.div(lax.mul(y_dot, x), y))


def xlogy(x, y):
  """``x * log(y)``, defined as 0 where ``x == 0`` (unless ``y`` is nan).

  >>> from jaxlite.scipy.special import xlogy
  >>> xlogy(0., 0.)
  Array(0., dtype=float32, weak_type=True)
  """
  x, y = promote_args_inexact("xlogy", x, y)
  return _xlogy(x, y)


@custom_jvp
def _xlog1py(x, y):
  ok = lax.bitwise_or(lax.ne(x, lax.full_like(x, 0)), lax.ne(y, y))
  return jnp.where(ok, lax.mul(x, lax.log1p(y)), lax.full_like(x, 0))


@_xlog1py.defjvp
def _xlog1py_jvp(primals, tangents):
  (x, y), (x_dot, y_dot) = primals, tangents
  out = _xlog1py(x, y)
  one = lax.full_like(y, 1)
  return out, lax.add(lax.mul(x_dot, lax.log1p(y)),
                      lax.div(lax.mul(y_dot, x), lax.add(one, y)))


def xlog1py(x, y):
  """``x * log1p(y)``, defined as 0 where ``x == 0`` (unless ``y`` is nan).

  >>> from jaxlite.scipy.special import xlog1py
  >>> xlog1py(0., -1.)
  Array(0., dtype=float32, weak_type=True)
  """
  x, y = promote_args_inexact("xlog1py", x, y)
  return _xlog1py(x, y)


@custom_jvp
def _xlogx(x):
  return _xlogy(x, x)


_xlogx.defjvps(lambda g, ans, x: lax.mul(g, lax.add(lax.log(x), lax.full_like(x, 1))))


def entr(x):
  r"""The entropy term ``-x log(x)`` (0 at 0, ``-inf`` for negative ``x``).

  >>> from jaxlite.scipy.special import entr
  >>> entr(1.)
  Array(-0., dtype=float32, weak_type=True)
  """
  x = jnp.asarray(promote_args_inexact("entr", x)[0])
  if dtypes.issubdtype(x.dtype, np.complexfloating):
    raise ValueError("entr does not support complex-valued inputs.")
  return lax.select(lax.lt(x, lax.full_like(x, 0)), lax.full_like(x, -np.inf),
                    lax.neg(_xlogx(x)))


# --- the normal distribution function -------------------------------------------------------


def _float32_or_64(name, x):
  x = jnp.asarray(x)
  if x.dtype not in (np.float32, np.float64):
    raise TypeError(f"x.dtype={x.dtype} is not supported, see docstring for supported types.")
  return x


def _ndtr(x):
  # NumPy scalar constants (not weak types): the result is strongly typed, as JAX's.
  dtype = x.dtype.type
  half_sqrt_2 = dtype(0.5) * np.sqrt(2., dtype=dtype)
  w = x * half_sqrt_2
  z = lax.abs(w)
  # erf near 0, erfc in the tails (no cancellation in 1 - erf).
  y = lax.select(lax.lt(z, half_sqrt_2), dtype(1.) + lax.erf(w),
                 lax.select(lax.gt(w, dtype(0.)), dtype(2.) - lax.erfc(z), lax.erfc(z)))
  return dtype(0.5) * y


def ndtr(x):
  r"""The standard normal CDF: ``(1 + erf(x / sqrt(2))) / 2``.

  >>> from jaxlite.scipy.special import ndtr
  >>> ndtr(0.)
  Array(0.5, dtype=float32)
  """
  return _ndtr(_float32_or_64("ndtr", x))


# Cephes' rational approximations for ndtri (ndtri.c, S. L. Moshier).
_NDTRI_P0 = [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
             1.39312609387279679503E1, -1.23916583867381258016E0]
_NDTRI_Q0 = [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
             -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
             1.59056225126211695515E1, -1.18331621121330003142E0]
_NDTRI_P1 = [4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
             4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
             -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4]
_NDTRI_Q1 = [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
             1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
             -3.80806407691578277194E-2, -9.33259480895457427372E-4]
_NDTRI_P2 = [3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
             1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
             3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9]
_NDTRI_Q2 = [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
             2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
             2.89247864745380683936E-6, 6.79019408009981274425E-9]


def _polyval(coeffs, x):
  """Horner's rule from an accumulator of 0, as a scan over the coefficients
  (as ``jnp.polyval``; the loop also makes XLA round as it does for JAX)."""
  c = np.asarray(coeffs, x.dtype)
  step = lambda y, p: (lax.add(lax.mul(y, x), lax.broadcast_in_dim(p, np.shape(x), ())), None)
  y, _ = lax.scan(step, lax.full_like(x, 0), c, unroll=16)
  return y


def ndtri(p):
  r"""The inverse of the standard normal CDF (Cephes' piecewise rational
  approximation).

  >>> from jaxlite.scipy.special import ndtri
  >>> ndtri(0.975)
  Array(1.9599643, dtype=float32)
  """
  p = _float32_or_64("ndtri", p)
  dtype = p.dtype.type
  maybe_complement = jnp.where(p > dtype(-np.expm1(-2.)), dtype(1.) - p, p)
  mcp = jnp.where(maybe_complement == dtype(0.), jnp.full(p.shape, dtype(0.5)), maybe_complement)
  # Central region: x = w + w**3 P(w**2) / Q(w**2), scaled.
  w = mcp - dtype(0.5)
  ww = lax.square(w)
  x_big = w + w * ww * (_polyval(_NDTRI_P0, ww) / _polyval(_NDTRI_Q0, ww))
  x_big = x_big * -dtype(np.sqrt(2. * np.pi))
  # Tails: x = z - log(z)/z - P(1/z) / (z Q(1/z)), z = sqrt(-2 log p).
  z = lax.sqrt(dtype(-2.) * lax.log(mcp))
  first = z - lax.log(z) / z
  second_small = _polyval(_NDTRI_P2, 1 / z) / _polyval(_NDTRI_Q2, 1 / z) / z
  second_other = _polyval(_NDTRI_P1, 1 / z) / _polyval(_NDTRI_Q1, 1 / z) / z
  x = jnp.where(mcp > dtype(np.exp(-2.)), x_big,
                jnp.where(z >= dtype(8.0), first - second_small, first - second_other))
  x = jnp.where(p > dtype(1. - np.exp(-2.)), x, -x)
  infinity = jnp.full(p.shape, dtype(np.inf))
  return jnp.where(p == dtype(0.0), -infinity, jnp.where(p == dtype(1.0), infinity, x))


_LOG_NDTR_SEGMENTS = {np.dtype(np.float32): (np.float32(-10), np.float32(5)),
                      np.dtype(np.float64): (np.float64(-20), np.float64(8))}


def _log_ndtr_asymptotic_series(x, series_order):
  dtype = x.dtype.type
  if series_order <= 0:
    return np.array(1, dtype)
  x_2 = lax.square(x)
  even_sum = jnp.zeros_like(x)
  odd_sum = jnp.zeros_like(x)
  x_2n = x_2
  for n in range(1, series_order + 1):
    y = np.array(np.prod(np.arange(2 * n - 1, 1, -2)), dtype) / x_2n  # (2n-1)!! / x**2n
    if n % 2:
      odd_sum = odd_sum + y
    else:
      even_sum = even_sum + y
    x_2n = x_2n * x_2
  return dtype(1.) + even_sum - odd_sum


def _log_ndtr_lower(x, series_order):
  """The asymptotic expansion of log(ndtr(x)) for x << -1."""
  dtype = x.dtype.type
  x_2 = lax.square(x)
  log_scale = -dtype(0.5) * x_2 - lax.log(-x) - dtype(0.5 * np.log(2. * np.pi))
  return log_scale + lax.log(_log_ndtr_asymptotic_series(x, series_order))


def _log_ndtr(x, series_order):
  lower, upper = _LOG_NDTR_SEGMENTS[x.dtype]
  above = lax.gt(x, upper)
  # One ndtr call for both branches; max/min keep the unchosen branch finite.
  ndtr_arg = jnp.where(above, -x, lax.max(x, lower))
  ndtr_res = _ndtr(ndtr_arg)
  return jnp.where(above, -ndtr_res,
                   jnp.where(lax.gt(x, lower), lax.log(ndtr_res),
                             _log_ndtr_lower(lax.min(x, lower), series_order)))


_log_ndtr = custom_jvp(_log_ndtr, nondiff_argnums=(1,))


@_log_ndtr.defjvp
def _log_ndtr_jvp(series_order, primals, tangents):
  (x,), (t,) = primals, tangents
  ans = _log_ndtr(x, series_order)
  log_pdf = lax.sub(lax.mul(lax.full_like(x, -0.5), lax.square(x)),
                    lax.full_like(x, np.log(np.sqrt(2 * np.pi))))
  return ans, lax.mul(t, lax.exp(lax.sub(log_pdf, ans)))


def log_ndtr(x, series_order=3):
  r"""``log(ndtr(x))``, accurate far into both tails (an asymptotic series
  below -10 in float32, -20 in float64).

  >>> from jaxlite.scipy.special import log_ndtr
  >>> log_ndtr(-20.)
  Array(-203.91716, dtype=float32)
  """
  if not isinstance(series_order, int):
    raise TypeError("series_order must be a Python integer.")
  if series_order < 0:
    raise ValueError("series_order must be non-negative.")
  if series_order > 30:
    raise ValueError("series_order must be <= 30.")
  x = jnp.asarray(x)
  if x.dtype not in _LOG_NDTR_SEGMENTS:
    raise TypeError(f"x.dtype={x.dtype} is not supported.")
  return _log_ndtr(x, series_order)


# jax.nn.log1mexp; here because the distributions need it below jaxlite.nn.
@custom_jvp
def log1mexp(x):
  r"""``log(1 - exp(-x))`` for ``x > 0`` (``jax.nn.log1mexp``), accurate at both
  ends (Maechler 2012: ``log(-expm1(-x))`` below ``log 2``, ``log1p(-exp(-x))`` above).

  >>> from jaxlite import nn
  >>> nn.log1mexp(jnp.array([0.1, 1.0, 10.0]))
  Array([-2.3521686e+00, -4.5867515e-01, -4.5400961e-05], dtype=float32)
  """
  x = jnp.asarray(x)
  return jnp.where(x < jnp.log(2.0), jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


# The gamma/beta/Bessel/zeta family lives in its own module.
from jaxlite.scipy.special_gamma import *  # noqa: F401,F403,E402
from jaxlite.scipy.special_gamma import __all__ as _gamma_family  # noqa: E402

__all__ = __all__ + list(_gamma_family)

# The error-function family, the exponential integrals and the hypergeometric /
# Bessel / spherical-harmonic functions live in their own modules.
from jaxlite.scipy.special_erf import *  # noqa: F401,F403,E402
from jaxlite.scipy.special_erf import __all__ as _erf_family  # noqa: E402
from jaxlite.scipy.special_expint import *  # noqa: F401,F403,E402
from jaxlite.scipy.special_expint import __all__ as _expint_family  # noqa: E402
from jaxlite.scipy.special_hyp import *  # noqa: F401,F403,E402
from jaxlite.scipy.special_hyp import __all__ as _hyp_family  # noqa: E402

__all__ = __all__ + list(_erf_family) + list(_expint_family) + list(_hyp_family)

# Names JAX 0.10.2 serves only behind a DeprecationWarning, or has removed (None):
# reading them goes through the module __getattr__, with JAX's messages.
from jaxlite.scipy.special_legendre import lpmn as _deprecated_lpmn  # noqa: E402
from jaxlite.scipy.special_legendre import lpmn_values as _deprecated_lpmn_values  # noqa: E402
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402

_deprecations = {
    "lpmn": ("jax.scipy.special.lpmn is deprecated; no replacement is planned.",
             _deprecated_lpmn),
    "lpmn_values": ("jax.scipy.special.lpmn_values is deprecated; no replacement is planned.",
                    _deprecated_lpmn_values),
    "sph_harm": ("jax.scipy.special.sph_harm was deprecated in v0.7.0 and removed in"
                 " v0.10.0. Use jax.scipy.special.sph_harm_y instead.", None),
}
__getattr__ = _deprecation_getattr(__name__, _deprecations)
del _deprecation_getattr
