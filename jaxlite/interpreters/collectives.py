"""Lowering of the named-axis collectives (psum, all_gather, ppermute, ...) to
StableHLO, shared by pmap and shard_map.

The same collective lowers one of two ways, chosen by the module's axis
context:

* across replicas (pmap, ``mhlo.num_replicas``): replica groups of replica
  ids; all-reduce, all-to-all and collective-permute carry no channel;
* across partitions inside a ``sdy.manual_computation`` (shard_map, whose axis
  context says ``manual = True``): every collective has a channel and uses
  global device ids, and ``axis_index`` reads ``partition_id``.

Replica groups come from the axis context either way: ids laid out row-major
over the named axes, outermost first.

  >>> import jaxlite, numpy as np
  >>> f = jaxlite.pmap(lambda x: jaxlite.lax.psum(x, 'i'), axis_name='i')
  >>> 'replica_groups = dense<0> : tensor<1x1xi64>' in f.lower(np.ones(1)).as_text()
  True
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir


def _manual(ctx) -> bool:
  """Whether ``ctx`` lowers inside a manual (shard_map) computation."""
  return getattr(ctx.module_context.axis_context, "manual", False)


def replica_groups_attr(groups: Sequence[Sequence[int]]):
  """A ``dense<[[...], ...]> : tensor<GxNxi64>`` attribute for collectives."""
  ir = mlir.ir()
  arr = np.asarray(groups, dtype=np.int64)
  return ir.DenseElementsAttr.get(arr, type=ir.IntegerType.get_signless(64))


def axis_groups(ctx: mlir.LoweringRuleContext, axis_names) -> list[list[int]]:
  """Replica groups over ``axis_names`` (a name or tuple of names) in this module."""
  if not isinstance(axis_names, (tuple, list)):
    axis_names = (axis_names,)
  return ctx.module_context.axis_context.replica_groups(tuple(axis_names))


def channel_handle(ctx: mlir.LoweringRuleContext):
  """A fresh device-to-device channel of this module."""
  hlo = mlir.hlo()
  return hlo.ChannelHandle.get(handle=ctx.module_context.new_channel(), type=1)


def groups(ctx, axis_name, axis_index_groups=None) -> list[list[int]]:
  """The replica groups of a collective over ``axis_name``, split further by
  ``axis_index_groups`` (JAX's ValueErrors for groups that are uneven or do
  not cover the axis)."""
  whole = axis_groups(ctx, axis_name)
  if axis_index_groups is None:
    return whole
  # Checked here: XLA rejects bad groups with a verifier error, or not at all.
  if len({len(sub) for sub in axis_index_groups}) != 1:
    raise ValueError("axis_index_groups must all be the same size")
  if sorted(i for sub in axis_index_groups for i in sub) != list(range(len(whole[0]))):
    raise ValueError("axis_index_groups must cover all indices exactly once")
  return [[group[i] for i in sub] for group in whole for sub in axis_index_groups]


def _cross_partition(ctx, manual: bool) -> dict:
  """The attributes a collective without its own channel takes when ``manual``."""
  if not manual:
    return {}
  return {"channel_handle": channel_handle(ctx), "use_global_device_ids": True}


def all_reduce(ctx, x, aval, groups_, reducer: str):
  """``stablehlo.all_reduce`` of ``x`` with a ``reducer`` (add, maximum, minimum, ...) body."""
  return all_reduce_many(ctx, [x], [aval], groups_, reducer)[0]


def all_reduce_many(ctx, xs, avals, groups_, reducer: str, manual: bool = False):
  """One variadic ``stablehlo.all_reduce`` over operands of one element type."""
  hlo, ir = mlir.hlo(), mlir.ir()
  op = hlo.AllReduceOp([mlir.aval_to_ir_type(a) for a in avals], list(xs),
                       replica_groups_attr(groups_), **_cross_partition(ctx, manual))
  scalar = mlir.aval_to_ir_type(avals[0].update(shape=()))
  block = op.regions[0].blocks.append(scalar, scalar)
  with ir.InsertionPoint(block):
    hlo.ReturnOp([getattr(hlo, reducer)(*block.arguments)])
  return list(op.results)


def all_gather(ctx, x, aval_out, groups_, dim: int, manual: bool = False):
  """``stablehlo.all_gather`` along ``dim`` (``x`` must have size 1 there)."""
  hlo = mlir.hlo()
  op = hlo.AllGatherOp([mlir.aval_to_ir_type(aval_out)], [x], mlir.i64_attr(dim),
                       replica_groups_attr(groups_), channel_handle=channel_handle(ctx),
                       use_global_device_ids=manual)
  return op.results[0]


def _own_id(manual: bool):
  """This replica's id (this partition's, when ``manual``) as an int32 value."""
  hlo = mlir.hlo()
  i32 = mlir.aval_to_ir_type(ShapedArray((), np.int32))
  return hlo.convert(i32, hlo.partition_id() if manual else hlo.replica_id())


def axis_index_value(ctx, axis_name, manual: bool = False, own_id=None):
  """This replica's (partition's, when ``manual``) index along ``axis_name``
  as an int32 scalar value (``own_id``: the id already read, if any)."""
  hlo = mlir.hlo()
  axes = ctx.module_context.axis_context.axes
  names = [n for n, _ in axes]
  if axis_name not in names:
    raise NameError(f"unbound axis name: {axis_name}")
  i = names.index(axis_name)
  stride = int(np.prod([s for _, s in axes[i + 1:]], dtype=np.int64))
  if own_id is None:
    own_id = _own_id(manual)
  if stride != 1 or manual:
    own_id = hlo.divide(own_id, mlir.ir_constant(np.int32(stride)))
  return hlo.remainder(own_id, mlir.ir_constant(np.int32(axes[i][1])))


# --- the lowering rules -----------------------------------------------------------------------


def allreduce_rule(reducer: str, manual: bool | None = None):
  """psum/pmax/pmin's lowering (``manual``: None follows the axis context)."""
  def rule(ctx, *args, axes, axis_index_groups=None):
    in_manual = _manual(ctx) if manual is None else manual
    grps = groups(ctx, axes, axis_index_groups)
    avals = [core.raise_to_shaped(a) for a in ctx.avals_in]
    if in_manual:   # one all-reduce per operand
      return [all_reduce_many(ctx, [x], [a], grps, reducer, manual=True)[0]
              for x, a in zip(args, avals)]
    for aval in avals:
      if aval.dtype == np.bool_:
        raise TypeError(f"psum/pmax/pmin of a boolean array is not supported; got "
                        f"{aval.str_short()}")
    # One all-reduce per dtype for all the operands (a pytree's leaves): each
    # collective is a synchronisation of every replica, so fewer is faster.
    by_dtype: dict = {}
    for i, aval in enumerate(avals):
      by_dtype.setdefault(aval.dtype, []).append(i)
    outs = [None] * len(args)
    for idx in by_dtype.values():
      results = all_reduce_many(ctx, [args[i] for i in idx], [avals[i] for i in idx],
                                grps, reducer)
      for i, r in zip(idx, results):
        outs[i] = r
    return outs
  return rule


