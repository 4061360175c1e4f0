"""jax.custom_derivatives.linear_call, zero_from_primal, custom_vjp_primal_tree_values vs JAX."""
from functools import partial

import numpy as np
import pytest

import jaxlite
import jaxlite.custom_derivatives as lcd

jax = pytest.importorskip("jax")
import jax.custom_derivatives as jcd  # noqa: E402


def programs(jax, cd):
  jnp = jax.numpy
  out = {}

  def f(r, x):
    return x / r

  def t(r, ct):
    return ct / r

  def div_add(x, denom):
    return x + cd.linear_call(f, t, denom, x)

  def transpose(fun, example):
    return lambda y: jax.linear_transpose(fun, example)(y)[0]

  def custom_id(x):
    return cd.linear_call(lambda _, x: x, lambda _, ct: 7., (), x)

  out["call"] = div_add(9., 3.)
  out["transpose"] = transpose(partial(div_add, denom=3.), 1.)(18.)
  out["custom_id"] = custom_id(1.)
  out["transpose_1"] = transpose(custom_id, 1.)(1.)
  out["transpose_2"] = transpose(transpose(custom_id, 1.), 1.)(1.)
  out["transpose_3"] = transpose(transpose(transpose(custom_id, 1.), 1.), 1.)(1.)
  out["grad"] = jax.grad(lambda x: div_add(x, 4.) ** 2)(3.)
  out["jit_grad"] = jax.jit(jax.grad(lambda x: jnp.sum(div_add(x, jnp.arange(1., 4.)) ** 2)))(
      jnp.ones(3))
  out["jvp"] = jax.jvp(lambda x: div_add(x, 2.), (1.,), (1.,))
  # pytrees of residual and linear arguments
  out["pytrees"] = jax.linear_transpose(
      lambda xs: cd.linear_call(lambda r, xs: {"s": xs[0] * r["k"] + xs[1]},
                                lambda r, ct: (ct["s"] * r["k"], ct["s"]),
                                {"k": 2.0}, xs), (1.0, 1.0))({"s": 3.0})
  out["zero_from_primal"] = cd.zero_from_primal({"a": 1.0, "b": jnp.ones(2)})
  return out


@pytest.fixture(scope="module")
def both():
  return programs(jaxlite, lcd), programs(jax, jcd)


@pytest.mark.parametrize("name", ["call", "transpose", "custom_id", "transpose_1",
                                  "transpose_2", "transpose_3", "grad", "jit_grad", "jvp",
                                  "pytrees", "zero_from_primal"])
def test_matches_jax(both, name):
  actual, expected = both[0][name], both[1][name]
  flat_a, tree_a = jax.tree_util.tree_flatten(actual)
  flat_e, tree_e = jax.tree_util.tree_flatten(expected)
  assert len(flat_a) == len(flat_e)
  for a, e in zip(flat_a, flat_e):
    assert np.asarray(a).dtype == np.asarray(e).dtype
    np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=1e-6)


def test_transpose_structure_error_is_jaxs():
  bad = lambda x: lcd.linear_call(lambda r, x: x, lambda r, ct: (ct, ct), (), x)
  with pytest.raises(TypeError, match="transpose output pytree structure must match"):
    jaxlite.linear_transpose(bad, 1.0)(1.0)


def test_integer_zeros_and_symbolic_zeros():
  zeros = lcd.zero_from_primal({"i": np.arange(2)})
  assert zeros["i"].dtype == jaxlite.dtypes.float0 and zeros["i"].shape == (2,)
  symbolic = lcd.zero_from_primal((1.0,), symbolic_zeros=True)[0]
  assert isinstance(symbolic, lcd.SymbolicZero) and symbolic.shape == ()


def test_custom_vjp_primal_tree_values():
  tree = {"a": lcd.CustomVJPPrimal(1.0, True), "b": [lcd.CustomVJPPrimal(2, False)]}
  assert lcd.custom_vjp_primal_tree_values(tree) == {"a": 1.0, "b": [2]}
  with pytest.raises(TypeError, match="unexpected leaf type <class 'float'>"):
    lcd.custom_vjp_primal_tree_values([1.0])
  # As a fwd rule with symbolic_zeros uses it, against JAX.
  def run(jax, cd):
    @jax.custom_vjp
    def f(x, y):
      return x * y

    def fwd(x, y):
      x, y = cd.custom_vjp_primal_tree_values((x, y))
      return x * y, (x, y)
    f.defvjp(fwd, lambda res, g: (res[1] * g, res[0] * g), symbolic_zeros=True)
    return jax.grad(f, argnums=(0, 1))(2.0, 3.0)
  np.testing.assert_allclose(run(jaxlite, lcd), run(jax, jcd))
