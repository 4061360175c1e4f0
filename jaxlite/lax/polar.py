"""``lax.linalg.qdwh``: polar decomposition ``x = u @ h`` by the QR-based
dynamically weighted Halley iteration (Nakatsukasa, Bai and Gygi, 2010).

Each step maps ``u -> u (a I + b u^H u)(I + c u^H u)^-1`` with weights
``(a, b, c)`` computed on the host from a lower bound ``l`` of the smallest
singular value of the scaled iterate; they make the iteration converge in at
most six steps in double precision. Steps with a large ``c`` (badly
conditioned ``I + c u^H u``) use a QR factorization, the others a Cholesky
factorization. A final Newton-Schulz step polishes ``u``.
"""
from __future__ import annotations

__all__ = ['qdwh']

import numpy as np

from jaxlite import core, dtypes

# Weights past this value make the Cholesky-based step inaccurate.
_CHOLESKY_CUTOFF = 100


def _halley_weights(l: float):
  """The dynamic weights (a, b, c) for lower bound ``l`` and the next bound."""
  l2 = l * l
  dd = (4 * (1 / l2 - 1) / l2) ** (1 / 3)
  sqd = (1.0 + dd) ** 0.5
  a = sqd + (2 - dd + 2 * (2 - l2) / (l2 * sqd)) ** 0.5
  b = (a - 1) ** 2 / 4
  c = a + b - 1
  return a, b, c, l * (a + b * l2) / (1 + c * l2)


def _mask(x, dims, fill=None):
  """``x`` with entries outside the leading ``dims`` (None: all) replaced by
  ``fill`` (an array of x's shape, or zeros)."""
  from jaxlite import lax
  shape = core.get_aval(x).shape
  keep = None
  for axis, d in enumerate(dims):
    if d is not None and d != shape[axis]:
      inside = lax.lt(lax.broadcasted_iota(np.int32, shape, axis), lax.full(shape, d, np.int32))
      keep = inside if keep is None else lax.bitwise_and(keep, inside)
  if keep is None:
    return x
  return lax.select(keep, x, lax.full_like(x, 0) if fill is None else fill)


def _adjoint(x):
  from jaxlite import lax
  xt = lax.transpose(x, (1, 0))
  return lax.conj(xt) if dtypes.issubdtype(core.get_aval(x).dtype, np.complexfloating) else xt


def _matmul(a, b):
  from jaxlite import lax
  return lax.dot_general(a, b, (((1,), (0,)), ((), ())), precision=lax.Precision.HIGHEST)


def _scalar(x, value):
  from jaxlite import lax
  return lax.full_like(x, value)


def _qr_step(u, m, n, weights):
  """``e u + (a - e)/sqrt(c) * Q1 Q2^H`` from the QR factorization of
  ``[sqrt(c) u; I]`` (rows of ``u`` past ``m`` are padding)."""
  from jaxlite import lax
  from jaxlite.lax import linalg
  coef, sqrt_c, e = weights
  rows, cols = core.get_aval(u).shape
  ident = lax.convert_element_type(lax.eq(lax.broadcasted_iota(np.int32, (cols, cols), 0),
                                          lax.broadcasted_iota(np.int32, (cols, cols), 1)),
                                   core.get_aval(u).dtype)
  scaled = lax.mul(_scalar(u, sqrt_c), u)
  # The identity block goes right after the m true rows.
  stacked = lax.dynamic_update_slice(
      lax.pad(scaled, lax.full((), 0, core.get_aval(u).dtype), [(0, cols, 0), (0, 0, 0)]),
      ident, (m, 0))
  q, _ = linalg.qr(stacked, full_matrices=False)
  q1 = _mask(lax.slice(q, (0, 0), (rows, cols)), (m, n))
  q2 = _adjoint(_mask(lax.dynamic_slice(q, (m, 0), (cols, cols)), (n, n)))
  return lax.add(lax.mul(_scalar(u, e), u), lax.mul(_scalar(u, coef), _matmul(q1, q2)))


def _cholesky_step(u, m, n, weights):
  """``e u + (a - e) * u (I + c u^H u)^-1`` through a Cholesky factorization."""
  from jaxlite import lax
  from jaxlite.lax import linalg
  a_minus_e, c, e = weights
  cols = core.get_aval(u).shape[1]
  ident = lax.convert_element_type(lax.eq(lax.broadcasted_iota(np.int32, (cols, cols), 0),
                                          lax.broadcasted_iota(np.int32, (cols, cols), 1)),
                                   core.get_aval(u).dtype)
  gram = lax.add(lax.mul(_scalar(ident, c), _matmul(_adjoint(u), u)), ident)
  gram = _mask(gram, (n, n), ident)    # padding: identity keeps it positive definite
  chol = linalg.cholesky(gram, symmetrize_input=False)
  z = linalg.triangular_solve(chol, lax.transpose(u, (1, 0)), left_side=True, lower=True,
                              conjugate_a=True)
  z = lax.conj(z) if dtypes.issubdtype(core.get_aval(u).dtype, np.complexfloating) else z
  z = linalg.triangular_solve(chol, z, left_side=True, lower=True, transpose_a=True,
                              conjugate_a=True)
  return lax.add(lax.mul(_scalar(u, e), u), lax.mul(_scalar(u, a_minus_e), _adjoint(z)))


def _frobenius(x):
  from jaxlite import lax
  ax = lax.abs(x)
  return lax.sqrt(lax.reduce_sum(lax.mul(ax, ax), (0, 1)))


