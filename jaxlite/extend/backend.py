"""``jax.extend.backend``: the PJRT clients jaxlite runs on, and the knobs
libraries use around them.

  >>> from jaxlite.extend import backend
  >>> backend.get_backend().platform
  'cpu'
"""
from __future__ import annotations

from typing import Any

import numpy as np

from jaxlite.runtime import caches
from jaxlite.runtime.backend import backends, default_device as get_default_device, get_backend

__all__ = ["backend_xla_version", "backends", "clear_backends",
           "clear_in_memory_compilation_cache", "get_backend", "get_compile_options",
           "get_default_device", "register_backend_cache", "register_backend_factory"]


def register_backend_factory(name: str, factory, *, priority: int = 0,
                             fail_quietly: bool = True, experimental: bool = False,
                             make_topology=None, c_api=None) -> None:
  """Registers ``factory()`` (returning a PJRT client, or None to decline) as
  the way to create backend ``name``.

  Args:
    name: the platform name (``get_backend(name)``, ``JAX_PLATFORMS``).
    factory: a function of no arguments returning the client.
    priority: where the backend ranks for the default backend when
      ``JAX_PLATFORMS`` is not set (JAX's: TPU 300, CUDA/ROCm 200, CPU 0).
    fail_quietly: when False, a factory that raises makes backend start-up fail.
    experimental: if True, the backend starts only when requested by name.
    make_topology, c_api: JAX's hooks for topologies and C-API plugins,
      accepted for compatibility.

  As in JAX, a factory registered after the backends started is used only
  once they start again (after :func:`clear_backends`).

  >>> from jaxlib import xla_client
  >>> register_backend_factory("doc_cpu", xla_client.make_cpu_client, priority=-1)
  >>> "doc_cpu" in backends()
  False
  """
  from jaxlite.runtime import backend
  del make_topology, c_api
  entry = (factory, priority, fail_quietly, experimental)
  with backend._lock:
    if backend.client_created():
      _pending_factories[name] = entry
    else:
      backend._backend_factories[name] = entry


# Factories registered while backends were running: they take part from the
# next start (clear_backends).
_pending_factories: dict[str, tuple] = {}


def backend_xla_version(platform=None) -> int | None:
  """The XLA version a PJRT plugin reports (``None`` for built-in clients,
  such as the CPU one).

  >>> backend_xla_version() is None or isinstance(backend_xla_version(), int)
  True
  """
  return getattr(get_backend(platform), "xla_version", None)


def clear_backends(_crash=False) -> None:
  """Waits for dispatched work, then drops every client and cache, so that
  new clients are created on next use (existing arrays become unusable, as in
  JAX). ``_crash`` is JAX's debugging switch for leaked clients, unused here.

  >>> clear_backends   # doctest: +ELLIPSIS
  <function clear_backends at ...>
  """
  from jaxlite.api_extras import effects_barrier
  from jaxlite.runtime import backend
  effects_barrier()
  caches.clear_caches()
  backend._reset_for_tests()
  with backend._lock:
    backend._backend_factories.update(_pending_factories)
    _pending_factories.clear()


def clear_in_memory_compilation_cache() -> None:
  """Drops the compiled executables held in memory (jaxlite clears its
  tracing caches with them; the persistent cache on disk stays).

  >>> clear_in_memory_compilation_cache()
  """
  caches.clear_caches()


def register_backend_cache(cache: Any, for_what: str) -> None:
  """Has ``cache.cache_clear()`` called whenever jaxlite clears its caches
  (``clear_caches``, ``clear_backends``); ``for_what`` names it.

  >>> import functools
  >>> @functools.lru_cache
  ... def lookup(x): return x
  >>> register_backend_cache(lookup, "doc example")
  """
  caches.register(cache.cache_clear)


def get_compile_options(num_replicas: int, num_partitions: int, device_assignment=None,
                        env_options_overrides: dict[str, str] | None = None,
                        fdo_profile: bytes | None = None, detailed_logging: bool = True,
                        backend=None):
  """XLA ``CompileOptions`` for a program of ``num_replicas`` replicas and
  ``num_partitions`` partitions.

  Args:
    num_replicas, num_partitions: the program's replica and partition counts.
    device_assignment: an array of devices (or ids) of shape
      ``(num_replicas, num_partitions)``.
    env_options_overrides: XLA debug options by name.
    fdo_profile: a profile for feedback-directed optimisation.
    detailed_logging: whether XLA may log details of this compilation.
    backend: the client (unused: the options do not depend on it here).

  >>> options = get_compile_options(num_replicas=1, num_partitions=1)
  >>> options.num_replicas, options.num_partitions
  (1, 1)
  """
  from jaxlib import xla_client
  options = xla_client.CompileOptions()
  options.num_replicas = num_replicas
  options.num_partitions = num_partitions
  build = options.executable_build_options
  build.use_spmd_partitioning = num_partitions > 1
  if device_assignment is not None:
    ids = np.vectorize(lambda d: getattr(d, "id", d), otypes=[int])(np.asarray(device_assignment,
                                                                               dtype=object))
    ids = ids.reshape(num_replicas, num_partitions)
    options.device_assignment = xla_client.DeviceAssignment.create(ids)
  if env_options_overrides:
    options.env_option_overrides = list(env_options_overrides.items())
  if fdo_profile is not None:
    build.fdo_profile = fdo_profile
  del detailed_logging, backend
  return options
