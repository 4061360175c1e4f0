"""Values and dtypes that once differed from JAX 0.10.2 (issue 20, "Silent wrong
values" and "Raises where JAX computes"): each case runs under jaxlite and under
the installed JAX in the same test and must give the same dtype, weak type and
numbers (or the same exception)."""
import numpy as np
import pytest

from parity_util import assert_same_outcome, run_case


def _pad_edges(vector, pad_width, iaxis, kwargs):
  del iaxis, kwargs
  vector = vector.at[:pad_width[0]].set(10)
  return vector.at[vector.shape[0] - pad_width[1]:].set(20)


CASES = {
    # --- silent wrong values ---
    "einsum output index not in inputs":
        lambda j, n, l: n.einsum("ij,jk->il", n.ones((2, 3)), n.ones((3, 4))),
    "reciprocal of ints is float": lambda j, n, l: n.reciprocal(n.array([1, 2, 4])),
    "int % 0": lambda j, n, l: n.array([5, -3]) % 0,
    "remainder by zero array": lambda j, n, l: n.remainder(n.array([5, -3]), n.array([0, 2])),
    "fmod by 0": lambda j, n, l: n.fmod(n.array([5, -3]), 0),
    "uint8 remainder by 0": lambda j, n, l: n.remainder(n.array([5, 3], n.uint8), n.uint8(0)),
    "float // 0.0": lambda j, n, l: n.array([1., -1., 0.]) // 0.0,
    "float divmod by 0.0": lambda j, n, l: n.divmod(n.array([1., -2.5]), 0.0),
    "power int8 -128 ** -128":
        lambda j, n, l: n.power(n.array([-128], n.int8), n.array([-128], n.int8)),
    "power int arrays": lambda j, n, l: n.power(n.array([2, -3, 0, 5]), n.array([3, 3, 0, 2])),
    "power int negative exponent array":
        lambda j, n, l: n.power(n.array([2, -1, 1]), n.array([-1, -3, -2])),
    "power float base int exponent": lambda j, n, l: n.power(n.array([2., 3.]), n.array([2, 3])),
    "sinc d1 at 0": lambda j, n, l: j.grad(n.sinc)(0.0),
    "sinc d2 at 0": lambda j, n, l: j.grad(j.grad(n.sinc))(0.0),
    "sinc d3 at 0": lambda j, n, l: j.grad(j.grad(j.grad(n.sinc)))(0.0),
    "sinc d4 at 0": lambda j, n, l: j.grad(j.grad(j.grad(j.grad(n.sinc))))(0.0),
    "sinc values": lambda j, n, l: n.sinc(n.array([-1., -0.5, 0., 0.5, 1.])),
    "sort_complex": lambda j, n, l: n.sort_complex(n.array([3 + 1j, 1 + 2j, 1 + 1j, 2 + 0j])),
    "partition": lambda j, n, l: n.partition(n.array([5, 1, 4, 2, 3, 9, 0]), 3),
    "partition 2-d axis 1":
        lambda j, n, l: n.partition(n.array([[5, 1, 4, 2], [3, 9, 0, 7]]), 1, axis=1),
    "partition uint8 with zeros": lambda j, n, l: n.partition(n.array([3, 0, 2, 0], n.uint8), 1),
    "rint of ints": lambda j, n, l: n.rint(n.array([1, 2])),
    "rint of complex": lambda j, n, l: n.rint(n.array([-2.5 + 3.5j, 4.5 - 0.5j])),
    "pmean of ints": lambda j, n, l: j.pmap(lambda x: l.pmean(x, "i"), axis_name="i")(
        n.arange(2)),
    "allclose complex": lambda j, n, l: n.allclose(n.array([1 + 1j]), n.array([1 + 1j])),
    "isclose complex": lambda j, n, l: n.isclose(n.array([1 + 1j, 2]), n.array([1 + 1j, 2.1])),
    "percentile nearest ties go low": lambda j, n, l: n.percentile(
        n.array([0, 1, 2, 3, 4, 5, 6]), n.array([25, 50, 75]), method="nearest"),
    "logaddexp derivative at a tie": lambda j, n, l: j.grad(lambda v: n.logaddexp(v, 0.0))(0.0),
    "logaddexp complex and float": lambda j, n, l: n.logaddexp(
        n.array([1 + 3j, 2 - 1j], n.complex64), n.array([0.5, 2.0], n.float32)),
    "logaddexp2": lambda j, n, l: n.logaddexp2(n.float32(3), n.float32(1)),
    "linear_transpose keeps the cotangent's weak type": lambda j, n, l: j.linear_transpose(
        lambda x: x * 2.0, n.float32(1.0))(3.0),
    "fori_loop int32 bound and Python int": lambda j, n, l: l.fori_loop(
        n.int32(0), 3, lambda i, c: c + i, 0),
    # --- raises where JAX computes ---
    "complex <": lambda j, n, l: n.array([1 + 2j, 2, 1 + 1j]) < n.array([1 + 3j, 1, 1 + 1j]),
    "complex >=": lambda j, n, l: n.array([1 + 2j, 2, 1 + 1j]) >= n.array([1 + 3j, 1, 1 + 1j]),
    "fori_loop with float bounds":
        lambda j, n, l: l.fori_loop(0., 3., lambda i, c: c + i, 0.),
    "full_like(0, 1e30) under grad":
        lambda j, n, l: j.grad(lambda x: n.full_like(0, 1e30) * x)(1.0),
    "linear_transpose int -> int":
        lambda j, n, l: j.linear_transpose(lambda x: x * 2, 1)(3),
    "percentile with weights": lambda j, n, l: n.percentile(
        n.arange(5.), 50, weights=n.ones(5), method="inverted_cdf"),
    "quantile with weights": lambda j, n, l: n.quantile(
        n.arange(5.), 0.3, weights=n.arange(1., 6.), method="inverted_cdf"),
    "weighted quantile along an axis, keepdims": lambda j, n, l: n.quantile(
        n.array([[1., 5., 3., 2., 4.], [2., n.nan, 1., 0., 3.]]), n.array([0.2, 0.7]), axis=1,
        weights=n.array([1., 1., 2., 1., 1.]), method="inverted_cdf", keepdims=True),
    "weighted nanquantile": lambda j, n, l: n.nanquantile(
        n.array([[1., 5., 3., 2., 4.], [2., n.nan, 1., 0., 3.]]), 0.5, axis=1,
        weights=n.array([1., 1., 2., 1., 1.]), method="inverted_cdf"),
    "quantile inverted_cdf without weights": lambda j, n, l: n.quantile(
        n.array([1., 5., 3., 2., 4.]), 0.5, method="inverted_cdf"),
    "polyadd 2-d": lambda j, n, l: n.polyadd(n.ones((2, 3)), n.ones((2, 3))),
    "interp extrapolate": lambda j, n, l: n.interp(
        n.array([-1., 0.5, 3.]), n.array([0., 1., 2.]), n.array([0., 1., 4.]),
        left="extrapolate", right="extrapolate"),
    "r_ 'r' directive": lambda j, n, l: n.r_["r", [1, 2, 3], [4, 5, 6]],
    "r_ 'c' directive": lambda j, n, l: n.r_["c", [1, 2, 3], [4, 5, 6]],
    "c_": lambda j, n, l: n.c_[n.array([1, 2, 3]), n.array([4, 5, 6])],
    "pad with a callable mode":
        lambda j, n, l: n.pad(n.arange(6.).reshape(2, 3), 1, mode=_pad_edges),
}

# Known differences still open (each also listed in docs/differences.md).
XFAIL = set()


@pytest.mark.parametrize("name", [
    pytest.param(k, marks=pytest.mark.xfail(strict=True, reason="open: see differences.md"))
    if k in XFAIL else k for k in CASES])
def test_same_result_as_jax(name, jax_reference):
  import jaxlite
  expected, got = run_case(CASES[name], jax_reference, jaxlite)
  assert_same_outcome(expected, got)


def test_default_device_after_an_eager_op_elsewhere(jax_reference):
  """An eager op's cached executable must follow jax.default_device."""
  import jaxlite
  import jaxlite.numpy as lnp
  results = []
  for lib, np_mod in ((jax_reference, jax_reference.numpy), (jaxlite, lnp)):
    np_mod.ones(3) + 1          # compiles for the first device
    with lib.default_device(lib.devices()[1]):
      y = np_mod.ones(3) + 1
    results.append(({d.id for d in y.devices()}, np.asarray(y)))
  assert results[1][0] == results[0][0] == {1}
  np.testing.assert_array_equal(results[1][1], results[0][1])
