"""``optimization_barrier``: values XLA may not move computations across.

The barrier is the identity on values; it stops XLA from fusing, reordering or
rematerializing work across it (e.g. to keep a recomputation in the backward
pass of ``checkpoint`` from being merged into the forward pass). It lowers to
StableHLO's ``optimization_barrier``.
"""
from __future__ import annotations

__all__ = ["optimization_barrier", "optimization_barrier_p"]

from jaxlite import core, tree_util
from jaxlite.interpreters import ad, batching, mlir

optimization_barrier_p = core.Primitive("optimization_barrier")
optimization_barrier_p.multiple_results = True
optimization_barrier_p.def_abstract_eval(lambda *avals: list(avals))


def _lowering(ctx, *args):
  return list(mlir.hlo().OptimizationBarrierOp(list(args)).results)


mlir.register_lowering(optimization_barrier_p, _lowering)


def _jvp(primals, tangents):
  outs = optimization_barrier_p.bind(*primals)
  # Non-zero tangents pass through a barrier of their own, as in JAX.
  live = [i for i, t in enumerate(tangents) if type(t) is not ad.Zero]
  out_tangents = list(tangents)
  if live:
    for i, t in zip(live, optimization_barrier_p.bind(*[tangents[i] for i in live])):
      out_tangents[i] = t
  return outs, out_tangents


def _transpose(cts, *args):
  live = [i for i, ct in enumerate(cts) if type(ct) is not ad.Zero]
  out = [ad.Zero(a.aval) if type(ct) is ad.Zero else None for a, ct in zip(args, cts)]
  if live:
    for i, ct in zip(live, optimization_barrier_p.bind(*[cts[i] for i in live])):
      out[i] = ct
  return out


ad.primitive_jvps[optimization_barrier_p] = _jvp
ad.primitive_transposes[optimization_barrier_p] = _transpose
batching.primitive_batchers[optimization_barrier_p] = (
    lambda args, dims: (optimization_barrier_p.bind(*args), list(dims)))


def optimization_barrier(operand, /):
  """``operand`` (a pytree of arrays) unchanged, with XLA kept from moving
  computations across this point.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> lax.optimization_barrier((jnp.ones(2), 3.0))
  (Array([1., 1.], dtype=float32), Array(3., dtype=float32, weak_type=True))
  """
  from jaxlite.numpy import asarray  # pylint: disable=g-import-not-at-top
  leaves, treedef = tree_util.tree_flatten(operand)
  leaves = [x if isinstance(x, core.Tracer) else asarray(x) for x in leaves]
  return tree_util.tree_unflatten(treedef, optimization_barrier_p.bind(*leaves))
