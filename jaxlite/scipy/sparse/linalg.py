"""``jax.scipy.sparse.linalg``: matrix-free iterative solvers.

``cg`` (conjugate gradients), ``bicgstab`` (stabilised bi-conjugate
gradients) and ``gmres`` (restarted GMRES) solve ``A x = b`` for a linear
operator given as a function, a square matrix or anything with ``@``, and a
right-hand side that may be any pytree of arrays. Each iteration is a
``lax.while_loop``, so the solvers compile under ``jit`` and batch under
``vmap``; derivatives are not taken through the iterations but through
``lax.custom_linear_solve`` (another solve of the same kind), as in JAX.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.scipy.sparse.linalg import cg
  >>> x, info = cg(jnp.array([[4., 1.], [1., 3.]]), jnp.array([1., 2.]))
  >>> print(x.round(4))
  [0.0909 0.6364]
"""
from __future__ import annotations

import operator
from functools import partial

import numpy as np

from jaxlite import dtypes, lax
from jaxlite import numpy as jnp
from jaxlite.lax.structural import _convert_element_type as _convert
from jaxlite.runtime.transfer import device_put
from jaxlite.tree_util import Partial, tree_leaves, tree_map, tree_reduce, tree_structure

__all__ = ["cg", "bicgstab", "gmres"]

_HIGHEST = lax.Precision.HIGHEST


# --- pytree vector algebra -------------------------------------------------------------------


def _dot(a, b):
  return jnp.dot(a, b, precision=_HIGHEST)


def _vdot(a, b):
  return jnp.vdot(a, b, precision=_HIGHEST)


def _vdot_real(x, y):
  """The real part of ``<x, y>``, without the real-imaginary cross terms (the
  solvers only take it of ``z^H M z`` with ``M`` Hermitian, which is real)."""
  out = _vdot(x.real, y.real)
  if jnp.iscomplexobj(x) or jnp.iscomplexobj(y):
    out = out + _vdot(x.imag, y.imag)
  return out


def _vdot_real_tree(x, y):
  return sum(tree_leaves(tree_map(_vdot_real, x, y)))


def _vdot_tree(x, y):
  return sum(tree_leaves(tree_map(_vdot, x, y)))


def _norm(x):
  leaves = tree_leaves(x)
  return jnp.sqrt(sum(_vdot_real(v, v) for v in leaves))


def _scale(scalar, tree):
  return tree_map(lambda v: scalar * v, tree)


def _add(x, y):
  return tree_map(operator.add, x, y)


def _sub(x, y):
  return tree_map(operator.sub, x, y)


def _identity(x):
  return x


_identity = Partial(_identity)


def _as_matvec(op):
  """A function computing ``op @ x`` from a function, square matrix or matmul-able object."""
  if callable(op):
    return op
  if isinstance(op, np.ndarray) or hasattr(op, "aval"):
    if op.ndim != 2 or op.shape[0] != op.shape[1]:
      raise ValueError(f"linear operator must be a square matrix, but has shape: {op.shape}")
    return partial(_dot, op)
  if hasattr(op, "__matmul__"):
    if hasattr(op, "shape") and (len(op.shape) != 2 or op.shape[0] != op.shape[1]):
      raise ValueError(f"linear operator must be a square matrix, but has shape: {op.shape}")
    return partial(operator.matmul, op)
  raise TypeError(f"linear operator must be either a function or ndarray: {op}")


def _check_like_b(x0, b, shapes_too=True):
  if tree_structure(x0) != tree_structure(b):
    raise ValueError("x0 and b must have matching tree structure: "
                     f"{tree_structure(x0)} vs {tree_structure(b)}")
  x_shapes = [np.shape(v) for v in tree_leaves(x0)]
  b_shapes = [np.shape(v) for v in tree_leaves(b)]
  if shapes_too and x_shapes != b_shapes:
    raise ValueError(f"arrays in x0 and b must have matching shapes: {x_shapes} vs {b_shapes}")


