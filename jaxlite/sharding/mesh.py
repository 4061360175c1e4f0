"""Meshes: devices arranged in an n-dimensional array with named axes.

``Mesh`` holds real devices; ``AbstractMesh`` only axis names and sizes (what
tracing needs). Axis types say who decides how values are split over an axis:
``Auto`` (XLA's partitioner), ``Explicit`` (the sharding is part of the type)
or ``Manual`` (inside ``shard_map``).

The current mesh is thread-local state set by ``set_mesh`` (and by the
deprecated ``with mesh:``).

  >>> import numpy as np
  >>> from jaxlite.runtime import backend
  >>> mesh = Mesh(np.array(backend.devices()[:1]), ('x',))
  >>> mesh.shape
  OrderedDict([('x', 1)])
"""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import enum
import functools
import math
import threading
import warnings
from typing import Any, Sequence

import numpy as np


class AxisType(enum.Enum):
  """Who decides how values are split over a mesh axis.

  >>> AxisType.Explicit
  Explicit
  """
  Auto = enum.auto()
  Explicit = enum.auto()
  Manual = enum.auto()

  def __repr__(self):
    return self.name


def _normalize_axis_types(axis_names, axis_types, where: str) -> tuple:
  if axis_types is None:
    axis_types = (AxisType.Auto,) * len(axis_names)
  if not isinstance(axis_types, tuple):
    axis_types = (axis_types,)
  if not all(isinstance(t, AxisType) for t in axis_types):
    raise TypeError(
        f"axis_types passed to {where} must be of type `jax.sharding.AxisType`."
        f" Got {axis_types} of type {tuple(type(t) for t in axis_types)}")
  if len(axis_names) != len(axis_types):
    raise ValueError(
        "Number of axis names should match the number of axis_types. Got"
        f" axis_names={axis_names} and axis_types={axis_types}")
  return axis_types


class _MeshAxes:
  """What a mesh and an abstract mesh share: names, sizes and axis types."""
  __slots__ = ()

  @property
  def shape(self) -> "collections.OrderedDict[Any, int]":
    return collections.OrderedDict(self.shape_tuple)

  @property
  def shape_tuple(self) -> tuple:
    return tuple(zip(self.axis_names, self.axis_sizes))

  @property
  def empty(self) -> bool:
    return self.size == 0

  def _axes_of_type(self, kind):
    return tuple(n for n, t in zip(self.axis_names, self.axis_types) if t == kind)

  auto_axes = property(lambda self: self._axes_of_type(AxisType.Auto))
  explicit_axes = property(lambda self: self._axes_of_type(AxisType.Explicit))
  manual_axes = property(lambda self: self._axes_of_type(AxisType.Manual))

  def _all(self, kind) -> bool:
    return bool(self.axis_types) and all(t == kind for t in self.axis_types)

  are_all_axes_auto = property(lambda self: self._all(AxisType.Auto))
  are_all_axes_explicit = property(lambda self: self._all(AxisType.Explicit))
  are_all_axes_manual = property(lambda self: self._all(AxisType.Manual))
  _any_axis_explicit = property(lambda self: AxisType.Explicit in self.axis_types)
  _any_axis_manual = property(lambda self: AxisType.Manual in self.axis_types)
  _any_axis_auto = property(lambda self: AxisType.Auto in self.axis_types)

  @property
  def _name_to_type(self) -> dict:
    return dict(zip(self.axis_names, self.axis_types))

  def _axis_text(self) -> str:
    return ", ".join(f"'{n}': {s}" for n, s in self.shape_tuple)


