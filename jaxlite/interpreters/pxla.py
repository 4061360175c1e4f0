"""pmap: one XLA computation replicated over devices.

A pmapped function is traced once at the per-replica shapes with its axis
name bound (``core.extend_axis_env``), lowered with ``mhlo.num_replicas`` set
to the number of replicas, compiled once for the whole device assignment and
executed with one ``execute_sharded`` call over all devices. Inputs and
outputs are Arrays laid out one leading-axis slice per device
(``LeadingAxisSharding``), so the output of one pmap feeds the next without
copies.

Collectives lower against the module's ``AxisContext``: replica ids are laid
out row-major over the named axes (outermost first), which gives the replica
groups JAX prints (``{{0,2,4,6},{1,3,5,7}}`` for axis 'i' of ('i', 4),
('j', 2)). A pmap nested inside another lowers as the ``xla_pmap`` primitive:
each replica takes its slice with ``dynamic_slice`` at its axis index, runs
the body, and the results are reassembled with ``all_gather``.
"""
from __future__ import annotations

import operator
import sys
import threading
import weakref
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import api_util, core, traceback_util, tree_util
from jaxlite.config import config, dispatch_epoch as _dispatch_epoch, memo_epoch
from jaxlite.core import ClosedJaxpr, ShapedArray, staging as _staging
from jaxlite.interpreters import batching, collectives, mlir
# The collectives' lowering helpers (shared with shard_map), which the pmap
# lowering below and other modules use under these names.
from jaxlite.interpreters.collectives import (all_gather, axis_groups, axis_index_value,
                                              replica_groups_attr)
from jaxlite.interpreters.collectives import groups as _groups
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters import pmap_staging
from jaxlite.runtime import backend, caches, inflight
from jaxlite.runtime.array import Array, arrays_of

# --- replica groups and collective lowering helpers ----------------------------------------


class _ReplicationAxis:
  """Stands for replicas an enclosing computation has but does not name: the
  inner axis of a nested pmap, seen from the outer function."""
  __slots__ = ("size",)

  def __init__(self, size):
    self.size = size

  def __repr__(self):
    return f"<replication x{self.size}>"




# --- the xla_pmap primitive (pmap inside another transformation) ------------------------------

pmap_p = core.Primitive("xla_pmap")
pmap_p.multiple_results = True
pmap_p.call_primitive = True
# vmap of pmap: the vmapped axis goes inside every replica's computation.
batching.axis_primitive_batchers[pmap_p] = batching._pmap_batcher  # pylint: disable=protected-access


def _pmap_abstract_eval(*avals, jaxpr, axis_name, axis_size, in_axes, out_axes, name):
  outs = []
  for aval, ax in zip(jaxpr.out_avals, out_axes):
    if ax is None:
      outs.append(aval)
    else:
      shape = list(aval.shape)
      shape.insert(ax, axis_size)
      outs.append(aval.update(shape=tuple(shape)))
  return outs


pmap_p.def_abstract_eval(_pmap_abstract_eval)


def _pmap_impl(*args, jaxpr, axis_name, axis_size, in_axes, out_axes, name):
  fun = _PmapExecutable.for_jaxpr(jaxpr, axis_name, axis_size, in_axes, out_axes, name)
  return fun.call(list(args))


pmap_p.def_impl(_pmap_impl)


def _pmap_lowering(ctx, *args, jaxpr, axis_name, axis_size, in_axes, out_axes, name):
  hlo = mlir.hlo()
  mc = ctx.module_context
  outer = mc.axis_context
  axes = list(outer.axes)
  # The enclosing computation reserved the innermost replica axis for us.
  if not axes or not isinstance(axes[-1][0], _ReplicationAxis) or axes[-1][1] != axis_size:
    raise ValueError(f"nested pmap over axis {axis_name!r} of size {axis_size} does not fit "
                     f"the enclosing replica layout {axes}")
  axes[-1] = (axis_name, axis_size)
  inner_ctx = mlir.AxisContext(tuple(axes))
  mc.axis_context = inner_ctx
  try:
    sub = ctx.replace(module_context=mc)
    index = axis_index_value(sub, axis_name)
    sharded = []
    for x, aval, ax in zip(args, ctx.avals_in, in_axes):
      if ax is None:
        sharded.append(x)
        continue
      zero = mlir.ir_constant(np.int32(0))
      starts = [index if d == ax else zero for d in range(aval.ndim)]
      sizes = [1 if d == ax else s for d, s in enumerate(aval.shape)]
      piece = hlo.dynamic_slice(x, starts, mlir.dense_int_array(sizes))
      out_shape = tuple(s for d, s in enumerate(aval.shape) if d != ax)
      sharded.append(hlo.reshape(mlir.aval_to_ir_type(aval.update(shape=out_shape)), piece))
    outs = mlir.jaxpr_subcomp(mc, jaxpr.jaxpr, jaxpr.consts, *sharded)
    groups = inner_ctx.replica_groups((axis_name,))
    results = []
    for out, aval, ax in zip(outs, jaxpr.out_avals, out_axes):
      if ax is None:
        results.append(out)
        continue
      shape1 = list(aval.shape)
      shape1.insert(ax, 1)
      expanded = hlo.reshape(mlir.aval_to_ir_type(aval.update(shape=tuple(shape1))), out)
      full = list(aval.shape)
      full.insert(ax, axis_size)
      results.append(all_gather(sub, expanded, aval.update(shape=tuple(full)), groups, ax))
    return results
  finally:
    mc.axis_context = outer


