"""Tests for jaxlite.lax.reductions: monoid reductions, arg-reductions and lax.reduce."""
import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching

needs_elementwise = pytest.mark.skipif(
    not all(hasattr(lax, n) for n in ("eq", "select", "div")),
    reason="needs lax.eq/select/div (elementwise family)")


def _eager_and_jit(f, *args):
  """f's result eagerly and under jit; they must agree exactly."""
  eager = f(*args)
  jitted = jaxlite.jit(f)(*args)
  np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))
  assert eager.dtype == jitted.dtype
  return np.asarray(eager)


def _data(rng, dtype, shape=(2, 3, 4)):
  if dtype == np.bool_:
    return rng.rand(*shape) > 0.5
  if np.issubdtype(dtype, np.integer):
    return rng.randint(-3 if np.issubdtype(dtype, np.signedinteger) else 0, 4,
                       size=shape).astype(dtype)
  return rng.randn(*shape).astype(dtype)


MONOIDS = [
    (lax.reduce_sum, np.sum, [np.float32, np.int32]),
    (lax.reduce_prod, np.prod, [np.float32, np.int32]),
    (lax.reduce_max, np.max, [np.float32, np.int32, np.bool_]),
    (lax.reduce_min, np.min, [np.float32, np.uint8]),
    (lax.reduce_and, np.bitwise_and.reduce, [np.bool_, np.int32]),
    (lax.reduce_or, np.bitwise_or.reduce, [np.bool_, np.uint8]),
    (lax.reduce_xor, np.bitwise_xor.reduce, [np.bool_, np.int32]),
]


@pytest.mark.parametrize("op,ref,dts", MONOIDS, ids=lambda v: getattr(v, "__name__", ""))
def test_monoid_reductions_match_numpy(rng, op, ref, dts):
  for dtype in dts:
    x = _data(rng, dtype)
    got = _eager_and_jit(lambda x: op(x, (0, 2)), x)
    want = ref(x, axis=(0, 2)) if ref not in (np.bitwise_and.reduce, np.bitwise_or.reduce,
                                               np.bitwise_xor.reduce) \
        else ref(ref(x, axis=2), axis=0)
    assert got.dtype == np.dtype(dtype), (op, dtype)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_negative_axes_and_full_reduction(rng):
  x = _data(rng, np.float32)
  np.testing.assert_allclose(lax.reduce_max(x, (-1,)), x.max(-1))
  np.testing.assert_allclose(lax.reduce_sum(x, (0, 1, 2)), x.sum(), rtol=1e-5)


def test_max_min_propagate_nan():
  x = np.array([1.0, np.nan, 3.0], np.float32)
  assert np.isnan(lax.reduce_max(x, (0,)))
  assert np.isnan(lax.reduce_min(x, (0,)))


def test_reduction_errors():
  with pytest.raises(ValueError, match=r"reduction axes \(1,\) contains out-of-bounds "
                     r"indices for float32\[3\]"):
    lax.reduce_max(np.ones(3, np.float32), (1,))
  with pytest.raises(TypeError, match="reduce_sum does not accept dtype bool"):
    lax.reduce_sum(np.ones(3, bool), (0,))
  with pytest.raises(TypeError, match="logical reduction requires operand dtype bool or "
                     "int, got float32"):
    lax.reduce_or(np.ones(3, np.float32), (0,))


# --- argmax / argmin ---------------------------------------------------------------------------


def test_argmax_argmin_first_occurrence_and_nan():
  x = np.array([[1., np.nan, 3., np.nan], [2., 5., 5., 1.], [0., 0., -1., -1.]], np.float32)
  f = lambda x: (lax.argmax(x, 1, np.int32), lax.argmin(x, 1, np.int32))
  amax, amin = f(x)
  jmax, jmin = jaxlite.jit(f)(x)
  np.testing.assert_array_equal(amax, [1, 1, 0])
  np.testing.assert_array_equal(amin, [1, 3, 2])
  np.testing.assert_array_equal(amax, jmax)
  np.testing.assert_array_equal(amin, jmin)
  assert amax.dtype == np.int32


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8])
def test_argmax_argmin_match_numpy(rng, dtype):
  x = _data(rng, dtype, (3, 5))
  for axis in (0, 1, -1):
    np.testing.assert_array_equal(lax.argmax(x, axis, np.int32), np.argmax(x, axis))
    np.testing.assert_array_equal(lax.argmin(x, axis, np.int32), np.argmin(x, axis))


def test_argmax_errors():
  with pytest.raises(ValueError, match=r"Invalid axis 1 for operand shape \(3,\)"):
    lax.argmax(np.ones(3, np.float32), 1, np.int32)
  with pytest.raises(TypeError, match="index_dtype must be an integer type, but got float32"):
    lax.argmax(np.ones(3, np.float32), 0, np.float32)


# --- generic reduce ---------------------------------------------------------------------------------


def test_reduce_recognises_monoids():
  x = np.ones((2, 3), np.float32)
  jaxpr = jaxlite.make_jaxpr(lambda x: lax.reduce(x, 0., lax.add, (1,)))(x)
  assert "reduce_sum" in str(jaxpr)
  # A non-identity init value is a genuine reduction with a body.
  jaxpr = jaxlite.make_jaxpr(lambda x: lax.reduce(x, 1., lax.add, (1,)))(x)
  assert "reduce_sum" not in str(jaxpr) and "reduce[" in str(jaxpr)
  np.testing.assert_allclose(lax.reduce(x, 1., lax.add, (1,)), [4., 4.])


