"""Arrays split over several devices: one buffer per addressable shard.

An ``Array`` whose buffer carries an ``ArrayLayout`` (see
``jaxlite.runtime.sharding``) holds one single-device buffer per addressable
device of its sharding; ``devices_indices_map`` of the sharding says which
part of the global array each buffer holds. This module builds such arrays
from host data and reads them back; moving data between devices is done by
compiled programs (``jaxlite.interpreters.spmd``).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> put_host(np.arange(4.0, dtype=np.float32), NamedSharding(mesh, P('x')), False)
  Array([0., 1., 2., 3.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite.core import ShapedArray
from jaxlite.runtime.array import Array, Shard, buffer_to_numpy


def _jaxlib():
  from jaxlib import xla_client as xc  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import sharding as layouts  # pylint: disable=g-import-not-at-top
  return xc, layouts


def is_sharded(x) -> bool:
  """Whether an Array's buffer is laid out by a ``jaxlite.sharding`` sharding
  over several devices (not pmap's leading-axis layout)."""
  return type(x._buf._sharding) is (_ArrayLayout or _load_array_layout())


_ArrayLayout = None   # jaxlite.runtime.sharding.ArrayLayout, once needed (it imports jaxlib)


def _load_array_layout():
  global _ArrayLayout
  _ArrayLayout = _jaxlib()[1].ArrayLayout
  return _ArrayLayout


def check_shape(sharding, shape, what="device_put") -> None:
  """JAX's errors for a sharding that cannot lay out an array of ``shape``."""
  check = getattr(sharding, "check_compatible_aval", None)
  try:
    if check is not None:
      check(shape)
    sharding.shard_shape(shape)
  except ValueError as e:
    if what == "device_put":
      raise type(e)(f"One of device_put args is incompatible with its sharding "
                    f"annotation {sharding}: {e}") from None
    raise


def _typed(aval, sharding):
  """``aval`` as the type of an array laid out by ``sharding``: on Explicit mesh
  axes the type carries the sharding (jaxlite.sharding.types)."""
  if getattr(getattr(sharding, "mesh", None), "_any_axis_explicit", False):
    from jaxlite.sharding import types  # pylint: disable=g-import-not-at-top
    return types.typed_like(aval, sharding)
  return aval if aval._sharding is None else aval.update(shape=aval.shape)


def from_buffers(aval: ShapedArray, sharding, buffers: list, committed=True) -> Array:
  """An Array over ``sharding`` assembled from one single-device jaxlib
  buffer per addressable device (no copy)."""
  xc, layouts = _jaxlib()
  layout = layouts.array_layout(sharding, len(aval.shape))
  aval = _typed(aval, sharding)
  buf = xc.ArrayImpl(aval, layout, buffers, committed, _skip_checks=True)
  return Array(buf, aval, buffers if len(buffers) > 1 else None)


def put_host(x: np.ndarray, sharding, weak_type: bool) -> Array:
  """Copies the host array ``x`` to the devices of ``sharding``, each device
  getting only its piece."""
  xc, layouts = _jaxlib()
  check_shape(sharding, x.shape)
  aval = _typed(ShapedArray(x.shape, x.dtype, weak_type), sharding)
  index_map = sharding.addressable_devices_indices_map(x.shape)
  devices = [d for d in sharding._device_assignment if d in index_map]
  semantics = xc.HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL
  pieces = [np.ascontiguousarray(x[index_map[device]]) for device in devices]
  if len({_index_key(index_map[d]) for d in devices}) == len(devices):
    # Every device a different piece: one call, jaxlib copies them in parallel.
    # (jaxlib 0.10.2 fails this call for layouts with replicated pieces.)
    buf = xc.batched_device_put(aval, layouts.array_layout(sharding, x.ndim), pieces,
                                devices, True, False, semantics, enable_x64=True)
    return Array(buf, aval)
  buffers = [xc.batched_device_put(ShapedArray(p.shape, x.dtype, weak_type),
                                   layouts.single_device_sharding(d), [p], [d], True, False,
                                   semantics, enable_x64=True)
             for p, d in zip(pieces, devices)]
  return from_buffers(aval, sharding, buffers)


def device_buffers(x: Array) -> list:
  """The single-device buffers of a sharded Array, one per addressable device."""
  if x._shards is None:
    # jaxlib makes these views with jax's ShapedArray when jax is installed
    # (and imports it once); without jax it works the same.
    x._shards = list(x._buf._arrays)
  return x._shards


def _buffer_device(buf):
  return buf._sharding._internal_device_list[0]


def addressable_shards(x: Array) -> list:
  """``Shard(device, index, replica_id, data)`` for each of this process's devices."""
  sharding = x.sharding
  index_map = sharding.devices_indices_map(x.shape)
  replica_ids = _replica_ids(sharding, index_map)
  shard_aval = ShapedArray(sharding.shard_shape(x.shape), x.dtype, x.weak_type)
  out = []
  for buf in device_buffers(x):
    device = _buffer_device(buf)
    out.append(Shard._with_index(device, sharding, x.shape, Array(buf, shard_aval),
                                 index_map[device], replica_ids[device]))
  return out


def global_shards(x: Array) -> list:
  """A Shard for every device of the sharding; ``data`` is None for the
  devices of other processes."""
  sharding = x.sharding
  index_map = sharding.devices_indices_map(x.shape)
  replica_ids = _replica_ids(sharding, index_map)
  local = {s.device: s for s in addressable_shards(x)}
  return [local.get(d) or Shard._with_index(d, sharding, x.shape, None, index_map[d],
                                            replica_ids[d])
          for d in sharding._device_assignment]


def _index_key(index) -> tuple:
  return tuple((s.start, s.stop, s.step) for s in index)


def _replica_ids(sharding, index_map) -> dict:
  """Devices holding the same piece are numbered 0, 1, ... in device order."""
  seen: dict = {}
  out = {}
  for device in sharding._device_assignment:
    key = _index_key(index_map[device])
    out[device] = seen.get(key, 0)
    seen[key] = out[device] + 1
  return out


def host_value(x: Array) -> np.ndarray:
  """The global value of a sharded Array, assembled on the host."""
  if not x.sharding.is_fully_addressable:
    raise RuntimeError(
        "Fetching value for `jax.Array` that spans non-addressable (non process "
        "local) devices is not possible. You can use "
        "`jax.experimental.multihost_utils.process_allgather` to print the "
        "global array or use `.addressable_shards` method of jax.Array to "
        "inspect the addressable (process local) shards.")
  out = np.empty(x.shape, x.dtype)
  for shard in addressable_shards(x):
    if shard.replica_id == 0:
      out[shard.index] = buffer_to_numpy(shard.data._buf, x.dtype)
  return out
