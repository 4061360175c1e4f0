"""Instructions per call, counted by valgrind's callgrind (a machine-independent
measure of dispatch cost; wall clock on a shared machine swings by 2x).

A case of kind ``"instructions"`` is set up in a child process that runs under
``valgrind --tool=callgrind --instr-atstart=no``: importing and setting up run
uninstrumented, then the child switches instrumentation on itself (a callgrind
client request), warms the callable up, and counts ``N`` and then ``2N`` calls,
dumping the counters after each batch. The figure is
``(I(2N) - I(N)) / N``: what is constant around a batch cancels out.

Instructions of every thread are counted, except the ones XLA's worker threads
spend spinning while idle (they wait for work in a busy loop whose length
depends on how valgrind schedules threads, not on the call): the functions in
``SPIN_FUNCTIONS`` are subtracted with everything they call.

  $ python benchmarks/instructions.py --lib jaxlite --only eager_sin

With ``JAXLITE_CALLGRIND_KEEP=DIR`` the dumps are kept under ``DIR/<case>-<lib>/``
(``callgrind_annotate --inclusive=yes`` on the ``batch_2n`` one shows where a
call's instructions go).
"""
from __future__ import annotations

import ctypes
import glob
import json
import mmap
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))

# Callgrind's client requests (valgrind/callgrind.h): VG_USERREQ_TOOL_BASE('C','T') + n.
_CALLGRIND_BASE = (ord("C") << 24) | (ord("T") << 16)
_DUMP_STATS_AT = _CALLGRIND_BASE + 3
_ZERO_STATS = _CALLGRIND_BASE + 1
_START_INSTRUMENTATION = _CALLGRIND_BASE + 4
_STOP_INSTRUMENTATION = _CALLGRIND_BASE + 5

# x86-64 machine code of `uint64 request(uint64 *args)`: valgrind's "special
# instruction" preamble (four rotations of rdi that add up to 128 bits, a no-op
# natively) followed by `xchg rbx, rbx` asks valgrind to serve the request whose
# code and arguments are at [rax]; natively it returns 0.
_REQUEST_CODE = bytes([
    0x48, 0x89, 0xF8,              # mov rax, rdi        (&args)
    0x31, 0xD2,                    # xor edx, edx        (default result)
    0x48, 0xC1, 0xC7, 0x03,        # rol rdi, 3
    0x48, 0xC1, 0xC7, 0x0D,        # rol rdi, 13
    0x48, 0xC1, 0xC7, 0x3D,        # rol rdi, 61
    0x48, 0xC1, 0xC7, 0x33,        # rol rdi, 51
    0x48, 0x87, 0xDB,              # xchg rbx, rbx
    0x48, 0x89, 0xD0,              # mov rax, rdx
    0xC3,                          # ret
])

# Where XLA's idle worker threads spin (Eigen's and TSL's thread pools and
# absl's spin loops): their inclusive cost is not the call's. Eigen's worker
# loop looks for its next task in MaybeGetTask, which, finding none, steals
# from every other queue over and over (GlobalSteal) before it parks in
# WaitForWork: up to 80% of a small program's count, varying from run to run
# with valgrind's thread schedule. The tasks themselves run outside it.
SPIN_FUNCTIONS = (
    "WaitForWork", "MaybeGetTask", "Spin", "SpinLoop", "spin_loop", "SpinWait",
    "absl::lts_*::base_internal::SpinLockDelay",
)
_SPIN_PATTERN = re.compile(
    r"WaitForWork|MaybeGetTask|SpinLock(Delay|Wait)|::Spin(Loop|Wait)?\b|spin_loop|sched_yield")


class _Requester:
  """Issues callgrind client requests from Python (x86-64 Linux only)."""

  def __init__(self):
    if platform.machine() not in ("x86_64", "AMD64"):
      raise RuntimeError("callgrind client requests are only wired up on x86-64")
    self._page = mmap.mmap(-1, mmap.PAGESIZE,
                           prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    self._page.write(_REQUEST_CODE)
    address = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
    self._call = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)(address)
    self._args = (ctypes.c_uint64 * 6)()
    self._labels = {}

  def __call__(self, code, arg1=0):
    self._args[0] = code
    self._args[1] = arg1
    return self._call(ctypes.addressof(self._args))

  def label(self, label: str):
    """Prepares a dump label (outside the counted batches: it allocates)."""
    self._labels[label] = ctypes.create_string_buffer(label.encode())

  def dump(self, label: str):
    self(_DUMP_STATS_AT, ctypes.addressof(self._labels[label]))


