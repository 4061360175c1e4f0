"""The primitives of mutable array references and their public functions.

``new_ref``/``empty_ref`` make a ref, ``get`` reads ``ref[idx]``, ``swap``
writes ``ref[idx] = v`` returning the old value, ``addupdate`` does
``ref[idx] += v``, ``freeze`` returns the final value and ``free_ref``
invalidates a ref. Names, parameters and printed forms are JAX's
(``c:f32[3] <- b[...]``, ``b[0,:] <- d``, ``b[...] += e``).

Eagerly each runs on the ref's buffer (on XLA); under ``jit`` they are staged
and discharged into plain values before lowering (``discharge.py``).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> ref = jaxlite.new_ref(jnp.arange(3.0))
  >>> ref[...] += 1.0
  >>> ref[1:]
  Array([2., 3.], dtype=float32)
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np

from jaxlite import core, tree_util
from jaxlite.core import Primitive, ShapedArray
from jaxlite.state.types import AbstractRef, NDIndexer, Ref, ref_effects

# --- making refs -----------------------------------------------------------------------


class _AllocatingPrimitive(Primitive):
  """``new_ref``/``empty_ref`` bind at the innermost transformation (JAX's
  "current trace"), not at their operand's: see jaxlite.state.allocation."""

  def bind(self, *args, **params):
    if not _allocating.active:
      from jaxlite.state import allocation
      return allocation.allocate(self, args, params, len(core._thread_state.trace_stack) - 1)
    return self.bind_plainly(*args, **params)

  def bind_plainly(self, *args, **params):
    """Binds at the operands' trace (the ordinary rule)."""
    out = Primitive.bind(self, *args, **params)
    var = getattr(out, "_var", None)
    if var is not None:   # staged: remember where, for JAX's error if jit returns it
      _remember_creation_site(var)
    return out


# Staged ref variables -> "file:line:column (function)" of the user code that made
# them (bounded: only the latest are kept).
creation_sites: dict = {}
_MAX_CREATION_SITES = 1024


