"""Collectives over named axes: psum, pmean, pmax, pmin, all_gather, axis_index,
ppermute, pshuffle, all_to_all, psum_scatter.

A named axis is bound by ``vmap(..., axis_name=...)`` or ``pmap``. Under vmap
every collective is a batching rule over the mapped axis (``psum`` becomes a
``reduce_sum`` over the batch axis, ``axis_index`` an ``iota`` ...); the rules
here are registered in ``batching.axis_primitive_batchers`` because they need
to know which axis the trace maps. Under pmap they lower to XLA's cross-replica
collectives (``jaxlite.interpreters.pxla``).

A collective must be seen by the vmap that binds its axis even when no operand
is batched by it (``psum(1., 'i')`` is the axis size), so these primitives
bind to the highest of their operands' traces and the traces binding their
axis names.
"""
from __future__ import annotations

__all__ = ['psum', 'pmean', 'pmax', 'pmin', 'all_gather', 'axis_index', 'axis_size',
           'ppermute', 'pshuffle', 'all_to_all', 'pswapaxes', 'psum_scatter', 'psum_p', 'pmax_p',
           'pmin_p', 'all_gather_p', 'axis_index_p', 'ppermute_p', 'all_to_all_p',
           'reduce_scatter_p']

import numpy as np

from jaxlite import core, dtypes, tree_util
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching
from jaxlite.interpreters.batching import not_mapped

# --- binding to the trace of a named axis -----------------------------------------------------


class CollectivePrimitive(core.Primitive):
  """A primitive over named axes (in the parameter ``axis_param``)."""

  def __init__(self, name, axis_param="axis_name"):
    super().__init__(name)
    self.axis_param = axis_param

  def axis_names(self, params):
    return _as_names(params[self.axis_param])

  def bind(self, *args, **params):
    # As Primitive.bind, but the trace binding each named axis is a candidate too.
    top = core._thread_state.dynamic_main
    for x in args:
      if isinstance(x, core.Tracer) and x._trace.main.level > top.level:
        top = x._trace.main
    for name in self.axis_names(params):
      main = core.axis_frame(name).main
      if isinstance(main, core.MainTrace) and main.alive and main.level > top.level:
        top = main
    if top.trace_type is core.EvalTrace:
      return self.impl(*args, **params) if self.impl else core.eval_hook(self, args, params)
    trace = top.trace_type(top)
    out = trace.process_primitive(self, [trace.full_raise(x) for x in args], params)
    if self.multiple_results:
      return [core.full_lower(o) for o in out]
    return core.full_lower(out)


def _as_names(axis_name) -> tuple:
  return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _axis_size(names) -> int:
  size = 1
  for name in names:
    size *= core.axis_frame(name).size
  return size


def _binds_here(axis_data, names) -> bool:
  """Whether the vmap of ``axis_data`` is the innermost binding of one of ``names``."""
  for name in names:
    frame = core.axis_frame(name)
    if frame.main is not None and getattr(frame.main, "global_data", None) is axis_data:
      return True
  return False


def _lax():
  from jaxlite import lax
  return lax


def _check_groups(axis_index_groups, name):
  if axis_index_groups is not None:
    raise NotImplementedError(f"{name} with axis_index_groups is not supported under vmap")


# --- psum, pmax, pmin ----------------------------------------------------------------------------


def _allreduce_abstract_eval(*avals, axes, axis_index_groups):
  _axis_size(axes)   # NameError for an unbound name
  return [core.raise_to_shaped(a) for a in avals]


def _allreduce_batcher(prim):
  # Over axes that this vmap does not bind: the collective acts per example.
  def rule(batched_args, batch_dims, **params):
    return prim.bind(*batched_args, **params), list(batch_dims)
  return rule


