"""Host-local <-> global arrays as primitives (``jax.experimental.multihost_utils``'s
``host_local_array_to_global_array_p`` and ``global_array_to_host_local_array_p``),
and ``live_devices``.

A host-local array is one process's block of a global array over
``global_mesh``: along each dimension split over mesh axes it is shorter by
the number of processes along those axes. As primitives the conversions can
be traced: under ``jit`` they are the identity on the per-device data (only
the shapes' bookkeeping changes), they are linear (their own transposes, as
in JAX) and batch over a new unsplit dimension.
"""
from __future__ import annotations

import contextlib
import functools
import math

import numpy as np

from jaxlite import core
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.runtime import backend

__all__ = ["host_local_array_to_global_array_p", "global_array_to_host_local_array_p",
           "host_local_array_to_global_array_impl", "global_array_to_host_local_array_impl",
           "ltg_abstract_eval", "gtl_abstract_eval", "ltg_batcher", "live_devices"]


def _check_pspec(pspec):
  if pspec is None:
    raise ValueError("`None` is not a valid input to the pspecs argument. Please use "
                     "jax.sharding.PartitionSpec() if you wanted to replicate your input.")


def _processes_along(global_mesh, pspec, ndim) -> list[int]:
  """For each dimension, how many processes' blocks it is split over: the
  product, over the mesh axes splitting it, of global over local axis size."""
  local_sizes = dict(global_mesh.local_mesh.shape)
  factors = []
  for d in range(ndim):
    entry = pspec[d] if d < len(pspec) else None
    names = () if entry is None else entry if isinstance(entry, tuple) else (entry,)
    factors.append(math.prod(global_mesh.shape[n] // local_sizes[n] for n in names))
  return factors


def ltg_abstract_eval(arr, *, global_mesh, pspec):
  """The global array's type from the host-local one's.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import PartitionSpec as P
  >>> mesh = jaxlite.make_mesh((1,), ('x',))
  >>> ltg_abstract_eval(jaxlite.core.ShapedArray((3,), np.float32), global_mesh=mesh,
  ...                   pspec=P('x'))
  ShapedArray(float32[3])
  """
  factors = _processes_along(global_mesh, pspec, len(arr.shape))
  return core.ShapedArray(tuple(n * f for n, f in zip(arr.shape, factors)), arr.dtype)


def gtl_abstract_eval(arr, *, global_mesh, pspec):
  """The host-local block's type from the global array's.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import PartitionSpec as P
  >>> mesh = jaxlite.make_mesh((1,), ('x',))
  >>> gtl_abstract_eval(jaxlite.core.ShapedArray((3,), np.float32), global_mesh=mesh,
  ...                   pspec=P('x'))
  ShapedArray(float32[3])
  """
  factors = _processes_along(global_mesh, pspec, len(arr.shape))
  return core.ShapedArray(tuple(n // f for n, f in zip(arr.shape, factors)), arr.dtype)


def _is_array(x) -> bool:
  from jaxlite.runtime.array import Array
  return isinstance(x, Array)


def host_local_array_to_global_array_impl(arr, *, global_mesh, pspec):
  """The global array over ``global_mesh`` laid out by ``pspec`` whose block on
  this process's devices is ``arr`` (an array already global is returned).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import PartitionSpec as P
  >>> mesh = jaxlite.make_mesh((1,), ('x',))
  >>> host_local_array_to_global_array_impl(np.arange(2.0), global_mesh=mesh,
  ...                                       pspec=P('x')).sharding.spec
  P('x',)
  """
  from jaxlite.interpreters import spmd
  from jaxlite.sharding import NamedSharding
  _check_pspec(pspec)
  if _is_array(arr) and not arr.is_fully_addressable:
    return arr
  sharding = NamedSharding(global_mesh, pspec)
  if _is_array(arr) and arr.sharding.is_equivalent_to(sharding, arr.ndim):
    return arr   # one process: its block is the whole, laid out already
  local = np.asarray(arr)   # the block moves to its devices from the host
  return spmd.make_array_from_process_local_data(sharding, local)


def global_array_to_host_local_array_impl(arr, *, global_mesh, pspec):
  """This process's block of the global array ``arr``, as an array over the
  local mesh (an array that is host-local already is returned as it is).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import PartitionSpec as P
  >>> mesh = jaxlite.make_mesh((1,), ('x',))
  >>> x = jaxlite.numpy.ones(2)
  >>> global_array_to_host_local_array_impl(x, global_mesh=mesh, pspec=P('x')) is x
  True
  """
  import jaxlite
  from jaxlite.sharding import NamedSharding
  _check_pspec(pspec)
  if _is_array(arr) and arr.is_fully_addressable:
    return arr
  local_sharding = NamedSharding(global_mesh.local_mesh, pspec)
  if not _is_array(arr):
    return jaxlite.device_put(np.asarray(arr), local_sharding)
  # The local block spans the union of this process's shards' indices.
  shards = arr.addressable_shards
  bounds = [slice(min(s.index[d].indices(n)[0] for s in shards),
                  max(s.index[d].indices(n)[1] for s in shards))
            for d, n in enumerate(arr.shape)]
  local = np.empty([b.stop - b.start for b in bounds], arr.dtype)
  for s in shards:
    region = tuple(slice(i.indices(n)[0] - b.start, i.indices(n)[1] - b.start)
                   for i, b, n in zip(s.index, bounds, arr.shape))
    local[region] = np.asarray(s.data)
  return jaxlite.device_put(local, local_sharding)


host_local_array_to_global_array_p = core.Primitive("host_local_array_to_global_array")
host_local_array_to_global_array_p.def_impl(host_local_array_to_global_array_impl)
host_local_array_to_global_array_p.def_abstract_eval(ltg_abstract_eval)

global_array_to_host_local_array_p = core.Primitive("global_array_to_host_local_array")
global_array_to_host_local_array_p.def_impl(global_array_to_host_local_array_impl)
global_array_to_host_local_array_p.def_abstract_eval(gtl_abstract_eval)


def _self_transpose(primitive):
  # As JAX: the cotangent goes through the same conversion.
  return lambda ct, x, **params: [primitive.bind(ad.instantiate_zeros(ct), **params)]


def ltg_batcher(insert_axis, axis_data, vals_in, dims_in, global_mesh, pspec):
  """vmap of ``host_local_array_to_global_array_p``: the batch dimension is
  added to ``pspec`` split over the vmap's SPMD axis (unsplit without one)."""
  from jaxlite.sharding import PartitionSpec
  del insert_axis
  (x,), (d,) = vals_in, dims_in
  spec = list(pspec)
  if d is not batching.not_mapped:
    spec.insert(d, getattr(axis_data, "spmd_name", None))
  out = host_local_array_to_global_array_p.bind(x, global_mesh=global_mesh,
                                                pspec=PartitionSpec(*spec))
  return out, d


for _p in (host_local_array_to_global_array_p, global_array_to_host_local_array_p):
  ad.deflinear2(_p, _self_transpose(_p))
  mlir.register_lowering(_p, lambda ctx, x, **params: x)   # the data stay where they are
batching.axis_primitive_batchers[host_local_array_to_global_array_p] = functools.partial(
    ltg_batcher, False)
batching.defvectorized(global_array_to_host_local_array_p)


# --- live_devices ---------------------------------------------------------------------------------


def _live_devices(client, devices) -> dict:
  """The devices of ``devices`` whose processes are alive, each with its
  process's incarnation id."""
  process_ids = {d.process_index for d in devices}
  if backend.process_index() not in process_ids:
    raise ValueError("Provided devices do not have any local devices.")
  alive = client.get_live_nodes(sorted(process_ids))
  return {d: alive[d.process_index] for d in devices if d.process_index in alive}


class _LiveDevices:
  """``with live_devices(devices) as alive:`` runs its body on the devices of
  ``devices`` whose processes are alive; every process of ``alive`` gets the
  same list (a barrier over them), and if one of them fails during the body,
  every survivor raises ``ProcessFailureError`` naming the failed devices.
  Needs ``jaxlite.distributed.initialize``.

  >>> import jaxlite
  >>> with live_devices(jaxlite.devices()) as alive:
  ...   pass
  Traceback (most recent call last):
  ...
  RuntimeError: Distributed JAX not initialized.
  """

  def __init__(self):
    self.devices = None

  @contextlib.contextmanager
  def __call__(self, devices):
    from jaxlite.experimental.multihost_utils import ProcessFailureError
    client = backend.distributed_state.client
    if client is None:
      raise RuntimeError("Distributed JAX not initialized.")
    if not devices:
      raise ValueError("No devices provided.")
    if self.devices is None:
      self.devices = _live_devices(client, devices)
    raised = None
    try:
      yield sorted(self.devices, key=lambda d: d.id)
    except Exception as e:  # pylint: disable=broad-except
      raised = e
    finally:
      before, self.devices = self.devices, _live_devices(client, devices)
      # Failed: its process is gone, or came back as a new incarnation.
      failed = {d for d in before if self.devices.get(d, None) != before[d]}
      if failed:
        raise ProcessFailureError(failed) from raised
      if raised is not None:
        raise raised


live_devices = _LiveDevices()
