"""JAX's PRNG primitives over typed key arrays: ``random_seed``,
``random_split``, ``random_fold_in``, ``random_bits``, ``random_wrap`` and
``random_unwrap``.

A key array is one value of type ``key<fry>[*shape]`` to every
transformation, as in JAX: jaxprs print it so, ``vmap`` batches it along its
shape, ``grad`` treats it as not differentiable. Only the lowering sees its
key data ``uint32[*shape, 2]``: each primitive lowers to the threefry
functions of ``jaxlite.prng`` (so its numbers are JAX's), mapped over the key
array's shape, and the structural primitives that move keys around (slice,
reshape, concatenate, select_n, ...) lower to the same operation on the key
data (``_lower_physically``).

  >>> from jaxlite import make_jaxpr, random
  >>> print(make_jaxpr(lambda k: random.split(k))(random.key(0)))
  { lambda ; a:key<fry>[]. let
      b:key<fry>[2] = random_split[shape=(2,)] a
    in (b,) }
"""
from __future__ import annotations

import numpy as np

from jaxlite import core, dtypes, lax
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.prng import KeyTy, PRNGKeyArray, UINT_DTYPES, check_key_data

__all__ = ["random_seed_p", "random_split_p", "random_fold_in_p", "random_bits_p",
           "random_wrap_p", "random_unwrap_p", "random_seed", "random_split",
           "random_fold_in", "random_bits", "random_wrap", "random_unwrap",
           "is_key_value", "impl_of"]

_U32 = np.dtype(np.uint32)


def is_key_value(x) -> bool:
  """Whether ``x`` is a typed key array: a ``PRNGKeyArray`` or a tracer of a key type."""
  if isinstance(x, PRNGKeyArray):
    return True
  return isinstance(x, core.Tracer) and isinstance(x.aval.dtype, KeyTy)


def impl_of(keys):
  """The ``PRNGImpl`` of a key array (concrete or traced)."""
  if type(keys) is PRNGKeyArray:   # without making its aval (eager calls)
    return keys._impl   # pylint: disable=protected-access
  return core.get_aval(keys).dtype._impl   # pylint: disable=protected-access


def _key_aval(shape, impl) -> core.ShapedArray:
  return core.ShapedArray(tuple(shape), KeyTy(impl))


def _check_keys(name, aval):
  if not isinstance(aval.dtype, KeyTy):
    raise TypeError(f"{name} accepts PRNG key arrays, got {aval.str_short()}")


def _mapped(fn, batch_ndim):
  """``fn`` on one key's data, mapped over ``batch_ndim`` leading axes (of
  every argument): the key array's shape."""
  if not batch_ndim:
    return fn
  from jaxlite.vectorization import vmap  # pylint: disable=g-import-not-at-top
  for _ in range(batch_ndim):
    fn = vmap(fn)
  return fn


# --- the computations on key data ----------------------------------------------------------

def _seed_data(seeds, *, impl):
  return _mapped(impl.seed, np.ndim(seeds))(seeds)


def _split_data(data, *, impl, shape):
  batch_ndim = np.ndim(data) - len(impl.key_shape)
  if not batch_ndim:   # one key (the eager common case): no mapping
    return impl.split(data, shape)
  return _mapped(lambda k: impl.split(k, shape), batch_ndim)(data)


def _fold_in_data(data, msgs, *, impl):
  batch_ndim = np.ndim(data) - len(impl.key_shape)
  if np.ndim(msgs) == 0:   # one message for every key (unmapped, as JAX's)
    fold = lambda k: impl.fold_in(k, msgs)   # noqa: E731
    return _mapped(fold, batch_ndim)(data)
  return _mapped(impl.fold_in, batch_ndim)(data, msgs)


def _bits_data(data, *, impl, bit_width, shape):
  batch_ndim = np.ndim(data) - len(impl.key_shape)
  if not batch_ndim:
    return impl.random_bits(data, bit_width, shape)
  return _mapped(lambda k: impl.random_bits(k, bit_width, shape), batch_ndim)(data)


