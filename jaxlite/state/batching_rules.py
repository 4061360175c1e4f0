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
  an unbatched ref), where the batch axis lands in the result, and the
  permutation (or None) taking what that index reads to that layout.

  Without integer arrays, an unbatched index of a batched ref takes the batch
  axis whole. Otherwise, as JAX's batching: every integer array (batched ones
  with their batch axis first) is broadcast to ``(batch, *per_example_shape)``
  and a batched ref is indexed along its batch axis by an ``iota`` of that
  shape. Where that splits integer indices that were adjacent per example, the
  read puts the integer dimensions first, and the permutation moves the
  per-example slice dimensions back in front of them."""
  from jaxlite import lax
  from jaxlite.interpreters import batching
  indexer = prims.indexer_of(tree, idx)
  batched_idx = any(d is not None for d in idx_dims)
  if indexer is None and not batched_idx:
    return tree, list(idx), ref_dim, None
  inner_shape = tuple(s for k, s in enumerate(ref_shape) if k != ref_dim)
  if indexer is None:
    indexer = NDIndexer.from_indices_shape((), inner_shape)
  dims = prims.indexer_of(tree, list(idx_dims)) if idx_dims else None
  dims = dims.indices if dims is not None else (None,) * len(indexer.indices)
  indices = list(indexer.indices)
  for i, d in zip(indices, dims):
    if isinstance(i, Slice) and isinstance(d, Slice) and d.start is not None \
        and i.is_dynamic_start:
      raise NotImplementedError(   # JAX 0.10.2 has no rule for it either
          f"No support for vmapping over nontrivial slices just yet: {i!r}")
  is_int = [not isinstance(i, Slice) for i in indices]
  arrays = [k for k, i in enumerate(indices)
            if is_int[k] and (dims[k] is not None or np.shape(i) != ())]
  size = ref_shape[ref_dim] if ref_dim is not None else None
  if not batched_idx and (ref_dim is None or not arrays):   # the batch axis taken whole
    if ref_dim is not None:
      indices.insert(ref_dim, Slice(0, size, 1))
    out_dim = None if ref_dim is None else ref_dim - sum(is_int[:ref_dim])
    flat, new_tree = tree_util.tree_flatten((NDIndexer(tuple(indices), tuple(ref_shape)),))
    return new_tree, flat, out_dim, None
  if size is None:
    size = next(np.shape(indices[k])[dims[k]] for k in arrays if dims[k] is not None)
  per_example = [tuple(s for a, s in enumerate(np.shape(indices[k])) if a != dims[k])
                 for k in arrays]
  int_shape = tuple(np.broadcast_shapes(*per_example))
  full = (size,) + int_shape
  for k, shape in zip(arrays, per_example):
    i = indices[k] if dims[k] is None else batching.moveaxis(indices[k], dims[k], 0)
    lead = 0 if dims[k] is None else 1   # per-example dims align with the trailing ones
    indices[k] = lax.broadcast_in_dim(
        i, full, ((0,) if lead else ()) + tuple(range(len(full) - len(shape), len(full))))
  new_is_int = list(is_int)
  if ref_dim is not None:
    indices.insert(ref_dim, lax.broadcasted_iota(np.int32, full, 0))
    new_is_int.insert(ref_dim, True)

  def contiguous(flags):
    where = [k for k, f in enumerate(flags) if f]
    return where == list(range(where[0], where[-1] + 1))
  perm = None
  if contiguous(new_is_int):
    out_dim = new_is_int.index(True)   # the slices before the integer indices
  else:
    out_dim = 0
    if contiguous(is_int):   # per example the integer dims sat after leading slices
      before = is_int.index(True)
      n_int = len(full)
      perm = ([0] + [n_int + k for k in range(before)] + list(range(1, n_int)) +
              list(range(n_int + before, n_int + sum(not f for f in is_int))))
  flat, new_tree = tree_util.tree_flatten((NDIndexer(tuple(indices), tuple(ref_shape)),))
  return new_tree, flat, out_dim, perm


def _ref_shape(ref):
  from jaxlite import core
  return core.get_aval(ref).shape


def _get_batch(vals, dims, *, tree):
  ref, *idx = vals
  new_tree, flat, out_dim, perm = _batched_indexer(tree, idx, dims[1:], _ref_shape(ref),
                                                   dims[0])
  out = prims.get_p.bind(ref, *flat, tree=new_tree)
  if perm is not None:
    from jaxlite import lax
    out = lax.transpose(out, perm)
  return out, out_dim


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
  new_tree, flat, out_dim, perm = _batched_indexer(tree, idx, dims[2:], _ref_shape(ref),
                                                   dims[0])
  val = _value_at(batching, val, dims[1], out_dim, size)
  if perm is not None:   # into the layout the whole-ref index reads and writes
    from jaxlite import lax
    val = lax.transpose(val, tuple(np.argsort(perm)))
  out = primitive.bind(ref, val, *flat, tree=new_tree)
  if primitive is not prims.swap_p:
    return out, []
  if perm is not None:
    from jaxlite import lax
    out = lax.transpose(out, perm)
  return out, out_dim


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
