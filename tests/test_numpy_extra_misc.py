"""The rest of jnp's added surface against NumPy (eagerly and under jit):
spacing, i0, gradient, unwrap, apply_along_axis/apply_over_axes, piecewise,
frompyfunc, put/place/fill_diagonal, packbits/unpackbits, windows, block,
host I/O and printing, scalar types, asarray's copy, and the split of the
ufunc and manipulation modules.
"""
import io

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp


def _close(actual, expected, rtol=1e-5, atol=1e-6):
  actual, expected = np.asarray(actual), np.asarray(expected)
  assert actual.shape == expected.shape, (actual.shape, expected.shape)
  np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


def _eager_and_jit(fun, *args):
  return fun(*args), jaxlite.jit(fun)(*args)


X = np.array([[1.0, 2.0, 4.0, 8.0], [1.0, 3.0, 9.0, 27.0]], np.float32)


# --- ufuncs ------------------------------------------------------------------------------


def test_spacing_against_numpy():
  x = np.array([0.0, 1.0, -1.0, 1e-40, np.inf, np.nan, 3e38, 0.25], np.float32)
  for out in _eager_and_jit(jnp.spacing, x):
    _close(out, np.spacing(x), rtol=0, atol=0)
  _close(jnp.spacing(np.float16([1.0, -1.0])), np.spacing(np.float16([1.0, -1.0])))
  assert jnp.spacing(np.array([1, 2])).dtype == np.float32
  with pytest.raises(ValueError, match="complex"):
    jnp.spacing(1j)


def test_i0_against_numpy():
  x = np.array([0.0, 1.0, -3.0, 7.9, 8.0, 8.5, 30.0], np.float32)
  for out in _eager_and_jit(jnp.i0, x):
    _close(out, np.i0(x.astype(np.float64)), rtol=2e-6)
  # d/dx I0 = I1: 0.5651591 at 1.
  _close(jaxlite.grad(jnp.i0)(1.0), 0.5651591, rtol=1e-5)
  with pytest.raises(ValueError, match="Unsupported input type"):
    jnp.i0(1j)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_i0_matches_jax_bits_and_jaxpr(dtype):
  # JAX's i0 is exp(|x|) * bessel_i0e(|x|); bessel_i0e computes float16 and
  # bfloat16 in float32 (a series in float16 was 1 ulp off JAX's at 0.5, 1.5, 7).
  jax = pytest.importorskip("jax")
  import jax.numpy as jax_jnp   # pylint: disable=g-import-not-at-top
  x = np.array([0.0, 0.5, 1.5, -2.25, 3.0, 7.0, -9.0, 10.0], jnp.dtype(dtype))
  for ours, theirs in ((jnp.i0(x), jax_jnp.i0(x)),
                       (jaxlite.jit(jnp.i0)(x), jax.jit(jax_jnp.i0)(x)),
                       (jaxlite.vmap(jaxlite.grad(jnp.i0))(x),
                        jax.vmap(jax.grad(jax_jnp.i0))(x))):
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
  assert str(jaxlite.make_jaxpr(jnp.i0)(x)) == str(jax.make_jaxpr(jax_jnp.i0)(x))


# --- gradient and unwrap ------------------------------------------------------------------


@pytest.mark.parametrize("name,args,kwargs", [
    ("all_axes", (), {}),
    ("axis1", (), dict(axis=1)),
    ("scalar_spacing", (2.0,), dict(axis=1)),
    ("coordinates", (2.0, np.array([0.0, 1.0, 3.0, 7.0], np.float32)), {}),
])
def test_gradient_against_numpy(name, args, kwargs):
  expected = np.gradient(X, *args, **kwargs)
  for out in _eager_and_jit(lambda f: jnp.gradient(f, *args, **kwargs), X):
    if isinstance(expected, (list, tuple)):
      assert isinstance(out, list) and len(out) == len(expected)
      for o, e in zip(out, expected):
        _close(o, e)
    else:
      _close(out, expected)


