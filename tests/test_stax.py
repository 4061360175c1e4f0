"""jaxlite.example_libraries.stax against JAX's stax (the test-only oracle):
the same key gives the same parameters, the same inputs the same outputs."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import random, tree_util
from jaxlite.example_libraries import stax

jax = pytest.importorskip("jax")
jax_stax = pytest.importorskip("jax.example_libraries.stax")


def _zeros(key, shape):
  # Host zeros: tests of shape errors need parameter shapes, not random draws.
  return np.zeros(shape, np.float32)


def _input(shape, seed=0):
  return np.random.RandomState(seed).uniform(-3, 3, shape).astype(np.float32)


# (id, builder taking the stax module, init input shape, apply input shape or None)
LAYERS = [
    ("Dense", lambda s: s.Dense(3), (2, 4)),
    ("Dense-batch-1", lambda s: s.Dense(2), (-1, 3)),
    ("Conv", lambda s: s.Conv(3, (2, 2)), (1, 5, 5, 2)),
    ("Conv-strided-same", lambda s: s.Conv(2, (3, 3), (2, 2), "SAME"), (2, 5, 6, 1)),
    ("GeneralConv-NCHW", lambda s: s.GeneralConv(("NCHW", "OIHW", "NCHW"), 3, (2, 3)),
     (1, 2, 5, 6)),
    ("Conv1DTranspose", lambda s: s.Conv1DTranspose(2, (3,), strides=(2,)), (1, 4, 1)),
    ("Conv1DTranspose-same", lambda s: s.Conv1DTranspose(2, (3,), (2,), "SAME"), (1, 4, 2)),
    ("ConvTranspose", lambda s: s.ConvTranspose(2, (2, 2), strides=(2, 2), padding="SAME"),
     (1, 3, 3, 2)),
    ("BatchNorm", lambda s: s.BatchNorm(), (2, 3, 3, 2)),
    ("BatchNorm-axis0-noncenter", lambda s: s.BatchNorm(axis=0, center=False), (4, 3)),
    ("BatchNorm-noscale", lambda s: s.BatchNorm(axis=(0, 2), scale=False), (3, 2, 4)),
    ("Tanh", lambda s: s.Tanh, (2, 5)),
    ("Relu", lambda s: s.Relu, (2, 5)),
    ("Exp", lambda s: s.Exp, (2, 5)),
    ("LogSoftmax", lambda s: s.LogSoftmax, (2, 5)),
    ("Softmax", lambda s: s.Softmax, (2, 5)),
    ("Softplus", lambda s: s.Softplus, (2, 5)),
    ("Sigmoid", lambda s: s.Sigmoid, (2, 5)),
    ("Elu", lambda s: s.Elu, (2, 5)),
    ("LeakyRelu", lambda s: s.LeakyRelu, (2, 5)),
    ("Selu", lambda s: s.Selu, (2, 5)),
    ("Gelu", lambda s: s.Gelu, (2, 5)),
    ("MaxPool", lambda s: s.MaxPool((2, 2)), (1, 4, 4, 2)),
    ("MaxPool-batch-1", lambda s: s.MaxPool((2, 2), (2, 2)), (-1, 4, 4, 2)),
    ("SumPool", lambda s: s.SumPool((2, 2), strides=(2, 2), padding="SAME"), (1, 5, 5, 1)),
    ("AvgPool", lambda s: s.AvgPool((3, 3), padding="SAME"), (1, 4, 4, 2)),
    ("AvgPool-NCHW", lambda s: s.AvgPool((2, 2), spec="NCHW"), (1, 2, 3, 3)),
    ("Flatten", lambda s: s.Flatten, (2, 3, 2)),
    ("Identity", lambda s: s.Identity, (2, 3)),
    ("FanOut-parallel-FanInSum",
     lambda s: s.serial(s.FanOut(2), s.parallel(s.Dense(3), s.Dense(3)), s.FanInSum), (2, 4)),
    ("FanOut-parallel-FanInConcat",
     lambda s: s.serial(s.FanOut(3), s.parallel(s.Dense(2), s.Identity, s.Tanh),
                        s.FanInConcat()), (2, 4)),
    ("serial-mlp", lambda s: s.serial(s.Dense(5), s.Relu, s.Dense(3), s.LogSoftmax), (3, 4)),
    ("serial-cnn", lambda s: s.serial(s.Conv(3, (2, 2), padding="SAME"), s.BatchNorm(),
                                      s.Relu, s.AvgPool((2, 2), (2, 2)), s.Flatten,
                                      s.Dense(2)), (2, 4, 4, 1)),
    ("shape_dependent", lambda s: s.shape_dependent(lambda shape: s.Dense(shape[-1] + 1)),
     (2, 3)),
]


def _as_tuple_tree(shape):
  if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
    return [tuple(s) for s in shape]
  return tuple(shape)


def _init_and_apply(jit, init_fun, apply_fun, key, in_shape, x):
  """Initializes and applies a layer, each under one ``jit`` (one compile each:
  the suite's cost is compiles)."""
  shapes = []
  def init_params(k):
    out_shape, params = init_fun(k, in_shape)
    shapes.append(out_shape)
    return params
  params = jit(init_params)(key)
  return shapes[0], params, jit(apply_fun)(params, x)


@pytest.mark.parametrize("name,build,in_shape", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer_matches_jax(name, build, in_shape):
  x = _input(tuple(2 if d == -1 else d for d in in_shape))
  out_shape, params, y = _init_and_apply(jaxlite.jit, *build(stax), random.PRNGKey(0),
                                         in_shape, x)
  jax_out_shape, jax_params, jax_y = _init_and_apply(
      jax.jit, *build(jax_stax), jax.random.PRNGKey(0), in_shape, x)
  if in_shape[0] == -1:
    # An unknown batch size (-1) stays -1 through every layer here; JAX's
    # pooling layers turn it into 0. The other dimensions agree.
    assert out_shape[0] == -1
    out_shape, jax_out_shape = out_shape[1:], tuple(jax_out_shape)[1:]
  assert _as_tuple_tree(out_shape) == _as_tuple_tree(jax_out_shape)
  ours = tree_util.tree_leaves(params)
  theirs = jax.tree_util.tree_leaves(jax_params)
  assert len(ours) == len(theirs)
  for a, b in zip(ours, theirs):
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)
  np.testing.assert_allclose(np.asarray(y), np.asarray(jax_y), rtol=2e-5, atol=2e-6)
  # The output shape init_fun promised, with -1 standing for the batch size.
  expected = _as_tuple_tree(out_shape)
  assert np.shape(y)[-len(expected):] == expected


def test_eager_init_and_apply_equal_jitted():
  init_fun, apply_fun = stax.serial(stax.Dense(3), stax.Tanh)
  x = _input((2, 4))
  out_shape, params, y = _init_and_apply(jaxlite.jit, init_fun, apply_fun,
                                         random.PRNGKey(0), (2, 4), x)
  eager_shape, eager_params = init_fun(random.PRNGKey(0), (2, 4))
  assert eager_shape == out_shape == (2, 3)
  for a, b in zip(tree_util.tree_leaves(eager_params), tree_util.tree_leaves(params)):
    np.testing.assert_allclose(a, b, rtol=1e-6)
  np.testing.assert_allclose(apply_fun(eager_params, x), y, rtol=1e-6)


def test_parameters_are_random_and_key_dependent():
  init_fun, _ = stax.Dense(3)
  _, (w0, _) = init_fun(random.PRNGKey(0), (2, 4))
  _, (w1, _) = init_fun(random.PRNGKey(1), (2, 4))
  assert not np.allclose(w0, w1)
  # Glorot normal: variance 2 / (fan_in + fan_out), truncated at 2 stddevs.
  _, (w, _) = init_fun(random.PRNGKey(0), (1, 400))
  np.testing.assert_allclose(np.std(np.asarray(w)), np.sqrt(2 / 403), rtol=0.1)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_dropout_matches_jax(mode):
  init_fun, apply_fun = stax.Dropout(0.7, mode)
  jax_init, jax_apply = jax_stax.Dropout(0.7, mode)
  assert init_fun(random.PRNGKey(0), (3, 4)) == ((3, 4), ())
  x = _input((3, 4))
  y = apply_fun((), x, rng=random.PRNGKey(3))
  np.testing.assert_allclose(np.asarray(y), np.asarray(jax_apply((), x, rng=jax.random.PRNGKey(3))),
                             rtol=1e-6)
  if mode == "train":
    assert np.any(np.asarray(y) == 0)
  with pytest.raises(ValueError, match="requires apply_fun to be called with a PRNG key"):
    apply_fun((), x)


def test_serial_with_dropout_splits_rng_as_jax():
  build = lambda s: s.serial(s.Dense(4), s.Dropout(0.5), s.Dense(2), s.Dropout(0.8))  # noqa
  x = _input((3, 2))

  def run(lib, random_lib):
    init_fun, apply_fun = build(lib)
    params = jax.jit(lambda k: init_fun(k, (3, 2))[1]) if lib is jax_stax else \
        jaxlite.jit(lambda k: init_fun(k, (3, 2))[1])
    jit = jax.jit if lib is jax_stax else jaxlite.jit
    p = params(random_lib.PRNGKey(1))
    return jit(lambda p, x, k: apply_fun(p, x, rng=k))(p, x, random_lib.PRNGKey(5))

  np.testing.assert_allclose(np.asarray(run(stax, random)),
                             np.asarray(run(jax_stax, jax.random)), rtol=1e-5, atol=1e-6)


def test_jit_and_grad_of_a_network_match_jax():
  build = lambda s: s.serial(s.Conv(2, (2, 2)), s.Relu, s.MaxPool((2, 2)), s.Flatten,  # noqa
                             s.Dense(3), s.LogSoftmax)
  init_fun, apply_fun = build(stax)
  jax_init, jax_apply = build(jax_stax)
  x = _input((2, 5, 5, 1))
  _, params, y = _init_and_apply(jaxlite.jit, init_fun, apply_fun, random.PRNGKey(2),
                                 (-1, 5, 5, 1), x)
  _, jax_params, _ = _init_and_apply(jax.jit, jax_init, jax_apply, jax.random.PRNGKey(2),
                                     (-1, 5, 5, 1), x)

  def loss(apply, lib_jnp):
    return lambda p: -lib_jnp.mean(apply(p, x)[:, 0])

  g = jaxlite.jit(jaxlite.grad(loss(apply_fun, jnp)))(params)
  jax_g = jax.jit(jax.grad(loss(jax_apply, jax.numpy)))(jax_params)
  for a, b in zip(tree_util.tree_leaves(g), jax.tree_util.tree_leaves(jax_g)):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
  batched = jaxlite.jit(jaxlite.vmap(lambda xi: apply_fun(params, xi[None])[0]))(x)
  np.testing.assert_allclose(batched, y, rtol=1e-5, atol=1e-6)


def test_relu_gradient_at_zero_is_zero():
  _, apply_fun = stax.Relu
  g = jaxlite.grad(lambda x: jnp.sum(apply_fun((), x)))(jnp.array([-1.0, 0.0, 2.0]))
  np.testing.assert_array_equal(g, [0.0, 0.0, 1.0])


# --- shape errors ---------------------------------------------------------------------------


def test_serial_init_names_the_layer_and_both_shapes():
  init_fun, _ = stax.serial(stax.Dense(3), stax.Relu, stax.Conv(2, (2, 2)))
  with pytest.raises(TypeError) as info:
    init_fun(random.PRNGKey(0), (1, 4))
  msg = str(info.value)
  assert "layer 2 (Conv(2, (2, 2)))" in msg
  assert "(*, *, *, *)" in msg and "(1, 3)" in msg
  assert "layer 1 (Relu)" in msg   # where the shape came from


def test_serial_apply_names_the_layer_and_both_shapes():
  init_fun, apply_fun = stax.serial(stax.Dense(3, _zeros, _zeros), stax.Relu,
                                    stax.Dense(2, _zeros, _zeros))
  _, params = init_fun(random.PRNGKey(0), (1, 4))
  # Parameters of the last layer made for 5 inputs: layer 1 gives it 3.
  _, wrong = stax.Dense(2, _zeros, _zeros)[0](random.PRNGKey(1), (1, 5))
  with pytest.raises(TypeError) as info:
    apply_fun([params[0], params[1], wrong], jnp.ones((1, 4)))
  msg = str(info.value)
  assert "serial layer 2 (Dense(2))" in msg
  assert "(..., 5)" in msg and "(1, 3)" in msg
  assert "layer 1 (Relu)" in msg
  # The input itself of the wrong size: layer 0 names the shapes.
  with pytest.raises(TypeError, match=r"layer 0 \(Dense\(3\)\) expects an input of shape "
                                      r"\(\.\.\., 4\), but got shape \(2, 7\)"):
    apply_fun(params, jnp.ones((2, 7)))


def test_nested_serial_error_has_the_path():
  inner = stax.serial(stax.Dense(3, _zeros, _zeros), stax.Dense(2, _zeros, _zeros))
  init_fun, apply_fun = stax.serial(stax.Dense(4, _zeros, _zeros), inner)
  _, params = init_fun(random.PRNGKey(0), (1, 2))
  with pytest.raises(TypeError, match=r"serial layer 1 \(serial\) > serial layer 0 "
                                      r"\(Dense\(3\)\) expects .*\(\.\.\., 4\).*\(1, 5\)"):
    apply_fun([stax.Dense(5, _zeros, _zeros)[0](random.PRNGKey(0), (1, 2))[1], params[1]],
              jnp.ones((1, 2)))


def test_conv_channel_mismatch_and_fan_in_mismatch():
  _, (w, b) = stax.Conv(2, (2, 2), W_init=_zeros, b_init=_zeros)[0](random.PRNGKey(0),
                                                                      (1, 4, 4, 3))
  with pytest.raises(TypeError, match=r"expects an input of shape \(\*, \*, \*, 3\), but "
                                      r"got shape \(1, 4, 4, 2\)"):
    stax.Conv(2, (2, 2))[1]((w, b), jnp.ones((1, 4, 4, 2)))
  init_fun, _ = stax.serial(stax.FanOut(2),
                            stax.parallel(stax.Dense(3, _zeros, _zeros),
                                          stax.Dense(4, _zeros, _zeros)),
                            stax.FanInSum)
  with pytest.raises(TypeError, match=r"layer 2 \(FanInSum\).*\[\(2, 3\), \(2, 4\)\]"):
    init_fun(random.PRNGKey(0), (2, 5))
  with pytest.raises(TypeError, match=r"parallel of 2 layers expects a list of 2 inputs, "
                                      r"but got shapes \[\(1, 2\), "):
    stax.parallel(stax.Dense(1), stax.Dense(1))[0](random.PRNGKey(0), [(1, 2)] * 3)


def test_batchnorm_parameter_mismatch():
  init_fun, apply_fun = stax.BatchNorm(axis=(0,))
  _, params = init_fun(random.PRNGKey(0), (4, 3))
  with pytest.raises(TypeError, match=r"expects an input of shape \(\*, 3\), but got shape "
                                      r"\(4, 5\)"):
    apply_fun(params, jnp.ones((4, 5)))
