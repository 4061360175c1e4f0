"""Structural primitives: broadcasting, reshaping, transposing, converting types,
padding, concatenating and iota."""
from __future__ import annotations

__all__ = [
    'convert_element_type', 'broadcast_in_dim', 'broadcast', 'full', 'full_like',
    'zeros_like_array', 'expand_dims', 'reshape', 'transpose', 'collapse', 'squeeze', 'rev',
    'pad', 'concatenate', 'iota', 'broadcasted_iota',
    'convert_element_type_p', 'broadcast_in_dim_p', 'reshape_p', 'transpose_p', 'squeeze_p',
    'rev_p', 'pad_p', 'concatenate_p', 'iota_p',
]

from typing import Sequence

import math

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.lax import base
from jaxlite.lax.base import standard_primitive

# --- convert_element_type ---------------------------------------------------------------


def _convert_weak_type_rule(operand, *, new_dtype, weak_type):
  return weak_type


convert_element_type_p = standard_primitive(
    lambda operand, **_: operand.shape,
    lambda operand, *, new_dtype, weak_type: np.dtype(new_dtype),
    "convert_element_type", weak_type_rule=_convert_weak_type_rule)


def _convert_lowering(ctx, x, *, new_dtype, weak_type):
  aval_in, aval_out = ctx.avals_in[0], ctx.avals_out[0]
  if core.is_extended_aval(aval_in) and aval_in.dtype == aval_out.dtype:
    return x
  if np.issubdtype(aval_in.dtype, np.complexfloating) and \
      not np.issubdtype(aval_out.dtype, np.complexfloating):
    x = mlir.hlo().real(x)   # complex -> real drops the imaginary part, as NumPy
    aval_in = aval_in.update(dtype=np.finfo(aval_in.dtype).dtype)
  if aval_out.dtype == np.bool_:
    # As JAX's lowering: x != 0 (not truncation), then a convert, also where
    # the types already agree (a weakly typed operand made strong, say): XLA
    # drops such converts, but the module shows them as JAX's does.
    x = mlir.compare(x, mlir.full_like_aval(0, aval_in), "NE")
  return mlir.convert(x, aval_out)


mlir.register_lowering(convert_element_type_p, _convert_lowering)


def _convert_jvp(primals, tangents, *, new_dtype, weak_type):
  (x,), (t,) = primals, tangents
  out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
  out_aval = core.get_aval(out)
  if type(t) is ad.Zero or ad.tangent_aval(out_aval).dtype == dtypes.float0 or \
      core.get_aval(t).dtype == dtypes.float0:
    return out, ad.Zero(ad.tangent_aval(out_aval))
  return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_transpose(ct, operand, *, new_dtype, weak_type):
  old = operand.aval
  if type(ct) is ad.Zero:
    return [ad.Zero(old)]
  if old.dtype == dtypes.float0 or ad.tangent_aval(old).dtype == dtypes.float0:
    return [ad.Zero(ad.tangent_aval(old))]
  return [convert_element_type_p.bind(ct, new_dtype=old.dtype, weak_type=old.weak_type)]


ad.primitive_jvps[convert_element_type_p] = _convert_jvp
ad.primitive_transposes[convert_element_type_p] = _convert_transpose
batching.defvectorized(convert_element_type_p)


def _convert_staging_fold(trace, tracers, *, new_dtype, weak_type):
  """While staging, as JAX does: a conversion to the same type forwards its
  operand, and a scalar literal is converted on the host into a new literal."""
  (x,) = tracers
  aval = x.aval
  new_dtype = np.dtype(new_dtype)
  if aval.dtype == new_dtype and aval.weak_type == weak_type:
    return x
  var = x._var
  if type(var) is core.Literal and not np.shape(var.val):
    val = np.asarray(var.val)
    if np.iscomplexobj(val) and not np.issubdtype(new_dtype, np.complexfloating):
      val = val.real
    if new_dtype == np.bool_:
      val = val != 0
    elif np.issubdtype(new_dtype, np.integer) and not _fits_integer(val, new_dtype):
      return None   # out of range or not finite: XLA's conversion decides the value
    out_aval = core.ShapedArray((), new_dtype, weak_type)
    return pe.JaxprTracer(trace, out_aval, core.Literal(val.astype(new_dtype)[()], out_aval))
  return None


def _convert_extended(operand, old_aval, new_dtype):
  """Key arrays convert to nothing but their own type (JAX's ValueError)."""
  if new_dtype is None or new_dtype == old_aval.dtype:
    return operand
  new = new_dtype if isinstance(new_dtype, dtypes.ExtendedDType) else \
      dtypes.canonicalize_dtype(dtypes.dtype(new_dtype))
  raise ValueError(f"Cannot convert_element_type from {old_aval.dtype} to {new}")


def _fits_integer(val, dtype):
  if val.dtype.kind in "biu":
    return np.iinfo(dtype).min <= int(val) <= np.iinfo(dtype).max
  if val.dtype.kind != "f" or not np.isfinite(val):
    return False
  return np.iinfo(dtype).min <= float(val) <= np.iinfo(dtype).max


pe.staging_folds[convert_element_type_p] = _convert_staging_fold


