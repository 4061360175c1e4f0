"""Which donated arguments a program may reuse, decided as JAX 0.10.2 decides.

``jit(..., donate_argnums=...)`` asks for arguments' buffers to be reused by
the results. When a module is lowered, each donated argument is:

* aliased to the first result of the same shape and dtype (per device, and
  of the same memory kind) not aliased yet: ``tf.aliasing_output = i`` makes
  XLA write that result into the argument's buffer;
* else handed to XLA as a donor (``jax.buffer_donor``) when a result of the
  same size is left (XLA may reuse it, e.g. for a reshape), or when the
  program is partitioned and some result's sharding is left to propagation
  (XLA then decides what matches);
* else unusable: not donated at all (the argument stays alive), with JAX's
  ``UserWarning``, "Some donated buffers were not usable: ...".

PJRT deletes exactly the arguments whose buffers the compiled program
aliases, as JAX's arrays are deleted.

Example:
  >>> from jaxlite.core import ShapedArray
  >>> import numpy as np
  >>> f32 = np.dtype('float32')
  >>> p = plan([True, True], [ShapedArray((3,), f32)] * 2, [ShapedArray((3,), f32)])
  >>> p.aliases, p.donors, p.unused
  ([0, None], [False, False], [1])
"""
from __future__ import annotations

import collections
import dataclasses
import warnings
from typing import Sequence

from jaxlite import core

_EXPLANATION = "See an explanation at https://docs.jax.dev/en/latest/faq.html#buffer-donation."


@dataclasses.dataclass
class DonationPlan:
  """Per argument: the result it is aliased to (or None), whether XLA gets it
  as a donor, and the positions of the donated arguments no result can use."""
  aliases: list
  donors: list
  unused: list

  def used(self) -> tuple:
    """Per argument: whether the program may take its buffer."""
    return tuple(a is not None or d for a, d in zip(self.aliases, self.donors))


def _key(aval):
  if type(aval) is core.AbstractToken:
    return aval
  return (tuple(aval.shape), aval.dtype)


def plan(donated: Sequence[bool], in_avals, out_avals, in_memory_kinds=None,
         out_memory_kinds=None, out_sharding_known=None) -> DonationPlan:
  """How the ``donated`` arguments of a program are donated.

  ``in_avals`` / ``out_avals`` are per device (shard shapes in a partitioned
  program). Memory kinds count only when every argument and result has one.
  ``out_sharding_known``: for a program split by XLA's SPMD partitioner, per
  result whether its sharding is given (None: a single-device program). A
  result whose sharding is left to propagation takes its argument as a donor,
  not an alias, and then every donated argument left over is a donor too.
  """
  n = len(in_avals)
  if (in_memory_kinds is None or out_memory_kinds is None
      or any(k is None for k in in_memory_kinds) or any(k is None for k in out_memory_kinds)):
    in_memory_kinds = [None] * n
    out_memory_kinds = [None] * len(out_avals)
  aliases = [None] * n
  donors = [False] * n
  left = list(donated)
  waiting = collections.defaultdict(collections.deque)
  for i, (aval, kind, d) in enumerate(zip(in_avals, in_memory_kinds, donated)):
    if d:
      waiting[(_key(aval), kind)].append(i)
  aliased_results = set()
  for i, (aval, kind) in enumerate(zip(out_avals, out_memory_kinds)):
    queue = waiting.get((_key(aval), kind))
    if queue:
      arg = queue.popleft()
      left[arg] = False
      if out_sharding_known is None or out_sharding_known[i]:
        aliases[arg] = i
        aliased_results.add(i)
      else:
        donors[arg] = True
  # Donated arguments not aliased: donors where a result of the same size
  # (shape aside) is left for XLA to match.
  by_size = collections.defaultdict(collections.deque)
  for i, (aval, kind) in enumerate(zip(out_avals, out_memory_kinds)):
    if i not in aliased_results and type(aval) is not core.AbstractToken:
      by_size[(aval.size, kind)].append(i)
  for arg in range(n):
    aval = in_avals[arg]
    if left[arg] and type(aval) is not core.AbstractToken:
      queue = by_size.get((aval.size, in_memory_kinds[arg]))
      if queue:
        queue.popleft()
        left[arg] = False
        donors[arg] = True
  if out_sharding_known is not None and not all(out_sharding_known):
    for arg in range(n):
      if left[arg]:
        left[arg] = False
        donors[arg] = True
  return DonationPlan(aliases, donors, [i for i in range(n) if left[i]])


def warn_unused(plan_: DonationPlan, in_avals) -> None:
  """JAX's warning for donated arguments no result can use."""
  if plan_.unused:
    names = ", ".join(str(in_avals[i]) for i in plan_.unused)
    warnings.warn(f"Some donated buffers were not usable: {names}.\n{_EXPLANATION}",
                  stacklevel=2)