def _polar(x, m, n, max_iterations, eps):
  from jaxlite import lax
  dtype = core.get_aval(x).dtype
  real = np.dtype(dtypes.finfo(dtype).dtype)
  if eps is None:
    eps = float(dtypes.finfo(dtype).eps)
  # Scale by 1/sqrt(||x||_1 ||x||_inf) >= 1/||x||_2: singular values <= 1.
  ax = lax.abs(x)
  one_norm = lax.reduce_max(lax.reduce_sum(ax, (0,)), (0,))
  inf_norm = lax.reduce_max(lax.reduce_sum(ax, (1,)), (0,))
  inv_alpha = lax.mul(lax.rsqrt(one_norm), lax.rsqrt(inf_norm))
  inv_alpha = lax.select(lax.eq(one_norm, lax.full_like(one_norm, 0)),
                         lax.full_like(inv_alpha, 1), inv_alpha)
  u = lax.mul(x, lax.convert_element_type(inv_alpha, dtype))

  tol_l = 10.0 * eps / 2.0
  tol_norm = float(np.cbrt(tol_l))
  l, steps, qr_weights, chol_weights = eps, 0, [], []
  while l + tol_l < 1 and steps < max_iterations:
    steps += 1
    a, b, c, l = _halley_weights(l)
    e = b / c
    if c > _CHOLESKY_CUTOFF:
      qr_weights.append(((a - e) / c ** 0.5, c ** 0.5, e))
    else:
      chol_weights.append((a - e, c, e))

  def run(u, weights, step, check):
    not_converged = lax.full((), True, np.bool_)
    if not weights:
      return u, not_converged
    table = lax.convert_element_type(np.array(weights, real), dtype)

    def body(i, state):
      u, _ = state
      row = lax.dynamic_index_in_dim(table, i, keepdims=False)
      w = tuple(lax.index_in_dim(row, j, keepdims=False) for j in range(3))
      new = step(u, m, n, w)
      moved = (lax.gt(_frobenius(lax.sub(new, u)), lax.full((), tol_norm, real)) if check
               else lax.full((), True, np.bool_))
      return new, moved
    return lax.fori_loop(0, len(weights), body, (u, not_converged))

  u, _ = run(u, qr_weights, _qr_step, check=False)
  u, not_converged = run(u, chol_weights, _cholesky_step, check=True)

  # Until u settles: Halley's method proper, the weights' limit (a, b, c) = (3, 1, 3)
  # as (a - e, c, e) with e = b / c.
  halley = (3.0 - 1.0 / 3.0, 3.0, 1.0 / 3.0)

  def cond(state):
    k, _, moving = state
    return lax.bitwise_and(moving, lax.lt(k, lax.full((), max_iterations, np.int32)))

  def body(state):
    k, u, _ = state
    new = _cholesky_step(u, m, n, tuple(lax.full((), w, dtype) for w in halley))
    moving = lax.gt(_frobenius(lax.sub(new, u)), lax.full((), tol_norm, real))
    return lax.add(k, lax.full((), 1, np.int32)), new, moving

  start = lax.full((), len(qr_weights) + len(chol_weights), np.int32)
  num_iters, u, not_converged = lax.while_loop(cond, body, (start, u, not_converged))
  # Newton-Schulz polish: u <- 1.5 u - 0.5 u u^H u.
  u = lax.sub(lax.mul(_scalar(u, 1.5), u),
              lax.mul(_scalar(u, 0.5), _matmul(u, _matmul(_adjoint(u), u))))
  h = _matmul(_adjoint(u), x)
  h = lax.div(lax.add(h, _adjoint(h)), _scalar(h, 2))
  return u, h, num_iters, lax.bitwise_not(not_converged)


def qdwh(x, *, is_hermitian: bool = False, max_iterations: int | None = None,
         eps: float | None = None, dynamic_shape: tuple[int, int] | None = None):
  """Polar decomposition of a full-rank ``M x N`` matrix (``M >= N``) by the
  QR-based dynamically weighted Halley iteration.

  Args:
    x: the matrix, possibly padded from a true shape ``dynamic_shape``.
    is_hermitian: unused (kept for compatibility, as in JAX).
    max_iterations: at most this many iterations (default 10).
    eps: the tolerance; iterations stop once successive iterates differ by
      less than ``(5 eps)**(1/3)`` in Frobenius norm (default: the dtype's eps).
    dynamic_shape: ``(m, n)``, the unpadded shape.

  Returns:
    ``(u, h, num_iters, is_converged)`` with ``x = u @ h``.

  >>> import numpy as np
  >>> from jaxlite.lax import linalg
  >>> u, h, _, ok = linalg.qdwh(np.array([[2., 0.], [0., -3.]], np.float32))
  >>> bool(ok), bool(np.allclose(u, [[1., 0.], [0., -1.]], atol=1e-5))
  (True, True)
  """
  del is_hermitian
  max_iterations = 10 if max_iterations is None else int(max_iterations)
  shape = core.get_aval(x).shape
  if len(shape) != 2:
    raise ValueError(f"qdwh expects a matrix, got shape {shape}.")
  rows, cols = shape
  if rows < cols:
    raise ValueError('The input matrix of shape M x N must have M >= N.')
  if dynamic_shape is not None:
    m, n = dynamic_shape
    x = _mask(x, (m, n))
  else:
    m, n = rows, cols
  return _polar(x, m, n, max_iterations, eps)
