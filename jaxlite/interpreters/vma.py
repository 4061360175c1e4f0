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
  ...       .params['jaxpr'])
  { lambda ; a:f32[2]{V:i} b:f32[]. let
      c:f32[]{V:i} = pvary[axes=('i',)] b
      d:f32[2]{V:i} = mul a c
    in (d,) }
"""
from __future__ import annotations

import contextlib

import numpy as np

from jaxlite import core
from jaxlite.core import ClosedJaxpr, Jaxpr, ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.lax import parallel

__all__ = ["pvary_p", "psum_invariant_p", "all_gather_invariant_p", "pvary",
           "all_gather_invariant", "checking", "typing"]

_NONE = frozenset()


# --- psum_invariant and pvary -------------------------------------------------------------------
# psum_invariant's result is invariant over the summed axes and its transpose
# hands each device the cotangent (pvary); pvary marks a value as varying and
# transposes to a psum_invariant.

psum_invariant_p = parallel.CollectivePrimitive("psum_invariant", axis_param="axes")
psum_invariant_p.multiple_results = True
# A plain primitive: named axes bind no trace of their own inside shard_map,
# and outside one its eager application is JAX's error, not an unbound name.
pvary_p = core.Primitive("pvary")
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


# all_gather(..., to='invarying') inside a checked shard_map: the gathered
# value is the same on every member, so it is invariant along the axes; its
# transpose hands each member its own slice of the cotangent.
all_gather_invariant_p = core.Primitive("all_gather_invariant")


def _gathered_aval(x, *, all_gather_dimension, axis_name, axis_size, tiled):
  shape = list(x.shape)
  if tiled:
    shape[all_gather_dimension] *= axis_size
  else:
    shape.insert(all_gather_dimension, axis_size)
  return core.raise_to_shaped(x).update(shape=tuple(shape))


def _gather_invariant_lowering(ctx, x, **params):
  from jaxlite.interpreters import collectives  # pylint: disable=g-import-not-at-top
  return collectives.all_gather_rule(ctx, x, axis_index_groups=None, **params)


def _gather_invariant_transpose(ct, x, *, all_gather_dimension, axis_name, axis_size, tiled):
  from jaxlite import lax  # pylint: disable=g-import-not-at-top
  ct = ad.instantiate_zeros(ct)
  size = ct.shape[all_gather_dimension] // axis_size
  start = lax.mul(parallel.axis_index(axis_name), np.int32(size))
  out = lax.dynamic_slice_in_dim(ct, start, size, axis=all_gather_dimension)
  return [out if tiled else lax.squeeze(out, [all_gather_dimension])]


def _gather_invariant_jvp(primals, tangents, **params):
  return (all_gather_invariant_p.bind(*primals, **params),
          all_gather_invariant_p.bind(ad.instantiate_zeros(tangents[0]), **params))


all_gather_invariant_p.def_abstract_eval(_gathered_aval)
all_gather_invariant_p.def_impl(lambda x, **params: _pvary_outside(axes=()))
mlir.register_lowering(all_gather_invariant_p, _gather_invariant_lowering)
ad.primitive_jvps[all_gather_invariant_p] = _gather_invariant_jvp
ad.primitive_transposes[all_gather_invariant_p] = _gather_invariant_transpose


def all_gather_invariant(x, axis_name, *, axis, tiled):
  """``all_gather(x, axis_name, axis=axis, tiled=tiled, to='invarying')``
  inside a checked shard_map body (``x`` a traced value).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('i',))
  >>> f = jaxlite.shard_map(lambda x: all_gather_invariant(x, 'i', axis=0, tiled=True),
  ...                       mesh=mesh, in_specs=P('i'), out_specs=P())
  >>> f(np.arange(2.0, dtype=np.float32))
  Array([0., 1.], dtype=float32)"""
  names = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
  size = 1
  for n in names:
    size *= core.axis_frame(n).size
  aval = core.get_aval(x)
  if missing := set(names) - aval.vma:
    x = _cast(x, missing)
  dim = axis % (aval.ndim if tiled else aval.ndim + 1)
  return all_gather_invariant_p.bind(x, all_gather_dimension=dim, axis_name=names,
                                     axis_size=size, tiled=tiled)


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
  names = _mesh_ordered(names) if all(n in core.vma_axis_order for n in names) else names
  leaves, tree = tree_util.tree_flatten(x)
  if not all(isinstance(leaf, core.Tracer) for leaf in leaves) and \
      not all(core.axis_is_bound(n) for n in names):
    _pvary_outside(axes=names)   # a concrete value: no shard_map is being traced
  return tree_util.tree_unflatten(tree, [pvary_p.bind(leaf, axes=names)[0]
                                         for leaf in leaves])


# --- typing staged primitives ----------------------------------------------------------------------


def _vma_of(tracer) -> frozenset:
  return getattr(tracer._aval, "vma", _NONE)


def _mesh_ordered(names) -> tuple:
  """``names`` in the order of the mesh's axes, as JAX's pvary lists them."""
  order = core.vma_axis_order
  return tuple(sorted(names, key=lambda n: order.get(n, len(order))))


def vary(x, names):
  """``x`` (traced, or a constant inside a shard_map body) made to vary along
  ``names``: one ``pvary`` listing them in mesh order.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('i',))
  >>> f = jaxlite.shard_map(lambda w: vary(w, {'i'}), mesh=mesh, in_specs=P(),
  ...                       out_specs=P('i'))
  >>> print(jaxlite.make_jaxpr(f)(np.ones(2, np.float32)).eqns[0].params['jaxpr'])
  { lambda ; a:f32[2]. let b:f32[2]{V:i} = pvary[axes=('i',)] a in (b,) }"""
  return pvary_p.bind(x, axes=_mesh_ordered(names))[0]


def _cast(tracer, names):
  """``tracer`` made to vary also along ``names``."""
  return pvary_p.bind(tracer, axes=_mesh_ordered(names))[0]


def _pvary_rule(trace, primitive, tracers, params):
  axes = params["axes"]
  for t in tracers:
    if set(axes) & _vma_of(t):
      raise ValueError(
          "pvary is a invariant->variant collective. This means that the axis names "
          "mentioned in `axes` passed to `pvary` must not be present in "
          f"`jax.typeof(inp).mat.varying`. Got axes={axes} and jax.typeof(inp)={t._aval}")
  return trace.stage_primitive(primitive, tracers, params,
                               [_vma_of(t) | frozenset(axes) for t in tracers])


def _cast_to_axes(tracers, names):
  """Each operand made to vary along every axis of ``names`` (JAX's
  insert_collective_pvary)."""
  out = []
  for t in tracers:
    vma = _vma_of(t)
    missing = set(names) - vma
    out.append(_cast(t, missing) if missing else t)
  return out


def _reducing_rule(trace, primitive, tracers, params):
  """psum/pmax/pmin/psum_invariant: invariant along the reduced axes after."""
  names = parallel._as_names(params["axes"])
  if primitive is parallel.psum_p:
    if params.get("axis_index_groups") is not None:
      raise NotImplementedError
    tracers = [_cast(t, missing) if (missing := set(names) - _vma_of(t)) else t
               for t in tracers]
    return [o for t in tracers for o in psum_invariant_p.bind(t, axes=tuple(names))]
  tracers = _cast_to_axes(tracers, names)
  return trace.stage_primitive(primitive, tracers, params,
                               [_vma_of(t) - frozenset(names) for t in tracers])


def _varying_collective_rule(trace, primitive, tracers, params):
  """all_gather/ppermute/all_to_all/psum_scatter: varying along their axes."""
  tracers = _cast_to_axes(tracers, parallel._as_names(params["axis_name"]))
  n_out = 1 if not primitive.multiple_results else len(tracers)
  return trace.stage_primitive(primitive, tracers, params, [_vma_of(tracers[0])] * n_out)


def _gather_invariant_rule(trace, primitive, tracers, params):
  names = frozenset(params["axis_name"])
  return trace.stage_primitive(primitive, tracers, params,
                               [_vma_of(t) - names for t in tracers])


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
                   parallel.reduce_scatter_p: _varying_collective_rule,
                   all_gather_invariant_p: _gather_invariant_rule})
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
  """Stages ``primitive`` on ``trace`` with vma types (see the module docstring):
  installed as ``partial_eval.vma_typing`` by :func:`checking`.

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh
  >>> with checking(Mesh(np.array(jaxlite.devices()[:1]), ('i',))):
  ...   from jaxlite.interpreters import partial_eval as pe
  ...   pe.vma_typing is typing
  True"""
  rule = _rules().get(primitive)
  if rule is not None:
    return rule(trace, primitive, tracers, params)
  vmas = [_vma_of(t) for t in tracers]
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
    tracers = [_cast(t, union - v)
               if v != union and isinstance(t._aval, ShapedArray) else t
               for t, v in zip(tracers, vmas)]
  return trace.stage_primitive(primitive, tracers, params, union)


@contextlib.contextmanager
def checking(mesh, on: bool = True):
  """Types staged primitives with vma while tracing a checked ``shard_map``
  body over ``mesh`` (``on=False``: an unchecked one; nothing is typed).

  >>> import numpy as np, jaxlite
  >>> from jaxlite.sharding import Mesh
  >>> from jaxlite.interpreters import partial_eval as pe
  >>> with checking(Mesh(np.array(jaxlite.devices()[:1]), ('i',)), on=False):
  ...   pe.vma_typing is None
  True"""
  for i, name in enumerate(mesh.axis_names):
    core.vma_axis_order.setdefault(name, i)
  outer = pe.vma_typing
  pe.vma_typing = typing if on else None
  try:
    yield
  finally:
    pe.vma_typing = outer


def _bullets(items, separator):
  """``  * a<separator>  * b;\\n  * c.\\n``: JAX's bullet list of two or more
  differences; ``separator`` ends every bullet but the last two (carry and
  branch messages differ there).

  >>> _bullets(["a", "b", "c"], ";\\n\\n")
  '  * a;\\n\\n  * b;\\n  * c.\\n'"""
  return separator.join(f"  * {d}" for d in items[:-1]) + f";\n  * {items[-1]}.\n"


def _sentence_or_bullets(items, separator):
  """One difference as a capitalised sentence, several as :func:`_bullets`.

  >>> _sentence_or_bullets(["the shapes differ"], ";\\n")
  'The shapes differ.\\n'"""
  if len(items) == 1:
    return items[0][0].upper() + items[0][1:] + ".\n"
  return _bullets(items, separator)


def _pcast_hint(casts, separator):
  """JAX's "This might be fixed by ... pcast" paragraph for the casts that
  would make two types' manual axes agree (empty when none would).

  >>> print(_pcast_hint(["applying pcast to x"], ";\\n"), end="")
  This might be fixed by applying pcast to x.
  See https://docs.jax.dev/en/latest/notebooks/shard_map.html#scan-vma for more information.
  <BLANKLINE>"""
  if not casts:
    return ""
  head = ("This might be fixed by " + casts[0] + ".\n" if len(casts) == 1 else
          "This might be fixed by:\n" + _bullets(casts, separator))
  return head + ("See https://docs.jax.dev/en/latest/notebooks/shard_map.html#scan-vma "
                 "for more information.\n\n")


def check_carry(name: str, body_fun, carry_tree, in_avals, out_avals):
  """JAX's TypeError when a loop body returns a carry that varies along other
  manual axes than the carry it was given (``name``: 'scan body' or
  'while_loop body'); other mismatches are left to the loop's own check.

  >>> import numpy as np
  >>> from jaxlite import tree_util
  >>> a = ShapedArray((2,), np.dtype('float32'))
  >>> check_carry('scan body', lambda c, x: (c, x), tree_util.tree_structure(0), [a],
  ...             [a.update(vma={'i'})])  # doctest: +ELLIPSIS
  Traceback (most recent call last):
  ...
  TypeError: scan body function carry input and carry output must have equal types, ..."""
  if len(in_avals) != len(out_avals) or all(
      getattr(a, "vma", _NONE) == getattr(b, "vma", _NONE)
      for a, b in zip(in_avals, out_avals)):
    return
  import inspect  # pylint: disable=g-import-not-at-top
  from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
  try:
    carry_name = next(iter(inspect.signature(body_fun).parameters), None)
  except (ValueError, TypeError):
    carry_name = None
  paths = [tree_util.keystr(p) for p, _ in tree_util.tree_flatten_with_path(
      tree_util.tree_unflatten(carry_tree, [0] * carry_tree.num_leaves))[0]]

  def component(path):
    if carry_name:
      return f"the input carry component {carry_name}{path}" if path else \
          f"the input carry {carry_name}"
    return f"the input carry at path {path}" if path else "the input carry"

  def why(a, b):
    parts = [w for w, bad in (("the dtypes do not match", a.dtype != b.dtype),
                              ("the shapes do not match", a.shape != b.shape),
                              ("the manual axis types do not match", a.vma != b.vma)) if bad]
    if len(parts) == 1:
      return ", so " + parts[0]
    return ", so " + ", ".join(parts[:-1]) + ", and " + parts[-1] if parts else ""

  bad = [(p, a, b) for p, a, b in zip(paths, in_avals, out_avals)
         if a.shape != b.shape or a.dtype != b.dtype or a.vma != b.vma]
  diffs = [f"{component(p)} has type {a.str_short(short_dtypes=False)} but the "
           f"corresponding output carry component has type "
           f"{b.str_short(short_dtypes=False)}{why(a, b)}" for p, a, b in bad]
  casts = [f"applying `jax.lax.pcast(..., {tuple(b.vma - a.vma)}, to='varying')`, to the "
           f"initial carry value corresponding to {component(p)}"
           for p, a, b in bad if b.vma - a.vma]

  # JAX's carry message leaves a blank line between bullets (not before the last).
  listing, hint = _sentence_or_bullets(diffs, ";\n\n"), _pcast_hint(casts, ";\n\n")
  raise TypeError(
      f"{name} function carry input and carry output must have equal types, but they "
      f"differ:\n\n{listing}\n{hint}Revise the function so that all output "
      "types match the corresponding input types.")


def _sourceinfo(fun) -> str:
  """``name at file:line``, as JAX names a branch function in its errors."""
  import functools as ft  # pylint: disable=g-import-not-at-top
  import inspect  # pylint: disable=g-import-not-at-top
  while isinstance(fun, ft.partial):
    fun = fun.func
  fun = inspect.unwrap(fun)
  try:
    return f"{fun.__name__} at {fun.__code__.co_filename}:{fun.__code__.co_firstlineno}"
  except AttributeError:
    return "<unknown>"


def check_branch_outputs(api_name, name1, name2, f1, f2, tree, avals1, avals2):
  """JAX's TypeError when two branches of a cond/switch return values that
  vary along different manual axes (shape and dtype mismatches are left to
  the caller's own check).

  >>> import numpy as np
  >>> from jaxlite import tree_util
  >>> a = ShapedArray((), np.dtype('float32'))
  >>> check_branch_outputs('cond', 'true_fun', 'false_fun', abs, abs,
  ...                      tree_util.tree_structure(0), [a.update(vma={'i'})], [a])
  ... # doctest: +ELLIPSIS
  Traceback (most recent call last):
  ...
  TypeError: cond branches must have equal output types but they differ..."""
  pairs = list(zip(avals1, avals2))
  if len(avals1) != len(avals2) or any(
      a.shape != b.shape or a.dtype != b.dtype for a, b in pairs) or all(
      getattr(a, "vma", _NONE) == getattr(b, "vma", _NONE) for a, b in pairs):
    return
  from jaxlite import tree_util  # pylint: disable=g-import-not-at-top
  paths = [tree_util.keystr(p) for p, _ in tree_util.tree_flatten_with_path(
      tree_util.tree_unflatten(tree, [0] * tree.num_leaves))[0]]
  where = lambda p: f" at path {p}" if p else ""  # noqa: E731
  bad = [(p, a, b) for p, (a, b) in zip(paths, pairs) if a.vma != b.vma]
  diffs = [f"the output of {name1}{where(p)} has type {a.str_short(short_dtypes=False)} but "
           f"the corresponding output of {name2} has type "
           f"{b.str_short(short_dtypes=False)}, so the manual axis types do not match"
           for p, a, b in bad]
  # JAX's hint names the axes the *other* branch lacks (an empty tuple here).
  casts = [f"applying `jax.lax.pcast(..., {tuple(x.vma - y.vma)}, to='varying')` to the "
           f"output of {n}{where(p)}"
           for p, a, b in bad for n, x, y in ((name1, b, a), (name2, a, b)) if y.vma - x.vma]
  listing, hint = _sentence_or_bullets(diffs, ";\n"), _pcast_hint(casts, ";\n")
  raise TypeError(
      f"{api_name} branches must have equal output types but they differ.\n\n"
      f"{name1} is {_sourceinfo(f1)}\n{name2} is {_sourceinfo(f2)}\n\n"
      f"{listing}\n{hint}Revise {name1} and/or {name2} so that all output types match.")
