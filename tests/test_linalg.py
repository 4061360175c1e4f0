"""Tests for lax.linalg (primitives and their rules) and jnp.linalg.

Decompositions are checked by their reconstruction identities and against
NumPy; derivatives against JAX (the test-only oracle) and finite differences;
every primitive eagerly, under jit, under vmap and under grad. Shapes stay
tiny (2x2 to 4x4): compiles are the cost.
"""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.config import enable_x64
from jaxlite.test_util import check_grads

rng = np.random.RandomState(0)
A3 = rng.randn(3, 3).astype(np.float32)
SPD3 = (A3 @ A3.T + 3 * np.eye(3)).astype(np.float32)
A43 = rng.randn(4, 3).astype(np.float32)
A34 = rng.randn(3, 4).astype(np.float32)
B32 = rng.randn(3, 2).astype(np.float32)
BATCH = np.stack([A3, A3.T, 2 * A3 + np.eye(3, dtype=np.float32)])
C3 = (rng.randn(3, 3) + 1j * rng.randn(3, 3)).astype(np.complex64)
HPD3 = (C3 @ C3.conj().T + 3 * np.eye(3)).astype(np.complex64)


def close(x, y, atol=1e-5, rtol=1e-5):
  np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=rtol)


def _jax():
  return pytest.importorskip("jax")


def grad_vs_jax(f_lite, f_jax, *args, atol=2e-4, argnums=0):
  jax = _jax()
  # jitted: one compile per gradient rather than one per eager primitive
  g1 = jaxlite.jit(jaxlite.grad(f_lite, argnums=argnums))(*args)
  g2 = jax.jit(jax.grad(f_jax, argnums=argnums))(*args)
  close(g1, g2, atol=atol, rtol=atol)
  return g1


# --- cholesky --------------------------------------------------------------------------------


def test_cholesky_eager_jit_vmap():
  l = lax.linalg.cholesky(SPD3)
  close(l, np.linalg.cholesky(SPD3))
  assert np.all(np.triu(np.asarray(l), 1) == 0)
  close(jaxlite.jit(lax.linalg.cholesky)(SPD3), np.linalg.cholesky(SPD3))
  batch = np.stack([SPD3, 2 * SPD3])
  close(jaxlite.vmap(lax.linalg.cholesky)(batch), np.linalg.cholesky(batch))
  # a batch of leading dims natively
  close(lax.linalg.cholesky(batch), np.linalg.cholesky(batch))


def test_cholesky_not_positive_definite_is_nan():
  bad = np.array([[1., 2.], [2., 1.]], np.float32)
  out = np.asarray(lax.linalg.cholesky(np.stack([bad, np.eye(2, dtype=np.float32)])))
  assert np.isnan(out[0]).all() and np.allclose(out[1], np.eye(2))


def test_cholesky_complex_and_half():
  close(lax.linalg.cholesky(HPD3), np.linalg.cholesky(HPD3), atol=1e-4)
  out = lax.linalg.cholesky(SPD3.astype(np.float16))
  assert out.dtype == np.float16
  close(out.astype(np.float32), np.linalg.cholesky(SPD3), atol=1e-2, rtol=1e-2)


def test_cholesky_lowers_to_lapack():
  text = jaxlite.xla_computation(lax.linalg.cholesky)(SPD3).as_stablehlo_text()
  assert "lapack_spotrf_ffi" in text


def test_cholesky_grad():
  jax = _jax()
  grad_vs_jax(lambda x: jnp.sum(jnp.sin(lax.linalg.cholesky(x))),
              lambda x: jax.numpy.sum(jax.numpy.sin(jax.lax.linalg.cholesky(x))), SPD3)
  with enable_x64():
    check_grads(lambda x: lax.linalg.cholesky(x), (SPD3.astype(np.float64),), order=2,
                modes=("fwd", "rev"), atol=1e-5, rtol=1e-5)


def test_cholesky_errors():
  with pytest.raises(ValueError, match="square"):
    lax.linalg.cholesky(np.ones((2, 3), np.float32))
  with pytest.raises(TypeError, match="cholesky does not accept dtype int32"):
    lax.linalg.cholesky(np.eye(2, dtype=np.int32))


