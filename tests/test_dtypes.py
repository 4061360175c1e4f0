"""Tests of jaxlite.dtypes: the promotion lattice against JAX, canonicalisation,
finfo/iinfo, names and the explicit-x64 warning."""
import contextlib
import importlib
import itertools
import warnings

import ml_dtypes
import numpy as np
import pytest

from jaxlite import dtypes
from jaxlite.config import config

# The module itself: `jaxlite.config` is the Config object the package exports.
config_lib = importlib.import_module("jaxlite.config")

STRONG_DTYPES = [np.dtype(t) for t in (
    bool, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
    np.uint32, np.uint64, np.float16, ml_dtypes.bfloat16, np.float32,
    np.float64, np.complex64, np.complex128, ml_dtypes.int4, ml_dtypes.uint4,
    ml_dtypes.int2, ml_dtypes.uint2, ml_dtypes.float8_e4m3fn,
    ml_dtypes.float8_e5m2, ml_dtypes.float8_e4m3b11fnuz,
    ml_dtypes.float8_e4m3fnuz, ml_dtypes.float8_e5m2fnuz,
    ml_dtypes.float8_e3m4, ml_dtypes.float8_e4m3, ml_dtypes.float8_e8m0fnu,
    ml_dtypes.float6_e2m3fn, ml_dtypes.float6_e3m2fn,
    ml_dtypes.float4_e2m1fn)]
WEAK_VALUES = [1, 1.0, 1j]
ALL_INPUTS = STRONG_DTYPES + WEAK_VALUES


@pytest.fixture(scope="module")
def jax():
  jax = pytest.importorskip("jax")
  return jax


@contextlib.contextmanager
def both_x64(jax, enabled):
  """Sets x64 in JAX (globally, restored after) and in jaxlite (scoped)."""
  previous = jax.config.jax_enable_x64
  jax.config.update("jax_enable_x64", enabled)
  try:
    with config_lib.enable_x64(enabled):
      yield
  finally:
    jax.config.update("jax_enable_x64", previous)


def _outcome(fn, *args):
  """fn's result, or the exception class and the message's stable tail."""
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
      return fn(*args)
    except (ValueError, TypeError) as e:
      # JAX names the inputs in set order; compare the text after them.
      return (type(e).__name__, str(e).split(")", 1)[-1])


def _jaxlite_outcome(*args):
  out = _outcome(lambda *a: dtypes.result_type(*a, return_weak_type_flag=True),
                 *args)
  if isinstance(out, tuple) and out[0] == "TypePromotionError":
    assert issubclass(dtypes.TypePromotionError, ValueError)
  return out


def _jax_outcome(jax, *args):
  return _outcome(
      lambda *a: jax.dtypes.result_type(*a, return_weak_type_flag=True), *args)


@pytest.mark.parametrize("x64", [False, True])
def test_result_type_every_pair_matches_jax(jax, x64):
  mismatches = []
  with both_x64(jax, x64):
    for a, b in itertools.product(ALL_INPUTS, repeat=2):
      expected, actual = _jax_outcome(jax, a, b), _jaxlite_outcome(a, b)
      if expected != actual:
        mismatches.append((a, b, expected, actual))
  assert not mismatches, mismatches[:20]


@pytest.mark.parametrize("x64", [False, True])
def test_result_type_every_pair_matches_jax_strict(jax, x64):
  mismatches = []
  with both_x64(jax, x64), jax.numpy_dtype_promotion("strict"), \
      config_lib.numpy_dtype_promotion("strict"):
    for a, b in itertools.product(ALL_INPUTS, repeat=2):
      expected, actual = _jax_outcome(jax, a, b), _jaxlite_outcome(a, b)
      if expected != actual:
        mismatches.append((a, b, expected, actual))
  assert not mismatches, mismatches[:20]


@pytest.mark.parametrize("x64", [False, True])
def test_result_type_triples_and_singles_match_jax(jax, x64):
  common = [np.dtype(t) for t in (bool, np.int8, np.uint8, np.int32,
                                  np.uint32, np.int64, np.float16,
                                  ml_dtypes.bfloat16, np.float32,
                                  np.complex64)] + WEAK_VALUES + [None]
  mismatches = []
  with both_x64(jax, x64):
    for args in [*itertools.product(common, repeat=3),
                 *((a,) for a in ALL_INPUTS)]:
      expected, actual = _jax_outcome(jax, *args), _jaxlite_outcome(*args)
      if expected != actual:
        mismatches.append((args, expected, actual))
  assert not mismatches, mismatches[:20]


