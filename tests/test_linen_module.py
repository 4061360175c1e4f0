"""Tests of jaxlite.linen.Module: dataclass fields, compact/setup, naming,
init/apply/bind and the variable API."""
import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
import jaxlite.linen as nn
from jaxlite.linen import errors

KEY = jax.random.PRNGKey(0)
X = jnp.ones((1, 3))


class MLP(nn.Module):
  features: int
  hidden: int = 4

  @nn.compact
  def __call__(self, x):
    x = nn.relu(nn.Dense(self.hidden)(x))
    return nn.Dense(self.features, name='head')(x)


class SetupMLP(nn.Module):
  features: int

  def setup(self):
    self.layers = [nn.Dense(4), nn.Dense(self.features)]
    self.scale = self.param('scale', nn.initializers.ones_init(), ())

  def __call__(self, x):
    return self.layers[1](nn.relu(self.layers[0](x))) * self.scale

  def first(self, x):
    return self.layers[0](x)


def test_dataclass_fields_parent_and_name_keyword_only():
  m = MLP(2)
  assert (m.features, m.hidden, m.name) == (2, 4, None)
  assert MLP(2, name='m').name == 'm'
  with pytest.raises(TypeError):
    MLP(2, 4, None)  # parent/name are keyword-only
  assert MLP(2) == MLP(2) and hash(MLP(2)) == hash(MLP(2))
  assert 'features=2' in repr(m)


def test_compact_auto_names_and_shapes():
  v = MLP(2).init(KEY, X)
  shapes = jax.tree_util.tree_map(np.shape, v)
  assert shapes == {'params': {'Dense_0': {'bias': (4,), 'kernel': (3, 4)},
                               'head': {'bias': (2,), 'kernel': (4, 2)}}}
  assert MLP(2).apply(v, X).shape == (1, 2)


def test_setup_names_after_attributes_and_methods():
  v = SetupMLP(2).init(KEY, X)
  assert sorted(v['params']) == ['layers_0', 'layers_1', 'scale']
  y = SetupMLP(2).apply(v, X)
  h = SetupMLP(2).apply(v, X, method='first')
  assert h.shape == (1, 4)
  h2 = SetupMLP(2).apply(v, X, method=SetupMLP.first)
  np.testing.assert_array_equal(np.asarray(h), np.asarray(h2))
  manual = np.maximum(np.asarray(h), 0) @ np.asarray(v['params']['layers_1']['kernel']) \
      + np.asarray(v['params']['layers_1']['bias'])
  np.testing.assert_allclose(np.asarray(y), manual, rtol=1e-5)


def test_init_matches_flax_for_nested_modules():
  flax_nn = pytest.importorskip('flax.linen')
  real_jax = pytest.importorskip('jax')

  def make(m):
    class Block(m.Module):
      @m.compact
      def __call__(self, x):
        x = m.Dense(3)(x)
        x = m.LayerNorm()(x)
        return m.Sequential([m.Dense(2), m.Dense(2)])(x)

    class Net(m.Module):
      def setup(self):
        self.block = Block()
        self.out = m.Dense(1)

      def __call__(self, x):
        return self.out(self.block(x))
    return Net()
  v = make(nn).init(KEY, X)
  vt = make(flax_nn).init(real_jax.random.PRNGKey(0), np.ones((1, 3), np.float32))
  assert jax.tree_util.tree_map(np.shape, v) == real_jax.tree_util.tree_map(np.shape, vt)
  for a, b in zip(jax.tree_util.tree_leaves(v), real_jax.tree_util.tree_leaves(vt)):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_calling_a_submodule_twice_shares_parameters():
  class Twice(nn.Module):
    @nn.compact
    def __call__(self, x):
      d = nn.Dense(3)
      return d(x) + d(x)
  v = Twice().init(KEY, jnp.ones((1, 3)))
  assert list(v['params']) == ['Dense_0']
  y = Twice().apply(v, jnp.ones((1, 3)))
  single = nn.Dense(3).apply({'params': v['params']['Dense_0']}, jnp.ones((1, 3)))
  np.testing.assert_allclose(np.asarray(y), 2 * np.asarray(single), rtol=1e-6)


def test_bound_module_called_twice_reuses_names():
  bound = MLP(2).bind(MLP(2).init(KEY, X))
  np.testing.assert_array_equal(np.asarray(bound(X)), np.asarray(bound(X)))
  assert sorted(bound.variables['params']) == ['Dense_0', 'head']
  unbound, variables = bound.unbind()
  assert unbound.scope is None and sorted(variables['params']) == ['Dense_0', 'head']