def convert_element_type(operand, new_dtype):
  """Elementwise cast to ``new_dtype`` (canonicalised; the result is not weakly typed).

  >>> from jaxlite import lax
  >>> lax.convert_element_type(2.7, 'int32')
  Array(2, dtype=int32)
  """
  return _convert_element_type(operand, new_dtype, weak_type=False)


def _convert_element_type(operand, new_dtype=None, weak_type=False):
  if hasattr(operand, "__jax_array__"):
    operand = operand.__jax_array__()
  old_aval = core.get_aval(operand)
  if isinstance(old_aval.dtype, dtypes.ExtendedDType) or \
      isinstance(new_dtype, dtypes.ExtendedDType):
    return _convert_extended(operand, old_aval, new_dtype)
  new_dtype = old_aval.dtype if new_dtype is None else \
      dtypes.canonicalize_dtype(dtypes.dtype(new_dtype))
  if old_aval.dtype == new_dtype and old_aval.weak_type == weak_type and \
      isinstance(operand, core.Tracer):
    return operand
  if not isinstance(operand, core.Tracer) and type(operand) in dtypes.python_scalar_dtypes:
    if type(operand) in (float, complex) and np.dtype(new_dtype).kind in "iub":
      # Float to integer converts on the device, as XLA does (saturating; NaN
      # to 0), as in JAX: NumPy's host cast would overflow or wrap.
      operand = np.asarray(operand, dtypes.canonicalize_dtype(old_aval.dtype))
    else:
      operand = np.asarray(operand, new_dtype)
  return convert_element_type_p.bind(operand, new_dtype=new_dtype, weak_type=bool(weak_type))


# --- broadcast_in_dim ---------------------------------------------------------------------


def _broadcast_in_dim_shape_rule(operand, *, shape, broadcast_dimensions):
  # JAX's checks in JAX's order (each a TypeError with JAX's text); symbolic
  # dimensions (shape-polymorphic export) are nonnegative.
  if any(d < 0 for d in shape if type(d) is int or not hasattr(d, "scope")):
    raise TypeError(f"broadcast_in_dim shape must have every element be nonnegative, got {shape}.")
  if any(d < 0 for d in broadcast_dimensions):
    raise TypeError("broadcast_in_dim broadcast_dimensions must have every element be "
                    f"nonnegative, got {broadcast_dimensions}.")
  if len(broadcast_dimensions) != operand.ndim:
    raise TypeError(
        "broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; "
        f"got broadcast_dimensions {broadcast_dimensions} for operand ndim {operand.ndim}.")
  if len(shape) < operand.ndim:
    raise TypeError(f"broadcast_in_dim target broadcast shape must have equal or higher "
                    f"rank to the operand shape; got operand ndim {operand.ndim} and "
                    f"target broadcast ndim {len(shape)}.")
  if not set(broadcast_dimensions) <= set(range(len(shape))):
    raise TypeError("broadcast_in_dim broadcast_dimensions must be a subset of output "
                    f"dimensions, got {broadcast_dimensions} for operand ndim {operand.ndim} "
                    f"and shape {shape}.")
  for i, d in enumerate(broadcast_dimensions):
    if operand.shape[i] not in (1, shape[d]):
      raise TypeError(
          f"broadcast_in_dim operand dimension sizes must either be 1, or be equal to "
          f"their corresponding dimensions in the target broadcast shape; got operand "
          f"of shape {operand.shape}, target broadcast shape {shape}, "
          f"broadcast_dimensions {broadcast_dimensions} ")
  # As JAX (and StableHLO), the dimensions need not be increasing: a
  # permutation transposes while broadcasting.
  if len(set(broadcast_dimensions)) != len(broadcast_dimensions):
    raise TypeError("broadcast_in_dim broadcast_dimensions must not contain duplicates, "
                    f"got broadcast_dimensions {broadcast_dimensions}")
  return tuple(shape)


broadcast_in_dim_p = standard_primitive(
    _broadcast_in_dim_shape_rule, lambda operand, **_: operand.dtype, "broadcast_in_dim")


def _broadcast_in_dim_lowering(ctx, x, *, shape, broadcast_dimensions):
  if not _is_constant_shape(shape):   # shape-polymorphic export
    return core.symbolic_dimensions().broadcast_in_dim(ctx.module_context, x,
                                                       ctx.avals_out[0], broadcast_dimensions)
  return mlir.broadcast_in_dim(x, ctx.avals_out[0], broadcast_dimensions)


def inconclusive_dimension_error() -> type:
  """``jaxlite.errors.InconclusiveDimensionOperation``, imported when an
  ``except`` clause tests for it (jaxlite.errors imports jaxlite.numpy)."""
  from jaxlite import errors  # pylint: disable=g-import-not-at-top
  return errors.InconclusiveDimensionOperation


def dimension_sizes(sizes) -> tuple:
  """``sizes`` as Python ints; symbolic dimensions (shape-polymorphic
  export) stay as they are."""
  try:
    return tuple(int(d) for d in sizes)
  except inconclusive_dimension_error():
    return tuple(d if core.is_symbolic_dim(d) else int(d) for d in sizes)


