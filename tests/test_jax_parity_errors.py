"""User mistakes raise JAX 0.10.2's exception, with its message (issue 20,
"Accepts what JAX rejects" and "Exception types that differ from JAX's"): each
case runs under jaxlite and under the installed JAX in the same test."""
import pytest

from parity_util import assert_same_outcome, run_case


def _self_referential_list(j):
  a = []
  a.append(a)
  return j.tree_util.tree_leaves(a)


def _self_referential_dict(j):
  d = {}
  d["a"] = d
  return j.tree_util.tree_map(lambda x: x, d)


def _closure_over_donated(j, n):
  x = n.ones(3)
  use = j.jit(lambda: x * 2)
  j.jit(lambda y: y + 1, donate_argnums=0)(x)
  return use()


# name -> (case, compare the first line of the message too)
CASES = {
    # --- accepts what JAX rejects ---
    "lax.add(f32 array, 1)": (lambda j, n, l: l.add(n.ones(2), 1), True),
    "lax.add(1, 1.0)": (lambda j, n, l: l.add(1, 1.0), True),
    "lax.add under jit": (lambda j, n, l: j.jit(lambda x: l.add(x, 1))(n.ones(2)), True),
    "lax.mul(f16 array, 2.0)": (lambda j, n, l: l.mul(n.ones(2, n.float16), 2.0), True),
    "lax.max(int8 array, 1)": (lambda j, n, l: l.max(n.ones(2, n.int8), 1), True),
    "lax.lt(f32 array, 1)": (lambda j, n, l: l.lt(n.ones(2), 1), True),
    "lax.select mixed cases": (lambda j, n, l: l.select(True, n.uint8(4), 9), True),
    "jit static_argnums=-3": (lambda j, n, l: j.jit(lambda x: x, static_argnums=-3), True),
    "jit static_argnums=3": (lambda j, n, l: j.jit(lambda x: x, static_argnums=3), True),
    "jit donate_argnums out of range":
        (lambda j, n, l: j.jit(lambda x: x, donate_argnums=3), True),
    "jit donate_argnums=-2": (lambda j, n, l: j.jit(lambda x: x, donate_argnums=-2), True),
    "jit static and donated":
        (lambda j, n, l: j.jit(lambda x, y: x, static_argnums=1, donate_argnums=1), True),
    "zeros((0, 3)).at[0].set": (lambda j, n, l: n.zeros((0, 3)).at[0].set(1), True),
    "zeros((0, 3)).at[0].get": (lambda j, n, l: n.zeros((0, 3)).at[0].get(), True),
    "zeros((0, 3))[0]": (lambda j, n, l: n.zeros((0, 3))[0], True),
    "round(bool)": (lambda j, n, l: n.round(n.array([True, False])), True),
    "signbit(complex)": (lambda j, n, l: n.signbit(n.array([1 + 1j])), True),
    "argmax(complex)": (lambda j, n, l: n.argmax(n.array([1 + 1j, 2])), True),
    "argmin(complex)": (lambda j, n, l: n.argmin(n.array([1 + 1j, 2])), True),
    # --- exception types that differ ---
    "broadcast with a zero-size operand": (lambda j, n, l: n.ones((0, 3)) + n.ones((2, 3)),
                                           True),
    "ones((2, 3)) + ones(4)": (lambda j, n, l: n.ones((2, 3)) + n.ones(4), True),
    "zeros with a negative dimension": (lambda j, n, l: n.zeros((-1, 2)), True),
    "full with a negative dimension": (lambda j, n, l: n.full((-3,), 1.0), True),
    "reshape(-1, -1)": (lambda j, n, l: n.ones(6).reshape(-1, -1), True),
    "take from an empty axis, mode=fill":
        (lambda j, n, l: n.take(n.ones((0, 3)), n.array([0]), axis=0, mode="fill"), True),
    "hypot(complex)": (lambda j, n, l: n.hypot(n.array([1 + 1j]), n.array([1 + 1j])), True),
    "matmul core-dimension mismatch": (lambda j, n, l: n.ones((2, 3)) @ n.ones((4, 2)), True),
    "matmul vector mismatch": (lambda j, n, l: n.ones(3) @ n.ones(4), True),
    "int ** negative literal": (lambda j, n, l: n.array([2, 3]) ** -1, True),
    "power(int, negative literal)": (lambda j, n, l: n.power(n.array([2, 3]), -2), True),
    "device_put(x, 5)": (lambda j, n, l: j.device_put(n.ones(2), 5), True),
    "device_put(x, 'cpu')": (lambda j, n, l: j.device_put(n.ones(2), "cpu"), True),
    "pmap over a zero-length axis": (lambda j, n, l: j.pmap(lambda x: x)(n.ones((0, 3))),
                                     False),
    "pmap size mismatch": (lambda j, n, l: j.pmap(lambda x, y: x + y)(
        n.ones((2, 3)), n.ones((3, 3))), False),
    "arange(0, 10, 0)": (lambda j, n, l: n.arange(0, 10, 0), True),
    "axis out of range is a ValueError": (lambda j, n, l: n.flip(n.ones(3), axis=1), True),
    "sum over a missing axis": (lambda j, n, l: n.sum(n.ones(3), axis=2), True),
    "sign(bool)": (lambda j, n, l: n.sign(n.array([True])), True),
    "fori_loop bounds of different types": (lambda j, n, l: l.fori_loop(
        n.int32(0), n.int8(3), lambda i, c: c + i, 0), True),
    "random.split(key, -1)": (lambda j, n, l: j.random.split(j.random.PRNGKey(0), -1), False),
    "self-referential pytree": (lambda j, n, l: _self_referential_list(j), False),
    "self-referential dict under tree_map": (lambda j, n, l: _self_referential_dict(j), False),
    "lax.full with a negative dimension": (lambda j, n, l: l.full((2, -3), 1.0), True),
    "random.uniform of a negative shape":
        (lambda j, n, l: j.random.uniform(j.random.PRNGKey(0), (-1,)), True),
    "jit closing over a donated array": (lambda j, n, l: _closure_over_donated(j, n), True),
}

XFAIL: set = set()   # none open


@pytest.mark.parametrize("name", [
    pytest.param(k, marks=pytest.mark.xfail(strict=True, reason="open: see differences.md"))
    if k in XFAIL else k for k in CASES])
def test_same_exception_as_jax(name, jax_reference):
  import jaxlite
  case, compare_messages = CASES[name]
  expected, got = run_case(case, jax_reference, jaxlite)
  assert isinstance(expected, Exception), f"JAX no longer raises for {name}"
  assert_same_outcome(expected, got, compare_messages)
