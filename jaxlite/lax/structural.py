"""Structural primitives: broadcasting, reshaping, transposing, converting types,
padding, concatenating and iota."""
from __future__ import annotations

__all__ = ['convert_element_type', 'broadcast_in_dim', 'broadcast', 'full', 'expand_dims', 'reshape', 'transpose', 'convert_element_type_p', 'broadcast_in_dim_p', 'reshape_p', 'transpose_p']

from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
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
  if aval_in.dtype == aval_out.dtype:
    return x
  if np.issubdtype(aval_in.dtype, np.complexfloating) and \
      not np.issubdtype(aval_out.dtype, np.complexfloating):
    x = mlir.hlo().real(x)   # complex -> real drops the imaginary part, as NumPy
    aval_in = aval_in.update(dtype=np.finfo(aval_in.dtype).dtype)
  if aval_out.dtype == np.bool_ and aval_in.dtype != np.bool_:
    zero = mlir.full_like_aval(0, aval_in)
    return mlir.compare(x, zero, "NE")
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
  new_dtype = old_aval.dtype if new_dtype is None else \
      dtypes.canonicalize_dtype(dtypes.dtype(new_dtype))
  if old_aval.dtype == new_dtype and old_aval.weak_type == weak_type and \
      isinstance(operand, core.Tracer):
    return operand
  if not isinstance(operand, core.Tracer) and type(operand) in dtypes.python_scalar_dtypes:
    operand = np.asarray(operand, new_dtype)
  return convert_element_type_p.bind(operand, new_dtype=new_dtype, weak_type=bool(weak_type))


# --- broadcast_in_dim ---------------------------------------------------------------------


def _broadcast_in_dim_shape_rule(operand, *, shape, broadcast_dimensions):
  if len(broadcast_dimensions) != operand.ndim:
    raise TypeError(
        "broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; "
        f"got broadcast_dimensions {broadcast_dimensions} for operand ndim {operand.ndim}.")
  if len(shape) < operand.ndim:
    raise TypeError(f"broadcast_in_dim target broadcast shape must have equal or higher "
                    f"rank to the operand shape; got operand ndim {operand.ndim} and "
                    f"target broadcast ndim {len(shape)}.")
  for i, d in enumerate(broadcast_dimensions):
    if not 0 <= d < len(shape):
      raise TypeError(f"broadcast_in_dim broadcast_dimensions must be in range "
                      f"[0, {len(shape)}); got {broadcast_dimensions}.")
    if operand.shape[i] not in (1, shape[d]):
      raise TypeError(
          f"broadcast_in_dim operand dimension sizes must either be 1, or be equal to "
          f"their corresponding dimensions in the target broadcast shape; got operand "
          f"of shape {operand.shape}, target broadcast shape {shape}, "
          f"broadcast_dimensions {broadcast_dimensions} ")
  if list(broadcast_dimensions) != sorted(set(broadcast_dimensions)):
    raise TypeError("broadcast_in_dim broadcast_dimensions must be strictly increasing; "
                    f"got broadcast_dimensions {broadcast_dimensions}")
  return tuple(shape)


broadcast_in_dim_p = standard_primitive(
    _broadcast_in_dim_shape_rule, lambda operand, **_: operand.dtype, "broadcast_in_dim")


def _broadcast_in_dim_lowering(ctx, x, *, shape, broadcast_dimensions):
  return mlir.broadcast_in_dim(x, ctx.avals_out[0], broadcast_dimensions)


mlir.register_lowering(broadcast_in_dim_p, _broadcast_in_dim_lowering)


def _broadcast_in_dim_transpose(ct, operand, *, shape, broadcast_dimensions):
  from jaxlite.lax import reductions
  in_shape = operand.aval.shape
  unit_dims = tuple(i for i, s in enumerate(in_shape) if s == 1 and shape[broadcast_dimensions[i]] != 1)
  summed = tuple(i for i in range(len(shape)) if i not in broadcast_dimensions)
  summed += tuple(broadcast_dimensions[i] for i in unit_dims)
  out = reductions.reduce_sum(ct, tuple(sorted(summed))) if summed else ct
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


def broadcast_in_dim(operand, shape: Sequence[int], broadcast_dimensions: Sequence[int]):
  """Broadcasts ``operand`` to ``shape``; its axis i becomes axis ``broadcast_dimensions[i]``.

  >>> from jaxlite import lax
  >>> lax.broadcast_in_dim(1.0, (2,), ()).shape
  (2,)
  """
  shape = tuple(int(d) for d in shape)
  broadcast_dimensions = tuple(int(d) for d in broadcast_dimensions)
  aval = core.get_aval(operand)
  if aval.shape == shape and broadcast_dimensions == tuple(range(len(shape))) and \
      isinstance(operand, core.Tracer):
    return operand
  return broadcast_in_dim_p.bind(operand, shape=shape,
                                 broadcast_dimensions=broadcast_dimensions)


