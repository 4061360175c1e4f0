"""Arranging devices into a mesh (``jax.experimental.mesh_utils``).

On CPU the devices keep their order; on GPU they are ordered by id, as JAX
orders them. TPU's physical-topology orderings are not reproduced here (no
TPU to check them on): ``create_device_mesh`` refuses TPU devices.

  >>> from jaxlite.runtime import backend
  >>> create_device_mesh((1,), backend.devices()[:1]).shape
  (1,)
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

# JAX lets a device kind register its own mesh builder here.
device_kind_handler_dict: dict = {}


def canonicalize_axis_sizes(axis_sizes) -> tuple | None:
  """The sizes as a tuple of ints, or None if one is not an int."""
  try:
    return tuple(int(s) for s in axis_sizes)
  except (TypeError, ValueError):
    return None


def create_device_mesh(mesh_shape: Sequence[int], devices: Sequence[Any] | None = None,
                       *, contiguous_submeshes: bool = False,
                       allow_split_physical_axes: bool = False) -> np.ndarray:
  """An array of devices of shape ``mesh_shape`` for ``jax.sharding.Mesh``.

  Args:
    mesh_shape: the logical mesh shape, most communication-heavy axis last.
    devices: the devices (default: ``jax.devices()``); their number must be
      the product of ``mesh_shape``.
    contiguous_submeshes, allow_split_physical_axes: TPU topology options.

  >>> from jaxlite.runtime import backend
  >>> create_device_mesh((1, 1), backend.devices()[:1])
  array([[CpuDevice(id=0)]], dtype=object)
  """
  del allow_split_physical_axes
  if devices is None:
    from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
    devices = backend.devices()
  shape = canonicalize_axis_sizes(mesh_shape)
  if shape is None:
    raise ValueError("`mesh_shape` passed to `create_device_mesh` should be a "
                     f"sequence of ints. Got {mesh_shape}")
  if math.prod(shape) != len(devices):
    raise ValueError(f"Number of devices {len(devices)} must equal the product "
                     f"of mesh_shape {shape}")
  last = devices[-1]
  handler = device_kind_handler_dict.get(last.device_kind)
  if handler is not None:
    result = handler(shape, devices, contiguous_submeshes=contiguous_submeshes)
    if result is not None:
      return result
  if last.platform == "tpu":
    raise NotImplementedError(
        "create_device_mesh: TPU topology-aware meshes are not implemented in "
        "jaxlite; build the array of devices yourself and pass it to Mesh")
  if last.platform == "gpu":
    return np.asarray(sorted(devices, key=lambda d: d.id)).reshape(shape)
  return np.asarray(devices).reshape(shape)


def create_hybrid_device_mesh(mesh_shape: Sequence[int], dcn_mesh_shape: Sequence[int],
                              devices: Sequence[Any] | None = None, *,
                              process_is_granule: bool = False,
                              should_sort_granules_by_key: bool = True,
                              allow_split_physical_axes: bool = False) -> np.ndarray:
  """A mesh over several granules (processes or slices): an inner
  ``mesh_shape`` mesh per granule, the granules arranged as ``dcn_mesh_shape``.

  >>> from jaxlite.runtime import backend
  >>> create_hybrid_device_mesh((1,), (1,), backend.devices()[:1], process_is_granule=True).shape
  (1,)
  """
  if devices is None:
    from jaxlite.runtime import backend  # pylint: disable=g-import-not-at-top
    devices = backend.devices()
  attr = "process_index" if process_is_granule else "slice_index"
  if not hasattr(devices[0], attr):
    raise ValueError(f"Device {devices[0]} does not have attribute {attr}. See "
                     "`process_is_granule` option.")
  granules: dict = {}
  for d in devices:
    granules.setdefault(getattr(d, attr), []).append(d)
  keys = sorted(granules) if should_sort_granules_by_key else list(granules)
  if math.prod(dcn_mesh_shape) != len(keys):
    raise ValueError(f"Number of slices {len(keys)} must equal the product of "
                     f"dcn_mesh_shape {dcn_mesh_shape}")
  per_granule = [create_device_mesh(mesh_shape, granules[k],
                                    allow_split_physical_axes=allow_split_physical_axes)
                 for k in keys]
  granule_grid = np.empty(len(keys), dtype=object)
  granule_grid[:] = per_granule
  granule_grid = granule_grid.reshape(tuple(dcn_mesh_shape))
  return np.block(granule_grid.tolist())
