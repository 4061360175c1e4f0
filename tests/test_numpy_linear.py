"""jnp linear products and einsum against NumPy."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

_A = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
_B = np.arange(12, dtype=np.float32).reshape(3, 4) / 8 - 0.5
_C = np.ones((4, 2), np.float32) * np.array([1.0, -2.0], np.float32)


def _check(got, want, rtol=1e-5):
  got = np.asarray(got)
  assert got.shape == np.shape(want), (got.shape, np.shape(want))
  np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-5)


_CASES = [
    ("dot", lambda m: m.dot(_A, _B)), ("dot_vec", lambda m: m.dot(_A[0], _A[1])),
    ("dot_scalar", lambda m: m.dot(2.0, _A)), ("dot_nd", lambda m: m.dot(
        np.ones((2, 3, 4), np.float32), np.ones((5, 4, 2), np.float32))),
    ("matmul", lambda m: m.matmul(np.ones((2, 1, 2, 3), np.float32), np.ones((3, 3, 1),
                                                                             np.float32))),
    ("matmul_vec", lambda m: m.matmul(_A, _A[0])), ("vec_matmul", lambda m: m.matmul(_A[0], _B)),
    ("vdot", lambda m: m.vdot(_A, _A)),
    ("tensordot", lambda m: m.tensordot(np.ones((2, 3, 4), np.float32),
                                        np.ones((4, 3, 5), np.float32), axes=([1, 2], [1, 0]))),
    ("tensordot_int", lambda m: m.tensordot(_A, _B, axes=1)),
    ("inner", lambda m: m.inner(_A, _A)), ("outer", lambda m: m.outer(_A, _B[0])),
    ("kron", lambda m: m.kron(_A, _B[:2, :2])), ("trace", lambda m: m.trace(_B, 1)),
    ("diagonal", lambda m: m.diagonal(np.ones((2, 3, 4)) * np.arange(4), -1, 2, 1)),
    ("diag_1d", lambda m: m.diag(np.arange(3), 1)), ("diag_2d", lambda m: m.diag(_B, -1)),
    ("diagflat", lambda m: m.diagflat(_A, -1)),
    ("cross", lambda m: m.cross(np.array([[1., 2, 3], [4, 5, 6]]), np.array([[7., 8, 9],
                                                                              [1, 0, 2]]))),
    ("cross_2d", lambda m: m.cross(np.array([1., 2]), np.array([3., 4]))),
]


@pytest.mark.parametrize("name,f", _CASES, ids=[c[0] for c in _CASES])
def test_against_numpy(name, f):
  _check(f(jnp), f(np))


def test_vecdot_matvec_vecmat():
  _check(jnp.vecdot(_A, _A[0]), np.sum(_A * _A[0], axis=-1))
  _check(jnp.matvec(_B.T, _B[:, 0]), _B.T @ _B[:, 0])
  _check(jnp.vecmat(_B[:, 0], _B), _B[:, 0] @ _B)
  _check(_A @ jnp.asarray(_B), _A @ _B)


_EINSUM = [
    ("ij,jk->ik", (_A, _B)), ("ij,jk", (_A, _B)), ("ii->i", (_B[:, :3],)),
    ("ii", (_B[:, :3],)), ("ij->", (_A,)), ("ij->ji", (_A,)), ("i,i", (_A[0], _A[1])),
    ("i,j->ij", (_A[0], _B[0])), ("...ij,...jk->...ik", (np.ones((2, 2, 3), np.float32),
                                                        np.ones((2, 3, 4), np.float32))),
    ("ij,jk,kl->il", (_A, _B, _C)), ("bij,bjk->bik", (np.ones((2, 2, 3), np.float32),
                                                      np.ones((2, 3, 2), np.float32))),
    ("ij,ij->i", (_A, _A)), ("iij->j", (np.ones((2, 2, 3), np.float32),)),
    ("ij,kj->ki", (_A, _A)), ("ab,b...->a...", (_A, np.ones((3, 1, 2), np.float32))),
    ("i...,i...->...", (np.ones((2, 1, 3), np.float32), np.ones((2, 4, 1), np.float32))),
    ("ij,jk,kl,lm->im", (_A, _B, _C, _C.T)),
]


@pytest.mark.parametrize("spec,ops", _EINSUM, ids=[e[0] for e in _EINSUM])
def test_einsum(spec, ops):
  _check(jnp.einsum(spec, *ops), np.einsum(spec, *ops))


def test_einsum_options():
  want = np.einsum("ij,jk,kl->il", _A, _B, _C)
  _check(jnp.einsum("ij,jk,kl->il", _A, _B, _C, optimize=False), want)
  _check(jnp.einsum("ij,jk,kl->il", _A, _B, _C, optimize="greedy"), want)
  _check(jnp.einsum(_A, [0, 1], _B, [1, 2], [0, 2]), np.einsum(_A, [0, 1], _B, [1, 2], [0, 2]))
  out = jnp.einsum("ij,jk->ik", _A.astype(np.int8), _B.astype(np.int8),
                   preferred_element_type=jnp.int32)
  assert out.dtype == np.int32
  _check(jaxlite.jit(lambda a, b: jnp.einsum("ij,jk->ik", a, b))(_A, _B), _A @ _B)
  path, _ = jnp.einsum_path("ij,jk,kl->il", _A, _B, _C)
  assert len(path) == 2 and all(len(pair) == 2 for pair in path)   # opt_einsum's, as JAX


def test_einsum_contracts_with_dot_general():
  jaxpr = jaxlite.make_jaxpr(lambda a, b, c: jnp.einsum("ij,jk,kl->il", a, b, c))(_A, _B, _C)
  names = [e.primitive.name for e in jaxpr.jaxpr.eqns]
  assert names.count("dot_general") == 2


def test_dtypes_and_errors():
  assert jnp.dot(np.ones(2, np.int8), np.ones(2, np.float16)).dtype == np.float16
  assert jnp.matmul(np.ones((2, 2), np.int32), np.ones((2, 2), np.int32)).dtype == np.int32
  with pytest.raises(ValueError, match="matmul input operand 0 must have ndim at least 1"):
    jnp.matmul(1.0, _A)
  with pytest.raises(TypeError, match="dot_general requires contracting dimensions"):  # JAX
    jnp.matmul(_A, _A)
  with pytest.raises(ValueError, match="Dimension must be either 2 or 3"):
    jnp.cross(np.ones(4), np.ones(4))
  with pytest.raises(ValueError):
    jnp.einsum("ij,jk->ik", _A, _A)


_EINSUM_CASES = [
    ("ij,jk,kl", [(2, 3), (3, 4), (4, 5)], {}),
    ("ij,jk,kl->il", [(8, 2), (2, 9), (9, 3)], {}),   # the pair's operand order changes bits
    ("ij,jk,kl->il", [(8, 2), (2, 9), (9, 3)], dict(optimize=True)),
    ("ij,jk,kl->il", [(8, 2), (2, 9), (9, 3)], dict(optimize=False)),
    ("ij,jk,kl->il", [(8, 2), (2, 9), (9, 3)], dict(optimize=[(0, 1), (0, 1)])),
    ("...ij,...jk,...kl->...il", [(2, 3, 4), (2, 4, 5), (5, 6)], {}),
    ("ab,bc,cd,de->ae", [(5, 1), (1, 6), (6, 2), (2, 7)], {}),
    ("ijk,jl,kl->i", [(2, 3, 4), (3, 5), (4, 5)], {}),
    ("i,i,i->", [(4,), (4,), (4,)], {}),
]


@pytest.mark.parametrize("case", range(len(_EINSUM_CASES)))
def test_einsum_of_three_or_more_operands_is_jaxs(jax_reference, case):
  # JAX contracts in opt_einsum's order and swaps each pair's dot_general
  # operands when that saves a transpose; the same steps give the same bits.
  jax = jax_reference
  subscripts, shapes, kw = _EINSUM_CASES[case]
  rng = np.random.RandomState(case)
  ops = [rng.randn(*s).astype(np.float32) for s in shapes]
  ours = jaxlite.make_jaxpr(lambda *o: jnp.einsum(subscripts, *o, **kw))(*ops)
  theirs = jax.make_jaxpr(lambda *o: jax.numpy.einsum(subscripts, *o, **kw))(*ops)
  assert str(ours) == str(theirs)
  np.testing.assert_array_equal(jnp.einsum(subscripts, *ops, **kw),
                                jax.numpy.einsum(subscripts, *ops, **kw))
  optimize = {k: v for k, v in kw.items() if k == "optimize"}
  path, info = jnp.einsum_path(subscripts, *ops, **optimize)
  jpath, jinfo = jax.numpy.einsum_path(subscripts, *ops, **optimize)
  assert path == jpath and str(info) == str(jinfo)
