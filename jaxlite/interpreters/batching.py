"""vmap: pushing a mapped axis down into every primitive.

Rule table (filled next to each primitive's definition in ``jaxlite.lax``):

  ``primitive_batchers[p](batched_args, batch_dims, **params) -> (out, out_dim)``

``batch_dims[i]`` is the axis of ``batched_args[i]`` that is mapped, or
``not_mapped`` (None) for an unbatched operand; for multiple results ``out``
and ``out_dim`` are lists. A rule moves a batch axis only when it must.
"""
from __future__ import annotations

from typing import Callable

from jaxlite import core

primitive_batchers: dict[core.Primitive, Callable] = {}
not_mapped = None


def moveaxis(x, src: int, dst: int):
  """Moves axis ``src`` of ``x`` to ``dst`` (a transpose; a no-op when equal)."""
  from jaxlite import lax
  ndim = core.get_aval(x).ndim
  src, dst = src % ndim, dst % ndim
  if src == dst:
    return x
  perm = [i for i in range(ndim) if i != src]
  perm.insert(dst, src)
  return lax.transpose(x, perm)


def bdim_at_front(x, bdim, size):
  """``x`` with its batch axis first; an unbatched ``x`` is broadcast to ``size``."""
  from jaxlite import lax
  if bdim is not_mapped:
    return lax.broadcast(x, (size,))
  return moveaxis(x, bdim, 0)


def batch_size(batched_args, batch_dims):
  for x, d in zip(batched_args, batch_dims):
    if d is not not_mapped:
      return core.get_aval(x).shape[d]
  raise ValueError("no batched argument")


def defvectorized(primitive):
  """Elementwise unary primitives: the batch axis passes through unchanged."""
  def rule(batched_args, batch_dims, **params):
    (x,), (d,) = batched_args, batch_dims
    return primitive.bind(x, **params), d
  primitive_batchers[primitive] = rule
  return rule


def defbroadcasting(primitive):
  """Elementwise n-ary primitives (operands of equal shape): if every batched
  operand has the same batch axis and the others are scalars, apply as is;
  otherwise move batch axes to the front and broadcast unbatched operands."""
  def rule(batched_args, batch_dims, **params):
    from jaxlite import lax
    dims = {d for d in batch_dims if d is not not_mapped}
    if len(dims) == 1 and all(d is not not_mapped or core.get_aval(x).ndim == 0
                              for x, d in zip(batched_args, batch_dims)):
      return primitive.bind(*batched_args, **params), dims.pop()
    size = batch_size(batched_args, batch_dims)
    args = [bdim_at_front(x, d, size) for x, d in zip(batched_args, batch_dims)]
    return primitive.bind(*args, **params), 0
  primitive_batchers[primitive] = rule
  return rule
