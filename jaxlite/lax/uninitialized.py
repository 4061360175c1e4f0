"""``lax.empty``: an array whose values the program never reads before writing.

JAX lowers ``empty_p`` to XLA's ``AllocateBuffer`` on GPU and TPU and to
zeros elsewhere; on CPU, as here, its values are zeros.
"""
from __future__ import annotations

__all__ = ['empty']

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir

empty_p = core.Primitive('empty')
empty_p.def_abstract_eval(lambda *, shape, dtype, out_sharding: ShapedArray(shape, dtype))


def _empty_lowering(ctx, *, shape, dtype, out_sharding):
  return mlir.full_like_aval(0, ctx.avals_out[0])


mlir.register_lowering(empty_p, _empty_lowering)


def empty(shape, dtype, *, out_sharding=None):
  """An array of ``shape`` and ``dtype`` with unspecified values (zeros on CPU):
  a buffer to be overwritten, e.g. by ``dynamic_update_slice``.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.empty((2, 3), np.float32).shape
  (2, 3)
  """
  from jaxlite.lax.structural import canonicalize_shape
  shape = canonicalize_shape((shape,) if np.ndim(shape) == 0 else shape)
  dtype = dtypes.canonicalize_dtype(dtypes.dtype(dtype))
  out = empty_p.bind(shape=shape, dtype=dtype, out_sharding=None)
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import place
    return place(out, out_sharding, "lax.empty")
  return out
