"""Hypergeometric functions, Bernoulli numbers, Bessel functions of the first kind
and spherical harmonics of ``jax.scipy.special``: ``hyp1f1``, ``hyp2f1``,
``bernoulli``, ``bessel_jn`` and ``sph_harm_y``.

The series and transformations are those JAX 0.10.2 uses (Pearson, Olver and Porter
2014 for the hypergeometric functions; Zhang and Jin 1996 for J_n by backward
recurrence).  ``jaxlite.scipy.special`` re-exports every public name here.

  >>> from jaxlite.scipy.special import hyp1f1
  >>> hyp1f1(1.0, 2.0, 1.0)
  Array(1.7182816, dtype=float32)
"""
from __future__ import annotations

import operator

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.core_tools import concrete_or_error
from jaxlite.api import jit
from jaxlite.custom_derivatives import custom_jvp
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact, promote_dtypes_inexact
from jaxlite.scipy.special_gamma import gamma as _gamma
from jaxlite.vectorization import vmap

__all__ = ["hyp1f1", "hyp2f1", "bernoulli", "bessel_jn", "sph_harm_y"]

_MAX_TERMS = 250  # every series below stops here at the latest, as JAX's


def _inexact(name, *args):
  return [jnp.asarray(a) for a in promote_args_inexact(name, *args)]


def _series(first_term, ratio, weight, x, start):
  """``start + sum_k weight(k) * term_k`` with term_1 = first_term and
  term_{k+1} = term_k * ratio(k), until a term is below eps relative to the sum."""
  eps = dtypes.finfo(x.dtype).eps

  def more(state):
    total, k, term = state
    return (k < _MAX_TERMS) & (lax.abs(term) / lax.abs(total) > eps)

  def step(state):
    total, k, term = state
    return total + weight(k) * term, k + 1, term * ratio(k)

  init = (jnp.asarray(start, x.dtype), jnp.asarray(1, x.dtype), first_term)
  return lax.while_loop(more, step, init)[0]


# --- 1F1 ---------------------------------------------------------------------------------


def _hyp1f1_taylor(a, b, x):
  return _series(a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1), lambda k: 1., x, 1.)


def _hyp1f1_asymptotic(a, b, x):
  # Large |x|: Gamma(b)/Gamma(a) e^x x^(a-b) sum_k (b-a)_k (1-a)_k / (k! x^k)
  total = _series((b - a) * (1 - a) / x, lambda k: (b - a + k) * (1 - a + k) / (k + 1) / x,
                  lambda k: 1., x, 1.)
  return _gamma(b) / _gamma(a) * lax.exp(x) * x ** (a - b) * total


def _digamma(x):
  return lax.digamma(x)


@jit
@jnp.vectorize
def _hyp1f1_da(a, b, x):
  return _series(a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1),
                 lambda k: _digamma(a + k) - _digamma(a), x, 0.)


@jit
@jnp.vectorize
def _hyp1f1_db(a, b, x):
  return _series(a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1),
                 lambda k: _digamma(b) - _digamma(b + k), x, 0.)


@jit
@jnp.vectorize
def _hyp1f1_scalar(a, b, x):
  value = lax.cond(lax.abs(x) < 100, _hyp1f1_taylor, _hyp1f1_asymptotic, a, b, x)
  # a = 0 gives 1, a = b gives e^x, b = 0 (a != 0) a pole: JAX's conventions.
  case = ((a == 0) * 1 + ((a == b) & (a != 0)) * 2 + ((b == 0) & (a != 0)) * 3)
  return lax.select_n(case, value, jnp.array(1, x.dtype), jnp.exp(x),
                      jnp.array(np.inf, x.dtype))


def _hyp1f1(a, b, x):
  a, b, x = _inexact("hyp1f1", a, b, x)
  if dtypes.issubdtype(x.dtype, np.complexfloating):
    raise ValueError("hyp1f1 does not support complex-valued inputs.")
  return _hyp1f1_scalar(a, b, x)


