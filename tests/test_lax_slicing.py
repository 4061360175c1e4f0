"""Tests for jaxlite.lax slicing and indexing: slice, dynamic_slice,
dynamic_update_slice, gather and the scatter family, against NumPy reference
implementations of XLA's semantics (eager and under jit), with transposes by
the dot-product identity, batching rules against a Python loop, and JVPs."""

import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.interpreters import ad

from test_lax_structural import check_batch, check_eager_and_jit, check_transpose

GDN = lax.GatherDimensionNumbers
SDN = lax.ScatterDimensionNumbers
FILL, CLIP, PROMISE = (lax.GatherScatterMode.FILL_OR_DROP, lax.GatherScatterMode.CLIP,
                       lax.GatherScatterMode.PROMISE_IN_BOUNDS)
X = np.arange(12, dtype=np.float32).reshape(3, 4)


# --- NumPy references of XLA's gather and scatter ------------------------------------------------


def _starts(shape, index_vector, batch_index, index_map, op_batch, idx_batch):
  start = [0] * len(shape)
  for k, d in enumerate(index_map):
    start[d] = int(index_vector[k])
  for od, ib in zip(op_batch, idx_batch):
    start[od] = batch_index[ib]
  return start


def np_gather(operand, indices, dn, slice_sizes, mode=PROMISE, fill_value=None):
  operand, indices = np.asarray(operand), np.asarray(indices)
  batch_shape = indices.shape[:-1]
  dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
  offset_sizes = [s for i, s in enumerate(slice_sizes) if i not in dropped]
  out_rank = len(batch_shape) + len(dn.offset_dims)
  out_shape, it_o, it_b = [], iter(offset_sizes), iter(batch_shape)
  for i in range(out_rank):
    out_shape.append(next(it_o) if i in dn.offset_dims else next(it_b))
  out = np.zeros(out_shape, operand.dtype)
  for b in np.ndindex(*batch_shape):
    start = _starts(operand.shape, indices[b], b, dn.start_index_map,
                    dn.operand_batching_dims, dn.start_indices_batching_dims)
    oob = any(not 0 <= start[d] <= operand.shape[d] - slice_sizes[d] for d in dn.start_index_map)
    start = [min(max(s, 0), d - z) for s, d, z in zip(start, operand.shape, slice_sizes)]
    piece = operand[tuple(slice(s, s + z) for s, z in zip(start, slice_sizes))]
    piece = piece.reshape(offset_sizes)
    if oob and mode == FILL:
      piece = np.full(offset_sizes, fill_value, operand.dtype)
    where, it = [], iter(b)
    for i in range(out_rank):
      where.append(slice(None) if i in dn.offset_dims else next(it))
    out[tuple(where)] = piece
  return out


def np_scatter(operand, indices, updates, dn, combine, mode=FILL):
  out = np.array(operand, copy=True)
  indices, updates = np.asarray(indices), np.asarray(updates)
  scatter_axes = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
  window_axes = [d for d in range(out.ndim)
                 if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims]
  for b in np.ndindex(*indices.shape[:-1]):
    start = _starts(out.shape, indices[b], b, dn.scatter_dims_to_operand_dims,
                    dn.operand_batching_dims, dn.scatter_indices_batching_dims)
    window = [1] * out.ndim
    for a, w in zip(window_axes, dn.update_window_dims):
      window[a] = updates.shape[w]
    if mode == CLIP:
      start = [min(max(s, 0), d - w) for s, d, w in zip(start, out.shape, window)]
    elif any(not 0 <= s <= d - w for s, d, w in zip(start, out.shape, window)):
      continue   # dropped
    for w in np.ndindex(*[updates.shape[d] for d in dn.update_window_dims]):
      upd_idx = [0] * updates.ndim
      for a, v in zip(scatter_axes, b):
        upd_idx[a] = v
      for a, v in zip(dn.update_window_dims, w):
        upd_idx[a] = v
      op_idx = list(start)
      for a, v in zip(window_axes, w):
        op_idx[a] += v
      out[tuple(op_idx)] = combine(out[tuple(op_idx)], updates[tuple(upd_idx)])
  return out


COMBINE = {
    "scatter": lambda x, y: y, "scatter_add": lambda x, y: x + y,
    "scatter_sub": lambda x, y: x - y, "scatter_mul": lambda x, y: x * y,
    "scatter_min": min, "scatter_max": max,
}


