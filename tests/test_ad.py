"""Tests for forward mode, linearize, transposition and the reverse-mode API
(jaxlite.interpreters.ad, partial_eval's known/unknown split, jaxlite.differentiation)."""
import types

import numpy as np
import pytest

import jaxlite
from jaxlite import core, dtypes, lax
from jaxlite.interpreters import ad, dispatch
from jaxlite.interpreters import partial_eval as pe

f32 = np.float32

# Primitives a linear map may contain; nothing transcendental.
LINEAR = {"mul", "neg", "add", "sub", "div", "convert_element_type", "broadcast_in_dim",
          "reshape", "transpose", "reduce_sum", "dot_general", "add_any", "jit",
          "select_n", "concatenate", "pad", "slice", "copy"}


def f_seed(x):
  # 3*sin(x) + cos(x/2), the linearize docstring's function
  return lax.add(lax.mul(3., lax.sin(x)), lax.cos(lax.div(x, 2.)))


def all_primitives(jaxpr):
  names = set()
  for eqn in jaxpr.eqns:
    names.add(eqn.primitive.name)
    for sub in core.subjaxprs(jaxpr):
      names |= all_primitives(sub)
  return names


# --- jvp -----------------------------------------------------------------------------------


def test_jvp_seed_numbers():
  y, t = jaxlite.jvp(f_seed, (2.,), (3.,))
  np.testing.assert_allclose(y, 3.2681944, rtol=1e-6)
  np.testing.assert_allclose(t, -5.007528, rtol=1e-6)
  assert y.dtype == np.float32 and t.dtype == np.float32


def test_jvp_pytrees_and_symbolic_zero_for_unused_input():
  def f(d):
    return {"out": lax.mul(d["a"], d["a"]), "const": lax.mul(2., d["b"])}
  primals = ({"a": f32(3.), "b": f32(1.)},)
  tangents = ({"a": f32(1.), "b": f32(0.)},)
  y, t = jaxlite.jvp(f, primals, tangents)
  assert set(y) == {"out", "const"}
  assert float(t["out"]) == 6.0 and float(t["const"]) == 0.0

  # an output that does not depend on the input has an instantiated zero tangent
  y, t = jaxlite.jvp(lambda x: f32(5.), (f32(1.),), (f32(1.),))
  assert float(t) == 0.0


def test_jvp_integer_primal_takes_float0_tangent():
  x = np.int32(3)
  y, t = jaxlite.jvp(lambda x, y: lax.mul(lax.convert_element_type(x, np.float32), y),
                     (x, f32(2.)), (np.zeros((), dtypes.float0), f32(1.)))
  assert float(y) == 6.0 and float(t) == 3.0


def test_jvp_checks_tangents():
  with pytest.raises(TypeError, match="must be tuples or lists"):
    jaxlite.jvp(lax.sin, 1.0, 1.0)
  with pytest.raises(TypeError, match="must have the same tree structure"):
    jaxlite.jvp(lambda x, y: x, (1., 2.), (1.,))
  with pytest.raises(TypeError, match="Got primal dtype float32 and so expected tangent "
                                      "dtype float32, but got tangent dtype int32"):
    jaxlite.jvp(lax.sin, (f32(1.),), (np.int32(1),))
  with pytest.raises(ValueError, match=r"Got primal shape \(2,\) and tangent shape as \(3,\)"):
    jaxlite.jvp(lax.sin, (np.zeros(2, f32),), (np.zeros(3, f32),))


def test_jvp_nested_no_perturbation_confusion():
  # d/dx [x * d/dy (x + y)] = 1: the inner derivative must not see the outer x.
  def f(x):
    _, inner = jaxlite.jvp(lambda y: lax.add(x, y), (f32(1.),), (f32(1.),))
    return lax.mul(x, inner)
  _, t = jaxlite.jvp(f, (f32(2.),), (f32(1.),))
  assert float(t) == 1.0


def test_jvp_python_control_flow_on_concrete_primal():
  def f(x):
    return lax.sin(x) if x > 0 else lax.cos(x)
  assert float(jaxlite.grad(f)(f32(1.))) == pytest.approx(np.cos(1.), rel=1e-6)
  assert float(jaxlite.grad(f)(f32(-1.))) == pytest.approx(-np.sin(-1.), rel=1e-6)


def test_missing_jvp_rule_names_primitive():
  p = core.Primitive("no_jvp_here")
  p.def_abstract_eval(lambda a: a)
  with pytest.raises(NotImplementedError, match="no_jvp_here"):
    jaxlite.jvp(lambda x: p.bind(x), (f32(1.),), (f32(1.),))


