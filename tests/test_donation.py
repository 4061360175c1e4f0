"""Donation as JAX 0.10.2 plans it: which donated arguments a lowered module
aliases (tf.aliasing_output) or hands to XLA (jax.buffer_donor), JAX's warning
for the unusable ones, and which arguments are deleted after the call."""
import warnings

import numpy as np
import pytest

import jaxlite

jax = pytest.importorskip("jax")

x3 = np.ones(3, np.float32)
x4 = np.ones(4, np.float32)

# name -> (function, donate_argnums, arguments)
CASES = {
    "aliased": (lambda x: x * 2, 0, (x3,)),
    "unusable": (lambda x: x.sum(), 0, (x3,)),
    "donor_by_size": (lambda x: x.reshape(2, 2), 0, (x4,)),
    "first_match_wins": (lambda x, y: x * 2 + y.sum(), (0, 1), (x3, x3)),
    "two_aliases": (lambda x, y: (y, x * 2), (0, 1), (x3, x3)),
    "dtype_differs": (lambda x: x.astype(np.int32), 0, (x3,)),
    "pytree": (lambda p: {"w": p["w"] + 1, "n": p["b"].sum()}, 0, ({"w": x3, "b": x4},)),
}


def _lowered(J, case):
  fun, donate, args = CASES[case]
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    text = J.jit(fun, donate_argnums=donate).lower(*args).as_text()
  return text, [str(w.message) for w in caught]


@pytest.mark.parametrize("case", sorted(CASES))
def test_lowered_donation_and_warning_are_jaxs(case):
  assert _lowered(jaxlite, case) == _lowered(jax, case)


def _deleted_after_call(J, case):
  fun, donate, args = CASES[case]
  arrays = J.tree_util.tree_map(J.numpy.asarray, args)
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    J.jit(fun, donate_argnums=donate)(*arrays)
  return [a.is_deleted() for a in J.tree_util.tree_leaves(arrays)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_deleted_arguments_are_jaxs(case):
  """An argument is deleted when the program takes its buffer; an unusable
  donation leaves it alive."""
  assert _deleted_after_call(jaxlite, case) == _deleted_after_call(jax, case)


@pytest.mark.skipif(jaxlite.device_count() < 4, reason="needs 4 CPU devices")
@pytest.mark.parametrize("out", ["same", "replicated", "unspecified"])
def test_sharded_donation_is_jaxs(out):
  """Partitioned programs: aliasing per device; results left to propagation
  make every donation a donor."""
  def build(J):
    mesh = J.sharding.Mesh(np.array(J.devices()[:4]), ("a",))
    s = J.sharding.NamedSharding(mesh, J.sharding.PartitionSpec("a"))
    r = J.sharding.NamedSharding(mesh, J.sharding.PartitionSpec())
    kw = {"same": {"out_shardings": s}, "replicated": {"out_shardings": r},
          "unspecified": {}}[out]
    f = J.jit(lambda x: x * 2, donate_argnums=0, in_shardings=s, **kw)
    with warnings.catch_warnings(record=True) as caught:
      warnings.simplefilter("always")
      text = f.lower(x4).as_text()
    y = J.device_put(x4, s)
    with warnings.catch_warnings():
      warnings.simplefilter("ignore")
      out_value = f(y)
    return text, [str(w.message) for w in caught], y.is_deleted(), np.asarray(out_value)
  got, expected = build(jaxlite), build(jax)
  assert got[:3] == expected[:3]
  np.testing.assert_array_equal(got[3], expected[3])