def _set_up(case_file: str, case_name: str, library_name: str):
  """In a callgrind child: imports the library and returns the case's callable."""
  sys.path[:0] = [BENCH_DIR, os.path.dirname(BENCH_DIR)]
  import run  # noqa: F401 - case modules import Case from it
  library = run.load_library(library_name)
  if library.error:
    raise ImportError(library.error)
  label = os.path.basename(case_file)[len("cases_"):-len(".py")]
  module = run._import_path(case_file, f"cases_{label}")
  case = next(c for c in module.CASES if c.name == case_name)
  return case.setup(library.module, library.numpy)


def _heap_trimmer():
  """glibc's ``malloc_trim(0)`` (a no-op elsewhere), run before each counted
  batch, uncounted. glibc frees small chunks into "fastbins" that it merges
  only now and then, in one ``malloc_consolidate`` whose cost grows with the
  pile (~540K instructions after a few thousand calls of jaxlib's
  ``execute_sharded``, which leaves ~2-3 chunks a call there). Whether that
  one event fell in the N batch or the 2N batch moved a 42K figure to 37K or
  48K; emptying the pile before each batch leaves each batch only what its
  own calls pile up."""
  try:
    libc = ctypes.CDLL(None)
    trim = libc.malloc_trim
  except (OSError, AttributeError):
    return lambda: None
  trim.argtypes = [ctypes.c_size_t]
  return lambda: trim(0)


def _child(case_file: str, case_name: str, library_name: str, n: int, warmup: int):
  """Runs under callgrind: set up, warm up, then count N and 2N calls."""
  fn = _set_up(case_file, case_name, library_name)
  for _ in range(warmup):
    fn()
  request = _Requester()
  request.label("batch_n")
  request.label("batch_2n")
  request(_START_INSTRUMENTATION)
  # Instrumented warm-up: the first calls after the switch pay for translating
  # the code again.
  for _ in range(warmup):
    fn()
  import gc
  gc.collect()
  gc.disable()   # a collection in one batch and not the other is noise
  # A first, discarded batch absorbs what runs once after the switch (lazy
  # initialisation, ctypes' first calls), which differencing would not cancel.
  for _ in range(n):
    fn()
  trim = _heap_trimmer()
  trim()
  request(_ZERO_STATS)
  for _ in range(n):
    fn()
  request.dump("batch_n")
  trim()
  request(_ZERO_STATS)
  for _ in range(2 * n):
    fn()
  request.dump("batch_2n")
  request(_STOP_INSTRUMENTATION)


def _read_dump(path: str) -> tuple[int, int]:
  """(total instructions, instructions inclusive under spin functions) of one
  callgrind dump (--compress-strings=no, so every name is spelled out)."""
  total = 0
  spin = 0
  current_fn_spin = False
  callee_spin = False
  expect_call_cost = False
  with open(path, encoding="utf-8", errors="replace") as f:
    for line in f:
      if line.startswith("totals:"):
        # The sum of the part's cost lines. (`summary:` can also hold cost that
        # callgrind attributes to the part while it was off, e.g. right after
        # instrumentation is switched on.)
        total = int(line.split()[1])
        continue
      if line.startswith("fn="):
        current_fn_spin = bool(_SPIN_PATTERN.search(line))
        continue
      if line.startswith("cfn="):
        callee_spin = bool(_SPIN_PATTERN.search(line))
        continue
      if line.startswith("calls="):
        expect_call_cost = True
        continue
      if line[:1].isdigit() or line[:1] in "+-*":
        parts = line.split()
        cost = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if expect_call_cost:
          # Inclusive cost of a call from a non-spin function into a spin one.
          if callee_spin and not current_fn_spin:
            spin += cost
          expect_call_cost = False
        elif current_fn_spin:
          pass   # self cost inside a spin function; counted through its caller
  return total, spin


def _run_callgrind(child_args: list, out_dir: str, timeout: float) -> dict:
  """Runs this file with ``child_args`` under callgrind (instrumentation off
  until the child switches it on) and reads the dumps it labelled: label ->
  (total, spin)."""
  valgrind = shutil.which("valgrind")
  if valgrind is None:
    raise RuntimeError("valgrind is not installed")
  cmd = [valgrind, "--tool=callgrind", "--instr-atstart=no", "--compress-strings=no",
         "--compress-pos=no", f"--callgrind-out-file={out_dir}/cg.out",
         sys.executable, os.path.abspath(__file__), *child_args]
  proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                        cwd=os.path.dirname(BENCH_DIR))
  if proc.returncode != 0:
    raise RuntimeError(f"callgrind child failed (exit {proc.returncode}):\n"
                       f"{proc.stderr[-3000:]}")
  dumps = {}
  for path in glob.glob(os.path.join(out_dir, "cg.out*")):
    with open(path, encoding="utf-8", errors="replace") as f:
      head = f.read(4096)
    match = re.search(r"Client Request: (\w+)", head)
    if match:
      dumps[match.group(1)] = _read_dump(path)
  return dumps


