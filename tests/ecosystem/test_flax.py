"""flax.linen 0.12.8 from its wheel (not jaxlite's own linen) through the switch,
against the same program under JAX 0.10.2; and the examples/ training script."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from ecosystem_compare import assert_same_numbers

CASES = ["dense", "conv", "batchnorm", "dropout", "lstm_scan", "remat", "vmap",
         "train_step_optax", "init_apply_misc", "lifted_control_flow_and_layers"]
EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                       "flax_optax_train.py")


def test_the_two_sides_ran_jaxlite_and_jax(ecosystem_results):
  jaxlite_result, jax_result = ecosystem_results("flax_program")
  assert (jaxlite_result["_implementation"], jax_result["_implementation"]) == ("jaxlite", "jax")
  assert sorted(jaxlite_result) == sorted(jax_result) == sorted(CASES + ["_implementation"])


@pytest.mark.parametrize("case", CASES)
def test_flax_matches_jax(ecosystem_results, case):
  jaxlite_result, jax_result = ecosystem_results("flax_program")
  assert_same_numbers(jaxlite_result[case], jax_result[case], rtol=1e-5, path=case)


def _example_output(switch: bool) -> str:
  prefix = ["-m", "jaxlite"] if switch else []
  proc = subprocess.run([sys.executable, *prefix, EXAMPLE], capture_output=True, text=True,
                        timeout=600, env=dict(os.environ, JAX_PLATFORMS="cpu"))
  assert proc.returncode == 0, proc.stderr[-3000:]
  return proc.stdout


def test_example_training_script_prints_jax_losses():
  """The unmodified flax + optax script prints JAX's losses to 1e-5 relative."""
  pytest.importorskip("jax")
  ours, theirs = _example_output(switch=True), _example_output(switch=False)
  pattern = r"step\s+(\d+)\s+loss ([0-9.eE+-]+)"
  our_losses, their_losses = re.findall(pattern, ours), re.findall(pattern, theirs)
  assert len(their_losses) == 6 and [s for s, _ in our_losses] == [s for s, _ in their_losses]
  np.testing.assert_allclose([float(v) for _, v in our_losses],
                             [float(v) for _, v in their_losses], rtol=1e-5)
  assert ours.splitlines()[-1] == theirs.splitlines()[-1]   # the final accuracy line
