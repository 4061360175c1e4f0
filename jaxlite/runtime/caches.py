"""One switch for every staging and compilation cache: ``clear_caches``.

Each module that keeps a cache of traced jaxprs or compiled executables
registers a function that empties it; ``jaxlite.clear_caches()`` (JAX's
``jax.clear_caches``) calls them all. Executables are held only by these
caches (and by calls in flight), so clearing them releases their memory.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> f = jaxlite.jit(lambda x: x + 1)
  >>> _ = f(jnp.ones(3))
  >>> jaxlite.clear_caches()   # f retraces and recompiles on its next call
"""
from __future__ import annotations

import threading
from typing import Callable

_clearers: list[Callable[[], None]] = []
_lock = threading.Lock()


def register(clear: Callable[[], None]) -> Callable[[], None]:
  """Adds ``clear`` (no arguments) to what ``clear_caches`` calls; returns it,
  so it can decorate a module's clearing function.

  >>> register(lambda: None)   # doctest: +ELLIPSIS
  <function <lambda> at ...>
  """
  with _lock:
    _clearers.append(clear)
  return clear


def clear_caches() -> None:
  """Clears all compilation and staging caches (``jax.clear_caches``).

  Jitted functions retrace and recompile on their next call.

  >>> import jaxlite
  >>> jaxlite.clear_caches()
  """
  with _lock:
    clearers = list(_clearers)
  for clear in clearers:
    clear()
