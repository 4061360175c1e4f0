"""``jaxlite.shard_map`` (``jax.shard_map``): per-device code over the shards of arrays on a mesh.

``shard_map(f, mesh=..., in_specs=..., out_specs=...)`` runs ``f`` once per
device on that device's blocks of the arguments (``in_specs`` say how each
argument is split over the mesh axes) and assembles the results as
``out_specs`` say. Inside, collectives (``psum``, ``all_gather``,
``ppermute`` ...) name mesh axes.

The body is staged to a jaxpr at the per-device shapes and bound as the
``shard_map`` primitive. It lowers to Shardy's ``sdy.manual_computation``
with the mesh axes manual, inside an SPMD program (``interpreters/spmd.py``);
collectives lower to cross-partition StableHLO collectives over the mesh
axes' device groups. With ``check_vma`` (the default) ``psum`` is JAX's
``psum_invariant`` (its transpose is ``pvary``), and every output must be
invariant over the mesh axes its out spec does not name, as JAX checks.

Example:
  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('i',))
  >>> f = shard_map(lambda x: jaxlite.lax.psum(x.sum(), 'i'), mesh=mesh,
  ...               in_specs=P('i'), out_specs=P())
  >>> f(jnp.arange(4.0))
  Array(6., dtype=float32)
"""
from __future__ import annotations

import functools
import math
import weakref
from typing import Any, Callable

import numpy as np

from jaxlite import api_util, core, tree_util
from jaxlite.core import ClosedJaxpr, Jaxpr, JaxprEqn, Var
from jaxlite.interpreters import ad, batching, collectives, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters import spmd
from jaxlite.interpreters import vma as vma_lib
from jaxlite.lax import parallel
from jaxlite.sharding import mesh as mesh_lib
from jaxlite.sharding.partition_spec import PartitionSpec
from jaxlite.sharding.shardings import NamedSharding
from jaxlite.traceback_util import api_boundary

__all__ = ["shard_map", "shard_map_p", "psum_invariant_p", "pvary_p", "pvary"]


# --- specs and avals -------------------------------------------------------------------------


def _spec_axes_per_dim(spec: PartitionSpec, ndim: int) -> list:
  out = []
  for i in range(ndim):
    entry = spec.partitions[i] if i < len(spec.partitions) else None
    out.append(() if entry is None else entry if isinstance(entry, tuple) else (entry,))
  return out


def _spec_axes(spec) -> set:
  return {n for names in _spec_axes_per_dim(spec, len(spec.partitions)) for n in names}


def _spec_vma(spec) -> frozenset:
  """The mesh axes ``spec`` splits over, as a vma. Built in JAX's order: the
  order pvary lists axes in follows the frozenset's iteration order."""
  return frozenset(n for entry in spec.partitions if entry is not None
                   for n in (entry if isinstance(entry, tuple) else (entry,)))


def shard_aval(aval, spec, mesh):
  """The per-device aval of a value of ``aval`` split as ``spec``."""
  sizes = dict(zip(mesh.axis_names, mesh.axis_sizes))
  shape = [d // math.prod(sizes[n] for n in names)
           for d, names in zip(aval.shape, _spec_axes_per_dim(spec, len(aval.shape)))]
  return aval.update(shape=tuple(shape))


def unshard_aval(aval, spec, mesh):
  """The global aval of per-device values of ``aval`` assembled as ``spec``
  (outside, it no longer varies along ``mesh``'s axes)."""
  sizes = dict(zip(mesh.axis_names, mesh.axis_sizes))
  shape = [d * math.prod(sizes[n] for n in names)
           for d, names in zip(aval.shape, _spec_axes_per_dim(spec, len(aval.shape)))]
  return aval.update(shape=tuple(shape), vma=aval.vma - frozenset(mesh.axis_names))


def call_vma(params, in_vma, avals_out) -> list:
  """The vma of the results of a call, loop or conditional inside a checked
  body: its jaxprs were traced there with vma types, so its results' types
  say it (as JAX's, a cond's results vary as its branches' do, whatever its
  index)."""
  del params, in_vma
  return [getattr(a, "vma", frozenset()) for a in avals_out]


# psum_invariant and pvary (JAX's varying-manual-axes casts) live in
# jaxlite.interpreters.vma with the typing rules.
psum_invariant_p, pvary_p, pvary = vma_lib.psum_invariant_p, vma_lib.pvary_p, vma_lib.pvary


# --- which mesh axes a value varies over -------------------------------------------------------

_REDUCING = None


def _reducing():
  global _REDUCING
  if _REDUCING is None:
    _REDUCING = {parallel.psum_p, parallel.pmax_p, parallel.pmin_p, psum_invariant_p}
  return _REDUCING


def _names(params, key):
  v = params[key]
  return set(v) if isinstance(v, (tuple, list)) else {v}


