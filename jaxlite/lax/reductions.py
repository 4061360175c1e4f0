"""Reductions over axes: sums, products, extrema, logical reductions,
arg-reductions and the generic ``lax.reduce`` with a traced computation.

Cumulative and windowed reductions live in ``windowed.py``.
"""
from __future__ import annotations

__all__ = ['reduce_sum', 'reduce_max', 'reduce_min', 'reduce_prod', 'reduce_and',
           'reduce_or', 'reduce_xor', 'argmax', 'argmin', 'reduce',
           'reduce_sum_p', 'reduce_max_p', 'reduce_min_p', 'reduce_prod_p',
           'reduce_and_p', 'reduce_or_p', 'reduce_xor_p', 'argmax_p', 'argmin_p',
           'reduce_p']

from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.lax.base import standard_primitive


def _lax():
  # Rules use primitives of sibling families; import at call time (no cycles).
  from jaxlite import lax
  return lax


# --- shape and dtype rules ---------------------------------------------------------------


def _reduce_shape_rule(operand, *, axes, **_):
  if any(not 0 <= a < operand.ndim for a in axes):
    raise ValueError(f"reduction axes {axes} contains out-of-bounds indices for "
                     f"{operand.str_short(short_dtypes=False)}.")
  if len(set(axes)) != len(axes):
    raise ValueError(f"duplicate value in 'axes' of reduction: {axes}")
  return tuple(d for i, d in enumerate(operand.shape) if i not in axes)


def _number_dtype_rule(name):
  def rule(operand, **_):
    base.check_dtypes(name, {"integer", "inexact"}, operand)
    return operand.dtype
  return rule


def _number_dtype_error(name):
  # JAX's wording for sums and products: "subtypes of number".
  def rule(operand, **_):
    if operand.dtype == np.bool_ or not base._dtype_kinds(operand.dtype):
      raise TypeError(f"{name} does not accept dtype {np.dtype(operand.dtype).name}. "
                      "Accepted dtypes are subtypes of number.")
    return operand.dtype
  return rule


def _any_dtype_rule(operand, **_):
  return operand.dtype


def _logical_dtype_rule(operand, **_):
  if operand.dtype != np.bool_ and not dtypes.issubdtype(operand.dtype, np.integer):
    raise TypeError("logical reduction requires operand dtype bool or int, got "
                    f"{np.dtype(operand.dtype).name}.")
  return operand.dtype


# --- identities ------------------------------------------------------------------------------


def _max_identity(dtype):
  dtype = np.dtype(dtype)
  if dtype == np.bool_:
    return False
  if dtypes.issubdtype(dtype, np.integer):
    return dtypes.iinfo(dtype).min
  return -np.inf if dtypes.supports_inf(dtype) else dtypes.finfo(dtype).min


def _min_identity(dtype):
  dtype = np.dtype(dtype)
  if dtype == np.bool_:
    return True
  if dtypes.issubdtype(dtype, np.integer):
    return dtypes.iinfo(dtype).max
  return np.inf if dtypes.supports_inf(dtype) else dtypes.finfo(dtype).max


def _and_identity(dtype):
  dtype = np.dtype(dtype)
  if dtype == np.bool_:
    return True
  return dtypes.iinfo(dtype).max if dtypes.issubdtype(dtype, np.unsignedinteger) else -1


_identities = {
    "reduce_sum": lambda dt: 0, "reduce_prod": lambda dt: 1,
    "reduce_max": _max_identity, "reduce_min": _min_identity,
    "reduce_and": _and_identity, "reduce_or": lambda dt: 0, "reduce_xor": lambda dt: 0,
}


# --- lowering helpers --------------------------------------------------------------------------


def build_reduce(out_types, operands, inits, axes, body: Callable):
  """A ``stablehlo.reduce`` whose body is ``body(*accumulators, *elements) -> values``
  (all scalar ir.Values); returns the op's results."""
  hlo, ir = mlir.hlo(), mlir.ir()
  op = hlo.ReduceOp(out_types, list(operands), list(inits), mlir.dense_int_array(axes))
  scalar_types = [ir.RankedTensorType.get((), ir.RankedTensorType(v.type).element_type)
                  for v in inits]
  block = op.regions[0].blocks.append(*scalar_types, *scalar_types)
  with ir.InsertionPoint(block):
    hlo.ReturnOp(list(body(*block.arguments)))
  return list(op.results)


