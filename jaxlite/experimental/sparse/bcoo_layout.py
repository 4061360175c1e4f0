"""``bcoo_update_layout``: move dimensions of a BCOO array between its batch, sparse
and dense parts (``n_batch``, ``n_dense``), with JAX's efficiency errors/warnings.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.BCOO.fromdense(jnp.array([[0., 1.], [2., 0.]]), n_batch=1)
  >>> sparse.bcoo_update_layout(M, n_batch=0)
  BCOO(float32[2, 2], nse=2)
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from jaxlite.experimental.sparse.bcoo import BCOO
from jaxlite.experimental.sparse.util import (SparseEfficiencyError, SparseEfficiencyWarning,
                                              nfold_vmap)

__all__ = ["bcoo_update_layout"]


def _jnp():
  import jaxlite.numpy as jnp
  return jnp


def bcoo_update_layout(mat: BCOO, *, n_batch=None, n_dense=None,
                       on_inefficient="error") -> BCOO:
  """Update the storage layout (i.e. n_batch & n_dense) of a BCOO matrix.

  In many cases this can be done without introducing undue storage overhead. However,
  increasing ``mat.n_batch`` or ``mat.n_dense`` will lead to very inefficient storage,
  with many explicitly-stored zeros, unless the new batch or dense dimensions have size
  0 or 1. In such cases, ``bcoo_update_layout`` will raise a :class:`SparseEfficiencyError`.
  This can be silenced by specifying the ``on_inefficient`` argument.

  Args:
    mat : BCOO array
    n_batch : optional(int) the number of batch dimensions in the output matrix. If None,
      then n_batch = mat.n_batch.
    n_dense : optional(int) the number of dense dimensions in the output matrix. If None,
      then n_dense = mat.n_dense.
    on_inefficient : optional(string), one of ``['error', 'warn', None]``. Specify the
      behavior in case of an inefficient reconfiguration. This is defined as a reconfiguration
      where the size of the resulting representation is much larger than the size of the
      input representation.

  Returns:
    mat_out : BCOO array
      A BCOO array representing the same sparse array as the input, with the specified
      layout. ``mat_out.todense()`` will match ``mat.todense()`` up to appropriate precision.
  """
  jnp = _jnp()
  n_batch = mat.n_batch if n_batch is None else int(n_batch)
  n_dense = mat.n_dense if n_dense is None else int(n_dense)
  if on_inefficient not in ["error", "warn", None]:
    raise ValueError("on_inefficent={on_inefficient!r}; expected one of "
                     "['error', 'warn', None].")
  if n_batch < 0:
    raise ValueError(f"n_batch must be non-negative; got {n_batch}")
  if n_dense < 0:
    raise ValueError(f"n_dense must be non-negative; got {n_dense}")
  if mat.ndim - n_batch - n_dense < 0:
    raise ValueError(f"sum of n_batch={n_batch} and n_dense={n_dense} "
                     f"cannot be larger than mat.ndim={mat.ndim}.")

  def inefficient(msg):
    if on_inefficient == "error":
      raise SparseEfficiencyError(msg + " To disable this error, set the on_inefficient "
                                  "argument of bcoo_update_layout to 'warn' or None.")
    if on_inefficient == "warn":
      warnings.warn(msg + " To disable this warning, set the on_inefficient argument of "
                    "bcoo_update_layout to None.", category=SparseEfficiencyWarning)

  shape = mat.shape
  if n_dense > mat.n_dense and any(d > 1 for d in shape[-n_dense:mat.ndim - mat.n_dense]):
    inefficient(f"For matrix of shape {shape}, increasing n_dense from {mat.n_dense} to "
                f"{n_dense} results in inefficient storage.")
  if n_batch > mat.n_batch and any(d > 1 for d in shape[mat.n_batch:n_batch]):
    inefficient(f"For matrix of shape {shape}, increasing n_batch from {mat.n_batch} to "
                f"{n_batch} results in inefficient storage.")
  data, indices = mat.data, mat.indices
  cur_batch, cur_dense = mat.n_batch, mat.n_dense

  if n_dense < cur_dense:
    # The leading dense dimensions become sparse: one stored element per block entry.
    n = cur_dense - n_dense
    lead = data.shape[cur_batch + 1:cur_batch + 1 + n]
    count = math.prod(lead)
    grid = np.stack(np.meshgrid(*(np.arange(s) for s in lead), indexing="ij"),
                    -1).reshape(count, n).astype(indices.dtype)
    batch = indices.shape[:cur_batch]
    nse = indices.shape[-2]
    data = data.reshape(data.shape[:cur_batch] + (nse * count,) + data.shape[cur_batch + 1 + n:])
    indices = jnp.concatenate([
        jnp.broadcast_to(indices[..., None, :], batch + (nse, count, indices.shape[-1])),
        jnp.broadcast_to(jnp.asarray(grid), batch + (nse, count, n))], axis=-1)
    indices = indices.reshape(batch + (nse * count, indices.shape[-1]))
    cur_dense = n_dense

  if n_batch < cur_batch:
    # The trailing batch dimensions join the stored elements, their positions as indices.
    n = cur_batch - n_batch
    full = shape[:cur_batch]
    data = jnp.broadcast_to(data, full + data.shape[cur_batch:])
    indices = jnp.broadcast_to(indices, full + indices.shape[cur_batch:])
    moved = full[n_batch:]
    nse = indices.shape[-2]
    grids = [jnp.broadcast_to(jnp.asarray(np.arange(s, dtype=indices.dtype)).reshape(
        (1,) * i + (s,) + (1,) * (n - i)), moved + (nse,))[..., None]
        for i, s in enumerate(moved)]
    grids = [jnp.broadcast_to(g, full + (nse, 1)) for g in grids]
    indices = jnp.concatenate([*grids, indices], axis=-1)
    total = math.prod(moved) * nse
    indices = indices.reshape(full[:n_batch] + (total, indices.shape[-1]))
    data = data.reshape(full[:n_batch] + (total,) + data.shape[cur_batch + 1:])
    cur_batch = n_batch

  if n_dense > cur_dense:
    # The trailing sparse dimensions become dense: each block placed at its position.
    n = n_dense - cur_dense
    dense_shape = shape[-n_dense:]

    def place(d, i):
      return (jnp.zeros(dense_shape, d.dtype).at[tuple(i[-n:])].set(d, mode="drop"), i[:-n])
    data, indices = nfold_vmap(place, cur_batch + 1)(data, indices)
    cur_dense = n_dense

  if n_batch > cur_batch:
    # The leading sparse dimensions become batch dimensions.
    n = n_batch - cur_batch
    new_batch = shape[cur_batch:n_batch]

    def split(d, i):
      nse = i.shape[-2]
      where = tuple(i[:, j] for j in range(n)) + (jnp.arange(nse),)
      new_d = jnp.zeros(new_batch + (nse,) + d.shape[d.ndim - n_dense:] if n_dense else
                        new_batch + (nse,), d.dtype).at[where].set(d, mode="drop")
      new_i = jnp.broadcast_to(i[:, n:], new_batch + (nse, i.shape[-1] - n))
      return new_d, new_i
    data, indices = nfold_vmap(split, cur_batch)(data, indices)
  return BCOO((data, indices), shape=shape)


def _update_layout_method(self, *, n_batch=None, n_dense=None, on_inefficient="error"):
  """Update the storage layout (i.e. n_batch & n_dense) of a BCOO matrix."""
  return bcoo_update_layout(self, n_batch=n_batch, n_dense=n_dense,
                            on_inefficient=on_inefficient)


BCOO.update_layout = _update_layout_method
