"""``jax.experimental.shard_map``: the older spelling of ``jax.shard_map``
(deprecated in JAX, kept with its warning).

  >>> import warnings
  >>> with warnings.catch_warnings():
  ...   warnings.simplefilter("ignore")
  ...   from jaxlite.experimental.shard_map import shard_map
  >>> callable(shard_map)
  True
"""
import warnings

from jaxlite.interpreters import shard_map as _shard_map_lib


def _shard_map(f, mesh, in_specs, out_specs, check_rep=True):
  """``jax.shard_map(f, mesh=mesh, in_specs=..., out_specs=..., check_vma=check_rep)``."""
  return _shard_map_lib.shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                                  check_vma=check_rep)


def __getattr__(name):
  if name == "shard_map":
    warnings.warn("jax.experimental.shard_map is deprecated in v0.8.0. Used "
                  "jax.shard_map instead.", DeprecationWarning, stacklevel=2)
    return _shard_map
  from jaxlite.deprecations import no_attribute_error  # pylint: disable=g-import-not-at-top
  raise no_attribute_error(__name__, name)
