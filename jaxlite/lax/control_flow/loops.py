"""Loops: ``while_loop``, ``scan`` and the functions built on them
(``fori_loop``, ``map``).

``while_p`` holds ``cond_jaxpr`` and ``body_jaxpr`` (each taking its constants
first, then the carry); ``scan_p`` holds one body ``jaxpr`` taking
``(consts, carry, x slices)`` and returning ``(carry, y slices)``. Both lower
to one ``stablehlo.while`` whose body is lowered once, whatever the trip
count: a scan is a while over an index that reads its inputs with
``dynamic_slice`` and writes its stacked outputs with ``dynamic_update_slice``.

The transformation rules are in ``loops_rules``.
"""
from __future__ import annotations

__all__ = ["while_loop", "fori_loop", "scan", "map", "while_p", "scan_p"]

import builtins
import operator
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import core, dtypes, tree_util
from jaxlite.config import config
from jaxlite.core import ClosedJaxpr, ShapedArray
from jaxlite.interpreters import mlir
from jaxlite.lax.control_flow import common
from jaxlite.lax.structural import _convert_element_type as _convert

# --- while_p ----------------------------------------------------------------------------

while_p = core.Primitive("while")
while_p.multiple_results = True


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  carry = avals[cond_nconsts + body_nconsts:]
  pred = cond_jaxpr.out_avals
  if len(pred) != 1 or pred[0].shape != () or np.dtype(pred[0].dtype) != np.bool_:
    raise TypeError(f"while: cond_jaxpr must return a boolean scalar, got "
                    f"{[a.str_short() for a in pred]}.")
  if not all(builtins.map(common.typematch, body_jaxpr.out_avals, carry)):
    raise TypeError(f"while: body_jaxpr returns {[a.str_short() for a in body_jaxpr.out_avals]}"
                    f" for a carry of {[a.str_short() for a in carry]}.")
  return common.join_weak_types(carry, body_jaxpr.out_avals)


while_p.def_abstract_eval(_while_abstract_eval)