# --- slice ---------------------------------------------------------------------------------------


def test_slice_with_and_without_strides():
  check_eager_and_jit(lambda x: lax.slice(x, (1, 0), (3, 4), (1, 3)), (X,), X[1:3, 0:4:3])
  np.testing.assert_array_equal(np.asarray(lax.slice(X, (0, 1), (2, 3))), X[0:2, 1:3])


def test_slice_in_dim_and_index_in_dim():
  np.testing.assert_array_equal(np.asarray(lax.slice_in_dim(X, -2, None, axis=0)), X[-2:])
  np.testing.assert_array_equal(np.asarray(lax.slice_in_dim(X, 0, 4, 2, axis=1)), X[:, 0:4:2])
  np.testing.assert_array_equal(np.asarray(lax.index_in_dim(X, -1, 1)), X[:, -1:])
  np.testing.assert_array_equal(np.asarray(lax.index_in_dim(X, 1, 0, keepdims=False)), X[1])
  with pytest.raises(IndexError):
    lax.index_in_dim(X, 3, 0)


def test_slice_errors():
  with pytest.raises(TypeError, match="limit_indices must be less than or equal to operand"):
    lax.slice(X, (0, 0), (4, 4))
  with pytest.raises(TypeError, match="greater than or equal to start_indices"):
    lax.slice(X, (2, 0), (1, 4))
  with pytest.raises(TypeError, match="length equal to the number of dimensions"):
    lax.slice(X, (0,), (1,))
  with pytest.raises(TypeError, match="strides must be positive"):
    lax.slice(X, (0, 0), (1, 1), (0, 1))


# --- dynamic_slice / dynamic_update_slice -----------------------------------------------------------


def test_dynamic_slice_clamps_and_wraps_negative_indices():
  f = lambda x, i, j: lax.dynamic_slice(x, (i, j), (2, 2))
  for i, j, (ei, ej) in [(1, 1, (1, 1)), (5, 3, (1, 2)), (-1, -3, (1, 1)), (-9, 0, (0, 0))]:
    check_eager_and_jit(f, (X, np.int32(i), np.int32(j)), X[ei:ei + 2, ej:ej + 2])
  # Host Python ints take the same path.
  np.testing.assert_array_equal(np.asarray(lax.dynamic_slice(X, (-1, 5), (1, 2))), X[2:3, 2:4])


def test_dynamic_slice_no_negative_wrap():
  out = lax.dynamic_slice(X, (np.int32(-1), 0), (1, 4), allow_negative_indices=False)
  np.testing.assert_array_equal(np.asarray(out), X[0:1])   # clamped, not wrapped


def test_dynamic_slice_helpers():
  np.testing.assert_array_equal(np.asarray(lax.dynamic_slice_in_dim(X, np.int32(2), 2, axis=1)),
                                X[:, 2:4])
  np.testing.assert_array_equal(np.asarray(lax.dynamic_index_in_dim(X, np.int32(-1), 0, False)),
                                X[2])
  np.testing.assert_array_equal(np.asarray(lax.dynamic_index_in_dim(X, 1, 1)), X[:, 1:2])


def test_dynamic_update_slice_clamps():
  u = np.full((2, 2), -1, np.float32)
  f = lambda x, u, i: lax.dynamic_update_slice(x, u, (i, np.int32(3)))
  expected = X.copy()
  expected[1:3, 2:4] = -1
  check_eager_and_jit(f, (X, u, np.int32(7)), expected)


def test_dynamic_update_helpers():
  out = lax.dynamic_update_index_in_dim(X, np.full(4, -1, np.float32), np.int32(-1), 0)
  expected = X.copy()
  expected[-1] = -1
  np.testing.assert_array_equal(np.asarray(out), expected)
  out = lax.dynamic_update_slice_in_dim(X, np.zeros((3, 2), np.float32), 1, axis=1)
  expected = X.copy()
  expected[:, 1:3] = 0
  np.testing.assert_array_equal(np.asarray(out), expected)


