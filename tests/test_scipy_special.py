"""Tests for jaxlite.scipy.special and jaxlite.scipy.stats.norm against JAX,
SciPy (when installed) and NumPy, including gradients."""
import numpy as np
import pytest

import jaxlite
from jaxlite.scipy import special
from jaxlite.scipy.stats import norm

jax = pytest.importorskip("jax")
import jax.scipy.special as jss  # noqa: E402
import jax.scipy.stats.norm as jnorm  # noqa: E402

try:
  import scipy.special as sps
  import scipy.stats as sst
except ImportError:  # SciPy is optional: JAX is the reference then
  sps = sst = None

X = np.array([-30., -12., -3., -0.5, 0., 0.7, 4., 9.], np.float32)
P = np.array([0., 1e-30, 1e-6, 0.01, 0.3, 0.5, 0.97, 1 - 1e-7, 1.], np.float32)
U = np.array([-0.99, -0.5, 0., 0.3, 0.999], np.float32)
POS = np.array([1e-3, 0.3, 1., 2.5, 10., 50.], np.float32)


def _np(x):
  return np.asarray(x)


UNARY = [("erf", X), ("erfc", X), ("erfinv", U), ("gammaln", POS), ("digamma", POS),
         ("expit", X), ("logit", P[1:-1]), ("ndtr", X), ("ndtri", P), ("log_ndtr", X),
         ("entr", np.array([-1., 0., 0.5, 3.], np.float32))]


@pytest.mark.parametrize("name,x", UNARY, ids=[n for n, _ in UNARY])
def test_unary_matches_jax_and_scipy(name, x):
  got = getattr(special, name)(x)
  want = getattr(jss, name)(x)
  assert got.dtype == want.dtype and got.shape == want.shape
  assert got.weak_type == want.weak_type
  np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6, atol=1e-30)
  assert special.__dict__[name](x.tolist()[0]).weak_type == getattr(jss, name)(
      x.tolist()[0]).weak_type
  if sps is not None:
    ref = getattr(sps, name)(x.astype(np.float64))
    finite = np.isfinite(ref)
    np.testing.assert_allclose(_np(got)[finite], ref[finite], rtol=2e-4, atol=1e-6)
    np.testing.assert_array_equal(_np(got)[~finite], ref[~finite])


def test_normal_cdf_family_bit_equal_on_a_grid():
  # Same algorithm, same polynomial loops: the same float32 numbers as JAX.
  x = np.linspace(-40, 10, 1001).astype(np.float32)
  p = np.linspace(1e-4, 1 - 1e-4, 1001).astype(np.float32)
  np.testing.assert_array_equal(_np(special.ndtr(x)), _np(jss.ndtr(x)))
  np.testing.assert_array_equal(_np(special.log_ndtr(x)), _np(jss.log_ndtr(x)))
  np.testing.assert_array_equal(_np(special.ndtri(p)), _np(jss.ndtri(p)))


def test_float64_and_weak_types():
  with jaxlite.config.enable_x64(True):
    jax.config.update("jax_enable_x64", True)
    try:
      x = X.astype(np.float64)
      for name in ["ndtr", "log_ndtr", "erf"]:
        got, want = getattr(special, name)(x), getattr(jss, name)(x)
        assert got.dtype == np.float64
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-13, atol=1e-300)
      np.testing.assert_allclose(_np(special.ndtri(P.astype(np.float64))),
                                 _np(jss.ndtri(P.astype(np.float64))), rtol=1e-13)
    finally:
      jax.config.update("jax_enable_x64", False)
  out = special.erf(0.5)
  assert out.dtype == np.float32 and out.weak_type
  assert special.gammaln(3).dtype == np.float32   # integers promote to float
  with pytest.raises(TypeError, match="not supported"):
    special.ndtr(np.array([1, 2], np.int32))


def test_xlogy_xlog1py():
  x = np.array([0., 0., 1., 2., 0.], np.float32)
  y = np.array([0., np.nan, 2., 0.5, 3.], np.float32)
  for name in ["xlogy", "xlog1py"]:
    np.testing.assert_array_equal(_np(getattr(special, name)(x, y)),
                                  _np(getattr(jss, name)(x, y)))
  assert float(special.xlogy(0., 0.)) == 0.
  assert np.isnan(float(special.xlogy(0., np.nan)))