def _is_constant_shape(shape) -> bool:
  return all(isinstance(d, (int, np.integer)) for d in shape)


mlir.register_lowering(broadcast_in_dim_p, _broadcast_in_dim_lowering)


def _broadcast_in_dim_transpose(ct, operand, *, shape, broadcast_dimensions):
  from jaxlite.lax import reductions
  in_shape = operand.aval.shape
  unit_dims = tuple(i for i, s in enumerate(in_shape) if s == 1 and shape[broadcast_dimensions[i]] != 1)
  summed = tuple(i for i in range(len(shape)) if i not in broadcast_dimensions)
  summed += tuple(broadcast_dimensions[i] for i in unit_dims)
  out = reductions.reduce_sum(ct, tuple(sorted(summed))) if summed else ct
  # The kept axes come out in increasing order; put them in the operand's.
  kept = [broadcast_dimensions[i] for i in range(len(in_shape)) if i not in unit_dims]
  order = tuple(sorted(kept).index(d) for d in kept)
  if order != tuple(range(len(order))):
    out = transpose(out, order)
  if unit_dims:
    out = reshape(out, in_shape)
  return [out]


ad.deflinear2(broadcast_in_dim_p,
              lambda ct, operand, **p: _broadcast_in_dim_transpose(ct, operand, **p))


def _broadcast_in_dim_batch(batched_args, batch_dims, *, shape, broadcast_dimensions):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  size = core.get_aval(x).shape[0]
  new_shape = (size,) + tuple(shape)
  dims = (0,) + tuple(b + 1 for b in broadcast_dimensions)
  return broadcast_in_dim_p.bind(x, shape=new_shape, broadcast_dimensions=dims), 0


batching.primitive_batchers[broadcast_in_dim_p] = _broadcast_in_dim_batch


def broadcast_in_dim(operand, shape: Sequence[int], broadcast_dimensions: Sequence[int],
                     *, out_sharding=None):
  """Broadcasts ``operand`` to ``shape``; its axis i becomes axis ``broadcast_dimensions[i]``.

  >>> from jaxlite import lax
  >>> lax.broadcast_in_dim(1.0, (2,), ()).shape
  (2,)
  """
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import place
    return place(broadcast_in_dim(operand, shape, broadcast_dimensions), out_sharding,
                 "broadcast_in_dim")
  shape = dimension_sizes(shape)
  broadcast_dimensions = tuple(int(d) for d in broadcast_dimensions)
  aval = core.get_aval(operand)
  if aval.shape == shape and broadcast_dimensions == tuple(range(len(shape))) and \
      isinstance(operand, core.Tracer):
    return operand
  return broadcast_in_dim_p.bind(operand, shape=shape,
                                 broadcast_dimensions=broadcast_dimensions)


def broadcast(operand, sizes: Sequence[int], *, out_sharding=None):
  """Adds leading axes of the given ``sizes``.

  >>> from jaxlite import lax
  >>> lax.broadcast(1.0, (2, 3)).shape
  (2, 3)
  """
  aval = core.get_aval(operand)
  sizes = tuple(sizes)
  dims = tuple(range(len(sizes), len(sizes) + aval.ndim))
  return broadcast_in_dim(operand, sizes + aval.shape, dims, out_sharding=out_sharding)


def canonicalize_shape(shape, context: str = "") -> tuple[int, ...]:
  """``shape`` as a tuple of Python ints; TypeError (JAX's) for traced or
  non-integer entries.

  >>> from jaxlite.lax.structural import canonicalize_shape
  >>> canonicalize_shape(3)
  (3,)
  """
  if isinstance(shape, core.Tracer) or (not isinstance(shape, (tuple, list)) and
                                       np.ndim(shape) == 0):
    shape = (shape,)
  shape = tuple(shape)
  try:
    return tuple(_concrete_dim(d) for d in shape)
  except TypeError:
    pass
  msg = (f"Shapes must be 1D sequences of concrete values of integer type, got "
         f"{tuple(_short(d) for d in shape)}.")
  tracers = [d for d in shape if isinstance(d, core.Tracer)]
  if tracers:
    msg += "\nIf using `jit`, try using `static_argnums` or applying `jit` to smaller subfunctions."
    origin = tracers[0]._origin_msg()
    if origin:
      msg += f"\n{origin}"
  if context:
    msg += f"\n{context}"
  raise TypeError(msg)


def _short(d):
  return d._short_repr() if isinstance(d, core.Tracer) else d


def _concrete_dim(d) -> int:
  if type(d) is int:   # the usual dimension: nothing to look up
    return d
  if isinstance(d, core.Tracer):
    if d._concrete_value() is None:
      raise TypeError("traced dimension")
    d = d._concrete_value()
  if hasattr(d, "scope") and hasattr(d, "__jax_array__"):
    return d   # a symbolic dimension (shape-polymorphic export)
  if isinstance(d, (bool, np.bool_)) or not (
      isinstance(d, (int, np.integer)) or
      (hasattr(d, "dtype") and np.ndim(d) == 0 and np.issubdtype(d.dtype, np.integer))):
    raise TypeError("non-integer dimension")
  return int(d)


