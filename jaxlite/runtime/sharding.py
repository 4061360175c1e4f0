"""Shardings: how an Array's data is laid out over devices.

jaxlib's C++ array and executable code asks a sharding object for
``_to_xla_hlo_sharding(ndim)``, ``memory_kind`` and its device list. JAX adds
those to jaxlib's classes by patching them; jaxlite must not (JAX may run in
the same process), so it subclasses them here. This module imports jaxlib at
import time, so the rest of jaxlite imports it lazily.

What was found about multi-device arrays (jaxlib 0.10.2, CPU):

* jaxlib 0.10.2 has no ``PmapSharding`` any more. A ``GSPMDSharding``
  subclass over the N devices with the HLO sharding ``{devices=[N,1,...]}``
  (tiled along the leading axis only) works for a "one slice per device"
  array.
* ``xc.ArrayImpl(aval_global, sharding, per_device_arrays, True,
  _skip_checks=True)`` accepts per-device buffers of shape
  ``global_shape[1:]`` (the leading axis squeezed away, as pmap wants): with
  ``_skip_checks`` jaxlib does not compare the shard shapes with the
  sharding. An executable compiled with ``num_replicas=N`` takes such an array
  in ``execute_sharded([arr])`` and each replica sees its own buffer.
  ``consume_with_handlers([xc.array_result_handler(aval_global, sharding,
  True, True)])`` wraps the per-replica results into one such array again,
  and ``disassemble_into_single_device_arrays()`` gives one list per output
  with one ``global_shape[1:]`` array per device.
* Caveat: jaxlib builds the aval of every single-device array *it* creates
  (``_arrays``, ``disassemble_into_single_device_arrays``,
  ``_single_device_array_to_np_array_did_copy``) with ``jax.core.ShapedArray``
  and imports ``jax`` to get it when jax is installed (about 0.6 s, once).
  jaxlite avoids those calls where it can: see ``jaxlite.runtime.array``.

  >>> from jaxlite.runtime import backend, sharding
  >>> s = sharding.single_device_sharding(backend.devices()[0])
  >>> s.memory_kind is None
  True
"""
from __future__ import annotations

import functools

from jaxlib import _jax
from jaxlib import xla_client as xc


_REPLICATED = xc.HloSharding.replicate()


class SingleDeviceSharding(xc.SingleDeviceSharding):
  """All of an array on one device.

  >>> from jaxlite.runtime import backend
  >>> SingleDeviceSharding(backend.devices()[0]).device_set
  {CpuDevice(id=0)}
  """
  memory_kind = None

  def _to_xla_hlo_sharding(self, ndim):
    del ndim
    return _REPLICATED

  @property
  def device_set(self):
    return {self._device}

  @property
  def num_devices(self):
    return 1

  @property
  def is_fully_addressable(self):
    return self._device.process_index == self._device.client.process_index()

  @property
  def is_fully_replicated(self):
    return True

  def __repr__(self):
    return f"SingleDeviceSharding(device={self._device!r})"

  def __eq__(self, other):
    return (isinstance(other, SingleDeviceSharding)
            and self._device == other._device)

  def __hash__(self):
    return hash(("SingleDeviceSharding", self._device))

  @property
  def user_sharding(self):
    """The public ``jaxlite.sharding.SingleDeviceSharding`` this stands for."""
    return _public_single_device_sharding(self._device)


@functools.lru_cache(maxsize=None)
def _public_single_device_sharding(device):
  from jaxlite.sharding.shardings import SingleDeviceSharding as Public  # pylint: disable=g-import-not-at-top
  return Public(device)


@functools.lru_cache(maxsize=None)
def single_device_sharding(device) -> SingleDeviceSharding:
  """The (cached) sharding that puts a whole array on `device`.

  >>> from jaxlite.runtime import backend
  >>> d = backend.devices()[0]
  >>> single_device_sharding(d) is single_device_sharding(d)
  True
  """
  return SingleDeviceSharding(device)


class _OverDevices(xc.GSPMDSharding):
  """A jaxlib sharding over the devices of ``self._device_tuple``."""
  memory_kind = None

  @property
  def device_set(self):
    return set(self._device_tuple)

  @property
  def num_devices(self):
    return len(self._device_tuple)


