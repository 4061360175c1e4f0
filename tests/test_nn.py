"""Tests for jaxlite.nn: activations, softmax family, one_hot, standardize and
initializers against JAX (values and gradients) and NumPy formulas."""
import numpy as np
import pytest

import jaxlite
from jaxlite import nn
from jaxlite import random

jax = pytest.importorskip("jax")
import jax.nn as jnn  # noqa: E402
import jax.random as jr  # noqa: E402

X = np.array([-7., -1., -0.25, 0., 0.5, 3., 6., 8.], np.float32)

ACTIVATIONS = ["relu", "relu6", "silu", "swish", "sigmoid", "softplus", "soft_sign", "elu",
               "celu", "selu", "leaky_relu", "hard_tanh", "log_sigmoid", "mish",
               "hard_sigmoid", "hard_silu", "softmax", "log_softmax", "logsumexp", "glu",
               "standardize"]


def _np(x):
  return np.asarray(x)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_jax(name):
  got = getattr(nn, name)(X)
  want = getattr(jnn, name)(X)
  assert got.shape == want.shape and got.dtype == want.dtype
  np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6, atol=1e-7)


def test_activations_against_numpy_formulas():
  x = X.astype(np.float64)
  sig = 1 / (1 + np.exp(-x))
  cases = {
      "relu": np.maximum(x, 0), "relu6": np.clip(x, 0, 6), "sigmoid": sig,
      "silu": x * sig, "softplus": np.log1p(np.exp(x)), "soft_sign": x / (np.abs(x) + 1),
      "elu": np.where(x > 0, x, np.expm1(x)), "leaky_relu": np.where(x >= 0, x, 0.01 * x),
      "hard_tanh": np.clip(x, -1, 1), "log_sigmoid": np.log(sig),
      "softmax": np.exp(x) / np.exp(x).sum(), "logsumexp": np.log(np.exp(x).sum()),
  }
  for name, want in cases.items():
    np.testing.assert_allclose(_np(getattr(nn, name)(X)), want, rtol=2e-5, atol=1e-6,
                               err_msg=name)


@pytest.mark.parametrize("approximate", [True, False])
def test_gelu(approximate):
  np.testing.assert_allclose(_np(nn.gelu(X, approximate=approximate)),
                             _np(jnn.gelu(X, approximate=approximate)), rtol=1e-6, atol=1e-7)
  if not approximate:
    from math import erf
    want = [0.5 * v * (1 + erf(v / np.sqrt(2))) for v in X.astype(float)]
    np.testing.assert_allclose(_np(nn.gelu(X, approximate=False)), want, rtol=1e-5, atol=1e-6)


def test_softmax_axis_and_where():
  x = X.reshape(2, 4)
  mask = np.array([[True, False, True, True], [False, True, True, True]])
  for axis in [0, 1, -1, (0, 1)]:
    np.testing.assert_allclose(_np(nn.softmax(x, axis=axis)), _np(jnn.softmax(x, axis=axis)),
                               rtol=1e-6)
    np.testing.assert_allclose(_np(nn.log_softmax(x, axis=axis)),
                               _np(jnn.log_softmax(x, axis=axis)), rtol=1e-6)
  np.testing.assert_allclose(_np(nn.softmax(x, where=mask)), _np(jnn.softmax(x, where=mask)),
                             rtol=1e-6)
  np.testing.assert_array_equal(_np(nn.log_softmax(x, where=mask)),
                                _np(jnn.log_softmax(x, where=mask)))
  s = _np(nn.softmax(x, axis=1))
  np.testing.assert_allclose(s.sum(1), 1, rtol=1e-6)
  with pytest.raises(ValueError, match="out of bounds"):
    nn.softmax(x, axis=2)


def test_glu_and_standardize_axes():
  x = np.arange(12, dtype=np.float32).reshape(3, 4) / 5
  np.testing.assert_allclose(_np(nn.glu(x, axis=0 if False else 1)), _np(jnn.glu(x, axis=1)))
  with pytest.raises(ValueError, match="divisible by 2"):
    nn.glu(x, axis=0)
  np.testing.assert_allclose(_np(nn.standardize(x, axis=0)), _np(jnn.standardize(x, axis=0)),
                             rtol=1e-6, atol=1e-6)
  s = _np(nn.standardize(x, axis=1))
  np.testing.assert_allclose(s.mean(1), 0, atol=1e-5)


def test_one_hot():
  x = np.array([0, 2, 5, -1])
  got = nn.one_hot(x, 3)
  assert got.dtype == np.float32
  np.testing.assert_array_equal(_np(got), np.eye(3)[[0, 2]].tolist() + [[0, 0, 0]] * 2)
  np.testing.assert_array_equal(_np(nn.one_hot(x.reshape(2, 2), 3, axis=0, dtype=np.int32)),
                                _np(jnn.one_hot(x.reshape(2, 2), 3, axis=0, dtype=np.int32)))
  with pytest.raises(TypeError):
    jaxlite.jit(lambda n: nn.one_hot(x, n))(3)


