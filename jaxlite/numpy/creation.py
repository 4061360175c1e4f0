"""Array creation: array, asarray, zeros, ones, full, empty and their ``_like``
forms, ranges (arange, linspace, logspace, geomspace), eye, identity, tri,
tril, triu, meshgrid, indices, copy, frombuffer, fromfunction.

Shapes and range bounds must be concrete (known in Python); a traced shape
raises ``ConcretizationTypeError``, as in JAX.

  >>> import jaxlite.numpy as jnp
  >>> jnp.zeros((2,), jnp.int32)
  Array([0, 0], dtype=int32)
"""
from __future__ import annotations

__all__ = ['array', 'asarray', 'copy', 'frombuffer', 'zeros', 'ones', 'empty', 'full',
           'zeros_like', 'ones_like', 'empty_like', 'full_like', 'arange', 'linspace',
           'logspace', 'geomspace', 'eye', 'identity', 'tri', 'tril', 'triu',
           'meshgrid', 'indices', 'fromfunction', 'astype']

import builtins
import math
import operator

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.config import mesh_context
from jaxlite.core import Tracer
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.runtime.array import Array
from jaxlite.numpy.library_jit import library_jit

_ARRAY_TYPES = promotion._ARRAY_TYPES   # arrays, tracers and key arrays


def _user_dtype(dtype, fun_name):
  if dtype is None:
    return None
  return dtypes.check_and_canonicalize_user_dtype(dtype, fun_name)


def _contains_arrays(obj) -> bool:
  if isinstance(obj, _ARRAY_TYPES) or hasattr(obj, "__jax_array__"):
    return True
  if isinstance(obj, (list, tuple)):
    return builtins.any(_contains_arrays(o) for o in obj)
  return False


def array(object, dtype=None, copy: bool = True, order="K", ndmin: int = 0, *,  # pylint: disable=redefined-builtin
          device=None, out_sharding=None):
  """Creates an array from an array, a scalar or nested lists/tuples of them.

  Python scalars give weakly typed arrays; lists give the default dtypes of
  their kind. Nested lists may hold arrays and tracers (they are stacked).

  >>> import jaxlite.numpy as jnp
  >>> jnp.array([1, 2])
  Array([1, 2], dtype=int32)
  >>> jnp.array(1.0)
  Array(1., dtype=float32, weak_type=True)
  """
  if order is not None and order not in ("K", "A", "C"):
    raise NotImplementedError("Only implemented for order='K'")
  dtype = _user_dtype(dtype, "array")
  if hasattr(object, "__jax_array__"):
    object = object.__jax_array__()
  if isinstance(object, _ARRAY_TYPES):
    out = object
    # An explicit dtype gives a strongly typed array, even for a weak input.
    if dtype is not None and (out.aval.dtype != dtype or out.aval.weak_type):
      out = lax_structural._convert_element_type(out, dtype, False)
    elif copy and not isinstance(out, Tracer):
      out = _copy_array(out)
  elif isinstance(object, (list, tuple)) and _contains_arrays(object):
    if not object:
      raise ValueError("empty sequence")
    if dtype is None:
      # The promotion of every leaf of the nested lists, as JAX.
      dtype = dtypes.canonicalize_dtype(dtypes.lattice_result_type(*_list_leaves(object))[0])
    out = _join_elements(array(o, dtype, copy=False) for o in object)
    # A list is never weakly typed, whatever its elements are (as in JAX).
    if dtype is not None or out.aval.weak_type:
      out = lax_structural._convert_element_type(out, dtype or out.aval.dtype, False)
  else:
    if isinstance(object, (list, tuple)):
      _check_no_none(object)
    weak = dtype is None and dtypes.is_weakly_typed(object) and \
        type(object) in dtypes.python_scalar_types
    if dtype is None:
      host = dtypes.coerce_to_array(object)
    else:
      host = np.asarray(object, dtype)
    if host.dtype.kind in "OSUV" and host.dtype not in dtypes.supported_dtypes():
      raise TypeError(f"Dtype {host.dtype} is not a valid JAX array type. Only "
                      "arrays of numeric types are supported by JAX.")
    out = promotion.ensure_array(host, host.dtype, weak)
    if mesh_context.value is not None and not isinstance(out, Tracer):
      out = _replicated_on(out, mesh_context.value)
  if ndmin > out.ndim:
    out = lax_structural.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
  if device is not None or out_sharding is not None:
    out = _placed(out, device, out_sharding, "jnp.array")
  return out


