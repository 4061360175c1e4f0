"""NumPy indexing and .at[] updates, table-driven against NumPy."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

_X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)

# Index expressions valid (in bounds) for _X, covering every kind NumPy has.
_INDICES = [
    0, -1, (1, 2), (1, 2, 3), (slice(None), 1), (Ellipsis, 1), (None, 0), (0, None, 1),
    slice(None, None, -1), (slice(1, None, 2), slice(None, None, -2)),
    (slice(None), slice(0, 3, 2), slice(-1, 0, -1)), (Ellipsis,), (), (Ellipsis, None),
    np.array([1, 0]), np.array([[1], [0]]), (np.array([0, 1]), np.array([2, 0])),
    (slice(None), np.array([2, 0])), (np.array([0, 1]), slice(None), np.array([1, 3])),
    (0, slice(None), np.array([1, 3])), (np.array([[0], [1]]), np.array([0, 2])),
    _X > 10, (_X[:, :, 0] > 5,), (Ellipsis, None, np.array([1])),
    (1, None, np.array([0, 2]), slice(1, 3)), (np.array([1]), None, np.array([0])),
    (slice(None), [0, 2]), (np.array([-1, -2]),), (Ellipsis, np.array([-4, 3])),
    (0, _X[0, :, 0] > 3), (np.array([], np.int32),), (True,), (False,),
]


def _ids(index):
  return repr(index).replace("\n", "")[:40]


@pytest.mark.parametrize("index", _INDICES, ids=[_ids(i) for i in _INDICES])
def test_getitem_against_numpy(index):
  got = jnp.asarray(_X)[index]
  want = _X[index]
  assert got.shape == want.shape
  np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("index", _INDICES[:12], ids=[_ids(i) for i in _INDICES[:12]])
def test_getitem_under_jit(index):
  got = jaxlite.jit(lambda x: x[index])(_X)
  np.testing.assert_array_equal(np.asarray(got), _X[index])


def test_traced_integer_indices():
  f = jaxlite.jit(lambda x, i, j: x[i, 1:, j])
  np.testing.assert_array_equal(f(_X, 1, np.int32(-1)), _X[1, 1:, -1])
  g = jaxlite.jit(lambda x, idx: x[:, idx])
  np.testing.assert_array_equal(g(_X, np.array([2, 0], np.int32)), _X[:, [2, 0]])


def test_out_of_bounds_reads_clamp_or_fill():
  x = jnp.arange(3.0)
  np.testing.assert_array_equal(x[jnp.array([5, -1, -5])], [2.0, 2.0, 0.0])
  np.testing.assert_array_equal(x.at[jnp.array([5, 1])].get(mode="fill", fill_value=-1),
                                [-1.0, 1.0])
  assert np.isnan(x.at[jnp.array([7])].get(mode="fill")[0])
  np.testing.assert_array_equal(jnp.take(jnp.arange(3), jnp.array([5]), mode="clip"), [2])


_UPDATE_INDICES = [i for i in _INDICES[:26]]
_UFUNCS = {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}


@pytest.mark.parametrize("index", _UPDATE_INDICES, ids=[_ids(i) for i in _UPDATE_INDICES])
def test_at_set_and_add_against_numpy(index):
  x = jnp.asarray(_X)
  want = _X.copy()
  want[index] = -7.0
  np.testing.assert_array_equal(x.at[index].set(-7.0), want)
  want = _X.copy()
  np.add.at(want, index, 2.0)
  np.testing.assert_array_equal(x.at[index].add(2.0), want)


@pytest.mark.parametrize("op", ["add", "multiply", "min", "max"])
def test_at_repeated_indices_accumulate(op):
  index = np.array([0, 2, 0, 1, 0])
  values = np.array([1.0, 2.0, 3.0, -4.0, 5.0], np.float32)
  base = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
  want = base.copy()
  _UFUNCS[op].at(want, index, values)
  got = getattr(jnp.asarray(base).at[index], op)(values)
  np.testing.assert_allclose(got, want)


def test_at_other_updates():
  x = jnp.arange(1.0, 5.0)
  np.testing.assert_allclose(x.at[1].subtract(1.0), [1, 1, 3, 4])
  np.testing.assert_allclose(x.at[1:3].divide(2.0), [1, 1, 1.5, 4])
  np.testing.assert_allclose(x.at[np.array([0, 3])].power(2), [1, 2, 3, 16])
  np.testing.assert_allclose(x.at[np.array([0, 0, 2])].apply(lambda v: v * 10),
                             [100, 2, 30, 4])
  np.testing.assert_allclose(x.at[2].get(), 3.0)
  # Updates are cast to the array's dtype and broadcast NumPy style.
  y = jnp.zeros((2, 3), jnp.int32).at[:, 1].set(np.array([1.7, 2.2]))
  np.testing.assert_array_equal(y, [[0, 1, 0], [0, 2, 0]])
  assert y.dtype == np.int32


def test_at_modes():
  x = jnp.zeros(3)
  np.testing.assert_array_equal(x.at[5].set(1.0), [0, 0, 0])           # dropped
  np.testing.assert_array_equal(x.at[5].set(1.0, mode="clip"), [0, 0, 1])
  np.testing.assert_array_equal(x.at[-1].add(1.0), [0, 0, 1])           # wraps
  np.testing.assert_array_equal(
      x.at[np.array([0, 2])].add(1.0, indices_are_sorted=True, unique_indices=True),
      [1, 0, 1])


def test_at_under_jit():
  f = jaxlite.jit(lambda x, i, v: x.at[i].add(v))
  np.testing.assert_array_equal(f(np.zeros(4, np.float32), np.array([1, 1, 3]), 2.0),
                                [0, 4, 0, 2])


def test_boolean_mask_under_jit_raises():
  with pytest.raises(jnp.NonConcreteBooleanIndexError,
                     match="Array boolean indices must be concrete; got bool\\[3\\]"):
    jaxlite.jit(lambda x: x[x > 1])(np.arange(3.0, dtype=np.float32))
  with pytest.raises(IndexError):
    jaxlite.jit(lambda x: x.at[x > 1].set(0.0))(np.arange(3.0, dtype=np.float32))


def test_index_errors():
  x = jnp.asarray(_X)
  with pytest.raises(IndexError, match="Too many indices"):
    x[0, 0, 0, 0]
  with pytest.raises(IndexError, match="single ellipsis"):
    x[..., 0, ...]
  with pytest.raises(TypeError, match="non-tuple sequence"):
    x[[0, 1]]
  with pytest.raises(TypeError, match="Indexer must have integer or boolean type"):
    x[np.array([0.5])]
  with pytest.raises(IndexError, match="boolean index did not match"):
    x[np.array([True, False, True])]
  with pytest.raises(IndexError, match="static start/stop/step"):
    jaxlite.jit(lambda x, i: x[i:])(_X, 1)


def test_iteration_uses_getitem():
  rows = list(jnp.asarray(_X[0]))
  assert len(rows) == 3
  np.testing.assert_array_equal(rows[2], _X[0, 2])


_SCALAR_INDEXES = [lambda i: (i,), lambda i: (i, 1), lambda i: (1, i), lambda i: (Ellipsis, i),
                   lambda i: (i, None, slice(1, 3)), lambda i: (slice(None, None, -1), i),
                   lambda i: (i, i, i), lambda i: (None, i, Ellipsis, None)]


@pytest.mark.parametrize("case", range(len(_SCALAR_INDEXES)))
def test_traced_scalar_index_is_jax_dynamic_slice(case):
  # x[i] with a traced integer i: JAX stages lax.dynamic_slice (negative
  # indices wrapped, starts of several axes as int32), then reverse, squeeze
  # and new axes; its jaxprs, its values for in- and out-of-range i, and
  # under vmap (a gather with JAX's flags) must be JAX's.
  import re
  jax = pytest.importorskip("jax")
  index = _SCALAR_INDEXES[case]
  # (JAX's batching rules leave NumPy integers in some parameters, printed
  # np.int64(2) where jaxlite prints 2, which also wraps lines differently.)
  plain = lambda jaxpr: re.sub(r"\s+", " ", re.sub(r"np\.int64\((\d+)\)", r"\1", str(
      jaxpr))).replace("[ ", "[").replace(" ]", "]")

  def run(j, jn):
    x = jn.arange(24.0).reshape(2, 3, 4)
    f = j.jit(lambda x, i: x[index(i)])
    values = [np.asarray(f(x, i)).tolist() for i in (0, -1, 5, -7)]
    batched = j.vmap(lambda x, i: x[index(i)], (None, 0))
    return (values, str(j.make_jaxpr(lambda x, i: x[index(i)])(x, 1)),
            plain(j.make_jaxpr(batched)(x, jn.array([0, -1]))),
            np.asarray(batched(x, jn.array([0, -1]))).tolist())
  assert run(jaxlite, jnp) == run(jax, jax.numpy)