hyp1f1 = custom_jvp(_hyp1f1)
hyp1f1.defjvps(
    lambda da, y, a, b, x: _hyp1f1_da(a, b, x) * da,
    lambda db, y, a, b, x: _hyp1f1_db(a, b, x) * db,
    lambda dx, y, a, b, x: a / b * hyp1f1(a + 1, b + 1, x) * dx)
hyp1f1.__doc__ = r"""The confluent hypergeometric function
  :math:`{}_1F_1(a; b; x) = \sum_k \frac{(a)_k}{(b)_k k!} x^k` (real arguments;
  ``hyp1f1(0, 0, x) = 1`` as in JAX).

  >>> from jaxlite.scipy.special import hyp1f1
  >>> hyp1f1(jnp.array([0.5, 1.0]), 2.0, 3.0)
  Array([2.9805777, 6.361845 ], dtype=float32)
  """


# --- 2F1 ---------------------------------------------------------------------------------


def _hyp2f1_terminating(a, b, c, x):
  """A non-positive integer ``a`` (or ``b``, swapped in) ends the series."""
  eps = dtypes.finfo(x.dtype).eps * 50
  b_is_integer = jnp.abs(b - jnp.round(b)) < eps
  c_blocks = (c % 1 == 0) & (c <= 0) & (c > b)
  swap = (b < a) & b_is_integer & ~c_blocks
  a, b = jnp.where(swap, b, a), jnp.where(swap, a, b)
  a = jnp.abs(a)

  def step(i, state):
    total, term = state
    term = term * -(a - i + 1) / (c + i - 1) * (b + i - 1) / i * x
    return total + term, term

  one = jnp.array(1, x.dtype)
  return lax.fori_loop(jnp.array(1, a.dtype), a + 1, step, (one, one))[0]


def _hyp2f1_taylor(a, b, c, x):
  eps = dtypes.finfo(x.dtype).eps

  def more(state):
    total, k, term = state
    return (k < _MAX_TERMS) & (lax.abs(term) > eps * lax.abs(total))

  def step(state):
    total, k, term = state
    return total + term, k + 1, term * (a + k - 1) * (b + k - 1) / (c + k - 1) / k * x

  zero, one = jnp.array(0, x.dtype), jnp.array(1, x.dtype)
  return lax.while_loop(more, step, (zero, one, one))[0]


def _hyp2f1_near_one(a, b, c, x):
  """x near 1 with c - a - b an integer: the digamma forms (AMS 55 15.3.10-12)."""
  eps = dtypes.finfo(x.dtype).eps
  d = c - a - b
  s = 1 - x
  rd = jnp.round(d)
  up = rd >= 0
  e = jnp.where(up, d, -d)
  d1 = jnp.where(up, d, jnp.zeros_like(d))
  d2 = jnp.where(up, jnp.zeros_like(d), d)
  ard = jnp.where(up, rd, -rd).astype(np.int32)
  log_s = jnp.log(s)
  y = (_digamma(jnp.ones_like(e)) + _digamma(1.0 + e) - _digamma(a + d1) - _digamma(b + d1)
       - log_s) / _gamma(e + 1.0)
  p = (a + d1) * (b + d1) * s / _gamma(e + 2.0)

  def more(state):
    p, q, t, y = state
    return (t < _MAX_TERMS) & (jnp.abs(q) >= eps * jnp.abs(y))

  def step(state):
    p, q, t, y = state
    r = (_digamma(1.0 + t) + _digamma(1.0 + t + e) - _digamma(a + t + d1)
         - _digamma(b + t + d1) - log_s)
    q = p * r
    p = p * s * (a + t + d1) / (t + 1.0) * (b + t + d1) / (t + 1.0 + e)
    return p, q, t + 1.0, y + q

  _, _, _, y = lax.while_loop(more, step, (p, y, jnp.array(1, x.dtype), y))

  def finite_sum(y):
    def term(i, state):
      p, t, y1 = state
      p = p * s * (a + t + d2) * (b + t + d2) / (1.0 - e + t)
      t = t + 1.0
      p = p / t
      return p, t, y1 + p

    one, zero = jnp.array(1, x.dtype), jnp.array(0, x.dtype)
    y1 = lax.fori_loop(1, ard, term, (one, zero, one))[-1]
    gc = _gamma(c)
    y1 = y1 * _gamma(e) * gc / (_gamma(a + d1) * _gamma(b + d1))
    y = y * gc / (_gamma(a + d2) * _gamma(b + d2))
    y = jnp.where((ard & 1) != 0, -y, y)
    q = s ** rd
    return jnp.where(rd > 0, y * q + y1, y + y1 * q)

  return jnp.where(rd == 0, y * _gamma(c) / (_gamma(a) * _gamma(b)), finite_sum(y))


