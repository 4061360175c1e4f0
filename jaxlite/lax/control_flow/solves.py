"""``custom_linear_solve`` and ``custom_root``: solves differentiated implicitly.

Both stage the user's functions into jaxprs and differentiate the *equation*
they solve, never the iterations of the solver (which may be a
``while_loop`` that cannot be reverse-differentiated at all):

* ``linear_solve_p`` holds four jaxprs: ``matvec`` (the map ``A``), its
  transpose ``vecmat``, ``solve`` (``A^-1``) and ``transpose_solve``
  (``A^-T``). Its value is ``solve(b)``. Its JVP is another solve,
  ``x' = A^-1 (b' - A' x)``; its transpose (with respect to ``b``) is the
  transposed solve ``A^-T ct``; batching batches all four jaxprs alike.
* ``custom_root`` finds ``x`` with ``f(x) = 0`` by the user's ``solve``; its
  JVP follows the implicit function theorem,
  ``x' = -(df/dx)^-1 (df/dparams . params')``, with ``tangent_solve``
  applied to ``f`` linearized at the root.

Every jaxpr is constant-free: the values each function closes over are
passed as leading operands, grouped per jaxpr (``const_lengths``).
"""
from __future__ import annotations

__all__ = ["custom_linear_solve", "custom_root", "linear_solve_p"]

from functools import partial
from typing import Any, Callable, NamedTuple

import numpy as np

from jaxlite import core, traceback_util, tree_util
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax.control_flow import common


class LinearSolveTuple(NamedTuple):
  """One item per function of a linear solve (jaxprs, constant counts, ...)."""
  matvec: Any
  vecmat: Any
  solve: Any
  transpose_solve: Any

  def transpose(self) -> "LinearSolveTuple":
    """The same items for the transposed system ``A^T y = c``."""
    return type(self)(self.vecmat, self.matvec, self.transpose_solve, self.solve)


class RootTuple(NamedTuple):
  """One item per function of a root solve."""
  f: Any
  solve: Any
  l_and_s: Any


def _split_by_lengths(args, lengths, kind):
  """Leading operands grouped per function (``kind`` of tuple), and the rest."""
  groups = common.split_list(list(args), list(lengths))
  return kind(*groups[:-1]), groups[-1]


def _flatten(groups):
  return [x for group in groups for x in group]


def check_tree(func_name, expected_name, actual_tree, expected_tree, has_aux=False):
  """JAX's errors for a function whose output structure differs from its input's."""
  if has_aux:
    children = actual_tree.children()
    if len(children) != 2:
      raise ValueError(f"{func_name}() produced a pytree with structure {actual_tree}, but "
                       "a pytree tuple with auxiliary output was expected because has_aux "
                       "was set to True.")
    actual_tree = children[0]
  if actual_tree != expected_tree:
    raise TypeError(f"{func_name}() output pytree structure must match {expected_name}, "
                    f"got {actual_tree} and {expected_tree}.")


def _check_shapes(func_name, expected_name, actual, expected):
  actual_shapes = [np.shape(x) for x in actual]
  expected_shapes = [np.shape(x) for x in expected]
  if actual_shapes != expected_shapes:
    raise ValueError(f"{func_name}() output shapes must match {expected_name}, "
                     f"got {actual_shapes} and {expected_shapes}")


def _shape_checked(fun, name, b_leaves, has_aux):
  """``fun`` whose (first) output must have the shapes of ``b``'s leaves."""
  def checked(x):
    y = fun(x)
    _check_shapes(name, "b", tree_util.tree_leaves(y[0] if has_aux else y), b_leaves)
    return y
  return checked


def _stage(fun, args, name):
  """Stages ``fun(*args)``: (constant-free closed jaxpr, its constants, out_tree)."""
  leaves, in_tree, avals = common.flatten_args_avals(tuple(args))
  del leaves
  return common.trace_to_closed_jaxpr(fun, in_tree, avals, name)


# --- custom_linear_solve -----------------------------------------------------------------


