"""jax.scipy.stats's distributions and summary statistics: every function of
every distribution module against JAX 0.10.2 (values, dtype, weak type) on a
grid with edge cases, eager and under jit; against SciPy where it has the same
function; gradients against JAX."""
import inspect

import numpy as np
import pytest
import scipy.stats as sps

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.scipy import stats

jax = pytest.importorskip("jax")
import jax.scipy.stats as jstats  # noqa: E402

DISTRIBUTIONS = ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "expon", "gamma",
                 "gennorm", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "nbinom",
                 "pareto", "poisson", "t", "truncnorm", "uniform", "vonmises", "wrapcauchy"]

_X = np.array([-1.0, 0.0, 0.3, 1.0, 2.5, 4.0, 10.0, np.nan, np.inf, -np.inf])
_K = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 7.0, 2.5, np.nan])
_Q = np.array([0.0, 0.05, 0.5, 0.95, 1.0, -0.1, np.nan])

# Shape parameters by name (two settings each, to catch a swapped argument).
_SHAPES = {"a": (0.7, 3.0), "b": (2.0, 1.5), "df": (3.0, 1.0), "mu": (2.0, 0.5), "n": (5.0, 3.0),
           "p": (0.3, 0.8), "beta": (2.0, 0.8), "kappa": (1.5, 4.0), "c": (0.4, 0.8),
           "loc": (0.0, 0.5), "scale": (1.0, 2.0)}
_TRUNCATION = {"a": (-1.0, 0.5), "b": (1.5, 3.0)}


def _cases():
  for dist in DISTRIBUTIONS:
    module = getattr(jstats, dist)
    for name in sorted(n for n in dir(module) if not n.startswith("_")):
      fn = getattr(module, name)
      if callable(fn) and not inspect.isclass(fn) and name != "entropy":
        yield dist, name


def _arguments(dist, fn_name, setting):
  params = list(inspect.signature(getattr(jstats, dist).__dict__[fn_name]).parameters)
  first, rest = params[0], params[1:]
  if fn_name in ("ppf", "isf"):
    lead = _Q
  elif fn_name in ("pmf", "logpmf") or (dist in ("bernoulli", "poisson") and first == "k"):
    lead = _K
  else:
    lead = _X
  args = [lead]
  for p in rest:
    table = _TRUNCATION if dist == "truncnorm" and p in _TRUNCATION else _SHAPES
    args.append(np.float32(table[p][setting]))
  return args


@pytest.mark.parametrize("setting", [0, 1])
@pytest.mark.parametrize("dist,fn_name", list(_cases()))
def test_matches_jax(dist, fn_name, setting):
  args = _arguments(dist, fn_name, setting)
  ours_fn = getattr(getattr(stats, dist), fn_name)
  theirs_fn = getattr(getattr(jstats, dist), fn_name)
  # Eager against eager and jit against jit: XLA simplifies fused programs
  # (e.g. inf - exp(inf)) differently from op-by-op ones, in both libraries.
  for ours, theirs in ((ours_fn(*args), theirs_fn(*args)),
                       (jaxlite.jit(ours_fn)(*args), jax.jit(theirs_fn)(*args))):
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=2e-6, atol=1e-7)
  # Python-scalar arguments: the same weak type as JAX (JAX's from its abstract
  # evaluation, the same as its eager result's, without compiling every op again
  # for weak scalars).
  scalar_args = [float(np.nan_to_num(a.flat[2])) if np.ndim(a) else float(a) for a in args]
  assert ours_fn(*scalar_args).weak_type == jax.eval_shape(theirs_fn, *scalar_args).weak_type


@pytest.mark.parametrize("dist,fn_name,scipy_fn", [
    ("expon", "logpdf", lambda x: sps.expon.logpdf(x)),
    ("gamma", "cdf", lambda x: sps.gamma.cdf(x, 3.0)),
    ("beta", "sf", lambda x: sps.beta.sf(x / 11, 2.0, 3.0)),
    ("t", "logpdf", lambda x: sps.t.logpdf(x, 3.0)),
    ("chi2", "logsf", lambda x: sps.chi2.logsf(x, 4.0)),
    ("poisson", "cdf", lambda k: sps.poisson.cdf(k, 2.0)),
    ("nbinom", "logpmf", lambda k: sps.nbinom.logpmf(k, 5.0, 0.3)),
    ("gumbel_r", "logsf", lambda x: sps.gumbel_r.logsf(x)),
    ("truncnorm", "logcdf", lambda x: sps.truncnorm.logcdf(x / 4, -1.0, 1.5)),
])
def test_against_scipy(dist, fn_name, scipy_fn):
  grid = np.linspace(0.5, 10.0, 12)
  fn = getattr(getattr(stats, dist), fn_name)
  args = {"gamma": (3.0,), "beta": (2.0, 3.0), "t": (3.0,), "chi2": (4.0,), "poisson": (2.0,),
          "nbinom": (5.0, 0.3), "truncnorm": (-1.0, 1.5)}.get(dist, ())
  x = np.floor(grid) if dist in ("poisson", "nbinom") else grid
  x_in = x / 11 if dist == "beta" else (x / 4 if dist == "truncnorm" else x)
  with jaxlite.enable_x64(True):
    ours = np.asarray(fn(x_in.astype(np.float64), *args))
  np.testing.assert_allclose(ours, scipy_fn(x), rtol=1e-6)


