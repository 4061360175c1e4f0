"""jnp's index tricks, set operations, histograms, convolutions and polynomials
against NumPy, eagerly and under jit, and their signatures against JAX's.

Shapes are tiny and shared between cases: every distinct shape is a compile.
"""
import inspect

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import core


def _np(x):
  if isinstance(x, (tuple, list)):
    return type(x)(_np(v) for v in x)
  return np.asarray(x)


def _assert_close(actual, expected, rtol=1e-5, atol=1e-5, check_dtype=False):
  nested = isinstance(expected, tuple) or (
      isinstance(expected, list) and expected and
      isinstance(expected[0], (np.ndarray, list, tuple)))
  if nested:
    assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), (actual,
                                                                               expected)
    for a, e in zip(actual, expected):
      _assert_close(a, e, rtol, atol, check_dtype)
    return
  actual = np.asarray(actual)
  expected = np.asarray(expected)
  assert actual.shape == expected.shape, (actual.shape, expected.shape)
  if check_dtype:
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
  np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


def _eager_and_jit(fun, *args):
  """``fun(*args)`` eagerly and under jit (array arguments traced)."""
  return fun(*args), jaxlite.jit(fun)(*args)


# --- index tricks -----------------------------------------------------------------------

X23 = np.arange(6, dtype=np.float32).reshape(2, 3)


@pytest.mark.parametrize("name,jnp_fun,np_fun", [
    ("tril_indices", lambda: jnp.tril_indices(3, 1, 4), lambda: np.tril_indices(3, 1, 4)),
    ("triu_indices", lambda: jnp.triu_indices(3, -1), lambda: np.triu_indices(3, -1)),
    ("tril_from", lambda: jnp.tril_indices_from(X23, 0), lambda: np.tril_indices_from(X23, 0)),
    ("triu_from", lambda: jnp.triu_indices_from(X23, 1), lambda: np.triu_indices_from(X23, 1)),
    ("diag_indices", lambda: jnp.diag_indices(3, 3), lambda: np.diag_indices(3, 3)),
    ("mask_indices", lambda: jnp.mask_indices(3, jnp.triu, 1),
     lambda: np.mask_indices(3, np.triu, 1)),
    ("mgrid", lambda: jnp.mgrid[0:2, 0:1:3j], lambda: np.mgrid[0:2, 0:1:3j]),
    ("mgrid_1d", lambda: jnp.mgrid[0:5:2], lambda: np.mgrid[0:5:2]),
    ("ogrid", lambda: jnp.ogrid[0:2, 0:3], lambda: np.ogrid[0:2, 0:3]),
    ("r_", lambda: jnp.r_[1:3, 5, jnp.array([7, 8])], lambda: np.r_[1:3, 5, np.array([7, 8])]),
    ("r_linspace", lambda: jnp.r_[-1:1:5j], lambda: np.r_[-1:1:5j]),
    ("r_directive", lambda: jnp.r_["0,2,0", [1, 2], [3, 4]],
     lambda: np.r_["0,2,0", [1, 2], [3, 4]]),
    ("r_directive3", lambda: jnp.r_["1,3,-2", [1, 2], [3, 4]],
     lambda: np.r_["1,3,-2", [1, 2], [3, 4]]),
    ("c_", lambda: jnp.c_[jnp.array([1, 2]), jnp.array([3, 4])],
     lambda: np.c_[np.array([1, 2]), np.array([3, 4])]),
    ("ix_", lambda: jnp.ix_(jnp.array([0, 1]), jnp.array([2, 0, 1])),
     lambda: np.ix_(np.array([0, 1]), np.array([2, 0, 1]))),
    ("unravel", lambda: jnp.unravel_index(jnp.array([0, 5, 4]), (2, 3)),
     lambda: np.unravel_index(np.array([0, 5, 4]), (2, 3))),
    ("ravel_C", lambda: jnp.ravel_multi_index((jnp.array([0, 1]), jnp.array([2, 0])), (2, 3)),
     lambda: np.ravel_multi_index((np.array([0, 1]), np.array([2, 0])), (2, 3))),
    ("ravel_F_clip", lambda: jnp.ravel_multi_index((jnp.array([0, 3]), jnp.array([2, -1])),
                                                   (2, 3), mode="clip", order="F"),
     lambda: np.ravel_multi_index((np.array([0, 3]), np.array([2, -1])), (2, 3), mode="clip",
                                  order="F")),
    ("ravel_wrap", lambda: jnp.ravel_multi_index((jnp.array([0, 3]), jnp.array([2, -1])),
                                                 (2, 3), mode="wrap"),
     lambda: np.ravel_multi_index((np.array([0, 3]), np.array([2, -1])), (2, 3), mode="wrap")),
])
def test_index_tricks_against_numpy(name, jnp_fun, np_fun):
  _assert_close(_np(jnp_fun()), np_fun())


