"""``jax.profiler``: traces and memory profiles through jaxlib's profiler.

Everything here drives jaxlib's own profiler (``jaxlib._profiler``): a
``ProfilerSession`` records host and device activity (XLA's executions, the
``TraceAnnotation`` spans of Python code) and writes it as TensorBoard's
profile plugin expects it::

  <log_dir>/plugins/profile/<run>/<host>.xplane.pb        (the XSpace proto)
  <log_dir>/plugins/profile/<run>/<host>.trace.json.gz    (Chrome trace events)

and, when asked, a ``perfetto_trace.json.gz`` that ui.perfetto.dev opens.

  >>> import tempfile, jaxlite, jaxlite.numpy as jnp
  >>> with tempfile.TemporaryDirectory() as log_dir:
  ...   with jaxlite.profiler.trace(log_dir):
  ...     _ = jnp.ones(3).block_until_ready()
"""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import pathlib
import socketserver
import threading
from collections.abc import Callable
from contextlib import contextmanager

from jaxlib import _profile_data, _profiler

from jaxlite.runtime.backend import backends, get_backend

__all__ = [
    "ProfileData", "ProfileEvent", "ProfileOptions", "ProfilePlane", "StepTraceAnnotation",
    "TraceAnnotation", "annotate_function", "device_memory_profile", "register_subprocess",
    "save_device_memory_profile", "start_server", "start_trace", "stop_server", "stop_trace",
    "trace",
]

# The parsed form of an XSpace (``ProfileData.from_file(path)``,
# ``ProfileData.from_serialized_xspace(bytes)``): planes, lines and events.
ProfileData = _profile_data.ProfileData
ProfileEvent = _profile_data.ProfileEvent
ProfilePlane = _profile_data.ProfilePlane


class ProfileOptions(_profiler.ProfileOptions):
  """Profiler options that configure the collectors (host/Python tracer levels,
  ``enable_hlo_proto``, ``duration_ms``, ...).

  >>> options = ProfileOptions()
  >>> options.python_tracer_level = 0
  """


_server_lock = threading.Lock()
_profiler_server = None


def start_server(port: int, requires_backend: bool = True):
  """Starts the profiler server on ``port``, so that TensorBoard's profile
  plugin can connect and sample traces of this process.

  Args:
    port: the port to listen on.
    requires_backend: when True (the default), the backends are initialised
      first so that their device tracers are part of the samples.

  Returns:
    jaxlib's ``ProfilerServer``; only one may run at a time.

  >>> server = start_server(9999)   # doctest: +SKIP
  >>> stop_server()                 # doctest: +SKIP
  """
  global _profiler_server
  with _server_lock:
    if _profiler_server is not None:
      raise ValueError("Only one profiler server can be active at a time.")
    if requires_backend:
      get_backend()
    _profiler_server = _profiler.start_server(port)
    return _profiler_server


def stop_server() -> None:
  """Stops the server :func:`start_server` started (dropping it shuts it down).

  >>> stop_server()
  Traceback (most recent call last):
  ...
  ValueError: No active profiler server.
  """
  global _profiler_server
  with _server_lock:
    if _profiler_server is None:
      raise ValueError("No active profiler server.")
    _profiler_server = None


def register_subprocess(pid: int, port: int) -> Callable[[], None]:
  """Registers the profiler server of subprocess ``pid`` (listening on
  ``port``) so that this process's profiles include its (CPU) activity.

  Returns:
    A function that unregisters the subprocess when called (or collected).
  Raises:
    RuntimeError: if the subprocess cannot be registered.

  >>> unregister = register_subprocess(1234, 9012)   # doctest: +SKIP
  """
  return _profiler.register_subprocess(pid, port)


class _TraceState:
  """The one running trace: its session, where it goes, what else to write."""

  def __init__(self):
    self.lock = threading.Lock()
    self.reset()

  def reset(self):
    self.session = None
    self.log_dir: str | None = None
    self.create_perfetto_link = False
    self.create_perfetto_trace = False


