"""``Exported``: a jitted function lowered to StableHLO, kept as a portable
(VHLO) artifact with its calling convention, callable again from jaxlite.

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> exp = export(jaxlite.jit(jnp.sin))(np.arange(4, dtype=np.float32))
  >>> exp.in_avals
  (ShapedArray(float32[4]),)
  >>> exp.call(np.array([.1, .2, .3, .4], dtype=np.float32))
  Array([0.09983342, 0.19866933, 0.29552022, 0.38941833], dtype=float32)
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core import ShapedArray
from jaxlite.export import shape_poly
from jaxlite.interpreters import mlir

# The calling conventions jaxlite's artifacts follow (JAX 0.10.2's range): one
# argument per input array and one result per output, no platform index and
# no effect tokens.
minimum_supported_calling_convention_version = 9
maximum_supported_calling_convention_version = 10


class DisabledSafetyCheck:
  """A safety check to skip when exporting (or deserializing).

  >>> DisabledSafetyCheck.custom_call("my_target")
  custom_call:my_target
  >>> DisabledSafetyCheck.custom_call("my_target").is_custom_call()
  'my_target'
  """
  _impl: str

  @classmethod
  def platform(cls) -> "DisabledSafetyCheck":
    """Allows the compilation platform to differ from the export platform."""
    return DisabledSafetyCheck("platform")

  @classmethod
  def custom_call(cls, target_name: str) -> "DisabledSafetyCheck":
    """Allows exporting a custom call ``target_name`` that is not known to be
    stable."""
    return DisabledSafetyCheck(f"custom_call:{target_name}")

  def is_custom_call(self) -> str | None:
    """The custom call target this check allows, if it is such a check."""
    match = re.match(r"custom_call:(.+)$", self._impl)
    return match.group(1) if match else None

  def __init__(self, _impl: str):
    self._impl = _impl

  def __str__(self):
    return self._impl
  __repr__ = __str__

  def __eq__(self, other) -> bool:
    return isinstance(other, DisabledSafetyCheck) and self._impl == other._impl

  def __hash__(self) -> int:
    return hash(self._impl)


@dataclasses.dataclass(frozen=True)
class Exported:
  """A function lowered to StableHLO for given argument types.

  Attributes:
    fun_name: the function's name.
    in_tree, out_tree: the pytree structures of ``(args, kwargs)`` and of the
      result.
    in_avals, out_avals: the flat argument and result types.
    in_shardings_hlo, out_shardings_hlo: per argument/result, ``None``
      (jaxlite exports single-device programs).
    nr_devices: the number of devices the module is lowered for (1).
    platforms: the platforms it was lowered for.
    ordered_effects, unordered_effects: the effects of the module (none).
    disabled_safety_checks: the checks skipped at export.
    mlir_module_serialized: the module as a portable VHLO artifact.
    calling_convention_version: the calling convention version.
    module_kept_var_idx: the indices of the arguments the module takes (all).
    uses_global_constants: whether the module needs shape refinement (it is
      shape-polymorphic: its dimension variables are global constants).
  """
  fun_name: str
  in_tree: Any
  in_avals: tuple
  out_tree: Any
  out_avals: tuple
  # JAX's named shardings of the arguments and results (jaxlite's exports
  # have none: single-device programs).
  _has_named_shardings: bool
  _in_named_shardings: tuple
  _out_named_shardings: tuple
  in_shardings_hlo: tuple
  out_shardings_hlo: tuple
  nr_devices: int
  platforms: tuple
  ordered_effects: tuple
  unordered_effects: tuple
  disabled_safety_checks: Sequence[DisabledSafetyCheck]
  mlir_module_serialized: bytes
  calling_convention_version: int
  module_kept_var_idx: tuple
  uses_global_constants: bool
  _get_vjp: Callable[["Exported"], "Exported"] | None

  def mlir_module(self, serialized: bool = True) -> Any:
    """The StableHLO module as text (or, with ``serialized=False``, as an
    ``ir.Module``).

    >>> import jaxlite, jaxlite.numpy as jnp
    >>> exp = export(jaxlite.jit(jnp.cos))(np.float32(1))
    >>> "stablehlo.cosine" in exp.mlir_module()
    True
    """
    from jaxlib import _jax
    with mlir.make_ir_context():
      module = _jax.mlir.deserialize_portable_artifact(self.mlir_module_serialized)
      return module.operation.get_asm(enable_debug_info=False) if serialized else module

  def __str__(self):
    return f"Exported(fun_name={self.fun_name}, ...)"

  def in_shardings_jax(self, mesh) -> Sequence:
    """Per argument, the sharding it was exported with (``None``: unspecified).

    >>> import jaxlite
    >>> export(jaxlite.jit(lambda x: x))(np.float32(1)).in_shardings_jax(None)
    (None,)
    """
    return tuple(None for _ in self.in_avals)

  def out_shardings_jax(self, mesh) -> Sequence:
    """Per result, the sharding it was exported with (``None``: unspecified)."""
    return tuple(None for _ in self.out_avals)

  def has_vjp(self) -> bool:
    """Whether :meth:`vjp` is available."""
    return self._get_vjp is not None

  def vjp(self) -> "Exported":
    """The exported VJP: it takes the flat primal arguments followed by one
    cotangent per flat result, and returns the cotangents of the flat
    arguments.

    >>> import jaxlite, jaxlite.numpy as jnp
    >>> exp = export(jaxlite.jit(jnp.sin))(np.float32(0))
    >>> exp.vjp().call(np.float32(0), np.float32(2))
    (Array(2., dtype=float32),)
    """
    if self._get_vjp is None:
      raise ValueError("No VJP is available")
    return self._get_vjp(self)

  def serialize(self, vjp_order: int = 0) -> bytearray:
    """The Exported as bytes (with ``vjp_order`` orders of VJPs), for
    :func:`deserialize`. The format is jaxlite's own (see docs/differences.md).

    >>> import jaxlite, jaxlite.numpy as jnp
    >>> blob = export(jaxlite.jit(jnp.sin))(np.float32(0)).serialize()
    >>> isinstance(blob, bytearray)
    True
    """
    from jaxlite.export.serialization import serialize
    return serialize(self, vjp_order=vjp_order)

  def call(self, *args, **kwargs):
    """Calls the exported function (eagerly or inside a transformation) with
    arguments of the structure and types it was exported for; reverse-mode
    differentiation uses :meth:`vjp`.

    >>> import jaxlite, jaxlite.numpy as jnp
    >>> exp = export(jaxlite.jit(lambda x, y: x * y))(np.float32(1), y=np.float32(1))
    >>> exp.call(np.float32(3), y=np.float32(4))
    Array(12., dtype=float32)
    """
    return call_exported(self)(*args, **kwargs)


def default_export_platform() -> str:
  """The platform exports are lowered for by default: the default backend's
  (``'cpu'``, ``'cuda'``, ``'rocm'`` or ``'tpu'``).

  >>> default_export_platform()
  'cpu'
  """
  from jaxlite.runtime import backend
  platform = backend.default_backend()
  if platform == "gpu":
    client = backend.get_backend()
    platform = "rocm" if "rocm" in client.platform_version.lower() else "cuda"
  return platform


# The custom-call targets whose behaviour JAX guarantees stable across
# versions (jaxlib's LAPACK/solver kernels and XLA's sharding markers): other
# targets cannot be exported unless a DisabledSafetyCheck allows them.
_LAPACK_ROUTINES = ("potrf", "geqrf", "orgqr", "syevd", "geev", "gesdd", "getrf", "sytrd",
                    "gehrd", "gees", "trsm", "gtsv")
_COMPLEX_NAMES = {"orgqr": "ungqr", "syevd": "heevd", "sytrd": "hetrd"}
_STABLE_CUSTOM_CALL_TARGETS = frozenset(
    [f"lapack_{p}{_COMPLEX_NAMES.get(r, r) if p in 'cz' else r}_ffi"
     for r in _LAPACK_ROUTINES for p in "sdcz"] +
    ["cu_lu_pivots_to_permutation", "cusolver_getrf_ffi", "hip_lu_pivots_to_permutation",
     "hipsolver_getrf_ffi", "cusolver_geqrf_ffi", "cusolver_orgqr_ffi", "hipsolver_geqrf_ffi",
     "hipsolver_orgqr_ffi", "cusolver_potrf_ffi", "hipsolver_potrf_ffi", "cusolver_syevd_ffi",
     "hipsolver_syevd_ffi", "cusolver_gesvd_ffi", "cusolver_gesvdj_ffi", "hipsolver_gesvd_ffi",
     "hipsolver_gesvdj_ffi", "hipsolver_gesdd_ffi", "cusolver_sytrd_ffi", "hipsolver_sytrd_ffi",
     "cusparse_gtsv2_ffi", "Sharding", "SPMDFullToShardShape", "SPMDShardToFullShape",
     "annotate_device_placement", "cu_threefry2x32_ffi", "hip_threefry2x32_ffi", "Eigh", "Qr",
     "ProductOfElementaryHouseholderReflectors", "LuDecomposition", "ApproxTopK",
     "stablehlo.dynamic_approx_top_k", "tf.call_tf_function", "tpu_custom_call",
     "AllocateBuffer", "mosaic_gpu_v2", "stablehlo.dynamic_reduce_window",
     "stablehlo.dynamic_rng_bit_generator", "stablehlo.dynamic_top_k", "shape_assertion"])


def _check_custom_calls(module, disabled_checks) -> None:
  """Raises JAX's ValueError for custom calls of targets not known stable."""
  allowed = set(_STABLE_CUSTOM_CALL_TARGETS)
  allowed.update(t for t in (c.is_custom_call() for c in disabled_checks) if t is not None)
  if "ALL" in allowed:
    return
  bad = []

  def walk(op):
    if op.name == "stablehlo.custom_call":
      target = mlir.ir().StringAttr(op.attributes["call_target_name"]).value
      if target not in allowed:
        bad.append(f"{op} at {op.location}")
    for region in op.regions:
      for block in region:
        for inner in block:
          walk(inner.operation)
  walk(module.operation)
  if bad:
    raise ValueError(
        "Cannot serialize code with custom calls whose targets have no compatibility "
        "guarantees. See https://docs.jax.dev/en/latest/export/export.html"
        "#compatibility-guarantees-for-custom-calls. Examples are:\n"
        + "\n".join(bad) + ".\n")


