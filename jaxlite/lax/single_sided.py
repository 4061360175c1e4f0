"""One-sided collectives: ``psend`` and ``precv``, the analogs of XLA's Send
and Recv over a named mesh axis.

``psend`` gives a token (nothing else); ``precv`` takes a token (from a
matching ``psend`` or ``lax.create_token()``) and gives an array of the shape
and dtype asked for. As in JAX 0.10.2 they lower only for GPU platforms, and
only inside a ``shard_map`` (a manual computation), to ``stablehlo.send`` /
``stablehlo.recv`` with ``source_target_pairs`` and channel handle 1 (a
device-to-device channel); on other platforms lowering raises
``NotImplementedError``, the error JAX raises. Both carry an effect, so an
unused ``psend`` is not removed as dead code.
"""
from __future__ import annotations

__all__ = ['psend', 'precv']

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core_tools import Effect
from jaxlite.interpreters import batching, mlir
from jaxlite.lax.parallel import CollectivePrimitive, _ppermute_axis_rule

_GPU_PLATFORMS = ("cuda", "rocm", "gpu")
# JAX's fixed channel for collectives in a manual computation (handle 1, type
# 1 = device to device): the send and its recv share it.
_CHANNEL_ID = 1
_DEVICE_TO_DEVICE = 1


class SingleSideCollectiveEffect(Effect):
  """The effect of ``psend``/``precv``: one-sided communication, which must run
  even when nothing reads its result.

    >>> str(single_side_collective_effect)
    'one-sided communication'
  """

  def __str__(self):
    return "one-sided communication"

  __repr__ = __str__

  def __hash__(self):
    return hash(SingleSideCollectiveEffect)

  def __eq__(self, other):
    return isinstance(other, SingleSideCollectiveEffect)


single_side_collective_effect = SingleSideCollectiveEffect()


class _OneSidedPrimitive(CollectivePrimitive):
  """Binds to the traces of its bound axis names; an unbound name is left to
  the abstract evaluation (psend raises JAX's NameError there, precv accepts
  it, as in JAX)."""

  def axis_names(self, params):
    return tuple(n for n in params["axis_name"] if core.axis_is_bound(n))


def _check_axis_names(axis_name, api_name):
  for name in axis_name:
    if not isinstance(name, int) and not core.axis_is_bound(name):
      raise NameError(f"Found an unbound axis name: {name}. To fix this, please call "
                      f"{api_name} under `jax.shard_map`.")


def _effects(*avals, **params):
  return frozenset({single_side_collective_effect})


# --- psend ---------------------------------------------------------------------------------------

psend_p = _OneSidedPrimitive("psend")


def _psend_abstract_eval(x, *, axis_name, perm):
  _check_axis_names(axis_name, "psend")
  return core.abstract_token


psend_p.def_abstract_eval(_psend_abstract_eval)
psend_p.effects_rule = _effects
# JAX batches psend with ppermute's rule (over the axis it names the operand is
# permuted; over another axis it becomes a ppermute): the same here.
batching.axis_primitive_batchers[psend_p] = _ppermute_axis_rule


# --- precv ---------------------------------------------------------------------------------------

precv_p = _OneSidedPrimitive("precv")


def _precv_impl(token, **params):
  # JAX defines no evaluation rule for precv.
  raise NotImplementedError("Evaluation rule for 'precv' not implemented")


def _precv_abstract_eval(token, *, out_shape, axis_name, perm):
  return out_shape


def _precv_batcher(axis_data, vals, dims, **params):
  # JAX batches precv with ppermute's batcher, which has no ``out_shape``
  # parameter: vmap of precv fails with this TypeError there.
  raise TypeError("_ppermute_batcher() got an unexpected keyword argument 'out_shape'")


precv_p.def_impl(_precv_impl)
precv_p.def_abstract_eval(_precv_abstract_eval)
precv_p.effects_rule = _effects
batching.axis_primitive_batchers[precv_p] = _precv_batcher


# --- lowering ------------------------------------------------------------------------------------


def _source_target_pairs(ctx, axis_name, perm, op_name):
  """``perm`` over the axis groups of ``axis_name``, as device ids: a ``[n, 2]``
  i64 attribute (with JAX's uniqueness check)."""
  from jaxlite.interpreters import pxla
  groups = pxla.axis_groups(ctx, axis_name)
  size = len(groups[0])
  pairs = [(src % size, dst % size) for src, dst in perm]
  srcs, dsts = [s for s, _ in pairs], [d for _, d in pairs]
  if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
    raise ValueError(f"{op_name} sources and destinations must be unique, got {perm}.")
  full = [(sorted(group)[src], sorted(group)[dst]) for group in groups for src, dst in pairs]
  ir = mlir.ir()
  return ir.DenseElementsAttr.get(np.asarray(full, np.int64).reshape(-1, 2),
                                  type=ir.IntegerType.get_signless(64))


