"""Sparse-aware ``grad``, ``value_and_grad``, ``jacfwd``, ``jacrev`` and ``jacobian``.

Differentiating with respect to a sparse array differentiates with respect to its
stored values only (the subspace of its sparsity pattern); the result is a sparse
array with the same indices. Other arguments are differentiated as by ``jax.grad``.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> X = sparse.BCOO.fromdense(jnp.arange(6.))
  >>> sparse.grad(lambda X, y: X @ y)(X, jnp.ones(6)).data
  Array([1., 1., 1., 1., 1.], dtype=float32)
"""
from __future__ import annotations

import functools
from typing import Callable, Sequence

from jaxlite import tree_util
from jaxlite.experimental.sparse._base import JAXSparse
from jaxlite.experimental.sparse.util import as_index_tuple

__all__ = ["grad", "value_and_grad", "jacfwd", "jacrev", "jacobian"]


def _is_sparse(x) -> bool:
  return isinstance(x, JAXSparse)


def _flatten_for_sparse_ad(fun, argnums, args):
  """``(flat_fun, flat_argnums, flat_args, rebuild)``: ``fun`` of the arguments' leaves,
  where a sparse array contributes its buffers and only its values (the first buffer)
  are differentiated; ``rebuild`` turns derivatives of the flat arguments back into
  sparse arrays sharing the arguments' indices."""
  argnums = as_index_tuple(argnums)
  for i in argnums:
    if not 0 <= i < len(args):
      raise TypeError(f"differentiating with respect to argnums={argnums} requires at least "
                      f"{max(argnums) + 1} positional arguments to be passed by the caller, "
                      f"but got only {len(args)} positional arguments.")
  arg_leaves, arg_tree = tree_util.tree_flatten(args, is_leaf=_is_sparse)
  selected = set()
  start = 0
  for i, arg in enumerate(args):
    count = tree_util.tree_structure(arg, is_leaf=_is_sparse).num_leaves
    if i in argnums:
      selected.update(range(start, start + count))
    start += count
  flat_args, flat_argnums, owners, layouts = [], [], [], []
  for i, leaf in enumerate(arg_leaves):
    if _is_sparse(leaf):
      buffers, aux = leaf.tree_flatten()
      layouts.append((type(leaf), aux, len(buffers)))
    else:
      buffers = [leaf]
      layouts.append(None)
    if i in selected:
      flat_argnums.append(len(flat_args))
      owners.append(i)
    flat_args.extend(buffers)

  def flat_fun(*flat, **kwargs):
    leaves, pos = [], 0
    for layout in layouts:
      if layout is None:
        leaves.append(flat[pos])
        pos += 1
      else:
        cls, aux, n = layout
        leaves.append(cls.tree_unflatten(aux, list(flat[pos:pos + n])))
        pos += n
    return fun(*tree_util.tree_unflatten(arg_tree, leaves), **kwargs)

  def rebuild(derivatives):
    leaves = [None] * len(arg_leaves)
    for owner, d in zip(owners, derivatives):
      leaves[owner] = _as_sparse_like(arg_leaves[owner], d) if layouts[owner] else d
    per_arg = tree_util.tree_unflatten(arg_tree, leaves)
    kept = tuple(a for a in per_arg if tree_util.tree_leaves(a))
    # As JAX: a single differentiated argument is returned bare, even for a tuple argnums.
    return kept[0] if len(kept) == 1 else kept

  return flat_fun, tuple(flat_argnums), flat_args, rebuild


def _as_sparse_like(mat, values):
  """A sparse array with ``mat``'s indices and ``values`` as its stored values; extra
  leading axes of ``values`` (a Jacobian's output axes) become batch dimensions."""
  from jaxlite.vectorization import vmap
  buffers, aux = mat.tree_flatten()
  make = lambda v: type(mat).tree_unflatten(aux, [v, *buffers[1:]])
  for _ in range(values.ndim - buffers[0].ndim):
    make = vmap(make)
  return make(values)