def _portable_artifact(module_text: str) -> bytes:
  """The module as a VHLO artifact readable by StableHLO releases of the
  last 12 weeks (as JAX serializes)."""
  from jaxlib import _jax
  hlo = mlir.hlo()
  version = hlo.get_version_from_compatibility_requirement(
      hlo.StablehloCompatibilityRequirement.WEEK_12)
  return _jax.mlir.serialize_portable_artifact(module_text, version)


def export(fun_jit, *, platforms: Sequence[str] | None = None,
           disabled_checks: Sequence[DisabledSafetyCheck] = (),
           _override_lowering_rules=None) -> Callable[..., Exported]:
  """Exports a jitted function: ``export(jit(f))(*arg_specs, **kwarg_specs)``
  lowers it for arguments of the given shapes and dtypes (arrays or
  ``ShapeDtypeStruct``) and returns an :class:`Exported`.

  Args:
    fun_jit: the result of ``jaxlite.jit``.
    platforms: the platforms to lower for (default: the default backend's).
      Several platforms are accepted when the function lowers to the same
      module on each of them.
    disabled_checks: safety checks to skip (:class:`DisabledSafetyCheck`).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> exported = export(jaxlite.jit(jnp.sin))(np.arange(4, dtype=np.float32))
  >>> exported.in_avals
  (ShapedArray(float32[4]),)
  >>> from jaxlite.export import deserialize
  >>> rehydrated = deserialize(exported.serialize())
  >>> rehydrated.fun_name
  'sin'
  """
  from jaxlite.api import jit
  from jaxlite.interpreters.pjit import Jitted
  if not isinstance(fun_jit, Jitted):
    # JAX's jax.numpy functions are jitted functions; jaxlite's are plain
    # functions of the same meaning, so they are exported as their jit.
    if callable(fun_jit) and getattr(fun_jit, "__module__", "").startswith("jaxlite.numpy"):
      fun_jit = jit(fun_jit)
    else:
      raise ValueError(
          f"Function to be exported must be the result of `jit` but is: {fun_jit}")
  if _override_lowering_rules:
    raise ValueError("jaxlite's export takes no _override_lowering_rules")

  def do_export(*args_specs, **kwargs_specs) -> Exported:
    chosen = tuple(platforms) if platforms is not None else (default_export_platform(),)
    traced = fun_jit.trace(*args_specs, **kwargs_specs)
    return exported_from_jaxpr(traced.jaxpr, traced.fun_name, traced.in_tree,
                               traced.out_tree, chosen, tuple(disabled_checks))
  return do_export


