"""The tracing core, staging, lowering and jit (issue: Core)."""
import gc
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jaxlite
from jaxlite import core, lax
from jaxlite.interpreters import partial_eval as pe
from jaxlite.runtime import executable


def sin_cos(x):
  return lax.sin(lax.cos(x))


# --- jaxprs --------------------------------------------------------------------------------


def test_make_jaxpr_prints_like_jax():
  text = str(jaxlite.make_jaxpr(sin_cos)(3.0))
  assert text == "{ lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }"


def test_make_jaxpr_constvars_and_literals():
  c = jaxlite.device_put(np.arange(3, dtype=np.float32))
  jaxpr = jaxlite.make_jaxpr(lambda x: lax.mul(lax.add(x, c), 2.0))(np.ones(3, np.float32))
  text = " ".join(str(jaxpr).split())
  assert text.startswith("{ lambda a:f32[3]; b:f32[3]. let")
  assert "mul c 2.0" in text
  assert len(jaxpr.consts) == 1 and np.array_equal(np.asarray(jaxpr.consts[0]), [0, 1, 2])


def test_make_jaxpr_return_shape_and_static_argnums():
  jaxpr, shape = jaxlite.make_jaxpr(lambda x, n: lax.full((n,), x), static_argnums=1,
                                    return_shape=True)(1.0, 4)
  assert shape.shape == (4,) and shape.dtype == np.float32


def test_eval_jaxpr_and_check_jaxpr():
  closed = jaxlite.make_jaxpr(sin_cos)(3.0)
  core.check_jaxpr(closed.jaxpr)
  out, = core.eval_jaxpr(closed.jaxpr, closed.consts, 3.0)
  np.testing.assert_allclose(np.asarray(out), np.sin(np.cos(3.0)), rtol=1e-6)


def test_check_jaxpr_catches_bad_types():
  closed = jaxlite.make_jaxpr(sin_cos)(3.0)
  eqn = closed.jaxpr.eqns[0]
  bad_out = core.Var(core.ShapedArray((2,), np.float32))
  bad = closed.jaxpr.replace(eqns=[eqn._replace(outvars=[bad_out])] + closed.jaxpr.eqns[1:])
  with pytest.raises(core.JaxprTypeError):
    core.check_jaxpr(bad)


def test_eval_shape_duck_typed_no_flops():
  class MyArgArray:
    def __init__(self, shape, dtype):
      self.shape = shape
      self.dtype = np.dtype(dtype)
  before = executable.compile_count
  out = jaxlite.eval_shape(lambda a: lax.reduce_sum(lax.sin(a), (1,)),
                           MyArgArray((2000, 1000), np.float32))
  assert out.shape == (2000,) and out.dtype == np.float32
  assert executable.compile_count == before


# --- jit ---------------------------------------------------------------------------------


def test_jit_matches_eager_and_nests():
  inner = jaxlite.jit(lambda x: lax.mul(x, x))
  outer = jaxlite.jit(lambda x: lax.add(inner(x), lax.sin(x)))
  x = np.linspace(-1, 1, 5).astype(np.float32)
  np.testing.assert_allclose(np.asarray(outer(x)), x * x + np.sin(x), rtol=1e-6)
  text = jaxlite.jit(outer).lower(x).as_text()
  assert "call @" in text and "func.func private" in text
  jaxpr = str(jaxlite.make_jaxpr(outer)(x))
  assert "jit" in jaxpr


def test_jit_closure_over_arrays_becomes_constant():
  c = jaxlite.device_put(np.float32(3.0))
  f = jaxlite.jit(lambda x: lax.mul(x, c))
  assert float(f(np.float32(2.0))) == 6.0


def test_recompiles_on_new_shape_not_on_repeat():
  f = jaxlite.jit(lambda x: lax.add(lax.mul(x, 3.0), 1.0))
  a4 = np.ones(4, np.float32)
  before = executable.compile_count
  f(a4); f(a4); f(np.zeros(4, np.float32))
  assert executable.compile_count - before == 1
  f(np.ones(5, np.float32))
  assert executable.compile_count - before == 2
  assert f._cache_size() == 2


def test_static_argnums_non_array_argument():
  def f(x, mode):
    return lax.sin(x) if mode == "sin" else lax.cos(x)
  g = jaxlite.jit(f, static_argnums=1)
  np.testing.assert_allclose(float(g(1.0, "sin")), np.sin(1.0), rtol=1e-6)
  np.testing.assert_allclose(float(g(1.0, "cos")), np.cos(1.0), rtol=1e-6)
  h = jaxlite.jit(f, static_argnames="mode")
  np.testing.assert_allclose(float(h(1.0, mode="cos")), np.cos(1.0), rtol=1e-6)


def test_non_hashable_static_argument_raises_value_error():
  g = jaxlite.jit(lambda x, s: x, static_argnums=1)
  with pytest.raises(ValueError, match="Non-hashable static arguments"):
    g(1.0, np.arange(3))


def test_non_array_argument_not_static_raises_type_error():
  g = jaxlite.jit(lambda x, s: x)
  with pytest.raises(TypeError, match="not a valid JAX type"):
    g(1.0, "hello")