@pytest.mark.parametrize("x64", [False, True])
def test_result_type_of_values_matches_jax(jax, x64):
  values = [np.zeros(2, np.float64), np.int64(3), np.zeros((), np.uint32),
            np.float16(1), True, np.array([1, 2]), 2**40]
  with both_x64(jax, x64):
    for a, b in itertools.product(values, repeat=2):
      assert _jaxlite_outcome(a, b) == _jax_outcome(jax, a, b), (a, b)


@pytest.mark.parametrize("x64", [False, True])
def test_promote_types_matches_jax(jax, x64):
  inputs = STRONG_DTYPES + [int, float, complex]
  mismatches = []
  with both_x64(jax, x64):
    for a, b in itertools.product(inputs, repeat=2):
      expected = _outcome(jax.numpy.promote_types, a, b)
      actual = _outcome(dtypes.promote_types, a, b)
      if expected != actual:
        mismatches.append((a, b, expected, actual))
  assert not mismatches, mismatches[:20]


def test_weak_type_results():
  assert dtypes.result_type(np.int8, 1) == np.int8
  assert dtypes.result_type(np.float16, 1.0) == np.float16
  assert dtypes.result_type(np.int8, 1.0) == np.float32
  assert dtypes.result_type(np.float16, 1j) == np.complex64
  assert dtypes.result_type(1, 1.0, return_weak_type_flag=True) == (
      np.dtype("float32"), True)
  assert dtypes.result_type(True, 1, return_weak_type_flag=True) == (
      np.dtype("int32"), True)
  assert dtypes.result_type(True, return_weak_type_flag=True) == (
      np.dtype(bool), False)
  with config_lib.enable_x64():
    assert dtypes.result_type(1, 1.0) == np.float64


def test_weak_type_flag_from_objects():
  class Weak:
    dtype = np.dtype("float16")
    weak_type = True

  class AvalHolder:
    dtype = np.dtype("int16")

    class aval:
      weak_type = True

  assert dtypes.is_weakly_typed(Weak())
  assert dtypes.is_weakly_typed(AvalHolder())
  assert not dtypes.is_weakly_typed(np.float32(1))
  assert not dtypes.is_weakly_typed(True)
  # A weak f16 value is a weak float: it takes a strong float's dtype, and
  # with an int gives the (weak) default float, as alone.
  assert dtypes.result_type(Weak(), ml_dtypes.bfloat16) == ml_dtypes.bfloat16
  assert dtypes.result_type(Weak(), np.int8, return_weak_type_flag=True) == (
      np.dtype("float32"), True)
  assert dtypes.result_type(Weak(), return_weak_type_flag=True) == (
      np.dtype("float32"), True)
  assert dtypes.result_type(AvalHolder(), np.uint8) == np.uint8


def test_strict_promotion_raises():
  with config_lib.numpy_dtype_promotion("strict"):
    with pytest.raises(dtypes.TypePromotionError, match="strict"):
      dtypes.result_type(np.int32, np.float32)
    assert dtypes.result_type(np.float32, 1.0) == np.float32
    assert dtypes.result_type(np.float32, np.float32) == np.float32
  assert dtypes.result_type(np.int32, np.float32) == np.float32


def test_float8_does_not_promote():
  with pytest.raises(dtypes.TypePromotionError, match="8-bit floats"):
    dtypes.result_type(ml_dtypes.float8_e4m3fn, np.float32)
  with pytest.raises(dtypes.TypePromotionError, match="4-bit integers"):
    dtypes.result_type(ml_dtypes.int4, np.int8)
  assert dtypes.result_type(ml_dtypes.float8_e5m2, 1.0) == \
      np.dtype(ml_dtypes.float8_e5m2)


