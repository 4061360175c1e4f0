"""``jax.extend.source_info_util``: name stacks and source locations of
traced operations. Re-exports ``jaxlite.source_info_util``.

  >>> from jaxlite.extend import source_info_util
  >>> source_info_util.new_name_stack("outer")
  NameStack(stack=(Scope(name='outer'),))
"""
from jaxlite.source_info_util import (NameStack, SourceInfo, current, current_name_stack,
                                      extend_name_stack, new_name_stack, new_source_info,
                                      register_exclusion, reset_name_stack, set_name_stack,
                                      summarize, transform_name_stack, user_context)

__all__ = ["NameStack", "SourceInfo", "current", "current_name_stack", "extend_name_stack",
           "new_name_stack", "new_source_info", "register_exclusion", "reset_name_stack",
           "set_name_stack", "summarize", "transform_name_stack", "user_context"]
