"""The tracing core: abstract values, primitives, traces, tracers and jaxprs.

Everything that transforms a Python function goes through this module. A
function is run with *tracers* in place of its array arguments; every
primitive a tracer meets is handed to the tracer's *trace*, which decides what
the primitive means under that transformation (evaluate it, record it into a
jaxpr, differentiate it, batch it ...). Transformations nest: each gets a
``MainTrace`` with its own level on a stack, and a primitive is always
processed by the highest-level trace among its arguments.

The design follows JAX's "autodidax" (JAX core from scratch): transformations
are interpreters, and everything a primitive means lives in rule tables keyed
by the primitive.
"""
from __future__ import annotations

import itertools
import math
import operator
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import dtypes, source_info_util, traceback_util
# Re-exported: the staging counter lives beside the trace-context epoch it folds into.
from jaxlite.config import staging, staging_entered, staging_exited  # noqa: F401
from jaxlite.basearray import Array as _AbstractArray
# The dimension protocol: symbolic dimensions for the layers below jaxlite.export.
from jaxlite.symbolic_dims import (is_symbolic_dim, register_symbolic_dimensions,  # noqa: F401
                                   symbolic_dimensions)

# ---------------------------------------------------------------------------
# Abstract values
# ---------------------------------------------------------------------------


class AbstractValue:
  """The base class of abstract values (what a tracer knows of its value)."""
  __slots__ = ()


_NO_VMA = frozenset()


class ShapedArray(AbstractValue):
  """The abstract value of an array: its shape, dtype and weak type.

  Example:
    >>> ShapedArray((2, 3), np.dtype('float32'))
    ShapedArray(float32[2,3])
  """
  __slots__ = ("shape", "dtype", "weak_type", "_hash", "_sharding", "vma")
  array_abstraction_level = 1

  def __init__(self, shape, dtype, weak_type=False, *, sharding=None, vma=_NO_VMA):
    self.shape = tuple(shape)
    try:
      self.dtype = np.dtype(dtype)
    except TypeError:
      if not isinstance(dtype, dtypes.ExtendedDType):   # e.g. primal_tangent_dtype's
        raise
      self.dtype = dtype
    self.weak_type = bool(weak_type)
    self._hash = None
    # Sharding in types: a NamedSharding over an AbstractMesh naming only
    # Explicit mesh axes, or None (the usual, unsharded case: kept cheap).
    self._sharding = None if sharding is None else _type_sharding(sharding, self.shape)
    # Inside a checked shard_map: the manual mesh axes the value varies along
    # (JAX's vma), printed ``f32[4]{V:i}``. Empty everywhere else.
    self.vma = vma

  @property
  def sharding(self):
    """The sharding in this type. On Explicit mesh axes the spec the value is
    split by (``float32[8@data,8]``); otherwise JAX's empty one, an empty
    abstract mesh and an unsharded spec, e.g.
    ``NamedSharding(mesh=AbstractMesh((), axis_types=()), spec=P(None,))``."""
    if self._sharding is not None:
      return self._sharding
    from jaxlite.sharding import AbstractMesh, NamedSharding, PartitionSpec
    return NamedSharding(AbstractMesh((), ()), PartitionSpec(*[None] * len(self.shape)))

  ndim = property(lambda self: len(self.shape))
  # math.prod: exact, and a symbolic size where the shape has symbolic dimensions.
  size = property(lambda self: math.prod(self.shape))

  def __len__(self):
    if not self.shape:
      raise TypeError("len() of unsized object")
    return self.shape[0]

  def update(self, shape=None, dtype=None, weak_type=None, sharding=None, vma=None):
    out = ShapedArray(self.shape if shape is None else shape,
                      self.dtype if dtype is None else dtype,
                      self.weak_type if weak_type is None else weak_type, sharding=sharding,
                      vma=self.vma if vma is None else frozenset(vma))
    if sharding is None and shape is None:
      out._sharding = self._sharding   # same shape: the sharding in the type stays
    return out

  def strip_weak_type(self):
    return self.update(weak_type=False) if self.weak_type else self

  def to_tangent_aval(self):
    """The type of this value's tangents (and cotangents): the same shape, and
    ``float0`` where the dtype is not inexact, as JAX's.

    >>> ShapedArray((2,), np.dtype('int32')).to_tangent_aval()
    ShapedArray(float0[2])
    """
    dtype = primal_dtype_to_tangent_dtype(self.dtype)
    return self if dtype == self.dtype else self.update(dtype=dtype)

  to_ct_aval = to_tangent_aval

  def __eq__(self, other):
    return (type(self) is type(other) and self.shape == other.shape
            and self.dtype == other.dtype and self.weak_type == other.weak_type
            and self._sharding == other._sharding and self.vma == other.vma)

  def __hash__(self):
    h = self._hash
    if h is None:
      s = self._sharding
      h = self._hash = hash((self.shape, self.dtype, self.weak_type) if s is None
                            and not self.vma
                            else (self.shape, self.dtype, self.weak_type, s, self.vma))
    return h

  def str_short(self, short_dtypes=True):
    """``f32[2,3]``, the form used when printing jaxprs (``f32[8@data,3]``
    when the type is split over Explicit mesh axes)."""
    name = (dtypes.short_dtype_name(self.dtype) if short_dtypes or self.dtype == dtypes.float0
            else self.dtype.name)
    if self._sharding is not None:
      from jaxlite.sharding import types as sharding_types
      dims = sharding_types.dims_text(self.shape, self._sharding.spec)
    else:
      dims = ','.join(str(d) for d in self.shape)
    return f"{name}[{dims}]{vma_text(self.vma) if self.vma else ''}"

  def __repr__(self):
    weak = ", weak_type=True" if self.weak_type else ""
    return f"ShapedArray({self.str_short(short_dtypes=False)}{weak})"

  def __str__(self):
    """``bfloat16[2,3]``; a weak type is marked ``~`` (``~int32[]``), as in JAX."""
    return ("~" if self.weak_type else "") + self.str_short(short_dtypes=False)


