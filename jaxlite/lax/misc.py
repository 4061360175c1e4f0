"""Miscellaneous primitives: ``reduce_precision``, ``copy_p`` and the stateless
``rng_bit_generator`` (XLA's counter-based generators)."""
from __future__ import annotations

__all__ = ['reduce_precision', 'rng_bit_generator', 'RandomAlgorithm',
           'reduce_precision_p', 'copy_p', 'rng_bit_generator_p']

import enum
import operator

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base


# --- reduce_precision ------------------------------------------------------------------------


def _reduce_precision_dtype_rule(operand, *, exponent_bits, mantissa_bits):
  base.check_dtypes("reduce_precision", {"floating"}, operand)
  return operand.dtype


reduce_precision_p = base.standard_primitive(
    lambda operand, **_: operand.shape, _reduce_precision_dtype_rule, "reduce_precision")
mlir.register_lowering(
    reduce_precision_p,
    lambda ctx, x, *, exponent_bits, mantissa_bits: mlir.hlo().reduce_precision(
        x, mlir.ir().IntegerAttr.get(mlir.ir().IntegerType.get_signless(32), exponent_bits),
        mlir.ir().IntegerAttr.get(mlir.ir().IntegerType.get_signless(32), mantissa_bits)))
# Rounding to a coarser grid is the identity almost everywhere (as in JAX).
ad.deflinear(reduce_precision_p, lambda ct, **params: [reduce_precision_p.bind(ct, **params)])
batching.defvectorized(reduce_precision_p)


def reduce_precision(operand, exponent_bits: int, mantissa_bits: int):
  """Rounds ``operand`` to a float format with the given exponent and mantissa
  bits (keeping its dtype), e.g. (8, 7) emulates bfloat16.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_precision(np.float32(1.1), 8, 2)
  Array(1., dtype=float32)
  """
  try:
    exponent_bits, mantissa_bits = operator.index(exponent_bits), operator.index(mantissa_bits)
  except TypeError:
    raise TypeError("reduce_precision exponent_bits and mantissa_bits must be integers, got "
                    f"{exponent_bits!r} and {mantissa_bits!r}") from None
  if exponent_bits < 1 or mantissa_bits < 0:
    raise ValueError("reduce_precision requires exponent_bits >= 1 and mantissa_bits >= 0, "
                     f"got {exponent_bits} and {mantissa_bits}")
  return reduce_precision_p.bind(operand, exponent_bits=exponent_bits,
                                 mantissa_bits=mantissa_bits)


# --- copy ---------------------------------------------------------------------------------------

copy_p = base.standard_primitive(lambda x: x.shape, lambda x: x.dtype, "copy",
                                 weak_type_rule=lambda x: x.weak_type)
# Every XLA result is a fresh buffer, so returning the operand is a copy.
mlir.register_lowering(copy_p, lambda ctx, x: x)
ad.deflinear(copy_p, lambda ct: [copy_p.bind(ct)])
batching.defvectorized(copy_p)


# --- rng_bit_generator --------------------------------------------------------------------------


class RandomAlgorithm(enum.IntEnum):
  """XLA's bit generators for ``rng_bit_generator``.

  >>> from jaxlite import lax
  >>> lax.RandomAlgorithm.RNG_THREE_FRY
  <RandomAlgorithm.RNG_THREE_FRY: 1>
  """
  RNG_DEFAULT = 0
  RNG_THREE_FRY = 1
  RNG_PHILOX = 2

  def __str__(self):
    return self.name


_ALGORITHM_NAMES = {RandomAlgorithm.RNG_DEFAULT: "DEFAULT",
                    RandomAlgorithm.RNG_THREE_FRY: "THREE_FRY",
                    RandomAlgorithm.RNG_PHILOX: "PHILOX"}
_BITS_DTYPES = {np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64)}


