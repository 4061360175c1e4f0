"""Host callbacks: Python functions called from inside compiled programs.

``pure_callback`` calls a side-effect-free Python (NumPy) function from a
jaxlite computation, under ``jit`` and ``vmap`` as well as eagerly. In
compiled code the call is a custom call to jaxlib's CPU Python-callback FFI
target (``mlir.emit_python_callback``): the program does not stop and
restart around it.

  >>> import numpy as np
  >>> import jaxlite, jaxlite.numpy as jnp
  >>> f = lambda x: jaxlite.pure_callback(np.sin, jaxlite.ShapeDtypeStruct((2,), jnp.float32), x)
  >>> jaxlite.jit(f)(jnp.zeros(2))
  Array([0., 0.], dtype=float32)

The machinery here (flattened callbacks, result checks, host-side batch loops
and ordering tokens) is shared with ``jaxlite.debug``.
"""
from __future__ import annotations

import logging
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.tree_util import tree_flatten, tree_map, tree_unflatten

__all__ = ["pure_callback", "io_callback"]

_logger = logging.getLogger(__name__)


# --- callbacks on flat lists of host arrays -------------------------------------------


class FlatCallback:
  """``callback(*args, **kwargs)`` called with the flat leaves of ``(args, kwargs)``.

  ``static`` maps leaf positions to non-array leaves (Python objects that
  were never traced); the others come in as NumPy arrays. A callback that
  raises is logged as JAX logs it (``"jax.pure_callback failed"`` with the
  traceback, ``api_name`` naming the API) before the error goes on.
  """
  __slots__ = ("callback", "in_tree", "static", "api_name")

  def __init__(self, callback: Callable, in_tree, static: dict | None = None,
               api_name: str = "jax.pure_callback"):
    self.callback, self.in_tree, self.static = callback, in_tree, dict(static or {})
    self.api_name = api_name

  def __call__(self, *arrays):
    arrays = iter(arrays)
    n = self.in_tree.num_leaves
    leaves = [self.static[i] if i in self.static else next(arrays) for i in range(n)]
    args, kwargs = tree_unflatten(self.in_tree, leaves)
    try:
      return self.callback(*args, **kwargs)
    except BaseException:
      # Inside a compiled program the error reaches the caller as jaxlib's
      # runtime error; the log keeps the callback's own traceback.
      _logger.exception("%s failed", self.api_name)
      raise

  def __repr__(self):
    # JAX's text for it in a printed jaxpr (addresses are masked there).
    return f"_FlatCallback(callback_func={self.callback!r}, in_tree={self.in_tree!r})"


def split_static(flat_args):
  """Array-like leaves (traced) and the others (kept in the callback)."""
  static, dynamic = {}, []
  for i, x in enumerate(flat_args):
    try:
      core.get_aval(x)
    except TypeError:
      static[i] = x
    else:
      dynamic.append(x)
  return static, dynamic


def to_host(x):
  """A NumPy view of an array argument (a jaxlite Array or a host value)."""
  return np.asarray(x)


def check_results(outs, result_avals: Sequence[ShapedArray]) -> list[np.ndarray]:
  """The callback's results (a pytree) as NumPy arrays of the declared shapes
  and dtypes.

  Python scalars and float64 results are canonicalized as JAX's are (to
  float32 without x64); anything else that differs raises, naming both.
  """
  outs = tree_flatten(outs)[0]
  if len(outs) != len(result_avals):
    raise RuntimeError("Mismatched number of outputs from callback. "
                       f"Expected: {len(result_avals)}, Actual: {len(outs)}")
  checked = []
  for i, (out, aval) in enumerate(zip(outs, result_avals)):
    out = np.asarray(out)
    if out.shape != aval.shape:
      raise RuntimeError(f"Incorrect output shape for return value #{i}: "
                         f"Expected: {aval.shape}, Actual: {out.shape}")
    if out.dtype != aval.dtype:
      if dtypes.canonicalize_dtype(out.dtype) != aval.dtype:
        raise RuntimeError(f"Incorrect output dtype for return value #{i}: "
                           f"Expected: {aval.dtype}, Actual: {out.dtype}")
      out = out.astype(aval.dtype)
    checked.append(out)
  return checked


class CheckedCallback:
  """A flat callback whose results are checked against ``result_avals``; what
  the compiled program calls."""
  __slots__ = ("callback", "result_avals")

  def __init__(self, callback, result_avals):
    self.callback, self.result_avals = callback, tuple(result_avals)

  def __call__(self, *arrays):
    # jaxlib's FFI handler takes a tuple (a list fails a C++ cast).
    return tuple(check_results(self.callback(*arrays), self.result_avals))


# --- host-side batch loops ---------------------------------------------------------------