def _allreduce_axis_rule(prim, reduce, unmapped):
  def rule(axis_data, vals, dims, *, axes, axis_index_groups):
    if not _binds_here(axis_data, axes):
      return prim.bind(*vals, axes=axes, axis_index_groups=axis_index_groups), list(dims)
    _check_groups(axis_index_groups, prim.name)
    outs = [unmapped(x, axis_data.size) if d is not_mapped else reduce(x, (d,))
            for x, d in zip(vals, dims)]
    rest = tuple(a for a in axes if a != axis_data.name)
    if rest:
      outs = prim.bind(*outs, axes=rest, axis_index_groups=None)
    return outs, [not_mapped] * len(outs)
  return rule


def _allreduce_primitive(name, reduce, unmapped):
  prim = CollectivePrimitive(name, "axes")
  prim.multiple_results = True
  prim.def_abstract_eval(_allreduce_abstract_eval)
  batching.primitive_batchers[prim] = _allreduce_batcher(prim)
  batching.axis_primitive_batchers[prim] = _allreduce_axis_rule(prim, reduce, unmapped)
  return prim


def _times_size(x, size):
  lax = _lax()
  aval = core.get_aval(x)
  if aval.dtype == np.bool_:
    return x
  return lax.mul(x, lax.full((), size, aval.dtype))


psum_p = _allreduce_primitive("psum", lambda x, a: _lax().reduce_sum(x, a), _times_size)
pmax_p = _allreduce_primitive("pmax", lambda x, a: _lax().reduce_max(x, a), lambda x, n: x)
pmin_p = _allreduce_primitive("pmin", lambda x, a: _lax().reduce_min(x, a), lambda x, n: x)


def _psum_jvp(primals, tangents, *, axes, axis_index_groups):
  outs = psum_p.bind(*primals, axes=axes, axis_index_groups=axis_index_groups)
  nonzero = [(i, t) for i, t in enumerate(tangents) if type(t) is not ad.Zero]
  tan_out = [ad.Zero(ad.tangent_aval(core.get_aval(o))) for o in outs]
  if nonzero:
    summed = psum_p.bind(*[t for _, t in nonzero], axes=axes,
                         axis_index_groups=axis_index_groups)
    for (i, _), s in zip(nonzero, summed):
      tan_out[i] = s
  return outs, tan_out


def _psum_transpose(cts, *args, axes, axis_index_groups):
  # The sum over the axis is read by every member: its transpose sums again.
  nonzero = [(i, ct) for i, ct in enumerate(cts) if type(ct) is not ad.Zero]
  out = [ad.Zero(a.aval) if ad.is_undefined_primal(a) else None for a in args]
  if nonzero:
    summed = psum_p.bind(*[ct for _, ct in nonzero], axes=axes,
                         axis_index_groups=axis_index_groups)
    for (i, _), s in zip(nonzero, summed):
      out[i] = s
  return out


ad.primitive_jvps[psum_p] = _psum_jvp
ad.primitive_transposes[psum_p] = _psum_transpose


def _allreduce(prim, x, axis_name, axis_index_groups):
  names = _as_names(axis_name)
  leaves, tree = tree_util.tree_flatten(x)
  leaves = [_as_array(l) for l in leaves]
  outs = prim.bind(*leaves, axes=names, axis_index_groups=axis_index_groups)
  return tree_util.tree_unflatten(tree, outs)


def _as_array(x):
  if isinstance(x, core.Tracer) or hasattr(x, "aval"):
    return x
  core.get_aval(x)   # TypeError for a non-array
  return x


def psum(x, axis_name, *, axis_index_groups=None):
  """Sums ``x`` (a pytree of arrays) over the named axis ``axis_name``
  (a name, or a tuple of names to sum over all of them).

  Every member of the axis gets the same sum.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.psum(x, 'i'), axis_name='i')(np.arange(4.))
    Array([6., 6., 6., 6.], dtype=float32)
  """
  return _allreduce(psum_p, x, axis_name, axis_index_groups)


