"""Moving data between the host and devices.

``device_put`` / ``device_get`` work on pytrees, as JAX's do; ``put_numpy`` is
the one-call fast path the eager dispatch uses. Importing this module does not
import jaxlib.

  >>> x = device_put([1.0, np.arange(3)])
  >>> device_get(x)
  [array(1., dtype=float32), array([0, 1, 2], dtype=int32)]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from jaxlite import dtypes
from jaxlite import tree_util
from jaxlite.config import config
from jaxlite import config_guards
from jaxlite.core import ShapedArray, Tracer
from jaxlite.runtime import backend, placement
from jaxlite.runtime import array as array_module
from jaxlite.runtime.array import Array

_jaxlib = None  # (xla_client, sharding module, copy semantics), on first use
# The host-to-device transfer guard levels, read on every transfer (None: unset).
_guard_h2d = config_guards.transfer_guard_host_to_device
_guard_all = config_guards._transfer_guard_all


def _runtime():
  global _jaxlib
  if _jaxlib is None:
    from jaxlib import xla_client as xc  # pylint: disable=g-import-not-at-top
    from jaxlite.runtime import sharding  # pylint: disable=g-import-not-at-top
    # Copy the host data during the call: a NumPy array the user mutates later
    # must not change the device array (CPU would otherwise alias it).
    _jaxlib = (xc, sharding, xc.HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL)
  return _jaxlib


def put_numpy(x: np.ndarray, device=None, weak_type: bool = False,
              committed: bool | None = None, explicit: bool = False) -> Array:
  """Copies a host array, whose dtype is already canonical, to one device.

  The dispatch fast path: one ``xc.batched_device_put`` call, no dtype
  canonicalisation (the buffer gets exactly ``x.dtype``).

  Args:
    x: a NumPy array (or NumPy scalar).
    device: the target device; None means the default device, uncommitted.
    weak_type: the weak type of the result.
    committed: whether the result is committed to its device (default: True
      exactly when `device` is given).
    explicit: whether the user asked for this transfer (``device_put``), for
      the transfer guards (``jax.transfer_guard``).

  Returns:
    An ``Array`` with ``x``'s shape and dtype.

  >>> put_numpy(np.arange(3, dtype=np.int32))
  Array([0, 1, 2], dtype=int32)
  """
  xc, sharding, semantics = _runtime()
  if committed is None:
    committed = device is not None
  if device is None:
    device = backend.default_device()
  x = np.asarray(x)
  aval = ShapedArray(x.shape, x.dtype, weak_type)
  if _guard_h2d.value is not None or _guard_all.value is not None:
    config_guards.guard_host_to_device(aval, device, explicit)
  # enable_x64=True: the dtype was chosen by the caller and must be kept.
  buf = xc.batched_device_put(aval, sharding.single_device_sharding(device),
                              [x], [device], committed, False, semantics,
                              enable_x64=True)
  return Array(buf, aval)


# ---------------------------------------------------------------------------
# Leaves: validation and canonicalisation on the host
# ---------------------------------------------------------------------------

array_module._put_numpy = put_numpy   # unpickling Arrays (see runtime/array.py)


def _valid_dtype(dt: np.dtype) -> bool:
  if dt.kind in "biufc":
    return True
  # bfloat16, float8 etc. are ml_dtypes types that NumPy files under kind 'V'
  # (jaxlite.dtypes' table holds them once ml_dtypes is loaded).
  return dt.kind == "V" and dt.names is None and dt in dtypes._valid_dtypes


def _host_leaf(x) -> tuple[np.ndarray, bool]:
  """A non-Array leaf as a canonical host array and its weak type.

  Raises TypeError, as JAX does, for values that are not arrays of numbers.
  """
  typ = type(x)
  if typ in dtypes.python_scalar_types:
    return dtypes.coerce_to_array(x), typ is not bool
  if hasattr(x, "__jax_array__"):
    return _host_leaf(x.__jax_array__())
  if not isinstance(x, (np.ndarray, np.generic)):
    if not hasattr(x, "__array__"):
      raise TypeError(f"Argument '{x}' of type {typ} is not a valid JAX type")
    x = np.asarray(x)
  dt = x.dtype
  if not _valid_dtype(dt):
    raise TypeError(f"Dtype {dt} is not a valid JAX array type. Only arrays "
                    "of numeric types are supported by JAX.")
  arr = np.asarray(x)
  return arr.astype(dtypes.canonicalize_dtype(dt), copy=False), False


def _as_device(device):
  """A Device from a Device, a single-device sharding, or None."""
  if device is None:
    return None
  inner = getattr(device, "_device", None)  # a SingleDeviceSharding
  if inner is not None:
    return inner
  device_list = getattr(device, "_internal_device_list", None)
  if device_list is not None:
    if len(device_list) != 1:
      raise ValueError("device_put: only single-device shardings are "
                       f"supported, got one over {len(device_list)} devices")
    return device_list[0]
  if not hasattr(device, "platform") or not hasattr(device, "id"):
    raise TypeError(f"device_put: `device` must be a Device or a Sharding, "
                    f"got {device!r} of type {type(device)}")
  return device


def _names_one_device(device) -> bool:
  """Whether ``device`` is a Device or a SingleDeviceSharding."""
  return (hasattr(device, "_device")
          or (hasattr(device, "platform") and hasattr(device, "id")))


def _commit(x: Array, device) -> Array:
  """`x` committed to `device`, sharing its buffer when it is already there."""
  if x.is_fully_replicated and x.device == device:
    if x.committed:
      return x
    xc, sharding, _ = _runtime()
    buf = xc.ArrayImpl(x.aval, sharding.single_device_sharding(device),
                       [x._buf], True, _skip_checks=True)
    return Array(buf, x.aval)
  if placement.on_device(x._buf) is not None:
    # Another device: copied device to device by the PJRT client.
    return Array(placement.copy_buffer_to(x._buf, device), x.aval)
  # Pieces on several devices (a pmap result): gathered through the host.
  return put_numpy(x._value, device, x.weak_type)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def device_put(x: Any, device=None, *, src=None, donate=False, may_alias=None) -> Any:
  """Transfers `x` (a pytree of arrays and scalars) to a device.

  Args:
    x: an array, scalar, or (nested) standard Python container thereof.
    device: a Device (or single-device sharding). When given, the results are
      committed to it; otherwise they go to the default device, uncommitted.
    src: where `x` lives (a Device or Sharding, or a pytree prefix of them);
      concrete arrays carry their own placement, so it only has to be valid.
    donate: a bool (or pytree prefix of bools): the caller gives up the
      input's buffer. Best effort, as JAX's: on one device the input may
      stay alive.
    may_alias: a bool or None (or pytree prefix): False asks for a fresh
      buffer even when `x` is already where it should be; True or None let
      the result share `x`'s buffer.

  Returns:
    A pytree of ``Array`` with the structure of `x`. Dtypes are canonicalised
    (64-bit types become 32-bit while x64 is off); Python scalars become
    weakly typed arrays.

  >>> device_put(1.0)
  Array(1., dtype=float32, weak_type=True)
  >>> device_put(np.arange(2.0))
  Array([0., 1.], dtype=float32)
  """
  if isinstance(device, (str, bytes, int, float, complex, np.ndarray, np.generic)):
    raise ValueError(
        "`jax.device_put` only accepts `None`, `jax.sharding.Sharding`,"
        " `jax.Device`, `Format`, `jax.memory.Space` or a pytree of these"
        f" values. Received invalid value: {device}")
  if device is not None and not _names_one_device(device):
    # A sharding over several devices, a PartitionSpec, or a pytree of them.
    from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
    return spmd.device_put_tree(x, device)
  device = _as_device(device)
  leaves, treedef = tree_util.tree_flatten(x)
  copies = _copy_flags(treedef, donate, may_alias)
  if any(hasattr(leaf, "_base_array") for leaf in leaves):
    # Key arrays move as their key data (see jaxlite.prng.PRNGKeyArray).
    is_key = [hasattr(leaf, "_base_array") for leaf in leaves]
    data = [leaf._base_array if k else leaf for leaf, k in zip(leaves, is_key)]
    moved = tree_util.tree_leaves(device_put(treedef.unflatten(data), device, src=src,
                                             donate=donate, may_alias=may_alias))
    return treedef.unflatten([leaf._wrap(m) if k else m
                              for leaf, m, k in zip(leaves, moved, is_key)])
  if src is not None and not isinstance(src, (str, bytes)) and _names_one_device(src):
    _as_device(src)
  # Validate every leaf before the first transfer, so a bad leaf changes nothing.
  hosts = [None if isinstance(leaf, (Array, Tracer)) else _host_leaf(leaf)
           for leaf in leaves]
  out = []
  for leaf, host, copy in zip(leaves, hosts, copies):
    if isinstance(leaf, Tracer):
      # A traced value stays in its transformation (JAX's device_put is the
      # identity under jit and differentiates as the identity).
      out.append(leaf)
    elif host is None:
      leaf._check_if_deleted()
      if copy:   # may_alias=False: a buffer of its own (here, through the host)
        out.append(put_numpy(leaf._value, device or leaf.device, leaf.weak_type,
                             committed=device is not None or leaf.committed))
      else:
        out.append(leaf if device is None else _commit(leaf, device))
    else:
      out.append(put_numpy(host[0], device, host[1], explicit=True))
  return treedef.unflatten(out)


def _flag_leaves(name, treedef, flags):
  """One flag per leaf of ``treedef`` from a bool or a pytree prefix of bools."""
  if flags is None or isinstance(flags, bool):
    return [flags] * treedef.num_leaves
  from jaxlite.vectorization import flatten_axes
  return flatten_axes(f"device_put {name}", treedef, flags)


def _copy_flags(treedef, donate, may_alias) -> list[bool]:
  """Per leaf: whether device_put must give it a fresh buffer (may_alias=False);
  donate and may_alias may not both be True (JAX's ValueError)."""
  donate_flat = _flag_leaves("donate", treedef, donate)
  alias_flat = _flag_leaves("may_alias", treedef, may_alias)
  for d, m in zip(donate_flat, alias_flat):
    if d and m:
      raise ValueError("may_alias and donate cannot be True at the same time.")
  return [m is False for m in alias_flat]


def device_get(x: Any) -> Any:
  """Transfers `x` (a pytree) to the host: Arrays become NumPy arrays.

  Leaves that are not Arrays are returned unchanged.

  >>> device_get(device_put(np.arange(3)))
  array([0, 1, 2], dtype=int32)
  >>> device_get(1)
  1
  """
  leaves, treedef = tree_util.tree_flatten(x)
  for leaf in leaves:
    if isinstance(leaf, Array):
      leaf.copy_to_host_async()  # overlap the copies of several leaves
  return treedef.unflatten([leaf._value if isinstance(leaf, Array) else leaf
                            for leaf in leaves])


def _stacked_array(host_slices: list[np.ndarray], weak_type: bool,
                   devices: Sequence) -> Array:
  """An Array whose slice ``i`` (leading axis) lives on ``devices[i]``."""
  devices = tuple(devices)
  if len(devices) == 1:
    # A one-device stack is an ordinary single-device array of shape (1, ...).
    return put_numpy(host_slices[0][None], devices[0], weak_type)
  xc, sharding, semantics = _runtime()
  inner = ShapedArray(host_slices[0].shape, host_slices[0].dtype, weak_type)
  shards = []
  for host, device in zip(host_slices, devices):
    shards.append(xc.batched_device_put(
        inner, sharding.single_device_sharding(device), [host], [device],
        True, False, semantics, enable_x64=True))
  aval = ShapedArray((len(devices),) + inner.shape, inner.dtype, weak_type)
  buf = xc.ArrayImpl(aval, sharding.leading_axis_sharding(devices), shards,
                     True, _skip_checks=True)
  return Array(buf, aval, shards)


def _host_slice(x) -> tuple[np.ndarray, bool]:
  if isinstance(x, Array):
    return np.asarray(x._value), x.weak_type
  return _host_leaf(x)


def _check_devices(devices, fun_name: str) -> list:
  if not isinstance(devices, Sequence) or isinstance(devices, str) or not devices:
    raise ValueError(f"`devices` argument to `{fun_name}` must be a "
                     "non-empty sequence.")
  return [_as_device(d) for d in devices]


def device_put_replicated(x: Any, devices: Sequence) -> Any:
  """Transfers `x` to each of `devices`, stacked along a new leading axis.

  Args:
    x: an array, scalar, or (nested) standard Python container thereof.
    devices: a sequence of Devices; slice ``i`` of each result lives on
      ``devices[i]``.

  Returns:
    A pytree like `x` whose leaves have shape ``(len(devices),) + x.shape``.

  >>> from jaxlite.runtime import backend
  >>> device_put_replicated(np.ones(2, np.float32), backend.local_devices()[:1])
  Array([[1., 1.]], dtype=float32)
  """
  devices = _check_devices(devices, "device_put_replicated")
  leaves, treedef = tree_util.tree_flatten(x)
  hosts = [_host_slice(leaf) for leaf in leaves]
  return treedef.unflatten([
      _stacked_array([host] * len(devices), weak, devices)
      for host, weak in hosts])


def device_put_sharded(shards: Sequence[Any], devices: Sequence) -> Any:
  """Transfers ``shards[i]`` to ``devices[i]`` and stacks them into Arrays.

  Args:
    shards: a sequence of arrays, scalars or pytrees of them, all with the same
      tree structure, shapes and dtypes.
    devices: a sequence of Devices of the same length.

  Returns:
    A pytree like ``shards[0]`` whose leaves stack the shards' leaves along a
    new leading axis, slice ``i`` living on ``devices[i]``.

  >>> from jaxlite.runtime import backend
  >>> device_put_sharded([np.arange(2)], backend.local_devices()[:1])
  Array([[0, 1]], dtype=int32)
  """
  if not isinstance(shards, Sequence) or isinstance(shards, str):
    raise TypeError("device_put_sharded `shards` input must be a sequence; "
                    f"got {type(shards)}")
  devices = _check_devices(devices, "device_put_sharded")
  if len(shards) != len(devices):
    raise ValueError(f"len(shards) = {len(shards)} must equal "
                     f"len(devices) = {len(devices)}.")
  flat = [tree_util.tree_flatten(s) for s in shards]
  treedef = flat[0][1]
  for _, other in flat[1:]:
    if other != treedef:
      raise ValueError("the shards passed to device_put_sharded must have the "
                       f"same tree structure, but got {treedef} and {other}.")
  out = []
  for leaf_index in range(treedef.num_leaves):
    hosts = [_host_slice(leaves[leaf_index]) for leaves, _ in flat]
    first = hosts[0][0]
    for host, _ in hosts[1:]:
      if host.shape != first.shape or host.dtype != first.dtype:
        raise ValueError(
            "the shards passed to device_put_sharded must have consistent "
            f"shape and dtype, but got {_short(first)} and {_short(host)}.")
    out.append(_stacked_array([h for h, _ in hosts],
                              all(w for _, w in hosts), devices))
  return treedef.unflatten(out)


def _short(x: np.ndarray) -> str:
  return ShapedArray(x.shape, x.dtype).str_short(short_dtypes=False)
