"""``jax.monitoring``: named events that listeners (metrics collectors) receive.

jaxlite records the events JAX records at the same points: every XLA
compilation reports ``/jax/core/compile/backend_compile_duration`` (a
duration and a time span, with ``fun_name``), and the persistent compilation
cache reports ``/jax/compilation_cache/...`` events. With no listener
registered, recording an event is a loop over an empty list.

  >>> events = []
  >>> register_event_listener(lambda event, **kw: events.append(event))
  >>> record_event("/my/event")
  >>> events
  ['/my/event']
  >>> clear_event_listeners()
"""
from __future__ import annotations

import time

__all__ = [
    "clear_event_listeners", "record_event", "record_event_duration_secs",
    "record_event_time_span", "record_scalar", "register_event_duration_secs_listener",
    "register_event_listener", "register_event_time_span_listener",
    "register_scalar_listener", "unregister_event_duration_listener",
    "unregister_event_listener", "unregister_event_time_span_listener",
    "unregister_scalar_listener",
]

# The events jaxlite records (JAX's names).
JAXPR_TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
JAXPR_TO_MLIR_MODULE_EVENT = "/jax/core/compile/jaxpr_to_mlir_module_duration"
BACKEND_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
CACHE_REQUEST_EVENT = "/jax/compilation_cache/compile_requests_use_cache"
CACHE_HIT_EVENT = "/jax/compilation_cache/cache_hits"
CACHE_MISS_EVENT = "/jax/compilation_cache/cache_misses"
CACHE_RETRIEVAL_EVENT = "/jax/compilation_cache/cache_retrieval_time_sec"


# Listener signatures (as JAX's Protocols describe them; plain comments here
# keep this module, imported with jaxlite, free of typing machinery):
#   event listener:     (event: str, **kwargs: str | int) -> None
#   duration listener:  (event: str, duration_secs: float, **kwargs) -> None
#   time-span listener: (event: str, start_time: float, end_time: float, **kwargs) -> None
#   scalar listener:    (event: str, value: float | int, **kwargs) -> None


# The lists are mutated in place (never rebound), so that modules holding a
# reference (the compile path checks them for emptiness) always see the
# current listeners.
_event_listeners: list = []
_event_duration_secs_listeners: list = []
_event_time_span_listeners: list = []
_scalar_listeners: list = []


def record_event(event: str, **kwargs: str | int) -> None:
  """Calls every event listener with ``event`` and ``kwargs``.

  Pass the same keyword arguments, in the same order, at every recording of
  one event.

  >>> record_event("/nobody/listens")
  """
  for callback in _event_listeners:
    callback(event, **kwargs)


def record_event_duration_secs(event: str, duration: float, **kwargs: str | int) -> None:
  """Calls every duration listener with ``event`` and ``duration`` (seconds).

  >>> seen = []
  >>> listener = lambda event, secs, **kw: seen.append((event, secs, kw))
  >>> register_event_duration_secs_listener(listener)
  >>> record_event_duration_secs("/step", 0.5, fun_name="f")
  >>> seen
  [('/step', 0.5, {'fun_name': 'f'})]
  >>> unregister_event_duration_listener(listener)
  """
  for callback in _event_duration_secs_listeners:
    callback(event, duration, **kwargs)


def record_event_time_span(event: str, start_time: float, end_time: float,
                           **kwargs: str | int) -> None:
  """Calls every time-span listener with ``event`` and its start and end
  times (seconds).

  >>> record_event_time_span("/span", 1.0, 2.0)
  """
  for callback in _event_time_span_listeners:
    callback(event, start_time, end_time, **kwargs)


def record_scalar(event: str, value: float | int, **kwargs: str | int) -> None:
  """Calls every scalar listener with ``event`` and ``value``.

  >>> record_scalar("/loss", 0.25)
  """
  for callback in _scalar_listeners:
    callback(event, value, **kwargs)


def register_event_listener(callback) -> None:
  """Has ``callback(event, **kwargs)`` called at every :func:`record_event`.

  >>> register_event_listener(print)
  >>> record_event("/hello")
  /hello
  >>> unregister_event_listener(print)
  """
  _event_listeners.append(callback)


def register_event_time_span_listener(callback) -> None:
  """Has ``callback(event, start, end, **kwargs)`` called at every
  :func:`record_event_time_span`.

  >>> register_event_time_span_listener(print)
  >>> record_event_time_span("/span", 1.0, 2.5)
  /span 1.0 2.5
  >>> unregister_event_time_span_listener(print)
  """
  _event_time_span_listeners.append(callback)


def register_event_duration_secs_listener(callback) -> None:
  """Has ``callback(event, duration, **kwargs)`` called at every
  :func:`record_event_duration_secs`.

  >>> register_event_duration_secs_listener(print)
  >>> record_event_duration_secs("/step", 0.5)
  /step 0.5
  >>> unregister_event_duration_listener(print)
  """
  _event_duration_secs_listeners.append(callback)


