"""``jax.experimental.ode``: adaptive Dormand-Prince integration of ODEs.

``odeint(func, y0, t, *args)`` integrates ``dy/dt = func(y, t, *args)`` with
the 4th/5th-order Dormand-Prince pair, choosing step sizes from the local
error estimate, and returns the solution at every time in ``t``. Reverse-mode
derivatives are the adjoint method (Chen et al. 2018, appendix C): the
augmented system is integrated backwards instead of differentiating through
the solver's loop, so memory does not grow with the number of steps.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental.ode import odeint
  >>> ys = odeint(lambda y, t: -y, jnp.float32(1.0), jnp.array([0.0, 1.0]))
  >>> print(f"{float(ys[1]):.4f}")
  0.3679

The step-control arithmetic (initial step, error norm, step factor, dense
output polynomial) is the one of JAX 0.10.2, so the steps taken, and so the
numbers, agree with JAX's.
"""
from __future__ import annotations

import operator
from functools import partial
from typing import Callable

import jaxlite
from jaxlite import lax
from jaxlite import numpy as jnp
from jaxlite.core_tools import valid_jaxtype
from jaxlite.custom_derivatives import closure_convert, custom_vjp
from jaxlite.extend import linear_util as lu
from jaxlite.flatten_util import ravel_pytree
from jaxlite.jax_compat.api_util import debug_info as _debug_info
from jaxlite.numpy.promotion import promote_dtypes_inexact
from jaxlite.tree_util import tree_leaves, tree_map
from jaxlite.util import safe_map, safe_zip

map = safe_map   # as in JAX's module: length-checked map and zip
zip = safe_zip

__all__ = ["odeint"]


def ravel_first_arg(f: Callable, unravel, debug_info=None):
  """``f(y, *args)`` as a function of the flat vector of ``y``, with a flat result.

    >>> import jaxlite.numpy as jnp
    >>> flat, unravel = ravel_pytree({"a": jnp.ones(2)})
    >>> ravel_first_arg(lambda y, s: {"b": y["a"] * s}, unravel)(flat, 3.0)
    Array([3., 3.], dtype=float32)
  """
  return ravel_first_arg_(lu.wrap_init(f, debug_info=debug_info), unravel).call_wrapped


@lu.transformation2
def ravel_first_arg_(f, unravel, y_flat, *args):
  """The ``linear_util`` transformation behind ``ravel_first_arg``."""
  result = f(unravel(y_flat), *args)
  result_flat, _ = ravel_pytree(result)
  return result_flat


# Dormand-Prince tableau: nodes, stage weights, 5th-order solution weights,
# and (5th - 4th order) weights of the embedded error estimate.
_DOPRI_NODES = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1., 1., 0]
_DOPRI_STAGES = [
    [1 / 5, 0, 0, 0, 0, 0, 0],
    [3 / 40, 9 / 40, 0, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]]
_DOPRI_SOLUTION = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]
_DOPRI_ERROR = [35 / 384 - 1951 / 21600, 0, 500 / 1113 - 22642 / 50085,
                125 / 192 - 451 / 720, -2187 / 6784 - -12231 / 42400,
                11 / 84 - 649 / 6300, -1. / 60.]
# Weights giving y at the step's midpoint (Shampine's dense output).
_DOPRI_MIDPOINT = [6025192743 / 30085553152 / 2, 0, 51252292925 / 65400821598 / 2,
                   -2691868925 / 45128329728 / 2, 187940372067 / 1594534317056 / 2,
                   -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2]


def interp_fit_dopri(y0, y1, k, dt):
  """Coefficients of the 4th-order polynomial through one Dormand-Prince step.

  ``k`` holds the step's seven stage derivatives; the polynomial in the
  relative time ``s`` in [0, 1] matches ``y0``, ``y1``, the midpoint value and
  the end slopes. Coefficients come highest power first, for ``polyval``.

    >>> import jaxlite.numpy as jnp
    >>> k = jnp.ones((7, 1))
    >>> interp_fit_dopri(jnp.zeros(1), jnp.ones(1), k, jnp.float32(1.0)).shape
    (5, 1)
  """
  midpoint_weights = jnp.array(_DOPRI_MIDPOINT, dtype=y0.dtype)
  y_mid = y0 + dt.astype(y0.dtype) * jnp.dot(midpoint_weights, k)
  return jnp.asarray(fit_4th_order_polynomial(y0, y1, y_mid, k[0], k[-1], dt))