def test_gradients_match_jax():
  # Gradients through custom JVPs (relu at 0, softmax) and ordinary rules.
  names = ["relu", "relu6", "gelu", "silu", "softplus", "elu", "leaky_relu", "log_sigmoid",
           "celu", "selu", "soft_sign"]

  def total(mod, x):
    return sum(getattr(mod, n)(x).sum() for n in names) + (mod.softmax(x) * x).sum() + \
        mod.logsumexp(x)
  got = jaxlite.grad(lambda x: total(nn, x))(X)
  want = jax.grad(lambda x: total(jnn, x))(X)
  np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=1e-6)
  # relu's derivative at 0 is 0, relu6's at 6 is 0.
  np.testing.assert_array_equal(_np(jaxlite.grad(nn.relu)(0.)), 0.)
  np.testing.assert_array_equal(_np(jaxlite.grad(nn.relu6)(6.)), 0.)
  # Finite differences for a smooth one.
  f = lambda x: nn.gelu(x, approximate=False)
  eps = 1e-3
  fd = (np.asarray(f(np.float32(0.3 + eps))) - np.asarray(f(np.float32(0.3 - eps)))) / (2 * eps)
  np.testing.assert_allclose(_np(jaxlite.grad(f)(np.float32(0.3))), fd, rtol=1e-3)


def test_under_jit_and_vmap():
  x = X.reshape(2, 4)
  f = jaxlite.jit(jaxlite.vmap(lambda v: nn.softmax(nn.relu(v)) + nn.gelu(v)))
  g = jax.jit(jax.vmap(lambda v: jnn.softmax(jnn.relu(v)) + jnn.gelu(v)))
  np.testing.assert_allclose(_np(f(x)), _np(g(x)), rtol=1e-6)


INITIALIZERS = [
    ("zeros", None, (2, 3)), ("ones", None, (2, 3)),
    ("constant", (1.5,), (2, 3)), ("uniform", (2.,), (2, 3)), ("normal", (2.,), (2, 3)),
    ("truncated_normal", (2.,), (2, 3)),
    ("glorot_uniform", (), (4, 5)), ("glorot_normal", (), (4, 5)),
    ("xavier_uniform", (), (4, 5)), ("lecun_uniform", (), (4, 5)),
    ("lecun_normal", (), (4, 5)), ("he_uniform", (), (3, 4, 5)), ("he_normal", (), (4, 5)),
    ("kaiming_normal", (), (4, 5)), ("orthogonal", (), (3, 5)), ("orthogonal", (2.,), (4, 3)),
    ("delta_orthogonal", (), (3, 2, 2)),
]


@pytest.mark.parametrize("name,args,shape", INITIALIZERS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INITIALIZERS)])
def test_initializers_match_jax(name, args, shape):
  mine = getattr(nn.initializers, name)
  theirs = getattr(jnn.initializers, name)
  if args is not None:
    mine, theirs = mine(*args), theirs(*args)
  got = mine(random.PRNGKey(4), shape)
  want = theirs(jr.PRNGKey(4), shape)
  assert got.shape == want.shape and got.dtype == want.dtype
  np.testing.assert_allclose(_np(got), _np(want), rtol=2e-6, atol=1e-7)


def test_variance_scaling_statistics_and_errors():
  init = nn.initializers.variance_scaling(2.0, "fan_in", "normal")
  w = _np(init(random.PRNGKey(0), (400, 50)))
  assert abs(w.var() - 2.0 / 400) < 0.1 * 2.0 / 400
  q = _np(nn.initializers.orthogonal()(random.PRNGKey(0), (4, 4)))
  np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)
  with pytest.raises(ValueError, match="invalid mode"):
    nn.initializers.variance_scaling(1., "fan_nope", "normal")(random.PRNGKey(0), (2, 2))
  with pytest.raises(ValueError, match="in_axis"):
    nn.initializers.glorot_normal()(random.PRNGKey(0), (3,))
  with pytest.raises(ValueError, match="2D"):
    nn.initializers.orthogonal()(random.PRNGKey(0), (3,))
  c = nn.initializers.variance_scaling(1., "fan_avg", "uniform", dtype=np.complex64)
  np.testing.assert_allclose(
      _np(c(random.PRNGKey(1), (2, 2))),
      _np(jnn.initializers.variance_scaling(1., "fan_avg", "uniform", dtype=np.complex64)(
          jr.PRNGKey(1), (2, 2))), rtol=2e-6)
