"""Forward semantics, lowering and errors of cond, switch, while_loop,
fori_loop, scan and map: results against Python loops and NumPy, eager and
under jit. Transformations are tested in test_control_flow_transforms.py."""
import re

import numpy as np
import pytest

import jaxlite as jax
from jaxlite import lax


def _eqn_names(jaxpr):
  return [e.primitive.name for e in jaxpr.jaxpr.eqns]


def _both(f):
  """The function eagerly and under jit."""
  return [f, jax.jit(f)]


# --- cond and switch -----------------------------------------------------------------


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("pred", [True, False])
def test_cond_matches_python(jit, pred):
  def f(p, x, y):
    return lax.cond(p, lambda a, b: (lax.mul(a, b), {"s": lax.sin(a)}),
                    lambda a, b: (lax.sub(a, b), {"s": lax.cos(b)}), x, y)
  f = jax.jit(f) if jit else f
  x, y = np.float32(0.5), np.float32(2.0)
  out, d = f(pred, x, y)
  want = (x * y, np.sin(x)) if pred else (x - y, np.cos(y))
  np.testing.assert_allclose(out, want[0], rtol=1e-6)
  np.testing.assert_allclose(d["s"], want[1], rtol=1e-6)


def test_cond_integer_predicate_and_closure():
  w = np.arange(3, dtype=np.float32)
  f = jax.jit(lambda p, x: lax.cond(p, lambda x: lax.mul(x, w), lambda x: lax.neg(x), x))
  x = np.ones(3, np.float32)
  np.testing.assert_allclose(f(np.int32(-2), x), w)     # nonzero means true
  np.testing.assert_allclose(f(np.int32(0), x), -x)
  jaxpr = jax.make_jaxpr(f)(np.int32(1), x)
  assert "cond" in str(jaxpr)


def test_cond_old_per_branch_operand_form():
  out = lax.cond(True, np.float32(3.), lambda a: lax.mul(a, 2.),
                 np.float32(5.), lambda b: lax.neg(b))
  assert float(out) == 6.
  out = lax.cond(False, np.float32(3.), lambda a: lax.mul(a, 2.),
                 np.float32(5.), lambda b: lax.neg(b))
  assert float(out) == -5.


def test_cond_without_operands_and_single_operand_keyword():
  assert float(lax.cond(False, lambda: np.float32(1), lambda: np.float32(2))) == 2.
  assert float(lax.cond(True, lambda x: x, lambda x: lax.neg(x), operand=np.float32(4))) == 4.


def test_cond_lowers_each_branch_once_to_case():
  f = jax.jit(lambda p, x: lax.cond(p, lambda x: lax.sin(x), lambda x: lax.cos(x), x))
  text = f.lower(True, np.float32(1)).as_text()
  assert "stablehlo.case" in text
  assert text.count("stablehlo.sine") == 1 and text.count("stablehlo.cosine") == 1


@pytest.mark.parametrize("index,want", [(-5, 0), (0, 0), (1, 1), (2, 2), (9, 2)])
def test_switch_clamps_index_eager_and_jit(index, want):
  branches = [lambda x: lax.add(x, 0.), lambda x: lax.add(x, 10.), lambda x: lax.add(x, 20.)]
  for f in _both(lambda i, x: lax.switch(i, branches, x)):
    assert float(f(np.int32(index), np.float32(1.))) == 1. + 10 * want


def test_switch_multiple_operands():
  out = lax.switch(1, [lambda a, b: lax.sub(a, b), lambda a, b: lax.mul(a, b)],
                   np.float32(3), np.float32(4))
  assert float(out) == 12.


def test_cond_jaxpr_type_checks():
  jaxpr = jax.make_jaxpr(lambda p, x: lax.cond(p, lambda x: lax.sin(x), lambda x: x, x))(
      True, 1.)
  from jaxlite import core
  core.check_jaxpr(jaxpr.jaxpr)
  assert _eqn_names(jaxpr)[-1] == "cond"


# --- bad input -------------------------------------------------------------------------


def test_cond_mismatched_branch_types_names_both():
  with pytest.raises(TypeError, match=r"(?s)true_fun and false_fun output must have identical "
                     r"types, got\nfloat32\[3\]\nand\nint32\[3\]") as e:
    lax.cond(True, lambda x: x, lambda x: lax.convert_element_type(x, np.int32),
             np.zeros(3, np.float32))
  assert "float32[3]" in str(e.value) and "int32[3]" in str(e.value)


def test_cond_mismatched_branch_structure():
  with pytest.raises(TypeError, match="identical types"):
    lax.cond(True, lambda x: (x, x), lambda x: x, np.float32(1))


def test_switch_mismatched_branch_shapes():
  with pytest.raises(TypeError, match=r"(?s)float32\[2\].*float32\[3\]"):
    lax.switch(0, [lambda x: x, lambda x: lax.concatenate([x, lax.slice_in_dim(x, 0, 1)], 0)],
               np.zeros(2, np.float32))


