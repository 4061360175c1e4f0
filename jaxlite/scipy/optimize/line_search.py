"""A strong-Wolfe line search (Nocedal and Wright, *Numerical Optimization*, 1999,
Algorithms 3.5 and 3.6) as ``jax.scipy.optimize``'s BFGS and L-BFGS use it: the
bracketing phase doubles the step, ``zoom`` narrows a bracket by cubic, quadratic or
bisection steps.  Everything runs in ``lax.while_loop``, so it works under ``jit`` and
``vmap``.

  >>> from jaxlite.scipy.optimize.line_search import line_search
  >>> f = lambda x: jnp.sum((x - 1.) ** 2)
  >>> line_search(f, jnp.zeros(2), jnp.ones(2)).a_k
  Array(1., dtype=float32)
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.differentiation import value_and_grad
import jaxlite.numpy as jnp
from jaxlite.numpy.promotion import promote_dtypes_inexact


def _dot(a, b):
  return jnp.dot(a, b, precision=lax.Precision.HIGHEST)


def _cubic_minimizer(a, fa, fpa, b, fb, c, fc):
  """The minimizer of the cubic through (a, fa) with slope fpa, (b, fb) and (c, fc)."""
  dtype = dtypes.result_type(a, fa, fpa, b, fb, c, fc)
  db, dc = b - a, c - a
  denominator = (db * dc) ** 2 * (db - dc)
  rhs_b = fb - fa - fpa * db
  rhs_c = fc - fa - fpa * dc
  cubic = (jnp.asarray(dc ** 2 * rhs_b - db ** 2 * rhs_c, dtype)) / denominator
  quadratic = (jnp.asarray(-dc ** 3 * rhs_b + db ** 3 * rhs_c, dtype)) / denominator
  radical = quadratic * quadratic - 3. * cubic * fpa
  return a + (-quadratic + jnp.sqrt(radical)) / (3. * cubic)


def _quadratic_minimizer(a, fa, fpa, b, fb):
  """The minimizer of the parabola through (a, fa) with slope fpa and (b, fb)."""
  db = b - a
  curvature = (fb - fa - fpa * db) / (db ** 2)
  return a - fpa / (2. * curvature)


def _update(mask, state, **new):
  """``state`` with the fields in ``new`` taken where ``mask`` holds."""
  return state._replace(**{k: jnp.where(mask, v, getattr(state, k)) for k, v in new.items()})


class _ZoomState(NamedTuple):
  done: Any
  failed: Any
  j: Any
  a_lo: Any
  phi_lo: Any
  dphi_lo: Any
  a_hi: Any
  phi_hi: Any
  dphi_hi: Any
  a_rec: Any
  phi_rec: Any
  a_star: Any
  phi_star: Any
  dphi_star: Any
  g_star: Any
  nfev: Any
  ngev: Any


def _zoom(phi_dphi_g, sufficient_decrease, curvature_ok, a_lo, phi_lo, dphi_lo, a_hi,
          phi_hi, dphi_hi, g_0, skip):
  """Algorithm 3.6: narrows [a_lo, a_hi] to a step meeting both Wolfe conditions
  (``skip`` True: does nothing, the batched-friendly way to make it conditional)."""
  state = _ZoomState(
      done=False, failed=False, j=0, a_lo=a_lo, phi_lo=phi_lo, dphi_lo=dphi_lo,
      a_hi=a_hi, phi_hi=phi_hi, dphi_hi=dphi_hi, a_rec=(a_lo + a_hi) / 2.,
      phi_rec=(phi_lo + phi_hi) / 2., a_star=1., phi_star=phi_lo, dphi_star=dphi_lo,
      g_star=g_0, nfev=0, ngev=0)
  cubic_margin, quadratic_margin = 0.2, 0.1

  def step(s):
    width = s.a_hi - s.a_lo
    low, high = jnp.minimum(s.a_hi, s.a_lo), jnp.maximum(s.a_hi, s.a_lo)
    # A bracket narrower than this can no longer be refined in the dtype.
    too_narrow = width <= jnp.where(dtypes.finfo(width.dtype).bits < 64, 1e-5, 1e-10)
    s = s._replace(failed=s.failed | too_narrow)
    a_cubic = _cubic_minimizer(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec,
                               s.phi_rec)
    use_cubic = ((s.j > 0) & (a_cubic > low + cubic_margin * width)
                 & (a_cubic < high - cubic_margin * width))
    a_quadratic = _quadratic_minimizer(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
    use_quadratic = (~use_cubic & (a_quadratic > low + quadratic_margin * width)
                     & (a_quadratic < high - quadratic_margin * width))
    a_j = jnp.where(use_cubic, a_cubic, s.a_rec)
    a_j = jnp.where(use_quadratic, a_quadratic, a_j)
    a_j = jnp.where(~use_cubic & ~use_quadratic, (s.a_lo + s.a_hi) / 2., a_j)
    phi_j, dphi_j, g_j = phi_dphi_g(a_j)
    phi_j = phi_j.astype(s.phi_lo.dtype)
    dphi_j = dphi_j.astype(s.dphi_lo.dtype)
    g_j = g_j.astype(s.g_star.dtype)
    s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
    new_hi = sufficient_decrease(a_j, phi_j) | (phi_j >= s.phi_lo)
    found = curvature_ok(dphi_j) & ~new_hi
    flip = (dphi_j * (s.a_hi - s.a_lo) >= 0.) & ~new_hi & ~found
    new_lo = ~new_hi & ~found
    s = _update(new_hi, s, a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j, a_rec=s.a_hi,
                phi_rec=s.phi_hi)
    s = _update(found, s, a_star=a_j, phi_star=phi_j, dphi_star=dphi_j, g_star=g_j)
    s = s._replace(done=found | s.done)
    s = _update(flip, s, a_hi=s.a_lo, phi_hi=s.phi_lo, dphi_hi=s.dphi_lo, a_rec=s.a_hi,
                phi_rec=s.phi_hi)
    s = _update(new_lo & ~flip, s, a_rec=s.a_lo, phi_rec=s.phi_lo)
    s = _update(new_lo, s, a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j)
    j = s.j + 1
    return s._replace(j=j, failed=s.failed | (j >= 30))

  return lax.while_loop(lambda s: ~s.done & ~skip & ~s.failed, step, state)


class _SearchState(NamedTuple):
  done: Any
  failed: Any
  i: Any
  a_i1: Any
  phi_i1: Any
  dphi_i1: Any
  nfev: Any
  ngev: Any
  a_star: Any
  phi_star: Any
  dphi_star: Any
  g_star: Any


class _LineSearchResults(NamedTuple):
  """The outcome of :func:`line_search`: ``failed`` (no step met the strong Wolfe
  conditions), ``nit``, ``nfev``, ``ngev``, ``k``, the step ``a_k``, ``f_k`` and
  ``g_k`` there, and ``status`` (0 passed, 1 zoom failed, 3 maxiter reached)."""
  failed: Any
  nit: Any
  nfev: Any
  ngev: Any
  k: Any
  a_k: Any
  f_k: Any
  g_k: Any
  status: Any


def line_search(f, xk, pk, old_fval=None, old_old_fval=None, gfk=None, c1=1e-4, c2=0.9,
                maxiter=20):
  """A step along the descent direction ``pk`` from ``xk`` that meets the strong
  Wolfe conditions with constants ``c1`` and ``c2``.

  >>> from jaxlite.scipy.optimize.line_search import line_search
  >>> f = lambda x: jnp.sum(x ** 4)
  >>> float(line_search(f, jnp.ones(2), -jnp.ones(2)).a_k) > 0
  True
  """
  xk, pk = (jnp.asarray(v) for v in promote_dtypes_inexact(xk, pk))

  def phi_dphi_g(t):
    value, grad = value_and_grad(f)(xk + jnp.asarray(t, pk.dtype) * pk)
    return value, jnp.real(_dot(grad, pk)), grad

  fresh = old_fval is None or gfk is None
  if fresh:
    phi_0, dphi_0, gfk = phi_dphi_g(0)
  else:
    phi_0, dphi_0 = old_fval, jnp.real(_dot(gfk, pk))
  if old_old_fval is not None:
    # The step that a quadratic through the last two values would take, capped at 1.
    guess = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
    first_step = jnp.where(guess > 1, 1.0, guess)
  else:
    first_step = 1

  def sufficient_decrease(a, phi):  # True where it FAILS (Armijo violated)
    return phi > phi_0 + c1 * a * dphi_0

  def curvature_ok(dphi):
    return jnp.abs(dphi) <= -c2 * dphi_0

  state = _SearchState(
      done=jnp.array(False), failed=jnp.array(False), i=1, a_i1=0., phi_i1=phi_0,
      dphi_i1=dphi_0, nfev=1 if fresh else 0, ngev=1 if fresh else 0, a_star=0.,
      phi_star=phi_0, dphi_star=dphi_0, g_star=gfk)

  def step(s):
    a_i = jnp.where(s.i == 1, first_step, s.a_i1 * 2.)
    phi_i, dphi_i, g_i = phi_dphi_g(a_i)
    s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
    bracket_ahead = sufficient_decrease(a_i, phi_i) | ((phi_i >= s.phi_i1) & (s.i > 1))
    accept = curvature_ok(dphi_i) & ~bracket_ahead
    bracket_behind = (dphi_i >= 0.) & ~bracket_ahead & ~accept
    zoom_ahead = _zoom(phi_dphi_g, sufficient_decrease, curvature_ok, s.a_i1, s.phi_i1,
                       s.dphi_i1, a_i, phi_i, dphi_i, gfk, ~bracket_ahead)
    zoom_behind = _zoom(phi_dphi_g, sufficient_decrease, curvature_ok, a_i, phi_i, dphi_i,
                        s.a_i1, s.phi_i1, s.dphi_i1, gfk, ~bracket_behind)
    s = s._replace(nfev=s.nfev + zoom_ahead.nfev + zoom_behind.nfev,
                   ngev=s.ngev + zoom_ahead.ngev + zoom_behind.ngev)
    for taken, zoomed in ((bracket_ahead, zoom_ahead), (accept, None),
                          (bracket_behind, zoom_behind)):
      if zoomed is None:
        s = _update(taken, s, a_star=a_i, phi_star=phi_i, dphi_star=dphi_i, g_star=g_i)
      else:
        s = _update(taken, s, a_star=zoomed.a_star, phi_star=zoomed.phi_star,
                    dphi_star=zoomed.dphi_star, g_star=zoomed.g_star)
        s = s._replace(failed=(taken & zoomed.failed) | s.failed)
      s = s._replace(done=taken | s.done)
    return s._replace(i=s.i + 1, a_i1=a_i, phi_i1=phi_i, dphi_i1=dphi_i)

  s = lax.while_loop(lambda s: ~s.done & (s.i <= maxiter) & ~s.failed, step, state)
  status = jnp.where(s.failed, jnp.array(1), jnp.where(s.i > maxiter, jnp.array(3),
                                                        jnp.array(0)))
  a_k = jnp.asarray(s.a_star)
  # Below 64 bits a step under 1e-8 is rounded up to +-1e-8 (as JAX does).
  a_k = jnp.where((dtypes.finfo(a_k.dtype).bits != 64) & (jnp.abs(a_k) < 1e-8),
                  jnp.sign(a_k) * 1e-8, a_k)
  return _LineSearchResults(failed=s.failed | ~s.done, nit=s.i - 1, nfev=s.nfev,
                            ngev=s.ngev, k=s.i, a_k=a_k, f_k=s.phi_star, g_k=s.g_star,
                            status=status)
