"""``jit(keep_unused=False)`` (the default) against JAX 0.10.2: the compiled
program leaves out the arguments the function does not use (they are neither
passed nor donated), while the jaxpr, ``args_info`` and the call signature keep
them; ``keep_unused=True`` keeps them. Lowered text, values, donation and the
steady-state call paths (one or two arrays, pytrees, committed operands,
compiled stages, sharded arguments) as JAX's."""
import warnings

import numpy as np
import pytest

import jaxlite


def _lowered_text(lib, fun, *args, **jit_kwargs):
  return lib.jit(fun, **jit_kwargs).lower(*args).as_text()


CASES = {
    # (function, arguments)
    "second_unused": (lambda x, y: x * 2, (np.float32(1), np.ones(3, np.float32))),
    "first_unused": (lambda x, y: y + 1, (np.ones(2, np.int32), np.ones(3, np.float32))),
    "middle_static_like_unused": (lambda x, y, z: x * z,
                                  (np.ones(2, np.float32), 7, np.float32(3))),
    "pytree_leaf_unused": (lambda p, x: p["w"] @ x,
                           ({"w": np.ones((2, 3), np.float32), "unused": np.zeros(4)},
                            np.ones(3, np.float32))),
    "all_unused": (lambda x, y: 1.0, (np.ones(2, np.float32), np.ones(2, np.float32))),
    "dead_code_reads_unused": (lambda x, y: (np.float32(2) * x, jaxlite.numpy.sin(y))[0]
                               if False else x * 2,
                               (np.ones(2, np.float32), np.ones(2, np.float32))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lowered_program_leaves_unused_arguments_out_as_jax(jax_reference, name):
  fun, args = CASES[name]
  ours = _lowered_text(jaxlite, fun, *args)
  theirs = _lowered_text(jax_reference, fun, *args)
  assert ours == theirs
  # The call still takes every argument, and gives JAX's numbers.
  np.testing.assert_array_equal(np.asarray(jaxlite.jit(fun)(*args)),
                                np.asarray(jax_reference.jit(fun)(*args)))


def test_keep_unused_true_keeps_every_parameter(jax_reference):
  fun = lambda x, y: x * 2   # noqa: E731
  args = (np.float32(1), np.ones(3, np.float32))
  for lib in (jaxlite, jax_reference):
    text = _lowered_text(lib, fun, *args, keep_unused=True)
    assert "%arg1: tensor<3xf32>" in text, text
  assert "%arg1" not in _lowered_text(jaxlite, fun, *args)


def test_jaxpr_and_args_info_keep_unused_arguments(jax_reference):
  fun = lambda x, y: x * 2   # noqa: E731
  args = (np.float32(1), np.ones(3, np.float32))
  assert str(jaxlite.make_jaxpr(jaxlite.jit(fun))(*args)) == \
      str(jax_reference.make_jaxpr(jax_reference.jit(fun))(*args))
  ours = jaxlite.jit(fun).lower(*args).args_info
  theirs = jax_reference.jit(fun).lower(*args).args_info
  assert repr(ours) == repr(theirs)


def test_an_unused_donated_argument_is_neither_donated_nor_warned_about(jax_reference):
  for lib in (jaxlite, jax_reference):
    f = lib.jit(lambda x, y: x + 1, donate_argnums=1)
    x, y = lib.numpy.ones(4), lib.numpy.ones(4)
    with warnings.catch_warnings():
      warnings.simplefilter("error")   # JAX warns of no unusable donation here
      out = f(x, y)
      out = f(x, y)
    np.testing.assert_array_equal(np.asarray(out), np.full(4, 2.0, np.float32))
    assert not y.is_deleted()
    assert "buffer_donor" not in f.lower(x, y).as_text()


def test_steady_state_calls_with_unused_arguments():
  """Every call path (the remembered call, the pytree memo, committed
  operands, compiled stages) passes the program only what it takes."""
  jnp = jaxlite.numpy
  x, y = jnp.arange(3.0), jnp.ones(4)
  two = jaxlite.jit(lambda a, b: a * 2)
  tree = jaxlite.jit(lambda p, a: p["w"] * a + p["b"])
  p = {"w": jnp.full(3, 2.0), "b": jnp.ones(3), "unused": jnp.zeros(5)}
  for _ in range(3):
    np.testing.assert_array_equal(two(x, y), [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(tree(p, x), [1.0, 3.0, 5.0])
  committed = jaxlite.device_put(y, jaxlite.devices()[1])
  np.testing.assert_array_equal(two(jaxlite.device_put(x, jaxlite.devices()[1]), committed),
                                [0.0, 2.0, 4.0])
  compiled = two.lower(x, y).compile()
  np.testing.assert_array_equal(compiled(x, y), [0.0, 2.0, 4.0])
  # A closed-over device array (a leading constant) stays an argument.
  c = jnp.full(3, 10.0)
  closes = jaxlite.jit(lambda a, b: a + c)
  for _ in range(2):
    np.testing.assert_array_equal(closes(x, y), [10.0, 11.0, 12.0])
  # Under grad and vmap the jit is staged whole.
  np.testing.assert_array_equal(
      jaxlite.grad(lambda a, b: jnp.sum(two(a, b)))(x, y), [2.0, 2.0, 2.0])
  np.testing.assert_array_equal(jaxlite.vmap(two)(jnp.ones((2, 3)), jnp.ones((2, 4))),
                                np.full((2, 3), 2.0))


def test_sharded_jit_leaves_unused_arguments_out_as_jax(jax_reference):
  if len(jax_reference.devices()) < 2 or len(jaxlite.devices()) < 2:
    pytest.skip("needs 2 devices")
  results = []
  for lib in (jaxlite, jax_reference):
    mesh = lib.sharding.Mesh(np.array(lib.devices()[:2]), ("d",))
    s = lib.sharding.NamedSharding(mesh, lib.sharding.PartitionSpec("d"))
    a = lib.device_put(np.arange(4, dtype=np.float32), s)
    f = lib.jit(lambda x, y, z: x * 2 + z, in_shardings=(s, s, s), donate_argnums=1)
    outs = []
    for _ in range(3):
      b = lib.device_put(np.ones(4, np.float32), s)
      out = f(a, b, a)
      outs.append((np.asarray(out).tolist(), str(out.sharding), b.is_deleted()))
    g = lib.jit(lambda p, x: p["w"] * x)
    tree_out = [np.asarray(g({"w": a, "unused": a}, a)).tolist() for _ in range(3)]
    compiled = f.lower(a, b, a).compile()
    results.append((f.lower(a, b, a).as_text(), outs, tree_out,
                    str(compiled.input_shardings),
                    np.asarray(compiled(a, lib.device_put(np.ones(4, np.float32), s),
                                        a)).tolist()))
  assert results[0] == results[1]
