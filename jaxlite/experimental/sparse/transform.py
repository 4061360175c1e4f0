"""``sparsify``: run a function written for dense arrays on sparse (BCOO) arguments.

A ``SparseTrace`` carries each value as either a dense array or a BCOO array
(``SparseTracer.value``). A primitive applied to dense values only is bound as
usual; one that meets a sparse value goes through its sparse rule (below, by
primitive name), which computes on the stored values and indices and returns
sparse or dense results. A primitive with no rule raises JAX's
``NotImplementedError``. By default the function is first staged to a jaxpr at
dense types (so Python control flow on values fails as under ``jit``) and that
jaxpr is evaluated on the sparse trace; ``use_tracer=True`` runs the function on
the tracers directly.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.BCOO.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> sparse.sparsify(lambda m: (m * 3).sum(1))(M).todense()
  Array([3., 6.], dtype=float32)
"""
from __future__ import annotations

import functools
from typing import Callable

from jaxlite import core, tree_util
from jaxlite.experimental.sparse._base import JAXSparse
from jaxlite.experimental.sparse.bcoo import BCOO, bcoo_transpose, bcoo_dot_general
from jaxlite.experimental.sparse.bcoo_ops import (bcoo_multiply_dense, bcoo_reduce_sum,
                                                  bcoo_sum_duplicates, bcoo_multiply_sparse)
from jaxlite.experimental.sparse import bcoo_structural as structural
from jaxlite.experimental.sparse.bcsr import (BCSR, bcsr_dot_general, bcsr_broadcast_in_dim,
                                              bcsr_concatenate, bcsr_sum_duplicates)

__all__ = ["sparsify", "SparseTracer", "SparseTrace", "sparse_rules_bcoo"]


def _is_sparse(x) -> bool:
  return isinstance(x, JAXSparse)


class SparseTracer(core.Tracer):
  """A value of a sparsified function: a dense array or a sparse array (``value``)."""
  __slots__ = ("value",)

  def __init__(self, trace, *, spvalue):
    self._trace = trace
    self.value = spvalue

  @property
  def aval(self):
    v = self.value
    if _is_sparse(v):
      return core.ShapedArray(v.shape, v.dtype, core.get_aval(v.data).weak_type)
    return core.raise_to_shaped(core.get_aval(v))

  def full_lower(self):
    return self


class SparseTrace(core.Trace):
  """Applies sparse rules to primitives that meet sparse values."""

  def pure(self, val):
    return SparseTracer(self, spvalue=val)

  lift = pure

  def process_primitive(self, primitive, tracers, params):
    values = [t.value for t in tracers]
    if not any(_is_sparse(v) for v in values):
      return _wrap(self, primitive, primitive.bind(*values, **params))
    # JAX's choice: a BCSR operand selects the (smaller) BCSR rule table.
    rules = sparse_rules_bcsr if any(isinstance(v, BCSR) for v in values) else sparse_rules_bcoo
    rule = rules.get(primitive.name)
    if rule is None:
      _raise_unimplemented(primitive)
    return _wrap(self, primitive, rule(*values, **params))


def _wrap(trace, primitive, out):
  if primitive.multiple_results:
    return [SparseTracer(trace, spvalue=o) for o in out]
  return SparseTracer(trace, spvalue=out)


_DENSIFYING = {"acos", "acosh", "bessel_i0e", "cos", "cosh", "eq", "exp", "ge", "gt", "le",
               "lt", "log", "ne", "xor"}


def _raise_unimplemented(primitive):
  if primitive.name in _DENSIFYING:
    raise NotImplementedError(f"sparse rule for {primitive} is not implemented because it "
                              "would result in dense output. If this is your intent, use "
                              "sparse.todense() to convert your arguments to dense matrices.")
  raise NotImplementedError(f"sparse rule for {primitive} is not implemented.")


# --- the transformation ------------------------------------------------------------------


