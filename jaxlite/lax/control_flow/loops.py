"""Loops: ``while_loop`` and the functions built on loops (``fori_loop``,
``map``); ``scan`` lives in ``scan.py``.

``while_p`` holds ``cond_jaxpr`` and ``body_jaxpr``, each taking its
constants first (``cond_nconsts``, ``body_nconsts``), then the carry. It
lowers to one ``stablehlo.while`` whose regions are lowered once; the
constants ride along in the loop state.

Below are the rules of while_p: JVP, partial evaluation (the known part of
the carry computed now, the whole loop staged for the rest), batching (a
batched predicate runs the loop while any example needs it) and a transpose
rule that explains why reverse mode needs a static trip count.
"""
from __future__ import annotations

__all__ = ["while_loop", "fori_loop", "map", "while_p"]

import builtins
from typing import Callable

import numpy as np

from jaxlite import core, dtypes, traceback_util, tree_util
from jaxlite.config import config
from jaxlite.core import ClosedJaxpr
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.lax.control_flow import common, divergence
from jaxlite.lax.control_flow.scan import _scan_length, scan
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
  return [core.raise_to_shaped(a) for a in body_jaxpr.out_avals]   # as JAX


while_p.def_abstract_eval(_while_abstract_eval)


def _while_lowering(ctx, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  hlo, ir = mlir.hlo(), mlir.ir()
  mc = ctx.module_context
  if divergence.may_diverge_into_collective(ctx, cond_jaxpr.out_avals[0],
                                            [cond_jaxpr.jaxpr, body_jaxpr.jaxpr]):
    return _while_in_step_lowering(ctx, *args, cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr,
                                   cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
  # The constants ride along in the loop state (unchanged), so the regions
  # refer only to their own block arguments.
  types = [mlir.aval_to_ir_type(a) for a in ctx.avals_in]
  loop = hlo.WhileOp(types, list(args))
  nc = cond_nconsts + body_nconsts

  cond_block = loop.regions[0].blocks.append(*types)
  with ir.InsertionPoint(cond_block), mlir.named(mc, "while", "cond"):
    xs = list(cond_block.arguments)
    pred, = mlir.jaxpr_subcomp(mc, cond_jaxpr.jaxpr, cond_jaxpr.consts,
                               *xs[:cond_nconsts], *xs[nc:])
    hlo.return_([pred])

  body_block = loop.regions[1].blocks.append(*types)
  with ir.InsertionPoint(body_block), mlir.named(mc, "while", "body"):
    xs = list(body_block.arguments)
    new_carry = mlir.jaxpr_subcomp(mc, body_jaxpr.jaxpr, body_jaxpr.consts,
                                   *xs[cond_nconsts:nc], *xs[nc:])
    hlo.return_(xs[:nc] + list(new_carry))
  return list(loop.results)[nc:]


def _while_in_step_lowering(ctx, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  """A loop whose devices may stop at different iterations while a collective
  runs in it (see divergence.py): it runs while ANY device's condition
  holds, every device runs every iteration's collectives, and a device whose
  own condition fails keeps its carry (as vmap's batched predicate does)."""
  hlo, ir = mlir.hlo(), mlir.ir()
  mc = ctx.module_context
  types = [mlir.aval_to_ir_type(a) for a in ctx.avals_in]
  loop = hlo.WhileOp(types, list(args))
  nc = cond_nconsts + body_nconsts

  def own_condition(xs):
    with mlir.named(mc, "while", "cond"):
      pred, = mlir.jaxpr_subcomp(mc, cond_jaxpr.jaxpr, cond_jaxpr.consts,
                                 *xs[:cond_nconsts], *xs[nc:])
    return pred

  cond_block = loop.regions[0].blocks.append(*types)
  with ir.InsertionPoint(cond_block):
    hlo.return_([divergence.any_device(ctx, own_condition(list(cond_block.arguments)),
                                       cond_jaxpr.out_avals[0].vma)])

  body_block = loop.regions[1].blocks.append(*types)
  with ir.InsertionPoint(body_block):
    xs = list(body_block.arguments)
    mine = own_condition(xs)
    with mlir.named(mc, "while", "body"):
      new_carry = mlir.jaxpr_subcomp(mc, body_jaxpr.jaxpr, body_jaxpr.consts,
                                     *xs[cond_nconsts:nc], *xs[nc:])
    kept = [hlo.select(mine, new, old) for new, old in zip(new_carry, xs[nc:])]
    hlo.return_(xs[:nc] + kept)
  return list(loop.results)[nc:]


mlir.register_lowering(while_p, _while_lowering)


@traceback_util.api_boundary
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
  leaves, new_avals, changed = common.promote_weak_carry(leaves, avals, body_jaxpr.out_avals)
  if changed:
    avals = new_avals
    body_jaxpr, body_consts, body_tree = common.trace_to_closed_jaxpr(
        body_fun, in_tree, avals, "body_fun", tag="while_body")
  carry_tree = tree_util.treedef_children(in_tree)[0]
  if body_tree == carry_tree:   # inside shard_map: the carry's manual axes must agree
    from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
    vma.check_carry("while_loop body", body_fun, carry_tree, avals, body_jaxpr.out_avals)
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


# --- while_p rules ----------------------------------------------------------------------------


def _fixed_point(step, flags, n):
  flags = list(flags)
  for _ in range(n + 1):
    new = [a or b for a, b in zip(flags, step(flags))]
    if new == flags:
      return flags
    flags = new
  return flags


def _pad_cond(cond_jaxpr, extra_avals):
  """``cond_jaxpr`` taking (and ignoring) extra carry components at the end."""
  jaxpr = cond_jaxpr.jaxpr
  extra = [core.Var(a) for a in extra_avals]
  return ClosedJaxpr(jaxpr.replace(invars=list(jaxpr.invars) + extra), cond_jaxpr.consts)


def _while_jvp_jaxprs(cond_jaxpr, body_jaxpr, bconst_nz, init_nz):
  """The loop's JVP body and its cond taking (and ignoring) the tangents."""
  carry_nz = _fixed_point(
      lambda c: ad.jvp_jaxpr(body_jaxpr, bconst_nz + c, c)[1], init_nz, len(init_nz))
  jvp, _ = ad.jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, carry_nz)
  n_bc, n_car = len(bconst_nz), len(init_nz)
  n_bct, n_cart = sum(bconst_nz), sum(carry_nz)
  # JVP jaxpr inputs: (consts, carry, const tangents, carry tangents); the
  # loop wants (consts, const tangents, carry, carry tangents).
  base = n_bc + n_car
  order = (list(range(n_bc)) + list(range(base, base + n_bct)) + list(range(n_bc, base))
           + list(range(base + n_bct, base + n_bct + n_cart)))
  jvp = common.permute_jaxpr(jvp, order)
  carry_avals = body_jaxpr.in_avals[n_bc:]
  cond = _pad_cond(cond_jaxpr, [ad.tangent_aval(a) for a, n in zip(carry_avals, carry_nz)
                                if n])
  return jvp, cond, carry_nz


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  nz = [type(t) is not ad.Zero for t in tangents]
  _, bconst_nz, init_nz = common.split_list(nz, [cond_nconsts, body_nconsts])
  jvp, cond, carry_nz = common.memoize_on(
      body_jaxpr, ("jvp", body_nconsts, tuple(bconst_nz + init_nz)),
      lambda: _while_jvp_jaxprs(cond_jaxpr, body_jaxpr, bconst_nz, init_nz),
      others=(cond_jaxpr,))
  n_bc, n_car, n_bct = body_nconsts, len(init_nz), sum(bconst_nz)
  cconsts, bconsts, init = common.split_list(primals, [cond_nconsts, body_nconsts])
  _, bconst_t, init_t = common.split_list(tangents, [cond_nconsts, body_nconsts])
  bconst_t = [t for t in bconst_t if type(t) is not ad.Zero]
  init_t = [ad.instantiate_zeros(t) for t, n in zip(init_t, carry_nz) if n]
  carry_avals = [core.raise_to_shaped(core.get_aval(x)) for x in init]
  outs = while_p.bind(*cconsts, *bconsts, *bconst_t, *init, *init_t, cond_jaxpr=cond,
                      body_jaxpr=jvp, cond_nconsts=cond_nconsts,
                      body_nconsts=n_bc + n_bct)
  carry, carry_t = outs[:n_car], iter(outs[n_car:])
  return carry, [next(carry_t) if n else ad.Zero(ad.tangent_aval(a))
                 for n, a in zip(carry_nz, carry_avals)]


ad.primitive_jvps[while_p] = _while_jvp


def _while_known_jaxprs(cond_jaxpr, body_jaxpr, cc_uk, bc_uk, carry_uk):
  """The loop restricted to its known carry (which the cond depends on alone)."""
  known, _, _, _ = common.partial_eval_jaxpr(body_jaxpr, bc_uk + carry_uk, carry_uk)
  n_known = carry_uk.count(False)
  body_known = ClosedJaxpr(known.jaxpr.replace(outvars=known.jaxpr.outvars[:n_known]),
                           known.consts)
  keep = [not u for u in cc_uk + carry_uk]
  cj = cond_jaxpr.jaxpr
  cond_known = ClosedJaxpr(cj.replace(invars=[v for v, k in zip(cj.invars, keep) if k]),
                           cond_jaxpr.consts)
  return cond_known, body_known


def _while_partial_eval(trace, tracers, *, cond_jaxpr, body_jaxpr, cond_nconsts,
                        body_nconsts):
  """The known part of the carry is computed by a loop now; the whole loop,
  recomputing the known part, is staged for the rest (as JAX does)."""
  params = dict(cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr, cond_nconsts=cond_nconsts,
                body_nconsts=body_nconsts)
  unknowns = [not trace.is_known(t) for t in tracers]
  cc_uk, bc_uk, init_uk = common.split_list(unknowns, [cond_nconsts, body_nconsts])
  carry_uk = _fixed_point(
      lambda c: common.partial_eval_jaxpr(body_jaxpr, bc_uk + c, c)[2], init_uk, len(init_uk))
  _, cond_used = pe.dce_jaxpr(cond_jaxpr.jaxpr, instantiate=True)
  staged = trace.stage(while_p, tracers, params)
  if all(carry_uk) or any(u and used for u, used in zip(cc_uk + carry_uk, cond_used)):
    return staged
  cond_known, body_known = common.memoize_on(
      body_jaxpr, ("known", tuple(cc_uk), tuple(bc_uk), tuple(carry_uk)),
      lambda: _while_known_jaxprs(cond_jaxpr, body_jaxpr, cc_uk, bc_uk, carry_uk),
      others=(cond_jaxpr,))
  cconsts, bconsts, init = common.split_list(tracers, [cond_nconsts, body_nconsts])
  kv = trace.known_value
  known_cc = [kv(t) for t, u in zip(cconsts, cc_uk) if not u]
  known_outs = iter(while_p.bind(
      *known_cc, *[kv(t) for t, u in zip(bconsts, bc_uk) if not u],
      *[kv(t) for t, u in zip(init, carry_uk) if not u], cond_jaxpr=cond_known,
      body_jaxpr=body_known, cond_nconsts=len(known_cc), body_nconsts=bc_uk.count(False)))
  return [s if u else next(known_outs) for s, u in zip(staged, carry_uk)]


pe.partial_eval_rules[while_p] = _while_partial_eval


def _while_transpose(cts, *args, **params):
  raise ValueError(
      "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with "
      "dynamic start/stop values. Try using lax.scan, or using fori_loop with static "
      "start/stop.")


ad.primitive_transposes[while_p] = _while_transpose


def _while_batch(axis_data, vals, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts,
                 body_nconsts):
  from jaxlite import lax
  size = axis_data.size
  batched = [d is not batching.not_mapped for d in dims]
  cc_b, bc_b, init_b = common.split_list(batched, [cond_nconsts, body_nconsts])
  n = len(init_b)

  def step(carry_b):
    if batching.batch_jaxpr(cond_jaxpr, axis_data, cc_b + carry_b, False)[1][0]:
      return [True] * n   # a batched predicate: every example keeps its own state
    return batching.batch_jaxpr(body_jaxpr, axis_data, bc_b + carry_b, carry_b)[1]

  carry_b = _fixed_point(step, init_b, n)
  cond_b, pred_b = batching.batch_jaxpr(cond_jaxpr, axis_data, cc_b + carry_b, False)
  body_b, _ = batching.batch_jaxpr(body_jaxpr, axis_data, bc_b + carry_b, carry_b)
  cconsts, bconsts, init = common.split_list(vals, [cond_nconsts, body_nconsts])
  cc_d, bc_d, init_d = common.split_list(dims, [cond_nconsts, body_nconsts])
  front = lambda x, d: x if d is batching.not_mapped else batching.moveaxis(x, d, 0)
  cconsts = [front(x, d) for x, d in zip(cconsts, cc_d)]
  bconsts = [front(x, d) for x, d in zip(bconsts, bc_d)]
  init = [batching.bdim_at_front(x, d, size) if b else x
          for x, d, b in zip(init, init_d, carry_b)]
  out_dims = [0 if b else batching.not_mapped for b in carry_b]
  if not pred_b[0]:
    outs = while_p.bind(*cconsts, *bconsts, *init, cond_jaxpr=cond_b, body_jaxpr=body_b,
                        cond_nconsts=cond_nconsts, body_nconsts=body_nconsts)
    return outs, out_dims
  # Run while any example's predicate holds; an example whose predicate is
  # false keeps its carry (the body's result is discarded by a select).
  n_cc, n_bc = len(cconsts), len(bconsts)
  carry_avals = [core.raise_to_shaped(core.get_aval(x)) for x in init]
  cc_avals = [core.raise_to_shaped(core.get_aval(x)) for x in cconsts]
  bc_avals = [core.raise_to_shaped(core.get_aval(x)) for x in bconsts]

  def any_pred(*args):
    cc, carry = args[:n_cc], args[n_cc:]
    pred, = core.eval_jaxpr(cond_b.jaxpr, cond_b.consts, *cc, *carry)
    return [lax.reduce_or(pred, (0,))]

  def select_body(*args):
    cc, bc, carry = common.split_list(args, [n_cc, n_bc])
    pred, = core.eval_jaxpr(cond_b.jaxpr, cond_b.consts, *cc, *carry)
    new = core.eval_jaxpr(body_b.jaxpr, body_b.consts, *bc, *carry)
    return [lax.select_n(_bcast(pred, core.get_aval(x).shape), x, y)
            for x, y in zip(carry, new)]

  new_cond, new_body = common.memoize_on(
      body_b, ("select", tuple(cc_avals), tuple(bc_avals), tuple(carry_avals)),
      lambda: (common.trace_closed_no_consts(any_pred, cc_avals + carry_avals),
               common.trace_closed_no_consts(select_body, cc_avals + bc_avals + carry_avals)),
      others=(cond_b,))
  outs = while_p.bind(*cconsts, *cconsts, *bconsts, *init, cond_jaxpr=new_cond,
                      body_jaxpr=new_body, cond_nconsts=n_cc, body_nconsts=n_cc + n_bc)
  return outs, out_dims


def _bcast(pred, shape):
  from jaxlite import lax
  return pred if len(shape) <= 1 else lax.broadcast_in_dim(pred, shape, (0,))


batching.axis_primitive_batchers[while_p] = _while_batch


# --- fori_loop and map -------------------------------------------------------------------


@traceback_util.api_boundary
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
    if a.shape != ():
      raise TypeError(f"lax.fori_loop: {name} must be a scalar, got "
                      f"{a.str_short(short_dtypes=False)}.")
  dtype = _fori_bounds_dtype(lo_aval, hi_aval)
  weak = lo_aval.weak_type and hi_aval.weak_type
  lo_val, hi_val = common.concrete_value(lower), common.concrete_value(upper)
  if lo_val is not None and hi_val is not None and not config.jax_disable_jit:
    # Concrete bounds (floats too, as in JAX): a scan whose index starts as
    # the Python int int(lower), so it is a weakly typed default integer.
    lo_int, hi_int = int(lo_val), int(hi_val)
    length = builtins.max(hi_int - lo_int, 0)
    dtype, weak = dtypes.canonicalize_dtype(dtypes.int_), True
    i0 = _convert(lo_int, dtype, weak)

    def make_scan_body(get_body):
      def scan_body(carry, _):
        i, x = carry
        return (lax.add(i, _convert(1, dtype, weak)), get_body()(i, x)), None
      scan_body.fori_body = get_body   # named for errors (jaxlite.state.returned_refs)
      return scan_body

    scan_body = common.wrap_function(body_fun, ("fori_scan", dtype, weak), make_scan_body)
    if unroll is None:
      unroll = 1
    (_, result), _ = scan(scan_body, (i0, init_val), None, length=length, unroll=unroll)
    return result
  if unroll not in (None, 1, False):
    raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are "
                     "statically known.")
  lower = _convert(lower, dtype, weak)
  upper = _convert(upper, dtype, weak)

  def make_body(get_body):
    def body(carry):
      i, hi, x = carry
      return lax.add(i, _convert(1, dtype, weak)), hi, get_body()(i, x)
    body.fori_body = get_body   # named for errors (jaxlite.state.returned_refs)
    return body

  body = common.wrap_function(body_fun, ("fori_while", dtype, weak), make_body)
  return while_loop(_fori_cond, body, (lower, upper, init_val))[2]


def _fori_bounds_dtype(lo_aval, hi_aval):
  """JAX's rule: equal dtypes, or a weak signed integer bound taking the other's."""
  lo, hi = np.dtype(lo_aval.dtype), np.dtype(hi_aval.dtype)
  if lo == hi:
    return lo
  if lo.kind == "i" and hi.kind == "i" and lo_aval.weak_type != hi_aval.weak_type:
    return hi if lo_aval.weak_type else lo
  raise TypeError("lower and upper arguments to fori_loop must have equal types, "
                  f"got {lo.name} and {hi.name}")


def _fori_cond(carry):
  from jaxlite import lax
  return lax.lt(carry[0], carry[1])


@traceback_util.api_boundary
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
  def make_body(get_f):
    return lambda _, x: ((), get_f()(x))
  _, ys = scan(common.wrap_function(f, "map", make_body), (), xs)
  return ys


def _batched_map(f, xs, batch_size):
  from jaxlite import lax
  from jaxlite.vectorization import vmap
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
