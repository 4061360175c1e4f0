"""Reductions: sum, prod, max, min, all, any, mean, var, std, ptp, argmax,
argmin, cumulative reductions, median, quantile, percentile, average, the
``nan*`` forms and count_nonzero.

All take NumPy's ``axis``, ``keepdims``, ``dtype``, ``where`` and
``initial`` where NumPy has them. As in JAX, sums and products of small
integers and booleans accumulate in the default integer type.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sum(jnp.arange(6).reshape(2, 3), axis=0)
  Array([3, 5, 7], dtype=int32)
"""
from __future__ import annotations

__all__ = ['sum', 'prod', 'max', 'min', 'amax', 'amin', 'all', 'any', 'mean', 'var',
           'std', 'ptp', 'argmax', 'argmin', 'count_nonzero', 'cumsum', 'cumprod',
           'cumproduct', 'cumulative_sum', 'cumulative_prod', 'nansum', 'nanprod',
           'nanmax', 'nanmin', 'nanmean', 'nanvar', 'nanstd', 'nanargmax', 'nanargmin',
           'nancumsum', 'nancumprod', 'average']

import builtins
import math
import operator

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs, ufuncs_common
from jaxlite.numpy.promotion import canonicalize_axes, check_arraylike, ensure_array
from jaxlite.runtime.array import Array
from jaxlite.numpy.library_jit import library_jit


def _as_array(a, fun_name):
  check_arraylike(fun_name, a)
  return ensure_array(promotion.asarray_value(a))


def _keep(out, shape, axes):
  # JAX re-inserts reduced axes with lax.expand_dims (a broadcast_in_dim).
  return lax_structural.expand_dims(out, tuple(sorted(axes)))


def _upcast_integer(dtype):
  """Sums and products of small integers and bools accumulate in the default
  integer (or unsigned) type, as JAX's ``promote_integers=True``."""
  if dtype == np.bool_:
    return dtypes.canonicalize_dtype(dtypes.int_)
  if dtypes.issubdtype(dtype, np.unsignedinteger):
    default = dtypes.canonicalize_dtype(dtypes.uint)
    return default if np.dtype(dtype).itemsize < default.itemsize else dtype
  if dtypes.issubdtype(dtype, np.integer):
    default = dtypes.canonicalize_dtype(dtypes.int_)
    return default if np.dtype(dtype).itemsize < default.itemsize else dtype
  return dtype


def _identity(name, dtype):
  if name in ("sum", "any"):
    return np.zeros((), dtype)
  if name in ("prod", "all"):
    return np.ones((), dtype)
  if dtype == np.bool_:
    return np.asarray(name == "min", dtype)
  if dtypes.issubdtype(dtype, np.floating):
    return np.asarray(-np.inf if name == "max" else np.inf, dtype)
  info = dtypes.iinfo(dtype)
  return np.asarray(info.min if name == "max" else info.max, dtype)


_LAX_REDUCERS = {"sum": "reduce_sum", "prod": "reduce_prod", "max": "reduce_max",
                 "min": "reduce_min", "any": "reduce_or", "all": "reduce_and"}
_COMBINE = {"sum": "add", "prod": "mul", "max": "max", "min": "min",
            "any": "bitwise_or", "all": "bitwise_and"}


