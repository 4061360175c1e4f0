"""The fast ``reduce`` and ``at`` of JAX's built-in ufunc objects
(``ufunc_objects``): one lax reduction each instead of a loop over the
scalar function, and ``x.at[...]`` scatters for ``add.at`` and friends.

  >>> import jaxlite.numpy as jnp
  >>> reduce_bitwise_or(jnp.array([1, 2, 4]))
  Array(7, dtype=int32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, reductions, ufuncs_arithmetic, ufuncs_math
from jaxlite.numpy.promotion import canonicalize_axes, check_arraylike, ensure_array


def as_array(x):
  """``x`` as a jaxlite array (or tracer)."""
  return ensure_array(promotion.asarray_value(x))


def broadcast(x, shape):
  return promotion.broadcast_to_shape(as_array(x), tuple(shape))


def moveaxis(x, source, destination):
  from jaxlite.numpy.reshaping import moveaxis as move  # pylint: disable=g-import-not-at-top
  return move(x, source, destination)


def select(condition, on_true, on_false):
  """``where(condition, on_true, on_false)`` for operands of one dtype."""
  on_true, on_false = as_array(on_true), as_array(on_false)
  shape = np.broadcast_shapes(np.shape(condition), on_true.shape, on_false.shape)
  return lax.select_n(broadcast(condition, shape), broadcast(on_false, shape),
                      broadcast(on_true, shape))


def _require_integer(a):
  if not (a.dtype == np.bool_ or dtypes.issubdtype(a.dtype, np.integer)):
    raise ValueError(f"integer argument required; got dtype={a.dtype}")
  return a


def _cast_to_bool(a):
  if dtypes.issubdtype(a.dtype, np.complexfloating):
    a = lax.real(a)
  return lax_structural.convert_element_type(a, np.bool_)


def _monoid_reduce(name, a, axis, dtype, keepdims, initial, where, *, reducer, combine,
                   identity, preproc=None):
  """A reduction by one lax monoid (JAX's ``_reduction``): ``identity`` fills
  masked-out elements, ``initial`` is combined with the result."""
  check_arraylike(name, a)
  a = as_array(a)
  a = preproc(a) if preproc else a
  axes = canonicalize_axes(axis, a.ndim)
  result_dtype = a.dtype if dtype is None else dtypes.check_and_canonicalize_user_dtype(
      dtype, name)
  a = lax_structural.convert_element_type(a, result_dtype)
  if identity is None and initial is None and any(a.shape[d] == 0 for d in axes):
    raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
  if where is not None:
    fill = np.asarray(identity).astype(result_dtype)
    a = select(as_array(where), a, fill)
  result = getattr(lax, reducer)(a, axes) if axes else a
  if initial is not None:
    initial = lax_structural.convert_element_type(as_array(initial), result_dtype)
    if initial.shape != ():
      raise ValueError(f"initial value must be a scalar. Got array of shape {initial.shape}")
    result = getattr(lax, combine)(initial, result)
  if keepdims:
    result = lax.expand_dims(result, axes)
  return result


def _monoid(name, reducer, combine, identity, preproc):
  def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    del out  # rejected by ufunc.reduce
    return _monoid_reduce(name, a, axis, dtype, keepdims, initial, where, reducer=reducer,
                          combine=combine, identity=identity, preproc=preproc)
  reduce.__name__ = reduce.__qualname__ = name
  reduce.__doc__ = f"``{name}`` over ``axis`` (one ``lax.{reducer}``)."
  return reduce


reduce_bitwise_and = _monoid("reduce_bitwise_and", "reduce_and", "bitwise_and", -1,
                             _require_integer)
reduce_bitwise_or = _monoid("reduce_bitwise_or", "reduce_or", "bitwise_or", 0, _require_integer)
reduce_bitwise_xor = _monoid("reduce_bitwise_xor", "reduce_xor", "bitwise_xor", 0,
                             _require_integer)
reduce_logical_and = _monoid("reduce_logical_and", "reduce_and", "bitwise_and", True,
                             _cast_to_bool)
reduce_logical_or = _monoid("reduce_logical_or", "reduce_or", "bitwise_or", False,
                            _cast_to_bool)
reduce_logical_xor = _monoid("reduce_logical_xor", "reduce_xor", "bitwise_xor", False,
                             _cast_to_bool)


def _extremum(name, numpy_reduce):
  def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    del out
    if dtype is not None:
      a = lax_structural.convert_element_type(
          as_array(a), dtypes.check_and_canonicalize_user_dtype(dtype, name))
    return numpy_reduce(a, axis=axis, keepdims=keepdims, initial=initial, where=where)
  reduce.__name__ = reduce.__qualname__ = name
  reduce.__doc__ = f"``jnp.{numpy_reduce.__name__}`` with a ``dtype`` to compute in."
  return reduce


reduce_max = _extremum("reduce_max", reductions.max)
reduce_min = _extremum("reduce_min", reductions.min)


def _check_out_and_dtype(name, out, dtype):
  if out is not None:
    raise NotImplementedError(f"The 'out' argument to {name} is not supported.")
  if dtype is not None:
    dtypes.check_and_canonicalize_user_dtype(dtype, name)


def logsumexp(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
  """``log(sum(exp(a)))`` over ``axis``, shifted by the maximum for accuracy
  (``jnp.logaddexp.reduce``; as in JAX, ``dtype`` is checked, not used).

  >>> import jaxlite.numpy as jnp
  >>> logsumexp(jnp.array([0.0, 0.0]))
  Array(0.6931472, dtype=float32)
  """
  _check_out_and_dtype("jnp.logaddexp.reduce", out, dtype)
  check_arraylike("logsumexp", a)
  (a,) = promotion.promote_dtypes_inexact(as_array(a))
  axes = canonicalize_axes(axis, a.ndim)
  real = lax.real(a) if dtypes.issubdtype(a.dtype, np.complexfloating) else a
  peak = reductions.max(real, axis=axes, keepdims=keepdims, where=where, initial=-np.inf)
  peak = lax.stop_gradient(select(lax.is_finite(peak), peak, np.zeros((), peak.dtype)))
  peak_kept = peak if keepdims else lax.expand_dims(peak, axes)
  shifted = lax.exp(ufuncs_arithmetic.subtract(
      a, lax_structural.convert_element_type(peak_kept, a.dtype)))
  total = reductions.sum(shifted, axis=axes, keepdims=keepdims, where=where)
  result = lax.add(lax.log(total), lax_structural.convert_element_type(peak, total.dtype))
  return result if initial is None else ufuncs_math.logaddexp(initial, result)


def logsumexp2(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
  """``log2(sum(2 ** a))`` over ``axis`` (``jnp.logaddexp2.reduce``).

  >>> import jaxlite.numpy as jnp
  >>> logsumexp2(jnp.array([1.0, 1.0]))
  Array(2., dtype=float32)
  """
  _check_out_and_dtype("jnp.logaddexp2.reduce", out, dtype)
  check_arraylike("logsumexp2", a)
  ln2 = float(np.log(2))
  if initial is not None:
    initial = initial * ln2
  return logsumexp(as_array(a) * ln2, axis=axis, keepdims=keepdims, where=where,
                   initial=initial) / ln2


def _via_int32_for_bool(update):
  """``update(a, indices, b)`` on int32 for boolean ``a``, as JAX's
  ``add.at``/``multiply.at`` (a scatter of booleans has no add)."""
  def at(a, indices, b):
    if a.dtype == np.bool_:
      flag = lax_structural.convert_element_type(
          lax_structural.convert_element_type(as_array(b), np.bool_), np.int32)
      out = update(lax_structural.convert_element_type(a, np.int32), indices, flag)
      return lax_structural.convert_element_type(out, np.bool_)
    return update(a, indices, b)
  at.__name__ = at.__qualname__ = update.__name__
  at.__doc__ = update.__doc__
  return at


def _add_at(a, indices, b):
  """``a.at[indices].add(b)``."""
  return a.at[indices].add(b)


def _multiply_at(a, indices, b):
  """``a.at[indices].mul(b)``."""
  return a.at[indices].mul(b)


add_at = _via_int32_for_bool(_add_at)
multiply_at = _via_int32_for_bool(_multiply_at)


def subtract_at(a, indices, b):
  """``a.at[indices].subtract(b)``."""
  return a.at[indices].subtract(b)