_trace_state = _TraceState()


def _set_version_metadata() -> None:
  """Tags the session with the versions TensorBoard shows (as JAX does)."""
  from jaxlite.jax_compat.version import __version__
  import jaxlib
  _profiler.clear_metadata()
  _profiler.set_metadata("jax_version", __version__)
  _profiler.set_metadata("jaxlib_version", jaxlib.__version__)
  for client in backends().values():
    try:
      _profiler.set_metadata(f"{client.platform}_version", client.platform_version)
    except RuntimeError:
      pass


def start_trace(log_dir: os.PathLike | str, create_perfetto_link: bool = False,
                create_perfetto_trace: bool = False,
                profiler_options: ProfileOptions | None = None) -> None:
  """Starts a profiler trace; :func:`stop_trace` ends it and writes it to
  ``log_dir`` (TensorBoard's log directory layout).

  Args:
    log_dir: the directory to save the trace to.
    create_perfetto_link: also write ``perfetto_trace.json.gz``, print a
      ui.perfetto.dev link and block until Perfetto has loaded it.
    create_perfetto_trace: also write ``perfetto_trace.json.gz`` (without
      blocking).
    profiler_options: a :class:`ProfileOptions` for the collectors.

  Raises:
    RuntimeError: if a trace is already running.

  >>> import tempfile
  >>> log_dir = tempfile.mkdtemp()
  >>> start_trace(log_dir)
  >>> stop_trace()
  """
  with _trace_state.lock:
    if _trace_state.session is not None:
      raise RuntimeError("Profile has already been started. "
                         "Only one profile may be run at a time.")
    # The device tracers register when the clients are created: create them
    # before the session, or their activity is missing from the trace.
    get_backend()
    _set_version_metadata()
    options = ProfileOptions() if profiler_options is None else profiler_options
    _trace_state.session = _profiler.ProfilerSession(options)
    _trace_state.create_perfetto_link = create_perfetto_link
    _trace_state.create_perfetto_trace = create_perfetto_trace or create_perfetto_link
    _trace_state.log_dir = str(log_dir)


def _write_perfetto_trace(log_dir: str) -> pathlib.Path:
  """Writes ``perfetto_trace.json.gz`` beside the newest run's trace.json.gz:
  the same events without the ``metadata`` entry, which Perfetto rejects."""
  runs = (pathlib.Path(log_dir).absolute() / "plugins" / "profile").iterdir()
  newest_run = max(runs, key=os.path.getmtime)
  traces = list(newest_run.glob("*.trace.json.gz"))
  if len(traces) != 1:
    raise ValueError(f"Invalid trace folder: {newest_run}")
  with gzip.open(traces[0], "rb") as f:
    events = json.load(f)
  events.pop("metadata", None)
  perfetto_path = newest_run / "perfetto_trace.json.gz"
  with gzip.open(perfetto_path, "w") as f:
    f.write(json.dumps(events).encode("utf-8"))
  return perfetto_path


class _PerfettoRequestHandler(http.server.SimpleHTTPRequestHandler):
  """Serves the trace file to ui.perfetto.dev (which needs CORS allowed)."""

  def end_headers(self):
    self.send_header("Access-Control-Allow-Origin", "*")
    super().end_headers()

  def do_GET(self):
    self.server.last_request = self.path
    super().do_GET()

  def do_POST(self):
    self.send_error(404, "File not found")


def _serve_to_perfetto(path: pathlib.Path) -> None:
  """Prints the ui.perfetto.dev link and serves ``path`` on 127.0.0.1:9001
  (the address Perfetto's UI fetches from) until the UI has fetched it."""
  port = 9001
  handler = functools.partial(_PerfettoRequestHandler, directory=str(path.parent))
  socketserver.TCPServer.allow_reuse_address = True
  with socketserver.TCPServer(("127.0.0.1", port), handler) as httpd:
    print(f"Open URL in browser: https://ui.perfetto.dev/#!/?url=http://127.0.0.1:{port}/"
          f"{path.name}")
    while getattr(httpd, "last_request", None) != "/" + path.name:
      httpd.handle_request()