def fit_4th_order_polynomial(y0, y1, y_mid, dy0, dy1, dt):
  """The quartic ``a s^4 + b s^3 + c s^2 + d s + e`` on ``s`` in [0, 1] with
  values ``y0``, ``y_mid``, ``y1`` at 0, 1/2, 1 and slopes ``dy0``, ``dy1``
  (per unit time, so scaled by ``dt``) at the ends.

    >>> import jaxlite.numpy as jnp
    >>> one = jnp.float32(1.0)
    >>> [float(c) for c in fit_4th_order_polynomial(0 * one, one, 0.5 * one, one, one, one)]
    [0.0, 0.0, 0.0, 1.0, 0.0]
  """
  dt = dt.astype(y0.dtype)
  a = -2. * dt * dy0 + 2. * dt * dy1 - 8. * y0 - 8. * y1 + 16. * y_mid
  b = 5. * dt * dy0 - 3. * dt * dy1 + 18. * y0 + 14. * y1 - 32. * y_mid
  c = -4. * dt * dy0 + dt * dy1 - 11. * y0 - 5. * y1 + 16. * y_mid
  d = dt * dy0
  e = y0
  return a, b, c, d, e


def initial_step_size(fun, t0, y0, order, rtol, atol, f0):
  """A first step size from the scale of ``y0``, ``f0`` and a trial Euler step
  (Hairer, Norsett and Wanner, Solving ODEs I, section II.4).

    >>> import jaxlite.numpy as jnp
    >>> y0 = jnp.ones(2)
    >>> h = initial_step_size(lambda y, t: -y, 0.0, y0, 4, 1e-6, 1e-6, -y0)
    >>> h.shape
    ()
  """
  y0, f0 = promote_dtypes_inexact(y0, f0)
  dtype = y0.dtype
  scale = (atol + jnp.abs(y0) * rtol).astype(dtype)
  d0 = jnp.linalg.norm(y0 / scale)
  d1 = jnp.linalg.norm(f0 / scale)
  h0 = jnp.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / d1)
  f1 = fun(y0 + h0.astype(dtype) * f0, t0 + h0)
  d2 = jnp.linalg.norm((f1 - f0) / scale) / h0
  h1 = jnp.where((d1 <= 1e-15) & (d2 <= 1e-15),
                 jnp.maximum(1e-6, h0 * 1e-3),
                 (0.01 / jnp.maximum(d1, d2)) ** (1. / (order + 1.)))
  return jnp.minimum(100. * h0, h1)


def runge_kutta_step(func, y0, f0, t0, dt):
  """One Dormand-Prince step of ``dt`` from ``(t0, y0)`` with ``f0 = func(y0, t0)``.

  Returns ``(y1, f1, y1_error, k)``: the 5th-order solution, its derivative
  (the last stage: the method is FSAL), the embedded error estimate and the
  ``(7, n)`` stage derivatives.

    >>> import jaxlite.numpy as jnp
    >>> y1, f1, err, k = runge_kutta_step(lambda y, t: -y, jnp.ones(1), -jnp.ones(1),
    ...                                   jnp.float32(0.0), jnp.float32(0.1))
    >>> k.shape
    (7, 1)
  """
  nodes = jnp.array(_DOPRI_NODES, dtype=dt.dtype)
  stages = jnp.array(_DOPRI_STAGES, dtype=f0.dtype)
  solution_weights = jnp.array(_DOPRI_SOLUTION, dtype=f0.dtype)
  error_weights = jnp.array(_DOPRI_ERROR, dtype=f0.dtype)
  dt_y = dt.astype(f0.dtype)

  def stage(i, k):
    y_i = y0 + dt_y * jnp.dot(stages[i - 1, :], k)
    return k.at[i, :].set(func(y_i, t0 + dt * nodes[i - 1]))

  k = jnp.zeros((7, f0.shape[0]), f0.dtype).at[0, :].set(f0)
  k = lax.fori_loop(1, 7, stage, k)
  y1 = dt_y * jnp.dot(solution_weights, k) + y0
  y1_error = dt_y * jnp.dot(error_weights, k)
  return y1, k[-1], y1_error, k


