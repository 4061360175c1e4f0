"""``jax.extend.core``: the tracing core's objects for libraries built on it.

Re-exports only: each name lives in ``jaxlite.core`` or ``jaxlite.core_tools``.

  >>> import jaxlite
  >>> from jaxlite.extend.core import ClosedJaxpr, Literal, jaxpr_as_fun
  >>> closed = jaxlite.make_jaxpr(lambda x: x * 2.0)(1.0)
  >>> isinstance(closed, ClosedJaxpr), jaxpr_as_fun(closed)(3.0)
  (True, [Array(6., dtype=float32, weak_type=True)])
"""
from jaxlite.core import (AbstractToken, ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, JaxprTypeError,
                          Literal, Primitive, ShapedArray, Var, check_jaxpr, get_aval, jaxpr_as_fun,
                          Token, subjaxprs)
from jaxlite.core_tools import (Effect, concrete_or_error, find_top_trace, get_opaque_trace_state,
                                mapped_aval, new_jaxpr_eqn, primal_dtype_to_tangent_dtype,
                                unmapped_aval, valid_jaxtype)
from jaxlite.extend.core_internals import (array_types, gensym, jaxprs_in_params,
                                           nonempty_axis_env_DO_NOT_USE,
                                           unsafe_am_i_under_a_jit_DO_NOT_USE,
                                           unsafe_am_i_under_a_vmap_DO_NOT_USE,
                                           unsafe_get_axis_names_DO_NOT_USE)
from jaxlite.errors import InconclusiveDimensionOperation
from jaxlite.extend.core_tracing import (CallPrimitive, TraceTag, call_impl, set_current_trace,
                                         take_current_trace)
from jaxlite.api_util import DebugInfo

# A jaxpr's or an equation's effects: a frozenset of Effect instances.
Effects = frozenset
no_effects: frozenset = frozenset()

__all__ = ["AbstractToken", "Token", "ClosedJaxpr", "DropVar", "Jaxpr", "JaxprEqn",
           "JaxprTypeError", "Literal", "Primitive", "ShapedArray", "Var", "check_jaxpr", "get_aval", "jaxpr_as_fun",
           "subjaxprs", "concrete_or_error", "find_top_trace", "get_opaque_trace_state",
           "mapped_aval", "new_jaxpr_eqn", "primal_dtype_to_tangent_dtype", "unmapped_aval",
           "valid_jaxtype", "Effect", "Effects", "no_effects", "array_types", "gensym",
           "jaxprs_in_params", "nonempty_axis_env_DO_NOT_USE",
           "unsafe_am_i_under_a_jit_DO_NOT_USE", "unsafe_am_i_under_a_vmap_DO_NOT_USE",
           "unsafe_get_axis_names_DO_NOT_USE", "InconclusiveDimensionOperation",
           "CallPrimitive", "DebugInfo", "TraceTag", "call_impl", "set_current_trace",
           "take_current_trace"]
