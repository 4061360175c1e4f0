"""Coverage of JAX 0.10.2's public API by jaxlite, module by module.

Reads the public names (and signatures) of the installed reference ``jax``
(the test extra pins 0.10.2) and looks each one up in the jaxlite module of
the same name (``jax.numpy`` -> ``jaxlite.numpy``). Prints, per module, how
many of JAX's names jaxlite has, and lists the signature mismatches that
break a call valid under JAX:

- a parameter JAX accepts that jaxlite does not (and jaxlite has no ``**kw``),
- a parameter JAX lets you pass by keyword that jaxlite makes positional-only,
- a parameter JAX makes optional that jaxlite requires,
- a default value that differs (``softmax(axis=None)`` vs ``axis=-1`` changes
  results silently, so it counts as breaking).

Usage::

  python tools/api_coverage.py                 # the table
  python tools/api_coverage.py --missing       # also list the missing names
  python tools/api_coverage.py --json out.json # machine-readable (tests read it)
  python tools/api_coverage.py --modules jax.scipy.special jax.nn

Only this tool and the tests import ``jax``; jaxlite never does.
"""
import argparse
import collections
import collections.abc
import functools
import importlib
import inspect
import json
import enum
import sys
import types
import typing

# The public modules measured. Modules of JAX that are platform-specific
# kernels or converters (pallas, mosaic, jax2tf, colocated_python, ...) or
# deprecated aliases of internals (jax.core, jax.interpreters, jax.lib) are
# left out: they are not API a portable program calls.
MODULES = (
    "jax", "jax.numpy", "jax.numpy.linalg", "jax.numpy.fft", "jax.lax", "jax.lax.linalg",
    "jax.nn", "jax.nn.initializers", "jax.random", "jax.ref", "jax.tree_util", "jax.tree",
    "jax.dtypes", "jax.errors", "jax.debug", "jax.flatten_util", "jax.custom_derivatives",
    "jax.custom_batching", "jax.ad_checkpoint", "jax.distributed", "jax.dlpack", "jax.ffi",
    "jax.export", "jax.image", "jax.ops", "jax.monitoring", "jax.profiler", "jax.sharding",
    "jax.stages", "jax.typing", "jax.test_util", "jax.example_libraries.optimizers",
    "jax.example_libraries.stax", "jax.extend", "jax.extend.core", "jax.extend.backend",
    "jax.extend.linear_util", "jax.extend.random", "jax.extend.source_info_util",
    "jax.experimental", "jax.experimental.checkify", "jax.experimental.jet",
    "jax.experimental.ode", "jax.experimental.sparse", "jax.experimental.mesh_utils",
    "jax.experimental.multihost_utils", "jax.experimental.shard_map",
    "jax.scipy", "jax.scipy.cluster.vq", "jax.scipy.fft", "jax.scipy.integrate",
    "jax.scipy.interpolate", "jax.scipy.linalg", "jax.scipy.ndimage", "jax.scipy.optimize",
    "jax.scipy.signal", "jax.scipy.sparse.linalg", "jax.scipy.spatial.transform",
    "jax.scipy.special", "jax.scipy.stats",
) + tuple(f"jax.scipy.stats.{d}" for d in (
    "bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon",
    "gamma", "gennorm", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "multinomial",
    "multivariate_normal", "nbinom", "norm", "pareto", "poisson", "t", "truncnorm", "uniform",
    "vonmises", "wrapcauchy"))

# Groups the issues set goals for.
GROUPS = {
    "all": lambda m: True,
    "jax.scipy": lambda m: m == "jax.scipy" or m.startswith("jax.scipy."),
}


# Objects of the standard library that JAX modules without ``__all__`` import
# at top level (``from typing import Any``, ``from functools import partial``):
# they show in dir() but are not JAX's API.
_STDLIB_OBJECTS = (typing.Any, typing.Callable, collections.abc.Callable,
                   functools.partial, collections.namedtuple)


def public_names(module):
  """JAX's public names of ``module``: ``__all__`` where given, else dir() without _."""
  names = getattr(module, "__all__", None)
  if names is None:
    names = [n for n in dir(module) if not n.startswith("_")]
  out = []
  for name in names:
    if name.startswith("_"):
      continue
    value = getattr(module, name, None)
    # Submodules reached as attributes are counted as modules of their own.
    if isinstance(value, types.ModuleType):
      continue
    # Standard-library helpers a module happens to import are not API.
    if isinstance(value, types.FunctionType) and value.__module__ in ("functools", "typing"):
      continue
    if any(value is obj for obj in _STDLIB_OBJECTS):
      continue
    out.append(name)
  return sorted(set(out))


def _signature(obj):
  try:
    # For a class, the signature of calling it (``self`` bound), which is what
    # a user's call meets whether the class defines __init__ or __new__.
    return inspect.signature(obj)
  except (TypeError, ValueError):
    return None


# Defaults compared by value; other JAX defaults are sentinels (NoDefault,
# ``Deprecated``, functions) whose identity is an implementation detail.
_PLAIN_DEFAULTS = (type(None), bool, int, float, complex, str, tuple, list, frozenset)


def _default_key(v):
  """A default's identity across the two libraries: classes by their name."""
  return v.__qualname__ if inspect.isclass(v) else repr(v)