def _while_lowering(ctx, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  hlo, ir = mlir.hlo(), mlir.ir()
  mc = ctx.module_context
  # The constants ride along in the loop state (unchanged), so the regions
  # refer only to their own block arguments.
  types = [mlir.aval_to_ir_type(a) for a in ctx.avals_in]
  loop = hlo.WhileOp(types, list(args))
  nc = cond_nconsts + body_nconsts

  cond_block = loop.regions[0].blocks.append(*types)
  with ir.InsertionPoint(cond_block):
    xs = list(cond_block.arguments)
    pred, = mlir.jaxpr_subcomp(mc, cond_jaxpr.jaxpr, cond_jaxpr.consts,
                               *xs[:cond_nconsts], *xs[nc:])
    hlo.return_([pred])

  body_block = loop.regions[1].blocks.append(*types)
  with ir.InsertionPoint(body_block):
    xs = list(body_block.arguments)
    new_carry = mlir.jaxpr_subcomp(mc, body_jaxpr.jaxpr, body_jaxpr.consts,
                                   *xs[cond_nconsts:nc], *xs[nc:])
    hlo.return_(xs[:nc] + list(new_carry))
  return list(loop.results)[nc:]


mlir.register_lowering(while_p, _while_lowering)


def _promote_weak_carry(init_leaves, init_avals, out_avals):
  """Like JAX: a weakly typed initial carry takes the type the body gives it
  (``0.`` as a float32 carry), so the loop state has one fixed type."""
  from jaxlite import lax
  new_leaves, new_avals, changed = [], [], False
  for x, a_in, a_out in zip(init_leaves, init_avals, out_avals):
    if a_in.weak_type and not (common.typematch(a_in, a_out) and a_out.weak_type):
      if a_in.shape == a_out.shape and (common.typematch(a_in, a_out) or dtypes.result_type(
          a_in, a_out) == np.dtype(a_out.dtype)):
        x = _convert(x, a_out.dtype, a_out.weak_type)
        a_in = a_in.update(dtype=a_out.dtype, weak_type=a_out.weak_type)
        changed = True
    new_leaves.append(x)
    new_avals.append(a_in)
  return new_leaves, new_avals, changed


def while_loop(cond_fun: Callable, body_fun: Callable, init_val):
  """Calls ``body_fun`` repeatedly while ``cond_fun`` is true.

  In Python terms::

    def while_loop(cond_fun, body_fun, init_val):
      val = init_val
      while cond_fun(val):
        val = body_fun(val)
      return val

  The loop runs as one XLA while loop; ``body_fun`` must return a value of
  the same structure and types as ``init_val``. Forward-mode differentiable;
  reverse mode needs a static trip count (use ``fori_loop`` or ``scan``).

  Args:
    cond_fun: ``val -> bool scalar``.
    body_fun: ``val -> val``.
    init_val: the initial loop value, a pytree.

  Returns:
    The final loop value.

  Example:
    >>> from jaxlite import lax
    >>> lax.while_loop(lambda x: lax.lt(x, 10), lambda x: lax.add(x, 3), 0)
    Array(12, dtype=int32, weak_type=True)
  """
  for name, f in (("cond_fun", cond_fun), ("body_fun", body_fun)):
    if not callable(f):
      raise TypeError(f"lax.while_loop: {name} must be callable, got {f!r}.")
  if config.jax_disable_jit:
    val = init_val
    while _concrete_pred(cond_fun(val)):
      val = body_fun(val)
    return val
  leaves, in_tree, avals = common.flatten_args_avals((init_val,))
  body_jaxpr, body_consts, body_tree = common.trace_to_closed_jaxpr(
      body_fun, in_tree, avals, "body_fun", tag="while_body")
  leaves, new_avals, changed = _promote_weak_carry(leaves, avals, body_jaxpr.out_avals)
  if changed:
    avals = new_avals
    body_jaxpr, body_consts, body_tree = common.trace_to_closed_jaxpr(
        body_fun, in_tree, avals, "body_fun", tag="while_body")
  carry_tree = tree_util.treedef_children(in_tree)[0]
  common.check_tree_and_avals("body_fun output and input", body_tree, body_jaxpr.out_avals,
                              carry_tree, avals)
  cond_jaxpr, cond_consts, cond_tree = common.trace_to_closed_jaxpr(
      cond_fun, in_tree, avals, "cond_fun", tag="while_cond")
  out = cond_jaxpr.out_avals
  if not tree_util.treedef_is_leaf(cond_tree) or len(out) != 1:
    raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                    f"{common.pp_tree_types(cond_tree, out)}.")
  if out[0].shape != () or np.dtype(out[0].dtype) != np.bool_:
    raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                    f"[{out[0].str_short(short_dtypes=False)}]; expected bool[].")
  outs = while_p.bind(*cond_consts, *body_consts, *leaves, cond_jaxpr=cond_jaxpr,
                      body_jaxpr=body_jaxpr, cond_nconsts=len(cond_consts),
                      body_nconsts=len(body_consts))
  return tree_util.tree_unflatten(carry_tree, outs)


def _concrete_pred(p):
  v = common.concrete_value(p)
  if v is None:
    raise core.TracerBoolConversionError(p)
  return bool(v)


# --- scan_p ------------------------------------------------------------------------------

scan_p = core.Primitive("scan")
scan_p.multiple_results = True


def _scan_abstract_eval(*avals, reverse, length, jaxpr, num_consts, num_carry, linear,
                        unroll):
  consts, carry, xs = common.split_list(avals, [num_consts, num_carry])
  for x in xs:
    if not x.shape or x.shape[0] != length:
      raise TypeError(f"scan: every scanned input needs a leading axis of size {length}, "
                      f"got {x.str_short()}.")
  body_in = list(consts) + list(carry) + [x.update(shape=x.shape[1:]) for x in xs]
  if len(jaxpr.in_avals) != len(body_in) or not all(
      builtins.map(common.typematch, jaxpr.in_avals, body_in)):
    raise TypeError(f"scan: the body takes {[a.str_short() for a in jaxpr.in_avals]}, "
                    f"the operands give {[a.str_short() for a in body_in]}.")
  carry_out, ys = common.split_list(jaxpr.out_avals, [num_carry])
  if not all(builtins.map(common.typematch, carry_out, carry)):
    raise TypeError(f"scan: the body returns a carry of {[a.str_short() for a in carry_out]} "
                    f"for one of {[a.str_short() for a in carry]}.")
  return (common.join_weak_types(carry, carry_out)
          + [y.update(shape=(length,) + y.shape) for y in ys])


scan_p.def_abstract_eval(_scan_abstract_eval)


