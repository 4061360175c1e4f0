"""vmap: pushing a mapped axis down into every primitive.

A function is vectorized by running it on ``BatchTracer``s: each carries a
value with one extra (batch) axis and the position of that axis. Every
primitive applied to batch tracers is replaced by its *batching rule*, which
computes all examples at once; there is no per-example loop anywhere.

Rule tables (filled next to each primitive's definition in ``jaxlite.lax``):

* ``primitive_batchers[p](batched_args, batch_dims, **params) -> (out, out_dim)``
* ``axis_primitive_batchers[p](axis_data, batched_args, batch_dims, **params)``
  for primitives that need to know the vmapped axis itself: collectives over
  named axes and call primitives (``jit``, control flow) that batch a jaxpr.

``batch_dims[i]`` is the axis of ``batched_args[i]`` that is mapped, or
``not_mapped`` (None) for an unbatched operand; for multiple results ``out``
and ``out_dim`` are lists. A rule moves a batch axis only when it must.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, NamedTuple, Sequence

from jaxlite import core, source_info_util
from jaxlite.core import ClosedJaxpr, ShapedArray, Trace, Tracer

primitive_batchers: dict[core.Primitive, Callable] = {}
axis_primitive_batchers: dict[core.Primitive, Callable] = {}
not_mapped = None


class _Sentinel:
  __slots__ = ("name",)

  def __init__(self, name):
    self.name = name

  def __repr__(self):
    return self.name


# Destinations for batched jaxpr outputs (besides an int axis):
infer = _Sentinel("infer")                   # keep whatever axis the output has
zero_if_mapped = _Sentinel("zero_if_mapped")  # axis 0 if batched, unbatched otherwise


class AxisData(NamedTuple):
  """The vmapped axis: its name (None if anonymous), size and SPMD mesh names."""
  name: Any
  size: int
  spmd_name: Any = None


# --- tracers ---------------------------------------------------------------------------------


class BatchTracer(Tracer):
  """A batch of values: ``val`` with the batch along axis ``batch_dim``."""
  __slots__ = ("val", "batch_dim")

  def __init__(self, trace, val, batch_dim):
    self._trace = trace
    self.val = val
    self.batch_dim = batch_dim

  @property
  def aval(self):
    aval = core.raise_to_shaped(core.get_aval(self.val))
    d = self.batch_dim
    if d is not_mapped:
      return aval
    shape = aval.shape
    unbatched = ShapedArray(shape[:d] + shape[d + 1:], aval.dtype, aval.weak_type)
    if not isinstance(aval, ShapedArray):   # a batch of refs: one ref of batches
      return aval.update(inner_aval=unbatched)
    return unbatched

  def full_lower(self):
    if self.batch_dim is not_mapped:
      return core.full_lower(self.val)
    return self

  def _short_repr(self):
    return f"VmapTracer(aval={self.aval}, batched={core.get_aval(self.val)})"

  def _origin_msg(self):
    return ("The error occurred while tracing a function transformed by vmap; the "
            "value is batched, so it has no single concrete value.")


class BatchTrace(Trace):
  """Interprets primitives on batch tracers by their batching rules.

  ``main.global_data`` is the ``AxisData`` of the vmapped axis."""
  __slots__ = ()

  @property
  def axis_data(self) -> AxisData:
    return self.main.global_data

  def pure(self, val):
    return BatchTracer(self, val, not_mapped)

  lift = pure

  def process_primitive(self, primitive, tracers, params):
    vals = [t.val for t in tracers]
    dims = [t.batch_dim for t in tracers]
    axis_rule = axis_primitive_batchers.get(primitive)
    if axis_rule is not None:
      out, out_dims = axis_rule(self.axis_data, vals, dims, **params)
    elif all(d is not_mapped for d in dims):
      # Nothing here is batched: the primitive applies as is.
      return primitive.bind(*vals, **params)
    else:
      rule = primitive_batchers.get(primitive)
      if rule is None:
        raise NotImplementedError(
            f"Batching rule for '{primitive.name}' not implemented")
      out, out_dims = rule(vals, dims, **params)
    if primitive.multiple_results:
      return [BatchTracer(self, x, d) if d is not not_mapped else x
              for x, d in zip(out, out_dims)]
    return BatchTracer(self, out, out_dims) if out_dims is not not_mapped else out


# --- running a function batched ----------------------------------------------------------------


class SpecMatchError(Exception):
  """A batched output was asked to be unbatched (``out_axes=None``)."""

  def __init__(self, leaf_idx, src, dst):
    super().__init__(leaf_idx, src, dst)
    self.leaf_idx, self.src, self.dst = leaf_idx, src, dst


def batch_flat(fun: Callable, axis_data: AxisData, in_vals: Sequence, in_dims: Sequence,
               out_dims_dest, sum_match: bool = False):
  """Runs ``fun`` (flat lists of arrays in and out) over a batch of inputs.

  ``in_dims[i]`` is the batch axis of ``in_vals[i]`` (or ``not_mapped``).
  ``out_dims_dest`` is a list of destinations for the outputs, or a thunk
  returning it (called after ``fun`` has run, when its output tree is known):
  an int axis (unbatched results are broadcast), ``not_mapped`` (a batched
  result raises ``SpecMatchError``, or with ``sum_match`` is summed over its
  batch axis), ``infer`` or ``zero_if_mapped``.
  Returns ``(outs, out_dims)``.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> outs, dims = batch_flat(lambda x: [lax.sin(x)], AxisData(None, 3),
  ...                         [np.zeros((2, 3), np.float32)], [1], [0])
  >>> outs[0].shape, dims
  ((3, 2), [0])
  """
  with source_info_util.transform_name_stack("vmap"):
    return _batch_flat(fun, axis_data, in_vals, in_dims, out_dims_dest, sum_match)


def _batch_flat(fun, axis_data, in_vals, in_dims, out_dims_dest, sum_match):
  with core.new_main(BatchTrace, axis_data) as main:
    with core.extend_axis_env(axis_data.name, axis_data.size, main):
      trace = BatchTrace(main)
      in_tracers = [x if d is not_mapped else BatchTracer(trace, x, d)
                    for x, d in zip(in_vals, in_dims)]
      outs = fun(*in_tracers)
      out_tracers = [trace.full_raise(o) for o in outs]
      vals = [t.val for t in out_tracers]
      dims = [t.batch_dim for t in out_tracers]
  dests = out_dims_dest() if callable(out_dims_dest) else out_dims_dest
  if len(dests) != len(vals):
    raise ValueError(f"batch_flat: {len(vals)} outputs but {len(dests)} out_axes")
  outs, out_dims = [], []
  for i, (x, src, dst) in enumerate(zip(vals, dims, dests)):
    x, d = _match_axis(i, axis_data.size, x, src, dst, sum_match)
    outs.append(x)
    out_dims.append(d)
  return outs, out_dims


def _match_axis(leaf_idx, size, x, src, dst, sum_match=False):
  if dst is infer:
    return x, src
  if dst is zero_if_mapped:
    return (x, src) if src is not_mapped else (moveaxis(x, src, 0), 0)
  if dst is not_mapped:
    if src is not_mapped:
      return x, not_mapped
    if sum_match:   # vmap(sum_match=True): an unmapped destination sums the batch
      from jaxlite import lax
      return lax.reduce_sum(x, (src,)), not_mapped
    raise SpecMatchError(leaf_idx, src, dst)
  ndim = core.get_aval(x).ndim + (src is not_mapped)
  if not -ndim <= dst < ndim:
    raise ValueError(f"axis {dst} is out of bounds for array of dimension {ndim}")
  dst %= ndim
  if src is not_mapped:
    return broadcast(x, size, dst), dst
  return moveaxis(x, src, dst), dst


# --- batching jaxprs (for call primitives and control flow) -----------------------------------

_jaxpr_cache: "weakref.WeakKeyDictionary[ClosedJaxpr, dict]" = weakref.WeakKeyDictionary()
_jaxpr_cache_lock = threading.Lock()


def batch_jaxpr_axes(closed_jaxpr: ClosedJaxpr, axis_data: AxisData, in_axes: Sequence,
                     out_axes_dest: Sequence) -> tuple[ClosedJaxpr, list]:
  """The jaxpr computing ``closed_jaxpr`` over a batch.

  ``in_axes[i]`` is the batch axis of input i (``not_mapped`` for unbatched
  inputs, whose types do not change); ``out_axes_dest`` as in ``batch_flat``.
  Collectives over ``axis_data.name`` inside the jaxpr are batched away.
  Returns ``(batched_jaxpr, out_axes)``; results are cached per jaxpr.

  >>> from jaxlite import make_jaxpr, lax
  >>> import numpy as np
  >>> j = make_jaxpr(lax.sin)(np.float32(1))
  >>> bj, out_axes = batch_jaxpr_axes(j, AxisData(None, 4), [0], [infer])
  >>> bj.in_avals, out_axes
  ([ShapedArray(float32[4])], [0])
  """
  from jaxlite.config import config
  key = (axis_data, tuple(in_axes), tuple(map(repr, out_axes_dest)),
         config.trace_context())
  with _jaxpr_cache_lock:
    per_jaxpr = _jaxpr_cache.setdefault(closed_jaxpr, {})
    hit = per_jaxpr.get(key)
  if hit is not None:
    return hit
  result = _batch_jaxpr_axes(closed_jaxpr, axis_data, list(in_axes), list(out_axes_dest))
  with _jaxpr_cache_lock:
    per_jaxpr[key] = result
  return result


def _batch_jaxpr_axes(closed_jaxpr, axis_data, in_axes, out_axes_dest):
  from jaxlite.interpreters import partial_eval as pe
  size = axis_data.size
  in_avals = []
  for aval, d in zip(closed_jaxpr.in_avals, in_axes):
    if d is not_mapped:
      in_avals.append(aval)
    else:
      shape = list(aval.shape)
      shape.insert(d, size)
      in_avals.append(aval.update(shape=tuple(shape)))
  out_axes_box = []

  def batched_fun(*args):
    outs, out_axes = batch_flat(core.jaxpr_as_fun(closed_jaxpr), axis_data, args, in_axes,
                                out_axes_dest)
    out_axes_box.append(out_axes)
    return outs

  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(batched_fun, in_avals)
  return ClosedJaxpr(jaxpr, consts), out_axes_box[0]


def batch_jaxpr(closed_jaxpr: ClosedJaxpr, axis_data: AxisData, in_batched: Sequence[bool],
                instantiate) -> tuple[ClosedJaxpr, list[bool]]:
  """``batch_jaxpr_axes`` with every batch axis at the front: inputs marked in
  ``in_batched`` carry a leading batch axis; outputs are batched at axis 0
  where ``instantiate`` (a bool, or one per output) says so or where they
  depend on a batched input. Returns ``(batched_jaxpr, out_batched)``.

  >>> from jaxlite import make_jaxpr, lax
  >>> import numpy as np
  >>> j = make_jaxpr(lambda x, y: (lax.sin(x), y))(np.float32(1), np.float32(2))
  >>> bj, out_batched = batch_jaxpr(j, AxisData(None, 4), [True, False], False)
  >>> [a.shape for a in bj.out_avals], out_batched
  ([(4,), ()], [True, False])
  """
  n_out = len(closed_jaxpr.out_avals)
  if isinstance(instantiate, bool):
    instantiate = [instantiate] * n_out
  in_axes = [0 if b else not_mapped for b in in_batched]
  dests = [0 if inst else zero_if_mapped for inst in instantiate]
  jaxpr, out_axes = batch_jaxpr_axes(closed_jaxpr, axis_data, in_axes, dests)
  return jaxpr, [d is not not_mapped for d in out_axes]


# --- helpers for rules -------------------------------------------------------------------------


def moveaxis(x, src: int, dst: int):
  """Moves axis ``src`` of ``x`` to ``dst`` (a transpose; a no-op when equal).

  >>> import numpy as np
  >>> moveaxis(np.zeros((2, 3, 4), np.float32), 0, 2).shape
  (3, 4, 2)
  """
  from jaxlite import lax
  ndim = core.get_aval(x).ndim
  src, dst = src % ndim, dst % ndim
  if src == dst:
    return x
  perm = [i for i in range(ndim) if i != src]
  perm.insert(dst, src)
  return lax.transpose(x, perm)


def broadcast(x, size: int, axis: int):
  """``x`` with a new axis of length ``size`` inserted at ``axis``.

  >>> import numpy as np
  >>> broadcast(np.zeros((2, 3), np.float32), 5, 1).shape
  (2, 5, 3)
  """
  from jaxlite import lax, dtypes
  aval = core.get_aval(x)
  shape = list(aval.shape)
  shape.insert(axis, size)
  if aval.dtype == dtypes.float0:
    # float0 (integer outputs' tangents) has no values and lives on the host.
    import numpy as np
    return np.zeros(shape, dtypes.float0)
  dims = [i for i in range(len(shape)) if i != axis]
  return lax.broadcast_in_dim(x, shape, dims)


def bdim_at_front(x, bdim, size):
  """``x`` with its batch axis first; an unbatched ``x`` is broadcast to ``size``.

  >>> import numpy as np
  >>> bdim_at_front(np.zeros((2, 3), np.float32), None, 4).shape
  (4, 2, 3)
  """
  if bdim is not_mapped:
    return broadcast(x, size, 0)
  return moveaxis(x, bdim, 0)


def move_to(x, bdim, dst, size):
  """``x`` with its batch axis at ``dst`` (broadcast there if unbatched)."""
  if bdim is not_mapped:
    return broadcast(x, size, dst)
  return moveaxis(x, bdim, dst)


def batch_size(batched_args, batch_dims):
  """The batch size: the length of the first batched operand's batch axis."""
  for x, d in zip(batched_args, batch_dims):
    if d is not not_mapped:
      return core.get_aval(x).shape[d]
  raise ValueError("no batched argument")