def pmax(x, axis_name, *, axis_index_groups=None):
  """The maximum of ``x`` over the named axis ``axis_name``.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.pmax(x, 'i'), axis_name='i')(np.array([1., 3., 2.]))
    Array([3., 3., 3.], dtype=float32)
  """
  return _allreduce(pmax_p, x, axis_name, axis_index_groups)


def pmin(x, axis_name, *, axis_index_groups=None):
  """The minimum of ``x`` over the named axis ``axis_name``.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.pmin(x, 'i'), axis_name='i')(np.array([1., 3., 2.]))
    Array([1., 1., 1.], dtype=float32)
  """
  return _allreduce(pmin_p, x, axis_name, axis_index_groups)


def pmean(x, axis_name, *, axis_index_groups=None):
  """The mean of ``x`` over the named axis ``axis_name``.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.pmean(x, 'i'), axis_name='i')(np.arange(4.))
    Array([1.5, 1.5, 1.5, 1.5], dtype=float32)
  """
  names = _as_names(axis_name)
  if axis_index_groups is None:
    n = _axis_size(names)
  else:
    n = len(axis_index_groups[0])
  total = psum(x, axis_name, axis_index_groups=axis_index_groups)

  # True division, as JAX's `v / n`: integer sums give floating means.
  return tree_util.tree_map(lambda v: v / n, total)


def axis_size(axis_name) -> int:
  """The size of the named axis (the product of sizes for a tuple of names).

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: x * 0 + lax.axis_size('i'), axis_name='i')(
    ...     np.zeros(3, np.int32))  # doctest: +SKIP
    Array([3, 3, 3], dtype=int32)
  """
  return _axis_size(_as_names(axis_name))


# --- axis_index ------------------------------------------------------------------------------

axis_index_p = CollectivePrimitive("axis_index")


def _axis_index_abstract_eval(*, axis_name):
  _axis_size(_as_names(axis_name))
  return ShapedArray((), np.dtype(np.int32))


axis_index_p.def_abstract_eval(_axis_index_abstract_eval)


def _axis_index_axis_rule(axis_data, vals, dims, *, axis_name):
  names = _as_names(axis_name)
  if not _binds_here(axis_data, names):
    return axis_index_p.bind(axis_name=axis_name), not_mapped
  lax = _lax()
  # Row-major over the names: each axis's index times the sizes of those inside it.
  idx, stride = None, 1
  for name in reversed(names):
    if name == axis_data.name:
      term = lax.iota(np.int32, axis_data.size)
    else:
      term = axis_index_p.bind(axis_name=name)
    if stride != 1:
      term = lax.mul(term, lax.full((), stride, np.int32))
    idx = term if idx is None else lax.add(term, idx)
    stride *= core.axis_frame(name).size
  return idx, 0


batching.axis_primitive_batchers[axis_index_p] = _axis_index_axis_rule
ad.primitive_jvps[axis_index_p] = lambda primals, tangents, **p: (
    axis_index_p.bind(**p), ad.Zero(ShapedArray((), dtypes.float0)))


def axis_index(axis_name):
  """This member's index along the named axis (int32); for a tuple of names the
  row-major index over all of them.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.axis_index('i'), axis_name='i')(np.zeros(3))
    Array([0, 1, 2], dtype=int32)
  """
  return axis_index_p.bind(axis_name=axis_name)


# --- all_gather ---------------------------------------------------------------------------------

all_gather_p = CollectivePrimitive("all_gather")


def _all_gather_abstract_eval(x, *, axis_name, all_gather_dimension, axis_size, tiled,
                              axis_index_groups):
  shape = list(x.shape)
  if tiled:
    shape[all_gather_dimension] *= axis_size
  else:
    shape.insert(all_gather_dimension, axis_size)
  return x.update(shape=tuple(shape))


all_gather_p.def_abstract_eval(_all_gather_abstract_eval)


def _fold_axis(x, axis):
  """Merges axis ``axis`` of ``x`` into the one after it (``axis`` major)."""
  shape = list(core.get_aval(x).shape)
  shape[axis:axis + 2] = [shape[axis] * shape[axis + 1]]
  return _lax().reshape(x, shape)


