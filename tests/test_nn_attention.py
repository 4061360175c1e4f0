"""jax.nn.dot_product_attention (JAX's XLA implementation), standardize's
algorithm= and the initializers' out_sharding=, against the installed JAX
0.10.2: values, gradients, masks, grouped-query heads and errors."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import nn

jax = pytest.importorskip("jax")

RNG = np.random.default_rng(0)
B, T, S, N, K, H = 2, 5, 6, 4, 2, 3
Q = RNG.normal(size=(B, T, N, H)).astype(np.float32)
KEY = RNG.normal(size=(B, S, K, H)).astype(np.float32)
VALUE = RNG.normal(size=(B, S, K, H)).astype(np.float32)
BIAS = RNG.normal(size=(1, N, T, S)).astype(np.float32)
MASK = RNG.random((B, 1, T, S)) > 0.3


def _close(ours, theirs, tol=2e-6):
  ours, theirs = np.asarray(ours), np.asarray(theirs)
  assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
  np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


OPTIONS = {
    "plain": {},
    "bias_mask": {"bias": BIAS, "mask": MASK},
    "causal": {"is_causal": True},
    "lengths": {"query_seq_lengths": np.array([5, 3], np.int32),
                "key_value_seq_lengths": np.array([6, 2], np.int32)},
    "window": {"local_window_size": (2, 1)},
    "window_int_scale": {"local_window_size": 1, "scale": 0.3},
    "everything": {"bias": BIAS, "mask": MASK, "is_causal": True, "scale": 0.7,
                   "query_seq_lengths": np.array([4, 5], np.int32),
                   "key_value_seq_lengths": np.array([3, 6], np.int32),
                   "local_window_size": (3, 0), "implementation": "xla"},
}


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_values_and_residual_match_jax(name):
  kw = OPTIONS[name]
  _close(nn.dot_product_attention(Q, KEY, VALUE, **kw),
         jax.nn.dot_product_attention(Q, KEY, VALUE, **kw))
  ours = nn.dot_product_attention(Q, KEY, VALUE, return_residual=True, **kw)
  theirs = jax.nn.dot_product_attention(Q, KEY, VALUE, return_residual=True, **kw)
  _close(ours[0], theirs[0])
  _close(ours[1], theirs[1], 1e-5)


@pytest.mark.parametrize("name", ["plain", "bias_mask", "everything"])
def test_gradients_match_jax(name):
  kw = dict(OPTIONS[name])
  bias = kw.pop("bias", None)

  def loss(lib):
    def f(q, k, v, b):
      out = lib.nn.dot_product_attention(q, k, v, b, **kw)
      return (out * out).sum()
    return f
  bias = BIAS if bias is None else bias
  ours = jaxlite.grad(loss(jaxlite), argnums=(0, 1, 2, 3))(Q, KEY, VALUE, bias)
  theirs = jax.grad(loss(jax), argnums=(0, 1, 2, 3))(Q, KEY, VALUE, bias)
  for a, b in zip(ours, theirs):
    _close(a, b, 2e-5)


def test_three_dimensional_inputs_jit_and_vmap():
  q, k, v = Q[0], KEY[0, :, :1], VALUE[0, :, :1]   # multi-query attention, no batch
  _close(jaxlite.jit(nn.dot_product_attention)(q, k, v),
         jax.jit(jax.nn.dot_product_attention)(q, k, v))
  _close(jaxlite.vmap(nn.dot_product_attention)(Q, KEY, VALUE),
         jax.vmap(jax.nn.dot_product_attention)(Q, KEY, VALUE))


def test_bfloat16_inputs_match_jax():
  q, k, v = (x.astype(jnp.bfloat16) for x in (Q, KEY, VALUE))
  ours = nn.dot_product_attention(q, k, v, is_causal=True)
  theirs = jax.nn.dot_product_attention(q, k, v, is_causal=True)
  assert ours.dtype == theirs.dtype
  np.testing.assert_allclose(np.asarray(ours, np.float32), np.asarray(theirs, np.float32),
                             atol=1e-2)


@pytest.mark.parametrize("call, error, message", [
    (lambda lib: lib.nn.dot_product_attention(Q, KEY, VALUE[..., :2]), ValueError,
     "value shape should be"),
    (lambda lib: lib.nn.dot_product_attention(Q, KEY, VALUE, mask=MASK.astype(np.int32)),
     ValueError, "mask dtype should be bool"),
    (lambda lib: lib.nn.dot_product_attention(Q[:, :, :3], KEY, VALUE), ValueError,
     "multiple of key/value heads"),
    (lambda lib: lib.nn.dot_product_attention(Q, KEY, VALUE, implementation="flash"),
     ValueError, "Unsupported implementation option"),
    (lambda lib: lib.nn.dot_product_attention(
        Q, KEY, VALUE, query_seq_lengths=np.array([1, 2], np.float32)), ValueError,
     "query_seq_lengths dtype should be int32"),
])
def test_errors_match_jax(call, error, message):
  for lib in (jaxlite, jax):
    with pytest.raises(error, match=message):
      call(lib)


@pytest.mark.skipif(jaxlite.default_backend() == "gpu", reason="cuDNN may be present")
def test_cudnn_off_gpu_raises_as_jax():
  for lib in (jaxlite, jax):
    with pytest.raises(RuntimeError, match="cuDNN is not detected"):
      lib.nn.dot_product_attention(Q, KEY, VALUE, implementation="cudnn")


@pytest.mark.parametrize("algorithm", ["fast", "stable"])
def test_standardize_algorithm(algorithm):
  x = RNG.normal(size=(3, 4)).astype(np.float32) * 100 + 1000
  _close(nn.standardize(x, algorithm=algorithm), jax.nn.standardize(x, algorithm=algorithm),
         1e-3)
  for lib in (jaxlite, jax):
    with pytest.raises(ValueError, match="Unknown algorithm 'slow'"):
      lib.nn.standardize(x, algorithm="slow")


def test_initializer_out_sharding():
  from jaxlite.sharding import NamedSharding, PartitionSpec as P
  mesh = jaxlite.make_mesh((1,), ("x",))
  sharding = NamedSharding(mesh, P("x"))
  for init in (nn.initializers.zeros, nn.initializers.ones):
    out = init(None, (2, 3), jnp.float32, out_sharding=sharding)
    assert out.sharding.spec[0] == "x" and out.shape == (2, 3)
    _close(init(None, (2,), jnp.float32, None), np.full(2, float(init is nn.initializers.ones),
                                                        np.float32))


# --- block-scaled products --------------------------------------------------------------


def test_scaled_matmul_is_its_defining_formula():
  a = RNG.normal(size=(2, 3, 64)).astype(np.float32)
  b = RNG.normal(size=(2, 4, 64)).astype(np.float32)
  sa = RNG.random((2, 3, 2)).astype(np.float32)
  sb = RNG.random((2, 4, 2)).astype(np.float32)
  expected = np.einsum("bmk,bnk->bmn", a * np.repeat(sa, 32, -1), b * np.repeat(sb, 32, -1))
  _close(nn.scaled_matmul(a, b, sa, sb), expected.astype(np.float32), 1e-4)
  for lib in (jaxlite, jax):
    with pytest.raises(ValueError, match="3-dimensional"):
      lib.nn.scaled_matmul(a[0], b, sa, sb)


@pytest.mark.parametrize("mode", ["mxfp8", "nvfp4"])
def test_scaled_dot_general_quantizes_as_jax(mode):
  from jax._src.cudnn.scaled_matmul_stablehlo import quantize
  lhs = RNG.normal(size=(2, 16, 64)).astype(np.float32)
  rhs = RNG.normal(size=(2, 8, 64)).astype(np.float32)
  scale = np.array([0.5], np.float32)
  ours_cfg = nn.get_scaled_dot_general_config(mode, scale if mode == "nvfp4" else None)
  theirs_cfg = jax.nn.get_scaled_dot_general_config(
      mode, jax.numpy.asarray(scale) if mode == "nvfp4" else None)
  assert (ours_cfg.mode, ours_cfg.block_size, ours_cfg.data_type, ours_cfg.scale_type) == (
      theirs_cfg.mode, theirs_cfg.block_size, theirs_cfg.data_type, theirs_cfg.scale_type)
  # JAX's own quantization, multiplied out (JAX's scaled_matmul has no CPU lowering).
  lq, ls = quantize(jax.numpy.asarray(lhs), theirs_cfg)
  rq, rs = quantize(jax.numpy.asarray(rhs), theirs_cfg)
  blocks = theirs_cfg.block_size
  expected = np.einsum("bmk,bnk->bmn",
                       np.asarray(lq, np.float32) * np.repeat(np.asarray(ls, np.float32), blocks, -1),
                       np.asarray(rq, np.float32) * np.repeat(np.asarray(rs, np.float32), blocks, -1))
  if mode == "nvfp4":
    expected = expected * 0.25
  out = nn.scaled_dot_general(lhs, rhs, (((2,), (2,)), ((0,), (0,))), configs=[ours_cfg] * 3)
  _close(out, expected.astype(np.float32), 1e-5)


def test_scaled_dot_general_without_configs_is_dot_general():
  a, b = RNG.normal(size=(3, 4)).astype(np.float32), RNG.normal(size=(4, 2)).astype(np.float32)
  dn = (((1,), (0,)), ((), ()))
  _close(nn.scaled_dot_general(a, b, dn), jax.nn.scaled_dot_general(a, b, dn), 1e-5)
  for lib in (jaxlite, jax):
    with pytest.raises(ValueError, match="Unsupported mode"):
      lib.nn.get_scaled_dot_general_config("int4")
