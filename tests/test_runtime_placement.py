"""Committed and uncommitted operands (runtime/placement.py), against JAX.

An array placed with ``device_put(x, device)`` is committed; fresh arrays and
Python scalars are not and follow committed operands to their device, in
eager ops and jitted calls alike. The tests run on 8 CPU devices (conftest).
"""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

jax = pytest.importorskip("jax")
jax_numpy = pytest.importorskip("jax.numpy")


def _both(program):
  """``program(jax_module, numpy_module)`` under JAX and jaxlite."""
  return program(jax, jax_numpy), program(jaxlite, jnp)


def _placement(a):
  return (sorted(d.id for d in a.devices()), a.committed, a.weak_type, a.dtype)


def _same(ours, theirs):
  assert _placement(ours) == _placement(theirs)
  np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)


CASES = {
    "add uncommitted": lambda j, x, y: x + y,
    "add reversed": lambda j, x, y: y + x,
    "add python scalar": lambda j, x, y: x + 2,
    "scalar times": lambda j, x, y: 3.0 * x,
    "unary": lambda j, x, y: j.numpy.sin(x),
    "reduction": lambda j, x, y: j.numpy.sum(x * y),
    "jit two arrays": lambda j, x, y: j.jit(lambda a, b: a * b)(x, y),
    "jit reversed": lambda j, x, y: j.jit(lambda a, b: a * b)(y, x),
    "jit scalar": lambda j, x, y: j.jit(lambda a, b: a * b)(x, 3.0),
    "jit pytree": lambda j, x, y: j.jit(lambda t: t["a"] + t["b"][0])({"a": y, "b": (x,)}),
    "jit uncommitted only": lambda j, x, y: j.jit(lambda a: a + 1)(y),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_uncommitted_follows_committed(case):
  def program(j, np_mod):
    x = j.device_put(np_mod.arange(4.0), j.devices()[1])
    y = np_mod.ones(4)
    return CASES[case](j, x, y)
  theirs, ours = _both(program)
  _same(ours, theirs)


def test_one_jitted_function_over_placements():
  """One jitted function called with uncommitted, committed, then uncommitted
  operands again: each call runs where JAX's does (its call-site caches must
  not reuse another placement's program)."""
  def program(j, np_mod):
    f = j.jit(lambda a, b: a - b)
    d = j.devices()
    x, y = np_mod.arange(3.0), np_mod.ones(3)
    out = []
    for a, b in [(x, y), (x, y), (j.device_put(x, d[2]), y), (x, j.device_put(y, d[3])),
                 (x, y), (j.device_put(x, d[0]), y), (x, y), (j.device_put(x, d[2]), y)]:
      out.append(f(a, b))
    return out
  theirs, ours = _both(program)
  for o, t in zip(ours, theirs):
    _same(o, t)


def test_donated_committed_operand():
  def program(j, np_mod):
    f = j.jit(lambda a, b: a + b, donate_argnums=0)
    x = j.device_put(np_mod.arange(4.0), j.devices()[1])
    out = f(x, np_mod.ones(4))
    return out, x.is_deleted()
  (theirs, deleted_theirs), (ours, deleted_ours) = _both(program)
  _same(ours, theirs)
  assert deleted_ours == deleted_theirs


@pytest.mark.parametrize("use_jit", [False, True])
def test_different_committed_devices_error(use_jit):
  def program(j, np_mod):
    x = j.device_put(np_mod.arange(4.0), j.devices()[1])
    z = j.device_put(np_mod.ones(4), j.devices()[2])
    try:
      if use_jit:
        j.jit(lambda a, b: a + b)(x, z)
      else:
        x + z   # pylint: disable=pointless-statement
    except ValueError as e:
      return str(e)
    return None
  theirs, ours = _both(program)
  assert theirs is not None and ours == theirs


def test_jit_device_argument_takes_uncommitted_operands():
  d = jaxlite.devices()[1]
  f = jaxlite.jit(lambda a: a * 2, device=d)
  for _ in range(2):
    out = f(jnp.arange(3.0))
    assert out.devices() == {d} and out.committed
    np.testing.assert_array_equal(np.asarray(out), [0.0, 2.0, 4.0])


def test_device_put_between_devices_is_device_to_device(monkeypatch):
  """A single-device array moves to another device without a host copy."""
  from jaxlite.runtime import array as array_module
  d = jaxlite.devices()
  x = jaxlite.device_put(jnp.arange(3.0), d[1])

  def no_host_copy(*args, **kwargs):
    raise AssertionError("copied through the host")
  monkeypatch.setattr(array_module, "buffer_to_numpy", no_host_copy)
  y = jaxlite.device_put(x, d[2])
  z = jaxlite.device_put(jaxlite.device_put(2.0), d[3])
  monkeypatch.undo()
  assert y.devices() == {d[2]} and y.committed and not y.weak_type
  assert z.devices() == {d[3]} and z.committed and z.weak_type
  np.testing.assert_array_equal(np.asarray(y), [0.0, 1.0, 2.0])
  assert float(z) == 2.0