def _reduce(name, a, axis, dtype, out, keepdims, initial, where, upcast=False):
  if out is not None:
    raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
  a = _as_array(a, name)
  if isinstance(axis, promotion.Tracer):  # JAX's error names the argument
    axis = promotion.concrete_value(axis, f"axis argument to jnp.{name}().")
  axes = canonicalize_axes(axis, a.ndim)
  if name in ("sum", "prod") and a.dtype == np.bool_:
    # JAX counts in the default integer type first, whatever the dtype asked.
    a = lax_structural.convert_element_type(a, dtypes.canonicalize_dtype(np.int64))
  if name in ("any", "all"):
    compute = np.dtype(np.bool_)
  elif dtype is not None:
    compute = dtypes.check_and_canonicalize_user_dtype(dtype, name)
  elif upcast:
    compute = _upcast_integer(a.dtype)
  else:
    compute = a.dtype
  result_dtype = compute
  if name in ("sum", "prod") and dtype is None and dtypes.issubdtype(compute, np.inexact):
    compute = _upcast_f16(compute)   # JAX accumulates half precision in float32
  if a.dtype != compute:
    a = lax_structural.convert_element_type(a, compute)   # to bool too, as JAX
  a = _strong(a)
  if name in ("max", "min") and initial is None and where is None and builtins.any(
      a.shape[ax] == 0 for ax in axes):
    raise ValueError(f"zero-size array to reduction operation {name} which has no "
                     "identity")
  if where is not None:
    if name in ("max", "min") and initial is None:
      raise ValueError(f"reduction operation '{name}' does not have an identity, so "
                       "to use a where mask one has to specify 'initial'")
    # JAX's `_where(where, a, identity)` call (broadcasting inside it).
    a = ufuncs.ufuncs_logical._where(where, a, _identity(name, compute))
  result = getattr(lax, _LAX_REDUCERS[name])(a, axes) if axes else a
  if initial is not None:
    init = promotion.convert(initial, compute)
    result = getattr(lax, _COMBINE[name])(init, result)   # JAX's operand order
  if keepdims:
    result = _keep(result, a.shape, axes)
  if result_dtype != compute:
    result = lax_structural.convert_element_type(result, result_dtype)
  return result


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
        promote_integers=True):  # pylint: disable=redefined-builtin
  """The sum of elements over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sum(jnp.ones((2, 3)))
  Array(6., dtype=float32)
  """
  if (type(a) is Array and axis is None and dtype is None and out is None and not keepdims
      and initial is None and where is None):
    aval = a.aval
    if aval.shape and not aval.weak_type and aval.dtype in _SUM_AS_IS:
      # The eager hot path: a total over a strongly typed inexact array needs
      # neither a cast nor checks.
      return ufuncs_common.bind_eager_one(lax.reduce_sum_p, a, aval, _all_axes)
  return _reduce("sum", a, axis, dtype, out, keepdims, initial, where, promote_integers)


def _all_axes(aval):
  return {"axes": tuple(range(len(aval.shape)))}


# Inexact dtypes: a sum accumulates in the array's own dtype.
# Half precision is summed in float32 (below), so it takes the general path.
# Extended in place once ml_dtypes (loaded lazily) adds bfloat16 and float8.
_HALF_PRECISION = {np.dtype(np.float16)}
_SUM_AS_IS: set = set()


def _collect_sum_as_is(ml_dtypes=None):
  if ml_dtypes is not None:
    _HALF_PRECISION.add(np.dtype(ml_dtypes.bfloat16))
  _SUM_AS_IS.update(d for d in dtypes._lattice_dtypes if dtypes.issubdtype(d, np.inexact)
                    and d not in _HALF_PRECISION)
  # (Where ml_dtypes loaded first, the call without it has just added bfloat16.)
  _SUM_AS_IS.difference_update(_HALF_PRECISION)


_collect_sum_as_is()
dtypes.when_ml_dtypes_load(_collect_sum_as_is)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
         promote_integers=True):
  """The product of elements over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.prod(jnp.arange(1, 5))
  Array(24, dtype=int32)
  """
  return _reduce("prod", a, axis, dtype, out, keepdims, initial, where, promote_integers)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # pylint: disable=redefined-builtin
  """The maximum over ``axis`` (NaN if any element is NaN).

  >>> import jaxlite.numpy as jnp
  >>> jnp.max(jnp.array([1, 3, 2]))
  Array(3, dtype=int32)
  """
  return _reduce("max", a, axis, None, out, keepdims, initial, where)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # pylint: disable=redefined-builtin
  """The minimum over ``axis`` (NaN if any element is NaN).

  >>> import jaxlite.numpy as jnp
  >>> jnp.min(jnp.array([1, 3, 2]))
  Array(1, dtype=int32)
  """
  return _reduce("min", a, axis, None, out, keepdims, initial, where)


amax, amin = max, min


