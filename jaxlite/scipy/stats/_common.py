"""Shared pieces of the distributions in ``jaxlite.scipy.stats``.

  >>> from jaxlite.scipy.stats._common import standardized
  >>> standardized(3.0, 1.0, 2.0)
  Array(1., dtype=float32, weak_type=True)
"""
from __future__ import annotations

import numpy as np

from jaxlite import core, dtypes, lax
import jaxlite.numpy as jnp


def const(x, value):
  """``value`` as a rank-0 constant of ``x``'s dtype. Beside a weakly typed
  scalar it is a Python scalar (so the result stays weak, as in JAX); beside
  anything else a NumPy scalar of that dtype.

  >>> const(np.float32(1), 2)
  array(2., dtype=float32)
  """
  aval = core.get_aval(x)
  if aval.weak_type and not aval.shape:
    kind = {"b": bool, "i": int, "u": int, "f": float, "c": complex}[np.dtype(aval.dtype).kind]
    scalar = kind(value)
    if dtypes.canonicalize_dtype(dtypes.dtype(scalar)) == aval.dtype:
      return scalar
  return np.array(value, dtype=aval.dtype)


def standardized(x, loc, scale):
  """``(x - loc) / scale``: the argument of a location-scale family's standard form."""
  return lax.div(lax.sub(x, loc), scale)


def outside_unit_interval(q):
  """Where a probability argument is nan or outside [0, 1] (quantiles are nan there)."""
  return jnp.isnan(q) | (q < 0) | (q > 1)
