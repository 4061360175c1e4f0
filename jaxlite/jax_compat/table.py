"""The one declared mapping from JAX's module names to jaxlite's modules.

When the switch is on (``jaxlite.install_as_jax()`` or ``python -m jaxlite``),
``import X`` for every ``X`` below gives the jaxlite module named beside it,
the very same module object (``jax.numpy is jaxlite.numpy``). A ``jax...``
name that is not here raises ``ModuleNotFoundError``, as a missing JAX module
would: libraries probe optional modules with ``try: import ...``.

Three kinds of target:

* ``"jaxlite.x"``: jaxlite's own module with that job.
* ``"jaxlite.jax_compat.gather_x"``: jaxlite's layout has no module of that
  name, so a small module in this package re-exports the names from where
  they live in jaxlite (nothing is defined there).
* ``NAMESPACE``: a package JAX has only to hold the modules below it
  (``jax._src``); the switch serves an empty package whose attributes are
  those children once imported.

The top-level ``jax`` is ``jaxlite.jax_compat.jax_module``: jaxlite's public
names plus ``__version__ = "0.10.2"``, the JAX API level that jaxlite
implements (``jaxlite.__version__`` stays jaxlite's own release number).

  >>> from jaxlite.jax_compat.table import JAX_MODULES
  >>> JAX_MODULES["jax.numpy"]
  'jaxlite.numpy'
"""

NAMESPACE = None  # see the module docstring