@pytest.mark.parametrize("pred,typ", [(np.array([True, False]), r"bool\[2\]"),
                                      (np.float32(1.), r"float32\[\]")])
def test_cond_bad_predicate_names_its_type(pred, typ):
  with pytest.raises(TypeError, match=typ) as e:
    lax.cond(pred, lambda: 1., lambda: 2.)
  assert "bool[]" in str(e.value)   # and the type it should have


def test_switch_bad_index():
  with pytest.raises(TypeError, match=r"float32\[\]"):
    lax.switch(np.float32(1), [lambda: 1., lambda: 2.])
  with pytest.raises(TypeError, match=r"int32\[2\]"):
    lax.switch(np.zeros(2, np.int32), [lambda: 1., lambda: 2.])
  with pytest.raises(ValueError, match="Empty branch"):
    lax.switch(0, [])


def test_while_carry_type_change_names_both_types():
  with pytest.raises(TypeError, match=r"body_fun output and input must have identical types"
                     ) as e:
    lax.while_loop(lambda x: lax.lt(x[0], 3), lambda x: (x[0], lax.convert_element_type(
        x[1], np.float32)), (np.int32(0), np.int32(1)))
  assert "int32[]" in str(e.value) and "float32[]" in str(e.value)


def test_while_bad_cond_output():
  with pytest.raises(TypeError, match=r"(?s)cond_fun must return a boolean scalar.*float32\[\]"):
    lax.while_loop(lambda x: x, lambda x: x, np.float32(1))
  with pytest.raises(TypeError, match=r"bool\[2\]"):
    lax.while_loop(lambda x: lax.lt(x, 1.), lambda x: x, np.zeros(2, np.float32))


def test_scan_carry_type_change_names_both_types():
  with pytest.raises(TypeError, match="carry output and input must have identical types") as e:
    lax.scan(lambda c, x: (lax.concatenate([c, c], 0), x), np.zeros(2, np.float32),
             np.zeros(3, np.float32))
  assert "float32[2]" in str(e.value) and "float32[4]" in str(e.value)


def test_scan_bad_arguments():
  with pytest.raises(ValueError, match="different leading axis sizes"):
    lax.scan(lambda c, x: (c, x), 0., (np.zeros(2), np.zeros(3)))
  with pytest.raises(ValueError, match="`length` not provided"):
    lax.scan(lambda c, x: (c, x), 0., None)
  with pytest.raises(ValueError, match="disagrees"):
    lax.scan(lambda c, x: (c, x), 0., np.zeros(2), length=3)
  with pytest.raises(TypeError, match="must be a pair"):
    lax.scan(lambda c, x: c, 0., np.zeros(2))


# --- while_loop and fori_loop -------------------------------------------------------------


def _collatz_steps(n):
  steps = 0
  while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    steps += 1
  return steps


@pytest.mark.parametrize("jit", [False, True])
def test_while_loop_matches_python(jit):
  def f(x, limit):
    def body(c):
      i, acc = c
      return lax.add(i, 1), lax.add(lax.mul(acc, 1.5), lax.convert_element_type(i, np.float32))
    return lax.while_loop(lambda c: lax.lt(lax.mul(c[1], c[1]), limit), body, (0, x))
  f = jax.jit(f) if jit else f
  i, acc = f(np.float32(1.), np.float32(400.))
  ri, racc = 0, np.float32(1.)
  while racc * racc < 400.:
    ri, racc = ri + 1, np.float32(racc * 1.5 + ri)
  assert int(i) == ri
  np.testing.assert_allclose(acc, racc, rtol=1e-6)


def test_while_loop_closure_and_zero_trips():
  bound = np.float32(-1.)
  out = lax.while_loop(lambda x: lax.lt(x, bound), lambda x: lax.add(x, 1.), np.float32(0.))
  assert float(out) == 0.
  jaxpr = jax.make_jaxpr(lambda x: lax.while_loop(lambda x: lax.lt(x, bound),
                                                  lambda x: lax.add(x, 1.), x))(1.)
  assert "while" in _eqn_names(jaxpr)


@pytest.mark.parametrize("lower,upper", [(0, 5), (3, 7), (4, 2)])
def test_fori_loop_static_bounds_is_a_scan(lower, upper):
  f = lambda x: lax.fori_loop(lower, upper, lambda i, x: lax.add(lax.mul(x, 2.), lax.convert_element_type(i, np.float32)), x)
  want = np.float32(1.)
  for i in range(lower, upper):
    want = want * 2 + i
  for g in _both(f):
    np.testing.assert_allclose(g(np.float32(1.)), want)
  assert "scan" in _eqn_names(jax.make_jaxpr(f)(1.))


