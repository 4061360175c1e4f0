"""SPMD programs: ``jit`` over arrays split across devices.

A jitted function whose inputs are sharded (or that was given
``in_shardings`` / ``out_shardings``) is lowered once per input layout to a
StableHLO module with Shardy annotations, as JAX 0.10.2 emits them: a
``sdy.mesh @mesh`` and a ``sdy.sharding`` on each argument and each result
whose sharding is fixed. XLA's SPMD partitioner splits the program over the
mesh's devices and inserts the collectives; jaxlite never splits programs.
The compiled program runs on arrays that hold one buffer per device, and
its results' shardings are read back from the executable.

Example:
  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> x = jaxlite.device_put(jnp.arange(4.0), NamedSharding(mesh, P('x')))
  >>> jaxlite.jit(lambda v: v * 2)(x).sharding.spec
  P('x',)
"""
from __future__ import annotations

import copy
import functools
import itertools
import math
import operator
import threading

import numpy as np

from jaxlite import api_util, core
from jaxlite.config import mesh_context
from jaxlite.core import ClosedJaxpr, Jaxpr, JaxprEqn, ShapedArray, Var
from jaxlite.interpreters import output_builders
from jaxlite.runtime.array import Array, arrays_of
from jaxlite.runtime import inflight, sharded
from jaxlite.sharding import mesh as mesh_lib
from jaxlite.sharding.partition_spec import UNCONSTRAINED, PartitionSpec
from jaxlite.sharding.shardings import (NamedSharding, SingleDeviceSharding,
                                        hlo_shardings_equal)


def _xc():
  from jaxlib import xla_client as xc  # pylint: disable=g-import-not-at-top
  return xc


_get_layout = operator.attrgetter("_buf._sharding")
_get_buf = operator.attrgetter("_buf")
_get_aval = operator.attrgetter("aval")
_EAGER_ARG_NAMES = ("x", "y")   # how JAX names an eager op's operands in its errors
# jaxlib's getter of ``ArrayImpl._sharding`` itself, once a call needs it:
# mapped over buffers, it skips the property lookup that an attrgetter pays
# on each one (~230 instructions a buffer).
_get_sharding = None


def _load_sharding_getter():
  global _get_sharding
  _get_sharding = _xc().ArrayImpl._sharding.fget
  return _get_sharding


# --- shardings given by the user ----------------------------------------------------


def missing_mesh_error(api_name: str, what: str) -> RuntimeError:
  """JAX's error for a bare PartitionSpec given to ``api_name``'s ``what`` with no mesh.

  >>> missing_mesh_error("jit", "in_shardings").args[0][:43]
  'jit requires a non-empty mesh in context if'
  """
  return RuntimeError(
      f"{api_name} requires a non-empty mesh in context if you are passing "
      f"`PartitionSpec`s to {what}. You can define a context mesh via "
      "`jax.set_mesh(mesh)`. Alternatively, provide `Sharding`s to "
      f"{what} and then the mesh context manager is not required.")


def resolve_sharding(s, what="in_shardings", api_name="jit", resource_env=False):
  """A Sharding from a Sharding, or from a PartitionSpec over the context mesh
  (``set_mesh``'s; with ``resource_env``, also the deprecated ``with mesh:``
  block's, as JAX's ``with_sharding_constraint`` and ``pjit``); None stays None.

  As JAX 0.10.2's jit, ``with mesh:`` alone is no context mesh for bare specs:
  JAX's RuntimeError (device_put: its ValueError).

  >>> resolve_sharding(None) is None
  True
  """
  if s is None or hasattr(s, "_to_xla_hlo_sharding"):
    return s
  if isinstance(s, PartitionSpec):
    mesh = mesh_lib.get_concrete_mesh()
    if mesh.empty and resource_env:
      mesh = mesh_lib.thread_resource_mesh()
    if mesh.empty:
      if api_name == "device_put":
        raise ValueError("Please set a mesh via `jax.set_mesh` if a PartitionSpec is "
                         f"passed to {api_name}")
      raise missing_mesh_error(api_name, what)
    return NamedSharding(mesh, s)
  raise TypeError(f"`{what}` expects a `jax.sharding.Sharding`, a PartitionSpec or "
                  f"None, got {s!r} of type {type(s)}")


# --- Shardy annotations ------------------------------------------------------------------

MESH_SYMBOL = "mesh"
EMPTY_MESH_SYMBOL = "empty_mesh"


def _sdy_dims(spec: PartitionSpec, ndim: int, mesh) -> list:
  dims = []
  partitions = list(spec.partitions) + [None] * (ndim - len(spec.partitions))
  for entry in partitions:
    if entry is UNCONSTRAINED:
      dims.append("{?}")
      continue
    names = () if entry is None else entry if isinstance(entry, tuple) else (entry,)
    dims.append("{" + ", ".join(f'"{n}"' for n in names) + "}")
  return dims


def sdy_sharding_text(sharding, ndim: int) -> str:
  """``#sdy.sharding<@mesh, [{"a"}, {}]>`` for a NamedSharding over the program's mesh.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> m = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> sdy_sharding_text(NamedSharding(m, P('x')), 2)
  '#sdy.sharding<@mesh, [{"x"}, {}]>'
  """
  dims = _sdy_dims(sharding.spec, ndim, sharding.mesh)
  extra = ""
  if sharding.spec.unreduced:
    extra = ", unreduced={" + ", ".join(
        f'"{n}"' for n in sharding.mesh.axis_names if n in sharding.spec.unreduced) + "}"
  return f"#sdy.sharding<@{MESH_SYMBOL}, [{', '.join(dims)}]{extra}>"


def stablehlo_mesh_text(mesh) -> str:
  """The ``stablehlo.mesh`` attribute of a module's ``sdy.mesh``, as JAX emits it.

  >>> from jaxlite.sharding import AbstractMesh
  >>> stablehlo_mesh_text(AbstractMesh((2,), ('i',)))
  '{axes = [{name = "i", size = 2 : i64}]}'
  """
  axes = ", ".join(f'{{name = "{n}", size = {s} : i64}}'
                   for n, s in zip(mesh.axis_names, mesh.axis_sizes))
  return f"{{axes = [{axes}]}}"


def sdy_mesh_text(mesh) -> str:
  axes = ", ".join(f'"{n}"={s}' for n, s in zip(mesh.axis_names, mesh.axis_sizes))
  return f"<[{axes}]>"


