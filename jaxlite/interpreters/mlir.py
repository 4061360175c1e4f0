"""Lowering jaxprs to StableHLO through jaxlib's MLIR bindings.

Each primitive registers a lowering rule with ``register_lowering``:

  rule(ctx: LoweringRuleContext, *operands: ir.Value, **params) -> ir.Value | list

``ctx.avals_in``/``ctx.avals_out`` give the abstract values; ``ctx.module_context``
the module being built (axis environment for collectives, cached private
functions, the name stack). ``lower_jaxpr_to_module`` builds a whole module,
verifies it (so a bad rule is a Python exception, never a crash in XLA) and
returns it; its text is what PJRT compiles.

jaxlib's MLIR modules are imported on first lowering, never at ``import jaxlite``.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import core, dtypes, monitoring, source_info_util
from jaxlite.core import ClosedJaxpr, Jaxpr, Literal, ShapedArray
from jaxlite.interpreters import locations
from jaxlite.runtime import caches
from jaxlite.source_info_util import NameStack

lowering_rules: dict[core.Primitive, Callable] = {}
platform_lowering_rules: dict[tuple[str, core.Primitive], Callable] = {}


def register_lowering(primitive, rule, platform=None):
  """Registers ``rule`` as the StableHLO lowering of ``primitive`` (for ``platform``)."""
  if platform is None:
    lowering_rules[primitive] = rule
  else:
    platform_lowering_rules[(platform, primitive)] = rule
  return rule


# --- jaxlib.mlir, loaded lazily ------------------------------------------------


class _MLIR:
  """The jaxlib.mlir modules, imported on first use (they cost ~0.1 s).

  ``chlo`` and ``sdy`` are imported only when a rule first asks for them: their
  Python op classes (``_chlo_ops_gen``, ``_sdy_ops_gen``) are a fifth of a
  first lowering's import cost, and most programs use neither. Their dialects
  are registered in every context through the C extensions, which are cheap.
  """
  loaded = False
  _LAZY = {"chlo": "jaxlib.mlir.dialects.chlo", "sdy": "jaxlib.mlir.dialects.sdy"}

  def load(self):
    from jaxlib.mlir import ir
    from jaxlib.mlir.dialects import func, stablehlo
    from jaxlib.mlir._mlir_libs import _chlo, _jax_mlir_ext, _sdy
    self.ir, self.func, self.hlo = ir, func, stablehlo
    self._jax_mlir_ext, self._chlo_ext, self._sdy_ext = _jax_mlir_ext, _chlo, _sdy
    self.loaded = True

  def __getattr__(self, name):
    # Only reached for attributes not set yet: the lazily imported dialects.
    if name not in self._LAZY:
      raise AttributeError(name)
    import importlib
    module = importlib.import_module(self._LAZY[name])
    setattr(self, name, module)
    return module


_mlir = _MLIR()
_context_local = threading.local()


def mlir():
  if not _mlir.loaded:
    _mlir.load()
  return _mlir


# MLIR uniques dense constants in their context and frees them only with it,
# so a thread's context is replaced once it holds this many bytes of them
# (modules built in the old one keep it alive while they live).
_CONTEXT_CONSTANT_BYTES = 1 << 20


def make_ir_context():
  """An MLIR context with the StableHLO, CHLO and func dialects loaded (one per
  thread, replaced after ``_CONTEXT_CONSTANT_BYTES`` of dense constants)."""
  ctx = getattr(_context_local, "ctx", None)
  if ctx is None:
    m = mlir()
    ctx = m.ir.Context()
    registry = m.ir.DialectRegistry()
    m._jax_mlir_ext.register_dialects(registry)
    ctx.append_dialect_registry(registry)
    m.hlo.register_dialect(ctx)
    m._chlo_ext.register_dialect(ctx)
    m._sdy_ext.register_dialect(ctx)   # Shardy: sharding annotations for SPMD programs
    ctx.load_all_available_dialects()
    _context_local.ctx = ctx
    _context_local.constant_bytes = 0
  return ctx


def _retire_context():
  """Drops this thread's context (``clear_caches``): its constants go with it
  once no module built in it is left."""
  _context_local.ctx = None


caches.register(_retire_context)


def _count_constant_bytes(nbytes: int):
  """Called for each dense constant; retires the thread's context when full."""
  _context_local.constant_bytes = getattr(_context_local, "constant_bytes", 0) + nbytes
  if _context_local.constant_bytes > _CONTEXT_CONSTANT_BYTES:
    # The lowering in progress keeps its context (it holds a reference); the
    # next one starts a fresh context.
    _retire_context()


# --- types and constants -------------------------------------------------------


def dtype_to_ir_type(dtype) -> Any:
  dtype = np.dtype(dtype)
  return _dtype_to_ir_type_table()[dtype]()


