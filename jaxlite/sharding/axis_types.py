"""Switching mesh axes between Explicit and Auto for part of a program:
``jax.sharding.auto_axes`` / ``explicit_axes``; and ``ManualAxisType``, the
per-value record of how a value varies over Manual (shard_map) axes.

  >>> ManualAxisType(varying=frozenset({'x'}))
  ManualAxisType(varying=frozenset({'x'}), unreduced=frozenset(), reduced=frozenset())
"""
from __future__ import annotations

import functools
import threading

from jaxlite import tree_util
from jaxlite.sharding import mesh as mesh_lib
from jaxlite.sharding.mesh import AxisType
from jaxlite.sharding.partition_spec import PartitionSpec
from jaxlite.sharding.shardings import NamedSharding

__all__ = ["ManualAxisType", "auto_axes", "explicit_axes"]


class ManualAxisType:
  """The mesh axes a value varies over, is unreduced over and is reduced over
  (JAX's ``jax.sharding.ManualAxisType``). Instances are interned: equal
  contents give the same object, compared by identity.

  >>> ManualAxisType(varying={'x'}) is ManualAxisType(varying=frozenset({'x'}))
  True
  >>> ManualAxisType(varying={'x'}, unreduced={'x'})
  Traceback (most recent call last):
  ...
  ValueError: varying and unreduced cannot have common mesh axes. Got varying={'x'} and unreduced={'x'}
  """
  __slots__ = ("varying", "unreduced", "reduced", "__weakref__")
  _interned: dict = {}
  _lock = threading.Lock()

  def __new__(cls, *, varying=frozenset(), unreduced=frozenset(), reduced=frozenset()):
    if varying & unreduced:
      raise ValueError("varying and unreduced cannot have common mesh axes. Got "
                       f"varying={varying} and unreduced={unreduced}")
    if varying & reduced:
      raise ValueError("varying and reduced cannot have common mesh axes. Got "
                       f"varying={varying} and reduced={reduced}")
    key = (frozenset(varying), frozenset(unreduced), frozenset(reduced))
    with cls._lock:
      obj = cls._interned.get(key)
      if obj is None:
        obj = object.__new__(cls)
        for name, value in zip(cls.__slots__, key):
          object.__setattr__(obj, name, value)
        cls._interned[key] = obj
    return obj

  def __setattr__(self, name, value):
    raise AttributeError(f"ManualAxisType is immutable: cannot set {name}")

  def __repr__(self):
    return (f"ManualAxisType(varying={self.varying}, unreduced={self.unreduced}, "
            f"reduced={self.reduced})")

  def __getnewargs_ex__(self):
    return (), {"varying": self.varying, "unreduced": self.unreduced,
                "reduced": self.reduced}

  def update(self, **kwargs) -> "ManualAxisType":
    """A copy with some of ``varying``, ``unreduced``, ``reduced`` replaced.

    >>> ManualAxisType().update(reduced={'y'}).reduced
    frozenset({'y'})
    """
    for name in ("varying", "unreduced", "reduced"):
      kwargs.setdefault(name, getattr(self, name))
    return ManualAxisType(**kwargs)

  def to_ct_mat(self) -> "ManualAxisType":
    """The cotangent's: unreduced and reduced swapped.

    >>> ManualAxisType(reduced={'x'}).to_ct_mat().unreduced
    frozenset({'x'})
    """
    return self.update(unreduced=self.reduced, reduced=self.unreduced)

  @property
  def empty(self) -> bool:
    """Whether it names no axis.

    >>> ManualAxisType().empty
    True
    """
    return self is ManualAxisType()


# --- auto_axes / explicit_axes ---------------------------------------------------------------

class _MeshTypes:
  """The context mesh (abstract, and concrete if one is set) with new axis types."""

  def __init__(self, abstract, concrete):
    self.abstract, self.concrete = abstract, concrete

  def __enter__(self):
    state = mesh_lib._state   # pylint: disable=protected-access
    self.prev = (state.abstract, state.concrete)
    state.abstract = self.abstract
    if self.concrete is not None:
      state.concrete = self.concrete

  def __exit__(self, *exc):
    mesh_lib._state.abstract, mesh_lib._state.concrete = self.prev  # pylint: disable=protected-access


def _new_mesh(axes, axis_type, name, shardings=None):
  """(the mesh before, the mesh with ``axes`` of ``axis_type``, the axes, the
  concrete mesh before), or None without a mesh (as JAX's _get_new_mesh)."""
  cur = mesh_lib.get_abstract_mesh()
  given = None
  for s in tree_util.tree_leaves(shardings):
    if isinstance(s, NamedSharding):
      if given is not None and given.abstract_mesh != s.mesh.abstract_mesh:
        raise ValueError(f"Shardings passed to {name} should have the same mesh. Got one "
                         f"mesh {given.abstract_mesh} and another {s.mesh}")
      given = s.mesh
  if given is None and cur.empty:
    return None
  concrete = mesh_lib.get_concrete_mesh()
  if given is not None and not cur.empty and given.abstract_mesh != cur:
    raise ValueError(f"Context mesh {cur} must match the mesh passed to shardings "
                     f"{given.abstract_mesh}. Recommended approach is to use "
                     "`jax.set_mesh` context manager.")
  prev = cur if not cur.empty else given.abstract_mesh
  if concrete.empty and isinstance(given, mesh_lib.Mesh):
    concrete = given
  if axes is None:
    axes = prev.axis_names
  if not isinstance(axes, tuple):
    axes = (axes,)
  for a in axes:
    if prev._name_to_type[a] == AxisType.Manual:   # pylint: disable=protected-access
      raise NotImplementedError(
          "Going from `Manual` AxisType to `Auto` or `Explicit` AxisType is not allowed. "
          "Please file a bug at https://github.com/jax-ml/jax/issues with your use case")
  new = prev.update_axis_types({a: axis_type for a in axes})
  return prev, new, axes, (None if concrete.empty else concrete)


