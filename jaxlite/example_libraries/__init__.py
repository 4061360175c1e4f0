"""``jaxlite.example_libraries``: the small libraries JAX ships as examples.

``optimizers`` (first-order optimizers as ``(init, update, get_params)``
triples) and ``stax`` (neural-network layers as ``(init_fun, apply_fun)``
pairs). Import the submodules as JAX programs do:

  >>> from jaxlite.example_libraries import optimizers, stax
"""