def _tolerance_squared(b, tol, atol):
  """``max(tol * |b|, atol)**2``: SciPy's (non-legacy) stopping rule."""
  return jnp.maximum(jnp.square(tol) * _vdot_real_tree(b, b), jnp.square(atol))


# --- conjugate gradients ----------------------------------------------------------------------


def _cg_solve(A, b, x0, *, maxiter, tol, atol, M):
  limit = _tolerance_squared(b, tol, atol)
  r0 = _sub(b, A(x0))
  z0 = M(r0)
  dtype = dtypes.result_type(*tree_leaves(z0))
  rz0 = _vdot_real_tree(r0, z0).astype(dtype)

  def not_done(state):
    _, r, rz, _, k = state
    # Without a preconditioner <r, z> is the squared residual already.
    residual = rz.real if M is _identity else _vdot_real_tree(r, r)
    return (residual > limit) & (k < maxiter)

  def step(state):
    x, r, rz, p, k = state
    Ap = A(p)
    alpha = rz / _vdot_real_tree(p, Ap).astype(dtype)
    x = _add(x, _scale(alpha, p))
    r = _sub(r, _scale(alpha, Ap))
    z = M(r)
    rz_new = _vdot_real_tree(r, z).astype(dtype)
    p = _add(z, _scale(rz_new / rz, p))
    return x, r, rz_new, p, k + 1

  x, *_ = lax.while_loop(not_done, step, (x0, r0, rz0, z0, 0))
  return x


# --- BiCGSTAB ---------------------------------------------------------------------------------


def _bicgstab_solve(A, b, x0, *, maxiter, tol, atol, M):
  limit = _tolerance_squared(b, tol, atol)
  r0 = _sub(b, A(x0))
  dtype, weak = dtypes.lattice_result_type(*tree_leaves(b))
  one = _convert(1, dtype, weak)

  def not_done(state):
    r, k = state[1], state[-1]
    # k < 0 flags a breakdown (rho = 0: -10; omega or alpha = 0: -11), as SciPy.
    return (_vdot_real_tree(r, r) > limit) & (k < maxiter) & (k >= 0)

  def step(state):
    x, r, r_hat, alpha, omega, rho, p, v, k = state
    rho_new = _vdot_tree(r_hat, r)
    beta = rho_new / rho * alpha / omega
    p = _add(r, _scale(beta, _sub(p, _scale(omega, v))))
    p_hat = M(p)
    v = A(p_hat)
    alpha = rho_new / _vdot_tree(r_hat, v)
    s = _sub(r, _scale(alpha, v))
    converged_half_way = _vdot_real_tree(s, s) < limit
    s_hat = M(s)
    t = A(s_hat)
    omega = _vdot_tree(t, s) / _vdot_tree(t, t)
    x_half = _add(x, _scale(alpha, p_hat))
    x_full = _add(x_half, _scale(omega, s_hat))
    x = tree_map(partial(jnp.where, converged_half_way), x_half, x_full)
    r = tree_map(partial(jnp.where, converged_half_way), s, _sub(s, _scale(omega, t)))
    k = jnp.where((omega == 0) | (alpha == 0), -11, k + 1)
    k = jnp.where(rho_new == 0, -10, k)
    return x, r, r_hat, alpha, omega, rho_new, p, v, k

  state = (x0, r0, r0, one, one, one, r0, r0, 0)
  x, *_ = lax.while_loop(not_done, step, state)
  return x


def _iterative_solve(method, A, b, x0, *, tol, atol, maxiter, M, symmetric_if_real):
  if x0 is None:
    x0 = tree_map(jnp.zeros_like, b)
  b, x0 = device_put((b, x0))
  if maxiter is None:
    maxiter = 10 * sum(jnp.size(v) for v in tree_leaves(b))   # SciPy's default
  A = _as_matvec(A)
  M = _identity if M is None else _as_matvec(M)
  _check_like_b(x0, b)
  solve = partial(method, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M)
  symmetric = symmetric_if_real and not any(jnp.iscomplexobj(v) for v in tree_leaves(b))
  x = lax.custom_linear_solve(A, b, solve=solve, transpose_solve=solve, symmetric=symmetric)
  return x, None


