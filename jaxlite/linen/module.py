"""``Module``: dataclasses whose methods declare variables, as flax.linen has them.

A module's attributes are its hyper-parameters; its variables live in a
:class:`~jaxlite.linen.core.Scope` that ``init``/``apply``/``bind`` give it.
Submodules are declared in ``setup()`` (named after the attribute) or inline
in the one ``@compact`` method (named ``ClassName_<n>`` in order of creation).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> import jaxlite.linen as nn
  >>> class MLP(nn.Module):
  ...   features: int
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     return nn.Dense(self.features)(nn.relu(nn.Dense(4)(x)))
  >>> variables = MLP(2).init(jaxlite.random.PRNGKey(0), jnp.ones((1, 3)))
  >>> sorted(variables['params'])
  ['Dense_0', 'Dense_1']
  >>> MLP(2).apply(variables, jnp.ones((1, 3))).shape
  (1, 2)
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
from typing import Any, Callable, Iterable, Mapping

from jaxlite import tree_util
from jaxlite.linen import errors
from jaxlite.linen.core import scope as core_scope
from jaxlite.linen.core.scope import DenyList, Scope

__all__ = ["Module", "compact", "nowrap", "Variable"]

Variable = core_scope.Variable


class _Sentinel:
  def __init__(self, name):
    self.name = name

  def __repr__(self):
    return self.name

  def __copy__(self):
    return self

  def __deepcopy__(self, memo):
    return self


_unspecified_parent = _Sentinel('_unspecified_parent')


class _ModuleStack(threading.local):
  """The modules whose methods are running, innermost last (per thread):
  a module created inside a method belongs to the module running it."""

  def __init__(self):
    self.stack: list = [None]


_context = _ModuleStack()


def _current_module():
  return _context.stack[-1]


def compact(fun: Callable) -> Callable:
  """Marks the method in which submodules and variables are declared inline.

  >>> import jaxlite.linen as nn
  >>> class Bias(nn.Module):
  ...   @nn.compact
  ...   def __call__(self, x):
  ...     return x + self.param('b', nn.initializers.zeros_init(), x.shape[-1:])
  >>> Bias.__call__.compact
  True
  """
  fun.compact = True
  return fun


def nowrap(fun: Callable) -> Callable:
  """Marks a method that is a plain helper: it is not wrapped (it does not
  enter the module's context or trigger ``setup``).

  >>> import jaxlite.linen as nn
  >>> nowrap(lambda self: 1).nowrap
  True
  """
  fun.nowrap = True
  return fun


class _ModuleState:
  """Per-instance bookkeeping kept outside the dataclass fields."""

  def __init__(self):
    self.in_compact_method = False
    self.in_setup = False
    self.setup_called = False
    self.autoname_cursor: dict[str, int] = {}
    self.children: dict[str, Any] = {}  # from setup: live as long as the module
    self.compact_children: dict[str, Any] = {}  # from the current compact call


# Methods of Module itself (and dataclass machinery) that are never wrapped.
_UNWRAPPED = frozenset({
    '__init__', '__post_init__', '__setattr__', '__getattr__', '__repr__', '__eq__',
    '__hash__', '__init_subclass__', 'setup', 'clone', 'init', 'init_with_output',
    'apply', 'bind', 'unbind', 'param', 'variable', 'make_rng', 'is_initializing',
    'is_mutable_collection', 'has_rng', 'has_variable', 'get_variable', 'put_variable',
    'sow', '_try_setup', '_call_wrapped_method', '_adopt_field_submodules'})


def _wrap_method(fun: Callable) -> Callable:
  """Wraps a module method so that it runs in the module's context."""
  if getattr(fun, 'method_handler_wrapped', False):
    return fun

  @functools.wraps(fun)
  def wrapped(self, *args, **kwargs):
    return self._call_wrapped_method(fun, args, kwargs)
  wrapped.method_handler_wrapped = True
  wrapped.inner_fun = fun
  return wrapped


def _map_modules(value, fn, prefix: str):
  """Applies ``fn(module, name)`` to the modules in ``value`` (a module, or a
  list/tuple/dict of them), naming them ``prefix``, ``prefix_i`` or
  ``prefix_key``; returns ``value`` rebuilt."""
  if isinstance(value, Module):
    return fn(value, prefix)
  if isinstance(value, (list, tuple)) and any(isinstance(v, Module) for v in value):
    out = [_map_modules(v, fn, f'{prefix}_{i}') for i, v in enumerate(value)]
    return type(value)(out) if isinstance(value, list) else tuple(out)
  if isinstance(value, dict) and any(isinstance(v, Module) for v in value.values()):
    return {k: _map_modules(v, fn, f'{prefix}_{k}') for k, v in value.items()}
  return value


@dataclasses.dataclass(eq=False, repr=False)
class Module:
  """Base class of all modules (see the module docstring for an example).

  Subclasses are made dataclasses automatically; ``parent`` and ``name`` are
  keyword-only fields added to every one of them.
  """
  parent: Any = dataclasses.field(default=_unspecified_parent, kw_only=True, repr=False)
  name: str | None = dataclasses.field(default=None, kw_only=True)

  def __init_subclass__(cls, **kwargs):
    super().__init_subclass__(**kwargs)
    # Wrap the methods this class defines, then make it a dataclass whose
    # generated __init__ goes through our __setattr__ (frozen after init).
    field_names = set()
    for klass in cls.__mro__:
      field_names.update(klass.__dict__.get('__annotations__', {}))
    for attr_name, attr in list(cls.__dict__.items()):
      # Function-valued attributes that are fields (kernel_init...) are data.
      if not inspect.isfunction(attr) or attr_name in _UNWRAPPED or attr_name in field_names:
        continue
      if attr_name.startswith('__') and attr_name != '__call__':
        continue
      if getattr(attr, 'nowrap', False):
        continue
      setattr(cls, attr_name, _wrap_method(attr))
    compact_methods = [n for n, a in cls.__dict__.items()
                       if getattr(getattr(a, 'inner_fun', a), 'compact', False)]
    if len(compact_methods) > 1:
      raise errors.LinenError(f'{cls.__name__} has more than one @compact method: '
                              f'{compact_methods}; only one is allowed.')
    dataclasses.dataclass(cls, eq=True, unsafe_hash='__hash__' not in cls.__dict__,
                          repr=False)

  # -- construction --------------------------------------------------------------------------

  def __post_init__(self):
    object.__setattr__(self, '_state', _ModuleState())
    object.__setattr__(self, 'scope', None)
    parent = self.parent
    if parent is _unspecified_parent:
      parent = _current_module()
    object.__setattr__(self, 'parent', parent)
    if isinstance(parent, Scope):
      object.__setattr__(self, 'scope', parent)
    elif isinstance(parent, Module):
      if parent._state.in_setup:
        if self.name is not None:
          self._bind_child_of(parent, self.name)
        # Unnamed: named (and bound) when assigned to an attribute in setup.
      elif parent._state.in_compact_method:
        name = self.name
        if name is None:
          prefix = type(self).__name__
          cursor = parent._state.autoname_cursor.get(prefix, 0)
          name = f'{prefix}_{cursor}'
          parent._state.autoname_cursor[prefix] = cursor + 1
        self._bind_child_of(parent, name)
      elif parent.scope is not None:
        raise errors.AssignSubModuleError(type(self).__name__)
    elif parent is not None:
      raise TypeError(f'parent of a module must be a Module, a Scope or None, got '
                      f'{type(parent).__name__}')

  def _bind_child_of(self, parent: 'Module', name: str):
    if parent.scope is None:
      raise errors.CallCompactUnboundModuleError()
    state = parent._state
    for children in (state.children, state.compact_children):
      if children.get(name, self) is not self:
        raise errors.NameInUseError('submodule', name, type(parent).__name__)
    object.__setattr__(self, 'name', name)
    object.__setattr__(self, 'scope', parent.scope.push(name))
    (state.compact_children if state.in_compact_method else state.children)[name] = self

  def __setattr__(self, name: str, value: Any):
    state = self.__dict__.get('_state')
    if state is None:  # the dataclass __init__ is still filling the fields
      object.__setattr__(self, name, value)
      return
    if not state.in_setup:
      raise errors.SetAttributeFrozenModuleError(type(self).__name__, name, value)
    if not name.startswith('_'):
      def adopt(module, child_name):
        if module.parent is self and module.scope is None:
          module._bind_child_of(self, child_name)
        return module
      value = _map_modules(value, adopt, name)
    object.__setattr__(self, name, value)

  def __getattr__(self, name: str) -> Any:
    # Only called for attributes not found normally: those made in setup().
    state = self.__dict__.get('_state')
    if state is not None and not name.startswith('__') and not state.setup_called \
        and self.__dict__.get('scope') is not None:
      self._try_setup()
      if name in self.__dict__:
        return self.__dict__[name]
    raise AttributeError(f'"{type(self).__name__}" object has no attribute "{name}"'
                         + ('' if self.__dict__.get('scope') is not None else
                            ' (attributes defined in setup() exist only on bound modules)'))

  def __repr__(self):
    fields = [f'{f.name}={getattr(self, f.name, None)!r}'
              for f in dataclasses.fields(self) if f.name not in ('parent', 'name')]
    return f'{type(self).__name__}({", ".join(fields)})'

  # -- setup and method calls ----------------------------------------------------------------

  def _adopt_field_submodules(self):
    """Modules given as attributes from outside any module become children
    named after the field (``layers_0``...), as flax adopts them."""
    for field in dataclasses.fields(self):
      if field.name in ('parent', 'name'):
        continue
      value = getattr(self, field.name, None)

      def adopt(module, child_name):
        if module.parent is None and module.scope is None:
          attrs = {f.name: getattr(module, f.name) for f in dataclasses.fields(module)
                   if f.init and f.name not in ('parent', 'name')}
          _context.stack.append(None)  # construct with an explicit parent only
          try:
            child = type(module)(**attrs, parent=None)
          finally:
            _context.stack.pop()
          object.__setattr__(child, 'parent', self)
          child._bind_child_of(self, child_name)
          return child
        return module
      new_value = _map_modules(value, adopt, field.name)
      if new_value is not value:
        object.__setattr__(self, field.name, new_value)

  def _try_setup(self):
    state = self._state
    if state.setup_called or state.in_setup or self.scope is None:
      return
    state.in_setup = True
    _context.stack.append(self)
    try:
      self._adopt_field_submodules()
      self.setup()
    finally:
      _context.stack.pop()
      state.in_setup = False
      state.setup_called = True

  def setup(self):
    """Declares submodules and variables lazily, when the module is bound.

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> class Affine(nn.Module):
    ...   def setup(self):
    ...     self.dense = nn.Dense(2)
    ...   def __call__(self, x):
    ...     return self.dense(x)
    >>> sorted(Affine().init(jaxlite.random.PRNGKey(0), jnp.ones(3))['params'])
    ['dense']
    """

  def _call_wrapped_method(self, fun, args, kwargs):
    state = self._state
    is_compact = getattr(fun, 'compact', False)
    is_recurrent = state.in_compact_method
    _context.stack.append(self)
    try:
      self._try_setup()
      if is_compact:
        if self.scope is None:
          raise errors.CallCompactUnboundModuleError()
        if not is_recurrent:
          state.in_compact_method = True
          state.autoname_cursor = {}
          state.compact_children = {}
      return fun(self, *args, **kwargs)
    finally:
      _context.stack.pop()
      if is_compact and not is_recurrent:
        state.in_compact_method = False
        # A second call declares the same names again: clear reservations.
        if self.scope is not None and not self.scope.invalid:
          object.__setattr__(self, 'scope', self.scope.rewound())

  # -- cloning and binding -------------------------------------------------------------------

  @nowrap
  def clone(self, *, parent=None, **updates) -> 'Module':
    """A copy with ``updates`` applied to its fields, unbound unless
    ``parent`` (a Module or a Scope) is given.

    >>> import jaxlite.linen as nn
    >>> nn.Dense(3).clone(features=4).features
    4
    """
    attrs = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
             if f.init and f.name != 'parent'}
    attrs.update(updates)
    return type(self)(**attrs, parent=parent)

  @property
  def variables(self) -> dict:
    """The variables of this (bound) module, by collection (read-only).

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> v = nn.Dense(2).init(jaxlite.random.PRNGKey(0), jnp.ones(3))
    >>> sorted(nn.Dense(2).bind(v).variables['params'])
    ['bias', 'kernel']
    """
    if self.scope is None:
      raise ValueError("Can't access variables on an unbound module; use bind/apply.")
    self._try_setup()
    return self.scope.variables()

  @property
  def path(self) -> tuple[str, ...]:
    """The names from the root module down to this one."""
    if self.scope is None:
      raise ValueError("Can't access the path of an unbound module.")
    return self.scope.path

  def _resolve_method(self, method) -> Callable:
    if method is None:
      method = '__call__'
    if inspect.ismethod(method):  # e.g. method=model.encode: take the function
      method = method.__func__
    if isinstance(method, str):
      try:
        method = getattr(type(self), method)
      except AttributeError:
        raise AttributeError(f"{type(self).__name__} has no method named '{method}'") \
            from None
    return _wrap_method(method)

  @nowrap
  def bind(self, variables: Mapping, *args, rngs=None, mutable=False) -> 'Module':
    """A copy of this module bound to ``variables`` (for interactive use).

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> v = nn.Dense(2).init(jaxlite.random.PRNGKey(0), jnp.ones(3))
    >>> nn.Dense(2).bind(v)(jnp.ones(3)).shape
    (2,)
    """
    del args
    scope = core_scope.bind(variables, rngs=rngs, mutable=mutable)
    return self.clone(parent=scope)

  @nowrap
  def unbind(self) -> tuple['Module', dict]:
    """``(unbound copy, variables)`` of a bound module."""
    if self.scope is None:
      raise ValueError("Can't unbind an unbound module.")
    return self.clone(), self.variables

  @nowrap
  def apply(self, variables: Mapping, *args, rngs=None, method=None, mutable=False,
            **kwargs):
    """Runs ``method`` (default ``__call__``) with ``variables``.

    Args:
      variables: a dict of collections, e.g. ``{'params': ...}``.
      *args, **kwargs: passed to the method.
      rngs: a key (the 'params' stream) or a dict of rng streams, e.g.
        ``{'dropout': key}``.
      method: a method name, a method, or a function ``fn(module, *args)``.
      mutable: filter of collections that may change; when not False the
        result is ``(output, updated_collections)``.

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> v = {'params': {'kernel': jnp.eye(2), 'bias': jnp.ones(2)}}
    >>> nn.Dense(2).apply(v, jnp.array([1., 2.]))
    Array([2., 3.], dtype=float32)
    """
    fn = self._resolve_method(method)

    def scope_fn(scope, *args, **kwargs):
      return fn(self.clone(parent=scope), *args, **kwargs)
    return core_scope.apply(scope_fn, mutable=mutable)(variables, *args, rngs=rngs, **kwargs)

  @nowrap
  def init_with_output(self, rngs, *args, method=None, mutable=DenyList('intermediates'),
                       **kwargs):
    """``(output, variables)`` from running ``method`` while initialising.

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> y, v = nn.Dense(2).init_with_output(jaxlite.random.PRNGKey(0), jnp.ones(3))
    >>> y.shape, sorted(v['params'])
    ((2,), ['bias', 'kernel'])
    """
    fn = self._resolve_method(method)

    def scope_fn(scope, *args, **kwargs):
      return fn(self.clone(parent=scope), *args, **kwargs)
    return core_scope.init(scope_fn, mutable=mutable)(rngs, *args, **kwargs)

  @nowrap
  def init(self, rngs, *args, method=None, mutable=DenyList('intermediates'), **kwargs):
    """The variables created by running ``method`` (default ``__call__``).

    Args:
      rngs: a key (used as the 'params' stream) or a dict of streams.
      *args, **kwargs: example inputs, passed to the method.
      method: as for :meth:`apply`.
      mutable: the collections that may be created (all but 'intermediates').

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> v = nn.Dense(2).init(jaxlite.random.PRNGKey(0), jnp.ones((1, 3)))
    >>> jaxlite.tree_util.tree_map(jnp.shape, v)
    {'params': {'bias': (2,), 'kernel': (3, 2)}}
    """
    return self.init_with_output(rngs, *args, method=method, mutable=mutable, **kwargs)[1]

  # -- variables -----------------------------------------------------------------------------

  def _check_declaration(self, kind: str, name: str):
    if self.scope is None:
      raise ValueError(f"Can't declare {kind} '{name}' on an unbound module "
                       f'{type(self).__name__}; use init/apply/bind.')
    state = self._state
    if not (state.in_setup or state.in_compact_method):
      raise errors.LinenError(f'{kind.capitalize()}s must be declared in `setup()` or in '
                              f'a method wrapped in `@compact` ({kind} "{name}" of '
                              f'{type(self).__name__}).')
    if name in state.children or name in state.compact_children:
      raise errors.NameInUseError(kind, name, type(self).__name__)

  @nowrap
  def param(self, name: str, init_fn: Callable, *init_args, unbox: bool = True,
            **init_kwargs):
    """Declares parameter ``name``, created by ``init_fn(key, *init_args)``.

    A stored value whose shape differs from what ``init_fn`` would produce
    raises ValueError naming the parameter and both shapes.

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> class Scale(nn.Module):
    ...   @nn.compact
    ...   def __call__(self, x):
    ...     return x * self.param('s', nn.initializers.ones_init(), ())
    >>> Scale().init(jaxlite.random.PRNGKey(0), 1.)
    {'params': {'s': Array(1., dtype=float32)}}
    """
    del unbox
    self._check_declaration('param', name)
    return self.scope.param(name, init_fn, *init_args, **init_kwargs)

  @nowrap
  def variable(self, col: str, name: str, init_fn: Callable | None = None, *init_args,
               unbox: bool = True, **init_kwargs) -> Variable:
    """Declares variable ``name`` of collection ``col``; returns a reference
    whose ``.value`` reads and (if ``col`` is mutable) writes it.

    >>> import jaxlite, jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> class Count(nn.Module):
    ...   @nn.compact
    ...   def __call__(self):
    ...     n = self.variable('counter', 'n', jnp.zeros, (), jnp.int32)
    ...     n.value += 1
    >>> Count().apply({'counter': {'n': jnp.int32(3)}}, mutable='counter')[1]
    {'counter': {'n': Array(4, dtype=int32)}}
    """
    del unbox
    self._check_declaration('variable', name)
    return self.scope.variable(col, name, init_fn, *init_args, **init_kwargs)

  @nowrap
  def make_rng(self, name: str = 'params'):
    """A fresh key from rng stream ``name`` (e.g. 'dropout').

    >>> import jaxlite, jaxlite.linen as nn
    >>> m = nn.Dense(1).bind({}, rngs={'noise': jaxlite.random.PRNGKey(0)})
    >>> m.make_rng('noise').shape
    (2,)
    """
    if self.scope is None:
      raise ValueError("Can't use RNGs on an unbound module.")
    return self.scope.make_rng(name)

  @nowrap
  def has_rng(self, name: str) -> bool:
    """Whether rng stream ``name`` was provided."""
    return self.scope is not None and self.scope.has_rng(name)

  @nowrap
  def is_initializing(self) -> bool:
    """True inside ``init``/``init_with_output``.

    >>> import jaxlite, jaxlite.linen as nn
    >>> class M(nn.Module):
    ...   def __call__(self):
    ...     return self.is_initializing()
    >>> M().init_with_output(jaxlite.random.PRNGKey(0))[0], M().apply({})
    (True, False)
    """
    if self.scope is None:
      raise ValueError("Can't check is_initializing on an unbound module.")
    return bool(self.scope.get_flag('initializing', False))

  @nowrap
  def is_mutable_collection(self, col: str) -> bool:
    """Whether collection ``col`` may be written."""
    if self.scope is None:
      raise ValueError("Can't check mutability on an unbound module.")
    return self.scope.is_mutable_collection(col)

  @nowrap
  def has_variable(self, col: str, name: str) -> bool:
    """Whether variable ``name`` of ``col`` exists."""
    if self.scope is None:
      raise ValueError("Can't access variables on an unbound module.")
    return self.scope.has_variable(col, name)

  @nowrap
  def get_variable(self, col: str, name: str, default: Any = None) -> Any:
    """The value of variable ``name`` of ``col``, or ``default``.

    >>> import jaxlite.linen as nn
    >>> nn.Dense(1).bind({'stats': {'n': 1}}).get_variable('stats', 'n')
    1
    """
    if self.scope is None:
      raise ValueError("Can't access variables on an unbound module.")
    return self.scope.get_variable(col, name, default)

  @nowrap
  def put_variable(self, col: str, name: str, value: Any):
    """Sets variable ``name`` of ``col`` (which must be mutable).

    >>> import jaxlite.linen as nn
    >>> m = nn.Dense(1).bind({'stats': {'n': 1}}, mutable='stats')
    >>> m.put_variable('stats', 'n', 2); m.get_variable('stats', 'n')
    2
    """
    if self.scope is None:
      raise ValueError("Can't access variables on an unbound module.")
    self.scope.put_variable(col, name, value)

  @nowrap
  def sow(self, col: str, name: str, value: Any,
          reduce_fn: Callable = lambda xs, x: xs + (x,),
          init_fn: Callable = lambda: ()) -> bool:
    """Stores ``value`` in ``col`` (e.g. 'intermediates') if it is mutable,
    appending to a tuple by default; returns whether it was stored.

    >>> import jaxlite.numpy as jnp, jaxlite.linen as nn
    >>> class M(nn.Module):
    ...   def __call__(self, x):
    ...     self.sow('intermediates', 'h', x)
    ...     return x
    >>> M().apply({}, 1., mutable='intermediates')[1]
    {'intermediates': {'h': (1.0,)}}
    """
    if self.scope is None:
      raise ValueError("Can't store intermediates on an unbound module.")
    if not self.scope.is_mutable_collection(col):
      return False
    if not self.scope.has_variable(col, name):
      self.scope.reserve(name, col)
    current = self.scope.get_variable(col, name, init_fn())
    self.scope.put_variable(col, name, reduce_fn(current, value))
    return True


def _is_module(x) -> bool:
  return isinstance(x, Module)


def iter_submodules(value: Any) -> Iterable[Module]:
  """The modules in ``value`` (a module or a container of them).

  >>> import jaxlite.linen as nn
  >>> len(list(iter_submodules([nn.Dense(1), {'a': nn.Dense(2)}])))
  2
  """
  return (x for x in tree_util.tree_leaves(value, is_leaf=_is_module) if _is_module(x))
