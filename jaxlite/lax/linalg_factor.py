"""QR, LU, eig and tridiagonal solves: the rest of ``jaxlite.lax.linalg``.

QR is Householder based (``geqrf`` then ``householder_product``, each a
primitive lowered to LAPACK on CPU); ``qr_p`` is their composition with its
own JVP. ``lu_p`` returns LAPACK's pivots and the permutation they make.
"""
from __future__ import annotations

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, mlir
from jaxlite.lax import base, lapack
from jaxlite.lax.linalg_util import (H, T, batch_leading, check_matrix, diagonal, eye,
                                     linalg_primitive, matmul, real_dtype, tril, triu)


def _triangular_solve(*args, **kw):
  from jaxlite.lax.linalg import triangular_solve
  return triangular_solve(*args, **kw)


def _slice_matrix(x, rows, cols):
  from jaxlite import lax
  shape = core.get_aval(x).shape
  return lax.slice(x, (0,) * len(shape), shape[:-2] + (rows, cols))


def _permutation_matrix(perm, n, dtype):
  """``P`` with ``P[..., i, j] = (perm[..., i] == j)``, so ``P @ x = x[perm]``."""
  from jaxlite import lax
  shape = core.get_aval(perm).shape + (n,)
  nd = len(shape)
  pb = lax.broadcast_in_dim(perm, shape, tuple(range(nd - 1)))
  return lax.convert_element_type(lax.eq(pb, lax.broadcasted_iota(np.int32, shape, nd - 1)),
                                  dtype)


# --- geqrf, geqp3 and householder_product ----------------------------------------------------


def _geqrf_abstract_eval(a):
  check_matrix("geqrf", a)
  m, n = a.shape[-2:]
  return [ShapedArray(a.shape, a.dtype), ShapedArray(a.shape[:-2] + (min(m, n),), a.dtype)]


geqrf_p = linalg_primitive("geqrf", _geqrf_abstract_eval, multiple_results=True)


def _geqrf_cpu_lowering(ctx, a):
  aval, = ctx.avals_in
  r_out, tau_out = ctx.avals_out
  if 0 in aval.shape[-2:]:
    return [a, mlir.full_like_aval(0, tau_out)]
  cdt = lapack.compute_dtype(aval.dtype)
  caval, ctau = aval.update(dtype=cdt), tau_out.update(dtype=cdt)
  r, taus = lapack.custom_call(lapack.target_name("geqrf", cdt), [lapack.convert(a, aval, cdt)],
                               [caval], [caval, ctau], aliases={0: 0})
  return [lapack.convert(r, caval, aval.dtype), lapack.convert(taus, ctau, aval.dtype)]


mlir.register_lowering(geqrf_p, _geqrf_cpu_lowering, platform="cpu")
batch_leading(geqrf_p)


def geqrf(a):
  """LAPACK's ``geqrf``: Householder QR in packed form.

  Returns ``(r, taus)``: ``r``'s upper triangle is R, below it the Householder
  vectors; ``taus`` their scales.

  >>> import numpy as np
  >>> r, taus = geqrf(np.array([[3., 1.], [4., 2.]], np.float32))
  >>> r.shape, taus.shape
  ((2, 2), (2,))
  """
  r, taus = geqrf_p.bind(a)
  return r, taus


def _geqp3_abstract_eval(a):
  check_matrix("geqp3", a)
  m, n = a.shape[-2:]
  return [ShapedArray(a.shape, a.dtype), ShapedArray(a.shape[:-2] + (n,), np.int32),
          ShapedArray(a.shape[:-2] + (min(m, n),), a.dtype)]


geqp3_p = linalg_primitive("geqp3", _geqp3_abstract_eval, multiple_results=True)


