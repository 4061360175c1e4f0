"""vmap: the seed examples, in_axes/out_axes handling, errors, jaxprs and
compositions with jit and autodiff (issue 6)."""
from functools import partial

import numpy as np
import pytest

import jaxlite
from jaxlite import core, lax
from jaxlite.interpreters import batching
from jaxlite.vectorization import vmap

jnp = pytest.importorskip("jaxlite.numpy")

f32 = np.float32


def _arange(*shape):
  return np.arange(np.prod(shape), dtype=f32).reshape(shape)


def _vdot(x, y):   # ([a], [a]) -> []
  return lax.dot_general(x, y, (((0,), (0,)), ((), ())))


# --- the seed examples --------------------------------------------------------------------------


def test_seed_matrix_products_from_vector_dot():
  vv = lambda x, y: jnp.vdot(x, y)
  mv = vmap(vv, (0, None), 0)
  mm = vmap(mv, (None, 1), 1)
  mv1 = vmap(vv, (0, 0), 0)
  mv2 = vmap(vv, (0, 1), 0)
  mm2 = vmap(mv2, (1, 1), 0)
  b, a, c = 2, 3, 4
  A, B = _arange(b, a), _arange(a, c) + 1
  out = mv(A, B[:, 0])
  assert out.shape == (b,)
  np.testing.assert_allclose(out, A @ B[:, 0])
  out = mm(A, B)
  assert out.shape == (b, c)
  np.testing.assert_allclose(out, A @ B)
  out = mv1(A, A + 1)
  assert out.shape == (b,)
  np.testing.assert_allclose(out, (A * (A + 1)).sum(1))
  out = mv2(A, A.T + 1)
  assert out.shape == (b,)
  np.testing.assert_allclose(out, (A * (A + 1)).sum(1))
  X, Y = _arange(b, c, a), _arange(a, c, b) + 1
  out = mm2(X, Y)
  assert out.shape == (c, b)
  np.testing.assert_allclose(out, np.einsum("bca,acb->cb", X, Y))


def test_seed_container_in_axes():
  A, B, C, D, K = 2, 3, 4, 5, 6

  def foo(tree_arg):
    x, (y, z) = tree_arg
    return jnp.dot(x, jnp.dot(y, z))

  tree = (jnp.ones((A, B)), (jnp.ones((B, C)), jnp.ones((C, D))))
  np.testing.assert_allclose(foo(tree), np.full((A, D), 12.0))
  x, y, z = jnp.ones((K, A, B)), jnp.ones((B, K, C)), jnp.ones((C, D, K))
  out = vmap(foo, in_axes=((0, (1, 2)),))((x, (y, z)))
  assert out.shape == (6, 2, 5)
  np.testing.assert_allclose(out, np.full((K, A, D), 12.0))


def test_seed_dict_in_axes():
  dct = {'a': 0., 'b': jnp.arange(5.)}
  foo = lambda dct, x: dct['a'] + dct['b'] + x
  out = vmap(foo, in_axes=({'a': None, 'b': 0}, None))(dct, 1.)
  assert str(np.asarray(out)) == "[1. 2. 3. 4. 5.]"


def test_seed_out_axes_none_keeps_unmapped_result():
  f = lambda x, y: (x + y, y * 2.)
  mapped, unmapped = vmap(f, in_axes=(0, None), out_axes=(0, None))(jnp.arange(2.), 4.)
  np.testing.assert_array_equal(mapped, [4., 5.])
  assert np.shape(unmapped) == () and float(unmapped) == 8.0


def test_seed_out_axes_broadcasts_unmapped_result():
  f = lambda x, y: (x + y, y * 2.)
  mapped, broadcast = vmap(f, in_axes=(0, None), out_axes=0)(jnp.arange(2.), 4.)
  np.testing.assert_array_equal(mapped, [4., 5.])
  np.testing.assert_array_equal(broadcast, [8., 8.])


# --- in_axes / out_axes -------------------------------------------------------------------------