@functools.cache
def _dtype_to_ir_type_table():
  import ml_dtypes
  ir = mlir().ir
  table = {
      np.dtype(np.bool_): lambda: ir.IntegerType.get_signless(1),
      np.dtype(np.int8): lambda: ir.IntegerType.get_signless(8),
      np.dtype(np.int16): lambda: ir.IntegerType.get_signless(16),
      np.dtype(np.int32): lambda: ir.IntegerType.get_signless(32),
      np.dtype(np.int64): lambda: ir.IntegerType.get_signless(64),
      np.dtype(np.uint8): lambda: ir.IntegerType.get_unsigned(8),
      np.dtype(np.uint16): lambda: ir.IntegerType.get_unsigned(16),
      np.dtype(np.uint32): lambda: ir.IntegerType.get_unsigned(32),
      np.dtype(np.uint64): lambda: ir.IntegerType.get_unsigned(64),
      np.dtype(np.float16): ir.F16Type.get,
      np.dtype(np.float32): ir.F32Type.get,
      np.dtype(np.float64): ir.F64Type.get,
      np.dtype(np.complex64): lambda: ir.ComplexType.get(ir.F32Type.get()),
      np.dtype(np.complex128): lambda: ir.ComplexType.get(ir.F64Type.get()),
      np.dtype(ml_dtypes.bfloat16): ir.BF16Type.get,
      np.dtype(ml_dtypes.int4): lambda: ir.IntegerType.get_signless(4),
      np.dtype(ml_dtypes.uint4): lambda: ir.IntegerType.get_unsigned(4),
      np.dtype(ml_dtypes.int2): lambda: ir.IntegerType.get_signless(2),
      np.dtype(ml_dtypes.uint2): lambda: ir.IntegerType.get_unsigned(2),
      dtypes.float0: lambda: ir.IntegerType.get_signless(1),
  }
  float8 = {
      "float8_e4m3fn": "Float8E4M3FNType", "float8_e5m2": "Float8E5M2Type",
      "float8_e4m3fnuz": "Float8E4M3FNUZType", "float8_e5m2fnuz": "Float8E5M2FNUZType",
      "float8_e4m3b11fnuz": "Float8E4M3B11FNUZType", "float8_e4m3": "Float8E4M3Type",
      "float8_e3m4": "Float8E3M4Type", "float8_e8m0fnu": "Float8E8M0FNUType",
      "float4_e2m1fn": "Float4E2M1FNType",
  }
  for np_name, ir_name in float8.items():
    if hasattr(ml_dtypes, np_name) and hasattr(ir, ir_name):
      table[np.dtype(getattr(ml_dtypes, np_name))] = getattr(ir, ir_name).get
  return table


def aval_to_ir_type(aval: ShapedArray):
  if type(aval) is core.AbstractToken:
    return mlir().hlo.TokenType.get()
  if isinstance(aval.dtype, dtypes.ExtendedDType):   # a key array: its key data
    aval = core.physical_aval(aval)
  shape = aval.shape
  if not all(isinstance(d, (int, np.integer)) for d in shape):
    # Symbolic dimensions (shape-polymorphic export) are dynamic sizes.
    static = tuple(d for d in shape if isinstance(d, (int, np.integer)))
    _check_shape_for_xla(ShapedArray(static, aval.dtype))
    dynamic = mlir().ir.ShapedType.get_dynamic_size()
    shape = [d if isinstance(d, (int, np.integer)) else dynamic for d in shape]
  else:
    _check_shape_for_xla(aval)
  return mlir().ir.RankedTensorType.get(shape, dtype_to_ir_type(aval.dtype))


_MAX_BYTES = 2 ** 63 - 1
_DYNAMIC_SIZE = -2 ** 63   # MLIR's ShapedType::kDynamic


def _check_shape_for_xla(aval):
  """XLA aborts the whole process (it does not raise) on a shape whose element
  count overflows int64, e.g. ``jnp.zeros((2**31, 2**31))``; shapes are
  checked here, before anything reaches it."""
  size = 1
  for d in aval.shape:
    if d < 0:
      if d == _DYNAMIC_SIZE:   # MLIR would read it as a dynamic size, not an error
        raise ValueError(f"negative dimensions are not allowed, got shape {aval.shape}")
      return   # RankedTensorType.get raises MLIR's MLIRError for it, as in JAX
    size *= d
  if size * max(aval.dtype.itemsize, 1) > _MAX_BYTES:
    raise ValueError(
        f"array of shape {aval.shape} and dtype {aval.dtype.name} is too big: its size "
        f"in bytes does not fit in a signed 64-bit integer")


def ir_constant(val, dtype=None):
  """A ``stablehlo.constant`` holding the host value ``val``.

  An array of one repeated value (``np.broadcast_to`` of a scalar, ``np.full``)
  becomes a splat, which keeps it out of the module text; build such
  constants with ``full_like_aval``, which never makes the host array.
  """
  m = mlir()
  val = np.asarray(val, dtype=dtype)
  if val.dtype == dtypes.float0:
    return full_like_aval(False, ShapedArray(val.shape, np.dtype(np.bool_)))
  if val.size > 1 and _is_splat(val):
    return full_like_aval(val.flat[0], ShapedArray(val.shape, val.dtype))
  ir_type = m.ir.RankedTensorType.get(val.shape, dtype_to_ir_type(val.dtype))
  return m.hlo.constant(_dense_attr(val, ir_type))