def test_index_tricks_values_and_dtypes():
  assert jnp.s_[1:2, ::2] == np.s_[1:2, ::2] and jnp.index_exp[0] == (0,)
  rows, cols = jnp.triu_indices(3)
  assert rows.dtype == np.int32 and cols.dtype == np.int32
  assert jnp.mgrid[0:2, 0:2].dtype == np.int32 and jnp.mgrid[0:1:3j].dtype == np.float32
  x = jnp.arange(6).reshape(2, 3)
  np.testing.assert_array_equal(x[jnp.ix_(jnp.array([1]), jnp.array([0, 2]))], [[3, 5]])
  # JAX's rule: negative indices count from the end, the rest are clipped.
  out = jnp.unravel_index(jnp.array([-1, 6, 100, -7]), (2, 3))
  np.testing.assert_array_equal(out[0], [1, 1, 1, 0])
  np.testing.assert_array_equal(out[1], [2, 2, 2, 0])
  assert jnp.unravel_index(jnp.array([1]), ()) == ()
  np.testing.assert_array_equal(jnp.mask_indices(3, jnp.triu, 1, size=5)[1], [1, 2, 2, 0, 0])


def test_index_tricks_under_jit():
  ravel = jaxlite.jit(lambda i, j: jnp.ravel_multi_index((i, j), (2, 3), mode="wrap"))
  np.testing.assert_array_equal(ravel(jnp.array([0, 3]), jnp.array([2, -1])), [2, 5])
  unravel = jaxlite.jit(lambda i: jnp.unravel_index(i, (2, 3)))
  np.testing.assert_array_equal(unravel(jnp.array([0, 5, 4]))[1], [0, 2, 1])
  rows, cols = jaxlite.jit(lambda: jnp.tril_indices(3))()
  expected = np.tril_indices(3)
  np.testing.assert_array_equal(rows, expected[0])
  np.testing.assert_array_equal(cols, expected[1])


def test_index_tricks_errors():
  with pytest.raises(ValueError, match="invalid entry in coordinates array"):
    jnp.ravel_multi_index((jnp.array([0, 3]), jnp.array([2, 0])), (2, 3))
  with pytest.raises(core.ConcretizationTypeError, match="mode='raise'"):
    jaxlite.jit(lambda i: jnp.ravel_multi_index((i, i), (2, 3)))(jnp.array([0, 1]))
  with pytest.raises(ValueError, match="integer"):
    jnp.ravel_multi_index((jnp.array([0.0]), jnp.array([1])), (2, 3))
  with pytest.raises(ValueError, match="must be 1-dimensional"):
    jnp.ix_(jnp.zeros((2, 2)))
  with pytest.raises(NotImplementedError, match="Boolean"):
    jnp.ix_(jnp.array([True, False]))
  with pytest.raises(ValueError, match="Only 2-D"):
    jnp.tril_indices_from(jnp.zeros(2))
  with pytest.raises(ValueError, match="equal length"):
    jnp.diag_indices_from(jnp.zeros((2, 3)))


# --- set operations ---------------------------------------------------------------------

A = np.array([5, 1, 3, 3, 7], np.int32)
B = np.array([3, 4, 5, 9], np.int32)


@pytest.mark.parametrize("name,jnp_fun,np_fun", [
    ("union1d", jnp.union1d, np.union1d),
    ("intersect1d", jnp.intersect1d, np.intersect1d),
    ("setdiff1d", jnp.setdiff1d, np.setdiff1d),
    ("setxor1d", jnp.setxor1d, np.setxor1d),
    ("intersect1d_indices", lambda a, b: jnp.intersect1d(a, b, return_indices=True),
     lambda a, b: np.intersect1d(a, b, return_indices=True)),
])
def test_setops_against_numpy(name, jnp_fun, np_fun):
  _assert_close(_np(jnp_fun(A, B)), np_fun(A, B))
  _assert_close(_np(jnp_fun(B, A)), np_fun(B, A))
  floats = np.array([np.nan, 1.0, 2.0, np.nan], np.float32)
  _assert_close(_np(jnp_fun(floats, floats[:2])), np_fun(floats, floats[:2]))


