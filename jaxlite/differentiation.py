"""The public automatic-differentiation API: jvp, linearize, vjp, grad,
value_and_grad, jacfwd, jacrev, hessian, linear_transpose, stop_gradient.

Three interpreters compose into all of them (``jaxlite.interpreters``):
forward mode (``ad.jvp_flat``), partial evaluation (``partial_eval``), which
splits a JVP into the primal computation and a linear jaxpr of its tangent
part (``linearize``), and transposition (``ad.backward_pass``). Reverse mode
is linearize followed by transpose.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import api_util, core, dtypes, tree_util
from jaxlite.core import ShapedArray
from jaxlite.interpreters import ad
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.ad import Zero, stop_gradient
from jaxlite.interpreters.pjit import shaped_abstractify
from jaxlite.traceback_util import api_boundary

__all__ = ["jvp", "linearize", "vjp", "grad", "value_and_grad", "jacfwd", "jacrev",
           "jacobian", "hessian", "linear_transpose", "stop_gradient"]


def _dtype(x):
  return core.get_aval(x).dtype


def _is_inexact(dtype) -> bool:
  return dtypes.issubdtype(dtype, np.inexact)


# --- jvp -----------------------------------------------------------------------------------


@api_boundary
def jvp(fun: Callable, primals, tangents, has_aux: bool = False):
  """Computes a (forward-mode) Jacobian-vector product of ``fun``.

  Args:
    fun: function to differentiate; its arguments and outputs are arrays,
      scalars or pytrees of them.
    primals: tuple or list of the primal values, one per positional argument.
    tangents: tuple or list of tangents, with the same tree structure, shapes
      and dtypes as ``primals`` (float0 for integer primals).
    has_aux: whether ``fun`` returns a pair ``(output, auxiliary_data)``.

  Returns:
    ``(primals_out, tangents_out)`` (and ``aux`` with ``has_aux``).

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> y, v = jaxlite.jvp(lax.sin, (0.1,), (0.2,))
    >>> print(y, v)
    0.09983342 0.19900084
  """
  api_util.check_callable(fun)
  if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
    raise TypeError("primal and tangent arguments to jax.jvp must be tuples or lists; "
                    f"found {type(primals).__name__} and {type(tangents).__name__}.")
  flat_primals, in_tree = tree_util.tree_flatten(tuple(primals))
  flat_tangents, tangent_tree = tree_util.tree_flatten(tuple(tangents))
  if in_tree != tangent_tree:
    raise TypeError("primal and tangent arguments to jax.jvp must have the same tree "
                    f"structure; primals have tree structure {in_tree} whereas tangents "
                    f"have tree structure {tangent_tree}.")
  for p, t in zip(flat_primals, flat_tangents):
    expected = ad.tangent_aval(ShapedArray((), _dtype(p))).dtype
    if _dtype(t) != expected:
      raise TypeError("primal and tangent arguments to jax.jvp do not match; "
                      "dtypes must be equal, or in case of int/bool primal dtype "
                      "the tangent dtype must be float0."
                      f"Got primal dtype {_dtype(p)} and so expected tangent dtype "
                      f"{expected}, but got tangent dtype {_dtype(t)} instead.")
    if np.shape(p) != np.shape(t):
      raise ValueError("jvp called with different primal and tangent shapes;"
                       f"Got primal shape {np.shape(p)} and tangent shape as {np.shape(t)}")
  flat_fun, out_tree, aux_box = _flatten_with_aux(fun, in_tree, has_aux)
  out_primals, out_tangents = ad.jvp_flat(flat_fun, flat_primals, flat_tangents)
  out_tangents = [ad.instantiate_zeros(t) for t in out_tangents]
  tree = out_tree.val
  result = (tree_util.tree_unflatten(tree, out_primals),
            tree_util.tree_unflatten(tree, out_tangents))
  if has_aux:
    return result + (aux_box[0],)
  return result


def _flatten_with_aux(fun, in_tree, has_aux):
  """``fun`` on flat positional leaves; the aux output (if any) goes to a box,
  its tracers lowered (auxiliary data is not differentiated)."""
  out_tree = api_util.Store()
  aux_box = []
  base_level = core.cur_level()

  def flat_fun(*flat_args):
    args = tree_util.tree_unflatten(in_tree, flat_args)
    out = fun(*args)
    if has_aux:
      if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError("has_aux=True requires the function to return a pair "
                        f"(output, auxiliary_data), got {type(out).__name__}.")
      out, aux = out
      aux_box.append(tree_util.tree_map(partial(_primal_of, base_level), aux))
    flat_out, tree = tree_util.tree_flatten(out)
    out_tree.store(tree)
    return flat_out
  return flat_fun, out_tree, aux_box


def _primal_of(base_level, x):
  """Auxiliary data is returned without derivatives: strip the JVP tracers of
  the transformations this call opened (those above ``base_level``)."""
  while isinstance(x, ad.JVPTracer) and x._trace.main.level > base_level:
    x = x.primal
  return x


# --- linearize -----------------------------------------------------------------------------


class _LinearizedFunction:
  """``f_jvp`` from ``linearize``: evaluates only the stored linear jaxpr."""

  def __init__(self, jaxpr, consts, in_tree, in_avals, out_tree, out_avals):
    self.jaxpr = jaxpr
    self.consts = consts
    self.in_tree = in_tree
    self.in_avals = in_avals
    self.out_tree = out_tree
    self.out_avals = out_avals
    self.__name__ = "f_jvp"

  @api_boundary
  def __call__(self, *tangents):
    flat, tree = tree_util.tree_flatten(tangents)
    if tree != self.in_tree:
      raise TypeError(f"expected {self.in_tree}, got {tree}")
    for p_aval, t in zip(self.in_avals, flat):
      expected = ad.tangent_aval(p_aval)
      t_aval = core.get_aval(t)
      if t_aval.shape != expected.shape or t_aval.dtype != expected.dtype:
        raise ValueError(
            "linearized function called on tangent values inconsistent with "
            "the original primal values:\n"
            f"Got tangent aval {t_aval} for primal aval {p_aval} "
            f"but expected {expected}.")
    flat = [t for t, a in zip(flat, self.in_avals)
            if ad.tangent_aval(a).dtype != dtypes.float0]
    outs = core.eval_jaxpr(self.jaxpr, self.consts, *flat)
    return tree_util.tree_unflatten(self.out_tree, outs)


def _linearize(fun, primals, has_aux):
  flat_primals, in_tree = tree_util.tree_flatten(tuple(primals))
  flat_fun, out_tree, aux_box = _flatten_with_aux(fun, in_tree, has_aux)
  out_primals, jaxpr, consts, _ = ad.linearize_flat(flat_fun, flat_primals)
  in_avals = [core.raise_to_shaped(core.get_aval(p)) for p in flat_primals]
  # float0 tangents of integer inputs are not inputs of the linear jaxpr.
  keep = [ad.tangent_aval(a).dtype != dtypes.float0 for a in in_avals]
  jaxpr = jaxpr.replace(invars=[v for v, k in zip(jaxpr.invars, keep) if k])
  out_avals = [core.raise_to_shaped(core.get_aval(p)) for p in out_primals]
  f_jvp = _LinearizedFunction(jaxpr, consts, in_tree, in_avals, out_tree.val, out_avals)
  return out_primals, out_tree.val, f_jvp, (aux_box[0] if has_aux else None)


@api_boundary
def linearize(fun: Callable, *primals, has_aux: bool = False):
  """Produces a linear approximation to ``fun`` using ``jvp`` and partial evaluation.

  The primal computation runs once, now; the returned ``f_jvp`` evaluates only
  the stored linear jaxpr of the tangent computation (its residuals are the
  linearization points), so calling it again does no primal work. ``f_jvp``
  can be jitted and transposed (``linear_transpose``).

  Args:
    fun: function to differentiate.
    *primals: the point at which to linearize, one value per positional argument.
    has_aux: whether ``fun`` returns ``(output, auxiliary_data)``.

  Returns:
    ``(fun(*primals), f_jvp)`` (and ``aux`` with ``has_aux``).

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> f = lambda x: lax.add(lax.mul(3., lax.sin(x)), lax.cos(lax.div(x, 2.)))
    >>> y, f_jvp = jaxlite.linearize(f, 2.)
    >>> print(y, f_jvp(3.), f_jvp(4.))
    3.2681944 -5.007528 -6.676704
  """
  api_util.check_callable(fun)
  out_primals, out_tree, f_jvp, aux = _linearize(fun, primals, has_aux)
  out = tree_util.tree_unflatten(out_tree, out_primals)
  return (out, f_jvp, aux) if has_aux else (out, f_jvp)


# --- vjp -------------------------------------------------------------------------------------


class _VJPFunction:
  """``f_vjp`` from ``vjp``: the transpose of the stored linear jaxpr."""

  def __init__(self, jaxpr, consts, in_tree, in_avals, out_tree, out_avals, fun_name):
    self.jaxpr = jaxpr
    self.consts = consts
    self.in_tree = in_tree
    self.in_avals = in_avals
    self.out_tree = out_tree
    self.out_avals = out_avals
    self.fun_name = fun_name
    self.__name__ = "f_vjp"

  @api_boundary
  def __call__(self, cotangent):
    flat, tree = tree_util.tree_flatten(cotangent)
    if tree != self.out_tree:
      raise ValueError(
          "unexpected tree structure of argument to vjp function: got "
          f"{tree}, but expected to match {self.out_tree} (the output of "
          f"{self.fun_name})")
    for ct, aval in zip(flat, self.out_avals):
      ct_aval = core.get_aval(ct)
      expected = ad.tangent_aval(aval)
      if ct_aval.shape != expected.shape or (
          ct_aval.dtype != expected.dtype and expected.dtype != dtypes.float0):
        raise ValueError(
            "unexpected JAX type (e.g. shape/dtype) for argument to VJP function: "
            f"got {ct_aval.str_short(short_dtypes=False)}, but expected "
            f"{expected.str_short(short_dtypes=False)} because the corresponding output "
            f"of the differentiated function had JAX type {aval.str_short(short_dtypes=False)}")
    flat = [Zero(ad.tangent_aval(a)) if ad.tangent_aval(a).dtype == dtypes.float0 else c
            for c, a in zip(flat, self.out_avals)]
    undefined = [ad.UndefinedPrimal(ad.tangent_aval(a)) for a in self.in_avals
                 if ad.tangent_aval(a).dtype != dtypes.float0]
    cts = iter(ad.backward_pass(self.jaxpr, self.consts, undefined, flat))
    out = []
    for a in self.in_avals:
      t_aval = ad.tangent_aval(a)
      if t_aval.dtype == dtypes.float0:
        out.append(np.zeros(a.shape, dtypes.float0))
      else:
        out.append(_match_dtype(ad.instantiate_zeros(next(cts)), t_aval))
    return tree_util.tree_unflatten(self.in_tree, out)

  def with_refs(self, *maybe_ct_refs):
    """The backward function with each input's cotangent sent where
    ``maybe_ct_refs`` says: ``jaxlite.ad.GradValue()`` (returned), a ref
    (accumulated into it) or ``jaxlite.ad.DontWant()``; see jaxlite.state.vjp_refs."""
    from jaxlite.state import vjp_refs
    return vjp_refs.with_refs(self, maybe_ct_refs)


# As JAX's vjp function (a Partial over its residuals), ``f_vjp`` is a pytree
# whose leaves are the residuals: it can be passed to (and returned from) jit.
tree_util.register_pytree_node(
    _VJPFunction,
    lambda f: (list(f.consts), (f.jaxpr, f.in_tree, f.in_avals, f.out_tree, f.out_avals,
                                f.fun_name)),
    lambda aux, consts: _VJPFunction(aux[0], list(consts), *aux[1:]))


def _match_dtype(x, aval):
  from jaxlite import lax
  if core.get_aval(x).dtype != aval.dtype:
    return lax.convert_element_type(x, aval.dtype)
  return x


def _vjp(fun, primals, has_aux):
  out_primals, out_tree, f_jvp, aux = _linearize(fun, primals, has_aux)
  f_vjp = _VJPFunction(f_jvp.jaxpr, f_jvp.consts, f_jvp.in_tree, f_jvp.in_avals,
                       out_tree, f_jvp.out_avals, api_util.fun_name(fun))
  return out_primals, out_tree, f_vjp, aux


@api_boundary
def vjp(fun: Callable, *primals, has_aux: bool = False, reduce_axes: Sequence = ()):
  """Computes a (reverse-mode) vector-Jacobian product of ``fun``.

  It is ``linearize`` followed by transposing the linear jaxpr.

  Args:
    fun: function to differentiate.
    *primals: the point at which to differentiate.
    has_aux: whether ``fun`` returns ``(output, auxiliary_data)``.
    reduce_axes: accepted for compatibility (named-axis sums are done by the
      collectives' own transposes).

  Returns:
    ``(primals_out, vjpfun)`` (and ``aux`` with ``has_aux``); ``vjpfun`` maps a
    cotangent shaped like ``primals_out`` to a tuple of cotangents, one per
    primal.

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> primals, f_vjp = jaxlite.vjp(lambda x, y: (lax.sin(x), lax.cos(y)), 0.5, 1.0)
    >>> xbar, ybar = f_vjp((-0.7, 0.3))
    >>> print(xbar, ybar)
    -0.61430776 -0.2524413
  """
  api_util.check_callable(fun)
  out_primals, out_tree, f_vjp, aux = _vjp(fun, primals, has_aux)
  out = tree_util.tree_unflatten(out_tree, out_primals)
  return (out, f_vjp, aux) if has_aux else (out, f_vjp)


# --- grad --------------------------------------------------------------------------------------


def _check_scalar(x):
  aval = core.get_aval(x)
  if aval.shape != ():
    raise TypeError("Gradient only defined for scalar-output functions. "
                    f"Output had shape: {aval.shape}.")


def _check_input_dtype_revderiv(name, holomorphic, allow_int, x):
  dtype = _dtype(x)
  if holomorphic and not dtypes.issubdtype(dtype, np.complexfloating):
    raise TypeError(f"{name} with holomorphic=True requires inputs with complex dtype, "
                    f"but got {dtype.name}.")
  if dtypes.issubdtype(dtype, np.integer) or dtypes.issubdtype(dtype, np.bool_):
    if not allow_int:
      raise TypeError(f"{name} requires real- or complex-valued inputs (input dtype "
                      f"that is a sub-dtype of np.inexact), but got {dtype.name}. "
                      "If you want to use Boolean- or integer-valued inputs, use vjp "
                      "or set allow_int to True.")
  elif not _is_inexact(dtype):
    raise TypeError(f"{name} requires numerical-valued inputs (input dtype that is a "
                    f"sub-dtype of np.bool_ or np.number), but got {dtype.name}.")


def _check_output_dtype_revderiv(name, holomorphic, x):
  dtype = _dtype(x)
  if holomorphic:
    if not dtypes.issubdtype(dtype, np.complexfloating):
      raise TypeError(f"{name} with holomorphic=True requires outputs with complex dtype, "
                      f"but got {dtype.name}.")
  elif dtypes.issubdtype(dtype, np.complexfloating):
    raise TypeError(f"{name} requires real-valued outputs (output dtype that is "
                    f"a sub-dtype of np.floating), but got {dtype.name}. "
                    "For holomorphic differentiation, pass holomorphic=True. "
                    "For differentiation of non-holomorphic functions involving complex "
                    "outputs, use jax.vjp directly.")
  elif not dtypes.issubdtype(dtype, np.floating):
    raise TypeError(f"{name} requires real-valued outputs (output dtype that is "
                    f"a sub-dtype of np.floating), but got {dtype.name}. "
                    "For differentiation of functions with integer outputs, use "
                    "jax.vjp directly.")


def _one_like(x):
  """The cotangent seed 1 with ``x``'s type; a Python scalar when ``x`` is weakly
  typed, so that gradients of weakly typed values stay weakly typed, as in JAX."""
  aval = core.get_aval(x)
  if aval.weak_type:
    seed = 1.0 + 0j if dtypes.issubdtype(aval.dtype, np.complexfloating) else 1.0
  else:
    seed = np.ones((), aval.dtype)
  if getattr(aval, "vma", None):   # inside shard_map: varying as x is (JAX pvarys it)
    from jaxlite.interpreters import vma  # pylint: disable=g-import-not-at-top
    return vma.vary(seed, aval.vma)
  return seed


def _as_array(x):
  """A gradient that is still the host seed (the function returned its input)
  becomes an Array, weakly typed as the seed was, as JAX returns it."""
  if (isinstance(x, (bool, int, float, complex, np.ndarray, np.generic))
      and dtypes.dtype(x) != dtypes.float0):  # float0 gradients stay host arrays, as JAX's
    from jaxlite.runtime import transfer
    host = np.asarray(x, dtypes.canonicalize_dtype(dtypes.dtype(x)))
    return transfer.put_numpy(host, None, dtypes.is_weakly_typed(x))
  return x


def _argnums_partial(fun, argnums, args, kwargs):
  """``fun`` as a function of the arguments at ``argnums`` only."""
  nargs = len(args)
  for i in argnums:
    if not -nargs <= i < nargs:
      raise TypeError(f"differentiating with respect to argnums={argnums} requires at "
                      f"least {max(argnums) + 1} positional arguments to be passed by "
                      f"the caller, but got only {nargs} positional arguments.")
  argnums = tuple(i % nargs for i in argnums)

  def partial_fun(*dyn):
    full = list(args)
    for i, d in zip(argnums, dyn):
      full[i] = d
    return fun(*full, **kwargs)
  return partial_fun, tuple(args[i] for i in argnums)


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                   holomorphic: bool = False, allow_int: bool = False,
                   reduce_axes: Sequence = ()) -> Callable:
  """Creates a function that evaluates both ``fun`` and the gradient of ``fun``.

  Args: as ``grad``.

  Returns:
    A function returning ``(value, gradient)`` (``((value, aux), gradient)``
    with ``has_aux``).

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> jaxlite.value_and_grad(lax.sin)(0.0)
    (Array(0., dtype=float32, weak_type=True), Array(1., dtype=float32, weak_type=True))
  """
  api_util.check_callable(fun)
  int_argnums = isinstance(argnums, int)
  argnums_t = (argnums,) if int_argnums else tuple(argnums)
  if not int_argnums:
    for a in argnums_t:
      if not isinstance(a, int):
        raise TypeError(f"argnums must be an int or a sequence of ints, got {argnums!r}")
  if not argnums_t and not int_argnums:
    raise ValueError("argnums should be a non-empty sequence of ints")

  @api_boundary
  def value_and_grad_f(*args, **kwargs):
    f_partial, dyn_args = _argnums_partial(fun, argnums_t, args, kwargs)
    for leaf in tree_util.tree_leaves(dyn_args):
      _check_input_dtype_revderiv("grad", holomorphic, allow_int, leaf)
    out_primals, out_tree, f_vjp, aux = _vjp(f_partial, dyn_args, has_aux)
    if not tree_util.treedef_is_leaf(out_tree) or len(out_primals) != 1:
      ans = tree_util.tree_unflatten(out_tree, out_primals)
      raise TypeError("Gradient only defined for scalar-output functions. Output was "
                      f"{ans}.")
    ans = out_primals[0]
    _check_scalar(ans)
    _check_output_dtype_revderiv("grad", holomorphic, ans)
    g = tree_util.tree_map(_as_array, f_vjp(_one_like(ans)))
    g = g[0] if int_argnums else tuple(g)
    return ((ans, aux), g) if has_aux else (ans, g)

  value_and_grad_f.__name__ = api_util.fun_name(fun)   # JAX keeps the function's name
  value_and_grad_f.__wrapped__ = fun
  return value_and_grad_f


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False, allow_int: bool = False,
         reduce_axes: Sequence = ()) -> Callable:
  """Creates a function that evaluates the gradient of ``fun``.

  Args:
    fun: function to differentiate; it must return a scalar (a pair
      ``(scalar, aux)`` with ``has_aux``).
    argnums: which positional argument(s) to differentiate with respect to.
    has_aux: whether ``fun`` returns ``(output, auxiliary_data)``.
    holomorphic: whether ``fun`` is holomorphic (complex inputs and outputs).
    allow_int: allow integer inputs; their gradient has dtype float0.
    reduce_axes: accepted for compatibility.

  Returns:
    A function with the signature of ``fun`` returning the gradient (a tuple
    of gradients for a tuple ``argnums``; ``(gradient, aux)`` with ``has_aux``).

  Example:
    >>> import jaxlite
    >>> from jaxlite import lax
    >>> print(jaxlite.grad(lax.tanh)(0.2))
    0.961043
  """
  value_and_grad_f = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int,
                                    reduce_axes)

  @api_boundary
  def grad_f(*args, **kwargs):
    ans, g = value_and_grad_f(*args, **kwargs)
    return (g, ans[1]) if has_aux else g

  grad_f.__name__ = api_util.fun_name(fun)   # JAX keeps the function's name
  grad_f.__wrapped__ = fun
  return grad_f


# --- jacobians -------------------------------------------------------------------------------


def _int_argnums(argnums):
  if isinstance(argnums, int):
    return (argnums,), True
  argnums = tuple(argnums)
  for a in argnums:
    if not isinstance(a, int):
      raise TypeError(f"argnums must be an int or a sequence of ints, got {argnums!r}")
  return argnums, False


def _basis(aval, dtype=None):
  """The standard basis of ``aval``'s space as one array of shape ``(size,) + shape``
  (a host constant)."""
  dtype = aval.dtype if dtype is None else dtype
  basis = np.eye(aval.size, dtype=dtype).reshape((aval.size,) + tuple(aval.shape))
  if getattr(aval, "weak_type", False):
    # A weak input's basis is weak too (as JAX's), so its Jacobian stays weak.
    from jaxlite.lax import structural
    return structural._convert_element_type(basis, dtype, weak_type=True)
  return basis


def _zeros(aval):
  return np.zeros(aval.shape, aval.dtype)


def _check_input_dtype_jacfwd(holomorphic, x):
  dtype = _dtype(x)
  if holomorphic:
    if not dtypes.issubdtype(dtype, np.complexfloating):
      raise TypeError("jacfwd with holomorphic=True requires inputs with complex "
                      f"dtype, but got {dtype.name}.")
  elif not dtypes.issubdtype(dtype, np.floating):
    raise TypeError("jacfwd requires real-valued inputs (input dtype that is "
                    f"a sub-dtype of np.floating), but got {dtype.name}. "
                    "For holomorphic differentiation, pass holomorphic=True. "
                    "For differentiation of non-holomorphic functions involving "
                    "complex inputs or integer inputs, use jax.jvp directly.")


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
  """Jacobian of ``fun`` evaluated column-by-column using forward-mode AD.

  ``fun`` is linearized once and its linear map is vmapped over the standard
  basis of each input. The result's tree structure is the output's, with
  each leaf replaced by the structure of the differentiated input(s); a leaf
  block has shape ``out_shape + in_shape``.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> print(jaxlite.jacfwd(lambda x: lax.mul(x, x))(np.array([1., 2.], np.float32)))
    [[2. 0.]
     [0. 4.]]
  """
  api_util.check_callable(fun)
  argnums_t, int_argnums = _int_argnums(argnums)

  @api_boundary
  def jacfun(*args, **kwargs):
    from jaxlite.vectorization import vmap
    f_partial, dyn_args = _argnums_partial(fun, argnums_t, args, kwargs)
    for leaf in tree_util.tree_leaves(dyn_args):
      _check_input_dtype_jacfwd(holomorphic, leaf)
    dyn = dyn_args[0] if int_argnums else dyn_args
    out_primals, out_tree, f_jvp, aux = _linearize(f_partial, dyn_args, has_aux)
    in_leaves, in_tree = tree_util.tree_flatten(dyn)
    in_avals = [shaped_abstractify(x) for x in in_leaves]
    out_avals = [core.raise_to_shaped(core.get_aval(y)) for y in out_primals]
    blocks = [[None] * len(in_avals) for _ in out_avals]
    for j, a_j in enumerate(in_avals):
      def push(t_j, j=j):
        tangents = [t_j if k == j else _zeros(a) for k, a in enumerate(in_avals)]
        t_tree = tree_util.tree_unflatten(in_tree, tangents)
        outs = f_jvp(t_tree) if int_argnums else f_jvp(*t_tree)
        return tree_util.tree_leaves(outs)
      cols = vmap(push)(_basis(a_j)) if a_j.size else None
      for i, y_aval in enumerate(out_avals):
        blocks[i][j] = _fwd_block(cols[i] if cols is not None else None, y_aval, a_j)
    jac = tree_util.tree_unflatten(
        out_tree, [tree_util.tree_unflatten(in_tree, row) for row in blocks])
    return (jac, aux) if has_aux else jac

  jacfun.__name__ = api_util.fun_name(fun)   # JAX keeps the function's name
  return jacfun


def _fwd_block(col, y_aval, x_aval):
  """``(x_size,) + y_shape`` -> ``y_shape + x_shape``."""
  from jaxlite import lax
  shape = tuple(y_aval.shape) + tuple(x_aval.shape)
  if col is None:
    return lax.full(shape, 0, y_aval.dtype)
  nd = len(y_aval.shape)
  col = lax.transpose(col, tuple(range(1, nd + 1)) + (0,))
  return lax.reshape(col, shape)


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False, allow_int: bool = False) -> Callable:
  """Jacobian of ``fun`` evaluated row-by-row using reverse-mode AD.

  ``vjp`` is taken once and the pullback is vmapped over the standard basis of
  each output. The block structure is that of ``jacfwd``.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> print(jaxlite.jacrev(lambda x: lax.mul(x, x))(np.array([1., 2.], np.float32)))
    [[2. 0.]
     [0. 4.]]
  """
  api_util.check_callable(fun)
  argnums_t, int_argnums = _int_argnums(argnums)

  @api_boundary
  def jacfun(*args, **kwargs):
    from jaxlite.vectorization import vmap
    f_partial, dyn_args = _argnums_partial(fun, argnums_t, args, kwargs)
    for leaf in tree_util.tree_leaves(dyn_args):
      _check_input_dtype_revderiv("jacrev", holomorphic, allow_int, leaf)
    dyn = dyn_args[0] if int_argnums else dyn_args
    out_primals, out_tree, f_vjp, aux = _vjp(f_partial, dyn_args, has_aux)
    for y in out_primals:
      _check_output_dtype_revderiv("jacrev", holomorphic, y)
    in_leaves, in_tree = tree_util.tree_flatten(dyn)
    in_avals = [shaped_abstractify(x) for x in in_leaves]
    out_avals = [core.raise_to_shaped(core.get_aval(y)) for y in out_primals]
    rows = []
    for i, y_aval in enumerate(out_avals):
      def pull(ct_i, i=i):
        cts = [ct_i if k == i else _zeros(a) for k, a in enumerate(out_avals)]
        g = f_vjp(tree_util.tree_unflatten(out_tree, cts))
        return tree_util.tree_leaves(g[0] if int_argnums else g)
      gs = vmap(pull)(_basis(y_aval)) if y_aval.size else None
      rows.append([_rev_block(gs[j] if gs is not None else None, y_aval, x_aval)
                   for j, x_aval in enumerate(in_avals)])
    jac = tree_util.tree_unflatten(
        out_tree, [tree_util.tree_unflatten(in_tree, row) for row in rows])
    return (jac, aux) if has_aux else jac

  jacfun.__name__ = api_util.fun_name(fun)   # JAX keeps the function's name
  return jacfun


jacobian = jacrev


def _rev_block(row, y_aval, x_aval):
  """``(y_size,) + x_shape`` -> ``y_shape + x_shape``."""
  from jaxlite import lax
  shape = tuple(y_aval.shape) + tuple(x_aval.shape)
  if row is None:
    return lax.full(shape, 0, x_aval.dtype if x_aval.dtype != dtypes.float0 else
                    y_aval.dtype)
  if core.get_aval(row).dtype == dtypes.float0:
    return np.zeros(shape, dtypes.float0)
  return lax.reshape(row, shape)


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            holomorphic: bool = False) -> Callable:
  """Hessian of ``fun`` as a dense array (or pytree of blocks): ``jacfwd(jacrev(fun))``.

  The tree structure is the output's, each leaf replaced by the input
  structure, each of whose leaves is replaced again by the input structure.

  Example:
    >>> import jaxlite, numpy as np
    >>> from jaxlite import lax
    >>> g = lambda x: lax.reduce_sum(lax.mul(lax.mul(x, x), x), (0,))
    >>> print(jaxlite.hessian(g)(np.array([1., 2.], np.float32)))
    [[ 6.  0.]
     [ 0. 12.]]
  """
  return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic),
                argnums, has_aux=has_aux, holomorphic=holomorphic)


# --- linear_transpose ------------------------------------------------------------------------


def linear_transpose(fun: Callable, *primals, reduce_axes: Sequence = ()) -> Callable:
  """Transposes a function that is promised to be linear.

  ``primals`` only give the input types: arrays, scalars, or any objects with
  ``shape`` and ``dtype``. The transposed function maps a cotangent shaped like
  ``fun``'s output to a tuple of cotangents with exactly the primals' dtypes.
  Integer dtypes are not supported.

  Example:
    >>> import jaxlite, types, numpy as np
    >>> from jaxlite import lax
    >>> f = lambda x, y: lax.sub(lax.mul(0.5, x), lax.mul(0.5, y))
    >>> scalar = types.SimpleNamespace(shape=(), dtype=np.dtype(np.float32))
    >>> jaxlite.linear_transpose(f, scalar, scalar)(1.0)
    (Array(0.5, dtype=float32, weak_type=True), Array(-0.5, dtype=float32, weak_type=True))
  """
  api_util.check_callable(fun)
  flat_primals, in_tree = tree_util.tree_flatten(primals)
  in_avals = [shaped_abstractify(x) for x in flat_primals]
  flat_fun, out_tree = api_util.flatten_fun_nokwargs(fun, in_tree)
  jaxpr, out_pvals, consts = pe.trace_to_jaxpr_partial(
      flat_fun, [pe.PartialVal.unknown(a) for a in in_avals], instantiate=True)
  out_avals = [pv.get_aval() for pv in out_pvals]
  in_dtypes = [a.dtype for a in in_avals]
  out_dtypes = [a.dtype for a in out_avals]
  if not (all(_is_inexact(d) for d in in_dtypes + out_dtypes) or
          all(dtypes.issubdtype(d, np.integer) for d in in_dtypes + out_dtypes)):
    raise TypeError("linear_transpose only supports [float or complex] -> "
                    "[float or complex], and integer -> integer functions, "
                    f"but got {in_dtypes} -> {out_dtypes}.")
  consts = [pe.device_put_const(c) for c in consts]

  @api_boundary
  def transposed_fun(out_cotangent):
    out_cts, ct_tree = tree_util.tree_flatten(out_cotangent)
    if out_tree.val != ct_tree:
      raise TypeError("cotangent tree does not match function output, "
                      f"expected {out_tree.val} but got {ct_tree}")
    ct_avals = [core.get_aval(c) for c in out_cts]
    if any(c.shape != a.shape or c.dtype != a.dtype for c, a in zip(ct_avals, out_avals)):
      raise TypeError("cotangent type does not match function output, "
                      f"expected {out_avals} but got {ct_avals}")
    dummies = [ad.UndefinedPrimal(a) for a in in_avals]
    in_cts = ad.backward_pass(jaxpr, consts, dummies, out_cts)
    in_cts = [_exact_dtype(ad.instantiate_zeros(ct), a) for ct, a in zip(in_cts, in_avals)]
    return tree_util.tree_unflatten(in_tree, in_cts)

  transposed_fun.__name__ = f"transpose({api_util.fun_name(fun)})"
  return transposed_fun


def _exact_dtype(x, aval):
  """``x`` with exactly ``aval``'s dtype (complex parts or precision are
  truncated, as documented); its weak type is the computation's, as in JAX."""
  from jaxlite.lax import structural
  x_aval = core.get_aval(x)
  if x_aval.dtype == aval.dtype:
    return x
  return structural._convert_element_type(x, aval.dtype, weak_type=False)
