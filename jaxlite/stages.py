"""``jax.stages``: a jitted function's ahead-of-time stages.

``jit(f)`` is a ``Wrapped`` function; ``.trace(*args)`` stages it to a jaxpr
(``Traced``), ``.lower()`` emits StableHLO for the argument types
(``Lowered``), ``.compile()`` has XLA build the executable (``Compiled``),
which is then called like ``f``:

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> traced = jaxlite.jit(lambda x, y: {"s": x + y}).trace(jnp.ones(2), 1.0)
  >>> traced.out_info
  {'s': ShapeDtypeStruct(shape=(2,), dtype=float32)}
  >>> compiled = traced.lower().compile()
  >>> compiled(jnp.ones(2), 2.0)
  {'s': Array([3., 3.], dtype=float32)}
"""
from __future__ import annotations

from typing import Any, Protocol

from jaxlite import api_util, core, tree_util

# XLA compiler options by name (``jit(compiler_options=...)``,
# ``Lowered.compile(compiler_options)``), as JAX's type alias.
CompilerOptions = dict[str, str | bool]


class ArgInfo:
  """One argument of a staged function: its abstract value and whether it is donated."""
  __slots__ = ("_aval", "donated")

  def __init__(self, aval, donated: bool):
    self._aval = aval
    self.donated = donated

  shape = property(lambda self: self._aval.shape)
  dtype = property(lambda self: self._aval.dtype)

  def __repr__(self):
    return f"ArgInfo(_aval={self._aval!r}, donated={self.donated})"

  def __eq__(self, other):
    return (isinstance(other, ArgInfo) and self._aval == other._aval
            and self.donated == other.donated)

  def __hash__(self):
    return hash((self._aval, self.donated))


class Wrapped(Protocol):
  """A function transformed by ``jit``: call it, or stage it ahead of time."""

  def __call__(self, *args, **kwargs): ...

  def trace(self, *args, **kwargs) -> "Traced": ...

  def lower(self, *args, **kwargs) -> "Lowered": ...

  def eval_shape(self, *args, **kwargs) -> Any: ...


def _out_info(entry, with_weak_type, sharding=None):
  from jaxlite.api import ShapeDtypeStruct
  return tree_util.tree_unflatten(entry.out_tree, [
      ShapeDtypeStruct(a.shape, a.dtype, sharding=sharding,
                       weak_type=with_weak_type and a.weak_type)
      for a in entry.closed_jaxpr.out_avals])


class Stage:
  """What every stage knows: the argument and result structure and types."""

  def _init_stage(self, jitted, entry, in_tree, args_info):
    self._jitted = jitted
    self._entry = entry
    self._in_tree = in_tree
    self.args_info = args_info

  @property
  def in_tree(self):
    """The pytree structure of ``(args, kwargs)`` (static arguments left out)."""
    return self._in_tree

  @property
  def out_tree(self):
    return self._entry.out_tree

  @property
  def in_avals(self):
    return tree_util.tree_unflatten(self._in_tree, [a._aval for a in
                                                    tree_util.tree_leaves(self.args_info)])

  @property
  def donate_argnums(self):
    return self._jitted.donate_argnums


