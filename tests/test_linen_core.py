"""Tests of jaxlite.linen.core: scopes, init/apply and the lifted transformations."""
import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
import jaxlite.linen as nn
from jaxlite.linen import core, errors
from jaxlite.linen.core import lift


def learn_scale(scope, x):
  p = scope.param('scale', nn.initializers.zeros_init(), ())
  return p * x


def seed_f(scope, x):
  # The seed's second example, verbatim up to the names.
  vars_t = jax.tree_util.tree_map(jnp.ones_like, scope.variables().get('params', {}))
  x, out_t = lift.jvp(learn_scale, scope, (x,), (jnp.zeros_like(x),),
                      variable_tangents={'params': vars_t})
  return out_t


def test_seed_functional_jvp_returns_x():
  x = jnp.array([1., -2., 3.])
  _, variables = core.init(seed_f)(jax.random.PRNGKey(0), x)
  assert set(variables) == {'params'} and np.shape(variables['params']['scale']) == ()
  out_t = core.apply(seed_f)(variables, x)
  np.testing.assert_array_equal(np.asarray(out_t), np.asarray(x))


def test_jvp_tangent_scales_with_variable_and_input_tangents():
  def f(scope, x, t):
    vars_t = {'scale': jnp.float32(2.)}
    return lift.jvp(learn_scale, scope, (x,), (t,), variable_tangents={'params': vars_t})
  x = jnp.array([1., 2.])
  variables = {'params': {'scale': jnp.float32(3.)}}
  y, y_t = core.apply(f)(variables, x, jnp.array([1., 1.]))
  np.testing.assert_allclose(np.asarray(y), [3., 6.])
  # d(p*x) = dp*x + p*dx = 2*x + 3*1
  np.testing.assert_allclose(np.asarray(y_t), [5., 7.])


def test_collection_missing_from_variable_tangents_contributes_nothing():
  def fn(scope, x):
    p = scope.param('scale', nn.initializers.zeros_init(), ())
    s = scope.variable('stats', 'shift', lambda: jnp.float32(0.)).value
    return p * x + s * x

  def f(scope, x, variable_tangents):
    return lift.jvp(fn, scope, (x,), (jnp.zeros_like(x),),
                    variable_tangents=variable_tangents)[1]

  x = jnp.array([1., 2.])
  variables = {'params': {'scale': jnp.float32(2.)}, 'stats': {'shift': jnp.float32(5.)}}
  only_params = core.apply(f)(variables, x, {'params': {'scale': jnp.float32(1.)}})
  np.testing.assert_array_equal(np.asarray(only_params), [1., 2.])
  only_stats = core.apply(f)(variables, x, {'stats': {'shift': jnp.float32(1.)}})
  np.testing.assert_array_equal(np.asarray(only_stats), [1., 2.])
  both = core.apply(f)(variables, x, {'params': {'scale': jnp.float32(1.)},
                                      'stats': {'shift': jnp.float32(1.)}})
  np.testing.assert_array_equal(np.asarray(both), [2., 4.])
  nothing = core.apply(f)(variables, x, {})
  np.testing.assert_array_equal(np.asarray(nothing), [0., 0.])


def test_variable_tangents_with_wrong_structure_raise_value_error():
  variables = {'params': {'scale': jnp.float32(2.)}}
  x = jnp.ones(2)

  def f(scope, vt):
    return lift.jvp(learn_scale, scope, (x,), (x,), variable_tangents=vt)

  with pytest.raises(ValueError, match='params'):
    core.apply(f)(variables, {'params': {'other': jnp.float32(1.)}})
  with pytest.raises(ValueError, match='shape'):
    core.apply(f)(variables, {'params': {'scale': jnp.ones(3)}})
  with pytest.raises(ValueError, match='batch_stats'):
    core.apply(f)(variables, {'batch_stats': {'scale': jnp.float32(1.)}})
  with pytest.raises(ValueError, match='dict'):
    core.apply(f)(variables, [jnp.float32(1.)])


