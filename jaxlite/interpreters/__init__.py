"""Transformations as interpreters: staging (partial_eval), ad, batching, mlir, pxla."""
from jaxlite._lazy_exports import lazy_exports as _lazy_exports

# `import jaxlite` imports the interpreters it needs; the others (pmap's pxla
# ...) are imported on first use, and read as attributes as before.
__getattr__, __dir__ = _lazy_exports(globals(), {}, (
    "ad", "batching", "collectives", "dispatch", "donation", "inspect_sharding", "locations",
    "mlir", "operand_gatherers", "output_builders", "partial_eval", "pjit", "pmap_staging",
    "pxla", "shard_map", "spmd", "vma"))