# --- triangular_solve ----------------------------------------------------------------------------


@pytest.mark.parametrize("left_side,lower,transpose_a,conjugate_a,unit_diagonal", [
    (True, True, False, False, False), (True, False, True, False, False),
    (False, True, False, False, True), (False, False, True, True, False),
    (True, True, True, True, True), (False, True, False, True, False)])
def test_triangular_solve_matches_numpy(left_side, lower, transpose_a, conjugate_a,
                                        unit_diagonal):
  a = (C3 + 3 * np.eye(3)).astype(np.complex64)
  b = (rng.randn(3, 2) + 1j * rng.randn(3, 2)).astype(np.complex64)
  if not left_side:
    b = b.T.copy()
  x = lax.linalg.triangular_solve(a, b, left_side=left_side, lower=lower,
                                  transpose_a=transpose_a, conjugate_a=conjugate_a,
                                  unit_diagonal=unit_diagonal)
  t = np.tril(a) if lower else np.triu(a)
  if unit_diagonal:
    t = t - np.diag(np.diag(t)) + np.eye(3)
  if transpose_a:
    t = t.T
  if conjugate_a:
    t = t.conj()
  expected = np.linalg.solve(t, b) if left_side else np.linalg.solve(t.T, b.T).T
  close(x, expected, atol=1e-4, rtol=1e-4)


def test_triangular_solve_grads_and_vmap():
  jax = _jax()
  a = np.tril(SPD3)
  for kw in (dict(left_side=True, lower=True), dict(left_side=False, lower=False,
                                                   transpose_a=True)):
    b = B32 if kw["left_side"] else B32.T.copy()
    for argnums in (0, 1):
      grad_vs_jax(lambda x, y: jnp.sum(jnp.sin(lax.linalg.triangular_solve(x, y, **kw))),
                  lambda x, y: jax.numpy.sum(jax.numpy.sin(
                      jax.lax.linalg.triangular_solve(x, y, **kw))), a, b, argnums=argnums)
  # vmap over b only (a broadcast) and over both
  bs = np.stack([B32, 2 * B32])
  f = lambda x, y: lax.linalg.triangular_solve(x, y, left_side=True, lower=True)
  out = jaxlite.vmap(f, in_axes=(None, 0))(a, bs)
  close(out, np.linalg.solve(np.tril(a), bs), atol=1e-4)
  out = jaxlite.jit(jaxlite.vmap(f))(np.stack([a, a]), bs)
  close(out, np.linalg.solve(np.tril(a), bs), atol=1e-4)


def test_triangular_solve_transpose_is_linear_transpose():
  a = np.tril(SPD3)
  f = lambda y: lax.linalg.triangular_solve(a, y, left_side=True, lower=True)
  ct = np.ones((3, 2), np.float32)
  (out,) = jaxlite.linear_transpose(f, B32)(ct)
  close(out, np.linalg.solve(a.T, ct), atol=1e-5)


def test_triangular_solve_shape_errors():
  with pytest.raises(TypeError, match="shared dimension"):
    lax.linalg.triangular_solve(SPD3, np.ones((2, 3), np.float32), left_side=True)
  with pytest.raises(TypeError, match="same dtype"):
    lax.linalg.triangular_solve(SPD3, B32.astype(np.complex64), left_side=True)


# --- eigh ------------------------------------------------------------------------------------------


def test_eigh_reconstruction_jit_vmap():
  v, w = lax.linalg.eigh(SPD3)
  close(w, np.linalg.eigvalsh(SPD3), atol=1e-4)
  close((np.asarray(v) * np.asarray(w)) @ np.asarray(v).T, SPD3, atol=1e-4)
  assert np.all(np.diff(np.asarray(w)) >= 0)
  batch = np.stack([SPD3, np.diag([3., 1., 2.]).astype(np.float32)])
  vw = jaxlite.jit(jaxlite.vmap(lambda x: lax.linalg.eigh(x)[1]))(batch)
  close(vw, np.linalg.eigvalsh(batch), atol=1e-4)
  vc, wc = lax.linalg.eigh(HPD3)
  close(wc, np.linalg.eigvalsh(HPD3), atol=1e-3)
  assert wc.dtype == np.float32


