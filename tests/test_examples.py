"""Every program in examples/ runs as ``python examples/NAME.py`` and prints
what it promises (with fast settings where the example takes them)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def run_example(name, *args, timeout=300):
  env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
  proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], cwd=ROOT,
                        env=env, capture_output=True, text=True, timeout=timeout)
  assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
  return proc.stdout


def test_quickstart():
  out = run_example("quickstart.py")
  assert "x * 2 + 1 = [1. 3. 5. 7. 9.]" in out
  assert "c:f32[] = sin b" in out
  assert "vmap(dot) shape: (3,)" in out
  assert "fitted w:" in out


def test_mlp_training():
  out = run_example("mlp_training.py", "--steps", "40")
  last = out.strip().splitlines()[-1]
  assert last.startswith("40 steps in"), last
  first_loss, final_loss = (float(v) for v in last.split("loss ")[1].split(";")[0].split(" -> "))
  assert final_loss < 0.8 * first_loss, last


def test_gauss_newton():
  out = run_example("gauss_newton.py")
  assert "primitives in J^T J v:" in out
  norms = [float(line.split("= ")[1]) for line in out.splitlines() if line.startswith("step ")]
  start = float(out.splitlines()[0].split("= ")[1])
  assert norms and norms[-1] < 0.2 * start, out


def test_per_example_grads():
  out = run_example("per_example_grads.py")
  assert "per-example gradient shapes: [(16, 5, 8), (16, 8), (16, 8), (16,)]" in out
  assert "vmap(grad) matches a loop over 16 examples" in out


def test_pmap_mlp():
  out = run_example("pmap_mlp.py")
  last = out.strip().splitlines()[-1]
  assert last.startswith("devices 8;"), last
  first, final = (float(v) for v in last.split("loss ")[1].split(" -> "))
  assert final < first, last


def test_multi_process_pmap():
  out = run_example("multi_process_pmap.py")
  lines = [l for l in out.splitlines() if l.startswith("process ")]
  assert lines == [
      "process 0/2: 4 local of 8 devices; global ranks [0, 1, 2, 3]; psum [28.0, 28.0, 28.0, 28.0]",
      "process 1/2: 4 local of 8 devices; global ranks [4, 5, 6, 7]; psum [28.0, 28.0, 28.0, 28.0]",
  ], out


def test_linen_mlp():
  if not os.path.exists(os.path.join(EXAMPLES, "linen_mlp.py")):
    pytest.skip("examples/linen_mlp.py is not written yet")
  out = run_example("linen_mlp.py")
  assert out.strip(), "linen_mlp.py printed nothing"


# Examples run under the `import jax` switch are tested beside the same program under JAX.
TESTED_ELSEWHERE = {"flax_optax_train": "tests/ecosystem/test_flax.py"}


def test_every_example_has_a_test():
  tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
  for name in sorted(os.listdir(EXAMPLES)):
    if not name.endswith(".py"):
      continue
    if name[:-3] in TESTED_ELSEWHERE:
      with open(os.path.join(ROOT, TESTED_ELSEWHERE[name[:-3]])) as f:
        assert name in f.read(), f"examples/{name} is not run by {TESTED_ELSEWHERE[name[:-3]]}"
      continue
    assert name[:-3] in tested, f"examples/{name} has no test in tests/test_examples.py"
