"""Argument checking, dtype promotion and rank broadcasting for ``jaxlite.numpy``.

Every ``jnp`` function that combines arrays goes through ``promote_args``:
it checks that the arguments are array-like, promotes them to one dtype with
JAX's weak-type rules (``jaxlite.dtypes.result_type``) and broadcasts them to
one shape, NumPy style. Python scalars stay Python scalars where they can, so
that under ``jit`` they become weakly typed literals.

  >>> promote_args("add", 1, np.float32(2))[0].dtype
  dtype('float32')
"""
from __future__ import annotations

import builtins
import operator
import warnings
from typing import Any, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.basearray import Array as _AbstractArray
from jaxlite.config import config
from jaxlite.core import Tracer
from jaxlite.lax import structural as lax_structural
from jaxlite.runtime.array import Array

_python_scalar_types = (bool, int, float, complex)
# Every jax.Array: device arrays, tracers and typed key arrays (a PRNGKeyArray
# is an array of dtype key<fry> to jnp's structural functions, as in JAX).
_ARRAY_TYPES = (_AbstractArray,)


def is_arraylike(x) -> bool:
  """Arrays, tracers, NumPy arrays and scalars, Python scalars.

  >>> is_arraylike(1.0), is_arraylike([1.0])
  (True, False)
  """
  return (isinstance(x, (_AbstractArray, np.ndarray, np.generic))
          or type(x) in _python_scalar_types or hasattr(x, "__jax_array__"))


def check_arraylike(fun_name: str, *args) -> None:
  """TypeError like JAX's when an argument is not an array or scalar (e.g. a list).

  >>> check_arraylike("sum", [1, 2])
  Traceback (most recent call last):
  TypeError: sum requires ndarray or scalar arguments, got <class 'list'> at position 0.
  """
  for pos, arg in enumerate(args):
    if not is_arraylike(arg):
      raise TypeError(f"{fun_name} requires ndarray or scalar arguments, "
                      f"got {type(arg)} at position {pos}.")


def check_arraylike_sequence(fun_name: str, items) -> None:
  """JAX's checks of a sequence of arrays (``ensure_arraylike_tuple``): other
  values than NumPy-style scalars are ``check_arraylike``'s TypeError; scalars
  that are no numbers (``"a"``, ``b"a"``, a ``Fraction``) pass that check and
  fail converting to an array, as in JAX.

  >>> check_arraylike_sequence("stack", [1.0, "a"])
  Traceback (most recent call last):
  TypeError: asarray: expected ArrayLike, got a of type <class 'str'>.
  """
  check_arraylike(fun_name, *(0 if np.isscalar(a) else a for a in items))
  for a in items:
    if not is_arraylike(a):
      raise TypeError(f"asarray: expected ArrayLike, got {a} of type {type(a)}.")


def ndim(x) -> int:
  return len(shape(x))


def shape(x) -> tuple:
  """The shape of any array-like (Python scalars are rank 0)."""
  if isinstance(x, _ARRAY_TYPES):
    return x.aval.shape
  return np.shape(x)


def aval_of(x):
  if isinstance(x, _ARRAY_TYPES):
    return x.aval
  return core.get_aval(x)


def convert(x, dtype, weak_type: bool = False):
  """``x`` as an array (or Python scalar) of ``dtype`` with the given weak type.

  Python scalars are kept as Python scalars when a weak result is wanted, so
  that they stay weakly typed literals under ``jit``; other host values become
  NumPy values of ``dtype`` (host constants).
  """
  if hasattr(x, "__jax_array__"):
    x = x.__jax_array__()
  if isinstance(x, _ARRAY_TYPES):
    aval = x.aval
    if aval.dtype == dtype and aval.weak_type == weak_type:
      return x
    return lax_structural._convert_element_type(x, dtype, weak_type)
  typ = type(x)
  if typ in _python_scalar_types:
    if weak_type:
      pytype = dtypes.scalar_type_of(dtype)
      if pytype is not bool and dtypes.canonicalize_dtype(
          dtypes.python_scalar_dtypes[pytype]) == dtype:
        if typ is not pytype:
          x = pytype(x)
        return x
      return lax_structural._convert_element_type(_host_cast(x, dtype), dtype, True)
    return _host_cast(x, dtype)
  x = np.asarray(x)
  if weak_type:
    return lax_structural._convert_element_type(x.astype(dtype), dtype, True)
  return x.astype(dtype, copy=False)


def _host_cast(x, dtype):
  # Python ints out of a narrow type's range wrap, as in JAX (no OverflowError).
  if type(x) is int and dtypes.issubdtype(dtype, np.integer):
    return np.asarray(x).astype(dtype)
  return np.asarray(x, dtype)


def asarray_value(x):
  """``x`` as a jaxlite value: Arrays and tracers as they are; host values as
  canonical NumPy arrays or weakly typed Python scalars."""
  if isinstance(x, _ARRAY_TYPES):
    return x
  if hasattr(x, "__jax_array__"):
    return x.__jax_array__()
  if type(x) in _python_scalar_types:
    return x
  x = np.asarray(x)
  return x.astype(dtypes.canonicalize_dtype(x.dtype), copy=False)


def promote_dtypes(*args):
  """Converts ``args`` to their common dtype (JAX's promotion with weak types).

  >>> [a.dtype for a in promote_dtypes(np.int8(1), np.float16(2))]
  [dtype('float16'), dtype('float16')]
  """
  if len(args) < 2:
    return [asarray_value(a) for a in args]
  dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
  return [convert(a, dtype, weak) for a in args]


def promote_dtypes_inexact(*args):
  """Like ``promote_dtypes``, then to an inexact (floating or complex) dtype.

  >>> promote_dtypes_inexact(np.int32(1))[0].dtype
  dtype('float32')
  """
  dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
  dtype = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtype))
  return [convert(a, dtype, weak) for a in args]


def promote_dtypes_numeric(*args):
  """Like ``promote_dtypes``, with bool promoted to the default integer."""
  dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
  dtype = dtypes.canonicalize_dtype(dtypes.to_numeric_dtype(dtype))
  return [convert(a, dtype, weak) for a in args]


def promote_dtypes_complex(*args):
  dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
  dtype = dtypes.canonicalize_dtype(dtypes.to_complex_dtype(dtype))
  return [convert(a, dtype, weak) for a in args]


def broadcast_shapes_named(fun_name: str, *shapes) -> tuple:
  """NumPy's broadcast of ``shapes``; TypeError naming every shape otherwise."""
  shapes = [tuple(s) for s in shapes]
  if len(set(shapes)) == 1:
    return shapes[0]
  rank = builtins.max(len(s) for s in shapes)
  out = []
  for i in range(rank):
    size = 1
    for s in shapes:
      j = i - rank + len(s)
      if j < 0:
        continue
      d = s[j]
      if d == 1:
        continue
      if size not in (1, d):
        if len({len(s) for s in shapes}) > 1:
          # Rank promotion goes through lax.broadcast_shapes in JAX: its error.
          raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}")
        raise TypeError(f"{fun_name} got incompatible shapes for broadcasting: "
                        f"{', '.join(map(str, shapes))}.")
      size = d
    out.append(size)
  return tuple(out)


def broadcast_to_shape(x, shape: tuple):
  """Broadcasts one array to ``shape`` (NumPy rules, ``shape`` already valid)."""
  x_shape = np.shape(x) if not isinstance(x, _ARRAY_TYPES) else x.aval.shape
  if x_shape == shape:
    return x
  # One broadcast_in_dim, size-1 axes included (JAX's jaxpr: no reshape first).
  lead = len(shape) - len(x_shape)
  return lax_structural.broadcast_in_dim(x, shape, tuple(range(lead, len(shape))))


def broadcast_to_checked(x, shape: tuple):
  """``x`` (an Array or tracer) broadcast to ``shape``, with the ValueErrors of
  JAX's ``lax.broadcast_to`` (what ``jnp.broadcast_to`` and ``x.at[i].set(y)``
  raise) when the shapes do not broadcast.

  >>> import jaxlite.numpy as jnp
  >>> broadcast_to_checked(jnp.ones(2), (3,))
  Traceback (most recent call last):
  ValueError: Incompatible types for broadcasting: input type=float32[2] and requested type=float32[3]
  """
  x_shape = x.aval.shape
  if len(shape) < len(x_shape):
    raise ValueError("Cannot broadcast to shape with fewer dimensions: "
                     f"arr_shape={x_shape} shape={shape}")
  lead = len(shape) - len(x_shape)
  if builtins.any(d not in (1, shape[lead + i]) for i, d in enumerate(x_shape)):
    requested = f"{x.aval.dtype.name}[{','.join(map(str, shape))}]"
    raise ValueError(f"Incompatible types for broadcasting: input type={x.aval} and "
                     f"requested type={requested}")
  return broadcast_to_shape(x, shape)


def promote_shapes(fun_name: str, *args):
  """JAX's rank promotion: operands of one rank, or scalars beside operands of one
  rank, are left alone (elementwise lax primitives broadcast size-1 axes and
  scalars themselves, and JAX's jaxprs show them so); otherwise lower-rank
  operands get leading size-1 axes (``jax_numpy_rank_promotion`` may warn or
  refuse)."""
  if len(args) < 2:
    return list(args)
  shapes = [shape(a) for a in args]
  if all(len(s) == len(shapes[0]) for s in shapes[1:]):
    return list(args)
  if len({len(s) for s in shapes if s}) < 2:
    return list(args)
  mode = config.jax_numpy_rank_promotion
  if mode != "allow":
    shown = " ".join(map(str, shapes))
    if mode == "warn":
      warnings.warn(f"Following NumPy automatic rank promotion for {fun_name} on shapes "
                    f"{shown}. Set the jax_numpy_rank_promotion config option to 'allow' to "
                    "disable this warning; for more information, see "
                    "https://docs.jax.dev/en/latest/rank_promotion_warning.html.")
    else:
      raise ValueError(f"Operands could not be broadcast together for {fun_name} on shapes "
                       f"{shown} and with the config option jax_numpy_rank_promotion='raise'. "
                       "For more information, see "
                       "https://docs.jax.dev/en/latest/rank_promotion_warning.html.")
  rank = len(broadcast_shapes_named(fun_name, *shapes))
  return [a if len(s) == rank else
          lax_structural.expand_dims(a, tuple(range(rank - len(s))))
          for a, s in zip(args, shapes)]


def promote_args(fun_name: str, *args):
  """Checks, promotes dtypes and broadcasts shapes: the front of every ufunc.

  >>> x, y = promote_args("add", np.ones((2, 1), np.float32), 3)
  >>> x.shape, y.dtype
  ((2, 1), dtype('float32'))
  """
  if len(args) == 2:
    x, y = args
    # Two arrays that already agree need no promotion work at all.
    if isinstance(x, _ARRAY_TYPES) and isinstance(y, _ARRAY_TYPES):
      a, b = x.aval, y.aval
      # (Weak booleans are not: JAX's promotion makes them strong.)
      if a.dtype == b.dtype and a.weak_type == b.weak_type and (
          not a.weak_type or a.dtype != np.bool_):
        if a.shape == b.shape:
          return [x, y]
        if not a.weak_type:   # one strong dtype: promotion keeps both as they are
          return promote_shapes(fun_name, x, y)
  check_arraylike(fun_name, *args)
  check_for_prngkeys(fun_name, *args)
  return promote_shapes(fun_name, *promote_dtypes(*args))


def promote_args_inexact(fun_name: str, *args):
  check_arraylike(fun_name, *args)
  check_for_prngkeys(fun_name, *args)
  return promote_shapes(fun_name, *promote_dtypes_inexact(*args))


def promote_args_numeric(fun_name: str, *args):
  check_arraylike(fun_name, *args)
  check_for_prngkeys(fun_name, *args)
  return promote_shapes(fun_name, *promote_dtypes_numeric(*args))


def check_for_prngkeys(fun_name: str, *args) -> None:
  """JAX's TypeError for key arrays mixed with other dtypes (``keys + 1``);
  key arrays alone reach lax, whose dtype checks reject arithmetic on them.

  >>> from jaxlite import random
  >>> check_for_prngkeys("add", random.key(0), 1)
  Traceback (most recent call last):
  TypeError: add does not accept dtypes key<fry>, int32.
  """
  keyed = [a for a in args if isinstance(a, _ARRAY_TYPES) and
           isinstance(a.aval.dtype, dtypes.ExtendedDType)]
  if not keyed:
    return
  arg_dtypes = [aval_of(a).dtype if isinstance(a, _ARRAY_TYPES) else
                dtypes.dtype(a, canonicalize=True) for a in args]
  if len(set(arg_dtypes)) > 1:
    raise TypeError(f"{fun_name} does not accept dtypes {', '.join(map(str, arg_dtypes))}.")