def test_dynamic_slice_errors():
  with pytest.raises(ValueError, match=r"Length of slice indices must match number of operand "
                                       r"dimensions \(1 vs \(3, 4\)\)"):
    lax.dynamic_slice(X, (0,), (1, 1))
  with pytest.raises(TypeError, match="index arguments to dynamic_slice must be integers"):
    lax.dynamic_slice(X, (np.float32(0), 0), (1, 1))
  with pytest.raises(TypeError, match="slice_sizes must be less than or equal to operand shape"):
    lax.dynamic_slice(X, (0, 0), (4, 1))
  with pytest.raises(TypeError, match="update shape must be smaller than operand shape"):
    lax.dynamic_update_slice(X, np.ones((4, 1), np.float32), (0, 0))
  with pytest.raises(TypeError, match="same rank as operand"):
    lax.dynamic_update_slice(X, np.ones(1, np.float32), (0, 0))
  with pytest.raises(TypeError, match="same dtypes, got float32, int32"):
    lax.dynamic_update_slice(X, np.ones((1, 1), np.int32), (0, 0))


# --- gather -------------------------------------------------------------------------------------

GATHER_CASES = [
    # rows of X (jnp.take along axis 0)
    (GDN(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)), (1, 4),
     np.array([[2], [0], [2]])),
    # single elements at (row, col) pairs
    (GDN(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(0, 1)), (1, 1),
     np.array([[0, 1], [2, 3], [1, 0]])),
    # 2x2 windows, index vector in the reversed axis order, two batch axes
    (GDN(offset_dims=(2, 3), collapsed_slice_dims=(), start_index_map=(1, 0)), (2, 2),
     np.array([[[0, 0], [2, 1]], [[1, 1], [0, 1]]])),
    # batching dims: row b of X at column indices[b]
    (GDN(offset_dims=(), collapsed_slice_dims=(1,), start_index_map=(1,),
         operand_batching_dims=(0,), start_indices_batching_dims=(0,)), (1, 1),
     np.array([[3], [0], [2]])),
]


@pytest.mark.parametrize("case", range(len(GATHER_CASES)))
def test_gather_against_reference(case):
  dn, sizes, idx = GATHER_CASES[case]
  idx = idx.astype(np.int32)
  f = lambda x, i: lax.gather(x, i, dn, sizes)
  check_eager_and_jit(f, (X, idx), np_gather(X, idx, dn, sizes))


