"""Windowed reductions: ``reduce_window`` (generic and the sum/max/min
primitives) and ``select_and_gather_add``/``select_and_scatter_add`` (the
derivative of max/min pooling). Cumulative reductions are in ``cumulative.py``.
"""
from __future__ import annotations

__all__ = ['reduce_window', 'padtype_to_pads', 'reduce_window_p', 'reduce_window_sum_p',
           'reduce_window_max_p', 'reduce_window_min_p', 'select_and_gather_add_p', 'select_and_scatter_add_p']

from typing import Callable, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.lax.reductions import _max_identity, _min_identity


def _lax():
  from jaxlite import lax
  return lax


# --- padding and window shapes ------------------------------------------------------------


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
  """Explicit ``(low, high)`` pads for ``'VALID'``, ``'SAME'`` or ``'SAME_LOWER'``.

  >>> from jaxlite import lax
  >>> lax.padtype_to_pads((5,), (3,), (1,), 'SAME')
  [(1, 1)]
  """
  if not isinstance(padding, str):
    return [tuple(int(p) for p in pair) for pair in padding]
  kind = padding.upper()
  if kind == "VALID":
    return [(0, 0)] * len(in_shape)
  if kind not in ("SAME", "SAME_LOWER"):
    raise RuntimeError("Unrecognized padding type: expected 'VALID', 'SAME', or "
                       f"'SAME_LOWER', got {padding}.")
  pads = []
  for n, w, s in zip(in_shape, window_shape, window_strides):
    out = -(-n // s)
    total = max(0, (out - 1) * s + w - n)
    small, big = total // 2, total - total // 2
    pads.append((small, big) if kind == "SAME" else (big, small))
  return pads


def dilate_shape(shape, dilation):
  return tuple(0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation))


def reduce_window_shape(name, shape, window_dimensions, window_strides, padding,
                        base_dilation, window_dilation):
  n = len(shape)
  if len(window_dimensions) != n:
    raise TypeError(f"{name} got the wrong number of window_dimensions for operand: got "
                    f"operand shape {tuple(shape)} with window_dimensions "
                    f"{tuple(window_dimensions)}.")
  for what, val in (("window_strides", window_strides), ("padding", padding),
                    ("base_dilation", base_dilation), ("window_dilation", window_dilation)):
    if len(val) != n:
      raise TypeError(f"{name} got inconsistent {what} and window_dimensions: got "
                      f"{what} {tuple(val)} and window_dimensions "
                      f"{tuple(window_dimensions)}.")
  for what, val in (("window_dimensions", window_dimensions),
                    ("window_strides", window_strides), ("base_dilation", base_dilation),
                    ("window_dilation", window_dilation)):
    if any(v < 1 for v in val):
      raise TypeError(f"{name} {what} must be positive, got {tuple(val)}.")
  padded = [d + lo + hi for d, (lo, hi) in zip(dilate_shape(shape, base_dilation), padding)]
  windows = dilate_shape(window_dimensions, window_dilation)
  return tuple(0 if p < w else (p - w) // s + 1
               for p, w, s in zip(padded, windows, window_strides))


def build_reduce_window(out_types, operands, inits, window_dimensions, window_strides,
                        padding, base_dilation, window_dilation, body: Callable):
  """A ``stablehlo.reduce_window`` whose body is ``body(*accs, *elems) -> values``."""
  hlo, ir = mlir.hlo(), mlir.ir()
  pads = np.asarray(padding, np.int64).reshape(len(window_dimensions), 2)
  op = hlo.ReduceWindowOp(out_types, list(operands), list(inits),
                          mlir.dense_int_array(window_dimensions),
                          window_strides=mlir.dense_int_array(window_strides),
                          base_dilations=mlir.dense_int_array(base_dilation),
                          window_dilations=mlir.dense_int_array(window_dilation),
                          padding=ir.DenseIntElementsAttr.get(pads))
  scalar_types = [ir.RankedTensorType.get((), ir.RankedTensorType(v.type).element_type)
                  for v in inits]
  block = op.regions[0].blocks.append(*scalar_types, *scalar_types)
  with ir.InsertionPoint(block):
    hlo.ReturnOp(list(body(*block.arguments)))
  return list(op.results)


_WINDOW_PARAMS = ("window_dimensions", "window_strides", "padding", "base_dilation",
                  "window_dilation")