class SpmdAnnotations:
  """What ``mlir.lower_jaxpr_to_module`` adds to an SPMD module: the mesh and
  the arguments' (all known) and results' (None: left to propagation) shardings."""

  def __init__(self, mesh, in_shardings, out_shardings, in_avals, out_avals):
    self.mesh = mesh
    self.in_shardings = in_shardings
    self.out_shardings = out_shardings
    self.in_avals = in_avals
    self.out_avals = out_avals

  def per_device_view(self):
    """What donation planning reads (``jaxlite.interpreters.donation.plan``):
    the arguments' and results' per-device avals and memory kinds, and per
    result whether its sharding is given."""
    def local(aval, sharding):
      if sharding is None or not hasattr(aval, "shape"):
        return aval
      return aval.update(shape=tuple(sharding.shard_shape(tuple(aval.shape))))
    in_avals = [local(a, s) for a, s in zip(self.in_avals, self.in_shardings)]
    out_avals = [local(a, s) for a, s in zip(self.out_avals, self.out_shardings)]
    in_kinds = [getattr(s, "memory_kind", None) for s in self.in_shardings]
    out_kinds = [getattr(s, "memory_kind", None) for s in self.out_shardings]
    known = [s is not None for s in self.out_shardings]
    return in_avals, out_avals, in_kinds, out_kinds, known

  def add_to_module(self, module_context, arg_attrs, n_in, n_out):
    from jaxlite.interpreters import mlir  # pylint: disable=g-import-not-at-top
    ir = mlir.mlir().ir
    module_context.spmd_mesh = self.mesh   # read by lowering rules (inspect_sharding)
    with ir.InsertionPoint(module_context.module.body):
      mesh_op = mlir.mlir().sdy.MeshOp(MESH_SYMBOL,
                                       ir.Attribute.parse("#sdy.mesh" + sdy_mesh_text(self.mesh)))
    # The mesh again as StableHLO's own attribute, which JAX's modules carry too.
    mesh_op.attributes["stablehlo.mesh"] = ir.Attribute.parse(stablehlo_mesh_text(self.mesh))
    arg_attrs = arg_attrs or [{} for _ in range(n_in)]
    empty_mesh_declared = False
    for attrs, s, aval in zip(arg_attrs, self.in_shardings, self.in_avals):
      if s is not None:
        attrs["sdy.sharding"] = ir.Attribute.parse(sdy_sharding_text(s, len(aval.shape)))
      elif not aval.shape:
        # An unspecified scalar: as JAX's, replicated over an empty mesh
        # (other unspecified arguments carry nothing: XLA's propagation
        # decides their layout).
        if not empty_mesh_declared:
          with ir.InsertionPoint.after(mesh_op):
            empty = mlir.mlir().sdy.MeshOp(EMPTY_MESH_SYMBOL,
                                           ir.Attribute.parse("#sdy.mesh<[]>"))
          empty.attributes["stablehlo.mesh"] = ir.Attribute.parse("{axes = []}")
          empty_mesh_declared = True
        attrs["sdy.sharding"] = ir.Attribute.parse(f"#sdy.sharding<@{EMPTY_MESH_SYMBOL}, []>")
    result_attrs = []
    for s, aval in zip(self.out_shardings, self.out_avals):
      attrs = {"jax.result_info": ir.StringAttr.get("result")}
      if s is not None:
        attrs["sdy.sharding"] = ir.Attribute.parse(sdy_sharding_text(s, len(aval.shape)))
      result_attrs.append(attrs)
    return arg_attrs, result_attrs


# --- from XLA's output shardings back to NamedShardings -------------------------------------


def named_sharding_from_hlo(mesh, hlo, ndim: int, memory_kind=None):
  """The NamedSharding over ``mesh`` whose HLO sharding is ``hlo`` (trailing
  None entries dropped, as JAX's specs of jit results are)."""
  xc = _xc()
  if hlo.is_replicated() or (hlo.is_tiled() and all(
      n == 1 for n in hlo.tile_assignment_dimensions()[:ndim])
      and not hlo.subgroup_types() and not hlo.replicate_on_last_tile_dim()):
    return NamedSharding(mesh, PartitionSpec(), memory_kind=memory_kind)
  axes = [n for n, s in zip(mesh.axis_names, mesh.axis_sizes) if s > 1]
  # Try each assignment of mesh axes to array dimensions (or to none).
  for choice in itertools.product(range(-1, ndim), repeat=len(axes)):
    for orders in _orders(axes, choice, ndim):
      spec = _spec_from(orders, ndim)
      candidate = NamedSharding(mesh, spec, memory_kind=memory_kind)
      if hlo_shardings_equal(candidate._to_xla_hlo_sharding(ndim), hlo):
        return candidate
  del xc
  raise ValueError(f"jaxlite cannot express the sharding {hlo} over {mesh}")


def _orders(axes, choice, ndim):
  per_dim = [[a for a, c in zip(axes, choice) if c == d] for d in range(ndim)]
  options = [list(itertools.permutations(names)) if len(names) > 1 else [tuple(names)]
             for names in per_dim]
  return itertools.product(*options)


def _spec_from(orders, ndim) -> PartitionSpec:
  entries = [None if not names else names[0] if len(names) == 1 else tuple(names)
             for names in orders]
  while entries and entries[-1] is None:
    entries.pop()
  return PartitionSpec(*entries)


# --- compiled SPMD programs ----------------------------------------------------------------


