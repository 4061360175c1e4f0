"""``jax.extend``: the API for libraries that build on the tracing core.

  * ``core``: primitives, jaxprs, variables and literals, trace helpers;
  * ``linear_util``: functions with a stack of transformations (``WrappedFun``);
  * ``source_info_util``: the name stack that ``jax.named_scope`` extends;
  * ``backend``: the PJRT clients; ``random``: the PRNG implementations.

  >>> from jaxlite import extend
  >>> extend.core.Primitive("my_op")
  my_op
"""
from jaxlite import source_info_util
from jaxlite.extend import backend, core, linear_util, random

__all__ = ["backend", "core", "linear_util", "random", "source_info_util"]