def _geqp3_cpu_lowering(ctx, a):
  aval, = ctx.avals_in
  r_out, p_out, tau_out = ctx.avals_out
  if 0 in aval.shape[-2:]:
    iota = mlir.hlo().iota(mlir.aval_to_ir_type(p_out), mlir.i64_attr(p_out.ndim - 1))
    return [a, iota, mlir.full_like_aval(0, tau_out)]
  cdt = lapack.compute_dtype(aval.dtype)
  caval, ctau = aval.update(dtype=cdt), tau_out.update(dtype=cdt)
  jpvt = mlir.full_like_aval(0, p_out)     # 0: every column is free to move
  r, p, taus = lapack.custom_call(
      lapack.target_name("geqp3", cdt), [lapack.convert(a, aval, cdt), jpvt], [caval, p_out],
      [caval, p_out, ctau], aliases={0: 0, 1: 1})
  p = mlir.hlo().subtract(p, mlir.full_like_aval(1, p_out))   # 1-based -> 0-based
  return [lapack.convert(r, caval, aval.dtype), p, lapack.convert(taus, ctau, aval.dtype)]


mlir.register_lowering(geqp3_p, _geqp3_cpu_lowering, platform="cpu")
batch_leading(geqp3_p)


def _householder_product_abstract_eval(a, taus):
  check_matrix("householder_product", a)
  m, n = a.shape[-2:]
  if m < n:
    raise ValueError(f"householder_product requires a with m >= n, got shape {a.shape}.")
  if taus.shape[:-1] != a.shape[:-2] or taus.shape[-1] > n or taus.dtype != a.dtype:
    raise ValueError("householder_product requires taus of shape (..., k), k <= n, with "
                     f"the dtype of a; got a {a.str_short()} and taus {taus.str_short()}.")
  return ShapedArray(a.shape, a.dtype)


householder_product_p = linalg_primitive("householder_product",
                                         _householder_product_abstract_eval)


def _householder_product_cpu_lowering(ctx, a, taus):
  aval, tau_aval = ctx.avals_in
  if 0 in aval.shape[-2:]:
    return a
  cdt = lapack.compute_dtype(aval.dtype)
  caval, ctau = aval.update(dtype=cdt), tau_aval.update(dtype=cdt)
  routine = "ungqr" if np.dtype(cdt).kind == "c" else "orgqr"
  q, = lapack.custom_call(lapack.target_name(routine, cdt),
                          [lapack.convert(a, aval, cdt), lapack.convert(taus, tau_aval, cdt)],
                          [caval, ctau], [caval], aliases={0: 0})
  return lapack.convert(q, caval, aval.dtype)


mlir.register_lowering(householder_product_p, _householder_product_cpu_lowering, platform="cpu")
batch_leading(householder_product_p)


def householder_product(a, taus):
  """The product of the Householder reflectors packed in ``a`` (LAPACK's orgqr).

  >>> import numpy as np
  >>> x = np.array([[3., 1.], [4., 2.]], np.float32)
  >>> q = householder_product(*geqrf(x))
  >>> q.shape
  (2, 2)
  """
  return householder_product_p.bind(a, taus)


# --- qr -----------------------------------------------------------------------------------------


def _qr_abstract_eval(x, *, pivoting, full_matrices):
  check_matrix("qr", x)
  m, n = x.shape[-2:]
  k = m if full_matrices else min(m, n)
  batch = x.shape[:-2]
  outs = [ShapedArray(batch + (m, k), x.dtype), ShapedArray(batch + (k, n), x.dtype)]
  if pivoting:
    outs.append(ShapedArray(batch + (n,), np.int32))
  return outs


qr_p = linalg_primitive("qr", _qr_abstract_eval, multiple_results=True)


def _qr_decomposition(x, *, pivoting, full_matrices):
  from jaxlite import lax
  aval = core.get_aval(x)
  batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
  k = min(m, n)
  if k == 0:
    cols = m if full_matrices else k
    q = eye(batch + (m, cols), aval.dtype)
    r = lax.full(batch + (cols, n), 0, aval.dtype)
    p = [lax.broadcasted_iota(np.int32, batch + (n,), len(batch))] if pivoting else []
    return [q, r] + p
  if pivoting:
    r, p, taus = geqp3_p.bind(x)
  else:
    r, taus = geqrf_p.bind(x)
  if m < n:
    q = householder_product_p.bind(_slice_matrix(r, m, m), taus)
  elif full_matrices:
    pad = [(0, 0, 0)] * (len(batch) + 1) + [(0, m - n, 0)]
    q = householder_product_p.bind(lax.pad(r, lax.full((), 0, aval.dtype), pad), taus)
  else:
    q = householder_product_p.bind(r, taus)
  r = triu(r)
  if not full_matrices and m > n:
    r = _slice_matrix(r, n, n)
  return [q, r, p] if pivoting else [q, r]


