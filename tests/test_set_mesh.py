"""Placement under ``jax.set_mesh`` against JAX 0.10.2, on 8 CPU devices: new
arrays (``jnp.zeros``/``array``/``arange``...), jitted calls without sharded
inputs, random samplers and eager ops go on all the mesh's devices (sharding
type, spec, device set, ``jax.typeof`` and values as JAX's, on Explicit and
Auto meshes); ``device_put`` of host data stays on one device; a committed
single-device operand is JAX's error; nesting and leaving restore placement."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp


@pytest.fixture(scope="module")
def jax(jax_reference):
  if len(jax_reference.devices()) < 8 or len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  return jax_reference


def _meshes(lib, kind):
  if kind == "explicit":
    return lib.make_mesh((2, 4), ("data", "model"))
  return lib.sharding.Mesh(np.array(lib.devices()[:8]).reshape(2, 4), ("data", "model"))


# Each case makes one array with the library `j` (its numpy is `j.numpy`).
CASES = {
    "zeros": lambda j: j.numpy.zeros((8, 8)),
    "full": lambda j: j.numpy.full((2, 3), 2.0),
    "array_host": lambda j: j.numpy.array(np.ones((8, 8))),
    "array_list": lambda j: j.numpy.array([1.0, 2.0]),
    "asarray_scalar": lambda j: j.numpy.asarray(3.0),
    "arange": lambda j: j.numpy.arange(8.0),
    "eye": lambda j: j.numpy.eye(3),
    "linspace": lambda j: j.numpy.linspace(0, 1, 4),
    "device_put_host": lambda j: j.device_put(np.ones(4)),
    "device_put_spec": lambda j: j.device_put(np.ones((8, 8)), j.sharding.PartitionSpec("data")),
    "jit_constant": lambda j: j.jit(lambda: j.numpy.ones(4))(),
    "jit_host_arg": lambda j: j.jit(lambda x: x * 2)(np.arange(4.0, dtype=np.float32)),
    "normal": lambda j: j.random.normal(j.random.key(0), (4,)),
    "uniform": lambda j: j.random.uniform(j.random.key(1), (2, 4)),
    "key": lambda j: j.random.key(0),
    "split": lambda j: j.random.split(j.random.key(0)),
    "add_scalar": lambda j: j.numpy.ones(3) + 1,
    "sum": lambda j: j.numpy.sum(j.numpy.arange(6.0).reshape(2, 3), axis=1),
    "grad": lambda j: j.grad(lambda a: (a ** 2).sum())(j.numpy.arange(3.0)),
}


def _placement(lib, out):
  """What JAX shows of where a result lives, and its value."""
  s = out.sharding
  key = hasattr(out.dtype, "_rules") or "key" in str(out.dtype)
  value = np.asarray(lib.random.key_data(out) if key else out)
  return (type(s).__name__, str(getattr(s, "spec", None)), len(s.device_set),
          str(lib.typeof(out)), value)


@pytest.mark.parametrize("kind", ["explicit", "auto"])
def test_new_arrays_and_results_go_on_the_mesh(jax, kind):
  ours_mesh, their_mesh = _meshes(jaxlite, kind), _meshes(jax, kind)
  with jaxlite.set_mesh(ours_mesh):
    ours = {name: _placement(jaxlite, case(jaxlite)) for name, case in CASES.items()}
  with jax.set_mesh(their_mesh):
    theirs = {name: _placement(jax, case(jax)) for name, case in CASES.items()}
  for name in CASES:
    assert ours[name][:4] == theirs[name][:4], name
    np.testing.assert_array_equal(ours[name][4], theirs[name][4], err_msg=name)


def test_jit_traced_outside_retraces_under_the_mesh(jax):
  """The mesh is part of the trace context: a function jitted (and cached)
  outside runs on the mesh inside, and on one device again after."""
  results = {}
  for lib in (jaxlite, jax):
    f = lib.jit(lambda x: x * 2)
    x = lib.numpy.ones(4)
    before = f(x)
    with lib.set_mesh(_meshes(lib, "explicit")):
      inside = f(x)
      eager = x + 1
    after = f(x)
    zeros_after = lib.numpy.zeros(2)
    results[lib.__name__] = [(type(r.sharding).__name__, len(r.sharding.device_set),
                              str(lib.typeof(r)))
                             for r in (before, inside, eager, after, zeros_after)]
  assert results["jaxlite"] == results["jax"]
  assert results["jaxlite"][3] == ("SingleDeviceSharding", 1, "float32[4]")


def test_nested_set_mesh_uses_the_innermost(jax):
  results = {}
  for lib in (jaxlite, jax):
    out = []
    with lib.set_mesh(_meshes(lib, "explicit")):
      with lib.set_mesh(lib.make_mesh((2, 4), ("data", "model"),
                                      axis_types=(lib.sharding.AxisType.Auto,) * 2)):
        out.append(lib.numpy.zeros(4))
      out.append(lib.numpy.zeros(4))
    out.append(lib.numpy.zeros(4))
    results[lib.__name__] = [(type(r.sharding).__name__, str(getattr(r.sharding, "spec", None)),
                              len(r.sharding.device_set)) for r in out]
  assert results["jaxlite"] == results["jax"]


def test_committed_single_device_operand_is_an_error(jax):
  messages = {}
  for lib in (jaxlite, jax):
    c = lib.device_put(np.ones(4, np.float32), lib.devices()[0])
    got = []
    with lib.set_mesh(_meshes(lib, "explicit")):
      for fn in (lambda: c + 1, lambda: lib.jit(lambda x: x * 2)(c)):
        with pytest.raises(ValueError) as e:
          fn()
        got.append(str(e.value))
    messages[lib.__name__] = got
  assert messages["jaxlite"] == messages["jax"]


def test_values_match_under_the_mesh(jax):
  """A small program (creation, eager ops, a jitted step, random) gives JAX's
  values on both kinds of mesh."""
  def program(lib):
    jnp_ = lib.numpy
    x = jnp_.arange(16.0).reshape(4, 4)
    w = lib.random.normal(lib.random.key(3), (4, 4))
    step = lib.jit(lambda a, b: jnp_.tanh(a @ b).sum(0))
    return [x * 2 + 1, step(x, w), jnp_.cumsum(x, axis=1), w]
  for kind in ("explicit", "auto"):
    with jaxlite.set_mesh(_meshes(jaxlite, kind)):
      ours = program(jaxlite)
    with jax.set_mesh(_meshes(jax, kind)):
      theirs = program(jax)
    for a, b in zip(ours, theirs):
      assert str(jaxlite.typeof(a)) == str(jax.typeof(b))
      np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_global_set_mesh_and_mesh_context_manager(jax):
  """``set_mesh(mesh)`` called as a function sets the mesh until
  ``set_mesh(None)``; the deprecated ``with mesh:`` places nothing."""
  import warnings  # pylint: disable=g-import-not-at-top
  results = {}
  for lib in (jaxlite, jax):
    mesh = _meshes(lib, "auto")
    out = []
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", DeprecationWarning)
      with mesh:
        out.append(lib.numpy.zeros(4))
    lib.set_mesh(mesh)
    try:
      out.append(lib.numpy.zeros(4))
    finally:
      lib.set_mesh(None)
    out.append(lib.numpy.zeros(4))
    results[lib.__name__] = [(type(r.sharding).__name__, str(getattr(r.sharding, "spec", None)),
                              len(r.sharding.device_set)) for r in out]
  assert results["jaxlite"] == results["jax"]
