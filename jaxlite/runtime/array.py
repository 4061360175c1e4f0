"""``Array``: the user-facing array, a jaxlib device buffer plus its aval.

An ``Array`` is made on every eager operation, so it is a plain ``__slots__``
object holding the jaxlib array (``_buf``, an ``xc.ArrayImpl`` on one or more
devices) and its abstract value (``aval``, a ``jaxlite.core.ShapedArray``).
This module does not import jaxlib at import time.

Host copies. jaxlib's own device-to-host path
(``_single_device_array_to_np_array_did_copy``) makes a temporary jaxlib array
whose aval it builds with ``jax.core.ShapedArray``, and so imports ``jax``
(when installed) the first time it runs. jaxlite must not pull JAX in, so on
CPU it copies through DLPack instead: jaxlib hands out a DLPack capsule for
the buffer, and the bytes are copied out with ctypes into a NumPy array of the
aval's dtype (this works for bfloat16 and the float8 types too). Other
platforms, and the few dtypes DLPack cannot describe (int4), use jaxlib's
path.

  >>> from jaxlite.runtime import transfer
  >>> transfer.put_numpy(np.array([1., 2.], np.float32))
  Array([1., 2.], dtype=float32)
"""
from __future__ import annotations

import ctypes
import functools
import math
import operator
from typing import Any, NamedTuple

import numpy as np

from jaxlite.basearray import Array as _AbstractArray

# ---------------------------------------------------------------------------
# Device buffer -> NumPy
# ---------------------------------------------------------------------------


class _DLDevice(ctypes.Structure):
  _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
  _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
              ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
  # The first member of a DLManagedTensor, which is what the capsule holds.
  _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice),
              ("ndim", ctypes.c_int32), ("dtype", _DLDataType),
              ("shape", ctypes.POINTER(ctypes.c_int64)),
              ("strides", ctypes.POINTER(ctypes.c_int64)),
              ("byte_offset", ctypes.c_uint64)]


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_DLPACK_CPU = 1


_buffer_to_dlpack = None  # jaxlib's _jax.buffer_to_dlpack_managed_tensor


def _cpu_buffer_to_numpy(buf, dtype: np.dtype) -> np.ndarray | None:
  """Copies a single-device CPU buffer out via DLPack; None if it can't."""
  global _buffer_to_dlpack
  if _buffer_to_dlpack is None:
    from jaxlib import _jax  # pylint: disable=g-import-not-at-top
    _buffer_to_dlpack = _jax.buffer_to_dlpack_managed_tensor
  try:
    capsule = _buffer_to_dlpack(buf)
  except Exception:  # pylint: disable=broad-except
    return None  # e.g. int4, which DLPack cannot describe
  tensor = _DLTensor.from_address(_capsule_pointer(capsule, b"dltensor"))
  itemsize = dtype.itemsize
  dl_dtype = tensor.dtype
  if (tensor.device.device_type != _DLPACK_CPU
      or dl_dtype.bits * dl_dtype.lanes != itemsize * 8):
    return None
  ndim = tensor.ndim
  shape = tuple(tensor.shape[:ndim])
  size = math.prod(shape)
  if size == 0:
    return np.zeros(shape, dtype)
  strides = None  # compact row-major
  if tensor.strides and ndim > 1:
    element_strides = tensor.strides[:ndim]
    compact = 1
    for n, stride in zip(reversed(shape), reversed(element_strides)):
      if n != 1 and stride != compact:
        strides = tuple(st * itemsize for st in element_strides)
        break
      compact *= n
  if strides is None:
    span = size * itemsize
  else:
    span = itemsize + sum((n - 1) * st for n, st in zip(shape, strides))
  raw = (ctypes.c_char * span).from_address(tensor.data + tensor.byte_offset)
  # .copy() runs while `capsule` is alive, which keeps the buffer alive; the
  # capsule's destructor then releases jaxlib's reference.
  return np.ndarray(shape, dtype, buffer=raw, strides=strides).copy()