def _monoid_lowering(op_name, identity):
  """Lowers a monoid reduction to ``stablehlo.reduce`` with a one-op body."""
  def rule(ctx, x, *, axes, **_):   # reduce_sum's out_sharding=None is the default
    aval_in, aval_out = ctx.avals_in[0], ctx.avals_out[0]
    init = mlir.ir_constant(np.asarray(identity(aval_in.dtype), aval_in.dtype))
    op = getattr(mlir.hlo(), op_name)
    if op_name in ("maximum", "minimum") and dtypes.issubdtype(aval_in.dtype,
                                                               np.complexfloating):
      op = _complex_chooser("GT" if op_name == "maximum" else "LT")
    return build_reduce([mlir.aval_to_ir_type(aval_out)], [x], [init], axes,
                        lambda a, b: [op(a, b)])
  return rule


def _complex_chooser(direction):
  # As lax.max/min and JAX: complex numbers are ordered lexicographically (real
  # parts, then imaginary); XLA's own complex maximum is not that order.
  def choose(x, y):
    hlo = mlir.hlo()
    rx, ry, ix, iy = hlo.real(x), hlo.real(y), hlo.imag(x), hlo.imag(y)
    pick_x = hlo.or_(mlir.compare(rx, ry, direction),
                     hlo.and_(mlir.compare(rx, ry, "EQ"), mlir.compare(ix, iy, direction)))
    return hlo.select(pick_x, x, y)
  return choose


def _reduce_batch(prim):
  def rule(batched_args, batch_dims, *, axes, **params):
    (x,), (d,) = batched_args, batch_dims
    new_axes = tuple(a + (a >= d) for a in axes)
    ndim = core.get_aval(x).ndim
    for a in new_axes:   # JAX's batcher fails here first, in NumPy's np.delete
      if a >= ndim:
        raise IndexError(f"index {a} is out of bounds for axis 0 with size {ndim}")
    out_d = d - sum(a < d for a in axes)
    return prim.bind(x, axes=new_axes, **params), out_d
  return rule


def _monoid_primitive(name, dtype_rule, op_name):
  prim = standard_primitive(_reduce_shape_rule, dtype_rule, name)
  mlir.register_lowering(prim, _monoid_lowering(op_name, _identities[name]))
  batching.primitive_batchers[prim] = _reduce_batch(prim)
  return prim


def _kept_dims(shape, axes):
  return [i for i in range(len(shape)) if i not in axes]


def _broadcast_back(x, shape, axes):
  """Broadcasts a reduced value back over the reduced ``axes`` of ``shape``."""
  from jaxlite.lax import structural
  return structural.broadcast_in_dim(x, shape, _kept_dims(shape, axes))


# --- reduce_sum ------------------------------------------------------------------------------

# As in JAX 0.10.2, reduce_sum carries ``out_sharding`` (None: the result's
# sharding is inferred); the other reductions have only ``axes``.
reduce_sum_p = _monoid_primitive("reduce_sum", _number_dtype_error("reduce_sum"), "add")


def _reduce_sum_transpose(ct, operand, *, axes, out_sharding=None):
  return [_broadcast_back(ct, operand.aval.shape, axes)]


ad.deflinear2(reduce_sum_p, _reduce_sum_transpose)

# --- reduce_prod -----------------------------------------------------------------------------

reduce_prod_p = _monoid_primitive("reduce_prod", _number_dtype_error("reduce_prod"),
                                  "multiply")


