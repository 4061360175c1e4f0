"""check_grads (jaxlite.test_util) to second order, forward and reverse, over the
differentiable lax primitives and the jax.numpy surface that exists.

Each case compiles a handful of small executables; shapes are tiny and shared.
"""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import lax
from jaxlite.test_util import check_grads

f32 = np.float32
_rng = np.random.RandomState(0)
X = f32(_rng.rand(3) + 0.5)
Y = f32(_rng.rand(3) + 0.5)
M = f32(_rng.rand(2, 3))
TOL = dict(eps=1e-3, atol=3e-2, rtol=3e-2)


def _dims(lhs_contract, rhs_contract):
  return ((lhs_contract, rhs_contract), ((), ()))


CASES = {
    "neg": (lax.neg, (X,)), "sin": (lax.sin, (X,)), "cos": (lax.cos, (X,)),
    "tan": (lax.tan, (X,)), "tanh": (lax.tanh, (X,)), "exp": (lax.exp, (X,)),
    "exp2": (lax.exp2, (X,)), "log": (lax.log, (X,)), "log1p": (lax.log1p, (X,)),
    "expm1": (lax.expm1, (X,)), "sqrt": (lax.sqrt, (X,)), "rsqrt": (lax.rsqrt, (X,)),
    "cbrt": (lax.cbrt, (X,)), "logistic": (lax.logistic, (X,)), "erf": (lax.erf, (X,)),
    "asin": (lax.asin, (X * 0.5,)), "acos": (lax.acos, (X * 0.5,)), "atan": (lax.atan, (X,)),
    "sinh": (lax.sinh, (X,)), "cosh": (lax.cosh, (X,)), "asinh": (lax.asinh, (X,)),
    "acosh": (lax.acosh, (X + 1,)), "atanh": (lax.atanh, (X * 0.5,)),
    "lgamma": (lax.lgamma, (X,)), "digamma": (lax.digamma, (X,)),
    "abs": (lax.abs, (X,)), "square": (lax.square, (X,)), "sign": (lax.sign, (X,)),
    "floor": (lax.floor, (X,)), "round": (lax.round, (X,)),
    "integer_pow": (lambda a: lax.integer_pow(a, 3), (X,)),
    "add": (lax.add, (X, Y)), "sub": (lax.sub, (X, Y)), "mul": (lax.mul, (X, Y)),
    "div": (lax.div, (X, Y)), "rem": (lax.rem, (X, Y)), "pow": (lax.pow, (X, Y)),
    "atan2": (lax.atan2, (X, Y)),
    "max": (lax.max, (X, Y)), "min": (lax.min, (X, Y)),
    "clamp": (lambda a: lax.clamp(f32(0.6), a, f32(1.2)), (X,)),
    "select_n": (lambda a, b: lax.select_n(np.array([True, False, True]), a, b), (X, Y)),
    "reduce_precision": (lambda a: lax.reduce_precision(a, 8, 23), (X,)),
    "dot_general": (lambda a, b: lax.dot_general(a, b, _dims((1,), (0,))), (M, X)),
    "conv": (lambda a, b: lax.conv(a, b, (1,), "VALID"),
             (f32(_rng.rand(1, 1, 4)), f32(_rng.rand(1, 1, 2)))),
    "reduce_sum": (lambda a: lax.reduce_sum(a, (1,)), (M,)),
    "reduce_max": (lambda a: lax.reduce_max(a, (1,)), (M,)),
    "reduce_min": (lambda a: lax.reduce_min(a, (1,)), (M,)),
    "reduce_prod": (lambda a: lax.reduce_prod(a, (1,)), (M,)),
    "cumsum": (lambda a: lax.cumsum(a, 1), (M,)),
    "cumprod": (lambda a: lax.cumprod(a, 1), (M,)),
    "cummax": (lambda a: lax.cummax(a, 1), (M,)),
    "cumlogsumexp": (lambda a: lax.cumlogsumexp(a, 1), (M,)),
    "broadcast_in_dim": (lambda a: lax.broadcast_in_dim(a, (2, 3), (1,)), (X,)),
    "reshape": (lambda a: lax.reshape(a, (3, 2)), (M,)),
    "transpose": (lambda a: lax.transpose(a, (1, 0)), (M,)),
    "squeeze": (lambda a: lax.squeeze(lax.reshape(a, (1, 3)), (0,)), (X,)),
    "rev": (lambda a: lax.rev(a, (0,)), (X,)),
    "concatenate": (lambda a, b: lax.concatenate([a, b], 0), (X, Y)),
    "pad": (lambda a: lax.pad(a, f32(0), [(1, 2, 1)]), (X,)),
    "slice": (lambda a: lax.slice(a, (0, 1), (2, 3)), (M,)),
    "dynamic_slice": (lambda a: lax.dynamic_slice(a, (1,), (2,)), (X,)),
    "dynamic_update_slice": (
        lambda a, b: lax.dynamic_update_slice(a, lax.slice(b, (0,), (1,)), (1,)), (X, Y)),
    "sort": (lax.sort, (X,)),
    "convert_element_type": (lambda a: lax.convert_element_type(a, np.float32), (X,)),
}

@pytest.mark.parametrize("name", list(CASES))
def test_check_grads_lax(name):
  fn, args = CASES[name]
  check_grads(fn, args, order=2, modes=("fwd", "rev"), **TOL)


NUMPY_CASES = {
    "arith": lambda a, b: jnp.sin(a) * b + a / b - jnp.exp(-a) ** 2,
    "power_where": lambda a, b: jnp.where(a > 0.8, jnp.power(a, b), jnp.tanh(b)),
    "maximum": lambda a, b: jnp.maximum(a, 0.9) * jnp.log(b),
    "sqrt_square": lambda a, b: jnp.sqrt(jnp.square(a) + b),
}


@pytest.mark.parametrize("name", list(NUMPY_CASES))
def test_check_grads_numpy(name):
  check_grads(NUMPY_CASES[name], (X, Y), order=2, modes=("fwd", "rev"), **TOL)


def test_check_grads_detects_a_wrong_rule():
  wrong = jaxlite.custom_jvp(lax.sin)
  wrong.defjvp(lambda p, t: (lax.sin(p[0]), lax.mul(2., t[0])))
  with pytest.raises(AssertionError):
    check_grads(wrong, (X,), order=1, modes=("fwd",), **TOL)
  wrong_vjp = jaxlite.custom_vjp(lax.sin)
  wrong_vjp.defvjp(lambda x: (lax.sin(x), x), lambda x, g: (lax.mul(g, x),))
  with pytest.raises(AssertionError):
    check_grads(wrong_vjp, (X,), order=1, modes=("rev",), **TOL)
  with pytest.raises(ValueError, match="modes"):
    check_grads(lax.sin, (X,), order=1, modes=("sideways",))