@pytest.mark.parametrize("name,fun,expected", [
    # Padding as JAX pads: union/xor/intersect with their smallest value,
    # setdiff with 0, intersect's indices with the input sizes.
    ("union1d", lambda a, b: jnp.union1d(a, b, size=8), [1, 3, 4, 5, 7, 9, 1, 1]),
    ("setdiff1d", lambda a, b: jnp.setdiff1d(a, b, size=3), [1, 7, 0]),
    ("setdiff1d_fill", lambda a, b: jnp.setdiff1d(a, b, size=3, fill_value=-1), [1, 7, -1]),
    ("setdiff1d_short", lambda a, b: jnp.setdiff1d(a, b, size=1), [1]),
    ("setxor1d", lambda a, b: jnp.setxor1d(a, b, size=5), [1, 4, 7, 9, 1]),
    ("intersect1d", lambda a, b: jnp.intersect1d(a, b, size=3), [3, 5, 3]),
    ("intersect1d_indices",
     lambda a, b: jnp.intersect1d(a, b, return_indices=True, size=3, fill_value=-1),
     ([3, 5, -1], [2, 0, 5], [0, 2, 4])),
])
def test_setops_size_under_jit(name, fun, expected):
  for out in _eager_and_jit(fun, A, B):
    _assert_close(_np(out), expected)


def test_setops_need_size_under_jit():
  with pytest.raises(core.ConcretizationTypeError, match="setdiff1d"):
    jaxlite.jit(jnp.setdiff1d)(A, B)


def test_unique_array_api_functions():
  x = np.array([[3, 1], [3, 2]], np.int32)
  values, inverse = jnp.unique_inverse(x)
  np.testing.assert_array_equal(values, [1, 2, 3])
  np.testing.assert_array_equal(inverse, [[2, 0], [2, 1]])
  res = jnp.unique_all(x)
  assert type(res).__name__ == "UniqueAllResult"
  np.testing.assert_array_equal(res.indices, [1, 3, 0])
  np.testing.assert_array_equal(res.counts, [1, 1, 2])
  res = jaxlite.jit(lambda v: jnp.unique_all(v, size=5, fill_value=0))(x.ravel())
  np.testing.assert_array_equal(res.values, [1, 2, 3, 0, 0])
  np.testing.assert_array_equal(res.counts, [1, 1, 2, 0, 0])
  # The array API counts every NaN on its own.
  nans = np.array([np.nan, np.nan, 1.0], np.float32)
  np.testing.assert_array_equal(jnp.unique_values(nans), [1.0, np.nan, np.nan])
  np.testing.assert_array_equal(jnp.unique_counts(nans).counts, [1, 1, 1])


def test_sort_complex():
  z = np.array([1 + 2j, 1 - 1j, 5j, 1 + 0j], np.complex64)
  _assert_close(jnp.sort_complex(z), np.sort_complex(z))
  grid = np.array([[5, 3, 4], [6, 9, 2]], np.int32)   # sorted along the last axis
  _assert_close(jnp.sort_complex(grid), np.sort_complex(grid))
  out = jnp.sort_complex(np.array([3, 1], np.int32))
  assert out.dtype == np.complex64
  _assert_close(out, [1, 3])


# --- histograms -------------------------------------------------------------------------

H = np.array([0.0, 1.0, 1.0, 2.5, 3.0, 10.0], np.float32)


@pytest.mark.parametrize("name,kwargs", [
    ("bins4", dict(bins=4)),
    ("range_density", dict(bins=3, range=(0, 3), density=True)),
    ("edges", dict(bins=np.array([0.0, 1.0, 2.0, 4.0], np.float32))),
    ("weights", dict(bins=3, weights=np.arange(6, dtype=np.float32))),
])
def test_histogram_against_numpy(name, kwargs):
  expected = np.histogram(H, **kwargs)
  for out in _eager_and_jit(lambda a: jnp.histogram(a, **kwargs), H):
    _assert_close(_np(out), expected)
  if "weights" not in kwargs:
    _assert_close(jnp.histogram_bin_edges(H, kwargs["bins"], kwargs.get("range")),
                  np.histogram_bin_edges(H, kwargs["bins"], kwargs.get("range")))


