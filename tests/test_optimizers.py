"""jaxlite.example_libraries.optimizers against JAX's (the test-only oracle)."""
import pickle

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import tree_util
from jaxlite.example_libraries import optimizers

jax = pytest.importorskip("jax")
jax_optimizers = pytest.importorskip("jax.example_libraries.optimizers")
import jax.numpy as jax_jnp  # noqa: E402


def _params():
  return {"w": np.array([[0.5, -1.0], [2.0, 0.25]], np.float32),
          "b": (np.array([0.1, -0.3], np.float32), np.float32(1.5))}


def _loss(lib_jnp):
  def loss(p):
    w, (b, c) = p["w"], p["b"]
    return (lib_jnp.sum(lib_jnp.sin(w) * w) + lib_jnp.sum((b - 1.0) ** 2)
            + c ** 2 * lib_jnp.sum(w))
  return loss


OPTIMIZERS = [
    ("sgd", (0.1,), {}),
    ("sgd", (lambda i: 0.1 / (i + 1),), {}),
    ("momentum", (0.1,), dict(mass=0.9)),
    ("nesterov", (0.05,), dict(mass=0.8)),
    ("adagrad", (0.3,), {}),
    ("adagrad", (0.3,), dict(momentum=0.5)),
    ("rmsprop", (0.01,), {}),
    ("rmsprop", (0.02,), dict(gamma=0.5, eps=1e-4)),
    ("rmsprop_momentum", (0.01,), {}),
    ("adam", (0.05,), {}),
    ("adam", (0.05,), dict(b1=0.5, b2=0.9, eps=1e-3)),
    ("adamax", (0.05,), {}),
    ("sm3", (0.2,), {}),
]


def _trajectory(lib, lib_jnp, grad_fn, name, args, kwargs, steps, jit=None):
  init, update, get_params = getattr(lib, name)(*args, **kwargs)
  if jit is not None:
    update = jit(update)
  loss = _loss(lib_jnp)
  state = init(_params())
  out = []
  for i in range(steps):
    state = update(i, grad_fn(loss)(get_params(state)), state)
    out.append(tree_util.tree_map(np.asarray, get_params(state)))
  return out


@pytest.mark.parametrize("name,args,kwargs", OPTIMIZERS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(OPTIMIZERS)])
def test_trajectory_matches_jax(name, args, kwargs):
  # sm3 keeps its parameters' shape (a tuple of ints) in its state, which jit
  # would turn into tracers, in JAX as here: it runs eagerly.
  jit = None if name == "sm3" else jaxlite.jit
  ours = _trajectory(optimizers, jnp, jaxlite.grad, name, args, kwargs, 3, jit)
  theirs = _trajectory(jax_optimizers, jax_jnp, jax.grad, name, args, kwargs, 3)
  for step, (a, b) in enumerate(zip(ours, theirs)):
    for x, y in zip(tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
      np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6, err_msg=f"step {step}")
  # The parameters actually moved.
  assert not np.allclose(tree_util.tree_leaves(ours[-1])[0],
                         tree_util.tree_leaves(_params())[0])


def test_eager_update_equals_jitted():
  init, update, get_params = optimizers.adam(0.1)
  grads = tree_util.tree_map(lambda x: np.ones_like(x), _params())
  eager = get_params(update(0, grads, init(_params())))
  jitted = get_params(jaxlite.jit(update)(0, grads, init(_params())))
  for x, y in zip(tree_util.tree_leaves(eager), tree_util.tree_leaves(jitted)):
    np.testing.assert_allclose(x, y, rtol=1e-6)


SCHEDULES = [
    ("constant", (0.3,), {}),
    ("exponential_decay", (0.5, 4, 0.3), {}),
    ("inverse_time_decay", (0.5, 4, 0.3), {}),
    ("inverse_time_decay", (0.5, 4, 0.3), dict(staircase=True)),
    ("polynomial_decay", (0.5, 6, 0.01), {}),
    ("polynomial_decay", (0.5, 6, 0.01), dict(power=2.0)),
    ("piecewise_constant", ([2, 5], [1.0, 0.5, 0.1]), {}),
]


@pytest.mark.parametrize("name,args,kwargs", SCHEDULES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(SCHEDULES)])
def test_schedules_match_jax(name, args, kwargs):
  ours = getattr(optimizers, name)(*args, **kwargs)
  theirs = getattr(jax_optimizers, name)(*args, **kwargs)
  for i in [0, 1, 3, 5, 9]:
    np.testing.assert_allclose(np.asarray(ours(i)), np.asarray(theirs(i)), rtol=1e-6,
                               err_msg=f"step {i}")
  # Schedules work on traced step numbers too.
  np.testing.assert_allclose(np.asarray(jaxlite.jit(ours)(3)), np.asarray(theirs(3)),
                             rtol=1e-6)