class SequentialCallback:
  """Runs ``callback`` once per element of a batch axis (axis 0 of the batched
  arguments), stacking its results along a new axis 0: vmap, one by one."""
  __slots__ = ("callback", "batched", "size", "result_avals")

  def __init__(self, callback, batched: Sequence[bool], size: int, result_avals):
    self.callback, self.batched, self.size = callback, tuple(batched), size
    self.result_avals = tuple(result_avals)

  def __call__(self, *arrays):
    per_element = []
    for i in range(self.size):
      args = [a[i] if b else a for a, b in zip(arrays, self.batched)]
      per_element.append(check_results(self.callback(*args), self.result_avals))
    if not self.result_avals:
      return []
    return [np.stack([outs[k] for outs in per_element])
            for k in range(len(self.result_avals))]


def moveaxis_to_front(x, d):
  return x if d == 0 else batching.moveaxis(x, d, 0)


# --- ordering: tokens threaded through the callbacks of one block ------------------------

# Per module being lowered: the latest token of each block. Consecutive
# side-effecting callbacks in a block take and return a token, so XLA runs them
# in program order (independent custom calls may otherwise be reordered).
_tokens: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()


def _current_token(module_context):
  ir = mlir.mlir().ir
  block = ir.InsertionPoint.current.block
  per_block = _tokens.setdefault(module_context, {})
  token = per_block.get(block)
  if token is None:
    token = mlir.mlir().hlo.create_token()
  return block, token


def emit_ordered_callback(ctx, callback: Callable, operands, result_avals):
  """Lowers a side-effecting call of ``callback`` ordered after the previous
  one in the same block (by a token), returning its results."""
  m = mlir.mlir()
  ir = m.ir
  mc = ctx.module_context
  if mc.platform != "cpu":
    raise NotImplementedError(f"host callbacks are not supported on {mc.platform}")
  block, token = _current_token(mc)

  def with_token(token_in, *arrays):
    return (token_in, *callback(*arrays))

  mc.host_callbacks.append(with_token)
  index = len(mc.host_callbacks) - 1
  u64 = ir.IntegerType.get_unsigned(64)
  result_types = [m.hlo.TokenType.get()] + [mlir.aval_to_ir_type(a) for a in result_avals]
  op = m.hlo.CustomCallOp(
      result_types, [token, *operands],
      call_target_name=ir.StringAttr.get("xla_ffi_python_cpu_callback"),
      has_side_effect=ir.BoolAttr.get(True),
      api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
      backend_config=ir.DictAttr.get({"index": ir.IntegerAttr.get(u64, index)}))
  mlir.pin_to_first_device(mc, op, len(result_types))
  token_out, *results = op.results
  _tokens[mc][block] = token_out
  return results


# --- pure_callback -----------------------------------------------------------------------

pure_callback_p = core.Primitive("pure_callback")
pure_callback_p.multiple_results = True

_VMAP_METHODS = ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
                 "legacy_vectorized", None)


@pure_callback_p.def_abstract_eval
def _pure_callback_abstract_eval(*avals, callback, result_avals, vmap_method,
                                 sharding=None):
  return list(result_avals)


@pure_callback_p.def_impl
def _pure_callback_impl(*args, callback, result_avals, vmap_method,
                        sharding=None):
  # Outside every transformation the callback runs right here, on host copies.
  from jaxlite.runtime import transfer
  outs = callback(*[to_host(a) for a in args])
  return [transfer.device_put(o) for o in check_results(outs, result_avals)]


def _pure_callback_lowering(ctx, *args, callback, result_avals, vmap_method,
                            sharding=None):
  return mlir.emit_python_callback(ctx, CheckedCallback(callback, result_avals),
                                   list(args), list(result_avals), has_side_effect=False)


mlir.register_lowering(pure_callback_p, _pure_callback_lowering)


def _pure_callback_jvp(primals, tangents, **params):
  raise ValueError("Pure callbacks do not support JVP. "
                   "Please use `jax.custom_jvp` to use callbacks while taking gradients.")


def _pure_callback_transpose(*args, **params):
  raise ValueError("Pure callbacks do not support transpose. "
                   "Please use `jax.custom_vjp` to use callbacks while taking gradients.")


ad.primitive_jvps[pure_callback_p] = _pure_callback_jvp
ad.primitive_transposes[pure_callback_p] = _pure_callback_transpose


def _batched_aval(size, aval):
  return ShapedArray((size,) + tuple(aval.shape), aval.dtype)


