"""Lifted transformations: JAX transformations over functions of a scope.

A function of a scope reads and writes variables as side effects, which a
JAX transformation cannot see. Lifting makes them explicit: :func:`pack`
takes the scope's variables and rngs apart into groups (by collection
filters), the transformation receives them as ordinary pytree arguments, a
fresh inner scope is rebuilt from them inside, and the variables it leaves
in mutable collections come back out as outputs and are written to the outer
scope. Each transformation then only says what to do with the groups:
differentiate them (jvp), map over them (vmap), scan over them (scan).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> def learn_scale(scope, x):
  ...   p = scope.param('scale', initializers.zeros_init(), ())
  ...   return p * x
  >>> def f(scope, x):
  ...   vars_t = jaxlite.tree_util.tree_map(jnp.ones_like,
  ...                                       scope.variables().get('params', {}))
  ...   _, out_t = jvp(learn_scale, scope, (x,), (jnp.zeros_like(x),),
  ...                  variable_tangents={'params': vars_t})
  ...   return out_t
  >>> x = jnp.array([1., 2.])
  >>> _, variables = core.init(f)(jaxlite.random.PRNGKey(0), x)
  >>> core.apply(f)(variables, x)
  Array([1., 2.], dtype=float32)

Only a single scope is lifted at a time (flax also accepts pytrees of scopes).
"""
from __future__ import annotations

import collections
import functools
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from jaxlite import api, lax, random, tree_util
from jaxlite.checkpoint import checkpoint as _remat
from jaxlite import differentiation, vectorization
from jaxlite import numpy as jnp
from jaxlite.linen.core.scope import (LazyRng, Scope, group_collections, in_filter,
                                      intersect_filters, union_filters, unfreeze)

__all__ = ["pack", "jvp", "vjp", "value_and_grad", "vmap", "jit", "checkpoint", "remat",
           "scan", "broadcast"]


class _Broadcast:
  """Marks an argument or collection that a scan passes unchanged to each step."""

  def __repr__(self):
    return 'broadcast'


broadcast = _Broadcast()


# --- packing --------------------------------------------------------------------------------


def pack(fn: Callable, in_variable_filters: Sequence, out_variable_filters: Sequence,
         rng_filters: Sequence, name: str | None = None) -> Callable:
  """Builds ``wrapper(scope, *args)`` around a transformation body.

  ``fn(scope_fn, repack_fn, variable_groups, rng_groups, *args)`` returns
  ``(output, out_variable_groups)``: ``scope_fn(variable_groups, rng_groups)``
  builds the inner scope (inside the transformation), and ``repack_fn(scope)``
  returns its mutable variables grouped by ``out_variable_filters``. The
  variables in the returned groups are written back to the outer scope.

  >>> import jaxlite.numpy as jnp
  >>> def body(scope_fn, repack_fn, vs, rngs):
  ...   inner = scope_fn(vs, rngs)
  ...   inner.put_variable('state', 'n', inner.get_variable('state', 'n') + 1)
  ...   return None, repack_fn(inner)
  >>> s = Scope({'state': {'n': 1}}, mutable=True)
  >>> pack(body, (True,), (True,), (True,))(s); s.variables()
  {'state': {'n': 2}}
  """

  @functools.wraps(fn)
  def wrapper(scope: Scope, *args):
    if not isinstance(scope, Scope):
      raise TypeError(f'lifted {name or "transformation"} expects a Scope as its first '
                      f'argument, got {type(scope).__name__}')
    scope._check_valid()
    variable_groups = group_collections(scope.variables(), in_variable_filters)
    # Collections that only go in are never written inside; copy the dict
    # structure of the others so the inner scope never aliases the outer one.
    variable_groups = tuple(
        {col: (unfreeze(v) if any(in_filter(f, col) for f in out_variable_filters) else v)
         for col, v in group.items()} for group in variable_groups)
    rng_groups = group_collections(scope.rngs, rng_filters)
    rng_counters = scope.rng_counters
    inner_mutable = False
    for f in out_variable_filters:
      inner_mutable = union_filters(inner_mutable, f)
    inner_mutable = intersect_filters(scope.mutable, inner_mutable)
    inner_scopes = []

    def scope_fn(variable_groups, rng_groups):
      variables = {}
      for group in variable_groups:
        variables.update(unfreeze(group))
      rngs = {}
      for group in rng_groups:
        rngs.update(group)
      inner = Scope(variables, rngs=rngs, name=scope.name, mutable=inner_mutable,
                    path=scope.path, flags=scope.flags)
      # Keys drawn inside continue the outer scope's sequence.
      inner.rng_counters = rng_counters
      inner_scopes.append(inner)
      return inner

    def repack_fn(inner: Scope):
      inner.invalidate()
      mutable_vars = {k: v for k, v in inner._variables.items()
                      if inner.is_mutable_collection(k)}
      groups = group_collections(mutable_vars, tuple(out_variable_filters) + (True,))
      if groups[-1]:
        raise ValueError(f'unmapped output variables in {name}: {tuple(groups[-1])}')
      return groups[:-1]

    try:
      y, out_variable_groups = fn(scope_fn, repack_fn, variable_groups, rng_groups, *args)
    finally:
      for inner in inner_scopes:
        inner.invalidate()
    for group in out_variable_groups:
      for col, collection in group.items():
        if not scope.is_mutable_collection(col):
          continue  # some transformations hand back collections they only read
        for var_name, value in collection.items():
          scope.put_variable(col, var_name, value)
    return y

  return wrapper


