"""``inspect_array_sharding`` inside ``jit``: the sharding XLA chooses.

The ``inspect_sharding`` primitive lowers to jaxlib's ``InspectSharding``
custom call; XLA's SPMD partitioner calls back with the sharding it picked
for the value (so the callback runs when the program is compiled), which is
handed to the user's callback as a ``NamedSharding`` over the program's mesh.
In a one-device program the value is on that device (the callback runs at
lowering time).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> seen = []
  >>> def f(x):
  ...   inspect_array_sharding(x, callback=seen.append)
  ...   return x * 2
  >>> _ = jaxlite.jit(f)(jnp.ones(2))
  >>> seen
  [SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)]
"""
from __future__ import annotations

from jaxlite import core, tree_util
from jaxlite.debug import debug_effect
from jaxlite.interpreters import mlir

inspect_sharding_p = core.Primitive("inspect_sharding")
inspect_sharding_p.multiple_results = True
inspect_sharding_p.def_abstract_eval(lambda x, *, callback: [])
inspect_sharding_p.effects_rule = lambda *avals, **params: frozenset({debug_effect})


def _impl(x, *, callback):
  callback(x.sharding)
  return []


inspect_sharding_p.def_impl(_impl)


def _lowering(ctx, value, *, callback):
  from jaxlib import xla_client as xc  # pylint: disable=g-import-not-at-top
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding.shardings import SingleDeviceSharding  # pylint: disable=g-import-not-at-top
  mc = ctx.module_context
  mesh = getattr(mc, "spmd_mesh", None)
  if mesh is None:   # a one-device program
    callback(SingleDeviceSharding(backend.default_device()))
    return []
  ndim = ctx.avals_in[0].ndim

  def on_hlo_sharding(hlo_sharding):
    if hlo_sharding.is_manual():
      return callback(spmd.NamedSharding(mesh, spmd.PartitionSpec()))
    return callback(spmd.named_sharding_from_hlo(mesh, hlo_sharding, ndim))
  key = xc.encode_inspect_sharding_callback(on_hlo_sharding)
  mc.keepalives.append(on_hlo_sharding)   # alive until XLA has partitioned
  hlo, ir = mlir.hlo(), mlir.ir()
  hlo.CustomCallOp([value.type], [value], call_target_name=ir.StringAttr.get("InspectSharding"),
                   has_side_effect=ir.BoolAttr.get(True),
                   api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 1),
                   called_computations=ir.ArrayAttr.get([]),
                   backend_config=ir.StringAttr.get(key))
  return []


mlir.register_lowering(inspect_sharding_p, _lowering)


def inspect_array_sharding(value, *, callback) -> None:
  """Calls ``callback`` with the sharding of each array of the pytree ``value``:
  at once for arrays, when XLA compiles the program for values inside ``jit``."""
  for leaf in tree_util.tree_leaves(value):
    inspect_sharding_p.bind(leaf, callback=callback)