class Mesh(_MeshAxes, contextlib.ContextDecorator):
  """Devices laid out in an n-dimensional array whose axes have names.

  Args:
    devices: an array (or nested sequence) of devices.
    axis_names: one name per dimension of ``devices``.
    axis_types: one ``AxisType`` per axis (default: all ``Auto``).

  >>> import numpy as np
  >>> from jaxlite.runtime import backend
  >>> Mesh(np.array(backend.devices()[:1]).reshape(1, 1), ('x', 'y'))
  Mesh(axis_sizes=(1, 1), axis_names=('x', 'y'), axis_types=(Auto, Auto))
  """

  def __init__(self, devices, axis_names, axis_types=None):
    if not isinstance(devices, np.ndarray):
      devices = np.array(devices)
    if isinstance(axis_names, str):
      axis_names = (axis_names,)
    axis_names = tuple(axis_names)
    if any(n is None for n in axis_names):
      raise ValueError(f"Mesh axis names cannot be None. Got: {axis_names}")
    if devices.ndim != len(axis_names):
      raise ValueError(
          "Mesh requires the ndim of its first argument (`devices`) to equal "
          "the length of its second argument (`axis_names`), but got "
          f"devices.ndim == {devices.ndim} and "
          f"len(axis_names) == {len(axis_names)}.")
    axis_types = _normalize_axis_types(axis_names, axis_types, "Mesh")
    devices = devices.copy()
    devices.flags.writeable = False
    flat = tuple(devices.flat)
    empty = not axis_names and (not flat or flat[0] is None)
    self.devices = devices
    self.axis_names = axis_names
    self.axis_types = axis_types
    self.size = 0 if empty else math.prod(devices.shape)
    self._flat_devices_tuple = () if empty else flat
    self._key = (self._flat_devices_tuple, devices.shape, axis_names, axis_types)

  def __eq__(self, other):
    return isinstance(other, Mesh) and (self is other or self._key == other._key)

  def __hash__(self):
    return hash(self._key)

  def __reduce__(self):
    return (Mesh, (self.devices, self.axis_names, self.axis_types))

  @property
  def axis_sizes(self) -> tuple:
    return self.devices.shape

  @property
  def is_scalar(self) -> bool:
    return self.size == 1 and not self.axis_names

  @functools.cached_property
  def device_ids(self) -> np.ndarray:
    return np.vectorize(lambda d: d.id, otypes=[int])(self.devices)

  @functools.cached_property
  def _flat_devices_set(self) -> set:
    return set(self._flat_devices_tuple)

  @functools.cached_property
  def _internal_device_list(self):
    from jaxlib import _jax  # pylint: disable=g-import-not-at-top
    return _jax.DeviceList(self._flat_devices_tuple)

  @functools.cached_property
  def local_devices(self) -> list:
    return [d for d in self._flat_devices_tuple
            if d.process_index == d.client.process_index()]

  @functools.cached_property
  def _local_devices_set(self) -> set:
    return set(self.local_devices)

  @functools.cached_property
  def is_multi_process(self) -> bool:
    return self.devices.size != len(self.local_devices)

  @property
  def local_mesh(self) -> "Mesh":
    """The sub-mesh of this process's devices (they must form a sub-cube)."""
    if self.empty:
      return self
    me = self._flat_devices_tuple[0].client.process_index()
    local = np.vectorize(lambda d: d.process_index == me, otypes=[bool])(self.devices)
    hull = []
    for axis in range(local.ndim):
      others = tuple(i for i in range(local.ndim) if i != axis)
      hit = np.flatnonzero(local.any(axis=others))
      hull.append(slice(int(hit.min()), int(hit.max()) + 1))
    hull = tuple(hull)
    if not local[hull].all():
      raise ValueError(
          "When passing host local inputs to pjit, devices connected to a single"
          " host must form a contiguous subcube of the global device mesh")
    return Mesh(self.devices[hull], self.axis_names, self.axis_types)

  @functools.cached_property
  def abstract_mesh(self) -> "AbstractMesh":
    if not self.axis_names:
      return empty_abstract_mesh
    d = self._flat_devices_tuple[0]
    cores = None
    if d.platform == "tpu":
      cores = getattr(d, "num_cores", None)
    elif d.platform == "gpu":
      cores = getattr(d, "core_count", None)
    return AbstractMesh(self.axis_sizes, self.axis_names, self.axis_types,
                        abstract_device=AbstractDevice(d.device_kind, cores, d.platform))

  def update(self, devices=None, axis_names=None, axis_types=None) -> "Mesh":
    return Mesh(self.devices if devices is None else devices,
                self.axis_names if axis_names is None else axis_names,
                self.axis_types if axis_types is None else axis_types)

  def __str__(self):
    if self.empty:
      return "Mesh()"
    return f"Mesh({self._axis_text()}, axis_types={self.axis_types})"

  def __repr__(self):
    if self.empty:
      return "Mesh(axis_sizes=(), axis_names=())"
    return (f"Mesh(axis_sizes={self.axis_sizes}, axis_names={self.axis_names!r}, "
            f"axis_types={self.axis_types})")

  # `with mesh:` is JAX's older way to set the mesh; it still works, with
  # JAX's deprecation warning.
  def __enter__(self):
    warnings.warn("`with mesh:` context manager has been deprecated. Please use "
                  "`with jax.set_mesh(mesh):` instead.",
                  category=DeprecationWarning, stacklevel=2)
    _state.resource_stack.append(self)
    return self

  def __exit__(self, exc_type, exc_value, traceback):
    _state.resource_stack.pop()
    return False


@dataclasses.dataclass(frozen=True, slots=True)
class AbstractDevice:
  """The kind of device an abstract mesh stands for."""
  device_kind: str
  num_cores: int | None
  platform: str

  def __repr__(self):
    return f"AbstractDevice({self._repr()})"

  def _repr(self):
    return (f"device_kind={self.device_kind}, num_cores={self.num_cores}, "
            f"platform={self.platform}")


