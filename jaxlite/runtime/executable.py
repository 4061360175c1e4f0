"""Compiling StableHLO with PJRT and calling the result: the dispatch fast path.

``compile_module`` turns module text into a jaxlib ``LoadedExecutable`` (through
the optional persistent cache); ``Executable`` wraps it with everything a
call needs prepared once: one result handler per output, so that a call is a
single ``execute_sharded`` plus ``consume_with_handlers`` (see
shared/JAXLIB_NOTES.md for why: disassembling results in Python costs 10x).
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from typing import Sequence

import numpy as np

from jaxlite import core, monitoring
from jaxlite.config import config
from jaxlite.runtime import special_values
from jaxlite.runtime.array import Array

logger = logging.getLogger("jaxlite")

# Number of XLA compilations this process has run (tests count recompilations).
compile_count = 0
_compile_lock = threading.Lock()


def _xla():
  from jaxlib import _jax, xla_client
  return xla_client, _jax


def compile_options(num_replicas=1, devices=None, num_partitions=1, compiler_options=None,
                    num_args=None, num_results=None, propagate_to_args=None):
  """XLA's options for a program; ``num_args``/``num_results`` (a jit's
  program) let XLA's sharding propagation reach every argument and result, as
  JAX's jit allows it for unspecified shardings (the compiled HLO's header
  shows the same ``allow_spmd_sharding_propagation_to_*`` as JAX's);
  ``propagate_to_args`` (an SPMD program): per argument, whether its sharding
  is left to XLA."""
  xc, _ = _xla()
  opts = xc.CompileOptions()
  if num_args is not None:
    build = opts.executable_build_options
    build.allow_spmd_sharding_propagation_to_parameters = [True] * num_args
    build.allow_spmd_sharding_propagation_to_output = [True] * num_results
  if propagate_to_args is not None:
    opts.executable_build_options.allow_spmd_sharding_propagation_to_parameters = \
        list(propagate_to_args)
  if compiler_options:
    # jit(compiler_options=...) / Lowered.compile(...): XLA's debug options by name.
    opts.env_option_overrides = list(compiler_options.items())
  if num_partitions > 1:
    # One SPMD program over the devices, split by XLA's partitioner from the
    # Shardy annotations, with the options JAX sets.
    opts.num_replicas = 1
    opts.num_partitions = num_partitions
    build = opts.executable_build_options
    build.use_spmd_partitioning = True
    build.use_shardy_partitioner = True
    ids = [d.id for d in devices]
    opts.device_assignment = xc.DeviceAssignment.create(np.array(ids).reshape(1, num_partitions))
    return opts
  if num_replicas > 1:
    opts.num_replicas = num_replicas
    opts.num_partitions = 1
  if num_replicas > 1 or devices is not None:
    # Without an assignment XLA runs a one-replica program on device 0, and
    # rejects arguments committed to any other device.
    ids = [d.id for d in devices] if devices is not None else list(range(num_replicas))
    opts.device_assignment = xc.DeviceAssignment.create(np.array(ids).reshape(num_replicas, 1))
  return opts


def backend_compile_and_load(backend, module, executable_devices, options,
                             host_callbacks=()):
  """Has the PJRT client ``backend`` compile ``module`` (StableHLO text, or the
  ``ir.Module`` when there are host callbacks) and load it on ``executable_devices``.

  Every XLA compilation in jaxlite goes through this function.

    >>> from jaxlite.runtime import backend as backend_lib
    >>> backend_lib.get_backend().platform
    'cpu'
  """
  if host_callbacks:
    return backend.compile_and_load(module, executable_devices=executable_devices,
                                    compile_options=options,
                                    host_callbacks=list(host_callbacks))
  return backend.compile_and_load(module, executable_devices, options)


# XLA's CPU compiler maps memory for each executable's code (about 2.6 maps per
# small program); a process at the kernel's vm.max_map_count makes that mmap
# fail, and the compiler then segfaults ("LLVM compilation error: Cannot
# allocate memory"). Executables live as long as jaxlite's caches hold them,
# so a long-lived process that compiles many distinct programs (a test
# worker after thousands of tests) clears them before it gets there.
_MAP_CHECK_EVERY = 32       # compiles between looks at /proc/self/maps
_MAP_HEADROOM = 0.75        # clear the caches past this share of the limit
_compiles_since_map_check = 0


def _max_map_count() -> int | None:
  try:
    with open("/proc/sys/vm/max_map_count") as f:
      return int(f.read())
  except (OSError, ValueError):   # not Linux: no such limit to watch
    return None


_map_limit = _max_map_count()


def _map_count() -> int:
  with open("/proc/self/maps", "rb") as f:
    return f.read().count(b"\n")


def _keep_map_headroom() -> None:
  """Clears the compilation caches (``jax.clear_caches``) when this process
  holds more than ``_MAP_HEADROOM`` of the memory maps the kernel allows, so
  that compiling the next program cannot run out of them.

  >>> _keep_map_headroom()   # far from the limit: nothing happens
  """
  global _compiles_since_map_check
  _compiles_since_map_check += 1
  if _map_limit is None or _compiles_since_map_check < _MAP_CHECK_EVERY:
    return
  _compiles_since_map_check = 0
  in_use = _map_count()
  if in_use > _MAP_HEADROOM * _map_limit:
    from jaxlite.runtime import caches  # pylint: disable=g-import-not-at-top
    logger.warning("jaxlite: %d memory maps in use (the limit is %d): clearing the "
                   "compilation caches", in_use, _map_limit)
    caches.clear_caches()


def compile_module(module_text: str, devices: Sequence, num_replicas: int = 1,
                   host_callbacks: Sequence = (), module=None, num_partitions: int = 1,
                   compiler_options=None, num_args=None, num_results=None,
                   propagate_to_args=None):
  """Compiles StableHLO for ``devices``; returns a jaxlib LoadedExecutable.

  ``module`` (the ``ir.Module``, when there is one) is what XLA compiles: it
  keeps the operations' locations, which become the HLO's ``op_name``s and
  stack frames (the text leaves them out, and keys the persistent cache).
  ``host_callbacks`` are the Python callables that the module's
  ``xla_ffi_python_cpu_callback`` custom calls refer to by index; jaxlib takes
  them only together with the ``ir.Module`` object itself."""
  global compile_count
  xc, _jax = _xla()
  client = devices[0].client
  opts = compile_options(num_replicas, devices, num_partitions, compiler_options, num_args,
                         num_results, propagate_to_args)
  device_list = _jax.DeviceList(tuple(devices))
  cache_dir = config.jax_compilation_cache_dir
  key = None
  # Callbacks cannot be serialized; the key does not hold compiler options.
  # jax.monitoring events, as JAX records them; nothing is timed or named
  # unless a listener is registered.
  listening = monitoring.any_compile_listener()
  if cache_dir and not host_callbacks and not compiler_options:
    key = _persistent_cache_key(module_text, devices, num_replicas * num_partitions)
    if listening:
      monitoring.record_event(monitoring.CACHE_REQUEST_EVENT)
      retrieval_start = time.monotonic()
    loaded = _persistent_cache_get(client, cache_dir, key, device_list, opts)
    if loaded is not None:
      if listening:
        monitoring.record_event(monitoring.CACHE_HIT_EVENT)
        monitoring.record_event_duration_secs(monitoring.CACHE_RETRIEVAL_EVENT,
                                              time.monotonic() - retrieval_start)
      return loaded
  if config.jax_log_compiles:
    logger.warning("Compiling module for %d device(s)", len(devices))
  if listening:
    start_time = time.time()
  _keep_map_headroom()
  # Looked up at call time: a tool may wrap it (chex.restrict_backends does,
  # through `jax._src.compiler` under the switch).
  loaded = backend_compile_and_load(client, module_text if module is None else module,
                                    device_list, opts, host_callbacks)
  if listening:
    end_time = time.time()
    fun_name = _module_name(module_text)
    monitoring.record_event_duration_secs(monitoring.BACKEND_COMPILE_EVENT,
                                          end_time - start_time, fun_name=fun_name)
    monitoring.record_event_time_span(monitoring.BACKEND_COMPILE_EVENT, start_time, end_time,
                                      fun_name=fun_name)
  with _compile_lock:
    compile_count += 1
  if key is not None:
    _persistent_cache_put(cache_dir, key, loaded)
    if listening:
      monitoring.record_event(monitoring.CACHE_MISS_EVENT)
  return loaded


def _module_name(module_text: str) -> str:
  """The compiled function's name as JAX reports it to jax.monitoring:
  ``jit(f)`` for the module ``@jit_f`` (``pmap(f)`` for ``@pmap_f``), and
  ``jit(add)`` for an eager primitive's module ``@add``."""
  start = module_text.find("module @")
  if start < 0:
    return "<unnamed>"
  name = module_text[start + len("module @"):].split(None, 1)[0].strip('"')
  return monitoring.compiled_function_name(name)