# --- linearize -------------------------------------------------------------------------------


def test_linearize_seed_numbers():
  y, f_jvp = jaxlite.linearize(f_seed, 2.)
  np.testing.assert_allclose(y, 3.2681944, rtol=1e-6)
  np.testing.assert_allclose(f_jvp(3.), -5.007528, rtol=1e-6)
  np.testing.assert_allclose(f_jvp(4.), -6.676704, rtol=1e-6)


def test_linearize_jaxpr_holds_only_linear_primitives():
  _, f_jvp = jaxlite.linearize(f_seed, 2.)
  names = all_primitives(jaxlite.make_jaxpr(f_jvp)(3.).jaxpr)
  assert "sin" not in names and "cos" not in names
  assert names <= LINEAR, names
  # the residuals are the linearization points cos(2) and sin(1)
  consts = sorted(float(c) for c in f_jvp.consts)
  np.testing.assert_allclose(consts, sorted([np.cos(2.), np.sin(1.)]), rtol=1e-6)


def test_linearized_function_does_no_primal_work(monkeypatch):
  _, f_jvp = jaxlite.linearize(f_seed, 2.)
  counts = {}
  original = core.eval_hook   # what eager primitive application calls

  def counting(primitive, args, params):
    counts[primitive.name] = counts.get(primitive.name, 0) + 1
    return original(primitive, args, params)
  monkeypatch.setattr(core, "eval_hook", counting)
  k = 3
  for i in range(k):
    f_jvp(f32(i))
  assert "sin" not in counts and "cos" not in counts
  n_eqns = len(f_jvp.jaxpr.eqns)
  assert sum(counts.values()) == k * n_eqns
  # whereas jvp redoes the primal work every time
  counts.clear()
  jaxlite.jvp(f_seed, (2.,), (1.,))
  assert counts.get("sin", 0) >= 1 and counts.get("cos", 0) >= 1


def test_linearized_function_checks_tangents():
  _, f_jvp = jaxlite.linearize(lambda x, y: lax.mul(x, y), f32(1.), f32(2.))
  with pytest.raises(TypeError, match="expected PyTreeDef"):
    f_jvp(f32(1.))
  with pytest.raises(ValueError, match="linearized function called on tangent values "
                                       "inconsistent with the original primal values"):
    f_jvp(np.zeros(3, f32), f32(1.))
  assert float(f_jvp(f32(1.), f32(0.))) == 2.0


def test_linearized_function_jit_and_transpose():
  _, f_jvp = jaxlite.linearize(f_seed, 2.)
  np.testing.assert_allclose(jaxlite.jit(f_jvp)(f32(3.)), -5.007528, rtol=1e-6)
  f_vjp = jaxlite.linear_transpose(f_jvp, f32(2.))
  (ct,) = f_vjp(f32(1.))
  np.testing.assert_allclose(ct, -5.007528 / 3, rtol=1e-6)


def test_linearized_function_vmapped():
  _, f_jvp = jaxlite.linearize(f_seed, 2.)
  ts = np.array([3., 4.], f32)
  np.testing.assert_allclose(jaxlite.vmap(f_jvp)(ts), [-5.007528, -6.676704], rtol=1e-6)


def test_linearize_has_aux():
  y, f_jvp, aux = jaxlite.linearize(lambda x: (lax.sin(x), lax.cos(x)), f32(0.), has_aux=True)
  assert float(aux) == 1.0 and float(f_jvp(f32(2.))) == 2.0


# --- vjp, grad ----------------------------------------------------------------------------------


def test_vjp_seed_numbers():
  primals, f_vjp = jaxlite.vjp(lambda x, y: (lax.sin(x), lax.cos(y)), 0.5, 1.0)
  xbar, ybar = f_vjp((-0.7, 0.3))
  np.testing.assert_allclose(xbar, -0.61430776, rtol=1e-6)
  np.testing.assert_allclose(ybar, -0.2524413, rtol=1e-6)


def test_vjp_has_aux_and_cotangent_checks():
  out, f_vjp, aux = jaxlite.vjp(lambda x: (lax.mul(x, x), {"aux": x}), f32(3.), has_aux=True)
  assert float(aux["aux"]) == 3.0
  assert float(f_vjp(f32(1.))[0]) == 6.0
  with pytest.raises(ValueError, match="unexpected tree structure"):
    f_vjp((f32(1.), f32(1.)))
  with pytest.raises(ValueError, match="got float32\\[2\\], but expected float32\\[\\]"):
    f_vjp(np.zeros(2, f32))


