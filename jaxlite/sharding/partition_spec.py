"""``PartitionSpec`` (also ``jaxlite.P``): which mesh axes split each array dimension.

A spec has one entry per leading array dimension: ``None`` (not split), a
mesh axis name, or a tuple of names (split over their product, major to
minor). Trailing dimensions without an entry are not split.

  >>> P('data', None)
  P('data', None)
  >>> P(('x', 'y'),) == P(('x', 'y'))
  True
"""
from __future__ import annotations

from typing import Any


class _UnconstrainedPartition:
  """The ``P.UNCONSTRAINED`` marker: XLA may choose this dimension's split."""
  __slots__ = ()

  def __repr__(self):
    return "UNCONSTRAINED"

  def __reduce__(self):
    return (_unconstrained, ())


UNCONSTRAINED = _UnconstrainedPartition()


def _unconstrained():
  return UNCONSTRAINED


def _canonical_entry(entry):
  """One spec entry in canonical form: a 1-tuple is its single name, () is None."""
  if isinstance(entry, list):
    entry = tuple(entry)
  if isinstance(entry, tuple):
    if len(entry) == 0:
      return None
    if len(entry) == 1:
      return entry[0]
  return entry


def _as_axis_set(value, name: str) -> frozenset:
  if isinstance(value, frozenset):
    return value
  if not isinstance(value, set):
    raise TypeError(f"{name} argument of PartitionSpec should of type "
                    f"`frozenset` or `set`. Got type {value}")
  return frozenset(value)


def _set_text(unreduced, reduced) -> str:
  parts = []
  if unreduced:
    parts.append(f"unreduced={set(unreduced)!r}")
  if reduced:
    parts.append(f"reduced={set(reduced)!r}")
  return ", ".join(parts)


