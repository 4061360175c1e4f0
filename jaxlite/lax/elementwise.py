"""Elementwise primitives: arithmetic, math functions, comparisons, bitwise ops.

Each primitive is defined once, with its lowering, JVP, transpose and batching
rules registered right below it.
"""
from __future__ import annotations

__all__ = ['neg', 'add', 'sub', 'mul', 'sin', 'cos', 'neg_p', 'add_p', 'sub_p', 'mul_p', 'sin_p', 'cos_p']

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.lax.base import standard_primitive

_num = {"integer", "inexact"}
_float = {"floating"}
_fc = {"inexact"}
_any = {"bool", "integer", "inexact"}


def unop(name, accepted, lowering, result_dtype=None):
  """An elementwise unary primitive with a standard lowering and batching rule."""
  if result_dtype is None:
    dtype_rule = base.same_dtypes_rule(name, accepted)
  else:
    def dtype_rule(a, **_):
      base.check_dtypes(name, accepted, a)
      return result_dtype(a.dtype)
  prim = standard_primitive(base.elementwise_shape_rule(name), dtype_rule, name)
  base.register_standard_lowering(prim, lowering, broadcast=False)
  batching.defvectorized(prim)
  return prim


def binop(name, accepted, lowering, result_dtype=None):
  """An elementwise binary primitive (operands of equal dtype; rank-0 broadcasts)."""
  same = base.same_dtypes_rule(name, accepted)
  dtype_rule = same if result_dtype is None else \
      (lambda *avals, **p: result_dtype(same(*avals, **p)))
  prim = standard_primitive(base.elementwise_shape_rule(name), dtype_rule, name)
  base.register_standard_lowering(prim, lowering)
  batching.defbroadcasting(prim)
  return prim


# --- arithmetic ------------------------------------------------------------------------

neg_p = unop("neg", _num, "negate")
ad.deflinear(neg_p, lambda ct: [neg(ct)])

add_p = binop("add", _num, "add")
sub_p = binop("sub", _num, "subtract")
mul_p = binop("mul", _num | {"bool"}, "multiply")


def _unbroadcast(aval, x):
  """Sums ``x`` down to ``aval``'s shape (for operands that were rank-0 broadcast)."""
  from jaxlite.lax import reductions
  x_aval = core.get_aval(x)
  if x_aval.shape == aval.shape:
    return x
  return reductions.reduce_sum(x, tuple(range(x_aval.ndim)))


def _add_transpose(ct, x, y):
  return [_unbroadcast(x.aval, ct) if ad.is_undefined_primal(x) else None,
          _unbroadcast(y.aval, ct) if ad.is_undefined_primal(y) else None]


def _sub_transpose(ct, x, y):
  return [_unbroadcast(x.aval, ct) if ad.is_undefined_primal(x) else None,
          _unbroadcast(y.aval, neg(ct)) if ad.is_undefined_primal(y) else None]


ad.deflinear2(add_p, _add_transpose)
ad.deflinear2(sub_p, _sub_transpose)


def _mul_transpose(ct, x, y):
  if type(ct) is ad.Zero:
    return [ad.Zero(a.aval) if ad.is_undefined_primal(a) else None for a in (x, y)]
  if ad.is_undefined_primal(x):
    return [_unbroadcast(x.aval, mul(ct, y)), None]
  return [None, _unbroadcast(y.aval, mul(x, ct))]


ad.defjvp(mul_p, lambda xdot, x, y: mul(xdot, y), lambda ydot, x, y: mul(x, ydot))
ad.primitive_transposes[mul_p] = _mul_transpose

# --- transcendental ---------------------------------------------------------------------

sin_p = unop("sin", _fc, "sine")
cos_p = unop("cos", _fc, "cosine")
ad.defjvp(sin_p, lambda g, x: mul(g, cos(x)))
ad.defjvp(cos_p, lambda g, x: neg(mul(g, sin(x))))


# --- public wrappers (JAX's lax signatures) ------------------------------------------------


def neg(x):
  r"""Elementwise negation: :math:`-x`.

  >>> from jaxlite import lax
  >>> lax.neg(1.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  return neg_p.bind(x)


def add(x, y):
  r"""Elementwise addition: :math:`x + y`.

  >>> from jaxlite import lax
  >>> lax.add(1.0, 2.0)
  Array(3., dtype=float32, weak_type=True)
  """
  return add_p.bind(x, y)


def sub(x, y):
  r"""Elementwise subtraction: :math:`x - y`.

  >>> from jaxlite import lax
  >>> lax.sub(3.0, 2.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return sub_p.bind(x, y)


def mul(x, y):
  r"""Elementwise multiplication: :math:`x \times y`.

  >>> from jaxlite import lax
  >>> lax.mul(3.0, 2.0)
  Array(6., dtype=float32, weak_type=True)
  """
  return mul_p.bind(x, y)


def sin(x):
  r"""Elementwise sine.

  >>> from jaxlite import lax
  >>> lax.sin(0.0)
  Array(0., dtype=float32, weak_type=True)
  """
  return sin_p.bind(x)


def cos(x):
  r"""Elementwise cosine.

  >>> from jaxlite import lax
  >>> lax.cos(0.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return cos_p.bind(x)