def _is_splat(val) -> bool:
  if not any(val.strides):   # a broadcast scalar: nothing to compare
    return True
  first = val.flat[0]
  # Most dense constants differ early: look at a few elements before all.
  return bool((val.flat[:64] == first).all() and (val == first).all())


def _scalar_attr(x, dtype):
  m = mlir()
  elem = dtype_to_ir_type(dtype)
  return m.ir.DenseElementsAttr.get(
      _to_buffer(np.asarray(x, dtype).reshape(())), type=elem, shape=()).get_splat_value()


def _dense_attr(val, ir_type):
  m = mlir()
  elem = dtype_to_ir_type(val.dtype)
  if val.nbytes > 1024:   # small ones are few and shared (uniqued) between modules
    _count_constant_bytes(val.nbytes)
  return m.ir.DenseElementsAttr.get(_to_buffer(val), type=elem, shape=val.shape)


def _to_buffer(val):
  """Host bytes in the layout MLIR's DenseElementsAttr expects."""
  val = np.ascontiguousarray(val)
  if val.dtype == np.bool_:
    # One byte per element, as the bindings take them (packed bits were read
    # as a splat of the first byte: [True, False, True, False] became all True).
    return val
  if val.dtype.kind not in "biufc":  # bfloat16, float8, int4: pass raw bits
    return val.view(np.dtype(f"u{val.dtype.itemsize}")) if val.dtype.itemsize in (1, 2, 4, 8) \
        else val
  return val


# --- lowering contexts ----------------------------------------------------------


class AxisContext(NamedTuple):
  """Named axes visible to collectives: ((name, size), ...), outermost first.

  Replica ids are laid out row-major over these axes (the last axis varies
  fastest), as pmap and ``xla_computation(axis_env=...)`` do."""
  axes: tuple = ()

  def replica_groups(self, axis_names: Sequence) -> list[list[int]]:
    names = [a for a, _ in self.axes]
    sizes = [s for _, s in self.axes]
    for name in axis_names:
      if name not in names:
        raise NameError(f"unbound axis name: {name}")
    total = int(np.prod(sizes, dtype=np.int64)) if sizes else 1
    ids = np.arange(total).reshape(sizes or ())
    reduce_dims = [names.index(n) for n in axis_names]
    keep_dims = [d for d in range(len(sizes)) if d not in reduce_dims]
    grouped = np.transpose(ids, keep_dims + reduce_dims)
    group_size = int(np.prod([sizes[d] for d in reduce_dims], dtype=np.int64))
    return grouped.reshape(-1, group_size).tolist()

  def axis_size(self, name) -> int:
    for n, s in self.axes:
      if n == name:
        return s
    raise NameError(f"unbound axis name: {name}")


class ModuleContext:
  """State shared while lowering one module."""

  def __init__(self, module, platform="cpu", axis_context=AxisContext(), num_replicas=1):
    self.module = module
    self.symbol_table = mlir().ir.SymbolTable(module.operation)
    self.platform = platform
    self.axis_context = axis_context
    self.num_replicas = num_replicas
    self.cached_functions: dict[Any, Any] = {}
    # While a rule runs: its equation's name stack and traceback (JAX's
    # ``ctx.name_stack``/``ctx.traceback``), which nested lowerings extend.
    self.name_stack = NameStack()
    self.traceback = None
    # Lowering main: where lowering was asked for, appended to each equation's
    # traceback (which holds only the frames inside its trace), as JAX does.
    self.outer_traceback = None
    self.host_callbacks: list[Any] = []
    self.keepalives: list[Any] = []
    self._channel = 0
    # Shape-polymorphic export: the dimension variables every function takes
    # first (i32/i64 scalars), and their values in the function being lowered.
    self.dim_vars: tuple = ()
    self.dim_var_values: dict = {}

  def new_channel(self) -> int:
    self._channel += 1
    return self._channel


class LoweringRuleContext(NamedTuple):
  module_context: ModuleContext
  primitive: core.Primitive | None
  avals_in: Sequence[ShapedArray]
  avals_out: Sequence[ShapedArray]

  def replace(self, **kw):
    return self._replace(**kw)


# --- lowering jaxprs ---------------------------------------------------------------


def _lookup_rule(module_context, primitive):
  rule = platform_lowering_rules.get((module_context.platform, primitive))
  if rule is None:
    rule = lowering_rules.get(primitive)
  if rule is None:
    raise NotImplementedError(
        f"MLIR lowering of primitive '{primitive}' is not implemented "
        f"(transformation: lowering to StableHLO for {module_context.platform})")
  return rule