def sparsify(f, use_tracer=False):
  """Experimental sparsification transform.

  Examples:

    Decorate JAX functions to make them compatible with :class:`jax.experimental.sparse.BCOO`
    matrices:

    >>> import jaxlite.numpy as jnp
    >>> from jaxlite.experimental import sparse

    >>> @sparse.sparsify
    ... def f(M, v):
    ...   return 2 * M.T @ v

    >>> M = sparse.BCOO.fromdense(jnp.arange(12).reshape(3, 4))

    >>> v = jnp.array([3, 4, 2])

    >>> f(M, v)
    Array([ 64,  82, 100, 118], dtype=int32)
  """
  @functools.wraps(f)
  def sparsified(*args, **kwargs):
    leaves, in_tree = tree_util.tree_flatten((args, kwargs), is_leaf=_is_sparse)
    with core.new_main(SparseTrace) as main:
      trace = SparseTrace(main)
      tracers = [SparseTracer(trace, spvalue=_with_fresh_ref(x)) if _is_sparse(x) else x
                 for x in leaves]
      if use_tracer:
        outs, out_tree = _call_flat(f, in_tree, tracers)
      else:
        outs, out_tree = _call_staged(f, in_tree, leaves, tracers)
      outs = [trace.full_raise(o).value for o in outs]
    return tree_util.tree_unflatten(out_tree, outs)
  return sparsified


def _call_flat(f, in_tree, leaves):
  args, kwargs = tree_util.tree_unflatten(in_tree, leaves)
  out = f(*args, **kwargs)
  return tree_util.tree_flatten(out, is_leaf=_is_sparse)


def _call_staged(f, in_tree, leaves, tracers):
  """Stages ``f`` at dense types, then evaluates its jaxpr on the sparse trace."""
  from jaxlite.interpreters import partial_eval as pe
  avals = [core.ShapedArray(x.shape, x.dtype) if _is_sparse(x)
           else core.raise_to_shaped(core.get_aval(x)) for x in leaves]
  out_tree_box = []

  def flat(*xs):
    outs, tree = _call_flat(f, in_tree, list(xs))
    out_tree_box.append(tree)
    return outs
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat, avals)
  return core.eval_jaxpr(jaxpr, consts, *tracers), out_tree_box[0]


# --- sparse rules, by primitive name -----------------------------------------------------

sparse_rules_bcoo: dict[str, Callable] = {}
sparse_rules_bcsr: dict[str, Callable] = {}


def _with_fresh_ref(mat):
  """A copy of ``mat`` (same buffers) whose indices count as their own: two arguments
  never share indices, even when they hold the same index array (as in JAX)."""
  out = mat.tree_unflatten(mat.tree_flatten()[1], mat.tree_flatten()[0])
  out._indices_ref = object()
  return out


def _same_indices(x, y) -> bool:
  # Only indices carried through a rule from one sparse value count as the same.
  ref = getattr(x, "_indices_ref", None)
  return ref is not None and ref is getattr(y, "_indices_ref", None)


def _sharing_indices(out: BCOO, mat: BCOO) -> BCOO:
  out._indices_ref = getattr(mat, "_indices_ref", None)
  return out


def _like(mat: BCOO, data, *, unique=None) -> BCOO:
  """``mat``'s indices with new stored values."""
  return _sharing_indices(
      BCOO((data, mat.indices), shape=mat.shape, indices_sorted=mat.indices_sorted,
           unique_indices=mat.unique_indices if unique is None else unique), mat)


def _with_unique_indices(mat):
  # A non-linear function of the stored values needs each position stored once.
  if mat.unique_indices:
    return mat
  if isinstance(mat, BCSR):
    return bcsr_sum_duplicates(mat, nse=mat.nse)
  return bcoo_sum_duplicates(mat, nse=mat.nse)


def _bcsr_like(mat: BCSR, data) -> BCSR:
  return BCSR((data, mat.indices, mat.indptr), shape=mat.shape,
              indices_sorted=mat.indices_sorted, unique_indices=mat.unique_indices)


def _unary_rule(primitive_name, linear):
  def rule(x, **params):
    primitive = _primitive(primitive_name)
    if not linear:
      x = _with_unique_indices(x)
    out = primitive.bind(x.data, **params)
    return _bcsr_like(x, out) if isinstance(x, BCSR) else _like(x, out)
  return rule


@functools.lru_cache(maxsize=None)
def _primitive(name):
  """jaxlite's primitive called ``name`` (looked up once among lax's)."""
  from jaxlite import lax
  return getattr(lax, f"{name}_p")


for _name in ("abs", "asin", "asinh", "atan", "atanh", "bessel_i1e", "expm1", "log1p", "sign",
              "sin", "sinh", "sqrt", "square", "tan", "tanh", "convert_element_type"):
  sparse_rules_bcoo[_name] = sparse_rules_bcsr[_name] = _unary_rule(_name, linear=False)
for _name in ("conj", "copy", "imag", "neg", "real"):
  sparse_rules_bcoo[_name] = sparse_rules_bcsr[_name] = _unary_rule(_name, linear=True)


