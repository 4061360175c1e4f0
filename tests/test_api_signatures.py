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


# --- jax.numpy and jax.random keyword parameters ---------------------------------------


def test_numpy_parameters_by_keyword():
  for name, kw in [("fmax", dict(x1=1.0, x2=np.nan)), ("fmin", dict(x1=np.nan, x2=2.0)),
                   ("gcd", dict(x1=12, x2=18)), ("lcm", dict(x1=4, x2=6)),
                   ("isreal", dict(x=np.array([1, 1j]))), ("trunc", dict(x=-1.5)),
                   ("iscomplex", dict(x=np.array([1, 1j])))]:
    np.testing.assert_array_equal(getattr(jnp, name)(**kw), getattr(jnp_ref, name)(**kw))
  for name in ("isneginf", "isposinf", "modf"):
    with pytest.raises(NotImplementedError, match="The 'out' argument to"):
      getattr(jnp, name)(np.ones(2), out=np.ones(2))


def test_var_std_with_given_mean():
  x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
  x[1, 2] = np.nan
  m = np.float32(2.5)
  for name in ("var", "std", "nanvar", "nanstd"):
    for axis, mean in ((None, m), (1, np.nanmean(x, 1, keepdims=True)), (0, m)):
      got = getattr(jnp, name)(x, axis=axis, mean=mean, ddof=1)
      want = getattr(jnp_ref, name)(x, axis=axis, mean=mean, ddof=1)
      np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)


def test_pinv_rcond_and_matrix_rank_tol_hermitian():
  a = np.array([[2.0, 0.0], [0.0, 1e-3]], np.float32)
  np.testing.assert_allclose(jnp.linalg.pinv(a, rcond=0.01),
                             jnp_ref.linalg.pinv(a, rcond=0.01), rtol=1e-6)
  for J in (jnp, jnp_ref):
    with pytest.raises(ValueError, match="only one of rtol and rcond"):
      J.linalg.pinv(a, 0.1, rcond=0.1)
    with pytest.raises(ValueError, match="only one of tol or rtol"):
      J.linalg.matrix_rank(a, 0.1, tol=0.1)
  for kw in (dict(tol=0.01), dict(hermitian=True), dict(tol=1e-4, hermitian=True)):
    assert int(jnp.linalg.matrix_rank(a, **kw)) == int(jnp_ref.linalg.matrix_rank(a, **kw))


@pytest.mark.parametrize("mode", [None, "clip", "fill"])
@pytest.mark.parametrize("wrap", [None, False, True])
def test_take_along_axis_default_axis_and_negative_indices(mode, wrap):
  x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
  idx = np.array([[0, -1, -4, -5, 3]] * 3)
  np.testing.assert_array_equal(
      jnp.take_along_axis(x, idx, mode=mode, wrap_negative_indices=wrap),
      jnp_ref.take_along_axis(x, idx, mode=mode, wrap_negative_indices=wrap))


def test_random_samplers_take_named_parameters():
  k, kr = jaxlite.random.PRNGKey(0), jax.random.PRNGKey(0)
  cases = [("pareto", dict(b=3.0, shape=(2,))), ("rayleigh", dict(scale=1.5, shape=(2,))),
           ("wald", dict(mean=1.0, shape=(2,))),
           ("triangular", dict(left=0.0, mode=0.5, right=1.0, shape=(2,))),
           ("weibull_min", dict(scale=1.0, concentration=2.0, shape=(2,))),
           ("weibull_min", dict(scale=np.arange(1, 4.0), concentration=2.0)),
           ("weibull_min", dict(scale=2.0, concentration=np.ones((2, 1)), shape=(3,))),
           ("lognormal", dict(sigma=0.5, shape=(3,), out_sharding=None))]
  for name, kw in cases:
    got = getattr(jaxlite.random, name)(k, **kw)
    want = getattr(jax.random, name)(kr, **kw)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
  # positional shape and dtype, as JAX takes them
  np.testing.assert_array_equal(jaxlite.random.pareto(k, 2.0, (3,), np.float32),
                                jax.random.pareto(kr, 2.0, (3,), np.float32))