mlir.register_lowering(pmap_p, _pmap_lowering)


def jaxpr_replicas(jaxpr) -> int:
  """How many replicas per outer replica the nested pmaps in ``jaxpr`` need."""
  best = 1
  for eqn in jaxpr.eqns:
    if eqn.primitive is pmap_p:
      best = max(best, eqn.params["axis_size"] * jaxpr_replicas(eqn.params["jaxpr"].jaxpr))
    else:
      for sub in _subjaxprs(eqn.params):
        best = max(best, jaxpr_replicas(sub))
  return best


def _subjaxprs(params):
  for p in params.values():
    yield from core._subjaxprs(p)


# --- the public pmap -------------------------------------------------------------------------


def flatten_axes(what: str, treedef, axis_tree, values=None) -> list:
  """Broadcasts a pytree prefix of axes (ints/None) to the leaves of ``treedef``
  (``values``: the tree itself, for the types in an out_axes error)."""
  proxy = object()
  dummy = tree_util.tree_unflatten(treedef, [proxy] * treedef.num_leaves) \
      if values is None else values
  axes = []

  def add_leaves(axis, subtree):
    axes.extend([axis] * tree_util.tree_structure(subtree).num_leaves)
  try:
    tree_util.tree_map(add_leaves, axis_tree, dummy, is_leaf=lambda x: x is None)
  except ValueError as e:
    if what == "pmap out_axes":   # JAX 0.10.2's words (its broadcast_prefix's)
      err = next(tree_util._prefix_errors((), axis_tree, dummy, lambda x: x is None), None)
      if err is not None:
        raise err("broadcast_prefix prefix_tree") from None
    raise ValueError(f"{what} specification must be a tree prefix of the corresponding "
                     f"value, got specification {axis_tree} for value tree {treedef}.") from e
  return axes


def _in_axes_error(in_axes, dyn_args, kwargs) -> ValueError:
  """JAX 0.10.2's error for ``in_axes`` that are no prefix of the arguments."""
  err = next(tree_util._prefix_errors((), (in_axes, 0), (dyn_args, kwargs)), None)
  msg = err("pmap in_axes").args[0] if err is not None else \
      f"pmap in_axes {in_axes} is not a tree prefix of the arguments"
  msg += ("\n\nThe 'full pytree' here is the tuple of arguments passed positionally to the "
          "pmapped function, and the value of `in_axes` must be a tree prefix of that "
          "tuple. But it was not a prefix.")
  if kwargs:
    msg += ("\n\nWhen some arguments are passed by keyword to the pmapped function, they "
            "are not included in the comparison to `in_axes`. Instead, each argument passed "
            "by keyword is mapped over its leading axis. See the description of `in_axes` "
            "in the `pmap` docstring: "
            "https://docs.jax.dev/en/latest/_autosummary/jax.pmap.html#jax.pmap")
  msg += ("\n\nCheck that the value of the `in_axes` argument to `pmap` is a tree prefix "
          "of the tuple of arguments passed positionally to the pmapped function.")
  return ValueError(msg)


