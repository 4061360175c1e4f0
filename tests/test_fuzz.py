"""Differential fuzzing: random programs of elementwise, broadcasting,
reduction, indexing and dot operations, run eagerly, under jit, as vmap of the
per-example program, and in NumPy, must agree; their gradients must agree with
finite differences.

Example counts come from the hypothesis profiles in conftest.py (bounded and
derandomized in CI; ``JAXLITE_HYPOTHESIS_PROFILE=jaxlite-thorough`` for long
local runs). Shapes come from a small fixed set so that eager executables are
shared between examples; each example compiles one jitted program.
"""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402

import jaxlite  # noqa: E402
import jaxlite.numpy as jnp  # noqa: E402

SHAPES = [(4,), (2, 4)]
BATCH = 3
PERM = np.array([2, 0, 3, 1])

# name -> (jaxlite op, NumPy op, smooth, integer-safe); ops keep the shape
# (reductions keep their axis) so that any sequence is well-formed. ``y`` is a
# second operand of shape (4,): it broadcasts against (2, 4).
OPS = {
    "sin": (lambda x, y, w: jnp.sin(x), lambda x, y, w: np.sin(x), True, False),
    "tanh": (lambda x, y, w: jnp.tanh(x), lambda x, y, w: np.tanh(x), True, False),
    "square": (lambda x, y, w: x * x, lambda x, y, w: x * x, True, True),
    "neg": (lambda x, y, w: -x, lambda x, y, w: -x, True, True),
    "abs": (lambda x, y, w: jnp.abs(x), lambda x, y, w: np.abs(x), False, True),
    "add_y": (lambda x, y, w: x + y, lambda x, y, w: x + y, True, True),
    "mul_y": (lambda x, y, w: x * y, lambda x, y, w: x * y, True, True),
    "sub_scalar": (lambda x, y, w: x - 2, lambda x, y, w: x - 2, True, True),
    "max_y": (lambda x, y, w: jnp.maximum(x, y), lambda x, y, w: np.maximum(x, y), False, True),
    "where": (lambda x, y, w: jnp.where(x > y, x, y * 2),
              lambda x, y, w: np.where(x > y, x, y * 2), False, True),
    "sum_last": (lambda x, y, w: x + x.sum(axis=-1, keepdims=True),
                 lambda x, y, w: x + x.sum(axis=-1, keepdims=True), True, True),
    "mean_first": (lambda x, y, w: x - x.mean(axis=0, keepdims=True),
                   lambda x, y, w: x - x.mean(axis=0, keepdims=True), True, False),
    "max_last": (lambda x, y, w: x * x.max(axis=-1, keepdims=True),
                 lambda x, y, w: x * x.max(axis=-1, keepdims=True), False, True),
    "reverse": (lambda x, y, w: x[..., ::-1], lambda x, y, w: x[..., ::-1], True, True),
    "take": (lambda x, y, w: jnp.take(x, PERM, axis=-1),
             lambda x, y, w: np.take(x, PERM, axis=-1), True, True),
    "gather": (lambda x, y, w: x[..., PERM[:2]].sum(-1, keepdims=True) + x,
               lambda x, y, w: x[..., PERM[:2]].sum(-1, keepdims=True) + x, True, True),
    "slice_update": (lambda x, y, w: x.at[..., 1:3].set(y[1:3]),
                     lambda x, y, w: _np_set(x, y), True, True),
    "dot_w": (lambda x, y, w: x @ w, lambda x, y, w: x @ w, True, True),
}


def _np_set(x, y):
  out = np.array(x, copy=True)
  out[..., 1:3] = y[1:3]
  return out


def _program(names, lib):
  index = 0 if lib == "jaxlite" else 1

  def run(x, y, w):
    for name in names:
      x = OPS[name][index](x, y, w)
    return x
  return run


