"""``jax.ffi``: calling compiled (C++/CUDA) handlers through XLA's typed FFI.

A handler is registered with XLA under a name (:func:`register_ffi_target`,
on jaxlib's ``xla_client.register_custom_call_target``); :func:`ffi_call`
then gives a function whose calls become a ``stablehlo.custom_call`` of that
name, eagerly and under ``jit``/``vmap``, like any other primitive.

jaxlib already registers its LAPACK kernels; calling one here:

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlib.cpu import _lapack
  >>> _lapack.initialize()
  >>> register_ffi_target("lapack_spotrf_ffi", _lapack.registrations()["lapack_spotrf_ffi"])
  >>> a = jnp.array([[4.0, 2.0], [2.0, 3.0]])
  >>> factor, info = ffi_call(
  ...     "lapack_spotrf_ffi",
  ...     (jaxlite.ShapeDtypeStruct(a.shape, a.dtype), jaxlite.ShapeDtypeStruct((), np.int32)),
  ...     input_layouts=[(1, 0)], output_layouts=[(1, 0), None],   # column-major
  ... )(a, uplo=np.uint8(ord("L")))
  >>> jnp.tril(factor)
  Array([[2.       , 0.       ],
         [1.       , 1.4142135]], dtype=float32)
"""
from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.core_tools import Effect
from jaxlite.interpreters import ad, batching, mlir

__all__ = [
    "build_ffi_lowering_function", "ffi_call", "ffi_lowering", "include_dir", "pycapsule",
    "register_ffi_target", "register_ffi_target_as_batch_partitionable", "register_ffi_type",
    "register_ffi_type_id",
]


def _xla_client():
  from jaxlib import xla_client
  return xla_client


# --- registration ---------------------------------------------------------------------


def register_ffi_target(name: str, fn: Any, platform: str = "cpu", api_version: int = 1,
                        **kwargs: Any) -> None:
  """Registers the handler ``fn`` with XLA as the custom-call target ``name``.

  Args:
    name: the target's name, as :func:`ffi_call` will call it.
    fn: a ``PyCapsule`` holding the handler's function pointer, or a dict from
      FFI stage names (``"execute"``, ``"instantiate"``, ...) to capsules.
    platform: the platform the handler runs on (``"cpu"``, ``"CUDA"``, ...).
    api_version: 1 (the default) for the typed FFI, 0 for the older
      custom-call API.
    kwargs: passed to jaxlib's ``register_custom_call_target`` (``traits``).

  >>> from jaxlib.cpu import _lapack
  >>> _lapack.initialize()
  >>> register_ffi_target("lapack_sgetrf_ffi", _lapack.registrations()["lapack_sgetrf_ffi"])
  """
  return _xla_client().register_custom_call_target(name, fn, platform, api_version, **kwargs)


def register_ffi_type_id(name: str, obj: Any, platform: str = "cpu") -> None:
  """Registered a custom type ID; jaxlib 0.10 registers types through
  :func:`register_ffi_type` instead, and this raises, as JAX's does.

  >>> register_ffi_type_id("my_type", None)
  Traceback (most recent call last):
  ...
  ValueError: register_ffi_type_id is not supported after jaxlib version 381.
  """
  raise ValueError("register_ffi_type_id is not supported after jaxlib version 381.")


def register_ffi_type(name: str, type_registration: Mapping[str, Any],
                      platform: str = "cpu") -> None:
  """Registers a custom (user-defined state) type for FFI handlers.

  Args:
    name: the type's name, unique in the process.
    type_registration: ``{"type_id": capsule, "type_info": capsule}`` (the
      latter optional), as the handler library exports them.
    platform: the platform.

  >>> register_ffi_type   # doctest: +ELLIPSIS
  <function register_ffi_type at ...>
  """
  return _xla_client().register_custom_type(name, type_registration, platform=platform)


def register_ffi_target_as_batch_partitionable(name: str) -> None:
  """Tells XLA's SPMD partitioner that target ``name`` acts independently on
  each element of its leading (batch) dimension, so that it may be split
  along it.

  >>> register_ffi_target_as_batch_partitionable("lapack_sgetrf_ffi")
  """
  _xla_client().register_custom_call_as_batch_partitionable(name)


