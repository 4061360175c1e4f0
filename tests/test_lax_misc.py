"""Tests for jaxlite.lax.misc: reduce_precision, copy_p, rng_bit_generator."""
import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching


def test_reduce_precision_rounds_to_format():
  import ml_dtypes
  x = np.array([1.1, -3.3, 1e-3, 65504., 6e4], np.float32)
  got = lax.reduce_precision(x, 8, 7)   # bfloat16's format
  np.testing.assert_array_equal(got, x.astype(ml_dtypes.bfloat16).astype(np.float32))
  got = lax.reduce_precision(x, 5, 10)  # float16's format
  np.testing.assert_array_equal(got, x.astype(np.float16).astype(np.float32))
  np.testing.assert_array_equal(jaxlite.jit(lambda v: lax.reduce_precision(v, 5, 10))(x), got)
  assert lax.reduce_precision(np.float32(1.1), 8, 2) == 1.0


def test_reduce_precision_rules_and_errors():
  x = np.array([1.1, 2.2], np.float32)
  _, t = ad.primitive_jvps[lax.reduce_precision_p]((x,), (x,), exponent_bits=8,
                                                   mantissa_bits=7)
  np.testing.assert_array_equal(t, lax.reduce_precision(x, 8, 7))
  out, d = batching.primitive_batchers[lax.reduce_precision_p](
      (x[None],), (0,), exponent_bits=8, mantissa_bits=7)
  assert d == 0 and out.shape == (1, 2)
  with pytest.raises(TypeError, match="reduce_precision does not accept dtype int32"):
    lax.reduce_precision(np.ones(2, np.int32), 8, 7)
  with pytest.raises(TypeError, match="must be integers"):
    lax.reduce_precision(x, 8.5, 7)


def test_copy_p(rng):
  x = rng.randn(3).astype(np.float32)
  y = lax.copy_p.bind(x)
  np.testing.assert_array_equal(y, x)
  ct = rng.randn(3).astype(np.float32)
  t, = ad.primitive_transposes[lax.copy_p](ct, ad.UndefinedPrimal(ShapedArray((3,), np.float32)))
  np.testing.assert_array_equal(t, ct)
  assert "copy" in str(jaxlite.make_jaxpr(lambda v: lax.copy_p.bind(v))(x))


def test_rng_bit_generator_deterministic_and_distinct():
  key = np.array([1, 2, 3, 4], np.uint32)
  k1, b1 = lax.rng_bit_generator(key, (2, 3))
  k2, b2 = jaxlite.jit(lambda k: lax.rng_bit_generator(k, (2, 3)))(key)
  np.testing.assert_array_equal(b1, b2)
  np.testing.assert_array_equal(k1, k2)
  assert b1.dtype == np.uint32 and k1.dtype == np.uint32 and k1.shape == (4,)
  _, b3 = lax.rng_bit_generator(k1, (2, 3))
  assert not np.array_equal(b1, b3)
  _, b8 = lax.rng_bit_generator(key, (100,), np.uint8, lax.RandomAlgorithm.RNG_PHILOX)
  assert b8.dtype == np.uint8 and len(np.unique(np.asarray(b8))) > 30


def test_rng_bit_generator_matches_jax(jax_reference):
  key = np.array([5, 6, 7, 8], np.uint32)
  for alg in lax.RandomAlgorithm:
    k, b = lax.rng_bit_generator(key, (3,), np.uint32, alg)
    jk, jb = jax_reference.lax.rng_bit_generator(
        key, (3,), np.uint32, jax_reference.lax.RandomAlgorithm(int(alg)))
    np.testing.assert_array_equal(b, jb)
    np.testing.assert_array_equal(k, jk)


def test_rng_bit_generator_errors_and_batching():
  with pytest.raises(TypeError, match=r"key must be uint32\[4\]"):
    lax.rng_bit_generator(np.zeros(2, np.uint32), (2,))
  with pytest.raises(TypeError, match="dtype must be one of"):
    lax.rng_bit_generator(np.zeros(4, np.uint32), (2,), np.float32)
  keys = np.arange(8, dtype=np.uint32).reshape(4, 2)   # batch on axis 1
  (nk, bits), dims = batching.primitive_batchers[lax.rng_bit_generator_p](
      (keys,), (1,), shape=(3,), dtype=np.dtype(np.uint32),
      algorithm=lax.RandomAlgorithm.RNG_DEFAULT)
  # As JAX: the first key draws every example's bits; only its row advances.
  want_k, want_b = lax.rng_bit_generator(keys[:, 0], (2, 3))
  np.testing.assert_array_equal(np.moveaxis(np.asarray(bits), dims[1], 0), want_b)
  np.testing.assert_array_equal(np.take(np.asarray(nk), 0, dims[0]), want_k)
  np.testing.assert_array_equal(np.take(np.asarray(nk), 1, dims[0]), keys[:, 1])