def test_eigh_lower_upper_and_subset():
  m = np.triu(SPD3) + 5 * np.tril(np.ones((3, 3), np.float32), -1)   # lower part garbage
  _, w = lax.linalg.eigh(m, lower=False, symmetrize_input=False)
  close(w, np.linalg.eigvalsh(SPD3, UPLO="U"), atol=1e-4)
  v, w = lax.linalg.eigh(SPD3, subset_by_index=(1, 3))
  assert v.shape == (3, 2)
  close(w, np.linalg.eigvalsh(SPD3)[1:], atol=1e-4)


def test_eigh_grad():
  jax = _jax()
  def f(mod, np_):
    def fun(x):
      v, w = mod.lax.linalg.eigh(x)
      # eigenvector signs are arbitrary: use sign-invariant functions of them
      return np_.sum(np_.sin(w)) + np_.sum(v[:, 0] ** 2 * np_.arange(3.))
    return fun
  grad_vs_jax(f(jaxlite, jnp), f(jax, jax.numpy), SPD3, atol=1e-3)


# --- svd ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("a", [A3, A43, A34], ids=["3x3", "4x3", "3x4"])
def test_svd_reconstruction(a):
  u, s, vt = lax.linalg.svd(a, full_matrices=False)
  close((np.asarray(u) * np.asarray(s)) @ np.asarray(vt), a, atol=1e-5)
  close(s, np.linalg.svd(a, compute_uv=False), atol=1e-5)
  uf, sf, vtf = lax.linalg.svd(a, full_matrices=True)
  m, n = a.shape
  assert uf.shape == (m, m) and vtf.shape == (n, n)
  close(np.asarray(uf) @ np.asarray(uf).T, np.eye(m), atol=1e-5)
  close(lax.linalg.svd(a, compute_uv=False), np.linalg.svd(a, compute_uv=False), atol=1e-5)


@pytest.mark.parametrize("a", [A3, A43, A34], ids=["3x3", "4x3", "3x4"])
def test_svd_grad(a):
  jax = _jax()
  def f(mod, np_):
    def fun(x):
      u, s, vt = mod.lax.linalg.svd(x, full_matrices=False)
      return np_.sum(np_.sin(s)) + np_.sum(u[:, 0] ** 2) * 0.3 + np_.sum(vt[0] * vt[0] *
                                                                         np_.arange(x.shape[1]))
    return fun
  grad_vs_jax(f(jaxlite, jnp), f(jax, jax.numpy), a, atol=1e-3)


def test_svd_vmap_jit_and_full_matrices_jvp_error():
  s = jaxlite.jit(jaxlite.vmap(lambda x: lax.linalg.svd(x, compute_uv=False)))(BATCH)
  close(s, np.linalg.svd(BATCH, compute_uv=False), atol=1e-4)
  with pytest.raises(NotImplementedError, match="full matrices"):
    jaxlite.jvp(lambda x: lax.linalg.svd(x)[0], (A43,), (A43,))


# --- qr -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("a", [A3, A43, A34], ids=["3x3", "4x3", "3x4"])
def test_qr_reconstruction(a):
  for full in (False, True):
    q, r = lax.linalg.qr(a, full_matrices=full)
    close(np.asarray(q) @ np.asarray(r), a, atol=1e-5)
    close(np.asarray(q).T @ np.asarray(q), np.eye(q.shape[1]), atol=1e-5)
    assert np.all(np.tril(np.asarray(r), -1) == 0)
  q, r, p = lax.linalg.qr(a, pivoting=True, full_matrices=False)
  close(np.asarray(q) @ np.asarray(r), a[:, np.asarray(p)], atol=1e-5)
  d = np.abs(np.diag(np.asarray(r)))
  assert np.all(d[:-1] >= d[1:] - 1e-6)   # pivoting orders |R_ii|


