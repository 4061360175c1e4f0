"""Tests for custom_jvp, custom_vjp and closure_convert (jaxlite.custom_derivatives)."""
from functools import partial

import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.custom_derivatives import SymbolicZero

f32 = np.float32


def make_f_jvp():
  @jaxlite.custom_jvp
  def f(x, y):
    return lax.mul(lax.sin(x), y)

  @f.defjvp
  def f_jvp(primals, tangents):
    (x, y), (x_dot, y_dot) = primals, tangents
    out = f(x, y)
    # deliberately 10x the true derivative in x, to see that the rule is used
    return out, lax.add(lax.mul(lax.mul(lax.mul(10., lax.cos(x)), x_dot), y),
                        lax.mul(lax.sin(x), y_dot))
  return f


def test_custom_jvp_rule_is_used_in_every_mode():
  f = make_f_jvp()
  x, y = f32(0.3), f32(2.)
  np.testing.assert_allclose(f(x, y), np.sin(0.3) * 2, rtol=1e-6)
  expected = 10 * np.cos(0.3) * 2
  _, t = jaxlite.jvp(f, (x, y), (f32(1.), f32(0.)))
  np.testing.assert_allclose(t, expected, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(f)(x, y), expected, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(f))(x, y), expected, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.jit(f))(x, y), expected, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jit(f)(x, y), np.sin(0.3) * 2, rtol=1e-6)
  # second order: d/dx of 20 cos(x)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.grad(f))(x, y), -20 * np.sin(0.3),
                             rtol=1e-5)


def test_custom_jvp_staged_as_call_primitive():
  f = make_f_jvp()
  jaxpr = jaxlite.make_jaxpr(f)(f32(0.3), f32(2.))
  assert [e.primitive.name for e in jaxpr.eqns] == ["custom_jvp_call"]
  inner = jaxpr.eqns[0].params["call_jaxpr"]
  assert [e.primitive.name for e in inner.eqns] == ["sin", "mul"]


def test_custom_jvp_defjvps_and_kwargs():
  f = jaxlite.custom_jvp(lambda x, y: lax.mul(lax.sin(x), y))
  f.defjvps(lambda x_dot, ans, x, y: lax.mul(lax.mul(lax.cos(x), x_dot), y),
            lambda y_dot, ans, x, y: lax.mul(3., y_dot))
  gx, gy = jaxlite.grad(f, (0, 1))(f32(0.), f32(2.))
  assert (float(gx), float(gy)) == (2.0, 3.0)
  np.testing.assert_allclose(jaxlite.grad(lambda x: f(x, y=f32(2.)))(f32(0.)), 2.0)


def test_custom_jvp_nondiff_argnums():
  @partial(jaxlite.custom_jvp, nondiff_argnums=(0,))
  def app(fn, x):
    return fn(x)

  @app.defjvp
  def app_jvp(fn, primals, tangents):
    (x,), (t,) = primals, tangents
    return app(fn, x), lax.mul(7., t)
  assert float(jaxlite.grad(lambda x: app(lax.sin, x))(f32(1.))) == 7.0
  assert float(jaxlite.jit(lambda x: app(lax.sin, x))(f32(0.))) == 0.0


def test_custom_jvp_symbolic_zeros():
  seen = []
  f = jaxlite.custom_jvp(lambda x, y: lax.mul(x, y))

  def rule(primals, tangents):
    seen.append(tuple(type(t).__name__ for t in tangents))
    x, y = primals
    tx, ty = tangents
    out = lax.mul(x, y)
    parts = [lax.mul(tx, y)] if not isinstance(tx, SymbolicZero) else []
    parts += [lax.mul(x, ty)] if not isinstance(ty, SymbolicZero) else []
    return out, parts[0] if len(parts) == 1 else lax.add(*parts)
  f.defjvp(rule, symbolic_zeros=True)
  assert float(jaxlite.grad(f)(f32(2.), f32(5.))) == 5.0
  assert seen[-1][1] == "SymbolicZero" and seen[-1][0] != "SymbolicZero"


