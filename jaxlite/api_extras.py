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
import types
from collections.abc import Callable, Sequence

from jaxlite import api_util

__all__ = ["MemorySpace", "effects_barrier", "fwd_and_bwd", "memory"]


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
