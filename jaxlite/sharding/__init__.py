"""``jaxlite.sharding``: meshes, partition specs and shardings (``jax.sharding``).

  >>> import numpy as np
  >>> import jaxlite
  >>> from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> NamedSharding(mesh, P('x')).is_fully_replicated
  True

This module only re-exports; each name is defined in the module that owns it.
"""
from jaxlite.sharding.mesh import (AbstractDevice, AbstractMesh, AxisType, Mesh,
                                   get_abstract_mesh, get_mesh, set_mesh,
                                   use_abstract_mesh)
from jaxlite.sharding.axis_types import ManualAxisType, auto_axes, explicit_axes
from jaxlite.sharding.partition_spec import PartitionSpec
from jaxlite.sharding.shardings import (NamedSharding, Sharding, SingleDeviceSharding,
                                        make_single_device_sharding)



def __getattr__(name):
  # reshard lives with the sharding constraint it is made of (jaxlite.lax
  # imports this package, so it is imported on first use).
  if name == "reshard":
    from jaxlite.lax.sharding_constraint import reshard  # pylint: disable=g-import-not-at-top
    return reshard
  from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
  raise no_attribute_error(__name__, name)


__all__ = [
    "AbstractDevice", "AbstractMesh", "AxisType", "ManualAxisType", "Mesh", "NamedSharding",
    "PartitionSpec", "Sharding", "SingleDeviceSharding", "get_abstract_mesh",
    "get_mesh", "make_single_device_sharding", "reshard", "set_mesh", "use_abstract_mesh",
    "auto_axes", "explicit_axes",
]