def jaxpr_subcomp(module_context: ModuleContext, jaxpr: Jaxpr, consts: Sequence,
                  *args, locate: bool = True) -> list:
  """Lowers ``jaxpr`` into the current insertion point; returns its output values.

  ``consts`` are ir.Values or host constants for ``jaxpr.constvars``; ``args``
  are ir.Values for ``jaxpr.invars``. Each equation's operations are located
  by its name stack and traceback (``locations``); with ``locate=False`` they
  keep the current location (a composite rule's operations are its equation's)."""
  if jaxpr.effects:   # e.g. mutable refs: discharged into plain values first
    jaxpr, consts = core.discharge_effects(jaxpr, consts)
  env: dict = {}

  def read(atom):
    if type(atom) is Literal:
      return ir_constant(atom.val, atom.aval.dtype)
    return env[atom]

  for v, c in zip(jaxpr.constvars, consts):
    env[v] = c if _is_ir_value(c) else ir_constant(np.asarray(c), v.aval.dtype)
  for v, a in zip(jaxpr.invars, args):
    env[v] = a
  # Sharding in types: in an SPMD module, values typed as split over Explicit
  # mesh axes are pinned to that sharding, as JAX's lowering does.
  typed = getattr(module_context, "spmd_mesh", None) is not None
  ir = mlir().ir
  names, outer_traceback = module_context.name_stack, module_context.traceback
  for eqn in _live_eqns(jaxpr):
    rule = _lookup_rule(module_context, eqn.primitive)
    ctx = LoweringRuleContext(module_context, eqn.primitive,
                              [a.aval for a in eqn.invars], [v.aval for v in eqn.outvars])
    in_nodes = list(map(read, eqn.invars))   # literals: the enclosing function's location
    source_info = eqn.source_info
    if not locate:
      eqn_names, traceback, loc = names, outer_traceback, _NO_LOCATION
    else:
      if source_info is None:
        eqn_names, traceback = names, None
      else:
        names_in_eqn = source_info.name_stack
        eqn_names = names + names_in_eqn if names_in_eqn.stack else names
        traceback = source_info.traceback
        # A body's equation holds the frames inside its own trace: below it,
        # its enclosing equation's (or, at a main's top, where lowering began).
        below = outer_traceback if outer_traceback is not None else \
            module_context.outer_traceback
        if below is not None and traceback is not None:
          traceback = traceback + below
      loc = locations.location(ir, eqn.primitive.name, eqn_names, traceback)
    module_context.name_stack, module_context.traceback = eqn_names, traceback
    try:
      with loc:
        outs = rule(ctx, *in_nodes, **eqn.params)
    except (TypeError, ValueError, NotImplementedError):
      raise
    except Exception as e:  # MLIR builder errors: say which primitive failed
      raise RuntimeError(f"Lowering '{eqn.primitive}' failed: {e}") from e
    finally:
      module_context.name_stack, module_context.traceback = names, outer_traceback
    if _is_ir_value(outs):
      outs = [outs]
    outs = list(outs)
    if len(outs) != len(eqn.outvars):
      raise RuntimeError(f"Lowering rule of '{eqn.primitive}' returned {len(outs)} "
                         f"values, expected {len(eqn.outvars)}")
    for v, o in zip(eqn.outvars, outs):
      if typed and getattr(v.aval, "_sharding", None) is not None:
        o = _constrain_to_type(module_context, eqn.primitive, o, v.aval)
      env[v] = o
  return [read(v) for v in jaxpr.outvars]


@contextlib.contextmanager
def named(module_context: ModuleContext, *names: str):
  """Operations lowered inside are named under ``names`` too (JAX's names for
  a control-flow body: ``cond/branch_0_fun``, ``while/body``).

  Example (in a lowering rule)::

    with named(ctx.module_context, "while", "body"):
      outs = jaxpr_subcomp(ctx.module_context, body.jaxpr, body.consts, *args)
  """
  outer = module_context.name_stack
  module_context.name_stack = outer.extend(names)
  try:
    yield
  finally:
    module_context.name_stack = outer


@contextlib.contextmanager
def own_locations(module_context: ModuleContext):
  """Operations lowered inside are located as a function of their own: no
  enclosing names or frames (JAX lowers a ``shard_map`` body so, and XLA puts
  it under the enclosing operation's name when it inlines it)."""
  mc = module_context
  outer = mc.name_stack, mc.traceback, mc.outer_traceback
  mc.name_stack, mc.traceback, mc.outer_traceback = NameStack(), None, None
  try:
    yield
  finally:
    mc.name_stack, mc.traceback, mc.outer_traceback = outer


_NO_LOCATION = contextlib.nullcontext()   # reusable: it has no state


def _constrain_to_type(module_context, primitive, value, aval):
  """``value`` with an ``sdy.sharding_constraint`` to its type's sharding."""
  sharding = aval._sharding
  if (primitive.name == "sharding_constraint"   # already constrained
      or sharding.mesh.axis_names != module_context.spmd_mesh.axis_names):
    return value
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  m = mlir()
  attr = m.ir.Attribute.parse(spmd.sdy_sharding_text(sharding, len(aval.shape)))
  return m.sdy.ShardingConstraintOp(value, attr).result


