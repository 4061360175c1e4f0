"""jnp.vectorize: generalized-ufunc signatures and loop-dimension broadcasting
over vmap (issue 6)."""
from functools import partial

import numpy as np
import pytest

import jaxlite
from jaxlite import lax

jnp = pytest.importorskip("jaxlite.numpy")

f32 = np.float32


@partial(jnp.vectorize, signature='(k),(k)->(k)')
def cross_product(a, b):
  assert a.shape == b.shape and a.ndim == b.ndim == 1
  return jnp.array([a[1] * b[2] - a[2] * b[1],
                    a[2] * b[0] - a[0] * b[2],
                    a[0] * b[1] - a[1] * b[0]])


@partial(jnp.vectorize, signature='(n,m),(m)->(n)')
def matrix_vector_product(matrix, vector):
  assert matrix.ndim == 2 and matrix.shape[1:] == vector.shape
  return matrix @ vector


def _rand(*shape, seed=0):
  return np.random.RandomState(seed).randn(*shape).astype(f32)


def test_seed_cross_product_shapes_and_values():
  assert cross_product(jnp.ones(3), jnp.ones(3)).shape == (3,)
  assert cross_product(jnp.ones((2, 3)), jnp.ones(3)).shape == (2, 3)
  assert cross_product(jnp.ones((1, 2, 3)), jnp.ones((2, 1, 3))).shape == (2, 2, 3)
  a, b = _rand(1, 2, 3), _rand(2, 1, 3, seed=1)
  np.testing.assert_allclose(cross_product(a, b), np.cross(a, b), rtol=1e-5, atol=1e-6)


def test_seed_matrix_vector_product_shapes_and_values():
  assert matrix_vector_product(jnp.ones((2, 3)), jnp.ones(3)).shape == (2,)
  assert matrix_vector_product(jnp.ones((2, 3)), jnp.ones((4, 3))).shape == (4, 2)
  m, v = _rand(2, 3), _rand(4, 3, seed=1)
  np.testing.assert_allclose(matrix_vector_product(m, v), v @ m.T, rtol=1e-5)


def test_seed_too_few_dimensions_error():
  with pytest.raises(ValueError) as e:
    matrix_vector_product(jnp.ones(3), jnp.ones(3))
  assert str(e.value) == (
      "input with shape (3,) does not have enough dimensions for all core dimensions "
      "('n', 'm') on vectorized function with excluded=frozenset() and "
      "signature='(n,m),(m)->(n)'")
  # the seed's message, for the signature it names
  f = jnp.vectorize(lambda m, v: m @ v, signature='(n,k),(k)->(k)')
  with pytest.raises(ValueError) as e:
    f(jnp.ones(3), jnp.ones(3))
  assert str(e.value) == (
      "input with shape (3,) does not have enough dimensions for all core dimensions "
      "('n', 'k') on vectorized function with excluded=frozenset() and "
      "signature='(n,k),(k)->(k)'")


def test_no_signature_is_elementwise_with_broadcasting():
  f = jnp.vectorize(lambda x, y: lax.add(lax.mul(x, 2.), y))
  x, y = _rand(3, 1, 4), _rand(2, 1, seed=1)
  out = f(x, y)
  np.testing.assert_allclose(out, 2 * x + y, rtol=1e-6)
  assert out.shape == (3, 2, 4)
  assert f(f32(1.), f32(2.)).shape == ()


def test_loop_dimensions_become_vmaps_not_broadcasts():
  # The vector is shared: the whole product is one dot_general on the
  # un-broadcast operands.
  jaxpr = jaxlite.make_jaxpr(matrix_vector_product)(np.ones((4, 2, 3), f32),
                                                    np.ones(3, f32))
  names = [e.primitive.name for e in jaxpr.eqns]
  assert names.count("dot_general") == 1 and "broadcast_in_dim" not in names, jaxpr
  assert jaxpr.in_avals[1].shape == (3,)


def test_size_one_loop_dimensions_are_squeezed_and_restored():
  calls = []

  def f(x):
    calls.append(x.shape)
    return lax.neg(x)
  out = jnp.vectorize(f, signature='(n)->(n)')(np.ones((1, 3, 1, 2), f32))
  assert out.shape == (1, 3, 1, 2)
  assert calls == [(2,)]
  np.testing.assert_array_equal(out, -np.ones((1, 3, 1, 2)))