def _physical_lowering(data_fn, multiple_results=False):
  """A lowering rule running ``data_fn(*physical operands, impl=, **params)``."""
  def rule(ctx, *args, **params):
    key_avals = [a for a in (*ctx.avals_in, *ctx.avals_out) if isinstance(a.dtype, KeyTy)]
    impl = key_avals[0].dtype._impl if "impl" not in params else params.pop("impl")
    physical = ctx.replace(avals_in=[core.physical_aval(a) for a in ctx.avals_in],
                           avals_out=[core.physical_aval(a) for a in ctx.avals_out])
    inner = mlir.lower_fun(lambda *xs: data_fn(*xs, impl=impl, **params), multiple_results)
    return inner(physical, *args)
  return rule


def _front(x, bdim, size):
  """``x`` (a key array or an array) with its batch axis first (made when absent)."""
  if bdim == 0:
    return x
  if is_key_value(x):
    impl = impl_of(x)
    return random_wrap(batching.bdim_at_front(random_unwrap(x), bdim, size), impl=impl)
  return batching.bdim_at_front(x, bdim, size)


# --- random_seed --------------------------------------------------------------------------

random_seed_p = core.Primitive("random_seed")


def _seed_abstract_eval(seeds, *, impl):
  if not dtypes.issubdtype(seeds.dtype, np.integer):
    raise TypeError(f"PRNG key seed must be an integer; got {seeds.str_short()}")
  return _key_aval(seeds.shape, impl)


random_seed_p.def_abstract_eval(_seed_abstract_eval)
random_seed_p.def_impl(lambda seeds, *, impl: PRNGKeyArray(impl, _seed_data(seeds, impl=impl)))
mlir.register_lowering(random_seed_p, _physical_lowering(_seed_data))
ad.defjvp_zero(random_seed_p)
batching.primitive_batchers[random_seed_p] = lambda args, dims, *, impl: (
    random_seed_p.bind(batching.bdim_at_front(args[0], dims[0], args[0].shape[dims[0]]),
                       impl=impl), 0)


def random_seed(seeds, impl):
  """A key array shaped like the integer array ``seeds``: one key per seed.

  >>> import numpy as np
  >>> from jaxlite import prng
  >>> random_seed(np.int32(3), prng.threefry_prng_impl)
  Array((), dtype=key<fry>) overlaying:
  [0 3]
  """
  return random_seed_p.bind(seeds, impl=impl)


# --- random_wrap / random_unwrap ------------------------------------------------------------

random_wrap_p = core.Primitive("random_wrap")


def _wrap_abstract_eval(data, *, impl):
  check_key_data(impl, data)
  return _key_aval(data.shape[:data.ndim - len(impl.key_shape)], impl)


def _wrap_batch(args, dims, *, impl):
  data, d = args[0], dims[0]
  if d >= np.ndim(data) - len(impl.key_shape):
    data, d = batching.bdim_at_front(data, d, np.shape(data)[d]), 0
  return random_wrap_p.bind(data, impl=impl), d


random_wrap_p.def_abstract_eval(_wrap_abstract_eval)
random_wrap_p.def_impl(lambda data, *, impl: PRNGKeyArray(impl, data))
mlir.register_lowering(random_wrap_p, lambda ctx, data, *, impl: data)
ad.defjvp_zero(random_wrap_p)
batching.primitive_batchers[random_wrap_p] = _wrap_batch


def random_wrap(data, *, impl):
  """The key array over the key data ``uint32[..., *impl.key_shape]``.

  >>> import numpy as np
  >>> from jaxlite import prng
  >>> random_wrap(np.array([0, 1], np.uint32), impl=prng.threefry_prng_impl).shape
  ()
  """
  if isinstance(data, (list, tuple, int)):
    data = np.asarray(data)
  check_key_data(impl, data)
  return random_wrap_p.bind(data, impl=impl)


random_unwrap_p = core.Primitive("random_unwrap")


def _unwrap_abstract_eval(keys):
  _check_keys("random_unwrap", keys)
  return core.physical_aval(keys)


random_unwrap_p.def_abstract_eval(_unwrap_abstract_eval)
random_unwrap_p.def_impl(lambda keys: keys._base_array)   # pylint: disable=protected-access
mlir.register_lowering(random_unwrap_p, lambda ctx, keys: keys)
ad.defjvp_zero(random_unwrap_p)
batching.primitive_batchers[random_unwrap_p] = lambda args, dims: (
    random_unwrap_p.bind(args[0]), dims[0])


