"""JAX's ``out_sharding=`` argument of array-creating and contracting functions:
the result laid out as asked, never the layout silently dropped."""
from __future__ import annotations


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
  from jaxlite.lax.sharding_constraint import reshard
  return reshard(x, out_sharding)
