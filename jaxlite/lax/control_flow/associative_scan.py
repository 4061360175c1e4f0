"""``associative_scan``: all prefix combinations of an associative operator in
O(log n) parallel steps.

No primitive of its own: it is written in terms of slicing, concatenation and
padding, so every transformation applies through those primitives' rules.
The recursion combines neighbouring pairs (halving the length), scans the
half, and then fills in the remaining positions with one more combination.
"""
from __future__ import annotations

__all__ = ["associative_scan"]

from typing import Callable

import numpy as np

from jaxlite import core, traceback_util, tree_util


def _slice(x, start, stop, stride, axis):
  from jaxlite import lax
  return lax.slice_in_dim(x, start, stop, stride=stride, axis=axis)


def _interleave(evens, odds, axis):
  """[e0, o0, e1, o1, ...] along ``axis``; ``evens`` may be one longer.

  Each operand is padded with zeros between its elements (and at the end that
  the other fills), so the two padded arrays add up to the interleaving: the
  equations JAX stages (`pad` twice, then `add`, or `or` for booleans).
  """
  from jaxlite import lax
  aval_e, aval_o = core.get_aval(evens), core.get_aval(odds)
  same = aval_e.shape[axis] == aval_o.shape[axis]
  pad_e = [(0, 0, 0)] * aval_e.ndim
  pad_o = [(0, 0, 0)] * aval_o.ndim
  pad_e[axis] = (0, 1 if same else 0, 1)
  pad_o[axis] = (1, 0 if same else 1, 1)
  zero_e = np.zeros((), aval_e.dtype)
  zero_o = np.zeros((), aval_o.dtype)
  combine = lax.bitwise_or if aval_e.dtype == np.bool_ else lax.add
  return combine(lax.pad(evens, zero_e, pad_e), lax.pad(odds, zero_o, pad_o))


def check_constant_length(n) -> None:
  """JAX's NotImplementedError for a scan along an axis of symbolic size
  (shape-polymorphic export), whose recursion needs the size.

  >>> check_constant_length(3)
  """
  if core.is_symbolic_dim(n):
    raise NotImplementedError(f"associative scan over axis of non-constant size: {n}. "
                              "You may be able to avoid this on TPU. See b/274176030.")


@traceback_util.api_boundary
def associative_scan(fn: Callable, elems, reverse: bool = False, axis: int = 0):
  """Scans ``fn`` (associative) along ``axis`` in parallel.

  ``fn(a, b)`` must be associative and work elementwise on slices of
  ``elems`` (pytrees of arrays with a common length along ``axis``); it is
  called on whole arrays of slices at once. The result ``r`` satisfies
  ``r[i] = fn(...fn(fn(elems[0], elems[1]), elems[2])..., elems[i])``.

  Args:
    fn: an associative binary function over pytrees shaped like ``elems``.
    elems: a pytree of arrays scanned along ``axis``.
    reverse: scan from the end: ``r[i]`` folds ``elems[n-1], ..., elems[i]``
      (in that order) with ``fn``.
    axis: the scanned axis.

  Returns:
    A pytree like ``elems`` holding the prefix combinations.

  Example:
    >>> import numpy as np
    >>> from jaxlite import lax
    >>> lax.associative_scan(lax.add, np.arange(5.))
    Array([ 0.,  1.,  3.,  6., 10.], dtype=float32)
  """
  from jaxlite import lax
  if not callable(fn):
    raise TypeError(f"lax.associative_scan: fn argument should be callable, got {fn!r}.")
  leaves, tree = tree_util.tree_flatten(elems)
  if not leaves:
    return elems
  avals = [core.get_aval(x) for x in leaves]
  ndim = avals[0].ndim
  if not -ndim <= axis < ndim or any(a.ndim <= axis % max(ndim, 1) for a in avals):
    raise ValueError(f"associative_scan: axis {axis} is out of bounds for arrays of shapes "
                     f"{[a.shape for a in avals]}.")
  axis %= ndim
  lengths = {a.shape[axis] for a in avals}
  if len(lengths) != 1:
    raise ValueError("Array inputs to associative_scan must have the same first dimension. "
                     f"(saw: {[a.shape for a in avals]})")
  check_constant_length(avals[0].shape[axis])
  if reverse:
    leaves = [lax.rev(x, (axis,)) for x in leaves]

  def combine(a, b):
    out = fn(tree_util.tree_unflatten(tree, a), tree_util.tree_unflatten(tree, b))
    out_leaves, out_tree = tree_util.tree_flatten(out)
    if out_tree != tree:
      raise TypeError(f"associative_scan: fn must return a pytree of the structure of "
                      f"elems, {tree}, got {out_tree}.")
    return out_leaves

  def prefix(xs):
    n = core.get_aval(xs[0]).shape[axis]
    if n < 2:
      return xs
    # Combine pairs (x0 x1), (x2 x3), ...: their prefixes are the odd results.
    pairs = combine([_slice(x, 0, n - 1, 2, axis) for x in xs],
                    [_slice(x, 1, n, 2, axis) for x in xs])
    odd = prefix(pairs)
    # Even results (after the first): previous odd result combined with x[2k].
    if n % 2 == 0:
      rest = combine([_slice(o, 0, n // 2 - 1, 1, axis) for o in odd],
                     [_slice(x, 2, n, 2, axis) for x in xs])
    else:
      rest = combine(odd, [_slice(x, 2, n, 2, axis) for x in xs])
    even = [lax.concatenate([_slice(x, 0, 1, 1, axis), r], axis) for x, r in zip(xs, rest)]
    return [_interleave(e, o, axis) for e, o in zip(even, odd)]

  out = prefix(leaves)
  if reverse:
    out = [lax.rev(x, (axis,)) for x in out]
  return tree_util.tree_unflatten(tree, out)
