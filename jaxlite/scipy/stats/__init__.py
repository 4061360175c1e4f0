"""``jaxlite.scipy.stats``: SciPy's probability distributions and summary
statistics, as ``jax.scipy.stats`` has them (one module per distribution).

  >>> from jaxlite.scipy.stats import norm
  >>> norm.cdf(0.)
  Array(0.5, dtype=float32)
"""
from jaxlite.scipy.stats import norm  # noqa: F401
from jaxlite.scipy.stats import multivariate_normal  # noqa: F401,E402
from jaxlite.scipy.stats import (  # noqa: F401,E402
    bernoulli, beta, betabinom, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm, geom,
    gumbel_l, gumbel_r, laplace, logistic, multinomial, nbinom, pareto, poisson, t, truncnorm,
    uniform, vonmises, wrapcauchy)
from jaxlite.scipy.stats._summary import mode, rankdata, sem  # noqa: F401,E402
from jaxlite.scipy.stats.kde import gaussian_kde  # noqa: F401,E402
