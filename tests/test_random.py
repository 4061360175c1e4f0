"""Tests for jaxlite.random and jaxlite.prng: JAX's bits for the same keys,
simple distribution checks, typed keys, transformations and errors."""
import importlib

import numpy as np
import pytest

import jaxlite
from jaxlite import prng
from jaxlite import random

jax = pytest.importorskip("jax")
import jax.random as jr  # noqa: E402

config_lib = importlib.import_module("jaxlite.config")


def _np(x):
  return np.asarray(x)


# --- keys ------------------------------------------------------------------------------------

SEEDS = [0, 1, 42, -1, 2**31 - 1, -2**31, 2**40 + 5, np.uint32(2**32 - 1), np.int8(-3),
         np.int32(7), np.uint8(200)]


@pytest.mark.parametrize("seed", SEEDS, ids=repr)
def test_prngkey_matches_jax(seed):
  got = random.PRNGKey(seed)
  assert got.dtype == np.uint32 and got.shape == (2,)
  np.testing.assert_array_equal(_np(got), _np(jr.PRNGKey(seed)))


def test_jax_seed_example_normal():
  # The example in JAX's docs: jax.random.normal(jax.random.PRNGKey(0), (10,)).
  got = random.normal(random.PRNGKey(0), (10,))
  np.testing.assert_array_equal(_np(got), _np(jr.normal(jr.PRNGKey(0), (10,))))
  np.testing.assert_allclose(_np(got)[:3], [1.6226422, 2.0252647, -0.43359444], rtol=1e-6)


def test_x64_seeds_and_bits():
  with config_lib.enable_x64(True):
    jax.config.update("jax_enable_x64", True)
    try:
      for seed in [2**40 + 5, -2**62, 2**63 - 1]:
        np.testing.assert_array_equal(_np(random.PRNGKey(seed)), _np(jr.PRNGKey(seed)))
      key = random.PRNGKey(3)
      got = random.bits(key, (5,), np.uint64)
      assert got.dtype == np.uint64
      np.testing.assert_array_equal(_np(got), _np(jr.bits(jr.PRNGKey(3), (5,), np.uint64)))
      got = random.uniform(key, (4,), np.float64)
      np.testing.assert_array_equal(_np(got), _np(jr.uniform(jr.PRNGKey(3), (4,), np.float64)))
    finally:
      jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("num", [2, 3, (2, 3), (1,), ()])
def test_split_matches_jax(num):
  got = random.split(random.PRNGKey(11), num)
  want = jr.split(jr.PRNGKey(11), num)
  assert got.shape == want.shape
  np.testing.assert_array_equal(_np(got), _np(want))


@pytest.mark.parametrize("data", [0, 7, 2**32 - 1, np.int32(-5), np.uint32(123)])
def test_fold_in_matches_jax(data):
  np.testing.assert_array_equal(_np(random.fold_in(random.PRNGKey(5), data)),
                                _np(jr.fold_in(jr.PRNGKey(5), data)))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (0,)])
def test_bits_match_jax(dtype, shape):
  got = random.bits(random.PRNGKey(9), shape, dtype)
  want = jr.bits(jr.PRNGKey(9), shape, dtype)
  assert got.dtype == want.dtype and got.shape == want.shape
  np.testing.assert_array_equal(_np(got), _np(want))


def test_threefry2x32_known_answer():
  # Random123's known-answer test for Threefry-2x32 with 20 rounds.
  x = prng.threefry2x32(np.uint32(0x13198a2e), np.uint32(0x03707344),
                        np.uint32(0x243f6a88), np.uint32(0x85a308d3))
  assert [int(w) for w in x] == [0xc4923a9c, 0x483df7a0]
  x = prng.threefry2x32(*[np.uint32(0xffffffff)] * 4)
  assert [int(w) for w in x] == [0x1cb996fc, 0xbb002be7]


