"""Varying manual axes (JAX's vma): the type of a value inside a checked ``shard_map``.

Inside ``shard_map(..., check_vma=True)`` every array type carries the set of
manual mesh axes along which its value may differ from device to device
(``ShapedArray.vma``, printed ``f32[4]{V:i}``). An argument varies along the
axes its in spec splits it over; a constant or closed-over value varies along
none (it is *invariant*). The rules, as JAX 0.10.2 has them:

* an operation on operands of different vma first casts the invariant ones
  with ``pvary`` (no data moves) so all agree, and its result has their union;
  the transpose of ``pvary`` is ``psum_invariant``, so the gradient of a
  replicated (``P()``) argument is summed over the devices it was used on;
* ``psum`` is ``psum_invariant`` (its result no longer varies along the summed
  axes), as are ``pmax``/``pmin``; ``all_gather``, ``ppermute``,
  ``all_to_all`` and ``psum_scatter`` first make their operand vary along
  their axes; ``axis_index`` varies along its axes.

While a checked body is traced, :func:`typing` is installed as
``partial_eval.vma_typing`` and types every staged primitive.

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('i',))
  >>> f = jaxlite.shard_map(lambda x, w: x * w, mesh=mesh, in_specs=(P('i'), P()),
  ...                       out_specs=P('i'))
  >>> print(jaxlite.make_jaxpr(f)(np.ones(2, np.float32), np.float32(2)).eqns[0]
  ...       .params['jaxpr'].eqns[0])
  c:f32[]{V:i} = pvary[axes=('i',)] b
"""
from __future__ import annotations

import contextlib

from jaxlite import core
from jaxlite.core import ClosedJaxpr, Jaxpr, ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.lax import parallel

__all__ = ["pvary_p", "psum_invariant_p", "pvary", "checking", "typing"]

_NONE = frozenset()


# --- psum_invariant and pvary -------------------------------------------------------------------
# psum_invariant's result is invariant over the summed axes and its transpose
# hands each device the cotangent (pvary); pvary marks a value as varying and
# transposes to a psum_invariant.

psum_invariant_p = parallel.CollectivePrimitive("psum_invariant", axis_param="axes")
psum_invariant_p.multiple_results = True
pvary_p = parallel.CollectivePrimitive("pvary", axis_param="axes")
pvary_p.multiple_results = True


def _same_avals(*avals, axes):
  return [core.raise_to_shaped(a) for a in avals]


def _pvary_outside(*xs, axes):
  raise ValueError("pvary should be called under jax.shard_map.")


psum_invariant_p.def_abstract_eval(_same_avals)
pvary_p.def_abstract_eval(_same_avals)
psum_invariant_p.def_impl(lambda *xs, axes: parallel.psum_p.bind(
    *xs, axes=axes, axis_index_groups=None))
pvary_p.def_impl(_pvary_outside)


def _linear_jvp(prim):
  def rule(primals, tangents, *, axes):
    outs = prim.bind(*primals, axes=axes)
    tangents = [ad.instantiate_zeros(t) for t in tangents]
    return outs, prim.bind(*tangents, axes=axes)
  return rule


def _transpose_to(prim):
  def rule(cts, *args, axes):
    cts = [ad.instantiate_zeros(c) for c in cts]
    return prim.bind(*cts, axes=axes)
  return rule


ad.primitive_jvps[psum_invariant_p] = _linear_jvp(psum_invariant_p)
ad.primitive_jvps[pvary_p] = _linear_jvp(pvary_p)
ad.primitive_transposes[psum_invariant_p] = _transpose_to(pvary_p)
ad.primitive_transposes[pvary_p] = _transpose_to(psum_invariant_p)


def _psum_invariant_axis_rule(axis_data, vals, dims, *, axes):
  rule = batching.axis_primitive_batchers[parallel.psum_p]
  return rule(axis_data, vals, dims, axes=axes, axis_index_groups=None)


batching.axis_primitive_batchers[psum_invariant_p] = _psum_invariant_axis_rule
batching.primitive_batchers[pvary_p] = (
    lambda vals, dims, *, axes: (pvary_p.bind(*vals, axes=axes), list(dims)))
batching.primitive_batchers[psum_invariant_p] = (
    lambda vals, dims, *, axes: (psum_invariant_p.bind(*vals, axes=axes), list(dims)))
mlir.register_lowering(pvary_p, lambda ctx, *xs, axes: list(xs))


def pvary(x, axis_name):
  """Marks ``x`` as varying over ``axis_name`` inside a ``shard_map`` (no
  data moves); ``jax.lax.pcast(x, axis_name, to='varying')`` calls it.

  >>> pvary(1.0, 'i')
  Traceback (most recent call last):
  ...
  ValueError: pvary should be called under jax.shard_map.
  """
  from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
  names = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
  leaves, tree = tree_util.tree_flatten(x)
  return tree_util.tree_unflatten(tree, [pvary_p.bind(leaf, axes=names)[0]
                                         for leaf in leaves])


# --- typing staged primitives ----------------------------------------------------------------------


def vma_of(tracer) -> frozenset:
  return getattr(tracer._aval, "vma", _NONE)


def _ordered(union: frozenset, names) -> tuple:
  # JAX lists the added axes in the iteration order of the union's frozenset.
  return tuple(n for n in union if n in names)


