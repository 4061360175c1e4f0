"""Coexistence: ``import jax`` and ``import jaxlite`` in one process. Both
compute, their results agree, and neither changes the other's behaviour
(jaxlite patches no jaxlib class and keeps its own configuration).

Import order matters to such bugs, so each order runs in a fresh subprocess
and is compared with a process that imports JAX alone.
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jaxlite  # noqa: E402
import jaxlite.numpy as jnp  # noqa: E402

# What JAX computes and how it is configured; with "lite" in argv also what
# jaxlite computes. The import order comes from argv.
SCRIPT = textwrap.dedent("""
  import json, sys
  order = sys.argv[1].split(",")
  for name in order:
    __import__(name)
  import numpy as np
  import jax, jax.numpy as jnp
  from jaxlib import _jax, xla_client as xc

  def program(jax, jnp):
    x = jnp.linspace(-1.0, 1.0, 6).reshape(2, 3)
    f = jax.jit(lambda x: jnp.tanh(x @ x.T).sum())
    outs = [f(x), jax.grad(f)(x), jax.vmap(jnp.cumsum)(x), jnp.arange(5) * 2,
            jnp.ones(3, dtype=jnp.int8) + 300, (x > 0).astype(jnp.float32).mean(),
            jax.random.normal(jax.random.PRNGKey(0), (3,))]
    return [np.asarray(o).tolist() for o in outs] + [str(jnp.asarray(1.5).dtype),
                                                     str((jnp.ones(2) * 2).dtype)]

  def jaxlib_state():
    return dict(
        tracebacks=_jax.tracebacks_enabled(),
        array_attrs=sorted(dir(xc.ArrayImpl)),
        sharding_attrs=sorted(dir(xc.SingleDeviceSharding)),
        array_ops=[getattr(getattr(xc.ArrayImpl, op, None), "__module__", None)
                   for op in ("__add__", "__array__", "__getitem__")])

  result = {}
  if "jaxlite" in order:
    import jaxlite, jaxlite.numpy as ljnp
    result["lite"] = program(jaxlite, ljnp)
  result["jax"] = program(jax, jnp)
  result["jax_config"] = dict(x64=jax.config.jax_enable_x64,
                              filtering=jax.config.jax_traceback_filtering,
                              devices=len(jax.devices()))
  result["jaxlib"] = jaxlib_state()
  if "jaxlite" in order:   # jaxlite again, after JAX has run
    result["lite_after"] = program(jaxlite, ljnp)
  print(json.dumps(result))
""")


def _run(order):
  env = dict(os.environ)
  out = subprocess.run([sys.executable, "-c", SCRIPT, order], capture_output=True,
                       text=True, timeout=300, env=env)
  assert out.returncode == 0, out.stderr[-3000:]
  return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs():
  return {order: _run(order) for order in ("jax", "jax,jaxlite", "jaxlite,jax")}


def _assert_close(a, b):
  assert len(a) == len(b)
  for x, y in zip(a, b):
    if isinstance(x, str):
      assert x == y
    else:
      np.testing.assert_allclose(np.asarray(x, np.float64), np.asarray(y, np.float64),
                                 rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("order", ["jax,jaxlite", "jaxlite,jax"])
def test_jax_behaves_as_when_alone(runs, order):
  alone, both = runs["jax"], runs[order]
  assert both["jax"] == alone["jax"]   # bit for bit
  assert both["jax_config"] == alone["jax_config"]
  assert both["jaxlib"] == alone["jaxlib"]


@pytest.mark.parametrize("order", ["jax,jaxlite", "jaxlite,jax"])
def test_jaxlite_agrees_with_jax_in_one_process(runs, order):
  run = runs[order]
  _assert_close(run["lite"], run["jax"])
  assert run["lite_after"] == run["lite"]   # running JAX changed nothing for jaxlite


def test_arrays_cross_between_libraries():
  x = jnp.arange(6.0).reshape(2, 3)
  y = jax.numpy.asarray(x)   # through __array__
  assert isinstance(y, jax.Array)
  np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
  z = jnp.asarray(jax.numpy.arange(6.0).reshape(2, 3) * 2)
  assert isinstance(z, jaxlite.Array)
  np.testing.assert_array_equal(np.asarray(z), 2 * np.asarray(x))
  # Each library's arrays are its own type.
  assert not isinstance(x, jax.Array) and not isinstance(y, jaxlite.Array)


def test_configurations_are_separate():
  assert not jax.config.jax_enable_x64 and not jaxlite.config.jax_enable_x64
  jaxlite.config.update("jax_enable_x64", True)
  try:
    assert not jax.config.jax_enable_x64
    assert jnp.arange(3).dtype == np.int64
    assert jax.numpy.arange(3).dtype == np.int32
  finally:
    jaxlite.config.update("jax_enable_x64", False)
  jax.config.update("jax_traceback_filtering", "off")
  try:
    assert jaxlite.config.jax_traceback_filtering == "auto"
  finally:
    jax.config.update("jax_traceback_filtering", "auto")


def test_interleaved_transformations():
  # A jaxlite jit calling into code that runs JAX eagerly on host values,
  # and the other way around, in one process.
  w = np.linspace(0.0, 1.0, 4, dtype=np.float32)
  lite = jaxlite.jit(jaxlite.grad(lambda v: jnp.sum(jnp.sin(v) ** 2)))(w)
  ref = jax.jit(jax.grad(lambda v: jax.numpy.sum(jax.numpy.sin(v) ** 2)))(w)
  np.testing.assert_allclose(np.asarray(lite), np.asarray(ref), rtol=1e-6)
  # Errors from each library keep their own classes.
  with pytest.raises(jaxlite.errors.TracerBoolConversionError):
    jaxlite.jit(lambda v: 1 if v > 0 else 0)(1.0)
  with pytest.raises(jax.errors.TracerBoolConversionError):
    jax.jit(lambda v: 1 if v > 0 else 0)(1.0)
