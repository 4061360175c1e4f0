"""jaxopt 0.8.5 through the switch (its solvers rest on lax.custom_root,
lax.custom_linear_solve and jax.scipy.sparse.linalg), against the same program
under JAX 0.10.2."""
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["lbfgs", "gradient_descent", "levenberg_marquardt", "bisection", "broyden",
         "implicit_diff", "custom_root_decorator", "linear_solvers_and_more"]


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("jaxopt_program")
  assert (jaxlite_result["_implementation"], jax_result["_implementation"]) == ("jaxlite", "jax")
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_jaxopt_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("jaxopt_program")
  # Iterative solvers: float32 rounding differences in the iterates stay below 1e-5
  # relative; values that converge to zero are compared with atol.
  assert_same_numbers(jaxlite_result[case], jax_result[case], rtol=1e-5, atol=1e-5, path=case)
