"""Transformations of the control-flow primitives: jvp, linearize, grad/vjp,
transposition and vmap through cond, switch, while_loop, fori_loop and scan,
checked against Python loops, finite differences and (where installed) JAX."""
import numpy as np
import pytest

import jaxlite as jax
from jaxlite import lax
from jaxlite.test_util import check_grads

W = np.array([[0.5, -0.3], [0.2, 0.8]], np.float32)


def _rnn(h0, xs, w):
  def step(h, x):
    h = lax.tanh(lax.add(lax.dot(w, h), x))
    return h, lax.sin(h)
  h, ys = lax.scan(step, h0, xs)
  return lax.add(lax.reduce_sum(h, (0,)), lax.reduce_sum(ys, (0, 1)))


def _rnn_python(h0, xs, w):
  h, total = h0, 0.
  for t in range(xs.shape[0]):
    h = lax.tanh(lax.add(lax.dot(w, h), xs[t]))
    total = lax.add(total, lax.reduce_sum(lax.sin(h), (0,)))
  return lax.add(lax.reduce_sum(h, (0,)), total)


def _rnn_args():
  h0 = np.array([1., -0.5], np.float32)
  xs = (np.arange(6, dtype=np.float32).reshape(3, 2) - 2.) / 4.
  return h0, xs, W


def _names(jaxpr):
  out = []
  for eqn in jaxpr.eqns:
    out.append(eqn.primitive.name)
    for p in eqn.params.values():
      for sub in (p if isinstance(p, tuple) else (p,)):
        if hasattr(sub, "jaxpr") and hasattr(sub, "consts"):
          out += _names(sub.jaxpr)
  return out


# --- scan ------------------------------------------------------------------------------------


def test_scan_rnn_grad_matches_finite_differences_second_order():
  # jit: every finite-difference evaluation reuses one compiled program.
  check_grads(jax.jit(_rnn), _rnn_args(), order=2, modes=["fwd", "rev"], atol=2e-2,
              rtol=2e-2)


def test_scan_rnn_grad_matches_unrolled_python_and_jax(jax_reference):
  args = _rnn_args()
  want = jax.grad(_rnn_python, argnums=(0, 1, 2))(*args)
  for g in (jax.grad(_rnn, argnums=(0, 1, 2)), jax.jit(jax.grad(_rnn, argnums=(0, 1, 2)))):
    for a, b in zip(g(*args), want):
      np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  jnp_ = jax_reference.numpy

  def rnn_jax(h0, xs, w):
    def step(h, x):
      h = jnp_.tanh(w @ h + x)
      return h, jnp_.sin(h)
    h, ys = jax_reference.lax.scan(step, h0, xs)
    return h.sum() + ys.sum()
  ref = jax_reference.grad(rnn_jax, argnums=(0, 1, 2))(*args)
  for a, b in zip(want, ref):
    np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


def test_scan_jvp_matches_python_loop():
  args = _rnn_args()
  tangents = tuple(np.ones_like(a) for a in args)
  y, t = jax.jvp(_rnn, args, tangents)
  y2, t2 = jax.jvp(_rnn_python, args, tangents)
  np.testing.assert_allclose(y, y2, rtol=1e-6)
  np.testing.assert_allclose(t, t2, rtol=1e-5)


def test_linearize_scan_stacks_residuals_along_scan_axis():
  h0, xs, w = _rnn_args()
  _, f_jvp = jax.linearize(lambda xs: _rnn(h0, xs, w), xs)
  jaxpr = jax.make_jaxpr(f_jvp)(xs)
  scans = [e for e in jaxpr.jaxpr.eqns if e.primitive.name == "scan"]
  if not scans:   # f_jvp may be wrapped in a call: look one level down
    inner = [p for e in jaxpr.jaxpr.eqns for p in e.params.values() if hasattr(p, "consts")]
    scans = [e for j in inner for e in j.jaxpr.eqns if e.primitive.name == "scan"]
  scan_eqn, = scans
  p = scan_eqn.params
  xs_in = scan_eqn.invars[p["num_consts"] + p["num_carry"]:]
  stacked = [v for v in xs_in if v.aval.shape[:1] == (3,) and v.aval.shape[1:] == (2,)]
  # Per-iteration residuals (tanh' and cos of each step) ride along the scan
  # axis; w is loop-invariant, so it is a constant, not stacked.
  assert len(stacked) >= 3   # two residuals and the tangent of xs
  consts = scan_eqn.invars[:p["num_consts"]]
  assert [v.aval.shape for v in consts] == [(2, 2)]
  assert "f32[3,2]" in str(jaxpr)
  names = _names(jaxpr.jaxpr)
  assert "tanh" not in names and "sin" not in names and "cos" not in names
  np.testing.assert_allclose(f_jvp(np.ones_like(xs)),
                             jax.jvp(lambda xs: _rnn(h0, xs, w), (xs,), (np.ones_like(xs),))[1],
                             rtol=1e-5)