def _live_eqns(jaxpr: Jaxpr) -> list:
  """The equations whose results are used, or that have effects: as JAX's
  lowering (dce_jaxpr), an unused effect-free equation is not lowered, so it
  cannot fail to lower (an unused complex argmin under jit computes)."""
  live = {v for v in jaxpr.outvars if type(v) is not Literal}
  kept = []
  for eqn in reversed(jaxpr.eqns):
    if eqn.effects or _has_effects(eqn.params) or any(v in live for v in eqn.outvars):
      kept.append(eqn)
      live.update(v for v in eqn.invars if type(v) is not Literal)
  kept.reverse()
  return kept


def used_inputs(jaxpr: Jaxpr) -> list:
  """Per input of ``jaxpr``, whether the lowered program reads it (the
  equations ``_live_eqns`` keeps, or the results themselves, use it): JAX
  leaves the others out of a jitted program unless ``keep_unused=True``.

  >>> import jaxlite
  >>> used_inputs(jaxlite.make_jaxpr(lambda x, y: x * 2)(1.0, 2.0).jaxpr)
  [True, False]
  """
  live = {v for v in jaxpr.outvars if type(v) is not Literal}
  for eqn in _live_eqns(jaxpr):
    live.update(v for v in eqn.invars if type(v) is not Literal)
  return [v in live for v in jaxpr.invars]


def keep_inputs(closed_jaxpr: ClosedJaxpr, kept, donated=(), arg_names=None):
  """``(closed_jaxpr, donated, arg_names)`` of the program that takes only the
  inputs at the positions ``kept`` (see ``used_inputs``). ``arg_names`` name
  the inputs after the leading constants (the ones ``arg_names`` does not cover).

  >>> import jaxlite
  >>> closed = jaxlite.make_jaxpr(lambda x, y: x * 2)(1.0, 2.0)
  >>> keep_inputs(closed, (0,), (False, True), ["x", "y"])[1:]
  ((False,), ['x'])
  """
  invars = closed_jaxpr.jaxpr.invars
  pruned = ClosedJaxpr(closed_jaxpr.jaxpr.replace(invars=[invars[i] for i in kept]),
                       closed_jaxpr.consts)
  if donated:
    donated = tuple(donated[i] for i in kept)
  if arg_names:
    n_consts = len(invars) - len(arg_names)
    arg_names = [arg_names[i - n_consts] for i in kept if i >= n_consts]
  return pruned, donated, arg_names


def _has_effects(params) -> bool:
  for value in params.values():
    for item in value if isinstance(value, (tuple, list)) else (value,):
      if isinstance(item, (Jaxpr, core.ClosedJaxpr)) and item.effects:
        return True
  return False


def _is_ir_value(x):
  return isinstance(x, mlir().ir.Value)


def lower_fun(fun: Callable, multiple_results: bool = True):
  """Makes a lowering rule from a Python function of lax operations.

  The function is traced to a jaxpr at the operand avals and that jaxpr is
  lowered inline: composite primitives are written once, in lax."""
  def rule(ctx: LoweringRuleContext, *args, **params):
    from jaxlite.interpreters import partial_eval as pe
    jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(
        lambda *xs: _as_list(fun(*xs, **params), multiple_results), ctx.avals_in)
    # Its operations are located as the equation being lowered (JAX lowers
    # most such primitives with rules of their own).
    out = jaxpr_subcomp(ctx.module_context, jaxpr, [_const_to_host(c) for c in consts], *args,
                        locate=False)
    return out if multiple_results else out[0]
  return rule


def _as_list(x, multiple_results):
  return list(x) if multiple_results else [x]


def _const_to_host(c):
  return np.asarray(c)


