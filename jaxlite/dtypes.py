"""Dtypes: names, x64 canonicalisation, weak types and JAX's promotion lattice.

Dtype names (``int32``, ``bfloat16``, ``float8_e4m3fn`` ...) are NumPy *scalar
types*, as in ``jax.dtypes``: ``np.dtype(int32)`` is the dtype object. The one
exception is ``float0``, the dtype of tangents of integer values, which is a
``np.dtype`` (a zero-size structured type) as in JAX.

With ``jax_enable_x64`` off, 64-bit types are *canonicalised* to their 32-bit
counterparts. Python scalars are *weakly typed*: ``x + 1`` keeps ``x``'s dtype.

  >>> result_type(np.dtype('int8'), 1)
  dtype('int8')
  >>> result_type(np.dtype('bfloat16'), 1.0, return_weak_type_flag=True)
  (dtype(bfloat16), False)

``finfo`` and ``iinfo`` are ml_dtypes', which extend NumPy's to bfloat16,
float8 and int4.

ml_dtypes' native extension takes longer to load than the rest of
``import jaxlite``, so it is imported on first need: one of its names here
(``bfloat16``, ``finfo`` ...), a dtype string naming one of its types, or
anyone importing ``ml_dtypes`` (the user, jaxlib). Its types then join the
tables below in place (``_add_ml_dtypes``): until then no value of those types
can exist, so the tables are complete for every value there is.
"""
from __future__ import annotations

import functools
import importlib.util
import sys
import threading
import warnings
from typing import Any

import numpy as np

from jaxlite.basearray import Array as _AbstractArray
from jaxlite.config import config

# ----- names ------------------------------------------------------------------

