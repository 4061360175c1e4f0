"""Transformation rules of the elementwise lax primitives: JVPs against central
finite differences (computed in float64 with NumPy/scipy references), transposes
of the linear primitives by the dot-product identity, and batching rules against
a Python loop over the batch.
"""
import numpy as np
import pytest

import jaxlite
from jaxlite import core, lax
from jaxlite.interpreters import ad, batching
from jaxlite.lax import bitwise, elementwise, transcendental

EPS = 1e-6


def _fd(ref, primals, tangents):
  """Central difference of ``ref`` (NumPy, float64/complex128) along ``tangents``."""
  wide = [np.asarray(p, np.complex128 if np.iscomplexobj(p) else np.float64) for p in primals]
  plus = ref(*[p + EPS * t for p, t in zip(wide, tangents)])
  minus = ref(*[p - EPS * t for p, t in zip(wide, tangents)])
  return (plus - minus) / (2 * EPS)


def check_jvp(fn, ref, primals, rtol=2e-4, atol=2e-5, argnums=None):
  rng = np.random.RandomState(1)
  argnums = range(len(primals)) if argnums is None else argnums
  tangents = []
  for i, p in enumerate(primals):
    p = np.asarray(p)
    if i not in argnums:
      tangents.append(np.zeros(p.shape, p.dtype))
    elif np.iscomplexobj(p):
      tangents.append(np.asarray(rng.randn(*p.shape) + 1j * rng.randn(*p.shape), p.dtype))
    else:
      tangents.append(np.asarray(rng.randn(*p.shape), p.dtype))
  fixed = [np.asarray(p) for p in primals]

  def f(*diff):
    args = list(fixed)
    for i, d in zip(argnums, diff):
      args[i] = d
    return fn(*args)

  out, tangent_out = jaxlite.jvp(f, tuple(fixed[i] for i in argnums),
                                 tuple(tangents[i] for i in argnums))
  np.testing.assert_allclose(np.asarray(out), ref(*fixed), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(np.asarray(tangent_out), _fd(ref, fixed, tangents),
                             rtol=rtol, atol=atol)


def _u(rng, low, high, dtype=np.float32, shape=(5,)):
  return rng.uniform(low, high, size=shape).astype(dtype)


def _special():
  return pytest.importorskip("scipy.special")


UNARY_JVPS = [
    ("neg", lax.neg, np.negative, (-3, 3)),
    ("exp", lax.exp, np.exp, (-2, 2)),
    ("exp2", lax.exp2, np.exp2, (-2, 2)),
    ("log", lax.log, np.log, (0.2, 3)),
    ("log1p", lax.log1p, np.log1p, (-0.5, 3)),
    ("expm1", lax.expm1, np.expm1, (-2, 2)),
    ("tanh", lax.tanh, np.tanh, (-2, 2)),
    ("logistic", lax.logistic, lambda x: 1 / (1 + np.exp(-x)), (-3, 3)),
    ("sin", lax.sin, np.sin, (-3, 3)),
    ("cos", lax.cos, np.cos, (-3, 3)),
    ("tan", lax.tan, np.tan, (-1.2, 1.2)),
    ("asin", lax.asin, np.arcsin, (-0.9, 0.9)),
    ("acos", lax.acos, np.arccos, (-0.9, 0.9)),
    ("atan", lax.atan, np.arctan, (-3, 3)),
    ("sinh", lax.sinh, np.sinh, (-2, 2)),
    ("cosh", lax.cosh, np.cosh, (-2, 2)),
    ("asinh", lax.asinh, np.arcsinh, (-3, 3)),
    ("acosh", lax.acosh, np.arccosh, (1.2, 4)),
    ("atanh", lax.atanh, np.arctanh, (-0.9, 0.9)),
    ("sqrt", lax.sqrt, np.sqrt, (0.2, 4)),
    ("rsqrt", lax.rsqrt, lambda x: 1 / np.sqrt(x), (0.2, 4)),
    ("cbrt", lax.cbrt, np.cbrt, (0.2, 4)),
    ("cbrt_negative", lax.cbrt, np.cbrt, (-4, -0.2)),
    ("square", lax.square, np.square, (-3, 3)),
    ("abs", lax.abs, np.abs, (-3, 3)),
    ("integer_pow3", lambda x: lax.integer_pow(x, 3), lambda x: x ** 3, (-2, 2)),
    ("integer_pow-2", lambda x: lax.integer_pow(x, -2), lambda x: x ** -2.0, (0.5, 2)),
    ("integer_pow0", lambda x: lax.integer_pow(x, 0), lambda x: x ** 0, (-2, 2)),
    ("erf", lax.erf, "erf", (-2, 2)),
    ("erfc", lax.erfc, "erfc", (-2, 2)),
    ("erf_inv", lax.erf_inv, "erfinv", (-0.8, 0.8)),
    ("lgamma", lax.lgamma, "gammaln", (0.5, 4)),
    ("digamma", lax.digamma, "digamma", (0.5, 4)),
]


@pytest.mark.parametrize("name,fn,ref,domain", UNARY_JVPS, ids=[u[0] for u in UNARY_JVPS])
def test_unary_jvp(name, fn, ref, domain):
  if isinstance(ref, str):
    ref = getattr(_special(), ref)
  x = _u(np.random.RandomState(0), *domain)
  check_jvp(fn, ref, (x,))


@pytest.mark.parametrize("fn", [lax.sign, lax.floor, lax.ceil, lax.round, lax.is_finite],
                         ids=lambda f: f.__name__)
def test_piecewise_constant_jvps_are_zero(fn):
  x = np.array([-1.3, 0.4, 2.6], np.float32)
  out, t = jaxlite.jvp(fn, (x,), (np.ones(3, np.float32),))
  t = np.asarray(t)
  assert t.shape == (3,)
  if fn is lax.is_finite:   # a boolean output's tangent is float0
    assert t.dtype == jaxlite.dtypes.float0
  else:
    assert t.dtype == np.float32 and np.all(t == 0)


@pytest.mark.parametrize("name,fn,ref", [
    ("exp", lax.exp, np.exp), ("log", lax.log, np.log), ("sin", lax.sin, np.sin),
    ("sqrt", lax.sqrt, np.sqrt), ("tanh", lax.tanh, np.tanh),
    ("acosh", lax.acosh, np.arccosh), ("atan", lax.atan, np.arctan),
    ("square", lax.square, np.square), ("integer_pow", lambda x: lax.integer_pow(x, 3),
                                        lambda x: x ** 3)])
def test_complex_jvps_are_holomorphic(name, fn, ref):
  rng = np.random.RandomState(0)
  z = (rng.uniform(0.5, 2, 4) + 1j * rng.uniform(-1, 1, 4)).astype(np.complex64)
  check_jvp(fn, ref, (z,), rtol=5e-4, atol=5e-5)


def test_abs_jvp_complex_and_at_zero():
  z = np.array([3 + 4j, -1 + 0.5j, 0j], np.complex64)
  t = np.array([1 + 2j, 0.5 - 1j, 1 + 1j], np.complex64)
  _, dt = jaxlite.jvp(lax.abs, (z,), (t,))
  expected = np.real(np.conj(z[:2]) * t[:2]) / np.abs(z[:2])
  np.testing.assert_allclose(np.asarray(dt)[:2], expected, rtol=1e-6)
  assert np.asarray(dt)[2] == 0


BINARY_JVPS = [
    ("add", lax.add, np.add, (-3, 3), (-3, 3)),
    ("sub", lax.sub, np.subtract, (-3, 3), (-3, 3)),
    ("mul", lax.mul, np.multiply, (-3, 3), (-3, 3)),
    ("div", lax.div, np.divide, (-3, 3), (0.5, 3)),
    ("rem", lax.rem, np.fmod, (-3, 3), (0.7, 1.3)),
    ("max", lax.max, np.maximum, (-3, 3), (-3, 3)),
    ("min", lax.min, np.minimum, (-3, 3), (-3, 3)),
    ("atan2", lax.atan2, np.arctan2, (-3, 3), (-3, 3)),
    ("pow", lax.pow, np.power, (0.3, 3), (-2, 2)),
]


@pytest.mark.parametrize("name,fn,ref,dx,dy", BINARY_JVPS, ids=[b[0] for b in BINARY_JVPS])
def test_binary_jvp(name, fn, ref, dx, dy):
  rng = np.random.RandomState(0)
  x, y = _u(rng, *dx), _u(rng, *dy)
  check_jvp(fn, ref, (x, y))
  check_jvp(fn, ref, (x, y), argnums=(0,))
  check_jvp(fn, ref, (x, y), argnums=(1,))


def test_binary_jvp_with_rank0_operand():
  rng = np.random.RandomState(0)
  x, s = _u(rng, 0.5, 2), np.float32(1.7)
  for fn, ref in ((lax.mul, np.multiply), (lax.div, np.divide), (lax.rem, np.fmod),
                  (lax.sub, np.subtract), (lax.atan2, np.arctan2), (lax.pow, np.power)):
    check_jvp(fn, ref, (s, x))
    check_jvp(fn, ref, (x, s))
    check_jvp(fn, ref, (s, x), argnums=(0,))


def test_max_min_jvp_splits_ties_evenly():
  x = np.array([1.0, 2.0, 3.0], np.float32)
  y = np.array([1.0, 1.0, 4.0], np.float32)
  _, t = jaxlite.jvp(lax.max, (x, y), (np.ones(3, np.float32), np.zeros(3, np.float32)))
  np.testing.assert_array_equal(t, [0.5, 1.0, 0.0])
  _, t = jaxlite.jvp(lax.min, (x, y), (np.ones(3, np.float32), np.zeros(3, np.float32)))
  np.testing.assert_array_equal(t, [0.5, 0.0, 1.0])


def test_pow_jvp_integer_exponent_and_zero_base():
  x = np.array([0.0, 1.5, -2.0], np.float32)
  y = np.array([0, 1, 3], np.int32)
  out, t = jaxlite.jvp(lambda a: lax.pow(a, y), (x,), (np.ones(3, np.float32),))
  np.testing.assert_allclose(t, [0.0, 1.0, 12.0])
  # d/dy 0**y is taken as 0, not log(0) * 0 = nan.
  _, t = jaxlite.jvp(lambda b: lax.pow(np.float32(0), b), (np.float32(2),), (np.float32(1),))
  assert float(t) == 0.0


def test_complex_binary_jvps():
  rng = np.random.RandomState(0)
  z = (rng.uniform(0.5, 2, 4) + 1j * rng.uniform(-1, 1, 4)).astype(np.complex64)
  w = (rng.uniform(0.5, 2, 4) + 1j * rng.uniform(-1, 1, 4)).astype(np.complex64)
  for fn, ref in ((lax.mul, np.multiply), (lax.div, np.divide), (lax.pow, np.power)):
    check_jvp(fn, ref, (z, w), rtol=5e-4, atol=5e-5)


def test_clamp_and_select_n_jvp():
  x = np.array([-1.0, 0.5, 2.0, 0.25], np.float32)
  lo, hi = np.float32(0), np.float32(1)
  check_jvp(lambda v: lax.clamp(lo, v, hi), lambda v: np.clip(v, 0, 1), (x,))
  # The derivative flows to the bound that is active.
  _, t = jaxlite.jvp(lambda a, v, b: lax.clamp(a, v, b), (lo, x, hi),
                     (np.float32(1), np.zeros(4, np.float32), np.float32(10)))
  np.testing.assert_array_equal(t, [1.0, 0.0, 10.0, 0.0])
  which = np.array([0, 1, 2, 1], np.int32)
  a, b, c = x, 2 * x, 3 * x
  check_jvp(lambda p, q, r: lax.select_n(which, p, q, r),
            lambda p, q, r: np.choose(which, [p, q, r]), (a, b, c))


def test_linear_complex_part_jvps():
  rng = np.random.RandomState(0)
  z = (rng.randn(4) + 1j * rng.randn(4)).astype(np.complex64)
  a, b = rng.randn(4).astype(np.float32), rng.randn(4).astype(np.float32)
  check_jvp(lax.real, np.real, (z,))
  check_jvp(lax.imag, np.imag, (z,))
  check_jvp(lax.conj, np.conj, (z,))
  check_jvp(lax.complex, lambda x, y: x + 1j * y, (a, b))


def test_digamma_second_derivative(tmp_path):
  special = _special()
  x = np.array([0.7, 1.5, 3.0], np.float32)
  ones = np.ones(3, np.float32)
  d1 = lambda v: jaxlite.jvp(lax.digamma, (v,), (ones,))[1]
  _, d2 = jaxlite.jvp(d1, (x,), (ones,))
  np.testing.assert_allclose(d2, special.polygamma(2, x.astype(np.float64)), rtol=1e-4)


def test_nextafter_has_no_jvp_as_in_jax():
  with pytest.raises(NotImplementedError, match="nextafter"):
    jaxlite.jvp(lambda v: lax.nextafter(v, v), (np.float32(1),), (np.float32(1),))


# --- transposes ---------------------------------------------------------------------------------


def _pair(u, v):
  """The real pairing JAX's transposes are adjoint for: Re(sum(u * v))."""
  return float(np.real(np.sum(np.asarray(u, np.complex128) * np.asarray(v, np.complex128))))


LINEAR = [
    # primitive, function of the linear argument, params, example linear input,
    # constant other operands (with the linear one's position marked None)
    ("neg", elementwise.neg_p, {}, np.float32, (None,)),
    ("add_lhs", elementwise.add_p, {}, np.float32, (None, "f")),
    ("add_rhs", elementwise.add_p, {}, np.float32, ("f", None)),
    ("sub_lhs", elementwise.sub_p, {}, np.float32, (None, "f")),
    ("sub_rhs", elementwise.sub_p, {}, np.float32, ("f", None)),
    ("mul_lhs", elementwise.mul_p, {}, np.complex64, (None, "c")),
    ("mul_rhs", elementwise.mul_p, {}, np.float32, ("f", None)),
    ("div", elementwise.div_p, {}, np.complex64, (None, "c")),
    ("real", elementwise.real_p, {}, np.complex64, (None,)),
    ("imag", elementwise.imag_p, {}, np.complex64, (None,)),
    ("complex_re", elementwise.complex_p, {}, np.float32, (None, "f")),
    ("complex_im", elementwise.complex_p, {}, np.float32, ("f", None)),
    ("conj_c", elementwise.conj_p, {"input_dtype": np.dtype(np.complex64)}, np.complex64,
     (None,)),
    ("conj_f", elementwise.conj_p, {"input_dtype": np.dtype(np.float32)}, np.float32,
     (None,)),
    ("select_n", bitwise.select_n_p, {}, np.float32, ("which", "f", None, "f")),
]


@pytest.mark.parametrize("name,prim,params,dtype,operands,const_shape", [
    pytest.param(*l, shape, id=f"{l[0]}-{'rank0' if shape == () else 'full'}")
    for l in LINEAR for shape in ((4,), ())
    if not (shape == () and l[1] is bitwise.select_n_p)])   # select_n cases share a shape
def test_transpose_is_adjoint(name, prim, params, dtype, operands, const_shape):
  rng = np.random.RandomState(0)

  def value(kind, shape):
    if kind == "which":
      return np.array([0, 1, 2, 1], np.int32)
    if kind == "c":
      return np.asarray(rng.randn(*shape) + 1j * rng.randn(*shape), np.complex64)
    return np.asarray(rng.randn(*shape), np.float32)

  consts = [None if k is None else value(k, const_shape if k != "which" else (4,))
            for k in operands]
  x = value("c" if np.dtype(dtype).kind == "c" else "f", (4,))
  def f(v):
    return np.asarray(prim.bind(*[v if c is None else c for c in consts], **params))
  # With constant operands add, sub, complex and select_n are affine: the
  # transpose is that of their linear part, f(x) - f(0).
  out = f(x) - f(np.zeros_like(x))
  ct = value("c" if out.dtype.kind == "c" else "f", out.shape)
  undefined = [ad.UndefinedPrimal(core.get_aval(x)) if c is None else c for c in consts]
  cts = ad.primitive_transposes[prim](ct, *undefined, **params)
  (ct_x,) = [c for c, k in zip(cts, consts) if k is None]
  assert all(c is None for c, k in zip(cts, consts) if k is not None)
  assert np.asarray(ct_x).shape == x.shape and np.asarray(ct_x).dtype == x.dtype
  np.testing.assert_allclose(_pair(ct, out), _pair(ct_x, x), rtol=1e-5)


def test_transposes_of_broadcast_rank0_operand_sum():
  ct = np.arange(4, dtype=np.float32)
  s = ad.UndefinedPrimal(core.ShapedArray((), np.float32))
  y = np.full(4, 2.0, np.float32)
  assert float(ad.primitive_transposes[elementwise.add_p](ct, s, y)[0]) == 6.0
  assert float(ad.primitive_transposes[elementwise.sub_p](ct, y, s)[1]) == -6.0
  assert float(ad.primitive_transposes[elementwise.mul_p](ct, s, y)[0]) == 12.0
  assert float(ad.primitive_transposes[elementwise.div_p](ct, s, y)[0]) == 3.0


def test_linear_transpose_through_the_public_api():
  z = np.ones(3, np.complex64)
  f = lambda v: lax.imag(lax.mul(v, np.complex64(2j)))
  (ct,) = jaxlite.linear_transpose(f, z)(np.array([1.0, 2.0, 3.0], np.float32))
  # <ct, Im(2i v)> = <ct, 2 Re v>: the cotangent is 2 ct (real).
  np.testing.assert_allclose(ct, [2, 4, 6])


def test_nonlinear_operand_transposes_raise():
  ct = np.ones(3, np.float32)
  u = ad.UndefinedPrimal(core.ShapedArray((3,), np.float32))
  with pytest.raises(ValueError, match="denominator"):
    ad.primitive_transposes[elementwise.div_p](ct, np.ones(3, np.float32), u)
  with pytest.raises(ValueError, match="which"):
    ad.primitive_transposes[bitwise.select_n_p](ct, u, ct, ct)


# --- batching -------------------------------------------------------------------------------------


def check_batching(prim, args, dims, **params):
  """The batching rule against ``prim`` applied example by example."""
  out, out_dim = batching.primitive_batchers[prim](args, dims, **params)
  size = next(np.shape(a)[d] for a, d in zip(args, dims) if d is not None)
  expected = [np.asarray(prim.bind(*[a if d is None else np.take(a, b, axis=d)
                                     for a, d in zip(args, dims)], **params))
              for b in range(size)]
  np.testing.assert_array_equal(np.moveaxis(np.asarray(out), out_dim, 0), np.stack(expected))


def _r(*shape, dtype=np.float32, seed=0):
  return np.random.RandomState(seed + len(shape)).uniform(0.5, 2, shape).astype(dtype)


def test_batching_unary_with_params():
  check_batching(transcendental.sin_p, [_r(3, 2)], [1])
  check_batching(elementwise.round_p, [_r(2, 3) * 3], [0],
                 rounding_method=lax.RoundingMethod.TO_NEAREST_EVEN)
  check_batching(elementwise.integer_pow_p, [_r(3, 2)], [1], y=3)
  check_batching(elementwise.conj_p, [_r(2, 3)], [1], input_dtype=np.dtype(np.float32))
  check_batching(elementwise.is_finite_p, [_r(2, 3)], [0])
  check_batching(bitwise.population_count_p, [np.arange(6, dtype=np.int32).reshape(2, 3)], [1])


@pytest.mark.parametrize("prim", [elementwise.add_p, elementwise.mul_p, elementwise.max_p,
                                  transcendental.atan2_p, bitwise.lt_p],
                         ids=lambda p: p.name)
def test_batching_binary(prim):
  x23, y23, y32 = _r(2, 3), _r(2, 3, seed=5), _r(3, 2, seed=7)
  check_batching(prim, [x23, y23], [0, 0])
  check_batching(prim, [x23, y32], [0, 1])
  check_batching(prim, [x23, _r(3, seed=3)], [0, None])      # unbatched array
  check_batching(prim, [_r(3, seed=3), y32], [None, 1])
  check_batching(prim, [x23, np.float32(1.5)], [1, None])    # unbatched scalar
  check_batching(prim, [_r(2), y23], [0, 0])                 # batched scalars
  check_batching(prim, [_r(2), _r(3, seed=3)], [0, None])
  check_batching(prim, [np.float32(0.7), _r(2)], [None, 0])


def test_batching_pow_with_integer_exponent():
  check_batching(transcendental.pow_p, [_r(2, 3), np.arange(2, dtype=np.int32)], [0, 0])
  check_batching(transcendental.pow_p, [_r(3), np.arange(6, dtype=np.int32).reshape(3, 2)],
                 [None, 1])


def test_batching_select_n():
  cases = [_r(2, 3, seed=s) for s in range(3)]
  which = np.array([[0, 1, 2], [2, 0, 1]], np.int32)
  check_batching(bitwise.select_n_p, [which, *cases], [0, 0, 0, 0])
  check_batching(bitwise.select_n_p, [np.array([0, 2], np.int32), *cases], [0, 0, 0, 0])
  check_batching(bitwise.select_n_p, [np.array([True, False]), _r(3), _r(3, seed=9)],
                 [0, None, None])
  check_batching(bitwise.select_n_p, [np.int32(1), cases[0], _r(3, 2)], [None, 0, 1])
  check_batching(bitwise.select_n_p, [which[0], cases[0], _r(3)], [None, 0, None])
  check_batching(bitwise.select_n_p, [which.T, _r(3), _r(3, seed=4)], [1, None, None])


def test_batching_clamp():
  x = _r(2, 3) * 2 - 2
  check_batching(bitwise.clamp_p, [np.float32(-0.5), x, np.float32(0.5)], [None, 1, None])
  check_batching(bitwise.clamp_p, [np.array([-1.0, 0.0], np.float32), _r(3) - 1,
                                   np.float32(0.5)], [0, None, None])
  check_batching(bitwise.clamp_p, [np.float32(-1), x, _r(3, 2) - 1], [None, 0, 1])
  check_batching(bitwise.clamp_p, [np.zeros(3, np.float32), x, np.float32(0.5)],
                 [None, 0, None])


def test_batching_bitcast_convert_type():
  x = _r(2, 3)
  check_batching(bitwise.bitcast_convert_type_p, [x], [1], new_dtype=np.dtype(np.uint8))
  check_batching(bitwise.bitcast_convert_type_p, [x], [0], new_dtype=np.dtype(np.int32))
  u = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
  check_batching(bitwise.bitcast_convert_type_p, [u], [0], new_dtype=np.dtype(np.float32))
  # Widening consumes the trailing axis: a batch axis there has to move.
  check_batching(bitwise.bitcast_convert_type_p, [np.arange(12, dtype=np.uint8).reshape(3, 2, 2)],
                 [2], new_dtype=np.dtype(np.float16))


def test_every_elementwise_primitive_has_its_rules():
  from jaxlite.interpreters import mlir
  prims = [getattr(m, n) for m in (elementwise, transcendental, bitwise)
           for n in m.__all__ if n.endswith("_p")]
  assert len(prims) == 67
  for p in prims:
    assert p in mlir.lowering_rules, p
    assert p in batching.primitive_batchers, p
    if p is not bitwise.nextafter_p:
      assert p in ad.primitive_jvps, p
  linear = {elementwise.neg_p, elementwise.add_p, elementwise.sub_p, elementwise.mul_p,
            elementwise.div_p, elementwise.real_p, elementwise.imag_p, elementwise.complex_p,
            elementwise.conj_p, bitwise.select_n_p}
  assert {p for p in prims if p in ad.primitive_transposes} == linear


def test_vmap_end_to_end():
  if not hasattr(jaxlite, "vmap"):
    pytest.skip("jaxlite.vmap not available")
  x = _r(4, 3)
  out = jaxlite.vmap(lambda v: lax.clamp(0.8, lax.select_n(lax.gt(v, 1.0), v, lax.exp(v)),
                                         3.0))(x)
  np.testing.assert_allclose(out, np.clip(np.where(x > 1, np.exp(x), x), 0.8, 3.0),
                             rtol=1e-6)