def _split_axis(x, axis, size):
  """Splits axis ``axis`` of ``x`` into ``(size, rest)``."""
  shape = list(core.get_aval(x).shape)
  shape[axis:axis + 1] = [size, shape[axis] // size]
  return _lax().reshape(x, shape)


def _all_gather_batcher(batched_args, batch_dims, *, all_gather_dimension, **params):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  return all_gather_p.bind(x, all_gather_dimension=all_gather_dimension + 1, **params), 0


def _all_gather_axis_rule(axis_data, vals, dims, *, axis_name, all_gather_dimension,
                          axis_size, tiled, axis_index_groups):
  params = dict(axis_name=axis_name, all_gather_dimension=all_gather_dimension,
                axis_size=axis_size, tiled=tiled, axis_index_groups=axis_index_groups)
  names = _as_names(axis_name)
  (x,), (d,) = vals, dims
  if not _binds_here(axis_data, names):
    if d is not_mapped:
      return all_gather_p.bind(x, **params), not_mapped
    return _all_gather_batcher(vals, dims, **params)
  _check_groups(axis_index_groups, "all_gather")
  if len(names) > 1:
    raise NotImplementedError("all_gather over several axis names under vmap")
  # Every member sees the whole batch, stacked at all_gather_dimension.
  y = batching.move_to(x, d, all_gather_dimension, axis_data.size)
  if tiled:
    y = _fold_axis(y, all_gather_dimension)
  return y, not_mapped


batching.axis_primitive_batchers[all_gather_p] = _all_gather_axis_rule


def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False,
               to: str = 'varying'):
  """Gathers ``x`` from every member of the named axis, stacked along a new
  axis ``axis`` (or concatenated along ``axis`` when ``tiled``).

  ``to`` is the result's manual-axis type in JAX's ``shard_map`` typing
  ('varying', 'invarying' or 'reduced'); the gathered values are the same.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.all_gather(x, 'i'), axis_name='i')(np.arange(3.))
    Array([[0., 1., 2.],
           [0., 1., 2.],
           [0., 1., 2.]], dtype=float32)
  """
  if to not in ('varying', 'reduced', 'invarying'):
    raise ValueError("Got unexpected `to` value for `jax.lax.all_gather`. Allowed `to` "
                     "values are: {'varying', 'reduced', 'invarying'}")
  if to != 'varying' and axis_index_groups is not None:
    raise NotImplementedError(f"all_gather(to={to!r}) with axis_index_groups")
  names = _as_names(axis_name)
  from jaxlite.interpreters import partial_eval as pe  # pylint: disable=g-import-not-at-top
  if to == 'invarying' and pe.vma_typing is not None:   # inside a checked shard_map
    from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
    return tree_util.tree_map(
        lambda leaf: vma.all_gather_invariant(leaf, names, axis=axis, tiled=tiled), x)
  if axis_index_groups is None:
    size = _axis_size(names)
  else:
    size = len(axis_index_groups[0])

  def bind(leaf):
    aval = core.get_aval(leaf)
    ndim = aval.ndim
    out_ndim = ndim if tiled else ndim + 1
    if not -out_ndim <= axis < out_ndim:
      raise ValueError(f"all_gather axis {axis} is out of bounds for an operand of rank "
                       f"{ndim}{' (tiled)' if tiled else ''}")
    dim = axis % out_ndim
    return all_gather_p.bind(leaf, axis_name=names, all_gather_dimension=dim,
                             axis_size=size, tiled=tiled, axis_index_groups=axis_index_groups)
  return tree_util.tree_map(bind, x)


# --- ppermute / pshuffle ------------------------------------------------------------------------

ppermute_p = CollectivePrimitive("ppermute")
ppermute_p.def_abstract_eval(lambda x, *, axis_name, perm: core.raise_to_shaped(x))


