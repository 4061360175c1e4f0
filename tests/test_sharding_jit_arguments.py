"""How a sharded jit takes its arguments, against JAX 0.10.2 on 8 CPU devices.

Arguments that fix different devices: an Array committed to one device
(``device_put(x, device)``) beside one sharded over a mesh, or beside a jit
in_sharding over other devices, raises JAX's ValueError naming both arguments
in argument order; a committed argument whose jit in_sharding differs raises
JAX's mismatch error. Uncommitted arguments (NumPy arrays, Python scalars,
eager results) have no sharding of their own: as in JAX's modules, scalars are
annotated as replicated over an empty mesh and the others not at all, XLA's
propagation chooses their layout, and results follow it."""
import re

import numpy as np
import pytest

import jaxlite


@pytest.fixture(scope="module")
def jax(jax_reference):
  if len(jax_reference.devices()) < 2 or len(jaxlite.devices()) < 2:
    pytest.skip("needs 2 devices")
  return jax_reference


def _outcome(fn):
  try:
    return ("ok", np.asarray(fn()).tolist())
  except Exception as e:  # pylint: disable=broad-except
    return ("error", type(e).__name__, str(e))


def _setup(lib):
  mesh = lib.sharding.Mesh(np.array(lib.devices()[:2]), ("d",))
  s = lib.sharding.NamedSharding(mesh, lib.sharding.PartitionSpec("d"))
  a = lib.device_put(np.arange(4, dtype=np.float32), s)
  c0 = lib.device_put(lib.numpy.ones(4), lib.devices()[0])
  c1 = lib.device_put(lib.numpy.ones(4), lib.devices()[1])
  return s, a, c0, c1


CASES = {
    "committed_then_sharded": lambda lib, s, a, c0, c1: lib.jit(lambda *xs: sum(xs))(c0, a),
    "sharded_then_committed": lambda lib, s, a, c0, c1: lib.jit(lambda x, z: x * 2 + z)(a, c0),
    "two_devices_then_sharded": lambda lib, s, a, c0, c1: lib.jit(
        lambda *xs: sum(xs))(c0, c1, a),
    "committed_beside_in_sharding": lambda lib, s, a, c0, c1: lib.jit(
        lambda x, z: x + z, in_shardings=(None, s))(c0, a),
    "committed_against_its_in_sharding": lambda lib, s, a, c0, c1: lib.jit(
        lambda x, z: x + z, in_shardings=(s, s))(c0, a),
    "uncommitted_moves": lambda lib, s, a, c0, c1: lib.jit(lambda x, z: x + z)(
        a, lib.numpy.ones(4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_committed_arguments_as_jax(jax, name):
  case = CASES[name]
  ours = _outcome(lambda: case(jaxlite, *_setup(jaxlite)))
  theirs = _outcome(lambda: case(jax, *_setup(jax)))
  assert ours == theirs


UNCOMMITTED = {
    "python_float": lambda lib: 1.0,
    "python_int": lambda lib: 2,
    "numpy_scalar": lambda lib: np.float32(1),
    "numpy_vector": lambda lib: np.ones(4, np.float32),
    "numpy_matrix": lambda lib: np.ones((2, 4), np.float32),
    "eager_result": lambda lib: lib.numpy.ones(4),
    "replicated_on_the_mesh": lambda lib: lib.device_put(
        np.ones(4, np.float32), lib.sharding.NamedSharding(
            lib.sharding.Mesh(np.array(lib.devices()[:2]), ("d",)),
            lib.sharding.PartitionSpec())),
}


@pytest.mark.parametrize("name", sorted(UNCOMMITTED))
def test_uncommitted_arguments_lower_and_place_as_jax(jax, name):
  results = []
  for lib in (jaxlite, jax):
    s, a, _, _ = _setup(lib)
    z = UNCOMMITTED[name](lib)
    f = lib.jit(lambda x, z: (x * 2 + z, z * 1))
    text = f.lower(a, z).as_text()
    outs = f(a, z)
    compiled = f.lower(a, z).compile()
    results.append((re.sub(r"loc\(.*?\)", "", text),
                    [(np.asarray(o).tolist(), str(o.sharding)) for o in outs],
                    str(compiled.input_shardings)))
  assert results[0] == results[1]
