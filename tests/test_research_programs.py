"""Programs written for JAX, run unchanged with ``import jax`` served by jaxlite.

Each program in ``tests/programs`` imports ``jax``, ``jax.numpy``,
``jax.example_libraries`` and ``jax.scipy.linalg``. It runs twice in a
subprocess: under real JAX (the test-only oracle), and with
``tests/programs/alias`` first on PYTHONPATH, whose ``sitecustomize`` maps
every ``jax`` module to its ``jaxlite`` counterpart. The printed losses must
agree within float tolerance.
"""
import os
import re
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")
pytest.importorskip("absl")

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")
ALIAS = os.path.join(PROGRAMS, "alias")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NUMBER = re.compile(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?|[-+]?\d+")


def _run(args, alias: bool, cwd=PROGRAMS):
  env = dict(os.environ)
  paths = [REPO] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
  if alias:
    paths.insert(0, ALIAS)
  env["PYTHONPATH"] = os.pathsep.join(paths)
  env.pop("JAX_ENABLE_X64", None)
  proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                        text=True, timeout=600)
  assert proc.returncode == 0, (
      f"{'jaxlite' if alias else 'JAX'} run of {args} failed:\n{proc.stderr[-4000:]}")
  if alias:
    assert "jax served by jaxlite: True; real jax imported: False" in proc.stderr, \
        proc.stderr[-2000:]
  return proc.stdout


def _split(line):
  """A line's text with its numbers blanked out, and the numbers."""
  return _NUMBER.sub("#", line), [float(n) for n in _NUMBER.findall(line)]


def _assert_same_output(ours: str, theirs: str, rtol: float, atol: float):
  ours_lines, theirs_lines = ours.strip().splitlines(), theirs.strip().splitlines()
  assert len(ours_lines) == len(theirs_lines), (ours, theirs)
  for a, b in zip(ours_lines, theirs_lines):
    text_a, nums_a = _split(a)
    text_b, nums_b = _split(b)
    assert text_a == text_b, (a, b)
    for x, y in zip(nums_a, nums_b):
      assert abs(x - y) <= atol + rtol * abs(y), f"jaxlite printed {a!r}, JAX {b!r}"


def _losses(output: str, word: str):
  return [float(line.split()[-1]) for line in output.splitlines()
          if line.startswith("step") and f" {word} " in line]


def test_stax_classifier_trains_as_under_jax():
  theirs = _run(["stax_classifier.py"], alias=False)
  ours = _run(["stax_classifier.py"], alias=True)
  _assert_same_output(ours, theirs, rtol=1e-4, atol=1e-5)
  losses = _losses(ours, "loss")
  assert len(losses) == 25 and losses[-1] < 0.5 * losses[0]   # it does learn


def test_gp_regression_with_absl_flags_as_under_jax():
  args = ["gp_regression.py", "--num_steps=12", "--jax_enable_x64=true"]
  theirs = _run(args, alias=False)
  ours = _run(args, alias=True)
  _assert_same_output(ours, theirs, rtol=1e-6, atol=1e-8)
  # The absl flag reached the config: the program computed in float64.
  assert "dtype float64" in ours
  nll = _losses(ours, "nll")
  assert len(nll) == 12 and nll[-1] < nll[0]


def test_old_style_config_import_under_the_alias(tmp_path):
  # Programs of JAX's older releases import the config module; jax 0.10.2 no
  # longer has it, so this one runs with jaxlite only.
  program = tmp_path / "old_style.py"
  program.write_text(textwrap.dedent("""
      from absl import app
      from jax.config import config
      import jax
      import jax.numpy as jnp

      def main(argv):
        print(jnp.ones(2).dtype, jax.config.read("jax_enable_x64"))

      if __name__ == "__main__":
        config.config_with_absl()
        app.run(main)
      """))
  assert _run([str(program), "--jax_enable_x64"], alias=True, cwd=tmp_path).split() == [
      "float64", "True"]
  # Without the flag: the default, float32.
  assert _run([str(program)], alias=True, cwd=tmp_path).split() == ["float32", "False"]
