"""``jaxlite.scipy.stats``: probability distributions (``norm``).

  >>> from jaxlite.scipy.stats import norm
  >>> norm.cdf(0.)
  Array(0.5, dtype=float32)
"""
from jaxlite.scipy.stats import norm  # noqa: F401
from jaxlite.scipy.stats import multivariate_normal  # noqa: F401,E402