def test_mutable_collections_and_state():
  class Counter(nn.Module):
    @nn.compact
    def __call__(self):
      count = self.variable('counter', 'count', lambda: jnp.zeros((), jnp.int32))
      if not self.is_initializing():
        count.value += 1
      return count.value

  v = Counter().init(KEY)
  assert int(v['counter']['count']) == 0
  y, upd = Counter().apply(v, mutable=['counter'])
  assert int(y) == 1 and int(upd['counter']['count']) == 1
  assert int(v['counter']['count']) == 0  # the caller's dict is untouched
  with pytest.raises(errors.ModifyScopeVariableError, match='counter'):
    Counter().apply(v)
  with pytest.raises(errors.ScopeCollectionNotFound, match='counter'):
    Counter().apply({'params': {}}, mutable=False)


def test_missing_params_collection_is_named():
  with pytest.raises(errors.ScopeCollectionNotFound, match='"params"'):
    MLP(2).apply({}, X)
  v = MLP(2).init(KEY, X)
  del v['params']['head']
  with pytest.raises(errors.ScopeParamNotFoundError, match='kernel'):
    MLP(2).apply(v, X)


def test_param_shape_mismatch_names_parameter_and_shapes():
  v = MLP(2).init(KEY, X)
  with pytest.raises(ValueError) as info:
    MLP(3).apply(v, X)
  msg = str(info.value)
  assert '"kernel"' in msg and '(4, 2)' in msg and '(4, 3)' in msg and 'head' in msg


def test_rngs_make_rng_and_has_rng():
  class Noisy(nn.Module):
    @nn.compact
    def __call__(self, x):
      assert self.has_rng('noise') and not self.has_rng('other')
      return x + jax.random.normal(self.make_rng('noise'), x.shape)
  a = Noisy().apply({}, X, rngs={'noise': jax.random.PRNGKey(1)})
  b = Noisy().apply({}, X, rngs={'noise': jax.random.PRNGKey(1)})
  c = Noisy().apply({}, X, rngs={'noise': jax.random.PRNGKey(2)})
  np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  assert not np.allclose(np.asarray(a), np.asarray(c))
  with pytest.raises(errors.InvalidRngError):
    Noisy().init(3, X)


def test_init_with_output_and_is_initializing():
  class M(nn.Module):
    @nn.compact
    def __call__(self, x):
      nn.Dense(2)(x)
      return self.is_initializing()
  out, v = M().init_with_output(KEY, X)
  assert out is True and 'Dense_0' in v['params']
  assert M().apply(v, X) is False


def test_put_get_variable_and_sow():
  class M(nn.Module):
    @nn.compact
    def __call__(self, x):
      if self.is_mutable_collection('state'):
        self.put_variable('state', 'last', x)
      self.sow('intermediates', 'x2', 2 * x)
      return self.get_variable('state', 'last', None)
  v = M().init(KEY, jnp.ones(2))
  assert 'intermediates' not in v  # init excludes intermediates by default
  np.testing.assert_array_equal(np.asarray(v['state']['last']), [1., 1.])
  _, upd = M().apply(v, jnp.zeros(2), mutable=['state', 'intermediates'])
  np.testing.assert_array_equal(np.asarray(upd['intermediates']['x2'][0]), [0., 0.])


def test_frozen_attributes_and_declaration_rules():
  m = MLP(2)
  with pytest.raises(errors.SetAttributeFrozenModuleError, match='features'):
    m.features = 3

  class NotCompact(nn.Module):
    def __call__(self, x):
      return self.param('w', nn.initializers.zeros_init(), ())

  with pytest.raises(ValueError, match='compact'):
    NotCompact().init(KEY, X)

  class Dup(nn.Module):
    @nn.compact
    def __call__(self, x):
      self.param('w', nn.initializers.zeros_init(), ())
      return self.param('w', nn.initializers.zeros_init(), ())

  with pytest.raises(errors.NameInUseError, match='w'):
    Dup().init(KEY, X)
  with pytest.raises(errors.CallCompactUnboundModuleError):
    MLP(2)(X)
  with pytest.raises(errors.LinenError, match='compact'):
    class TwoCompact(nn.Module):  # noqa: F841
      @nn.compact
      def a(self):
        pass

      @nn.compact
      def b(self):
        pass


def test_module_inside_jit_and_grad():
  v = MLP(2).init(KEY, X)

  @jax.jit
  def loss(params, x):
    return jnp.sum(MLP(2).apply({'params': params}, x) ** 2)
  g = jax.grad(loss)(v['params'], X)
  assert jax.tree_util.tree_structure(g) == jax.tree_util.tree_structure(v['params'])
  eps = 1e-3
  bump = jax.tree_util.tree_map(lambda p: p, v['params'])
  bump['head']['bias'] = bump['head']['bias'].at[0].add(eps)
  fd = (float(loss(bump, X)) - float(loss(v['params'], X))) / eps
  np.testing.assert_allclose(float(g['head']['bias'][0]), fd, rtol=2e-2)


def test_clone_and_variables_of_unbound_module():
  m = MLP(2).clone(features=5)
  assert m.features == 5 and m.scope is None
  with pytest.raises(ValueError, match='unbound'):
    m.variables