def _hyp2f1_series(a, b, c, x):
  eps = dtypes.finfo(x.dtype).eps * 50
  d = c - a - b
  neg_int_a = (a <= 0) & (jnp.abs(a - jnp.round(a)) < eps)
  neg_int_b = (b <= 0) & (jnp.abs(b - jnp.round(b)) < eps)
  terminating = neg_int_a | neg_int_b
  case = jnp.where((x > 0.9) & ~terminating,
                   jnp.where(jnp.abs(d - jnp.round(d)) >= eps, 0, 1),
                   jnp.where(terminating, 2, 0))
  return lax.select_n(case, _hyp2f1_taylor(a, b, c, x), _hyp2f1_near_one(a, b, c, x),
                      _hyp2f1_terminating(a, b, c, x))


@jit
@jnp.vectorize
def _hyp2f1_scalar(a, b, c, x):
  eps = dtypes.finfo(x.dtype).eps * 50
  d = c - a - b
  s = 1 - x
  ca, cb = c - a, c - b
  d_integer = jnp.abs(d - jnp.round(d)) < eps
  c_pole = (c == 0) | ((c < 0) & (c % 1 == 0))
  # The first case that holds, in JAX's order.
  cases = [((x == 0) | (((a == 0) | (b == 0)) & (c != 0)), 0),  # 1
           (c_pole, 1),                                          # inf
           ((d <= -1) & ~(~d_integer & (s < 0)), 2),             # Euler's transformation
           ((d <= 0) & (x == 1), 1),
           ((x < 1) & (b == c), 3),                              # (1-x)^-a
           ((x < 1) & (a == c), 4),                              # (1-x)^-b
           (x > 1, 1),
           (x == 1, 5)]                                          # Gauss's sum
  index = jnp.array(6)
  for condition, value in reversed(cases):
    index = jnp.where(condition, value, index)
  return lax.select_n(index, jnp.array(1, x.dtype), jnp.array(np.inf, x.dtype),
                      s ** d * _hyp2f1_series(ca, cb, c, x), s ** (-a), s ** (-b),
                      _gamma(c) * _gamma(d) / (_gamma(ca) * _gamma(cb)),
                      _hyp2f1_series(a, b, c, x))


def _hyp2f1_parameter_derivative(which):
  @jit
  @jnp.vectorize
  def derivative(a, b, c, x):
    if which == "a":
      weight = lambda k: _digamma(a + k) - _digamma(a)  # noqa: E731
    elif which == "b":
      weight = lambda k: _digamma(b + k) - _digamma(b)  # noqa: E731
    else:
      weight = lambda k: _digamma(c) - _digamma(c + k)  # noqa: E731
    return _series(a * b / c * x, lambda k: (a + k) * (b + k) / (c + k) / (k + 1) * x,
                   weight, x, 0.)
  return derivative


_hyp2f1_da, _hyp2f1_db, _hyp2f1_dc = (_hyp2f1_parameter_derivative(w) for w in "abc")


def _hyp2f1(a, b, c, x):
  a, b, c, x = _inexact("hyp2f1", a, b, c, x)
  return _hyp2f1_scalar(a, b, c, x)


