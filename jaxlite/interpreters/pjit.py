"""``jit``: staging a function to a jaxpr once per input signature, compiling it
once, and calling the executable on the fast path.

A jitted call inside another transformation binds ``jit_p`` (named ``jit``,
as in JAX 0.10.2), a call primitive holding the closed jaxpr; every interpreter gives
it a rule (JVP of the jaxpr, transpose of the jaxpr, batching of the jaxpr,
and lowering to a ``func.call``).
"""
from __future__ import annotations

import operator
import sys
import threading
import weakref
from functools import partial
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import (api_util, core, dtypes, jaxpr_printing, monitoring, traceback_util,
                     tree_util)
from jaxlite.config import config, dispatch_epoch as _dispatch_epoch, memo_epoch as _memo_epoch
from jaxlite.core import _thread_state, staging as _staging
from jaxlite.core import ClosedJaxpr, ShapedArray
from jaxlite.interpreters import mlir, operand_gatherers, output_builders
from jaxlite.interpreters import partial_eval as pe
from jaxlite.runtime import backend, placement, special_values
from jaxlite.runtime import caches
from jaxlite.runtime.array import Array

# --- the call primitive --------------------------------------------------------------

jit_p = core.Primitive("jit")
jit_p.multiple_results = True
jit_p.call_primitive = True


def _jit_abstract_eval(*avals, jaxpr: ClosedJaxpr, **_):
  return jaxpr.out_avals


jit_p.def_abstract_eval(_jit_abstract_eval)

# Compiled executables for jaxprs bound eagerly (e.g. by eval_jaxpr or by the
# JVP rule); keyed weakly by the jaxpr so that they die with it.
_jaxpr_executables: "weakref.WeakKeyDictionary[ClosedJaxpr, dict]" = weakref.WeakKeyDictionary()
_jaxpr_lock = threading.Lock()

# Every live jitted function, so that clear_caches reaches their caches.
_live_jitted: "weakref.WeakSet[Jitted]" = weakref.WeakSet()
# Entries one jitted function keeps (one per argument signature); past this
# it starts over, so that its cache stays bounded as JAX's does.
_MAX_ENTRIES_PER_FUNCTION = 4096


@caches.register
def _clear_jit_caches():
  _jaxpr_executables.clear()
  for jitted in list(_live_jitted):
    jitted.clear_cache()
  _SharedCaches.clear()


# Mutable refs live in jaxlite.state, a layer above: when it loads, it installs
# how jit calls that take or return refs run (a global test per call, no import).
_ref_calls = None


def register_ref_calls(ref_calls) -> None:
  """Installs ``ref_calls`` (``jaxlite.state.discharge``): its ``takes_refs``,
  ``call_with_refs``, ``check_jit_refs`` and ``RefCallSite`` run jit calls with refs."""
  global _ref_calls
  _ref_calls = ref_calls


def _jit_impl(*args, jaxpr: ClosedJaxpr, name: str, donated_invars=(), inline=False,
              device=None):
  from jaxlite.interpreters.dispatch import _to_array
  if jaxpr.effects and _ref_calls is not None:
    if _ref_calls.takes_refs(jaxpr):   # refs as operands: run on their values
      return _ref_calls.call_with_refs(jaxpr, args, name)
  args = [_to_array(a) for a in args]
  with _jaxpr_lock:
    per_jaxpr = _jaxpr_executables.setdefault(jaxpr, {})
  # A jaxpr holding a shard_map (say the known part of a differentiated
  # jit(shard_map), or a staged pmap) is an SPMD program over its mesh.
  spmd_programs = per_jaxpr.get("spmd")
  if spmd_programs is None:
    spmd_programs = per_jaxpr.setdefault("spmd", {} if _holds_shard_map(jaxpr) else False)
  if spmd_programs is not False:
    return _call_spmd(jaxpr, name, args, donated_invars, spmd_programs)
  try:
    dev = device or placement.committed_device(args)
  except placement.MultiDeviceOperand:
    from jaxlite.runtime import sharded
    if any(sharded.is_sharded(a) for a in args):
      # Arrays split over a mesh (the known part of a differentiated jit of
      # sharded arguments, say): an SPMD program over their mesh.
      return _call_spmd(jaxpr, name, args, donated_invars,
                        per_jaxpr.setdefault("spmd_args", {}))
    dev = None
  # As JAX's: results are committed only where an operand (or jit) chose the device.
  committed = dev is not None
  if dev is None:
    dev = backend.default_device()
  else:   # uncommitted operands follow the committed ones (or jit's device)
    args = placement.follow(args, dev)
  exe = per_jaxpr.get((dev, committed))
  if exe is None:
    exe = per_jaxpr[(dev, committed)] = compile_jaxpr(jaxpr, name, dev, donated_invars,
                                                      committed=committed)
  # (PJRT deletes the donated arguments the program aliases, as JAX's.)
  return exe.call([a._buf for a in args])


jit_p.def_impl(_jit_impl)


def _call_spmd(jaxpr, name, args, donated_invars, programs):
  """``jit_p``'s impl as an SPMD program (``programs``: its compiled ones)."""
  from jaxlite.interpreters import spmd
  return spmd.call_sharded(jaxpr, name, args, [None] * len(args),
                           [None] * len(jaxpr.out_avals),
                           tuple(donated_invars) or (False,) * len(args), cache=programs)


def _jit_inline_staging(trace, tracers, *, jaxpr, inline=False, **_):
  """``jit(inline=True)`` is inlined when staged into a jaxpr (as JAX's
  ``pjit_staging_rule``); run eagerly, under jvp or vmap, it stays one
  compiled call, so XLA rounds its fused arithmetic as JAX's does."""
  if not inline:
    return None
  return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *tracers)


pe.staging_folds[jit_p] = _jit_inline_staging


def compile_jaxpr(closed_jaxpr: ClosedJaxpr, name: str, device, donated_invars=(),
                  committed=True, compiler_options=None, arg_names=None):
  from jaxlite.runtime import executable
  lowered = mlir.lower_jaxpr_to_module(
      closed_jaxpr, name=f"jit_{name}", platform=device.platform,
      donated_args=donated_invars or None, arg_names=arg_names)
  return executable.executable_for(lowered, device, closed_jaxpr.out_avals, committed,
                                   compiler_options=compiler_options)


