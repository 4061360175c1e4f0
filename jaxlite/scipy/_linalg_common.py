"""Helpers shared by the ``jaxlite.scipy.linalg`` modules."""
from __future__ import annotations

from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact


def _jnp():
  # jaxlite.numpy imported on first use keeps `import jaxlite.scipy` light.
  from jaxlite import numpy as jnp
  return jnp


def _inexact(name, *args):
  """``args`` as arrays promoted to one inexact dtype (TypeError for non-arrays)."""
  check_arraylike(name, *args)
  jnp = _jnp()
  return promote_dtypes_inexact(*[jnp.asarray(a) for a in args])


def _H(x):
  """Conjugate transpose of the last two axes."""
  jnp = _jnp()
  return jnp.conj(jnp.swapaxes(x, -1, -2))