@st.composite
def programs(draw, smooth_only=False):
  dtype = draw(st.sampled_from([np.float32, np.int32]) if not smooth_only
               else st.just(np.float32))
  allowed = [n for n, (_, _, smooth, int_ok) in OPS.items()
             if (int_ok or dtype == np.float32) and (smooth or not smooth_only)]
  names = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=4))
  shape = draw(st.sampled_from(SHAPES))
  seed = draw(st.integers(0, 2 ** 16))
  return names, shape, np.dtype(dtype), seed


def _inputs(shape, dtype, seed, batch=None):
  rng = np.random.RandomState(seed)
  lead = (batch,) if batch else ()
  if dtype == np.int32:
    make = lambda s: rng.randint(-3, 4, size=lead + s).astype(np.int32)
  else:
    make = lambda s: rng.uniform(-1.5, 1.5, size=lead + s).astype(np.float32)
  return make(shape), make((4,)), make((4, 4))


def _tolerance(dtype):
  return dict(rtol=0, atol=0) if dtype == np.int32 else dict(rtol=2e-4, atol=2e-4)


@given(programs())
def test_eager_jit_vmap_numpy_agree(program):
  names, shape, dtype, seed = program
  x, y, w = _inputs(shape, dtype, seed)
  f = _program(names, "jaxlite")
  with np.errstate(over="ignore"):
    expected = _program(names, "numpy")(x.astype(_wide(dtype)), y.astype(_wide(dtype)),
                                        w.astype(_wide(dtype))).astype(dtype)
  eager = np.asarray(f(jnp.asarray(x), jnp.asarray(y), jnp.asarray(w)))
  jitted = np.asarray(jaxlite.jit(f)(x, y, w))
  assert eager.dtype == dtype and jitted.dtype == dtype, (eager.dtype, jitted.dtype)
  assert eager.shape == expected.shape == jitted.shape
  np.testing.assert_allclose(eager, expected, **_tolerance(dtype), err_msg=str(names))
  np.testing.assert_allclose(jitted, eager, **_tolerance(dtype), err_msg=str(names))

  xb, yb, wb = _inputs(shape, dtype, seed + 1, batch=BATCH)
  batched = np.asarray(jaxlite.vmap(f)(xb, yb, wb))
  per_example = np.stack([np.asarray(f(jnp.asarray(xb[i]), jnp.asarray(yb[i]),
                                       jnp.asarray(wb[i]))) for i in range(BATCH)])
  np.testing.assert_allclose(batched, per_example, **_tolerance(dtype), err_msg=str(names))
  # A mix of mapped and unmapped arguments.
  shared = np.asarray(jaxlite.vmap(f, in_axes=(0, None, None))(xb, y, w))
  np.testing.assert_allclose(shared[1], np.asarray(f(jnp.asarray(xb[1]), y, w)),
                             **_tolerance(dtype), err_msg=str(names))


def _wide(dtype):
  # NumPy reference in double precision; integers wrap as int32 like XLA's.
  return np.float64 if dtype == np.float32 else np.int32


@given(programs(smooth_only=True))
def test_grad_matches_finite_differences(program):
  names, shape, _, seed = program
  x, y, w = _inputs(shape, np.float32, seed)
  f = _program(names, "jaxlite")
  f64 = _program(names, "numpy")
  probe = np.random.RandomState(seed).uniform(-1, 1, size=shape)

  def loss64(x64):
    return float(np.sum(f64(x64, y.astype(np.float64), w.astype(np.float64)) * probe))

  grad = np.asarray(jaxlite.grad(lambda x: jnp.sum(f(x, y, w) * probe.astype(np.float32)))(x))
  eps = 1e-4
  numeric = np.zeros(shape)
  x64 = x.astype(np.float64)
  for i in np.ndindex(*shape):
    up, down = x64.copy(), x64.copy()
    up[i] += eps
    down[i] -= eps
    numeric[i] = (loss64(up) - loss64(down)) / (2 * eps)
  scale = max(1.0, np.abs(numeric).max())
  np.testing.assert_allclose(grad, numeric, rtol=1e-3, atol=1e-3 * scale, err_msg=str(names))
