"""Host callbacks: jaxlite.debug.print/callback and jaxlite.pure_callback, eagerly
and under jit, vmap and grad, against NumPy and (for print order) JAX."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import debug, lax


def _lines(capsys):
  return capsys.readouterr().out.splitlines()


# --- debug.print --------------------------------------------------------------------------


def test_print_eager_and_jit(capsys):
  def f(x):
    debug.print("x={} y={y}", x, y=x + 1)
    return x * 2
  f(jnp.float32(1.5))
  assert _lines(capsys) == ["x=1.5 y=2.5"]
  out = jaxlite.jit(f)(jnp.float32(2.0))
  assert _lines(capsys) == ["x=2.0 y=3.0"]
  assert float(out) == 4.0


def test_print_in_jit_of_vmap_prints_each_value_in_order(capsys):
  def f(x):
    debug.print("value {}", x)
    return x + 1
  xs = jnp.arange(7.0)
  out = jaxlite.jit(jaxlite.vmap(f))(xs)
  assert _lines(capsys) == [f"value {float(i)}" for i in range(7)]
  np.testing.assert_array_equal(out, np.arange(7.0) + 1)
  # vmap of jit, and a batch axis other than 0.
  jaxlite.vmap(jaxlite.jit(f))(xs[:3])
  assert _lines(capsys) == ["value 0.0", "value 1.0", "value 2.0"]
  jaxlite.jit(jaxlite.vmap(f, in_axes=1))(jnp.arange(6.0).reshape(2, 3))
  assert _lines(capsys) == ["value [0. 3.]", "value [1. 4.]", "value [2. 5.]"]


def test_nested_vmap_prints_in_jax_order(capsys):
  jax = pytest.importorskip("jax")
  def make(lib):
    def f(x):
      lib.debug.print("{}", x)
      return x
    return f
  x = np.arange(6).reshape(2, 3)
  jax.vmap(jax.vmap(make(jax)))(x)
  expected = _lines(capsys)
  assert sorted(expected) == [str(i) for i in range(6)]
  jaxlite.vmap(jaxlite.vmap(make(jaxlite)))(x)
  assert _lines(capsys) == expected
  # Under jit the order is the same (JAX's unordered prints may be reordered there).
  jaxlite.jit(jaxlite.vmap(jaxlite.vmap(make(jaxlite))))(x)
  assert _lines(capsys) == expected


def test_print_under_grad_shows_primal_values(capsys):
  def f(x):
    debug.print("primal {}", x)
    y = jnp.sin(x) * x
    debug.print("y {}", y)
    return y
  g = jaxlite.grad(f)(jnp.float32(0.5))
  np.testing.assert_allclose(g, np.cos(0.5) * 0.5 + np.sin(0.5), rtol=1e-6)
  y = np.float32(np.sin(np.float32(0.5)) * np.float32(0.5))
  assert _lines(capsys) == ["primal 0.5", f"y {y}"]
  jaxlite.jit(jaxlite.grad(f))(jnp.float32(0.5))
  assert _lines(capsys) == ["primal 0.5", f"y {y}"]
  jaxlite.grad(jaxlite.jit(f))(jnp.float32(0.5))
  assert _lines(capsys) == ["primal 0.5", f"y {y}"]


def test_prints_keep_program_order_across_jit_scan_and_cond(capsys):
  inner = jaxlite.jit(lambda x: (debug.print("inner {}", x), x + 1)[1])

  def body(c, x):
    debug.print("scan {}", x)
    return c + x, None

  def f(x):
    debug.print("start {}", x)
    x = inner(x)
    x, _ = lax.scan(body, x, jnp.arange(2.0))
    debug.print("after scan {}", x)
    x = lax.cond(x > 0, lambda v: (debug.print("positive {}", v), v)[1], lambda v: v, x)
    debug.print("end {}", x)
    return x

  jaxlite.jit(f)(jnp.float32(1.0))
  assert _lines(capsys) == ["start 1.0", "inner 1.0", "scan 0.0", "scan 1.0",
                            "after scan 3.0", "positive 3.0", "end 3.0"]


def test_print_is_never_dead_code(capsys):
  def f(x):
    debug.print("unused {}", x * 3)
    return jnp.zeros(())
  jaxlite.jit(f)(jnp.float32(2.0))
  assert _lines(capsys) == ["unused 6.0"]
  # Inside a nested jit whose result is unused, and inside grad.
  inner = jaxlite.jit(lambda x: (debug.print("inner {}", x), x)[1])
  jaxlite.jit(lambda x: (inner(x), x + 1)[1])(jnp.float32(4.0))
  assert _lines(capsys) == ["inner 4.0"]
  jaxlite.grad(lambda x: (debug.print("in grad {}", x * 2), x * x)[1])(jnp.float32(1.0))
  assert _lines(capsys) == ["in grad 2.0"]


def test_print_ordered_and_pytrees(capsys):
  jaxlite.jit(lambda x: debug.print("{a} {b[0]}", a=x, b=(x + 1,), ordered=True))(
      jnp.float32(1.0))
  assert _lines(capsys) == ["1.0 2.0"]
  jaxlite.jit(lambda x: debug.print("{} {}", x, "static"))(jnp.int32(3))
  assert _lines(capsys) == ["3 static"]


def test_print_format_errors_at_trace_time():
  # JAX's errors: str.format's own for a missing field, its TypeError for a non-string.
  with pytest.raises(KeyError, match="missing"):
    jaxlite.jit(lambda x: debug.print("{missing}", x))(1.0)
  with pytest.raises(TypeError, match="expected str, got float"):
    debug.print(1.0)


def test_debug_callback_gets_numpy_values_per_batch_element():
  seen = []
  def record(x, pair, scale):
    seen.append((np.asarray(x).copy(), pair["b"].tolist(), scale))
  def f(x):
    debug.callback(record, x, {"b": x * 2}, scale="fixed")
    return x
  jaxlite.jit(jaxlite.vmap(f))(jnp.array([1.0, 2.0]))
  assert [(float(a), b, c) for a, b, c in seen] == [(1.0, 2.0, "fixed"), (2.0, 4.0, "fixed")]
  assert all(isinstance(a, np.ndarray) for a, _, _ in seen)
  with pytest.raises(TypeError, match="callable"):
    debug.callback(3, 1.0)


def test_debug_callback_jaxpr_has_the_effect():
  jaxpr = jaxlite.make_jaxpr(lambda x: debug.print("{}", x))(1.0)
  # debug.print stages JAX 0.10.2's `debug_print`; debug.callback `debug_callback`.
  assert any(e.primitive.name == "debug_print" for e in jaxpr.jaxpr.eqns)
  jaxpr_cb = jaxlite.make_jaxpr(lambda x: debug.callback(print, x))(1.0)
  assert any(e.primitive.name == "debug_callback" for e in jaxpr_cb.jaxpr.eqns)
  assert jaxpr.jaxpr.effects
  ordered = jaxlite.make_jaxpr(lambda x: debug.print("{}", x, ordered=True))(1.0)
  assert {repr(e) for e in ordered.jaxpr.effects} == {"OrderedDebug"}


# --- pure_callback ------------------------------------------------------------------------


def _spec(shape, dtype=np.float32):
  return jaxlite.ShapeDtypeStruct(shape, dtype)


def test_pure_callback_eager_and_jit_match_numpy():
  x = np.linspace(-1, 1, 5).astype(np.float32)
  f = lambda v: jaxlite.pure_callback(np.sinh, _spec((5,)), v)  # noqa: E731
  np.testing.assert_allclose(f(x), np.sinh(x), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jit(f)(x), np.sinh(x), rtol=1e-6)
  # Composed with jaxlite operations on both sides, and a pytree of results.
  def g(v):
    out = jaxlite.pure_callback(lambda a: {"s": np.sort(a), "n": np.float32(a.size)},
                                {"s": _spec((5,)), "n": _spec(())}, v * 2)
    return out["s"] + out["n"]
  np.testing.assert_allclose(jaxlite.jit(g)(x[::-1]), np.sort(x * 2) + 5, rtol=1e-6)
  assert jaxlite.pure_callback is jaxlite.callbacks.pure_callback


@pytest.mark.parametrize("vmap_method,seen_shapes", [
    ("sequential", [((3,), (3,))] * 4),
    ("expand_dims", [((4, 3), (1, 3))]),
    ("broadcast_all", [((4, 3), (4, 3))]),
    ("legacy_vectorized", [((4, 3), (3,))]),
])
def test_pure_callback_vmap_methods(vmap_method, seen_shapes):
  calls = []
  def host(a, b):
    calls.append((a.shape, b.shape))
    return np.arctan2(a, b).astype(np.float32)
  def f(a, b):
    return jaxlite.pure_callback(host, _spec(a.shape), a, b, vmap_method=vmap_method)
  a = np.random.RandomState(0).randn(4, 3).astype(np.float32)
  b = np.random.RandomState(1).randn(3).astype(np.float32)
  out = jaxlite.jit(jaxlite.vmap(f, in_axes=(0, None)))(a, b)
  np.testing.assert_allclose(out, np.arctan2(a, b), rtol=1e-6)
  assert calls == seen_shapes
  # Eager vmap gives the same.
  np.testing.assert_allclose(jaxlite.vmap(f, in_axes=(0, None))(a, b), np.arctan2(a, b),
                             rtol=1e-6)


def test_pure_callback_nested_vmap_and_batch_axis():
  def f(x):
    return jaxlite.pure_callback(lambda a: (a ** 2).astype(a.dtype), _spec(x.shape), x,
                                 vmap_method="sequential")
  x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
  out = jaxlite.jit(jaxlite.vmap(jaxlite.vmap(f), in_axes=2, out_axes=2))(x)
  np.testing.assert_array_equal(out, x ** 2)


def test_pure_callback_vmap_without_method_is_an_error():
  f = lambda v: jaxlite.pure_callback(np.cos, _spec(()), v)  # noqa: E731
  with pytest.raises(NotImplementedError, match="vmap_method"):
    jaxlite.vmap(f)(jnp.ones(2))
  with pytest.raises(ValueError, match="vmap_method must be"):
    jaxlite.pure_callback(np.cos, _spec(()), 1.0, vmap_method="parallel")


def test_pure_callback_wrong_shape_names_both_shapes():
  f = lambda v: jaxlite.pure_callback(lambda a: np.ones(4, np.float32), _spec((3,)), v)  # noqa
  with pytest.raises(RuntimeError, match=r"Expected: \(3,\), Actual: \(4,\)"):
    jaxlite.jit(f)(jnp.ones(3))
  with pytest.raises(RuntimeError, match=r"Expected: \(3,\), Actual: \(4,\)"):
    f(jnp.ones(3))
  g = lambda v: jaxlite.pure_callback(lambda a: a.astype(np.int32), _spec((3,)), v)  # noqa
  with pytest.raises(RuntimeError, match="Expected: float32, Actual: int32"):
    jaxlite.jit(g)(jnp.ones(3))
  # A wrong shape per batch element, under sequential vmap.
  h = lambda v: jaxlite.pure_callback(lambda a: np.ones(2, np.float32), _spec(()), v,  # noqa
                                      vmap_method="sequential")
  with pytest.raises(RuntimeError, match=r"Expected: \(\), Actual: \(2,\)"):
    jaxlite.jit(jaxlite.vmap(h))(jnp.ones(3))


def test_pure_callback_float64_results_are_canonicalized():
  def f(v):
    return jaxlite.pure_callback(lambda a: np.exp(a.astype(np.float64)), _spec((2,)), v)
  out = jaxlite.jit(f)(jnp.zeros(2))
  assert out.dtype == np.float32
  np.testing.assert_array_equal(out, [1.0, 1.0])


def test_pure_callback_under_grad_is_an_error_with_custom_jvp_as_the_way():
  f = lambda v: jaxlite.pure_callback(np.sin, _spec(()), v)  # noqa: E731
  with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
    jaxlite.grad(f)(jnp.float32(1.0))

  @jaxlite.custom_jvp
  def host_sin(v):
    return jaxlite.pure_callback(np.sin, _spec(()), v)

  @host_sin.defjvp
  def _(primals, tangents):
    v, = primals
    t, = tangents
    return host_sin(v), jaxlite.pure_callback(np.cos, _spec(()), v) * t

  np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(host_sin))(jnp.float32(1.0)),
                             np.cos(1.0), rtol=1e-6)


@pytest.mark.parametrize("api", ["pure_callback", "io_callback", "debug.callback"])
def test_a_failing_callback_is_logged_as_jax_logs_it(api, caplog):
  # JAX logs "jax.<api> failed" with the callback's own traceback, then the
  # compiled call raises jaxlib's runtime error.
  from jaxlib import _jax
  from jaxlite.experimental import io_callback

  def boom(x):
    raise ValueError("boom in callback")
  out = jaxlite.ShapeDtypeStruct((2,), jnp.float32)
  calls = {"pure_callback": lambda x: jaxlite.pure_callback(boom, out, x),
           "io_callback": lambda x: io_callback(boom, out, x),
           "debug.callback": lambda x: jaxlite.debug.callback(boom, x)}
  with caplog.at_level("ERROR"):
    with pytest.raises(_jax.JaxRuntimeError, match="boom in callback"):
      jaxlite.jit(calls[api])(jnp.ones(2, jnp.float32))
      jaxlite.effects_barrier()
  records = [r for r in caplog.records if r.getMessage() == f"jax.{api} failed"]
  assert len(records) == 1 and records[0].exc_info[0] is ValueError