class _PmapExecutable:
  """A pmapped jaxpr compiled for a device assignment, with its input/output layout."""

  # xla_pmap equations' executables, by jaxpr (weakly: they die with it) and size.
  _by_jaxpr: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

  def __init__(self, closed, axis_name, axis_size, in_axes, out_axes, name, devices,
               local_size):
    from jaxlite.runtime import executable, sharding
    self.axis_name = axis_name
    self.axis_size = axis_size          # global mapped size
    self.local_size = local_size        # this process's share of it
    self.in_axes = tuple(in_axes)
    self.out_axes = tuple(out_axes)
    inner = jaxpr_replicas(closed.jaxpr)
    self.inner = inner
    self.num_replicas = axis_size * inner
    self.devices = tuple(devices)
    axes = ((axis_name, axis_size),) + (((_ReplicationAxis(inner), inner),) if inner > 1 else ())
    lowered = mlir.lower_jaxpr_to_module(closed, name=f"pmap_{name}",
                                         platform=self.devices[0].platform,
                                         axis_context=mlir.AxisContext(axes),
                                         num_replicas=self.num_replicas)
    self.text = lowered.text
    self.loaded = executable.compile_module(
        lowered.text, list(self.devices), num_replicas=self.num_replicas,
        host_callbacks=lowered.module_context.host_callbacks, module=lowered.module)
    me = backend.process_index()
    self.local_devices = tuple(d for d in self.devices if d.process_index == me)
    self.local_sharding = sharding.leading_axis_sharding(self.local_devices) \
        if len(self.local_devices) > 1 else sharding.single_device_sharding(self.local_devices[0])
    self.global_sharding = sharding.leading_axis_sharding(self.devices) \
        if len(self.devices) > 1 else sharding.single_device_sharding(self.devices[0])
    from jaxlib import xla_client as xc
    n_local = len(self.local_devices)
    self.out_global_avals = [ShapedArray((n_local,) + a.shape, a.dtype, a.weak_type)
                             for a in closed.out_avals]
    self.handlers = [xc.array_result_handler(a, self.local_sharding, True, True)
                     for a in self.out_global_avals]
    # The steady case, decided once: every input mapped over its leading axis
    # and every output stacked on it, one replica per local device, so that
    # arguments laid out as this program's results pass straight through.
    self.leading_axes_only = (inner == 1 and n_local == len(self.devices)
                              and all(ax == 0 for ax in self.in_axes)
                              and all(ax == 0 for ax in self.out_axes))

  @classmethod
  def for_jaxpr(cls, closed, axis_name, axis_size, in_axes, out_axes, name):
    per_size = cls._by_jaxpr.get(closed)
    if per_size is None:
      per_size = cls._by_jaxpr.setdefault(closed, {})
    exe = per_size.get(axis_size)
    if exe is None:
      devices = backend.local_devices()[:axis_size]
      if axis_size > len(backend.local_devices()):
        raise ValueError(_too_many_replicas(name, axis_size, len(backend.local_devices())))
      exe = per_size[axis_size] = cls(closed, axis_name, axis_size, in_axes, out_axes, name,
                                      devices, axis_size)
    return exe

  # -- inputs --

  def _shard_input(self, x, axis):
    """A jaxlib array over all devices with one per-replica value per device."""
    n_local = len(self.local_devices)
    if axis == 0 and isinstance(x, Array) and self.inner == 1 and n_local == len(self.devices):
      layout = x._buf._sharding
      if layout is self.local_sharding or layout == self.local_sharding:
        return x._buf   # already laid out as pmap wants: no copy
    from jaxlite.runtime import transfer   # here: the steady path above imports nothing
    if isinstance(x, Array):
      host = x._value
      weak = x.weak_type
    else:
      aval = core.get_aval(x)
      host = np.asarray(x, aval.dtype)
      weak = aval.weak_type
    if axis is None:
      slices = [host] * self.local_size
    else:
      host = np.moveaxis(host, axis, 0)
      slices = list(host)
    per_device = [s for s in slices for _ in range(self.inner)]
    stacked = transfer._stacked_array(per_device, weak, self.local_devices) \
        if n_local > 1 else None
    if n_local == len(self.devices):
      if stacked is None:
        return transfer.put_numpy(per_device[0], self.local_devices[0], weak)._buf
      return stacked._buf
    # Multi-process: a global array assembled from this process's shards.
    from jaxlib import xla_client as xc
    shards = stacked._shards if stacked is not None else \
        [transfer.put_numpy(per_device[0], self.local_devices[0], weak)._buf]
    inner = per_device[0]
    global_aval = ShapedArray((len(self.devices),) + inner.shape, inner.dtype, weak)
    return xc.ArrayImpl(global_aval, self.global_sharding, shards, True, _skip_checks=True)

  # -- call --

  def call(self, args) -> list:
    if self.leading_axes_only:
      # The steady state: every argument already laid out as the program
      # takes it, and live (one pass; the launch need not look again).
      layout = self.local_sharding
      bufs = []
      append = bufs.append
      for x in args:
        if type(x) is not Array:
          break
        buf = x._buf
        if buf._sharding is not layout or buf.is_deleted():
          break
        append(buf)
      else:
        # Bounded launches: XLA's CPU client deadlocks when they run too far ahead.
        results = inflight.launch(self.loaded, bufs, checked=True).consume_with_handlers(
            self.handlers)
        return arrays_of(results, self.out_global_avals)
      bufs = [self._shard_input(x, 0) for x in args]
      results = inflight.launch(self.loaded, bufs).consume_with_handlers(self.handlers)
      return arrays_of(results, self.out_global_avals)
    bufs = [self._shard_input(x, ax) for x, ax in zip(args, self.in_axes)]
    results = inflight.launch(self.loaded, bufs).consume_with_handlers(self.handlers)
    outs = [Array(r, a) for r, a in zip(results, self.out_global_avals)]
    return [self._finish_output(o, ax) for o, ax in zip(outs, self.out_axes)]

  def _finish_output(self, out, axis):
    if self.inner == 1 and axis == 0:
      return out   # the steady case: as the devices laid it out
    from jaxlite.runtime import transfer
    if self.inner > 1:
      # Each outer slice is replicated over `inner` devices: keep one of each.
      host = out._value[::self.inner]
      out = transfer.device_put_sharded(list(host), list(self.local_devices[::self.inner])) \
          if len(host) > 1 else transfer.put_numpy(host, self.local_devices[0], out.weak_type)
    if axis == 0:
      return out
    host = out._value
    if axis is None:
      return transfer.put_numpy(host[0], None, out.weak_type)
    return transfer.put_numpy(np.moveaxis(host, 0, axis), None, out.weak_type)


