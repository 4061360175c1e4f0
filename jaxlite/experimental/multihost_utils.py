"""``jax.experimental.multihost_utils``: moving data between the processes of a
job (``jaxlite.distributed.initialize``) through global arrays and XLA's
collectives.

Every function here builds a global array over all devices of the job, one
block per process, and runs a compiled SPMD program on it (XLA's
cross-process collectives do the moving); on one process they are plain
array operations.

  >>> import numpy as np
  >>> process_allgather(np.arange(3.0))
  array([[0., 1., 2.]], dtype=float32)
"""
from __future__ import annotations

import functools
import zlib

import numpy as np

from jaxlite import tree_util
from jaxlite.experimental.multihost_arrays import (  # noqa: F401  (JAX's names here)
    global_array_to_host_local_array_impl, global_array_to_host_local_array_p,
    gtl_abstract_eval, host_local_array_to_global_array_impl,
    host_local_array_to_global_array_p, live_devices, ltg_abstract_eval, ltg_batcher)
from jaxlite.runtime import backend

from jaxlite.sharding.partition_spec import PartitionSpec as P
from jaxlite.tree_util import tree_flatten, tree_unflatten
from jaxlite.util import safe_zip

__all__ = ["process_allgather", "broadcast_one_to_all", "sync_global_devices",
           "assert_equal", "host_local_array_to_global_array",
           "global_array_to_host_local_array", "reached_preemption_sync_point",
           "ProcessFailureError", "host_local_array_to_global_array_p",
           "global_array_to_host_local_array_p", "host_local_array_to_global_array_impl",
           "global_array_to_host_local_array_impl", "ltg_abstract_eval", "gtl_abstract_eval",
           "ltg_batcher", "live_devices"]


class ProcessFailureError(Exception):
  """Raised when one or more processes of the job have failed.

  Attributes:
    failed_devices: the devices of the failed processes.

  >>> str(ProcessFailureError({1}))
  'Devices failed: {1}'
  """

  def __init__(self, failed_devices: set):
    self.failed_devices = failed_devices
    super().__init__(f"Devices failed: {failed_devices}")


def reached_preemption_sync_point(step_id: int) -> bool:
  """Whether every process has reached the step at which to checkpoint after
  a preemption notice (SIGTERM) reached one of them; call it at every step.
  Always False outside a multi-process job.

  >>> reached_preemption_sync_point(0)
  False
  """
  state = backend.distributed_state
  if state.client is None:
    return False
  manager = getattr(state, "preemption_sync_manager", None)
  if manager is None:
    raise RuntimeError("Preemption sync manager has not been initialized. Make sure the "
                       "'jax_enable_preemption_service' config is enabled.")
  return manager.reached_sync_point(step_id)


def _lib():
  import jaxlite  # pylint: disable=g-import-not-at-top
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec  # pylint: disable=g-import-not-at-top
  return jaxlite, spmd, Mesh, NamedSharding, PartitionSpec