def lower_jaxpr_to_fun(module_context: ModuleContext, name: str, closed_jaxpr: ClosedJaxpr,
                       public=False, arg_attrs=None, result_attrs=None, arg_names=None,
                       main_name_stack=None):
  """Adds a ``func.func`` computing ``closed_jaxpr`` to the module; returns the FuncOp.

  ``main_name_stack`` (a module's ``main`` only: ``jit(f)``) names its
  operations, located where lowering was asked for; a private function's
  names are its own (a caller's would be wrong for its other callers: XLA
  joins them when it inlines the call). ``arg_names`` locate the arguments."""
  m = mlir()
  ir = m.ir
  in_types = [aval_to_ir_type(a) for a in closed_jaxpr.in_avals]
  out_types = [aval_to_ir_type(a) for a in closed_jaxpr.out_avals]
  n_dims = len(module_context.dim_vars)
  if n_dims:
    in_types = [module_context.dim_var_type] * n_dims + in_types
  ftype = ir.FunctionType.get(in_types, out_types)
  with ir.InsertionPoint(module_context.module.body):
    fn = m.func.FuncOp(name, ftype)
  fn.attributes["sym_visibility"] = ir.StringAttr.get("public" if public else "private")
  if arg_attrs is not None:
    fn.arg_attrs = ir.ArrayAttr.get([ir.DictAttr.get(a) for a in arg_attrs])
  if result_attrs is not None:
    fn.result_attrs = ir.ArrayAttr.get([ir.DictAttr.get(a) for a in result_attrs])
  module_context.symbol_table.insert(fn)
  if arg_names is not None:
    block = fn.add_entry_block(locations.argument_locations(ir, arg_names, len(in_types)))
  else:
    with ir.Location.unknown():
      block = fn.add_entry_block()
  if main_name_stack is not None:
    function_names = main_name_stack
    function_traceback = source_info_util.current().traceback
    function_loc = locations.location(ir, None, main_name_stack, function_traceback)
  else:
    function_names, function_loc, function_traceback = NameStack(), ir.Location.unknown(), None
  outer_names, outer_traceback = module_context.name_stack, module_context.outer_traceback
  caller_traceback = module_context.traceback
  module_context.name_stack = function_names
  module_context.outer_traceback = function_traceback
  module_context.traceback = None   # a function's locations are its own, not a caller's
  outer_dim_values = module_context.dim_var_values
  module_context.dim_var_values = dict(zip(module_context.dim_vars, block.arguments[:n_dims]))
  outer_polymorphic = _polymorphic_context[0]
  if n_dims:
    _polymorphic_context[0] = module_context
  try:
    with ir.InsertionPoint(block), function_loc:
      outs = jaxpr_subcomp(module_context, closed_jaxpr.jaxpr, closed_jaxpr.consts,
                           *list(block.arguments)[n_dims:])
      if any(type(a) is core.AbstractToken for a in closed_jaxpr.out_avals):
        outs = _distinct_tokens(outs, out_types)
      m.func.ReturnOp(outs)
  finally:
    module_context.name_stack = outer_names
    module_context.outer_traceback = outer_traceback
    module_context.traceback = caller_traceback
    module_context.dim_var_values = outer_dim_values
    _polymorphic_context[0] = outer_polymorphic
  return fn


# The module context of the shape-polymorphic function being lowered (None
# outside one): helpers without a context argument (broadcast_in_dim,
# full_like_aval) build its dynamic shapes from its dimension variables.
_polymorphic_context: list = [None]


def _is_static_shape(shape) -> bool:
  return all(isinstance(d, (int, np.integer)) for d in shape)


def _distinct_tokens(outs, out_types):
  """``outs`` with each repeated token result replaced by a fresh ``after_all``
  of it (the same ordering): XLA's CPU client aborts the process on a program
  that returns one token twice (JAX 0.10.2 aborts there).
  """
  token_type = mlir().hlo.TokenType.get()
  returned, distinct = [], []
  for value, ir_type in zip(outs, out_types):
    if ir_type == token_type:
      if any(value == seen for seen in returned):
        value = mlir().hlo.after_all([value])
      returned.append(value)
    distinct.append(value)
  return distinct


def call_lowering(ctx: LoweringRuleContext, *args, name: str, jaxpr: ClosedJaxpr):
  """Lowers a call to ``jaxpr`` as ``func.call`` of a private function (made once per jaxpr)."""
  m = mlir()
  mc = ctx.module_context
  key = id(jaxpr)
  fn = mc.cached_functions.get(key)
  if fn is None:
    fn = lower_jaxpr_to_fun(mc, _sanitize(name), jaxpr)
    mc.cached_functions[key] = fn
    mc.keepalives.append(jaxpr)
  out_types = [aval_to_ir_type(a) for a in jaxpr.out_avals]
  sym = m.ir.FlatSymbolRefAttr.get(m.ir.StringAttr(fn.attributes["sym_name"]).value)
  dim_values = [mc.dim_var_values[name] for name in mc.dim_vars]
  # The call is named as JAX names it ("<names>/jit(f)"); XLA prefixes that to
  # the names inside when it inlines the function.
  with locations.location(m.ir, None, mc.name_stack.extend(f"jit({name})"), mc.traceback):
    call = m.func.CallOp(out_types, sym, dim_values + list(args))
  return list(call.results)


def _sanitize(name: str) -> str:
  out = "".join(c if c.isalnum() or c in "_." else "_" for c in name)
  return out or "fn"


class LoweredModule(NamedTuple):
  module: Any          # ir.Module
  text: str
  module_context: ModuleContext
  num_args: int = 0    # main's arguments


