"""Shared by the ecosystem programs: run named cases, print their results as JSON.

A program imports ``jax`` as any JAX program does; which implementation it
gets is decided by how it is started (``python -m jaxlite`` or ``python``).
"""
import json
import traceback

import numpy as np


def to_json(value):
  """Arrays and scalars -> nested lists of floats; dicts/lists/tuples kept; strings/bools as is."""
  if isinstance(value, dict):
    return {str(k): to_json(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [to_json(v) for v in value]
  if isinstance(value, (str, bool)) or value is None:
    return value
  array = np.asarray(value)
  if array.dtype == bool:
    return array.tolist()
  return np.asarray(array, np.float64).tolist()


def run_cases(cases):
  """Runs ``{name: zero-argument function}``; prints ``{name: result or {"error": ...}}``."""
  import jax
  out = {"_implementation": "jaxlite" if jax.__name__.startswith("jaxlite") else "jax"}
  for name, case in cases.items():
    try:
      out[name] = to_json(case())
    except Exception:  # one failing case must not hide the others' numbers
      out[name] = {"error": traceback.format_exc()}
  print(json.dumps(out))
