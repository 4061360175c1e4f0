"""State discharge: a jaxpr that uses refs becomes one on plain values.

XLA has no mutable buffers inside a program, so before a jaxpr with refs is
lowered (or transposed) each ref is replaced by the value it holds at each
point: a read indexes that value, a write makes an updated copy (which XLA
turns back into an in-place update). A jaxpr whose inputs include refs gets
one more output per such input: the ref's final value, which the caller
writes back into the ref (``call_with_refs``).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> def f(x):
  ...   r = jaxlite.new_ref(x)
  ...   r[0] = 2.0
  ...   return r[...] * 2
  >>> jaxpr = jaxlite.make_jaxpr(f)(jnp.ones(2)).jaxpr
  >>> discharged, consts = discharge_with_consts(jaxpr)
  >>> [e.primitive.name for e in discharged.eqns]
  ['slice', 'squeeze', 'broadcast_in_dim', 'scatter', 'mul']
"""
from __future__ import annotations

import weakref

from jaxlite import core
from jaxlite.core import ClosedJaxpr, Jaxpr, Literal
from jaxlite.numpy.dynamic_slice_index import Slice
from jaxlite.state import primitives as prims
from jaxlite.state.types import AbstractRef, NDIndexer, Ref, RefEffect, is_ref_type

# --- the value-level meaning of reads and writes ------------------------------------------


def read_value(value, indexer: NDIndexer | None):
  """``value[indexer]``."""
  if indexer is None:
    return value
  from jaxlite.numpy import indexing
  return indexing.getitem(value, indexer.as_numpy_index())


def _update(value, indexer: NDIndexer, update):
  """``value`` with ``update(old_part) -> new_part`` applied at ``indexer``.
  A Slice with a traced start is a dynamic window: it is cut out, updated and
  put back (``dynamic_slice``/``dynamic_update_slice``, start clamped as JAX's)."""
  from jaxlite import lax
  from jaxlite.numpy import indexing
  for axis, i in enumerate(indexer.indices):
    if isinstance(i, Slice) and i.is_dynamic_start:
      extent = (i.size - 1) * i.stride + 1 if i.size else 0
      window = lax.dynamic_slice_in_dim(value, i.start, extent, axis)
      inner = list(indexer.indices)
      inner[axis] = Slice(0, i.size, i.stride)
      shape = list(indexer.shape)
      shape[axis] = extent
      window = _update(window, NDIndexer(tuple(inner), tuple(shape)), update)
      return lax.dynamic_update_slice_in_dim(value, window, i.start, axis)
  # Without integer-array indices every element is written once: the scatter
  # can say so (which also makes it transposable).
  unique = all(isinstance(i, Slice) or getattr(i, "shape", ()) == ()
               for i in indexer.indices)
  return update(indexing.IndexUpdateHelper(value)[indexer.as_numpy_index()], unique)


def swap_value(value, new, indexer: NDIndexer | None):
  """``(value[indexer], value with value[indexer] = new)``."""
  if indexer is None:
    return value, new
  old = read_value(value, indexer)
  return old, _update(value, indexer, lambda at, unique: at.set(new, unique_indices=unique))


def addupdate_value(value, delta, indexer: NDIndexer | None):
  """``value`` with ``value[indexer] += delta`` (repeated indices accumulate)."""
  if indexer is None:
    from jaxlite import lax
    return lax.add(value, delta)
  return _update(value, indexer, lambda at, unique: at.add(delta, unique_indices=unique))


# --- discharging a jaxpr ----------------------------------------------------------------


class _Cell:
  """The current value of one ref while a jaxpr is discharged."""
  __slots__ = ("value",)

  def __init__(self, value):
    self.value = value