def _jit_lowering(ctx, *args, jaxpr, name, inline=False, **_):
  # Effectful bodies (debug callbacks) are inlined: one block keeps their order.
  if inline or jaxpr.effects:
    mc = ctx.module_context
    with mlir.named(mc, f"jit({name})"):   # the names XLA's inlining would give
      return mlir.jaxpr_subcomp(mc, jaxpr.jaxpr, jaxpr.consts, *args)
  return mlir.call_lowering(ctx, *args, name=name, jaxpr=jaxpr)


mlir.register_lowering(jit_p, _jit_lowering)
jit_p.effects_rule = lambda *avals, jaxpr, **_: jaxpr.effects


def _jit_pp_rule(eqn, context, settings):
  """JAX prints ``jit[name=... jaxpr=...]``: ``name`` first, parameters at their
  defaults hidden, and the inner jaxpr's binders named like the call's operands."""
  params = dict(eqn.params)
  params.pop("inline", None)
  if not any(params.get("donated_invars", ())):
    params.pop("donated_invars", None)
  if params.get("device") is None:
    params.pop("device", None)
  inner = params["jaxpr"].jaxpr
  if inner not in context.shared_jaxprs:
    context.suggest_same_var_names(inner.invars, eqn.invars)
    context.suggest_same_var_names(inner.outvars, eqn.outvars)
  rest = sorted(k for k in params if k != "name")
  return jaxpr_printing.default_pp_eqn(jaxpr_printing.with_params(eqn, params), context,
                                       settings, params=["name"] + rest)


jaxpr_printing.pp_eqn_rules[jit_p] = _jit_pp_rule


# --- abstractification of arguments ------------------------------------------------------


def shaped_abstractify(x) -> ShapedArray:
  """The ShapedArray of an array, scalar, or any object with ``shape`` and ``dtype``."""
  aval = getattr(x, "aval", None)
  if isinstance(aval, core.AbstractValue):   # an Array's, a Ref's (jaxlite.state)
    return core.raise_to_shaped(aval)
  if isinstance(x, core.Tracer):
    return core.raise_to_shaped(x.aval)
  if isinstance(x, (np.ndarray, np.generic)) or type(x) in dtypes.python_scalar_dtypes:
    return core.get_aval(x)
  if hasattr(x, "shape") and hasattr(x, "dtype"):
    # A ShapeDtypeStruct's sharding on Explicit mesh axes goes into the type.
    return ShapedArray(tuple(x.shape), dtypes.canonicalize_dtype(x.dtype),
                       bool(getattr(x, "weak_type", False)),
                       sharding=getattr(x, "sharding", None))
  return core.get_aval(x)   # raises the "not a valid JAX type" TypeError


_MAX_EMBEDDED_CONST_BYTES = 1 << 20


def _split_consts(jaxpr, consts):
  """Closed-over host values (NumPy arrays, scalars) are embedded in the program
  as constants, as JAX does, so XLA can fold what depends only on them; device
  arrays, large host arrays and tracers become leading arguments.

  Returns ``(closed_jaxpr, argument_consts)``."""
  embedded_vars, embedded_vals, arg_vars, arg_vals = [], [], [], []
  for v, c in zip(jaxpr.constvars, consts):
    if isinstance(c, (np.ndarray, np.generic)) and np.asarray(c).nbytes <= \
        _MAX_EMBEDDED_CONST_BYTES and c.dtype != object:
      embedded_vars.append(v)
      embedded_vals.append(np.asarray(c, v.aval.dtype))
    else:
      arg_vars.append(v)
      arg_vals.append(_device_put_const(c))
  closed = ClosedJaxpr(jaxpr.replace(constvars=embedded_vars,
                                     invars=arg_vars + jaxpr.invars), embedded_vals)
  return closed, arg_vals


def _device_put_const(c):
  """Closed-over host values become device arrays once, at trace time."""
  if isinstance(c, (Array, core.Tracer)) or not isinstance(core.get_aval(c), ShapedArray):
    return c   # an array, a tracer, or a ref (jaxlite.state: an argument of the program)
  aval = core.get_aval(c)
  if core.is_extended_aval(aval) and hasattr(c, "_base_array"):
    # A key array: the program takes its key data (see _bind_consts for the
    # other way back).
    return c._base_array
  from jaxlite.runtime import transfer
  return transfer.put_numpy(np.asarray(c, aval.dtype), None, aval.weak_type)


def _bind_consts(entry):
  """The entry's leading argument consts as the values its jaxpr takes: key
  arrays held as their key data (for the compiled call) wrapped again."""
  consts = entry.consts
  avals = entry.in_avals[:len(consts)]
  if not any(map(core.is_extended_aval, avals)):
    return consts
  return [a.dtype._rules.wrap_physical(c) if core.is_extended_aval(a) and
          not core.is_extended_aval(getattr(c, "aval", None)) else c
          for c, a in zip(consts, avals)]


def _holds_shard_map(closed) -> bool:
  """Whether the jaxpr runs a shard_map or a sharding constraint (then it is an
  SPMD program over their mesh)."""
  if "jaxlite.interpreters.spmd" not in sys.modules:   # nothing sharded yet: no mesh
    return False
  from jaxlite.interpreters import spmd
  return spmd.jaxpr_mesh(closed) is not None


# --- the jit wrapper ----------------------------------------------------------------------

# C-level attribute getters for the cached-call hot path (cheaper than comprehensions).
_get_aval = operator.attrgetter("aval")
_get_buf = operator.attrgetter("_buf")
_get_committed = operator.attrgetter("_committed")
# An Array made without running its __init__ (a Python frame entered from C
# costs about a third of making one): the cached-call paths fill its slots
# in place, see _outputs. tests/test_jit_dispatch_cost.py checks the slots.
_new_object = object.__new__

# jaxlib's C++ pytree flattening (a registry of our own, holding only the
# built-in containers), for the cached-call key of pytree arguments. It is made
# on the first slow-path call: importing jaxlib at `import jaxlite` would cost
# start-up time. Types it does not know come out as leaves that are not
# Arrays, which sends the call down the slow path, so it never has to agree
# with jaxlite's registry on anything but the built-in containers.
_cpp_flatten = None
_trace_cache = config._trace_cache   # the per-thread trace context (config.trace_context)
_TREE_CACHE_LIMIT = 64   # fast-path keys per jitted function, see _remember_fast
_NO_MEMO = (-1,)   # Jitted._memo before a call is memoised: matches no argument count


