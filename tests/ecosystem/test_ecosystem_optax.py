"""optax 0.2.8 from its wheel, through the switch, against the same program under JAX 0.10.2."""
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["sgd_momentum", "sgd_nesterov_eager", "adam", "adamw", "rmsprop", "lamb",
         "chain_clip_adam", "schedule", "adam_with_schedule", "clip_by_global_norm",
         "apply_updates", "training_loop_100_steps", "losses"]


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("optax_program")
  assert jaxlite_result["_implementation"] == "jaxlite"
  assert jax_result["_implementation"] == "jax"
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_optax_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("optax_program")
  # 100 steps of adamw accumulate float32 rounding differences: 1e-4 relative.
  rtol = 1e-4 if case == "training_loop_100_steps" else 1e-5
  assert_same_numbers(jaxlite_result[case], jax_result[case], rtol=rtol, path=case)
