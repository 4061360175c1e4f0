"""jaxlite.scipy.linalg's special matrices and Schur-based functions vs JAX 0.10.2
(same run) and SciPy; lax.linalg.schur/hessenberg bit-equal to JAX's."""
import numpy as np
import pytest

import jaxlite
from jaxlite import lax as jl_lax
from jaxlite.scipy import linalg as jsl

jax = pytest.importorskip("jax")
sl = pytest.importorskip("scipy.linalg")
import jax.scipy.linalg as jxl  # noqa: E402

rng = np.random.RandomState(3)
A = rng.randn(4, 4).astype(np.float32)
A64 = rng.randn(4, 4)
SPD = (A @ A.T + 4 * np.eye(4)).astype(np.float32)


def close(x, y, atol=1e-5, rtol=1e-5):
  np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=rtol)


def same(x, y):
  x, y = np.asarray(x), np.asarray(y)
  assert x.dtype == y.dtype and x.shape == y.shape
  np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_lax_schur_hessenberg_bit_equal_to_jax(dtype):
  x = (A64 + (1j * A64.T if np.dtype(dtype).kind == "c" else 0)).astype(dtype)
  for a, b in zip(jl_lax.linalg.schur(x), jax.lax.linalg.schur(x)):
    same(a, b)
  for a, b in zip(jl_lax.linalg.hessenberg(x), jax.lax.linalg.hessenberg(x)):
    same(a, b)
  batched = np.stack([x, 2 * x])
  same(jaxlite.vmap(lambda m: jl_lax.linalg.schur(m)[0])(batched),
       jax.vmap(lambda m: jax.lax.linalg.schur(m)[0])(batched))


@pytest.mark.slow   # 20-33 s; the default suite stays under 20 minutes
def test_constructors_vs_jax():
  c, r = np.array([1, 2, 3]), np.array([1, 5, 6, 7])
  cb = np.arange(6.).reshape(2, 3)
  cases = [
      ("toeplitz", (c,), {}), ("toeplitz", (c, r), {}), ("toeplitz", (cb,), {}),
      ("toeplitz", (np.array([1 + 2j, 3]),), {}),
      ("hankel", (c,), {}), ("hankel", (c, r), {}), ("hankel", (cb, r[:2]), {}),
      ("circulant", (c,), {}), ("circulant", (cb,), {}),
      ("leslie", (np.array([0.1, 2., 1., .1]), np.array([.2, .8, .7])), {}),
      ("companion", (np.array([1., -10., 31., -30.]),), {}),
      ("fiedler", (np.array([1, 4, 12, 45, 77]),), {}),
      ("fiedler_companion", (np.array([1., -16., 86., -176., 105., 3.]),), {}),
      ("fiedler_companion", (np.array([2., 3.]),), {}),
      ("convolution_matrix", (np.array([-1, 4, -2]), 5), {}),
      ("convolution_matrix", (np.array([-1, 4, -2]), 5), {"mode": "same"}),
      ("convolution_matrix", (np.array([-1, 4, -2, 1]), 3), {"mode": "valid"}),
      ("hilbert", (3,), {}), ("invhilbert", (4,), {}),
      ("pascal", (4,), {}), ("pascal", (4,), {"kind": "upper"}),
      ("invpascal", (4,), {}), ("invpascal", (3,), {"kind": "lower"}),
      ("helmert", (4,), {}), ("helmert", (3,), {"full": True}),
      ("hadamard", (4,), {}), ("hadamard", (2,), {"dtype": np.float32}),
      ("dft", (4,), {}), ("dft", (3,), {"scale": "sqrtn"}),
  ]
  for name, args, kw in cases:
    got, want = getattr(jsl, name)(*args, **kw), getattr(jxl, name)(*args, **kw)
    assert got.dtype == want.dtype and got.shape == want.shape, (name, got, want)
    close(got, want, atol=1e-5)
  # SciPy agrees on the exact ones
  close(jsl.toeplitz(c, r), sl.toeplitz(c, r))
  close(jsl.hankel(c, r), sl.hankel(c, r))
  close(jsl.fiedler_companion(np.array([1., -16., 86., -176., 105., 3.])),
        sl.fiedler_companion(np.array([1., -16., 86., -176., 105., 3.])))
  close(jsl.convolution_matrix(np.array([-1., 4., -2.]), 5, 'same'),
        sl.convolution_matrix(np.array([-1., 4., -2.]), 5, 'same'))
  with pytest.raises(ValueError, match="power of 2"):
    jsl.hadamard(3)
  with pytest.raises(ValueError, match="mode must be one of"):
    jsl.convolution_matrix(c, 2, mode="x")


