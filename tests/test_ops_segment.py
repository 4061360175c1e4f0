"""jax.ops segment reductions vs the installed JAX: values, gradients, jit,
out-of-range ids, empty segments and buckets."""
import jax
import numpy as np
import pytest

import jaxlite

DATA = (np.arange(14.0, dtype=np.float32).reshape(7, 2) - 5) / 3
IDS = np.array([0, 0, 2, 1, 2, 5, -1])


@pytest.mark.parametrize("name", ["segment_sum", "segment_prod", "segment_max", "segment_min"])
@pytest.mark.parametrize("kw", [dict(num_segments=4), dict(num_segments=6, bucket_size=3),
                                dict(), dict(num_segments=4, mode="clip")])
def test_values_and_gradients(name, kw):
  ids = IDS if "num_segments" in kw else np.abs(IDS)
  got = getattr(jaxlite.ops, name)(DATA, ids, **kw)
  want = getattr(jax.ops, name)(DATA, ids, **kw)
  assert got.dtype == want.dtype
  np.testing.assert_allclose(got, want, rtol=1e-6)
  loss = lambda O: lambda d: (O(d, ids, **kw) ** 2).sum() if name == "segment_sum" else (
      O(d, ids, **kw)[:2].sum())
  if kw.get("mode") == "clip" and name in ("segment_max", "segment_min"):
    return   # JAX's gradient of a clipped scatter_max/min is nan/inf at clipped ids
  if name == "segment_prod":   # scatter_mul has no gradient for repeated ids, in JAX too
    for O, G in ((jaxlite.ops, jaxlite.grad), (jax.ops, jax.grad)):
      with pytest.raises(NotImplementedError):
        G(loss(getattr(O, name)))(DATA)
    return
  np.testing.assert_allclose(jaxlite.grad(loss(getattr(jaxlite.ops, name)))(DATA),
                             jax.grad(loss(getattr(jax.ops, name)))(DATA), rtol=1e-5)


def test_under_jit_and_integers():
  ids = np.array([1, 0, 1, 3])
  f = jaxlite.jit(lambda d: jaxlite.ops.segment_sum(d, ids, 4))
  np.testing.assert_array_equal(f(np.arange(4)), jax.ops.segment_sum(np.arange(4), ids, 4))
  np.testing.assert_array_equal(jaxlite.ops.segment_max(np.arange(4), ids, 4),
                                jax.ops.segment_max(np.arange(4), ids, 4))
  with pytest.raises(ValueError, match="num_segments must be non-negative"):
    jaxlite.ops.segment_sum(np.arange(4), ids, -1)
