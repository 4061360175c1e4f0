"""Small primitives of JAX's tracing machinery that JAX exports from
``jax.lax``: ``stage`` (lift a value into the trace), ``dce_sink`` (keep a
value alive through dead-code elimination), the dimension comparisons
``eq_to_p``/``le_to_p``/``lt_to_p`` (shape polymorphism compares dimension
sizes with them), ``shape_as_value`` and the stateful ``rng_uniform``.
"""
from __future__ import annotations

__all__ = ['stage', 'stage_p', 'dce_sink', 'dce_sink_p', 'eq_to_p', 'le_to_p', 'lt_to_p',
           'shape_as_value', 'rng_uniform', 'rng_uniform_p']

import numpy as np

from jaxlite import core, dtypes, tree_util
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax.bitwise import _comparison, _ordered
from jaxlite.lax.elementwise import _any

# --- stage -------------------------------------------------------------------------------------

stage_p = core.Primitive('stage')
stage_p.def_abstract_eval(lambda x: ShapedArray(x.shape, x.dtype, x.weak_type))
mlir.register_lowering(stage_p, lambda ctx, x: x)
batching.defvectorized(stage_p)
ad.deflinear2(stage_p, lambda ct, x: [ct])


def stage(x, /):
  """The identity, lifting ``x`` (a Python scalar, a NumPy array) into the
  active trace; outside any trace, a jaxlite Array.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.stage(np.float32(2.))
  Array(2., dtype=float32)
  """
  return stage_p.bind(x)


# --- dce_sink ----------------------------------------------------------------------------------


class NoDCEEffect:
  """The effect of ``dce_sink``: its equation survives dead-code elimination."""

  def __hash__(self):
    return hash(type(self))

  def __eq__(self, other):
    return type(self) is type(other)

  def __repr__(self):
    return "NoDCE"


no_dce_effect = NoDCEEffect()

dce_sink_p = core.Primitive('dce_sink')
dce_sink_p.multiple_results = True
dce_sink_p.def_abstract_eval(lambda x, **_: [])
dce_sink_p.effects_rule = lambda *avals, **params: frozenset({no_dce_effect})
mlir.register_lowering(dce_sink_p, lambda ctx, x, **_: [])
ad.deflinear(dce_sink_p, lambda ct, **_: [])
batching.primitive_batchers[dce_sink_p] = lambda args, dims, **params: (
    dce_sink_p.bind(*args, **params), [])


def dce_sink(val, *, prevent_mlir_dce: bool = False):
  """Marks every array leaf of ``val`` as used, so the computations producing
  it are not removed as dead code from a jaxpr. Returns None.

  >>> import jaxlite, numpy as np
  >>> from jaxlite import lax
  >>> print(jaxlite.make_jaxpr(lambda x: lax.dce_sink(x * 2))(np.float32(1)))
  { lambda ; a:f32[]. let
      b:f32[] = mul a 2.0:f32[]
      dce_sink[prevent_mlir_dce=False] b
    in () }
  """
  tree_util.tree_map(lambda x: dce_sink_p.bind(x, prevent_mlir_dce=prevent_mlir_dce), val)


# --- dimension comparisons -----------------------------------------------------------------------


# The comparisons of dimension sizes: eq/le/lt under other names.
eq_to_p = _comparison('eq_to', 'EQ', _any)
le_to_p = _comparison('le_to', 'LE', _ordered)
lt_to_p = _comparison('lt_to', 'LT', _ordered)


def shape_as_value(shape):
  """A shape as an integer array (int32, or int64 where a dimension needs it).

  >>> from jaxlite import lax
  >>> lax.shape_as_value((2, 3))
  array([2, 3], dtype=int32)
  """
  shape = tuple(shape)
  big = any(int(d) > np.iinfo(np.int32).max for d in shape)
  dtype = dtypes.canonicalize_dtype(np.int64 if big else np.int32)
  if not shape:
    from jaxlite.lax.structural import full
    return full((0,), np.array(0, dtype))
  return np.asarray(shape, dtype=dtype)


# --- rng_uniform ----------------------------------------------------------------------------------


def _rng_uniform_abstract_eval(a, b, *, shape):
  if a.dtype != b.dtype:
    raise ValueError(f"Arguments to rng_uniform must have identical dtypes, got {a.dtype} "
                     f"and {b.dtype}.")
  if a.shape != () or b.shape != ():
    raise ValueError(f"Arguments to rng_uniform must be scalars; got shapes {a.shape} and "
                     f"{b.shape}.")
  return ShapedArray(tuple(shape), a.dtype, a.weak_type and b.weak_type)


rng_uniform_p = core.Primitive('rng_uniform')
rng_uniform_p.def_abstract_eval(_rng_uniform_abstract_eval)


def _rng_uniform_lowering(ctx, a, b, *, shape):
  hlo = mlir.hlo()
  dims = mlir.ir_constant(np.asarray(shape, np.int64))
  return hlo.rng(a, b, dims, hlo.RngDistributionAttr.get("UNIFORM"))


mlir.register_lowering(rng_uniform_p, _rng_uniform_lowering)


def rng_uniform(a, b, shape):
  """Stateful uniform random numbers in ``[a, b)`` (XLA's ``Rng``): each
  execution draws anew. Prefer ``jaxlite.random``.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> x = lax.rng_uniform(np.float32(0), np.float32(1), (3,))
  >>> x.shape, bool(((x >= 0) & (x < 1)).all())
  ((3,), True)
  """
  return rng_uniform_p.bind(a, b, shape=tuple(int(d) for d in shape))