def _memo_holds(owner, name, memo, at):
  """The full test behind a call memo whose noted dispatch epoch (at index
  ``at``, the trace context and config generation after it) is not the
  current one: the thread's trace context is the memo's and the thread stages
  no trace (what config.dispatch_epoch stands for while no thread holds a
  scoped option or stages). When it holds and the epoch is set again, the
  memo (``owner.<name>``) notes the epoch, so the next call takes the
  one-read test."""
  epoch = _memo_epoch()   # read first: a racing update then only misses
  if _trace_cache.context is not memo[at + 1] or config._generation != memo[at + 2] or (
      _staging[0] and _thread_state.dynamic_main.level):
    return False
  if epoch is not None and getattr(owner, name) is memo:
    setattr(owner, name, memo[:at] + (epoch,) + memo[at + 1:])
  return True


def _cpp_pytree_flatten():
  global _cpp_flatten
  if _cpp_flatten is None:
    from jaxlib import _jax
    from jaxlite import _pytree
    _cpp_flatten = _jax.pytree.PyTreeRegistry().flatten
    _pytree.set_native_flatten(_cpp_flatten)
  return _cpp_flatten


def _cpp_unflattener(out_tree):
  """What rebuilds the results' structure ``out_tree`` from the list of
  results: ``tuple`` for a flat tuple, else the ``unflatten`` of jaxlib's C++
  treedef equal to ``out_tree``, or None where the output holds a node only
  jaxlite's registry knows."""
  flatten = _cpp_pytree_flatten()
  markers = [object() for _ in range(out_tree.num_leaves)]
  try:
    sample = tree_util.tree_unflatten(out_tree, markers)
    if type(sample) is tuple and len(sample) == len(markers) and all(
        a is b for a, b in zip(sample, markers)):
      return tuple   # a C call, where a treedef's unflatten parses its nodes
    leaves, cpp_tree = flatten(sample)
    if len(leaves) != len(markers) or any(a is not b for a, b in zip(leaves, markers)):
      return None
    if tree_util.tree_structure(cpp_tree.unflatten(markers)) != out_tree:
      return None
  except Exception:  # noqa: BLE001 - any disagreement: unflatten in Python
    return None
  return cpp_tree.unflatten


def _outputs(out_avals, unflatten, results, committed):
  """Arrays of a call's results, in the function's output structure (where
  output_builders has no generated function for it); ``committed`` is the
  executable's flag, which its results carry."""
  outs = []
  append = outs.append
  for buf, aval in zip(results, out_avals):
    out = _new_object(Array)   # Array(buf, aval, None, committed), inlined (see _new_object)
    out._buf = buf
    out.aval = aval
    out._committed = committed
    append(out)
  return unflatten(outs)


def _token_unflattener(out_avals, out_tree):
  """Unflattens a call's results, wrapping each token result (an empty bool[0]
  array, see Executable) in ``core.Token`` as JAX does."""
  is_token = [type(a) is core.AbstractToken for a in out_avals]
  # Key arrays (extended dtypes) are wrapped around their key data too.
  from jaxlite.runtime import executable
  extended = [a if core.is_extended_aval(a) else None for a in out_avals]

  def unflatten(outs):
    outs = [core.Token(Array(o._buf, core.TOKEN_BUFFER_AVAL)) if token else
            executable.wrap_extended(o._buf, ext) if ext is not None else o
            for o, token, ext in zip(outs, is_token, extended)]
    return tree_util.tree_unflatten(out_tree, outs)
  return unflatten


class _CacheEntry:
  __slots__ = ("closed_jaxpr", "consts", "out_tree", "donated", "name", "executable",
               "single_output", "in_avals", "out_avals", "unflatten", "build_outputs", "spmd",
               "arg_names", "placed", "kept", "program",
               "__weakref__")

  def __init__(self, closed_jaxpr, consts, out_tree, donated, name):
    self.closed_jaxpr = closed_jaxpr
    self.consts = consts
    self.out_tree = out_tree
    self.donated = donated
    self.name = name
    self.executable = None
    self.single_output = tree_util.treedef_is_leaf(out_tree) and out_tree.num_leaves == 1
    self.in_avals = closed_jaxpr.in_avals
    self.out_avals = tuple(closed_jaxpr.out_avals)
    self.unflatten = None if self.single_output else (
        _cpp_unflattener(out_tree) or partial(tree_util.tree_unflatten, out_tree))
    if any(type(a) is core.AbstractToken or core.is_extended_aval(a)
           for a in closed_jaxpr.out_avals):
      self.single_output = False
      self.unflatten = _token_unflattener(closed_jaxpr.out_avals, out_tree)
      self.build_outputs = partial(_outputs, self.out_avals, self.unflatten)
    elif self.single_output:
      self.build_outputs = None
    else:
      # Arrays of the results in their structure: one generated function
      # where the structure is built-in containers, else the loop.
      self.build_outputs = output_builders.output_builder(out_tree, self.out_avals) or \
          partial(_outputs, self.out_avals, self.unflatten)
    self.spmd = None   # a jaxlite.interpreters.spmd.JitCallSite once shardings matter
    self.arg_names = None   # the flat arguments' names, for errors
    self.placed = {}   # device -> Executable, for operands committed to that device
    # The operands (constants, then flat arguments) the program takes, when it
    # leaves unused arguments out (jit's keep_unused=False, as JAX's); else None.
    self.kept = None
    self.program = None   # program_parts(), once computed

  def program_parts(self):
    """The jaxpr, donation mask and argument names of the entry's one-device
    program: the arguments in ``kept`` only (as JAX's programs leave unused
    arguments out: not passed, not donated).

      >>> jaxpr, donated, names = entry.program_parts()   # doctest: +SKIP
    """
    kept = self.kept
    if kept is None:
      return self.closed_jaxpr, self.donated, self.arg_names
    if self.program is None:
      self.program = mlir.keep_inputs(self.closed_jaxpr, kept, self.donated, self.arg_names)
    return self.program

  def kept_operands(self, operands):
    """``operands`` (constants, then flat arguments) as the program takes them."""
    kept = self.kept
    return operands if kept is None else [operands[i] for i in kept]


