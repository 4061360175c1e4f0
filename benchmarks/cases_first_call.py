"""First calls counted in instructions: the one call of a first_call case, in a
fresh process under callgrind (``instructions.count_first_call``).

A first call's wall time (tracing, lowering, XLA compiling) swung from 0.76x to
1.80x JAX between two loaded runs of the same code; its instruction count moves
by well under 1%. The count includes what a library imports on first use
(jaxlite imports jaxlib's MLIR bindings at its first lowering; JAX at
``import jax``) and nothing imported before the call.

Each case's ``setup(jx, jnp)`` gets either jaxlite or jax; see run.py.
"""
import os

from run import Case

_BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def _first_call_instructions(case_file: str, case_name: str):
  """A value case: millions of instructions of ``case_name``'s first call."""
  def setup(jx, jnp):
    del jnp
    import instructions  # this directory is on sys.path
    import run
    # As for timed first calls: .pyc files as an installed package has them,
    # so no module the call imports is compiled from source inside the count.
    run._write_bytecode(run.Library(jx.__name__, jx))
    counted = instructions.count_first_call(os.path.join(_BENCH_DIR, case_file),
                                            case_name, jx.__name__)
    return counted["instructions"] / 1e6
  return setup


CASES = [
    # ~1.5 min of callgrind per library.
    Case("mlp_forward_first_call_instructions",
         _first_call_instructions("cases_core.py", "mlp_forward_first_call"),
         kind="value", unit="M instr", goal="<= 1.0x JAX"),
]