def exported_from_jaxpr(closed_jaxpr, fun_name: str, in_tree, out_tree, platforms: tuple,
                        disabled_checks: tuple) -> Exported:
  """Lowers ``closed_jaxpr`` for ``platforms`` into an :class:`Exported`."""
  from jaxlite.export import poly_module
  polymorphic = poly_module.is_polymorphic(closed_jaxpr.in_avals)
  texts = []
  for platform in platforms:
    if polymorphic:
      arg_names = [_arg_descriptor(in_tree, i) for i in range(len(closed_jaxpr.in_avals))]
      text = poly_module.lower_polymorphic(closed_jaxpr, name=f"jit_{fun_name}",
                                           platform=platform, arg_names=arg_names)
      with mlir.make_ir_context():
        module = mlir.ir().Module.parse(text)
        _check_custom_calls(module, disabled_checks)
      texts.append(text)
      continue
    lowered = mlir.lower_jaxpr_to_module(closed_jaxpr, name=f"jit_{fun_name}",
                                         platform=platform)
    # Python callbacks (a custom call to a target of this process only) and
    # other unstable targets are refused, as JAX refuses them.
    with lowered.module.context:
      _check_custom_calls(lowered.module, disabled_checks)
    texts.append(lowered.text)
  if any(t != texts[0] for t in texts[1:]):
    raise ValueError(
        f"jaxlite cannot export {fun_name} for the platforms {platforms} together: it "
        "lowers differently on them (export for each platform separately).")
  in_avals = tuple(closed_jaxpr.in_avals)
  out_avals = tuple(closed_jaxpr.out_avals)
  return Exported(
      fun_name=fun_name, in_tree=in_tree, in_avals=in_avals, out_tree=out_tree,
      out_avals=out_avals, _has_named_shardings=False,
      _in_named_shardings=(None,) * len(in_avals), _out_named_shardings=(None,) * len(out_avals),
      in_shardings_hlo=(None,) * len(in_avals),
      out_shardings_hlo=(None,) * len(out_avals), nr_devices=1, platforms=platforms,
      ordered_effects=(), unordered_effects=(), disabled_safety_checks=disabled_checks,
      mlir_module_serialized=_portable_artifact(texts[0]),
      calling_convention_version=maximum_supported_calling_convention_version,
      module_kept_var_idx=tuple(range(len(in_avals))), uses_global_constants=polymorphic,
      _get_vjp=_vjp_exporter(closed_jaxpr, fun_name, platforms, disabled_checks))


