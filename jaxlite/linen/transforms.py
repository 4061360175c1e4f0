"""Lifted transformations over modules: ``nn.jvp``, ``nn.vjp``, ``nn.grad``,
``nn.value_and_grad``, ``nn.vmap``, ``nn.jit``, ``nn.remat``, ``nn.scan``.

Each wraps the functional lift of :mod:`jaxlite.linen.core.lift` around a
module: the function (or method) runs on a copy of the module bound to the
inner scope the transformation builds, so its variables flow through the
transformation and back into the module's collections.

Three forms, as in flax:

* ``nn.jvp(fn, mdl, ...)``, ``nn.vjp``, ``nn.grad``, ``nn.value_and_grad``
  apply at once to a bound module ``mdl`` (``fn(mdl, *primals)``);
* ``nn.vmap(ModuleClass, ...)`` (also jit/remat/scan) returns a new module
  class whose methods (``__call__`` by default) are transformed;
* ``nn.jit(fn)`` on a function ``fn(module, *args)`` or as a method decorator.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> VmapDense = nn.vmap(nn.Dense, variable_axes={'params': 0},
  ...                     split_rngs={'params': True}, in_axes=0)
  >>> v = VmapDense(2).init(jaxlite.random.PRNGKey(0), jnp.ones((3, 4)))
  >>> v['params']['kernel'].shape
  (3, 4, 2)
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable, Mapping, Sequence

from jaxlite.linen.core import lift
from jaxlite.linen.core.scope import LazyRng
from jaxlite.linen.module import Module, _wrap_method

__all__ = ["jvp", "vjp", "grad", "value_and_grad", "vmap", "jit", "remat", "checkpoint",
           "scan", "broadcast"]

broadcast = lift.broadcast


def _check_bound(mdl, what: str):
  if not isinstance(mdl, Module):
    raise TypeError(f'nn.{what} expects a Module as its module argument, got '
                    f'{type(mdl).__name__}')
  if mdl.scope is None:
    raise ValueError(f'nn.{what} needs a bound module: create it inside a parent '
                     "module's setup() or @compact method, or use bind/apply.")


def _on_clone(fn: Callable, mdl: Module) -> Callable:
  """``fn(mdl, ...)`` as a function of a scope: ``mdl`` copied onto it."""
  wrapped = _wrap_method(fn)

  def scope_fn(scope, *args):
    return wrapped(mdl.clone(parent=scope), *args)
  return scope_fn


# --- direct transformations of a bound module ------------------------------------------------


def jvp(fn: Callable, mdl: Module, primals, tangents, variable_tangents,
        variables=True, rngs=True):
  """A lifted ``jax.jvp`` over a module and its variables.

  Args:
    fn: ``fn(mdl, *primals)``, the function to differentiate.
    mdl: the (bound) module whose variables are differentiated.
    primals, tangents: tuples of the inputs and their tangents.
    variable_tangents: a dict from collection (e.g. 'params') to tangents with
      the structure of that collection of ``mdl``; a collection left out gets
      zero tangents.
    variables: the other collections visible inside ``fn``.
    rngs: the rng streams visible inside ``fn``.

  Returns:
    ``(primals_out, tangents_out)``; no tangents are returned for variables.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> class LearnScale(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     return self.param('test', nn.initializers.zeros_init(), ()) * x
  >>> class Foo(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     scale = LearnScale()
  ...     vars_t = jaxlite.tree_util.tree_map(jnp.ones_like,
  ...                                         scale.variables.get('params', {}))
  ...     _, out_t = nn.jvp(lambda mdl, x: mdl(x), scale, (x,), (jnp.zeros_like(x),),
  ...                       variable_tangents={'params': vars_t})
  ...     return out_t
  >>> x = jnp.array([1., 2.])
  >>> v = Foo().init(jaxlite.random.PRNGKey(0), x)
  >>> Foo().apply(v, x)
  Array([1., 2.], dtype=float32)
  """
  _check_bound(mdl, 'jvp')
  return lift.jvp(_on_clone(fn, mdl), mdl.scope, primals, tangents, variable_tangents,
                  variables=variables, rngs=rngs)


def vjp(fn: Callable, mdl: Module, *primals, has_aux: bool = False,
        vjp_variables='params', variables=True, rngs=True):
  """A lifted ``jax.vjp``: ``(y, bwd)`` where ``bwd(ct)`` returns
  ``(variable_grads, *input_grads)`` (``vjp_variables`` collections first).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> class Foo(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     y, bwd = nn.vjp(lambda m, x: m(x), nn.Dense(1, use_bias=False), x)
  ...     return bwd(jnp.ones_like(y))
  >>> x = jnp.ones((1, 2))
  >>> v = Foo().init(jaxlite.random.PRNGKey(0), x)
  >>> params_grad, x_grad = Foo().apply(v, x)
  >>> params_grad['params']['kernel']
  Array([[1.],
         [1.]], dtype=float32)
  """
  _check_bound(mdl, 'vjp')
  return lift.vjp(_on_clone(fn, mdl), mdl.scope, *primals, has_aux=has_aux,
                  vjp_variables=vjp_variables, variables=variables, rngs=rngs)


def value_and_grad(fn: Callable, mdl: Module, *primals, has_aux: bool = False,
                   variables=True, rngs=True):
  """A lifted ``jax.value_and_grad`` with respect to the inputs (not the
  variables): ``(y, input_grads)``, or ``((y, aux), input_grads)``.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> class Foo(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     return nn.value_and_grad(lambda m, x: (m(x) ** 2).sum(), nn.Dense(1), x)
  >>> x = jnp.ones((1, 2))
  >>> v = Foo().init(jaxlite.random.PRNGKey(0), x)
  >>> y, (gx,) = Foo().apply(v, x); gx.shape
  (1, 2)
  """
  _check_bound(mdl, 'value_and_grad')
  out = lift.value_and_grad(_on_clone(fn, mdl), mdl.scope, *primals, has_aux=has_aux,
                            variables=variables, rngs=rngs)
  if has_aux:
    y, aux, grads = out
    return (y, aux), grads
  return out


def grad(fn: Callable, mdl: Module, *primals, has_aux: bool = False, variables=True,
         rngs=True):
  """A lifted ``jax.grad`` with respect to the inputs: ``input_grads`` (or
  ``(input_grads, aux)``).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> class Foo(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     return nn.grad(lambda m, x: m(x).sum(), nn.Dense(1, use_bias=False), x)
  >>> x = jnp.ones((1, 2))
  >>> v = Foo().init(jaxlite.random.PRNGKey(0), x)
  >>> bool((Foo().apply(v, x)[0] == v['params']['Dense_0']['kernel'].T).all())
  True
  """
  out = value_and_grad(fn, mdl, *primals, has_aux=has_aux, variables=variables, rngs=rngs)
  if has_aux:
    (_, aux), grads = out
    return grads, aux
  return out[1]


# --- transformations of module classes and methods -------------------------------------------


def _base_clone(cls, mdl: Module, scope) -> Module:
  """An instance of the untransformed class with ``mdl``'s attributes."""
  attrs = {f.name: getattr(mdl, f.name) for f in dataclasses.fields(mdl)
           if f.init and f.name != 'parent'}
  return cls(**attrs, parent=scope)


def _transform_target(target, make_lift: Callable, name: str, methods=None,
                      kwargs_static: bool = False, fork_rngs: bool = False):
  """Returns the transformed class (for a Module class) or function."""
  if inspect.isclass(target) and issubclass(target, Module):
    return _transform_class(target, make_lift, name, methods, kwargs_static, fork_rngs)
  if not callable(target):
    raise TypeError(f'nn.{name} expects a Module class or a function of a module, got '
                    f'{type(target).__name__}')
  return _transform_function(target, make_lift, name, kwargs_static, fork_rngs)


def _lifted_call(make_lift, inner: Callable, mdl: Module, name: str, args, kwargs,
                 kwargs_static: bool, key, fork_rngs: bool = False):
  if mdl.scope is None:
    raise ValueError(f'Cannot call a method transformed by nn.{name} on an unbound '
                     f'module {type(mdl).__name__}; use init/apply/bind.')
  if kwargs and kwargs_static:
    try:
      hash(tuple(sorted(kwargs.items())))
    except TypeError:
      raise TypeError(f'keyword arguments of a method under nn.{name} are static and must '
                      f'be hashable; got {sorted(kwargs)}. Pass arrays positionally.') \
          from None

  def scope_fn(scope, *args):
    return inner(scope, *args, **kwargs)
  hash_key = (key, tuple(sorted(kwargs.items()))) if kwargs_static else None
  if not fork_rngs:
    return make_lift(scope_fn, hash_key)(mdl.scope, *args)
  # jit draws one fresh key per stream outside and hands those in (as flax's
  # fork_rngs), so what happens inside does not depend on the path suffix.
  scope = mdl.scope
  saved = scope.rngs
  scope.rngs = {name: LazyRng.create(scope.make_rng(name)) for name in saved}
  try:
    return make_lift(scope_fn, hash_key)(scope, *args)
  finally:
    scope.rngs = saved


def _transform_class(cls, make_lift, name: str, methods, kwargs_static: bool,
                     fork_rngs: bool):
  methods = ['__call__'] if methods is None else list(methods)
  namespace: dict[str, Any] = {}
  for method_name in methods:
    orig = getattr(cls, method_name, None)
    if orig is None:
      raise AttributeError(f'{cls.__name__} has no method {method_name!r} to transform')

    def lifted(self, *args, _orig=orig, _name=method_name, **kwargs):
      def inner(scope, *args, **kwargs):
        return _orig(_base_clone(cls, self, scope), *args, **kwargs)
      key = (cls, _name, _fingerprint(self))
      return _lifted_call(make_lift, inner, self, name, args, kwargs, kwargs_static, key,
                          fork_rngs)
    lifted.__name__ = method_name
    lifted.__doc__ = orig.__doc__
    lifted.nowrap = True  # the inner copy enters the module context itself
    namespace[method_name] = lifted

  # The variables belong to the inner copy: the outer instance must not run
  # setup() or adopt submodules itself.
  namespace['_try_setup'] = lambda self: None
  namespace['__doc__'] = f'{cls.__name__} transformed by nn.{name}.'
  return type(name.capitalize() + cls.__name__, (cls,), namespace)


def _fingerprint(mdl: Module):
  """The hyper-parameters of ``mdl`` as a hashable key (or an unhashable
  object, which turns caching off)."""
  try:
    key = tuple((f.name, getattr(mdl, f.name)) for f in dataclasses.fields(mdl)
                if f.name not in ('parent',))
    hash(key)
    return (type(mdl), key)
  except TypeError:
    return object()


def _transform_function(fn, make_lift, name: str, kwargs_static: bool, fork_rngs: bool):
  wrapped_fn = _wrap_method(getattr(fn, 'inner_fun', fn))

  def lifted(mdl, *args, **kwargs):
    if not isinstance(mdl, Module):
      raise TypeError(f'a function transformed by nn.{name} takes a Module as its first '
                      f'argument, got {type(mdl).__name__}')

    def inner(scope, *args, **kwargs):
      return wrapped_fn(mdl.clone(parent=scope), *args, **kwargs)
    key = (fn, _fingerprint(mdl))
    return _lifted_call(make_lift, inner, mdl, name, args, kwargs, kwargs_static, key,
                        fork_rngs)
  lifted.__name__ = getattr(fn, '__name__', name)
  lifted.__doc__ = getattr(fn, '__doc__', None)
  lifted.nowrap = True
  return lifted


def _shift_static(static_argnums) -> tuple[int, ...]:
  """Module-level static_argnums count ``self`` as 0; the core's count from
  the first argument after the scope."""
  nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
  if any(n < 1 for n in nums):
    raise ValueError(f'static_argnums {nums} count self as 0 and must be >= 1')
  return tuple(n - 1 for n in nums)


def vmap(target, variable_axes: Mapping = {},  # noqa: B006
         split_rngs: Mapping = {}, in_axes=0, out_axes=0,  # noqa: B006
         axis_size: int | None = None, axis_name=None, methods=None):
  """A lifted ``jax.vmap`` of a module class (or a function of a module).

  Args:
    target: a Module class, or ``fn(module, *args)``.
    variable_axes: collection -> mapped axis of its variables (e.g.
      ``{'params': 0}`` for an ensemble); unlisted collections are shared.
    split_rngs: rng stream -> whether each instance gets its own key.
    in_axes, out_axes, axis_size, axis_name: as for ``jax.vmap``.
    methods: the methods of a class to transform (default ``__call__``).

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> Shared = nn.vmap(nn.Dense, variable_axes={'params': None},
  ...                  split_rngs={'params': False})
  >>> v = Shared(2).init(jaxlite.random.PRNGKey(0), jnp.ones((5, 3)))
  >>> v['params']['kernel'].shape
  (3, 2)
  """
  def make_lift(scope_fn, hash_key):
    del hash_key
    return lift.vmap(scope_fn, variable_axes, split_rngs, in_axes=in_axes,
                     out_axes=out_axes, axis_size=axis_size, axis_name=axis_name)
  return _transform_target(target, make_lift, 'vmap', methods)


def jit(target, variables=True, rngs=True, static_argnums: int | Sequence[int] = (),
        methods=None):
  """A lifted ``jax.jit``: the method runs as one compiled XLA program,
  traced once per input signature, hyper-parameters and variable structure.

  ``static_argnums`` count ``self`` as 0; keyword arguments are static.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> JitDense = nn.jit(nn.Dense)
  >>> v = JitDense(2).init(jaxlite.random.PRNGKey(0), jnp.ones(3))
  >>> bool((JitDense(2).apply(v, jnp.ones(3)) == nn.Dense(2).apply(v, jnp.ones(3))).all())
  True
  """
  static = _shift_static(static_argnums)

  def make_lift(scope_fn, hash_key):
    return lift.jit(scope_fn, variables=variables, rngs=rngs, static_argnums=static,
                    hash_key=hash_key)
  return _transform_target(target, make_lift, 'jit', methods, kwargs_static=True,
                           fork_rngs=True)


def checkpoint(target, variables=True, rngs=True, concrete: bool = False,
               prevent_cse: bool = True, static_argnums: int | Sequence[int] = (),
               policy: Callable | None = None, methods=None):
  """A lifted ``jax.checkpoint`` (remat): activations inside are recomputed
  during the backward pass. ``static_argnums`` count ``self`` as 0.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> RematDense = nn.remat(nn.Dense)
  >>> v = RematDense(2).init(jaxlite.random.PRNGKey(0), jnp.ones(3))
  >>> jaxlite.tree_util.tree_map(jnp.shape, v)
  {'params': {'bias': (2,), 'kernel': (3, 2)}}
  """
  static = _shift_static(static_argnums)

  def make_lift(scope_fn, hash_key):
    del hash_key
    return lift.checkpoint(scope_fn, variables=variables, rngs=rngs, concrete=concrete,
                           prevent_cse=prevent_cse, static_argnums=static, policy=policy)
  return _transform_target(target, make_lift, 'remat', methods)


remat = checkpoint


def scan(target, variable_axes: Mapping = {},  # noqa: B006
         variable_broadcast=False, variable_carry=False,
         split_rngs: Mapping = {}, in_axes=0, out_axes=0,  # noqa: B006
         length: int | None = None, reverse: bool = False, unroll: int = 1, methods=None):
  """A lifted ``lax.scan``: a method ``(self, carry, *xs) -> (carry, y)``
  becomes ``(self, init_carry, *xs) -> (carry, ys)``, looping over axis 0 of
  ``xs`` (or ``in_axes``).

  Args:
    target: a Module class, or ``fn(module, carry, *xs)``.
    variable_axes: collection -> axis for variables that differ per step.
    variable_broadcast: collections shared by all steps (typically 'params').
    variable_carry: collections threaded through the steps.
    split_rngs: rng stream -> whether each step gets its own key.
    in_axes, out_axes, length, reverse, unroll: as for ``lax.scan``.

  >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
  >>> class Cell(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, c, x):
  ...     c = nn.tanh(nn.Dense(2)(c) + x)
  ...     return c, c
  >>> RNN = nn.scan(Cell, variable_broadcast='params', split_rngs={'params': False})
  >>> xs = jnp.ones((5, 2))
  >>> v = RNN().init(jaxlite.random.PRNGKey(0), jnp.zeros(2), xs)
  >>> c, ys = RNN().apply(v, jnp.zeros(2), xs); ys.shape
  (5, 2)
  """
  def make_lift(scope_fn, hash_key):
    del hash_key
    return lift.scan(scope_fn, variable_axes=variable_axes,
                     variable_broadcast=variable_broadcast, variable_carry=variable_carry,
                     split_rngs=split_rngs, in_axes=in_axes, out_axes=out_axes,
                     length=length, reverse=reverse, unroll=unroll)
  return _transform_target(target, make_lift, 'scan', methods)
