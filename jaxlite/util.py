"""Small list and caching helpers used across jaxlite (JAX's ``_src.util`` names).

  >>> safe_map(lambda a, b: a + b, [1, 2], [10, 20])
  [11, 22]
  >>> unzip2([(1, "a"), (2, "b")])
  ((1, 2), ('a', 'b'))
"""
from __future__ import annotations

import functools
import weakref
from typing import Any, Callable

__all__ = ["safe_map", "safe_zip", "unzip2", "weakref_lru_cache"]


def safe_map(f: Callable, *iterables) -> list:
  """``list(map(f, *iterables))``, raising when the iterables' lengths differ.

    >>> safe_map(str, (1, 2))
    ['1', '2']
  """
  lists = [list(it) for it in iterables]
  _check_lengths("safe_map", lists)
  return list(map(f, *lists))


def safe_zip(*iterables) -> list:
  """``list(zip(*iterables))``, raising when the iterables' lengths differ.

    >>> safe_zip([1, 2], "ab")
    [(1, 'a'), (2, 'b')]
  """
  lists = [list(it) for it in iterables]
  _check_lengths("safe_zip", lists)
  return list(zip(*lists))


def _check_lengths(name, lists):
  if lists:
    n = len(lists[0])
    for other in lists[1:]:
      if len(other) != n:
        raise ValueError(f"length mismatch: {list(map(len, lists))}")


def unzip2(xys) -> tuple[tuple, tuple]:
  """Splits a sequence of pairs into the tuple of firsts and the tuple of seconds.

    >>> unzip2([])
    ((), ())
  """
  firsts, seconds = [], []
  for first, second in xys:
    firsts.append(first)
    seconds.append(second)
  return tuple(firsts), tuple(seconds)


def weakref_lru_cache(f: Callable | None = None, *, maxsize: int | None = 2048,
                      trace_context_in_key: bool = True, explain: Callable | None = None):
  """An LRU cache on ``f(weakref_key, *args, **kwargs)`` whose entries die with
  their first argument (held weakly), as JAX's caches on jaxprs do. The
  configuration that affects tracing is part of the key unless
  ``trace_context_in_key=False``; ``explain`` (cache-miss explanations) is
  accepted and unused. Without ``f``, returns a decorator.

    >>> class Key: pass
    >>> square_of_len = weakref_lru_cache(lambda key, n: n * n)
    >>> k = Key(); square_of_len(k, 3)
    9
  """
  del explain
  if f is None:
    return lambda g: weakref_lru_cache(g, maxsize=maxsize,
                                       trace_context_in_key=trace_context_in_key)
  per_key: "weakref.WeakKeyDictionary[Any, Callable]" = weakref.WeakKeyDictionary()

  def context():
    if not trace_context_in_key:
      return None
    from jaxlite.config import config
    return config.trace_context()

  @functools.wraps(f)
  def cached(key, *args, **kwargs):
    inner = per_key.get(key)
    if inner is None:
      key_ref = weakref.ref(key)
      inner = functools.lru_cache(maxsize)(
          lambda _context, *a, **kw: f(key_ref(), *a, **kw))
      per_key[key] = inner
    return inner(context(), *args, **kwargs)

  cached.cache_clear = per_key.clear  # type: ignore[attr-defined]
  return cached
