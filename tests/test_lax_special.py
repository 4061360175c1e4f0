"""lax's special-function primitives (igamma, igammac, igamma_grad_a,
random_gamma_grad, betainc, zeta, polygamma, bessel_i0e/i1e): bit-equal to JAX
0.10.2 under jit (same algorithms), close to SciPy, with JAX's derivatives."""
import numpy as np
import pytest
import scipy.special as sps

import jaxlite
from jaxlite import lax
from jaxlite.test_util import check_grads

jax = pytest.importorskip("jax")

rng = np.random.RandomState(0)
_A = np.concatenate([rng.uniform(0.01, 10, 24), [0, 1, 2, np.inf, np.nan, -1, 0.5, 30]])
_X = np.concatenate([rng.uniform(0.01, 15, 24), [0, 0, 1, 3, 2, 1, np.inf, 40]])
_B = rng.uniform(0.1, 5, 32)
_U = np.concatenate([rng.uniform(0, 1, 28), [0, 1, -0.5, 1.5]])

CASES = {
    "igamma": ((_A, _X), sps.gammainc),
    "igammac": ((_A, _X), sps.gammaincc),
    "igamma_grad_a": ((_A, _X), None),
    "random_gamma_grad": ((_A, _X), None),
    "betainc": ((_A, _B, _U), sps.betainc),
    "zeta": ((_A + 1, _X + 0.5), sps.zeta),
    "polygamma": ((np.round(np.nan_to_num(_A, posinf=3)) % 4, _X + 0.1),
                  lambda n, x: sps.polygamma(n.astype(int), x)),
    "bessel_i0e": ((_X - 7,), sps.i0e),
    "bessel_i1e": ((_X - 7,), sps.i1e),
}


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def dtype(request):
  x64 = request.param == np.float64
  with jaxlite.enable_x64(x64), jax.enable_x64(x64):
    yield request.param


@pytest.mark.parametrize("name", sorted(CASES))
def test_bit_equal_to_jax_and_close_to_scipy(name, dtype):
  args, reference = CASES[name]
  args = [a.astype(dtype) for a in args]
  ours = np.asarray(jaxlite.jit(getattr(lax, name))(*args))
  theirs = np.asarray(jax.jit(getattr(jax.lax, name))(*args))
  assert ours.dtype == theirs.dtype == dtype
  np.testing.assert_array_equal(ours, theirs)
  if reference is not None:
    with np.errstate(all="ignore"):
      expected = reference(*[a.astype(np.float64) for a in args])
    # Edge values (nan, inf, a = 0) follow JAX's conventions, checked above.
    finite = np.isfinite(expected) & np.isfinite(ours) & (np.abs(expected) < 1e30)
    assert finite.sum() >= 20
    rtol = 2e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ours[finite], expected[finite], rtol=rtol, atol=rtol * 1e-3)


def test_eager_vmap_and_jit_agree():
  a, x = _A[:8].astype(np.float32), _X[:8].astype(np.float32)
  eager = np.asarray(lax.igamma(a, x))
  np.testing.assert_array_equal(eager, np.asarray(jaxlite.vmap(lax.igamma)(a, x)))
  np.testing.assert_array_equal(eager, np.asarray(jaxlite.jit(lax.igamma)(a, x)))


def test_half_precision_is_computed_in_float32():
  a = np.array([0.5, 2.0, 5.0], dtype=jaxlite.numpy.bfloat16)
  x = np.array([1.0, 1.0, 7.0], dtype=jaxlite.numpy.bfloat16)
  ours = lax.igamma(a, x)
  theirs = jax.lax.igamma(a, x)
  assert ours.dtype == theirs.dtype
  np.testing.assert_array_equal(np.asarray(ours, np.float32), np.asarray(theirs, np.float32))


def test_derivatives_match_jax():
  a, x, b, u = 2.5, 1.7, 1.5, 0.3
  for ours, theirs in [
      (jaxlite.grad(lax.igamma, (0, 1)), jax.grad(jax.lax.igamma, (0, 1))),
      (jaxlite.grad(lax.igammac, (0, 1)), jax.grad(jax.lax.igammac, (0, 1))),
  ]:
    np.testing.assert_allclose(ours(a, x), theirs(a, x), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(lax.betainc, 2)(a, b, u),
                             jax.grad(jax.lax.betainc, 2)(a, b, u), rtol=1e-6)
  for name in ["bessel_i0e", "bessel_i1e"]:
    np.testing.assert_allclose(jaxlite.grad(getattr(lax, name))(0.7),
                               jax.grad(getattr(jax.lax, name))(0.7), rtol=1e-6)
  np.testing.assert_allclose(jaxlite.grad(lax.polygamma, 1)(1.0, 2.0),
                             jax.grad(jax.lax.polygamma, 1)(1.0, 2.0), rtol=1e-6)


def test_check_grads_in_x():
  with jaxlite.enable_x64(True):
    check_grads(lambda x: lax.igamma(np.float64(2.5), x), (np.float64(1.7),), order=2)
    check_grads(lambda x: lax.betainc(np.float64(2.0), np.float64(3.0), x),
                (np.float64(0.3),), order=1)
    check_grads(lax.bessel_i0e, (np.float64(0.9),), order=2)


def test_unsupported_derivatives_raise_as_jax():
  with pytest.raises(ValueError, match="Betainc gradient with respect to a and b"):
    jaxlite.grad(lax.betainc)(1.0, 2.0, 0.5)
  with pytest.raises(ValueError, match="polygamma gradient with respect to m"):
    jaxlite.grad(lax.polygamma)(1.0, 2.0)


def test_jaxpr_primitive_names_are_jaxs():
  text = str(jaxlite.make_jaxpr(lambda a, x: lax.igamma(a, x) + lax.zeta(a, x))(1.0, 2.0))
  assert "igamma" in text and "zeta" in text
