"""``jaxlite.lax``: the primitives, with JAX's signatures.

Each family lives in its own module and lists its public names in ``__all__``;
this module only re-exports them.
"""
from jaxlite.lax.elementwise import *  # noqa: F401,F403
from jaxlite.lax.transcendental import *  # noqa: F401,F403
from jaxlite.lax.bitwise import *  # noqa: F401,F403
from jaxlite.lax.structural import *  # noqa: F401,F403
from jaxlite.lax.reductions import *  # noqa: F401,F403
from jaxlite.lax.slicing import *  # noqa: F401,F403
from jaxlite.lax.dot_conv import *  # noqa: F401,F403
from jaxlite.interpreters.ad import stop_gradient, stop_gradient_p  # noqa: F401,E402
from jaxlite.lax import pp_rules as _pp_rules  # noqa: F401,E402  (printing rules)
from jaxlite.lax.accuracy import *  # noqa: F401,F403,E402
from jaxlite.lax.dot_algorithms import *  # noqa: F401,F403,E402

from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402
from jaxlite._lazy_exports import lazy_exports as _lazy_exports  # noqa: E402

# Names JAX 0.10.2 has removed from jax.lax, with its messages.
_deprecations = {
    "pvary": ("jax.lax.pvary was deprecated in JAX v0.8.2 and removed in JAX v0.10.0;"
              " use `jax.lax.pcast(..., to='varying')", None),
}

# The families imported on first use of one of their names (each module's
# __all__; tests/test_lazy_imports.py checks that they agree), so that
# `import jaxlite` stays fast. Their primitives and rules are registered when
# the module is imported, and nothing reaches them before that but through it.
_LAZY_EXPORTS = {
    "jaxlite.lax.misc": (
        "reduce_precision", "rng_bit_generator", "RandomAlgorithm", "reduce_precision_p",
        "copy_p", "rng_bit_generator_p",),
    "jaxlite.lax.sharding_constraint": (
        "with_sharding_constraint", "sharding_constraint_p",),
    "jaxlite.lax.composed": (
        "reciprocal", "broadcast_to_rank", "broadcast_like", "broadcast_shapes", "split",
        "tile", "stack", "unstack", "batch_matmul", "index_take", "dtype",
        "DotDimensionNumbers", "conv_shape_tuple", "conv_general_shape_tuple",
        "conv_transpose_shape_tuple", "conv_general_permutations",
        "reduce_window_shape_tuple",),
    "jaxlite.lax.pieces": (
        "split_p", "stack_p", "unstack_p", "tile_p",),
    "jaxlite.lax.windowed": (
        "reduce_window", "padtype_to_pads", "reduce_window_p", "reduce_window_sum_p",
        "reduce_window_max_p", "reduce_window_min_p", "select_and_gather_add_p",
        "select_and_scatter_add_p",),
    "jaxlite.lax.cumulative": (
        "cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "cumsum_p", "cumprod_p",
        "cummax_p", "cummin_p", "cumlogsumexp_p",),
    "jaxlite.lax.convolution": (
        "ConvDimensionNumbers", "conv_dimension_numbers", "conv_general_dilated", "conv",
        "conv_with_general_padding", "conv_transpose", "conv_general_dilated_p",
        "ConvGeneralDilatedDimensionNumbers",),
    "jaxlite.lax.sorting": ("sort", "sort_key_val", "top_k", "sort_p", "top_k_p",),
    "jaxlite.lax.control_flow": (
        "cond", "switch", "cond_p", "while_loop", "fori_loop", "map", "while_p", "scan",
        "scan_p", "associative_scan", "custom_linear_solve", "custom_root", "linear_solve_p",),
    "jaxlite.lax.parallel": (
        "psum", "pmean", "pmax", "pmin", "all_gather", "axis_index", "axis_size", "ppermute",
        "pshuffle", "all_to_all", "pswapaxes", "psum_scatter", "psum_p", "pmax_p", "pmin_p",
        "all_gather_p", "axis_index_p", "ppermute_p", "all_to_all_p", "reduce_scatter_p",),
    "jaxlite.lax.fourier": ("FftType", "fft", "fft_p",),
    "jaxlite.lax.special": (
        "igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "betainc", "zeta",
        "polygamma", "bessel_i0e", "bessel_i1e", "igamma_p", "igammac_p", "igamma_grad_a_p",
        "regularized_incomplete_beta_p", "zeta_p", "polygamma_p", "bessel_i0e_p",
        "bessel_i1e_p",),
    "jaxlite.lax.ragged": (
        "RaggedDotDimensionNumbers", "ragged_dot", "ragged_dot_general",
        "ragged_dot_general_p",),
    "jaxlite.lax.approx_topk": ("approx_max_k", "approx_min_k", "approx_top_k_p",),
    "jaxlite.lax.composites": ("composite",),
    "jaxlite.lax.patches": ("conv_general_dilated_patches", "conv_general_dilated_local",),
    "jaxlite.lax.scaled_products": ("scaled_dot",),
    "jaxlite.lax.ragged_collective": ("ragged_all_to_all", "ragged_all_to_all_p",),
    "jaxlite.lax.single_sided": ("psend", "precv",),
    "jaxlite.lax.tokens": ("create_token", "create_token_p", "after_all", "after_all_p",),
    "jaxlite.lax.multiply_high": ("mulhi", "mulhi_p",),
    "jaxlite.lax.uninitialized": ("empty",),
    "jaxlite.lax.platform_branches": ("platform_dependent",),
    "jaxlite.lax.select_scatter": ("select_and_scatter_p",),
    "jaxlite.lax.device_transfer": ("device_put_p",),
    "jaxlite.lax.barrier": ("optimization_barrier", "optimization_barrier_p",),
    "jaxlite.lax.parallel_casts": ("pbroadcast", "pcast",),
    "jaxlite.lax.staging": (
        "stage", "stage_p", "dce_sink", "dce_sink_p", "eq_to_p", "le_to_p", "lt_to_p",
        "shape_as_value", "rng_uniform", "rng_uniform_p",),
}
# Submodules read as attributes (`lax.linalg.cholesky`); the modules above are too.
_LAZY_SUBMODULES = ("linalg",)
__getattr__, __dir__ = _lazy_exports(globals(), _LAZY_EXPORTS, _LAZY_SUBMODULES,
                                     _deprecation_getattr(__name__, _deprecations))
