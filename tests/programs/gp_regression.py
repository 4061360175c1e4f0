"""Gaussian-process regression with an RBF kernel.

Written for JAX, in the style of JAX's examples: absl flags (including JAX's
own, e.g. `--jax_enable_x64`, through `config.config_with_absl()`), kernel
hyperparameters fitted by maximizing the marginal likelihood with an
`optimizers` optimizer, and Cholesky-based predictions. It prints the negative
log marginal likelihood at every step, then predictive means and variances.
"""
from absl import app, flags

import jax
import jax.numpy as jnp
import jax.scipy.linalg
from jax import config, random
from jax.example_libraries import optimizers

flags.DEFINE_integer("num_steps", 20, "Number of hyperparameter optimization steps.")
FLAGS = flags.FLAGS


def softplus(x):
  return jnp.logaddexp(x, 0.)


def rbf_kernel(params, a, b):
  amplitude = softplus(params["amplitude"])
  length_scale = softplus(params["length_scale"])
  sq_dist = jnp.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1)
  return amplitude * jnp.exp(-0.5 * sq_dist / length_scale ** 2)


def gram(params, x):
  noise = softplus(params["noise"]) + 1e-6
  return rbf_kernel(params, x, x) + noise * jnp.eye(x.shape[0])


def neg_log_marginal_likelihood(params, x, y):
  chol = jax.scipy.linalg.cholesky(gram(params, x), lower=True)
  v = jax.scipy.linalg.solve_triangular(chol, y, lower=True)
  return (0.5 * jnp.dot(v, v) + jnp.sum(jnp.log(jnp.diag(chol)))
          + 0.5 * y.shape[0] * jnp.log(2 * jnp.pi))


def predict(params, x, y, x_test):
  chol = jax.scipy.linalg.cholesky(gram(params, x), lower=True)
  alpha = jax.scipy.linalg.solve_triangular(
      chol.T, jax.scipy.linalg.solve_triangular(chol, y, lower=True), lower=False)
  k_star = rbf_kernel(params, x_test, x)
  mean = k_star @ alpha
  w = jax.scipy.linalg.solve_triangular(chol, k_star.T, lower=True)
  var = jnp.diag(rbf_kernel(params, x_test, x_test)) - jnp.sum(w * w, axis=0)
  return mean, var


def main(argv):
  del argv
  key = random.PRNGKey(10)
  x = jnp.linspace(-3., 3., 20)[:, None]
  y = jnp.sin(2. * x[:, 0]) + 0.1 * random.normal(key, (20,))
  x_test = jnp.linspace(-2.5, 2.5, 5)[:, None]

  params = {"amplitude": jnp.zeros(()), "length_scale": jnp.zeros(()),
            "noise": jnp.full((), -2.)}
  opt_init, opt_update, get_params = optimizers.adam(0.05)

  @jax.jit
  def step(i, opt_state):
    value, grads = jax.value_and_grad(neg_log_marginal_likelihood)(
        get_params(opt_state), x, y)
    return opt_update(i, grads, opt_state), value

  opt_state = opt_init(params)
  for i in range(FLAGS.num_steps):
    opt_state, value = step(i, opt_state)
    print(f"step {i:2d} nll {float(value):.6f}")

  params = get_params(opt_state)
  for name in sorted(params):
    print(f"{name} {float(softplus(params[name])):.6f}")
  mean, var = jax.jit(predict)(params, x, y, x_test)
  for xt, m, v in zip(x_test[:, 0], mean, var):
    print(f"x {float(xt):+.2f} mean {float(m):+.6f} var {float(v):.6f}")
  print(f"dtype {mean.dtype}")


if __name__ == "__main__":
  config.config_with_absl()
  app.run(main)