# Every live pmapped function, so that clear_caches reaches their caches.
_live_pmapped: "weakref.WeakSet[PmapFunction]" = weakref.WeakSet()
_trace_cache = config._trace_cache   # the per-thread trace context (config.trace_context)
_MAX_ENTRIES_PER_FUNCTION = 4096
_get_aval = operator.attrgetter("aval")


@caches.register
def _clear_pmap_caches():
  _PmapExecutable._by_jaxpr.clear()
  for pmapped in list(_live_pmapped):
    pmapped._cache.clear()
    pmapped._staged.clear()
    pmapped._fast = None


def _too_many_replicas(name, needed, available):
  return (f"compiling computation `{name}` that requires {needed} replicas, but only "
          f"{available} XLA devices are available on backend {backend.default_backend()}.")


class PmapFunction:
  """A function mapped over devices; see ``jaxlite.pmap``."""

  def __init__(self, fun, axis_name, in_axes, out_axes, static_broadcasted_argnums, devices,
               backend_name, axis_size, donate_argnums):
    api_util.check_callable(fun)
    self.fun = fun
    self.axis_name = axis_name if axis_name is not None else object()
    # The staged (shard_map) form names its mesh axis as JAX does.
    self.mesh_axis_name = axis_name if axis_name is not None else \
        pmap_staging.DEFAULT_AXIS_NAME
    self.in_axes = in_axes
    self.out_axes = out_axes
    self.static_argnums = api_util.normalize_argnums(static_broadcasted_argnums,
                                                     argname="static_broadcasted_argnums")
    self.devices = tuple(devices) if devices is not None else None
    self.backend = backend_name
    self.axis_size = axis_size
    self.donate_argnums = api_util.normalize_argnums(donate_argnums, argname="donate_argnums")
    self.name = api_util.fun_name(fun)
    self._cache: dict = {}
    self._staged: dict = {}   # traced calls' jitted shard_maps (see _staged_call)
    # The last eager call's signature and executable (see __call__); None until
    # an eager call of flat Array arguments, and after jaxlite.clear_caches.
    self._fast = None
    self._lock = threading.RLock()
    _live_pmapped.add(self)
    self.__wrapped__ = fun
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
      try:
        setattr(self, attr, getattr(fun, attr))
      except AttributeError:
        pass

  def __call__(self, *args, **kwargs):
    # An API boundary (see jaxlite.traceback_util), filtered in its own try
    # (a decorator's frame would cost every call).
    try:
      fast = self._fast
      # (The trace context and no staging trace in this thread: one
      # process-wide number while no thread holds a scoped option or stages,
      # see config.dispatch_epoch; else the full test.)
      if fast is not None and not kwargs and (_dispatch_epoch[0] == fast[6] or (
          fast[2] is _trace_cache.context and fast[3] == config._generation and (
              not _staging[0] or core._thread_state.dynamic_main.level == 0))):
        # The eager hot path: the same argument structure and types as the
        # last eager call (so the same in_axes, mapped size and cache entry)
        # run its executable directly. The last call's C++ treedef (built-in
        # containers only) flattens the arguments up to its structure,
        # raising on any other; the avals compare by identity first.
        try:
          leaves = fast[0].flatten_up_to(args)
        except Exception:  # noqa: BLE001 - another structure: the general path
          leaves = None
        if leaves is not None:
          for x, aval in zip(leaves, fast[1]):
            if type(x) is not Array or (x.aval is not aval and x.aval != aval):
              break
          else:
            return fast[5](fast[4].call(leaves))
      return self._call(args, kwargs)
    except Exception as e:
      traceback_util.filter_exception(e, sys._getframe())
      raise

  def _call(self, args, kwargs):
    dyn_args, statics, flat_args, in_tree, in_axes_flat, avals, size = \
        self._prepare(args, kwargs)
    per_replica = [a if ax is None else
                   a.update(shape=tuple(s for d, s in enumerate(a.shape) if d != ax))
                   for a, ax in zip(avals, in_axes_flat)]
    tracing = core._thread_state.dynamic_main.level != 0 or any(
        isinstance(x, core.Tracer) for x in flat_args)
    if tracing:
      body = pmap_staging.innermost_body()
      if body == "mesh":
        raise pmap_staging.NestedPmap()
      if body is None:
        # Traced: staged as JAX 0.10.2 does, a jitted shard_map; a nested pmap
        # in the body makes it fall back to an xla_pmap (see pmap_staging).
        try:
          return self._staged_call(dyn_args, kwargs, statics, flat_args, in_tree,
                                   in_axes_flat, size)
        except pmap_staging.NestedPmap:
          pass
    global_size = size if tracing or self.devices is not None else \
        size * backend.process_count()
    key = (in_tree, tuple(per_replica), tuple(in_axes_flat), statics, global_size,
           config.trace_context())
    entry = self._cache.get(key)
    if entry is None:
      with self._lock:
        entry = self._cache.get(key)
        if entry is None:
          entry = self._trace(dyn_args, kwargs, statics, in_tree, per_replica, global_size)
          if len(self._cache) >= _MAX_ENTRIES_PER_FUNCTION:
            self._cache.clear()   # bounded: what is used again is retraced
          self._cache[key] = entry
    closed, consts, out_tree, out_axes_flat = entry[:4]
    if tracing or consts:
      outs = pmap_p.bind(*consts, *flat_args, jaxpr=closed, axis_name=self.axis_name,
                         axis_size=size, in_axes=(None,) * len(consts) + tuple(in_axes_flat),
                         out_axes=tuple(out_axes_flat), name=self.name)
      return tree_util.tree_unflatten(out_tree, outs)
    exe = entry[4]
    if exe is None:
      with self._lock:
        exe = entry[4]
        if exe is None:
          exe = self._compile(closed, in_axes_flat, out_axes_flat, size, global_size)
          entry[4] = exe
    if not kwargs and not statics and all(type(x) is Array for x in flat_args):
      self._remember_fast(args, flat_args, exe, out_tree)
    return tree_util.tree_unflatten(out_tree, exe.call(flat_args))

  def _prepare(self, args, kwargs):
    """The call's dynamic and static arguments, its flat arguments and their
    structure, each one's mapped axis (None: broadcast) and aval, and the
    mapped size; raises JAX's errors for arguments pmap cannot map."""
    for i in self.static_argnums:
      if i >= len(args):
        raise ValueError(f"pmapped function has static_broadcasted_argnums="
                         f"{self.static_argnums} but was called with only {len(args)} "
                         f"positional argument{'s' if len(args) > 1 else ''}. All static "
                         "broadcasted arguments must be passed positionally.")
    dyn_args = tuple(a for i, a in enumerate(args) if i not in self.static_argnums)
    statics = tuple((i, a) for i, a in enumerate(args) if i in self.static_argnums)
    for i, a in statics:
      try:
        hash(a)
      except TypeError:
        raise ValueError(
            "Non-hashable static arguments are not supported, as this can lead to "
            f"unexpected cache-misses. Static argument (index {i}) of type {type(a)} for "
            f"function {self.name} is non-hashable.") from None
    flat_args, in_tree = tree_util.tree_flatten((dyn_args, kwargs))
    in_axes_tree = self.in_axes
    if isinstance(in_axes_tree, list):
      in_axes_tree = tuple(in_axes_tree)
    if isinstance(in_axes_tree, tuple) and statics:
      in_axes_tree = tuple(a for i, a in enumerate(in_axes_tree) if i not in self.static_argnums)
    if isinstance(in_axes_tree, tuple) and len(in_axes_tree) != len(dyn_args):
      raise _in_axes_error(in_axes_tree, dyn_args, kwargs)
    try:
      in_axes_flat = flatten_axes("pmap in_axes", in_tree, (in_axes_tree, 0))
    except ValueError:
      raise _in_axes_error(in_axes_tree, dyn_args, kwargs) from None
    avals = [core.raise_to_shaped(core.get_aval(x)) for x in flat_args]
    for ax, a in zip(in_axes_flat, avals):
      if ax is not None and not -a.ndim <= ax < a.ndim:
        raise IndexError("tuple index out of range")   # JAX 0.10.2's: it indexes the shape
    in_axes_flat = [None if ax is None else ax % max(a.ndim, 1)
                    for ax, a in zip(in_axes_flat, avals)]
    size = self._mapped_size(flat_args, avals, in_axes_flat, dyn_args)
    if size == 0:
      # No devices to map over (JAX raises a ValueError here too, about the
      # empty mesh its pmap would build).
      raise ValueError("pmap got a mapped axis of size 0: there must be at least one "
                       "device to map over.")
    return dyn_args, statics, flat_args, in_tree, in_axes_flat, avals, size

  def _remember_fast(self, args, flat_args, exe, out_tree):
    """Keeps this eager call's signature and executable for the hot path of
    ``__call__``, when jaxlib's C++ flatten finds exactly these leaves."""
    from jaxlite.interpreters import pjit   # pylint: disable=g-import-not-at-top
    flatten = pjit._cpp_pytree_flatten()
    leaves, treedef = flatten(args)
    if len(leaves) != len(flat_args) or any(a is not b for a, b in zip(leaves, flat_args)):
      return
    unflatten = pjit._cpp_unflattener(out_tree)
    if unflatten is None:
      unflatten = partial(tree_util.tree_unflatten, out_tree)
    epoch = memo_epoch()   # before the context: an update in between misses
    # One tuple, replaced whole: a thread reading it never sees a torn one.
    self._fast = (treedef, tuple(map(_get_aval, flat_args)), config.trace_context(),
                  config._generation, exe, unflatten, epoch)

  def _mapped_size(self, flat_args, avals, in_axes_flat, dyn_args):
    sizes = {}
    for i, (a, ax) in enumerate(zip(avals, in_axes_flat)):
      if ax is None:
        continue
      sizes.setdefault(a.shape[ax], []).append(f"axis {ax} of argument {i} of type "
                                               f"{a.str_short()}")
    if not sizes:
      raise ValueError("pmap requires at least one argument with a mapped axis.")
    if len(sizes) > 1:
      _check_divisible(avals, in_axes_flat)
      lines = "\n".join(f"  * one axis had size {s}: {', '.join(d)}" for s, d in sizes.items())
      raise ValueError(f"pmap got inconsistent sizes for array axes to be mapped:\n{lines}")
    size = next(iter(sizes))
    if self.axis_size is not None and self.axis_size != size and backend.process_count() == 1:
      raise ValueError(f"Specified axis_size {self.axis_size} doesn't match received "
                       f"axis_size {size}.")
    return size

  def _with_statics(self, statics, num_dyn):
    """``self.fun`` of the dynamic arguments only, the static ones bound."""
    if not statics:
      return self.fun
    static_map = dict(statics)
    nargs = num_dyn + len(statics)

    def fun(*dyn, **kw):
      it = iter(dyn)
      return self.fun(*[static_map[i] if i in static_map else next(it)
                        for i in range(nargs)], **kw)
    return fun

  def _staged_call(self, dyn_args, kwargs, statics, flat_args, in_tree, in_axes_flat, size):
    """Calls the jitted shard_map JAX 0.10.2 stages for this pmap."""
    return self._staged_function(dyn_args, statics, flat_args, in_tree, in_axes_flat,
                                 size, with_shardings=False)(*flat_args)

  def _staged_function(self, dyn_args, statics, flat_args, in_tree, in_axes_flat, size,
                       with_shardings):
    """The jitted shard_map JAX 0.10.2 stages for this pmap (one per argument
    structure, kept so that its jit caches its traces); ``with_shardings``:
    the one with the mesh's in and out shardings, which JAX lowers."""
    devices = self._mesh_devices(size)
    key = (in_tree, tuple(in_axes_flat), statics, devices, with_shardings)
    staged = self._staged.get(key)
    if staged is None:
      with self._lock:
        staged = self._staged.get(key)
        if staged is None:
          staged = pmap_staging.staged_function(
              self._with_statics(statics, len(dyn_args)), in_tree, in_axes_flat,
              self.out_axes, self.mesh_axis_name, devices,
              self._donated_flat(dyn_args, statics, flat_args),
              with_shardings=with_shardings)
          if len(self._staged) >= _MAX_ENTRIES_PER_FUNCTION:
            self._staged.clear()
          self._staged[key] = staged
    return staged

  def _donated_flat(self, dyn_args, statics, flat_args) -> list:
    """Per flat argument, whether ``donate_argnums`` donates it (keyword
    arguments, which follow the positional ones, never are)."""
    donated = []
    if self.donate_argnums:
      dyn_positions = [i for i in range(len(dyn_args) + len(statics))
                       if i not in self.static_argnums]
      for pos, arg in zip(dyn_positions, dyn_args):
        donated += [pos in self.donate_argnums] * len(tree_util.tree_leaves(arg))
    return donated + [False] * (len(flat_args) - len(donated))

  def _mesh_devices(self, size):
    """The devices of a staged pmap's mesh: ``devices=`` or the first ``size``."""
    if self.devices is not None:
      return self.devices
    if backend.process_count() > 1:
      return tuple(backend.local_devices()[:size])
    return tuple(backend.devices()[:size])

  def _trace(self, dyn_args, kwargs, statics, in_tree, per_replica, global_size):
    fun = self._with_statics(statics, len(dyn_args))
    flat_fun, out_tree = api_util.flatten_fun(fun, in_tree)
    with core.extend_axis_env(self.axis_name, global_size, None), \
        pmap_staging.tracing_body("replicas"):
      jaxpr, out_avals, consts = pe.trace_to_jaxpr_dynamic(
          flat_fun, per_replica, debug_info=(self.name, None, "pmap"))
    closed = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), [])
    out_axes_flat = flatten_axes("pmap out_axes", out_tree.val, self.out_axes)
    out_axes_flat = [None if ax is None else ax % (a.ndim + 1)
                     for ax, a in zip(out_axes_flat, out_avals)]
    return [closed, list(consts), out_tree.val, out_axes_flat, None]

  def _compile(self, closed, in_axes_flat, out_axes_flat, size, global_size):
    inner = jaxpr_replicas(closed.jaxpr)
    if self.devices is not None:
      devices = self.devices
      local = [d for d in devices if d.process_index == backend.process_index()]
      if len(local) * inner != size * inner or len(devices) != global_size * inner:
        raise ValueError(f"Leading axis size of input to pmapped function must equal the "
                         f"number of local devices passed to pmap. Got axis_size={size}, "
                         f"num_local_devices={len(local)}.")
    else:
      all_devices = backend.devices()
      needed = global_size * inner
      if needed > len(all_devices):
        raise ValueError(_too_many_replicas(self.name, needed, len(all_devices)))
      if global_size == size:
        devices = backend.local_devices()[:needed] if needed <= backend.local_device_count() \
            else all_devices[:needed]
      else:
        devices = sorted(all_devices, key=lambda d: (d.process_index, d.id))[:needed]
    return _PmapExecutable(closed, self.axis_name, global_size, in_axes_flat, out_axes_flat,
                           self.name, devices, size)

  def lower(self, *args, **kwargs):
    """The pmap lowered as JAX 0.10.2 lowers it: its jitted ``shard_map`` over
    a one-axis mesh of the devices, with the mesh's in and out shardings (the
    eager call runs XLA replicas; ``xla_computation`` with ``axis_env`` shows
    that program). ``.compile()`` gives a program of the global arrays.

    Example:
      >>> import numpy as np, jaxlite
      >>> f = jaxlite.pmap(lambda x: x * 2.0, axis_name='i')
      >>> text = f.lower(np.ones((1, 3), np.float32)).as_text()
      >>> 'sdy.manual_computation' in text
      True
    """
    from jaxlite import stages
    dyn_args, statics, flat_args, in_tree, in_axes_flat, avals, size = \
        self._prepare(args, kwargs)
    staged = self._staged_function(dyn_args, statics, flat_args, in_tree, in_axes_flat,
                                   size, with_shardings=True)
    lowered = staged.trace(*flat_args).lower()
    args_info = stages.make_args_info(in_tree, avals,
                                      self._donated_flat(dyn_args, statics, flat_args))
    return stages.Lowered(lowered._lowering, args_info, lowered.out_tree,
                          no_kwargs=lowered._no_kwargs)