# JAX's float0 (tangents of integers), as jaxlite.dtypes defines it.
_FLOAT0 = np.dtype([("float0", np.void, 0)])


def buffer_to_numpy(buf, dtype) -> np.ndarray:
  """A fresh host copy of a single-device jaxlib array.

  >>> from jaxlite.runtime import transfer
  >>> buffer_to_numpy(transfer.put_numpy(np.arange(3, dtype=np.int32))._buf, np.int32)
  array([0, 1, 2], dtype=int32)
  """
  dtype = np.dtype(dtype)
  buf.block_until_ready()  # raises the computation's error, if any
  if dtype == _FLOAT0:   # no values: the device holds a bool stand-in
    return np.zeros(buffer_to_numpy(buf, np.bool_).shape, dtype)
  if buf._sharding._internal_device_list[0].platform == "cpu":
    out = _cpu_buffer_to_numpy(buf, dtype)
    if out is not None:
      return out
  out, _ = buf._single_device_array_to_np_array_did_copy()
  return out


def _buffer_device(buf):
  return buf._sharding._internal_device_list[0]


# ---------------------------------------------------------------------------
# Array
# ---------------------------------------------------------------------------


class Shard:
  """One device's part of an Array: ``array[index]`` lives on ``device``.

  As JAX's: built from the device, the array's sharding and global shape and
  the data (None for another process's device); ``index`` and ``replica_id``
  are computed from the sharding.

    >>> import numpy as np
    >>> from jaxlite.runtime import transfer
    >>> shard = transfer.put_numpy(np.arange(3.0, dtype=np.float32)).addressable_shards[0]
    >>> shard.index, shard.replica_id
    ((slice(None, None, None),), 0)
  """

  def __init__(self, device, sharding, global_shape, data=None):
    self._device = device
    self._sharding = sharding
    self._global_shape = global_shape
    self._data = data

  @classmethod
  def _with_index(cls, device, sharding, global_shape, data, index, replica_id):
    """A shard whose index and replica id are already known (jaxlite's arrays
    compute them once for all their shards)."""
    shard = cls(device, sharding, global_shape, data)
    shard.__dict__["index"], shard.__dict__["replica_id"] = index, replica_id
    return shard

  def __repr__(self):
    try:
      return (f"Shard(device={self.device!r}, index={self.index}, "
              f"replica_id={self.replica_id}, data={self.data})")
    except ValueError:
      return f"Shard(device={self.device!r}, data={self.data})"

  @functools.cached_property
  def index(self):
    try:
      indices_of = self._sharding.devices_indices_map
    except AttributeError:
      raise ValueError(f"Cannot calculate indices from sharding: {self._sharding}. Please "
                       "create a device to index mapping for your sharding.") from None
    return indices_of(self._global_shape)[self.device]

  @functools.cached_property
  def replica_id(self) -> int:
    from jaxlite.runtime import sharded  # pylint: disable=g-import-not-at-top
    index_map = self._sharding.devices_indices_map(self._global_shape)
    return sharded._replica_ids(self._sharding, index_map)[self.device]

  @property
  def device(self):
    return self._device

  @property
  def data(self):
    return self._data


