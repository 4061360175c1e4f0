"""The public transformations: jit, make_jaxpr, eval_shape, xla_computation,
disable_jit, named_call and the device helpers.

Each is a thin front end over the interpreters; see ``jaxlite.interpreters``.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from jaxlite import api_util, core, dtypes, tree_util
from jaxlite.config import config
from jaxlite.core import ClosedJaxpr, ShapedArray
from jaxlite.interpreters import dispatch  # noqa: F401  (installs the eager evaluator)
from jaxlite.interpreters import mlir
from jaxlite.interpreters import partial_eval as pe
from jaxlite.interpreters.pjit import Jitted, jit_p, shaped_abstractify
from jaxlite.shape_dtype_struct import ShapeDtypeStruct  # noqa: F401  (jaxlite.api's name)
from jaxlite.traceback_util import api_boundary


@api_boundary
def jit(fun: Callable | None = None, *, in_shardings=None, out_shardings=None,
        static_argnums=None, static_argnames=None,
        device=None, backend=None, donate_argnums=None, donate_argnames=None,
        inline=False, keep_unused=False, compiler_options=None):
  """Sets up ``fun`` for just-in-time compilation with XLA.

  The function is traced once per combination of argument shapes, dtypes,
  pytree structure and static argument values; the staged jaxpr is lowered to
  StableHLO and compiled, and later calls with the same signature run the
  cached executable.

  Args:
    fun: the function to compile; may be used as a decorator, also as
      ``@partial(jit, static_argnums=...)``.
    static_argnums: positional arguments treated as compile-time constants
      (hashable; a new value recompiles).
    static_argnames: keyword arguments treated the same way.
    device, backend: where to run (default: the default device).
    donate_argnums: positional arguments whose buffers the computation may
      reuse; the donated arrays are deleted after the call.
    donate_argnames: the same, by parameter name (positional or keyword).
    compiler_options: a dict of XLA compiler options (``{"xla_...": value}``)
      this function's programs are compiled with.
    inline: inline the function's jaxpr into enclosing jaxprs.
    in_shardings, out_shardings: pytree prefixes of the positional arguments /
      of the results with a ``jaxlite.sharding.Sharding`` (or, under
      ``set_mesh``, a ``PartitionSpec``) per leaf; None leaves are left to
      the arguments' own shardings / to XLA's sharding propagation. The
      program is then split over the devices by XLA's SPMD partitioner.

  Returns:
    A wrapped version of ``fun`` with ``lower``, ``trace`` and ``eval_shape``.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> @jaxlite.jit
    ... def selu(x, alpha=1.67, lmbda=1.05):
    ...   return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)
    >>> selu(jnp.arange(3.0))
    Array([0.  , 1.05, 2.1 ], dtype=float32)
  """
  if fun is None:
    return partial(jit, in_shardings=in_shardings, out_shardings=out_shardings,
                   static_argnums=static_argnums, static_argnames=static_argnames,
                   device=device, backend=backend, donate_argnums=donate_argnums,
                   donate_argnames=donate_argnames, inline=inline, keep_unused=keep_unused,
                   compiler_options=compiler_options)
  return Jitted(fun, static_argnums, static_argnames, donate_argnums, device, backend,
                inline, keep_unused, in_shardings=in_shardings, out_shardings=out_shardings,
                donate_argnames=donate_argnames, compiler_options=compiler_options)


@contextmanager
def disable_jit(disable: bool = True):
  """Context manager under which ``jit`` (and ``pmap``) run their functions eagerly.

  Values inside jitted functions are then concrete, so they can be printed.

  Example:
    >>> import jaxlite
    >>> with jaxlite.disable_jit():
    ...   print(jaxlite.jit(lambda x: x * 2)(3))
    6
  """
  with config.disable_jit(disable):
    yield


def _trace_flat(fun, args, kwargs, static_argnums=(), transform="make_jaxpr"):
  """Stages ``fun(*args, **kwargs)`` (static args bound); returns
  (jaxpr, consts, out_tree, in_avals)."""
  static_argnums = api_util.normalize_argnums(static_argnums, len(args))
  dyn_args = tuple(a for i, a in enumerate(args) if i not in static_argnums)
  if static_argnums:
    statics = {i: a for i, a in enumerate(args) if i in static_argnums}
    def bound(*dyn, **kw):
      it = iter(dyn)
      return fun(*[statics[i] if i in statics else next(it) for i in range(len(args))], **kw)
  else:
    bound = fun
  flat_args, in_tree = tree_util.tree_flatten((dyn_args, kwargs))
  in_avals = [shaped_abstractify(x) for x in flat_args]
  flat_fun, out_tree = api_util.flatten_fun(bound, in_tree)
  name = api_util.fun_name(fun)
  try:
    names = api_util.arg_names(fun, dyn_args, kwargs) if not static_argnums else None
  except Exception:
    names = None
  if names is not None and len(names) != len(in_avals):
    names = None
  jaxpr, _, consts = pe.trace_to_jaxpr_dynamic(flat_fun, in_avals,
                                               debug_info=(name, names, transform),
                                               arg_names=names)
  return jaxpr, consts, out_tree.val, in_avals


@contextmanager
def _axis_env(axis_env):
  if not axis_env:
    yield
    return
  (name, size), rest = axis_env[0], axis_env[1:]
  with core.extend_axis_env(name, size, None):
    with _axis_env(rest):
      yield


def make_jaxpr(fun: Callable, static_argnums=(), axis_env=None, return_shape=False):
  """Creates a function that produces ``fun``'s jaxpr given example arguments.

  Args:
    fun: the function to trace.
    static_argnums: positional arguments to bind as Python constants.
    axis_env: ``[(axis_name, size), ...]`` for functions using collectives.
    return_shape: also return the output's ``ShapeDtypeStruct`` pytree.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> print(jaxlite.make_jaxpr(lambda x: jnp.sin(jnp.cos(x)))(3.0))
    { lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }
  """
  @api_boundary
  def make(*args, **kwargs):
    with _axis_env(axis_env or ()):
      jaxpr, consts, out_tree, _ = _trace_flat(fun, args, kwargs, static_argnums)
    closed = ClosedJaxpr(jaxpr, consts)
    if return_shape:
      shapes = tree_util.tree_unflatten(
          out_tree, [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                     for a in jaxpr.out_avals])
      return closed, shapes
    return closed
  make.__name__ = f"make_jaxpr({api_util.fun_name(fun)})"
  return make


@api_boundary
def eval_shape(fun: Callable, *args, **kwargs):
  """The shapes and dtypes of ``fun(*args, **kwargs)``, computed without any FLOPs.

  Arguments need only have ``shape`` and ``dtype`` attributes.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp, numpy as np
    >>> A = jaxlite.ShapeDtypeStruct((2000, 3000), np.float32)
    >>> x = jaxlite.ShapeDtypeStruct((3000, 1000), np.float32)
    >>> jaxlite.eval_shape(lambda A, x: jnp.tanh(jnp.dot(A, x)), A, x).shape
    (2000, 1000)
  """
  jaxpr, _, out_tree, _ = _trace_flat(fun, args, kwargs, transform="eval_shape")
  return tree_util.tree_unflatten(
      out_tree, [a if type(a) is core.AbstractToken   # a token's shape is its aval, as JAX's
                 else ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                 for a in jaxpr.out_avals])


class XlaComputation:
  """The HLO of a function, as ``xla_computation`` returns it."""

  def __init__(self, computation, module_text, out_shapes=None):
    self._computation = computation
    self._module_text = module_text

  def as_hlo_text(self) -> str:
    return self._computation.as_hlo_text()

  def as_hlo_module(self):
    return self._computation.as_hlo_module()

  def as_serialized_hlo_module_proto(self) -> bytes:
    return self._computation.as_serialized_hlo_module_proto()

  def as_hlo_dot_graph(self) -> str:
    return self._computation.as_hlo_dot_graph()

  def program_shape(self):
    return self._computation.program_shape()

  def as_stablehlo_text(self) -> str:
    return self._module_text

  def get_hlo_module(self):
    return self._computation.as_hlo_module()


def xla_computation(fun: Callable, static_argnums=(), axis_env=None, in_parts=None,
                    out_parts=None, backend=None, tuple_args=False, instantiate_const_outputs=None,
                    return_shape=False, donate_argnums=()):
  """Creates a function that produces ``fun``'s XLA computation given example args.

  ``axis_env`` (``[(name, size), ...]``) sets up named axes for collectives;
  their replica groups are laid out as ``pmap`` would.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> c = jaxlite.xla_computation(lambda x: jnp.sin(jnp.cos(x)))(3.)
    >>> 'cosine' in c.as_hlo_text() and 'sine' in c.as_hlo_text()
    True
  """
  @api_boundary
  def computation_maker(*args, **kwargs):
    from jaxlib import _jax
    with _axis_env(axis_env or ()):
      jaxpr, consts, out_tree, _ = _trace_flat(fun, args, kwargs, static_argnums,
                                               transform="xla_computation")
    # Closed-over values are embedded in the computation as constants.
    closed = ClosedJaxpr(jaxpr, [np.asarray(c) for c in consts])
    axes = tuple(axis_env or ())
    num_replicas = int(np.prod([s for _, s in axes], dtype=np.int64)) if axes else 1
    lowered = mlir.lower_jaxpr_to_module(
        closed, name=f"xla_computation_{api_util.fun_name(fun)}",
        axis_context=mlir.AxisContext(axes), num_replicas=num_replicas)
    comp = _jax.mlir.mlir_module_to_xla_computation(
        lowered.text, use_tuple_args=tuple_args,
        return_tuple=len(jaxpr.outvars) != 1)
    xc = XlaComputation(comp, lowered.text)
    if return_shape:
      shapes = tree_util.tree_unflatten(
          out_tree, [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                     for a in jaxpr.out_avals])
      return xc, shapes
    return xc
  return computation_maker


def _is_array_like(x) -> bool:
  try:
    core.get_aval(x)
  except TypeError:
    return False
  return True


def named_call(fun: Callable, *, name: str | None = None) -> Callable:
  """Adds a name to ``fun`` when it is staged out: the name shows in jaxprs, the
  lowered StableHLO (as a function) and the HLO.

  Example:
    >>> import jaxlite, jaxlite.numpy as jnp
    >>> f = jaxlite.named_call(lambda x: x * 2, name="double")
    >>> 'double' in jaxlite.jit(f).lower(1.0).as_text()
    True
  """
  name = name or api_util.fun_name(fun)

  def named(*args, **kwargs):
    leaves = tree_util.tree_leaves((args, kwargs))
    if core._thread_state.dynamic_main.level == 0 and not any(
        isinstance(x, core.Tracer) for x in leaves):
      return fun(*args, **kwargs)
    if not all(_is_array_like(x) for x in leaves):
      # Functions or other objects among the arguments (JAX's named_call takes
      # any): called inside the name scope instead of staged as a call.
      from jaxlite.source_info_util import extend_name_stack
      with extend_name_stack(name):
        return fun(*args, **kwargs)
    jaxpr, consts, out_tree, _ = _trace_flat(fun, args, kwargs, transform="named_call")
    flat_args = tree_util.tree_leaves((args, kwargs))
    closed = ClosedJaxpr(pe.convert_constvars_jaxpr(jaxpr), [])
    outs = jit_p.bind(*consts, *flat_args, jaxpr=closed, name=name, donated_invars=(),
                      inline=False)
    return tree_util.tree_unflatten(out_tree, outs)
  named.__name__ = name
  return named
