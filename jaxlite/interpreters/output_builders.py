"""Building a cached jit call's outputs in one generated function.

A jitted call returns one jaxlite ``Array`` per result buffer, in the output
structure of the function (a list of ``(W, b)`` tuples for a gradient, say).
Doing it with a loop (a zip, an append per result, then jaxlib's C++
``unflatten`` of the list, ~800 instructions per call through nanobind) costs
more than the arrays themselves. For an output structure made only of tuples,
lists and ``None``, the function here is generated once per compiled program:
straight-line code that makes each Array (without its ``__init__`` frame, as
``pjit._outputs`` does) and returns the structure as one literal expression.
The caller passes the executable's committedness, which every result of one
call shares (jaxlib's flag on each buffer costs ~350 instructions to read).

  >>> from jaxlite import tree_util
  >>> from jaxlite.core import ShapedArray
  >>> from jaxlite.runtime import transfer
  >>> import numpy as np
  >>> aval = ShapedArray((2,), np.dtype(np.float32))
  >>> build = output_builder(tree_util.tree_structure([(0, 0), None]), (aval, aval))
  >>> bufs = [transfer.put_numpy(np.ones(2, np.float32))._buf for _ in range(2)]
  >>> build(bufs)
  [(Array([1., 1.], dtype=float32), Array([1., 1.], dtype=float32)), None]
"""
from __future__ import annotations

from jaxlite import tree_util
from jaxlite.runtime.array import Array

# Beyond this many results the generated function would be long to compile for
# a saving that no longer matters against the call; the loop serves those.
_MAX_RESULTS = 64


class _NotBuiltin(Exception):
  """The output structure holds a node other than a tuple, a list or None."""


def _structure_source(node, position: dict) -> str:
  """The Python expression rebuilding ``node``, whose leaves are markers
  (``position`` maps each marker's id to its result's index)."""
  index = position.get(id(node))
  if index is not None:
    return f"o{index}"
  kind = type(node)
  if node is None:
    return "None"
  if kind is tuple:
    return "(" + "".join(_structure_source(c, position) + ", " for c in node) + ")"
  if kind is list:
    return "[" + ", ".join(_structure_source(c, position) for c in node) + "]"
  raise _NotBuiltin(kind)


def output_builder(out_tree, out_avals):
  """A function ``build(results, committed=None)`` making an Array of each
  result buffer, with the aval at its position in ``out_avals``, in the
  structure ``out_tree``; None where that structure has a node other than a
  tuple, a list or None, or more than 64 leaves (the caller then loops and
  unflattens). ``committed`` is the results' committedness (the executable's);
  None reads it from the first result.

  >>> from jaxlite.core import ShapedArray
  >>> import numpy as np
  >>> aval = ShapedArray((), np.dtype(np.int32))
  >>> output_builder(tree_util.tree_structure({"a": 0}), (aval,)) is None
  True
  """
  count = out_tree.num_leaves
  if count > _MAX_RESULTS or count != len(out_avals):
    return None
  markers = [object() for _ in range(count)]
  sample = tree_util.tree_unflatten(out_tree, markers)
  position = {id(marker): i for i, marker in enumerate(markers)}
  try:
    expression = _structure_source(sample, position)
  except _NotBuiltin:
    return None
  lines = ["def build(results, committed=None):"]
  if count:
    names = ", ".join(f"r{i}" for i in range(count))
    lines.append(f"  {names}, = results")
    lines.append("  if committed is None: committed = r0._committed")
  for i in range(count):
    lines.append(f"  o{i} = new(Array); o{i}._buf = r{i}; o{i}.aval = aval{i}; "
                 f"o{i}._committed = committed")
  lines.append(f"  return {expression}")
  namespace = {"new": object.__new__, "Array": Array}
  namespace.update((f"aval{i}", aval) for i, aval in enumerate(out_avals))
  exec(compile("\n".join(lines), "<jit outputs>", "exec"), namespace)  # noqa: S102
  return namespace["build"]
