"""``pbroadcast`` (copy one member's value to every member of a named axis)
and ``pcast`` (JAX's cast between the manual-axis types of ``shard_map``).

``pbroadcast`` is, as JAX documents it, ``psum`` of the value masked to the
source member, so it works under ``vmap`` and ``pmap`` alike. jaxlite does not
type values as reduced/unreduced along manual axes, so ``pcast`` to those
checks its arguments as JAX does and leaves the values as they are (every
cast JAX offers is the identity on values); ``to='varying'`` is ``pvary``.
"""
from __future__ import annotations

__all__ = ['pbroadcast', 'pcast']

from jaxlite import core, tree_util

_PCAST_TO = ('unreduced', 'reduced', 'varying')


def pbroadcast(x, axis_name, source):
  """Every member of ``axis_name`` gets the ``source`` member's ``x`` (a pytree).

  >>> import jaxlite, numpy as np
  >>> from jaxlite import lax
  >>> jaxlite.vmap(lambda v: lax.pbroadcast(v, 'i', 2), axis_name='i')(np.arange(4.))
  Array([2., 2., 2., 2.], dtype=float32)
  """
  from jaxlite import lax

  def one(leaf):
    aval = core.get_aval(leaf)
    is_source = lax.eq(lax.axis_index(axis_name), lax.full((), int(source), 'int32'))
    mask = lax.broadcast_in_dim(is_source, aval.shape, ())
    return lax.psum(lax.select(mask, leaf, lax.full_like(leaf, 0)), axis_name)
  return tree_util.tree_map(one, x)


def pcast(x, axis_name, *, to: str):
  """Casts ``x`` to the manual-axis type ``to`` ('varying', 'reduced' or
  'unreduced') along ``axis_name``; the values are unchanged. Inside a
  ``shard_map``, an invariant value cast to 'varying' is ``pvary``'d
  (``f32[]`` becomes ``f32[]{V:i}``).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.pcast(np.float32(1.), 'i', to='varying')
  Traceback (most recent call last):
  ...
  ValueError: pvary should be called under jax.shard_map.
  """
  if isinstance(axis_name, (set, frozenset)):
    raise TypeError(f"axis_name={axis_name} must be a tuple or a str. Got {axis_name}")
  if not axis_name:
    return x
  if to not in _PCAST_TO:
    raise ValueError("Got unexpected `to` value. Allowed `to` values are: "
                     "{'unreduced', 'reduced', 'varying'}")
  if to != 'varying':
    return x   # jaxlite types no reduced/unreduced values: the cast is the identity
  from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
  axes = axis_name if isinstance(axis_name, tuple) else (axis_name,)

  def one(leaf):
    aval = core.get_aval(leaf)
    varying = getattr(aval, 'vma', frozenset())
    states = {'varying' if a in varying else 'invarying' for a in axes}
    if len(states) > 1:
      raise ValueError(
          "jax.lax.pcast can only accept axis_name which corresponds to one of varying, "
          "unreduced, reduced or invarying state of the input. Got input type: "
          f"{aval}, axes: {axes} and input state: {states}")
    if states == {'varying'}:
      raise ValueError("Unsupported pcast from=varying, to='varying'")
    return vma.pvary(leaf, axes)
  return tree_util.tree_map(one, x)