def primal_dtype_to_tangent_dtype(primal_dtype):
  """The dtype of tangents of ``primal_dtype``, as JAX's: itself when inexact
  (bfloat16 and float8 too), ``float0`` for integers and booleans, and an
  extended dtype's own ``tangent_dtype`` rule (``float0`` for PRNG keys).
  The one place this rule lives (``to_tangent_aval``, ``ad.tangent_aval``
  and ``jax.core``'s name use it).

  >>> primal_dtype_to_tangent_dtype(np.dtype('int32'))
  dtype([('float0', 'V')])
  >>> primal_dtype_to_tangent_dtype(np.dtype(dtypes.bfloat16))
  dtype(bfloat16)
  """
  if isinstance(primal_dtype, np.dtype) and primal_dtype.kind in "fc":
    return primal_dtype   # the usual case first (it is on every jvp)
  if isinstance(primal_dtype, dtypes.ExtendedDType):
    rule = getattr(getattr(primal_dtype, "_rules", None), "tangent_dtype", None)
    return dtypes.float0 if rule is None else rule(primal_dtype)
  if dtypes.issubdtype(primal_dtype, np.inexact):
    return primal_dtype   # as given, as JAX's
  return dtypes.float0


def vma_text(vma) -> str:
  """``{V:i}`` / ``{V:(i,j)}``: the varying manual axes as JAX prints them,
  in the order of the mesh that made them manual (``vma_axis_order``)."""
  names = sorted(vma, key=lambda n: (vma_axis_order.get(n, len(vma_axis_order)), str(n)))
  text = ",".join(str(n) for n in names)
  return f"{{V:{text if len(names) == 1 else f'({text})'}}}"


# Mesh axis name -> position, filled in by shard_map for printing vma.
vma_axis_order: dict = {}


def _type_sharding(sharding, shape):
  """The sharding a type keeps for ``sharding`` (see jaxlite.sharding.types)."""
  from jaxlite.sharding import types as sharding_types
  return sharding_types.type_sharding(sharding, len(shape))


def abstract_eval_sharded(primitive, avals, params, out):
  """Installed by jaxlite.sharding.types once a type carries a sharding: gives
  ``out`` (an abstract evaluation's result) the sharding JAX's rules give it."""
  return out


class ConcreteArray(ShapedArray):
  """A ShapedArray that also knows its value (used under ``disable_jit``)."""
  __slots__ = ("val",)
  array_abstraction_level = 0

  def __init__(self, val, weak_type=False):
    val = np.asarray(val)
    super().__init__(val.shape, val.dtype, weak_type)
    self.val = val


class AbstractToken(AbstractValue):
  """The abstract value of a token (``Tok`` in jaxprs): an ordering dependency
  between side effects, with no shape or data; ``!stablehlo.token`` in StableHLO.

  Example:
    >>> abstract_token.str_short()
    'Tok'
  """
  __slots__ = ()

  def str_short(self, short_dtypes=False, mesh_axis_types=False):
    return 'Tok'

  def __repr__(self):
    return 'AbstractToken()'

  __str__ = str_short

  def to_tangent_aval(self):
    return self   # a token's tangent is a token, as in JAX

  def to_ct_aval(self):
    return self

  def strip_weak_type(self):
    return self


abstract_token = AbstractToken()
# What a token is at a program's boundary: an empty bool array.
TOKEN_BUFFER_AVAL = ShapedArray((0,), np.dtype(np.bool_))


class Token:
  """A concrete token: what ``lax.create_token`` returns outside a trace. It
  wraps an empty ``bool[0]`` buffer, the form a token takes at a jit boundary.

  Example:
    >>> from jaxlite import lax
    >>> type(lax.create_token()).__name__
    'Token'
  """
  __slots__ = ('_buf',)

  def __init__(self, buf):
    self._buf = buf

  def block_until_ready(self):
    self._buf.block_until_ready()