def pycapsule(funcptr):
  """Wraps a ``ctypes`` function pointer (e.g. ``ctypes.cdll.LoadLibrary(path).fn``)
  in a ``PyCapsule``, the form :func:`register_ffi_target` takes.

  >>> libc = ctypes.CDLL(None)
  >>> type(pycapsule(libc.abs)).__name__
  'PyCapsule'
  """
  destructor = ctypes.CFUNCTYPE(None, ctypes.py_object)
  new_capsule = ctypes.pythonapi.PyCapsule_New
  new_capsule.restype = ctypes.py_object
  new_capsule.argtypes = (ctypes.c_void_p, ctypes.c_char_p, destructor)
  return new_capsule(funcptr, None, destructor(0))


def include_dir() -> str:
  """The directory of the C++ headers jaxlib ships (``xla/ffi/api/ffi.h``),
  for compiling FFI handlers.

  >>> os.path.isfile(os.path.join(include_dir(), "xla", "ffi", "api", "ffi.h"))
  True
  """
  import jaxlib
  if getattr(jaxlib, "__file__", None) is not None:
    jaxlib_dir = os.path.dirname(os.path.abspath(jaxlib.__file__))
  elif getattr(jaxlib, "__path__", None):
    jaxlib_dir = list(jaxlib.__path__)[0]
  else:
    raise RuntimeError("Cannot determine jaxlib directory: neither __file__ nor __path__ "
                       "is available")
  return os.path.join(jaxlib_dir, "include")


# --- attributes and layouts -------------------------------------------------------------


def attribute(value: Any):
  """An MLIR attribute for a Python value passed to an FFI handler, as JAX
  converts them: Python ints are i64, floats f64, bools i1; NumPy scalars keep
  their dtype; arrays become dense elements; str, dicts and sequences nest.

  >>> from jaxlite.interpreters import mlir
  >>> with mlir.ir().Context():
  ...   str(attribute(np.uint8(76))), str(attribute(2)), str(attribute("L"))
  ('76 : ui8', '2 : i64', '"L"')
  """
  ir = mlir.ir()
  if isinstance(value, (ir.Attribute, ir.Type)):
    return value
  if isinstance(value, (str, bytes)):
    return ir.StringAttr.get(value)
  if isinstance(value, dict):
    return ir.DictAttr.get({k: attribute(v) for k, v in value.items()})
  if isinstance(value, (list, tuple)):
    return ir.ArrayAttr.get([attribute(v) for v in value])
  if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
    return ir.TypeAttr.get(mlir.dtype_to_ir_type(np.dtype(value)))
  if isinstance(value, (bool, int, float, complex)):
    value = np.array(value, {bool: np.bool_, int: np.int64, float: np.float64,
                             complex: np.complex128}[type(value)])
    return _scalar_attribute(value)
  if isinstance(value, np.generic):
    return _scalar_attribute(np.asarray(value))
  if isinstance(value, np.ndarray):
    if 0 in value.strides and value.size > 0:
      raise ValueError("NumPy arrays with zero strides are not supported as MLIR attributes")
    return ir.DenseElementsAttr.get(np.ascontiguousarray(value),
                                    type=mlir.dtype_to_ir_type(value.dtype), shape=value.shape)
  raise TypeError(f"No attribute handler defined for type: {type(value)}")


def _scalar_attribute(value: np.ndarray):
  ir = mlir.ir()
  ir_type = mlir.dtype_to_ir_type(value.dtype)
  if isinstance(ir_type, ir.IntegerType):
    return ir.IntegerAttr.get(ir_type, int(value))
  if isinstance(ir_type, ir.FloatType):
    return ir.FloatAttr.get(ir_type, float(value))
  raise TypeError(f"Unsupported scalar attribute type: {type(value)}")


