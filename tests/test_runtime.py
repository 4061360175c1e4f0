"""Tests for jaxlite.runtime: backends, devices, Array, transfers.

JAX, where installed, is the oracle for reprs and dtype canonicalisation.
"""
import json
import operator
import os
import pickle
import subprocess
import sys
import textwrap

import ml_dtypes
import numpy as np
import pytest

from jaxlite.config import config
from jaxlite.core import ShapedArray
from jaxlite.runtime import backend
from jaxlite.runtime import transfer
from jaxlite.runtime.array import Array

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ALL_DTYPES = [
    np.bool_, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64,
    np.float16, ml_dtypes.bfloat16, np.float32, np.float64,
    np.complex64, np.complex128,
    ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2,
    ml_dtypes.float8_e4m3fnuz, ml_dtypes.float8_e5m2fnuz,
    ml_dtypes.float8_e4m3b11fnuz,
]
# What each dtype becomes while x64 is off.
NARROWED = {np.dtype(np.int64): np.dtype(np.int32),
            np.dtype(np.uint64): np.dtype(np.uint32),
            np.dtype(np.float64): np.dtype(np.float32),
            np.dtype(np.complex128): np.dtype(np.complex64)}


def run_python(code, **env_updates):
  """Runs `code` in a fresh interpreter; returns its stdout (asserting rc 0)."""
  env = dict(os.environ)
  env.pop("XLA_FLAGS", None)
  env.update(env_updates)
  env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
  proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                        capture_output=True, text=True, env=env, timeout=120)
  assert proc.returncode == 0, proc.stderr[-3000:]
  return proc.stdout


def sample(dtype, shape):
  """Deterministic values that every dtype can represent exactly."""
  n = int(np.prod(shape))
  base = np.arange(n) % 7 - 3
  if np.dtype(dtype) == np.bool_:
    values = base % 2 == 0
  elif np.issubdtype(np.dtype(dtype), np.unsignedinteger):
    values = base + 3
  elif np.issubdtype(np.dtype(dtype), np.complexfloating):
    values = base + 0.5j * base
  elif np.issubdtype(np.dtype(dtype), np.integer):
    values = base
  else:
    values = base * 0.5
  return np.asarray(values).astype(dtype).reshape(shape)


def assert_bits_equal(actual, expected):
  assert actual.dtype == expected.dtype
  assert actual.shape == expected.shape
  np.testing.assert_array_equal(
      np.ascontiguousarray(actual).view(np.uint8),
      np.ascontiguousarray(expected).view(np.uint8))


@pytest.fixture
def x64():
  config.update("jax_enable_x64", True)
  try:
    yield
  finally:
    config.update("jax_enable_x64", False)


# ---------------------------------------------------------------------------
# Import cost and laziness
# ---------------------------------------------------------------------------


def test_import_jaxlite_imports_neither_jax_nor_jaxlib():
  out = run_python("""
      import sys, json
      import jaxlite
      import jaxlite.runtime.backend as backend
      import jaxlite.runtime.array, jaxlite.runtime.transfer
      print(json.dumps(['jax' in sys.modules,
                        'jaxlib.xla_client' in sys.modules,
                        backend.client_created()]))
  """)
  assert json.loads(out) == [False, False, False]


def test_host_transfers_do_not_import_jax():
  # jaxlib's own device-to-host path imports jax; jaxlite's must not.
  out = run_python("""
      import sys, json
      import numpy as np, ml_dtypes
      from jaxlite.runtime import transfer, backend
      x = transfer.device_put([np.arange(3.0), np.ones(2, ml_dtypes.bfloat16),
                               True, 2])
      host = transfer.device_get(x)
      repr(x[0]); float(transfer.device_put(1.5))
      devs = backend.local_devices()
      r = transfer.device_put_replicated(np.arange(2), devs)
      host_r = transfer.device_get(r)
      print(json.dumps(['jax' in sys.modules, backend.client_created(),
                        host[0].tolist(), host_r.tolist()]))
  """, XLA_FLAGS="--xla_force_host_platform_device_count=2")
  assert json.loads(out) == [False, True, [0.0, 1.0, 2.0], [[0, 1], [0, 1]]]


