"""einops 0.8.2 through the switch, against the same program under JAX 0.10.2."""
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["eager", "jit", "grad", "jit_grad", "vmap", "vmap_rearrange", "tracer_is_array"]


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("einops_program")
  assert (jaxlite_result["_implementation"], jax_result["_implementation"]) == ("jaxlite", "jax")
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_einops_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("einops_program")
  assert_same_numbers(jaxlite_result[case], jax_result[case], path=case)


def test_einops_sees_tracers_as_arrays(ecosystem_results):
  # einops picks its backend with isinstance(x, jax.Array): true for tracers.
  jaxlite_result, _ = ecosystem_results("einops_program")
  assert jaxlite_result["tracer_is_array"] == [True, True, True]
