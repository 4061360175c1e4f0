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

import numpy as np

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


def _cut(values, *sizes):
  """``values`` cut into pieces of ``sizes`` and the rest: ``_cut(range(5), 1, 2)``
  gives ``[range(0, 1), range(1, 3), range(3, 5)]``."""
  pieces, start = [], 0
  for size in sizes:
    pieces.append(values[start:start + size])
    start += size
  return pieces + [values[start:]]


class _LoopConsts:
  """A loop body's consts, some of them ref cells: the plain ones stay consts of
  the discharged loop, the cells' values travel as extra carries (one per
  distinct cell, in ``cells``' order, shared by cond and body)."""

  def __init__(self, consts, cells, is_cell):
    self.consts, self.cells, self.is_cell = consts, cells, is_cell
    self.plain = [x for x in consts if not is_cell(x)]

  def plain_avals(self, const_avals):
    """The avals of the plain consts, from the avals of all the consts."""
    return [a for a, x in zip(const_avals, self.consts) if not self.is_cell(x)]

  def run(self, closed, plain, ref_values, rest):
    """The discharged ``closed`` on the consts refilled (plain values and the
    cells' current values, in the consts' order) and then ``rest``."""
    plain = iter(plain)
    consts = [ref_values[_index_of(self.cells, x)] if self.is_cell(x) else next(plain)
              for x in self.consts]
    return _run_discharged(closed, consts + list(rest))

  def updated(self, ref_values, finals):
    """``ref_values`` (a new list) with each ref const's final value in its cell's place."""
    ref_values, finals = list(ref_values), iter(finals)
    for x in self.consts:
      if self.is_cell(x):
        ref_values[_index_of(self.cells, x)] = next(finals)
    return ref_values


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
  cconsts, bconsts, carry = _cut(ins, p["cond_nconsts"], p["body_nconsts"])
  if any(is_cell(x) for x in carry):
    raise ValueError("a mutable array reference cannot be a while_loop carry")   # (tracing rejects it)
  cells = _unique_cells(list(cconsts) + list(bconsts), is_cell)
  if not cells:
    return eqn.primitive.bind(*ins, **p)
  cond, body = p["cond_jaxpr"], p["body_jaxpr"]
  c_consts, b_consts = _LoopConsts(cconsts, cells, is_cell), _LoopConsts(bconsts, cells, is_cell)
  n_carry = len(carry)

  def new_cond(*args):
    plain, carry_in, ref_values = _cut(args, len(c_consts.plain), n_carry)
    return c_consts.run(cond, plain, ref_values, carry_in)[:1]

  def new_body(*args):
    plain, carry_in, ref_values = _cut(args, len(b_consts.plain), n_carry)
    outs = b_consts.run(body, plain, ref_values, carry_in)
    return list(outs[:n_carry]) + b_consts.updated(ref_values, outs[n_carry:])

  carry_avals = list(body.out_avals)
  ref_avals = [core.get_aval(c.value) for c in cells]
  c_avals = c_consts.plain_avals(cond.in_avals)
  b_avals = b_consts.plain_avals(body.in_avals)
  new_cond_jaxpr = _closed(new_cond, c_avals + carry_avals + ref_avals)
  new_body_jaxpr = _closed(new_body, b_avals + carry_avals + ref_avals)
  outs = eqn.primitive.bind(*c_consts.plain, *b_consts.plain, *carry, *[c.value for c in cells],
                            **dict(p, cond_jaxpr=new_cond_jaxpr, body_jaxpr=new_body_jaxpr,
                                   cond_nconsts=len(c_consts.plain),
                                   body_nconsts=len(b_consts.plain)))
  _write_back(cells, outs[n_carry:])
  return outs[:n_carry]


class _ScannedRefs:
  """The refs a scan runs over (its ``xs`` that are cells). The discharged
  loop carries each one's whole value and gives the body, at iteration ``i``,
  its row ``i`` as the ref's value; the row's final value is written back in
  place (``dynamic_update_index``), so writes land in the original ref as
  JAX's per-iteration ref views do."""

  def __init__(self, xs, is_cell):
    self.xs, self.is_cell = xs, is_cell
    self.plain = [x for x in xs if not is_cell(x)]
    self.cells = [x for x in xs if is_cell(x)]

  def plain_avals(self, xs_avals):
    return [a for a, x in zip(xs_avals, self.xs) if not self.is_cell(x)]

  def rows(self, index, plain, values):
    """The body's ``xs`` at ``index``: plain xs as given, rows of the refs' values."""
    plain, values = iter(plain), iter(values)
    return [_row(next(values), index) if self.is_cell(x) else next(plain) for x in self.xs]

  def updated(self, index, values, final_rows):
    from jaxlite import lax
    return [v if _empty(v) else lax.dynamic_update_index_in_dim(
                v, row, index, 0, allow_negative_indices=False)   # (the scan's own index)
            for v, row in zip(values, final_rows)]


def _empty(value) -> bool:
  """Whether ``value`` has no rows (a scan of length 0, whose body never runs)."""
  n = core.get_aval(value).shape[0]
  return isinstance(n, int) and n == 0


def _row(value, index):
  """Row ``index`` of ``value``; zeros where there is none (the body is traced
  but never runs, and an untaken read must not fail, as in JAX)."""
  from jaxlite import lax
  if _empty(value):
    aval = core.get_aval(value)
    return lax.full(aval.shape[1:], 0, aval.dtype)
  return lax.dynamic_index_in_dim(value, index, 0, keepdims=False, allow_negative_indices=False)


