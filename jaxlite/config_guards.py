"""JAX's remaining top-level option context managers: transfer guards, tracing
and execution guards, user contexts, and the options JAX exposes at the top
level (``jax.threefry_partitionable``, ``jax.softmax_custom_jvp``, ...).

Each option is a state of ``jaxlite.config`` (settable with
``config.update('jax_...', value)``, by environment variable, and as a context
manager or decorator here).

  >>> import jaxlite, numpy as np
  >>> with jaxlite.transfer_guard("disallow"):
  ...   jaxlite.device_put(np.ones(2)).shape   # explicit transfers are allowed
  (2,)
"""
from __future__ import annotations

import contextlib
import itertools
import logging

from jaxlite.config import (check_tracer_leaks, config, define_bool_state, define_enum_state,
                            define_object_state)

logger = logging.getLogger("jaxlite")

_GUARD_LEVELS = ["allow", "log", "disallow", "log_explicit", "disallow_explicit"]


def _guard_state(direction: str):
  return define_enum_state(
      f"jax_transfer_guard_{direction}", _GUARD_LEVELS, None,
      f"Select the transfer guard level for {direction.replace('_', '-')} transfers "
      "(default: the level of jax_transfer_guard, else 'allow').")


transfer_guard_host_to_device = _guard_state("host_to_device")
transfer_guard_device_to_device = _guard_state("device_to_device")
transfer_guard_device_to_host = _guard_state("device_to_host")
_transfer_guard_all = config._states["jax_transfer_guard"]

allow_f16_reductions = define_bool_state(
    "jax_allow_f16_reductions", True,
    "If False, `reduce_sum` on `f16` or `bf16` inputs will raise an error.",
    in_trace_context=True)
auto_pcast = define_bool_state(
    "jax_auto_pcast", True,
    "If True, automatically insert `pvary` to match VMAs on simple ops.",
    in_trace_context=True)
no_tracing = define_bool_state(
    "jax_no_tracing", False, "Disallow tracing for JIT compilation.")
no_execution = define_bool_state(
    "jax_no_execution", False, "Disallow JAX executions.", in_trace_context=True)
remove_size_one_mesh_axis_from_type = define_bool_state(
    "jax_remove_size_one_mesh_axis_from_type", False,
    "Removes mesh axes of size 1 from ShapedArray.sharding and vma",
    in_trace_context=True)
thread_guard = define_bool_state(
    "jax_thread_guard", False,
    "If True, an error is raised if a multi-process JAX operation is called from a "
    "thread other than the one that set the guard.")
array_garbage_collection_guard = define_enum_state(
    "jax_array_garbage_collection_guard", ["allow", "log", "fatal"], None,
    "What happens when a jax.Array is freed by the garbage collector rather than "
    "by reference counting: allow, log, or fatal.")
jax2tf_associative_scan_reductions = define_bool_state(
    "jax2tf_associative_scan_reductions", False,
    "Lowering of the cumulative reductions used by jax2tf (associative scan when True).")

# The options that JAX re-exports under its top level and jaxlite already had.
threefry_partitionable = config._states["jax_threefry_partitionable"]
softmax_custom_jvp = config._states["jax_softmax_custom_jvp"]
default_prng_impl = config._states["jax_default_prng_impl"]
enable_custom_prng = config._states["jax_enable_custom_prng"]
legacy_prng_key = config._states["jax_legacy_prng_key"]
debug_key_reuse = config._states["jax_debug_key_reuse"]


@contextlib.contextmanager
def transfer_guard(new_val: str):
  """Context manager that sets the transfer guard level of every transfer
  direction (host-to-device, device-to-device, device-to-host) for its body.

  Levels: ``"allow"``, ``"log"`` and ``"disallow"`` act on implicit transfers
  (a NumPy array or Python scalar given to an operation); ``"log_explicit"``
  and ``"disallow_explicit"`` also on explicit ones (``device_put``).

  >>> import jaxlite.numpy as jnp, numpy as np
  >>> with transfer_guard("disallow"):
  ...   try:
  ...     jnp.sin(np.ones(2))
  ...   except Exception as e:
  ...     print(str(e).splitlines()[0])
  INVALID_ARGUMENT: Disallowed host-to-device transfer: aval=ShapedArray(float32[2]), dst_sharding=SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)
  """
  with contextlib.ExitStack() as stack:
    stack.enter_context(transfer_guard_host_to_device(new_val))
    stack.enter_context(transfer_guard_device_to_device(new_val))
    stack.enter_context(transfer_guard_device_to_host(new_val))
    stack.enter_context(_transfer_guard_all(new_val))
    yield


def checking_leaks():
  """Context manager that turns on ``jax_check_tracer_leaks`` for its body
  (JAX's ``functools.partial(check_tracer_leaks, True)``).

  >>> with checking_leaks():
  ...   config.jax_check_tracer_leaks
  True
  """
  return check_tracer_leaks(True)


def _guard_level(direction_state) -> str | None:
  level = direction_state.value
  return _transfer_guard_all.value if level is None else level


def guard_host_to_device(aval, device, explicit: bool) -> None:
  """Raises (or logs) as JAX does when a host-to-device transfer of ``aval``
  to ``device`` is guarded against; called only when some guard is set.

  >>> guard_host_to_device(None, None, explicit=False)   # no guard set: nothing
  """
  level = _guard_level(transfer_guard_host_to_device)
  if level is None or level == "allow":
    return
  if explicit and not level.endswith("_explicit"):
    return
  # JAX names the destination by its sharding, with the memory kind.
  message = (f"host-to-device transfer: aval={aval!r}, dst_sharding=SingleDeviceSharding("
             f"device={device!r}, memory_kind={device.default_memory().kind})")
  if level.startswith("log"):
    logger.warning("%s", message)
    return
  from jaxlib import _jax
  raise _jax.JaxRuntimeError(f"INVALID_ARGUMENT: Disallowed {message}")


def host_to_device_guarded() -> bool:
  """Whether a host-to-device guard level other than unset is in force: the
  transfer path's only cost while no guard is set.

  >>> host_to_device_guarded()
  False
  """
  return (transfer_guard_host_to_device.value is not None
          or _transfer_guard_all.value is not None)


_user_context_ids = itertools.count()


class UserConfig:
  """A jit-cache-sensitive value (see :func:`make_user_context`)."""

  def __init__(self, default_value):
    self._state = define_object_state(
        f"jax_user_context_{next(_user_context_ids)}", default_value,
        "A user context (jax.make_user_context).", in_trace_context=True)

  @property
  def value(self):
    """The value in force in this thread."""
    return self._state.value

  def get_global(self):
    """The global value (outside any context)."""
    return self._state.global_value

  def set_global(self, new_value):
    """Sets the global value."""
    config.update(self._state.name, new_value)

  def __call__(self, new_value):
    return self._state(new_value)


def make_user_context(default_value=None) -> UserConfig:
  """Creates a context whose value is part of every jit cache key: when it
  changes, jitted functions are traced and compiled again.

  >>> import jaxlite
  >>> traces = []
  >>> @jaxlite.jit
  ... def f(x):
  ...   traces.append(1)
  ...   return x * 2
  >>> my_context = make_user_context(default_value=None)
  >>> with my_context(1):
  ...   _ = f(1.)
  >>> with my_context(2):
  ...   _ = f(1.)
  >>> len(traces)
  2
  """
  return UserConfig(default_value)