OOB_DN = GDN(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
OOB_IDX = np.array([[1], [3], [-1], [2]], np.int32)


def test_gather_modes_out_of_bounds():
  clip = lax.gather(X, OOB_IDX, OOB_DN, (1, 4), mode="clip")
  np.testing.assert_array_equal(np.asarray(clip), X[[1, 2, 0, 2]])
  promise = lax.gather(X, OOB_IDX, OOB_DN, (1, 4))    # XLA clamps too
  np.testing.assert_array_equal(np.asarray(promise), X[[1, 2, 0, 2]])
  fill = lax.gather(X, OOB_IDX, OOB_DN, (1, 4), mode="fill")
  np.testing.assert_array_equal(np.asarray(fill), np_gather(X, OOB_IDX, OOB_DN, (1, 4), FILL,
                                                            np.nan))
  assert np.isnan(np.asarray(fill)[1:3]).all()
  fill = jaxlite.jit(lambda x: lax.gather(x, OOB_IDX, OOB_DN, (1, 4), mode=FILL,
                                          fill_value=-5))(X)
  np.testing.assert_array_equal(np.asarray(fill), np_gather(X, OOB_IDX, OOB_DN, (1, 4), FILL, -5))


@pytest.mark.parametrize("dtype,fill", [(np.int32, np.iinfo(np.int32).min),
                                        (np.uint8, 255), (np.bool_, True)])
def test_gather_default_fill_values(dtype, fill):
  x = np.zeros(3, dtype)
  dn = GDN(offset_dims=(), collapsed_slice_dims=(0,), start_index_map=(0,))
  out = lax.gather(x, np.array([[5], [0]], np.int32), dn, (1,), mode="fill")
  np.testing.assert_array_equal(np.asarray(out), np.array([fill, 0], dtype))


def test_gather_window_partially_out_of_bounds_fills_whole_slice():
  dn = GDN(offset_dims=(1,), collapsed_slice_dims=(), start_index_map=(0,))
  x = np.arange(5, dtype=np.float32)
  out = lax.gather(x, np.array([[3], [4]], np.int32), dn, (2,), mode="fill", fill_value=0)
  np.testing.assert_array_equal(np.asarray(out), [[3, 4], [0, 0]])


def test_gather_errors():
  idx = np.zeros((2, 1), np.int32)
  with pytest.raises(ValueError, match="indices must have an integer type"):
    lax.gather(X, idx.astype(np.float32), OOB_DN, (1, 4))
  with pytest.raises(TypeError, match="offset_dims in gather op must be sorted"):
    lax.gather(X, idx, GDN((1, 0), (), (0,)), (1, 4))
  with pytest.raises(TypeError, match="2 elements in start_index_map"):
    lax.gather(X, idx, GDN((1,), (0,), (0, 1)), (1, 4))
  with pytest.raises(TypeError, match="one slice size for every input dimension"):
    lax.gather(X, idx, OOB_DN, (1,))
  with pytest.raises(TypeError, match="collapse slice dims with bound 1"):
    lax.gather(X, idx, OOB_DN, (2, 4))
  with pytest.raises(TypeError, match=r"must be within \[0, 4 \+ 1\), got 5"):
    lax.gather(X, idx, OOB_DN, (1, 5))
  with pytest.raises(TypeError, match="offset index in a gather op"):
    lax.gather(X, idx, GDN((1,), (), (0,)), (1, 4))
  with pytest.raises(TypeError, match="batching dimensions to have the same shape"):
    lax.gather(X, idx, GDN((1,), (), (1,), (0,), (0,)), (1, 4))
  with pytest.raises(TypeError, match="GatherDimensionNumbers"):
    lax.gather(X, idx, (1,), (1, 4))


# --- scatter family -----------------------------------------------------------------------------

ROW_SDN = SDN(update_window_dims=(1,), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
DUP_IDX = np.array([[2], [0], [2], [1]], np.int32)
UPD = (np.arange(16, dtype=np.float32).reshape(4, 4) - 6) * np.float32(1.5)


@pytest.mark.parametrize("name", ["scatter_add", "scatter_sub", "scatter_mul", "scatter_min",
                                  "scatter_max"])
def test_scatter_ops_with_duplicates(name):
  op = getattr(lax, name)
  f = lambda x, i, u: op(x, i, u, ROW_SDN)
  check_eager_and_jit(f, (X, DUP_IDX, UPD), np_scatter(X, DUP_IDX, UPD, ROW_SDN, COMBINE[name]))


def test_scatter_replace_unique_and_duplicates():
  idx = np.array([[2], [0]], np.int32)
  f = lambda x, i, u: lax.scatter(x, i, u, ROW_SDN, unique_indices=True)
  check_eager_and_jit(f, (X, idx, UPD[:2]), np_scatter(X, idx, UPD[:2], ROW_SDN, COMBINE["scatter"]))
  out = np.asarray(lax.scatter(X, DUP_IDX, UPD, ROW_SDN))
  np.testing.assert_array_equal(out[:2], np_scatter(X, DUP_IDX, UPD, ROW_SDN, COMBINE["scatter"])[:2])
  assert any((out[2] == UPD[k]).all() for k in (0, 2))    # one of the contenders lands


def test_scatter_point_updates_and_batching_dims():
  dn = SDN(update_window_dims=(), inserted_window_dims=(0, 1), scatter_dims_to_operand_dims=(0, 1))
  idx = np.array([[0, 1], [2, 3], [0, 1]], np.int32)
  u = np.array([10, 20, 30], np.float32)
  np.testing.assert_array_equal(np.asarray(lax.scatter_add(X, idx, u, dn)),
                                np_scatter(X, idx, u, dn, COMBINE["scatter_add"]))
  # batching dims: row b gets its update at column idx[b]
  dn = SDN(update_window_dims=(), inserted_window_dims=(1,), scatter_dims_to_operand_dims=(1,),
           operand_batching_dims=(0,), scatter_indices_batching_dims=(0,))
  idx = np.array([[3], [0], [1]], np.int32)
  np.testing.assert_array_equal(np.asarray(lax.scatter_add(X, idx, u, dn)),
                                np_scatter(X, idx, u, dn, COMBINE["scatter_add"]))


def test_scatter_modes_out_of_bounds():
  idx = np.array([[5], [-1], [1]], np.int32)
  u = np.ones((3, 4), np.float32)
  for mode in (None, "drop", PROMISE):
    out = lax.scatter_add(X, idx, u, ROW_SDN, mode=mode)
    np.testing.assert_array_equal(np.asarray(out), np_scatter(X, idx, u, ROW_SDN, COMBINE["scatter_add"]))
  out = jaxlite.jit(lambda x: lax.scatter_add(x, idx, u, ROW_SDN, mode="clip"))(X)
  np.testing.assert_array_equal(np.asarray(out),
                                np_scatter(X, idx, u, ROW_SDN, COMBINE["scatter_add"], CLIP))


def test_scatter_window_partially_out_of_bounds_is_dropped():
  dn = SDN(update_window_dims=(1,), inserted_window_dims=(), scatter_dims_to_operand_dims=(0,))
  x = np.zeros(5, np.float32)
  out = lax.scatter_add(x, np.array([[1], [4]], np.int32), np.ones((2, 2), np.float32), dn)
  np.testing.assert_array_equal(np.asarray(out), [0, 1, 1, 0, 0])


def test_scatter_apply():
  out = lax.scatter_apply(X, DUP_IDX, lambda v: lax.mul(v, np.float32(2)), ROW_SDN,
                          update_shape=(4, 4))
  expected = X.copy()
  for r in DUP_IDX[:, 0]:
    expected[r] *= 2    # applied once per hit
  np.testing.assert_array_equal(np.asarray(out), expected)


def test_scatter_errors():
  idx = np.zeros((2, 1), np.int32)
  u = np.ones((2, 4), np.float32)
  with pytest.raises(TypeError, match="updates bound is 5, operand bound is 4"):
    lax.scatter_add(X, idx, np.ones((2, 5), np.float32), ROW_SDN)
  with pytest.raises(TypeError, match="lax.scatter_add requires arguments to have the same "
                                      "dtypes, got float32, int32"):
    lax.scatter_add(X, idx, u.astype(np.int32), ROW_SDN)
  with pytest.raises(TypeError, match="updates bound is 3, indices bound is 2"):
    lax.scatter_add(X, idx, np.ones((3, 4), np.float32), ROW_SDN)
  with pytest.raises(TypeError, match="window of size 1; doesn't match operand of rank 2"):
    lax.scatter_add(X, idx, u, SDN((1,), (), (0,)))
  with pytest.raises(ValueError, match="indices must have an integer type"):
    lax.scatter(X, idx.astype(np.float32), u, ROW_SDN)


# --- transposes ----------------------------------------------------------------------------------


def test_slice_transposes():
  check_transpose(lax.slice_p, (X,), (True,),
                  dict(start_indices=(0, 1), limit_indices=(3, 4), strides=(2, 2)))
  check_transpose(lax.slice_p, (X,), (True,),
                  dict(start_indices=(1, 0), limit_indices=(2, 3), strides=None))


def test_dynamic_slice_and_update_transposes():
  i, j = np.int32(2), np.int32(1)
  cts = check_transpose(lax.dynamic_slice_p, (X, i, j), (True, False, False),
                        dict(slice_sizes=(2, 2)))   # start clamped to row 1
  assert (np.asarray(cts[0])[0] == 0).all()
  u = np.ones((2, 2), np.float32)
  # An argument held fixed must be zero for the map to be linear.
  for (x, uu), linear in [((X, u), (True, True)), ((X, 0 * u), (True, False)),
                          ((0 * X, u), (False, True))]:
    check_transpose(lax.dynamic_update_slice_p, (x, uu, i, j), linear + (False, False), {})


@pytest.mark.parametrize("mode", [FILL, CLIP])
def test_gather_transpose(mode):
  dn, sizes = OOB_DN, (1, 4)
  check_transpose(lax.gather_p, (X, OOB_IDX), (True, False),
                  dict(dimension_numbers=dn, slice_sizes=sizes, indices_are_sorted=False,
                       unique_indices=False, mode=mode, fill_value=0 if mode == FILL else None))


def test_gather_transpose_with_batching_dims():
  dn, sizes, idx = GATHER_CASES[3]
  check_transpose(lax.gather_p, (X, idx.astype(np.int32)), (True, False),
                  dict(dimension_numbers=dn, slice_sizes=sizes, indices_are_sorted=False,
                       unique_indices=False, mode=PROMISE, fill_value=None))


SCATTER_PARAMS = dict(dimension_numbers=ROW_SDN, indices_are_sorted=False,
                      unique_indices=False, mode=FILL)


def test_scatter_add_sub_transposes():
  for prim in (lax.scatter_add_p, lax.scatter_sub_p):
    for (x, u), linear in [((X, UPD), (True, False, True)), ((X, 0 * UPD), (True, False, False)),
                           ((0 * X, UPD), (False, False, True))]:
      check_transpose(prim, (x, DUP_IDX, u), linear, SCATTER_PARAMS)


def test_scatter_mul_and_scatter_transposes():
  check_transpose(lax.scatter_mul_p, (X, DUP_IDX, UPD), (True, False, False), SCATTER_PARAMS)
  with pytest.raises(NotImplementedError):
    check_transpose(lax.scatter_mul_p, (X, DUP_IDX, UPD), (False, False, True), SCATTER_PARAMS)
  idx = np.array([[2], [0]], np.int32)
  unique = dict(SCATTER_PARAMS, unique_indices=True)
  check_transpose(lax.scatter_p, (X, idx, UPD[:2]), (True, False, True), unique)
  with pytest.raises(NotImplementedError, match="unique_indices=True"):
    check_transpose(lax.scatter_p, (X, idx, UPD[:2]), (True, False, True), SCATTER_PARAMS)


# --- batching rules ---------------------------------------------------------------------------------


def _moved(x, axis):
  return np.ascontiguousarray(np.moveaxis(x, 0, axis))


def test_slice_batching():
  xb = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
  check_batch(lax.slice_p, (_moved(xb, 2),), (2,),
              dict(start_indices=(0, 1), limit_indices=(3, 4), strides=(2, 2)))


@pytest.mark.parametrize("dims", [(1, None, None), (None, 0, None), (2, 0, None), (0, 0, 0)])
def test_dynamic_slice_batching(dims):
  xb = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
  ib = np.array([2, -1], np.int32)            # clamped and negative starts
  jb = np.array([1, 3], np.int32)
  args = (xb[0] if dims[0] is None else _moved(xb, dims[0]),
          ib[0] if dims[1] is None else ib, jb[0] if dims[2] is None else jb)
  check_batch(lax.dynamic_slice_p, args, dims, dict(slice_sizes=(2, 2)))


@pytest.mark.parametrize("dims", [(0, None, None, None), (None, 1, None, None),
                                  (1, None, 0, None), (None, None, 0, 0), (0, 2, 0, 0)])
def test_dynamic_update_slice_batching(dims):
  xb = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
  ub = -np.arange(8, dtype=np.float32).reshape(2, 2, 2) - 1
  ib, jb = np.array([2, 0], np.int32), np.array([1, 3], np.int32)
  args = [xb[0] if dims[0] is None else _moved(xb, dims[0]),
          ub[0] if dims[1] is None else _moved(ub, dims[1]),
          ib[0] if dims[2] is None else ib, jb[0] if dims[3] is None else jb]
  check_batch(lax.dynamic_update_slice_p, args, dims, {})


def _gather_params(dn, sizes, mode=FILL, fill_value=-1.0):
  return dict(dimension_numbers=dn, slice_sizes=sizes, indices_are_sorted=False,
              unique_indices=False, mode=mode, fill_value=fill_value if mode == FILL else None)


@pytest.mark.parametrize("case,dims", [(0, (1, None)), (0, (None, 1)), (0, (2, 0)),
                                       (2, (0, 1)), (3, (1, 0)), (3, (None, 0))])
def test_gather_batching(case, dims):
  dn, sizes, idx = GATHER_CASES[case]
  xb = np.stack([X, X * 10 + 1])
  idx = idx.astype(np.int32)
  ib = np.stack([idx, np.flip(idx, 0) + 1])    # the second has out-of-bounds entries
  args = (X if dims[0] is None else _moved(xb, dims[0]),
          idx if dims[1] is None else _moved(ib, dims[1]))
  check_batch(lax.gather_p, args, dims, _gather_params(dn, sizes))


@pytest.mark.parametrize("dims", [(0, None, None), (None, None, 1), (1, None, 0),
                                  (None, 0, None), (0, 1, 2)])
def test_scatter_add_batching(dims):
  xb = np.stack([X, X * 10])
  ib = np.stack([DUP_IDX, np.array([[1], [5], [1], [0]], np.int32)])    # one dropped
  ub = np.stack([UPD, UPD * 2])
  args = (X if dims[0] is None else _moved(xb, dims[0]),
          DUP_IDX if dims[1] is None else _moved(ib, dims[1]),
          UPD if dims[2] is None else _moved(ub, dims[2]))
  check_batch(lax.scatter_add_p, args, dims, SCATTER_PARAMS)


@pytest.mark.parametrize("prim", ["scatter_p", "scatter_mul_p", "scatter_max_p"])
def test_other_scatter_batching(prim):
  prim = getattr(lax, prim)
  idx = np.array([[2], [0]], np.int32)
  ib = np.stack([idx, idx[::-1]])
  ub = np.stack([UPD[:2], UPD[2:]])
  params = dict(SCATTER_PARAMS, unique_indices=True, mode=CLIP)
  check_batch(prim, (X, ib, ub), (None, 0, 0), params)
  check_batch(prim, (np.stack([X, -X]), idx, UPD[:2]), (0, None, None), params)


def test_vmap_of_indexing():
  vmap = getattr(jaxlite, "vmap", None)
  if vmap is None:
    pytest.skip("jaxlite.vmap not available yet")
  rows = np.array([2, 0, 1], np.int32)
  out = vmap(lambda i: lax.dynamic_index_in_dim(X, i, 0, keepdims=False))(rows)
  np.testing.assert_array_equal(np.asarray(out), X[rows])
  out = vmap(lambda x, i: lax.dynamic_update_index_in_dim(x, np.float32(-1), i, 0))(X, rows)
  expected = X.copy()
  expected[np.arange(3), rows] = -1
  np.testing.assert_array_equal(np.asarray(out), expected)


# --- JVPs ---------------------------------------------------------------------------------------------


def _jvp(f, primals, tangents):
  outs, touts = ad.jvp_flat(lambda *a: [f(*a)], list(primals), list(tangents))
  tout = touts[0]
  if type(tout) is ad.Zero:
    tout = np.zeros(tout.aval.shape, tout.aval.dtype)
  return np.asarray(outs[0]), np.asarray(tout)


def test_gather_and_dynamic_slice_jvps_are_linear_in_operand():
  t = np.random.RandomState(0).randn(3, 4).astype(np.float32)
  f = lambda x: lax.gather(x, OOB_IDX, OOB_DN, (1, 4), mode="fill")
  out, tout = _jvp(f, [X], [t])
  np.testing.assert_array_equal(tout, np_gather(t, OOB_IDX, OOB_DN, (1, 4), FILL, 0))
  f = lambda x: lax.dynamic_slice(x, (np.int32(1), np.int32(3)), (2, 2))
  out, tout = _jvp(f, [X], [t])
  np.testing.assert_array_equal(tout, t[1:3, 2:4])


def test_scatter_jvp_with_duplicates_follows_the_winner():
  tx = np.full_like(X, 0.5)
  tu = np.random.RandomState(1).randn(*UPD.shape).astype(np.float32)
  f = lambda x, u: lax.scatter(x, DUP_IDX, u, ROW_SDN)
  out, tout = _jvp(f, [X, UPD], [tx, tu])
  winner = [k for k in (0, 2) if (out[2] == UPD[k]).all()][0]
  np.testing.assert_array_equal(out, np.asarray(lax.scatter(X, DUP_IDX, UPD, ROW_SDN)))
  np.testing.assert_array_equal(tout[2], tu[winner])
  np.testing.assert_array_equal(tout[0], tu[1])
  np.testing.assert_array_equal(tout[1], tu[3])


def test_scatter_mul_jvp():
  idx = np.array([[2], [0]], np.int32)
  t = np.random.RandomState(2).randn(3, 4).astype(np.float32)
  tu = np.random.RandomState(3).randn(2, 4).astype(np.float32)
  f = lambda x, u: lax.scatter_mul(x, idx, u, ROW_SDN, unique_indices=True)
  _, tout = _jvp(f, [X, UPD[:2]], [t, tu])
  expected = t.copy()
  expected[[2, 0]] = t[[2, 0]] * UPD[:2] + X[[2, 0]] * tu
  np.testing.assert_allclose(tout, expected, rtol=1e-5)
  with pytest.raises(NotImplementedError, match="unique_indices=True"):
    _jvp(lambda x, u: lax.scatter_mul(x, idx, u, ROW_SDN), [X, UPD[:2]], [t, tu])


def test_scatter_max_min_jvp_average_ties():
  i = np.array([[1], [1]], np.int32)
  dn = SDN((), (0,), (0,))
  t_op = np.array([1, 10, 100], np.float32)
  t_up = np.array([1000, 10000], np.float32)
  cases = [([1, 3, 3], [3, 3], [1, 11010 / 3, 100]),   # three-way tie
           ([1, 2, 3], [3, 3], [1, 5500, 100]),        # the two updates tie
           ([1, 4, 3], [3, 3], [1, 10, 100])]          # the operand wins
  for x, u, expected in cases:
    x, u = np.array(x, np.float32), np.array(u, np.float32)
    _, tout = _jvp(lambda x, u: lax.scatter_max(x, i, u, dn), [x, u], [t_op, t_up])
    np.testing.assert_allclose(tout, expected, rtol=1e-6)
  _, tout = _jvp(lambda x, u: lax.scatter_min(x, i, u, dn),
                 [np.array([0, 5, 0], np.float32), np.array([4, 6], np.float32)], [t_op, t_up])
  np.testing.assert_allclose(tout, [1, 1000, 100])


def test_scatter_add_jvp_and_eager_jit_agree_with_jax(jax_reference):
  jlax = jax_reference.lax
  f_ours = lambda x, u: lax.scatter_max(x, DUP_IDX, u, ROW_SDN)
  jdn = jlax.ScatterDimensionNumbers((1,), (0,), (0,))
  f_jax = lambda x, u: jlax.scatter_max(x, DUP_IDX, u, jdn)
  u = np.round(UPD / 3)     # ties between the operand and the updates
  tx, tu = np.ones_like(X), np.full_like(u, 2)
  ours = _jvp(f_ours, [X, u], [tx, tu])
  theirs = jax_reference.jvp(f_jax, (X, u), (tx, tu))
  np.testing.assert_allclose(ours[0], np.asarray(theirs[0]))
  np.testing.assert_allclose(ours[1], np.asarray(theirs[1]), rtol=1e-6)


# --- end to end: vjp and vmap of a composite, against JAX ------------------------------------------


def _composite(lx):
  """The same function written against either ``lax`` module."""
  def f(x, u, i):
    y = lx.pad(x, np.float32(0.5), [(1, 0, 1), (0, -1, 0)])           # (6, 3)
    y = lx.concatenate([y, lx.slice(lx.rev(x, (0,)), (0, 0), (3, 3))], 0)   # (9, 3)
    y = lx.dynamic_update_slice(y, u, (i, np.int32(1)))
    z = lx.dynamic_slice(y, (i, np.int32(0)), (3, 3))
    g = lx.gather(y, np.array([[8], [1], [20], [1]], np.int32),
                  lx.GatherDimensionNumbers((1,), (0,), (0,)), (1, 3), mode="fill",
                  fill_value=0)
    dn = lx.ScatterDimensionNumbers((1,), (0,), (0,))
    s = lx.scatter_add(z, np.array([[0], [2], [0], [7]], np.int32), g, dn)
    s = lx.scatter(s, np.array([[1], [1]], np.int32),
                   lx.mul(lx.slice(g, (0, 0), (2, 3)), np.float32(3)), dn)
    row = lx.broadcast(lx.squeeze(lx.slice(s, (0, 0), (1, 3)), (0,)), (2,))
    return lx.mul(row, lx.slice(s, (1, 0), (3, 3), (1, 1)))
  return f


def test_vjp_and_vmap_of_composite_match_jax(jax_reference):
  rng = np.random.RandomState(0)
  x = rng.randn(3, 4).astype(np.float32)
  u = rng.randn(2, 2).astype(np.float32)
  i = np.int32(5)
  ours, theirs = _composite(lax), _composite(jax_reference.lax)
  out, vjp = jaxlite.vjp(lambda x, u: ours(x, u, i), x, u)
  jout, jvjp = jax_reference.vjp(lambda x, u: theirs(x, u, i), x, u)
  np.testing.assert_allclose(np.asarray(out), np.asarray(jout), rtol=1e-6)
  ct = rng.randn(*out.shape).astype(np.float32)
  for a, b in zip(vjp(ct), jvjp(ct)):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
  xs = rng.randn(2, 3, 4).astype(np.float32)
  idx = np.array([-2, 9], np.int32)
  got = jaxlite.vmap(ours, in_axes=(0, None, 0))(xs, u, idx)
  want = jax_reference.vmap(theirs, in_axes=(0, None, 0))(xs, u, idx)
  np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
