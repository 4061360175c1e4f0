"""Control flow whose devices may part ways around a collective.

Inside ``shard_map`` (or ``pmap``) every device runs the same program on its
own data. A ``cond`` predicate or a ``while_loop`` condition that differs
between devices sends them down different paths; if a path holds a
collective (``psum``, ``all_gather``, ...) over those devices, the ones that
took it wait forever for the others. XLA aborts the process after 40 s
(JAX 0.10.2 compiles such programs as they are). Where ``shard_map``'s types
say the predicate may differ (it varies over the collective's axes), the
lowering rules of ``cond`` and ``while`` keep the devices in step instead:
every device runs every branch, or the loop runs until no device needs it,
and each keeps its own results (see conditionals.py and loops.py).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from jaxlite import core
from jaxlite.interpreters import collectives, mlir
from jaxlite.lax import parallel


def collective_axes(jaxpr: core.Jaxpr) -> set:
  """Names of the axes that collectives in ``jaxpr`` (or jaxprs nested in it)
  communicate over; ``axis_index`` needs no partner and is left out.

  >>> import jaxlite
  >>> from jaxlite import lax
  >>> closed = jaxlite.make_jaxpr(lambda x: lax.psum(x, 'i'), axis_env=[('i', 2)])(1.)
  >>> collective_axes(closed.jaxpr)
  {'i'}
  """
  axes = set()
  for eqn in jaxpr.eqns:
    if isinstance(eqn.primitive, parallel.CollectivePrimitive) and \
        eqn.primitive is not parallel.axis_index_p:
      axes.update(eqn.primitive.axis_names(eqn.params))
  for sub in core.subjaxprs(jaxpr):
    axes |= collective_axes(sub)
  return axes


def may_diverge_into_collective(ctx, predicate: core.ShapedArray,
                                jaxprs: Sequence[core.Jaxpr]) -> bool:
  """Whether ``predicate``'s type says it may differ between the devices of a
  collective in ``jaxprs`` (the paths it chooses between). Only
  ``shard_map``'s vma checking types this; in ``pmap`` and under
  ``check_vma=False`` nothing tells a per-device predicate from one every
  device agrees on (a step counter, say), so those lower as JAX's: keeping
  devices in step there would run a costly branch on every call. Effectful
  paths are left alone too: keeping devices in step would run their effects
  where the program does not."""
  if not getattr(ctx.module_context.axis_context, "vma_checked", False) or \
      not predicate.vma or any(j.effects for j in jaxprs):
    return False
  return bool(set().union(*map(collective_axes, jaxprs)) & predicate.vma)


def any_device(ctx, pred, axes):
  """``pred`` (a boolean scalar) OR-ed over the devices along ``axes``: a
  pmax of its int32 value."""
  hlo = mlir.hlo()
  i32 = core.ShapedArray((), np.dtype(np.int32))
  as_int = hlo.convert(mlir.aval_to_ir_type(i32), pred)
  order = [name for name, _ in ctx.module_context.axis_context.axes]
  reduced, = collectives.allreduce_rule("maximum")(
      ctx.replace(avals_in=[i32], avals_out=[i32]), as_int,
      axes=tuple(sorted(axes, key=order.index)))
  return mlir.compare(reduced, mlir.ir_constant(np.int32(0)), "GT")