class AbstractMesh(_MeshAxes):
  """A mesh's axis names, sizes and types, without devices.

  >>> AbstractMesh((2, 4), ('data', 'model'))
  AbstractMesh('data': 2, 'model': 4, axis_types=(Auto, Auto))
  """

  def __init__(self, axis_sizes, axis_names, axis_types=None, *,
               abstract_device=None):
    self.axis_sizes = tuple(axis_sizes)
    self.axis_names = tuple(axis_names)
    self.axis_types = _normalize_axis_types(self.axis_names, axis_types, "AbstractMesh")
    self.abstract_device = abstract_device
    self.size = math.prod(self.axis_sizes) if self.axis_sizes else 0
    self._key = (self.axis_sizes, self.axis_names, self.axis_types, abstract_device)

  def __eq__(self, other):
    return isinstance(other, AbstractMesh) and self._key == other._key

  def __hash__(self):
    return hash(self._key)

  def __reduce__(self):
    return (_rebuild_abstract_mesh, self._key)

  def __repr__(self):
    axes = self._axis_text() if self.axis_names else "()"
    device = "" if self.abstract_device is None else f", {self.abstract_device._repr()}"
    return f"AbstractMesh({axes}, axis_types={self.axis_types}{device})"

  @property
  def abstract_mesh(self) -> "AbstractMesh":
    return self

  @property
  def _internal_device_list(self):
    return None

  def update(self, axis_sizes=None, axis_names=None, axis_types=None, **kwargs):
    kwargs.setdefault("abstract_device", self.abstract_device)
    return AbstractMesh(self.axis_sizes if axis_sizes is None else axis_sizes,
                        self.axis_names if axis_names is None else axis_names,
                        self.axis_types if axis_types is None else axis_types,
                        **kwargs)

  def update_axis_types(self, name_to_type: dict) -> "AbstractMesh":
    return self.update(axis_types=tuple(name_to_type.get(n, t) for n, t in
                                        zip(self.axis_names, self.axis_types)))

  def _no_devices(name):  # pylint: disable=no-self-argument
    def raise_error(self, *args):
      raise ValueError(f"AbstractMesh does not implement {name}")
    return raise_error

  devices = property(_no_devices("devices"))
  device_ids = property(_no_devices("device_ids"))
  is_multi_process = property(_no_devices("is_multi_process"))
  local_devices = property(_no_devices("local_devices"))
  local_mesh = property(_no_devices("local_mesh"))
  __enter__ = _no_devices("__enter__")
  __exit__ = _no_devices("__exit__")
  del _no_devices


def _rebuild_abstract_mesh(sizes, names, types, device):
  return AbstractMesh(sizes, names, types, abstract_device=device)


empty_abstract_mesh = AbstractMesh((), ())
empty_concrete_mesh = Mesh(np.empty((), dtype=object), ())


# --- the current mesh (thread-local) ----------------------------------------------


class _MeshState(threading.local):
  def __init__(self):
    self.concrete = empty_concrete_mesh    # set by set_mesh
    self.abstract = empty_abstract_mesh    # set by set_mesh / use_abstract_mesh
    self.resource_stack: list = []         # `with mesh:` (deprecated)


_state = _MeshState()


def thread_resource_mesh():
  """The mesh of the innermost ``with mesh:`` block, or the empty mesh."""
  return _state.resource_stack[-1] if _state.resource_stack else empty_concrete_mesh


def get_abstract_mesh() -> AbstractMesh:
  """The abstract mesh in context (``set_mesh`` / ``use_abstract_mesh``).

  >>> get_abstract_mesh()
  AbstractMesh((), axis_types=())
  """
  return _state.abstract


def get_concrete_mesh() -> Mesh:
  return _state.concrete


def _trace_state_clean() -> bool:
  from jaxlite import core  # pylint: disable=g-import-not-at-top
  return core._thread_state.dynamic_main.level == 0


def get_mesh() -> Mesh:
  """The mesh set by ``set_mesh`` (the empty mesh when none is).

  >>> get_mesh()
  Mesh(axis_sizes=(), axis_names=())
  """
  if not _trace_state_clean():
    raise ValueError("`get_mesh` can only be used outside of `jax.jit`. Maybe you "
                     "want `jax.sharding.get_abstract_mesh()`?")
  return _state.concrete


def _set_context_mesh(mesh):
  """Puts ``mesh`` (None: no mesh) into this thread's trace context (as JAX's:
  jitted functions retrace under a mesh, and new arrays and eager results go
  on its devices). While some thread has a mesh set, the trace context is not
  the global one: that counts as a scoped option (config.trace_context_epoch).
  Balanced whether set_mesh is used as a context manager or a global setter."""
  # pylint: disable=g-import-not-at-top
  from jaxlite.config import _scope_entered, _scope_exited, config, mesh_context
  prev = mesh_context.value
  if prev is None and mesh is not None:
    _scope_entered()
  mesh_context._local.value = mesh
  config._trace_cache.generation = -1
  config._trace_cache.context = None   # jit's call memo compares this object
  if prev is not None and mesh is None:
    _scope_exited()


