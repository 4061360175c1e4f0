"""``jaxlite.lax``: the primitives, with JAX's signatures.

Each family lives in its own module; this one only re-exports.
"""
from jaxlite.lax.elementwise import add, cos, mul, neg, sin, sub
from jaxlite.lax.reductions import reduce_sum
from jaxlite.lax.structural import (broadcast, broadcast_in_dim, convert_element_type,
                                    expand_dims, full, reshape, transpose)
