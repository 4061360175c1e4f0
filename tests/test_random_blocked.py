"""Large random outputs are hashed in blocks inside the program (prng.py):
the bits are JAX's, bit for bit, for every width, a tail block, several
dimensions, under vmap, and through the samplers."""
import numpy as np
import pytest

import jaxlite
from jaxlite import prng

jax = pytest.importorskip("jax")

BLOCKED = prng._BLOCKED_FROM


@pytest.mark.parametrize("shape,dtype", [
    ((BLOCKED + 5,), "uint32"),               # full blocks and a tail
    ((3, BLOCKED // 2 + 1), "uint8"),         # several dimensions, row-major counters
    ((BLOCKED,), "uint16"),
])
def test_blocked_bits_match_jax(shape, dtype):
  ours = jaxlite.random.bits(jaxlite.random.PRNGKey(7), shape, dtype)
  theirs = jax.random.bits(jax.random.PRNGKey(7), shape, dtype)
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_blocked_64_bit_bits_match_jax():
  with jaxlite.enable_x64(True), jax.enable_x64(True):
    ours = jaxlite.random.bits(jaxlite.random.PRNGKey(3), (BLOCKED + 1,), "uint64")
    theirs = jax.random.bits(jax.random.PRNGKey(3), (BLOCKED + 1,), "uint64")
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_blocked_normal_and_vmap_match_jax():
  ours = jaxlite.random.normal(jaxlite.random.PRNGKey(1), (BLOCKED + 1,))
  theirs = jax.random.normal(jax.random.PRNGKey(1), (BLOCKED + 1,))
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
  keys = [lib.random.split(lib.random.PRNGKey(2), 2) for lib in (jaxlite, jax)]
  ours = jaxlite.vmap(lambda k: jaxlite.random.bits(k, (BLOCKED,)))(keys[0])
  theirs = jax.vmap(lambda k: jax.random.bits(k, (BLOCKED,)))(keys[1])
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_blocked_program_is_a_loop():
  text = jaxlite.jit(lambda k: jaxlite.random.bits(k, (BLOCKED,))).lower(
      jaxlite.random.PRNGKey(0)).as_text()
  assert "stablehlo.while" in text and "dynamic_update_slice" in text


@pytest.mark.parametrize("minval,maxval", [(-2.0, 3.0), ("array", 1.0)])
def test_blocked_uniform_matches_jax(minval, maxval):
  """Scalar bounds run the transformation block by block; bounds per element
  on the whole array."""
  shape = (2, BLOCKED // 2 + 3)
  results = []
  for lib in (jaxlite, jax):
    lo = (np.arange(shape[1], dtype=np.float32) / -shape[1] if minval == "array"
          else minval)
    results.append(np.asarray(lib.random.uniform(lib.random.PRNGKey(5), shape,
                                                 minval=lo, maxval=maxval)))
  np.testing.assert_array_equal(*results)
