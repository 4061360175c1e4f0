"""``jax.typing``: annotations for array-accepting and array-returning code.

Use ``ArrayLike`` for inputs (anything ``jnp.asarray`` takes without a copy of
a Python sequence: arrays, tracers, NumPy arrays, scalars) and ``jax.Array``
for outputs. ``ArrayLike`` works with ``isinstance`` as a ``typing.Union``:

  >>> import numpy as np
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.typing import ArrayLike, DTypeLike
  >>> [isinstance(x, ArrayLike) for x in (jnp.ones(2), np.ones(2), 1.5, [1.0])]
  [True, True, True, False]
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from types import EllipsisType
from typing import Any, Protocol, Union, runtime_checkable

import numpy as np

from jaxlite.basearray import Array

# Scalars that convert to an array without tracing: NumPy's and Python's.
StaticScalar = Union[np.bool_, np.number, bool, int, float, complex]

# Everything that converts implicitly to an array (not lists or tuples:
# JAX functions reject those, see "Non-array inputs" in JAX's gotchas).
ArrayLike = Union[Array, np.ndarray, StaticScalar]

DType = np.dtype
# Extended dtypes (PRNG key types) are plain objects; the annotation is open.
ExtendedDType = Any


@runtime_checkable
class SupportsDType(Protocol):
  """Anything with a ``dtype`` attribute (``jnp.float32`` has one)."""

  @property
  def dtype(self, /) -> DType: ...


class SupportsShape(Protocol):
  @property
  def shape(self, /) -> tuple[int, ...]: ...


class SupportsSize(Protocol):
  @property
  def size(self, /) -> int: ...


class SupportsNdim(Protocol):
  @property
  def ndim(self, /) -> int: ...


# What ``jnp.dtype(...)`` accepts: 'float32', np.float32, float, a dtype, jnp.float32.
DTypeLike = Union[str, type[Any], np.dtype, SupportsDType]

DimSize = Union[int, Any]  # a dimension may be symbolic
Shape = Sequence[DimSize]


class DuckTypedArray(Protocol):
  """Anything with ``dtype`` and ``shape`` (a ``ShapeDtypeStruct``, an aval)."""

  @property
  def dtype(self) -> DType: ...

  @property
  def shape(self) -> Shape: ...


class DeprecatedArg:
  """The default of a deprecated keyword argument (prints as ``Deprecated``)."""

  def __repr__(self):
    return "Deprecated"


class DLDeviceType(enum.IntEnum):
  """DLPack device type codes."""
  kDLCPU = 1
  kDLCUDA = 2
  kDLCUDAHost = 3
  kDLROCM = 10


AnyInt = int | np.integer
StaticIndex = AnyInt | slice | EllipsisType
Index = StaticIndex | None | Sequence[AnyInt] | Array | np.ndarray

__all__ = ["ArrayLike", "DTypeLike", "Array", "StaticScalar", "DType", "ExtendedDType",
           "SupportsDType", "SupportsShape", "SupportsSize", "SupportsNdim", "DimSize",
           "Shape", "DuckTypedArray", "DeprecatedArg", "DLDeviceType", "AnyInt",
           "StaticIndex", "Index"]
