"""The benchmark runner itself (benchmarks/run.py), driven with fake libraries.

No jax or jaxlite is needed: the cases here only use the module handed to them.
"""
import importlib.util
import json
import os
import sys
import types

import pytest

_RUN_PY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "benchmarks", "run.py")


@pytest.fixture(scope="module")
def bench():
  spec = importlib.util.spec_from_file_location("jaxlite_bench_run", _RUN_PY)
  module = importlib.util.module_from_spec(spec)
  sys.modules[spec.name] = module
  spec.loader.exec_module(module)
  yield module
  sys.modules.pop(spec.name, None)


def _fake_library(bench, label, scale):
  """A stand-in library whose `work` is a tiny loop `scale` times as long."""
  module = types.ModuleType(label)

  def work():
    return sum(range(10 * scale))
  module.work = work
  module.__version__ = "0.0"
  numpy_module = types.ModuleType(f"{label}.numpy")
  return bench.Library(label, module, numpy_module)


def test_harness_times_a_case_and_reports_json(bench):
  cases = [
      ("fake", bench.Case("trivial_loop", lambda jx, jnp: jx.work,
                          goal="<= 1.0x JAX")),
      ("fake", bench.Case("a_value", lambda jx, jnp: 3.0 if jx.__name__ == "jaxlite"
                          else 6.0, goal="< 0.3x JAX", kind="value", unit="s")),
      ("fake", bench.Case("broken", lambda jx, jnp: 1 / 0)),
  ]
  libraries = [_fake_library(bench, "jaxlite", 1), _fake_library(bench, "jax", 1)]
  options = bench.Options(target_seconds=0.01, repeats=3, warmup_calls=1)
  results = bench.run_cases(cases, libraries, options, log=open(os.devnull, "w"))
  report = json.loads(json.dumps(bench.build_report(results, libraries, options,
                                                    quick=True)))

  assert set(report) >= {"schema", "machine", "options", "cases", "summary"}
  assert set(report["machine"]) >= {"platform", "cpu_count", "python", "jaxlib",
                                    "date"}
  by_name = {case["name"]: case for case in report["cases"]}
  assert list(by_name) == ["trivial_loop", "a_value", "broken"]

  timed = by_name["trivial_loop"]
  assert timed["unit"] == "us" and timed["kind"] == "time"
  for label in ("jaxlite", "jax"):
    measurement = timed[label]
    assert 0 < measurement["min"] <= measurement["median"]
    assert measurement["number"] >= 1 and measurement["repeats"] >= 3
  assert timed["ratio"] == pytest.approx(
      timed["jaxlite"]["min"] / timed["jax"]["min"])
  assert timed["meets_goal"] in (True, False)

  value = by_name["a_value"]
  assert value["jaxlite"] == {"value": 3.0} and value["jax"] == {"value": 6.0}
  assert value["ratio"] == pytest.approx(0.5)
  assert value["meets_goal"] is False  # 0.5 is not < 0.3

  broken = by_name["broken"]
  assert broken["jaxlite"]["error"].startswith("ZeroDivisionError")
  assert broken["ratio"] is None and broken["meets_goal"] is None

  assert report["summary"]["cases"] == 3
  assert report["summary"]["errors"] == 1


def test_goal_parsing(bench):
  assert bench.parse_goal("< 0.3x JAX") == ("<", 0.3)
  assert bench.parse_goal("<= 1.0x JAX") == ("<=", 1.0)
  assert bench.parse_goal("no ratio here") is None
  assert bench.meets_goal(0.2, "< 0.3x JAX") is True
  assert bench.meets_goal(1.2, "<= 1.0x JAX") is False
  assert bench.meets_goal(None, "<= 1.0x JAX") is None


def test_case_modules_define_cases(bench):
  cases = bench.load_cases()
  names = [case.name for _, case in cases]
  assert "import_time" in names and "device_put_1kb" in names
  assert not any(name.endswith(":<import>") for name in names), names
  assert len(names) == len(set(names)), "case names must be unique"