def _integer_pow_rule(x, *, y):
  if y <= 0:
    raise NotImplementedError(
        f"sparse rule for integer_pow with non-positive exponent {y} is not implemented "
        "because it would result in dense output. If this is your intent, use "
        "sparse.todense() to convert your argument to a dense array.")
  return _unary_rule("integer_pow", linear=False)(x, y=y)


def _transpose_rule(x, *, permutation):
  return bcoo_transpose(x, permutation=tuple(permutation))


def _dot_general_rule(lhs, rhs, *, dimension_numbers, precision=None,
                      preferred_element_type=None, **_):
  return bcoo_dot_general(lhs, rhs, dimension_numbers=dimension_numbers,
                          preferred_element_type=preferred_element_type)


def _broadcast_scalar_or_same(dense, shape):
  return dense.shape == () or dense.shape == shape


def _add_rule(x, y):
  from jaxlite import lax
  if _is_sparse(x) and _is_sparse(y):
    if x.shape != y.shape:
      raise NotImplementedError("Addition between sparse matrices of different shapes.")
    if _same_indices(x, y):
      return _like(x, lax.add(x.data, y.data))
    if x.indices.ndim != y.indices.ndim or x.data.ndim != y.data.ndim:
      raise NotImplementedError("Addition between sparse matrices with different "
                                "batch/dense dimensions.")
    # Stored elements of both, side by side (duplicates add up where read).
    axis = x.indices.ndim - 2
    return BCOO((lax.concatenate([x.data, y.data], axis),
                 lax.concatenate([x.indices, y.indices], axis)), shape=x.shape)
  if _is_sparse(y):
    x, y = y, x
  out_shape = lax.broadcast_shapes(x.shape, y.shape)
  if y.shape != out_shape:
    raise NotImplementedError(
        "Addition between a sparse array X and a dense array Y is not implemented when "
        "the output shape is larger than Y.shape. This is to prevent silent densification "
        "of a large sparse array. If this is your intent, you can explicitly cast the sparse "
        "array to a dense matrix.")
  return x.todense() + y


def _sub_rule(x, y):
  if _is_sparse(x) and _is_sparse(y):
    return _add_rule(x, sparse_rules_bcoo["neg"](y))
  raise NotImplementedError("Subtraction between sparse and dense array.")


def _mul_rule(x, y):
  from jaxlite import lax
  if _is_sparse(x) and _is_sparse(y):
    if _same_indices(x, y) and x.unique_indices:
      return _like(x, lax.mul(x.data, y.data), unique=True)
    return bcoo_multiply_sparse(x, y)
  if _is_sparse(y):
    x, y = y, x
  return _like(x, bcoo_multiply_dense(x, y))


def _div_rule(x, y):
  if _is_sparse(y):
    raise NotImplementedError(
        "Division by a sparse array is not implemented because it "
        "would result in dense output. If this is your intent, use "
        "sparse.todense() to convert your arguments to a dense array.")
  return _like(x, bcoo_multiply_dense(x, 1. / y))


def _reduce_sum_rule(x, *, axes, **_):
  out = bcoo_reduce_sum(x, axes=axes)
  if out.shape == ():
    return out.data.sum()
  return out


def _todense_rule(*values, tree):
  arr = tree_util.tree_unflatten(tree, values) if not _is_sparse(values[0]) else values[0]
  return arr.todense() if _is_sparse(arr) else arr


def _inline_call_rule(param):
  """Calls (``jit``, custom derivatives) are inlined: their body meets the sparse values."""
  def rule(*values, **params):
    closed = params[param]
    jaxpr = getattr(closed, "jaxpr", closed)
    consts = getattr(closed, "consts", ())
    n_consts = params.get("num_consts", 0)
    if n_consts and not consts:
      consts, values = values[:n_consts], values[n_consts:]
    trace = _current_sparse_trace()
    tracers = [SparseTracer(trace, spvalue=v) for v in values]
    outs = core.eval_jaxpr(jaxpr, list(consts), *tracers)
    return [trace.full_raise(o).value for o in outs]
  return rule


def _current_sparse_trace():
  main = next(m for m in reversed(core._thread_state.trace_stack)
              if m.trace_type is SparseTrace)
  return SparseTrace(main)


def _all_sparse(name, values):
  if not all(_is_sparse(v) for v in values):
    raise NotImplementedError(f"sparse rule for {name} of sparse and dense operands is not "
                              "implemented.")
  return values