def test_in_axes_int_none_and_negative():
  x = _arange(2, 3, 4)
  np.testing.assert_allclose(vmap(lax.sin, in_axes=-1)(x), np.sin(np.moveaxis(x, -1, 0)),
                             rtol=1e-6)
  np.testing.assert_allclose(vmap(lax.sin, in_axes=1)(x), np.sin(np.moveaxis(x, 1, 0)),
                             rtol=1e-6)
  out = vmap(lax.add, in_axes=(None, -2))(_arange(2, 4), x)
  np.testing.assert_allclose(out, np.moveaxis(x, -2, 0) + _arange(2, 4))


def test_in_axes_list_is_a_tuple_and_nested_lists():
  x, y = _arange(3, 2), _arange(2, 3)
  out = vmap(lambda a, b: lax.mul(a, b), in_axes=[0, 1])(x, y)
  np.testing.assert_allclose(out, x * y.T)
  out = vmap(lambda ab: lax.mul(ab[0], ab[1]), in_axes=([0, 1],))([x, y])
  np.testing.assert_allclose(out, x * y.T)


def test_kwargs_are_mapped_over_axis_zero():
  x, y = _arange(3, 2), _arange(2, 3)
  out = vmap(lambda a, b: lax.sub(a, b), in_axes=(1,))(y, b=x)
  np.testing.assert_allclose(out, y.T - x)


def test_axis_size_without_mapped_arguments():
  out = vmap(lambda x: lax.mul(x, 2.), in_axes=None, axis_size=3)(f32(1.5))
  np.testing.assert_array_equal(out, [3., 3., 3.])
  out = vmap(lambda: lax.full((2,), 7., f32), axis_size=4)()
  assert out.shape == (4, 2)
  np.testing.assert_array_equal(out, np.full((4, 2), 7.))


def test_out_axes_pytrees_and_negative_axes():
  x = _arange(2, 3)
  out = vmap(lambda a: {'s': lax.sin(a), 'c': (a, lax.cos(a))},
             out_axes={'s': 1, 'c': (-1, None)}, in_axes=0)
  with pytest.raises(ValueError, match=r"at vmap out_axes\['c'\]\[1\], got axis spec None"):
    out(x)
  res = vmap(lambda a: {'s': lax.sin(a), 'c': (a, f32(3))},
             out_axes={'s': 1, 'c': (-1, None)})(x)
  np.testing.assert_allclose(res['s'], np.sin(x).T, rtol=1e-6)
  np.testing.assert_allclose(res['c'][0], x.T)
  assert float(res['c'][1]) == 3.0


def test_out_axes_moves_mapped_result():
  x = _arange(2, 3, 4)
  out = vmap(lax.neg, in_axes=1, out_axes=2)(x)
  np.testing.assert_array_equal(out, -np.moveaxis(np.moveaxis(x, 1, 0), 0, 2))
  out = vmap(lax.neg, in_axes=0, out_axes=-1)(x)
  np.testing.assert_array_equal(out, -np.moveaxis(x, 0, -1))


def test_unbatched_output_is_broadcast_at_its_out_axis():
  out = vmap(lambda x, y: y, in_axes=(0, None), out_axes=1)(_arange(3), _arange(2))
  np.testing.assert_array_equal(out, np.broadcast_to(_arange(2)[:, None], (2, 3)))


def test_non_array_unmapped_leaves_pass_through():
  out = vmap(lambda x, scale, name: lax.mul(x, scale) if name == "double" else x,
             in_axes=(0, None, None))(_arange(3), 2., "double")
  np.testing.assert_array_equal(out, [0., 2., 4.])


# --- errors -----------------------------------------------------------------------------------


def test_inconsistent_sizes_lists_each_argument():
  f = vmap(lambda a, b: a + b)
  with pytest.raises(ValueError) as e:
    f(jnp.ones((2, 3)), jnp.ones((4, 3)))
  assert str(e.value) == (
      "vmap got inconsistent sizes for array axes to be mapped:\n"
      "  * one axis had size 2: axis 0 of argument a of type float32[2,3];\n"
      "  * one axis had size 4: axis 0 of argument b of type float32[4,3]")