def register_scalar_listener(callback) -> None:
  """Has ``callback(event, value, **kwargs)`` called at every
  :func:`record_scalar`.

  >>> register_scalar_listener(print)
  >>> record_scalar("/loss", 3)
  /loss 3
  >>> unregister_scalar_listener(print)
  """
  _scalar_listeners.append(callback)


def get_event_duration_listeners() -> list:
  """A copy of the registered duration listeners.

  >>> get_event_duration_listeners()
  []
  """
  return list(_event_duration_secs_listeners)


def get_event_time_span_listeners() -> list:
  """A copy of the registered time-span listeners.

  >>> get_event_time_span_listeners()
  []
  """
  return list(_event_time_span_listeners)


def get_event_listeners() -> list:
  """A copy of the registered event listeners.

  >>> get_event_listeners()
  []
  """
  return list(_event_listeners)


def get_scalar_listeners() -> list:
  """A copy of the registered scalar listeners.

  >>> get_scalar_listeners()
  []
  """
  return list(_scalar_listeners)


def clear_event_listeners() -> None:
  """Removes the event, duration and time-span listeners.

  Scalar listeners stay registered, as in JAX 0.10.2 (whose function rebinds
  a local name instead of clearing them).

  >>> register_event_listener(print)
  >>> clear_event_listeners()
  >>> get_event_listeners()
  []
  """
  _event_listeners.clear()
  _event_duration_secs_listeners.clear()
  _event_time_span_listeners.clear()


def _unregister(listeners: list, callback) -> None:
  # JAX asserts membership; an AssertionError is what a caller sees there.
  assert callback in listeners
  listeners.remove(callback)


def unregister_event_duration_listener(callback) -> None:
  """Removes a listener registered with
  :func:`register_event_duration_secs_listener` (AssertionError if absent).

  >>> unregister_event_duration_listener(print)
  Traceback (most recent call last):
  ...
  AssertionError
  """
  _unregister(_event_duration_secs_listeners, callback)


def unregister_event_time_span_listener(callback) -> None:
  """Removes a listener registered with
  :func:`register_event_time_span_listener` (AssertionError if absent).

  >>> register_event_time_span_listener(print)
  >>> unregister_event_time_span_listener(print)
  """
  _unregister(_event_time_span_listeners, callback)


def unregister_event_listener(callback) -> None:
  """Removes a listener registered with :func:`register_event_listener`
  (AssertionError if absent).

  >>> register_event_listener(print)
  >>> unregister_event_listener(print)
  """
  _unregister(_event_listeners, callback)


def unregister_scalar_listener(callback) -> None:
  """Removes a listener registered with :func:`register_scalar_listener`
  (AssertionError if absent).

  >>> register_scalar_listener(print)
  >>> unregister_scalar_listener(print)
  """
  _unregister(_scalar_listeners, callback)


def any_compile_listener() -> bool:
  """Whether recording compile events could reach anyone (the compile path
  skips timing and naming when not).

  >>> any_compile_listener()
  False
  """
  return bool(_event_listeners or _event_duration_secs_listeners or _event_time_span_listeners
              or _scalar_listeners)


class timed_event:
  """Context manager that records ``event`` (a duration and a time span,
  with ``fun_name``) around its body when a listener is registered; without
  one it only checks the listener lists.

  >>> seen = []
  >>> register_event_duration_secs_listener(lambda e, d, **kw: seen.append((e, kw)))
  >>> with timed_event("/my/phase", "f"):
  ...   pass
  >>> seen
  [('/my/phase', {'fun_name': 'f'})]
  >>> clear_event_listeners()
  """
  __slots__ = ("event", "fun_name", "start")

  def __init__(self, event: str, fun_name: str):
    self.event = event
    self.fun_name = fun_name
    self.start = None

  def __enter__(self):
    if _event_duration_secs_listeners or _event_time_span_listeners:
      self.start = time.time()
    return self

  def __exit__(self, *exc_info):
    if self.start is not None:
      end = time.time()
      record_event_duration_secs(self.event, end - self.start, fun_name=self.fun_name)
      record_event_time_span(self.event, self.start, end, fun_name=self.fun_name)


def compiled_function_name(module_name: str) -> str:
  """The name JAX reports for a compiled module: ``jit(f)`` for the module
  ``jit_f`` (``pmap(f)`` for ``pmap_f``), ``jit(add)`` for an eager
  primitive's module ``add``.

  >>> compiled_function_name("jit_f"), compiled_function_name("add")
  ('jit(f)', 'jit(add)')
  """
  transform, _, function = module_name.partition("_")
  if transform in ("jit", "pmap") and function:
    return f"{transform}({function})"
  return f"jit({module_name})"