def test_qr_grad_square_and_tall_vs_jax():
  jax = _jax()
  for a in (A3, A43):
    grad_vs_jax(lambda x: jnp.sum(jnp.sin(jnp.concatenate(
        [lax.linalg.qr(x, full_matrices=False)[0].ravel(),
         lax.linalg.qr(x, full_matrices=False)[1].ravel()]))),
                lambda x: jax.numpy.sum(jax.numpy.sin(jax.numpy.concatenate(
                    [jax.lax.linalg.qr(x, full_matrices=False)[0].ravel(),
                     jax.lax.linalg.qr(x, full_matrices=False)[1].ravel()]))), a, atol=1e-3)


def test_qr_grad_wide_finite_differences():
  # JAX has no derivative for m < n; here R = [R1 R2] with R2 = Q^H x2.
  with enable_x64():
    check_grads(lambda x: lax.linalg.qr(x, full_matrices=False), (A34.astype(np.float64),),
                order=1, modes=("fwd", "rev"), atol=1e-5, rtol=1e-5)


def test_qr_vmap():
  q, r = jaxlite.vmap(lambda x: lax.linalg.qr(x, full_matrices=False))(BATCH)
  close(np.einsum("bij,bjk->bik", np.asarray(q), np.asarray(r)), BATCH, atol=1e-5)


# --- lu -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("a", [A3, A43, A34], ids=["3x3", "4x3", "3x4"])
def test_lu_matches_scipy(a):
  scipy_linalg = pytest.importorskip("scipy.linalg")
  lu_, piv, perm = lax.linalg.lu(a)
  p, l, u = scipy_linalg.lu(a)
  m, n = a.shape
  k = min(m, n)
  l_ = np.tril(np.asarray(lu_)[:, :k], -1) + np.eye(m, k)
  u_ = np.triu(np.asarray(lu_)[:k])
  close(l_ @ u_, a[np.asarray(perm)], atol=1e-5)
  close(l_, l, atol=1e-5)
  close(u_, u, atol=1e-5)
  assert piv.dtype == np.int32 and perm.dtype == np.int32
  if m == n:
    close(piv, scipy_linalg.lu_factor(a)[1])


def test_lu_pivots_to_permutation():
  piv = np.array([[2, 2, 2], [0, 2, 2]], np.int32)
  out = lax.linalg.lu_pivots_to_permutation(piv, 4)
  close(out, [[2, 0, 1, 3], [0, 2, 1, 3]])


def test_lu_grad_and_vmap():
  jax = _jax()
  for a in (A3, A43, A34):
    grad_vs_jax(lambda x: jnp.sum(jnp.sin(lax.linalg.lu(x)[0])),
                lambda x: jax.numpy.sum(jax.numpy.sin(jax.lax.linalg.lu(x)[0])), a)
  perms = jaxlite.vmap(lambda x: lax.linalg.lu(x)[2])(BATCH)
  close(perms, jax.vmap(lambda x: jax.lax.linalg.lu(x)[2])(BATCH))


def test_singular_lu_is_finite():
  lu_, _, _ = lax.linalg.lu(np.zeros((2, 2), np.float32))
  assert np.all(np.asarray(lu_) == 0)


# --- eig and tridiagonal_solve ------------------------------------------------------------------------


def test_eig_eigenpairs_and_eigvals_grad():
  jax = _jax()
  w, vl, vr = lax.linalg.eig(A3)
  w, vl, vr = map(np.asarray, (w, vl, vr))
  close(A3 @ vr, vr * w, atol=1e-4)
  close(vl.conj().T @ A3, w[:, None] * vl.conj().T, atol=1e-4)
  close(np.sort_complex(w), np.sort_complex(np.linalg.eigvals(A3)), atol=1e-4)
  f = lambda mod, np_: lambda x: np_.sum(np_.real(mod.lax.linalg.eig(
      x, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]) ** 2)
  grad_vs_jax(f(jaxlite, jnp), f(jax, jax.numpy), A3, atol=1e-3)
  with pytest.raises(NotImplementedError, match="eigenvectors"):
    jaxlite.grad(lambda x: jnp.sum(jnp.real(lax.linalg.eig(x)[1])))(A3)


