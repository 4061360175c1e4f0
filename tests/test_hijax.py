"""jax.experimental.hijax's HiPrimitive (user-defined primitives given by a
typing rule, a lo-JAX meaning and derivative rules), register_hitype and the
aval_method/aval_property protocol, against JAX 0.10.2."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import core
from jaxlite.experimental import hijax

jax = pytest.importorskip("jax")


def _scale_primitive(hijax_module, numpy_module):
  class Scale(hijax_module.HiPrimitive):
    def abstract_eval(self, x_aval, *, k):
      return x_aval, set()

    def to_lojax(self, x, *, k):
      return numpy_module.tanh(x) * 0 + x * k

    def jvp(self, primals, tangents, *, k):
      return scale_p.bind(*primals, k=k), scale_p.bind(*tangents, k=k)

    def transpose(self, ct, x, *, k):
      return [scale_p.bind(ct, k=k)]
  scale_p = Scale("scale")
  return scale_p


def _uses(lib, scale_p):
  f = lambda x: scale_p.bind(x, k=2.5)
  x = np.arange(3.0, dtype=np.float32)
  loss = lambda x: f(x).sum()
  return {"eager": f(x), "jit": lib.jit(f)(x), "jaxpr": str(lib.make_jaxpr(f)(x)),
          "grad": lib.grad(loss)(x), "jit_grad": lib.jit(lib.grad(loss))(x),
          "jvp": lib.jvp(f, (x,), (np.ones(3, np.float32),))[1],
          "linearize": lib.linearize(f, x)[1](np.ones(3, np.float32))}


def test_hi_primitive_eager_jit_and_derivatives_match_jax():
  from jax.experimental import hijax as jax_hijax
  got = _uses(jaxlite, _scale_primitive(hijax, jnp))
  want = _uses(jax, _scale_primitive(jax_hijax, jax.numpy))
  assert got.keys() == want.keys()
  for name in got:
    if name == "jaxpr":
      assert got[name] == want[name]
    else:
      np.testing.assert_array_equal(np.asarray(got[name]), np.asarray(want[name]), err_msg=name)


def test_effects_come_from_the_typing_rule():
  class Note(core_tools_effect()):
    pass

  class Tagged(hijax.HiPrimitive):
    def abstract_eval(self, x_aval):
      return x_aval, {Note()}

    def to_lojax(self, x):
      return x
  tagged_p = Tagged("tagged")
  jaxpr = jaxlite.make_jaxpr(lambda x: tagged_p.bind(x))(1.0)
  assert len(jaxpr.jaxpr.effects) == 1 and isinstance(next(iter(jaxpr.jaxpr.effects)), Note)
  hijax.control_flow_allowed_effects.add_type(Note)
  assert hijax.control_flow_allowed_effects.contains(Note())


def core_tools_effect():
  from jaxlite.core_tools import Effect
  return Effect


def test_register_hitype_makes_typeof_know_the_values():
  class Celsius:
    def __init__(self, value):
      self.value = value

  class CelsiusType(hijax.HiType):
    def __init__(self, shape):
      self.shape = shape

    def __hash__(self):
      return hash(("celsius", self.shape))

    def __eq__(self, other):
      return isinstance(other, CelsiusType) and other.shape == self.shape
  hijax.register_hitype(Celsius, lambda c: CelsiusType(np.shape(c.value)))
  assert jaxlite.typeof(Celsius(np.zeros(2))) == CelsiusType((2,))
  with pytest.raises(TypeError, match="is not a valid JAX type"):
    jaxlite.typeof(object())


def _aval_protocol(lib, shaped_array):
  # An aval_method / aval_property on the tracer's type reads the tracer.
  shaped_array.hijax_test_double = hijax_of(lib).aval_method(lambda self: self * 2)
  shaped_array.hijax_test_plus = hijax_of(lib).aval_property(lambda self: self + 0.5)
  try:
    return lib.jit(lambda x: (x.hijax_test_double(), x.hijax_test_plus))(np.float32(3.0))
  finally:
    del shaped_array.hijax_test_double, shaped_array.hijax_test_plus


def hijax_of(lib):
  if lib is jaxlite:
    return hijax
  from jax.experimental import hijax as jax_hijax
  return jax_hijax


def test_aval_method_and_property_reach_tracers_as_in_jax():
  from jax._src import core as jax_core
  got = _aval_protocol(jaxlite, core.ShapedArray)
  want = _aval_protocol(jax, jax_core.ShapedArray)
  assert [float(v) for v in got] == [float(v) for v in want] == [6.0, 3.5]
  with pytest.raises(AttributeError, match="has no attribute 'missing'"):
    jaxlite.jit(lambda x: x.missing)(1.0)
