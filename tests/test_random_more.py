"""jax.random.binomial, multinomial and random_gamma_p bit for bit against the
installed JAX 0.10.2 (same key splits, same algorithms), gradients through
random_gamma_p, and out_sharding= / key_dtype(impl_spec=) of the samplers."""
import numpy as np
import pytest

import jaxlite
from jaxlite import random

jax = pytest.importorskip("jax")


def _identical(ours, theirs):
  ours, theirs = np.asarray(ours), np.asarray(theirs)
  assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
  np.testing.assert_array_equal(ours, theirs)   # nan == nan here, bits otherwise


# Raw uint32 keys go through the same sampler as typed keys once unwrapped: one
# case (both algorithms and the edge values at once) checks them, to spare compiles.
@pytest.mark.parametrize("make_key, n, p, shape", [
    ("key", 10, 0.5, (5,)),                      # inversion (n * q <= 10)
    ("key", 100., 0.3, (6,)),                    # BTRS
    ("key", np.array([1., 50, 1000, -1, np.nan, np.inf]), 0.7, None),
    ("PRNGKey", np.array([1., 50, 1000, -1, np.nan, np.inf]), 0.7, None),
    ("key", 20, np.array([0.1, 0.9, 0., 1., -0.1, np.nan]), None),
    ("key", np.array([[3.], [300.]]), np.array([0.2, 0.6]), (2, 2)),
])
def test_binomial_is_bit_identical(make_key, n, p, shape):
  _identical(random.binomial(getattr(random, make_key)(3), n, p, shape),
             jax.random.binomial(getattr(jax.random, make_key)(3), n, p, shape))


def test_binomial_dtype_jit_and_vmap():
  _identical(random.binomial(random.key(1), 40, 0.4, (3,), dtype=np.float16),
             jax.random.binomial(jax.random.key(1), 40, 0.4, (3,), dtype=np.float16))
  f = jaxlite.jit(lambda k, n: random.binomial(k, n, 0.25, (4,)))
  g = jax.jit(lambda k, n: jax.random.binomial(k, n, 0.25, (4,)))
  _identical(f(random.PRNGKey(5), 60.), g(jax.random.PRNGKey(5), 60.))
  keys, jkeys = random.split(random.PRNGKey(2), 3), jax.random.split(jax.random.PRNGKey(2), 3)
  _identical(jaxlite.vmap(lambda k: random.binomial(k, 30, 0.5))(keys),
             jax.vmap(lambda k: jax.random.binomial(k, 30, 0.5))(jkeys))
  for lib in (random, jax.random):
    with pytest.raises(ValueError, match="must be a float dtype"):
      lib.binomial(lib.PRNGKey(0), 3, 0.5, dtype=np.int32)


@pytest.mark.parametrize("n, p, shape", [
    (100., np.array([0.2, 0.3, 0.5], np.float32), None),
    (100., np.array([0.2, 0.3, 0.5], np.float32), (4, 3)),
    (np.array([5., 1000.]), np.array([[0.1, 0.9], [0.5, 0.5]], np.float32), None),
    (10., np.array([0.0, 1.0, 0.0], np.float32), None),
])
def test_multinomial_is_bit_identical(n, p, shape):
  _identical(random.multinomial(random.key(1), n, p, shape=shape),
             jax.random.multinomial(jax.random.key(1), n, p, shape=shape))


def test_multinomial_dtype_and_unroll_are_bit_identical():
  # dtype= and unroll= change the program, not the sampling per case: one case
  # (a batch shape) checks them, each a compile of its own in both libraries.
  n, p = 100., np.array([0.2, 0.3, 0.5], np.float32)
  _identical(random.multinomial(random.key(1), n, p, shape=(4, 3), dtype=np.int32, unroll=2),
             jax.random.multinomial(jax.random.key(1), n, p, shape=(4, 3), dtype=np.int32,
                                    unroll=2))


@pytest.mark.parametrize("log_space", [False, True])
def test_random_gamma_p_bind_is_bit_identical(log_space):
  a = np.array([[1., 2., 3.], [0.5, 4., 0.1]], np.float32)
  for keys, jkeys in [(random.key(0), jax.random.key(0)),
                      (random.split(random.key(0), 2), jax.random.split(jax.random.key(0), 2))]:
    _identical(random.random_gamma_p.bind(keys, a, log_space=log_space),
               jax.random.random_gamma_p.bind(jkeys, a, log_space=log_space))
  assert random.random_gamma_p.name == jax.random.random_gamma_p.name == "random_gamma"


