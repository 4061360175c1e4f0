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
