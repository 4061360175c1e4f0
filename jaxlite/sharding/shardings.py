"""Sharding objects: ``Sharding`` (the interface), ``NamedSharding`` (a mesh and
a ``PartitionSpec``) and ``SingleDeviceSharding``.

Every sharding can say which part of an array each device holds
(``devices_indices_map``) and give XLA's description of the layout
(``_to_xla_hlo_sharding``), which the SPMD partitioner and jaxlib's arrays
read. These are plain Python objects: the jaxlib object an array's buffer
carries is made from them in ``jaxlite.runtime.sharding``.

  >>> import numpy as np
  >>> from jaxlite.runtime import backend
  >>> from jaxlite.sharding.mesh import Mesh
  >>> from jaxlite.sharding.partition_spec import P
  >>> mesh = Mesh(np.array(backend.devices()[:1]), ('x',))
  >>> NamedSharding(mesh, P('x')).shard_shape((4, 2))
  (4, 2)
"""
from __future__ import annotations

import functools
import math
from typing import Any, Mapping

from jaxlite.sharding import mesh as mesh_lib
from jaxlite.sharding.partition_spec import UNCONSTRAINED, PartitionSpec, spec_axes

Shape = tuple
Index = tuple


class IndivisibleError(ValueError):
  """A dimension's size is not a multiple of the number of pieces it is split into."""


class DuplicateSpecError(Exception):
  """A PartitionSpec names the same mesh axis twice."""

  def __init__(self, message, mesh, pspec):
    super().__init__(message)
    self.message = message
    self.mesh = mesh
    self.pspec = pspec

  def __str__(self):
    return self.message


def _xc():
  from jaxlib import xla_client as xc  # pylint: disable=g-import-not-at-top
  return xc


def hlo_shardings_equal(a, b) -> bool:
  """Whether two HloShardings place data alike (all replicated forms are equal)."""
  if a is b:
    return True
  if _is_replicated(a) and _is_replicated(b):
    return True
  return a == b


def _is_replicated(hlo) -> bool:
  if hlo.is_replicated():
    return True
  if hlo.is_tiled() and not hlo.subgroup_types() and not hlo.replicate_on_last_tile_dim():
    return all(n == 1 for n in hlo.tile_assignment_dimensions())
  if hlo.is_tiled() and hlo.replicate_on_last_tile_dim():
    return all(n == 1 for n in hlo.tile_assignment_dimensions()[:-1])
  return False


def _tiles_per_dim(hlo, ndim: int) -> list:
  """How many pieces each array dimension is split into."""
  if _is_replicated(hlo) or not hlo.is_tiled():
    return [1] * ndim
  return list(hlo.tile_assignment_dimensions()[:ndim])