def _vjp_exporter(closed_jaxpr, fun_name, platforms, disabled_checks):
  """The ``_get_vjp`` of an export: exports, on demand, the VJP of the
  exported jaxpr (flat primals and output cotangents -> input cotangents)."""

  def get_vjp(primal: Exported) -> Exported:
    from jaxlite import differentiation
    from jaxlite.api import ShapeDtypeStruct, jit
    from jaxlite.interpreters import ad
    n_in = len(primal.in_avals)

    def fun_vjp(*primals_and_cts):
      primals, cts = primals_and_cts[:n_in], primals_and_cts[n_in:]
      _, f_vjp = differentiation.vjp(lambda *xs: core.jaxpr_as_fun(closed_jaxpr)(*xs),
                                     *primals)
      return tuple(f_vjp(list(cts)))
    specs = [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
             for a in primal.in_avals]
    specs += [ShapeDtypeStruct(a.shape, ad.tangent_aval(a).dtype) for a in primal.out_avals]
    fun_vjp.__name__ = f"{fun_name}_vjp"
    traced = jit(fun_vjp).trace(*specs)
    return exported_from_jaxpr(traced.jaxpr, traced.fun_name, traced.in_tree,
                               traced.out_tree, platforms, disabled_checks)
  return get_vjp


# --- calling an Exported ------------------------------------------------------------------