JAX_MODULES = {
    # --- the public API ----------------------------------------------------
    "jax": "jaxlite.jax_compat.jax_module",
    "jax.numpy": "jaxlite.numpy",
    "jax.numpy.fft": "jaxlite.numpy.fft",
    "jax.numpy.linalg": "jaxlite.numpy.linalg",
    "jax.lax": "jaxlite.lax",
    "jax.lax.linalg": "jaxlite.lax.linalg",
    "jax.random": "jaxlite.random",
    "jax.ref": "jaxlite.ref",
    "jax.tree": "jaxlite.tree",
    "jax.tree_util": "jaxlite.tree_util",
    "jax.flatten_util": "jaxlite.flatten_util",
    "jax.nn": "jaxlite.nn",
    "jax.nn.initializers": "jaxlite.nn.initializers",
    "jax.scipy": "jaxlite.scipy",
    "jax.scipy.special": "jaxlite.scipy.special",
    "jax.scipy.linalg": "jaxlite.scipy.linalg",
    "jax.scipy.stats": "jaxlite.scipy.stats",
    "jax.scipy.stats.norm": "jaxlite.scipy.stats.norm",
    "jax.scipy.stats.multivariate_normal": "jaxlite.scipy.stats.multivariate_normal",
    "jax.scipy.signal": "jaxlite.scipy.signal",
    "jax.scipy.fft": "jaxlite.scipy.fft",
    "jax.scipy.integrate": "jaxlite.scipy.integrate",
    "jax.scipy.cluster": "jaxlite.scipy.cluster",
    "jax.scipy.cluster.vq": "jaxlite.scipy.cluster.vq",
    "jax.scipy.ndimage": "jaxlite.scipy.ndimage",
    "jax.scipy.interpolate": "jaxlite.scipy.interpolate",
    "jax.scipy.optimize": "jaxlite.scipy.optimize",
    "jax.scipy.spatial": "jaxlite.scipy.spatial",
    "jax.scipy.spatial.transform": "jaxlite.scipy.spatial.transform",
    "jax.dtypes": "jaxlite.dtypes",
    "jax.errors": "jaxlite.errors",
    "jax.debug": "jaxlite.debug",
    "jax.distributed": "jaxlite.distributed",
    "jax.test_util": "jaxlite.test_util",
    "jax.custom_derivatives": "jaxlite.custom_derivatives",
    "jax.ad_checkpoint": "jaxlite.ad_checkpoint",
    "jax.api_util": "jaxlite.jax_compat.api_util",
    "jax.example_libraries": "jaxlite.example_libraries",
    "jax.example_libraries.optimizers": "jaxlite.example_libraries.optimizers",
    "jax.example_libraries.stax": "jaxlite.example_libraries.stax",
    "jax.core": "jaxlite.jax_compat.core",
    "jax.typing": "jaxlite.typing",
    "jax.stages": "jaxlite.stages",
    "jax.profiler": "jaxlite.profiler",
    "jax.monitoring": "jaxlite.monitoring",
    "jax.ffi": "jaxlite.ffi",
    "jax.export": "jaxlite.export",
    "jax.version": "jaxlite.jax_compat.version",
    "jax.experimental": "jaxlite.experimental",
    "jax.experimental.layout": "jaxlite.experimental.layout",
    "jax.experimental.checkify": "jaxlite.experimental.checkify",
    "jax.experimental.hijax": "jaxlite.experimental.hijax",
    "jax.experimental.mesh_utils": "jaxlite.experimental.mesh_utils",
    "jax.experimental.multihost_utils": "jaxlite.experimental.multihost_utils",
    "jax.experimental.pjit": "jaxlite.experimental.pjit",
    "jax.experimental.shard_map": "jaxlite.experimental.shard_map",
    "jax.experimental.ode": "jaxlite.experimental.ode",
    "jax.experimental.jet": "jaxlite.experimental.jet",
    "jax.experimental.sparse": "jaxlite.experimental.sparse",
    "jax.experimental.sparse.bcoo": "jaxlite.experimental.sparse.bcoo",
    "jax.experimental.sparse.util": "jaxlite.experimental.sparse.util",
    "jax.experimental.sparse.ad": "jaxlite.experimental.sparse.ad",
    "jax.experimental.sparse.api": "jaxlite.experimental.sparse.api",
    "jax.experimental.sparse.random": "jaxlite.experimental.sparse.random",
    "jax.experimental.sparse.transform": "jaxlite.experimental.sparse.transform",
    "jax.experimental.sparse._base": "jaxlite.experimental.sparse._base",
    "jax.experimental.sparse.coo": "jaxlite.experimental.sparse.coo",
    "jax.experimental.sparse.csr": "jaxlite.experimental.sparse.csr",
    "jax.image": "jaxlite.image",
    "jax.custom_batching": "jaxlite.custom_batching",
    "jax.dlpack": "jaxlite.dlpack",
    "jax.sharding": "jaxlite.sharding",
    # --- jax.extend: the API for libraries that build on JAX's internals ---
    "jax.extend": "jaxlite.extend",
    "jax.extend.core": "jaxlite.extend.core",
    "jax.extend.linear_util": "jaxlite.extend.linear_util",
    "jax.extend.source_info_util": "jaxlite.source_info_util",
    "jax.extend.backend": "jaxlite.extend.backend",
    "jax.extend.random": "jaxlite.extend.random",
    # --- transformations as interpreters -----------------------------------
    "jax.interpreters": "jaxlite.interpreters",
    "jax.interpreters.ad": "jaxlite.interpreters.ad",
    "jax.interpreters.batching": "jaxlite.interpreters.batching",
    "jax.interpreters.partial_eval": "jaxlite.interpreters.partial_eval",
    "jax.interpreters.mlir": "jaxlite.interpreters.mlir",
    "jax.interpreters.pxla": "jaxlite.interpreters.pxla",
    # --- the jax._src modules that libraries reach into ---------------------
    "jax._src": NAMESPACE,
    "jax._src.core": "jaxlite.core",
    "jax._src.dtypes": "jaxlite.jax_compat.src_dtypes",
    "jax._src.traceback_util": "jaxlite.traceback_util",
    "jax._src.tree_util": "jaxlite.jax_compat.src_tree_util",
    "jax._src.checkify": "jaxlite.experimental.checkify",
    "jax._src.state": "jaxlite.state",
    "jax._src.state.types": "jaxlite.state.types",
    "jax._src.api_util": "jaxlite.jax_compat.api_util",
    "jax._src.custom_derivatives": "jaxlite.custom_derivatives",
    "jax._src.dispatch": "jaxlite.interpreters.dispatch",
    "jax._src.compiler": "jaxlite.runtime.executable",
    "jax._src.xla_bridge": "jaxlite.runtime.backend",
    "jax._src.typing": "jaxlite.typing",
    "jax._src.stages": "jaxlite.stages",
    "jax._src.basearray": "jaxlite.basearray",
    "jax._src.source_info_util": "jaxlite.source_info_util",
    "jax._src.monitoring": "jaxlite.monitoring",
    "jax._src.profiler": "jaxlite.profiler",
    "jax._src.linear_util": "jaxlite.extend.linear_util",
    "jax._src.interpreters": NAMESPACE,
    "jax._src.interpreters.ad": "jaxlite.interpreters.ad",
    "jax._src.interpreters.batching": "jaxlite.interpreters.batching",
    "jax._src.interpreters.partial_eval": "jaxlite.interpreters.partial_eval",
    "jax._src.interpreters.mlir": "jaxlite.interpreters.mlir",
    "jax._src.interpreters.pxla": "jaxlite.interpreters.pxla",
}


def target_of(jax_name):
  """The jaxlite module name served for ``jax_name``.

  Returns ``NAMESPACE`` for a holding package and raises ``KeyError`` for a
  name the switch does not serve.

    >>> target_of("jax.lax")
    'jaxlite.lax'
  """
  return JAX_MODULES[jax_name]


# jaxlite module -> the JAX name it is served as (the first, public one where
# several serve it: the table lists the public API first).
_SERVED_AS = {target: jax_name for jax_name, target in reversed(list(JAX_MODULES.items()))
              if target is not NAMESPACE}


def jax_name_of(module_name):
  """The JAX module name the switch serves jaxlite's ``module_name`` as (its
  public one where several serve it); None for a module it does not serve.

    >>> jax_name_of("jaxlite.numpy"), jax_name_of("jaxlite.tree_util")
    ('jax.numpy', 'jax.tree_util')
  """
  return _SERVED_AS.get(module_name)