def test_histogram_edge_cases():
  _assert_close(jnp.histogram_bin_edges(np.array([2, 2]), 2), [1.5, 2.0, 2.5])
  counts, _ = jnp.histogram(np.zeros((2, 2), np.float32), 2)  # flattened
  _assert_close(counts, [0.0, 4.0])
  with pytest.raises(NotImplementedError, match="string values"):
    jnp.histogram(H, "auto")
  with pytest.raises(ValueError, match="max must be larger than min"):
    jnp.histogram(H, 2, range=(3, 1))


@pytest.mark.parametrize("bins,density", [(2, False), ([2, np.array([0.0, 5.0, 10.0])], True)])
def test_histogram2d_and_dd_against_numpy(bins, density):
  y = H[::-1].copy()
  fun = lambda a, b: jnp.histogram2d(a, b, bins=bins, density=density)
  for out in _eager_and_jit(fun, H, y):
    _assert_close(_np(out), np.histogram2d(H, y, bins=bins, density=density))
  sample = np.stack([H, y], 1)
  out = jnp.histogramdd(sample, bins=bins, density=density)
  expected = np.histogramdd(sample, bins=bins, density=density)
  _assert_close(out[0], expected[0])
  _assert_close(_np(out[1]), expected[1])


# --- convolution ------------------------------------------------------------------------


