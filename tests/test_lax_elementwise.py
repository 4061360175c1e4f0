"""Tests for the elementwise lax primitives (lax/elementwise.py, transcendental.py,
bitwise.py): values against NumPy (and scipy.special) across dtypes, eagerly and
under jit with identical results; JAX's dtype and shape errors; weak-scalar
promotion. Derivatives, transposes and batching are in
tests/test_lax_elementwise_rules.py.
"""
import math
import operator

import ml_dtypes
import numpy as np
import pytest

import jaxlite
from jaxlite import config as config_lib
from jaxlite import lax

bf16 = np.dtype(ml_dtypes.bfloat16)
SIGNED = [np.int8, np.int16, np.int32]
UNSIGNED = [np.uint8, np.uint32]
INT = SIGNED + UNSIGNED
FLOAT = [np.float16, bf16, np.float32]
COMPLEX = [np.complex64]
SHAPE = (2, 3)


def _name(d):
  return np.dtype(d).name


def rand(rng, dtype, domain="any", shape=SHAPE):
  """Random values of ``dtype`` in ``domain``, exactly representable in it."""
  dtype = np.dtype(dtype)
  if dtype == np.bool_:
    return rng.rand(*shape) > 0.5
  if dtype.kind in "iu":
    lo, hi = {"any": (-50, 50), "small": (-5, 6), "pos": (1, 50)}.get(domain, (-50, 50))
    if dtype.kind == "u":
      lo = max(lo, 0)
    return rng.randint(lo, hi, size=shape).astype(dtype)
  low, high = {"any": (-3, 3), "pos": (0.1, 4), "unit": (-0.9, 0.9), "ge1": (1.1, 4),
               "tan": (-1.2, 1.2), "gamma": (0.2, 5),
               "small": (-3, 3)}[domain]
  real = rng.uniform(low, high, size=shape)
  if dtype.kind == "c":
    val = real + 1j * rng.uniform(-1.5, 1.5, size=shape)
  else:
    val = real
  return val.astype(dtype)


def tol(dtype):
  dtype = np.dtype(dtype)
  if dtype == bf16:
    return dict(rtol=2e-2, atol=2e-2)
  if dtype == np.float16:
    return dict(rtol=4e-3, atol=2e-3)
  return dict(rtol=2e-5, atol=2e-6)


def wide(x):
  """``x`` in float64/complex128, for reference computations."""
  x = np.asarray(x)
  if x.dtype.kind == "c":
    return x.astype(np.complex128)
  if x.dtype.kind in "f" or x.dtype == bf16:
    return x.astype(np.float64)
  return x


def check_eager_and_jit(fn, args, expected, **tolerance):
  """``fn(*args)`` eagerly and under jit: identical, and close to ``expected``."""
  eager = np.asarray(fn(*args))
  jitted = np.asarray(jaxlite.jit(fn)(*args))
  assert eager.dtype == jitted.dtype
  np.testing.assert_array_equal(eager, jitted)
  expected = np.asarray(expected)
  assert eager.dtype == expected.dtype, (eager.dtype, expected.dtype)
  assert eager.shape == expected.shape
  if expected.dtype.kind in "biu":
    np.testing.assert_array_equal(eager, expected)
  else:
    np.testing.assert_allclose(eager.astype(wide(expected).dtype), wide(expected),
                               equal_nan=True, **tolerance)


def _logistic(x):
  return 1 / (1 + np.exp(-x))


def _round_away(x):
  return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _complex_sign(x):
  return np.where(x == 0, 0, x / np.where(x == 0, 1, np.abs(x)))