def abs2(x):
  """``|x|**2`` without a square root (real and imaginary parts squared for complex).

    >>> import jaxlite.numpy as jnp
    >>> abs2(jnp.array([3 + 4j]))
    Array([25.], dtype=float32)
  """
  if jnp.iscomplexobj(x):
    return x.real ** 2 + x.imag ** 2
  return x ** 2


def mean_error_ratio(error_estimate, rtol, atol, y0, y1):
  """The RMS of the error estimate over the mixed tolerance of each component;
  a step is accepted when this is at most 1.

    >>> import jaxlite.numpy as jnp
    >>> mean_error_ratio(jnp.array([1e-3]), 1e-3, 0.0, jnp.ones(1), jnp.ones(1))
    Array(1., dtype=float32)
  """
  tolerance = atol + rtol * jnp.maximum(jnp.abs(y0), jnp.abs(y1))
  ratio = error_estimate / tolerance.astype(error_estimate.dtype)
  return jnp.sqrt(jnp.mean(abs2(ratio)))


def optimal_step_size(last_step, mean_error_ratio, safety=0.9, ifactor=10.0,
                      dfactor=0.2, order=5.0):
  """Compute optimal Runge-Kutta stepsize.

  The next step is ``last_step * safety * ratio**(-1/order)``, grown by at
  most ``ifactor`` and, after a rejected step, shrunk by at most ``dfactor``.

    >>> import jaxlite.numpy as jnp
    >>> optimal_step_size(jnp.float32(0.1), jnp.float32(0.0))
    Array(1., dtype=float32)
  """
  dfactor = jnp.where(mean_error_ratio < 1, 1.0, dfactor)
  factor = jnp.minimum(ifactor,
                       jnp.maximum(mean_error_ratio ** (-1.0 / order) * safety, dfactor))
  return jnp.where(mean_error_ratio == 0, last_step * ifactor, last_step * factor)


def odeint(func, y0, t, *args, rtol=1.4e-8, atol=1.4e-8, mxstep=jnp.inf, hmax=jnp.inf):
  """Adaptive stepsize (Dormand-Prince) Runge-Kutta odeint implementation.

  Args:
    func: function to evaluate the time derivative of the solution `y` at time
      `t` as `func(y, t, *args)`, producing the same shape/structure as `y0`.
    y0: array or pytree of arrays representing the initial value for the state.
    t: array of float times for evaluation, like `jnp.linspace(0., 10., 101)`,
      in which the values must be strictly increasing.
    *args: tuple of additional arguments for `func`, which must be arrays
      scalars, or (nested) standard Python containers (tuples, lists, dicts,
      namedtuples, i.e. pytrees) of those types.
    rtol: float, relative local error tolerance for solver (optional).
    atol: float, absolute local error tolerance for solver (optional).
    mxstep: int, maximum number of steps to take for each timepoint (optional).
    hmax: float, maximum step size allowed (optional).

  Returns:
    Values of the solution `y` (i.e. integrated system values) at each time
    point in `t`, represented as an array (or pytree of arrays) with the same
    shape/structure as `y0` except with a new leading axis of length `len(t)`.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> ys = odeint(lambda y, t, k: -k * y, jnp.ones(2), jnp.array([0., 1.]), 2.0)
    >>> print(jnp.round(ys[-1], 4))
    [0.1353 0.1353]
  """
  for arg in tree_leaves(args):
    if not valid_jaxtype(arg):
      raise TypeError(
          f"The contents of odeint *args must be arrays or scalars, but got {arg}.")
  if not jnp.issubdtype(t.dtype, jnp.floating):
    raise TypeError(f"t must be an array of floats, but got {t}.")
  # Values func closes over become explicit arguments, so the adjoint
  # computes their cotangents too.
  converted, consts = closure_convert(func, y0, t[0], *args)
  return _odeint_wrapper(converted, rtol, atol, mxstep, hmax, y0, t, *args, *consts)


@partial(jaxlite.jit, static_argnums=(0, 1, 2, 3, 4))
@jaxlite.default_matmul_precision("highest")
def _odeint_wrapper(func, rtol, atol, mxstep, hmax, y0, ts, *args):
  # The solver works on one flat vector; the pytree is restored per time.
  y0_flat, unravel = ravel_pytree(y0)
  flat_func = ravel_first_arg(func, unravel, _debug_info("odeint", func, args, {}))
  ys_flat = _odeint(flat_func, rtol, atol, mxstep, hmax, y0_flat, ts, *args)
  return jaxlite.vmap(unravel)(ys_flat)


