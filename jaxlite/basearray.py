"""``jax.Array``: the abstract type of every array value, concrete or traced.

JAX's contract is that ``isinstance(x, jax.Array)`` holds for a device array
and, inside ``jit``/``grad``/``vmap``, for the tracer standing for one; it
does not hold for Python scalars or NumPy arrays. Libraries (einops, chex,
equinox) decide how to treat a value with that check, so a tracer must pass it.

jaxlite's concrete array (``jaxlite.runtime.array.Array``) and its ``Tracer``
both derive from this class. It is a plain class with empty ``__slots__``
(no ABC metaclass): ``isinstance`` against it stays the C-level subclass test,
and the concrete classes keep their slot layouts.

  >>> import jaxlite, jaxlite.numpy as jnp, numpy as np
  >>> isinstance(jnp.ones(2), jaxlite.Array), isinstance(np.ones(2), jaxlite.Array)
  (True, False)
  >>> jaxlite.jit(lambda x: isinstance(x, jaxlite.Array))(1.0)
  True
"""


class Array:
  """The abstract array type: what ``jax.Array`` annotates and checks.

  It is never instantiated itself; values are device arrays or tracers.
  Both have ``shape``, ``dtype``, ``ndim``, ``size``, ``weak_type``, and the
  NumPy-style operators and methods.
  """
  __slots__ = ()
  __module__ = "jaxlite"

  def __init__(self, *args, **kwargs):
    # Only reached by ``Array(...)`` itself or a subclass without an __init__.
    if type(self) is Array:
      raise TypeError("jax.Array is an abstract type and cannot be instantiated; "
                      "use jax.numpy.asarray(...) to make an array")
    super().__init__(*args, **kwargs)


__all__ = ["Array"]