class SpmdProgram:
  """A jaxpr compiled for a mesh with fixed input shardings."""

  def __init__(self, closed_jaxpr, name, mesh, in_shardings, out_shardings,
               donated=(), kept=None, user_in=None, result_names=None,
               arg_names=None):
    """``kept``: the arguments the program takes (a jit's unused ones left
    out, as JAX's: see ``jit(keep_unused=)``), or None for all; ``call``
    takes every argument's buffer all the same. ``arg_names`` name the
    arguments after the leading constants."""
    from jaxlite.interpreters import mlir  # pylint: disable=g-import-not-at-top
    from jaxlite.runtime import executable  # pylint: disable=g-import-not-at-top
    from jaxlite.runtime import sharding as layouts  # pylint: disable=g-import-not-at-top
    xc = _xc()
    self.mesh = mesh
    self.devices = mesh._flat_devices_tuple
    self.in_shardings = list(in_shardings)
    self.kept = kept
    program_in_shardings = self.in_shardings
    if kept is not None:
      closed_jaxpr, donated, arg_names = mlir.keep_inputs(closed_jaxpr, kept, donated,
                                                          arg_names)
      program_in_shardings = [self.in_shardings[i] for i in kept]
    in_avals = closed_jaxpr.in_avals
    out_avals = closed_jaxpr.out_avals
    # Results whose type carries a sharding (Explicit mesh axes) are laid out so.
    out_shardings = [_type_out_sharding(mesh, a) if s is None else s
                     for s, a in zip(out_shardings, out_avals)]
    annotations = SpmdAnnotations(mesh, program_in_shardings, list(out_shardings),
                                  in_avals, out_avals)
    self.lowered = mlir.lower_jaxpr_to_module(
        closed_jaxpr, name=f"jit_{name}", platform=self.devices[0].platform,
        donated_args=donated or None, num_partitions=len(self.devices), spmd=annotations,
        result_names=result_names, arg_names=arg_names)
    unspecified = [sh is None for sh in program_in_shardings]
    self.loaded = executable.compile_module(
        self.lowered.text, list(self.devices),
        host_callbacks=self.lowered.module_context.host_callbacks,
        module=self.lowered.module, num_partitions=len(self.devices),
        propagate_to_args=unspecified if any(unspecified) else None)
    self.text = self.lowered.text
    self.out_avals = tuple(out_avals)
    memory_kind = next((sh.memory_kind for sh in self.in_shardings if sh is not None), None)
    if any(unspecified):
      # As JAX's: an unspecified argument goes where XLA's propagation put it.
      xla_in = self.loaded.get_parameter_shardings()
      for j, (sh, aval) in enumerate(zip(program_in_shardings, in_avals)):
        if sh is None:
          op = xla_in[j] if xla_in else None
          sh = _replicated(mesh, memory_kind) if op is None else named_sharding_from_hlo(
              mesh, xc.HloSharding.from_proto(op), len(core.physical_aval(aval).shape),
              memory_kind)
          self.in_shardings[kept[j] if kept is not None else j] = sh
    self.out_shardings = []
    xla_out = self.loaded.get_output_shardings()
    if xla_out is None:  # one partition: XLA reports no shardings; every result is whole
      xla_out = [None] * len(out_avals)
    for given, op, aval in zip(out_shardings, xla_out, out_avals):
      if given is None and op is None:
        given = _replicated(mesh, memory_kind)
      elif given is None:
        # XLA reports a key result's sharding over its key data (trailing
        # dimensions never split): the key array's spec is its leading part.
        given = named_sharding_from_hlo(mesh, xc.HloSharding.from_proto(op),
                                        len(core.physical_aval(aval).shape), memory_kind)
        if core.is_extended_aval(aval):
          given = NamedSharding(mesh, PartitionSpec(*tuple(given.spec)[:len(aval.shape)]),
                                memory_kind=given.memory_kind)
        given = _recover_user_sharding(given, len(aval.shape), user_in)
      self.out_shardings.append(given)
    # Each result's type follows where it really lives (sharding in types).
    self.out_avals = out_avals = tuple(sharded._typed(a, s)
                                       for a, s in zip(out_avals, self.out_shardings))
    # A key result (extended dtype) leaves the program as its key data.
    self.handlers = []
    for aval, sharding in zip(out_avals, self.out_shardings):
      physical = core.physical_aval(aval)
      sharding = _key_data_sharding(sharding, len(physical.shape) - len(aval.shape))
      self.handlers.append(xc.array_result_handler(
          physical, layouts.array_layout(sharding, len(physical.shape)), True, True))
    # What makes a jit call's results into its Arrays (see _output_builder),
    # set by the call site on its first call.
    self.build_outputs = None

  def call(self, bufs) -> list:
    if self.kept is not None:   # the arguments the program leaves out
      bufs = [bufs[i] for i in self.kept]
    # Bounded launches: XLA's CPU client deadlocks when they run too far ahead.
    results = inflight.launch(self.loaded, bufs).consume_with_handlers(self.handlers)
    return arrays_of(results, self.out_avals)


def _key_data_sharding(sharding, trailing: int):
  """The sharding of a key array's key data, as JAX 0.10.2 lays it out: the
  key array's spec followed by ``trailing`` unsplit dimensions."""
  if not trailing or not isinstance(sharding, NamedSharding) or sharding.num_devices == 1:
    return sharding
  return NamedSharding(sharding.mesh, PartitionSpec(*sharding.spec, *[None] * trailing),
                       memory_kind=sharding.memory_kind)


def _type_out_sharding(mesh, aval):
  """The sharding a result must have because of its type: its type's spec on a
  mesh with Explicit axes (one entry per dimension, as JAX's ``.sharding`` of
  such results shows: ``P(None, None)`` when nothing splits it); None on Auto
  meshes, where XLA's propagation decides."""
  typed = getattr(aval, "_sharding", None)
  if typed is not None:
    return NamedSharding(mesh, typed.spec)
  if mesh.are_all_axes_explicit:
    return NamedSharding(mesh, PartitionSpec(*[None] * len(aval.shape)))
  return None


def _recover_user_sharding(derived, ndim, user_in):
  """A result laid out as the first user-given argument sharding ``user_in``
  (``(sharding, ndim)``) of the same rank reports that very sharding, as JAX's
  jit does (so ``P('data', None)`` stays so, rather than the ``P('data')`` read
  back from XLA)."""
  if user_in is None:
    return derived
  sharding, in_ndim = user_in
  if (in_ndim == ndim and isinstance(sharding, NamedSharding)
      and sharding.mesh == derived.mesh and derived.is_equivalent_to(sharding, ndim)):
    return sharding
  return derived


def _is_sharded(a) -> bool:
  """Whether ``a`` is an Array laid out over several devices (an abstract
  argument, a ShapeDtypeStruct given to ``lower``, has no layout of its own)."""
  return isinstance(a, Array) and sharded.is_sharded(a)


def abstract_arg_shardings(flat_args) -> list:
  """For ``jit(f).trace/lower`` on ShapeDtypeStructs: each one's multi-device
  ``NamedSharding`` (None for the rest), which then acts as its in_sharding."""
  out = []
  for x in flat_args:
    s = None if isinstance(x, Array) else getattr(x, "sharding", None)
    out.append(s if isinstance(s, NamedSharding) and s._is_concrete
               and len(s.mesh._flat_devices_tuple) > 1 else None)
  return out


def with_abstract_shardings(call_site, flat_args, out_tree, fun_name):
  """A copy of the jit's ``call_site`` (or a new one) whose unset in_shardings
  are the ShapeDtypeStructs' shardings among ``flat_args``; None when they
  give none. The jit's own call site is left as it is."""
  given = abstract_arg_shardings(flat_args)
  if not any(s is not None for s in given):
    return None
  if call_site is None:
    site = JitCallSite(None, None, flat_args, {}, out_tree, fun_name, None)
  else:
    site = copy.copy(call_site)
    site.programs, site.fast, site.moved_consts = {}, {}, {}
    site.last = None
  site.in_shardings = [own if own is not None else s
                       for own, s in zip(site.in_shardings, given)]
  site.given = site.always_handles = True
  return site


def _user_in_sharding(args, in_shardings, moves, shardings):
  """``(sharding, ndim)`` of the first argument whose sharding the user chose
  (a jit in_sharding or the argument's own layout; not an array jaxlite moved
  onto the mesh), or None."""
  for a, given, move, s in zip(args, in_shardings, moves, shardings):
    if given is not None or (move is None and _is_sharded(a)):
      return s, a.ndim
  return None


# --- moving arrays between layouts ----------------------------------------------------------

_reshard_programs: dict = {}
_reshard_lock = threading.Lock()


