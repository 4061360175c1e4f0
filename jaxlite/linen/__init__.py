"""jaxlite.linen: modules with lifted transformations, in the style of flax.linen."""
from jaxlite.linen import initializers  # noqa: F401
from jaxlite.linen import core  # noqa: F401
from jaxlite.linen.core import lift  # noqa: F401