def test_grad_seed_tanh():
  np.testing.assert_allclose(jaxlite.grad(lax.tanh)(0.2), 0.961043, rtol=1e-6)
  # weak types are kept, as in JAX
  assert jaxlite.grad(lax.sin)(0.0).weak_type
  assert not jaxlite.grad(lax.sin)(f32(0.0)).weak_type


def test_grad_argnums_has_aux_value_and_grad():
  f = lambda x, y: lax.mul(lax.mul(x, x), y)
  gx, gy = jaxlite.grad(f, argnums=(0, 1))(f32(2.), f32(3.))
  assert (float(gx), float(gy)) == (12.0, 4.0)
  assert float(jaxlite.grad(f, argnums=1)(f32(2.), f32(3.))) == 4.0
  assert float(jaxlite.grad(f, argnums=-1)(f32(2.), f32(3.))) == 4.0
  g, aux = jaxlite.grad(lambda x: (lax.mul(x, x), "note"), has_aux=True)(f32(2.))
  assert float(g) == 4.0 and aux == "note"
  v, g = jaxlite.value_and_grad(f)(f32(2.), f32(3.))
  assert (float(v), float(g)) == (12.0, 12.0)
  (v, aux), g = jaxlite.value_and_grad(lambda x: (lax.sin(x), 1), has_aux=True)(f32(0.))
  assert (float(v), aux, float(g)) == (0.0, 1, 1.0)


def test_grad_errors():
  with pytest.raises(TypeError, match=r"Gradient only defined for scalar-output functions. "
                                      r"Output had shape: \(3,\)."):
    jaxlite.grad(lax.sin)(np.zeros(3, f32))
  with pytest.raises(TypeError, match="grad requires real- or complex-valued inputs .* "
                                      "but got int32"):
    jaxlite.grad(lambda x: lax.convert_element_type(x, np.float32))(np.int32(1))
  with pytest.raises(TypeError, match="grad requires real-valued outputs .* but got int32"):
    jaxlite.grad(lambda x: lax.convert_element_type(x, np.int32))(f32(1.))
  with pytest.raises(TypeError, match="grad with holomorphic=True requires inputs with "
                                      "complex dtype, but got float32"):
    jaxlite.grad(lax.sin, holomorphic=True)(f32(1.))
  with pytest.raises(TypeError, match="at least 3 positional arguments"):
    jaxlite.grad(lax.sin, argnums=2)(f32(1.))


def test_grad_allow_int_gives_float0():
  f = lambda x, n: lax.mul(x, lax.convert_element_type(n, np.float32))
  gx, gn = jaxlite.grad(f, argnums=(0, 1), allow_int=True)(f32(2.), np.int32(3))
  assert float(gx) == 3.0
  assert gn.dtype == dtypes.float0 and gn.shape == ()


def test_make_jaxpr_of_grad_of_sin_cos():
  jaxpr = jaxlite.make_jaxpr(jaxlite.grad(lambda x: lax.sin(lax.cos(x))))(3.0)
  lines = [l.strip() for l in str(jaxpr).splitlines()[1:-1]]
  # JAX 0.10.2's text: the unread primal output prints as `_`, literals typed.
  assert lines == ["b:f32[] = cos a", "c:f32[] = sin a", "_:f32[] = sin b",
                   "d:f32[] = cos b", "e:f32[] = mul 1.0:f32[] d", "f:f32[] = neg e",
                   "g:f32[] = mul f c"], lines
  np.testing.assert_allclose(jaxlite.grad(lambda x: lax.sin(lax.cos(x)))(3.0),
                             -np.cos(np.cos(3.)) * np.sin(3.), rtol=1e-6)


def test_grad_composes_with_jit_both_ways_and_higher_order():
  f = lambda x: lax.sin(lax.cos(x))
  expected = -np.cos(np.cos(3.)) * np.sin(3.)
  np.testing.assert_allclose(jaxlite.jit(jaxlite.grad(f))(3.0), expected, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.jit(f))(3.0), expected, rtol=1e-6)
  # second derivative of sin(cos(x)): -sin(cos x) sin^2 x - cos(cos x) cos x
  d2 = -np.sin(np.cos(3.)) * np.sin(3.) ** 2 - np.cos(np.cos(3.)) * np.cos(3.)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.grad(f))(3.0), d2, rtol=1e-5)
  np.testing.assert_allclose(jaxlite.grad(jaxlite.grad(jaxlite.jit(f)))(3.0), d2, rtol=1e-5)