def all(a, axis=None, out=None, keepdims=False, *, where=None):  # pylint: disable=redefined-builtin
  """Whether every element over ``axis`` is true.

  >>> import jaxlite.numpy as jnp
  >>> jnp.all(jnp.array([1, 0]))
  Array(False, dtype=bool)
  """
  return _reduce("all", a, axis, None, out, keepdims, None, where)


def any(a, axis=None, out=None, keepdims=False, *, where=None):  # pylint: disable=redefined-builtin
  """Whether any element over ``axis`` is true.

  >>> import jaxlite.numpy as jnp
  >>> jnp.any(jnp.array([1, 0]))
  Array(True, dtype=bool)
  """
  return _reduce("any", a, axis, None, out, keepdims, None, where)


def _check_axes_index(shape, axis):
  """JAX sizes reduced axes by indexing ``shape`` before it reduces (mean, var,
  argmax...): an axis out of range is then an IndexError, not NumPy's
  AxisError/ValueError."""
  for ax in axis if isinstance(axis, (tuple, list)) else (axis,):
    if isinstance(ax, (int, np.integer)) and not -len(shape) <= ax < len(shape):
      raise IndexError("tuple index out of range")


def _count(a, axes, where, keepdims, dtype):
  if where is None:
    n = math.prod(a.shape[ax] for ax in axes)
    if not isinstance(n, int):   # a symbolic size (shape-polymorphic export)
      return lax.convert_element_type(core.symbolic_dimensions().dimension_as_value(n), dtype)
    return np.asarray(n, dtype)
  mask = promotion.broadcast_to_shape(
      ensure_array(ufuncs._to_bool(promotion.asarray_value(where))), a.shape)
  return sum(mask, axis=axes, dtype=dtype, keepdims=keepdims)


def _inexact(dtype):
  return dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtype))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
  """The arithmetic mean over ``axis`` (in a floating dtype for integer input).

  >>> import jaxlite.numpy as jnp
  >>> jnp.mean(jnp.arange(4))
  Array(1.5, dtype=float32)
  """
  a = _as_array(a, "mean")
  if where is None and axis is not None:
    _check_axes_index(a.shape, axis)
  axes = canonicalize_axes(axis, a.ndim)
  result = _inexact(a.dtype) if dtype is None else \
      dtypes.check_and_canonicalize_user_dtype(dtype, "mean")
  # JAX averages half precision in float32 unless the dtype is the user's.
  compute = _upcast_f16(result) if dtype is None else result
  total = sum(a, axis=axes, dtype=compute, out=out, keepdims=keepdims, where=where)
  count = _count(a, axes, where, keepdims, compute)
  return ufuncs.true_divide(total, count).astype(result)


def _var(name, a, axis, dtype, out, ddof, keepdims, where, correction, a_mean=None):
  """Checks as JAX's public var/std, then the staged ``_var``/``_std`` call."""
  if correction is None:
    correction = ddof
  elif not isinstance(ddof, int) or ddof != 0:
    raise ValueError("ddof and correction can't be provided simultaneously.")
  a = _as_array(a, name)
  if a_mean is None and where is None and axis is not None:
    _check_axes_index(a.shape, axis)   # JAX's mean sizes the axes first
  axes = canonicalize_axes(axis, a.ndim)
  staged = _std_staged if name == "std" else _var_staged
  return staged(a, axis=axes, dtype=dtype, out=out, correction=correction,
                keepdims=keepdims, where=where, a_mean=a_mean)


def _upcast_f16(dtype):
  """Half-precision variances are computed in float32, as JAX."""
  return np.dtype(np.float32) if dtype in (np.float16, dtypes.bfloat16) else np.dtype(dtype)


