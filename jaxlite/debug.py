"""``jaxlite.debug``: printing and callbacks for looking inside transformed code.

``debug.print`` and ``debug.callback`` run on the values a program actually
computes, under ``jit`` (as a host call compiled into the program), ``vmap``
(once per element of the batch, in order) and ``grad`` (on primal values):

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> @jaxlite.jit
  ... def f(x):
  ...   jaxlite.debug.print("x = {}", x)
  ...   return x * 2
  >>> _ = jaxlite.vmap(f)(jnp.arange(2.0))
  x = 0.0
  x = 1.0

The primitive carries a debug effect, so it is never removed as dead code,
and calls within one block of the compiled program are chained by a token,
so they run in program order.
"""
from __future__ import annotations

import copy
import logging
import string
import sys
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import core, traceback_util
from jaxlite.callbacks import FlatCallback, emit_ordered_callback, moveaxis_to_front, \
    split_static, to_host
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.tree_util import tree_flatten, tree_unflatten
from jaxlite.core_tools import Effect

__all__ = ["print", "callback", "log", "breakpoint", "DebugEffect", "OrderedDebugEffect"]


class DebugEffect(Effect):
  """The effect of a debug callback: it must run, though nothing reads its result."""

  def __repr__(self):
    return "Debug"


class OrderedDebugEffect(DebugEffect):
  """A debug effect whose calls keep their order with other ordered ones."""

  def __repr__(self):
    return "OrderedDebug"


debug_effect = DebugEffect()
ordered_debug_effect = OrderedDebugEffect()

debug_callback_p = core.Primitive("debug_callback")
debug_callback_p.multiple_results = True


@debug_callback_p.def_abstract_eval
def _debug_callback_abstract_eval(*avals, callback, effect):
  return []


def _debug_callback_effects(*avals, callback, effect):
  return frozenset({effect})


debug_callback_p.effects_rule = _debug_callback_effects


@debug_callback_p.def_impl
def _debug_callback_impl(*args, callback, effect):
  # Outside every transformation: call it now, with host copies of the values.
  callback(*[to_host(a) for a in args])
  return []


def _debug_callback_lowering(ctx, *args, callback, effect):
  def host(*arrays):
    callback(*arrays)
    return ()
  # Every debug call is chained after the previous one, ordered or not: the
  # order of prints is the order of the program (JAX leaves unordered ones free).
  return emit_ordered_callback(ctx, host, list(args), [])


mlir.register_lowering(debug_callback_p, _debug_callback_lowering)


def _debug_callback_jvp(primals, tangents, *, callback, effect):
  # Only primal values are shown; the tangents pass through nothing.
  debug_callback_p.bind(*primals, callback=callback, effect=effect)
  return [], []


ad.primitive_jvps[debug_callback_p] = _debug_callback_jvp


def _debug_callback_transpose(cts, *args, callback, effect):
  # Nothing linear flows through a debug callback (it has no outputs).
  return [None] * len(args)


ad.primitive_transposes[debug_callback_p] = _debug_callback_transpose


class _BatchedDebugCallback:
  """A debug callback called once per batch element of enclosing ``vmap``s.

  ``levels`` lists, from the innermost ``vmap`` (batched first) outwards,
  each level's size and which arguments it batches. Each level put its axis
  in front, so an argument's axis of level ``k`` comes after those of the
  later levels that batch it. The innermost level is looped outermost: the
  order in which JAX's eager ``vmap`` of ``vmap`` prints.
  """
  __slots__ = ("callback", "levels")

  def __init__(self, callback, levels):
    self.callback, self.levels = callback, tuple(levels)

  def __call__(self, *arrays):
    self._run(0, arrays)

  def _run(self, k, arrays):
    if k == len(self.levels):
      self.callback(*arrays)
      return
    size, batched = self.levels[k]
    axes = [sum(later[1][i] for later in self.levels[k + 1:]) for i in range(len(arrays))]
    for index in range(size):
      self._run(k + 1, [np.take(a, index, axis=ax) if b else a
                        for a, b, ax in zip(arrays, batched, axes)])

  def __repr__(self):
    return f"batched({self.callback!r})"


def _debug_callback_batch(args, dims, *, callback, effect):
  size = next(a.shape[d] for a, d in zip(args, dims) if d is not None)
  args = [a if d is None else moveaxis_to_front(a, d) for a, d in zip(args, dims)]
  level = (size, tuple(d is not None for d in dims))
  if isinstance(callback, _BatchedDebugCallback):
    batched = _BatchedDebugCallback(callback.callback, callback.levels + (level,))
  else:
    batched = _BatchedDebugCallback(callback, (level,))
  debug_callback_p.bind(*args, callback=batched, effect=effect)
  return [], []