def _eval_discharged(jaxpr: Jaxpr, args):
  """Evaluates ``jaxpr`` (constvars then invars bound to ``args``; a ref
  input bound to its value) with refs as cells; returns the outputs and the
  final values of the ref inputs."""
  env = {}

  def read(atom):
    return core.literal_value(atom) if type(atom) is Literal else env[atom]

  binders = list(jaxpr.constvars) + list(jaxpr.invars)
  ref_cells = []
  for v, x in zip(binders, args):
    if is_ref_type(v.aval):
      env[v] = _Cell(x)
      ref_cells.append(env[v])
    else:
      env[v] = x
  for eqn in jaxpr.eqns:
    rule = _discharge_rules.get(eqn.primitive)
    ins = [read(a) for a in eqn.invars]
    if rule is not None:
      outs = rule(eqn, *ins)
    elif any(isinstance(x, _Cell) for x in ins):
      _raise_no_rule(eqn, ins)
    else:
      outs = eqn.primitive.bind(*ins, **eqn.params)
      if not eqn.primitive.multiple_results:
        outs = [outs]
    for v, o in zip(eqn.outvars, outs):
      env[v] = o
  outs = [read(v) for v in jaxpr.outvars]
  if any(isinstance(o, _Cell) for o in outs):
    raise ValueError("a discharged jaxpr cannot return a mutable array reference")
  return outs, [c.value for c in ref_cells]


def _raise_no_rule(eqn, ins):
  """JAX's errors for a ref reaching a primitive that cannot take one: an
  operation on arrays (a ref not read with ``[...]``), or a call such as
  ``custom_jvp`` closing over a ref, which has no discharge rule."""
  if not any(isinstance(v, (Jaxpr, ClosedJaxpr)) for v in eqn.params.values()):
    aval = next(v.aval for v, x in zip(eqn.invars, ins) if isinstance(x, _Cell))
    raise ValueError(f"Attempting to pass a Ref {aval} to a primitive: {eqn.primitive} "
                     "-- did you forget to unpack ([...]) the ref?")
  raise NotImplementedError(
      f"No state discharge rule implemented for primitive: {eqn.primitive}")


def _discharge_get(eqn, cell, *idx):
  return [read_value(cell.value, prims.indexer_of(eqn.params["tree"], idx))]


def _discharge_swap(eqn, cell, val, *idx):
  old, cell.value = swap_value(cell.value, val, prims.indexer_of(eqn.params["tree"], idx))
  return [old]


def _discharge_addupdate(eqn, cell, val, *idx):
  cell.value = addupdate_value(cell.value, val, prims.indexer_of(eqn.params["tree"], idx))
  return []


def _discharge_empty_ref(eqn):
  from jaxlite.interpreters import ad
  return [_Cell(ad.zeros_like_aval(eqn.params["ty"]))]


def discharge_call(eqn, *ins, is_cell):
  """A call (``jit``, ``checkpoint``'s ``remat2``) whose operands include refs
  (cells): its jaxpr discharged, the refs' final values read back from its
  extra outputs."""
  call_p = eqn.primitive
  cells = [x for x in ins if is_cell(x)]
  if not cells:
    return call_p.bind(*ins, **eqn.params)
  inner = discharged_closed_jaxpr(eqn.params["jaxpr"])
  params = dict(eqn.params, jaxpr=inner)
  outs = call_p.bind(*[x.value if is_cell(x) else x for x in ins], **params)
  n_out = len(eqn.outvars)
  for cell, final in zip(cells, outs[n_out:]):
    cell.value = final
  return outs[:n_out]


def _register_discharge_rules():
  from jaxlite.checkpoint import remat_p
  from jaxlite.interpreters.pjit import jit_p
  from jaxlite.lax.control_flow.conditionals import cond_p
  from jaxlite.lax.control_flow.loops import while_p
  from jaxlite.lax.control_flow.scan import scan_p
  from jaxlite.state import control_flow
  is_cell = lambda x: isinstance(x, _Cell)
  return {
      cond_p: lambda eqn, *ins: control_flow.discharge_cond(eqn, *ins, is_cell=is_cell),
      while_p: lambda eqn, *ins: control_flow.discharge_while(eqn, *ins, is_cell=is_cell),
      scan_p: lambda eqn, *ins: control_flow.discharge_scan(eqn, *ins, is_cell=is_cell),
      prims.new_ref_p: lambda eqn, x: [_Cell(x)],
      prims.empty_ref_p: _discharge_empty_ref,
      prims.freeze_p: lambda eqn, cell: [cell.value],
      prims.free_ref_p: lambda eqn, cell: [],
      prims.get_p: _discharge_get,
      prims.swap_p: _discharge_swap,
      prims.addupdate_p: _discharge_addupdate,
      jit_p: lambda eqn, *ins: discharge_call(eqn, *ins, is_cell=is_cell),
      remat_p: lambda eqn, *ins: discharge_call(eqn, *ins, is_cell=is_cell),
  }


_discharge_rules = _register_discharge_rules()