def _identity_program(aval, source, target):
  key = (aval.shape, aval.dtype, aval.weak_type, source, target)
  program = _reshard_programs.get(key)
  if program is None:
    with _reshard_lock:
      program = _reshard_programs.get(key)
      if program is None:
        if len(_reshard_programs) >= 1024:
          _reshard_programs.clear()
        var = Var(aval)
        closed = ClosedJaxpr(Jaxpr([], [var], [var], []), [])
        program = _reshard_programs[key] = SpmdProgram(
            closed, "reshard", target.mesh, [source], [target])
  return program


def _replicate_to(x: Array, mesh) -> Array:
  """A single-device array copied to every device of ``mesh`` (device to device)."""
  xc = _xc()
  from jaxlite.runtime import sharding as layouts  # pylint: disable=g-import-not-at-top
  replicated = NamedSharding(mesh, PartitionSpec())
  devices = list(mesh._flat_devices_tuple)
  copies = []
  for device in devices:
    if device == x._buf._sharding._internal_device_list[0]:
      copies.append(x._buf)
    else:
      copies.extend(xc.batched_copy_array_to_devices_with_sharding(
          [x._buf], [_device_list((device,))],
          [layouts.single_device_sharding(device)],
          [xc.ArrayCopySemantics.ALWAYS_COPY]))
  return sharded.from_buffers(x.aval, replicated, copies)


def _device_list(devices):
  from jaxlib import _jax  # pylint: disable=g-import-not-at-top
  return _jax.DeviceList(tuple(devices))


def put_array(x: Array, target) -> Array:
  """``x`` laid out by ``target`` (a multi-device sharding), moved device to device.

  Pieces move by a compiled identity program (XLA inserts the slicing and
  collectives) when both layouts span the same devices; a single-device
  array is first copied to every device. Between different device sets the
  data go through the host."""
  x._check_if_deleted()
  sharded.check_shape(target, x.shape)
  source = x.sharding
  if source == target:
    return x
  if isinstance(target, NamedSharding) and target._is_concrete:
    mesh = target.mesh
    if not sharded.is_sharded(x) and len(x._buf._sharding._internal_device_list) == 1:
      x = _replicate_to(x, mesh)
      source = x.sharding
      if source.is_equivalent_to(target, x.ndim):
        return sharded.from_buffers(x.aval, target, sharded.device_buffers(x))
    if (isinstance(source, NamedSharding)
        and source._device_assignment == target._device_assignment):
      if source.is_equivalent_to(target, x.ndim):
        return sharded.from_buffers(x.aval, target, sharded.device_buffers(x))
      source = NamedSharding(mesh, source.spec, memory_kind=source.memory_kind) \
          if source.mesh is not mesh else source
      program = _identity_program(x.aval, source, target)
      return program.call([x._buf])[0]
  return sharded.put_host(np.asarray(x._value), target, x.weak_type)


# --- eager operations on sharded arrays --------------------------------------------------


_eager_programs: dict = {}


_eager_fast: dict = {}   # (primitive, avals, params, argument layouts) -> program
# The steady state, as JAX's C++ dispatch keys it: (primitive, the identities
# of the arguments' avals and layouts, params) -> (program, those avals and
# layouts, kept alive so that no identity in a key is reused).
_eager_by_id: dict = {}
# The steady state of each op: (primitive, params, context mesh) -> (program,
# the avals and layouts of its last arguments).
_eager_last: dict = {}
_EAGER_CACHE_LIMIT = 4096   # entries per cache, as the eager dispatch cache is bounded


def apply_primitive_sharded(primitive, args, params, bufs=None, avals=None, plain=False):
  """An eager primitive with sharded inputs runs as a one-operation SPMD program,
  so the result keeps a sharding as JAX's does.

  ``bufs`` / ``avals``: the arguments' buffers and avals where the caller read
  them; ``plain``: the caller knows no mesh is set by ``set_mesh``."""
  if bufs is None:
    bufs = list(map(_get_buf, args))
    avals = tuple(map(_get_aval, args))
  get_sharding = _get_sharding or _load_sharding_getter()
  # (Tuples: CPython keeps freed short tuples for reuse, lists take two allocations.)
  if len(bufs) == 2:   # a binary op: two calls cost less than a map
    x, y = bufs
    layouts = (get_sharding(x), get_sharding(y))
  else:
    layouts = tuple(map(get_sharding, bufs))
  # The mesh set by set_mesh is part of the keys: it places operands that
  # are on no mesh (and the results of operand-less ops like iota).
  context = None if plain else mesh_context.value
  try:
    site = (primitive, tuple(params.items()), context) if params else (primitive, context)
    last = _eager_last.get(site)
  except TypeError:   # unhashable parameters: compile without caching
    site = last = None
  # The steady state: this op's last avals and layouts (tuple == compares
  # the same objects by identity first).
  if last is not None and last[1] == avals and last[2] == layouts:
    program = last[0]
  else:
    program, bufs, moved = _eager_program_by_id(primitive, args, params, bufs, avals,
                                                layouts, context, site is not None)
    if site is not None and not moved:   # (a moved argument's layout is not the op's)
      if len(_eager_last) >= _EAGER_CACHE_LIMIT:
        _eager_last.clear()
      _eager_last[site] = (program, avals, layouts)
  build = program.build_outputs
  if build is None:
    build = program.build_outputs = _eager_output_builder(primitive, program.out_avals)
  # Bounded launches: XLA's CPU client deadlocks when they run too far ahead.
  results = inflight.launch(program.loaded, bufs).consume_with_handlers(program.handlers)
  return build(results, True)   # committed, as every result handler makes them


def _eager_program_by_id(primitive, args, params, bufs, avals, layouts, context, cacheable):
  """``(program, buffers, moved)`` of an eager op, keyed by the identities of
  its arguments' avals and layouts (see ``_eager_by_id``); ``moved``: an
  argument had to move onto the mesh (nothing is remembered then)."""
  if cacheable:
    id_key = (primitive, tuple(map(id, avals)), tuple(map(id, layouts)),
              tuple(params.items()) if params else (), context)
    hit = _eager_by_id.get(id_key)
    if hit is not None:
      return hit[0], bufs, False
  program, bufs, moved = _eager_program(primitive, args, params, context)
  if cacheable and not moved:
    if len(_eager_by_id) >= _EAGER_CACHE_LIMIT:
      _eager_by_id.clear()
    _eager_by_id[id_key] = (program, avals, layouts)
  return program, bufs, moved