def test_custom_jvp_rule_errors():
  f = jaxlite.custom_jvp(lax.sin)
  with pytest.raises(AttributeError, match="No JVP defined for custom_jvp function"):
    f(f32(1.))
  f.defjvp(lambda p, t: (lax.sin(p[0]), (t[0], t[0])))
  with pytest.raises(TypeError, match="equal container \\(pytree\\) structures"):
    jaxlite.jvp(f, (f32(1.),), (f32(1.),))
  g = jaxlite.custom_jvp(lax.sin)
  g.defjvp(lambda p, t: lax.sin(p[0]))
  with pytest.raises(TypeError, match="must produce a pair"):
    jaxlite.grad(g)(f32(1.))


def test_custom_jvp_closed_over_value_is_differentiated():
  def outer(w):
    f = jaxlite.custom_jvp(lambda x: lax.mul(x, w))
    f.defjvp(lambda p, t: (f(p[0]), lax.mul(t[0], w)))
    return f(f32(3.))
  # d/dw (3 w) = 3, through the body since w is closed over
  np.testing.assert_allclose(jaxlite.grad(outer)(f32(2.)), 3.0)


def make_g_vjp():
  @jaxlite.custom_vjp
  def g(x, y):
    return lax.mul(lax.sin(x), y)

  def g_fwd(x, y):
    return g(x, y), (lax.cos(x), lax.sin(x), y)

  def g_bwd(res, ct):
    cos_x, sin_x, y = res
    # 10x in x again, to see that bwd is used
    return (lax.mul(lax.mul(lax.mul(10., cos_x), ct), y), lax.mul(sin_x, ct))
  g.defvjp(g_fwd, g_bwd)
  return g


def test_custom_vjp_rule_is_used_in_reverse_mode():
  g = make_g_vjp()
  x, y = f32(0.3), f32(2.)
  gx, gy = jaxlite.grad(g, (0, 1))(x, y)
  np.testing.assert_allclose([gx, gy], [10 * np.cos(0.3) * 2, np.sin(0.3)], rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(g))(x, y), gx, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.jit(g))(x, y), gx, rtol=1e-6)
  # forward-over-reverse differentiates bwd: d/dx 20 cos(x)
  np.testing.assert_allclose(jaxlite.jacfwd(jaxlite.grad(g))(x, y), -20 * np.sin(0.3),
                             rtol=1e-5)
  _, f_vjp = jaxlite.vjp(g, x, y)
  np.testing.assert_allclose(f_vjp(f32(1.))[1], np.sin(0.3), rtol=1e-6)


def test_custom_vjp_forward_mode_raises():
  g = make_g_vjp()
  with pytest.raises(TypeError, match="can't apply forward-mode autodiff \\(jvp\\) to a "
                                      "custom_vjp function."):
    jaxlite.jvp(g, (f32(0.3), f32(2.)), (f32(1.), f32(0.)))


def test_custom_vjp_nondiff_argnums_and_none_cotangent():
  @partial(jaxlite.custom_vjp, nondiff_argnums=(0,))
  def scale(k, x, y):
    return lax.add(lax.mul(x, k), y)

  def fwd(k, x, y):
    return scale(k, x, y), None

  def bwd(k, res, ct):
    return (lax.mul(ct, k), None)
  scale.defvjp(fwd, bwd)
  gx, gy = jaxlite.grad(lambda x, y: scale(4., x, y), (0, 1))(f32(1.), f32(1.))
  assert (float(gx), float(gy)) == (4.0, 0.0)


def test_custom_vjp_bwd_errors():
  g = jaxlite.custom_vjp(lax.sin)
  with pytest.raises(AttributeError, match="No VJP defined for custom_vjp function"):
    g(f32(1.))
  g.defvjp(lambda x: (lax.sin(x), None), lambda res, ct: ct)
  with pytest.raises(TypeError, match="Custom VJP bwd rule must produce an output with the "
                                      "same container"):
    jaxlite.grad(g)(f32(1.))
  h = jaxlite.custom_vjp(lax.sin)
  h.defvjp(lambda x: lax.sin(x), lambda res, ct: (ct,))
  with pytest.raises(TypeError, match="Custom VJP fwd rule .* must produce a pair"):
    jaxlite.grad(h)(f32(1.))