# name, function, NumPy reference on wide values, dtypes, input domain
UNARY = [
    ("neg", lax.neg, np.negative, INT + FLOAT + COMPLEX, "any"),
    ("sign", lax.sign, np.sign, INT + FLOAT, "any"),
    ("sign_c", lax.sign, _complex_sign, COMPLEX, "any"),
    ("floor", lax.floor, np.floor, FLOAT, "any"),
    ("ceil", lax.ceil, np.ceil, FLOAT, "any"),
    ("exp", lax.exp, np.exp, FLOAT + COMPLEX, "any"),
    ("exp2", lax.exp2, np.exp2, FLOAT + COMPLEX, "any"),
    ("log", lax.log, np.log, FLOAT + COMPLEX, "pos"),
    ("log1p", lax.log1p, np.log1p, FLOAT + COMPLEX, "pos"),
    ("expm1", lax.expm1, np.expm1, FLOAT + COMPLEX, "any"),
    ("tanh", lax.tanh, np.tanh, FLOAT + COMPLEX, "any"),
    ("logistic", lax.logistic, _logistic, FLOAT + COMPLEX, "any"),
    ("sin", lax.sin, np.sin, FLOAT + COMPLEX, "any"),
    ("cos", lax.cos, np.cos, FLOAT + COMPLEX, "any"),
    ("tan", lax.tan, np.tan, FLOAT + COMPLEX, "tan"),
    ("asin", lax.asin, np.arcsin, FLOAT + COMPLEX, "unit"),
    ("acos", lax.acos, np.arccos, FLOAT + COMPLEX, "unit"),
    ("atan", lax.atan, np.arctan, FLOAT + COMPLEX, "any"),
    ("sinh", lax.sinh, np.sinh, FLOAT + COMPLEX, "any"),
    ("cosh", lax.cosh, np.cosh, FLOAT + COMPLEX, "any"),
    ("asinh", lax.asinh, np.arcsinh, FLOAT + COMPLEX, "any"),
    ("acosh", lax.acosh, np.arccosh, FLOAT + COMPLEX, "ge1"),
    ("atanh", lax.atanh, np.arctanh, FLOAT + COMPLEX, "unit"),
    ("sqrt", lax.sqrt, np.sqrt, FLOAT + COMPLEX, "pos"),
    ("rsqrt", lax.rsqrt, lambda x: 1 / np.sqrt(x), FLOAT + COMPLEX, "pos"),
    ("cbrt", lax.cbrt, np.cbrt, FLOAT, "any"),
    ("square", lax.square, np.square, INT + FLOAT + COMPLEX, "small"),
    ("abs", lax.abs, np.abs, SIGNED + FLOAT, "any"),
]


@pytest.mark.parametrize("name,fn,ref,dtype,domain", [
    pytest.param(n, f, r, d, dom, id=f"{n}-{_name(d)}")
    for n, f, r, dts, dom in UNARY for d in dts])
def test_unary(name, fn, ref, dtype, domain, rng):
  x = rand(rng, dtype, "small" if domain == "small" else domain)
  expected = ref(wide(x)).astype(dtype)
  check_eager_and_jit(fn, (x,), expected, **tol(dtype))


@pytest.mark.parametrize("dtype", FLOAT + [np.complex64], ids=_name)
def test_sign_of_zero_and_nan(dtype):
  x = np.array([np.nan, -0.0, 0.0, -2.5, 3.0]).astype(dtype)
  out = np.asarray(lax.sign(x))
  assert np.isnan(out[0])
  np.testing.assert_array_equal(out[1:].astype(np.complex128), [0, 0, -1, 1])
  if np.dtype(dtype).kind == "f" or dtype == bf16:
    assert np.signbit(out[1].astype(np.float32)) and not np.signbit(out[2].astype(np.float32))


def test_abs_of_complex_is_real_and_of_int_min_wraps(rng):
  z = rand(rng, np.complex64)
  check_eager_and_jit(lax.abs, (z,), np.abs(wide(z)).astype(np.float32), **tol(np.float32))
  x = np.array([-128, -3, 0, 127], np.int8)
  check_eager_and_jit(lax.abs, (x,), np.array([-128, 3, 0, 127], np.int8))


@pytest.mark.parametrize("dtype", FLOAT, ids=_name)
def test_round_and_is_finite(dtype):
  x = np.array([[0.5, 1.5, 2.5, -0.5], [-1.5, -2.5, 0.25, 3.75]]).astype(dtype)
  check_eager_and_jit(lax.round, (x,), _round_away(wide(x)).astype(dtype))
  check_eager_and_jit(lambda v: lax.round(v, lax.RoundingMethod.TO_NEAREST_EVEN), (x,),
                      np.round(wide(x)).astype(dtype))
  y = np.array([np.inf, -np.inf, np.nan, 0.0, -1.0, 65504.0]).astype(dtype)
  check_eager_and_jit(lax.is_finite, (y,), np.isfinite(wide(y)))


def test_rounding_method_values():
  assert int(lax.RoundingMethod.AWAY_FROM_ZERO) == 0
  assert int(lax.RoundingMethod.TO_NEAREST_EVEN) == 1
  x = np.array([2.5], np.float32)
  np.testing.assert_array_equal(lax.round(x, 1), [2.0])
  with pytest.raises(ValueError, match="'TO_NEAREST_EVEN' is not a valid RoundingMethod"):
    lax.round(x, "TO_NEAREST_EVEN")