def random_unwrap(keys):
  """The key data ``uint32[*keys.shape, 2]`` of a key array.

  >>> from jaxlite import random
  >>> random_unwrap(random.key(5))
  Array([0, 5], dtype=uint32)
  """
  return random_unwrap_p.bind(keys)


# --- random_split / random_fold_in / random_bits -----------------------------------------------

random_split_p = core.Primitive("random_split")


def _split_abstract_eval(keys, *, shape):
  _check_keys("random_split", keys)
  return _key_aval(tuple(keys.shape) + tuple(shape), keys.dtype._impl)


def _split_impl(keys, *, shape):
  impl = keys._impl   # pylint: disable=protected-access
  return PRNGKeyArray(impl, _split_data(keys._base_array, impl=impl, shape=shape))


random_split_p.def_abstract_eval(_split_abstract_eval)
random_split_p.def_impl(_split_impl)
mlir.register_lowering(random_split_p, _physical_lowering(_split_data))
ad.defjvp_zero(random_split_p)
batching.primitive_batchers[random_split_p] = lambda args, dims, *, shape: (
    random_split_p.bind(_front(args[0], dims[0], None), shape=shape), 0)


def random_split(keys, shape):
  """``keys`` split into ``shape`` new keys each (a key array of shape
  ``keys.shape + shape``).

  >>> from jaxlite import random
  >>> random_split(random.key(0), (3,)).shape
  (3,)
  """
  return random_split_p.bind(keys, shape=tuple(shape))


random_fold_in_p = core.Primitive("random_fold_in")


def _fold_in_abstract_eval(keys, msgs):
  _check_keys("random_fold_in", keys)
  if msgs.dtype != _U32:
    raise TypeError(f"random_fold_in requires uint32 data, got {msgs.str_short()}")
  if msgs.shape and tuple(keys.shape) != tuple(msgs.shape):
    raise TypeError("random_fold_in got incompatible shapes for broadcasting: "
                    f"{tuple(keys.shape)}, {tuple(msgs.shape)}.")
  return keys


def _fold_in_impl(keys, msgs):
  impl = keys._impl   # pylint: disable=protected-access
  return PRNGKeyArray(impl, _fold_in_data(keys._base_array, msgs, impl=impl))


def _fold_in_batch(args, dims):
  size = batching.batch_size(args, dims)
  keys, msgs = args
  if dims[1] is None and not np.ndim(msgs):   # one message for all keys stays one
    return random_fold_in_p.bind(_front(keys, dims[0], size), msgs), 0
  keys, msgs = (_front(x, d, size) for x, d in zip(args, dims))
  return random_fold_in_p.bind(keys, msgs), 0


random_fold_in_p.def_abstract_eval(_fold_in_abstract_eval)
random_fold_in_p.def_impl(_fold_in_impl)
mlir.register_lowering(random_fold_in_p, _physical_lowering(_fold_in_data))
ad.defjvp_zero(random_fold_in_p)
batching.primitive_batchers[random_fold_in_p] = _fold_in_batch


def random_fold_in(keys, msgs):
  """New keys from ``keys`` and the ``uint32`` data ``msgs`` of the same shape.

  >>> import numpy as np
  >>> from jaxlite import random
  >>> random.key_data(random_fold_in(random.key(0), np.uint32(7)))
  Array([2716826189,  292468403], dtype=uint32)
  """
  return random_fold_in_p.bind(keys, msgs)


random_bits_p = core.Primitive("random_bits")


def _bits_abstract_eval(keys, *, bit_width, shape):
  _check_keys("random_bits", keys)
  return core.ShapedArray(tuple(keys.shape) + tuple(shape), UINT_DTYPES[bit_width])


def _bits_impl(keys, *, bit_width, shape):
  impl = keys._impl   # pylint: disable=protected-access
  return _bits_data(keys._base_array, impl=impl, bit_width=bit_width, shape=shape)


