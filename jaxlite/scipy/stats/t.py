"""Student's t distribution with ``df`` degrees of freedom: ``jax.scipy.stats.t``.

  >>> from jaxlite.scipy.stats import t
  >>> t.pdf(0.0, 1.0)
  Array(0.31831008, dtype=float32, weak_type=True)
"""
import numpy as np

from jaxlite import lax
from jaxlite.numpy.promotion import promote_args_inexact
from jaxlite.scipy.stats._common import const, standardized

__all__ = ["logpdf", "pdf"]


def logpdf(x, df, loc=0, scale=1):
  """Log density.

  >>> from jaxlite.scipy.stats import t
  >>> t.logpdf(1.0, 3.0)
  Array(-1.5762534, dtype=float32, weak_type=True)
  """
  x, df, loc, scale = promote_args_inexact("t.logpdf", x, df, loc, scale)
  two = const(x, 2)
  z = standardized(x, loc, scale)
  half_df = lax.div(df, two)
  half_df_plus_half = lax.add(half_df, const(x, 0.5))
  log_normalizer = lax.sub(
      lax.add(lax.lgamma(half_df),
              lax.div(lax.log(lax.mul(lax.mul(lax.mul(scale, scale), const(x, np.pi)), df)),
                      two)),
      lax.lgamma(half_df_plus_half))
  return lax.neg(lax.add(log_normalizer,
                         lax.mul(half_df_plus_half, lax.log1p(lax.div(lax.mul(z, z), df)))))


def pdf(x, df, loc=0, scale=1):
  """Density.

  >>> from jaxlite.scipy.stats import t
  >>> t.pdf(1.0, 3.0)
  Array(0.20674825, dtype=float32, weak_type=True)
  """
  return lax.exp(logpdf(x, df, loc, scale))
