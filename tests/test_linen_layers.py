"""Tests of the jaxlite.linen layers, against flax where it is installed."""
import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
import jaxlite.linen as nn
from jaxlite.linen import errors

X = np.random.RandomState(0).randn(2, 5, 5, 3).astype(np.float32)
IDS = np.array([[0, 3, 9], [1, 1, 2]], np.int32)


def _flax():
  flax_nn = pytest.importorskip('flax.linen')
  real_jax = pytest.importorskip('jax')
  return flax_nn, real_jax


def _compare_with_flax(make, x, seed=7, **kwargs):
  """Same key -> same parameters (bit for bit) and the same outputs."""
  flax_nn, real_jax = _flax()
  ours, theirs = make(nn), make(flax_nn)
  v_ours = ours.init(jax.random.PRNGKey(seed), jnp.asarray(x), **kwargs)
  v_theirs = theirs.init(real_jax.random.PRNGKey(seed), real_jax.numpy.asarray(x), **kwargs)
  shapes = jax.tree_util.tree_map(np.shape, v_ours)
  assert shapes == real_jax.tree_util.tree_map(np.shape, v_theirs)
  paths_ours = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(v_ours)]
  paths_theirs = [real_jax.tree_util.keystr(p)
                  for p, _ in real_jax.tree_util.tree_leaves_with_path(v_theirs)]
  assert paths_ours == paths_theirs
  for a, b in zip(jax.tree_util.tree_leaves(v_ours), real_jax.tree_util.tree_leaves(v_theirs)):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  y_ours = ours.apply(v_ours, jnp.asarray(x), **kwargs)
  y_theirs = theirs.apply(v_theirs, real_jax.numpy.asarray(x), **kwargs)
  np.testing.assert_allclose(np.asarray(y_ours), np.asarray(y_theirs), rtol=1e-6, atol=1e-6)
  return v_ours


def test_dense_matches_flax():
  v = _compare_with_flax(lambda m: m.Dense(4), X)
  assert v['params']['kernel'].shape == (3, 4)
  # Default bias init is zeros, kernel init lecun_normal (not zeros).
  assert not np.asarray(v['params']['bias']).any()
  assert np.asarray(v['params']['kernel']).std() > 0.1


def test_conv_matches_flax():
  _compare_with_flax(lambda m: m.Conv(4, (3, 3)), X)


def test_conv_strides_dilation_groups_padding_match_flax():
  _compare_with_flax(lambda m: m.Conv(6, (2, 3), strides=(2, 1), padding=((1, 0), 2),
                                      kernel_dilation=(1, 2), feature_group_count=3), X)


def test_conv_valid_unbatched_matches_flax():
  _compare_with_flax(lambda m: m.Conv(2, (3,), padding='VALID'), X[0, 0])


def test_embed_matches_flax():
  _compare_with_flax(lambda m: m.Embed(10, 4), IDS)


def test_embed_attend_matches_flax():
  flax_nn, real_jax = _flax()
  v = nn.Embed(10, 4).init(jax.random.PRNGKey(0), jnp.asarray(IDS))
  q = np.ones((2, 4), np.float32)
  ours = nn.Embed(10, 4).apply(v, jnp.asarray(q), method='attend')
  theirs = flax_nn.Embed(10, 4).apply(
      real_jax.tree_util.tree_map(np.asarray, v), q, method='attend')
  np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)


def test_dense_general_and_norms_match_flax():
  _compare_with_flax(lambda m: m.DenseGeneral((2, 3), axis=(-2, -1)), X)
  _compare_with_flax(lambda m: m.LayerNorm(), X)
  _compare_with_flax(lambda m: m.GroupNorm(num_groups=3), X)
  _compare_with_flax(lambda m: m.RMSNorm(), X)


def test_batch_norm_matches_flax_and_updates_stats():
  flax_nn, real_jax = _flax()
  x = X.reshape(-1, 3)
  v = _compare_with_flax(lambda m: m.BatchNorm(use_running_average=True), x)
  y, upd = nn.BatchNorm(use_running_average=False).apply(v, jnp.asarray(x),
                                                        mutable=['batch_stats'])
  y_t, upd_t = flax_nn.BatchNorm(use_running_average=False).apply(
      real_jax.tree_util.tree_map(np.asarray, v), x, mutable=['batch_stats'])
  np.testing.assert_allclose(np.asarray(y), np.asarray(y_t), rtol=1e-5, atol=1e-5)
  for k in ('mean', 'var'):
    np.testing.assert_allclose(np.asarray(upd['batch_stats'][k]),
                               np.asarray(upd_t['batch_stats'][k]), rtol=1e-6)
  expected_mean = 0.01 * x.mean(0)
  np.testing.assert_allclose(np.asarray(upd['batch_stats']['mean']), expected_mean, rtol=1e-5)