def _var_dtypes(a_dtype, dtype):
  """(computation dtype, result dtype) of var/std, JAX's rules."""
  if dtype is not None:
    if (not dtypes.issubdtype(dtype, np.complexfloating)
        and dtypes.issubdtype(a_dtype, np.complexfloating)):
      raise ValueError(
          "jax.numpy.var does not yet support real dtype parameters when computing the "
          "variance of an array of complex values. The semantics of numpy.var seem unclear "
          "in this case. Please comment on https://github.com/jax-ml/jax/issues/2283 if "
          "this behavior is important to you.")
    return _upcast_f16(dtype), np.dtype(dtype)
  if not dtypes.issubdtype(a_dtype, np.inexact):
    out = _inexact(a_dtype)
    return _upcast_f16(out), np.dtype(out)
  return _upcast_f16(a_dtype), np.zeros((), a_dtype).real.dtype


@library_jit(static_argnames=("axis", "dtype", "keepdims"), name="_var")
def _var_staged(a, *, axis=None, dtype=None, out=None, correction=0, keepdims=False,
                where=None, a_mean=None):
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "var")
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.var is not supported.")
  compute, dtype = _var_dtypes(a.dtype, dtype)
  a = a.astype(compute)
  if a_mean is None:
    a_mean = mean(a, axis, dtype=compute, keepdims=True, where=where)
  else:   # the caller's mean (JAX's mean=), broadcast against a
    a_mean = _as_array(a_mean, "var").astype(compute)
  centered = ufuncs.subtract(a, a_mean)
  if dtypes.issubdtype(compute, np.complexfloating):
    centered = lax.real(lax.mul(centered, lax.conj(centered)))
    compute = centered.dtype   # the count stays real
  else:
    centered = lax.square(centered)
  if where is None:
    count = lax_structural.convert_element_type(
        math.prod(a.shape[ax] for ax in axis), compute)
  else:
    count = _count(a, axis, where, keepdims, compute)
  count = lax.sub(count, lax_structural.convert_element_type(correction, compute))
  result = sum(centered, axis, dtype=compute, keepdims=keepdims, where=where)
  result = ufuncs.true_divide(result, count).astype(dtype)
  return ufuncs.ufuncs_logical._where(ufuncs.greater(count, 0), result, np.nan)


@library_jit(static_argnames=("axis", "dtype", "keepdims"), name="_std")
def _std_staged(a, *, axis=None, dtype=None, out=None, correction=0, keepdims=False,
                where=None, a_mean=None):
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "std")
    if not dtypes.issubdtype(dtype, np.inexact):
      raise ValueError(f"dtype argument to jnp.std must be inexact; got {dtype}")
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.std is not supported.")
  return lax.sqrt(var(a, axis=axis, dtype=dtype, correction=correction, keepdims=keepdims,
                      where=where, mean=a_mean))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
  """The variance over ``axis`` with ``ddof`` delta degrees of freedom; ``mean``,
  when given, is used instead of computing it (it must broadcast against ``a``
  as the ``keepdims=True`` mean would).

  >>> import jaxlite.numpy as jnp
  >>> jnp.var(jnp.array([1.0, 3.0]))
  Array(1., dtype=float32)
  """
  return _var("var", a, axis, dtype, out, ddof, keepdims, where, correction, mean)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
  """The standard deviation over ``axis`` (``mean``: as for ``var``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.std(jnp.array([1.0, 3.0]))
  Array(1., dtype=float32)
  """
  return _var("std", a, axis, dtype, out, ddof, keepdims, where, correction, mean)


def ptp(a, axis=None, out=None, keepdims=False):
  """``max - min`` over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ptp(jnp.array([4, 1, 9]))
  Array(8, dtype=int32)
  """
  return _ptp(_as_array(a, "ptp"), axis, out, keepdims)


@library_jit(static_argnames=("axis", "keepdims"))
def _ptp(a, axis=None, out=None, keepdims=False):
  return ufuncs.subtract(max(a, axis, out, keepdims), min(a, axis, out, keepdims))


def _arg_reduce(name, a, axis, out, keepdims):
  if out is not None:
    raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
  a = _as_array(a, name)
  if axis is None:
    shape = a.shape
    a = lax_structural.reshape(a, (a.size,))
    ax = 0
  else:
    shape = a.shape
    _check_axes_index(a.shape, operator.index(axis))
    ax = promotion.canonicalize_axis(axis, a.ndim)
  if a.shape[ax] == 0:
    raise ValueError(f"attempt to get {name} of an empty sequence")
  index_dtype = dtypes.canonicalize_dtype(dtypes.int_)
  fun = lax.argmax if name == "argmax" else lax.argmin
  result = fun(a, ax, index_dtype)
  if keepdims:
    axes = tuple(range(len(shape))) if axis is None else (ax,)
    result = lax_structural.reshape(result, tuple(1 if i in axes else d
                                                  for i, d in enumerate(shape)))
  return result