@partial(custom_vjp, nondiff_argnums=(0, 1, 2, 3, 4))
@jaxlite.default_matmul_precision("highest")
def _odeint(func, rtol, atol, mxstep, hmax, y0, ts, *args):
  def derivative(y, t):
    return func(y, t, *args)

  def advance_to(carry, target_t):
    # Take accepted/rejected steps until t passes target_t, then read the
    # value at target_t off the last accepted step's dense-output polynomial.
    def keep_stepping(state):
      steps, _, _, t, dt, _, _ = state
      return (t < target_t) & (steps < mxstep) & (dt > 0)

    def try_step(state):
      steps, y, f, t, dt, last_t, coeffs = state
      next_y, next_f, next_error, k = runge_kutta_step(derivative, y, f, t, dt)
      ratio = mean_error_ratio(next_error, rtol, atol, y, next_y)
      next_coeffs = interp_fit_dopri(y, next_y, k, dt)
      next_dt = jnp.clip(optimal_step_size(dt, ratio), min=0., max=hmax)
      accepted = [steps + 1, next_y, next_f, t + dt, next_dt, t, next_coeffs]
      rejected = [steps + 1, y, f, t, next_dt, last_t, coeffs]
      return map(partial(jnp.where, ratio <= 1.), accepted, rejected)

    _, *carry = lax.while_loop(keep_stepping, try_step, [0] + carry)
    _, _, t, _, last_t, coeffs = carry
    relative_time = (target_t - last_t) / (t - last_t)
    return carry, jnp.polyval(coeffs, relative_time.astype(coeffs.dtype))

  f0 = derivative(y0, ts[0])
  dt = jnp.clip(initial_step_size(derivative, ts[0], y0, 4, rtol, atol, f0),
                min=0., max=hmax)
  coeffs = jnp.array([y0] * 5)
  _, ys = lax.scan(advance_to, [y0, f0, ts[0], dt, ts[0], coeffs], ts[1:])
  return jnp.concatenate((y0[None], ys))


def _odeint_fwd(func, rtol, atol, mxstep, hmax, y0, ts, *args):
  ys = _odeint(func, rtol, atol, mxstep, hmax, y0, ts, *args)
  return ys, (ys, ts, args)


@jaxlite.default_matmul_precision("highest")
def _odeint_rev(func, rtol, atol, mxstep, hmax, residuals, g):
  ys, ts, args = residuals

  def adjoint_dynamics(state, minus_t, *args):
    # The adjoint runs in negated time so odeint can integrate it forwards.
    y, y_bar, *_ = state
    y_dot, pullback = jaxlite.vjp(func, y, -minus_t, *args)
    return (-y_dot, *pullback(y_bar))

  def back_one_interval(carry, i):
    y_bar, t0_bar, args_bar = carry
    # Moving the observation time ts[i] moves the output along f.
    t_bar = jnp.dot(func(ys[i], ts[i], *args), g[i]).real
    t0_bar = t0_bar - t_bar
    _, y_bar, t0_bar, args_bar = odeint(
        adjoint_dynamics, (ys[i], y_bar, t0_bar, args_bar),
        jnp.array([-ts[i], -ts[i - 1]]), *args,
        rtol=rtol, atol=atol, mxstep=mxstep, hmax=hmax)
    y_bar, t0_bar, args_bar = tree_map(operator.itemgetter(1), (y_bar, t0_bar, args_bar))
    return (y_bar + g[i - 1], t0_bar, args_bar), t_bar

  carry = (g[-1], 0., tree_map(jnp.zeros_like, args))
  (y_bar, t0_bar, args_bar), reversed_ts_bar = lax.scan(
      back_one_interval, carry, jnp.arange(len(ts) - 1, 0, -1))
  ts_bar = jnp.concatenate([jnp.array([t0_bar]), reversed_ts_bar[::-1]])
  return (y_bar, ts_bar, *args_bar)


_odeint.defvjp(_odeint_fwd, _odeint_rev)
