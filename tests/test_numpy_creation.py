"""jnp array creation against NumPy (values, dtypes, weak types against JAX)."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp


def _check(got, want, dtype=None, rtol=1e-6):
  got = np.asarray(got)
  assert got.shape == np.shape(want)
  if dtype is not None:
    assert got.dtype == dtype
  np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6)


def test_array_and_asarray():
  _check(jnp.array([1, 2]), [1, 2], np.int32)
  _check(jnp.array([[1.0], [2.0]]), [[1.0], [2.0]], np.float32)
  _check(jnp.array(np.arange(3, dtype=np.float64)), np.arange(3), np.float32)
  _check(jnp.array([1, 2], dtype=jnp.float16), [1, 2], np.float16)
  _check(jnp.array([jnp.ones(2), np.zeros(2)]), [[1, 1], [0, 0]], np.float32)
  _check(jnp.array(3, ndmin=2), [[3]], np.int32)
  x = jnp.arange(3)
  assert jnp.asarray(x) is x
  assert jnp.array(x) is not x
  _check(jnp.asarray(x, dtype=jnp.float32), [0, 1, 2], np.float32)
  _check(jnp.frombuffer(b"\x01\x02", dtype=jnp.uint8), [1, 2], np.uint8)
  with pytest.raises(TypeError):
    jnp.array(["a"])
  with pytest.raises(TypeError):
    jnp.array([1, None])


@pytest.mark.parametrize("value", [1.0, 1, True, 1j, [1.0], np.float32(1)])
def test_array_weak_types_match_jax(value):
  jax_jnp = pytest.importorskip("jax.numpy")
  ours, theirs = jnp.array(value), jax_jnp.array(value)
  assert ours.dtype == theirs.dtype and ours.weak_type == theirs.weak_type


def test_filled_arrays():
  _check(jnp.zeros((2, 3)), np.zeros((2, 3)), np.float32)
  _check(jnp.ones(2, jnp.int8), np.ones(2), np.int8)
  _check(jnp.empty((0, 2)), np.empty((0, 2)), np.float32)
  _check(jnp.full((2,), 7), [7, 7], np.int32)
  _check(jnp.full((2, 2), np.array([1.0, 2.0])), [[1, 2], [1, 2]], np.float32)
  x = jnp.arange(4.0).reshape(2, 2)
  _check(jnp.zeros_like(x), np.zeros((2, 2)), np.float32)
  _check(jnp.ones_like(x, dtype=jnp.int32), np.ones((2, 2)), np.int32)
  _check(jnp.full_like(x, 5, shape=(3,)), [5, 5, 5], np.float32)
  _check(jnp.empty_like(x), np.zeros((2, 2)))
  _check(jnp.copy(x), np.arange(4.0).reshape(2, 2))
  _check(jaxlite.jit(lambda v: jnp.full((2,), v))(3.0), [3, 3])
  assert jnp.zeros(()).shape == ()


def test_creation_weak_types_match_jax():
  jax_jnp = pytest.importorskip("jax.numpy")
  for ours, theirs in [(jnp.full((2,), 1.0), jax_jnp.full((2,), 1.0)),
                       (jnp.zeros_like(jnp.array(1.0)), jax_jnp.zeros_like(jax_jnp.array(1.0))),
                       (jnp.arange(3.0), jax_jnp.arange(3.0)),
                       (jnp.linspace(0, 1, 3), jax_jnp.linspace(0, 1, 3))]:
    assert ours.dtype == theirs.dtype and ours.weak_type == theirs.weak_type


def test_shapes_must_be_concrete():
  from jaxlite import core
  with pytest.raises(core.ConcretizationTypeError, match="Shapes must be 1D sequences"):
    jaxlite.jit(lambda n: jnp.zeros(n))(3)
  with pytest.raises(core.ConcretizationTypeError):
    jaxlite.jit(lambda n: jnp.ones((2, n)))(3)
  with pytest.raises(TypeError, match="shape must have every element be nonnegative"):
    jnp.zeros(-1)   # JAX's error, from broadcast_in_dim


@pytest.mark.parametrize("args", [(5,), (2, 7), (1, 8, 3), (5, 1, -2), (0.5, 2.0, 0.5),
                                  (3, 0), (-1.5, 1.0)])
def test_arange(args):
  want = np.arange(*args)
  _check(jnp.arange(*args), want, np.int32 if want.dtype.kind == "i" else np.float32)


def test_arange_dtype():
  _check(jnp.arange(4, dtype=jnp.float16), np.arange(4), np.float16)
  _check(jnp.arange(1, 2, 0.25, dtype=jnp.float32), np.arange(1, 2, 0.25), np.float32)


@pytest.mark.parametrize("kwargs", [dict(num=5), dict(num=4, endpoint=False), dict(num=1),
                                    dict(num=0), dict(num=3, dtype=np.int32)])
def test_linspace(kwargs):
  want = np.linspace(0.0, 3.0, **kwargs)
  _check(jnp.linspace(0.0, 3.0, **kwargs), want, want.dtype if "dtype" in kwargs else
         np.float32)


def test_linspace_arrays_retstep_axis():
  out, step = jnp.linspace(np.array([0.0, 1.0]), 5.0, 4, retstep=True, axis=1)
  want, wstep = np.linspace(np.array([0.0, 1.0]), 5.0, 4, retstep=True, axis=1)
  _check(out, want)
  _check(step, wstep)


def test_logspace_geomspace():
  _check(jnp.logspace(0, 2, 3), np.logspace(0, 2, 3), np.float32, rtol=1e-5)
  _check(jnp.logspace(0, 3, 4, base=2.0, endpoint=False),
         np.logspace(0, 3, 4, base=2.0, endpoint=False), rtol=1e-5)
  _check(jnp.geomspace(1, 1000, 4), np.geomspace(1, 1000, 4), rtol=1e-5)
  _check(jnp.geomspace(-1, -16, 5), np.geomspace(-1, -16, 5), rtol=1e-5)


@pytest.mark.parametrize("args", [(3,), (2, 4), (3, 3, 1), (3, 2, -1)])
def test_eye_and_tri(args):
  _check(jnp.eye(*args), np.eye(*args), np.float32)
  _check(jnp.tri(*args), np.tri(*args), np.float32)


def test_identity_tril_triu():
  _check(jnp.identity(2, jnp.int32), np.identity(2), np.int32)
  m = np.arange(24.0).reshape(2, 3, 4)
  for k in (-1, 0, 2):
    _check(jnp.tril(m, k), np.tril(m, k))
    _check(jnp.triu(m, k), np.triu(m, k))
  with pytest.raises(ValueError):
    jnp.tril(jnp.ones(3))


def test_meshgrid_indices_fromfunction():
  x, y = np.arange(2), np.arange(3.0)
  for indexing in ("xy", "ij"):
    for sparse in (False, True):
      for got, want in zip(jnp.meshgrid(x, y, indexing=indexing, sparse=sparse),
                           np.meshgrid(x, y, indexing=indexing, sparse=sparse)):
        _check(got, want)
  _check(jnp.indices((2, 3)), np.indices((2, 3)), np.int32)
  for got, want in zip(jnp.indices((2, 3), sparse=True), np.indices((2, 3), sparse=True)):
    _check(got, want)
  _check(jnp.fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=jnp.int32),
         np.fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=int), np.int32)


def test_astype():
  x = jnp.array([1.7, -2.5])
  _check(jnp.astype(x, jnp.int32), [1, -2], np.int32)
  _check(x.astype(bool), [True, True], np.bool_)
  _check(jnp.astype(jnp.array([1 + 2j]), jnp.float32), [1.0], np.float32)