def lower_jaxpr_to_module(closed_jaxpr: ClosedJaxpr, *, name="main_module", platform="cpu",
                          axis_context=AxisContext(), num_replicas=1,
                          donated_args: Sequence[bool] | None = None,
                          num_partitions=1, spmd=None,
                          aliased_outputs: Sequence[int | None] | None = None,
                          result_names: Sequence[str] | None = None,
                          arg_names: Sequence[str] | None = None) -> LoweredModule:
  """Builds and verifies a StableHLO module whose ``main`` computes ``closed_jaxpr``.

  ``spmd`` (see ``jaxlite.interpreters.spmd``) adds the Shardy mesh
  and the arguments' and results' sharding attributes of a program that XLA's
  SPMD partitioner splits over ``num_partitions`` devices. ``aliased_outputs``
  gives per argument the result that may reuse its buffer (a ref's final value).
  ``result_names`` (one per result, see ``api_util.result_paths``) become the
  results' ``jax.result_info`` attributes, as in JAX's modules; ``arg_names``
  (the function's arguments after its leading constants) locate the arguments.
  Operations are located as JAX locates them (``jaxlite.interpreters.locations``):
  the text leaves locations out, the module keeps them for XLA."""
  m = mlir()
  ir = m.ir
  with make_ir_context(), ir.Location.unknown(), monitoring.timed_event(
      monitoring.JAXPR_TO_MLIR_MODULE_EVENT, monitoring.compiled_function_name(name)):
    module = ir.Module.create()
    module.operation.attributes["sym_name"] = ir.StringAttr.get(_sanitize(name).rstrip("_"))   # as JAX: XLA would alter a trailing "_"
    i32 = ir.IntegerType.get_signless(32)
    module.operation.attributes["mhlo.num_replicas"] = ir.IntegerAttr.get(i32, num_replicas)
    module.operation.attributes["mhlo.num_partitions"] = ir.IntegerAttr.get(
        i32, num_partitions)
    mc = ModuleContext(module, platform, axis_context, num_replicas)
    locations.start_module()
    arg_attrs = result_attrs = None
    if donated_args is not None and any(donated_args):
      arg_attrs = _donation_attrs(closed_jaxpr, donated_args, spmd, i32)
    if aliased_outputs is not None and any(o is not None for o in aliased_outputs):
      arg_attrs = [({"tf.aliasing_output": ir.IntegerAttr.get(i32, o)} if o is not None else {})
                   for o in aliased_outputs]
    if spmd is not None:
      arg_attrs, result_attrs = spmd.add_to_module(mc, arg_attrs, len(closed_jaxpr.in_avals),
                                                   len(closed_jaxpr.out_avals))
    if result_names is not None and len(result_names) == len(closed_jaxpr.out_avals):
      result_attrs = result_attrs or [{} for _ in result_names]
      for attrs, result_name in zip(result_attrs, result_names):
        attrs["jax.result_info"] = ir.StringAttr.get(result_name)
    lower_jaxpr_to_fun(mc, "main", closed_jaxpr, public=True, arg_attrs=arg_attrs,
                       result_attrs=result_attrs, arg_names=arg_names,
                       main_name_stack=locations.main_name_stack(name))
    if not module.operation.verify():
      raise RuntimeError(f"jaxlite produced an invalid StableHLO module:\n{module}")
    text = module.operation.get_asm(enable_debug_info=False)
  return LoweredModule(module, text, mc, len(closed_jaxpr.in_avals) + len(mc.dim_vars))


def _donation_attrs(closed_jaxpr, donated_args, spmd, i32):
  """Each argument's donation attribute, as JAX plans it (see
  ``jaxlite.interpreters.donation``): ``tf.aliasing_output`` for an argument
  a result reuses, ``jax.buffer_donor`` for one XLA may reuse; JAX's warning
  for donated arguments no result can use."""
  from jaxlite.interpreters import donation
  ir = mlir().ir
  in_avals, out_avals = closed_jaxpr.in_avals, closed_jaxpr.out_avals
  if spmd is None:
    plan = donation.plan(donated_args, in_avals, out_avals)
  else:
    in_avals, out_avals, in_kinds, out_kinds, known = spmd.per_device_view()
    plan = donation.plan(donated_args, in_avals, out_avals, in_kinds, out_kinds, known)
  donation.warn_unused(plan, in_avals)
  attrs = []
  for alias, donor in zip(plan.aliases, plan.donors):
    if alias is not None:
      attrs.append({"tf.aliasing_output": ir.IntegerAttr.get(i32, alias)})
    else:
      attrs.append({"jax.buffer_donor": ir.BoolAttr.get(True)} if donor else {})
  return attrs


# --- helpers for rule writers --------------------------------------------------------


def hlo():
  """The ``stablehlo`` dialect module (for rules: ``mlir.hlo().add(x, y)``)."""
  return mlir().hlo


def chlo():
  return mlir().chlo


def ir():
  return mlir().ir


def dense_int_array(xs):
  return mlir().ir.DenseI64ArrayAttr.get([int(x) for x in xs])


def i64_attr(x):
  ir = mlir().ir
  return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(x))


def broadcast_in_dim(x, aval_out: ShapedArray, broadcast_dimensions):
  if not _is_static_shape(aval_out.shape):   # shape-polymorphic export
    return core.symbolic_dimensions().broadcast_in_dim(_polymorphic_context[0], x, aval_out,
                                                       broadcast_dimensions)
  return mlir().hlo.broadcast_in_dim(aval_to_ir_type(aval_out), x,
                                     dense_int_array(broadcast_dimensions))


def iota(aval_out: ShapedArray, dimension: int):
  """``stablehlo.iota`` of ``aval_out`` (``dynamic_iota`` where its shape is symbolic)."""
  if not _is_static_shape(aval_out.shape):   # shape-polymorphic export
    return core.symbolic_dimensions().iota(_polymorphic_context[0], aval_out, dimension)
  return mlir().hlo.iota(aval_to_ir_type(aval_out), i64_attr(dimension))