def raise_to_shaped(aval: ShapedArray) -> ShapedArray:
  if type(aval) is ShapedArray or (isinstance(aval, AbstractValue)
                                   and not isinstance(aval, ShapedArray)):
    return aval   # a token or a ref type (jaxlite.state) stays what it is
  return ShapedArray(aval.shape, aval.dtype, aval.weak_type)


def get_aval(x) -> ShapedArray:
  """The abstract value of any array-like: a Tracer, an Array, a NumPy array or a scalar."""
  if isinstance(x, Tracer):
    return x.aval
  if type(x) in dtypes.python_scalar_dtypes or isinstance(x, (np.ndarray, np.generic)):
    return _aval_of_host_value(x)   # no `aval` to look for (a failed lookup is slow)
  aval = getattr(x, "aval", None)
  if isinstance(aval, AbstractValue):   # an Array's ShapedArray, a Ref's AbstractRef
    return aval
  return _aval_of_host_value(x)


def _aval_of_host_value(x) -> ShapedArray:
  kind = type(x)
  if kind in dtypes.python_scalar_dtypes:
    # A Python bool is strongly typed (bool has no weaker kind), as in JAX.
    return ShapedArray((), dtypes.canonicalize_dtype(dtypes.python_scalar_dtypes[kind]),
                       weak_type=kind is not bool)
  if isinstance(x, (np.ndarray, np.generic)):
    # ml_dtypes (bfloat16, float8, int4) have NumPy kind "V" but are valid.
    if x.dtype == object or x.dtype.kind in "SU" or (
        x.dtype.kind == "V" and x.dtype != dtypes.float0 and
        x.dtype not in dtypes.supported_dtypes()):
      raise TypeError(f"Argument '{x!r}' of type {type(x)} is not a valid JAX type.")
    return ShapedArray(np.shape(x), dtypes.canonicalize_dtype(x.dtype))
  if hasattr(x, "__jax_array__"):
    return get_aval(x.__jax_array__())
  if kind is Token:
    return abstract_token
  to_aval = pytype_aval_mappings.get(kind)   # a registered "hi" type (jaxlite.hijax)
  if to_aval is not None:
    return to_aval(x)
  raise TypeError(f"Argument '{x!r}' of type {type(x)} is not a valid JAX type.")


# Python type -> its values' abstract value, for types registered with
# ``jax.experimental.hijax.register_hitype`` (JAX's core.pytype_aval_mappings).
pytype_aval_mappings: dict = {}


def concrete_aval(x):
  return get_aval(x)


def is_extended_aval(aval) -> bool:
  """Whether ``aval`` is an array type of an extended dtype (``key<fry>[]``)."""
  return isinstance(getattr(aval, "dtype", None), dtypes.ExtendedDType)


def physical_aval(aval: ShapedArray) -> ShapedArray:
  """The type of the array that stores values of ``aval``: itself, or for an
  extended dtype its elements' physical type appended (``key<fry>[3]`` is
  stored as ``u32[3,2]``).

  Example:
    >>> physical_aval(ShapedArray((2,), np.dtype('float32')))
    ShapedArray(float32[2])
  """
  if not isinstance(getattr(aval, "dtype", None), dtypes.ExtendedDType):
    return aval
  element = aval.dtype._rules.physical_element_aval(aval.dtype)
  return ShapedArray((*aval.shape, *element.shape), element.dtype)


# ---------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------


class Primitive:
  """A named operation whose meaning under each transformation is given by rules.

  Rules live in tables keyed by the primitive (``abstract_eval`` here; JVP,
  transpose, batching and lowering rules in their interpreters). ``bind``
  hands the primitive to the trace of its highest-level argument.

  Example:
    >>> sin_p = Primitive('sin')
    >>> sin_p
    sin
  """
  multiple_results = False
  # Call-like primitives (jit, custom_jvp_call, ...) take a function
  # (jaxpr) parameter; interpreters process them through dedicated hooks.
  call_primitive = False
  # ``rule(*avals, **params) -> effects`` for a primitive with side effects.
  effects_rule = None

  def __init__(self, name: str):
    self.name = name
    self.impl = None            # set by def_impl; None means "compile and run it"
    self._abstract_eval = None

  def __repr__(self):
    return self.name

  def bind(self, *args, **params):
    """Apply the primitive: dispatch to the top trace among ``args``."""
    state = _thread_state
    top = None
    level = -1
    for x in args:
      if isinstance(x, Tracer):
        main = x._trace.main
        if main.level > level:
          top, level = main, main.level
    dynamic = state.dynamic_main
    if dynamic.level > level:
      top = dynamic
    if top.trace_type is EvalTrace:
      try:   # an eager bind is an API boundary (see jaxlite.traceback_util)
        return self.impl(*args, **params) if self.impl else eval_hook(self, args, params)
      except Exception as e:
        traceback_util.filter_exception(e, sys._getframe())
        raise
    trace = top.trace
    if trace is None:   # traces hold nothing but their main: one serves every bind
      trace = top.trace = top.trace_type(top)
    tracers = []
    for x in args:
      # full_raise, inlined for the usual operand: a live tracer of this trace.
      if isinstance(x, Tracer) and x._trace.main is top and top.alive:
        tracers.append(x)
      else:
        tracers.append(trace.full_raise(x))
    out = trace.process_primitive(self, tracers, params)
    if self.multiple_results:
      return [full_lower(o) for o in out]
    return out.full_lower() if isinstance(out, Tracer) else out

  def def_impl(self, impl):
    self.impl = impl
    return impl

  def def_abstract_eval(self, rule):
    self._abstract_eval = rule
    return rule

  def abstract_eval(self, *avals, **params):
    rule = self._abstract_eval
    if rule is None:
      raise NotImplementedError(f"Abstract evaluation for '{self.name}' not implemented")
    if sharded_types_seen:   # a module global: nothing more while no type is sharded
      return abstract_eval_sharded(self, avals, params, rule(*avals, **params))
    return rule(*avals, **params)


