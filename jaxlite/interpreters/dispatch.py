"""Eager execution: a primitive outside every transformation.

``apply_primitive`` stages the single primitive into a one-equation jaxpr,
lowers and compiles it once per (primitive, input types, parameters, device)
and runs the cached executable. There is no second evaluator: eager NumPy
semantics come from the same StableHLO that ``jit`` produces.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

from jaxlite import core, dtypes
from jaxlite.config import config
from jaxlite.config import debug_infs as _debug_infs, debug_nans as _debug_nans
from jaxlite.config import mesh_context as _mesh_context
from jaxlite.config import trace_context_epoch as _context_epoch
from jaxlite.runtime import special_values
from jaxlite.core import ClosedJaxpr, Jaxpr, JaxprEqn, Var
from jaxlite.runtime import backend, caches, placement
from jaxlite.runtime.array import Array

_cache: dict = {}
_CACHE_LIMIT = 4096
_cache_lock = threading.RLock()   # re-entrant: lowering may dispatch constants
caches.register(_cache.clear)     # jaxlite.clear_caches
# primitive -> (aval, executable, trace context, generation) of its last eager
# run through jnp's fast paths (numpy/ufuncs_common.bind_eager_one): the
# steady state compares the aval by identity instead of hashing it.
last_eager_run: dict = {}
caches.register(last_eager_run.clear)


# An Array made without running its __init__ (a Python frame entered from C
# costs about a third of making one); tests/test_jit_dispatch_cost.py checks
# that these paths fill every slot.
_new_object = object.__new__
# How JAX names the operands of an eager op in its incompatible-devices error.
_EAGER_ARG_NAMES = ("x", "y")


_trace_cache = config._trace_cache   # the per-thread trace context (config.trace_context)
# A trace context (and config generation) under which no option changes how an
# eager op runs; see _options_plain.
_plain_context = (None, -1, None)


def _options_plain() -> bool:
  """Whether no option changes how an eager op runs (jax_default_device,
  jax_debug_nans, jax_debug_infs, a mesh set by set_mesh; all part of the
  trace context); if so, the current trace context is remembered as plain,
  so that later ops compare one object instead of reading four options (and
  with it the trace-context epoch, see config.trace_context_epoch: while that
  is unchanged, no thread-local read at all)."""
  global _plain_context
  if config.jax_default_device is not None or _debug_nans.value or _debug_infs.value or \
      _mesh_context.value is not None:
    return False
  epoch = _context_epoch[0]   # read first: a racing update then only misses
  generation = config._generation
  _plain_context = (config.trace_context(), generation, None if epoch < 0 else epoch)
  return True


def apply_primitive(primitive, args, params):
  """Runs ``primitive`` on concrete arguments (Arrays, NumPy arrays, scalars)."""
  try:
    # Unpacked for the usual one or two operands: an attrgetter mapped over
    # them reads each slot through the generic attribute lookup, ~2.5K
    # callgrind instructions more for two operands than these slot reads.
    if len(args) == 2:
      x, y = args
      bufs = [x._buf, y._buf]
      avals = (x.aval, y.aval)
    elif len(args) == 1:
      x, = args
      bufs = [x._buf]
      avals = (x.aval,)
    else:
      bufs = [a._buf for a in args]
      avals = tuple([a.aval for a in args])
  except AttributeError:
    if any(core.is_extended_aval(getattr(a, "aval", None)) for a in args):
      return _apply_with_key_arrays(primitive, args, params)
    args = [_to_array(a) for a in args]
    if not all(isinstance(a, Array) for a in args):   # mutable refs (jaxlite.state)
      from jaxlite.state import discharge
      return discharge.apply_with_refs(primitive, args, params)
    bufs = [a._buf for a in args]
    avals = tuple([a.aval for a in args])
  # Options that change how an eager op runs (default device, debug_nans/infs)
  # are read only when the trace context is not one known to set none of them.
  plain = _context_epoch[0] == _plain_context[2] or _trace_cache.context is _plain_context[0] \
      and config._generation == _plain_context[1] or _options_plain()
  device = None
  for a in args:
    if a._committed:   # uncommitted arrays (the usual case) run on the default device
      b = a._buf
      if placement.spans_mesh(b) or not plain and _mesh_context.value is not None:
        # Split over a mesh, or under set_mesh (where a committed single-device
        # operand is JAX's error): the op runs split too (interpreters/spmd.py).
        return (_spmd or _load_spmd()).apply_primitive_sharded(primitive, args, params,
                                                               bufs, avals, plain)
      try:
        device = placement.committed_device(args, primitive.name, _EAGER_ARG_NAMES)
      except placement.MultiDeviceOperand:
        from jaxlite.runtime import sharded
        # (map, not a generator: a local read by a generator becomes a cell,
        # made on every call of this function.)
        if any(map(sharded.is_sharded, args)):
          # Arrays split over a mesh: the op runs split too (interpreters/spmd.py).
          from jaxlite.interpreters import spmd
          return spmd.apply_primitive_sharded(primitive, args, params)
        args = [_gather_to_one_device(a) for a in args]
        device = placement.committed_device(args, primitive.name, _EAGER_ARG_NAMES)
      if device is not None:
        # As JAX's: uncommitted operands (Python scalars too) follow committed ones.
        args = placement.follow(args, device)
      bufs = [a._buf for a in args]
      break
  else:
    if not plain and _mesh_context.value is not None:
      # Under set_mesh: the op runs on all the mesh's devices, as JAX's.
      return (_spmd or _load_spmd()).apply_primitive_sharded(primitive, args, params)
    if not plain and config.jax_default_device is not None:
      # Under jax.default_device: uncommitted operands run (and move) there.
      device = backend.default_device()
      args = _moved_to(args, device)
      bufs = [a._buf for a in args]
  key = (primitive, avals, tuple(params.items()) if params else (), device)
  try:
    exe = _cache[key]
  except KeyError:
    if _runs_shard_map(params):
      # A loop or branch whose body holds a shard_map (a traced pmap, say):
      # an SPMD program over its mesh (interpreters/spmd.py).
      from jaxlite.interpreters import spmd
      return spmd.apply_primitive_sharded(primitive, args, params)
    exe = _compile_once(key, primitive, avals, params, device)
  except TypeError:   # unhashable parameters: compile without caching
    exe = _compile_primitive(primitive, avals, params, device)
  try:
    # Executable.call, inlined: this is the eager hot path.
    results = exe.loaded.execute_sharded(bufs).consume_with_handlers(exe.handlers)
  except Exception:
    for a in args:
      a._check_if_deleted()
    raise
  if primitive.multiple_results:
    outs = [Array(r, a, None, exe.committed) for r, a in zip(results, exe.out_avals)]
  else:
    outs = _new_object(Array)   # Array(results[0], aval, None, committed), inlined (see _new_object)
    outs._buf = results[0]
    outs.aval = exe.out_avals[0]
    outs._committed = exe.committed
  if not plain and (_debug_nans.value or _debug_infs.value):
    # An executable compiled before the option was set has no checking handlers.
    special_values.check_eager_outputs(primitive, outs if primitive.multiple_results
                                       else [outs])
  return outs


def _moved_to(args, device):
  """``args`` with each array not on ``device`` moved there. (A function of
  its own: ``device`` read by a comprehension in ``apply_primitive`` would be
  a cell made on every eager op.)"""
  return [a if a._buf.device == device else _move_to(a, device) for a in args]


_spmd = None   # jaxlite.interpreters.spmd, once an op meets an array split over a mesh


def _load_spmd():
  global _spmd
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  _spmd = spmd
  return spmd


def _runs_shard_map(params) -> bool:
  """Whether a primitive's jaxpr parameters hold a shard_map or a sharding
  constraint (checked when it compiles, never on the cached path)."""
  if not params or "jaxlite.interpreters.spmd" not in sys.modules:
    return False
  from jaxlite.interpreters import spmd
  return any(spmd.mesh_in_jaxpr(j) is not None
             for p in params.values() for j in core._subjaxprs(p))


def _compile_once(key, primitive, avals, params, device):
  """Threads racing on one key compile it once (``executable_for`` makes the
  others wait for that compile); different keys compile in parallel."""
  compiled = _compile_primitive(primitive, avals, params, device)
  with _cache_lock:
    exe = _cache.get(key)
    if exe is None:
      if len(_cache) >= _CACHE_LIMIT:
        # Keys can hold jaxprs of fresh lambdas (eager lax.scan(lambda ...)):
        # forget the oldest entries rather than grow without bound.
        for old in list(_cache)[:_CACHE_LIMIT // 8]:
          del _cache[old]
      exe = _cache[key] = compiled
  return exe


def _move_to(x, device):
  from jaxlite.runtime import transfer
  return transfer.device_put(x, device)


_key_array_programs: dict = {}


def _apply_with_key_arrays(primitive, args, params):
  """An eager primitive on key arrays (``jnp.concatenate`` of keys, a ``scan``
  carrying one) runs as a jitted call of it: jit's boundary takes key arrays
  in as their key data and wraps the key results."""
  from jaxlite import api
  try:
    key = (primitive, tuple(params.items()))
    jitted = _key_array_programs.get(key)
  except TypeError:   # unhashable params: not cached
    key, jitted = None, None
  if jitted is None:
    def apply(*xs):
      return primitive.bind(*xs, **params)
    apply.__name__ = primitive.name
    jitted = api.jit(apply)
    if key is not None:
      if len(_key_array_programs) >= 1024:   # params hold shapes: bounded, as _cache
        _key_array_programs.clear()
      _key_array_programs[key] = jitted
  return jitted(*args)


def _to_array(x):
  if isinstance(x, Array):
    return x
  from jaxlite.runtime import transfer
  if isinstance(x, core.Tracer):
    raise core.escaped_tracer_error(x)
  if type(x) is core.Token:   # enters a program as its empty bool[0] array, as in JAX
    return x._buf
  aval = core.get_aval(x)   # validates the type (TypeError for non-arrays)
  if not isinstance(aval, core.ShapedArray):
    return x   # a mutable ref (jaxlite.state) enters a program through its own path
  if isinstance(aval.dtype, dtypes.ExtendedDType):
    return x._base_array   # a key array enters a program as its key data
  return transfer.put_numpy(np.asarray(x, aval.dtype), None, aval.weak_type)


def _gather_to_one_device(a):
  """An eager op on a pmap result (one slice per device) runs on the default
  device: the slices are brought together first."""
  if len(a._buf._sharding._internal_device_list) == 1:
    return a
  from jaxlite.runtime import transfer
  return transfer.put_numpy(a._value, None, a.weak_type)


def _compile_primitive(primitive, avals, params, device):
  from jaxlite.interpreters import mlir
  from jaxlite.runtime import executable
  invars = [Var(a) for a in avals]
  out = primitive.abstract_eval(*avals, **params)
  out_avals = [core.raise_to_shaped(a) for a in (out if primitive.multiple_results else [out])]
  outvars = [Var(a) for a in out_avals]
  jaxpr = Jaxpr([], invars, outvars, [JaxprEqn(invars, outvars, primitive, params)])
  lowered = mlir.lower_jaxpr_to_module(ClosedJaxpr(jaxpr, []), name=primitive.name)
  # As JAX's: results are committed to a device only when an operand was.
  return executable.executable_for(lowered, device or backend.default_device(), out_avals,
                                   committed=device is not None,
                                   # eager results are checked per call instead
                                   special_checks=(False, False))


core.set_eval_hook(apply_primitive)