def test_param_shape_mismatch_names_parameter_and_both_shapes():
  def dense(scope, x):
    w = scope.param('kernel', nn.initializers.lecun_normal(), (x.shape[-1], 2))
    return x @ w
  _, variables = core.init(dense)(jax.random.PRNGKey(0), jnp.ones((1, 3)))
  with pytest.raises(ValueError) as info:
    core.apply(dense)(variables, jnp.ones((1, 4)))
  msg = str(info.value)
  assert 'kernel' in msg and '(3, 2)' in msg and '(4, 2)' in msg


def test_missing_collection_is_named():
  def f(scope):
    return scope.variable('batch_stats', 'mean', jnp.zeros, (2,)).value
  with pytest.raises(errors.ScopeCollectionNotFound, match='batch_stats'):
    core.apply(f)({'params': {}})
  with pytest.raises(ValueError, match='params'):
    core.apply(learn_scale)({}, 1.)


def test_immutable_collection_cannot_be_written():
  def f(scope):
    v = scope.variable('state', 'n', lambda: 0)
    v.value = v.value + 1
  with pytest.raises(errors.ModifyScopeVariableError, match='state'):
    core.apply(f)({'state': {'n': 0}})
  _, updated = core.apply(f, mutable='state')({'state': {'n': 0}})
  assert updated == {'state': {'n': 1}}


def test_child_scopes_nest_and_reuse_variables():
  def f(scope, x):
    inner = scope.child(learn_scale, 'inner')
    return inner(x) + inner(x)
  y, variables = core.init(f)(jax.random.PRNGKey(0), jnp.ones(2))
  assert list(variables['params']) == ['inner']
  assert core.apply(f)({'params': {'inner': {'scale': 2.}}}, jnp.ones(2)).tolist() == [4., 4.]


def test_filters():
  assert core.in_filter(core.DenyList('intermediates'), 'params')
  assert not core.in_filter(core.DenyList(['a', 'b']), 'b')
  assert core.union_filters(True, 'x') is True
  assert core.intersect_filters(core.DenyList('a'), ['a', 'b']) == 'b'
  assert core.subtract_filters(['a', 'b'], 'a') == 'b'
  assert core.group_collections({'a': 1, 'b': 2}, ('b', 'b', True)) == ({'b': 2}, {}, {'a': 1})
  with pytest.raises(TypeError):
    core.in_filter(3.5, 'a')


def test_make_rng_matches_flax_core():
  flax_core = pytest.importorskip('flax.core')
  jrandom = pytest.importorskip('jax.random')

  def make(mod):
    def f(scope):
      child = scope.push('Dense_0')
      return (scope.make_rng('params'), scope.make_rng('dropout'),
              child.make_rng('params'), child.make_rng('params'))
    return f
  ours = core.apply(make(core))({}, rngs={'params': jax.random.PRNGKey(3),
                                          'dropout': jax.random.PRNGKey(4)})
  theirs = flax_core.apply(make(flax_core))({}, rngs={'params': jrandom.PRNGKey(3),
                                                      'dropout': jrandom.PRNGKey(4)})
  for a, b in zip(ours, theirs):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_make_rng_without_stream_is_an_error():
  with pytest.raises(errors.InvalidRngError, match='dropout'):
    core.apply(lambda s: s.make_rng('dropout'))({})
  with pytest.raises(errors.InvalidRngError):
    core.init(learn_scale)(3, 1.)


def test_lifted_vmap_maps_variables_and_splits_rngs():
  def scale(scope, x):
    return scope.param('w', nn.initializers.normal(1.), ()) * x
  f = lift.vmap(scale, variable_axes={'params': 0}, split_rngs={'params': True})
  x = jnp.arange(1., 4.)
  y, variables = core.init(f)(jax.random.PRNGKey(0), x)
  w = np.asarray(variables['params']['w'])
  assert w.shape == (3,) and len(set(w.tolist())) == 3
  np.testing.assert_allclose(np.asarray(core.apply(f)(variables, x)), w * np.arange(1., 4.),
                             rtol=1e-6)
  shared = lift.vmap(scale, variable_axes={'params': None}, split_rngs={'params': False})
  _, v2 = core.init(shared)(jax.random.PRNGKey(0), x)
  assert np.shape(v2['params']['w']) == ()


