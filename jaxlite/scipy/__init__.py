"""``jaxlite.scipy``: the parts of SciPy that JAX provides, on XLA.

  >>> from jaxlite.scipy import special
  >>> special.expit(0.)
  Array(0.5, dtype=float32, weak_type=True)
"""
from jaxlite.scipy import special, stats  # noqa: F401
from jaxlite.scipy import linalg  # noqa: F401,E402
from jaxlite.scipy import sparse  # noqa: F401,E402