def broadcast(operand, sizes: Sequence[int]):
  """Adds leading axes of the given ``sizes``.

  >>> from jaxlite import lax
  >>> lax.broadcast(1.0, (2, 3)).shape
  (2, 3)
  """
  aval = core.get_aval(operand)
  sizes = tuple(sizes)
  dims = tuple(range(len(sizes), len(sizes) + aval.ndim))
  return broadcast_in_dim(operand, sizes + aval.shape, dims)


def full(shape: Sequence[int], fill_value, dtype=None):
  """An array of ``shape`` filled with ``fill_value``.

  >>> from jaxlite import lax
  >>> lax.full((2,), 3.0)
  Array([3., 3.], dtype=float32)
  """
  shape = tuple(core.concrete_dim(d, "full") for d in shape) if hasattr(core, "concrete_dim") \
      else tuple(int(d) for d in shape)
  weak = dtype is None and dtypes.is_weakly_typed(fill_value)
  dtype = dtypes.canonicalize_dtype(dtype or dtypes.dtype(fill_value))
  if isinstance(fill_value, core.Tracer) or hasattr(fill_value, "aval"):
    fill = _convert_element_type(fill_value, dtype, weak)
  else:
    fill = np.asarray(fill_value, dtype)
  return broadcast(fill, shape)


def expand_dims(operand, dimensions: Sequence[int]):
  """Inserts size-1 axes at ``dimensions`` (positions in the result).

  >>> from jaxlite import lax
  >>> lax.expand_dims(1.0, (0, 1)).shape
  (1, 1)
  """
  aval = core.get_aval(operand)
  ndim_out = aval.ndim + len(dimensions)
  dims = sorted(d % ndim_out for d in dimensions)
  shape = list(aval.shape)
  for d in dims:
    shape.insert(d, 1)
  bdims = [i for i in range(ndim_out) if i not in dims]
  return broadcast_in_dim(operand, shape, bdims)


# --- reshape ---------------------------------------------------------------------------------


def _reshape_shape_rule(operand, *, new_sizes, dimensions):
  if any(d < 0 for d in new_sizes):
    raise TypeError(f"reshape new_sizes must all be nonnegative, got {new_sizes}.")
  if int(np.prod(new_sizes, dtype=np.int64)) != operand.size:
    raise TypeError(f"reshape total size must be unchanged, got new_sizes {new_sizes} "
                    f"for shape {operand.shape}.")
  if dimensions is not None and sorted(dimensions) != list(range(operand.ndim)):
    raise TypeError(f"reshape dimensions must be a permutation of operand dimensions, "
                    f"got dimensions {dimensions} for shape {operand.shape}.")
  return tuple(new_sizes)


reshape_p = standard_primitive(_reshape_shape_rule, lambda operand, **_: operand.dtype,
                               "reshape")


def _reshape_lowering(ctx, x, *, new_sizes, dimensions):
  if dimensions is not None:
    x = mlir.hlo().transpose(x, mlir.dense_int_array(dimensions))
  return mlir.hlo().reshape(mlir.aval_to_ir_type(ctx.avals_out[0]), x)


mlir.register_lowering(reshape_p, _reshape_lowering)


def _reshape_transpose(ct, operand, *, new_sizes, dimensions):
  out = reshape(ct, operand.aval.shape if dimensions is None else
                tuple(np.take(operand.aval.shape, dimensions)))
  if dimensions is not None:
    out = transpose(out, np.argsort(dimensions))
  return [out]


ad.deflinear2(reshape_p, _reshape_transpose)


def _reshape_batch(batched_args, batch_dims, *, new_sizes, dimensions):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  if dimensions is not None:
    x = transpose(x, (0,) + tuple(i + 1 for i in dimensions))
  size = core.get_aval(x).shape[0]
  return reshape_p.bind(x, new_sizes=(size,) + tuple(new_sizes), dimensions=None), 0


batching.primitive_batchers[reshape_p] = _reshape_batch


def reshape(operand, new_sizes: Sequence[int], dimensions: Sequence[int] | None = None):
  """Reshapes ``operand`` (after transposing by ``dimensions`` if given).

  >>> from jaxlite import lax
  >>> lax.reshape(lax.full((6,), 1.0), (2, 3)).shape
  (2, 3)
  """
  new_sizes = tuple(int(d) for d in new_sizes)
  dims = None if dimensions is None or tuple(dimensions) == tuple(
      range(core.get_aval(operand).ndim)) else tuple(int(d) for d in dimensions)
  aval = core.get_aval(operand)
  if aval.shape == new_sizes and dims is None and isinstance(operand, core.Tracer):
    return operand
  return reshape_p.bind(operand, new_sizes=new_sizes, dimensions=dims)


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