def _reduce_prod_jvp(primals, tangents, *, axes):
  # JAX's formulation (same roundings, same inf/zero/NaN behaviour): move the
  # reduced axes to the front, flatten them, and multiply halves pairwise (an
  # odd half padded with 1) until one row is left, carrying the product rule
  # d(a*b) = da*b + a*db along.
  from jaxlite.lax.add_any import add_any
  lax = _lax()
  (x,), (t,) = primals, tangents
  if type(t) is ad.Zero:
    ans = reduce_prod_p.bind(x, axes=axes)
    return ans, ad.Zero(ad.tangent_aval(core.get_aval(ans)))
  shape = core.get_aval(x).shape
  rest = tuple(i for i in range(len(shape)) if i not in axes)
  rows = (int(np.prod([shape[a] for a in axes], dtype=np.int64)),) + tuple(shape[i] for i in rest)
  x, t = (lax.reshape(lax.transpose(v, tuple(axes) + rest), rows) for v in (x, t))
  if rows[0] == 0:
    return lax.full(rows[1:], 1, x.dtype), lax.full(rows[1:], 0, t.dtype)
  while x.shape[0] > 1:
    n1 = (x.shape[0] + 1) // 2
    x1, t1 = lax.slice_in_dim(x, 0, n1), lax.slice_in_dim(t, 0, n1)
    x2, t2 = lax.slice_in_dim(x, n1, None), lax.slice_in_dim(t, n1, None)
    if x2.shape[0] != n1:
      pads = [(0, 1, 0)] + [(0, 0, 0)] * len(rest)
      x2 = lax.pad(x2, lax.full((), 1, x.dtype), pads)
      t2 = lax.pad(t2, lax.full((), 0, t.dtype), pads)
    x, t = lax.mul(x1, x2), add_any(lax.mul(t1, x2), lax.mul(x1, t2))
  return lax.squeeze(x, (0,)), lax.squeeze(t, (0,))


ad.primitive_jvps[reduce_prod_p] = _reduce_prod_jvp

# --- reduce_max / reduce_min -----------------------------------------------------------------

reduce_max_p = _monoid_primitive("reduce_max", _any_dtype_rule, "maximum")
reduce_min_p = _monoid_primitive("reduce_min", _any_dtype_rule, "minimum")


def _reduce_chooser_jvp(prim):
  # The tangent is the mean of the tangents at the positions attaining the
  # extremum (ties share it equally), as JAX's.
  def rule(primals, tangents, *, axes):
    lax = _lax()
    (x,), (t,) = primals, tangents
    ans = prim.bind(x, axes=axes)
    if type(t) is ad.Zero:
      return ans, ad.Zero(ad.tangent_aval(core.get_aval(ans)))
    aval = core.get_aval(x)
    location = lax.convert_element_type(
        lax.eq(x, _broadcast_back(ans, aval.shape, axes)), aval.dtype)
    counts = reduce_sum_p.bind(location, axes=axes, out_sharding=None)
    return ans, lax.div(reduce_sum_p.bind(lax.mul(t, location), axes=axes,
                                          out_sharding=None), counts)
  return rule


ad.primitive_jvps[reduce_max_p] = _reduce_chooser_jvp(reduce_max_p)
ad.primitive_jvps[reduce_min_p] = _reduce_chooser_jvp(reduce_min_p)

# --- logical reductions -------------------------------------------------------------------------

reduce_and_p = _monoid_primitive("reduce_and", _logical_dtype_rule, "and_")
reduce_or_p = _monoid_primitive("reduce_or", _logical_dtype_rule, "or_")
reduce_xor_p = _monoid_primitive("reduce_xor", _logical_dtype_rule, "xor")
for _p in (reduce_and_p, reduce_or_p, reduce_xor_p):
  ad.defjvp_zero(_p)

# --- argmax / argmin ---------------------------------------------------------------------------------


def _argminmax_shape_rule(operand, *, axes, index_dtype):
  axis, = axes
  if not 0 <= axis < operand.ndim:
    raise ValueError(f"Invalid axis {axis} for operand shape {operand.shape}")
  if operand.shape[axis] < 1:
    raise ValueError("argmin and argmax require non-empty reduced dimension. "
                     f"operand.shape={operand.shape} axis={axis}")
  return tuple(d for i, d in enumerate(operand.shape) if i != axis)


def _argminmax_dtype_rule(operand, *, axes, index_dtype):
  if not dtypes.issubdtype(index_dtype, np.integer):
    raise TypeError("index_dtype must be an integer type, but got "
                    f"{np.dtype(index_dtype).name}")
  return np.dtype(index_dtype)


