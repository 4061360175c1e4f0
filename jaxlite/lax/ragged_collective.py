"""``ragged_all_to_all``: the all-to-all of ragged data (concatenated slices
of different lengths along the leading axis).

Member ``i`` sends ``operand[input_offsets[j]:][:send_sizes[j]]`` to member
``j``, which writes it into its ``output`` at the offset member ``i`` gives
in ``output_offsets[j]`` (``recv_sizes[i]`` rows). As in JAX it lowers to
XLA's ``ragged_all_to_all`` (implemented on GPU and TPU; XLA's CPU backend
reports it as unimplemented), is linear in ``operand``/``output``, and vmap
over its own axis is not supported.
"""
from __future__ import annotations

__all__ = ['ragged_all_to_all', 'ragged_all_to_all_p']

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax.parallel import CollectivePrimitive, _as_names, _axis_size, _binds_here

ragged_all_to_all_p = CollectivePrimitive('ragged_all_to_all')


def _impl(*args, **params):
  raise RuntimeError("ragged_all_to_all must be used within a mapped context like vmap or "
                     "shard_map.")


ragged_all_to_all_p.def_impl(_impl)


def _abstract_eval(operand, output, input_offsets, send_sizes, output_offsets, recv_sizes, *,
                   axis_name, axis_index_groups):
  for name, aval in (("input_offsets", input_offsets), ("send_sizes", send_sizes),
                     ("output_offsets", output_offsets), ("recv_sizes", recv_sizes)):
    if not dtypes.issubdtype(aval.dtype, np.integer):
      raise ValueError(f"ragged_all_to_all {name} must be integer type.")
  for name, aval, what in (("input_offsets", input_offsets, "dimension"),
                           ("send_sizes", send_sizes, "dimension"),
                           ("output_offsets", output_offsets, "dimension"),
                           ("recv_sizes", recv_sizes, "dimension")):
    if aval.ndim != 1 or aval.shape[0] < 1:
      raise ValueError(f"ragged_all_to_all {name} must be rank 1 with positive {what} size, "
                       f"but got shape {aval.shape}")
  _axis_size(_as_names(axis_name))    # NameError for an unbound axis name
  return output.update(weak_type=False)


ragged_all_to_all_p.def_abstract_eval(_abstract_eval)


def _lowering(ctx, operand, output, *offsets_and_sizes, axis_name, axis_index_groups):
  from jaxlite.interpreters import pxla
  ir, hlo = mlir.ir(), mlir.hlo()
  if ctx.module_context.platform == "cpu":
    # XLA:CPU has no kernel for it; compiling one for replicas crashes the
    # process instead of failing (JAX's SPMD form fails with this message).
    raise NotImplementedError(
        "UNIMPLEMENTED: HLO opcode `ragged-all-to-all` is not supported by XLA:CPU")
  groups = pxla._groups(ctx, axis_name, axis_index_groups)
  if len({len(g) for g in groups}) != 1:
    raise ValueError('Replica groups must be equally sized')
  op = hlo.CustomCallOp([mlir.aval_to_ir_type(ctx.avals_out[0])],
                        [operand, output, *offsets_and_sizes],
                        call_target_name=ir.StringAttr.get('ragged_all_to_all'),
                        backend_config=ir.DictAttr.get(
                            {"replica_groups": pxla.replica_groups_attr(groups)}),
                        api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4))
  return op.result


mlir.register_lowering(ragged_all_to_all_p, _lowering)


def _jvp(primals, tangents, **params):
  operand, output, *rest = primals
  operand_dot, output_dot = tangents[:2]
  result = ragged_all_to_all_p.bind(operand, output, *rest, **params)
  if type(operand_dot) is ad.Zero and type(output_dot) is ad.Zero:
    return result, ad.Zero(ad.tangent_aval(core.get_aval(result)))
  return result, ragged_all_to_all_p.bind(ad.instantiate_zeros(operand_dot),
                                          ad.instantiate_zeros(output_dot), *rest, **params)