def test_excluded_positional_and_keyword_arguments():
  def f(x, power, *, mode):
    assert isinstance(power, int) and mode == "neg"
    return lax.neg(lax.integer_pow(x, power))
  g = jnp.vectorize(f, excluded={1, 'mode'})
  x = _rand(2, 3)
  np.testing.assert_allclose(g(x, 3, mode="neg"), -x ** 3, rtol=1e-5)


def test_keyword_arguments_are_vectorized_without_signature():
  f = jnp.vectorize(lambda x, y=1.: lax.mul(x, y))
  np.testing.assert_allclose(f(jnp.ones(2), y=jnp.array([3., 4.])), [3., 4.])
  g = jnp.vectorize(lambda x, y: x, signature='(n),()->(n)')
  with pytest.raises(TypeError, match="takes its vectorized arguments positionally"):
    g(jnp.ones(2), y=1.)


def test_multiple_outputs_and_none_arguments():
  f = jnp.vectorize(lambda x: (lax.reduce_sum(x, (0,)), lax.reduce_max(x, (0,))),
                    signature='(n)->(),()')
  x = _rand(2, 1, 4)
  s, m = f(x)
  np.testing.assert_allclose(s, x.sum(-1), rtol=1e-5)
  np.testing.assert_allclose(m, x.max(-1))
  h = jnp.vectorize(lambda x, y: lax.neg(x) if y is None else x)
  np.testing.assert_array_equal(h(jnp.ones(3), None), -np.ones(3))
  with pytest.raises(ValueError, match="Cannot pass None at locations"):
    jnp.vectorize(lambda x, y: x, signature='(n),(n)->(n)')(jnp.ones(3), None)


def test_signature_and_output_errors():
  with pytest.raises(ValueError, match="not a valid gufunc signature: \\(n\\)->"):
    jnp.vectorize(lambda x: x, signature='(n)->')
  f = jnp.vectorize(lambda x, y: x, signature='(n),(n)->(n)')
  with pytest.raises(ValueError, match="inconsistent size for core dimension 'n': 4 vs 3 "
                     "on vectorized function"):
    f(jnp.ones(3), jnp.ones(4))
  with pytest.raises(TypeError, match="wrong number of positional arguments: expected 2, "
                     "got 1"):
    f(jnp.ones(3))
  bad = jnp.vectorize(lambda x: lax.reduce_sum(x, (0,)), signature='(n)->(n)')
  with pytest.raises(ValueError, match=r"output shape \(\) does not match core dimensions "
                     r"\('n',\)"):
    bad(jnp.ones((2, 3)))
  two = jnp.vectorize(lambda x: x, signature='(n)->(n),(n)')
  with pytest.raises(TypeError, match="output must be a tuple when multiple outputs"):
    two(jnp.ones(3))
  with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
    jnp.vectorize(lax.add)(jnp.ones(2), jnp.ones(3))
  with pytest.raises(TypeError, match="can only exclude integer or string arguments"):
    jnp.vectorize(lambda x: x, excluded={1.5})
  with pytest.raises(ValueError, match="contains negative numbers"):
    jnp.vectorize(lambda x: x, excluded={-1})


def test_vectorize_under_jit_and_grad():
  f = jaxlite.jit(matrix_vector_product)
  m, v = _rand(3, 2, 4), _rand(4, seed=1)
  np.testing.assert_allclose(f(m, v), m @ v, rtol=1e-5)
  g = jaxlite.grad(lambda v: jnp.sum(matrix_vector_product(m, v)))(v)
  np.testing.assert_allclose(g, m.sum((0, 1)), rtol=1e-5)


@pytest.mark.parametrize("shapes", [((2, 3, 4), (4,)), ((1, 3, 4), (2, 1, 4)), ((3, 4), (5, 1, 4))])
def test_matches_jax_vectorize(shapes, jax_reference):
  a, b = _rand(*shapes[0]), _rand(*shapes[1], seed=1)
  sig = '(m),(m)->()'
  got = jnp.vectorize(lambda x, y: jnp.vdot(x, y), signature=sig)(a, b)
  want = jax_reference.numpy.vectorize(lambda x, y: jax_reference.numpy.vdot(x, y),
                                       signature=sig)(a, b)
  assert got.shape == want.shape
  np.testing.assert_allclose(got, want, rtol=1e-5)