def test_threefry_batching_and_broadcasting():
  k1 = np.array([0, 1, 2], np.uint32)
  x = np.arange(4, dtype=np.uint32)
  batched = jaxlite.vmap(lambda k: prng.threefry2x32(k, k, x, x))(k1)
  for i in range(3):
    row = prng.threefry2x32(k1[i], k1[i], x, x)
    np.testing.assert_array_equal(_np(batched[0][i]), _np(row[0]))
    np.testing.assert_array_equal(_np(batched[1][i]), _np(row[1]))
  with pytest.raises(TypeError, match="uint32"):
    prng.threefry2x32(np.int32(0), np.uint32(0), x, x)


def test_typed_keys():
  k = random.key(42)
  assert k.shape == () and k.ndim == 0
  assert str(k.dtype) == "key<fry>" and k.dtype.name == "key<fry>"
  assert jaxlite.dtypes.issubdtype(k.dtype, random.prng_key)
  assert repr(k) == repr(jr.key(42))
  np.testing.assert_array_equal(_np(random.key_data(k)), _np(jr.key_data(jr.key(42))))
  assert random.key_impl(k) == "threefry2x32"
  keys = random.split(k, 3)
  assert isinstance(keys, random.PRNGKeyArray) and keys.shape == (3,)
  np.testing.assert_array_equal(_np(random.key_data(keys)),
                                _np(jr.key_data(jr.split(jr.key(42), 3))))
  a, b, c = keys
  np.testing.assert_array_equal(_np(random.key_data(c)), _np(random.key_data(keys[-1])))
  assert bool(random.wrap_key_data(random.key_data(b)) == b)
  assert not bool(a == b)
  np.testing.assert_array_equal(_np(keys.reshape(3, 1)[1, 0] == b), True)
  assert keys.T.shape == (3,) and keys[None].shape == (1, 3)
  # Samplers accept typed keys and give the same numbers as for raw keys.
  np.testing.assert_array_equal(_np(random.uniform(a, (3,))),
                                _np(random.uniform(random.key_data(a), (3,))))
  with pytest.raises(TypeError, match="NumPy array"):
    np.asarray(k)
  with pytest.raises(TypeError, match="scalar seed"):
    random.key(k)


def test_key_errors():
  with pytest.raises(ValueError, match="single key"):
    random.uniform(random.split(random.PRNGKey(0)), (2,))
  with pytest.raises(TypeError, match="invalid PRNG key data"):
    random.normal(np.zeros(3, np.uint32))
  with pytest.raises(TypeError, match="uint32"):
    random.normal(np.zeros(2, np.int32))
  with pytest.raises(TypeError, match="scalar seed"):
    random.PRNGKey(np.array([1, 2]))
  with pytest.raises(TypeError, match="must be an integer"):
    random.PRNGKey(1.5)
  with pytest.raises(TypeError, match="unexpected PRNG key type"):
    random.split("key")
  with pytest.raises(ValueError, match="unsigned int dtype"):
    random.bits(random.PRNGKey(0), (2,), np.int32)
  with pytest.raises(ValueError, match="float dtype"):
    random.uniform(random.PRNGKey(0), (2,), np.int32)
  with pytest.raises(TypeError, match="integer dtypes"):
    random.randint(random.PRNGKey(0), (2,), 0, 3, np.float32)
  with pytest.raises(ValueError, match="Incompatible shapes"):
    random.truncated_normal(random.PRNGKey(0), np.zeros(3), 1., (2,))
  with pytest.raises(ValueError, match="broadcast-compatible"):
    random.truncated_normal(random.PRNGKey(0), np.zeros((2, 3)), 1., (3,))
  with pytest.raises(ValueError, match="PRNG implementation"):
    random.key(0, impl="nope")


def test_legacy_key_config():
  with config_lib.legacy_prng_key("error"):
    with pytest.raises(ValueError, match="Legacy uint32 key"):
      random.normal(random.PRNGKey(0))
    random.normal(random.key(0))   # typed keys are fine
  with config_lib.enable_custom_prng(True):
    out = random.split(random.PRNGKey(0))
    assert isinstance(out, random.PRNGKeyArray)


def test_non_partitionable_threefry_is_refused():
  with config_lib.threefry_partitionable(False):
    with pytest.raises(NotImplementedError, match="partitionable"):
      random.split(random.PRNGKey(0))


