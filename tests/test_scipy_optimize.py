"""jaxlite.scipy.optimize.minimize (BFGS and the experimental L-BFGS) and its line
search against JAX 0.10.2: the same iterates, counts and status; under jit and vmap."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.scipy import optimize
from jaxlite.scipy.optimize.line_search import line_search

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.optimize as jopt  # noqa: E402
from jax._src.scipy.optimize.line_search import line_search as jax_line_search  # noqa: E402

LBFGS = "l-bfgs-experimental-do-not-rely-on-this"


def rosenbrock(np_):
  return lambda x: np_.sum(100. * (x[1:] - x[:-1] ** 2) ** 2 + (1. - x[:-1]) ** 2)


def himmelblau(np_):
  return lambda p: (p[0] ** 2 + p[1] - 11.) ** 2 + (p[0] + p[1] ** 2 - 7.) ** 2


def _assert_results_equal(ours, theirs, rtol):
  assert ours._fields == theirs._fields
  for name in ("status", "nfev", "njev", "nit", "success"):
    assert int(getattr(ours, name)) == int(getattr(theirs, name)), name
  for name in ("x", "fun", "jac"):
    np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=rtol,
                               atol=rtol, err_msg=name)
  if theirs.hess_inv is None:
    assert ours.hess_inv is None
  else:
    np.testing.assert_allclose(ours.hess_inv, theirs.hess_inv, rtol=rtol * 10, atol=rtol)


@pytest.mark.parametrize("method", ["BFGS", LBFGS])
@pytest.mark.parametrize("problem,x0", [(rosenbrock, [-1.2, 1.]), (rosenbrock, [-1.2, 1., 0.5]),
                                        (himmelblau, [0.5, -0.3])],
                         ids=["rosen2", "rosen3", "himmelblau"])
def test_minimize_matches_jax_f64(method, problem, x0):
  with jaxlite.enable_x64(True), jax.enable_x64(True):
    x0 = np.array(x0)
    ours = optimize.minimize(problem(jnp), jnp.asarray(x0), method=method)
    theirs = jopt.minimize(problem(jjnp), jjnp.asarray(x0), method=method)
    assert bool(ours.success) == bool(theirs.success)  # JAX stops early on some
    _assert_results_equal(ours, theirs, 1e-8)


def test_minimize_f32_options_and_args():
  f = lambda x, c: jnp.sum((x - c) ** 4) + jnp.sum(x ** 2)  # noqa: E731
  g = lambda x, c: jjnp.sum((x - c) ** 4) + jjnp.sum(x ** 2)  # noqa: E731
  x0 = np.zeros(3, np.float32)
  for method, options in [("BFGS", {"maxiter": 3}), ("BFGS", {"gtol": 1e-3}),
                          (LBFGS, {"maxcor": 2})]:
    ours = optimize.minimize(f, x0, (2.,), method=method, options=options)
    theirs = jopt.minimize(g, x0, (2.,), method=method, options=options)
    assert ours.x.dtype == np.float32 and ours.nit.dtype == theirs.nit.dtype
    if "maxiter" in options:  # a few steps: the same iterates and counts
      _assert_results_equal(ours, theirs, 2e-4)
    else:  # near the optimum float32 rounding decides the last steps: same answer
      np.testing.assert_allclose(ours.x, theirs.x, atol=2e-3)


def test_line_search_matches_jax():
  with jaxlite.enable_x64(True), jax.enable_x64(True):
    xk, pk = np.array([-1.2, 1.]), np.array([1., 0.3])
    ours = line_search(rosenbrock(jnp), xk, pk)
    theirs = jax_line_search(rosenbrock(jjnp), xk, pk)
    for name in theirs._fields:
      np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-10,
                                 err_msg=name)


def test_jit_and_vmap_agree_with_eager():
  f = himmelblau(jnp)
  solve = lambda x0: optimize.minimize(f, x0, method="BFGS").x  # noqa: E731
  with jaxlite.enable_x64(True):
    starts = np.array([[0.5, -0.3], [2.5, 2.5], [-3., 3.]])
    eager = np.stack([np.asarray(solve(s)) for s in starts])
    np.testing.assert_allclose(jaxlite.jit(solve)(starts[0]), eager[0], rtol=1e-10)
    np.testing.assert_allclose(jaxlite.vmap(solve)(starts), eager, rtol=1e-8)
    np.testing.assert_allclose(f(eager[1]), 0., atol=1e-10)  # a minimum, f = 0


def test_errors_as_jax():
  f = lambda x: jnp.sum(x ** 2)  # noqa: E731
  with pytest.raises(TypeError, match="must be a tuple"):
    optimize.minimize(f, jnp.ones(2), args=[1], method="BFGS")
  with pytest.raises(ValueError, match="Method Nelder-Mead not recognized"):
    optimize.minimize(f, jnp.ones(2), method="Nelder-Mead")
  with pytest.raises(TypeError):
    optimize.minimize(f, jnp.ones(2))  # method is required
