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

__all__ = ["DisabledSafetyCheck", "Exported", "default_export_platform", "deserialize",
           "export", "is_symbolic_dim", "maximum_supported_calling_convention_version",
           "minimum_supported_calling_convention_version", "register_namedtuple_serialization",
           "register_pytree_node_serialization", "SymbolicScope", "symbolic_args_specs",
           "symbolic_shape"]
