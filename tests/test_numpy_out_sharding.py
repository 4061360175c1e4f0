"""``out_sharding=`` of jax.numpy's creation, reshaping and contracting
functions (None, a NamedSharding or a PartitionSpec, as in JAX 0.10.2), and
the other keyword arguments that JAX 0.10.2 added (argsort(dtype=),
compress(out=), corrcoef(dtype=), einsum_path's default), against JAX."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.sharding import NamedSharding, PartitionSpec as P

jax = pytest.importorskip("jax")
jjnp = pytest.importorskip("jax.numpy")

A = np.arange(6, dtype=np.float32).reshape(2, 3)
CASES = {
    "zeros": lambda lib, **kw: lib.zeros((2, 3), **kw),
    "ones": lambda lib, **kw: lib.ones((2, 3), **kw),
    "empty": lambda lib, **kw: lib.empty((2, 3), **kw),
    "full": lambda lib, **kw: lib.full((2, 3), 4.0, **kw),
    "zeros_like": lambda lib, **kw: lib.zeros_like(A, **kw),
    "ones_like": lambda lib, **kw: lib.ones_like(A, **kw),
    "full_like": lambda lib, **kw: lib.full_like(A, 2, **kw),
    "arange": lambda lib, **kw: lib.arange(6, **kw),
    "array": lambda lib, **kw: lib.array(A, **kw),
    "asarray": lambda lib, **kw: lib.asarray(A, **kw),
    "reshape": lambda lib, **kw: lib.reshape(A, (3, 2), **kw),
    "ravel": lambda lib, **kw: lib.ravel(A, **kw),
    "broadcast_to": lambda lib, **kw: lib.broadcast_to(A[0], (4, 3), **kw),
    "repeat": lambda lib, **kw: lib.repeat(A, 2, axis=0, **kw),
    "dot": lambda lib, **kw: lib.dot(A, A.T, **kw),
    "matmul": lambda lib, **kw: lib.matmul(A, A.T, **kw),
    "tensordot": lambda lib, **kw: lib.tensordot(A, A.T, 1, **kw),
    "linalg.tensordot": lambda lib, **kw: lib.linalg.tensordot(A, A.T, axes=1, **kw),
    "einsum": lambda lib, **kw: lib.einsum("ij,kj->ik", A, A, **kw),
    "percentile": lambda lib, **kw: lib.percentile(A, 50.0, axis=0, **kw),
    "bincount": lambda lib, **kw: lib.bincount(np.array([0, 1, 1, 3]), **kw),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_out_sharding_none_and_on_a_one_device_mesh(name):
  make = CASES[name]
  expected = make(jjnp)
  np.testing.assert_allclose(make(jnp, out_sharding=None), expected)
  mesh = jaxlite.make_mesh((1,), ("x",))
  spec = P() if name == "bincount" else P("x")
  sharding = NamedSharding(mesh, spec)
  out = make(jnp, out_sharding=sharding)
  np.testing.assert_allclose(out, expected)
  # the layout is applied, never dropped (spec padded to the rank, as JAX types it)
  assert out.sharding.is_equivalent_to(sharding, out.ndim)
  with pytest.raises(TypeError, match="`out_sharding` argument of"):
    make(jnp, out_sharding="x")


def test_device_and_out_sharding_are_exclusive_as_in_jax():
  for lib, mesh in ((jnp, jaxlite.make_mesh((1,), ("x",))), (jjnp, jax.make_mesh((1,), ("x",)))):
    sharding = (NamedSharding(mesh, P()) if lib is jnp else
                jax.sharding.NamedSharding(mesh, jax.P()))
    device = (jaxlite if lib is jnp else jax).devices()[0]
    with pytest.raises(ValueError, match="Only one of `device` or `out_sharding`"):
      lib.zeros(2, device=device, out_sharding=sharding)


def test_bincount_out_sharding_must_be_replicated():
  mesh = jaxlite.make_mesh((1,), ("x",))
  with pytest.raises(NotImplementedError, match="fully replicated"):
    jnp.bincount(np.array([0, 1]), out_sharding=NamedSharding(mesh, P("x")))


def test_array_order_and_device():
  np.testing.assert_array_equal(jnp.array([1, 2], order="K"), jjnp.array([1, 2], order="K"))
  out = jnp.array([1, 2], device=jaxlite.devices()[0])
  assert out.devices() == {jaxlite.devices()[0]}


@pytest.mark.parametrize("dtype", [None, np.int16, np.uint8])
def test_argsort_dtype(dtype):
  x = np.array([3, 1, 2, 1])
  for kw in ({}, {"descending": True}):
    ours, theirs = jnp.argsort(x, dtype=dtype, **kw), jjnp.argsort(x, dtype=dtype, **kw)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_argsort_kind_raises_as_jax():
  for lib in (jnp, jjnp):
    with pytest.raises(TypeError, match="'kind' argument to argsort is not supported"):
      lib.argsort(np.arange(3), kind="stable")


def test_compress_out_and_corrcoef_dtype():
  for lib in (jnp, jjnp):
    with pytest.raises(NotImplementedError, match="'out' argument to jnp.compress"):
      lib.compress(np.array([True]), np.arange(2), out=np.zeros(1))
    with pytest.raises(ValueError, match="dtype must be a subclass of float"):
      lib.corrcoef(A, dtype=np.int32)
  ours, theirs = jnp.corrcoef(A, dtype=np.float32), jjnp.corrcoef(A, dtype=np.float32)
  assert ours.dtype == theirs.dtype
  np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_dtype_is_numpys_dtype_class():
  assert jnp.dtype is np.dtype is jjnp.dtype
  assert isinstance(jnp.zeros(2).dtype, jnp.dtype)
  assert jnp.dtype("bfloat16") == jjnp.dtype("bfloat16")
  assert jnp.dtype(jnp.float32) == np.float32


def test_out_sharding_of_an_unsharded_type_is_no_layout():
  # flax.nnx passes `out_sharding=jax.typeof(x).sharding` for unsharded x: a
  # NamedSharding over the empty mesh. Eager and under jit, JAX's values and
  # single-device results (jit failed to verify its module: unknown mesh @mesh).
  def run(lib, lnp):
    x = lnp.ones((4, 3))
    s = lib.typeof(x).sharding
    f = lambda k, x: (lib.random.bernoulli(k, 0.7, x.shape, out_sharding=s),
                      lnp.zeros((2, 3), out_sharding=s),
                      lnp.dot(x, x.T, out_sharding=lib.typeof(x).sharding))
    return f(lib.random.key(0), x), lib.jit(f)(lib.random.key(0), x)
  for got, want in zip(run(jaxlite, jnp), run(jax, jjnp)):
    for g, w in zip(got, want):
      np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
      assert type(g.sharding).__name__ == type(w.sharding).__name__ == "SingleDeviceSharding"
