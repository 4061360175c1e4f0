"""``jnp.vectorize``: NumPy's generalized-ufunc vectorize as sugar over ``vmap``.

The loop dimensions of the arguments (those left of their core dimensions)
are broadcast against each other NumPy-style, but instead of broadcasting the
arrays themselves, each loop dimension becomes one ``vmap`` whose ``in_axes``
maps only the arguments that have that dimension; size-1 dimensions are
squeezed away and added back to the result. Nothing runs per element.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Collection

import numpy as np

from jaxlite import core
from jaxlite.config import config

__all__ = ["vectorize"]

_DIMENSION_NAME = r"\w+"
_CORE_DIMENSION_LIST = "(?:{0:}(?:,{0:})*)?".format(_DIMENSION_NAME)
_ARGUMENT = rf"\({_CORE_DIMENSION_LIST}\)"
_ARGUMENT_LIST = "{0:}(?:,{0:})*".format(_ARGUMENT)
_SIGNATURE = "^{0:}->{0:}$".format(_ARGUMENT_LIST)


def _parse_gufunc_signature(signature: str):
  """``'(m,n),(n)->(m)'`` -> ``([('m', 'n'), ('n',)], [('m',)])``."""
  if not re.match(_SIGNATURE, signature.replace(" ", "")):
    raise ValueError(f"not a valid gufunc signature: {signature}")
  signature = signature.replace(" ", "")
  return ([tuple(re.findall(_DIMENSION_NAME, arg)) for arg in re.findall(_ARGUMENT, part)]
          for part in signature.split("->"))


def _update_dim_sizes(dim_sizes, shape, core_dims, error_context, *, is_input):
  """Checks one argument's (or result's) core dimensions against the sizes seen so far."""
  n = len(core_dims)
  if is_input and len(shape) < n:
    raise ValueError(f"input with shape {shape!r} does not have enough dimensions for all "
                     f"core dimensions {core_dims!r} {error_context}")
  if not is_input and len(shape) != n:
    raise ValueError(f"output shape {shape!r} does not match core dimensions {core_dims!r} "
                     f"{error_context}")
  core_shape = shape[len(shape) - n:] if core_dims else ()
  for dim, size in zip(core_dims, core_shape):
    if dim not in dim_sizes:
      dim_sizes[dim] = size
    elif size != dim_sizes[dim]:
      raise ValueError(f"inconsistent size for core dimension {dim!r}: {size!r} vs "
                       f"{dim_sizes[dim]!r} {error_context}")


def _broadcast_shapes(shapes):
  try:
    return tuple(np.broadcast_shapes(*shapes))
  except ValueError:
    raise ValueError(f"Incompatible shapes for broadcasting: shapes={list(shapes)}") from None


def _parse_input_dimensions(args, input_core_dims, error_context):
  if len(args) != len(input_core_dims):
    raise TypeError(f"wrong number of positional arguments: expected {len(input_core_dims)!r}, "
                    f"got {len(args)!r} {error_context}")
  loop_shapes, dim_sizes = [], {}
  for arg, core_dims in zip(args, input_core_dims):
    shape = tuple(np.shape(arg))
    _update_dim_sizes(dim_sizes, shape, core_dims, error_context, is_input=True)
    loop_shapes.append(shape[:len(shape) - len(core_dims)])
  return _broadcast_shapes(loop_shapes), dim_sizes


def _check_output_dims(func, dim_sizes, output_core_dims, error_context):
  def wrapped(*args):
    out = func(*args)
    outs = out if isinstance(out, tuple) else [out]
    if len(output_core_dims) > 1 and not isinstance(out, tuple):
      raise TypeError("output must be a tuple when multiple outputs are expected, "
                      f"got: {out!r}\n{error_context}")
    if len(outs) != len(output_core_dims):
      raise TypeError(f"wrong number of output arguments: expected {len(output_core_dims)!r}, "
                      f"got {len(outs)!r} {error_context}")
    sizes = dict(dim_sizes)
    for o, core_dims in zip(outs, output_core_dims):
      _update_dim_sizes(sizes, tuple(np.shape(o)), core_dims, error_context, is_input=False)
    return out
  return wrapped


def _apply_excluded(func, excluded, args, kwargs):
  """Binds the excluded positional and keyword arguments into ``func``."""
  if not excluded:
    return func, list(args), dict(kwargs)
  dynamic_args = [a for i, a in enumerate(args) if i not in excluded]
  dynamic_kwargs = {k: v for k, v in kwargs.items() if k not in excluded}
  static_args = [(i, args[i]) for i in sorted(e for e in excluded if isinstance(e, int))
                 if i < len(args)]
  static_kwargs = {k: v for k, v in kwargs.items() if k in excluded}

  def new_func(*args, **kw):
    args = list(args)
    for i, a in static_args:
      args.insert(i, a)
    return func(*args, **kw, **static_kwargs)
  return new_func, dynamic_args, dynamic_kwargs


def _bind_kwargs(func, names):
  """``func`` taking its keyword arguments ``names`` as trailing positional ones."""
  n = len(names)

  def positional(*args):
    return func(*args[:len(args) - n], **dict(zip(names, args[len(args) - n:])))
  return positional


def vectorize(pyfunc: Callable, *, excluded: Collection[int | str] = frozenset(),
              signature: str | None = None) -> Callable:
  """Define a vectorized function with broadcasting.

  ``vectorize`` is sugar for ``vmap`` in the style of NumPy's generalized
  universal functions: ``pyfunc`` is written for the core dimensions given
  by ``signature`` (scalars by default), and the wrapper maps it over any
  leading (loop) dimensions of its arguments, broadcasting them against each
  other as NumPy does.

  Args:
    pyfunc: the function to vectorize.
    excluded: positions (ints) or keyword names (strings) of arguments passed
      to ``pyfunc`` unmodified, not vectorized.
    signature: a generalized ufunc signature such as ``'(m,n),(n)->(m)'``.
      ``pyfunc`` is called with arrays whose shapes are the core dimensions and
      must return arrays of the output core dimensions.

  Returns:
    The vectorized version of ``pyfunc``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> from functools import partial
    >>> @partial(jnp.vectorize, signature='(n,m),(m)->(n)')
    ... def matrix_vector_product(matrix, vector):
    ...   return matrix @ vector
    >>> matrix_vector_product(jnp.ones((2, 3)), jnp.ones((4, 3))).shape
    (4, 2)
  """
  if any(not isinstance(e, (str, int)) for e in excluded):
    raise TypeError("jax.numpy.vectorize can only exclude integer or string arguments, "
                    f"but excluded={excluded!r}")
  if any(isinstance(e, int) and e < 0 for e in excluded):
    raise ValueError(f"excluded={excluded!r} contains negative numbers")
  if signature is not None:
    _parse_gufunc_signature(signature)   # a bad signature fails at definition

  @functools.wraps(pyfunc)
  def wrapped(*args, **kwargs):
    from jaxlite import lax
    from jaxlite.numpy import asarray
    from jaxlite.vectorization import vmap
    error_context = (f"on vectorized function with excluded={excluded!r} and "
                     f"signature={signature!r}")
    func, args, kwargs = _apply_excluded(pyfunc, excluded, args, kwargs)
    if signature is not None:
      if kwargs:
        raise TypeError("jnp.vectorize with a signature takes its vectorized arguments "
                        f"positionally, got keyword arguments {sorted(kwargs)}; pass them "
                        f"positionally or list them in excluded {error_context}")
      input_core_dims, output_core_dims = _parse_gufunc_signature(signature)
    else:
      # Keyword arguments are vectorized like positional ones (as NumPy does).
      names = list(kwargs)
      if names:
        func = _bind_kwargs(func, names)
        args = args + [kwargs[k] for k in names]
      input_core_dims, output_core_dims = [()] * len(args), None

    none_args = {i for i, a in enumerate(args) if a is None}
    if none_args:
      if any(input_core_dims[i] != () for i in none_args):
        raise ValueError(f"Cannot pass None at locations {none_args} with "
                         f"signature={signature!r}")
      func, args, _ = _apply_excluded(func, none_args, args, {})
      input_core_dims = [d for i, d in enumerate(input_core_dims) if i not in none_args]

    args = tuple(asarray(a) for a in args)
    loop_shape, dim_sizes = _parse_input_dimensions(args, input_core_dims, error_context)
    if output_core_dims is not None:
      func = _check_output_dims(func, dim_sizes, output_core_dims, error_context)
    _check_rank_promotion(args, input_core_dims, signature)

    # One vmap per loop dimension, innermost first; an argument takes part only
    # where it has that dimension with size > 1 (size-1 and missing ones broadcast).
    squeezed, rev_filled_shapes = [], []
    for arg, core_dims in zip(args, input_core_dims):
      loop = arg.shape[:arg.ndim - len(core_dims)]
      rev_filled_shapes.append(((1,) * (len(loop_shape) - len(loop)) + loop)[::-1])
      ones = tuple(i for i, size in enumerate(loop) if size == 1)
      squeezed.append(lax.squeeze(arg, ones) if ones else arg)
    vectorized, dims_to_expand = func, []
    for negdim, sizes in enumerate(zip(*rev_filled_shapes)):
      in_axes = tuple(None if size == 1 else 0 for size in sizes)
      if all(a is None for a in in_axes):
        dims_to_expand.append(len(loop_shape) - 1 - negdim)
      else:
        vectorized = vmap(vectorized, in_axes)
    result = vectorized(*squeezed)
    if not dims_to_expand:
      return result
    expand = lambda r: lax.expand_dims(r, sorted(dims_to_expand))
    if isinstance(result, tuple):
      return tuple(expand(r) for r in result)
    return expand(result)

  return wrapped


def _check_rank_promotion(args, input_core_dims, signature):
  mode = config.jax_numpy_rank_promotion
  if mode == "allow":
    return
  ranks = [a.ndim - len(c) for a, c in zip(args, input_core_dims) if a.ndim != 0]
  if len(set(ranks)) > 1:
    msg = (f"operands with shapes {[a.shape for a in args]} require rank promotion for "
           f"jnp.vectorize function with signature {signature}. Set the "
           "jax_numpy_rank_promotion config option to 'allow' to disable this message; for "
           "more information, see https://docs.jax.dev/en/latest/rank_promotion_warning.html.")
    if mode == "warn":
      import warnings
      warnings.warn(msg)
    else:
      raise ValueError(msg)