class PartitionSpec:
  """How each dimension of an array is split over the axes of a mesh.

  Args:
    *partitions: one entry per leading dimension: ``None``, a mesh axis
      name, or a tuple of names.
    unreduced, reduced: sets of mesh axes over which the value is a partial
      sum (unreduced) or already summed (reduced).

  Two specs with the same entries are equal (and hash alike); a spec is
  never equal to a plain tuple, and it is a pytree leaf.

  >>> spec = PartitionSpec('x', ('y', 'z'))
  >>> spec[1], len(spec)
  (('y', 'z'), 2)
  """
  __slots__ = ("_partitions", "unreduced", "reduced", "_hash")
  UNCONSTRAINED = UNCONSTRAINED

  def __init__(self, *partitions, unreduced=frozenset(), reduced=frozenset()):
    partitions = tuple(_canonical_entry(p) for p in partitions)
    unreduced = _as_axis_set(unreduced, "unreduced")
    reduced = _as_axis_set(reduced, "reduced")
    _check_partial_axes(partitions, unreduced, reduced)
    object.__setattr__(self, "_partitions", partitions)
    object.__setattr__(self, "unreduced", unreduced)
    object.__setattr__(self, "reduced", reduced)
    object.__setattr__(self, "_hash", hash((partitions, unreduced, reduced)))

  def __init_subclass__(cls, *args, **kwargs):
    raise TypeError("Subclassing `jax.P` is prohibited.")

  def __setattr__(self, name, value):
    raise AttributeError("PartitionSpec is immutable")

  @property
  def partitions(self) -> tuple:
    return self._partitions

  def __eq__(self, other):
    return (isinstance(other, PartitionSpec)
            and self._partitions == other._partitions
            and self.unreduced == other.unreduced
            and self.reduced == other.reduced)

  def __hash__(self):
    return self._hash

  def __repr__(self):
    inner = repr(self._partitions)[1:-1]
    extra = _set_text(self.unreduced, self.reduced)
    if not extra:
      return f"P({inner})"
    if inner:
      inner = f"{inner} " if inner.endswith(",") else f"{inner}, "
    return f"P({inner}{extra})"

  def __reduce__(self):
    return (_rebuild, (self._partitions, self.unreduced, self.reduced))

  def _check_no_partial(self, what: str):
    if self.unreduced or self.reduced:
      raise ValueError(
          f"Using {what} is dangerous when PartitionSpec has non-empty "
          "unreduced/reduced set. Please use "
          f"{'spec.partitions[...]' if what == 'pspec[...]' else '*spec.partitions'}")

  def __getitem__(self, i):
    self._check_no_partial("pspec[...]")
    return self._partitions[i]

  def __iter__(self):
    self._check_no_partial("*pspec")
    return iter(self._partitions)

  def __len__(self):
    return len(self._partitions)

  def __add__(self, other):
    if isinstance(other, PartitionSpec):
      return PartitionSpec(*self._partitions, *other._partitions,
                           unreduced={*self.unreduced, *other.unreduced},
                           reduced={*self.reduced, *other.reduced})
    if isinstance(other, tuple):
      self._check_tuple_operand(other, "__add__")
      return PartitionSpec(*self._partitions, *other)
    return NotImplemented

  def __radd__(self, other):
    if not isinstance(other, tuple):
      return NotImplemented
    self._check_tuple_operand(other, "__radd__")
    return PartitionSpec(*other, *self._partitions)

  def _check_tuple_operand(self, other, method):
    for kind in ("unreduced", "reduced"):
      if getattr(self, kind):
        raise TypeError(f"other {other} cannot be of instance `tuple` when self "
                        f"{self} has {kind} in `{method}` of PartitionSpec.")

  def index(self, value) -> int:
    return self._partitions.index(_canonical_entry(value))

  def count(self, value) -> int:
    return self._partitions.count(_canonical_entry(value))

  def update(self, partitions=None, unreduced=None, reduced=None) -> "PartitionSpec":
    """A copy with some of ``partitions``, ``unreduced``, ``reduced`` replaced.

    >>> P('x').update(partitions=('y', None))
    P('y', None)
    """
    return PartitionSpec(
        *(self._partitions if partitions is None else partitions),
        unreduced=self.unreduced if unreduced is None else unreduced,
        reduced=self.reduced if reduced is None else reduced)

  def _normalized_spec_for_aval(self, ndim: int) -> "PartitionSpec":
    out = [None if p is UNCONSTRAINED else p for p in self._partitions]
    out.extend([None] * (ndim - len(out)))
    return self.update(partitions=out)

  def _check_compatible_wrt_shape(self, shape):
    if len(shape) < len(self._partitions):
      extra = " For scalars the PartitionSpec should be P()" if not shape else ""
      raise ValueError(
          f"PartitionSpec {self} is only valid for values of rank at least "
          f"{len(self._partitions)}, but was applied to a value of rank "
          f"{len(shape)}.{extra}")


def _rebuild(partitions, unreduced, reduced):
  return PartitionSpec(*partitions, unreduced=unreduced, reduced=reduced)


def _check_partial_axes(partitions, unreduced, reduced):
  if not unreduced and not reduced:
    return
  for kind, axes in (("unreduced", unreduced), ("reduced", reduced)):
    if None in axes:
      raise ValueError(f"{kind} cannot contain None. All elements in {kind} "
                       "should refer to the mesh axes.")
  if unreduced & reduced:
    raise ValueError(
        "`unreduced` and `reduced` argument to PartitionSpec cannot overlap. "
        f"Got unreduced: {unreduced} and reduced: {reduced}")
  for entry in partitions:
    for name in (entry if isinstance(entry, tuple) else (entry,)):
      for kind, axes in (("unreduced", unreduced), ("reduced", reduced)):
        if name in axes:
          raise ValueError(
              f"partitions cannot overlap with {kind} axes passed to "
              f"PartitionSpec. Got partitions: {partitions} and {kind} axes: "
              f"{axes}")


def spec_axes(spec) -> list:
  """Every mesh axis name a spec uses, in order (UNCONSTRAINED and None skipped).

  >>> spec_axes(P('x', None, ('y', 'z')))
  ['x', 'y', 'z']
  """
  names: list[Any] = []
  for entry in spec.partitions if isinstance(spec, PartitionSpec) else spec:
    if entry is None or entry is UNCONSTRAINED:
      continue
    names.extend(entry if isinstance(entry, tuple) else (entry,))
  return names


P = PartitionSpec
PartitionSpec.__module__ = "jaxlite.sharding"
