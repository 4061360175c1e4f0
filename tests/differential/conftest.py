"""Options of the differential fuzzer (tests/differential/test_differential.py).

``--fuzz-n N`` runs N random programs instead of the fixed-seed default
profile; ``--fuzz-seed S`` draws another stream of programs; ``--fuzz-report PATH`` writes every disagreement found to PATH. The
environment variables ``JAXLITE_FUZZ_N``, ``JAXLITE_FUZZ_SEED`` and ``JAXLITE_FUZZ_REPORT`` do the same
when pytest is started from another directory (options of a sub-directory's
conftest are only known when that directory is named on the command line).
"""


def pytest_addoption(parser):
  group = parser.getgroup("jaxlite differential fuzzer")
  group.addoption("--fuzz-n", type=int, default=None,
                  help="number of random programs (default: the CI profile)")
  group.addoption("--fuzz-report", default=None,
                  help="write every disagreement to this file")
  group.addoption("--fuzz-seed", type=int, default=None,
                  help="seed of another stream of programs (a chunk of a long run)")