def custom_linear_solve(matvec: Callable, b: Any, solve: Callable[[Callable, Any], Any],
                        transpose_solve: Callable[[Callable, Any], Any] | None = None,
                        symmetric: bool = False, has_aux: bool = False):
  """A matrix-free linear solve whose derivatives come from the equation it solves.

  ``solve(matvec, b)`` must return ``x`` with ``matvec(x) == b`` (not
  checked). Derivatives do not go through ``solve``: the JVP solves the
  linear system again for the tangent, and reverse mode uses
  ``transpose_solve`` with the transpose of ``matvec`` (computed by
  transposition).

  Args:
    matvec: the linear function to invert; it must be differentiable.
    b: right-hand side, any pytree of arrays.
    solve: ``solve(matvec, x)`` returns the solution for right-hand side ``x``.
    transpose_solve: ``transpose_solve(vecmat, x)`` solves the transposed
      system; needed for reverse mode unless ``symmetric``.
    symmetric: the map is symmetric (``matvec == vecmat``): ``solve`` serves
      as ``transpose_solve``.
    has_aux: ``solve`` and ``transpose_solve`` return ``(x, aux)``.

  Returns:
    ``solve(matvec, b)`` (with ``aux`` if ``has_aux``).

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> from jaxlite import lax
    >>> a = jnp.array([[2., 1.], [1., 3.]])
    >>> mv = lambda x: a @ x
    >>> sol = lambda matvec, x: jnp.linalg.solve(a, x)
    >>> lax.custom_linear_solve(mv, jnp.array([3., 5.]), sol, symmetric=True)
    Array([0.8, 1.4], dtype=float32)
  """
  if transpose_solve is None and symmetric:
    transpose_solve = solve
  b_leaves, tree = tree_util.tree_flatten(b)

  matvec_jaxpr, matvec_consts, out_tree = _stage(
      _shape_checked(matvec, "matvec", b_leaves, False), (b,), "matvec")
  check_tree("matvec", "b", out_tree, tree)
  solve_jaxpr, solve_consts, solve_tree = _stage(
      _shape_checked(partial(solve, matvec), "solve", b_leaves, has_aux), (b,), "solve")
  check_tree("solve", "b", solve_tree, tree, has_aux)

  if transpose_solve is None:
    vecmat_jaxpr = tr_solve_jaxpr = None
    vecmat_consts, tr_solve_consts = [], []
  else:
    if symmetric:
      vecmat, vecmat_jaxpr, vecmat_consts = matvec, matvec_jaxpr, matvec_consts
    else:
      vecmat_jaxpr, vecmat_consts = _transpose_matvec(matvec_jaxpr, matvec_consts,
                                                      len(b_leaves))
      vecmat = _jaxpr_as_tree_fun(vecmat_jaxpr, vecmat_consts, tree)
    tr_solve_jaxpr, tr_solve_consts, tr_tree = _stage(
        _shape_checked(partial(transpose_solve, vecmat), "transpose_solve", b_leaves,
                       has_aux), (b,), "transpose_solve")
    check_tree("transpose_solve", "b", tr_tree, tree, has_aux)

  all_consts = [matvec_consts, vecmat_consts, solve_consts, tr_solve_consts]
  const_lengths = LinearSolveTuple(*map(len, all_consts))
  jaxprs = LinearSolveTuple(matvec_jaxpr, vecmat_jaxpr, solve_jaxpr, tr_solve_jaxpr)
  outs = linear_solve_p.bind(*_flatten(all_consts), *b_leaves,
                             const_lengths=const_lengths, jaxprs=jaxprs)
  return tree_util.tree_unflatten(solve_tree, outs)


def _transpose_matvec(matvec_jaxpr, matvec_consts, n_b):
  """The transpose of the (linear) matvec: a jaxpr of (matvec's constants,
  cotangent) and the constants it takes (matvec's)."""
  n_consts = len(matvec_consts)
  transposed = ad.transpose_jaxpr(matvec_jaxpr, [False] * n_consts + [True] * n_b)
  return transposed, list(matvec_consts)


