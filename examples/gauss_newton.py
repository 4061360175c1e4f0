"""Nonlinear least squares by Gauss-Newton with conjugate gradients, linearizing once
per outer step (JAX issue 526, "Deferred pushforward evaluation in jvp").

At each step the residual function ``r`` is linearized once:

    r0, r_jvp = jax.linearize(r, theta)          # primal work, done now
    r_vjp = jax.linear_transpose(r_jvp, theta)   # transpose of the linear map

and the Gauss-Newton system ``(J^T J) delta = -J^T r0`` is solved by
conjugate gradients on the operator ``v -> r_vjp(r_jvp(v))``, which evaluates
only the stored linear jaxpr: no primitive of ``r`` (no ``exp``, no ``sin``)
is re-run inside CG. The operator is jitted once per step.

Run:  python examples/gauss_newton.py
"""
import numpy as np

import jaxlite as jax
import jaxlite.numpy as jnp


def model(theta, t):
  """A damped oscillation: a * exp(-b t) * cos(w t) + c."""
  a, b, w, c = theta[0], theta[1], theta[2], theta[3]
  return a * jnp.exp(-b * t) * jnp.cos(w * t) + c


def conjugate_gradient(matvec, b, iters=20, tol=1e-10):
  """Solves ``matvec(x) = b`` for a symmetric positive (semi)definite operator.

  >>> import numpy as np
  >>> A = np.array([[4., 1.], [1., 3.]], np.float32)
  >>> x = conjugate_gradient(lambda v: jnp.dot(A, v), np.array([1., 2.], np.float32))
  >>> np.allclose(A @ np.asarray(x), [1., 2.], atol=1e-5)
  True
  """
  x = jnp.zeros_like(b)
  r = b - matvec(x)
  p = r
  rs = jnp.vdot(r, r)
  for _ in range(iters):
    if float(rs) < tol:
      break
    ap = matvec(p)
    alpha = rs / jnp.vdot(p, ap)
    x = x + alpha * p
    r = r - alpha * ap
    rs_new = jnp.vdot(r, r)
    p = r + (rs_new / rs) * p
    rs = rs_new
  return x


def gauss_newton(residual, theta, steps=5, verbose=True):
  """Minimises ``0.5 * |residual(theta)|^2``; returns the final ``theta`` and the
  residual norm after each step.

  >>> r = lambda th: jnp.stack([th[0] - 1., 10. * (th[1] - th[0] ** 2)])
  >>> th, norms = gauss_newton(r, np.zeros(2, np.float32), steps=4, verbose=False)
  >>> norms[-1] < 1e-4
  True
  """
  norms = []
  for step in range(steps):
    r0, r_jvp = jax.linearize(residual, theta)
    r_vjp = jax.linear_transpose(r_jvp, theta)
    gn_matvec = jax.jit(lambda v: r_vjp(r_jvp(v))[0])
    rhs = -r_vjp(r0)[0]
    delta = conjugate_gradient(gn_matvec, rhs, iters=theta.shape[0] * 2)
    theta = theta + delta
    norm = float(jnp.sqrt(jnp.sum(residual(theta) ** 2)))
    norms.append(norm)
    if verbose:
      print(f"step {step}: |r| = {norm:.3e}")
  return theta, norms


def main():
  rng = np.random.RandomState(0)
  t = np.linspace(0., 4., 40).astype(np.float32)
  true_theta = np.array([2.0, 0.7, 3.0, 0.5], np.float32)
  y = np.asarray(model(true_theta, t)) + 0.01 * rng.randn(t.size).astype(np.float32)
  residual = lambda theta: model(theta, t) - y
  theta0 = np.array([1.5, 0.5, 2.8, 0.0], np.float32)
  print(f"start: |r| = {float(jnp.sqrt(jnp.sum(residual(theta0) ** 2))):.3e}")

  # The Gauss-Newton operator holds no nonlinear primitive of the model.
  _, r_jvp = jax.linearize(residual, theta0)
  r_vjp = jax.linear_transpose(r_jvp, theta0)
  ops = {e.primitive.name for e in jax.make_jaxpr(lambda v: r_vjp(r_jvp(v)))(theta0).eqns}
  print("primitives in J^T J v:", sorted(ops))
  assert not ops & {"exp", "cos", "sin"}

  theta, norms = gauss_newton(residual, theta0)
  print("fitted theta:", np.round(np.asarray(theta), 3), " true:", true_theta)
  return theta, norms


if __name__ == "__main__":
  main()
