"""Scopes: a cursor into a tree of variable collections, plus rng streams.

A variable dict maps collection names (``'params'``, ``'batch_stats'``...)
to nested dicts keyed by scope names; a :class:`Scope` points at one path in
it. ``init``/``apply`` turn a function of a scope into a pure function of
variables, as ``flax.core`` does:

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import core, initializers
  >>> def dense(scope, x):
  ...   w = scope.param('w', initializers.ones_init(), (x.shape[-1], 2))
  ...   return x @ w
  >>> y, variables = core.init(dense)(jaxlite.random.PRNGKey(0), jnp.ones((1, 3)))
  >>> jaxlite.tree_util.tree_map(jnp.shape, variables)
  {'params': {'w': (3, 2)}}
  >>> core.apply(dense)(variables, jnp.ones((1, 3)))
  Array([[3., 3.]], dtype=float32)

Randomness follows flax bit for bit: a child scope folds its name into its
parent's keys, and ``make_rng`` folds in a per-scope counter, both by the
first four bytes of a SHA-1 of the static data. With the same key, a layer
therefore initialises to the values flax gives it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from jaxlite import api, random, tree_util
from jaxlite import numpy as jnp
from jaxlite.linen import errors

__all__ = ["Scope", "Variable", "LazyRng", "DenyList", "bind", "init", "apply",
           "in_filter", "union_filters", "intersect_filters", "subtract_filters",
           "group_collections", "freeze", "unfreeze"]


# --- collection filters ---------------------------------------------------------------------
# A filter says which collections (or rng streams) something applies to:
# True (all), False (none), a name, a sequence of names, or DenyList(filter).


@dataclasses.dataclass(frozen=True)
class DenyList:
  """A filter matching every name that ``deny`` does not match.

  >>> in_filter(DenyList('intermediates'), 'params')
  True
  """
  deny: Any


def _canonical(f):
  """Returns ``('allow', frozenset)`` or ``('deny', frozenset)``."""
  if f is True:
    return ('deny', frozenset())
  if f is False or f is None:
    return ('allow', frozenset())
  if isinstance(f, str):
    return ('allow', frozenset([f]))
  if isinstance(f, DenyList):
    kind, names = _canonical(f.deny)
    return ('deny' if kind == 'allow' else 'allow', names)
  if isinstance(f, Iterable):
    names = set()
    for g in f:
      kind, sub = _canonical(g)
      if kind == 'deny':
        raise TypeError(f'a collection filter sequence may hold only names, got {g!r}')
      names |= sub
    return ('allow', frozenset(names))
  raise TypeError(f'Invalid collection filter {f!r}: expected True, False, a '
                  'collection name, a sequence of names or a DenyList.')


def _from_canonical(kind, names):
  if kind == 'deny':
    return True if not names else DenyList(tuple(sorted(names)))
  if not names:
    return False
  return next(iter(names)) if len(names) == 1 else tuple(sorted(names))


def in_filter(filter_like, name: str) -> bool:
  """Whether the collection ``name`` matches ``filter_like``.

  >>> in_filter(['params', 'batch_stats'], 'params'), in_filter(False, 'params')
  (True, False)
  """
  kind, names = _canonical(filter_like)
  return (name in names) == (kind == 'allow')


def union_filters(a, b):
  """The filter matching what ``a`` or ``b`` matches.

  >>> union_filters('params', 'batch_stats')
  ('batch_stats', 'params')
  """
  (ka, na), (kb, nb) = _canonical(a), _canonical(b)
  if ka == kb == 'allow':
    return _from_canonical('allow', na | nb)
  if ka == kb == 'deny':
    return _from_canonical('deny', na & nb)
  allow, deny = (na, nb) if ka == 'allow' else (nb, na)
  return _from_canonical('deny', deny - allow)


def intersect_filters(a, b):
  """The filter matching what both ``a`` and ``b`` match.

  >>> intersect_filters(True, 'params')
  'params'
  """
  (ka, na), (kb, nb) = _canonical(a), _canonical(b)
  if ka == kb == 'allow':
    return _from_canonical('allow', na & nb)
  if ka == kb == 'deny':
    return _from_canonical('deny', na | nb)
  allow, deny = (na, nb) if ka == 'allow' else (nb, na)
  return _from_canonical('allow', allow - deny)


def subtract_filters(a, b):
  """The filter matching what ``a`` matches and ``b`` does not.

  >>> subtract_filters(True, 'params')
  DenyList(deny=('params',))
  """
  kb, nb = _canonical(b)
  return intersect_filters(a, _from_canonical('allow' if kb == 'deny' else 'deny', nb))


def group_collections(xs: Mapping[str, Any], filters) -> tuple[dict, ...]:
  """Splits ``xs`` into one dict per filter; each key goes to the first match.

  >>> group_collections({'params': 1, 'stats': 2, 'cache': 3}, ('params', True))
  ({'params': 1}, {'cache': 3, 'stats': 2})
  """
  remaining = set(xs.keys())
  groups = []
  for f in filters:
    taken = sorted(k for k in remaining if in_filter(f, k))
    remaining -= set(taken)
    groups.append({k: xs[k] for k in taken})
  return tuple(groups)


def freeze(xs):
  """A copy of the nested dicts of ``xs`` (kept for flax compatibility:
  collections here are plain dicts, and immutability is the scope's job).

  >>> freeze({'a': {'b': 1}})
  {'a': {'b': 1}}
  """
  return unfreeze(xs)


def unfreeze(xs):
  """A copy of the nested dict structure of ``xs`` (leaves are shared).

  >>> x = {'a': {'b': 1}}; y = unfreeze(x); y['a']['b'] = 2; x
  {'a': {'b': 1}}
  """
  if isinstance(xs, Mapping):
    return {k: unfreeze(v) for k, v in xs.items()}
  return xs


# --- rngs -----------------------------------------------------------------------------------


def _hash_static(data) -> int:
  """The first four bytes of the SHA-1 of names and counters, as flax folds them."""
  h = hashlib.sha1()
  for x in data:
    if isinstance(x, str):
      h.update(x.encode('utf-8'))
    elif isinstance(x, (int, np.integer)):
      x = int(x)
      h.update(x.to_bytes((x.bit_length() + 7) // 8, byteorder='big'))
    else:
      raise ValueError(f'Expected int or string, got: {x!r}')
  return int.from_bytes(h.digest()[:4], byteorder='big')


@tree_util.register_pytree_node_class
class LazyRng:
  """A PRNG key with static data (scope names, counters) still to fold in.

  Folding is deferred so a stream costs nothing until ``make_rng`` draws a key.

  >>> import jaxlite
  >>> r = LazyRng.create(jaxlite.random.PRNGKey(0), 'Dense_0', 1)
  >>> r.suffix
  ('Dense_0', 1)
  """

  def __init__(self, rng, suffix=()):
    self.rng = rng
    self.suffix = tuple(suffix)

  @staticmethod
  def create(rng, *suffix) -> 'LazyRng':
    if isinstance(rng, LazyRng):
      return LazyRng(rng.rng, rng.suffix + suffix)
    return LazyRng(rng, suffix)

  def as_jax_rng(self):
    if not self.suffix:
      return self.rng
    return random.fold_in(self.rng, jnp.uint32(_hash_static(self.suffix)))

  def tree_flatten(self):
    return (self.rng,), self.suffix

  @classmethod
  def tree_unflatten(cls, suffix, children):
    return cls(children[0], suffix)

  def __repr__(self):
    return f'LazyRng({self.rng!r}, suffix={self.suffix!r})'


def _is_valid_rng(rng) -> bool:
  """A LazyRng, a raw ``uint32[2]`` key or a typed scalar key."""
  if isinstance(rng, (LazyRng, random.PRNGKeyArray)):
    return not isinstance(rng, random.PRNGKeyArray) or rng.shape == ()
  shape, dtype = getattr(rng, 'shape', None), getattr(rng, 'dtype', None)
  return shape is not None and tuple(shape) == (2,) and np.dtype(dtype) == np.uint32


def _is_valid_rngs(rngs) -> bool:
  return isinstance(rngs, Mapping) and all(
      isinstance(k, str) and _is_valid_rng(v) for k, v in rngs.items())


# --- scopes ---------------------------------------------------------------------------------


class _ChildRngToken:
  """Key prefix of a child's counters inside its parent's counter dict."""

  def __repr__(self):
    return 'child_rng'


_child_rng_token = _ChildRngToken()


class Scope:
  """A view on one path of a variable dict, with rng streams and mutability.

  Variables live in the root scope's dict; a child scope reads and writes the
  subtree under its own name in every collection. ``mutable`` is a filter of
  the collections that may be written (created or updated).

  >>> import jaxlite.numpy as jnp
  >>> s = Scope({'params': {'a': {'w': jnp.ones(2)}}}, mutable=False)
  >>> s.push('a').get_variable('params', 'w')
  Array([1., 1.], dtype=float32)
  """

  def __init__(self, variables, rngs=None, name=None, mutable=False, parent=None,
               path=(), flags=None):
    self._variables = variables
    self.parent = parent
    self.name = name
    self.path = tuple(path)
    self.rngs = {k: LazyRng.create(v) for k, v in (rngs or {}).items()}
    self.mutable = mutable
    self.flags = dict(flags or {})
    self._root = parent.root if parent is not None else None
    self.rng_counters = {k: 0 for k in self.rngs}
    self.reservations: dict[str, set] = {}
    self._invalid = False

  @property
  def root(self) -> 'Scope':
    return self._root or self

  @property
  def path_text(self) -> str:
    return '/' + '/'.join(self.path)

  @property
  def invalid(self) -> bool:
    return self._invalid

  def invalidate(self):
    self._invalid = True

  def _check_valid(self):
    if self._invalid:
      raise errors.InvalidScopeError(self.name)

  @contextlib.contextmanager
  def temporary(self):
    """A context in which the scope is valid; it is invalidated on exit."""
    try:
      yield self
    finally:
      self.invalidate()

  def rewound(self, rewind_rngs: bool = False) -> 'Scope':
    """This scope with its name reservations cleared (a compact method called
    again declares the same names), sharing variables and rng counters."""
    self._check_valid()
    scope = Scope(self._variables, None, self.name, self.mutable, self.parent,
                  path=self.path, flags=self.flags)
    scope.rngs = self.rngs
    scope.rng_counters = ({k: 0 for k in self.rngs} if rewind_rngs
                          else self.rng_counters)
    return scope

  # -- names ---------------------------------------------------------------------------------

  def name_reserved(self, name: str, col: str | None = None) -> bool:
    used = self.reservations.get(name)
    if used is None:
      return False
    # A variable may share its name with one of another collection.
    return None in used or col is None or col in used

  def reserve(self, name: str, col: str | None = None):
    """Reserves ``name`` for a child scope (``col=None``) or a variable of ``col``."""
    if not isinstance(name, str):
      raise TypeError(f'The name of a scope or variable must be a string, got '
                      f'{type(name).__name__}: {name!r}')
    if self.name_reserved(name, col):
      raise errors.NameInUseError('variable' if col else 'submodule', name,
                                  self.path_text)
    self.reservations.setdefault(name, set()).add(col)

  def default_name(self, prefix: str) -> str:
    i = 0
    while f'{prefix}{i}' in self.reservations:
      i += 1
    return f'{prefix}{i}'

  def push(self, name: str | None = None, prefix: str = '', reuse: bool = False) -> 'Scope':
    """Creates the child scope ``name``; its rngs fold in the name.

    >>> Scope({}).push('Dense_0').path
    ('Dense_0',)
    """
    self._check_valid()
    if name is None:
      name = self.default_name(prefix)
    if not reuse or name not in self.reservations:
      self.reserve(name)
    rngs = {k: LazyRng.create(r, name) for k, r in self.rngs.items()}
    counters = self.rng_counters.setdefault((_child_rng_token, name),
                                            {k: 0 for k in rngs})
    scope = Scope({}, name=name, parent=self, mutable=self.mutable,
                  path=self.path + (name,), flags=self.flags)
    scope.rngs = rngs
    scope.rng_counters = counters
    return scope

  def child(self, fn: Callable, name: str | None = None, prefix: str | None = None,
            **partial_kwargs) -> Callable:
    """``fn`` with a child scope bound as its first argument.

    Calling the result again reuses the child's variables.

    >>> import jaxlite, jaxlite.numpy as jnp
    >>> from jaxlite.linen import initializers
    >>> def f(scope):
    ...   w = lambda s: s.param('w', initializers.zeros_init(), (2,))
    ...   return scope.child(w, 'inner')()
    >>> init(f)(jaxlite.random.PRNGKey(0))[1]
    {'params': {'inner': {'w': Array([0., 0.], dtype=float32)}}}
    """
    if name is None:
      if prefix is None:
        prefix = getattr(fn, '__name__', '') + '_'
      name = self.default_name(prefix)
    scope = self.push(name)

    def wrapper(*args, **kwargs):
      return fn(scope.rewound(), *args, **{**partial_kwargs, **kwargs})
    return wrapper

  # -- collections ---------------------------------------------------------------------------

  def is_mutable_collection(self, col: str) -> bool:
    """Whether variables of ``col`` may be created or updated here."""
    return in_filter(self.mutable, col)

  def is_collection_empty(self, col: str) -> bool:
    return not self.root._variables.get(col)

  def _collection(self, col: str) -> Mapping:
    if col not in self._variables:
      if self.parent is None:
        return {}
      parent_col = self.parent._collection(col)
      if self.name not in parent_col:
        return {}
      self._variables[col] = parent_col[self.name]
    return self._variables[col]

  def _mutable_collection(self, col: str) -> dict:
    if col not in self._variables:
      if self.parent is None:
        self._variables[col] = {}
      else:
        parent_col = self.parent._mutable_collection(col)
        self._variables[col] = parent_col.setdefault(self.name, {})
    return self._variables[col]

  def _populate_collections(self):
    for col in list(self.root._variables.keys()):
      self._collection(col)

  def variables(self) -> dict:
    """The variables under this scope, by collection (a read-only view).

    >>> Scope({'params': {'a': {'w': 1}}}).push('a').variables()
    {'params': {'w': 1}}
    """
    self._populate_collections()
    return self._variables

  def mutable_variables(self) -> dict:
    """The collections of this scope that are mutable."""
    self._populate_collections()
    return {k: v for k, v in self._variables.items() if self.is_mutable_collection(k)}

  def collections(self) -> tuple[str, ...]:
    """The names of the collections this scope sees."""
    return tuple(self.variables().keys())

  def has_variable(self, col: str, name: str) -> bool:
    return name in self._collection(col)

  def get_variable(self, col: str, name: str, default: Any = None) -> Any:
    """The value of variable ``name`` of ``col``, or ``default``."""
    return self._collection(col).get(name, default)

  def put_variable(self, col: str, name: str, value: Any):
    """Sets variable ``name`` of ``col``; the collection must be mutable."""
    self._check_valid()
    if not self.is_mutable_collection(col):
      raise errors.ModifyScopeVariableError(col, name, self.path_text)
    self._mutable_collection(col)[name] = value

  # -- flags and rngs ------------------------------------------------------------------------

  def has_flag(self, key) -> bool:
    return key in self.flags

  def get_flag(self, key, default=None) -> Any:
    return self.flags.get(key, default)

  def has_rng(self, name: str) -> bool:
    """Whether an rng stream ``name`` was provided."""
    return name in self.rngs

  def make_rng(self, name: str = 'params'):
    """A new key from stream ``name`` (falling back to 'params', as flax does).

    >>> import jaxlite
    >>> s = Scope({}, rngs={'params': jaxlite.random.PRNGKey(0)})
    >>> bool((s.make_rng('params') != s.make_rng('params')).any())
    True
    """
    self._check_valid()
    if not self.has_rng(name):
      if self.has_rng('params'):
        name = 'params'
      else:
        raise errors.InvalidRngError(
            f'{self.name or "the root scope"} needs PRNG for "{name}", but no rng '
            f'stream "{name}" was given (pass rngs={{"{name}": key}}).')
    self.rng_counters[name] += 1
    return LazyRng.create(self.rngs[name], self.rng_counters[name]).as_jax_rng()

  # -- variables -----------------------------------------------------------------------------

  def variable(self, col: str, name: str, init_fn: Callable | None = None,
               *init_args, **init_kwargs) -> 'Variable':
    """Declares variable ``name`` of ``col``, creating it with
    ``init_fn(*init_args)`` if it is missing and ``col`` is mutable.

    >>> import jaxlite.numpy as jnp
    >>> s = Scope({}, mutable=True)
    >>> s.variable('counts', 'n', jnp.zeros, ()).value
    Array(0., dtype=float32)
    """
    self.reserve(name, col)
    if not self.has_variable(col, name):
      if not self.is_mutable_collection(col) or init_fn is None:
        if self.is_collection_empty(col):
          raise errors.ScopeCollectionNotFound(col, name, self.path_text)
        raise errors.ScopeVariableNotFoundError(name, col, self.path_text)
      self.put_variable(col, name, init_fn(*init_args, **init_kwargs))
    return Variable(self, col, name)

  def param(self, name: str, init_fn: Callable, *init_args, **init_kwargs) -> Any:
    """Declares parameter ``name``: creates it with
    ``init_fn(self.make_rng('params'), *init_args)`` during initialisation,
    otherwise returns the stored value after checking that its shape is the
    one ``init_fn`` would give.

    >>> import jaxlite, jaxlite.numpy as jnp
    >>> from jaxlite.linen import initializers
    >>> s = Scope({}, rngs={'params': jaxlite.random.PRNGKey(0)}, mutable=True)
    >>> s.param('b', initializers.zeros_init(), (2,))
    Array([0., 0.], dtype=float32)
    """
    self.reserve(name, 'params')
    if self.has_variable('params', name):
      value = self.get_variable('params', name)
      # The stored value must have the shape the module's hyper-parameters
      # imply; a mismatch is almost always a wrong checkpoint or config.
      expected = api.eval_shape(
          lambda: init_fn(random.PRNGKey(0), *init_args, **init_kwargs))
      for val, exp in zip(tree_util.tree_leaves(value), tree_util.tree_leaves(expected)):
        if np.shape(val) != tuple(exp.shape):
          raise errors.ScopeParamShapeError(name, self.path_text, np.shape(val),
                                            tuple(exp.shape))
      return value
    if not self.is_mutable_collection('params'):
      if self.is_collection_empty('params'):
        raise errors.ScopeCollectionNotFound('params', name, self.path_text)
      raise errors.ScopeParamNotFoundError(name, self.path_text)
    value = init_fn(self.make_rng('params'), *init_args, **init_kwargs)
    self.put_variable('params', name, value)
    return value


class Variable:
  """A reference to one variable of a scope; ``.value`` reads and writes it.

  >>> s = Scope({}, mutable=True)
  >>> v = s.variable('state', 'count', lambda: 0)
  >>> v.value += 1; s.variables()
  {'state': {'count': 1}}
  """

  def __init__(self, scope: Scope, collection: str, name: str):
    self.scope = scope
    self.collection = collection
    self.name = name

  @property
  def value(self):
    return self.scope.get_variable(self.collection, self.name)

  @value.setter
  def value(self, value):
    self.scope.put_variable(self.collection, self.name, value)

  def is_mutable(self) -> bool:
    return self.scope.is_mutable_collection(self.collection)

  def __repr__(self):
    return f'Variable({self.collection}/{self.name}={self.value!r})'


# --- functionalisation ----------------------------------------------------------------------


def _check_variables(variables):
  if not isinstance(variables, Mapping) or not all(
      isinstance(k, str) and isinstance(v, Mapping) for k, v in variables.items()):
    raise errors.ApplyScopeInvalidVariablesTypeError()
  params = variables.get('params')
  if isinstance(params, Mapping) and 'params' in params:
    raise errors.ApplyScopeInvalidVariablesStructureError(variables)


def _canonical_rngs(rngs, where: str):
  if rngs is None:
    return None
  if _is_valid_rng(rngs):
    return {'params': rngs}
  if not _is_valid_rngs(rngs):
    raise errors.InvalidRngError(
        f'The rngs passed to {where} should be a PRNG key (uint32[2] from '
        'jaxlite.random.PRNGKey) or a dict mapping stream names to keys, got '
        f'{type(rngs).__name__}.')
  return dict(rngs)


def bind(variables, rngs=None, mutable=False, flags=None) -> Scope:
  """A root scope over ``variables`` (mutable collections are copied first,
  so the caller's dicts are never written).

  >>> bind({'params': {'w': 1}}).get_variable('params', 'w')
  1
  """
  _check_variables(variables)
  rngs = _canonical_rngs(rngs, 'bind')
  new_variables = {k: (unfreeze(v) if in_filter(mutable, k) else v)
                   for k, v in variables.items()}
  return Scope(new_variables, rngs=rngs, mutable=mutable, flags=flags)


def apply(fn: Callable, mutable=False, flags=None) -> Callable:
  """Turns ``fn(scope, *args)`` into ``apply_fn(variables, *args, rngs=None)``.

  With ``mutable`` other than False, ``apply_fn`` returns
  ``(output, updated_mutable_collections)``.

  >>> import jaxlite.numpy as jnp
  >>> def count(scope):
  ...   n = scope.variable('state', 'n', lambda: 0)
  ...   n.value += 1
  >>> apply(count, mutable='state')({'state': {'n': 1}})
  (None, {'state': {'n': 2}})
  """
  def wrapper(variables, *args, rngs=None, **kwargs):
    root = bind(variables, rngs=_canonical_rngs(rngs, 'apply'), mutable=mutable,
                flags=flags)
    with root.temporary():
      y = fn(root, *args, **kwargs)
    if mutable is not False:
      return y, root.mutable_variables()
    return y
  wrapper.__name__ = getattr(fn, '__name__', 'apply_fn')
  return wrapper


def init(fn: Callable, mutable=True, flags=None) -> Callable:
  """Turns ``fn(scope, *args)`` into ``init_fn(rngs, *args) -> (output, variables)``.

  ``rngs`` is a PRNG key (used as the 'params' stream) or a dict of streams.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.linen import initializers
  >>> f = lambda scope: scope.param('b', initializers.ones_init(), (1,))
  >>> init(f)(jaxlite.random.PRNGKey(0))
  (Array([1.], dtype=float32), {'params': {'b': Array([1.], dtype=float32)}})
  """
  def wrapper(rngs, *args, **kwargs):
    if not _is_valid_rng(rngs) and not _is_valid_rngs(rngs):
      raise errors.InvalidRngError(
          'The first argument passed to an init function should be a PRNG key '
          '(jaxlite.random.PRNGKey) or a dict mapping stream names to keys, got '
          f'{type(rngs).__name__}.')
    init_flags = {**(flags or {}), 'initializing': True}
    return apply(fn, mutable=mutable, flags=init_flags)({}, *args, rngs=rngs, **kwargs)
  wrapper.__name__ = getattr(fn, '__name__', 'init_fn')
  return wrapper
