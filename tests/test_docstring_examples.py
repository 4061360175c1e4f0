"""The ``>>>`` examples in JAX 0.10.2's docstrings print under jaxlite what
they print under JAX (see tests/docstring_examples.py for how they are run).

For each module, at least MIN_MATCHING[module] of the examples must match
(TARGET, 99%, is the goal), and every
docstring with a differing example must be one of KNOWN_DIFFERENCES, each
explained in docs/differences.md ("Docstring examples"). A docstring that
starts to match is reported, so that the table shrinks with the fixes.

To add a module (e.g. ``jax.scipy.special`` for the scipy issue): add it to
``docstring_examples.MODULES`` and give it an entry in KNOWN_DIFFERENCES.
Figures per module: ``.venv/bin/python tests/docstring_examples.py -v``.
"""
import warnings

import pytest

pytest.importorskip("jax")

import docstring_examples  # noqa: E402

# Issue 20's target is 99% for each module. Until the names and fixes listed
# below land, these floors (the figures reached) keep the share from falling.
TARGET = 0.99
MIN_MATCHING = {"jax.numpy": 0.99, "jax.lax": 0.99, "jax.lax.linalg": 0.99, "jax.nn": 1.0,
                "jax.random": 1.0, "jax.export": 0.5, "jax.scipy.signal": 0.94, "jax": 0.98,
                "jax.tree_util": 0.95}

# Docstrings (JAX's qualified names) whose examples may differ, by module,
# with the reason; keep in step with docs/differences.md.
_MISSING = "name not in jaxlite yet (issue 17)"
KNOWN_DIFFERENCES = {
    "jax.numpy": {
        "jax.numpy.argpartition": "other order of the unsorted parts (issue 20)",
        "jax.numpy.mean": "eager mean divides exactly; JAX's jitted mean lets XLA "
                          "multiply by the reciprocal (last ulp)",
        "jax.numpy.poly": "sign of a zero imaginary part",
    },
    "jax.lax": {},
    "jax.lax.linalg": {},
    "jax.nn": {},
    "jax.random": {},
    "jax.experimental.sparse": {},
    "jax.scipy.linalg": {
        "jax.scipy.linalg.eigh_tridiagonal": "eigenvalues by another LAPACK route: last "
                                             "float32 digits",
    },
    "jax.scipy.signal": {
        "jax.scipy.signal.detrend": "sign of zeros left by rounding (-0. vs 0.)",
        "jax.scipy.signal.istft": "float32 rounding (2.0000002 vs 2., 6e-8 vs 0.)",
    },
    "jax": {},
    "jax.errors": {},
    "jax.tree_util": {
        "jax.tree_util.flatten_one_level": "the example imports JAX's private "
                                           "jax._src.tree_util, which jaxlite does not mirror",
    },
    "jax.export": {
        "jax.export.export": "JAX's Exported.serialize needs the flatbuffers package, which "
                             "the test environment lacks (JAX raises ImportError); jaxlite "
                             "prints the docstring's own expected output",
    },
}


@pytest.mark.parametrize("module", docstring_examples.MODULES)
def test_docstring_examples_match_jax(module):
  matched, total, failing = docstring_examples.module_figures(module)
  assert total > 0, f"no docstring examples found in {module}"
  known = KNOWN_DIFFERENCES.get(module, {})
  unexpected = [r for r in failing if r.name not in known]
  fixed = sorted(set(known) - {r.name for r in failing})
  if fixed:
    warnings.warn(f"{module}: now matching JAX, drop from KNOWN_DIFFERENCES: {fixed}")
  assert not unexpected, "\n\n".join(r.explain() for r in unexpected)
  floor = MIN_MATCHING.get(module, TARGET)
  assert matched >= floor * total, (
      f"{module}: {matched}/{total} examples match JAX, below {floor:.1%}")


def test_examples_are_run_under_jaxlite():
  """The harness really runs jaxlite: `import jax` inside an example gets it."""
  import doctest
  examples = doctest.DocTestParser().get_examples(
      ">>> import jax.numpy as jnp\n>>> from jax import lax\n"
      ">>> print(jnp.__name__, lax.__name__, jax.__name__)\n")
  outcome = docstring_examples.run_docstring(examples, "jaxlite")
  assert outcome.outputs[-1] == "jaxlite.numpy jaxlite.lax jaxlite\n"
  outcome = docstring_examples.run_docstring(examples, "jax")
  assert outcome.outputs[-1] == "jax.numpy jax.lax jax\n"