def _remember_creation_site(var):
  import os
  import sys
  package = os.path.dirname(os.path.dirname(__file__))
  frame = sys._getframe(2)
  while frame is not None and frame.f_code.co_filename.startswith(package):
    frame = frame.f_back
  if frame is None:
    return
  code = frame.f_code
  positions = list(code.co_positions())[frame.f_lasti // 2]
  line, col = positions[0], positions[2]
  if len(creation_sites) >= _MAX_CREATION_SITES:
    creation_sites.pop(next(iter(creation_sites)))
  creation_sites[var] = f"{code.co_filename}:{line}:{col} ({code.co_qualname})"


new_ref_p = _AllocatingPrimitive("new_ref")
empty_ref_p = _AllocatingPrimitive("empty_ref")


def _new_ref_abstract_eval(aval, *, memory_space, kind):
  if isinstance(aval, AbstractRef):
    raise AssertionError   # JAX asserts that a ref does not hold a ref
  return AbstractRef(core.raise_to_shaped(aval), kind, memory_space)


def _new_ref_impl(init_val, *, memory_space, kind):
  from jaxlite.interpreters.dispatch import _to_array
  if isinstance(init_val, Ref):
    raise AssertionError
  if memory_space is not None:
    raise NotImplementedError("array ref with memory space only works inside of a `jit`.")
  value = _to_array(init_val)
  return Ref(AbstractRef(value.aval, kind, memory_space), value)


new_ref_p.def_abstract_eval(_new_ref_abstract_eval)
new_ref_p.def_impl(_new_ref_impl)
new_ref_p.effects_rule = lambda *avals, **params: ref_effects


def _empty_ref_impl(*, ty, memory_space):
  # XLA has no uninitialised buffers: an eager empty ref starts out as zeros.
  from jaxlite.interpreters import ad
  return Ref(AbstractRef(ty, None, memory_space), ad.zeros_like_aval(ty))


empty_ref_p.def_abstract_eval(lambda *, ty, memory_space: AbstractRef(ty, None, memory_space))
empty_ref_p.def_impl(_empty_ref_impl)
empty_ref_p.effects_rule = lambda **params: ref_effects

freeze_p = Primitive("freeze")
freeze_p.def_abstract_eval(lambda ref_aval: _check_ref(ref_aval, "freeze").inner_aval)
freeze_p.def_impl(lambda ref: ref._array if type(ref) is Ref else ref[()])   # JAX's: x[()]
freeze_p.effects_rule = lambda *avals: ref_effects

free_ref_p = Primitive("free_ref")
free_ref_p.multiple_results = True
free_ref_p.def_abstract_eval(lambda ref_aval: [])
free_ref_p.def_impl(lambda ref: [])
free_ref_p.effects_rule = lambda *avals: ref_effects


def _check_ref(aval, name):
  if not isinstance(aval, AbstractRef):
    raise ValueError(f"Can only call `{name}` on a `Ref`: {aval}.")
  return aval


def _check_ref_value(ref, name):
  if not isinstance(ref, Ref):
    raise ValueError(f"Can only call `{name}` on a `Ref`: {ref}.")
  return ref


# --- reading and writing ---------------------------------------------------------------

get_p = Primitive("get")
swap_p = Primitive("swap")
addupdate_p = Primitive("addupdate")
addupdate_p.multiple_results = True


def indexer_of(tree, flat_idx) -> NDIndexer | None:
  """The NDIndexer of an equation's flat index operands (None for ``[...]``)."""
  indexers = tree_util.tree_unflatten(tree, flat_idx)
  return indexers[0] if indexers else None


def _get_abstract_eval(ref_aval, *idx_avals, tree):
  _check_ref(ref_aval, "ref_get")
  inner = ref_aval.inner_aval
  indexer = indexer_of(tree, idx_avals)
  shape = inner.shape if indexer is None else _indexed_shape(indexer)
  return ShapedArray(shape, inner.dtype, inner.weak_type)


def _indexed_shape(indexer: NDIndexer):
  # Integer operands arrive as avals here; output_shape reads their shapes.
  return indexer.output_shape()


def _indexer_text(indexer) -> str:
  """An indexer of avals as JAX's error messages show it: integer indices
  (Python ints as weak int32) broadcast to their common shape."""
  from jaxlite.numpy.dynamic_slice_index import Slice
  ints = [i for i in indexer.indices if not isinstance(i, Slice)]
  int_shape = tuple(np.broadcast_shapes(*[np.shape(i) if not hasattr(i, "shape") else
                                          i.shape for i in ints])) if ints else ()
  parts = [repr(i) if isinstance(i, Slice) else
           repr(ShapedArray(int_shape, np.int32, weak_type=True)) if isinstance(i, int) else
           repr(i.update(shape=int_shape)) for i in indexer.indices]
  return (f"NDIndexer(indices=({', '.join(parts)}{',' if len(parts) == 1 else ''}), "
          f"shape={tuple(indexer.shape)}, int_indexer_shape={int_shape}, validate=False)")


def _written_shape(name, ref_aval, val_aval, idx_avals, tree):
  """The shape ``ref[idx]`` has; JAX's errors when the value written differs."""
  _check_ref(ref_aval, f"ref_{name}")
  inner = ref_aval.inner_aval
  indexer = indexer_of(tree, idx_avals)
  expected = inner.shape if indexer is None else _indexed_shape(indexer)
  if tuple(val_aval.shape) != tuple(expected):
    raise ValueError(
        f"Invalid shape for `{name}`. Ref shape: {inner.shape}. Expected shape: "
        f"{expected}. Value shape: {tuple(val_aval.shape)}. Transforms: "
        f"{'()' if indexer is None else '(' + _indexer_text(indexer) + ',)'}. ")
  if val_aval.dtype != inner.dtype:
    raise ValueError(f"Invalid dtype for `{name}`. Ref dtype: {inner.dtype}. "
                     f"Value dtype: {val_aval.dtype}. ")
  return expected


def _swap_abstract_eval(ref_aval, val_aval, *idx_avals, tree):
  shape = _written_shape("swap", ref_aval, val_aval, idx_avals, tree)
  return ShapedArray(shape, ref_aval.dtype, ref_aval.weak_type)


def _addupdate_abstract_eval(ref_aval, val_aval, *idx_avals, tree):
  _written_shape("addupdate", ref_aval, val_aval, idx_avals, tree)
  return []


get_p.def_abstract_eval(_get_abstract_eval)
swap_p.def_abstract_eval(_swap_abstract_eval)
addupdate_p.def_abstract_eval(_addupdate_abstract_eval)
for _p in (get_p, swap_p, addupdate_p):
  _p.effects_rule = lambda *avals, **params: ref_effects


# Eager rules: the buffer is read with jnp indexing and replaced by the
# updated array; both run on XLA.

def _get_impl(ref, *flat_idx, tree):
  from jaxlite.state import discharge
  _check_ref_value(ref, "ref_get")
  return discharge.read_value(ref._array, indexer_of(tree, flat_idx))


def _swap_impl(ref, val, *flat_idx, tree):
  from jaxlite.state import discharge
  _check_ref_value(ref, "ref_swap")
  _swap_abstract_eval(ref.aval, core.get_aval(val), *map(_index_aval, flat_idx), tree=tree)
  old, new = discharge.swap_value(ref._array, val, indexer_of(tree, flat_idx))
  ref._array = _as_ref_type(new, ref)
  return old


def _addupdate_impl(ref, val, *flat_idx, tree):
  from jaxlite.state import discharge
  _check_ref_value(ref, "ref_addupdate")
  _addupdate_abstract_eval(ref.aval, core.get_aval(val), *map(_index_aval, flat_idx),
                           tree=tree)
  ref._array = _as_ref_type(
      discharge.addupdate_value(ref._array, val, indexer_of(tree, flat_idx)), ref)
  return []


def _as_ref_type(value, ref):
  """A ref's type is fixed: a value written into it takes its weak type, as in JAX."""
  weak = ref.aval.weak_type
  if value.aval.weak_type == weak:
    return value
  from jaxlite.lax import structural
  return structural._convert_element_type(value, value.dtype, weak)


def _index_aval(x):
  return x if type(x) is int else core.get_aval(x)


get_p.def_impl(_get_impl)
swap_p.def_impl(_swap_impl)
addupdate_p.def_impl(_addupdate_impl)


# --- public functions ------------------------------------------------------------------


def new_ref(init_val: Any, *, memory_space: Any = None, kind: str | None = None) -> Ref:
  """Create a mutable array reference with initial value ``init_val``.

  Args:
    init_val: A :class:`jax.Array` representing the initial state of the buffer.
    memory_space: An optional memory space attribute for the Ref.
    kind: An optional string indicating the mutation semantics under
      rematerialization. Currently only supports ``'no_grad_no_remat'`` or ``None``.

  Returns:
    A :class:`jax.ref.Ref` containing a reference to a mutable buffer.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> jaxlite.new_ref(jnp.arange(3))
    Ref([0, 1, 2], dtype=int32)
  """
  return new_ref_p.bind(init_val, memory_space=memory_space, kind=kind)


def empty_ref(ty, memory_space=None) -> Ref:
  """A ref of type ``ty`` (an array type or ``ShapeDtypeStruct``) whose
  contents are undefined until written (eagerly: zeros).

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> jaxlite.empty_ref(jaxlite.ShapeDtypeStruct((2,), jnp.float32)).shape
    (2,)
  """
  from jaxlite.interpreters.pjit import shaped_abstractify
  return empty_ref_p.bind(ty=shaped_abstractify(ty), memory_space=memory_space)


def free_ref(ref: Ref):
  """Invalidate a given reference.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> jaxlite.free_ref(jaxlite.new_ref(jnp.ones(2)))
    ()
  """
  free_ref_p.bind(ref)
  return ()


def freeze(ref: Ref):
  """Invalidate a given reference and return its final value.

  Args:
    ref: A :class:`jax.ref.Ref` object.

  Returns:
    A :class:`jax.Array` containing the contents of ``ref``.

  Examples:
    >>> import jaxlite
    >>> ref = jaxlite.new_ref(jaxlite.numpy.arange(5))
    >>> ref[3] = 100
    >>> ref
    Ref([  0,   1,   2, 100,   4], dtype=int32)

    >>> jaxlite.ref.freeze(ref)
    Array([  0,   1,   2, 100,   4], dtype=int32)
  """
  return freeze_p.bind(ref)


def _ref_and_index(ref, idx, function_name):
  """The ref and the flat index operands with their tree (JAX's ``tree`` parameter)."""
  aval = ref.aval if isinstance(ref, (core.Tracer, Ref)) else None
  if not isinstance(aval, AbstractRef):
    raise ValueError(f"Can only call `{function_name}` on a `Ref`: {ref}.")
  if idx is None or idx is Ellipsis or idx == ():
    indexers = ()
  else:
    indexers = (NDIndexer.from_indices_shape(idx, aval.shape),)
  flat, tree = tree_util.tree_flatten(indexers)
  return flat, tree


def ref_get(ref, idx=None):
  """Read a value from an Ref.

  This is equivalent to ``ref[idx]`` for a NumPy-style indexer ``idx``.

  Args:
    ref: a :class:`jax.ref.Ref` object.
    idx: a NumPy-style indexer

  Returns:
    A :class:`jax.Array` object (note, not a :class:`jax.ref.Ref`) containing
    the indexed elements of the mutable reference.

  Examples:
    >>> import jaxlite
    >>> ref = jaxlite.new_ref(jaxlite.numpy.arange(5))
    >>> jaxlite.ref.get(ref, slice(1, 3))
    Array([1, 2], dtype=int32)

    Equivalent operation via indexing syntax:

    >>> ref[1:3]
    Array([1, 2], dtype=int32)

    Use ``...`` to extract the full buffer:

    >>> ref[...]
    Array([0, 1, 2, 3, 4], dtype=int32)
  """
  flat, tree = _ref_and_index(ref, idx, "ref_get")
  return get_p.bind(ref, *flat, tree=tree)


def _as_value(value, ref):
  """A Python scalar written into a ref takes the ref's dtype, as in JAX."""
  if type(value) in (int, float, complex, bool):
    from jaxlite import lax
    return lax.convert_element_type(value, ref.aval.dtype)
  return value


def ref_swap(ref, idx, value, _function_name="ref_swap"):
  """Update an array value inplace while returning the previous value.

  This is equivalent to ``ref[idx], prev = value, ref[idx]`` while returning
  ``prev``, for a NumPy-style indexer ``idx``.

  Examples:
    >>> import jaxlite
    >>> ref = jaxlite.new_ref(jaxlite.numpy.arange(5))
    >>> jaxlite.ref.swap(ref, 3, 10)
    Array(3, dtype=int32)
    >>> ref
    Ref([ 0,  1,  2, 10,  4], dtype=int32)
  """
  flat, tree = _ref_and_index(ref, idx, _function_name)
  return swap_p.bind(ref, _as_value(value, ref), *flat, tree=tree)


def ref_set(ref, idx, value) -> None:
  """Set a value in an Ref in-place.

  This is equivalent to ``ref[idx] = value`` for a NumPy-style indexer ``idx``.

  Examples:
    >>> import jaxlite
    >>> ref = jaxlite.new_ref(jaxlite.numpy.zeros(5))
    >>> jaxlite.ref.set(ref, 1, 10.0)
    >>> ref
    Ref([ 0., 10.,  0.,  0.,  0.], dtype=float32)
  """
  ref_swap(ref, idx, value, _function_name="ref_set")


def ref_addupdate(ref, idx, x) -> None:
  """Add to an element in an Ref in-place.

  This is analogous to ``ref[idx] += x`` for a NumPy array ``ref`` and
  NumPy-style indexer ``idx``.

  Examples:
    >>> import jaxlite
    >>> ref = jaxlite.new_ref(jaxlite.numpy.zeros(5))
    >>> jaxlite.ref.addupdate(ref, 2, 10.0)
    >>> ref
    Ref([ 0.,  0., 10.,  0.,  0.], dtype=float32)
  """
  flat, tree = _ref_and_index(ref, idx, "ref_addupdate")
  addupdate_p.bind(ref, _as_value(x, ref), *flat, tree=tree)


# --- differentiation ------------------------------------------------------------------


class _Allocating(threading.local):
  active = False   # set while jaxlite.state.allocation binds refs itself


_allocating = _Allocating()


def _new_ref_jvp(primals, tangents, **params):
  """new_ref reached by a JVP trace through another trace's rule."""
  from jaxlite.interpreters import ad
  return (new_ref_p.bind_plainly(*primals, **params),
          new_ref_p.bind_plainly(ad.instantiate_zeros(tangents[0]), **params))


def _get_jvp(primals, tangents, *, tree):
  from jaxlite.interpreters import ad
  ref, *idx = primals
  out = get_p.bind(ref, *idx, tree=tree)
  t_ref = tangents[0]
  if type(t_ref) is ad.Zero:
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  return out, get_p.bind(t_ref, *idx, tree=tree)


def _swap_jvp(primals, tangents, *, tree):
  from jaxlite.interpreters import ad
  ref, val, *idx = primals
  t_ref, t_val = tangents[0], tangents[1]
  out = swap_p.bind(ref, val, *idx, tree=tree)
  if type(t_ref) is ad.Zero:
    if type(t_val) is not ad.Zero:
      raise Exception(   # JAX's type and message
          "performing a set/swap operation with a differentiated value on a "
          "non-differentiated array reference of type "
          f"{core.get_aval(ref).str_short(short_dtypes=False)}. Move the array "
          "reference to be an argument of the differentiated function?")
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  t_val = ad.instantiate_zeros(t_val)
  return out, swap_p.bind(t_ref, t_val, *idx, tree=tree)


def _addupdate_jvp(primals, tangents, *, tree):
  from jaxlite.interpreters import ad
  ref, val, *idx = primals
  t_ref, t_val = tangents[0], tangents[1]
  addupdate_p.bind(ref, val, *idx, tree=tree)
  if type(t_ref) is ad.Zero:
    if type(t_val) is not ad.Zero:
      raise Exception(
          "performing an addupdate operation with a differentiated value on a "
          "non-differentiated array reference of type "
          f"{core.get_aval(ref).str_short(short_dtypes=False)}. Move the array "
          "reference to be an argument of the differentiated function?")
    return [], []
  if type(t_val) is not ad.Zero:
    addupdate_p.bind(t_ref, t_val, *idx, tree=tree)
  return [], []


def _freeze_jvp(primals, tangents):
  from jaxlite.interpreters import ad
  out = freeze_p.bind(primals[0])
  if type(tangents[0]) is ad.Zero:
    return out, ad.Zero(ad.tangent_aval(core.get_aval(out)))
  return out, freeze_p.bind(tangents[0])


def _free_ref_jvp(primals, tangents):
  from jaxlite.interpreters import ad
  free_ref_p.bind(primals[0])
  if type(tangents[0]) is not ad.Zero:
    free_ref_p.bind(tangents[0])
  return [], []


def _register_rules():
  from jaxlite import jaxpr_printing
  from jaxlite.interpreters import ad, batching
  from jaxlite.state import batching_rules, printing
  ad.primitive_jvps[new_ref_p] = _new_ref_jvp
  ad.primitive_jvps[get_p] = _get_jvp
  ad.primitive_jvps[swap_p] = _swap_jvp
  ad.primitive_jvps[addupdate_p] = _addupdate_jvp
  ad.primitive_jvps[freeze_p] = _freeze_jvp
  ad.primitive_jvps[free_ref_p] = _free_ref_jvp
  jaxpr_printing.pp_eqn_rules[get_p] = printing.pp_get
  jaxpr_printing.pp_eqn_rules[swap_p] = printing.pp_swap
  jaxpr_printing.pp_eqn_rules[addupdate_p] = printing.pp_addupdate
  batching_rules.register(batching)


_register_rules()