# --- the persistent (on disk) compilation cache --------------------------------


def _persistent_cache_key(module_text, devices, num_replicas):
  import jaxlib
  h = hashlib.sha256()
  for part in (module_text, devices[0].platform, str(len(devices)), str(num_replicas),
               jaxlib.__version__, str(devices[0].client.platform_version)):
    h.update(part.encode())
    h.update(b"\0")
  return h.hexdigest()


def _persistent_cache_get(client, cache_dir, key, device_list, opts):
  path = os.path.join(cache_dir, key + ".xla")
  if not os.path.exists(path):
    return None
  try:
    with open(path, "rb") as f:
      data = f.read()
    return client.deserialize_executable(data, device_list, opts)
  except Exception as e:   # a stale or corrupt entry is a miss, not an error
    logger.warning("Ignoring unreadable compilation cache entry %s: %s", path, e)
    return None


def _persistent_cache_put(cache_dir, key, loaded):
  try:
    os.makedirs(cache_dir, exist_ok=True)
    data = loaded.serialize()
    tmp = os.path.join(cache_dir, f".{key}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
      f.write(data)
    os.replace(tmp, os.path.join(cache_dir, key + ".xla"))
  except Exception as e:
    logger.warning("Could not write compilation cache entry: %s", e)


# --- one compile per program ------------------------------------------------------------

# Live executables by program (text digest, device, result types). Weak: an
# executable lives as long as some cache (a jit entry, the eager cache) holds
# it, so programs that embed large constants die with their functions.
_by_program: "weakref.WeakValueDictionary" = weakref.WeakValueDictionary()
_compiling: dict = {}          # program key -> _PendingCompile
_programs_lock = threading.Lock()


class _PendingCompile:
  """A compile in progress: the thread that owns it, and an event for waiters."""
  __slots__ = ("owner", "done")

  def __init__(self):
    self.owner = threading.get_ident()
    self.done = threading.Event()


def executable_for(lowered, device, out_avals, committed=True,
                   special_checks=None, compiler_options=None) -> "Executable":
  """The Executable of a lowered one-device program, compiled once per program.

  Threads that race on one program (say, each taking ``grad`` of the same
  new jitted function, which gives each its own but identical jaxprs) wait
  for one compile instead of compiling it each; programs that differ compile
  in parallel. Programs with host callbacks are never shared (the callables
  are not in the text).

  Args:
    lowered: a ``jaxlite.interpreters.mlir.LoweredModule``.
    device: the device to compile for.
    out_avals: the result types (their weak types are not in the text).
    committed: whether the results are committed to ``device`` (as JAX's are
      when some operand was, or a device was asked for).
    special_checks: (NaNs, infinities): what the result handlers check
      (jax_debug_nans/infs); default: the options' current values.
    compiler_options: a dict of XLA options to compile with (``jit(compiler_options=)``).

  Returns:
    An ``Executable``.

  Example:
    >>> exe = executable_for(mlir.lower_jaxpr_to_module(closed), device,
    ...                      closed.out_avals)               # doctest: +SKIP
  """
  if special_checks is None:
    special_checks = special_values.checks_wanted()
  host_callbacks = lowered.module_context.host_callbacks
  if host_callbacks:
    return _compile_executable(lowered, device, out_avals, committed, special_checks,
                               compiler_options)
  # jax_debug_nans/infs programs check their results (special_values.py).
  key = (hashlib.sha256(lowered.text.encode()).digest(), device, tuple(out_avals), committed,
         special_checks, tuple(sorted((compiler_options or {}).items())))
  while True:
    with _programs_lock:
      exe = _by_program.get(key)
      if exe is not None:
        return exe
      pending = _compiling.get(key)
      if pending is None or pending.owner == threading.get_ident():
        mine = _compiling[key] = _PendingCompile()
        break
    pending.done.wait()   # then look again (the compile may have failed)
  try:
    exe = _compile_executable(lowered, device, out_avals, committed, special_checks,
                              compiler_options)
    with _programs_lock:
      _by_program[key] = exe
    return exe
  finally:
    with _programs_lock:
      if _compiling.get(key) is mine:
        del _compiling[key]
    mine.done.set()


def _compile_executable(lowered, device, out_avals, committed=True,
                        special_checks=(False, False), compiler_options=None):
  loaded = compile_module(lowered.text, [device],
                          host_callbacks=lowered.module_context.host_callbacks,
                          module=lowered.module, compiler_options=compiler_options,
                          num_args=lowered.num_args, num_results=len(out_avals))
  return Executable(loaded, device, out_avals, lowered.text, committed, special_checks)


# --- calling ---------------------------------------------------------------------------


class Executable:
  """A compiled program on one device, ready to be called with Arrays.

  Example:
    >>> exe = Executable(loaded, device, out_avals)   # doctest: +SKIP
    >>> outs = exe.call([x._buf, y._buf])             # doctest: +SKIP
  """
  __slots__ = ("loaded", "device", "out_avals", "handlers", "committed", "text", "__weakref__")

  def __init__(self, loaded, device, out_avals, text=None, committed=True,
               special_checks=(False, False)):
    from jaxlite.runtime import sharding as sharding_lib
    xc, _ = _xla()
    self.loaded = loaded
    self.device = device
    self.out_avals = tuple(out_avals)
    self.committed = committed   # the results' (jaxlib's flag, which Array keeps too)
    sharding = sharding_lib.single_device_sharding(device)
    # A token result leaves the program as an empty bool[0] array (as in JAX).
    self.handlers = [xc.array_result_handler(
        core.TOKEN_BUFFER_AVAL if type(a) is core.AbstractToken else core.physical_aval(a),
        sharding, committed, True)
        for a in out_avals]
    nans, infs = special_checks
    if nans or infs:
      self.handlers = [special_values.checking_handler(h, a, nans, infs)
                       for h, a in zip(self.handlers, out_avals)]
    self.text = text

  def call(self, bufs: list) -> list:
    """Runs on jaxlib device buffers; returns Arrays (asynchronously computed)."""
    # Known jaxlib 0.10.2 leak: with tracebacks enabled (the default) each
    # execute_sharded call keeps the Python traceback it records (~60-160 bytes,
    # and a reference to each code object on the stack); JAX's C++ dispatch
    # never calls it. It cannot be avoided from here: recording is a
    # process-wide switch (turning it off around the call makes other threads'
    # compiles and multi-device arrays fail for want of a user context), and
    # a TracebackScope saves a third of it for ~3 us a call.
    results = self.loaded.execute_sharded(bufs).consume_with_handlers(self.handlers)
    return [Array(r, a, None, self.committed) if not core.is_extended_aval(a)
            else wrap_extended(r, a)
            for r, a in zip(results, self.out_avals)]


def wrap_extended(buf, aval):
  """A result of an extended type (a key array) from its physical buffer."""
  return aval.dtype._rules.wrap_physical(Array(buf, core.physical_aval(aval)))


def check_live(args):
  """Raises JAX's error if a (donated) argument was deleted."""
  for a in args:
    if isinstance(a, Array):
      a._check_if_deleted()
