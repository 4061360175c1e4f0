"""``scan``: a loop over the leading axis of arrays, carrying state.

``scan_p`` holds one body ``jaxpr`` taking ``(consts, carry, x slices)`` and
returning ``(carry, y slices)``, with ``length``, ``reverse``, ``unroll``,
``num_consts`` and ``num_carry`` (JAX 0.10.2's parameters). It lowers to one
``stablehlo.while`` over an index:
the body is lowered once (``unroll`` copies), inputs are read with
``dynamic_slice`` and the stacked outputs written with
``dynamic_update_slice``, so the module does not grow with ``length``.

Below are its rules: JVP, partial evaluation (residuals stacked along the
scan axis, loop-invariant ones hoisted out, known xs not copied),
transposition (a scan running
the other way) and batching.
"""
from __future__ import annotations

__all__ = ["scan", "scan_p"]

import builtins
import operator
from typing import Callable

import numpy as np

from jaxlite import core, traceback_util, tree_util
from jaxlite.config import config
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.lax.control_flow import common

# --- scan_p ------------------------------------------------------------------------------

scan_p = core.Primitive("scan")
scan_p.multiple_results = True


def _scan_abstract_eval(*avals, reverse, length, jaxpr, num_consts, num_carry,
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
  # As JAX: the carry comes out with the body's output types.
  return ([core.raise_to_shaped(a) for a in carry_out]
          + [y.update(shape=(length,) + y.shape) for y in ys])


scan_p.def_abstract_eval(_scan_abstract_eval)


def _scan_lowering(ctx, *args, reverse, length, jaxpr, num_consts, num_carry,
                   unroll):
  hlo, ir = mlir.hlo(), mlir.ir()
  mc = ctx.module_context
  consts, carry, xs = common.split_list(args, [num_consts, num_carry])
  _, _, xs_avals = common.split_list(ctx.avals_in, [num_consts, num_carry])
  ys_avals = ctx.avals_out[num_carry:]
  # Key arrays are sliced and stacked as their key data (u32[..., 2]).
  xs_avals, ys_avals = ([core.physical_aval(a) for a in avals] for avals in (xs_avals, ys_avals))
  symbolic = not isinstance(length, int) or not all(
      isinstance(d, int) for a in (*xs_avals, *ys_avals) for d in a.shape)
  if symbolic:   # shape-polymorphic export: sizes from the dimension variables
    dim_lowering = core.symbolic_dimensions()
    i32 = mlir.aval_to_ir_type(core.ShapedArray((), np.int32))
    length_value = hlo.convert(i32, dim_lowering.dim_value(mc, length))
    int32 = lambda v: length_value if v is length else hlo.convert(  # noqa: E731
        i32, dim_lowering.dim_value(mc, v))
    unroll = 1   # the same loop, one iteration per trip
  else:
    int32 = lambda v: mlir.ir_constant(np.int32(v))  # noqa: E731
    unroll = length if unroll is True else builtins.max(1, builtins.min(int(unroll),
                                                                        length or 1))
  ys = [mlir.full_like_aval(0, a) for a in ys_avals]

  def slice_one(x, a, t, zero):
    """``x[t:t+1]`` (a dynamic slice; with bounds as tensors where ``a`` is symbolic)."""
    if not symbolic or all(isinstance(d, int) for d in a.shape[1:]):
      return hlo.dynamic_slice(x, [t] + [zero] * (a.ndim - 1), (1,) + a.shape[1:])
    start = dim_lowering.shape_tensor(mc, [0] * a.ndim)
    start = hlo.dynamic_update_slice(start, hlo.reshape(
        ir.RankedTensorType.get((1,), ir.RankedTensorType(start.type).element_type),
        hlo.convert(ir.RankedTensorType.get((), ir.RankedTensorType(start.type).element_type),
                    t)), [mlir.ir_constant(np.int32(0))])
    limit = hlo.add(start, dim_lowering.shape_tensor(mc, (1,) + a.shape[1:]))
    return hlo.real_dynamic_slice(mlir.aval_to_ir_type(a.update(shape=(1,) + a.shape[1:])),
                                  x, start, limit, dim_lowering.shape_tensor(mc, [1] * a.ndim))

  def body(i, consts, xs, carry, ys):
    # One iteration: read x[t], run the body, write y[t]; t counts down if reversed.
    t = hlo.subtract(hlo.subtract(int32(length), int32(1)), i) if reverse else i
    zero = mlir.ir_constant(np.int32(0))
    x_t = []
    for x, a in zip(xs, xs_avals):
      sl = slice_one(x, a, t, zero)
      x_t.append(_reshape(mc, sl, a.update(shape=a.shape[1:])))
    with mlir.named(mc, "while", "body", "closed_call"):   # as JAX's scan names its body
      outs = mlir.jaxpr_subcomp(mc, jaxpr.jaxpr, jaxpr.consts, *consts, *carry, *x_t)
    carry, y_t = outs[:num_carry], outs[num_carry:]
    new_ys = []
    for y, y1, a in zip(ys, y_t, ys_avals):
      upd = _reshape(mc, y1, a.update(shape=(1,) + a.shape[1:]))
      new_ys.append(hlo.dynamic_update_slice(y, upd, [t] + [zero] * (a.ndim - 1)))
    return hlo.add(i, mlir.ir_constant(np.int32(1))), carry, new_ys

  i = mlir.ir_constant(np.int32(0))
  blocks, remainder = (length, 0) if symbolic else divmod(length, unroll)
  for trips, copies in ((blocks, unroll), (remainder, 1)):
    if isinstance(trips, int) and trips == 0:
      continue
    state = [i] + consts + xs + carry + ys
    types = [v.type for v in state]
    loop = hlo.WhileOp(types, state)
    nc, nx = len(consts), len(xs)
    # The index counts iterations: the unrolled phase stops at a multiple of
    # `unroll`, the remainder phase at `length`.
    stop = length if symbolic or not (copies == unroll and trips == blocks) else \
        blocks * unroll
    cond_block = loop.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond_block):
      hlo.return_([mlir.compare(cond_block.arguments[0], int32(stop), "LT", "SIGNED")])
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