def _batch_window_params(params):
  """Window parameters with a leading trivial window axis for a batch dimension."""
  return dict(window_dimensions=(1,) + params["window_dimensions"],
              window_strides=(1,) + params["window_strides"],
              padding=((0, 0),) + params["padding"],
              base_dilation=(1,) + params["base_dilation"],
              window_dilation=(1,) + params["window_dilation"])


# --- reduce_window_{sum,max,min} ---------------------------------------------------------------


def _monoid_window_primitive(name, op_name, identity, dtype_accepted):
  def shape_rule(operand, **params):
    return reduce_window_shape("reduce_window", operand.shape,
                               *(params[k] for k in _WINDOW_PARAMS))

  def dtype_rule(operand, **params):
    base.check_dtypes(name, dtype_accepted, operand)
    return operand.dtype

  prim = base.standard_primitive(shape_rule, dtype_rule, name)

  def lowering(ctx, x, **params):
    aval_in = ctx.avals_in[0]
    init = mlir.ir_constant(np.asarray(identity(aval_in.dtype), aval_in.dtype))
    op = getattr(mlir.hlo(), op_name)
    return build_reduce_window([mlir.aval_to_ir_type(ctx.avals_out[0])], [x], [init],
                               *(params[k] for k in _WINDOW_PARAMS),
                               body=lambda a, b: [op(a, b)])

  mlir.register_lowering(prim, lowering)

  def batch_rule(batched_args, batch_dims, **params):
    (x,), (d,) = batched_args, batch_dims
    x = batching.moveaxis(x, d, 0)
    return prim.bind(x, **_batch_window_params(params)), 0

  batching.primitive_batchers[prim] = batch_rule
  return prim


reduce_window_sum_p = _monoid_window_primitive(
    "reduce_window_sum", "add", lambda dt: 0, {"integer", "inexact"})
reduce_window_max_p = _monoid_window_primitive(
    "reduce_window_max", "maximum", _max_identity, {"bool", "integer", "inexact"})
reduce_window_min_p = _monoid_window_primitive(
    "reduce_window_min", "minimum", _min_identity, {"bool", "integer", "inexact"})


def _reduce_window_sum_transpose(ct, operand, *, window_dimensions, window_strides,
                                 padding, base_dilation, window_dilation):
  # Each output sums a window of the (dilated, padded) input, so the cotangent
  # of an input element is the sum of the output cotangents whose windows
  # cover it: dilate ct by the strides, pad it so every input position sees a
  # full window, and sum windows again (strided by the base dilation).
  lax = _lax()
  in_shape = operand.aval.shape
  ct_shape = core.get_aval(ct).shape
  windows = dilate_shape(window_dimensions, window_dilation)
  dilated_in = dilate_shape(in_shape, base_dilation)
  dilated_ct = dilate_shape(ct_shape, window_strides)
  pad_config = []
  for w, (lo, _), n_in, n_ct, s in zip(windows, padding, dilated_in, dilated_ct,
                                       window_strides):
    before = w - 1 - lo
    after = n_in + w - 1 - n_ct - before
    pad_config.append((before, after, s - 1))
  padded = lax.pad(ct, lax.full((), 0, core.get_aval(ct).dtype), pad_config)
  ones = (1,) * len(in_shape)
  return [reduce_window_sum_p.bind(
      padded, window_dimensions=window_dimensions, window_strides=base_dilation,
      padding=((0, 0),) * len(in_shape), base_dilation=ones,
      window_dilation=window_dilation)]


ad.deflinear2(reduce_window_sum_p, _reduce_window_sum_transpose)


def _reduce_window_chooser_jvp(prim, select):
  def rule(primals, tangents, **params):
    (x,), (t,) = primals, tangents
    ans = prim.bind(x, **params)
    if type(t) is ad.Zero:
      return ans, ad.Zero(ad.tangent_aval(core.get_aval(ans)))
    return ans, select_and_gather_add_p.bind(ad.instantiate_zeros(t), x,
                                             select_prim=select, **params)
  return rule


ad.primitive_jvps[reduce_window_max_p] = _reduce_window_chooser_jvp(reduce_window_max_p, "ge")
ad.primitive_jvps[reduce_window_min_p] = _reduce_window_chooser_jvp(reduce_window_min_p, "le")

# --- select_and_gather_add / select_and_scatter_add -------------------------------------------------
# select_and_gather_add(t, x) picks, in every window, the tangent at the position
# that max (select_prim 'ge') or min ('le') pooling of x selects. It is linear in
# t; its transpose scatters cotangents back to those positions.


