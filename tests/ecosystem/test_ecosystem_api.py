"""The public names JAX libraries use (issue 16), compared with JAX 0.10.2 in the same run."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax


@pytest.fixture(scope="module")
def jax():
  return pytest.importorskip("jax")


def _staged(lib):
  f = lib.jit(lambda x, y: {"s": x + y, "p": x * 2})
  traced = f.trace(lib.numpy.ones(2), y=3.0)
  lowered = traced.lower()
  compiled = lowered.compile()
  return traced, lowered, compiled


def test_stages_match_jax(jax):
  mine, theirs = _staged(jaxlite), _staged(jax)
  for a, b in zip(mine, theirs):
    assert type(a).__name__ == type(b).__name__
    assert str(a.in_tree) == str(b.in_tree) and str(a.out_tree) == str(b.out_tree)
    assert repr(a.args_info) == repr(b.args_info)
    shapes = lambda info: {k: (v.shape, v.dtype, v.weak_type) for k, v in info.items()}  # noqa
    assert shapes(a.out_info) == shapes(b.out_info)
  assert repr(mine[0].out_info) == repr(theirs[0].out_info)
  assert repr(mine[1].out_info) == repr(theirs[1].out_info)
  # Compiled results also say where they live (JAX adds their memory layout too).
  assert repr(mine[2].output_shardings) == repr(theirs[2].output_shardings)
  assert str(mine[0].jaxpr) == str(theirs[0].jaxpr)
  assert mine[0].fun_name == theirs[0].fun_name == "<lambda>"
  assert "stablehlo.add" in mine[1].as_text() and "HloModule" in mine[1].as_text("hlo")
  for stage in (mine[1], mine[2]):
    assert stage.cost_analysis()["flops"] > 0
  assert mine[2].memory_analysis().output_size_in_bytes == \
      theirs[2].memory_analysis().output_size_in_bytes
  assert repr(mine[2].input_shardings) == repr(theirs[2].input_shardings)
  np.testing.assert_array_equal(mine[2](jnp.ones(2), y=1.0)["s"],
                                theirs[2](jax.numpy.ones(2), y=1.0)["s"])
  with pytest.raises(TypeError, match="Argument types differ"):
    mine[2](jnp.ones(3), y=1.0)


def test_custom_gradient_matches_jax(jax):
  def make(lib):
    @lib.custom_gradient
    def f(x, y):
      z = lib.numpy.sin(x) * y
      return z, lambda g: (g * 2.0 * z, g * lib.numpy.cos(y))
    return f
  f, g = make(jaxlite), make(jax)
  x, y = np.float32(0.7), np.float32(1.3)
  np.testing.assert_allclose(f(x, y), g(x, y), rtol=1e-6)
  for transform in (lambda lib, h: lib.grad(h, argnums=(0, 1)),
                    lambda lib, h: lib.jit(lib.grad(h, argnums=(0, 1)))):
    np.testing.assert_allclose(transform(jaxlite, f)(x, y), transform(jax, g)(x, y), rtol=1e-6)
  xs = np.linspace(0, 1, 3, dtype=np.float32)
  np.testing.assert_allclose(jaxlite.vmap(jaxlite.grad(f))(xs, xs),
                             jax.vmap(jax.grad(g))(xs, xs), rtol=1e-6)


def test_ensure_compile_time_eval(jax):
  def make(lib):
    @lib.jit
    def f(x):
      with lib.ensure_compile_time_eval():
        n = lib.numpy.arange(4).sum()  # concrete while tracing
        y = x * 2                     # still traced
      return y + int(n)
    return f
  assert float(make(jaxlite)(1.0)) == float(make(jax)(1.0)) == 8.0


def test_named_scope(jax):
  from jaxlite.extend import source_info_util
  with jaxlite.named_scope("outer"), jaxlite.named_scope("inner"):
    assert str(source_info_util.current_name_stack()) == "outer/inner"
  assert str(source_info_util.current_name_stack()) == ""
  for lib in (jaxlite, jax):
    with pytest.raises(TypeError, match="named_scope name argument must be a string"):
      with lib.named_scope(3):
        pass

  def scoped(x):
    with jaxlite.named_scope("layer"):
      return x + 1
  assert float(jaxlite.jit(scoped)(1.0)) == 2.0


@pytest.mark.parametrize("axis", [0, 1])
def test_pswapaxes_matches_jax(jax, axis):
  x = np.arange(2 * 2 * 2, dtype=np.float32).reshape(2, 2, 2)
  mine = jaxlite.vmap(lambda r: lax.pswapaxes(r, "i", axis), axis_name="i")(x)
  theirs = jax.vmap(lambda r: jax.lax.pswapaxes(r, "i", axis), axis_name="i")(x)
  np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like"])
def test_like_functions_take_shape_dtype_struct(jax, name):
  mine = getattr(jnp, name)(jaxlite.ShapeDtypeStruct((2, 3), np.int8))
  theirs = getattr(jax.numpy, name)(jax.ShapeDtypeStruct((2, 3), np.int8))
  assert (mine.shape, mine.dtype, mine.weak_type) == (theirs.shape, theirs.dtype, theirs.weak_type)
  if name != "empty_like":
    np.testing.assert_array_equal(mine, theirs)
  full = jnp.full_like(jaxlite.ShapeDtypeStruct((2,), np.float32), 2, dtype=np.int32)
  np.testing.assert_array_equal(full, np.full(2, 2, np.int32))


def test_device_and_typing(jax):
  assert isinstance(jaxlite.devices()[0], jaxlite.Device)
  assert jaxlite.Device is jax.Device  # the same jaxlib class, as JAX's
  from jaxlite import typing
  for name in ("ArrayLike", "DTypeLike", "Shape", "DType", "DimSize", "StaticScalar"):
    assert hasattr(typing, name), name


def test_extend_core_builds_and_runs_a_jaxpr():
  from jaxlite.extend import core
  closed = jaxlite.make_jaxpr(lambda x: jnp.sin(x) * 2.0)(1.0)
  assert isinstance(closed, core.ClosedJaxpr) and closed.literals == closed.consts
  sin_eqn = closed.jaxpr.eqns[0]
  out = core.Var(sin_eqn.outvars[0].aval)
  eqn = core.new_jaxpr_eqn(sin_eqn.invars, [out], sin_eqn.primitive, sin_eqn.params)
  jaxpr = core.Jaxpr([], closed.jaxpr.invars, [out], [eqn])
  (value,) = core.jaxpr_as_fun(core.ClosedJaxpr(jaxpr, []))(np.float32(0.5))
  np.testing.assert_allclose(value, np.sin(0.5), rtol=1e-6)
  assert core.mapped_aval(3, 1, core.ShapedArray((2, 3), np.float32)).shape == (2,)
  assert core.unmapped_aval(3, 0, core.ShapedArray((2,), np.float32)).shape == (3, 2)


def test_linear_util_transformations():
  from jaxlite.extend import linear_util as lu

  @lu.transformation_with_aux2
  def record_shape(inner, store, x):
    out = inner(x)
    store.store(np.shape(out))
    return out
  wrapped, shape = record_shape(lu.wrap_init(lambda x: jnp.stack([x, x])))
  np.testing.assert_array_equal(wrapped.call_wrapped(jnp.ones(2)), np.ones((2, 2)))
  assert shape() == (2, 2)
  with pytest.raises(lu.StoreException):
    wrapped.stores[0].store(1)
  # jaxlite's transformations take a WrappedFun as a plain callable.
  assert float(jaxlite.grad(lu.wrap_init(lambda x: x ** 2))(3.0)) == 6.0