def argmax(a, axis=None, out=None, keepdims=None):
  """The index of the (first) maximum over ``axis`` (of the flattened array if None).

  >>> import jaxlite.numpy as jnp
  >>> jnp.argmax(jnp.array([1, 3, 3]))
  Array(1, dtype=int32)
  """
  return _arg_reduce("argmax", a, axis, out, keepdims)


def argmin(a, axis=None, out=None, keepdims=None):
  """The index of the (first) minimum over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.argmin(jnp.array([2, 1, 1]))
  Array(1, dtype=int32)
  """
  return _arg_reduce("argmin", a, axis, out, keepdims)


@library_jit(static_argnames=("axis", "keepdims"))
def count_nonzero(a, axis=None, keepdims=False):
  """The number of non-zero elements over ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.count_nonzero(jnp.array([0, 1, 2]))
  Array(2, dtype=int32)
  """
  a = _as_array(a, "count_nonzero")
  return sum(ufuncs.not_equal(a, np.zeros((), a.dtype)), axis=axis,
             dtype=dtypes.canonicalize_dtype(dtypes.int_), keepdims=keepdims)


# --- cumulative -----------------------------------------------------------------------


def _strong(a):
  # jnp reductions return strongly typed arrays, as JAX's: the reduction of a
  # Python scalar no longer defers to the other operand's dtype.
  if a.aval.weak_type:
    return lax_structural.convert_element_type(a, a.dtype)
  return a


def _cumulative(name, a, axis, dtype, upcast=False, include_initial=False, fill_nan=None):
  a = _as_array(a, name)
  # As JAX: a weakly typed scalar is accumulated as shape (1,); a strong rank-0
  # array with an axis is an axis error.
  weak_scalar = a.ndim == 0 and a.aval.weak_type
  if axis is None or weak_scalar:
    a = lax_structural.reshape(a, (a.size,))
    axis = 0 if axis is None else axis
  if fill_nan is not None:   # nancumsum/nancumprod (after flattening, as JAX)
    a = _replace_nan(a, fill_nan)
  a = _strong(a)
  axis = promotion.canonicalize_axis(axis, a.ndim)
  if dtype is not None:
    a = a.astype(dtypes.check_and_canonicalize_user_dtype(dtype, name))
  elif upcast:
    a = a.astype(_upcast_integer(a.dtype))
  elif a.dtype == np.bool_:
    a = a.astype(dtypes.canonicalize_dtype(dtypes.int_))
  fun = {"cumsum": lax.cumsum, "cumprod": lax.cumprod, "cummax": lax.cummax,
         "cummin": lax.cummin}[name]
  out = a if isinstance(a.shape[axis], int) and a.shape[axis] == 0 else fun(a, axis)
  if include_initial:
    from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
    shape = list(a.shape)
    shape[axis] = 1
    first = lax_structural.full(shape, 0 if name == "cumsum" else 1, a.dtype)
    out = shape_lib.concatenate([first, out], axis)
  return out


@library_jit(static_argnames=("axis", "dtype"))
def cumsum(a, axis=None, dtype=None, out=None):
  """Cumulative sum along ``axis`` (of the flattened array if None).

  >>> import jaxlite.numpy as jnp
  >>> jnp.cumsum(jnp.array([1, 2, 3]))
  Array([1, 3, 6], dtype=int32)
  """
  del out
  return _cumulative("cumsum", a, axis, dtype)


@library_jit(static_argnames=("axis", "dtype"))
def cumprod(a, axis=None, dtype=None, out=None):
  """Cumulative product along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.cumprod(jnp.array([1, 2, 3]))
  Array([1, 2, 6], dtype=int32)
  """
  del out
  return _cumulative("cumprod", a, axis, dtype)