def _pure_callback_batch(args, dims, *, callback, result_avals, vmap_method, sharding=None):
  from jaxlite import lax
  size = next(a.shape[d] for a, d in zip(args, dims) if d is not None)
  args = [a if d is None else moveaxis_to_front(a, d) for a, d in zip(args, dims)]
  batched_avals = tuple(_batched_aval(size, a) for a in result_avals)
  if vmap_method == "legacy_vectorized":
    # The callback sees batched arguments with the batch axis first and the
    # unbatched ones as they are; it must return batched results.
    outs = pure_callback_p.bind(*args, callback=callback, result_avals=batched_avals,
                                vmap_method=vmap_method, sharding=sharding)
  elif vmap_method in ("expand_dims", "broadcast_all"):
    new_size = size if vmap_method == "broadcast_all" else 1
    args = [lax.broadcast(a, (new_size,)) if d is None else a for a, d in zip(args, dims)]
    outs = pure_callback_p.bind(*args, callback=callback, result_avals=batched_avals,
                                vmap_method=vmap_method, sharding=sharding)
  elif vmap_method in ("sequential", "sequential_unrolled"):
    looped = SequentialCallback(callback, [d is not None for d in dims], size, result_avals)
    outs = pure_callback_p.bind(*args, callback=looped, result_avals=batched_avals,
                                vmap_method=vmap_method, sharding=sharding)
  else:
    raise NotImplementedError(
        "vmap is only supported for the pure_callback primitive when vmap_method is one "
        "of 'sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', or "
        "'legacy_vectorized'.")
  return outs, [0] * len(outs)


batching.primitive_batchers[pure_callback_p] = _pure_callback_batch


def _result_aval(x):
  shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
  if shape is None or dtype is None:
    raise ValueError("pure_callback: result_shape_dtypes must be a pytree of objects with "
                     f"`shape` and `dtype` attributes (e.g. ShapeDtypeStruct), got {x!r}")
  dtypes.check_user_dtype_supported(dtype, "pure_callback")
  return ShapedArray(tuple(shape), dtypes.canonicalize_dtype(dtype))


def pure_callback(callback: Callable[..., Any], result_shape_dtypes: Any, *args: Any,
                  sharding=None, vmap_method: str | None = None, **kwargs: Any):
  """Calls a pure Python function from jaxlite code, under any transformation.

  ``callback`` receives NumPy arrays (and the non-array leaves of ``args``
  and ``kwargs`` unchanged) and must return arrays of the shapes and dtypes
  in ``result_shape_dtypes``; a result of another shape raises an error that
  names both. The call may be removed or repeated by the compiler: use it
  for side-effect-free functions only (``jaxlite.debug.callback`` otherwise).

  Args:
    callback: the Python function.
    result_shape_dtypes: a pytree of ``ShapeDtypeStruct`` (or anything with
      ``shape`` and ``dtype``) describing the results.
    *args, **kwargs: the arguments; array leaves may be traced.
    sharding: accepted for JAX compatibility; callbacks run on the host.
    vmap_method: how ``vmap`` calls it: ``'sequential'`` (once per batch
      element), ``'expand_dims'`` (once, unbatched arguments given a leading
      axis of size 1), ``'broadcast_all'`` (once, all arguments broadcast to
      the batch), ``'legacy_vectorized'`` (once, unbatched arguments as they
      are); ``None`` makes ``vmap`` an error.

  Returns:
    The callback's results, as arrays with ``result_shape_dtypes``' structure.

  Example:
    >>> import numpy as np
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> def host_cumsum(x):
    ...   return np.cumsum(x).astype(x.dtype)
    >>> spec = jaxlite.ShapeDtypeStruct((3,), jnp.float32)
    >>> jaxlite.vmap(lambda x: jaxlite.pure_callback(host_cumsum, spec, x,
    ...                                              vmap_method='sequential'))(jnp.ones((2, 3)))
    Array([[1., 2., 3.],
           [1., 2., 3.]], dtype=float32)
  """
  del sharding   # one host, one device: nothing to place
  if vmap_method not in _VMAP_METHODS:
    raise ValueError(f"vmap_method must be on of the allowed methods {list(_VMAP_METHODS)}, "
                     f"but got: {vmap_method}")
  flat_args, in_tree = tree_flatten((args, kwargs))
  static, dynamic = split_static(flat_args)
  result_avals = tree_map(_result_aval, result_shape_dtypes)
  flat_avals, out_tree = tree_flatten(result_avals,
                                      is_leaf=lambda x: isinstance(x, ShapedArray))
  # sharding=None is JAX's parameter too (one host, one device: nothing to place).
  outs = pure_callback_p.bind(*dynamic, callback=FlatCallback(callback, in_tree, static),
                              result_avals=tuple(flat_avals), sharding=None,
                              vmap_method=vmap_method)
  return tree_unflatten(out_tree, outs)


# --- io_callback ---------------------------------------------------------------------------


class IOEffect:
  """The effect of an ``io_callback``: it must run, even if its results are unused."""

  def __repr__(self):
    return "IO"