def test_seed_offset():
  with config_lib.random_seed_offset(10):
    np.testing.assert_array_equal(_np(random.PRNGKey(1)), [0, 11])


# --- samplers against JAX ----------------------------------------------------------------------

# (name, positional args after the key, keyword args); every case is one compile per library.
SAMPLERS = [
    ("uniform", ((2, 3), np.float32, -2., 3.), {}),
    ("uniform", ((4,), np.float16), {}),
    ("uniform", ((4,), jaxlite.dtypes.bfloat16), {}),
    ("normal", ((3,), np.complex64), {}),
    ("normal", ((4,), np.float16), {}),
    ("randint", ((6,), -5, np.array([1, 2, 3, 4, 5, 100])), {}),
    ("randint", ((6,), 0, 256, np.uint8), {}),
    ("randint", ((5,), -3, 3, np.int8), {}),
    ("randint", ((4,), 7, 3), {}),
    ("bits", ((3, 2),), {}),
    ("bernoulli", (np.array([0.1, 0.5, 0.9]),), {}),
    ("bernoulli", (0.3, (4,)), {"mode": "high"}),
    ("truncated_normal", (np.array([-3., 0.]), np.array([-1., 3.])), {}),
    ("cauchy", ((5,),), {}),
    ("gumbel", ((5,),), {"mode": "high"}),
    ("gumbel", ((2, 3),), {"mode": "highest"}),
    ("gumbel", ((3,), np.float16), {"mode": "highest"}),
    ("pareto", (3., (4,)), {}),
    ("rayleigh", (2., (4,)), {}),
    ("lognormal", (0.5, (4,)), {}),
    ("wald", (1.5, (4,)), {}),
    ("weibull_min", (1.5, 2., (4,)), {}),
    ("triangular", (0., 0.3, 1., (4,)), {}),
    ("geometric", (0.3, (5,)), {}),
    ("maxwell", ((4,),), {}),
    ("double_sided_maxwell", (1., 2., (3,)), {}),
    ("permutation", (7,), {}),
    ("permutation", (np.arange(12).reshape(3, 4),), {"axis": 1}),
    ("permutation", (np.arange(12).reshape(3, 4),), {"independent": True}),
    ("categorical", (np.log(np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),), {"shape": (4, 2)}),
    ("categorical", (np.array([1., 2., 3., 0.]),), {"shape": (2,), "replace": False}),
    ("choice", (10, (3,)), {}),
    ("choice", (10, (3,)), {"replace": False}),
    ("choice", (np.arange(20).reshape(4, 5), (2,)), {"axis": 1}),
    ("choice", (5, (4,)), {"p": np.array([.1, .2, .3, .2, .2])}),
    ("choice", (5, (3,)), {"replace": False, "p": np.array([.1, .2, .3, .2, .2])}),
    ("multivariate_normal", (np.zeros(2), np.array([[2., .5], [.5, 1.]]), (3,)), {}),
    ("multivariate_normal", (np.ones(2), np.array([[2., .5], [.5, 1.]]), (2,)),
     {"method": "eigh"}),
    ("multivariate_normal", (np.ones(2), np.array([[2., .5], [.5, 1.]]), (2,)),
     {"method": "svd"}),
    ("orthogonal", (3,), {}),
    ("orthogonal", (2,), {"m": 3}),
]


def _all_samplers(r, key):
  return [getattr(r, name)(key, *args, **kwargs) for name, args, kwargs in SAMPLERS]


def test_samplers_match_jax():
  # One compiled program per library for all cases: compiles dominate this
  # module's run time. (The moment tests below run samplers eagerly.)
  got = jaxlite.jit(lambda k: _all_samplers(random, k))(random.PRNGKey(1701))
  want = jax.jit(lambda k: _all_samplers(jr, k))(jr.PRNGKey(1701))
  for (name, args, kwargs), g, w in zip(SAMPLERS, got, want):
    msg = f"{name}{args}{kwargs}"
    assert g.shape == w.shape and g.dtype == w.dtype, msg
    np.testing.assert_array_equal(_np(g), _np(w), err_msg=msg)