@pytest.mark.parametrize("reverse", [False, True])
def test_linear_transpose_of_cumulative_scan(reverse):
  def cumsum(xs):
    return lax.scan(lambda c, x: (lax.add(c, x), lax.add(c, x)), np.float32(0.), xs,
                    reverse=reverse)[1]
  xs = np.arange(1., 5., dtype=np.float32)
  t = jax.linear_transpose(cumsum, xs)
  ct = np.array([1., 10., 100., 1000.], np.float32)
  m = np.tril(np.ones((4, 4), np.float32)) if not reverse else np.triu(np.ones((4, 4), np.float32))
  np.testing.assert_allclose(t(ct)[0], m.T @ ct)


def test_vmap_scan_batched_carry_xs_and_consts():
  h0, xs, w = _rnn_args()
  hs = np.stack([h0, -h0, 2 * h0])
  xss = np.stack([xs, -xs, xs * 0.5])
  ws = np.stack([w, w.T, -w])
  out = jax.vmap(_rnn)(hs, xss, ws)
  want = [float(_rnn_python(hs[i], xss[i], ws[i])) for i in range(3)]
  np.testing.assert_allclose(out, want, rtol=1e-5)
  out = jax.vmap(_rnn, (None, 1, None))(h0, np.moveaxis(xss, 0, 1), w)
  want = [float(_rnn_python(h0, xss[i], w)) for i in range(3)]
  np.testing.assert_allclose(out, want, rtol=1e-5)


def test_vmap_of_grad_of_scan():
  h0, xs, w = _rnn_args()
  xss = np.stack([xs, -xs])
  g = jax.vmap(jax.grad(_rnn, argnums=1), (None, 0, None))(h0, xss, w)
  for i in range(2):
    np.testing.assert_allclose(g[i], jax.grad(_rnn_python, argnums=1)(h0, xss[i], w),
                               rtol=1e-5, atol=1e-6)


def test_checkpoint_inside_scan_body():
  h0, xs, w = _rnn_args()

  def rnn_remat(h0, xs, w):
    @jax.checkpoint
    def step(h, x):
      h = lax.tanh(lax.add(lax.dot(w, h), x))
      return h, lax.sin(h)
    h, ys = lax.scan(step, h0, xs)
    return lax.add(lax.reduce_sum(h, (0,)), lax.reduce_sum(ys, (0, 1)))

  for a, b in zip(jax.grad(rnn_remat, argnums=(0, 1, 2))(h0, xs, w),
                  jax.grad(_rnn, argnums=(0, 1, 2))(h0, xs, w)):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  # The linearized scan recomputes tanh from the (stacked) inputs instead of
  # storing its result.
  _, f_jvp = jax.linearize(lambda xs: rnn_remat(h0, xs, w), xs)
  assert "tanh" in _names(jax.make_jaxpr(f_jvp)(xs).jaxpr)


def test_grad_of_scan_with_xs_none_and_pytree_carry():
  def f(x):
    (a, b), _ = lax.scan(lambda c, _: ((lax.mul(c[0], c[1]), lax.sin(c[0])), None),
                         (x, np.float32(1.)), None, length=3)
    return lax.add(a, b)

  def f_py(x):
    a, b = x, np.float32(1.)
    for _ in range(3):
      a, b = lax.mul(a, b), lax.sin(a)
    return lax.add(a, b)
  np.testing.assert_allclose(jax.grad(f)(0.7), jax.grad(f_py)(0.7), rtol=1e-5)


def test_grad_of_map_and_static_fori_loop():
  xs = np.array([0.1, 0.5, 1.0], np.float32)
  g = jax.grad(lambda xs: lax.reduce_sum(lax.map(lambda x: lax.mul(lax.sin(x), x), xs), (0,)))
  np.testing.assert_allclose(g(xs), np.sin(xs) + xs * np.cos(xs), rtol=1e-5)

  def body(i, x):
    return lax.mul(lax.sin(x), lax.add(x, lax.convert_element_type(i, np.float32)))

  def py(x):
    for i in range(3):
      x = body(i, x)
    return x
  f = lambda x: lax.fori_loop(0, 3, body, x)
  np.testing.assert_allclose(jax.grad(f)(0.5), jax.grad(py)(0.5), rtol=1e-5)
  check_grads(f, (np.float32(0.5),), order=2, modes=["rev"], atol=2e-2, rtol=2e-2)