def _jaxpr_as_tree_fun(closed, consts, tree):
  """A function of one pytree (structure ``tree``) evaluating ``closed`` after ``consts``."""
  def fun(x):
    leaves = tree_util.tree_leaves(x)
    return tree_util.tree_unflatten(
        tree, core.eval_jaxpr(closed.jaxpr, closed.consts, *consts, *leaves))
  return fun


linear_solve_p = core.Primitive("custom_linear_solve")
linear_solve_p.multiple_results = True


def _linear_solve_abstract_eval(*avals, const_lengths, jaxprs):
  b_avals = [core.raise_to_shaped(a) for a in avals[sum(const_lengths):]]
  num_aux = len(jaxprs.solve.out_avals) - len(jaxprs.matvec.out_avals)
  aux_avals = list(jaxprs.solve.out_avals[len(jaxprs.solve.out_avals) - num_aux:])
  return b_avals + aux_avals


linear_solve_p.def_abstract_eval(_linear_solve_abstract_eval)


def _linear_solve_lowering(ctx, *args, const_lengths, jaxprs):
  params, b = _split_by_lengths(args, const_lengths, LinearSolveTuple)
  solve = jaxprs.solve
  return mlir.jaxpr_subcomp(ctx.module_context, solve.jaxpr, solve.consts,
                            *params.solve, *b)


mlir.register_lowering(linear_solve_p, _linear_solve_lowering)


def _linear_solve_jvp(primals, tangents, *, const_lengths, jaxprs):
  # A x = b  =>  A' x + A x' = b'  =>  x' = A^-1 (b' - A' x)
  x = linear_solve_p.bind(*primals, const_lengths=const_lengths, jaxprs=jaxprs)
  params, _ = _split_by_lengths(primals, const_lengths, LinearSolveTuple)
  params_dot, b_dot = _split_by_lengths(tangents, const_lengths, LinearSolveTuple)
  n = len(b_dot)
  x_leaves, aux = x[:n], x[n:]
  rhs = list(b_dot)
  if any(type(t) is not ad.Zero for t in params_dot.matvec):
    # The tangent of the map itself, applied to the solution: A' x.
    zeros = [ad.Zero(ad.tangent_aval(core.get_aval(v))) for v in x_leaves]
    _, matvec_dot = ad.jvp_flat(core.jaxpr_as_fun(jaxprs.matvec),
                                list(params.matvec) + list(x_leaves),
                                list(params_dot.matvec) + zeros)
    rhs = [ad.add_tangents(r, _neg(t)) for r, t in zip(rhs, matvec_dot)]
  aux_dot = [ad.Zero(ad.tangent_aval(core.get_aval(a))) for a in aux]
  if all(type(r) is ad.Zero for r in rhs):
    return x, [ad.Zero(ad.tangent_aval(core.get_aval(v))) for v in x_leaves] + aux_dot
  rhs = [ad.instantiate_zeros(r) for r in rhs]
  x_dot = linear_solve_p.bind(*_flatten(params), *rhs, const_lengths=const_lengths,
                              jaxprs=jaxprs)
  return x, list(x_dot[:n]) + aux_dot


def _neg(t):
  if type(t) is ad.Zero:
    return t
  from jaxlite.lax.elementwise import neg
  return neg(t)


ad.primitive_jvps[linear_solve_p] = _linear_solve_jvp


def _linear_solve_transpose(cts, *primals, const_lengths, jaxprs):
  if jaxprs.transpose_solve is None:
    raise TypeError("transpose_solve required for backwards mode automatic "
                    "differentiation of custom_linear_solve")
  params, b = _split_by_lengths(primals, const_lengths, LinearSolveTuple)
  if any(ad.is_undefined_primal(x) for x in _flatten(params)):
    raise NotImplementedError("custom_linear_solve: transposing with respect to the "
                              "linear map's own parameters is not supported (as in JAX)")
  x_cts, aux_cts = cts[:len(b)], cts[len(b):]
  if any(type(ct) is not ad.Zero for ct in aux_cts):
    raise NotImplementedError("custom_linear_solve: cotangents of auxiliary outputs are "
                              "not supported (as in JAX)")
  nones = [None] * sum(const_lengths)
  if all(type(ct) is ad.Zero for ct in x_cts):
    return nones + [ad.Zero(x.aval) if ad.is_undefined_primal(x) else None for x in b]
  x_cts = [ad.instantiate_zeros(ct) for ct in x_cts]
  b_cts = linear_solve_p.bind(*_flatten(params.transpose()), *x_cts,
                              const_lengths=const_lengths.transpose(),
                              jaxprs=jaxprs.transpose())
  return nones + list(b_cts[:len(b)])