traceback_util.register_boundary(PmapFunction.__call__)


def pmap(fun: Callable, axis_name=None, *, in_axes=0, out_axes=0,
         static_broadcasted_argnums=(), devices=None, backend=None, axis_size=None,
         donate_argnums=(), global_arg_shapes=None) -> PmapFunction:
  """Parallel map with support for collective operations.

  ``fun`` is compiled once (like ``jit``) and run as one replica per device;
  collectives such as ``lax.psum(x, axis_name)`` communicate between them.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> out = jaxlite.pmap(lambda x: x ** 2)(jnp.arange(jaxlite.local_device_count()))
    >>> out.shape == (jaxlite.local_device_count(),)
    True
  """
  del global_arg_shapes
  if devices is not None and not devices:
    raise ValueError("'devices' argument to pmap must be non-empty, or None.")
  for what, tree in (("in_axes", in_axes), ("out_axes", out_axes)):
    if not all(type(leaf) is int for leaf in tree_util.tree_leaves(tree)):
      raise TypeError(f"pmap {what} must be an int, None, or (nested) container with those "
                      f"types as leaves, but got {tree}.")
  return PmapFunction(fun, axis_name, in_axes, out_axes, static_broadcasted_argnums,
                      devices, backend, axis_size, donate_argnums)


