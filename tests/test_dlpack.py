"""jax.dlpack: from_dlpack and is_supported_dtype, and Array.__dlpack__, against JAX 0.10.2."""
import ml_dtypes
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as lnp
from jaxlite import dlpack as ldlpack

jax = pytest.importorskip("jax")
import jax.dlpack as jdlpack  # noqa: E402

# (NumPy cannot export bfloat16 through DLPack, so neither library can import it from NumPy.)
DTYPES = [np.int8, np.uint16, np.int32, np.float16, np.float32,
          np.complex64, np.bool_]


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_arrays_come_in_as_jax_s(dtype):
  x = (np.arange(6).reshape(2, 3) % 2).astype(dtype)
  actual, expected = ldlpack.from_dlpack(x), jdlpack.from_dlpack(x)
  assert actual.dtype == expected.dtype and actual.shape == expected.shape
  np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected))


def test_64_bit_data_is_canonicalized_as_jax():
  for x in (np.arange(3, dtype=np.int64), np.linspace(0, 1, 3)):
    actual, expected = ldlpack.from_dlpack(x), jdlpack.from_dlpack(x)
    assert actual.dtype == expected.dtype
    np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected))


def test_jaxlite_arrays_round_trip_and_export():
  a = lnp.arange(6.0).reshape(2, 3)
  assert ldlpack.from_dlpack(a) is a               # already a PJRT buffer: no copy
  copied = ldlpack.from_dlpack(a, copy=True)
  assert copied is not a
  np.testing.assert_array_equal(copied, a)
  # Other libraries read jaxlite arrays through __dlpack__.
  np.testing.assert_array_equal(np.from_dlpack(a), np.arange(6.0).reshape(2, 3))
  np.testing.assert_array_equal(np.asarray(jdlpack.from_dlpack(a)), np.asarray(a))
  assert a.__dlpack_device__() == (1, 0)
  # ... and jaxlite reads JAX's.
  j = jax.numpy.arange(3, dtype=np.int16)
  np.testing.assert_array_equal(ldlpack.from_dlpack(j), np.arange(3, dtype=np.int16))


def test_device_and_copy_arguments():
  devices = jaxlite.devices()
  x = np.arange(3, dtype=np.float32)
  target = devices[-1]
  placed = ldlpack.from_dlpack(x, device=target)
  assert placed.devices() == {target}
  placed = ldlpack.from_dlpack(x, device=jaxlite.sharding.SingleDeviceSharding(target))
  assert placed.devices() == {target}
  if len(devices) > 1:
    with pytest.raises(ValueError, match="requires a copy since the source device"):
      ldlpack.from_dlpack(x, device=target, copy=False)
    mesh = jaxlite.sharding.Mesh(np.array(devices[:2]), ("i",))
    with pytest.raises(ValueError, match="onto a singular device, but a Sharding with 2"):
      ldlpack.from_dlpack(x, device=jaxlite.sharding.NamedSharding(
          mesh, jaxlite.sharding.PartitionSpec()))


def test_is_supported_dtype_matches_jax():
  for dtype in ["float32", "int64", "bfloat16", "bool", "complex128", "float8_e4m3fn",
                "int4", np.float64, ml_dtypes.float8_e5m2]:
    assert ldlpack.is_supported_dtype(dtype) == jdlpack.is_supported_dtype(dtype), dtype
  for mod in (ldlpack, jdlpack):
    with pytest.raises(TypeError, match="Expected a string or dtype-like object; got dtype=None"):
      mod.is_supported_dtype(None)


def test_objects_without_the_protocol_raise_jaxs_error():
  for mod in (ldlpack, jdlpack):
    with pytest.raises(TypeError, match="must have __dlpack__ and __dlpack_device__ methods"):
      mod.from_dlpack([1, 2])


def test_dunder_dlpack_options_match_jax():
  for lib in (jaxlite.numpy, jax.numpy):
    a = lib.arange(3.0)
    np.testing.assert_array_equal(np.from_dlpack(a, copy=True), [0., 1., 2.])
    assert type(a.__dlpack__(dl_device=(1, 0), max_version=(1, 0))).__name__ == "PyCapsule"
    with pytest.raises(BufferError, match=r"does not support any version below \(0, 5\)"):
      a.__dlpack__(max_version=(0, 4))
    with pytest.raises(BufferError, match="unsupported device type \\(DLDeviceType: 5\\)"):
      a.__dlpack__(dl_device=(5, 0))
