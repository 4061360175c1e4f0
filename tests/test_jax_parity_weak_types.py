"""Weak types that once differed from JAX 0.10.2 (issue 20, "Weak types"): each
case runs under jaxlite and under the installed JAX in the same test; dtypes,
weak types (``jax.typeof(x).weak_type`` against ``x.aval.weak_type``) and values
must agree."""
import pytest

from parity_util import assert_same_outcome, run_case

CASES = {
    # jnp.array: only a weakly typed object without a dtype stays weak.
    "array(weak, dtype=float32) under jit":
        lambda j, n, l: j.jit(lambda w: n.array(w, dtype=n.float32))(2.0),
    "array([w, w]) under jit": lambda j, n, l: j.jit(lambda w: n.array([w, w]))(2.0),
    "array of weak arrays": lambda j, n, l: n.array([n.asarray(2.0), n.asarray(3.0)]),
    "asarray(weak)": lambda j, n, l: n.asarray(2.0),
    "array(weak) under jit": lambda j, n, l: j.jit(lambda w: n.array(w))(2.0),
    # Integer division and divmod keep the weak type.
    "floor_divide(7, 2)": lambda j, n, l: n.floor_divide(7, 2),
    "floor_divide(-7, 2)": lambda j, n, l: n.floor_divide(-7, 2),
    "divmod(uint8, 2.0)": lambda j, n, l: n.divmod(n.array([7], n.uint8), 2.0),
    "remainder(-7, 2)": lambda j, n, l: n.remainder(-7, 2),
    # Constants that keep a Python scalar's weak type (lax's, not NumPy's).
    "deg2rad(1.5)": lambda j, n, l: n.deg2rad(1.5),
    "rad2deg(1.5)": lambda j, n, l: n.rad2deg(1.5),
    "hypot(1.5, 2.0)": lambda j, n, l: n.hypot(1.5, 2.0),
    "imag(1.5)": lambda j, n, l: n.imag(1.5),
    "sinc(1.5)": lambda j, n, l: n.sinc(1.5),
    "logaddexp2(1.5, 2.0) under jit": lambda j, n, l: j.jit(n.logaddexp2)(1.5, 2.0),
    "reciprocal(1.5)": lambda j, n, l: n.reciprocal(1.5),
    "isnan(1.5)": lambda j, n, l: n.isnan(1.5),
    # Reductions return strong arrays.
    "sum(2.0) * bfloat16": lambda j, n, l: n.sum(2.0) * n.ones(2, n.bfloat16),
    "min(3) + int8": lambda j, n, l: n.min(3) + n.ones(2, n.int8),
    "sum(2.0)": lambda j, n, l: n.sum(2.0),
    "prod(2)": lambda j, n, l: n.prod(2),
    "max of a weak array": lambda j, n, l: n.max(n.asarray(3.0)),
    "any(2.0)": lambda j, n, l: n.any(2.0),
    "cumsum of a weak array": lambda j, n, l: n.cumsum(n.asarray(2.0)),
    "mean(2.0)": lambda j, n, l: n.mean(2.0),
    "argmax of a weak array": lambda j, n, l: n.argmax(n.asarray(2.0)),
    "jit(sum)(2.0)": lambda j, n, l: j.jit(n.sum)(2.0),
    "jit(max)(2.0)": lambda j, n, l: j.jit(lambda x: n.max(x))(2.0),
    # Derivatives at weak inputs are weak.
    "grad x*x": lambda j, n, l: j.grad(lambda x: x * x)(3.0),
    "grad sin": lambda j, n, l: j.grad(n.sin)(3.0),
    "grad x**3 under jit": lambda j, n, l: j.jit(j.grad(lambda x: x ** 3))(2.0),
    "grad through where": lambda j, n, l: j.grad(lambda x: n.where(x == 0, x, x * 2))(2.0),
    "grad sinc": lambda j, n, l: j.grad(n.sinc)(0.5),
    "value_and_grad x**2": lambda j, n, l: j.value_and_grad(lambda x: x ** 2)(2.0),
    "jvp x**3": lambda j, n, l: j.jvp(lambda x: x ** 3, (2.0,), (1.0,)),
    "jvp sin": lambda j, n, l: j.jvp(n.sin, (1.0,), (1.0,)),
    "vjp sin": lambda j, n, l: j.vjp(n.sin, 1.0)[1](1.0),
    "vjp with a strong cotangent": lambda j, n, l: j.vjp(lambda x: x ** 3, 2.0)[1](
        n.float32(1.0)),
    "linearize x**3": lambda j, n, l: j.linearize(lambda x: x ** 3, 2.0)[1](1.0),
    "grad times a strong constant": lambda j, n, l: j.grad(
        lambda x: x * n.float32(3))(2.0),
    "hessian x**3": lambda j, n, l: j.hessian(lambda x: x ** 3)(2.0),
    "jacfwd x**3": lambda j, n, l: j.jacfwd(lambda x: x ** 3)(2.0),
    "jacrev x**3": lambda j, n, l: j.jacrev(lambda x: x ** 3)(2.0),
    "jacfwd of a strong array": lambda j, n, l: j.jacfwd(lambda x: x ** 2)(n.ones(2)),
    "jacrev to a strong output": lambda j, n, l: j.jacrev(
        lambda x: x * n.ones(2))(2.0),
    # vmap, cond, loops with Python-scalar operands.
    "vmap with an unmapped Python scalar":
        lambda j, n, l: j.vmap(lambda x, y: x + y, in_axes=(0, None))(n.ones(3), 2.0),
    "cond on a Python float": lambda j, n, l: l.cond(True, lambda x: x + 1,
                                                     lambda x: x * 2, 1.0),
    "cond with mixed branches": lambda j, n, l: l.cond(True, lambda: 1.0,
                                                       lambda: n.float32(2.0)),
    "fori_loop weak carry": lambda j, n, l: l.fori_loop(0, 3, lambda i, c: c + 1.0, 0.0),
    "scan weak carry, ys": lambda j, n, l: l.scan(lambda c, x: (c + x, c), 0.0,
                                                  n.arange(3.0)),
    "lax ops of Python scalars": lambda j, n, l: (l.add(1.0, 2.0), l.lt(1.0, 2.0),
                                                  l.sin(1.0), l.abs(1j)),
}

XFAIL = set()


@pytest.mark.parametrize("name", [
    pytest.param(k, marks=pytest.mark.xfail(strict=True, reason="open: see differences.md"))
    if k in XFAIL else k for k in CASES])
def test_same_weak_type_as_jax(name, jax_reference):
  import jaxlite
  expected, got = run_case(CASES[name], jax_reference, jaxlite)
  assert_same_outcome(expected, got)