def _scan_lowering(ctx, *args, reverse, length, jaxpr, num_consts, num_carry, linear,
                   unroll):
  hlo, ir = mlir.hlo(), mlir.ir()
  mc = ctx.module_context
  consts, carry, xs = common.split_list(args, [num_consts, num_carry])
  _, _, xs_avals = common.split_list(ctx.avals_in, [num_consts, num_carry])
  ys_avals = ctx.avals_out[num_carry:]
  unroll = length if unroll is True else builtins.max(1, builtins.min(int(unroll), length or 1))
  ys = [mlir.full_like_aval(0, a) for a in ys_avals]

  def body(i, consts, xs, carry, ys):
    # One iteration: read x[t], run the body, write y[t]; t counts down if reversed.
    t = hlo.subtract(mlir.ir_constant(np.int32(length - 1)), i) if reverse else i
    zero = mlir.ir_constant(np.int32(0))
    x_t = []
    for x, a in zip(xs, xs_avals):
      sl = hlo.dynamic_slice(x, [t] + [zero] * (a.ndim - 1), (1,) + a.shape[1:])
      x_t.append(hlo.reshape(mlir.aval_to_ir_type(a.update(shape=a.shape[1:])), sl))
    outs = mlir.jaxpr_subcomp(mc, jaxpr.jaxpr, jaxpr.consts, *consts, *carry, *x_t)
    carry, y_t = outs[:num_carry], outs[num_carry:]
    new_ys = []
    for y, y1, a in zip(ys, y_t, ys_avals):
      upd = hlo.reshape(mlir.aval_to_ir_type(a.update(shape=(1,) + a.shape[1:])), y1)
      new_ys.append(hlo.dynamic_update_slice(y, upd, [t] + [zero] * (a.ndim - 1)))
    return hlo.add(i, mlir.ir_constant(np.int32(1))), carry, new_ys

  i = mlir.ir_constant(np.int32(0))
  blocks, remainder = divmod(length, unroll)
  for trips, copies in ((blocks, unroll), (remainder, 1)):
    if trips == 0:
      continue
    state = [i] + consts + xs + carry + ys
    types = [v.type for v in state]
    loop = hlo.WhileOp(types, state)
    nc, nx = len(consts), len(xs)
    # The index counts iterations: the unrolled phase stops at a multiple of
    # `unroll`, the remainder phase at `length`.
    stop = blocks * unroll if copies == unroll and trips == blocks else length
    cond_block = loop.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond_block):
      hlo.return_([mlir.compare(cond_block.arguments[0], mlir.ir_constant(np.int32(stop)),
                                "LT", "SIGNED")])
    body_block = loop.regions[1].blocks.append(*types)
    with ir.InsertionPoint(body_block):
      st = list(body_block.arguments)
      bi, bconsts, bxs, bcarry, bys = st[0], st[1:1 + nc], st[1 + nc:1 + nc + nx], \
          st[1 + nc + nx:1 + nc + nx + num_carry], st[1 + nc + nx + num_carry:]
      for _ in range(copies):
        bi, bcarry, bys = body(bi, bconsts, bxs, bcarry, bys)
      hlo.return_([bi] + bconsts + bxs + list(bcarry) + list(bys))
    res = list(loop.results)
    i = res[0]
    carry = res[1 + nc + nx:1 + nc + nx + num_carry]
    ys = res[1 + nc + nx + num_carry:]
  return list(carry) + list(ys)


mlir.register_lowering(scan_p, _scan_lowering)