# --- lowering the collectives of jaxlite.lax.parallel to cross-replica ops ----------------------


collectives.register()


# --- differentiating through pmap: the body's JVP, split and transpose, mapped ----------------


def _pmap_params(params, **updates):
  out = dict(params)
  out.update(updates)
  return out


def _pmap_jvp(primals, tangents, **params):
  from jaxlite.interpreters import ad
  jaxpr, in_axes, out_axes = params["jaxpr"], params["in_axes"], params["out_axes"]
  nonzeros = [type(t) is not ad.Zero for t in tangents]
  with core.extend_axis_env(params["axis_name"], params["axis_size"], None):
    jvp_closed, out_nonzeros = ad.jvp_jaxpr(jaxpr, nonzeros, instantiate=False)
  nz_tangents = [t for t in tangents if type(t) is not ad.Zero]
  nz_axes = tuple(ax for ax, nz in zip(in_axes, nonzeros) if nz)
  nz_out_axes = tuple(ax for ax, nz in zip(out_axes, out_nonzeros) if nz)
  outs = pmap_p.bind(*primals, *nz_tangents, **_pmap_params(
      params, jaxpr=jvp_closed, in_axes=tuple(in_axes) + nz_axes,
      out_axes=tuple(out_axes) + nz_out_axes))
  n = len(jaxpr.out_avals)
  out_primals, nz_out = outs[:n], iter(outs[n:])
  out_avals = _pmap_abstract_eval(*[core.get_aval(p) for p in primals], **params)
  out_tangents = [next(nz_out) if nz else ad.Zero(ad.tangent_aval(a))
                  for nz, a in zip(out_nonzeros, out_avals)]
  return out_primals, out_tangents