def _argminmax_lowering(direction):
  # A variadic reduce over (value, index) pairs. The body is commutative and
  # associative: NaN beats every number, then the better value wins, and ties
  # (NaN with NaN included) go to the smaller index, so the first occurrence
  # is returned whatever order XLA combines in.
  def rule(ctx, x, *, axes, index_dtype):
    hlo = mlir.hlo()
    aval_in, aval_out = ctx.avals_in[0], ctx.avals_out[0]
    if dtypes.issubdtype(aval_in.dtype, np.complexfloating):
      # Complex numbers have no order: JAX's lowering fails in its comparator.
      raise TypeError(f"{direction.lower()} does not accept dtype "
                      f"{np.dtype(aval_in.dtype).name} at position 0. Accepted dtypes "
                      "at position 0 are subtypes of integer, floating, bool.")
    axis, = axes
    idx_aval = aval_in.update(dtype=np.dtype(index_dtype))
    iota = mlir.iota(idx_aval, axis)
    identity = _max_identity if direction == "GT" else _min_identity
    init_v = mlir.ir_constant(np.asarray(identity(aval_in.dtype), aval_in.dtype))
    init_i = mlir.ir_constant(np.asarray(0, index_dtype))
    is_float = dtypes.issubdtype(aval_in.dtype, np.inexact)

    def body(acc_v, acc_i, x_v, x_i):
      better = mlir.compare(x_v, acc_v, direction)
      tie = mlir.compare(x_v, acc_v, "EQ")
      if is_float:
        x_nan, acc_nan = mlir.compare(x_v, x_v, "NE"), mlir.compare(acc_v, acc_v, "NE")
        better = hlo.or_(hlo.and_(x_nan, hlo.not_(acc_nan)), better)
        tie = hlo.or_(tie, hlo.and_(x_nan, acc_nan))
      pick_x = hlo.or_(better, hlo.and_(tie, mlir.compare(x_i, acc_i, "LT")))
      return [hlo.select(pick_x, x_v, acc_v), hlo.select(pick_x, x_i, acc_i)]

    out_types = [mlir.aval_to_ir_type(aval_out.update(dtype=aval_in.dtype)),
                 mlir.aval_to_ir_type(aval_out)]
    return build_reduce(out_types, [x, iota], [init_v, init_i], axes, body)[1]
  return rule


argmax_p = standard_primitive(_argminmax_shape_rule, _argminmax_dtype_rule, "argmax",
                              weak_type_rule=lambda *a, **k: False)
argmin_p = standard_primitive(_argminmax_shape_rule, _argminmax_dtype_rule, "argmin",
                              weak_type_rule=lambda *a, **k: False)
mlir.register_lowering(argmax_p, _argminmax_lowering("GT"))
mlir.register_lowering(argmin_p, _argminmax_lowering("LT"))
for _p in (argmax_p, argmin_p):
  ad.defjvp_zero(_p)
  batching.primitive_batchers[_p] = _reduce_batch(_p)


# --- generic reduce --------------------------------------------------------------------------------


def _reduce_abstract_eval(*avals, computation, jaxpr, dimensions):
  n = len(avals) // 2
  operands, inits = avals[:n], avals[n:]
  shapes = {a.shape for a in operands}
  if len(shapes) != 1:
    raise ValueError("reduce operands must have the same shape, got "
                     f"{[a.shape for a in operands]}")
  shape = operands[0].shape
  if any(not 0 <= d < len(shape) for d in dimensions):
    raise ValueError(f"reduction axes {dimensions} contains out-of-bounds indices for "
                     f"{operands[0].str_short(short_dtypes=False)}.")
  for op, init in zip(operands, inits):
    if init.shape != ():
      raise TypeError(f"reduce init_values must be scalars, got shape {init.shape}")
    if op.dtype != init.dtype:
      raise TypeError("reduce operand dtypes should match corresponding initial value "
                      f"dtypes, got operands={[str(o.dtype) for o in operands]} and "
                      f"initial_values={[str(i.dtype) for i in inits]}")
  out_shape = tuple(d for i, d in enumerate(shape) if i not in dimensions)
  return [ShapedArray(out_shape, a.dtype) for a in jaxpr.out_avals]


reduce_p = core.Primitive("reduce")
reduce_p.multiple_results = True
reduce_p.def_abstract_eval(_reduce_abstract_eval)


def _reduce_lowering(ctx, *args, computation, jaxpr, dimensions):
  n = len(args) // 2
  out_types = [mlir.aval_to_ir_type(a) for a in ctx.avals_out]

  def body(*scalars):
    return mlir.jaxpr_subcomp(ctx.module_context, jaxpr.jaxpr, jaxpr.consts, *scalars)

  return build_reduce(out_types, args[:n], args[n:], dimensions, body)


mlir.register_lowering(reduce_p, _reduce_lowering)


