"""jax.experimental.ode.odeint: solutions and adjoint gradients against JAX 0.10.2."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as lnp
from jaxlite.experimental import ode as lode

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
from jax.experimental import ode as jode  # noqa: E402


def coupled(np_):
  # A pytree state, extra arguments, and explicit time dependence.
  def f(y, t, a, b):
    return {"u": -a * y["u"] + np_.sin(t) * y["v"], "v": b * y["u"]}
  return f


Y0 = {"u": np.array([1., 0.5], np.float32), "v": np.array([0.2, -0.3], np.float32)}
TS = np.array([0., 0.5, 1.3], np.float32)


def loss(np_, odeint):
  def value(y0, ts, a, b):
    ys = odeint(coupled(np_), y0, ts, a, b)
    return np_.sum(ys["u"] ** 2) + np_.sum(ys["v"])
  return value


def assert_trees_close(actual, expected, rtol=1e-5, atol=1e-6):
  flat_a, tree_a = jaxlite.tree_util.tree_flatten(actual)
  flat_e, tree_e = jax.tree_util.tree_flatten(expected)
  assert len(flat_a) == len(flat_e)
  for a, e in zip(flat_a, flat_e):
    assert np.asarray(a).dtype == np.asarray(e).dtype
    np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=rtol, atol=atol)


def test_pytree_solution_matches_jax():
  expected = jode.odeint(coupled(jnp), Y0, jnp.array(TS), 0.7, 1.2)
  actual = lode.odeint(coupled(lnp), Y0, lnp.array(TS), 0.7, 1.2)
  assert_trees_close(actual, expected)
  assert actual["u"].shape == (3, 2)


def test_adjoint_gradients_match_jax():
  # Gradients wrt y0 (a pytree), the times and both extra arguments.
  expected = jax.grad(loss(jnp, jode.odeint), argnums=(0, 1, 2, 3))(
      Y0, jnp.array(TS), 0.7, 1.2)
  actual = jaxlite.grad(loss(lnp, lode.odeint), argnums=(0, 1, 2, 3))(
      Y0, lnp.array(TS), 0.7, 1.2)
  assert_trees_close(actual, expected, rtol=1e-4, atol=1e-5)


def test_gradient_agrees_with_finite_differences():
  def decay_at_one(k):
    return lode.odeint(lambda y, t, k: -k * y, lnp.float32(1.0),
                       lnp.array([0.0, 1.0]), k)[-1]
  grad = float(jaxlite.grad(decay_at_one)(0.5))
  np.testing.assert_allclose(grad, -np.exp(-0.5), rtol=1e-4)


def test_closed_over_values_get_gradients():
  # closure_convert turns the captured array into an argument of the adjoint.
  def final(np_, odeint):
    def value(scale):
      return odeint(lambda y, t: -scale * y, np_.ones(2), np_.array([0.0, 0.7]))[-1].sum()
    return value
  expected = jax.grad(final(jnp, jode.odeint))(jnp.float32(1.5))
  actual = jaxlite.grad(final(lnp, lode.odeint))(lnp.float32(1.5))
  np.testing.assert_allclose(actual, expected, rtol=1e-5)


def test_tolerances_hmax_and_mxstep_match_jax():
  def run(np_, odeint):
    def solve(y0):
      f = lambda y, t: np_.stack([y[1], -np_.sin(y[0])])
      loose = odeint(f, y0, np_.linspace(0., 2., 4), rtol=1e-3, atol=1e-3, hmax=0.3)
      capped = odeint(f, y0, np_.linspace(0., 2., 4), mxstep=3)
      return loose, capped
    return solve
  y0 = np.array([1.0, 0.0], np.float32)
  expected = jax.jit(run(jnp, jode.odeint))(y0)
  actual = jaxlite.jit(run(lnp, lode.odeint))(y0)
  assert_trees_close(actual, expected)


def test_vmap_over_initial_values_matches_jax():
  f = lambda np_: lambda y, t: -y * t
  ts = np.array([0., 1.], np.float32)
  y0s = np.array([1., 2., 3.], np.float32)
  expected = jax.vmap(lambda y0: jode.odeint(f(jnp), y0, ts))(y0s)
  actual = jaxlite.vmap(lambda y0: lode.odeint(f(lnp), y0, ts))(y0s)
  assert_trees_close(actual, expected)


def test_errors_are_jaxs():
  with pytest.raises(TypeError, match="t must be an array of floats"):
    lode.odeint(lambda y, t: y, lnp.ones(1), lnp.arange(3))
  with pytest.raises(TypeError, match="odeint \\*args must be arrays or scalars"):
    lode.odeint(lambda y, t, s: y, lnp.ones(1), lnp.array([0., 1.]), "text")


def test_step_helpers_match_jax():
  y0, f0 = np.array([1.0, -0.5], np.float32), np.array([-1.0, 0.5], np.float32)
  t0, dt = np.float32(0.0), np.float32(0.1)
  for mod, np_ in ((jode, jnp), (lode, lnp)):
    fun = lambda y, t: -y * (1 + t)
    h = mod.initial_step_size(fun, t0, np_.asarray(y0), 4, 1e-6, 1e-6, np_.asarray(f0))
    y1, f1, err, k = mod.runge_kutta_step(fun, np_.asarray(y0), np_.asarray(f0),
                                          np_.asarray(t0), np_.asarray(dt))
    coeffs = mod.interp_fit_dopri(np_.asarray(y0), y1, k, np_.asarray(dt))
    ratio = mod.mean_error_ratio(err, 1e-6, 1e-6, np_.asarray(y0), y1)
    step = mod.optimal_step_size(np_.asarray(dt), ratio)
    if mod is jode:
      expected = (h, y1, f1, err, coeffs, ratio, step)
    else:
      actual = (h, y1, f1, err, coeffs, ratio, step)
  assert_trees_close(actual, expected)
  np.testing.assert_array_equal(lode.abs2(lnp.array([3 + 4j])), jode.abs2(jnp.array([3 + 4j])))
