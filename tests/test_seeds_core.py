"""The core seed examples of shared/seeds/jax_public_api.txt, as documented."""
import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp


def _selu(jax, x):
  @jax.jit
  def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * jax.numpy.where(x > 0, x, alpha * jax.numpy.exp(x) - alpha)
  return selu(x)


def test_seed_jit_selu():
  key = jax.random.PRNGKey(0)
  x = jax.random.normal(key, (10,))
  out = np.asarray(_selu(jax, x))
  xs = np.asarray(x)
  np.testing.assert_allclose(out, 1.05 * np.where(xs > 0, xs, 1.67 * np.exp(xs) - 1.67),
                             rtol=1e-6)
  real_jax = pytest.importorskip("jax")
  expected = _selu(real_jax, real_jax.random.normal(real_jax.random.PRNGKey(0), (10,)))
  np.testing.assert_allclose(out, np.asarray(expected), rtol=1e-6)


def test_seed_disable_jit(capsys):
  @jax.jit
  def f(x):
    y = x * 2
    print("Value of y is", y)
    return y + 3
  print(f(jax.numpy.array([1, 2, 3])))
  traced = capsys.readouterr().out
  assert "Value of y is JitTracer(int32[3])\n" in traced   # JAX 0.10.2's form
  assert traced.strip().endswith("[5 7 9]")
  with jax.disable_jit():
    print(f(jax.numpy.array([1, 2, 3])))
  assert capsys.readouterr().out == "Value of y is [2 4 6]\n[5 7 9]\n"


def test_seed_xla_computation_sin_cos():
  def f(x):
    return jax.numpy.sin(jax.numpy.cos(x))
  text = jax.xla_computation(f)(3.).as_hlo_text()
  cos_line = next(l for l in text.splitlines() if "cosine(" in l)
  sin_line = next(l for l in text.splitlines() if "sine(" in l and "cosine(" not in l)
  assert "f32[] cosine(" in cos_line and "f32[] sine(" in sin_line
  assert text.index(cos_line) < text.index(sin_line)
  assert "parameter(0)" in text


def test_seed_make_jaxpr_sin_cos():
  def f(x):
    return jax.numpy.sin(jax.numpy.cos(x))
  assert abs(float(f(3.0)) - (-0.83602)) < 1e-5
  text = str(jax.make_jaxpr(f)(3.0))
  assert text == "{ lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }"


def test_seed_eval_shape():
  f = lambda A, x: jnp.tanh(jnp.dot(A, x))

  class MyArgArray(object):
    def __init__(self, shape, dtype):
      self.shape = shape
      self.dtype = jnp.dtype(dtype)
  A = MyArgArray((2000, 3000), jnp.float32)
  x = MyArgArray((3000, 1000), jnp.float32)
  out = jax.eval_shape(f, A, x)
  assert out.shape == (2000, 1000)
  assert out.dtype == np.float32
