"""The name stack and tracebacks: where in the user's program an operation is traced.

Every staged equation records a ``SourceInfo``: the Python traceback at the
moment it was traced (jaxlib's ``Traceback``, captured in C++) and the name
stack. ``jax.named_scope("layer1")`` pushes a name (nested scopes join with
``/``); transformations push their own (``jvp``, ``transpose``, ``vmap``),
which wrap the names after them as JAX renders them
(``"transpose(jvp(dense))"``). Lowering turns both into the MLIR locations
that XLA keeps as each HLO instruction's ``op_name`` and stack frame, the
names profilers show. Libraries read and set the stack through
``jax.extend.source_info_util``.

  >>> with extend_name_stack("model"), extend_name_stack("dense"):
  ...   print(current_name_stack())
  model/dense
  >>> print(NameStack().extend("f").transform("jvp").extend("dense"))
  f/jvp(dense)
"""
from __future__ import annotations

import contextlib
import functools
import os
import threading
from contextlib import contextmanager
from typing import NamedTuple

from jaxlite import traceback_util


class Scope(NamedTuple):
  """A name pushed by ``named_scope``/``extend_name_stack``."""
  name: str

  def wrap(self, names: list) -> None:
    names.append(self.name)


class Transform(NamedTuple):
  """A transformation's name: it wraps the scope that follows it."""
  name: str

  def wrap(self, names: list) -> None:
    if names:
      names[-1] = f"{self.name}({names[-1]})"
    else:
      names.append(f"{self.name}()")


class NameStack(NamedTuple):
  """An immutable stack of scopes and transformations.

    >>> str(NameStack().extend("a").extend("b"))
    'a/b'
    >>> str(NameStack().transform("transpose").transform("jvp"))
    'transpose(jvp())'
  """
  stack: tuple = ()

  def extend(self, name) -> "NameStack":
    names = tuple(name) if isinstance(name, (tuple, list)) else (name,)
    return NameStack(self.stack + tuple(Scope(n) for n in names if n))

  def transform(self, transform_name: str) -> "NameStack":
    return NameStack(self.stack + (Transform(transform_name),))

  def wrap_name(self, name: str) -> str:
    """``name`` qualified by this stack (``"a/b/name"``)."""
    return f"{self}/{name}" if self.stack else name

  def __getitem__(self, index) -> "NameStack":
    return NameStack(self.stack[index])

  def __len__(self):
    return len(self.stack)

  def __str__(self):
    names: list = []
    for element in reversed(self.stack):
      element.wrap(names)
    return "/".join(reversed(names))

  def __add__(self, other):
    return NameStack(self.stack + tuple(other.stack))

  def __radd__(self, other):
    return NameStack(tuple(other.stack) + self.stack)


class SourceInfo(NamedTuple):
  """Where an operation comes from: jaxlib's ``Traceback`` (or None) and its name stack."""
  traceback: object
  name_stack: NameStack

  def replace(self, *, traceback=None, name_stack=None) -> "SourceInfo":
    return SourceInfo(self.traceback if traceback is None else traceback,
                      self.name_stack if name_stack is None else name_stack)


class Frame(NamedTuple):
  """One user frame of a traceback (JAX's ``source_info_util.Frame``)."""
  file_name: str
  function_name: str
  start_line: int
  start_column: int
  end_line: int
  end_column: int


class _Context(threading.local):
  def __init__(self):
    self.name_stack = NameStack()
    self.traceback = None   # set by user_context: operations traced inside take it


_context = _Context()
_EMPTY = NameStack()


def _jaxlib_traceback():
  from jaxlib import xla_client  # pylint: disable=g-import-not-at-top
  return xla_client.Traceback


def current_name_stack() -> NameStack:
  """This thread's name stack now."""
  return _context.name_stack


def new_source_info() -> SourceInfo:
  return SourceInfo(None, _EMPTY)


def current() -> SourceInfo:
  """The source info an operation traced now gets: the traceback here (or the
  one ``user_context`` set) and the name stack.

    >>> str(current().name_stack), current().traceback is not None
    ('', True)
  """
  return current_from(0)


def current_from(depth: int) -> SourceInfo:
  """``current()`` with the name stack's first ``depth`` entries dropped: the
  names of a trace that began at that depth are relative to where it began.

    >>> with extend_name_stack("outer"):
    ...   print(current_from(1).name_stack, "|", current_from(0).name_stack)
     | outer
  """
  context = _context
  traceback = context.traceback
  if traceback is None:
    traceback = _get_traceback()
  name_stack = context.name_stack
  return SourceInfo(traceback, NameStack(name_stack.stack[depth:]) if depth else name_stack)


def traceback_scope():
  """Tracebacks captured inside the block leave out the frames outside it
  (jaxlib's ``TracebackScope``, as JAX's tracing uses it).

    >>> with traceback_scope():
    ...   current().traceback is not None
    True
  """
  from jaxlib import _jax  # pylint: disable=g-import-not-at-top
  return _jax.TracebackScope()