def test_canonicalize_dtype():
  pairs = {np.int64: np.int32, np.uint64: np.uint32, np.float64: np.float32,
           np.complex128: np.complex64, np.int8: np.int8,
           ml_dtypes.bfloat16: ml_dtypes.bfloat16, bool: bool}
  for src, dst in pairs.items():
    assert dtypes.canonicalize_dtype(src) == np.dtype(dst)
    assert isinstance(dtypes.canonicalize_dtype(src), np.dtype)
  with config_lib.enable_x64():
    # Cached per x64 mode: the same key now gives the 64-bit dtype.
    assert dtypes.canonicalize_dtype(np.float64) == np.float64
    assert dtypes.canonicalize_dtype("int64") == np.int64
  assert dtypes.canonicalize_dtype("int64") == np.int32
  with pytest.raises(TypeError, match="not understood"):
    dtypes.canonicalize_dtype("not-a-dtype")


@pytest.mark.parametrize("x64", [False, True])
def test_canonicalize_dtype_matches_jax(jax, x64):
  with both_x64(jax, x64):
    for dt in STRONG_DTYPES:
      assert dtypes.canonicalize_dtype(dt) == jax.dtypes.canonicalize_dtype(dt)


def test_dtype_of_values_and_specifiers():
  assert dtypes.dtype(1) == np.int64
  assert dtypes.dtype(1, canonicalize=True) == np.int32
  assert dtypes.dtype(1.5) == np.float64
  assert dtypes.dtype(True) == bool
  assert dtypes.dtype(1j, canonicalize=True) == np.complex64
  assert dtypes.dtype(float) == np.float64
  assert dtypes.dtype(np.float16) == np.float16
  assert dtypes.dtype("bfloat16") == np.dtype(ml_dtypes.bfloat16)
  assert dtypes.dtype(np.zeros(3, np.uint8)) == np.uint8
  assert dtypes.dtype(np.zeros(3), canonicalize=True) == np.float32
  assert dtypes.dtype([1, 2]) == np.int64
  with config_lib.enable_x64():
    assert dtypes.dtype(np.zeros(3), canonicalize=True) == np.float64
  with pytest.raises(ValueError, match="Invalid argument to dtype"):
    dtypes.dtype(None)
  with pytest.raises(TypeError, match="not a valid JAX array type"):
    dtypes.dtype(np.array(["a"]))
  with pytest.raises(TypeError, match="Cannot determine dtype"):
    dtypes.dtype(object())


def test_python_scalar_helpers():
  assert dtypes.python_scalar_dtypes == {
      bool: np.dtype(bool), int: np.dtype(np.int64),
      float: np.dtype(np.float64), complex: np.dtype(np.complex128)}
  assert dtypes.is_python_scalar(1) and dtypes.is_python_scalar(2.0)
  assert not dtypes.is_python_scalar(np.float32(2.0))
  assert not dtypes.is_python_scalar(np.zeros(()))
  assert dtypes.scalar_type_of(np.int8(1)) is int
  assert dtypes.scalar_type_of(ml_dtypes.bfloat16(1)) is float
  assert dtypes.scalar_type_of(np.zeros(2, bool)) is bool
  assert dtypes.scalar_type_of(1j) is complex


def test_coerce_to_array():
  assert dtypes.coerce_to_array(3).dtype == np.int32
  assert dtypes.coerce_to_array(3.0).dtype == np.float32
  assert dtypes.coerce_to_array(np.arange(3, dtype=np.int64)).dtype == np.int32
  assert dtypes.coerce_to_array(3, np.int8).dtype == np.int8
  with config_lib.enable_x64():
    assert dtypes.coerce_to_array(3).dtype == np.int64
  with pytest.raises(OverflowError):
    dtypes.coerce_to_array(2**40)


def test_defaults_follow_x64():
  assert (dtypes.default_float_dtype(), dtypes.default_int_dtype(),
          dtypes.default_uint_dtype(), dtypes.default_complex_dtype()) == (
              np.float32, np.int32, np.uint32, np.complex64)
  with config_lib.enable_x64():
    assert (dtypes.default_float_dtype(), dtypes.default_int_dtype(),
            dtypes.default_uint_dtype(), dtypes.default_complex_dtype()) == (
                np.float64, np.int64, np.uint64, np.complex128)


