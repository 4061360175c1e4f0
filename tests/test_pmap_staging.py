"""pmap under tracing is JAX 0.10.2's jit[name=_fun] of a shard_map: the same
numbers and result shardings as JAX for jit, grad and vmap of pmap; eager pmap
keeps jaxlite's replica runtime. (The printed jaxprs are compared with JAX's in
tests/test_jaxpr_printing.py, programs pmap_*.)"""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

jax = pytest.importorskip("jax")
import jax.numpy as jax_numpy  # noqa: E402

pytestmark = pytest.mark.skipif(jaxlite.device_count() < 8, reason="needs 8 CPU devices")

m23 = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)


def _normalized(J, jn):
  return J.pmap(lambda x: x / J.lax.psum(x, 'i'), axis_name='i')


# name -> (build(jax_module, numpy_module) -> function, arguments)
CASES = {
    "jit_pmap": (lambda J, jn: J.jit(_normalized(J, jn)), (m23,)),
    "jit_grad_pmap": (lambda J, jn: J.jit(J.grad(lambda x: (_normalized(J, jn)(x) ** 2).sum())),
                      (m23,)),
    "grad_pmap_in_axes_none": (
        lambda J, jn: J.grad(lambda w: J.pmap(lambda x, w: jn.sin(x * w), in_axes=(0, None))(
            m23, w).sum()), (np.float32(0.5),)),
    "vmap_pmap": (lambda J, jn: J.vmap(_normalized(J, jn), in_axes=1, out_axes=1),
                  (m23.reshape(2, 3, 1),)),
    "jit_pmap_out_axes_1": (lambda J, jn: J.jit(J.pmap(lambda x: x * 2, out_axes=1)), (m23,)),
    "jit_pmap_static": (lambda J, jn: J.jit(lambda x: J.pmap(
        lambda x, n: x * n, static_broadcasted_argnums=1)(x, 3)), (m23,)),
    "jit_pmap_pytree": (lambda J, jn: J.jit(J.pmap(lambda d: {"s": d["a"].sum(), "b": d["b"]})),
                        ({"a": m23, "b": np.arange(2, dtype=np.int32)},)),
    "jit_pmap_devices": (lambda J, jn: J.jit(J.pmap(jn.cos, devices=J.devices()[4:6])), (m23,)),
    "jvp_pmap": (lambda J, jn: lambda x: J.jvp(_normalized(J, jn), (x,), (np.ones_like(x),)),
                 (m23,)),
    # pmap inside loop and branch bodies, run eagerly and under jit
    "fori_pmap": (lambda J, jn: lambda x: J.lax.fori_loop(
        0, 2, lambda i, c: _normalized(J, jn)(c) * 2.0, x), (m23,)),
    "jit_fori_pmap": (lambda J, jn: J.jit(lambda x: J.lax.fori_loop(
        0, 2, lambda i, c: _normalized(J, jn)(c) * 2.0, x)), (m23,)),
    "cond_pmap": (lambda J, jn: lambda x: J.lax.cond(x[0, 0] > 0, _normalized(J, jn),
                                                     lambda y: y, x), (m23,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_pmap_gives_jaxs_values_and_shardings(name):
  build, args = CASES[name]
  expected = build(jax, jax_numpy)(*args)
  got = build(jaxlite, jnp)(*args)
  exp_leaves, exp_tree = jax.tree_util.tree_flatten(expected)
  got_leaves, got_tree = jaxlite.tree_util.tree_flatten(got)
  assert str(got_tree) == str(exp_tree)
  for g, e in zip(got_leaves, exp_leaves):
    assert g.dtype == e.dtype and g.shape == e.shape
    np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-6)
    assert str(g.sharding) == str(e.sharding)


def test_eager_pmap_keeps_the_replica_runtime():
  f = jaxlite.pmap(lambda x: x / jaxlite.lax.psum(x, 'i'), axis_name='i')
  out = f(m23)
  assert f._staged == {}   # nothing staged: an xla_pmap executable ran
  assert type(out.sharding).__name__ == "LeadingAxisSharding"
  np.testing.assert_allclose(np.asarray(out), m23 / m23.sum(0), rtol=1e-6)
  jaxlite.make_jaxpr(f)(m23)
  assert len(f._staged) == 1


def test_traced_pmap_reuses_its_staged_jit():
  f = jaxlite.pmap(jnp.sin)
  jaxlite.make_jaxpr(f)(m23)
  jaxlite.make_jaxpr(f)(m23 + 1)
  assert len(f._staged) == 1
  jaxlite.make_jaxpr(f)(m23[:1])   # another mesh size: another staged function
  assert len(f._staged) == 2


def test_nested_pmap_stages_xla_pmap_where_jax_rejects_it():
  def nested(J):
    return J.pmap(J.pmap(lambda x: J.lax.psum(x, 'j'), axis_name='j'), axis_name='i')
  x = np.ones((2, 2, 3), np.float32)
  with pytest.raises(ValueError, match="should match the mesh passed to shard_map"):
    jax.make_jaxpr(nested(jax))(x)
  jaxpr = jaxlite.make_jaxpr(nested(jaxlite))(x)
  assert [e.primitive.name for e in jaxpr.eqns] == ["xla_pmap"]
  np.testing.assert_allclose(np.asarray(nested(jaxlite)(x)), np.full((2, 2, 3), 2.0))


@pytest.mark.parametrize("call", [
    lambda J: J.make_jaxpr(J.pmap(lambda x: x))(np.ones(9, np.float32)),
    lambda J: J.pmap(lambda x: x, axis_size=3)(np.ones(2, np.float32)),
    lambda J: J.make_jaxpr(J.pmap(lambda x: x, axis_size=3))(np.ones(2, np.float32)),
    lambda J: J.pmap(lambda x, n: x, static_broadcasted_argnums=1)(np.ones(2, np.float32)),
    lambda J: J.pmap(lambda x: x, in_axes='a'),
    lambda J: J.pmap(lambda x: x, out_axes=1.5),
    lambda J: J.pmap(lambda x: x, devices=[]),
    lambda J: J.pmap(lambda x, y: x, in_axes=(0, 0, 0))(m23, m23),
    lambda J: J.pmap(lambda x, y: x, in_axes=(0, (0, 0)))(m23, m23),
    lambda J: J.pmap(lambda x, y: x, in_axes=(0, 0, 0))(m23, y=m23),
    lambda J: J.pmap(lambda x: (x, x), out_axes=(0, 0, 0))(m23),
    lambda J: J.make_jaxpr(J.pmap(lambda x: (x, x), out_axes=(0, 0, 0)))(m23),
    lambda J: J.pmap(lambda x: x, in_axes=2)(m23),
    lambda J: J.make_jaxpr(J.pmap(lambda x: x, in_axes=2))(m23),
    lambda J: J.pmap(lambda x: x)(np.float32(1)),
    lambda J: J.pmap(lambda x: x, in_axes=None)(m23),
    lambda J: J.make_jaxpr(J.pmap(lambda x: x, in_axes=None, axis_size=2))(m23),
])
def test_pmap_errors_are_jaxs(call):
  with pytest.raises(Exception) as expected:
    call(jax)
  with pytest.raises(Exception) as got:
    call(jaxlite)
  assert type(got.value) is type(expected.value)
  assert str(got.value) == str(expected.value)


def test_unhashable_static_argument_raises_jaxs_error():
  def call(J):
    return J.pmap(lambda x, n: x * n, static_broadcasted_argnums=1)(m23, np.ones(2))
  with pytest.raises(ValueError) as expected:
    call(jax)
  with pytest.raises(ValueError) as got:
    call(jaxlite)
  assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("build, args", [
    (lambda J: J.pmap(lambda x: x / J.lax.psum(x, 'i'), axis_name='i'), (m23,)),
    # One device: JAX lowers the body in place, without a manual computation.
    (lambda J: J.pmap(lambda x: x / J.lax.psum(x, 'i'), axis_name='i'), (m23[:1],)),
    (lambda J: J.pmap(lambda x, w: (x * w, x.sum()), in_axes=(0, None), out_axes=(0, None)),
     (m23, np.float32(2.0))),
    (lambda J: J.pmap(lambda x, n: x * n, static_broadcasted_argnums=1, donate_argnums=0),
     (m23, 3)),
], ids=["psum", "one_device", "in_axes_none", "static_donated"])
def test_lower_is_jaxs(build, args):
  """pmap(f).lower gives JAX's module (a jitted shard_map with the mesh's
  shardings), its argument info, and compiles to a program of global arrays."""
  expected = build(jax).lower(*args)
  got = build(jaxlite).lower(*args)
  assert got.as_text() == expected.as_text()
  assert str(got.args_info) == str(expected.args_info)
  assert str(got.out_tree) == str(expected.out_tree)
  flat = [a for a in args if not isinstance(a, int)]
  want = jax.tree_util.tree_leaves(expected.compile()(*flat))
  have = jaxlite.tree_util.tree_leaves(got.compile()(*flat))
  for h, w in zip(have, want, strict=True):
    np.testing.assert_allclose(np.asarray(h), np.asarray(w), rtol=1e-6)
