"""Where a computation runs when some operands are committed to a device.

JAX's rule, for eager operations and jitted calls alike: an operand that was
placed with ``device_put(x, device)`` (or is the result of a computation on
committed operands) is *committed*; everything else (fresh arrays, Python
scalars, NumPy values) is not. A computation runs on the one device its
committed operands share, and uncommitted operands follow them there; when
none is committed it runs on the default device. Committed operands on
different devices are an error.

Uncommitted operands are copied device to device (no host round trip).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> x = jaxlite.device_put(jnp.arange(3.0), jaxlite.devices()[0])
  >>> committed_device([x, jnp.ones(3)]) == jaxlite.devices()[0]
  True
  >>> committed_device([jnp.ones(3)]) is None
  True
"""
from __future__ import annotations


class MultiDeviceOperand(Exception):
  """A committed operand spans several devices (a pmap or sharded array):
  the caller decides how such operands run."""


def describe(arg_name, fun_name, aval, devices) -> str:
  """One operand in JAX's words, for the incompatible-devices error."""
  ids = [d.id for d in devices]
  return (f"argument {arg_name} of {fun_name} with shape "
          f"{aval.str_short(short_dtypes=False)} and with device ids {ids} on platform "
          f"{devices[0].platform.upper()}")


def committed_device(args, fun_name="", arg_names=None):
  """The device that the committed operands among ``args`` (``Array``s) share,
  or None when none is committed.

  Raises:
    MultiDeviceOperand: a committed operand lives on several devices.
    ValueError: committed operands live on different devices (JAX's message;
      ``arg_names`` name the operands in it, ``fun_name`` the computation).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> d = jaxlite.devices()[0]
  >>> committed_device([jaxlite.device_put(1.0, d)]) == d
  True
  """
  device = first = None
  for i, a in enumerate(args):
    buf = a._buf
    if not buf._committed:
      continue
    device_list = buf._sharding._internal_device_list
    if len(device_list) != 1:
      raise MultiDeviceOperand
    d = device_list[0]
    if device is None:
      device, first = d, i
    elif d != device:
      def name(j):
        return arg_names[j] if arg_names is not None and j < len(arg_names) else f"args[{j}]"
      raise ValueError(
          "Received incompatible devices for jitted computation. Got "
          f"{describe(name(first), fun_name, args[first].aval, [device])} and "
          f"{describe(name(i), fun_name, a.aval, [d])}")
  return device


def spans_mesh(buf) -> bool:
  """Whether the jaxlib array ``buf`` is split over a mesh of several devices
  by a ``jaxlite.sharding`` sharding (not pmap's one slice per device).

  >>> import jaxlite.numpy as jnp
  >>> spans_mesh(jnp.ones(2)._buf)
  False
  """
  layout = buf._sharding
  return type(layout) is (_ArrayLayout or _load_array_layout()) and layout.spans_devices


_ArrayLayout = None   # jaxlite.runtime.sharding.ArrayLayout, once needed (it imports jaxlib)


def _load_array_layout():
  global _ArrayLayout
  from jaxlite.runtime import sharding  # pylint: disable=g-import-not-at-top
  _ArrayLayout = sharding.ArrayLayout
  return _ArrayLayout


def on_device(buf) -> object:
  """The device of a single-device jaxlib array (None when it spans several)."""
  device_list = buf._sharding._internal_device_list
  return device_list[0] if len(device_list) == 1 else None


def copy_buffer_to(buf, device, committed=True):
  """A copy of the single-device jaxlib array ``buf`` on ``device``, made
  device to device by the PJRT client."""
  from jaxlib import _jax, xla_client as xc  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import sharding  # pylint: disable=g-import-not-at-top
  copy, = xc.batched_copy_array_to_devices_with_sharding(
      [buf], [_jax.DeviceList((device,))], [sharding.single_device_sharding(device)],
      [xc.ArrayCopySemantics.ALWAYS_COPY])
  if copy._committed != committed:
    copy = xc.ArrayImpl(copy.aval, copy._sharding, [copy], committed, _skip_checks=True)
  return copy


def follow(args, device):
  """``args`` with each operand that is not on ``device`` copied there (the
  uncommitted ones; committed ones are already there, see ``committed_device``).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> d = jaxlite.devices()[0]
  >>> follow([jnp.ones(2)], d)[0].devices() == {d}
  True
  """
  from jaxlite.runtime.array import Array  # pylint: disable=g-import-not-at-top
  out = []
  for a in args:
    if on_device(a._buf) == device:
      out.append(a)
    else:
      a._check_if_deleted()
      buf = a._buf
      if on_device(buf) is None:   # a pmap result spread over devices: its data
        from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
        out.append(transfer.put_numpy(a._value, device, a.weak_type))
        continue
      out.append(Array(copy_buffer_to(buf, device, committed=False), a.aval))
  return out