def test_issubdtype():
  assert dtypes.issubdtype(ml_dtypes.bfloat16, np.floating)
  assert dtypes.issubdtype(ml_dtypes.float8_e4m3fn, np.inexact)
  assert not dtypes.issubdtype(ml_dtypes.bfloat16, np.integer)
  assert dtypes.issubdtype(ml_dtypes.int4, np.signedinteger)
  assert dtypes.issubdtype(ml_dtypes.uint4, np.unsignedinteger)
  assert not dtypes.issubdtype(ml_dtypes.uint4, np.signedinteger)
  assert dtypes.issubdtype("float32", np.floating)
  assert not dtypes.issubdtype(np.float32, ml_dtypes.bfloat16)
  assert dtypes.issubdtype(np.int32, np.int32)

  class key(dtypes.extended):
    pass

  class KeyDType(dtypes.ExtendedDType):
    type = key
    name = "key"

  assert dtypes.issubdtype(KeyDType(), dtypes.extended)
  assert not dtypes.issubdtype(np.float32, dtypes.extended)


def test_issubdtype_matches_jax(jax):
  parents = [np.generic, np.number, np.integer, np.signedinteger,
             np.unsignedinteger, np.inexact, np.floating, np.complexfloating,
             np.bool_, ml_dtypes.bfloat16, np.float32]
  for dt in STRONG_DTYPES:
    for parent in parents:
      assert dtypes.issubdtype(dt, parent) == \
          jax.numpy.issubdtype(dt, parent), (dt, parent)


@pytest.mark.parametrize("dt", [d for d in STRONG_DTYPES
                                if dtypes.issubdtype(d, np.inexact)])
def test_finfo_matches_jax(jax, dt):
  ours, theirs = dtypes.finfo(dt), jax.numpy.finfo(dt)
  for attr in ("bits", "eps", "max", "min", "tiny", "resolution",
               "smallest_subnormal", "nmant", "nexp"):
    assert str(getattr(ours, attr)) == str(getattr(theirs, attr)), attr
  assert dtypes.finfo(ml_dtypes.bfloat16).eps == 2.0**-7


@pytest.mark.parametrize("dt", [d for d in STRONG_DTYPES
                                if dtypes.issubdtype(d, np.integer)])
def test_iinfo_matches_jax(jax, dt):
  ours, theirs = dtypes.iinfo(dt), jax.numpy.iinfo(dt)
  assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max,
                                             theirs.bits)
  assert dtypes.iinfo(ml_dtypes.int4).max == 7


def test_short_dtype_names():
  expected = {np.float32: "f32", np.int32: "i32", np.uint8: "u8",
              ml_dtypes.bfloat16: "bf16", np.complex64: "c64", bool: "bool",
              ml_dtypes.float8_e4m3fn: "f8_e4m3fn", np.float16: "f16",
              np.int64: "i64", np.complex128: "c128", ml_dtypes.int4: "i4"}
  for dt, name in expected.items():
    assert dtypes.short_dtype_name(np.dtype(dt)) == name
  assert dtypes.short_dtype_name(dtypes.float0) == "float0"


def test_short_dtype_names_match_jax(jax):
  from jax._src import dtypes as jax_dtypes  # Not public in jax.dtypes.
  for dt in STRONG_DTYPES:
    assert dtypes.short_dtype_name(dt) == jax_dtypes.short_dtype_name(dt)


def test_float0_and_names():
  assert dtypes.float0 == np.dtype([("float0", np.void, 0)])
  assert dtypes.float0.itemsize == 0
  assert dtypes.bfloat16 is ml_dtypes.bfloat16
  assert dtypes.int32 is np.int32 and dtypes.bool_ is np.bool_
  for name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3b11fnuz",
               "float8_e4m3fnuz", "float8_e5m2fnuz", "int4", "uint4"):
    assert getattr(dtypes, name) is getattr(ml_dtypes, name)
  assert np.dtype(ml_dtypes.float8_e4m3fn) in dtypes.supported_dtypes()
  assert np.dtype(object) not in dtypes.supported_dtypes()


