"""jax.ffi: jaxlib's own LAPACK FFI targets called through ffi_call, eagerly,
under jit and vmap, compared with JAX's ffi_call and with jnp.linalg."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import ffi

jax = pytest.importorskip("jax")


@pytest.fixture(scope="module", autouse=True)
def lapack_targets():
  from jaxlib.cpu import _lapack
  _lapack.initialize()
  for name in ("lapack_spotrf_ffi", "lapack_sgetrf_ffi"):
    ffi.register_ffi_target(name, _lapack.registrations()[name])


def _spd(n, batch=()):
  rng = np.random.default_rng(0)
  a = rng.standard_normal(batch + (n, n)).astype(np.float32)
  return a @ np.swapaxes(a, -1, -2) + n * np.eye(n, dtype=np.float32)


def _potrf(api, a, **call_kwargs):
  structs = (api.ShapeDtypeStruct(a.shape, a.dtype),
             api.ShapeDtypeStruct(a.shape[:-2], np.int32))
  layout = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)   # column-major matrices
  return api.ffi.ffi_call("lapack_spotrf_ffi", structs, input_layouts=[layout],
                          output_layouts=[layout, None], **call_kwargs)


def test_potrf_matches_jax_and_cholesky():
  a = _spd(4)
  ours, info = _potrf(jaxlite, a)(jnp.asarray(a), uplo=np.uint8(ord("L")))
  theirs, their_info = _potrf(jax, a)(jax.numpy.asarray(a), uplo=np.uint8(ord("L")))
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
  assert int(info) == int(their_info) == 0
  np.testing.assert_allclose(np.tril(np.asarray(ours)), np.asarray(jnp.linalg.cholesky(a)),
                             rtol=1e-5, atol=1e-6)


def test_getrf_matches_lu_under_jit():
  a = np.random.default_rng(1).standard_normal((3, 3)).astype(np.float32)
  col = (1, 0)
  call = ffi.ffi_call("lapack_sgetrf_ffi",
                      (jaxlite.ShapeDtypeStruct((3, 3), np.float32),
                       jaxlite.ShapeDtypeStruct((3,), np.int32),
                       jaxlite.ShapeDtypeStruct((), np.int32)),
                      input_layouts=[col], output_layouts=[col, None, None])
  lu, pivots, info = jaxlite.jit(call)(jnp.asarray(a))
  jlu, jpivots, _ = jax.lax.linalg.lu(a)
  np.testing.assert_allclose(np.asarray(lu), np.asarray(jlu), rtol=1e-5, atol=1e-6)
  np.testing.assert_array_equal(np.asarray(pivots) - 1, np.asarray(jpivots))   # 1-based
  assert int(info) == 0
  text = jaxlite.jit(call).lower(jnp.asarray(a)).as_text()
  assert "lapack_sgetrf_ffi" in text and "api_version = 4" in text


@pytest.mark.parametrize("vmap_method", ["sequential", "sequential_unrolled", "expand_dims",
                                         "broadcast_all", "legacy_vectorized"])
def test_vmap_methods_match_jax(vmap_method):
  a = _spd(3, (2,))
  two_d = a[0]
  outs = []
  for api, np_ in ((jaxlite, jnp), (jax, jax.numpy)):
    call = _potrf(api, two_d, vmap_method=vmap_method)
    factor, info = api.vmap(lambda m: call(m, uplo=np.uint8(ord("L"))))(np_.asarray(a))
    outs.append((np.asarray(factor), np.asarray(info)))
  np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-6)
  np.testing.assert_array_equal(outs[0][1], outs[1][1])


def test_vmap_without_method_raises_as_jax():
  a = _spd(3, (2,))
  messages = []
  for api, np_ in ((jaxlite, jnp), (jax, jax.numpy)):
    call = _potrf(api, a[0])
    with pytest.raises(NotImplementedError) as info:
      api.vmap(lambda m: call(m, uplo=np.uint8(ord("L"))))(np_.asarray(a))
    messages.append(str(info.value).split("Got")[0])
  assert messages[0] == messages[1]


def test_differentiation_raises_as_jax():
  a = _spd(2)
  messages = []
  for api, np_ in ((jaxlite, jnp), (jax, jax.numpy)):
    call = _potrf(api, a)
    with pytest.raises(ValueError) as info:
      api.grad(lambda m: call(m, uplo=np.uint8(ord("L")))[0].sum())(np_.asarray(a))
    messages.append(str(info.value).splitlines()[0])
  assert messages[0] == messages[1]


def test_argument_errors_as_jax():
  a = _spd(2)
  for api, np_ in ((jaxlite, jnp), (jax, jax.numpy)):
    with pytest.raises(ValueError, match="vmap_method must be on of"):
      api.ffi.ffi_call("lapack_spotrf_ffi", [], vmap_method="nope")
    with pytest.raises(ValueError, match="legacy_backend_config"):
      api.ffi.ffi_call("x", [], legacy_backend_config="cfg")
    with pytest.raises(ValueError, match="must have 'shape' and 'dtype'"):
      api.ffi.ffi_call("x", [1])
    call = api.ffi.ffi_call("lapack_spotrf_ffi", api.ShapeDtypeStruct((2, 2), np.float32),
                            input_layouts=[None, None])
    with pytest.raises(ValueError, match=r"number of input arguments \(1\)"):
      call(np_.asarray(a))
    call = api.ffi.ffi_call("lapack_spotrf_ffi", api.ShapeDtypeStruct((3,), np.float32),
                            input_output_aliases={0: 0})
    with pytest.raises(ValueError, match="different abstract value"):
      call(np_.asarray(a))
    with pytest.raises(TypeError, match="Non-hashable keyword argument"):
      api.ffi.ffi_call("lapack_spotrf_ffi", api.ShapeDtypeStruct((2, 2), np.float32))(
          np_.asarray(a), bad=[1])


def test_side_effect_keeps_the_call_and_attributes_convert():
  call = _potrf(jaxlite, _spd(2), has_side_effect=True)
  closed = jaxlite.make_jaxpr(lambda m: (call(m, uplo=np.uint8(76)), m)[1])(jnp.ones((2, 2)))
  assert [e.primitive.name for e in closed.jaxpr.eqns] == ["ffi_call"]
  assert closed.jaxpr.eqns[0].effects
  from jaxlite.interpreters import mlir
  from jax._src.interpreters import mlir as jax_mlir   # the same jaxlib MLIR bindings
  values = (np.uint8(76), 2, 1.5, True, "L", [1, 2], {"k": np.float32(2)},
            np.arange(2, dtype=np.int32), np.float16(0.5))
  with mlir.ir().Context(), mlir.ir().Location.unknown():
    ours = [str(ffi.attribute(v)) for v in values]
    theirs = [str(jax_mlir.ir_attribute(v)) for v in values]
  assert ours == theirs and ours[0] == "76 : ui8"


def test_helpers():
  import ctypes
  import os
  assert ffi.include_dir() == jax.ffi.include_dir()
  assert os.path.isdir(ffi.include_dir())
  assert type(ffi.pycapsule(ctypes.CDLL(None).abs)).__name__ == "PyCapsule"
  with pytest.raises(ValueError, match="after jaxlib version 381"):
    ffi.register_ffi_type_id("t", None)
  ffi.register_ffi_target_as_batch_partitionable("lapack_spotrf_ffi")