def defvectorized(primitive):
  """Elementwise unary primitives: the batch axis passes through unchanged."""
  def rule(batched_args, batch_dims, **params):
    (x,), (d,) = batched_args, batch_dims
    return primitive.bind(x, **params), d
  primitive_batchers[primitive] = rule
  return rule


def defbroadcasting(primitive):
  """Elementwise n-ary primitives (operands of equal shape, or rank 0).

  Unbatched rank-0 operands stay as they are. When every batched operand has
  its batch axis at the same place and all operands have the same rank, the
  primitive applies as is; otherwise batched operands are moved to the batch
  axis of the first one and the others are broadcast there."""
  def rule(batched_args, batch_dims, **params):
    return primitive.bind(*broadcast_batched_args(batched_args, batch_dims), **params), \
        _common_bdim(batched_args, batch_dims)
  primitive_batchers[primitive] = rule
  return rule


def _elt_ndim(x, d):
  return core.get_aval(x).ndim - (d is not not_mapped)


def _common_bdim(batched_args, batch_dims):
  ndim = max(_elt_ndim(x, d) for x, d in zip(batched_args, batch_dims))
  for x, d in zip(batched_args, batch_dims):
    if d is not not_mapped and _elt_ndim(x, d) == ndim:
      return d
  return 0


