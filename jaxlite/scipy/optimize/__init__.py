"""``jaxlite.scipy.optimize``: ``minimize`` by BFGS or (experimental) L-BFGS, as
``jax.scipy.optimize`` has it; works under ``jit`` and ``vmap``.

  >>> from jaxlite.scipy.optimize import minimize
  >>> minimize(lambda x: jnp.sum((x - 3.) ** 2), jnp.zeros(2), method="BFGS").x
  Array([3.0000002, 3.       ], dtype=float32)
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jaxlite.numpy as jnp
from jaxlite.scipy.optimize.bfgs import minimize_bfgs, minimize_lbfgs

__all__ = ["minimize", "OptimizeResults"]


class OptimizeResults(NamedTuple):
  """The result of :func:`minimize`.

  Parameters:
    x: final solution.
    success: ``True`` if optimization succeeded.
    status: solver specific return code; 0 converged, 1 max BFGS iterations, 3 zoom
      failed, 4 saddle point, 5 max line search iterations, -1 undefined.
    fun: final function value.
    jac: final gradient.
    hess_inv: final inverse Hessian estimate (None for L-BFGS).
    nfev: number of function calls.
    njev: number of gradient evaluations.
    nit: number of iterations.
  """
  x: Any
  success: Any
  status: Any
  fun: Any
  jac: Any
  hess_inv: Any
  nfev: Any
  njev: Any
  nit: Any


def minimize(fun, x0, args=(), *, method, tol=None, options=None):
  """Minimizes ``fun(x, *args)`` over 1-D ``x`` from ``x0``; ``method`` is ``"BFGS"``
  or ``"l-bfgs-experimental-do-not-rely-on-this"``; ``options`` are the solver's
  (``maxiter``, ``gtol``, ``norm``, ...).  ``tol`` is accepted and unused, as in JAX.

  >>> from jaxlite.scipy.optimize import minimize
  >>> r = minimize(lambda x, c: jnp.sum((x - c) ** 2), jnp.zeros(2), (1.,), method="BFGS")
  >>> bool(r.success), r.x
  (True, Array([1., 1.], dtype=float32))
  """
  options = {} if options is None else options
  if not isinstance(args, tuple):
    raise TypeError(
        f"args argument to jax.scipy.optimize.minimize must be a tuple, got {args}")
  objective = lambda x: fun(x, *args)  # noqa: E731
  name = method.lower()
  if name == "bfgs":
    r = minimize_bfgs(objective, x0, **options)
    hess_inv = r.H_k
  elif name == "l-bfgs-experimental-do-not-rely-on-this":
    r = minimize_lbfgs(objective, x0, **options)
    hess_inv = None
  else:
    raise ValueError(f"Method {method} not recognized")
  return OptimizeResults(x=r.x_k, success=r.converged & jnp.logical_not(r.failed),
                         status=r.status, fun=r.f_k, jac=r.g_k, hess_inv=hess_inv,
                         nfev=r.nfev, njev=r.ngev, nit=r.k)
