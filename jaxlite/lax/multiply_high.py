"""``mulhi``: the high half of an integer product (XLA's ``chlo.mulhi``)."""
from __future__ import annotations

__all__ = ['mulhi', 'mulhi_p']

from jaxlite.interpreters import ad
from jaxlite.lax.elementwise import _int, naryop, promote_weak

# Integer-valued: no derivative (JAX's rule is zero).
mulhi_p = naryop("mulhi", [_int, _int], "chlo.mulhi")
ad.defjvp_zero(mulhi_p)


def mulhi(x, y, /):
  r"""Elementwise multiply-high: for N-bit integers, the upper N bits of the
  2N-bit product :math:`x \times y` (signed or unsigned as the dtype).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.mulhi(np.uint32(0x80000000), np.uint32(6))
  Array(3, dtype=uint32)
  >>> lax.mulhi(np.int8(-100), np.int8(100))
  Array(-40, dtype=int8)
  """
  x, y = promote_weak(x, y)
  return mulhi_p.bind(x, y)