def test_gradient_errors():
  with pytest.raises(NotImplementedError, match="edge_order"):
    jnp.gradient(X, edge_order=1)
  with pytest.raises(ValueError, match="too small"):
    jnp.gradient(np.array([1.0]))
  assert jnp.gradient(np.array([1, 4])).dtype == np.float32


@pytest.mark.parametrize("p,kwargs", [
    (np.array([0.0, 3.0, 6.5, 1.0, 7.0], np.float32), {}),
    (np.array([0.0, 5.0, 9.0, 2.0], np.float32), dict(period=4.0, discont=1.0)),
    (np.array([0, 5, 9, 2, 4, 9, 2]), dict(period=5)),
    (np.array([0, 5, 9, 2, 4, 9, 2]), dict(period=4)),
    (X, dict(axis=0)),
])
def test_unwrap_against_numpy(p, kwargs):
  expected = np.unwrap(p, **kwargs)
  for out in _eager_and_jit(lambda v: jnp.unwrap(v, **kwargs), p):
    _close(out, expected, rtol=1e-5, atol=1e-5)
    if p.dtype.kind == "i":
      assert out.dtype == np.int32


# --- applying functions ---------------------------------------------------------------------


def test_apply_along_and_over_axes_against_numpy():
  a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
  cases = [(lambda v: v.sum(), 1), (lambda v: v[::-1] * 2, 0),
           (lambda v: np.outer(v, v) if isinstance(v, np.ndarray) else jnp.outer(v, v), 2)]
  for f, axis in cases:
    expected = np.apply_along_axis(f, axis, a)
    for out in _eager_and_jit(lambda x: jnp.apply_along_axis(f, axis, x), a):
      _close(out, expected)
  _close(jnp.apply_along_axis(lambda v, k: v * k, -1, a, 3.0), a * 3)
  for axes in ([0, 2], 1):
    expected = np.apply_over_axes(np.sum, a, axes)
    for out in _eager_and_jit(lambda x: jnp.apply_over_axes(jnp.sum, x, axes), a):
      _close(out, expected)


def test_piecewise_against_numpy():
  x = np.array([-2.0, -0.5, 0.0, 1.5, 3.0], np.float32)
  cases = [
      (lambda v: [v < 0, v >= 0], [lambda t: -t, lambda t: t * 2]),
      (lambda v: [v < 0], [0.5, lambda t: t + 1]),  # otherwise-value last
      (lambda v: [v < 0, v > 1], [lambda t: t ** 2, 7.0, lambda t: t - 1]),
  ]
  for cond, funcs in cases:
    np_funcs = [f if not callable(f) else f for f in funcs]
    expected = np.piecewise(x, cond(x), np_funcs)
    for out in _eager_and_jit(lambda v: jnp.piecewise(v, cond(v), funcs), x):
      _close(out, expected)
  ints = np.array([-1, 0, 1])
  out = jnp.piecewise(ints, [ints < 0], [lambda t: t * 2])
  assert out.dtype == np.int32
  _close(out, np.piecewise(ints, [ints < 0], [lambda t: t * 2]))
  _close(jnp.piecewise(x, [x < 0], [lambda t, k: t * k], 3.0),
         np.piecewise(x, [x < 0], [lambda t, k: t * k], 3.0))
  with pytest.raises(ValueError, match="functions are expected"):
    jnp.piecewise(x, [x < 0, x > 0], [1.0])
  # As JAX, unlike NumPy: an array condlist is one condition per leading entry
  # (a mask shaped like x is 5 conditions here, not one).
  with pytest.raises(ValueError, match="functions are expected"):
    jnp.piecewise(x, x < 0, [5.0, 7.0])
  _close(jnp.piecewise(x, jnp.array([False, True]), [1.0, 2.0]), np.full(5, 2.0))


