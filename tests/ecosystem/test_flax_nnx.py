"""flax.nnx 0.12.8 from its wheel through the switch, against the same program
under JAX 0.10.2: nnx modules and layers, nnx.jit/grad/vmap/scan/remat/cond,
nnx.Optimizer with optax, split/merge into jax.jit, rng streams and Variables
updated in place. (nnx imports jax.experimental.hijax: jaxlite.hijax.)"""
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["train_step_optimizer", "split_merge_and_functional_jit", "vmap_and_scan_over_layers",
         "layers_conv_attention_norms", "grad_remat_and_cond", "rngs_streams_and_state_updates"]


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("flax_nnx_program")
  assert (jaxlite_result["_implementation"], jax_result["_implementation"]) == ("jaxlite", "jax")
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_flax_nnx_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("flax_nnx_program")
  assert_same_numbers(jaxlite_result[case], jax_result[case], rtol=1e-5, path=case)