def test_linearize_of_jitted_function_splits_the_call():
  f = jaxlite.jit(f_seed)
  y, f_jvp = jaxlite.linearize(f, 2.)
  np.testing.assert_allclose(f_jvp(3.), -5.007528, rtol=1e-6)
  names = all_primitives(f_jvp.jaxpr)
  assert "jit" in names
  inner = [e.params["jaxpr"].jaxpr for e in f_jvp.jaxpr.eqns if e.primitive.name == "jit"]
  assert all(all_primitives(j) <= LINEAR for j in inner)


def test_gauss_newton_operator_has_no_nonlinear_primitive():
  # issue 526: linearize once, transpose the linear map, J^T J v without relinearizing
  x = np.array([0.3, -0.2], f32)
  a = np.array([[1., 2.], [3., 4.], [5., 6.]], f32)

  def f(x):
    h = lax.dot_general(a, x, (((1,), (0,)), ((), ())))
    return lax.tanh(h)
  y, f_jvp = jaxlite.linearize(f, x)
  f_vjp = jaxlite.linear_transpose(f_jvp, x)
  gn = lambda v: f_vjp(f_jvp(v))[0]
  names = all_primitives(jaxlite.make_jaxpr(gn)(x).jaxpr)
  assert "tanh" not in names and names <= LINEAR, names
  j = (1 - np.tanh(a @ x) ** 2)[:, None] * a
  v = np.array([1., -1.], f32)
  np.testing.assert_allclose(gn(v), j.T @ j @ v, rtol=1e-5)


# --- jacobians --------------------------------------------------------------------------------


def test_jacfwd_jacrev_match_and_structure():
  a = np.array([[1., 2.], [3., 4.], [5., 6.]], f32)
  f = lambda x: lax.sin(lax.dot_general(a, x, (((1,), (0,)), ((), ()))))
  x = np.array([0.1, 0.2], f32)
  expected = np.cos(a @ x)[:, None] * a
  np.testing.assert_allclose(jaxlite.jacfwd(f)(x), expected, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jacrev(f)(x), expected, rtol=1e-6)
  # pytree blocks: output structure outside, input structure inside
  g = lambda d: {"p": lax.mul(d["u"], d["v"]), "q": lax.reduce_sum(d["u"], (0,))}
  d = {"u": np.array([1., 2.], f32), "v": np.array([3., 4.], f32)}
  for jac in (jaxlite.jacfwd(g)(d), jaxlite.jacrev(g)(d)):
    assert set(jac) == {"p", "q"} and set(jac["p"]) == {"u", "v"}
    np.testing.assert_allclose(jac["p"]["u"], np.diag([3., 4.]))
    np.testing.assert_allclose(jac["p"]["v"], np.diag([1., 2.]))
    np.testing.assert_allclose(jac["q"]["u"], [1., 1.])
    assert jac["q"]["v"].shape == (2,)


def test_hessian_of_cubic():
  g = lambda x: lax.reduce_sum(lax.mul(lax.mul(x, x), x), (0,))
  np.testing.assert_allclose(jaxlite.hessian(g)(np.array([1., 2.], f32)),
                             [[6., 0.], [0., 12.]])


def test_jacfwd_rejects_integer_inputs():
  with pytest.raises(TypeError, match="jacfwd requires real-valued inputs"):
    jaxlite.jacfwd(lambda x: x)(np.int32(1))


# --- linear_transpose ------------------------------------------------------------------------


def test_linear_transpose_seed_duck_typed():
  f = lambda x, y: lax.sub(lax.mul(0.5, x), lax.mul(0.5, y))
  scalar = types.SimpleNamespace(shape=(), dtype=np.dtype(np.float32))
  xt, yt = jaxlite.linear_transpose(f, scalar, scalar)(1.0)
  assert (float(xt), float(yt)) == (0.5, -0.5)
  # The cotangent 1.0 is a Python scalar: the transposed values stay weak, as in JAX.
  assert xt.dtype == np.float32 and xt.weak_type and yt.dtype == np.float32


def test_linear_transpose_errors_and_exact_dtypes():
  with pytest.raises(TypeError, match="linear_transpose only supports"):
    jaxlite.linear_transpose(lambda x: x.astype(np.int32), f32(1))   # float -> int
  t = jaxlite.linear_transpose(lambda x: lax.mul(2., x), f32(1.))
  with pytest.raises(TypeError, match="cotangent tree does not match function output"):
    t((f32(1.), f32(1.)))
  with pytest.raises(TypeError, match="cotangent type does not match function output"):
    t(np.zeros(2, f32))
  # outputs have exactly the primals' dtype, even when that truncates
  t16 = jaxlite.linear_transpose(lambda x: lax.convert_element_type(x, np.float32),
                                 np.float16(1.))
  (out,) = t16(f32(1.5))
  assert out.dtype == np.float16 and float(out) == 1.5