def _explicit_only(spec, mesh) -> PartitionSpec:
  """``spec`` naming only the Explicit axes of ``mesh`` (others become None)."""
  kinds = mesh._name_to_type   # pylint: disable=protected-access
  parts = []
  for entry in spec:
    if isinstance(entry, tuple):
      parts.append(tuple(a for a in entry if kinds[a] == AxisType.Explicit))
    else:
      parts.append(entry if entry is None or kinds[entry] == AxisType.Explicit else None)
  return PartitionSpec(*parts)


def _on(concrete, mesh, spec):
  """``spec`` as a sharding on the concrete mesh with ``mesh``'s axis types."""
  if concrete is None:
    return spec
  return NamedSharding(concrete.update(axis_types=mesh.axis_types), spec)


def _reshard(xs, shardings):
  from jaxlite.lax.sharding_constraint import reshard  # pylint: disable=g-import-not-at-top
  return reshard(xs, shardings)


def _typeof_spec(x):
  from jaxlite import core  # pylint: disable=g-import-not-at-top
  return core.get_aval(x).sharding.spec


def _given_or_keyword(given, kwargs, name):
  """The sharding given to the decorator, else the call's keyword ``name``
  (taken out of ``kwargs``)."""
  if given is not None:
    return given
  if name not in kwargs:
    raise TypeError(f"Missing required keyword argument: '{name}'")
  return kwargs.pop(name)


def auto_axes(f=None, /, *, axes=None, out_sharding=None):
  """Runs ``f`` with mesh ``axes`` (default: all) of type Auto, so XLA chooses
  how values are split over them; the results are resharded to
  ``out_sharding`` (given here or as a keyword of each call).

  >>> @auto_axes
  ... def f(x):
  ...   return x * 2
  >>> f(1.0, out_sharding=None)
  2.0
  """
  if f is None:
    return lambda g: _switching(g, axes, out_sharding, "out_sharding", AxisType.Auto)
  return _switching(f, axes, out_sharding, "out_sharding", AxisType.Auto)


def explicit_axes(f=None, /, *, axes=None, in_sharding=None):
  """Runs ``f`` with mesh ``axes`` (default: all) of type Explicit: its
  arguments are first resharded to ``in_sharding`` (given here or as a
  keyword of each call), so their types carry it; the results go back to
  the caller's axis types. Needs a mesh in context (``set_mesh``).

  >>> explicit_axes(lambda x: x)(1.0, in_sharding=None)
  Traceback (most recent call last):
  ...
  ValueError: Context mesh cannot be empty. Please use `jax.set_mesh` API to enter into a mesh context when using `explicit_axes` API.
  """
  if f is None:
    return lambda g: _switching(g, axes, in_sharding, "in_sharding", AxisType.Explicit)
  return _switching(f, axes, in_sharding, "in_sharding", AxisType.Explicit)


def _switching(fun, axes, sharding, keyword, axis_type):
  """``fun`` run with mesh ``axes`` switched to ``axis_type``: auto_axes's and
  explicit_axes's shared body (they differ in which side is resharded to
  the given sharding)."""
  to_auto = axis_type == AxisType.Auto

  @functools.wraps(fun)
  def decorator(*args, **kwargs):
    given = _given_or_keyword(sharding, kwargs, keyword)
    info = _new_mesh(axes, axis_type, "auto_axes" if to_auto else "explicit_axes",
                     given if to_auto else None)
    if info is None and not to_auto:
      raise ValueError("Context mesh cannot be empty. Please use `jax.set_mesh` API to "
                       "enter into a mesh context when using `explicit_axes` API.")
    if info is None or (to_auto and set(info[0].auto_axes) == set(info[2])):
      return fun(*args, **kwargs)
    prev, new, _, concrete = info
    with _MeshTypes(new, concrete and concrete.update(axis_types=new.axis_types)):
      if to_auto:   # arguments keep only what Explicit axes remain in the new mesh
        ins = tree_util.tree_map(
            lambda a: _on(concrete, new, _explicit_only(_typeof_spec(a), new)), args)
      else:
        ins = tree_util.tree_map(
            lambda s: _on(concrete, new, s) if isinstance(s, PartitionSpec) else s, given,
            is_leaf=lambda s: isinstance(s, PartitionSpec))
      out = fun(*_reshard(args, ins), **kwargs)
    if to_auto:
      return _reshard(out, given)
    return _reshard(out, tree_util.tree_map(
        lambda o: _on(concrete, prev, _explicit_only(_typeof_spec(o), prev)), out))
  return decorator
