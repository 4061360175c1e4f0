"""``jaxlite.experimental.mesh_utils``: building device arrays for meshes.

  >>> from jaxlite.experimental import mesh_utils
  >>> import jaxlite
  >>> mesh_utils.create_device_mesh((1,), jaxlite.devices()[:1]).shape
  (1,)
"""
from jaxlite.sharding.mesh_utils import (create_device_mesh, create_hybrid_device_mesh,
                                         device_kind_handler_dict)

__all__ = ["create_device_mesh", "create_hybrid_device_mesh", "device_kind_handler_dict"]
