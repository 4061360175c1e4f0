"""Tests for jaxlite.lax.dot_conv (dot_general, dot) and jaxlite.lax.conv."""
import itertools

import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching

# (lhs shape, rhs shape, dimension_numbers, einsum spec)
DOT_CASES = [
    ((2, 3), (3, 4), (((1,), (0,)), ((), ())), "ij,jk->ik"),
    ((3,), (3,), (((0,), (0,)), ((), ())), "i,i->"),
    ((2, 3), (4, 3), (((1,), (1,)), ((), ())), "ij,kj->ik"),
    ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,))), "bij,bjk->bik"),
    ((3, 2, 4), (4, 5, 2), (((2,), (0,)), ((1,), (2,))), "ibj,jkb->bik"),
    ((2, 3, 4), (4, 3), (((1, 2), (1, 0)), ((), ())), "ijk,kj->i"),
    ((2, 3), (5,), (((), ()), ((), ())), "ij,k->ijk"),
]


def _params(dn):
  return dict(dimension_numbers=dn, precision=None, preferred_element_type=None)


@pytest.mark.parametrize("ls,rs,dn,spec", DOT_CASES, ids=[c[3] for c in DOT_CASES])
def test_dot_general_matches_einsum(rng, ls, rs, dn, spec):
  x = rng.randn(*ls).astype(np.float32)
  y = rng.randn(*rs).astype(np.float32)
  f = lambda x, y: lax.dot_general(x, y, dn)
  out = f(x, y)
  np.testing.assert_allclose(out, np.einsum(spec, x, y), rtol=1e-5, atol=1e-5)
  np.testing.assert_array_equal(out, jaxlite.jit(f)(x, y))


@pytest.mark.parametrize("ls,rs,dn,spec", DOT_CASES[:5], ids=[c[3] for c in DOT_CASES[:5]])
def test_dot_general_transposes(rng, ls, rs, dn, spec):
  x = rng.randn(*ls).astype(np.float32)
  y = rng.randn(*rs).astype(np.float32)
  out = np.einsum(spec, x, y)
  ct = np.asarray(rng.randn(*out.shape), np.float32)
  T = ad.primitive_transposes[lax.dot_general_p]
  tx, none = T(ct, ad.UndefinedPrimal(ShapedArray(ls, np.float32)), y, **_params(dn))
  assert none is None and tx.shape == ls
  np.testing.assert_allclose(np.vdot(np.asarray(tx), x), np.vdot(ct, out), rtol=1e-4)
  none, ty = T(ct, x, ad.UndefinedPrimal(ShapedArray(rs, np.float32)), **_params(dn))
  assert none is None and ty.shape == rs
  np.testing.assert_allclose(np.vdot(np.asarray(ty), y), np.vdot(ct, out), rtol=1e-4)