def axis_index_rule(ctx, *, axis_name):
  """axis_index: the flat index over ``axis_name`` (a name or a tuple of them)."""
  hlo = mlir.hlo()
  manual = _manual(ctx)
  names = axis_name if isinstance(axis_name, (tuple, list)) else (axis_name,)
  # Inside shard_map the partition id is read once for all the names.
  own_id = _own_id(True) if manual else None
  idx, stride = None, 1
  for name in reversed(names):
    term = axis_index_value(ctx, name, manual, own_id)
    if stride != 1:
      term = hlo.multiply(term, mlir.ir_constant(np.int32(stride)))
    idx = term if idx is None else hlo.add(term, idx)
    stride *= ctx.module_context.axis_context.axis_size(name)
  return idx


def all_gather_rule(ctx, x, *, axis_name, all_gather_dimension, axis_size, tiled,
                    axis_index_groups):
  hlo = mlir.hlo()
  aval_in, aval_out = ctx.avals_in[0], ctx.avals_out[0]
  dim = all_gather_dimension
  if not tiled:
    shape = list(aval_in.shape)
    shape.insert(dim, 1)
    x = hlo.reshape(mlir.aval_to_ir_type(aval_in.update(shape=tuple(shape))), x)
  return all_gather(ctx, x, aval_out, groups(ctx, axis_name, axis_index_groups), dim,
                    manual=_manual(ctx))