@pytest.fixture(scope="module")
def special():
  return pytest.importorskip("scipy.special")


@pytest.mark.parametrize("name,domain", [("erf", "any"), ("erfc", "any"),
                                         ("erf_inv", "unit"), ("lgamma", "gamma"),
                                         ("digamma", "gamma")])
@pytest.mark.parametrize("dtype", FLOAT, ids=_name)
def test_special_functions(name, domain, dtype, rng, special):
  ref = {"erf": special.erf, "erfc": special.erfc, "erf_inv": special.erfinv,
         "lgamma": special.gammaln, "digamma": special.digamma}[name]
  x = rand(rng, dtype, domain)
  tolerance = tol(dtype)
  if np.dtype(dtype) == np.float32:   # XLA's approximations are good to a few ulps
    tolerance = dict(rtol=1e-5, atol=1e-5)
  check_eager_and_jit(getattr(lax, name), (x,), ref(wide(x)).astype(dtype), **tolerance)


@pytest.mark.parametrize("dtype", [np.float32], ids=_name)
def test_integer_pow(dtype, rng):
  x = rand(rng, dtype, "pos")
  for y in (-3, -1, 0, 1, 2, 5):
    check_eager_and_jit(lambda v: lax.integer_pow(v, y), (x,),
                        (wide(x) ** y).astype(dtype), **tol(dtype))


@pytest.mark.parametrize("dtype", [np.int8, np.uint32, np.int32, np.float16, bf16,
                                   np.complex64], ids=_name)
def test_integer_pow_dtypes(dtype, rng):
  x = rand(rng, dtype, "small")
  expected = (x ** 3) if np.dtype(dtype).kind in "iu" else (wide(x) ** 3).astype(dtype)
  check_eager_and_jit(lambda v: lax.integer_pow(v, 3), (x,), expected, **tol(dtype))


# --- binary -------------------------------------------------------------------------------


def _trunc_div(x, y):
  if x.dtype.kind in "iu":
    q = np.abs(x.astype(np.int64)) // np.abs(y.astype(np.int64))
    return (np.sign(x.astype(np.int64)) * np.sign(y.astype(np.int64)) * q).astype(x.dtype)
  return x / y


def _lexicographic(pick_first):
  def ref(x, y):
    first = (x.real > y.real) | ((x.real == y.real) & (x.imag > y.imag))
    return np.where(first == pick_first, x, y)
  return ref


BINARY = [
    ("add", lax.add, np.add, INT + FLOAT + COMPLEX, "any", "any"),
    ("sub", lax.sub, np.subtract, INT + FLOAT + COMPLEX, "any", "any"),
    ("mul", lax.mul, np.multiply, INT + FLOAT + COMPLEX, "small", "small"),
    ("div", lax.div, _trunc_div, INT + FLOAT + COMPLEX, "any", "pos"),
    ("rem", lax.rem, np.fmod, INT + FLOAT, "any", "pos"),
    ("max", lax.max, np.maximum, [np.bool_] + INT + FLOAT, "any", "any"),
    ("min", lax.min, np.minimum, [np.bool_] + INT + FLOAT, "any", "any"),
    ("max_c", lax.max, _lexicographic(True), COMPLEX, "any", "any"),
    ("min_c", lax.min, _lexicographic(False), COMPLEX, "any", "any"),
    ("atan2", lax.atan2, np.arctan2, FLOAT, "any", "any"),
    ("pow", lax.pow, np.power, FLOAT + COMPLEX, "pos", "any"),
    ("nextafter", lax.nextafter, np.nextafter, [np.float16, np.float32], "any", "any"),
]


@pytest.mark.parametrize("name,fn,ref,dtype,dx,dy", [
    pytest.param(n, f, r, d, dx, dy, id=f"{n}-{_name(d)}")
    for n, f, r, dts, dx, dy in BINARY for d in dts])
def test_binary(name, fn, ref, dtype, dx, dy, rng):
  x, y = rand(rng, dtype, dx), rand(rng, dtype, dy)
  if np.dtype(dtype).kind in "biu" or name == "nextafter":
    expected = ref(x, y)    # exact: in the dtype itself (integers wrap, as XLA's)
  else:
    expected = ref(wide(x), wide(y)).astype(dtype)
  check_eager_and_jit(fn, (x, y), expected, **tol(dtype))