def _ppermute_batcher(batched_args, batch_dims, **params):
  (x,), (d,) = batched_args, batch_dims
  return ppermute_p.bind(x, **params), d


def _permute_along(x, axis, perm, size):
  """``out[dst] = x[src]`` along ``axis`` for each ``(src, dst)``; zeros elsewhere.
  Runs of consecutive sources become one slice each (a rotation is two)."""
  lax = _lax()
  src_of = {dst: src for src, dst in perm}
  pieces, dst = [], 0
  while dst < size:
    if dst not in src_of:
      end = dst
      while end < size and end not in src_of:
        end += 1
      shape = list(core.get_aval(x).shape)
      shape[axis] = end - dst
      pieces.append(lax.full(shape, 0, core.get_aval(x).dtype))
    else:
      end = dst + 1
      while end < size and src_of.get(end) == src_of[dst] + (end - dst):
        end += 1
      start = src_of[dst]
      pieces.append(lax.slice_in_dim(x, start, start + end - dst, axis=axis))
    dst = end
  return pieces[0] if len(pieces) == 1 else lax.concatenate(pieces, axis)


def _ppermute_axis_rule(axis_data, vals, dims, *, axis_name, perm):
  names = _as_names(axis_name)
  (x,), (d,) = vals, dims
  if not _binds_here(axis_data, names):
    return ppermute_p.bind(x, axis_name=axis_name, perm=perm), d
  if len(names) > 1:
    raise NotImplementedError("ppermute over several axis names under vmap")
  if d is not_mapped:
    if len(perm) == axis_data.size:
      return x, not_mapped   # every member receives the same value
    x, d = batching.broadcast(x, axis_data.size, 0), 0
  return _permute_along(x, d, perm, axis_data.size), d


batching.axis_primitive_batchers[ppermute_p] = _ppermute_axis_rule


def _ppermute_transpose(ct, x, *, axis_name, perm):
  inverse = tuple((dst, src) for src, dst in perm)
  return [ppermute_p.bind(ad.instantiate_zeros(ct), axis_name=axis_name, perm=inverse)]


ad.deflinear2(ppermute_p, _ppermute_transpose)


def ppermute(x, axis_name, perm):
  """Sends ``x`` between members of the named axis: for each ``(src, dst)`` in
  ``perm``, member ``dst`` receives member ``src``'s value; members that
  receive nothing get zeros.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> shift = lambda x: lax.ppermute(x, 'i', [(0, 1), (1, 2), (2, 0)])
    >>> jaxlite.vmap(shift, axis_name='i')(np.array([10., 20., 30.]))
    Array([30., 10., 20.], dtype=float32)
  """
  perm = tuple((int(s), int(d)) for s, d in perm)
  names = _as_names(axis_name)
  size = _axis_size(names)
  srcs, dsts = [s for s, _ in perm], [d for _, d in perm]
  if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
    raise ValueError(f"ppermute sources and destinations must be unique, got {perm}.")
  if any(not 0 <= i < size for i in srcs + dsts):
    raise ValueError(f"ppermute permutation {perm} has an index out of range for axis "
                     f"{axis_name!r} of size {size}.")
  return tree_util.tree_map(
      lambda leaf: ppermute_p.bind(leaf, axis_name=_as_names(axis_name), perm=perm), x)


def pshuffle(x, axis_name, perm):
  """Member ``i`` receives the value of member ``perm[i]`` (``perm`` a
  permutation of ``range(axis_size)``).

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> jaxlite.vmap(lambda x: lax.pshuffle(x, 'i', [2, 0, 1]), axis_name='i')(
    ...     np.array([10., 20., 30.]))
    Array([30., 10., 20.], dtype=float32)
  """
  perm = [int(p) for p in perm]
  if set(perm) != set(range(len(perm))):
    raise ValueError(f"`perm` does not represent a permutation: {perm}")
  return ppermute(x, axis_name, [(src, dst) for dst, src in enumerate(perm)])


