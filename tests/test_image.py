"""jax.image: resize and scale_and_translate, values and gradients against JAX 0.10.2."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as lnp
from jaxlite import image as limage

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
from jax import image as jimage  # noqa: E402

METHODS = ["nearest", "linear", "cubic", "cubic-pytorch", "lanczos3", "lanczos5", "area"]
IMAGE = np.random.RandomState(0).randn(1, 5, 4, 2).astype(np.float32)
# Height shrinks (antialiasing matters), width grows, batch and channels stay.
OUT_SHAPE = (1, 3, 7, 2)


def close(actual, expected, rtol=1e-5, atol=1e-5):
  if isinstance(expected, tuple):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
      close(a, e, rtol, atol)
    return
  assert np.asarray(actual).dtype == np.asarray(expected).dtype
  assert np.shape(actual) == np.shape(expected)
  np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("method", METHODS)
def test_resize_values_match_jax(method, antialias):
  close(limage.resize(IMAGE, OUT_SHAPE, method, antialias=antialias),
        jimage.resize(IMAGE, OUT_SHAPE, method, antialias=antialias))


@pytest.mark.parametrize("method", ["linear", "cubic-pytorch", "lanczos3", "area"])
def test_resize_gradients_match_jax(method):
  weights = np.linspace(-1, 1, np.prod(OUT_SHAPE)).reshape(OUT_SHAPE).astype(np.float32)

  def loss(resize, np_):
    return lambda x: np_.sum(np_.sin(resize(x, OUT_SHAPE, method, antialias=False)) * weights)
  close(jaxlite.grad(loss(limage.resize, lnp))(IMAGE), jax.grad(loss(jimage.resize, jnp))(IMAGE))


def test_resize_enum_integer_input_and_identity():
  ints = np.arange(12, dtype=np.int32).reshape(3, 4)
  close(limage.resize(ints, (5, 2), limage.ResizeMethod.NEAREST),
        jimage.resize(ints, (5, 2), jimage.ResizeMethod.NEAREST))
  close(limage.resize(ints, (6, 4), limage.ResizeMethod.LINEAR),
        jimage.resize(ints, (6, 4), jimage.ResizeMethod.LINEAR))
  close(limage.resize(IMAGE, IMAGE.shape, "cubic"), jimage.resize(IMAGE, IMAGE.shape, "cubic"))


@pytest.mark.parametrize("method", ["linear", "lanczos5", "cubic-pytorch", "area"])
def test_scale_and_translate_matches_jax(method):
  x = IMAGE[0, :, :, 0]
  scale, translation = np.array([0.6, 1.7], np.float32), np.array([0.5, -1.25], np.float32)

  def run(mod, np_):
    def f(x, scale, translation):
      return mod.scale_and_translate(x, (3, 6), (0, 1), scale, translation, method,
                                     antialias=method != "cubic-pytorch")
    return f
  close(run(limage, lnp)(x, scale, translation), run(jimage, jnp)(x, scale, translation))
  # Gradients through the image, the scale and the translation.
  def loss(mod, np_):
    return lambda *a: np_.sum(run(mod, np_)(*a) ** 2)
  close(jaxlite.grad(loss(limage, lnp), argnums=(0, 1, 2))(x, scale, translation),
        jax.grad(loss(jimage, jnp), argnums=(0, 1, 2))(x, scale, translation),
        rtol=1e-4, atol=1e-4)


def test_under_jit_and_vmap():
  batch = IMAGE[0].transpose(2, 0, 1)   # two 5x4 images
  actual = jaxlite.jit(jaxlite.vmap(lambda im: limage.resize(im, (3, 7), "lanczos3")))(batch)
  expected = jax.jit(jax.vmap(lambda im: jimage.resize(im, (3, 7), "lanczos3")))(batch)
  close(actual, expected)


def test_errors_are_jaxs():
  with pytest.raises(ValueError, match="shape must have length equal to the number of "
                                       "dimensions of x"):
    limage.resize(IMAGE, (3, 7), "linear")
  with pytest.raises(ValueError, match='Unknown resize method "bogus"'):
    limage.resize(IMAGE, OUT_SHAPE, "bogus")
  with pytest.raises(ValueError, match="Nearest neighbor resampling is not currently"):
    limage.scale_and_translate(IMAGE, OUT_SHAPE, (1,), lnp.ones(1), lnp.zeros(1), "nearest")
  assert [m.name for m in limage.ResizeMethod] == [m.name for m in jimage.ResizeMethod]
  assert [m.value for m in limage.ResizeMethod] == [m.value for m in jimage.ResizeMethod]
