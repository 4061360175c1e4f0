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

__all__ = ["JAXSparse"]


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


def _tracer_wrapped(data, text: str) -> str:
  from jaxlite import core
  if isinstance(data, core.Tracer):
    return f"{type(data).__name__}[{text}]"
  return text