# Set (by jaxlite.sharding.types) when the first type with a sharding is made.
sharded_types_seen = False

traceback_util.register_boundary(Primitive.bind)


def eval_hook(primitive, args, params):
  """Evaluates a primitive on concrete values; installed by ``interpreters.dispatch``."""
  raise RuntimeError("jaxlite.interpreters.dispatch was not imported")


def set_eval_hook(fn):
  global eval_hook
  eval_hook = fn


# ---------------------------------------------------------------------------
# Traces and tracers
# ---------------------------------------------------------------------------


class MainTrace:
  """One active transformation: its level on the trace stack and shared state."""
  __slots__ = ("level", "trace_type", "global_data", "alive", "trace")

  def __init__(self, level, trace_type, global_data=None):
    self.level = level
    self.trace_type = trace_type
    self.global_data = global_data
    self.alive = True
    self.trace = None   # the Trace that binds use, made by the first one

  def __repr__(self):
    return f"MainTrace({self.level}, {self.trace_type.__name__})"


class _ThreadState(threading.local):
  def __init__(self):
    self.trace_stack = [MainTrace(0, EvalTrace)]
    self.dynamic_main = self.trace_stack[0]
    self.axis_env = []   # named axes of enclosing vmap/pmap: list of AxisEnvFrame


_thread_state: _ThreadState  # defined after EvalTrace

# How many staging traces are current, over all threads, counted by
# staging_entered/staging_exited: while none is, every thread's
# `dynamic_main.level` is 0, and the dispatch fast paths test `not staging[0]`
# (or config.dispatch_epoch, which folds it in) before reading this thread's
# state (a thread-local read costs about 600 instructions).


@contextmanager
def new_main(trace_type, global_data=None, dynamic=False):
  """Push a new transformation onto this thread's trace stack."""
  state = _thread_state
  stack = state.trace_stack
  main = MainTrace(len(stack), trace_type, global_data)
  stack.append(main)
  prev_dynamic = state.dynamic_main
  if dynamic:
    staging_entered()
    state.dynamic_main = main
  try:
    yield main
  finally:
    stack.pop()
    state.dynamic_main = prev_dynamic
    main.alive = False
    main.trace = None   # no cycle through the trace: the main (and its data) go at once
    if dynamic:
      staging_exited()


@contextmanager
def new_base_main(trace_type, global_data=None):
  """Like ``new_main(dynamic=True)``: everything below it is hidden (used by jit tracing)."""
  with new_main(trace_type, global_data, dynamic=True) as main:
    yield main


def cur_level():
  return len(_thread_state.trace_stack) - 1


class Trace:
  """Interprets primitives applied to its tracers; one subclass per transformation."""
  __slots__ = ("main",)

  def __init__(self, main: MainTrace):
    self.main = main

  def pure(self, val):
    raise NotImplementedError

  def lift(self, tracer):
    raise NotImplementedError

  def full_raise(self, val):
    if not isinstance(val, Tracer):
      return self.pure(val)
    main = val._trace.main
    if main is self.main:
      if not main.alive:
        raise escaped_tracer_error(val)
      return val
    if main.level < self.main.level:
      return self.lift(val)
    if not main.alive:
      raise escaped_tracer_error(val)
    raise escaped_tracer_error(val, f"Can't lift level {main} to {self.main}.")

  def process_primitive(self, primitive, tracers, params):
    raise NotImplementedError

  def process_call(self, primitive, fun, tracers, params):
    raise NotImplementedError


class EvalTrace(Trace):
  """The bottom of the stack: primitives are evaluated on concrete values."""
  __slots__ = ()

  def pure(self, x):
    return x

  lift = pure

  def process_primitive(self, primitive, tracers, params):
    if primitive.impl:
      return primitive.impl(*tracers, **params)
    return eval_hook(primitive, tracers, params)


_thread_state = _ThreadState()


def trace_state_clean():
  state = _thread_state
  return len(state.trace_stack) == 1 and state.dynamic_main is state.trace_stack[0]


class UnexpectedTracerError(TypeError):   # a TypeError, as in JAX
  """A tracer was used outside the transformation that created it."""

  def __init__(self, msg: str):
    super().__init__(msg)


