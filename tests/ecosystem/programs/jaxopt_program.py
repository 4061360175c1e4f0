"""jaxopt on `jax`: quasi-Newton, gradient descent, least squares, root finding and
implicit differentiation through a solver."""
import jax
import jax.numpy as jnp
import jaxopt
import numpy as np

from _harness import run_cases

rng = np.random.RandomState(0)
A = jnp.asarray(rng.randn(20, 3).astype(np.float32))
W_TRUE = jnp.asarray([1.0, -2.0, 0.5], np.float32)
B = A @ W_TRUE + 0.01 * jnp.asarray(rng.randn(20).astype(np.float32))


def ridge_objective(w, lam):
  residual = A @ w - B
  return 0.5 * jnp.mean(residual ** 2) + 0.5 * lam * jnp.sum(w ** 2)


def rosenbrock(x):
  return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def lbfgs():
  solver = jaxopt.LBFGS(fun=rosenbrock, maxiter=100, tol=1e-6)
  params, state = solver.run(jnp.zeros(3))
  return {"params": params, "value": state.value, "iters": state.iter_num}


def gradient_descent():
  solver = jaxopt.GradientDescent(fun=ridge_objective, maxiter=50, stepsize=0.1)
  params, state = solver.run(jnp.zeros(3), lam=0.1)
  return {"params": params, "optimality_error": state.error}


def levenberg_marquardt():
  def residuals(w):
    return jnp.tanh(A @ w) - jnp.tanh(B)
  solver = jaxopt.LevenbergMarquardt(residual_fun=residuals, maxiter=30)
  params, state = solver.run(jnp.zeros(3))
  return {"params": params, "value": state.value}


def bisection():
  solver = jaxopt.Bisection(optimality_fun=lambda x, a: x ** 3 - a, lower=0.0, upper=3.0,
                            tol=1e-6)
  root = solver.run(a=2.0).params
  # Implicit differentiation of the root with respect to a: 1 / (3 root^2).
  # (The bracket check is Python control flow on traced values: jaxopt turns it
  # off under transformations; see docs/differences.md for why jaxlite needs it.)
  traced_solver = jaxopt.Bisection(optimality_fun=lambda x, a: x ** 3 - a, lower=0.0,
                                   upper=3.0, tol=1e-6, check_bracket=False)
  droot = jax.grad(lambda a: traced_solver.run(a=a).params)(2.0)
  droot_jit = jax.jit(jax.grad(lambda a: traced_solver.run(a=a).params))(2.0)
  return {"root": root, "droot": droot, "droot_jit": droot_jit}


def broyden():
  solver = jaxopt.Broyden(fun=lambda x: jnp.array([x[0] + 2 * x[1] - 2, x[0] ** 2 + 4 * x[1] ** 2 - 4]),
                          maxiter=50, tol=1e-6)
  return {"root": solver.run(jnp.array([1.0, 0.5])).params}


def implicit_diff():
  # d(argmin_w ridge(w, lam)) / d lam, through the solver's optimality conditions.
  solver = jaxopt.LBFGS(fun=ridge_objective, maxiter=200, tol=1e-7, implicit_diff=True)

  def solution(lam):
    return solver.run(jnp.zeros(3), lam=lam).params
  jac = jax.jacobian(solution)(0.1)
  # The closed form: w(lam) = (A^T A / n + lam I)^-1 A^T b / n.
  n = A.shape[0]
  closed = jax.jacobian(lambda lam: jnp.linalg.solve(A.T @ A / n + lam * jnp.eye(3),
                                                     A.T @ B / n))(0.1)
  return {"jacobian": jac, "closed_form": closed}


def custom_root_decorator():
  def optimality(x, theta):
    return jax.grad(lambda x: 0.5 * jnp.sum((x - theta) ** 2) + 0.1 * jnp.sum(x ** 2))(x)

  @jaxopt.implicit_diff.custom_root(optimality)
  def inner_solver(init, theta):
    return theta / 1.2

  return {"vjp": jax.grad(lambda t: inner_solver(None, t).sum())(jnp.array([1.0, 2.0]))}


def linear_solvers_and_more():
  from jaxopt import linear_solve
  m = A.T @ A + jnp.eye(3)
  out = {}
  for name in ["solve_cg", "solve_gmres", "solve_bicgstab", "solve_normal_cg", "solve_cholesky"]:
    solve = getattr(linear_solve, name)
    out[name] = solve(lambda v: m @ v, A.T @ B)
    # Implicit differentiation with this linear solver (custom_linear_solve inside).
    out["implicit_" + name] = jax.grad(lambda lam: jaxopt.LBFGS(
        ridge_objective, implicit_diff_solve=solve, tol=1e-6).run(
            jnp.zeros(3), lam=lam).params.sum())(0.1)
  out["vmap_lbfgs"] = jax.vmap(lambda lam: jaxopt.LBFGS(ridge_objective).run(
      jnp.zeros(3), lam=lam).params)(jnp.array([0.1, 1.0]))
  out["proximal_gradient"] = jaxopt.ProximalGradient(
      lambda w: 0.5 * jnp.mean((A @ w - B) ** 2), jaxopt.prox.prox_lasso).run(
          jnp.zeros(3), hyperparams_prox=0.1).params
  out["anderson"] = jaxopt.AndersonAcceleration(lambda x, t: 0.5 * jnp.cos(x) + t).run(
      jnp.zeros(2), 0.1).params
  out["box_osqp"] = jaxopt.BoxOSQP().run(
      params_obj=(m, -A.T @ B), params_eq=jnp.ones((1, 3)),
      params_ineq=(-jnp.ones(1), jnp.ones(1))).params.primal[0]
  return out


run_cases({
    "lbfgs": lbfgs,
    "gradient_descent": gradient_descent,
    "levenberg_marquardt": levenberg_marquardt,
    "bisection": bisection,
    "broyden": broyden,
    "implicit_diff": implicit_diff,
    "custom_root_decorator": custom_root_decorator,
    "linear_solvers_and_more": linear_solvers_and_more,
})
