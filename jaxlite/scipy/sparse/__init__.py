"""``jaxlite.scipy.sparse``: iterative solvers for linear systems given as functions.

  >>> from jaxlite.scipy.sparse import linalg
  >>> sorted(linalg.__all__)
  ['bicgstab', 'cg', 'gmres']
"""
from jaxlite.scipy.sparse import linalg  # noqa: F401
