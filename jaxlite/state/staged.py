"""Ahead-of-time stages (``jit(f).lower(ref)``, ``.compile()``) of programs
that take refs.

As at a jit call, the program is discharged: each ref argument becomes its
value and the program gains one result per ref, its final value. The module
marks each ref argument's buffer as reusable by that result
(``tf.aliasing_output``, as JAX does), and the compiled program's call writes
the results back into the refs.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> def g(r):
  ...   r[...] += 1
  >>> r = jaxlite.new_ref(jnp.zeros(2))
  >>> lowered = jaxlite.jit(g).lower(r)
  >>> "tf.aliasing_output = 0" in lowered.as_text()
  True
  >>> lowered.compile()(r)
  >>> r
  Ref([1., 1.], dtype=float32)
"""
from __future__ import annotations

from jaxlite import core
from jaxlite.state.discharge import discharged_closed_jaxpr
from jaxlite.state.types import Ref, is_ref_type


def lower_with_refs(entry, name: str, platform: str, alias: bool = True):
  """``(lowered_module, discharged_jaxpr)`` of a jit cache entry whose program
  takes refs (among its constants or arguments). ``alias=False`` leaves out the
  buffer aliasing: what is compiled here, since a ref's array may be shared with
  values the user holds (``new_ref(x)`` keeps ``x``'s buffer), which donating it
  would delete."""
  from jaxlite.interpreters import mlir
  closed = entry.closed_jaxpr
  discharged = discharged_closed_jaxpr(closed)
  n_out = len(closed.out_avals)
  aliases, k = [], 0
  for aval in closed.in_avals:
    aliases.append(n_out + k if is_ref_type(aval) else None)
    k += is_ref_type(aval)
  lowered = mlir.lower_jaxpr_to_module(discharged, name=name, platform=platform,
                                       aliased_outputs=aliases if alias else None)
  return lowered, discharged


def call_compiled(exe, entry, flat_args):
  """Runs the compiled discharged program of ``entry`` on ``flat_args`` (refs
  among them); writes the refs' final values back; returns the flat outputs.
  Raises JAX's TypeError for arguments of other types than compiled for."""
  from jaxlite.interpreters.dispatch import _to_array
  expected = entry.closed_jaxpr.in_avals[len(entry.consts):]
  args = [x if type(x) is Ref else _to_array(x) for x in flat_args]
  avals = [x.aval if type(x) is Ref else core.raise_to_shaped(x.aval) for x in args]
  if len(avals) != len(expected) or any(
      is_ref_type(a) != is_ref_type(e) or a.strip_weak_type() != e.strip_weak_type()
      for a, e in zip(avals, expected)):
    raise TypeError(
        "Argument types differ from the types for which this computation was compiled. "
        f"Expected {[a.str_short() for a in expected]}, got "
        f"{[a.str_short() for a in avals]}.")
  every = list(entry.consts) + args
  bufs = [(x._array if type(x) is Ref else x)._buf for x in every]
  outs = exe.call(bufs)
  n_out = len(entry.closed_jaxpr.out_avals)
  refs = [x for x in every if type(x) is Ref]
  for ref, final in zip(refs, outs[n_out:]):
    ref._array = final
  return outs[:n_out]
