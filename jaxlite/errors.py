"""The errors jaxlite raises for user mistakes, under JAX's names (``jax.errors``).

Each class is defined where it is raised; this module gathers them so that
code written for JAX can catch them by the same names::

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite import errors
  >>> @jaxlite.jit
  ... def f(x):
  ...   return x if x > 0 else -x
  >>> try:
  ...   f(1.0)
  ... except errors.TracerBoolConversionError as e:
  ...   print(str(e).splitlines()[0])
  Attempted boolean conversion of traced array with shape bool[].

``docs/errors.md`` lists every error with its cause, an example and the fix.

Tracebacks of exceptions that escape a jaxlite API boundary (a ``jit``,
``grad``, ``vmap`` or ``pmap`` call, the AD and staging APIs, an eager
primitive) have jaxlite's internal frames removed; see
``jaxlite.traceback_util`` and ``config.jax_traceback_filtering``.
"""
from __future__ import annotations

from jaxlib import _jax

from jaxlite.core import (ConcretizationTypeError, JaxprTypeError,
                          TracerArrayConversionError, TracerBoolConversionError,
                          TracerIntegerConversionError, UnexpectedTracerError)
from jaxlite.numpy.indexing import NonConcreteBooleanIndexError
from jaxlite.traceback_util import (SimplifiedTraceback, UnfilteredStackTrace,
                                    api_boundary)

__all__ = [
    "ConcretizationTypeError", "InconclusiveDimensionOperation", "JAXIndexError",
    "JAXTypeError", "JaxRuntimeError", "JaxprTypeError", "KeyReuseError",
    "NonConcreteBooleanIndexError", "SimplifiedTraceback", "TracerArrayConversionError",
    "TracerBoolConversionError", "TracerIntegerConversionError", "UnexpectedTracerError",
    "UnfilteredStackTrace", "api_boundary",
]

# Errors that XLA reports while compiling or running a program (out of memory,
# a failed custom call) are jaxlib's own class, shared with JAX in one process.
JaxRuntimeError = _jax.JaxRuntimeError


class _ErrorPageMixin:
  """Appends the link to the error's entry on JAX's error page, as JAX's
  errors do."""
  _error_page = "https://docs.jax.dev/en/latest/errors.html"

  def __init__(self, message: str):
    super().__init__(f"{message}\nSee {self._error_page}#jax.errors.{type(self).__name__}")


class JAXTypeError(_ErrorPageMixin, TypeError):
  """JAX-specific :class:`TypeError`.

  >>> str(JAXTypeError("bad type")).splitlines()
  ['bad type', 'See https://docs.jax.dev/en/latest/errors.html#jax.errors.JAXTypeError']
  """


class JAXIndexError(_ErrorPageMixin, IndexError):
  """JAX-specific :class:`IndexError`.

  >>> isinstance(JAXIndexError("out of range"), IndexError)
  True
  """


class InconclusiveDimensionOperation(Exception):
  """Raised when a computation on symbolic dimensions (shape polymorphism)
  cannot be decided.

  >>> issubclass(InconclusiveDimensionOperation, Exception)
  True
  """


class KeyReuseError(JAXTypeError):
  """A PRNG key was used twice (JAX's optional key-reuse checker).

  jaxlite has no key-reuse checker, so it never raises this; the name exists
  so that code written for JAX can refer to it.
  """


# Shown as ``jaxlite.errors.X`` in tracebacks, as JAX shows ``jax.errors.X``.
for _cls in (ConcretizationTypeError, TracerArrayConversionError, TracerBoolConversionError,
             TracerIntegerConversionError, UnexpectedTracerError, NonConcreteBooleanIndexError,
             KeyReuseError, SimplifiedTraceback, UnfilteredStackTrace, JAXTypeError,
             JAXIndexError, InconclusiveDimensionOperation):
  _cls.__module__ = __name__
del _cls
