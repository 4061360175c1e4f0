"""Fast Fourier transforms: ``fft_p`` (``lax.fft``), lowered to ``stablehlo.fft``.

The transform acts on the trailing ``len(fft_lengths)`` (at most 3) axes;
leading axes are batch axes. All four kinds are linear, so the JVP applies the
transform to the tangent and the transpose rules are transforms again (the
real ones with the weights that account for the half spectrum).

(The module is not called ``fft`` so that ``lax.fft`` stays the function.)
"""
from __future__ import annotations

__all__ = ['FftType', 'fft', 'fft_p']

import enum
import math
from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir


class FftType(enum.IntEnum):
  """The kind of transform: complex forward/inverse, real-to-complex and back.

  >>> FftType.RFFT
  <FftType.RFFT: 2>
  """
  FFT = 0
  IFFT = 1
  RFFT = 2
  IRFFT = 3


_HLO_NAMES = {FftType.FFT: "FFT", FftType.IFFT: "IFFT", FftType.RFFT: "RFFT",
              FftType.IRFFT: "IRFFT"}


def _canonical_fft_type(fft_type) -> FftType:
  if isinstance(fft_type, str):
    try:
      return FftType[fft_type.upper()]
    except KeyError:
      pass
  try:
    return FftType(fft_type)
  except ValueError:
    raise ValueError(f"Unknown FFT type '{fft_type}'; expected one of FFT, IFFT, RFFT, "
                     "IRFFT.") from None


def _complex_dtype(dtype):
  return np.result_type(np.dtype(dtype), np.complex64)


def _real_dtype(dtype):
  dtype = np.dtype(dtype)
  return np.finfo(dtype).dtype if dtype.kind == "c" else dtype


def _fft_abstract_eval(x, *, fft_type, fft_lengths):
  k = len(fft_lengths)
  if not 1 <= k <= 3:
    raise ValueError(f"fft supports transforms over 1 to 3 axes, got fft_lengths "
                     f"{fft_lengths}.")
  if x.ndim < k:
    raise ValueError(f"fft: an operand of rank {x.ndim} for fft_lengths {fft_lengths} of "
                     f"length {k}.")
  lengths = tuple(fft_lengths)
  trailing = x.shape[x.ndim - k:]
  if fft_type == FftType.RFFT:
    if x.dtype.kind not in "f" and x.dtype.name != "bfloat16":
      raise TypeError(f"RFFT requires a real operand, got dtype {x.dtype.name}.")
    if trailing != lengths:
      raise ValueError(f"RFFT: the trailing dimensions of the operand {x.shape} must equal "
                       f"fft_lengths {lengths}.")
    shape = x.shape[:-1] + (lengths[-1] // 2 + 1,)
    return ShapedArray(shape, _complex_dtype(x.dtype))
  if x.dtype.kind != "c":
    raise TypeError(f"{fft_type.name} requires a complex operand, got dtype {x.dtype.name}.")
  if fft_type == FftType.IRFFT:
    expected = lengths[:-1] + (lengths[-1] // 2 + 1,)
    if trailing != expected:
      raise ValueError(f"IRFFT: the trailing dimensions of the operand {x.shape} must be "
                       f"{expected} for fft_lengths {lengths}.")
    return ShapedArray(x.shape[:-k] + lengths, _real_dtype(x.dtype))
  if trailing != lengths:
    raise ValueError(f"{fft_type.name}: the trailing dimensions of the operand {x.shape} "
                     f"must equal fft_lengths {lengths}.")
  return ShapedArray(x.shape, x.dtype)


fft_p = core.Primitive("fft")
fft_p.def_abstract_eval(_fft_abstract_eval)


def _fft_lowering(ctx, x, *, fft_type, fft_lengths):
  hlo = mlir.hlo()
  aval_out = ctx.avals_out[0]
  if 0 in ctx.avals_in[0].shape or 0 in aval_out.shape:
    return mlir.full_like_aval(0, aval_out)
  return hlo.fft(x, hlo.FftTypeAttr.get(_HLO_NAMES[fft_type]), list(fft_lengths),
                 results=[mlir.aval_to_ir_type(aval_out)])


def _rfft_transpose(ct, fft_lengths):
  # RFFT = (keep the first n//2+1 outputs) o FFT o (real -> complex): its
  # transpose is Re o FFT o (zero-pad to n), FFT being symmetric.
  from jaxlite import lax
  n = fft_lengths[-1]
  shape = core.get_aval(ct).shape
  pad = [(0, 0, 0)] * (len(shape) - 1) + [(0, n - shape[-1], 0)]
  full = lax.pad(ct, lax.full((), 0, core.get_aval(ct).dtype), pad)
  return lax.real(fft_p.bind(full, fft_type=FftType.FFT, fft_lengths=tuple(fft_lengths)))


def _irfft_transpose(ct, fft_lengths):
  # IRFFT reads each non-redundant coefficient once but the spectrum it
  # stands for counts the interior ones twice: RFFT(ct) weighted by
  # (1, 2, ..., 2, 1) / N, conjugated (JAX's convention for complex cotangents).
  from jaxlite import lax
  x = fft_p.bind(ct, fft_type=FftType.RFFT, fft_lengths=tuple(fft_lengths))
  aval = core.get_aval(x)
  m = aval.shape[-1]
  odd = fft_lengths[-1] % 2
  weights = np.full(m, 2.0)
  weights[0] = 1.0
  if not odd:
    weights[-1] = 1.0
  weights = weights / math.prod(fft_lengths)
  w = lax.broadcast_in_dim(np.asarray(weights, aval.dtype), aval.shape, (aval.ndim - 1,))
  return lax.conj(lax.mul(x, w))


def _fft_transpose(ct, x, *, fft_type, fft_lengths):
  if fft_type == FftType.RFFT:
    out = _rfft_transpose(ct, fft_lengths)
  elif fft_type == FftType.IRFFT:
    out = _irfft_transpose(ct, fft_lengths)
  else:   # the DFT matrix is symmetric: FFT and IFFT are their own transposes
    out = fft_p.bind(ct, fft_type=fft_type, fft_lengths=fft_lengths)
  return [out]


def _fft_batch(batched_args, batch_dims, *, fft_type, fft_lengths):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths), 0


mlir.register_lowering(fft_p, _fft_lowering)
ad.deflinear2(fft_p, _fft_transpose)
batching.primitive_batchers[fft_p] = _fft_batch


def fft(x, fft_type: FftType | str, fft_lengths: Sequence[int]):
  """Fourier transform over the trailing ``len(fft_lengths)`` axes of ``x``.

  Args:
    x: the operand: complex for FFT, IFFT and IRFFT; real for RFFT.
    fft_type: ``FftType`` (or its name): FFT, IFFT (scaled by 1/N), RFFT (real
      to the ``n // 2 + 1`` non-negative frequencies), IRFFT (back to real).
    fft_lengths: the transform's lengths (1 to 3 axes).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.fft(np.array([1, 1, 1, 1], np.complex64), lax.FftType.FFT, (4,))
  Array([4.+0.j, 0.+0.j, 0.+0.j, 0.+0.j], dtype=complex64)
  """
  fft_type = _canonical_fft_type(fft_type)
  if isinstance(fft_lengths, int):
    fft_lengths = (fft_lengths,)
  fft_lengths = tuple(int(n) for n in fft_lengths)
  return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths)