def _eager_output_builder(primitive, out_avals):
  """What makes an eager op's result buffers into its Array (or list of
  Arrays): output_builders' generated function, else a loop."""
  from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
  count = len(out_avals)
  tree = tree_util.tree_structure([0] * count if primitive.multiple_results else 0)
  if any(map(core.is_extended_aval, out_avals)):   # key results wrap their key data
    from jaxlite.runtime import executable  # pylint: disable=g-import-not-at-top

    def build(results, committed=None):
      outs = [executable.wrap_extended(r, a) if core.is_extended_aval(a) else Array(r, a)
              for r, a in zip(results, out_avals)]
      return outs if primitive.multiple_results else outs[0]
    return build
  build = output_builders.output_builder(tree, out_avals)
  if build is not None:
    return build
  if primitive.multiple_results:
    return lambda results, committed=None: arrays_of(results, out_avals)
  return lambda results, committed=None: arrays_of(results, out_avals)[0]


def _eager_program(primitive, args, params, context=None):
  """``(program, buffers, moved)``: the SPMD program of ``primitive`` on
  ``args`` (by avals and layouts, compiled on a miss), the buffers to run it
  on, and whether some argument had to move onto its mesh for that."""
  avals = [core.raise_to_shaped(a.aval) for a in args]
  try:
    key = (primitive, tuple(avals), tuple(params.items()), context)
    fast_key = (key, tuple(map(_get_layout, args)))
    program = _eager_fast.get(fast_key)
    if program is not None:
      return program, [a._buf for a in args], False
    if len(_eager_programs) >= _EAGER_CACHE_LIMIT:
      _eager_programs.clear()
    programs = _eager_programs.setdefault(key, {})
  except TypeError:   # unhashable parameters: compile without caching
    fast_key = None
    programs = {}
  out = primitive.abstract_eval(*avals, **params)
  out_avals = [core.raise_to_shaped(a) for a in (out if primitive.multiple_results else [out])]
  invars = [Var(a) for a in avals]
  outvars = [Var(a) for a in out_avals]
  closed = ClosedJaxpr(Jaxpr([], invars, outvars,
                             [JaxprEqn(invars, outvars, primitive, params)]), [])
  program, bufs, moved = _prepare(closed, primitive.name, args, [None] * len(args),
                                 [None] * len(out_avals), (), programs, None,
                                 _EAGER_ARG_NAMES, None, 0)
  if fast_key is not None and not moved:
    if len(_eager_fast) >= _EAGER_CACHE_LIMIT:
      _eager_fast.clear()
    _eager_fast[fast_key] = program
  return program, bufs, moved


# --- calling a jaxpr on sharded arguments ---------------------------------------------------


def _describe_devices(arg_name, fun_name, aval, devices):
  ids = [d.id for d in devices]
  return (f"argument {arg_name} of {fun_name} with shape {aval.str_short(short_dtypes=False)} and with "
          f"device ids {ids} on platform {devices[0].platform.upper()}")


def jaxpr_mesh(closed_jaxpr):
  """The mesh of the first ``shard_map`` or sharding constraint in a jaxpr (or
  the jaxprs its equations hold: jit calls, loop and branch bodies), or None."""
  return mesh_in_jaxpr(closed_jaxpr.jaxpr)


def mesh_in_jaxpr(jaxpr):
  """``jaxpr_mesh`` of an open jaxpr."""
  for eqn in jaxpr.eqns:
    mesh = eqn.params.get("mesh")
    if mesh is None and isinstance(eqn.params.get("sharding"), NamedSharding):
      mesh = eqn.params["sharding"].mesh
    if isinstance(mesh, mesh_lib.Mesh) and not mesh.empty:
      return mesh
    for param in eqn.params.values():
      for inner in core._subjaxprs(param):
        mesh = mesh_in_jaxpr(inner)
        if mesh is not None:
          return mesh
  return None


def _program_mesh(args, in_shardings, out_shardings, closed_jaxpr=None):
  for s in list(in_shardings) + list(out_shardings):
    if isinstance(s, NamedSharding) and s._is_concrete:
      return s.mesh
  for a in args:
    if _is_sharded(a) and isinstance(a.sharding, NamedSharding):
      return a.sharding.mesh
  mesh = None if closed_jaxpr is None else jaxpr_mesh(closed_jaxpr)
  if mesh is None:   # the mesh set by set_mesh, if any
    mesh = mesh_context.value
  return mesh


def _check_committed_devices(args, in_shardings, fun_name, arg_names):
  """JAX's errors for arguments that fix different devices: in argument order,
  each jit in_sharding, sharded argument or argument committed to a device
  (``device_put(x, device)``, or computed from such) must name the same
  devices as the first; a committed argument must have its given sharding."""
  first = None
  for i, (a, given) in enumerate(zip(args, in_shardings)):
    committed = isinstance(a, Array) and a._committed
    if given is not None:
      if committed and not _is_sharded(a) and not a.sharding.is_equivalent_to(given, a.ndim):
        raise ValueError(
            "Sharding passed to jit does not match the sharding on the respective "
            f"arg. Got jit sharding: {given},\narg sharding: {a.sharding} for arg "
            f"type: {a.aval.str_short(short_dtypes=False)}")
      assigned = tuple(given._device_assignment)
    elif _is_sharded(a) or committed:
      assigned = tuple(a.sharding._device_assignment)
    else:
      continue
    name = arg_names[i] if arg_names and i < len(arg_names) else f"[{i}]"
    if first is None:
      first = (name, a, assigned)
    elif assigned != first[2]:
      raise ValueError(
          "Received incompatible devices for jitted computation. Got "
          f"{_describe_devices(first[0], fun_name, _aval_of(first[1]), first[2])} and "
          f"{_describe_devices(name, fun_name, _aval_of(a), assigned)}")


def _aval_of(x):
  """An argument's type (an Array's, a ShapeDtypeStruct's) for messages."""
  aval = getattr(x, "aval", None)
  return aval if aval is not None else ShapedArray(tuple(x.shape), np.dtype(x.dtype))


