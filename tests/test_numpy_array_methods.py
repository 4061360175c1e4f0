"""Operators and methods of Array and Tracer, scalar types and dtype queries."""
import operator

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import core

_A = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
_B = np.array([[2.0, 1.0, -3.0], [1.5, 0.5, 2.0]], np.float32)
_I = np.array([[3, -4, 5], [7, 2, -1]], np.int32)

_BINARY_OPS = [operator.add, operator.sub, operator.mul, operator.truediv,
               operator.floordiv, operator.mod, operator.pow, operator.eq, operator.ne,
               operator.lt, operator.le, operator.gt, operator.ge]


@pytest.mark.parametrize("op", _BINARY_OPS, ids=lambda o: o.__name__)
def test_binary_operators(op):
  a, b = jnp.asarray(_A), jnp.asarray(_B)
  with np.errstate(all="ignore"):
    for got, want in [(op(a, b), op(_A, _B)), (op(a, 2.0), op(_A, np.float32(2.0))),
                      (op(3.0, b), op(np.float32(3.0), _B)), (op(a, _B), op(_A, _B)),
                      (op(a, b[0]), op(_A, _B[0]))]:
      assert got.dtype == np.asarray(want).dtype
      np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("op", [operator.and_, operator.or_, operator.xor, operator.lshift,
                                operator.rshift, operator.add, operator.sub],
                         ids=lambda o: o.__name__)
def test_integer_operators(op):
  shift = np.abs(_I) % 4
  i, s = jnp.asarray(_I), jnp.asarray(shift)
  np.testing.assert_array_equal(op(i, s), op(_I, shift))
  np.testing.assert_array_equal(op(i, 1), op(_I, 1))
  np.testing.assert_array_equal(op(1, s), op(1, shift))