def test_inconsistent_sizes_counts_and_axis_size_and_kwargs():
  f = vmap(lambda a, b, c: a, in_axes=(0, 1, 0))
  with pytest.raises(ValueError) as e:
    f(_arange(2, 3), _arange(3, 2), _arange(5))
  msg = str(e.value)
  assert "most axes (2 of them) had size 2, e.g. axis 0 of argument a of type float32[2,3]" \
      in msg
  assert "one axis had size 5: axis 0 of argument c of type float32[5]" in msg
  with pytest.raises(ValueError, match=r"the `axis_size` argument was 5;\n  \* one axis had "
                     r"size 2: axis 0 of argument a"):
    vmap(lambda a: a, axis_size=5)(_arange(2, 3))
  with pytest.raises(ValueError, match=r"kwargs\['k'\] of type float32\[4\]"):
    vmap(lambda a, k: a)(_arange(2), k=_arange(4))


def test_in_axes_not_a_prefix_names_both_structures():
  with pytest.raises(ValueError) as e:
    vmap(lambda a, b: a, in_axes=((0, 1), 0))(_arange(2), _arange(2))
  msg = str(e.value)
  assert "vmap in_axes specification must be a tree prefix of the corresponding value" in msg
  assert "got specification ((0, 1), 0)" in msg and "for value tree PyTreeDef(" in msg
  assert "different types at key path" in msg and "vmap in_axes[0]" in msg
  with pytest.raises(ValueError, match=r"different lengths of tuple"):
    vmap(lambda t: t[0], in_axes=((0, 0, 0),))((_arange(2), _arange(2)))
  with pytest.raises(ValueError, match=r"vmap in_axes specification must be a tree prefix"):
    vmap(lambda d: d['a'], in_axes=({'b': 0},))({'a': _arange(2)})


def test_out_axes_not_a_prefix():
  with pytest.raises(ValueError, match=r"(?s)vmap out_axes specification must be a tree prefix.*"
                     r"different lengths of tuple"):
    vmap(lambda a: (a, a), out_axes=(0,))(_arange(2))


def test_out_of_range_axes():
  x = _arange(2, 3)
  with pytest.raises(ValueError, match=r"vmap was requested to map its argument along axis 2, "
                     r"which implies that its rank should be at least 3, but is only 2 "
                     r"\(its shape is \(2, 3\)\)"):
    vmap(lambda a: a, in_axes=2)(x)
  with pytest.raises(ValueError, match=r"along axis -3, which implies that its rank should "
                     r"be at least 3"):
    vmap(lambda a: a, in_axes=-3)(x)
  with pytest.raises(ValueError, match=r"rank should be at least 1, but is only 0"):
    vmap(lambda a: a)(1.0)
  with pytest.raises(ValueError, match=r"axis 3 is out of bounds for array of dimension 2"):
    vmap(lambda a: a, out_axes=3)(x)
  with pytest.raises(ValueError, match=r"axis -3 is out of bounds for array of dimension 2"):
    vmap(lambda a: a, out_axes=-3)(x)


def test_other_bad_inputs():
  x = _arange(2, 3)
  with pytest.raises(ValueError, match=r"at vmap out_axes, got axis spec None but output was "
                     r"batched on axis 0"):
    vmap(lambda a: a, out_axes=None)(x)
  with pytest.raises(ValueError, match=r"vmap must have at least one non-None value in "
                     r"in_axes or axis_size must be specified"):
    vmap(lambda a: a, in_axes=None)(x)
  with pytest.raises(ValueError, match=r"must be passed at least one argument containing an "
                     r"array or axis_size must be specified"):
    vmap(lambda: 1.)()
  with pytest.raises(ValueError, match=r"len\(in_axes\)=2, len\(args\)=1"):
    vmap(lambda a: a, in_axes=(0, 0))(x)
  with pytest.raises(TypeError, match=r"vmap in_axes must be an int, None, or a tuple"):
    vmap(lambda a: a, in_axes=1.0)
  with pytest.raises(TypeError, match=r"vmap out_axes must be an int, None, or \(nested\)"):
    vmap(lambda a: a, out_axes=(0, 'x'))
  with pytest.raises(TypeError, match="Expected a callable value"):
    vmap(3)


def test_missing_batching_rule_names_the_primitive():
  p = core.Primitive("no_rule_here")
  p.def_abstract_eval(lambda x: x)
  with pytest.raises(NotImplementedError, match="Batching rule for 'no_rule_here' not "
                     "implemented"):
    vmap(p.bind)(_arange(2))


# --- jaxprs -------------------------------------------------------------------------------------


