"""chex 0.1.92 through the switch, against the same program under JAX 0.10.2."""
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["assert_shape", "assert_trees_all_close", "dataclass_jit", "variants"]


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("chex_program")
  assert (jaxlite_result["_implementation"], jax_result["_implementation"]) == ("jaxlite", "jax")
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_chex_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("chex_program")
  assert_same_numbers(jaxlite_result[case], jax_result[case], path=case)


def test_chex_variants_ran_both(ecosystem_results):
  jaxlite_result, _ = ecosystem_results("chex_program")
  variants = jaxlite_result["variants"]
  assert variants["errors"] == [] and variants["ran"] == 2
  assert sorted(variants["values"]) == ["test_square__with_jit", "test_square__without_jit"]