def hlo_sharding_indices(hlo, shape: Shape, num_devices: int) -> list:
  """For each logical device position, the index (tuple of slices) it holds."""
  ndim = len(shape)
  full = (slice(None),) * ndim
  if _is_replicated(hlo) or not hlo.is_tiled():
    return [full] * num_devices
  dims = hlo.tile_assignment_dimensions()
  devices = hlo.tile_assignment_devices()
  out: list = [None] * num_devices
  strides = [math.prod(dims[i + 1:]) for i in range(len(dims))]
  for flat_position, device in enumerate(devices):
    index = []
    for axis in range(ndim):
      pieces = dims[axis]
      if pieces == 1:
        index.append(slice(None))
        continue
      tile = (flat_position // strides[axis]) % pieces
      step = shape[axis] // pieces
      index.append(slice(tile * step, (tile + 1) * step))
    out[device] = tuple(index)
  return out


class Sharding:
  """How an array is laid out over devices (the interface every sharding has).

  Subclasses give ``device_set``, ``is_fully_replicated``,
  ``is_fully_addressable``, ``num_devices``, ``memory_kind``,
  ``_device_assignment``, ``_internal_device_list`` and
  ``_to_xla_hlo_sharding``; the rest is derived from them.
  """

  @property
  def device_set(self) -> set:
    """The devices the sharding spans (all processes')."""
    raise NotImplementedError("Subclasses should implement this method.")

  @property
  def is_fully_replicated(self) -> bool:
    """Whether every device holds the whole array."""
    raise NotImplementedError("Subclasses should implement this method.")

  @property
  def is_fully_addressable(self) -> bool:
    """Whether this process can address every device of the sharding."""
    raise NotImplementedError("Subclasses should implement this method.")

  @property
  def num_devices(self) -> int:
    raise NotImplementedError("Subclasses should implement this method.")

  @property
  def memory_kind(self) -> str | None:
    raise NotImplementedError("Subclasses should implement this method.")

  def with_memory_kind(self, kind: str) -> "Sharding":
    raise NotImplementedError("Subclasses should implement this method")

  @property
  def _device_assignment(self) -> tuple:
    raise NotImplementedError("Subclasses should implement this method.")

  @property
  def _internal_device_list(self):
    raise NotImplementedError("Subclasses should implement this method.")

  def _to_xla_hlo_sharding(self, num_dimensions: int):
    raise NotImplementedError("Subclasses should implement this method.")

  # -- derived ---------------------------------------------------------------------

  @property
  def _is_concrete(self) -> bool:
    return True

  @functools.cached_property
  def addressable_devices(self) -> set:
    """The devices of the sharding that this process can address."""
    return {d for d in self.device_set if d.process_index == d.client.process_index()}

  @property
  def has_addressable_devices(self) -> bool:
    return bool(self.addressable_devices)

  @functools.cached_property
  def _addressable_device_assignment(self) -> tuple:
    return tuple(d for d in self._device_assignment
                 if d.process_index == d.client.process_index())

  def shard_shape(self, global_shape: Shape) -> Shape:
    """The shape of the piece each device holds.

    >>> from jaxlite.runtime import backend
    >>> SingleDeviceSharding(backend.devices()[0]).shard_shape((3, 2))
    (3, 2)
    """
    global_shape = tuple(global_shape)
    hlo = self._to_xla_hlo_sharding(len(global_shape))
    tiles = _tiles_per_dim(hlo, len(global_shape))
    out = []
    for dim, (size, pieces) in enumerate(zip(global_shape, tiles)):
      quotient, remainder = divmod(size, pieces)
      if remainder:
        raise IndivisibleError(
            f"Sharding {self} implies that array axis {dim} is partitioned "
            f"{pieces} times, but the dimension size is {size} "
            f"(full shape: {global_shape}, per-dimension tiling factors: "
            f"{tiles} should evenly divide the shape)")
      out.append(quotient)
    return tuple(out)

  def devices_indices_map(self, global_shape: Shape) -> Mapping[Any, Index]:
    """Each device (all processes') mapped to the index of the piece it holds.

    >>> from jaxlite.runtime import backend
    >>> SingleDeviceSharding(backend.devices()[0]).devices_indices_map((2,))
    {CpuDevice(id=0): (slice(None, None, None),)}
    """
    return _devices_indices_map(self, tuple(global_shape))

  def addressable_devices_indices_map(self, global_shape: Shape) -> Mapping[Any, Index]:
    """``devices_indices_map`` restricted to this process's devices."""
    full = self.devices_indices_map(global_shape)
    if self.is_fully_addressable:
      return full
    return {d: i for d, i in full.items()
            if d.process_index == d.client.process_index()}

  def is_equivalent_to(self, other: "Sharding", ndim: int) -> bool:
    """Whether both put the same pieces on the same devices (and memories).

    >>> from jaxlite.runtime import backend
    >>> d = backend.devices()[0]
    >>> SingleDeviceSharding(d).is_equivalent_to(SingleDeviceSharding(d), 2)
    True
    """
    return (hlo_shardings_equal(self._to_xla_hlo_sharding(ndim),
                                other._to_xla_hlo_sharding(ndim))
            and self.memory_kind == other.memory_kind
            and tuple(self._device_assignment) == tuple(other._device_assignment))


@functools.lru_cache(maxsize=4096)
def _devices_indices_map(sharding: Sharding, shape: Shape) -> dict:
  sharding.shard_shape(shape)   # JAX's error for an indivisible dimension
  devices = sharding._device_assignment
  indices = hlo_sharding_indices(sharding._to_xla_hlo_sharding(len(shape)), shape,
                                 len(devices))
  return dict(zip(devices, indices))


def _default_memory_kind(device) -> str | None:
  try:
    return device.default_memory().kind
  except Exception:  # pylint: disable=broad-except
    return None


def _check_memory_kind(device, kind):
  if kind is None:
    return _default_memory_kind(device)
  kinds = [m.kind for m in device.addressable_memories()]
  if kind not in kinds:
    raise ValueError(f"Could not find memory addressable by device {device.device_kind}."
                     f" Device {device.device_kind} can address the following memory "
                     f"kinds: {', '.join(kinds)}. Got memory kind: {kind}")
  return kind


class SingleDeviceSharding(Sharding):
  """The whole array on one device.

  >>> from jaxlite.runtime import backend
  >>> SingleDeviceSharding(backend.devices()[0])
  SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)
  """
  def __init__(self, device, *, memory_kind: str | None = None):
    self._device = device
    self._memory_kind = _check_memory_kind(device, memory_kind)

  def __repr__(self):
    return f"SingleDeviceSharding(device={self._device!r}, memory_kind={self._memory_kind})"

  def __reduce__(self):
    return (_single_device_sharding, (self._device, self._memory_kind))

  def __eq__(self, other):
    return (isinstance(other, SingleDeviceSharding) and self._device == other._device
            and self._memory_kind == other._memory_kind)

  def __hash__(self):
    return hash((SingleDeviceSharding, self._device, self._memory_kind))

  device_set = property(lambda self: {self._device})
  num_devices = property(lambda self: 1)
  memory_kind = property(lambda self: self._memory_kind)
  is_fully_replicated = property(lambda self: True)
  _device_assignment = property(lambda self: (self._device,))

  @property
  def is_fully_addressable(self) -> bool:
    return self._device.process_index == self._device.client.process_index()

  @functools.cached_property
  def _internal_device_list(self):
    from jaxlib import _jax  # pylint: disable=g-import-not-at-top
    return _jax.DeviceList((self._device,))

  def with_memory_kind(self, kind: str) -> "SingleDeviceSharding":
    return SingleDeviceSharding(self._device, memory_kind=kind)

  def _to_xla_hlo_sharding(self, num_dimensions: int):
    return _xc().HloSharding.replicate()

  def shard_shape(self, global_shape: Shape) -> Shape:
    return tuple(global_shape)


def _single_device_sharding(device, memory_kind):
  return SingleDeviceSharding(device, memory_kind=memory_kind)


def make_single_device_sharding(device, *, memory_kind=None) -> SingleDeviceSharding:
  """``SingleDeviceSharding(device, memory_kind=memory_kind)``."""
  return SingleDeviceSharding(device, memory_kind=memory_kind)


# --- NamedSharding -------------------------------------------------------------------


def check_spec_against_mesh(mesh, spec: PartitionSpec) -> None:
  """JAX's errors for a spec naming an axis twice or an axis the mesh lacks."""
  seen = set()
  for entry in spec.partitions:
    if entry is None or entry is UNCONSTRAINED:
      continue
    for name in entry if isinstance(entry, tuple) else (entry,):
      if name in seen:
        raise DuplicateSpecError(
            "A single NamedSharding spec specification can map every mesh axis "
            f"to at most one positional dimension, but {spec} has duplicate "
            f"entries for `{name}`", mesh, spec)
      seen.add(name)
  if mesh.empty:
    return
  names = set(mesh.axis_names)
  for name in [*seen, *spec.unreduced, *spec.reduced]:
    if name not in names:
      raise ValueError(f"Resource axis: {name} of {spec} is not found in mesh: "
                       f"{tuple(mesh.axis_names)}.")


class NamedSharding(Sharding):
  """An array split over a mesh's axes as a ``PartitionSpec`` says.

  Args:
    mesh: a ``Mesh`` (or ``AbstractMesh``).
    spec: a ``PartitionSpec``: entry ``i`` names the mesh axes that split
      array dimension ``i``.
    memory_kind: the memory the pieces live in (default: the device's).

  >>> import numpy as np
  >>> from jaxlite.runtime import backend
  >>> from jaxlite.sharding.mesh import Mesh
  >>> from jaxlite.sharding.partition_spec import P
  >>> s = NamedSharding(Mesh(np.array(backend.devices()[:1]), ('x',)), P('x'))
  >>> s.spec, s.num_devices
  (P('x',), 1)
  """

  def __init__(self, mesh, spec: PartitionSpec, *, memory_kind: str | None = None,
               _logical_device_ids=None):
    if not isinstance(mesh, (mesh_lib.Mesh, mesh_lib.AbstractMesh)):
      raise TypeError("mesh should be of type `jax.sharding.Mesh` or "
                      f"`jax.sharding.AbstractMesh`. Got {type(mesh)}")
    if not isinstance(spec, PartitionSpec):
      raise TypeError("spec should be of type `jax.sharding.PartitionSpec`. Got "
                      f"{spec} of type {type(spec)}")
    self.mesh = mesh
    self.spec = spec
    if isinstance(mesh, mesh_lib.Mesh) and not mesh.empty:
      memory_kind = _check_memory_kind(mesh._flat_devices_tuple[0], memory_kind)
    self._memory_kind = memory_kind
    self._logical_device_ids = _logical_device_ids
    check_spec_against_mesh(mesh, spec)
    self._hash = hash((mesh, memory_kind, spec, _logical_device_ids))

  def __repr__(self):
    memory = "" if self._memory_kind is None else f", memory_kind={self._memory_kind}"
    ids = ("" if self._logical_device_ids is None
           else f", logical_device_ids={self._logical_device_ids}")
    return f"NamedSharding(mesh={self.mesh}, spec={self.spec}{memory}{ids})"

  def __reduce__(self):
    return (_rebuild_named, (self.mesh, self.spec, self._memory_kind,
                             self._logical_device_ids))

  def __eq__(self, other):
    if not isinstance(other, NamedSharding):
      return False
    return self is other or (self.spec == other.spec
                             and self._memory_kind == other._memory_kind
                             and self._logical_device_ids == other._logical_device_ids
                             and self.mesh == other.mesh)

  def __hash__(self):
    return self._hash

  memory_kind = property(lambda self: self._memory_kind)
  num_devices = property(lambda self: self.mesh.size)

  def _concrete_mesh(self, what: str):
    if isinstance(self.mesh, mesh_lib.AbstractMesh):
      raise ValueError(f"{what} is not implemented for `jax.sharding.AbstractMesh`.")
    return self.mesh

  @property
  def _is_concrete(self) -> bool:
    return isinstance(self.mesh, mesh_lib.Mesh)

  @property
  def device_set(self) -> set:
    return self._concrete_mesh("device_set")._flat_devices_set

  @property
  def _device_assignment(self) -> tuple:
    return self._concrete_mesh("_device_assignment")._flat_devices_tuple

  @property
  def _internal_device_list(self):
    return self._concrete_mesh("_internal_device_list")._internal_device_list

  @property
  def addressable_devices(self) -> set:
    return self._concrete_mesh("addressable_devices")._local_devices_set

  @property
  def is_fully_addressable(self) -> bool:
    mesh = self._concrete_mesh("is_fully_addressable")
    return not mesh.is_multi_process

  @functools.cached_property
  def is_fully_replicated(self) -> bool:
    if self.mesh.size == 1:
      return True
    if self.spec.unreduced:
      return False
    sizes = self.mesh.shape
    return math.prod(sizes[n] for n in spec_axes(self.spec)) == 1

  @functools.cached_property
  def replicated_axes(self) -> frozenset:
    used = set(spec_axes(self.spec)) | self.spec.unreduced | self.spec.reduced
    return frozenset(self.mesh.axis_names) - used

  def check_compatible_aval(self, aval_shape: Shape) -> None:
    if len(aval_shape) < len(self.spec):
      extra = " For scalars the PartitionSpec should be P()" if not aval_shape else ""
      raise ValueError(
          f"Sharding {self} is only valid for values of rank at least "
          f"{len(self.spec)}, but was applied to a value of rank "
          f"{len(aval_shape)}.{extra}")

  def with_memory_kind(self, kind: str) -> "NamedSharding":
    return self.update(memory_kind=kind)

  def update(self, **kwargs) -> "NamedSharding":
    """A copy with ``mesh``, ``spec`` or ``memory_kind`` replaced."""
    spec = kwargs.pop("spec", self.spec)
    if not isinstance(spec, PartitionSpec):
      spec = PartitionSpec(*spec)
    return NamedSharding(kwargs.pop("mesh", self.mesh), spec,
                         memory_kind=kwargs.pop("memory_kind", self._memory_kind),
                         _logical_device_ids=kwargs.pop("_logical_device_ids",
                                                        self._logical_device_ids))

  def is_equivalent_to(self, other, ndim: int) -> bool:
    if (isinstance(self.mesh, mesh_lib.AbstractMesh)
        and isinstance(getattr(other, "mesh", None), mesh_lib.AbstractMesh)):
      return (hlo_shardings_equal(self._to_xla_hlo_sharding(ndim),
                                  other._to_xla_hlo_sharding(ndim))
              and self.memory_kind == other.memory_kind)
    return super().is_equivalent_to(other, ndim)

  def _to_xla_hlo_sharding(self, num_dimensions: int):
    return _named_hlo_sharding(self.mesh.axis_names, self.mesh.axis_sizes,
                               self.mesh.axis_types, self.spec, num_dimensions)


def _rebuild_named(mesh, spec, memory_kind, ids):
  return NamedSharding(mesh, spec, memory_kind=memory_kind, _logical_device_ids=ids)


@functools.lru_cache(maxsize=4096)
def _named_hlo_sharding(axis_names, axis_sizes, axis_types, spec, ndim):
  """XLA's HloSharding for a spec over a mesh: the tile grid is the product of
  each dimension's mesh axes, and the devices are the mesh's, transposed so
  that the axes come in the order they tile (unused axes last, replicated)."""
  xc = _xc()
  sizes = dict(zip(axis_names, axis_sizes))
  position = {n: i for i, n in enumerate(axis_names)}
  kinds = dict(zip(axis_names, axis_types))
  tile_dims = [1] * ndim
  order = []   # mesh axis positions in tiling order
  for dim, entry in enumerate(spec.partitions):
    if entry is None or entry is UNCONSTRAINED:
      continue
    for name in entry if isinstance(entry, tuple) else (entry,):
      if sizes[name] == 1:
        continue
      tile_dims[dim] *= sizes[name]
      order.append(position[name])
  # Axes that tile nothing are grouped at the end by what they mean: manual
  # (inside shard_map), unreduced, or plain replication.
  groups: dict = {}
  for name in axis_names:
    if position[name] in order or sizes[name] == 1:
      continue
    if kinds[name] == mesh_lib.AxisType.Manual:
      kind = xc.OpSharding.Type.MANUAL
    elif name in spec.unreduced:
      kind = xc.OpSharding.Type.UNREDUCED
    else:
      kind = xc.OpSharding.Type.REPLICATED
    groups.setdefault(kind, []).append(position[name])
  if not order and list(groups) in ([], [xc.OpSharding.Type.REPLICATED]):
    return xc.HloSharding.replicate()
  subgroup_types = []
  for kind in sorted(groups, key=lambda k: k.value):
    subgroup_types.append(kind)
    tile_dims.append(math.prod(axis_sizes[i] for i in groups[kind]))
    order.extend(groups[kind])
  reshape = [axis_sizes[i] for i in range(len(axis_sizes)) if sizes[axis_names[i]] != 1]
  # Positions among the axes of size > 1.
  kept = [i for i in range(len(axis_sizes)) if axis_sizes[i] != 1]
  perm = [kept.index(i) for i in order]
  return xc.HloSharding.iota_tile(tile_dims, reshape, perm, subgroup_types)
