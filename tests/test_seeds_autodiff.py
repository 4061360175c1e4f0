"""The autodiff examples of the seeds (shared/seeds/jax_linearize.txt,
jax_linear_transpose.txt, jax_issue_526_deferred_pushforward.txt and the
autodiff part of jax_public_api.txt), written as their users write them:
``import jaxlite as jax; import jaxlite.numpy as jnp``, with the documented numbers."""
import types

import numpy as np
import pytest

import jaxlite as jax
import jaxlite.numpy as jnp
from jaxlite import core


def f(x):
  return 3. * jnp.sin(x) + jnp.cos(x / 2.)


def test_linearize_docstring():
  y, t = jax.jvp(f, (2.,), (3.,))
  assert y.dtype == np.float32 and y.weak_type and t.weak_type
  np.testing.assert_allclose([y, t], [3.26819, -5.00753], rtol=1e-5)
  y, f_jvp = jax.linearize(f, 2.)
  assert str(y) == "3.2681944"
  assert str(f_jvp(3.)) == "-5.007528"
  assert str(f_jvp(4.)) == "-6.676704"


def test_issue_526_linearize_then_transpose_for_gauss_newton():
  x = 2.
  y, f_jvp = jax.linearize(f, x)
  for t in (1., 3.):
    np.testing.assert_allclose(f_jvp(t), jax.jvp(f, (x,), (t,))[1], rtol=1e-6)
  f_vjp = jax.linear_transpose(f_jvp, x)
  gnvp = lambda v: f_vjp(f_jvp(v))
  jaxpr = jax.make_jaxpr(gnvp)(1.)
  names = {e.primitive.name for e in jaxpr.eqns}
  assert not names & {"sin", "cos"}, names
  j = float(f_jvp(1.))
  np.testing.assert_allclose(gnvp(1.5)[0], j * j * 1.5, rtol=1e-6)


def test_linear_transpose_docstring():
  fn = lambda x, y: 0.5 * x - 0.5 * y
  scalar = types.SimpleNamespace(shape=(), dtype=np.dtype(np.float32))
  f_transpose = jax.linear_transpose(fn, scalar, scalar)
  xt, yt = f_transpose(1.0)
  assert (float(xt), float(yt)) == (0.5, -0.5)
  assert xt.dtype == np.float32 and yt.dtype == np.float32


def test_vjp_docstring():
  def fn(x, y):
    return jnp.sin(x), jnp.cos(y)
  primals, f_vjp = jax.vjp(fn, 0.5, 1.0)
  xbar, ybar = f_vjp((-0.7, 0.3))
  assert str(xbar) == "-0.61430776"
  assert str(ybar) == "-0.2524413"


def test_grad_docstring():
  grad_tanh = jax.grad(jnp.tanh)
  assert str(grad_tanh(0.2)) == "0.961043"


def test_jvp_docstring():
  y, v = jax.jvp(jnp.sin, (0.1,), (0.2,))
  assert str(y) == "0.09983342"
  assert str(v) == "0.19900084"


def jac_f(x):
  return jnp.asarray([x[0], 5 * x[2], 4 * x[1] ** 2 - 2 * x[2], x[2] * jnp.sin(x[0])])


JAC = np.array([[1., 0., 0.], [0., 0., 5.], [0., 16., -2.], [1.6209, 0., 0.84147]])


@pytest.mark.parametrize("jacobian", [jax.jacfwd, jax.jacrev])
def test_jacobian_docstrings(jacobian):
  out = jacobian(jac_f)(jnp.array([1., 2., 3.]))
  assert out.shape == (4, 3)
  np.testing.assert_allclose(out, JAC, atol=1e-4)


def test_hessian_docstring():
  g = lambda x: x[0] ** 3 - 2 * x[0] * x[1] - x[1] ** 6
  np.testing.assert_allclose(jax.hessian(g)(jnp.array([1., 2.])), [[6., -2.], [-2., -480.]])


def test_hessian_pytree_block_structure():
  fn = lambda dct: {"c": jnp.power(dct["a"], dct["b"])}
  h = jax.hessian(fn)({"a": jnp.arange(2.) + 1., "b": jnp.arange(2.) + 2.})
  assert set(h) == {"c"} and set(h["c"]) == {"a", "b"}
  assert set(h["c"]["a"]) == {"a", "b"} and set(h["c"]["b"]) == {"a", "b"}
  expected = {
      ("a", "a"): [[[2., 0.], [0., 0.]], [[0., 0.], [0., 12.]]],
      ("a", "b"): [[[1., 0.], [0., 0.]], [[0., 0.], [0., 12.317766]]],
      ("b", "a"): [[[1., 0.], [0., 0.]], [[0., 0.], [0., 12.317766]]],
      ("b", "b"): [[[0., 0.], [0., 0.]], [[0., 0.], [0., 3.843624]]],
  }
  for (i, j), want in expected.items():
    block = h["c"][i][j]
    assert block.shape == (2, 2, 2) and block.dtype == np.float32
    np.testing.assert_allclose(block, want, rtol=1e-5, atol=1e-6)


def test_custom_jvp_docstring():
  @jax.custom_jvp
  def fn(x, y):
    return jnp.sin(x) * y

  @fn.defjvp
  def f_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    primal_out = fn(x, y)
    tangent_out = jnp.cos(x) * x_dot * y + jnp.sin(x) * y_dot
    return primal_out, tangent_out
  np.testing.assert_allclose(jax.grad(fn)(2., 3.), np.cos(2.) * 3., rtol=1e-6)

  @jax.custom_jvp
  def g(x, y):
    return jnp.sin(x) * y
  g.defjvps(lambda x_dot, primal_out, x, y: jnp.cos(x) * x_dot * y,
            lambda y_dot, primal_out, x, y: jnp.sin(x) * y_dot)
  np.testing.assert_allclose(jax.grad(g, 1)(2., 3.), np.sin(2.), rtol=1e-6)