def _minor_to_major(aval, layout) -> tuple[int, ...]:
  """A layout in XLA's minor-to-major order (the default is row-major)."""
  if layout is None:
    return tuple(reversed(range(len(aval.shape))))
  if hasattr(layout, "major_to_minor"):   # a jax.experimental.layout.Layout
    if getattr(layout, "tiling", None) is not None:
      raise ValueError("The FFI does not support layouts with tiling")
    return tuple(layout.major_to_minor[::-1])
  return tuple(layout)


def _layouts_attribute(layouts):
  ir = mlir.ir()
  return ir.ArrayAttr.get([
      ir.DenseIntElementsAttr.get(np.asarray(layout, np.int64), type=ir.IndexType.get())
      for layout in layouts])


# --- lowering -----------------------------------------------------------------------


def build_ffi_lowering_function(call_target_name: str, *, operand_layouts=None,
                                result_layouts=None, backend_config=None,
                                skip_ffi_layout_processing: bool = False,
                                **lowering_args: Any) -> Callable:
  """A function ``(ctx, *operands, **attributes) -> op`` that emits the
  ``stablehlo.custom_call`` of ``call_target_name``; keyword arguments of the
  call become the handler's attributes.

  Args:
    call_target_name: the registered target.
    operand_layouts, result_layouts: per operand/result, a layout in
      minor-to-major order (XLA's); row-major by default.
    backend_config: a dict of attributes (typed FFI, ``api_version=4``) or the
      opaque string of an older API version.
    skip_ffi_layout_processing: leave the layouts out of the custom call.
    lowering_args: ``api_version`` (default 4), ``has_side_effect``,
      ``operand_output_aliases`` (operand index -> result index),
      ``result_types``.

  >>> rule = build_ffi_lowering_function("lapack_spotrf_ffi")
  >>> callable(rule)
  True
  """

  def lowering_op(ctx, *operands, **params):
    ir, hlo = mlir.ir(), mlir.hlo()
    args = dict(lowering_args)
    api_version = args.pop("api_version", 4)
    has_side_effect = args.pop("has_side_effect", False)
    aliases = args.pop("operand_output_aliases", None) or {}
    result_types = args.pop("result_types", None)
    if args:
      raise TypeError(f"Unexpected lowering arguments: {sorted(args)}")
    if api_version >= 4:
      if backend_config is not None and not isinstance(backend_config, dict):
        raise ValueError("When api_version > 4, backend_config must be a dictionary.")
      config = ir.DictAttr.get({**{k: attribute(v) for k, v in (backend_config or {}).items()},
                                **{k: attribute(v) for k, v in params.items()}})
    else:
      if params:
        raise ValueError(
            "The use of ffi_call attributes requires a custom call API version "
            f"of at least 4; got api_version={api_version}.")
      config = ir.StringAttr.get(backend_config or "")
    if result_types is None:
      result_types = [mlir.aval_to_ir_type(a) for a in ctx.avals_out]
    kwargs = dict(api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), api_version),
                  backend_config=config,
                  has_side_effect=ir.BoolAttr.get(bool(has_side_effect)))
    if not skip_ffi_layout_processing:
      in_layouts = operand_layouts if operand_layouts is not None else [None] * len(operands)
      out_layouts = result_layouts if result_layouts is not None else \
          [None] * len(ctx.avals_out)
      kwargs["operand_layouts"] = _layouts_attribute(
          [_minor_to_major(a, l) for a, l in zip(ctx.avals_in, in_layouts)])
      kwargs["result_layouts"] = _layouts_attribute(
          [_minor_to_major(a, l) for a, l in zip(ctx.avals_out, out_layouts)])
    if aliases:
      kwargs["output_operand_aliases"] = ir.ArrayAttr.get([
          hlo.OutputOperandAlias.get(
              output_tuple_indices=[out] if len(result_types) > 1 else [],
              operand_index=operand, operand_tuple_indices=[])
          for operand, out in aliases.items()])
    return hlo.CustomCallOp(result_types, list(operands), call_target_name, **kwargs)

  return lowering_op


