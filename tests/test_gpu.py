"""A GPU through jaxlib's CUDA (or ROCm) PJRT plugin: device memory, async
dispatch, jit, donation and pmap collectives. Every test here is marked
``requires_gpu`` and skipped where jaxlite finds no GPU (``pip install
"jaxlite[cuda12]"`` installs the plugin of jaxlib's version).
"""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax

pytestmark = pytest.mark.requires_gpu


@pytest.fixture(scope="module")
def gpu():
  return jaxlite.devices("gpu")[0]


def test_device_memory_round_trip(gpu):
  x = np.arange(12, dtype=np.float32).reshape(3, 4)
  on_gpu = jaxlite.device_put(x, gpu)
  assert on_gpu.devices() == {gpu}
  np.testing.assert_array_equal(np.asarray(on_gpu), x)


def test_eager_and_jit_run_on_the_gpu(gpu):
  x = jaxlite.device_put(np.linspace(-1, 1, 1000, dtype=np.float32), gpu)
  f = jaxlite.jit(lambda v: jnp.tanh(v) @ jnp.cos(v))
  expected = np.tanh(np.asarray(x)) @ np.cos(np.asarray(x))
  np.testing.assert_allclose(np.asarray(f(x)), expected, rtol=1e-4)
  assert jnp.sin(x).devices() == {gpu}


def test_async_dispatch_then_block(gpu):
  x = jaxlite.device_put(np.ones((256, 256), np.float32), gpu)
  for _ in range(20):
    x = jnp.tanh(x @ x / 256.0)   # no sync inside the loop
  x.block_until_ready()
  assert np.isfinite(np.asarray(x)).all()


def test_donation_frees_the_argument(gpu):
  f = jaxlite.jit(lambda v: v * 2.0, donate_argnums=0)
  x = jaxlite.device_put(np.ones(1024, np.float32), gpu)
  y = f(x)
  np.testing.assert_array_equal(np.asarray(y), 2 * np.ones(1024))
  assert x.is_deleted()


def test_pmap_psum_across_gpus():
  gpus = jaxlite.devices("gpu")
  if len(gpus) < 2:
    pytest.skip("one GPU")
  n = len(gpus)
  f = jaxlite.pmap(lambda v: v / lax.psum(v, "i"), axis_name="i", devices=gpus)
  out = f(np.arange(1.0, n + 1, dtype=np.float32))
  np.testing.assert_allclose(np.asarray(out), np.arange(1.0, n + 1) / (n * (n + 1) / 2),
                             rtol=1e-6)
