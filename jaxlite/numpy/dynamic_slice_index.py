"""``jax.ds``: slices with a (possibly traced) start and a static size, usable
as indices: ``x[jax.ds(i, 2)]`` is ``x[i:i + 2]`` for a dynamic ``i``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> x = jnp.arange(10)
  >>> x[ds(4, 2)]
  Array([4, 5], dtype=int32)
  >>> jaxlite.jit(lambda x, i: x[ds(i, 2)])(x, 4)
  Array([4, 5], dtype=int32)
"""
from __future__ import annotations

import dataclasses
from typing import Any

from jaxlite import tree_util
from jaxlite.core import Tracer


def _is_static(v) -> bool:
  return isinstance(v, int) or (hasattr(v, "__index__") and not isinstance(v, Tracer)
                                and getattr(v, "ndim", 0) == 0 and not hasattr(v, "aval"))


@dataclasses.dataclass(slots=True)
class Slice:
  """A slice with a start index (static or traced), a static size and a
  static stride.

  >>> Slice(1, 3)
  Slice(start=1, size=3, stride=1)
  """
  start: Any
  size: Any
  stride: int = 1

  def __post_init__(self):
    if self.stride < 0:
      raise ValueError("`stride` must be >= 0.")

  @property
  def is_dynamic_start(self) -> bool:
    return not _is_static(self.start)

  @property
  def is_dynamic_size(self) -> bool:
    return not _is_static(self.size)

  def tree_flatten(self):
    # A static start or size is part of the structure; a traced one is a leaf.
    children = (self.start if self.is_dynamic_start else None,
                self.size if self.is_dynamic_size else None)
    aux = (None if self.is_dynamic_start else self.start,
           None if self.is_dynamic_size else self.size, self.stride)
    return children, aux

  @classmethod
  def tree_unflatten(cls, aux, children) -> "Slice":
    start, size = (c if c is not None else a for c, a in zip(children, aux[:2]))
    return cls(start, size, aux[2])


tree_util.register_pytree_node(Slice, Slice.tree_flatten, Slice.tree_unflatten)


def ds(start, size=None, stride: int | None = None):
  """A :class:`Slice` from a start and a size, mirroring ``slice``:
  ``ds(None)`` is ``:``, ``ds(j)`` is ``:j``, ``ds(i, j)`` is ``i:i+j`` and
  ``ds(i, j, stride)`` is ``i:i+j:stride`` (``i`` may be traced).

  >>> ds(1, 3), ds(2), ds(None)
  (Slice(start=1, size=3, stride=1), Slice(start=0, size=2, stride=1), slice(None, None, None))
  """
  if start is None:
    return slice(None)
  if stride is None:
    stride = 1
  if not isinstance(stride, int):
    raise ValueError("Non-static stride in `dslice`")
  if size is None:
    start, size = 0, start
  return Slice(start, size, stride)


def resolve_slices(arr, index):
  """``(arr, index)`` with every :class:`Slice` of ``index`` applied:
  each becomes a ``dynamic_slice`` of ``arr`` (the index keeps
  ``::stride``). Returns None when ``index`` holds no Slice (the caller's own
  error stands).

  >>> import jaxlite.numpy as jnp
  >>> resolve_slices(jnp.arange(4), (Slice(1, 2),))
  (Array([1, 2], dtype=int32), (slice(None, None, 1),))
  """
  from jaxlite import lax
  items = index if isinstance(index, tuple) else (index,)
  if not any(isinstance(i, Slice) for i in items):
    return None
  out = []
  axis = 0
  seen_ellipsis = False
  for item in items:
    if isinstance(item, Slice):
      if item.is_dynamic_size:
        raise IndexError("jax.ds with a traced size is not supported: sizes must be static")
      extent = (int(item.size) - 1) * item.stride + 1 if item.size else 0
      if not seen_ellipsis:
        # As JAX: a dynamic_slice, whose start is clamped so the window fits.
        arr = lax.dynamic_slice_in_dim(arr, item.start, extent, axis)
        out.append(slice(None, None, item.stride))
      elif item.is_dynamic_start:
        raise IndexError("a jax.ds with a traced start after an Ellipsis is not supported")
      else:
        start = int(item.start)
        out.append(slice(start, start + extent, item.stride))
      axis += 1
    else:
      if item is Ellipsis:
        seen_ellipsis = True
      elif item is not None:
        axis += getattr(item, "ndim", 1) if getattr(item, "dtype", None) == bool else 1
      out.append(item)
  return arr, tuple(out)
