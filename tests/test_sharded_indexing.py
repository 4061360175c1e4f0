"""Eager indexing of arrays laid out over several devices against JAX 0.10.2,
on 8 CPU devices: an int or a partial slice is JAX's gather (values, result
shardings and types as JAX's on Auto meshes; JAX's errors on Explicit axes);
full slices and None stay slices."""
import numpy as np
import pytest

import jaxlite

INDICES = [
    0, -1, (slice(1, 5),), (slice(None, None, 2),), (slice(None, None, -1),),
    (slice(None), 2), (3, 4), (Ellipsis, slice(1, 3)), (None, slice(2, 6)),
    (slice(6, 1, -2), None, 1), (slice(None), slice(None)), (slice(0, 0),),
    (1, slice(None, None, -1)), (slice(2, 8), slice(1, 7, 3)),
]


@pytest.fixture(scope="module")
def jax(jax_reference):
  if len(jax_reference.devices()) < 8 or len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  return jax_reference


def _results(lib, kind, spec):
  P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
  mesh = (lib.make_mesh((2, 4), ("data", "model")) if kind == "explicit" else
          lib.sharding.Mesh(np.array(lib.devices()[:8]).reshape(2, 4), ("data", "model")))
  x = lib.device_put(lib.numpy.arange(64.0).reshape(8, 8), NS(mesh, P(*spec)))
  out = []
  for index in INDICES:
    try:
      r = x[index]
      out.append((np.asarray(r).tolist(), type(r.sharding).__name__,
                  str(getattr(r.sharding, "spec", None)), str(lib.typeof(r))))
    except Exception as e:  # pylint: disable=broad-except
      out.append((type(e).__name__, str(e).split("\n")[0]))
  return out


@pytest.mark.parametrize("kind", ["auto", "explicit"])
@pytest.mark.parametrize("spec", [("data", "model"), ("data",), ()])
def test_indexing_split_arrays_as_jax(jax, kind, spec):
  ours, theirs = _results(jaxlite, kind, spec), _results(jax, kind, spec)
  for index, a, b in zip(INDICES, ours, theirs):
    # (An empty slice on Explicit axes outside set_mesh: JAX's ValueError,
    # "Length of device assignment 1 is not equal to the size of the mesh 8".)
    assert a == b, index


def test_single_device_and_traced_indexing_stay_slices():
  x = jaxlite.numpy.arange(12.0).reshape(3, 4)
  text = jaxlite.jit(lambda a: a[1:, 0]).lower(x).as_text()
  assert "stablehlo.slice" in text and "gather" not in text
  assert x[1:, 0].tolist() == [4.0, 8.0]


def test_explicit_mesh_of_one_device_indexes_freely_as_jax(jax):
  # On a one-device Explicit mesh JAX indexes x[0], x[0:1]; a size-1 axis of an
  # 8-device mesh still needs .at[...].get(out_sharding=), as in JAX.
  def run(lib):
    P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
    out = []
    for shape, names in (((1,), ("one",)), ((1, 8), ("one", "eight"))):
      mesh = lib.make_mesh(shape, names, devices=lib.devices()[:int(np.prod(shape))])
      x = lib.device_put(lib.numpy.arange(16.0).reshape(2, 8), NS(mesh, P("one")))
      for index in (0, (slice(0, 1),), (1, slice(2, 5))):
        try:
          r = x[index]
          out.append((np.asarray(r).tolist(), str(lib.typeof(r))))
        except Exception as e:  # pylint: disable=broad-except
          out.append(type(e).__name__)
    return out
  assert run(jaxlite) == run(jax)