# --- top-level helpers ------------------------------------------------------------------


def test_block_until_ready_and_copy_to_host_async_pass_pytrees_through():
  tree = {"a": jnp.ones(2), "b": 3, "c": [np.zeros(1), jnp.arange(2)]}
  assert jaxlite.block_until_ready(tree) is tree
  assert jaxlite.copy_to_host_async(tree) is tree
  ref = {"a": jnp_ref.ones(2), "b": 3}
  assert jax.block_until_ready(ref) is ref


def test_live_arrays_lists_this_array_and_not_deleted_ones():
  x, y = jnp.ones(3), jnp.zeros(2)
  y.delete()
  live = jaxlite.live_arrays()
  assert any(a is x for a in live) and not any(a is y for a in live)
  assert all(a.device_platform == "cpu" for a in jaxlite.live_arrays("cpu"))


def test_float0_is_the_integer_tangent_dtype():
  assert jaxlite.float0 == jax.float0
  f = lambda x, y: x * y
  got = jaxlite.grad(f, argnums=(0, 1), allow_int=True)(2.0, 3)
  want = jax.grad(f, argnums=(0, 1), allow_int=True)(2.0, 3)
  assert got[1].dtype == want[1].dtype == jaxlite.float0 and got[1].shape == want[1].shape
  assert float(got[0]) == float(want[0])


def test_print_environment_info_has_jax_fields(capsys):
  text = jaxlite.print_environment_info(return_string=True)
  fields = [line.split(":")[0] for line in text.splitlines()[1:7]]
  want = [line.split(":")[0] for line in jax.print_environment_info(True).splitlines()[1:7]]
  assert fields == want
  assert jaxlite.print_environment_info() is None
  assert "device info: cpu-" in capsys.readouterr().out


def test_out_sharding_accepts_none_and_named_rejects_others_as_jax():
  from jaxlite import lax
  from jaxlite.sharding import NamedSharding, PartitionSpec, SingleDeviceSharding
  x, y = np.ones((2, 3), np.float32), np.ones(3, np.float32)
  single = SingleDeviceSharding(jaxlite.devices()[0])
  for J, s in ((jaxlite, single), (jax, jax.sharding.SingleDeviceSharding(jax.devices()[0]))):
    with pytest.raises(TypeError, match="`out_sharding` argument of dot_general only supports"):
      J.lax.dot(x, y, out_sharding=s)
    with pytest.raises(TypeError, match="`out_sharding` argument of pareto only supports"):
      J.random.pareto(J.random.PRNGKey(0), 2.0, (2,), out_sharding=s)
  mesh = jaxlite.make_mesh((1,), ("i",))
  named = NamedSharding(mesh, PartitionSpec())
  out = lax.dot(x, y, out_sharding=named)
  np.testing.assert_array_equal(out, jax.lax.dot(x, y))
  assert out.sharding.is_equivalent_to(named, out.ndim)   # JAX pads the spec: P(None,)
  np.testing.assert_array_equal(
      jaxlite.random.pareto(jaxlite.random.PRNGKey(0), 2.0, (2,), out_sharding=named),
      jax.random.pareto(jax.random.PRNGKey(0), 2.0, (2,)))


def test_lax_dot_dimension_numbers_and_reduce_window_defaults():
  from jaxlite import lax
  x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
  y = np.arange(40.0, dtype=np.float32).reshape(2, 4, 5)
  dn = (((2,), (1,)), ((0,), (0,)))
  np.testing.assert_array_equal(lax.dot(x, y, dimension_numbers=dn),
                                jax.lax.dot(x, y, dimension_numbers=dn))
  v = np.arange(6.0, dtype=np.float32)
  np.testing.assert_array_equal(lax.reduce_window(v, 0.0, lax.add, (2,)),
                                jax.lax.reduce_window(v, 0.0, jax.lax.add, (2,)))
