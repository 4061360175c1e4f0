"""Traceback filtering: the frames a user sees when an exception escapes jaxlite.

A jitted call runs the user's function under several layers of jaxlite
(tracing, partial evaluation, lowering); an error in the user's code, or a
shape error that the user's code caused, would otherwise be shown under dozens
of jaxlite frames. Each public entry point (``jit``/``grad``/``vmap``/``pmap``
calls, the AD and staging APIs, and eager primitive binds) is an *API
boundary*: when an exception leaves the outermost boundary, the frames of the
``jaxlite`` package are removed from its traceback, as JAX does, so that the
last frame shown is the user's line that went wrong.

``config.jax_traceback_filtering`` (env ``JAX_TRACEBACK_FILTERING``) selects:

- ``"off"``: tracebacks are left alone;
- ``"tracebackhide"``: internal frames get ``__tracebackhide__`` in their
  locals, which IPython and pytest honour when they print;
- ``"remove_frames"``: internal frames are removed and the unfiltered
  traceback is attached as the exception's ``__cause__``
  (an ``UnfilteredStackTrace``);
- ``"quiet_remove_frames"``: internal frames are removed and a note says so;
- ``"auto"`` (default): ``tracebackhide`` under IPython, else
  ``quiet_remove_frames``.

The boundary costs nothing when no exception is raised: it is a ``try``
statement (zero-cost in CPython 3.11) at the outermost call, and boundaries
are recognised by their code objects, so nesting needs no bookkeeping.
"""
from __future__ import annotations

import functools
import os
import sys
import traceback
import types
from typing import Callable, TypeVar

from jaxlite.config import config

F = TypeVar("F", bound=Callable)

# Frames from files under these directories are internal. The whole package
# is: users never write code inside it.
_exclude_paths: list[str] = [os.path.dirname(os.path.abspath(__file__))]

# The code objects of boundary frames: an exception is filtered by the
# outermost boundary on the stack only.
_boundary_codes: set = set()

_SIMPLIFIED_MESSAGE = (
    "For simplicity, JAX has removed its internal frames from the traceback of the "
    "following exception. Set JAX_TRACEBACK_FILTERING=off to include these.")

_UNFILTERED_MESSAGE = (
    "The stack trace below excludes JAX-internal frames.\n"
    "The preceding is the original exception that occurred, unmodified.\n"
    "\n--------------------")


class UnfilteredStackTrace(Exception):
  """Carries the full traceback (``remove_frames`` mode), as the ``__cause__``."""


class SimplifiedTraceback(Exception):
  def __str__(self):
    return _SIMPLIFIED_MESSAGE


def register_exclusion(path: str) -> None:
  """Treats frames from files under ``path`` as internal (e.g. a library
  built on jaxlite that wants its frames hidden too)."""
  _exclude_paths.append(os.path.abspath(path))


def is_internal_filename(filename: str) -> bool:
  filename = os.path.abspath(filename)
  return any(filename == p or filename.startswith(p + os.sep) for p in _exclude_paths)


def include_filename(filename: str) -> bool:
  """Whether tracebacks show frames of ``filename`` (JAX's name; libraries
  such as equinox filter their own tracebacks with it)."""
  return not is_internal_filename(filename)


def include_frame(frame) -> bool:
  """Whether tracebacks show ``frame``: it is not in jaxlite or an excluded path."""
  return include_filename(frame.f_code.co_filename)


_include_frame = include_frame


def filter_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
  """The traceback ``tb`` without its internal frames (None if none are left)."""
  out = None
  for frame, lineno in reversed(list(traceback.walk_tb(tb))):
    if _include_frame(frame):
      out = types.TracebackType(out, frame, frame.f_lasti, lineno)
  return out


def _with_call_stack(tb: types.TracebackType) -> types.TracebackType:
  """``tb`` extended upwards with the user frames that called the boundary, so
  that an ``UnfilteredStackTrace`` reads like a complete one."""
  out = tb
  for frame, lineno in traceback.walk_stack(tb.tb_frame.f_back):
    out = types.TracebackType(out, frame, frame.f_lasti, lineno)
  return out


def _under_outer_boundary(frame) -> bool:
  frame = frame.f_back if frame is not None else None
  while frame is not None:
    if frame.f_code in _boundary_codes:
      return True
    frame = frame.f_back
  return False


def _running_under_ipython() -> bool:
  return "IPython" in sys.modules and getattr(
      sys.modules["IPython"], "get_ipython", lambda: None)() is not None


def filtering_mode() -> str:
  mode = config.jax_traceback_filtering
  if mode is None or mode == "auto":
    return "tracebackhide" if _running_under_ipython() else "quiet_remove_frames"
  return mode


def filter_exception(e: BaseException, boundary_frame) -> None:
  """Rewrites ``e``'s traceback in place as the filtering mode says; a no-op
  unless ``boundary_frame`` is the outermost boundary. The caller re-raises
  with a bare ``raise`` (which adds no frame of its own)."""
  tb = e.__traceback__
  if tb is None or _under_outer_boundary(boundary_frame):
    return
  mode = filtering_mode()
  if mode == "off":
    return
  if mode == "tracebackhide":
    for frame, _ in traceback.walk_tb(tb):
      if not _include_frame(frame):
        frame.f_locals["__tracebackhide__"] = True
    return
  e.with_traceback(filter_traceback(tb))
  if mode == "quiet_remove_frames":
    note = "--------------------\n" + _SIMPLIFIED_MESSAGE
    if note not in getattr(e, "__notes__", ()):
      e.add_note(note)
  elif mode == "remove_frames":
    message = "".join(traceback.format_exception_only(type(e), e)).strip()
    unfiltered = UnfilteredStackTrace(f"{message}\n\n{_UNFILTERED_MESSAGE}")
    unfiltered.with_traceback(_with_call_stack(tb))
    unfiltered.__cause__ = e.__cause__
    unfiltered.__context__ = e.__context__
    unfiltered.__suppress_context__ = e.__suppress_context__
    e.__cause__ = unfiltered
    e.__context__ = None


def register_boundary(fun) -> None:
  """Marks a function (or its code object) whose frame is an API boundary;
  for entry points that filter in their own ``try`` (see ``Jitted.__call__``)."""
  _boundary_codes.add(getattr(fun, "__code__", fun))


def api_boundary(fun: F) -> F:
  """Makes ``fun`` an API boundary: an exception escaping it, and no outer
  boundary, has jaxlite's internal frames filtered out of its traceback.

  Example:
    >>> from jaxlite.traceback_util import api_boundary
    >>> @api_boundary
    ... def my_transform(x):
    ...   return x + 1
    >>> my_transform(1)
    2
  """
  @functools.wraps(fun)
  def reraise_with_filtered_traceback(*args, **kwargs):
    __tracebackhide__ = True  # noqa: F841  (read by pytest and IPython)
    try:
      return fun(*args, **kwargs)
    except Exception as e:
      filter_exception(e, sys._getframe())
      raise
  return reraise_with_filtered_traceback


register_boundary(api_boundary(lambda: None).__code__)