def _replicated_on(x, mesh):
  """``x`` copied to every device of ``mesh``: under ``set_mesh`` JAX's
  ``jnp.array`` of host data is ``NamedSharding(mesh, P())``."""
  from jaxlite.interpreters import spmd  # pylint: disable=g-import-not-at-top
  from jaxlite.sharding import NamedSharding, PartitionSpec  # pylint: disable=g-import-not-at-top
  return spmd.put_array(x, NamedSharding(mesh, PartitionSpec()))


def _list_leaves(obj):
  if isinstance(obj, (list, tuple)):
    return [leaf for o in obj for leaf in _list_leaves(o)]
  return [obj.__jax_array__() if hasattr(obj, "__jax_array__") else obj]


def _join_elements(elements):
  # As JAX: each element gets a leading axis as it is made (`elements` is an
  # iterator: the jaxpr's order is JAX's), then they are concatenated, in a
  # tree of at most 16 operands per concatenate (wide ones compile slowly).
  out = [lax_structural.expand_dims(e, (0,)) for e in elements]
  while len(out) > 16:
    out = [lax.concatenate(out[i:i + 16], 0) for i in range(0, len(out), 16)]
  return lax.concatenate(out, 0)


def _check_no_none(obj):
  for o in obj:
    if o is None:
      raise TypeError("None is not a valid value for jnp.array")
    if isinstance(o, (list, tuple)):
      _check_no_none(o)


def _copy_array(x):
  # A new buffer: reshape to the same shape always writes a fresh output.
  return lax_structural.reshape_p.bind(x, new_sizes=x.shape, dimensions=None,
                                       sharding=None)


def asarray(a, dtype=None, order=None, *, copy=None, device=None, out_sharding=None):
  """Like ``array``, without copying an Array that already has ``dtype``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.asarray([1.0, 2.0])
  Array([1., 2.], dtype=float32)
  """
  out = array(a, dtype=dtype, copy=bool(copy), order=order)
  if device is not None or out_sharding is not None:
    out = _placed(out, device, out_sharding, "jnp.asarray")
  return out


def copy(a, order=None):
  """A copy of ``a`` in a new buffer.

  >>> import jaxlite.numpy as jnp
  >>> jnp.copy(jnp.arange(2))
  Array([0, 1], dtype=int32)
  """
  del order
  promotion.check_arraylike("copy", a)
  if isinstance(a, _ARRAY_TYPES):   # a `copy` equation, as JAX stages it
    return lax.copy_p.bind(a)
  return array(a, copy=True)


def frombuffer(buffer, dtype=float, count: int = -1, offset: int = 0):
  """An array of ``buffer``'s bytes interpreted as ``dtype``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.frombuffer(b"\\x01\\x02", dtype=jnp.uint8)
  Array([1, 2], dtype=uint8)
  """
  return asarray(np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))


def _full(shape, fill_value, dtype, fun_name, weak=False):
  shape = promotion.concrete_shape(shape, fun_name, negative_error="broadcast_in_dim")
  if isinstance(dtype, dtypes.ExtendedDType):   # key arrays: filled key data, wrapped
    return dtype._rules.full(shape, fill_value, dtype)   # pylint: disable=protected-access
  if isinstance(fill_value, _ARRAY_TYPES) or np.ndim(fill_value):
    fill = promotion.ensure_array(fill_value, dtype)
    from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
    return shape_lib.broadcast_to(fill, shape)
  if np.dtype(dtype).kind in "iub" and type(fill_value) is float:
    # A Python float filling an integer array converts as XLA does (saturating,
    # NaN to 0), as in JAX; NumPy's host cast would overflow.
    fill = lax_structural._convert_element_type(fill_value, dtype, weak)
  else:
    fill = np.asarray(fill_value, dtype)
  if weak:   # a weak literal under a trace (not a captured constant), as JAX
    fill = lax_structural._convert_element_type(fill, dtype, True)
    return promotion.broadcast_to_shape(fill, shape)
  return lax_structural.broadcast(fill, shape)


