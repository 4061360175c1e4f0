"""``jax.ops``: segment reductions (``segment_sum``, ``segment_prod``,
``segment_max``, ``segment_min``).

Each is a scatter of ``data`` into ``num_segments`` rows filled with the
reduction's identity, as JAX's: ids out of range are dropped (``mode`` default
``'drop'``), empty segments keep the identity (0, 1, -inf/min, +inf/max).
With ``bucket_size`` the scatter goes to one row block per bucket of ids,
reduced afterwards (the same values, in another order of accumulation).
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes

__all__ = ["segment_sum", "segment_prod", "segment_max", "segment_min"]


def _identity(kind: str, dtype):
  if kind == "add":
    return 0
  if kind == "multiply":
    return 1
  if dtype == np.bool_:
    return kind == "min"
  if dtypes.issubdtype(dtype, np.integer):
    info = dtypes.iinfo(dtype)
    return info.max if kind == "min" else info.min
  return float("inf") if kind == "min" else float("-inf")


def _segment(name, kind, reducer, data, segment_ids, num_segments, indices_are_sorted,
             unique_indices, bucket_size, mode, out_sharding):
  # pylint: disable=g-import-not-at-top
  import jaxlite.numpy as jnp
  from jaxlite.lax.out_sharding import place
  from jaxlite.numpy.promotion import check_arraylike
  check_arraylike(name, data, segment_ids)
  mode = "drop" if mode is None else mode
  data, segment_ids = jnp.asarray(data), jnp.asarray(segment_ids)
  dtype = data.dtype
  if num_segments is None:
    num_segments = int(np.max(np.asarray(segment_ids))) + 1
  num_segments = int(num_segments)
  if num_segments < 0:
    raise ValueError("num_segments must be non-negative.")
  # Ids are not wrapped from the end as array indices are (JAX scatters without
  # normalizing them): a negative id is out of range, clipped to 0 or dropped.
  if mode == "clip" or getattr(mode, "name", None) == "CLIP":
    segment_ids = jnp.clip(segment_ids, 0, max(num_segments - 1, 0))
  elif num_segments <= np.iinfo(segment_ids.dtype).max:
    segment_ids = jnp.where(segment_ids < 0, num_segments, segment_ids)
  kw = dict(mode=mode, indices_are_sorted=indices_are_sorted, unique_indices=unique_indices)
  if bucket_size is None:
    out = jnp.full((num_segments,) + data.shape[1:], _identity(kind, dtype), dtype=dtype)
    out = getattr(out.at[segment_ids], kind)(data, **kw)
    return place(out, out_sharding, name)
  n_buckets = -(-segment_ids.size // bucket_size)
  out = jnp.full((n_buckets, num_segments) + data.shape[1:], _identity(kind, dtype),
                 dtype=dtype)
  index = (jnp.arange(segment_ids.shape[0]) // bucket_size, segment_ids[None, :])
  out = getattr(out.at[index], kind)(data, **kw)
  return place(reducer(out, axis=0).astype(dtype), out_sharding, name)


def segment_sum(data, segment_ids, num_segments=None, indices_are_sorted=False,
                unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
  """Sums of the rows of ``data`` with equal ``segment_ids``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import ops
  >>> ops.segment_sum(jnp.arange(5), jnp.array([0, 0, 1, 1, 2]))
  Array([1, 5, 4], dtype=int32)
  """
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return _segment("segment_sum", "add", jnp.sum, data, segment_ids, num_segments,
                  indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)


def segment_prod(data, segment_ids, num_segments=None, indices_are_sorted=False,
                 unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
  """Products of the rows of ``data`` with equal ``segment_ids`` (1 if none).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import ops
  >>> ops.segment_prod(jnp.arange(1, 6), jnp.array([0, 0, 1, 1, 2]), 4)
  Array([ 2, 12,  5,  1], dtype=int32)
  """
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return _segment("segment_prod", "multiply", jnp.prod, data, segment_ids, num_segments,
                  indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)


def segment_max(data, segment_ids, num_segments=None, indices_are_sorted=False,
                unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
  """Maxima of the rows of ``data`` with equal ``segment_ids`` (-inf if none).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import ops
  >>> ops.segment_max(jnp.array([1., 3., 2.]), jnp.array([0, 0, 2]))
  Array([  3., -inf,   2.], dtype=float32)
  """
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return _segment("segment_max", "max", jnp.max, data, segment_ids, num_segments,
                  indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)


def segment_min(data, segment_ids, num_segments=None, indices_are_sorted=False,
                unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
  """Minima of the rows of ``data`` with equal ``segment_ids`` (+inf if none).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import ops
  >>> ops.segment_min(jnp.array([1., 3., 2.]), jnp.array([0, 0, 2]))
  Array([ 1., inf,  2.], dtype=float32)
  """
  import jaxlite.numpy as jnp  # pylint: disable=g-import-not-at-top
  return _segment("segment_min", "min", jnp.min, data, segment_ids, num_segments,
                  indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)