random_bits_p.def_abstract_eval(_bits_abstract_eval)
random_bits_p.def_impl(_bits_impl)
mlir.register_lowering(random_bits_p, _physical_lowering(_bits_data))
ad.defjvp_zero(random_bits_p)
batching.primitive_batchers[random_bits_p] = lambda args, dims, **params: (
    random_bits_p.bind(_front(args[0], dims[0], None), **params), 0)


def random_bits(keys, bit_width, shape):
  """``uint<bit_width>`` bits of shape ``keys.shape + shape``.

  >>> from jaxlite import random
  >>> random_bits(random.key(0), 32, (2,))
  Array([4070199207, 4202968722], dtype=uint32)
  """
  return random_bits_p.bind(keys, bit_width=bit_width, shape=tuple(shape))


# --- structural primitives on key arrays: the same operation on the key data --------------------


def _lower_physically(primitive, adjust):
  """Wraps ``primitive``'s lowering rules: where an operand or result is a key
  array, the rule runs on the key data with the params ``adjust(n, params)``
  gives (``n``: the number of trailing key-data axes)."""
  def wrap(rule):
    def lowered(ctx, *args, **params):
      avals = (*ctx.avals_in, *ctx.avals_out)
      keyed = [a for a in avals if isinstance(getattr(a, "dtype", None), KeyTy)]
      if not keyed:
        return rule(ctx, *args, **params)
      n = len(keyed[0].dtype._impl.key_shape)   # pylint: disable=protected-access
      physical = ctx.replace(avals_in=[core.physical_aval(a) for a in ctx.avals_in],
                             avals_out=[core.physical_aval(a) for a in ctx.avals_out])
      physical, args, params = adjust(n, physical, list(args), dict(params))
      return rule(physical, *args, **params)
    return lowered
  mlir.lowering_rules[primitive] = wrap(mlir.lowering_rules[primitive])
  for (platform, prim), rule in list(mlir.platform_lowering_rules.items()):
    if prim is primitive:
      mlir.platform_lowering_rules[(platform, prim)] = wrap(rule)


def _trailing(ctx, n):
  out = ctx.avals_out[0]
  return tuple(out.shape[out.ndim - n:])


def _adjust_slice(n, ctx, args, params):
  params["start_indices"] = tuple(params["start_indices"]) + (0,) * n
  params["limit_indices"] = tuple(params["limit_indices"]) + _trailing(ctx, n)
  if params.get("strides") is not None:
    params["strides"] = tuple(params["strides"]) + (1,) * n
  return ctx, args, params


def _adjust_reshape(n, ctx, args, params):
  params["new_sizes"] = tuple(ctx.avals_out[0].shape)
  return ctx, args, params


def _adjust_broadcast(n, ctx, args, params):
  out_ndim = ctx.avals_out[0].ndim
  params["shape"] = tuple(ctx.avals_out[0].shape)
  params["broadcast_dimensions"] = (tuple(params["broadcast_dimensions"]) +
                                    tuple(range(out_ndim - n, out_ndim)))
  return ctx, args, params


def _adjust_transpose(n, ctx, args, params):
  perm = tuple(params["permutation"])
  params["permutation"] = perm + tuple(range(len(perm), len(perm) + n))
  return ctx, args, params


def _adjust_select_n(n, ctx, args, params):
  out = ctx.avals_out[0]
  pred = ctx.avals_in[0]
  if pred.ndim:   # the predicate is per key: broadcast over the key data
    bool_aval = core.ShapedArray(out.shape, pred.dtype)
    args[0] = mlir.broadcast_in_dim(args[0], bool_aval, list(range(pred.ndim)))
    ctx = ctx.replace(avals_in=[bool_aval, *ctx.avals_in[1:]])
  return ctx, args, params


def _zero_indices(ctx, args, first_index, n):
  index_aval = ctx.avals_in[first_index] if len(ctx.avals_in) > first_index else \
      core.ShapedArray((), np.dtype(np.int32))
  zeros = [mlir.full_like_aval(0, index_aval) for _ in range(n)]
  ctx = ctx.replace(avals_in=[*ctx.avals_in, *[index_aval] * n])
  return ctx, args + zeros


