"""The rest of ``jax.numpy`` that research code calls often: comparisons of
whole arrays, differences, selection, insertion and deletion, counting,
binning, interpolation, set membership, integration and covariance.

  >>> import jaxlite.numpy as jnp
  >>> jnp.diff(jnp.array([1, 4, 9]))
  Array([3, 5], dtype=int32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.lax.out_sharding import place as _place
from jaxlite.numpy import creation, promotion, reductions, ufuncs
from jaxlite.numpy import manipulation as shape_lib
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, ensure_array
from jaxlite.numpy.library_jit import library_jit

__all__ = ['allclose', 'array_equal', 'array_equiv', 'diff', 'ediff1d', 'select',
           'compress', 'extract', 'choose', 'append', 'delete', 'insert', 'bincount',
           'digitize', 'interp', 'isin', 'trapezoid', 'cov', 'corrcoef', 'resize',
           'gradient', 'unwrap']


def _array(a, fun_name):
  check_arraylike(fun_name, a)
  return ensure_array(promotion.asarray_value(a))


@library_jit(static_argnames=('equal_nan',))
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
  """Whether every element of ``a`` is close to ``b`` (see ``isclose``).

  >>> import jaxlite.numpy as jnp
  >>> jnp.allclose(jnp.array([1.0]), 1.0 + 1e-9)
  Array(True, dtype=bool)
  """
  check_arraylike("allclose", a, b)
  return reductions.all(ufuncs.isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan: bool = False):
  """Whether the arrays have one shape and equal elements.

  >>> import jaxlite.numpy as jnp
  >>> jnp.array_equal(jnp.arange(2), jnp.array([0, 1]))
  Array(True, dtype=bool)
  """
  a1, a2 = _array(a1, "array_equal"), _array(a2, "array_equal")
  if a1.shape != a2.shape:
    return promotion.ensure_array(False)
  eq = ufuncs.equal(a1, a2)
  if equal_nan:
    eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(a1), ufuncs.isnan(a2)))
  return reductions.all(eq)


def array_equiv(a1, a2):
  """Whether the arrays broadcast to one shape and are equal there.

  >>> import jaxlite.numpy as jnp
  >>> jnp.array_equiv(jnp.array([1, 1]), 1)
  Array(True, dtype=bool)
  """
  a1, a2 = _array(a1, "array_equiv"), _array(a2, "array_equiv")
  try:
    shape_lib.broadcast_shapes(a1.shape, a2.shape)
  except ValueError:
    return promotion.ensure_array(False)
  return reductions.all(ufuncs.equal(a1, a2))


@library_jit(static_argnames=("n", "axis"))
def diff(a, n: int = 1, axis: int = -1, prepend=None, append=None):
  """The ``n``-th discrete difference along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.diff(jnp.array([1, 4, 9, 16]), n=2)
  Array([2, 2], dtype=int32)
  """
  a = _array(a, "diff")
  axis = canonicalize_axis(axis, a.ndim)
  pieces = []
  for extra in (prepend, append):
    if extra is None:
      pieces.append(None)
      continue
    extra = _array(extra, "diff")
    if extra.ndim == 0:
      shape = list(a.shape)
      shape[axis] = 1
      extra = shape_lib.broadcast_to(extra, tuple(shape))
    pieces.append(extra)
  a = shape_lib.concatenate([p for p in (pieces[0], a, pieces[1]) if p is not None], axis)
  # Basic indexing (a lax.slice without strides), as JAX stages it.
  later = tuple(slice(1, None) if i == axis else slice(None) for i in range(a.ndim))
  earlier = tuple(slice(None, -1) if i == axis else slice(None) for i in range(a.ndim))
  for _ in range(n):
    a = ufuncs.not_equal(a[later], a[earlier]) if a.dtype == np.bool_ else \
        ufuncs.subtract(a[later], a[earlier])
  return a


@library_jit
def ediff1d(ary, to_end=None, to_begin=None):
  """Differences of the flattened array, with optional values at either end.

  >>> import jaxlite.numpy as jnp
  >>> jnp.ediff1d(jnp.array([1, 2, 4]), to_begin=0)
  Array([0, 1, 2], dtype=int32)
  """
  flat = _array(ary, "ediff1d").ravel()
  out = ufuncs.subtract(flat[1:], flat[:-1])   # inline, as JAX (no nested diff call)
  parts = [out]
  if to_begin is not None:
    parts.insert(0, _array(to_begin, "ediff1d").ravel().astype(out.dtype))
  if to_end is not None:
    parts.append(_array(to_end, "ediff1d").ravel().astype(out.dtype))
  return shape_lib.concatenate(parts) if len(parts) > 1 else out


def select(condlist, choicelist, default=0):
  """Elements of ``choicelist[i]`` for the first ``condlist[i]`` that holds.

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.arange(4)
  >>> jnp.select([x < 1, x > 2], [x, -x], 9)
  Array([ 0,  9,  9, -3], dtype=int32)
  """
  if len(condlist) != len(choicelist):
    raise ValueError("condlist must have length equal to choicelist ("
                     f"{len(condlist)} vs {len(choicelist)})")
  if len(condlist) == 0:
    raise ValueError("condlist must be non-empty")
  check_arraylike("select", *condlist, *choicelist, default)
  from jaxlite.numpy import joining  # pylint: disable=g-import-not-at-top
  condlist = [creation.asarray(c) for c in condlist]
  choicelist = [creation.asarray(c) for c in choicelist]
  # JAX's staging: the default goes first under a False condition, the first
  # true condition's index (argmax) picks among the choices in one select_n.
  choicelist = promotion.promote_dtypes(creation.asarray(default), *choicelist)
  conditions = joining.stack(shape_lib.broadcast_arrays(False, *condlist))
  index = reductions.argmax(conditions.astype(bool), axis=0)
  return lax.select_n(*shape_lib.broadcast_arrays(index, *choicelist))


def compress(condition, a, axis: int | None = None, *, size=None, fill_value=0, out=None):
  """The slices of ``a`` along ``axis`` where ``condition`` is true.

  >>> import jaxlite.numpy as jnp
  >>> jnp.compress(jnp.array([True, False, True]), jnp.arange(3))
  Array([0, 2], dtype=int32)
  """
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.compress is not supported.")
  from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
  a = _array(a, "compress")
  condition = _array(condition, "compress").astype(bool)
  if condition.ndim != 1:
    raise ValueError("condition must be a 1D array")
  if axis is None:
    a, axis = a.ravel(), 0
  axis = canonicalize_axis(axis, a.ndim)
  n = a.shape[axis]
  if condition.shape[0] > n:
    # As JAX: entries past the end may be given, as long as they are False
    # (not checked with a static ``size``).
    if size is None and bool(condition[n:].any()):
      raise ValueError("condition contains entries that are out of bounds")
    condition = condition[:n]
  from jaxlite.numpy import padding  # pylint: disable=g-import-not-at-top
  condition = padding.pad(condition, (0, n - condition.shape[0]))
  (idx,) = sorting.nonzero(condition, size=size, fill_value=n)
  out = shape_lib.take(a, idx, axis=axis, mode="fill", fill_value=fill_value)
  return out


def extract(condition, arr, *, size=None, fill_value=0):
  """The elements of the flattened ``arr`` where ``condition`` holds.

  >>> import jaxlite.numpy as jnp
  >>> jnp.extract(jnp.arange(4) > 1, jnp.arange(4) * 10)
  Array([20, 30], dtype=int32)
  """
  return compress(_array(condition, "extract").ravel(), _array(arr, "extract").ravel(),
                  size=size, fill_value=fill_value)


def choose(a, choices, out=None, mode: str = "raise"):
  """``choices[a[i]][i]`` elementwise (``mode`` 'clip' or 'wrap'; 'raise' clips
  under ``jit`` where an error cannot be raised).

  >>> import jaxlite.numpy as jnp
  >>> jnp.choose(jnp.array([0, 1]), [jnp.array([1, 2]), jnp.array([10, 20])])
  Array([ 1, 20], dtype=int32)
  """
  del out
  a = _array(a, "choose")
  n = len(choices)
  if mode == "raise" and promotion.is_concrete(a):
    value = promotion.concrete_value(a)
    if value.size and (value.min() < 0 or value.max() >= n):
      raise ValueError("invalid entry in choice array")
  if mode == "wrap":
    a = ufuncs.remainder(a, n)
  else:
    a = ufuncs.clip(a, 0, n - 1)
  arrays = shape_lib.broadcast_arrays(a, *choices)
  stacked = shape_lib.stack(promotion.promote_dtypes(*arrays[1:]))
  return lax.select_n(arrays[0].astype(np.int32), *[stacked[i] for i in range(n)])


@library_jit(static_argnames=("axis",))
def append(arr, values, axis: int | None = None):
  """``values`` appended to ``arr`` (both flattened if ``axis`` is None).

  >>> import jaxlite.numpy as jnp
  >>> jnp.append(jnp.array([1, 2]), 3)
  Array([1, 2, 3], dtype=int32)
  """
  arr, values = _array(arr, "append"), _array(values, "append")
  if axis is None:
    return shape_lib.concatenate([arr.ravel(), values.ravel()])
  return shape_lib.concatenate([arr, values], axis)


def _concrete_positions(obj, n, fun_name):
  return np.asarray(promotion.concrete_value(
      obj, f"'obj' argument of jnp.{fun_name} must be concrete"))


def delete(arr, obj, axis: int | None = None, *, assume_unique_indices: bool = False):
  """``arr`` without the entries ``obj`` (an int, slice or index array) along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.delete(jnp.arange(5), jnp.array([1, 3]))
  Array([0, 2, 4], dtype=int32)
  """
  arr = _array(arr, "delete")
  if axis is None:
    arr, axis = arr.ravel(), 0
  axis = canonicalize_axis(axis, arr.ndim)
  n = arr.shape[axis]
  if (assume_unique_indices and not isinstance(obj, (slice, int, np.integer))
      and dtypes.issubdtype(promotion.asarray_value(obj).dtype, np.integer)):
    return _delete_unique(arr, promotion.asarray_value(obj), axis, n)
  if isinstance(obj, slice):
    drop = np.arange(n)[obj]
  else:
    drop = _concrete_positions(obj, n, "delete")
    if drop.dtype == np.bool_:
      drop = np.nonzero(drop)[0]
    drop = np.where(drop < 0, drop + n, drop)
  keep = np.setdiff1d(np.arange(n), drop).astype(np.int32)
  return shape_lib.take(arr, keep, axis=axis)


def _delete_unique(arr, obj, axis, n):
  """JAX's jit-compatible deletion of unique integer indices (``obj`` may be
  traced): the kept positions are counted past the sorted deleted ones."""
  from jaxlite import numpy as jnp  # pylint: disable=g-import-not-at-top
  drop = jnp.ravel(obj)
  drop = jnp.clip(jnp.where(drop < 0, drop + n, drop), 0, n)
  drop = jnp.sort(drop) - jnp.arange(drop.size, dtype=drop.dtype)
  keep = jnp.arange(n - drop.size, dtype=drop.dtype)
  keep = keep + (keep[None, :] >= drop[:, None]).sum(0, dtype=keep.dtype)
  return arr[(slice(None),) * axis + (keep,)]


def insert(arr, obj, values, axis: int | None = None):
  """``arr`` with ``values`` inserted before the indices ``obj`` along ``axis``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.insert(jnp.array([1, 2]), 1, 9)
  Array([1, 9, 2], dtype=int32)
  """
  arr = _array(arr, "insert")
  if axis is None:
    arr, axis = arr.ravel(), 0
  axis = canonicalize_axis(axis, arr.ndim)
  n = arr.shape[axis]
  scalar = np.ndim(obj) == 0 and not isinstance(obj, slice)
  positions = np.arange(n + 1)[obj] if isinstance(obj, slice) else \
      _concrete_positions(obj, n, "insert").ravel()
  positions = np.where(positions < 0, positions + n, positions)
  values = ensure_array(promotion.convert(promotion.asarray_value(values), arr.dtype))
  k = positions.size
  if scalar:
    # A scalar index inserts `values` as whole slices (NumPy's rule).
    vals = shape_lib.expand_dims(values, axis) if values.ndim == arr.ndim - 1 and \
        values.ndim else values
    shape = list(arr.shape)
    shape[axis] = vals.shape[axis] if vals.ndim == arr.ndim and vals.ndim else 1
    vals = shape_lib.broadcast_to(vals, tuple(shape))
    k = shape[axis]
    positions = np.full(k, positions.item())
  else:
    shape = list(arr.shape)
    shape[axis] = k
    vals = shape_lib.broadcast_to(values, tuple(shape))
  order = np.argsort(positions, kind="stable")
  sorted_positions = positions[order]
  new_index = sorted_positions + np.arange(k)          # where inserted values go
  old_index = np.arange(n) + np.searchsorted(sorted_positions, np.arange(n), side="right")
  out_shape = list(arr.shape)
  out_shape[axis] = n + k
  out = lax_structural.full(tuple(out_shape), 0, arr.dtype)
  index = (slice(None),) * axis
  out = out.at[index + (old_index.astype(np.int32),)].set(arr)
  vals = shape_lib.take(vals, order.astype(np.int32), axis=axis)
  return out.at[index + (new_index.astype(np.int32),)].set(vals)


def bincount(x, weights=None, minlength: int = 0, *, length=None, out_sharding=None):
  """Counts of each value of a non-negative integer array (weighted if given).

  Under ``jit`` give a static ``length``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.bincount(jnp.array([0, 1, 1, 3]))
  Array([1, 2, 0, 1], dtype=int32)
  """
  x = _array(x, "bincount")
  if x.dtype == np.bool_:
    x = lax_structural.convert_element_type(x, np.int32)
  if not dtypes.issubdtype(x.dtype, np.integer):
    raise TypeError(f"x argument to bincount must have an integer type; got {x.dtype}")
  if x.ndim != 1:
    raise ValueError("only 1-dimensional input supported.")
  if length is None:
    value = promotion.concrete_value(
        x, "The error occurred because of argument 'x' of jnp.bincount. To avoid this "
        "error, pass a static `length` argument.")
    length = max(int(minlength), max(0, int(value.max())) + 1 if value.size else 0)
  length = promotion.concrete_int(length, "'length' argument of jnp.bincount")
  if weights is None:   # one scalar, broadcast by the scatter (JAX's staging)
    weights = np.array(1, dtypes.canonicalize_dtype(dtypes.int_))
  else:
    weights = _array(weights, "bincount")
    if weights.shape != x.shape:
      raise ValueError(
          "type of weights must match type of x. Got "
          f"typeof(x)={x.aval.str_short(short_dtypes=True)} and "
          f"typeof(weights)={weights.aval.str_short(short_dtypes=True)}")
  out = lax_structural.full((length,), 0, weights.dtype)
  out = out.at[ufuncs.clip(x, 0)].add(weights, mode="drop")
  if out_sharding is not None:
    from jaxlite.sharding.partition_spec import PartitionSpec  # pylint: disable=g-import-not-at-top
    spec = getattr(out_sharding, "spec", out_sharding)
    if isinstance(spec, PartitionSpec) and any(entry is not None for entry in spec):
      raise NotImplementedError(
          "out_sharding passed to `jnp.bincount` can only be fully replicated. Got "
          f"{out_sharding}")
    out = _place(out, out_sharding, "jnp.bincount")
  return out


def digitize(x, bins, right: bool = False, *, method=None):
  """The index of the bin each element of ``x`` falls into.

  >>> import jaxlite.numpy as jnp
  >>> jnp.digitize(jnp.array([0.5, 1.5, 3.0]), jnp.array([1.0, 2.0]))
  Array([0, 1, 2], dtype=int32)
  """
  from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
  x, bins = _array(x, "digitize"), _array(bins, "digitize")
  if bins.ndim != 1:
    raise ValueError(f"digitize: bins must be a 1-dimensional array; got {bins.shape}")
  if bins.shape[0] == 0:
    return lax_structural.full(x.shape, 0, dtypes.canonicalize_dtype(dtypes.int_))
  side = "left" if right else "right"
  kw = {} if method is None else {"method": method}
  increasing = sorting.searchsorted(bins, x, side=side, **kw)
  decreasing = lax.sub(np.asarray(bins.shape[0], increasing.dtype),
                       sorting.searchsorted(shape_lib.flip(bins), x,
                                            side="left" if right else "right", **kw))
  return ufuncs.where(ufuncs.greater_equal(bins[-1], bins[0]), increasing, decreasing)


def interp(x, xp, fp, left=None, right=None, period=None):
  """Piecewise-linear interpolation of ``(xp, fp)`` at ``x``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.interp(jnp.array([0.5, 2.0]), jnp.array([0.0, 1.0]), jnp.array([0.0, 10.0]))
  Array([ 5., 10.], dtype=float32)
  """
  from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
  for name, side in (("left", left), ("right", right)):
    if isinstance(side, str) and side != "extrapolate":
      raise ValueError(f"the only valid string value of `{name}` is 'extrapolate', "
                       f"but got: {side!r}")
  x, xp, fp = promotion.promote_dtypes_inexact(x, xp, fp)
  x, xp, fp = ensure_array(x), ensure_array(xp), ensure_array(fp)
  if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape:
    raise ValueError("xp and fp must be one-dimensional arrays of equal size")
  if period is not None:
    period = ufuncs.absolute(period)
    x = ufuncs.remainder(x, period)
    order = sorting.argsort(ufuncs.remainder(xp, period))
    xp = ufuncs.remainder(xp, period)[order]
    fp = fp[order]
    xp = shape_lib.concatenate([xp[-1:] - period, xp, xp[:1] + period])
    fp = shape_lib.concatenate([fp[-1:], fp, fp[:1]])
  i = ufuncs.clip(sorting.searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
  x0, x1, f0, f1 = xp[i - 1], xp[i], fp[i - 1], fp[i]
  dx = ufuncs.subtract(x1, x0)
  safe = ufuncs.where(dx == 0, 1, dx)
  out = ufuncs.add(f0, ufuncs.multiply(ufuncs.true_divide(ufuncs.subtract(x, x0), safe),
                                       ufuncs.subtract(f1, f0)))
  out = ufuncs.where(dx == 0, f0, out)
  # 'extrapolate' keeps the end segments' lines (the index is clipped to them).
  if period is None and left != "extrapolate":
    out = ufuncs.where(x < xp[0], fp[0] if left is None else left, out)
  if period is None and right != "extrapolate":
    out = ufuncs.where(x > xp[-1], fp[-1] if right is None else right, out)
  return out


def isin(element, test_elements, assume_unique: bool = False, invert: bool = False, *,
         method="auto"):
  """Whether each element of ``element`` occurs in ``test_elements``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.isin(jnp.array([1, 2, 3]), jnp.array([2, 5]))
  Array([False,  True, False], dtype=bool)
  """
  check_arraylike("isin", element, test_elements)
  element = _array(element, "isin")
  found = _in1d(element, test_elements, invert=invert, method=method,
                assume_unique=assume_unique)
  return found.reshape(element.shape)


@library_jit(static_argnames=('assume_unique', 'invert', 'method'))
def _in1d(ar1, ar2, invert, method='auto', assume_unique=False):
  # JAX's helper (jit[name=_in1d]): flat membership by one of three methods.
  check_arraylike("in1d", ar1, ar2)
  arr1, arr2 = (ensure_array(a).ravel() for a in promotion.promote_dtypes(ar1, ar2))
  if arr1.size == 0 or arr2.size == 0:
    return (creation.ones if invert else creation.zeros)(arr1.shape, dtype=bool)
  if method in ('auto', 'compare_all'):
    if invert:
      return reductions.all(arr1[:, None] != arr2[None, :], axis=-1)
    return reductions.any(arr1[:, None] == arr2[None, :], axis=-1)
  if method == 'binary_search':
    from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
    arr2 = lax.sort(arr2)
    found = arr2[sorting.searchsorted(arr2, arr1)]
    return arr1 != found if invert else arr1 == found
  if method == 'sort':
    from jaxlite.numpy import sorting  # pylint: disable=g-import-not-at-top
    if assume_unique:
      inverse = slice(None)
    else:
      arr1, inverse = sorting.unique(arr1, size=len(arr1), return_inverse=True,
                                    fill_value=reductions.max(arr2))
    aux, order = lax.sort_key_val(shape_lib.concatenate([arr1, arr2]),
                                  creation.arange(arr1.size + arr2.size))
    if invert:
      marks = creation.ones(arr1.shape, bool).at[order[:-1]].set(aux[1:] != aux[:-1],
                                                                 mode='drop')
    else:
      marks = creation.zeros(arr1.shape, bool).at[order[:-1]].set(aux[1:] == aux[:-1],
                                                                  mode='drop')
    return marks[inverse]
  raise ValueError(f"{method=} is not implemented; options are "
                   "'compare_all', 'binary_search', 'sort', and 'auto'")


@library_jit(static_argnames=('axis',))
def trapezoid(y, x=None, dx=1.0, axis: int = -1):
  """The integral of ``y`` along ``axis`` by the trapezoidal rule.

  >>> import jaxlite.numpy as jnp
  >>> jnp.trapezoid(jnp.array([1.0, 2.0, 3.0]))
  Array(4., dtype=float32)
  """
  if x is None:
    check_arraylike("trapezoid", y)
    (y,) = promotion.promote_dtypes_inexact(y)
    spacing = ensure_array(promotion.asarray_value(dx))
    if spacing.ndim > 0:
      spacing = lax.expand_dims(spacing, tuple(range(y.ndim - spacing.ndim)))
      spacing = shape_lib.moveaxis(spacing, axis, -1)
  else:
    check_arraylike("trapezoid", y, x)
    y, x = promotion.promote_dtypes_inexact(y, x)
    spacing = diff(x) if x.ndim == 1 else shape_lib.moveaxis(diff(x, axis=axis), axis, -1)
  y = shape_lib.moveaxis(ensure_array(y), axis, -1)
  if spacing.ndim == 0 or spacing.shape[-1] == 1:
    # One spacing along the axis: the sum less half the two end values (JAX's form).
    step = spacing if spacing.ndim == 0 else spacing[..., 0]
    return step * (reductions.sum(y, -1) - 0.5 * (y[..., 0] + y[..., -1]))
  return 0.5 * reductions.sum(spacing * (y[..., 1:] + y[..., :-1]), -1)


@library_jit(static_argnames=("rowvar", "bias", "ddof", "dtype"))
def cov(m, y=None, rowvar: bool = True, bias: bool = False, ddof=None, fweights=None,
        aweights=None, dtype=None):
  """The covariance matrix of the variables in the rows of ``m`` (and ``y``),
  optionally with integer frequency weights and real observation weights.

  >>> import jaxlite.numpy as jnp
  >>> jnp.cov(jnp.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
  Array([[ 1., -1.],
         [-1.,  1.]], dtype=float32)
  >>> jnp.cov(jnp.array([0.0, 1.0, 2.0]), aweights=jnp.array([1.0, 1.0, 2.0]))
  Array(1.1, dtype=float32)
  """
  if y is not None:
    m, y = promotion.promote_args_inexact("cov", m, y)
    if np.ndim(y) > 2:
      raise ValueError("y has more than 2 dimensions")
  else:
    (m,) = promotion.promote_args_inexact("cov", m)
  m = ensure_array(m)
  if m.ndim > 2:
    raise ValueError("m has more than 2 dimensions")
  if dtype is not None and not dtypes.issubdtype(dtype, np.inexact):
    raise ValueError(f"cov: dtype must be a subclass of float or complex; got {dtype=}")
  x = shape_lib.atleast_2d(m)
  if not rowvar and m.ndim != 1:
    x = x.T
  if x.shape[0] == 0:
    return shape_lib.reshape(creation.array([]), (0, 0))
  if y is not None:
    y = shape_lib.atleast_2d(ensure_array(y))
    if not rowvar and y.shape[0] != 1:
      y = y.T
    x = shape_lib.concatenate([x, y], 0)
  if x.shape[1] == 0:
    return creation.full(() if x.shape[0] == 1 else (x.shape[0],) * 2, np.nan, dtype=x.dtype)
  if ddof is None:
    ddof = 0 if bias else 1
  weights = None
  if fweights is not None:
    fweights = _sample_weights(fweights, "fweights", x.shape[1])
    if not dtypes.issubdtype(fweights.dtype, np.integer):
      raise TypeError("fweights must be integer.")
    weights = ufuncs.absolute(fweights)
  if aweights is not None:
    aweights = ufuncs.absolute(_sample_weights(aweights, "aweights", x.shape[1]))
    weights = aweights if weights is None else ufuncs.multiply(weights, aweights)
  if dtype is not None:
    x = x.astype(dtype)
    weights = None if weights is None else weights.astype(dtype)
  mean, weight_sum = reductions.average(x, axis=1, weights=weights, returned=True)
  weight_sum = weight_sum[0]
  # The normalisation NumPy uses: unbiased for frequency weights, and
  # Bessel's correction scaled by the observation weights' spread.
  if weights is None:
    norm = x.shape[1] - ddof
  elif ddof == 0:
    norm = weight_sum
  elif aweights is None:
    norm = weight_sum - ddof
  else:
    norm = weight_sum - ddof * reductions.sum(ufuncs.multiply(weights, aweights)) / weight_sum
  centered = ufuncs.subtract(x, mean[:, None])
  weighted = centered if weights is None else ufuncs.multiply(centered, weights[None, :])
  from jaxlite.numpy import linear  # pylint: disable=g-import-not-at-top
  out = ufuncs.true_divide(linear.dot(centered, ufuncs.conjugate(weighted).T), norm)
  return shape_lib.squeeze(out)


def _sample_weights(w, name, n_samples):
  w = ensure_array(w)
  if w.ndim > 1:
    raise RuntimeError(f"cannot handle multidimensional {name}")
  if w.shape[0] != n_samples:
    raise RuntimeError(f"incompatible numbers of samples and {name}")
  return w


@library_jit(static_argnames=('rowvar', 'dtype'))
def corrcoef(x, y=None, rowvar: bool = True, dtype=None):
  """Pearson correlation coefficients.

  >>> import jaxlite.numpy as jnp
  >>> jnp.corrcoef(jnp.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))[0, 1]
  Array(-1., dtype=float32)
  """
  check_arraylike("corrcoef", x)
  if dtype is not None and not dtypes.issubdtype(dtype, np.inexact):
    raise ValueError(f"corrcoef: dtype must be a subclass of float or complex; got {dtype=}")
  c = cov(x, y, rowvar, dtype=dtype)
  if c.ndim == 0:
    return ufuncs.true_divide(c, c)
  from jaxlite.numpy import linear  # pylint: disable=g-import-not-at-top
  stddev = ufuncs.sqrt(ufuncs.real(linear.diag(c))).astype(c.dtype)
  c = c / stddev[:, None] / stddev[None, :]
  # Both parts clipped to [-1, 1], as JAX.
  real_part = ufuncs.clip(ufuncs.real(c), -1, 1)
  if dtypes.issubdtype(c.dtype, np.complexfloating):
    return lax.complex(real_part, ufuncs.clip(ufuncs.imag(c), -1, 1))
  return real_part


def resize(a, new_shape):
  """``a`` repeated (cyclically) or truncated to ``new_shape``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.resize(jnp.array([1, 2, 3]), (2, 2))
  Array([[1, 2],
         [3, 1]], dtype=int32)
  """
  a = _array(a, "resize")
  new_shape = promotion.concrete_shape(new_shape, "resize")
  size = int(np.prod(new_shape))
  flat = a.ravel()
  if a.size == 0 or size == 0:
    return lax_structural.full(new_shape, 0, a.dtype)
  reps = -(-size // a.size)
  return shape_lib.tile(flat, reps)[:size].reshape(new_shape)


def _gradient_along(a, h, axis):
  """Second-order central differences inside, first-order at the two ends
  (JAX's formulas, so the same roundings)."""
  def part(start, stop):
    return lax.slice_in_dim(a, start, stop, axis=axis)
  upper_edge = part(1, 2) - part(0, 1)
  lower_edge = part(-1, None) - part(-2, -1)
  if promotion.ndim(h) == 0:
    inner = (part(2, None) - part(None, -2)) * 0.5 / h
    lower_edge = lower_edge / h
    upper_edge = upper_edge / h
  elif promotion.ndim(h) == 1:
    if len(h) != a.shape[axis]:
      raise ValueError("Spacing arrays must have the same length as the dimension along "
                       "which the gradient is calculated.")
    shape = [1] * a.ndim
    shape[axis] = len(h)
    h = h.reshape(shape)

    def step(start, stop):
      return lax.slice_in_dim(h, start, stop, axis=axis)
    upper_edge = upper_edge / (step(1, 2) - step(0, 1))
    lower_edge = lower_edge / (step(-1, None) - step(-2, -1))
    dx1 = step(1, -1) - step(0, -2)
    dx2 = step(2, None) - step(1, -1)
    first = -dx2 / (dx1 * (dx1 + dx2))
    middle = (dx2 - dx1) / (dx1 * dx2)
    last = dx1 / (dx2 * (dx1 + dx2))
    inner = first * part(0, -2) + middle * part(1, -1) + last * part(2, None)
  else:
    raise ValueError("Spacing arrays must be 1D arrays or scalars.")
  return shape_lib.concatenate((upper_edge, inner, lower_edge), axis=axis)


@library_jit(static_argnames=("axis", "edge_order"))
def gradient(f, *varargs, axis=None, edge_order=None):
  """The gradient of sampled ``f``: central differences inside, one-sided at the ends.

  ``varargs`` gives the spacing: one scalar for all axes, or one scalar or
  coordinate array per axis. Returns one array per axis (a list), or a single
  array for a single axis.

  >>> import jaxlite.numpy as jnp
  >>> jnp.gradient(jnp.array([1.0, 2.0, 4.0, 7.0]))
  Array([1. , 1.5, 2.5, 3. ], dtype=float32)
  """
  if edge_order is not None:
    raise NotImplementedError("The 'edge_order' argument to jnp.gradient is not supported.")
  check_arraylike("gradient", f, *varargs)
  a, *spacing = (ensure_array(v) for v in promotion.promote_dtypes_inexact(f, *varargs))
  if axis is None:
    axes = tuple(range(a.ndim))
  else:
    axes = tuple(canonicalize_axis(ax, a.ndim)
                 for ax in (axis if isinstance(axis, (tuple, list)) else (axis,)))
  if len(axes) == 0:
    return []
  if min(d for ax, d in enumerate(a.shape) if ax in axes) < 2:
    raise ValueError("Shape of array too small to calculate a numerical gradient, at least "
                     "2 elements are required.")
  if len(spacing) == 0:
    steps = [1.0] * len(axes)
  elif len(spacing) == 1:
    steps = spacing * len(axes)
  elif len(spacing) == len(axes):
    steps = spacing
  else:
    raise TypeError(f"Invalid number of spacing arguments {len(spacing)} for axis={axis}")
  grads = [_gradient_along(a, h, ax) for ax, h in zip(axes, steps)]
  return grads[0] if len(axes) == 1 else grads


@library_jit(static_argnames=('axis',))
def unwrap(p, discont=None, axis: int = -1, period=2 * np.pi):
  """``p`` with jumps larger than ``discont`` (default ``period / 2``) along
  ``axis`` replaced by their complements modulo ``period``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.round(jnp.unwrap(jnp.array([0.0, 1.0, 7.0])), 3)
  Array([0.   , 1.   , 0.717], dtype=float32)
  """
  check_arraylike("unwrap", p)
  p, period = (ensure_array(a) for a in promotion.promote_dtypes(p, period))
  if dtypes.issubdtype(p.dtype, np.complexfloating):
    raise ValueError("jnp.unwrap does not support complex inputs.")
  if p.shape[axis] == 0:
    return p
  if discont is None:
    discont = period / 2
  interval = period // 2 if dtypes.issubdtype(p.dtype, np.integer) else period / 2
  dd = diff(p, axis=axis)
  dd_mod = ufuncs.remainder(dd + interval, period) - interval
  # An exact half period keeps the sign of the step, as NumPy does.
  dd_mod = ufuncs.where((dd_mod == -interval) & (dd > 0), interval, dd_mod)
  correction = ufuncs.where(ufuncs.absolute(dd) < discont, 0, dd_mod - dd)
  return shape_lib.concatenate(
      (lax.slice_in_dim(p, 0, 1, axis=axis),
       lax.slice_in_dim(p, 1, None, axis=axis) + reductions.cumsum(correction, axis=axis)),
      axis=axis)

