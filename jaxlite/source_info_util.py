"""The name stack: where in the user's program an operation is being traced.

``jax.named_scope("layer1")`` pushes a name for the operations traced inside
it; nested scopes join with ``/`` (``"model/layer1"``). Libraries read and
set the stack through ``jax.extend.source_info_util``.

  >>> with extend_name_stack("model"), extend_name_stack("dense"):
  ...   print(current_name_stack())
  model/dense
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import NamedTuple

from jaxlite import traceback_util


class NameStack(NamedTuple):
  """An immutable stack of scope names.

    >>> str(NameStack().extend("a").extend("b"))
    'a/b'
  """
  stack: tuple = ()

  def extend(self, name) -> "NameStack":
    names = tuple(name) if isinstance(name, (tuple, list)) else (name,)
    return NameStack(self.stack + tuple(n for n in names if n))

  def wrap_name(self, name: str) -> str:
    """``name`` qualified by this stack (``"a/b/name"``)."""
    return "/".join(map(str, self.stack + (name,)))

  def transform(self, transform_name: str) -> "NameStack":
    return self.extend(f"{transform_name}()")

  def __len__(self):
    return len(self.stack)

  def __str__(self):
    return "/".join(map(str, self.stack))

  def __add__(self, other):
    return NameStack(self.stack + tuple(other.stack))


class SourceInfo(NamedTuple):
  """Where an operation comes from: a traceback (jaxlite keeps none) and its name stack."""
  traceback: object
  name_stack: NameStack

  def replace(self, *, traceback=None, name_stack=None) -> "SourceInfo":
    return SourceInfo(self.traceback if traceback is None else traceback,
                      self.name_stack if name_stack is None else name_stack)


class _Context(threading.local):
  def __init__(self):
    self.name_stack = NameStack()


_context = _Context()


def current_name_stack() -> NameStack:
  """This thread's name stack now."""
  return _context.name_stack


def new_source_info() -> SourceInfo:
  return SourceInfo(None, NameStack())


def current() -> SourceInfo:
  """The source info an operation traced now gets."""
  return SourceInfo(None, _context.name_stack)


@contextmanager
def set_name_stack(name_stack: NameStack):
  """Replaces the name stack inside the block."""
  previous = _context.name_stack
  _context.name_stack = name_stack
  try:
    yield
  finally:
    _context.name_stack = previous


def extend_name_stack(name: str):
  """Pushes ``name`` inside the block."""
  return set_name_stack(_context.name_stack.extend(name))


def new_name_stack(name: str = "") -> NameStack:
  """A fresh stack holding only ``name``."""
  return NameStack().extend(name) if name else NameStack()


def reset_name_stack():
  """An empty name stack inside the block."""
  return set_name_stack(NameStack())


def transform_name_stack(name: str):
  """Pushes a transformation's name (``"jvp()"``) inside the block."""
  return set_name_stack(_context.name_stack.transform(name))


@contextmanager
def user_context(traceback, *, name_stack: NameStack | None = None):
  """Runs the block with ``name_stack`` (when given); ``traceback`` (JAX's
  user traceback) is not kept by jaxlite."""
  if name_stack is None:
    yield
  else:
    with set_name_stack(name_stack):
      yield


def summarize(source_info: SourceInfo, num_frames=1) -> str:
  """A one-line description of ``source_info`` (its name stack)."""
  return str(source_info.name_stack) or "unknown"


def register_exclusion(path: str) -> None:
  """Hides frames from files under ``path`` in filtered tracebacks (as JAX's internals)."""
  traceback_util.register_exclusion(path)


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
