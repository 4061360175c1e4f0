"""jax.experimental.io_callback: eager, under jit (ordered and unordered),
vmap, scan, and its errors, against JAX 0.10.2 in the same run."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.experimental import io_callback


def _program(jax_mod, np_mod, io_cb):
  """Runs the same io_callback uses in either library; returns (results, log)."""
  log = []

  def record(x):
    log.append(np.asarray(x).tolist())
    return np.asarray(x * 2, np.float32)

  scalar = jax_mod.ShapeDtypeStruct((), np_mod.float32)
  vector = jax_mod.ShapeDtypeStruct((2,), np_mod.float32)
  out = {
      "ordered_jit": jax_mod.jit(lambda x: io_cb(record, vector, x + 1, ordered=True))(
          np_mod.ones(2)),
      # No results and unused: still runs (the effect keeps it alive).
      "unused": jax_mod.jit(lambda x: (io_cb(lambda v: log.append(v.tolist()), None, x),
                                       x * 3)[1])(np_mod.ones(2)),
      "vmap": jax_mod.vmap(lambda x: io_cb(record, scalar, x))(np_mod.arange(3.0)),
      "eager": io_cb(record, vector, np_mod.ones(2)),
      "scan": jax_mod.lax.scan(
          lambda c, x: (c + io_cb(record, scalar, x, ordered=True), None), 0.0,
          np_mod.arange(3.0))[0],
      "kwargs": io_cb(lambda x, *, scale: np.float32(x * scale), scalar, 2.0, scale=3),
  }
  errors = []
  for bad in (lambda: jax_mod.vmap(lambda x: io_cb(record, scalar, x, ordered=True))(
                  np_mod.arange(3.0)),
              lambda: jax_mod.grad(lambda x: io_cb(record, scalar, x))(1.0)):
    with pytest.raises(ValueError) as info:
      bad()
    errors.append(str(info.value))
  return {k: np.asarray(v) for k, v in out.items()}, log, errors


def test_io_callback_matches_jax(jax_reference):
  import jax
  import jax.numpy as jjnp
  from jax.experimental import io_callback as jax_io_callback
  ours, our_log, our_errors = _program(jaxlite, jnp, io_callback)
  theirs, their_log, their_errors = _program(jax, jjnp, jax_io_callback)
  assert ours.keys() == theirs.keys()
  for key in theirs:
    np.testing.assert_array_equal(ours[key], theirs[key])
    assert ours[key].dtype == theirs[key].dtype, key
  assert our_log == their_log
  assert our_errors == their_errors == ["Cannot `vmap` ordered IO callback.",
                                        "IO callbacks do not support JVP."]


def test_io_callback_ordered_calls_keep_program_order():
  log = []

  def tag(name):
    def callback(x):
      log.append(name)
      return x
    return callback

  spec = jaxlite.ShapeDtypeStruct((), jnp.float32)

  @jaxlite.jit
  def f(x):
    a = io_callback(tag("first"), spec, x, ordered=True)
    b = io_callback(tag("second"), spec, x * 2, ordered=True)
    return b - a
  assert float(f(1.0)) == 1.0
  assert log == ["first", "second"]
  assert "io_callback" in str(jaxlite.make_jaxpr(f)(1.0))


def test_io_callback_wrong_result_shape_raises():
  spec = jaxlite.ShapeDtypeStruct((3,), jnp.float32)
  with pytest.raises(RuntimeError, match="Incorrect output shape"):
    io_callback(lambda x: x, spec, np.ones(2, np.float32))