def _adjust_dynamic_slice(n, ctx, args, params):
  params["slice_sizes"] = tuple(params["slice_sizes"]) + _trailing(ctx, n)
  ctx, args = _zero_indices(ctx, args, 1, n)
  return ctx, args, params


def _adjust_dynamic_update_slice(n, ctx, args, params):
  ctx, args = _zero_indices(ctx, args, 2, n)
  return ctx, args, params


def _adjust_gather(n, ctx, args, params):
  # The key-data axes are the last axes of every slice: offset axes at the end.
  dn = params["dimension_numbers"]
  out_ndim = ctx.avals_out[0].ndim
  params["dimension_numbers"] = dn._replace(
      offset_dims=tuple(dn.offset_dims) + tuple(range(out_ndim - n, out_ndim)))
  operand = ctx.avals_in[0]
  params["slice_sizes"] = tuple(params["slice_sizes"]) + tuple(operand.shape[operand.ndim - n:])
  return ctx, args, params


def _adjust_scatter(n, ctx, args, params):
  # ``.at[i].set(key)``: each update window carries its keys' data axes too.
  dn = params["dimension_numbers"]
  updates = ctx.avals_in[2]
  params["dimension_numbers"] = dn._replace(
      update_window_dims=tuple(dn.update_window_dims) +
      tuple(range(updates.ndim - n, updates.ndim)))
  return ctx, args, params


def _adjust_tile(n, ctx, args, params):
  params["reps"] = tuple(params["reps"]) + (1,) * n
  return ctx, args, params


def _unchanged(n, ctx, args, params):
  return ctx, args, params


for _prim, _adjust in ((lax.slice_p, _adjust_slice), (lax.squeeze_p, _unchanged),
                       (lax.stack_p, _unchanged), (lax.split_p, _unchanged),
                       (lax.unstack_p, _unchanged), (lax.tile_p, _adjust_tile),
                       (lax.rev_p, _unchanged), (lax.scatter_p, _adjust_scatter),
                       (lax.reshape_p, _adjust_reshape),
                       (lax.broadcast_in_dim_p, _adjust_broadcast),
                       (lax.concatenate_p, _unchanged), (lax.transpose_p, _adjust_transpose),
                       (lax.select_n_p, _adjust_select_n),
                       (lax.dynamic_slice_p, _adjust_dynamic_slice),
                       (lax.dynamic_update_slice_p, _adjust_dynamic_update_slice),
                       (lax.gather_p, _adjust_gather), (lax.copy_p, _unchanged)):
  _lower_physically(_prim, _adjust)


# --- eq / ne on key arrays: key data compared, one result per key -----------------------------


def _compare_key_data(x, y, *, equal, shape, key_ndim):
  """``x == y`` (or ``!=``) per key: the key data of ``x`` and ``y`` (key arrays
  of shape ``shape`` or rank 0) compared word by word, then all words agree
  (or any differs)."""
  full = tuple(shape) + tuple(np.shape(x)[np.ndim(x) - key_ndim:])

  def widen(v):
    if np.shape(v) == full:
      return v
    return lax.broadcast_in_dim(v, full, tuple(range(len(full) - np.ndim(v), len(full))))
  words = (lax.eq if equal else lax.ne)(widen(x), widen(y))
  axes = tuple(range(len(shape), len(full)))
  return lax.reduce_and(words, axes) if equal else lax.reduce_or(words, axes)


def _lower_key_comparison(primitive, equal):
  rule = mlir.lowering_rules[primitive]

  def lowered(ctx, x, y):
    keyed = [a for a in ctx.avals_in if isinstance(getattr(a, "dtype", None), KeyTy)]
    if not keyed:
      return rule(ctx, x, y)
    key_ndim = len(keyed[0].dtype._impl.key_shape)   # pylint: disable=protected-access
    physical = ctx.replace(avals_in=[core.physical_aval(a) for a in ctx.avals_in])
    compare = mlir.lower_fun(lambda a, b: _compare_key_data(
        a, b, equal=equal, shape=ctx.avals_out[0].shape, key_ndim=key_ndim),
        multiple_results=False)
    return compare(physical, x, y)
  mlir.lowering_rules[primitive] = lowered


_lower_key_comparison(lax.eq_p, True)
_lower_key_comparison(lax.ne_p, False)
