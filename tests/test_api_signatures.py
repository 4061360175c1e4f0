"""Keyword arguments of the transformations and device helpers that JAX 0.10.2
accepts (issue 17's signature mismatches), compared with the installed JAX."""
import warnings
from functools import partial

import jax
import jax.numpy as jnp_ref
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp


def _both(fn):
  return fn(jaxlite), fn(jax)


def test_vmap_sum_match_sums_unmapped_outputs():
  x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
  got, want = _both(lambda J: J.vmap(lambda a: a * 2, out_axes=None, sum_match=True)(x))
  np.testing.assert_array_equal(got, want)
  with pytest.raises(ValueError, match="but output was batched on axis 0"):
    jaxlite.vmap(lambda a: a * 2, out_axes=None)(x)


def test_checkpoint_static_argnames():
  def f(x, n):
    for _ in range(n):
      x = jnp.sin(x)
    return x
  g = jaxlite.checkpoint(f, static_argnames="n")
  want = jax.grad(lambda x: jnp_ref.sin(jnp_ref.sin(jnp_ref.sin(x))))(1.0)
  np.testing.assert_allclose(jaxlite.grad(lambda x: g(x, n=3))(1.0), want, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(g)(1.0, 3), want, rtol=1e-6)


@pytest.mark.parametrize("by_keyword", [False, True])
def test_custom_jvp_nondiff_argnames(by_keyword):
  def build(J):
    @partial(J.custom_jvp, nondiff_argnames=("k",))
    def h(x, k):
      return x * k

    @h.defjvp
    def h_jvp(k, primals, tangents):
      return h(primals[0], k), tangents[0] * k * 10
    if by_keyword:
      return J.grad(lambda x: h(x, k=3.0))(1.0)
    return J.grad(h)(1.0, 3.0)
  got, want = _both(build)
  assert float(got) == float(want) == 30.0


def test_custom_vjp_nondiff_argnames():
  def build(J):
    @partial(J.custom_vjp, nondiff_argnames=("k",))
    def v(x, k):
      return x * k
    v.defvjp(lambda x, k: (v(x, k), None), lambda k, _, g: (g * k * 7,))
    return J.grad(v)(1.0, 3.0)
  got, want = _both(build)
  assert float(got) == float(want) == 21.0


def test_jit_donate_argnames_deletes_the_keyword_argument():
  f = jaxlite.jit(lambda x, y: x * 2 + y, donate_argnames="y")
  x, y = jnp.ones(3), jnp.ones(3)
  np.testing.assert_array_equal(f(x, y=y), np.full(3, 3.0, np.float32))
  assert y.is_deleted() and not x.is_deleted()
  y2 = jnp.ones(3)
  f(x, y2)                       # by position too
  assert y2.is_deleted()


def test_jit_compiler_options_reach_xla():
  x = jnp.ones(3)
  f = jaxlite.jit(lambda x: x + 1, compiler_options={"xla_embed_ir_in_executable": True})
  np.testing.assert_array_equal(f(x), np.full(3, 2.0, np.float32))
  bad = jaxlite.jit(lambda x: x + 1, compiler_options={"xla_no_such_option": True})
  with pytest.raises(Exception, match="No such compile option: 'xla_no_such_option'"):
    bad(x)
  with pytest.raises(Exception, match="No such compile option"):
    jax.jit(lambda x: x + 1, compiler_options={"xla_no_such_option": True})(np.ones(3))
  lowered = jaxlite.jit(lambda x: x - 1).lower(x)
  with pytest.raises(Exception, match="No such compile option"):
    lowered.compile({"xla_no_such_option": 1})


def test_device_put_donate_may_alias_src():
  x = jnp.ones(3)
  fresh = jaxlite.device_put(x, may_alias=False)
  assert fresh is not x and not x.is_deleted()
  np.testing.assert_array_equal(fresh, x)
  assert jaxlite.device_put(x) is x
  dev = jaxlite.devices()[0]
  np.testing.assert_array_equal(jaxlite.device_put(x, dev, src=dev, donate=True), x)
  for J, arr in ((jaxlite, x), (jax, jnp_ref.ones(3))):
    with pytest.raises(ValueError, match="may_alias and donate cannot be True at the same"):
      J.device_put(arr, donate=True, may_alias=True)
  out = jaxlite.device_put({"a": x, "b": x}, may_alias={"a": False, "b": True})
  assert out["a"] is not x and out["b"] is x


def test_process_helpers_match_jax():
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    assert [d.id for d in jaxlite.local_devices(host_id=0)] == [
        d.id for d in jax.local_devices(host_id=0)]
    assert jaxlite.host_id() == jax.host_id() == 0
    assert jaxlite.host_count() == jax.host_count()
    assert jaxlite.host_ids() == jax.host_ids()
  assert jaxlite.process_indices() == jax.process_indices()
  with pytest.warns(UserWarning, match="renamed from `host_id` to `process_index`"):
    jaxlite.local_devices(host_id=0)
  with pytest.raises(ValueError, match="Unknown process_index 5"):
    jaxlite.local_devices(5)
