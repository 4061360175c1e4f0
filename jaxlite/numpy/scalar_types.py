"""Dtype objects, scalar types and dtype queries of ``jaxlite.numpy``.

``jnp.float32`` is a *scalar type*: usable wherever a dtype is expected
(``np.dtype(jnp.float32)``, ``x.astype(jnp.float32)``) and callable, giving a
jaxlite Array (``jnp.float32(3)``), as in JAX.

  >>> import jaxlite.numpy as jnp
  >>> jnp.float32(3)
  Array(3., dtype=float32)
  >>> jnp.dtype(jnp.int8)
  dtype('int8')
"""
from __future__ import annotations

# ml_dtypes' scalar types, jnp.finfo/iinfo and jnp.dtype are served by
# __getattr__ (they load ml_dtypes, whose native extension costs more than the
# rest of ``import jaxlite``; see jaxlite/dtypes.py): not in __all__.
_ML_SCALAR_NAMES = ('bfloat16', 'int4', 'uint4', 'int2', 'uint2', 'int1', 'uint1',
                    'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz',
                    'float8_e4m3b11fnuz', 'float8_e3m4', 'float8_e4m3', 'float8_e8m0fnu',
                    'float4_e2m1fn', 'float6_e2m3fn', 'float6_e3m2fn')
LAZY_NAMES = (*_ML_SCALAR_NAMES, 'finfo', 'iinfo', 'dtype')

__all__ = ['bool_', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32',
           'uint64', 'float16', 'float32', 'float64', 'complex64', 'complex128',
           'int_', 'uint', 'float_',
           'complex_', 'double', 'single', 'half', 'csingle', 'cdouble', 'generic',
           'number', 'inexact', 'floating', 'complexfloating', 'integer',
           'signedinteger', 'unsignedinteger', 'character', 'flexible', 'object_',
           'float0', 'result_type', 'promote_types',
           'issubdtype', 'isdtype', 'can_cast', 'isscalar', 'iscomplexobj', 'isrealobj',
           'bool', 'ComplexWarning', 'iterable']

import threading

import numpy as np

from jaxlite import dtypes


class _ScalarMeta(type):
  """The metaclass of jnp's scalar types: they compare and hash as their dtype's
  NumPy type, and calling one makes a rank-0 (or converted) jaxlite Array."""

  def __hash__(cls):
    return hash(cls.dtype.type)

  def __eq__(cls, other):
    return id(cls) == id(other) or other is cls.dtype.type

  def __ne__(cls, other):
    return not cls == other

  def __call__(cls, x):
    from jaxlite.numpy import creation  # pylint: disable=g-import-not-at-top
    return creation.asarray(x, dtype=cls.dtype)

  def __instancecheck__(cls, instance):
    return isinstance(instance, cls.dtype.type)


def _make_scalar_type(np_scalar_type, name=None):
  name = name or np.dtype(np_scalar_type).name
  meta = _ScalarMeta(name, (object,), {"dtype": np.dtype(np_scalar_type)})
  meta.__module__ = "jaxlite.numpy"
  meta.__doc__ = (f"The {name} scalar type: a dtype specifier, and a function that "
                  f"converts its argument to a jaxlite Array of dtype {name}.")
  return meta


bool_ = _make_scalar_type(np.bool_, "bool")
int8 = _make_scalar_type(np.int8)
int16 = _make_scalar_type(np.int16)
int32 = _make_scalar_type(np.int32)
int64 = _make_scalar_type(np.int64)
uint8 = _make_scalar_type(np.uint8)
uint16 = _make_scalar_type(np.uint16)
uint32 = _make_scalar_type(np.uint32)
uint64 = _make_scalar_type(np.uint64)
float16 = _make_scalar_type(np.float16)
float32 = _make_scalar_type(np.float32)
float64 = _make_scalar_type(np.float64)
complex64 = _make_scalar_type(np.complex64)
complex128 = _make_scalar_type(np.complex128)
bool = bool_  # pylint: disable=redefined-builtin  (the array API's name, as in JAX)
# The default types, as named by JAX (64-bit; canonicalised when used).
int_ = _make_scalar_type(np.int64, "int64")
uint = _make_scalar_type(np.uint64, "uint64")
float_ = _make_scalar_type(np.float64, "float64")
complex_ = _make_scalar_type(np.complex128, "complex128")
double = float64
single = float32
half = float16
csingle = complex64
cdouble = complex128

# NumPy's abstract scalar hierarchy, for issubdtype.
generic = np.generic
number = np.number
inexact = np.inexact
floating = np.floating
complexfloating = np.complexfloating
integer = np.integer
signedinteger = np.signedinteger
unsignedinteger = np.unsignedinteger
character = np.character
flexible = np.flexible
object_ = np.object_