# --- cond and switch --------------------------------------------------------------------------


def _branchy(p, x, y):
  return lax.cond(p, lambda x, y: lax.mul(lax.sin(x), y),
                  lambda x, y: lax.add(lax.cos(y), x), x, y)


@pytest.mark.parametrize("pred", [True, False])
def test_grad_through_cond(pred):
  x, y = np.float32(0.3), np.float32(1.7)
  gx, gy = jax.grad(_branchy, argnums=(1, 2))(pred, x, y)
  want = (np.cos(x) * y, np.sin(x)) if pred else (1., -np.sin(y))
  np.testing.assert_allclose([gx, gy], want, rtol=1e-5)
  gx2, gy2 = jax.jit(jax.grad(_branchy, argnums=(1, 2)))(pred, x, y)
  np.testing.assert_allclose([gx2, gy2], want, rtol=1e-5)
  if pred:   # finite differences once (each order compiles afresh)
    check_grads(jax.jit(lambda x, y: _branchy(pred, x, y)), (x, y), order=1,
                modes=["fwd", "rev"])


def test_grad_through_cond_on_the_differentiated_value():
  f = lambda x: lax.cond(lax.gt(x, 0.), lambda x: lax.mul(x, x), lambda x: lax.neg(x), x)
  assert float(jax.grad(f)(3.)) == 6. and float(jax.grad(f)(-3.)) == -1.
  assert float(jax.jit(jax.grad(f))(3.)) == 6.


def test_linearize_cond_holds_only_linear_work():
  _, f_jvp = jax.linearize(lambda x: _branchy(True, x, np.float32(2.)), np.float32(0.3))
  names = _names(jax.make_jaxpr(f_jvp)(np.float32(1.)).jaxpr)
  assert "cond" in names and "sin" not in names and "cos" not in names
  np.testing.assert_allclose(f_jvp(np.float32(1.)), np.cos(0.3) * 2., rtol=1e-6)


def test_grad_through_switch_and_jvp_with_integer_operand():
  branches = [lambda x, n: lax.mul(x, lax.convert_element_type(n, np.float32)),
              lambda x, n: lax.sin(x), lambda x, n: lax.mul(x, x)]
  f = lambda i, x: lax.switch(i, branches, x, np.int32(4))
  x = np.float32(0.5)
  assert [float(jax.grad(f, argnums=1)(i, x)) for i in range(3)] == pytest.approx(
      [4., np.cos(0.5), 1.], rel=1e-6)
  _, t = jax.jvp(lambda x: f(2, x), (x,), (np.float32(1.),))
  assert float(t) == pytest.approx(1.)


def test_vmap_cond_batched_predicate_becomes_select():
  preds = np.array([True, False, True, False])
  xs = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
  ys = np.float32(2.)
  out = jax.vmap(_branchy, (0, 0, None))(preds, xs, ys)
  want = np.where(preds, np.sin(xs) * ys, np.cos(ys) + xs)
  np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-7)
  jaxpr = jax.make_jaxpr(jax.vmap(_branchy, (0, 0, None)))(preds, xs, ys)
  names = _names(jaxpr.jaxpr)
  assert "select_n" in names and "cond" not in names


def test_vmap_cond_unbatched_predicate_stays_a_cond():
  xs = np.array([0.1, 0.2], np.float32)
  out = jax.vmap(_branchy, (None, 0, None))(False, xs, np.float32(2.))
  np.testing.assert_allclose(out, np.cos(2.) + xs, rtol=1e-6, atol=1e-7)
  assert "cond" in _names(jax.make_jaxpr(jax.vmap(_branchy, (None, 0, None)))(
      False, xs, np.float32(2.)).jaxpr)


def test_vmap_switch_batched_index_clamps():
  branches = [lambda x: lax.neg(x), lambda x: lax.mul(x, 10.), lambda x: lax.add(x, 100.)]
  idx = np.array([-1, 0, 1, 2, 7], np.int32)
  x = np.arange(5, dtype=np.float32)
  out = jax.vmap(lambda i, x: lax.switch(i, branches, x))(idx, x)
  np.testing.assert_allclose(out, [-0., -1., 20., 103., 104.])