def test_vmapped_matrix_vector_product_is_one_dot_general():
  mv = vmap(_vdot, (0, None))
  jaxpr = jaxlite.make_jaxpr(mv)(_arange(4, 3), _arange(3))
  names = [e.primitive.name for e in jaxpr.eqns]
  assert names == ["dot_general"], jaxpr
  mm = vmap(mv, (None, 1), 1)
  jaxpr = jaxlite.make_jaxpr(mm)(_arange(4, 3), _arange(3, 5))
  names = [e.primitive.name for e in jaxpr.eqns]
  assert names.count("dot_general") == 1 and set(names) <= {"dot_general", "transpose"}
  np.testing.assert_allclose(mm(_arange(4, 3), _arange(3, 5)), _arange(4, 3) @ _arange(3, 5))


def test_unbatched_operations_stay_unbatched():
  # y's sin does not depend on the batch: it must not be broadcast or repeated.
  jaxpr = jaxlite.make_jaxpr(vmap(lambda x, y: lax.add(x, lax.sin(y)), (0, None)))(
      _arange(5, 3), _arange(3))
  sin_eqn, = [e for e in jaxpr.eqns if e.primitive.name == "sin"]
  assert sin_eqn.outvars[0].aval.shape == (3,)


def test_vmap_of_jit_batches_the_inner_jaxpr_once():
  f = jaxlite.jit(lambda x: lax.mul(lax.sin(x), 2.))
  jaxpr = jaxlite.make_jaxpr(vmap(f, in_axes=1))(_arange(2, 3))
  eqn = jaxpr.eqns[0]
  assert eqn.primitive.name == "jit"
  assert eqn.params["jaxpr"].in_avals[0].shape == (2, 3)
  assert [e.primitive.name for e in eqn.params["jaxpr"].eqns] == ["sin", "mul"]
  np.testing.assert_allclose(vmap(f, in_axes=1)(_arange(2, 3)), 2 * np.sin(_arange(2, 3).T),
                             rtol=1e-6)
  inner = f.trace(f32(0.)).jaxpr
  a = batching.batch_jaxpr_axes(inner, batching.AxisData(None, 4), [0], [batching.infer])
  b = batching.batch_jaxpr_axes(inner, batching.AxisData(None, 4), [0], [batching.infer])
  assert a is b and a[1] == [0]


def test_batch_jaxpr_instantiate_and_unbatched_outputs():
  j = jaxlite.make_jaxpr(lambda x, y: (lax.sin(x), lax.cos(y)))(f32(1), f32(2))
  bj, out_batched = batching.batch_jaxpr(j, batching.AxisData(None, 3), [True, False], False)
  assert out_batched == [True, False]
  assert [a.shape for a in bj.out_avals] == [(3,), ()]
  bj, out_batched = batching.batch_jaxpr(j, batching.AxisData(None, 3), [True, False], True)
  assert out_batched == [True, True]
  x = _arange(3)
  outs = core.jaxpr_as_fun(bj)(x, f32(2))
  np.testing.assert_allclose(outs[0], np.sin(x), rtol=1e-6)
  np.testing.assert_allclose(outs[1], np.full(3, np.cos(2.)), rtol=1e-6)


# --- compositions ------------------------------------------------------------------------------


def test_jit_of_vmap_and_vmap_of_jit_agree_with_numpy():
  x, y = _arange(3, 4), _arange(4) + 1
  f = lambda a, b: lax.mul(lax.sin(a), b)
  want = np.sin(x) * y
  np.testing.assert_allclose(jaxlite.jit(vmap(f, (0, None)))(x, y), want, rtol=1e-6)
  np.testing.assert_allclose(vmap(jaxlite.jit(f), (0, None))(x, y), want, rtol=1e-6)
  np.testing.assert_allclose(jaxlite.jit(vmap(jaxlite.jit(f), (1, None), 1))(x.T.copy(), y),
                             want.T, rtol=1e-6)


def test_vmap_of_vmap_outer_product():
  x, y = _arange(3), _arange(4) + 1
  out = vmap(vmap(lax.mul, (None, 0)), (0, None))(x, y)
  np.testing.assert_array_equal(out, np.outer(x, y))
  out = vmap(vmap(lax.mul, (None, 0), 0), (0, None), 1)(x, y)
  np.testing.assert_array_equal(out, np.outer(x, y).T)


