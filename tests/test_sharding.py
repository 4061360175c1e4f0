"""jaxlite.sharding against JAX 0.10.2: meshes, specs, shardings (8 CPU devices)."""
import pickle

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.experimental import mesh_utils
from jaxlite.sharding import (AbstractMesh, AxisType, Mesh, NamedSharding, PartitionSpec as P,
                              Sharding, SingleDeviceSharding)

SPECS = [(), ("a",), (None, "b"), (("a", "b"),), (("b", "a"), None), ("b", "a"),
         (None, None), ("a", "b")]


@pytest.fixture(scope="module")
def meshes(jax_reference):
  jax = jax_reference
  if len(jax.devices()) < 8 or len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  mesh = Mesh(np.array(jaxlite.devices()).reshape(2, 4), ("a", "b"))
  jmesh = jax.sharding.Mesh(np.array(jax.devices()).reshape(2, 4), ("a", "b"))
  return mesh, jmesh


def _ids(index_map):
  return {d.id: i for d, i in index_map.items()}


@pytest.mark.parametrize("spec", SPECS)
def test_named_sharding_matches_jax(meshes, jax_reference, spec):
  mesh, jmesh = meshes
  s = NamedSharding(mesh, P(*spec))
  js = jax_reference.sharding.NamedSharding(jmesh, jax_reference.P(*spec))
  assert repr(s) == repr(js)
  assert str(s._to_xla_hlo_sharding(2)) == str(js._to_xla_hlo_sharding(2))
  assert _ids(s.devices_indices_map((8, 8))) == _ids(js.devices_indices_map((8, 8)))
  assert s.shard_shape((8, 8)) == js.shard_shape((8, 8))
  assert s.is_fully_replicated == js.is_fully_replicated
  assert s.num_devices == js.num_devices == 8
  assert s.memory_kind == js.memory_kind
  assert {d.id for d in s.addressable_devices} == {d.id for d in js.addressable_devices}
  assert s.is_fully_addressable and isinstance(s, Sharding)


def test_partition_spec(jax_reference):
  jP = jax_reference.P
  for spec in [(), ("a",), (("a",),), (None, ("a", "b")), ("a", None)]:
    assert repr(P(*spec)) == repr(jP(*spec))
  assert P("a", None) == P("a", None) and P("a") != P("a", None)
  assert P("a") != ("a",) and hash(P("x", "y")) == hash(P("x", "y"))
  assert P("a", None) + P("b") == P("a", None, "b")
  assert ("x",) + P("y") == P("x", "y")
  assert jaxlite.P is P
  assert pickle.loads(pickle.dumps(P("a", ("b", "c")))) == P("a", ("b", "c"))
  assert jaxlite.tree_util.tree_leaves([P("a"), 1]) == [P("a"), 1]
  assert repr(P("a", unreduced={"b"})) == repr(jP("a", unreduced={"b"}))
  with pytest.raises(ValueError, match="unreduced cannot contain None"):
    P(unreduced={None})


def test_mesh_and_abstract_mesh(meshes, jax_reference):
  mesh, jmesh = meshes
  assert repr(mesh) == repr(jmesh) and str(mesh) == str(jmesh)
  assert mesh.shape == jmesh.shape and mesh.size == 8 and mesh.axis_sizes == (2, 4)
  np.testing.assert_array_equal(mesh.device_ids, jmesh.device_ids)
  assert repr(mesh.abstract_mesh) == repr(jmesh.abstract_mesh)
  assert repr(AbstractMesh((2, 4), ("a", "b"))) == repr(
      jax_reference.sharding.AbstractMesh((2, 4), ("a", "b")))
  assert mesh == Mesh(np.array(jaxlite.devices()).reshape(2, 4), ("a", "b"))
  assert str(mesh.local_mesh) == str(jmesh.local_mesh)
  with pytest.raises(ValueError, match="AbstractMesh does not implement devices"):
    AbstractMesh((2,), ("x",)).devices
  with pytest.raises(ValueError, match="Mesh requires the ndim"):
    Mesh(np.array(jaxlite.devices()), ("a", "b"))
  with pytest.warns(DeprecationWarning):
    with mesh:
      pass


