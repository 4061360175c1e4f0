"""Top-level helpers of ``jax`` that build on the transformations:
``fwd_and_bwd``, ``effects_barrier`` and the ``jax.memory`` namespace.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> fwd, bwd = fwd_and_bwd(lambda x: jnp.sin(x) * 2, argnums=0)
  >>> y, residuals = fwd(jnp.zeros(2))
  >>> bwd(residuals, jnp.ones(2))
  Array([2., 2.], dtype=float32)
"""
from __future__ import annotations

import enum
import functools
import types
from collections.abc import Callable, Sequence

from jaxlite import api_util
from jaxlite.interpreters.shard_map import Infer

__all__ = ["MemorySpace", "effects_barrier", "fwd_and_bwd", "memory", "smap"]


def fwd_and_bwd(fun: Callable, argnums: int | Sequence[int], has_aux: bool = False,
                jitted: bool = True) -> tuple[Callable, Callable]:
  """Splits ``vjp(fun)`` into a forward function and a backward function that
  can each be compiled once and reused.

  Args:
    fun: the function to differentiate.
    argnums: the positional argument(s) to differentiate with respect to.
    has_aux: whether ``fun`` returns ``(output, aux)``.
    jitted: whether to return ``jit`` of both functions (the default).

  Returns:
    ``fwd(*args)``, which gives ``(output, residuals)`` (and ``aux`` with
    ``has_aux``), and ``bwd(residuals, cotangent)``, which gives the
    cotangents of the ``argnums`` arguments (one value for an int ``argnums``,
    a tuple otherwise).

  >>> import jaxlite.numpy as jnp
  >>> x = W = cot_out = jnp.ones((4, 4))
  >>> fwd, bwd = fwd_and_bwd(lambda x, W: x @ W, argnums=(0, 1))
  >>> y, residuals = fwd(x, W)
  >>> cot_x, cot_W = bwd(residuals, cot_out)
  >>> cot_x[0]
  Array([4., 4., 4., 4.], dtype=float32)
  """
  from jaxlite.api import jit
  from jaxlite.differentiation import vjp
  api_util.check_callable(fun, "fwd_and_bwd")
  if isinstance(argnums, int):
    positions = (argnums,)
  else:
    positions = tuple(int(i) for i in argnums)

  def fwd(*args, **kwargs):
    dynamic = [args[i] for i in positions]

    def of_dynamic(*values):
      full = list(args)
      for i, value in zip(positions, values):
        full[i] = value
      return fun(*full)
    return vjp(of_dynamic, *dynamic, has_aux=has_aux)

  def bwd(f_vjp, outgrad):
    cotangents = f_vjp(outgrad)
    return cotangents[0] if isinstance(argnums, int) else cotangents

  if jitted:
    return jit(fwd), jit(bwd)
  return fwd, bwd


def effects_barrier() -> None:
  """Waits until the computations already dispatched have finished, so that
  their side effects (callbacks, prints) have happened.

  >>> effects_barrier()
  """
  from jaxlite.runtime.backend import backends
  for client in backends().values():
    for buffer in client.live_arrays():
      try:
        buffer.block_until_ready()
      except Exception:   # a deleted or failed buffer has nothing left to wait for
        pass


def _axes_to_spec(axis_name, axis):
  from jaxlite.sharding.partition_spec import PartitionSpec
  if axis is None:
    return PartitionSpec()
  return PartitionSpec(*([None] * axis + [axis_name]))


def smap(f: Callable | None = None, /, *, in_axes=Infer, out_axes, axis_name):
  """Single-axis ``shard_map`` over the context mesh (``jax.set_mesh``):
  ``f`` sees, on each device along mesh axis ``axis_name``, its block of the
  arguments split along ``in_axes``; results are joined along ``out_axes``.

  Args:
    f: the per-shard function (or None, to use ``smap`` as a decorator).
    in_axes: an int, None, or a tuple per positional argument: the argument
      axis to split (None: pass whole). Without it (JAX's ``Infer``) the
      arguments' own shardings decide.
    out_axes: an int, None, or pytree of them: where the mesh axis goes in
      each result.
    axis_name: the mesh axis that is manual inside ``f``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> mesh = jaxlite.make_mesh((1,), ("x",))
  >>> with jaxlite.set_mesh(mesh):
  ...   smap(lambda x: x * 2, in_axes=0, out_axes=0, axis_name="x")(jnp.arange(4.0))
  Array([0., 2., 4., 6.], dtype=float32)
  """
  from jaxlite import tree_util
  from jaxlite.interpreters.shard_map import shard_map
  if isinstance(axis_name, (list, tuple)):
    raise TypeError(f"smap axis_name should be a `str` or a `Hashable`, but got {axis_name}")
  infer = Infer
  if in_axes is not None and in_axes is not infer and not isinstance(in_axes, (int, tuple)):
    raise TypeError("smap in_axes must be an int, None, jax.sharding.Infer, or a tuple of "
                    "entries corresponding to the positional arguments passed to the "
                    f"function, but got {in_axes}.")
  leaf = lambda x: x is None
  if in_axes is not infer and not all(
      isinstance(a, int) for a in tree_util.tree_leaves(in_axes)):
    raise TypeError("smap in_axes must be an int, None, jax.sharding.Infer, or (nested) "
                    f"container with those types as leaves, but got {in_axes}.")
  if not all(isinstance(a, int) for a in tree_util.tree_leaves(out_axes)):
    raise TypeError("smap out_axes must be an int, None, or (nested) container with those "
                    f"types as leaves, but got {out_axes}.")
  to_spec = lambda a: _axes_to_spec(axis_name, a)
  in_specs = infer if in_axes is infer else tree_util.tree_map(to_spec, in_axes, is_leaf=leaf)
  out_specs = tree_util.tree_map(to_spec, out_axes, is_leaf=leaf)

  def make(g):
    mapped = shard_map(g, mesh=None, in_specs=in_specs, out_specs=out_specs,
                       axis_names=frozenset({axis_name}), check_vma=True)
    if in_axes is not infer:
      return mapped

    @functools.wraps(g)
    def inferred(*args):
      # Inferring the split from the arguments needs an Explicit mesh axis.
      from jaxlite.sharding import mesh as mesh_lib
      axis_type = mesh_lib.get_abstract_mesh()._name_to_type.get(axis_name)
      if axis_type is not None and axis_type.name != "Explicit":
        raise TypeError(f"in_axes was not specified when axis_name={frozenset({axis_name})} "
                        f"was of type {axis_type}")
      return mapped(*args)
    return inferred
  return make if f is None else make(f)


class MemorySpace(enum.Enum):
  """Where an array's memory lives: ``Device``, ``Host`` or ``Any``.

  >>> MemorySpace.Host
  MemorySpace.Host
  """
  Device = enum.auto()
  Host = enum.auto()
  Any = enum.auto()

  def __repr__(self):
    return f"MemorySpace.{self.name}"

  # Identity hashing, as JAX's (Enum hashes the member's name).
  __hash__ = object.__hash__


memory = types.SimpleNamespace(Space=MemorySpace)
