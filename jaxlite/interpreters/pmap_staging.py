"""pmap as JAX 0.10.2 stages it: ``jit`` of ``shard_map`` over a one-axis mesh.

When a pmapped function is traced (under ``make_jaxpr``, ``jit``, ``grad``,
``vmap`` ...), JAX 0.10.2 does not bind an ``xla_pmap`` primitive any more: it
calls a jitted ``shard_map`` (the function is named ``_fun``) over
``Mesh(devices[:n], (axis_name,))``, whose body squeezes each mapped
argument's length-1 block to the per-replica value, runs the user function and
expands each output back with a length-1 axis at its ``out_axes`` position.
This module builds that function, so jaxprs, and everything that interprets
them, see JAX's structure. Eager pmap keeps its replica runtime (``pxla``).

Example:
  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> f = jaxlite.pmap(lambda x: x * 2.0, axis_name='i')
  >>> jaxpr = jaxlite.make_jaxpr(f)(np.ones((1, 3), np.float32))
  >>> jaxpr.eqns[0].primitive.name, jaxpr.eqns[0].params['name']
  ('jit', '_fun')
"""
from __future__ import annotations

import threading
from typing import Callable

import numpy as np

from jaxlite import tree_util

# The axis name JAX gives a pmap called without one (it can appear in jaxprs).
DEFAULT_AXIS_NAME = "_internal_pmap_axis_name"


class NestedPmap(Exception):
  """Raised inside a staged pmap's body when it calls pmap: the outer pmap then
  stages itself as an ``xla_pmap`` instead (jaxlite keeps nested pmaps working
  where JAX 0.10.2 rejects them; see docs/differences.md)."""


class _Mode(threading.local):
  """Which kind of pmap body this thread is tracing, innermost last."""

  def __init__(self):
    self.stack: list = []


_mode = _Mode()


class tracing_body:
  """Context manager: the thread traces a pmap body of ``kind`` ("replicas" for
  an xla_pmap body, "mesh" for a staged shard_map body)."""

  def __init__(self, kind: str):
    self.kind = kind

  def __enter__(self):
    _mode.stack.append(self.kind)

  def __exit__(self, *exc):
    _mode.stack.pop()


def innermost_body() -> str | None:
  """"replicas", "mesh" or None: the pmap body this thread is tracing now."""
  stack = _mode.stack
  return stack[-1] if stack else None


def axis_spec(axis_name, axis):
  """The PartitionSpec JAX gives a pmapped argument or result mapped at ``axis``
  (None: replicated)."""
  from jaxlite.sharding.partition_spec import PartitionSpec
  if axis is None:
    return PartitionSpec()
  return PartitionSpec(*([None] * axis + [axis_name]))


def staged_function(fun: Callable, in_tree, in_axes_flat, out_axes, axis_name, devices,
                    donate_flat, with_shardings=False) -> Callable:
  """The jitted shard_map JAX 0.10.2 calls for a pmap: it takes the flat
  arguments (global shapes) and returns ``fun``'s output pytree.

  ``fun`` takes the unflattened ``(args, kwargs)`` of ``in_tree``; ``in_axes_flat``
  holds each flat argument's mapped axis (None: broadcast); ``out_axes`` is the
  user's pytree prefix of output axes; ``donate_flat`` flags donated arguments;
  ``with_shardings``: jit is given the mesh's in and out shardings (the form
  JAX lowers for ``pmap(f).lower``).
  """
  from jaxlite import api, lax
  from jaxlite.interpreters.shard_map import shard_map
  from jaxlite.sharding.mesh import Mesh

  def _fun(*flat_args):
    per_replica = [x if ax is None else lax.squeeze(x, (ax,))
                   for x, ax in zip(flat_args, in_axes_flat)]
    args, kwargs = tree_util.tree_unflatten(in_tree, per_replica)
    with tracing_body("mesh"):
      out = fun(*args, **kwargs)
    out_flat, out_tree = tree_util.tree_flatten(out)
    from jaxlite.interpreters.pxla import flatten_axes
    axes = flatten_axes("pmap out_axes", out_tree, out_axes, out)
    out_flat = [x if ax is None else lax.expand_dims(x, (ax,))
                for x, ax in zip(out_flat, axes)]
    return tree_util.tree_unflatten(out_tree, out_flat)

  mesh = Mesh(np.array(devices, dtype=object), (axis_name,))
  in_specs = tuple(axis_spec(axis_name, ax) for ax in in_axes_flat)
  out_specs = tree_util.tree_map(lambda ax: axis_spec(axis_name, ax), out_axes,
                                 is_leaf=lambda x: x is None)
  mapped = shard_map(_fun, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                     check_vma=False, axis_names={axis_name})
  donated = tuple(i for i, d in enumerate(donate_flat) if d)
  if not with_shardings:
    return api.jit(mapped, donate_argnums=donated)
  from jaxlite.sharding.shardings import NamedSharding
  in_shardings = tuple(NamedSharding(mesh, spec) for spec in in_specs)
  out_shardings = tree_util.tree_map(lambda spec: NamedSharding(mesh, spec), out_specs)
  return api.jit(mapped, donate_argnums=donated, in_shardings=in_shardings,
                 out_shardings=out_shardings)