class Traced(Stage):
  """A jitted function staged to a jaxpr for specific argument types.

  The constructor takes JAX's parameters: the flat argument types, the jit's
  parameters (``params['jaxpr']`` the closed jaxpr, ``params['name']``,
  ``params['donated_invars']``), the input and output pytree structures and
  the constants the jaxpr's leading inputs take.
  """

  def __init__(self, meta_tys_flat, params, in_tree, out_tree, consts):
    self._meta_tys_flat = list(meta_tys_flat)
    self._params = params
    self._consts = list(consts)
    closed = params["jaxpr"]
    n = len(self._consts)
    donated = params.get("donated_invars") or (False,) * len(closed.in_avals)
    args_info = make_args_info(in_tree, closed.in_avals[n:], donated[n:])
    self._init_stage(params.get("_jitted"), params.get("_entry"), in_tree, args_info)
    self._out_tree = out_tree

  @classmethod
  def _make(cls, jitted, entry, in_tree, args_info):
    """The Traced stage of jaxlite's jit cache entry ``entry``."""
    params = {"jaxpr": entry.closed_jaxpr, "name": entry.name,
              "donated_invars": tuple(entry.donated) if entry.donated else None,
              "_jitted": jitted, "_entry": entry}
    traced = cls([a._aval for a in tree_util.tree_leaves(args_info)], params, in_tree,
                 entry.out_tree, entry.consts)
    traced.args_info = args_info
    return traced

  @property
  def out_tree(self):
    return self._out_tree

  @property
  def jaxpr(self) -> core.ClosedJaxpr:
    return self._params["jaxpr"]

  @property
  def fun_name(self) -> str:
    return self._params["name"]

  @property
  def out_info(self):
    return _out_info(self._entry, with_weak_type=True)

  @property
  def out_avals(self):
    return tree_util.tree_unflatten(self._out_tree, self.jaxpr.out_avals)

  def lower(self, *, lowering_platforms=None, _private_parameters=None) -> "Lowered":
    """Emits the StableHLO module for the default (or the jit's) device, or for
    ``lowering_platforms[0]`` (an SPMD module for another platform can be read,
    not compiled here)."""
    from jaxlite.interpreters import mlir
    from jaxlite.runtime import backend
    spmd_args = getattr(self, "_spmd_args", None)   # see Jitted.trace
    if spmd_args is not None:
      call_site, flat_args = spmd_args
      platform = lowering_platforms[0] if lowering_platforms else None
      if platform is not None and not _same_platform(platform, call_site, self._entry,
                                                      flat_args):
        module = _lower_spmd_for(call_site, self._entry, flat_args, platform)
        return Lowered._make(self._jitted, self._entry, self._in_tree, self.args_info,
                             module, None)
      program = call_site.program_for(self._entry, flat_args)
      lowered = Lowered._make(self._jitted, self._entry, self._in_tree, self.args_info,
                              program.lowered, program.devices[0])
      lowered._lowering.spmd_program = program
      return lowered
    device = self._jitted.device or backend.default_device()
    platform = lowering_platforms[0] if lowering_platforms else device.platform
    if getattr(self._entry.spmd, "takes_refs", False):   # jaxlite.state: discharged
      from jaxlite.state import staged
      module, _ = staged.lower_with_refs(self._entry, f"jit_{self._entry.name}", platform)
      return Lowered._make(self._jitted, self._entry, self._in_tree, self.args_info, module,
                           device)
    # As JAX's: the program leaves out the arguments it does not use.
    jaxpr, donated, arg_names = self._entry.program_parts()
    lowered = mlir.lower_jaxpr_to_module(jaxpr,
                                         name=f"jit_{self._entry.name}", platform=platform,
                                         donated_args=donated or None,
                                         result_names=api_util.result_paths(self._entry.out_tree),
                                         arg_names=arg_names)
    return Lowered._make(self._jitted, self._entry, self._in_tree, self.args_info, lowered,
                         device)


def _platform_name(platform: str) -> str:
  # 'gpu' names whichever GPU platform a device reports (cuda or rocm).
  platform = platform.lower()
  return "gpu" if platform in ("cuda", "rocm", "gpu") else platform


def _spmd_plan(call_site, entry, flat_args):
  """The mesh and input shardings ``call_site.program_for`` would compile with."""
  from jaxlite.interpreters import spmd
  args = list(entry.consts) + list(flat_args)
  in_shardings = [None] * len(entry.consts) + call_site.in_shardings
  mesh = spmd._program_mesh(args, in_shardings, call_site.out_shardings, entry.closed_jaxpr)
  shardings, _ = spmd.plan_inputs(args, in_shardings, mesh, call_site.fun_name)
  return mesh, shardings


def _same_platform(platform, call_site, entry, flat_args) -> bool:
  mesh, _ = _spmd_plan(call_site, entry, flat_args)
  return _platform_name(platform) == _platform_name(mesh._flat_devices_tuple[0].platform)


