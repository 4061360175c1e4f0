"""Shared pieces of ``jaxlite.experimental.sparse``: warnings, layout info, helpers.

Example:
  >>> from jaxlite.experimental.sparse.util import SparseInfo
  >>> SparseInfo((2, 3))
  SparseInfo(shape=(2, 3), indices_sorted=False, unique_indices=False)
"""
from __future__ import annotations

import functools
import operator
from typing import NamedTuple, Sequence

import numpy as np

__all__ = ["SparseEfficiencyError", "SparseEfficiencyWarning", "CuSparseEfficiencyWarning",
           "SparseInfo", "nfold_vmap", "remaining", "dot_general_aval",
           "as_index_tuple", "canonical_shape", "fromdense_batcher"]


class SparseEfficiencyError(ValueError):
  """Raised where a sparse operation would store (nearly) every element explicitly."""


class SparseEfficiencyWarning(UserWarning):
  """Warned where a sparse operation would store (nearly) every element explicitly."""


class CuSparseEfficiencyWarning(SparseEfficiencyWarning):
  """Warned where cuSPARSE cannot take an operation and a generic lowering is used."""


class SparseInfo(NamedTuple):
  """The static layout facts of a sparse array that primitives carry as a parameter."""
  shape: tuple
  indices_sorted: bool = False
  unique_indices: bool = False


def remaining(original: Sequence[int], *removed_lists) -> list:
  """The entries of ``original`` that are in none of ``removed_lists``, in order.

  >>> remaining(range(5), [1], (3, 4))
  [0, 2]
  """
  removed = set(i for lst in removed_lists for i in lst)
  return [i for i in original if i not in removed]


def nfold_vmap(fun, n: int, *, in_axes=0, broadcasted: bool = True):
  """``fun`` mapped ``n`` times over leading axes; with ``broadcasted``, an operand whose
  mapped axis has length 1 is broadcast against the others (BCOO batch dimensions of
  indices may have length 1).

  >>> import jaxlite.numpy as jnp
  >>> nfold_vmap(lambda a, b: a + b, 1)(jnp.ones((1, 2)), jnp.ones((3, 2))).shape
  (3, 2)
  """
  wrap = _broadcasting_vmap if broadcasted else _plain_vmap
  for _ in range(n):
    fun = wrap(fun, in_axes)
  return fun


def _plain_vmap(fun, in_axes):
  from jaxlite.vectorization import vmap
  return vmap(fun, in_axes=in_axes)


def _broadcasting_vmap(fun, in_axes):
  from jaxlite import lax, tree_util
  from jaxlite.vectorization import vmap

  @functools.wraps(fun)
  def mapped(*args):
    leaves, tree = tree_util.tree_flatten(args)
    axes = [in_axes] * len(leaves) if not isinstance(in_axes, (tuple, list)) else \
        tree_util.tree_leaves(in_axes, is_leaf=lambda x: x is None)
    size = max(x.shape[a] for x, a in zip(leaves, axes) if a is not None)
    new_leaves, new_axes = [], []
    for x, a in zip(leaves, axes):
      if a is not None and size > 1 and x.shape[a] == 1:
        # A length-1 batch axis broadcasts: drop it and leave the operand unmapped.
        new_leaves.append(lax.squeeze(x, (a,)))
        new_axes.append(None)
      else:
        new_leaves.append(x)
        new_axes.append(a)
    return vmap(lambda *xs: fun(*tree_util.tree_unflatten(tree, xs)),
                in_axes=tuple(new_axes))(*new_leaves)
  return mapped


def dot_general_aval(lhs_shape, lhs_dtype, rhs_shape, rhs_dtype, dimension_numbers,
                     preferred_element_type=None):
  """The aval ``lax.dot_general`` gives for operands of these shapes and dtypes, with its
  errors for mismatched operands.

  >>> dot_general_aval((2, 3), np.float32, (3, 4), np.float32, (((1,), (0,)), ((), ())))
  ShapedArray(float32[2,4])
  """
  from jaxlite.core import ShapedArray
  from jaxlite.lax import dot_conv
  lhs, rhs = ShapedArray(lhs_shape, lhs_dtype), ShapedArray(rhs_shape, rhs_dtype)
  params = dict(dimension_numbers=dimension_numbers, precision=None,
                preferred_element_type=preferred_element_type)
  return ShapedArray(dot_conv._dot_general_shape_rule(lhs, rhs, **params),
                     dot_conv._dot_general_dtype_rule(lhs, rhs, **params))


def as_index_tuple(x) -> tuple:
  """``x`` (an int or a sequence of ints) as a tuple of Python ints.

  >>> as_index_tuple(3), as_index_tuple([1, 2])
  ((3,), (1, 2))
  """
  try:
    return (operator.index(x),)
  except TypeError:
    return tuple(operator.index(i) for i in x)


def canonical_shape(shape) -> tuple:
  """``shape`` as a tuple of Python ints (numpy integers accepted).

  >>> canonical_shape([np.int64(2), 3])
  (2, 3)
  """
  try:
    return tuple(operator.index(d) for d in shape)
  except TypeError:
    raise TypeError("Shapes must be 1D sequences of concrete values of integer type, "
                    f"got {shape}.") from None


def fromdense_batcher(fromdense_p, n_outputs: int):
  """The vmap rule of a ``*_fromdense`` primitive (BCOO's or BCSR's).

  The mapped axis of the dense operand becomes one more batch dimension of the
  sparse result, so it must lie among (or just after) the batch dimensions; each
  of the ``n_outputs`` buffers is mapped along that same axis.

  >>> from jaxlite.experimental.sparse.bcoo_convert import bcoo_fromdense_p
  >>> rule = fromdense_batcher(bcoo_fromdense_p, 2)
  >>> rule([np.eye(2, dtype=np.float32)], [0], nse=1, n_batch=0, n_dense=0,
  ...      index_dtype=np.dtype("int32"))[1]
  (0, 0)
  """
  def batcher(batched_args, batch_dims, *, nse, n_batch, n_dense, index_dtype):
    (mat,), (bdim,) = batched_args, batch_dims
    if not 0 <= bdim <= n_batch:
      raise ValueError(f"Expected 0 < bdim <= n_batch; got {bdim=}, {n_batch=}")
    outs = fromdense_p.bind(mat, nse=nse, n_batch=n_batch + 1, n_dense=n_dense,
                            index_dtype=index_dtype)
    return outs, (bdim,) * n_outputs
  return batcher