def _qr_square_jvp(q, r, dx):
  # dQ = Q (dO - C) + dX R^-1,  dR = (C - dO) R,  C = Q^H dX R^-1 and dO the
  # skew-Hermitian part of C's strictly lower triangle.
  from jaxlite import lax
  dx_rinv = _triangular_solve(r, dx)             # dX R^-1 (right side, upper)
  c = matmul(H(q), dx_rinv)
  c_lower = tril(c, -1)
  do = lax.sub(c_lower, H(c_lower))
  if np.dtype(core.get_aval(c).dtype).kind == "c":   # the imaginary diagonal of C
    e = eye(core.get_aval(c).shape, core.get_aval(c).dtype)
    imag = lax.sub(c, lax.convert_element_type(lax.real(c), core.get_aval(c).dtype))
    do = lax.add(do, lax.mul(e, imag))
  dq = lax.add(matmul(q, lax.sub(do, c)), dx_rinv)
  dr = matmul(lax.sub(c, do), r)
  return dq, dr


def _qr_jvp(primals, tangents, *, pivoting, full_matrices):
  from jaxlite import lax
  (x,), (dx,) = primals, tangents
  outs = qr_p.bind(x, pivoting=pivoting, full_matrices=full_matrices)
  aval = core.get_aval(x)
  m, n = aval.shape[-2:]
  zeros = [ad.Zero(ad.tangent_aval(core.get_aval(o))) for o in outs]
  if type(dx) is ad.Zero:
    return outs, zeros
  if full_matrices and m > n:
    raise NotImplementedError("Unimplemented case of QR decomposition derivative: the "
                              "trailing columns of a full Q are not determined by x.")
  q, r = outs[0], outs[1]
  if pivoting:   # the pivots are piecewise constant: x P = Q R
    dx = matmul(dx, T(_permutation_matrix(outs[2], n, aval.dtype)))
  if m >= n:
    dq, dr = _qr_square_jvp(q, r, dx)
  else:   # x = Q [R1 R2]: R1 from the square part, R2 = Q^H x2
    dq, dr1 = _qr_square_jvp(q, _slice_matrix(r, m, m), _slice_matrix(dx, m, m))
    nd = aval.ndim
    r2 = lax.slice(r, (0,) * (nd - 1) + (m,), core.get_aval(r).shape)
    dx2 = lax.slice(dx, (0,) * (nd - 1) + (m,), core.get_aval(dx).shape)
    dr2 = lax.add(matmul(H(q), dx2), matmul(matmul(H(dq), q), r2))
    dr = lax.concatenate([dr1, dr2], nd - 1)
  return outs, [dq, dr] + zeros[2:]


mlir.register_lowering(qr_p, mlir.lower_fun(_qr_decomposition, multiple_results=True))
ad.primitive_jvps[qr_p] = _qr_jvp
batch_leading(qr_p)


def qr(x, *, pivoting: bool = False, full_matrices: bool = True, use_magma=None):
  """QR decomposition ``x = q @ r`` (``x[:, p] = q @ r`` with pivoting).

  Args:
    x: batch of matrices ``(..., m, n)``.
    pivoting: column pivoting (LAPACK geqp3); also returns the permutation ``p``.
    full_matrices: ``q`` is ``(m, m)``; else ``(m, min(m, n))`` and ``r`` is
      ``(min(m, n), n)``.
    use_magma: ignored (GPU only in JAX).

  >>> import numpy as np
  >>> q, r = qr(np.array([[3., 1.], [4., 2.]], np.float32))
  >>> r.shape
  (2, 2)
  """
  del use_magma
  outs = qr_p.bind(x, pivoting=bool(pivoting), full_matrices=bool(full_matrices))
  return tuple(outs)


# --- lu -------------------------------------------------------------------------------------------


