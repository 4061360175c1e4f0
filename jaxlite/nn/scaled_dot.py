"""Block-scaled products (``jax.nn.scaled_matmul``, ``scaled_dot_general``,
``get_scaled_dot_general_config``): operands quantized in blocks along the
contracting axis (mxfp8: float8_e4m3fn data with float8_e8m0fnu scales per 32;
nvfp4: float4_e2m1fn data with float8_e4m3fn scales per 16 and a global
scale), multiplied with their scales.

JAX lowers ``scaled_matmul`` only to cuDNN on GPUs (on CPU it has no
lowering); jaxlite computes its defining formula with XLA on any backend:
``einsum('BMK,BNK->BMN', a * repeat(a_scales), b * repeat(b_scales))`` in
float32.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> a = jnp.array([1., 2., 3.]).reshape((1, 1, 3))
  >>> s = jnp.array([0.5]).reshape((1, 1, 1))
  >>> nn.scaled_matmul(a, a, s, s)
  Array([[[3.5]]], dtype=float32)
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from jaxlite import dtypes, lax
import jaxlite.numpy as jnp

__all__ = ["scaled_matmul", "scaled_dot_general", "get_scaled_dot_general_config",
           "BlockScaleConfig"]


@dataclasses.dataclass(slots=True)
class BlockScaleConfig:
  """How one operand of ``scaled_dot_general`` is quantized (JAX's fields)."""
  mode: str
  block_size: int
  data_type: Any
  scale_type: Any
  global_scale: Any
  infer_only: bool


def scaled_matmul(lhs, rhs, lhs_scales, rhs_scales, preferred_element_type=np.float32):
  """Block-scaled ``(B, M, K) x (B, N, K) -> (B, M, N)``: each operand times its
  scales repeated over blocks of ``K // K_scales`` contracting elements.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> a = jnp.array([1, 2, 3]).reshape((1, 1, 3))
  >>> b = jnp.array([4, 5, 6]).reshape((1, 1, 3))
  >>> s = jnp.array([0.5]).reshape((1, 1, 1))
  >>> nn.scaled_matmul(a, b, s, s)
  Array([[[8.]]], dtype=float32)
  """
  a, b, a_scales, b_scales = lhs, rhs, lhs_scales, rhs_scales
  if not all(x.ndim == 3 for x in (a, b, a_scales, b_scales)):
    raise ValueError("scaled_matmul requires all inputs to be 3-dimensional arrays")
  batch_a, m, k_a = a.shape
  batch_b, n, k_b = b.shape
  if k_a != k_b or batch_a != batch_b:
    raise ValueError("scaled_matmul requires inputs a and b to have matching batch (B) and "
                     f"contract (K) dimensions, but got shapes {a.shape} and {b.shape}")
  batch_as, m_s, k_as = a_scales.shape
  batch_bs, n_s, k_bs = b_scales.shape
  if k_as != k_bs or batch_as != batch_bs:
    raise ValueError("scaled_matmul requires scales to have matching batch (B) and contract "
                     f"(K) dimensions, but got shapes {a_scales.shape} and {b_scales.shape}")
  if m_s != m or n_s != n:
    raise ValueError("scaled_matmul requires scales to match non-contract dimensions of "
                     f"inputs, but got shapes a: {a.shape}, b: {b.shape}, a_scales: "
                     f"{a_scales.shape}, b_scales: {b_scales.shape}")
  preferred_element_type = dtypes.check_and_canonicalize_user_dtype(
      preferred_element_type, "scaled_matmul")

  def scaled(x, scales):
    x, scales = jnp.asarray(x, np.float32), jnp.asarray(scales, np.float32)
    return x * jnp.repeat(scales, x.shape[-1] // scales.shape[-1], axis=-1)
  out = jnp.einsum("BMK,BNK->BMN", scaled(a, a_scales), scaled(b, b_scales),
                   preferred_element_type=np.float32)
  return out.astype(preferred_element_type)


def get_scaled_dot_general_config(mode, global_scale=None):
  """The ``BlockScaleConfig`` of ``mode`` ('mxfp8' or 'nvfp4') for
  ``scaled_dot_general``.

  >>> from jaxlite import nn
  >>> nn.get_scaled_dot_general_config('mxfp8').block_size
  32
  """
  if mode == "nvfp4":
    return BlockScaleConfig(
        mode="nvfp4", block_size=16, data_type=dtypes.float4_e2m1fn,
        scale_type=dtypes.float8_e4m3fn,
        global_scale=jnp.ones((1,), np.float32) if global_scale is None else global_scale,
        infer_only=False)
  if mode == "mxfp8":
    return BlockScaleConfig(mode="mxfp8", block_size=32, data_type=dtypes.float8_e4m3fn,
                            scale_type=dtypes.float8_e8m0fnu, global_scale=None,
                            infer_only=False)
  raise ValueError(f"Unsupported mode: {mode}")


def _to_bmk(x, contracting, batch):
  """``x`` transposed and reshaped to (batch, rows, contracting)."""
  order = list(range(x.ndim))
  batch_axes = [d for d in order if d in batch]
  contract_axes = [d for d in order if d in contracting]
  row_axes = [d for d in order if d not in batch and d not in contracting]
  sizes = [int(np.prod([x.shape[d] for d in axes], dtype=int))
           for axes in (batch_axes, row_axes, contract_axes)]
  return jnp.reshape(jnp.transpose(x, batch_axes + row_axes + contract_axes), sizes)


def _e8m0_round_up(x):
  """float32 scales as float8_e8m0fnu exponents, rounded up (JAX's rule)."""
  bits = lax.bitcast_convert_type(jnp.asarray(x, np.float32), np.uint32)
  exponent, mantissa = bits >> 23, bits & 0x7FFFFF
  round_up = ((mantissa > 0) & (exponent != 0xFE)) & ~((exponent == 0) & (mantissa <= 0x400000))
  return jnp.where(round_up, exponent + 1, exponent).astype(np.uint8)


def _e8m0_value(exponents, dtype):
  value = lax.bitcast_convert_type(exponents.astype(np.uint32) << 23, np.float32)
  tiny = 2 ** -15 if dtype == np.float16 else 2 ** -127
  return jnp.where(value == 0, jnp.array(tiny, np.float32), value).astype(dtype)


def _quantize(x, config):
  shape = x.shape
  block = config.block_size
  if shape[-1] < block or shape[-1] % block:
    raise ValueError(f"the contracting dimension {shape[-1]} must be a multiple of the "
                     f"block size {block}")
  x = x.reshape(shape[:-1] + (shape[-1] // block, block))
  largest = np.asarray(dtypes.finfo(config.data_type).max).astype(x.dtype)

  def block_scales(values):
    return jnp.max(jnp.abs(values), axis=-1, keepdims=True) / largest
  if config.mode == "mxfp8":
    scales = _e8m0_round_up(block_scales(x))
    scaled = x / _e8m0_value(scales, x.dtype)
    scales = lax.bitcast_convert_type(scales, config.scale_type)
  elif config.mode == "nvfp4":
    x = x / config.global_scale
    scale_max = np.asarray(dtypes.finfo(config.scale_type).max).astype(x.dtype)
    scales = lax.optimization_barrier(
        jnp.clip(block_scales(x), 0, scale_max).astype(config.scale_type))
    scaled = x / scales.astype(np.float32)
  else:
    raise ValueError(f"Unrecognized mode: {config.mode}.")
  quantized = jnp.clip(scaled, -largest, largest).astype(config.data_type).reshape(shape)
  return quantized, jnp.reshape(scales, scales.shape[:-1])


def scaled_dot_general(lhs, rhs, dimension_numbers, preferred_element_type=np.float32,
                       configs=None, implementation=None):
  """``lax.dot_general`` of block-quantized operands (``configs[0]`` for
  ``lhs``, ``configs[1]`` for ``rhs``); plain ``lax.dot_general`` when
  ``configs`` is None. ``implementation`` is deprecated and ignored, as in JAX.

  Under ``grad`` jaxlite differentiates through the quantization rather than
  using JAX's quantized transposes (``configs[2]``).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> nn.scaled_dot_general(jnp.ones((2, 3)), jnp.ones((3, 2)), (((1,), (0,)), ((), ())))
  Array([[3., 3.],
         [3., 3.]], dtype=float32)
  """
  if implementation is not None:
    import warnings  # pylint: disable=g-import-not-at-top
    warnings.warn("Backend selector, now ignored. The system chooses the backend "
                  "automatically.", DeprecationWarning)
  if configs is None:
    return lax.dot_general(lhs, rhs, dimension_numbers,
                           preferred_element_type=preferred_element_type)
  preferred = dtypes.check_and_canonicalize_user_dtype(preferred_element_type,
                                                       "scaled_dot_impl")
  (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = dimension_numbers
  lhs, rhs = jnp.asarray(lhs), jnp.asarray(rhs)
  lhs_q, lhs_scales = _quantize(_to_bmk(lhs, lhs_contract, lhs_batch), configs[0])
  rhs_q, rhs_scales = _quantize(_to_bmk(rhs, rhs_contract, rhs_batch), configs[1])
  nvfp4 = configs[0].mode == "nvfp4"
  out = scaled_matmul(lhs_q, rhs_q, lhs_scales, rhs_scales,
                      preferred_element_type=np.float32 if nvfp4 else preferred)
  if nvfp4:
    out = (out * (configs[0].global_scale * configs[1].global_scale)).astype(preferred)
  batch = [lhs.shape[d] for d in range(lhs.ndim) if d in lhs_batch]
  lhs_rows = [lhs.shape[d] for d in range(lhs.ndim) if d not in lhs_contract + lhs_batch]
  rhs_rows = [rhs.shape[d] for d in range(rhs.ndim) if d not in rhs_contract + rhs_batch]
  return jnp.reshape(out, tuple(batch + lhs_rows + rhs_rows))