def broadcast_batched_args(batched_args, batch_dims):
  """Operands of an elementwise primitive, aligned on one batch axis
  (``_common_bdim``): batched ones moved there, unbatched non-scalars and
  batched per-example scalars broadcast to the full batched shape."""
  size = batch_size(batched_args, batch_dims)
  elt_shape = ()
  for x, d in zip(batched_args, batch_dims):
    shape = core.get_aval(x).shape
    if d is not not_mapped:
      shape = shape[:d] + shape[d + 1:]
    if shape:
      elt_shape = shape
      break
  out_d = _common_bdim(batched_args, batch_dims)
  full = list(elt_shape)
  full.insert(out_d, size)
  from jaxlite import lax
  out = []
  for x, d in zip(batched_args, batch_dims):
    ndim = _elt_ndim(x, d)
    if d is not_mapped:
      out.append(x if ndim == 0 else broadcast(x, size, out_d))
    elif ndim == len(elt_shape):
      out.append(moveaxis(x, d, out_d))
    else:   # a batched per-example scalar among non-scalars
      out.append(lax.broadcast_in_dim(x, full, (out_d,)))
  return out


# --- the jit call primitive ------------------------------------------------------------------


def _jit_batcher(axis_data, vals, dims, *, jaxpr, **params):
  from jaxlite.interpreters.pjit import jit_p
  batched, out_dims = batch_jaxpr_axes(jaxpr, axis_data, dims, [infer] * len(jaxpr.out_avals))
  return jit_p.bind(*vals, jaxpr=batched, **params), out_dims