def test_frompyfunc():
  f = jnp.frompyfunc(lambda a, b: (a + b, a * b), 2, 2)
  s, p = f(np.arange(3), np.array([[1], [2]]))
  _close(s, np.arange(3) + np.array([[1], [2]]))
  _close(p, np.arange(3) * np.array([[1], [2]]))
  assert (f.nin, f.nout, f.nargs) == (2, 2, 2)   # JAX's nargs is nin
  with pytest.raises(TypeError, match="missing 1 required positional argument"):
    f(1.0)


# --- functional updates -----------------------------------------------------------------


def _numpy_inplace(fun, a, *args, **kwargs):
  a = np.array(a)
  fun(a, *args, **kwargs)
  return a


def test_put_place_fill_diagonal_against_numpy():
  z = np.zeros((2, 3), np.float32)
  ind, v = np.array([1, 7, -1]), np.array([7.0, 8.0], np.float32)
  for mode in ("clip", "wrap"):
    expected = _numpy_inplace(np.put, z, ind, v, mode=mode)
    for out in _eager_and_jit(lambda a, i, w: jnp.put(a, i, w, mode=mode, inplace=False),
                              z, ind, v):
      _close(out, expected)
  mask = np.array([[1, 0, 1], [1, 0, 1]], bool)
  expected = _numpy_inplace(np.place, z, mask, v)
  for out in _eager_and_jit(lambda a, m, w: jnp.place(a, m, w, inplace=False), z, mask, v):
    _close(out, expected)
  for shape, val in [((3, 3), 5.0), ((5, 2), np.array([1.0, 2.0, 3.0])),
                     ((2, 2, 2), 1.0)]:
    a = np.zeros(shape, np.float32)
    expected = _numpy_inplace(np.fill_diagonal, a, val)
    _close(jnp.fill_diagonal(a, val, inplace=False), expected)


def test_updates_errors():
  z = np.zeros(4, np.float32)
  for fun, args in [(jnp.put, (z, 1, 3.0)), (jnp.place, (z, z > 0, 1.0)),
                    (jnp.fill_diagonal, (np.zeros((2, 2)), 1.0))]:
    with pytest.raises(ValueError, match="immutable"):
      fun(*args)
  with pytest.raises(NotImplementedError, match="'raise' mode"):
    jnp.put(z, 1, 3.0, mode="raise", inplace=False)
  with pytest.raises(NotImplementedError, match="wrap=True"):
    jnp.fill_diagonal(np.zeros((2, 2)), 1.0, wrap=True, inplace=False)
  with pytest.raises(ValueError, match="equal length"):
    jnp.fill_diagonal(np.zeros((2, 3, 2)), 1.0, inplace=False)


# --- bits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bitorder", ["big", "little"])
def test_packbits_unpackbits_against_numpy(bitorder):
  bits = np.array([[1, 0, 1, 1, 0, 0, 0, 0, 1], [0, 1, 1, 0, 1, 0, 1, 1, 0]], np.int32)
  for axis in (None, 1, 0):
    expected = np.packbits(bits, axis=axis, bitorder=bitorder)
    for out in _eager_and_jit(lambda b: jnp.packbits(b, axis, bitorder), bits):
      np.testing.assert_array_equal(out, expected)
      assert out.dtype == np.uint8
  packed = np.array([[5, 255], [128, 3]], np.uint8)
  for axis, count in [(None, None), (1, 3), (0, -3), (1, 20)]:
    expected = np.unpackbits(packed, axis=axis, count=count, bitorder=bitorder)
    for out in _eager_and_jit(lambda p: jnp.unpackbits(p, axis, count, bitorder), packed):
      np.testing.assert_array_equal(out, expected)


def test_bits_errors():
  with pytest.raises(TypeError, match="integer or boolean"):
    jnp.packbits(np.array([1.0]))
  with pytest.raises(TypeError, match="unsigned byte"):
    jnp.unpackbits(np.array([1], np.int32))
  with pytest.raises(ValueError, match="'order'"):
    jnp.packbits(np.array([1]), bitorder="middle")