def full(shape: Sequence[int], fill_value, dtype=None, *, sharding=None):
  """An array of ``shape`` filled with ``fill_value``.

  Args:
    shape: a sequence of concrete integers (or one integer).
    fill_value: a scalar.
    dtype: the result dtype; by default ``fill_value``'s (weakly typed if it is).
    sharding: where the result lives, as JAX: outside tracing, a sharding on
      devices lays each device's block out there (the result is not weakly
      typed); while tracing, only a sharding of an abstract mesh (a type's
      sharding) applies.

  >>> from jaxlite import lax
  >>> lax.full((2,), 3.0)
  Array([3., 3.], dtype=float32, weak_type=True)
  """
  shape = canonicalize_shape(shape)
  if any(isinstance(d, (int, np.integer)) and d < 0 for d in shape):   # JAX's check
    raise TypeError(f"broadcast_in_dim shape must have every element be nonnegative, "
                    f"got {shape}.")
  if np.ndim(fill_value) != 0:
    raise TypeError(f"full must be called with scalar fill_value, got fill_value.shape "
                    f"{np.shape(fill_value)}.")
  if isinstance(dtype, dtypes.ExtendedDType):   # key arrays: JAX's rule for their type
    return dtype._rules.full(shape, fill_value, dtype)   # pylint: disable=protected-access
  weak = dtype is None and dtypes.is_weakly_typed(fill_value)
  dtype = dtypes.canonicalize_dtype(dtype or dtypes.dtype(fill_value))
  if dtype == dtypes.float0:
    # Tangents of integers carry no data; like JAX, a host array stands for them.
    return np.zeros(shape, dtypes.float0)
  fill = _convert_element_type(fill_value, dtype, weak)
  if sharding is not None:
    if not getattr(sharding, "_is_concrete", True):   # a type's (abstract) sharding
      return broadcast(fill, shape, out_sharding=sharding)
    if not isinstance(fill, core.Tracer):
      return _full_laid_out(shape, fill, sharding)
  return broadcast(fill, shape)


def _full_laid_out(shape, fill, sharding):
  """``full`` placed by a sharding on devices, as JAX's: one block is filled
  and copied to each device (device to device), and the result is not weak."""
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
  block = broadcast(_convert_element_type(fill, fill.dtype, False),
                    tuple(sharding.shard_shape(shape)))
  if len(block.devices()) > 1:   # made under a mesh context: its first block
    block = block.addressable_data(0)
  index_map = sharding.addressable_devices_indices_map(shape)
  pieces = [transfer.device_put(block, d) for d in sharding._device_assignment
            if d in index_map]
  return spmd.make_array_from_single_device_arrays(shape, sharding, pieces)


def full_like(x, fill_value, dtype=None, shape=None, sharding=None):
  """An array like ``x`` (its shape and dtype unless given) filled with ``fill_value``.

  >>> from jaxlite import lax
  >>> lax.full_like(lax.iota('int32', 2), 7)
  Array([7, 7], dtype=int32)
  """
  aval = core.get_aval(x)
  weak = dtype is None and aval.weak_type
  if isinstance(dtype or aval.dtype, dtypes.ExtendedDType):   # key arrays: JAX's rule
    dtype = dtype or aval.dtype
    return dtype._rules.full(aval.shape if shape is None else canonicalize_shape(shape),
                             fill_value, dtype)
  dtype = dtypes.canonicalize_dtype(dtype or aval.dtype)
  given_shape = shape
  shape = aval.shape if shape is None else canonicalize_shape(shape)
  if np.ndim(fill_value) != 0:
    raise TypeError(f"full must be called with scalar fill_value, got fill_value.shape "
                    f"{np.shape(fill_value)}.")
  if sharding is None:
    sharding = like_sharding(x, shape, given_shape, weak)
  out = full(shape, _convert_element_type(fill_value, dtype, weak), sharding=sharding)
  if getattr(aval, "vma", None):   # inside shard_map: varying as x is, as JAX's
    from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
    out = vma.vary(out, aval.vma)
  return out


def like_sharding(x, shape, given_shape, weak):
  """The sharding a ``*_like`` function (``lax.full_like``, ``jnp.zeros_like``
  ...) gives its result of ``shape`` (``given_shape``: the one asked for, or
  None) when no sharding or device is asked for, as JAX's: a tracer's type
  sharding on Explicit mesh axes (its shape kept); a committed, not weakly
  typed array's own sharding where the shape is kept or it is replicated;
  else None.

  >>> import numpy as np
  >>> like_sharding(np.zeros(2), (2,), None, False) is None
  True
  """
  if isinstance(x, core.Tracer):
    return x.aval._sharding if given_shape is None else None
  sharding = getattr(x, "sharding", None)
  # (An object with a sharding but no committedness, a ShapeDtypeStruct say,
  # counts as committed, as in JAX.)
  committed = getattr(x, "committed", getattr(x, "_committed", True))
  if sharding is None or weak or not committed:
    return None
  if tuple(shape) != tuple(np.shape(x)) and not sharding.is_fully_replicated:
    return None
  return sharding


