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
from jaxlite.numpy.reductions import *  # noqa: F401,F403
from jaxlite.numpy.reductions import sum, prod, max, min, all, any  # noqa: F401
from jaxlite.numpy.vectorize import vectorize  # noqa: F401
from jaxlite.numpy import array_methods as _array_methods  # noqa: F401  (installs operators)

pi = _np.pi
e = _np.e
euler_gamma = _np.euler_gamma
inf = _np.inf
nan = _np.nan
newaxis = None


# Names JAX 0.10.2 has removed from jax.numpy, with its messages.
_deprecations = {
    "fix": ("jax.numpy.fix was deprecated in JAX v0.9.0, and will be removed in JAX v0.10.0. "
            "Use jax.numpy.trunc instead.", None),
}
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402
from jaxlite._lazy_exports import lazy_exports as _lazy_exports  # noqa: E402
from jaxlite.numpy import scalar_types  # noqa: E402
_removed_name = _deprecation_getattr(__name__, _deprecations)


# The families imported on first use of one of their names (each module's
# __all__; tests/test_lazy_imports.py checks that they agree), so that
# `import jaxlite` stays fast. The Array methods reach them through this module.
_LAZY_EXPORTS = {
    "jaxlite.numpy.sorting": (
        "sort", "argsort", "lexsort", "partition", "argpartition", "searchsorted", "nonzero",
        "argwhere", "flatnonzero", "unique",),
    "jaxlite.numpy.linear": (
        "dot", "vdot", "vecdot", "matmul", "matvec", "vecmat", "tensordot", "inner", "outer",
        "kron", "diagonal", "trace", "diag", "diagflat", "cross", "einsum", "einsum_path",),
    "jaxlite.numpy.misc": (
        "allclose", "array_equal", "array_equiv", "diff", "ediff1d", "select", "compress",
        "extract", "choose", "append", "delete", "insert", "bincount", "digitize", "interp",
        "isin", "trapezoid", "cov", "corrcoef", "resize", "gradient", "unwrap",),
    "jaxlite.numpy.index_tricks": (
        "ix_", "mgrid", "ogrid", "r_", "c_", "s_", "index_exp", "tril_indices",
        "triu_indices", "tril_indices_from", "triu_indices_from", "diag_indices",
        "diag_indices_from", "mask_indices", "ravel_multi_index", "unravel_index",),
    "jaxlite.numpy.setops": (
        "union1d", "intersect1d", "setdiff1d", "setxor1d", "unique_values", "unique_counts",
        "unique_inverse", "unique_all", "sort_complex",),
    "jaxlite.numpy.histograms": (
        "histogram_bin_edges", "histogram", "histogram2d", "histogramdd",),
    "jaxlite.numpy.polynomial": (
        "poly", "polyadd", "polysub", "polymul", "polydiv", "polyder", "polyint", "polyval",
        "polyfit", "roots", "vander", "trim_zeros",),
    "jaxlite.numpy.functional": ("apply_along_axis", "apply_over_axes", "piecewise",),
    "jaxlite.numpy.updates": ("put", "place", "fill_diagonal",),
    "jaxlite.numpy.bitpacking": ("packbits", "unpackbits",),
    "jaxlite.numpy.windows": ("bartlett", "blackman", "hamming", "hanning", "kaiser",),
    "jaxlite.numpy.host_io": (
        "save", "savez", "load", "fromfile", "fromiter", "fromstring", "from_dlpack",
        "array_repr", "array_str", "printoptions", "set_printoptions", "get_printoptions",),
    "jaxlite.numpy.convolution": ("convolve", "correlate",),
    "jaxlite.numpy.quantiles": (
        "quantile", "nanquantile", "percentile", "nanpercentile", "median", "nanmedian",),
    "jaxlite.numpy.padding": ("pad",),
    "jaxlite.numpy.indexing": ("NonConcreteBooleanIndexError",),
    # jnp.bfloat16 and the other ml_dtypes scalar types, jnp.finfo/iinfo and
    # jnp.dtype load ml_dtypes on first use (see jaxlite/numpy/scalar_types.py).
    "jaxlite.numpy.scalar_types": tuple(scalar_types.LAZY_NAMES),
}
__getattr__, __dir__ = _lazy_exports(globals(), _LAZY_EXPORTS, ("linalg", "fft"),
                                     _removed_name)