def discharge_scan(eqn, *ins, is_cell):
  """A scan given refs: refs among its consts become carries holding their
  values, refs among its ``xs`` become carries too, read and written one row
  per iteration (the iteration's index travels as an extra ``xs``)."""
  p = eqn.params
  n_consts, n_carry = p["num_consts"], p["num_carry"]
  consts, carry, xs = _cut(ins, n_consts, n_carry)
  if any(is_cell(x) for x in carry):   # scan's tracing rejects this (returned ref)
    raise ValueError("a mutable array reference cannot be a scan carry")
  scanned = _ScannedRefs(xs, is_cell)
  cells = _unique_cells(consts, is_cell)
  if not cells and not scanned.cells:
    return eqn.primitive.bind(*ins, **p)
  body = p["jaxpr"]
  loop_consts = _LoopConsts(consts, cells, is_cell)
  n_plain, n_cells, n_rows = len(loop_consts.plain), len(cells), len(scanned.cells)
  n_const_refs = sum(1 for x in consts if is_cell(x))

  def new_body(*args):
    plain_in, carry_in, ref_values, row_values, index, xs_in = _cut(
        args, n_plain, n_carry, n_cells, n_rows, 1)
    index = index[0]
    xs_body = scanned.rows(index, xs_in, row_values)
    outs = loop_consts.run(body, plain_in, ref_values, list(carry_in) + xs_body)
    n_out = len(body.out_avals)
    carry_out, ys = outs[:n_carry], outs[n_carry:n_out]
    const_finals, row_finals = _cut(outs[n_out:], n_const_refs)
    return (list(carry_out) + loop_consts.updated(ref_values, const_finals)
            + scanned.updated(index, row_values, row_finals) + list(ys))

  const_avals, carry_avals, xs_avals = _cut(body.in_avals, n_consts, n_carry)
  ref_avals = [core.get_aval(c.value) for c in cells]
  row_avals = [core.get_aval(c.value) for c in scanned.cells]
  index_aval = core.ShapedArray((), np.dtype(np.int32))
  new_jaxpr = _closed(new_body, loop_consts.plain_avals(const_avals) + list(carry_avals)
                      + ref_avals + row_avals + [index_aval] + scanned.plain_avals(xs_avals))
  from jaxlite import lax
  indices = lax.iota(np.int32, p["length"])
  outs = eqn.primitive.bind(*loop_consts.plain, *carry, *[c.value for c in cells],
                            *[c.value for c in scanned.cells], indices, *scanned.plain,
                            **dict(p, jaxpr=new_jaxpr, num_consts=n_plain,
                                   num_carry=n_carry + n_cells + n_rows))
  carry_out, ref_finals, row_finals, ys = _cut(outs, n_carry, n_cells, n_rows)
  _write_back(cells, ref_finals)
  _write_back(scanned.cells, row_finals)
  return list(carry_out) + list(ys)


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
  from jaxlite.state.discharge import discharge_call
  return {"cond": discharge_cond, "while": discharge_while, "scan": discharge_scan,
          "jit": discharge_call, "remat2": discharge_call}


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


def _bodies_and_inputs(name, params, nonzeros):
  """``[(body, which of its inputs have nonzero tangents, carry slice or None)]``
  for a call, loop or cond whose operands' tangents are ``nonzeros``."""
  if name == "scan":
    n_consts, n_carry = params["num_consts"], params["num_carry"]
    return [(params["jaxpr"], list(nonzeros), (n_consts, n_carry))]
  if name == "while":
    body_nonzeros = list(nonzeros[params["cond_nconsts"]:])
    return [(params["body_jaxpr"], body_nonzeros, (params["body_nconsts"],
                                                   len(params["body_jaxpr"].out_avals)))]
  if name == "cond":
    return [(b, list(nonzeros[1:]), None) for b in params["branches"]]
  return [(params["jaxpr"], list(nonzeros), None)]


def _check_ref_writes(primitive, params, tangents):
  """JAX's error, raised before anything runs, for a body that writes a
  differentiated value into a ref that is not differentiated: the body's JVP
  is traced (to a fixed point of its carries' tangents), as JAX traces it,
  so the error names the ref's type inside the body (a scan's row view)."""
  from jaxlite.interpreters import ad
  nonzeros = [type(t) is not ad.Zero for t in tangents]
  for body, nz, carry in _bodies_and_inputs(primitive.name, params, nonzeros):
    while True:
      _, out_nz = ad.jvp_jaxpr(body, nz, instantiate=False)
      if carry is None:
        break
      start, n = carry
      merged = [a or b for a, b in zip(nz[start:start + n], out_nz[:n])]
      if merged == nz[start:start + n]:
        break
      nz[start:start + n] = merged


def _discharging_jvp(primitive, jvp_rule):
  """The JVP rule of a call, loop or cond given refs: the refs become values
  (read before, written after) and the primitive is differentiated on values."""
  def rule(primals, tangents, **params):
    if not any(is_ref_type(core.get_aval(p)) for p in primals):
      return jvp_rule(primals, tangents, **params)
    from jaxlite.interpreters import ad
    _check_ref_writes(primitive, params, tangents)
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
  from jaxlite.checkpoint import remat_p
  from jaxlite.interpreters import ad, batching
  from jaxlite.interpreters.pjit import jit_p
  from jaxlite.lax.control_flow.conditionals import cond_p
  from jaxlite.lax.control_flow.loops import while_p
  from jaxlite.lax.control_flow.scan import scan_p
  for p in (cond_p, while_p, scan_p, jit_p, remat_p):
    ad.primitive_jvps[p] = _discharging_jvp(p, ad.primitive_jvps[p])
    batching.axis_primitive_batchers[p] = _discharging_batcher(
        p, batching, batching.axis_primitive_batchers[p])