def zeros_like_array(x):
  """Zeros with the shape and dtype of ``x``.

  >>> from jaxlite import lax
  >>> lax.zeros_like_array(lax.iota('float32', 2))
  Array([0., 0.], dtype=float32)
  """
  return full_like(x, 0)


def expand_dims(array, dimensions: Sequence[int]):
  """Inserts size-1 axes at ``dimensions`` (positions in the result).

  >>> from jaxlite import lax
  >>> lax.expand_dims(1.0, (0, 1)).shape
  (1, 1)
  """
  aval = core.get_aval(array)
  ndim_out = aval.ndim + len(dimensions)
  for d in dimensions:
    if not -ndim_out <= d < ndim_out:
      raise ValueError(f"axis {d} is out of bounds for array of dimension {ndim_out}")
  dims = sorted(d % ndim_out for d in dimensions)
  if len(set(dims)) != len(dims):
    raise ValueError(f"repeated axis in lax.expand_dims: {tuple(dimensions)}")
  shape = list(aval.shape)
  for d in dims:
    shape.insert(d, 1)
  bdims = [i for i in range(ndim_out) if i not in dims]
  return broadcast_in_dim(array, shape, bdims)


# --- reshape ---------------------------------------------------------------------------------


def _reshape_shape_rule(operand, *, new_sizes, dimensions, sharding=None):
  if any(d < 0 for d in new_sizes):
    raise TypeError(f"reshape new_sizes must all be nonnegative, got {new_sizes}.")
  if math.prod(new_sizes) != operand.size:   # exact; symbolic sizes compare too
    raise TypeError(f"reshape total size must be unchanged, got new_sizes {new_sizes} "
                    f"for shape {operand.shape}.")
  if dimensions is not None and sorted(dimensions) != list(range(operand.ndim)):
    raise TypeError(f"reshape dimensions must be a permutation of operand dimensions, "
                    f"got dimensions {dimensions} for shape {operand.shape}.")
  return tuple(new_sizes)


reshape_p = standard_primitive(_reshape_shape_rule, lambda operand, **_: operand.dtype,
                               "reshape")


def _reshape_lowering(ctx, x, *, new_sizes, dimensions, sharding=None):
  if dimensions is not None:
    x = mlir.hlo().transpose(x, mlir.dense_int_array(dimensions))
  return _reshape_to_out(ctx, x)


def _reshape_to_out(ctx, x):
  """``x`` reshaped to the result's aval (dynamically where it is symbolic)."""
  aval = ctx.avals_out[0]
  if not _is_constant_shape(aval.shape):   # shape-polymorphic export
    return core.symbolic_dimensions().reshape(ctx.module_context, x, aval)
  return mlir.hlo().reshape(mlir.aval_to_ir_type(aval), x)


mlir.register_lowering(reshape_p, _reshape_lowering)


def _reshape_transpose(ct, operand, *, new_sizes, dimensions, sharding=None):
  out = reshape(ct, operand.aval.shape if dimensions is None else
                tuple(np.take(operand.aval.shape, dimensions)))
  if dimensions is not None:
    out = transpose(out, np.argsort(dimensions))
  return [out]


ad.deflinear2(reshape_p, _reshape_transpose)


def _reshape_batch(batched_args, batch_dims, *, new_sizes, dimensions, sharding=None):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  if dimensions is not None:
    x = transpose(x, (0,) + tuple(i + 1 for i in dimensions))
  size = core.get_aval(x).shape[0]
  return reshape(x, (size,) + tuple(new_sizes)), 0   # a no-op reshape folds away, as JAX's


batching.primitive_batchers[reshape_p] = _reshape_batch


def reshape(operand, new_sizes: Sequence[int], dimensions: Sequence[int] | None = None,
            *, out_sharding=None):
  """Reshapes ``operand`` (after transposing by ``dimensions`` if given).

  >>> from jaxlite import lax
  >>> lax.reshape(lax.full((6,), 1.0), (2, 3)).shape
  (2, 3)
  """
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import placed_after
    return placed_after(lambda: reshape(operand, new_sizes, dimensions), out_sharding,
                        "reshape")
  new_sizes = dimension_sizes(new_sizes)
  dims = None if dimensions is None or tuple(dimensions) == tuple(
      range(core.get_aval(operand).ndim)) else tuple(int(d) for d in dimensions)
  aval = core.get_aval(operand)
  # As JAX's: a rank-0 operand is reshaped even to its own shape ().
  if aval.shape and aval.shape == new_sizes and dims is None and \
      isinstance(operand, core.Tracer):
    return operand
  # sharding=None (inferred) is JAX 0.10.2's parameter too.
  return reshape_p.bind(operand, new_sizes=new_sizes, dimensions=dims, sharding=None)


# --- transpose -------------------------------------------------------------------------------


def _transpose_shape_rule(operand, *, permutation):
  if sorted(permutation) != list(range(operand.ndim)):
    raise TypeError("transpose permutation isn't a permutation of operand dimensions, got "
                    f"permutation {permutation} for operand shape {operand.shape}.")
  return tuple(operand.shape[p] for p in permutation)


transpose_p = standard_primitive(_transpose_shape_rule, lambda operand, **_: operand.dtype,
                                 "transpose")
