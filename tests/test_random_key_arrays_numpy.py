"""jnp functions, indexing and ``.at`` on typed key arrays, as JAX 0.10.2's:
the results are key arrays (same type, same key data), eagerly and under jit,
their jaxprs are JAX's where the test corpus compares jaxprs, and what JAX
rejects (arithmetic, reductions, ordering, conversions) raises JAX's error."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jaxlite  # noqa: E402


_MASK = np.array([True, False, True, False])


def _programs(lib):
  """name -> function of (keys: key<fry>[4], key: key<fry>[])."""
  jnp, lax = lib.numpy, lib.lax
  return {
      "concatenate": lambda ks, k: jnp.concatenate([ks, ks[::-1]]),
      "stack": lambda ks, k: jnp.stack([k, ks[2]]),
      "stack_rows": lambda ks, k: jnp.stack([ks, ks], axis=1),
      "where": lambda ks, k: jnp.where(_MASK, ks, ks[::-1]),
      "where_scalar": lambda ks, k: jnp.where(True, k, ks[0]),
      "take": lambda ks, k: jnp.take(ks, np.array([2, 0])),
      "index_int": lambda ks, k: ks[1],
      "index_array": lambda ks, k: ks[np.array([3, 1])],
      "index_slice": lambda ks, k: ks[1:3],
      "index_bool": lambda ks, k: ks[_MASK],
      "index_none_ellipsis": lambda ks, k: ks[None, ..., 2],
      "at_set": lambda ks, k: ks.at[1].set(k),
      "at_set_array": lambda ks, k: ks.at[np.array([0, 2])].set(ks[:2]),
      "at_get": lambda ks, k: ks.at[2].get(),
      "reshape": lambda ks, k: jnp.reshape(ks, (2, 2)),
      "method_reshape_T": lambda ks, k: ks.reshape(2, 2).T,
      "transpose": lambda ks, k: jnp.transpose(ks.reshape(2, 2)),
      "broadcast_to": lambda ks, k: jnp.broadcast_to(k, (3,)),
      "broadcast_rows": lambda ks, k: jnp.broadcast_to(ks, (2, 4)),
      "expand_squeeze": lambda ks, k: jnp.squeeze(jnp.expand_dims(ks, 0)),
      "ravel": lambda ks, k: ks.reshape(2, 2).ravel(),
      "flip_roll": lambda ks, k: jnp.roll(jnp.flip(ks), 1),
      "tile_repeat": lambda ks, k: jnp.repeat(jnp.tile(ks, 2), 2),
      "split": lambda ks, k: jnp.split(ks, 2)[1],
      "vstack": lambda ks, k: jnp.vstack([ks, ks]),
      "append_insert": lambda ks, k: jnp.insert(jnp.append(ks, ks[:1]), 1, k),
      "select": lambda ks, k: lax.select(_MASK, ks, ks[::-1]),
      "dynamic_slice": lambda ks, k: lax.dynamic_update_slice(
          ks, lax.dynamic_slice(ks, (2,), (2,)), (0,)),
      "asarray_copy": lambda ks, k: jnp.copy(jnp.asarray(ks)),
      "zeros_like": lambda ks, k: jnp.zeros_like(ks),
      "full_like_key": lambda ks, k: jnp.full_like(ks, k),
      "equal": lambda ks, k: ks == ks[::-1],
      "not_equal_broadcast": lambda ks, k: jnp.not_equal(ks, ks[0]),
      "split_concatenated": lambda ks, k: lib.random.split(jnp.concatenate([ks, ks])[5]),
  }


def _keys(lib):
  key = lib.random.key(0)
  return lib.random.split(key, 4), lib.random.key(7)


def _assert_same(got, want):
  assert str(jaxlite.typeof(got)) == str(jax.typeof(want))
  if jax.dtypes.issubdtype(want.dtype, jax.dtypes.prng_key):
    got, want = jaxlite.random.key_data(got), jax.random.key_data(want)
  np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


_NAMES = list(_programs(jaxlite))


@pytest.mark.parametrize("name", _NAMES)
def test_key_arrays_through_jnp_match_jax(name):
  ours, theirs = _programs(jaxlite)[name], _programs(jax)[name]
  ks, k = _keys(jaxlite)
  jks, jk = _keys(jax)
  _assert_same(ours(ks, k), theirs(jks, jk))                       # eager
  _assert_same(jaxlite.jit(ours)(ks, k), jax.jit(theirs)(jks, jk))  # traced
  # Closed over by jit: a key-array constant of the program.
  _assert_same(jaxlite.jit(lambda: ours(ks, k))(), jax.jit(lambda: theirs(jks, jk))())


# take, .at[].set, integer-array indexing, squeeze after expand_dims and dynamic
# indexing stage other equations than JAX's for any dtype (see
# docs/differences.md); the rest stage JAX's jaxprs on key arrays too.
_SAME_JAXPR = ["concatenate", "stack", "where", "index_int", "index_slice", "reshape",
               "method_reshape_T", "broadcast_to", "ravel", "equal", "zeros_like",
               "full_like_key", "split_concatenated"]


@pytest.mark.parametrize("name", _SAME_JAXPR)
def test_key_array_jaxprs_match_jax(name):
  ours, theirs = _programs(jaxlite)[name], _programs(jax)[name]
  assert str(jaxlite.make_jaxpr(ours)(*_keys(jaxlite))) == \
      str(jax.make_jaxpr(theirs)(*_keys(jax)))


def test_key_arrays_under_vmap_match_jax():
  def program(lib):
    return lambda ks, k: lib.numpy.where(ks == k, lib.numpy.stack([k, k])[0], ks)
  ks, k = _keys(jaxlite)
  jks, jk = _keys(jax)
  rows, jrows = ks.reshape(2, 2), jks.reshape(2, 2)
  _assert_same(jaxlite.vmap(program(jaxlite), (0, None))(rows, rows[0, 0]),
               jax.vmap(program(jax), (0, None))(jrows, jrows[0, 0]))


_REJECTED = {
    "add": lambda lib, ks, k: ks + ks,
    "add_int": lambda lib, ks, k: ks + 1,
    "multiply_int": lambda lib, ks, k: lib.numpy.multiply(ks, 2),
    "negative": lambda lib, ks, k: -ks,
    "less": lambda lib, ks, k: ks < ks,
    "sum": lambda lib, ks, k: lib.numpy.sum(ks),
    "equal_int": lambda lib, ks, k: lib.numpy.equal(ks, 1),
    "sort": lambda lib, ks, k: lib.numpy.sort(ks),
    "argsort": lambda lib, ks, k: lib.numpy.argsort(ks),
    "convert": lambda lib, ks, k: lib.lax.convert_element_type(ks, np.int32),
    "pad": lambda lib, ks, k: lib.numpy.pad(ks, 1),
    "clip": lambda lib, ks, k: lib.numpy.clip(ks, 0, 1),
}


@pytest.mark.parametrize("name", list(_REJECTED))
def test_what_jax_rejects_on_key_arrays_raises_jaxs_error(name):
  ks, k = _keys(jaxlite)
  jks, jk = _keys(jax)
  with pytest.raises(Exception) as theirs:
    _REJECTED[name](jax, jks, jk)
  with pytest.raises(Exception) as ours:
    _REJECTED[name](jaxlite, ks, k)
  assert type(ours.value).__name__ == type(theirs.value).__name__
  assert str(ours.value) == str(theirs.value)
