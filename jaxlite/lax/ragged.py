"""Ragged matrix multiplication: ``ragged_dot`` and ``ragged_dot_general``.

One operand dimension of ``lhs`` is split into consecutive groups whose sizes
are given at run time (``group_sizes``); each group is multiplied with its own
slice of ``rhs`` (mixture-of-experts layers). The primitive keeps JAX's name
and parameters and is lowered, as JAX lowers it on CPU, to a dense
computation: the ragged dimension is expanded into ``g`` masked copies and
contracted with one ``dot_general``.

Three modes, by where the lhs ragged dimension sits (``g`` groups):

1. non-contracting ``[b, m, k] x [g, b, k, n] -> [b, m, n]``: rows of group i
   use ``rhs[i]``;
2. contracting ``[b, m, k] x [b, k, n] -> [g, b, m, n]``: one partial product
   per group of the contracted dimension;
3. batch ``[b, m, k] x [b, k, n] -> [b, m, n]``: an ordinary batched product.
"""
from __future__ import annotations

__all__ = ['RaggedDotDimensionNumbers', 'ragged_dot', 'ragged_dot_general',
           'ragged_dot_general_p']

import dataclasses
import enum
from typing import Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import dot_conv


@dataclasses.dataclass(frozen=True)
class RaggedDotDimensionNumbers:
  """Dimension numbers of ``ragged_dot_general``: the ``dot_general``
  dimension numbers ``((lhs_contracting, rhs_contracting), (lhs_batch,
  rhs_batch))``, the one lhs ragged dimension and the rhs group dimension
  (exactly one in the non-contracting mode, none otherwise).

  >>> from jaxlite import lax
  >>> lax.RaggedDotDimensionNumbers((([1], [1]), ([], [])), [0], [0])
  RaggedDotDimensionNumbers(dot_dimension_numbers=(((1,), (1,)), ((), ())), lhs_ragged_dimensions=(0,), rhs_group_dimensions=(0,))
  """
  dot_dimension_numbers: tuple
  lhs_ragged_dimensions: Sequence[int]
  rhs_group_dimensions: Sequence[int]

  def __init__(self, dot_dimension_numbers, lhs_ragged_dimensions, rhs_group_dimensions):
    # Frozen dataclass: normalise to hashable tuples through object.__setattr__.
    object.__setattr__(self, 'dot_dimension_numbers',
                       tuple(tuple(tuple(int(d) for d in dims) for dims in pair)
                             for pair in dot_dimension_numbers))
    object.__setattr__(self, 'lhs_ragged_dimensions',
                       tuple(int(d) for d in lhs_ragged_dimensions))
    object.__setattr__(self, 'rhs_group_dimensions',
                       tuple(int(d) for d in rhs_group_dimensions))


# lax.ragged_dot's case: lhs [m, k] ragged along m, rhs [g, k, n].
_BASIC_DIMENSION_NUMBERS = RaggedDotDimensionNumbers((([1], [1]), ([], [])), [0], [0])


class _Mode(enum.Enum):
  NONCONTRACTING = 1
  CONTRACTING = 2
  BATCH = 3


def _others(rank, *excluded):
  taken = {d for dims in excluded for d in dims}
  return [d for d in range(rank) if d not in taken]


def _mode_and_dim(lhs_rank: int, dnums: RaggedDotDimensionNumbers):
  (lhs_contract, _), (lhs_batch, _) = dnums.dot_dimension_numbers
  (ragged,) = dnums.lhs_ragged_dimensions
  if ragged in lhs_contract:
    return _Mode.CONTRACTING, ragged
  if ragged in lhs_batch:
    return _Mode.BATCH, ragged
  if ragged in _others(lhs_rank, lhs_contract, lhs_batch):
    return _Mode.NONCONTRACTING, ragged
  raise TypeError(f'lhs_ragged_dim {ragged} not found in lhs_noncontracting '
                  f'{_others(lhs_rank, lhs_contract, lhs_batch)}, lhs_contracting '
                  f'{list(lhs_contract)}, or lhs_batch {list(lhs_batch)}.')


def _prefix_dims(mode, rank, ragged, batch, contract):
  """The operand dimensions that ``group_sizes`` has before its group axis:
  the batch dimensions and those of the ragged dimension's kind outer to it."""
  batch, contract = list(batch), list(contract)
  if mode is _Mode.NONCONTRACTING:
    free = _others(rank, contract, batch)
    return batch + free[:free.index(ragged)]
  if mode is _Mode.CONTRACTING:
    return batch + contract[:contract.index(ragged)]
  return batch[:batch.index(ragged)]


# --- abstract evaluation -------------------------------------------------------------------