def test_closure_over_outer_batch_tracer():
  def f(x):
    return vmap(lambda y: lax.mul(x, y))(_arange(3))
  out = vmap(f)(_arange(2) + 1)
  np.testing.assert_array_equal(out, np.outer(_arange(2) + 1, _arange(3)))


def _loss(w, x):
  return lax.reduce_sum(lax.mul(lax.sin(lax.mul(w, x)), x), (0,))


def test_vmap_of_grad_is_per_example_gradients():
  w = np.array([0.5, -1., 2.], f32)
  xs = _arange(4, 3) / 10
  grads = vmap(jaxlite.grad(_loss), (None, 0))(w, xs)
  assert grads.shape == (4, 3)
  np.testing.assert_allclose(grads, np.cos(w * xs) * xs * xs, rtol=1e-5)
  # per-example gradients with respect to the examples themselves
  gx = vmap(jaxlite.grad(_loss, argnums=1), (None, 0))(w, xs)
  np.testing.assert_allclose(gx, np.cos(w * xs) * w * xs + np.sin(w * xs), rtol=1e-5)


def test_grad_of_vmap():
  w = np.array([0.5, -1., 2.], f32)
  xs = _arange(4, 3) / 10
  total = lambda w: lax.reduce_sum(vmap(_loss, (None, 0))(w, xs), (0,))
  g = jaxlite.grad(total)(w)
  np.testing.assert_allclose(g, (np.cos(w * xs) * xs * xs).sum(0), rtol=1e-5)
  g2 = jaxlite.jit(jaxlite.grad(total))(w)
  np.testing.assert_allclose(g2, g, rtol=1e-6)


def _f(x):
  return lax.add(lax.mul(3., lax.sin(x)), lax.cos(lax.div(x, 2.)))


def _jacfwd_via_vmap_jvp(f, x):
  basis = np.eye(x.size, dtype=x.dtype).reshape((x.size,) + x.shape)
  push = lambda t: jaxlite.jvp(f, (x,), (t,))[1]
  return vmap(push, out_axes=-1)(basis)


def test_jacfwd_built_on_vmap_of_jvp(jax_reference):
  x = np.array([0.3, 1.2, -2.], f32)
  g = lambda x: lax.mul(_f(x), lax.reduce_sum(x, (0,)))
  jac = _jacfwd_via_vmap_jvp(g, x)
  want = jax_reference.jacfwd(
      lambda x: (3. * jax_reference.numpy.sin(x) + jax_reference.numpy.cos(x / 2.))
      * x.sum())(x)
  np.testing.assert_allclose(jac, want, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(jaxlite.jacfwd(g)(x), want, rtol=1e-5, atol=1e-6)


def test_seed_pushforward_of_many_tangents():
  x = f32(2.)
  in_tangents = np.array([3., 4., -1.], f32)
  pushfwd = partial(jaxlite.jvp, _f, (x,))
  y, out_tangents = vmap(pushfwd, out_axes=(None, 0))((in_tangents,))
  assert np.shape(y) == ()
  np.testing.assert_allclose(y, 3. * np.sin(2.) + np.cos(1.), rtol=1e-6)
  deriv = 3. * np.cos(2.) - 0.5 * np.sin(1.)
  np.testing.assert_allclose(out_tangents, deriv * in_tangents, rtol=1e-5)
  # the seed's f_jvp(3.) and f_jvp(4.)
  np.testing.assert_allclose(np.asarray(out_tangents)[:2], [-5.007528, -6.676704], rtol=1e-5)


def test_vmap_of_jacrev_and_hessian_shapes():
  xs = _arange(2, 3) / 5
  jac = vmap(jaxlite.jacrev(lambda x: lax.sin(x)))(xs)
  assert jac.shape == (2, 3, 3)
  np.testing.assert_allclose(jac, np.stack([np.diag(np.cos(r)) for r in xs]), rtol=1e-6)


def test_vmap_with_jnp_operators_on_tracers():
  out = vmap(lambda x, y: x * y + 1, (0, None))(jnp.arange(6.).reshape(2, 3), jnp.ones(3))
  np.testing.assert_array_equal(out, np.arange(6.).reshape(2, 3) + 1)
