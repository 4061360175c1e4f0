"""``jaxlite.lax``: the primitives, with JAX's signatures.

Each family lives in its own module and lists its public names in ``__all__``;
this module only re-exports them.
"""
from jaxlite.lax.elementwise import *  # noqa: F401,F403
from jaxlite.lax.transcendental import *  # noqa: F401,F403
from jaxlite.lax.bitwise import *  # noqa: F401,F403
from jaxlite.lax.structural import *  # noqa: F401,F403
from jaxlite.lax.reductions import *  # noqa: F401,F403
from jaxlite.lax.windowed import *  # noqa: F401,F403
from jaxlite.lax.cumulative import *  # noqa: F401,F403
from jaxlite.lax.slicing import *  # noqa: F401,F403
from jaxlite.lax.dot_conv import *  # noqa: F401,F403
from jaxlite.lax.conv import *  # noqa: F401,F403
from jaxlite.lax.sorting import *  # noqa: F401,F403
from jaxlite.lax.misc import *  # noqa: F401,F403
from jaxlite.lax.control_flow import *  # noqa: F401,F403
from jaxlite.lax.parallel import *  # noqa: F401,F403
from jaxlite.lax.sharding_constraint import *  # noqa: F401,F403,E402
from jaxlite.interpreters.ad import stop_gradient, stop_gradient_p  # noqa: F401,E402
from jaxlite.lax import linalg  # noqa: F401,E402
from jaxlite.lax.fourier import *  # noqa: F401,F403,E402
from jaxlite.lax.special import *  # noqa: F401,F403,E402
from jaxlite.lax.composed import *  # noqa: F401,F403,E402
from jaxlite.lax.barrier import *  # noqa: F401,F403,E402
from jaxlite.lax import pp_rules as _pp_rules  # noqa: F401,E402  (printing rules)
from jaxlite.lax.accuracy import *  # noqa: F401,F403,E402
from jaxlite.lax.ragged import *  # noqa: F401,F403,E402
from jaxlite.lax.approx_topk import *  # noqa: F401,F403,E402
from jaxlite.lax.pieces import *  # noqa: F401,F403,E402
from jaxlite.lax.multiply_high import *  # noqa: F401,F403,E402
from jaxlite.lax.uninitialized import *  # noqa: F401,F403,E402
from jaxlite.lax.composites import *  # noqa: F401,F403,E402
from jaxlite.lax.platform_branches import *  # noqa: F401,F403,E402
from jaxlite.lax.staging import *  # noqa: F401,F403,E402
from jaxlite.lax.patches import *  # noqa: F401,F403,E402
from jaxlite.lax.select_scatter import *  # noqa: F401,F403,E402
from jaxlite.lax.dot_algorithms import *  # noqa: F401,F403,E402
from jaxlite.lax.parallel_casts import *  # noqa: F401,F403,E402
from jaxlite.lax.scaled_products import *  # noqa: F401,F403,E402
from jaxlite.lax.ragged_collective import *  # noqa: F401,F403,E402
from jaxlite.lax.device_transfer import *  # noqa: F401,F403,E402
from jaxlite.lax.tokens import *  # noqa: F401,F403,E402
from jaxlite.lax.single_sided import *  # noqa: F401,F403,E402

from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr  # noqa: E402

# Names JAX 0.10.2 has removed from jax.lax, with its messages.
_deprecations = {
    "pvary": ("jax.lax.pvary was deprecated in JAX v0.8.2 and removed in JAX v0.10.0;"
              " use `jax.lax.pcast(..., to='varying')", None),
}
__getattr__ = _deprecation_getattr(__name__, _deprecations)
