"""jnp sorting and searching against NumPy."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import core

_X = np.array([[3.0, np.nan, 1.0, 2.0], [0.5, -1.0, 0.5, 7.0]], np.float32)
_I = np.array([3, 1, 3, 2, 1, 1], np.int32)


def _check(got, want):
  got = np.asarray(got)
  assert got.shape == np.shape(want), (got.shape, np.shape(want))
  np.testing.assert_allclose(got, want, equal_nan=True)


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_and_argsort(axis):
  _check(jnp.sort(_X, axis=axis), np.sort(_X, axis=axis))
  _check(jnp.argsort(_I), np.argsort(_I, kind="stable"))
  _check(jnp.argsort(_X, axis=axis), np.argsort(_X, axis=axis, kind="stable"))


def test_descending():
  _check(jnp.sort(_I, descending=True), np.sort(_I)[::-1])
  # Stable descending: equal elements keep their original order.
  _check(jnp.argsort(_I, descending=True), [0, 2, 3, 1, 4, 5])


def test_lexsort_partition():
  keys = (np.array([1, 0, 1, 0]), np.array([0, 0, 1, 1]))
  _check(jnp.lexsort(keys), np.lexsort(keys))
  p = np.asarray(jnp.partition(_I, 2))
  assert p[2] == np.sort(_I)[2] and (p[:2] <= p[2]).all() and (p[3:] >= p[2]).all()
  ap = np.asarray(jnp.argpartition(_I, 2))
  assert _I[ap[2]] == np.sort(_I)[2]


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("method", ["scan", "compare_all", "sort", "scan_unrolled"])
def test_searchsorted(side, method):
  a = np.array([1.0, 2.0, 2.0, 3.0, np.nan], np.float32)
  v = np.array([[0.0, 2.0, 2.5], [3.0, 9.0, np.nan]], np.float32)
  _check(jnp.searchsorted(a, v, side=side, method=method), np.searchsorted(a, v, side=side))


def test_searchsorted_sorter_and_jit():
  a = np.array([3, 1, 2], np.int32)
  sorter = np.argsort(a)
  _check(jnp.searchsorted(a, 2, sorter=sorter), np.searchsorted(a, 2, sorter=sorter))
  f = jaxlite.jit(lambda a, v: jnp.searchsorted(a, v))
  _check(f(np.arange(5), np.array([-1, 2, 9])), np.searchsorted(np.arange(5), [-1, 2, 9]))


def test_unique():
  for got, want in zip(jnp.unique(_I, return_index=True, return_inverse=True,
                                  return_counts=True),
                       np.unique(_I, return_index=True, return_inverse=True,
                                 return_counts=True)):
    _check(got, np.reshape(want, np.shape(got)))
  _check(jnp.unique(np.array([np.nan, 1.0, np.nan], np.float32)),
         np.unique(np.array([np.nan, 1.0, np.nan], np.float32)))
  rows = np.array([[1, 2], [0, 1], [1, 2]])
  _check(jnp.unique(rows, axis=0), np.unique(rows, axis=0))
  _check(jnp.unique_values(_I), np.unique(_I))
  _check(jnp.unique_counts(_I)[1], np.unique(_I, return_counts=True)[1])


def test_unique_with_size_under_jit():
  f = jaxlite.jit(lambda x: jnp.unique(x, size=5, fill_value=-1, return_counts=True))
  values, counts = f(_I)
  _check(values, [1, 2, 3, -1, -1])
  _check(counts, [3, 1, 2, 0, 0])
  _check(jnp.unique(_I, size=2), [1, 2])
  with pytest.raises(core.ConcretizationTypeError):
    jaxlite.jit(jnp.unique)(_I)


def test_nonzero_family():
  m = _X > 0.5
  for got, want in zip(jnp.nonzero(m), np.nonzero(m)):
    _check(got, want)
  _check(jnp.argwhere(m), np.argwhere(m))
  _check(jnp.flatnonzero(m), np.flatnonzero(m))
  _check(jnp.where(m)[1], np.where(m)[1])
  f = jaxlite.jit(lambda x: jnp.nonzero(x, size=4, fill_value=-1))
  _check(f(np.array([0, 3, 0, 4, 5, 6]))[0], [1, 3, 4, 5])
  _check(f(np.array([0, 3, 0, 0, 0, 0]))[0], [1, -1, -1, -1])
  _check(jnp.argwhere(np.array([[0, 1], [1, 0]]), size=3), [[0, 1], [1, 0], [0, 0]])
  with pytest.raises(core.ConcretizationTypeError):
    jaxlite.jit(jnp.nonzero)(_I)
  with pytest.raises(ValueError, match="0d"):
    jnp.nonzero(1)