sparse_rules_bcoo.update({
    "broadcast_in_dim": lambda x, *, shape, broadcast_dimensions, **_:
        structural.bcoo_broadcast_in_dim(x, shape=shape,
                                         broadcast_dimensions=broadcast_dimensions),
    "concatenate": lambda *xs, dimension:
        structural.bcoo_concatenate(_all_sparse("concatenate", xs), dimension=dimension),
    "reshape": lambda x, *, new_sizes, dimensions=None, **_:
        structural.bcoo_reshape(x, new_sizes=new_sizes, dimensions=dimensions),
    "rev": lambda x, *, dimensions: structural.bcoo_rev(x, dimensions),
    "slice": lambda x, *, start_indices, limit_indices, strides=None:
        structural.bcoo_slice(x, start_indices=start_indices, limit_indices=limit_indices,
                              strides=strides),
    "squeeze": lambda x, *, dimensions: structural.bcoo_squeeze(x, dimensions=dimensions),
    "dynamic_slice": lambda x, *starts, slice_sizes, **_:
        structural.bcoo_dynamic_slice(x, starts, slice_sizes),
    "integer_pow": _integer_pow_rule,
    "transpose": _transpose_rule,
    "dot_general": _dot_general_rule,
    "add": _add_rule,
    "add_any": _add_rule,
    "sub": _sub_rule,
    "mul": _mul_rule,
    "div": _div_rule,
    "reduce_sum": _reduce_sum_rule,
    "todense": _todense_rule,
    "jit": _inline_call_rule("jaxpr"),
    "pjit": _inline_call_rule("jaxpr"),
    "closed_call": _inline_call_rule("call_jaxpr"),
    "custom_jvp_call": _inline_call_rule("call_jaxpr"),
})


# JAX's BCSR rules: elementwise zero-preserving ops, dot_general with a dense rhs,
# broadcast_in_dim, concatenate, todense and custom_jvp calls (no jit: JAX has none).
sparse_rules_bcsr.update({
    "integer_pow": _integer_pow_rule,
    "dot_general": lambda lhs, rhs, *, dimension_numbers, preferred_element_type=None, **_:
        bcsr_dot_general(lhs, rhs, dimension_numbers=dimension_numbers,
                         preferred_element_type=preferred_element_type),
    "broadcast_in_dim": lambda x, *, shape, broadcast_dimensions, **_:
        bcsr_broadcast_in_dim(x, shape=shape, broadcast_dimensions=broadcast_dimensions),
    "concatenate": lambda *xs, dimension:
        bcsr_concatenate(_all_sparse("concatenate", xs), dimension=dimension),
    **{name: sparse_rules_bcoo[name]
       for name in ("todense", "custom_jvp_call")},
})


# --- BCOO methods defined through sparsify (as in JAX) -----------------------------------


def _swap(f):
  return lambda a, b: f(b, a)


def _install_methods():
  import jaxlite.numpy as jnp

  def _sum(self, *args, **kwargs):
    """Sum array along axis."""
    return sparsify(lambda x: x.sum(*args, **kwargs))(self)

  def _astype(self, *args, **kwargs):
    """Copy the array and cast to a specified dtype."""
    return sparsify(lambda x: x.astype(*args, **kwargs))(self)

  def _reshape(self, *args, **kwargs):
    """Returns an array containing the same data with a new shape."""
    return sparsify(lambda x: x.reshape(*args, **kwargs))(self)

  methods = {
      "sum": _sum, "astype": _astype, "reshape": _reshape,
      "__abs__": sparsify(jnp.abs), "__neg__": sparsify(jnp.negative),
      "__pos__": sparsify(jnp.positive),
      "__mul__": sparsify(jnp.multiply), "__rmul__": sparsify(_swap(jnp.multiply)),
      "__truediv__": sparsify(jnp.divide),
      "__add__": sparsify(jnp.add), "__radd__": sparsify(_swap(jnp.add)),
      "__sub__": sparsify(jnp.subtract), "__rsub__": sparsify(_swap(jnp.subtract)),
      "__pow__": lambda x, y: sparsify(lambda x: jnp.power(x, y))(x),
  }
  for name, method in methods.items():
    setattr(BCOO, name, method)

  def _bcsr_getitem(self, index):
    """Index through sparsify (as JAX: only what BCSR's rules cover, e.g. ``None``)."""
    return sparsify(lambda x: x[index])(self)
  BCSR.__getitem__ = _bcsr_getitem


_install_methods()