def lu_pivots_to_permutation(pivots, permutation_size: int):
  """The permutation made by applying LAPACK's row swaps ``pivots`` in order.

  Args:
    pivots: int32 ``(..., k)``: row ``i`` was swapped with row ``pivots[i]``.
    permutation_size: the number of rows ``m >= k``.

  >>> import numpy as np
  >>> lu_pivots_to_permutation(np.array([2, 2, 2], np.int32), 3)
  Array([2, 0, 1], dtype=int32)
  """
  return lu_pivots_to_permutation_p.bind(pivots, permutation_size=int(permutation_size))


def _pivots_abstract_eval(pivots, *, permutation_size):
  if np.dtype(pivots.dtype) != np.int32:
    raise TypeError(f"lu_pivots_to_permutation requires int32 pivots, got "
                    f"{pivots.dtype.name}.")
  if pivots.ndim < 1:
    raise ValueError("Argument to lu_pivots_to_permutation must have rank >= 1 and dtype "
                     f"int32. Got shape={pivots.shape} and dtype={pivots.dtype}")
  if pivots.shape[-1] > permutation_size:
    raise ValueError("Output permutation size must match or exceed the trailing dimension "
                     f"of the pivots. Got pivots.shape[-1]={pivots.shape[-1]} and "
                     f"permutation_size={permutation_size}")
  return ShapedArray(pivots.shape[:-1] + (permutation_size,), np.dtype(np.int32))


def _permutation_from_pivots(pivots, *, permutation_size: int):
  """The lowering of ``lu_pivots_to_permutation``: the swaps applied in a loop."""
  from jaxlite import lax
  aval = core.get_aval(pivots)
  batch, k = aval.shape[:-1], aval.shape[-1]
  shape = batch + (permutation_size,)
  nd = len(shape)
  iota = lax.broadcasted_iota(np.int32, shape, nd - 1)
  if k == 0 or permutation_size == 0:
    return iota
  last = nd - 1

  def swap(i, perm):
    # One-hot selections keep each batch element's swap a vector operation.
    p = lax.reshape(lax.dynamic_index_in_dim(pivots, i, axis=last, keepdims=True), batch)
    at_i = lax.eq(iota, lax.full(shape, i, np.int32))
    at_p = lax.eq(iota, lax.broadcast_in_dim(p, shape, tuple(range(nd - 1))))
    zero = lax.full(shape, 0, np.int32)
    val_i = lax.reduce_sum(lax.select(at_i, perm, zero), (last,))
    val_p = lax.reduce_sum(lax.select(at_p, perm, zero), (last,))
    bcast = lambda v: lax.broadcast_in_dim(v, shape, tuple(range(nd - 1)))
    return lax.select(at_i, bcast(val_p), lax.select(at_p, bcast(val_i), perm))
  return lax.fori_loop(0, k, swap, iota)


lu_pivots_to_permutation_p = linalg_primitive("lu_pivots_to_permutation",
                                              _pivots_abstract_eval)
mlir.register_lowering(lu_pivots_to_permutation_p,
                       mlir.lower_fun(_permutation_from_pivots, multiple_results=False))
ad.defjvp_zero(lu_pivots_to_permutation_p)   # integer-valued
batch_leading(lu_pivots_to_permutation_p)


def _lu_abstract_eval(x):
  check_matrix("lu", x)
  m, n = x.shape[-2:]
  batch = x.shape[:-2]
  return [ShapedArray(x.shape, x.dtype), ShapedArray(batch + (min(m, n),), np.int32),
          ShapedArray(batch + (m,), np.int32)]


lu_p = linalg_primitive("lu", _lu_abstract_eval, multiple_results=True)