def test_tridiagonal_solve():
  jax = _jax()
  dl = np.array([0., 1., 2.], np.float32)
  d = np.array([4., 5., 6.], np.float32)
  du = np.array([1., 1., 0.], np.float32)
  dense = np.diag(d) + np.diag(dl[1:], -1) + np.diag(du[:-1], 1)
  close(lax.linalg.tridiagonal_solve(dl, d, du, B32), np.linalg.solve(dense, B32), atol=1e-5)
  for argnums in (1, 3):
    grad_vs_jax(lambda *a: jnp.sum(jnp.sin(lax.linalg.tridiagonal_solve(*a))),
                lambda *a: jax.numpy.sum(jax.numpy.sin(jax.lax.linalg.tridiagonal_solve(*a))),
                dl, d, du, B32, argnums=argnums)


# --- jnp.linalg ----------------------------------------------------------------------------------


def test_jnp_solve_inv_det_slogdet():
  b = rng.randn(3).astype(np.float32)
  close(jnp.linalg.solve(A3, b), np.linalg.solve(A3, b), atol=1e-4)
  close(jnp.linalg.solve(BATCH, B32), np.linalg.solve(BATCH, B32), atol=1e-4)
  close(jnp.linalg.inv(BATCH), np.linalg.inv(BATCH), atol=1e-4)
  a4 = rng.randn(4, 4).astype(np.float32)
  for a in (A3[:1, :1], A3[:2, :2], A3, a4, BATCH):
    close(jnp.linalg.det(a), np.linalg.det(a), atol=1e-4, rtol=1e-4)
  for a in (a4, -a4, BATCH):
    sign, logdet = jnp.linalg.slogdet(a)
    esign, elogdet = np.linalg.slogdet(a)
    close(sign, esign)
    close(logdet, elogdet, atol=1e-5)
  sign, logdet = jnp.linalg.slogdet(np.zeros((4, 4), np.float32))
  assert float(sign) == 0 and float(logdet) == -np.inf
  csign, clog = jnp.linalg.slogdet(C3)
  esign, elog = np.linalg.slogdet(C3)
  close(csign, esign, atol=1e-5)
  close(clog, elog, atol=1e-5)


def test_jnp_linalg_grads_vs_jax():
  jax = _jax()
  a4 = (rng.randn(4, 4) + 4 * np.eye(4)).astype(np.float32)
  b = rng.randn(4).astype(np.float32)
  for name in ("det", "inv"):
    grad_vs_jax(lambda x: jnp.sum(jnp.sin(getattr(jnp.linalg, name)(x))),
                lambda x: jax.numpy.sum(jax.numpy.sin(getattr(jax.numpy.linalg, name)(x))), a4,
                atol=1e-3)
  grad_vs_jax(lambda x: jnp.linalg.slogdet(x)[1], lambda x: jax.numpy.linalg.slogdet(x)[1], a4)
  grad_vs_jax(lambda x, y: jnp.sum(jnp.linalg.solve(x, y) ** 2),
              lambda x, y: jax.numpy.sum(jax.numpy.linalg.solve(x, y) ** 2), a4, b, atol=1e-3)
  # det of a singular 2x2 still has a gradient (the cofactor matrix)
  g = jaxlite.grad(jnp.linalg.det)(np.array([[1., 2.], [2., 4.]], np.float32))
  close(g, [[4., -2.], [-2., 1.]])