def _sparse_transform(transform: Callable, name: str):
  """The sparse-aware form of ``transform`` (``jax.grad``, ``jax.jacfwd``, ...)."""
  def sparse_transform(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                       **kwargs) -> Callable:
    @functools.wraps(fun)
    def transformed(*args, **call_kwargs):
      flat_fun, flat_argnums, flat_args, rebuild = _flatten_for_sparse_ad(fun, argnums, args)
      out = transform(flat_fun, argnums=flat_argnums, has_aux=has_aux, **kwargs)(
          *flat_args, **call_kwargs)
      if name == "value_and_grad":
        value, derivatives = out
        return value, rebuild(derivatives)
      if has_aux:
        return rebuild(out[0]), out[1]
      return rebuild(out)
    return transformed
  sparse_transform.__name__ = sparse_transform.__qualname__ = name
  return sparse_transform


def _differentiation():
  from jaxlite import differentiation
  return differentiation


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux=False, **kwargs) -> Callable:
  """Sparse-aware version of :func:`jax.grad`

  Arguments and return values are the same as :func:`jax.grad`, but when taking
  the gradient with respect to a :class:`jax.experimental.sparse` array, the
  gradient is computed in the subspace defined by the array's sparsity pattern.

  Examples:

    >>> from jaxlite.experimental import sparse
    >>> import jaxlite.numpy as jnp
    >>> X = sparse.BCOO.fromdense(jnp.arange(6.))
    >>> y = jnp.ones(6)
    >>> sparse.grad(lambda X, y: X @ y)(X, y)
    BCOO(float32[6], nse=5)
  """
  return _sparse_transform(_differentiation().grad, "grad")(fun, argnums, has_aux, **kwargs)


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux=False,
                   **kwargs) -> Callable:
  """Sparse-aware version of :func:`jax.value_and_grad`

  Arguments and return values are the same as :func:`jax.value_and_grad`, but when
  taking the gradient with respect to a :class:`jax.experimental.sparse` array, the
  gradient is computed in the subspace defined by the array's sparsity pattern.

  Examples:

    >>> from jaxlite.experimental import sparse
    >>> import jaxlite.numpy as jnp
    >>> X = sparse.BCOO.fromdense(jnp.arange(6.))
    >>> y = jnp.ones(6)
    >>> sparse.value_and_grad(lambda X, y: X @ y)(X, y)
    (Array(15., dtype=float32), BCOO(float32[6], nse=5))
  """
  return _sparse_transform(_differentiation().value_and_grad, "value_and_grad")(
      fun, argnums, has_aux, **kwargs)


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           **kwargs) -> Callable:
  """Sparse-aware version of :func:`jax.jacfwd`

  Arguments and return values are the same as :func:`jax.jacfwd`, but when taking
  the gradient with respect to a :class:`jax.experimental.sparse` array, the
  gradient is computed in the subspace defined by the array's sparsity pattern.
  Currently this is only implemented for dense outputs.

  >>> from jaxlite.experimental import sparse
  >>> import jaxlite.numpy as jnp
  >>> X = sparse.BCOO.fromdense(jnp.array([[1., 0.], [0., 2.]]))
  >>> sparse.jacfwd(lambda X: X @ jnp.ones(2))(X).data
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  return _sparse_transform(_differentiation().jacfwd, "jacfwd")(fun, argnums, has_aux, **kwargs)


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           **kwargs) -> Callable:
  """Sparse-aware version of :func:`jax.jacrev`

  Arguments and return values are the same as :func:`jax.jacrev`, but when taking
  the gradient with respect to a :class:`jax.experimental.sparse` array, the
  gradient is computed in the subspace defined by the array's sparsity pattern.
  Currently this is only implemented for dense outputs.

  >>> from jaxlite.experimental import sparse
  >>> import jaxlite.numpy as jnp
  >>> X = sparse.BCOO.fromdense(jnp.array([[1., 0.], [0., 2.]]))
  >>> sparse.jacrev(lambda X: X @ jnp.ones(2))(X).data
  Array([[1., 0.],
         [0., 1.]], dtype=float32)
  """
  return _sparse_transform(_differentiation().jacrev, "jacrev")(fun, argnums, has_aux, **kwargs)


jacobian = jacrev