def test_python_control_flow_on_tracer_names_argument():
  def f(x, y):
    if lax.reduce_sum(y, (0,)):
      return x
    return y
  with pytest.raises(core.ConcretizationTypeError) as info:
    jaxlite.jit(f)(1.0, np.ones(2, np.float32))
  msg = str(info.value)
  assert "Attempted boolean conversion of traced array with shape float32[]" in msg
  assert "argument y" in msg and "static_argnums" in msg


def test_int_of_tracer_is_concretization_error():
  with pytest.raises(core.ConcretizationTypeError, match="argument n"):
    jaxlite.jit(lambda n: lax.full((int(n),), 1.0))(3)


def test_leaked_tracer_raises_when_used():
  leaked = []

  @jaxlite.jit
  def f(x):
    leaked.append(x)
    return x
  f(1.0)
  with pytest.raises(core.UnexpectedTracerError, match="escape the scope"):
    jaxlite.jit(lambda y: lax.add(y, leaked[0]))(1.0)


def test_donated_argument_is_deleted():
  f = jaxlite.jit(lambda x: lax.add(x, 1.0), donate_argnums=0)
  x = jaxlite.device_put(np.ones(3, np.float32))
  y = f(x)
  np.testing.assert_array_equal(np.asarray(y), [2, 2, 2])
  assert x.is_deleted()
  with pytest.raises(RuntimeError, match="deleted"):
    lax.add(x, 1.0)


def test_lower_and_compile_text_and_cost():
  f = jaxlite.jit(sin_cos)
  lowered = f.lower(np.float32(1.0))
  assert "stablehlo.cosine" in lowered.as_text() and "stablehlo.sine" in lowered.as_text()
  compiled = lowered.compile()
  assert "cosine" in compiled.as_text() and "HloModule" in compiled.as_text()
  cost = compiled.cost_analysis()
  assert isinstance(cost, dict) and cost
  np.testing.assert_allclose(float(compiled(np.float32(1.0))), np.sin(np.cos(1.0)), rtol=1e-6)


def test_disable_jit_values_are_concrete():
  seen = []

  @jaxlite.jit
  def f(x):
    seen.append(type(x))
    return lax.mul(x, 2.0)
  with jaxlite.disable_jit():
    assert float(f(3.0)) == 6.0
  assert not issubclass(seen[-1], core.Tracer)


def test_named_call_shows_in_lowering_and_hlo():
  g = jaxlite.named_call(lambda x: lax.sin(x), name="my_named_fn")
  f = jaxlite.jit(lambda x: lax.cos(g(x)))
  assert "my_named_fn" in f.lower(1.0).as_text()
  assert "my_named_fn" in jaxlite.xla_computation(f)(1.0).as_hlo_text()
  np.testing.assert_allclose(float(f(1.0)), np.cos(np.sin(1.0)), rtol=1e-6)


# --- xla_computation ---------------------------------------------------------------------


def test_xla_computation_cosine_then_sine():
  text = jaxlite.xla_computation(sin_cos)(3.0).as_hlo_text()
  assert text.index("cosine") < text.index("sine(")


def test_xla_computation_duck_typed_scalar():
  class Scalar:
    shape = ()
    dtype = np.dtype(np.float32)
  c = jaxlite.xla_computation(sin_cos)(Scalar())
  assert "f32[] cosine" in c.as_hlo_text()
  assert c.as_serialized_hlo_module_proto()
  assert "digraph" in c.as_hlo_dot_graph()


# --- persistent cache -----------------------------------------------------------------------


def test_persistent_compilation_cache(tmp_path):
  script = textwrap.dedent(f"""
      import numpy as np, jaxlite
      from jaxlite import lax
      from jaxlite.runtime import executable
      jaxlite.config.update("jax_compilation_cache_dir", {str(tmp_path)!r})
      f = jaxlite.jit(lambda x: lax.sin(lax.mul(x, 7.0)))
      print(float(f(np.float32(1.0))), executable.compile_count)
  """)
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
  assert any(p.suffix == ".xla" for p in tmp_path.iterdir())
  second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, check=True).stdout.split()
  assert first[0] == second[0]
  assert int(second[1]) < int(first[1])   # the jitted program came from disk


def test_to_tangent_aval_is_jaxs():
  # equinox reads it (else it falls back to jax.core.raise_to_shaped, which JAX removed).
  jax = pytest.importorskip("jax")
  import jaxlite.numpy as jnp
  for make in (lambda lib, np_: np_.ones(2), lambda lib, np_: np_.ones(2, np_.int32),
               lambda lib, np_: np_.ones((), np_.bfloat16), lambda lib, np_: 1.0,
               lambda lib, np_: lib.random.key(0)):
    ours, theirs = (lib.typeof(make(lib, np_)) for lib, np_ in ((jaxlite, jnp), (jax, jax.numpy)))
    assert repr(ours.to_tangent_aval()) == repr(theirs.to_tangent_aval())
    assert repr(ours.to_ct_aval()) == repr(theirs.to_ct_aval())