class LeadingAxisSharding(_OverDevices):
  """One slice of the leading axis per device, stored with that axis dropped.

  The layout of pmap's inputs and outputs and of ``device_put_replicated`` /
  ``device_put_sharded``: device ``i`` holds ``x[i]`` as an array of shape
  ``x.shape[1:]``.

  >>> from jaxlite.runtime import backend
  >>> leading_axis_sharding(tuple(backend.devices()[:1])).num_devices
  1
  """

  def __init__(self, devices):
    devices = tuple(devices)
    # Tile the leading axis over the devices; replicate nothing else.
    super().__init__(_jax.DeviceList(devices),
                     xc.HloSharding.iota_tile((len(devices),)))
    self._device_tuple = devices

  def _to_xla_hlo_sharding(self, ndim):
    dims = (len(self._device_tuple),) + (1,) * max(ndim - 1, 0)
    return xc.HloSharding.iota_tile(dims)

  @property
  def devices_indices(self):
    return self._device_tuple

  @property
  def is_fully_addressable(self):
    me = self._device_tuple[0].client.process_index()
    return all(d.process_index == me for d in self._device_tuple)

  @property
  def is_fully_replicated(self):
    return len(self._device_tuple) == 1

  def __repr__(self):
    return f"LeadingAxisSharding(devices={list(self._device_tuple)!r})"

  def __eq__(self, other):
    return (isinstance(other, LeadingAxisSharding)
            and self._device_tuple == other._device_tuple)

  def __hash__(self):
    return hash(("LeadingAxisSharding", self._device_tuple))

  @property
  def user_sharding(self):
    return self


@functools.lru_cache(maxsize=256)
def leading_axis_sharding(devices: tuple) -> LeadingAxisSharding:
  """The (cached) one-slice-per-device sharding over `devices` (a tuple).

  >>> from jaxlite.runtime import backend
  >>> ds = tuple(backend.devices()[:1])
  >>> leading_axis_sharding(ds) is leading_axis_sharding(ds)
  True
  """
  return LeadingAxisSharding(devices)


class ArrayLayout(_OverDevices):
  """The jaxlib-side description of an array split over several devices.

  jaxlib's arrays and executables need a jaxlib sharding object; the user
  sees the ``jaxlite.sharding`` object it was made from (``user_sharding``),
  whose ``devices_indices_map`` says which piece each buffer holds. One
  layout per (sharding, rank), cached by ``array_layout``.

  >>> import numpy as np
  >>> from jaxlite.runtime import backend
  >>> from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
  >>> mesh = Mesh(np.array(backend.devices()[:1]), ('x',))
  >>> array_layout(NamedSharding(mesh, P('x')), 1).user_sharding.spec
  P('x',)
  """
  splits_array = True   # see Array._is_split

  def __init__(self, user_sharding, ndim: int):
    self._hlo = user_sharding._to_xla_hlo_sharding(ndim)
    super().__init__(user_sharding._internal_device_list, self._hlo)
    self.user_sharding = user_sharding
    self._device_tuple = tuple(user_sharding._device_assignment)
    # Read by every eager op on a committed array (placement.spans_mesh).
    self.spans_devices = len(self._device_tuple) > 1
    self._hash = hash(("ArrayLayout", user_sharding, ndim))

  def _to_xla_hlo_sharding(self, ndim):
    del ndim
    return self._hlo

  @property
  def is_fully_addressable(self):
    return self.user_sharding.is_fully_addressable

  @property
  def is_fully_replicated(self):
    return self.user_sharding.is_fully_replicated

  def __repr__(self):
    return f"ArrayLayout({self.user_sharding!r})"

  def __eq__(self, other):
    return (isinstance(other, ArrayLayout) and self.user_sharding == other.user_sharding
            and self._hlo == other._hlo)

  def __hash__(self):
    return self._hash


@functools.lru_cache(maxsize=1024)
def array_layout(user_sharding, ndim: int):
  """The jaxlib sharding for arrays of rank ``ndim`` laid out by ``user_sharding``:
  the cached single-device one for a ``SingleDeviceSharding``, else an
  ``ArrayLayout``."""
  device = getattr(user_sharding, "_device", None)
  if device is not None:
    return single_device_sharding(device)
  return ArrayLayout(user_sharding, ndim)