class Array(_AbstractArray):
  """An array on one or more devices, with its shape, dtype and weak type.

  Args:
    buf: a jaxlib array (``xc.ArrayImpl``) on one device, or a multi-device
      one laid out one leading-axis slice per device.
    aval: its ``jaxlite.core.ShapedArray``.

  >>> from jaxlite.runtime import transfer
  >>> x = transfer.put_numpy(np.array([1, 2], np.int32))
  >>> x.shape, x.dtype
  ((2,), dtype('int32'))
  """
  # `_buf`, `aval` and `_committed` are set on every construction. The host
  # copy and the per-device buffers are set only once known: an unset slot
  # reads as None through `_npy` and `_shards`, so making an Array (every
  # eager op, every jit result) stores three fields, not five.
  # `_committed` is jaxlib's flag of `_buf` (fixed when it is made), kept
  # here because the cached-call paths test it for every operand: a slot
  # reads in ~60 instructions, jaxlib's property in ~350.
  __slots__ = ("_buf", "aval", "_committed", "_host_copy", "_device_shards", "__weakref__")
  __array_priority__ = 100
  # JAX arrays are unhashable; `None` makes hash() say "unhashable type: 'Array'".
  __hash__ = None  # type: ignore[assignment]

  def __init__(self, buf, aval, shards=None, committed=None):
    self._buf = buf
    self.aval = aval
    self._committed = buf._committed if committed is None else committed
    if shards is not None:
      # The per-device single-device buffers of a multi-device array, when
      # known; asking jaxlib for them (`_arrays`) would import jax.
      self._device_shards = shards

  def _get_host_copy(self):
    try:
      return self._host_copy
    except AttributeError:   # not copied to the host yet
      return None

  def _set_host_copy(self, npy):
    self._host_copy = npy

  def _get_device_shards(self):
    try:
      return self._device_shards
    except AttributeError:   # not known yet
      return None

  def _set_device_shards(self, shards):
    self._device_shards = shards

  # The host value once copied (None before), and the single-device buffers of
  # a multi-device array once known (None before).
  _npy = property(_get_host_copy, _set_host_copy)
  _shards = property(_get_device_shards, _set_device_shards)

  # -- abstract properties ---------------------------------------------------
  shape = property(lambda self: self.aval.shape)
  dtype = property(lambda self: self.aval.dtype)
  ndim = property(lambda self: len(self.aval.shape))
  size = property(lambda self: self.aval.size)
  weak_type = property(lambda self: self.aval.weak_type)
  itemsize = property(lambda self: self.aval.dtype.itemsize)
  nbytes = property(lambda self: self.aval.size * self.aval.dtype.itemsize)

  # -- placement ---------------------------------------------------------------
  @property
  def sharding(self):
    """How the array is laid out over devices (a ``jaxlite.sharding.Sharding``).

    >>> from jaxlite.runtime import transfer
    >>> transfer.put_numpy(np.zeros(2)).sharding
    SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)
    """
    return self._buf._sharding.user_sharding

  def devices(self) -> set:
    """The set of devices the array's data lives on.

    >>> from jaxlite.runtime import transfer
    >>> transfer.put_numpy(np.zeros(2)).devices()
    {CpuDevice(id=0)}
    """
    return set(self._buf._sharding._internal_device_list)

  @property
  def device(self):
    """The device of a single-device array (ValueError otherwise)."""
    device_list = self._buf._sharding._internal_device_list
    if len(device_list) != 1:
      raise ValueError("Length of devices is greater than 1. "
                       "Please use `.devices()`.")
    return device_list[0]

  @property
  def committed(self) -> bool:
    return self._committed

  @property
  def is_fully_replicated(self) -> bool:
    if self._is_split():
      return self.sharding.is_fully_replicated
    return len(self._buf._sharding._internal_device_list) == 1

  def _is_split(self) -> bool:
    """Whether a ``jaxlite.sharding`` sharding splits this array over devices
    (see ``jaxlite.runtime.sharded``); pmap's arrays are not such."""
    return getattr(self._buf._sharding, "splits_array", False)

  @property
  def is_fully_addressable(self) -> bool:
    device_list = self._buf._sharding._internal_device_list
    me = device_list[0].client.process_index()
    return all(d.process_index == me for d in device_list)

  def _device_buffers(self) -> list:
    """Single-device jaxlib arrays, one per device, in device order."""
    if self._shards is not None:
      return self._shards
    if self._is_split():
      from jaxlite.runtime import sharded  # pylint: disable=g-import-not-at-top
      return sharded.device_buffers(self)
    if len(self._buf._sharding._internal_device_list) == 1:
      return [self._buf]
    # jaxlib builds these with jax.core.ShapedArray avals (imports jax when
    # installed); only arrays produced without known shards get here.
    self._shards = list(self._buf._arrays)
    return self._shards

  @property
  def addressable_shards(self) -> list[Shard]:
    """The shards on this process's devices.

    A single-device array has one shard, the whole array (``index`` is a
    tuple of full slices); a leading-axis array's shard ``i`` holds
    ``array[i]`` (``index == (i,)``) with the leading axis dropped.
    """
    self._check_if_deleted()
    if self._is_split():
      from jaxlite.runtime import sharded  # pylint: disable=g-import-not-at-top
      return sharded.addressable_shards(self)
    if self.is_fully_replicated:
      index = (slice(None),) * self.ndim
      return [Shard._with_index(self.device, self.sharding, self.shape, self, index, 0)]
    inner = type(self.aval)(self.shape[1:], self.dtype, self.weak_type)
    me = self._buf._sharding._internal_device_list[0].client.process_index()
    return [Shard._with_index(_buffer_device(b), self.sharding, self.shape, Array(b, inner),
                              (i,), 0)
            for i, b in enumerate(self._device_buffers())
            if _buffer_device(b).process_index == me]

  def addressable_data(self, index: int) -> "Array":
    """The data of this process's ``index``-th shard; a fully replicated
    array gives its first copy whatever ``index`` (as JAX).

    >>> import jaxlite.numpy as jnp
    >>> jnp.arange(3).addressable_data(0)
    Array([0, 1, 2], dtype=int32)
    """
    self._check_if_deleted()
    return self.addressable_shards[0 if self.is_fully_replicated else index].data

  @property
  def global_shards(self) -> list[Shard]:
    """A shard for every device of the sharding (``data`` is None on other
    processes' devices)."""
    self._check_if_deleted()
    if self._is_split():
      from jaxlite.runtime import sharded  # pylint: disable=g-import-not-at-top
      return sharded.global_shards(self)
    return self.addressable_shards

  # -- lifetime ----------------------------------------------------------------
  def _check_if_deleted(self):
    if self._buf.is_deleted():
      raise RuntimeError(
          f"Array has been deleted with shape="
          f"{self.aval.str_short(short_dtypes=False)}.")

  def is_deleted(self) -> bool:
    """Whether ``delete()`` was called (or the buffer was donated).

    >>> from jaxlite.runtime import transfer
    >>> transfer.put_numpy(np.zeros(2)).is_deleted()
    False
    """
    return self._buf.is_deleted()

  def delete(self) -> None:
    """Frees the device memory now; later use raises RuntimeError.

    >>> from jaxlite.runtime import transfer
    >>> x = transfer.put_numpy(np.zeros(2)); x.delete(); x.is_deleted()
    True
    """
    self._buf.delete()
    if self._shards is not None:
      for shard in self._shards:
        shard.delete()
    self._npy = None

  def block_until_ready(self) -> "Array":
    """Waits until the array's value has been computed; returns the array.

    >>> from jaxlite.runtime import transfer
    >>> transfer.put_numpy(np.zeros(2, np.float32)).block_until_ready()
    Array([0., 0.], dtype=float32)
    """
    try:
      self._buf.block_until_ready()
    except Exception:
      self._check_if_deleted()   # JAX's message for a deleted array
      raise
    return self

  def copy_to_host_async(self) -> None:
    """Starts the device-to-host copy so a later ``_value`` is fast.

    On CPU the copy is made when the value is first read.
    """
    self._check_if_deleted()
    if self._npy is None and self.device_platform != "cpu":
      for buf in self._device_buffers():
        buf._copy_single_device_array_to_host_async()

  @property
  def device_platform(self) -> str:
    return self._buf._sharding._internal_device_list[0].platform

  # -- host value --------------------------------------------------------------
  @property
  def _value(self) -> np.ndarray:
    """The value as a read-only NumPy array (copied once, then cached)."""
    self._check_if_deleted()
    npy = self._npy
    if npy is None:
      buffers = self._device_buffers()
      if self._is_split():
        from jaxlite.runtime import sharded  # pylint: disable=g-import-not-at-top
        npy = sharded.host_value(self)
      elif len(buffers) == 1:
        npy = buffer_to_numpy(buffers[0], self.dtype)
      else:
        npy = np.stack([buffer_to_numpy(b, self.dtype) for b in buffers])
      npy = npy.reshape(self.shape)
      npy.flags.writeable = False
      self._npy = npy
    return npy

  def __array__(self, dtype=None, copy=None):
    value = self._value
    if copy is False and dtype is not None and np.dtype(dtype) != value.dtype:
      raise ValueError("Unable to avoid copy while creating an array as "
                       "requested.")
    if copy:
      return np.array(value, dtype=dtype, copy=True)
    return np.asarray(value, dtype=dtype)

  def item(self, *args):
    """The element as a Python scalar, as ``numpy.ndarray.item``.

    >>> from jaxlite.runtime import transfer
    >>> transfer.put_numpy(np.array(3, np.int32)).item()
    3
    """
    return self._value.item(*args)

  def tolist(self):
    """The value as nested Python lists.

    >>> from jaxlite.runtime import transfer
    >>> transfer.put_numpy(np.array([1, 2], np.int32)).tolist()
    [1, 2]
    """
    return self._value.tolist()

  def tobytes(self, order="C") -> bytes:
    return self._value.tobytes(order)

  def __reduce__(self):
    # Pickles the host value; unpickling puts it back on the default device.
    return (_reconstruct_array, (np.asarray(self._value), self.weak_type))

  # -- Python protocols ---------------------------------------------------------
  def __len__(self):
    if not self.aval.shape:
      raise TypeError("len() of unsized object")
    return self.aval.shape[0]

  def __iter__(self):
    if not self.aval.shape:
      raise TypeError("iteration over a 0-d array")
    if not self.is_fully_replicated and not self._is_split():
      # A leading-axis array already holds each slice as a device buffer.
      inner = type(self.aval)(self.shape[1:], self.dtype, self.weak_type)
      return iter([Array(b, inner) for b in self._device_buffers()])
    return (self[i] for i in range(self.aval.shape[0]))

  def _check_scalar(self):
    if self.aval.shape:
      raise TypeError("Only scalar arrays can be converted to Python scalars; "
                      f"got arr.ndim={self.ndim}")

  def _check_integer(self):
    if self.aval.shape or not np.issubdtype(self.dtype, np.integer):
      raise TypeError(
          "Only integer scalar arrays can be converted to a scalar index.")

  def __bool__(self):
    size = self.aval.size
    if size == 0:
      raise ValueError("The truth value of an empty array is ambiguous. Use "
                       "`array.size > 0` to check that an array is not empty.")
    if size > 1:
      raise ValueError("The truth value of an array with more than one "
                       "element is ambiguous. Use a.any() or a.all()")
    return bool(self._value)

  def __float__(self):
    self._check_scalar()
    return self._value.__float__()

  def __int__(self):
    self._check_scalar()
    return self._value.__int__()

  def __complex__(self):
    self._check_scalar()
    return self._value.__complex__()

  def __index__(self):
    self._check_integer()
    return operator.index(self._value)

  def __hex__(self):
    self._check_integer()
    return hex(self._value)

  def __oct__(self):
    self._check_integer()
    return oct(self._value)

  def __format__(self, format_spec):
    value = self._value
    return format(value[()] if value.ndim == 0 else value, format_spec)

  def __str__(self):
    return str(self._value)

  def __repr__(self):
    prefix = "Array("
    dtype_text = f"dtype={self.dtype.name}"
    if self.weak_type:
      dtype_text += ", weak_type=True"
    if self._buf.is_deleted():
      return f"{prefix}<deleted>, shape={self.shape}, {dtype_text})"
    if self.size == 0:
      body = f"[], shape={self.shape}"
    else:
      body = np.array2string(self._value, prefix=prefix, suffix=",",
                             separator=", ")
    # Put the dtype on its own line when it would overflow the last one.
    line_width = np.get_printoptions()["linewidth"]
    last_line = len(body) - body.rfind("\n") + 1
    sep = " " * len(prefix) if last_line + len(dtype_text) + 2 > line_width else " "
    return f"{prefix}{body},{sep}{dtype_text})"

  # -- DLPack --------------------------------------------------------------------
  def __dlpack__(self, *, stream=None, max_version=None, dl_device=None,
                 copy=None):
    from jaxlib import _jax  # pylint: disable=g-import-not-at-top
    self._check_if_deleted()
    if not self.is_fully_replicated:
      raise BufferError("__dlpack__ is only supported for single-device arrays")
    if max_version is not None and tuple(max_version) < (0, 5):
      raise BufferError("JAX does not support any version below (0, 5) but version "
                        f"({max_version}) was requested.")
    arr = self
    if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
      # A consumer asking for another device gets a copy there (JAX's rules).
      target = _dlpack_target_device(dl_device)
      if copy is not None and not copy:
        raise ValueError(
            f"Specified device={target} which requires a copy since the source device "
            f"is {repr(self.device)}, however copy=False. Set copy=True or "
            "copy=None to perform the requested operation.")
      from jaxlite.runtime.transfer import device_put  # pylint: disable=g-import-not-at-top
      arr = device_put(self, target)
    elif copy:
      from jaxlite import numpy as jnp  # pylint: disable=g-import-not-at-top
      arr = jnp.array(self, copy=True)
    return _jax.buffer_to_dlpack_managed_tensor(arr._buf, stream=stream)

  def __dlpack_device__(self):
    device = self.device
    kinds = {"cpu": 1, "cuda": 2, "gpu": 2, "rocm": 10}
    if device.platform not in kinds:
      raise BufferError(f"no DLPack device type for {device.platform!r}")
    return kinds[device.platform], device.local_hardware_id or 0