# --- all_to_all ---------------------------------------------------------------------------------

all_to_all_p = CollectivePrimitive("all_to_all")


def _all_to_all_abstract_eval(x, *, axis_name, split_axis, concat_axis, axis_index_groups,
                              tiled):
  n = _axis_size(_as_names(axis_name)) if axis_index_groups is None else \
      len(axis_index_groups[0])
  shape = list(x.shape)
  if shape[split_axis] % n:
    raise ValueError(f"all_to_all split_axis {split_axis} of size {shape[split_axis]} is "
                     f"not divisible by the axis size {n}")
  shape[split_axis] //= n
  shape[concat_axis] *= n
  return x.update(shape=tuple(shape))


all_to_all_p.def_abstract_eval(_all_to_all_abstract_eval)


def _all_to_all_batcher(batched_args, batch_dims, *, split_axis, concat_axis, **params):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  return all_to_all_p.bind(x, split_axis=split_axis + 1, concat_axis=concat_axis + 1,
                           **params), 0


def _all_to_all_axis_rule(axis_data, vals, dims, *, axis_name, split_axis, concat_axis,
                          axis_index_groups, tiled):
  params = dict(axis_name=axis_name, split_axis=split_axis, concat_axis=concat_axis,
                axis_index_groups=axis_index_groups, tiled=tiled)
  names = _as_names(axis_name)
  (x,), (d,) = vals, dims
  if not _binds_here(axis_data, names):
    if d is not_mapped:
      return all_to_all_p.bind(x, **params), not_mapped
    return _all_to_all_batcher(vals, dims, **params)
  _check_groups(axis_index_groups, "all_to_all")
  n = axis_data.size
  if d is not_mapped:
    x, d = batching.broadcast(x, n, 0), 0
  if len(names) > 1:
    return _all_to_all_over_several_axes(x, d, n, names.index(axis_data.name), names,
                                         split_axis, concat_axis, tiled)
  # Member i's result: chunk i of every member's split axis, concatenated in member
  # order along the concat axis. The member axis joins the concat axis (major),
  # and the chunk index of the split axis becomes the new member axis.
  if split_axis == concat_axis:
    # Chunks trade places in one axis: split it into (chunk, rest), swap the chunk
    # index with the member axis, and merge back.
    axis = split_axis + (d <= split_axis)
    x = _split_axis(x, axis, n)
    d_split = d + (axis <= d)
    perm = list(range(core.get_aval(x).ndim))
    perm[d_split], perm[axis] = perm[axis], perm[d_split]
    return _fold_axis(_lax().transpose(x, perm), axis), d
  x = _fold_axis(batching.moveaxis(x, d, concat_axis), concat_axis)
  return _split_axis(x, split_axis, n), split_axis


def _all_to_all_over_several_axes(x, d, n, pos, names, split_axis, concat_axis, tiled):
  """The vmap rule of an all_to_all over several axis names, this vmap's
  among them at ``pos``: members are numbered major to minor in ``names``.

  Chunks are collected in three leading axes (major members, this vmap's
  members, minor members): an all_to_all over the major names fills the first,
  this vmap's batch axis is the second, and one over the minor names fills the
  third; the three then fold into the concatenation axis, and the chunk index
  split from the split axis becomes the new batch axis.
  """
  major, minor = names[:pos], names[pos + 1:]
  lax = _lax()
  x = lax.expand_dims(batching.moveaxis(x, d, 0), (0, 2))   # [1, n, 1, ...]
  split_axis, concat_axis = split_axis + 3, concat_axis + 3
  if major:
    x = all_to_all_p.bind(x, axis_name=major, split_axis=split_axis, concat_axis=0,
                          axis_index_groups=None, tiled=tiled)
  x = _split_axis(x, split_axis, n)
  out_dim = split_axis
  concat_axis += split_axis <= concat_axis
  split_axis += 1
  if minor:
    x = all_to_all_p.bind(x, axis_name=minor, split_axis=split_axis, concat_axis=2,
                          axis_index_groups=None, tiled=tiled)
  x = _fold_axis(_fold_axis(x, 0), 0)   # one axis of chunks, major to minor
  concat_axis, out_dim = concat_axis - 2, out_dim - 2
  x = _fold_axis(batching.moveaxis(x, 0, concat_axis - 1), concat_axis - 1)
  return x, out_dim - 1