def _reduce_batch_rule(batched_args, batch_dims, *, computation, jaxpr, dimensions):
  n = len(batched_args) // 2
  if any(d is not batching.not_mapped for d in batch_dims[n:]):
    raise NotImplementedError("reduce with batched init_values is not supported under vmap")
  size = batching.batch_size(batched_args, batch_dims)
  operands = [batching.bdim_at_front(x, d, size)
              for x, d in zip(batched_args[:n], batch_dims[:n])]
  dims = tuple(d + 1 for d in dimensions)
  outs = reduce_p.bind(*operands, *batched_args[n:], computation=computation,
                       jaxpr=jaxpr, dimensions=dims)
  return outs, [0] * len(outs)


batching.primitive_batchers[reduce_p] = _reduce_batch_rule


def _monoid_reducer(computation, init_values):
  """The dedicated primitive for ``computation`` when it is a standard monoid
  and ``init_value`` its concrete identity (as JAX does), else None."""
  if len(init_values) != 1:
    return None
  init, = init_values
  if isinstance(init, core.Tracer) or np.ndim(init) != 0:
    return None
  lax = _lax()
  dtype = dtypes.dtype(init)
  val = np.asarray(init)
  table = [("add", reduce_sum_p, 0), ("mul", reduce_prod_p, 1),
           ("max", reduce_max_p, _max_identity(dtype)),
           ("min", reduce_min_p, _min_identity(dtype))]
  if dtype == np.bool_ or dtypes.issubdtype(dtype, np.integer):
    table += [("bitwise_and", reduce_and_p, _and_identity(dtype)),
              ("bitwise_or", reduce_or_p, 0), ("bitwise_xor", reduce_xor_p, 0)]
  for name, prim, identity in table:
    fn = getattr(lax, name, None)
    if fn is not None and computation is fn and np.equal(val, identity):
      return prim
  return None


def reduce(operands: Any, init_values: Any, computation: Callable,
           dimensions: Sequence[int], out_sharding=None):
  """Reduces ``operands`` over ``dimensions`` with the scalar ``computation``.

  ``operands`` and ``init_values`` are matching pytrees; ``computation`` maps
  two such pytrees of scalars (accumulator, element) to one. When it is a
  standard monoid (``lax.add``, ``lax.mul``, ``lax.max``, ...) with its
  identity as the initial value, the dedicated primitive is used.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce(np.arange(6.).reshape(2, 3), 0., lax.add, (1,))
  Array([ 3., 12.], dtype=float32)
  """
  from jaxlite import tree_util
  from jaxlite.interpreters import partial_eval as pe
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import place
    out = reduce(operands, init_values, computation, dimensions)
    return tree_util.tree_map(lambda x: place(x, out_sharding, "reduce"), out)
  flat_operands, tree = tree_util.tree_flatten(operands)
  flat_inits, init_tree = tree_util.tree_flatten(init_values)
  if tree != init_tree:
    raise ValueError("Operands must have the same tree structure as init_values: "
                     f"{tree} vs. {init_tree}")
  if len(flat_operands) != len(flat_inits):
    raise ValueError("Must have same total number of operands as init_values: "
                     f" {len(flat_operands)} vs. {len(flat_inits)}")
  ndim = core.get_aval(flat_operands[0]).ndim if flat_operands else 0
  dimensions = tuple(_canonical_axis(d, ndim) for d in dimensions)
  prim = _monoid_reducer(computation, flat_inits)
  if prim is not None:
    extra = {"out_sharding": None} if prim is reduce_sum_p else {}
    return tree_util.tree_unflatten(tree, [prim.bind(flat_operands[0], axes=dimensions,
                                                     **extra)])
  flat_inits = [_as_typed(i, core.get_aval(o).dtype)
                for i, o in zip(flat_inits, flat_operands)]
  init_avals = [ShapedArray((), core.get_aval(i).dtype) for i in flat_inits]

  def flat_computation(*scalars):
    n = len(scalars) // 2
    acc = tree_util.tree_unflatten(tree, scalars[:n])
    x = tree_util.tree_unflatten(tree, scalars[n:])
    out, out_tree = tree_util.tree_flatten(computation(acc, x))
    if out_tree != tree:
      raise TypeError("reduction computation output must have the same tree structure "
                      f"as the operands: {out_tree} vs. {tree}")
    return out

  jaxpr, out_avals, consts = pe.trace_to_jaxpr_dynamic(flat_computation,
                                                       init_avals + init_avals)
  for out, init in zip(out_avals, init_avals):
    if out.shape != () or out.dtype != init.dtype:
      raise TypeError("reduction computation must return scalars of the operand dtypes, "
                      f"got {out.str_short()} for {init.str_short()}")
  if any(isinstance(c, core.Tracer) for c in consts):
    raise TypeError("reduction computation can't close over traced values")
  closed = core.ClosedJaxpr(jaxpr, consts)
  outs = reduce_p.bind(*flat_operands, *flat_inits, computation=computation,
                       jaxpr=closed, dimensions=dimensions)
  return tree_util.tree_unflatten(tree, outs)


