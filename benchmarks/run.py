"""Benchmark runner: times named cases on jaxlite and, side by side, on JAX.

Usage:
  python benchmarks/run.py                 # all cases, jaxlite and JAX
  python benchmarks/run.py --only device   # cases whose name contains "device"
  python benchmarks/run.py --quick         # fewer, shorter repeats
  python benchmarks/run.py --no-jax        # jaxlite only
  python benchmarks/run.py --json out.json # also write the result there

It prints ONE JSON object to stdout (everything else goes to stderr) and writes
it to ``--json PATH`` (default ``benchmarks/results/latest.json``). If
matplotlib is importable it also draws ``benchmarks/results/ratios.svg``: the
jaxlite/JAX ratio of each case, with a line at 1.0 and each case's goal.

Cases live in ``benchmarks/cases_*.py``; each module defines a list ``CASES``
of ``Case`` objects. ``setup(jx, jnp)`` receives the library under test
(``jaxlite`` or ``jax``) and its numpy module, and returns:

* kind="time": a zero-argument callable that does the work and blocks until
  it is done (call ``.block_until_ready()``); it is warmed up, then timed with
  an adaptive loop count, and the min and median per call are reported in
  microseconds.
* kind="first_call": a zero-argument callable timed exactly once; each repeat
  runs in a fresh Python process, so no compilation cache is warm.
* kind="value": a number (seconds, bytes, ...) that is reported as it is; the
  case computes it however it likes (``unit`` says what it is).
* kind="instructions": a zero-argument callable like kind="time", whose
  instructions per call (all threads) are counted under valgrind's callgrind
  in a child process (see ``instructions.py``); ``calls`` sets the batch size.
  On shared machines this is the measure of dispatch cost: wall-clock ratios
  swing by 2x between runs, instruction counts by under 1%.

Case modules import ``Case`` with ``from run import Case`` (this directory is
put on ``sys.path``). Each case runs in isolation: an exception is recorded as
that case's error and the runner moves on.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import gc
import glob
import importlib
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import traceback
from typing import Any, Callable, Optional

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
RESULTS_DIR = os.path.join(BENCH_DIR, "results")
SCHEMA_VERSION = 1
KINDS = ("time", "first_call", "value", "instructions")

# Set by the runner in --quick mode, so that value cases that repeat work of
# their own (e.g. import time) can do less of it. Read it with `quick_mode()`.
QUICK_ENV = "JAXLITE_BENCH_QUICK"


def quick_mode() -> bool:
  """Whether the runner was started with --quick."""
  return os.environ.get(QUICK_ENV) == "1"


@dataclasses.dataclass(frozen=True)
class Case:
  """One named benchmark.

  Attributes:
    name: unique name, used by --only and in the output.
    setup: ``setup(jx, jnp)``; see the module docstring for what it returns.
    goal: target for the jaxlite/JAX ratio, e.g. ``"< 0.3x JAX"`` or
      ``"<= 1.0x JAX"``; ``None`` for no goal.
    kind: ``"time"``, ``"first_call"`` or ``"value"``.
    unit: unit of a ``"value"`` case (``"s"``, ``"bytes"`` ...). Times are
      always reported in microseconds.
    calls: calls per counted batch of an ``"instructions"`` case.
  """
  name: str
  setup: Callable[[Any, Any], Any]
  goal: Optional[str] = None
  kind: str = "time"
  unit: Optional[str] = None
  calls: int = 20

  def __post_init__(self):
    if self.kind not in KINDS:
      raise ValueError(f"Case {self.name!r}: kind must be one of {KINDS}, "
                       f"got {self.kind!r}")


@dataclasses.dataclass
class Options:
  """How hard to time: the target seconds per case and library, and repeats."""
  target_seconds: float = 0.3
  repeats: int = 7
  warmup_calls: int = 2
  first_call_repeats: int = 3

  @classmethod
  def quick(cls) -> "Options":
    # First calls keep three fresh processes even here: one sample of a
    # 0.3 s first call swung 0.76x-1.80x JAX between loaded runs.
    return cls(target_seconds=0.05, repeats=3, warmup_calls=1,
               first_call_repeats=3)


# ---------------------------------------------------------------------------
# Finding cases and libraries
# ---------------------------------------------------------------------------


def _import_path(path: str, module_name: str):
  spec = importlib.util.spec_from_file_location(module_name, path)
  module = importlib.util.module_from_spec(spec)
  sys.modules[module_name] = module
  spec.loader.exec_module(module)
  return module


def _ensure_importable():
  """Lets case modules `from run import Case` and `import jaxlite` from here."""
  for path in (BENCH_DIR, REPO_ROOT):
    if path not in sys.path:
      sys.path.insert(0, path)
  # When this file runs as __main__, make `import run` return this very module,
  # so case modules build the same Case class the runner checks against.
  this = sys.modules.get(__name__)
  if this is not None and "run" not in sys.modules:
    sys.modules["run"] = this


def case_files() -> list[str]:
  return sorted(glob.glob(os.path.join(BENCH_DIR, "cases_*.py")))


def load_cases(only: Optional[str] = None) -> list[tuple[str, Any]]:
  """All (module label, case) pairs, filtered by `only` (comma-separated substrings
  of case names, or module labels).

  A case module that fails to import becomes one errored pseudo-case rather
  than stopping the run.
  """
  _ensure_importable()
  found = []
  for path in case_files():
    label = os.path.basename(path)[len("cases_"):-len(".py")]
    try:
      module = _import_path(path, f"cases_{label}")
      cases = list(module.CASES)
    except Exception:  # noqa: BLE001 - recorded, not raised
      found.append((label, _BrokenModule(label, traceback.format_exc())))
      continue
    for case in cases:
      found.append((label, case))
  if only:
    wanted = [w for w in only.split(",") if w]
    found = [(label, case) for label, case in found
             if any(w in case.name or w == label for w in wanted)]
  return found


@dataclasses.dataclass(frozen=True)
class _BrokenModule:
  label: str
  error: str
  goal: Optional[str] = None
  kind: str = "value"
  unit: Optional[str] = None

  @property
  def name(self):
    return f"{self.label}:<import>"

  def setup(self, jx, jnp):
    raise ImportError(f"cases_{self.label}.py failed to import:\n{self.error}")


class MissingModule:
  """Stands in for a module that failed to import; raises on first use.

  This lets cases that do not need, say, `jaxlite.numpy` still run while it is
  being written, and the ones that do need it record the import error.
  """

  def __init__(self, name: str, error: BaseException):
    self.__name__ = name
    self._error = error

  def __getattr__(self, attr):
    if attr.startswith("__"):
      raise AttributeError(attr)
    raise ImportError(f"{self.__name__} is not importable "
                      f"({type(self._error).__name__}: {self._error})")


@dataclasses.dataclass
class Library:
  """A library under test: its label, top module and numpy module."""
  label: str
  module: Any = None
  numpy: Any = None
  error: Optional[str] = None


def load_library(name: str) -> Library:
  try:
    module = importlib.import_module(name)
  except Exception as e:  # noqa: BLE001
    return Library(name, error=f"{type(e).__name__}: {e}")
  try:
    numpy_module = importlib.import_module(f"{name}.numpy")
  except Exception as e:  # noqa: BLE001
    numpy_module = MissingModule(f"{name}.numpy", e)
  return Library(name, module, numpy_module)


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _gc_disabled():
  # As timeit does: a collection in the middle of a loop is noise, not cost.
  enabled = gc.isenabled()
  gc.disable()
  try:
    yield
  finally:
    if enabled:
      gc.enable()


def time_callable(fn: Callable[[], Any], options: Options) -> dict:
  """Warms `fn` up, then times it timeit-style with an adaptive loop count.

  Returns min and median microseconds per call, the loop count per repeat and
  the number of repeats.
  """
  for _ in range(options.warmup_calls):
    fn()
  per_repeat = options.target_seconds / options.repeats
  # Calibrate: grow the loop count until one batch takes a measurable time.
  number = 1
  with _gc_disabled():
    while True:
      start = time.perf_counter()
      for _ in range(number):
        fn()
      elapsed = time.perf_counter() - start
      if elapsed >= per_repeat / 4 or number >= 1_000_000:
        break
      number *= 4
  per_call = elapsed / number
  number = max(1, int(per_repeat / per_call)) if per_call > 0 else number
  repeats = options.repeats
  if per_call * repeats > 4 * options.target_seconds:
    # A slow case: keep the total bounded, but repeat at least thrice.
    repeats = max(3, int(4 * options.target_seconds / per_call))
  samples = []
  with _gc_disabled():
    for _ in range(repeats):
      start = time.perf_counter()
      for _ in range(number):
        fn()
      samples.append((time.perf_counter() - start) / number)
  return {
      "min": min(samples) * 1e6,
      "median": statistics.median(samples) * 1e6,
      "number": number,
      "repeats": repeats,
  }


def _time_first_call_child(case_file: str, case_name: str,
                           library_name: str) -> None:
  """Runs in a fresh process: sets up one case and times its callable once."""
  _ensure_importable()
  library = load_library(library_name)
  if library.error:
    raise ImportError(library.error)
  label = os.path.basename(case_file)[len("cases_"):-len(".py")]
  module = _import_path(case_file, f"cases_{label}")
  case = next(c for c in module.CASES if c.name == case_name)
  with contextlib.redirect_stdout(sys.stderr):
    fn = case.setup(library.module, library.numpy)
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
  print(json.dumps({"seconds": elapsed}))


def _write_bytecode(library: Library) -> None:
  """Writes the library's missing or stale ``.pyc`` files before its fresh
  processes are timed, as on a user's machine (an installed jax ships them; a
  checkout writes them on first import). Without it, a PYTHONDONTWRITEBYTECODE
  environment makes each child compile every lazily imported module that
  changed since its ``.pyc`` from source again, inside the timed call."""
  import compileall  # pylint: disable=g-import-not-at-top
  package_dir = os.path.dirname(getattr(library.module, "__file__", "") or "")
  if package_dir:
    compileall.compile_dir(package_dir, quiet=2)


def time_first_call(label: str, case, library: Library,
                    options: Options) -> dict:
  """Times a first_call case in fresh subprocesses; min/median microseconds."""
  case_file = os.path.join(BENCH_DIR, f"cases_{label}.py")
  if not os.path.exists(case_file):
    # Not from a case file (e.g. built in a test): time it here, once.
    fn = case.setup(library.module, library.numpy)
    start = time.perf_counter()
    fn()
    seconds = [time.perf_counter() - start]
  else:
    _write_bytecode(library)
    seconds = []
    for _ in range(options.first_call_repeats):
      proc = subprocess.run(
          [sys.executable, os.path.abspath(__file__), "--_first-call",
           case_file, case.name, library.label],
          capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
      if proc.returncode != 0:
        raise RuntimeError(
            f"first_call child failed (exit {proc.returncode}):\n"
            f"{proc.stderr[-4000:]}")
      seconds.append(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"])
  return {
      "min": min(seconds) * 1e6,
      "median": statistics.median(seconds) * 1e6,
      "number": 1,
      "repeats": len(seconds),
  }


def measure(label: str, case, library: Library, options: Options) -> dict:
  """Measures one case on one library; never raises."""
  if library.error:
    return {"error": f"import failed: {library.error}"}
  try:
    # Anything a case prints must not end up inside the JSON on stdout.
    with contextlib.redirect_stdout(sys.stderr):
      if case.kind == "time":
        fn = case.setup(library.module, library.numpy)
        return time_callable(fn, options)
      if case.kind == "first_call":
        return time_first_call(label, case, library, options)
      if case.kind == "instructions":
        import instructions  # this directory is on sys.path
        return instructions.count(os.path.join(BENCH_DIR, f"cases_{label}.py"),
                                  case.name, library.label, n=case.calls)
      value = case.setup(library.module, library.numpy)
      return {"value": float(value)}
  except Exception as e:  # noqa: BLE001 - recorded per case
    return {"error": f"{type(e).__name__}: {e}",
            "traceback": traceback.format_exc(limit=8)}


# ---------------------------------------------------------------------------
# Goals and results
# ---------------------------------------------------------------------------

_GOAL = re.compile(r"^\s*(<=|<|>=|>|==)?\s*([0-9]*\.?[0-9]+)\s*x", re.I)


def parse_goal(goal: Optional[str]) -> Optional[tuple[str, float]]:
  """`"< 0.3x JAX"` -> `("<", 0.3)`; None if there is no ratio goal."""
  if not goal:
    return None
  match = _GOAL.match(goal)
  if not match:
    return None
  return (match.group(1) or "<=", float(match.group(2)))


def meets_goal(ratio: Optional[float], goal: Optional[str]) -> Optional[bool]:
  parsed = parse_goal(goal)
  if parsed is None or ratio is None:
    return None
  op, bound = parsed
  return {"<": ratio < bound, "<=": ratio <= bound, ">": ratio > bound,
          ">=": ratio >= bound, "==": ratio == bound}[op]


def _headline(measurement: Optional[dict]) -> Optional[float]:
  if not measurement or "error" in measurement:
    return None
  for field in ("value", "instructions", "min"):
    if field in measurement:
      return measurement[field]
  return None


def run_cases(cases: list[tuple[str, Any]], libraries: list[Library],
              options: Options, log=sys.stderr) -> list[dict]:
  """Runs every case on every library and returns one record per case.

  `libraries[0]` is the one under test (jaxlite); a library labelled "jax"
  is the reference the ratio is taken against.
  """
  results = []
  for label, case in cases:
    record = {
        "name": case.name,
        "module": label,
        "kind": case.kind,
        "unit": {"value": case.unit or "",
                 "instructions": "instructions"}.get(case.kind, "us"),
        "goal": case.goal,
    }
    for library in libraries:
      print(f"[bench] {case.name} ({library.label}) ...", file=log, flush=True)
      record[library.label] = measure(label, case, library, options)
    subject = _headline(record.get(libraries[0].label))
    reference = _headline(record.get("jax")) if libraries[0].label != "jax" else None
    ratio = (subject / reference) if (subject is not None and reference) else None
    record["ratio"] = ratio
    record["meets_goal"] = meets_goal(ratio, case.goal)
    results.append(record)
  return results


def _version(distribution: str) -> Optional[str]:
  try:
    from importlib import metadata
    return metadata.version(distribution)
  except Exception:  # noqa: BLE001
    return None


def _git_commit() -> Optional[str]:
  try:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=10)
    return proc.stdout.strip() or None
  except Exception:  # noqa: BLE001
    return None


def machine_info() -> dict:
  return {
      "platform": platform.platform(),
      "machine": platform.machine(),
      "processor": platform.processor() or None,
      "cpu_count": os.cpu_count(),
      "python": platform.python_version(),
      "python_implementation": platform.python_implementation(),
      "jaxlib": _version("jaxlib"),
      "jax": _version("jax"),
      "numpy": _version("numpy"),
      "jaxlite_commit": _git_commit(),
      "xla_flags": os.environ.get("XLA_FLAGS"),
      "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
          timespec="seconds"),
  }


def summarize(results: list[dict], libraries: list[Library]) -> dict:
  subject = libraries[0].label
  return {
      "cases": len(results),
      "errors": sum(1 for r in results if "error" in r.get(subject, {})),
      "with_ratio": sum(1 for r in results if r["ratio"] is not None),
      "with_goal": sum(1 for r in results if r["goal"]),
      "met_goal": sum(1 for r in results if r["meets_goal"]),
  }


def format_table(results: list[dict], libraries: list[Library]) -> str:
  """A human-readable summary (for stderr): one line per case."""
  def show(measurement, unit):
    if measurement is None:
      return "-"
    if "error" in measurement:
      return "error"
    if "value" in measurement:
      return f"{measurement['value']:.4g} {unit}".strip()
    if "instructions" in measurement:
      return f"{measurement['instructions']:,.0f} instr"
    return f"{measurement['min']:.4g} us"
  labels = [lib.label for lib in libraries]
  header = ["case"] + labels + ["ratio", "goal", "met"]
  rows = [header]
  for r in results:
    rows.append([r["name"]] + [show(r.get(label), r["unit"]) for label in labels]
                + ["-" if r["ratio"] is None else f"{r['ratio']:.3g}x",
                   r["goal"] or "-",
                   {None: "-", True: "yes", False: "NO"}[r["meets_goal"]]])
  widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
  return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths))
                   for row in rows)


def build_report(results: list[dict], libraries: list[Library],
                 options: Options, quick: bool) -> dict:
  return {
      "schema": SCHEMA_VERSION,
      "machine": machine_info(),
      "options": dict(dataclasses.asdict(options), quick=quick),
      "libraries": {lib.label: {"version": getattr(lib.module, "__version__", None),
                                "error": lib.error} for lib in libraries},
      "ratio": "jaxlite min / JAX min (for value cases: jaxlite / JAX)",
      "cases": results,
      "summary": summarize(results, libraries),
  }


# ---------------------------------------------------------------------------
# The chart
# ---------------------------------------------------------------------------


def _svg_escape(text: str) -> str:
  return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_plain_svg_chart(rows: list[dict], path: str) -> None:
  """The ratio chart as hand-written SVG, for machines without matplotlib:
  one bar per case on a log axis from 0.01x to 100x, a line at 1.0x and a
  tick at each case's goal."""
  import math
  lo, hi = math.log10(0.01), math.log10(100.0)
  label_w, plot_w, row_h, top = 330, 420, 18, 30
  height = top + row_h * len(rows) + 40

  def x_of(ratio):
    value = min(max(math.log10(max(ratio, 1e-9)), lo), hi)
    return label_w + (value - lo) / (hi - lo) * plot_w

  parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 70}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{label_w}" y="16" font-size="13">jaxlite / JAX per case '
           '(log scale; lower is faster)</text>']
  for tick in (0.01, 0.1, 1.0, 10.0, 100.0):
    x = x_of(tick)
    parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" '
                 f'y2="{height - 30}" stroke="{"black" if tick == 1.0 else "#ddd"}"/>')
    parts.append(f'<text x="{x:.1f}" y="{height - 16}" text-anchor="middle">{tick:g}x</text>')
  for i, r in enumerate(rows):
    y = top + i * row_h
    color = {None: "gray", True: "green", False: "firebrick"}[r["meets_goal"]]
    x0, x1 = x_of(0.01), x_of(r["ratio"])
    parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">'
                 f'{_svg_escape(r["name"])}</text>')
    parts.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{x1 - x0:.1f}" height="{row_h - 6}" '
                 f'fill="{color}"/>')
    parts.append(f'<text x="{x1 + 3:.1f}" y="{y + 12}">{r["ratio"]:.2f}x</text>')
    goal = parse_goal(r["goal"])
    if goal:
      xg = x_of(goal[1])
      parts.append(f'<line x1="{xg:.1f}" y1="{y + 1}" x2="{xg:.1f}" y2="{y + row_h - 1}" '
                   'stroke="royalblue" stroke-width="2"/>')
  parts.append("</svg>")
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(parts) + "\n")