def _keep_dumps(out_dir: str, case_name: str, library_name: str):
  keep = os.environ.get("JAXLITE_CALLGRIND_KEEP")
  if keep:   # a folder to keep the dumps in, for callgrind_annotate
    shutil.copytree(out_dir, os.path.join(keep, f"{case_name}-{library_name}"),
                    dirs_exist_ok=True)
  shutil.rmtree(out_dir, ignore_errors=True)


def count(case_file: str, case_name: str, library_name: str, n: int = 20,
          warmup: int = 3, timeout: float = 900) -> dict:
  """Instructions per call of one case on one library, from a callgrind child."""
  out_dir = tempfile.mkdtemp(prefix="jaxlite_callgrind_")
  try:
    dumps = _run_callgrind(["--_child", case_file, case_name, library_name, str(n),
                            str(warmup)], out_dir, timeout)
    if not {"batch_n", "batch_2n"} <= set(dumps):
      raise RuntimeError(f"callgrind wrote no batch dumps: {sorted(dumps)}")
    (total_n, spin_n), (total_2n, spin_2n) = dumps["batch_n"], dumps["batch_2n"]
    per_call = ((total_2n - spin_2n) - (total_n - spin_n)) / n
    return {"instructions": per_call,
            "raw": {"n": n, "total_n": total_n, "spin_n": spin_n,
                    "total_2n": total_2n, "spin_2n": spin_2n}}
  finally:
    _keep_dumps(out_dir, case_name, library_name)


def _first_call_child(case_file: str, case_name: str, library_name: str):
  """Runs under callgrind: sets a first_call case up, counts its one call."""
  fn = _set_up(case_file, case_name, library_name)
  request = _Requester()
  request.label("first_call")
  request(_START_INSTRUMENTATION)
  request(_ZERO_STATS)
  fn()
  request.dump("first_call")
  request(_STOP_INSTRUMENTATION)


def count_first_call(case_file: str, case_name: str, library_name: str,
                     timeout: float = 1800) -> dict:
  """Instructions of a first_call case's one call in a fresh process (every
  thread, XLA's idle spinning excluded): tracing, lowering, compiling and
  whatever the library imports on first use, none of what it imported before.

  On a shared machine a first call's wall time swings by 2x between runs;
  this count moves by well under 1%.
  """
  out_dir = tempfile.mkdtemp(prefix="jaxlite_callgrind_")
  try:
    dumps = _run_callgrind(["--_first-call-child", case_file, case_name, library_name],
                           out_dir, timeout)
    if "first_call" not in dumps:
      raise RuntimeError(f"callgrind wrote no first_call dump: {sorted(dumps)}")
    total, spin = dumps["first_call"]
    return {"instructions": total - spin, "raw": {"total": total, "spin": spin}}
  finally:
    _keep_dumps(out_dir, case_name, library_name)


def main(argv=None):
  argv = sys.argv[1:] if argv is None else argv
  if argv and argv[0] == "--_child":
    case_file, case_name, library_name, n, warmup = argv[1:6]
    _child(case_file, case_name, library_name, int(n), int(warmup))
    return 0
  if argv and argv[0] == "--_first-call-child":
    _first_call_child(*argv[1:4])
    return 0
  import argparse
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--lib", default="jaxlite,jax")
  parser.add_argument("--only", default=None)
  parser.add_argument("--n", type=int, default=None)
  args = parser.parse_args(argv)
  sys.path[:0] = [BENCH_DIR, os.path.dirname(BENCH_DIR)]
  import run
  run._ensure_importable()
  results = {}
  for label, case in run.load_cases(args.only):
    if case.kind != "instructions":
      continue
    case_file = os.path.join(BENCH_DIR, f"cases_{label}.py")
    for lib in args.lib.split(","):
      r = count(case_file, case.name, lib, n=args.n or case.calls)
      results.setdefault(case.name, {})[lib] = r
      print(f"{case.name} {lib}: {r['instructions']:,.0f} instructions/call "
            f"(spin {r['raw']['spin_2n'] - r['raw']['spin_n']:,})", file=sys.stderr)
  print(json.dumps(results, indent=2))
  return 0


if __name__ == "__main__":
  sys.exit(main())