def test_vmap_of_grad_through_cond():
  preds = np.array([True, False])
  xs = np.array([0.3, 0.6], np.float32)
  g = jax.vmap(jax.grad(_branchy, argnums=1), (0, 0, None))(preds, xs, np.float32(2.))
  np.testing.assert_allclose(g, [np.cos(0.3) * 2., 1.], rtol=1e-6)


# --- while_loop ---------------------------------------------------------------------------------


def _while(x):
  return lax.while_loop(lambda c: lax.lt(c[0], 5),
                        lambda c: (lax.add(c[0], 1), lax.mul(lax.sin(c[1]), 1.5)), (0, x))[1]


def _while_python(x):
  for _ in range(5):
    x = lax.mul(lax.sin(x), 1.5)
  return x


def test_jvp_through_while_loop():
  x, t = np.float32(0.3), np.float32(1.)
  y, ty = jax.jvp(_while, (x,), (t,))
  y2, ty2 = jax.jvp(_while_python, (x,), (t,))
  np.testing.assert_allclose([y, ty], [y2, ty2], rtol=1e-6)
  y3, ty3 = jax.jit(lambda x, t: jax.jvp(_while, (x,), (t,)))(x, t)
  np.testing.assert_allclose([y3, ty3], [y2, ty2], rtol=1e-6)
  check_grads(_while, (x,), order=2, modes=["fwd"])


def test_linearize_while_and_reverse_mode_error():
  y, f_jvp = jax.linearize(_while, np.float32(0.3))
  np.testing.assert_allclose(f_jvp(np.float32(1.)),
                             jax.jvp(_while_python, (np.float32(.3),), (np.float32(1.),))[1],
                             rtol=1e-6)
  with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for "
                     "lax.while_loop or lax.fori_loop with dynamic start/stop values"):
    jax.grad(_while)(np.float32(0.3))
  with pytest.raises(ValueError, match="Reverse-mode differentiation"):
    jax.jit(jax.grad(lambda x, n: lax.fori_loop(0, n, lambda i, x: lax.sin(x), x)))(
        np.float32(0.3), np.int32(3))


def test_vmap_while_per_example_trip_count():
  def count(n, x):
    return lax.while_loop(lambda c: lax.lt(c[0], n),
                          lambda c: (lax.add(c[0], 1), lax.mul(c[1], 2.)), (0, x))
  ns = np.array([1, 3, 0, 5], np.int32)
  xs = np.array([1., 2., 3., 4.], np.float32)
  for f in (jax.vmap(count), jax.jit(jax.vmap(count))):
    i, y = f(ns, xs)
    np.testing.assert_array_equal(i, ns)
    np.testing.assert_allclose(y, xs * 2. ** ns)


def test_vmap_while_unbatched_predicate_batched_body():
  out = jax.vmap(_while)(np.array([0.3, 0.6], np.float32))
  np.testing.assert_allclose(out, [_while_python(np.float32(0.3)),
                                   _while_python(np.float32(0.6))], rtol=1e-6)


def test_jvp_of_vmapped_while_with_per_example_trip_count():
  def f(n, x):
    return lax.while_loop(lambda c: lax.lt(c[0], n),
                          lambda c: (lax.add(c[0], 1), lax.sin(c[1])), (0, x))[1]
  ns = np.array([0, 2], np.int32)
  xs = np.array([0.5, 0.5], np.float32)
  _, t = jax.jvp(lambda x: jax.vmap(f)(ns, x), (xs,), (np.ones(2, np.float32),))
  np.testing.assert_allclose(t, [1., np.cos(np.sin(0.5)) * np.cos(0.5)], rtol=1e-6)


def test_associative_scan_grad_and_vmap():
  x = np.array([0.5, 1.5, -1., 2., 0.25], np.float32)
  f = lambda x: lax.reduce_sum(lax.associative_scan(lax.mul, x), (0,))
  check_grads(f, (x,), order=1, modes=["fwd", "rev"])
  xs = np.stack([x, x[::-1]])
  np.testing.assert_allclose(jax.vmap(lambda x: lax.associative_scan(lax.add, x))(xs),
                             np.cumsum(xs, 1), rtol=1e-6)


# --- composition ------------------------------------------------------------------------------