def _lu_cpu_lowering(ctx, x):
  aval, = ctx.avals_in
  lu_out, piv_aval, perm_aval = ctx.avals_out
  m = aval.shape[-2]
  batch = aval.shape[:-2]
  if 0 in aval.shape[-2:]:
    iota = mlir.hlo().iota(mlir.aval_to_ir_type(perm_aval), mlir.i64_attr(perm_aval.ndim - 1))
    return [x, mlir.full_like_aval(0, piv_aval), iota]
  cdt = lapack.compute_dtype(aval.dtype)
  caval = aval.update(dtype=cdt)
  lu_val, piv, info = lapack.custom_call(
      lapack.target_name("getrf", cdt), [lapack.convert(x, aval, cdt)], [caval],
      [caval, piv_aval, ShapedArray(batch, np.int32)], aliases={0: 0})
  piv = mlir.hlo().subtract(piv, mlir.full_like_aval(1, piv_aval))   # 1-based -> 0-based
  # info > 0 only says U is singular: the factorization is still valid.
  lu_val = lapack.nan_if_not_ok(lapack.info_ok(info, batch, "GE"), lu_val, caval)
  perm_rule = mlir.lower_fun(lambda p: lu_pivots_to_permutation(p, m), multiple_results=False)
  perm = perm_rule(ctx.replace(primitive=None, avals_in=[piv_aval], avals_out=[perm_aval]), piv)
  return [lapack.convert(lu_val, caval, aval.dtype), piv, perm]


def _lu_jvp(primals, tangents):
  # P A = L U  =>  L^-1 P A' U^-1 = L^-1 L' + U' U^-1: split it into its strictly
  # lower part (L' = L tril) and upper part (U' = triu U).
  from jaxlite import lax
  (a,), (a_dot,) = primals, tangents
  lu_val, pivots, perm = lu_p.bind(a)
  outs = [lu_val, pivots, perm]
  zeros = [ad.Zero(ad.tangent_aval(core.get_aval(o))) for o in outs]
  if type(a_dot) is ad.Zero:
    return outs, zeros
  aval = core.get_aval(a)
  batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
  k = min(m, n)
  dtype = aval.dtype
  nb = len(batch)
  x = matmul(_permutation_matrix(perm, m, dtype), a_dot)
  zero = lax.full((), 0, dtype)
  l = lax.pad(tril(_slice_matrix(lu_val, m, k), -1), zero,
              [(0, 0, 0)] * (nb + 1) + [(0, m - k, 0)])
  l = lax.add(l, eye(batch + (m, m), dtype))
  u = lax.pad(triu(_slice_matrix(lu_val, k, n)), zero,
              [(0, 0, 0)] * nb + [(0, n - k, 0), (0, 0, 0)])
  u_eye = lax.pad(eye(batch + (n - k, n - k), dtype), zero,
                  [(0, 0, 0)] * nb + [(k, 0, 0), (k, 0, 0)])
  u = lax.add(u, u_eye)
  la = _triangular_solve(l, x, left_side=True, lower=True, unit_diagonal=True)
  lau = _triangular_solve(u, la, left_side=False, lower=False)
  lu_dot = lax.add(matmul(l, tril(lau, -1)), matmul(triu(lau), u))
  return outs, [lu_dot] + zeros[1:]


mlir.register_lowering(lu_p, _lu_cpu_lowering, platform="cpu")
ad.primitive_jvps[lu_p] = _lu_jvp
batch_leading(lu_p)


def lu(x):
  """LU decomposition with partial pivoting: ``x[perm] = L @ U``.

  Returns:
    ``(lu, pivots, permutation)``: ``L`` (unit diagonal, strictly below) and
    ``U`` packed in ``lu``; LAPACK's row swaps ``pivots`` (0-based) and the
    permutation they make.

  >>> import numpy as np
  >>> lu_, pivots, perm = lu(np.array([[1., 2.], [3., 4.]], np.float32))
  >>> perm
  Array([1, 0], dtype=int32)
  """
  lu_val, pivots, perm = lu_p.bind(x)
  return lu_val, pivots, perm


def lu_solve_square(a, b):
  """Solves ``a @ x = b`` for square ``a`` (``b``: ``(..., n, nrhs)``) via LU."""
  lu_val, _, perm = lu_p.bind(a)
  n = core.get_aval(a).shape[-1]
  pb = matmul(_permutation_matrix(perm, n, core.get_aval(b).dtype), b)
  y = _triangular_solve(lu_val, pb, left_side=True, lower=True, unit_diagonal=True)
  return _triangular_solve(lu_val, y, left_side=True, lower=False)


