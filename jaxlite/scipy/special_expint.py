"""Exponential, sine and cosine integrals and Spence's function of
``jax.scipy.special``: ``expi``, ``exp1``, ``expn``, ``sici`` and ``spence``.

The algorithms are Cephes' (ei.c, expn.c, sici.c, spence.c), as JAX 0.10.2 uses them,
written on lax's primitives.  ``jaxlite.scipy.special`` re-exports every public name.

  >>> from jaxlite.scipy.special import expi
  >>> expi(1.0)
  Array(1.8951179, dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.api import jit
from jaxlite.custom_derivatives import custom_jvp
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_args_inexact

__all__ = ["expi", "exp1", "expn", "sici", "spence"]


def _inexact(name, *args):
  """``args`` promoted as ``promote_args_inexact`` does, as device arrays."""
  return [jnp.asarray(a) for a in promote_args_inexact(name, *args)]


def _real_only(name, x, message=None):
  if dtypes.issubdtype(x.dtype, np.complexfloating):
    raise ValueError(message or f"{name} does not support complex-valued inputs.")


def _c(x, value):
  return np.array(value, dtype=x.dtype)


def _ratio(p, q, x):
  """``P(x) / Q(x)`` for host coefficient lists (highest degree first)."""
  return jnp.polyval(np.asarray(p, x.dtype), x) / jnp.polyval(np.asarray(q, x.dtype), x)


# --- Ei(x), x > 0: Cephes ei.c ----------------------------------------------------------

# On (0, 2]: Ei(x) = gamma + log x + x P(x)/Q(x).
_EI_SMALL = (
    [-5.350447357812542947283e0, 2.185049168816613393830e2, -4.176572384826693777058e3,
     5.541176756393557601232e4, -3.313381331178144034309e5, 1.592627163384945414220e6],
    [1.0, -5.250547959112862969197e1, 1.259616186786790571525e3, -1.756549581973534652631e4,
     1.493062117002725991967e5, -7.294949239640527645655e5, 1.592627163384945429726e6])
# On (2^k, 2^(k+1)] for k = 1..5 and above 64: Ei(x) = e^x/x (1 + P(1/x)/Q(1/x) / x).
_EI_INTERVALS = [
    ([1.981808503259689673238e-2, -1.271645625984917501326e0, -2.088160335681228318920e0,
      2.755544509187936721172e0, -4.409507048701600257171e-1, 4.665623805935891391017e-2,
      -1.545042679673485262580e-3, 7.059980605299617478514e-5],
     [1.0, 1.476498670914921440652e0, 5.629177174822436244827e-1, 1.699017897879307263248e-1,
      2.291647179034212017463e-2, 4.450150439728752875043e-3, 1.727439612206521482874e-4,
      3.953167195549672482304e-5]),
    ([-1.373215375871208729803e0, -7.084559133740838761406e-1, 1.580806855547941010501e0,
      -2.601500427425622944234e-1, 2.994674694113713763365e-2, -1.038086040188744005513e-3,
      4.371064420753005429514e-5, 2.141783679522602903795e-6],
     [1.0, 8.585231423622028380768e-1, 4.483285822873995129957e-1, 7.687932158124475434091e-2,
      2.449868241021887685904e-2, 8.832165941927796567926e-4, 4.590952299511353531215e-4,
      -4.729848351866523044863e-6, 2.665195537390710170105e-6]),
    ([-2.106934601691916512584e0, 1.732733869664688041885e0, -2.423619178935841904839e-1,
      2.322724180937565842585e-2, 2.372880440493179832059e-4, -8.343219561192552752335e-5,
      1.363408795605250394881e-5, -3.655412321999253963714e-7, 1.464941733975961318456e-8,
      6.176407863710360207074e-10],
     [1.0, -2.298062239901678075778e-1, 1.105077041474037862347e-1, -1.566542966630792353556e-2,
      2.761106850817352773874e-3, -2.089148012284048449115e-4, 1.708528938807675304186e-5,
      -4.459311796356686423199e-7, 1.394634930353847498145e-8, 6.150865933977338354138e-10]),
    ([-2.458119367674020323359e-1, -1.483382253322077687183e-1, 7.248291795735551591813e-2,
      -1.348315687380940523823e-2, 1.342775069788636972294e-3, -7.942465637159712264564e-5,
      2.644179518984235952241e-6, -4.239473659313765177195e-8],
     [1.0, -1.044225908443871106315e-1, -2.676453128101402655055e-1, 9.695000254621984627876e-2,
      -1.601745692712991078208e-2, 1.496414899205908021882e-3, -8.462452563778485013756e-5,
      2.728938403476726394024e-6, -4.239462431819542051337e-8]),
    ([1.212561118105456670844e-1, -5.823133179043894485122e-1, 2.348887314557016779211e-1,
      -3.040034318113248237280e-2, 1.510082146865190661777e-3, -2.523137095499571377122e-5],
     [1.0, -1.002252150365854016662e0, 2.928709694872224144953e-1, -3.337004338674007801307e-2,
      1.560544881127388842819e-3, -2.523137093603234562648e-5]),
    ([-7.657847078286127362028e-1, 6.886192415566705051750e-1, -2.132598113545206124553e-1,
      3.346107552384193813594e-2, -3.076541477344756050249e-3, 1.747119316454907477380e-4,
      -6.103711682274170530369e-6, 1.218032765428652199087e-7, -1.086076102793290233007e-9],
     [1.0, -1.888802868662308731041e0, 1.066691687211408896850e0, -2.751915982306380647738e-1,
      3.930852688233823569726e-2, -3.414684558602365085394e-3, 1.866844370703555398195e-4,
      -6.345146083130515357861e-6, 1.239754287483206878024e-7, -1.086076102793126632978e-9]),
]


def _ei_small(x):
  return x * _ratio(*_EI_SMALL, x) + np.euler_gamma + jnp.log(x)


def _ei_interval(p, q):
  def ei(x):
    w = _c(x, 1.) / x
    return jnp.exp(x) * w * (w * _ratio(p, q, w) + _c(x, 1.))
  return ei


def _ei_positive(x):
  bounds = [(0, 2)] + [(2 ** k, 2 ** (k + 1)) for k in range(1, 6)]
  conditions = [(_c(x, lo) < x) & (x <= _c(x, hi)) for lo, hi in bounds]
  # x = 0 and x > 64 take the last function (Ei(0) = -inf comes out of it as e^0/0 ...).
  return jnp.piecewise(x, conditions,
                       [_ei_small] + [_ei_interval(p, q) for p, q in _EI_INTERVALS])


def _ei_negative(x):
  return -exp1(-x)


@custom_jvp
@jit
def expi(x):
  r"""The exponential integral :math:`\mathrm{Ei}(x) = \int_{-\infty}^x e^t/t\,dt`.

  >>> from jaxlite.scipy.special import expi
  >>> expi(jnp.array([-1.0, 0.5, 2.0]))
  Array([-0.21938422,  0.45421982,  4.9542346 ], dtype=float32)
  """
  x, = _inexact("expi", x)
  _real_only("expi", x)
  return jnp.piecewise(x, [x < 0], [_ei_negative, _ei_positive])


@expi.defjvp
@jit
def _expi_jvp(primals, tangents):
  x, = primals
  dx, = tangents
  return expi(x), jnp.exp(x) / x * dx


# --- E_n(x): Cephes expn.c ---------------------------------------------------------------


def _expn_power_series(x, n):
  """x <= 1: the power series with its digamma term (Abramowitz-Stegun 5.1.12)."""
  eps = dtypes.finfo(x.dtype).eps
  one, zero = _c(x, 1.), _c(x, 0.)
  # Batched, every branch sees every element: outside (0, 1] the loop could run for
  # ages (JAX's own exp1 hangs on [1e-20, 2.]), so those elements get a stand-in.
  x = jnp.where(((x > zero) & (x <= one)) | jnp.isnan(x), x, _c(x, 0.5))
  psi = lax.fori_loop(_c(n, 1), n, lambda i, acc: acc + one / i, -np.euler_gamma - jnp.log(x))
  n_safe = jnp.where(n == _c(n, 1), n + n, n)  # the k = n-1 term is skipped below
  state = dict(x=x, z=-x, xk=zero, yk=one, pk=one - n,
               ans=jnp.where(n == _c(n, 1), zero, one / (one - n_safe)), t=_c(x, np.inf))

  def step(s):
    s = dict(s)
    s["xk"] = s["xk"] + one
    s["yk"] = s["yk"] * s["z"] / s["xk"]
    s["pk"] = s["pk"] + one
    s["ans"] = s["ans"] + jnp.where(s["pk"] != zero, s["yk"] / s["pk"], zero)
    s["t"] = jnp.where(s["ans"] != zero, jnp.abs(s["yk"] / s["ans"]), one)
    return s

  s = lax.while_loop(lambda s: (s["x"] > zero) & (s["t"] > eps), step, state)
  return s["z"] ** (n - _c(n, 1)) * psi / jnp.exp(lax.lgamma(n)) - s["ans"]


def _expn_continued_fraction(x, n):
  """x > 1: the continued fraction, rescaled when its terms grow past 2^57."""
  big = _c(x, 1.44115188075855872e17)
  eps = dtypes.finfo(x.dtype).eps
  one, zero = _c(x, 1.), _c(x, 0.)
  x = jnp.where((x > one) | jnp.isnan(x), x, _c(x, 2.))  # a stand-in outside the region, as above
  state = dict(k=_c(n, 1), pkm2=one, qkm2=x, pkm1=one, qkm1=x + n, ans=one / (x + n),
               t=_c(x, np.inf), r=zero)

  def step(s):
    k = s["k"] + _c(n, 1)
    odd = k % _c(k, 2) == _c(k, 1)
    yk = jnp.where(odd, one, x)
    xk = jnp.where(odd, n + (k - _c(k, 1)) / _c(k, 2), k / _c(k, 2))
    pk = s["pkm1"] * yk + s["pkm2"] * xk
    qk = s["qkm1"] * yk + s["qkm2"] * xk
    nonzero = qk != zero
    r = jnp.where(nonzero, pk / qk, s["r"])
    t = jnp.where(nonzero, jnp.abs((s["ans"] - r) / r), one)
    ans = jnp.where(nonzero, r, s["ans"])
    rescale = jnp.abs(pk) > big
    shrink = lambda v: jnp.where(rescale, v / big, v)  # noqa: E731
    return dict(k=k, pkm2=shrink(s["pkm1"]), qkm2=shrink(s["qkm1"]), pkm1=shrink(pk),
                qkm1=shrink(qk), ans=ans, t=t, r=r)

  s = lax.while_loop(lambda s: (x > _c(n, 0)) & (s["t"] > eps), step, state)
  return s["ans"] * jnp.exp(-x)


def _expn_large_order(x, n):
  """n >= 5000: the uniform asymptotic expansion in 1/(x + n)."""
  one = _c(x, 1.)
  xk = x + n
  yk = one / (xk * xk)
  ans = yk * n * (_c(x, 6) * x * x - _c(x, 8) * n * x + n * n)
  ans = yk * (ans + n * (n - _c(x, 2) * x))
  ans = yk * (ans + n)
  return (ans + one) * jnp.exp(-x) / xk


@jit
@jnp.vectorize
def _expn(n, x):
  zero, one = _c(x, 0), _c(x, 1)
  conditions = [(n < _c(n, 0)) | (x < zero),
                (x == zero) & (n < _c(n, 2)),
                (x == zero) & (n >= _c(n, 2)),
                (n == _c(n, 0)) & (x >= zero),
                n >= _c(n, 5000),
                x > one]
  n_safe = jnp.where(n == _c(n, 1), n + n, n)  # E_n(0) = 1/(n-1) only where n >= 2
  values = [np.nan, np.inf, one / (n_safe - one), jnp.exp(-x) / x,
            _expn_large_order, _expn_continued_fraction, _expn_power_series]
  return jnp.piecewise(x, conditions, values, n)


def _expn_entry(n, x):
  n, x = _inexact("expn", n, x)
  _real_only("expn", x)
  return _expn(n, x)


expn = custom_jvp(_expn_entry, nondiff_argnums=(0,))


@expn.defjvp
def _expn_jvp(n, primals, tangents):
  x, = primals
  dx, = tangents
  # d/dx E_n(x) = -E_{n-1}(x)
  return expn(n, x), -dx * expn(lax.sub(jnp.asarray(n), _c(jnp.asarray(n), 1)), x)


expn.__doc__ = r"""The generalized exponential integral
  :math:`E_n(x) = \int_1^\infty e^{-xt}/t^n\,dt`.

  >>> from jaxlite.scipy.special import expn
  >>> expn(2, jnp.array([0.5, 1.0, 3.0]))
  Array([0.32664382, 0.14849555, 0.01064193], dtype=float32)
  """


def exp1(x):
  r"""The exponential integral :math:`E_1(x) = \int_x^\infty e^{-t}/t\,dt`.

  >>> from jaxlite.scipy.special import exp1
  >>> exp1(jnp.array([0.5, 1.0, 3.0]))
  Array([0.55977356, 0.21938422, 0.01304838], dtype=float32)
  """
  x, = _inexact("exp1", x)
  _real_only("exp1", x)
  return expn(1, x)


# --- Si(x), Ci(x): Cephes sici.c ---------------------------------------------------------

_SI_SERIES = ([-8.39167827910303881427E-11, 4.62591714427012837309E-8,
               -9.75759303843632795789E-6, 9.76945438170435310816E-4,
               -4.13470316229406538752E-2, 1.00000000000000000302E0],
              [2.03269266195951942049E-12, 1.27997891179943299903E-9,
               4.41827842801218905784E-7, 9.96412122043875552487E-5,
               1.42085239326149893930E-2, 9.99999999999999996984E-1])
_CI_SERIES = ([2.02524002389102268789E-11, -1.35249504915790756375E-8,
               3.59325051419993077021E-6, -4.74007206873407909465E-4,
               2.89159652607555242092E-2, -1.00000000000000000080E0],
              [4.07746040061880559506E-12, 3.06780997581887812692E-9,
               1.23210355685883423679E-6, 3.17442024775032769882E-4,
               5.10028056236446052392E-2, 4.00000000000000000080E0])
# Auxiliary functions f and g for 4 < x < 8 and for x >= 8, in z = 1/x^2.
_F4 = ([4.23612862892216586994E0, 5.45937717161812843388E0, 1.62083287701538329132E0,
        1.67006611831323023771E-1, 6.81020132472518137426E-3, 1.08936580650328664411E-4,
        5.48900223421373614008E-7],
       [1, 8.16496634205391016773E0, 7.30828822505564552187E0, 1.86792257950184183883E0,
        1.78792052963149907262E-1, 7.01710668322789753610E-3, 1.10034357153915731354E-4,
        5.48900252756255700982E-7])
_G4 = ([8.71001698973114191777E-2, 6.11379109952219284151E-1, 3.97180296392337498885E-1,
        7.48527737628469092119E-2, 5.38868681462177273157E-3, 1.61999794598934024525E-4,
        1.97963874140963632189E-6, 7.82579040744090311069E-9],
       [1, 1.64402202413355338886E0, 6.66296701268987968381E-1, 9.88771761277688796203E-2,
        6.22396345441768420760E-3, 1.73221081474177119497E-4, 2.02659182086343991969E-6,
        7.82579218933534490868E-9])
_F8 = ([4.55880873470465315206E-1, 7.13715274100146711374E-1, 1.60300158222319456320E-1,
        1.16064229408124407915E-2, 3.49556442447859055605E-4, 4.86215430826454749482E-6,
        3.20092790091004902806E-8, 9.41779576128512936592E-11, 9.70507110881952024631E-14],
       [1.0, 9.17463611873684053703E-1, 1.78685545332074536321E-1, 1.22253594771971293032E-2,
        3.58696481881851580297E-4, 4.92435064317881464393E-6, 3.21956939101046018377E-8,
        9.43720590350276732376E-11, 9.70507110881952025725E-14])
_G8 = ([6.97359953443276214934E-1, 3.30410979305632063225E-1, 3.84878767649974295920E-2,
        1.71718239052347903558E-3, 3.48941165502279436777E-5, 3.47131167084116673800E-7,
        1.70404452782044526189E-9, 3.85945925430276600453E-12, 3.14040098946363334640E-15],
       [1.0, 1.68548898811011640017E0, 4.87852258695304967486E-1, 4.67913194259625806320E-2,
        1.90284426674399523638E-3, 3.68475504442561108162E-5, 3.57043223443740838771E-7,
        1.72693748966316146736E-9, 3.87830166023954706752E-12, 3.14040098946363335242E-15])


def _sici_small(x):
  t = x * x
  si = x * _ratio(*_SI_SERIES, t)
  ci = np.euler_gamma + jnp.log(x) + t * _ratio(*_CI_SERIES, t)
  return jnp.where(x == 0, 0.0, si), jnp.where(x == 0, -np.inf, ci)


def _sici_auxiliary(x):
  z = 1.0 / (x * x)
  below8 = x < 8.0
  f = jnp.where(below8, _ratio(*_F4, z), _ratio(*_F8, z)) / x
  g = z * jnp.where(below8, _ratio(*_G4, z), _ratio(*_G8, z))
  sin, cos = jnp.sin(x), jnp.cos(x)
  return np.pi / 2 - f * cos - g * sin, f * sin - g * cos


def _sici_huge(x):
  si = jnp.where(jnp.isposinf(x), np.pi / 2, np.pi / 2 - jnp.cos(x) / x)
  ci = jnp.where(jnp.isposinf(x), 0.0, jnp.sin(x) / x)
  return si, ci


def _sici_impl(x):
  x, = _inexact("sici", x)
  _real_only("sici", x, f"Argument `x` to sici must be real-valued. Got dtype {x.dtype}.")
  ax = jnp.abs(x)
  regions = [ax <= 4, (ax > 4) & (ax <= 1e9)]
  (si_s, ci_s), (si_a, ci_a), (si_h, ci_h) = _sici_small(ax), _sici_auxiliary(ax), _sici_huge(ax)
  si = jnp.sign(x) * jnp.select(regions, [si_s, si_a], si_h)
  ci = jnp.where(jnp.isneginf(x), np.nan, jnp.select(regions, [ci_s, ci_a], ci_h))
  return si, ci


sici = custom_jvp(jit(_sici_impl))
sici.__doc__ = r"""The sine and cosine integrals :math:`\mathrm{Si}(x) = \int_0^x \sin t/t\,dt`
  and :math:`\mathrm{Ci}(x) = \gamma + \log x + \int_0^x (\cos t - 1)/t\,dt`.

  >>> from jaxlite.scipy.special import sici
  >>> si, ci = sici(jnp.array([1.0, 10.0]))
  >>> si
  Array([0.94608307, 1.6583477 ], dtype=float32)
  """


@sici.defjvp
@jit
def _sici_jvp(primals, tangents):
  x, = primals
  dx, = tangents
  return sici(x), (jnp.sinc(x / np.pi) * dx, jnp.cos(x) / x * dx)


# --- Spence's function: Cephes spence.c --------------------------------------------------

_SPENCE = ([4.65128586073990045278E-5, 7.31589045238094711071E-3, 1.33847639578309018650E-1,
            8.79691311754530315341E-1, 2.71149851196553469920E0, 4.25697156008121755724E0,
            3.29771340985225106936E0, 1.00000000000000000126E0],
           [6.90990488912553276999E-4, 2.54043763932544379113E-2, 2.82974860602568089943E-1,
            1.41172597751831069617E0, 3.63800533345137075418E0, 5.03278880143316990390E0,
            3.54771340985225096217E0, 9.99999999999999998740E-1])


def _spence_positive(x):
  inverted = x > 2.0
  x = jnp.where(inverted, 1.0 / x, x)  # spence(x) = -log(x)^2/2 - spence(1/x)
  above = x > 1.5
  below = x < 0.5
  w = jnp.where(above, 1.0 / x - 1.0, jnp.where(below, -x, x - 1.0))
  y = -w * _ratio(*_SPENCE, w)
  y = jnp.where(below, np.pi ** 2 / 6.0 - jnp.log(x) * jnp.log(1.0 - x) - y, y)
  return jnp.where(inverted | above, -0.5 * jnp.log(x) ** 2 - y, y)


def spence(x):
  r"""Spence's function (dilogarithm) :math:`\int_1^x \log t/(1 - t)\,dt` for real
  ``x >= 0`` (NaN below, as JAX).

  >>> from jaxlite.scipy.special import spence
  >>> spence(jnp.array([0.0, 0.5, 1.0, 3.0]))
  Array([ 1.644934  ,  0.58224034,  0.        , -1.4367464 ], dtype=float32)
  """
  x = jnp.asarray(x)
  if x.dtype not in (np.float32, np.float64):
    raise TypeError(f"x.dtype={x.dtype} is not supported, see docstring for supported types.")
  return jnp.piecewise(x, [x < 0.0, x == 1.0, x == 0.0],
                       [np.nan, 0, np.pi ** 2 / 6, _spence_positive])
