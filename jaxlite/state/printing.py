"""How jaxprs print reads and writes of refs, as JAX prints them:
``c:f32[3] <- b[0,:]`` (get), ``b[...] <- d`` (a swap whose old value is
unread), ``e:f32[], b[0] <- b[0], d`` (a swap) and ``b[...] += e`` (addupdate).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> def f(x):
  ...   r = jaxlite.new_ref(x)
  ...   r[0] = 1.0
  ...   return r[1:]
  >>> print(jaxlite.make_jaxpr(f)(jnp.zeros(3)))
  { lambda ; a:f32[3]. let
      b:Ref{f32[3]} = new_ref[kind=None memory_space=None] a
      b[0] <- 1.0:f32[]
      c:f32[2] <- b[1:]
    in (c,) }
"""
from __future__ import annotations

from jaxlite import pretty_printer as pp
from jaxlite import tree_util
from jaxlite.core import Literal, Var
from jaxlite.jaxpr_printing import atom_text, pp_vars
from jaxlite.numpy.dynamic_slice_index import Slice


def _atom_value(x):
  return x.val if type(x) is Literal else x


def _slice_text(context, dim, slc: Slice) -> str:
  start, size = slc.start, slc.size
  if isinstance(start, Var):
    start_text = atom_text(start, context)
    size_text = atom_text(size, context) if isinstance(size, Var) else str(size)
    return f"{start_text}:{start_text}+{size_text}"
  start_text = "" if _atom_value(start) == 0 else str(_atom_value(start))
  if isinstance(size, Var):
    size_text = atom_text(size, context)
    return f"{start_text}:{start_text}+{size_text}" if start_text else f":{size_text}"
  end = _atom_value(start) + _atom_value(size)
  return f"{start_text}:{'' if end == dim else end}"


def _ref_text(context, ref, tree, flat_idx) -> str:
  """``b[...]`` for a whole ref, ``b[0,1:]`` for an indexed one."""
  name = atom_text(ref, context)
  indexers = tree_util.tree_unflatten(tree, flat_idx)
  if not indexers:
    return name + "[...]"
  indexer = indexers[0]
  parts = [_slice_text(context, dim, i) if isinstance(i, Slice)
           else atom_text(i, context, print_dtype=False)
           for i, dim in zip(indexer.indices, indexer.shape)]
  return f"{name}[{','.join(parts)}]"


def pp_get(eqn, context, settings):
  ref, *flat_idx = eqn.invars
  lhs = pp_vars(eqn.outvars, context, print_shapes=settings.print_shapes)
  return pp.concat([lhs, pp.text(" <- " + _ref_text(context, ref, eqn.params["tree"],
                                                     flat_idx))])


def pp_swap(eqn, context, settings):
  ref, val, *flat_idx = eqn.invars
  out, = eqn.outvars
  target = _ref_text(context, ref, eqn.params["tree"], flat_idx)
  if context.var_names.get(out) == "_" or atom_text(out, context) == "_":
    # A set (the old value unread) prints as ``x[i] <- v``.
    return pp.text(f"{target} <- {atom_text(val, context)}")
  lhs = pp_vars([out], context, print_shapes=settings.print_shapes)
  return pp.concat([lhs, pp.text(f", {target} <- {target}, {atom_text(val, context)}")])


def pp_addupdate(eqn, context, settings):
  ref, val, *flat_idx = eqn.invars
  target = _ref_text(context, ref, eqn.params["tree"], flat_idx)
  return pp.text(f"{target} += {atom_text(val, context)}")
