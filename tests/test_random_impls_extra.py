"""The PRNG implementations ``threefry4x32``, ``philox2x32`` and
``philox4x32``: keys, split, fold_in, bits and samplers, eager, under jit and
vmap, bit for bit JAX 0.10.2's in the same run; key printing, key_impl,
the default-implementation flag and JAX's errors for bad names.

(Their wrong-shape key-data errors are left out: JAX's message prints the
implementation's repr, function addresses included.)"""
import importlib

import numpy as np
import pytest

import jaxlite
from test_surface_more import _raises_as_jax

jax = pytest.importorskip("jax")

config_lib = importlib.import_module("jaxlite.config")

IMPLS = ["threefry4x32", "philox2x32", "philox4x32"]
KEY_SHAPES = {"threefry4x32": (4,), "philox2x32": (1,), "philox4x32": (2,)}
TAGS = {"threefry4x32": "fry4", "philox2x32": "phx2", "philox4x32": "phx4"}
SEEDS = [0, -1, 2**31 - 1, 2**40 + 5, np.uint32(2**32 - 1)]


def _tree_lists(tree):
  return {name: np.asarray(v).tolist() for name, v in tree.items()}


def _traced_numbers(m, impl):
  """Everything a key gives, each under jit, of keys made outside the program.

  (One jitted function per number: XLA compiles many small programs of these
  unrolled hashes faster than one large one. Keys derived from keys inside
  one program are left out: XLA fuses the unrolled hashes of such a chain
  into each other, and JAX's own program then takes minutes to run.)"""
  r = m.random
  numbers = {
      "split": lambda k, k1, k2, keys: r.key_data(r.split(k, (2, 3))),
      "fold_in": lambda k, k1, k2, keys: r.key_data(r.fold_in(k1, np.uint32(2**32 - 1))),
      "normal": lambda k, k1, k2, keys: r.normal(k2, (9,)),
      "vmap_normal": lambda k, k1, k2, keys: m.vmap(lambda kk: r.normal(kk, (2,)))(keys),
      "vmap_fold_in": lambda k, k1, k2, keys: r.key_data(
          m.vmap(r.fold_in, (0, None))(keys, 3)),
      "vmap_split": lambda k, k1, k2, keys: r.key_data(m.vmap(r.split)(keys)),
  }
  k = r.key(42, impl=impl)
  k1, k2 = r.split(k)
  keys = r.split(k, 3)
  out = {name: np.asarray(m.jit(f)(k, k1, k2, keys)).tolist() for name, f in numbers.items()}
  seeds = np.array([0, -1, 2**31 - 1, 9], np.int32)
  out["vmap_seeds"] = r.key_data(m.vmap(lambda s: r.key(s, impl=impl))(seeds)).tolist()
  return out


def _eager_numbers(m, impl):
  r = m.random
  k = r.key(3, impl=impl)
  keys = r.split(k, 3)
  _, k1, k2 = keys
  return {
      "seeds": [r.key_data(r.key(s, impl=impl)).tolist() for s in SEEDS],
      "prngkey": r.PRNGKey(5, impl=impl).tolist(),
      "wrapped": r.key_data(r.wrap_key_data(r.PRNGKey(5, impl=impl), impl=impl)).tolist(),
      "split": r.key_data(keys).tolist(), "k1": r.key_data(k1).tolist(),
      "fold_in": r.key_data(r.fold_in(k2, 11)).tolist(),
      "bits": r.bits(k1, (4,)).tolist(),
      "bernoulli": r.bernoulli(k1, 0.3, (8,)).tolist(),
      "randint": r.randint(k, (6,), -5, 50).tolist(), "permutation": r.permutation(k2, 10).tolist(),
      "uniform": r.uniform(k, (3,), minval=-2.0, maxval=5.0).tolist(),
      "key_impl": str(r.key_impl(k)), "dtype": str(k.dtype), "repr": repr(k),
      "itemsize": k.dtype.itemsize, "key_data_shape": r.key_data(keys).shape,
  }


@pytest.mark.parametrize("impl", IMPLS)
def test_traced_keys_bits_and_samplers_are_jax_bits(impl):
  got, want = _traced_numbers(jaxlite, impl), _traced_numbers(jax, impl)
  for name in want:
    assert got[name] == want[name], name


