"""Applying functions over arrays: ``apply_along_axis`` (``vmap`` over the
other axes), ``apply_over_axes``, ``piecewise`` (``lax.switch`` per element);
``frompyfunc`` lives in ``ufunc_objects``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.apply_along_axis(jnp.sum, 1, jnp.ones((2, 3)))
  Array([3., 3.], dtype=float32)
"""
from __future__ import annotations

__all__ = ['apply_along_axis', 'apply_over_axes', 'piecewise']


import numpy as np

from jaxlite import dtypes, lax
from jaxlite.numpy import creation, promotion, reshaping, ufuncs
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, ensure_array


def apply_along_axis(func1d, axis: int, arr, *args, **kwargs):
  """``func1d`` applied to each 1-D slice of ``arr`` along ``axis``.

  The slices are mapped with ``vmap``; the axes ``func1d``'s results add
  replace ``axis`` in the output, as in NumPy.

  >>> import jaxlite.numpy as jnp
  >>> jnp.apply_along_axis(lambda v: v[::-1], 0, jnp.array([[1, 2], [3, 4]]))
  Array([[3, 4],
         [1, 2]], dtype=int32)
  """
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  check_arraylike("apply_along_axis", arr)
  arr = ensure_array(promotion.asarray_value(arr))
  nd = arr.ndim
  axis = canonicalize_axis(axis, nd)
  func = lambda a: func1d(a, *args, **kwargs)
  # Map the axes after ``axis`` innermost, then those before it; each vmap
  # puts its axis first in the output, which keeps NumPy's layout.
  for i in range(1, nd - axis):
    func = vmap(func, in_axes=-1, out_axes=-1)
  for i in range(axis):
    func = vmap(func, in_axes=0, out_axes=0)
  return func(arr)


def apply_over_axes(func, a, axes):
  """``func(a, axis)`` applied for each of ``axes`` in turn, keeping ``a``'s rank.

  >>> import jaxlite.numpy as jnp
  >>> jnp.apply_over_axes(jnp.sum, jnp.ones((2, 3)), [0, 1])
  Array([[6.]], dtype=float32)
  """
  check_arraylike("apply_over_axes", a)
  a = ensure_array(promotion.asarray_value(a))
  for axis in np.atleast_1d(axes).tolist():
    b = func(a, axis)
    b = ensure_array(promotion.asarray_value(b))
    if b.ndim == a.ndim - 1:
      b = reshaping.expand_dims(b, canonicalize_axis(axis, a.ndim))
    elif b.ndim != a.ndim:
      raise ValueError("function is not returning an array of the correct shape")
    a = b
  return a


def piecewise(x, condlist, funclist, *args, **kw):
  """``funclist[i]`` applied where ``condlist[i]`` holds (the last one wins).

  ``funclist`` may hold one more entry than ``condlist``: the value where no
  condition holds (0 otherwise). Entries are functions of the selected
  elements or constants. Every function is traced once, on scalars, and
  chosen per element with ``lax.switch``.

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.array([-2.0, 0.5, 3.0])
  >>> jnp.piecewise(x, [x < 0, x > 1], [lambda v: -v, 10.0, lambda v: v * 2])
  Array([ 2.,  1., 10.], dtype=float32)
  """
  check_arraylike("piecewise", x)
  x = ensure_array(promotion.asarray_value(x))
  if isinstance(condlist, (list, tuple)):
    check_arraylike("piecewise", *condlist)
    conds = [ensure_array(promotion.asarray_value(c)) for c in condlist]
  else:
    check_arraylike("piecewise", condlist)
    condlist = ensure_array(promotion.asarray_value(condlist))
    # As JAX (not NumPy): an array holds one condition per leading entry, so a
    # 1-D array is a list of scalar conditions.
    conds = list(condlist)
  n = len(conds)
  funclist = list(funclist)
  if len(funclist) == n:
    funclist = [0] + funclist  # the value where no condition holds
  elif len(funclist) == n + 1:
    funclist = funclist[-1:] + funclist[:-1]
  else:
    raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are "
                     f"expected; got {len(funclist)}")
  conds = [promotion.broadcast_to_shape(ufuncs._to_bool(c), x.shape) for c in conds]
  # The branch of each element: 1 + the last condition that holds, else 0.
  index_dtype = dtypes.canonicalize_dtype(np.int32)
  index = creation.zeros(x.shape, index_dtype)
  for i, c in enumerate(conds):
    index = ufuncs.where(c, np.asarray(i + 1, index_dtype), index)
  dtype = x.dtype

  def branch(f):
    if callable(f):
      return lambda v: promotion.convert(ensure_array(f(v, *args, **kw)), dtype)
    return lambda v: promotion.convert(ensure_array(promotion.asarray_value(f)), dtype)

  branches = [branch(f) for f in funclist]
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  flat_x = reshaping.ravel(x)
  flat_index = reshaping.ravel(index)
  out = vmap(lambda i, v: lax.switch(i, branches, v))(flat_index, flat_x)
  return reshaping.reshape(out, x.shape)