def varying_axes(jaxpr: Jaxpr, in_vma: list) -> list:
  """For each output of ``jaxpr``, the mesh axes it may vary over, given its
  inputs' (JAX's vma typing, read off the jaxpr)."""
  if any(in_vma) and all(getattr(v.aval, "vma", None) == frozenset(s)
                         for v, s in zip(jaxpr.invars, in_vma)):
    # Traced with vma types (a checked body): its outputs' types say it.
    return [getattr(v.aval, "vma", frozenset()) if isinstance(v, Var) else frozenset()
            for v in jaxpr.outvars]
  env: dict = {}
  for v, s in zip(jaxpr.invars, in_vma):
    env[v] = frozenset(s)

  def read(atom):
    return env.get(atom, frozenset()) if isinstance(atom, Var) else frozenset()

  for eqn in jaxpr.eqns:
    ins = frozenset().union(*[read(a) for a in eqn.invars]) if eqn.invars else frozenset()
    prim, params = eqn.primitive, eqn.params
    if prim in _reducing():
      out = [read(a) - _names(params, "axes") for a in eqn.invars]
    elif prim is pvary_p:
      out = [read(a) | _names(params, "axes") for a in eqn.invars]
    elif prim is parallel.axis_index_p:
      out = [frozenset(_names(params, "axis_name"))]
    elif prim in (parallel.reduce_scatter_p, parallel.all_to_all_p, parallel.ppermute_p):
      out = [ins | _names(params, "axis_name")]
    elif "jaxpr" in params and isinstance(params["jaxpr"], ClosedJaxpr) and \
        prim is not shard_map_p and len(params["jaxpr"].jaxpr.invars) == len(eqn.invars):
      out = varying_axes(params["jaxpr"].jaxpr, [read(a) for a in eqn.invars])
    else:
      out = [ins] * len(eqn.outvars)
    for v, s in zip(eqn.outvars, out):
      env[v] = s
  return [read(v) for v in jaxpr.outvars]


def _rewrite_psums(jaxpr: Jaxpr) -> Jaxpr:
  """psum -> psum_invariant at the top level of a checked shard_map body."""
  eqns = []
  for eqn in jaxpr.eqns:
    if eqn.primitive is parallel.psum_p and eqn.params.get("axis_index_groups") is None:
      eqn = JaxprEqn(eqn.invars, eqn.outvars, psum_invariant_p,
                     {"axes": tuple(eqn.params["axes"])})
    eqns.append(eqn)
  return jaxpr.replace(eqns=eqns)


# --- the shard_map primitive ---------------------------------------------------------------------

shard_map_p = core.Primitive("shard_map")
shard_map_p.multiple_results = True
shard_map_p.call_primitive = True


def _params(params, **updates):
  out = dict(params)
  out.update(updates)
  return out


def _abstract_eval(*avals, jaxpr, mesh, in_specs, out_specs, check_vma, newly_manual_axes):
  return [unshard_aval(a, s, mesh) for a, s in zip(jaxpr.out_avals, out_specs)]


shard_map_p.def_abstract_eval(_abstract_eval)

_eager_programs: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _impl(*args, jaxpr, mesh, in_specs, out_specs, check_vma, newly_manual_axes):
  # As JAX does, an eager shard_map runs as a compiled program.
  from jaxlite.interpreters.dispatch import _to_array
  params = dict(jaxpr=jaxpr, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                check_vma=check_vma, newly_manual_axes=newly_manual_axes)
  args = [_to_array(a) for a in args]
  in_shardings = [NamedSharding(mesh, s) for s in in_specs]
  args = [a if spmd.sharded.is_sharded(a) and a.sharding.is_equivalent_to(s, a.ndim)
          else spmd.put_array(a, s) for a, s in zip(args, in_shardings)]
  avals = [core.raise_to_shaped(a.aval) for a in args]
  invars = [Var(a) for a in avals]
  outvars = [Var(a) for a in _abstract_eval(*avals, **params)]
  closed = ClosedJaxpr(Jaxpr([], invars, outvars,
                             [JaxprEqn(invars, outvars, shard_map_p, params)]), [])
  programs = _eager_programs.setdefault(jaxpr, {})
  return spmd.call_sharded(closed, "shard_map", args, in_shardings,
                           [NamedSharding(mesh, s) for s in out_specs], (), cache=programs)


shard_map_p.def_impl(_impl)


class SpmdAxisContext(mlir.AxisContext):
  """Mesh axes inside a ``sdy.manual_computation``: collectives are
  cross-partition (channel ids, global device ids) over the mesh's logical ids."""
  __slots__ = ()
  manual = True   # read by jaxlite.interpreters.collectives


class VmaCheckedSpmdAxisContext(SpmdAxisContext):
  """As SpmdAxisContext, in a ``shard_map(check_vma=True)``: values' types say
  which ones may differ between devices (read by cond's lowering)."""
  __slots__ = ()
  vma_checked = True


