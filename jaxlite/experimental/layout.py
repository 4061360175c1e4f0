"""``jax.experimental.layout``: how an array's elements are laid out in memory.

A ``Layout`` names the order of the dimensions from major to minor (and an
optional tiling); a ``Format`` pairs a layout with a sharding. These are the
values JAX's APIs take and return; jaxlite's ``jit`` does not take layouts
(every array uses XLA's default, row-major layout: see the differences page),
so here they are descriptions that libraries build, compare and rewrite.

  >>> Layout((1, 0))
  Layout(major_to_minor=(1, 0), tiling=None, sub_byte_element_size_in_bits=0)
  >>> Format(Layout.AUTO)
  Format(layout=AUTO, sharding=None)
"""
from __future__ import annotations

from typing import Union

__all__ = ["Layout", "Format"]


class AutoLayout:
  """``Layout.AUTO``: let the compiler choose the layout."""

  def __repr__(self):
    return "AUTO"


AUTO = AutoLayout()


class Layout:
  """The order of an array's dimensions in memory, major-most first.

  Args:
    major_to_minor: a permutation of the array's dimensions.
    tiling: optional tile shapes, outermost first.
    sub_byte_element_size_in_bits: element size for sub-byte types (0: default).

  Example:
    >>> Layout((0, 1)) == Layout([0, 1])
    True
  """
  AUTO = AUTO

  def __init__(self, major_to_minor, tiling=None, sub_byte_element_size_in_bits: int = 0):
    self.major_to_minor = tuple(major_to_minor)
    self.tiling = None if tiling is None else tuple(tuple(t) for t in tiling)
    self.sub_byte_element_size_in_bits = sub_byte_element_size_in_bits

  def _key(self):
    return (self.major_to_minor, self.tiling, self.sub_byte_element_size_in_bits)

  def __repr__(self):
    return (f"Layout(major_to_minor={self.major_to_minor}, tiling={self.tiling}, "
            f"sub_byte_element_size_in_bits={self.sub_byte_element_size_in_bits})")

  def __hash__(self):
    return hash(self._key())

  def __eq__(self, other):
    return isinstance(other, Layout) and self._key() == other._key()

  def update(self, **kwargs) -> "Layout":
    """A copy with the given fields replaced.

    >>> Layout((1, 0)).update(major_to_minor=(0, 1))
    Layout(major_to_minor=(0, 1), tiling=None, sub_byte_element_size_in_bits=0)
    """
    fields = dict(major_to_minor=self.major_to_minor, tiling=self.tiling,
                  sub_byte_element_size_in_bits=self.sub_byte_element_size_in_bits)
    fields.update(kwargs)
    return Layout(**fields)

  def check_compatible_aval(self, aval_shape):
    """ValueError unless the layout has one entry per dimension of ``aval_shape``."""
    if len(self.major_to_minor) != len(aval_shape):
      raise ValueError("Length of major_to_minor and the rank of the value should match. "
                       f"Got major_to_minor={self.major_to_minor} and shape={aval_shape}")


LayoutOptions = Union[Layout, None, AutoLayout]


class Format:
  """A layout and a sharding together: where an array lives and how.

  Example:
    >>> Format(Layout.AUTO, None).layout
    AUTO
  """
  __slots__ = ("layout", "sharding")

  def __init__(self, layout: LayoutOptions = None, sharding=None):
    from jaxlite.sharding import Sharding
    if isinstance(layout, Layout) and sharding is None:
      raise ValueError(
          "Sharding has to be concrete when layout is of type "
          f"{type(layout)}. Please pass a `jax.sharding.NamedSharding` or "
          "`jax.sharding.SingleDeviceSharding` to the sharding argument. Got "
          f"sharding {sharding}")
    if not isinstance(layout, (Layout, type(None), AutoLayout)):
      raise TypeError(
          "Invalid value received for the layout argument. Expected values are `None`, "
          f"`Layout.AUTO` or an instance of `Layout`. Got {layout} of type {type(layout)}")
    if not isinstance(sharding, (Sharding, type(None))):
      raise TypeError(
          "Invalid value received for the sharding argument. Expected values are `None` "
          f"or an instance of `jax.Sharding`. Got {sharding} of type {type(sharding)}")
    self.layout = layout
    self.sharding = sharding

  def __repr__(self):
    return f"Format(layout={self.layout}, sharding={self.sharding})"

  def __hash__(self):
    return hash((self.layout, self.sharding))

  def __eq__(self, other):
    return (isinstance(other, Format) and self.layout == other.layout
            and self.sharding == other.sharding)
