"""Tests for checkpoint/remat, its policies and checkpoint_name (jaxlite.checkpoint)."""
from functools import partial

import numpy as np
import pytest

import jaxlite
from jaxlite import core, lax
from jaxlite.checkpoint import checkpoint_name, remat_p

f32 = np.float32
policies = jaxlite.checkpoint_policies


def g(x):
  return lax.sin(lax.sin(x))


def remat_eqns(jaxpr):
  return [e for e in jaxpr.eqns if e.primitive is remat_p]


def test_grad_of_checkpoint_seed_recomputes_sine():
  gc = jaxlite.checkpoint(g)
  np.testing.assert_allclose(jaxlite.grad(gc)(2.0), -0.25563914, rtol=1e-6)
  jaxpr = jaxlite.make_jaxpr(jaxlite.grad(gc))(2.0)
  (bwd,) = remat_eqns(jaxpr.jaxpr)
  assert bwd.params["differentiated"] and bwd.params["prevent_cse"]
  inner = [e.primitive.name for e in bwd.params["jaxpr"].eqns]
  # the backward pass recomputes sin(x) (and the cosines) from x alone
  assert inner.count("sin") == 1 and "cos" in inner
  assert len(bwd.invars) == 2   # x and the output cotangent: nothing else saved
  # without checkpoint, nothing is recomputed
  plain = jaxlite.make_jaxpr(jaxlite.grad(g))(2.0)
  assert not remat_eqns(plain.jaxpr)


def test_checkpoint_is_identity_without_differentiation():
  gc = jaxlite.remat(g)
  np.testing.assert_allclose(gc(2.0), np.sin(np.sin(2.0)), rtol=1e-6)
  jaxpr = jaxlite.make_jaxpr(gc)(2.0)
  (eqn,) = jaxpr.eqns
  assert eqn.primitive is remat_p and not eqn.params["differentiated"]
  np.testing.assert_allclose(jaxlite.jit(gc)(2.0), np.sin(np.sin(2.0)), rtol=1e-6)


def test_checkpoint_under_jit_linearize_and_higher_order():
  gc = jaxlite.checkpoint(g)
  np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(gc))(2.0), -0.25563914, rtol=1e-6)
  _, f_jvp = jaxlite.linearize(gc, 2.0)
  np.testing.assert_allclose(f_jvp(1.0), -0.25563914, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.grad(gc))(2.0),
                             jaxlite.grad(jaxlite.grad(g))(2.0), rtol=1e-5)


def test_recomputation_happens_in_the_backward_pass(monkeypatch):
  gc = jaxlite.checkpoint(g)
  _, f_vjp = jaxlite.vjp(gc, f32(2.))
  counts = {}
  original = core.eval_hook   # what eager primitive application calls

  def counting(primitive, args, params):
    counts[primitive.name] = counts.get(primitive.name, 0) + 1
    return original(primitive, args, params)
  monkeypatch.setattr(core, "eval_hook", counting)
  f_vjp(f32(1.))
  assert counts.get("sin", 0) == 1   # sin(x) recomputed; no residual stored for it
  _, f_vjp_plain = jaxlite.vjp(g, f32(2.))
  counts.clear()
  f_vjp_plain(f32(1.))
  assert counts.get("sin", 0) == 0


def h(x, w):
  y = checkpoint_name(lax.sin(x), "y")
  z = lax.dot_general(w, y, (((1,), (0,)), ((), ())))
  return lax.reduce_sum(lax.tanh(z), (0,))


@pytest.mark.parametrize("policy,recomputed", [
    (None, {"sin", "dot_general", "tanh"}),
    (policies.everything_saveable, set()),
    (policies.nothing_saveable, {"sin", "dot_general", "tanh"}),
    # the saved dot output is all tanh needs: sin(x) is not needed again
    (policies.dots_saveable, {"tanh"}),
    (policies.dots_with_no_batch_dims_saveable, {"tanh"}),
    (policies.save_only_these_names("y"), {"dot_general", "tanh"}),
    (policies.save_any_names_but_these("y"), {"sin", "dot_general", "tanh"}),
])
def test_policies_decide_what_is_recomputed(policy, recomputed):
  x = np.array([0.5, 1.0], f32)
  w = np.array([[1., 2.], [3., 4.]], f32)
  hc = jaxlite.checkpoint(h, policy=policy)
  np.testing.assert_allclose(jaxlite.grad(hc)(x, w), jaxlite.grad(h)(x, w), rtol=1e-6)
  jaxpr = jaxlite.make_jaxpr(jaxlite.grad(hc))(x, w)
  (bwd,) = remat_eqns(jaxpr.jaxpr)
  names = {e.primitive.name for e in bwd.params["jaxpr"].eqns}
  # a primal op is recomputed iff it appears in the backward pass
  assert names & {"sin", "tanh"} == recomputed - {"dot_general"}
  n_dots = sum(e.primitive.name == "dot_general" for e in bwd.params["jaxpr"].eqns)
  # transposing the dot costs one dot_general (for x); recomputing it one more
  assert n_dots == (2 if "dot_general" in recomputed else 1)


def test_checkpoint_static_argnums_and_prevent_cse():
  @partial(jaxlite.checkpoint, static_argnums=(1,))
  def power(x, n):
    out = x
    for _ in range(n - 1):   # n is a Python int: usable in control flow
      out = lax.mul(out, x)
    return out
  np.testing.assert_allclose(jaxlite.grad(power)(f32(2.), 3), 12.0)
  gc = jaxlite.checkpoint(g, prevent_cse=False)
  (bwd,) = remat_eqns(jaxlite.make_jaxpr(jaxlite.grad(gc))(2.0).jaxpr)
  assert bwd.params["prevent_cse"] is False
  np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(gc))(2.0), -0.25563914, rtol=1e-6)


def test_nested_checkpoint():
  inner = jaxlite.checkpoint(lambda x: lax.sin(x))
  outer = jaxlite.checkpoint(lambda x: lax.sin(inner(x)))
  np.testing.assert_allclose(jaxlite.grad(outer)(2.0), -0.25563914, rtol=1e-6)


def test_checkpoint_name_is_identity():
  assert float(checkpoint_name(f32(3.), "a")) == 3.0
  assert float(jaxlite.grad(lambda x: checkpoint_name(lax.mul(x, x), "a"))(f32(3.))) == 6.0
  assert "name[name=a]" in str(jaxlite.make_jaxpr(lambda x: checkpoint_name(x, "a"))(1.0))


def test_checkpoint_under_vmap():
  gc = jaxlite.checkpoint(g)
  xs = np.array([0.5, 1.0, 2.0], f32)
  np.testing.assert_allclose(jaxlite.vmap(gc)(xs), np.sin(np.sin(xs)), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.vmap(jaxlite.grad(gc))(xs),
                             np.cos(np.sin(xs)) * np.cos(xs), rtol=1e-6)
