"""Library functions staged as one ``jit`` equation, as JAX 0.10.2 stages them.

JAX decorates many of its ``jax.numpy``/``jax.nn``/``jax.random`` functions with
``jit``: under a transformation they appear in a jaxpr as
``jit[name=clip jaxpr={ ... }]`` rather than as their primitives inline, and
programs that walk jaxprs see that nesting. Eager calls go through jit's cached
executable (one compiled program per argument signature, as in JAX).

Example:
  >>> import jaxlite, jaxlite.numpy as jnp
  >>> print(jaxlite.make_jaxpr(jnp.cumsum)(jnp.arange(3.0)))
  { lambda ; a:f32[3]. let
      b:f32[3] = jit[
        name=cumsum
        jaxpr={ lambda ; a:f32[3]. let
            b:f32[3] = cumsum[axis=0 reverse=False] a
          in (b,) }
      ] a
    in (b,) }
"""
from __future__ import annotations

import functools
from typing import Callable, Sequence


def library_jit(fun: Callable | None = None, *, static_argnames: Sequence[str] = (),
                static_argnums: Sequence[int] = (), inline: bool = False,
                name: str | None = None):
  """Decorates ``fun`` so that it is staged and compiled as one ``jit`` call named
  after it; ``static_argnames``/``static_argnums``/``inline`` as in ``jaxlite.jit``
  (``inline=True``: no ``jit`` equation in jaxprs, one compiled call eagerly);
  ``name``: the equation's name when it is not ``fun``'s (JAX's private helpers
  such as ``_var``).

  The wrapper keeps ``fun``'s name, signature and docstring.
  """
  def wrap(f):
    from jaxlite.interpreters.pjit import Jitted
    jitted = Jitted(f, static_argnums=tuple(static_argnums) or None,
                    static_argnames=tuple(static_argnames) or None, inline=inline)
    if name is not None:
      jitted.name = name

    @functools.wraps(f)
    def staged(*args, **kwargs):
      return jitted(*args, **kwargs)
    return staged
  return wrap if fun is None else wrap(fun)