# --- eig ----------------------------------------------------------------------------------------


def _complex_dtype(dtype):
  return np.result_type(np.dtype(dtype), np.complex64)


def _eig_abstract_eval(x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                       enable_eigvec_derivs=False, implementation=None):
  check_matrix("eig", x, square=True)
  cdt = _complex_dtype(x.dtype)
  outs = [ShapedArray(x.shape[:-1], cdt)]
  outs += [ShapedArray(x.shape, cdt)] * (int(compute_left_eigenvectors)
                                         + int(compute_right_eigenvectors))
  return outs


eig_p = linalg_primitive("eig", _eig_abstract_eval, multiple_results=True)


def _eig_cpu_lowering(ctx, x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                      enable_eigvec_derivs=False, implementation=None):
  if implementation is not None and implementation.name != "LAPACK":
    raise ValueError("Only the lapack implementation is supported on CPU.")
  hlo = mlir.hlo()
  aval, = ctx.avals_in
  batch, n = aval.shape[:-2], aval.shape[-1]
  if n == 0:
    return [mlir.full_like_aval(0, a) for a in ctx.avals_out]
  cdt = lapack.compute_dtype(aval.dtype)
  caval = aval.update(dtype=cdt)
  vec_aval = ShapedArray(aval.shape, _complex_dtype(cdt))
  info_aval = ShapedArray(batch, np.int32)
  flags = dict(compute_left=lapack.char_attr("V" if compute_left_eigenvectors else "N"),
               compute_right=lapack.char_attr("V" if compute_right_eigenvectors else "N"))
  xc = lapack.convert(x, aval, cdt)
  name = lapack.target_name("geev", cdt)
  if np.dtype(cdt).kind == "c":
    w_aval = ShapedArray(batch + (n,), cdt)
    w, vl, vr, info = lapack.custom_call(name, [xc], [caval],
                                         [w_aval, vec_aval, vec_aval, info_aval], **flags)
  else:
    part = ShapedArray(batch + (n,), cdt)
    wr, wi, vl, vr, info = lapack.custom_call(
        name, [xc], [caval], [part, part, vec_aval, vec_aval, info_aval], **flags)
    w = hlo.complex(wr, wi)
    w_aval = ShapedArray(batch + (n,), _complex_dtype(cdt))
  ok = lapack.info_ok(info, batch)
  outs = [(lapack.nan_if_not_ok(ok, w, w_aval), w_aval)]
  if compute_left_eigenvectors:
    outs.append((lapack.nan_if_not_ok(ok, vl, vec_aval), vec_aval))
  if compute_right_eigenvectors:
    outs.append((lapack.nan_if_not_ok(ok, vr, vec_aval), vec_aval))
  return [lapack.convert(v, a, out.dtype) for (v, a), out in zip(outs, ctx.avals_out)]


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs=False, implementation=None):
  # Eigenvalues: w' = diag(V^-1 A' V). Eigenvectors only where the caller
  # opted in (they are differentiable only for distinct eigenvalues).
  from jaxlite import lax
  if compute_left_eigenvectors or compute_right_eigenvectors:
    if not enable_eigvec_derivs:
      raise NotImplementedError(
          'Derivatives of non-symmetric eigenvectors are only valid under assumptions on '
          'the input that JAX cannot check (see the enable_eigvec_derivs argument to '
          'jax.lax.linalg.eig). Pass enable_eigvec_derivs=True to jax.lax.linalg.eig to '
          'opt in. See https://github.com/jax-ml/jax/issues/2748 for discussion.')
    from jaxlite.lax.linalg_more import eig_with_vectors_jvp
    return eig_with_vectors_jvp(primals, tangents, compute_left_eigenvectors,
                                compute_right_eigenvectors, implementation)
  (a,), (da,) = primals, tangents
  w, v = eig_p.bind(a, compute_left_eigenvectors=False, compute_right_eigenvectors=True,
                    enable_eigvec_derivs=enable_eigvec_derivs, implementation=implementation)
  if type(da) is ad.Zero:
    return [w], [ad.Zero(ad.tangent_aval(core.get_aval(w)))]
  da = lax.convert_element_type(da, core.get_aval(v).dtype)
  return [w], [diagonal(matmul(lu_solve_square(v, da), v))]