def _sdy_text(spec, ndim, mesh):
  return spmd.sdy_sharding_text(NamedSharding(mesh, spec), ndim)[len("#sdy.sharding"):]


def _lowering(ctx, *args, jaxpr, mesh, in_specs, out_specs, check_vma, newly_manual_axes):
  m = mlir.mlir()
  ir, sdy = m.ir, m.sdy
  mc = ctx.module_context
  outer = mc.axis_context
  context = VmaCheckedSpmdAxisContext if check_vma else SpmdAxisContext
  if math.prod(size for name, size in zip(mesh.axis_names, mesh.axis_sizes)
               if name in newly_manual_axes) == 1:
    # As JAX: manual axes of size 1 need no manual computation (each block is
    # the whole array); the body is lowered in place.
    mc.axis_context = context(tuple(zip(mesh.axis_names, mesh.axis_sizes)))
    try:
      return list(mlir.jaxpr_subcomp(mc, jaxpr.jaxpr, jaxpr.consts, *args))
    finally:
      mc.axis_context = outer
  in_attr = ir.Attribute.parse("#sdy.sharding_per_value<[" + ", ".join(
      _sdy_text(s, a.ndim, mesh) for s, a in zip(in_specs, ctx.avals_in)) + "]>")
  out_attr = ir.Attribute.parse("#sdy.sharding_per_value<[" + ", ".join(
      _sdy_text(s, a.ndim, mesh) for s, a in zip(out_specs, ctx.avals_out)) + "]>")
  manual = ir.Attribute.parse("#sdy<manual_axes{" + ", ".join(
      f'"{n}"' for n in mesh.axis_names if n in newly_manual_axes) + "}>")
  op = sdy.ManualComputationOp([mlir.aval_to_ir_type(a) for a in ctx.avals_out], list(args),
                               in_attr, out_attr, manual)
  block = op.body.blocks.append(*[mlir.aval_to_ir_type(a) for a in jaxpr.in_avals])
  mc.axis_context = context(tuple(zip(mesh.axis_names, mesh.axis_sizes)))
  try:
    with ir.InsertionPoint(block), mlir.own_locations(mc):
      outs = mlir.jaxpr_subcomp(mc, jaxpr.jaxpr, jaxpr.consts, *block.arguments)
      sdy.ReturnOp(list(outs))
  finally:
    mc.axis_context = outer
  return list(op.results)


mlir.register_lowering(shard_map_p, _lowering)


# --- collectives inside a manual computation ------------------------------------------------------


# pmap's lowering rules serve here too (jaxlite.interpreters.collectives): the
# manual axis context makes them cross-partition.
collectives.register()
mlir.register_lowering(psum_invariant_p, collectives.allreduce_rule("add", manual=True))


# --- autodiff and vmap ----------------------------------------------------------------------------


def _axis_env(mesh, check_vma=False):
  """The mesh axes bound while a body is traced (and, when ``check_vma``,
  staged primitives typed with vma)."""
  import contextlib  # pylint: disable=g-import-not-at-top
  stack = contextlib.ExitStack()
  for name, size in zip(mesh.axis_names, mesh.axis_sizes):
    stack.enter_context(core.extend_axis_env(name, size, None))
  stack.enter_context(vma_lib.checking(mesh, check_vma))
  return stack


def _jvp(primals, tangents, **params):
  jaxpr, in_specs, out_specs = params["jaxpr"], params["in_specs"], params["out_specs"]
  nonzeros = [type(t) is not ad.Zero for t in tangents]
  with _axis_env(params["mesh"], params["check_vma"]):
    jvp_closed, out_nonzeros = ad.jvp_jaxpr(jaxpr, nonzeros, instantiate=False)
  nz_tangents = [t for t in tangents if type(t) is not ad.Zero]
  outs = shard_map_p.bind(*primals, *nz_tangents, **_params(
      params, jaxpr=jvp_closed,
      in_specs=tuple(in_specs) + tuple(s for s, nz in zip(in_specs, nonzeros) if nz),
      out_specs=tuple(out_specs) + tuple(s for s, nz in zip(out_specs, out_nonzeros) if nz)))
  n = len(jaxpr.out_avals)
  out_avals = _abstract_eval(*[core.get_aval(p) for p in primals], **params)
  nz_out = iter(outs[n:])
  return outs[:n], [next(nz_out) if nz else ad.Zero(ad.tangent_aval(a))
                    for nz, a in zip(out_nonzeros, out_avals)]


