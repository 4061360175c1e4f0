"""Tests for jaxlite.lax.sorting: sort, sort_key_val, top_k."""
import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_])
def test_sort_matches_numpy(rng, dtype):
  x = (rng.randn(3, 5) * 4).astype(dtype)
  for dim in (0, 1, -1):
    got = lax.sort(x, dimension=dim)
    np.testing.assert_array_equal(got, np.sort(x, axis=dim))
    assert got.dtype == np.dtype(dtype)
  np.testing.assert_array_equal(jaxlite.jit(lax.sort)(x), lax.sort(x))


def test_sort_total_order_nans_last_signed_zeros_equal():
  x = np.array([3., np.nan, -0., 0., -np.inf, 1., -np.nan, np.inf], np.float32)
  got = np.asarray(lax.sort(x))
  np.testing.assert_array_equal(got[:6], [-np.inf, 0., 0., 1., 3., np.inf])
  assert np.signbit(got[1]) and not np.signbit(got[2])   # stable: -0 stays before 0
  assert np.isnan(got[6:]).all()
  got = np.asarray(lax.sort(np.array([0., -0.], np.float32)))
  assert not np.signbit(got[0]) and np.signbit(got[1])


def test_sort_multiple_operands_and_num_keys():
  k1 = np.array([2, 1, 2, 1], np.int32)
  k2 = np.array([4., 3., 2., 1.], np.float32)
  v = np.arange(4, dtype=np.int32)
  a, b, c = lax.sort((k1, k2, v), num_keys=2)
  np.testing.assert_array_equal(c, [3, 1, 2, 0])
  a, b, c = lax.sort((k1, k2, v), num_keys=1)   # stable on the first key only
  np.testing.assert_array_equal(c, [1, 3, 0, 2])
  keys, vals = lax.sort_key_val(k2, v)
  np.testing.assert_array_equal(vals, [3, 2, 1, 0])
  np.testing.assert_array_equal(lax.sort(np.array([1 + 2j, 1 + 1j, 5j], np.complex64)),
                                [5j, 1 + 1j, 1 + 2j])


def test_sort_errors():
  with pytest.raises(TypeError, match="same shape"):
    lax.sort((np.ones(3, np.float32), np.ones(4, np.float32)))
  with pytest.raises(ValueError, match="num_keys=3"):
    lax.sort((np.ones(3), np.ones(3)), num_keys=3)


def test_sort_jvp_and_transpose(rng):
  x = rng.randn(2, 5).astype(np.float32)
  v = rng.randn(2, 5).astype(np.float32)
  tx, tv = rng.randn(2, 5).astype(np.float32), rng.randn(2, 5).astype(np.float32)
  params = dict(dimension=1, is_stable=True, num_keys=1)
  outs, tans = ad.primitive_jvps[lax.sort_p]((x, v), (tx, tv), **params)
  perm = np.argsort(x, axis=1)
  np.testing.assert_allclose(tans[0], np.take_along_axis(tx, perm, 1))
  np.testing.assert_allclose(tans[1], np.take_along_axis(tv, perm, 1))
  ct = rng.randn(2, 5).astype(np.float32)
  res = ad.primitive_transposes[lax.sort_p](
      [ad.Zero(ShapedArray((2, 5), np.float32)), ct], x,
      ad.UndefinedPrimal(ShapedArray((2, 5), np.float32)), **params)
  assert res[0] is None
  np.testing.assert_allclose(np.vdot(np.asarray(res[1]), tv),
                             np.vdot(ct, np.take_along_axis(tv, perm, 1)), rtol=1e-5)


@pytest.mark.parametrize("dims", [(0, 0), (1, None), (2, 1)])
def test_sort_batching(rng, dims):
  x = rng.randn(2, 3, 4).astype(np.float32)
  v = rng.randn(2, 3, 4).astype(np.float32)
  dx, dv = dims
  v_in = v[0] if dv is None else np.moveaxis(v, 0, dv)
  outs, ods = batching.primitive_batchers[lax.sort_p](
      (np.moveaxis(x, 0, dx), v_in), (dx, dv), dimension=1, is_stable=True, num_keys=1)
  for b in range(2):
    want = lax.sort((x[b], v[0] if dv is None else v[b]), dimension=1)
    for o, d, w in zip(outs, ods, want):
      np.testing.assert_array_equal(np.take(np.asarray(o), b, axis=d), w)


def test_top_k(rng):
  x = rng.randn(3, 6).astype(np.float32)
  vals, idx = lax.top_k(x, 3)
  want_idx = np.argsort(-x, axis=1, kind="stable")[:, :3]
  np.testing.assert_array_equal(idx, want_idx)
  np.testing.assert_array_equal(vals, np.take_along_axis(x, want_idx, 1))
  assert idx.dtype == np.int32
  jv, ji = jaxlite.jit(lambda x: lax.top_k(x, 3))(x)
  np.testing.assert_array_equal(jv, vals)
  vals, idx = lax.top_k(np.array([3., np.nan, 2., 3.], np.float32), 3)
  np.testing.assert_array_equal(idx, [1, 0, 3])
  vals, idx = lax.top_k(x, 2, axis=0)
  np.testing.assert_array_equal(idx, np.argsort(-x, axis=0, kind="stable")[:2])
  with pytest.raises(ValueError, match=r"k argument to top_k must be no larger than size "
                     r"along axis; got k=4 with shape=\[3\] and axis=0"):
    lax.top_k(np.ones(3, np.float32), 4)


def test_top_k_jvp_and_batching(rng):
  x = rng.randn(2, 5).astype(np.float32)
  t = rng.randn(2, 5).astype(np.float32)
  (vals, idx), (tv, ti) = ad.primitive_jvps[lax.top_k_p]((x,), (t,), k=2, axis=1)
  np.testing.assert_allclose(tv, np.take_along_axis(t, np.asarray(idx), 1))
  assert type(ti) is ad.Zero
  xs = rng.randn(5, 3, 4).astype(np.float32)   # batch on axis 1
  (v, i), (dv, di) = batching.primitive_batchers[lax.top_k_p]((xs,), (1,), k=2, axis=1)
  for b in range(3):
    np.testing.assert_array_equal(np.take(np.asarray(i), b, di),
                                  lax.top_k(xs[:, b], 2, axis=1)[1])


def test_sort_grad_and_vmap_if_available(rng):
  grad, vmap = getattr(jaxlite, "grad", None), getattr(jaxlite, "vmap", None)
  if grad is None or vmap is None:
    pytest.skip("jaxlite.grad/vmap not available yet")
  x = rng.randn(5).astype(np.float32)
  w = np.arange(5, dtype=np.float32)
  g = grad(lambda v: lax.reduce_sum(lax.mul(lax.sort(v), w), (0,)))(x)
  want = np.zeros(5, np.float32)
  want[np.argsort(x)] = w
  np.testing.assert_allclose(g, want)
  xs = rng.randn(3, 4).astype(np.float32)
  np.testing.assert_array_equal(vmap(lax.sort)(xs), np.sort(xs, 1))
