"""Tests for lax.fft (fft_p) and jnp.fft against NumPy, with derivatives
(linear: JVP, transpose) against JAX and batching under vmap."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax

rng = np.random.RandomState(0)
X = rng.randn(3, 4).astype(np.float32)
XC = (rng.randn(3, 4) + 1j * rng.randn(3, 4)).astype(np.complex64)


def close(x, y, atol=1e-5):
  np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=1e-5)


@pytest.mark.parametrize("name,arg,kw", [
    ("fft", XC, {}), ("fft", X, dict(n=6)), ("fft", XC, dict(n=3, axis=0)),
    ("ifft", XC, dict(norm="ortho")), ("ifft", XC, dict(n=5, norm="forward")),
    ("rfft", X, {}), ("rfft", X, dict(n=5, axis=0, norm="ortho")),
    ("irfft", XC, {}), ("irfft", XC, dict(n=5)), ("irfft", XC, dict(n=4, axis=0)),
    ("hfft", XC, {}), ("ihfft", X, {}), ("ihfft", X, dict(n=5, axis=0, norm="ortho")),
    ("ihfft", X, dict(norm="forward")),
    ("fftn", XC, {}), ("fftn", XC, dict(s=(2, 5), axes=(1, 0))), ("ifftn", XC, dict(axes=(0,))),
    ("rfftn", X, dict(norm="forward")), ("irfftn", XC, dict(s=(3, 6), axes=(0, 1))),
    ("fft2", XC, {}), ("ifft2", XC, dict(norm="ortho")), ("rfft2", X, {}),
    ("irfft2", XC, dict(s=(3, 5))),
])
def test_jnp_fft_matches_numpy(name, arg, kw):
  out = getattr(jnp.fft, name)(arg, **kw)
  expected = getattr(np.fft, name)(arg, **kw)
  assert out.shape == expected.shape
  close(out, expected, atol=1e-4)


def test_fftn_more_than_three_axes():
  x = rng.randn(2, 2, 3, 2, 3).astype(np.float32)
  close(jnp.fft.fftn(x), np.fft.fftn(x), atol=1e-4)
  close(jnp.fft.rfftn(x), np.fft.rfftn(x), atol=1e-4)
  close(jnp.fft.irfftn(np.fft.rfftn(x), s=x.shape), x, atol=1e-5)


def test_freqs_and_shifts():
  for n in (4, 5):
    close(jnp.fft.fftfreq(n, 0.5), np.fft.fftfreq(n, 0.5))
    close(jnp.fft.rfftfreq(n), np.fft.rfftfreq(n))
  close(jnp.fft.fftshift(X), np.fft.fftshift(X))
  close(jnp.fft.ifftshift(X, axes=1), np.fft.ifftshift(X, axes=1))
  close(jnp.fft.ifftshift(jnp.fft.fftshift(X)), X)


def test_lax_fft_primitive():
  out = lax.fft(XC, lax.FftType.FFT, (3, 4))
  close(out, np.fft.fft2(XC), atol=1e-4)
  close(lax.fft(X, "rfft", (4,)), np.fft.rfft(X), atol=1e-5)
  assert lax.fft(XC[:, :3], lax.FftType.IRFFT, (4,)).shape == (3, 4)
  text = jaxlite.xla_computation(lambda x: lax.fft(x, "FFT", (4,)))(XC).as_stablehlo_text()
  assert "stablehlo.fft" in text
  with pytest.raises(TypeError, match="RFFT requires a real operand"):
    lax.fft(XC, "RFFT", (4,))
  with pytest.raises(ValueError, match="fft_lengths"):
    lax.fft(XC, "FFT", (5,))
  with pytest.raises(ValueError, match="Unknown FFT type"):
    lax.fft(XC, "dct", (4,))
  with pytest.raises(ValueError, match="Invalid norm"):
    jnp.fft.fft(XC, norm="bogus")
  with pytest.raises(ValueError, match="out of bounds"):
    jnp.fft.fft(XC, axis=2)


def test_jit_and_vmap():
  f = jaxlite.jit(lambda x: jnp.fft.irfft(jnp.fft.rfft(x), n=4))
  close(f(X), X)
  close(jaxlite.vmap(jnp.fft.fft, in_axes=1)(XC), np.fft.fft(XC.T), atol=1e-4)
  close(jaxlite.vmap(jnp.fft.rfft)(X), np.fft.rfft(X), atol=1e-5)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft"])
def test_grads_vs_jax(name):
  jax = pytest.importorskip("jax")
  arg = X if name == "rfft" else XC

  def loss(np_, mod):
    def f(x):
      y = getattr(mod, name)(x)
      return np_.sum(np_.sin(np_.real(y))) + np_.sum(np_.imag(y) ** 2)
    return f
  g1 = jaxlite.jit(jaxlite.grad(loss(jnp, jnp.fft)))(arg)
  g2 = jax.jit(jax.grad(loss(jax.numpy, jax.numpy.fft)))(arg)
  close(g1, g2, atol=1e-4)


@pytest.mark.parametrize("fft_type,lengths,arg", [
    ("FFT", (4,), XC), ("IFFT", (3, 4), XC), ("RFFT", (4,), X), ("IRFFT", (6,), XC)])
def test_linear_transpose_vs_jax(fft_type, lengths, arg):
  jax = pytest.importorskip("jax")
  arg = arg[:, :4] if fft_type != "IRFFT" else arg
  f1 = lambda x: lax.fft(x, fft_type, lengths)
  f2 = lambda x: jax.lax.fft(x, getattr(jax.lax.FftType, fft_type), lengths)
  out_shape = np.asarray(f1(arg)).shape
  out_dtype = np.asarray(f1(arg)).dtype
  ct = (rng.randn(*out_shape) + (1j * rng.randn(*out_shape) if out_dtype.kind == "c"
                                 else 0)).astype(out_dtype)
  (t1,) = jaxlite.linear_transpose(f1, arg)(ct)
  (t2,) = jax.linear_transpose(f2, arg)(ct)
  close(t1, t2, atol=1e-4)