def _lower_spmd_for(call_site, entry, flat_args, platform):
  """The SPMD module of a jitted call lowered for ``platform`` (not this
  process's devices'): the same module ``program_for`` compiles, uncompiled."""
  from jaxlite.interpreters import mlir, spmd
  from jaxlite.sharding import NamedSharding
  mesh, shardings = _spmd_plan(call_site, entry, flat_args)
  closed = entry.closed_jaxpr
  out_shardings = [NamedSharding(mesh, a._sharding.spec)
                   if s is None and getattr(a, "_sharding", None) is not None else s
                   for s, a in zip(call_site.out_shardings, closed.out_avals)]
  annotations = spmd.SpmdAnnotations(mesh, shardings, out_shardings, closed.in_avals,
                                     closed.out_avals)
  return mlir.lower_jaxpr_to_module(
      closed, name=f"jit_{entry.name}", platform=platform, donated_args=entry.donated or None,
      num_partitions=len(mesh._flat_devices_tuple), spmd=annotations,
      result_names=api_util.result_paths(entry.out_tree))


class Lowering:
  """jaxlite's lowering of a jitted function (what ``Lowered`` wraps, as JAX's
  ``Lowered`` wraps its own): the module, the device it is for (None: another
  platform's module, not compiled here), and the jit cache entry; for an SPMD
  program, the program itself (compiled when it was lowered)."""

  def __init__(self, module, device, jitted=None, entry=None, in_tree=None):
    self.spmd_program = None
    self.module = module
    self.device = device
    self.jitted = jitted
    self.entry = entry
    self.in_tree = in_tree


class Lowered(Stage):
  """A jitted function lowered to StableHLO for specific argument types.

  The constructor takes JAX's parameters: the lowering (a ``Lowering``), the
  ``ArgInfo`` tree, the output pytree structure and JAX's optional extras.
  """

  def __init__(self, lowering, args_info, out_tree, no_kwargs=False, in_types=None,
               out_types=None):
    self._lowering = lowering
    self._no_kwargs = no_kwargs
    self._in_types = in_types
    self._out_types = out_types
    in_tree = lowering.in_tree or tree_util.tree_structure(args_info)
    self._init_stage(lowering.jitted, lowering.entry, in_tree, args_info)
    self._out_tree = out_tree
    self._lowered = lowering.module
    self._device = lowering.device

  @classmethod
  def _make(cls, jitted, entry, in_tree, args_info, module, device):
    return cls(Lowering(module, device, jitted, entry, in_tree), args_info, entry.out_tree)

  @property
  def out_tree(self):
    return self._out_tree

  @property
  def out_info(self):
    return _out_info(self._entry, with_weak_type=False)

  def as_text(self, dialect=None, *, debug_info=False) -> str:
    """The module as text: StableHLO (default) or ``dialect="hlo"``."""
    if dialect == "hlo":
      from jaxlib import _hlo
      options = _hlo.HloPrintOptions.short_parsable()
      options.print_metadata = debug_info
      return self.compiler_ir("hlo").as_hlo_module().to_string(options)
    if dialect not in (None, "stablehlo"):
      raise ValueError(f"unknown dialect: {dialect}")
    if debug_info:   # the operations' locations, as XLA gets them
      return self._lowered.module.operation.get_asm(enable_debug_info=True)
    return self._lowered.text

  def compiler_ir(self, dialect=None):
    """The MLIR module (``"stablehlo"``) or XLA computation (``"hlo"``)."""
    if dialect in (None, "stablehlo"):
      return self._lowered.module
    if dialect == "hlo":   # from the module itself: its locations become HLO metadata
      import io
      from jaxlib import _jax
      bytecode = io.BytesIO()
      self._lowered.module.operation.write_bytecode(file=bytecode)
      return _jax.mlir.mlir_module_to_xla_computation(bytecode.getvalue(), False, False)
    raise ValueError(f"unknown dialect: {dialect}")

  def cost_analysis(self) -> dict:
    """XLA's cost estimate of the unoptimised module (flops, bytes accessed ...)."""
    from jaxlib import _jax
    from jaxlite.runtime import backend
    client = backend.get_backend(self._device.platform)
    return _jax.hlo_module_cost_analysis(client, self.compiler_ir("hlo").get_hlo_module())

  def compile(self, compiler_options=None) -> "Compiled":
    """Has XLA compile the module for the device."""
    from jaxlite.runtime import executable
    program = self._lowering.spmd_program   # an SPMD program is compiled when lowered
    if program is not None:
      return Compiled._make(self._jitted, self._entry, self._in_tree, self.args_info, program)
    if self._device is None:
      platform = self._lowered.module_context.platform
      raise RuntimeError(f"This module was lowered for {platform!r}, which has no device "
                         "in this process; it cannot be compiled here.")
    lowered = self._lowered
    if getattr(self._entry.spmd, "takes_refs", False):   # no donation of refs' buffers
      from jaxlite.state import staged
      lowered, _ = staged.lower_with_refs(self._entry, f"jit_{self._entry.name}",
                                          lowered.module_context.platform, alias=False)
    loaded = executable.compile_module(
        lowered.text, [self._device],
        host_callbacks=lowered.module_context.host_callbacks,
        module=lowered.module,
        compiler_options=compiler_options or getattr(self._jitted, "compiler_options", None),
        num_args=lowered.num_args, num_results=len(self._entry.closed_jaxpr.out_avals))
    out_avals = self._entry.closed_jaxpr.out_avals
    if getattr(self._entry.spmd, "takes_refs", False):   # refs' final values follow
      from jaxlite.state.discharge import discharged_closed_jaxpr
      out_avals = discharged_closed_jaxpr(self._entry.closed_jaxpr).out_avals
    exe = executable.Executable(loaded, self._device, out_avals, self._lowered.text)
    return Compiled._make(self._jitted, self._entry, self._in_tree, self.args_info, exe)


