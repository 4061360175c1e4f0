"""Helpers shared by the ``jaxlite.numpy`` ufunc modules (``ufuncs_arithmetic``,
``ufuncs_math``, ``ufuncs_logical``): dtype queries, host constants and the
factories for one-primitive unary and binary ufuncs.

  >>> _unary("sin", "sin", True)(0.0)
  Array(0., dtype=float32, weak_type=True)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import check_arraylike, promote_args, promote_dtypes_inexact


def _dtype(x):
  return promotion.aval_of(x).dtype


def _is(x, kind) -> bool:
  return dtypes.issubdtype(_dtype(x), kind)


def _full_like(x, value, dtype=None):
  aval = promotion.aval_of(x)
  return lax_structural.full(aval.shape, value, dtype or aval.dtype)


def _constant_like(x, value):
  """A rank-0 host constant of ``x``'s dtype (a literal under jit)."""
  return np.asarray(value, _dtype(x))


def _doc(fun, numpy_name, example, result):
  fun.__doc__ = (f"{fun.__doc__ or ''}\n\n  Elementwise, with NumPy broadcasting and "
                 f"JAX's type promotion; see :func:`numpy.{numpy_name}`.\n\n"
                 f"  >>> import jaxlite.numpy as jnp\n  >>> {example}\n  {result}\n")
  return fun


def _unary(name, lax_name, inexact=False, doc=None):
  """A one-argument ufunc that promotes (to inexact if asked) and binds one lax op."""
  def fun(x, /):
    check_arraylike(name, x)
    (x,) = promote_dtypes_inexact(x) if inexact else promotion.promote_dtypes(x)
    return getattr(lax, lax_name)(x)
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun


def _binary(name, lax_name, promote=promote_args, doc=None):
  def fun(x1, x2, /):
    x1, x2 = promote(name, x1, x2)
    return getattr(lax, lax_name)(x1, x2)
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun
