"""Operators and methods of ``Array`` and ``Tracer``, installed from ``jaxlite.numpy``.

Arrays and tracers share one definition of ``x + y``, ``x[i]``, ``x.sum()``
...: each is the ``jnp`` function of the same name. Binary arithmetic has a
fast path: when both operands are arrays (or tracers) of one dtype and shape,
or the other operand is a Python scalar of the array's default dtype, the
operator binds the lax primitive directly, skipping promotion and
broadcasting (eager ``x + y`` is dominated by this path).

  >>> import jaxlite.numpy as jnp
  >>> (jnp.arange(3) + 1).sum()
  Array(6, dtype=int32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes
from jaxlite.config import config
from jaxlite.core import Tracer, _thread_state
from jaxlite.lax import elementwise as lax_elementwise
from jaxlite.runtime.array import Array
from jaxlite.numpy import creation, promotion, ufuncs

_ARRAY_TYPES = (Array, Tracer)
_float32, _int32 = np.dtype(np.float32), np.dtype(np.int32)
_numeric_kinds = frozenset("iufc")


def _accepts(other) -> bool:
  """Whether an operator should handle ``other`` (else NotImplemented)."""
  return isinstance(other, _ARRAY_TYPES) or promotion.is_arraylike(other)


def _fast_binop(name, ufunc, primitive, swap=False, kinds=_numeric_kinds, eager_only=False):
  """The operator ``name``: ``primitive.bind`` when the operands already agree,
  ``ufunc`` (with promotion and broadcasting) otherwise. ``eager_only``: tracers
  take the ufunc (a ``jit(inline=True)`` in JAX: one fused call under jvp/vmap)."""
  bind = primitive.bind if primitive is not None else None

  if swap:
    def op(self, other):
      if bind is not None and (not eager_only or type(self) is Array):
        typ = type(other)
        if typ is float or typ is int:
          aval = self.aval
          if aval.dtype == _default_of(typ) and aval.dtype.kind in kinds:
            other = _scalar_operand(self, aval, other, typ)
            return bind(other, self)
      if not _accepts(other):
        return NotImplemented
      return ufunc(other, self)
  else:
    def op(self, other):
      if bind is not None and (not eager_only or type(self) is Array):
        if isinstance(other, _ARRAY_TYPES) and (not eager_only or type(other) is Array):
          a, b = self.aval, other.aval
          # A weak operand meeting a strong one is converted first (the ufunc
          # path), as in JAX: that conversion's transpose keeps gradients weak.
          if a.dtype == b.dtype and a.shape == b.shape and a.weak_type == b.weak_type \
              and a.dtype.kind in kinds:
            return bind(self, other)
        else:
          typ = type(other)
          if typ is float or typ is int:
            aval = self.aval
            if aval.dtype == _default_of(typ) and aval.dtype.kind in kinds:
              other = _scalar_operand(self, aval, other, typ)
              return bind(self, other)
      if not _accepts(other):
        return NotImplemented
      return ufunc(self, other)
  op.__name__ = op.__qualname__ = name
  op.__doc__ = f"``{name}``: see :func:`jaxlite.numpy.{ufunc.__name__}`."
  return op


_scalar_arrays: dict = {}


def _scalar_operand(self, aval, value, typ):
  """A Python scalar meeting a tracer or Array ``self`` of its default dtype.

  Under a trace it takes ``self``'s weak type, as JAX's promotion gives it: a
  strong ``self`` makes it a strong constant, which matters to transposition
  (the cotangent of ``x * 2.0`` at a strong ``x`` is strong).
  """
  if type(self) is Array:
    return _eager_scalar(value, typ, aval.dtype)
  return value if aval.weak_type else aval.dtype.type(value)


def _eager_scalar(value, typ, dtype):
  """A Python scalar operand of an eager operation, as a cached device array.

  Outside any trace, a scalar would otherwise be copied to the device on every
  call. Under a trace it stays a Python scalar (a weakly typed literal).
  """
  if _thread_state.dynamic_main.level != 0:
    return value
  # 0.0 == -0.0 and NaN != NaN: those are keyed by their text.
  key = (value, typ, dtype) if value or typ is int else (str(value), typ, dtype)
  out = _scalar_arrays.get(key)
  if out is None:
    if len(_scalar_arrays) >= 512:
      _scalar_arrays.clear()
    out = _scalar_arrays[key] = promotion.ensure_array(value, dtype, True)
  return out


def _default_of(typ):
  # Python float/int operands are weakly typed: the default dtype of their
  # kind (float32/int32, or the 64-bit ones under x64).
  return _defaults_x64[typ] if _x64() else _defaults[typ]


_defaults = {float: _float32, int: _int32}
_defaults_x64 = {float: np.dtype(np.float64), int: np.dtype(np.int64)}


def _x64():
  return config.jax_enable_x64


def _binop(name, ufunc, swap=False):
  if swap:
    def op(self, other):
      if not _accepts(other):
        return NotImplemented
      return ufunc(other, self)
  else:
    def op(self, other):
      if not _accepts(other):
        return NotImplemented
      return ufunc(self, other)
  op.__name__ = op.__qualname__ = name
  op.__doc__ = f"``{name}``: see :func:`jaxlite.numpy.{ufunc.__name__}`."
  return op


def _defer(fun_name, method_name=None):
  """A method calling ``jaxlite.numpy.<fun_name>(self, ...)``."""
  def method(self, *args, **kwargs):
    import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
    return getattr(jnp, fun_name)(self, *args, **kwargs)
  method.__name__ = method.__qualname__ = method_name or fun_name
  method.__doc__ = f"See :func:`jaxlite.numpy.{fun_name}`."
  return method


def _reshape(self, *args, order="C", **kwargs):
  """``a.reshape(2, 3)`` or ``a.reshape((2, 3))``."""
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  if "shape" in kwargs:
    return jnp.reshape(self, kwargs.pop("shape"), order=order)
  newshape = args[0] if len(args) == 1 else args
  return jnp.reshape(self, newshape, order=order)


def _transpose(self, *args):
  """``a.transpose(1, 0)`` or ``a.transpose((1, 0))``; no argument reverses."""
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  if not args:
    axes = None
  elif len(args) == 1 and (args[0] is None or isinstance(args[0], (tuple, list))):
    axes = args[0]
  else:
    axes = args
  return jnp.transpose(self, axes)


def _astype(self, dtype, copy=False, device=None):
  """``self`` converted to ``dtype``."""
  return creation.astype(self, dtype, copy=copy, device=device)


def _T(self):
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return jnp.transpose(self)


def _mT(self):
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  if self.ndim < 2:
    raise ValueError("Matrix transpose requires at least 2 dimensions, "
                     f"got ndim={self.ndim}")
  return jnp.swapaxes(self, -1, -2)


def _getitem(self, index):
  from jaxlite.numpy import indexing  # pylint: disable=g-import-not-at-top
  return indexing.getitem(self, index)


def _tracer_getitem(self, index):
  ref_getitem = getattr(self.aval, "_getitem", None)   # a tracer of a ref reads it
  if ref_getitem is not None:
    return ref_getitem(self, index)
  return _getitem(self, index)


def _at(self):
  from jaxlite.numpy import indexing  # pylint: disable=g-import-not-at-top
  return indexing.IndexUpdateHelper(self)


def _contains(self, item):
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return bool(jnp.any(jnp.equal(self, item)))


def _round(self, ndigits=None):
  if ndigits is None and self.ndim == 0:
    return round(float(self))  # Python's round() of a scalar array: a Python number
  return ufuncs.round(self, ndigits or 0)


def _array_namespace(self, *, api_version=None):
  del api_version
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return jnp


def _nonzero(self, *, size=None, fill_value=None):
  from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
  return sorting.nonzero(self, size=size, fill_value=fill_value)


_E = lax_elementwise
_OPERATORS = {
    "__add__": _fast_binop("__add__", ufuncs.add, _E.add_p),
    "__radd__": _fast_binop("__radd__", ufuncs.add, _E.add_p, swap=True),
    "__sub__": _fast_binop("__sub__", ufuncs.subtract, _E.sub_p),
    "__rsub__": _fast_binop("__rsub__", ufuncs.subtract, _E.sub_p, swap=True),
    "__mul__": _fast_binop("__mul__", ufuncs.multiply, _E.mul_p),
    "__rmul__": _fast_binop("__rmul__", ufuncs.multiply, _E.mul_p, swap=True),
    "__truediv__": _fast_binop("__truediv__", ufuncs.true_divide,
                               getattr(_E, "div_p", None), kinds=frozenset("fc"),
                               eager_only=True),
    "__rtruediv__": _fast_binop("__rtruediv__", ufuncs.true_divide,
                                getattr(_E, "div_p", None), swap=True,
                                kinds=frozenset("fc"), eager_only=True),
    "__floordiv__": _binop("__floordiv__", ufuncs.floor_divide),
    "__rfloordiv__": _binop("__rfloordiv__", ufuncs.floor_divide, swap=True),
    "__mod__": _binop("__mod__", ufuncs.remainder),
    "__rmod__": _binop("__rmod__", ufuncs.remainder, swap=True),
    "__divmod__": _binop("__divmod__", ufuncs.divmod),
    "__rdivmod__": _binop("__rdivmod__", ufuncs.divmod, swap=True),
    "__pow__": _binop("__pow__", ufuncs.power),
    "__rpow__": _binop("__rpow__", ufuncs.power, swap=True),
    "__matmul__": None,   # filled below
    "__rmatmul__": None,  # filled below
    "__and__": _binop("__and__", ufuncs.bitwise_and),
    "__rand__": _binop("__rand__", ufuncs.bitwise_and, swap=True),
    "__or__": _binop("__or__", ufuncs.bitwise_or),
    "__ror__": _binop("__ror__", ufuncs.bitwise_or, swap=True),
    "__xor__": _binop("__xor__", ufuncs.bitwise_xor),
    "__rxor__": _binop("__rxor__", ufuncs.bitwise_xor, swap=True),
    "__lshift__": _binop("__lshift__", ufuncs.left_shift),
    "__rlshift__": _binop("__rlshift__", ufuncs.left_shift, swap=True),
    "__rshift__": _binop("__rshift__", ufuncs.right_shift),
    "__rrshift__": _binop("__rrshift__", ufuncs.right_shift, swap=True),
    "__eq__": _binop("__eq__", ufuncs.equal),
    "__ne__": _binop("__ne__", ufuncs.not_equal),
    "__lt__": _binop("__lt__", ufuncs.less),
    "__le__": _binop("__le__", ufuncs.less_equal),
    "__gt__": _binop("__gt__", ufuncs.greater),
    "__ge__": _binop("__ge__", ufuncs.greater_equal),
    "__neg__": lambda self: ufuncs.negative(self),
    "__pos__": lambda self: ufuncs.positive(self),
    "__abs__": lambda self: ufuncs.absolute(self),
    "__invert__": lambda self: ufuncs.bitwise_not(self),
    "__round__": _round,
    "__getitem__": _getitem,
    "__contains__": _contains,
    "__array_namespace__": _array_namespace,
}


def _rmatmul(self, other):
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  if not _accepts(other):
    return NotImplemented
  return jnp.matmul(other, self)


def _matmul(self, other):
  """``self @ other``; NotImplemented for a non-array (e.g. a sparse array), as in JAX."""
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  if not _accepts(other):
    return NotImplemented
  return jnp.matmul(self, other)


_OPERATORS["__matmul__"] = _matmul
_OPERATORS["__rmatmul__"] = _rmatmul

_METHODS = {
    "reshape": _reshape,
    "transpose": _transpose,
    "astype": _astype,
    "nonzero": _nonzero,
}
for _name in ("sum", "prod", "mean", "std", "var", "max", "min", "any", "all",
              "argmax", "argmin", "cumsum", "cumprod", "ptp", "ravel", "flatten",
              "squeeze", "swapaxes", "clip", "round", "conj", "conjugate", "dot",
              "take", "sort", "argsort", "diagonal", "trace", "repeat",
              "searchsorted", "copy", "argpartition", "choose"):
  _METHODS[_name] = _defer(_name)



def _compress(self, condition, axis=None, *, size=None, fill_value=0):
  """``jnp.compress(condition, self, axis)``."""
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return jnp.compress(condition, self, axis, size=size, fill_value=fill_value)


_METHODS["compress"] = _compress

_PROPERTIES = {
    "T": property(_T, doc="The transpose (axes reversed)."),
    "mT": property(_mT, doc="The matrix transpose of the last two axes."),
    "real": property(lambda self: ufuncs.real(self), doc="The real part."),
    "imag": property(lambda self: ufuncs.imag(self), doc="The imaginary part."),
    "at": property(_at, doc="Functional index updates: ``x.at[i].set(v)``."),
    "flat": property(_defer("ravel"), doc="The flattened array."),
}


def install(classes=(Array, Tracer)) -> None:
  """Sets the operators, methods and properties on ``classes`` (idempotent)."""
  for cls in classes:
    for name, fun in {**_OPERATORS, **_METHODS}.items():
      setattr(cls, name, fun)
    for name, prop in _PROPERTIES.items():
      setattr(cls, name, prop)
    if issubclass(cls, Tracer):   # a tracer may stand for a ref (jaxlite.state)
      cls.__getitem__ = _tracer_getitem
      cls.__iter__ = _tracer_iter


# What JAX gives key arrays of the array API (its _set_array_base_attributes on
# PRNGKeyArray): jnp's operators (arithmetic raises JAX's dtype TypeError) and
# the structural methods.
_KEY_ARRAY_METHODS = ("flatten", "ravel", "reshape", "squeeze", "swapaxes", "take",
                      "transpose")
_KEY_ARRAY_PROPERTIES = ("at", "T")


def install_on_key_arrays(cls) -> None:
  """Sets jnp's operators and structural methods on the key array type ``cls``
  (``keys[i]``, ``keys.at[i].set(k)``, ``keys.reshape(2, 2)``, ``keys.T``)."""
  for name, fun in _OPERATORS.items():
    if name != "__array_namespace__":
      setattr(cls, name, fun)
  for name in _KEY_ARRAY_METHODS:
    setattr(cls, name, _METHODS[name])
  for name in _KEY_ARRAY_PROPERTIES:
    setattr(cls, name, _PROPERTIES[name])


def _tracer_iter(self):
  """``a, b = x`` on a traced array: one ``slice`` (strides (1,)) and
  ``squeeze`` per row, as JAX stages it (key arrays too)."""
  n = len(self)
  if n > 100:   # JAX unstacks large arrays in chunks; rows one by one here
    return iter([self[i] for i in range(n)])
  from jaxlite import lax  # pylint: disable=g-import-not-at-top
  return iter([lax.index_in_dim(self, i, 0, keepdims=False) for i in range(n)])


install()
