"""``jaxlite.flatten_util``: a pytree of arrays as one flat vector, and back.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.flatten_util import ravel_pytree
  >>> flat, unravel = ravel_pytree({'a': jnp.ones(2), 'b': jnp.zeros((1, 2))})
  >>> flat
  Array([1., 1., 0., 0.], dtype=float32)
  >>> unravel(flat)['b'].shape
  (1, 2)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite import numpy as jnp
from jaxlite.tree_util import tree_flatten, tree_unflatten

__all__ = ["ravel_pytree"]


def ravel_pytree(pytree):
  """Ravels a pytree of arrays into a 1-D array, and gives the inverse.

  Leaves are flattened in ``tree_flatten`` order and concatenated; mixed
  dtypes are promoted to their common type, and ``unravel`` converts each
  piece back to its leaf's dtype.

  Args:
    pytree: a pytree of arrays and scalars.

  Returns:
    ``(flat, unravel)``: the 1-D array, and a function that maps a 1-D array of
    the same size and dtype back to a pytree of ``pytree``'s structure.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> flat, unravel = ravel_pytree((jnp.ones(2), 3.0))
    >>> flat
    Array([1., 1., 3.], dtype=float32)
    >>> unravel(flat)[1]
    Array(3., dtype=float32)
  """
  leaves, treedef = tree_flatten(pytree)
  flat, unravel_list = _ravel_list(leaves)
  return flat, _HashablePartial(_unravel_pytree, treedef, unravel_list)


class _HashablePartial:
  """``functools.partial`` that compares by value, so unravel functions made
  from equal trees are equal (useful as a static argument of ``jit``)."""

  def __init__(self, fun, *args):
    self.fun, self.args = fun, args

  def __eq__(self, other):
    return (type(other) is _HashablePartial and self.fun is other.fun
            and self.args == other.args)

  def __hash__(self):
    return hash((self.fun, self.args))

  def __call__(self, *args):
    return self.fun(*self.args, *args)


def _unravel_pytree(treedef, unravel_list, flat):
  return tree_unflatten(treedef, unravel_list(flat))


def _ravel_list(leaves):
  if not leaves:
    return jnp.zeros(0, np.float32), _HashablePartial(_unravel_empty)
  from_dtypes = tuple(dtypes.dtype(x) for x in leaves)
  to_dtype = dtypes.result_type(*from_dtypes)
  sizes = tuple(int(np.size(x)) for x in leaves)
  shapes = tuple(tuple(np.shape(x)) for x in leaves)
  flat = jnp.concatenate([jnp.ravel(lax.convert_element_type(x, to_dtype))
                          for x in leaves])
  return flat, _HashablePartial(_unravel_list, sizes, shapes, from_dtypes, to_dtype)


def _unravel_empty(flat):
  if np.shape(flat) != (0,):
    raise ValueError("The unravel function expected an array of shape (0,), "
                     f"got shape {np.shape(flat)}.")
  return []


def _unravel_list(sizes, shapes, from_dtypes, to_dtype, flat):
  total = sum(sizes)
  if np.shape(flat) != (total,):
    raise ValueError(f"The unravel function expected an array of shape {(total,)}, "
                     f"got shape {np.shape(flat)}.")
  flat_dtype = dtypes.dtype(flat)
  if flat_dtype != to_dtype:
    raise TypeError(f"unravel function given array of dtype {flat_dtype} "
                    f"but expected dtype {to_dtype}")
  pieces = []
  start = 0
  for size, shape, dtype in zip(sizes, shapes, from_dtypes):
    piece = lax.slice(flat, (start,), (start + size,)) if size else jnp.zeros(0, to_dtype)
    start += size
    piece = piece.reshape(shape)
    if dtype != to_dtype:
      # Casting complex to real drops the imaginary part, as JAX warns of.
      piece = lax.convert_element_type(piece, dtype)
    pieces.append(piece)
  return pieces