def _check_in_range(dim, rank, dim_name, arg_name):
  if dim < 0 or dim >= rank:
    raise TypeError(f'ragged_dot_general requires {dim_name} numbers to be nonnegative and '
                    f'less than the number of axes of the {arg_name} value, got {dim} for '
                    f'{arg_name} of rank {rank}.')


def _abstract_eval(lhs, rhs, group_sizes, *, ragged_dot_dimension_numbers, precision,
                   preferred_element_type, group_offset, out_sharding):
  dnums = ragged_dot_dimension_numbers
  if len(dnums.lhs_ragged_dimensions) != 1:
    raise TypeError('ragged_dot_general expects exactly one lhs ragged dimension.')
  _check_in_range(dnums.lhs_ragged_dimensions[0], lhs.ndim, 'lhs ragged dimension', 'lhs')
  mode, ragged = _mode_and_dim(lhs.ndim, dnums)
  (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = dnums.dot_dimension_numbers
  if group_sizes.ndim == 0:
    raise TypeError('expected rank of group_sizes to be >=1.')
  if group_sizes.ndim != 1:
    prefix = _prefix_dims(mode, lhs.ndim, ragged, lhs_batch, lhs_contract)
    expected = tuple(lhs.shape[i] for i in prefix) + (group_sizes.shape[-1],)
    if tuple(group_sizes.shape) != expected:
      raise TypeError(f'expected group_sizes to have shape {expected}, got '
                      f'{group_sizes.shape}.')
  num_groups = group_sizes.shape[-1]
  group_dims = dnums.rhs_group_dimensions
  if mode is _Mode.NONCONTRACTING:
    if len(group_dims) != 1:
      raise TypeError('ragged_dot_general requires exactly one rhs group dimension when '
                      'lhs ragged dimension is noncontracting.')
    _check_in_range(group_dims[0], rhs.ndim, 'rhs group dimension', 'rhs')
    if group_dims[0] in rhs_batch or group_dims[0] in rhs_contract:
      raise TypeError('ragged_dot_general requires rhs group dimension numbers to be '
                      'distinct from contracting and batch dimensions.')
    if rhs.shape[group_dims[0]] != num_groups:
      raise TypeError(f'expected rhs group dimension size to be {num_groups}, got '
                      f'{rhs.shape[group_dims[0]]}.')
  elif group_dims:
    raise TypeError('ragged_dot_general requires zero group dimensions in the rhs when '
                    'lhs ragged dimension is contracting or batch.')
  if not dtypes.issubdtype(group_sizes.dtype, np.integer):
    raise TypeError('ragged_dot_general requires that group_sizes.dtype is subtype of '
                    'np.integer.')
  # The rhs group dimension is contracted away against the expanded lhs.
  rhs_for_dot = rhs
  if mode is _Mode.NONCONTRACTING:
    rhs_for_dot = rhs.update(shape=tuple(s for i, s in enumerate(rhs.shape)
                                         if i != group_dims[0]))
    rhs_contract = tuple(d - (d > group_dims[0]) for d in rhs_contract)
    rhs_batch = tuple(d - (d > group_dims[0]) for d in rhs_batch)
  dot_params = dict(dimension_numbers=((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)),
                    precision=precision, preferred_element_type=preferred_element_type)
  shape = dot_conv._dot_general_shape_rule(lhs, rhs_for_dot, **dot_params)
  dtype = dot_conv._dot_general_dtype_rule(lhs, rhs, **dot_params)
  if mode is _Mode.CONTRACTING:
    shape = (num_groups,) + tuple(shape)
  return ShapedArray(tuple(shape), dtype)


ragged_dot_general_p = core.Primitive('ragged_dot_general')
ragged_dot_general_p.def_abstract_eval(_abstract_eval)


# --- the dense computation (lowering) ------------------------------------------------------


def _expand_groups(x, ragged_dim: int, group_sizes, prefix: Sequence[int]):
  """``x`` with a new leading group axis: entry i keeps the elements of group i
  along ``ragged_dim`` (zeros elsewhere). ``group_sizes`` is ``[prefix..., g]``,
  its leading axes being ``x``'s axes ``prefix``.

  >>> import numpy as np
  >>> _expand_groups(np.ones(3, np.float32), 0, np.array([1, 2], np.int32), [])
  Array([[1., 0., 0.],
         [0., 1., 1.]], dtype=float32)
  """
  from jaxlite import lax
  aval = core.get_aval(x)
  num_groups = core.get_aval(group_sizes).shape[-1]
  shape = (num_groups,) + tuple(aval.shape)
  ends = lax.cumsum(group_sizes, axis=len(prefix))
  starts = lax.sub(ends, group_sizes)
  # Group axis first, then the prefix axes in the order of their place in x.
  target = [0] + [p + 1 for p in prefix]
  order = np.argsort(target)
  perm = [len(prefix)] + list(range(len(prefix)))

  def spread(bounds):
    bounds = lax.transpose(bounds, [perm[i] for i in order])
    return lax.broadcast_in_dim(bounds, shape, tuple(sorted(target)))

  position = lax.broadcasted_iota(core.get_aval(group_sizes).dtype, shape, ragged_dim + 1)
  mask = lax.bitwise_and(lax.le(spread(starts), position), lax.lt(position, spread(ends)))
  x = lax.broadcast_in_dim(x, shape, tuple(range(1, len(shape))))
  return lax.select(mask, x, lax.full_like(x, 0))


def _dense(lhs, rhs, group_sizes, *, ragged_dot_dimension_numbers, precision,
           preferred_element_type, group_offset=None, out_sharding=None):
  """``ragged_dot_general`` computed with one ``dot_general`` over masked copies."""
  from jaxlite import lax
  dnums = ragged_dot_dimension_numbers
  lhs_rank = core.get_aval(lhs).ndim
  mode, ragged = _mode_and_dim(lhs_rank, dnums)
  (lc, rc), (lb, rb) = dnums.dot_dimension_numbers
  lc, rc, lb, rb = map(list, (lc, rc, lb, rb))
  lhs_prefix = _prefix_dims(mode, lhs_rank, ragged, lb, lc)
  if core.get_aval(group_sizes).ndim == 1:
    lhs_shape = core.get_aval(lhs).shape
    group_sizes = lax.broadcast(group_sizes, [lhs_shape[i] for i in lhs_prefix])
  shift = lambda dims: [d + 1 for d in dims]
  dot = lambda a, b, dn: lax.dot_general(a, b, dn, precision=precision,
                                         preferred_element_type=preferred_element_type)
  if mode is _Mode.NONCONTRACTING:
    lhs_groups = _expand_groups(lhs, ragged, group_sizes, lhs_prefix)
    return dot(lhs_groups, rhs, ((shift(lc) + [0], rc + [dnums.rhs_group_dimensions[0]]),
                                 (shift(lb), rb)))
  if mode is _Mode.CONTRACTING:
    rhs_ragged = rc[lc.index(ragged)]
    rhs_prefix = _prefix_dims(mode, core.get_aval(rhs).ndim, rhs_ragged, rb, rc)
    return dot(_expand_groups(lhs, ragged, group_sizes, lhs_prefix),
               _expand_groups(rhs, rhs_ragged, group_sizes, rhs_prefix),
               ((shift(lc), shift(rc)), ([0] + shift(lb), [0] + shift(rb))))
  return dot(lhs, rhs, ((lc, rc), (lb, rb)))


mlir.register_lowering(ragged_dot_general_p, mlir.lower_fun(_dense, multiple_results=False))


# --- differentiation: bilinear in lhs and rhs -------------------------------------------------


ad.defjvp(ragged_dot_general_p,
          lambda t, lhs, rhs, gs, **params: ragged_dot_general_p.bind(t, rhs, gs, **params),
          lambda t, lhs, rhs, gs, **params: ragged_dot_general_p.bind(lhs, t, gs, **params),
          None)


def _transpose(ct, lhs, rhs, group_sizes, **params):
  # The dense form is built from lax operations that all transpose; its
  # transpose with respect to the undefined operand is the cotangent.
  from jaxlite.interpreters import partial_eval as pe
  if ad.is_undefined_primal(group_sizes):
    raise ValueError("ragged_dot_general is not linear in group_sizes.")
  avals = [x.aval if ad.is_undefined_primal(x) else core.get_aval(x)
           for x in (lhs, rhs, group_sizes)]
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(
      lambda *xs: [_dense(*xs, **params)], avals)
  if type(ct) is ad.Zero:
    return [ad.Zero(x.aval) if ad.is_undefined_primal(x) else None
            for x in (lhs, rhs, group_sizes)]
  cts = ad.backward_pass(jaxpr, consts, [lhs, rhs, group_sizes], [ct])
  return [ct_i if ad.is_undefined_primal(x) else None
          for ct_i, x in zip(cts, (lhs, rhs, group_sizes))]


ad.primitive_transposes[ragged_dot_general_p] = _transpose


# --- batching: the mapped axis becomes a batch dimension of the product ------------------------


def _batch(args, dims, *, ragged_dot_dimension_numbers, **params):
  from jaxlite import lax
  lhs, rhs, group_sizes = args
  size = batching.batch_size(args, dims)
  lhs, rhs = (batching.bdim_at_front(x, d, size) for x, d in zip((lhs, rhs), dims[:2]))
  dnums = ragged_dot_dimension_numbers
  (lc, rc), (lb, rb) = dnums.dot_dimension_numbers
  up = lambda ds: tuple(d + 1 for d in ds)
  new = RaggedDotDimensionNumbers(((up(lc), up(rc)), ((0,) + up(lb), (0,) + up(rb))),
                                  up(dnums.lhs_ragged_dimensions),
                                  up(dnums.rhs_group_dimensions))
  if dims[2] is not batching.not_mapped or core.get_aval(group_sizes).ndim > 1:
    # group_sizes gets the full [batch, prefix..., g] shape the new numbers ask for.
    lhs_aval = core.get_aval(lhs)
    mode, ragged = _mode_and_dim(lhs_aval.ndim, new)
    (nlc, _), (nlb, _) = new.dot_dimension_numbers
    prefix_shape = tuple(lhs_aval.shape[i] for i in _prefix_dims(mode, lhs_aval.ndim, ragged,
                                                                  nlb, nlc))
    gs = batching.bdim_at_front(group_sizes, dims[2], size)
    gs_aval = core.get_aval(gs)
    full = prefix_shape + (gs_aval.shape[-1],)
    # The batch axis maps to 0, the group axis to the last; any other axes of
    # an already full group_sizes keep their places.
    kept = (0,) + tuple(range(len(full) - gs_aval.ndim + 1, len(full)))
    group_sizes = lax.broadcast_in_dim(gs, full, kept)
  out = ragged_dot_general_p.bind(lhs, rhs, group_sizes, ragged_dot_dimension_numbers=new,
                                  **params)
  mode, _ = _mode_and_dim(core.get_aval(lhs).ndim, new)
  return out, 1 if mode is _Mode.CONTRACTING else 0


batching.primitive_batchers[ragged_dot_general_p] = _batch


# --- public functions ------------------------------------------------------------------------


def ragged_dot_general(lhs, rhs, group_sizes, ragged_dot_dimension_numbers,
                       precision=None, preferred_element_type=None, group_offset=None,
                       out_sharding=None):
  """Ragged matrix multiplication with general dimension numbers.

  ``lhs`` has one ragged dimension split into ``g`` consecutive groups of
  sizes ``group_sizes`` (``[g]``, or ``[prefix..., g]`` per batch/outer
  index). In the non-contracting mode group i multiplies ``rhs``'s slice i
  along its group dimension; in the contracting mode the result gets a
  leading axis of size ``g`` (one partial product per group); in the batch
  mode it is an ordinary batched ``dot_general``.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> dn = lax.RaggedDotDimensionNumbers((([1], [1]), ([], [])), [1], [])
  >>> x = np.arange(6., dtype=np.float32).reshape(2, 3)
  >>> lax.ragged_dot_general(x, x, np.array([1, 2], np.int32), dn)
  Array([[[ 0.,  0.],
          [ 0.,  9.]],
  <BLANKLINE>
         [[ 5., 14.],
          [14., 41.]]], dtype=float32)
  """
  if group_offset is not None:
    raise NotImplementedError("Unimplemented group_offset support.")
  if not isinstance(ragged_dot_dimension_numbers, RaggedDotDimensionNumbers):
    raise TypeError("ragged_dot_general requires ragged_dot_dimension_numbers to be a "
                    f"lax.RaggedDotDimensionNumbers, got {ragged_dot_dimension_numbers!r}.")
  preferred = (None if preferred_element_type is None
               else dtypes.canonicalize_dtype(dtypes.dtype(preferred_element_type)))
  out = ragged_dot_general_p.bind(
      lhs, rhs, group_sizes, ragged_dot_dimension_numbers=ragged_dot_dimension_numbers,
      precision=dot_conv.canonicalize_precision(precision), preferred_element_type=preferred,
      group_offset=None, out_sharding=None)
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import place
    return place(out, out_sharding, "ragged_dot_general")
  return out


def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None,
               group_offset=None, out_sharding=None):
  """Ragged matrix multiplication: ``lhs`` ``[m, k]`` has its rows split into
  ``g`` consecutive groups of sizes ``group_sizes`` ``[g]``; the rows of group
  i are multiplied by ``rhs[i]`` (``rhs`` is ``[g, k, n]``). Rows past
  ``sum(group_sizes)`` give zeros.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lhs = np.ones((3, 2), np.float32)
  >>> rhs = np.stack([np.eye(2, dtype=np.float32), 2 * np.eye(2, dtype=np.float32)])
  >>> lax.ragged_dot(lhs, rhs, np.array([1, 2], np.int32))
  Array([[1., 1.],
         [2., 2.],
         [2., 2.]], dtype=float32)
  """
  return ragged_dot_general(lhs, rhs, group_sizes, _BASIC_DIMENSION_NUMBERS,
                            precision=precision,
                            preferred_element_type=preferred_element_type,
                            group_offset=group_offset, out_sharding=out_sharding)
