"""Tests of the lifted module transformations (nn.jvp from the seed, vmap,
jit, remat, scan, grad) and of examples/linen_mlp.py."""
import importlib.util
import pathlib
import sys

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
import jaxlite.linen as nn

KEY = jax.random.PRNGKey(0)


class LearnScale(nn.Module):
  @nn.compact
  def __call__(self, x):
    # nn.initializers._init is how the seed's documentation page prints zeros_init.
    p = self.param('test', nn.initializers._init(), ())
    return p * x


class Foo(nn.Module):
  @nn.compact
  def __call__(self, x):
    scale = LearnScale()
    vars_t = jax.tree_util.tree_map(jnp.ones_like, scale.variables.get('params', {}))
    _, out_t = nn.jvp(
        lambda mdl, x: mdl(x), scale, (x,), (jnp.zeros_like(x),),
        variable_tangents={'params': vars_t})
    return out_t


def test_seed_foo_learn_scale_returns_x():
  x = jnp.array([[1., -2.], [3., 0.5]])
  variables = Foo().init(KEY, x)
  assert jax.tree_util.tree_map(np.shape, variables) == {'params': {'LearnScale_0': {'test': ()}}}
  out_t = Foo().apply(variables, x)
  np.testing.assert_array_equal(np.asarray(out_t), np.asarray(x))
  # Nonzero scale: the tangent is still x (d(p x)/dp = x), the primal p*x.
  variables = {'params': {'LearnScale_0': {'test': jnp.float32(5.)}}}
  np.testing.assert_array_equal(np.asarray(Foo().apply(variables, x)), np.asarray(x))


class WithStats(nn.Module):
  @nn.compact
  def __call__(self, x):
    w = self.param('w', nn.initializers.ones_init(), ())
    shift = self.variable('stats', 'shift', lambda: jnp.float32(3.)).value
    return w * x + shift * x


def _jvp_outer(variable_tangents_fn):
  class Outer(nn.Module):
    @nn.compact
    def __call__(self, x):
      inner = WithStats()
      vt = variable_tangents_fn(inner.variables)
      return nn.jvp(lambda m, x: m(x), inner, (x,), (jnp.zeros_like(x),),
                    variable_tangents=vt)
  return Outer()


def test_module_jvp_missing_collection_contributes_nothing():
  x = jnp.array([1., 2.])
  ones = lambda t: jax.tree_util.tree_map(jnp.ones_like, t)  # noqa: E731
  v = _jvp_outer(lambda vs: {}).init(KEY, x)
  assert set(v) == {'params', 'stats'}
  y, t = _jvp_outer(lambda vs: {'params': ones(vs['params'])}).apply(v, x)
  np.testing.assert_array_equal(np.asarray(y), [4., 8.])
  np.testing.assert_array_equal(np.asarray(t), [1., 2.])  # stats get zero tangent
  _, t = _jvp_outer(lambda vs: {'stats': ones(vs['stats'])}).apply(v, x)
  np.testing.assert_array_equal(np.asarray(t), [1., 2.])
  _, t = _jvp_outer(lambda vs: {}).apply(v, x)
  np.testing.assert_array_equal(np.asarray(t), [0., 0.])
  _, t = _jvp_outer(lambda vs: {'params': ones(vs['params']),
                                'stats': ones(vs['stats'])}).apply(v, x)
  np.testing.assert_array_equal(np.asarray(t), [2., 4.])


def test_module_jvp_bad_variable_tangents_raise_value_error():
  x = jnp.array([1., 2.])
  v = _jvp_outer(lambda vs: {}).init(KEY, x)
  with pytest.raises(ValueError, match='params'):
    _jvp_outer(lambda vs: {'params': {'w': 1., 'extra': 2.}}).apply(v, x)
  with pytest.raises(ValueError, match='shape'):
    _jvp_outer(lambda vs: {'params': {'w': jnp.ones(3)}}).apply(v, x)
  with pytest.raises(ValueError, match='cache'):
    _jvp_outer(lambda vs: {'cache': {'w': jnp.float32(1.)}}).apply(v, x)


def test_vmap_class_ensemble_matches_flax():
  flax_nn = pytest.importorskip('flax.linen')
  real_jax = pytest.importorskip('jax')
  x = np.random.RandomState(0).randn(3, 4).astype(np.float32)

  def make(m):
    return m.vmap(m.Dense, variable_axes={'params': 0}, split_rngs={'params': True})(2)
  v = make(nn).init(KEY, jnp.asarray(x))
  vt = make(flax_nn).init(real_jax.random.PRNGKey(0), x)
  for a, b in zip(jax.tree_util.tree_leaves(v), real_jax.tree_util.tree_leaves(vt)):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  y = make(nn).apply(v, jnp.asarray(x))
  kernel, bias = np.asarray(v['params']['kernel']), np.asarray(v['params']['bias'])
  np.testing.assert_allclose(np.asarray(y), np.einsum('bi,bio->bo', x, kernel) + bias,
                             rtol=1e-5)