def test_closure_convert():
  w = np.array([1., 2.], f32)
  fn = lambda x: lax.reduce_sum(lax.mul(x, w), (0,))
  converted, consts = jaxlite.closure_convert(fn, np.zeros(2, f32))
  assert len(consts) == 0   # a concrete constant cannot carry a tangent: not hoisted (as JAX)
  x = np.array([3., 4.], f32)
  assert float(converted(x, *consts)) == 11.0
  # a traced one is hoisted and replaceable
  traced = jaxlite.jvp(lambda v: jaxlite.closure_convert(
      lambda x: lax.reduce_sum(lax.mul(x, v), (0,)), np.zeros(2, f32))[1][0], (w,), (w,))
  np.testing.assert_allclose(traced[0], w)

  # used through a custom_vjp whose rule needs the hoisted values' cotangents
  @partial(jaxlite.custom_vjp, nondiff_argnums=(0,))
  def apply(f, x, *args):
    return f(x, *args)

  def fwd(f, x, *args):
    return f(x, *args), (x, args)

  def bwd(f, res, ct):
    x, args = res
    _, pullback = jaxlite.vjp(f, x, *args)
    return pullback(ct)
  apply.defvjp(fwd, bwd)

  def loss(x):
    c_fn, hoisted = jaxlite.closure_convert(fn, x)
    return apply(c_fn, x, *hoisted)
  np.testing.assert_allclose(jaxlite.grad(loss)(x), w)


def test_vmap_of_custom_rules():
  f = make_f_jvp()
  g = make_g_vjp()
  xs = np.array([0.1, 0.2, 0.3], f32)
  y = f32(2.)
  np.testing.assert_allclose(jaxlite.vmap(f, (0, None))(xs, y), np.sin(xs) * 2, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.vmap(g, (0, None))(xs, y), np.sin(xs) * 2, rtol=1e-6)
  # the rules run batched: 10x derivatives show they were used
  np.testing.assert_allclose(jaxlite.vmap(jaxlite.grad(f), (0, None))(xs, y),
                             20 * np.cos(xs), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.vmap(jaxlite.grad(g), (0, None))(xs, y),
                             20 * np.cos(xs), rtol=1e-6)
  # an unbatched input's cotangent sums over the batch
  gy = jaxlite.vmap(jaxlite.grad(g, 1), (0, None))(xs, y)
  np.testing.assert_allclose(gy, np.sin(xs), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(lambda y: lax.reduce_sum(
      jaxlite.vmap(g, (0, None))(xs, y), (0,)))(y), np.sin(xs).sum(), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jacrev(g)(f32(0.3), y), 20 * np.cos(0.3), rtol=1e-6)


def _closure_convert_uses(lib):
  """closure_convert in the situations libraries use it; what each gives."""
  numpy_mod = lib.numpy
  seen = []

  def fn(x):
    return x * np.arange(3.0, dtype=np.float32)
  converted, hoisted = lib.closure_convert(fn, np.ones(3, np.float32))
  seen.append((len(hoisted), converted.__name__,
               str(lib.make_jaxpr(converted)(np.ones(3, np.float32), *hoisted))))

  def outer(w):
    c, h = lib.closure_convert(lambda x: x * w + numpy_mod.sin(w), 1.0)
    seen.append(len(h))
    return c(2.0, *h)
  seen.append(float(lib.grad(outer)(0.5)))
  seen.append(float(lib.jit(outer)(0.5)))
  seen.append(lib.vmap(outer)(np.ones(2, np.float32)).tolist())

  def outer_int(n):
    c, h = lib.closure_convert(lambda x: x * n, 1.0)
    seen.append(len(h))
    return c(2.0, *h)
  seen.append(float(lib.jit(outer_int)(3)))
  with pytest.raises(TypeError) as e:
    converted(1.0, 2.0)
  seen.append(str(e.value))
  return seen


def test_closure_convert_hoists_what_jax_hoists(jax_reference):
  # JAX hoists only values that may carry a tangent (tracers of an enclosing
  # jvp/grad, staged floats); concrete constants stay in the jaxpr.
  import jaxlite.numpy  # noqa: F401
  assert _closure_convert_uses(jaxlite) == _closure_convert_uses(jax_reference)