def _transpose(cts, *args, **params):
  jaxpr, mesh = params["jaxpr"], params["mesh"]
  in_specs, out_specs = params["in_specs"], params["out_specs"]
  manual = params["newly_manual_axes"]
  linear = [ad.is_undefined_primal(a) for a in args]
  if all(type(c) is ad.Zero for c in cts):
    return [ad.Zero(a.aval) if l else None for a, l in zip(args, linear)]
  with _axis_env(mesh, params["check_vma"]):
    trans = ad.transpose_jaxpr(jaxpr, linear)
  res_specs = [s for s, l in zip(in_specs, linear) if not l]
  lin_specs = [s for s, l in zip(in_specs, linear) if l]
  # A cotangent that varies over axes its input's spec does not split is the
  # sum over those axes (the transpose of the implicit pvary at the input).
  ct_vma = varying_axes(trans.jaxpr, [_spec_axes(s) & manual for s in res_specs]
                        + [_spec_axes(s) & manual for s in out_specs])
  extra = [tuple(n for n in mesh.axis_names if n in (v - _spec_axes(s)) and n in manual)
           for v, s in zip(ct_vma, lin_specs)]
  if any(extra):
    def summed(*xs):
      outs = core.eval_jaxpr(trans.jaxpr, trans.consts, *xs)
      return [psum_invariant_p.bind(o, axes=e)[0] if e else o for o, e in zip(outs, extra)]
    with _axis_env(mesh, params["check_vma"]):
      body, _, consts = pe.trace_to_jaxpr_dynamic(summed, trans.in_avals)
    trans = ClosedJaxpr(pe.convert_constvars_jaxpr(body), [])
    res_consts = list(consts)
  else:
    res_consts = []
  res = [a for a, l in zip(args, linear) if not l]
  cts = [ad.instantiate_zeros(c) for c in cts]
  outs = iter(shard_map_p.bind(*res_consts, *res, *cts, **_params(
      params, jaxpr=trans,
      in_specs=(PartitionSpec(),) * len(res_consts) + tuple(res_specs) + tuple(out_specs),
      out_specs=tuple(lin_specs))))
  return [next(outs) if l else None for l in linear]


def _partial_eval(trace, tracers, **params):
  """Splits a shard_map into a known one (run now) and a staged one. Each
  device's residuals leave the known one stacked along a new leading axis
  split over every manual axis, so each device gets its own back."""
  jaxpr, mesh = params["jaxpr"], params["mesh"]
  in_specs, out_specs = params["in_specs"], params["out_specs"]
  unknowns = [not trace.is_known(t) for t in tracers]
  known_vals = [trace.known_value(t) for t, u in zip(tracers, unknowns) if not u]
  with _axis_env(mesh, params["check_vma"]):
    known, staged, out_unknowns, num_res = ad._split_jit_jaxpr(jaxpr, tuple(unknowns))
  n_known_out = len(known.out_avals) - num_res
  res_avals = known.out_avals[n_known_out:]
  lax = _lax()

  def known_stacked(*xs):
    outs = core.eval_jaxpr(known.jaxpr, known.consts, *xs)
    return outs[:n_known_out] + [lax.expand_dims(r, (0,)) for r in outs[n_known_out:]]

  def staged_unstacked(*xs):
    res = [lax.squeeze(r, (0,)) for r in xs[:num_res]]
    return core.eval_jaxpr(staged.jaxpr, staged.consts, *res, *xs[num_res:])
  with _axis_env(mesh, params["check_vma"]):
    known_j, _, kc = pe.trace_to_jaxpr_dynamic(known_stacked, known.in_avals)
    stacked_avals = [a.update(shape=(1,) + a.shape) for a in res_avals]
    staged_j, _, sc = pe.trace_to_jaxpr_dynamic(
        staged_unstacked, stacked_avals + list(staged.in_avals[num_res:]))
  manual = params["newly_manual_axes"]
  known_in = tuple(s for s, u in zip(in_specs, unknowns) if not u)
  # A residual is split over exactly the axes it varies over (its stacked
  # axis has one entry per distinct value): its vma stays what it was.
  res_vma = varying_axes(known.jaxpr, [_spec_axes(s) & manual for s in known_in])
  res_specs = tuple(
      PartitionSpec(tuple(n for n in mesh.axis_names if n in v)) if v else PartitionSpec()
      for v in res_vma[n_known_out:])
  known_out = tuple(s for s, u in zip(out_specs, out_unknowns) if not u) + res_specs
  known_outs = shard_map_p.bind(*kc, *known_vals, **_params(
      params, jaxpr=ClosedJaxpr(pe.convert_constvars_jaxpr(known_j), []),
      in_specs=(PartitionSpec(),) * len(kc) + known_in, out_specs=known_out))
  residuals = known_outs[n_known_out:]
  staged_in = (PartitionSpec(),) * len(sc) + res_specs + \
      tuple(s for s, u in zip(in_specs, unknowns) if u)
  staged_out = tuple(s for s, u in zip(out_specs, out_unknowns) if u)
  staged_outs = trace.stage(
      shard_map_p, [trace.pure(c) for c in sc] + [trace.pure(r) for r in residuals]
      + [t for t, u in zip(tracers, unknowns) if u],
      _params(params, jaxpr=ClosedJaxpr(pe.convert_constvars_jaxpr(staged_j), []),
              in_specs=staged_in, out_specs=staged_out))
  known_it, staged_it = iter(known_outs[:n_known_out]), iter(staged_outs)
  return [next(staged_it) if u else next(known_it) for u in out_unknowns]


