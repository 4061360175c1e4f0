"""``jaxlite.scipy``: the parts of SciPy that JAX provides, on XLA.

  >>> from jaxlite.scipy import special
  >>> special.expit(0.)
  Array(0.5, dtype=float32, weak_type=True)
"""
from jaxlite.scipy import special, stats  # noqa: F401
from jaxlite.scipy import linalg  # noqa: F401,E402
from jaxlite.scipy import sparse  # noqa: F401,E402


# Loaded on first use (``jaxlite.scipy.signal`` ...), so ``import jaxlite.scipy`` stays light.
_LAZY = frozenset({'signal', 'fft', 'integrate', 'cluster', 'ndimage', 'interpolate', 'optimize',
                   'spatial'})


def __getattr__(name):
  if name in _LAZY:
    import importlib
    return importlib.import_module(f"jaxlite.scipy.{name}")
  from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
  raise no_attribute_error(__name__, name)