mlir.register_lowering(eig_p, _eig_cpu_lowering, platform="cpu")
ad.primitive_jvps[eig_p] = _eig_jvp
batch_leading(eig_p)


def eig(x, *, compute_left_eigenvectors: bool = True, compute_right_eigenvectors: bool = True,
        enable_eigvec_derivs: bool = False, implementation=None, use_magma=None):
  """Eigendecomposition of a general square matrix (LAPACK geev, CPU).

  Returns ``[w, vl, vr]`` (the vectors as asked): complex eigenvalues and left
  and right eigenvectors (columns, unit norm).

  >>> import numpy as np
  >>> w, = eig(np.array([[2., 0.], [0., 3.]], np.float32), compute_left_eigenvectors=False,
  ...          compute_right_eigenvectors=False)
  >>> w
  Array([2.+0.j, 3.+0.j], dtype=complex64)
  """
  if use_magma is not None:
    import warnings
    warnings.warn("use_magma is deprecated, please use "
                  "implementation=EigImplementation.MAGMA instead.", DeprecationWarning,
                  stacklevel=2)
    from jaxlite.lax.linalg_more import EigImplementation
    implementation = EigImplementation.MAGMA if use_magma else EigImplementation.LAPACK
  return list(eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                         compute_right_eigenvectors=bool(compute_right_eigenvectors),
                         enable_eigvec_derivs=bool(enable_eigvec_derivs),
                         implementation=implementation))


# --- tridiagonal_solve -----------------------------------------------------------------------


def _tridiagonal_solve_abstract_eval(dl, d, du, b, *, perturb_singular=False):
  if b.ndim < 2:
    raise ValueError(f"tridiagonal_solve requires b of at least 2 dimensions, got {b.shape}.")
  for name, v in (("dl", dl), ("d", d), ("du", du)):
    if v.shape != b.shape[:-1] or v.dtype != b.dtype:
      raise ValueError(f"tridiagonal_solve requires {name} of shape {b.shape[:-1]} and dtype "
                       f"{b.dtype.name} (those of b without its last axis), got "
                       f"{v.str_short()}.")
  base.check_dtypes("tridiagonal_solve", {"inexact"}, b)
  return ShapedArray(b.shape, b.dtype)


tridiagonal_solve_p = linalg_primitive("tridiagonal_solve", _tridiagonal_solve_abstract_eval)


def _tridiagonal_solve_cpu_lowering(ctx, dl, d, du, b, *, perturb_singular=False):
  avals = ctx.avals_in
  b_aval = avals[3]
  if 0 in b_aval.shape[-2:]:
    return b
  cdt = lapack.compute_dtype(b_aval.dtype)
  cavals = [a.update(dtype=cdt) for a in avals]
  args = [lapack.convert(v, a, cdt) for v, a in zip((dl, d, du, b), avals)]
  batch = b_aval.shape[:-2]
  if perturb_singular:
    # jaxlib's kernel perturbs zero pivots (as LAPACK's gtsv with partial
    # pivoting would fail on them) so singular systems give finite results.
    (x,) = lapack.custom_call("tridiagonal_solve_perturbed_ffi", args, cavals, [cavals[3]])
    return lapack.convert(x, cavals[3], b_aval.dtype)
  *_, x, info = lapack.custom_call(lapack.target_name("gtsv", cdt), args, cavals,
                                   cavals + [ShapedArray(batch, np.int32)],
                                   aliases={0: 0, 1: 1, 2: 2, 3: 3})
  x = lapack.nan_if_not_ok(lapack.info_ok(info, batch), x, cavals[3])
  return lapack.convert(x, cavals[3], b_aval.dtype)


