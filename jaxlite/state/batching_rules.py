"""vmap of refs: a batch of refs is one ref holding the batch along an axis.
Reads and writes index that axis whole (``b[:,0] <- c``), an unbatched value
written into a batched ref is broadcast first, as in JAX.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> def f(x):
  ...   r = jaxlite.new_ref(x)
  ...   r[0] = 5.0
  ...   return jaxlite.freeze(r)
  >>> jaxlite.vmap(f)(jnp.ones((2, 3)))
  Array([[5., 1., 1.],
         [5., 1., 1.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import tree_util
from jaxlite.numpy.dynamic_slice_index import Slice
from jaxlite.state import primitives as prims
from jaxlite.state.types import NDIndexer


def _batched_indexer(tree, idx, idx_dims, ref_shape, ref_dim):
  """The index of the whole ref (batch axis ``ref_dim`` included, or None for
  an unbatched ref) and where the batch axis lands in the result. Integer
  indices batched per example become integer arrays led by the batch axis;
  a batched ref is then indexed along its batch axis by ``arange``."""
  from jaxlite.interpreters import batching
  indexer = prims.indexer_of(tree, idx)
  batched_idx = any(d is not None for d in idx_dims)
  if indexer is None and not batched_idx:
    return tree, list(idx), ref_dim
  inner_shape = tuple(s for k, s in enumerate(ref_shape) if k != ref_dim)
  if indexer is None:
    indexer = NDIndexer.from_indices_shape((), inner_shape)
  dims = prims.indexer_of(tree, list(idx_dims)) if idx_dims else None
  indices = list(indexer.indices)
  if batched_idx:
    for k, (i, d) in enumerate(zip(indices, dims.indices)):
      if isinstance(i, Slice):
        if isinstance(d, Slice) and d.start is not None and i.is_dynamic_start:
          raise NotImplementedError("vmap of a ref indexed by jax.ds with a batched start")
      elif d is not None:
        indices[k] = batching.moveaxis(i, d, 0)
  elif any(not isinstance(i, Slice) and getattr(i, "shape", ()) != () for i in indices):
    raise NotImplementedError("vmap of a ref indexed with integer arrays is not supported")
  if ref_dim is not None:
    size = ref_shape[ref_dim]
    if batched_idx:
      from jaxlite import lax
      extra = max(len(getattr(i, "shape", ())) for i in indices if not isinstance(i, Slice))
      batch_index = lax.broadcasted_iota(np.int32, (size,) + (1,) * (extra - 1), 0)
    else:
      batch_index = Slice(0, size, 1)
    indices.insert(ref_dim, batch_index)
  ints = [k for k, i in enumerate(indices) if not isinstance(i, Slice)]
  if batched_idx:
    adjacent = ints == list(range(ints[0], ints[-1] + 1))
    out_dim = sum(isinstance(i, Slice) for i in indices[:ints[0]]) if adjacent else 0
  else:
    out_dim = sum(isinstance(i, Slice) for i in indices[:ref_dim])
  flat, new_tree = tree_util.tree_flatten((NDIndexer(tuple(indices), tuple(ref_shape)),))
  return new_tree, flat, out_dim


def _ref_shape(ref):
  from jaxlite import core
  return core.get_aval(ref).shape


def _get_batch(vals, dims, *, tree):
  ref, *idx = vals
  new_tree, flat, out_dim = _batched_indexer(tree, idx, dims[1:], _ref_shape(ref), dims[0])
  return prims.get_p.bind(ref, *flat, tree=new_tree), out_dim


def _value_at(batching, val, val_dim, out_dim, size):
  if val_dim is None:
    return batching.broadcast(val, size, out_dim)
  return batching.moveaxis(val, val_dim, out_dim)


def _write_batch(batching, primitive, what, vals, dims, tree):
  """A write (swap or addupdate) of ``val`` into a batched ref: the value is
  moved (or broadcast) to where the batch axis of ``ref[idx]`` is."""
  from jaxlite import core
  ref, val, *idx = vals
  if dims[0] is None:
    raise Exception(   # JAX's type and message
        f"performing a {what} operation with vmapped value on an unbatched array reference "
        f"of type {core.get_aval(ref).str_short(short_dtypes=False)}. Move the array "
        "reference to be an argument to the vmapped function?")
  size = _ref_shape(ref)[dims[0]]
  new_tree, flat, out_dim = _batched_indexer(tree, idx, dims[2:], _ref_shape(ref), dims[0])
  val = _value_at(batching, val, dims[1], out_dim, size)
  out = primitive.bind(ref, val, *flat, tree=new_tree)
  return (out, out_dim) if primitive is prims.swap_p else (out, [])


def register(batching):
  batching.primitive_batchers[prims.new_ref_p] = lambda vals, dims, **params: (
      prims.new_ref_p.bind(vals[0], **params), dims[0])
  batching.primitive_batchers[prims.freeze_p] = lambda vals, dims: (
      prims.freeze_p.bind(vals[0]), dims[0])
  batching.primitive_batchers[prims.free_ref_p] = lambda vals, dims: (
      prims.free_ref_p.bind(vals[0]), [])
  batching.primitive_batchers[prims.get_p] = _get_batch
  batching.primitive_batchers[prims.swap_p] = lambda vals, dims, *, tree: _write_batch(
      batching, prims.swap_p, "set/swap", vals, dims, tree)
  batching.primitive_batchers[prims.addupdate_p] = lambda vals, dims, *, tree: _write_batch(
      batching, prims.addupdate_p, "addupdate", vals, dims, tree)
