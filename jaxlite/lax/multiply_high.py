"""``mulhi``: the high half of an integer product.

Lowered from ordinary integer arithmetic (XLA's CPU backend rejects
``mulhi`` inside fused loops): 8- and 16-bit operands are multiplied in twice
the width and shifted; 32- and 64-bit ones are split into halves whose four
partial products are summed with their carries, then corrected for signs.
"""
from __future__ import annotations

__all__ = ['mulhi', 'mulhi_p']

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, mlir
from jaxlite.lax.elementwise import _int, broadcast_lowering, naryop, promote_weak


def _const(x, value):
  from jaxlite import lax
  return lax.full_like(x, value)


def _high_half(x, y):
  from jaxlite import lax
  dtype = np.dtype(core.get_aval(x).dtype)
  bits = dtype.itemsize * 8
  signed = dtypes.issubdtype(dtype, np.signedinteger)
  if bits < 32:
    wide = np.dtype(f"{'i' if signed else 'u'}{2 * dtype.itemsize}")
    prod = lax.mul(lax.convert_element_type(x, wide), lax.convert_element_type(y, wide))
    shift = lax.shift_right_arithmetic if signed else lax.shift_right_logical
    return lax.convert_element_type(shift(prod, _const(prod, bits)), dtype)
  # No wider type (64-bit types need x64): schoolbook multiplication of halves.
  unsigned = np.dtype(f"u{dtype.itemsize}")
  half = bits // 2
  xu, yu = lax.convert_element_type(x, unsigned), lax.convert_element_type(y, unsigned)
  low_mask, shift = _const(xu, (1 << half) - 1), _const(xu, half)
  lo = lambda v: lax.bitwise_and(v, low_mask)
  hi = lambda v: lax.shift_right_logical(v, shift)
  ll, lh = lax.mul(lo(xu), lo(yu)), lax.mul(lo(xu), hi(yu))
  hl, hh = lax.mul(hi(xu), lo(yu)), lax.mul(hi(xu), hi(yu))
  middle = lax.add(lax.add(lo(lh), lo(hl)), hi(ll))       # carries into the high word
  high = lax.add(hh, lax.add(hi(lh), lax.add(hi(hl), hi(middle))))
  high = lax.convert_element_type(high, dtype)
  if signed:
    # Two's complement: signed high = unsigned high - (x < 0 ? y : 0) - (y < 0 ? x : 0).
    sign = lambda v: lax.shift_right_arithmetic(v, _const(v, bits - 1))     # 0 or -1
    high = lax.add(high, lax.add(lax.mul(sign(x), y), lax.mul(sign(y), x)))
  return high


# Integer-valued: no derivative (JAX's rule is zero).
mulhi_p = naryop("mulhi", [_int, _int],
                 broadcast_lowering(mlir.lower_fun(_high_half, multiple_results=False)))
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