def test_reduce_custom_body_and_pytrees(rng):
  x = rng.randn(3, 4).astype(np.float32)
  i = rng.randint(0, 9, (3, 4)).astype(np.int32)

  def body(acc, el):
    return (lax.add(acc[0], lax.mul(el[0], el[0])), lax.add(acc[1], el[1]))

  f = lambda x, i: lax.reduce((x, i), (np.float32(0), np.int32(0)), body, (0,))
  sq, tot = f(x, i)
  jsq, jtot = jaxlite.jit(f)(x, i)
  np.testing.assert_allclose(sq, (x * x).sum(0), rtol=1e-5)
  np.testing.assert_array_equal(tot, i.sum(0))
  np.testing.assert_array_equal(sq, jsq)
  np.testing.assert_array_equal(tot, jtot)


def test_reduce_errors():
  x = np.ones((2, 3), np.float32)
  with pytest.raises(ValueError, match="same tree structure"):
    lax.reduce((x, x), 0., lax.add, (0,))
  with pytest.raises(ValueError, match="out-of-bounds"):
    lax.reduce(x, 1., lax.add, (2,))


# --- transposes, JVPs, batching -------------------------------------------------------------------


def test_reduce_sum_transpose_identity(rng):
  x = rng.randn(2, 3, 4).astype(np.float32)
  ct = rng.randn(3).astype(np.float32)
  t, = ad.primitive_transposes[lax.reduce_sum_p](
      ct, ad.UndefinedPrimal(ShapedArray(x.shape, np.float32)), axes=(0, 2))
  np.testing.assert_allclose(np.vdot(np.asarray(t), x), np.vdot(ct, x.sum((0, 2))),
                             rtol=1e-5)


def _fd_jvp(f, x, t, eps=1e-3):
  x64 = x.astype(np.float64)
  return (f((x64 + eps * t).astype(np.float32)).astype(np.float64)
          - f((x64 - eps * t).astype(np.float32)).astype(np.float64)) / (2 * eps)


@needs_elementwise
def test_reduce_max_min_jvp_matches_finite_differences(rng):
  x = rng.randn(3, 4).astype(np.float32)
  t = rng.randn(3, 4).astype(np.float32)
  for prim, ref in ((lax.reduce_max_p, np.max), (lax.reduce_min_p, np.min)):
    ans, tan = ad.primitive_jvps[prim]((x,), (t,), axes=(1,))
    np.testing.assert_allclose(ans, ref(x, 1))
    np.testing.assert_allclose(tan, _fd_jvp(lambda v: ref(v, 1), x, t), rtol=1e-2)


@needs_elementwise
def test_reduce_max_jvp_splits_ties():
  x = np.array([1., 3., 3.], np.float32)
  t = np.array([10., 2., 4.], np.float32)
  _, tan = ad.primitive_jvps[lax.reduce_max_p]((x,), (t,), axes=(0,))
  np.testing.assert_allclose(tan, 3.0)


@needs_elementwise
def test_reduce_prod_jvp_with_zeros(rng):
  x = np.array([[2., 3., 4.], [0., 3., 5.], [0., 0., 2.]], np.float32)
  t = rng.randn(3, 3).astype(np.float32)
  ans, tan = ad.primitive_jvps[lax.reduce_prod_p]((x,), (t,), axes=(1,))
  want = [t[0, 0] * 12 + t[0, 1] * 8 + t[0, 2] * 6, t[1, 0] * 15, 0.]
  np.testing.assert_allclose(ans, [24., 0., 0.])
  np.testing.assert_allclose(tan, want, rtol=1e-5)


def test_integer_reductions_have_zero_tangents():
  x = np.arange(4, dtype=np.int32)
  for prim in (lax.reduce_and_p, lax.argmax_p):
    params = {"axes": (0,)}
    if prim is lax.argmax_p:
      params["index_dtype"] = np.dtype(np.int32)
    _, tan = ad.primitive_jvps[prim]((x,), (ad.Zero(ShapedArray((4,), np.float32)),),
                                     **params)
    assert type(tan) is ad.Zero


@pytest.mark.parametrize("bdim", [0, 1, 2])
def test_reduction_batching_rules(rng, bdim):
  x = rng.randn(2, 3, 4).astype(np.float32)  # batch axis `bdim` has size x.shape[bdim]
  xs = np.moveaxis(x, bdim, 0)
  for prim, ref, extra in ((lax.reduce_max_p, np.max, {}),
                           (lax.argmin_p, np.argmin, {"index_dtype": np.dtype(np.int32)})):
    out, out_dim = batching.primitive_batchers[prim]((x,), (bdim,), axes=(1,), **extra)
    got = np.moveaxis(np.asarray(out), out_dim, 0)
    want = np.stack([ref(xi, 1) for xi in xs])
    np.testing.assert_array_equal(got, want)


def test_generic_reduce_batching(rng):
  x = rng.randn(3, 2, 4).astype(np.float32)
  body = lambda a, b: lax.add(a, lax.mul(b, b))
  import jaxlite.interpreters.partial_eval as pe
  from jaxlite.core import ClosedJaxpr
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(
      lambda a, b: [body(a, b)], [ShapedArray((), np.float32)] * 2)
  closed = ClosedJaxpr(jaxpr, consts)
  outs, dims = batching.primitive_batchers[lax.reduce_p](
      (x, np.float32(0)), (1, None), computation=body, jaxpr=closed, dimensions=(1,))
  got = np.moveaxis(np.asarray(outs[0]), dims[0], 0)
  want = np.stack([(x[:, b] ** 2).sum(1) for b in range(2)])
  np.testing.assert_allclose(got, want, rtol=1e-5)