def test_jnp_decompositions():
  close(jnp.linalg.cholesky(SPD3), np.linalg.cholesky(SPD3), atol=1e-5)
  close(jnp.linalg.cholesky(SPD3, upper=True), np.linalg.cholesky(SPD3).T, atol=1e-5)
  w, v = jnp.linalg.eigh(SPD3, UPLO="U")
  close(w, np.linalg.eigvalsh(SPD3, UPLO="U"), atol=1e-4)
  close(jnp.linalg.eigvalsh(SPD3), np.linalg.eigvalsh(SPD3), atol=1e-4)
  for mode in ("reduced", "complete"):
    q, r = jnp.linalg.qr(A43, mode=mode)
    eq, er = np.linalg.qr(A43, mode=mode)
    assert q.shape == eq.shape and r.shape == er.shape
    close(np.asarray(q) @ np.asarray(r), A43, atol=1e-5)
  assert jnp.linalg.qr(A43, mode="r").shape == (3, 3)
  h, tau = jnp.linalg.qr(A43, mode="raw")
  eh, etau = np.linalg.qr(A43, mode="raw")
  close(np.abs(np.asarray(h)), np.abs(eh), atol=1e-5)
  u, s, vh = jnp.linalg.svd(A43)
  assert u.shape == (4, 4) and vh.shape == (3, 3)
  close(jnp.linalg.svd(SPD3 - 5 * np.eye(3, dtype=np.float32), hermitian=True,
                       compute_uv=False),
        np.linalg.svd(SPD3 - 5 * np.eye(3), compute_uv=False), atol=1e-4)
  u, s, vh = jnp.linalg.svd(SPD3 - 5 * np.eye(3, dtype=np.float32), hermitian=True)
  close((np.asarray(u) * np.asarray(s)) @ np.asarray(vh), SPD3 - 5 * np.eye(3), atol=1e-4)
  close(jnp.linalg.svdvals(A34), np.linalg.svd(A34, compute_uv=False), atol=1e-5)
  w, v = jnp.linalg.eig(A3)
  close(A3 @ np.asarray(v), np.asarray(v) * np.asarray(w), atol=1e-4)
  close(np.sort_complex(np.asarray(jnp.linalg.eigvals(A3))),
        np.sort_complex(np.linalg.eigvals(A3)), atol=1e-4)


def test_jnp_pinv_power_rank_lstsq_cond():
  close(jnp.linalg.pinv(A43), np.linalg.pinv(A43), atol=1e-4)
  close(jnp.linalg.pinv(BATCH), np.linalg.pinv(BATCH), atol=1e-3)
  for n in (0, 1, 3, -2):
    close(jnp.linalg.matrix_power(A3, n), np.linalg.matrix_power(A3, n), atol=1e-3, rtol=1e-3)
  with pytest.raises(TypeError, match="exponent must be an integer"):
    jnp.linalg.matrix_power(A3, 1.5)
  low_rank = np.outer(A3[0], A3[1]).astype(np.float32)
  assert int(jnp.linalg.matrix_rank(low_rank)) == 1
  assert int(jnp.linalg.matrix_rank(SPD3)) == 3
  b = rng.randn(4, 2).astype(np.float32)
  x, resid, rank, s = jnp.linalg.lstsq(A43, b)
  ex, eresid, erank, es = np.linalg.lstsq(A43, b, rcond=None)
  close(x, ex, atol=1e-4)
  close(resid, eresid, atol=1e-4)
  assert int(rank) == erank
  close(jnp.linalg.lstsq(A43, b[:, 0])[0], ex[:, 0], atol=1e-4)
  for p in (None, 1, -1, np.inf, "fro", 2, -2):
    close(jnp.linalg.cond(A3, p), np.linalg.cond(A3, p), rtol=1e-3)


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf])
def test_jnp_matrix_norm(ord):
  x = rng.randn(2, 3, 4).astype(np.float32)
  for axis in ((1, 2), (2, 0)):
    for keepdims in (False, True):
      close(jnp.linalg.norm(x, ord, axis, keepdims),
            np.linalg.norm(x, ord, axis, keepdims), atol=1e-4, rtol=1e-4)