def test_atan2_complex_matches_jax(rng, jax_reference):
  x, y = rand(rng, np.complex64), rand(rng, np.complex64)
  expected = np.asarray(jax_reference.lax.atan2(x, y))
  check_eager_and_jit(lax.atan2, (x, y), expected, rtol=1e-5, atol=1e-6)


def test_integer_division_and_remainder_round_toward_zero():
  x = np.array([-7, 7, -7, 7, 0], np.int32)
  y = np.array([2, -2, -2, 2, 3], np.int32)
  check_eager_and_jit(lax.div, (x, y), np.array([-3, -3, 3, 3, 0], np.int32))
  check_eager_and_jit(lax.rem, (x, y), np.array([-1, 1, -1, 1, 0], np.int32))


def test_max_min_propagate_nan():
  x = np.array([np.nan, 1.0, 2.0], np.float32)
  y = np.array([1.0, np.nan, 1.0], np.float32)
  check_eager_and_jit(lax.max, (x, y), np.array([np.nan, np.nan, 2.0], np.float32))
  check_eager_and_jit(lax.min, (x, y), np.array([np.nan, np.nan, 1.0], np.float32))


@pytest.mark.parametrize("ydtype", [np.int32, np.uint8, np.float32], ids=_name)
def test_pow_with_integer_or_float_exponent(ydtype, rng):
  x = rand(rng, np.float32, "any")
  y = rand(rng, ydtype, "small")
  if np.dtype(ydtype).kind == "f":
    x = np.abs(x) + 0.1
  check_eager_and_jit(lax.pow, (x, y), np.power(wide(x), wide(y)).astype(np.float32),
                      rtol=1e-5, atol=1e-6)
  z = rand(rng, np.complex64)
  check_eager_and_jit(lax.pow, (z, np.int32(3)), (wide(z) ** 3).astype(np.complex64),
                      rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64], ids=_name)
def test_rank0_operands_broadcast(dtype, rng):
  x = rand(rng, dtype)
  s = np.asarray(rand(rng, dtype, shape=()))
  check_eager_and_jit(lax.sub, (s, x), (wide(s) - wide(x)).astype(dtype), **tol(dtype))
  check_eager_and_jit(lax.mul, (x, s), (wide(x) * wide(s)).astype(dtype), **tol(dtype))
  check_eager_and_jit(lambda a, b: lax.atan2(a, b) if dtype == np.float32 else lax.div(a, b),
                      (x, s), (np.arctan2(wide(x), wide(s)) if dtype == np.float32
                               else wide(x) / wide(s)).astype(dtype), **tol(dtype))


# --- complex parts ------------------------------------------------------------------------


def test_real_imag_complex_conj(rng):
  z = rand(rng, np.complex64)
  a, b = rand(rng, np.float32), rand(rng, np.float32)
  check_eager_and_jit(lax.real, (z,), z.real)
  check_eager_and_jit(lax.imag, (z,), z.imag)
  check_eager_and_jit(lax.complex, (a, b), (a + 1j * b).astype(np.complex64))
  check_eager_and_jit(lax.conj, (z,), np.conj(z))
  check_eager_and_jit(lax.conj, (a,), a.astype(np.complex64))


def test_complex_and_conj_under_x64(rng):
  with config_lib.enable_x64(True):
    a, b = rand(rng, np.float64), rand(rng, np.float64)
    z = lax.complex(a, b)
    assert z.dtype == np.complex128
    np.testing.assert_array_equal(lax.conj(z), a - 1j * b)
    assert lax.conj(a).dtype == np.complex128
    np.testing.assert_array_equal(lax.real(z), a)
    np.testing.assert_allclose(lax.exp(a), np.exp(a), rtol=1e-13)


# --- comparisons, bitwise, shifts -------------------------------------------------------------

COMPARISONS = [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt),
               ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge)]


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.uint32, np.float16,
                                   bf16, np.float32], ids=_name)
def test_comparisons(dtype, rng):
  x, y = rand(rng, dtype, shape=(8,)), rand(rng, dtype, shape=(8,))
  y[:3] = x[:3]   # some ties
  if np.dtype(dtype).kind == "u":   # orderings that differ from the signed ones
    x[3], y[3] = np.iinfo(dtype).max, 1
  if np.dtype(dtype).kind == "f" or dtype == bf16:   # NaN: unordered, only ne is true
    x[4], y[5] = np.nan, np.nan
  for name, op in COMPARISONS:
    check_eager_and_jit(getattr(lax, name), (x, y), op(wide(x), wide(y)))