# --- differentiation ------------------------------------------------------------------------


def _structure_error(what, col, expected, got):
  return ValueError(f'{what} for collection "{col}" must have the structure of the '
                    f'variables: expected {expected}, got {got}.')


def _check_variable_tangents(primal_group: Mapping, variable_tangents: Mapping):
  """Tangents must mirror the variables: same collections, names and shapes."""
  missing = sorted(set(variable_tangents) - set(primal_group))
  if missing:
    raise ValueError(
        f'variable_tangents has collection(s) {missing} that the variables do not '
        f'have (the variables have {sorted(primal_group)}).')
  for col, tangent in variable_tangents.items():
    p_tree = tree_util.tree_structure(primal_group[col])
    t_tree = tree_util.tree_structure(tangent)
    if p_tree != t_tree:
      raise _structure_error('variable_tangents', col, p_tree, t_tree)
    for p, t in zip(tree_util.tree_leaves(primal_group[col]), tree_util.tree_leaves(tangent)):
      if np.shape(p) != np.shape(t):
        raise ValueError(f'variable_tangents for collection "{col}": a tangent of shape '
                         f'{np.shape(t)} was given for a variable of shape {np.shape(p)}.')


def jvp(fn: Callable, scope: Scope, primals, tangents, variable_tangents,
        variables=True, rngs=True):
  """A lifted ``jax.jvp``: forward-mode derivative of ``fn(scope, *primals)``
  along ``tangents`` and, for the variables, ``variable_tangents``.

  Args:
    fn: ``fn(scope, *primals)``, the function to differentiate.
    scope: the scope whose variables ``fn`` uses.
    primals: tuple or list of the primal inputs.
    tangents: tangents of ``primals``, of the same structure.
    variable_tangents: a dict from collection name to tangents, each with the
      structure of that collection's variables. A collection left out gets
      zero tangents.
    variables: filter of the other collections visible (without tangents).
    rngs: filter of the rng streams visible inside ``fn``.

  Returns:
    ``(primals_out, tangents_out)``. No tangents are returned for variables;
    ``fn`` should return them explicitly if needed.

  Example: see the module docstring (the ``learn_scale`` pair).
  """
  if not isinstance(variable_tangents, Mapping):
    raise ValueError('variable_tangents must be a dict from collection name to the '
                     'tangents of that collection, got '
                     f'{type(variable_tangents).__name__}.')
  # An empty tangent collection (variables not created yet) has no leaves.
  variable_tangents = {k: v for k, v in variable_tangents.items()
                       if tree_util.tree_leaves(v) or v not in ({}, None)}
  target = tuple(variable_tangents.keys())

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, *args):
    jvp_vars, other_vars = variable_groups
    _check_variable_tangents(jvp_vars, variable_tangents)
    # Collections of the target group without tangents get zeros.
    full_tangents = {col: variable_tangents.get(col, tree_util.tree_map(jnp.zeros_like, v))
                     for col, v in jvp_vars.items()}

    def wrapper(vars_primals, args):
      inner_scope = scope_fn((vars_primals, other_vars), rng_groups)
      y = fn(inner_scope, *args)
      return y, repack_fn(inner_scope)

    (y, out_vars), out_tangents = differentiation.jvp(
        wrapper, (jvp_vars, tuple(args)), (full_tangents, tuple(tangents)))
    return (y, out_tangents[0]), out_vars

  if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
    raise TypeError('primals and tangents of a lifted jvp must be tuples or lists, got '
                    f'{type(primals).__name__} and {type(tangents).__name__}.')
  return pack(inner, (target, variables), (variables,), (rngs,), name='jvp')(scope, *primals)