def _cast(tracer, names: tuple):
  """``tracer`` made to vary also along ``names``."""
  return pvary_p.bind(tracer, axes=names)[0]


def _pvary_rule(trace, primitive, tracers, params):
  axes = params["axes"]
  for t in tracers:
    if set(axes) & vma_of(t):
      raise ValueError(
          "pvary is a invariant->variant collective. This means that the axis names "
          "mentioned in `axes` passed to `pvary` must not be present in "
          f"`jax.typeof(inp).mat.varying`. Got axes={axes} and jax.typeof(inp)={t._aval}")
  return trace.stage_primitive(primitive, tracers, params,
                               [vma_of(t) | frozenset(axes) for t in tracers])


def _cast_to_axes(tracers, names):
  """Each operand made to vary along every axis of ``names`` (JAX's
  insert_collective_pvary)."""
  out = []
  for t in tracers:
    vma = vma_of(t)
    missing = set(names) - vma
    out.append(_cast(t, _ordered(frozenset(names) | vma, missing)) if missing else t)
  return out


def _reducing_rule(trace, primitive, tracers, params):
  """psum/pmax/pmin/psum_invariant: invariant along the reduced axes after."""
  names = parallel._as_names(params["axes"])
  if primitive is parallel.psum_p:
    if params.get("axis_index_groups") is not None:
      raise NotImplementedError
    tracers = _cast_to_axes(tracers, names)
    return [o for t in tracers for o in psum_invariant_p.bind(t, axes=tuple(names))]
  tracers = _cast_to_axes(tracers, names)
  return trace.stage_primitive(primitive, tracers, params,
                               [vma_of(t) - frozenset(names) for t in tracers])


def _varying_collective_rule(trace, primitive, tracers, params):
  """all_gather/ppermute/all_to_all/psum_scatter: varying along their axes."""
  tracers = _cast_to_axes(tracers, parallel._as_names(params["axis_name"]))
  n_out = 1 if not primitive.multiple_results else len(tracers)
  return trace.stage_primitive(primitive, tracers, params, [vma_of(tracers[0])] * n_out)


def _axis_index_rule(trace, primitive, tracers, params):
  return trace.stage_primitive(primitive, tracers, params,
                               [frozenset(parallel._as_names(params["axis_name"]))])


_RULES: dict = {}


def _rules() -> dict:
  if not _RULES:
    _RULES.update({pvary_p: _pvary_rule, parallel.psum_p: _reducing_rule,
                   parallel.pmax_p: _reducing_rule, parallel.pmin_p: _reducing_rule,
                   psum_invariant_p: _reducing_rule, parallel.axis_index_p: _axis_index_rule,
                   parallel.all_gather_p: _varying_collective_rule,
                   parallel.ppermute_p: _varying_collective_rule,
                   parallel.all_to_all_p: _varying_collective_rule,
                   parallel.reduce_scatter_p: _varying_collective_rule})
  return _RULES


def _inner_jaxprs(params) -> list:
  out = []
  for v in params.values():
    for j in (v if isinstance(v, (tuple, list)) else (v,)):
      if isinstance(j, (ClosedJaxpr, Jaxpr)):
        out.append(j)
  return out


def _mismatch_error(primitive, vmas):
  return ValueError(
      f"Primitive {primitive.name} requires varying manual axes to match, but got "
      f"{list(vmas)}. Please open an issue at https://github.com/jax-ml/jax/issues and "
      "as a temporary workaround pass the check_vma=False argument to `jax.shard_map`")


def typing(trace, primitive, tracers, params):
  """Stages ``primitive`` on ``trace`` with vma types (see the module docstring)."""
  rule = _rules().get(primitive)
  if rule is not None:
    return rule(trace, primitive, tracers, params)
  vmas = [vma_of(t) for t in tracers]
  if _inner_jaxprs(params):
    # A call, loop or conditional: its jaxprs were traced with these types,
    # so their results' types say how its results vary.
    from jaxlite.interpreters import shard_map  # pylint: disable=g-import-not-at-top
    return trace.stage_primitive(primitive, tracers, params,
                                 lambda avals_out: shard_map.call_vma(params, vmas, avals_out))
  if not any(vmas):
    return trace.stage_primitive(primitive, tracers, params)
  union = frozenset.union(*vmas)
  if any(v != union for v, t in zip(vmas, tracers) if isinstance(t._aval, ShapedArray)):
    from jaxlite import config_guards  # pylint: disable=g-import-not-at-top
    if not config_guards.auto_pcast.value:
      raise _mismatch_error(primitive, vmas)
    tracers = [_cast(t, _ordered(union, union - v))
               if v != union and isinstance(t._aval, ShapedArray) else t
               for t, v in zip(tracers, vmas)]
  return trace.stage_primitive(primitive, tracers, params, union)


@contextlib.contextmanager
def checking(mesh, on: bool = True):
  """Types staged primitives with vma while tracing a checked ``shard_map``
  body over ``mesh`` (``on=False``: an unchecked one; nothing is typed)."""
  for i, name in enumerate(mesh.axis_names):
    core.vma_axis_order.setdefault(name, i)
  outer = pe.vma_typing
  pe.vma_typing = typing if on else None
  try:
    yield
  finally:
    pe.vma_typing = outer