batching.axis_primitive_batchers[all_to_all_p] = _all_to_all_axis_rule


def _all_to_all_transpose(ct, x, *, axis_name, split_axis, concat_axis, axis_index_groups,
                          tiled):
  return [all_to_all_p.bind(ad.instantiate_zeros(ct), axis_name=axis_name,
                            split_axis=concat_axis, concat_axis=split_axis,
                            axis_index_groups=axis_index_groups, tiled=tiled)]


ad.deflinear2(all_to_all_p, _all_to_all_transpose)


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None,
               tiled=False):
  """Each member splits ``x`` along ``split_axis`` into one chunk per member
  and sends chunk ``j`` to member ``j``; the received chunks are stacked along
  a new axis ``concat_axis`` (concatenated along it when ``tiled``). Untiled,
  the split axis must have the axis size and is removed.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> x = np.arange(9.).reshape(3, 3)
    >>> jaxlite.vmap(lambda r: lax.all_to_all(r, 'i', 0, 0), axis_name='i')(x)
    Array([[0., 3., 6.],
           [1., 4., 7.],
           [2., 5., 8.]], dtype=float32)
  """
  n = _axis_size(_as_names(axis_name)) if axis_index_groups is None else \
      len(axis_index_groups[0])
  lax = _lax()

  def bind(leaf):
    nonlocal split_axis, concat_axis
    s, c = split_axis, concat_axis
    ndim = core.get_aval(leaf).ndim
    if not tiled:
      shape = core.get_aval(leaf).shape
      if not -ndim <= s < ndim:
        raise ValueError(f"all_to_all split_axis {s} is out of bounds for rank {ndim}")
      s %= ndim
      if shape[s] != n:
        raise ValueError(f"all_to_all requires the size of the split axis ({shape[s]}) to "
                         f"equal the axis size ({n})")
      c %= ndim
      if s < c:
        c += 1
        leaf = lax.expand_dims(leaf, (c,))
      elif s > c:
        leaf = lax.expand_dims(leaf, (c,))
        s += 1
    out = all_to_all_p.bind(leaf, axis_name=axis_name, split_axis=s, concat_axis=c,
                            axis_index_groups=axis_index_groups, tiled=tiled)
    if not tiled and s != c:
      out = lax.squeeze(out, (s,))
    return out
  return tree_util.tree_map(bind, x)


def pswapaxes(x, axis_name, axis, *, axis_index_groups=None):
  """Swaps the named axis ``axis_name`` with the positional ``axis`` of ``x``
  (an ``all_to_all`` that splits and concatenates along ``axis``, tiled).

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> x = jnp.arange(4.).reshape(2, 2)
    >>> jaxlite.vmap(lambda r: pswapaxes(r, "i", 0), axis_name="i")(x)
    Array([[0., 2.],
           [1., 3.]], dtype=float32)
  """
  return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups,
                    tiled=True)


# --- psum_scatter ---------------------------------------------------------------------------------

reduce_scatter_p = CollectivePrimitive("reduce_scatter")


def _reduce_scatter_abstract_eval(x, *, axis_name, scatter_dimension, axis_index_groups,
                                  axis_size, tiled):
  shape = list(x.shape)
  if shape[scatter_dimension] % axis_size:
    raise ValueError(f"psum_scatter dimension {scatter_dimension} of size "
                     f"{shape[scatter_dimension]} is not divisible by the axis size "
                     f"{axis_size}")
  if tiled:
    shape[scatter_dimension] //= axis_size
  else:
    if shape[scatter_dimension] != axis_size:
      raise ValueError(f"psum_scatter requires the scatter dimension of size "
                       f"{shape[scatter_dimension]} to equal the axis size {axis_size}")
    del shape[scatter_dimension]
  return x.update(shape=tuple(shape))


