"""jax.custom_batching: custom_vmap and sequential_vmap against JAX 0.10.2."""
import numpy as np
import pytest

import jaxlite
import jaxlite.custom_batching  # noqa: F401
import jaxlite.numpy as lnp

jax = pytest.importorskip("jax")
import jax.custom_batching  # noqa: E402,F401
import jax.numpy as jnp  # noqa: E402


def programs(jax, jnp):
  """The same programs under either library: (values, errors)."""
  cb = jax.custom_batching
  outs = {}

  @cb.custom_vmap
  def f(x):
    return jnp.sin(x)

  @f.def_vmap
  def f_rule(axis_size, in_batched, xs):
    return jnp.cos(xs), True   # a rule that differs from f, so its use shows

  outs["eager"] = f(1.0)
  outs["jvp"] = jax.jvp(f, (1.,), (1.,))
  outs["vmap_of_jvp"] = jax.vmap(lambda x: jax.jvp(f, (x,), (x * 2,)))(jnp.arange(3.))
  outs["vmap_of_jvp_primal_only"] = jax.vmap(lambda x: jax.jvp(f, (x,), (2.,)))(jnp.arange(3.))
  outs["jit_vmap"] = jax.jit(jax.vmap(f))(jnp.arange(2.))
  outs["in_axes_1"] = jax.vmap(f, in_axes=1)(jnp.ones((2, 3)))
  outs["nested"] = jax.vmap(jax.vmap(f))(jnp.ones((2, 3)))

  @cb.custom_vmap
  def g(x, y):
    return {"a": x + y}

  @g.def_vmap
  def g_rule(axis_size, in_batched, xs, y):
    assert in_batched == [True, False]
    return {"a": xs * y + axis_size}, {"a": True}

  outs["unbatched_arg"] = jax.vmap(g, in_axes=(0, None))(jnp.arange(3.), 2.)
  outs["keywords"] = g(y=1., x=2.)

  @jax.custom_vjp
  @cb.custom_vmap
  def h(x, y):
    return jnp.sin(x) * y

  @h.def_vmap
  def h_rule(axis_size, in_batched, xs, ys):
    return jnp.cos(xs) * ys, True
  h.defvjp(lambda x, y: (h(x, y), (jnp.cos(x), jnp.sin(x), y)),
           lambda res, g: (res[0] * g * res[2], res[1] * g))
  outs["under_custom_vjp_vmap"] = jax.vmap(h)(jnp.zeros(3), jnp.ones(3))
  outs["under_custom_vjp_grad"] = jax.grad(h)(jnp.zeros(()), jnp.ones(()))

  s = cb.sequential_vmap(lambda x, y: {"p": x * y + 1, "q": y})
  outs["sequential"] = jax.vmap(s, in_axes=(0, None))(jnp.arange(3.), 2.)
  outs["sequential_jit"] = jax.jit(jax.vmap(s))(jnp.arange(3.), jnp.ones(3))

  errors = {}

  @cb.custom_vmap
  def mismatched(x):
    return x

  @mismatched.def_vmap
  def mismatched_rule(axis_size, in_batched, xs):
    return (xs, xs), True

  for name, thunk in [("grad", lambda: jax.grad(f)(1.)),
                      ("arity", lambda: f(1., 2.)),
                      ("no_rule", lambda: cb.custom_vmap(lambda x: x)(1.)),
                      ("rule_trees", lambda: jax.vmap(mismatched)(jnp.ones(2)))]:
    try:
      thunk()
      errors[name] = None
    except Exception as e:  # noqa: BLE001 -- the error itself is compared
      errors[name] = (type(e).__name__, str(e).split("--------------------")[0].strip())
  return outs, errors


@pytest.fixture(scope="module")
def both():
  return programs(jaxlite, lnp), programs(jax, jnp)


NAMES = ["eager", "jvp", "vmap_of_jvp", "vmap_of_jvp_primal_only", "jit_vmap", "in_axes_1",
         "nested", "unbatched_arg", "keywords", "under_custom_vjp_vmap",
         "under_custom_vjp_grad", "sequential", "sequential_jit"]


@pytest.mark.parametrize("name", NAMES)
def test_values_match_jax(both, name):
  (actual, _), (expected, _) = both
  flat_a, tree_a = jaxlite.tree_util.tree_flatten(actual[name])
  flat_e, tree_e = jax.tree_util.tree_flatten(expected[name])
  assert str(tree_a) == str(tree_e)
  for a, e in zip(flat_a, flat_e):
    assert np.asarray(a).dtype == np.asarray(e).dtype
    np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=1e-6)


@pytest.mark.parametrize("name", ["grad", "arity", "no_rule", "rule_trees"])
def test_errors_match_jax(both, name):
  (_, actual), (_, expected) = both
  assert actual[name] is not None
  assert actual[name] == expected[name]


def test_sequential_vmap_runs_one_element_at_a_time(capfd):
  @jaxlite.custom_batching.sequential_vmap
  def f(x):
    jaxlite.debug.print("{}", x)
    return x + 1
  out = jaxlite.vmap(f)(lnp.arange(3))
  assert capfd.readouterr().out == "0\n1\n2\n"
  np.testing.assert_array_equal(out, [1, 2, 3])