def _partial_eval_custom(eqn, unknowns, saveable):
  """shard_map's ``partial_eval_jaxpr_custom`` rule (a shard_map inside a
  differentiated jit): a known shard_map that also returns the residuals and a
  staged one that reads them. As JAX does, a residual is returned split along
  its leading axis over the manual axes it varies over (every manual axis
  without check_vma), so each device reads its own back; a scalar one gets a
  length-1 axis first."""
  params = eqn.params
  closed, mesh, manual = params["jaxpr"], params["mesh"], params["newly_manual_axes"]
  in_specs, out_specs = params["in_specs"], params["out_specs"]
  n_consts = len(closed.consts)
  with _axis_env(mesh, params["check_vma"]):
    known, staged, out_unks, num_res = pe.partial_eval_jaxpr_custom(
        pe.convert_constvars_jaxpr(closed.jaxpr), [False] * n_consts + list(unknowns),
        saveable)
  n_known_out = len(known.outvars) - num_res
  known_in = tuple(s for s, u in zip(in_specs, unknowns) if not u)
  if params["check_vma"]:
    vma = varying_axes(known, [()] * n_consts + [_spec_axes(s) & manual for s in known_in])
    vma = vma[n_known_out:]
  else:
    vma = [manual] * num_res
  res_axes = [tuple(n for n in mesh.axis_names if n in v) for v in vma]
  singleton = [bool(ax) and not v.aval.shape for ax, v in
               zip(res_axes, known.outvars[n_known_out:])]
  if any(singleton):
    known, staged = _add_singletons(known, staged, singleton, mesh, params["check_vma"])
  res_specs = tuple(PartitionSpec(ax) if ax else PartitionSpec() for ax in res_axes)
  res_vars = [Var(unshard_aval(v.aval, spec, mesh))
              for v, spec in zip(known.outvars[n_known_out:], res_specs)]
  known_out = tuple(s for s, u in zip(out_specs, out_unks) if not u) + res_specs
  eqn_known = JaxprEqn(
      [a for a, u in zip(eqn.invars, unknowns) if not u],
      [v for v, u in zip(eqn.outvars, out_unks) if not u] + res_vars, shard_map_p,
      _params(params, jaxpr=pe.reclose(known, closed.consts), in_specs=known_in,
              out_specs=known_out), eqn.effects)
  eqn_staged = JaxprEqn(
      res_vars + [a for a, u in zip(eqn.invars, unknowns) if u],
      [v for v, u in zip(eqn.outvars, out_unks) if u], shard_map_p,
      _params(params, jaxpr=ClosedJaxpr(staged, ()),
              in_specs=res_specs + tuple(s for s, u in zip(in_specs, unknowns) if u),
              out_specs=tuple(s for s, u in zip(out_specs, out_unks) if u)), eqn.effects)
  return eqn_known, eqn_staged, out_unks, res_vars


def _add_singletons(known, staged, which, mesh, check_vma):
  """``known`` returns the residuals flagged in ``which`` with a leading
  length-1 axis and ``staged`` drops it again."""
  lax = _lax()
  n_res = len(which)
  n_known_out = len(known.outvars) - n_res

  def known_fun(*xs):
    outs = core.eval_jaxpr(known, [], *xs)
    return outs[:n_known_out] + [lax.expand_dims(r, (0,)) if w else r
                                 for r, w in zip(outs[n_known_out:], which)]

  def staged_fun(*xs):
    res = [lax.squeeze(r, (0,)) if w else r for r, w in zip(xs[:n_res], which)]
    return core.eval_jaxpr(staged, [], *res, *xs[n_res:])
  staged_avals = [v.aval.update(shape=(1,)) if w else v.aval
                  for v, w in zip(staged.invars[:n_res], which)]
  with _axis_env(mesh, check_vma):
    known_j, _, kc = pe.trace_to_jaxpr_dynamic(known_fun, [v.aval for v in known.invars])
    staged_j, _, sc = pe.trace_to_jaxpr_dynamic(
        staged_fun, staged_avals + [v.aval for v in staged.invars[n_res:]])
  assert not kc and not sc
  return known_j, staged_j


def _lax():
  from jaxlite import lax  # pylint: disable=g-import-not-at-top
  return lax


ad.primitive_jvps[shard_map_p] = _jvp
ad.primitive_transposes[shard_map_p] = _transpose
pe.partial_eval_jaxpr_custom_rules[shard_map_p] = _partial_eval_custom
pe.partial_eval_rules[shard_map_p] = _partial_eval


def _insert_batch_dim(spec: PartitionSpec, dim) -> PartitionSpec:
  parts = list(spec.partitions)
  if dim > len(parts):
    parts += [None] * (dim - len(parts))
  parts.insert(dim, None)
  return PartitionSpec(*parts)


