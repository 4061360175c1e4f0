"""What jaxlite has of JAX's shape polymorphism: every dimension is a
constant, so no dimension is symbolic.

  >>> is_symbolic_dim(3)
  False
"""
from __future__ import annotations

from typing import Any


def is_symbolic_dim(p: Any) -> bool:
  """Whether ``p`` is a symbolic dimension (an expression in dimension
  variables). jaxlite's shapes hold only integers, so this is False for every
  value jaxlite produces; ints and other values are not symbolic in JAX either.

  >>> is_symbolic_dim(4), is_symbolic_dim("b")
  (False, False)
  """
  return False