def _rng_bit_generator_abstract_eval(key, *, shape, dtype, algorithm):
  if key.shape != (4,) or key.dtype != np.uint32:
    raise TypeError("rng_bit_generator: key must be uint32[4], got "
                    f"{key.str_short(short_dtypes=False)}")
  if np.dtype(dtype) not in _BITS_DTYPES:
    raise TypeError("rng_bit_generator: dtype must be one of uint8, uint16, uint32, uint64, "
                    f"got {np.dtype(dtype).name}")
  return [ShapedArray(key.shape, key.dtype), ShapedArray(shape, np.dtype(dtype))]


rng_bit_generator_p = core.Primitive("rng_bit_generator")
rng_bit_generator_p.multiple_results = True
rng_bit_generator_p.def_abstract_eval(_rng_bit_generator_abstract_eval)


def _rng_bit_generator_lowering(ctx, key, *, shape, dtype, algorithm):
  # XLA's generators keep their state as u64[2]: view the u32[4] key that way.
  hlo = mlir.hlo()
  u64 = np.dtype(np.uint64)
  u32 = np.dtype(np.uint32)
  state = hlo.reshape(mlir.aval_to_ir_type(ShapedArray((2, 2), u32)), key)
  state = hlo.bitcast_convert(mlir.aval_to_ir_type(ShapedArray((2,), u64)), state)
  dtype = np.dtype(dtype)
  gen_dtype = u32 if dtype.itemsize < 4 else dtype
  op = hlo.RngBitGeneratorOp(
      mlir.aval_to_ir_type(ShapedArray((2,), u64)),
      mlir.aval_to_ir_type(ShapedArray(shape, gen_dtype)),
      hlo.RngAlgorithmAttr.get(_ALGORITHM_NAMES[RandomAlgorithm(algorithm)]), state)
  new_state, bits = op.results
  new_key = hlo.bitcast_convert(mlir.aval_to_ir_type(ShapedArray((2, 2), u32)), new_state)
  new_key = hlo.reshape(mlir.aval_to_ir_type(ShapedArray((4,), u32)), new_key)
  if gen_dtype != dtype:
    bits = mlir.convert(bits, ShapedArray(shape, dtype))
  return [new_key, bits]


mlir.register_lowering(rng_bit_generator_p, _rng_bit_generator_lowering)
ad.defjvp_zero(rng_bit_generator_p)


def _rng_bit_generator_batch(batched_args, batch_dims, *, shape, dtype, algorithm):
  # As JAX 0.10.2: the first key draws the bits of every example at once, and
  # only its row of the keys advances (so batched keys give JAX's numbers).
  from jaxlite import lax
  (keys,), (d,) = batched_args, batch_dims
  keys = batching.moveaxis(keys, d, 0)
  size = core.get_aval(keys).shape[0]
  first = lax.reshape(lax.slice_in_dim(keys, 0, 1, axis=0), (4,))
  new_key, bits = rng_bit_generator_p.bind(first, shape=(size, *shape), dtype=dtype,
                                           algorithm=algorithm)
  new_keys = lax.concatenate([lax.expand_dims(new_key, (0,)),
                              lax.slice_in_dim(keys, 1, size, axis=0)], 0)
  return [new_keys, bits], [0, 0]


batching.primitive_batchers[rng_bit_generator_p] = _rng_bit_generator_batch


def rng_bit_generator(key, shape, dtype=np.uint32,
                      algorithm: RandomAlgorithm = RandomAlgorithm.RNG_DEFAULT, *,
                      out_sharding=None):
  """Stateless random bits: returns ``(new_key, bits)`` for a uint32[4] ``key``.

  The bits depend on the backend's implementation of ``algorithm``; the same
  key always gives the same bits.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> new_key, bits = lax.rng_bit_generator(np.zeros(4, np.uint32), (2,))
  >>> bits.shape, bits.dtype
  ((2,), dtype('uint32'))
  """
  shape = tuple(operator.index(d) for d in shape)
  dtype = dtypes.canonicalize_dtype(dtypes.dtype(dtype))
  return tuple(rng_bit_generator_p.bind(key, shape=shape, dtype=dtype,
                                        algorithm=RandomAlgorithm(algorithm)))