_new_object = object.__new__


def arrays_of(bufs, avals) -> list:
  """``[Array(b, a) for b, a in zip(bufs, avals)]`` for a launch's results,
  without running ``Array.__init__`` per result (a Python frame entered from
  C is a third of making an Array); tests/test_jit_dispatch_cost.py checks
  that these are all of Array's slots.

  >>> from jaxlite.runtime import transfer
  >>> x = transfer.put_numpy(np.array([1.0], np.float32))
  >>> arrays_of([x._buf], [x.aval])
  [Array([1.], dtype=float32)]
  """
  outs = []
  append = outs.append
  for buf, aval in zip(bufs, avals):
    out = _new_object(Array)
    out._buf = buf
    out.aval = aval
    out._committed = buf._committed
    append(out)
  return outs


def _dlpack_target_device(dl_device):
  """The local device a DLPack ``(device_type, id)`` pair names."""
  from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
  device_type, device_id = dl_device
  platform = {1: "cpu", 2: "gpu", 3: "gpu", 10: "gpu"}.get(int(device_type))
  if platform is None:
    raise BufferError("The device specification passed to to_dlpack contains an unsupported "
                      f"device type (DLDeviceType: {device_type})")
  for d in backend.devices(platform):
    if (d.local_hardware_id or 0) == device_id:
      return d
  raise BufferError(f"no local {platform} device with hardware id {device_id}")


# Host-to-device copies live in runtime/transfer.py, a layer above this one
# (it imports Array from here); it installs its put_numpy here when imported,
# which `import jaxlite` (and so unpickling an Array) always does.
_put_numpy = None


def _reconstruct_array(value, weak_type):
  """An unpickled Array: ``value`` copied to the default device."""
  return _put_numpy(value, weak_type=weak_type)