class _SharedCaches:
  """The traces and executables of one function jitted with one set of
  options, shared by every ``jit`` of it, as JAX shares its trace cache
  (keyed by the function): ``jit(f)(x)`` written inside a loop traces and
  compiles ``f`` once, and, as in JAX, a later ``jit(f)`` reuses the trace
  even if a global ``f`` reads has changed since. Functions that cannot be
  weakly referenced or hashed (and unhashable options) get caches of their own.

  The registry holds functions weakly, but a trace can hold its own function
  (a custom_jvp's rule refers back to it), so, as JAX's caches are, it is
  bounded: past ``MAX_FUNCTIONS`` it starts over (jitted functions keep the
  caches they have; only sharing with later jits of those functions is lost).
  """
  __slots__ = ("cache", "fast_cache", "tree_cache", "splits", "lock")
  MAX_FUNCTIONS = 1024
  _by_fun: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
  _registry_lock = threading.Lock()

  def __init__(self):
    self.cache: dict = {}
    self.fast_cache: dict = {}
    self.tree_cache: dict = {}
    self.splits: dict = {}
    self.lock = threading.RLock()

  @classmethod
  def of(cls, fun, options) -> "_SharedCaches":
    try:
      with cls._registry_lock:
        per_options = cls._by_fun.get(fun)
        if per_options is None:
          if len(cls._by_fun) >= cls.MAX_FUNCTIONS:
            cls._by_fun = weakref.WeakKeyDictionary()
          per_options = cls._by_fun[fun] = {}
        shared = per_options.get(options)
        if shared is None:
          shared = per_options[options] = cls()
        return shared
    except Exception:  # noqa: BLE001 - no weak reference, hash or == for fun or options
      return cls()

  @classmethod
  def clear(cls):
    with cls._registry_lock:
      cls._by_fun = weakref.WeakKeyDictionary()


