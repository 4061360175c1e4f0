"""jax_debug_nans and jax_debug_infs, compared with JAX 0.10.2 in the same test:
the exception (type and message) each program raises, or its value."""
import numpy as np
import pytest

from parity_util import assert_same_outcome, run_case

# name -> (options on, case)
CASES = {
    "eager log(-1)": ("nans", lambda j, n, l: l.log(np.float32(-1))),
    "eager 0 / 0": ("nans", lambda j, n, l: l.div(np.float32(0), np.float32(0))),
    "eager 1 / 0 is not a nan": ("nans", lambda j, n, l: l.div(np.float32(1), np.float32(0))),
    "jit: nan inside, found op by op": ("nans", lambda j, n, l: j.jit(
        lambda x: l.sin(l.log(x)))(np.float32(-1))),
    "jit: Python division by zero in the re-run": ("nans", lambda j, n, l: j.jit(
        lambda x: x / x)(0.)),
    "jit: nan input, none produced": ("nans", lambda j, n, l: j.jit(
        lambda x: x + 1)(np.float32(np.nan))),
    "jit under disable_jit": ("nans+disable_jit", lambda j, n, l: j.jit(
        lambda x: l.sin(l.log(x)))(np.float32(-1))),
    "grad of sqrt at 0 is inf, not nan": ("nans", lambda j, n, l: j.grad(
        lambda x: l.sqrt(x))(np.float32(0))),
    "integers are not checked": ("nans", lambda j, n, l: l.div(np.arange(3), np.int32(1))),
    "infs: eager 1 / 0": ("infs", lambda j, n, l: l.div(np.float32(1), np.float32(0))),
    "infs: jit exp overflow": ("infs", lambda j, n, l: j.jit(
        lambda x: l.mul(l.exp(x), np.float32(2)))(np.float32(100))),
    "infs: a nan is not checked": ("infs", lambda j, n, l: l.log(np.float32(-1))),
    "off: nothing raised": ("", lambda j, n, l: j.jit(lambda x: l.log(x))(np.float32(-1))),
}


def _under_options(options, case):
  def run(j, n, l):
    with j.debug_nans("nans" in options), j.debug_infs("infs" in options), \
        j.disable_jit("disable_jit" in options):
      return case(j, n, l)
  return run


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_outcome_as_jax(name, jax_reference, capsys):
  import jaxlite
  options, case = CASES[name]
  expected, got = run_case(_under_options(options, case), jax_reference, jaxlite)
  assert_same_outcome(expected, got)
  printed = capsys.readouterr().out
  if name.startswith("jit:") or name.startswith("infs: jit"):
    # Both libraries announce the de-optimized re-run of a jitted function.
    assert "Calling the de-optimized version." in printed


def test_options_off_again_after_a_checked_run():
  import jaxlite
  with jaxlite.debug_nans(True):
    with pytest.raises(FloatingPointError, match=r"invalid value \(nan\) encountered in log"):
      jaxlite.lax.log(np.float32(-1))
  assert np.isnan(float(jaxlite.lax.log(np.float32(-1))))
  f = jaxlite.jit(lambda x: jaxlite.lax.log(x))
  assert np.isnan(float(f(np.float32(-1))))
  with jaxlite.debug_nans(True), pytest.raises(FloatingPointError):
    f(np.float32(-1))
  assert np.isnan(float(f(np.float32(-1))))
