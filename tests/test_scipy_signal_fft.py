"""jaxlite.scipy.signal, fft, integrate, cluster.vq and ndimage vs JAX 0.10.2 (same
run) and SciPy; `import jax.scipy.<module>` under the switch."""
import subprocess
import sys

import numpy as np
import pytest

import jaxlite
from jaxlite.scipy import cluster, fft as lfft, integrate, ndimage, signal as lsig

jax = pytest.importorskip("jax")
ss = pytest.importorskip("scipy.signal")
import jax.scipy.fft as jfft  # noqa: E402
import jax.scipy.ndimage as jnd  # noqa: E402
import jax.scipy.signal as jsig  # noqa: E402
import scipy.fft as sfft  # noqa: E402
import scipy.ndimage as snd  # noqa: E402
from scipy.cluster import vq as svq  # noqa: E402

r = np.random.RandomState(5)
a, b = r.randn(7).astype(np.float32), r.randn(3).astype(np.float32)
A, B = r.randn(5, 6).astype(np.float32), r.randn(2, 3).astype(np.float32)
AC = (A + 1j * r.randn(5, 6)).astype(np.complex64)


def close(x, y, atol=2e-5, rtol=1e-5):
  x, y = np.asarray(x), np.asarray(y)
  assert x.shape == y.shape, (x.shape, y.shape)
  np.testing.assert_allclose(x, y, atol=atol, rtol=rtol)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolutions(mode):
  for x, y in ((a, b), (b, a)):
    for fn in ("convolve", "correlate"):
      got = getattr(lsig, fn)(x, y, mode)
      close(got, getattr(jsig, fn)(x, y, mode))
      close(got, getattr(ss, fn)(x, y, mode))
    close(lsig.fftconvolve(x, y, mode), ss.fftconvolve(x, y, mode), atol=1e-5)
    close(lsig.convolve(x, y, mode, method="fft"), jsig.convolve(x, y, mode, method="fft"))
  for x, y in ((A, B), (B, A), (AC, B), (B, AC), (A, A)):
    for fn in ("convolve2d", "correlate2d"):
      got = getattr(lsig, fn)(x, y, mode)
      close(got, getattr(ss, fn)(x, y, mode), atol=1e-5)
      close(got, getattr(jsig, fn)(x, y, mode), atol=1e-5)
  batched = r.randn(2, 6, 4).astype(np.float32), r.randn(2, 3, 4).astype(np.float32)
  close(lsig.fftconvolve(*batched, mode, axes=1), jsig.fftconvolve(*batched, mode, axes=1),
        atol=1e-5)


def test_signal_errors_and_detrend():
  with pytest.raises(ValueError, match="mode must be one of"):
    lsig.convolve(a, b, "bad")
  with pytest.raises(NotImplementedError, match="boundary='fill'"):
    lsig.convolve2d(A, B, boundary="wrap")
  with pytest.raises(ValueError, match="One input must be smaller"):
    lsig.convolve(A, r.randn(6, 2))
  d = r.randn(3, 20).astype(np.float32)
  for kw in ({}, {"bp": [5, 12]}, {"type": "constant", "axis": 0}):
    close(lsig.detrend(d, **kw), ss.detrend(d, **kw), atol=1e-5)
    close(lsig.detrend(d, **kw), jsig.detrend(d, **kw), atol=1e-5)
  close(jaxlite.jit(lsig.detrend)(d), ss.detrend(d), atol=1e-5)


@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct(norm):
  x = r.randn(3, 5).astype(np.float32)
  for n in (None, 4, 7):
    for fn in ("dct", "idct"):
      got = getattr(lfft, fn)(x, n=n, norm=norm)
      close(got, getattr(sfft, fn)(x, n=n, norm=norm), atol=1e-5)
      close(got, getattr(jfft, fn)(x, n=n, norm=norm), atol=1e-5)
      assert got.dtype == getattr(jfft, fn)(x, n=n, norm=norm).dtype
  for fn in ("dctn", "idctn"):
    close(getattr(lfft, fn)(x, norm=norm), getattr(sfft, fn)(x, norm=norm), atol=1e-5)
    close(getattr(lfft, fn)(x, s=(4, 6), norm=norm),
          getattr(jfft, fn)(x, s=(4, 6), norm=norm), atol=1e-5)
  close(lfft.dct(AC, axis=0, norm=norm), sfft.dct(AC, axis=0, norm=norm), atol=1e-5)
  close(lfft.idct(lfft.dct(x, norm=norm), norm=norm), x, atol=1e-5)
  with pytest.raises(NotImplementedError, match="type 2"):
    lfft.dct(x, type=3)


