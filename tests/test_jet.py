"""jax.experimental.jet: Taylor series through each primitive family, against JAX 0.10.2."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as lnp
from jaxlite import lax as llax
from jaxlite.experimental import jet as ljet_module
from jaxlite.experimental.jet import jet as ljet, jet2 as ljet2

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
from jax import lax as jlax  # noqa: E402
from jax.experimental.jet import jet as jjet, jet2 as jjet2  # noqa: E402

X = np.array([0.3, 0.7, 1.2], np.float32)
Y = np.array([1.5, 0.4, 2.0], np.float32)
RNG = np.random.RandomState(0)
X_SERIES = [RNG.uniform(-1, 1, 3).astype(np.float32) for _ in range(4)]
Y_SERIES = [RNG.uniform(-1, 1, 3).astype(np.float32) for _ in range(4)]


def programs(jax, np_, lax):
  """name -> (function, arity): the same program under either library."""
  return {
      "exp": (np_.exp, 1), "log": (np_.log, 1), "sin": (np_.sin, 1), "cos": (np_.cos, 1),
      "tanh": (np_.tanh, 1), "sinh": (np_.sinh, 1), "cosh": (np_.cosh, 1),
      "logistic": (lax.logistic, 1), "pow": (lambda a, b: a ** b, 2),
      "div": (lambda a, b: a / b, 2), "mul_sub": (lambda a, b: a * b - b, 2),
      "integer_pow": (lambda a: a ** 3, 1), "integer_pow_negative": (lambda a: a ** -2, 1),
      "sqrt": (np_.sqrt, 1), "rsqrt": (lax.rsqrt, 1), "square": (np_.square, 1),
      "dot": (lambda a, b: np_.dot(np_.outer(a, b), b), 2),
      "reduce_sum": (lambda a: np_.sum(a * a), 1), "reduce_max": (np_.max, 1),
      "reduce_min": (np_.min, 1), "maximum": (np_.maximum, 2), "minimum": (np_.minimum, 2),
      "erf": (lax.erf, 1), "erf_inv": (lambda a: lax.erf_inv(a / 3), 1),
      "expm1": (np_.expm1, 1), "log1p": (np_.log1p, 1), "atan2": (np_.arctan2, 2),
      "abs": (lambda a: np_.abs(a - 0.5), 1),
      "select": (lambda a: np_.where(a > 0.5, a ** 2, -a), 1),
      "cumsum": (np_.cumsum, 1), "cumprod": (np_.cumprod, 1), "cummax": (lax.cummax, 1),
      "gather_slice": (lambda a: a[np_.array([2, 0])] * a[1:].sum(), 1),
      "concatenate_reshape": (lambda a, b: np_.concatenate([a, b]).reshape(2, 3).T, 2),
      "asinh": (np_.arcsinh, 1), "atanh": (lambda a: np_.arctanh(a / 2), 1),
      "jit": (jax.jit(lambda a: np_.log(1 + np_.exp(a))), 1),
      "logsumexp_custom_jvp": (jax.nn.logsumexp, 1),
      "mean_var": (lambda a: np_.var(a) + np_.mean(a), 1),
      "scatter_add": (lambda a: a.at[np_.array([0, 0, 2])].add(a ** 2), 1),
      "dynamic_slice": (lambda a: lax.dynamic_slice(a, (1,), (2,)) ** 2, 1),
      "rem": (lambda a, b: lax.rem(a, b), 2),
      "constant_output": (lambda a: np_.ones(2), 1),
  }


LITE = programs(jaxlite, lnp, llax)
JAX = programs(jax, jnp, jlax)


def assert_same(actual, expected, rtol=2e-5, atol=2e-5):
  flat_a = jax.tree_util.tree_leaves(actual)
  flat_e = jax.tree_util.tree_leaves(expected)
  assert len(flat_a) == len(flat_e)
  for a, e in zip(flat_a, flat_e):
    assert np.asarray(a).dtype == np.asarray(e).dtype
    np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(LITE))
def test_third_order_series_match_jax(name):
  lite, arity = LITE[name]
  primals, series = (X, Y)[:arity], ([*X_SERIES[:3]], [*Y_SERIES[:3]])[:arity]
  assert_same(ljet(lite, primals, series), jjet(JAX[name][0], primals, series))


@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("name", ["tanh", "pow", "div", "log"])
def test_orders_match_jax(name, order):
  lite, arity = LITE[name]
  primals = (X, Y)[:arity]
  series = (X_SERIES[:order], Y_SERIES[:order])[:arity]
  assert_same(ljet(lite, primals, series), jjet(JAX[name][0], primals, series))


def test_unscaled_series_and_zero_terms_match_jax():
  f = lambda np_: lambda a, b: np_.sin(a) * b
  lite = ljet2(f(lnp), (X, Y), ([X_SERIES[0], X_SERIES[1]], [np.zeros(3, np.float32)] * 2))
  expected = jjet2(f(jnp), (X, Y), ([X_SERIES[0], X_SERIES[1]], [np.zeros(3, np.float32)] * 2))
  assert_same(lite, expected)


def test_taylor_coefficients_are_derivatives():
  # jet of sin along a line: the k-th output term is the k-th derivative.
  f0, terms = ljet(lnp.sin, (0.5,), ((1.0, 0.0, 0.0, 0.0),))
  np.testing.assert_allclose([f0, *terms],
                             [np.sin(.5), np.cos(.5), -np.sin(.5), -np.cos(.5), np.sin(.5)],
                             rtol=1e-5)


def test_jet_under_jit_and_of_pytree_outputs():
  def run(jet, np_, jit):
    return jit(lambda x, s: jet(lambda a: {"e": np_.exp(a), "s": np_.sin(a)}, (x,), ((s, s),)))
  assert_same(run(ljet, lnp, jaxlite.jit)(X, X_SERIES[0]),
              run(jjet, jnp, jax.jit)(X, X_SERIES[0]))


def test_gradient_of_jet_matches_jax():
  def second_derivative(jet, np_):
    return lambda x: jet(lambda a: np_.sum(np_.tanh(a) ** 2), (x,), ((np_.ones(3), np_.zeros(3)),))[1][1]
  assert_same(jaxlite.grad(second_derivative(ljet, lnp))(X),
              jax.grad(second_derivative(jjet, jnp))(X), rtol=1e-4)


def test_errors_are_jaxs():
  with pytest.raises(ValueError, match="jet terms have inconsistent lengths"):
    ljet(lnp.sin, (X, X), ((X,), (X, X)))
  with pytest.raises(ValueError, match="primal value at position 0 is not an array"):
    ljet(lambda t: t, ((X, X),), ((X,),))
  with pytest.raises(ValueError, match="term 0 for argument 0 is not an array"):
    ljet(lnp.sin, (X,), (((X, X),),))


def test_module_helpers():
  from jax.experimental import jet as jjet_module
  assert_same(ljet_module.fact(5), jjet_module.fact(5))
  assert isinstance(ljet_module.zero_term, ljet_module.ZeroTerm)
  leaves, tree = jaxlite.tree_util.tree_flatten([ljet_module.zero_series, ljet_module.zero_term])
  assert leaves == []
  assert jaxlite.tree_util.tree_unflatten(tree, [])[0] is ljet_module.zero_series