cumproduct = cumprod


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
  """The array API's cumulative sum (``axis`` required unless ``x`` is 1-D).

  >>> import jaxlite.numpy as jnp
  >>> jnp.cumulative_sum(jnp.array([1, 2]), include_initial=True)
  Array([0, 1, 3], dtype=int32)
  """
  x = _as_array(x, "cumulative_sum")
  if x.ndim == 0:
    raise ValueError("The input must be non-scalar to take a cumulative sum, however a "
                     "scalar value or scalar array was given.")
  if axis is None:
    if x.ndim != 1:
      raise ValueError("The input array has rank {x.ndim}, however axis was not set "
                       "to an explicit value. The axis argument is only optional for "
                       "one-dimensional arrays.")
    axis = 0
  return _cumulative("cumsum", x, axis, dtype, include_initial=include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
  """The array API's cumulative product.

  >>> import jaxlite.numpy as jnp
  >>> jnp.cumulative_prod(jnp.array([2, 3]))
  Array([2, 6], dtype=int32)
  """
  x = _as_array(x, "cumulative_prod")
  if x.ndim == 0:
    raise ValueError("The input must be non-scalar to take a cumulative product, however a "
                     "scalar value or scalar array was given.")
  if axis is None:
    if x.ndim != 1:
      raise ValueError("axis must be given for arrays of more than one dimension")
    axis = 0
  return _cumulative("cumprod", x, axis, dtype, include_initial=include_initial)


# --- NaN-ignoring forms -------------------------------------------------------------------


def _replace_nan(a, value):
  a = _as_array(a, "nan reduction")
  if not dtypes.issubdtype(a.dtype, np.inexact):
    return a
  return ufuncs.where(ufuncs.isnan(a), np.asarray(value, a.dtype), a)


@library_jit(static_argnames=("axis", "dtype", "keepdims"))
def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
  """``sum`` treating NaNs as zero.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nansum(jnp.array([1.0, jnp.nan]))
  Array(1., dtype=float32)
  """
  return sum(_replace_nan(a, 0), axis, dtype, out, keepdims, initial, where)


@library_jit(static_argnames=("axis", "dtype", "keepdims"))
def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
  """``prod`` treating NaNs as one.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanprod(jnp.array([2.0, jnp.nan]))
  Array(2., dtype=float32)
  """
  return prod(_replace_nan(a, 1), axis, dtype, out, keepdims, initial, where)


def _nan_extremum(name, a, axis, out, keepdims, initial, where):
  a = _as_array(a, name)
  fill = np.inf if name == "nanmin" else -np.inf
  fun = min if name == "nanmin" else max
  result = fun(_replace_nan(a, fill), axis, out, keepdims, initial, where)
  if dtypes.issubdtype(a.dtype, np.floating):
    all_nan = all(ufuncs.isnan(a), axis=axis, keepdims=keepdims)
    result = ufuncs.where(all_nan, np.asarray(np.nan, a.dtype), result)
  return result


@library_jit(static_argnames=("axis", "keepdims"))
def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
  """``max`` ignoring NaNs (NaN where every element is NaN).

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanmax(jnp.array([1.0, jnp.nan]))
  Array(1., dtype=float32)
  """
  return _nan_extremum("nanmax", a, axis, out, keepdims, initial, where)


@library_jit(static_argnames=("axis", "keepdims"))
def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
  """``min`` ignoring NaNs.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanmin(jnp.array([1.0, jnp.nan]))
  Array(1., dtype=float32)
  """
  return _nan_extremum("nanmin", a, axis, out, keepdims, initial, where)


def _not_nan(a):
  return ufuncs.logical_not(ufuncs.isnan(a))


def _check_where(name, where):
  # JAX's check: a mask must be boolean.
  if where is None:
    return None
  where = _as_array(where, name)
  if where.dtype != np.bool_:
    raise ValueError(f"jnp.{name}: where must be None or a boolean array; got "
                     f"where.dtype={where.dtype!r}.")
  return where


@library_jit(static_argnames=("axis", "dtype", "keepdims"))
def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
  """``mean`` of the non-NaN elements.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanmean(jnp.array([1.0, jnp.nan, 3.0]))
  Array(2., dtype=float32)
  """
  a = _as_array(a, "nanmean")
  where = _check_where("nanmean", where)
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.nanmean is not supported.")
  if a.dtype == np.bool_ or dtypes.issubdtype(a.dtype, np.integer):
    return mean(a, axis, dtype, out, keepdims, where=where)   # as JAX: no NaNs
  if dtype is None:
    dtype = _inexact(a.dtype)
  else:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "mean")
  # nansum over the count of non-NaN elements, as JAX stages it.
  count = sum(lax.bitwise_not(lax.ne(a, a)), axis=axis, dtype=dtype, keepdims=keepdims,
              where=where)
  return lax.div(nansum(a, axis, dtype=dtype, keepdims=keepdims, where=where), count)