def _pmap_transpose(cts, *args, **params):
  from jaxlite.interpreters import ad
  jaxpr, in_axes, out_axes = params["jaxpr"], params["in_axes"], params["out_axes"]
  axis_name, axis_size = params["axis_name"], params["axis_size"]
  linear = [ad.is_undefined_primal(a) for a in args]
  if all(type(c) is ad.Zero for c in cts):
    return [ad.Zero(a.aval) if l else None for a, l in zip(args, linear)]
  with core.extend_axis_env(axis_name, axis_size, None):
    trans = ad.transpose_jaxpr(jaxpr, linear)
  lin_axes = [ax for ax, l in zip(in_axes, linear) if l]
  if any(ax is None for ax in lin_axes):
    # A broadcast input's cotangent is the sum of every replica's.
    from jaxlite.lax import parallel

    def summed(*xs):
      outs = core.eval_jaxpr(trans.jaxpr, trans.consts, *xs)
      return [parallel.psum(o, axis_name) if ax is None else o
              for o, ax in zip(outs, lin_axes)]
    with core.extend_axis_env(axis_name, axis_size, None):
      body, _, consts = pe.trace_to_jaxpr_dynamic(summed, trans.in_avals)
    trans = ClosedJaxpr(pe.convert_constvars_jaxpr(body), [])
    res_consts = list(consts)
  else:
    res_consts = []
  res = [a for a, l in zip(args, linear) if not l]
  res_axes = tuple(ax for ax, l in zip(in_axes, linear) if not l)
  cts = [ad.instantiate_zeros(c) for c in cts]
  outs = iter(pmap_p.bind(*res_consts, *res, *cts, **_pmap_params(
      params, jaxpr=trans, name=f"transpose({params['name']})",
      in_axes=(None,) * len(res_consts) + res_axes + tuple(out_axes),
      out_axes=tuple(lin_axes))))
  return [next(outs) if l else None for l in linear]


