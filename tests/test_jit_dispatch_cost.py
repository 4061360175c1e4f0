"""The cached-call paths (jit's memo paths and ``_outputs``, eager
``apply_primitive``) make their result Arrays without ``Array.__init__``:
they fill its slots in place, which saves a Python frame per result. These
tests fail when ``Array`` gains a slot those paths do not fill, or when a
result made so differs from one made by ``Array(buf, aval)``. (The host copy
and the per-device buffers are slots set only once known: unset, ``_npy`` and
``_shards`` read None.)"""
import numpy as np

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.runtime.array import Array

_FILLED = ("_buf", "aval", "_committed", "_npy", "_shards")
# Slots left unset until known (read through the _npy and _shards properties).
_LAZY = ("_host_copy", "_device_shards")


def test_array_slots_are_the_ones_the_fast_paths_fill():
  # A new slot must be filled in pjit.py (_outputs and the memo paths),
  # output_builders.py (the generated builders) and dispatch.apply_primitive.
  assert set(Array.__slots__) == {"_buf", "aval", "_committed"} | set(_LAZY) | {"__weakref__"}


def _check(out, expected):
  assert type(out) is Array
  for name in _FILLED:
    getattr(out, name)   # an unfilled slot raises AttributeError
  assert out._committed is out._buf._committed   # the slot mirrors jaxlib's flag
  assert out._npy is None and out._shards is None
  np.testing.assert_array_equal(np.asarray(out), expected)
  assert out.dtype == np.asarray(expected).dtype


def test_jit_memo_paths_fill_every_slot():
  x = jnp.arange(3.0, dtype=jnp.float32)
  two = jaxlite.jit(lambda a, b: a * b + a)
  static = jaxlite.jit(lambda a, n: a * n, static_argnums=1)
  tree = jaxlite.jit(lambda p: p[0] + p[1])
  for _ in range(3):   # the second and third calls take the memo paths
    _check(two(x, x), np.array([0., 2., 6.], np.float32))
    _check(static(x, 2), np.array([0., 2., 4.], np.float32))
    _check(tree((x, x)), np.array([0., 2., 4.], np.float32))
  out = two(x, x)
  assert out.weak_type is False and out.shape == (3,)


def test_jit_multiple_outputs_fill_every_slot():
  x = jnp.arange(3.0, dtype=jnp.float32)
  f = jaxlite.jit(lambda p: {"a": p[0] * 2, "b": [p[1] + 1, p[0] - p[1]]})
  for _ in range(3):
    out = f((x, x))
    _check(out["a"], np.array([0., 2., 4.], np.float32))
    _check(out["b"][0], np.array([1., 2., 3.], np.float32))
    _check(out["b"][1], np.zeros(3, np.float32))
  grads = jaxlite.jit(jaxlite.grad(lambda p: jnp.sum(p[0] * p[1])))
  for _ in range(3):
    g = grads((x, 2 * x))
    _check(g[0], np.array([0., 2., 4.], np.float32))
    _check(g[1], np.array([0., 1., 2.], np.float32))


def test_eager_results_fill_every_slot():
  x = jnp.zeros(2, jnp.float32)
  for _ in range(3):
    _check(jnp.sin(x), np.zeros(2, np.float32))
  out = jnp.sin(1.0)   # a weak-typed scalar keeps its weak type
  assert out.weak_type is True


def test_tree_leaves_of_nested_lists_and_tuples_as_jax():
  # tree_leaves walks nested tuples and lists itself (no treedefs); every
  # other node must still flatten as JAX's do.
  import collections
  import jax
  pair = collections.namedtuple("pair", "a b")

  class Box:
    def __init__(self, x):
      self.x = x

  class Tup(tuple):   # a tuple subclass that is no namedtuple: a leaf
    pass

  for tu in (jaxlite.tree_util, jax.tree_util):
    tu.register_pytree_node(Box, lambda b: ((b.x,), None), lambda _, c: Box(*c))
  box = Box([5, (6,)])
  for tree in ([1, (2, None), {"b": 3, "a": 4}], (pair(1, [2, 3]), [[], ()], None),
               [box, (Box(7),)], [Tup((8, 9)), [[[10]]]], [], ()):
    assert jaxlite.tree_util.tree_leaves(tree) == jax.tree_util.tree_leaves(tree)


def test_generated_output_builders_rebuild_jax_structures():
  # Built-in containers (tuples, lists, None) get a generated builder; other
  # nodes (dicts, namedtuples) the loop and unflatten: both as JAX's results.
  import collections
  import jax
  from jaxlite.interpreters import output_builders
  pair = collections.namedtuple("pair", "a b")
  outs = [
      lambda a: [(a, a * 2), None, (a + 1,), [], ()],
      lambda a: (a,),
      lambda a: [[a], [[a * 3]]],
      lambda a: {"b": a, "a": (a * 2, None)},
      lambda a: pair(a, [a * 2]),
  ]
  x = np.arange(3.0, dtype=np.float32)
  for make in outs:
    ours, theirs = jaxlite.jit(make), jax.jit(make)
    for _ in range(3):   # first call, then the memo paths
      got = ours(jnp.asarray(x))
      want = theirs(x)
      assert jaxlite.tree_util.tree_structure(got) == \
          jaxlite.tree_util.tree_structure(jax.tree_util.tree_map(np.asarray, want))
      for g, w in zip(jaxlite.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        _check(g, np.asarray(w))
  treedef = jaxlite.tree_util.tree_structure
  aval = jaxlite.core.ShapedArray((), np.dtype(np.float32))
  assert output_builders.output_builder(treedef([0, (0, None)]), (aval, aval)) is not None
  assert output_builders.output_builder(treedef({"a": 0}), (aval,)) is None
  assert output_builders.output_builder(treedef(pair(0, 0)), (aval, aval)) is None
  assert output_builders.output_builder(treedef([0] * 65), (aval,) * 65) is None


def test_committed_slot_is_jaxlibs_flag_on_every_path():
  # Array._committed mirrors jaxlib's flag of its buffer (the cached-call
  # paths test it for every operand): committed operands give committed
  # results, on the memo paths and the eager fast paths too.
  d = jaxlite.devices()[0]
  x = jnp.arange(3.0, dtype=jnp.float32)
  c = jaxlite.device_put(x, d)
  assert x._committed is False and c._committed is True and c.committed is True
  two = jaxlite.jit(lambda a, b: a * b + a)
  tree = jaxlite.jit(lambda p: [p[0] + p[1], p[0] * 2])
  on_device = jaxlite.jit(lambda a: a + 1, device=d)
  for _ in range(3):   # the later calls take the memo paths
    for out in (two(x, x), *tree((x, x)), jnp.sin(x), jnp.sum(x), x + x):
      assert out._committed is False and out._buf._committed is False
    for out in (two(c, x), *tree((x, c)), jnp.sin(c), jnp.sum(c), c + x, on_device(x)):
      assert out._committed is True and out._buf._committed is True