def _arg_descriptor(in_tree, index: int) -> str:
  """``args[0]`` / ``kwargs['y']``: how JAX names a flat argument."""
  paths = [p for p, _ in tree_util.tree_flatten_with_path(
      in_tree.unflatten(range(in_tree.num_leaves)))[0]]
  path = paths[index]
  head = "args" if getattr(path[0], "idx", 0) == 0 else "kwargs"
  return head + tree_util.keystr(tuple(path[1:]))


call_exported_p = core.Primitive("call_exported")
call_exported_p.multiple_results = True


@call_exported_p.def_abstract_eval
def _call_exported_abstract_eval(*in_avals, exported: Exported):
  for i, (expected, actual) in enumerate(zip(exported.in_avals, in_avals)):
    where = _arg_descriptor(exported.in_tree, i)
    if len(expected.shape) != len(actual.shape):
      raise ValueError(f"Rank mismatch for {where}: expected {expected.shape} and called "
                       f"with {actual.shape}")
    if expected.dtype != actual.dtype:
      raise ValueError(f"Dtype mismatch for {where}: expected {expected.dtype} and called "
                       f"with {actual.dtype}")
    for d, (e, a) in enumerate(zip(expected.shape, actual.shape)):
      if not shape_poly.is_symbolic_dim(e) and e != a:
        raise ValueError(f"Shape mismatch for {where}.shape[{d}] (expected same constant): "
                         f"expected {expected.shape} and called with {actual.shape}")
  if not exported.uses_global_constants:
    return list(exported.out_avals)
  values = _dimension_values(exported, in_avals)
  return [a.update(shape=tuple(shape_poly.evaluate(d, values) for d in a.shape))
          for a in exported.out_avals]


def _dimension_values(exported: Exported, in_avals) -> dict:
  """The dimension variables' values at the call's argument shapes, after
  JAX's checks of the specification (ValueError with JAX's messages)."""
  from jaxlite.export import poly_solve
  arg_names = [_arg_descriptor(exported.in_tree, i) for i in range(len(in_avals))]
  solution = poly_solve.solve(exported.in_avals, arg_names,
                              lambda i, d: in_avals[i].shape[d])
  return poly_solve.check_ints(solution)


_module_counter = itertools.count()


def _call_exported_lowering(ctx, *args, exported: Exported):
  """Copies the exported module's functions (renamed, private) into the module
  being built and calls its ``main``."""
  m = mlir.mlir()
  ir = m.ir
  mc = ctx.module_context
  from jaxlite.export import dim_lowering
  # Called at symbolic shapes (from inside a shape-polymorphic export): the
  # exported module's inner function is called with the dimension variables'
  # values computed from the caller's; at static shapes, the module is refined.
  symbolic_call = exported.uses_global_constants and not all(
      dim_lowering.is_constant_shape(a.shape) for a in ctx.avals_in)
  key = ("call_exported", id(exported), tuple(tuple(a.shape) for a in ctx.avals_in))
  main_name = mc.cached_functions.get(key)
  if main_name is None:
    sub = ir.Module.parse(exported.mlir_module())
    if exported.uses_global_constants and not symbolic_call:
      sub = _refined_module(sub, ctx.avals_in, ctx.avals_out)
    prefix = f"call_exported_{mlir._sanitize(exported.fun_name)}_{next(_module_counter)}"
    functions = [op for op in sub.body.operations if op.operation.name == "func.func"]
    for fn in functions:
      old = ir.StringAttr(fn.attributes["sym_name"]).value
      new = f"{prefix}_{old}"
      ir.SymbolTable.replace_all_symbol_uses(old, new, sub.operation)
      ir.SymbolTable.set_symbol_name(fn, new)
      fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
    # Clones (the parsed module keeps and frees its own operations).
    with ir.InsertionPoint(mc.module.body):
      for fn in functions:
        mc.symbol_table.insert(fn.operation.clone())
    main_name = f"{prefix}_{'_wrapped_jax_export_main' if symbolic_call else 'main'}"
    mc.cached_functions[key] = main_name
    mc.keepalives.append(exported)
  out_types = [mlir.aval_to_ir_type(a) for a in ctx.avals_out]
  if not symbolic_call:
    call = m.func.CallOp(out_types, ir.FlatSymbolRefAttr.get(main_name), list(args))
    return list(call.results)
  from jaxlite.export import poly_module
  callee = mc.symbol_table[main_name]
  callee_type = ir.FunctionType(ir.TypeAttr(callee.attributes["function_type"]).value)
  values = _dimension_values(exported, ctx.avals_in)
  operands = [dim_lowering.dim_value(mc, values[v])
              for v in poly_module.dimension_variables(exported.in_avals)] + list(args)
  operands = [m.hlo.convert(t, x) for t, x in zip(callee_type.inputs, operands)]
  call = m.func.CallOp(list(callee_type.results), ir.FlatSymbolRefAttr.get(main_name),
                       operands)
  return [m.hlo.convert(t, r) for t, r in zip(out_types, call.results)]


