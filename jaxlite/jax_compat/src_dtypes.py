"""``jax._src.dtypes``: jaxlite's ``dtypes`` module, plus the ``DType`` alias
that JAX's private module re-exports from its typing module (flax's fp8
dtypes annotate fields with it). Every other name is jaxlite.dtypes' own.

  >>> from jaxlite.jax_compat import src_dtypes
  >>> src_dtypes.DType, src_dtypes.canonicalize_dtype is src_dtypes._dtypes.canonicalize_dtype
  (<class 'numpy.dtype'>, True)
"""
from jaxlite import dtypes as _dtypes
from jaxlite.typing import DType  # noqa: F401


def __getattr__(name):
  return getattr(_dtypes, name)
