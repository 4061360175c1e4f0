"""Differential fuzzing against JAX 0.10.2: random programs of jnp/lax
operations under compositions of jit, grad, vmap, jvp, scan and cond must give
JAX's values, dtypes, weak types and exception types (see fuzz_programs.py).

Default profile: a fixed seed and DEFAULT_N programs. Long profile::

    .venv/bin/python -m pytest tests/differential --fuzz-n 10000 \\
        --fuzz-report /tmp/fuzz.txt

reports every disagreement (it does not stop at the first) and fails if any.
``--fuzz-seed S`` (or JAXLITE_FUZZ_SEED) draws another stream of programs, so
a long profile can be run in chunks of distinct programs (seeds 1, 2, ...).
"""
import collections
import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
pytest.importorskip("jax")
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

import fuzz_programs  # noqa: E402

DEFAULT_N = 150


def _option(request, name, env):
  value = request.config.getoption(name, default=None)
  return value if value is not None else os.environ.get(env)


def _run_fuzzer(n, path=None, stream=None):
  """Runs n programs; returns [(program, disagreement)] and per-category counts.

  With `path`, every disagreement is appended to that file as it is found and
  a progress line every 100 programs, so a long run can be read as it goes.
  `stream` (an int) replaces hypothesis' derandomized seed: another chunk of
  programs.
  """
  found = []
  counts = collections.Counter()
  log = open(path, "w") if path else None

  @settings(max_examples=n, derandomize=True, database=None, deadline=None,
            phases=[Phase.generate], print_blob=False,
            suppress_health_check=list(HealthCheck))
  @given(fuzz_programs.programs())
  def check(program):
    if path:
      # The program about to run, so that a crash of the process names it.
      with open(path + ".current", "w") as current:
        current.write(program.source())
    counts["programs"] += 1
    if fuzz_programs.jax_would_crash(program):
      counts["skipped: JAX's XLA crashes (integer division by a constant)"] += 1
    else:
      _compare(program)
    if log and counts["programs"] % 100 == 0:
      log.write(f"# progress: {_summary(counts)}\n")
      log.flush()

  def _compare(program):
    mine = fuzz_programs.run(program, "jaxlite")
    theirs = fuzz_programs.run(program, "jax")
    counts["JAX raises" if theirs.error is not None else "JAX computes"] += 1
    disagreement = fuzz_programs.compare(program, mine, theirs)
    if disagreement is not None:
      counts[disagreement[0]] += 1
      found.append((program, disagreement))
      if log:
        log.write(fuzz_programs.report(program, disagreement) + "\n")

  if stream is not None:
    check = seed(stream)(check)
  try:
    check()
  finally:
    if log:
      signatures = collections.Counter(fuzz_programs.signature(p, d) for p, d in found)
      log.write(f"\n# total: {_summary(counts)}\n# {len(signatures)} distinct "
                "(category, composition, ops):\n")
      log.write("".join(f"# {k:5d} {s}\n" for s, k in signatures.most_common()))
      log.close()
  return found, counts


def _summary(counts):
  return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def test_random_programs_agree_with_jax(request):
  n = int(_option(request, "--fuzz-n", "JAXLITE_FUZZ_N") or DEFAULT_N)
  path = _option(request, "--fuzz-report", "JAXLITE_FUZZ_REPORT")
  stream = _option(request, "--fuzz-seed", "JAXLITE_FUZZ_SEED")
  found, counts = _run_fuzzer(n, path, None if stream is None else int(stream))
  print(f"\ndifferential fuzzer: {_summary(counts)}")
  reports = [fuzz_programs.report(p, d) for p, d in found]
  assert not found, f"{len(found)} disagreements with JAX ({_summary(counts)}); first ones:\n" + \
      "\n".join(reports[:5])