def stop_trace() -> None:
  """Stops the running trace and writes it to the ``log_dir`` given to
  :func:`start_trace`.

  Raises:
    RuntimeError: if no trace is running.

  >>> stop_trace()
  Traceback (most recent call last):
  ...
  RuntimeError: No profile started
  """
  with _trace_state.lock:
    session = _trace_state.session
    if session is None:
      raise RuntimeError("No profile started")
    try:
      session.stop_and_export(_trace_state.log_dir)
      if _trace_state.create_perfetto_trace:
        perfetto_path = _write_perfetto_trace(_trace_state.log_dir)
        if _trace_state.create_perfetto_link:
          _serve_to_perfetto(perfetto_path)
    finally:
      _trace_state.reset()
      _profiler.clear_metadata()


@contextmanager
def trace(log_dir: os.PathLike | str, create_perfetto_link=False, create_perfetto_trace=False,
          profiler_options: ProfileOptions | None = None):
  """Context manager (or decorator) that takes a profiler trace of its body.

  Same arguments as :func:`start_trace`; the trace is written when the body
  exits, also when it raises.

  >>> import tempfile, jaxlite.numpy as jnp
  >>> with trace(tempfile.mkdtemp(), create_perfetto_trace=True):
  ...   _ = jnp.arange(4).block_until_ready()
  """
  start_trace(log_dir, create_perfetto_link, create_perfetto_trace, profiler_options)
  try:
    yield
  finally:
    stop_trace()


class TraceAnnotation(_profiler.TraceMe):
  """Context manager that marks its body as a named event on the trace
  timeline (keyword arguments become the event's metadata).

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.ones((1000, 1000))
  >>> with TraceAnnotation("my_label"):
  ...   result = jnp.dot(x, x.T).block_until_ready()
  """


class StepTraceAnnotation(TraceAnnotation):
  """A :class:`TraceAnnotation` for one training step (pass ``step_num=``):
  the profiler's step analysis groups the trace by these events.

  >>> with StepTraceAnnotation("train", step_num=0):
  ...   pass
  """

  def __init__(self, name: str, **kwargs):
    # `_r=1` is the TraceMe flag that makes it a step marker.
    super().__init__(name, _r=1, **kwargs)


def annotate_function(func: Callable, name: str | None = None, **decorator_kwargs):
  """Decorator that marks each call of ``func`` as an event named ``name``
  (default: the function's qualified name) on the trace timeline.

  >>> import jaxlite.numpy as jnp
  >>> @annotate_function
  ... def f(x):
  ...   return jnp.dot(x, x.T).block_until_ready()
  >>> result = f(jnp.ones((4, 4)))
  >>> f.__name__
  'f'
  """
  event_name = name or getattr(func, "__qualname__", None) or func.__name__

  @functools.wraps(func)
  def annotated(*args, **kwargs):
    with TraceAnnotation(event_name, **decorator_kwargs):
      return func(*args, **kwargs)
  return annotated


def device_memory_profile(backend: str | None = None) -> bytes:
  """A snapshot of device memory (live arrays and executables with their
  allocation sites) as a gzipped ``pprof`` protocol buffer.

  Args:
    backend: the platform to profile (default: the default backend).

  >>> import gzip
  >>> len(gzip.decompress(device_memory_profile())) > 0
  True
  """
  return gzip.compress(get_backend(backend).heap_profile())


def save_device_memory_profile(filename, backend: str | None = None) -> None:
  """Writes :func:`device_memory_profile` to ``filename`` (open it with
  ``pprof``).

  >>> import os, tempfile
  >>> path = os.path.join(tempfile.mkdtemp(), "memory.prof")
  >>> save_device_memory_profile(path)
  >>> os.path.getsize(path) > 0
  True
  """
  profile = device_memory_profile(backend)
  with open(filename, "wb") as f:
    f.write(profile)
