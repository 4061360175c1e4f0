"""jaxlite: JAX's programming model in readable Python on jaxlib's compiler stack.

  >>> import jaxlite as jax
  >>> import jaxlite.numpy as jnp

This module only re-exports; each name is defined in the module that owns it.
"""
__version__ = "0.1.0"

# jaxlib's C++ runtime logs INFO lines (the PJRT client's device count) to
# stderr unless told otherwise. As JAX does, default the native log level to
# WARNING before jaxlib loads; a user's own TF_CPP_MIN_LOG_LEVEL wins.
import os as _os
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
del _os

from jaxlite.config import config
from jaxlite.config import (check_tracer_leaks, debug_infs, debug_nans, default_device,
                            default_matmul_precision, enable_checks, enable_x64,
                            explain_cache_misses, log_compiles,
                            numpy_dtype_promotion, numpy_rank_promotion)
from jaxlite.core import ShapedArray
from jaxlite.basearray import Array
from jaxlite.runtime.backend import (default_backend, device_count, devices, host_count,
                                     host_id, host_ids, local_device_count, local_devices,
                                     process_count, process_index, process_indices)
from jaxlite.runtime.caches import clear_caches
from jaxlite.runtime.transfer import (device_get, device_put, device_put_replicated,
                                      device_put_sharded)
from jaxlite.api import (ShapeDtypeStruct, disable_jit, eval_shape, jit, make_jaxpr,
                         named_call, xla_computation)
from jaxlite import dtypes, lax, tree, tree_util
# `jaxlite.checkpoint` is both a module and the function: the function must be
# bound after the module is imported, so it stays eager (see _LAZY_ATTRIBUTES).
from jaxlite.checkpoint import checkpoint, checkpoint_policies, remat
from jaxlite.vectorization import vmap
from jaxlite import numpy as numpy  # noqa: E402  (installs the Array/Tracer operators)
from jaxlite.core_tools import ensure_compile_time_eval  # noqa: E402
from jaxlite.source_info_util import named_scope  # noqa: E402

# Subpackages that research code reaches as attributes (`jax.random.normal`)
# are imported on first access, so that `import jaxlite` stays fast.
_LAZY_SUBMODULES = frozenset({
    "random", "nn", "scipy", "linen", "distributed", "tools", "debug", "errors",
    "flatten_util", "example_libraries", "experimental", "test_util", "typing", "extend",
    "stages", "sharding", "ops", "profiler", "monitoring", "ffi", "export",
    "custom_batching", "image", "dlpack", "ref",
    # Imported by `import jaxlite` before; still reachable as attributes.
    "custom_derivatives", "ad_checkpoint", "differentiation", "callbacks", "jax_compat",
})

# Top-level names defined in lazily imported modules: name -> (module, attribute).
# A name must not be the name of a submodule of jaxlite (as `checkpoint` is):
# importing that submodule would bind the module over it.
_LAZY_ATTRIBUTES = {
    **{name: ("jaxlite.differentiation", name) for name in (
        "grad", "hessian", "jacfwd", "jacobian", "jacrev", "jvp", "linear_transpose",
        "linearize", "stop_gradient", "value_and_grad", "vjp")},
    **{name: ("jaxlite.custom_derivatives", name) for name in (
        "closure_convert", "custom_gradient", "custom_jvp", "custom_vjp")},
    "pmap": ("jaxlite.interpreters.pxla", "pmap"),
    "pure_callback": ("jaxlite.callbacks", "pure_callback"),
    "install_as_jax": ("jaxlite.jax_compat", "install_as_jax"),
    "P": ("jaxlite.sharding.partition_spec", "PartitionSpec"),
    "make_mesh": ("jaxlite.sharding.mesh", "make_mesh"),
    "set_mesh": ("jaxlite.sharding.mesh", "set_mesh"),
    "Device": ("jaxlib._jax", "Device"),  # the class of jaxlite.devices()' items, as JAX's
    "typeof": ("jaxlite.core", "get_aval"),  # the abstract value (type) of a value, as JAX's
    "float0": ("jaxlite.dtypes", "float0"),   # the tangent dtype of integer inputs
    "block_until_ready": ("jaxlite.runtime.host_sync", "block_until_ready"),
    "copy_to_host_async": ("jaxlite.runtime.host_sync", "copy_to_host_async"),
    "live_arrays": ("jaxlite.runtime.host_sync", "live_arrays"),
    "print_environment_info": ("jaxlite.runtime.host_sync", "print_environment_info"),
    "shard_map": ("jaxlite.interpreters.shard_map", "shard_map"),
    "reshard": ("jaxlite.lax.sharding_constraint", "reshard"),
    "NamedSharding": ("jaxlite.sharding.shardings", "NamedSharding"),
    "make_array_from_callback": ("jaxlite.interpreters.spmd", "make_array_from_callback"),
    "make_array_from_single_device_arrays": ("jaxlite.interpreters.spmd",
                                             "make_array_from_single_device_arrays"),
    "make_array_from_process_local_data": ("jaxlite.interpreters.spmd",
                                           "make_array_from_process_local_data"),
    "fwd_and_bwd": ("jaxlite.api_extras", "fwd_and_bwd"),
    "ds": ("jaxlite.numpy.dynamic_slice_index", "ds"),
    "smap": ("jaxlite.api_extras", "smap"),
    "effects_barrier": ("jaxlite.api_extras", "effects_barrier"),
    "memory": ("jaxlite.api_extras", "memory"),
    "Shard": ("jaxlite.runtime.array", "Shard"),   # the items of addressable_shards
    **{name: ("jaxlite.state", name)   # mutable array references
       for name in ("Ref", "new_ref", "empty_ref", "free_ref", "freeze")},
    "ad": ("jaxlite.state.vjp_refs", "ad"),
    **{name: ("jaxlite.config_guards", name) for name in (
        "transfer_guard", "transfer_guard_host_to_device", "transfer_guard_device_to_device",
        "transfer_guard_device_to_host", "checking_leaks", "make_user_context", "no_tracing",
        "no_execution", "allow_f16_reductions", "auto_pcast", "thread_guard",
        "array_garbage_collection_guard", "remove_size_one_mesh_axis_from_type",
        "jax2tf_associative_scan_reductions", "threefry_partitionable", "softmax_custom_jvp",
        "default_prng_impl", "enable_custom_prng", "legacy_prng_key", "debug_key_reuse")},
}


def __getattr__(name):
  if name in _LAZY_SUBMODULES:
    import importlib
    module = importlib.import_module(f"jaxlite.{name}")
    globals()[name] = module
    return module
  if name in _LAZY_ATTRIBUTES:
    import importlib
    module_name, attribute = _LAZY_ATTRIBUTES[name]
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value
  raise AttributeError(f"module 'jaxlite' has no attribute {name!r}")


def __dir__():
  return sorted(set(globals()) | _LAZY_SUBMODULES | set(_LAZY_ATTRIBUTES))