def _reshape(mc, x, aval):
  """``x`` reshaped to ``aval`` (dynamically where its shape is symbolic)."""
  if all(isinstance(d, int) for d in aval.shape):
    return mlir.hlo().reshape(mlir.aval_to_ir_type(aval), x)
  return core.symbolic_dimensions().reshape(mc, x, aval)


@traceback_util.api_boundary
def scan(f: Callable, init, xs=None, length: int | None = None, reverse: bool = False,
         unroll: int | bool = 1, _split_transpose: bool = False):
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
    _split_transpose: JAX's experimental flag for how the transposed loop is
      laid out; it changes no value, and jaxlite has one layout.

  Returns:
    ``(final carry, stacked ys)``.

  Example:
    >>> import numpy as np
    >>> from jaxlite import lax
    >>> lax.scan(lambda c, x: (lax.add(c, x), c), 0., np.arange(3.))
    (Array(3., dtype=float32), Array([0., 0., 1.], dtype=float32, weak_type=True))
  """
  del _split_transpose
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
  common.check_ref_arguments(f, "scan", in_tree, list(init_leaves) + list(xs_leaves), consts)
  carry_tree, carry_avals_out = _check_scan_output(out_tree, jaxpr, len(init_leaves))
  init_leaves, new_avals, changed = common.promote_weak_carry(init_leaves, init_avals,
                                                        carry_avals_out)
  if changed:
    init_avals = new_avals
    jaxpr, consts, out_tree = trace(init_avals)
    carry_tree, carry_avals_out = _check_scan_output(out_tree, jaxpr, len(init_leaves))
  if carry_tree == init_tree:   # inside shard_map: the carry's manual axes must agree
    from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
    vma.check_carry("scan body", f, init_tree, init_avals, carry_avals_out)
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


# --- JVP ------------------------------------------------------------------------------------


def _fixed_point(step, flags, n):
  """Grows ``flags`` with ``step(flags)`` (an elementwise or) until it is stable."""
  flags = list(flags)
  for _ in range(n + 1):
    new = [a or b for a, b in zip(flags, step(flags))]
    if new == flags:
      return flags
    flags = new
  return flags


def _scan_jvp_jaxpr(jaxpr, num_consts, num_carry, const_nz, init_nz, xs_nz):
  """The scan body's JVP laid out for scan_p; which carry/y tangents are nonzero."""
  num_ys = len(jaxpr.out_avals) - num_carry
  # A carry tangent is nonzero if it starts so or the body makes it so.
  carry_nz = _fixed_point(
      lambda c: ad.jvp_jaxpr(jaxpr, const_nz + c + xs_nz, c + [False] * num_ys)[1][:num_carry],
      init_nz, num_carry)
  jvp, out_nz = ad.jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + [False] * num_ys)
  ys_nz = out_nz[num_carry:]
  # The JVP jaxpr takes (primals, nonzero tangents) and returns the same;
  # scan wants (consts, carry, xs) with each group's tangents beside it.
  n_p = len(jaxpr.in_avals)
  nct, ncar = sum(const_nz), sum(carry_nz)
  p_c, p_car, p_x = common.split_list(list(range(n_p)), [num_consts, num_carry])
  t_c, t_car, t_x = common.split_list(list(range(n_p, n_p + sum(const_nz) + ncar + sum(xs_nz))),
                                      [nct, ncar])
  in_order = p_c + t_c + p_car + t_car + p_x + t_x
  o_car, o_y = list(range(num_carry)), list(range(num_carry, num_carry + num_ys))
  n_o = num_carry + num_ys
  o_tcar = list(range(n_o, n_o + ncar))
  o_ty = list(range(n_o + ncar, n_o + ncar + sum(ys_nz)))
  jvp = common.permute_jaxpr(jvp, in_order, o_car + o_tcar + o_y + o_ty)
  return jvp, carry_nz, ys_nz