def _sgadd_shape_rule(tangent, operand, *, select_prim, **params):
  if tangent.shape != operand.shape:
    raise TypeError("select_and_gather_add tangent and operand shapes must match, got "
                    f"{tangent.shape} and {operand.shape}.")
  return reduce_window_shape("select_and_gather_add", operand.shape,
                             *(params[k] for k in _WINDOW_PARAMS))


select_and_gather_add_p = base.standard_primitive(
    _sgadd_shape_rule, lambda tangent, operand, **_: tangent.dtype, "select_and_gather_add")


def _sgadd_lowering(ctx, t, x, *, select_prim, **params):
  hlo = mlir.hlo()
  t_aval, x_aval = ctx.avals_in
  aval_out = ctx.avals_out[0]
  identity = _max_identity if select_prim == "ge" else _min_identity
  init_x = mlir.ir_constant(np.asarray(identity(x_aval.dtype), x_aval.dtype))
  init_t = mlir.ir_constant(np.asarray(0, t_aval.dtype))
  direction = "GE" if select_prim == "ge" else "LE"

  def body(acc_x, acc_t, x_v, x_t):
    keep = mlir.compare(acc_x, x_v, direction)
    return [hlo.select(keep, acc_x, x_v), hlo.select(keep, acc_t, x_t)]

  out_types = [mlir.aval_to_ir_type(aval_out.update(dtype=x_aval.dtype)),
               mlir.aval_to_ir_type(aval_out)]
  return build_reduce_window(out_types, [x, t], [init_x, init_t],
                             *(params[k] for k in _WINDOW_PARAMS), body=body)[1]


mlir.register_lowering(select_and_gather_add_p, _sgadd_lowering)


def _sgadd_jvp(primals, tangents, *, select_prim, **params):
  (t, x), (tt, _) = primals, tangents
  ans = select_and_gather_add_p.bind(t, x, select_prim=select_prim, **params)
  if type(tt) is ad.Zero:
    return ans, ad.Zero(ad.tangent_aval(core.get_aval(ans)))
  return ans, select_and_gather_add_p.bind(tt, x, select_prim=select_prim, **params)


def _sgadd_transpose(ct, t, x, *, select_prim, window_dimensions, window_strides, padding,
                     base_dilation, window_dilation):
  if type(ct) is ad.Zero:
    return [ad.Zero(t.aval), None]
  if any(d != 1 for d in base_dilation) or any(d != 1 for d in window_dilation):
    raise NotImplementedError("transpose of select_and_gather_add (the derivative of "
                              "max/min pooling) with base or window dilation")
  return [select_and_scatter_add_p.bind(
      ct, x, select_prim=select_prim, window_dimensions=window_dimensions,
      window_strides=window_strides, padding=padding), None]


ad.primitive_jvps[select_and_gather_add_p] = _sgadd_jvp
ad.primitive_transposes[select_and_gather_add_p] = _sgadd_transpose


def _sgadd_batch(batched_args, batch_dims, *, select_prim, **params):
  size = batching.batch_size(batched_args, batch_dims)
  t, x = [batching.bdim_at_front(a, d, size) for a, d in zip(batched_args, batch_dims)]
  return select_and_gather_add_p.bind(t, x, select_prim=select_prim,
                                      **_batch_window_params(params)), 0


batching.primitive_batchers[select_and_gather_add_p] = _sgadd_batch


def _ssadd_shape_rule(source, operand, *, select_prim, window_dimensions, window_strides,
                      padding):
  n = len(operand.shape)
  expected = reduce_window_shape("select_and_scatter_add", operand.shape,
                                 window_dimensions, window_strides, padding,
                                 (1,) * n, (1,) * n)
  if source.shape != expected:
    raise TypeError("select_and_scatter_add source shape must be the pooled shape "
                    f"{expected}, got {source.shape}.")
  return operand.shape


select_and_scatter_add_p = base.standard_primitive(
    _ssadd_shape_rule, lambda source, operand, **_: source.dtype, "select_and_scatter_add")