class Jitted:
  """A function staged out and compiled by XLA; see ``jaxlite.jit``."""

  def __init__(self, fun, static_argnums=None, static_argnames=None, donate_argnums=(),
               device=None, backend_name=None, inline=False, keep_unused=False,
               in_shardings=None, out_shardings=None, donate_argnames=None,
               compiler_options=None):
    api_util.check_callable(fun)
    self.fun = fun
    self.in_shardings = in_shardings
    self.out_shardings = out_shardings
    self.static_argnums, self.static_argnames = api_util.resolve_static_args(
        fun, static_argnums, static_argnames)
    self.donate_argnums = api_util.validate_argnums(
        fun, api_util.normalize_argnums(donate_argnums, argname="donate_argnums"),
        "donate_argnums")
    # As JAX: donate_argnames and donate_argnums complete each other through
    # the signature (an argument is donated by position or by keyword).
    self.donate_argnums, self.donate_argnames = api_util.resolve_static_args(
        fun, self.donate_argnums, donate_argnames)
    api_util.check_static_not_donated(fun, self.static_argnums, self.donate_argnums)
    self.device = device
    self.compiler_options = dict(compiler_options) if compiler_options else None
    self.backend = backend_name
    self.inline = inline
    self.keep_unused = keep_unused
    self.name = api_util.fun_name(fun)
    # Device errors name the function by its qualified name, as JAX's.
    self._qualname = getattr(fun, "__qualname__", self.name)
    _live_jitted.add(self)
    # The caches below (and the lock) are those of every jit of the same
    # function with the same options (see _SharedCaches).
    shared = _SharedCaches.of(fun, (
        self.static_argnums, self.static_argnames, self.donate_argnums,
        self.donate_argnames, device, backend_name, inline, keep_unused, in_shardings,
        out_shardings, tuple(sorted(self.compiler_options.items()))
        if self.compiler_options else None))
    self._cache: dict = shared.cache
    # flat Array arguments: (avals, context) -> entry
    self._fast_cache: dict = shared.fast_cache
    # Pytree and static arguments: (C++ treedef, static values, avals, context) -> entry.
    self._tree_cache: dict = shared.tree_cache
    # Per number of positional arguments: getters of the dynamic ones and of the
    # static ones (see _fast_split).
    self._splits: dict = shared.splits
    # (Donated arguments too: the entry's donation mask follows from the
    # treedef, and _call_entry deletes them, as the slow path does.)
    self._tree_ok = device is None
    # The last call's signature and how to run it (see _set_memo), and the
    # same for the last pytree call (see _set_tree_memo).
    self._memo = _NO_MEMO
    self._tree_memo = None
    # Tracing and compiling happen once per key even when threads race on it.
    self._lock = shared.lock
    self._simple = not self.static_argnums and not self.static_argnames and \
        not self.donate_argnums and not self.donate_argnames and device is None
    self.__wrapped__ = fun
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
      try:
        setattr(self, attr, getattr(fun, attr))
      except AttributeError:
        pass

  def __get__(self, obj, objtype=None):
    return self if obj is None else partial(self, obj)

  def __repr__(self):
    # JAX's jitted functions print so; libraries recognise jitted functions by it (chex).
    return f"<PjitFunction of {self.fun!r}>"

  def __call__(self, *args, **kwargs):
    # An API boundary (see jaxlite.traceback_util): a try costs nothing until
    # something raises.
    try:
      memo = self._memo
      if len(args) == memo[0] and not kwargs:
        # The steady state of a call with one or two positional arguments
        # (see _set_memo): its signature is the last call's. Checked with
        # plain bytecode, each argument by what it was: an Array of the same
        # aval (by identity first: ShapedArray.__eq__ is Python) that is not
        # committed (those take _call_placed), or a static value of the same
        # type that compares equal (an Array where a static value was, which
        # compares elementwise, goes down the general path that rejects it).
        layout = memo[1]
        try:
          if layout == 0:     # (Array,)
            a, = args
            bufs = (a._buf,) if type(a) is Array and (
                a.aval is memo[2] or a.aval == memo[2]) and not a._committed else None
          elif layout == 1:   # (Array, Array)
            a, b = args
            bufs = (a._buf, b._buf) if type(a) is Array and type(b) is Array and (
                a.aval is memo[2] or a.aval == memo[2]) and (
                b.aval is memo[3] or b.aval == memo[3]) and not (
                    a._committed or b._committed) else None
          elif layout == 2:   # (Array, static)
            a, b = args
            bufs = (a._buf,) if type(a) is Array and (
                a.aval is memo[2] or a.aval == memo[2]) and (
                b is memo[3] or type(b) is type(memo[3]) and b == memo[3]) and \
                not a._committed else None
          else:               # (static, Array)
            a, b = args
            bufs = (b._buf,) if type(b) is Array and (
                b.aval is memo[3] or b.aval == memo[3]) and (
                a is memo[2] or type(a) is type(memo[2]) and a == memo[2]) and \
                not b._committed else None
        except Exception:  # noqa: BLE001 - a static value whose == raises
          bufs = None
        # The same trace context and no staging trace in this thread: one
        # process-wide number (config.dispatch_epoch) while no thread holds a
        # scoped option or stages; else the full test.
        if bufs is not None and (_dispatch_epoch[0] == memo[4] or
                                  _memo_holds(self, "_memo", memo, 4)):
          if memo[11]:
            bufs = memo[11] + bufs   # the closed-over arrays' buffers lead
          try:
            results = memo[7](bufs).consume_with_handlers(memo[8])
          except Exception:  # noqa: BLE001 - the general call explains or recovers
            return self._call_entry(memo[12], [x for x in args if type(x) is Array])
          if memo[9] is None:
            return memo[12].build_outputs(results, memo[10])
          out = _new_object(Array)   # Array(results[0], aval, None, committed), inlined
          out._buf = results[0]
          out.aval = memo[9]
          out._committed = memo[10]
          return out
      if not kwargs:
        plan = None
        memo = self._tree_memo
        # A pytree call: the last call's treedef flattens the arguments up to
        # its own structure (raising on any other: cheaper than flattening
        # and comparing treedefs); one pass over the leaves then checks each
        # is an Array of the same aval (by identity first: ShapedArray.__eq__
        # is Python) and gathers the buffers of uncommitted operands. (Only
        # calls without static arguments have a tree memo.)
        if memo is not None and (_dispatch_epoch[0] == memo[3] or
                                 _memo_holds(self, "_tree_memo", memo, 3)):
          try:
            leaves = memo[0].flatten_up_to(args)
          except Exception:  # noqa: BLE001 - another structure: the general path
            leaves = ()
          tree_plan = memo[2]
          if tree_plan[0] is None:   # an SPMD program: its call site checks the layouts
            # Only an Array has an aval and a buffer (anything else raises
            # AttributeError, a tracer too). (Comprehensions: slot reads are
            # specialised bytecode, cheaper than an attrgetter per leaf; list
            # == compares the same avals by identity first.)
            try:
              bufs = tree_plan[6](leaves)   # the steady state (see operand_gatherers)
            except (AttributeError, TypeError):
              bufs = None
            if bufs is not None:
              same = True
            else:
              try:
                bufs = [a._buf for a in leaves]
                same = bufs and [a.aval for a in leaves] == memo[1]
              except AttributeError:
                same = False
            if same:
              outs = tree_plan[4].call_buffers(tree_plan[3], leaves, bufs)
              if outs is not None or tree_plan[4].always_handles:
                return outs
              return self._call_entry(tree_plan[3], leaves)
          elif leaves:
            # The steady state: one generated check and gather (see
            # operand_gatherers); the loop below when it does not serve.
            try:
              bufs = tree_plan[6](leaves)
            except (AttributeError, TypeError):
              bufs = None
            if bufs is not None:
              plan, operands = tree_plan, leaves
          if plan is None and leaves and tree_plan[0] is not None and not tree_plan[7]:
            bufs = tree_plan[4][:]   # the closed-over arrays' buffers lead
            append = bufs.append
            try:
              # Only an Array has an aval of the memo's and a buffer (a
              # tracer or another leaf raises AttributeError or differs).
              # (A bytecode loop: its slot reads are specialized, cheaper
              # than attrgetter maps.)
              for a, aval in zip(leaves, memo[1]):
                if a.aval is not aval and a.aval != aval:
                  break
                if a._committed:   # committed operands: _call_placed
                  break
                append(a._buf)
              else:
                plan, operands = tree_plan, leaves
            except AttributeError:
              pass
        if plan is not None:
          try:
            results = plan[0](bufs).consume_with_handlers(plan[1])
          except Exception:  # noqa: BLE001 - the general call explains or recovers
            return self._call_entry(plan[3], operands)
          if plan[2] is not None:
            out = _new_object(Array)   # Array(results[0], plan[2], None, plan[5]), inlined
            out._buf = results[0]
            out.aval = plan[2]
            out._committed = plan[5]
            return out
          return plan[3].build_outputs(results, plan[5])
        if self._simple:
          for a in args:
            if type(a) is not Array:
              break
          else:
            # The trace context includes jax_disable_jit: with it on, this misses.
            entry = self._fast_cache.get((tuple(map(_get_aval, args)), config.trace_context()))
            if entry is not None and (not _staging[0] or _thread_state.dynamic_main.level == 0):
              self._set_memo(args, entry)
              return self._call_entry(entry, args)
        if self._tree_ok and _cpp_flatten is not None:
          # Pytree and static arguments: one C++ flatten builds the key.
          if self.static_argnums:
            split = self._splits.get(len(args))
            if split:
              leaves, treedef = _cpp_flatten(split[0](args))
              statics = split[1](args)
              # As JAX's: a static value of another type is another signature
              # (3.0 after 3 traces again), though they compare equal.
              statics = (statics, type(statics)) if split[2] else (
                  statics, tuple(map(type, statics)))
            else:
              leaves, treedef, statics = (None,), None, None
          else:
            leaves, treedef = _cpp_flatten(args)
            statics = None
          for a in leaves:
            if type(a) is not Array:
              break
          else:
            avals = tuple(map(_get_aval, leaves))
            try:
              entry = self._tree_cache.get((treedef, statics, avals, config.trace_context()))
            except TypeError:   # an unhashable static value: the slow path explains
              entry = None
            if entry is not None and (not _staging[0] or _thread_state.dynamic_main.level == 0):
              if statics is None:
                self._set_tree_memo(treedef, avals, entry)
              else:
                self._set_memo(args, entry)
              return self._call_entry(entry, leaves)
      if config.jax_disable_jit:
        return self.fun(*args, **kwargs)
      return self._call_slow(args, kwargs)
    except special_values.InternalFloatingPointError as e:   # jax_debug_nans/infs
      special_values.rerun_deoptimized(e, f"jit({self.name})", self.fun, args, kwargs)
    except Exception as e:
      traceback_util.filter_exception(e, sys._getframe())
      raise

  def _call_entry(self, entry, flat_args):
    if entry.spmd is not None:   # sharded arguments or jit(in/out_shardings=...)
      outs = entry.spmd.call(entry, flat_args)
      if outs is not None or getattr(entry.spmd, "always_handles", False):
        return outs
    exe = entry.executable
    if exe is None:
      from jaxlite.runtime import sharded
      if any(sharded.is_sharded(a) for a in flat_args):
        # Arrays split over a mesh: an SPMD program (see interpreters/spmd.py).
        from jaxlite.interpreters import spmd
        entry.spmd = spmd.JitCallSite(None, None, flat_args, {}, entry.out_tree,
                                      self._qualname,
                                      entry.arg_names)
        return entry.spmd.call(entry, flat_args)
      exe = self._compile_entry(entry, flat_args)
    for a in flat_args:
      if a._committed:
        # As JAX's: the program runs where the committed operands are (or on
        # jit's device), and uncommitted ones follow them there.
        outs = self._call_placed(entry, flat_args)
        if outs is not None:
          return outs
        break
    consts = entry.consts
    bufs = list(map(_get_buf, flat_args))
    if consts:
      bufs = list(map(_get_buf, consts)) + bufs
    if entry.kept is not None:   # the program leaves unused arguments out
      bufs = [bufs[i] for i in entry.kept]
    try:
      # Executable.call, inlined: this is the cached-call hot path.
      results = exe.loaded.execute_sharded(bufs).consume_with_handlers(exe.handlers)
    except Exception:
      for a in list(consts) + list(flat_args):   # a closed-over array may be donated
        a._check_if_deleted()
      from jaxlite.runtime import sharded
      if any(sharded.is_sharded(a) for a in flat_args):
        # Arrays split over a mesh: an SPMD program (see interpreters/spmd.py).
        from jaxlite.interpreters import spmd
        entry.spmd = spmd.JitCallSite(None, None, flat_args, {}, entry.out_tree,
                                      self._qualname,
                                      entry.arg_names)
        return entry.spmd.call(entry, flat_args)
      if any(len(a._buf._sharding._internal_device_list) > 1 for a in flat_args):
        # A pmap result (one slice per device) fed to a single-device program.
        from jaxlite.interpreters.dispatch import _gather_to_one_device
        return self._call_entry(entry, [_gather_to_one_device(a) for a in flat_args])
      if any(placement.on_device(a._buf) != exe.device for a in list(consts) + flat_args):
        # Uncommitted operands (or closed-over arrays) on another device than
        # the program's: they move to it.
        outs = self._call_placed(entry, flat_args)
        if outs is not None:
          return outs
      raise
    if entry.single_output:
      return Array(results[0], exe.out_avals[0], None, exe.committed)
    return entry.build_outputs(results, exe.committed)

  def _call_placed(self, entry, flat_args):
    """Runs ``entry`` on the device of its committed operands (or jit's
    ``device``), moving the other operands there; None when a committed
    operand spans several devices (the caller's general path handles those)."""
    try:
      device = self.device or placement.committed_device(
          flat_args, self._qualname, entry.arg_names)
    except placement.MultiDeviceOperand:
      return None
    if device is None or device is self.device:
      # No committed operand (closed-over arrays elsewhere, say), or jit's
      # device: the entry's own program.
      exe = entry.executable
      device = exe.device
    else:
      exe = entry.placed.get(device)
      if exe is None:
        jaxpr, donated, names = entry.program_parts()
        exe = entry.placed[device] = compile_jaxpr(
            jaxpr, entry.name, device, donated, committed=True,
            compiler_options=self.compiler_options, arg_names=names)
    operands = placement.follow(entry.kept_operands(list(entry.consts) + list(flat_args)),
                                device)
    results = exe.loaded.execute_sharded([a._buf for a in operands]).consume_with_handlers(
        exe.handlers)
    if entry.single_output:
      return Array(results[0], exe.out_avals[0], None, exe.committed)
    return entry.build_outputs(results, exe.committed)

  def _set_memo(self, args, entry):
    """Remembers how to run ``entry`` for calls shaped like ``args`` (one or two
    positional arguments: one or two Arrays, or an Array and a static value):
    the next call with the same signature runs it directly (see ``__call__``)."""
    exe = entry.executable
    if exe is None or entry.spmd is not None or entry.donated or entry.kept is not None or \
        not 1 <= len(args) <= 2:
      return
    is_array = [type(a) is Array for a in args]
    if not any(is_array) or not all(flag or i in self.static_argnums
                                    for i, flag in enumerate(is_array)):
      return   # a pytree or a Python scalar among the dynamic arguments
    if any(flag and a._committed for a, flag in zip(args, is_array)):
      return   # committed operands run through _call_placed
    # The layout __call__ checks: 0 (Array,), 1 (Array, Array), 2 (Array,
    # static), 3 (static, Array); then each argument's aval or static value.
    layout = 0 if len(args) == 1 else 1 if all(is_array) else 2 if is_array[0] else 3
    signature = [a.aval if flag else a for a, flag in zip(args, is_array)] + [None]
    epoch = _memo_epoch()
    context = config.trace_context()
    # One tuple, replaced whole: a thread reading it never sees a torn memo.
    self._memo = (len(args), layout, signature[0], signature[1], epoch, context,
                  config._generation, exe.loaded.execute_sharded, exe.handlers,
                  exe.out_avals[0] if entry.single_output else None, exe.committed,
                  tuple(map(_get_buf, entry.consts)), entry)

  def _set_tree_memo(self, treedef, avals, entry):
    """Remembers how to run ``entry`` for pytree calls without static
    arguments whose leaves flatten to ``treedef`` with ``avals`` (see the
    pytree branch of ``__call__``)."""
    exe = entry.executable
    if entry.spmd is not None:
      # Sharded arguments or jit(in/out_shardings=...): the call site's own
      # fast path (keyed by the arguments' layouts) runs it.
      plan = (None, None, None, entry, entry.spmd, None,
              operand_gatherers.operand_gatherer(avals, (), uncommitted=False))
    elif exe is None or entry.donated:
      return
    else:
      consts = list(map(_get_buf, entry.consts))
      kept = None
      if entry.kept is not None:
        # The program leaves unused arguments out: the generated gatherer
        # takes the others' buffers (the general loop in __call__ would take
        # every one, so without a gatherer there is no memo).
        n = len(consts)
        kept = [i - n for i in entry.kept if i >= n]
        consts = [consts[i] for i in entry.kept if i < n]
      gather = operand_gatherers.operand_gatherer(avals, consts, kept=kept)
      if kept is not None and gather is None:
        return
      plan = (exe.loaded.execute_sharded, exe.handlers,
              exe.out_avals[0] if entry.single_output else None, entry,
              consts, exe.committed, gather, kept is not None)
    epoch = _memo_epoch()
    # One tuple, replaced whole: a thread reading it never sees a torn memo.
    # (The avals as a list: the SPMD branch compares a list of the leaves' avals.)
    self._tree_memo = (treedef, list(avals), plan, epoch, config.trace_context(),
                       config._generation)

  def _compile_entry(self, entry, flat_args):
    # No lock: threads racing on one entry lower it each but compile it once
    # (executable_for), and other entries of this function compile meanwhile.
    # This is the program for uncommitted operands: on jit's device if it has
    # one, else on the default device (committed operands: _call_placed).
    # As JAX's: results are committed when a device was asked for.
    device = self.device
    jaxpr, donated, names = entry.program_parts()
    exe = compile_jaxpr(jaxpr, entry.name, device or backend.default_device(),
                        donated, committed=device is not None,
                        compiler_options=self.compiler_options, arg_names=names)
    if entry.executable is None:
      entry.executable = exe
    return entry.executable

  # -- slow path: flatten, handle static arguments, trace on a miss --

  def _split_args(self, args, kwargs):
    static_nums = self.static_argnums
    for i in static_nums:
      if i >= len(args) and not self.static_argnames:
        raise ValueError(
            f"Jitted function has static_argnums={static_nums}, but only accepts "
            f"{len(args)} positional arguments.")
    dyn_args = tuple(a for i, a in enumerate(args) if i not in static_nums)
    static_args = tuple((i, a) for i, a in enumerate(args) if i in static_nums)
    dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
    static_kwargs = tuple(sorted((k, v) for k, v in kwargs.items()
                                 if k in self.static_argnames))
    return dyn_args, dyn_kwargs, static_args, static_kwargs

  def _entry_for(self, args, kwargs):
    dyn_args, dyn_kwargs, static_args, static_kwargs = self._split_args(args, kwargs)
    flat_args, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
    avals = tuple(shaped_abstractify_arg(x, i, self.name) for i, x in enumerate(flat_args))
    # As JAX's: static values of other types are other signatures (3.0 after
    # 3 traces again), though they compare equal.
    statics = (static_args, static_kwargs, tuple(type(v) for _, v in static_args),
               tuple(type(v) for _, v in static_kwargs))
    key = (in_tree, avals, statics, config.trace_context())
    try:
      entry = self._cache.get(key)
    except TypeError as e:
      bad = _first_unhashable(static_args, static_kwargs)
      raise ValueError(
          "Non-hashable static arguments are not supported. An error occurred while "
          f"trying to hash an object of type {type(bad)}, {bad}. The error was:\n"
          f"TypeError: {e}") from None
    if entry is None:
      with self._lock:
        entry = self._cache.get(key)
        if entry is None:
          entry = self._trace(args, kwargs, dyn_args, dyn_kwargs, static_args,
                              static_kwargs, flat_args, in_tree, avals)
          if not any(isinstance(c, core.Tracer) for c in entry.consts):
            if len(self._cache) >= _MAX_ENTRIES_PER_FUNCTION:
              self.clear_cache()   # bounded: what is used again is retraced
            self._cache[key] = entry
            if self._simple and not kwargs and all(type(a) is Array for a in args):
              self._fast_cache[(avals, key[3])] = entry
            elif self._tree_ok and not kwargs:
              self._remember_fast(args, flat_args, entry, key[3])
    return entry, flat_args

  def _fast_split(self, nargs):
    """Getters of the dynamic and of the static positional arguments, for calls
    with ``nargs`` of them; None where the fast path cannot serve such calls."""
    split = self._splits.get(nargs)
    if split is None and nargs not in self._splits:
      static = self.static_argnums
      dynamic = [i for i in range(nargs) if i not in static]
      if dynamic and all(0 <= i < nargs for i in static):
        # (The static getter returns the one value itself when there is one.)
        split = (operator.itemgetter(*dynamic), operator.itemgetter(*static), len(static) == 1)
      self._splits[nargs] = split
    return split

  def _remember_fast(self, args, flat_args, entry, context):
    """Files ``entry`` under the key the pytree fast path builds for ``args``,
    when that key finds exactly the leaves that the slow path flattened."""
    flatten = _cpp_pytree_flatten()
    if self.static_argnums:
      split = self._fast_split(len(args))
      if split is None:
        return
      leaves, treedef = flatten(split[0](args))
      statics = split[1](args)
      statics = (statics, type(statics)) if split[2] else (statics, tuple(map(type, statics)))
    else:
      leaves, treedef = flatten(args)
      statics = None
    if len(leaves) != len(flat_args) or any(
        type(a) is not Array or a is not b for a, b in zip(leaves, flat_args)):
      return
    key = (treedef, statics, tuple(map(_get_aval, leaves)), context)
    try:
      hash(key)
    except TypeError:
      return
    if len(self._tree_cache) >= _TREE_CACHE_LIMIT:
      self._tree_cache.clear()   # bounded: fresh shapes or statics on every call
    self._tree_cache[key] = entry

  def _call_slow(self, args, kwargs):
    entry, flat_args = self._entry_for(args, kwargs)
    if core._thread_state.dynamic_main.level == 0 and not any(
        isinstance(x, core.Tracer) for x in flat_args) and not any(
        isinstance(c, core.Tracer) for c in entry.consts):
      from jaxlite.interpreters.dispatch import _to_array
      flat_args = [_to_array(x) for x in flat_args]
      return self._call_entry(entry, flat_args)
    outs = jit_p.bind(*_bind_consts(entry), *flat_args, jaxpr=entry.closed_jaxpr,
                      name=entry.name,
                      donated_invars=entry.donated, inline=self.inline)
    return tree_util.tree_unflatten(entry.out_tree, outs)

  def _trace(self, args, kwargs, dyn_args, dyn_kwargs, static_args, static_kwargs,
             flat_args, in_tree, avals):
    if config.jax_no_tracing:   # jax.no_tracing(): every (re)trace is an error
      code = getattr(self.fun, "__code__", None)
      where = f"{self.name} at {code.co_filename}:{code.co_firstlineno}" if code else self.name
      raise RuntimeError(f"re-tracing function {where} for `jit`, but 'no_tracing' is set")
    if kwargs and self.in_shardings is not None:   # JAX's words, also for jit
      raise ValueError("pjit does not support kwargs when in_shardings is specified.")
    fun = self.fun
    if static_args or static_kwargs:
      fun = _bind_static(self.fun, len(args), dict(static_args), dict(static_kwargs))
    flat_fun, out_tree = api_util.flatten_fun(fun, in_tree)
    names = api_util.arg_names(self.fun, dyn_args, dyn_kwargs)
    if len(names) != len(avals):
      names = None
    with monitoring.timed_event(monitoring.JAXPR_TRACE_EVENT, self.name):
      jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(
          flat_fun, avals, debug_info=(self.name, names, "jit"), arg_names=names)
    closed, consts = _split_consts(jaxpr, consts)
    donated = ()
    if self.donate_argnums or self.donate_argnames:
      donated_leaves = []
      for i, a in enumerate(dyn_args):
        n = tree_util.tree_structure(a).num_leaves
        orig_index = [j for j in range(len(args)) if j not in self.static_argnums][i]
        donated_leaves += [orig_index in self.donate_argnums] * n
      for k in sorted(dyn_kwargs):   # the kwargs dict flattens in key order
        n = tree_util.tree_structure(dyn_kwargs[k]).num_leaves
        donated_leaves += [k in self.donate_argnames] * n
      donated_leaves += [False] * (len(flat_args) - len(donated_leaves))
      donated = tuple([False] * len(consts) + donated_leaves)
    entry = _CacheEntry(closed, consts, out_tree.val, donated, self.name)
    entry.arg_names = names
    if _ref_calls is not None:   # refs exist: they may be arguments or results
      if _ref_calls.check_jit_refs(self.fun, flat_args, names, jaxpr, consts):
        entry.spmd = _ref_calls.RefCallSite()   # the general call path runs it
        return entry
    if not self.keep_unused:
      # As JAX's: the program leaves out the arguments it does not use (not
      # passed, not donated); the jaxpr keeps them. (Constants are all used.)
      used = mlir.used_inputs(closed.jaxpr)
      if not all(used):
        entry.kept = tuple(i for i, u in enumerate(used) if u or i < len(consts))
    from jaxlite.config import mesh_context  # pylint: disable=g-import-not-at-top
    # Under set_mesh (part of the trace context, so of this entry's key) the
    # program runs on all the mesh's devices, as JAX's (whose errors there name
    # the function by its qualified name).
    on_context_mesh = mesh_context.value is not None
    has_mesh = _holds_shard_map(closed) or on_context_mesh
    if self.in_shardings is not None or self.out_shardings is not None or has_mesh:
      from jaxlite.interpreters import spmd
      entry.spmd = spmd.JitCallSite(self.in_shardings, self.out_shardings, dyn_args,
                                    dyn_kwargs, entry.out_tree, self._qualname, names,
                                    has_mesh=has_mesh)
    return entry

  # -- ahead-of-time API --

  @traceback_util.api_boundary
  def lower(self, *args, **kwargs):
    """Stages and lowers for these arguments: ``jit(f).lower(x).as_text()``."""
    return self.trace(*args, **kwargs).lower()

  @traceback_util.api_boundary
  def trace(self, *args, **kwargs):
    """Stages for these arguments: a ``jaxlite.stages.Traced`` (``.jaxpr``, ``.lower()``)."""
    from jaxlite import stages
    entry, flat_args = self._entry_for(args, kwargs)
    in_tree = tree_util.tree_structure(self._split_args(args, kwargs)[:2])
    donated = entry.donated[len(entry.consts):] if entry.donated else [False] * len(flat_args)
    args_info = stages.make_args_info(in_tree, entry.in_avals[len(entry.consts):], donated)
    traced = stages.Traced._make(self, entry, in_tree, args_info)
    from jaxlite.interpreters import spmd
    from jaxlite.interpreters.dispatch import _to_array
    abstract = spmd.with_abstract_shardings(entry.spmd, flat_args, entry.out_tree,
                                            self._qualname)
    if abstract is not None:   # ShapeDtypeStructs with shardings: an SPMD program
      traced._spmd_args = (abstract, [x if hasattr(x, "sharding") and not isinstance(x, Array)
                                      else _to_array(x) for x in flat_args])
      return traced
    from jaxlite.runtime import sharded
    if entry.spmd is None and any(isinstance(x, Array) and sharded.is_sharded(x)
                                  for x in flat_args):
      from jaxlite.interpreters import spmd
      entry.spmd = spmd.JitCallSite(None, None, flat_args, {}, entry.out_tree,
                                    self._qualname,
                                    entry.arg_names)
    if entry.spmd is not None and (entry.spmd.given or entry.spmd.has_mesh or any(
        isinstance(x, Array) and sharded.is_sharded(x) for x in flat_args)):
      # An SPMD program: lowering needs the arguments' layouts (and compiles).
      from jaxlite.interpreters.dispatch import _to_array
      traced._spmd_args = (entry.spmd, [_to_array(x) for x in flat_args])
    return traced

  @traceback_util.api_boundary
  def eval_shape(self, *args, **kwargs):
    entry, _ = self._entry_for(args, kwargs)
    from jaxlite.shape_dtype_struct import ShapeDtypeStruct
    out_avals = entry.closed_jaxpr.out_avals
    # Results given an out_sharding report it, as JAX's.
    given = getattr(entry.spmd, "out_shardings", None) or [None] * len(out_avals)
    return tree_util.tree_unflatten(
        entry.out_tree, [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type, sharding=s)
                         for a, s in zip(out_avals, given)])

  def clear_cache(self):
    self._cache.clear()
    self._fast_cache.clear()
    self._tree_cache.clear()
    self._memo = _NO_MEMO
    self._tree_memo = None

  def _cache_size(self):
    return len(self._cache)


traceback_util.register_boundary(Jitted.__call__)


def shaped_abstractify_arg(x, i, fun_name):
  try:
    return shaped_abstractify(x)
  except TypeError as e:
    raise TypeError(
        f"Error interpreting argument to {fun_name} as an abstract array. The problematic "
        f"value is of type {type(x)} and was passed to the function at flattened leaf "
        f"{i}.\nThis typically means that a jit-wrapped function was called with a "
        f"non-array argument, and this argument was not marked as static using the "
        f"static_argnums or static_argnames parameters of jax.jit.\n{e}") from None


def _first_unhashable(static_args, static_kwargs):
  for _, v in list(static_args) + list(static_kwargs):
    try:
      hash(v)
    except TypeError:
      return v
  return None


def _bind_static(fun, nargs, static_pos: dict, static_kw: dict):
  def with_static(*dyn_args, **dyn_kwargs):
    it = iter(dyn_args)
    full = [static_pos[i] if i in static_pos else next(it) for i in range(nargs)]
    full += list(it)
    return fun(*full, **dyn_kwargs, **static_kw)
  return with_static
