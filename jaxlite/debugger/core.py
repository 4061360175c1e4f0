"""``jax.debug.breakpoint``: stopping a (possibly compiled) program to look around.

At trace time ``breakpoint`` records the Python frames that called it; the
traced values among their local variables become the operands of a debug
callback, so when the program runs, the debugger sees their computed values
(as arrays) beside the frames' other locals. Debuggers are registered by
name with a priority; ``"cli"`` (``jaxlite.debugger.cli_debugger``) is the
fallback, a ``pdb``-like prompt on stdin/stdout.
"""
from __future__ import annotations

import dataclasses
import inspect
import threading
from typing import Any, Hashable, Protocol

from jaxlite import core, traceback_util, tree_util

__all__ = ["DebuggerFrame", "breakpoint", "get_debugger", "register_debugger"]


@tree_util.register_pytree_node_class
class _DictWrapper:
  """A dict as a pytree whose keys need not be sortable (frame locals)."""

  def __init__(self, keys, values):
    self._keys = keys
    self._values = values

  def to_dict(self):
    return dict(zip(self._keys, self._values))

  def tree_flatten(self):
    return self._values, self._keys

  @classmethod
  def tree_unflatten(cls, keys, values):
    return cls(keys, values)


class _CantFlatten:
  def __repr__(self):
    return "<cant_flatten>"


cant_flatten = _CantFlatten()


def _safe_flatten_dict(dct: dict) -> tuple[list, Any]:
  # A local whose value is not a valid pytree is shown as <cant_flatten>.
  keys, values = [], []
  for key, value in dct.items():
    try:
      tree_util.tree_leaves(value)
    except Exception:  # noqa: BLE001 -- any failure to flatten
      value = cant_flatten
    keys.append(key)
    values.append(value)
  return tree_util.tree_flatten(_DictWrapper(keys, values))


@tree_util.register_pytree_node_class
@dataclasses.dataclass(frozen=True)
class DebuggerFrame:
  """Encapsulates Python frame information.

  As a pytree its leaves are the traced values among the frame's variables
  (the rest, and the source text, are static), so a callback receives their
  runtime values.
  """
  filename: str
  locals: dict
  globals: dict
  code_context: Any
  source: list
  lineno: int
  offset: int | None

  def tree_flatten(self):
    flat_locals, locals_tree = _safe_flatten_dict(self.locals)
    flat_globals, globals_tree = _safe_flatten_dict(self.globals)
    flat_vars = flat_locals + flat_globals
    traced = [isinstance(v, core.Tracer) for v in flat_vars]
    static = [v for v, t in zip(flat_vars, traced) if not t]
    dynamic = [v for v, t in zip(flat_vars, traced) if t]
    return dynamic, (tuple(traced), static, locals_tree, globals_tree, len(flat_locals),
                     self.filename, self.code_context, self.source, self.lineno,
                     self.offset)

  @classmethod
  def tree_unflatten(cls, info, dynamic):
    (traced, static, locals_tree, globals_tree, num_locals, filename, code_context,
     source, lineno, offset) = info
    dynamic_it, static_it = iter(dynamic), iter(static)
    flat_vars = [next(dynamic_it) if t else next(static_it) for t in traced]
    locals_ = tree_util.tree_unflatten(locals_tree, flat_vars[:num_locals]).to_dict()
    globals_ = tree_util.tree_unflatten(globals_tree, flat_vars[num_locals:]).to_dict()
    return cls(filename, locals_, globals_, code_context, source, lineno, offset)

  @classmethod
  def from_frameinfo(cls, frame_info) -> "DebuggerFrame":
    """The frame of an ``inspect.FrameInfo``, with the source of its function."""
    try:
      lines, start = inspect.getsourcelines(frame_info.frame)
      source = "".join(lines).split("\n")
      offset = frame_info.lineno - max(start, 1)
      if offset >= len(source):
        source, offset = [], None
    except (OSError, TypeError):
      source, offset = [], None
    return cls(filename=frame_info.filename, locals=frame_info.frame.f_locals, globals={},
               code_context=frame_info.code_context, source=source,
               lineno=frame_info.lineno, offset=offset)


