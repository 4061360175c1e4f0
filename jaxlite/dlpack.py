"""``jax.dlpack``: arrays from other libraries through the DLPack protocol.

jaxlite arrays export themselves (``Array.__dlpack__`` and
``__dlpack_device__``, on jaxlib's ``buffer_to_dlpack_managed_tensor``), so
NumPy, PyTorch, CuPy, ... can read them without a copy. ``from_dlpack``
imports any object with those two methods:

  >>> import numpy as np
  >>> from jaxlite.dlpack import from_dlpack
  >>> from_dlpack(np.arange(3, dtype=np.float32))
  Array([0., 1., 2.], dtype=float32)

How the data comes in: a jaxlite array is itself (it is already a PJRT
buffer); host memory (``kDLCPU``) is viewed by NumPy and handed to PJRT with
zero-copy semantics, so on the CPU the result shares memory with the source
as JAX's does; device memory of another library is copied through the host
(jaxlib's own DLPack import builds JAX's array classes, which jaxlite may not
import), and ``copy=False`` raises for it. Imports other than of jaxlite
arrays go through NumPy's DLPack reader, so they take the dtypes NumPy does
(bfloat16 and the float8 types only come in from jaxlite arrays).
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from jaxlite import dtypes
from jaxlite.runtime import backend as _backend
from jaxlite.runtime.array import Array
from jaxlite.sharding import Sharding

__all__ = ["from_dlpack", "is_supported_dtype"]

SUPPORTED_DTYPES = frozenset(np.dtype(t) for t in (
    np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float16, ml_dtypes.bfloat16, np.float32, np.float64, np.complex64, np.complex128,
    np.bool_))

# DLPack device types (DLDeviceType) and the jaxlite platform each lives on.
_KDL_CPU, _KDL_CUDA, _KDL_CUDA_HOST, _KDL_ROCM = 1, 2, 3, 10
_DL_DEVICE_TO_PLATFORM = {_KDL_CPU: "cpu", _KDL_CUDA: "gpu", _KDL_CUDA_HOST: "gpu",
                          _KDL_ROCM: "gpu"}


def is_supported_dtype(dtype) -> bool:
  """Check if dtype is supported by jax.dlpack.

    >>> is_supported_dtype("float32"), is_supported_dtype("float8_e4m3fn")
    (True, False)
  """
  if dtype is None:
    raise TypeError(f"Expected a string or dtype-like object; got {dtype=}")
  return np.dtype(dtype) in SUPPORTED_DTYPES


def _single_device(device):
  if isinstance(device, Sharding):
    device_set = device.device_set
    if len(device_set) > 1:
      raise ValueError(
          "from_dlpack can only unpack a dlpack tensor onto a singular device, but "
          f"a Sharding with {len(device_set)} devices was provided.")
    device, = device_set
  return device


def _source_device(external_array):
  # The jaxlite device the DLPack tensor lives on.
  dl_device_type, device_id = external_array.__dlpack_device__()
  platform = _DL_DEVICE_TO_PLATFORM.get(int(dl_device_type))
  if platform is None:
    raise TypeError(
        "Array passed to from_dlpack is on unsupported device type "
        f"(DLDeviceType: {dl_device_type}, array: {external_array}")
  platform_devices = _backend.devices(platform)
  if int(dl_device_type) == _KDL_CUDA_HOST:   # pinned host memory: any GPU reads it
    return int(dl_device_type), platform_devices[0]
  for d in platform_devices:
    if (d.local_hardware_id or 0) == device_id:
      return int(dl_device_type), d
  raise TypeError(f"from_dlpack: no local {platform} device with hardware id {device_id}")


def _check_copy_allowed(device, source_device, copy):
  if device is not None and device != source_device and copy is not None and not copy:
    raise ValueError(
        f"Specified {device=} which requires a copy since the source device "
        f"is {repr(source_device)}, however copy=False. Set copy=True or "
        "copy=None to perform the requested operation.")


def _host_import(external_array, dl_device_type, source_device, copy):
  from jaxlib import xla_client as xc
  from jaxlite.runtime.sharding import single_device_sharding
  from jaxlite.core import ShapedArray
  if dl_device_type == _KDL_CPU:
    host = np.from_dlpack(external_array)
    # ZERO_COPY: PJRT keeps `host` alive and reads its memory in place.
    semantics = xc.HostBufferSemantics.ZERO_COPY
  else:
    if copy is False:
      raise ValueError(
          "from_dlpack: importing device memory of another library needs a copy "
          "through the host in jaxlite, however copy=False. Set copy=True or "
          "copy=None to perform the requested operation.")
    host = np.from_dlpack(external_array, device="cpu")
    semantics = xc.HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL
  aval = ShapedArray(host.shape, host.dtype)
  buf = xc.batched_device_put(aval, single_device_sharding(source_device), [host],
                              [source_device], False, False, semantics, enable_x64=True)
  return Array(buf, aval)


def from_dlpack(external_array, device=None, copy: bool | None = None):
  """Returns a :class:`~jax.Array` representation of a DLPack tensor.

  The returned array shares memory with ``external_array`` when it is a
  jaxlite array or host memory and no device transfer or copy was requested.

  Args:
    external_array: An array object that has ``__dlpack__`` and
      ``__dlpack_device__`` methods.
    device: The (optional) :py:class:`Device` (or single-device ``Sharding``)
      on which the returned array should be placed; the result is then
      committed to it. If unspecified, the array stays on the device it came
      from. A device other than the source's needs a copy, so ``copy`` must
      then be True or None.
    copy: An (optional) boolean, controlling whether or not a copy is performed.
      If ``copy=True`` then a copy is always performed, even if unpacked onto
      the same device. If ``copy=False`` then the copy is never performed and
      will raise an error if necessary. When ``copy=None`` then a copy may be
      performed if needed for a device transfer.

  Returns:
    A jax.Array

  Example:
    >>> import numpy as np
    >>> from_dlpack(np.array([[1, 2]], dtype=np.int8))
    Array([[1, 2]], dtype=int8)
  """
  device = _single_device(device)
  if not hasattr(external_array, "__dlpack__") or not hasattr(external_array,
                                                              "__dlpack_device__"):
    raise TypeError("The array passed to from_dlpack must have __dlpack__ and "
                    "__dlpack_device__ methods.")
  dl_device_type, source_device = _source_device(external_array)
  _check_copy_allowed(device, source_device, copy)
  if isinstance(external_array, Array):
    arr = external_array
  else:
    arr = _host_import(external_array, dl_device_type, source_device, copy)
  from jaxlite import numpy as jnp
  from jaxlite.runtime.transfer import device_put
  canonical = dtypes.canonicalize_dtype(arr.dtype)
  if canonical != arr.dtype:   # 64-bit data without x64: converted, as JAX's
    arr = jnp.asarray(arr, dtype=canonical)
  if device is not None and device != source_device:
    return device_put(arr, device)
  if copy:
    return jnp.array(arr, copy=True)
  return arr