def zeros(shape, dtype=None, *, device=None, out_sharding=None):
  """An array of zeros.

  >>> import jaxlite.numpy as jnp
  >>> jnp.zeros((2, 1))
  Array([[0.],
         [0.]], dtype=float32)
  """
  dtype = _user_dtype(dtype, "zeros") or dtypes.default_float_dtype()
  return _placed(_full(shape, 0, dtype, "zeros"), device, out_sharding, "jnp.zeros")


def ones(shape, dtype=None, *, device=None, out_sharding=None):
  """An array of ones.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ones(2, jnp.int32)
  Array([1, 1], dtype=int32)
  """
  dtype = _user_dtype(dtype, "ones") or dtypes.default_float_dtype()
  return _placed(_full(shape, 1, dtype, "ones"), device, out_sharding, "jnp.ones")


def empty(shape, dtype=None, *, device=None, out_sharding=None):
  """An array of ``shape`` (its values are zeros: XLA has no uninitialised memory).

  >>> import jaxlite.numpy as jnp
  >>> jnp.empty(2).shape
  (2,)
  """
  dtype = _user_dtype(dtype, "empty") or dtypes.default_float_dtype()
  return _placed(_full(shape, 0, dtype, "empty"), device, out_sharding, "jnp.empty")


def full(shape, fill_value, dtype=None, *, device=None, out_sharding=None):
  """An array of ``shape`` filled with ``fill_value`` (broadcast if an array).

  >>> import jaxlite.numpy as jnp
  >>> jnp.full((2,), 7)
  Array([7, 7], dtype=int32, weak_type=True)
  """
  promotion.check_arraylike("full", fill_value)
  weak = dtype is None and dtypes.is_weakly_typed(fill_value)
  dtype = _user_dtype(dtype, "full") or dtypes.dtype(fill_value, canonicalize=True)
  return _placed(_full(shape, fill_value, dtype, "full", weak),
                 device, out_sharding, "jnp.full")


def _placed(x, device, out_sharding=None, fun_name=None):
  """``x`` on ``device`` or laid out as ``out_sharding`` (JAX allows one of
  the two; ``fun_name`` names the function in the errors)."""
  if out_sharding is not None:
    if device is not None:
      raise ValueError("Only one of `device` or `out_sharding` can be set. Got "
                       f"device={device} and out_sharding={out_sharding}")
    from jaxlite.lax.out_sharding import place  # pylint: disable=g-import-not-at-top
    return place(x, out_sharding, fun_name)
  if device is None:
    return x
  from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
  return transfer.device_put(x, device)


def _filled_like(a, fill_value, dtype, shape, device, out_sharding, fun_name):
  """``fill_value`` shaped (and by default typed) like ``a``, placed as JAX's
  ``lax.full_like`` places it (``lax_structural.like_sharding``) unless a
  device or an out_sharding is given."""
  given_shape = shape
  dtype, shape, weak = _like(a, dtype, shape, fun_name)
  out = _vary_like(a, _full(shape, fill_value, dtype, fun_name, weak))
  if device is None and out_sharding is None:
    own = lax_structural.like_sharding(a, shape, given_shape, weak)
    if own is None:
      return out
    if not isinstance(a, Tracer):
      # ``a``'s own layout: the result is laid out (and committed) there.
      from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
      return transfer.device_put(out, own)
    out_sharding = own   # the type's sharding: constrained to it
  return _placed(out, device, out_sharding, f"jnp.{fun_name}")


