"""The smaller helpers of ``jax.extend.core``: array types, jaxprs in
equation parameters, variable generation and the unsafe trace-stack queries.

  >>> import jaxlite
  >>> unsafe_am_i_under_a_jit_DO_NOT_USE()
  False
  >>> jaxlite.jit(lambda x: unsafe_am_i_under_a_jit_DO_NOT_USE())(1.0)
  Array(True, dtype=bool)
"""
from __future__ import annotations

from collections.abc import Iterator

import ml_dtypes
import numpy as np

from jaxlite import core

# The host types that are arrays to JAX: ndarray and the NumPy/ml_dtypes scalars.
array_types: set = {np.ndarray, np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
                    np.uint16, np.uint32, np.uint64, np.float16, np.float32, np.float64,
                    np.complex64, np.complex128, np.longlong} | {
    getattr(ml_dtypes, name) for name in (
        "bfloat16", "int1", "int2", "int4", "uint1", "uint2", "uint4", "float4_e2m1fn",
        "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz",
        "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu")
    if hasattr(ml_dtypes, name)}


def jaxprs_in_params(params) -> Iterator[core.Jaxpr]:
  """The jaxprs among an equation's parameters (a ``ClosedJaxpr`` gives its
  ``jaxpr``; tuples of them are looked into).

  >>> import jaxlite
  >>> closed = jaxlite.make_jaxpr(lambda x: jaxlite.jit(lambda y: y + 1)(x))(1.0)
  >>> len(list(jaxprs_in_params(closed.jaxpr.eqns[0].params)))
  1
  """
  for value in params.values():
    for v in value if isinstance(value, tuple) else (value,):
      if isinstance(v, core.Jaxpr):
        yield v
      elif isinstance(v, core.ClosedJaxpr):
        yield v.jaxpr


def gensym():
  """A maker of fresh variables: ``gensym()(aval)`` is a new ``Var``.

  >>> v = gensym()(core.ShapedArray((2,), np.float32))
  >>> v.aval
  ShapedArray(float32[2])
  """
  return core.Var


def _trace_types() -> list[str]:
  return [main.trace_type.__name__ for main in core._thread_state.trace_stack]


def unsafe_am_i_under_a_jit_DO_NOT_USE() -> bool:
  """Whether the caller runs while a function is being staged out (jit).

  >>> unsafe_am_i_under_a_jit_DO_NOT_USE()
  False
  """
  return any("JaxprTrace" in name for name in _trace_types())


def unsafe_am_i_under_a_vmap_DO_NOT_USE() -> bool:
  """Whether the caller runs inside a ``vmap``.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> jaxlite.vmap(lambda x: jnp.float32(unsafe_am_i_under_a_vmap_DO_NOT_USE()))(jnp.ones(2))
  Array([1., 1.], dtype=float32)
  """
  return "BatchTrace" in _trace_types()


def unsafe_get_axis_names_DO_NOT_USE() -> list:
  """The named axes (vmap/pmap ``axis_name``) bound around the caller.

  >>> unsafe_get_axis_names_DO_NOT_USE()
  []
  """
  return [frame.name for frame in core.axis_env_frames()]


def nonempty_axis_env_DO_NOT_USE() -> bool:
  """Whether any named axis is bound around the caller.

  >>> nonempty_axis_env_DO_NOT_USE()
  False
  """
  return bool(core.axis_env_frames())
