"""``jax.export``: export jitted functions as StableHLO, serialize them, and
call them again.

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite import export
  >>> exported = export.export(jaxlite.jit(jnp.sin))(np.arange(4, dtype=np.float32))
  >>> rehydrated = export.deserialize(exported.serialize())
  >>> rehydrated.call(np.array([.1, .2, .3, .4], dtype=np.float32))
  Array([0.09983342, 0.19866933, 0.29552022, 0.38941833], dtype=float32)

Shape polymorphism (``symbolic_shape``, ``symbolic_args_specs``,
``SymbolicScope``) is not part of jaxlite: exports have constant shapes.
"""
from jaxlite.export.exported import (DisabledSafetyCheck, Exported, default_export_platform,
                                     export, maximum_supported_calling_convention_version,
                                     minimum_supported_calling_convention_version)
from jaxlite.export.serialization import (deserialize, register_namedtuple_serialization,
                                          register_pytree_node_serialization)
from jaxlite.export.symbolic import is_symbolic_dim

__all__ = ["DisabledSafetyCheck", "Exported", "default_export_platform", "deserialize",
           "export", "is_symbolic_dim", "maximum_supported_calling_convention_version",
           "minimum_supported_calling_convention_version", "register_namedtuple_serialization",
           "register_pytree_node_serialization"]