def escaped_tracer_error(tracer, detail=None):
  msg = ("Encountered an unexpected tracer. A function transformed by JAX had a side "
         "effect, allowing for a reference to an intermediate value with type "
         f"{tracer.aval.str_short(short_dtypes=False)} wrapped in a {type(tracer).__name__} "
         "to escape the "
         "scope of the transformation.\nJAX transformations require that functions "
         "explicitly return their outputs, and disallow saving intermediate values to "
         "global state.")
  if detail:
    msg += "\n" + detail
  msg += ("\nSee https://jax.readthedocs.io/en/latest/errors.html"
          "#jax.errors.UnexpectedTracerError")
  return UnexpectedTracerError(msg)


class ConcretizationTypeError(TypeError):
  """A concrete value was needed from a traced (abstract) value."""

  def __init__(self, tracer, context=""):
    super().__init__(
        f"Abstract tracer value encountered where concrete value is expected: "
        f"traced array with shape {tracer.aval.str_short(short_dtypes=False)}\n{context}\n"
        f"{tracer._origin_msg()}"
        "\nSee https://jax.readthedocs.io/en/latest/errors.html"
        "#jax.errors.ConcretizationTypeError")


class TracerBoolConversionError(ConcretizationTypeError):
  def __init__(self, tracer):
    TypeError.__init__(
        self,
        f"Attempted boolean conversion of traced array with shape "
        f"{tracer.aval.str_short(short_dtypes=False)}.\n{tracer._origin_msg()}"
        "\nSee https://jax.readthedocs.io/en/latest/errors.html"
        "#jax.errors.TracerBoolConversionError")


class TracerIntegerConversionError(ConcretizationTypeError):
  def __init__(self, tracer):
    TypeError.__init__(
        self,
        f"The __index__() method was called on traced array with shape "
        f"{tracer.aval.str_short(short_dtypes=False)}.\n{tracer._origin_msg()}"
        "\nSee https://jax.readthedocs.io/en/latest/errors.html"
        "#jax.errors.TracerIntegerConversionError")


class TracerArrayConversionError(TypeError):
  def __init__(self, tracer):
    super().__init__(
        f"The numpy.ndarray conversion method __array__() was called on traced array "
        f"with shape {tracer.aval.str_short(short_dtypes=False)}.\n{tracer._origin_msg()}"
        "\nSee https://jax.readthedocs.io/en/latest/errors.html"
        "#jax.errors.TracerArrayConversionError")


def _conversion_context(fun_name):
  return (f"The problem arose with the `{fun_name}` function. If trying to convert the "
          f"data type of a value, try using `x.astype({fun_name})` or "
          f"`jnp.array(x, {fun_name})` instead.")


# An abstract value's attribute that reads the tracer (not the type) when a
# tracer is asked for it: ``aval_property(fget)`` is ``fget(tracer)`` and
# ``aval_method(fun)`` is ``fun`` bound to the tracer, as in JAX's core (for the
# methods of "hi" types, jaxlite.hijax).
def _aval_forward(name, field, doc):
  """A NamedTuple type of one callable ``field`` whose first instance gives
  tracers their attribute forwarding (``_forward_aval_attributes``)."""
  base = NamedTuple(name, [(field, Callable)])

  def __new__(cls, *args, **kwargs):   # by position or by name, as JAX's NamedTuple
    _forward_aval_attributes()
    return base.__new__(cls, *args, **kwargs)
  return type(name, (base,), {"__slots__": (), "__new__": __new__, "__doc__": doc,
                              "__module__": __name__})


aval_property = _aval_forward("aval_property", "fget", """\
``aval_property(fget)``: ``tracer.name`` is ``fget(tracer)``.

  >>> aval_property(len).fget is len
  True
""")
aval_method = _aval_forward("aval_method", "fun", """\
``aval_method(fun)``: ``tracer.name`` is ``fun`` bound to the tracer.

  >>> aval_method(len).fun is len
  True
""")


def _forward_aval_attributes():
  """Gives tracers the ``__getattr__`` that serves aval properties and methods,
  once the first one exists. Until then tracers have none: a class with a
  ``__getattr__`` makes every attribute read of its instances (``t._aval``,
  ``t._trace`` on each traced operation) go through a slower slot, and
  nothing but these forwards needs it."""
  if "__getattr__" not in Tracer.__dict__:
    Tracer.__getattr__ = _tracer_getattr


