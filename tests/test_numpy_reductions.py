"""jnp reductions against NumPy: axis, keepdims, where, initial, dtype, ddof."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

_X = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 2
_NAN = np.array([[1.0, np.nan, 3.0, 0.5], [np.nan, np.nan, np.nan, np.nan],
                 [2.0, -1.0, np.nan, 4.0]], np.float32)


def _check(got, want, rtol=1e-5, dtype=True):
  got = np.asarray(got)
  want = np.asarray(want)
  assert got.shape == want.shape, (got.shape, want.shape)
  if dtype:
    assert got.dtype == want.dtype.type(0).astype(got.dtype).dtype
  np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6, equal_nan=True)


_NAMES = ["sum", "prod", "max", "min", "mean", "var", "std", "ptp", "argmax", "argmin",
          "all", "any", "cumsum", "cumprod", "median", "count_nonzero"]


@pytest.mark.parametrize("name", _NAMES)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_reduction_against_numpy(name, axis):
  _check(getattr(jnp, name)(_X, axis=axis), getattr(np, name)(_X, axis=axis), dtype=False)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "var", "std", "any",
                                  "all", "median", "argmax"])
def test_keepdims_and_tuple_axes(name):
  x = _X.reshape(3, 2, 2)
  axis = (0, 2) if name != "argmax" else 1
  _check(getattr(jnp, name)(x, axis=axis, keepdims=True),
         getattr(np, name)(x, axis=axis, keepdims=True), dtype=False)


def test_where_initial_dtype_ddof():
  mask = _X > 0
  _check(jnp.sum(_X, axis=1, where=mask), np.sum(_X, axis=1, where=mask))
  _check(jnp.max(_X, axis=0, where=mask, initial=-10.0),
         np.max(_X, axis=0, where=mask, initial=-10.0))
  _check(jnp.min(_X, initial=-9.0), np.min(_X, initial=-9.0))
  _check(jnp.mean(_X, axis=0, where=mask), np.mean(_X, axis=0, where=mask))
  _check(jnp.var(_X, axis=1, ddof=1), np.var(_X, axis=1, ddof=1))
  _check(jnp.std(_X, ddof=2), np.std(_X, ddof=2))
  _check(jnp.sum(_X, dtype=jnp.int32), np.sum(_X, dtype=np.int32), dtype=False)
  _check(jnp.prod(_X, initial=2.0), np.prod(_X, initial=2.0))
  with pytest.raises(ValueError, match="zero-size array"):
    jnp.max(np.zeros((0, 2), np.float32), axis=0)
  _check(jnp.max(np.zeros((0, 2), np.float32), axis=0, initial=1.0), [1.0, 1.0])


def test_integer_and_bool_accumulation_dtypes():
  x = np.array([100, 100, 100], np.int8)
  assert jnp.sum(x).dtype == np.int32 and int(jnp.sum(x)) == 300
  assert jnp.sum(np.array([True, True])).dtype == np.int32
  assert jnp.sum(np.array([1, 2], np.uint8)).dtype == np.uint32
  assert jnp.mean(np.array([1, 2], np.int32)).dtype == np.float32
  assert jnp.cumsum(np.array([True, True])).dtype == np.int32
  assert jnp.max(x).dtype == np.int8
  jax_jnp = pytest.importorskip("jax.numpy")
  for name in ("sum", "prod", "mean", "max", "var", "argmax", "cumsum"):
    for dt in (np.int8, np.uint16, np.bool_, np.float16):
      v = np.ones(3, dt)
      assert getattr(jnp, name)(v).dtype == getattr(jax_jnp, name)(v).dtype, (name, dt)


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmax", "nanmin", "nanmean",
                                  "nanvar", "nanstd", "nanargmax", "nanargmin",
                                  "nancumsum", "nancumprod", "nanmedian"])
def test_nan_reductions(name):
  x = _NAN[[0, 2]]  # rows with some NaNs: NumPy warns on all-NaN rows
  with np.errstate(all="ignore"):
    for axis in (None, 1):
      _check(getattr(jnp, name)(x, axis=axis), getattr(np, name)(x, axis=axis), dtype=False)


def test_all_nan_slices():
  with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
    _check(jnp.nanmax(_NAN, axis=1), np.nanmax(_NAN, axis=1))
    _check(jnp.nanmean(_NAN, axis=1), np.nanmean(_NAN, axis=1))
  np.testing.assert_array_equal(jnp.nanargmax(_NAN, axis=1), [2, -1, 3])


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_methods(method, jax_reference):
  # 'nearest' breaks ties toward the lower element in JAX (NumPy rounds half
  # to even): that one is compared with JAX.
  ref_jnp = np if method != "nearest" else jax_reference.numpy
  q = np.array([0.0, 0.3, 0.5, 1.0], np.float32)
  _check(jnp.quantile(_X, q, axis=1, method=method),
         np.asarray(ref_jnp.quantile(_X, q, axis=1, method=method)), dtype=False)
  _check(jnp.percentile(_X, 40.0, method=method, keepdims=True),
         np.asarray(ref_jnp.percentile(_X, 40.0, method=method, keepdims=True)), dtype=False)
  _check(jnp.quantile(np.arange(8.0), 0.5, method=method),
         np.asarray(ref_jnp.quantile(np.arange(8.0), 0.5, method=method)), dtype=False)


def test_nanquantile_and_median():
  x = _NAN[[0, 2]]
  _check(jnp.nanquantile(x, 0.25, axis=1), np.nanquantile(x, 0.25, axis=1))
  _check(jnp.nanpercentile(x, 75), np.nanpercentile(x, 75))
  _check(jnp.median(_X, axis=(0, 1)), np.median(_X, axis=(0, 1)))
  assert np.isnan(jnp.median(np.array([1.0, np.nan], np.float32)))


def test_average():
  w = np.array([1.0, 2.0, 0.5, 1.0], np.float32)
  _check(jnp.average(_X), np.average(_X))
  _check(jnp.average(_X, axis=1, weights=w), np.average(_X, axis=1, weights=w))
  avg, total = jnp.average(_X, axis=1, weights=w, returned=True)
  wavg, wtotal = np.average(_X, axis=1, weights=w, returned=True)
  _check(avg, wavg)
  _check(total, wtotal)
  with pytest.raises(ValueError, match="Axis must be specified"):
    jnp.average(_X, weights=w)


def test_cumulative_forms():
  _check(jnp.cumsum(_X, axis=0, dtype=jnp.float32), np.cumsum(_X, axis=0))
  _check(jnp.cumulative_sum(np.arange(4), include_initial=True), [0, 0, 1, 3, 6],
         dtype=False)
  _check(jnp.cumulative_prod(np.arange(1, 4)), [1, 2, 6], dtype=False)


def test_empty_and_zero_rank():
  e = np.zeros((0, 3), np.float32)
  _check(jnp.sum(e, axis=0), np.sum(e, axis=0))
  _check(jnp.prod(e), np.prod(e))
  _check(jnp.sum(np.float32(2.5)), np.sum(np.float32(2.5)))
  with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
    _check(jnp.mean(e, axis=0), np.mean(e, axis=0))


def test_reductions_under_jit():
  f = jaxlite.jit(lambda x: (jnp.sum(x, axis=0), jnp.var(x), jnp.argmax(x, axis=1),
                             jnp.median(x), jnp.cumsum(x, axis=1)))
  for got, want in zip(f(_X), (np.sum(_X, 0), np.var(_X), np.argmax(_X, 1), np.median(_X),
                               np.cumsum(_X, 1))):
    _check(got, want, dtype=False)


def test_axis_errors():
  with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
    jnp.sum(_X, axis=2)
  with pytest.raises(ValueError, match="repeated axis"):
    jnp.sum(_X, axis=(0, 0))
  with pytest.raises(TypeError, match="requires ndarray or scalar"):
    jnp.sum([1, 2])
