"""``jax.export``: export jitted functions as StableHLO, serialize them, and
call them again.

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite import export
  >>> exported = export.export(jaxlite.jit(jnp.sin))(np.arange(4, dtype=np.float32))
  >>> rehydrated = export.deserialize(exported.serialize())
  >>> rehydrated.call(np.array([.1, .2, .3, .4], dtype=np.float32))
  Array([0.09983342, 0.19866933, 0.29552022, 0.38941833], dtype=float32)

Symbolic dimensions (``symbolic_shape``, ``symbolic_args_specs``,
``SymbolicScope``) parse, compute and compare as JAX's; a function exported at
symbolic shapes is a shape-polymorphic module, callable at any sizes that
meet the specification.
"""
from jaxlite.export.exported import (DisabledSafetyCheck, Exported, default_export_platform,
                                     export, maximum_supported_calling_convention_version,
                                     minimum_supported_calling_convention_version)
from jaxlite.export.serialization import (deserialize, register_namedtuple_serialization,
                                          register_pytree_node_serialization)
from jaxlite.export.shape_poly import (SymbolicScope, is_symbolic_dim, symbolic_args_specs,
                                      symbolic_shape)
from jaxlite.export import dim_lowering as _dim_lowering, shape_poly as _shape_poly
from jaxlite import core as _core
import types as _types

# lax, numpy and the lowering sit below this package and meet symbolic dimensions:
# they reach them through core's dimension protocol, not by importing upward.
_core.register_symbolic_dimensions(_types.SimpleNamespace(
    is_symbolic_dim=_shape_poly.is_symbolic_dim, dim_min=_shape_poly.dim_min,
    dim_max=_shape_poly.dim_max, dim_value=_dim_lowering.dim_value,
    shape_tensor=_dim_lowering.shape_tensor,
    dimension_as_value=_dim_lowering.dimension_as_value,
    broadcast_in_dim=_dim_lowering.broadcast_in_dim, reshape=_dim_lowering.reshape,
    iota=_dim_lowering.iota, reduce_window=_dim_lowering.reduce_window))

__all__ = ["DisabledSafetyCheck", "Exported", "default_export_platform", "deserialize",
           "export", "is_symbolic_dim", "maximum_supported_calling_convention_version",
           "minimum_supported_calling_convention_version", "register_namedtuple_serialization",
           "register_pytree_node_serialization", "SymbolicScope", "symbolic_args_specs",
           "symbolic_shape"]
