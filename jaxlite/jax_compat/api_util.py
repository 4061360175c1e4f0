"""``jax.api_util`` (and ``jax._src.api_util``): jaxlite's ``api_util``, with
JAX's forms of the helpers that work on ``linear_util.WrappedFun``.

Libraries (flax's ``nn.scan`` and ``lazy_init``) build a ``WrappedFun``,
flatten it over pytrees and trace it; JAX's ``flatten_fun`` returns the
flattened ``WrappedFun`` and a thunk giving the output tree after a call,
and ``debug_info`` describes the traced function. Every other name is
``jaxlite.api_util``'s own.

  >>> from jaxlite import tree_util
  >>> from jaxlite.extend import linear_util as lu
  >>> f, out_tree = flatten_fun_nokwargs(lu.wrap_init(lambda x, y: (x + y, x)),
  ...                                    tree_util.tree_structure((1, 2)))
  >>> f.call_wrapped(1, 2), out_tree()
  ([3, 1], PyTreeDef((*, *)))
"""
from __future__ import annotations

import inspect

from jaxlite import api_util as _api_util
from jaxlite.api_util import DebugInfo  # noqa: F401  (jax._src.api_util.DebugInfo)
from jaxlite import tree_util
from jaxlite.extend import linear_util as lu
from jaxlite.interpreters.pjit import shaped_abstractify  # noqa: F401


def __getattr__(name):
  try:
    return getattr(_api_util, name)
  except AttributeError:
    from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
    raise no_attribute_error(__name__, name) from None


def _source_info(fun) -> str:
  name = _api_util.fun_name(fun)
  try:
    code = inspect.unwrap(fun).__code__
    return f"{name} at {code.co_filename}:{code.co_firstlineno}"
  except AttributeError:
    return name


def debug_info(traced_for: str, fun, args, kwargs, *, static_argnums=(), static_argnames=(),
               result_paths_thunk=None, sourceinfo=None, signature=None) -> DebugInfo:
  """A ``DebugInfo`` for ``fun`` traced for ``traced_for`` on example ``args``
  and ``kwargs`` (static ones left out of the argument names).

    >>> debug_info("jit", lambda x, y: x, (1, 2), {}).arg_names
    ('x', 'y')
  """
  del result_paths_thunk, signature
  existing = getattr(fun, "__fun_debug_info__", None)
  if existing is not None:
    return existing
  try:
    names = _api_util.arg_names(fun, tuple(args), dict(kwargs))
  except Exception:   # noqa: BLE001 -- a signature that does not fit: names unknown
    names = None
  if names is not None:
    static = set(static_argnums) | set(static_argnames)
    positional = len(args)
    names = tuple(n for i, n in enumerate(names)
                  if i not in static and (i < positional or n not in static))
  return DebugInfo(traced_for, sourceinfo or _source_info(fun), names, None)


@lu.transformation_with_aux2
def _flatten_with_kwargs(inner, store, in_tree, *flat_args):
  args, kwargs = tree_util.tree_unflatten(in_tree, flat_args)
  leaves, out_tree = tree_util.tree_flatten(inner(*args, **kwargs))
  store.store(out_tree)
  return leaves


@lu.transformation_with_aux2
def _flatten_positional(inner, store, in_tree, *flat_args):
  leaves, out_tree = tree_util.tree_flatten(inner(*tree_util.tree_unflatten(in_tree,
                                                                            flat_args)))
  store.store(out_tree)
  return leaves


def _wrapped(fun):
  return fun if isinstance(fun, lu.WrappedFun) else lu.wrap_init(fun)


def flatten_fun(fun, in_tree):
  """``fun(*args, **kwargs)`` (a ``WrappedFun``) as a function of the flat leaves
  of ``(args, kwargs)`` (treedef ``in_tree``) returning flat leaves; returns
  it and a thunk giving the output treedef after a call."""
  return _flatten_with_kwargs(_wrapped(fun), in_tree)


def flatten_fun_nokwargs(fun, in_tree):
  """``flatten_fun`` for ``in_tree`` the treedef of the positional arguments alone."""
  return _flatten_positional(_wrapped(fun), in_tree)