def test_schur_hessenberg_rsf2csf():
  t, z = jsl.schur(A)
  tj, zj = jxl.schur(A)
  same(t, tj)
  close(z @ t @ z.T, A, atol=1e-4)
  tc, zc = jsl.schur(A, output="complex")
  close(zc @ tc @ np.conj(zc).T, A, atol=1e-4)
  h, q = jsl.hessenberg(A, calc_q=True)
  hj, qj = jxl.hessenberg(A, calc_q=True)
  close(h, hj, atol=1e-6)
  close(q, qj, atol=1e-6)
  t2, z2 = jsl.rsf2csf(t, z)
  t2s, z2s = sl.rsf2csf(np.asarray(t, np.float64), np.asarray(z, np.float64))
  close(t2, t2s, atol=1e-4)
  close(z2, z2s, atol=1e-4)
  close(np.tril(np.asarray(t2), -1), 0)


def test_sqrtm_funm_polar():
  s = jsl.sqrtm(SPD)
  close(s, jxl.sqrtm(SPD), atol=1e-4)
  close(s, sl.sqrtm(SPD.astype(np.float64)), atol=1e-4)
  close(jsl.sqrtm(A64), sl.sqrtm(A64), atol=2e-4)
  f = jsl.funm(A64, jaxlite.numpy.exp)
  close(f, sl.expm(A64), atol=2e-4)
  f32, err = jsl.funm(A, jaxlite.numpy.sin, disp=False)
  fj, errj = jxl.funm(A, jax.numpy.sin, disp=False)
  close(f32, fj, atol=1e-4)
  close(err, errj, rtol=1e-3)
  wide = rng.randn(2, 4).astype(np.float32)
  for x, side, method in ((A, "right", "qdwh"), (wide, "left", "qdwh"), (A, "left", "svd"),
                          (wide, "right", "svd")):
    u, p = jsl.polar(x, side=side, method=method)
    uj, pj = jxl.polar(x, side=side, method=method)
    close(u, uj, atol=1e-4)
    close(p, pj, atol=1e-4)
  with pytest.raises(NotImplementedError, match="qdwh"):
    jsl.polar(A, side="left")


def test_sylvester_frechet_qr_multiply_tridiagonal():
  Bm = rng.randn(3, 3)
  C = rng.randn(4, 3)
  x = jsl.solve_sylvester(A64, Bm, C)
  close(x, sl.solve_sylvester(A64, Bm, C), atol=2e-4)
  close(x, jxl.solve_sylvester(A64, Bm, C), atol=2e-4)
  assert np.isnan(np.asarray(jsl.solve_sylvester(np.eye(2), -np.eye(2), np.ones((2, 2))))).all()
  E = rng.randn(4, 4)
  ea, l = jsl.expm_frechet(A64 / 2, E)
  eas, ls = sl.expm_frechet(A64 / 2, E)
  close(ea, eas, atol=2e-4)
  close(l, ls, atol=2e-4)
  a = rng.randn(5, 3).astype(np.float32)
  for mode, c in (("right", rng.randn(2, 5)), ("left", rng.randn(3, 2)),
                  ("right", rng.randn(5))):
    got = jsl.qr_multiply(a, c.astype(np.float32), mode=mode)
    want = jxl.qr_multiply(a, c.astype(np.float32), mode=mode)
    for g, w in zip(got, want):
      close(g, w, atol=1e-5)
  d, e = rng.randn(5), rng.randn(4)
  w = jsl.eigh_tridiagonal(d, e, eigvals_only=True)
  close(w, jxl.eigh_tridiagonal(d, e, eigvals_only=True), atol=2e-4)
  close(w, sl.eigh_tridiagonal(d, e, eigvals_only=True), atol=2e-4)
  close(jsl.eigh_tridiagonal(d, e, eigvals_only=True, select='i', select_range=(1, 2)),
        w[1:3], atol=2e-4)
  w2, v = jsl.eigh_tridiagonal(d, e)
  t = np.diag(d) + np.diag(e, 1) + np.diag(e, -1)
  close(t @ np.asarray(v), np.asarray(v) * np.asarray(w2), atol=2e-4)


def test_solve_debug_argument():
  close(jsl.solve(SPD, np.ones(4, np.float32), False, False, False, False, True, "pos"),
        np.linalg.solve(SPD, np.ones(4)), atol=1e-5)
