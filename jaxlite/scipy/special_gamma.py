"""The gamma and beta families, Bessel functions, zeta and polygamma, and the
Box-Cox and entropy functions of ``jax.scipy.special``, on lax's primitives.

``jaxlite.scipy.special`` re-exports every public name here.

  >>> from jaxlite.scipy.special import gammainc
  >>> gammainc(1.0, 2.0)
  Array(0.8646648, dtype=float32, weak_type=True)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.custom_derivatives import custom_jvp
from jaxlite.differentiation import jvp
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import concrete_int, promote_args_inexact

__all__ = ["gammainc", "gammaincc", "gammasgn", "gamma", "loggamma", "betaln", "beta",
           "betainc", "factorial", "comb", "poch", "multigammaln", "zeta", "polygamma",
           "i0", "i0e", "i1", "i1e", "boxcox", "boxcox1p", "rel_entr", "kl_div"]


def _no_complex(name, x):
  if dtypes.issubdtype(dtypes.dtype(x), np.complexfloating):
    raise ValueError(f"{name} does not support complex-valued inputs.")


# --- incomplete gamma and beta integrals ------------------------------------------------


def gammainc(a, x):
  r"""The regularized lower incomplete gamma function :math:`P(a, x)`.

  >>> from jaxlite.scipy.special import gammainc
  >>> gammainc(2.0, 1.0)
  Array(0.26424113, dtype=float32, weak_type=True)
  """
  a, x = promote_args_inexact("gammainc", a, x)
  return lax.igamma(a, x)


def gammaincc(a, x):
  r"""The regularized upper incomplete gamma function :math:`Q(a, x) = 1 - P(a, x)`.

  >>> from jaxlite.scipy.special import gammaincc
  >>> gammaincc(2.0, 1.0)
  Array(0.7357589, dtype=float32, weak_type=True)
  """
  a, x = promote_args_inexact("gammaincc", a, x)
  return lax.igammac(a, x)


def betainc(a, b, x):
  r"""The regularized incomplete beta function :math:`I_x(a, b)`.

  >>> from jaxlite.scipy.special import betainc
  >>> betainc(2.0, 3.0, 0.25)
  Array(0.26171887, dtype=float32, weak_type=True)
  """
  a, b, x = promote_args_inexact("betainc", a, b, x)
  return lax.betainc(a, b, x)


# --- the gamma function -------------------------------------------------------------------


def gammasgn(x):
  r"""The sign of the gamma function: +1 or -1, and nan at the poles and for nan.

  >>> from jaxlite.scipy.special import gammasgn
  >>> gammasgn(jnp.array([-0.5, 0.5, -1.5, -2.0]))
  Array([-1.,  1.,  1., nan], dtype=float32)
  """
  x = jnp.asarray(promote_args_inexact("gammasgn", x)[0])
  _no_complex("gammasgn", x)
  floor = lax.floor(x)
  negative = x < 0
  typ = x.dtype.type
  pole_or_nan = (negative & (x == floor)) | jnp.isnan(x)
  minus = (negative & (floor % 2 != 0)) | ((x == 0) & jnp.signbit(x))
  return jnp.select([pole_or_nan, minus], [typ(np.nan), typ(-1.0)], typ(1.0))


def gamma(x):
  r"""The gamma function :math:`\Gamma(x)` for real ``x``.

  >>> from jaxlite.scipy.special import gamma
  >>> gamma(jnp.array([0.5, 4.0, -0.5]))
  Array([ 1.7724537,  6.0000052, -3.5449064], dtype=float32)
  """
  x, = promote_args_inexact("gamma", x)
  _no_complex("gamma", x)
  return gammasgn(x) * lax.exp(lax.lgamma(x))


def loggamma(x):
  r"""The principal branch of :math:`\log\Gamma(x)` for real ``x``: nan for x <= 0.

  >>> from jaxlite.scipy.special import loggamma
  >>> loggamma(jnp.array([4.0, -0.5]))
  Array([1.7917603,       nan], dtype=float32)
  """
  x, = promote_args_inexact("loggamma", x)
  _no_complex("loggamma", x)
  return jnp.where(x > 0, lax.lgamma(x), np.nan)


# cdflib's ALGDIV coefficients: del(x) = ln Gamma(x) - ((x - 1/2) ln x - x + ln(2 pi)/2)
# ~ sum_k c_k / x^(2k+1), the Stirling series' correction term.
_STIRLING = (0.833333333333333e-01, -0.277777777760991e-02, 0.793650666825390e-03,
             -0.595202931351870e-03, 0.837308034031215e-03, -0.165322962780713e-02)


def _log_gamma_ratio(a, b):
  """ln Gamma(b) - ln Gamma(a + b) for b >= 8 and a <= b (cdflib's ALGDIV),
  without the cancellation of subtracting two large lgammas."""
  h = a / b
  x = h / (1 + h)
  d = b + (a - 0.5)
  x2 = x * x
  # s_n = (1 - x^n) / (1 - x) for n = 3, 5, ..., 11
  s = [1.0 + (x + x2)]
  for _ in range(4):
    s.append(1.0 + (x + x2 * s[-1]))
  s3, s5, s7, s9, s11 = s
  c0, c1, c2, c3, c4, c5 = _STIRLING
  t = (1.0 / b) ** 2
  w = ((((c5 * s11 * t + c4 * s9) * t + c3 * s7) * t + c2 * s5) * t + c1 * s3) * t + c0
  w = w * (x / b)
  u = d * lax.log1p(a / b)
  v = a * (lax.log(b) - 1.0)
  return jnp.where(u <= v, (w - v) - u, (w - u) - v)


def _betaln(a, b):
  a, b = jnp.minimum(a, b), jnp.maximum(a, b)
  direct = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
  return jnp.where(b < 8, direct, lax.lgamma(a) + _log_gamma_ratio(a, b))


def betaln(a, b):
  r"""The log of the absolute value of the beta function :math:`\log|B(a, b)|`.

  >>> from jaxlite.scipy.special import betaln
  >>> betaln(2.0, 3.0)  # log(1/12)
  Array(-2.4849074, dtype=float32, weak_type=True)
  """
  a, b = promote_args_inexact("betaln", a, b)
  return _betaln(a, b)


def beta(a, b):
  r"""The beta function :math:`B(a, b) = \Gamma(a)\Gamma(b)/\Gamma(a+b)`.

  >>> from jaxlite.scipy.special import beta
  >>> beta(2.0, 3.0)
  Array(0.08333327, dtype=float32)
  """
  a, b = promote_args_inexact("beta", a, b)
  _no_complex("beta", a)
  sign = gammasgn(a) * gammasgn(b) * gammasgn(a + b)
  return sign * lax.exp(betaln(a, b))


def factorial(n, exact=False):
  r"""The factorial :math:`n! = \Gamma(n + 1)` as a float; 0 for negative ``n``.

  Like JAX, only ``exact=False`` is supported: exact factorials overflow every
  integer dtype past 20.

  >>> from jaxlite.scipy.special import factorial
  >>> factorial(jnp.array([0, 3, 5, -1]))
  Array([  1.0000005,   6.0000052, 120.00012  ,   0.       ], dtype=float32)
  """
  if exact:
    raise NotImplementedError("factorial with exact=True")
  n, = promote_args_inexact("factorial", n)
  return jnp.where(n < 0, 0, lax.exp(lax.lgamma(n + 1)))


def comb(N, k, *, repetition=False):
  r"""The binomial coefficient "N choose k" as a float (with repetition: N+k-1 choose k).

  0 where ``N < 0``, ``k < 0`` or (without repetition) ``k > N``.

  >>> from jaxlite.scipy.special import comb
  >>> comb(5.0, jnp.array([0.0, 2.0, 6.0]))
  Array([0.9999995, 9.999995 , 0.       ], dtype=float32)
  """
  N, k = promote_args_inexact("comb", N, k)
  if repetition:
    return jnp.where((k == 0) & (N >= 0), 1.0, comb(N + k - 1, k))
  valid = (k <= N) & (N >= 0) & (k >= 0)
  n_safe, k_safe = jnp.where(valid, N, 0.0), jnp.where(valid, k, 0.0)
  value = lax.exp(lax.lgamma(n_safe + 1) - lax.lgamma(k_safe + 1)
                  - lax.lgamma(n_safe + 1 - k_safe))
  return jnp.where(valid, value, 0.0)


def poch(z, m):
  r"""The Pochhammer symbol (rising factorial) :math:`(z)_m = \Gamma(z+m)/\Gamma(z)`.

  >>> from jaxlite.scipy.special import poch
  >>> poch(3.0, 2.0)
  Array(12.000009, dtype=float32)
  """
  z, m = map(jnp.asarray, promote_args_inexact("poch", z, m))
  return jnp.where(m == 0.0, jnp.array(1, dtype=z.dtype), gamma(z + m) / gamma(z))


def multigammaln(a, d):
  r"""The log of the multivariate gamma function of dimension ``d`` (static).

  :math:`\log\Gamma_d(a) = \frac{d(d-1)}{4}\log\pi + \sum_{i=1}^d \log\Gamma(a-(i-1)/2)`

  >>> from jaxlite.scipy.special import multigammaln
  >>> multigammaln(3.0, 2)
  Array(1.5501953, dtype=float32)
  """
  d = concrete_int(d, "d argument of multigammaln")
  a, d_ = map(jnp.asarray, promote_args_inexact("multigammaln", a, d))
  c = lambda v: np.array(v, dtype=a.dtype)
  constant = lax.mul(lax.mul(lax.mul(c(0.25), d_), lax.sub(d_, c(1))), lax.log(c(np.pi)))
  offsets = lax.div(jnp.arange(d, dtype=d_.dtype), c(2))
  terms = lax.lgamma(jnp.expand_dims(a, -1) - jnp.expand_dims(offsets, tuple(range(a.ndim))))
  return jnp.sum(terms, axis=-1) + constant


# --- zeta and polygamma ---------------------------------------------------------------------

# (2k)! / B_{2k} for the Bernoulli numbers B_2, B_4, ..., B_32: the Euler-Maclaurin
# tail of the Hurwitz zeta series (Johansson 2015, eq. 5).
_EULER_MACLAURIN = np.array([
    12, -720, 30240, -1209600, 47900160, -1307674368000 / 691, 74724249600,
    -10670622842880000 / 3617, 5109094217170944000 / 43867,
    -802857662698291200000 / 174611, 14101100039391805440000 / 77683,
    -1693824136731743669452800000 / 236364091, 186134520519971831808000000 / 657931,
    -37893265687455865519472640000000 / 3392780147,
    759790291646040068357842010112000000 / 1723168255201,
    -134196726836183700385281186201600000000 / 7709321041217])


def _zeta_by_euler_maclaurin(s, a):
  """Hurwitz zeta as N terms of the series, the integral of the rest and M
  Euler-Maclaurin corrections: differentiable in both arguments (XLA's zeta
  is not), so it gives zeta's derivatives."""
  dtype = a.dtype.type
  n = m = dtype(8) if a.dtype == np.float32 else dtype(16)
  s_, a_ = jnp.expand_dims(s, -1), jnp.expand_dims(a, -1)
  k = jnp.expand_dims(np.arange(n, dtype=a.dtype), tuple(range(a.ndim)))
  head = jnp.sum((a_ + k) ** -s_, -1)
  integral = lax.div((a + n) ** (dtype(1) - s), s - dtype(1))
  first = (a + n) ** -s
  j = jnp.expand_dims(np.arange(2 * m, dtype=a.dtype), tuple(range(s.ndim)))
  ratios = jnp.cumprod((s_ + j) / (a_ + n), -1)[..., ::2]
  ratios = jnp.clip(ratios, max=np.finfo(a.dtype).max)
  coefficients = np.expand_dims(_EULER_MACLAURIN[:ratios.shape[-1]].astype(a.dtype),
                                tuple(range(a.ndim)))
  return head + integral + first * (dtype(0.5) + (ratios / coefficients).sum(-1))


@custom_jvp
def _zeta(x, q):
  return lax.zeta(x, q)


_zeta.defjvp(lambda primals, tangents: jvp(_zeta_by_euler_maclaurin, primals, tangents))


def zeta(x, q=None):
  r"""The Hurwitz zeta function :math:`\zeta(x, q) = \sum_{n\ge0} (n + q)^{-x}`;
  with ``q=None``, Riemann's zeta :math:`\zeta(x, 1)` (JAX raises there).

  >>> from jaxlite.scipy.special import zeta
  >>> zeta(2.0, 1.0)
  Array(1.644934, dtype=float32, weak_type=True)
  """
  if q is None:
    q = 1.0
  x, q = map(jnp.asarray, promote_args_inexact("zeta", x, q))
  return _zeta(x, q)


def polygamma(n, x):
  r"""The polygamma function :math:`\psi^{(n)}(x)` for an integer order ``n``.

  >>> from jaxlite.scipy.special import polygamma
  >>> polygamma(1, 1.0)
  Array(1.644934, dtype=float32, weak_type=True)
  """
  if not dtypes.issubdtype(dtypes.dtype(n), np.integer):
    raise ValueError(
        f"Argument `n` to polygamma must be of integer type. Got dtype {dtypes.dtype(n)}.")
  n, x = promote_args_inexact("polygamma", n, x)
  _no_complex("polygamma", x)
  return lax.polygamma(n, x)


# --- modified Bessel functions of the first kind --------------------------------------------


def i0e(x):
  r"""The exponentially scaled modified Bessel function of order 0, :math:`e^{-|x|} I_0(x)`.

  >>> from jaxlite.scipy.special import i0e
  >>> i0e(1.0)
  Array(0.46575963, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("i0e", x)
  return lax.bessel_i0e(x)


def i0(x):
  r"""The modified Bessel function of order 0, :math:`I_0(x)`.

  >>> from jaxlite.scipy.special import i0
  >>> i0(1.0)
  Array(1.266066, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("i0", x)
  return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i0e(x))


def i1e(x):
  r"""The exponentially scaled modified Bessel function of order 1, :math:`e^{-|x|} I_1(x)`.

  >>> from jaxlite.scipy.special import i1e
  >>> i1e(1.0)
  Array(0.20791042, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("i1e", x)
  return lax.bessel_i1e(x)


def i1(x):
  r"""The modified Bessel function of order 1, :math:`I_1(x)`.

  >>> from jaxlite.scipy.special import i1
  >>> i1(1.0)
  Array(0.5651591, dtype=float32, weak_type=True)
  """
  x, = promote_args_inexact("i1", x)
  return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i1e(x))


# --- Box-Cox and relative entropy ------------------------------------------------------------


def boxcox(x, lmbda):
  r"""The Box-Cox transform :math:`(x^\lambda - 1)/\lambda`, and :math:`\log x` at :math:`\lambda = 0`.

  >>> from jaxlite.scipy.special import boxcox
  >>> boxcox(jnp.array([1.0, 4.0]), 0.5)
  Array([0., 2.], dtype=float32)
  """
  x, lmbda = promote_args_inexact("boxcox", x, lmbda)
  return _boxcox(jnp.log(x), lmbda)


def boxcox1p(x, lmbda):
  r"""The Box-Cox transform of ``1 + x``, accurate for small ``x``.

  >>> from jaxlite.scipy.special import boxcox1p
  >>> boxcox1p(jnp.array([0.0, 3.0]), 0.5)
  Array([0., 2.], dtype=float32)
  """
  x, lmbda = promote_args_inexact("boxcox1p", x, lmbda)
  return _boxcox(jnp.log1p(x), lmbda)


def _boxcox(log_x, lmbda):
  zero = lmbda == 0
  safe = jnp.where(zero, jnp.ones_like(lmbda), lmbda)
  return jnp.where(zero, log_x, jnp.expm1(safe * log_x) / safe)


def rel_entr(p, q):
  r"""The relative entropy :math:`p\log(p/q)` (0 at p = 0 <= q, inf otherwise outside p, q > 0).

  >>> from jaxlite.scipy.special import rel_entr
  >>> rel_entr(jnp.array([0.5, 0.0, -1.0]), 0.25)
  Array([0.3465736, 0.       ,       inf], dtype=float32)
  """
  from jaxlite.scipy.special import _xlogx, xlogy  # the module that re-exports this one
  p, q = promote_args_inexact("rel_entr", p, q)
  _no_complex("rel_entr", p)
  zero = np.array(0.0, dtype=p.dtype)
  both_positive = lax.bitwise_and(lax.gt(p, zero), lax.gt(q, zero))
  p_zero = lax.bitwise_and(lax.eq(p, zero), lax.ge(q, zero))
  safe_p = jnp.where(both_positive, p, 1)
  safe_q = jnp.where(both_positive, q, 1)
  value = lax.sub(_xlogx(safe_p), xlogy(safe_p, safe_q))
  return jnp.where(both_positive, value, jnp.where(p_zero, zero, np.inf))


def kl_div(p, q):
  r"""The Kullback-Leibler divergence term :math:`p\log(p/q) - p + q`.

  >>> from jaxlite.scipy.special import kl_div
  >>> kl_div(jnp.array([0.5, 0.0]), 0.25)
  Array([0.09657359, 0.25      ], dtype=float32)
  """
  p, q = promote_args_inexact("kl_div", p, q)
  _no_complex("kl_div", p)
  return rel_entr(p, q) - p + q