batching.primitive_batchers[debug_callback_p] = _debug_callback_batch


def callback(callback: Callable[..., Any] | None = None, *args: Any, ordered: bool = False,
             partitioned: bool = False, **kwargs: Any):
  """Calls ``callback(*args, **kwargs)`` on the host, for its side effects.

  Array leaves of ``args``/``kwargs`` reach ``callback`` as NumPy arrays
  holding the values the program computes: under ``vmap`` it is called once
  per batch element, under ``grad`` with primal values. It returns nothing
  and is never removed as dead code. Without ``callback`` (the two-call form,
  ``debug.callback(ordered=True)(f, x)``) it returns the function to call.

  Args:
    callback: a Python function; its return value is ignored.
    *args, **kwargs: its arguments (pytrees; array leaves may be traced).
    ordered: keep the call's order relative to other ordered effects.
    partitioned: accepted for JAX compatibility (one device per program).

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> seen = []
    >>> jaxlite.jit(lambda x: jaxlite.debug.callback(seen.append, x))(jnp.ones(2))
    >>> seen
    [array([1., 1.], dtype=float32)]
  """
  del partitioned

  def debug_callback(callback, *c_args, **c_kwargs):
    if not callable(callback):
      raise TypeError("first argument to jax.debug.callback must be callable, "
                      f"but got an object of type {type(callback)}")
    flat_args, in_tree = tree_flatten((c_args, c_kwargs))
    static, dynamic = split_static(flat_args)
    effect = ordered_debug_effect if ordered else debug_effect
    debug_callback_p.bind(*dynamic, callback=FlatCallback(_returning_none(callback), in_tree,
                                                          static, "jax.debug.callback"),
                          effect=effect)

  if callback is not None:
    debug_callback(callback, *args, **kwargs)
    return None
  if args or kwargs:
    raise TypeError("debug_callback received unexpected arguments in the two-call form:"
                    f" {args=} {kwargs=}")
  return debug_callback


def _returning_none(fun):
  def call(*args, **kwargs):
    fun(*args, **kwargs)
  call.__name__ = getattr(fun, "__name__", "callback")
  return call


class _FormatChecker(string.Formatter):
  """Formats nothing; raises str.format's errors and JAX's for unused arguments."""

  def format_field(self, value, format_spec):
    return ""

  def check_unused_args(self, used_args, args, kwargs):
    unused_args = [a for i, a in enumerate(args) if i not in used_args]
    unused_kwargs = [k for k in kwargs if k not in used_args]
    if unused_args:
      raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused_args}")
    if unused_kwargs:
      raise ValueError(
          f"Unused keyword arguments to `jax.debug.print`: {unused_kwargs}. "
          "You may be passing an f-string (i.e, `f\"{x}\"`) into "
          "`jax.debug.print` and instead should pass in a regular string.")


_format_checker = _FormatChecker()
_logger = logging.getLogger(__name__)


def _logging_record(level):
  # Where the user called debug.log: the first frame outside jaxlite.
  frame = sys._getframe(1)
  while frame is not None and not traceback_util.include_frame(frame):
    frame = frame.f_back
  file_name, line_no = ("(unknown file)", 0) if frame is None else \
      (frame.f_code.co_filename, frame.f_lineno)
  return _logger.makeRecord(_logger.name, level, file_name, line_no, "", (), None)


# --- debug_print: the primitive `debug.print` stages, as JAX 0.10.2 does ---------------
#
# Parameters (JAX's): the format string, the argument tree with its non-array
# leaves (`static_args`, (position, value) pairs), NumPy's print options at the
# time of the call, whether `fmt` has placeholders, `ordered`, `partitioned`
# and `logging_record` (None: print to stdout).

debug_print_p = core.Primitive("debug_print")
debug_print_p.multiple_results = True


def _print_message(arrays, *, fmt, in_tree, static_args, np_printoptions,
                   has_placeholders):
  static = dict(static_args)
  arrays = iter(arrays)
  leaves = [static[i] if i in static else next(arrays) for i in range(in_tree.num_leaves)]
  args, kwargs = tree_unflatten(in_tree, leaves)
  with np.printoptions(**dict(np_printoptions)):
    if has_placeholders:
      return fmt.format(*args, **kwargs)
    return " ".join((fmt, *(str(a) for a in args)))


def _printer(params):
  """The host function that formats and writes one message (stdout, or the log)."""
  record = params.get("logging_record")

  def write(*arrays):
    message = _print_message(arrays, **_format_params(params))
    if record is None:
      sys.stdout.write(message + "\n")
    else:
      logged = copy.copy(record)
      logged.msg = message
      _logger.handle(logged)
  return write


def _format_params(params):
  return {k: params[k] for k in ("fmt", "in_tree", "static_args", "np_printoptions",
                                 "has_placeholders")}