def test_lifted_jit_matches_eager_and_counts_rngs():
  def f(scope, x):
    w = scope.param('w', nn.initializers.normal(1.), (2,))
    return w * x + jax.random.uniform(scope.make_rng('noise'), (2,))
  jitted = lift.jit(f)
  rngs = {'params': jax.random.PRNGKey(0), 'noise': jax.random.PRNGKey(1)}
  y_eager, v_eager = core.init(f)(rngs, jnp.ones(2))
  y_jit, v_jit = core.init(jitted)(rngs, jnp.ones(2))
  np.testing.assert_allclose(np.asarray(y_jit), np.asarray(y_eager), rtol=1e-6)
  np.testing.assert_allclose(np.asarray(v_jit['params']['w']), np.asarray(v_eager['params']['w']))

  def twice(scope, x):
    return jitted(scope, x), jitted(scope, x)
  a, b = core.apply(twice)(v_jit, jnp.ones(2), rngs={'noise': jax.random.PRNGKey(1)})
  assert not np.allclose(np.asarray(a), np.asarray(b))  # the counter advanced


def test_lifted_value_and_grad_and_vjp():
  def f(scope, x):
    return jnp.sum(learn_scale(scope, x) ** 2)

  def g(scope, x):
    return lift.value_and_grad(f, scope, x)
  variables = {'params': {'scale': jnp.float32(3.)}}
  y, (gx,) = core.apply(g)(variables, jnp.array([1., 2.]))
  assert float(y) == 45.
  np.testing.assert_allclose(np.asarray(gx), [18., 36.])

  def h(scope, x):
    y, bwd = lift.vjp(f, scope, x)
    return bwd(jnp.ones_like(y))
  params_grad, gx = core.apply(h)(variables, jnp.array([1., 2.]))
  np.testing.assert_allclose(float(params_grad['params']['scale']), 2 * 3. * 5.)
  np.testing.assert_allclose(np.asarray(gx), [18., 36.])


def test_lifted_checkpoint_gradient_matches():
  def f(scope, x):
    return jnp.sum(jnp.sin(learn_scale(scope, x)))
  remat_f = lift.checkpoint(f)
  variables = {'params': {'scale': jnp.float32(0.5)}}
  x = jnp.array([1., 2.])
  g = jax.grad(lambda v: core.apply(remat_f)(v, x))(variables)
  expected = float(np.sum(np.cos(0.5 * np.array([1., 2.])) * np.array([1., 2.])))
  np.testing.assert_allclose(float(g['params']['scale']), expected, rtol=1e-5)


def test_lifted_scan_broadcast_and_stacked_params():
  def step(scope, c, x):
    w = scope.param('w', nn.initializers.normal(1.), ())
    return c + w * x, c
  xs = jnp.arange(1., 4.)
  shared = lift.scan(step, variable_broadcast='params', split_rngs={'params': False})
  (c, ys), variables = core.init(shared)(jax.random.PRNGKey(0), 0., xs)
  w = float(variables['params']['w'])
  np.testing.assert_allclose(float(c), w * 6., rtol=1e-6)
  np.testing.assert_allclose(np.asarray(ys), [0., w, 3 * w], rtol=1e-6)

  stacked = lift.scan(step, variable_axes={'params': 0}, split_rngs={'params': True})
  (c, ys), variables = core.init(stacked)(jax.random.PRNGKey(0), 0., xs)
  ws = np.asarray(variables['params']['w'])
  assert ws.shape == (3,) and len(set(ws.tolist())) == 3
  (c2, _) = core.apply(stacked)(variables, 0., xs)
  np.testing.assert_allclose(float(c2), float(np.sum(ws * np.arange(1., 4.))), rtol=1e-6)


def test_apply_rejects_bad_variables():
  with pytest.raises(TypeError):
    core.apply(learn_scale)([1], 1.)
  with pytest.raises(ValueError, match="'params'"):
    core.apply(learn_scale)({'params': {'params': {'scale': 1.}}}, 1.)