def test_scan_rnn_matches_flax_and_a_loop():
  flax_nn = pytest.importorskip('flax.linen')
  real_jax = pytest.importorskip('jax')
  xs = np.random.RandomState(1).randn(4, 3).astype(np.float32)

  def make(m):
    class Cell(m.Module):
      @m.compact
      def __call__(self, c, x):
        c = m.tanh(m.Dense(3)(c) + x)
        return c, 2 * c
    return m.scan(Cell, variable_broadcast='params', split_rngs={'params': False})()
  c0 = np.zeros(3, np.float32)
  v = make(nn).init(KEY, jnp.asarray(c0), jnp.asarray(xs))
  vt = make(flax_nn).init(real_jax.random.PRNGKey(0), c0, xs)
  for a, b in zip(jax.tree_util.tree_leaves(v), real_jax.tree_util.tree_leaves(vt)):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  c, ys = make(nn).apply(v, jnp.asarray(c0), jnp.asarray(xs))
  k = np.asarray(v['params']['Dense_0']['kernel'])
  b = np.asarray(v['params']['Dense_0']['bias'])
  h, expected = c0, []
  for x in xs:
    h = np.tanh(h @ k + b + x)
    expected.append(2 * h)
  np.testing.assert_allclose(np.asarray(ys), np.stack(expected), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(np.asarray(c), h, rtol=1e-5, atol=1e-6)


def test_jit_class_and_decorator_match_eager_and_flax_init():
  flax_nn = pytest.importorskip('flax.linen')
  real_jax = pytest.importorskip('jax')
  x = np.ones((2, 3), np.float32)
  v = nn.jit(nn.Dense)(4).init(KEY, jnp.asarray(x))
  vt = flax_nn.jit(flax_nn.Dense)(4).init(real_jax.random.PRNGKey(0), x)
  for a, b in zip(jax.tree_util.tree_leaves(v), real_jax.tree_util.tree_leaves(vt)):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))

  class Net(nn.Module):
    @nn.jit
    @nn.compact
    def __call__(self, x):
      return nn.Dense(2)(nn.relu(nn.Dense(4)(x)))

  class EagerNet(nn.Module):
    @nn.compact
    def __call__(self, x):
      return nn.Dense(2)(nn.relu(nn.Dense(4)(x)))
  vn = Net().init(KEY, jnp.asarray(x))
  assert sorted(vn['params']) == ['Dense_0', 'Dense_1']
  np.testing.assert_allclose(np.asarray(Net().apply(vn, jnp.asarray(x))),
                             np.asarray(EagerNet().apply(vn, jnp.asarray(x))), rtol=1e-6)
  # A second apply reuses the compiled trace and still sees new parameters.
  vn2 = jax.tree_util.tree_map(lambda p: p * 2, vn)
  np.testing.assert_allclose(np.asarray(Net().apply(vn2, jnp.asarray(x))),
                             np.asarray(EagerNet().apply(vn2, jnp.asarray(x))), rtol=1e-6)


def test_remat_gradients_match_plain():
  x = jnp.ones((2, 3))

  class Block(nn.Module):
    @nn.compact
    def __call__(self, x):
      return jnp.sin(nn.Dense(3)(x))
  RematBlock = nn.remat(Block)
  v = Block().init(KEY, x)
  assert jax.tree_util.tree_map(np.shape, RematBlock().init(KEY, x)) == \
      jax.tree_util.tree_map(np.shape, v)
  g_plain = jax.grad(lambda p: jnp.sum(Block().apply(p, x)))(v)
  g_remat = jax.grad(lambda p: jnp.sum(RematBlock().apply(p, x)))(v)
  for a, b in zip(jax.tree_util.tree_leaves(g_plain), jax.tree_util.tree_leaves(g_remat)):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)


def test_grad_value_and_grad_vjp_of_modules():
  class Foo(nn.Module):
    @nn.compact
    def __call__(self, x):
      dense = nn.Dense(1, use_bias=False)
      y, x_grad = nn.value_and_grad(lambda m, x: jnp.sum(m(x)), dense, x)
      g = nn.grad(lambda m, x: jnp.sum(m(x)), dense, x)
      out, bwd = nn.vjp(lambda m, x: m(x), dense, x)
      params_grad, x_grad2 = bwd(jnp.ones_like(out))
      return y, x_grad[0], g[0], params_grad, x_grad2
  x = jnp.array([[1., 2.]])
  v = Foo().init(KEY, x)
  y, gx, gx2, params_grad, gx3 = Foo().apply(v, x)
  kernel = np.asarray(v['params']['Dense_0']['kernel'])
  np.testing.assert_allclose(float(y), float((np.asarray(x) @ kernel).sum()), rtol=1e-6)
  for g in (gx, gx2, gx3):
    np.testing.assert_allclose(np.asarray(g), kernel.T, rtol=1e-6)
  np.testing.assert_allclose(np.asarray(params_grad['params']['kernel']), np.asarray(x).T)


def test_transforms_need_a_bound_module():
  with pytest.raises(ValueError, match='bound'):
    nn.jvp(lambda m, x: m(x), nn.Dense(1), (1.,), (1.,), {})
  with pytest.raises(ValueError, match='unbound'):
    nn.vmap(nn.Dense, variable_axes={'params': 0}, split_rngs={'params': True})(1)(
        jnp.ones((2, 2)))


def test_example_trains_and_loss_falls():
  path = pathlib.Path(__file__).resolve().parents[1] / 'examples' / 'linen_mlp.py'
  spec = importlib.util.spec_from_file_location('linen_mlp', path)
  example = importlib.util.module_from_spec(spec)
  # dataclasses resolve string annotations through sys.modules.
  sys.modules[spec.name] = example
  try:
    spec.loader.exec_module(example)
  finally:
    del sys.modules[spec.name]
  losses = example.train(steps=30, log_every=0)
  assert len(losses) == 30
  assert np.mean(losses[-5:]) < 0.75 * np.mean(losses[:5])
