"""``jax.core`` as JAX 0.10.2 exports it (served for ``jax.core`` by the switch).

JAX 0.10.2's ``jax.core`` keeps twelve public names; the rest of what it once
held is deprecated (reading it warns and gives the value, now at home in
``jax.extend.core`` or ``jax.errors``) or removed (reading it raises
``AttributeError`` saying where it went). Libraries pick code paths with
``hasattr(jax.core, ...)``, so this module answers exactly as JAX's does;
jaxlite's own ``jaxlite.core`` (also ``jax._src.core``) keeps everything.

  >>> from jaxlite.jax_compat import core
  >>> core.get_aval
  Traceback (most recent call last):
    ...
  AttributeError: jax.core.get_aval was deprecated in JAX v0.8.2 and removed in JAX v0.10.0; use jax.typeof instead.
"""
from typing import Any

from jaxlite.core import AbstractValue, Atom, ShapedArray, Trace, Tracer, eval_jaxpr  # noqa: F401
from jaxlite.core_tools import ensure_compile_time_eval  # noqa: F401
from jaxlite.deprecations import deprecation_getattr

ParamDict = dict[str, Any]
Value = Any

_REMOVED = "jax.core.{} was deprecated in JAX v0.8.2 and removed in JAX v0.10.0"
# Removed names, and how JAX's message for each ends.
_REMOVED_NAMES = {
    "get_aval": "; use jax.typeof instead.", "traverse_jaxpr_params": ".",
    **{n: f". Use jax.extend.core.{n}." for n in (
        "mapped_aval", "unmapped_aval", "set_current_trace", "take_current_trace", "TraceTag",
        "call_impl", "subjaxprs", "AbstractToken")},
}
# Deprecated names jaxlite has, by the module JAX's message points to (None: none).
_DEPRECATED_NAMES = {
    "jax.extend.core": ("CallPrimitive", "DebugInfo", "DropVar", "Effect", "Effects",
                        "check_jaxpr", "concrete_or_error", "find_top_trace", "gensym",
                        "get_opaque_trace_state", "jaxprs_in_params", "new_jaxpr_eqn",
                        "no_effects", "primal_dtype_to_tangent_dtype", "valid_jaxtype"),
    "jax.errors": ("InconclusiveDimensionOperation", "JaxprTypeError"),
    None: ("nonempty_axis_env_DO_NOT_USE", "unsafe_am_i_under_a_jit_DO_NOT_USE",
           "unsafe_am_i_under_a_vmap_DO_NOT_USE", "unsafe_get_axis_names_DO_NOT_USE",
           "JaxprPpContext", "JaxprPpSettings", "abstract_token"),
}


def _table() -> dict:
  # Called on the first read of a name not defined here: `import jax.core`
  # stays cheap.
  import importlib  # pylint: disable=g-import-not-at-top
  homes = [importlib.import_module(m) for m in
           ("jaxlite.extend.core", "jaxlite.errors", "jaxlite.jaxpr_printing", "jaxlite.core")]
  table = {}
  for name, ending in _REMOVED_NAMES.items():
    table[name] = (_REMOVED.format(name) + ending, None)
  for target, names in _DEPRECATED_NAMES.items():
    for name in names:
      value = next(getattr(m, name) for m in homes if hasattr(m, name))
      text = f"jax.core.{name} is deprecated." + (f" Use {target}.{name}." if target else "")
      table[name] = (text, value)
  return table


__getattr__ = deprecation_getattr("jax.core", _table)