def _like(a, dtype, shape, fun_name):
  if _is_shape_dtype_struct_like(a):
    # Duck typing, as JAX: a ShapeDtypeStruct (no aval: never weakly typed).
    aval = core.ShapedArray(tuple(a.shape), dtypes.canonicalize_dtype(a.dtype))
  else:
    promotion.check_arraylike(fun_name, a)
    aval = promotion.aval_of(a)
  weak = dtype is None and aval.weak_type
  dtype = _user_dtype(dtype, fun_name) or aval.dtype
  shape = aval.shape if shape is None else shape
  return dtype, shape, weak


def _is_shape_dtype_struct_like(a) -> bool:
  return (hasattr(a, "shape") and hasattr(a, "dtype") and not hasattr(a, "aval")
          and not isinstance(a, (np.ndarray, np.generic)))


def _vary_like(a, out):
  """Inside shard_map, ``out`` varies along the manual axes ``a`` does (JAX's
  full_like pvarys its result)."""
  vma = getattr(getattr(a, "aval", None), "vma", None)
  if not vma:
    return out
  from jaxlite.interpreters import vma as vma_lib  # pylint: disable=g-import-not-at-top
  return vma_lib.vary(out, vma)


def zeros_like(a, dtype=None, shape=None, *, device=None, out_sharding=None):
  """Zeros with the shape and dtype of ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.zeros_like(jnp.arange(2))
  Array([0, 0], dtype=int32)
  >>> import jaxlite
  >>> jnp.zeros_like(jaxlite.ShapeDtypeStruct((2,), jnp.int8))
  Array([0, 0], dtype=int8)
  """
  return _filled_like(a, 0, dtype, shape, device, out_sharding, "zeros_like")


def ones_like(a, dtype=None, shape=None, *, device=None, out_sharding=None):
  """Ones with the shape and dtype of ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ones_like(jnp.arange(2))
  Array([1, 1], dtype=int32)
  """
  return _filled_like(a, 1, dtype, shape, device, out_sharding, "ones_like")


def empty_like(prototype, dtype=None, shape=None, *, device=None):
  """Like ``zeros_like`` (XLA has no uninitialised memory).

  >>> import jaxlite.numpy as jnp
  >>> jnp.empty_like(jnp.arange(2)).shape
  (2,)
  """
  dtype, shape, weak = _like(prototype, dtype, shape, "empty_like")
  return _placed(_vary_like(prototype, _full(shape, 0, dtype, "empty_like", weak)), device)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None, out_sharding=None):
  """``fill_value`` with the shape (and, by default, dtype) of ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.full_like(jnp.arange(2), 5)
  Array([5, 5], dtype=int32)
  """
  promotion.check_arraylike("full_like", fill_value)
  return _filled_like(a, fill_value, dtype, shape, device, out_sharding, "full_like")


# --- ranges ---------------------------------------------------------------------------


def _iota(dtype, size):
  return lax.iota(dtype, size)