def test_complex_equality(rng):
  z = rand(rng, np.complex64)
  w = z.copy()
  w[0, 0] += 1j
  check_eager_and_jit(lax.eq, (z, w), z == w)
  check_eager_and_jit(lax.ne, (z, w), z != w)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int32, np.uint32],
                         ids=_name)
def test_bitwise(dtype, rng):
  info = None if dtype == np.bool_ else np.iinfo(dtype)
  if info is None:
    x, y = rand(rng, dtype), rand(rng, dtype)
  else:
    x = rng.randint(info.min, int(info.max) + 1, size=SHAPE, dtype=np.int64).astype(dtype)
    y = rng.randint(info.min, int(info.max) + 1, size=SHAPE, dtype=np.int64).astype(dtype)
  check_eager_and_jit(lax.bitwise_and, (x, y), x & y)
  check_eager_and_jit(lax.bitwise_or, (x, y), x | y)
  check_eager_and_jit(lax.bitwise_xor, (x, y), x ^ y)
  check_eager_and_jit(lax.bitwise_not, (x,), ~x)
  if info is not None:
    bits = info.bits
    unsigned = x.view(np.dtype(f"u{bits // 8}"))   # NumPy counts bits of |x| otherwise
    check_eager_and_jit(lax.population_count, (x,), np.bitwise_count(unsigned).astype(dtype))
    clz = [bits - int(v).bit_length() for v in unsigned.ravel()]
    check_eager_and_jit(lax.clz, (x,), np.array(clz, dtype).reshape(SHAPE))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.uint32], ids=_name)
def test_shifts(dtype):
  bits = np.iinfo(dtype).bits
  x = np.array([1, 5, np.iinfo(dtype).max, np.iinfo(dtype).min, 3, 7, 2, 1]
               ).astype(dtype) if np.dtype(dtype).kind == "i" else \
      np.array([1, 5, np.iinfo(dtype).max, 1 << (bits - 1), 3, 7, 2, 1], dtype)
  if np.dtype(dtype).kind == "i":
    x[3] = np.iinfo(dtype).min
    x[5] = -7
  s = np.array([0, 1, 3, bits - 1, bits, bits + 3, 2, 1], dtype)
  u = np.dtype(f"u{bits // 8}")
  ux = x.view(u).astype(object)
  mask = (1 << bits) - 1
  left = [((int(v) << int(k)) & mask) if k < bits else 0 for v, k in zip(ux, s)]
  logical = [(int(v) >> int(k)) if k < bits else 0 for v, k in zip(ux, s)]
  signed = x.view(np.dtype(f"i{bits // 8}")).astype(object)
  arith = [int(v) >> min(int(k), bits - 1) for v, k in zip(signed, s)]
  as_dtype = lambda vals: np.array([v & mask for v in vals], np.uint64).astype(u).view(dtype)
  check_eager_and_jit(lax.shift_left, (x, s), as_dtype(left))
  check_eager_and_jit(lax.shift_right_logical, (x, s), as_dtype(logical))
  check_eager_and_jit(lax.shift_right_arithmetic, (x, s), as_dtype(arith))


# --- select_n, clamp, bitcast ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.float32, np.complex64], ids=_name)
def test_select_n(dtype, rng):
  cases = [rand(rng, dtype) for _ in range(3)]
  pred = rng.rand(*SHAPE) > 0.5
  check_eager_and_jit(lax.select_n, (pred, cases[0], cases[1]),
                      np.where(pred, cases[1], cases[0]))
  check_eager_and_jit(lax.select, (pred, cases[0], cases[1]),
                      np.where(pred, cases[0], cases[1]))
  which = np.array([[0, 1, 2], [2, 1, 0]], np.int32)
  check_eager_and_jit(lax.select_n, (which, *cases), np.choose(which, cases))
  check_eager_and_jit(lax.select_n, (np.bool_(True), cases[0], cases[1]), cases[1])


def test_select_n_out_of_range_index_and_single_case():
  which = np.array([0, 1, 2, 5, -1], np.int32)
  cases = [np.full(5, i, np.float32) for i in range(3)]
  check_eager_and_jit(lax.select_n, (which, *cases), np.array([0, 1, 2, 2, 0], np.float32))
  check_eager_and_jit(lax.select_n, (np.uint8(7), cases[1]), cases[1])


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float16, np.float32], ids=_name)
def test_clamp(dtype, rng):
  x = rand(rng, dtype)
  lo, hi = np.array(1, dtype), np.array(20 if np.dtype(dtype).kind in "iu" else 1.5, dtype)
  check_eager_and_jit(lax.clamp, (lo, x, hi), np.clip(x, lo, hi))
  los = np.minimum(rand(rng, dtype), x)
  check_eager_and_jit(lax.clamp, (los, x, hi), np.clip(x, los, hi))


