"""Tests for jaxlite.lax.windowed (reduce_window and pooling derivatives) and
jaxlite.lax.cumulative (cumsum, cumprod, cummax, cummin, cumlogsumexp)."""
import itertools

import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching


def _np_reduce_window(x, init, op, window, strides, padding, base_dilation=None,
                      window_dilation=None):
  """A direct NumPy loop over output positions."""
  n = x.ndim
  base_dilation = base_dilation or (1,) * n
  window_dilation = window_dilation or (1,) * n
  dil_shape = [(d - 1) * b + 1 if d else 0 for d, b in zip(x.shape, base_dilation)]
  dil = np.full(dil_shape, init, x.dtype)
  dil[tuple(slice(None, None, b) for b in base_dilation)] = x
  padded = np.full([d + lo + hi for d, (lo, hi) in zip(dil_shape, padding)], init, x.dtype)
  padded[tuple(slice(lo, lo + d) for d, (lo, _) in zip(dil_shape, padding))] = dil
  wdil = [(w - 1) * r + 1 for w, r in zip(window, window_dilation)]
  out_shape = [max(0, (p - w) // s + 1) for p, w, s in zip(padded.shape, wdil, strides)]
  out = np.empty(out_shape, x.dtype)
  for idx in itertools.product(*map(range, out_shape)):
    sl = tuple(slice(i * s, i * s + w, r)
               for i, s, w, r in zip(idx, strides, wdil, window_dilation))
    out[idx] = op.reduce(padded[sl].ravel(), initial=init)
  return out


WINDOW_CASES = [
    # window, strides, padding, base_dilation, window_dilation
    ((2, 2), (1, 1), "VALID", None, None),
    ((2, 3), (2, 1), "SAME", None, None),
    ((3, 2), (1, 2), ((1, 0), (2, 1)), None, None),
    ((2, 2), (1, 1), ((0, 1), (1, 1)), (2, 1), (1, 2)),
]


@pytest.mark.parametrize("case", range(len(WINDOW_CASES)))
def test_reduce_window_monoids_match_numpy(rng, case):
  window, strides, padding, bd, wd = WINDOW_CASES[case]
  x = rng.randn(4, 5).astype(np.float32)
  pads = lax.padtype_to_pads(
      [(d - 1) * b + 1 for d, b in zip(x.shape, bd or (1, 1))],
      [(w - 1) * r + 1 for w, r in zip(window, wd or (1, 1))], strides, padding)
  for fn, init, op in ((lax.add, 0., np.add), (lax.max, -np.inf, np.maximum),
                       (lax.min, np.inf, np.minimum)):
    f = lambda x: lax.reduce_window(x, init, fn, window, strides, padding, bd, wd)
    got = f(x)
    want = _np_reduce_window(x, np.float32(init), op, window, strides, pads, bd, wd)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    if case == 1:
      np.testing.assert_array_equal(got, jaxlite.jit(f)(x))


def test_reduce_window_uses_dedicated_primitives():
  x = np.ones((4,), np.float32)
  for fn, init, name in ((lax.add, 0., "reduce_window_sum"),
                         (lax.max, -np.inf, "reduce_window_max")):
    jaxpr = str(jaxlite.make_jaxpr(
        lambda x: lax.reduce_window(x, init, fn, (2,), (1,), "VALID"))(x))
    assert name in jaxpr
  jaxpr = str(jaxlite.make_jaxpr(
      lambda x: lax.reduce_window(x, 1., lax.add, (2,), (1,), "VALID"))(x))
  assert "reduce_window[" in jaxpr


def test_generic_reduce_window_int_and_pytree(rng):
  x = rng.randint(-5, 5, (5,)).astype(np.int32)
  got = lax.reduce_window(x, np.int32(1), lax.mul, (2,), (1,), "VALID")
  np.testing.assert_array_equal(got, x[:-1] * x[1:])
  a = rng.randn(5).astype(np.float32)
  s, m = lax.reduce_window((a, a), (np.float32(0), np.float32(-np.inf)),
                           lambda u, v: (lax.add(u[0], v[0]), lax.max(u[1], v[1])),
                           (3,), (2,), "VALID")
  np.testing.assert_allclose(s, [a[:3].sum(), a[2:].sum()], rtol=1e-5)
  np.testing.assert_allclose(m, [a[:3].max(), a[2:].max()])


def test_reduce_window_errors():
  x = np.ones((4,), np.float32)
  with pytest.raises(TypeError, match=r"reduce_window got the wrong number of "
                     r"window_dimensions for operand: got operand shape \(4,\) with "
                     r"window_dimensions \(2, 2\)"):
    lax.reduce_window(x, 0., lax.add, (2, 2), (1,), "VALID")
  with pytest.raises(RuntimeError, match="Unrecognized padding type: expected 'VALID', "
                     "'SAME', or 'SAME_LOWER', got FOO"):
    lax.reduce_window(x, 0., lax.add, (2,), (1,), "FOO")


def _window_params(window, strides, padding, bd=None, wd=None):
  n = len(window)
  return dict(window_dimensions=window, window_strides=strides, padding=padding,
              base_dilation=bd or (1,) * n, window_dilation=wd or (1,) * n)


@pytest.mark.parametrize("params", [
    _window_params((2, 2), (1, 1), ((0, 0), (0, 0))),
    _window_params((2, 3), (2, 1), ((1, 0), (1, 1))),
    _window_params((2, 2), (2, 1), ((0, 1), (1, 1)), (2, 1), (1, 2)),
])
def test_reduce_window_sum_transpose(rng, params):
  x = rng.randn(4, 5).astype(np.float32)
  out = lax.reduce_window_sum_p.bind(x, **params)
  ct = rng.randn(*out.shape).astype(np.float32)
  t, = ad.primitive_transposes[lax.reduce_window_sum_p](
      ct, ad.UndefinedPrimal(ShapedArray(x.shape, np.float32)), **params)
  assert t.shape == x.shape
  np.testing.assert_allclose(np.vdot(np.asarray(t), x), np.vdot(ct, np.asarray(out)),
                             rtol=1e-4)


def test_max_pool_jvp_and_its_transpose(rng):
  x = rng.randn(4, 6).astype(np.float32)
  t = rng.randn(4, 6).astype(np.float32)
  params = _window_params((2, 2), (2, 2), ((0, 0), (0, 0)))
  ans, tan = ad.primitive_jvps[lax.reduce_window_max_p]((x,), (t,), **params)
  blocks = x.reshape(2, 2, 3, 2).transpose(0, 2, 1, 3).reshape(2, 3, 4)
  tblocks = t.reshape(2, 2, 3, 2).transpose(0, 2, 1, 3).reshape(2, 3, 4)
  np.testing.assert_allclose(ans, blocks.max(-1))
  want = np.take_along_axis(tblocks, blocks.argmax(-1)[..., None], -1)[..., 0]
  np.testing.assert_allclose(tan, want)
  # select_and_gather_add is linear in t; its transpose scatters ct back.
  ct = rng.randn(2, 3).astype(np.float32)
  sg = dict(params, select_prim="ge")
  tt, none = ad.primitive_transposes[lax.select_and_gather_add_p](
      ct, ad.UndefinedPrimal(ShapedArray(t.shape, np.float32)), x, **sg)
  assert none is None
  np.testing.assert_allclose(np.vdot(np.asarray(tt), t), np.vdot(ct, np.asarray(tan)),
                             rtol=1e-5)


def test_min_pool_jvp_with_padding(rng):
  x = rng.randn(5).astype(np.float32)
  t = rng.randn(5).astype(np.float32)
  params = _window_params((3,), (1,), ((1, 1),))
  _, tan = ad.primitive_jvps[lax.reduce_window_min_p]((x,), (t,), **params)
  xp = np.concatenate([[np.inf], x, [np.inf]])
  tp = np.concatenate([[0], t, [0]])
  want = [tp[i + np.argmin(xp[i:i + 3])] for i in range(5)]
  np.testing.assert_allclose(tan, want)


@pytest.mark.parametrize("bdim", [0, 1, 2])
def test_window_batching_rules(rng, bdim):
  x = rng.randn(3, 4, 5).astype(np.float32)
  params = _window_params((2, 2), (1, 2), ((0, 1), (1, 0)))
  xs = np.moveaxis(x, bdim, 0)
  for prim in (lax.reduce_window_sum_p, lax.reduce_window_max_p):
    out, od = batching.primitive_batchers[prim]((x,), (bdim,), **params)
    want = np.stack([np.asarray(prim.bind(xi, **params)) for xi in xs])
    np.testing.assert_allclose(np.moveaxis(np.asarray(out), od, 0), want, rtol=1e-5)
  t = rng.randn(*xs.shape[1:]).astype(np.float32)  # unbatched tangent, batched operand
  out, od = batching.primitive_batchers[lax.select_and_gather_add_p](
      (t, x), (None, bdim), select_prim="ge", **params)
  want = np.stack([np.asarray(lax.select_and_gather_add_p.bind(
      t, xi, select_prim="ge", **params)) for xi in xs])
  np.testing.assert_allclose(np.moveaxis(np.asarray(out), od, 0), want)


# --- cumulative reductions --------------------------------------------------------------------

CUMULATIVE = [
    (lax.cumsum, np.cumsum, [np.float32, np.int32]),
    (lax.cumprod, np.cumprod, [np.float32, np.int32]),
    (lax.cummax, np.maximum.accumulate, [np.float32, np.int32]),
    (lax.cummin, np.minimum.accumulate, [np.float32, np.uint8]),
    (lax.cumlogsumexp, np.logaddexp.accumulate, [np.float32]),
]


@pytest.mark.parametrize("op,ref,dts", CUMULATIVE, ids=[c[0].__name__ for c in CUMULATIVE])
def test_cumulative_match_numpy(rng, op, ref, dts):
  for dtype in dts:
    if np.issubdtype(dtype, np.integer):
      x = rng.randint(0, 4, (3, 4)).astype(dtype)
    else:
      x = rng.randn(3, 4).astype(dtype)
    for axis, reverse in ((0, False), (1, True)):
      got = op(x, axis, reverse)
      want = np.flip(ref(np.flip(x, axis), axis=axis), axis) if reverse else \
          ref(x, axis=axis)
      assert got.dtype == np.dtype(dtype)
      np.testing.assert_allclose(got, want, rtol=1e-5)
    f = lambda x: op(x, 1)
    np.testing.assert_array_equal(f(x), jaxlite.jit(f)(x))


def test_cumlogsumexp_is_stable():
  x = np.array([-1000., -1000., 1000., -np.inf], np.float32)
  np.testing.assert_allclose(lax.cumlogsumexp(x), [-1000., -1000 + np.log(2), 1000., 1000.])
  assert np.asarray(lax.cumlogsumexp(np.full(2, -np.inf, np.float32)))[1] == -np.inf


def test_cumulative_errors():
  with pytest.raises(ValueError, match=r"axis 1 is out of bounds for array of shape \(3,\)"):
    lax.cumsum(np.ones(3, np.float32), 1)
  with pytest.raises(TypeError, match="cumlogsumexp does not accept dtype int32"):
    lax.cumlogsumexp(np.ones(3, np.int32))


def test_cumsum_transpose(rng):
  x = rng.randn(3, 4).astype(np.float32)
  ct = rng.randn(3, 4).astype(np.float32)
  for reverse in (False, True):
    t, = ad.primitive_transposes[lax.cumsum_p](
        ct, ad.UndefinedPrimal(ShapedArray(x.shape, np.float32)), axis=1, reverse=reverse)
    out = np.asarray(lax.cumsum(x, 1, reverse))
    np.testing.assert_allclose(np.vdot(np.asarray(t), x), np.vdot(ct, out), rtol=1e-5)


def _fd(f, x, t, eps=1e-3):
  x64 = x.astype(np.float64)
  hi = np.asarray(f((x64 + eps * t).astype(np.float32)), np.float64)
  lo = np.asarray(f((x64 - eps * t).astype(np.float32)), np.float64)
  return (hi - lo) / (2 * eps)


@pytest.mark.parametrize("prim", [lax.cumprod_p, lax.cummax_p, lax.cummin_p,
                                  lax.cumlogsumexp_p], ids=lambda p: p.name)
def test_cumulative_jvps_match_finite_differences(rng, prim):
  x = rng.randn(2, 4).astype(np.float32)
  t = rng.randn(2, 4).astype(np.float32)
  for reverse in (False, True):
    ans, tan = ad.primitive_jvps[prim]((x,), (t,), axis=1, reverse=reverse)
    want = _fd(lambda v: prim.bind(v, axis=1, reverse=reverse), x, t)
    np.testing.assert_allclose(tan, want, rtol=2e-2, atol=2e-3)


def test_cumprod_jvp_with_zeros(rng):
  x = np.array([2., 0., 3., 0., 5.], np.float32)
  t = rng.randn(5).astype(np.float32)
  _, tan = ad.primitive_jvps[lax.cumprod_p]((x,), (t,), axis=0, reverse=False)
  want = [t[0], 2 * t[1], 6 * t[1], 0., 0.]
  np.testing.assert_allclose(tan, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bdim", [0, 1])
def test_cumulative_batching(rng, bdim):
  x = rng.randn(3, 4).astype(np.float32)
  xs = np.moveaxis(x, bdim, 0)
  for prim in (lax.cumsum_p, lax.cummax_p):
    out, od = batching.primitive_batchers[prim]((x,), (bdim,), axis=0, reverse=True)
    want = np.stack([np.asarray(prim.bind(xi, axis=0, reverse=True)) for xi in xs])
    np.testing.assert_allclose(np.moveaxis(np.asarray(out), od, 0), want, rtol=1e-5)


def test_grad_of_max_pool_and_cummax_if_available(rng):
  grad = getattr(jaxlite, "grad", None)
  if grad is None:
    pytest.skip("jaxlite.grad not available yet")
  x = rng.randn(4,).astype(np.float32)
  g = grad(lambda v: lax.reduce_sum(
      lax.reduce_window(v, -np.inf, lax.max, (2,), (2,), "VALID"), (0,)))(x)
  want = np.zeros(4, np.float32)
  for i in (0, 2):
    want[i + np.argmax(x[i:i + 2])] = 1
  np.testing.assert_allclose(g, want)
  g = grad(lambda v: lax.reduce_sum(lax.cummax(v), (0,)))(x)
  idx = [int(np.argmax(x[:i + 1])) for i in range(4)]
  np.testing.assert_allclose(g, np.bincount(idx, minlength=4).astype(np.float32))