def test_integrate_vq_map_coordinates():
  y, xs = r.randn(4, 6).astype(np.float32), np.sort(r.rand(6)).astype(np.float32)
  close(integrate.trapezoid(y, xs), jax.scipy.integrate.trapezoid(y, xs))
  close(integrate.trapezoid(y, dx=0.5, axis=0), np.trapezoid(y, dx=0.5, axis=0))
  obs, book = r.randn(8, 3).astype(np.float32), r.randn(4, 3).astype(np.float32)
  code, dist = cluster.vq.vq(obs, book)
  scode, sdist = svq.vq(obs, book)
  np.testing.assert_array_equal(code, scode)
  close(dist, sdist)
  jcode, _ = jax.scipy.cluster.vq.vq(obs, book)
  assert code.dtype == jcode.dtype
  img = np.arange(20.).reshape(4, 5).astype(np.float32)
  coords = [np.array([-0.7, 0.5, 2.2, 3.9, 4.6], np.float32),
            np.array([1.5, -1.2, 3.3, 4.5, 0.1], np.float32)]
  for order in (0, 1):
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
      got = ndimage.map_coordinates(img, coords, order, mode=mode, cval=-1.)
      close(got, jnd.map_coordinates(img, coords, order, mode=mode, cval=-1.))
      # SciPy's 'wrap' is not JAX's (grid-wrap), nor its linear 'constant' near the edges.
      if mode in ("nearest", "mirror", "reflect") or (mode, order) == ("constant", 0):
        close(got, snd.map_coordinates(img, coords, order=order, mode=mode, cval=-1.),
              atol=1e-4)
  ints = np.arange(12).reshape(3, 4)
  close(ndimage.map_coordinates(ints, [np.array([0.5]), np.array([0.5])], 1),
        jnd.map_coordinates(ints, [np.array([0.5]), np.array([0.5])], 1))


def test_modules_under_the_switch():
  code = ("import jaxlite; jaxlite.install_as_jax()\n"
          "import jax.scipy.signal, jax.scipy.fft, jax.scipy.integrate, jax.scipy.ndimage\n"
          "import jax.scipy.cluster.vq, jax.scipy.linalg, jax.scipy.interpolate\n"
          "print(jax.scipy.signal.convolve.__module__, jax.scipy.linalg.sqrtm.__module__)")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
  assert out.returncode == 0, out.stderr
  assert out.stdout.split() == ["jaxlite.scipy.signal", "jaxlite.scipy.linalg_functions"]


def test_regular_grid_interpolator():
  from jaxlite.scipy.interpolate import RegularGridInterpolator
  import jax.scipy.interpolate as jint
  import scipy.interpolate as sint
  g = (np.array([0., 1., 2.5, 4.]), np.array([-1., 0., 2.]))
  v = r.randn(4, 3, 2).astype(np.float32)
  xi = np.array([[0.5, -0.5], [3.9, 1.9], [5., 0.], [0., 0.], [2.5, 2.]], np.float32)
  for method in ("linear", "nearest"):
    got = RegularGridInterpolator(g, v, method=method)(xi)
    close(got, jint.RegularGridInterpolator(g, v, method=method)(xi))
    close(got, sint.RegularGridInterpolator(g, v, method=method, bounds_error=False)(xi))
  f = RegularGridInterpolator(g, v, fill_value=None)
  close(jaxlite.jit(lambda f, x: f(x))(f, xi),
        jint.RegularGridInterpolator(g, v, fill_value=None)(xi), atol=1e-5)
  close(f((xi[:, 0], xi[:, 1])), f(xi))
  with pytest.raises(ValueError, match="method 'cubic' is not defined"):
    RegularGridInterpolator(g, v, method="cubic")


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.slow   # 20-33 s; the default suite stays under 20 minutes
def test_spectral_estimates():
  x = r.randn(2, 50).astype(np.float32)
  y = r.randn(2, 50).astype(np.float32)
  for kw in (dict(nperseg=16), dict(nperseg=16, noverlap=4, nfft=20, scaling='spectrum'),
             dict(nperseg=10, average='median', detrend='linear'),
             dict(nperseg=16, window='hamming')):
    f, p = lsig.welch(x, **kw)
    fj, pj = jsig.welch(x, **kw)
    close(f, fj)
    close(p, pj, atol=1e-5)
    close(p, ss.welch(x, **kw)[1], atol=1e-5)
    f, p = lsig.csd(x, y, **kw)
    close(p, jsig.csd(x, y, **kw)[1], atol=1e-5)
    close(p, ss.csd(x, y, **kw)[1], atol=1e-5)
    assert p.dtype == jsig.csd(x, y, **kw)[1].dtype
  for kw in (dict(nperseg=16), dict(nperseg=8, boundary='even', padded=False),
             dict(nperseg=8, boundary=None, return_onesided=False),
             dict(nperseg=8, boundary='odd', detrend='constant')):
    got, want = lsig.stft(x, **kw), jsig.stft(x, **kw)
    for g, w in zip(got, want):
      close(g, w, atol=1e-5)
    close(got[2], ss.stft(x, **kw)[2], atol=1e-5)
  close(lsig.welch(x.T, nperseg=16, axis=0)[1], jsig.welch(x.T, nperseg=16, axis=0)[1],
        atol=1e-5)
  with pytest.raises(ValueError, match="noverlap must be less than nperseg"):
    lsig.welch(x, nperseg=8, noverlap=8)


def test_istft_round_trip():
  x = r.randn(2, 50).astype(np.float32)
  for kw in (dict(nperseg=16), dict(nperseg=8, noverlap=6), dict(nperseg=8, window='hamming')):
    z = np.asarray(jsig.stft(x, **kw)[2])
    got, want = lsig.istft(z, **kw), jsig.istft(z, **kw)
    for g, w in zip(got, want):
      close(g, w, atol=1e-5)
    close(got[1][..., :50], x, atol=1e-5)
  zt = np.moveaxis(np.asarray(jsig.stft(x, nperseg=16)[2]), 0, -1)
  got = lsig.istft(zt, nperseg=16, time_axis=1, freq_axis=0)
  want = jsig.istft(zt, nperseg=16, time_axis=1, freq_axis=0)
  close(got[1], want[1], atol=1e-5)
  with pytest.raises(ValueError, match="differing time and frequency"):
    lsig.istft(zt, time_axis=0, freq_axis=0)