def vjp(fn: Callable, scope: Scope, *primals, has_aux: bool = False,
        vjp_variables='params', variables=True, rngs=True):
  """A lifted ``jax.vjp``: returns ``(y, bwd)`` (and ``aux``), where
  ``bwd(cotangent)`` returns ``(variable_grads, *input_grads)``, the
  gradients of the collections in ``vjp_variables`` first.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> def f(scope, x):
  ...   w = scope.param('w', initializers.ones_init(), ())
  ...   y, bwd = vjp(lambda s, x: s.param('w', initializers.ones_init(), ()) * x, scope, x)
  ...   return bwd(jnp.ones_like(y))
  >>> v = core.init(f)(jaxlite.random.PRNGKey(0), jnp.float32(3.))[1]
  >>> core.apply(f)(v, jnp.float32(3.))
  ({'params': {'w': Array(3., dtype=float32)}}, Array(1., dtype=float32))
  """

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, *args):
    vjp_vars, other_vars = variable_groups

    def wrapper(vjp_vars, *args):
      inner_scope = scope_fn((vjp_vars, other_vars), rng_groups)
      if has_aux:
        y, aux = fn(inner_scope, *args)
      else:
        y, aux = fn(inner_scope, *args), ()
      return y, (aux, repack_fn(inner_scope))

    y, bwd, (aux, out_vars) = differentiation.vjp(wrapper, vjp_vars, *args, has_aux=True)
    return ((y, bwd, aux) if has_aux else (y, bwd)), out_vars

  return pack(inner, (vjp_variables, variables), (variables,), (rngs,),
              name='vjp')(scope, *primals)


def value_and_grad(fn: Callable, scope: Scope, *primals, has_aux: bool = False,
                   variables=True, rngs=True):
  """A lifted ``jax.value_and_grad`` with respect to the inputs only
  (variables get no gradient); returns ``(y, grads)`` or
  ``(y, aux, grads)`` with ``has_aux``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core
  >>> f = lambda scope, x: value_and_grad(lambda s, x: (x ** 2).sum(), scope, x)
  >>> core.apply(f)({}, jnp.array([1., 2.]))
  (Array(5., dtype=float32), (Array([2., 4.], dtype=float32),))
  """

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, *args):
    def wrapper(*args):
      inner_scope = scope_fn(variable_groups, rng_groups)
      if has_aux:
        y, aux = fn(inner_scope, *args)
      else:
        y, aux = fn(inner_scope, *args), ()
      return y, (aux, repack_fn(inner_scope))

    y, bwd, (aux, out_vars) = differentiation.vjp(wrapper, *args, has_aux=True)
    if np.shape(y) != ():
      raise ValueError('grad can only work on functions with scalar-valued outputs, '
                       f'got output shape {np.shape(y)}')
    grads = bwd(jnp.ones_like(y))
    return ((y, aux, grads) if has_aux else (y, grads)), out_vars

  return pack(inner, (variables,), (variables,), (rngs,),
              name='value_and_grad')(scope, *primals)


# --- vmap -----------------------------------------------------------------------------------


def _split_rng_group(group: Mapping, n: int) -> dict:
  return {k: LazyRng(random.split(r.rng, n), r.suffix) for k, r in group.items()}


