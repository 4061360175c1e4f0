"""equinox 0.13.8 through the switch, against the same program under JAX 0.10.2."""
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["mlp", "conv2d", "module", "filter_jit_grad", "filter_vmap", "tree_at",
         "training_loop", "loops_and_errors"]


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("equinox_program")
  assert (jaxlite_result["_implementation"], jax_result["_implementation"]) == ("jaxlite", "jax")
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_equinox_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("equinox_program")
  assert_same_numbers(jaxlite_result[case], jax_result[case], rtol=1e-5, path=case)