class OrderedIOEffect(IOEffect):
  """An IO effect whose calls run in program order."""

  def __repr__(self):
    return "OrderedIO"


io_effect = IOEffect()
ordered_io_effect = OrderedIOEffect()

io_callback_p = core.Primitive("io_callback")
io_callback_p.multiple_results = True


@io_callback_p.def_abstract_eval
def _io_callback_abstract_eval(*avals, callback, result_avals, ordered,
                               sharding=None):
  return list(result_avals)


def _io_callback_effects(*avals, callback, result_avals, ordered,
                         sharding=None):
  return frozenset({ordered_io_effect if ordered else io_effect})


io_callback_p.effects_rule = _io_callback_effects


@io_callback_p.def_impl
def _io_callback_impl(*args, callback, result_avals, ordered,
                      sharding=None):
  from jaxlite.runtime import transfer
  outs = callback(*[to_host(a) for a in args])
  return [transfer.device_put(o) for o in check_results(outs, result_avals)]


def _io_callback_lowering(ctx, *args, callback, result_avals, ordered,
                          sharding=None):
  checked = CheckedCallback(callback, result_avals)
  if ordered:
    return emit_ordered_callback(ctx, checked, list(args), list(result_avals))
  return mlir.emit_python_callback(ctx, checked, list(args), list(result_avals),
                                   has_side_effect=True)


mlir.register_lowering(io_callback_p, _io_callback_lowering)


def _io_callback_jvp(primals, tangents, **params):
  raise ValueError("IO callbacks do not support JVP.")


def _io_callback_transpose(*args, **params):
  raise ValueError("IO callbacks do not support transpose.")


ad.primitive_jvps[io_callback_p] = _io_callback_jvp
ad.primitive_transposes[io_callback_p] = _io_callback_transpose


def _io_callback_batch(args, dims, *, callback, result_avals, ordered, sharding=None):
  if ordered:
    raise ValueError("Cannot `vmap` ordered IO callback.")
  # One call per batch element, in order, as JAX's (a map over the batch).
  size = next(a.shape[d] for a, d in zip(args, dims) if d is not None)
  args = [a if d is None else moveaxis_to_front(a, d) for a, d in zip(args, dims)]
  looped = SequentialCallback(callback, [d is not None for d in dims], size, result_avals)
  batched_avals = tuple(_batched_aval(size, a) for a in result_avals)
  outs = io_callback_p.bind(*args, callback=looped, result_avals=batched_avals,
                            ordered=False, sharding=sharding)
  return outs, [0] * len(outs)


batching.primitive_batchers[io_callback_p] = _io_callback_batch


def io_callback(callback: Callable[..., Any], result_shape_dtypes: Any, *args: Any,
                sharding=None, ordered: bool = False, **kwargs: Any):
  """Calls a Python function with side effects from jaxlite code.

  Unlike ``pure_callback`` the call is never removed or repeated by the
  compiler; with ``ordered=True`` calls run in program order (and may not
  be vmapped). Neither kind can be differentiated.

  Args:
    callback: the Python function; it receives NumPy arrays (non-array leaves
      of ``args``/``kwargs`` unchanged) and returns arrays matching
      ``result_shape_dtypes``.
    result_shape_dtypes: a pytree of ``ShapeDtypeStruct`` (or anything with
      ``shape`` and ``dtype``); ``None`` for no results.
    *args, **kwargs: the arguments; array leaves may be traced.
    sharding: accepted for JAX compatibility; callbacks run on the host.
    ordered: keep the order of this call relative to other ordered effects.

  Returns:
    The callback's results, with ``result_shape_dtypes``' structure.

  Example:
    >>> import numpy as np
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> log = []
    >>> def record(x):
    ...   log.append(float(x))
    ...   return np.float32(len(log))
    >>> spec = jaxlite.ShapeDtypeStruct((), jnp.float32)
    >>> f = jaxlite.jit(lambda x: io_callback(record, spec, x * 2, ordered=True))
    >>> f(1.0), f(2.0), log
    (Array(1., dtype=float32), Array(2., dtype=float32), [2.0, 4.0])
  """
  del sharding   # one host, one device: nothing to place
  if not callable(callback):
    raise TypeError(f"io_callback expects a callable, got {callback!r}")
  flat_args, in_tree = tree_flatten((args, kwargs))
  static, dynamic = split_static(flat_args)
  result_avals = tree_map(_result_aval, result_shape_dtypes)
  flat_avals, out_tree = tree_flatten(result_avals,
                                      is_leaf=lambda x: isinstance(x, ShapedArray))
  outs = io_callback_p.bind(*dynamic, callback=FlatCallback(callback, in_tree, static,
                                                           "jax.io_callback"),
                            result_avals=tuple(flat_avals), ordered=bool(ordered),
                            sharding=None)
  return tree_unflatten(out_tree, outs)