def _tracer_getattr(self, name):
  # Only reached for names the tracer lacks: a hi type's aval_property or
  # aval_method reads this tracer; anything else is missing, as before.
  if name not in ("aval", "_trace") and not name.startswith("__"):
    try:
      attr = getattr(self.aval, name)
    except AttributeError:
      attr = None
    if type(attr) is aval_property:
      return attr.fget(self)
    if type(attr) is aval_method:
      return attr.fun.__get__(self, type(self))
  raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class Tracer(_AbstractArray):
  """Stands for an array while a function is transformed.

  Subclasses carry what their transformation needs (a tangent, a batch axis,
  a jaxpr variable). Operators are installed by ``jaxlite.numpy`` so that
  tracers and arrays share one definition of ``x + y``.
  """
  __array_priority__ = 1000
  __slots__ = ("_trace", "__weakref__")

  @property
  def aval(self):
    raise NotImplementedError

  def full_lower(self):
    return self

  shape = property(lambda self: self.aval.shape)
  dtype = property(lambda self: self.aval.dtype)
  ndim = property(lambda self: self.aval.ndim)
  size = property(lambda self: self.aval.size)
  weak_type = property(lambda self: self.aval.weak_type)

  def __len__(self):
    return len(self.aval)

  def __iter__(self):
    return iter([self[i] for i in range(len(self))])

  def _short_repr(self):
    return f"{type(self).__name__}<{self.aval}>"

  def __repr__(self):
    # JAX 0.10.2 prints tracers in their short form (``JitTracer(int32[3])``).
    return self._short_repr()

  def _origin_msg(self):
    return ""

  def _concrete_value(self):
    """The concrete value behind this tracer if there is one (None otherwise)."""
    return None

  def __bool__(self):
    v = self._concrete_value()
    if v is None:
      raise TracerBoolConversionError(self)
    return bool(v)

  def __index__(self):
    v = self._concrete_value()
    if v is None:
      raise TracerIntegerConversionError(self)
    return operator.index(v)

  def __int__(self):
    v = self._concrete_value()
    if v is None:
      raise ConcretizationTypeError(self, _conversion_context("int"))
    return int(v)

  def __float__(self):
    v = self._concrete_value()
    if v is None:
      raise ConcretizationTypeError(self, _conversion_context("float"))
    return float(v)

  def __complex__(self):
    v = self._concrete_value()
    if v is None:
      raise ConcretizationTypeError(self, "The problem arose with the `complex` function.")
    return complex(v)

  def __array__(self, dtype=None, copy=None):
    v = self._concrete_value()
    if v is None:
      raise TracerArrayConversionError(self)
    return np.asarray(v, dtype=dtype)

  def __hash__(self):
    raise TypeError(f"unhashable type: {type(self).__name__}")

  def __setitem__(self, index, value):
    setter = getattr(self.aval, "_setitem", None)   # a tracer of a ref writes it
    if setter is None:
      raise TypeError(_IMMUTABLE_ARRAY_MESSAGE)
    setter(self, index, value)

  def item(self):
    v = self._concrete_value()
    if v is None:
      raise ConcretizationTypeError(self, "The problem arose with the `item` method.")
    return np.asarray(v).item()

  def tolist(self):
    v = self._concrete_value()
    if v is None:
      raise ConcretizationTypeError(self, "The problem arose with the `tolist` method.")
    return np.asarray(v).tolist()


_IMMUTABLE_ARRAY_MESSAGE = (
    "JAX arrays are immutable and do not support in-place item assignment. Instead of "
    "x[idx] = y, use x = x.at[idx].set(y) or another .at[] method: "
    "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html")


def full_lower(val):
  if isinstance(val, Tracer):
    return val.full_lower()
  return val


# ---------------------------------------------------------------------------
# Jaxprs
# ---------------------------------------------------------------------------


class Var:
  """A jaxpr variable: typed, defined exactly once."""
  __slots__ = ("aval", "count", "initial_qdd", "final_qdd")
  _counter = itertools.count()

  def __init__(self, aval, initial_qdd=None, final_qdd=None):
    self.aval = aval
    self.count = next(Var._counter)
    # JAX's quasi-dynamic data of mutable-ref variables; jaxlite's are None.
    self.initial_qdd = initial_qdd
    self.final_qdd = final_qdd

  def __repr__(self):
    return f"Var({self.count}:{self.aval.str_short()})"


class DropVar(Var):
  """An output that nobody reads (printed as ``_``)."""
  __slots__ = ()


class Literal:
  """A scalar constant written inline in a jaxpr."""
  __slots__ = ("val", "aval")

  def __init__(self, val, aval):
    self.val = val
    self.aval = aval

  def __repr__(self):
    return f"Literal({self.val})"


Atom = Var | Literal