def scan(f: Callable, init, xs=None, length: int | None = None, reverse: bool = False,
         unroll: int | bool = 1):
  """Scans ``f`` over the leading axes of ``xs`` while carrying state.

  In Python terms::

    def scan(f, init, xs, length=None):
      if xs is None:
        xs = [None] * length
      carry = init
      ys = []
      for x in xs:
        carry, y = f(carry, x)
        ys.append(y)
      return carry, np.stack(ys)

  ``init``, ``xs`` and the outputs may be pytrees; the loop is compiled once
  as an XLA while loop, whatever ``length`` is.

  Args:
    f: ``(carry, x) -> (carry, y)``; the carry keeps its structure and types.
    init: the initial carry.
    xs: pytree of arrays scanned along their leading axis (or None).
    length: the number of iterations; required when ``xs`` is None.
    reverse: scan from the end of ``xs`` to the start (ys stay in order).
    unroll: how many iterations one loop trip runs (True: all of them).

  Returns:
    ``(final carry, stacked ys)``.

  Example:
    >>> import numpy as np
    >>> from jaxlite import lax
    >>> lax.scan(lambda c, x: (lax.add(c, x), c), 0., np.arange(3.))
    (Array(3., dtype=float32), Array([0., 0., 1.], dtype=float32))
  """
  if not callable(f):
    raise TypeError(f"lax.scan: f argument should be a callable, got {f!r}.")
  xs_leaves, xs_tree = tree_util.tree_flatten(xs)
  length = _scan_length(xs_leaves, length)
  if config.jax_disable_jit:
    return _scan_python(f, init, xs, xs_leaves, xs_tree, length, reverse)
  init_leaves, init_tree = tree_util.tree_flatten(init)
  init_avals = [common._abstractify(x) for x in init_leaves]
  x_avals = [common._abstractify(x) for x in xs_leaves]
  x_avals = [a.update(shape=a.shape[1:]) for a in x_avals]
  in_tree = tree_util.tree_structure((init, xs))

  def trace(avals):
    jaxpr, consts, out_tree = common.trace_to_closed_jaxpr(
        f, in_tree, list(avals) + x_avals, "scan", tag="scan")
    return jaxpr, consts, out_tree

  jaxpr, consts, out_tree = trace(init_avals)
  carry_tree, carry_avals_out = _check_scan_output(out_tree, jaxpr, len(init_leaves))
  init_leaves, new_avals, changed = _promote_weak_carry(init_leaves, init_avals,
                                                        carry_avals_out)
  if changed:
    init_avals = new_avals
    jaxpr, consts, out_tree = trace(init_avals)
    carry_tree, carry_avals_out = _check_scan_output(out_tree, jaxpr, len(init_leaves))
  common.check_tree_and_avals(
      "scan body function carry output and input", carry_tree, carry_avals_out,
      init_tree, init_avals)
  out_children = tree_util.treedef_children(out_tree)
  ys_tree = out_children[1]
  if isinstance(unroll, bool):
    unroll = builtins.max(length, 1) if unroll else 1
  outs = scan_p.bind(*consts, *init_leaves, *xs_leaves, reverse=bool(reverse),
                     length=length, jaxpr=jaxpr, num_consts=len(consts),
                     num_carry=len(init_leaves),
                     linear=(False,) * (len(consts) + len(init_leaves) + len(xs_leaves)),
                     unroll=int(unroll))
  carry, ys = outs[:len(init_leaves)], outs[len(init_leaves):]
  return (tree_util.tree_unflatten(carry_tree, carry), tree_util.tree_unflatten(ys_tree, ys))


def _check_scan_output(out_tree, jaxpr, num_carry):
  """The body must return a pair ``(carry, y)``; returns the carry's tree and types."""
  children = tree_util.treedef_children(out_tree)
  if len(children) != 2 or tree_util.treedef_tuple(children) != out_tree:
    raise TypeError("scan body output must be a pair, got "
                    f"{common.pp_tree_types(out_tree, jaxpr.out_avals)}.")
  n = children[0].num_leaves
  return children[0], jaxpr.out_avals[:n]


def _scan_length(xs_leaves, length):
  lengths = set()
  for x in xs_leaves:
    aval = common._abstractify(x)
    if not aval.shape:
      raise ValueError(f"scan got value with no leading axis to scan over: "
                       f"{aval.str_short(short_dtypes=False)}.")
    lengths.add(aval.shape[0])
  if length is not None:
    try:
      length = operator.index(length)
    except TypeError:
      raise TypeError(f"scan length must be a concrete integer, got {length!r}.") from None
    if length < 0:
      raise ValueError(f"scan length must be non-negative, got {length}.")
    if lengths and lengths != {length}:
      raise ValueError(f"scan got `length` argument of {length} which disagrees with "
                       f"leading axis sizes {sorted(lengths)}.")
    return length
  if not lengths:
    raise ValueError("scan got no values to scan over and `length` not provided.")
  if len(lengths) > 1:
    raise ValueError(f"scan got values with different leading axis sizes: "
                     f"{', '.join(str(n) for n in sorted(lengths))}.")
  return lengths.pop()


def _scan_python(f, init, xs, xs_leaves, xs_tree, length, reverse):
  """``scan`` under ``disable_jit``: a Python loop over the slices."""
  from jaxlite import lax
  carry, ys = init, []
  for t in (reversed(range(length)) if reverse else range(length)):
    x = tree_util.tree_unflatten(xs_tree, [lax.index_in_dim(v, t, keepdims=False)
                                           for v in xs_leaves])
    carry, y = f(carry, x)
    ys.append(y)
  if reverse:
    ys.reverse()
  if not ys:
    raise ValueError("scan under disable_jit needs length > 0 to infer output types")
  stacked = tree_util.tree_map(lambda *y: _stack(y), *ys)
  return carry, stacked


def _stack(ys):
  from jaxlite import lax
  return lax.concatenate([lax.expand_dims(y, (0,)) for y in ys], 0)