def _scan_jvp(primals, tangents, *, reverse, length, jaxpr, num_consts, num_carry,
              unroll):
  nz = [type(t) is not ad.Zero for t in tangents]
  const_nz, init_nz, xs_nz = common.split_list(nz, [num_consts, num_carry])
  num_ys = len(jaxpr.out_avals) - num_carry
  jvp, carry_nz, ys_nz = common.memoize_on(
      jaxpr, ("jvp", num_consts, num_carry, tuple(nz)),
      lambda: _scan_jvp_jaxpr(jaxpr, num_consts, num_carry, const_nz, init_nz, xs_nz))
  nct, ncar = sum(const_nz), sum(carry_nz)
  consts, init, xs = common.split_list(primals, [num_consts, num_carry])
  c_t, init_t, xs_t = common.split_list(tangents, [num_consts, num_carry])
  c_t = [t for t in c_t if type(t) is not ad.Zero]
  xs_t = [t for t in xs_t if type(t) is not ad.Zero]
  init_t = [ad.instantiate_zeros(t) for t, nzc in zip(init_t, carry_nz) if nzc]
  n_consts, n_carry = num_consts + nct, num_carry + ncar
  args = consts + c_t + init + init_t + xs + xs_t
  outs = scan_p.bind(*args, reverse=reverse, length=length, jaxpr=jvp, num_consts=n_consts,
                     num_carry=n_carry, unroll=unroll)
  carry, carry_t, ys, ys_t = common.split_list(outs, [num_carry, ncar, num_ys])
  carry_t, ys_t = iter(carry_t), iter(ys_t)
  out_avals = _scan_abstract_eval(*[core.get_aval(x) for x in primals], reverse=reverse,
                                  length=length, jaxpr=jaxpr, num_consts=num_consts,
                                  num_carry=num_carry, unroll=unroll)
  tangents_out = [next(carry_t) if n else ad.Zero(ad.tangent_aval(a))
                  for n, a in zip(carry_nz, out_avals[:num_carry])]
  tangents_out += [next(ys_t) if n else ad.Zero(ad.tangent_aval(a))
                   for n, a in zip(ys_nz, out_avals[num_carry:])]
  return carry + ys, tangents_out