def _transpose(ct, operand, output, input_offsets, send_sizes, output_offsets, recv_sizes, *,
               axis_name, axis_index_groups):
  from jaxlite import lax
  if type(ct) is ad.Zero:
    return [ad.Zero(x.aval) if ad.is_undefined_primal(x) else None
            for x in (operand, output)] + [None] * 4
  # The cotangent travels back: from where each slice was written to where it
  # was read; the rows overwritten by received data get none of it.
  operand_aval = operand.aval if ad.is_undefined_primal(operand) else core.get_aval(operand)
  received_at = lax.all_to_all(output_offsets, axis_name, 0, 0, tiled=True)
  sent_from = lax.all_to_all(input_offsets, axis_name, 0, 0, tiled=True)
  operand_ct = ragged_all_to_all_p.bind(
      ct, lax.full(operand_aval.shape, 0, operand_aval.dtype), received_at, recv_sizes,
      sent_from, send_sizes, axis_name=axis_name, axis_index_groups=axis_index_groups)
  ct_aval = core.get_aval(ct)
  # Row r was written if it lies in [received_at[j], received_at[j] + recv_sizes[j]).
  grid = (core.get_aval(recv_sizes).shape[0], ct_aval.shape[0])
  position = lax.broadcasted_iota(core.get_aval(received_at).dtype, grid, 1)
  starts = lax.broadcast_in_dim(received_at, grid, (0,))
  ends = lax.add(starts, lax.broadcast_in_dim(
      lax.convert_element_type(recv_sizes, core.get_aval(received_at).dtype), grid, (0,)))
  written = lax.reduce_or(lax.bitwise_and(lax.le(starts, position), lax.lt(position, ends)),
                          (0,))
  written = lax.broadcast_in_dim(written, ct_aval.shape, (0,))
  output_ct = lax.select(written, lax.full_like(ct, 0), ct)
  return [operand_ct if ad.is_undefined_primal(operand) else None,
          output_ct if ad.is_undefined_primal(output) else None] + [None] * 4


ad.primitive_jvps[ragged_all_to_all_p] = _jvp
ad.primitive_transposes[ragged_all_to_all_p] = _transpose


def _batch(args, dims, *, axis_name, axis_index_groups):
  # A vmap over another axis: the examples' ragged data are laid end to end.
  from jaxlite import lax
  if axis_index_groups:
    raise NotImplementedError("Please open a feature request!")
  size = batching.batch_size(args, dims)
  operand, output = (batching.bdim_at_front(x, d, size) for x, d in zip(args[:2], dims[:2]))
  n, m = core.get_aval(operand).shape[1], core.get_aval(output).shape[1]
  per_member = [batching.move_to(x, d, 1, size) for x, d in zip(args[2:], dims[2:])]
  k = core.get_aval(per_member[0]).shape[0]

  def shifted(x, stride):      # example b's offsets move past the b examples before it
    base = lax.mul(lax.broadcasted_iota(core.get_aval(x).dtype, (k, size), 1),
                   lax.full((k, size), stride, core.get_aval(x).dtype))
    return lax.add(x, base)
  input_offsets, send_sizes, output_offsets, recv_sizes = per_member
  input_offsets, output_offsets = shifted(input_offsets, n), shifted(output_offsets, m)
  def merge(x):            # the two leading axes as one
    shape = core.get_aval(x).shape
    return lax.reshape(x, (shape[0] * shape[1],) + shape[2:])
  out = ragged_all_to_all_p.bind(merge(operand), merge(output), merge(input_offsets),
                                 merge(send_sizes), merge(output_offsets), merge(recv_sizes),
                                 axis_name=axis_name, axis_index_groups=axis_index_groups)
  return lax.reshape(out, (size, m) + core.get_aval(out).shape[1:]), 0


def _axis_rule(axis_data, vals, dims, *, axis_name, axis_index_groups):
  if _binds_here(axis_data, _as_names(axis_name)):
    raise NotImplementedError("Please open a feature request!")
  if all(d is batching.not_mapped for d in dims):
    return ragged_all_to_all_p.bind(*vals, axis_name=axis_name,
                                    axis_index_groups=axis_index_groups), batching.not_mapped
  return _batch(vals, dims, axis_name=axis_name, axis_index_groups=axis_index_groups)


batching.primitive_batchers[ragged_all_to_all_p] = _batch
batching.axis_primitive_batchers[ragged_all_to_all_p] = _axis_rule


def ragged_all_to_all(operand, output, input_offsets, send_sizes, output_offsets, recv_sizes,
                      *, axis_name, axis_index_groups=None):
  """All-to-all of ragged data along ``axis_name``: ``output`` updated with the
  slices the members send (see the module docstring).

  Returns an array like ``output``, with received rows written at
  ``all_to_all(output_offsets, axis_name, 0, 0, tiled=True)``, ``recv_sizes``
  rows each.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.ragged_all_to_all(np.ones(2), np.zeros(2), *[np.zeros(1, np.int32)] * 4,
  ...                       axis_name='i')
  Traceback (most recent call last):
  ...
  NameError: unbound axis name: i
  """
  axis_name = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
  if axis_index_groups is not None:
    axis_index_groups = tuple(tuple(int(i) for i in g) for g in axis_index_groups)
  return ragged_all_to_all_p.bind(operand, output, input_offsets, send_sizes, output_offsets,
                                  recv_sizes, axis_name=axis_name,
                                  axis_index_groups=axis_index_groups)