def plan_inputs(args, in_shardings, mesh, fun_name="<lambda>", arg_names=None,
                unspecified=False):
  """The input sharding of each argument, and what to do to each argument
  (None: pass as is; a sharding: move it there first). Raises JAX's errors for
  arguments committed elsewhere. With ``unspecified`` (a jit's program), an
  uncommitted argument outside ``set_mesh`` has no sharding (None), as JAX's:
  the compiled program's choice places it (its move is only a placeholder)."""
  replicated = NamedSharding(mesh, PartitionSpec())
  devices = mesh._flat_devices_tuple
  _check_committed_devices(args, in_shardings, fun_name, arg_names)
  shardings, moves = [], []
  first_sharded = None
  for i, (a, given) in enumerate(zip(args, in_shardings)):
    current = a.sharding
    if given is not None:
      if _is_sharded(a) and not current.is_equivalent_to(given, a.ndim):
        raise ValueError(
            "Sharding passed to jit does not match the sharding on the respective "
            f"arg. Got jit sharding: {given},\narg sharding: {current} for arg "
            f"type: {a.aval.str_short(short_dtypes=False)}")
      shardings.append(given)
      moves.append(None if current is None or current.is_equivalent_to(given, a.ndim)
                   else given)
      continue
    # jaxlite's eager results are committed to their device, so a single-device
    # argument is always moved onto the mesh (JAX refuses explicitly committed ones).
    if _is_sharded(a):
      if tuple(current._device_assignment) != tuple(devices):
        other = first_sharded if first_sharded is not None else None
        name = (arg_names[i] if arg_names and i < len(arg_names) else f"[{i}]")
        if other is None:
          raise ValueError(
              "Received incompatible devices for jitted computation. Got "
              f"{_describe_devices(name, fun_name, a.aval, current._device_assignment)}"
              f" and a program over device ids {[d.id for d in devices]}")
        oname, oa = other
        raise ValueError(
            "Received incompatible devices for jitted computation. Got "
            f"{_describe_devices(oname, fun_name, oa.aval, devices)} and "
            f"{_describe_devices(name, fun_name, a.aval, current._device_assignment)}")
      if first_sharded is None:
        first_sharded = (arg_names[i] if arg_names and i < len(arg_names) else f"[{i}]", a)
      shardings.append(current)
      moves.append(None)
      continue
    context_mesh = mesh_context.value
    if context_mesh is not None and context_mesh == mesh and isinstance(a, Array) and \
        a._buf._committed:
      # As JAX's: under set_mesh, an operand committed to one device is an error.
      name = (arg_names[i] if arg_names and i < len(arg_names) else f"[{i}]")
      raise ValueError(
          "Received incompatible devices for jitted computation. Got "
          f"{_describe_devices(name, fun_name, a.aval, a._buf._sharding._internal_device_list)}"
          f" and jit's context mesh with device ids {[d.id for d in devices]} on platform "
          f"{devices[0].platform.upper()}")
    shardings.append(None if unspecified and context_mesh is None and not (
        isinstance(a, Array) and a._committed) else replicated)
    moves.append(replicated)
  return shardings, moves


def call_sharded(closed_jaxpr, name, args, in_shardings, out_shardings, donated,
                 cache=None, fun_name=None, arg_names=None, moved_cache=None, n_cached=0):
  """Runs ``closed_jaxpr`` as an SPMD program on ``args`` (Arrays).

  ``in_shardings`` / ``out_shardings``: one resolved sharding or None per
  argument / result. ``cache``: a dict keeping the compiled programs per input
  layout (the caller's, e.g. a jit cache entry). ``moved_cache`` keeps the
  moved copies of the first ``n_cached`` arguments (a jitted function's
  closed-over constants, moved once rather than on every call)."""
  program, bufs, _ = _prepare(closed_jaxpr, name, args, in_shardings, out_shardings,
                              donated, cache, fun_name, arg_names, moved_cache, n_cached)
  # (PJRT deletes the donated arguments the program aliases, as JAX's.)
  return program.call(bufs)


def _specify_donated(shardings, donated, mesh):
  """A donated argument's sharding is never left to XLA (its buffer is
  planned for reuse per device before compiling): replicated."""
  if donated and any(s is None and d for s, d in zip(shardings, donated)):
    replicated = NamedSharding(mesh, PartitionSpec())
    return [replicated if s is None and d else s for s, d in zip(shardings, donated)]
  return shardings


def _resolve_unspecified_moves(shardings, moves, program):
  """Each unspecified argument moves where the compiled program takes it."""
  if None not in shardings:
    return moves
  return [program.in_shardings[i] if s is None else m
          for i, (s, m) in enumerate(zip(shardings, moves))]


def _replicated(mesh, memory_kind):
  from jaxlite.sharding import NamedSharding, PartitionSpec  # pylint: disable=g-import-not-at-top
  return NamedSharding(mesh, PartitionSpec(), memory_kind=memory_kind)


def _prepare(closed_jaxpr, name, args, in_shardings, out_shardings, donated, cache,
             fun_name, arg_names, moved_cache, n_cached, result_names=None,
             program_arg_names=None, kept=None):
  """The program for these arguments' layouts, the buffers to call it with
  (every argument's: ``SpmdProgram.call`` takes the ``kept`` ones), and
  whether an argument past the first ``n_cached`` had to be moved.
  ``arg_names`` name arguments in errors; ``program_arg_names`` (a jit's own
  arguments, after its constants) name them in the module, as JAX's does."""
  mesh = _program_mesh(args, in_shardings, out_shardings, closed_jaxpr)
  if mesh is None:
    raise ValueError("call_sharded needs a sharded argument, a sharding or a shard_map")
  shardings, moves = plan_inputs(args, in_shardings, mesh, fun_name or name, arg_names,
                                 unspecified=True)
  shardings = _specify_donated(shardings, donated, mesh)
  user_in = _user_in_sharding(args, in_shardings, moves, shardings)
  key = (tuple(shardings), tuple(out_shardings), tuple(donated), user_in)
  programs = {} if cache is None else cache
  program = programs.get(key)
  if program is None:
    program = programs[key] = SpmdProgram(closed_jaxpr, name, mesh, shardings,
                                          out_shardings, donated, kept=kept, user_in=user_in,
                                          result_names=result_names,
                                          arg_names=program_arg_names)
  moves = _resolve_unspecified_moves(shardings, moves, program)
  bufs = []
  moved_arg = False
  for i, (a, move) in enumerate(zip(args, moves)):
    if move is None:
      bufs.append(a._buf)
    elif i < n_cached and moved_cache is not None:
      moved = moved_cache.get((i, move))
      if moved is None:
        moved = moved_cache[(i, move)] = put_array(a, move)
      bufs.append(moved._buf)
    else:
      moved_arg = True
      bufs.append(put_array(a, move)._buf)
  return program, bufs, moved_arg


# --- jit's shardings -----------------------------------------------------------------------


def _is_sharding_leaf(x) -> bool:
  return x is None or isinstance(x, PartitionSpec) or hasattr(x, "_to_xla_hlo_sharding")


def flatten_shardings(shardings, tree, what: str, api_name="jit", resource_env=False) -> list:
  """One resolved sharding (or None) per leaf of ``tree``: ``shardings`` is a
  pytree prefix of it (a single sharding applies to every leaf); see
  ``resolve_sharding`` for ``api_name`` and ``resource_env``."""
  from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
  if _is_sharding_leaf(shardings):
    n = len(tree_util.tree_leaves(tree))
    return [resolve_sharding(shardings, what, api_name, resource_env)] * n
  try:
    full = tree_util.tree_broadcast(shardings, tree, is_leaf=_is_sharding_leaf)
  except ValueError as e:
    raise ValueError(f"{what} is not a prefix of the structure of the values it "
                     f"describes: {e}") from None
  leaves = tree_util.tree_leaves(full, is_leaf=_is_sharding_leaf)
  return [resolve_sharding(s, what, api_name, resource_env) for s in leaves]


