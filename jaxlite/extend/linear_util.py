"""``jax.extend.linear_util``: functions with a stack of transformations.

A ``WrappedFun`` holds a Python function and the transformations to apply
around it when it is called. A transformation is a function
``gen(f, *static_args, *args, **kwargs)`` that calls the inner ``f`` in the
middle of its own work; one *with aux* also gets a ``Store`` for a side
output (an output tree, say) that the caller reads after the call.

  >>> f = wrap_init(lambda x: x + 1)
  >>> @transformation2
  ... def doubled(inner, x):
  ...   return 2 * inner(x)
  >>> doubled(f).call_wrapped(3)
  8
"""
from __future__ import annotations

import functools
import weakref
from typing import Any, Callable

from jaxlite import api_util


class StoreException(Exception):
  """A store read while empty, or filled twice."""


_EMPTY = object()


class Store:
  """A box for one side output, filled exactly once.

    >>> s = Store(); s.store(1); s.val
    1
  """
  __slots__ = ("_val",)

  def __init__(self):
    self._val = _EMPTY

  def store(self, val):
    if self._val is not _EMPTY:
      raise StoreException("Store occupied")
    self._val = val

  def reset(self):
    self._val = _EMPTY

  @property
  def val(self):
    if self._val is _EMPTY:
      raise StoreException("Store empty")
    return self._val

  def __bool__(self):
    return self._val is not _EMPTY


class EqualStore(Store):
  """A store that accepts a second value equal to the one it holds."""
  __slots__ = ()

  def store(self, val):
    if self._val is not _EMPTY:
      try:
        same = bool(self._val == val)
      except Exception:
        same = False
      if not same:
        raise StoreException("Store occupied with not-equal value")
      return
    self._val = val


class WrappedFun:
  """A function ``f`` and the transformations applied around it.

  ``transforms`` lists ``(gen, static_args)`` outermost first, ``stores`` the
  side-output store of each (or None), ``params`` extra keyword arguments
  given to ``f``. Calling it (``call_wrapped`` or ``()``) runs the stack.
  """
  __slots__ = ("f", "f_transformed", "transforms", "stores", "params", "in_type",
               "debug_info")

  def __init__(self, f, f_transformed, transforms, stores, params, in_type, debug_info):
    self.f = f
    self.f_transformed = f_transformed
    self.transforms = transforms
    self.stores = stores
    self.params = params
    self.in_type = in_type
    self.debug_info = debug_info

  @property
  def __name__(self):
    return api_util.fun_name(self.f)

  def wrap(self, gen, gen_static_args, out_store) -> "WrappedFun":
    """This function with one more transformation ``gen`` around it."""
    inner = self.f_transformed
    if out_store is None:
      transformed = functools.partial(gen, inner, *gen_static_args)
    else:
      transformed = functools.partial(gen, inner, out_store, *gen_static_args)
    return WrappedFun(self.f, transformed, ((gen, gen_static_args),) + self.transforms,
                      (out_store,) + self.stores, self.params, None, self.debug_info)

  def populate_stores(self, stores):
    """Fills this function's stores from another run's (a cache hit)."""
    for mine, theirs in zip(self.stores, stores):
      if mine is not None:
        mine.store(theirs.val)

  def call_wrapped(self, *args, **kwargs):
    """Runs ``f`` inside its transformations."""
    return self.f_transformed(*args, **kwargs)

  __call__ = call_wrapped  # so jaxlite's transformations take it as a plain callable

  def replace_debug_info(self, debug_info) -> "WrappedFun":
    return WrappedFun(self.f, self.f_transformed, self.transforms, self.stores,
                      self.params, self.in_type, debug_info)

  def with_unknown_names(self) -> "WrappedFun":
    return self

  def __repr__(self):
    names = [api_util.fun_name(gen) for gen, _ in self.transforms]
    return f"Wrapped function: {' <- '.join(names + [self.__name__])}"

  def __hash__(self):
    return hash((self.f, self.transforms, self.params, self.in_type))

  def __eq__(self, other):
    return (isinstance(other, WrappedFun) and self.f == other.f
            and self.transforms == other.transforms and self.params == other.params
            and self.in_type == other.in_type)