def arange(start, stop=None, step=None, dtype=None, *, device=None, out_sharding=None):
  """Evenly spaced values in ``[start, stop)``; the bounds must be concrete.

  >>> import jaxlite.numpy as jnp
  >>> jnp.arange(3)
  Array([0, 1, 2], dtype=int32)
  >>> jnp.arange(1.0, 2.0, 0.5)
  Array([1. , 1.5], dtype=float32)
  """
  if stop is None and step is None and hasattr(start, "__jax_array__") and \
      hasattr(start, "scope"):   # arange(b) of a symbolic dimension: an iota, as JAX's
    return lax_structural.iota(
        dtypes.canonicalize_dtype(np.int64) if dtype is None else _user_dtype(dtype, "arange"),
        start)
  context = "It arose in the jnp.arange argument '{}'."
  for name, value in (("start", start), ("stop", stop), ("step", step)):
    if value is not None:
      promotion.check_arraylike("arange", value)
      if not promotion.is_concrete(value):
        if stop is None and step is None:
          name = "stop"   # arange(n): the one argument is NumPy's 'stop'
        raise core.ConcretizationTypeError(value, context.format(name))
  explicit_step = step is not None
  if stop is None and step is None:
    start, stop = 0, start
  step = 1 if step is None else step
  start_v, stop_v, step_v = (promotion.concrete_value(v).item() for v in (start, stop, step))
  if step_v == 0:
    raise ZeroDivisionError("division by zero")   # JAX's (and NumPy's size formula)
  if dtype is None:
    dtype = dtypes.result_type(*(v for v in (start, stop, step)))
  dtype = _user_dtype(dtype, "arange")
  size = builtins.max(0, math.ceil((stop_v - start_v) / step_v))
  if not dtypes.issubdtype(dtype, np.complexfloating):
    # JAX's staging: iota; start + iota; or start + step * iota in a working dtype.
    if not explicit_step:
      out = _iota(dtype, size)
      if start_v != 0:
        out = lax.add(np.asarray(start_v, dtype), out)
      return _placed(out, device, out_sharding, "jnp.arange")
    working = dtype
    if dtypes.issubdtype(dtype, np.floating) and np.dtype(dtype).itemsize < 4:
      working = np.dtype(np.float32)
    out = lax.add(np.asarray(start_v, working),
                  lax.mul(np.asarray(step_v, working), _iota(working, size)))
    return _placed(lax_structural.convert_element_type(out, dtype),
                   device, out_sharding, "jnp.arange")
  out = lax.add(lax.mul(_iota(dtype, size), np.asarray(step_v, dtype)),
                np.asarray(start_v, dtype))
  return _placed(out, device, out_sharding, "jnp.arange")


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype=None, axis: int = 0, *, device=None):
  """``num`` evenly spaced values from ``start`` to ``stop``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.linspace(0, 1, 5)
  Array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
  """
  num = promotion.concrete_int(num, "'num' argument of jnp.linspace")
  axis = promotion.concrete_int(axis, "'axis' argument of jnp.linspace")
  out = _linspace(start, stop, num, endpoint, retstep, dtype, axis)
  if retstep:
    return _placed(out[0], device), out[1]
  return _placed(out, device)


@library_jit(static_argnames=("num", "endpoint", "retstep", "dtype", "axis"))
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
  # JAX's formulation, start * (1 - t) + stop * t (so the values are JAX's).
  from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
  if num < 0:
    raise ValueError(f"Number of samples, {num}, must be non-negative.")
  promotion.check_arraylike("linspace", start, stop)
  start = promotion.ensure_array(promotion.asarray_value(start))
  stop = promotion.ensure_array(promotion.asarray_value(stop))
  if dtype is None:
    dtype = dtypes.to_inexact_dtype(dtypes.result_type(start, stop))
  else:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "linspace")
  compute = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtype))
  start, stop = start.astype(compute), stop.astype(compute)
  bounds = list(np.broadcast_shapes(start.shape, stop.shape))
  start_b = promotion.broadcast_to_shape(start, tuple(bounds))
  stop_b = promotion.broadcast_to_shape(stop, tuple(bounds))
  axis = len(bounds) + axis + 1 if axis < 0 else axis
  bounds.insert(axis, 1)
  div = (num - 1) if endpoint else num
  if num > 1:
    delta = ufuncs.true_divide(lax_structural.convert_element_type(
        ufuncs.subtract(stop, start), compute), np.asarray(div, compute))
    iota_shape = [1] * len(bounds)
    iota_shape[axis] = div
    real = np.finfo(compute).dtype
    step = ufuncs.true_divide(lax_structural.reshape(lax.iota(real, div), iota_shape),
                              np.asarray(div, real)).astype(compute)
    out = ufuncs.add(ufuncs.multiply(lax_structural.reshape(start_b, bounds),
                                     ufuncs.subtract(1, step)),
                     ufuncs.multiply(lax_structural.reshape(stop_b, bounds), step))
    if endpoint:
      out = lax.concatenate([out, lax_structural.expand_dims(stop_b, (axis,))], axis)
  elif num == 1:
    delta = np.asarray(np.nan, compute) if endpoint else \
        ufuncs.subtract(stop, start).astype(compute)
    out = lax_structural.reshape(start_b, bounds)
  else:
    bounds[axis] = 0
    delta = np.asarray(np.nan, compute)
    out = lax_structural.full(tuple(bounds), 0, dtype)
  if dtypes.issubdtype(dtype, np.integer) and not dtypes.issubdtype(out.dtype, np.integer):
    out = lax.floor(out)
  out = lax_structural.convert_element_type(out, dtype)
  return (out, promotion.ensure_array(delta)) if retstep else out


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10.0,
             dtype=None, axis: int = 0):
  """``base ** linspace(start, stop, num)``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.logspace(0, 2, 3)
  Array([  1.,  10., 100.], dtype=float32)
  """
  num = promotion.concrete_int(num, "'num' argument of jnp.logspace")
  axis = promotion.concrete_int(axis, "'axis' argument of jnp.logspace")
  return _logspace(start, stop, num, endpoint, base, dtype, axis)


