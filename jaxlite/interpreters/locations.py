"""MLIR locations of lowered operations: what XLA shows as each HLO
instruction's name, ``op_name`` and stack frame.

JAX locates every operation it lowers by the equation's name stack and the
user's Python traceback at the moment the operation was traced, and XLA keeps
both through compilation: ``jit(f)/dense/dot_general`` becomes the
instruction's ``op_name`` (and its name, ``dot_general.3``), the traceback its
stack frame, as profilers show them. jaxlite builds the same locations:

* an equation: ``"<name stack>/<primitive>"`` around the callsite chain of the
  user's frames (innermost first, jaxlite's own frames and the standard
  library's left out, at most ``jax_traceback_in_locations_limit``), made by
  jaxlib's ``TracebackToLocationCache``; a primitive whose lowering JAX never
  caches (a call, a callback) is also named ``"<primitive>:"`` around that;
* a function's own operations (constants, the return): the function's name
  stack (``"jit(f)"`` for a main function) around the caller's traceback;
* a main function's arguments: their names (``"x"``, ``"params['w']"``).

  >>> str(main_name_stack("jit_train_step"))
  'jit(train_step)'
"""
from __future__ import annotations

import re
import threading

from jaxlite import source_info_util
from jaxlite.config import (hlo_source_file_canonicalization_regex,
                            include_full_tracebacks_in_locations, traceback_in_locations_limit)
from jaxlite.source_info_util import NameStack

# Primitives JAX lowers afresh at each use (no lowering cache): their
# operations carry a second name, "<primitive>:".
UNCACHED_PRIMITIVE_NAMES = frozenset({
    "jit", "pjit", "closed_call", "custom_jvp_call", "custom_vjp_call", "pure_callback",
    "io_callback", "debug_callback"})

_WRAPPED_PREFIXES = ("jit", "pmap", "xla_computation")

_local = threading.local()


def main_name_stack(module_name: str) -> NameStack:
  """The name stack of a module's ``main`` (``"jit_f"`` -> ``jit(f)``, as JAX names it).

    >>> str(main_name_stack("pmap_step")), str(main_name_stack("sin"))
    ('pmap(step)', 'sin')
  """
  for prefix in _WRAPPED_PREFIXES:
    if module_name.startswith(prefix + "_"):
      return NameStack().extend(f"{prefix}({module_name[len(prefix) + 1:]})")
  return NameStack().extend(module_name)


def _canonical_file_name(file_name: str) -> str:
  pattern = hlo_source_file_canonicalization_regex.value
  return re.sub(pattern, "", file_name) if pattern else file_name


def _code_to_filename(code):
  """The file name a user frame shows (None hides the frame)."""
  if not source_info_util.is_user_filename(code.co_filename):
    return None
  return _canonical_file_name(code.co_filename)


def start_module() -> None:
  """Called as a module's lowering begins: the converter's cache (which keeps
  every traceback it has seen) lives for one module, as JAX's does."""
  _local.converter = None


def _traceback_converter(ir):
  """This thread's jaxlib ``TracebackToLocationCache`` for the module being
  lowered, its MLIR context and frame limit (its locations live in that context)."""
  limit = traceback_in_locations_limit.value
  limit = limit if limit >= 0 else 1000
  pattern = hlo_source_file_canonicalization_regex.value
  key = (ir.Context.current, limit, pattern)
  cached = getattr(_local, "converter", None)
  if cached is None or cached[0] != key:
    from jaxlib.mlir._mlir_libs import _jax_mlir_ext  # pylint: disable=g-import-not-at-top
    cached = _local.converter = (key, _jax_mlir_ext.TracebackToLocationCache(
        code_to_filename=_code_to_filename, frame_limit=limit))
  return cached[1]


def traceback_location(ir, traceback):
  """The callsite location of ``traceback``'s user frames (unknown without one)."""
  if traceback is None:
    return ir.Location.unknown()
  if include_full_tracebacks_in_locations.value:
    return _traceback_converter(ir).get(traceback)
  frame = source_info_util.user_frame(traceback)
  if frame is None:
    return ir.Location.unknown()
  return ir.Location.file(_canonical_file_name(frame.file_name), frame.start_line,
                          frame.start_column)


def location(ir, primitive_name, name_stack: NameStack, traceback):
  """An operation's location: ``primitive_name`` (None for a function's own
  operations) under ``name_stack``, traced at ``traceback``."""
  loc = traceback_location(ir, traceback)
  if primitive_name is None:
    if name_stack.stack:
      loc = ir.Location.name(str(name_stack), childLoc=loc)
    return loc
  if primitive_name in UNCACHED_PRIMITIVE_NAMES:
    name = f"{name_stack}/{primitive_name}" if name_stack.stack else primitive_name
    return ir.Location.name(f"{primitive_name}:", childLoc=ir.Location.name(name, childLoc=loc))
  if not include_full_tracebacks_in_locations.value:
    # JAX's cached lowering nests the primitive's name around a plain file location.
    if name_stack.stack:
      loc = ir.Location.name(str(name_stack), childLoc=loc)
    return ir.Location.name(primitive_name, childLoc=loc)
  name = f"{name_stack}/{primitive_name}" if name_stack.stack else primitive_name
  return ir.Location.name(name, childLoc=loc)


def argument_locations(ir, arg_names, num_args: int) -> list:
  """A main function's argument locations: their names (unknown where None or "")."""
  names = list(arg_names or ())
  if len(names) > num_args:   # names of another signature: none rather than wrong ones
    names = []
  names = [""] * (num_args - len(names)) + names   # leading constants have no name
  return [ir.Location.name(n) if n else ir.Location.unknown() for n in names]