def write_ratio_chart(results: list[dict], path: str, log=sys.stderr) -> bool:
  """Draws jaxlite/JAX per case as horizontal bars (with matplotlib, else as
  plain SVG when ``path`` ends in .svg); False if it cannot."""
  rows = [r for r in results if r["ratio"] is not None]
  if not rows:
    print("[bench] no case has a ratio; no chart", file=log)
    return False
  try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
  except Exception:  # noqa: BLE001 - matplotlib is optional
    if path.endswith(".svg"):
      write_plain_svg_chart(rows, path)
      return True
    print("[bench] matplotlib not importable; no chart", file=log)
    return False
  names = [r["name"] for r in rows]
  ratios = [r["ratio"] for r in rows]
  colors = ["tab:gray" if r["meets_goal"] is None
            else "tab:green" if r["meets_goal"] else "tab:red" for r in rows]
  fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
  positions = list(range(len(rows)))[::-1]
  ax.barh(positions, ratios, color=colors, height=0.6)
  ax.axvline(1.0, color="black", linewidth=1)
  first_goal = True
  for y, r in zip(positions, rows):
    parsed = parse_goal(r["goal"])
    if parsed:
      ax.plot([parsed[1], parsed[1]], [y - 0.4, y + 0.4], color="tab:blue",
              linewidth=2, label="goal" if first_goal else None)
      first_goal = False
  for y, ratio in zip(positions, ratios):
    ax.annotate(f"{ratio:.2f}x", (ratio, y), xytext=(3, 0),
                textcoords="offset points", va="center", fontsize=8)
  ax.set_yticks(positions)
  ax.set_yticklabels(names)
  ax.set_xscale("log")
  ax.set_xlabel("jaxlite / JAX (lower is faster; log scale)")
  ax.set_title("jaxlite vs JAX")
  if not first_goal:
    ax.legend(loc="best")
  fig.tight_layout()
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path)  # the format follows the extension: .svg, .png, .pdf
  plt.close(fig)
  return True


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def parse_args(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--only", metavar="SUBSTR",
                      help="run only cases whose name contains SUBSTR")
  parser.add_argument("--quick", action="store_true",
                      help="fewer and shorter repeats (a smoke run)")
  parser.add_argument("--json", metavar="PATH",
                      default=os.path.join(RESULTS_DIR, "latest.json"),
                      help="also write the JSON here (default: %(default)s)")
  parser.add_argument("--svg", metavar="PATH",
                      default=os.path.join(RESULTS_DIR, "ratios.svg"),
                      help="ratio chart, if matplotlib is importable "
                           "(default: %(default)s)")
  parser.add_argument("--no-plot", action="store_true", help="draw no chart")
  parser.add_argument("--no-jax", action="store_true",
                      help="do not compare with JAX even if it is installed")
  parser.add_argument("--list", action="store_true",
                      help="list the case names and exit")
  parser.add_argument("--_first-call", nargs=3, help=argparse.SUPPRESS,
                      metavar=("CASE_FILE", "CASE", "LIBRARY"))
  return parser.parse_args(argv)


def main(argv=None) -> int:
  args = parse_args(argv)
  if args._first_call:
    _time_first_call_child(*args._first_call)
    return 0
  _ensure_importable()
  cases = load_cases(args.only)
  if args.list:
    for label, case in cases:
      print(f"{label}\t{case.name}\t{case.kind}\t{case.goal or ''}")
    return 0
  if args.quick:
    os.environ[QUICK_ENV] = "1"
  options = Options.quick() if args.quick else Options()
  libraries = [load_library("jaxlite")]
  if not args.no_jax:
    jax_library = load_library("jax")
    if jax_library.error:
      print(f"[bench] jax not importable ({jax_library.error}); "
            "jaxlite only", file=sys.stderr)
    else:
      libraries.append(jax_library)
  results = run_cases(cases, libraries, options)
  print(format_table(results, libraries), file=sys.stderr)
  report = build_report(results, libraries, options, args.quick)
  text = json.dumps(report, indent=2, sort_keys=False)
  if args.json:
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
      f.write(text + "\n")
  if not args.no_plot and args.svg and len(libraries) > 1:
    write_ratio_chart(results, args.svg)
  print(text)
  return 0


if __name__ == "__main__":
  sys.exit(main())
