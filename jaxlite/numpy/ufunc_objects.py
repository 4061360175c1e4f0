"""``jnp.ufunc``: NumPy's universal-function objects, with ``reduce``,
``accumulate``, ``at``, ``reduceat`` and ``outer`` derived from the scalar
function, and the fourteen instances JAX makes of its ufuncs (``jnp.add``,
``jnp.multiply``, ``jnp.logical_and`` ...), plus ``jnp.frompyfunc``.

Calling a built-in instance costs nothing over calling its function: each
gets its own subclass whose ``__call__`` *is* that function (Python looks a
call up on the type), so ``jnp.add(x, y)`` runs ``ufuncs_arithmetic.add``
with no frame in between. Those functions take JAX's ``out=``/``where=``
keywords and raise JAX's error for anything but None.

  >>> import jaxlite.numpy as jnp
  >>> jnp.add.reduce(jnp.arange(5))
  Array(10, dtype=int32)
  >>> jnp.multiply.outer(jnp.arange(1, 3), jnp.arange(1, 4))
  Array([[1, 2, 3],
         [2, 4, 6]], dtype=int32)
"""
from __future__ import annotations

import math
import operator
from typing import Any, Callable

import numpy as np

from jaxlite import lax
from jaxlite.numpy import (reductions, ufuncs_arithmetic, ufuncs_logical, ufuncs_math)
from jaxlite.numpy import ufunc_reductions as _red
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike

__all__ = ["ufunc", "frompyfunc", "add", "subtract", "multiply", "negative", "maximum",
           "minimum", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and",
           "logical_or", "logical_xor", "logaddexp", "logaddexp2"]

# JAX's message (its doctest-style line included), word for word.
_AT_INPLACE_MESSAGE = (
    "Because JAX arrays are immutable, jnp.ufunc.at() cannot operate inplace like\n"
    "np.ufunc.at(). Instead, you can pass inplace=False and capture the result; e.g.\n"
    ">>> arr = jnp.add.at(arr, ind, val, inplace=False)\n")


def _jit(fun, **static):
  """``fun`` staged as one ``jit`` call (imported on first use: jit sits
  above numpy's imports)."""
  staged = None

  def call(*args, **kwargs):
    nonlocal staged
    if staged is None:
      from jaxlite.api import jit  # pylint: disable=g-import-not-at-top
      staged = jit(fun, **static)
    return staged(*args, **kwargs)
  call.__name__ = call.__qualname__ = fun.__name__
  call.__doc__ = fun.__doc__
  return call


