"""Arrays of extended dtypes: ``EArray`` (an extended-dtype array over its
physical data), ``primal_tangent_dtype`` (an extended dtype whose values are
stored as one dtype and whose tangents have another) and ``cur_qdd`` (the
current quasi-dynamic data of a value).

These are JAX 0.10.2's experimental building blocks; as in JAX, an
``EArray`` is a typed wrapper (shape, dtype, devices, blocking), not yet an
operand of jitted computations.

  >>> import numpy as np, jaxlite
  >>> dt = primal_tangent_dtype(np.int32, np.float32)
  >>> e = EArray(jaxlite.core.ShapedArray((2,), dt), jaxlite.numpy.arange(2, dtype=np.int32))
  >>> e
  EArray([0, 1], dtype=int32)
  >>> e.dtype, e.shape
  (PrimalTangentDType{i32/f32}, (2,))
"""
from __future__ import annotations

import functools
import types

import numpy as np

from jaxlite import core, dtypes
from jaxlite.basearray import Array as _AbstractArray
from jaxlite.forwarding import forwarding_mixin

__all__ = ["EArray", "primal_tangent_dtype", "cur_qdd"]


class primal_tangent_dtype_scalar(dtypes.extended):  # noqa: N801  (JAX's name)
  """Scalar type of the dtypes ``primal_tangent_dtype`` makes."""


class PrimalTangentDType(dtypes.ExtendedDType):
  """An extended dtype stored as ``primal_dtype`` whose tangents are
  ``tangent_dtype``."""
  __slots__ = ("primal_dtype", "tangent_dtype", "name")
  type = primal_tangent_dtype_scalar

  def __init__(self, primal_dtype, tangent_dtype, name):
    object.__setattr__(self, "primal_dtype", primal_dtype)
    object.__setattr__(self, "tangent_dtype", tangent_dtype)
    object.__setattr__(self, "name", name)

  def __setattr__(self, name, value):
    raise AttributeError(f"cannot assign to field {name!r}")   # frozen, as JAX's dataclass

  def __repr__(self):
    return self.name

  def __eq__(self, other):
    return (type(other) is PrimalTangentDType and
            (self.primal_dtype, self.tangent_dtype, self.name) ==
            (other.primal_dtype, other.tangent_dtype, other.name))

  def __hash__(self):
    return hash((PrimalTangentDType, self.primal_dtype, self.tangent_dtype, self.name))

  @property
  def _rules(self):
    return types.SimpleNamespace(
        physical_element_aval=lambda dtype: types.SimpleNamespace(shape=(),
                                                                  dtype=self.primal_dtype),
        tangent_dtype=lambda dtype: self.tangent_dtype,
        allow_conversion=True)


@functools.lru_cache(maxsize=None)
def _short_name(dtype) -> str:
  if isinstance(dtype, dtypes.ExtendedDType):
    return str(dtype)
  return (dtype.name.replace("float", "f").replace("uint", "u").replace("int", "i")
          .replace("complex", "c"))


def primal_tangent_dtype(primal_dtype, tangent_dtype, name=None):
  """An extended dtype whose values are stored as ``primal_dtype`` and whose
  tangents are ``tangent_dtype`` (named ``name``, by default
  ``PrimalTangentDType{<primal>/<tangent>}``).

  >>> import numpy as np
  >>> primal_tangent_dtype(np.int32, np.float32)
  PrimalTangentDType{i32/f32}
  >>> primal_tangent_dtype('float32', 'bfloat16', name='foo').tangent_dtype
  dtype(bfloat16)
  """
  primal_dtype, tangent_dtype = dtypes.dtype(primal_dtype), dtypes.dtype(tangent_dtype)
  name = name or f"PrimalTangentDType{{{_short_name(primal_dtype)}/{_short_name(tangent_dtype)}}}"
  return PrimalTangentDType(primal_dtype, tangent_dtype, name)


# Where the data live and their state: the physical array's.
_PHYSICAL_PROPERTIES = ("devices", "_committed", "committed", "is_fully_addressable",
                        "is_fully_replicated", "delete", "is_deleted",
                        "on_device_size_in_bytes", "unsafe_buffer_pointer", "sharding")


# shape, dtype, ndim, size and len() are the aval's; the rest the physical array's.
class EArray(forwarding_mixin("aval"), forwarding_mixin("_data", _PHYSICAL_PROPERTIES),
             _AbstractArray):
  """An array of an extended dtype: its abstract value ``aval`` (shape and
  extended dtype) over ``data``, the physical array holding its values."""
  __slots__ = ("_aval", "_data")
  __hash__ = None  # type: ignore[assignment]
  __array_priority__ = 100

  def __init__(self, aval, data):
    self._aval = aval
    self._data = data

  @property
  def aval(self):
    return self._aval

  def block_until_ready(self):
    self._data.block_until_ready()
    return self

  def copy_to_host_async(self):
    self._data.copy_to_host_async()

  def copy(self):
    return EArray(self.aval, self._data.copy())

  def __repr__(self):
    return "E" + repr(self._data)

  def __iter__(self):
    if self.ndim == 0:
      raise TypeError("iteration over a 0-d array")
    raise NotImplementedError("iteration over an EArray")   # as in JAX 0.10.2

  itemsize = property(lambda self: self._data.dtype.itemsize)

  @property
  def device(self):
    return self._data.device if len(self.sharding.device_set) == 1 else self.sharding


def cur_qdd(x):
  """The current quasi-dynamic data of ``x`` (what a mutable value's type
  carries beyond its aval, e.g. a ref's current contents' type), as the trace
  ``x`` belongs to sees it; ``None`` under a staging trace for a value that
  has none.

  >>> import jaxlite
  >>> jaxlite.jit(lambda x: print(cur_qdd(x)) or x)(1.0) and None
  None
  """
  if isinstance(x, core.Tracer):
    method = getattr(x, "cur_qdd", None)
    return method() if method is not None else None
  return x.cur_qdd()   # an AttributeError for values without it, as JAX's