mlir.register_lowering(call_exported_p, _call_exported_lowering)


def _refined_module(sub, avals_in, avals_out):
  """The shape-polymorphic module ``sub`` specialized to the call's static
  shapes: a new ``main`` of those shapes casts to the exported ``main``'s and
  back, and jaxlib's shape refinement makes every shape static (checking the
  module's shape assertions)."""
  from jaxlib import _jax
  m = mlir.mlir()
  ir = m.ir
  ir.SymbolTable.replace_all_symbol_uses("main", "_exported_main", sub.operation)
  old_main = ir.SymbolTable(sub.operation)["main"]
  ir.SymbolTable.set_symbol_name(old_main, "_exported_main")
  old_main.attributes["sym_visibility"] = ir.StringAttr.get("private")
  exported_types = ir.FunctionType(ir.TypeAttr(old_main.attributes["function_type"]).value)
  in_types = [mlir.aval_to_ir_type(a) for a in avals_in]
  out_types = [mlir.aval_to_ir_type(a) for a in avals_out]
  with ir.InsertionPoint(sub.body), ir.Location.unknown():
    main = m.func.FuncOp("main", ir.FunctionType.get(in_types, out_types))
    main.attributes["sym_visibility"] = ir.StringAttr.get("public")
    block = main.add_entry_block()
    with ir.InsertionPoint(block):
      args = [m.hlo.convert(t, a) for t, a in zip(exported_types.inputs, block.arguments)]
      call = m.func.CallOp(list(exported_types.results),
                           ir.FlatSymbolRefAttr.get("_exported_main"), args)
      m.func.ReturnOp([m.hlo.convert(t, r) for t, r in zip(out_types, call.results)])
  refined = _jax.mlir.refine_polymorphic_shapes(
      sub.operation.get_asm(binary=True), enable_shape_assertions=True,
      validate_static_shapes=True)
  return ir.Module.parse(refined)


def call_exported(exported: Exported) -> Callable:
  """The function :meth:`Exported.call` calls (JAX's ``export.call``)."""
  if not isinstance(exported, Exported):
    raise ValueError(f"The exported argument must be an export.Exported. Found {exported}.")
  from jaxlite.custom_derivatives import custom_vjp

  @custom_vjp
  def f_flat(*args_flat):
    return tuple(call_exported_p.bind(*args_flat, exported=exported))

  def f_flat_fwd(*args_flat):
    return f_flat(*args_flat), args_flat

  def f_flat_bwd(args_flat, cts):
    return tuple(exported.vjp().call(*args_flat, *cts))

  f_flat.defvjp(f_flat_fwd, f_flat_bwd)

  def f_imported(*args, **kwargs):
    args_flat, in_tree = tree_util.tree_flatten((args, kwargs))
    if in_tree != exported.in_tree:
      raise ValueError(
          "The invocation args and kwargs must have the same pytree structure as when "
          f"the function '{exported.fun_name}' was exported, but they have the following "
          f"structural differences: {in_tree} in the invocation and {exported.in_tree} "
          "when exported.")
    return tree_util.tree_unflatten(exported.out_tree, list(f_flat(*args_flat)))
  return f_imported


def shaped_array_from_spec(shape, dtype, weak_type=False) -> ShapedArray:
  """The aval a serialized ``(shape, dtype, weak_type)`` stands for."""
  return ShapedArray(tuple(shape), np.dtype(dtype), weak_type)
