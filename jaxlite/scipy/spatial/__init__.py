"""``jaxlite.scipy.spatial``: the ``transform`` submodule (Rotation, Slerp)."""
from jaxlite.scipy.spatial import transform  # noqa: F401