def test_samplers_under_jit_and_vmap():
  keys = random.split(random.PRNGKey(3), 3)
  f = jaxlite.jit(lambda k: random.normal(k, (2,)) + random.uniform(random.fold_in(k, 1)))
  got = jaxlite.vmap(f)(keys)
  g = jax.jit(lambda k: jr.normal(k, (2,)) + jr.uniform(jr.fold_in(k, 1)))
  want = jax.vmap(g)(jr.split(jr.PRNGKey(3), 3))
  np.testing.assert_array_equal(_np(got), _np(want))
  # Typed keys pass through jit (as pytrees) and split under vmap.
  typed = random.key(3)
  sub = jaxlite.jit(lambda k: random.split(k, 2))(typed)
  assert isinstance(sub, random.PRNGKeyArray) and sub.shape == (2,)
  pairs = jaxlite.vmap(lambda k: random.key_data(random.split(k)))(random.split(typed, 2))
  np.testing.assert_array_equal(
      _np(pairs), _np(jax.vmap(lambda k: jr.key_data(jr.split(k)))(jr.split(jr.key(3), 2))))


# --- distributions (each sample is also compared with JAX's) ------------------------------------

N = 2000


def _moments(x):
  x = _np(x).astype(np.float64)
  return x.mean(0), x.var(0)


def _check_moments(x, mean, var):
  m, v = _moments(x)
  se = np.sqrt(np.asarray(var) / len(x))
  np.testing.assert_array_less(np.abs(m - mean), 5 * se + 1e-9)
  np.testing.assert_array_less(np.abs(v - var), 0.15 * np.asarray(var) + 1e-9)


@pytest.mark.parametrize("name,args,mean,var", [
    ("uniform", ((N,),), 0.5, 1 / 12),
    ("normal", ((N,),), 0., 1.),
    ("exponential", ((N,),), 1., 1.),
    ("laplace", ((N,),), 0., 2.),
    ("logistic", ((N,),), 0., np.pi ** 2 / 3),
    ("gumbel", ((N,),), np.euler_gamma, np.pi ** 2 / 6),
    ("truncated_normal", (-1., 1., (N,)), 0., 0.2911),
    ("randint", ((N,), -3, 5), 0.5, 5.25),
    ("bernoulli", (0.3, (N,)), 0.3, 0.21),
    ("rademacher", ((N,),), 0., 1.),
])
def test_distribution_moments(name, args, mean, var):
  x = getattr(random, name)(random.PRNGKey(0), *args)
  np.testing.assert_array_equal(_np(x), _np(getattr(jr, name)(jr.PRNGKey(0), *args)))
  _check_moments(x, mean, var)


def test_uniform_range_and_cdf():
  x = _np(random.uniform(random.PRNGKey(4), (N,), minval=-2., maxval=3.))
  assert x.min() >= -2 and x.max() < 3
  # Kolmogorov-Smirnov distance to the uniform CDF.
  xs = np.sort((x + 2) / 5)
  ks = np.max(np.abs(xs - np.arange(1, N + 1) / N))
  assert ks < 1.63 / np.sqrt(N)


def _loop_samplers(r, key):
  """The samplers built on rejection loops, in one jitted function per library
  (their compiles dominate this module's run time)."""
  k = r.split(key, 9)
  return {
      "gamma": r.gamma(k[0], np.array([0.4, 2.5]), (N, 2)),
      "loggamma": r.loggamma(k[1], 0.05, (N,)),
      "beta": r.beta(k[2], 2., 3., (N,)),
      "dirichlet": r.dirichlet(k[3], np.array([1., 2., 3.]), (N,)),
      "chisquare": r.chisquare(k[4], 3., (N,)),
      "t": r.t(k[5], 5., (N,)),
      "f": r.f(k[6], 4., 10., (N,)),
      "generalized_normal": r.generalized_normal(k[7], 1.5, (N,)),
      "ball": r.ball(k[8], 3, shape=(N,)),
      "poisson": r.poisson(key, np.array([0., 4., 40.]), (N, 3)),
  }