@library_jit(static_argnames=("num", "endpoint", "dtype", "axis"))
def _logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
  from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
  if dtype is None:
    dtype = dtypes.to_inexact_dtype(dtypes.result_type(start, stop))
  else:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "logspace")
  compute = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtype))
  promotion.check_arraylike("logspace", start, stop)
  start = promotion.ensure_array(promotion.asarray_value(start)).astype(compute)
  stop = promotion.ensure_array(promotion.asarray_value(stop)).astype(compute)
  lin = linspace(start, stop, num, endpoint=endpoint, axis=axis)
  return lax_structural.convert_element_type(ufuncs.power(base, lin), dtype)


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None,
              axis: int = 0):
  """Numbers spaced evenly on a log scale from ``start`` to ``stop``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.geomspace(1, 16, 5)   # JAX's formulation: exp of a linspace of logs
  Array([ 1.       ,  2.       ,  4.0000005,  8.       , 16.000002 ],      dtype=float32)
  """
  num = promotion.concrete_int(num, "'num' argument of jnp.geomspace")
  axis = promotion.concrete_int(axis, "'axis' argument of jnp.geomspace")
  return _geomspace(start, stop, num, endpoint, dtype, axis)


@library_jit(static_argnames=("num", "endpoint", "dtype", "axis"))
def _geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
  # JAX's formulation, sign * logspace(log10(start / sign), log10(stop / sign))
  # along axis 0, so the roundings are JAX's (1000 ** (1/3) is not exactly 10)
  # and a zero start gives nan as in JAX.
  from jaxlite.numpy import ufuncs  # pylint: disable=g-import-not-at-top
  if dtype is None:
    dtype = dtypes.to_inexact_dtype(dtypes.result_type(start, stop))
  else:
    dtype = dtypes.check_and_canonicalize_user_dtype(dtype, "geomspace")
  compute = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtype))
  promotion.check_arraylike("geomspace", start, stop)
  start = promotion.ensure_array(promotion.asarray_value(start)).astype(compute)
  stop = promotion.ensure_array(promotion.asarray_value(stop)).astype(compute)
  sign = ufuncs.sign(start)
  out = ufuncs.multiply(sign, logspace(
      ufuncs.log10(ufuncs.true_divide(start, sign)),
      ufuncs.log10(ufuncs.true_divide(stop, sign)),
      num, endpoint=endpoint, base=10.0, dtype=compute, axis=0))
  axis = promotion.canonicalize_axis(axis, out.ndim)
  if axis != 0:
    out = lax_structural.transpose(
        out, (*range(1, axis + 1), 0, *range(axis + 1, out.ndim)))
  return lax_structural.convert_element_type(out, dtype)


# --- matrices -------------------------------------------------------------------------


def _tri_mask(n, m, k):
  rows = lax.broadcasted_iota(dtypes.canonicalize_dtype(np.int32), (n, m), 0)
  rows = lax.add(rows, np.asarray(k, rows.dtype))   # before the column iota, as JAX
  cols = lax.broadcasted_iota(dtypes.canonicalize_dtype(np.int32), (n, m), 1)
  return lax.ge(rows, cols)