def _get_traceback():
  # jaxlib's C++ capture (code objects and instruction offsets, no frames kept),
  # bound on first use so that importing jaxlite does not load jaxlib.
  global _get_traceback
  _get_traceback = _jaxlib_traceback().get_traceback
  return _get_traceback()


# Frames from these files are the library's, not the user's (JAX's rule: its
# own package, the standard library, contextlib); a file ending in _test.py
# is always the user's.
@functools.cache
def _stdlib_paths() -> tuple:
  import sysconfig  # pylint: disable=g-import-not-at-top  (not at import jaxlite)
  return (sysconfig.get_path("stdlib"), os.path.dirname(contextlib.__file__))


@functools.lru_cache(maxsize=4096)
def is_user_filename(filename: str) -> bool:
  """Whether frames of ``filename`` are the user's code (shown in locations).

    >>> is_user_filename(__file__), is_user_filename("/home/me/model.py")
    (False, True)
  """
  if filename.endswith("_test.py"):
    return True
  if traceback_util.is_internal_filename(filename):
    return False
  return not any(p and filename.startswith(p + os.sep) for p in _stdlib_paths())


def user_frames(traceback):
  """The user's frames of a jaxlib ``Traceback``, innermost first."""
  if traceback is None:
    return
  codes, lastis = traceback.raw_frames()
  locate = _jaxlib_traceback().code_addr2location
  for code, lasti in zip(codes, lastis):
    if is_user_filename(code.co_filename):
      start_line, start_column, end_line, end_column = locate(code, lasti)
      yield Frame(code.co_filename, code.co_qualname, start_line, start_column, end_line,
                  end_column)


def user_frame(traceback) -> Frame | None:
  """The innermost user frame of ``traceback``, or None."""
  return next(user_frames(traceback), None)


def _summarize_frame(frame: Frame) -> str:
  if frame.start_column != 0:
    return f"{frame.file_name}:{frame.start_line}:{frame.start_column} ({frame.function_name})"
  return f"{frame.file_name}:{frame.start_line} ({frame.function_name})"


def summarize(source_info: SourceInfo, num_frames=1) -> str:
  """Where ``source_info`` was traced: its innermost ``num_frames`` user frames,
  outermost first (``"/path/model.py:12:8 (loss)"``)."""
  frames = []
  for frame in user_frames(source_info.traceback):
    frames.append(_summarize_frame(frame))
    if len(frames) == num_frames:
      break
  return "\n".join(reversed(frames))


@contextmanager
def _name_stack_as(make_stack):
  """The name stack ``make_stack(stack now)`` inside the block, computed on
  entry (so that, as a decorator, each call pushes onto the stack of its time)."""
  context = _context
  previous = context.name_stack
  context.name_stack = make_stack(previous)
  try:
    yield context.name_stack
  finally:
    context.name_stack = previous


def set_name_stack(name_stack: NameStack):
  """Replaces the name stack inside the block."""
  return _name_stack_as(lambda _: name_stack)


def extend_name_stack(name: str):
  """Pushes ``name`` inside the block (or, as a decorator, around each call)."""
  return _name_stack_as(lambda stack: stack.extend(name))


def new_name_stack(name: str = "") -> NameStack:
  """A fresh stack holding only ``name``."""
  return NameStack().extend(name) if name else NameStack()


def reset_name_stack():
  """An empty name stack inside the block."""
  return _name_stack_as(lambda _: _EMPTY)


def transform_name_stack(name: str):
  """Pushes a transformation's name (``"jvp()"``) inside the block."""
  return _name_stack_as(lambda stack: stack.transform(name))


@contextmanager
def user_context(traceback, *, name_stack: NameStack | None = None):
  """Operations traced inside the block take ``traceback`` (when not None) and
  ``name_stack`` (when given): a transformation replaying an equation gives
  what it stages the equation's origin.

    >>> with user_context(None, name_stack=NameStack().extend("replayed")):
    ...   print(current().name_stack)
    replayed
  """
  context = _context
  previous = context.traceback, context.name_stack
  if traceback is not None:
    context.traceback = traceback
  if name_stack is not None:
    context.name_stack = name_stack
  try:
    yield
  finally:
    context.traceback, context.name_stack = previous


def register_exclusion(path: str) -> None:
  """Hides frames from files under ``path`` in filtered tracebacks (as JAX's internals)."""
  traceback_util.register_exclusion(path)
  is_user_filename.cache_clear()


__all__ = ["NameStack", "SourceInfo", "current", "current_name_stack", "extend_name_stack",
           "new_name_stack", "new_source_info", "register_exclusion", "reset_name_stack",
           "set_name_stack", "summarize", "transform_name_stack", "user_context", "named_scope"]


@contextmanager
def named_scope(name: str):
  """Names the operations traced inside the block (``jax.named_scope``).

  Scopes nest (``"outer/inner"``); the name stack is what profilers and
  ``source_info_util.current_name_stack()`` see.

  Example:
    >>> with named_scope("encoder"), named_scope("layer0"):
    ...   print(current_name_stack())
    encoder/layer0
  """
  if not isinstance(name, str):
    raise TypeError("named_scope name argument must be a string.")
  with extend_name_stack(name):
    yield
