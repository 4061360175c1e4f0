"""Running one library program under jaxlite's switch and under real JAX.

Each program in ``programs/`` is an unmodified JAX program: it imports
``jax`` and a library, runs a list of named cases and prints one JSON object
``{case: result}`` (nested lists of numbers, or ``{"error": traceback}``).
The ``ecosystem_results`` fixture runs a program once with
``python -m jaxlite`` (every ``import jax`` served by jaxlite) and once with
plain ``python`` (the real JAX 0.10.2), in subprocesses of this test run, and
caches both results for the session: one pair of processes per library.
"""
import json
import os
import subprocess
import sys

import pytest

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")


def run_program(name: str, *, switch: bool, timeout: int = 600) -> dict:
  """Runs ``programs/<name>.py``; returns its JSON result (fails the test if it crashed)."""
  path = os.path.join(PROGRAMS, f"{name}.py")
  prefix = ["-m", "jaxlite"] if switch else []
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  proc = subprocess.run([sys.executable, *prefix, path], capture_output=True, text=True,
                        timeout=timeout, env=env)
  if proc.returncode != 0:
    side = "jaxlite" if switch else "JAX"
    pytest.fail(f"{name} under {side} exited with {proc.returncode}:\n{proc.stderr[-4000:]}")
  return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def ecosystem_results():
  """``ecosystem_results(name) -> (jaxlite_result, jax_result)``, each program run once per side."""
  pytest.importorskip("jax")
  cache = {}

  def get(name):
    if name not in cache:
      cache[name] = (run_program(name, switch=True), run_program(name, switch=False))
    return cache[name]
  return get
