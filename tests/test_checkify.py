"""jax.experimental.checkify against JAX 0.10.2 in the same run: user checks,
the automatic error sets (nan, div, index), control flow (cond, while/fori,
scan, nested jit, custom_jvp), under jit, vmap and grad, and JAX's messages
and exceptions; each case's printed result must be identical."""
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.experimental import checkify


def _program(jax, jnp, checkify):
  """The same checkify uses in either library: name -> what it printed."""
  results = {}
  def show(name, f):
    try:
      r = f()
      results[name] = repr(r)
    except Exception as e:
      results[name] = ('RAISES', type(e).__name__, str(e).splitlines()[0][:200])

  def user(x):
    checkify.check(x > 0, "x must be positive, got {x}", x=x)
    return jnp.log(x)
  cu = checkify.checkify(user)
  show('user_ok', lambda: cu(jnp.float32(1.0))[0].get())
  show('user_bad', lambda: cu(jnp.float32(-2.0))[0].get())
  show('user_bad_out', lambda: float(cu(jnp.float32(-2.0))[1]) != float(cu(jnp.float32(-2.0))[1]))
  show('user_jit', lambda: jax.jit(cu)(-2.0)[0].get())
  show('user_checkify_jit', lambda: checkify.checkify(jax.jit(user))(-3.0)[0].get())
  show('user_vmap', lambda: jax.vmap(cu)(jnp.array([1., -1., 2., -3.]))[0].get())
  show('user_grad', lambda: checkify.checkify(jax.grad(user))(-2.0)[0].get())
  show('str_err', lambda: str(cu(jnp.float32(-2.0))[0]))
  def throw():
    cu(jnp.float32(-2.0))[0].throw()
  show('throw', throw)
  show('check_eager', lambda: checkify.check(jnp.array(False), "eager fail {}", jnp.int32(3)))
  show('check_jit_unfunc', lambda: jax.jit(lambda x: checkify.check(x > 0, "m"))(1.0))
  show('check_error', lambda: checkify.check_error(cu(jnp.float32(-2.0))[0]))
  def divf(x, y): return x // y
  show('div', lambda: checkify.checkify(lambda x, y: jax.lax.div(x, y), errors=checkify.div_checks)(jnp.int32(3), jnp.int32(0))[0].get())
  show('div_ok', lambda: checkify.checkify(lambda x, y: jax.lax.div(x, y), errors=checkify.div_checks)(jnp.int32(3), jnp.int32(1))[0].get())
  show('div_float', lambda: checkify.checkify(lambda x, y: x / y, errors=checkify.div_checks)(3.0, 0.0)[0].get())
  show('div_before_nan', lambda: checkify.checkify(lambda x: jnp.log(x) / 0.0 * x, errors=checkify.float_checks)(jnp.ones(2))[0].get())
  show('nan', lambda: checkify.checkify(lambda x: jnp.log(x) * 2, errors=checkify.nan_checks)(-1.0)[0].get())
  show('nan_sin', lambda: checkify.checkify(lambda x: jnp.sin(x), errors=checkify.nan_checks)(jnp.inf)[0].get())
  show('nan_user_not_enabled', lambda: checkify.checkify(user, errors=checkify.nan_checks)(jnp.float32(-1.0))[0].get())
  show('index', lambda: checkify.checkify(jax.jit(lambda x, i: x[i]), errors=checkify.index_checks)(jnp.ones(3), jnp.int32(5))[0].get())
  show('index_neg', lambda: checkify.checkify(jax.jit(lambda x, i: x[i]), errors=checkify.index_checks)(jnp.ones(3), jnp.int32(-5))[0].get())
  show('index_2d', lambda: checkify.checkify(jax.jit(lambda x, i: x[1, i]), errors=checkify.index_checks)(jnp.ones((2, 3)), jnp.int32(7))[0].get())
  show('index_dyn', lambda: checkify.checkify(lambda x, i: jax.lax.dynamic_slice(x, (i,), (2,)), errors=checkify.index_checks)(jnp.ones(3), 2)[0].get())
  show('index_set', lambda: checkify.checkify(lambda x, i: x.at[i].set(1.), errors=checkify.index_checks)(jnp.ones(3), 4)[0].get())
  show('all_first', lambda: checkify.checkify(lambda x: (checkify.check(x < 0, "first"), jnp.log(x), checkify.check(x < -5, "second"))[1], errors=checkify.all_checks)(-1.0)[0].get())
  def loop(x):
    def body(i, c):
      checkify.check(c < 5., "c too big: {}", c)
      return c + 2.
    return jax.lax.fori_loop(0, 5, body, x)
  show('fori', lambda: checkify.checkify(loop)(0.0)[0].get())
  show('while_jit', lambda: jax.jit(checkify.checkify(loop))(0.0)[0].get())
  def cnd(x):
    return jax.lax.cond(x > 0, lambda x: (checkify.check(x < 10, "big {}", x), x)[1], lambda x: jnp.log(x), x)
  show('cond', lambda: checkify.checkify(cnd, errors=checkify.all_checks)(20.)[0].get())
  show('cond_nan', lambda: checkify.checkify(cnd, errors=checkify.all_checks)(-1.)[0].get())
  def sc(c, x):
    checkify.check(x != 2., "x is two at carry {}", c)
    return c + x, c * x
  show('scan', lambda: checkify.checkify(lambda xs: jax.lax.scan(sc, 0., xs))(jnp.arange(4.))[0].get())
  show('scan_out', lambda: checkify.checkify(lambda xs: jax.lax.scan(sc, 0., xs))(jnp.arange(4.))[1])
  show('float_checks', lambda: sorted(e.__name__ for e in checkify.float_checks))
  show('all_checks', lambda: sorted(e.__name__ for e in checkify.all_checks))
  show('vmap_nan', lambda: jax.vmap(checkify.checkify(jnp.log, errors=checkify.nan_checks))(jnp.array([1., -1., 0., -2.]))[0].get())
  show('checkify_vmap', lambda: checkify.checkify(jax.vmap(user))(jnp.array([1., -1.]))[0].get())
  relu = jax.custom_jvp(lambda x: jnp.maximum(x, 0.))
  relu.defjvp(lambda p, t: (relu(p[0]), jnp.where(p[0] > 0, t[0], 0.)))
  def with_custom(x):
    y = relu(x)
    checkify.check(y < 1., "relu output {}", y)
    return jnp.log(y)
  show('custom_jvp', lambda: checkify.checkify(with_custom, errors=checkify.all_checks)(jnp.float32(2.))[0].get())
  show('custom_jvp_grad', lambda: jax.grad(lambda x: checkify.checkify(with_custom)(x)[1])(jnp.float32(0.5)))
  show('custom_jvp_nan', lambda: checkify.checkify(with_custom, errors=checkify.nan_checks)(jnp.float32(-1.))[0].get())
  show('grad_of_checkify_user', lambda: jax.grad(lambda x: checkify.checkify(user)(x)[1])(jnp.float32(2.0)))
  show('pred_array_error', lambda: checkify.checkify(lambda x: checkify.check(x > 0, "arr"))(jnp.ones(2)))
  show('pred_not_bool', lambda: checkify.check(1.0, "x"))
  show('eager_check_ok', lambda: checkify.check(jnp.array(True), "fine"))
  show('user_checks_only_ignores_nan', lambda: checkify.checkify(jnp.log)(-1.)[0].get())
  show('fmt_positional', lambda: checkify.checkify(lambda x: checkify.check(x > 0, "{} and {}", x, x * 2))(jnp.float32(-1.))[0].get())
  show('nested_jit_cond', lambda: jax.jit(checkify.checkify(lambda x: jax.jit(cnd)(x), errors=checkify.all_checks))(20.)[0].get())
  show('error_pytree_leaves', lambda: len(jax.tree_util.tree_leaves(cu(jnp.float32(-2.0))[0])) > 0)
  show('jit_checkify_throw_ok', lambda: checkify.check_error(jax.jit(cu)(jnp.float32(2.0))[0]))
  return results


