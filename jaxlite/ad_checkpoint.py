"""``jax.ad_checkpoint``: checkpointing (rematerialisation) and named values.

Re-exports ``jaxlite.checkpoint``, where everything is defined.
"""
from jaxlite.checkpoint import (checkpoint, checkpoint_name, checkpoint_policies,  # noqa: F401
                                remat)
