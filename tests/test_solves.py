"""lax.custom_linear_solve, lax.custom_root and jax.scipy.sparse.linalg (cg,
bicgstab, gmres) against JAX 0.10.2 in the same run: values, jvp, grad,
jit and vmap."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.scipy.sparse import linalg as sparse_linalg

RNG = np.random.RandomState(0)
_A = RNG.randn(4, 4).astype(np.float32)
SPD = _A @ _A.T + 4 * np.eye(4, dtype=np.float32)     # symmetric positive definite
NONSYM = _A + 5 * np.eye(4, dtype=np.float32)
B = RNG.randn(4).astype(np.float32)


def close(a, b, tol=2e-5):
  np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def agree(ours, theirs, tol):
  """Every entry (a pytree of arrays) of two results dicts agrees within ``tol``."""
  import jax
  assert ours.keys() == theirs.keys()
  for key in theirs:
    for o, t in zip(jaxlite.tree_util.tree_leaves(ours[key]),
                    jax.tree_util.tree_leaves(theirs[key]), strict=True):
      close(o, t, tol)


def _linear_solve_program(jax_mod, np_mod, lax_mod):
  """The same custom_linear_solve program for either library."""
  def solve(a, b):
    mv = lambda x: np_mod.dot(a, x)
    return lax_mod.custom_linear_solve(
        mv, b, lambda m, x: np_mod.linalg.solve(a, x),
        lambda m, x: np_mod.linalg.solve(a.T, x))

  def loss(a, b):
    return np_mod.sum(solve(a, b) ** 2)
  return {
      "value": solve(NONSYM, B),
      "grad_a": jax_mod.grad(loss)(NONSYM, B),
      "grad_b_jit": jax_mod.jit(jax_mod.grad(loss, 1))(NONSYM, B),
      "jvp": jax_mod.jvp(solve, (NONSYM, B), (np.ones_like(NONSYM), np.ones_like(B)))[1],
      "vmap_b": jax_mod.vmap(solve, (None, 0))(NONSYM, np.stack([B, 2 * B])),
      "vmap_a": jax_mod.vmap(solve, (0, None))(np.stack([NONSYM, SPD]), B),
      "jacrev_vmap": jax_mod.vmap(jax_mod.grad(loss))(np.stack([NONSYM, SPD]),
                                                     np.stack([B, B])),
  }


def test_custom_linear_solve_matches_jax(jax_reference):
  import jax
  import jax.numpy as jjnp
  agree(_linear_solve_program(jaxlite, jnp, lax),
        _linear_solve_program(jax, jjnp, jax.lax), 1e-4)


def test_custom_linear_solve_aux_and_pytree():
  a = jnp.asarray(SPD)
  b = {"u": jnp.asarray(B[:2]), "v": jnp.asarray(B[2:])}

  def mv(x):
    full = a @ jnp.concatenate([x["u"], x["v"]])
    return {"u": full[:2], "v": full[2:]}

  def solve(matvec, x):
    full = jnp.linalg.solve(a, jnp.concatenate([x["u"], x["v"]]))
    return {"u": full[:2], "v": full[2:]}, jnp.int32(7)

  x, aux = lax.custom_linear_solve(mv, b, solve, symmetric=True, has_aux=True)
  close(np.concatenate([x["u"], x["v"]]), np.linalg.solve(SPD, B), 1e-5)
  assert int(aux) == 7
  g = jaxlite.grad(lambda b: lax.custom_linear_solve(mv, b, solve, symmetric=True,
                                                     has_aux=True)[0]["u"].sum())(b)
  expected = np.linalg.solve(SPD, np.array([1, 1, 0, 0], np.float32))
  close(np.concatenate([g["u"], g["v"]]), expected, 1e-5)


def test_custom_linear_solve_errors():
  a = jnp.asarray(SPD)
  with pytest.raises(TypeError, match=r"transpose_solve required for backwards mode"):
    jaxlite.grad(lambda b: lax.custom_linear_solve(
        lambda x: a @ x, b, lambda m, x: jnp.linalg.solve(a, x)).sum())(jnp.asarray(B))
  with pytest.raises(ValueError, match=r"matvec\(\) output shapes must match b"):
    lax.custom_linear_solve(lambda x: x[:2], jnp.asarray(B), lambda m, x: x)
  with pytest.raises(TypeError, match=r"solve\(\) output pytree structure must match b"):
    lax.custom_linear_solve(lambda x: x, jnp.asarray(B), lambda m, x: (x,))


def _root_program(jax_mod, np_mod, lax_mod):
  def cube_root(a):
    f = lambda x: x ** 3 - a
    newton = lambda f, x: lax_mod.fori_loop(0, 30, lambda i, x: x - f(x) / (3 * x ** 2), x)
    return lax_mod.custom_root(f, np_mod.ones_like(a), newton,
                               lambda g, y: y / g(np_mod.ones_like(y)))

  xs = np.array([8.0, 2.0, 0.5], np.float32)
  return {
      "value": jax_mod.vmap(cube_root)(xs),
      "grad": jax_mod.vmap(jax_mod.grad(cube_root))(xs),
      "grad_jit": jax_mod.jit(jax_mod.grad(cube_root))(np.float32(8.0)),
      "hessian": jax_mod.grad(jax_mod.grad(cube_root))(np.float32(8.0)),
      "jvp": jax_mod.jvp(cube_root, (np.float32(2.0),), (np.float32(1.0),))[1],
  }


def test_custom_root_matches_jax(jax_reference):
  import jax
  import jax.numpy as jjnp
  agree(_root_program(jaxlite, jnp, lax), _root_program(jax, jjnp, jax.lax), 1e-5)


def test_custom_root_has_aux_and_errors():
  f = lambda x: x * x - 4.0
  newton = lambda f, x: (lax.fori_loop(0, 20, lambda i, x: x - f(x) / (2 * x), x),
                         jnp.int32(20))
  root, iters = lax.custom_root(f, 1.0, newton, lambda g, y: y / g(1.0), has_aux=True)
  close(root, 2.0)
  assert int(iters) == 20
  with pytest.raises(TypeError, match=r"f\(\) output pytree structure must match"):
    lax.custom_root(lambda x: (x, x), 1.0, lambda f, x: x, lambda g, y: y)


def _sparse_program(jax_mod, L):
  def loss_cg(b):
    return L.cg(SPD, b)[0].sum()

  def loss_bicg(a):
    return (L.bicgstab(a, B)[0] ** 2).sum()

  def loss_gmres(a):
    return (L.gmres(a, B, restart=3)[0] ** 2).sum()

  precond = np.diag(1 / np.diag(SPD)).astype(np.float32)
  return {
      "cg": L.cg(SPD, B)[0],
      "cg_fun_precond": L.cg(lambda x: SPD @ x, B, M=precond)[0],
      "cg_pytree": L.cg(lambda t: {"a": 2 * t["a"], "b": 3 * t["b"]},
                        {"a": B[:2], "b": B[2:]})[0],
      "cg_maxiter": L.cg(SPD, B, maxiter=2)[0],
      "bicgstab": L.bicgstab(NONSYM, B)[0],
      "gmres_batched": L.gmres(NONSYM, B)[0],
      "gmres_incremental": L.gmres(NONSYM, B, solve_method="incremental", restart=2)[0],
      "gmres_info": L.gmres(NONSYM, B)[1],
      "grad_cg": jax_mod.grad(loss_cg)(B),
      "grad_bicgstab_jit": jax_mod.jit(jax_mod.grad(loss_bicg))(NONSYM),
      "grad_gmres": jax_mod.grad(loss_gmres)(NONSYM),
      "vmap_cg": jax_mod.vmap(lambda b: L.cg(SPD, b)[0])(np.stack([B, -B])),
  }


def test_sparse_linalg_matches_jax(jax_reference):
  import jax
  from jax.scipy.sparse import linalg as jax_sparse_linalg
  agree(_sparse_program(jaxlite, sparse_linalg), _sparse_program(jax, jax_sparse_linalg),
        1e-4)


def test_sparse_linalg_argument_errors():
  with pytest.raises(ValueError, match="linear operator must be a square matrix"):
    sparse_linalg.cg(np.ones((2, 3), np.float32), B[:2])
  with pytest.raises(ValueError, match="x0 and b must have matching tree structure"):
    sparse_linalg.cg(SPD, B, x0=(B,))
  with pytest.raises(ValueError, match="invalid solve_method"):
    sparse_linalg.gmres(NONSYM, B, solve_method="qr")