# --- windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
def test_windows_against_numpy(name):
  for m in (0, 1, 5, 6):
    out = getattr(jnp, name)(m)
    assert out.dtype == np.float32
    _close(out, getattr(np, name)(m), atol=1e-6)
  _close(jaxlite.jit(getattr(jnp, name), static_argnums=0)(5), getattr(np, name)(5),
         atol=1e-6)


def test_kaiser_against_numpy():
  for m, beta in [(1, 2.0), (5, 0.0), (6, 8.6)]:
    _close(jnp.kaiser(m, beta), np.kaiser(m, beta), rtol=1e-5)
  _close(jaxlite.jit(lambda b: jnp.kaiser(6, b))(8.6), np.kaiser(6, 8.6), rtol=1e-5)


# --- joining ----------------------------------------------------------------------------


def test_block_against_numpy():
  a, b = np.ones((2, 2), np.float32), np.zeros((2, 1), np.float32)
  c, d = np.zeros((1, 2), np.float32), np.ones((1, 1), np.float32)
  cases = [lambda m, *x: [[x[0], x[1]], [x[2], x[3]]],
           lambda m, *x: [x[2], x[3]],
           lambda m, *x: [[[x[0]]], [[x[0]]]]]
  for case in cases:
    expected = np.block(case(np, a, b, c, d))
    for out in _eager_and_jit(lambda *x: jnp.block(case(jnp, *x)), a, b, c, d):
      _close(out, expected)
  np.testing.assert_array_equal(jnp.block([1, 2, np.array([3, 4])]), [1, 2, 3, 4])
  with pytest.raises(ValueError, match="Mismatched list depths"):
    jnp.block([[1, 2], 3])
  with pytest.raises(ValueError, match="empty list"):
    jnp.block([])
  assert jnp.row_stack is jnp.vstack


# --- host I/O and printing ------------------------------------------------------------------


def test_save_load_roundtrip():
  buffer = io.BytesIO()
  jnp.save(buffer, jnp.arange(3.0))
  buffer.seek(0)
  out = jnp.load(buffer)
  assert isinstance(out, jaxlite.Array) and out.dtype == np.float32
  _close(out, [0.0, 1.0, 2.0])
  buffer = io.BytesIO()
  jnp.save(buffer, jnp.arange(3.0, dtype=jnp.bfloat16))
  buffer.seek(0)
  assert jnp.load(buffer).dtype == jnp.bfloat16
  buffer = io.BytesIO()
  jnp.savez(buffer, jnp.ones(2), b=jnp.zeros(1, jnp.int32))
  buffer.seek(0)
  with jnp.load(buffer) as archive:
    _close(archive["arr_0"], [1.0, 1.0])
    assert archive["b"].dtype == np.int32


def test_fromstring_dlpack_and_impure_readers():
  out = jnp.fromstring("1 2 3", dtype=int, sep=" ")
  assert out.dtype == np.int32
  np.testing.assert_array_equal(out, [1, 2, 3])
  out = jnp.from_dlpack(np.arange(3.0))
  assert isinstance(out, jaxlite.Array) and out.dtype == np.float32
  with pytest.raises(TypeError, match="__dlpack__"):
    jnp.from_dlpack([1, 2])
  with pytest.raises(NotImplementedError, match="non-pure"):
    jnp.fromfile("x")
  with pytest.raises(NotImplementedError, match="non-pure"):
    jnp.fromiter(iter([1]))


def test_printing_follows_numpy_options():
  x = jnp.array([1 / 3])
  with jnp.printoptions(precision=2):
    assert str(x) == "[0.33]"
    assert jnp.get_printoptions()["precision"] == 2
  old = jnp.get_printoptions()["precision"]
  try:
    jnp.set_printoptions(precision=3)
    assert np.get_printoptions()["precision"] == 3
    assert jnp.array_str(x) == "[0.333]"
  finally:
    jnp.set_printoptions(precision=old)
  assert jnp.array_repr(jnp.arange(2)) == "array([0, 1], dtype=int32)"


