"""Tests for jaxlite.scipy.linalg against SciPy (and JAX for derivatives), and
jaxlite.scipy.stats.multivariate_normal against scipy.stats."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.scipy import linalg as jsl
from jaxlite.scipy.stats import multivariate_normal

sl = pytest.importorskip("scipy.linalg")

rng = np.random.RandomState(1)
A = rng.randn(3, 3).astype(np.float32)
SPD = (A @ A.T + 3 * np.eye(3)).astype(np.float32)
B = rng.randn(3, 2).astype(np.float32)
b = rng.randn(3).astype(np.float32)
A43 = rng.randn(4, 3).astype(np.float32)


def close(x, y, atol=1e-5, rtol=1e-5):
  np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=rtol)


def test_cholesky_family():
  close(jsl.cholesky(SPD), sl.cholesky(SPD), atol=1e-5)
  close(jsl.cholesky(SPD, lower=True), sl.cholesky(SPD, lower=True), atol=1e-5)
  for lower in (False, True):
    c = jsl.cho_factor(SPD, lower=lower)
    assert c[1] == lower
    close(jsl.cho_solve(c, B), sl.cho_solve(sl.cho_factor(SPD, lower=lower), B), atol=1e-5)
    close(jsl.cho_solve(c, b), np.linalg.solve(SPD, b), atol=1e-5)


@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
def test_solve_triangular(trans):
  for lower, unit in ((True, False), (False, True)):
    close(jsl.solve_triangular(A, B, trans=trans, lower=lower, unit_diagonal=unit),
          sl.solve_triangular(A, B, trans=trans, lower=lower, unit_diagonal=unit), atol=1e-4)
  close(jsl.solve_triangular(A, b, trans=trans), sl.solve_triangular(A, b, trans=trans),
        atol=1e-4)


def test_solve_triangular_bad_trans():
  with pytest.raises(ValueError, match="trans"):
    jsl.solve_triangular(A, b, trans=3)


def test_lu_family():
  for a in (A, A43, A43.T.copy()):
    for x, y in zip(jsl.lu(a), sl.lu(a)):
      close(x, y, atol=1e-5)
    for x, y in zip(jsl.lu(a, permute_l=True), sl.lu(a, permute_l=True)):
      close(x, y, atol=1e-5)
  lu_, piv = jsl.lu_factor(A)
  elu, epiv = sl.lu_factor(A)
  close(lu_, elu, atol=1e-5)
  close(piv, epiv)
  for trans in (0, 1, 2):
    close(jsl.lu_solve((lu_, piv), B, trans=trans), sl.lu_solve((elu, epiv), B, trans=trans),
          atol=1e-4)


def test_qr_modes_and_pivoting():
  for mode in ("full", "economic"):
    q, r = jsl.qr(A43, mode=mode)
    eq, er = sl.qr(A43, mode=mode)
    assert q.shape == eq.shape and r.shape == er.shape
    close(np.asarray(q) @ np.asarray(r), A43, atol=1e-5)
  (r,) = jsl.qr(A43, mode="r")
  assert r.shape == sl.qr(A43, mode="r")[0].shape
  q, r, p = jsl.qr(A43, pivoting=True)
  eq, er, ep = sl.qr(A43, pivoting=True)
  close(p, ep)
  close(np.abs(np.asarray(r)), np.abs(er), atol=1e-5)
  (h, tau), _ = jsl.qr(A43, mode="raw")
  (eh, etau), _ = sl.qr(A43, mode="raw")
  close(np.abs(np.asarray(h)), np.abs(eh), atol=1e-5)


def test_eigh_svd_inv_det_solve():
  close(jsl.eigh(SPD, eigvals_only=True), sl.eigh(SPD, eigvals_only=True), atol=1e-4)
  w, v = jsl.eigh(SPD)
  close(SPD @ np.asarray(v), np.asarray(v) * np.asarray(w), atol=1e-4)
  bmat = (SPD + np.eye(3)).astype(np.float32)
  close(jsl.eigh(SPD, bmat, eigvals_only=True), sl.eigh(SPD, bmat, eigvals_only=True),
        atol=1e-4)
  w, v = jsl.eigh(SPD, bmat)
  close(SPD @ np.asarray(v), bmat @ np.asarray(v) * np.asarray(w), atol=1e-4)
  close(jsl.eigh(SPD, subset_by_index=(1, 3), eigvals_only=True),
        sl.eigh(SPD, subset_by_index=(1, 2), eigvals_only=True), atol=1e-4)
  u, s, vh = jsl.svd(A43)
  assert u.shape == (4, 4) and vh.shape == (3, 3)
  close(s, sl.svd(A43, compute_uv=False), atol=1e-5)
  close(jsl.svd(A43, compute_uv=False, lapack_driver="gesvd"), sl.svd(A43, compute_uv=False),
        atol=1e-5)
  close(jsl.inv(A), sl.inv(A), atol=1e-4)
  close(jsl.det(A), sl.det(A), atol=1e-5)
  for assume_a in ("gen", "sym", "pos"):
    close(jsl.solve(SPD, B, assume_a=assume_a), sl.solve(SPD, B, assume_a=assume_a),
          atol=1e-5)
  close(jsl.solve(A, b), sl.solve(A, b), atol=1e-4)
  with pytest.raises(ValueError, match="assume_a"):
    jsl.solve(A, b, assume_a="weird")


def test_expm():
  for a in (A, 0.1 * A, 6 * A, np.zeros((3, 3), np.float32), np.triu(A)):
    expected = sl.expm(a.astype(np.float64))
    close(jsl.expm(a), expected, atol=1e-4 * max(1, np.abs(expected).max()), rtol=1e-4)
  batch = np.stack([A, 2 * A])
  close(jsl.expm(batch), np.stack([sl.expm(A), sl.expm(2 * A)]), rtol=1e-4, atol=1e-4)
  close(jaxlite.jit(jsl.expm)(A), sl.expm(A), rtol=1e-4, atol=1e-4)
  assert np.isnan(np.asarray(jsl.expm(1e6 * A, max_squarings=4))).all()


def test_expm_grad_vs_jax():
  jax = pytest.importorskip("jax")
  import jax.scipy.linalg as jax_sl
  g1 = jaxlite.jit(jaxlite.grad(lambda x: jnp.sum(jnp.sin(jsl.expm(x)))))(A)
  g2 = jax.jit(jax.grad(lambda x: jax.numpy.sum(jax.numpy.sin(jax_sl.expm(x)))))(A)
  close(g1, g2, atol=1e-3, rtol=1e-3)


def test_block_diag():
  close(jsl.block_diag(A, b, 2.0, B), sl.block_diag(A, b, 2.0, B))
  assert jsl.block_diag(np.ones((2, 2), np.int32), np.ones(1, np.float32)).dtype == np.float32
  with pytest.raises(ValueError, match="dimension greater than 2"):
    jsl.block_diag(np.ones((2, 2, 2)))


def test_gaussian_process_regression_vs_jax():
  # The GP regression pattern research code uses: cholesky + solve_triangular.
  jax = pytest.importorskip("jax")
  import jax.scipy.linalg as jax_sl
  xs = np.linspace(-1, 1, 4).astype(np.float32)
  ys = np.sin(3 * xs).astype(np.float32)

  def neg_log_marginal(np_, linalg, length):
    k = np_.exp(-0.5 * (xs[:, None] - xs[None, :]) ** 2 / length ** 2) + 0.1 * np_.eye(4)
    l = linalg.cholesky(k, lower=True)
    alpha = linalg.solve_triangular(l.T, linalg.solve_triangular(l, ys, lower=True),
                                    lower=False)
    return 0.5 * ys @ alpha + np_.sum(np_.log(np_.diagonal(l)))
  f1 = jaxlite.jit(jaxlite.value_and_grad(lambda t: neg_log_marginal(jnp, jsl, t)))
  f2 = jax.jit(jax.value_and_grad(lambda t: neg_log_marginal(jax.numpy, jax_sl, t)))
  for v1, v2 in zip(f1(np.float32(0.7)), f2(np.float32(0.7))):
    close(v1, v2, atol=1e-5)


def test_multivariate_normal_vs_scipy():
  stats = pytest.importorskip("scipy.stats")
  x = rng.randn(4, 3).astype(np.float32)
  mean = rng.randn(3).astype(np.float32)
  close(multivariate_normal.logpdf(x, mean, SPD),
        stats.multivariate_normal.logpdf(x, mean, SPD), atol=1e-5)
  close(multivariate_normal.pdf(x, mean, SPD),
        stats.multivariate_normal.pdf(x, mean, SPD), atol=1e-7, rtol=1e-5)
  close(multivariate_normal.logpdf(x, mean, 2.0),
        stats.multivariate_normal.logpdf(x, mean, 2.0 * np.eye(3)), atol=1e-5)
  close(multivariate_normal.logpdf(0.3, 0.1, 2.0), stats.norm.logpdf(0.3, 0.1, np.sqrt(2.0)))
  # batched covariances
  covs = np.stack([SPD, 2 * SPD])
  close(multivariate_normal.logpdf(x[:2], mean, covs),
        [stats.multivariate_normal.logpdf(x[i], mean, covs[i]) for i in range(2)], atol=1e-5)
  # a singular covariance: the density on its range
  cov = np.diag([2., 3., 0.]).astype(np.float32)
  pts = np.array([[0.5, -1., 0.], [1., 0.2, 0.]], np.float32)
  expected = (stats.norm.logpdf(pts[:, 0], 0, np.sqrt(2.))
              + stats.norm.logpdf(pts[:, 1], 0, np.sqrt(3.)))
  close(multivariate_normal.logpdf(pts, np.zeros(3, np.float32), cov, allow_singular=True),
        expected, atol=1e-5)
  with pytest.raises(ValueError, match="incompatible shapes"):
    multivariate_normal.logpdf(x, mean, np.eye(2, dtype=np.float32))


def test_multivariate_normal_grad_vs_jax():
  jax = pytest.importorskip("jax")
  x = rng.randn(3).astype(np.float32)
  f1 = jaxlite.jit(jaxlite.grad(multivariate_normal.logpdf, argnums=(1, 2)))
  f2 = jax.jit(jax.grad(jax.scipy.stats.multivariate_normal.logpdf, argnums=(1, 2)))
  for g1, g2 in zip(f1(x, np.zeros(3, np.float32), SPD), f2(x, np.zeros(3, np.float32), SPD)):
    close(g1, g2, atol=1e-5)
