"""JAX's ``out_sharding=`` argument of array-creating and contracting functions:
the result laid out as asked, never the layout silently dropped."""
from __future__ import annotations

from jaxlite import core


def place(x, out_sharding, name: str):
  """``x`` as is for ``out_sharding=None``; otherwise moved there (outside
  ``jit``) or constrained to it (inside), through ``reshard``. As in JAX only
  a ``NamedSharding`` or a ``PartitionSpec`` is accepted (``name`` is the
  function named in the error).

  >>> import numpy as np
  >>> place(np.float32(1.0), None, "dot_general")
  np.float32(1.0)
  """
  if out_sharding is None:
    return x
  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding.partition_spec import PartitionSpec
  from jaxlite.sharding.shardings import NamedSharding
  if not isinstance(out_sharding, (NamedSharding, PartitionSpec)):
    raise TypeError(f"`out_sharding` argument of {name} only supports instances of "
                    f"`NamedSharding` or `PartitionSpec`. Got {out_sharding} of type: "
                    f"{type(out_sharding)}")
  if isinstance(out_sharding, NamedSharding) and out_sharding.mesh.empty:
    # The sharding of an unsharded value's type (``jax.typeof(x).sharding``, as
    # flax.nnx passes it): over no mesh axes, so nothing to lay out.
    return x
  if isinstance(out_sharding, NamedSharding) and not out_sharding._is_concrete:
    if not isinstance(x, core.Tracer):
      # A type's sharding (an abstract mesh) on a concrete value: its spec on
      # the mesh in context (set_mesh), as JAX resolves it.
      _check_context_mesh(x, out_sharding)
      out_sharding = out_sharding.spec
  from jaxlite.lax.sharding_constraint import reshard
  return reshard(x, out_sharding)


def _check_context_mesh(x, sharding) -> None:
  """JAX's error for laying a concrete value out by an abstract mesh's sharding
  with no mesh in context: the devices cannot be chosen."""
  from jaxlite.sharding import mesh as mesh_lib  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding import types as sharding_types  # pylint: disable=g-import-not-at-top
  if not mesh_lib.get_concrete_mesh().empty:
    return
  mesh = sharding.mesh
  by_type: dict = {}
  for name, axis_type in zip(mesh.axis_names, mesh.axis_types):
    by_type.setdefault(axis_type, []).append(name)
  aval = core.get_aval(x)
  from jaxlite import dtypes  # pylint: disable=g-import-not-at-top
  text = (f"{dtypes.short_dtype_name(aval.dtype)}"
          f"[{sharding_types.dims_text(aval.shape, sharding.spec)}]"
          f"({ {t: tuple(n) for t, n in by_type.items()} })")
  raise ValueError(
      f"Length of device assignment {len(x.devices())} is not equal to the size of the "
      f"mesh {mesh.size} of aval {text}. Please enter your `jit` into a mesh context via "
      "`jax.set_mesh`.")


def check_mesh_for_spec(spec) -> None:
  """A bare PartitionSpec needs a mesh in context (``set_mesh``): JAX's
  ValueError otherwise.

  >>> check_mesh_for_spec(None)
  """
  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding.partition_spec import PartitionSpec
  if not isinstance(spec, PartitionSpec):
    return
  from jaxlite.sharding import mesh as mesh_lib
  if mesh_lib.get_abstract_mesh().empty:   # `with mesh:` is none (JAX's)
    raise ValueError(
        "Using PartitionSpec when you are not under a mesh context is not allowed. "
        "Please pass a NamedSharding instance or enter into a mesh context via "
        f"`jax.set_mesh`. Got {spec}")


def placed_after(op, out_sharding, name: str):
  """``op()`` placed by ``out_sharding``; while it runs, sharding-in-types rules
  that could not decide its result's sharding (a sharded contraction, a
  reshape across sharded dimensions) leave it to ``out_sharding``, as in JAX.

  >>> placed_after(lambda: 1.0, None, "reshape")
  1.0
  """
  if out_sharding is None:
    return op()
  from jaxlite.sharding.types import requested_out_sharding  # pylint: disable=g-import-not-at-top
  with requested_out_sharding():
    x = op()
  return place(x, out_sharding, name)