# --- dtypes, predicates, asarray -----------------------------------------------------------


def test_scalar_types_and_predicates():
  assert jnp.bool is jnp.bool_ and np.dtype(jnp.bool) == np.bool_
  assert jnp.bool(1).dtype == np.bool_
  for name in ("int1", "uint1", "float6_e2m3fn", "float6_e3m2fn"):
    assert np.dtype(getattr(jnp, name)).name == name
  assert jnp.ComplexWarning is np.exceptions.ComplexWarning
  assert jnp.iterable([1]) and not jnp.iterable(jnp.array(1))
  assert jnp.iscomplexobj(jnp.array(1j)) and jnp.isrealobj(jnp.array(1.0))
  assert jnp.shape(X) == (2, 4) and jnp.ndim(X) == 2 and jnp.size(X, 1) == 4
  assert jnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
  assert jnp.result_type(jnp.int8, 1.0) == np.float32


def test_asarray_copy_semantics():
  x = jnp.arange(3.0)
  assert jnp.asarray(x) is x and jnp.asarray(x, copy=False) is x
  y = jnp.asarray(x, copy=True)
  assert y is not x
  _close(y, x)
  assert jnp.asarray(x, dtype=jnp.int32, copy=False).dtype == np.int32
  host = np.arange(3.0)
  out = jnp.asarray(host, copy=True)
  host[0] = 5.0  # the device copy does not see later host writes
  _close(out, [0.0, 1.0, 2.0])


# --- the module split -----------------------------------------------------------------------


def test_ufunc_and_manipulation_modules_reexport_their_families():
  from jaxlite.numpy import (joining, manipulation, rearranging, reshaping, ufuncs,
                             ufuncs_arithmetic, ufuncs_logical, ufuncs_math)
  families = [ufuncs_arithmetic, ufuncs_math, ufuncs_logical]
  assert sorted(ufuncs.__all__) == sorted(n for m in families for n in m.__all__)
  assert len(set(ufuncs.__all__)) == len(ufuncs.__all__)
  for name in ufuncs.__all__:
    public = getattr(jnp, name)
    # JAX's ufunc objects (jnp.add ...) call the family's function itself.
    public = type(public).__call__ if isinstance(public, jnp.ufunc) else public
    assert getattr(ufuncs, name) is public, name
  families = [reshaping, joining, rearranging]
  assert sorted(manipulation.__all__) == sorted(n for m in families for n in m.__all__)
  for name in manipulation.__all__:
    assert getattr(manipulation, name) is getattr(jnp, name), name
  # Helpers other jnp modules reach through the old module names.
  assert ufuncs._to_bool(jnp.array([0, 2])).dtype == np.bool_


@pytest.mark.parametrize("call", [
    lambda m: m.int2(m.array([1, 2, -3])), lambda m: m.uint2(m.array([7.0, 2.5])),
    lambda m: m.int2(True), lambda m: m.array([1, -1], m.int2) * 1,
    lambda m: m.uint2(3) + m.uint2(1), lambda m: m.arange(4).astype(m.uint2),
    lambda m: m.int2(m.array([1.5, -1.7])).astype(m.float32)],
    ids=["int2_of_array", "uint2_of_floats", "int2_of_bool", "int2_times_int",
         "uint2_add_wraps", "astype_uint2", "int2_to_float32"])
def test_two_bit_integers_match_jax(call):
  # int2/uint2 arrays on the device (the lowering lacked their MLIR types:
  # jnp.int2(array) raised KeyError).
  jax_jnp = pytest.importorskip("jax.numpy")
  ours, theirs = call(jnp), call(jax_jnp)
  assert ours.dtype == theirs.dtype
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
  assert jaxlite.jit(lambda: call(jnp))().dtype == theirs.dtype