def _manual_channel(ctx):
  from jaxlite.interpreters.shard_map import SpmdAxisContext
  if isinstance(ctx.module_context.axis_context, SpmdAxisContext):
    return {"channel_handle": mlir.hlo().ChannelHandle.get(_CHANNEL_ID, _DEVICE_TO_DEVICE)}
  return {}


def _check_manual(ctx, op_name):
  from jaxlite.interpreters.shard_map import SpmdAxisContext
  if not isinstance(ctx.module_context.axis_context, SpmdAxisContext):
    raise NotImplementedError(f"{op_name} currently only supports manual sharding")


def _psend_lowering_gpu(ctx, x, *, axis_name, perm):
  hlo = mlir.hlo()
  pairs = _source_target_pairs(ctx, axis_name, perm, "psend")
  send = hlo.SendOp([x], hlo.create_token(), source_target_pairs=pairs, **_manual_channel(ctx))
  _check_manual(ctx, "psend")
  return send.results


def _precv_lowering_gpu(ctx, token, *, out_shape, axis_name, perm):
  hlo = mlir.hlo()
  pairs = _source_target_pairs(ctx, axis_name, perm, "precv")
  recv = hlo.RecvOp([mlir.aval_to_ir_type(out_shape), token.type], token,
                    source_target_pairs=pairs, **_manual_channel(ctx))
  _check_manual(ctx, "precv")
  return [recv.results[0]]   # the data; the recv's own token is dropped, as in JAX


def _only_on_gpu(op_name):
  def rule(ctx, *args, **params):
    raise NotImplementedError(f"{op_name} is currently only implemented on GPU")
  return rule


mlir.register_lowering(psend_p, _only_on_gpu("psend"))
mlir.register_lowering(precv_p, _only_on_gpu("precv"))
for _platform in _GPU_PLATFORMS:
  mlir.register_lowering(psend_p, _psend_lowering_gpu, platform=_platform)
  mlir.register_lowering(precv_p, _precv_lowering_gpu, platform=_platform)


# --- the public functions -------------------------------------------------------------------------


def _names(axis_name) -> tuple:
  return tuple(axis_name) if isinstance(axis_name, (list, tuple)) else (axis_name,)


def psend(x, axis_name, perm):
  """Sends ``x`` along the named axis by the ``(source, destination)`` pairs
  of ``perm`` (XLA's Send; on GPU, NCCL send). A pytree ``x`` is sent leaf by
  leaf.

  Args:
    x: array(s) with a mapped axis named ``axis_name``.
    axis_name: the name (or tuple of names) of a mesh axis of the enclosing
      ``shard_map``.
    perm: ``(source_index, destination_index)`` pairs over that axis; no two
      with the same source or the same destination.

  Returns:
    A token (per leaf) for ``precv`` and ``lax.optimization_barrier`` to order
    the collectives by.

  Outside a ``shard_map`` the axis is unbound:

    >>> import numpy as np
    >>> from jaxlite import lax
    >>> lax.psend(np.ones(2, np.float32), 'i', [(0, 1)])
    Traceback (most recent call last):
    ...
    NameError: Found an unbound axis name: i. To fix this, please call psend under `jax.shard_map`.
  """
  axis_name = _names(axis_name)
  perm = tuple(tuple(pair) for pair in perm)
  return tree_util.tree_map(
      lambda leaf: psend_p.bind(leaf, axis_name=axis_name, perm=perm), x)


def precv(token, out_shape, axis_name, perm):
  """Receives an array of ``out_shape`` along the named axis by the
  ``(source, destination)`` pairs of ``perm`` (XLA's Recv; on GPU, NCCL recv).

  Args:
    token: a token from the matching ``psend`` or ``lax.create_token()``; it
      orders this receive after the collectives it depends on.
    out_shape: a ``ShapeDtypeStruct`` (anything with ``shape`` and ``dtype``)
      of the result.
    axis_name: the name (or tuple of names) of a mesh axis of the enclosing
      ``shard_map``.
    perm: ``(source_index, destination_index)`` pairs over that axis.

  Returns:
    An array of ``out_shape``'s shape and dtype.

    >>> import jaxlite
    >>> from jaxlite import lax
    >>> spec = jaxlite.ShapeDtypeStruct((2,), 'float32')
    >>> print(jaxlite.make_jaxpr(
    ...     lambda: lax.precv(lax.create_token(), spec, 'i', [(0, 1)]))())
    { lambda ; . let
        a:Tok = create_token 
        b:f32[2] = precv[axis_name=('i',) out_shape=float32[2] perm=((0, 1),)] a
      in (b,) }
  """
  aval = core.ShapedArray(tuple(out_shape.shape), np.dtype(out_shape.dtype))
  return precv_p.bind(token, out_shape=aval, axis_name=_names(axis_name),
                      perm=tuple(tuple(pair) for pair in perm))
