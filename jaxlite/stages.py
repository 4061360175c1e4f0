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

from jaxlite import core, tree_util

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

  def __init__(self, jitted, entry, in_tree, args_info):
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
  """A jitted function staged to a jaxpr for specific argument types."""

  @property
  def jaxpr(self) -> core.ClosedJaxpr:
    return self._entry.closed_jaxpr

  @property
  def fun_name(self) -> str:
    return self._entry.name

  @property
  def out_info(self):
    return _out_info(self._entry, with_weak_type=True)

  @property
  def out_avals(self):
    return tree_util.tree_unflatten(self._entry.out_tree, self._entry.closed_jaxpr.out_avals)

  def lower(self, *, lowering_platforms=None, _private_parameters=None) -> "Lowered":
    """Emits the StableHLO module for the default (or the jit's) device."""
    from jaxlite.interpreters import mlir
    from jaxlite.runtime import backend
    program = getattr(self, "_spmd_program", None)   # see Jitted.trace
    if program is not None:
      lowered = Lowered(self._jitted, self._entry, self._in_tree, self.args_info,
                        program.lowered, program.devices[0])
      lowered._spmd_program = program
      return lowered
    device = self._jitted.device or backend.default_device()
    platform = lowering_platforms[0] if lowering_platforms else device.platform
    lowered = mlir.lower_jaxpr_to_module(self._entry.closed_jaxpr,
                                         name=f"jit_{self._entry.name}", platform=platform,
                                         donated_args=self._entry.donated or None)
    return Lowered(self._jitted, self._entry, self._in_tree, self.args_info, lowered, device)


class Lowered(Stage):
  """A jitted function lowered to StableHLO for specific argument types."""

  def __init__(self, jitted, entry, in_tree, args_info, lowered, device):
    super().__init__(jitted, entry, in_tree, args_info)
    self._lowered = lowered
    self._device = device

  @property
  def out_info(self):
    return _out_info(self._entry, with_weak_type=False)

  def as_text(self, dialect=None, *, debug_info=False) -> str:
    """The module as text: StableHLO (default) or ``dialect="hlo"``."""
    if dialect == "hlo":
      return self.compiler_ir("hlo").as_hlo_text()
    if dialect not in (None, "stablehlo"):
      raise ValueError(f"unknown dialect: {dialect}")
    return self._lowered.text

  def compiler_ir(self, dialect=None):
    """The MLIR module (``"stablehlo"``) or XLA computation (``"hlo"``)."""
    if dialect in (None, "stablehlo"):
      return self._lowered.module
    if dialect == "hlo":
      from jaxlib import _jax
      return _jax.mlir.mlir_module_to_xla_computation(self._lowered.text, False, False)
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
    program = getattr(self, "_spmd_program", None)   # compiled when lowered
    if program is not None:
      return Compiled(self._jitted, self._entry, self._in_tree, self.args_info, program)
    loaded = executable.compile_module(
        self._lowered.text, [self._device],
        host_callbacks=self._lowered.module_context.host_callbacks,
        module=self._lowered.module,
        compiler_options=compiler_options or getattr(self._jitted, "compiler_options", None))
    exe = executable.Executable(loaded, self._device, self._entry.closed_jaxpr.out_avals,
                                self._lowered.text)
    return Compiled(self._jitted, self._entry, self._in_tree, self.args_info, exe)


class Compiled(Stage):
  """An XLA executable for a jitted function at specific argument types."""

  def __init__(self, jitted, entry, in_tree, args_info, exe):
    super().__init__(jitted, entry, in_tree, args_info)
    self._exe = exe

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
    if hasattr(self._exe, "in_shardings"):   # an SPMD program
      n = len(self._entry.consts)
      return tree_util.tree_unflatten(self._in_tree, self._exe.in_shardings[n:])
    return self._single_device_shardings(self.args_info)

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
    from jaxlite.interpreters.dispatch import _to_array
    flat_args = [_to_array(x) for x in flat_args]
    avals = [core.raise_to_shaped(a.aval) for a in flat_args]
    expected = self._entry.in_avals[len(self._entry.consts):]
    if in_tree != self._in_tree or \
        [a.strip_weak_type() for a in avals] != [a.strip_weak_type() for a in expected]:
      raise TypeError(
          "Argument types differ from the types for which this computation was compiled. "
          f"Expected {[a.str_short() for a in expected]}, got "
          f"{[a.str_short() for a in avals]}.")
    bufs = [c._buf for c in self._entry.consts] + [a._buf for a in flat_args]
    return tree_util.tree_unflatten(self._entry.out_tree, self._exe.call(bufs))


def make_args_info(in_tree, in_avals, donated) -> Any:
  """The ``ArgInfo`` tree of a call's arguments."""
  return tree_util.tree_unflatten(
      in_tree, [ArgInfo(a, bool(d)) for a, d in zip(in_avals, donated)])


__all__ = ["ArgInfo", "CompilerOptions", "Wrapped", "Traced", "Lowered", "Compiled"]