mlir.register_lowering(
    transpose_p,
    lambda ctx, x, *, permutation: mlir.hlo().transpose(x, mlir.dense_int_array(permutation)))
ad.deflinear(transpose_p, lambda ct, *, permutation: [transpose(ct, np.argsort(permutation))])


def _transpose_batch(batched_args, batch_dims, *, permutation):
  (x,), (d,) = batched_args, batch_dims
  perm = (d,) + tuple(p if p < d else p + 1 for p in permutation)
  return transpose_p.bind(x, permutation=perm), 0


batching.primitive_batchers[transpose_p] = _transpose_batch


def transpose(operand, permutation: Sequence[int]):
  """Permutes the axes of ``operand``.

  >>> from jaxlite import lax
  >>> lax.transpose(lax.full((2, 3), 0.0), (1, 0)).shape
  (3, 2)
  """
  permutation = tuple(int(p) for p in permutation)
  if permutation == tuple(range(len(permutation))) and isinstance(operand, core.Tracer):
    return operand
  return transpose_p.bind(operand, permutation=permutation)


def collapse(operand, start_dimension: int, stop_dimension: int | None = None):
  """Merges axes ``start_dimension:stop_dimension`` of ``operand`` into one.

  >>> from jaxlite import lax
  >>> lax.collapse(lax.full((2, 3, 4), 0.0), 1).shape
  (2, 12)
  """
  shape = core.get_aval(operand).shape
  lo, hi, _ = slice(start_dimension, stop_dimension).indices(len(shape))
  size = math.prod(shape[lo:hi])
  return reshape(operand, shape[:lo] + (size,) + shape[hi:])


# --- squeeze ---------------------------------------------------------------------------------


def _squeeze_shape_rule(operand, *, dimensions):
  for d in dimensions:
    if not 0 <= d < operand.ndim:
      raise ValueError(f"axis {d} is out of bounds for array of dimension {operand.ndim}")
  if len(set(dimensions)) != len(dimensions):
    raise ValueError(f"dimensions are not unique: {dimensions}")
  if any(operand.shape[d] != 1 for d in dimensions):
    raise ValueError("cannot select an axis to squeeze out which has size not equal to "
                     f"one, got shape={operand.shape} and dimensions={dimensions}")
  return tuple(s for i, s in enumerate(operand.shape) if i not in dimensions)


squeeze_p = standard_primitive(_squeeze_shape_rule, lambda operand, **_: operand.dtype,
                               "squeeze")
mlir.register_lowering(squeeze_p, lambda ctx, x, *, dimensions: _reshape_to_out(ctx, x))
ad.deflinear2(squeeze_p, lambda ct, operand, *, dimensions:
              [reshape(ct, operand.aval.shape)])


def _squeeze_batch(batched_args, batch_dims, *, dimensions):
  # As JAX: the batch axis moves to the front first (a transpose in the jaxpr).
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  return squeeze_p.bind(x, dimensions=tuple(a + 1 for a in dimensions)), 0


batching.primitive_batchers[squeeze_p] = _squeeze_batch


def squeeze(array, dimensions: Sequence[int]):
  """Removes the size-1 axes ``dimensions`` (negative values count from the end).

  >>> from jaxlite import lax
  >>> lax.squeeze(lax.full((1, 2, 1), 0.0), (0, -1)).shape
  (2,)
  """
  ndim = core.get_aval(array).ndim
  for d in dimensions:
    if not -ndim <= d < ndim:
      raise ValueError(f"axis {d} is out of bounds for array of dimension {ndim}")
  dims = tuple(sorted(int(d) % ndim for d in dimensions)) if ndim else ()
  if not dims and isinstance(array, core.Tracer):
    return array
  return squeeze_p.bind(array, dimensions=dims)


# --- rev -------------------------------------------------------------------------------------


def _rev_shape_rule(operand, *, dimensions):
  if len(set(dimensions)) != len(dimensions):
    raise TypeError(f"rev dimensions must be unique, got {dimensions}.")
  if dimensions and not all(0 <= d < operand.ndim for d in dimensions):
    raise TypeError(f"rev dimensions must all be less than operand ndim, got dimensions "
                    f"{dimensions} for operand ndim {operand.ndim}.")
  return operand.shape


rev_p = standard_primitive(_rev_shape_rule, lambda operand, **_: operand.dtype, "rev")
mlir.register_lowering(
    rev_p, lambda ctx, x, *, dimensions: mlir.hlo().reverse(x, mlir.dense_int_array(dimensions)))
ad.deflinear(rev_p, lambda ct, *, dimensions: [rev(ct, dimensions)])
batching.primitive_batchers[rev_p] = lambda args, dims, *, dimensions: (
    rev_p.bind(args[0], dimensions=tuple(a + (a >= dims[0]) for a in dimensions)), dims[0])


def rev(operand, dimensions: Sequence[int]):
  """Reverses ``operand`` along ``dimensions``.

  >>> from jaxlite import lax
  >>> lax.rev(lax.iota('int32', 3), (0,))
  Array([2, 1, 0], dtype=int32)
  """
  return rev_p.bind(operand, dimensions=tuple(int(d) for d in dimensions))


# --- pad -------------------------------------------------------------------------------------