@pytest.mark.parametrize("dist,fn_name,argnums,args", [
    ("gamma", "logpdf", (0, 1), (2.0, 3.0)), ("beta", "logpdf", (0, 1, 2), (0.3, 2.0, 3.0)),
    ("t", "logpdf", (0, 1), (0.7, 3.0)), ("truncnorm", "logpdf", (0, 1, 2), (0.2, -1.0, 1.5)),
    ("gumbel_r", "logsf", (0,), (0.4,)), ("poisson", "logpmf", (1,), (3.0, 2.0)),
    ("vonmises", "logpdf", (0, 1), (0.3, 2.0)), ("chi2", "cdf", (0,), (2.0, 3.0)),
])
def test_gradients_match_jax(dist, fn_name, argnums, args):
  ours = jaxlite.grad(getattr(getattr(stats, dist), fn_name), argnums)(*args)
  theirs = jax.grad(getattr(getattr(jstats, dist), fn_name), argnums)(*args)
  np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5)


def test_multivariate_and_entropy():
  x = np.array([[0.2, 0.5], [0.3, 0.1], [0.5, 0.4]], np.float32)
  alpha = np.array([1.5, 2.0, 3.0], np.float32)
  np.testing.assert_allclose(stats.dirichlet.logpdf(x, alpha), jstats.dirichlet.logpdf(x, alpha),
                             rtol=1e-6)
  np.testing.assert_allclose(stats.dirichlet.pdf(x[:2], alpha), jstats.dirichlet.pdf(x[:2], alpha),
                             rtol=1e-6)
  counts, p = np.array([[1, 2, 0], [3, 0, 0]]), np.array([0.2, 0.5, 0.3], np.float32)
  np.testing.assert_allclose(stats.multinomial.logpmf(counts, 3, p),
                             jstats.multinomial.logpmf(counts, 3, p), rtol=1e-6)
  mu = np.array([0.0, 0.5, 5.0, 50.0, 500.0], np.float32)
  np.testing.assert_allclose(stats.poisson.entropy(mu), jstats.poisson.entropy(mu), rtol=1e-5)
  with pytest.raises(ValueError, match="must be of integer type"):
    stats.multinomial.logpmf(np.array([1.0, 2.0]), 3, p[:2])


def test_summary_statistics():
  a = np.array([[3, 1, 3, 2], [2, 2, 5, 5], [1, 1, 1, 7]], np.float32)
  for axis in (0, 1, None):
    ours, theirs = stats.mode(a, axis=axis), jstats.mode(a, axis=axis)
    np.testing.assert_array_equal(ours.mode, theirs.mode)
    np.testing.assert_array_equal(ours.count, theirs.count)
    np.testing.assert_allclose(stats.sem(a, axis=axis), jstats.sem(a, axis=axis), rtol=1e-6)
  for method in ("average", "min", "max", "dense", "ordinal"):
    np.testing.assert_array_equal(stats.rankdata(a, method), jstats.rankdata(a, method))
    np.testing.assert_array_equal(stats.rankdata(a, method, axis=1),
                                  jstats.rankdata(a, method, axis=1))
  np.testing.assert_allclose(stats.rankdata(a.ravel()), sps.rankdata(a.ravel()))
  with pytest.raises(ValueError, match="Illegal nan_policy"):
    stats.mode(a, nan_policy="nope")


def test_gaussian_kde():
  data = np.random.RandomState(0).randn(2, 30).astype(np.float32)
  weights = np.random.RandomState(1).rand(30).astype(np.float32)
  points = np.random.RandomState(2).randn(2, 5).astype(np.float32)
  for bw in (None, "silverman", 0.7):
    ours, theirs = stats.gaussian_kde(data, bw, weights), jstats.gaussian_kde(data, bw, weights)
    np.testing.assert_allclose(ours.evaluate(points), theirs.evaluate(points), rtol=1e-5)
    np.testing.assert_allclose(ours.logpdf(points), theirs.logpdf(points), rtol=1e-5)
    np.testing.assert_allclose(ours.integrate_gaussian(np.zeros(2), np.eye(2)),
                               theirs.integrate_gaussian(np.zeros(2), np.eye(2)), rtol=1e-5)
  scipy_kde = sps.gaussian_kde(data.astype(np.float64))
  np.testing.assert_allclose(stats.gaussian_kde(data)(points), scipy_kde(points), rtol=1e-4)
  one_d = stats.gaussian_kde(data[0])
  np.testing.assert_allclose(one_d.integrate_box_1d(-1.0, 1.0),
                             jstats.gaussian_kde(data[0]).integrate_box_1d(-1.0, 1.0), rtol=1e-5)
  # A pytree: through jit.
  np.testing.assert_allclose(jaxlite.jit(lambda k, p: k.evaluate(p))(one_d, points[0]),
                             one_d.evaluate(points[0]), rtol=1e-6)
  samples = one_d.resample(jaxlite.random.key(0), (7,))
  assert samples.shape == (1, 7)