def test_fori_loop_traced_bounds_is_a_while():
  f = jax.jit(lambda n, x: lax.fori_loop(0, n, lambda i, x: lax.add(x, i), x))
  assert int(f(np.int32(5), np.int32(1))) == 11
  assert int(f(np.int32(0), np.int32(1))) == 1
  assert "while[" in str(jax.make_jaxpr(f)(np.int32(5), np.int32(1)))


def test_fori_loop_concrete_array_bounds_and_unroll():
  lo, hi = jax.device_put(np.int32(1)), jax.device_put(np.int32(6))
  out = lax.fori_loop(lo, hi, lambda i, x: lax.add(x, i), np.int32(0), unroll=2)
  assert int(out) == 15
  with pytest.raises(ValueError, match="unroll"):
    jax.jit(lambda n: lax.fori_loop(0, n, lambda i, x: x, 0., unroll=2))(np.int32(3))


# --- scan and map ----------------------------------------------------------------------------


def _np_scan(f, init, xs, reverse=False):
  carry, ys = init, []
  idx = range(len(xs))
  for t in (reversed(idx) if reverse else idx):
    carry, y = f(carry, xs[t])
    ys.append(y)
  if reverse:
    ys.reverse()
  return carry, np.stack(ys)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("unroll", [1, 2, True])
def test_scan_matches_numpy(reverse, unroll, rng):
  xs = rng.randn(5, 3).astype(np.float32)
  w = rng.randn(3).astype(np.float32)

  def step(c, x):
    h = lax.sin(lax.add(lax.mul(c, w), x))
    return h, lax.mul(h, 2.)

  def np_step(c, x):
    h = np.sin(c * w + x)
    return h, h * 2

  want_c, want_ys = _np_scan(np_step, np.zeros(3, np.float32), xs, reverse)
  for f in _both(lambda init, xs: lax.scan(step, init, xs, reverse=reverse, unroll=unroll)):
    c, ys = f(np.zeros(3, np.float32), xs)
    np.testing.assert_allclose(c, want_c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ys, want_ys, rtol=1e-5, atol=1e-6)


def test_scan_pytrees_and_none_xs():
  def step(carry, _):
    a, (b,) = carry["a"], carry["b"]
    return {"a": lax.add(a, b), "b": (lax.mul(b, 2.),)}, (a, {"b": b})

  init = {"a": np.float32(0.), "b": (np.float32(1.),)}
  carry, (ya, yb) = lax.scan(step, init, None, length=4)
  assert float(carry["a"]) == 15. and float(carry["b"][0]) == 16.
  np.testing.assert_allclose(ya, [0., 1., 3., 7.])
  np.testing.assert_allclose(yb["b"], [1., 2., 4., 8.])


def test_scan_length_zero():
  c, ys = lax.scan(lambda c, x: (lax.add(c, x), lax.mul(x, 2.)), np.float32(3.),
                   np.zeros((0, 2), np.float32)[:, 0])
  assert float(c) == 3. and ys.shape == (0,)


def test_scan_weak_typed_init_is_promoted():
  c, _ = lax.scan(lambda c, x: (lax.add(c, x), None), 0., np.arange(4, dtype=np.float32))
  assert float(c) == 6. and c.dtype == np.float32 and not c.aval.weak_type


def test_map_matches_numpy(rng):
  xs = rng.randn(4, 2).astype(np.float32)
  for f in _both(lambda xs: lax.map(lambda x: (lax.sin(x), lax.mul(x, x)), xs)):
    a, b = f(xs)
    np.testing.assert_allclose(a, np.sin(xs), rtol=1e-6)
    np.testing.assert_allclose(b, xs * xs, rtol=1e-6)


def test_scan_jaxpr_shows_params_and_type_checks():
  jaxpr = jax.make_jaxpr(lambda xs: lax.scan(lambda c, x: (lax.add(c, x), c), 0., xs,
                                             reverse=True))(np.arange(3.))
  from jaxlite import core
  core.check_jaxpr(jaxpr.jaxpr)
  s = str(jaxpr)
  for frag in ("scan", "length=3", "num_carry=1", "num_consts=0", "reverse=True",
               "unroll=1"):
    assert frag in s
  assert "linear=" not in s   # JAX 0.10.2's scan has no `linear` parameter


def _module_ops(text):
  return re.findall(r"= ([a-z_]+\.[a-z_]+)", text)


def test_scan_module_size_does_not_grow_with_length():
  def rnn(h, xs):
    return lax.scan(lambda h, x: (lax.sin(lax.add(lax.mul(h, 0.9), x)), h), h, xs)
  f = jax.jit(rnn)
  t10 = f.lower(np.zeros(2, np.float32), np.zeros((10, 2), np.float32)).as_text()
  t1000 = f.lower(np.zeros(2, np.float32), np.zeros((1000, 2), np.float32)).as_text()
  assert _module_ops(t10) == _module_ops(t1000)
  assert t10.count("stablehlo.sine") == 1 and "stablehlo.while" in t10
  # Only the numbers differ ("10" against "1000", "9" against "999").
  assert abs(len(t1000) - len(t10)) < 40