def wrap_init(f: Callable, params=None, *, debug_info=None) -> WrappedFun:
  """``f`` as a ``WrappedFun`` with no transformations; ``params`` are keyword
  arguments always passed to it.

    >>> wrap_init(lambda x, *, k: x * k, {"k": 3}).call_wrapped(2)
    6
  """
  params = tuple(sorted((params or {}).items()))
  transformed = functools.partial(f, **dict(params)) if params else f
  return WrappedFun(f, transformed, (), (), params, None, debug_info)


def _curry(f):
  # transformation2(gen) gives a function of (fun, *static_args), as in JAX.
  return functools.wraps(f)(functools.partial(functools.partial, f))


@_curry
def transformation2(gen, fun: WrappedFun, *gen_static_args) -> WrappedFun:
  """Puts ``gen(inner, *static_args, *args, **kwargs)`` around ``fun``."""
  return fun.wrap(gen, gen_static_args, None)


@_curry
def transformation_with_aux2(gen, fun: WrappedFun, *gen_static_args, use_eq_store=False,
                             unk_names=False):
  """Like ``transformation2`` for ``gen(inner, store, *static_args, *args)``, which
  puts a side output in ``store``; returns ``(wrapped, thunk)``, the thunk
  reading the side output after a call.

    >>> @transformation_with_aux2
    ... def counted(inner, store, x):
    ...   store.store("called"); return inner(x)
    >>> g, aux = counted(wrap_init(abs))
    >>> g.call_wrapped(-2), aux()
    (2, 'called')
  """
  out_store = EqualStore() if use_eq_store else Store()
  return fun.wrap(gen, gen_static_args, out_store), lambda: out_store.val


def _generator_as_transformation(gen):
  # Old-style transformations are generators: they yield (args, kwargs) for
  # the inner call and receive its result.
  def gen2(inner, *args, **kwargs):
    coroutine = gen(*args, **kwargs)
    inner_args, inner_kwargs = next(coroutine)
    return coroutine.send(inner(*inner_args, **inner_kwargs))
  return gen2


@_curry
def transformation(gen, fun: WrappedFun, *gen_static_args) -> WrappedFun:
  """A generator-style transformation (JAX's older form of ``transformation2``)."""
  return fun.wrap(_generator_as_transformation(gen), gen_static_args, None)


@_curry
def transformation_with_aux(gen, fun: WrappedFun, *gen_static_args):
  """A generator-style ``transformation_with_aux2``: the generator sends back ``(ans, aux)``."""
  def gen2(inner, store, *args, **kwargs):
    coroutine = gen(*args, **kwargs)
    inner_args, inner_kwargs = next(coroutine)
    ans, aux = coroutine.send(inner(*inner_args, **inner_kwargs))
    store.store(aux)
    return ans
  out_store = Store()
  return fun.wrap(gen2, gen_static_args, out_store), lambda: out_store.val


def cache(call: Callable, *, explain=None):
  """Memoizes ``call(fun: WrappedFun, *args)`` on ``fun``'s function, transformations
  and ``args``; a hit refills ``fun``'s stores from the first run.

    >>> calls = []
    >>> traced = cache(lambda fun, n: calls.append(n) or fun.call_wrapped(n))
    >>> f = lambda x: x * 2
    >>> traced(wrap_init(f), 3), traced(wrap_init(f), 3), calls
    (6, 6, [3])
  """
  caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

  def memoized(fun: WrappedFun, *args):
    from jaxlite.config import config
    table = caches.setdefault(fun.f, {})
    key = (fun.transforms, fun.params, fun.in_type, args, config.trace_context())
    hit = table.get(key)
    if hit is not None:
      ans, stores = hit
      fun.populate_stores(stores)
      return ans
    ans = call(fun, *args)
    table[key] = (ans, fun.stores)
    return ans

  memoized.cache_clear = caches.clear
  memoized.evict_function = lambda f: caches.pop(f, None)
  return memoized


def merge_linear_aux(aux1, aux2):
  """Which of two side-output thunks was filled: ``(True, aux1())`` or ``(False, aux2())``."""
  try:
    out1 = aux1()
  except StoreException:
    try:
      return False, aux2()
    except StoreException:
      raise StoreException("neither store occupied") from None
  try:
    aux2()
  except StoreException:
    return True, out1
  raise StoreException("both stores occupied")


__all__ = ["StoreException", "Store", "EqualStore", "WrappedFun", "wrap_init", "transformation",
           "transformation2", "transformation_with_aux", "transformation_with_aux2", "cache",
           "merge_linear_aux"]
