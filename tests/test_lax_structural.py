"""Tests for jaxlite.lax.structural: values against NumPy (eager and under jit),
JAX's errors, transposes by the dot-product identity and batching rules
against a Python loop."""
import numpy as np
import pytest

import jaxlite
from jaxlite import core, lax
from jaxlite.interpreters import ad, batching


def check_eager_and_jit(f, args, expected, rtol=0):
  """``f(*args)`` eagerly and under jit both equal ``expected`` (and each other)."""
  eager = np.asarray(f(*args))
  jitted = np.asarray(jaxlite.jit(f)(*args))
  np.testing.assert_array_equal(eager, jitted)
  assert eager.dtype == np.asarray(expected).dtype, (eager.dtype, np.asarray(expected).dtype)
  np.testing.assert_allclose(eager, expected, rtol=rtol)


def check_transpose(prim, args, linear, params, seed=0):
  """<T(ct), x> == <ct, f(x)> for the arguments marked linear (jointly linear)."""
  rng = np.random.RandomState(seed)
  out = np.asarray(prim.bind(*args, **params))
  ct = rng.randn(*out.shape).astype(out.dtype)
  targs = [ad.UndefinedPrimal(core.get_aval(a)) if lin else a for a, lin in zip(args, linear)]
  cts = ad.primitive_transposes[prim](ct, *targs, **params)
  assert len(cts) == len(args)
  lhs = 0.0
  for c, a, lin in zip(cts, args, linear):
    if lin:
      c = np.asarray(c)
      assert c.shape == np.shape(a), (c.shape, np.shape(a))
      lhs += np.vdot(c, np.asarray(a))
    else:
      assert c is None
  rhs = np.vdot(ct.astype(np.float64), out.astype(np.float64))
  tol = 2e-3 if out.dtype == np.float16 else 1e-5
  np.testing.assert_allclose(lhs, rhs, rtol=tol, atol=tol)
  return cts


def check_batch(prim, args, dims, params):
  """The batching rule on concrete arrays agrees with a loop over the batch."""
  size = next(np.shape(a)[d] for a, d in zip(args, dims) if d is not None)
  out, out_dim = batching.primitive_batchers[prim](list(args), list(dims), **params)
  got = np.moveaxis(np.asarray(out), out_dim, 0)
  expected = np.stack([
      np.asarray(prim.bind(*[a if d is None else np.take(a, b, axis=d)
                             for a, d in zip(args, dims)], **params))
      for b in range(size)])
  assert got.shape == expected.shape, (got.shape, expected.shape)
  np.testing.assert_array_equal(got, expected)


def np_pad(x, v, config):
  """NumPy reference of lax.pad (negative edge padding cuts)."""
  x = np.asarray(x)
  for axis, (lo, hi, interior) in enumerate(config):
    n = x.shape[axis]
    size = n + max(n - 1, 0) * interior
    shape = list(x.shape)
    shape[axis] = size
    out = np.full(shape, v, x.dtype)
    idx = [slice(None)] * x.ndim
    idx[axis] = slice(0, size, interior + 1)
    out[tuple(idx)] = x
    for amount, at_start in ((lo, True), (hi, False)):
      if amount >= 0:
        shape = list(out.shape)
        shape[axis] = amount
        block = np.full(shape, v, x.dtype)
        out = np.concatenate([block, out] if at_start else [out, block], axis)
      else:
        idx = [slice(None)] * out.ndim
        idx[axis] = slice(-amount, None) if at_start else slice(0, out.shape[axis] + amount)
        out = out[tuple(idx)]
    x = out
  return x


X = np.arange(6, dtype=np.float32).reshape(2, 3)


# --- full, full_like, iota -------------------------------------------------------------------