def test_checkify_matches_jax(jax_reference):
  import jax
  import jax.numpy as jax_numpy
  from jax.experimental import checkify as jax_checkify
  ours = _program(jaxlite, jnp, checkify)
  theirs = _program(jax, jax_numpy, jax_checkify)
  assert ours.keys() == theirs.keys()
  mismatches = {k: (ours[k], theirs[k]) for k in theirs if ours[k] != theirs[k]}
  assert not mismatches


def test_checkify_errors_under_transformations():
  def f(x):
    checkify.check(x > 0, "x must be positive, got {x}", x=x)
    return jnp.log(x)
  err, y = jaxlite.jit(checkify.checkify(f))(jnp.float32(4.0))
  assert err.get() is None and float(y) == pytest.approx(1.3862944)
  err, _ = jaxlite.vmap(checkify.checkify(f))(jnp.array([1.0, -1.0]))
  assert err.get() == "at mapped index 1: x must be positive, got -1.0 (`check` failed)"
  with pytest.raises(checkify.JaxRuntimeError, match="at mapped index 1"):
    err.throw()
  # Leaves are arrays: the error goes in and out of jit as a pytree.
  assert jaxlite.jit(lambda e: e)(err).get() == err.get()
  # A debug check does nothing unless functionalized.
  assert jaxlite.jit(lambda x: checkify.debug_check(x > 0, "neg"))(jnp.float32(-1.0)) is None
  err, _ = checkify.checkify(lambda x: checkify.debug_check(x > 0, "neg {}", x))(
      jnp.float32(-1.0))
  assert err.get() == "neg -1.0 (`check` failed)"