class JaxprEqn:
  """One equation of a jaxpr: ``outvars = primitive[params] invars``.

  JAX's constructor and fields (``jax.extend.core.JaxprEqn``): ``source_info``
  and ``ctx`` are kept for programs that build and rewrite equations;
  jaxlite's own passes leave them None.

  Example:
    >>> import numpy as np
    >>> from jaxlite.lax.transcendental import sin_p
    >>> x, y = Var(ShapedArray((), np.float32)), Var(ShapedArray((), np.float32))
    >>> eqn = JaxprEqn([x], [y], sin_p, {}, frozenset(), None, None)
    >>> eqn.primitive, eqn.replace(params={"accuracy": None}).params
    (sin, {'accuracy': None})
  """
  __slots__ = ("invars", "outvars", "primitive", "params", "effects", "source_info", "ctx")

  def __init__(self, invars, outvars, primitive, params, effs=frozenset(), source_info=None,
               ctx=None):
    self.invars = invars
    self.outvars = outvars
    self.primitive = primitive
    self.params = params
    self.effects = effs
    self.source_info = source_info
    self.ctx = ctx

  def replace(self, invars=None, outvars=None, primitive=None, params=None, effects=None,
              source_info=None, ctx=None):
    """A copy with the given fields changed, as JAX's ``JaxprEqn.replace``."""
    return JaxprEqn(self.invars if invars is None else invars,
                    self.outvars if outvars is None else outvars,
                    self.primitive if primitive is None else primitive,
                    self.params if params is None else params,
                    self.effects if effects is None else effects,
                    self.source_info if source_info is None else source_info,
                    self.ctx if ctx is None else ctx)

  def _replace(self, **changes):
    return self.replace(**changes)

  def __repr__(self):
    return f"JaxprEqn({self.outvars} = {self.primitive}[{self.params}] {self.invars})"


class Jaxpr:
  """JAX's IR: a typed, first-order, let-bound program.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> print(jaxlite.make_jaxpr(lambda x: jnp.sin(jnp.cos(x)))(3.0))  # doctest: +SKIP
    { lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }
  """
  __slots__ = ("constvars", "invars", "outvars", "eqns", "effects", "debug_info", "is_high")

  def __init__(self, constvars, invars, outvars, eqns, effects=frozenset(), debug_info=None,
               is_high=False):
    self.constvars = list(constvars)
    self.invars = list(invars)
    self.outvars = list(outvars)
    self.eqns = list(eqns)
    self.effects = effects
    self.debug_info = debug_info
    self.is_high = is_high  # JAX: whether it has high-level (mutable ref) types; never in jaxlite

  @property
  def in_avals(self):
    return [v.aval for v in self.invars]

  @property
  def out_avals(self):
    return [v.aval for v in self.outvars]

  def __str__(self):
    return self.pretty_print()

  __repr__ = __str__

  def pretty_print(self, **options) -> str:
    """JAX's text for this jaxpr (options: ``print_shapes``, ``print_effects``,
    ``custom_pp_eqn_rules``, ``width`` ...); see ``jaxlite.jaxpr_printing``."""
    from jaxlite import jaxpr_printing   # printing is only needed when asked for
    return jaxpr_printing.pretty_print(self, **options)

  def replace(self, **kw):
    fields = dict(constvars=self.constvars, invars=self.invars, outvars=self.outvars,
                  eqns=self.eqns, effects=self.effects, debug_info=self.debug_info,
                  is_high=self.is_high)
    fields.update(kw)
    return Jaxpr(**fields)


class ClosedJaxpr:
  """A jaxpr with its constants bound: a closed, self-contained function."""
  __slots__ = ("jaxpr", "consts", "__weakref__")

  def __init__(self, jaxpr: Jaxpr, consts: Sequence):
    self.jaxpr = jaxpr
    self.consts = list(consts)

  in_avals = property(lambda self: self.jaxpr.in_avals)
  out_avals = property(lambda self: self.jaxpr.out_avals)
  literals = property(lambda self: self.consts)  # JAX's other name for the constants
  eqns = property(lambda self: self.jaxpr.eqns)
  effects = property(lambda self: self.jaxpr.effects)

  def __str__(self):
    return self.jaxpr.pretty_print()

  __repr__ = __str__

  def pretty_print(self, **options) -> str:
    return self.jaxpr.pretty_print(**options)

  def map_jaxpr(self, f):
    return ClosedJaxpr(f(self.jaxpr), self.consts)


def jaxpr_as_fun(closed_jaxpr: ClosedJaxpr):
  """A Python function that evaluates ``closed_jaxpr`` (with the current traces)."""
  def fun(*args):
    return eval_jaxpr(closed_jaxpr.jaxpr, closed_jaxpr.consts, *args)
  return fun


_WEAK_SCALAR_TYPES = {np.dtype(np.int32): int, np.dtype(np.float32): float,
                      np.dtype(np.complex64): complex}


def literal_value(literal: Literal):
  """A literal's value to bind again: a weakly typed literal of a Python
  scalar's dtype as that Python scalar (exactly its value), so that it stays
  weak, as JAX's literals of Python scalars do (``x - 1.0`` in a jaxpr
  evaluated under jvp keeps ``x``'s weak type)."""
  val = literal.val
  if literal.aval.weak_type and isinstance(val, np.generic):
    to_python = _WEAK_SCALAR_TYPES.get(val.dtype)
    if to_python is not None:
      return to_python(val)
  return val