@functools.lru_cache(maxsize=None)
def _process_mesh():
  """All devices of the job as a (processes, local devices) mesh."""
  _, _, Mesh, _, _ = _lib()
  devices = sorted(backend.devices(), key=lambda d: (d.process_index, d.id))
  n = backend.process_count()
  return Mesh(np.array(devices).reshape(n, len(devices) // n), ("processes", "local"))


def _stacked_global(x: np.ndarray):
  """A global array of shape (processes,) + x.shape whose row p is process p's x."""
  jaxlite, spmd, _, NamedSharding, PartitionSpec = _lib()
  sharding = NamedSharding(_process_mesh(), PartitionSpec("processes"))
  return spmd.make_array_from_process_local_data(sharding, x[None])


@functools.lru_cache(maxsize=None)
def _replicate_fn():
  jaxlite, _, _, NamedSharding, PartitionSpec = _lib()
  return jaxlite.jit(lambda v: v,
                     out_shardings=NamedSharding(_process_mesh(), PartitionSpec()))


@functools.lru_cache(maxsize=None)
def _sum_fn():
  jaxlite, _, _, NamedSharding, PartitionSpec = _lib()
  return jaxlite.jit(lambda v: jaxlite.numpy.sum(v, axis=0),
                     out_shardings=NamedSharding(_process_mesh(), PartitionSpec()))


def _local_value(arr) -> np.ndarray:
  """The value of a replicated global array, read from one local shard."""
  return np.asarray(arr.addressable_shards[0].data)


def _replicated_value(arr) -> np.ndarray:
  """Every process gets the whole value of the global array ``arr``."""
  jaxlite, _, _, NamedSharding, PartitionSpec = _lib()
  if arr.is_fully_addressable:
    return np.asarray(arr)
  mesh = arr.sharding.mesh
  out = jaxlite.jit(lambda v: v, out_shardings=NamedSharding(mesh, PartitionSpec()))(arr)
  return _local_value(out)


def process_allgather(in_tree, tiled: bool = False):
  """Gathers data from every process: each leaf that is a global array comes
  back whole; each host-local leaf comes back stacked (``tiled=False``) or
  concatenated (``tiled=True``) along a leading axis over processes.

  Returns NumPy arrays, the same on every process.

  >>> import numpy as np
  >>> process_allgather(np.ones(2), tiled=True)
  array([1., 1.], dtype=float32)
  """
  jaxlite = _lib()[0]

  def gather(x):
    if isinstance(x, jaxlite.Array) and not x.is_fully_addressable:
      return _replicated_value(x)
    host = np.asarray(x)
    if host.dtype == np.float64 or host.dtype == np.int64:
      host = np.asarray(jaxlite.numpy.asarray(host))   # canonical dtypes, as JAX
    out = _local_value(_replicate_fn()(_stacked_global(host)))
    return out.reshape((-1,) + out.shape[2:]) if tiled and out.ndim > 1 else out
  return tree_util.tree_map(gather, in_tree)


def broadcast_one_to_all(in_tree, is_source: bool | None = None):
  """Every process gets the source process's (process 0's by default) values.

  >>> import numpy as np
  >>> broadcast_one_to_all(np.arange(2))
  array([0, 1], dtype=int32)
  """
  jaxlite = _lib()[0]
  if is_source is None:
    is_source = backend.process_index() == 0

  def broadcast(x):
    host = np.asarray(jaxlite.numpy.asarray(x))
    mine = host if is_source else np.zeros_like(host)
    total = _sum_fn()(_stacked_global(mine.astype(host.dtype)))
    return _local_value(total).astype(host.dtype)
  return tree_util.tree_map(broadcast, in_tree)


def assert_equal(in_tree, fail_message: str = ""):
  """Raises AssertionError unless every process passed equal values.

  >>> assert_equal(1)
  """
  gathered = process_allgather(in_tree)
  for leaf in tree_util.tree_leaves(gathered):
    if not all(np.array_equal(leaf[0], other) for other in leaf[1:]):
      raise AssertionError(f"{fail_message} Expected: {leaf[0]}; got: {leaf}.")


def sync_global_devices(name: str):
  """A barrier: returns once every process has called it with the same ``name``.

  >>> sync_global_devices("start")
  """
  digest = np.uint32(zlib.crc32(name.encode()) & 0x7FFFFFFF).astype(np.int32)
  assert_equal(digest, f"sync_global_devices name mismatch ('{name}')")


def host_local_array_to_global_array(local_inputs, global_mesh, pspecs):
  """Global arrays over ``global_mesh`` from each process's local blocks
  (``pspecs``: a PartitionSpec per leaf, or a pytree prefix of them); it can
  be traced (``host_local_array_to_global_array_p``).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> host_local_array_to_global_array(np.arange(2.0), mesh, P('x')).shape
  (2,)
  """
  return _convert(host_local_array_to_global_array_p, local_inputs, global_mesh, pspecs)


def global_array_to_host_local_array(global_inputs, global_mesh, pspecs):
  """Each process's block of global arrays, as arrays over its local mesh; it
  can be traced (``global_array_to_host_local_array_p``).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> global_array_to_host_local_array(jaxlite.numpy.ones(2), mesh, P('x')).shape
  (2,)
  """
  return _convert(global_array_to_host_local_array_p, global_inputs, global_mesh, pspecs)


def _convert(primitive, tree, global_mesh, pspecs):
  _, _, _, _, PartitionSpec = _lib()
  specs = _broadcast_specs(pspecs, tree, PartitionSpec)
  leaves, treedef = tree_util.tree_flatten(tree)
  return tree_util.tree_unflatten(treedef, [
      primitive.bind(x, global_mesh=global_mesh, pspec=s) for x, s in zip(leaves, specs)])


def _broadcast_specs(pspecs, tree, PartitionSpec):
  is_leaf = lambda s: s is None or isinstance(s, PartitionSpec)  # noqa: E731
  if is_leaf(pspecs):
    return [pspecs] * len(tree_util.tree_leaves(tree))   # None: JAX's ValueError, per leaf
  full = tree_util.tree_broadcast(pspecs, tree, is_leaf=is_leaf)
  return tree_util.tree_leaves(full, is_leaf=is_leaf)