def test_custom_vjp_docstring():
  @jax.custom_vjp
  def fn(x, y):
    return jnp.sin(x) * y

  def f_fwd(x, y):
    return fn(x, y), (jnp.cos(x), jnp.sin(x), y)

  def f_bwd(res, g):
    cos_x, sin_x, y = res
    return (cos_x * g * y, sin_x * g)
  fn.defvjp(f_fwd, f_bwd)
  gx, gy = jax.grad(fn, (0, 1))(2., 3.)
  np.testing.assert_allclose([gx, gy], [np.cos(2.) * 3., np.sin(2.)], rtol=1e-6)


def test_checkpoint_docstring():
  @jax.checkpoint
  def g(x):
    y = jnp.sin(x)
    z = jnp.sin(y)
    return z
  assert str(jax.grad(g)(2.0)) == "-0.25563914"
  jaxpr = jax.make_jaxpr(jax.grad(g))(2.0)
  remat = [e for e in jaxpr.eqns if e.primitive.name == "remat2"]
  assert len(remat) == 1
  assert "sin" in {e.primitive.name for e in remat[0].params["jaxpr"].eqns}


def test_recursive_checkpoint_docstring():
  def recursive_checkpoint(funs):
    if len(funs) == 1:
      return funs[0]
    elif len(funs) == 2:
      f1, f2 = funs
      return lambda x: f1(f2(x))
    else:
      f1 = recursive_checkpoint(funs[:len(funs) // 2])
      f2 = recursive_checkpoint(funs[len(funs) // 2:])
      return lambda x: f1(jax.checkpoint(f2)(x))
  fn = recursive_checkpoint([jnp.sin] * 5)
  expected = jax.grad(lambda x: jnp.sin(jnp.sin(jnp.sin(jnp.sin(jnp.sin(x))))))(1.0)
  np.testing.assert_allclose(jax.grad(fn)(1.0), expected, rtol=1e-6)


def test_make_jaxpr_docstring_of_grad():
  def fn(x):
    return jnp.sin(jnp.cos(x))
  np.testing.assert_allclose(fn(3.0), -0.83602, rtol=1e-5)
  jaxpr = jax.make_jaxpr(jax.grad(fn))(3.0)
  assert [e.primitive.name for e in jaxpr.eqns] == \
      ["cos", "sin", "sin", "cos", "mul", "neg", "mul"]


def test_closure_convert_docstring_pattern():
  from functools import partial

  def minimize(objective_fn, x0):
    converted_fn, aux_args = jax.closure_convert(objective_fn, x0)
    return _minimize(converted_fn, x0, *aux_args)

  def step(objective_fn, x0, *args):
    # one gradient step stands in for a solver
    return x0 - 0.1 * jax.grad(objective_fn)(x0, *args)

  @partial(jax.custom_vjp, nondiff_argnums=(0,))
  def _minimize(objective_fn, x0, *args):
    return step(objective_fn, x0, *args)

  def fwd(objective_fn, x0, *args):
    y = _minimize(objective_fn, x0, *args)
    return y, (x0, args)

  def rev(objective_fn, res, g):
    x0, args = res
    _, pull = jax.vjp(lambda x, *a: step(objective_fn, x, *a), x0, *args)
    return pull(g)
  _minimize.defvjp(fwd, rev)

  def outer(a):
    return minimize(lambda x: a * x ** 2, 1.0)
  # x1 = 1 - 0.1 * 2a  =>  d x1 / da = -0.2
  np.testing.assert_allclose(jax.grad(outer)(3.0), -0.2, rtol=1e-6)


def test_grad_of_non_scalar_output_raises():
  with pytest.raises(TypeError, match=r"Output had shape: \(3,\)\."):
    jax.grad(jnp.sin)(jnp.arange(3.))


def test_core_primitive_set_is_linear_in_f_jvp():
  _, f_jvp = jax.linearize(f, 2.)
  names = {e.primitive.name for e in f_jvp.jaxpr.eqns}
  assert names <= {"mul", "div", "neg", "add", "sub", "convert_element_type"}, names
  assert all(isinstance(v, core.Var) for v in f_jvp.jaxpr.constvars)


def test_gauss_newton_example_residual_falls():
  import importlib.util
  import os
  path = os.path.join(os.path.dirname(__file__), "..", "examples", "gauss_newton.py")
  spec = importlib.util.spec_from_file_location("gauss_newton_example", path)
  example = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(example)
  t = np.linspace(0., 2., 8).astype(np.float32)
  y = np.asarray(example.model(np.array([2., 0.7, 3., 0.5], np.float32), t))
  theta0 = np.array([1.8, 0.6, 2.9, 0.4], np.float32)
  residual = lambda th: example.model(th, t) - y
  start = float(jnp.sqrt(jnp.sum(residual(theta0) ** 2)))
  theta, norms = example.gauss_newton(residual, theta0, steps=3, verbose=False)
  assert norms[0] < start and norms[-1] < 1e-2 * start, (start, norms)
  np.testing.assert_allclose(theta, [2., 0.7, 3., 0.5], atol=1e-2)
