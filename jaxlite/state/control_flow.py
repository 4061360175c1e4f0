"""Discharge of refs that control flow (``cond``, ``while``, ``scan``) reads
or writes: each ref becomes an operand (``cond``) or a loop carry (``while``,
``scan``) holding its value, and its final value is written back.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> def total(x):
  ...   acc = jaxlite.new_ref(jnp.zeros(()))
  ...   def body(i, carry):
  ...     acc[...] += x[i]
  ...     return carry
  ...   jaxlite.lax.fori_loop(0, 3, body, None)
  ...   return acc[...]
  >>> jaxlite.jit(total)(jnp.arange(3.0))
  Array(3., dtype=float32)
"""
from __future__ import annotations

from jaxlite import core
from jaxlite.state.types import is_ref_type


def _inner(aval):
  return aval.inner_aval if is_ref_type(aval) else aval


def _closed(fun, in_avals):
  from jaxlite.interpreters import partial_eval as pe
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(fun, [_inner(a) for a in in_avals])
  return pe.closed_call_jaxpr(jaxpr, consts)


def _unique_cells(values, is_cell):
  cells = []
  for v in values:
    if is_cell(v) and not any(v is c for c in cells):
      cells.append(v)
  return cells


def _index_of(cells, cell):
  return next(k for k, c in enumerate(cells) if c is cell)


def _write_back(cells, finals):
  for cell, final in zip(cells, finals):
    cell.value = final


def _run_discharged(closed, args):
  """``closed`` discharged, on ``args`` (ref values in the refs' places):
  its outputs, then the final values of its ref inputs."""
  from jaxlite.state.discharge import discharged_closed_jaxpr
  d = discharged_closed_jaxpr(closed)
  return core.eval_jaxpr(d.jaxpr, d.consts, *args)


def discharge_cond(eqn, index, *ops, is_cell):
  from jaxlite.state.discharge import discharged_closed_jaxpr
  cells = [x for x in ops if is_cell(x)]
  if not cells:
    return eqn.primitive.bind(index, *ops, **eqn.params)
  branches = tuple(discharged_closed_jaxpr(b) for b in eqn.params["branches"])
  outs = eqn.primitive.bind(index, *[x.value if is_cell(x) else x for x in ops],
                            **dict(eqn.params, branches=branches))
  n_out = len(eqn.outvars)
  _write_back(cells, outs[n_out:])
  return outs[:n_out]


def discharge_while(eqn, *ins, is_cell):
  p = eqn.params
  n_cc, n_bc = p["cond_nconsts"], p["body_nconsts"]
  cconsts, bconsts, carry = ins[:n_cc], ins[n_cc:n_cc + n_bc], ins[n_cc + n_bc:]
  if any(is_cell(x) for x in carry):
    raise NotImplementedError("a mutable array reference carried by a while loop")
  cells = _unique_cells(list(cconsts) + list(bconsts), is_cell)
  if not cells:
    return eqn.primitive.bind(*ins, **p)
  cond, body = p["cond_jaxpr"], p["body_jaxpr"]
  c_plain = [x for x in cconsts if not is_cell(x)]
  b_plain = [x for x in bconsts if not is_cell(x)]
  n_carry = len(carry)

  def refill(consts, plain, ref_values):
    plain = iter(plain)
    return [ref_values[_index_of(cells, x)] if is_cell(x) else next(plain) for x in consts]

  def new_cond(*args):
    plain, rest = args[:len(c_plain)], args[len(c_plain):]
    carry_in, ref_values = rest[:n_carry], rest[n_carry:]
    return _run_discharged(cond, refill(cconsts, plain, ref_values) + list(carry_in))[:1]

  def new_body(*args):
    plain, rest = args[:len(b_plain)], args[len(b_plain):]
    carry_in, ref_values = rest[:n_carry], list(rest[n_carry:])
    outs = _run_discharged(body, refill(bconsts, plain, ref_values) + list(carry_in))
    finals = iter(outs[n_carry:])
    for x in bconsts:
      if is_cell(x):
        ref_values[_index_of(cells, x)] = next(finals)
    return list(outs[:n_carry]) + ref_values

  carry_avals = list(body.out_avals)
  ref_avals = [core.get_aval(c.value) for c in cells]
  c_avals = [a for a, x in zip(cond.in_avals, cconsts) if not is_cell(x)]
  b_avals = [a for a, x in zip(body.in_avals, bconsts) if not is_cell(x)]
  new_cond_jaxpr = _closed(new_cond, c_avals + carry_avals + ref_avals)
  new_body_jaxpr = _closed(new_body, b_avals + carry_avals + ref_avals)
  outs = eqn.primitive.bind(*c_plain, *b_plain, *carry, *[c.value for c in cells],
                            **dict(p, cond_jaxpr=new_cond_jaxpr, body_jaxpr=new_body_jaxpr,
                                   cond_nconsts=len(c_plain), body_nconsts=len(b_plain)))
  _write_back(cells, outs[n_carry:])
  return outs[:n_carry]


