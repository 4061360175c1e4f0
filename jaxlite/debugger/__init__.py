"""The debuggers behind ``jax.debug.breakpoint`` (only ``"cli"`` in jaxlite).

  >>> from jaxlite.debugger import get_debugger
  >>> get_debugger().__module__
  'jaxlite.debugger.cli_debugger'
"""
from jaxlite.debugger.core import (DebuggerFrame, breakpoint, get_debugger,  # noqa: F401,A004
                                   register_debugger)
from jaxlite.debugger import cli_debugger as _cli_debugger  # noqa: F401 -- registers "cli"