hyp2f1 = custom_jvp(_hyp2f1)
hyp2f1.defjvps(
    lambda da, y, a, b, c, x: _hyp2f1_da(a, b, c, x) * da,
    lambda db, y, a, b, c, x: _hyp2f1_db(a, b, c, x) * db,
    lambda dc, y, a, b, c, x: _hyp2f1_dc(a, b, c, x) * dc,
    lambda dx, y, a, b, c, x: a * b / c * hyp2f1(a + 1, b + 1, c + 1, x) * dx)
hyp2f1.__doc__ = r"""The Gauss hypergeometric function
  :math:`{}_2F_1(a, b; c; x) = \sum_k \frac{(a)_k (b)_k}{(c)_k k!} x^k` (real arguments).

  >>> from jaxlite.scipy.special import hyp2f1
  >>> hyp2f1(1.0, 1.0, 2.0, jnp.array([-0.5, 0.5]))
  Array([0.8109302, 1.3862945], dtype=float32)
  """


# --- Bernoulli numbers -------------------------------------------------------------------


def bernoulli(n):
  r"""The Bernoulli numbers :math:`B_0 \ldots B_n` (with :math:`B_1 = -1/2`), the even
  ones from :math:`B_{2k} = (-1)^{k+1} 2 (2k)! \zeta(2k) / (2\pi)^{2k}`.

  >>> from jaxlite.scipy.special import bernoulli
  >>> bernoulli(6)
  Array([ 1.        , -0.5       ,  0.16666667,  0.        , -0.03333325,
          0.        ,  0.02380952], dtype=float32)
  """
  n = concrete_or_error(operator.index, n, "Argument n of bernoulli")
  if n < 0:
    raise ValueError("n must be a non-negative integer.")
  first = jnp.array([1, -1 / 2, 1 / 6])
  if n < 3:
    return first[:n + 1]
  numbers = jnp.zeros(n + 1).at[:3].set(first)
  m = jnp.arange(4, n + 1, 2, dtype=numbers.dtype)
  # (-1)^(m/2+1) 2 m! / (2 pi)^m by a running product from B_2's factor, times zeta(m)
  # summed directly (49 terms: 2^-50 is below double's epsilon).
  factor = (1. / np.pi ** 2) * jnp.cumprod(-(m - 1) * m / 4 / np.pi ** 2)
  k = jnp.arange(2, 50, dtype=numbers.dtype)
  zeta_minus_one = jnp.sum(k[:, None] ** -m[None, :], axis=0)
  return numbers.at[4::2].set(factor * (1 + zeta_minus_one))


# --- Bessel J_0 .. J_v ---------------------------------------------------------------------


def _bessel_jn_one(z, *, v, n_iter):
  """J_0(z) .. J_v(z) by Miller's backward recurrence from order n_iter, normalized
  with J_0 + 2 (J_2 + J_4 + ...) = 1."""
  def step(carry, k):
    f_next, f, even_sum = carry
    f_prev = 2.0 * (k + 1.0) * f / z - f_next
    even_sum = lax.cond(jnp.mod(k, 2) == 0, lambda s: s + 2.0 * f_prev, lambda s: s,
                        even_sum)
    return (f, f_prev, even_sum), f_prev

  init = (jnp.zeros_like(z), jnp.full_like(z, 1e-16), jnp.zeros_like(z))
  (_, _, even_sum), values = lax.scan(step, init, lax.iota(z.dtype, n_iter + 1),
                                      reverse=True)
  return values[:v + 1] / (even_sum - values[0])


def bessel_jn(z, *, v, n_iter=50):
  """The Bessel functions of the first kind :math:`J_0(z) \\ldots J_v(z)` of real ``z``,
  an array of shape ``(v + 1,) + z.shape``.

  >>> from jaxlite.scipy.special import bessel_jn
  >>> bessel_jn(jnp.array([10.0, 25.0]), v=1)
  Array([[-0.24593572,  0.09626675],
         [ 0.04347268, -0.12535019]], dtype=float32)
  """
  v = concrete_or_error(operator.index, v, "Argument v of bessel_jn.")
  n_iter = concrete_or_error(int, n_iter, "Argument n_iter of bessel_jn.")
  return _bessel_jn(jnp.asarray(z), v=v, n_iter=n_iter)


