"""The eager fast path of jnp's one-primitive unary ufuncs (numpy/ufuncs_common.py):
the lax functions they call declare the primitive they bind
(lax.accuracy.binds_directly), and a repeated eager call runs the cached
executable with the same result as the general path."""
import numpy as np
import pytest

import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.interpreters import dispatch
from jaxlite.numpy.ufuncs_common import _direct_primitive

# jnp name -> lax name, as ufuncs_math builds them.
_UNARY = {"sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin", "arccos": "acos",
          "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
          "arcsinh": "asinh", "arctanh": "atanh", "exp": "exp", "expm1": "expm1",
          "log": "log", "log1p": "log1p"}


@pytest.mark.parametrize("lax_name", sorted(set(_UNARY.values()) | {"acosh"}))
def test_lax_unary_declares_its_primitive(lax_name):
  primitive = _direct_primitive(getattr(lax, lax_name))
  assert primitive is not None and primitive.name == lax_name


def test_undeclared_function_has_no_direct_primitive():
  assert _direct_primitive(lax.atan2) is None      # two operands
  assert _direct_primitive(lambda x: lax.sin(x)) is None


@pytest.mark.parametrize("name", ["sin", "tanh", "log1p"])
def test_repeated_eager_call_uses_the_cache_and_agrees(name):
  fun = getattr(jnp, name)
  x = jnp.asarray(np.linspace(0.1, 0.9, 8, dtype=np.float32))
  first = fun(x)
  fun(x)   # the first call finds the lax function, the second files the executable
  primitive = _direct_primitive(getattr(lax, _UNARY[name]))
  assert (primitive, x.aval) in dispatch._cache
  second = fun(x)
  assert second.dtype == first.dtype and second.weak_type == first.weak_type
  np.testing.assert_array_equal(np.asarray(second), np.asarray(first))
  np.testing.assert_allclose(np.asarray(second), getattr(np, name)(np.asarray(x)), rtol=1e-6)


def test_repeated_eager_sum_uses_the_cache_and_agrees():
  x = jnp.asarray(np.arange(12, dtype=np.float32).reshape(3, 4))
  results = [jnp.sum(x) for _ in range(3)]
  assert (lax.reduce_sum_p, x.aval) in dispatch._cache
  for r in results:
    assert r.dtype == np.float32 and not r.weak_type and r.shape == ()
    assert float(r) == 66.0


def test_fast_path_stages_under_jit_and_raises_on_deleted():
  import jaxlite
  x = jnp.ones(4, np.float32)
  jnp.sum(x), jnp.sum(x), jnp.sin(x), jnp.sin(x)   # filed in the cache
  assert "reduce_sum" in str(jaxlite.make_jaxpr(lambda y: jnp.sum(x) + jnp.sin(x).sum() + y)(1.0))
  y = jnp.ones(4, np.float32)
  y.delete()
  with pytest.raises(RuntimeError):
    jnp.sum(y)
  with pytest.raises(RuntimeError):
    jnp.sin(y)


@pytest.mark.skipif(__import__("jaxlite").device_count() < 4, reason="needs 4 CPU devices")
def test_pmap_repeated_calls_take_the_fast_path_and_follow_new_signatures():
  import jaxlite
  devs = jaxlite.local_devices()[:4]
  f = jaxlite.pmap(lambda x: x / lax.psum(x, "i"), axis_name="i", devices=devs)
  host = np.arange(1, 13, dtype=np.float32).reshape(4, 3)
  x = jaxlite.pmap(lambda v: v, devices=devs)(host)
  expected = host / host.sum(0)
  first = f(x)
  assert f._fast is not None   # filed by the first eager call
  for out in (f(x), f(x)):
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6)
    assert out.dtype == first.dtype and out.shape == first.shape
  ints = f(jnp.ones((4, 2), jnp.int32))   # a new signature: the general path
  assert ints.dtype == np.float32 and ints.shape == (4, 2)
  np.testing.assert_allclose(np.asarray(f(x)), expected, rtol=1e-6)
  with jaxlite.enable_x64(True):           # another trace context: not the fast path
    assert f(np.ones((4, 2))).dtype == np.float64
  assert f(x).dtype == np.float32
  jaxlite.clear_caches()
  assert f._fast is None                   # clear_caches releases the executable
  np.testing.assert_allclose(np.asarray(f(x)), expected, rtol=1e-6)


def test_fast_path_follows_scoped_options_and_staging_of_any_thread():
  # The fast path reads the process-wide trace-context epoch and staging
  # count instead of this thread's state: a scoped option here still takes
  # effect, and another thread's scope or staging trace does not change
  # this thread's results.
  import threading
  import jaxlite
  from jaxlite.config import debug_nans
  x = jnp.full(4, np.inf, jnp.float32)
  ones = jnp.ones(4, np.float32)
  for _ in range(3):
    jnp.sin(x), jnp.sum(ones), x - x   # filed, then the fast paths
  with debug_nans(True):
    with pytest.raises(FloatingPointError):
      jnp.sin(x)
    with pytest.raises(FloatingPointError):
      x - x   # dispatch.apply_primitive
  entered, release = threading.Event(), threading.Event()

  def other_thread():
    def staged(y):
      with debug_nans(True):   # a scoped option held while this thread stages
        entered.set()
        release.wait(10)
      return y + 1
    jaxlite.make_jaxpr(staged)(1.0)
  t = threading.Thread(target=other_thread)
  t.start()
  try:
    assert entered.wait(10)
    for _ in range(3):
      np.testing.assert_array_equal(np.asarray(jnp.sin(x)), np.full(4, np.nan, np.float32))
      np.testing.assert_array_equal(np.asarray(x - x), np.full(4, np.nan, np.float32))
      assert float(jnp.sum(ones)) == 4.0
  finally:
    release.set()
    t.join()
  assert "sin" in str(jaxlite.make_jaxpr(lambda: jnp.sin(x))())
