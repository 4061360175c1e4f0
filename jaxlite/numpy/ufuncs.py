"""NumPy's universal functions on ``jaxlite.lax``, one module per family:

* ``ufuncs_arithmetic``: the operators, powers, signs, maximum/minimum,
  gcd/lcm, rounding, complex parts, ``nan_to_num``, ``clip``, ``isclose``;
* ``ufuncs_math``: roots, exponentials and logarithms, trigonometric and
  hyperbolic functions, ``hypot``, ``logaddexp``, ``frexp`` ...;
* ``ufuncs_logical``: floating point classification, comparisons, logical
  and bitwise operations, ``where``.

Each function promotes its arguments with JAX's rules (``promotion``) and
binds lax primitives, so it works eagerly, under ``jit`` and under every
transformation. This module re-exports all of them.

  >>> import jaxlite.numpy as jnp
  >>> jnp.add(jnp.float32(1), 2)
  Array(3., dtype=float32)
"""
from jaxlite.numpy import ufuncs_arithmetic, ufuncs_logical, ufuncs_math
from jaxlite.numpy.ufuncs_arithmetic import *  # noqa: F401,F403
from jaxlite.numpy.ufuncs_arithmetic import abs, divmod, pow, round  # noqa: F401
from jaxlite.numpy.ufuncs_logical import *  # noqa: F401,F403
from jaxlite.numpy.ufuncs_logical import _to_bool  # noqa: F401
from jaxlite.numpy.ufuncs_math import *  # noqa: F401,F403

__all__ = ufuncs_arithmetic.__all__ + ufuncs_math.__all__ + ufuncs_logical.__all__
