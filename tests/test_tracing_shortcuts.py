"""Tracing's shortcuts (jaxlite/lax/elementwise.py's abstract evaluation of
operands of one type, the one-operand ufuncs binding on tracers, NumPy scalars
staged as literals of themselves) answer as the general rules do, and as JAX
0.10.2 does."""
import itertools

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from jax._src import core as jax_core

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import core, lax

_F32, _I32, _BOOL = np.dtype("float32"), np.dtype("int32"), np.dtype("bool")
_AVALS = [((), _F32, False), ((), _F32, True), ((3,), _F32, False), ((3,), _F32, True),
          ((2, 3), _F32, False), ((1, 3), _F32, False), ((3,), _I32, False),
          ((), _I32, True), ((3,), _BOOL, False)]


def _outcome(fn):
  try:
    aval = fn()
  except Exception as e:  # noqa: BLE001 - the error's type is the outcome
    return type(e).__name__
  return tuple(aval.shape), aval.dtype, aval.weak_type


@pytest.mark.parametrize("name", ["add", "mul", "max", "sub", "div", "sin", "neg", "exp"])
def test_elementwise_abstract_eval_matches_jax(name):
  ours, theirs = getattr(lax, f"{name}_p"), getattr(jax.lax, f"{name}_p")
  arity = 1 if name in ("sin", "neg", "exp") else 2
  for combo in itertools.product(_AVALS, repeat=arity):
    want = _outcome(lambda: theirs.abstract_eval(
        *[jax_core.ShapedArray(*a) for a in combo])[0])
    # Twice: the first call may take the general rule, the second the shortcut.
    for _ in range(2):
      got = _outcome(lambda: ours.abstract_eval(*[core.ShapedArray(*a) for a in combo]))
      assert got == want, combo


def _program(np_):
  def f(x, w, i):
    y = np_.sin(x) * np.float32(2) + np.float16(1) * 0 + w * np.int32(3)
    z = np_.negative(i) + np.int8(1) + np_.cos(w) + np_.exp(x * 2.0)
    return y, z, np_.tanh(w), i * np.bool_(True), x * np.complex64(1j)
  return f


def test_traced_program_matches_jax():
  args = (np.ones((2, 3), np.float32), 1.5, 2)
  ours = jaxlite.make_jaxpr(_program(jnp))(*args)
  theirs = jax.make_jaxpr(_program(jjnp))(*args)
  assert str(ours) == str(theirs)
  assert [v.aval.weak_type for v in ours.jaxpr.outvars] == \
      [v.aval.weak_type for v in theirs.jaxpr.outvars]