def vmap(fn: Callable, variable_axes: Mapping, split_rngs: Mapping, in_axes=0,
         out_axes=0, axis_size: int | None = None, axis_name=None) -> Callable:
  """A lifted ``jax.vmap``.

  Args:
    fn: ``fn(scope, *args)``.
    variable_axes: collection filter -> axis (None: broadcast) of the mapped
      variables; variables created inside get that leading axis.
    split_rngs: rng filter -> whether each mapped instance gets its own key.
    in_axes, out_axes, axis_size, axis_name: as for ``jax.vmap``.

  Returns:
    ``mapped(scope, *args)``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> def scale(scope, x):
  ...   return scope.param('w', initializers.normal(1.), ()) * x
  >>> f = vmap(scale, {'params': 0}, {'params': True})
  >>> _, v = core.init(f)(jaxlite.random.PRNGKey(0), jnp.ones(3))
  >>> v['params']['w'].shape
  (3,)
  """
  variable_filters = tuple(variable_axes.keys())
  variable_in_axes = tuple(variable_axes.values())
  rng_filters = tuple(split_rngs.keys())
  rng_splits = tuple(split_rngs.values())

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, *args):
    mapped_groups, broadcast_vars = variable_groups[:-1], variable_groups[-1]
    size = axis_size
    if size is None:
      sizes = set()
      for axis, group in zip(variable_in_axes, mapped_groups):
        leaves = tree_util.tree_leaves(group)
        if axis is not None and leaves:
          sizes.add(np.shape(leaves[0])[axis])
      arg_axes = vectorization.flatten_axes('vmap in_axes', tree_util.tree_structure(args),
                                            in_axes)
      for x, axis in zip(tree_util.tree_leaves(args), arg_axes):
        if axis is not None:
          sizes.add(np.shape(x)[axis])
      if len(sizes) > 1:
        raise ValueError(f'Inconsistent batch axis sizes in lifted vmap: {sorted(sizes)}')
      if not sizes:
        raise ValueError('lifted vmap cannot infer the mapped axis size (no mapped '
                         'variables or inputs); pass axis_size.')
      size, = sizes
    rng_groups = tuple(
        _split_rng_group(group, size) if split else group
        for group, split in zip(rng_groups[:-1], rng_splits)) + (rng_groups[-1],)
    rng_axes = tuple(0 if split else None for split in rng_splits) + (None,)

    def mapped(mapped_groups, rng_groups, args):
      inner_scope = scope_fn(tuple(mapped_groups) + (broadcast_vars,), rng_groups)
      y = fn(inner_scope, *args)
      return y, repack_fn(inner_scope)

    y, vars_out = vectorization.vmap(
        mapped, in_axes=(variable_in_axes, rng_axes, in_axes),
        out_axes=(out_axes, variable_in_axes), axis_name=axis_name,
        axis_size=axis_size)(mapped_groups, rng_groups, args)
    return y, vars_out

  if isinstance(in_axes, list):
    in_axes = tuple(in_axes)

  def wrapper(scope, *args):
    return pack(inner, variable_filters + (True,), variable_filters,
                rng_filters + (True,), name='vmap')(scope, *args)
  return wrapper


# --- jit ------------------------------------------------------------------------------------


def _snapshot(counters):
  return tuple(sorted(((repr(k), _snapshot(v) if isinstance(v, dict) else v)
                       for k, v in counters.items()), key=lambda kv: kv[0]))


def _restore(counters, snapshot_counters):
  """Writes the counters a traced call left behind into the live dicts."""
  for k, v in snapshot_counters.items():
    if isinstance(v, dict):
      _restore(counters.setdefault(k, {}), v)
    else:
      counters[k] = v


def _copy_counters(counters):
  return {k: (_copy_counters(v) if isinstance(v, dict) else v) for k, v in counters.items()}


_jit_cache: collections.OrderedDict = collections.OrderedDict()
_JIT_CACHE_SIZE = 256