def test_unary_operators_and_matmul():
  a = jnp.asarray(_A)
  np.testing.assert_array_equal(-a, -_A)
  np.testing.assert_array_equal(+a, _A)
  np.testing.assert_array_equal(abs(a), abs(_A))
  np.testing.assert_array_equal(~jnp.asarray(_I), ~_I)
  np.testing.assert_allclose(a @ _B.T, _A @ _B.T)
  np.testing.assert_allclose(_B.T @ a, _B.T @ _A)
  q, r = divmod(a, 2.0)
  np.testing.assert_allclose(q, _A // 2)
  np.testing.assert_allclose(r, _A % 2)


def test_fast_path_matches_slow_path_dtypes():
  x = jnp.asarray(np.ones(3, np.float16))
  assert (x + 1.0).dtype == np.float16              # weak float keeps float16
  assert (x + x).dtype == np.float16
  assert (jnp.asarray(np.ones(3, np.int32)) + 1.5).dtype == np.float32
  weak = jnp.asarray(2.0)
  assert (weak + 1.0).weak_type and not (jnp.ones(3) + 1.0).weak_type
  assert (jnp.ones(3, jnp.int32) * 2).dtype == np.int32
  assert (True + jnp.ones(2, jnp.bool_)).dtype == np.bool_  # Python bools are strong
  assert (1 + jnp.ones(2, jnp.bool_)).dtype == np.int32


def test_operators_on_tracers():
  jaxpr = jaxlite.make_jaxpr(lambda x, y: (x + y) * 2.0 - y / x)(_A, _B)
  names = [e.primitive.name for e in jaxpr.jaxpr.eqns]
  assert names == ["add", "mul", "div", "sub"]
  out = jaxlite.jit(lambda x, y: (x @ y.T)[0, 1] + x.T.sum())(_A, _B)
  np.testing.assert_allclose(out, (_A @ _B.T)[0, 1] + _A.sum(), rtol=1e-6)


def test_unsupported_operands():
  a = jnp.asarray(_A)
  with pytest.raises(TypeError):
    a + "text"
  assert (a == None) is False  # noqa: E711  (NotImplemented: identity comparison)
  with pytest.raises(TypeError):
    hash(a)


_METHODS = [
    ("sum", {}), ("sum", {"axis": 0}), ("mean", {"axis": 1}), ("max", {}), ("min", {"axis": 0}),
    ("prod", {}), ("std", {}), ("var", {"axis": 0}), ("any", {}), ("all", {}),
    ("argmax", {}), ("argmin", {"axis": 1}), ("cumsum", {"axis": 1}), ("cumprod", {}),
    ("ravel", {}), ("flatten", {}), ("squeeze", {}), ("swapaxes", (0, 1)),
    ("clip", {"min": 0, "max": 2}), ("round", {}), ("conj", {}), ("conjugate", {}),
    ("sort", {}), ("argsort", {}), ("trace", {}), ("diagonal", {}), ("ptp", {}),
    ("transpose", {}), ("copy", {}),
]


@pytest.mark.parametrize("name,kwargs", _METHODS, ids=[f"{m}{k}" for m, k in _METHODS])
def test_methods_against_numpy(name, kwargs):
  args = kwargs if isinstance(kwargs, tuple) else ()
  kwargs = kwargs if isinstance(kwargs, dict) else {}
  got = getattr(jnp.asarray(_A), name)(*args, **kwargs)
  if name in ("sort", "ptp"):  # in-place / removed as NumPy methods
    want = getattr(np, name)(_A, *args, **kwargs)
  else:
    want = getattr(_A, name)(*args, **kwargs)
  np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


def test_shape_methods_and_properties():
  a = jnp.asarray(_A)
  assert a.reshape(3, 2).shape == (3, 2) and a.reshape((-1,)).shape == (6,)
  assert a.transpose(1, 0).shape == (3, 2) and a.transpose((1, 0)).shape == (3, 2)
  assert a.T.shape == (3, 2) and a.mT.shape == (3, 2)
  assert a.astype(jnp.int32).dtype == np.int32
  np.testing.assert_allclose(a.dot(_B.T), _A.dot(_B.T))
  np.testing.assert_array_equal(a.take(np.array([0, 4])), _A.take([0, 4]))
  np.testing.assert_array_equal(a.nonzero()[1], _A.nonzero()[1])
  z = jnp.asarray(np.array([1 + 2j], np.complex64))
  assert z.real.dtype == np.float32 and float(z.imag[0]) == 2.0
  assert a.__array_namespace__() is jnp
  assert 4.0 in a and 10.0 not in a
  assert isinstance(a, jnp.ndarray)


def test_scalar_types():
  x = jnp.float32(3)
  assert isinstance(x, jaxlite.Array) and x.dtype == np.float32 and x.shape == ()
  assert jnp.int8(np.array([1, 2])).dtype == np.int8
  assert np.dtype(jnp.bfloat16) == jnp.dtype("bfloat16")
  assert jnp.float32 == np.float32 and hash(jnp.float32) == hash(np.float32)
  assert jnp.zeros(2, jnp.float16).dtype == np.float16
  assert jnp.issubdtype(jnp.bfloat16, jnp.floating)
  assert jnp.issubdtype(jnp.int4, jnp.signedinteger)
  assert not jnp.issubdtype(jnp.float32, jnp.integer)
  assert jnp.isdtype(jnp.int32, "integral")
  assert jnp.can_cast(jnp.int8, jnp.int32) and not jnp.can_cast(jnp.float32, jnp.int32)
  assert jnp.result_type(jnp.int8, 1.0) == np.float32
  assert jnp.promote_types(jnp.uint8, jnp.int8) == np.int16
  assert jnp.iinfo(jnp.int16).max == 32767 and jnp.finfo(jnp.bfloat16).bits == 16
  assert jnp.isscalar(1.0) and not jnp.isscalar(jnp.zeros(2))
  assert jnp.iscomplexobj(jnp.complex64(1j)) and jnp.isrealobj(1.0)
  assert jnp.newaxis is None and jnp.pi == np.pi and np.isnan(jnp.nan)


def test_scalar_types_match_jax():
  jax_jnp = pytest.importorskip("jax.numpy")
  for name in ("float32", "int8", "uint16", "bfloat16", "complex64", "bool_"):
    ours, theirs = getattr(jnp, name)(1), getattr(jax_jnp, name)(1)
    assert ours.dtype == theirs.dtype and ours.weak_type == theirs.weak_type


def test_concretization_errors():
  with pytest.raises(core.ConcretizationTypeError):
    jaxlite.jit(lambda n: jnp.zeros(n))(3)
  with pytest.raises(core.ConcretizationTypeError):
    jaxlite.jit(lambda n: jnp.arange(n))(3)
  with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
    jnp.sum(jnp.asarray(_A), axis=2)
  with pytest.raises(IndexError, match="tuple index out of range"):  # as JAX 0.10.2
    jnp.asarray(_A).mean(axis=-3)