def eval_jaxpr(jaxpr: Jaxpr, consts, *args):
  """Interprets ``jaxpr`` by binding each equation's primitive; returns a list of outputs."""
  env = {}

  def read(atom):
    if type(atom) is Literal:
      return literal_value(atom)
    return env[atom]

  for v, val in zip(jaxpr.constvars, consts):
    env[v] = val
  if len(args) != len(jaxpr.invars):
    raise TypeError(f"eval_jaxpr: expected {len(jaxpr.invars)} arguments, got {len(args)}")
  for v, val in zip(jaxpr.invars, args):
    env[v] = val
  # What each equation stages takes the equation's traceback and names, under
  # the names in force here (JAX's rule): a transformation of a jaxpr keeps
  # the user's locations.
  context = source_info_util._context
  outer_traceback, outer_names = context.traceback, context.name_stack
  try:
    for eqn in jaxpr.eqns:
      source_info = eqn.source_info
      if source_info is not None:
        context.traceback = source_info.traceback or outer_traceback
        names = source_info.name_stack
        context.name_stack = outer_names + names if names.stack else outer_names
      outs = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
      if not eqn.primitive.multiple_results:
        outs = [outs]
      for v, val in zip(eqn.outvars, outs):
        env[v] = val
  finally:
    context.traceback, context.name_stack = outer_traceback, outer_names
  return [read(v) for v in jaxpr.outvars]


# Effects whose equations a jaxpr must lose before it is lowered or transposed,
# mapped to the rewrite that removes them: effect type -> rewrite(jaxpr, consts)
# -> (jaxpr, consts). jaxlite.state registers the discharge of mutable refs.
effect_dischargers: dict = {}


def discharge_effects(jaxpr: Jaxpr, consts):
  """``(jaxpr, consts)`` rewritten by the discharger of an effect it has, if any."""
  for effect in jaxpr.effects:
    rewrite = effect_dischargers.get(type(effect))
    if rewrite is not None:
      return rewrite(jaxpr, consts)
  return jaxpr, consts


class JaxprTypeError(TypeError):
  pass


def check_jaxpr(jaxpr: Jaxpr):
  """Type-checks ``jaxpr``: every variable bound once before use, every equation's
  output types equal to its primitive's abstract evaluation. Raises JaxprTypeError."""
  defined = set()

  def check_atom(atom, where):
    if type(atom) is Literal:
      return
    if atom not in defined:
      raise JaxprTypeError(f"Variable '{atom}' used before definition in {where}")

  def bind_var(v, where):
    if v in defined:
      raise JaxprTypeError(f"Variable '{v}' defined twice in {where}")
    defined.add(v)

  for v in itertools.chain(jaxpr.constvars, jaxpr.invars):
    bind_var(v, "binders")
  for eqn in jaxpr.eqns:
    for a in eqn.invars:
      check_atom(a, f"equation {eqn.primitive}")
    out = eqn.primitive.abstract_eval(*[a.aval for a in eqn.invars], **eqn.params)
    out = list(out) if eqn.primitive.multiple_results else [out]
    if len(out) != len(eqn.outvars):
      raise JaxprTypeError(f"{eqn.primitive}: expected {len(out)} outputs, "
                           f"equation has {len(eqn.outvars)}")
    for v, aval in zip(eqn.outvars, out):
      if raise_to_shaped(aval).strip_weak_type() != v.aval.strip_weak_type():
        raise JaxprTypeError(f"{eqn.primitive}: output type {v.aval.str_short()} "
                             f"differs from its rule's {aval.str_short()}")
      if type(v) is not DropVar:
        bind_var(v, f"equation {eqn.primitive}")
    for p in eqn.params.values():
      for sub in _subjaxprs(p):
        check_jaxpr(sub)
  for a in jaxpr.outvars:
    check_atom(a, "outputs")


def _subjaxprs(param):
  if isinstance(param, ClosedJaxpr):
    yield param.jaxpr
  elif isinstance(param, Jaxpr):
    yield param
  elif isinstance(param, (tuple, list)):
    for p in param:
      if isinstance(p, (ClosedJaxpr, Jaxpr)):
        yield from _subjaxprs(p)


def subjaxprs(jaxpr: Jaxpr):
  """The jaxprs held directly in ``jaxpr``'s equations' parameters."""
  for eqn in jaxpr.eqns:
    for p in eqn.params.values():
      yield from _subjaxprs(p)


# ---------------------------------------------------------------------------
# Named axes (vmap and pmap axis names)
# ---------------------------------------------------------------------------


class AxisEnvFrame(NamedTuple):
  name: Any
  size: int
  main: Any   # the MainTrace that binds it (None for axis_env given to make_jaxpr)


@contextmanager
def extend_axis_env(name, size, main=None):
  env = _thread_state.axis_env
  env.append(AxisEnvFrame(name, size, main))
  try:
    yield
  finally:
    env.pop()


def axis_frame(name) -> AxisEnvFrame:
  """The innermost frame binding axis ``name``; NameError naming it otherwise."""
  for frame in reversed(_thread_state.axis_env):
    if frame.name == name:
      return frame
  raise NameError(f"unbound axis name: {name}")


def axis_is_bound(name) -> bool:
  """Whether an enclosing vmap, pmap or shard_map binds axis ``name``.

  >>> axis_is_bound('i')
  False
  """
  try:
    axis_frame(name)
  except NameError:
    return False
  return True


def axis_env_frames():
  return list(_thread_state.axis_env)