def test_full_values_weak_types_and_dtypes():
  out = lax.full((2, 3), 1.5)
  assert out.shape == (2, 3) and out.dtype == np.float32 and out.aval.weak_type
  np.testing.assert_array_equal(np.asarray(out), np.full((2, 3), 1.5, np.float32))
  out = lax.full(3, 2, np.int32)     # an int shape, an explicit dtype: not weak
  assert out.shape == (3,) and out.dtype == np.int32 and not out.aval.weak_type
  assert not lax.full((2,), np.float32(1)).aval.weak_type


def test_full_like_and_zeros_like_array():
  x = np.arange(3, dtype=np.int32)
  out = lax.full_like(x, 2.7)
  assert out.dtype == np.int32
  np.testing.assert_array_equal(np.asarray(out), [2, 2, 2])
  out = lax.full_like(x, 1, np.float32, shape=(2,))
  assert out.dtype == np.float32 and out.shape == (2,)
  assert lax.full_like(1.0, 2).aval.weak_type
  np.testing.assert_array_equal(np.asarray(lax.zeros_like_array(X)), np.zeros((2, 3)))


def test_full_rejects_traced_and_non_integer_shapes():
  with pytest.raises(TypeError, match="Shapes must be 1D sequences of concrete values of "
                                      "integer type, got"):
    jaxlite.jit(lambda n: lax.full((n,), 1.0))(3)
  with pytest.raises(TypeError, match=r"got \(2.5,\)"):
    lax.full((2.5,), 1.0)
  with pytest.raises(TypeError, match=r"scalar fill_value, got fill_value.shape \(2,\)"):
    lax.full((2,), np.ones(2))


def test_full_of_float0_is_a_host_zero_array():
  from jaxlite import dtypes
  out = lax.full((2, 1), 0, dtypes.float0)
  assert out.shape == (2, 1) and out.dtype == dtypes.float0


def test_full_with_traced_fill_under_jit():
  check_eager_and_jit(lambda v: lax.full((2,), v), (np.float32(4),),
                      np.full((2,), 4, np.float32))


def test_iota_and_broadcasted_iota():
  check_eager_and_jit(lambda: lax.iota(np.int32, 4), (), np.arange(4, dtype=np.int32))
  out = lax.broadcasted_iota('float32', (2, 3), 1)
  np.testing.assert_array_equal(np.asarray(out), np.tile(np.arange(3, dtype=np.float32), (2, 1)))
  out = lax.broadcasted_iota(np.int32, (2, 3), -2)
  np.testing.assert_array_equal(np.asarray(out), np.repeat([[0], [1]], 3, 1))
  with pytest.raises(ValueError, match="iota dimension must be between 0 and len"):
    lax.broadcasted_iota(np.int32, (2, 3), 2)
  with pytest.raises(TypeError, match="nonnegative"):
    lax.iota(np.float32, -1)


def test_broadcast_expand_dims_collapse():
  np.testing.assert_array_equal(np.asarray(lax.broadcast(X, (2,))), np.stack([X, X]))
  assert lax.expand_dims(X, (0, -1)).shape == (1, 2, 3, 1)
  with pytest.raises(ValueError, match="repeated axis"):
    lax.expand_dims(X, (0, 0))
  with pytest.raises(ValueError, match="out of bounds"):
    lax.expand_dims(X, (4,))
  x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
  np.testing.assert_array_equal(np.asarray(lax.collapse(x, 1)), x.reshape(2, 12))
  np.testing.assert_array_equal(np.asarray(lax.collapse(x, 0, 2)), x.reshape(6, 4))


# --- squeeze, rev --------------------------------------------------------------------------------


def test_squeeze():
  x = np.arange(3, dtype=np.float32).reshape(1, 3, 1)
  check_eager_and_jit(lambda x: lax.squeeze(x, (0, -1)), (x,), x.reshape(3))
  with pytest.raises(ValueError, match="size not equal to one"):
    lax.squeeze(X, (0,))
  with pytest.raises(ValueError, match="out of bounds"):
    lax.squeeze(X, (3,))


