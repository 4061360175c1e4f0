"""``jaxlite.numpy``: NumPy's API on jaxlite arrays, built on ``jaxlite.lax``.

Every function here runs its computation on XLA (eagerly, or staged under
``jit``); each family lives in its own module and this module only
re-exports.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sum(jnp.arange(4.0) * 2)
  Array(12., dtype=float32)
"""
import numpy as _np

from jaxlite.basearray import Array as ndarray  # noqa: F401  (jax.Array: arrays and tracers)
from jaxlite.runtime.array import Array  # noqa: F401

from jaxlite.numpy.scalar_types import *  # noqa: F401,F403
from jaxlite.numpy.scalar_types import (bool_, result_type, promote_types,  # noqa: F401
                                        issubdtype, isdtype, can_cast, isscalar,
                                        iscomplexobj, isrealobj)
from jaxlite.numpy.creation import *  # noqa: F401,F403
from jaxlite.numpy.ufuncs import *  # noqa: F401,F403
from jaxlite.numpy.ufuncs import (abs, pow, round, divmod)  # noqa: F401
from jaxlite.numpy.ufunc_objects import *  # noqa: F401,F403  (jnp.add etc. as ufunc objects)
from jaxlite.numpy.manipulation import *  # noqa: F401,F403
from jaxlite.numpy.padding import pad  # noqa: F401
from jaxlite.numpy.reductions import *  # noqa: F401,F403
from jaxlite.numpy.reductions import sum, prod, max, min, all, any  # noqa: F401
from jaxlite.numpy.sorting import *  # noqa: F401,F403
from jaxlite.numpy.linear import *  # noqa: F401,F403
from jaxlite.numpy.misc import *  # noqa: F401,F403
from jaxlite.numpy.vectorize import vectorize  # noqa: F401
from jaxlite.numpy.index_tricks import *  # noqa: F401,F403
from jaxlite.numpy.setops import *  # noqa: F401,F403
from jaxlite.numpy.histogram import *  # noqa: F401,F403
from jaxlite.numpy.convolution import *  # noqa: F401,F403
from jaxlite.numpy.polynomial import *  # noqa: F401,F403
from jaxlite.numpy.functional import *  # noqa: F401,F403
from jaxlite.numpy.updates import *  # noqa: F401,F403
from jaxlite.numpy.bitpacking import *  # noqa: F401,F403
from jaxlite.numpy.windows import *  # noqa: F401,F403
from jaxlite.numpy.host_io import *  # noqa: F401,F403
from jaxlite.numpy.indexing import NonConcreteBooleanIndexError  # noqa: F401
from jaxlite.numpy import array_methods as _array_methods  # noqa: F401  (installs operators)

pi = _np.pi
e = _np.e
euler_gamma = _np.euler_gamma
inf = _np.inf
nan = _np.nan
newaxis = None
from jaxlite.numpy import linalg, fft  # noqa: F401,E402


# Names JAX 0.10.2 has removed from jax.numpy, with its messages.
_deprecations = {
    "fix": ("jax.numpy.fix was deprecated in JAX v0.9.0, and will be removed in JAX v0.10.0. "
            "Use jax.numpy.trunc instead.", None),
}
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402
_removed_name = _deprecation_getattr(__name__, _deprecations)


def __getattr__(name):
  # jnp.bfloat16 and the other ml_dtypes scalar types, jnp.finfo/iinfo and
  # jnp.dtype load ml_dtypes on first use (see jaxlite/numpy/scalar_types.py).
  from jaxlite.numpy import scalar_types  # pylint: disable=g-import-not-at-top
  if name in scalar_types.LAZY_NAMES:
    value = getattr(scalar_types, name)
    globals()[name] = value
    return value
  return _removed_name(name)


def __dir__():
  from jaxlite.numpy import scalar_types  # pylint: disable=g-import-not-at-top
  return sorted({*globals(), *scalar_types.LAZY_NAMES})