class Compiled(Stage):
  """An XLA executable for a jitted function at specific argument types.

  The constructor takes JAX's parameters: the executable (jaxlite's
  ``Executable`` or SPMD program), the constant arguments passed ahead of the
  call's, the ``ArgInfo`` tree, the output pytree structure and JAX's extras.
  """

  def __init__(self, executable, const_args, args_info, out_tree, no_kwargs=False,
               in_types=None, out_types=None):
    self._exe = executable
    self._const_args = list(const_args)
    self._no_kwargs = no_kwargs
    self._in_types = in_types
    self._out_types = out_types
    self._init_stage(None, None, tree_util.tree_structure(args_info), args_info)
    self._out_tree = out_tree

  @classmethod
  def _make(cls, jitted, entry, in_tree, args_info, exe):
    compiled = cls(exe, entry.consts, args_info, entry.out_tree)
    compiled._init_stage(jitted, entry, in_tree, args_info)
    return compiled

  @property
  def out_tree(self):
    return self._out_tree

  @property
  def out_info(self):
    """The results' shapes and dtypes, with where they are placed (``sharding``)."""
    from jaxlite.sharding import SingleDeviceSharding
    return _out_info(self._entry, with_weak_type=False,
                     sharding=SingleDeviceSharding(self._exe.device))

  def as_text(self) -> str:
    """The optimised HLO that XLA runs."""
    return self._exe.loaded.get_hlo_text()

  def cost_analysis(self) -> dict:
    """XLA's cost figures of the optimised program (flops, bytes accessed, ...)."""
    return self._exe.loaded.cost_analysis()

  def memory_analysis(self):
    """XLA's memory figures (argument, output, temporary sizes in bytes)."""
    return self._exe.loaded.get_compiled_memory_stats()

  def runtime_executable(self):
    """jaxlib's loaded executable."""
    return self._exe.loaded

  def _single_device_shardings(self, tree):
    from jaxlite.sharding import SingleDeviceSharding
    sharding = SingleDeviceSharding(self._exe.device)
    return tree_util.tree_map(lambda _: sharding, tree)

  @property
  def input_shardings(self):
    n = len(self._entry.consts)
    if hasattr(self._exe, "in_shardings"):   # an SPMD program
      flat = self._exe.in_shardings[n:]
    else:
      from jaxlite.sharding import SingleDeviceSharding
      flat = [SingleDeviceSharding(self._exe.device)] * self._in_tree.num_leaves
    kept = self._entry.kept
    if kept is not None:   # as JAX's: None for the arguments the program leaves out
      kept = set(kept)
      flat = [s if i + n in kept else None for i, s in enumerate(flat)]
    return tree_util.tree_unflatten(self._in_tree, flat)

  @property
  def output_shardings(self):
    if hasattr(self._exe, "out_shardings"):
      return tree_util.tree_unflatten(self._entry.out_tree, self._exe.out_shardings)
    return self._single_device_shardings(self.out_info)

  def __call__(self, *args, **kwargs):
    if hasattr(self._exe, "in_shardings"):   # SPMD: the jitted function's call path
      return self._jitted(*args, **kwargs)
    dyn_args, dyn_kwargs, _, _ = self._jitted._split_args(args, kwargs)
    flat_args, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
    if getattr(self._entry.spmd, "takes_refs", False) and in_tree == self._in_tree:
      from jaxlite.state import staged
      outs = staged.call_compiled(self._exe, self._entry, flat_args)
      return tree_util.tree_unflatten(self._entry.out_tree, outs)
    from jaxlite.interpreters.dispatch import _to_array
    check_in_tree_for_call(self._in_tree, in_tree)
    flat_args = [_to_array(x) for x in flat_args]
    check_arg_avals_for_call(self._entry.in_avals[len(self._entry.consts):],
                             [a.aval for a in flat_args], self._entry.arg_names)
    bufs = self._entry.kept_operands([c._buf for c in self._entry.consts] +
                                     [a._buf for a in flat_args])
    return tree_util.tree_unflatten(self._entry.out_tree, self._exe.call(bufs))