def _as_typed(x, dtype):
  if isinstance(x, core.Tracer) or hasattr(x, "aval"):
    return x
  return np.asarray(x, dtype)


# --- public wrappers -----------------------------------------------------------------------------------


def _canonical_axis(a, ndim):
  a = int(a)
  return a + ndim if -ndim <= a < 0 else a


def _canonical_axes(operand, axes):
  ndim = core.get_aval(operand).ndim
  return tuple(sorted(_canonical_axis(a, ndim) for a in axes))


def reduce_sum(operand, axes: Sequence[int], *, out_sharding=None):
  """Sums ``operand`` over ``axes``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_sum(np.ones((2, 3), np.float32), (0, 1))
  Array(6., dtype=float32)
  """
  out = reduce_sum_p.bind(operand, axes=_canonical_axes(operand, axes), out_sharding=None)
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import place
    return place(out, out_sharding, "reduce_sum")
  return out


def reduce_prod(operand, axes: Sequence[int]):
  """Multiplies the elements of ``operand`` over ``axes``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_prod(np.full((3,), 2.0, np.float32), (0,))
  Array(8., dtype=float32)
  """
  return reduce_prod_p.bind(operand, axes=_canonical_axes(operand, axes))


def reduce_max(operand, axes: Sequence[int]):
  """The maximum of ``operand`` over ``axes`` (NaN if any element is NaN).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_max(np.array([1., 3., 2.], np.float32), (0,))
  Array(3., dtype=float32)
  """
  return reduce_max_p.bind(operand, axes=_canonical_axes(operand, axes))


def reduce_min(operand, axes: Sequence[int]):
  """The minimum of ``operand`` over ``axes`` (NaN if any element is NaN).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_min(np.array([1., 3., 2.], np.float32), (0,))
  Array(1., dtype=float32)
  """
  return reduce_min_p.bind(operand, axes=_canonical_axes(operand, axes))


def reduce_and(operand, axes: Sequence[int]):
  """Bitwise (logical for bool) AND of ``operand`` over ``axes``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_and(np.array([True, False]), (0,))
  Array(False, dtype=bool)
  """
  return reduce_and_p.bind(operand, axes=_canonical_axes(operand, axes))


def reduce_or(operand, axes: Sequence[int]):
  """Bitwise (logical for bool) OR of ``operand`` over ``axes``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_or(np.array([True, False]), (0,))
  Array(True, dtype=bool)
  """
  return reduce_or_p.bind(operand, axes=_canonical_axes(operand, axes))


def reduce_xor(operand, axes: Sequence[int]):
  """Bitwise (logical for bool) XOR of ``operand`` over ``axes``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.reduce_xor(np.array([True, True]), (0,))
  Array(False, dtype=bool)
  """
  return reduce_xor_p.bind(operand, axes=_canonical_axes(operand, axes))


def argmax(operand, axis: int, index_dtype):
  """The index of the largest element along ``axis`` (the first one on ties;
  NaN counts as largest).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.argmax(np.array([1., 3., 3.], np.float32), 0, np.int32)
  Array(1, dtype=int32)
  """
  axis = _canonical_axis(axis, core.get_aval(operand).ndim)
  return argmax_p.bind(operand, axes=(axis,),
                       index_dtype=dtypes.canonicalize_dtype(dtypes.dtype(index_dtype)))


def argmin(operand, axis: int, index_dtype):
  """The index of the smallest element along ``axis`` (the first one on ties;
  NaN counts as smallest).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.argmin(np.array([3., 1., 1.], np.float32), 0, np.int32)
  Array(1, dtype=int32)
  """
  axis = _canonical_axis(axis, core.get_aval(operand).ndim)
  return argmin_p.bind(operand, axes=(axis,),
                       index_dtype=dtypes.canonicalize_dtype(dtypes.dtype(index_dtype)))