class ufunc:
  """A universal function: ``func`` applied elementwise, with NumPy's ufunc
  methods derived from it (JAX's :class:`jax.numpy.ufunc`).

  Args:
    func: a function of ``nin`` scalars (arrays under ``vmap``).
    nin, nout: numbers of inputs and outputs.
    name: the name shown in the repr (default ``func.__name__``).
    nargs: defaults to ``nin``.
    identity: the value a reduction over no elements gives (None: none).
    call, reduce, accumulate, at, reduceat: faster implementations of the
      methods where there are some (otherwise loops over ``func``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.add
  <jnp.ufunc 'add'>
  >>> jnp.add.nin, jnp.add.nout, jnp.add.identity
  (2, 1, 0)
  """

  def __init__(self, func: Callable[..., Any], /, nin: int, nout: int, *,
               name: str | None = None, nargs: int | None = None, identity: Any = None,
               call: Callable[..., Any] | None = None, reduce: Callable[..., Any] | None = None,
               accumulate: Callable[..., Any] | None = None, at: Callable[..., Any] | None = None,
               reduceat: Callable[..., Any] | None = None):
    self.__name__ = name or func.__name__
    # Read-only through properties, as JAX's: instances are hashed as static
    # arguments, so what identifies them must not change.
    self.__props = {"func": func, "nin": operator.index(nin), "nout": operator.index(nout),
                    "nargs": operator.index(nargs or nin), "identity": identity,
                    "call": call, "reduce": reduce, "accumulate": accumulate, "at": at,
                    "reduceat": reduceat}

  _func = property(lambda self: self.__props["func"])
  nin = property(lambda self: self.__props["nin"])
  nout = property(lambda self: self.__props["nout"])
  nargs = property(lambda self: self.__props["nargs"])
  identity = property(lambda self: self.__props["identity"])

  def _key(self):
    return (self._func, self.__name__, self.identity, self.nin, self.nout, self.nargs)

  def __hash__(self) -> int:
    return hash(self._key())

  def __eq__(self, other: Any) -> bool:
    return isinstance(other, ufunc) and self._key() == other._key()

  def __repr__(self) -> str:
    return f"<jnp.ufunc '{self.__name__}'>"

  def __call__(self, *args, out=None, where=None):
    check_arraylike(self.__name__, *args)
    if out is not None:
      raise NotImplementedError(f"out argument of {self}")
    if where is not None:
      raise NotImplementedError(f"where argument of {self}")
    call = self.__props["call"] or _call_vectorized
    return call(self, *args) if call is _call_vectorized else call(*args)

  def reduce(self, a, axis: int | None = 0, dtype=None, out=None, keepdims: bool = False,
             initial=None, where=None):
    """Reduces ``a`` along ``axis`` by applying the binary ufunc repeatedly.

    >>> import jaxlite.numpy as jnp
    >>> jnp.multiply.reduce(jnp.array([1, 2, 3, 4]))
    Array(24, dtype=int32)
    """
    check_arraylike(f"{self.__name__}.reduce", a)
    self._require_binary("reduce")
    if out is not None:
      raise NotImplementedError(f"out argument of {self.__name__}.reduce()")
    if initial is not None:
      check_arraylike(f"{self.__name__}.reduce", initial)
    if where is not None:
      check_arraylike(f"{self.__name__}.reduce", where)
      if self.identity is None and initial is None:
        raise ValueError(f"reduction operation {self.__name__!r} does not have an identity, "
                         "so to use a where mask one has to specify 'initial'.")
      where_dtype = np.result_type(where) if not hasattr(where, "dtype") else where.dtype
      if where_dtype != np.bool_:
        raise ValueError(f"where argument must have dtype=bool; got dtype={where_dtype}")
    if isinstance(axis, list):
      axis = tuple(axis)
    reduce = self.__props["reduce"]
    if reduce is not None:
      return reduce(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial,
                    where=where)
    return _reduce_via_loop(self, a, axis=axis, dtype=dtype, keepdims=keepdims,
                            initial=initial, where=where)

  def accumulate(self, a, axis: int = 0, dtype=None, out=None):
    """The running results of applying the binary ufunc along ``axis``.

    >>> import jaxlite.numpy as jnp
    >>> jnp.add.accumulate(jnp.array([1, 2, 3]))
    Array([1, 3, 6], dtype=int32)
    """
    self._require_binary("accumulate")
    if out is not None:
      raise NotImplementedError(f"out argument of {self.__name__}.accumulate()")
    accumulate = self.__props["accumulate"]
    if accumulate is not None:
      return accumulate(a, axis=axis, dtype=dtype)
    return _accumulate_via_scan(self, a, axis=axis, dtype=dtype)

  def at(self, a, indices, b=None, /, *, inplace: bool = True):
    """``a`` with the ufunc applied at ``indices`` (unbuffered: repeated
    indices apply repeatedly). JAX arrays are immutable, so ``inplace=False``
    is required and the result is returned.

    >>> import jaxlite.numpy as jnp
    >>> jnp.add.at(jnp.zeros(3), jnp.array([0, 0, 2]), 1.0, inplace=False)
    Array([2., 0., 1.], dtype=float32)
    """
    if inplace:
      raise NotImplementedError(_AT_INPLACE_MESSAGE)
    at = self.__props["at"]
    if at is not None:
      return _at_jit(at, a, indices) if b is None else _at_jit(at, a, indices, b)
    return _at_via_scan(self, a, indices) if b is None else _at_via_scan(self, a, indices, b)

  def reduceat(self, a, indices, axis: int = 0, dtype=None, out=None):
    """Reductions of ``a`` over the slices ``indices[i]:indices[i + 1]``
    along ``axis`` (a single element where the next index is not larger).

    >>> import jaxlite.numpy as jnp
    >>> jnp.add.reduceat(jnp.arange(8), jnp.array([0, 4, 5]))
    Array([ 6,  4, 18], dtype=int32)
    """
    self._require_binary("reduceat")
    if out is not None:
      raise NotImplementedError(f"out argument of {self.__name__}.reduceat()")
    reduceat = self.__props["reduceat"]
    if reduceat is not None:
      return reduceat(a, indices, axis=axis, dtype=dtype)
    return _reduceat_via_loop(self, a, indices, axis=axis, dtype=dtype)

  def outer(self, A, B, /):  # pylint: disable=invalid-name
    """The ufunc of every pair of elements of ``A`` and ``B``: the result's
    shape is ``A.shape + B.shape``.

    >>> import jaxlite.numpy as jnp
    >>> jnp.subtract.outer(jnp.array([10, 20]), jnp.array([1, 2]))
    Array([[ 9,  8],
           [19, 18]], dtype=int32)
    """
    self._require_binary("outer")
    check_arraylike(f"{self.__name__}.outer", A, B)
    return _outer(self, A, B)

  def _require_binary(self, method):
    if self.nin != 2:
      raise ValueError(f"{method} only supported for binary ufuncs")
    if self.nout != 1:
      raise ValueError(f"{method} only supported for functions returning a single value")