def test_batch_norm_requires_mutable_stats_and_names_missing_collection():
  x = jnp.asarray(X.reshape(-1, 3))
  v = nn.BatchNorm(use_running_average=False).init(jax.random.PRNGKey(0), x)
  with pytest.raises(errors.ModifyScopeVariableError, match='batch_stats'):
    nn.BatchNorm(use_running_average=False).apply(v, x)
  with pytest.raises(ValueError, match='batch_stats'):
    nn.BatchNorm(use_running_average=True).apply({'params': v['params']}, x)
  with pytest.raises(ValueError, match='use_running_average'):
    nn.BatchNorm().apply(v, x)


def test_layer_norm_normalizes():
  x = jnp.asarray(X)
  v = nn.LayerNorm().init(jax.random.PRNGKey(0), x)
  y = np.asarray(nn.LayerNorm().apply(v, x))
  np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
  np.testing.assert_allclose(y.std(-1), 1, atol=1e-3)


def test_dropout():
  x = jnp.ones((4, 50))
  model = nn.Dropout(rate=0.5)
  with pytest.raises(errors.InvalidRngError, match='dropout'):
    model.apply({}, x, deterministic=False)
  np.testing.assert_array_equal(np.asarray(model.apply({}, x, deterministic=True)), 1.)
  y = np.asarray(model.apply({}, x, deterministic=False,
                             rngs={'dropout': jax.random.PRNGKey(0)}))
  assert set(np.unique(y).tolist()) == {0., 2.}
  assert 0.3 < (y == 0).mean() < 0.7
  y_b = np.asarray(nn.Dropout(0.5, broadcast_dims=(0,)).apply(
      {}, x, deterministic=False, rngs={'dropout': jax.random.PRNGKey(1)}))
  assert (y_b == y_b[0]).all()


def test_dropout_matches_flax():
  flax_nn, real_jax = _flax()
  x = np.ones((3, 8), np.float32)
  ours = nn.Dropout(0.3).apply({}, jnp.asarray(x), deterministic=False,
                               rngs={'dropout': jax.random.PRNGKey(5)})
  theirs = flax_nn.Dropout(0.3).apply({}, x, deterministic=False,
                                      rngs={'dropout': real_jax.random.PRNGKey(5)})
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_sequential_names_and_matches_flax():
  v = _compare_with_flax(lambda m: m.Sequential([m.Dense(3), m.relu, m.Dense(2)]), X)
  assert sorted(v['params']) == ['layers_0', 'layers_2']
  with pytest.raises(ValueError, match='Empty'):
    nn.Sequential([]).apply({}, 1.)


def test_initializers_match_jax():
  _, real_jax = _flax()
  # The other builders are variance_scaling with other constants.
  names = ['lecun_normal', 'glorot_uniform', 'he_normal', 'orthogonal']
  for name in names:
    ours = getattr(nn.initializers, name)()(jax.random.PRNGKey(1), (4, 3))
    theirs = getattr(real_jax.nn.initializers, name)()(real_jax.random.PRNGKey(1), (4, 3))
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-7,
                               err_msg=name)
  vs = nn.initializers.variance_scaling(0.5, 'fan_geo_avg', 'normal', in_axis=(0, 1))
  vs_t = real_jax.nn.initializers.variance_scaling(0.5, 'fan_geo_avg', 'normal', in_axis=(0, 1))
  np.testing.assert_array_equal(np.asarray(vs(jax.random.PRNGKey(2), (2, 3, 4))),
                                np.asarray(vs_t(real_jax.random.PRNGKey(2), (2, 3, 4))))
  np.testing.assert_array_equal(np.asarray(nn.initializers.constant(3.)(None, (2,))), [3., 3.])
  with pytest.raises(ValueError, match='mode'):
    nn.initializers.variance_scaling(1., 'fan_bad', 'normal')


def test_layer_input_errors():
  with pytest.raises(TypeError, match='kernel_size'):
    nn.Conv(2, 3).init(jax.random.PRNGKey(0), jnp.ones((1, 4, 1)))
  with pytest.raises(ValueError, match='padding'):
    nn.Conv(2, (3,), padding='NOPE').init(jax.random.PRNGKey(0), jnp.ones((1, 4, 1)))
  with pytest.raises(ValueError, match='integer'):
    nn.Embed(3, 2).init(jax.random.PRNGKey(0), jnp.ones(2))
  v = nn.Dense(3).init(jax.random.PRNGKey(0), jnp.ones((1, 4)))
  with pytest.raises(ValueError) as info:
    nn.Dense(3).apply(v, jnp.ones((1, 5)))
  assert 'kernel' in str(info.value) and '(4, 3)' in str(info.value) \
      and '(5, 3)' in str(info.value)


def test_activations():
  x = jnp.array([-2., 0.5, 3.])
  np.testing.assert_allclose(np.asarray(nn.relu(x)), [0., .5, 3.])
  np.testing.assert_allclose(np.asarray(nn.softmax(x)).sum(), 1., rtol=1e-6)
  np.testing.assert_allclose(np.asarray(nn.sigmoid(x)), 1 / (1 + np.exp([2., -.5, -3.])),
                             rtol=1e-6)
  assert float(jax.grad(lambda v: nn.relu(v))(0.)) == 0.