def eye(N, M=None, k=0, dtype=None, *, device=None):
  """A 2-D array with ones on the ``k``-th diagonal.

  >>> import jaxlite.numpy as jnp
  >>> jnp.eye(2, dtype=jnp.int32)
  Array([[1, 0],
         [0, 1]], dtype=int32)
  """
  dtype = _user_dtype(dtype, "eye") or dtypes.default_float_dtype()
  n = promotion.concrete_int(N, "'N' argument of jnp.eye")
  m = n if M is None else promotion.concrete_int(M, "'M' argument of jnp.eye")
  if n < 0 or m < 0:
    raise ValueError(f"negative dimensions are not allowed, got {n} and {m}")
  if isinstance(k, core.Tracer):   # a traced offset (jnp.trace's under jit), as JAX's
    if not (np.shape(k) == () and dtypes.issubdtype(k.dtype, np.integer)):
      raise ValueError(f"k must be a scalar integer; got {k}")
    rows = lax.broadcasted_iota(k.dtype, (n, m), 0)
    cols = lax.broadcasted_iota(k.dtype, (n, m), 1)
    mask = lax.eq(lax.add(rows, lax_structural.convert_element_type(k, k.dtype)), cols)
    return _placed(lax_structural.convert_element_type(mask, dtype), device)
  k = promotion.concrete_int(k, "'k' argument of jnp.eye")
  rows = lax.broadcasted_iota(dtypes.canonicalize_dtype(np.int32), (n, m), 0)
  cols = lax.broadcasted_iota(dtypes.canonicalize_dtype(np.int32), (n, m), 1)
  mask = lax.eq(lax.add(rows, np.asarray(k, rows.dtype)), cols)
  return _placed(lax_structural.convert_element_type(mask, dtype), device)


def identity(n, dtype=None):
  """The ``n`` by ``n`` identity matrix.

  >>> import jaxlite.numpy as jnp
  >>> jnp.identity(1)
  Array([[1.]], dtype=float32)
  """
  return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
  """Ones at and below the ``k``-th diagonal, zeros elsewhere.

  >>> import jaxlite.numpy as jnp
  >>> jnp.tri(2, dtype=jnp.int32)
  Array([[1, 0],
         [1, 1]], dtype=int32)
  """
  dtype = _user_dtype(dtype, "tri") or dtypes.default_float_dtype()
  n = promotion.concrete_int(N, "'N' argument of jnp.tri")
  m = n if M is None else promotion.concrete_int(M, "'M' argument of jnp.tri")
  k = promotion.concrete_int(k, "'k' argument of jnp.tri")
  return lax_structural.convert_element_type(_tri_mask(n, m, k), dtype)


def _tri_select(m, k, lower, fun_name):
  promotion.check_arraylike(fun_name, m)
  m = promotion.ensure_array(promotion.asarray_value(m))
  if m.ndim < 2:
    raise ValueError(f"{fun_name} requires an array of at least two dimensions, "
                     f"got {m.ndim}")
  k = promotion.concrete_int(k, f"'k' argument of jnp.{fun_name}")
  n, cols = m.shape[-2:]
  # triu zeroes where tril(k - 1)'s mask holds (JAX's select, no negation).
  mask = _tri_mask(n, cols, k if lower else k - 1)
  mask = lax_structural.broadcast_in_dim(mask, m.shape, (m.ndim - 2, m.ndim - 1))
  zero = lax_structural.broadcast(np.zeros((), m.dtype), m.shape)
  return lax.select_n(mask, zero, m) if lower else lax.select_n(mask, m, zero)


@library_jit(static_argnames=("k",))
def tril(m, k: int = 0):
  """``m`` with the elements above the ``k``-th diagonal zeroed (last two axes).

  >>> import jaxlite.numpy as jnp
  >>> jnp.tril(jnp.ones((2, 2), jnp.int32))
  Array([[1, 0],
         [1, 1]], dtype=int32)
  """
  return _tri_select(m, k, True, "tril")


@library_jit(static_argnames=("k",))
def triu(m, k: int = 0):
  """``m`` with the elements below the ``k``-th diagonal zeroed (last two axes).

  >>> import jaxlite.numpy as jnp
  >>> jnp.triu(jnp.ones((2, 2), jnp.int32))
  Array([[1, 1],
         [0, 1]], dtype=int32)
  """
  return _tri_select(m, k, False, "triu")