def test_dot_general_jvp(rng):
  x, tx = rng.randn(2, 3).astype(np.float32), rng.randn(2, 3).astype(np.float32)
  y, ty = rng.randn(3, 4).astype(np.float32), rng.randn(3, 4).astype(np.float32)
  dn = (((1,), (0,)), ((), ()))
  ans, tan = ad.primitive_jvps[lax.dot_general_p]((x, y), (tx, ty), **_params(dn))
  np.testing.assert_allclose(tan, tx @ y + x @ ty, rtol=1e-5, atol=1e-5)
  _, tan = ad.primitive_jvps[lax.dot_general_p](
      (x, y), (ad.Zero(ShapedArray((2, 3), np.float32)), ty), **_params(dn))
  np.testing.assert_allclose(tan, x @ ty, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("ls,rs,dn,spec", [DOT_CASES[0], DOT_CASES[4]],
                         ids=[DOT_CASES[0][3], DOT_CASES[4][3]])
def test_dot_general_batching(rng, ls, rs, dn, spec):
  B = 2
  rule = batching.primitive_batchers[lax.dot_general_p]
  x0 = rng.randn(*ls).astype(np.float32)
  y0 = rng.randn(*rs).astype(np.float32)
  for dx, dy in [(0, None), (len(ls), None), (None, 0), (None, 1), (1, 0), (0, len(rs))]:
    xs = rng.randn(B, *ls).astype(np.float32)
    ys = rng.randn(B, *rs).astype(np.float32)
    x = x0 if dx is None else np.moveaxis(xs, 0, dx)
    y = y0 if dy is None else np.moveaxis(ys, 0, dy)
    out, od = rule((x, y), (dx, dy), **_params(dn))
    want = np.stack([np.einsum(spec, x0 if dx is None else xs[b],
                               y0 if dy is None else ys[b]) for b in range(B)])
    np.testing.assert_allclose(np.moveaxis(np.asarray(out), od, 0), want,
                               rtol=1e-5, atol=1e-5)


def test_vmapped_matvec_stays_one_dot_general():
  # The batch axis of the vector becomes a free rhs dimension: no transposes.
  m = np.ones((3, 4), np.float32)

  def f(v):
    out, od = batching.primitive_batchers[lax.dot_general_p](
        (m, v), (None, 0), **_params((((1,), (0,)), ((), ()))))
    assert od == 1
    return out

  jaxpr = str(jaxlite.make_jaxpr(f)(np.ones((5, 4), np.float32)))
  assert jaxpr.count("dot_general") == 1 and "transpose" not in jaxpr


def test_dot_general_dtypes():
  i8 = np.arange(6, dtype=np.int8).reshape(2, 3)
  out = lax.dot_general(i8, i8.T, (((1,), (0,)), ((), ())), preferred_element_type=np.int32)
  assert out.dtype == np.int32
  np.testing.assert_array_equal(out, i8.astype(np.int32) @ i8.T.astype(np.int32))
  b = np.array([[True, False], [False, False]])
  np.testing.assert_array_equal(lax.dot(b, b), [[True, False], [False, False]])
  f16 = np.ones((2, 3), np.float16)
  out = lax.dot(f16, f16.T, preferred_element_type=np.float32)
  assert out.dtype == np.float32
  np.testing.assert_allclose(out, 3.0)
  assert lax.dot(f16, np.ones(3, np.float32)).dtype == np.float32


def test_dot_and_precision():
  x = np.arange(6, dtype=np.float32).reshape(2, 3)
  v = np.arange(3, dtype=np.float32)
  np.testing.assert_allclose(lax.dot(x, v, precision=lax.Precision.HIGHEST), x @ v)
  np.testing.assert_allclose(lax.dot(v, v, precision=("highest", "default")), v @ v)
  np.testing.assert_allclose(lax.dot(x, x.T, precision="high"), x @ x.T)
  assert lax.Precision("tensorfloat32") is lax.Precision.HIGH
  jaxpr = str(jaxlite.make_jaxpr(lambda a: lax.dot(a, v, precision="highest"))(x))
  assert "HIGHEST" in jaxpr


def test_dot_general_errors():
  a, b = np.ones((2, 3), np.float32), np.ones((4, 2), np.float32)
  with pytest.raises(TypeError, match=r"dot_general requires contracting dimensions to "
                     r"have the same shape, got \(3,\) and \(4,\)\."):
    lax.dot_general(a, b, (((1,), (0,)), ((), ())))
  with pytest.raises(TypeError, match=r"equal numbers of lhs_batch and rhs_batch "
                     r"dimensions, got lhs_batch \(0,\) and rhs_batch \(\)"):
    lax.dot_general(a, a.T, (((1,), (0,)), ((0,), ())))
  with pytest.raises(TypeError, match=r"lhs contracting dimensions to be distinct"):
    lax.dot_general(a, a.T, (((1, 1), (0, 0)), ((), ())))
  with pytest.raises(TypeError, match="less than the number of axes of the lhs value"):
    lax.dot_general(a, a.T, (((2,), (0,)), ((), ())))
  with pytest.raises(ValueError, match=r"dimension_numbers must be specified.*"
                     r"lhs_shape=\(2, 3\) rhs_shape=\(4, 2\)"):
    lax.dot(a, b)


def test_dot_general_through_vmap_if_available(rng):
  vmap = getattr(jaxlite, "vmap", None)
  if vmap is None:
    pytest.skip("jaxlite.vmap not available yet")
  m = rng.randn(3, 4).astype(np.float32)
  vs = rng.randn(5, 4).astype(np.float32)
  out = vmap(lambda v: lax.dot(m, v))(vs)
  np.testing.assert_allclose(out, vs @ m.T, rtol=1e-5, atol=1e-5)


# --- convolutions -----------------------------------------------------------------------------


def _np_conv(lhs, rhs, strides, padding, lhs_dil, rhs_dil, fgc=1, bgc=1):
  """Direct NumPy convolution in NC.../OI... layout (a loop over output positions)."""
  nsp = lhs.ndim - 2

  def dilate(x, dil):
    shape = x.shape[:2] + tuple((d - 1) * r + 1 for d, r in zip(x.shape[2:], dil))
    out = np.zeros(shape, x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(None, None, r) for r in dil)] = x
    return out

  x = dilate(lhs, lhs_dil)
  for i, (lo, hi) in enumerate(padding):
    ax = 2 + i
    x = np.concatenate([np.zeros(x.shape[:ax] + (max(lo, 0),) + x.shape[ax + 1:], x.dtype),
                        x, np.zeros(x.shape[:ax] + (max(hi, 0),) + x.shape[ax + 1:],
                                    x.dtype)], ax)
    x = np.take(x, range(-min(lo, 0), x.shape[ax] + min(hi, 0)), axis=ax)
  k = dilate(rhs, rhs_dil)
  N, C = x.shape[:2]
  O = k.shape[0]
  out_sp = [(xs - ks) // s + 1 for xs, ks, s in zip(x.shape[2:], k.shape[2:], strides)]
  out = np.zeros((N // bgc, O) + tuple(out_sp), np.float64)
  for g in range(max(fgc, bgc)):
    og = slice(g * (O // max(fgc, bgc)), (g + 1) * (O // max(fgc, bgc)))
    cg = slice(g * (C // fgc), (g + 1) * (C // fgc)) if fgc > 1 else slice(None)
    ng = slice(g * (N // bgc), (g + 1) * (N // bgc)) if bgc > 1 else slice(None)
    for pos in itertools.product(*map(range, out_sp)):
      win = x[(ng, cg) + tuple(slice(p * s, p * s + kk) for p, s, kk in
                               zip(pos, strides, k.shape[2:]))]
      out[(slice(None), og) + pos] = np.tensordot(win, k[og], axes=(
          [1] + list(range(2, 2 + nsp)), [1] + list(range(2, 2 + nsp))))
  return out


CONV_CASES = [
    # lhs shape (NCHW), rhs shape (OIHW), kwargs
    ((2, 3, 5, 4), (4, 3, 2, 2), dict(window_strides=(1, 1), padding="VALID")),
    ((1, 2, 5, 5), (2, 2, 3, 3), dict(window_strides=(2, 1), padding="SAME")),
    ((1, 2, 4, 5), (3, 2, 2, 2), dict(window_strides=(1, 2), padding=((1, 0), (2, -1)),
                                      lhs_dilation=(2, 1), rhs_dilation=(1, 2))),
    ((2, 4, 4, 3), (6, 2, 2, 1), dict(window_strides=(1, 1), padding="SAME",
                                      feature_group_count=2)),
    ((4, 2, 3, 3), (4, 2, 2, 2), dict(window_strides=(1, 1), padding="VALID",
                                      batch_group_count=2)),
]


def _conv_full_params(kw, n_sp=2):
  out = dict(window_strides=kw["window_strides"], lhs_dilation=kw.get("lhs_dilation", (1,) * n_sp),
             rhs_dilation=kw.get("rhs_dilation", (1,) * n_sp),
             fgc=kw.get("feature_group_count", 1), bgc=kw.get("batch_group_count", 1))
  return out


def _explicit_pads(ls, rs, kw):
  p = kw["padding"]
  if not isinstance(p, str):
    return p
  dil = kw.get("rhs_dilation", (1, 1))
  return lax.padtype_to_pads(ls[2:], [(k - 1) * r + 1 for k, r in zip(rs[2:], dil)],
                             kw["window_strides"], p)


@pytest.mark.parametrize("case", range(len(CONV_CASES)))
def test_conv_general_dilated_matches_numpy_loop(rng, case):
  ls, rs, kw = CONV_CASES[case]
  x = rng.randn(*ls).astype(np.float32)
  k = rng.randn(*rs).astype(np.float32)
  got = lax.conv_general_dilated(x, k, **kw)
  p = _conv_full_params(kw)
  want = _np_conv(x, k, p["window_strides"], _explicit_pads(ls, rs, kw), p["lhs_dilation"],
                  p["rhs_dilation"], p["fgc"], p["bgc"])
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
  if case == 1:
    np.testing.assert_array_equal(got, jaxlite.jit(lambda a, b: lax.conv_general_dilated(
        a, b, **kw))(x, k))


def test_conv_dimension_number_layouts(rng):
  x = rng.randn(2, 3, 5, 4).astype(np.float32)   # NCHW
  k = rng.randn(4, 3, 2, 3).astype(np.float32)   # OIHW
  want = np.asarray(lax.conv_general_dilated(x, k, (1, 1), "SAME"))
  xn, kn = x.transpose(0, 2, 3, 1), k.transpose(2, 3, 1, 0)
  got = lax.conv_general_dilated(xn, kn, (1, 1), "SAME",
                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
  np.testing.assert_allclose(np.asarray(got).transpose(0, 3, 1, 2), want, rtol=1e-5,
                             atol=1e-5)
  dn = lax.conv_dimension_numbers(xn.shape, kn.shape, ("NHWC", "HWIO", "NCHW"))
  assert dn == lax.ConvDimensionNumbers((0, 3, 1, 2), (3, 2, 0, 1), (0, 1, 2, 3))
  got = lax.conv_general_dilated(xn, kn, (1, 1), "SAME", dimension_numbers=dn)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
  # conv and conv_with_general_padding are the NCHW special cases.
  np.testing.assert_array_equal(lax.conv(x, k, (1, 1), "SAME"), want)
  pads = lax.padtype_to_pads((5, 4), (2, 3), (1, 1), "SAME")
  np.testing.assert_array_equal(lax.conv_with_general_padding(x, k, (1, 1), pads, None, None),
                                want)


def test_conv_int_preferred_element_type():
  x = np.ones((1, 1, 4), np.int8)
  k = np.ones((1, 1, 3), np.int8)
  out = lax.conv_general_dilated(x, k, (1,), "VALID", preferred_element_type=np.int32)
  assert out.dtype == np.int32
  np.testing.assert_array_equal(out, [[[3, 3]]])


@pytest.mark.parametrize("case", range(len(CONV_CASES)))
def test_conv_transposes(rng, case):
  ls, rs, kw = CONV_CASES[case]
  x = rng.randn(*ls).astype(np.float32)
  k = rng.randn(*rs).astype(np.float32)
  out = np.asarray(lax.conv_general_dilated(x, k, **kw))
  ct = rng.randn(*out.shape).astype(np.float32)
  eqn_params = jaxlite.make_jaxpr(lambda a, b: lax.conv_general_dilated(a, b, **kw))(
      x, k).jaxpr.eqns[0].params
  T = ad.primitive_transposes[lax.conv_general_dilated_p]
  tx, none = T(ct, ad.UndefinedPrimal(ShapedArray(ls, np.float32)), k, **eqn_params)
  assert none is None and tx.shape == ls
  np.testing.assert_allclose(np.vdot(np.asarray(tx), x), np.vdot(ct, out), rtol=1e-4)
  none, tk = T(ct, x, ad.UndefinedPrimal(ShapedArray(rs, np.float32)), **eqn_params)
  assert none is None and tk.shape == rs
  np.testing.assert_allclose(np.vdot(np.asarray(tk), k), np.vdot(ct, out), rtol=1e-4)


def test_conv_jvp(rng):
  ls, rs, kw = CONV_CASES[1]
  x, tx = rng.randn(*ls).astype(np.float32), rng.randn(*ls).astype(np.float32)
  k, tk = rng.randn(*rs).astype(np.float32), rng.randn(*rs).astype(np.float32)
  params = jaxlite.make_jaxpr(lambda a, b: lax.conv_general_dilated(a, b, **kw))(
      x, k).jaxpr.eqns[0].params
  _, tan = ad.primitive_jvps[lax.conv_general_dilated_p]((x, k), (tx, tk), **params)
  conv = lambda a, b: np.asarray(lax.conv_general_dilated(a, b, **kw))
  np.testing.assert_allclose(tan, conv(tx, k) + conv(x, tk), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", [0, 3, 4])
def test_conv_batching(rng, case):
  ls, rs, kw = CONV_CASES[case]
  B = 2
  rule = batching.primitive_batchers[lax.conv_general_dilated_p]
  params = jaxlite.make_jaxpr(lambda a, b: lax.conv_general_dilated(a, b, **kw))(
      np.zeros(ls, np.float32), np.zeros(rs, np.float32)).jaxpr.eqns[0].params
  xs = rng.randn(B, *ls).astype(np.float32)
  ks = rng.randn(B, *rs).astype(np.float32)
  for dx, dk in [(0, None), (None, 0), (2, 4), (4, 1)]:
    x = xs[0] if dx is None else np.moveaxis(xs, 0, dx)
    k = ks[0] if dk is None else np.moveaxis(ks, 0, dk)
    out, od = rule((x, k), (dx, dk), **params)
    want = np.stack([np.asarray(lax.conv_general_dilated(
        xs[0] if dx is None else xs[b], ks[0] if dk is None else ks[b], **kw))
        for b in range(B)])
    np.testing.assert_allclose(np.moveaxis(np.asarray(out), od, 0), want, rtol=1e-4,
                               atol=1e-4)


def test_conv_transpose_is_conv_gradient(rng):
  # conv_transpose with transpose_kernel is the lhs-gradient of a strided conv.
  x = rng.randn(1, 7, 2).astype(np.float32)          # NHC
  k = rng.randn(3, 2, 4).astype(np.float32)          # HIO
  dn = ("NHC", "HIO", "NHC")
  y = np.asarray(lax.conv_general_dilated(x, k, (2,), "VALID", dimension_numbers=dn))
  ct = rng.randn(*y.shape).astype(np.float32)
  params = jaxlite.make_jaxpr(lambda a: lax.conv_general_dilated(
      a, k, (2,), "VALID", dimension_numbers=dn))(x).jaxpr.eqns[0].params
  want, _ = ad.primitive_transposes[lax.conv_general_dilated_p](
      ct, ad.UndefinedPrimal(ShapedArray(x.shape, np.float32)), k, **params)
  got = lax.conv_transpose(ct, k, (2,), "VALID", dimension_numbers=dn, transpose_kernel=True)
  assert got.shape == x.shape
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_conv_transpose_against_jax(rng, jax_reference):
  x = rng.randn(1, 4, 3).astype(np.float32)
  k = rng.randn(3, 3, 2).astype(np.float32)
  for pad in ("SAME", "VALID"):
    for s in (1, 2, 3):
      want = jax_reference.lax.conv_transpose(x, k, (s,), pad)
      np.testing.assert_allclose(lax.conv_transpose(x, k, (s,), pad), want, rtol=1e-5,
                                 atol=1e-5)


def test_conv_errors():
  x = np.ones((1, 2, 5, 5), np.float32)
  with pytest.raises(ValueError, match=r"lhs feature dimension size divided by "
                     r"feature_group_count must equal the rhs input feature dimension "
                     r"size, but 2 // 1 != 3"):
    lax.conv_general_dilated(x, np.ones((3, 3, 3, 3), np.float32), (1, 1), "SAME")
  with pytest.raises(RuntimeError, match="Unrecognized padding type"):
    lax.conv_general_dilated(x, np.ones((3, 2, 3, 3), np.float32), (1, 1), "FOO")
  with pytest.raises(ValueError, match="window and window_strides must have the same "
                     "number of dimensions, but got 2 and 1"):
    lax.conv_general_dilated(x, np.ones((3, 2, 3, 3), np.float32), (1,), "SAME")
  with pytest.raises(ValueError, match="must be a multiple of feature_group_count, but 3 "
                     "is not a multiple of 2"):
    lax.conv_general_dilated(np.ones((1, 4, 5, 5), np.float32),
                             np.ones((3, 2, 3, 3), np.float32), (1, 1), "SAME",
                             feature_group_count=2)


def test_conv_grad_and_vmap_if_available(rng):
  grad, vmap = getattr(jaxlite, "grad", None), getattr(jaxlite, "vmap", None)
  if grad is None or vmap is None:
    pytest.skip("jaxlite.grad/vmap not available yet")
  x = rng.randn(3, 1, 2, 5).astype(np.float32)
  k = rng.randn(2, 2, 2).astype(np.float32)
  f = lambda a, b: lax.conv_general_dilated(a, b, (1,), "SAME")
  out = vmap(f, (0, None))(x, k[:, :, :])
  np.testing.assert_allclose(out, np.stack([np.asarray(f(xi, k)) for xi in x]), rtol=1e-5)
  g = grad(lambda b: lax.reduce_sum(f(x[0], b), (0, 1, 2)))(k)
  eps, d = 1e-2, np.zeros_like(k)
  d[0, 1, 0] = 1
  fd = (np.asarray(lax.reduce_sum(f(x[0], k + eps * d), (0, 1, 2))) -
        np.asarray(lax.reduce_sum(f(x[0], k - eps * d), (0, 1, 2)))) / (2 * eps)
  np.testing.assert_allclose(np.asarray(g)[0, 1, 0], fd, rtol=1e-2)