def discharge_scan(eqn, *ins, is_cell):
  p = eqn.params
  n_consts, n_carry = p["num_consts"], p["num_carry"]
  consts, carry, xs = ins[:n_consts], ins[n_consts:n_consts + n_carry], ins[n_consts + n_carry:]
  if any(is_cell(x) for x in list(carry) + list(xs)):
    raise NotImplementedError("a mutable array reference carried or scanned over by scan")
  cells = _unique_cells(consts, is_cell)
  if not cells:
    return eqn.primitive.bind(*ins, **p)
  body = p["jaxpr"]
  plain = [x for x in consts if not is_cell(x)]
  n_plain, n_cells = len(plain), len(cells)

  def new_body(*args):
    plain_in = iter(args[:n_plain])
    carry_in = args[n_plain:n_plain + n_carry]
    ref_values = list(args[n_plain + n_carry:n_plain + n_carry + n_cells])
    xs_in = args[n_plain + n_carry + n_cells:]
    full = [ref_values[_index_of(cells, x)] if is_cell(x) else next(plain_in) for x in consts]
    outs = _run_discharged(body, full + list(carry_in) + list(xs_in))
    n_out = len(body.out_avals)
    carry_out, ys, finals = outs[:n_carry], outs[n_carry:n_out], iter(outs[n_out:])
    for x in consts:
      if is_cell(x):
        ref_values[_index_of(cells, x)] = next(finals)
    return list(carry_out) + ref_values + list(ys)

  in_avals = body.in_avals
  plain_avals = [a for a, x in zip(in_avals[:n_consts], consts) if not is_cell(x)]
  ref_avals = [core.get_aval(c.value) for c in cells]
  new_jaxpr = _closed(new_body, plain_avals + list(in_avals[n_consts:n_consts + n_carry])
                      + ref_avals + list(in_avals[n_consts + n_carry:]))
  outs = eqn.primitive.bind(*plain, *carry, *[c.value for c in cells], *xs,
                            **dict(p, jaxpr=new_jaxpr, num_consts=n_plain,
                                   num_carry=n_carry + n_cells))
  _write_back(cells, outs[n_carry:n_carry + n_cells])
  return list(outs[:n_carry]) + list(outs[n_carry + n_cells:])


# --- loops over refs under differentiation -----------------------------------------------


class _RefCell:
  """A ref seen as a discharge cell: reading ``value`` reads the ref, setting
  it writes the ref (through the enclosing transformations' rules)."""
  __slots__ = ("ref",)

  def __init__(self, ref):
    self.ref = ref

  @property
  def value(self):
    from jaxlite.state import primitives
    return primitives.ref_get(self.ref, ...)

  @value.setter
  def value(self, new):
    from jaxlite.state import primitives
    primitives.ref_set(self.ref, ..., new)


class _Equation:
  """What the discharge rules read of an equation, for a primitive applied
  directly (not from a jaxpr)."""
  __slots__ = ("primitive", "params", "outvars")

  def __init__(self, primitive, params, n_out):
    self.primitive, self.params, self.outvars = primitive, params, [None] * n_out


def _rules():
  from jaxlite.state.discharge import discharge_jit_call
  return {"cond": discharge_cond, "while": discharge_while, "scan": discharge_scan,
          "jit": discharge_jit_call}


def _on_values(primitive, params, n_out):
  """``primitive`` applied to operands some of which are refs, as a function
  of the operands: the refs are read into values, the primitive runs on
  values and the refs are written back (see _RefCell)."""
  rule = _rules()[primitive.name]

  def run(*ops):
    cells = [_RefCell(x) if is_ref_type(core.get_aval(x)) else x for x in ops]
    return list(rule(_Equation(primitive, params, n_out), *cells,
                     is_cell=lambda x: isinstance(x, _RefCell)))
  return run


def _n_out(params):
  """How many results a call, loop or cond has: its (body's) outputs."""
  body = params.get("jaxpr") or params.get("body_jaxpr") or params["branches"][0]
  return len(body.out_avals)


def _discharging_jvp(primitive, jvp_rule):
  """The JVP rule of a call, loop or cond given refs: the refs become values
  (read before, written after) and the primitive is differentiated on values."""
  def rule(primals, tangents, **params):
    if not any(is_ref_type(core.get_aval(p)) for p in primals):
      return jvp_rule(primals, tangents, **params)
    from jaxlite.interpreters import ad
    return ad.jvp_flat(_on_values(primitive, params, _n_out(params)),
                       primals, tangents)
  return rule


def _discharging_batcher(primitive, batching, axis_rule):
  """vmap of a call, loop or cond given refs: batched on the refs' values."""
  def rule(axis_data, vals, dims, **params):
    if not any(is_ref_type(core.get_aval(v)) for v in vals):
      return axis_rule(axis_data, vals, dims, **params)
    run = _on_values(primitive, params, _n_out(params))
    return batching.batch_flat(run, axis_data, vals, dims,
                               lambda: [batching.infer] * _n_out(params))
  return rule


def register_rules():
  from jaxlite.interpreters import ad, batching
  from jaxlite.interpreters.pjit import jit_p
  from jaxlite.lax.control_flow.conditionals import cond_p
  from jaxlite.lax.control_flow.loops import while_p
  from jaxlite.lax.control_flow.scan import scan_p
  for p in (cond_p, while_p, scan_p, jit_p):
    ad.primitive_jvps[p] = _discharging_jvp(p, ad.primitive_jvps[p])
    batching.axis_primitive_batchers[p] = _discharging_batcher(
        p, batching, batching.axis_primitive_batchers[p])