def _tridiagonal_matmul(dl, d, du, x):
  """``A @ x`` for the tridiagonal ``A`` (``A[i, i-1] = dl[i]``, ``A[i, i+1] = du[i]``)."""
  from jaxlite import lax
  shape = core.get_aval(x).shape
  nd = len(shape)
  m = shape[-2]
  zero = lax.full((), 0, core.get_aval(x).dtype)
  cfg = [(0, 0, 0)] * nd
  down = lax.pad(lax.slice(x, (0,) * nd, shape[:-2] + (m - 1, shape[-1])), zero,
                 cfg[:-2] + [(1, 0, 0), (0, 0, 0)])            # x[i-1]
  up = lax.pad(lax.slice(x, (0,) * (nd - 2) + (1, 0), shape), zero,
               cfg[:-2] + [(0, 1, 0), (0, 0, 0)])               # x[i+1]
  col = lambda v: lax.broadcast_in_dim(v, shape, tuple(range(nd - 1)))
  return lax.add(lax.add(lax.mul(col(dl), down), lax.mul(col(d), x)), lax.mul(col(du), up))


def _shift(v, right: bool):
  from jaxlite import lax
  shape = core.get_aval(v).shape
  nd, m = len(shape), shape[-1]
  zero = lax.full((), 0, core.get_aval(v).dtype)
  cfg = [(0, 0, 0)] * (nd - 1)
  if right:
    return lax.pad(lax.slice(v, (0,) * nd, shape[:-1] + (m - 1,)), zero, cfg + [(1, 0, 0)])
  return lax.pad(lax.slice(v, (0,) * (nd - 1) + (1,), shape), zero, cfg + [(0, 1, 0)])


def _tridiagonal_solve_jvp(primals, tangents, *, perturb_singular=False):
  # X = A^-1 B  =>  X' = A^-1 (B' - A' X)
  from jaxlite import lax
  dl, d, du, b = primals
  x = tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=perturb_singular)
  if all(type(t) is ad.Zero for t in tangents):
    return x, ad.Zero(ad.tangent_aval(core.get_aval(x)))
  rhs = ad.instantiate_zeros(tangents[3])
  if any(type(t) is not ad.Zero for t in tangents[:3]):
    tl, td, tu = [ad.instantiate_zeros(t) for t in tangents[:3]]
    rhs = lax.sub(rhs, _tridiagonal_matmul(tl, td, tu, x))
  return x, tridiagonal_solve_p.bind(dl, d, du, rhs, perturb_singular=perturb_singular)


def _tridiagonal_solve_transpose(ct, dl, d, du, b, *, perturb_singular=False):
  if any(ad.is_undefined_primal(v) for v in (dl, d, du)):
    raise ValueError("tridiagonal_solve is linear only in its right-hand side b.")
  if type(ct) is ad.Zero:
    return [None, None, None, ad.Zero(b.aval)]
  # A^T: lower diagonal du shifted down one, upper diagonal dl shifted up one.
  return [None, None, None, tridiagonal_solve_p.bind(_shift(du, True), d, _shift(dl, False), ct,
                                                     perturb_singular=perturb_singular)]


mlir.register_lowering(tridiagonal_solve_p, _tridiagonal_solve_cpu_lowering, platform="cpu")
ad.primitive_jvps[tridiagonal_solve_p] = _tridiagonal_solve_jvp
ad.primitive_transposes[tridiagonal_solve_p] = _tridiagonal_solve_transpose
batch_leading(tridiagonal_solve_p)


def tridiagonal_solve(dl, d, du, b, *, perturb_singular: bool = False):
  """Solves the tridiagonal system ``A @ x = b`` (LAPACK gtsv on CPU).

  Args:
    dl, d, du: ``(..., m)``: the sub-, main and super-diagonal; ``dl[..., 0]``
      and ``du[..., m-1]`` are ignored (must be zero, as in JAX).
    b: ``(..., m, n)`` right-hand sides.
    perturb_singular: perturb zero pivots so that a singular system gives a
      finite solution (else NaNs, as LAPACK's gtsv reports failure).

  >>> import numpy as np
  >>> ones = np.ones(3, np.float32)
  >>> tridiagonal_solve(0 * ones, 2 * ones, 0 * ones, np.ones((3, 1), np.float32))[:, 0]
  Array([0.5, 0.5, 0.5], dtype=float32)
  """
  return tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=bool(perturb_singular))