def ffi_lowering(call_target_name: str, *, operand_layouts=None, result_layouts=None,
                 backend_config=None, skip_ffi_layout_processing: bool = False,
                 **lowering_args: Any) -> Callable:
  """A lowering rule (``(ctx, *operands, **attributes) -> results``) for a
  primitive implemented by the FFI target ``call_target_name``; same
  arguments as :func:`build_ffi_lowering_function`.

  >>> rule = ffi_lowering("lapack_spotrf_ffi")
  >>> callable(rule)
  True
  """
  build = build_ffi_lowering_function(
      call_target_name, operand_layouts=operand_layouts, result_layouts=result_layouts,
      backend_config=backend_config, skip_ffi_layout_processing=skip_ffi_layout_processing,
      **lowering_args)

  def lowering(ctx, *operands, **params):
    return list(build(ctx, *operands, **params).results)
  return lowering


# --- ffi_call ------------------------------------------------------------------------


class FfiEffect(Effect):
  """The effect of an ``ffi_call(has_side_effect=True)``: it runs even when its
  results are unused."""

  def __repr__(self):
    return "FFI"

  __str__ = __repr__


ffi_effect = FfiEffect()

ffi_call_p = core.Primitive("ffi_call")
ffi_call_p.multiple_results = True


@ffi_call_p.def_abstract_eval
def _ffi_call_abstract_eval(*avals, result_avals, **_):
  return list(result_avals)


def _ffi_call_effects(*avals, has_side_effect, **_):
  return frozenset({ffi_effect}) if has_side_effect else frozenset()


ffi_call_p.effects_rule = _ffi_call_effects


def _ffi_call_lowering(ctx, *operands, target_name, has_side_effect, input_layouts,
                       output_layouts, input_output_aliases, custom_call_api_version,
                       legacy_backend_config, attributes, **_):
  rule = ffi_lowering(target_name, has_side_effect=has_side_effect,
                      operand_layouts=input_layouts, result_layouts=output_layouts,
                      operand_output_aliases=dict(input_output_aliases),
                      api_version=custom_call_api_version,
                      backend_config=legacy_backend_config)
  return rule(ctx, *operands, **_unwrap_attributes(attributes))


mlir.register_lowering(ffi_call_p, _ffi_call_lowering)


def _not_differentiable(*args, target_name, **_):
  raise ValueError(
      f"The FFI call to `{target_name}` cannot be differentiated. "
      "You can use `jax.custom_jvp` or `jax.custom_jvp` to add support.")


ad.primitive_jvps[ffi_call_p] = lambda primals, tangents, **params: _not_differentiable(
    **params)
ad.primitive_transposes[ffi_call_p] = lambda *args, **params: _not_differentiable(**params)


def _batched_layout(layout):
  # One more (leading) dimension, which becomes the most major.
  return None if layout is None else tuple(n + 1 for n in layout) + (0,)


def _ffi_call_batch(args, dims, *, vmap_method, result_avals, **params):
  from jaxlite import lax
  from jaxlite.callbacks import moveaxis_to_front
  size = next(a.shape[d] for a, d in zip(args, dims) if d is not None)
  args = [a if d is None else moveaxis_to_front(a, d) for a, d in zip(args, dims)]
  batched_avals = tuple(ShapedArray((size,) + tuple(a.shape), a.dtype) for a in result_avals)
  if vmap_method in ("sequential", "sequential_unrolled"):
    batched = [d is not None for d in dims]

    def one(_, xs):
      it = iter(xs)
      merged = [next(it) if b else a for a, b in zip(args, batched)]
      return (), ffi_call_p.bind(*merged, vmap_method=vmap_method, result_avals=result_avals,
                                 **params)
    _, outs = lax.scan(one, (), [a for a, b in zip(args, batched) if b],
                       unroll=vmap_method == "sequential_unrolled")
    return list(outs), [0] * len(outs)
  if vmap_method not in ("expand_dims", "broadcast_all", "legacy_vectorized"):
    raise NotImplementedError(
        "vmap is only supported for the ffi_call primitive when vmap_method is one of "
        "'sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', or "
        f"'legacy_vectorized'. Got vmap_method={vmap_method!r}.")
  params = dict(params)
  if params.get("output_layouts") is not None:
    params["output_layouts"] = tuple(map(_batched_layout, params["output_layouts"]))
  if vmap_method == "legacy_vectorized":
    if params.get("input_layouts") is not None:
      params["input_layouts"] = tuple(
          layout if d is None else _batched_layout(layout)
          for layout, d in zip(params["input_layouts"], dims))
  else:
    new_size = size if vmap_method == "broadcast_all" else 1
    args = [lax.broadcast(a, (new_size,)) if d is None else a for a, d in zip(args, dims)]
    if params.get("input_layouts") is not None:
      params["input_layouts"] = tuple(map(_batched_layout, params["input_layouts"]))
  outs = ffi_call_p.bind(*args, vmap_method=vmap_method, result_avals=batched_avals, **params)
  return list(outs), [0] * len(outs)