debug_print_p.def_abstract_eval(lambda *avals, **params: [])
debug_print_p.effects_rule = lambda *avals, ordered, **_: frozenset(
    {ordered_debug_effect if ordered else debug_effect})


@debug_print_p.def_impl
def _debug_print_impl(*args, **params):
  _printer(params)(*[to_host(a) for a in args])
  return []


def _debug_print_lowering(ctx, *args, **params):
  write = _printer(params)

  def host(*arrays):
    write(*arrays)
    return ()
  return emit_ordered_callback(ctx, host, list(args), [])


mlir.register_lowering(debug_print_p, _debug_print_lowering)
ad.primitive_jvps[debug_print_p] = lambda primals, tangents, **params: (
    debug_print_p.bind(*primals, **params), [])
ad.primitive_transposes[debug_print_p] = lambda cts, *args, **params: [None] * len(args)


def _debug_print_batch(args, dims, **params):
  # One print per element of the batch, in order: JAX unrolls the same way.
  from jaxlite import lax
  size = next(a.shape[d] for a, d in zip(args, dims) if d is not None)
  for i in range(size):
    debug_print_p.bind(*[a if d is None else lax.index_in_dim(a, i, d, keepdims=False)
                         for a, d in zip(args, dims)], **params)
  return [], []


batching.primitive_batchers[debug_print_p] = _debug_print_batch


def print(fmt: str | None = None, *args, ordered: bool = False,  # noqa: A001
          partitioned: bool = False, skip_format_check: bool = False,
          _use_logging: bool = False, **kwargs):
  """Prints ``fmt.format(*args, **kwargs)`` with the values the program computes.

  Works in eager code and under ``jit``, ``vmap`` (one line per batch
  element, in order) and ``grad`` (primal values). Arrays are formatted as
  NumPy arrays. Without ``fmt`` (the two-call form,
  ``debug.print(ordered=True)("x={x}", x=x)``) it returns the function to call.

  Args:
    fmt: a ``str.format`` string.
    *args, **kwargs: values to format (pytrees of arrays, or Python values).
    ordered: keep this print's order relative to other ordered effects.
    partitioned: accepted for JAX compatibility (one device per program).
    skip_format_check: do not check ``fmt`` against the arguments at trace time.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> jaxlite.jit(lambda x: jaxlite.debug.print("{x} and {}", x + 1, x=x))(jnp.float32(1))
    1.0 and 2.0
  """
  def debug_print(fmt, *c_args, **c_kwargs):
    if not skip_format_check:
      _format_checker.format(fmt, *c_args, **c_kwargs)
    fields = list(string.Formatter().parse(fmt)) if fmt else []
    flat_args, in_tree = tree_flatten((c_args, c_kwargs))
    static, dynamic = split_static(flat_args)
    has_placeholders = bool(fields) and fields[0][1] is not None
    debug_print_p.bind(
        *dynamic, fmt=fmt, has_placeholders=has_placeholders, in_tree=in_tree,
        logging_record=_logging_record(logging.INFO) if _use_logging else None,
        np_printoptions=tuple(np.get_printoptions().items()), ordered=bool(ordered),
        partitioned=bool(partitioned), static_args=tuple(sorted(static.items())))

  if fmt is not None:
    debug_print(fmt, *args, **kwargs)
    return None
  if args or kwargs:
    raise TypeError("debug_print received unexpected arguments in the two-call form:"
                    f" {args=} {kwargs=}")
  return debug_print


def log(fmt: str | None = None, *args, ordered: bool = False, partitioned: bool = False,
        skip_format_check: bool = False, _use_logging: bool = True, **kwargs):
  """``debug.print`` to the ``logging`` module: an INFO record of the
  ``jaxlite.debug`` logger, located at the caller's line.

  Example:
    >>> import logging, sys, jaxlite
    >>> logger, handler = logging.getLogger("jaxlite.debug"), logging.StreamHandler(sys.stdout)
    >>> logger.addHandler(handler); logger.setLevel(logging.INFO)
    >>> jaxlite.jit(lambda x: jaxlite.debug.log("x is {}", x))(1.0)
    x is 1.0
    >>> logger.removeHandler(handler)
  """
  return print(fmt, *args, ordered=ordered, partitioned=partitioned,
               skip_format_check=skip_format_check, _use_logging=_use_logging, **kwargs)


# Sharding pictures and inspection live with the shardings.
from jaxlite.sharding.visualize import (inspect_array_sharding,  # noqa: E402,F401
                                        visualize_array_sharding, visualize_sharding)

# jax.debug.breakpoint: the debugger lives in its own package.
from jaxlite.debugger import breakpoint  # noqa: E402,F401,A004
