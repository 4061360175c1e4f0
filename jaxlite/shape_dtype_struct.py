"""``ShapeDtypeStruct``: an array's shape and dtype without its data.

Its own module, below the transformations: ``jit``'s ``eval_shape`` (in
interpreters/pjit.py) returns these, and ``jaxlite.api`` re-exports it.
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes


class ShapeDtypeStruct:
  """A container for the shape, dtype (and weak type) of an array, for
  ``eval_shape`` results and abstract arguments.

  Example:
    >>> import jaxlite, numpy as np
    >>> jaxlite.ShapeDtypeStruct((2, 3), np.float32)
    ShapeDtypeStruct(shape=(2, 3), dtype=float32)
  """
  __slots__ = ("shape", "dtype", "sharding", "weak_type", "manual_axis_type", "is_ref")

  def __init__(self, shape, dtype, sharding=None, weak_type=False, *, manual_axis_type=None,
               is_ref=False):
    self.shape = tuple(shape)
    # An extended dtype (a key type, key<fry>) is kept as it is.
    self.dtype = dtype if isinstance(dtype, dtypes.ExtendedDType) else np.dtype(dtype)
    self.sharding = sharding
    self.weak_type = weak_type
    self.manual_axis_type = manual_axis_type
    self.is_ref = is_ref

  ndim = property(lambda self: len(self.shape))
  size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

  def __len__(self):
    return self.shape[0]

  def __repr__(self):
    sharding = f", sharding={self.sharding}" if self.sharding is not None else ""
    weak = ", weak_type=True" if self.weak_type else ""
    ref = ", is_ref=True" if self.is_ref else ""
    return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{sharding}{weak}{ref})"

  def __eq__(self, other):   # the sharding counts, as in JAX
    return isinstance(other, ShapeDtypeStruct) and (
        self.shape, self.dtype, self.sharding, self.weak_type, self.is_ref,
        self.manual_axis_type) == (
        other.shape, other.dtype, other.sharding, other.weak_type, other.is_ref,
        other.manual_axis_type)

  def __hash__(self):
    return hash((self.shape, self.dtype, self.sharding, self.weak_type, self.is_ref))