def _pmap_partial_eval(trace, tracers, **params):
  """Splits a pmap into a known pmap (run now, its residuals stacked one per
  replica) and an unknown one (staged), as jit's rule does for jit."""
  from jaxlite.interpreters import ad
  jaxpr, in_axes, out_axes = params["jaxpr"], params["in_axes"], params["out_axes"]
  unknowns = [not trace.is_known(t) for t in tracers]
  known_vals = [trace.known_value(t) for t, u in zip(tracers, unknowns) if not u]
  with core.extend_axis_env(params["axis_name"], params["axis_size"], None):
    known, staged, out_unknowns, num_res = ad._split_jit_jaxpr(jaxpr, tuple(unknowns))
  known_in_axes = tuple(ax for ax, u in zip(in_axes, unknowns) if not u)
  known_out_axes = tuple(ax for ax, u in zip(out_axes, out_unknowns) if not u) + \
      (0,) * num_res
  known_outs = pmap_p.bind(*known_vals, **_pmap_params(
      params, jaxpr=known, in_axes=known_in_axes, out_axes=known_out_axes))
  n_known = len(known_outs) - num_res
  residuals = known_outs[n_known:]
  staged_in_axes = (0,) * num_res + tuple(ax for ax, u in zip(in_axes, unknowns) if u)
  staged_out_axes = tuple(ax for ax, u in zip(out_axes, out_unknowns) if u)
  staged_outs = trace.stage(
      pmap_p, [trace.pure(r) for r in residuals] + [t for t, u in zip(tracers, unknowns) if u],
      _pmap_params(params, jaxpr=staged, in_axes=staged_in_axes, out_axes=staged_out_axes))
  known_it, staged_it = iter(known_outs[:n_known]), iter(staged_outs)
  return [next(staged_it) if u else next(known_it) for u in out_unknowns]


def _register_pmap_ad_rules():
  from jaxlite.interpreters import ad
  ad.primitive_jvps[pmap_p] = _pmap_jvp
  ad.primitive_transposes[pmap_p] = _pmap_transpose
  pe.partial_eval_rules[pmap_p] = _pmap_partial_eval


_register_pmap_ad_rules()


def _check_divisible(avals, in_axes_flat):
  """JAX 0.10.2 places every argument on a mesh as large as the first mapped
  size before it compares sizes: one that does not divide raises its
  IndivisibleError (a ValueError), where there are devices enough."""
  from jaxlite.sharding.shardings import IndivisibleError  # pylint: disable=g-import-not-at-top
  mapped = [(a, ax) for a, ax in zip(avals, in_axes_flat) if ax is not None]
  n = mapped[0][0].shape[mapped[0][1]]
  if not 0 < n <= len(backend.local_devices()):
    return
  for a, ax in mapped:
    if a.shape[ax] % n:
      tiles = [n if d == ax else 1 for d in range(a.ndim)]
      raise IndivisibleError(
          f"Sharding NamedSharding(mesh=Mesh('_internal_pmap_axis_name': {n}, "
          "axis_types=(Auto,)), spec=P('_internal_pmap_axis_name',), memory_kind=device) "
          f"implies that array axis {ax} is partitioned {n} times, but the dimension size "
          f"is {a.shape[ax]} (full shape: {a.shape}, per-dimension tiling factors: {tiles} "
          "should evenly divide the shape)")


# What JAX 0.10.2's jax.interpreters.pxla says of the pmap internals it removed.
def _removed_names():
  table = {name: (f"jax.interpreters.pxla.{name} was removed in JAX v0.10.0.", None)
           for name in ("MapTracer", "PmapExecutable", "parallel_callable", "shard_args")}
  table.update({name: (f"jax.interpreters.pxla.{name} was removed in JAX v0.10.0. Please use "
                       "`jax.shard_map` instead of `jax.pmap`.", None)
                for name in ("Chunked", "NoSharding", "Replicated", "ShardedAxis",
                             "ShardingSpec", "Unstacked", "spec_to_indices")})
  return table


from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402
__getattr__ = _deprecation_getattr(__name__, _removed_names)