class set_mesh:  # pylint: disable=invalid-name
  """Sets the current mesh, globally or (as a context manager) for a block.

  With a mesh in context, APIs that take a sharding accept a bare
  ``PartitionSpec``, and Explicit axes put shardings into types.

  >>> import numpy as np
  >>> from jaxlite.runtime import backend
  >>> mesh = Mesh(np.array(backend.devices()[:1]), ('x',))
  >>> with set_mesh(mesh):
  ...   print(get_abstract_mesh())
  AbstractMesh('x': 1, axis_types=(Auto,), device_kind=cpu, num_cores=None, platform=cpu)
  """
  __slots__ = ("prev_abstract_mesh", "prev_mesh")

  def __init__(self, mesh: Mesh | None):
    if mesh is not None and not isinstance(mesh, Mesh):
      raise ValueError(f"Expected mesh of type `jax.sharding.Mesh`. Got {type(mesh)}")
    if not _trace_state_clean():
      raise ValueError("`set_mesh` can only be used outside of `jax.jit`.")
    if mesh is not None and mesh._any_axis_manual:
      raise ValueError(
          f"mesh {mesh} contains manual axes which is not allowed when using "
          "`jax.set_mesh`. Please use `jax.shard_map` to enter into `Manual` "
          "mode instead.")
    self.prev_abstract_mesh = _state.abstract
    self.prev_mesh = _state.concrete
    _state.abstract = empty_abstract_mesh if mesh is None else mesh.abstract_mesh
    _state.concrete = empty_concrete_mesh if mesh is None else mesh
    _set_context_mesh(None if mesh is None or mesh.empty else mesh)

  def __enter__(self):
    return None

  def __exit__(self, exc_type, exc_value, traceback):
    _state.abstract = self.prev_abstract_mesh
    _state.concrete = self.prev_mesh
    _set_context_mesh(None if self.prev_mesh.empty else self.prev_mesh)


class use_abstract_mesh:  # pylint: disable=invalid-name
  """Sets the abstract mesh for a block (the concrete mesh is unchanged).

  >>> with use_abstract_mesh(AbstractMesh((2,), ('x',))):
  ...   print(get_abstract_mesh().axis_names)
  ('x',)
  """
  __slots__ = ("mesh", "prev")

  def __init__(self, mesh: AbstractMesh):
    if not isinstance(mesh, AbstractMesh):
      raise ValueError("Expected mesh of type `jax.sharding.AbstractMesh`. Got "
                       f"type: {type(mesh)}")
    self.mesh = mesh

  def __enter__(self):
    self.prev = _state.abstract
    if not self.prev.empty and not self.mesh.empty and self.prev.size != self.mesh.size:
      raise ValueError(
          "use_abstract_mesh cannot change the size of the mesh. Got new mesh: "
          f"{self.mesh} with size={self.mesh.size} and prev mesh: {self.prev} "
          f"with size={self.prev.size}")
    _state.abstract = self.mesh

  def __exit__(self, exc_type, exc_value, traceback):
    _state.abstract = self.prev


def make_mesh(axis_shapes: Sequence[int], axis_names: Sequence[str],
              axis_types: tuple | None = None, *, devices=None) -> Mesh:
  """A mesh of the given shape over the first devices, with Explicit axes by default.

  Args:
    axis_shapes: the mesh's shape, e.g. ``(2, 4)``.
    axis_names: one name per axis, e.g. ``('data', 'model')``.
    axis_types: one ``AxisType`` per axis (default: all ``Explicit``).
    devices: the devices to use (default: ``jax.devices()``).

  >>> make_mesh((1,), ('x',))
  Mesh(axis_sizes=(1,), axis_names=('x',), axis_types=(Explicit,))
  """
  from jaxlite.sharding import mesh_utils  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
  if devices is None:
    devices = backend.devices()
  sizes = mesh_utils.canonicalize_axis_sizes(axis_shapes)
  if sizes is None:
    raise ValueError("`axis_shapes` passed to `make_mesh` should be a sequence of "
                     f"ints. Got {axis_shapes}")
  count = math.prod(sizes)
  if count > len(devices):
    raise ValueError(f"Number of devices {len(devices)} must be >= the product of "
                     f"mesh_shape {sizes}")
  devices = list(devices)[:count]
  mesh_devices = mesh_utils.create_device_mesh(sizes, devices)
  if axis_types is None:
    axis_types = (AxisType.Explicit,) * len(sizes)
  return Mesh(mesh_devices, axis_names, axis_types=axis_types)