def test_loop_samplers_match_jax_and_moments():
  got = jaxlite.jit(lambda k: _loop_samplers(random, k))(random.PRNGKey(6))
  want = jax.jit(lambda k: _loop_samplers(jr, k))(jr.PRNGKey(6))
  for name in got:
    assert got[name].dtype == want[name].dtype and got[name].shape == want[name].shape, name
    np.testing.assert_array_equal(_np(got[name]), _np(want[name]), err_msg=name)
  _check_moments(got["gamma"], [0.4, 2.5], [0.4, 2.5])
  # Gamma(0.05) is too heavy-tailed for a variance check at this size.
  assert abs(np.exp(_np(got["loggamma"])).mean() - 0.05) < 5 * np.sqrt(0.05 / N)
  _check_moments(got["beta"], 0.4, 0.04)
  _check_moments(got["chisquare"], 3., 6.)
  _check_moments(got["t"], 0., 5 / 3)
  _check_moments(got["f"], 10 / 8, 2 * 100 * 12 / (4 * 64 * 6))
  _check_moments(got["poisson"], [0., 4., 40.], [0., 4., 40.])
  d = _np(got["dirichlet"])
  np.testing.assert_allclose(d.sum(-1), 1., rtol=1e-5)
  np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.03)
  gn = _np(got["generalized_normal"])
  # E|X|^p = 1/p for the density exp(-|x|^p) / (2 Gamma(1 + 1/p)).
  assert abs(np.mean(np.abs(gn) ** 1.5) - 1 / 1.5) < 0.05
  b = _np(got["ball"])
  radius = np.linalg.norm(b, axis=-1)
  assert radius.max() <= 1 + 1e-6
  assert abs(np.mean(radius ** 3) - 0.5) < 0.05   # uniform in the ball: r**3 ~ U(0, 1)


def test_discrete_distributions():
  p = np.array([0.1, 0.2, 0.7])
  cov = np.array([[2., .5], [.5, 1.]])

  @jaxlite.jit
  def draws(k):   # one compile for all of them
    return (random.categorical(k, np.log(p), shape=(N,)),
            random.choice(k, 3, (N,), p=p),
            random.permutation(k, 50),
            random.choice(k, 6, (6,), replace=False),
            random.shuffle(k, np.arange(10)),
            random.multivariate_normal(k, np.array([1., -1.]), cov, (N,)),
            random.orthogonal(k, 4, (2,)))
  c, ch, perm, no_repeat, sh, mvn, q = map(_np, draws(random.PRNGKey(1)))
  np.testing.assert_allclose(np.bincount(c, minlength=3) / N, p, atol=0.03)
  np.testing.assert_allclose(np.bincount(ch, minlength=3) / N, p, atol=0.03)
  assert sorted(perm.tolist()) == list(range(50)) and perm.tolist() != list(range(50))
  assert sorted(no_repeat.tolist()) == list(range(6))
  assert sorted(sh.tolist()) == list(range(10))
  np.testing.assert_allclose(np.cov(mvn.T), cov, atol=0.2)
  np.testing.assert_allclose(mvn.mean(0), [1., -1.], atol=0.15)
  np.testing.assert_allclose(q @ np.swapaxes(q, -1, -2), np.broadcast_to(np.eye(4), (2, 4, 4)),
                             atol=1e-5)
  with pytest.raises(ValueError, match="larger sample"):
    random.choice(random.PRNGKey(0), 3, (4,), replace=False)
  with pytest.raises(ValueError, match="p must be None"):
    random.choice(random.PRNGKey(0), 3, (2,), p=np.ones(4) / 4)
  with pytest.raises(ValueError, match="cov.shape"):
    random.multivariate_normal(random.PRNGKey(0), np.zeros(2), np.eye(3))


def test_gumbel_highest_keeps_both_tails():
  # mode='highest' makes each float32 value from 64 random bits: eager, bit for
  # bit JAX's, with the Gumbel moments.
  x = random.gumbel(random.PRNGKey(0), (N,), mode="highest")
  np.testing.assert_array_equal(_np(x), _np(jr.gumbel(jr.PRNGKey(0), (N,), mode="highest")))
  _check_moments(x, np.euler_gamma, np.pi ** 2 / 6)