def _pad_shape_rule(operand, padding_value, *, padding_config):
  if len(padding_config) != operand.ndim:
    raise ValueError("length of padding_config must equal the number of axes of operand, "
                     f"got padding_config {padding_config} for operand shape {operand.shape}")
  if padding_value.ndim != 0:
    raise ValueError(f"padding_value must be a scalar; got np.shape(padding_value)="
                     f"{padding_value.shape}")
  if any(i < 0 for _, _, i in padding_config):
    raise ValueError("interior padding in padding_config must be nonnegative, got "
                     f"padding_config {padding_config}")
  out = tuple(lo + hi + d + max(d - 1, 0) * i
              for d, (lo, hi, i) in zip(operand.shape, padding_config))
  # Widths may be NumPy integers (jnp.pad passes them as JAX does); shapes hold Python ints.
  out = tuple(int(d) if isinstance(d, np.integer) else d for d in out)
  if any(d < 0 for d in out):
    raise ValueError(f"Dimension size after padding is not at least 0, got result shape "
                     f"{out}, for padding_config {padding_config} and operand shape "
                     f"{operand.shape}")
  return out


def _pad_dtype_rule(operand, padding_value, *, padding_config):
  if operand.dtype != padding_value.dtype:
    raise TypeError(f"pad operand and padding_value must be same dtype: got "
                    f"{operand.dtype.name} and {padding_value.dtype.name}.")
  return operand.dtype


pad_p = standard_primitive(_pad_shape_rule, _pad_dtype_rule, "pad")


def _pad_lowering(ctx, x, padding_value, *, padding_config):
  lo, hi, interior = zip(*padding_config) if padding_config else ((), (), ())
  return mlir.hlo().pad(x, padding_value, mlir.dense_int_array(lo), mlir.dense_int_array(hi),
                        mlir.dense_int_array(interior))


mlir.register_lowering(pad_p, _pad_lowering)


def _unpad(ct, padding_config):
  """The transpose of padding with zero: undo the edge padding (negated, so
  elements that were cut off get a zero cotangent), then stride over the
  interior padding."""
  from jaxlite.lax import slicing
  unpad = tuple((-lo, -hi, 0) for lo, hi, _ in padding_config)
  unpadded = pad(ct, np.zeros((), core.get_aval(ct).dtype), unpad)
  return slicing.slice(unpadded, (0,) * len(unpad), core.get_aval(unpadded).shape,
                       tuple(i + 1 for _, _, i in padding_config))


def _pad_transpose(ct, operand, padding_value, *, padding_config):
  from jaxlite.lax import elementwise, reductions
  operand_part = _unpad(ct, padding_config)
  ct_value = None
  if ad.is_undefined_primal(padding_value):
    # Every output element not taken from the operand is the padding value.
    axes = tuple(range(core.get_aval(ct).ndim))
    ct_value = elementwise.sub(reductions.reduce_sum(ct, axes),
                               reductions.reduce_sum(operand_part, axes))
  return [operand_part if ad.is_undefined_primal(operand) else None, ct_value]


ad.deflinear2(pad_p, _pad_transpose)


def _pad_batch(batched_args, batch_dims, *, padding_config):
  from jaxlite import lax
  (x, v), (xd, vd) = batched_args, batch_dims
  if vd is None:
    config = list(padding_config)
    config.insert(xd, (0, 0, 0))
    return pad_p.bind(x, v, padding_config=tuple(config)), xd
  # A batched padding value: pad with zero, then select the value where the
  # (unbatched) padding mask is set.
  size = core.get_aval(v).shape[vd]
  x = batching.bdim_at_front(x, xd, size)
  dtype = core.get_aval(x).dtype
  config = ((0, 0, 0),) + tuple(padding_config)
  out = pad_p.bind(x, np.zeros((), dtype), padding_config=config)
  out_shape = core.get_aval(out).shape
  mask = pad_p.bind(np.zeros(core.get_aval(x).shape[1:], np.bool_), np.ones((), np.bool_),
                    padding_config=tuple(padding_config))
  mask = broadcast(mask, (size,))
  v = broadcast_in_dim(batching.moveaxis(v, vd, 0), out_shape, (0,))
  return lax.select_n(mask, out, v), 0


batching.primitive_batchers[pad_p] = _pad_batch


def pad(operand, padding_value, padding_config: Sequence[tuple[int, int, int]]):
  """Pads ``operand`` with ``padding_value`` by ``(low, high, interior)`` per axis.

  Low and high padding may be negative (they then remove elements).

  >>> from jaxlite import lax
  >>> lax.pad(lax.iota('int32', 2) + 1, 0, [(1, 1, 1)])
  Array([0, 1, 0, 2, 0], dtype=int32)
  """
  config = tuple((int(lo), int(hi), int(i)) for lo, hi, i in padding_config)
  if not isinstance(padding_value, core.Tracer) and \
      type(padding_value) in dtypes.python_scalar_dtypes:
    padding_value = np.asarray(padding_value, core.get_aval(operand).dtype)
  return pad_p.bind(operand, padding_value, padding_config=config)


# --- concatenate -----------------------------------------------------------------------------


