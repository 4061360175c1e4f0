"""The dimension protocol: how layers below ``jaxlite.export`` meet symbolic dimensions.

A shape may hold symbolic dimensions (shape-polymorphic export). Their
implementation lives in ``jaxlite.export``, a layer above ``lax`` and ``numpy``,
which meet them while tracing and lowering. So ``jaxlite.export`` registers its
implementation here when it loads, and the lower layers reach it through
``symbolic_dimensions()`` instead of importing upward. No symbolic dimension
exists before ``jaxlite.export`` has loaded, so code that holds one always
finds the implementation. ``jaxlite.core`` re-exports these names.

  >>> from jaxlite import core
  >>> core.is_symbolic_dim(3)
  False
  >>> from jaxlite import export
  >>> a, = export.symbolic_shape("a")
  >>> core.is_symbolic_dim(a), core.symbolic_dimensions().dim_max(0, a - 2)
  (True, max(0, a - 2))
"""
from __future__ import annotations

__all__ = ["register_symbolic_dimensions", "is_symbolic_dim", "symbolic_dimensions"]

_implementation = None


def register_symbolic_dimensions(implementation) -> None:
  """Installs the implementation of symbolic dimensions (``jaxlite.export`` calls this
  once, when it loads).

  Args:
    implementation: an object with ``is_symbolic_dim(d)`` and the operations the
      lower layers use on symbolic dimensions: ``dim_min``, ``dim_max`` (arithmetic)
      and the lowering helpers ``dim_value``, ``shape_tensor``, ``dimension_as_value``,
      ``reduce_window`` (a window of symbolic size),
      ``broadcast_in_dim``, ``reshape`` and ``iota``.

  >>> import types
  >>> from jaxlite import export   # registers its implementation on import
  >>> isinstance(symbolic_dimensions(), types.SimpleNamespace)
  True
  """
  global _implementation
  _implementation = implementation


def is_symbolic_dim(d) -> bool:
  """Whether ``d`` is a symbolic dimension (never, before ``jaxlite.export`` loads).

  >>> is_symbolic_dim(3)
  False
  """
  implementation = _implementation
  return implementation is not None and implementation.is_symbolic_dim(d)


def symbolic_dimensions():
  """The registered implementation of symbolic dimensions (``jaxlite.export``'s).

  Raises:
    RuntimeError: where none is registered, which no symbolic dimension can meet.

  >>> from jaxlite import export
  >>> a, = export.symbolic_shape("a")
  >>> symbolic_dimensions().dim_min(a, 3)
  min(a, 3)
  """
  if _implementation is None:
    raise RuntimeError("no implementation of symbolic dimensions is registered "
                       "(jaxlite.export registers one when it is imported)")
  return _implementation
