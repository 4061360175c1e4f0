"""Types of mutable array references: ``AbstractRef`` (a ref's type in a
jaxpr, printed ``Ref{f32[3]}``), ``Ref`` (a concrete, eagerly usable ref)
and ``NDIndexer`` (the NumPy-style index a read or write of a ref takes).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> ref = jaxlite.new_ref(jnp.arange(3.0))
  >>> jaxlite.typeof(ref)
  Ref{float32[3]}
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core import AbstractValue, ShapedArray, Tracer
from jaxlite.forwarding import ARRAY_PROPERTIES, forwarding_mixin
from jaxlite.numpy.dynamic_slice_index import Slice


class RefEffect:
  """The effect of an equation that makes, reads or writes a ref. A jaxpr
  carrying it is discharged into plain values before it is transposed or
  lowered (``jaxlite.state.discharge``)."""
  __slots__ = ()

  def __repr__(self):
    return "RefEffect"

  def __lt__(self, other):   # effects print sorted
    return repr(self) < repr(other)


ref_effect = RefEffect()
ref_effects = frozenset({ref_effect})


# shape, dtype, ndim, size, len() (and the rest named) are the inner aval's.
class AbstractRef(forwarding_mixin("inner_aval", ARRAY_PROPERTIES + ("weak_type", "sharding")),
                  AbstractValue):
  """The type of a mutable array reference holding values of ``inner_aval``.

  Example:
    >>> import numpy as np
    >>> AbstractRef(ShapedArray((3,), np.float32)).str_short()
    'Ref{f32[3]}'
  """
  __slots__ = ("inner_aval", "kind", "memory_space")

  def __init__(self, inner_aval, kind=None, memory_space=None):
    self.inner_aval = inner_aval
    self.kind = kind
    self.memory_space = memory_space

  def __eq__(self, other):
    return (type(other) is AbstractRef and self.inner_aval == other.inner_aval
            and self.memory_space == other.memory_space)

  def __hash__(self):
    return hash((AbstractRef, self.inner_aval, self.memory_space))

  def str_short(self, short_dtypes=True, mesh_axis_types=False):
    return f"Ref{{{self.inner_aval.str_short(short_dtypes)}}}"

  def __repr__(self):
    return f"Ref{{{self.inner_aval.str_short(short_dtypes=False)}}}"

  __str__ = __repr__

  def strip_weak_type(self):
    return self

  def update(self, inner_aval=None, shape=None, **_):
    """This type with another ``inner_aval``, or with the inner aval's ``shape``
    changed (as ``scan`` does to type one iteration's view of a scanned ref)."""
    if inner_aval is None:
      inner_aval = self.inner_aval if shape is None else self.inner_aval.update(shape=shape)
    return AbstractRef(inner_aval, self.kind, self.memory_space)

  def to_tangent_aval(self):
    from jaxlite.interpreters import ad
    return AbstractRef(ad.tangent_aval(self.inner_aval), self.kind, self.memory_space)

  to_ct_aval = to_tangent_aval

  # A tracer whose type is a ref reads and writes it with ``[]`` (see
  # jaxlite.numpy.array_methods and core.Tracer.__setitem__).
  def _getitem(self, tracer, index):
    from jaxlite.state import primitives
    return primitives.ref_get(tracer, index)

  def _setitem(self, tracer, index, value):
    from jaxlite.state import primitives
    primitives.ref_set(tracer, index, value)


class RefMeta(type):
  """``isinstance(x, Ref)`` holds for concrete refs and for tracers of refs,
  as in JAX."""

  def __instancecheck__(cls, instance):
    if type.__instancecheck__(cls, instance):
      return True
    return isinstance(instance, Tracer) and isinstance(instance.aval, AbstractRef)


# shape, dtype, ndim, size, sharding and len() are the current value's.
class Ref(forwarding_mixin("_array", ARRAY_PROPERTIES + ("sharding",)), metaclass=RefMeta):
  """Mutable array reference.

  In most cases this should not be constructed directly, but rather via
  :func:`jaxlite.new_ref`. Reading (``ref[idx]``) and writing
  (``ref[idx] = v``) run on XLA like any other operation.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> ref = jaxlite.new_ref(jnp.zeros(3))
    >>> ref[1] = 5.0
    >>> ref
    Ref([0., 5., 0.], dtype=float32)
  """
  __slots__ = ("_aval", "_array", "__weakref__")

  def __init__(self, aval: AbstractRef, refs):
    self._aval = aval
    self._array = refs   # a jaxlite Array, replaced (never mutated) by each write

  @property
  def aval(self):
    return self._aval

  def __getitem__(self, index):
    from jaxlite.state import primitives
    return primitives.ref_get(self, index)

  def __setitem__(self, index, value):
    from jaxlite.state import primitives
    primitives.ref_set(self, index, value)

  def __repr__(self):
    # An Array's text with its name changed (continuation lines keep the
    # Array's indentation, as JAX's do).
    return "Ref" + repr(self._array)[len("Array"):]

  __str__ = __repr__

  def __hash__(self):
    return object.__hash__(self)

  def addupdate(self, x, idx=()):
    """``self[idx] += x`` in place (``jax.ref.addupdate``)."""
    from jaxlite.state import primitives
    primitives.ref_addupdate(self, idx, x)

  # A ref is always committed to its device, as in JAX.
  committed = _committed = property(lambda self: True)

  def unsafe_buffer_pointer(self):
    return self._array._buf.unsafe_buffer_pointer()


def is_ref_type(aval) -> bool:
  return type(aval) is AbstractRef


# --- indexers --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NDIndexer:
  """A NumPy-style index into a ref of ``shape``, one entry per axis: a
  :class:`Slice` or an integer index (a Python int, or an integer array or
  tracer). Ellipses are expanded and missing trailing axes filled with full
  slices, as JAX's ``NDIndexer.from_indices_shape``.

  Example:
    >>> NDIndexer.from_indices_shape((0,), (2, 3)).indices
    (0, Slice(start=0, size=3, stride=1))
  """
  indices: tuple
  shape: tuple

  @classmethod
  def from_indices_shape(cls, indices, shape) -> "NDIndexer":
    if not isinstance(indices, tuple):
      indices = (indices,)
    if sum(i is Ellipsis for i in indices) > 1:
      raise IndexError("an index can only have a single ellipsis ('...')")
    if Ellipsis in [i for i in indices if not isinstance(i, (Tracer, np.ndarray))
                    and not hasattr(i, "aval")]:
      pos = next(k for k, i in enumerate(indices) if i is Ellipsis)
      fill = len(shape) - (len(indices) - 1)
      indices = indices[:pos] + (slice(None),) * max(fill, 0) + indices[pos + 1:]
    if len(indices) > len(shape):
      raise ValueError("`indices` must not be longer than `shape`: "
                       f"indices={indices}, shape={shape}")
    indices = indices + (slice(None),) * (len(shape) - len(indices))
    return cls(tuple(_normalize(i, d) for i, d in zip(indices, shape)), tuple(shape))

  def output_shape(self) -> tuple:
    """The shape of ``ref[self]`` under NumPy's rules (integer indices
    broadcast together; their dimensions go where the first one is when
    they are adjacent, else in front)."""
    int_positions = [k for k, i in enumerate(self.indices) if not isinstance(i, Slice)]
    int_shape = np.broadcast_shapes(*[np.shape(i) if not hasattr(i, "aval")
                                      else i.aval.shape for i in self.indices
                                      if not isinstance(i, Slice)]) if int_positions else ()
    slice_dims = [(k, i.size) for k, i in enumerate(self.indices) if isinstance(i, Slice)]
    if not int_positions:
      return tuple(size for _, size in slice_dims)
    adjacent = int_positions == list(range(int_positions[0], int_positions[-1] + 1))
    if adjacent:
      before = [s for k, s in slice_dims if k < int_positions[0]]
      after = [s for k, s in slice_dims if k > int_positions[-1]]
      return tuple(before) + tuple(int_shape) + tuple(after)
    return tuple(int_shape) + tuple(s for _, s in slice_dims)

  def as_numpy_index(self) -> tuple:
    """The index as ``jnp`` indexing takes it (static slices as ``slice``)."""
    out = []
    for i in self.indices:
      if isinstance(i, Slice) and not i.is_dynamic_start:
        start = int(i.start)
        out.append(slice(start, start + (i.size - 1) * i.stride + 1 if i.size else start,
                         i.stride))
      else:
        out.append(i)
    return tuple(out)

  def tree_flatten(self):
    return self.indices, self.shape

  @classmethod
  def tree_unflatten(cls, shape, indices):
    return cls(tuple(indices), shape)


tree_util.register_pytree_node(NDIndexer, NDIndexer.tree_flatten, NDIndexer.tree_unflatten)


def _normalize(index, dim):
  """One entry of an NDIndexer: a Python slice becomes a static Slice, a
  negative static integer counts from the end."""
  if isinstance(index, slice):
    start, stop, step = index.indices(dim)
    if step <= 0:
      raise ValueError(f"Slice with non-positive step {step} is not supported on refs.")
    return Slice(start, len(range(start, stop, step)), step)
  if isinstance(index, Slice):
    return index
  if index is None:
    raise TypeError("None (np.newaxis) is not supported when indexing a Ref.")
  if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
    index = int(index)
    if index < 0:
      index += dim
    if not 0 <= index < dim:
      raise ValueError(f"Out of bound indexer: idx={index}, dim={dim}.")   # JAX's
    return index
  aval = core.get_aval(index)
  if aval.dtype.kind not in "iu":
    raise TypeError(f"Ref indices must be integers, slices or Ellipsis; got {index!r}.")
  return index
