"""Top-level helpers about arrays in flight and the installation:
``block_until_ready``, ``copy_to_host_async``, ``live_arrays`` and
``print_environment_info`` (JAX's names at ``jax.*``).

They work on pytrees of ``jaxlite.Array`` (and anything else with the same
methods); leaves without them pass through unchanged, as in JAX.
"""
from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys

from jaxlite import tree_util


def block_until_ready(x):
  """Waits until every array in the pytree ``x`` is computed; returns ``x``.

  Leaves without a ``block_until_ready`` method (Python scalars, NumPy
  arrays) are left alone.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> jaxlite.block_until_ready({"a": jnp.ones(2), "b": 3})
  {'a': Array([1., 1.], dtype=float32), 'b': 3}
  """
  for leaf in tree_util.tree_leaves(x):
    wait = getattr(leaf, "block_until_ready", None)
    if wait is not None:
      wait()
  return x


def copy_to_host_async(x):
  """Starts copying every array of the pytree ``x`` to the host (so that a
  later ``np.asarray`` does not wait for the transfer); returns ``x``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> jaxlite.copy_to_host_async([jnp.arange(3)])
  [Array([0, 1, 2], dtype=int32)]
  """
  for leaf in tree_util.tree_leaves(x):
    start = getattr(leaf, "copy_to_host_async", None)
    if start is not None:
      start()
  return x


def live_arrays(platform=None):
  """The ``jaxlite.Array`` objects alive (not deleted) on ``platform``'s devices
  (default: the default backend's).

  Found through the garbage collector's list of objects, so this is a
  debugging aid (JAX asks the PJRT client; the Arrays are the same).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> x = jnp.ones(3)
  >>> any(a is x for a in jaxlite.live_arrays())
  True
  """
  from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime.array import Array  # pylint: disable=g-import-not-at-top
  name = backend.get_backend(platform).platform
  return [o for o in gc.get_objects()
          if isinstance(o, Array) and not o.is_deleted() and o.device_platform == name]


def _nvidia_smi() -> str | None:
  try:
    return subprocess.check_output(["nvidia-smi"], stderr=subprocess.DEVNULL).decode()
  except Exception:  # pylint: disable=broad-except
    return None   # no GPU tools on this machine


def print_environment_info(return_string: bool = False) -> str | None:
  """Prints (or returns) the versions, devices and JAX_/XLA_ environment
  variables, in JAX's format, for bug reports.

  >>> import jaxlite
  >>> print(jaxlite.print_environment_info(return_string=True))  # doctest: +ELLIPSIS
  jaxlite: ...
  jaxlib: ...
  """
  import jaxlib  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import jaxlite  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
  python_version = sys.version.replace("\n", " ")
  devices = backend.devices()
  # JAX's text (its stray quote after "local devices" included), naming jaxlite.
  info = "\n".join([
      f"jaxlite: {jaxlite.__version__}",
      f"jaxlib: {jaxlib.__version__}",
      f"numpy:  {np.__version__}",
      f"python: {python_version}",
      f"device info: {devices[0].device_kind}-{backend.device_count()}, "
      f"{backend.local_device_count()} local devices\"",
      f"process_count: {backend.process_count()}",
      f"platform: {platform.uname()}"])
  for key, value in os.environ.items():
    if key.startswith(("JAX_", "XLA_")):
      info += f"\n{key}={value}"
  smi = _nvidia_smi()
  if smi:
    info += "\n\n$ nvidia-smi\n" + smi
  if return_string:
    return info
  print(info)
  return None