def _inner_aval(aval):
  return aval.inner_aval if is_ref_type(aval) else aval


def discharge_jaxpr(jaxpr: Jaxpr) -> Jaxpr:
  """``jaxpr`` on plain values (see ``discharge_with_consts``), for a jaxpr
  whose discharge needs no new constants."""
  out, consts = discharge_with_consts(jaxpr)
  if consts:
    raise ValueError("discharge produced constants; use discharge_with_consts")
  return out


def discharge_with_consts(jaxpr: Jaxpr):
  """``jaxpr`` on plain values: its constvars and invars keep their order (a
  ref-typed one now takes the ref's value) and after its outputs come the
  final values of its ref-typed constvars and invars, in that order. Returns
  ``(jaxpr, new_consts)``: constants the rewrite made (index arrays) are
  constvars after the original ones."""
  from jaxlite.interpreters import partial_eval as pe
  n_const = len(jaxpr.constvars)
  in_avals = [_inner_aval(v.aval) for v in list(jaxpr.constvars) + list(jaxpr.invars)]

  def fun(*args):
    outs, finals = _eval_discharged(jaxpr, args)
    return outs + finals

  traced, _, new_consts = pe.trace_to_jaxpr_dynamic(fun, in_avals)
  constvars = traced.invars[:n_const] + traced.constvars
  out = traced.replace(constvars=constvars, invars=traced.invars[n_const:],
                       effects=frozenset(e for e in traced.effects
                                         if type(e) is not RefEffect))
  return out, new_consts


_discharged_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def discharged_closed_jaxpr(closed: ClosedJaxpr) -> ClosedJaxpr:
  """The discharge of a closed jaxpr (cached per jaxpr). Ref-typed constants
  are not allowed here (a jit call site passes them as arguments)."""
  hit = _discharged_cache.get(closed)
  if hit is not None:
    return hit
  jaxpr, new_consts = discharge_with_consts(closed.jaxpr)
  out = ClosedJaxpr(jaxpr, list(closed.consts) + list(new_consts))
  _discharged_cache[closed] = out
  return out


def has_refs(jaxpr: Jaxpr) -> bool:
  return any(type(e) is RefEffect for e in jaxpr.effects) or any(
      is_ref_type(v.aval) for v in list(jaxpr.constvars) + list(jaxpr.invars))


def _discharge_for_lowering(jaxpr: Jaxpr, consts):
  """The hook ``core.discharge_effects`` runs before a jaxpr is lowered or
  transposed: a jaxpr whose refs are all its own gets the same signature."""
  if any(is_ref_type(v.aval) for v in list(jaxpr.constvars) + list(jaxpr.invars)):
    return jaxpr, consts   # refs from outside: their caller discharges them
  out, new_consts = discharge_with_consts(jaxpr)
  return out, list(consts) + list(new_consts)


core.effect_dischargers[RefEffect] = _discharge_for_lowering


# --- jit calls with refs as arguments -------------------------------------------------


class RefCallSite:
  """How a jit cache entry whose program takes refs runs (it sits in the
  entry's ``spmd`` slot, the general call path's hook): the discharged
  program is called on the refs' values and the refs take their final values."""
  given = False
  has_mesh = False
  always_handles = True   # its None is a result (a function returning None)
  takes_refs = True   # jaxlite.stages lowers and calls it through jaxlite.state.staged

  def call(self, entry, flat_args):
    from jaxlite import tree_util
    outs = call_with_refs(entry.closed_jaxpr, list(entry.consts) + list(flat_args),
                          entry.name)
    return tree_util.tree_unflatten(entry.out_tree, outs)


def takes_refs(closed: ClosedJaxpr) -> bool:
  return any(is_ref_type(a) for a in closed.in_avals)


def call_with_refs(closed: ClosedJaxpr, args, name):
  """Runs ``closed`` (whose inputs may be refs) on ``args``; returns its outputs."""
  from jaxlite.interpreters.pjit import jit_p
  discharged = discharged_closed_jaxpr(closed)
  refs = [a for a, aval in zip(args, closed.in_avals) if is_ref_type(aval)]
  vals = [a._array if type(a) is Ref else
          prims.freeze_p.bind(a) if is_ref_type(aval) else a
          for a, aval in zip(args, closed.in_avals)]
  outs = jit_p.bind(*vals, jaxpr=discharged, name=name)
  n_out = len(closed.out_avals)
  for ref, final in zip(refs, outs[n_out:]):
    if type(ref) is Ref:
      ref._array = final
    else:   # a ref of an enclosing transformation: written through its rules
      prims.ref_set(ref, ..., final)
  return list(outs[:n_out])