def test_make_mesh_and_create_device_mesh(meshes, jax_reference):
  jax = jax_reference
  from jax.experimental import mesh_utils as jax_mesh_utils
  m, jm = jaxlite.make_mesh((2, 4), ("data", "model")), jax.make_mesh((2, 4), ("data", "model"))
  assert repr(m) == repr(jm) and m.axis_types == (AxisType.Explicit,) * 2
  np.testing.assert_array_equal(m.device_ids, jm.device_ids)
  m = jaxlite.make_mesh((4,), ("x",), axis_types=(AxisType.Auto,))
  assert m.size == 4 and m.axis_types == (AxisType.Auto,)
  ids = np.vectorize(lambda d: d.id)(mesh_utils.create_device_mesh((4, 2)))
  jids = np.vectorize(lambda d: d.id)(
      jax_mesh_utils.create_device_mesh((4, 2)))
  np.testing.assert_array_equal(ids, jids)
  with pytest.raises(ValueError, match="must be >= the product"):
    jaxlite.make_mesh((4, 4), ("a", "b"))


def test_errors_match_jax(meshes, jax_reference):
  mesh, jmesh = meshes
  jax = jax_reference
  cases = [lambda ns, m, p: ns(m, p("c")), lambda ns, m, p: ns(m, p("a", "a")),
           lambda ns, m, p: ns(m, p("a")).shard_shape((3,))]
  for case in cases:
    with pytest.raises(Exception) as ours:
      case(NamedSharding, mesh, P)
    with pytest.raises(Exception) as theirs:
      case(jax.sharding.NamedSharding, jmesh, jax.P)
    assert str(ours.value) == str(theirs.value)
    assert type(ours.value).__name__ == type(theirs.value).__name__


def test_single_device_sharding(jax_reference):
  x, jx = jnp.ones(3), jax_reference.numpy.ones(3)
  assert repr(x.sharding) == repr(jx.sharding)
  assert isinstance(x.sharding, SingleDeviceSharding)
  assert x.sharding == SingleDeviceSharding(jaxlite.devices()[0])
  assert x.sharding.devices_indices_map((3,)) == {jaxlite.devices()[0]: (slice(None),)}
  assert x.sharding.is_equivalent_to(SingleDeviceSharding(jaxlite.devices()[0]), 1)
  assert x.sharding.shard_shape((3, 2)) == (3, 2)
  assert x.sharding.device_set == {jaxlite.devices()[0]}


def test_set_mesh(meshes):
  mesh, _ = meshes
  from jaxlite.sharding import get_abstract_mesh, get_mesh, set_mesh
  with set_mesh(mesh):
    assert get_mesh() is mesh and get_abstract_mesh() == mesh.abstract_mesh
  assert get_mesh().empty and get_abstract_mesh().empty


@pytest.mark.parametrize("shape,spec", [((8, 8), ("a", "b")), ((8, 8), ("a",)),
                                        ((8, 16), (("a", "b"),)), ((16,), ("b",)),
                                        ((8,), ()), ((8, 4), ("b", "a")), ((32, 8), ("a",))])
def test_visualize_array_sharding_matches_jax(meshes, jax_reference, capsys, shape, spec):
  mesh, jmesh = meshes
  jax = jax_reference
  x = np.zeros(shape, np.float32)
  jaxlite.debug.visualize_array_sharding(jaxlite.device_put(x, NamedSharding(mesh, P(*spec))))
  ours = capsys.readouterr().out
  jax.debug.visualize_array_sharding(
      jax.device_put(x, jax.sharding.NamedSharding(jmesh, jax.P(*spec))))
  assert ours == capsys.readouterr().out
  seen = []
  jaxlite.debug.inspect_array_sharding(jnp.ones(2), callback=seen.append)
  assert isinstance(seen[0], SingleDeviceSharding)