def _ssadd_lowering(ctx, source, x, *, select_prim, window_dimensions, window_strides,
                    padding):
  hlo, ir = mlir.hlo(), mlir.ir()
  s_aval, x_aval = ctx.avals_in
  init = mlir.ir_constant(np.asarray(0, s_aval.dtype))
  pads = np.asarray(padding, np.int64).reshape(len(window_dimensions), 2)
  op = hlo.SelectAndScatterOp(mlir.aval_to_ir_type(ctx.avals_out[0]), x, source, init,
                              window_dimensions=mlir.dense_int_array(window_dimensions),
                              window_strides=mlir.dense_int_array(window_strides),
                              padding=ir.DenseIntElementsAttr.get(pads))
  x_scalar = ir.RankedTensorType.get((), mlir.dtype_to_ir_type(x_aval.dtype))
  s_scalar = ir.RankedTensorType.get((), mlir.dtype_to_ir_type(s_aval.dtype))
  select_block = op.select.blocks.append(x_scalar, x_scalar)
  with ir.InsertionPoint(select_block):
    a, b = select_block.arguments
    hlo.ReturnOp([mlir.compare(a, b, "GE" if select_prim == "ge" else "LE")])
  scatter_block = op.scatter.blocks.append(s_scalar, s_scalar)
  with ir.InsertionPoint(scatter_block):
    a, b = scatter_block.arguments
    hlo.ReturnOp([hlo.add(a, b)])
  return op.result


mlir.register_lowering(select_and_scatter_add_p, _ssadd_lowering)


def _ssadd_transpose(ct, source, x, *, select_prim, window_dimensions, window_strides,
                     padding):
  if type(ct) is ad.Zero:
    return [ad.Zero(source.aval), None]
  n = len(window_dimensions)
  return [select_and_gather_add_p.bind(
      ct, x, select_prim=select_prim, window_dimensions=window_dimensions,
      window_strides=window_strides, padding=padding, base_dilation=(1,) * n,
      window_dilation=(1,) * n), None]


def _ssadd_jvp(primals, tangents, **params):
  (s, x), (ts, _) = primals, tangents
  ans = select_and_scatter_add_p.bind(s, x, **params)
  if type(ts) is ad.Zero:
    return ans, ad.Zero(ad.tangent_aval(core.get_aval(ans)))
  return ans, select_and_scatter_add_p.bind(ts, x, **params)


ad.primitive_jvps[select_and_scatter_add_p] = _ssadd_jvp
ad.primitive_transposes[select_and_scatter_add_p] = _ssadd_transpose


def _ssadd_batch(batched_args, batch_dims, *, select_prim, window_dimensions,
                 window_strides, padding):
  size = batching.batch_size(batched_args, batch_dims)
  s, x = [batching.bdim_at_front(a, d, size) for a, d in zip(batched_args, batch_dims)]
  return select_and_scatter_add_p.bind(
      s, x, select_prim=select_prim, window_dimensions=(1,) + window_dimensions,
      window_strides=(1,) + window_strides, padding=((0, 0),) + padding), 0


batching.primitive_batchers[select_and_scatter_add_p] = _ssadd_batch

# --- generic reduce_window -------------------------------------------------------------------------


def _reduce_window_abstract_eval(*avals, jaxpr, consts=(), **params):
  n = len(avals) // 2
  operands, inits = avals[:n], avals[n:]
  if len({a.shape for a in operands}) != 1:
    raise TypeError("reduce_window operands must have the same shape, got "
                    f"{[a.shape for a in operands]}")
  for op, init in zip(operands, inits):
    if init.shape != ():
      raise TypeError(f"reduce_window init_values must be scalars, got {init.shape}")
    if op.dtype != init.dtype:
      raise TypeError("reduce_window operand dtypes should match corresponding initial "
                      f"value dtypes, got {op.dtype} and {init.dtype}")
  shape = reduce_window_shape("reduce_window", operands[0].shape,
                              *(params[k] for k in _WINDOW_PARAMS))
  return [ShapedArray(shape, a.dtype) for a in operands]


reduce_window_p = core.Primitive("reduce_window")
reduce_window_p.multiple_results = True
reduce_window_p.def_abstract_eval(_reduce_window_abstract_eval)


def _reduce_window_lowering(ctx, *args, jaxpr, **params):
  n = len(args) // 2
  out_types = [mlir.aval_to_ir_type(a) for a in ctx.avals_out]

  def body(*scalars):
    return mlir.jaxpr_subcomp(ctx.module_context, jaxpr.jaxpr, jaxpr.consts, *scalars)

  return build_reduce_window(out_types, args[:n], args[n:],
                             *(params[k] for k in _WINDOW_PARAMS), body=body)


mlir.register_lowering(reduce_window_p, _reduce_window_lowering)