def ppermute_rule(ctx, x, *, axis_name, perm):
  hlo, ir = mlir.hlo(), mlir.ir()
  pairs = []
  for group in axis_groups(ctx, axis_name):
    pairs += [(group[src], group[dst]) for src, dst in perm]
  attr = ir.DenseElementsAttr.get(np.asarray(pairs, np.int64).reshape(-1, 2),
                                  type=ir.IntegerType.get_signless(64))
  # Cross-replica (pmap) permutes carry no channel: with one XLA CPU aborts.
  if _manual(ctx):
    return hlo.CollectivePermuteOp(x, attr, channel_handle=channel_handle(ctx)).result
  return hlo.CollectivePermuteOp(x, attr).result


def all_to_all_rule(ctx, x, *, axis_name, split_axis, concat_axis, axis_index_groups, tiled):
  hlo = mlir.hlo()
  grps = groups(ctx, axis_name, axis_index_groups)
  extra = {"channel_handle": channel_handle(ctx)} if _manual(ctx) else {}
  op = hlo.AllToAllOp([x], split_axis, concat_axis, len(grps[0]), replica_groups_attr(grps),
                      results=[mlir.aval_to_ir_type(ctx.avals_out[0])], **extra)
  return op.results[0]


def reduce_scatter_rule(ctx, x, *, axis_name, scatter_dimension, axis_index_groups,
                        axis_size, tiled):
  hlo, ir = mlir.hlo(), mlir.ir()
  aval_in, aval_out = ctx.avals_in[0], ctx.avals_out[0]
  shape = list(aval_in.shape)
  shape[scatter_dimension] //= axis_size
  scattered = aval_in.update(shape=tuple(shape))
  op = hlo.ReduceScatterOp(mlir.aval_to_ir_type(scattered), x, scatter_dimension,
                           replica_groups_attr(groups(ctx, axis_name, axis_index_groups)),
                           channel_handle=channel_handle(ctx),
                           use_global_device_ids=_manual(ctx))
  scalar = mlir.aval_to_ir_type(aval_in.update(shape=()))
  block = op.regions[0].blocks.append(scalar, scalar)
  with ir.InsertionPoint(block):
    hlo.ReturnOp([hlo.add(*block.arguments)])
  out = op.result
  if not tiled:
    out = hlo.reshape(mlir.aval_to_ir_type(aval_out), out)
  return out


def register():
  """Registers the collectives' lowerings (pmap and shard_map alike)."""
  from jaxlite.lax import parallel  # pylint: disable=g-import-not-at-top
  mlir.register_lowering(parallel.psum_p, allreduce_rule("add"))
  mlir.register_lowering(parallel.pmax_p, allreduce_rule("maximum"))
  mlir.register_lowering(parallel.pmin_p, allreduce_rule("minimum"))
  mlir.register_lowering(parallel.axis_index_p, axis_index_rule)
  mlir.register_lowering(parallel.all_gather_p, all_gather_rule)
  mlir.register_lowering(parallel.ppermute_p, ppermute_rule)
  mlir.register_lowering(parallel.all_to_all_p, all_to_all_rule)
  mlir.register_lowering(parallel.reduce_scatter_p, reduce_scatter_rule)
