"""The trace-context side of ``jax.extend.core``: ``set_current_trace``,
``take_current_trace``, ``TraceTag``, and call primitives (``CallPrimitive``,
``call_impl``), on jaxlite's trace stack.

jaxlite's "current trace" is the dynamic trace: the one a primitive applied
to no tracers is handed to (``jit``'s while it traces; at top level the
evaluating trace). ``set_current_trace(trace)`` makes ``trace`` that one for
a block; ``take_current_trace()`` hands out the current one and evaluates
eagerly inside the block, as JAX's do.

  >>> import jaxlite
  >>> with take_current_trace() as trace:
  ...   type(trace).__name__
  'EvalTrace'
"""
from __future__ import annotations

import functools

from jaxlite import core

__all__ = ["TraceTag", "set_current_trace", "take_current_trace", "CallPrimitive", "call_impl"]


class TraceTag:
  """Identifies the tracers a transformation of a function unpacks; every tag
  equals every other (JAX's caching relies on that).

    >>> TraceTag() == TraceTag(), hash(TraceTag()) == hash(TraceTag())
    (True, True)
  """

  def __hash__(self):
    return hash(TraceTag)

  def __eq__(self, other):
    return isinstance(other, TraceTag)


def _current_main():
  return core._thread_state.dynamic_main


def _set_current_main(main):
  core._thread_state.dynamic_main = main


def _is_dynamic(main) -> bool:
  """Whether ``main`` is a trace that takes primitives applied to non-tracers:
  the evaluating one or a staging (jit) one."""
  from jaxlite.interpreters.partial_eval import DynamicJaxprTrace
  return main.trace_type in (core.EvalTrace, DynamicJaxprTrace)


class take_current_trace:  # noqa: N801  (JAX's name for its context manager)
  """``with take_current_trace() as trace:`` gives the current trace, and
  evaluates eagerly inside the block (primitives on non-tracers run now).

    >>> import jaxlite
    >>> def f(x):
    ...   with take_current_trace() as trace:
    ...     return type(trace).__name__
    >>> jaxlite.make_jaxpr(lambda x: print(f(x)) or x)(1.0) and None
    DynamicJaxprTrace
  """
  __slots__ = ("prev",)

  def __enter__(self):
    self.prev = _current_main()
    _set_current_main(core._thread_state.trace_stack[0])
    return self.prev.trace_type(self.prev)

  def __exit__(self, exc_type, exc_value, traceback):
    _set_current_main(self.prev)


class set_current_trace:  # noqa: N801  (JAX's name for its context manager)
  """``with set_current_trace(trace):`` hands primitives applied to
  non-tracers to ``trace`` inside the block. ``check_leaks`` is JAX's flag for
  checking, on exit, that no tracer of ``trace`` outlives it; jaxlite's
  tracers are checked when they are used (``UnexpectedTracerError``).

    >>> import jaxlite
    >>> with take_current_trace() as trace:
    ...   with set_current_trace(trace):
    ...     jaxlite.lax.add(1.0, 2.0)
    Array(3., dtype=float32, weak_type=True)
  """
  __slots__ = ("trace", "check_leaks", "prev", "counted")

  def __init__(self, trace, check_leaks=False):
    self.trace = trace
    self.check_leaks = check_leaks

  def __enter__(self):
    self.prev = _current_main()
    # A staging main made current is counted (core.staging: the dispatch fast
    # paths look at this thread's state only while some thread stages).
    self.counted = _is_dynamic(self.trace.main) and self.trace.main.level != 0
    if self.counted:
      core.staging_entered()
    if _is_dynamic(self.trace.main):
      _set_current_main(self.trace.main)
    # A transforming trace (jvp, vmap, ...) receives the primitives applied to
    # its tracers already; made current for all, its own rules would re-enter it.

  def __exit__(self, exc_type, exc_value, traceback):
    _set_current_main(self.prev)
    if self.counted:
      core.staging_exited()


def call_impl(f, *args, **params):
  """Evaluates a call primitive: calls the wrapped function ``f`` (``params``
  parameterise the primitive, not the function).

    >>> from jaxlite.extend.linear_util import wrap_init
    >>> call_impl(wrap_init(lambda x: [x + 1]), 2, name="f")
    [3]
  """
  del params
  return f.call_wrapped(*args)


class CallPrimitive(core.Primitive):
  """A primitive that calls a function: ``bind(*args, subfuns=(fun,), **params)``
  with ``fun`` a ``linear_util.WrappedFun``. Evaluated, it calls ``fun``
  (``call_impl``); under a transformation, the trace's ``process_call``, or,
  for traces without one, ``fun`` runs on the trace's tracers (inlined: where
  JAX stages a call equation, jaxlite's jaxpr holds the function's equations).

    >>> import jaxlite
    >>> from jaxlite.extend.linear_util import wrap_init
    >>> my_call = CallPrimitive("my_call")
    >>> my_call.def_impl(call_impl)  # doctest: +ELLIPSIS
    <function call_impl at ...>
    >>> my_call.bind(3.0, subfuns=(wrap_init(lambda x: [x * 2]),))
    [6.0]
    >>> jaxlite.jvp(lambda x: my_call.bind(x, subfuns=(wrap_init(lambda y: [y * y]),))[0],
    ...             (3.0,), (1.0,))
    (Array(9., dtype=float32, weak_type=True), Array(6., dtype=float32, weak_type=True))
  """
  multiple_results = True
  call_primitive = True

  def __init__(self, name):
    super().__init__(name)
    self.multiple_results = True

  def bind(self, *args, **params):
    params = dict(params)
    fun, = params.pop("subfuns")
    top = _current_main()
    for x in args:
      if isinstance(x, core.Tracer) and x._trace.main.level > top.level:
        top = x._trace.main
    if top.trace_type is core.EvalTrace:
      impl = self.impl or call_impl
      return impl(fun, *args, **params)
    trace = top.trace_type(top)
    tracers = [trace.full_raise(x) for x in args]
    if type(trace).process_call is not core.Trace.process_call:
      outs = trace.process_call(self, fun, tracers, params)
    else:
      outs = fun.call_wrapped(*tracers)
    return [core.full_lower(o) for o in outs]

  def get_bind_params(self, params):
    """``params`` of an equation of this primitive as ``bind`` takes them: its
    ``call_jaxpr`` becomes the function to call (first of ``subfuns``)."""
    from jaxlite.extend.linear_util import wrap_init
    new_params = dict(params)
    jaxpr = new_params.pop("call_jaxpr")
    new_params["subfuns"] = (wrap_init(functools.partial(core.eval_jaxpr, jaxpr, ())),)
    return new_params