def _batcher(axis_data, vals, dims, **params):
  # As JAX: batch axes stay where they are (the specs gain an unsplit entry
  # there) and the outputs' batch axes are wherever the body puts them.
  jaxpr, in_specs, out_specs = params["jaxpr"], params["in_specs"], params["out_specs"]
  in_axes = list(dims)
  with _axis_env(params["mesh"], params["check_vma"]):
    batched, out_axes = batching.batch_jaxpr_axes(jaxpr, axis_data, in_axes,
                                                  [batching.infer] * len(jaxpr.out_avals))
  new_in = tuple(s if d is batching.not_mapped else _insert_batch_dim(s, d)
                 for s, d in zip(in_specs, in_axes))
  new_out = tuple(s if d is batching.not_mapped else _insert_batch_dim(s, d)
                  for s, d in zip(out_specs, out_axes))
  outs = shard_map_p.bind(*vals, **_params(params, jaxpr=batched, in_specs=new_in,
                                           out_specs=new_out))
  return outs, list(out_axes)


batching.axis_primitive_batchers[shard_map_p] = _batcher


# --- the user-facing function -----------------------------------------------------------------------


class _Infer:
  def __repr__(self):
    return "Infer"


Infer = _Infer()


def _flat_specs(specs, tree, what, fun_name):
  is_leaf = lambda x: x is None or isinstance(x, PartitionSpec)  # noqa: E731
  if is_leaf(specs):
    return [specs] * tree.num_leaves
  try:
    full = tree_util.tree_broadcast(specs, tree_util.tree_unflatten(
        tree, [0] * tree.num_leaves), is_leaf=is_leaf)
  except ValueError:
    raise ValueError(
        f"shard_map {what} specification must be a tree prefix of the corresponding "
        f"{'args' if what == 'in_specs' else 'outputs'} of {fun_name}") from None
  return tree_util.tree_leaves(full, is_leaf=is_leaf)


def _check_spec_names(specs, manual, what):
  bad = [(i, n) for i, s in enumerate(specs) if s is not None
         for n in sorted(_spec_axes(s), key=str) if n not in manual]
  if bad:
    i, n = bad[0]
    raise ValueError(
        f"shard_map {what} argument must refer to an axis marked as manual "
        f"({frozenset(manual)}), but:\n\n  {what}[{i}] refers to {n!r}\n\n"
        f"Check the {what} values passed to shard_map.")