ufunc.__module__ = "jaxlite.numpy"


def frompyfunc(func: Callable[..., Any], /, nin: int, nout: int, *, identity: Any = None) -> ufunc:
  """A :class:`ufunc` from a function of scalars (vectorized with
  ``jnp.vectorize``; its methods loop over ``func``).

  >>> import jaxlite.numpy as jnp
  >>> add = jnp.frompyfunc(lambda x, y: x + y, nin=2, nout=1, identity=0)
  >>> add.reduce(jnp.arange(5))
  Array(10, dtype=int32)
  """
  return ufunc(func, nin, nout, identity=identity)


# ----------------------------------------------------------------------------
# The generic methods: loops over the scalar function, each one jit call.

def _call_vectorized_impl(self, *args):
  from jaxlite.numpy.vectorize import vectorize  # pylint: disable=g-import-not-at-top
  return vectorize(self._func)(*args)


_call_vectorized = _jit(_call_vectorized_impl, static_argnums=(0,))


def _result_dtype(self, *args):
  """The dtype ``self._func`` gives for one element of each of ``args``."""
  from jaxlite.api import eval_shape  # pylint: disable=g-import-not-at-top
  ones = [lax.full((), 1, _red.as_array(x).dtype) for x in args]
  return eval_shape(self._func, *ones).dtype


def _reduce_via_loop_impl(self, arr, axis=0, dtype=None, keepdims=False, initial=None,
                          where=None):
  from jaxlite.lax.control_flow.loops import fori_loop  # pylint: disable=g-import-not-at-top
  arr = _red.as_array(arr)
  if initial is None:
    initial = self.identity
  if dtype is None:
    dtype = _result_dtype(self, arr, arr)
  if where is not None:
    where = _red.broadcast(where, arr.shape)
  if isinstance(axis, tuple):
    raise NotImplementedError("tuple of axes")
  if axis is None:
    final_shape = (1,) * arr.ndim if keepdims else ()
    arr = arr.reshape(-1)
    where = None if where is None else where.reshape(-1)
    axis = 0
  else:
    axis = canonicalize_axis(axis, arr.ndim)
    final_shape = (*arr.shape[:axis], *((1,) if keepdims else ()), *arr.shape[axis + 1:])
  if axis != 0:
    arr = _red.moveaxis(arr, axis, 0)
    where = None if where is None else _red.moveaxis(where, axis, 0)
  if arr.shape[0] == 0:
    if initial is None:
      raise ValueError(f"zero-size array to reduction operation {self.__name__} which has "
                       "no identity")
    return lax.full(final_shape, initial, dtype)

  def body(i, value):
    step = self(value, arr[i].astype(dtype))
    return step if where is None else _red.select(where[i], step, value)
  start, first = (1, arr[0]) if initial is None else (0, initial)
  first = _red.broadcast(_red.as_array(first).astype(dtype), arr.shape[1:])
  result = fori_loop(start, arr.shape[0], body, first)
  return result.reshape(final_shape) if keepdims else result