def jit(fn: Callable, variables=True, rngs=True, static_argnums: Sequence[int] = (),
        hash_key: Any = None) -> Callable:
  """A lifted ``jax.jit``: ``fn(scope, *args)`` runs as one compiled program.

  The compiled function is cached on ``hash_key`` (default ``fn``) together
  with everything the trace depends on that is not an array: mutability,
  flags, rng stream names and counters, and the static arguments. A cache hit
  advances the rng counters as the traced call did.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> def f(scope, x):
  ...   return scope.param('w', initializers.ones_init(), (2,)) * x
  >>> jitted = jit(f)
  >>> _, v = core.init(jitted)(jaxlite.random.PRNGKey(0), jnp.ones(2))
  >>> core.apply(jitted)(v, jnp.full(2, 3.))
  Array([3., 3.], dtype=float32)
  """
  static_argnums = tuple(static_argnums)
  key_fn = fn if hash_key is None else hash_key

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, *args):
    # As flax: streams enter without their path suffix (nn.jit forks fresh
    # keys before entering, so nothing is lost there).
    rng_groups = tuple({k: LazyRng(r.rng, ()) for k, r in g.items()} for g in rng_groups)
    probe = scope_fn(variable_groups, rng_groups)
    counters_before = _copy_counters(probe.rng_counters)
    fingerprint = (key_fn, repr(probe.mutable), repr(sorted(probe.flags.items())),
                   tuple((k, r.suffix) for k, r in sorted(probe.rngs.items())),
                   _snapshot(counters_before), probe.path,
                   tuple((i, args[i]) for i in static_argnums))
    probe.invalidate()
    try:
      entry = _jit_cache.get(fingerprint)
    except TypeError:  # an unhashable static argument or key: no caching
      entry, fingerprint = None, None
    if entry is None:
      counters_after: dict = {}

      def traced(variable_groups, rng_groups, dynamic_args):
        full_args = list(dynamic_args)
        for i in static_argnums:
          full_args.insert(i, args[i])
        inner_scope = scope_fn(variable_groups, rng_groups)
        y = fn(inner_scope, *full_args)
        counters_after.clear()
        counters_after.update(_copy_counters(inner_scope.rng_counters))
        # The trace ran with the counters of this call; put them back so the
        # live call (here) and replays advance them the same way.
        _restore(inner_scope.rng_counters, counters_before)
        return y, repack_fn(inner_scope)

      entry = (api.jit(traced), counters_after)
      if fingerprint is not None:
        _jit_cache[fingerprint] = entry
        if len(_jit_cache) > _JIT_CACHE_SIZE:
          _jit_cache.popitem(last=False)
    else:
      _jit_cache.move_to_end(fingerprint)
    jitted, counters_after = entry
    dynamic = tuple(a for i, a in enumerate(args) if i not in static_argnums)
    y, out_vars = jitted(variable_groups, rng_groups, dynamic)
    _restore(probe.rng_counters, counters_after)
    return y, out_vars

  def wrapper(scope, *args):
    return pack(inner, (variables,), (variables,), (rngs,), name='jit')(scope, *args)
  return wrapper


# --- remat ----------------------------------------------------------------------------------


def checkpoint(fn: Callable, variables=True, rngs=True, concrete: bool = False,
               prevent_cse: bool = True, static_argnums: Sequence[int] = (),
               policy: Callable | None = None) -> Callable:
  """A lifted ``jax.checkpoint`` (remat): the function's intermediates are
  recomputed in the backward pass instead of stored.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> f = checkpoint(lambda s, x: jnp.sin(s.param('w', initializers.ones_init(), ()) * x))
  >>> _, v = core.init(f)(jaxlite.random.PRNGKey(0), 1.)
  >>> round(float(core.apply(f)(v, 1.)), 4)
  0.8415
  """
  del concrete
  static_argnums = tuple(static_argnums)

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, *args):
    static = {i: args[i] for i in static_argnums}

    def rematted(variable_groups, rng_groups, *dynamic_args):
      full_args = list(dynamic_args)
      for i in sorted(static):
        full_args.insert(i, static[i])
      inner_scope = scope_fn(variable_groups, rng_groups)
      y = fn(inner_scope, *full_args)
      return y, repack_fn(inner_scope)

    dynamic = tuple(a for i, a in enumerate(args) if i not in static)
    return _remat(rematted, prevent_cse=prevent_cse, policy=policy)(
        variable_groups, rng_groups, *dynamic)

  def wrapper(scope, *args):
    return pack(inner, (variables,), (variables,), (rngs,), name='remat')(scope, *args)
  return wrapper


remat = checkpoint


# --- scan -----------------------------------------------------------------------------------


def _move_axis(tree, src, dst):
  if src == dst:
    return tree
  return tree_util.tree_map(lambda x: jnp.moveaxis(x, src, dst), tree)