# ---------------------------------------------------------------------------
# Backends and devices
# ---------------------------------------------------------------------------


def test_xla_flags_device_count():
  out = run_python(
      "import jaxlite.runtime.backend as b; print(b.device_count())",
      XLA_FLAGS="--xla_force_host_platform_device_count=8")
  assert out.strip() == "8"


def test_cpu_device_count_from_flags():
  assert backend.cpu_device_count_from_flags(
      "--foo=1 --xla_force_host_platform_device_count=3") == 3
  assert backend.cpu_device_count_from_flags("--foo=1") is None
  assert backend.cpu_device_count_from_flags("") is None


def test_num_cpu_devices_option_wins_over_default():
  out = run_python("""
      from jaxlite.config import config
      config.update('jax_num_cpu_devices', 3)
      import jaxlite.runtime.backend as b
      print(b.device_count(), b.local_device_count())
  """)
  assert out.split() == ["3", "3"]


def test_unavailable_backend_raises_with_available_list():
  with pytest.raises(RuntimeError, match=r"gpu.*cpu|cpu.*gpu"):
    backend.get_backend("gpu")
  with pytest.raises(RuntimeError, match="Unknown backend"):
    backend.get_backend("abacus")
  with pytest.raises(RuntimeError, match="tpu"):
    backend.devices("tpu")


def test_jax_platforms_gpu_without_plugin_is_a_clear_error():
  out = run_python("""
      import jaxlite.runtime.backend as b
      try:
        b.devices()
      except RuntimeError as e:
        print("RuntimeError:", e)
  """, JAX_PLATFORMS="gpu")
  assert out.startswith("RuntimeError:")
  assert "gpu" in out


def test_plugin_with_a_bad_library_path_fails_clearly():
  out = run_python("""
      import jaxlite.runtime.backend as b
      try:
        b.get_backend()
      except RuntimeError as e:
        print("RuntimeError:", e)
  """, JAX_PLATFORMS="cuda",
      PJRT_NAMES_AND_LIBRARY_PATHS="cuda:/nonexistent/pjrt_c_api_cuda.so")
  assert out.startswith("RuntimeError: Unable to initialize backend 'cuda'")
  assert "/nonexistent/" in out


def test_clients_are_created_once_across_threads():
  out = run_python("""
      import threading
      import jaxlite.runtime.backend as b
      clients = []
      threads = [threading.Thread(target=lambda: clients.append(b.get_backend()))
                 for _ in range(8)]
      for t in threads: t.start()
      for t in threads: t.join()
      print(len(clients), len({id(c) for c in clients}))
  """)
  assert out.split() == ["8", "1"]


def test_jaxlite_platforms_cpu():
  out = run_python("""
      import jaxlite.runtime.backend as b
      print(b.default_backend(), b.client_created())
  """, JAXLITE_PLATFORMS="cpu")
  assert out.split() == ["cpu", "True"]


def test_devices_api():
  devs = backend.devices()
  assert devs and all(d.platform == "cpu" for d in devs)
  assert backend.device_count() == len(devs)
  assert backend.local_devices() == devs
  assert backend.local_devices(process_index=0) == devs
  assert backend.local_device_count() == len(devs)
  assert backend.process_index() == 0
  assert backend.process_count() == 1
  assert backend.default_backend() == "cpu"
  assert backend.default_device() == devs[0]
  assert backend.get_backend("cpu") is backend.get_backend()
  assert backend.get_backend(backend.get_backend()) is backend.get_backend()
  assert backend.client_created()
  assert [d.id for d in devs] == list(range(len(devs)))


