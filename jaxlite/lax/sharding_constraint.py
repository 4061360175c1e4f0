"""``with_sharding_constraint``: pinning the sharding of an intermediate value.

Inside ``jit`` it is the ``sharding_constraint`` primitive, lowered to
Shardy's ``sdy.sharding_constraint`` so that XLA's partitioner lays the value
out that way (the program becomes an SPMD program over the sharding's mesh);
outside it moves the array, as ``device_put`` does.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> with_sharding_constraint(np.arange(2.0), NamedSharding(mesh, P('x'))).sharding.spec
  P('x',)
"""
from __future__ import annotations

from jaxlite import core, tree_util
from jaxlite.interpreters import ad, batching, mlir

# jaxlite.sharding is imported on first use: `import jaxlite` stays fast.

__all__ = ["with_sharding_constraint", "sharding_constraint_p"]   # reshard: jaxlite.sharding

sharding_constraint_p = core.Primitive("sharding_constraint")
# On Explicit mesh axes the result's type carries the sharding (sharding in types).
sharding_constraint_p.def_abstract_eval(
    lambda x, *, sharding: core.raise_to_shaped(x).update(sharding=sharding))


def _impl(x, *, sharding):
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  mesh = getattr(sharding, "mesh", None)
  if _only_types(sharding):
    # reshard onto Auto axes: the same buffers, with an unsharded type.
    from jaxlite.runtime.array import Array  # pylint: disable=g-import-not-at-top
    if not isinstance(x, Array):
      return x
    return Array(x._buf, x.aval.update(shape=x.shape), x._shards)
  if mesh is not None and mesh._any_axis_explicit:
    # As the type says: one spec entry per dimension (P('model', None)).
    parts = tuple(sharding.spec)
    ndim = len(core.get_aval(x).shape)
    if len(parts) < ndim:
      sharding = sharding.update(spec=sharding.spec.update(
          partitions=parts + (None,) * (ndim - len(parts))))
  return spmd.device_put_tree(x, sharding)


def _only_types(sharding) -> bool:
  """Whether the constraint leaves every dimension to XLA (reshard to Auto axes)."""
  from jaxlite.sharding.partition_spec import UNCONSTRAINED  # pylint: disable=g-import-not-at-top
  spec = getattr(sharding, "spec", None)
  return spec is not None and len(spec) > 0 and all(e is UNCONSTRAINED for e in spec)


sharding_constraint_p.def_impl(_impl)


def _lowering(ctx, x, *, sharding):
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  m = mlir.mlir()
  attr = m.ir.Attribute.parse(spmd.sdy_sharding_text(sharding, ctx.avals_in[0].ndim))
  return [m.sdy.ShardingConstraintOp(x, attr).result]


mlir.register_lowering(sharding_constraint_p, _lowering)
ad.deflinear(sharding_constraint_p,
             lambda ct, *, sharding: [sharding_constraint_p.bind(ct, sharding=sharding)])


def _batcher(batched_args, batch_dims, *, sharding):
  from jaxlite.sharding.partition_spec import PartitionSpec  # pylint: disable=g-import-not-at-top
  x, = batched_args
  d, = batch_dims
  parts = list(sharding.spec.partitions)
  parts += [None] * (d - len(parts))
  parts.insert(d, None)
  return (sharding_constraint_p.bind(x, sharding=sharding.update(spec=PartitionSpec(*parts))),
          d)


batching.primitive_batchers[sharding_constraint_p] = _batcher


def with_sharding_constraint(x, shardings):
  """Constrains how ``x`` (a pytree) is laid out over devices.

  Args:
    x: an array or pytree of arrays.
    shardings: a ``NamedSharding`` (or, under ``set_mesh``, a
      ``PartitionSpec``), or a pytree prefix of ``x`` of them.

  Returns:
    ``x``, laid out as asked (in ``jit``: XLA is told to).

  >>> with_sharding_constraint  # doctest: +ELLIPSIS
  <function with_sharding_constraint at ...>
  """
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding.shardings import NamedSharding  # pylint: disable=g-import-not-at-top
  leaves, tree = tree_util.tree_flatten(x)
  # As JAX's: the deprecated ``with mesh:`` block still resolves bare specs here.
  targets = spmd.flatten_shardings(shardings, x, "shardings", "with_sharding_constraint",
                                   resource_env=True)
  out = []
  for leaf, s in zip(leaves, targets):
    if s is None:
      out.append(leaf)
      continue
    if not isinstance(s, NamedSharding):
      raise ValueError(f"with_sharding_constraint expects a NamedSharding or a "
                       f"PartitionSpec, got {s!r}")
    shape = core.get_aval(leaf).shape
    s.check_compatible_aval(shape)
    s.shard_shape(shape)
    out.append(sharding_constraint_p.bind(leaf, sharding=s))
  return tree_util.tree_unflatten(tree, out)


def reshard(xs, out_shardings):
  """Moves ``xs`` (a pytree) to ``out_shardings`` (shardings, or PartitionSpecs
  under ``set_mesh``; a pytree prefix of ``xs``): a device-to-device move
  outside ``jit``, a sharding constraint inside.

  On Explicit mesh axes the result's type carries the new sharding
  (``jax.typeof(reshard(x, P(None, 'model')))`` is ``float32[8,8@model]``).

  >>> reshard  # doctest: +ELLIPSIS
  <function reshard at ...>
  """
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding.mesh import AxisType  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding.shardings import NamedSharding  # pylint: disable=g-import-not-at-top
  from jaxlite.lax.out_sharding import check_mesh_for_spec  # pylint: disable=g-import-not-at-top
  for s in tree_util.tree_leaves(out_shardings):
    check_mesh_for_spec(s)
  from jaxlite.sharding.partition_spec import UNCONSTRAINED, PartitionSpec  # pylint: disable=g-import-not-at-top
  targets = spmd.flatten_shardings(out_shardings, xs, "reshard")
  leaves, tree = tree_util.tree_flatten(xs)
  for i, s in enumerate(targets):
    if not isinstance(s, NamedSharding):
      continue
    kinds = s.mesh._name_to_type
    for entry in s.spec.partitions:
      for name in (entry if isinstance(entry, tuple) else (entry,)):
        if name in kinds and kinds[name] in (AxisType.Auto, AxisType.Manual):
          raise ValueError(
              "PartitionSpec passed to reshard cannot contain axis names that are of "
              f"type Auto or Manual. Got PartitionSpec: {s.spec} with axis name: {name} "
              f"of type: AxisType.{kinds[name].name}.")
    if not s.mesh.empty and not s.mesh._any_axis_explicit:
      # No Explicit axis to place it on: as JAX's, only the type changes and
      # the layout is XLA's to choose.
      targets[i] = s.update(spec=PartitionSpec(*[UNCONSTRAINED] * len(
          core.get_aval(leaves[i]).shape)))
  return tree_util.tree_unflatten(tree, with_sharding_constraint(leaves, targets))
