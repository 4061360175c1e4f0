"""BFGS (Nocedal and Wright, Algorithm 6.1) and the limited-memory L-BFGS
(Algorithm 7.5, with Sorber et al.'s extension to complex variables) on
``lax.while_loop``, as ``jax.scipy.optimize.minimize`` runs them.

  >>> from jaxlite.scipy.optimize.bfgs import minimize_bfgs
  >>> minimize_bfgs(lambda x: jnp.sum((x - 2.) ** 2), jnp.zeros(2)).x_k
  Array([2., 2.], dtype=float32)
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.differentiation import value_and_grad
import jaxlite.numpy as jnp
from jaxlite.scipy.optimize.line_search import _dot, line_search


class _BFGSResults(NamedTuple):
  """BFGS's state and result: ``converged``, ``failed``, iterations ``k``, ``nfev``,
  ``ngev``, ``nhev``, the iterate ``x_k`` with ``f_k`` and ``g_k``, the inverse-Hessian
  estimate ``H_k``, ``old_old_fval``, ``status`` (0 converged, 1 maxiter, 2 + the line
  search's status when it failed, -1 otherwise) and ``line_search_status``."""
  converged: Any
  failed: Any
  k: Any
  nfev: Any
  ngev: Any
  nhev: Any
  x_k: Any
  f_k: Any
  g_k: Any
  H_k: Any
  old_old_fval: Any
  status: Any
  line_search_status: Any


def _norm(g, ord):
  return jnp.linalg.norm(g, ord=ord)


def minimize_bfgs(fun, x0, maxiter=None, norm=np.inf, gtol=1e-5, line_search_maxiter=10):
  """Minimizes ``fun`` from ``x0`` (1-D) by BFGS; stops when ``|g|_norm < gtol``.

  >>> from jaxlite.scipy.optimize.bfgs import minimize_bfgs
  >>> int(minimize_bfgs(lambda x: jnp.sum(x ** 2), jnp.ones(3)).status)
  0
  """
  if maxiter is None:
    maxiter = np.size(x0) * 200
  d = x0.shape[0]
  f_0, g_0 = value_and_grad(fun)(x0)
  state = _BFGSResults(
      converged=_norm(g_0, norm) < gtol, failed=False, k=0, nfev=1, ngev=1, nhev=0,
      x_k=x0, f_k=f_0, g_k=g_0, H_k=jnp.eye(d, dtype=x0.dtype),
      old_old_fval=f_0 + jnp.linalg.norm(g_0) / 2, status=0, line_search_status=0)

  def step(s):
    p_k = -_dot(s.H_k, s.g_k)
    ls = line_search(fun, s.x_k, p_k, old_fval=s.f_k, old_old_fval=s.old_old_fval,
                     gfk=s.g_k, maxiter=line_search_maxiter)
    s_k = ls.a_k * p_k
    y_k = ls.g_k - s.g_k
    rho = jnp.reciprocal(_dot(y_k, s_k))
    # H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T; kept when y^T s = 0.
    w = jnp.eye(d, dtype=rho.dtype) - rho * s_k[:, None] * y_k[None, :]
    h_new = (jnp.einsum("ij,jk,lk", w, s.H_k, w, precision=lax.Precision.HIGHEST)
             + rho * s_k[:, None] * s_k[None, :])
    return s._replace(
        nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev, failed=ls.failed,
        line_search_status=ls.status, converged=_norm(ls.g_k, norm) < gtol, k=s.k + 1,
        x_k=s.x_k + s_k, f_k=ls.f_k, g_k=ls.g_k,
        H_k=jnp.where(jnp.isfinite(rho), h_new, s.H_k), old_old_fval=s.f_k)

  s = lax.while_loop(lambda s: ~s.converged & ~s.failed & (s.k < maxiter), step, state)
  status = jnp.where(s.converged, 0, jnp.where(s.k == maxiter, 1, jnp.where(
      s.failed, 2 + s.line_search_status, -1)))
  return s._replace(status=status)


class LBFGSResults(NamedTuple):
  """L-BFGS's state and result: as :class:`_BFGSResults` with the last ``maxcor``
  steps ``s_history``, gradient changes ``y_history``, ``rho_history``, the scaling
  ``gamma``; ``status`` 0 nominal, 1 maxiter, 2 maxfun, 3 maxgrad, 4 no progress
  (ftol), 5 line search failed; ``ls_status``."""
  converged: Any
  failed: Any
  k: Any
  nfev: Any
  ngev: Any
  x_k: Any
  f_k: Any
  g_k: Any
  s_history: Any
  y_history: Any
  rho_history: Any
  gamma: Any
  status: Any
  ls_status: Any


def _lbfgs_direction(s):
  """The two-loop recursion: ``-H g`` from the stored pairs, oldest last."""
  dtype = s.rho_history.dtype
  size = len(s.rho_history)
  used = jnp.where(s.k < size, s.k, size)

  def newest_first(j, carry):
    q, alphas = carry
    i = size - 1 - j
    alpha = s.rho_history[i] * _dot(jnp.conj(s.s_history[i]), q).real.astype(dtype)
    return q - alpha * jnp.conj(s.y_history[i]), alphas.at[i].set(alpha)

  q, alphas = lax.fori_loop(0, used, newest_first,
                            (-jnp.conj(s.g_k), jnp.zeros_like(s.rho_history)))
  q = s.gamma * q

  def oldest_first(j, q):
    i = size - used + j
    beta = s.rho_history[i] * _dot(s.y_history[i], q).real.astype(dtype)
    return q + (alphas[i] - beta) * s.s_history[i]

  return lax.fori_loop(0, used, oldest_first, q)


def _push(history, new):
  return jnp.roll(history, -1, axis=0).at[-1].set(new)


def minimize_lbfgs(fun, x0, maxiter=None, norm=np.inf, maxcor=10, ftol=2.220446049250313e-09,
                   gtol=1e-05, maxfun=None, maxgrad=None, maxls=20):
  """Minimizes ``fun`` from ``x0`` (1-D, real or complex) by L-BFGS with ``maxcor``
  stored pairs.

  >>> from jaxlite.scipy.optimize.bfgs import minimize_lbfgs
  >>> minimize_lbfgs(lambda x: jnp.sum((x - 1.) ** 2), jnp.zeros(2)).x_k
  Array([1., 1.], dtype=float32)
  """
  d = len(x0)
  dtype = dtypes.dtype(x0)
  if maxiter is None and maxfun is None and maxgrad is None:
    maxiter = d * 200
  maxiter = np.inf if maxiter is None else maxiter
  maxfun = np.inf if maxfun is None else maxfun
  maxgrad = np.inf if maxgrad is None else maxgrad
  f_0, g_0 = value_and_grad(fun)(x0)
  state = LBFGSResults(
      converged=jnp.array(False), failed=jnp.array(False), k=0, nfev=1, ngev=1, x_k=x0,
      f_k=f_0, g_k=g_0, s_history=jnp.zeros((maxcor, d), dtype=dtype),
      y_history=jnp.zeros((maxcor, d), dtype=dtype),
      rho_history=jnp.zeros((maxcor,), dtype=dtype), gamma=1., status=0, ls_status=0)

  def step(s):
    p_k = _lbfgs_direction(s)
    ls = line_search(f=fun, xk=s.x_k, pk=p_k, old_fval=s.f_k, gfk=s.g_k, maxiter=maxls)
    s_k = jnp.asarray(ls.a_k).astype(p_k.dtype) * p_k
    y_k = ls.g_k - s.g_k
    rho_inv = jnp.real(_dot(y_k, s_k))
    gamma = rho_inv / jnp.real(_dot(jnp.conj(y_k), y_k))
    # The last reason that holds wins, as in JAX.
    status = jnp.array(0)
    status = jnp.where(s.f_k - ls.f_k < ftol, 4, status)
    status = jnp.where(s.ngev >= maxgrad, 3, status)
    status = jnp.where(s.nfev >= maxfun, 2, status)
    status = jnp.where(s.k >= maxiter, 1, status)
    status = jnp.where(ls.failed, 5, status)
    converged = _norm(ls.g_k, norm) < gtol
    return s._replace(
        converged=converged, failed=(status > 0) & ~converged, k=s.k + 1,
        nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev,
        x_k=(s.x_k + s_k).astype(s.x_k.dtype), f_k=ls.f_k.astype(s.f_k.dtype),
        g_k=ls.g_k.astype(s.g_k.dtype), s_history=_push(s.s_history, s_k),
        y_history=_push(s.y_history, y_k),
        rho_history=_push(s.rho_history, jnp.reciprocal(rho_inv).astype(y_k.dtype)),
        gamma=gamma.astype(s.g_k.dtype), status=jnp.where(converged, 0, status),
        ls_status=ls.status)

  return lax.while_loop(lambda s: ~s.converged & ~s.failed, step, state)