def _reduce_window_batch(batched_args, batch_dims, *, jaxpr, **params):
  n = len(batched_args) // 2
  if any(d is not None for d in batch_dims[n:]):
    raise NotImplementedError("reduce_window with batched init_values under vmap")
  size = batching.batch_size(batched_args, batch_dims)
  operands = [batching.bdim_at_front(x, d, size)
              for x, d in zip(batched_args[:n], batch_dims[:n])]
  outs = reduce_window_p.bind(*operands, *batched_args[n:], jaxpr=jaxpr,
                              **_batch_window_params(params))
  return outs, [0] * n


batching.primitive_batchers[reduce_window_p] = _reduce_window_batch


def reduce_window(operand, init_value, computation: Callable,
                  window_dimensions: Sequence[int], window_strides: Sequence[int] | None = None,
                  padding="VALID", base_dilation: Sequence[int] | None = None,
                  window_dilation: Sequence[int] | None = None):
  """Reduces every window of ``operand`` with ``computation``.

  ``operand``/``init_value`` may be matching pytrees. ``padding`` is a sequence
  of ``(low, high)`` pairs or ``'VALID'``/``'SAME'``/``'SAME_LOWER'``.
  ``lax.add``/``lax.max``/``lax.min`` with their identities use the dedicated
  primitives (with derivatives).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_window(np.arange(4.), 0., lax.add, (2,), (1,), 'VALID')
  Array([1., 3., 5.], dtype=float32)
  """
  from jaxlite import tree_util
  from jaxlite.interpreters import partial_eval as pe
  flat_ops, tree = tree_util.tree_flatten(operand)
  flat_inits, init_tree = tree_util.tree_flatten(init_value)
  if tree != init_tree:
    raise ValueError("Operands must have the same tree structure as init_values: "
                     f"{tree} vs. {init_tree}")
  shape = core.get_aval(flat_ops[0]).shape
  n = len(shape)
  window_dimensions = tuple(int(w) for w in window_dimensions)
  window_strides = (1,) * n if window_strides is None else tuple(int(s) for s in window_strides)
  base_dilation = (1,) * n if base_dilation is None else tuple(int(d) for d in base_dilation)
  window_dilation = (1,) * n if window_dilation is None else \
      tuple(int(d) for d in window_dilation)
  if isinstance(padding, str):
    padding = padtype_to_pads(dilate_shape(shape, base_dilation),
                              dilate_shape(window_dimensions, window_dilation),
                              window_strides, padding)
  params = dict(window_dimensions=window_dimensions, window_strides=window_strides,
                padding=tuple(tuple(int(p) for p in pair) for pair in padding),
                base_dilation=base_dilation, window_dilation=window_dilation)
  prim = _monoid_window_reducer(computation, flat_inits)
  if prim is not None:
    return tree_util.tree_unflatten(tree, [prim.bind(flat_ops[0], **params)])
  flat_inits = [x if isinstance(x, core.Tracer) or hasattr(x, "aval")
                else np.asarray(x, core.get_aval(o).dtype)
                for x, o in zip(flat_inits, flat_ops)]
  init_avals = [ShapedArray((), core.get_aval(i).dtype) for i in flat_inits]

  def flat_computation(*scalars):
    k = len(scalars) // 2
    out = computation(tree_util.tree_unflatten(tree, scalars[:k]),
                      tree_util.tree_unflatten(tree, scalars[k:]))
    return tree_util.tree_leaves(out)

  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_computation, init_avals + init_avals)
  if any(isinstance(c, core.Tracer) for c in consts):
    raise TypeError("reduce_window computation can't close over traced values")
  outs = reduce_window_p.bind(*flat_ops, *flat_inits, jaxpr=core.ClosedJaxpr(jaxpr, consts),
                              **params)
  return tree_util.tree_unflatten(tree, outs)


def _monoid_window_reducer(computation, init_values):
  if len(init_values) != 1:
    return None
  init, = init_values
  if isinstance(init, core.Tracer) or np.ndim(init) != 0:
    return None
  lax = _lax()
  dtype = dtypes.dtype(init)
  val = np.asarray(init)
  table = [("add", reduce_window_sum_p, 0), ("max", reduce_window_max_p, _max_identity(dtype)),
           ("min", reduce_window_min_p, _min_identity(dtype))]
  for name, prim, identity in table:
    fn = getattr(lax, name, None)
    if fn is not None and computation is fn and np.equal(val, identity) and \
        not (prim is reduce_window_sum_p and dtype == np.bool_):
      return prim
  return None

