"""Control flow: ``cond``, ``switch``, ``while_loop``, ``fori_loop``, ``scan``,
``map``, ``associative_scan``, ``custom_linear_solve`` and ``custom_root``, as
primitives holding closed jaxprs.

Each construct lives in its own module with its primitive, abstract
evaluation, lowering and transformation rules (``conditionals``, ``loops``,
``scan``); ``common`` stages functions to jaxprs and checks their types, and
``associative_scan`` is written in terms of other lax operations; ``solves``
holds the implicitly differentiated solves.
"""
from jaxlite.lax.control_flow.conditionals import *  # noqa: F401,F403
from jaxlite.lax.control_flow.loops import *  # noqa: F401,F403
from jaxlite.lax.control_flow.scan import *  # noqa: F401,F403
from jaxlite.lax.control_flow.associative_scan import *  # noqa: F401,F403
from jaxlite.lax.control_flow.solves import *  # noqa: F401,F403
from jaxlite.lax.control_flow.conditionals import __all__ as _cond_all
from jaxlite.lax.control_flow.loops import __all__ as _loops_all
from jaxlite.lax.control_flow.scan import __all__ as _scan_all
from jaxlite.lax.control_flow.associative_scan import __all__ as _assoc_all
from jaxlite.lax.control_flow.solves import __all__ as _solves_all

__all__ = (list(_cond_all) + list(_loops_all) + list(_scan_all) + list(_assoc_all)
           + list(_solves_all))