def _same_default(a, b):
  if not isinstance(a, _PLAIN_DEFAULTS):
    return True
  if a is b:
    return True
  if isinstance(a, frozenset) and isinstance(b, frozenset):  # e.g. sets of error classes
    return sorted(map(_default_key, a)) == sorted(map(_default_key, b))
  if isinstance(a, enum.Enum):   # jaxlite's own enum class of the same name and member
    return (isinstance(b, enum.Enum) and type(a).__name__ == type(b).__name__
            and a.name == b.name and a.value == b.value)
  try:
    return bool(a == b) and type(a) is type(b)
  except Exception:  # arrays, objects without ==
    return repr(a) == repr(b)


def signature_breaks(jax_obj, lite_obj):
  """Reasons a call valid for ``jax_obj`` fails or changes meaning for ``lite_obj``."""
  js, ls = _signature(jax_obj), _signature(lite_obj)
  if js is None or ls is None:
    return []
  lp = ls.parameters
  has_var_kw = any(p.kind is p.VAR_KEYWORD for p in lp.values())
  has_var_pos = any(p.kind is p.VAR_POSITIONAL for p in lp.values())
  reasons = []
  jax_positional = [p for p in js.parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
  lite_positional = [p for p in lp.values()
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
  if len(lite_positional) < len(jax_positional) and not has_var_pos:
    reasons.append(f"takes {len(lite_positional)} positional arguments, JAX {len(jax_positional)}")
  for name, p in js.parameters.items():
    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or name.startswith("_"):
      continue
    q = lp.get(name)
    if q is None:
      if p.kind is p.POSITIONAL_ONLY or (has_var_kw and p.kind is not p.POSITIONAL_ONLY):
        continue
      reasons.append(f"missing parameter {name!r}")
      continue
    if q.kind is q.POSITIONAL_ONLY and p.kind is not p.POSITIONAL_ONLY:
      reasons.append(f"{name!r} is positional-only")
    if q.kind is q.KEYWORD_ONLY and p.kind is p.POSITIONAL_OR_KEYWORD:
      reasons.append(f"{name!r} is keyword-only")
    if p.default is not p.empty:
      if q.default is q.empty:
        reasons.append(f"{name!r} is required (JAX default {p.default!r})")
      elif not _same_default(p.default, q.default):
        reasons.append(f"{name!r} default {q.default!r}, JAX {p.default!r}")
  return reasons


def measure(module_names):
  """Returns one record per module: names, present, missing, signature breaks."""
  records = []
  for jax_name in module_names:
    lite_name = "jaxlite" + jax_name[len("jax"):]
    try:
      jmod = importlib.import_module(jax_name)
    except Exception as e:  # a module of this list missing from the installed JAX
      records.append({"module": jax_name, "error": f"jax: {e}"})
      continue
    names = public_names(jmod)
    try:
      lmod = importlib.import_module(lite_name)
    except Exception:
      lmod = None
    present, missing, breaks = [], [], {}
    for name in names:
      if lmod is not None and hasattr(lmod, name):
        present.append(name)
        why = signature_breaks(getattr(jmod, name), getattr(lmod, name))
        if why:
          breaks[name] = why
      else:
        missing.append(name)
    records.append({"module": jax_name, "total": len(names), "present": len(present),
                    "missing": missing, "signature_breaks": breaks})
  return records


def summarize(records):
  out = {}
  for group, keep in GROUPS.items():
    rs = [r for r in records if "total" in r and keep(r["module"])]
    total = sum(r["total"] for r in rs)
    present = sum(r["present"] for r in rs)
    out[group] = {"total": total, "present": present,
                  "coverage": present / total if total else 1.0,
                  "signature_breaks": sum(len(r["signature_breaks"]) for r in rs)}
  return out


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--modules", nargs="*", default=None)
  parser.add_argument("--missing", action="store_true", help="list the missing names")
  parser.add_argument("--json", default=None, help="write the records to this file")
  args = parser.parse_args(argv)
  import jax  # the reference, installed by the test extra
  records = measure(args.modules or MODULES)
  print(f"JAX {jax.__version__}: public names covered by jaxlite")
  print(f"{'module':40s} {'have':>5s} {'of':>5s} {'cover':>7s} {'sig':>4s}")
  for r in records:
    if "error" in r:
      print(f"{r['module']:40s} {r['error']}")
      continue
    cov = r["present"] / r["total"] if r["total"] else 1.0
    print(f"{r['module']:40s} {r['present']:5d} {r['total']:5d} {cov:7.1%} "
          f"{len(r['signature_breaks']):4d}")
    if args.missing and r["missing"]:
      print("    missing: " + ", ".join(r["missing"]))
    if args.missing:
      for name, why in r["signature_breaks"].items():
        print(f"    signature {name}: " + "; ".join(why))
  summary = summarize(records)
  for group, s in summary.items():
    print(f"[{group}] {s['present']}/{s['total']} = {s['coverage']:.1%}; "
          f"signature mismatches: {s['signature_breaks']}")
  if args.json:
    with open(args.json, "w") as f:
      json.dump({"jax_version": jax.__version__, "records": records, "summary": summary}, f,
                indent=1)
  return 0


if __name__ == "__main__":
  sys.exit(main())