ad.primitive_jvps[scan_p] = _scan_jvp


# --- partial evaluation -------------------------------------------------------------------


def _variant_vars(jaxpr, variant_inputs):
  """The variables of ``jaxpr`` that depend on the inputs marked ``variant_inputs``."""
  variant = {v for v, b in zip(jaxpr.invars, variant_inputs) if b}
  for eqn in jaxpr.eqns:
    if any(type(a) is not core.Literal and a in variant for a in eqn.invars):
      variant.update(eqn.outvars)
  return variant


def _split_scan(params, unknowns, saveable=None, hoist=True):
  return common.memoize_on(
      params["jaxpr"], ("split", params["num_consts"], params["num_carry"], tuple(unknowns),
                        saveable, hoist),
      lambda: _split_scan_uncached(params, unknowns, saveable, hoist))


def _split_scan_uncached(params, unknowns, saveable, hoist):
  """Splits a scan into a known scan (run now) and a staged one.

  Residuals that change from one iteration to the next are outputs of the
  known scan, stacked along the scan axis, and inputs (xs) of the staged one.
  Loop-invariant residuals (computed from known constants only) are not
  stacked: they are computed once by ``invariant`` and passed to the staged
  scan as constants (with ``hoist=False`` only those that are known
  constants themselves are).
  """
  jaxpr, num_consts, num_carry = params["jaxpr"], params["num_consts"], params["num_carry"]
  num_ys = len(jaxpr.out_avals) - num_carry
  const_uk, init_uk, xs_uk = common.split_list(list(unknowns), [num_consts, num_carry])
  carry_uk = _fixed_point(
      lambda c: common.partial_eval_jaxpr(jaxpr, const_uk + c + xs_uk, c + [False] * num_ys,
                                          saveable)[2][:num_carry], init_uk, num_carry)
  known, staged, out_uk, res_avals = common.partial_eval_jaxpr(
      jaxpr, const_uk + carry_uk + xs_uk, carry_uk + [False] * num_ys, saveable)
  n_kc, n_kcar = const_uk.count(False), carry_uk.count(False)
  n_kx = xs_uk.count(False)
  n_known_out = out_uk.count(False)
  kj = known.jaxpr
  res_vars = kj.outvars[n_known_out:]
  variant = _variant_vars(kj, [False] * n_kc + [True] * (n_kcar + n_kx))
  known_const_vars = set(kj.invars[:n_kc])
  if hoist:
    invariant = [type(v) is core.Literal or v not in variant for v in res_vars]
  else:
    invariant = [type(v) is not core.Literal and v in known_const_vars for v in res_vars]
  # A variant residual that is a known x slice itself is not stacked again:
  # the staged scan reads the original xs (``forwarded`` holds its position).
  known_xs_vars = kj.invars[n_kc + n_kcar:]
  forwarded = [known_xs_vars.index(v) if not inv and type(v) is not core.Literal
               and v in known_xs_vars else None for v, inv in zip(res_vars, invariant)]
  # The known body returns the other variant residuals, stacked as ys.
  known_body = core.ClosedJaxpr(
      kj.replace(outvars=kj.outvars[:n_known_out] +
                 [v for v, inv, f in zip(res_vars, invariant, forwarded)
                  if not inv and f is None]), known.consts)
  inv_jaxpr = core.ClosedJaxpr(
      kj.replace(invars=kj.invars[:n_kc], outvars=[v for v, inv in zip(res_vars, invariant)
                                                   if inv]), known.consts)
  inv_jaxpr = core.ClosedJaxpr(pe.dce_jaxpr(inv_jaxpr.jaxpr, instantiate=True)[0],
                               known.consts)
  # Staged body inputs: (invariant res, unknown consts, unknown carry, variant res, unknown xs).
  n_res = len(res_avals)
  n_uc, n_ucar = const_uk.count(True), carry_uk.count(True)
  res_idx = list(range(n_res))
  inv_idx = [i for i in res_idx if invariant[i]]
  var_idx = [i for i in res_idx if not invariant[i]]
  uc, ucar, ux = common.split_list(list(range(n_res, len(staged.in_avals))), [n_uc, n_ucar])
  staged_body = common.permute_jaxpr(staged, inv_idx + uc + ucar + var_idx + ux)
  return dict(carry_uk=carry_uk, ys_uk=out_uk[num_carry:], known_body=known_body,
              inv_jaxpr=inv_jaxpr, invariant=invariant, res_avals=res_avals,
              staged_body=staged_body, res_vars=res_vars, n_inv=len(inv_idx),
              n_var=len(var_idx), known_const_vars=kj.invars[:n_kc],
              forwarded=[forwarded[i] for i in var_idx])