reduce_scatter_p.def_abstract_eval(_reduce_scatter_abstract_eval)


def _reduce_scatter_batcher(batched_args, batch_dims, *, scatter_dimension, **params):
  (x,), (d,) = batched_args, batch_dims
  x = batching.moveaxis(x, d, 0)
  return reduce_scatter_p.bind(x, scatter_dimension=scatter_dimension + 1, **params), 0


def _reduce_scatter_axis_rule(axis_data, vals, dims, *, axis_name, scatter_dimension,
                              axis_index_groups, axis_size, tiled):
  params = dict(axis_name=axis_name, scatter_dimension=scatter_dimension,
                axis_index_groups=axis_index_groups, axis_size=axis_size, tiled=tiled)
  names = _as_names(axis_name)
  (x,), (d,) = vals, dims
  if not _binds_here(axis_data, names):
    if d is not_mapped:
      return reduce_scatter_p.bind(x, **params), not_mapped
    return _reduce_scatter_batcher(vals, dims, **params)
  _check_groups(axis_index_groups, "psum_scatter")
  if len(names) > 1:
    raise NotImplementedError("psum_scatter over several axis names under vmap")
  # The sum is the same for all; member i keeps slice (or chunk) i of it.
  total = _times_size(x, axis_data.size) if d is not_mapped else _lax().reduce_sum(x, (d,))
  if tiled:
    total = _split_axis(total, scatter_dimension, axis_data.size)
  return total, scatter_dimension


batching.axis_primitive_batchers[reduce_scatter_p] = _reduce_scatter_axis_rule


def _reduce_scatter_transpose(ct, x, *, axis_name, scatter_dimension, axis_index_groups,
                              axis_size, tiled):
  return [all_gather_p.bind(ad.instantiate_zeros(ct), axis_name=axis_name,
                            all_gather_dimension=scatter_dimension, axis_size=axis_size,
                            tiled=tiled, axis_index_groups=axis_index_groups)]


def _all_gather_transpose(ct, x, *, axis_name, all_gather_dimension, axis_size, tiled,
                          axis_index_groups):
  return [reduce_scatter_p.bind(ad.instantiate_zeros(ct), axis_name=axis_name,
                                scatter_dimension=all_gather_dimension,
                                axis_index_groups=axis_index_groups, axis_size=axis_size,
                                tiled=tiled)]


ad.deflinear2(reduce_scatter_p, _reduce_scatter_transpose)
ad.deflinear2(all_gather_p, _all_gather_transpose)


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
  """Sums ``x`` over the named axis and gives member ``i`` only slice ``i`` of the
  sum along ``scatter_dimension`` (chunk ``i`` when ``tiled``).

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> x = np.arange(9.).reshape(3, 3)
    >>> jaxlite.vmap(lambda r: lax.psum_scatter(r, 'i'), axis_name='i')(x)
    Array([ 9., 12., 15.], dtype=float32)
  """
  names = _as_names(axis_name)
  size = _axis_size(names) if axis_index_groups is None else len(axis_index_groups[0])

  def bind(leaf):
    ndim = core.get_aval(leaf).ndim
    if not -ndim <= scatter_dimension < ndim:
      raise ValueError(f"psum_scatter scatter_dimension {scatter_dimension} is out of "
                       f"bounds for an operand of rank {ndim}")
    return reduce_scatter_p.bind(leaf, axis_name=names,
                                 scatter_dimension=scatter_dimension % ndim,
                                 axis_index_groups=axis_index_groups, axis_size=size,
                                 tiled=tiled)
  return tree_util.tree_map(bind, x)
