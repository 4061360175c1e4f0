"""Many processes as one job, on XLA's own distributed runtime.

``initialize`` joins this process to a job: process 0 starts XLA's
coordination service, every process connects a client to it, and the CPU
backend is then created as one node of the job with Gloo TCP collectives, so
``jaxlite.devices()`` lists every process's devices and a ``pmap`` whose
collectives span them all runs as one computation over all devices.

Example (two shells, or two subprocesses)::

  import jaxlite
  jaxlite.distributed.initialize("127.0.0.1:12345", num_processes=2, process_id=0)
  print(jaxlite.process_count(), jaxlite.device_count())
  jaxlite.distributed.shutdown()
"""
from __future__ import annotations

import atexit
import os
import socket

from jaxlite.runtime import backend

_DEFAULT_TIMEOUT_S = 300   # JAX's initialization_timeout


def initialize(coordinator_address: str | None = None, num_processes: int | None = None,
               process_id: int | None = None, local_device_ids=None,
               cluster_detection_method: str | None = None,
               initialization_timeout: int = _DEFAULT_TIMEOUT_S,
               heartbeat_timeout_seconds: int = 100, shutdown_timeout_seconds: int = 300,
               coordinator_bind_address: str | None = None, slice_index: int | None = None,
               partition_index: int | None = None):
  """Joins this process to a multi-process job (call before any computation).

  Args:
    coordinator_address: ``host:port`` of process 0's coordination service.
    num_processes: how many processes the job has.
    process_id: this process's index in ``[0, num_processes)``.
    local_device_ids: restricts the devices this process uses (accepted for
      compatibility; the CPU backend uses all its devices).
    cluster_detection_method: JAX's cluster auto-detection (SLURM, MPI, TPU
      pods ...) is not part of jaxlite: every argument must be given (or set
      in the environment); ``'deactivate'`` is accepted.
    initialization_timeout: seconds to wait for every process to connect.
    heartbeat_timeout_seconds: seconds without a heartbeat before a process
      counts as dead.
    shutdown_timeout_seconds: seconds to wait for every process at shutdown.
    coordinator_bind_address: the address process 0's service listens on
      (default ``JAX_COORDINATOR_BIND_ADDRESS``, else the coordinator's port
      on every interface; a loopback coordinator binds to itself).
    slice_index: deprecated spelling of ``partition_index``.
    partition_index: the partition of this process's devices (default
      ``JAX_PARTITION_INDEX``); recorded, not used by the CPU backend.

  The arguments default to the environment variables ``JAX_COORDINATOR_ADDRESS``,
  ``JAX_NUM_PROCESSES`` and ``JAX_PROCESS_ID``.

  Example:
    >>> import jaxlite
    >>> jaxlite.distributed.initialize  # doctest: +ELLIPSIS
    <function initialize at ...>
  """
  state = backend.distributed_state
  if state.is_initialized():
    raise RuntimeError("jaxlite.distributed.initialize should only be called once.")
  if backend.client_created():
    raise RuntimeError("jaxlite.distributed.initialize() must be called before any "
                       "computation or device query (a backend was already created).")
  if partition_index is None:
    if slice_index is not None:
      import warnings
      warnings.warn("`slice_index` has been deprecated. Please use `partition_index` "
                    "instead.", DeprecationWarning, stacklevel=2)
    partition_index = slice_index
  if partition_index is None and "JAX_PARTITION_INDEX" in os.environ:
    partition_index = int(os.environ["JAX_PARTITION_INDEX"])
  coordinator_address = coordinator_address or os.environ.get("JAX_COORDINATOR_ADDRESS")
  if num_processes is None and "JAX_NUM_PROCESSES" in os.environ:
    num_processes = int(os.environ["JAX_NUM_PROCESSES"])
  if process_id is None and "JAX_PROCESS_ID" in os.environ:
    process_id = int(os.environ["JAX_PROCESS_ID"])
  if coordinator_address is None:
    raise ValueError("coordinator_address should be defined.")
  if num_processes is None:
    raise ValueError("Number of processes must be defined.")
  if process_id is None:
    raise ValueError("The process id of the current process must be defined.")
  if not isinstance(process_id, int):
    raise TypeError("process_id must be a nonnegative int. "
                    f"Got process_id={process_id} of type {type(process_id)}.")
  if not isinstance(num_processes, int):
    raise TypeError("num_processes must be a positive int. "
                    f"Got num_processes={num_processes} of type {type(num_processes)}.")
  if not 0 <= process_id < num_processes:
    raise ValueError("process_id and num_processes must be nonnegative, with process_id < "
                     f"num_processes. Got process_id={process_id}, "
                     f"num_processes={num_processes}.")
  from jaxlib import _jax
  service = None
  if process_id == 0:
    host, port = coordinator_address.rsplit(":", 1)
    bind = (coordinator_bind_address or os.environ.get("JAX_COORDINATOR_BIND_ADDRESS")
            or (coordinator_address if _is_loopback(host.strip("[]")) else f"[::]:{port}"))
    service_kwargs = {}
    if heartbeat_timeout_seconds is not None:
      service_kwargs["heartbeat_timeout"] = heartbeat_timeout_seconds
    if shutdown_timeout_seconds is not None:
      service_kwargs["shutdown_timeout"] = shutdown_timeout_seconds
    service = _jax.get_distributed_runtime_service(bind, num_processes, **service_kwargs)
  kwargs = {"init_timeout": initialization_timeout}
  if heartbeat_timeout_seconds is not None:
    kwargs["heartbeat_timeout"] = heartbeat_timeout_seconds
  if shutdown_timeout_seconds is not None:
    kwargs["shutdown_timeout"] = shutdown_timeout_seconds
  try:
    client = _jax.get_distributed_runtime_client(coordinator_address, process_id, **kwargs)
  except TypeError:
    client = _jax.get_distributed_runtime_client(coordinator_address, process_id)
  client.connect()
  # Gloo connects processes directly: each announces an address it can be reached at.
  host = coordinator_address.rsplit(":", 1)[0].strip("[]")
  own_host = host if _is_loopback(host) else socket.gethostname()
  collectives = _jax.make_gloo_tcp_collectives(distributed_client=client, hostname=own_host)
  state.client = client
  state.service = service
  state.process_id = process_id
  state.num_processes = num_processes
  state.collectives = collectives
  state.partition_index = partition_index
  # As JAX (jax_enable_preemption_service, on by default): a preemption
  # notice (SIGTERM) to one process is agreed on by all, for
  # multihost_utils.reached_preemption_sync_point.
  state.preemption_sync_manager = _jax.create_preemption_sync_manager()
  state.preemption_sync_manager.initialize(client)
  atexit.register(shutdown)


def _is_loopback(host: str) -> bool:
  return host.startswith("127.") or host in ("localhost", "::1")


def shutdown():
  """Leaves the job: disconnects from the coordination service (and stops it on
  process 0). Safe to call more than once.

  Example:
    >>> import jaxlite
    >>> jaxlite.distributed.shutdown()   # a no-op when not initialised
  """
  state = backend.distributed_state
  manager = getattr(state, "preemption_sync_manager", None)
  if manager is not None:   # it uses the client: shut down first
    state.preemption_sync_manager = None
    manager.shutdown()
  if state.client is not None:
    try:
      state.client.shutdown()
    finally:
      state.client = None
  if state.service is not None:
    try:
      state.service.shutdown()
    finally:
      state.service = None


def is_initialized() -> bool:
  """Whether ``initialize`` has been called in this process."""
  return backend.distributed_state.is_initialized()
