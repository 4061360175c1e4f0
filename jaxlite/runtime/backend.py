"""PJRT clients ("backends") and the device API.

One PJRT client per platform, created on first use and shared by the whole
process. Importing this module is free: jaxlib (about 0.3 s to import) is
loaded by the first function that needs a client, never at import time.

Platforms come from ``config.jax_platforms`` (environment ``JAX_PLATFORMS`` or
``JAXLITE_PLATFORMS``), e.g. ``"cpu"`` or ``"cuda,cpu"``; the first one that
initialises is the default. CPU is built into jaxlib; GPU and TPU come as PJRT
plugins (shared libraries), found through ``PJRT_NAMES_AND_LIBRARY_PATHS``,
``<NAME>_PJRT_PLUGIN_LIBRARY_PATH`` or an installed ``jax_plugins``/
``jax_cuda*_plugin`` package.

The CPU device count comes from ``config.jax_num_cpu_devices`` or, as JAX
scripts set it, ``XLA_FLAGS=--xla_force_host_platform_device_count=N``.

Multi-process runs: when ``distributed_state`` has been filled in (by a later
``jaxlite.distributed.initialize``), the CPU client is built with its
coordination-service client and collectives, so that ``devices()`` lists the
devices of every process.

  >>> import jaxlite.runtime.backend as backend
  >>> backend.default_backend()
  'cpu'
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import re
import threading
from typing import Any

from jaxlite.config import config
from jaxlite.runtime import inflight

# Canonical platform names, and the aliases users write for them.
_PLATFORM_ALIASES = {"cpu": "cpu", "host": "cpu", "gpu": "gpu", "cuda": "cuda",
                     "rocm": "rocm", "tpu": "tpu", "metal": "METAL"}
# 'gpu' means whichever GPU plugin is present.
_GPU_PLATFORMS = ("cuda", "rocm")

_lock = threading.RLock()
_backends: dict[str, Any] = {}        # platform -> xc.Client
# jax.extend.backend.register_backend_factory: name -> (factory, priority,
# fail_quietly, experimental). JAX's priorities for the built-in platforms
# decide where a registered one ranks when none is requested.
_backend_factories: dict[str, tuple] = {}
_BUILTIN_PRIORITY = {"tpu": 300, "cuda": 200, "rocm": 200, "cpu": 0}
_backend_errors: dict[str, str] = {}  # platform -> why it failed to start
_default_platform: str | None = None


class DistributedState:
  """The seam for multi-process runs, filled in by distributed initialisation.

  When ``client`` is set before the first backend is created, the CPU client
  is created as one node of a multi-node job.

  >>> DistributedState().client is None
  True
  """
  def __init__(self):
    self.client = None        # _jax.DistributedRuntimeClient
    self.service = None       # the coordination service (process 0 only)
    self.process_id = 0
    self.num_processes = 1
    self.collectives = None   # e.g. _jax.make_gloo_tcp_collectives(...)

  def is_initialized(self) -> bool:
    return self.client is not None


distributed_state = DistributedState()


def _config_value(name: str, default: Any) -> Any:
  return getattr(config, name, default)


def _xla_client():
  from jaxlib import xla_client  # pylint: disable=g-import-not-at-top
  return xla_client


def cpu_device_count_from_flags(xla_flags: str | None = None) -> int | None:
  """Parses ``--xla_force_host_platform_device_count=N`` out of XLA_FLAGS.

  >>> cpu_device_count_from_flags("--xla_force_host_platform_device_count=8")
  8
  """
  if xla_flags is None:
    xla_flags = os.environ.get("XLA_FLAGS", "")
  found = re.findall(r"--xla_force_host_platform_device_count=(\d+)", xla_flags)
  return int(found[-1]) if found else None


def _num_cpu_devices() -> int | None:
  n = _config_value("jax_num_cpu_devices", -1)
  if n is not None and n >= 0:
    return n
  return cpu_device_count_from_flags()


def _make_cpu_client():
  xc = _xla_client()
  kwargs: dict[str, Any] = {}
  n = _num_cpu_devices()
  if n is not None:
    kwargs["num_devices"] = n
  if distributed_state.is_initialized():
    kwargs.update(distributed_client=distributed_state.client,
                  node_id=distributed_state.process_id,
                  num_nodes=distributed_state.num_processes,
                  collectives=distributed_state.collectives)
  with _cpu_thread_pool_sized_for(n or 1):
    return xc.make_cpu_client(**kwargs)


@contextlib.contextmanager
def _cpu_thread_pool_sized_for(num_devices: int):
  """XLA sizes its CPU client's thread pool from ``PJRT_NPROC`` (else the
  cores) when the client is created; with several devices that pool is too
  small for collectives (see ``jaxlite.runtime.inflight``). The variable is set
  only while jaxlite's client is made: a JAX client in the process keeps its
  own."""
  if num_devices <= 1:   # no collectives: XLA's own choice
    yield
    return
  saved = os.environ.get("PJRT_NPROC")
  requested = saved or os.environ.get("NPROC")
  cores = int(requested) if requested and requested.isdigit() else _num_cores()
  os.environ["PJRT_NPROC"] = str(inflight.cpu_thread_pool_size(num_devices, cores))
  try:
    yield
  finally:
    if saved is None:
      del os.environ["PJRT_NPROC"]
    else:
      os.environ["PJRT_NPROC"] = saved


def _num_cores() -> int:
  try:
    return len(os.sched_getaffinity(0))
  except (AttributeError, OSError):
    return os.cpu_count() or 1


def _plugin_library_paths() -> dict[str, str]:
  """Plugin name -> shared library path, from env vars and installed packages."""
  paths: dict[str, str] = {}
  # JAX's format: "name1:path1,name2:path2".
  for entry in os.environ.get("PJRT_NAMES_AND_LIBRARY_PATHS", "").split(","):
    if ":" in entry:
      name, path = entry.split(":", 1)
      paths[name.strip()] = path.strip()
  for name in ("cuda", "rocm", "tpu"):
    path = os.environ.get(f"{name.upper()}_PJRT_PLUGIN_LIBRARY_PATH")
    if path:
      paths.setdefault(name, path)
  # Wheels such as jax-cuda12-pjrt ship the library inside a package.
  for name, packages in (("cuda", ("jax_plugins.xla_cuda13",
                                   "jax_plugins.xla_cuda12")),
                         ("rocm", ("jax_plugins.xla_rocm7",
                                   "jax_plugins.xla_rocm")),
                         ("tpu", ("libtpu",))):
    if name in paths:
      continue
    for package in packages:
      path = _find_plugin_library(package)
      if path:
        paths[name] = path
        break
  return paths


def _find_plugin_library(package: str) -> str | None:
  try:
    spec = importlib.util.find_spec(package)
  except (ImportError, ValueError):
    return None
  if spec is None or not spec.submodule_search_locations:
    return None
  for folder in spec.submodule_search_locations:
    for file in sorted(os.listdir(folder)):
      if file.endswith(".so") and ("pjrt" in file or file.startswith("libtpu")):
        return os.path.join(folder, file)
  return None


def _make_plugin_client(platform: str):
  xc = _xla_client()
  paths = _plugin_library_paths()
  if platform not in paths:
    raise RuntimeError(f"no PJRT plugin found for {platform!r}")
  options = {}
  if platform == "cuda":
    _preload_nvidia_libraries()
    # Memory fraction, preallocation, allocator: the XLA_PYTHON_CLIENT_*
    # variables JAX users set, read as JAX reads them.
    options = xc.generate_pjrt_gpu_plugin_options()
  if not xc.pjrt_plugin_loaded(platform):
    xc.load_pjrt_plugin_dynamically(platform, paths[platform])
  if not xc.pjrt_plugin_initialized(platform):
    xc.initialize_pjrt_plugin(platform)
  return xc.make_c_api_client(platform, options, None)


# CUDA libraries the plugin links against, by the pip package
# (``jax-cuda12-plugin[with-cuda]``) that ships them under ``nvidia/<name>/lib``.
_NVIDIA_LIBRARIES = (
    ("cuda_runtime", "libcudart.so.12"), ("cuda_nvrtc", "libnvrtc.so.12"),
    ("cublas", "libcublas.so.12"), ("cublas", "libcublasLt.so.12"),
    ("nccl", "libnccl.so.2"), ("cuda_cupti", "libcupti.so.12"),
    ("cusparse", "libcusparse.so.12"), ("cusolver", "libcusolver.so.11"),
    ("cufft", "libcufft.so.11"), ("nvshmem", "libnvshmem_host.so.3"),
    ("cudnn", "libcudnn.so.9"),
)


def _preload_nvidia_libraries():
  """Loads the CUDA libraries from the ``nvidia`` pip packages, when installed,
  so that the plugin finds them without LD_LIBRARY_PATH (a system CUDA is
  found by the dynamic loader as usual)."""
  import ctypes  # pylint: disable=g-import-not-at-top
  for package, library in _NVIDIA_LIBRARIES:
    try:
      spec = importlib.util.find_spec(f"nvidia.{package}")
    except (ImportError, ValueError):
      continue
    for folder in (spec.submodule_search_locations or []) if spec else []:
      path = os.path.join(folder, "lib", library)
      if os.path.exists(path):
        try:
          ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError:
          pass   # the plugin reports what it cannot find when it starts
        break


def _requested_platforms() -> list[str]:
  """The platforms the user asked for, in priority order."""
  text = _config_value("jax_platforms", None) or ""
  if not text:
    text = os.environ.get("JAXLITE_PLATFORMS") or os.environ.get(
        "JAX_PLATFORMS") or ""
  names = [p.strip().lower() for p in text.split(",") if p.strip()]
  if not names:
    # JAX's default: try the accelerators that have a plugin, then the CPU,
    # with registered (non-experimental) factories ranked by their priority.
    names = [p for p in ("cuda", "rocm", "tpu") if p in _plugin_library_paths()]
    names.append("cpu")
    names += [n for n, (_, _, _, experimental) in _backend_factories.items()
              if not experimental and n not in names]
    priority = lambda n: (_backend_factories[n][1] if n in _backend_factories
                          else _BUILTIN_PRIORITY.get(n, 0))
    names.sort(key=priority, reverse=True)
  return names


def _init_platform(name: str) -> str | None:
  """Creates the client for `name` (caller holds _lock); its canonical name."""
  canonical = _PLATFORM_ALIASES.get(name, name)
  candidates = _GPU_PLATFORMS if canonical == "gpu" else (canonical,)
  for platform in candidates:
    if platform in _backends:
      return platform
    if platform in _backend_errors:
      continue
    factory = _backend_factories.get(platform)
    try:
      if factory is not None:
        client = factory[0]()
      else:
        client = (_make_cpu_client() if platform == "cpu"
                  else _make_plugin_client(platform))
    except Exception as e:  # pylint: disable=broad-except
      _backend_errors[platform] = f"{type(e).__name__}: {e}"
      if factory is not None and not factory[2]:   # fail_quietly=False
        raise RuntimeError(f"Unable to initialize backend '{platform}': {e}") from e
      continue
    if client is None:   # a factory may decline (JAX skips it)
      _backend_errors[platform] = "the backend factory returned None"
      continue
    _backends[platform] = client
    # jaxlib imports ml_dtypes (~0.5 s of CPU) on the first transfer to any
    # device; loading it with the runtime keeps that off the first array op.
    import ml_dtypes  # pylint: disable=g-import-not-at-top,unused-import
    return platform
  return None


def _initialize_backends():
  global _default_platform
  if _default_platform is not None:
    return
  with _lock:
    if _default_platform is not None:
      return
    requested = _requested_platforms()
    explicit = bool(_config_value("jax_platforms", None)
                    or os.environ.get("JAXLITE_PLATFORMS")
                    or os.environ.get("JAX_PLATFORMS"))
    first = None
    for name in requested:
      platform = _init_platform(name)
      if platform is None and explicit:
        why = "; ".join(f"{p}: {e}" for p, e in _backend_errors.items())
        raise RuntimeError(
            f"Unable to initialize backend '{name}': {why or 'unknown platform'}"
            f" (set JAX_PLATFORMS='' to automatically choose an available "
            f"backend)")
      if first is None:
        first = platform
    if first is None:
      raise RuntimeError("Unable to initialize any backend: " +
                         "; ".join(f"{p}: {e}" for p, e in _backend_errors.items()))
    _default_platform = first


def _platform_of(name: str) -> str | None:
  canonical = _PLATFORM_ALIASES.get(name.lower(), name.lower())
  if canonical == "gpu":
    return next((p for p in _GPU_PLATFORMS if p in _backends), None)
  return canonical if canonical in _backends else None


def get_backend(platform=None):
  """Returns the PJRT client for `platform` (default: the default backend).

  Args:
    platform: None, a platform name ('cpu', 'gpu', 'cuda', 'rocm', 'tpu'), or
      a client, which is returned as is.

  Returns:
    An ``xla_client.Client``.

  >>> get_backend().platform
  'cpu'
  """
  if platform is not None and not isinstance(platform, str):
    return platform  # already a client
  _initialize_backends()
  if platform is None:
    name = _config_value("jax_platform_name", "") or ""
    platform = name or _default_platform
  found = _platform_of(platform)
  if found is not None:
    return _backends[found]
  with _lock:
    # Not requested at start-up, but may still be available (e.g. 'cpu' when
    # the default is a GPU).
    found = _init_platform(platform.lower())
  if found is not None:
    return _backends[found]
  canonical = _PLATFORM_ALIASES.get(platform.lower())
  available = ", ".join(sorted(_backends)) or "none"
  if canonical is None:
    raise RuntimeError(f"Unknown backend {platform}: available backends are "
                       f"{available}")
  why = "; ".join(f"{p}: {e}" for p, e in _backend_errors.items()
                  if p == canonical or (canonical == "gpu" and p in _GPU_PLATFORMS))
  raise RuntimeError(f"Backend '{platform}' failed to initialize: {why}. "
                     f"Available backends are {available}")


def client_created() -> bool:
  """Whether any PJRT client exists yet (importing jaxlite creates none).

  >>> isinstance(client_created(), bool)
  True
  """
  return bool(_backends)


def backends() -> dict[str, Any]:
  """All initialised clients, by platform name.

  >>> 'cpu' in backends()
  True
  """
  _initialize_backends()
  return dict(_backends)


def default_backend() -> str:
  """The platform name of the default backend, e.g. ``'cpu'``.

  >>> default_backend()
  'cpu'
  """
  return get_backend().platform


def devices(backend=None) -> list:
  """All devices of `backend` across all processes, ordered by id.

  >>> devices()[0].platform
  'cpu'
  """
  return list(get_backend(backend).devices())


def local_devices(process_index: int | None = None, backend=None,
                  host_id: int | None = None) -> list:
  """The devices attached to process `process_index` (default: this one);
  ``host_id`` is its older name (JAX warns and uses it when given).

  >>> local_devices()[0].process_index
  0
  """
  if host_id is not None:
    import warnings
    warnings.warn("The argument to jax.local_devices has been renamed from `host_id` "
                  "to `process_index`. This alias will eventually be removed; please "
                  "update your code.", stacklevel=2)
    process_index = host_id
  client = get_backend(backend)
  if process_index is None:
    process_index = client.process_index()
  if not 0 <= process_index < process_count(backend):
    raise ValueError(f"Unknown process_index {process_index}")
  return [d for d in client.devices() if d.process_index == process_index]


def device_count(backend=None) -> int:
  """The number of devices of `backend` over all processes.

  >>> device_count() >= 1
  True
  """
  return get_backend(backend).device_count()


def local_device_count(backend=None) -> int:
  """The number of devices this process can address.

  >>> local_device_count() >= 1
  True
  """
  return get_backend(backend).local_device_count()


def process_index(backend=None) -> int:
  """This process's index in a multi-process job (0 when run alone).

  >>> process_index()
  0
  """
  return get_backend(backend).process_index()


def process_count(backend=None) -> int:
  """The number of processes in the job.

  >>> process_count()
  1
  """
  return max(d.process_index for d in get_backend(backend).devices()) + 1


def process_indices(backend=None) -> list[int]:
  """The indices of the job's processes.

  >>> process_indices()
  [0]
  """
  return list(range(process_count(backend)))


def _renamed(old, new):
  import warnings
  warnings.warn(f"jax.{old} has been renamed to jax.{new}. This alias will eventually "
                "be removed; please update your code.", stacklevel=3)


def host_id(backend=None) -> int:
  """Old name of ``process_index`` (warns, as JAX's).

  >>> import warnings
  >>> with warnings.catch_warnings():
  ...   warnings.simplefilter("ignore")
  ...   host_id()
  0
  """
  _renamed("process_index", "process_index")   # JAX's message, sic
  return process_index(backend)


def host_count(backend=None) -> int:
  """Old name of ``process_count`` (warns, as JAX's)."""
  _renamed("process_count", "process_count")
  return process_count(backend)


def host_ids(backend=None) -> list[int]:
  """Old name of ``process_indices`` (warns, as JAX's)."""
  _renamed("process_indexs", "process_indices")
  return process_indices(backend)


def default_device():
  """The device arrays go to when none is given.

  ``config.jax_default_device`` wins when set; otherwise the first local
  device of the default backend.

  >>> default_device().id
  0
  """
  chosen = config.jax_default_device
  if chosen is not None:
    if isinstance(chosen, str):
      return local_devices(backend=chosen)[0]
    return chosen
  return _first_local_device()


def _first_local_device():
  global _cached_default_device
  device = _cached_default_device
  if device is None:
    device = _cached_default_device = local_devices()[0]
  return device


_cached_default_device = None


def _reset_for_tests():
  """Forgets every client (tests of start-up only; arrays become invalid)."""
  global _default_platform, _cached_default_device
  with _lock:
    _backends.clear()
    _backend_errors.clear()
    _default_platform = None
    _cached_default_device = None