def _varargs_param(f):
  """``(name, number of positional parameters before it)`` of ``f``'s
  ``*args`` parameter, or None."""
  import inspect  # pylint: disable=g-import-not-at-top
  try:
    params = [p for p in inspect.signature(f).parameters.values()
              if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
  except (TypeError, ValueError):
    return None
  if params and params[-1].kind == params[-1].VAR_POSITIONAL:
    return params[-1].name, len(params) - 1
  return None


def _check_divisible(fun_name, mesh, avals, specs, names, varargs=None):
  sizes = dict(zip(mesh.axis_names, mesh.axis_sizes))
  for i, (aval, spec) in enumerate(zip(avals, specs)):
    if len(spec.partitions) > aval.ndim:
      raise ValueError(
          f"shard_map applied to the function '{fun_name}' was given an argument "
          f"array args[{i}] of shape {aval.str_short(short_dtypes=False)} whose rank is "
          f"smaller than its in_specs entry {spec}")
    for dim, axes in enumerate(_spec_axes_per_dim(spec, aval.ndim)):
      total = math.prod(sizes[n] for n in axes)
      if aval.shape[dim] % total:
        name = names[i] if names and i < len(names) else None
        bound = f", where args[{i}] is bound to {fun_name}'s parameter '{name}'" \
            if name else ""
        if varargs is not None and i >= varargs[1]:   # JAX's words for *args
          bound = (f", where args[{i}] is the index {i - varargs[1]} component of "
                   f"{fun_name}'s varargs parameter '{varargs[0]}'")
        axis_text = (f"mesh axis '{axes[0]}' (of size {sizes[axes[0]]})" if len(axes) == 1
                     else f"mesh axes {axes} (of total size {total})")
        raise ValueError(
            f"shard_map applied to the function '{fun_name}' was given argument arrays "
            "with axis sizes that are not evenly divisible by the corresponding mesh "
            f"axis sizes:\n\nThe mesh given has shape {tuple(mesh.axis_sizes)} with "
            f"corresponding axis names {tuple(mesh.axis_names)}.\n\n"
            f"the passed args[{i}] of shape {aval.str_short(short_dtypes=False)}{bound}, "
            f"corresponds to in_specs[{i}] of value {spec}, which maps array axis {dim} "
            f"(of size {aval.shape[dim]}) to {axis_text}, but {total} does not evenly "
            f"divide {aval.shape[dim]}\n\nArray arguments' axis sizes must be evenly "
            "divisible by the mesh axis or axes indicated by the corresponding elements "
            "of the argument's in_specs entry. Consider checking that in_specs are "
            "correct, and if so consider changing the mesh axis sizes or else padding "
            f"the input and adapting '{fun_name}' appropriately.")


def _vary_along(x, axes):
  """``x`` made to vary along ``axes`` too (JAX's implicit pvary of results)."""
  from jaxlite import config_guards  # pylint: disable=g-import-not-at-top
  missing = axes - getattr(core.get_aval(x), "vma", frozenset())
  if not missing or not config_guards.auto_pcast.value:
    return x
  return vma_lib.pvary(x, tuple(missing))


def _check_out_ranks(fun_name, out_specs, tree, out_avals, flat_specs):
  """JAX's ValueError for an out spec longer than its output's rank."""
  bad = [i for i, (a, s) in enumerate(zip(out_avals, flat_specs))
         if len(s.partitions) > a.ndim]
  if not bad:
    return
  is_leaf = lambda x: x is None or isinstance(x, PartitionSpec)  # noqa: E731
  out_paths = [tree_util.keystr(p) for p, _ in tree_util.tree_flatten_with_path(
      tree_util.tree_unflatten(tree, [0] * tree.num_leaves))[0]]
  spec_paths = [tree_util.keystr(p) for p, _ in
                tree_util.tree_flatten_with_path(out_specs, is_leaf=is_leaf)[0]]
  msgs = []
  for i in bad:
    key = max((k for k in spec_paths if out_paths[i].startswith(k)), key=len, default="")
    a, s = out_avals[i].update(vma=frozenset()), flat_specs[i]   # JAX shows no vma here
    msgs.append(
        f"* out_specs{key} is {s} which has length {len(s.partitions)}, but "
        f"{fun_name}(*args){out_paths[i]} has shape {a.str_short(short_dtypes=False)}, "
        f"which has rank {a.ndim} (and {a.ndim} < {len(s.partitions)})")
  if len(msgs) == 1:
    msgs = [msgs[0][2:]]
  msg = (f"shard_map applied to the function '{fun_name}' was given an out_specs entry "
         "which is too long to be compatible with the corresponding output value from "
         "the function:\n\n" + "\n\n".join(msgs) + "\n\nEntries in out_specs must be "
         "of length no greater than the number of axes in the corresponding output "
         f"value.\n\nEither revise the spec to be shorter, or modify '{fun_name}' so that "
         "its outputs have sufficient rank.")
  if any(not out_avals[i].ndim for i in bad):
    msg += ("\n\nFor scalar values (rank 0), consider using an out_specs entry of `P()`, "
            "where `P = jax.sharding.PartitionSpec`. In particular, for rank 0 outputs "
            "which are not constant over the mesh, add at least one (singleton) axis to "
            "them so that they can be concatenated using out_specs.")
  raise ValueError(msg)


def _vma_error(fun_name, mesh, failures):
  """JAX's message for outputs whose out spec claims a replication that the
  jaxpr does not show; ``failures`` is a list of (key text, spec, vma)."""
  def show(axes):
    return ",".join(str(n) for n in mesh.axis_names if n in axes)
  msgs = []
  for key, spec, vma in failures:
    unmentioned = [n for n in mesh.axis_names if n not in _spec_axes(spec)]
    if len(unmentioned) > 1:
      diff = [n for n in unmentioned if n in vma]
      msgs.append(
          f"* out_specs{key} is {spec} which implies that the corresponding output value "
          f"is only varying across mesh axes {{{show(_spec_axes(spec))}}} and not "
          f"{{{show(diff)}}}, but it was inferred to be possibly varying over {{{show(vma)}}}")
    else:
      msgs.append(
          f"* out_specs{key} is {spec} which implies that the corresponding output value "
          f"is replicated across mesh axis '{unmentioned[0]}', but could not infer "
          "replication over any axes")
  if len(msgs) == 1:
    msgs = [msgs[0][2:]]
  return ValueError(
      f"shard_map applied to the function '{fun_name}' was given out_specs which require "
      "replication which can't be statically inferred given the mesh:\n\nThe mesh "
      f"given has shape {tuple(mesh.axis_sizes)} with corresponding axis names "
      f"{tuple(mesh.axis_names)}.\n\n" + "\n\n".join(msgs) + "\n\nCheck if these "
      "output values are meant to be replicated over those mesh axes. If not, consider "
      "revising the corresponding out_specs entries. If so, consider disabling the check "
      "by passing the check_vma=False argument to `jax.shard_map`.")


def shard_map(f: Callable | None = None, /, *, out_specs, in_specs=Infer, mesh=None,
              axis_names=frozenset(), check_vma: bool = True):
  """Maps ``f`` over the shards of its arguments on a mesh of devices.

  Args:
    f: the per-device function; it sees each argument's block on its device.
    out_specs: a PartitionSpec (or pytree prefix of the outputs of them):
      how the per-device results are assembled into global arrays.
    in_specs: a PartitionSpec or pytree prefix of the arguments of them.
    mesh: the ``Mesh`` (default: the one set by ``jax.set_mesh``).
    axis_names: the mesh axes that are manual inside ``f`` (default: all).
    check_vma: check that outputs are invariant over the mesh axes their
      out specs do not name, and differentiate psum as JAX does.

  Returns:
    The mapped function.

  Example:
    >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
    >>> from jaxlite.sharding import Mesh, PartitionSpec as P
    >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('i',))
    >>> shard_map(lambda x: x * 2, mesh=mesh, in_specs=P('i'), out_specs=P('i'))(
    ...     jnp.arange(3.0))
    Array([0., 2., 4.], dtype=float32)
  """
  if f is None:
    return functools.partial(shard_map, out_specs=out_specs, in_specs=in_specs, mesh=mesh,
                             axis_names=axis_names, check_vma=check_vma)
  api_util.check_callable(f)
  fun_name = api_util.fun_name(f)

  @functools.wraps(f)
  @api_boundary
  def wrapped(*args):
    the_mesh = mesh if mesh is not None else mesh_lib.get_concrete_mesh()
    if the_mesh is None or the_mesh.empty:
      raise ValueError("The context mesh cannot be empty. Use `jax.set_mesh(mesh)` to "
                       "enter into a mesh context")
    # Built as JAX builds it (the mesh's names minus those vmap made explicit:
    # a copy in iteration order), so its printed order in errors is JAX's.
    manual = frozenset(axis_names) if axis_names else \
        frozenset(iter(frozenset(the_mesh.axis_names)))
    flat_args, in_tree = tree_util.tree_flatten((args, {}))
    avals = [core.raise_to_shaped(core.get_aval(x)) for x in flat_args]
    if in_specs is Infer:
      specs = [x.sharding.spec if hasattr(getattr(x, "sharding", None), "spec")
               else PartitionSpec() for x in flat_args]
    else:
      specs = _flat_specs(tuple(in_specs) if isinstance(in_specs, list) else in_specs,
                          tree_util.tree_structure(args), "in_specs", fun_name)
      specs = [PartitionSpec() if s is None else s for s in specs]
    _check_spec_names(specs, manual, "in_specs")
    try:
      names = api_util.arg_names(f, args, {})
    except Exception:  # pylint: disable=broad-except
      names = None
    _check_divisible(fun_name, the_mesh, avals, specs, names, _varargs_param(f))
    flat_fun, out_tree = api_util.flatten_fun(f, in_tree)
    in_avals = [shard_aval(a, s, the_mesh) for a, s in zip(avals, specs)]
    if check_vma:
      in_avals = [a.update(vma=_spec_vma(s) | a.vma) for a, s in zip(in_avals, specs)]

    def flat_out_specs_of(tree):
      flat = _flat_specs(out_specs, tree, "out_specs", fun_name)
      return [PartitionSpec() if s is None else s for s in flat]

    def body_fun(*xs):
      outs = flat_fun(*xs)
      if not check_vma:
        return outs
      # As JAX: each result is made to vary along the axes its out spec
      # splits it over (pvary), so its cotangent arrives typed as such.
      return [_vary_along(o, _spec_vma(s))
              for o, s in zip(outs, flat_out_specs_of(out_tree.val))]
    with _axis_env(the_mesh, check_vma):
      body, out_avals, consts = pe.trace_to_jaxpr_dynamic(body_fun, in_avals)
    body = pe.convert_constvars_jaxpr(body)
    n_consts = len(consts)
    all_specs = [PartitionSpec()] * n_consts + specs
    if check_vma:
      body = _rewrite_psums(body)
    flat_out_specs = flat_out_specs_of(out_tree.val)
    _check_spec_names(flat_out_specs, manual, "out_specs")
    _check_out_ranks(fun_name, out_specs, out_tree.val, out_avals, flat_out_specs)
    if check_vma:
      vma = varying_axes(body, [_spec_axes(s) & manual for s in all_specs])
      single = isinstance(out_specs, PartitionSpec)
      failures = [("" if single else f"[{i}]", spec, v)
                  for i, (spec, v) in enumerate(zip(flat_out_specs, vma))
                  if v - _spec_axes(spec)]
      if failures:
        raise _vma_error(fun_name, the_mesh, failures)
    closed = ClosedJaxpr(body, [])
    outs = shard_map_p.bind(*consts, *flat_args, jaxpr=closed, mesh=the_mesh,
                            in_specs=tuple(all_specs), out_specs=tuple(flat_out_specs),
                            check_vma=check_vma, newly_manual_axes=manual)
    return tree_util.tree_unflatten(out_tree.val, outs)

  return wrapped
