"""``add_any``: the sum of two tangents or cotangents of the same type.

JAX keeps this separate from ``add`` so that a jaxpr shows where AD summed
contributions (``g:f32[] = add_any d f`` in a gradient's jaxpr); the JVP rules'
``add_tangents`` and the transpose's cotangent accumulation bind it.

Example:
  >>> import numpy as np
  >>> add_any_p.bind(np.float32(1.0), np.float32(2.0))
  Array(3., dtype=float32)
"""
from __future__ import annotations

from jaxlite import core
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base, elementwise

add_any_p = core.Primitive("add_any")
# Both operands have the result's type (they are tangents of one value).
add_any_p.def_abstract_eval(lambda x, y: core.raise_to_shaped(x))
mlir.register_lowering(add_any_p, base.nary_lowering("add", broadcast=False))
# Eagerly it is ``lax.add``, as in JAX: weakly typed only when both operands are
# (staged, the result takes the first operand's type).
add_any_p.def_impl(lambda x, y: elementwise.add_p.bind(x, y))


def _add_any_transpose(ct, x, y):
  return [ct if ad.is_undefined_primal(x) else None,
          ct if ad.is_undefined_primal(y) else None]


ad.deflinear2(add_any_p, _add_any_transpose)


def _add_any_batcher(args, dims):
  x, y = args
  dx, dy = dims
  if dx == dy:
    return add_any_p.bind(x, y), dx
  size = batching.batch_size(args, dims)
  return add_any_p.bind(batching.bdim_at_front(x, dx, size),
                        batching.bdim_at_front(y, dy, size)), 0


batching.primitive_batchers[add_any_p] = _add_any_batcher


def add_any(x, y):
  """``x + y`` for two values of the same shape and dtype, as AD sums them."""
  return add_any_p.bind(x, y)
