"""Checking a cached pytree call's leaves and gathering their buffers in one
generated function.

The steady state of ``jit(f)(params, x)`` flattens the arguments with the last
call's treedef, then must check that each leaf is an uncommitted Array of the
same aval and collect its device buffer. A bytecode loop over the leaves costs
~20 bytecodes a leaf; the straight-line function made here once per number of
leaves (with the avals and the closed-over arrays' buffers bound in its
closure) costs about half, and one call. It tests the avals by identity only
(what a training loop feeding results back sees): anything else, a tracer or a
committed Array among the leaves included, gives None or AttributeError, and
the caller's general loop decides.

  >>> from jaxlite.runtime import transfer
  >>> import numpy as np
  >>> x = transfer.put_numpy(np.ones(2, np.float32))
  >>> gather = operand_gatherer([x.aval, x.aval], [])
  >>> len(gather([x, x])), gather([x, transfer.put_numpy(np.ones(3, np.float32))])
  (2, None)
"""
from __future__ import annotations

# Beyond this many leaves the generated function would be long to compile for
# a saving that no longer matters against the call; the loop serves those.
_MAX_LEAVES = 64

_factories: dict = {}   # (leaves, with constants, uncommitted only, kept) -> factory


def _factory(count: int, with_consts: bool, uncommitted: bool, kept):
  names = [f"l{i}" for i in range(count)]
  same = " and ".join(f"{n}.aval is a{i}" for i, n in enumerate(names))
  if uncommitted:
    same += " and not (" + " or ".join(f"{n}._committed" for n in names) + ")"
  bufs = ", ".join(f"{n}._buf" for i, n in enumerate(names) if kept is None or i in kept)
  lines = [f"def make(consts, {', '.join(f'a{i}' for i in range(count))}):",
           "  def gather(leaves):",
           f"    {', '.join(names)}, = leaves",
           f"    if {same}:",
           f"      return [{'*consts, ' if with_consts else ''}{bufs}]",
           "    return None",
           "  return gather"]
  namespace: dict = {}
  exec(compile("\n".join(lines), "<jit operands>", "exec"), namespace)  # noqa: S102
  return namespace["make"]


def operand_gatherer(avals, consts, uncommitted=True, kept=None):
  """A function ``gather(leaves)``: the buffers of ``consts`` (closed-over
  Arrays' buffers) then of ``leaves`` when each leaf is an Array (uncommitted,
  if ``uncommitted``: an SPMD call site takes committed ones too) whose aval
  is the very object at its position in ``avals``; else None (or
  AttributeError for a leaf that is no Array). None where there are no leaves
  or more than 64. ``kept``: the positions of the leaves whose buffers the
  program takes (its unused arguments left out, see ``jit(keep_unused=)``);
  every leaf is checked all the same.

  >>> operand_gatherer([], []) is None
  True
  """
  count = len(avals)
  if not count or count > _MAX_LEAVES:
    return None
  key = (count, bool(consts), uncommitted, None if kept is None else frozenset(kept))
  factory = _factories.get(key)
  if factory is None:
    if len(_factories) >= 512:   # bounded: one per leaf count, few kept sets
      _factories.clear()
    factory = _factories[key] = _factory(*key)
  return factory(list(consts), *avals)