def test_rev():
  check_eager_and_jit(lambda x: lax.rev(x, (0, 1)), (X,), X[::-1, ::-1])
  with pytest.raises(TypeError, match="rev dimensions must be unique"):
    lax.rev(X, (0, 0))
  with pytest.raises(TypeError, match="less than operand ndim"):
    lax.rev(X, (2,))


# --- pad -----------------------------------------------------------------------------------------

PAD_CONFIGS = [
    [(1, 2, 0), (0, 0, 0)],
    [(0, 0, 1), (2, 1, 2)],
    [(-1, 1, 1), (1, -2, 0)],    # negative edge padding removes elements
    [(0, -3, 1), (0, 0, 0)],
]


@pytest.mark.parametrize("config", PAD_CONFIGS)
def test_pad_against_numpy(config):
  out = lax.pad(X, np.float32(-1), config)
  np.testing.assert_array_equal(np.asarray(out), np_pad(X, -1, config))


def test_pad_under_jit_and_python_scalar_padding_value():
  check_eager_and_jit(lambda x: lax.pad(x, 7.0, PAD_CONFIGS[1]), (X,), np_pad(X, 7, PAD_CONFIGS[1]))
  x = np.arange(2, dtype=np.int32)
  np.testing.assert_array_equal(np.asarray(lax.pad(x, 0, [(1, 1, 1)])), [0, 0, 0, 1, 0])


def test_pad_errors():
  with pytest.raises(ValueError, match="length of padding_config must equal"):
    lax.pad(np.ones(3, np.float32), np.float32(0), [(1, 1, 1), (1, 1, 1)])
  with pytest.raises(ValueError, match="not at least 0"):
    lax.pad(np.ones(3, np.float32), np.float32(0), [(-2, -2, 0)])
  with pytest.raises(ValueError, match="interior padding in padding_config must be nonnegative"):
    lax.pad(np.ones(3, np.float32), np.float32(0), [(0, 0, -1)])
  with pytest.raises(ValueError, match="padding_value must be a scalar"):
    lax.pad(np.ones(3, np.float32), np.ones(2, np.float32), [(0, 0, 0)])
  with pytest.raises(TypeError, match="pad operand and padding_value must be same dtype: got "
                                      "float32 and int32"):
    lax.pad(np.ones(3, np.float32), np.int32(0), [(0, 0, 0)])


# --- concatenate ---------------------------------------------------------------------------------


def test_concatenate():
  y = np.arange(4, dtype=np.float32).reshape(2, 2)
  check_eager_and_jit(lambda a, b: lax.concatenate([a, b, a], 1), (X, y),
                      np.concatenate([X, y, X], 1))
  with pytest.raises(TypeError, match="different numbers of dimensions"):
    lax.concatenate([np.ones(3), np.ones((2, 2))], 0)
  with pytest.raises(TypeError, match="differ in dimensions other than"):
    lax.concatenate([X, y], 0)
  with pytest.raises(ValueError, match="non-empty"):
    lax.concatenate([], 0)
  with pytest.raises(TypeError, match="dimension out of bounds"):
    lax.concatenate([X], 2)
  with pytest.raises(TypeError, match="same dtypes, got float32, int32"):
    lax.concatenate([X, X.astype(np.int32)], 0)


# --- transposes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("config", PAD_CONFIGS[1:3])
def test_pad_transpose(config):
  # With one argument held fixed the map is linear only where that argument is zero.
  v = np.float32(0.5)
  params = dict(padding_config=tuple(config))
  check_transpose(lax.pad_p, (X, v), (True, True), params)
  check_transpose(lax.pad_p, (X, np.float32(0)), (True, False), params)
  check_transpose(lax.pad_p, (np.zeros_like(X), v), (False, True), params)


def test_concatenate_transpose_mixed_linear():
  y = np.zeros((2, 2), np.float32)
  cts = check_transpose(lax.concatenate_p, (X, np.zeros_like(y), X), (True, False, True),
                        dict(dimension=1))
  assert cts[0].shape == (2, 3)