def apply_with_refs(primitive, args, params):
  """An eager primitive given refs as operands (e.g. a loop whose body
  writes a ref): staged alone, discharged, run, and the refs updated."""
  from jaxlite.interpreters import partial_eval as pe

  def one(*xs):
    out = primitive.bind(*xs, **params)
    return list(out) if primitive.multiple_results else [out]
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(one, [core.get_aval(a) for a in args])
  outs = call_with_refs(pe.closed_call_jaxpr(jaxpr, consts), args, primitive.name)
  return outs if primitive.multiple_results else outs[0]


def _function_text(fun) -> str:
  code = getattr(fun, "__code__", None)
  name = getattr(fun, "__name__", str(fun))
  return f"{name} at {code.co_filename}:{code.co_firstlineno}" if code else name


def check_jit_refs(fun, flat_args, arg_names, jaxpr: Jaxpr, consts=()) -> bool:
  """JAX's errors for refs at a jit boundary (a ref passed twice, or passed and
  also closed over, a ref returned); whether the program takes refs (as
  arguments or constants)."""
  seen = {}
  name = lambda k: arg_names[k] if arg_names and k < len(arg_names) else f"[{k}]"
  for i, x in enumerate(flat_args):
    if isinstance(x, Ref) and type(x) is Ref:
      if id(x) in seen:
        raise ValueError(
            "only one reference to a mutable array may be passed as an argument to a "
            f"function, but when tracing {_function_text(fun)} for jit the mutable array "
            f"reference of type {x.aval} appeared at both {name(seen[id(x)])} and {name(i)}.")
      seen[id(x)] = i
  if seen and consts:
    from jaxlite.state.aliased_refs import check_closed_over
    check_closed_over(fun, "jit", consts, seen, name)
  for var in jaxpr.outvars:
    if isinstance(var.aval, AbstractRef):
      msg = (f"function {_function_text(fun)} traced for jit returned a mutable array "
             f"reference of type {var.aval}, but mutable array references cannot be "
             "returned.")
      if var in jaxpr.invars and arg_names:
        k = jaxpr.invars.index(var)
        if k < len(arg_names) and arg_names[k]:
          msg += f"\n\nThe returned mutable array was passed in as the argument {arg_names[k]}."
      elif var in prims.creation_sites:
        msg += f"\n\nThe returned mutable array was created on line {prims.creation_sites[var]}."
      raise ValueError(msg)
  return any(is_ref_type(v.aval) for v in list(jaxpr.constvars) + list(jaxpr.invars))


# --- jit calls under differentiation ------------------------------------------------------


def _discharging_jvp(jvp_rule):
  """A call's (jit, checkpoint) JVP rule, given the discharged body when the
  body's refs are all its own: the JVP, partial evaluation and transpose then
  see plain values."""
  def rule(primals, tangents, *, jaxpr, **params):
    if jaxpr.effects and not takes_refs(jaxpr) and has_refs(jaxpr.jaxpr):
      jaxpr = discharged_closed_jaxpr(jaxpr)
    return jvp_rule(primals, tangents, jaxpr=jaxpr, **params)
  return rule


def _register_jit_rules():
  from jaxlite.checkpoint import remat_p
  from jaxlite.interpreters import ad
  from jaxlite.interpreters import pjit
  from jaxlite.interpreters.pjit import jit_p
  for p in (jit_p, remat_p):   # calls whose body may make and use its own refs
    ad.primitive_jvps[p] = _discharging_jvp(ad.primitive_jvps[p])
  from jaxlite.state import control_flow
  control_flow.register_rules()
  # The layers below meet refs through these hooks instead of probing sys.modules.
  import sys
  from jaxlite.lax.control_flow import common
  from jaxlite.state.returned_refs import check_no_returned_refs
  pjit.register_ref_calls(sys.modules[__name__])
  common.register_returned_ref_check(check_no_returned_refs)
  from jaxlite.state.aliased_refs import check_ref_arguments
  common.register_ref_argument_check(check_ref_arguments)


_register_jit_rules()