class Debugger(Protocol):
  """A debugger: called with the frames (innermost first) and the thread id."""

  def __call__(self, frames: list[DebuggerFrame], thread_id: int | None,
               **kwargs: Any) -> None:
    ...


_debugger_registry: dict[str, tuple[int, Debugger]] = {}


def get_debugger(backend: str | None = None) -> Debugger:
  """The debugger named ``backend``, else the registered one of highest priority.

    >>> get_debugger("cli").__name__
    'run_debugger'
  """
  if backend is not None and backend in _debugger_registry:
    return _debugger_registry[backend][1]
  if not _debugger_registry:
    raise ValueError("No debuggers registered!")
  return max(_debugger_registry.values(), key=lambda entry: entry[0])[1]


def register_debugger(name: str, debugger: Debugger, priority: int) -> None:
  """Makes ``debugger`` available as ``breakpoint(backend=name)``."""
  if name in _debugger_registry:
    raise ValueError(f"Debugger with name \"{name}\" already registered.")
  _debugger_registry[name] = (priority, debugger)


debug_lock = threading.Lock()


def _as_arrays(values):
  # Values arrive from the callback as host arrays; the debugger shows them as
  # arrays of this library, as JAX's shows its own.
  from jaxlite import numpy as jnp
  return [jnp.asarray(v) for v in values]


def breakpoint(*, backend: str | None = None, filter_frames: bool = True,  # noqa: A001
               num_frames: int | None = None, ordered: bool = False, token=None,
               **kwargs):
  """Enters a breakpoint at a point in a program.

  Args:
    backend: The debugger backend to use. By default, picks the highest priority
      debugger and in the absence of other registered debuggers, falls back to
      the CLI debugger.
    filter_frames: Whether or not to filter out JAX-internal stack frames from
      the traceback.
    num_frames: The number of frames above the current stack frame to make
      available for inspection in the interactive debugger.
    ordered: whether this breakpoint keeps its order with other ordered
      breakpoints and prints.
    token: an alternative to ``ordered``: a pytree of arrays; the breakpoint runs
      once its value is computed, and it is returned unchanged (use the result,
      or the breakpoint is pruned with it).
    **kwargs: passed to the debugger (the CLI debugger takes ``stdin`` and
      ``stdout``).

  Returns:
    If `token` is passed, then its value is returned unchanged. Otherwise, returns
    `None`.

  Example:
    >>> import io, jaxlite, jaxlite.numpy as jnp
    >>> def f(x):
    ...   y = jnp.sin(x)
    ...   jaxlite.debug.breakpoint(stdin=io.StringIO("p y\\nc\\n"), num_frames=1)
    ...   return y
    >>> _ = jaxlite.jit(f)(0.0)
    Entering jdb:
    (jdb) Array(0., dtype=float32)
    (jdb) 
  """
  if token is not None and ordered:
    raise ValueError("`ordered` and `token` are mutually exclusive arguments.")
  frame_infos = inspect.stack()[1:]
  if filter_frames:
    frame_infos = [fi for fi in frame_infos if traceback_util.include_frame(fi.frame)]
  frames = [DebuggerFrame.from_frameinfo(fi) for fi in frame_infos]
  del frame_infos   # frames hold f_locals, not the frame objects
  if num_frames is not None:
    frames = frames[:num_frames]
  flat_args, frames_tree = tree_util.tree_flatten(frames)

  def breakpoint_callback(*flat_args):
    frames = tree_util.tree_unflatten(frames_tree, _as_arrays(flat_args))
    thread_id = None
    if threading.current_thread() is not threading.main_thread():
      thread_id = threading.get_ident()
    debugger = get_debugger(backend=backend)
    with debug_lock:
      debugger(frames, thread_id, **kwargs)

  from jaxlite import debug
  if token is None:
    debug.callback(breakpoint_callback, *flat_args, ordered=ordered)
    return None
  from jaxlite.callbacks import pure_callback
  from jaxlite.lax import stop_gradient

  def with_token(token, *flat_args):
    breakpoint_callback(*flat_args)
    return token
  token, flat_args = stop_gradient((token, flat_args))
  return pure_callback(with_token, token, token, *flat_args)