# --- fori_loop and map -------------------------------------------------------------------


def fori_loop(lower, upper, body_fun: Callable, init_val, *, unroll: int | bool | None = None):
  """Loops ``body_fun(i, val)`` for ``i`` from ``lower`` to ``upper - 1``.

  In Python terms::

    def fori_loop(lower, upper, body_fun, init_val):
      val = init_val
      for i in range(lower, upper):
        val = body_fun(i, val)
      return val

  With a static trip count (concrete ``lower`` and ``upper``) the loop is a
  ``scan``, so it can be reverse-differentiated; otherwise it is a
  ``while_loop`` (forward-mode differentiable only).

  Example:
    >>> from jaxlite import lax
    >>> lax.fori_loop(0, 4, lambda i, x: lax.add(x, i), 0)
    Array(6, dtype=int32, weak_type=True)
  """
  from jaxlite import lax
  if not callable(body_fun):
    raise TypeError(f"lax.fori_loop: body_fun must be callable, got {body_fun!r}.")
  lo_aval, hi_aval = core.get_aval(lower), core.get_aval(upper)
  for name, a in (("lower", lo_aval), ("upper", hi_aval)):
    if np.dtype(a.dtype).kind not in "iu" or a.shape != ():
      raise TypeError(f"lax.fori_loop: {name} must be an integer scalar, got "
                      f"{a.str_short(short_dtypes=False)}.")
  dtype = dtypes.result_type(lower, upper)
  weak = lo_aval.weak_type and hi_aval.weak_type
  lo_val, hi_val = common.concrete_value(lower), common.concrete_value(upper)
  if lo_val is not None and hi_val is not None and not config.jax_disable_jit:
    lo_int, hi_int = int(lo_val), int(hi_val)
    length = builtins.max(hi_int - lo_int, 0)
    i0 = _convert(lower, dtype, weak)

    def scan_body(carry, _):
      i, x = carry
      return (lax.add(i, _convert(1, dtype, weak)), body_fun(i, x)), None

    if unroll is None:
      unroll = 1
    (_, result), _ = scan(scan_body, (i0, init_val), None, length=length, unroll=unroll)
    return result
  if unroll not in (None, 1, False):
    raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are "
                     "statically known.")
  lower = _convert(lower, dtype, weak)
  upper = _convert(upper, dtype, weak)

  def cond(carry):
    return lax.lt(carry[0], carry[1])

  def body(carry):
    i, hi, x = carry
    return lax.add(i, _convert(1, dtype, weak)), hi, body_fun(i, x)

  return while_loop(cond, body, (lower, upper, init_val))[2]


def map(f: Callable, xs, *, batch_size: int | None = None):
  """Maps ``f`` over the leading axis of ``xs`` with a ``scan`` (one compiled body).

  In Python terms: ``np.stack([f(x) for x in xs])`` (over pytrees).

  Args:
    f: the function applied to each slice.
    xs: a pytree of arrays with a common leading axis.
    batch_size: if given, ``f`` is applied (vectorised with ``vmap``) to
      batches of this many slices at a time.

  Example:
    >>> import numpy as np
    >>> from jaxlite import lax
    >>> lax.map(lambda x: lax.mul(x, x), np.arange(3.))
    Array([0., 1., 4.], dtype=float32)
  """
  if batch_size is not None:
    return _batched_map(f, xs, batch_size)
  _, ys = scan(lambda _, x: ((), f(x)), (), xs)
  return ys


def _batched_map(f, xs, batch_size):
  from jaxlite import lax
  from jaxlite.api import vmap
  leaves, tree = tree_util.tree_flatten(xs)
  n = _scan_length(leaves, None)
  batch_size = builtins.min(int(batch_size), n)
  num_batches, rem = divmod(n, batch_size)
  main = [lax.reshape(lax.slice_in_dim(x, 0, num_batches * batch_size, axis=0),
                      (num_batches, batch_size) + tuple(x.shape[1:])) for x in leaves]
  ys = map(lambda b: vmap(f)(tree_util.tree_unflatten(tree, b)), main)
  ys = tree_util.tree_map(lambda y: lax.reshape(y, (num_batches * batch_size,) + y.shape[2:]), ys)
  if rem:
    tail = [lax.slice_in_dim(x, num_batches * batch_size, n, axis=0) for x in leaves]
    ys_tail = vmap(f)(tree_util.tree_unflatten(tree, tail))
    ys = tree_util.tree_map(lambda a, b: lax.concatenate([a, b], 0), ys, ys_tail)
  return ys
