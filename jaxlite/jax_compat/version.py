"""``jax.version``: the JAX API level jaxlite implements (see ``jax_module``).

  >>> from jaxlite.jax_compat import version
  >>> version.__version_info__ > (0, 4, 25)
  True
"""
from jaxlite.jax_compat.jax_module import __version__, __version_info__  # noqa: F401

_version = __version__