ComplexWarning = np.exceptions.ComplexWarning
# Whether an object can be iterated over: a host-side question, NumPy's answer.
iterable = np.iterable

float0 = dtypes.float0

_lazy_lock = threading.Lock()


def __getattr__(name):
  # ``jnp.dtype`` is NumPy's dtype class itself, as in JAX: ``isinstance(x.dtype,
  # jnp.dtype)`` holds and ``jnp.dtype('bfloat16')`` works (ml_dtypes registers
  # its names with NumPy: serving the name loads it); ``jnp.dtype(None)`` is
  # float64, as NumPy's. Each value is made once, then is a module global.
  if name not in LAZY_NAMES:
    raise AttributeError(f"module 'jaxlite.numpy.scalar_types' has no attribute {name!r}")
  with _lazy_lock:
    value = globals().get(name)
    if value is None:
      ml = dtypes._ml_dtypes()
      value = (np.dtype if name == "dtype" else getattr(ml, name) if name in ("finfo", "iinfo")
               else _make_scalar_type(getattr(ml, name)))
      globals()[name] = value
  return value


def _dtype_of(x):
  return x.dtype if isinstance(x, _ScalarMeta) else x


def result_type(*args):
  """The dtype JAX's promotion gives ``args`` (values, arrays or dtypes).

  >>> import jaxlite.numpy as jnp
  >>> jnp.result_type(jnp.int8, 1.0)
  dtype('float32')
  """
  return dtypes.result_type(*map(_dtype_of, args))


def promote_types(a, b):
  """The dtype that binary operations on dtypes ``a`` and ``b`` compute in.

  >>> import jaxlite.numpy as jnp
  >>> jnp.promote_types(jnp.int32, jnp.float16)
  dtype('float16')
  """
  return dtypes.promote_types(_dtype_of(a), _dtype_of(b))


def issubdtype(arg1, arg2) -> bool:
  """Whether ``arg1`` is lower than or equal to ``arg2`` in the dtype hierarchy.

  >>> import jaxlite.numpy as jnp
  >>> jnp.issubdtype(jnp.bfloat16, jnp.floating)
  True
  """
  return dtypes.issubdtype(_dtype_of(arg1), _dtype_of(arg2))


def isdtype(dtype, kind) -> bool:
  """The array API's dtype kind test (``'real floating'``, ``'integral'`` ...).

  >>> import jaxlite.numpy as jnp
  >>> jnp.isdtype(jnp.float32, 'real floating')
  True
  """
  return dtypes.isdtype(_dtype_of(dtype), kind)


def can_cast(from_, to, casting: str = "safe") -> bool:
  """Whether a cast from ``from_`` to ``to`` is allowed under ``casting``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.can_cast(jnp.int8, jnp.int32), jnp.can_cast(jnp.float32, jnp.int32)
  (True, False)
  """
  if hasattr(from_, "aval") or hasattr(from_, "dtype") and not isinstance(
      from_, (type, np.dtype)):
    from_ = from_.dtype
  return np.can_cast(np.dtype(_dtype_of(from_)), np.dtype(_dtype_of(to)), casting)


def isscalar(element) -> bool:
  """True for Python/NumPy scalars and rank-0 jaxlite arrays.

  >>> import jaxlite.numpy as jnp
  >>> jnp.isscalar(1.0), jnp.isscalar(jnp.zeros(2))
  (True, False)
  """
  if hasattr(element, "__jax_array__"):
    element = element.__jax_array__()
  if type(element) in dtypes.python_scalar_types or isinstance(element, np.generic):
    return True
  if isinstance(element, np.ndarray):  # JAX, unlike NumPy: rank 0 is a scalar
    return element.ndim == 0
  aval = getattr(element, "aval", None)
  return aval is not None and len(aval.shape) == 0


def iscomplexobj(x) -> bool:
  """Whether ``x``'s dtype is complex.

  >>> import jaxlite.numpy as jnp
  >>> jnp.iscomplexobj(1j)
  True
  """
  if x is None:
    return False
  try:
    dt = dtypes.dtype(x)
  except TypeError:
    dt = np.asarray(x).dtype
  return dtypes.issubdtype(dt, np.complexfloating)


def isrealobj(x) -> bool:
  """Whether ``x``'s dtype is not complex.

  >>> import jaxlite.numpy as jnp
  >>> jnp.isrealobj(1.0)
  True
  """
  return not iscomplexobj(x)
