"""``random_bcoo``: random BCOO arrays (values from a ``jax.random`` generator).

Example:
  >>> from jaxlite import random
  >>> from jaxlite.experimental import sparse
  >>> sparse.random_bcoo(random.key(0), (3, 4), nse=2)
  BCOO(float32[3, 4], nse=2)
"""
from __future__ import annotations

import math
import operator
from typing import Any, Callable

import numpy as np

__all__ = ["random_bcoo"]


def _uniform(*args, **kwargs):
  from jaxlite import random
  return random.uniform(*args, **kwargs)


def random_bcoo(key, shape, *, dtype=np.float64, indices_dtype=None, nse=0.2, n_batch: int = 0,
                n_dense: int = 0, unique_indices: bool = True, sorted_indices: bool = False,
                generator: Callable = _uniform, **kwds: Any):
  """Generate a random BCOO matrix.

  Args:
    key : PRNG key to be passed to ``generator`` function.
    shape : tuple specifying the shape of the array to be generated.
    dtype : dtype of the array to be generated.
    indices_dtype: dtype of the BCOO indices.
    nse : number of specified elements in the matrix, or if 0 < nse < 1, a
      fraction of sparse dimensions to be specified (default: 0.2).
    n_batch : number of batch dimensions. must satisfy ``n_batch >= 0`` and
      ``n_batch + n_dense <= len(shape)``.
    n_dense : number of batch dimensions. must satisfy ``n_dense >= 0`` and
      ``n_batch + n_dense <= len(shape)``.
    unique_indices : boolean specifying whether indices should be unique
      (default: True).
    sorted_indices : boolean specifying whether indices should be row-sorted in
      lexicographical order (default: False).
    generator : function for generating random values accepting a key, shape,
      and dtype. It defaults to :func:`jax.random.uniform`, and may be any
      function with a similar signature.
    **kwds : additional keyword arguments to pass to ``generator``.

  Returns:
    arr : a sparse.BCOO array with the specified properties.
  """
  import jaxlite.numpy as jnp
  from jaxlite import dtypes, random
  from jaxlite.vectorization import vmap
  from jaxlite.experimental.sparse.bcoo import BCOO
  shape = tuple(map(operator.index, shape))
  n_batch, n_dense = operator.index(n_batch), operator.index(n_dense)
  if n_batch < 0 or n_dense < 0 or n_batch + n_dense > len(shape):
    raise ValueError(f"Invalid n_batch={n_batch}, n_dense={n_dense} for shape={shape}")
  n_sparse = len(shape) - n_batch - n_dense
  batch_shape = shape[:n_batch]
  sparse_shape = shape[n_batch:n_batch + n_sparse]
  dense_shape = shape[n_batch + n_sparse:]
  sparse_size = math.prod(sparse_shape)
  if not 0 <= nse < sparse_size:
    raise ValueError(f"got nse={nse}, expected to be between 0 and {sparse_size}")
  if 0 < nse < 1:
    nse = int(math.ceil(nse * sparse_size))
  nse = operator.index(nse)
  if indices_dtype is None:
    indices_dtype = dtypes.canonicalize_dtype(np.int64)
  if sparse_size > np.iinfo(indices_dtype).max:
    raise ValueError(f"indices_dtype={indices_dtype} does not have enough range to generate "
                     f"sparse indices of size {sparse_size}.")

  def batch_indices(k):
    if not sparse_shape:
      return jnp.zeros((nse, n_sparse), indices_dtype)
    flat = random.choice(k, sparse_size, shape=(nse,),
                         replace=not unique_indices).astype(indices_dtype)
    return jnp.column_stack(jnp.unravel_index(flat, sparse_shape))

  keys = random.split(key, math.prod(batch_shape) + 1)
  data = generator(keys[0], shape=batch_shape + (nse,) + dense_shape, dtype=dtype, **kwds)
  indices = vmap(batch_indices)(keys[1:]).reshape(batch_shape + (nse, n_sparse))
  mat = BCOO((data, indices), shape=shape)
  return mat.sort_indices() if sorted_indices else mat