def test_distributed_state_seam_is_empty_by_default():
  assert not backend.distributed_state.is_initialized()


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (5,), (2, 3)])
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip_is_exact(dtype, shape):
  x = sample(dtype, shape)
  y = transfer.device_put(x)
  expected_dtype = NARROWED.get(np.dtype(dtype), np.dtype(dtype))
  assert isinstance(y, Array)
  assert y.shape == shape and y.dtype == expected_dtype and not y.weak_type
  out = transfer.device_get(y)
  assert isinstance(out, np.ndarray)
  assert_bits_equal(out, x.astype(expected_dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip_is_exact_with_x64(x64, dtype):
  x = sample(dtype, (2, 3))
  y = transfer.device_put(x)
  assert y.dtype == np.dtype(dtype)
  assert_bits_equal(transfer.device_get(y), x)


def test_float64_comes_back_float32_without_x64():
  out = transfer.device_get(transfer.device_put(np.array([1.5, 2.25])))
  assert out.dtype == np.float32
  np.testing.assert_array_equal(out, [1.5, 2.25])


def test_special_float_values_round_trip():
  x = np.array([np.nan, np.inf, -np.inf, -0.0, 1e-40], np.float32)
  assert_bits_equal(transfer.device_get(transfer.device_put(x)), x)


def test_python_scalars_are_weakly_typed():
  cases = [(1.5, np.float32, True), (3, np.int32, True),
           (1 + 2j, np.complex64, True), (True, np.bool_, False),
           (np.float32(2), np.float32, False), (np.int64(4), np.int32, False)]
  for value, dtype, weak in cases:
    y = transfer.device_put(value)
    assert (y.dtype, y.weak_type, y.shape) == (np.dtype(dtype), weak, ())
    assert transfer.device_get(y) == value


def test_python_scalar_dtypes_match_jax():
  jax = pytest.importorskip("jax")
  for value in [1.5, 3, 1 + 2j, True, np.float64(2), np.uint64(7),
                np.array([1, 2], np.int64)]:
    ours, theirs = transfer.device_put(value), jax.device_put(value)
    assert (ours.dtype, ours.weak_type) == (theirs.dtype, theirs.weak_type)


def test_put_numpy_keeps_dtype_and_does_not_alias_host_memory():
  host = np.zeros(1000, np.float64)
  y = transfer.put_numpy(host, weak_type=True)
  host[0] = 5
  assert y.dtype == np.float64 and y.weak_type and not y.committed
  assert y._value[0] == 0
  z = transfer.put_numpy(np.int8(3))
  assert z.shape == () and z.dtype == np.int8 and int(z) == 3


def test_device_get_pytrees_and_non_arrays():
  tree = {"a": transfer.device_put(np.arange(3)), "b": (1, "text", None),
          "c": [transfer.device_put(2.0)]}
  out = transfer.device_get(tree)
  assert set(out) == {"a", "b", "c"}
  np.testing.assert_array_equal(out["a"], [0, 1, 2])
  assert out["b"] == (1, "text", None)
  assert isinstance(out["c"][0], np.ndarray) and out["c"][0] == 2.0
  assert transfer.device_get(1) == 1


def test_device_put_pytree_structure():
  out = transfer.device_put({"x": [1, 2.0], "y": (np.ones(2),), "z": None})
  assert set(out) == {"x", "y", "z"} and out["z"] is None
  assert [type(v) for v in out["x"]] == [Array, Array]
  assert out["y"][0].shape == (2,)


def test_commitment():
  x = transfer.device_put(np.ones(3))
  assert not x.committed
  assert transfer.device_put(x) is x
  dev = backend.devices()[0]
  y = transfer.device_put(x, dev)
  assert y.committed and y.device == dev
  np.testing.assert_array_equal(y, x)
  assert transfer.device_put(y, dev) is y
  z = transfer.device_put(np.ones(3), dev)
  assert z.committed


def test_device_put_to_another_device():
  devs = backend.local_devices()
  if len(devs) < 2:
    pytest.skip("needs two devices")
  x = transfer.device_put(np.arange(4), devs[0])
  y = transfer.device_put(x, devs[1])
  assert y.devices() == {devs[1]} and y.committed
  np.testing.assert_array_equal(y, [0, 1, 2, 3])
  s = transfer.put_numpy(np.arange(2), devs[1])
  assert s.device == devs[1]
  sh = transfer.device_put(np.ones(2), s.sharding)
  assert sh.device == devs[1]


@pytest.mark.parametrize("bad", ["abc", b"xyz", np.array(["a", "b"]),
                                 np.array([object()]), object(),
                                 np.datetime64(1, "D")],
                         ids=["str", "bytes", "str_array", "object_array",
                              "object", "datetime"])
def test_invalid_types_raise_type_error(bad):
  with pytest.raises(TypeError, match=r"not a valid JAX (array )?type"):
    transfer.device_put(bad)


def test_invalid_leaf_changes_nothing():
  tree = [np.ones(2), "abc"]
  with pytest.raises(TypeError, match="<class 'str'>"):
    transfer.device_put(tree)
  assert isinstance(tree[0], np.ndarray) and tree[1] == "abc"


def test_invalid_type_messages_match_jax():
  jax = pytest.importorskip("jax")
  for bad in ["abc", np.array(["a"]), np.array([object()])]:
    with pytest.raises(TypeError) as ours:
      transfer.device_put(bad)
    with pytest.raises(TypeError) as theirs:
      jax.device_put(bad)
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------------------
# Array
# ---------------------------------------------------------------------------

REPR_CASES = [
    np.array([1., 2.], np.float32), 1.0, 1, True, np.array([True, False]),
    np.arange(12.).reshape(3, 4), np.zeros((0, 3), np.float32),
    np.zeros(0, np.int32), np.arange(40.), np.array([1, 2], np.uint8),
    np.array([1.5], ml_dtypes.bfloat16), np.array([1 + 2j], np.complex64),
    np.arange(100), np.array(3, np.int32), 2.5 + 1j, np.float32(-0.0),
    np.arange(24).reshape(2, 3, 4), np.array([np.nan, np.inf], np.float32),
    np.array([1e-8, 1e8], np.float32), np.int8(-5),
    # Lengths around where the dtype moves to its own line.
    *[np.arange(n) for n in range(10, 40)],
    *[np.arange(n, dtype=np.float32) / 3 for n in range(1, 12)],
    *[np.arange(n, dtype=np.uint16) for n in range(10, 30)],
]


def test_repr_and_str_match_jax():
  jax = pytest.importorskip("jax")
  for value in REPR_CASES:
    ours, theirs = transfer.device_put(value), jax.device_put(value)
    assert repr(ours) == repr(theirs), value
    assert str(ours) == str(theirs), value


def test_repr_without_jax():
  assert repr(transfer.device_put(np.array([1., 2.], np.float32))) == (
      "Array([1., 2.], dtype=float32)")
  assert repr(transfer.device_put(1.0)) == (
      "Array(1., dtype=float32, weak_type=True)")
  assert repr(transfer.device_put(3)) == "Array(3, dtype=int32, weak_type=True)"
  assert repr(transfer.device_put(np.array([True, False]))) == (
      "Array([ True, False], dtype=bool)")
  assert repr(transfer.device_put(np.zeros((0, 2), np.int32))) == (
      "Array([], shape=(0, 2), dtype=int32)")
  assert repr(transfer.device_put(np.arange(4.).reshape(2, 2))) == (
      "Array([[0., 1.],\n       [2., 3.]], dtype=float32)")


def test_format():
  x = transfer.device_put(np.float32(2.5))
  assert f"{x:.3f}" == "2.500"
  assert f"{transfer.device_put(7):04d}" == "0007"
  assert f"{transfer.device_put(np.arange(2))}" == "[0 1]"


def test_properties():
  x = transfer.device_put(np.ones((2, 3), np.float16))
  assert (x.shape, x.dtype, x.ndim, x.size) == ((2, 3), np.float16, 2, 6)
  assert x.itemsize == 2 and x.nbytes == 12 and not x.weak_type
  assert x.aval == ShapedArray((2, 3), np.float16)
  assert x.devices() == {backend.default_device()}
  assert x.device == backend.default_device()
  assert x.sharding.device_set == {backend.default_device()}
  assert x.is_fully_addressable and x.is_fully_replicated
  assert x.block_until_ready() is x
  [shard] = x.addressable_shards
  assert shard.device == x.device and shard.data is x


def test_scalar_conversions():
  assert float(transfer.device_put(2.5)) == 2.5
  assert int(transfer.device_put(np.int32(7))) == 7
  assert complex(transfer.device_put(1 + 2j)) == 1 + 2j
  assert bool(transfer.device_put(True)) is True
  assert bool(transfer.device_put(np.array([0.0]))) is False
  assert operator.index(transfer.device_put(np.int8(3))) == 3
  assert [10, 20, 30][transfer.device_put(2)] == 30
  assert transfer.device_put(np.int32(4)).item() == 4
  assert transfer.device_put(np.arange(3)).tolist() == [0, 1, 2]
  assert hex(transfer.device_put(255)) == "0xff"


def test_conversion_errors():
  vec = transfer.device_put(np.arange(3.))
  for convert in (float, int, complex):
    with pytest.raises(TypeError, match="Only scalar arrays"):
      convert(vec)
  with pytest.raises(TypeError, match="Only integer scalar arrays"):
    operator.index(transfer.device_put(1.5))
  with pytest.raises(TypeError, match="Only integer scalar arrays"):
    operator.index(transfer.device_put(np.arange(2)))
  with pytest.raises(ValueError, match="more than one element"):
    bool(vec)
  with pytest.raises(ValueError, match="empty array"):
    bool(transfer.device_put(np.zeros(0)))
  with pytest.raises(TypeError, match="len\\(\\) of unsized object"):
    len(transfer.device_put(1.0))
  with pytest.raises(TypeError, match="iteration over a 0-d array"):
    iter(transfer.device_put(1.0))
  with pytest.raises(TypeError, match="unhashable type: 'Array'"):
    hash(vec)
  with pytest.raises(ValueError, match="greater than 1|devices"):
    devs = backend.local_devices()
    if len(devs) < 2:
      raise ValueError("devices")  # nothing to check with one device
    _ = transfer.device_put_replicated(1.0, devs[:2]).device


def test_conversion_errors_match_jax():
  jax = pytest.importorskip("jax")
  cases = [(float, np.arange(3.)), (int, np.arange(2)), (operator.index, 1.5),
           (len, 1.0), (bool, np.arange(3))]
  for convert, value in cases:
    with pytest.raises((TypeError, ValueError)) as ours:
      convert(transfer.device_put(value))
    with pytest.raises((TypeError, ValueError)) as theirs:
      convert(jax.device_put(value))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_len_and_iter_use_getitem():
  class Indexable(Array):
    __slots__ = ()

    def __getitem__(self, i):
      return ("item", i)

  x = transfer.device_put(np.arange(6).reshape(3, 2))
  y = Indexable(x._buf, x.aval)
  assert len(y) == 3
  assert list(y) == [("item", 0), ("item", 1), ("item", 2)]


def test_array_protocol():
  x = transfer.device_put(np.arange(3, dtype=np.int32))
  a = np.asarray(x)
  assert a.dtype == np.int32 and not a.flags.writeable
  np.testing.assert_array_equal(a, [0, 1, 2])
  b = np.array(x, dtype=np.float64)
  assert b.dtype == np.float64 and b.flags.writeable
  c = x.__array__(copy=True)
  c[0] = 9
  assert x._value[0] == 0
  with pytest.raises(ValueError):
    x.__array__(np.float32, copy=False)
  np.testing.assert_array_equal(np.from_dlpack(x), [0, 1, 2])
  assert x.tobytes() == np.arange(3, dtype=np.int32).tobytes()


def test_pickle_round_trip():
  for value in [np.arange(3.), 2.0, np.ones(2, ml_dtypes.bfloat16)]:
    x = transfer.device_put(value)
    y = pickle.loads(pickle.dumps(x))
    assert isinstance(y, Array)
    assert (y.dtype, y.shape, y.weak_type) == (x.dtype, x.shape, x.weak_type)
    assert_bits_equal(y._value, x._value)


def test_deleted_array():
  x = transfer.device_put(np.arange(3.))
  assert not x.is_deleted()
  x.delete()
  assert x.is_deleted()
  uses = [lambda: x._value, lambda: np.asarray(x), x.block_until_ready,
          x.tolist, lambda: transfer.device_get(x),
          lambda: transfer.device_put(x), x.copy_to_host_async,
          x.item]
  for use in uses:
    with pytest.raises(RuntimeError,
                       match=r"^Array has been deleted with shape=float32\[3\]\.$"):
      use()
  assert "deleted" in repr(x)


def test_deleted_array_message_matches_jax():
  jax = pytest.importorskip("jax")
  ours, theirs = (transfer.device_put(np.ones((2, 2), np.int32)),
                  jax.device_put(np.ones((2, 2), np.int32)))
  ours.delete()
  theirs.delete()
  with pytest.raises(RuntimeError) as e1:
    np.asarray(ours)
  with pytest.raises(RuntimeError) as e2:
    np.asarray(theirs)
  assert str(e1.value) == str(e2.value)


def test_value_is_cached_and_read_only():
  x = transfer.device_put(np.arange(3.))
  assert x._value is x._value
  with pytest.raises(ValueError):
    x._value[0] = 1.0


# ---------------------------------------------------------------------------
# One slice per device: device_put_replicated / device_put_sharded
# ---------------------------------------------------------------------------


def _multi_devices(n=4):
  devs = backend.local_devices()
  if len(devs) < 2:
    pytest.skip("needs several devices (conftest asks for 8)")
  return devs[:n]


def test_device_put_replicated():
  devs = _multi_devices()
  x = np.array([1., 2., 3.], np.float32)
  y = transfer.device_put_replicated(x, devs)
  assert y.shape == (len(devs), 3) and y.dtype == np.float32
  np.testing.assert_array_equal(y, np.stack([x] * len(devs)))
  assert y.devices() == set(devs)
  shards = y.addressable_shards
  assert [s.device for s in shards] == list(devs)
  for i, s in enumerate(shards):
    assert s.index == (i,) and s.data.shape == (3,)  # leading axis dropped
    assert s.data._buf.aval.shape == (3,)
    assert s.data.devices() == {devs[i]}
    np.testing.assert_array_equal(s.data, x)
  assert not y.is_fully_replicated and y.is_fully_addressable
  with pytest.raises(ValueError, match="non-empty sequence"):
    transfer.device_put_replicated(x, [])


def test_device_put_replicated_pytree_and_scalars():
  devs = _multi_devices(2)
  y = transfer.device_put_replicated({"a": 1.0, "b": np.arange(2)}, devs)
  assert y["a"].shape == (2,) and y["a"].weak_type
  np.testing.assert_array_equal(y["b"], [[0, 1], [0, 1]])
  assert y["b"].dtype == np.int32


def test_device_put_sharded():
  devs = _multi_devices()
  shards = [np.arange(3) + 10 * i for i in range(len(devs))]
  y = transfer.device_put_sharded(shards, devs)
  assert y.shape == (len(devs), 3) and y.dtype == np.int32
  np.testing.assert_array_equal(y, np.stack(shards))
  for i, (s, piece) in enumerate(zip(y.addressable_shards, y)):
    assert s.device == devs[i] and piece.devices() == {devs[i]}
    np.testing.assert_array_equal(piece, shards[i])
  assert repr(y).startswith("Array([[ 0,  1,  2],")


def test_device_put_sharded_pytrees_as_in_the_docs():
  devs = _multi_devices()
  x = [(i, np.arange(i, i + 4)) for i in range(len(devs))]
  y = transfer.device_put_sharded(x, devs)
  assert isinstance(y, tuple)
  y0 = transfer.device_put_sharded([a for a, b in x], devs)
  y1 = transfer.device_put_sharded([b for a, b in x], devs)
  np.testing.assert_array_equal(y[0], y0)
  np.testing.assert_array_equal(y[1], y1)
  np.testing.assert_array_equal(list(y[1])[2], [2, 3, 4, 5])


def test_device_put_sharded_errors():
  devs = _multi_devices(2)
  with pytest.raises(ValueError, match=r"len\(shards\) = 1 must equal"):
    transfer.device_put_sharded([np.ones(2)], devs)
  with pytest.raises(ValueError, match="consistent shape and dtype"):
    transfer.device_put_sharded([np.ones(2), np.ones(3)], devs)
  with pytest.raises(ValueError, match="tree structure"):
    transfer.device_put_sharded([(1, 2), [1, 2]], devs)
  with pytest.raises(TypeError, match="must be a sequence"):
    transfer.device_put_sharded(np.ones((2, 2)), devs)


def test_one_device_stack_is_a_plain_array():
  dev = backend.local_devices()[:1]
  y = transfer.device_put_sharded([np.arange(2)], dev)
  assert y.shape == (1, 2) and y.is_fully_replicated
  np.testing.assert_array_equal(y, [[0, 1]])


def _all_reduce_module(n):
  group = ",".join(map(str, range(n)))
  return f"""
module @m attributes {{mhlo.num_replicas = {n} : i32, mhlo.num_partitions = 1 : i32}} {{
  func.func public @main(%arg0: tensor<3xi32>) -> tensor<3xi32> {{
    %0 = "stablehlo.all_reduce"(%arg0) ({{
    ^bb0(%a: tensor<i32>, %b: tensor<i32>):
      %s = stablehlo.add %a, %b : tensor<i32>
      stablehlo.return %s : tensor<i32>
    }}) {{replica_groups = dense<[[{group}]]> : tensor<1x{n}xi64>}} : (tensor<3xi32>) -> tensor<3xi32>
    return %0 : tensor<3xi32>
  }}
}}"""


def test_leading_axis_array_runs_on_replicas():
  from jaxlib import _jax
  from jaxlib import xla_client as xc
  devs = _multi_devices()
  n = len(devs)
  x = transfer.device_put_sharded([np.arange(3) + 10 * i for i in range(n)],
                                  devs)
  opts = xc.CompileOptions()
  opts.num_replicas = n
  opts.device_assignment = xc.DeviceAssignment.create(
      np.arange(n).reshape(n, 1))
  exe = backend.get_backend().compile_and_load(
      _all_reduce_module(n), _jax.DeviceList(tuple(devs)), opts)
  expected = np.arange(3) * n + 10 * sum(range(n))
  # Wrapped back into one leading-axis array by a result handler.
  handler = xc.array_result_handler(x.aval, x.sharding, True, True)
  [out] = exe.execute_sharded([x._buf]).consume_with_handlers([handler])
  y = Array(out, x.aval)
  np.testing.assert_array_equal(y, np.stack([expected] * n))
  assert [s.device for s in y.addressable_shards] == list(devs)
  # Or taken apart, one global_shape[1:] array per device.
  [per_device] = exe.execute_sharded([x._buf]).disassemble_into_single_device_arrays()
  assert len(per_device) == n
  for d, buf in zip(devs, per_device):
    piece = Array(buf, ShapedArray((3,), np.int32))
    assert piece.devices() == {d}
    np.testing.assert_array_equal(piece, expected)


def test_multi_device_in_a_fresh_process():
  # Independent of conftest's XLA_FLAGS: 8 CPU devices, replicated and sharded.
  out = run_python("""
      import json, numpy as np
      from jaxlite.runtime import backend, transfer
      devs = backend.local_devices()
      y = transfer.device_put_replicated(np.arange(2.0), devs)
      z = transfer.device_put_sharded([np.full(2, i) for i in range(len(devs))],
                                      devs)
      print(json.dumps([len(devs), list(y.shape), transfer.device_get(z)[:, 0].tolist(),
                        sorted(d.id for d in z.devices())]))
  """, XLA_FLAGS="--xla_force_host_platform_device_count=8")
  assert json.loads(out) == [8, [8, 2], list(range(8)), list(range(8))]


def test_programs_run_on_the_device_their_arguments_are_committed_to():
  # Regression: one-replica programs were compiled without a device
  # assignment, so XLA ran them on device 0 and rejected arguments committed
  # to any other device.
  import jaxlite
  import jaxlite.numpy
  if jaxlite.device_count() < 3:
    pytest.skip("needs 3 devices")
  dev = jaxlite.devices()[2]
  z = jaxlite.device_put(jaxlite.numpy.arange(4.0), dev)
  out = jaxlite.jit(lambda a: a * 2.0)(z)
  np.testing.assert_array_equal(np.asarray(out), [0.0, 2.0, 4.0, 6.0])
  eager = jaxlite.numpy.sin(z)
  np.testing.assert_allclose(np.asarray(eager), np.sin(np.arange(4.0)), rtol=1e-6)
  assert out.devices() == {dev} and eager.devices() == {dev}