@library_jit(static_argnames=("axis", "dtype", "keepdims"))
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None,
           mean=None):
  """``var`` of the non-NaN elements.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanvar(jnp.array([1.0, jnp.nan, 3.0]))
  Array(1., dtype=float32)
  """
  a = _as_array(a, "nanvar")
  where = _check_where("nanvar", where)
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "nanvar")
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.nanvar is not supported.")
  compute, dtype = _var_dtypes(a.dtype, dtype)
  a = a.astype(compute)
  if mean is None:
    a_mean = nanmean(a, axis, dtype=compute, keepdims=True, where=where)
  else:
    a_mean = _as_array(mean, "nanvar").astype(compute)
  where_nan = ufuncs.ufuncs_logical._where
  # The double where keeps NaN elements' gradients finite (JAX's trick).
  centered = where_nan(lax.ne(a, a), 0, lax.sub(a, a_mean))
  if dtypes.issubdtype(centered.dtype, np.complexfloating):
    centered = lax.real(lax.mul(centered, lax.conj(centered)))
  else:
    centered = lax.square(centered)
  count = sum(lax.bitwise_not(lax.ne(a, a)), axis=axis, keepdims=keepdims, where=where)
  count = count - ddof
  no_elements = lax.le(count, np.zeros((), count.dtype))
  result = sum(centered, axis, keepdims=keepdims, where=where)
  result = where_nan(no_elements, np.nan, result)
  divisor = where_nan(no_elements, 1, count)
  result = lax.div(result, lax_structural.convert_element_type(divisor, result.dtype))
  return lax_structural.convert_element_type(result, dtype)


@library_jit(static_argnames=("axis", "dtype", "keepdims"))
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None,
           mean=None):
  """``std`` of the non-NaN elements.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanstd(jnp.array([1.0, jnp.nan, 3.0]))
  Array(1., dtype=float32)
  """
  a = _as_array(a, "nanstd")
  where = _check_where("nanstd", where)
  if dtype is not None:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "nanstd")
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.nanstd is not supported.")
  return lax.sqrt(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                         where=where, mean=mean))


def _nan_arg_extremum_impl(a, axis, keepdims, which):
  # JAX's _nanargmax/_nanargmin: NaNs masked by _where, -1 where all are NaN.
  reduce = argmax if which == "argmax" else argmin
  if not dtypes.issubdtype(a.dtype, np.inexact):
    return reduce(a, axis=axis, keepdims=keepdims)
  nan_mask = ufuncs.isnan(a)
  masked = ufuncs.ufuncs_logical._where(nan_mask, -np.inf if which == "argmax" else np.inf, a)
  result = reduce(masked, axis=axis, keepdims=keepdims)
  return ufuncs.ufuncs_logical._where(all(nan_mask, axis=axis, keepdims=keepdims), -1, result)


_NAN_ARG_EXTREMA = {
    which: library_jit(_nan_arg_extremum_impl, static_argnums=(1, 2, 3), name=f"_nan{which}")
    for which in ("argmax", "argmin")}


def _nan_arg_extremum(a, axis, keepdims, which):
  return _NAN_ARG_EXTREMA[which](a, axis, keepdims, which)


