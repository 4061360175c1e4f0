"""custom_vjp(...).defvjp(optimize_remat=True) (the remat_opt primitive) against JAX 0.10.2."""
import numpy as np
import pytest

import jaxlite
from jaxlite.custom_derivatives import remat_opt_p

jax = pytest.importorskip("jax")


def build(jax, optimize_remat):
  jnp = jax.numpy

  @jax.custom_vjp
  def f(x, y):
    return jnp.sin(x) * y

  def fwd(x, y):
    return jnp.sin(x) * y, (jnp.cos(x), jnp.sin(x), y)

  def bwd(res, g):
    c, s, y = res
    return c * y * g, s * g
  f.defvjp(fwd, bwd, optimize_remat=optimize_remat)
  return f


def programs(jax, optimize_remat):
  jnp = jax.numpy
  f = build(jax, optimize_remat)
  return [
      f(1.0, 2.0),
      jax.jit(f)(1.0, 2.0),
      jax.grad(f, argnums=(0, 1))(0.5, 2.0),
      jax.jit(jax.grad(lambda x: jnp.sum(f(x, 3.0 * jnp.ones(3)))))(jnp.arange(3.)),
      jax.vmap(jax.grad(f))(jnp.arange(3.), jnp.ones(3)),
      jax.grad(jax.checkpoint(lambda x: f(f(x, 2.), 3.)))(0.7),
      jax.value_and_grad(jax.checkpoint(lambda x: f(x, 2.)))(1.0),
  ]


@pytest.mark.parametrize("optimize_remat", [False, True])
def test_values_and_gradients_match_jax(optimize_remat):
  actual, expected = programs(jaxlite, optimize_remat), programs(jax, optimize_remat)
  for a, e in zip(actual, expected):
    flat_a, flat_e = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(e)
    assert len(flat_a) == len(flat_e)
    for x, y in zip(flat_a, flat_e):
      np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-6)


def test_checkpoint_recomputes_with_the_primal_function():
  # Under checkpoint the forward pass keeps no residual, so the remat_opt
  # equation there runs f itself: no cos (the forward rule's residual).
  f = build(jaxlite, True)
  jaxpr = jaxlite.make_jaxpr(jaxlite.grad(jaxlite.checkpoint(lambda x: f(x, 2.))))(1.0).jaxpr
  forward = [e for e in jaxpr.eqns if e.primitive is remat_opt_p]
  assert len(forward) == 1 and forward[0].params["num_res"] == 0
  names = [e.primitive.name for e in forward[0].params["fwd_jaxpr"].jaxpr.eqns]
  assert names == ["sin", "mul"]


def test_errors_are_jaxs():
  for lib in (jaxlite, jax):
    g = lib.custom_vjp(lambda x: x)
    with pytest.raises(NotImplementedError, match="does not support symbolic zeros"):
      g.defvjp(lambda x: (x, ()), lambda r, ct: (ct,), symbolic_zeros=True,
               optimize_remat=True)
  # Second-order reverse mode is not supported: JAX's ValueError from linearization.
  for lib in (jaxlite, jax):
    with pytest.raises(ValueError, match="operation that does not support reverse-mode"):
      lib.grad(lib.grad(build(lib, True)))(0.5, 2.0)