def test_squeeze_rev_reshape_transpose_broadcast_convert_transposes():
  x = X.reshape(1, 2, 3)
  check_transpose(lax.squeeze_p, (x,), (True,), dict(dimensions=(0,)))
  check_transpose(lax.rev_p, (X,), (True,), dict(dimensions=(1,)))
  check_transpose(lax.reshape_p, (X,), (True,), dict(new_sizes=(3, 2), dimensions=(1, 0)))
  check_transpose(lax.transpose_p, (x,), (True,), dict(permutation=(2, 0, 1)))
  check_transpose(lax.broadcast_in_dim_p, (X[:1],), (True,),
                  dict(shape=(2, 2, 3), broadcast_dimensions=(0, 2)))
  check_transpose(lax.convert_element_type_p, (X,), (True,),
                  dict(new_dtype=np.dtype(np.float16), weak_type=False))


# --- batching rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("bdim", [0, 2])
def test_squeeze_rev_batching(bdim):
  x = np.moveaxis(np.arange(12, dtype=np.float32).reshape(2, 1, 3, 2), 0, bdim)
  x = np.ascontiguousarray(x)
  check_batch(lax.squeeze_p, (x,), (bdim,), dict(dimensions=(0,)))
  check_batch(lax.rev_p, (x,), (bdim,), dict(dimensions=(0, 2)))


@pytest.mark.parametrize("dims", [(1, None), (None, 0), (0, 0), (2, 0)])
def test_pad_batching(dims):
  xd, vd = dims
  x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)   # batch of 2 on axis 0
  x = x[0] if xd is None else np.ascontiguousarray(np.moveaxis(x, 0, xd))
  v = np.float32(-1) if vd is None else np.array([-1, -2], np.float32)
  check_batch(lax.pad_p, (x, v), dims, dict(padding_config=((1, -1, 1), (0, 2, 0))))


def test_concatenate_batching_mixed():
  a = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
  b = np.arange(4, dtype=np.float32).reshape(2, 2) + 100
  c = np.arange(12, dtype=np.float32).reshape(3, 2, 2) - 50     # batch on axis 1
  check_batch(lax.concatenate_p, (a, b, c), (0, None, 1), dict(dimension=0))


def test_reshape_transpose_broadcast_batching():
  x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
  check_batch(lax.reshape_p, (x,), (1,), dict(new_sizes=(4,), dimensions=(1, 0)))
  check_batch(lax.transpose_p, (x,), (2,), dict(permutation=(1, 0)))
  check_batch(lax.broadcast_in_dim_p, (x,), (1,),
              dict(shape=(2, 4, 2), broadcast_dimensions=(0, 2)))


def test_vmap_through_structural_ops():
  vmap = getattr(jaxlite, "vmap", None)
  if vmap is None:
    pytest.skip("jaxlite.vmap not available yet")
  x = np.arange(12, dtype=np.float32).reshape(3, 4)
  f = lambda r: lax.concatenate([lax.rev(r, (0,)), lax.pad(r, np.float32(0), [(1, 0, 0)])], 0)
  out = vmap(f, in_axes=1)(x.T.copy())
  expected = np.stack([np.concatenate([r[::-1], np_pad(r, 0, [(1, 0, 0)])]) for r in x])
  np.testing.assert_array_equal(np.asarray(out), expected)


# --- JVP through the linear rules ------------------------------------------------------------------


def test_pad_and_concatenate_jvp_apply_the_op_to_tangents():
  t = np.full_like(X, 2)
  cfg = [(0, 0, 0), (1, 0, 1)]
  (out,), (tout,) = ad.jvp_flat(
      lambda x: [lax.concatenate([lax.pad(x, np.float32(3), cfg), x], 1)], [X], [t])
  np.testing.assert_array_equal(np.asarray(out), np.concatenate([np_pad(X, 3, cfg), X], 1))
  # The padding value is a constant: its tangent, zero, pads the tangent.
  np.testing.assert_array_equal(np.asarray(tout), np.concatenate([np_pad(t, 0, cfg), t], 1))