def test_grad_of_jitted_scan_and_cond_uses_jaxpr_level_split():
  args = _rnn_args()
  want = jax.grad(_rnn_python, argnums=(0, 1, 2))(*args)
  for a, b in zip(jax.grad(jax.jit(_rnn), argnums=(0, 1, 2))(*args), want):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(jax.grad(jax.jit(_branchy), argnums=1)(True, 0.3, 2.),
                             np.cos(0.3) * 2., rtol=1e-6)
  from jaxlite import core
  jaxpr = jax.make_jaxpr(jax.grad(jax.jit(_rnn), argnums=(0, 1, 2)))(*args)
  core.check_jaxpr(jaxpr.jaxpr)
  assert _names(jaxpr.jaxpr).count("scan") == 2   # the known scan and its transpose


def test_closures_over_differentiated_values():
  assert float(jax.grad(lambda x: lax.cond(True, lambda: lax.mul(x, 2.), lambda: x))(1.)) == 2.
  f = lambda x: lax.scan(lambda c, _: (lax.mul(c, x), c), 1., None, length=3, reverse=True,
                         unroll=2)
  assert float(jax.grad(lambda x: f(x)[0])(2.)) == 12.
  assert float(jax.grad(lambda x: lax.reduce_sum(f(x)[1], (0,)))(2.)) == 5.


def _nested(x):
  def outer(c, xi):
    inner = lambda c: lax.scan(lambda a, _: (lax.sin(lax.mul(a, xi)), None), c, None,
                               length=2)[0]
    y = lax.cond(lax.gt(xi, 0.), inner, lambda c: lax.mul(c, xi), c)
    return y, y
  return lax.reduce_sum(lax.scan(outer, x, np.array([1., -1., .5], np.float32))[1], (0,))


def _nested_python(x):
  c, total = x, 0.
  for xi in [1., -1., .5]:
    if xi > 0:
      for _ in range(2):
        c = lax.sin(lax.mul(c, xi))
    else:
      c = lax.mul(c, xi)
    total = lax.add(total, c)
  return total


def test_nested_scan_cond_scan_derivatives():
  want = jax.grad(_nested_python)(0.7)
  for g in (jax.grad(_nested), jax.jit(jax.grad(_nested)), jax.grad(jax.jit(_nested))):
    np.testing.assert_allclose(g(0.7), want, rtol=1e-5)
  np.testing.assert_allclose(jax.vmap(jax.grad(_nested))(np.array([.7, .2], np.float32)),
                             [want, jax.grad(_nested_python)(0.2)], rtol=1e-5)
  check_grads(jax.jit(_nested), (np.float32(0.7),), order=1, modes=["fwd", "rev"], atol=2e-2,
              rtol=2e-2)


def _step(h, x):
  h = lax.tanh(lax.add(lax.dot(W, h), x))
  return h, lax.sin(h)


def _true(x, y):
  return lax.mul(lax.sin(x), y)


def _false(x, y):
  return lax.add(lax.cos(y), x)


def _while_cond(c):
  return lax.lt(c[0], 3)


def _while_body(c):
  return lax.add(c[0], 1), lax.sin(c[1])


def test_repeated_eager_transformations_compile_once():
  # Functions defined once (as in real code) are traced once; every rule's
  # derived jaxprs are memoized, so later calls reuse the executables.
  from jaxlite.interpreters import dispatch, pjit
  h0, xs, _ = _rnn_args()
  rnn = lambda h0, xs: lax.reduce_sum(lax.scan(_step, h0, xs)[1], (0, 1))
  branchy = lambda p, x, y: lax.cond(p, _true, _false, x, y)
  loop = lambda x: lax.while_loop(_while_cond, _while_body, (0, x))[1]
  preds = np.array([True, False])

  def run():
    jax.grad(rnn, argnums=(0, 1))(h0, xs)
    jax.jvp(rnn, (h0, xs), (np.ones_like(h0), np.ones_like(xs)))
    jax.grad(branchy, argnums=1)(True, np.float32(.3), np.float32(2.))
    jax.jvp(loop, (np.float32(.3),), (np.float32(1.),))
    jax.linearize(loop, np.float32(.3))[1](np.float32(1.))
    jax.vmap(branchy, (0, 0, None))(preds, np.ones(2, np.float32), np.float32(2.))
    jax.vmap(loop)(np.ones(2, np.float32))

  def count():
    return len(dispatch._cache) + sum(len(v) for v in pjit._jaxpr_executables.values())
  run()
  n = count()
  run()
  run()
  assert count() == n