def test_while_lowers_body_once():
  f = jax.jit(lambda x: lax.while_loop(lambda x: lax.lt(x, 10.), lambda x: lax.add(lax.sin(x), 1.), x))
  text = f.lower(np.float32(0)).as_text()
  assert text.count("stablehlo.while") == 1 and text.count("stablehlo.sine") == 1


def test_repeated_eager_scan_compiles_once():
  from jaxlite.interpreters import dispatch
  def step(c, x):
    return lax.add(c, x), c
  xs = np.arange(3, dtype=np.float32)
  lax.scan(step, np.float32(0.), xs)
  n = len(dispatch._cache)
  for _ in range(3):
    c, _ = lax.scan(step, np.float32(0.), xs)
  assert len(dispatch._cache) == n and float(c) == 3.


def test_disable_jit_runs_python_control_flow():
  with jax.disable_jit():
    seen = []
    def body(c, x):
      seen.append(float(x))   # concrete under disable_jit
      return lax.add(c, x), c
    c, ys = lax.scan(body, np.float32(0.), np.arange(3, dtype=np.float32))
    assert seen == [0., 1., 2.] and float(c) == 3.
    out = lax.cond(True, lambda x: lax.add(x, 1.), lambda x: x, np.float32(1.))
    assert float(out) == 2.
    out = lax.while_loop(lambda x: lax.lt(x, 3), lambda x: lax.add(x, 1), 0)
    assert int(out) == 3


# --- associative_scan -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_associative_scan_matches_numpy(n):
  x = np.arange(1, n + 1, dtype=np.float32)
  np.testing.assert_allclose(lax.associative_scan(lax.add, x), np.cumsum(x))
  np.testing.assert_allclose(jax.jit(lambda x: lax.associative_scan(lax.mul, x, reverse=True))(x),
                             np.cumprod(x[::-1])[::-1])


def test_associative_scan_axis_and_pytrees():
  x = np.arange(12, dtype=np.float32).reshape(3, 4)
  np.testing.assert_allclose(lax.associative_scan(lax.add, x, axis=1), np.cumsum(x, 1))
  s, m = lax.associative_scan(lambda a, b: (lax.add(a[0], b[0]), lax.max(a[1], b[1])),
                              (x, -x + 5), axis=-2)
  np.testing.assert_allclose(s, np.cumsum(x, 0))
  np.testing.assert_allclose(m, np.maximum.accumulate(-x + 5, 0))
  with pytest.raises(ValueError, match="same first dimension"):
    lax.associative_scan(lax.add, (np.zeros(2), np.zeros(3)))


def _affine(p, q):
  """Composition of affine maps x -> a x + b: associative, not commutative."""
  return lax.mul(p[0], q[0]), lax.add(lax.mul(p[1], q[0]), q[1])


@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_noncommutative_against_jax(reverse, jax_reference):
  x = np.arange(1, 8, dtype=np.float32)
  got = lax.associative_scan(_affine, (x, x * 10), reverse=reverse)
  want = jax_reference.lax.associative_scan(
      lambda p, q: (p[0] * q[0], p[1] * q[0] + q[1]), (x, x * 10), reverse=reverse)
  for g, w in zip(got, want):
    np.testing.assert_allclose(g, np.asarray(w), rtol=1e-6)


def test_jaxpr_cache_does_not_keep_functions_alive():
  import gc
  import weakref
  from jaxlite.lax.control_flow import common

  def make():
    return lambda c, x: (lax.add(c, x), c)
  f = make()
  ref = weakref.ref(f)
  lax.scan(f, np.float32(0.), np.arange(2, dtype=np.float32))
  assert f in common._jaxpr_cache
  del f
  gc.collect()
  assert ref() is None


def _square(x):
  return lax.mul(x, x)


def _fori_body(i, x):
  return lax.add(x, lax.convert_element_type(i, np.float32))


def test_map_batch_size_and_repeated_eager_wrappers_compile_once():
  from jaxlite.interpreters import dispatch
  xs = np.arange(10, dtype=np.float32).reshape(5, 2)
  for bs in (1, 2, 5, 7):
    np.testing.assert_allclose(lax.map(_square, xs, batch_size=bs), xs * xs)

  def run():
    lax.map(_square, xs)
    lax.fori_loop(0, 3, _fori_body, np.float32(0.))
    return lax.fori_loop(jax.device_put(np.int32(1)), 4, _fori_body, np.float32(0.))
  run()
  n = len(dispatch._cache)
  assert float(run()) == 6. and len(dispatch._cache) == n
