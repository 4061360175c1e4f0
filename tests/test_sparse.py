"""jax.experimental.sparse against JAX 0.10.2 (the cases are tests/sparse_cases.py).

The cases run in a fresh interpreter: in the full suite, after some 2,700
other tests in the same xdist worker, XLA's CPU compiler twice crashed with a
segmentation fault compiling one of these eager sparse operations (a
scatter-add of bcoo_todense, a broadcast of bcoo_multiply_dense). The cases
pass alone, also with a tiny MLIR-context budget; the cause is not found yet
(an open bug, noted on issue 17). Running them apart keeps one crash from
taking the suite's worker down while it is found.
"""
import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("selection", ["not slow", pytest.param("slow", marks=pytest.mark.slow)])
def test_sparse_cases_pass_in_a_fresh_interpreter(selection):
  # The cases marked slow (more layouts of the same code paths) run with the slow tests.
  here = os.path.dirname(os.path.abspath(__file__))
  out = subprocess.run(
      [sys.executable, "-X", "faulthandler", "-m", "pytest", "-q", "-p", "no:cacheprovider",
       "-m", selection, os.path.join(here, "sparse_cases.py")],
      capture_output=True, text=True, timeout=900, cwd=os.path.dirname(here))
  assert out.returncode == 0, (out.stdout[-4000:] + out.stderr[-4000:])