def _variant_residuals(split, stacked, known_xs):
  """The staged scan's residual xs: stacked outputs of the known scan, or
  known xs forwarded as they are."""
  stacked = iter(stacked)
  return [next(stacked) if f is None else known_xs[f] for f in split["forwarded"]]


def _known_and_staged_params(params, split, unknowns):
  num_consts, num_carry = params["num_consts"], params["num_carry"]
  const_uk, _, xs_uk = common.split_list(list(unknowns), [num_consts, num_carry])
  carry_uk = split["carry_uk"]
  known_params = dict(params, jaxpr=split["known_body"], num_consts=const_uk.count(False),
                      num_carry=carry_uk.count(False))
  staged_params = dict(params, jaxpr=split["staged_body"],
                       num_consts=split["n_inv"] + const_uk.count(True),
                       num_carry=carry_uk.count(True))
  return known_params, staged_params


def _scan_partial_eval(trace, tracers, **params):
  num_consts, num_carry = params["num_consts"], params["num_carry"]
  unknowns = [not trace.is_known(t) for t in tracers]
  split = _split_scan(params, unknowns)
  carry_uk = split["carry_uk"]
  consts, init, xs = common.split_list(tracers, [num_consts, num_carry])
  const_uk, _, xs_uk = common.split_list(unknowns, [num_consts, num_carry])
  known_params, staged_params = _known_and_staged_params(params, split, unknowns)
  kval = trace.known_value
  known_consts = [kval(t) for t, u in zip(consts, const_uk) if not u]
  known_init = [kval(t) for t, u in zip(init, carry_uk) if not u]
  known_xs = [kval(t) for t, u in zip(xs, xs_uk) if not u]
  inv = split["inv_jaxpr"]
  inv_res = core.eval_jaxpr(inv.jaxpr, inv.consts, *known_consts)
  known_outs = scan_p.bind(*known_consts, *known_init, *known_xs, **known_params)
  n_kcar, n_ky = carry_uk.count(False), split["ys_uk"].count(False)
  k_carry, k_ys, stacked_res = common.split_list(known_outs, [n_kcar, n_ky])
  known_xs_tracers = [t for t, u in zip(xs, xs_uk) if not u]
  var_res = _variant_residuals(split, [trace.pure(r) for r in stacked_res], known_xs_tracers)
  staged_in = ([trace.pure(r) for r in inv_res] + [t for t, u in zip(consts, const_uk) if u]
               + [t for t, u in zip(init, carry_uk) if u] + var_res
               + [t for t, u in zip(xs, xs_uk) if u])
  staged_outs = trace.stage(scan_p, staged_in, staged_params)
  s_carry, s_ys = common.split_list(staged_outs, [carry_uk.count(True)])
  return (_merge(carry_uk, k_carry, s_carry) + _merge(split["ys_uk"], k_ys, s_ys))


