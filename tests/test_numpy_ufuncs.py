"""jaxlite.numpy ufuncs, differentially against NumPy (and JAX for dtypes)."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

_X = np.array([0.5, -0.25, 2.0, -3.0, 0.0], np.float32)      # float32[5] everywhere
_POS = np.array([0.5, 0.25, 2.0, 3.0, 1.0], np.float32)
_UNIT = np.array([0.5, -0.25, 0.9, -0.75, 0.0], np.float32)
_I = np.array([12, -7, 5, 0, 3], np.int32)
_J = np.array([10, 3, -2, 4, 3], np.int32)


def _check(got, want, rtol=1e-5, atol=1e-6, dtype=True):
  got = np.asarray(got)
  assert got.shape == np.shape(want), (got.shape, np.shape(want))
  if dtype:
    assert got.dtype == np.asarray(want).dtype, (got.dtype, np.asarray(want).dtype)
  np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)


_UNARY = [
    ("sin", _X), ("cos", _X), ("tan", _X), ("arcsin", _UNIT), ("arccos", _UNIT),
    ("arctan", _X), ("sinh", _X), ("cosh", _X), ("tanh", _X), ("arcsinh", _X),
    ("arccosh", _POS + 1), ("arctanh", _UNIT), ("exp", _X), ("expm1", _X),
    ("log", _POS), ("log1p", _POS), ("sqrt", _POS), ("cbrt", _X), ("exp2", _X),
    ("log2", _POS), ("log10", _POS), ("deg2rad", _X), ("rad2deg", _X),
    ("sinc", _X), ("floor", _X), ("ceil", _X), ("trunc", _X), ("rint", _X),
    ("fabs", _X), ("sign", _X), ("reciprocal", _POS), ("square", _X),
    ("negative", _X), ("absolute", _X), ("isnan", _X), ("isinf", _X),
    ("isfinite", _X), ("signbit", _X), ("real", _X), ("imag", _X),
    ("conjugate", _X), ("angle", _X), ("logical_not", _X), ("positive", _X),
    ("isposinf", _X), ("isneginf", _X), ("isreal", _X),
]


@pytest.mark.parametrize("name,x", _UNARY, ids=[u[0] for u in _UNARY])
def test_unary_against_numpy(name, x):
  _check(getattr(jnp, name)(jnp.asarray(x)), getattr(np, name)(x))


@pytest.mark.parametrize("name", ["sin", "exp", "floor", "sign", "absolute", "isnan",
                                  "square", "negative"])
def test_unary_under_jit(name):
  f = jaxlite.jit(getattr(jnp, name))
  _check(f(_X), getattr(np, name)(_X))


_BINARY = ["add", "subtract", "multiply", "true_divide", "floor_divide", "remainder",
           "fmod", "power", "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp",
           "logaddexp2", "copysign", "heaviside", "arctan2", "equal", "not_equal", "less",
           "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
           "logical_xor", "nextafter"]


@pytest.mark.parametrize("name", _BINARY)
def test_binary_float_broadcasting(name):
  # (5, 1) against (5,): NumPy broadcasting to (5, 5).
  x = _X.reshape(5, 1)
  y = np.where(_POS == 0, 1, _POS)
  if name == "power":
    x = np.abs(x)
  with np.errstate(all="ignore"):
    want = getattr(np, name)(x, y)
  _check(getattr(jnp, name)(jnp.asarray(x), jnp.asarray(y)), want)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "floor_divide",
                                  "remainder", "fmod", "maximum", "minimum",
                                  "bitwise_and", "bitwise_or", "bitwise_xor", "gcd",
                                  "lcm", "equal", "less"])
def test_binary_int(name):
  want = getattr(np, name)(_I, _J)
  _check(getattr(jnp, name)(_I, _J), want)


def test_int_division_results_are_float32():
  # JAX computes true division of int32 in float32 (NumPy would use float64).
  out = jnp.true_divide(_I, _J)
  assert out.dtype == np.float32
  _check(out, (_I / _J).astype(np.float32))


def test_shifts_and_bitwise_not():
  shift = np.array([1, 2, 0, 3, 1], np.int32)
  _check(jnp.left_shift(_I, shift), np.left_shift(_I, shift))
  _check(jnp.right_shift(_I, shift), np.right_shift(_I, shift))
  u = np.array([200, 7, 1, 0, 255], np.uint8)
  _check(jnp.right_shift(u, np.uint8(1)), np.right_shift(u, np.uint8(1)))
  _check(jnp.bitwise_not(_I), np.bitwise_not(_I))
  _check(jnp.invert(np.array([True, False])), np.invert(np.array([True, False])))
  _check(jnp.bitwise_count(_I), np.bitwise_count(_I))


def test_integer_power():
  base = np.array([2, -1, 3, 0, -2], np.int32)
  exps = np.array([3, 5, 0, 2, 1], np.int32)
  _check(jnp.power(base, exps), np.power(base, exps))
  _check(jnp.power(jnp.asarray(base), 3), np.power(base, 3))
  # Negative exponents: 0 except for bases 1 and -1, as JAX.
  out = jnp.power(np.array([2, 1, -1, -1], np.int32), np.array([-1, -3, -3, -2], np.int32))
  np.testing.assert_array_equal(out, [0, 1, -1, 1])


def test_divmod_and_modf_frexp_ldexp():
  q, r = jnp.divmod(_I, _J)
  np.testing.assert_array_equal(q, np.floor_divide(_I, _J))
  np.testing.assert_array_equal(r, np.remainder(_I, _J))
  q, r = jnp.divmod(_X, np.float32(0.75))
  _check(q, np.floor_divide(_X, np.float32(0.75)))
  _check(r, np.remainder(_X, np.float32(0.75)))
  for got, want in zip(jnp.modf(_X), np.modf(_X)):
    _check(got, want)
  x = np.array([8.0, 0.3, 0.0, -5.0, 1e-3], np.float32)
  for got, want in zip(jnp.frexp(x), np.frexp(x)):
    _check(got, want)
  _check(jnp.ldexp(_X, _J), np.ldexp(_X, _J))


def test_where_clip_nan_to_num_isclose():
  cond = _X > 0
  _check(jnp.where(cond, _X, 0.0), np.where(cond, _X, np.float32(0)))
  _check(jnp.where(cond.reshape(5, 1), _X, _POS), np.where(cond.reshape(5, 1), _X, _POS))
  _check(jnp.clip(_X, -1, 1), np.clip(_X, -1, 1))
  _check(jnp.clip(_X, max=0.1), np.clip(_X, None, 0.1))
  special = np.array([np.nan, np.inf, -np.inf, 1.0, -0.0], np.float32)
  _check(jnp.nan_to_num(special), np.nan_to_num(special))
  _check(jnp.nan_to_num(special, nan=1.0, posinf=2.0, neginf=-2.0),
         np.nan_to_num(special, nan=1.0, posinf=2.0, neginf=-2.0))
  _check(jnp.isclose(_X, _X + 1e-7), np.isclose(_X, _X + 1e-7))
  _check(jnp.isclose(special, special, equal_nan=True),
         np.isclose(special, special, equal_nan=True))
  for name in ("isnan", "isinf", "isfinite", "signbit", "isposinf", "isneginf"):
    _check(getattr(jnp, name)(special), getattr(np, name)(special))


def test_round():
  x = np.array([2.5, 1.2345, -0.5, 3.5, -1.55], np.float32)
  _check(jnp.round(x), np.round(x))
  _check(jnp.round(x, 2), np.round(x, 2))
  _check(jnp.round(_I, -1), np.round(_I, -1))
  _check(jnp.around(x, 1), np.around(x, 1))


def test_complex_parts():
  z = np.array([1 + 2j, -3j, 0.5, -1 - 1j, 0], np.complex64)
  for name in ("real", "imag", "conjugate", "angle", "absolute", "isreal", "iscomplex",
               "sign", "isfinite"):
    want = getattr(np, name)(z)
    _check(getattr(jnp, name)(z), want)


@pytest.mark.parametrize("shape", [(), (0,), (2, 0)])
def test_zero_rank_and_empty(shape):
  x = np.ones(shape, np.float32)
  _check(jnp.add(x, x), x + x)
  _check(jnp.sin(x), np.sin(x))
  _check(jnp.where(x > 0, x, -x), np.where(x > 0, x, -x))


def test_bool_arithmetic():
  a = np.array([True, False, True, False, True])
  b = np.array([True, True, False, False, True])
  _check(jnp.add(a, b), np.add(a, b))
  _check(jnp.multiply(a, b), np.multiply(a, b))
  with pytest.raises(TypeError):
    jnp.negative(a)


def test_broadcast_error_names_both_shapes():
  with pytest.raises(TypeError, match=r"add got incompatible shapes for broadcasting: "
                     r"\(3,\), \(4,\)"):
    jnp.add(jnp.ones(3), jnp.ones(4))


def test_list_arguments_are_rejected():
  with pytest.raises(TypeError, match="requires ndarray or scalar arguments"):
    jnp.add([1, 2], 1)


_PROMOTION_CASES = [
    (np.int8, 1), (np.int8, 1.0), (np.uint8, 300 - 44), (np.float16, 1.0), (np.float16, 1),
    (np.int32, 1.5), (np.bool_, 1), (np.bool_, 1.0), (np.float32, 1j),
    (np.int16, np.uint8(1)), (np.int32, np.float16(1)),
]


@pytest.mark.parametrize("dtype,scalar", _PROMOTION_CASES)
def test_weak_type_promotion_matches_jax(dtype, scalar):
  jax = pytest.importorskip("jax")
  jax_jnp = pytest.importorskip("jax.numpy")
  x = np.ones(3, dtype)
  for op in ("add", "multiply"):
    ours = getattr(jnp, op)(x, scalar)
    theirs = getattr(jax_jnp, op)(x, scalar)
    assert ours.dtype == theirs.dtype, (op, ours.dtype, theirs.dtype)
    assert ours.weak_type == theirs.weak_type
  del jax


@pytest.mark.parametrize("a,b", [(1, 2.0), (1, 2), (2.0, 1j), (True, 1)])
def test_python_scalars_give_weak_results(a, b):
  out = jnp.add(a, b)
  want_dtype = jnp.result_type(a, b)
  assert out.dtype == want_dtype
  assert out.weak_type == (type(a) is not bool or type(b) is not bool)
  out = jaxlite.jit(jnp.add)(a, b)
  assert out.dtype == want_dtype


def test_ufuncs_under_jit_keep_weak_literals():
  jaxpr = jaxlite.make_jaxpr(lambda x: jnp.multiply(x, 2.0) + 1)(np.ones(2, np.float16))
  text = str(jaxpr)
  assert "mul" in text and "f16[2]" in text
  assert "convert_element_type" not in text


_FLOAT_DIVMOD_ARGS = [
    (np.array([1.5, -2.0, 3.0, -7.5, 1.0, 0.0], np.float32),
     np.array([0.5, 3.0, -2.0, 2.0, 0.0, -0.0], np.float32)),
    (np.float16(-7), 2.0),
    (-7.5, 2.0),
    (np.array([-3.0, 4.0], jnp.bfloat16), np.array([2.0, -0.0], jnp.bfloat16)),
]


@pytest.mark.parametrize("name", ["floor_divide", "divmod"])
@pytest.mark.parametrize("args", _FLOAT_DIVMOD_ARGS, ids=["f32", "f16_weak", "weak", "bf16"])
def test_float_floor_divide_and_divmod_match_jax(name, args):
  # ``div - 1`` is JAX's ``sub div 1.0:f32[]`` (a literal, no broadcast ones
  # array); divmod is a jit of its own; values and weak types are JAX's.
  jax = pytest.importorskip("jax")
  import jax.numpy as jax_jnp   # pylint: disable=g-import-not-at-top
  ours_fn, theirs_fn = getattr(jnp, name), getattr(jax_jnp, name)
  assert str(jaxlite.make_jaxpr(ours_fn)(*args)) == str(jax.make_jaxpr(theirs_fn)(*args))
  ours, theirs = ours_fn(*args), theirs_fn(*args)
  for o, t in zip(*(jaxlite.tree_util.tree_leaves(v) for v in (ours, theirs))):
    assert (o.dtype, o.weak_type) == (t.dtype, t.weak_type)
    np.testing.assert_array_equal(np.asarray(o), np.asarray(t))


def test_closed_over_bool_mask_is_its_values_under_jit():
  # A NumPy bool array embedded in a program as a constant keeps its values
  # (packed bits were read back as a splat of the first element).
  mask = np.array([[True, False, True, False], [False] * 4, [True] * 3 + [False]])
  x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
  np.testing.assert_array_equal(jaxlite.jit(lambda a: jnp.where(mask, a, -a))(x),
                                np.where(mask, x, -x))
