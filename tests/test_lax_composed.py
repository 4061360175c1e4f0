"""jax.lax functions built from other lax operations (jaxlite/lax/composed.py)
and the conv/window shape helpers, against the installed JAX."""
import jax
import jax.numpy as jnp_ref
import numpy as np
import pytest
from jax import lax as lax_ref

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax

X = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4) / 7


def _same(got, want):
  got, want = jax.tree.leaves(got), jax.tree.leaves(want)
  assert len(got) == len(want)
  for g, w in zip(got, want):
    assert g.shape == w.shape and g.dtype == w.dtype
    np.testing.assert_array_equal(np.asarray(g), np.asarray(w))


@pytest.mark.parametrize("name, args", [
    ("reciprocal", (X + 1,)), ("broadcast_to_rank", (X[0], 4)),
    ("broadcast_like", (X[0, 0], X)), ("split", (X, (1, 3), 2)), ("split", (X, (2, 0, 1), -2)),
    ("tile", (X, (2, 1, 3))), ("stack", ([X, X + 1], 3)), ("unstack", (X, 1)),
    ("batch_matmul", (X, np.swapaxes(X, 1, 2))),
    ("index_take", (X, (np.array([0, -1, 5]), np.array([1, 2, 0])), (1, 2))),
])
def test_values_eager_and_jit(name, args):
  want = getattr(lax_ref, name)(*args)
  _same(getattr(lax, name)(*args), want)
  arrays = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]
  if arrays:
    i = arrays[0]
    def f(x):
      a = list(args)
      a[i] = x
      return getattr(lax, name)(*a)
    _same(jaxlite.jit(f)(args[i]), want)


def test_gradients_match_jax():
  def loss(L, x):
    parts = L.split(x, (1, 3), axis=2)
    t = L.tile(parts[1], (1, 2, 1))
    s = L.stack(L.unstack(x, 1), axis=1)
    return (t ** 2).sum() + (s * L.reciprocal(x + 1)).sum() + L.batch_matmul(
        x, jnp_ref.swapaxes(x, 1, 2) if L is lax_ref else jnp.swapaxes(x, 1, 2)).sum()
  got = jaxlite.grad(lambda x: loss(lax, x))(X)
  want = jax.grad(lambda x: loss(lax_ref, x))(X)
  np.testing.assert_allclose(got, want, rtol=1e-6)
  got_v = jaxlite.vmap(lambda x: lax.tile(x, (2, 1)))(X)
  np.testing.assert_array_equal(got_v, jax.vmap(lambda x: lax_ref.tile(x, (2, 1)))(X))


def test_errors_match_jax():
  for L in (lax, lax_ref):
    with pytest.raises(ValueError, match=r"Sum of sizes 2 must be equal to dimension 2 of the operand shape \[2, 3, 4\]"):
      L.split(X, (1, 1), 2)
    with pytest.raises(ValueError, match="must have same ndim"):
      L.batch_matmul(X, X[0])


@pytest.mark.parametrize("padding", ["SAME", "VALID", [(0, 1), (2, 0)]])
@pytest.mark.parametrize("dn", [("NHWC", "HWIO", "NHWC"), ("NCHW", "OIHW", "NCHW"),
                                ("HWNC", "IOWH", "CNWH")])
def test_conv_shape_helpers(padding, dn):
  lhs, rhs = (2, 9, 7, 3), (3, 2, 3, 5)
  assert lax.conv_general_permutations(dn) == lax_ref.conv_general_permutations(dn)
  for fn in ("conv_general_shape_tuple", "conv_transpose_shape_tuple"):
    got = getattr(lax, fn)(lhs, rhs, (2, 3), padding, dn)
    want = tuple(int(d) for d in getattr(lax_ref, fn)(lhs, rhs, (2, 3), padding, dn))
    assert got == want, fn


def test_conv_and_window_shape_tuples():
  for args in [((4, 3, 8, 8), (6, 3, 3, 3), (2, 1), "SAME", 2),
               ((1, 3, 5, 5), (4, 3, 2, 2), (1, 2), [(0, 1), (1, 0)], 1)]:
    assert lax.conv_shape_tuple(*args) == tuple(int(d) for d in lax_ref.conv_shape_tuple(*args))
  for args in [((4, 6), (2, 3), (2, 1), ((0, 1), (1, 1)), (1, 2), (2, 1)),
               ((5,), (3,), (2,), ((0, 0),))]:
    assert lax.reduce_window_shape_tuple(*args) == tuple(
        int(d) for d in lax_ref.reduce_window_shape_tuple(*args))
  assert lax.broadcast_shapes((2, 1), (3,)) == lax_ref.broadcast_shapes((2, 1), (3,))
  assert lax.dtype(1.0) == lax_ref.dtype(1.0)


def test_optimization_barrier_identity_grad_vmap_and_lowering():
  tree = (X, 3.0, np.int32(2))
  _same(lax.optimization_barrier(tree), lax_ref.optimization_barrier(tree))
  f = lambda L, N: lambda x: N.sin(L.optimization_barrier(x * 2)).sum()
  np.testing.assert_array_equal(jaxlite.grad(f(lax, jnp))(X), jax.grad(f(lax_ref, jnp_ref))(X))
  np.testing.assert_array_equal(jaxlite.jit(jaxlite.grad(f(lax, jnp)))(X),
                                jax.grad(f(lax_ref, jnp_ref))(X))
  _same(jaxlite.vmap(lambda v: lax.optimization_barrier([v, 1]))(X),
        jax.vmap(lambda v: lax_ref.optimization_barrier([v, 1]))(X))
  assert str(jaxlite.make_jaxpr(lax.optimization_barrier)(1.0)) == str(
      jax.make_jaxpr(lax_ref.optimization_barrier)(1.0))
  assert "stablehlo.optimization_barrier" in jaxlite.jit(lax.optimization_barrier).lower(
      X).as_text()


@pytest.mark.parametrize("name", ["squareplus", "sparse_plus", "sparse_sigmoid", "tanh"])
def test_nn_activations_and_gradients(name):
  x = np.linspace(-3, 3, 13).astype(np.float32)
  _same(getattr(jaxlite.nn, name)(x), getattr(jax.nn, name)(x))
  _same(jaxlite.grad(lambda v: getattr(jaxlite.nn, name)(v).sum())(x),
        jax.grad(lambda v: getattr(jax.nn, name)(v).sum())(x))


def test_nn_logmeanexp():
  y = np.linspace(-3, 3, 39).astype(np.float32).reshape(13, 3)
  for kw in [{}, dict(axis=0), dict(axis=1, keepdims=True), dict(axis=0, where=y > 0)]:
    _same(jaxlite.nn.logmeanexp(y, **kw), jax.nn.logmeanexp(y, **kw))
  np.testing.assert_allclose(jaxlite.grad(lambda v: jaxlite.nn.logmeanexp(v))(y),
                             jax.grad(lambda v: jax.nn.logmeanexp(v))(y), rtol=1e-6)