def cg(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
  """Solves ``A x = b`` by (preconditioned) conjugate gradients.

  ``A`` must be Hermitian positive definite. Iterations stop when
  ``norm(residual) <= max(tol * norm(b), atol)`` or after ``maxiter``
  steps. Derivatives solve another system by ``cg`` (implicit
  differentiation) and are accurate when both solves converge.

  Args:
    A: a function computing ``A(x)``, a square matrix, or an object with ``@``.
    b: the right-hand side: an array or a pytree of arrays.
    x0: starting guess shaped like ``b`` (zeros by default).
    tol, atol: relative and absolute tolerances.
    maxiter: iteration limit (default ``10 * size of b``).
    M: preconditioner approximating ``A^-1`` (same forms as ``A``).

  Returns:
    ``(x, info)``: the solution, shaped like ``b``, and ``None`` (as JAX).

  Example:
    >>> import jaxlite.numpy as jnp
    >>> x, _ = cg(lambda v: jnp.array([2., 8.]) * v, jnp.array([2., 4.]))
    >>> print(x.round(4))
    [1.  0.5]
  """
  return _iterative_solve(_cg_solve, A, b, x0, tol=tol, atol=atol, maxiter=maxiter, M=M,
                          symmetric_if_real=True)


def bicgstab(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
  """Solves ``A x = b`` by BiCGSTAB, for general (non-symmetric) ``A``.

  Arguments and stopping rule as ``cg``; derivatives solve the transposed
  system by ``bicgstab``.

  Returns:
    ``(x, info)``: the solution and ``None`` (as JAX).

  Example:
    >>> import jaxlite.numpy as jnp
    >>> x, _ = bicgstab(jnp.array([[2., 1.], [0., 1.]]), jnp.array([3., 1.]))
    >>> x
    Array([1., 1.], dtype=float32)
  """
  return _iterative_solve(_bicgstab_solve, A, b, x0, tol=tol, atol=atol, maxiter=maxiter,
                          M=M, symmetric_if_real=False)


# --- GMRES ------------------------------------------------------------------------------------


def _safe_normalize(x, thresh=None):
  """``(x / |x|, |x|)``, or zeros and 0 when ``|x|`` is below ``thresh``
  (machine epsilon by default)."""
  norm = _norm(x)
  dtype, weak = dtypes.lattice_result_type(*tree_leaves(x))
  if thresh is None:
    thresh = jnp.finfo(norm.dtype).eps
  thresh = jnp.asarray(thresh).astype(dtype).real
  keep = norm > thresh
  norm_cast = _convert(norm, dtype, weak)
  unit = tree_map(lambda v: jnp.where(keep, v / norm_cast, 0.0), x)
  return unit, jnp.where(keep, norm, 0.0)


def _overlaps(V, v):
  """``V^H v`` for the Krylov basis ``V`` (the basis index is the last axis)."""
  parts = tree_map(lambda X, y: jnp.einsum("...n,...->n", X.conj(), y, precision=_HIGHEST),
                   V, v)
  return tree_reduce(operator.add, parts)


def _orthogonalize(V, v):
  """``v`` minus its projection on the columns of ``V``, and the overlaps.
  Two passes of classical Gram-Schmidt: the second removes what rounding
  left of the first (the columns beyond the current step are zero)."""
  h = _overlaps(V, v)
  v = _sub(v, tree_map(lambda X: _dot(X, h), V))
  h2 = _overlaps(V, v)
  v = _sub(v, tree_map(lambda X: _dot(X, h2), V))
  return v, h + h2


def _arnoldi_step(k, A, M, V, H):
  """Adds the next orthonormal Krylov vector ``M(A(V[:, k]))`` as column
  ``k + 1`` of ``V`` and its overlaps as row ``k`` of ``H``; reports a
  breakdown (an invariant subspace was found)."""
  dtype, _ = dtypes.lattice_result_type(*tree_leaves(V))
  eps = jnp.finfo(dtype).eps
  v = M(A(tree_map(lambda X: X[..., k], V)))
  _, norm_before = _safe_normalize(v)
  v, h = _orthogonalize(V, v)
  unit, norm_after = _safe_normalize(v, thresh=eps * norm_before)
  V = tree_map(lambda X, y: X.at[..., k + 1].set(y), V, unit)
  h = h.at[k + 1].set(norm_after.astype(dtype))
  return V, H.at[k, :].set(h), norm_after == 0.0


def _krylov_basis(unit_residual, restart):
  return tree_map(lambda x: jnp.pad(x[..., None], ((0, 0),) * x.ndim + ((0, restart),)),
                  unit_residual)


def _rotate(vec, i, cs, sn):
  """Applies the Givens rotation ``(cs, sn)`` to entries ``i`` and ``i + 1``."""
  a, b = vec[i], vec[i + 1]
  vec = vec.at[i].set(cs.conj() * a - sn.conj() * b)
  return vec.at[i + 1].set(sn * a + cs * b)


def _givens(a, b):
  """The rotation ``(cs, sn)`` that zeroes ``b`` in ``(a, b)``."""
  b_zero = abs(b) == 0
  a_smaller = abs(a) < abs(b)
  t = -jnp.where(a_smaller, a, b) / jnp.where(a_smaller, b, a)
  r = lax.rsqrt(1 + abs(t) ** 2).astype(t.dtype)
  cs = jnp.where(b_zero, 1, jnp.where(a_smaller, r * t, r))
  sn = jnp.where(b_zero, 0, jnp.where(a_smaller, r, r * t))
  return cs, sn


def _gmres_cycle_incremental(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
  """One restart cycle; the QR factorization of the Hessenberg matrix is
  updated by Givens rotations as the basis grows, which gives the residual
  norm at every step and lets the cycle stop early."""
  V = _krylov_basis(unit_residual, restart)
  dtype = dtypes.result_type(*tree_leaves(b))
  R = jnp.eye(restart, restart + 1, dtype=dtype)
  rotations = jnp.zeros((restart, 2), dtype=dtype)
  rhs = jnp.zeros(restart + 1, dtype=dtype).at[0].set(residual_norm.astype(dtype))

  def not_done(state):
    k, err = state[0], state[1]
    return (k < restart) & (err > ptol)

  def step(state):
    k, _, V, R, rhs, rotations = state
    V, H, _ = _arnoldi_step(k, A, M, V, R)
    row = lax.fori_loop(0, k, lambda i, row: _rotate(row, i, *rotations[i, :]), H[k, :])
    cs, sn = _givens(row[k], row[k + 1])
    rotations = rotations.at[k, :].set(jnp.stack([cs, sn]))
    R = R.at[k, :].set(_rotate(row, k, cs, sn))
    rhs = _rotate(rhs, k, cs, sn)
    return k + 1, abs(rhs[k + 1]), V, R, rhs, rotations

  _, _, V, R, rhs, _ = lax.while_loop(not_done, step,
                                      (0, residual_norm, V, R, rhs, rotations))
  from jaxlite.scipy.linalg import solve_triangular
  y = solve_triangular(R[:, :-1].T, rhs[:-1])
  return _finish_cycle(A, b, x0, V, y, M)


def _gmres_cycle_batched(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
  """One restart cycle: the whole basis first, then one dense least-squares
  solve (fewer, larger operations; no early stop within the cycle)."""
  del ptol
  V = _krylov_basis(unit_residual, restart)
  dtype, weak = dtypes.lattice_result_type(*tree_leaves(b))
  # Rows never reached (after a breakdown) stay identity rows: the least
  # squares problem remains well posed.
  H = _convert(jnp.eye(restart, restart + 1, dtype=dtype), dtype, weak)

  def not_done(state):
    _, _, breakdown, k = state
    return (k < restart) & jnp.logical_not(breakdown)

  def step(state):
    V, H, _, k = state
    V, H, breakdown = _arnoldi_step(k, A, M, V, H)
    return V, H, breakdown, k + 1

  V, H, _, _ = lax.while_loop(not_done, step, (V, H, False, 0))
  rhs = jnp.zeros_like(H, shape=(restart + 1,)).at[0].set(residual_norm.astype(dtype))
  from jaxlite.scipy.linalg import solve
  Ht = H.T
  # Least squares by the normal equations (H H^T is positive definite).
  y = solve(_dot(Ht.T.conj(), Ht), _dot(Ht.T.conj(), rhs), assume_a="pos")
  return _finish_cycle(A, b, x0, V, y, M)


def _finish_cycle(A, b, x0, V, y, M):
  x = _add(x0, tree_map(lambda X: _dot(X[..., :-1], y), V))
  unit_residual, residual_norm = _safe_normalize(M(_sub(b, A(x))))
  return x, unit_residual, residual_norm


def _gmres_solve(A, b, x0, atol, ptol, restart, maxiter, M, cycle):
  unit_residual, residual_norm = _safe_normalize(M(_sub(b, A(x0))))

  def not_done(state):
    _, k, _, residual_norm = state
    return (k < maxiter) & (residual_norm > atol)

  def step(state):
    x, k, unit_residual, residual_norm = state
    x, unit_residual, residual_norm = cycle(A, b, x, unit_residual, residual_norm, ptol,
                                            restart, M)
    return x, k + 1, unit_residual, residual_norm

  x, *_ = lax.while_loop(not_done, step, (x0, 0, unit_residual, residual_norm))
  return x


def gmres(A, b, x0=None, *, tol=1e-5, atol=0.0, restart=20, maxiter=None, M=None,
          solve_method="batched"):
  """Solves ``A x = b`` by restarted GMRES, for general ``A``.

  Each cycle builds an orthonormal basis of the Krylov space of dimension
  ``restart`` and takes the best solution in it; cycles repeat (from the
  last solution) until ``norm(residual) <= max(tol * norm(b), atol)`` or
  ``maxiter`` cycles.

  Args:
    A, b, x0, tol, atol, M: as for ``cg``.
    restart: dimension of the Krylov space per cycle (default 20).
    maxiter: number of cycles (default ``10 * size of b``).
    solve_method: ``'batched'`` (one least-squares solve per cycle) or
      ``'incremental'`` (Givens rotations as the basis grows, with an early
      stop inside a cycle).

  Returns:
    ``(x, info)``: the solution and an int32 ``info`` (``-1`` if ``x`` has a
    NaN, else ``0``).

  Example:
    >>> import jaxlite.numpy as jnp
    >>> x, info = gmres(jnp.array([[2., 1.], [0., 1.]]), jnp.array([3., 1.]))
    >>> print(x.round(4), info)
    [1. 1.] 0
  """
  if x0 is None:
    x0 = tree_map(jnp.zeros_like, b)
  A = _as_matvec(A)
  M = _identity if M is None else _as_matvec(M)
  b, x0 = device_put((b, x0))
  size = sum(jnp.size(v) for v in tree_leaves(b))
  if maxiter is None:
    maxiter = 10 * size
  restart = min(restart, size)
  _check_like_b(x0, b, shapes_too=False)
  if solve_method == "incremental":
    cycle = _gmres_cycle_incremental
  elif solve_method == "batched":
    cycle = _gmres_cycle_batched
  else:
    raise ValueError(f"invalid solve_method {solve_method}, must be either "
                     "'incremental' or 'batched'")
  b_norm = _norm(b)
  atol = jnp.maximum(tol * b_norm, atol)
  ptol = _norm(M(b)) * jnp.minimum(1.0, atol / b_norm)

  def solve(A, b):
    return _gmres_solve(A, b, x0, atol, ptol, restart, maxiter, M, cycle)

  x = lax.custom_linear_solve(A, b, solve=solve, transpose_solve=solve)
  info = jnp.where(jnp.isnan(_norm(x)), -1, 0)
  return x, info