batching.primitive_batchers[ffi_call_p] = _ffi_call_batch


class _HashableArray:
  """A NumPy array attribute, hashable (equation parameters are compared)."""
  __slots__ = ("value",)

  def __init__(self, value):
    self.value = value

  def __hash__(self):
    return hash((self.value.shape, self.value.dtype, self.value.tobytes()))

  def __eq__(self, other):
    return isinstance(other, _HashableArray) and self.value.dtype == other.value.dtype and \
        np.array_equal(self.value, other.value)


class _HashableDict:
  __slots__ = ("value", "_key")

  def __init__(self, value):
    self.value = value
    self._key = tuple(sorted(value.items()))

  def __hash__(self):
    return hash(self._key)

  def __eq__(self, other):
    return isinstance(other, _HashableDict) and self._key == other._key


def _hashable_attributes(kwargs: dict) -> tuple:
  out = []
  for key, value in sorted(kwargs.items()):
    if isinstance(value, np.ndarray):
      out.append((key, _HashableArray(value)))
    elif isinstance(value, dict):
      out.append((key, _HashableDict(value)))
    else:
      try:
        hash(value)
      except TypeError as e:
        raise TypeError(f"Non-hashable keyword argument to ffi_call {key}: {value}") from e
      out.append((key, value))
  return tuple(out)


def _unwrap_attributes(attributes) -> dict:
  return {k: v.value if isinstance(v, (_HashableArray, _HashableDict)) else v
          for k, v in attributes}


def _result_avals(results) -> tuple:
  avals = []
  for i, result in enumerate(results):
    if not hasattr(result, "shape") or not hasattr(result, "dtype"):
      raise ValueError("All elements of result_shape_dtypes must have 'shape' and 'dtype' "
                       f"attributes. Got {result} at position {i}.")
    avals.append(ShapedArray(tuple(result.shape), np.dtype(result.dtype)))
  return tuple(avals)


def _layouts_for_call(avals, layouts) -> tuple:
  """User layouts (major-to-minor) in XLA's minor-to-major order."""
  return tuple(_minor_to_major(aval, layout if layout is None or
                               hasattr(layout, "major_to_minor") else tuple(layout)[::-1])
               for aval, layout in zip(avals, layouts))


_VMAP_METHODS = ["sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
                 "legacy_vectorized", None]