def test_clamp_complex_matches_jax(jax_reference):
  x = np.array([0 + 5j, 1 + 0j, 1 + 2j, 3 + 0j], np.complex64)
  lo, hi = np.complex64(1 + 1j), np.complex64(2)
  check_eager_and_jit(lax.clamp, (lo, x, hi), np.asarray(jax_reference.lax.clamp(lo, x, hi)))


@pytest.mark.parametrize("src,dst", [(np.float32, np.int32), (np.int32, np.float32),
                                     (np.float32, np.uint8), (np.uint8, np.float32),
                                     (np.float16, bf16), (np.int16, np.int8),
                                     (np.int8, np.uint16)])
def test_bitcast_convert_type(src, dst, rng):
  src, dst = np.dtype(src), np.dtype(dst)
  shape = (2, dst.itemsize // src.itemsize) if src.itemsize < dst.itemsize else (2, 3)
  x = rng.randint(0, 255, size=shape + (src.itemsize,)).astype(np.uint8).view(src)[..., 0]
  if src.itemsize < dst.itemsize:   # the trailing axis becomes one wider element
    expected = np.ascontiguousarray(x).view(dst).reshape(x.shape[:-1])
  elif src.itemsize > dst.itemsize:
    expected = np.ascontiguousarray(x).view(dst).reshape(x.shape + (src.itemsize // dst.itemsize,))
  else:
    expected = x.view(dst)
  out = lax.bitcast_convert_type(x, dst)
  assert out.dtype == dst and out.shape == expected.shape
  check_eager_and_jit(lambda v: lax.bitcast_convert_type(v, dst), (x,), expected,
                      rtol=0, atol=0)


# --- weak types and promotion -----------------------------------------------------------------


_MIXED_DTYPE_CALLS = {
    # lax does no dtype promotion, not even of Python scalars (JAX 0.10.2):
    # each of these is JAX's TypeError, with its message.
    "add f16 2.0": lambda l: l.add(np.ones(3, np.float16), 2.0),
    "mul 2.0 f16": lambda l: l.mul(2.0, np.ones(3, np.float16)),
    "max f16 2.0": lambda l: l.max(np.ones(3, np.float16), 2.0),
    "atan2 f16 2.0": lambda l: l.atan2(np.ones(3, np.float16), 2.0),
    "shift_left i8 1": lambda l: l.shift_left(np.arange(6, dtype=np.int8), 1),
    "sub 3 i8": lambda l: l.sub(3, np.arange(6, dtype=np.int8)),
    "clamp 1 u8 1": lambda l: l.clamp(1, np.arange(3, dtype=np.uint8), 1),
    "select True u8 9": lambda l: l.select(True, np.uint8(4), 9),
    "mul weak f16": lambda l: l.mul(l.add(1.0, 2.0), np.ones(3, np.float16)),
    "pow f16 3.0": lambda l: l.pow(np.float16(2), 3.0),
}


@pytest.mark.parametrize("name", sorted(_MIXED_DTYPE_CALLS))
def test_mixed_dtypes_raise_as_in_jax(name, jax_reference):
  call = _MIXED_DTYPE_CALLS[name]
  with pytest.raises(TypeError) as expected:
    call(jax_reference.lax)
  with pytest.raises(TypeError) as got:
    call(lax)
  assert str(got.value).splitlines()[0] == str(expected.value).splitlines()[0]


def test_python_scalars_of_the_same_dtype(rng, jax_reference):
  x = rand(rng, np.float32)
  for fn, ref in ((lax.add, np.add), (lax.mul, np.multiply), (lax.max, np.maximum),
                  (lax.atan2, np.arctan2)):
    out = fn(x, 2.0)
    assert out.dtype == np.float32 and not out.weak_type
    np.testing.assert_allclose(out, ref(x, np.float32(2.0)), rtol=1e-6)
  out = lax.pow(np.float16(2), 3)   # pow takes an integer exponent
  assert out.dtype == np.float16
  assert out.dtype == jax_reference.lax.pow(np.float16(2), 3).dtype


def test_weak_arrays_weak_results():
  w = lax.add(1.0, 2.0)      # weakly typed float32
  assert w.weak_type
  assert lax.mul(w, np.ones(3, np.float32)).dtype == np.float32
  assert lax.lt(1.0, 2.0).weak_type and lax.lt(1.0, 2.0).dtype == np.bool_
  assert lax.sin(1.0).weak_type and not lax.sin(np.float32(1)).weak_type
  assert lax.abs(1j).dtype == np.float32 and lax.abs(1j).weak_type


def test_no_promotion_where_jax_would_change_kind():
  with pytest.raises(TypeError, match=r"lax.add requires arguments to have the same dtypes, "
                     r"got int8, float32\."):
    lax.add(np.ones(3, np.int8), 2.5)
  with pytest.raises(TypeError, match=r"lax.add requires arguments to have the same dtypes, "
                     r"got float32, int32\."):
    lax.add(1.0, 2)   # two weak operands: nothing to promote to, as in JAX


# --- errors: JAX's exceptions and messages -----------------------------------------------------

_f32 = lambda *s: np.ones(s or (3,), np.float32)
_of = lambda dtype, *s: np.ones(s or (3,), dtype)

# (lax function name, arguments, exception, JAX's exact message)
ERRORS = [
    ("sin", (_of(np.int8),), TypeError,
     "sin does not accept dtype int8. Accepted dtypes are subtypes of floating, "
     "complexfloating."),
    ("neg", (_of(np.bool_),), TypeError,
     "neg does not accept dtype bool. Accepted dtypes are subtypes of integer, floating, "
     "complexfloating."),
    ("floor", (_of(np.int32),), TypeError,
     "floor does not accept dtype int32. Accepted dtypes are subtypes of floating."),
    ("abs", (_of(np.uint32),), TypeError,
     "abs does not accept dtype uint32. Accepted dtypes are subtypes of floating, "
     "complexfloating, signedinteger."),
    ("cbrt", (_of(np.complex64),), TypeError,
     "cbrt does not accept dtype complex64. Accepted dtypes are subtypes of floating."),
    ("real", (_f32(),), TypeError,
     "real does not accept dtype float32. Accepted dtypes are subtypes of complexfloating."),
    ("conj", (_of(np.int32),), TypeError,
     "conj does not accept dtype int32. Accepted dtypes are subtypes of float32, "
     "complexfloating, float64."),
    ("is_finite", (_of(np.int32),), TypeError,
     "is_finite does not accept dtype int32. Accepted dtypes are subtypes of floating."),
    ("bitwise_not", (_of(np.float16),), TypeError,
     "not does not accept dtype float16. Accepted dtypes are subtypes of integer, bool."),
    ("population_count", (_of(np.bool_),), TypeError,
     "population_count does not accept dtype bool. Accepted dtypes are subtypes of integer."),
    ("clz", (_f32(),), TypeError,
     "clz does not accept dtype float32. Accepted dtypes are subtypes of integer."),
    ("bitwise_and", (_f32(), _f32()), TypeError,
     "and does not accept dtype float32 at position 0. Accepted dtypes at position 0 are "
     "subtypes of integer, bool."),
    ("shift_left", (_of(np.bool_), _of(np.bool_)), TypeError,
     "shift_left does not accept dtype bool at position 0. Accepted dtypes at position 0 "
     "are subtypes of integer."),
    ("sub", (_of(np.bool_), _of(np.bool_)), TypeError,
     "sub does not accept dtype bool at position 0. Accepted dtypes at position 0 are "
     "subtypes of integer, floating, complexfloating."),
    ("lt", (_of(np.complex64), _of(np.complex64)), TypeError,
     "lt does not accept dtype complex64 at position 0. Accepted dtypes at position 0 are "
     "subtypes of integer, floating, bool."),
    ("nextafter", (_of(np.int32), _of(np.int32)), TypeError,
     "nextafter does not accept dtype int32 at position 0. Accepted dtypes at position 0 "
     "are subtypes of floating."),
    ("complex", (_f32(), _of(np.float16)), TypeError,
     "complex does not accept dtype float16 at position 1. Accepted dtypes at position 1 "
     "are subtypes of float32, float64."),
    ("add", (_of(np.int8), _of(np.int16)), TypeError,
     "lax.add requires arguments to have the same dtypes, got int8, int16. (Tip: jnp.add "
     "is a similar function that does automatic type promotion on inputs)."),
    ("rem", (_of(np.int8), _of(np.int16)), TypeError,
     "lax.rem requires arguments to have the same dtypes, got int8, int16."),
    ("shift_right_logical", (_of(np.int8), _of(np.uint8)), TypeError,
     "lax.shift_right_logical requires arguments to have the same dtypes, got int8, uint8. "
     "(Tip: jnp.right_shift is a similar function that does automatic type promotion on "
     "inputs)."),
    ("atan2", (_f32(), _of(np.float16)), TypeError,
     "lax.atan2 requires arguments to have the same dtypes, got float32, float16. (Tip: "
     "jnp.arctan2 is a similar function that does automatic type promotion on inputs)."),
    ("pow", (_of(np.int32), _of(np.int32)), TypeError,
     "pow does not accept dtype int32 at position 0. Accepted dtypes at position 0 are "
     "subtypes of floating, complexfloating."),
    ("pow", (_f32(), _of(np.bool_)), TypeError,
     "pow does not accept dtype bool at position 1. Accepted dtypes at position 1 are "
     "subtypes of integer, floating, complexfloating."),
    ("pow", (_f32(), _of(np.float16)), TypeError,
     "the first argument to pow must have an inexact dtype (float or complex), and the "
     "second argument must have an inexact or integer dtype, and two inexact dtypes must "
     "match, but got float32 and float16 respectively."),
    ("integer_pow", (_of(np.int32), -2), TypeError,
     "Integers cannot be raised to negative powers, got integer_pow(int32[3], -2)"),
    ("add", (_f32(3), _f32(4)), TypeError,
     "add got incompatible shapes for broadcasting: (3,), (4,)."),
    ("mul", (_f32(2, 3), _f32(3)), TypeError,
     "mul: arrays must have the same number of dimensions, got {1, 2}"),
    ("select_n", (_of(np.bool_),), ValueError, "select_n() must have at least one case"),
    ("select_n", (_f32(), _f32(), _f32()), TypeError,
     "select `which` must be boolean or integer type, got float32."),
    ("select_n", (True, _f32(), _f32(), _f32()), TypeError,
     "select with boolean `which` cannot have > 2 cases."),
    ("select_n", (_of(np.bool_), _f32(3), _f32(4)), TypeError,
     "select cases must have the same shapes, got [(3,), (4,)]."),
    ("select_n", (_of(np.bool_, 2), _f32(3), _f32(3)), TypeError,
     "select `which` must be scalar or have the same shape as cases, got `which` shape "
     "(2,) but case shape (3,)."),
    ("select_n", (_of(np.bool_), _f32(), _of(np.int32)), TypeError,
     "lax.select requires arguments to have the same dtypes, got float32, int32. (Tip: "
     "jnp.where is a similar function that does automatic type promotion on inputs)."),
    ("clamp", (_f32(2), _f32(3), 2.0), TypeError,
     "clamp requires min.shape == operand.shape or min.shape == (), got min.shape=(2,), "
     "operand.shape=(3,)."),
    ("clamp", (np.float32(0), _f32(), np.float16(2)), TypeError,
     "lax.clamp requires arguments to have the same dtypes, got float32, float32, float16."),
    ("bitcast_convert_type", (_of(np.uint8, 2, 3), np.float32), ValueError,
     "Attempting to convert array of shape (2, 3) from uint8 of size 8 bits to float32 of "
     "size 32, bits but 3 * 8 != 32"),
    ("bitcast_convert_type", (_f32(2, 3), np.bool_), TypeError,
     "lax.bitcast_convert_type does not support bool or complex values unless the operand "
     "and destination types match. Got operand dtype=float32, new_dtype=dtype('bool'). "
     "Consider using the arr.view() method instead."),
]


@pytest.mark.parametrize("name,args,exc,message", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_match_jax(name, args, exc, message):
  # str(e) is the message; traceback filtering adds its explanation as a
  # PEP 678 note, which pytest's `match` would include.
  with pytest.raises(exc) as info:
    getattr(lax, name)(*args)
  assert str(info.value) == message
  with pytest.raises(exc) as info:   # the same when traced
    jaxlite.make_jaxpr(lambda: getattr(lax, name)(*args))()
  assert str(info.value) == message


def test_error_messages_are_jaxs(jax_reference):
  """The table above holds what JAX itself says (a check of the test's oracle)."""
  for name, args, exc, message in ERRORS:
    with pytest.raises(exc) as info:
      getattr(jax_reference.lax, name)(*args)
    assert str(info.value) == message, name