_reduce_via_loop = _jit(_reduce_via_loop_impl,
                        static_argnames=("self", "axis", "dtype", "keepdims"))


def _accumulate_via_scan_impl(self, arr, axis=0, dtype=None):
  from jaxlite.lax.control_flow.scan import scan  # pylint: disable=g-import-not-at-top
  check_arraylike(f"{self.__name__}.accumulate", arr)
  arr = _red.as_array(arr)
  if dtype is None:
    dtype = _result_dtype(self, arr, arr)
  if axis is None or isinstance(axis, tuple):
    raise ValueError("accumulate does not allow multiple axes")
  axis = canonicalize_axis(axis, arr.ndim)
  if arr.size == 0:
    return lax.full(arr.shape, 0, dtype)
  arr = _red.moveaxis(arr, axis, 0)

  def step(carry, _):
    i, previous = carry
    value = _red.select(i == 0, arr[0].astype(dtype),
                        self(previous.astype(dtype), arr[i].astype(dtype)))
    return (i + 1, value), value
  _, result = scan(step, (0, arr[0].astype(dtype)), None, length=arr.shape[0])
  return _red.moveaxis(result, 0, axis)


_accumulate_via_scan = _jit(_accumulate_via_scan_impl, static_argnames=("self", "axis", "dtype"))


def _at_jit_impl(at, a, indices, *args):
  return at(_red.as_array(a), indices, *args)


_at_jit = _jit(_at_jit_impl, static_argnums=(0,))


def _at_via_scan_impl(self, a, indices, *args):
  from jaxlite.lax.control_flow.scan import scan  # pylint: disable=g-import-not-at-top
  check_arraylike(f"{self.__name__}.at", a, *args)
  dtype = _result_dtype(self, a, *args)
  a = _red.as_array(a).astype(dtype)
  args = tuple(_red.as_array(arg).astype(dtype) for arg in args)
  indices = indices if isinstance(indices, tuple) else (indices,)
  if not indices:
    return a
  shapes = [np.shape(i) for i in indices if not isinstance(i, slice)]
  shape = shapes and np.broadcast_shapes(*shapes)
  if not shape:
    return a.at[indices].set(self(a.at[indices].get(), *args))
  if args:
    rest = args[0].shape[len(shape):]
    args = (_red.broadcast(args[0], (*shape, *rest)).reshape(math.prod(shape), *rest),)
  indices = [i if isinstance(i, slice) else _red.broadcast(i, shape).reshape(-1)
             for i in indices]

  def step(carry, _):
    i, current = carry
    index = tuple(ind if isinstance(ind, slice) else ind[i] for ind in indices)
    current = current.at[index].set(self(current.at[index].get(), *(arg[i] for arg in args)))
    return (i + 1, current), None
  (_, result), _ = scan(step, (0, a), None, length=len(indices[0]))
  return result


_at_via_scan = _jit(_at_via_scan_impl, static_argnums=(0,))