@pytest.mark.parametrize("kwargs", [
    {}, {"axis": 0}, {"axis": 1, "keepdims": True}, {"axis": (0, 1)},
    {"b": np.array([[1., 2., 0.], [0.5, 1., 1.]], np.float32)},
    {"b": np.array([[1., -2., 0.], [0.5, 1., 1.]], np.float32), "axis": 1},
    {"b": np.array([1., -2., 0.5], np.float32), "axis": 1, "return_sign": True},
    {"where": np.array([[True, False, True], [True, True, False]]), "axis": 1},
])
def test_logsumexp(kwargs):
  a = np.array([[1., 2., 3.], [-np.inf, 0.5, 700.]], np.float32)
  got = special.logsumexp(a, **kwargs)
  want = jss.logsumexp(a, **kwargs)
  if kwargs.get("return_sign"):
    np.testing.assert_array_equal(_np(got[1]), _np(want[1]))
    got, want = got[0], want[0]
  assert got.shape == want.shape
  np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6)
  if sps is not None and "where" not in kwargs:
    with np.errstate(all="ignore"):
      ref = sps.logsumexp(a.astype(np.float64), **kwargs)
    ref = ref[0] if kwargs.get("return_sign") else ref
    np.testing.assert_allclose(_np(got), ref, rtol=1e-5)


def test_logsumexp_all_masked_and_complex():
  np.testing.assert_array_equal(_np(special.logsumexp(np.array([-np.inf, -np.inf]))), -np.inf)
  z = np.array([1 + 1j, 2 - 0.5j], np.complex64)
  np.testing.assert_allclose(_np(special.logsumexp(z)), _np(jss.logsumexp(z)), rtol=1e-6)
  with pytest.raises(ValueError, match="out of bounds"):
    special.logsumexp(np.ones(3), axis=1)


def test_softmax_and_log_softmax():
  a = np.array([[1., 2., 3.], [0., 50., -2.]], np.float32)
  np.testing.assert_allclose(_np(special.softmax(a, axis=1)), _np(jss.softmax(a, axis=1)),
                             rtol=1e-6)
  np.testing.assert_allclose(_np(special.log_softmax(a, axis=0)),
                             _np(jss.log_softmax(a, axis=0)), rtol=1e-6)


def test_gradients_match_jax():
  names = ["erf", "erfc", "expit", "log_ndtr", "ndtr", "gammaln"]

  def total(mod, x):
    return sum(getattr(mod, n)(x).sum() for n in names) + mod.logsumexp(x) + \
        mod.xlogy(x, x * x + 1).sum() + mod.xlog1py(x, x * x).sum()
  x = np.array([-25., -3., -0.5, 0.7, 4.], np.float32)
  got = jaxlite.grad(lambda v: total(special, v))(x)
  want = jax.grad(lambda v: total(jss, v))(x)
  np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=1e-6)
  # xlogy's derivative in x at x = 0 is log(y); entr's is -(log x + 1).
  np.testing.assert_allclose(_np(jaxlite.grad(special.xlogy)(0., 2.)), np.log(2.), rtol=1e-6)
  np.testing.assert_allclose(_np(jaxlite.grad(special.entr)(0.5)), -(np.log(0.5) + 1), rtol=1e-6)
  np.testing.assert_allclose(_np(jaxlite.grad(special.logit)(0.25)), 1 / (0.25 * 0.75), rtol=1e-6)
  # Finite differences for ndtri (no custom rule: differentiated through its formula).
  eps = 1e-3
  fd = (float(special.ndtri(0.3 + eps)) - float(special.ndtri(0.3 - eps))) / (2 * eps)
  np.testing.assert_allclose(float(jaxlite.grad(special.ndtri)(0.3)), fd, rtol=1e-2)


NORM = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]


@pytest.mark.parametrize("name", NORM)
def test_norm(name):
  loc, scale = np.float32(0.5), np.array([1., 2.], np.float32)[:, None]
  got = getattr(norm, name)(X, loc, scale)
  want = getattr(jnorm, name)(X, loc, scale)
  assert got.shape == want.shape == (2, len(X))
  np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6, atol=1e-30)
  if sst is not None:
    ref = getattr(sst.norm, name)(X.astype(np.float64), 0.5, np.array([[1.], [2.]]))
    finite = np.abs(ref) < 1e30
    # float32 loses relative accuracy as log(cdf) approaches 0 (as JAX does).
    np.testing.assert_allclose(_np(got)[finite], ref[finite], rtol=1e-4, atol=1e-7)


def test_norm_ppf_isf():
  q = P[1:-1]
  np.testing.assert_allclose(_np(norm.ppf(q, 1., 3.)), _np(jnorm.ppf(q, 1., 3.)), rtol=1e-6)
  np.testing.assert_allclose(_np(norm.isf(q)), _np(jnorm.isf(q)), rtol=1e-6)
  np.testing.assert_allclose(_np(norm.cdf(norm.ppf(q))), q, rtol=1e-4)
  g = jaxlite.grad(lambda x: norm.logpdf(x, 1., 2.))(0.)
  np.testing.assert_allclose(float(g), (1. - 0.) / 4., rtol=1e-6)
