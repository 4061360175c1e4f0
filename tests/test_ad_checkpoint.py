"""jax.ad_checkpoint additions: print_saved_residuals and the policy decisions, vs JAX."""
import re

import pytest

import jaxlite
import jaxlite.ad_checkpoint as lac
import jaxlite.numpy as lnp

jax = pytest.importorskip("jax")
import jax.ad_checkpoint as jac  # noqa: E402
import jax.numpy as jnp  # noqa: E402


def without_locations(text):
  # jaxlite records no source location per equation ("from unknown").
  return re.sub(r"from \S+:\d+:\d+ \([^)]*\)", "from unknown", text)


def programs(jax, jnp, ac):
  sin_saved = lambda prim, *a, **k: ac.Saveable if prim.name == "sin" else ac.Recompute
  return [
      (lambda x: jnp.sin(x) * x, (1.,), {}),
      (lambda x: jnp.sin(jnp.cos(x)) * x, (1.,), {}),
      (lambda x: x * 3., (1.,), {}),
      (lambda x, y: jnp.exp(x) * y, (1.,), {"y": 2.}),
      (jax.checkpoint(lambda x: jnp.sin(jnp.sin(x))), (1.,), {}),
      (jax.checkpoint(lambda x: jnp.sin(jnp.sin(x)), policy=sin_saved), (1.,), {}),
      (jax.checkpoint(lambda x: jnp.sin(jnp.sin(x)),
                      policy=jax.checkpoint_policies.everything_saveable), (1.,), {}),
  ]


@pytest.mark.parametrize("index", range(7))
def test_print_saved_residuals_matches_jax(capsys, index):
  f, args, kwargs = programs(jaxlite, lnp, lac)[index]
  lac.print_saved_residuals(f, *args, **kwargs)
  actual = capsys.readouterr().out
  f, args, kwargs = programs(jax, jnp, jac)[index]
  jac.print_saved_residuals(f, *args, **kwargs)
  expected = without_locations(capsys.readouterr().out)
  assert actual == expected


def test_decisions_are_jaxs_names():
  assert repr(lac.Recompute) == "Recompute" and repr(lac.Saveable) == "Saveable"
  assert lac.Offloadable(src="device", dst="pinned_host") == ("device", "pinned_host")
  assert lac.Offloadable._fields == jac.Offloadable._fields


def test_decision_policies_change_what_is_saved():
  f = lambda policy: jaxlite.checkpoint(lambda x: lnp.sin(lnp.sin(x)), policy=policy)
  saved = lambda policy: lac.saved_residuals(f(policy), 1.0)
  assert len(saved(lambda *a, **k: lac.Recompute)) == 1          # only the argument
  assert len(saved(lambda *a, **k: lac.Saveable)) > 1
  assert len(saved(lambda *a, **k: lac.Offloadable("device", "pinned_host"))) > 1
  # The gradient does not depend on the policy.
  g = [jaxlite.grad(f(p))(0.5) for p in (lambda *a, **k: lac.Recompute,
                                         lambda *a, **k: lac.Saveable)]
  assert float(g[0]) == float(g[1])