def test_jnp_vector_norms_and_helpers():
  x = rng.randn(2, 3).astype(np.float32)
  for ord in (None, 0, 1, 2, 3, 0.5, np.inf, -np.inf):
    close(jnp.linalg.norm(x, ord, axis=1), np.linalg.norm(x, ord, axis=1), atol=1e-5)
  close(jnp.linalg.norm(x), np.linalg.norm(x), atol=1e-5)
  close(jnp.linalg.norm(x, keepdims=True), np.linalg.norm(x, keepdims=True), atol=1e-5)
  close(jnp.linalg.norm(C3[0], 2), np.linalg.norm(C3[0], 2), atol=1e-5)
  close(jnp.linalg.vector_norm(x, ord=1), np.abs(x).sum(), atol=1e-5)
  close(jnp.linalg.matrix_norm(x, ord="nuc"), np.linalg.norm(x, "nuc"), atol=1e-5)
  with pytest.raises(ValueError, match="Invalid order 'fro' for vector norm"):
    jnp.linalg.norm(x, "fro", axis=0)
  with pytest.raises(ValueError, match="Improper number of axes"):
    jnp.linalg.norm(np.ones((2, 2, 2)), axis=(0, 1, 2))
  mats = [rng.randn(2, 3), rng.randn(3, 4), rng.randn(4, 2), rng.randn(2)]
  mats = [m.astype(np.float32) for m in mats]
  close(jnp.linalg.multi_dot(mats), np.linalg.multi_dot(mats), atol=1e-4)
  a = (rng.randn(6, 2, 3) + 0).astype(np.float32)
  close(jnp.linalg.tensorinv(a, ind=1), np.linalg.tensorinv(a, ind=1), atol=1e-3, rtol=1e-3)
  t = rng.randn(2, 3, 6).astype(np.float32)
  bb = rng.randn(2, 3).astype(np.float32)
  close(jnp.linalg.tensorsolve(t, bb), np.linalg.tensorsolve(t, bb), atol=1e-3, rtol=1e-3)
  close(jnp.linalg.outer(x[0], x[1]), np.outer(x[0], x[1]))
  close(jnp.linalg.vecdot(x, x), np.sum(x * x, -1), atol=1e-5)
  close(jnp.linalg.matrix_transpose(x), x.T)


def test_jnp_linalg_errors_and_promotion():
  with pytest.raises(ValueError, match="square"):
    jnp.linalg.inv(np.ones((2, 3), np.float32))
  with pytest.raises(ValueError, match="at least two dimensional"):
    jnp.linalg.solve(np.ones(3, np.float32), np.ones(3, np.float32))
  with pytest.raises(ValueError, match="UPLO"):
    jnp.linalg.eigh(SPD3, UPLO="X")
  with pytest.raises(ValueError, match="Unsupported QR decomposition mode"):
    jnp.linalg.qr(A3, mode="bogus")
  with pytest.raises(TypeError, match="requires ndarray or scalar"):
    jnp.linalg.det([[1., 2.], [3., 4.]])
  out = jnp.linalg.inv(np.array([[2, 0], [0, 4]], np.int32))   # ints promote to float
  assert out.dtype == np.float32
  close(out, [[0.5, 0], [0, 0.25]])


def test_jnp_linalg_under_jit_and_vmap():
  f = jaxlite.jit(lambda a, b: (jnp.linalg.solve(a, b), jnp.linalg.det(a),
                                jnp.linalg.slogdet(a)[1], jnp.linalg.eigvalsh(a @ a.T)))
  x, d, ld, w = f(A3, B32)
  close(x, np.linalg.solve(A3, B32), atol=1e-4)
  close(d, np.linalg.det(A3), atol=1e-4)
  close(ld, np.linalg.slogdet(A3)[1], atol=1e-5)
  close(w, np.linalg.eigvalsh(A3 @ A3.T), atol=1e-4)
  dets = jaxlite.vmap(jnp.linalg.det)(np.concatenate([BATCH, BATCH + 1]).reshape(-1, 3, 3)
                                     [:, :, :])
  close(dets, np.linalg.det(np.concatenate([BATCH, BATCH + 1])), atol=1e-3, rtol=1e-4)
  a4 = rng.randn(2, 4, 4).astype(np.float32)
  close(jaxlite.vmap(jnp.linalg.inv)(a4), np.linalg.inv(a4), atol=1e-3, rtol=1e-3)