def test_schedule_as_step_size_in_jitted_update():
  sched = optimizers.exponential_decay(0.5, 2, 0.1)
  init, update, get_params = optimizers.sgd(sched)
  state = init(jnp.ones(2))
  state = jaxlite.jit(update)(0, jnp.ones(2), state)
  state = jaxlite.jit(update)(2, jnp.ones(2), state)
  np.testing.assert_allclose(get_params(state), 1 - 0.5 - 0.05, rtol=1e-6)


def test_piecewise_constant_errors():
  with pytest.raises(ValueError, match="one shorter"):
    optimizers.piecewise_constant([1, 2], [1.0, 2.0])
  with pytest.raises(ValueError, match="must be sequences"):
    optimizers.piecewise_constant(1, [1.0, 2.0])


def test_make_schedule():
  assert optimizers.make_schedule(0.25)(100) == 0.25
  f = lambda i: i  # noqa: E731
  assert optimizers.make_schedule(f) is f
  with pytest.raises(TypeError):
    optimizers.make_schedule(np.ones(3))


def test_l2_norm_and_clip_grads_match_jax():
  tree = {"a": np.array([3.0, 1.0], np.float32), "b": np.array([[4.0]], np.float32)}
  np.testing.assert_allclose(optimizers.l2_norm(tree), jax_optimizers.l2_norm(tree),
                             rtol=1e-6)
  np.testing.assert_allclose(optimizers.l2_norm(tree), np.sqrt(26.0), rtol=1e-6)
  for max_norm in [1.0, 100.0]:
    ours = optimizers.clip_grads(tree, max_norm)
    theirs = jax_optimizers.clip_grads(tree, max_norm)
    for k in tree:
      np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6)
  np.testing.assert_allclose(optimizers.l2_norm(optimizers.clip_grads(tree, 1.0)), 1.0,
                             rtol=1e-6)


def test_optimizer_state_is_a_pytree():
  init, update, get_params = optimizers.momentum(0.1, 0.9)
  state = init(_params())
  assert isinstance(state, optimizers.OptimizerState)
  leaves, treedef = tree_util.tree_flatten(state)
  # Two state arrays (params and velocity) per parameter leaf.
  assert len(leaves) == 2 * len(tree_util.tree_leaves(_params()))
  doubled = tree_util.tree_unflatten(treedef, [2 * x for x in leaves])
  np.testing.assert_allclose(get_params(doubled)["w"], 2 * _params()["w"])
  assert tree_util.tree_structure(doubled) == treedef


def test_update_with_mismatched_grad_tree():
  init, update, _ = optimizers.sgd(0.1)
  state = init({"a": jnp.ones(2), "b": jnp.ones(2)})
  with pytest.raises(TypeError, match="did not match the parameter tree structure"):
    update(0, {"a": jnp.ones(2)}, state)


def test_update_that_changes_state_structure():
  @optimizers.optimizer
  def bad():
    return (lambda x: (x, x)), (lambda i, g, s: (s[0], s[1], g)), (lambda s: s[0])
  init, update, _ = bad()
  with pytest.raises(TypeError, match="did not match its input structure"):
    update(0, jnp.ones(1), init(jnp.ones(1)))


def test_optimizer_decorator_on_custom_maker():
  @optimizers.optimizer
  def signed_sgd(step_size):
    def update(i, g, x):
      return x - step_size * jnp.sign(g)
    return (lambda x: x), update, (lambda x: x)
  opt = signed_sgd(0.5)
  assert isinstance(opt, optimizers.Optimizer)
  assert opt.update_fn.__name__ == "update"
  state = opt.init_fn([jnp.zeros(2), jnp.zeros(())])
  state = opt.update_fn(0, [jnp.array([3.0, -2.0]), jnp.array(0.1)], state)
  np.testing.assert_allclose(opt.params_fn(state)[0], [-0.5, 0.5])
  np.testing.assert_allclose(opt.params_fn(state)[1], -0.5)


def test_pack_unpack_roundtrip_through_pickle():
  init, update, get_params = optimizers.adam(0.1)
  state = update(0, _params(), init(_params()))
  marked = optimizers.unpack_optimizer_state(state)
  assert isinstance(marked["w"], optimizers.JoinPoint)
  # JoinPoints are leaves: convert the arrays inside them to host arrays.
  host = tree_util.tree_map(
      lambda jp: optimizers.JoinPoint(tree_util.tree_map(np.asarray, jp.subtree)), marked)
  restored = optimizers.pack_optimizer_state(pickle.loads(pickle.dumps(host)))
  assert tree_util.tree_structure(restored) == tree_util.tree_structure(state)
  for x, y in zip(tree_util.tree_leaves(restored), tree_util.tree_leaves(state)):
    np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
  # Continuing from the restored state gives the same step as from the original.
  g = tree_util.tree_map(np.ones_like, _params())
  a = get_params(update(1, g, restored))["w"]
  b = get_params(update(1, g, state))["w"]
  np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  with pytest.raises(TypeError, match="JoinPoint"):
    optimizers.pack_optimizer_state({"w": np.ones(1)})