def _concatenate_shape_rule(*operands, dimension):
  if not operands:
    raise ValueError("concatenate requires a non-empty sequences of arrays")
  shapes = [o.shape for o in operands]
  if len({len(s) for s in shapes}) != 1:
    raise TypeError("Cannot concatenate arrays with different numbers of dimensions: got "
                    f"{', '.join(map(str, shapes))}.")
  if not 0 <= dimension < len(shapes[0]):
    raise TypeError(f"concatenate dimension out of bounds: dimension {dimension} for shapes "
                    f"{', '.join(map(str, shapes))}.")
  others = {s[:dimension] + s[dimension + 1:] for s in shapes}
  if len(others) != 1:
    raise TypeError("Cannot concatenate arrays with shapes that differ in dimensions other "
                    f"than the one being concatenated: concatenating along dimension "
                    f"{dimension} for shapes {', '.join(map(str, shapes))}.")
  s = shapes[0]
  return s[:dimension] + (sum(x[dimension] for x in shapes),) + s[dimension + 1:]


def _concatenate_dtype_rule(*operands, dimension):
  if len({o.dtype for o in operands}) != 1:
    raise TypeError(
        "lax.concatenate requires arguments to have the same dtypes, got "
        f"{', '.join(o.dtype.name for o in operands)}. (Tip: jnp.concatenate is a similar "
        "function that does automatic type promotion on inputs).")
  return operands[0].dtype


concatenate_p = standard_primitive(_concatenate_shape_rule, _concatenate_dtype_rule,
                                   "concatenate")
mlir.register_lowering(concatenate_p, lambda ctx, *xs, dimension:
                       mlir.hlo().concatenate(list(xs), mlir.i64_attr(dimension)))


def _concatenate_transpose(ct, *operands, dimension):
  from jaxlite.lax import slicing
  outs, start = [], 0
  for o in operands:
    aval = o.aval if ad.is_undefined_primal(o) else core.get_aval(o)
    size = aval.shape[dimension]
    if ad.is_undefined_primal(o):
      outs.append(slicing.slice_in_dim(ct, start, start + size, axis=dimension))
    else:
      outs.append(None)
    start += size
  return outs


ad.deflinear2(concatenate_p, _concatenate_transpose)


def _concatenate_batch(batched_args, batch_dims, *, dimension):
  size = batching.batch_size(batched_args, batch_dims)
  args = [batching.bdim_at_front(x, d, size) for x, d in zip(batched_args, batch_dims)]
  return concatenate_p.bind(*args, dimension=dimension + 1), 0


batching.primitive_batchers[concatenate_p] = _concatenate_batch


def concatenate(operands, dimension: int):
  """Joins ``operands`` (same dtype, equal shapes off ``dimension``) along ``dimension``.

  >>> from jaxlite import lax
  >>> lax.concatenate([lax.iota('int32', 2), lax.iota('int32', 1)], 0)
  Array([0, 1, 0], dtype=int32)
  """
  operands = list(operands)
  if len(operands) == 1 and isinstance(operands[0], core.Tracer):
    return operands[0]
  return concatenate_p.bind(*operands, dimension=int(dimension))


# --- iota ------------------------------------------------------------------------------------


def _iota_shape_rule(*, dtype, shape, dimension, sharding):
  if any(d < 0 for d in shape):
    raise TypeError(f"iota shape must have every element be nonnegative, got {shape}.")
  if not 0 <= dimension < len(shape):
    raise ValueError(f"iota dimension must be between 0 and len(shape), got "
                     f"dimension={dimension} for shape={shape}")
  return shape


iota_p = standard_primitive(_iota_shape_rule, lambda *, dtype, **_: np.dtype(dtype), "iota",
                            weak_type_rule=lambda **_: False)


def _iota_lowering(ctx, *, dtype, shape, dimension, sharding):
  return mlir.iota(ctx.avals_out[0], dimension)


mlir.register_lowering(iota_p, _iota_lowering)
ad.defjvp_zero(iota_p)


def iota(dtype, size: int):
  """``[0, 1, ..., size - 1]`` of ``dtype``.

  >>> from jaxlite import lax
  >>> lax.iota('int32', 3)
  Array([0, 1, 2], dtype=int32)
  """
  return broadcasted_iota(dtype, (size,), 0)


def broadcasted_iota(dtype, shape: Sequence[int], dimension: int, *, out_sharding=None):
  """An array of ``shape`` whose value at each index is its coordinate on ``dimension``.

  >>> from jaxlite import lax
  >>> lax.broadcasted_iota('int32', (2, 2), 0)
  Array([[0, 0],
         [1, 1]], dtype=int32)
  """
  dtype = dtypes.canonicalize_dtype(dtypes.dtype(dtype))
  shape = canonicalize_shape(shape)
  dimension = int(dimension)
  if len(shape) and -len(shape) <= dimension < 0:
    dimension += len(shape)
  out = iota_p.bind(dtype=dtype, shape=shape, dimension=dimension, sharding=None)
  if out_sharding is None:
    return out
  from jaxlite.lax.out_sharding import place  # pylint: disable=g-import-not-at-top
  return place(out, out_sharding, "broadcasted_iota")