def test_linear_transpose_of_structural_ops():
  x = np.arange(6, dtype=f32).reshape(2, 3)
  f = lambda x: lax.reduce_sum(lax.transpose(lax.mul(3., x), (1, 0)), (0,))
  (ct,) = jaxlite.linear_transpose(f, x)(np.array([1., 2.], f32))
  np.testing.assert_allclose(ct, [[3., 3., 3.], [6., 6., 6.]])


def test_missing_transpose_rule_names_primitive():
  with pytest.raises(NotImplementedError, match="Transpose rule .* for 'sin'"):
    jaxlite.linear_transpose(lax.sin, f32(1.))(f32(1.))


# --- stop_gradient -----------------------------------------------------------------------------


def test_stop_gradient():
  f = lambda x: lax.mul(x, lax.stop_gradient(x))
  assert float(jaxlite.grad(f)(f32(3.))) == 3.0
  assert jaxlite.stop_gradient is lax.stop_gradient
  jaxpr = jaxlite.make_jaxpr(f)(f32(3.))
  assert "stop_gradient" in str(jaxpr)
  np.testing.assert_allclose(jaxlite.jit(f)(f32(3.)), 9.0)
  # integer leaves pass through untouched
  assert lax.stop_gradient({"n": np.int32(1)})["n"] == 1


# --- partial evaluation directly ----------------------------------------------------------------


def test_trace_to_jaxpr_partial_splits_known_and_unknown():
  aval = core.ShapedArray((), np.float32)
  jaxpr, pvals, consts = pe.trace_to_jaxpr_partial(
      lambda x, y: [lax.mul(lax.sin(x), y), lax.cos(x)],
      [pe.PartialVal.known(f32(1.)), pe.PartialVal.unknown(aval)])
  assert [e.primitive.name for e in jaxpr.eqns] == ["mul"]
  assert pvals[0].is_known is False and pvals[1].is_known
  np.testing.assert_allclose(pvals[1].const, np.cos(1.), rtol=1e-6)
  np.testing.assert_allclose(consts[0], np.sin(1.), rtol=1e-6)
  core.check_jaxpr(jaxpr)


def test_partial_eval_jaxpr_custom_recomputes_non_saveable():
  aval = core.ShapedArray((), np.float32)
  jaxpr = jaxlite.make_jaxpr(lambda x, t: lax.mul(lax.cos(lax.sin(x)), t))(1., 1.).jaxpr
  known, staged, out_unk, n_res = pe.partial_eval_jaxpr_custom(
      jaxpr, [False, True], pe.nothing_saveable)
  assert out_unk == [True] and n_res == 1
  assert [e.primitive.name for e in staged.eqns] == ["sin", "cos", "mul"]
  known, staged, _, n_res = pe.partial_eval_jaxpr_custom(
      jaxpr, [False, True], pe.everything_saveable)
  assert [e.primitive.name for e in staged.eqns] == ["mul"] and n_res == 1
  del aval


# --- against JAX ---------------------------------------------------------------------------------


def test_against_jax_reference(jax_reference):
  jax = jax_reference
  x = np.array([0.3, -1.2, 2.0], f32)
  f_l = lambda x: lax.reduce_sum(lax.mul(lax.tanh(x), lax.exp(lax.mul(0.5, x))), (0,))
  f_j = lambda x: jax.lax.reduce_sum(jax.lax.tanh(x) * jax.lax.exp(0.5 * x), (0,))
  np.testing.assert_allclose(jaxlite.grad(f_l)(x), jax.grad(f_j)(x), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.hessian(f_l)(x), jax.hessian(f_j)(x), rtol=1e-5)


def test_repeated_grad_of_jitted_function_does_not_recompile():
  # Regression: the known/staged split of a jit call was rebuilt on every
  # grad, so both halves were recompiled on every step.
  from jaxlite.runtime import executable
  mlp = jaxlite.jit(lambda w, x: jaxlite.numpy.tanh(x @ w).sum())
  w, x = np.ones((4, 3), np.float32), np.ones((5, 4), np.float32)
  step = jaxlite.grad(lambda w: mlp(w, x) * 2.0)
  first = np.asarray(step(w))
  before = executable.compile_count
  for _ in range(3):
    np.testing.assert_array_equal(np.asarray(step(w)), first)
  assert executable.compile_count == before