@pytest.mark.parametrize("impl", IMPLS)
def test_eager_keys_and_samplers_are_jax_bits(impl):
  got, want = _eager_numbers(jaxlite, impl), _eager_numbers(jax, impl)
  assert got == want
  assert got["dtype"] == f"key<{TAGS[impl]}>"
  assert got["key_data_shape"] == (3,) + KEY_SHAPES[impl]


def _x64_numbers(m, impl):
  r = m.random

  def numbers(k):
    # All four widths of bits in one program (those of 8 and 16 bits do not
    # depend on x64).
    return {"bits64": r.bits(k, (5,), np.uint64), "uniform64": r.uniform(k, (3,), np.float64),
            "bits8": r.bits(k, (5,), np.uint8), "bits16": r.bits(k, (2, 3), np.uint16)}
  keys = [r.key_data(r.key(s, impl=impl)).tolist() for s in (2**40 + 5, -2**62, 2**63 - 1)]
  return keys, _tree_lists(m.jit(numbers)(r.key(keys[0][0] % 1000, impl=impl)))


@pytest.mark.parametrize("impl", IMPLS)
def test_64_bit_seeds_and_bits_are_jax_bits(impl):
  with config_lib.enable_x64(True):
    jax.config.update("jax_enable_x64", True)
    try:
      assert _x64_numbers(jaxlite, impl) == _x64_numbers(jax, impl)
    finally:
      jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("impl", IMPLS)
def test_default_impl_flag_and_raw_keys(impl):
  def numbers(m):
    r = m.random
    k = r.PRNGKey(1)
    return [str(r.key(0).dtype), r.key_impl(r.key(0)), k.tolist(), r.split(k).tolist(),
            r.fold_in(k, 4).tolist(), r.uniform(k, (3,)).tolist()]
  for m in (jax, jaxlite):
    m.config.update("jax_default_prng_impl", impl)
  try:
    assert numbers(jaxlite) == numbers(jax)
  finally:
    for m in (jax, jaxlite):
      m.config.update("jax_default_prng_impl", "threefry2x32")


def test_threefry_partitionable_does_not_change_them():
  # As in JAX, these implementations have one counter layout whatever the flag says.
  def numbers(m):
    r = m.random
    out = []
    for impl in IMPLS:
      k = r.key(8, impl=impl)
      out += [r.key_data(r.split(k, 3)).tolist(), r.bits(k, (4,)).tolist()]
    return out
  want = numbers(jax)
  for m in (jax, jaxlite):
    m.config.update("jax_threefry_partitionable", False)
  try:
    assert numbers(jaxlite) == numbers(jax) == want
  finally:
    for m in (jax, jaxlite):
      m.config.update("jax_threefry_partitionable", True)


def test_hash_primitives_under_vmap_and_jit():
  # The hash broadcasts rank-0 words and batches elementwise (its own vmap rule).
  from jax._src.random import philox4x32 as jax_philox4x32
  from jaxlite.random import philox
  words = np.arange(12, dtype=np.uint32).reshape(3, 4) * np.uint32(0x9E3779B9)
  zero = np.uint32(0)
  got = jaxlite.vmap(lambda w: philox.philox4x32([w[0], zero], [w[1], w[2], w[3], zero]))(words)
  want = jax.vmap(lambda w: jax_philox4x32.philox4x32_p.bind(
      w[0], zero, w[1], w[2], w[3], zero))(words)
  assert np.asarray(got).tolist() == np.asarray(want).tolist()


@pytest.mark.parametrize("case", [
    lambda m: m.random.key(0, impl="philox"),
    lambda m: m.random.PRNGKey(0, impl="threefry4x64"),
    lambda m: m.random.wrap_key_data(np.zeros(2, np.uint32), impl="Philox4x32"),
    lambda m: m.random.key(0, impl=4),
    lambda m: m.config.update("jax_default_prng_impl", "philox"),
    lambda m: m.random.wrap_key_data(np.zeros((3, 1), np.int32), impl="philox2x32"),
    lambda m: m.random.key(np.zeros(2, np.int32), impl="philox4x32"),
    lambda m: m.random.bits(m.random.key(0, impl="threefry4x32"), (2,), np.int32),
    lambda m: m.random.split(m.random.key(0, impl="philox2x32"), -1),
])
def test_bad_impls_and_keys_raise_as_jax(case):
  _raises_as_jax(lambda: case(jaxlite), lambda: case(jax))