def test_inexact_complex_numeric():
  assert dtypes.to_inexact_dtype(np.int16) == np.float32
  assert dtypes.to_inexact_dtype(np.int64) == np.float64
  assert dtypes.to_inexact_dtype(np.float16) == np.float16
  assert dtypes.to_inexact_dtype(bool) == np.float32
  assert dtypes.to_complex_dtype(np.float32) == np.complex64
  assert dtypes.to_complex_dtype(np.int64) == np.complex128
  assert dtypes.to_complex_dtype(ml_dtypes.bfloat16) == np.complex64
  assert dtypes.to_numeric_dtype(bool) == np.int32
  assert dtypes.to_numeric_dtype(np.uint8) == np.uint8
  assert dtypes.is_string_dtype(np.dtypes.StringDType())
  assert not dtypes.is_string_dtype(np.float32)


_X64_WARNING = (
    "Explicitly requested dtype float64 requested in zeros is not available, "
    "and will be truncated to dtype float32. To enable more dtypes, set the "
    "jax_enable_x64 configuration option or the JAX_ENABLE_X64 shell "
    "environment variable. See https://github.com/jax-ml/jax#current-gotchas "
    "for more.")


def test_check_user_dtype_supported_warns():
  with pytest.warns(UserWarning) as record:
    dtypes.check_user_dtype_supported(np.float64, "zeros")
  assert [str(w.message) for w in record] == [_X64_WARNING]
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    dtypes.check_user_dtype_supported(np.float32, "zeros")
    dtypes.check_user_dtype_supported(float, "zeros")
    dtypes.check_user_dtype_supported(None, "zeros")
    with config_lib.enable_x64():
      dtypes.check_user_dtype_supported(np.float64, "zeros")
  with config_lib.explicit_x64_dtypes("error"):
    with pytest.raises(ValueError, match="float64 requested in zeros"):
      dtypes.check_user_dtype_supported("float64", "zeros")


def test_check_user_dtype_supported_warning_matches_jax(jax):
  with both_x64(jax, False), pytest.warns(UserWarning) as record:
    jax.numpy.zeros(2, dtype="float64")
  assert _X64_WARNING in [str(w.message) for w in record]


def test_check_user_dtype_supported_rejects():
  with pytest.raises(TypeError, match="got dtype object in ones"):
    dtypes.check_user_dtype_supported("object", "ones")
  with pytest.raises(TypeError, match="Invalid dtype 'floot32'"):
    dtypes.check_user_dtype_supported("floot32")
  with pytest.raises(ValueError, match="dtype=arr.dtype"):
    dtypes.check_user_dtype_supported(np.zeros(2))
  assert dtypes.check_and_canonicalize_user_dtype(int) == np.int32
  with pytest.warns(UserWarning):
    assert dtypes.check_and_canonicalize_user_dtype("int64") == np.int32


def test_result_type_needs_an_argument():
  with pytest.raises(ValueError, match="at least one"):
    dtypes.result_type()
  assert dtypes.result_type(None) == np.float32
  assert config.jax_numpy_dtype_promotion == "standard"


def test_isdtype_matches_jax(jax):
  kinds = ["bool", "signed integer", "unsigned integer", "integral",
           "real floating", "complex floating", "numeric", np.int8,
           ("bool", np.float32)]
  for dt in STRONG_DTYPES:
    for kind in kinds:
      assert dtypes.isdtype(dt, kind) == jax.numpy.isdtype(dt, kind), (dt,
                                                                       kind)
  with pytest.raises(ValueError, match="Unrecognized kind"):
    dtypes.isdtype(np.int8, "integer-ish")


def test_itemsize_bits_and_supports_inf():
  bits = {ml_dtypes.int4: 4, ml_dtypes.uint2: 2, ml_dtypes.int1: 1,
          ml_dtypes.float4_e2m1fn: 4, ml_dtypes.float6_e3m2fn: 6,
          ml_dtypes.bfloat16: 16, np.int8: 8, np.complex128: 128}
  for dt, n in bits.items():
    assert dtypes.itemsize_bits(dt) == n, dt
  assert dtypes.itemsize_bits(dtypes.float0) == 0
  assert dtypes.supports_inf(np.float32)
  assert dtypes.supports_inf(ml_dtypes.float8_e5m2)
  assert not dtypes.supports_inf(ml_dtypes.float8_e4m3fn)
  assert not dtypes.supports_inf(np.int32)