def scan(fn: Callable, variable_axes: Mapping = {}, variable_broadcast=False,  # noqa: B006
         variable_carry=False, split_rngs: Mapping = {}, in_axes=0, out_axes=0,  # noqa: B006
         length: int | None = None, reverse: bool = False, unroll: int = 1) -> Callable:
  """A lifted ``lax.scan``: ``fn(scope, carry, *xs) -> (carry, y)`` becomes
  ``scanned(scope, init_carry, *xs) -> (carry, ys)``.

  Args:
    variable_axes: collection filter -> axis of variables that differ per step
      (stacked along that axis, created per step during initialisation).
    variable_broadcast: filter of collections shared by every step (read-only
      inside; created by one step run outside the loop when initialising).
    variable_carry: filter of collections threaded through the steps.
    split_rngs: rng filter -> whether each step gets its own key.
    in_axes: axis of the scanned inputs (an int, or a tuple per argument in
      which ``broadcast`` passes an argument unchanged to every step).
    out_axes: axis of the stacked outputs.
    length, reverse, unroll: as for ``lax.scan``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> def step(scope, c, x):
  ...   w = scope.param('w', initializers.ones_init(), ())
  ...   return c + w * x, c
  >>> f = scan(step, variable_broadcast='params', split_rngs={'params': False})
  >>> (c, ys), v = core.init(f)(jaxlite.random.PRNGKey(0), 0., jnp.arange(3.))
  >>> c, ys
  (Array(3., dtype=float32), Array([0., 0., 1.], dtype=float32))
  """
  axes_filters = tuple(variable_axes.keys())
  axes = tuple(variable_axes.values())
  rng_filters = tuple(split_rngs.keys())
  rng_splits = tuple(split_rngs.values())

  def inner(scope_fn, repack_fn, variable_groups, rng_groups, init_carry, *args):
    broadcast_vars, carry_vars, *scan_groups = variable_groups
    scan_groups = [_move_axis(g, ax, 0) for g, ax in zip(scan_groups, axes)]
    arg_axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
    if len(arg_axes) != len(args):
      raise ValueError(f'lifted scan in_axes has {len(arg_axes)} entries for '
                       f'{len(args)} scanned arguments')
    xs = tuple(None if ax is broadcast else _move_axis(a, ax, 0)
               for a, ax in zip(args, arg_axes))
    n = length
    if n is None:
      leaves = tree_util.tree_leaves((scan_groups, xs))
      if not leaves:
        raise ValueError('lifted scan cannot infer its length; pass length.')
      n = np.shape(leaves[0])[0]
    step_rngs = tuple(_split_rng_group(g, n) if split else None
                      for g, split in zip(rng_groups[:-1], rng_splits))
    fixed_rngs = tuple({} if split else g
                       for g, split in zip(rng_groups[:-1], rng_splits)) + (rng_groups[-1],)

    def full_args(xs_step):
      return [a if ax is broadcast else x for a, ax, x in zip(args, arg_axes, xs_step)]

    def rngs_for(keys):
      return tuple(k if split else f for k, split, f in
                   zip(keys, rng_splits, fixed_rngs)) + (fixed_rngs[-1],)

    def take0(tree):
      return tree_util.tree_map(lambda x: x[-1] if reverse else x[0], tree)

    probe = scope_fn(variable_groups, rng_groups)
    initializing = probe.get_flag('initializing', False)
    probe.invalidate()
    if initializing and (not tree_util.tree_leaves(broadcast_vars)
                         or not tree_util.tree_leaves(carry_vars)):
      # Broadcast and carried collections must exist before the loop (their
      # structure is fixed across steps): run one step outside to create them.
      pre_scope = scope_fn((broadcast_vars, carry_vars) + tuple(take0(g) for g in scan_groups),
                           rngs_for(take0(step_rngs)))
      fn(pre_scope, init_carry, *full_args(take0(xs)))
      pre_broadcast, pre_carry, *_ = repack_fn(pre_scope)
      if not tree_util.tree_leaves(broadcast_vars):
        broadcast_vars = pre_broadcast
      if not tree_util.tree_leaves(carry_vars):
        carry_vars = pre_carry

    def body(carry, step_in):
      carry_vars, c = carry
      scan_vars, keys, xs_step = step_in
      inner_scope = scope_fn((broadcast_vars, carry_vars) + tuple(scan_vars), rngs_for(keys))
      c, y = fn(inner_scope, c, *full_args(xs_step))
      out_broadcast, out_carry, *out_scan = repack_fn(inner_scope)
      del out_broadcast  # read-only inside the loop
      return (out_carry, c), (tuple(out_scan), y)

    (carry_vars, c), (scan_out, ys) = lax.scan(
        body, (carry_vars, init_carry), (tuple(scan_groups), step_rngs, xs), length=n,
        reverse=reverse, unroll=unroll)
    scan_out = [_move_axis(g, 0, ax) for g, ax in zip(scan_out, axes)]
    ys = _move_axis(ys, 0, out_axes)
    return (c, ys), (broadcast_vars, carry_vars, *scan_out)

  def wrapper(scope, init_carry, *args):
    filters = (variable_broadcast, variable_carry) + axes_filters
    return pack(inner, filters, filters, rng_filters + (True,),
                name='scan')(scope, init_carry, *args)
  return wrapper