def meshgrid(*xi, copy: bool = True, sparse: bool = False, indexing: str = "xy"):
  """Coordinate matrices from 1-D coordinate vectors.

  >>> import jaxlite.numpy as jnp
  >>> [g.shape for g in jnp.meshgrid(jnp.arange(2), jnp.arange(3))]
  [(3, 2), (3, 2)]
  """
  del copy
  promotion.check_arraylike("meshgrid", *xi)
  if indexing not in ("xy", "ij"):
    raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
  args = [promotion.ensure_array(promotion.asarray_value(x)) for x in xi]
  for a in args:
    if a.ndim != 1:
      raise ValueError(f"Arguments to jax.numpy.meshgrid must be 1D, got shape {a.shape}")
  n = len(args)
  if indexing == "xy" and n >= 2:
    args[0], args[1] = args[1], args[0]
  shape = tuple(a.shape[0] for a in args)
  out = []
  for i, a in enumerate(args):
    if sparse:
      s = [1] * n
      s[i] = a.shape[0]
      out.append(lax_structural.reshape(a, s))
    else:
      out.append(lax_structural.broadcast_in_dim(a, shape, (i,)))
  if indexing == "xy" and n >= 2:
    out[0], out[1] = out[1], out[0]
  return out


def indices(dimensions, dtype=None, sparse: bool = False):
  """An array (or sparse tuple) of grid indices of ``dimensions``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.indices((2,))
  Array([[0, 1]], dtype=int32)
  """
  dimensions = promotion.concrete_shape(dimensions, "indices")
  dtype = _user_dtype(dtype, "indices") or dtypes.canonicalize_dtype(dtypes.int_)
  n = len(dimensions)
  out = []
  for i, d in enumerate(dimensions):
    if sparse:
      s = [1] * n
      s[i] = d
      out.append(lax_structural.reshape(_iota(dtype, d), s))
    else:
      out.append(lax.broadcasted_iota(dtype, dimensions, i))
  if sparse:
    return tuple(out)
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  if not out:
    return zeros((0,), dtype)
  return shape_lib.stack(out)


def fromfunction(function, shape, *, dtype=float, **kwargs):
  """``function(*indices(shape))``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fromfunction(lambda i, j: i + j, (2, 2), dtype=jnp.int32)
  Array([[0, 1],
         [1, 2]], dtype=int32)
  """
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  shape = promotion.concrete_shape(shape, "fromfunction")
  dtype = _user_dtype(dtype, "fromfunction")
  # As JAX: `function` sees scalars, vmapped once per axis (not NumPy's grids).
  for i in range(len(shape)):
    in_axes = tuple(0 if i == j else None for j in range(len(shape)))
    function = vmap(function, in_axes=in_axes[::-1])
  return function(*(lax.iota(dtype, n) for n in shape), **kwargs)


def astype(x, dtype, /, *, copy: bool = False, device=None):
  """``x`` converted to ``dtype`` (complex to real drops the imaginary part).

  >>> import jaxlite.numpy as jnp
  >>> jnp.astype(jnp.arange(2), jnp.float32)
  Array([0., 1.], dtype=float32)
  """
  del copy
  promotion.check_arraylike("astype", x)
  dtype = _user_dtype(dtype, "astype")
  x = promotion.asarray_value(x)
  if not isinstance(x, _ARRAY_TYPES):
    x = np.asarray(x)
  elif x.aval.dtype == dtype and not x.aval.weak_type:
    return _placed(x, device)
  x_dtype = x.dtype if isinstance(x, np.ndarray) else x.aval.dtype
  if np.dtype(dtype) == np.bool_ and dtypes.issubdtype(x_dtype, np.complexfloating):
    # As JAX: complex -> bool is x != 0 (the imaginary part counts).
    x = lax.ne(x, np.zeros((), x_dtype))
  out = lax_structural._convert_element_type(x, dtype, False)
  return _placed(out, device)
