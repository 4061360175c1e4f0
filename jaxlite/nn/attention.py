"""``jax.nn.dot_product_attention``: scaled dot-product attention, JAX's XLA
implementation (logits in float32 or wider, masks as a large negative
number, softmax in float32, grouped-query heads by ``vmap`` over groups).

Shapes, as in JAX: ``B`` batch, ``T`` query length, ``S`` key/value length,
``N`` query heads, ``K`` key/value heads (``N % K == 0``), ``H`` head size.

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> q = jnp.ones((1, 2, 1, 4))
  >>> nn.dot_product_attention(q, q, q).shape
  (1, 2, 1, 4)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
import jaxlite.numpy as jnp

__all__ = ["dot_product_attention"]


def _large_negative(dtype):
  """The masked-out logit: -0.7 of the dtype's largest value, capped at float32's
  (the softmax runs in float32, where it must stay finite)."""
  largest = min(float(dtypes.finfo(dtype).max), float(dtypes.finfo(np.float32).max))
  return jnp.asarray(-0.7 * largest, dtype=dtype)


def _window_mask(t, s, window):
  left, right = window
  query_pos = jnp.arange(t)[:, None]
  key_pos = jnp.arange(s)[None, :]
  inside = jnp.logical_and(query_pos >= key_pos - right, query_pos <= key_pos + left)
  return inside[None, None]


def _padding_mask(t, s, q_lengths, kv_lengths):
  mask = True
  if q_lengths is not None:
    mask = jnp.arange(t)[None, :, None] < q_lengths[:, None, None]
  if kv_lengths is not None:
    mask = jnp.logical_and(mask, jnp.arange(s)[None, None, :] < kv_lengths[:, None, None])
  return mask[:, None]


def _masked(logits, mask, is_causal, q_lengths, kv_lengths, window):
  """``logits`` (B N T S) with every masked-out entry set to a large negative."""
  if mask is None and not is_causal and q_lengths is None and kv_lengths is None \
      and window is None:
    return logits
  keep = jnp.ones_like(logits, dtype=bool)
  t, s = logits.shape[2], logits.shape[3]
  if mask is not None:
    keep = jnp.logical_and(keep, mask)
  if is_causal:
    keep = jnp.logical_and(keep, jnp.tril(jnp.ones((t, s), dtype=bool))[None, None])
  if window is not None:
    keep = jnp.logical_and(keep, _window_mask(t, s, window))
  if q_lengths is not None or kv_lengths is not None:
    keep = jnp.logical_and(keep, _padding_mask(t, s, q_lengths, kv_lengths))
  return jnp.where(keep, logits, _large_negative(logits.dtype))


def _attend(query, key, value, bias, mask, is_causal, scale, q_lengths, kv_lengths, window,
            return_residual):
  """Attention of one head group: query (B T N H), key/value (B S N H)."""
  from jaxlite.nn.functions import softmax  # pylint: disable=g-import-not-at-top
  from jaxlite.scipy.special import logsumexp  # pylint: disable=g-import-not-at-top
  logits_dtype = jnp.promote_types(query.dtype, np.float32)
  logits = jnp.einsum("BTNH,BSNH->BNTS", query, key, preferred_element_type=logits_dtype)
  logits = logits * jnp.array(scale, dtype=logits.dtype)
  if bias is not None:
    logits = (logits + bias).astype(logits.dtype)
  logits = _masked(logits, mask, is_causal, q_lengths, kv_lengths, window)
  logits = logits.astype(np.float32)   # the softmax always runs in float32
  probs = softmax(logits, axis=-1).astype(key.dtype)
  encoded = jnp.einsum("BNTS,BSNH->BTNH", probs, value)
  if q_lengths is not None:
    valid = jnp.arange(encoded.shape[1])[None, :] < q_lengths[:, None]
    encoded = encoded * valid[:, :, None, None].astype(encoded.dtype)
  if return_residual:
    residual = logsumexp(logits, axis=-1).astype(key.dtype)
    return encoded, lax.stop_gradient(jnp.transpose(residual, (0, 2, 1)))
  return encoded


def _attention_xla(query, key, value, bias, mask, is_causal, scale, q_lengths, kv_lengths,
                   window, return_residual):
  """Grouped-query attention: the N query heads as K groups of G = N // K,
  each group attending to its key/value head (``vmap`` over the groups)."""
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  b, t, n, h = query.shape
  k = key.shape[2]
  groups = n // k
  query = jnp.reshape(query, (b, t, k, groups, h))

  def grouped(x):
    if x is None:
      return None
    xb, xn, xt, xs = x.shape
    if xn == 1:
      return jnp.broadcast_to(x[:, :, None], (xb, xn, groups, xt, xs))
    return jnp.reshape(x, (xb, k, groups, xt, xs))
  per_group = vmap(_attend, in_axes=(3, None, None, 2, 2) + (None,) * 6, out_axes=3)
  out = per_group(query, key, value, grouped(bias), grouped(mask), is_causal, scale,
                  q_lengths, kv_lengths, window, return_residual)
  if return_residual:
    encoded, residual = out
    return jnp.reshape(encoded, (b, t, n, h)), jnp.reshape(residual, (b, t, n))
  return jnp.reshape(out, (b, t, n, h))


def _check(x, shape, dtype, name):
  if x is None:
    return
  if x.ndim != len(shape):
    raise ValueError(f"{name} ndim should be {len(shape)}, but got {x.ndim}")
  if dtype is not None and x.dtype != dtype:
    raise ValueError(f"{name} dtype should be {dtype}, but got {x.dtype}")
  for actual, expected in zip(x.shape, shape):
    if expected != -1 and actual != expected:
      raise ValueError(f"{name} shape should be {list(shape)}: but got {x.shape}")


def _four_dims(x):
  x = jnp.asarray(x)
  return jnp.expand_dims(x, tuple(range(4 - x.ndim))) if x.ndim < 4 else x


def _cudnn_available():
  from jaxlite.runtime.backend import default_backend  # pylint: disable=g-import-not-at-top
  return default_backend() in ("gpu", "cuda")


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal: bool = False, query_seq_lengths=None,
                          key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual: bool = False):
  r"""Scaled dot-product attention, ``softmax(Q K^T * scale + bias) V`` per head.

  Args:
    query: ``(B, T, N, H)`` or ``(T, N, H)``.
    key, value: ``(B, S, K, H)`` or ``(S, K, H)``; ``N`` must be a multiple of
      ``K`` (grouped-query attention; ``K == 1`` is multi-query attention).
    bias: added to the logits; 4-D, broadcastable to ``(B, N, T, S)``.
    mask: boolean, ``True`` where a logit takes part; 4-D, broadcastable to
      ``(B, N, T, S)``.
    scale: the logits' scale; ``1 / sqrt(H)`` by default.
    is_causal: mask out keys after each query position.
    query_seq_lengths, key_value_seq_lengths: int32 ``(B,)`` valid lengths.
    local_window_size: ``(left, right)`` (or one int for both): each query
      attends to keys within that window only.
    implementation: ``None`` or ``'xla'`` (this function's XLA computation), or
      ``'cudnn'``: JAX's cuDNN fused attention, which needs a GPU (raises
      ``RuntimeError`` elsewhere, as JAX does); jaxlite computes it with the
      same XLA program on a GPU.
    return_residual: also return the logsumexp of the logits, ``(B, T, N)``.

  Returns:
    An array shaped like ``query`` (and the residual if asked).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import nn
  >>> q = jnp.array([[[1.0, 0.0]], [[0.0, 1.0]]])        # (T=2, N=1, H=2)
  >>> nn.dot_product_attention(q, q, q, is_causal=True)
  Array([[[1.        , 0.        ]],
  <BLANKLINE>
         [[0.33023846, 0.66976154]]], dtype=float32)
  """
  output_shape = jnp.asarray(query).shape
  query, key, value = _four_dims(query), _four_dims(key), _four_dims(value)
  bias = None if bias is None else _four_dims(bias)
  mask = None if mask is None else _four_dims(mask)
  if query_seq_lengths is not None:
    query_seq_lengths = jnp.asarray(query_seq_lengths)
  if key_value_seq_lengths is not None:
    key_value_seq_lengths = jnp.asarray(key_value_seq_lengths)
  if isinstance(local_window_size, int):
    local_window_size = (local_window_size, local_window_size)
  b, s, k, h = key.shape
  _check(value, [b, s, k, h], key.dtype, "value")
  _check(query, [b, -1, -1, h], key.dtype, "query")
  _check(mask, [-1] * 4, np.dtype(bool), "mask")
  _check(bias, [-1] * 4, None, "bias")
  _check(query_seq_lengths, [b], np.dtype("int32"), "query_seq_lengths")
  _check(key_value_seq_lengths, [b], np.dtype("int32"), "key_value_seq_lengths")
  if query.shape[-2] % k != 0:
    raise ValueError(f"The number of query heads must be a multiple of key/value heads, "
                     f"but got {query.shape[-2]} vs {k}")
  scale = (1.0 / np.sqrt(h)) if scale is None else scale
  if implementation == "cudnn":
    if not _cudnn_available():
      raise RuntimeError("cuDNN is not detected.")
  elif implementation not in (None, "xla"):
    raise ValueError(f"Unsupported implementation option: {implementation}")
  out = _attention_xla(query, key, value, bias, mask, is_causal, scale, query_seq_lengths,
                       key_value_seq_lengths, local_window_size, return_residual)
  if return_residual:
    out, residual = out
    return jnp.reshape(out, output_shape), jnp.reshape(residual, output_shape[:-1])
  return jnp.reshape(out, output_shape)