@pytest.mark.parametrize("name, args", [
    ("gamma", (np.array([0.4, 2.5], np.float32), (3, 2))), ("loggamma", (0.05, (4,))),
    ("beta", (0.5, 2., (3,))), ("dirichlet", (np.array([0.3, 1., 2.]), (2,))),
    ("chisquare", (3., (3,))), ("t", (2., (3,))), ("f", (2., 3., (3,)))])
def test_gamma_family_stays_bit_identical(name, args):
  _identical(getattr(random, name)(random.PRNGKey(7), *args),
             getattr(jax.random, name)(jax.random.PRNGKey(7), *args))


@pytest.mark.parametrize("name", ["gamma", "loggamma", "beta"])
def test_gradients_through_random_gamma_p_match_jax(name):
  def loss(lib):
    def f(a):
      extra = (2.0,) if name == "beta" else ()
      return getattr(lib.random, name)(lib.random.PRNGKey(1), a, *extra, (3,)).sum()
    return f
  np.testing.assert_allclose(jaxlite.grad(loss(jaxlite))(0.7), jax.grad(loss(jax))(0.7),
                             rtol=1e-5)


def test_gamma_under_vmap_matches_jax():
  keys, jkeys = random.split(random.PRNGKey(0), 3), jax.random.split(jax.random.PRNGKey(0), 3)
  _identical(jaxlite.vmap(lambda k: random.gamma(k, 1.5, (2,)))(keys),
             jax.vmap(lambda k: jax.random.gamma(k, 1.5, (2,)))(jkeys))


SAMPLERS = {
    "uniform": lambda r, k, **kw: r.uniform(k, (2,), **kw),
    "normal": lambda r, k, **kw: r.normal(k, (2,), **kw),
    "bits": lambda r, k, **kw: r.bits(k, (2,), **kw),
    "exponential": lambda r, k, **kw: r.exponential(k, (2,), **kw),
    "randint": lambda r, k, **kw: r.randint(k, (2,), 0, 9, **kw),
    "bernoulli": lambda r, k, **kw: r.bernoulli(k, 0.3, (2,), **kw),
    "gamma": lambda r, k, **kw: r.gamma(k, 2.0, (2,), **kw),
    "poisson": lambda r, k, **kw: r.poisson(k, 3.0, (2,), **kw),
    "categorical": lambda r, k, **kw: r.categorical(k, np.zeros((2, 3)), **kw),
    "permutation": lambda r, k, **kw: r.permutation(k, 2, **kw),
    "ball": lambda r, k, **kw: r.ball(k, 2, **kw).reshape(2),
    "multivariate_normal": lambda r, k, **kw: r.multivariate_normal(
        k, np.zeros(2), np.eye(2), **kw),
    "orthogonal": lambda r, k, **kw: r.orthogonal(k, 2, **kw)[0],
    "truncated_normal": lambda r, k, **kw: r.truncated_normal(k, -1., 1., (2,), **kw),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_out_sharding_is_applied(name):
  from jaxlite.sharding import NamedSharding, PartitionSpec as P
  sample = SAMPLERS[name]
  expected = sample(jax.random, jax.random.PRNGKey(0))
  _identical(sample(random, random.PRNGKey(0), out_sharding=None), expected)
  sharding = NamedSharding(jaxlite.make_mesh((1,), ("x",)), P("x"))
  out = sample(random, random.PRNGKey(0), out_sharding=sharding)
  _identical(out, expected)
  if out.ndim == 1 and name not in ("ball", "orthogonal"):
    assert out.sharding == sharding
  with pytest.raises(TypeError, match="`out_sharding` argument of"):
    sample(random, random.PRNGKey(0), out_sharding=3)


def test_key_dtype_impl_spec():
  assert str(random.key_dtype(impl_spec="threefry2x32")) == str(
      jax.random.key_dtype(impl_spec="threefry2x32"))
  assert str(random.key_dtype()) == str(jax.random.key_dtype())
