"""``jaxlite.scipy.cluster.vq``: assigning observations to the nearest code.

  >>> vq([[0.], [5.]], [[1.], [4.]])
  (Array([0, 1], dtype=int32), Array([1., 1.], dtype=float32))
"""
from __future__ import annotations

from jaxlite.numpy.promotion import check_arraylike, promote_dtypes_inexact

__all__ = ['vq']


def vq(obs, code_book, check_finite: bool = True):
  """The index of the nearest code (Euclidean) for each observation, and the distance.

  ``obs`` is ``(M,)`` or ``(M, N)``, ``code_book`` ``(K,)`` or ``(K, N)``.

  >>> vq([[1., 1.], [3., 3.]], [[0., 0.], [3., 4.]])[0]
  Array([0, 1], dtype=int32)
  """
  del check_finite
  from jaxlite import numpy as jnp
  check_arraylike("scipy.cluster.vq.vq", obs, code_book)
  obs, code_book = promote_dtypes_inexact(jnp.asarray(obs), jnp.asarray(code_book))
  if obs.ndim != code_book.ndim:
    raise ValueError("Observation and code_book should have the same rank")
  if obs.ndim == 1:
    obs, code_book = obs[..., None], code_book[..., None]
  if obs.ndim != 2:
    raise ValueError("ndim different than 1 or 2 are not supported")
  dist = jnp.sum((obs[:, None, :] - code_book[None, :, :]) ** 2, axis=-1)
  code = jnp.argmin(dist, axis=-1)
  best = jnp.min(dist, axis=-1)
  return code, jnp.sqrt(best)