def _check_sharding_fits(sharding, shape, what: str) -> None:
  """JAX's errors for ``sharding`` of a value of ``shape`` given to jit as
  ``what`` ("pjit outputs with pytree key path result[1]"): an indivisible
  dimension is its IndivisibleError as is; a rank mismatch names the value."""
  from jaxlite.sharding.shardings import IndivisibleError  # pylint: disable=g-import-not-at-top
  try:
    sharded.check_shape(sharding, tuple(shape), "jit")
  except IndivisibleError:
    raise
  except ValueError as e:
    raise ValueError(f"One of {what} is incompatible with its sharding annotation "
                     f"{sharding}: {e}") from None


def _output_builder(entry, out_avals):
  """What makes a jit call's results (buffers) into its Arrays, in its output
  structure: one generated function (output_builders) where the structure
  allows, else Arrays in a loop and the entry's unflatten (which also wraps
  token and key results)."""
  if not any(type(a) is core.AbstractToken or core.is_extended_aval(a) for a in out_avals):
    build = output_builders.output_builder(entry.out_tree, out_avals)
    if build is not None:
      return build
  unflatten = entry.unflatten
  if unflatten is None:
    from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
    unflatten = functools.partial(tree_util.tree_unflatten, entry.out_tree)
  return lambda results, committed=None: unflatten(arrays_of(results, out_avals))


class JitCallSite:
  """The SPMD side of one jit cache entry: its flat in/out shardings and the
  programs compiled for each layout of its arguments."""

  def __init__(self, in_shardings, out_shardings, dyn_args, dyn_kwargs, out_tree,
               fun_name, arg_names, has_mesh=False):
    from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
    n_kwargs = len(tree_util.tree_leaves(dyn_kwargs))
    self.in_shardings = ([None] * len(tree_util.tree_leaves(dyn_args)) if in_shardings is None
                         else flatten_shardings(tuple(in_shardings) if isinstance(
                             in_shardings, list) else in_shardings, dyn_args, "in_shardings"))
    self.in_shardings += [None] * n_kwargs
    markers = tree_util.tree_unflatten(out_tree, [0] * out_tree.num_leaves)
    self.out_shardings = ([None] * out_tree.num_leaves if out_shardings is None
                          else flatten_shardings(out_shardings, markers, "out_shardings"))
    for i, (s, x) in enumerate(zip(self.in_shardings, tree_util.tree_leaves(dyn_args))):
      if s is not None and hasattr(x, "shape"):
        name = arg_names[i] if arg_names and i < len(arg_names) else f"args[{i}]"
        _check_sharding_fits(s, x.shape, f"pjit arguments with pytree key path {name}")
    self.out_tree = out_tree
    self.out_checked = False   # out_shardings against the results' shapes, once
    self.given = any(s is not None for s in self.in_shardings + self.out_shardings)
    self.has_mesh = has_mesh   # the jaxpr holds a shard_map
    # Every call runs here (a None from ``call`` is the function's result).
    self.always_handles = self.given or has_mesh
    self.fun_name = fun_name
    self.arg_names = arg_names
    self.programs: dict = {}
    self.moved_consts: dict = {}
    self.fast: dict = {}   # ids of argument layouts -> (program, constants' buffers, layouts)
    self.last = None   # (layouts, program, constants' buffers) of the last call

  def check_out_shardings(self, out_avals):
    """JAX's errors for ``out_shardings`` that cannot lay out the results
    (a rank too small, an indivisible dimension), before anything is lowered."""
    if self.out_checked:
      return
    paths = self.result_names or ["result"] * len(out_avals)
    for s, aval, path in zip(self.out_shardings, out_avals, paths):
      if s is not None:
        _check_sharding_fits(s, aval.shape, f"pjit outputs with pytree key path {path}")
    self.out_checked = True

  @functools.cached_property
  def result_names(self):
    """The results' names as JAX gives them (``result[0]['w']``), for lowered
    modules and errors (None where a custom node cannot be rebuilt)."""
    return api_util.result_paths(self.out_tree)

  def call(self, entry, flat_args):
    """Runs the entry's jaxpr as an SPMD program; None when nothing is sharded
    (the caller's single-device executable serves that call)."""
    return self.call_buffers(entry, flat_args, list(map(_get_buf, flat_args)))

  def call_buffers(self, entry, flat_args, bufs):
    """``call`` given the arguments' buffers (jit's steady path read them)."""
    layouts = list(map(_get_sharding or _load_sharding_getter(), bufs))
    last = self.last
    # The steady state: the arguments laid out as the last call's were (list
    # == compares the very same layout objects by identity, as JAX's C++
    # pjit compares shardings by pointer first).
    if last is not None and layouts == last[0]:
      program = last[1]
      if last[2]:
        bufs = last[2] + bufs
    else:
      program, bufs = self._program_and_buffers(entry, flat_args, bufs, layouts)
      if program is None:
        return None
    if program.kept is not None:   # the arguments the program leaves out
      bufs = [bufs[i] for i in program.kept]
    try:
      results = inflight.launch(program.loaded, bufs).consume_with_handlers(program.handlers)
    except Exception:
      for a in flat_args:
        a._check_if_deleted()
      raise
    # (PJRT deletes the donated arguments the program aliases, as JAX's;
    # the others stay alive.)
    build = program.build_outputs
    if build is None:
      build = program.build_outputs = _output_builder(entry, program.out_avals)
    return build(results, True)   # committed, as every result handler makes them

  def _program_and_buffers(self, entry, flat_args, bufs, layouts):
    """The program for these argument layouts and the buffers to run it on
    (constants first); (None, None) when nothing is sharded. Remembers the
    layouts as the last call's when no argument had to move."""
    # Keyed by the identities of the (cached) layout objects, which the key's
    # entry keeps alive, so an identity cannot be reused by another layout.
    layout_ids = tuple(map(id, layouts))
    hit = self.fast.get(layout_ids)
    if hit is not None:
      program, const_bufs, _ = hit
      self.last = (layouts, program, const_bufs)
      return program, const_bufs + bufs
    if not self.given and not self.has_mesh and not any(
        sharded.is_sharded(a) for a in flat_args):
      return None, None
    self.check_out_shardings(entry.closed_jaxpr.out_avals)
    consts = list(entry.consts)
    program, bufs, moved = _prepare(
        entry.closed_jaxpr, entry.name, consts + list(flat_args),
        [None] * len(consts) + self.in_shardings, self.out_shardings, entry.donated,
        self.programs, self.fun_name,
        [f"const{i}" for i in range(len(consts))] + list(self.arg_names or ()),
        self.moved_consts, len(consts), self.result_names,
        program_arg_names=self.arg_names or entry.arg_names, kept=entry.kept)
    if not moved:
      const_bufs = bufs[:len(consts)]
      self.fast[layout_ids] = (program, const_bufs, tuple(layouts))
      self.last = (layouts, program, const_bufs)
    return program, bufs

  def program_for(self, entry, flat_args):
    """The compiled program the call would run (for ``lower`` / ``compile``)."""
    self.check_out_shardings(entry.closed_jaxpr.out_avals)
    consts = list(entry.consts)
    args = consts + list(flat_args)
    in_shardings = [None] * len(consts) + self.in_shardings
    mesh = _program_mesh(args, in_shardings, self.out_shardings, entry.closed_jaxpr)
    names = [f"const{i}" for i in range(len(consts))] + list(
        self.arg_names or entry.arg_names or ())
    shardings, moves = plan_inputs(args, in_shardings, mesh, self.fun_name, names,
                                   unspecified=True)
    shardings = _specify_donated(shardings, entry.donated, mesh)
    user_in = _user_in_sharding(args, in_shardings, moves, shardings)
    key = (tuple(shardings), tuple(self.out_shardings), tuple(entry.donated), user_in)
    program = self.programs.get(key)
    if program is None:
      program = self.programs[key] = SpmdProgram(
          entry.closed_jaxpr, entry.name, mesh, shardings, self.out_shardings, entry.donated,
          kept=entry.kept, user_in=user_in, result_names=self.result_names,
          arg_names=self.arg_names or entry.arg_names)
    return program