@pytest.mark.parametrize("fun", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_correlate_against_numpy(fun, mode):
  a = np.array([1.0, 2.0, -1.0, 4.0], np.float32)
  v = np.array([0.5, -2.0, 3.0], np.float32)
  jnp_fun, np_fun = getattr(jnp, fun), getattr(np, fun)
  for x, y in [(a, v), (v, a), (a[:1], v)]:
    for out in _eager_and_jit(lambda p, q: jnp_fun(p, q, mode), x, y):
      _assert_close(out, np_fun(x, y, mode))
  ac = np.array([1 + 1j, 2, 3j], np.complex64)
  vc = np.array([1j, 2 - 1j], np.complex64)
  _assert_close(jnp_fun(ac, vc, mode), np_fun(ac, vc, mode))
  _assert_close(jnp_fun(vc, ac, mode), np_fun(vc, ac, mode))


def test_convolve_dtypes_and_errors():
  assert jnp.convolve(np.array([1, 2, 3]), np.array([1, 1])).dtype == np.float32
  with pytest.raises(ValueError, match="1-dimensional"):
    jnp.convolve(np.ones((2, 2)), np.ones(2))
  with pytest.raises(ValueError, match="mode"):
    jnp.correlate(np.ones(2), np.ones(2), "bad")


def test_convolve_gradient_matches_jax():
  jax = pytest.importorskip("jax")
  a = np.array([1.0, 2.0, -1.0, 4.0], np.float32)
  v = np.array([0.5, -2.0, 3.0], np.float32)
  f = lambda mod: lambda x: (mod.numpy.convolve(x, v, "same") ** 2).sum()
  _assert_close(jaxlite.grad(f(jaxlite))(a), jax.grad(f(jax))(a))


# --- polynomials ------------------------------------------------------------------------

P = np.array([1.0, -3.0, 2.0], np.float32)
Q = np.array([2.0, 1.0], np.float32)


@pytest.mark.parametrize("name,jnp_fun,np_fun", [
    ("polyval", lambda: jnp.polyval(P, np.array([0.0, 1.5, 3.0], np.float32)),
     lambda: np.polyval(P, np.array([0.0, 1.5, 3.0]))),
    ("polyval_int", lambda: jnp.polyval(np.array([1, 2, 3]), np.array([0, 1, 2])),
     lambda: np.polyval(np.array([1, 2, 3]), np.array([0, 1, 2]))),
    ("polyadd", lambda: jnp.polyadd(P, Q), lambda: np.polyadd(P, Q)),
    ("polysub", lambda: jnp.polysub(Q, P), lambda: np.polysub(Q, P)),
    ("polymul", lambda: jnp.polymul(P, Q), lambda: np.polymul(P, Q)),
    ("polydiv", lambda: jnp.polydiv(P, Q, trim_leading_zeros=True),
     lambda: np.polydiv(P, Q)),
    ("polyder", lambda: jnp.polyder(P), lambda: np.polyder(P)),
    ("polyder2", lambda: jnp.polyder(np.array([1, 2, 3, 4]), 2),
     lambda: np.polyder(np.array([1, 2, 3, 4]), 2)),
    ("polyint", lambda: jnp.polyint(P), lambda: np.polyint(P)),
    ("polyint_k", lambda: jnp.polyint(P, 3, k=np.array([1.0, 2.0, 3.0], np.float32)),
     lambda: np.polyint(P, 3, k=[1.0, 2.0, 3.0])),
    ("poly", lambda: jnp.poly(np.array([1.0, 2.0, -1.0], np.float32)),
     lambda: np.poly(np.array([1.0, 2.0, -1.0]))),
    ("vander", lambda: jnp.vander(np.array([1, 2, 3]), 2), lambda: np.vander([1, 2, 3], 2)),
    ("vander_inc", lambda: jnp.vander(np.array([1.0, 2.0]), increasing=True),
     lambda: np.vander([1.0, 2.0], increasing=True)),
    ("trim_zeros", lambda: jnp.trim_zeros(np.array([0, 0, 1, 2, 0])),
     lambda: np.trim_zeros(np.array([0, 0, 1, 2, 0]))),
    ("trim_zeros_f", lambda: jnp.trim_zeros(np.array([0, 0, 1, 2, 0]), "f"),
     lambda: np.trim_zeros(np.array([0, 0, 1, 2, 0]), "f")),
])
def test_polynomials_against_numpy(name, jnp_fun, np_fun):
  _assert_close(_np(jnp_fun()), np_fun(), rtol=1e-4, atol=1e-4)


def test_polynomials_under_jit():
  x = np.array([0.0, 1.5, 3.0], np.float32)
  fun = lambda p, q, x: (jnp.polyval(jnp.polymul(p, q), x), jnp.polydiv(p, q),
                         jnp.polyint(jnp.polyder(p)), jnp.polyadd(p, q))
  quotient, remainder = np.polydiv(P, Q)
  # Without trimming (as JAX), the remainder keeps the dividend's length.
  remainder = np.concatenate([np.zeros(len(P) - len(remainder)), remainder])
  expected = (np.polyval(np.polymul(P, Q), x), (quotient, remainder),
              np.polyint(np.polyder(P)), np.polyadd(P, Q))
  for out in _eager_and_jit(fun, P, Q, x):
    _assert_close(_np(out), expected, rtol=1e-4, atol=1e-4)


def test_polyfit_against_numpy():
  x = np.arange(5.0, dtype=np.float32)
  y = (x ** 2 - 2 * x + 0.5).astype(np.float32)
  y2 = np.stack([y, 3 * x], 1)
  w = np.arange(1.0, 6.0, dtype=np.float32)
  _assert_close(jaxlite.jit(lambda x, y: jnp.polyfit(x, y, 2))(x, y), np.polyfit(x, y, 2),
                atol=1e-3)
  _assert_close(jnp.polyfit(x, y2, 1), np.polyfit(x, y2, 1), rtol=1e-4, atol=1e-4)
  _assert_close(jnp.polyfit(x, y, 1, w=w), np.polyfit(x, y, 1, w=w), rtol=1e-4, atol=1e-4)
  full = jnp.polyfit(x, y, 1, full=True)
  expected = np.polyfit(x, y, 1, full=True)
  _assert_close(full[1], expected[1], rtol=1e-3)
  assert int(full[2]) == expected[2]
  _assert_close(full[3], expected[3], rtol=1e-4)
  _, cov = jnp.polyfit(x, y, 1, cov=True)
  _assert_close(cov, np.polyfit(x, y, 1, cov=True)[1], rtol=1e-3, atol=1e-4)
  _, cov = jnp.polyfit(x, y, 1, cov="unscaled")
  _assert_close(cov, np.polyfit(x, y, 1, cov="unscaled")[1], rtol=1e-3, atol=1e-4)
  with pytest.raises(ValueError, match="deg"):
    jnp.polyfit(x, y, -1)


def test_roots():
  key = lambda r: np.lexsort((np.imag(r), np.real(r)))
  for p in [np.array([1.0, -3.0, 2.0]), np.array([0.0, 1.0, -3.0, 2.0, 0.0]),
            np.array([1.0, 0.0, 1.0])]:
    out, expected = np.asarray(jnp.roots(p.astype(np.float32))), np.roots(p)
    _assert_close(out[key(out)], expected[key(expected)], atol=1e-5)
  # strip_zeros=False works under jit: leading zeros give NaN roots, last.
  out = jaxlite.jit(lambda p: jnp.roots(p, strip_zeros=False))(
      np.array([0.0, 1.0, -3.0, 2.0], np.float32))
  assert np.isnan(np.asarray(out)[-1])
  _assert_close(np.sort(np.asarray(out)[:2].real), [1.0, 2.0], atol=1e-5)
  with pytest.raises(core.ConcretizationTypeError):
    jaxlite.jit(jnp.roots)(P)


# --- signatures -------------------------------------------------------------------------

NEW_NAMES = [
    "histogram", "histogram_bin_edges", "histogram2d", "histogramdd", "convolve",
    "correlate", "gradient", "unwrap", "polyval", "polyfit", "poly", "polyadd", "polysub",
    "polymul", "polydiv", "polyder", "polyint", "roots", "vander", "trim_zeros",
    "apply_along_axis", "apply_over_axes", "piecewise", "intersect1d", "union1d",
    "setdiff1d", "setxor1d", "unique_all", "unique_inverse", "sort_complex", "tril_indices",
    "triu_indices", "tril_indices_from", "triu_indices_from", "diag_indices",
    "diag_indices_from", "mask_indices", "ix_", "ravel_multi_index", "unravel_index", "put",
    "place", "fill_diagonal", "packbits", "unpackbits", "spacing", "i0", "block",
    "bartlett", "blackman", "hamming", "hanning", "kaiser", "fromstring", "from_dlpack",
    "frompyfunc",
]


@pytest.mark.parametrize("name", NEW_NAMES)
def test_signature_matches_jax(name):
  jax_numpy = pytest.importorskip("jax.numpy")
  ours = inspect.signature(getattr(jnp, name)).parameters
  theirs = inspect.signature(getattr(jax_numpy, name)).parameters
  assert list(ours) == list(theirs)
  for p in ours:
    assert ours[p].kind == theirs[p].kind, p
    if theirs[p].default is not inspect.Parameter.empty:
      assert ours[p].default == theirs[p].default, p


def test_public_names_cover_jax_numpy():
  jax_numpy = pytest.importorskip("jax.numpy")
  missing = sorted(n for n in dir(jax_numpy) if not n.startswith("_")
                   and not hasattr(jnp, n))
  assert missing == [], missing


@pytest.mark.parametrize("args", [(np.float16(2), np.float16(3)), (2, 3), (-3, 1.7),
                                  (np.float32(2), 3), (2, 1j), (True, 2)])
def test_float_power_dtypes_as_jax(args):
  """JAX 0.10.2's float_power keeps the promoted inexact dtype (and weak type)."""
  jax_numpy = pytest.importorskip("jax.numpy")
  ours, theirs = jnp.float_power(*args), jax_numpy.float_power(*args)
  assert (ours.dtype, ours.weak_type) == (theirs.dtype, theirs.weak_type)
  np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-3)


def test_polyadd_polysub_two_dimensional_as_jax():
  """JAX adds the shorter coefficient array into the longer's trailing rows."""
  jax_numpy = pytest.importorskip("jax.numpy")
  x3, x4 = np.array([[2, 3, 1]]), np.array([[5, 7, 3], [8, 2, 6]])
  x6, x7 = np.array([[5, 7, 9], [8, 6, 4]]), np.array([2])
  for fun in ("polyadd", "polysub"):
    for a, b in ((x3, x4), (x6, x7), (x7, x6)):
      ours, theirs = getattr(jnp, fun)(a, b), getattr(jax_numpy, fun)(a, b)
      np.testing.assert_array_equal(ours, theirs)
      assert ours.dtype == theirs.dtype


def test_isfinite_of_weak_complex_is_weak_as_jax():
  jax_numpy = pytest.importorskip("jax.numpy")
  for arg in (3 - 4j, np.complex64(1), np.array([1j, np.inf])):
    ours, theirs = jnp.isfinite(arg), jax_numpy.isfinite(arg)
    assert ours.weak_type == theirs.weak_type
    np.testing.assert_array_equal(ours, theirs)