ad.primitive_transposes[linear_solve_p] = _linear_solve_transpose


def _linear_solve_batch(axis_data, args, dims, *, const_lengths, jaxprs):
  params, b = _split_by_lengths(args, const_lengths, LinearSolveTuple)
  params_dims, b_dims = _split_by_lengths(dims, const_lengths, LinearSolveTuple)
  params_bat = LinearSolveTuple(*[[d is not None for d in ds] for ds in params_dims])
  orig_b_bat = [d is not None for d in b_dims]
  matvec, vecmat, solve, solve_t = jaxprs
  n_x = len(matvec.out_avals)
  num_aux = len(solve.out_avals) - n_x
  # Which parts of x and b are batched must agree between all four jaxprs:
  # iterate until nothing new becomes batched.
  b_bat, x_bat = orig_b_bat, [False] * len(solve.out_avals)
  for _ in range(2 + len(orig_b_bat) + len(solve.out_avals)):
    solve_batched, solve_x_bat = batching.batch_jaxpr(
        solve, axis_data, params_bat.solve + b_bat, instantiate=x_bat)
    if vecmat is None:
      vecmat_batched, x_bat_out = None, solve_x_bat
    else:
      vecmat_batched, vecmat_x_bat = batching.batch_jaxpr(
          vecmat, axis_data, params_bat.vecmat + b_bat, instantiate=b_bat)
      x_bat_out = [a or c for a, c in zip(vecmat_x_bat + [True] * num_aux, solve_x_bat)]
    x_bat_noaux = x_bat_out[:n_x]
    matvec_batched, matvec_b_bat = batching.batch_jaxpr(
        matvec, axis_data, params_bat.matvec + x_bat_noaux, instantiate=b_bat)
    if solve_t is None:
      solve_t_batched = None
      b_bat_out = [m or o for m, o in zip(matvec_b_bat, orig_b_bat)]
    else:
      solve_t_batched, solve_t_bat = batching.batch_jaxpr(
          solve_t, axis_data, params_bat.transpose_solve + x_bat_noaux,
          instantiate=x_bat_out)
      b_bat_out = [m or s or o for m, s, o in zip(matvec_b_bat, solve_t_bat, orig_b_bat)]
    if x_bat_out == x_bat and b_bat_out == b_bat:
      break
    x_bat, b_bat = x_bat_out, b_bat_out
  else:
    raise RuntimeError("custom_linear_solve batching: no fixed point of batched parts")
  batched = LinearSolveTuple(matvec_batched, vecmat_batched, solve_batched, solve_t_batched)
  new_params = [x if d is None else batching.moveaxis(x, d, 0)
                for x, d in zip(_flatten(params), _flatten(params_dims))]
  new_b = [batching.bdim_at_front(x, d, axis_data.size) if now else x
           for x, d, now in zip(b, b_dims, b_bat)]
  outs = linear_solve_p.bind(*new_params, *new_b, const_lengths=const_lengths,
                             jaxprs=batched)
  return outs, [0 if bat else None for bat in solve_x_bat]


batching.axis_primitive_batchers[linear_solve_p] = _linear_solve_batch


# --- custom_root ---------------------------------------------------------------------------