def _merge(unknowns, known, staged):
  known, staged = iter(known), iter(staged)
  return [next(staged) if u else next(known) for u in unknowns]


def _scan_partial_eval_custom(eqn, unknowns, saveable):
  params = eqn.params
  num_consts, num_carry = params["num_consts"], params["num_carry"]
  split = _split_scan(params, unknowns, saveable, hoist=False)
  carry_uk, ys_uk = split["carry_uk"], split["ys_uk"]
  known_params, staged_params = _known_and_staged_params(params, split, unknowns)
  consts, init, xs = common.split_list(eqn.invars, [num_consts, num_carry])
  const_uk, _, xs_uk = common.split_list(list(unknowns), [num_consts, num_carry])
  carry_out, ys_out = common.split_list(eqn.outvars, [num_carry])
  known_consts = [a for a, u in zip(consts, const_uk) if not u]
  # Invariant residuals here are known constants: read the outer variables.
  outer_of = dict(zip(split["known_const_vars"], known_consts))
  inv_res = [outer_of[v] for v, inv in zip(split["res_vars"], split["invariant"]) if inv]
  length = params["length"]
  res_avals = [a for a, inv in zip(split["res_avals"], split["invariant"]) if not inv]
  stacked = [core.Var(a.update(shape=(length,) + a.shape))
             for a, f in zip(res_avals, split["forwarded"]) if f is None]
  var_res = _variant_residuals(split, stacked, [a for a, u in zip(xs, xs_uk) if not u])
  eqn_known = core.JaxprEqn(
      known_consts + [a for a, u in zip(init, carry_uk) if not u]
      + [a for a, u in zip(xs, xs_uk) if not u], [v for v, u in zip(carry_out, carry_uk) if not u]
      + [v for v, u in zip(ys_out, ys_uk) if not u] + stacked,
      scan_p, known_params, eqn.effects)
  eqn_staged = core.JaxprEqn(
      inv_res + [a for a, u in zip(consts, const_uk) if u]
      + [a for a, u in zip(init, carry_uk) if u] + var_res
      + [a for a, u in zip(xs, xs_uk) if u], [v for v, u in zip(carry_out, carry_uk) if u] + [v for v, u in zip(ys_out, ys_uk) if u],
      scan_p,
      staged_params, eqn.effects)
  return eqn_known, eqn_staged, carry_uk + ys_uk, stacked


pe.partial_eval_rules[scan_p] = _scan_partial_eval
pe.partial_eval_jaxpr_custom_rules[scan_p] = _scan_partial_eval_custom


# --- transpose ----------------------------------------------------------------------------


