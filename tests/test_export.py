"""jax.export: export -> serialize -> deserialize -> call gives JAX's numbers
(JAX's export of the same function, called in the same run), with pytrees,
jit, gradients through the exported VJP, and JAX's errors."""
import collections

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import export

jax = pytest.importorskip("jax")
jax_export = pytest.importorskip("jax.export")

Params = collections.namedtuple("Params", "w b")
export.register_namedtuple_serialization(Params, serialized_name="test_export.Params")


def _model(np_):
  def model(params, x, *, scale):
    hidden = np_.tanh(x @ params.w + params.b)
    return {"out": hidden * scale, "norm": np_.sum(hidden ** 2)}
  return model


def _inputs():
  rng = np.random.default_rng(0)
  params = Params(rng.standard_normal((3, 4)).astype(np.float32),
                  rng.standard_normal(4).astype(np.float32))
  x = rng.standard_normal((2, 3)).astype(np.float32)
  return params, x, np.float32(0.5)


def test_round_trip_matches_jax():
  params, x, scale = _inputs()
  exported = export.export(jaxlite.jit(_model(jnp)))(params, x, scale=scale)
  rehydrated = export.deserialize(exported.serialize())
  ours = rehydrated.call(params, x, scale=scale)
  jax_exported = jax_export.export(jax.jit(_model(jax.numpy)))(params, x, scale=scale)
  theirs = jax_exported.call(params, x, scale=scale)
  assert sorted(ours) == sorted(theirs)
  for key in theirs:
    np.testing.assert_allclose(np.asarray(ours[key]), np.asarray(theirs[key]), rtol=1e-6)
  assert str(rehydrated.in_avals) == str(jax_exported.in_avals)
  assert str(rehydrated.out_avals) == str(jax_exported.out_avals)
  assert str(rehydrated.in_tree).replace("test_export.", "") == \
      str(jax_exported.in_tree).replace("test_export.", "")
  assert rehydrated.out_tree == exported.out_tree
  assert rehydrated.fun_name == jax_exported.fun_name == "model"
  assert rehydrated.platforms == jax_exported.platforms == ("cpu",)
  assert rehydrated.nr_devices == jax_exported.nr_devices
  assert rehydrated.calling_convention_version == jax_exported.calling_convention_version
  assert "func.func public @main" in rehydrated.mlir_module()
  assert rehydrated.mlir_module_serialized == exported.mlir_module_serialized


def test_call_under_jit_vmap_free_transformations_and_grad():
  params, x, scale = _inputs()
  exported = export.export(jaxlite.jit(_model(jnp)))(params, x, scale=scale)
  jax_exported = jax_export.export(jax.jit(_model(jax.numpy)))(params, x, scale=scale)

  def loss(exp, np_):
    return lambda p, x: np_.sum(exp.call(p, x, scale=scale)["out"] ** 2) + \
        exp.call(p, x, scale=scale)["norm"]
  ours = jaxlite.jit(jaxlite.grad(loss(exported, jnp)))(params, x)
  theirs = jax.grad(loss(jax_exported, jax.numpy))(params, x)
  for a, b in zip(ours, theirs):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
  # After a round trip the VJP travels along when asked for.
  again = export.deserialize(exported.serialize(vjp_order=1))
  grads = jaxlite.grad(loss(again, jnp))(params, x)
  for a, b in zip(grads, theirs):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
  without = export.deserialize(exported.serialize())
  assert not without.has_vjp()
  with pytest.raises(ValueError, match="No VJP is available"):
    jaxlite.grad(loss(without, jnp))(params, x)


def test_vjp_export_matches_jax():
  exported = export.export(jaxlite.jit(jnp.sin))(np.float32(0.5))
  jax_exported = jax_export.export(jax.jit(jax.numpy.sin))(np.float32(0.5))
  ours = exported.vjp()
  theirs = jax_exported.vjp()
  assert str(ours.in_avals) == str(theirs.in_avals)
  np.testing.assert_allclose(np.asarray(ours.call(np.float32(0.5), np.float32(2.0))),
                             np.asarray(theirs.call(np.float32(0.5), np.float32(2.0))))


def test_errors_as_jax():
  messages = []
  for api, exp_mod, np_ in ((jaxlite, export, jnp), (jax, jax_export, jax.numpy)):
    with pytest.raises(ValueError, match="must be the result of `jit`"):
      exp_mod.export(lambda x: np_.sin(x))
    exported = exp_mod.export(api.jit(lambda x, y: x + y))(np.ones(3, np.float32),
                                                           np.ones(3, np.float32))
    got = []
    for args in ((np.ones(4, np.float32), np.ones(3, np.float32)),
                 (np.ones(3, np.int32), np.ones(3, np.float32)),
                 (np.ones((3, 1), np.float32), np.ones(3, np.float32))):
      with pytest.raises(ValueError) as info:
        exported.call(*args)
      got.append(str(info.value).splitlines()[0])
    with pytest.raises(ValueError, match="same pytree structure"):
      exported.call(np.ones(3, np.float32))
    messages.append(got)
  assert messages[0] == messages[1]


def test_unstable_custom_calls_are_refused():
  def with_callback(x):
    return jaxlite.pure_callback(lambda a: a, jaxlite.ShapeDtypeStruct((2,), np.float32), x)
  with pytest.raises(ValueError, match="custom calls whose targets have no compatibility"):
    export.export(jaxlite.jit(with_callback))(np.ones(2, np.float32))
  # jaxlib's LAPACK kernels are stable targets: cholesky exports and runs.
  a = np.array([[4.0, 2.0], [2.0, 3.0]], np.float32)
  exported = export.export(jaxlite.jit(jnp.linalg.cholesky))(a)
  np.testing.assert_allclose(np.asarray(export.deserialize(exported.serialize()).call(a)),
                             np.linalg.cholesky(a), rtol=1e-6)
  assert "lapack_spotrf_ffi" in exported.mlir_module()


def test_names_and_helpers_as_jax():
  assert export.default_export_platform() == jax_export.default_export_platform()
  assert (export.minimum_supported_calling_convention_version,
          export.maximum_supported_calling_convention_version) == (
      jax_export.minimum_supported_calling_convention_version,
      jax_export.maximum_supported_calling_convention_version)
  for ours, theirs in ((export.DisabledSafetyCheck.platform(),
                        jax_export.DisabledSafetyCheck.platform()),
                       (export.DisabledSafetyCheck.custom_call("t"),
                        jax_export.DisabledSafetyCheck.custom_call("t"))):
    assert str(ours) == str(theirs) and ours.is_custom_call() == theirs.is_custom_call()
  assert export.DisabledSafetyCheck.platform() == export.DisabledSafetyCheck.platform()
  assert not export.is_symbolic_dim(3) and not jax_export.is_symbolic_dim(3)
  with pytest.raises(ValueError, match="Duplicate serialization registration"):
    export.register_namedtuple_serialization(Params, serialized_name="other")
  with pytest.raises(ValueError, match="Use `jax.export.register_pytree_node_serialization`"):
    export.register_namedtuple_serialization(dict, serialized_name="d")
  Unregistered = collections.namedtuple("Unregistered", "a")
  exported = export.export(jaxlite.jit(lambda t: t.a))(Unregistered(np.float32(1)))
  with pytest.raises(ValueError, match="Cannot serialize PyTreeDef containing an unregistered"):
    exported.serialize()
  od = collections.OrderedDict(b=np.float32(1), a=np.float32(2))
  exported = export.export(jaxlite.jit(lambda d: d["a"] - d["b"]))(od)
  assert float(export.deserialize(exported.serialize()).call(od)) == 1.0
