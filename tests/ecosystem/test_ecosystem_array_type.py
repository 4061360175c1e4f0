"""jax.Array is the abstract type of concrete arrays and tracers (JAX's isinstance contract)."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp


def _seen_under(transform, fun_input):
  seen = []

  def probe(x):
    seen.append(isinstance(x, jaxlite.Array))
    return (x * 2.0).sum()
  transform(probe)(fun_input)
  return seen


@pytest.mark.parametrize("transform", [jaxlite.jit, jaxlite.grad, jaxlite.vmap,
                                       lambda f: jaxlite.jit(jaxlite.vmap(jaxlite.grad(f)))],
                         ids=["jit", "grad", "vmap", "jit_vmap_grad"])
def test_tracers_are_arrays(transform):
  x = jnp.ones((2, 3))
  assert _seen_under(transform, x) == [True]


def test_host_values_are_not_arrays():
  for value in (1, 1.5, True, 2j, np.float32(1), np.ones(3), [1.0], None):
    assert not isinstance(value, jaxlite.Array), value
  assert isinstance(jnp.ones(2), jaxlite.Array)
  assert issubclass(jaxlite.core.Tracer, jaxlite.Array)


def test_matches_jax(jax_reference):
  jax = jax_reference
  for value in (1, 1.5, np.float32(1), np.ones(3)):
    assert isinstance(value, jaxlite.Array) == isinstance(value, jax.Array)
  seen = []
  jax.jit(lambda x: seen.append(isinstance(x, jax.Array)) or x)(1.0)
  assert seen == _seen_under(jaxlite.jit, 1.0) == [True]


def test_abstract_type_cannot_be_instantiated():
  with pytest.raises(TypeError, match="abstract"):
    jaxlite.Array()


def test_typing_arraylike_isinstance():
  from jaxlite.typing import ArrayLike
  assert [isinstance(x, ArrayLike) for x in (jnp.ones(2), np.ones(2), 1.5, [1.0], "a")] == \
      [True, True, True, False, False]