def _scan_transpose(cts, *args, reverse, length, jaxpr, num_consts, num_carry,
                    unroll):
  from jaxlite import lax
  consts, init, xs = common.split_list(args, [num_consts, num_carry])
  const_lin = [ad.is_undefined_primal(x) for x in consts]
  xs_lin = [ad.is_undefined_primal(x) for x in xs]
  # Every carry is treated as linear; one that is not an undefined primal
  # (say, a zero tangent's initial value) simply gets no cotangent.
  lin = const_lin + [True] * num_carry + xs_lin
  if all(type(ct) is ad.Zero for ct in cts):
    return [ad.Zero(x.aval) if ad.is_undefined_primal(x) else None for x in args]
  ct_carry, ct_ys = common.split_list(
      [ad.instantiate_zeros(ct) for ct in cts], [num_carry])
  res_consts = [x for x, l in zip(consts, const_lin) if not l]
  res_xs = [x for x, l in zip(xs, xs_lin) if not l]
  lin_const_avals = [ad.tangent_aval(x.aval) for x, l in zip(consts, const_lin) if l]
  transposed = ad.transpose_jaxpr(jaxpr, lin)
  n_rc, n_lc, n_rx = len(res_consts), len(lin_const_avals), len(res_xs)

  def body_t(*a):
    rc, acc, ctc, rx, cty = common.split_list(a, [n_rc, n_lc, num_carry, n_rx])
    outs = core.eval_jaxpr(transposed.jaxpr, transposed.consts, *rc, *rx, *ctc, *cty)
    ct_lc, ct_c, ct_lx = common.split_list(outs, [n_lc, num_carry])
    return [ad.add_tangents(s, c) for s, c in zip(acc, ct_lc)] + ct_c + ct_lx

  def aval(x):
    return core.raise_to_shaped(core.get_aval(x))

  slice_aval = lambda a: a.update(shape=a.shape[1:])
  in_avals = ([aval(x) for x in res_consts] + lin_const_avals + [aval(c) for c in ct_carry]
              + [slice_aval(aval(x)) for x in res_xs] + [slice_aval(aval(c)) for c in ct_ys])
  body = common.memoize_on(jaxpr, ("transpose", tuple(lin), tuple(in_avals)),
                           lambda: common.trace_closed_no_consts(body_t, in_avals))
  acc0 = [common.zeros_like_aval(a) for a in lin_const_avals]
  t_args = res_consts + acc0 + ct_carry + res_xs + ct_ys
  outs = scan_p.bind(*t_args, reverse=not reverse, length=length, jaxpr=body,
                     num_consts=n_rc, num_carry=n_lc + num_carry, unroll=unroll)
  ct_consts, ct_init, ct_xs = common.split_list(outs, [n_lc, num_carry])
  ct_consts, ct_xs = iter(ct_consts), iter(ct_xs)
  return ([next(ct_consts) if l else None for l in const_lin]
          + [ct if ad.is_undefined_primal(x) else None for x, ct in zip(init, ct_init)]
          + [next(ct_xs) if l else None for l in xs_lin])


ad.primitive_transposes[scan_p] = _scan_transpose


# --- batching -------------------------------------------------------------------------------


def _scan_batch(axis_data, vals, dims, *, reverse, length, jaxpr, num_consts, num_carry,
                unroll):
  size = axis_data.size
  batched = [d is not batching.not_mapped for d in dims]
  const_b, init_b, xs_b = common.split_list(batched, [num_consts, num_carry])
  num_ys = len(jaxpr.out_avals) - num_carry
  carry_b = _fixed_point(
      lambda c: batching.batch_jaxpr(jaxpr, axis_data, const_b + c + xs_b,
                                     c + [False] * num_ys)[1][:num_carry],
      init_b, num_carry)
  body, out_b = batching.batch_jaxpr(jaxpr, axis_data, const_b + carry_b + xs_b,
                                     carry_b + [False] * num_ys)
  consts, init, xs = common.split_list(vals, [num_consts, num_carry])
  c_d, i_d, x_d = common.split_list(dims, [num_consts, num_carry])
  consts = [x if d is batching.not_mapped else batching.moveaxis(x, d, 0)
            for x, d in zip(consts, c_d)]
  init = [batching.bdim_at_front(x, d, size) if b else x
          for x, d, b in zip(init, i_d, carry_b)]
  # The scanned axis stays first; the batch axis goes second.
  xs = [x if d is batching.not_mapped else batching.moveaxis(x, d, 1)
        for x, d in zip(xs, x_d)]
  outs = scan_p.bind(*consts, *init, *xs, reverse=reverse, length=length, jaxpr=body,
                     num_consts=num_consts, num_carry=num_carry, unroll=unroll)
  out_dims = ([0 if b else batching.not_mapped for b in carry_b]
              + [1 if b else batching.not_mapped for b in out_b[num_carry:]])
  return outs, out_dims


batching.axis_primitive_batchers[scan_p] = _scan_batch