bool_ = np.bool_
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, uint16, uint32, uint64 = np.uint8, np.uint16, np.uint32, np.uint64
float16, float32, float64 = np.float16, np.float32, np.float64
complex64, complex128 = np.complex64, np.complex128
# ml_dtypes' scalar types, served by __getattr__ until ml_dtypes is loaded
# (then they are module globals). Families in lattice order.
_ML_FLOAT8_NAMES = ("float8_e3m4", "float8_e4m3", "float8_e8m0fnu", "float8_e4m3b11fnuz",
                    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz")
_ML_FLOAT6_NAMES = ("float6_e2m3fn", "float6_e3m2fn")
_ML_FLOAT4_NAMES = ("float4_e2m1fn",)
_ML_INTN_SIGNED_NAMES = ("int1", "int2", "int4")
_ML_INTN_UNSIGNED_NAMES = ("uint1", "uint2", "uint4")
_ML_NAMES = frozenset(("bfloat16", "finfo", "iinfo", *_ML_FLOAT8_NAMES, *_ML_FLOAT6_NAMES,
                       *_ML_FLOAT4_NAMES, *_ML_INTN_SIGNED_NAMES, *_ML_INTN_UNSIGNED_NAMES))
# The floats without an infinity (supports_inf).
_ML_NO_INF_NAMES = ("float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2fnuz",
                    "float8_e8m0fnu", "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn")

# The 64-bit defaults JAX names, before canonicalisation.
int_, uint, float_, complex_ = np.int64, np.uint64, np.float64, np.complex128

float0 = np.dtype([("float0", np.void, 0)])


class extended(np.generic):
  """Scalar type of extended dtypes (e.g. PRNG keys); see ExtendedDType."""


class ExtendedDType:
  """Base class of dtypes that are not NumPy dtypes (e.g. PRNG key types).

  Subclasses define ``type`` (a subclass of :class:`extended`) and ``name``.
  """
  type: type = extended
  name: str = "extended"


class TypePromotionError(ValueError):
  """Raised when JAX type promotion fails."""


_D = np.dtype
# The tables hold NumPy's dtypes; _add_ml_dtypes adds ml_dtypes' in place.
_float8_dtypes: list = []
_float6_dtypes: list = []
_float4_dtypes: list = []
# Floats NumPy does not know as np.floating: ordered as on the lattice.
_custom_float_dtypes: list = []
_custom_float_types: set = set()
_no_inf_types: set = set()
_intn_signed: list = []
_intn_unsigned: list = []
_intn_dtypes: list = []
_intn_signed_types: set = set()
_intn_unsigned_types: set = set()
_unsigned_dtypes = [*map(_D, ("uint8", "uint16", "uint32", "uint64"))]
_signed_dtypes = [*map(_D, ("int8", "int16", "int32", "int64"))]
_float_dtypes = [*map(_D, ("float16", "float32", "float64"))]
_complex_dtypes = [_D("complex64"), _D("complex128")]
_numeric_dtypes = [*_unsigned_dtypes, *_signed_dtypes, *_float_dtypes,
                   *_complex_dtypes]
_lattice_dtypes = [_D(bool), *_numeric_dtypes]
_string_dtype = np.dtypes.StringDType()
_valid_dtypes = {*_lattice_dtypes, float0, _string_dtype}


def supported_dtypes() -> list[np.dtype]:
  """Every dtype a jaxlite array may have (float0 and StringDType included).

  >>> np.dtype('bfloat16') in supported_dtypes()
  True
  """
  return [*_lattice_dtypes, float0, _string_dtype]


# ----- defaults and canonicalisation -----------------------------------------

_TO_32BIT = {_D("int64"): _D("int32"), _D("uint64"): _D("uint32"),
             _D("float64"): _D("float32"), _D("complex128"): _D("complex64")}
_I32, _I64, _U32, _U64 = _D("int32"), _D("int64"), _D("uint32"), _D("uint64")
_F32, _F64, _C64, _C128 = (_D("float32"), _D("float64"), _D("complex64"),
                           _D("complex128"))
_BOOL = _D(bool)


def default_int_dtype() -> np.dtype:
  """int64 with x64 enabled, else int32.

  >>> default_int_dtype()
  dtype('int32')
  """
  return _I64 if config.jax_enable_x64 else _I32


def default_uint_dtype() -> np.dtype:
  """uint64 with x64 enabled, else uint32.

  >>> default_uint_dtype()
  dtype('uint32')
  """
  return _U64 if config.jax_enable_x64 else _U32


def default_float_dtype() -> np.dtype:
  """float64 with x64 enabled, else float32.

  >>> default_float_dtype()
  dtype('float32')
  """
  return _F64 if config.jax_enable_x64 else _F32


def default_complex_dtype() -> np.dtype:
  """complex128 with x64 enabled, else complex64.

  >>> default_complex_dtype()
  dtype('complex64')
  """
  return _C128 if config.jax_enable_x64 else _C64


_canonical_cache: dict[tuple[Any, bool], np.dtype] = {}


def _is_extended(dt) -> bool:
  return isinstance(dt, ExtendedDType) or (
      isinstance(dt, type) and issubclass(dt, extended))


def canonicalize_dtype(dtype: Any, allow_extended_dtype: bool = False):
  """The dtype arrays of ``dtype`` get: 64-bit types narrowed with x64 off.

  Cached on ``(dtype, x64)``, as it is called on every array creation.

  >>> canonicalize_dtype(np.float64)
  dtype('float32')
  >>> canonicalize_dtype('int8')
  dtype('int8')
  """
  x64 = config.jax_enable_x64
  try:
    return _canonical_cache[dtype, x64]
  except (KeyError, TypeError):  # TypeError: an unhashable dtype-like.
    pass
  if _is_extended(dtype):
    if not allow_extended_dtype:
      raise ValueError(f"Internal: canonicalize_dtype called on extended "
                       f"dtype {dtype} with allow_extended_dtype=False")
    return dtype
  try:
    dt = _np_dtype(dtype)
  except TypeError as e:
    raise TypeError(f"dtype {dtype!r} not understood") from e
  out = dt if x64 else _TO_32BIT.get(dt, dt)
  try:
    _canonical_cache[dtype, x64] = out
  except TypeError:
    pass
  return out


def _canonicalize_silently(dt: np.dtype) -> np.dtype:
  return dt if config.jax_enable_x64 else _TO_32BIT.get(dt, dt)


python_scalar_types = frozenset([bool, int, float, complex])
python_scalar_dtypes: dict[type, np.dtype] = {
    bool: _BOOL, int: _I64, float: _F64, complex: _C128}

_weak_types = (int, float, complex)
_registered_weak_types: set[type] = set()
_types_not_canonicalized: tuple[type, ...] = ()


def register_weak_scalar_type(typ: type) -> None:
  """Makes values of ``typ`` weakly typed, like Python scalars.

  >>> class MyScalar(float): pass
  >>> register_weak_scalar_type(MyScalar)
  >>> is_weakly_typed(MyScalar(1.0))
  True
  """
  _registered_weak_types.add(typ)


def register_type_whose_dtype_should_not_be_canonicalized(typ: type) -> None:
  """Values of ``typ`` keep their ``.dtype`` in ``dtype(x, canonicalize=True)``.

  For device arrays: a 64-bit array made under x64 stays 64-bit.

  >>> class Arr: dtype = np.dtype('float64')
  >>> register_type_whose_dtype_should_not_be_canonicalized(Arr)
  >>> dtype(Arr(), canonicalize=True)
  dtype('float64')
  """
  global _types_not_canonicalized
  _types_not_canonicalized += (typ,)


def _check_valid(dt, x) -> None:
  if dt not in _valid_dtypes and not _is_extended(dt):
    raise TypeError(f"Value '{x}' with dtype {dt} is not a valid JAX array "
                    "type. Only arrays of numeric types are supported by JAX.")


def dtype(x: Any, *, canonicalize: bool = False):
  """The dtype of a value, array, dtype or dtype specifier.

  Python scalars and types give the 64-bit dtypes of
  :data:`python_scalar_dtypes`; ``canonicalize=True`` narrows the result as
  :func:`canonicalize_dtype` does (silently), except for values of types
  registered with
  :func:`register_type_whose_dtype_should_not_be_canonicalized`.

  >>> dtype(1.0)
  dtype('float64')
  >>> dtype(1.0, canonicalize=True)
  dtype('float32')
  >>> dtype('bfloat16')
  dtype(bfloat16)
  """
  if x is None:
    raise ValueError(f"Invalid argument to dtype: {x}.")
  dt = python_scalar_dtypes.get(type(x))
  if dt is None:
    if isinstance(x, (type, str)):
      dt = _specifier_dtypes.get(x)
      if dt is None:
        dt = _specifier_dtypes[x] = _dtype_of_specifier(x)
      if not isinstance(dt, np.dtype):
        return dt  # An extended scalar type.
    elif isinstance(x, np.dtype):
      dt = x
      _check_valid(dt, x)
    elif isinstance(x, ExtendedDType):
      return x
    else:
      dt = getattr(x, "dtype", None)
      if isinstance(dt, ExtendedDType):
        return dt
      if isinstance(x, _types_not_canonicalized) and isinstance(dt, np.dtype):
        return dt
      if not isinstance(dt, np.dtype):
        try:
          # Sequences (lists of scalars) are what np.result_type refuses.
          dt = (np.asarray(x).dtype if isinstance(x, (list, tuple))
                else np.result_type(x))
        except (TypeError, ValueError) as err:
          raise TypeError(f"Cannot determine dtype of {x}") from err
      _check_valid(dt, x)
  if canonicalize and not config.jax_enable_x64:
    return _TO_32BIT.get(dt, dt)
  return dt


# Dtype specifiers (types and strings) seen so far, and their dtypes.
_specifier_dtypes: dict = {}


def _dtype_of_specifier(x):
  if isinstance(x, type):
    if x in python_scalar_dtypes:
      return python_scalar_dtypes[x]
    if issubclass(x, extended):
      return x
  try:
    dt = _np_dtype(x)
  except TypeError as err:
    raise TypeError(f"Cannot determine dtype of {x}") from err
  _check_valid(dt, x)
  return dt


def is_weakly_typed(x: Any) -> bool:
  """Whether ``x`` is weakly typed: a Python int/float/complex, or an object
  whose ``weak_type`` (or ``aval.weak_type``) is true.

  >>> is_weakly_typed(1.0), is_weakly_typed(np.float32(1)), is_weakly_typed(True)
  (True, False, False)
  """
  typ = type(x)
  if typ in _weak_types or typ in _registered_weak_types:
    return True
  weak = getattr(x, "weak_type", None)
  if weak is None:
    weak = getattr(getattr(x, "aval", None), "weak_type", False)
  return bool(weak)


def is_python_scalar(x: Any) -> bool:
  """Whether ``x`` is a Python scalar, or a weakly typed rank-0 array value.

  >>> is_python_scalar(3), is_python_scalar(np.int32(3))
  (True, False)
  """
  if type(x) in python_scalar_types:
    return True
  aval = getattr(x, "aval", None)
  if aval is not None and getattr(aval, "weak_type", False):
    return len(aval.shape) == 0
  return False


def coerce_to_array(x: Any, dtype: Any = None) -> np.ndarray:
  """A host NumPy array of ``x``, with JAX's (canonical) dtype.

  Python scalars get the canonical default dtype of their kind; an int out of
  its range raises OverflowError.

  >>> coerce_to_array(3).dtype, coerce_to_array(np.arange(2.0)).dtype
  (dtype('int32'), dtype('float32'))
  """
  if dtype is None:
    if type(x) in python_scalar_types:
      dt = _canonicalize_silently(python_scalar_dtypes[type(x)])
      if type(x) is int:
        info = np.iinfo(dt)
        if not info.min <= x <= info.max:
          raise OverflowError(f"Python int {x} too large to convert to {dt}")
      return np.asarray(x, dt)
    arr = np.asarray(x)
    return arr.astype(_canonicalize_silently(arr.dtype), copy=False)
  return np.asarray(x, canonicalize_dtype(dtype))


def scalar_type_of(x: Any) -> type:
  """The Python scalar type (bool, int, float, complex) of a value's dtype.

  >>> scalar_type_of(np.float16(1)), scalar_type_of(np.arange(3))
  (<class 'float'>, <class 'int'>)
  """
  dt = dtype(x)
  if dt == _BOOL:
    return bool
  if dt in _custom_float_dtypes:
    return float
  if dt in _intn_dtypes:
    return int
  kind = getattr(dt, "kind", None)
  if kind in ("i", "u"):
    return int
  if kind == "f":
    return float
  if kind == "c":
    return complex
  raise TypeError(f"Invalid scalar value {x}")


# ----- the dtype hierarchy ---------------------------------------------------


def issubdtype(a: Any, b: Any) -> bool:
  """``np.issubdtype`` that also knows bfloat16/float8/int4 and extended types.

  >>> issubdtype('bfloat16', np.floating), issubdtype('int4', np.integer)
  (True, True)
  >>> issubdtype(np.float32, 'bfloat16')
  False
  """
  try:
    return _issubdtype_cached(a, b)
  except TypeError:  # Unhashable input: normalise first.
    return _issubdtype_cached(
        a if isinstance(a, (type, np.dtype, ExtendedDType)) else _np_dtype(a),
        b if isinstance(b, (type, np.dtype, ExtendedDType)) else _np_dtype(b))


def _scalar_type(x) -> type:
  if isinstance(x, ExtendedDType):
    return x.type
  if isinstance(x, type) and issubclass(x, np.generic):
    return x
  return _np_dtype(x).type


@functools.lru_cache(1024)
def _issubdtype_cached(a, b) -> bool:
  if isinstance(b, ExtendedDType):
    return isinstance(a, ExtendedDType) and a == b
  a_type, b_type = _scalar_type(a), _scalar_type(b)
  if issubclass(b_type, extended):
    return issubclass(a_type, b_type)
  # ml_dtypes' scalar types are not in NumPy's hierarchy: place them by hand.
  if a_type in _custom_float_types:
    return b_type in (a_type, np.floating, np.inexact, np.number, np.generic)
  if a_type in _intn_signed_types:
    return b_type in (a_type, np.signedinteger, np.integer, np.number,
                      np.generic)
  if a_type in _intn_unsigned_types:
    return b_type in (a_type, np.unsignedinteger, np.integer, np.number,
                      np.generic)
  return bool(np.issubdtype(a_type, b_type))


_DTYPE_KINDS = {
    "bool": {_BOOL},
    "signed integer": set(_signed_dtypes),
    "unsigned integer": set(_unsigned_dtypes),
    "integral": {*_signed_dtypes, *_unsigned_dtypes},
    "real floating": set(_float_dtypes),
    "complex floating": set(_complex_dtypes),
    "numeric": set(_numeric_dtypes),
}


def isdtype(dtype: Any, kind: Any) -> bool:
  """Array-API ``isdtype``: whether ``dtype`` is of ``kind`` (or one of them).

  >>> isdtype('bfloat16', 'real floating'), isdtype('int8', ('bool', 'int8'))
  (True, True)
  """
  dt = np.dtype(dtype)
  options = set()
  for k in kind if isinstance(kind, tuple) else (kind,):
    if isinstance(k, str) and k in _DTYPE_KINDS:
      options |= _DTYPE_KINDS[k]
      continue
    try:
      options.add(np.dtype(k))
    except TypeError as e:
      if isinstance(k, str):
        raise ValueError(f"Unrecognized kind={k!r} expected one of "
                         f"{list(_DTYPE_KINDS)}, or a compatible input for "
                         "jnp.dtype()") from e
      raise TypeError(f"Expected kind to be a dtype, string, or tuple; got "
                      f"kind={k!r}") from e
  return dt in options


def is_string_dtype(dtype: Any) -> bool:
  """Whether ``dtype`` is NumPy's variable-width StringDType.

  >>> is_string_dtype(np.dtypes.StringDType()), is_string_dtype('float32')
  (True, False)
  """
  try:
    return np.dtype(dtype).kind == "T"
  except TypeError:
    return False


def supports_inf(dtype: Any) -> bool:
  """Whether ``dtype`` can represent infinity.

  >>> supports_inf('float8_e4m3fn'), supports_inf('float8_e5m2')
  (False, True)
  """
  if _np_dtype(dtype).type in _no_inf_types:
    return False
  return issubdtype(dtype, np.inexact)


def itemsize_bits(dtype: Any) -> int:
  """Bits per element (sub-byte types included; 0 for float0).

  >>> itemsize_bits('int4'), itemsize_bits('bfloat16')
  (4, 16)
  """
  dt = _np_dtype(dtype)
  if dt in _intn_dtypes:
    return _ml_dtypes().iinfo(dt).bits
  if dt in _float4_dtypes or dt in _float6_dtypes:
    return _ml_dtypes().finfo(dt).bits
  return 8 * dt.itemsize  # 0 for float0.


@functools.cache
def short_dtype_name(dtype) -> str:
  """The abbreviation JAX prints in jaxprs: 'f32', 'i8', 'bf16', 'c64' ...

  >>> short_dtype_name(np.dtype('float32')), short_dtype_name('bfloat16')
  ('f32', 'bf16')
  """
  if isinstance(dtype, ExtendedDType):
    return str(dtype)
  dt = _np_dtype(dtype)
  if dt == float0:
    return "float0"
  return (dt.name.replace("float", "f").replace("uint", "u")
          .replace("int", "i").replace("complex", "c"))


# Integers and bool become float32, 64-bit integers float64 (as in JAX).
_TO_INEXACT = {d: _F64 if d.itemsize == 8 else _F32
               for d in [_BOOL, *_signed_dtypes, *_unsigned_dtypes]}


def to_numeric_dtype(dtype: Any) -> np.dtype:
  """``dtype``, with bool promoted to int32.

  >>> to_numeric_dtype(bool)
  dtype('int32')
  """
  dt = np.dtype(dtype)
  return _I32 if dt == _BOOL else dt


def to_inexact_dtype(dtype: Any) -> np.dtype:
  """``dtype`` if inexact, else the float type an integer/bool promotes to.

  >>> to_inexact_dtype('int16'), to_inexact_dtype('int64')
  (dtype('float32'), dtype('float64'))
  """
  dt = np.dtype(dtype)
  return _TO_INEXACT.get(dt, dt)


def to_floating_dtype(dtype: Any) -> np.dtype:
  """Like :func:`to_inexact_dtype`, with complex mapped to its real part.

  >>> to_floating_dtype('complex64')
  dtype('float32')
  """
  return np.dtype(_ml_dtypes().finfo(to_inexact_dtype(dtype)).dtype)


def to_complex_dtype(dtype: Any) -> np.dtype:
  """The complex dtype ``dtype`` promotes to: complex128 for 64-bit inputs.

  >>> to_complex_dtype('float32'), to_complex_dtype('float64')
  (dtype('complex64'), dtype('complex128'))
  """
  ftype = to_inexact_dtype(dtype)
  return _C128 if ftype in (_F64, _C128) else _C64


# ----- user-requested dtypes -------------------------------------------------


def _maybe_truncate_explicit(dt: np.dtype, fun_name: str | None,
                             stacklevel: int) -> np.dtype:
  mode = config.jax_explicit_x64_dtypes
  if mode == "allow" or config.jax_enable_x64:
    return dt
  canonical = _TO_32BIT.get(dt, dt)
  if canonical == dt:
    return dt
  where = f" requested in {fun_name}" if fun_name else ""
  if mode == "error":
    raise ValueError(
        f"Explicitly requested dtype {dt}{where} is not available. To enable "
        "more dtypes, set the jax_enable_x64 or allow_explicit_x64_dtypes "
        "configuration options. See "
        "https://github.com/jax-ml/jax#current-gotchas for more.")
  warnings.warn(
      f"Explicitly requested dtype {dt}{where} is not available, and will be "
      f"truncated to dtype {canonical.name}. To enable more dtypes, set the "
      "jax_enable_x64 configuration option or the JAX_ENABLE_X64 shell "
      "environment variable. See https://github.com/jax-ml/jax#current-gotchas"
      " for more.", stacklevel=stacklevel)
  return canonical


def _check_user_dtype(dtype, fun_name):
  """None for Python types and extended dtypes, else the valid np.dtype."""
  if _is_extended(dtype) or (isinstance(dtype, type)
                             and dtype in python_scalar_types):
    return None
  where = f" in {fun_name}" if fun_name else ""
  if hasattr(dtype, "shape") and not isinstance(dtype, (np.dtype, type)):
    raise ValueError("Passing an array as a dtype argument is no longer "
                     "supported; instead of dtype=arr use dtype=arr.dtype.")
  try:
    dt = _np_dtype(dtype)
  except TypeError as e:
    raise TypeError(f"Invalid dtype {dtype!r}{where}: not a dtype or dtype "
                    "specifier") from e
  if dt not in _valid_dtypes:
    raise TypeError("JAX only supports number, bool, and string dtypes, got "
                    f"dtype {dtype}{where}")
  return dt


def check_user_dtype_supported(dtype: Any, fun_name: str | None = None):
  """Raises TypeError for an invalid dtype; warns if x64 off truncates it.

  ``None`` and Python scalar types are always accepted. Returns nothing.

  >>> check_user_dtype_supported('bfloat16', 'zeros')
  """
  if dtype is not None and (dt := _check_user_dtype(dtype, fun_name)):
    _maybe_truncate_explicit(dt, fun_name, stacklevel=4)


def check_and_canonicalize_user_dtype(dtype: Any, fun_name: str | None = None):
  """Validates a user's ``dtype=`` argument and returns its canonical form.

  Python types give the default dtype of their kind. A 64-bit dtype with x64
  off warns (per ``jax_explicit_x64_dtypes``) and is truncated.

  >>> check_and_canonicalize_user_dtype(float)
  dtype('float32')
  """
  if dtype is None:
    raise ValueError("dtype must be specified.")
  dt = _check_user_dtype(dtype, fun_name)
  if dt is None:
    return dtype if _is_extended(dtype) else _canonicalize_silently(
        python_scalar_dtypes[dtype])
  return _maybe_truncate_explicit(dt, fun_name, stacklevel=4)


# ----- type promotion ----------------------------------------------------------
# Nodes of the lattice are np.dtypes (strong types) and the Python types int,
# float and complex (the weak types of Python scalars and weakly typed arrays).


def _standard_lattice(x64: bool) -> dict:
  b1 = _BOOL
  u8, u16, u32, u64 = _unsigned_dtypes[-4:]
  s8, s16, s32, s64 = _signed_dtypes[-4:]
  # ml_dtypes' types (none before it is loaded): bfloat16, and the sub-byte
  # ints and small floats.
  bf16s = _custom_float_dtypes[-1:]
  small_floats = _custom_float_dtypes[:-1]
  f16, f32, f64 = _D("float16"), _F32, _F64
  c64, c128 = _complex_dtypes
  edges = {
      b1: [int],
      # Weak int sits below every integer: `int8_array + 1` stays int8.
      int: [u8, s8, *_intn_unsigned, *_intn_signed],
      u8: [s16, _D("uint16")], u16: [s32, u32], u32: [_I64, u64],
      s8: [s16], s16: [s32], s32: [s64],
      # Every integer is below weak float: `int64 + float16` is float16.
      u64: [float], s64: [float],
      float: [*small_floats, *bf16s, f16, complex],
      f16: [f32], f32: [f64, c64], f64: [c128],
      complex: [c64], c64: [c128], c128: [],
  }
  for bf16 in bf16s:
    edges[bf16] = [f32]
  for t in (*_intn_dtypes, *small_floats):
    edges[t] = []  # Sub-byte ints and float8s never promote implicitly.
  if not x64:
    # uint32 x int32 -> int64 is the only promotion that makes a 64-bit type
    # from 32-bit ones; without x64 it stops at int32 instead.
    edges[u32] = [s32, u64]
  return edges


def _strict_lattice() -> dict:
  edges = {t: [] for t in _lattice_dtypes}
  edges[int] = [float, *_unsigned_dtypes, *_signed_dtypes]
  edges[float] = [complex, *_float_dtypes]
  edges[complex] = list(_complex_dtypes)
  return edges


def _upper_bounds(edges: dict) -> dict:
  """Each node's set of upper bounds: the transitive closure of ``edges``."""
  bounds: dict = {}

  def visit(node):
    if node not in bounds:
      out = {node}
      for parent in edges[node]:
        out |= visit(parent)
      bounds[node] = frozenset(out)
    return bounds[node]
  for node in edges:
    visit(node)
  return bounds


def _all_upper_bounds() -> dict:
  return {
      ("standard", True): _upper_bounds(_standard_lattice(True)),
      ("standard", False): _upper_bounds(_standard_lattice(False)),
      ("strict", True): _upper_bounds(_strict_lattice()),
      ("strict", False): _upper_bounds(_strict_lattice()),
  }


_UPPER_BOUNDS = _all_upper_bounds()


def _no_promotion_message(nodes, mode: str) -> str:
  names = tuple(str(n) for n in nodes)
  if mode == "strict":
    return (f"Input dtypes {names} have no available implicit dtype promotion "
            "path when jax_numpy_dtype_promotion=strict. Try explicitly "
            "casting inputs to the desired output type, or set "
            "jax_numpy_dtype_promotion=standard.")
  for family, bits in ((_float8_dtypes, "8-bit floats"),
                       (_float6_dtypes, "6-bit floats"),
                       (_float4_dtypes, "4-bit floats")):
    if any(n in family for n in nodes):
      return (f"Input dtypes {names} have no available implicit dtype "
              "promotion path. To avoid unintended promotion, "
              f"{bits} do not support implicit promotion. If you'd like your "
              "inputs to be promoted to another type, you can do so "
              "explicitly using e.g. x.astype('float32')")
  if any(n in _intn_dtypes for n in nodes):
    return (f"Input dtypes {names} have no available implicit dtype promotion"
            " path. To avoid unintended promotion, 1-bit, 2-bit and 4-bit "
            "integers do not support implicit promotion. If you'd like your "
            "inputs to be promoted to another type, you can do so explicitly "
            "using e.g. x.astype('int32')")
  return (f"Input dtypes {names} have no available implicit dtype promotion "
          "path. Try explicitly casting inputs to the desired output type.")


@functools.lru_cache(1024)
def _least_upper_bound(mode: str, x64: bool, *nodes):
  """The least upper bound of ``nodes`` on the lattice for (mode, x64)."""
  table = _UPPER_BOUNDS[mode, x64]
  try:
    bounds = [table[n] for n in nodes]
  except KeyError:
    bad = next(n for n in nodes if n not in table)
    raise ValueError(f"dtype={bad!r} is not a valid dtype for JAX type "
                     "promotion.") from None
  common = frozenset.intersection(*bounds)
  # A common bound that is below all other common bounds is the least one.
  least = [c for c in common if common <= table[c]]
  if len(least) == 1:
    return least[0]
  if not least:
    raise TypePromotionError(_no_promotion_message(nodes, mode))
  raise TypePromotionError(f"Internal type promotion error: {nodes} have no "
                           f"unique least upper bound; options are {least}.")


def _lattice_node(dt, weak: bool):
  """The lattice node of a (dtype, weak_type) pair."""
  if not weak or dt == _BOOL:
    return dt
  if dt in _custom_float_dtypes:
    return float
  if dt in _intn_dtypes:
    return int
  return {"i": int, "u": int, "f": float, "c": complex}[dt.kind]


def promote_types(a: Any, b: Any) -> np.dtype:
  """The dtype a binary operation on dtypes ``a`` and ``b`` computes in.

  The Python types int, float and complex are weak, as in JAX: they do not
  widen a strong type. Inputs are not canonicalised.

  >>> promote_types('int32', 'float32')
  dtype('float32')
  >>> promote_types('uint8', int), promote_types('float16', float)
  (dtype('uint8'), dtype('float16'))
  """
  a_node = a if any(a is t for t in _weak_types) else _np_dtype(a)
  b_node = b if any(b is t for t in _weak_types) else _np_dtype(b)
  return np.dtype(_least_upper_bound(config.jax_numpy_dtype_promotion,
                                     config.jax_enable_x64, a_node, b_node))


def _dtype_and_weak_type(value) -> tuple:
  """(canonical dtype, weak_type) of one result_type argument."""
  typ = type(value)
  if typ in _weak_types:
    dt, weak = python_scalar_dtypes[typ], True
  elif value is int or value is float or value is complex:
    dt, weak = python_scalar_dtypes[value], True
  elif isinstance(value, (np.ndarray, np.generic)):
    dt, weak = value.dtype, False  # The common cases: skip the generic path.
    _check_valid(dt, value)
  elif isinstance(value, _AbstractArray):
    # Arrays and tracers: valid dtypes, and their types say whether they are weak.
    dt, weak = value.dtype, value.weak_type
    if not isinstance(dt, np.dtype):
      return dt, weak  # An extended dtype.
  elif isinstance(value, np.dtype):
    dt, weak = value, False
    _check_valid(dt, value)
  elif isinstance(value, (type, str)):
    dt, weak = dtype(value), False
    if not isinstance(dt, np.dtype):
      return dt, weak
  else:
    dt, weak = dtype(value), is_weakly_typed(value)
    if not isinstance(dt, np.dtype):
      return dt, weak  # An extended dtype.
  if not config.jax_enable_x64:
    dt = _TO_32BIT.get(dt, dt)
  return dt, weak


def _promote_pairs(pairs: tuple, mode: str, x64: bool) -> tuple:
  """Lattice (dtype, weak_type) of canonical (dtype, weak_type) pairs."""
  first = pairs[0][0]
  if len(pairs) == 1:
    out_dtype, out_weak = pairs[0]
  elif all(d == first for d, _ in pairs) and not all(w for _, w in pairs):
    out_dtype, out_weak = first, False  # Lets extended dtypes through.
  else:
    if all(w for _, w in pairs) and mode != "strict":
      # All weak: promote the strong counterparts, then mark weak.
      node = _least_upper_bound(mode, x64, *dict.fromkeys(d for d, _ in pairs))
      out_weak = True
    else:
      node = _least_upper_bound(mode, x64, *dict.fromkeys(
          _lattice_node(d, w) for d, w in pairs))
      out_weak = any(node is t for t in _weak_types)
    out_dtype = python_scalar_dtypes[node] if isinstance(node, type) else node
    if not x64:
      out_dtype = _TO_32BIT.get(out_dtype, out_dtype)
  return out_dtype, out_weak and out_dtype != _BOOL


def lattice_result_type(*args: Any) -> tuple:
  """``(dtype, weak_type)`` of the promotion of ``args``, before weak results
  are mapped to default dtypes (see :func:`result_type`).

  >>> lattice_result_type(np.int8(1), 2)
  (dtype('int8'), False)
  """
  return _promote_pairs(tuple(map(_dtype_and_weak_type, args)),
                        config.jax_numpy_dtype_promotion,
                        config.jax_enable_x64)


_result_cache: dict = {}


def _result_type_uncached(pairs, mode, x64):
  out_dtype, weak = _promote_pairs(pairs, mode, x64)
  if weak:
    kind = "f" if out_dtype in _custom_float_dtypes else (
        "i" if out_dtype in _intn_signed else
        "u" if out_dtype in _intn_unsigned else out_dtype.kind)
    out_dtype = {"i": _I64, "u": _U64, "f": _F64, "c": _C128}[kind]
    if not x64:
      out_dtype = _TO_32BIT[out_dtype]
  return out_dtype, weak


def result_type(*args: Any, return_weak_type_flag: bool = False):
  """The dtype of an operation on ``args`` under JAX's promotion rules.

  ``args`` may be values, arrays, dtypes or dtype specifiers; Python scalars
  and arrays with a true ``weak_type`` are weak. ``None`` is the default
  float dtype. A weak result has its kind's default dtype. Raises
  :class:`TypePromotionError` where there is no promotion path (e.g. under
  ``jax_numpy_dtype_promotion='strict'``).

  >>> result_type(np.int16, np.uint8)
  dtype('int16')
  >>> result_type(1, 2.0, return_weak_type_flag=True)
  (dtype('float32'), True)
  """
  if not args:
    raise ValueError("at least one array or dtype is required")
  pairs = tuple([(default_float_dtype(), False) if arg is None
                 else _dtype_and_weak_type(arg) for arg in args])
  # Cached on everything the answer depends on; jnp calls this per operation.
  key = (pairs, config.jax_numpy_dtype_promotion, config.jax_enable_x64)
  try:
    out = _result_cache[key]
  except KeyError:
    out = _result_type_uncached(*key)
    if len(_result_cache) > 4096:
      _result_cache.clear()
    _result_cache[key] = out
  except TypeError:  # An unhashable extended dtype.
    out = _result_type_uncached(*key)
  return out if return_weak_type_flag else out[0]


def __getattr__(name):
  # ``jax.dtypes.prng_key`` (the scalar type of key dtypes) is defined with the
  # keys in ``jaxlite.prng``, a layer above this module: served on first use.
  if name == "prng_key":
    from jaxlite.prng import prng_key
    return prng_key
  if name in _ML_NAMES:
    return getattr(_ml_dtypes(), name)
  from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
  raise no_attribute_error(__name__, name)


# ----- ml_dtypes, loaded on first need -------------------------------------------

_ml_lock = threading.RLock()
_ml_module = None   # ml_dtypes, once its types are in the tables
_ml_listeners: list = []   # see when_ml_dtypes_load


def when_ml_dtypes_load(callback) -> None:
  """Calls ``callback(ml_dtypes)`` once ml_dtypes' types are in the dtype tables: now
  if they are, else right after ml_dtypes is first imported. For tables that other
  modules derive from the lattice at import (ml_dtypes loads lazily), so that they
  extend themselves without naming ``bfloat16`` (which would load it).

  >>> seen = []
  >>> when_ml_dtypes_load(lambda ml: seen.append(ml.__name__))
  >>> _ = _ml_dtypes()   # the first need of its types loads ml_dtypes
  >>> seen
  ['ml_dtypes']
  """
  with _ml_lock:
    if _ml_module is None:
      _ml_listeners.append(callback)
      return
  callback(_ml_module)


def _ml_dtypes():
  """ml_dtypes, imported (and its types added to the tables) on first call."""
  if _ml_module is None:
    import ml_dtypes  # pylint: disable=g-import-not-at-top
    _add_ml_dtypes(ml_dtypes)
  return _ml_module


def _np_dtype(x) -> np.dtype:
  """``np.dtype(x)``; a string naming one of ml_dtypes' types ('bfloat16')
  loads ml_dtypes first (NumPy knows those names only then)."""
  try:
    return np.dtype(x)
  except TypeError:
    if _ml_module is not None or not isinstance(x, str):
      raise
  _ml_dtypes()
  return np.dtype(x)


def _add_ml_dtypes(ml) -> None:
  """Adds ml_dtypes' types to every table, in place, and makes its names
  (``bfloat16``, ``finfo`` ...) module globals. Idempotent."""
  global _ml_module, _UPPER_BOUNDS
  with _ml_lock:
    if _ml_module is not None:
      return
    names = lambda group: [_D(getattr(ml, n)) for n in group]
    _float8_dtypes[:] = names(_ML_FLOAT8_NAMES)
    _float6_dtypes[:] = names(_ML_FLOAT6_NAMES)
    _float4_dtypes[:] = names(_ML_FLOAT4_NAMES)
    _custom_float_dtypes[:] = [*_float4_dtypes, *_float6_dtypes, *_float8_dtypes,
                               _D(ml.bfloat16)]
    _custom_float_types.update(d.type for d in _custom_float_dtypes)
    _no_inf_types.update(getattr(ml, n) for n in _ML_NO_INF_NAMES)
    _intn_signed[:] = names(_ML_INTN_SIGNED_NAMES)
    _intn_unsigned[:] = names(_ML_INTN_UNSIGNED_NAMES)
    _intn_dtypes[:] = _intn_signed + _intn_unsigned
    _intn_signed_types.update(d.type for d in _intn_signed)
    _intn_unsigned_types.update(d.type for d in _intn_unsigned)
    _unsigned_dtypes[:0] = _intn_unsigned
    _signed_dtypes[:0] = _intn_signed
    _float_dtypes[:0] = _custom_float_dtypes
    _numeric_dtypes[:] = [*_unsigned_dtypes, *_signed_dtypes, *_float_dtypes,
                          *_complex_dtypes]
    _lattice_dtypes[:] = [_BOOL, *_numeric_dtypes]
    _valid_dtypes.update(_lattice_dtypes)
    _DTYPE_KINDS["signed integer"].update(_intn_signed)
    _DTYPE_KINDS["unsigned integer"].update(_intn_unsigned)
    _DTYPE_KINDS["integral"].update(_intn_dtypes)
    _DTYPE_KINDS["real floating"].update(_custom_float_dtypes)
    _DTYPE_KINDS["numeric"].update(_intn_dtypes, _custom_float_dtypes)
    _TO_INEXACT.update((d, _F32) for d in _intn_dtypes)
    _UPPER_BOUNDS = _all_upper_bounds()
    # Results cached before were computed without these types; none involved
    # them, but a fresh start costs nothing here.
    _least_upper_bound.cache_clear()
    _issubdtype_cached.cache_clear()
    _result_cache.clear()
    module = sys.modules[__name__]
    for name in _ML_NAMES:
      setattr(module, name, getattr(ml, name))
    _ml_module = ml
    listeners = _ml_listeners[:]
    _ml_listeners.clear()
    for callback in listeners:   # under the lock: no caller sees half-extended tables
      callback(ml)


class _WhenMlDtypesIsImported:
  """A meta-path finder that only watches: when anyone imports ``ml_dtypes``
  (the user, jaxlib, jaxlite), its types join the tables as soon as the
  module has run. It finds nothing itself and leaves after that import."""

  def find_spec(self, name, path=None, target=None):
    if name != "ml_dtypes":
      return None
    try:
      sys.meta_path.remove(self)   # the finders after it find the module
    except ValueError:
      pass
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
      return spec
    run_module = spec.loader.exec_module

    def run_then_add(module):
      run_module(module)
      _add_ml_dtypes(module)
    spec.loader.exec_module = run_then_add
    return spec


if "ml_dtypes" in sys.modules:
  _add_ml_dtypes(sys.modules["ml_dtypes"])
else:
  sys.meta_path.insert(0, _WhenMlDtypesIsImported())