def _reduceat_via_loop_impl(self, a, indices, axis=0, dtype=None):
  from jaxlite.lax.control_flow.loops import fori_loop  # pylint: disable=g-import-not-at-top
  from jaxlite.numpy import misc, rearranging  # pylint: disable=g-import-not-at-top
  check_arraylike(f"{self.__name__}.reduceat", a, indices)
  a = _red.as_array(a)
  indices = _red.as_array(indices)
  if a.ndim == 0:
    raise ValueError(f"reduceat: a must have 1 or more dimension, got a.shape={a.shape}")
  if indices.ndim != 1:
    raise ValueError(f"reduceat: indices must be one-dimensional, got "
                     f"indices.shape={indices.shape}")
  if axis is None or isinstance(axis, (tuple, list)):
    raise ValueError("reduceat requires a single integer axis.")
  axis = canonicalize_axis(axis, a.ndim)
  out = rearranging.take(a, indices, axis=axis)
  other_axes = [d for d in range(out.ndim) if d != axis]
  bounds = lax.expand_dims(misc.append(indices, a.shape[axis]), other_axes)
  starts = lax.slice_in_dim(bounds, 0, bounds.shape[axis] - 1, axis=axis)
  ends = lax.slice_in_dim(bounds, 1, bounds.shape[axis], axis=axis)

  def body(i, value):
    inside = (i > starts) & (i < ends)
    return _red.select(inside, self(value, rearranging.take(a, lax.expand_dims(i, (0,)),
                                                            axis=axis)), value)
  return fori_loop(0, a.shape[axis], body, out)


_reduceat_via_loop = _jit(_reduceat_via_loop_impl, static_argnames=("self", "axis", "dtype"))


def _outer_impl(self, A, B):  # pylint: disable=invalid-name
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  flat_a = lax.reshape(_red.as_array(A), (int(np.size(A)),))
  flat_b = lax.reshape(_red.as_array(B), (int(np.size(B)),))
  result = vmap(vmap(self, (None, 0)), (0, None))(flat_a, flat_b)
  return result.reshape(*np.shape(A), *np.shape(B))


_outer = _jit(_outer_impl, static_argnums=(0,))


# ----------------------------------------------------------------------------
# JAX's fourteen ufunc instances.

def _builtin(func, nin, identity=None, **methods):
  """The instance for ``func``, of a subclass whose ``__call__`` is ``func``
  itself: calling it is calling the function (the eager hot path)."""
  cls = type("ufunc", (ufunc,), {"__call__": staticmethod(func),
                                 "__module__": "jaxlite.numpy"})
  return cls(func, nin, 1, name=func.__name__, identity=identity, call=func, **methods)


add = _builtin(ufuncs_arithmetic.add, 2, 0, reduce=reductions.sum,
               accumulate=reductions.cumsum, at=_red.add_at)
multiply = _builtin(ufuncs_arithmetic.multiply, 2, 1, reduce=reductions.prod,
                    accumulate=reductions.cumprod, at=_red.multiply_at)
subtract = _builtin(ufuncs_arithmetic.subtract, 2, None, at=_red.subtract_at)
negative = _builtin(ufuncs_arithmetic.negative, 1)
maximum = _builtin(ufuncs_arithmetic.maximum, 2, reduce=_red.reduce_max)
minimum = _builtin(ufuncs_arithmetic.minimum, 2, reduce=_red.reduce_min)
bitwise_and = _builtin(ufuncs_logical.bitwise_and, 2, -1, reduce=_red.reduce_bitwise_and)
bitwise_or = _builtin(ufuncs_logical.bitwise_or, 2, 0, reduce=_red.reduce_bitwise_or)
bitwise_xor = _builtin(ufuncs_logical.bitwise_xor, 2, 0, reduce=_red.reduce_bitwise_xor)
logical_and = _builtin(ufuncs_logical.logical_and, 2, True, reduce=_red.reduce_logical_and)
logical_or = _builtin(ufuncs_logical.logical_or, 2, False, reduce=_red.reduce_logical_or)
logical_xor = _builtin(ufuncs_logical.logical_xor, 2, False, reduce=_red.reduce_logical_xor)
logaddexp = _builtin(ufuncs_math.logaddexp, 2, -np.inf, reduce=_red.logsumexp)
logaddexp2 = _builtin(ufuncs_math.logaddexp2, 2, -np.inf, reduce=_red.logsumexp2)
