"""What the two Gumbel distributions share: the validity masks of their
parameters and arguments.

  >>> from jaxlite.scipy.stats import gumbel_r
  >>> gumbel_r.cdf(0.0)
  Array(0.36787945, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
import jaxlite.numpy as jnp
from jaxlite.scipy.stats._common import const


def valid_scale(scale):
  return lax.gt(scale, const(scale, 0))


def nan_unless(ok, value):
  return jnp.where(ok, value, np.nan)


def inside_open_unit(p):
  return lax.bitwise_and(lax.gt(p, const(p, 0)), lax.lt(p, const(p, 1)))