def _bessel_jn_impl(z, *, v, n_iter):
  z, = promote_dtypes_inexact(z)
  z = jnp.asarray(z)
  if dtypes.issubdtype(z.dtype, np.complexfloating):
    raise ValueError("complex input not supported.")
  one = lambda t: _bessel_jn_one(t, v=v, n_iter=n_iter)  # noqa: E731
  for _ in range(z.ndim):
    one = vmap(one)
  return jnp.moveaxis(one(z), -1, 0)


_bessel_jn = jit(_bessel_jn_impl, static_argnames=["v", "n_iter"])


# --- spherical harmonics -------------------------------------------------------------------


def _normalized_legendre(n_max, x):
  """``P[m, l]`` = sqrt((2l+1)(l-m)! / (4 pi (l+m)!)) P_l^m(x) with the Condon-Shortley
  phase, for 0 <= m, l <= n_max (zero where m > l), shape (n_max+1, n_max+1) + x.shape,
  by the stable recurrences in l at fixed m."""
  sine = jnp.sqrt(jnp.maximum(1 - x * x, 0.))
  zeros = jnp.zeros_like(x)
  rows = []
  diagonal = jnp.full_like(x, 1 / np.sqrt(4 * np.pi))
  for m in range(n_max + 1):
    if m > 0:
      diagonal = -np.sqrt((2 * m + 1) / (2 * m)) * sine * diagonal
    row = [zeros] * m + [diagonal]
    if m + 1 <= n_max:
      row.append(np.sqrt(2 * m + 3) * x * diagonal)
    for l in range(m + 2, n_max + 1):
      a = np.sqrt((4 * l * l - 1) / (l * l - m * m))
      b = np.sqrt(((l - 1) ** 2 - m * m) / (4 * (l - 1) ** 2 - 1))
      row.append(a * (x * row[l - 1] - b * row[l - 2]))
    rows.append(jnp.stack(row))
  return jnp.stack(rows)


def _sph_harm_impl(n, m, theta, phi, n_max):
  legendre = _normalized_legendre(n_max, jnp.cos(theta))
  points = jnp.arange(theta.shape[0])
  value = legendre[jnp.clip(jnp.abs(m), 0, n_max), jnp.clip(n, 0, n_max), points]
  angle = jnp.abs(m) * phi
  harmonic = lax.complex(value * jnp.cos(angle), value * jnp.sin(angle))
  # Y_n^{-m} = (-1)^m conj(Y_n^m)
  return jnp.where(m < 0, (-1.0) ** jnp.abs(m) * jnp.conjugate(harmonic), harmonic)


_sph_harm = jit(_sph_harm_impl, static_argnames=["n_max"])


def sph_harm_y(n, m, theta, phi, diff_n=None, n_max=None):
  r"""The spherical harmonics :math:`Y_n^m(\theta, \phi)` (``theta`` the colatitude,
  ``phi`` the longitude); ``n_max`` (static, default ``max(n)``) bounds the degree.

  >>> from jaxlite.scipy.special import sph_harm_y
  >>> sph_harm_y(jnp.array([1]), jnp.array([0]), jnp.array([0.5]), jnp.array([0.0]))
  Array([0.42878905+0.j], dtype=complex64)
  """
  if diff_n is not None:
    raise NotImplementedError(
        "The 'diff_n' argument to jax.scipy.special.sph_harm_y is not supported.")
  if jnp.isscalar(theta):
    theta = jnp.array([theta])
  if n_max is None:
    n_max = np.max(n)
  n_max = concrete_or_error(
      int, n_max, "The `n_max` argument of `jnp.scipy.special.sph_harm` must be statically "
      "specified to use `sph_harm` within JAX transformations.")
  return _sph_harm(jnp.asarray(n), jnp.asarray(m), jnp.asarray(theta), jnp.asarray(phi),
                   n_max)
