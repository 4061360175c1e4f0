"""``jax.experimental.hijax``: user-defined ("hi") primitives and types, as
JAX 0.10.2 exports them; see ``jaxlite.hijax`` for what jaxlite implements.

  >>> from jaxlite.experimental import hijax
  >>> issubclass(hijax.HiPrimitive, hijax.core.Primitive)
  True
"""
from jaxlite import core
from jaxlite.core import AbstractValue, ShapedArray, aval_method, aval_property  # noqa: F401
from jaxlite.core_tools import control_flow_allowed_effects  # noqa: F401
from jaxlite.hijax import (AvalMutableQDD, AvalQDD, HiPrimitive, HiPspec, HiType,  # noqa: F401
                           MutableHiType, register_hitype)
from jaxlite.interpreters.ad import Zero, instantiate_zeros, is_undefined_primal  # noqa: F401
from jaxlite.state.types import AbstractRef  # noqa: F401