def check_in_tree_for_call(compiled_tree, call_tree):
  """JAX's TypeError when a compiled program is called with arguments of
  another structure than it was compiled for: each difference, where it is.

  >>> check_in_tree_for_call(tree_util.tree_structure(((0,), {})),
  ...                        tree_util.tree_structure(((0, 0), {})))
  Traceback (most recent call last):
  TypeError: Function compiled with input pytree does not match the input pytree it was \
called with. There are 1 mismatches, including:
      * at args, seen tuple of length 1 but now given tuple of length 2, so the lengths do not match
  """
  if call_tree == compiled_tree:
    return
  errors = list(tree_util.equality_errors_pytreedef(call_tree, compiled_tree))
  lines = ["Function compiled with input pytree does not match the input pytree it was "
           f"called with. There are {len(errors)} mismatches, including:"]
  for path, given, seen, why in errors:
    first, *rest = path
    base = ("args", "kwargs")[first.idx]
    lines.append(f"    * at {base}{tree_util.keystr(tuple(rest))}, seen {seen} but now "
                 f"given {given}, so {why}")
  raise TypeError("\n".join(lines))


def check_arg_avals_for_call(compiled_avals, call_avals, arg_names=None):
  """JAX's TypeError when a compiled program's arguments differ in shape or
  dtype (weak types and shardings aside) from what it was compiled for: the
  first five mismatches, each by its argument's name.

  >>> from jaxlite.core import ShapedArray
  >>> import numpy as np
  >>> check_arg_avals_for_call([ShapedArray((3,), np.dtype("float32"))],
  ...                          [ShapedArray((2,), np.dtype("float32"))], ["x"])
  Traceback (most recent call last):
  TypeError: Argument types differ from the types for which this computation was compiled. \
Perhaps you are calling the compiled executable with a different enable_x64 mode than when it \
was AOT compiled? The mismatches are:
  Argument 'x' compiled with float32[3] and called with float32[2]
  """
  if len(compiled_avals) != len(call_avals):
    raise TypeError(f"Computation compiled for {len(compiled_avals)} inputs "
                    f"but called with {len(call_avals)}")
  if arg_names is None or len(arg_names) != len(compiled_avals):
    arg_names = [""] * len(compiled_avals)
  errors = [f"Argument '{name}' compiled with {ref.str_short(short_dtypes=False)} and "
            f"called with {aval.str_short(short_dtypes=False)}"
            for ref, aval, name in zip(compiled_avals, call_avals, arg_names)
            if (ref.shape, ref.dtype) != (aval.shape, aval.dtype)]
  if errors:
    count = f"The first 5 of {len(errors)}" if len(errors) >= 5 else "The"
    raise TypeError(
        "Argument types differ from the types for which this computation was compiled. "
        "Perhaps you are calling the compiled executable with a different enable_x64 mode "
        f"than when it was AOT compiled? {count} mismatches are:\n" + "\n".join(errors[:5]))


def make_args_info(in_tree, in_avals, donated) -> Any:
  """The ``ArgInfo`` tree of a call's arguments."""
  return tree_util.tree_unflatten(
      in_tree, [ArgInfo(a, bool(d)) for a, d in zip(in_avals, donated)])


__all__ = ["ArgInfo", "CompilerOptions", "Wrapped", "Traced", "Lowered", "Compiled", "Lowering"]
