"""jnp's remaining functions (jaxlite/numpy/misc.py) against NumPy."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

_X = np.array([[1.0, 4.0, 9.0], [2.0, 0.0, 5.0]], np.float32)
_COND = np.array([True, False, True])

_CASES = [
    ("allclose", lambda m: m.allclose(_X, _X + 1e-9)),
    ("array_equal", lambda m: m.array_equal(_X, _X.copy())),
    ("array_equal_shape", lambda m: m.array_equal(_X, _X[0])),
    ("array_equiv", lambda m: m.array_equiv(np.ones((2, 2)), 1)),
    ("diff", lambda m: m.diff(_X, n=2, axis=1)),
    ("diff_ends", lambda m: m.diff(_X, prepend=0, append=_X[:, :1])),
    ("ediff1d", lambda m: m.ediff1d(_X, to_begin=np.array([7.0]), to_end=9)),
    ("select", lambda m: m.select([_X < 2, _X > 4], [_X, -_X], 9)),
    ("compress", lambda m: m.compress(_COND, _X, axis=1)),
    ("extract", lambda m: m.extract(_X > 2, _X)),
    ("choose", lambda m: m.choose(np.array([0, 1, 2]), [np.arange(3), np.arange(3) * 10,
                                                       np.arange(3) * 100])),
    ("append", lambda m: m.append(_X, _X, axis=0)),
    ("append_flat", lambda m: m.append(_X, 1.0)),
    ("delete", lambda m: m.delete(_X, [0, 2], axis=1)),
    ("delete_slice", lambda m: m.delete(np.arange(6), slice(1, 4))),
    ("insert", lambda m: m.insert(np.arange(4), 1, 9)),
    ("insert_many", lambda m: m.insert(np.arange(4), [3, 1, 1], [7, 8, 9])),
    ("insert_axis", lambda m: m.insert(_X, 1, 5.0, axis=1)),
    ("insert_row", lambda m: m.insert(_X, 2, np.array([7.0, 8.0, 9.0]), axis=0)),
    ("bincount", lambda m: m.bincount(np.array([0, 1, 1, 3]))),
    ("bincount_w", lambda m: m.bincount(np.array([0, 1, 1, 3]), np.array([.5, 1, 2, 3]), 6)),
    ("interp", lambda m: m.interp(np.array([-1.0, 0.5, 1.5, 5.0]), np.array([0.0, 1.0, 2.0]),
                                  np.array([0.0, 10.0, 5.0]))),
    ("interp_period", lambda m: m.interp(np.array([-1.0, 0.5, 370.0]),
                                         np.array([0.0, 90.0, 180.0, 270.0]),
                                         np.array([0.0, 1.0, 2.0, 3.0]), period=360)),
    ("isin", lambda m: m.isin(_X, np.array([4.0, 5.0]))),
    ("isin_invert", lambda m: m.isin(_X, np.array([4.0, 5.0]), invert=True)),
    ("trapezoid", lambda m: m.trapezoid(_X, axis=1)),
    ("trapezoid_x", lambda m: m.trapezoid(_X, x=np.array([0.0, 1.0, 3.0]))),
    ("cov", lambda m: m.cov(_X)), ("cov_y", lambda m: m.cov(_X[0], _X[1])),
    ("cov_cols", lambda m: m.cov(_X.T, rowvar=False, ddof=0)),
    ("corrcoef", lambda m: m.corrcoef(_X)),
    ("resize", lambda m: m.resize(np.arange(3), (2, 4))),
]


@pytest.mark.parametrize("name,f", _CASES, ids=[c[0] for c in _CASES])
def test_against_numpy(name, f):
  got, want = np.asarray(f(jnp)), f(np)
  assert got.shape == np.shape(want)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("bins", [np.array([1.0, 2.0]), np.array([2.0, 1.0])])
def test_digitize(right, bins):
  x = np.array([0.5, 1.0, 1.5, 2.0, 3.0])
  np.testing.assert_array_equal(jnp.digitize(x, bins, right=right),
                                np.digitize(x, bins, right=right))


def test_static_sizes_under_jit():
  f = jaxlite.jit(lambda x: jnp.bincount(x, length=5))
  np.testing.assert_array_equal(f(np.array([0, 1, 1, 3])), [1, 2, 0, 1, 0])
  g = jaxlite.jit(lambda c, x: jnp.compress(c, x, size=3, fill_value=-1))
  np.testing.assert_array_equal(g(np.array([True, False, True]), np.arange(3)), [0, 2, -1])
  np.testing.assert_array_equal(jnp.arange(3).compress(_COND), [0, 2])
  with pytest.raises(jaxlite.core.ConcretizationTypeError):
    jaxlite.jit(jnp.bincount)(np.array([0, 1]))
  with pytest.raises(ValueError, match="invalid entry"):
    jnp.choose(np.array([3]), [np.arange(1)])


def test_compress_and_extract_condition_length_as_jax():
  """JAX accepts a condition longer than the array if the extra entries are
  False (any size when ``size`` is given) and wants a 1-D condition in compress."""
  jax_numpy = pytest.importorskip("jax.numpy")
  x = np.arange(5)
  short_true = np.array([True, False, True, False, False, False, False])
  for lib in (jnp, jax_numpy):
    np.testing.assert_array_equal(lib.extract(short_true, x), [0, 2])
    np.testing.assert_array_equal(lib.compress(short_true, x, size=2), [0, 2])
    with pytest.raises(ValueError, match="out of bounds"):
      lib.extract(np.append(short_true, True), x)
    with pytest.raises(ValueError, match="condition must be a 1D array"):
      lib.compress(np.array([[True, False]]), x)
  traced = jaxlite.jit(lambda c: jnp.compress(c, x, size=2))(short_true)
  np.testing.assert_array_equal(traced, [0, 2])


def test_delete_unique_indices_under_jit_as_jax():
  """assume_unique_indices=True deletes traced integer indices as JAX does."""
  jax = pytest.importorskip("jax")
  a = np.arange(10).reshape(2, 5)
  for api, lib in ((jaxlite, jnp), (jax, jax.numpy)):
    delete = api.jit(lib.delete, static_argnames=["assume_unique_indices", "axis"])
    np.testing.assert_array_equal(
        delete(a.ravel(), np.array([1, 3, 7]), assume_unique_indices=True),
        [0, 2, 4, 5, 6, 8, 9])
    np.testing.assert_array_equal(
        delete(a, np.array([-1, 0]), axis=1, assume_unique_indices=True),
        [[1, 2, 3], [6, 7, 8]])