# --- device_put with shardings ---------------------------------------------------------------


def device_put_tree(x, placement):
  """``device_put(x, placement)`` where ``placement`` is a sharding, a
  PartitionSpec (under ``set_mesh``) or a pytree prefix of ``x`` of them."""
  from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
  leaves, treedef = tree_util.tree_flatten(x)
  targets = flatten_shardings(placement, x, "device_put", "device_put")
  hosts = [None if isinstance(leaf, (Array, core.Tracer)) else transfer._host_leaf(leaf)
           for leaf in leaves]
  out = []
  for leaf, host, target in zip(leaves, hosts, targets):
    if isinstance(leaf, core.Tracer):
      out.append(leaf)
    elif target is None:
      out.append(transfer.device_put(leaf))
    elif isinstance(target, SingleDeviceSharding):
      out.append(transfer.device_put(leaf, target))
    elif host is None:
      out.append(put_array(leaf, target))
    else:
      out.append(sharded.put_host(host[0], target, host[1]))
  return treedef.unflatten(out)


# --- building global arrays from pieces --------------------------------------------------------


def make_array_from_callback(shape, sharding, data_callback, dtype=None):
  """An array of ``shape`` laid out by ``sharding`` whose piece on each device
  is ``data_callback(index)`` (index: the device's tuple of slices).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import SingleDeviceSharding
  >>> s = SingleDeviceSharding(jaxlite.devices()[0])
  >>> make_array_from_callback((2,), s, lambda idx: np.arange(2.0)[idx])
  Array([0., 1.], dtype=float32)
  """
  from jaxlite import dtypes  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
  shape = tuple(shape)
  sharding.shard_shape(shape)   # JAX's error for indivisible dimensions
  index_map = sharding.addressable_devices_indices_map(shape)
  pieces = []
  for device in [d for d in sharding._device_assignment if d in index_map]:
    host, weak = transfer._host_leaf(data_callback(index_map[device]))
    if dtype is not None:
      host = host.astype(dtypes.canonicalize_dtype(dtype))
    pieces.append(transfer.put_numpy(host, device, weak))
  return make_array_from_single_device_arrays(shape, sharding, pieces)


def make_array_from_single_device_arrays(shape, sharding, arrays, *, dtype=None):
  """A global array from one single-device array per addressable device of
  ``sharding`` (no copy when each is already on its device).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import SingleDeviceSharding
  >>> s = SingleDeviceSharding(jaxlite.devices()[0])
  >>> make_array_from_single_device_arrays((2,), s, [jaxlite.numpy.ones(2)])
  Array([1., 1.], dtype=float32)
  """
  shape = tuple(shape)
  arrays = list(arrays)
  if not arrays:
    raise ValueError("make_array_from_single_device_arrays needs at least one array")
  shard_shape = sharding.shard_shape(shape)
  for a in arrays:
    if tuple(a.shape) != tuple(shard_shape):
      raise ValueError(
          f"Expected shard shape {shard_shape} doesn't match the single device array "
          f"shape {tuple(a.shape)}. Shape of Array is {a.aval.str_short()} with "
          f"sharding {sharding}")
  if dtype is not None and np.dtype(dtype) != arrays[0].dtype:
    raise ValueError(f"If `dtype` is provided, it must match the dtype of the arrays: "
                     f"{np.dtype(dtype)} vs {arrays[0].dtype}")
  if isinstance(sharding, SingleDeviceSharding):
    from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
    return transfer.device_put(arrays[0], sharding)
  by_device = {a.device: a for a in arrays}
  devices = [d for d in sharding._device_assignment if d in by_device]
  if len(devices) != len(arrays):
    raise ValueError("make_array_from_single_device_arrays: the arrays must be on "
                     "distinct devices of the sharding's addressable devices")
  aval = ShapedArray(shape, arrays[0].dtype, arrays[0].weak_type)
  return sharded.from_buffers(aval, sharding, [by_device[d]._buf for d in devices])


def make_array_from_process_local_data(sharding, local_data, global_shape=None):
  """A global array from this process's part of the data: ``local_data`` is
  the block of the global array that this process's devices hold.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import SingleDeviceSharding
  >>> s = SingleDeviceSharding(jaxlite.devices()[0])
  >>> make_array_from_process_local_data(s, np.arange(3.0)).shape
  (3,)
  """
  local_data = np.asarray(local_data)
  if global_shape is None:
    global_shape = _infer_global_shape(sharding, local_data.shape)
  global_shape = tuple(global_shape)
  index_map = sharding.addressable_devices_indices_map(global_shape)
  # The process's block: the hull of its devices' pieces.
  starts = [min((i[d].start or 0) for i in index_map.values()) for d in range(len(global_shape))]

  def piece(index):
    local = tuple(slice((s.start or 0) - start, (s.stop if s.stop is not None else n) - start)
                  for s, start, n in zip(index, starts, global_shape))
    return local_data[local]
  return make_array_from_callback(global_shape, sharding, piece)


def _infer_global_shape(sharding, local_shape):
  """Each dimension split over processes grows by the number of process blocks."""
  if sharding.is_fully_addressable:
    return tuple(local_shape)
  mesh = sharding.mesh
  local = mesh.local_mesh
  out = []
  sizes = dict(zip(mesh.axis_names, mesh.axis_sizes))
  local_sizes = dict(zip(local.axis_names, local.axis_sizes))
  partitions = list(sharding.spec.partitions) + [None] * (len(local_shape) - len(sharding.spec))
  for n, entry in zip(local_shape, partitions):
    names = () if entry is None else entry if isinstance(entry, tuple) else (entry,)
    factor = math.prod(sizes[a] for a in names) // math.prod(local_sizes[a] for a in names)
    out.append(n * factor)
  return tuple(out)