def ensure_array(x, dtype=None, weak_type=None):
  """``x`` as an Array or tracer (host values are put on the default device).

  >>> ensure_array(1.0)
  Array(1., dtype=float32, weak_type=True)
  """
  if isinstance(x, _ARRAY_TYPES):
    if dtype is not None and x.aval.dtype != dtype:
      return lax_structural._convert_element_type(
          x, dtype, x.aval.weak_type if weak_type is None else weak_type)
    return x
  if hasattr(x, "__jax_array__"):
    return ensure_array(x.__jax_array__(), dtype, weak_type)
  from jaxlite.runtime import transfer  # pylint: disable=g-import-not-at-top
  weak = dtypes.is_weakly_typed(x) if weak_type is None else weak_type
  if dtype is None:
    host = dtypes.coerce_to_array(x)
  else:
    host = np.asarray(x, dtype)
  weak = weak and host.dtype != np.bool_
  if core.staging[0] and core._thread_state.dynamic_main.level:
    # While this thread stages a jaxpr, the host value enters it as JAX's does,
    # through a conversion: a scalar is a literal (2.0:f32[]), an array a
    # constant of the jaxpr (never a transfer to the device first).
    return lax_structural._convert_element_type(host, host.dtype, weak)
  return transfer.put_numpy(host, None, weak)


# --- axes and static values ---------------------------------------------------


def canonicalize_axis(axis, ndim: int) -> int:
  """``axis`` in ``[0, ndim)``; a ValueError otherwise, as JAX's (not NumPy's
  AxisError).

  >>> canonicalize_axis(-1, 3)
  2
  """
  axis = operator.index(axis)
  if not -ndim <= axis < ndim:
    raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
  return axis + ndim if axis < 0 else axis


def canonicalize_axes(axis, ndim: int) -> tuple:
  """A tuple of distinct non-negative axes from None (all), an int or a sequence."""
  if axis is None:
    return tuple(range(ndim))
  if isinstance(axis, (tuple, list)):
    axes = tuple(canonicalize_axis(a, ndim) for a in axis)
    if len(set(axes)) != len(axes):
      raise ValueError("repeated axis")
    return axes
  return (canonicalize_axis(axis, ndim),)


def concrete_int(x, context: str) -> int:
  """``x`` as a Python int; ConcretizationTypeError if it is a traced value."""
  if isinstance(x, Tracer):
    value = x._concrete_value()
    if value is None:
      raise core.ConcretizationTypeError(x, context)
    x = value
  try:
    return operator.index(x)
  except lax_structural.inconclusive_dimension_error():
    return x   # a symbolic dimension (shape-polymorphic export) stays symbolic


def concrete_shape_allow_negative(shape, fun_name: str) -> tuple:
  """Like ``concrete_shape``, allowing negative entries (``reshape``'s -1)."""
  return concrete_shape(shape, fun_name, allow_negative=True)


def concrete_shape(shape, fun_name: str, allow_negative: bool = False,
                   negative_error: str | None = None) -> tuple:
  """A shape argument (int or sequence of ints) as a tuple of Python ints.

  Traced dimensions raise ConcretizationTypeError, as in JAX.
  """
  context = (f"Shapes must be 1D sequences of concrete values of integer type, "
             f"got {shape!r} in {fun_name}.\nIf using `jit`, try using "
             "`static_argnums` or applying `jit` to smaller subfunctions.")
  if isinstance(shape, (Tracer, Array, np.ndarray)) and np.ndim(shape) == 0 or \
      not isinstance(shape, (Sequence, np.ndarray, Array, Tracer)):
    shape = (shape,)
  if isinstance(shape, Tracer):
    raise core.ConcretizationTypeError(shape, context)
  out = []
  for d in shape:
    try:
      d = concrete_int(d, context)
    except core.ConcretizationTypeError:
      raise
    except TypeError as err:
      raise TypeError(f"Shapes must be 1D sequences of concrete values of integer "
                      f"type, got {shape!r}.") from err
    out.append(d)
  # `not d >= 0`: JAX's comparison, so a symbolic size says what JAX's does.
  if not allow_negative and builtins.any(not d >= 0 for d in out):
    if negative_error:   # the lax primitive JAX's function fails in, and its TypeError
      raise TypeError(f"{negative_error} shape must have every element be nonnegative, "
                      f"got {tuple(out)}.")
    raise ValueError(f"negative dimensions are not allowed, got {tuple(shape)}")
  return tuple(out)


def is_concrete(x) -> bool:
  """Whether ``x``'s value is known in Python (not a tracer without a value)."""
  return not isinstance(x, Tracer) or x._concrete_value() is not None


def concrete_value(x, context: str = "") -> np.ndarray:
  """The host value of ``x``; ConcretizationTypeError for an abstract tracer."""
  if isinstance(x, Tracer):
    value = x._concrete_value()
    if value is None:
      raise core.ConcretizationTypeError(x, context)
    return np.asarray(value)
  return np.asarray(x)

