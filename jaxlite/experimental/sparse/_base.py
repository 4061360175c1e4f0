"""``JAXSparse``: the base class of jaxlite's sparse array types (BCOO, BCSR, COO, CSR, CSC).

Example:
  >>> from jaxlite.experimental.sparse import JAXSparse, BCOO
  >>> issubclass(BCOO, JAXSparse)
  True
"""
from __future__ import annotations

import abc
import math

from jaxlite.experimental.sparse.util import canonical_shape

__all__ = ["JAXSparse", "BufferedSparse"]


class JAXSparse(abc.ABC):
  """Base class for the sparse array types: shape bookkeeping and the shared interface."""
  __hash__ = None

  def __init__(self, args, *, shape):
    self.shape = canonical_shape(shape)

  @property
  @abc.abstractmethod
  def dtype(self): ...

  @property
  @abc.abstractmethod
  def nse(self) -> int: ...

  def __len__(self):
    return self.shape[0]

  @property
  def size(self) -> int:
    return math.prod(self.shape)

  @property
  def ndim(self) -> int:
    return len(self.shape)

  def __repr__(self):
    name = type(self).__name__
    try:
      text = f"{name}({self.dtype}{list(self.shape)}, nse={self.nse})"
    except Exception:  # a half-built object still prints, as in JAX
      text = f"{name}(<invalid>)"
    return _tracer_wrapped(self.data, text)

  @abc.abstractmethod
  def tree_flatten(self): ...

  @classmethod
  @abc.abstractmethod
  def tree_unflatten(cls, aux_data, children): ...

  @abc.abstractmethod
  def transpose(self, axes=None): ...

  @abc.abstractmethod
  def todense(self): ...

  @property
  def T(self):
    return self.transpose()

  def block_until_ready(self):
    for arg in self.tree_flatten()[0]:
      arg.block_until_ready()
    return self


class BufferedSparse(JAXSparse):
  """A sparse array held as named buffers (``data`` first) and static layout facts.

  The constructor, ``dtype``, ``_info`` and pytree plumbing that BCOO, BCSR, COO
  and CSR share. A subclass names its buffers in ``_buffer_names`` (its pytree
  children, in order), maps each layout keyword (each key of its aux data) to
  the attribute that holds it in ``_layout_attributes``, and names the type its
  ``_info`` is in ``_info_type``.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental.sparse import BCOO
  >>> M = BCOO((jnp.array([5.]), jnp.array([[1]])), shape=(3,))
  >>> BCOO.tree_unflatten(*reversed(M.tree_flatten())).todense()
  Array([0., 5., 0.], dtype=float32)
  """
  _buffer_names: tuple = ("data",)
  _layout_attributes: dict = {"shape": "shape"}
  _info_type = dict

  def __init__(self, args, *, shape, **layout):
    import jaxlite.numpy as jnp
    self.__dict__.update(_named(self._buffer_names, map(jnp.asarray, args)))
    for keyword, value in layout.items():
      setattr(self, self._layout_attributes[keyword], value)
    super().__init__(args, shape=shape)

  @property
  def dtype(self):
    return self.data.dtype

  def _layout(self) -> dict:
    """The aux data of the pytree: each layout keyword with its value."""
    return {key: getattr(self, attribute) for key, attribute in self._layout_attributes.items()}

  @property
  def _info(self):
    return self._info_type(**self._layout())

  def tree_flatten(self):
    return tuple(getattr(self, name) for name in self._buffer_names), self._layout()

  @classmethod
  def tree_unflatten(cls, aux_data, children):
    obj = object.__new__(cls)
    obj.__dict__.update(_named(cls._buffer_names, children))
    if aux_data.keys() != cls._layout_attributes.keys():
      raise ValueError(f"{cls.__name__}.tree_unflatten: invalid {aux_data=}")
    for key, value in aux_data.items():
      setattr(obj, cls._layout_attributes[key], value)
    return obj


def _named(names: tuple, values) -> dict:
  # Unpacking's own errors, as ``self.data, self.indices = args`` would raise them.
  values = tuple(values)
  if len(values) > len(names):
    raise ValueError(f"too many values to unpack (expected {len(names)})")
  if len(values) < len(names):
    raise ValueError(f"not enough values to unpack (expected {len(names)}, got {len(values)})")
  return dict(zip(names, values))


def _tracer_wrapped(data, text: str) -> str:
  from jaxlite import core
  if isinstance(data, core.Tracer):
    return f"{type(data).__name__}[{text}]"
  return text