def ffi_call(target_name: str, result_shape_dtypes, *, has_side_effect: bool = False,
             vmap_method: str | None = None, input_layouts=None, output_layouts=None,
             input_output_aliases: dict[int, int] | None = None,
             custom_call_api_version: int = 4,
             legacy_backend_config: str | None = None) -> Callable:
  """A function that calls the registered FFI target ``target_name``.

  Args:
    target_name: a target registered with :func:`register_ffi_target`.
    result_shape_dtypes: one object with ``shape`` and ``dtype`` (e.g. a
      ``ShapeDtypeStruct``), or a sequence of them, for the results.
    has_side_effect: run the call even when its results are unused.
    vmap_method: how ``vmap`` batches the call (as for ``pure_callback``):
      ``"sequential"``, ``"sequential_unrolled"``, ``"expand_dims"``,
      ``"broadcast_all"`` or ``"legacy_vectorized"``.
    input_layouts, output_layouts: per argument/result, ``None`` (row-major)
      or the axes in major-to-minor order (``(0, 1)`` is column-major for a
      matrix).
    input_output_aliases: input index -> output index of buffers the handler
      updates in place.
    custom_call_api_version: 4 (typed FFI) or an older custom-call version.
    legacy_backend_config: the opaque configuration string of versions < 4.

  Returns:
    ``f(*args, **attributes)``: the positional arguments are the handler's
    buffers; keyword arguments are passed as its named attributes. It returns
    one array, or a sequence (a tuple if ``result_shape_dtypes`` was one).

  >>> f = ffi_call("lapack_spotrf_ffi", [], vmap_method="bad")
  Traceback (most recent call last):
  ...
  ValueError: vmap_method must be on of the allowed methods ['sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', 'legacy_vectorized', None], but got: bad
  """
  if vmap_method not in _VMAP_METHODS:
    raise ValueError(f"vmap_method must be on of the allowed methods {_VMAP_METHODS}, "
                     f"but got: {vmap_method}")
  if isinstance(result_shape_dtypes, Sequence):
    multiple_results = True
    result_avals = _result_avals(result_shape_dtypes)
    out_layouts = output_layouts
  else:
    multiple_results = False
    result_avals = _result_avals([result_shape_dtypes])
    out_layouts = (output_layouts,)
  if custom_call_api_version >= 4 and legacy_backend_config is not None:
    raise ValueError("The use of the legacy_backend_config parameter requires "
                     f"custom_call_api_version < 4; got {custom_call_api_version}.")

  def call(*args, **kwargs):
    in_avals = [core.get_aval(x) for x in args]
    if input_layouts is None:
      static_in = tuple(_minor_to_major(a, None) for a in in_avals)
    else:
      if len(input_layouts) != len(in_avals):
        raise ValueError(f"The number of input arguments ({len(in_avals)}) must equal the "
                         f"number of input layouts ({len(input_layouts)}).")
      static_in = _layouts_for_call(in_avals, input_layouts)
    if out_layouts is None:
      static_out = tuple(_minor_to_major(a, None) for a in result_avals)
    else:
      if len(out_layouts) != len(result_avals):
        raise ValueError(f"The number of outputs ({len(result_avals)}) must equal the "
                         f"number of output layouts ({len(out_layouts)}).")
      static_out = _layouts_for_call(result_avals, out_layouts)
    aliases = []
    for i, o in sorted((input_output_aliases or {}).items()):
      i, o = int(i), int(o)
      if i >= len(args):
        raise ValueError(f"input_output_aliases contains the mapping '{i}:{o}' with input "
                         f"index {i} outside the range [0, {len(args)}).")
      if o >= len(result_avals):
        raise ValueError(f"input_output_aliases contains the mapping '{i}:{o}' with output "
                         f"index {o} outside the range [0, {len(result_avals)}).")
      a, r = in_avals[i], result_avals[o]
      if (a.shape, a.dtype) != (r.shape, r.dtype):
        raise ValueError(f"input_output_aliases contains the mapping '{i}:{o}' referring to "
                         f"an input with abstract value {a} and an output with a different "
                         f"abstract value {r}.")
      if static_in[i] != static_out[o]:
        raise ValueError(f"input_output_aliases contains the mapping '{i}:{o}' referring to "
                         f"an input with layout {static_in[i]} and an output with a "
                         f"different layout {static_out[o]}.")
      aliases.append((i, o))
    results = ffi_call_p.bind(
        *args, result_avals=result_avals, vmap_method=vmap_method, target_name=target_name,
        has_side_effect=has_side_effect, input_layouts=static_in, output_layouts=static_out,
        input_output_aliases=tuple(aliases), custom_call_api_version=custom_call_api_version,
        legacy_backend_config=legacy_backend_config,
        attributes=_hashable_attributes(kwargs))
    if multiple_results:
      return tuple(results) if isinstance(result_shape_dtypes, tuple) else list(results)
    return results[0]

  return call