@traceback_util.api_boundary
def custom_root(f: Callable, initial_guess: Any, solve: Callable[[Callable, Any], Any],
                tangent_solve: Callable[[Callable, Any], Any], has_aux: bool = False):
  """Differentiably finds a root of ``f``.

  The value is ``solve(f, initial_guess)``; derivatives with respect to the
  values ``f`` closes over follow the implicit function theorem at the
  solution, with ``tangent_solve(g, y)`` solving ``g(x) = y`` for ``g`` the
  linearization of ``f`` at the root.

  Args:
    f: function whose root is wanted; takes and returns pytrees shaped like
      ``initial_guess``.
    initial_guess: the starting point.
    solve: ``solve(f, initial_guess)`` returns a root (and ``aux`` if
      ``has_aux``).
    tangent_solve: ``tangent_solve(g, y)`` solves the linear ``g(x) = y``;
      for scalars ``lambda g, y: y / g(1.0)``.
    has_aux: ``solve`` returns ``(root, aux)``.

  Returns:
    ``solve(f, initial_guess)``, differentiable by implicit differentiation.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> def sqrt(a):
    ...   f = lambda x: x * x - a
    ...   newton = lambda f, x: lax.fori_loop(0, 20, lambda i, x: x - f(x) / (2 * x), x)
    ...   return lax.custom_root(f, 1.0, newton, lambda g, y: y / g(1.0))
    >>> print(jaxlite.grad(sqrt)(4.0))
    0.25
  """
  from jaxlite.differentiation import linearize
  guess_leaves, guess_tree = tree_util.tree_flatten(initial_guess)

  f_jaxpr, f_consts, out_tree = _stage(f, (initial_guess,), "custom_root")
  check_tree("f", "initial_guess", out_tree, guess_tree)
  solve_jaxpr, solve_consts, solution_tree = _stage(partial(solve, f), (initial_guess,),
                                                    "custom_root solve")
  check_tree("solve", "initial_guess", solution_tree, guess_tree, has_aux)

  def linearize_and_solve(x, b):
    _, f_jvp = linearize(f, x)
    return tangent_solve(f_jvp, b)

  l_and_s_jaxpr, l_and_s_consts, out_tree = _stage(
      linearize_and_solve, (initial_guess, initial_guess), "custom_root tangent_solve")
  check_tree("tangent_solve", "x", out_tree, guess_tree)

  all_consts = [f_consts, solve_consts, l_and_s_consts]
  const_lengths = RootTuple(*map(len, all_consts))
  jaxprs = RootTuple(f_jaxpr, solve_jaxpr, l_and_s_jaxpr)
  solution = _custom_root_fun()(const_lengths, jaxprs, *_flatten(all_consts), *guess_leaves)
  return tree_util.tree_unflatten(solution_tree, solution)


def _root_solve(const_lengths, jaxprs, *args):
  params, guess = _split_by_lengths(args, const_lengths, RootTuple)
  return core.jaxpr_as_fun(jaxprs.solve)(*params.solve, *guess)


def _root_jvp(const_lengths, jaxprs, primals, tangents):
  # F(p, u*(p)) = 0  =>  d_p F + d_u F . u*' = 0  =>  u*' = -(d_u F)^-1 (d_p F . p')
  params, _ = _split_by_lengths(primals, const_lengths, RootTuple)
  params_dot, _ = _split_by_lengths(tangents, const_lengths, RootTuple)
  sol = _custom_root_fun()(const_lengths, jaxprs, *primals)
  n = len(jaxprs.f.out_avals)
  solution, aux = list(sol[:n]), list(sol[n:])
  f = core.jaxpr_as_fun(jaxprs.f)
  _, rhs = ad.jvp_flat(lambda *p: f(*p, *solution), list(params.f), list(params_dot.f))
  rhs = [ad.instantiate_zeros(r) for r in rhs]
  solved = core.jaxpr_as_fun(jaxprs.l_and_s)(*params.l_and_s, *solution, *rhs)
  return solution + aux, [_neg(t) for t in solved] + [None] * len(aux)


_custom_root_cache = []


def _custom_root_fun():
  """``_root_solve`` as a ``custom_jvp`` function (built on first use: the
  custom-derivative machinery sits above ``lax``)."""
  if not _custom_root_cache:
    from jaxlite.custom_derivatives import custom_jvp
    fun = custom_jvp(_root_solve, nondiff_argnums=(0, 1))
    fun.defjvp(_root_jvp)
    _custom_root_cache.append(fun)
  return _custom_root_cache[0]