def convert(x, aval_out: ShapedArray):
  return mlir().hlo.convert(aval_to_ir_type(aval_out), x)


def compare(x, y, direction: str, compare_type: str | None = None):
  """``stablehlo.compare``; ``compare_type`` is FLOAT, SIGNED, UNSIGNED or TOTALORDER."""
  m = mlir()
  dir_attr = m.hlo.ComparisonDirectionAttr.get(direction)
  if compare_type is None:
    elem = m.ir.RankedTensorType(x.type).element_type
    if isinstance(elem, m.ir.IntegerType):
      compare_type = "UNSIGNED" if m.ir.IntegerType(elem).is_unsigned or \
          m.ir.IntegerType(elem).width == 1 else "SIGNED"
    else:
      compare_type = "FLOAT"
  return m.hlo.compare(x, y, dir_attr, compare_type=m.hlo.ComparisonTypeAttr.get(compare_type))


def full_like_aval(value, aval: ShapedArray):
  """A constant of ``aval``'s shape and dtype filled with ``value``, made
  without a host array of that shape (a splat attribute, or a broadcast scalar
  for complex types, which MLIR cannot splat).

  >>> full_like_aval(0.5, ShapedArray((2**26,), np.float32))   # doctest: +SKIP
  """
  m = mlir()
  dtype = np.dtype(aval.dtype)
  if dtype == dtypes.float0:
    dtype = np.dtype(np.bool_)
  if not _is_static_shape(aval.shape):   # shape-polymorphic export: a broadcast scalar
    scalar = full_like_aval(value, ShapedArray((), dtype))
    return broadcast_in_dim(scalar, ShapedArray(aval.shape, dtype), ())
  ir_type = aval_to_ir_type(ShapedArray(aval.shape, dtype))
  if dtype.kind == "c":
    scalar_type = m.ir.RankedTensorType.get((), dtype_to_ir_type(dtype))
    scalar = m.hlo.constant(_dense_attr(np.asarray(value, dtype).reshape(()), scalar_type))
    return m.hlo.broadcast_in_dim(ir_type, scalar, dense_int_array(()))
  return m.hlo.constant(m.ir.DenseElementsAttr.get_splat(ir_type, _scalar_attr(value, dtype)))


# --- host callbacks --------------------------------------------------------------------------


def emit_python_callback(ctx: LoweringRuleContext, callback, operands, result_avals,
                         has_side_effect: bool):
  """Calls the Python function ``callback`` from inside the compiled program.

  jaxlib's CPU runtime provides the FFI target ``xla_ffi_python_cpu_callback``;
  the callable is registered with the module (``host_callbacks``) and handed
  to the compiler, and the custom call names it by index. ``callback`` gets
  NumPy arrays and must return a sequence of arrays matching ``result_avals``.
  """
  m = mlir()
  ir = m.ir
  mc = ctx.module_context
  if mc.platform != "cpu":
    raise NotImplementedError(f"host callbacks are not supported on {mc.platform}")
  mc.host_callbacks.append(callback)
  index = len(mc.host_callbacks) - 1
  u64 = ir.IntegerType.get_unsigned(64)
  result_types = [aval_to_ir_type(a) for a in result_avals]
  op = m.hlo.CustomCallOp(
      result_types, list(operands),
      call_target_name=ir.StringAttr.get("xla_ffi_python_cpu_callback"),
      has_side_effect=ir.BoolAttr.get(has_side_effect),
      api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
      backend_config=ir.DictAttr.get({"index": ir.IntegerAttr.get(u64, index)}))
  pin_to_first_device(mc, op, len(result_types))
  return list(op.results)


_MAXIMAL_MESH = "maximal_mesh_0"


def pin_to_first_device(module_context, op, num_results: int):
  """In an SPMD module, runs the host-callback ``op`` on the mesh's first
  device only, as JAX does (XLA's partitioner requires a sharding on every
  side-effecting op): ``sdy.sharding`` on a one-device ``@maximal_mesh_0``."""
  if getattr(module_context, "spmd_mesh", None) is None:
    return
  m = mlir()
  ir = m.ir
  if not getattr(module_context, "declared_maximal_mesh", False):
    module_context.declared_maximal_mesh = True
    body = module_context.module.body
    ops = list(body.operations)
    # Right after the module's @mesh, where JAX declares it.
    point = ir.InsertionPoint(ops[1]) if len(ops) > 1 else ir.InsertionPoint(body)
    with point:
      mesh_op = m.sdy.MeshOp(_MAXIMAL_MESH, ir.Attribute.parse("#sdy.mesh<[], device_ids=[0]>"))
    mesh_op.attributes["stablehlo.mesh"] = ir.Attribute.parse(
        "{axes = [], device_ids = dense<0> : tensor<1xi64>}")
  per_value = ", ".join([f"<@{_MAXIMAL_MESH}, []>"] * max(1, num_results))
  op.attributes["sdy.sharding"] = ir.Attribute.parse(f"#sdy.sharding_per_value<[{per_value}]>")