def _pmap_batcher(axis_data, vals, dims, *, jaxpr, axis_name, axis_size, in_axes, out_axes,
                  name):
  """vmap of pmap: the vmapped axis goes inside every replica's computation."""
  from jaxlite.interpreters.pxla import pmap_p
  new_in_axes, inner_dims = [], []
  for d, a in zip(dims, in_axes):
    if d is not_mapped or a is None:
      new_in_axes.append(a)
      inner_dims.append(d)
      continue
    a_full = a + (d <= a)          # the replica axis within the batched value
    new_in_axes.append(a_full)
    inner_dims.append(d - (a_full < d))
  dests = [0] * len(jaxpr.out_avals)
  # The body's collectives over the pmap axis need its name bound while batching.
  with core.extend_axis_env(axis_name, axis_size, None):
    batched, _ = batch_jaxpr_axes(jaxpr, axis_data, inner_dims, dests)
  new_out_axes = tuple(None if o is None else o + 1 for o in out_axes)
  outs = pmap_p.bind(*vals, jaxpr=batched, axis_name=axis_name, axis_size=axis_size,
                     in_axes=tuple(new_in_axes), out_axes=new_out_axes, name=name)
  return outs, [0] * len(outs)


def _register_call_rules():
  from jaxlite.interpreters.pjit import jit_p
  axis_primitive_batchers[jit_p] = _jit_batcher
  # pmap_p's rule (_pmap_batcher) is registered by jaxlite.interpreters.pxla,
  # which defines pmap_p and is imported on first use of pmap.


_register_call_rules()


# JAX 0.10.2's message for the name it removed from jax.interpreters.batching.
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402
__getattr__ = _deprecation_getattr(__name__, {
    "NotMapped": ("jax.interpreters.batching.NotMapped is deprecated.", None)})