def nanargmax(a, axis=None, out=None, keepdims=None):
  """``argmax`` ignoring NaNs (-1 where every element is NaN).

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanargmax(jnp.array([jnp.nan, 2.0, 1.0]))
  Array(1, dtype=int32)
  """
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.nanargmax is not supported.")
  a = _as_array(a, "nanargmax")
  return _nan_arg_extremum(a, None if axis is None else operator.index(axis),
                           bool(keepdims), "argmax")


def nanargmin(a, axis=None, out=None, keepdims=None):
  """``argmin`` ignoring NaNs (-1 where every element is NaN).

  >>> import jaxlite.numpy as jnp
  >>> jnp.nanargmin(jnp.array([jnp.nan, 2.0, 1.0]))
  Array(2, dtype=int32)
  """
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.nanargmin is not supported.")
  a = _as_array(a, "nanargmin")
  return _nan_arg_extremum(a, None if axis is None else operator.index(axis),
                           bool(keepdims), "argmin")


@library_jit(static_argnames=("axis", "dtype"))
def nancumsum(a, axis=None, dtype=None, out=None):
  """``cumsum`` treating NaNs as zero.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nancumsum(jnp.array([1.0, jnp.nan, 2.0]))
  Array([1., 1., 3.], dtype=float32)
  """
  del out
  return _cumulative("cumsum", a, axis, dtype, fill_nan=0)


@library_jit(static_argnames=("axis", "dtype"))
def nancumprod(a, axis=None, dtype=None, out=None):
  """``cumprod`` treating NaNs as one.

  >>> import jaxlite.numpy as jnp
  >>> jnp.nancumprod(jnp.array([2.0, jnp.nan, 2.0]))
  Array([2., 2., 4.], dtype=float32)
  """
  del out
  return _cumulative("cumprod", a, axis, dtype, fill_nan=1)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
  """The weighted average over ``axis`` (and the sum of weights if ``returned``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.average(jnp.array([1.0, 3.0]), weights=jnp.array([3.0, 1.0]))
  Array(1.5, dtype=float32)
  """
  a = _as_array(a, "average")
  if weights is None:
    axes = canonicalize_axes(axis, a.ndim)   # JAX's axis check: a ValueError
    avg = mean(a, axis, keepdims=keepdims)
    count = math.prod(a.shape[ax] for ax in axes)
    weights_sum = lax_structural.full(avg.shape, count, avg.dtype)
  else:
    weights = _as_array(weights, "average")
    a, weights = promotion.promote_dtypes_inexact(a, weights)
    if a.shape != weights.shape:
      if axis is None:
        raise ValueError("Axis must be specified when shapes of a and weights differ.")
      ax = (axis,) if isinstance(axis, int) else tuple(axis)
      ax = tuple(promotion.canonicalize_axis(x, a.ndim) for x in ax)
      if weights.shape != tuple(a.shape[x] for x in ax):
        raise ValueError("Shape of weights must be consistent with shape of a along "
                         "specified axis.")
      # Size-1 axes elsewhere (as JAX's): the weights are summed once, not per row.
      shape = tuple(d if i in ax else 1 for i, d in enumerate(a.shape))
      weights = lax_structural.reshape(weights, shape, tuple(np.argsort(ax)))
    weights_sum = sum(weights, axis, keepdims=keepdims)
    avg = ufuncs.true_divide(sum(ufuncs.multiply(a, weights), axis, keepdims=keepdims),
                             weights_sum)
  if returned:
    if avg.shape != weights_sum.shape:
      weights_sum = promotion.broadcast_to_shape(weights_sum, avg.shape)
    return avg, weights_sum
  return avg


# Order statistics live in their own module (jaxlite.numpy.quantiles), imported
# on first use; they are readable here too.
from jaxlite._lazy_exports import lazy_exports as _lazy_exports  # noqa: E402
__getattr__, __dir__ = _lazy_exports(globals(), {"jaxlite.numpy.quantiles": (
    "quantile", "nanquantile", "percentile", "nanpercentile", "median", "nanmedian")})
